/* The dashboard's HTML (feed_dashboard_render in dashboard.c gathers the
 * numbers): a complete HTML5 document that works without JavaScript, with
 * its stylesheet inline (the page is served with a CSP that allows inline
 * styles and nothing else) and its charts as inline SVG (dashboard_svg.c).
 *
 * Every user string passes through esc (HTML text and attribute values)
 * and, inside a URL, through chorus_pct first; class names use the cd-
 * prefix of web/README.md.
 */
#include "feed_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- output ---------------------------------------------------------------------------- */

static void out(struct feed__dash *d, const char *s)
{
    if (d->rc == 0)
        d->rc = buf_puts(d->b, s);
}

static void outf(struct feed__dash *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void outf(struct feed__dash *d, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(tmp))
        abort(); /* callers format numbers and fixed text only */
    out(d, tmp);
}

/* esc writes a user string as HTML text or attribute value. */
static void esc(struct feed__dash *d, const char *s)
{
    if (d->rc == 0)
        d->rc = feed__html(d->b, s);
}

/* The orders' names in the sort= parameter (dashboard.c parses them). */
const char *const feed__dash_sort_names[FEED_DASH_NSORTS] = {"alert", "count",      "average",
                                                             "low",   "complaints", "id"};

/* url_begin starts d->url; url_end writes it HTML-escaped. */
static struct buf *url_begin(struct feed__dash *d, const char *prefix)
{
    buf_reset(&d->url);
    buf_puts(&d->url, prefix);
    return &d->url;
}

static void url_end(struct feed__dash *d)
{
    buf_putc(&d->url, '\0');
    esc(d, d->url.data);
}

/* self_url writes a link to this page for category and sort. The reader
 * token is repeated: it is how a private dashboard was opened, and a sort
 * link without it would answer 401. */
static void self_url(struct feed__dash *d, const char *category, enum feed__dash_sort sort)
{
    struct buf *u = url_begin(d, d->q->self_path ? d->q->self_path : "/dashboard");
    char sep = '?';

    if (category && *category) {
        buf_puts(u, "?category=");
        chorus_pct(u, category, strlen(category), true);
        sep = '&';
    }
    if (sort != FEED_DASH_SORT_ALERT) {
        buf_printf(u, "%csort=%s", sep, feed__dash_sort_names[sort]);
        sep = '&';
    }
    if (d->token) {
        buf_printf(u, "%ctoken=", sep);
        chorus_pct(u, d->token, strlen(d->token), false);
    }
    url_end(d);
}

/* digest_url writes the digest's URL for one product, or for the page's
 * scope when product is NULL, with the page's reader token. */
static void digest_url(struct feed__dash *d, const char *base, const char *product)
{
    struct feed_digest_query q = {
        .category = product ? NULL : d->category, .product = product, .token = d->token};

    buf_reset(&d->url);
    feed_digest_url(&d->url, base, &q);
    url_end(d);
}

static void reviews_feed_url(struct feed__dash *d)
{
    buf_reset(&d->url);
    feed_scope_url(&d->url, d->site->public_url,
                   d->category ? STORE_SCOPE_CATEGORY : STORE_SCOPE_ALL, d->category, true);
    url_end(d);
}

/* What each order is called in the table's caption. */
static const char *const sort_words[] = {
    "trend alerts first, then by complaints in 7 days and number of ratings",
    "by number of ratings, most first",
    "by average rating, lowest first",
    "by share of 1\xe2\x80\x93"
    "2\xe2\x98\x85 ratings, highest first",
    "by complaints in 7 days, most first",
    "by product id",
};

/* The stylesheet, inline: the page must not depend on another request, and
 * the CSP allows inline styles (no user string is ever written into it).
 * Colours pass WCAG AA on their backgrounds: body text #1f2937 on white is
 * 14.7:1, muted #4b5563 7.6:1, links #1d4ed8 6.7:1, the alert's #991b1b on
 * #fef2f2 7.6:1. */
static const char css[] =
    ".cd{margin:0;font:15px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;"
    "color:#1f2937;background:#fff}"
    ".cd a{color:#1d4ed8}"
    ".cd a:focus-visible,.cd-scroll:focus-visible{outline:2px solid #1d4ed8;outline-offset:2px}"
    ".cd-header,.cd-main{max-width:1600px;margin:0 auto;padding:0 16px}"
    ".cd h1{font-size:1.4rem;margin:16px 0 2px}"
    ".cd h2{font-size:1.15rem;margin:0 0 8px}"
    ".cd-small{color:#4b5563;font-size:.85rem;margin:4px 0}"
    ".cd-nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:4px 14px;margin:8px 0;padding:0}"
    ".cd-nav a[aria-current]{color:#1f2937;font-weight:700;text-decoration:none}"
    ".cd-rollup{display:flex;flex-wrap:wrap;gap:16px 40px;align-items:flex-start;"
    "border:1px solid #d1d5db;border-radius:6px;padding:12px 16px;margin:12px 0}"
    ".cd-figures{display:grid;grid-template-columns:repeat(3,auto);gap:8px 24px;margin:0}"
    ".cd-figures dt{color:#4b5563;font-size:.8rem}"
    ".cd-figures dd{margin:0;font-size:1.2rem;font-weight:600}"
    ".cd-dist{margin:0}.cd-dist figcaption{color:#4b5563;font-size:.8rem}"
    ".cd-dist svg,.cd-spark{max-width:100%;height:auto}"
    ".cd-note{background:#fffbeb;border:1px solid #b45309;border-radius:6px;padding:8px 12px}"
    /* relative: the visually hidden labels in the table (absolute) scroll
     * with it, instead of widening the page. */
    ".cd-scroll{overflow-x:auto;position:relative}"
    ".cd-table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}"
    ".cd-table caption{text-align:left;font-weight:600;padding:8px 0}"
    ".cd-table th,.cd-table td{padding:6px 8px;border-bottom:1px solid #e5e7eb;text-align:left;"
    "vertical-align:middle}"
    ".cd-table thead th{background:#f3f4f6;font-size:.85rem;white-space:nowrap}"
    ".cd-table tbody th{font-weight:400}"
    ".cd-table .cd-n{text-align:right;white-space:nowrap}"
    /* Wide screens: a long product name wraps inside its column, so the
     * components column stays on the screen. */
    ".cd-table tbody th{min-width:9em;max-width:22em;overflow-wrap:anywhere}"
    ".cd-comps{min-width:11em}"
    ".cd-id{display:block;color:#4b5563;font:.8rem ui-monospace,monospace}"
    ".cd-alert-row{background:#fef2f2}"
    ".cd-alert{display:inline-block;color:#991b1b;font-weight:700;font-size:.85rem}"
    ".cd-why{display:block;color:#991b1b;font-size:.8rem}"
    ".cd-comp-alert{margin-bottom:.4rem}.cd-sent{margin:0;padding-left:1rem;font-size:.8rem}"
    ".cd-foot{color:#4b5563;font-size:.85rem;margin:16px 0 32px}"
    ".cd-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);"
    "white-space:nowrap}"
    ".cd-scroll-hint,.cd-table .cd-narrow{display:none}"
    "@media (max-width:600px){.cd-figures{grid-template-columns:repeat(2,auto)}"
    ".cd-table th,.cd-table td{padding:4px}}"
    /* Narrow screens keep the table (the columns compare products) but
     * scroll it sideways inside its region, under a product column that
     * stays put and is wide enough for names and the alert to read as
     * lines, not a word each; the page itself never scrolls sideways. */
    "@media (max-width:800px){.cd-scroll-hint,.cd-table .cd-narrow{display:block}"
    ".cd-table{width:max-content;min-width:100%}"
    ".cd-table .cd-n,.cd-table td{white-space:nowrap}"
    ".cd-table tbody th,.cd-table thead th:first-child{position:sticky;left:0;z-index:1;"
    "min-width:10.5em;max-width:55vw;white-space:normal;overflow-wrap:anywhere;background:#fff;"
    "box-shadow:1px 0 0 #d1d5db,4px 0 6px -4px rgba(0,0,0,.35)}"
    ".cd-table thead th:first-child{background:#f3f4f6}"
    ".cd-table .cd-alert-row th{background:#fef2f2}"
    ".cd-table caption{position:sticky;left:0;max-width:calc(100vw - 32px)}"
    ".cd-scroll{scrollbar-width:thin;scrollbar-color:#6b7280 #e5e7eb;padding-bottom:4px}}";

/* ---- the document ------------------------------------------------------------------------ */

static void fmt_time(int64_t t, char *dst, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(dst, cap, "%Y-%m-%d %H:%M UTC", &tm);
}

static void fmt_day(int64_t day, char *dst, size_t cap)
{
    time_t tt = (time_t)(day * 86400);
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(dst, cap, "%Y-%m-%d", &tm);
}

static void head(struct feed__dash *d)
{
    out(d, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
           "<meta name=\"referrer\" content=\"no-referrer\">\n<title>");
    if (d->category) {
        esc(d, d->category);
        out(d, " \xc2\xb7 ");
    }
    out(d, "Review dashboard \xc2\xb7 ");
    esc(d, d->site->title ? d->site->title : "Chorus");
    out(d, "</title>\n<link rel=\"alternate\" type=\"application/atom+xml\" title=\"");
    out(d, d->category ? "Reviews in " : "All reviews");
    esc(d, d->category);
    out(d, "\" href=\"");
    reviews_feed_url(d);
    out(d, "\">\n<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Engineer digest");
    if (d->category) {
        out(d, ": ");
        esc(d, d->category);
    }
    out(d, "\" href=\"");
    digest_url(d, d->site->public_url, NULL);
    out(d, "\">\n<style>");
    out(d, css);
    out(d, "</style>\n</head>\n");
}

static void nav(struct feed__dash *d)
{
    out(d, "<nav class=\"cd-nav\" aria-label=\"Categories\"><ul><li><a href=\"");
    self_url(d, NULL, d->sort);
    out(d, d->category ? "\">" : "\" aria-current=\"page\">");
    out(d, "All products</a></li>");
    for (size_t i = 0; i < d->nnav && d->rc == 0; i++) {
        char top[CHORUS_MAX_CATEGORY + 1];
        size_t n = d->nav[i].n < sizeof(top) ? d->nav[i].n : sizeof(top) - 1;

        memcpy(top, d->nav[i].s, n);
        top[n] = '\0';
        out(d, "<li><a href=\"");
        self_url(d, top, d->sort);
        out(d, d->category && strcmp(d->category, top) == 0 ? "\" aria-current=\"page\">" : "\">");
        esc(d, top);
        out(d, "</a></li>");
    }
    out(d, "</ul>");
    if (d->nav_partial)
        out(d, "<p class=\"cd-small\">Not every category is listed here: type a path into "
               "<code>?category=</code> to open another one.</p>");
    out(d, "</nav>\n");
}

/* sentiment_text writes the mean sentiment of st's scored reviews as a
 * signed number and a word ("+0.62 very positive"), or a dash when none was
 * scored. The words' bounds are those of docs/sentiment.md. */
static void sentiment_text(const struct review_stats *st, char *v, size_t cap)
{
    double avg;
    const char *word;

    if (!st->sentiment_n) {
        snprintf(v, cap, "\xe2\x80\x94");
        return;
    }
    avg = st->sentiment_sum / (double)st->sentiment_n;
    if (avg > -0.005 && avg < 0.005)
        avg = 0; /* never "-0.00" */
    if (avg >= 0.5)
        word = "very positive";
    else if (avg > 0.05)
        word = "positive";
    else if (avg >= -0.05)
        word = "neutral";
    else if (avg > -0.5)
        word = "negative";
    else
        word = "very negative";
    snprintf(v, cap, "%+.2f %s", avg, word);
}

static void figure(struct feed__dash *d, const char *term, const char *value)
{
    out(d, "<div><dt>");
    out(d, term);
    out(d, "</dt><dd>");
    out(d, value);
    out(d, "</dd></div>");
}

static void rollup(struct feed__dash *d)
{
    const struct review_stats *t = &d->total;
    char v[64];

    out(d, "<section class=\"cd-rollup\" aria-labelledby=\"cd-rollup-h\">"
           "<div><h2 id=\"cd-rollup-h\">");
    if (d->category)
        esc(d, d->category);
    else
        out(d, "All products");
    out(d, "</h2><dl class=\"cd-figures\">");
    snprintf(v, sizeof(v), "%llu", (unsigned long long)d->in_scope);
    figure(d, "Products", v);
    snprintf(v, sizeof(v), "%llu", (unsigned long long)t->count);
    figure(d, "Ratings", v);
    if (t->count)
        snprintf(v, sizeof(v), "%.2f \xe2\x98\x85", (double)t->rating_sum / (double)t->count);
    else
        snprintf(v, sizeof(v), "\xe2\x80\x94");
    figure(d, "Average", v);
    if (t->count)
        snprintf(v, sizeof(v), "%.1f%%",
                 100.0 * (double)(t->histogram[0] + t->histogram[1]) / (double)t->count);
    else
        snprintf(v, sizeof(v), "\xe2\x80\x94");
    figure(d,
           "1\xe2\x80\x93"
           "2\xe2\x98\x85 share",
           v);
    sentiment_text(t, v, sizeof(v));
    figure(d, "Sentiment", v);
    snprintf(v, sizeof(v), "%llu", (unsigned long long)t->mentions);
    figure(d, "Mentions (no stars)", v);
    snprintf(v, sizeof(v), "%zu", d->alerts);
    figure(d, "Trend alerts", v);
    out(d, "</dl><p class=\"cd-small\">Feeds: <a href=\"");
    reviews_feed_url(d);
    out(d, "\">reviews (Atom)</a> \xc2\xb7 <a href=\"");
    digest_url(d, d->site->public_url, NULL);
    out(d, "\">engineer digest (Atom)</a></p>");
    if (d->total_partial)
        outf(d, "<p class=\"cd-small\">The roll-up adds up the first %d products only.</p>",
             FEED_DASH_MAX_SCAN);
    out(d, "</div><figure class=\"cd-dist\">");
    if (d->rc == 0)
        d->rc = feed__dash_bars(d->b, t->histogram);
    out(d, "<figcaption>Rating distribution (approved reviews with stars)</figcaption></figure>"
           "</section>\n");
}

/* col writes a column header: a link that sorts by it when it has an
 * order, with aria-sort on the column the table is sorted by. */
static void col(struct feed__dash *d, const char *label, int sort, bool num, const char *arrow)
{
    bool on = sort >= 0 && (enum feed__dash_sort)sort == d->sort;

    out(d, num ? "<th scope=\"col\" class=\"cd-n\"" : "<th scope=\"col\"");
    if (on)
        out(d, strcmp(arrow, "\xe2\x96\xb2") == 0 ? " aria-sort=\"ascending\""
                                                  : " aria-sort=\"descending\"");
    out(d, ">");
    if (sort < 0) {
        out(d, label);
        out(d, "</th>");
        return;
    }
    out(d, "<a href=\"");
    self_url(d, d->category, (enum feed__dash_sort)sort);
    out(d, "\">");
    out(d, label);
    if (on) {
        out(d, " <span aria-hidden=\"true\">");
        out(d, arrow);
        out(d, "</span>");
    }
    out(d, "</a></th>");
}

/* ---- the components column ---------------------------------------------------------------- */

static int by_judged(const void *a, const void *b)
{
    const struct feed__comp_row *x = *(const struct feed__comp_row *const *)a,
                                *y = *(const struct feed__comp_row *const *)b;

    if (x->j90 != y->j90)
        return x->j90 > y->j90 ? -1 : 1;
    return x->tax < y->tax ? -1 : x->tax > y->tax;
}

/* components writes a row's components cell: each component alert with its
 * numbers and a sparkline of its daily complaints, then the share positive
 * of the components most reviews judged in 90 days (what is praised as well
 * as what breaks). The product's counts are read again: only listed rows
 * come here. */
static void components_load(struct feed__dash *d, const struct feed__dash_row *w)
{
    feed__comps_init(d->comps, d->q->tax, d->today);
    if (d->rc == 0)
        d->rc = feed__comps_add(d->comps, d->txn, d->q->tax, w->id);
    if (d->rc == 0)
        feed__comps_eval(d->comps);
}

/* components_named writes, in the product's cell, the labels of its
 * component alerts for narrow screens, where the components column is
 * out of sight until the table is scrolled (hidden on wide ones, where
 * the column shows them with their numbers). */
static void components_named(struct feed__dash *d)
{
    bool first = true;

    for (size_t i = 0; d->rc == 0 && i < d->comps->n; i++) {
        if (!d->comps->rows[i].alert)
            continue;
        if (first)
            out(d, "<span class=\"cd-alert cd-narrow\"><span "
                   "aria-hidden=\"true\">\xe2\x9a\xa0</span> ");
        else
            out(d, ", ");
        esc(d, text_taxonomy_label(d->q->tax, d->comps->rows[i].tax));
        first = false;
    }
    if (!first)
        out(d, " complaints rising</span>");
}

static void components(struct feed__dash *d, const struct feed__dash_row *w)
{
    const struct text_taxonomy *tax = d->q->tax;
    const struct feed__comp_row *top[TEXT_MAX_COMPONENTS];
    struct feed__comps *c = d->comps;
    int64_t marks[8];
    size_t ntop = 0, nmarks = 0;

    out(d, "<td class=\"cd-comps\">");
    if (d->rc == 0 && w->comp_alerts)
        d->rc = feed__release_days(d->txn, w->id, d->today - FEED_DASH_SPARK_DAYS + 1,
                                   FEED_DASH_SPARK_DAYS, marks, 8, &nmarks);
    if (d->rc)
        return;
    for (size_t i = 0; i < c->n; i++) {
        const struct feed__comp_row *r = &c->rows[i];
        char since[16];

        if (r->j90 >= FEED_DASH_COMP_JUDGED)
            top[ntop++] = r;
        if (!r->alert)
            continue;
        fmt_day(r->since_day, since, sizeof(since));
        out(d, "<div class=\"cd-comp-alert\" data-component=\"");
        esc(d, text_taxonomy_id(tax, r->tax));
        out(d, "\"><span class=\"cd-alert\"><span aria-hidden=\"true\">\xe2\x9a\xa0</span> ");
        esc(d, text_taxonomy_label(tax, r->tax));
        outf(d,
             " complaints rising</span><span class=\"cd-why\">%u in 7 days against %.2f "
             "expected; since %s",
             r->now.n7, r->now.expected, since);
        {
            struct feed__comp_release rel;

            if (d->rc == 0)
                d->rc = feed__comp_release(d->txn, w->id, r->since_day, &rel);
            if (d->rc == 0 && rel.found) {
                fmt_day(feed__floor_div(rel.released_at, 86400), since, sizeof(since));
                out(d, ", after ");
                esc(d, rel.version);
                outf(d, " (released %s)", since);
            }
        }
        out(d, "</span>");
        if (d->rc == 0)
            d->rc = feed__dash_count_sparkline(
                d->b, r->daily + FEED_COMP_SPAN - FEED_DASH_SPARK_DAYS, FEED_DASH_SPARK_DAYS,
                d->today - FEED_DASH_SPARK_DAYS + 1, marks, nmarks);
        out(d, "</div>");
    }
    if (ntop) {
        qsort(top, ntop, sizeof(top[0]), by_judged);
        out(d, "<ul class=\"cd-sent\" aria-label=\"Share of reviews positive, 90 days\">");
        for (size_t i = 0; i < ntop && i < FEED_DASH_COMP_SHOWN; i++) {
            out(d, "<li>");
            esc(d, text_taxonomy_label(tax, top[i]->tax));
            outf(d,
                 " <span class=\"cd-n\">%.0f%% positive</span> <span "
                 "class=\"cd-small\">(%u)</span></li>",
                 100.0 * top[i]->p90 / top[i]->j90, top[i]->j90);
        }
        out(d, "</ul>");
    }
    out(d, "</td>");
}

static void row(struct feed__dash *d, const struct feed__dash_row *w)
{
    char v[64];

    /* Read first: the product's cell names the alerts on narrow screens. */
    if (d->comps)
        components_load(d, w);
    out(d, w->alert ? "<tr class=\"cd-alert-row\" data-product=\"" : "<tr data-product=\"");
    esc(d, w->id);
    out(d, "\"><th scope=\"row\"><a href=\"");
    url_begin(d, "/p/");
    chorus_pct(&d->url, w->id, strlen(w->id), false);
    url_end(d);
    out(d, "\">");
    esc(d, w->name ? w->name : w->id);
    out(d, "</a>");
    if (w->name) {
        out(d, "<span class=\"cd-id\">");
        esc(d, w->id);
        out(d, "</span>");
    }
    if (w->alert) {
        char since[16];

        fmt_day(w->ep.start, since, sizeof(since));
        outf(d,
             "<span class=\"cd-alert\"><span aria-hidden=\"true\">\xe2\x9a\xa0</span> Trend "
             "alert</span><span class=\"cd-why\">7-day average %.2f over %llu ratings against "
             "%.2f over 90 days; since %s</span>",
             w->tr.avg7, (unsigned long long)w->tr.n7, w->tr.avg90, since);
    }
    if (d->comps)
        components_named(d);
    if (w->fix_failed) {
        out(d, "<span class=\"cd-alert\"><span aria-hidden=\"true\">\xe2\x9a\xa0</span> Fix did "
               "not hold</span><span class=\"cd-why\">");
        esc(d, w->fix_title);
        outf(d, ": %llu complaints since the fix (%.2f a day) against %.2f a day before",
             (unsigned long long)w->fix.after, w->fix.rate_after, w->fix.rate_before);
        if (w->fix_failed > 1)
            outf(d, "; %u fixes in all did not hold", w->fix_failed);
        out(d, "</span>");
    }
    outf(d, "</th><td class=\"cd-n\">%llu</td>", (unsigned long long)w->st.count);
    if (w->st.count)
        outf(d, "<td class=\"cd-n\">%.2f</td><td class=\"cd-n\">%.1f%%</td>",
             (double)w->st.rating_sum / (double)w->st.count,
             100.0 * (double)(w->st.histogram[0] + w->st.histogram[1]) / (double)w->st.count);
    else
        out(d, "<td class=\"cd-n\">\xe2\x80\x94</td><td class=\"cd-n\">\xe2\x80\x94</td>");
    sentiment_text(&w->st, v, sizeof(v));
    outf(d, "<td class=\"cd-n\">%s</td>", v);
    snprintf(v, sizeof(v), "%llu%s", (unsigned long long)w->c24, w->c24_more ? "+" : "");
    outf(d, "<td class=\"cd-n\">%s</td><td class=\"cd-n\">%llu</td><td>", v,
         (unsigned long long)w->c7);
    if (d->rc == 0)
        d->rc = feed__dash_sparkline(d->b, w->cnt, w->sum, FEED_DASH_SPARK_DAYS,
                                     d->today - FEED_DASH_SPARK_DAYS + 1);
    out(d, "</td><td><a href=\"");
    digest_url(d, "", w->id);
    out(d, "\">Digest<span class=\"cd-sr\"> of ");
    esc(d, w->name ? w->name : w->id);
    out(d, "</span></a></td>");
    /* Last, so the columns before keep their places for readers and tests. */
    if (d->comps)
        components(d, w);
    out(d, "</tr>\n");
}

static void table(struct feed__dash *d)
{
    static const char *const down = "\xe2\x96\xbc", *const up = "\xe2\x96\xb2";

    size_t shown = d->nrows < FEED_DASH_MAX_ROWS ? d->nrows : FEED_DASH_MAX_ROWS;

    out(d, "<section class=\"cd-products\" aria-label=\"Products\">");
    if (d->in_scope > shown)
        outf(d,
             "<p class=\"cd-note\" role=\"note\">Showing the top %zu of %llu products in "
             "this order%s. Choose a category above, or add <code>?category=</code>, to see "
             "the rest.</p>",
             shown, (unsigned long long)d->in_scope,
             d->in_scope > d->nrows ? " (only the first 20,000 by product number were analysed)"
                                    : "");
    /* Said in words too: a scrollbar that only shows while scrolling is
     * no hint (narrow screens only, CSS). */
    out(d, "<p class=\"cd-small cd-scroll-hint\">The table scrolls sideways: more columns "
           "to the right.</p>");
    out(d, "<div class=\"cd-scroll\" role=\"region\" aria-labelledby=\"cd-caption\" "
           "tabindex=\"0\"><table class=\"cd-table\"><caption id=\"cd-caption\">");
    if (d->category) {
        out(d, "Products in ");
        esc(d, d->category);
    } else {
        out(d, "All products");
    }
    outf(d, " (%zu), %s</caption>\n<thead><tr>", shown, sort_words[d->sort]);
    col(d, "Product", FEED_DASH_SORT_ID, false, up);
    col(d, "Ratings", FEED_DASH_SORT_COUNT, true, down);
    col(d, "Average", FEED_DASH_SORT_AVERAGE, true, up);
    col(d,
        "1\xe2\x80\x93"
        "2\xe2\x98\x85 share",
        FEED_DASH_SORT_LOW, true, down);
    col(d, "Sentiment<sup>4</sup>", -1, true, down);
    col(d, "Complaints 24&nbsp;h<sup>1</sup>", -1, true, down);
    col(d, "Complaints 7&nbsp;days<sup>2</sup>", FEED_DASH_SORT_COMPLAINTS, true, down);
    col(d, "30-day trend<sup>3</sup>", FEED_DASH_SORT_ALERT, false, down);
    col(d, "Digest", -1, false, down);
    if (d->comps)
        col(d, "Components<sup>5</sup>", -1, false, down);
    out(d, "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < shown && d->rc == 0; i++)
        row(d, &d->rows[i]);
    out(d, "</tbody></table></div>\n");
    if (!d->nrows)
        out(d, "<p class=\"cd-note\">No products here yet.</p>");
    out(d, "</section>\n");
}

static void footer(struct feed__dash *d)
{
    out(d, "<footer class=\"cd-foot\"><p>Ratings are approved reviews with stars; mentions "
           "without stars are counted apart and are not in any average. A complaint is an "
           "approved review rated 1 or 2 stars, counted by when it was written.</p><ol>"
           "<li>The 24 hours before the time above, to the second.</li>"
           "<li>Today (UTC) and the 6 days before, from the daily buckets.</li>"
           "<li>The average rating of each UTC day of the last 30; days without ratings have no "
           "point, the line spans them. The dashed line is 3 stars. <strong>\xe2\x9a\xa0 Trend "
           "alert</strong>: the engineer digest's rule, an episode open today: the 7-day "
           "average at least 0.5 stars below the 90-day average, with at least 5 and 20 "
           "ratings, until it recovers to within 0.25 stars. Sorting by this column puts "
           "alerts first.</li>"
           "<li>The mean sentiment of the approved reviews and mentions whose text holds an "
           "opinion, from \xe2\x88\x92"
           "1 (negative) to +1 (positive), scored by Chorus at "
           "ingest; \xe2\x80\x94 when none does.</li>"
           "<li><strong>\xe2\x9a\xa0 Complaints rising</strong>: the digest's component alert, "
           "open today: the complaints naming a component in the last 7 days against what the "
           "product's 90 days before lead one to expect (a one-sided Poisson test, at least 5 "
           "complaints and twice the expected count), with its daily complaints over 30 days. "
           "Below, the share of the reviews naming a component in 90 days that are positive "
           "(4\xe2\x80\x93"
           "5 stars, or no stars and a positive text), for the components most "
           "reviews named (at least 3), with how many.</li></ol></footer>\n");
}

void feed__dash_document(struct feed__dash *d)
{
    char asof[64], iso[32];

    head(d);
    fmt_time(d->q->now, asof, sizeof(asof));
    chorus_time_format(d->q->now, iso);
    out(d, "<body class=\"cd\">\n<header class=\"cd-header\"><h1>Review dashboard</h1>");
    outf(d, "<p class=\"cd-small\">As of <time datetime=\"%s\">%s</time>.</p>", iso, asof);
    nav(d);
    out(d, "</header>\n<main class=\"cd-main\">\n");
    rollup(d);
    table(d);
    footer(d);
    out(d, "</main>\n</body>\n</html>\n");
}