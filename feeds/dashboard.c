/* The engineering dashboard (docs/dashboard.md): one server-rendered HTML
 * page listing every product of a category, or of the whole catalogue, with
 * its review count, average, share of 1-2 star ratings, new complaints in
 * the last 24 hours and 7 days, a 30-day sparkline, the trend alert and a
 * link to its digest; above it a roll-up of the category with its rating
 * distribution.
 *
 * Cost: the products in scope are read once with their aggregates; only the
 * first FEED_DASH_MAX_ANALYSED are analysed (the top FEED_DASH_MAX_ROWS of
 * the chosen order are listed), each with one range of its daily buckets
 * (7-day complaints, the sparkline and the trend replay come from there)
 * and, when those buckets show complaints in the last two days, one index
 * range per complaint rating for the exact 24-hour count. The catalogue is
 * read once more (at most FEED_DASH_MAX_SCAN products) for the list of top-level
 * categories, and for the roll-up of everything. Nothing scans reviews.
 *
 * The trend alert is trend.c's rule, the digest's: it cannot say one thing
 * here and another in the feed; the component alerts are components.c's,
 * read with one more range per analysed product, and again for the listed
 * ones when their column is written. Every user string (names, ids, categories,
 * the token) is escaped for the context it lands in: percent-encoded inside
 * URLs, then HTML-escaped inside attributes and text.
 */
#include "feed_int.h"

#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"

#define WEEK_DAYS 7     /* "7 days": today (UTC) and the 6 days before */
#define MAX_24H   10000 /* complaints counted in 24 hours; more shows as "10000+" */
/* The trend is replayed like a 90-day digest (its longest window), so an
 * episode open today here is one that digest would show as open. */
#define EVAL_BACK (90 - 1 + FEED_TREND_WARMUP)
#define DAYS_CAP  (EVAL_BACK + FEED_TREND_LONG + 1)

/* ---- gathering --------------------------------------------------------------------------- */

static void stats_add(struct review_stats *t, const struct review_stats *s)
{
    t->count += s->count;
    t->rating_sum += s->rating_sum;
    for (int i = 0; i < 5; i++)
        t->histogram[i] += s->histogram[i];
    t->mentions += s->mentions;
    t->sentiment_sum += s->sentiment_sum;
    t->sentiment_n += s->sentiment_n;
}

/* nav_add notes the top-level category of a product. Products mostly come
 * in runs of one category, so the last one found is tried first. */
static void nav_add(struct feed__dash *d, const char *category)
{
    size_t n;

    if (!category || !*category)
        return;
    n = strcspn(category, "/");
    for (size_t i = d->nnav; i-- > 0;)
        if (d->nav[i].n == n && memcmp(d->nav[i].s, category, n) == 0)
            return;
    if (d->nnav == FEED_DASH_MAX_NAV) {
        d->nav_partial = true;
        return;
    }
    d->nav[d->nnav].s = category;
    d->nav[d->nnav].n = n;
    d->nnav++;
}

static int on_nav(void *ctx, const struct product *p, const struct review_stats *st)
{
    struct feed__dash *d = ctx;

    if (++d->scanned > FEED_DASH_MAX_SCAN) {
        d->nav_partial = true;
        return CHORUS_ESTOP;
    }
    /* A category only unlisted products name is no one's yet. */
    if (store_product_listed(p, st))
        nav_add(d, p->category);
    return 0;
}

static int on_product(void *ctx, const struct product *p, const struct review_stats *st)
{
    struct feed__dash *d = ctx;
    struct feed__dash_row *w;

    if (!d->category) {
        /* Everything: this scan also makes the roll-up and the nav. */
        if (++d->scanned > FEED_DASH_MAX_SCAN) {
            d->total_partial = d->nav_partial = true;
            return CHORUS_ESTOP;
        }
    }
    /* The dashboard shows what the public pages show: a product no approved
     * review or PUT vouched for yet (store_product_listed) is left out. */
    if (!store_product_listed(p, st))
        return 0;
    if (!d->category) {
        stats_add(&d->total, st);
        nav_add(d, p->category);
    }
    d->in_scope++;
    if (d->nrows == FEED_DASH_MAX_ANALYSED)
        return 0;
    if (d->nrows == d->crows) {
        d->crows = d->crows ? 2 * d->crows : 64;
        if (d->crows > FEED_DASH_MAX_ANALYSED)
            d->crows = FEED_DASH_MAX_ANALYSED;
        d->rows = realloc(d->rows, d->crows * sizeof(*d->rows));
        if (!d->rows)
            abort();
    }
    w = &d->rows[d->nrows++];
    memset(w, 0, sizeof(*w));
    w->id = p->id;
    w->name = p->name && *p->name ? p->name : NULL;
    w->st = *st;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    const struct feed__dash_cat *x = a, *y = b;
    int c = memcmp(x->s, y->s, x->n < y->n ? x->n : y->n);

    return c ? c : x->n < y->n ? -1 : x->n > y->n;
}

struct counter {
    uint64_t n;
    bool more;
};

static int count_one(void *ctx, const struct review *r)
{
    struct counter *c = ctx;

    (void)r;
    if (c->n == MAX_24H) {
        c->more = true;
        return CHORUS_ESTOP;
    }
    c->n++;
    return 0;
}

struct fixes {
    struct feed__dash *d;
    struct feed__dash_row *w;
    int64_t now;
};

static int on_fixed(void *ctx, const struct store_issue *is)
{
    struct fixes *c = ctx;
    struct feed_fix f;
    int rc = feed_fix_check(c->d->txn, is, c->now, &f);

    if (rc == 0 && f.failed && c->w->fix_failed++ == 0) {
        c->w->fix_title = is->title;
        c->w->fix = f;
    }
    return rc;
}

#define FIXES_PER_ROW 16

/* analyse fills a row's numbers from its daily buckets (days is scratch
 * room for DAYS_CAP of them) and, when they show recent complaints, counts
 * the exact 24 hours. */
static int analyse(struct feed__dash *d, struct feed__dash_row *w, struct store_day *days,
                   int64_t now)
{
    int64_t eval_from = d->today - EVAL_BACK, spark0 = d->today - FEED_DASH_SPARK_DAYS + 1;
    uint64_t recent = 0;
    size_t nd = 0;
    int rc;

    rc = store_product_days(d->txn, w->id, eval_from - FEED_TREND_LONG + 1, d->today, days,
                            DAYS_CAP, &nd);
    if (rc)
        return rc;
    for (size_t i = 0; i < nd; i++) {
        uint64_t low = (uint64_t)days[i].histogram[0] + days[i].histogram[1];

        if (days[i].day > d->today - WEEK_DAYS)
            w->c7 += low;
        if (days[i].day >= d->today - 1)
            recent += low;
        if (days[i].day >= spark0) {
            w->cnt[days[i].day - spark0] = days[i].count;
            w->sum[days[i].day - spark0] = days[i].rating_sum;
        }
    }
    w->alert = nd && feed__trend_open(days, nd, eval_from, d->today, &w->ep, &w->tr);
    if (w->alert)
        d->alerts++;
    if (d->comps) {
        /* One more range read: the component alerts sort the rows. */
        feed__comps_init(d->comps, d->q->tax, d->today);
        rc = feed__comps_add(d->comps, d->txn, d->q->tax, w->id);
        if (rc)
            return rc;
        feed__comps_eval(d->comps);
        for (size_t i = 0; i < d->comps->n; i++)
            w->comp_alerts += d->comps->rows[i].alert;
    }
    {
        /* The digest's "fix did not hold" rule, on the product's fixed
         * issues (at most FIXES_PER_ROW of them: a row has one line). */
        struct fixes fx = {d, w, now};
        uint64_t last;

        rc = store_issues_list(d->txn, w->id, 1u << STORE_ISSUE_FIXED, 0, FIXES_PER_ROW, on_fixed,
                               &fx, &last);
        if (rc)
            return rc;
    }
    /* A review written in the last 24 hours is in today's or yesterday's
     * bucket: without complaints there, there is nothing to count. */
    if (recent) {
        struct counter c = {0, false};

        rc = store_reviews_window(d->txn, w->id, (1u << 1) | (1u << 2), now - 86400, now + 1,
                                  count_one, &c);
        w->c24 = c.n;
        w->c24_more = c.more;
    }
    return rc;
}

/* ---- order ------------------------------------------------------------------------------- */

static int desc(uint64_t a, uint64_t b)
{
    return a > b ? -1 : a < b;
}

static double average(const struct feed__dash_row *w)
{
    return w->st.count ? (double)w->st.rating_sum / (double)w->st.count : 0;
}

static double low_share(const struct feed__dash_row *w)
{
    return w->st.count ? (double)(w->st.histogram[0] + w->st.histogram[1]) / (double)w->st.count
                       : 0;
}

/* then breaks ties: more reviews first, then by id, so the order is total. */
static int then(const struct feed__dash_row *x, const struct feed__dash_row *y)
{
    int c = desc(x->st.count, y->st.count);

    return c ? c : strcmp(x->id, y->id);
}

static int by_alert(const void *a, const void *b)
{
    const struct feed__dash_row *x = a, *y = b;

    if ((x->alert || x->comp_alerts) != (y->alert || y->comp_alerts))
        return x->alert || x->comp_alerts ? -1 : 1;
    if (x->c7 != y->c7)
        return desc(x->c7, y->c7);
    return then(x, y);
}

static int by_count(const void *a, const void *b)
{
    return then(a, b);
}

/* Lowest average first: the dashboard looks for trouble. No ratings last. */
static int by_average(const void *a, const void *b)
{
    const struct feed__dash_row *x = a, *y = b;

    if (!x->st.count != !y->st.count)
        return x->st.count ? -1 : 1;
    if (average(x) != average(y))
        return average(x) < average(y) ? -1 : 1;
    return then(x, y);
}

static int by_low(const void *a, const void *b)
{
    const struct feed__dash_row *x = a, *y = b;

    if (!x->st.count != !y->st.count)
        return x->st.count ? -1 : 1;
    if (low_share(x) != low_share(y))
        return low_share(x) > low_share(y) ? -1 : 1;
    return then(x, y);
}

static int by_complaints(const void *a, const void *b)
{
    const struct feed__dash_row *x = a, *y = b;

    if (x->c7 != y->c7)
        return desc(x->c7, y->c7);
    if (x->c24 != y->c24)
        return desc(x->c24, y->c24);
    return then(x, y);
}

static int by_id(const void *a, const void *b)
{
    const struct feed__dash_row *x = a, *y = b;

    return strcmp(x->id, y->id);
}

static int (*const sorters[])(const void *, const void *) = {
    by_alert, by_count, by_average, by_low, by_complaints, by_id,
};

int feed_dashboard_render(struct store_txn *txn, const struct feed_site *site,
                          const struct feed_dashboard_query *q, struct buf *b)
{
    struct feed__dash d;
    struct store_day *days = NULL;
    int rc = 0;

    memset(&d, 0, sizeof(d));
    d.txn = txn;
    d.site = site;
    d.q = q;
    d.b = b;
    d.category = q->category && *q->category ? q->category : NULL;
    d.token = q->digest_token && *q->digest_token ? q->digest_token : NULL;
    d.today = q->now >= 0 ? q->now / 86400 : -((-q->now + 86399) / 86400);
    d.sort = FEED_DASH_NSORTS;
    for (size_t i = 0; i < FEED_DASH_NSORTS; i++)
        if (strcmp(q->sort && *q->sort ? q->sort : "alert", feed__dash_sort_names[i]) == 0)
            d.sort = (enum feed__dash_sort)i;
    if (d.sort == FEED_DASH_NSORTS)
        return CHORUS_EINVAL;
    buf_init(&d.url, 0);
    days = malloc(DAYS_CAP * sizeof(*days));
    if (!days)
        abort();
    if (q->tax) {
        d.comps = malloc(sizeof(*d.comps));
        if (!d.comps)
            abort();
    }
    if (d.category) {
        rc = store_category_stats(txn, d.category, &d.total);
        if (rc == 0)
            rc = store_category_products(txn, d.category, on_product, &d);
        if (rc == 0)
            rc = store_category_products(txn, NULL, on_nav, &d);
    } else {
        rc = store_category_products(txn, NULL, on_product, &d);
    }
    for (size_t i = 0; rc == 0 && i < d.nrows; i++)
        rc = analyse(&d, &d.rows[i], days, q->now);
    if (rc)
        goto out;
    if (d.nrows)
        qsort(d.rows, d.nrows, sizeof(*d.rows), sorters[d.sort]);
    if (d.nnav)
        qsort(d.nav, d.nnav, sizeof(d.nav[0]), by_name);
    feed__dash_document(&d);
    rc = d.rc;
out:
    buf_cleanup(&d.url);
    free(d.comps);
    free(days);
    free(d.rows);
    return rc;
}
