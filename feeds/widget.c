/* The widget, server-rendered: one HTML5 document for the iframe embed
 * (/widget/{id}.html) or the hosted, shareable page (/p/{id}), with the
 * markup contract of web/README.md, working without JavaScript.
 *
 * Everything interactive is a link or a form: histogram bars filter with
 * ?rating=, the sort menu is links, "Show more" carries the API cursor,
 * long bodies fold with <details>, and votes are a form POST answered with
 * a redirect back. Bar widths are classes (cw-w0..cw-w100), not style
 * attributes, because the page's Content-Security-Policy allows no inline
 * style.
 *
 * The body is written first, into its own buffer, because the JSON-LD in
 * the head lists the reviews the body shows; then head and body are put
 * together in the caller's buffer.
 */
#include "widget_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "chorus/base.h"

static const char *const sort_keys[] = {"sort_newest", "sort_oldest", "sort_highest", "sort_lowest",
                                        "sort_helpful"};

static bool http_url(const char *s)
{
    return s && (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0);
}

/* ---- summary: average, count, histogram --------------------------------------------- */

static double average(const struct review_stats *st)
{
    return st->count ? (double)st->rating_sum / (double)st->count : 0;
}

static void histogram(struct feed__w *w)
{
    const struct review_stats *st = &w->st;
    const struct feed_widget_query *q = w->q;

    feed__w_raw(w, "<ol class=\"cw-hist\" aria-label=\"");
    feed__w_text(w, "histogram_label");
    feed__w_raw(w, "\">");
    for (int r = 5; r >= 1; r--) {
        uint64_t c = st->histogram[r - 1];
        int pct = (int)lround(100.0 * (double)c / (double)st->count);
        unsigned bit = 1u << r;
        bool on = q->ratings == bit;
        char n[8], num[48], pcts[8];
        const char *kv[] = {"n", n, "count", num, "pct", pcts, NULL};

        snprintf(n, sizeof(n), "%d", r);
        snprintf(pcts, sizeof(pcts), "%d", pct);
        feed__fmt_count(num, sizeof(num), w->lang, c);
        feed__w_printf(w, "<li><a class=\"cw-bar%s\" data-rating=\"%d\" href=\"",
                       on ? " cw-bar-on" : "", r);
        /* The bar of the filter in force takes it off again. */
        feed__w_link(w, on ? 0 : bit, q->sort, NULL);
        /* The name comes from the visible text ("5 stars 740") and a share
         * only screen readers hear: speech input works by what is seen
         * (WCAG 2.5.3, axe's label-content-name-mismatch). */
        feed__w_raw(w, on ? "\" aria-current=\"true\">" : "\">");
        feed__w_raw(w, "<span class=\"cw-bar-label\">");
        feed__w_html_fill(w, feed_text(w->lang, r == 1 ? "stars_one" : "stars_n"), kv, false, NULL);
        /* A bar with reviews is never drawn empty, however few. */
        feed__w_printf(w,
                       "</span> <span class=\"cw-bar-track\" aria-hidden=\"true\"><span "
                       "class=\"cw-bar-fill cw-w%d\"></span></span> <span class=\"cw-bar-n\">",
                       pct == 0 && c ? 1 : pct);
        feed__w_esc(w, num);
        feed__w_raw(w, "</span><span class=\"cw-sr\">, ");
        feed__w_html_fill(w, feed_text(w->lang, "histogram_share"), kv, false, NULL);
        feed__w_raw(w, "</span></a></li>");
    }
    feed__w_raw(w, "</ol>");
}

/* filter_note says which ratings are shown, with the way back to all
 * (in the controls, as embed.js has it). */
static void filter_note(struct feed__w *w)
{
    const struct feed_widget_query *q = w->q;
    char n[32] = "";
    const char *kv[] = {"n", n, NULL};
    size_t len = 0;

    for (int r = 1; r <= 5; r++)
        if (q->ratings & (1u << r))
            len += (size_t)snprintf(n + len, sizeof(n) - len, len ? ", %d" : "%d", r);
    feed__w_raw(w, "<div class=\"cw-filter\"><span class=\"cw-filter-text\">");
    if (n[0])
        feed__w_html_fill(w, feed_text(w->lang, "filter_showing"), kv, false, NULL);
    else
        feed__w_text(w, "mention");
    feed__w_raw(w, "</span> <a class=\"cw-filter-all\" href=\"");
    feed__w_link(w, 0, q->sort, NULL);
    feed__w_raw(w, "\">");
    feed__w_text(w, "filter_all");
    feed__w_raw(w, "</a></div>");
}

static void summary(struct feed__w *w)
{
    const struct review_stats *st = &w->st;
    double avg = average(st);
    char avgs[32], n[8];
    const char *kv[] = {"avg", avgs, "n", n, NULL};

    feed__w_raw(w, "<div class=\"cw-summary\"><div class=\"cw-average\">");
    if (st->count) {
        feed__fmt_avg(avgs, sizeof(avgs), w->lang, avg);
        feed__w_raw(w, "<span class=\"cw-stars\" role=\"img\" aria-label=\"");
        feed__w_html_fill(w, feed_text(w->lang, "out_of_5"), kv, false, NULL);
        feed__w_raw(w, "\">");
        if (w->rc == 0)
            w->rc = feed__stars(w->b, (int)lround(avg));
        feed__w_raw(w, "</span> <span class=\"cw-avg\">");
        feed__w_esc(w, avgs);
        feed__w_raw(w, "</span> <span class=\"cw-count\">");
        buf_reset(&w->tmp);
        if (w->rc == 0)
            w->rc = feed__review_count(&w->tmp, w->lang, st->count);
        feed__w_esc(w, w->tmp.data);
        feed__w_raw(w, "</span>");
    } else if (st->mentions) {
        feed__w_raw(w, "<span class=\"cw-avg cw-avg-none\">");
        feed__w_text(w, "no_ratings");
        feed__w_raw(w, "</span>");
    }
    feed__w_raw(w, "</div>");
    if (st->count)
        histogram(w);
    feed__w_raw(w, "</div>");
}

/* ---- the pair, the sort menu and the list --------------------------------------------- */

/* A pair member being looked up: pair_one writes the first review of its
 * page under title. */
struct first {
    struct feed__w *w;
    const char *title;
};

static int pair_one(void *ctx, const struct review *r)
{
    struct first *f = ctx;

    feed__w_review(f->w, r, f->title);
    feed__w_ld_review(f->w, r);
    return f->w->rc ? f->w->rc : CHORUS_ESTOP;
}

/* pair writes the most helpful 4-5 star and 1-3 star reviews side by
 * side: on the first unfiltered page of a product with enough ratings,
 * and only when both exist (the histogram counts the approved ones the
 * queries see), since the point is to show good and bad together. */
static int pair(struct feed__w *w)
{
    const uint64_t *h = w->st.histogram;
    struct store_query sq = {.product_id = w->p.id, .sort = STORE_SORT_HELPFUL, .limit = 1};
    struct first pos = {w, feed_text(w->lang, "top_positive")};
    struct first neg = {w, feed_text(w->lang, "top_critical")};
    char next[STORE_CURSOR_MAX];
    int rc;

    if (w->q->cursor || (w->q->ratings && w->q->ratings != STORE_RATING_ALL) ||
        w->st.count < FEED__W_PAIR_MIN || h[3] + h[4] == 0 || h[0] + h[1] + h[2] == 0)
        return 0;
    feed__w_raw(w, "<div class=\"cw-pair\">");
    sq.ratings = 1u << 4 | 1u << 5;
    rc = store_reviews_query(w->txn, &sq, pair_one, &pos, next);
    sq.ratings = 1u << 1 | 1u << 2 | 1u << 3;
    if (rc == 0)
        rc = store_reviews_query(w->txn, &sq, pair_one, &neg, next);
    feed__w_raw(w, "</div>");
    return rc ? rc : w->rc;
}

/* controls writes the sort menu as links, and the filter in force. */
static void controls(struct feed__w *w)
{
    const struct feed_widget_query *q = w->q;

    feed__w_raw(w, "<div class=\"cw-controls\"><span class=\"cw-sort-label\"><span>");
    feed__w_text(w, "sort_label");
    feed__w_raw(w, "</span>");
    for (int s = STORE_SORT_NEWEST; s <= STORE_SORT_HELPFUL; s++) {
        feed__w_raw(w, " <a class=\"cw-sort-link\" href=\"");
        feed__w_link(w, q->ratings, (enum store_sort)s, NULL);
        feed__w_raw(w, (int)q->sort == s ? "\" aria-current=\"true\">" : "\">");
        feed__w_text(w, sort_keys[s]);
        feed__w_raw(w, "</a>");
    }
    feed__w_raw(w, "</span>");
    if (q->ratings && q->ratings != STORE_RATING_ALL)
        filter_note(w);
    feed__w_raw(w, "</div>");
}

static int list_one(void *ctx, const struct review *r)
{
    struct feed__w *w = ctx;

    if (w->n_list++ == 0)
        feed__w_raw(w, "<ol class=\"cw-list\">");
    feed__w_review(w, r, NULL);
    feed__w_ld_review(w, r);
    return w->rc;
}

/* ---- the document ---------------------------------------------------------------------- */

/* feed_href writes, attribute-escaped, the product's Atom feed URL (the
 * callers close the attribute their own way). */
static void feed_href(struct feed__w *w)
{
    buf_reset(&w->tmp);
    if (w->rc == 0)
        w->rc = feed_scope_url(&w->tmp, w->site->public_url, STORE_SCOPE_PRODUCT, w->p.id, true);
    feed__w_esc(w, w->tmp.data);
}

static void widget_body(struct feed__w *w)
{
    const struct feed_widget_query *q = w->q;
    struct store_query sq = {0};
    char next[STORE_CURSOR_MAX] = "";
    const char *kv[] = {"name", w->name, NULL};
    bool any = w->st.count + w->st.mentions > 0;
    int rc;

    feed__w_printf(w, "<div class=\"cw%s\" lang=\"%s\" data-product=\"", q->dark ? " cw-dark" : "",
                   w->lang);
    feed__w_esc(w, w->p.id);
    feed__w_raw(w, "\" role=\"region\" aria-label=\"");
    feed__w_html_fill(w, feed_text(w->lang, "reviews_of"), kv, false, NULL);
    /* A heading for those who move by headings, between the page's own
     * (an h1 here or on the shop) and the reviews' h3 titles. */
    feed__w_raw(w, "\"><h2 class=\"cw-sr\">");
    feed__w_text(w, "reviews");
    feed__w_raw(w, "</h2>");
    summary(w);
    rc = pair(w);
    if (rc && w->rc == 0)
        w->rc = rc;
    if (any)
        controls(w);
    sq.product_id = w->p.id;
    sq.sort = q->sort;
    sq.ratings = q->ratings;
    sq.limit = q->limit;
    sq.cursor = q->cursor;
    rc = w->rc ? w->rc : store_reviews_query(w->txn, &sq, list_one, w, next);
    if (rc && w->rc == 0)
        w->rc = rc;
    if (w->n_list)
        feed__w_raw(w, "</ol>");
    if (next[0]) {
        feed__w_raw(w, "<a class=\"cw-show-more\" href=\"");
        feed__w_link(w, q->ratings, q->sort, next);
        feed__w_raw(w, "\">");
        feed__w_text(w, "show_more");
        feed__w_raw(w, "</a>");
    }
    if (!any) {
        feed__w_raw(w, "<p class=\"cw-empty\">");
        feed__w_text(w, "no_reviews");
        feed__w_raw(w, "</p><p class=\"cw-empty-hint\">");
        feed__w_text(w, "be_first");
        feed__w_raw(w, "</p>");
    } else if (w->n_list == 0 && !q->cursor) {
        feed__w_raw(w, "<p class=\"cw-empty\">");
        feed__w_text(w, "no_match");
        feed__w_raw(w, "</p>");
    }
    feed__w_raw(w, "<a class=\"cw-feed\" href=\"");
    feed_href(w);
    /* Inside an iframe a feed would replace the widget: a new tab. */
    feed__w_raw(w, q->page ? "\">" : "\" target=\"_blank\" rel=\"noopener\">");
    feed__w_text(w, "feed");
    feed__w_raw(w, "</a></div>");
}

/* share_text fills out with the page's title (title) or description. */
static int share_text(struct feed__w *w, struct buf *out, bool title)
{
    char avgs[32];
    const char *kv[] = {"name", w->name, "avg", avgs, "count", NULL, NULL};
    int rc;

    if (!w->st.count) {
        if (!title)
            return buf_puts(out, feed_text(w->lang, "no_ratings"));
        kv[2] = NULL;
        return feed__fill(out, feed_text(w->lang, "reviews_of"), kv);
    }
    feed__fmt_avg(avgs, sizeof(avgs), w->lang, average(&w->st));
    buf_reset(&w->seg);
    rc = feed__review_count(&w->seg, w->lang, w->st.count);
    kv[5] = w->seg.data;
    if (rc == 0)
        rc = feed__fill(out, feed_text(w->lang, title ? "share_title" : "share_description"), kv);
    return rc;
}

static void meta(struct feed__w *w, const char *attr, const char *name, const char *content)
{
    feed__w_printf(w, "<meta %s=\"%s\" content=\"", attr, name);
    feed__w_esc(w, content);
    feed__w_raw(w, "\">");
}

static const char *og_locale(const char *lang)
{
    static const char *const map[][2] = {
        {"en", "en_US"}, {"fr", "fr_FR"}, {"de", "de_DE"}, {"es", "es_ES"}, {"pt", "pt_BR"}};

    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(map[i][0], lang) == 0)
            return map[i][1];
    return "en_US";
}

/* page_head writes what the hosted page adds: description, canonical,
 * Open Graph and Twitter card, so a shared link previews with the name,
 * the average and the count. */
static void page_head(struct feed__w *w, const char *title, struct buf *desc, struct buf *url)
{
    const char *img = http_url(w->p.image_url) ? w->p.image_url : NULL;

    meta(w, "name", "description", desc->data);
    feed__w_raw(w, "<link rel=\"canonical\" href=\"");
    feed__w_esc(w, url->data);
    feed__w_raw(w, "\">");
    meta(w, "property", "og:type", "product");
    meta(w, "property", "og:title", title);
    meta(w, "property", "og:description", desc->data);
    meta(w, "property", "og:url", url->data);
    meta(w, "property", "og:site_name", w->site->title ? w->site->title : "Chorus");
    meta(w, "property", "og:locale", og_locale(w->lang));
    if (img)
        meta(w, "property", "og:image", img);
    meta(w, "name", "twitter:card", "summary");
    meta(w, "name", "twitter:title", title);
    meta(w, "name", "twitter:description", desc->data);
    if (img)
        meta(w, "name", "twitter:image", img);
}

static void head(struct feed__w *w)
{
    struct buf title, desc, url;
    const char *kv[] = {"name", w->name, NULL};

    buf_init(&title, 0);
    buf_init(&desc, 0);
    buf_init(&url, 0);
    if (w->q->page) {
        w->rc = share_text(w, &title, true);
        if (w->rc == 0)
            w->rc = share_text(w, &desc, false);
        if (w->rc == 0)
            w->rc = buf_printf(&url, "%s/p/", w->site->public_url);
        if (w->rc == 0)
            w->rc = chorus_pct(&url, w->p.id, strlen(w->p.id), false);
    } else {
        w->rc = feed__fill(&title, feed_text(w->lang, "reviews_of"), kv);
    }
    feed__w_printf(w,
                   "<!doctype html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                   "<title>",
                   w->lang);
    feed__w_esc(w, title.data);
    feed__w_raw(w, "</title>");
    if (w->q->page)
        page_head(w, title.data, &desc, &url);
    feed__w_raw(w, "<link rel=\"stylesheet\" href=\"");
    feed__w_esc(w, w->site->public_url);
    feed__w_raw(w, "/widget/widget.css\"><link rel=\"alternate\" type=\"application/atom+xml\" "
                   "href=\"");
    feed_href(w);
    feed__w_raw(w, "\" title=\"");
    buf_reset(&w->tmp);
    if (w->rc == 0)
        w->rc = feed__fill(&w->tmp, feed_text(w->lang, "reviews_of"), kv);
    feed__w_esc(w, w->tmp.data);
    feed__w_raw(w, "\">");
    feed__w_ld_write(w);
    feed__w_raw(w, w->q->page ? "</head><body class=\"cw-page\">"
                              : "</head><body class=\"cw-frame\">");
    buf_cleanup(&title);
    buf_cleanup(&desc);
    buf_cleanup(&url);
}

/* page_top writes the hosted page's heading and the link to the shop. */
static void page_top(struct feed__w *w)
{
    const char *kv[] = {"name", w->name, NULL};

    feed__w_raw(w, "<main class=\"cw-page-main\"><h1 class=\"cw-page-title\">");
    feed__w_html_fill(w, feed_text(w->lang, "reviews_of"), kv, true, NULL);
    feed__w_raw(w, "</h1>");
    if (http_url(w->p.url)) {
        feed__w_raw(w, "<p class=\"cw-page-link\"><a href=\"");
        feed__w_esc(w, w->p.url);
        feed__w_raw(w, "\" rel=\"noopener\">");
        feed__w_text(w, "view_product");
        feed__w_raw(w, "</a></p>");
    }
}

/* frame_top opens the iframe page's landmark, with the page's heading for
 * screen readers only: the frame's host page has its own visible one. */
static void frame_top(struct feed__w *w)
{
    const char *kv[] = {"name", w->name, NULL};

    feed__w_raw(w, "<main class=\"cw-frame-main\"><h1 class=\"cw-sr\">");
    feed__w_html_fill(w, feed_text(w->lang, "reviews_of"), kv, true, NULL);
    feed__w_raw(w, "</h1>");
}

int feed_widget_render(struct store_txn *txn, const struct feed_site *site,
                       const struct feed_widget_query *q, struct buf *b)
{
    struct feed__w w;
    struct buf body;
    int rc;

    memset(&w, 0, sizeof(w));
    if (!q->product || !q->self_path || q->limit < 1 || q->limit > FEED__W_MAX_LIMIT ||
        (unsigned)q->sort > STORE_SORT_HELPFUL)
        return CHORUS_EINVAL;
    rc = store_product_get(txn, q->product, &w.p, &w.st);
    if (rc)
        return rc;
    w.txn = txn;
    w.site = site;
    w.q = q;
    w.lang = feed_lang(q->lang);
    w.name = w.p.name && *w.p.name ? w.p.name : w.p.id;
    /* Every part is at most the page: the caller's cap bounds them all. */
    buf_init(&body, b->cap);
    buf_init(&w.tmp, b->cap);
    buf_init(&w.seg, b->cap);
    buf_init(&w.ld, b->cap);
    w.b = &body;
    if (q->page)
        page_top(&w);
    else
        frame_top(&w);
    widget_body(&w);
    feed__w_raw(&w, "</main>");
    feed__w_raw(&w, "</body></html>\n");
    w.b = b;
    if (w.rc == 0)
        head(&w);
    if (w.rc == 0)
        w.rc = buf_append(b, body.data, body.len);
    rc = w.rc;
    buf_cleanup(&body);
    buf_cleanup(&w.tmp);
    buf_cleanup(&w.seg);
    buf_cleanup(&w.ld);
    return rc;
}

int feed_widget_error_render(const struct feed_site *site, const char *lang, bool dark,
                             const char *product, struct buf *b)
{
    struct feed__w w;

    memset(&w, 0, sizeof(w));
    w.site = site;
    w.lang = feed_lang(lang);
    w.b = b;
    buf_init(&w.seg, 0);
    buf_init(&w.tmp, 0);
    feed__w_printf(&w,
                   "<!doctype html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                   "<meta name=\"robots\" content=\"noindex\"><title>",
                   w.lang);
    feed__w_text(&w, "reviews");
    feed__w_raw(&w, "</title><link rel=\"stylesheet\" href=\"");
    feed__w_esc(&w, site->public_url);
    feed__w_raw(&w, "/widget/widget.css\"></head><body class=\"cw-frame\"><main "
                    "class=\"cw-frame-main\"><h1 class=\"cw-sr\">");
    feed__w_text(&w, "reviews");
    feed__w_printf(&w, "</h1><div class=\"cw%s\" lang=\"%s\" role=\"region\" aria-label=\"",
                   dark ? " cw-dark" : "", w.lang);
    feed__w_text(&w, "reviews");
    feed__w_raw(&w, "\"><p class=\"cw-error\">");
    feed__w_text(&w, "error");
    feed__w_raw(&w, "</p>");
    if (product) {
        /* The quiet fallback: the product's own page, in a new tab (inside
         * a frame it would replace the widget). */
        buf_reset(&w.tmp);
        if (w.rc == 0)
            w.rc = buf_printf(&w.tmp, "%s/p/", site->public_url);
        if (w.rc == 0)
            w.rc = chorus_pct(&w.tmp, product, strlen(product), false);
        feed__w_raw(&w, "<p class=\"cw-fallback\"><a href=\"");
        feed__w_esc(&w, w.tmp.data);
        feed__w_raw(&w, "\" target=\"_blank\" rel=\"noopener\">");
        feed__w_text(&w, "read_reviews");
        feed__w_raw(&w, "</a></p>");
    }
    feed__w_raw(&w, "</div></main></body></html>\n");
    buf_cleanup(&w.seg);
    buf_cleanup(&w.tmp);
    return w.rc;
}
