/* Component trends of a product or a category: the daily component counts
 * (store_component_days) summed into one series per taxonomy component,
 * judged by the rule of components.c, and the JSON of
 * GET /api/v1/products/{id}/components and GET /api/v1/components.
 *
 * A product costs one index range read of FEED_COMP_SPAN days; a category
 * one per product in it, which is why feed_components_json takes a cap on
 * the products it sums.
 */
#include "feed_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"

void feed__comps_init(struct feed__comps *c, const struct text_taxonomy *tax, int64_t today)
{
    size_t n = tax ? text_taxonomy_count(tax) : 0;

    memset(c, 0, sizeof(*c));
    c->today = today;
    c->n = n < TEXT_MAX_COMPONENTS ? n : TEXT_MAX_COMPONENTS;
    for (size_t i = 0; i < c->n; i++)
        c->rows[i].tax = i;
}

struct add_ctx {
    struct feed__comps *c;
    const struct text_taxonomy *tax;
};

static int add_day(void *ctx, const struct store_comp_day *d)
{
    struct add_ctx *a = ctx;
    struct feed__comps *c = a->c;
    int64_t off = d->day - (c->today - FEED_COMP_SPAN + 1);
    int i = text_taxonomy_find(a->tax, d->component);
    struct feed__comp_row *row;

    /* A tag the taxonomy no longer has (until `chorus retag`) is not shown. */
    if (i < 0 || (size_t)i >= c->n || off < 0 || off >= FEED_COMP_SPAN)
        return 0;
    row = &c->rows[i];
    row->daily[off] += d->complaints;
    if (d->day > c->today - FEED_COMP_LONG) {
        row->c90 += d->complaints;
        row->m90 += d->mentions;
        row->j90 += d->judged;
        row->p90 += d->positive;
    }
    return 0;
}

/* add_volume adds product id's reviews that are not complaints (rated 3..5
 * or without stars) per day, from its daily buckets: the rule's measure of
 * how many people are buying and writing. */
static int add_volume(struct feed__comps *c, struct store_txn *txn, const char *id)
{
    struct store_day days[FEED_COMP_SPAN];
    int64_t first = c->today - FEED_COMP_SPAN + 1;
    size_t n = 0;
    int rc = store_product_days(txn, id, first, c->today, days, FEED_COMP_SPAN, &n);

    for (size_t i = 0; rc == 0 && i < n; i++) {
        const struct store_day *d = &days[i];
        uint32_t low = 0;

        for (int r = 1; r <= STORE_COMPLAINT_MAX_RATING; r++)
            low += d->histogram[r - 1];
        if (d->day >= first && d->day <= c->today)
            c->volume[d->day - first] += d->count - low + d->mentions;
    }
    return rc;
}

int feed__comps_add(struct feed__comps *c, struct store_txn *txn, const struct text_taxonomy *tax,
                    const char *id)
{
    struct add_ctx a = {c, tax};
    int rc;

    if (!tax || c->n == 0)
        return store_component_days(txn, id, 0, -1, add_day, &a);
    rc = store_component_days(txn, id, c->today - FEED_COMP_SPAN + 1, c->today, add_day, &a);
    return rc ? rc : add_volume(c, txn, id);
}

void feed__comps_eval(struct feed__comps *c)
{
    for (size_t i = 0; i < c->n; i++) {
        struct feed__comp_row *row = &c->rows[i];
        struct feed__comp_episode eps[FEED_COMP_WARMUP / 2 + 2];
        size_t n = feed__comp_episodes(row->daily, c->volume, FEED_COMP_SPAN,
                                       c->today - FEED_COMP_SPAN + 1, eps,
                                       sizeof(eps) / sizeof(eps[0]), &row->now);

        row->alert = n && eps[n - 1].end > c->today;
        row->since_day = row->alert ? eps[n - 1].start : 0;
    }
}

/* ---- releases -------------------------------------------------------------------------- */

int feed__comp_release(struct store_txn *txn, const char *product, int64_t since_day,
                       struct feed__comp_release *out)
{
    struct product_release rel;
    int rc = store_product_release_before(txn, product, since_day * 86400 + 86399, &rel);

    memset(out, 0, sizeof(*out));
    if (rc == CHORUS_ENOTFOUND)
        return 0;
    if (rc)
        return rc;
    if (rel.released_at < (since_day - FEED_COMP_LONG) * 86400)
        return 0;
    out->found = true;
    snprintf(out->version, sizeof(out->version), "%s", rel.version);
    out->released_at = rel.released_at;
    return 0;
}

struct days_ctx {
    int64_t first, last, *days;
    size_t cap, n;
};

static int on_release(void *ctx, const struct product_release *rel)
{
    struct days_ctx *dc = ctx;
    int64_t day = feed__floor_div(rel->released_at, 86400);

    if (day >= dc->first && day <= dc->last && dc->n < dc->cap)
        dc->days[dc->n++] = day;
    return 0;
}

int feed__release_days(struct store_txn *txn, const char *product, int64_t first_day, int ndays,
                       int64_t *days, size_t cap, size_t *n)
{
    struct days_ctx dc = {first_day, first_day + ndays - 1, days, cap, 0};
    int rc = store_product_releases(txn, product, on_release, &dc);

    *n = dc.n;
    return rc == CHORUS_ENOTFOUND ? 0 : rc;
}

/* ---- JSON ------------------------------------------------------------------------------ */

struct cat_ctx {
    struct feed__comps *c;
    struct store_txn *txn;
    const struct text_taxonomy *tax;
    size_t seen, max;
};

static int add_product(void *ctx, const struct product *p, const struct review_stats *st)
{
    struct cat_ctx *cc = ctx;

    /* As on every public page: a product nobody vouched for adds nothing. */
    if (!store_product_listed(p, st))
        return 0;
    if (++cc->seen > cc->max)
        return CHORUS_ELIMIT;
    return feed__comps_add(cc->c, cc->txn, cc->tax, p->id);
}

/* The open known issue of each component of one product (0: none). */
struct open_issues {
    const struct text_taxonomy *tax;
    uint64_t id[TEXT_MAX_COMPONENTS];
};

static int on_open_issue(void *ctx, const struct store_issue *is)
{
    struct open_issues *o = ctx;
    int i = text_taxonomy_find(o->tax, is->component);

    /* In id order: the newest open issue of a component wins, as it does
     * when a new complaint is linked. */
    if (i >= 0 && (size_t)i < TEXT_MAX_COMPONENTS)
        o->id[i] = is->id;
    return 0;
}

/* open_issues finds product's open (investigating or known) issues. Bounded
 * by the product's issues (known_issues_max at most). */
static int open_issues(struct store_txn *txn, const char *product, struct open_issues *o)
{
    uint64_t last;

    return store_issues_list(txn, product,
                             (1u << STORE_ISSUE_INVESTIGATING) | (1u << STORE_ISSUE_KNOWN), 0,
                             STORE_ISSUES_MAX, on_open_issue, o, &last);
}

static int write_json(struct buf *b, const struct text_taxonomy *tax, const struct feed__comps *c,
                      const struct open_issues *o, struct store_txn *txn, const char *product)
{
    int rc = buf_puts(b, "{\"components\":[");

    for (size_t i = 0; rc == 0 && i < c->n; i++) {
        const struct feed__comp_row *row = &c->rows[i];
        const char *id = text_taxonomy_id(tax, row->tax);
        char since[32];

        if (i)
            rc = buf_putc(b, ',');
        if (rc == 0)
            rc = buf_puts(b, "{\"component\":");
        if (rc == 0)
            rc = chorus_json_str(b, id, strlen(id));
        if (rc == 0)
            rc = buf_puts(b, ",\"label\":");
        if (rc == 0)
            rc = chorus_json_str_or_null(b, text_taxonomy_label(tax, row->tax));
        if (rc == 0)
            rc = buf_printf(b,
                            ",\"complaints_7d\":%u,\"expected_7d\":%.2f,\"complaints_90d\":%u,"
                            "\"mentions_90d\":%u,\"sentiment_90d\":",
                            row->now.n7, row->now.expected, row->c90, row->m90);
        if (rc == 0)
            rc =
                row->j90 ? buf_printf(b, "%.3f", (double)row->p90 / row->j90) : buf_puts(b, "null");
        if (rc == 0)
            rc = buf_printf(b, ",\"alert\":%s,\"since\":", row->alert ? "true" : "false");
        if (rc == 0 && row->alert) {
            chorus_time_format(row->since_day * 86400, since);
            rc = buf_printf(b, "\"%s\"", since);
        } else if (rc == 0) {
            rc = buf_puts(b, "null");
        }
        /* The release the rise began after: a product's alerts only. */
        if (rc == 0)
            rc = buf_puts(b, ",\"release\":");
        if (rc == 0 && row->alert && product) {
            struct feed__comp_release rel;

            rc = feed__comp_release(txn, product, row->since_day, &rel);
            if (rc == 0 && rel.found) {
                chorus_time_format(rel.released_at, since);
                rc = buf_puts(b, "{\"version\":");
                if (rc == 0)
                    rc = chorus_json_str(b, rel.version, strlen(rel.version));
                if (rc == 0)
                    rc = buf_printf(b, ",\"released_at\":\"%s\"}", since);
            } else if (rc == 0) {
                rc = buf_puts(b, "null");
            }
        } else if (rc == 0) {
            rc = buf_puts(b, "null");
        }
        if (rc == 0)
            rc = buf_puts(b, ",\"known_issue\":");
        if (rc == 0)
            rc = o && o->id[row->tax] ? buf_printf(b, "%llu", (unsigned long long)o->id[row->tax])
                                      : buf_puts(b, "null");
        if (rc == 0)
            rc = buf_putc(b, '}');
    }
    return rc ? rc : buf_puts(b, "]}");
}

int feed_components_json(struct store_txn *txn, const struct text_taxonomy *tax,
                         const struct feed_components_query *q, int64_t now, struct buf *b)
{
    struct feed__comps *c = malloc(sizeof(*c));
    struct open_issues o = {tax, {0}};
    int rc;

    if (!c)
        abort();
    feed__comps_init(c, tax, feed__floor_div(now, 86400));
    if (q->product) {
        rc = feed__comps_add(c, txn, tax, q->product);
        if (rc == 0)
            rc = open_issues(txn, q->product, &o);
    } else {
        struct cat_ctx cc = {c, txn, tax, 0, q->max_products};

        rc = store_category_products(txn, q->category, add_product, &cc);
    }
    if (rc == 0) {
        feed__comps_eval(c);
        /* A category sums several products' issues: none is its own. */
        rc = write_json(b, tax, c, q->product ? &o : NULL, txn, q->product);
    }
    free(c);
    return rc;
}
