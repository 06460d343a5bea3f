/* The engineer digest: one Atom entry per product per (reader's) day with
 * new complaints, saying how many, how bad, what they are about, which
 * words stand out, and whether the product's rating is sliding.
 *
 * Cost follows the complaints, not the catalogue: each product's daily
 * buckets (one index range) decide whether it has complaints in the window
 * at all and give the trend; only those products then read the by_prod
 * ranges of the complaint ratings inside the window, and their recent
 * positive reviews as the background for the term scores. The rules are
 * in docs/digest.md.
 */
#include "feed_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/error.h"
#include "chorus/text.h"

#define ATOM_NS         "http://www.w3.org/2005/Atom"
#define MAX_PER_PRODUCT 2000 /* complaints read per product and window */
#define MAX_LISTED      25   /* complaints listed in one entry */
#define MAX_TERMS       8
#define MAX_PHRASES     24
#define BACKGROUND      150 /* recent 4-5 star reviews a product's terms are scored against */
#define EXCERPT         240 /* bytes of a complaint's body shown */

/* Trend alert (docs/digest.md). */
#define TREND_SHORT     7
#define TREND_LONG      90
#define TREND_MIN_SHORT 5
#define TREND_MIN_LONG  20
#define TREND_DROP      0.5
#define TREND_RECOVER   0.25
#define TREND_WARMUP    30
#define DAYS_CAP        (90 + TREND_WARMUP + TREND_LONG + 4)

struct complaint {
    const struct review *r; /* copied struct; strings borrowed from the txn */
    int64_t day;            /* the reader's local day */
};

struct phrase_count {
    size_t component;
    const char *phrase; /* the taxonomy's */
    uint32_t count;
};

struct dentry {
    size_t prod;
    int64_t day;
    size_t first, n; /* complaints[first .. first+n) */
    uint32_t rating_sum;
    int64_t updated, published;
    uint32_t comp_reviews[TEXT_MAX_COMPONENTS];
    struct phrase_count phrases[MAX_PHRASES];
    size_t nphrases;
    char terms[MAX_TERMS][2 * TEXT_WORD_MAX + 2];
    uint32_t term_count[MAX_TERMS], term_docs[MAX_TERMS];
    double term_z[MAX_TERMS];
    size_t nterms;
    bool alert;
    double avg7, avg90;
    uint32_t n7;
};

struct dprod {
    const char *id, *name; /* borrowed from the txn */
    struct review_stats st;
};

struct digest {
    struct store_txn *txn;
    const struct feed_site *site;
    const struct text_taxonomy *tax;
    const struct feed_digest_query *q;
    int64_t now, today, from, to; /* today: local day; [from, to): UTC seconds */
    int tz;                       /* seconds east of UTC */
    unsigned ratings;             /* STORE_RATING_* bits of the complaint ratings */
    struct dprod *prods;
    size_t nprods, cprods;
    struct complaint *cs;
    size_t ncs, ccs;
    struct dentry *es;
    size_t nes, ces;
    int rc;
};

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    *cap = *cap ? *cap * 2 : 64;
    if (*cap < need)
        *cap = need;
    p = realloc(p, *cap * size);
    if (!p)
        abort();
    return p;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* ---- trend -------------------------------------------------------------------------- */

struct episode {
    int64_t start, end; /* UTC days; end = first day it is over, INT64_MAX if open */
    double avg7, avg90;
    uint32_t n7;
};

/* trend finds the episodes that start within [first_day, last_day] from a
 * product's daily buckets. */
static size_t trend(const struct store_day *days, size_t nd, int64_t eval_from, int64_t last_day,
                    struct episode *out, size_t cap)
{
    int64_t base = eval_from - TREND_LONG + 1, span = last_day - base + 1;
    uint64_t *cnt = calloc((size_t)span + 1, sizeof(uint64_t));
    uint64_t *sum = calloc((size_t)span + 1, sizeof(uint64_t));
    size_t n = 0;
    bool open = false;

    if (!cnt || !sum)
        abort();
    /* Prefix sums over the days, so each window is two subtractions. */
    for (size_t i = 0; i < nd; i++) {
        int64_t o = days[i].day - base;

        if (o < 0 || o >= span)
            continue;
        cnt[o + 1] += days[i].count;
        sum[o + 1] += days[i].rating_sum;
    }
    for (int64_t i = 1; i <= span; i++) {
        cnt[i] += cnt[i - 1];
        sum[i] += sum[i - 1];
    }
    for (int64_t d = eval_from; d <= last_day; d++) {
        int64_t o = d - base + 1;
        uint64_t n7 = cnt[o] - cnt[o - TREND_SHORT], s7 = sum[o] - sum[o - TREND_SHORT];
        uint64_t n90 = cnt[o] - cnt[o - TREND_LONG], s90 = sum[o] - sum[o - TREND_LONG];
        double a7 = n7 ? (double)s7 / (double)n7 : 0, a90 = n90 ? (double)s90 / (double)n90 : 0;
        bool low = n7 >= TREND_MIN_SHORT && n90 >= TREND_MIN_LONG && a7 <= a90 - TREND_DROP;

        if (!open && low) {
            open = true;
            if (n < cap) {
                out[n].start = d;
                out[n].end = INT64_MAX;
                out[n].avg7 = a7;
                out[n].avg90 = a90;
                out[n].n7 = (uint32_t)n7;
                n++;
            }
        } else if (open && (n7 < TREND_MIN_SHORT || a7 >= a90 - TREND_RECOVER)) {
            open = false;
            if (n && n <= cap && out[n - 1].end == INT64_MAX)
                out[n - 1].end = d;
        }
    }
    free(cnt);
    free(sum);
    return n;
}

/* ---- gathering ---------------------------------------------------------------------- */

struct gather {
    struct digest *d;
    size_t got;
};

static int on_complaint(void *ctx, const struct review *r)
{
    struct gather *g = ctx;
    struct digest *d = g->d;
    struct review *copy;

    if (g->got++ >= MAX_PER_PRODUCT)
        return CHORUS_ESTOP;
    /* The struct is the iterator's; its strings live as long as the txn. */
    copy = malloc(sizeof(*copy));
    if (!copy)
        abort();
    *copy = *r;
    d->cs = grow(d->cs, &d->ccs, d->ncs + 1, sizeof(*d->cs));
    d->cs[d->ncs].r = copy;
    d->cs[d->ncs].day = floor_div(r->created_at + d->tz, 86400);
    d->ncs++;
    return 0;
}

static int by_day_then_newest(const void *a, const void *b)
{
    const struct complaint *x = a, *y = b;

    if (x->day != y->day)
        return x->day > y->day ? -1 : 1;
    if (x->r->created_at != y->r->created_at)
        return x->r->created_at > y->r->created_at ? -1 : 1;
    return x->r->id > y->r->id ? -1 : x->r->id < y->r->id;
}

struct bg_ctx {
    struct text_terms *bag;
    size_t n;
};

static int on_positive(void *ctx, const struct review *r)
{
    struct bg_ctx *b = ctx;

    text_terms_add(b->bag, r->title, r->body);
    return ++b->n >= BACKGROUND ? CHORUS_ESTOP : 0;
}

/* background builds the bag of a product's recent 4 and 5 star reviews. */
static struct text_terms *background(struct digest *d, const char *id)
{
    struct bg_ctx b = {text_terms_new(), 0};
    struct store_query q = {0};
    char next[STORE_CURSOR_MAX] = "";
    int rc;

    q.product_id = id;
    q.sort = STORE_SORT_NEWEST;
    q.ratings = (1u << 4) | (1u << 5);
    q.limit = 100;
    do {
        q.cursor = next[0] ? next : NULL;
        rc = store_reviews_query(d->txn, &q, on_positive, &b, next);
    } while (rc == 0 && next[0] && b.n < BACKGROUND);
    return b.bag;
}

static void analyse(struct digest *d, struct dentry *e, const struct text_terms *bg)
{
    struct text_terms *fg = text_terms_new();
    struct text_term top[MAX_TERMS];
    struct text_match m[64];
    size_t nt = 0;

    for (size_t i = e->first; i < e->first + e->n; i++) {
        const struct review *r = d->cs[i].r;
        bool seen[TEXT_MAX_COMPONENTS] = {false};
        size_t nm = 0;

        text_terms_add(fg, r->title, r->body);
        if (!d->tax)
            continue;
        text_components(d->tax, r->title, r->body, m, sizeof(m) / sizeof(m[0]), &nm);
        for (size_t k = 0; k < nm; k++) {
            size_t j;

            if (m[k].component < TEXT_MAX_COMPONENTS && !seen[m[k].component]) {
                seen[m[k].component] = true;
                e->comp_reviews[m[k].component]++;
            }
            for (j = 0; j < e->nphrases; j++)
                if (e->phrases[j].phrase == m[k].phrase)
                    break;
            if (j == e->nphrases && j < MAX_PHRASES) {
                e->phrases[j].component = m[k].component;
                e->phrases[j].phrase = m[k].phrase;
                e->phrases[j].count = 0;
                e->nphrases++;
            }
            if (j < e->nphrases)
                e->phrases[j].count += m[k].count;
        }
    }
    /* One complaint makes every word "distinctive" once; with more, ask
     * for words that recur across complaints. */
    /* Without positive reviews every z is 0 (docs/digest.md): rank by
     * count then. */
    text_terms_distinctive(fg, bg, text_terms_docs(bg) ? 1.0 : 0.0, e->n >= 3 ? 2 : 1, top,
                           MAX_TERMS, &nt);
    for (size_t i = 0; i < nt; i++) {
        snprintf(e->terms[i], sizeof(e->terms[i]), "%s", top[i].term);
        e->term_count[i] = top[i].count;
        e->term_docs[i] = top[i].docs;
        e->term_z[i] = top[i].z;
    }
    e->nterms = nt;
    text_terms_free(fg);
}

/* product_entries reads one product's complaints in the window and turns
 * them into entries (analysed), when its buckets show any. */
static int product_entries(struct digest *d, size_t pi)
{
    struct store_day *days = calloc(DAYS_CAP, sizeof(*days));
    struct episode eps[16];
    struct gather g = {d, 0};
    struct text_terms *bg = NULL;
    int64_t utc_today = floor_div(d->now, 86400);
    int64_t first_utc = floor_div(d->from, 86400), last_utc = floor_div(d->to - 1, 86400);
    int64_t eval_from = first_utc - TREND_WARMUP;
    size_t nd = 0, neps, start = d->ncs, ei0 = d->nes;
    uint64_t complaints = 0;
    int rc;

    if (!days)
        abort();
    if (last_utc > utc_today)
        last_utc = utc_today;
    rc = store_product_days(d->txn, d->prods[pi].id, eval_from - TREND_LONG + 1,
                            last_utc > utc_today ? last_utc : utc_today, days, DAYS_CAP, &nd);
    for (size_t i = 0; rc == 0 && i < nd; i++)
        if (days[i].day >= first_utc && days[i].day <= floor_div(d->to - 1, 86400))
            for (int r = 1; r <= d->q->max_rating; r++)
                complaints += days[i].histogram[r - 1];
    if (rc || complaints == 0)
        goto out;
    rc =
        store_reviews_window(d->txn, d->prods[pi].id, d->ratings, d->from, d->to, on_complaint, &g);
    if (rc || d->ncs == start)
        goto out;
    qsort(d->cs + start, d->ncs - start, sizeof(*d->cs), by_day_then_newest);
    for (size_t i = start; i < d->ncs; i++) {
        struct dentry *e;
        const struct review *r = d->cs[i].r;

        if (i == start || d->cs[i].day != d->cs[i - 1].day) {
            d->es = grow(d->es, &d->ces, d->nes + 1, sizeof(*d->es));
            e = &d->es[d->nes++];
            memset(e, 0, sizeof(*e));
            e->prod = pi;
            e->day = d->cs[i].day;
            e->first = i;
            e->published = INT64_MAX;
        }
        e = &d->es[d->nes - 1];
        e->n++;
        e->rating_sum += (uint32_t)r->rating;
        if (r->ingested_at > e->updated)
            e->updated = r->ingested_at;
        if (r->ingested_at < e->published)
            e->published = r->ingested_at;
    }
    bg = background(d, d->prods[pi].id);
    for (size_t i = ei0; i < d->nes; i++)
        analyse(d, &d->es[i], bg);
    /* Entries of this product run newest day first; the alert goes on the
     * earliest entry on or after the episode's start, while it lasts. */
    neps = trend(days, nd, eval_from, utc_today, eps, sizeof(eps) / sizeof(eps[0]));
    for (size_t k = 0; k < neps; k++) {
        struct dentry *best = NULL;

        for (size_t i = ei0; i < d->nes; i++) {
            struct dentry *e = &d->es[i];
            int64_t utc_day = floor_div(e->day * 86400 - d->tz + 43200, 86400);

            if (utc_day >= eps[k].start && utc_day < eps[k].end)
                best = e;
        }
        if (best) {
            best->alert = true;
            best->avg7 = eps[k].avg7;
            best->avg90 = eps[k].avg90;
            best->n7 = eps[k].n7;
        }
    }
out:
    text_terms_free(bg);
    free(days);
    return rc;
}

static int on_product(void *ctx, const struct product *p, const struct review_stats *st)
{
    struct digest *d = ctx;

    d->prods = grow(d->prods, &d->cprods, d->nprods + 1, sizeof(*d->prods));
    d->prods[d->nprods].id = p->id;
    d->prods[d->nprods].name = p->name;
    d->prods[d->nprods].st = *st;
    d->nprods++;
    return 0;
}

/* ---- writing ------------------------------------------------------------------------- */

static void day_str(int64_t day, char *out)
{
    char ts[32];

    chorus_time_format(day * 86400, ts);
    memcpy(out, ts, 10);
    out[10] = '\0';
}

static void excerpt(struct buf *b, const char *body)
{
    size_t n = body ? strlen(body) : 0, cut = n;

    if (n > EXCERPT) {
        cut = EXCERPT;
        while (cut > 0 && ((unsigned char)body[cut] & 0xc0) == 0x80)
            cut--;
        for (size_t k = cut; k > EXCERPT / 2; k--)
            if (body[k] == ' ') {
                cut = k;
                break;
            }
    }
    {
        char *s = malloc(cut + 1);

        if (!s)
            abort();
        memcpy(s, body ? body : "", cut);
        s[cut] = '\0';
        feed__html(b, s);
        free(s);
    }
    if (cut < n)
        buf_puts(b, "\xe2\x80\xa6");
}

static void entry_html(struct digest *d, const struct dentry *e, struct buf *h, struct buf *tmp)
{
    const struct dprod *p = &d->prods[e->prod];
    const struct review_stats *st = &p->st;

    buf_printf(h, "<p><strong>%zu new complaint%s</strong> (average %.1f&#9733;)", e->n,
               e->n == 1 ? "" : "s", (double)e->rating_sum / (double)e->n);
    if (st->count)
        buf_printf(h, " &#183; product overall %.2f&#9733; from %llu ratings",
                   (double)st->rating_sum / (double)st->count, (unsigned long long)st->count);
    buf_puts(h, "</p>");
    if (e->alert)
        buf_printf(h,
                   "<p><strong>&#9888; Trend alert:</strong> the 7-day average is %.2f&#9733; "
                   "(%u ratings) against %.2f&#9733; over 90 days.</p>",
                   e->avg7, e->n7, e->avg90);
    if (e->nphrases) {
        buf_puts(h, "<p><strong>What they are about</strong></p><ul>");
        for (size_t c = 0; c < TEXT_MAX_COMPONENTS; c++) {
            bool first = true;

            if (!e->comp_reviews[c])
                continue;
            buf_puts(h, "<li><strong>");
            feed__html(h, text_taxonomy_label(d->tax, c));
            buf_printf(h, "</strong> &#8212; %u of %zu: ", e->comp_reviews[c], e->n);
            for (size_t k = 0; k < e->nphrases; k++) {
                if (e->phrases[k].component != c)
                    continue;
                buf_puts(h, first ? "&#8220;" : ", &#8220;");
                feed__html(h, e->phrases[k].phrase);
                buf_printf(h, "&#8221; &#215;%u", e->phrases[k].count);
                first = false;
            }
            buf_puts(h, "</li>");
        }
        buf_puts(h, "</ul>");
    }
    if (e->nterms) {
        buf_puts(h, "<p><strong>Words that stand out</strong> (against this product's positive "
                    "reviews): ");
        for (size_t k = 0; k < e->nterms; k++) {
            buf_puts(h, k ? ", &#8220;" : "&#8220;");
            feed__html(h, e->terms[k]);
            buf_printf(h, "&#8221; (%u)", e->term_count[k]);
        }
        buf_puts(h, "</p>");
    }
    buf_puts(h, "<ul>");
    for (size_t i = e->first; i < e->first + e->n && i < e->first + MAX_LISTED; i++) {
        const struct review *r = d->cs[i].r;

        buf_puts(h, "<li>");
        feed__stars(h, r->rating);
        buf_puts(h, " <a href=\"");
        buf_reset(tmp);
        feed_review_url(tmp, d->site, r->product_id, r->id);
        feed__html(h, tmp->data);
        buf_puts(h, "\">");
        feed__html(h, r->title && *r->title ? r->title : "(no title)");
        buf_puts(h, "</a> &#8212; ");
        excerpt(h, r->body);
        buf_puts(h, " <em>");
        feed__html(h, r->author && *r->author ? r->author : "Anonymous");
        if (r->verified)
            buf_puts(h, ", verified buyer");
        buf_puts(h, "</em></li>");
    }
    if (e->n > MAX_LISTED)
        buf_printf(h, "<li>&#8230; and %zu more</li>", e->n - MAX_LISTED);
    buf_puts(h, "</ul>");
}

static void write_entry(struct digest *d, struct feed__xml *x, const struct dentry *e,
                        struct buf *tmp, struct buf *h)
{
    const struct dprod *p = &d->prods[e->prod];
    char day[16], what[64 + 3 * CHORUS_MAX_PRODUCT_ID], num[64];
    const char *name = p->name && *p->name ? p->name : p->id;

    day_str(e->day, day);
    feed__start(x, "entry");
    buf_reset(tmp);
    buf_puts(tmp, "digest/");
    feed__pct(tmp, p->id);
    buf_printf(tmp, "/%s/r%d", day, d->q->max_rating);
    if (d->q->tz_minutes)
        buf_printf(tmp, "/tz%d", d->q->tz_minutes);
    snprintf(what, sizeof(what), "%s", tmp->data);
    buf_reset(tmp);
    feed_tag(tmp, d->site, what);
    feed__elem(x, "id", tmp->data);
    buf_reset(tmp);
    if (e->alert)
        buf_puts(tmp, "\xe2\x9a\xa0 Trend alert \xc2\xb7 ");
    buf_printf(tmp, "%s: %zu new complaint%s, average %.1f\xe2\x98\x85 \xe2\x80\x94 %s", name, e->n,
               e->n == 1 ? "" : "s", (double)e->rating_sum / (double)e->n, day);
    feed__start(x, "title");
    feed__attr(x, "type", "text");
    feed__text(x, tmp->data);
    feed__end(x);
    feed__time(x, "updated", e->updated);
    feed__time(x, "published", e->published);
    feed__start(x, "author");
    feed__elem(x, "name", "Chorus digest");
    feed__end(x);
    buf_reset(tmp);
    {
        struct product pp = {.id = p->id};

        feed_product_url(tmp, d->site, &pp);
    }
    feed__start(x, "link");
    feed__attr(x, "rel", "alternate");
    feed__attr(x, "type", "text/html");
    feed__attr(x, "href", tmp->data);
    feed__end(x);
    feed__start(x, "category");
    feed__attr(x, "term", p->id);
    feed__attr(x, "label", name);
    feed__end(x);
    if (e->alert) {
        feed__start(x, "category");
        feed__attr(x, "term", "trend-alert");
        feed__end(x);
    }

    feed__start_ns(x, "chorus", "digest", NULL);
    feed__attr(x, "product", p->id);
    feed__attr(x, "day", day);
    snprintf(num, sizeof(num), "%zu", e->n);
    feed__attr(x, "complaints", num);
    snprintf(num, sizeof(num), "%.2f", (double)e->rating_sum / (double)e->n);
    feed__attr(x, "average", num);
    if (p->st.count) {
        snprintf(num, sizeof(num), "%.2f", (double)p->st.rating_sum / (double)p->st.count);
        feed__attr(x, "product_average", num);
    }
    snprintf(num, sizeof(num), "%llu", (unsigned long long)p->st.count);
    feed__attr(x, "product_ratings", num);
    if (e->alert) {
        feed__start_ns(x, "chorus", "alert", NULL);
        snprintf(num, sizeof(num), "%.2f", e->avg7);
        feed__attr(x, "average_7d", num);
        snprintf(num, sizeof(num), "%.2f", e->avg90);
        feed__attr(x, "average_90d", num);
        snprintf(num, sizeof(num), "%u", e->n7);
        feed__attr(x, "ratings_7d", num);
        feed__end(x);
    }
    for (size_t c = 0; c < TEXT_MAX_COMPONENTS; c++) {
        if (!e->comp_reviews[c])
            continue;
        feed__start_ns(x, "chorus", "component", NULL);
        feed__attr(x, "id", text_taxonomy_id(d->tax, c));
        feed__attr(x, "label", text_taxonomy_label(d->tax, c));
        snprintf(num, sizeof(num), "%u", e->comp_reviews[c]);
        feed__attr(x, "reviews", num);
        for (size_t k = 0; k < e->nphrases; k++) {
            if (e->phrases[k].component != c)
                continue;
            feed__start_ns(x, "chorus", "phrase", NULL);
            snprintf(num, sizeof(num), "%u", e->phrases[k].count);
            feed__attr(x, "count", num);
            feed__text(x, e->phrases[k].phrase);
            feed__end(x);
        }
        feed__end(x);
    }
    for (size_t k = 0; k < e->nterms; k++) {
        feed__start_ns(x, "chorus", "term", NULL);
        snprintf(num, sizeof(num), "%u", e->term_count[k]);
        feed__attr(x, "count", num);
        snprintf(num, sizeof(num), "%u", e->term_docs[k]);
        feed__attr(x, "reviews", num);
        snprintf(num, sizeof(num), "%.2f", e->term_z[k]);
        feed__attr(x, "z", num);
        feed__text(x, e->terms[k]);
        feed__end(x);
    }
    for (size_t i = e->first; i < e->first + e->n; i++) {
        feed__start_ns(x, "chorus", "review", NULL);
        snprintf(num, sizeof(num), "%llu", (unsigned long long)d->cs[i].r->id);
        feed__attr(x, "id", num);
        snprintf(num, sizeof(num), "%d", d->cs[i].r->rating);
        feed__attr(x, "rating", num);
        feed__end(x);
    }
    feed__end(x);

    buf_reset(h);
    entry_html(d, e, h, tmp);
    feed__start(x, "content");
    feed__attr(x, "type", "html");
    feed__text(x, h->data ? h->data : "");
    feed__end(x);
    feed__end(x);
}

static void write_head(struct digest *d, struct feed__xml *x, struct buf *tmp, int64_t updated)
{
    const struct feed_digest_query *q = d->q;
    const char *scope = q->product && *q->product     ? q->product
                        : q->category && *q->category ? q->category
                                                      : NULL;
    char what[64 + 3 * CHORUS_MAX_CATEGORY];
    char sep = '?';

    feed__start(x, "feed");
    feed__attr(x, "xmlns", ATOM_NS);
    feed__attr(x, "xmlns:chorus", FEED_NS_CHORUS);
    buf_reset(tmp);
    buf_puts(tmp, q->product && *q->product ? "digest/product/"
                  : scope                   ? "digest/category/"
                                            : "digest/all");
    if (scope)
        feed__pct(tmp, scope);
    buf_printf(tmp, "/r%d", q->max_rating);
    if (q->tz_minutes)
        buf_printf(tmp, "/tz%d", q->tz_minutes);
    snprintf(what, sizeof(what), "%s", tmp->data);
    buf_reset(tmp);
    feed_tag(tmp, d->site, what);
    feed__elem(x, "id", tmp->data);
    buf_reset(tmp);
    buf_printf(tmp, "Engineer digest \xe2\x80\x94 %s: %d\xe2\x98\x85 and below, last %d days",
               scope ? scope : "all products", q->max_rating, q->days);
    feed__elem(x, "title", tmp->data);
    feed__elem(x, "subtitle",
               "New complaints per product and day, what they are about, and "
               "rating trends.");
    feed__time(x, "updated", updated);
    feed__start(x, "generator");
    feed__attr(x, "version", "0.1.0");
    feed__text(x, "Chorus");
    feed__end(x);
    buf_reset(tmp);
    buf_printf(tmp, "%s/feeds/digest.atom", d->site->public_url);
#define QP(name, val)                                                                              \
    do {                                                                                           \
        buf_printf(tmp, "%c%s=", sep, name);                                                       \
        feed__pct(tmp, val);                                                                       \
        sep = '&';                                                                                 \
    } while (0)
    if (q->category && *q->category)
        QP("category", q->category);
    if (q->product && *q->product)
        QP("product", q->product);
    if (q->max_rating != 2) {
        buf_printf(tmp, "%cmax_rating=%d", sep, q->max_rating);
        sep = '&';
    }
    if (q->days != 14) {
        buf_printf(tmp, "%cdays=%d", sep, q->days);
        sep = '&';
    }
    if (q->tz_minutes) {
        buf_printf(tmp, "%ctz=%d", sep, q->tz_minutes);
        sep = '&';
    }
    if (q->token && *q->token)
        QP("token", q->token);
#undef QP
    feed__start(x, "link");
    feed__attr(x, "rel", "self");
    feed__attr(x, "type", "application/atom+xml");
    feed__attr(x, "href", tmp->data);
    feed__end(x);
}

static int by_entry(const void *a, const void *b)
{
    const struct dentry *x = a, *y = b;

    if (x->day != y->day)
        return x->day > y->day ? -1 : 1;
    if (x->alert != y->alert)
        return x->alert ? -1 : 1;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    return x->prod < y->prod ? -1 : x->prod > y->prod;
}

int feed_digest_render(struct store_txn *txn, const struct feed_site *site,
                       const struct text_taxonomy *tax, const struct feed_digest_query *q,
                       int64_t now, struct buf *b, int64_t *updated)
{
    struct digest d;
    struct feed__xml x;
    struct buf tmp, h;
    int64_t upd = 0;
    int rc;

    memset(&d, 0, sizeof(d));
    memset(&x, 0, sizeof(x));
    buf_init(&tmp, 0);
    buf_init(&h, 0);
    d.txn = txn;
    d.site = site;
    d.tax = tax;
    d.q = q;
    d.now = now;
    d.tz = q->tz_minutes * 60;
    d.today = floor_div(now + d.tz, 86400);
    d.from = (d.today - q->days + 1) * 86400 - d.tz;
    d.to = (d.today + 1) * 86400 - d.tz;
    for (int r = 1; r <= q->max_rating; r++)
        d.ratings |= 1u << r;

    if (q->product && *q->product) {
        struct product p;
        struct review_stats st;

        rc = store_product_get(txn, q->product, &p, &st);
        if (rc == 0 && q->category && *q->category && p.category &&
            strcmp(p.category, q->category) != 0 &&
            !(strncmp(p.category, q->category, strlen(q->category)) == 0 &&
              p.category[strlen(q->category)] == '/'))
            rc = CHORUS_ENOTFOUND;
        if (rc == 0)
            rc = on_product(&d, &p, &st);
    } else {
        rc = store_category_products(txn, q->category, on_product, &d);
    }
    for (size_t i = 0; rc == 0 && i < d.nprods; i++)
        rc = product_entries(&d, i);
    if (rc)
        goto out;
    if (d.nes)
        qsort(d.es, d.nes, sizeof(*d.es), by_entry);
    for (size_t i = 0; i < d.nes; i++)
        if (d.es[i].updated > upd)
            upd = d.es[i].updated;
    *updated = upd ? upd : now;
    rc = feed__xml_open(&x);
    if (rc)
        goto out;
    write_head(&d, &x, &tmp, *updated);
    for (size_t i = 0; i < d.nes; i++)
        write_entry(&d, &x, &d.es[i], &tmp, &h);
    feed__xml_end(&x);
    rc = feed__xml_take(&x, b);
out:
    feed__xml_close(&x);
    for (size_t i = 0; i < d.ncs; i++)
        free((void *)d.cs[i].r);
    free(d.cs);
    free(d.es);
    free(d.prods);
    buf_cleanup(&tmp);
    buf_cleanup(&h);
    return rc;
}
