/* JSON views of reviews, products and stats.
 *
 * Hand-written rather than built with jansson: list pages and exports write
 * every review, and appending escaped bytes straight into the reply buffer
 * costs a fraction of building and dumping a json_t tree per review. Every
 * user-supplied string goes through chorus_json_str.
 */
#include "chorus/feed.h"

#include <math.h>
#include <string.h>

#include "chorus/base.h"
#include "chorus/store.h"

/* The writer helpers below chain on rc: once a buffer reports its cap, the
 * remaining calls do nothing and the error is returned at the end. */

static void key(struct buf *b, int *rc, const char *k)
{
    if (*rc == 0)
        *rc = buf_puts(b, k);
}

static void str(struct buf *b, int *rc, const char *k, const char *v)
{
    key(b, rc, k);
    if (*rc == 0)
        *rc = chorus_json_str_or_null(b, v);
}

static void num(struct buf *b, int *rc, const char *k, uint64_t v)
{
    key(b, rc, k);
    if (*rc == 0)
        *rc = buf_printf(b, "%llu", (unsigned long long)v);
}

static void dbl(struct buf *b, int *rc, const char *k, double v)
{
    key(b, rc, k);
    if (*rc)
        return;
    if (isnan(v) || isinf(v))
        *rc = buf_puts(b, "null");
    else
        *rc = buf_printf(b, "%.15g", v);
}

static void tm(struct buf *b, int *rc, const char *k, int64_t t)
{
    char s[32];

    key(b, rc, k);
    if (*rc)
        return;
    if (t == 0) {
        *rc = buf_puts(b, "null");
        return;
    }
    s[0] = '"';
    chorus_time_format(t, s + 1);
    s[21] = '"';
    *rc = buf_append(b, s, 22);
}

/* list writes a comma-joined stored list ("battery,hinge") as a JSON array
 * of strings. */
static void list(struct buf *b, int *rc, const char *k, const char *joined)
{
    key(b, rc, k);
    for (const char *c = joined; c && *c && *rc == 0;) {
        const char *end = strchr(c, ',');
        size_t n = end ? (size_t)(end - c) : strlen(c);

        if (c != joined)
            *rc = buf_putc(b, ',');
        if (*rc == 0)
            *rc = chorus_json_str(b, c, n);
        c += n + (end ? 1 : 0);
    }
    key(b, rc, "]");
}

int feed_review_json(struct buf *b, const struct review *r)
{
    int rc = 0;

    num(b, &rc, "{\"id\":", r->id);
    str(b, &rc, ",\"product_id\":", r->product_id);
    if (r->rating)
        num(b, &rc, ",\"rating\":", (uint64_t)r->rating);
    else
        key(b, &rc, ",\"rating\":null");
    if (r->rating_scale > 0) {
        dbl(b, &rc, ",\"rating_scale\":", r->rating_scale);
        dbl(b, &rc, ",\"rating_original\":", r->rating_original);
    } else {
        key(b, &rc, ",\"rating_scale\":null");
    }
    str(b, &rc, ",\"title\":", r->title);
    str(b, &rc, ",\"body\":", r->body);
    str(b, &rc, ",\"author\":", r->author);
    str(b, &rc, ",\"author_location\":", r->author_location);
    key(b, &rc, r->verified ? ",\"verified\":true" : ",\"verified\":false");
    str(b, &rc, ",\"language\":", r->language);
    tm(b, &rc, ",\"created_at\":", r->created_at);
    tm(b, &rc, ",\"ingested_at\":", r->ingested_at);
    str(b, &rc, ",\"source\":", r->source);
    str(b, &rc, ",\"source_id\":", r->source_id);
    str(b, &rc, ",\"status\":", review_status_name(r->status));
    if (r->moderation_reason)
        str(b, &rc, ",\"moderation_reason\":", r->moderation_reason);
    num(b, &rc, ",\"helpful\":", r->helpful);
    num(b, &rc, ",\"not_helpful\":", r->not_helpful);
    dbl(b, &rc, ",\"sentiment\":", r->sentiment);
    list(b, &rc, ",\"components\":[", r->components);
    list(b, &rc, ",\"versions\":[", r->versions);
    if (r->known_issue)
        num(b, &rc, ",\"known_issue\":", r->known_issue);
    else
        key(b, &rc, ",\"known_issue\":null");
    /* Every place the review came from, its own first; copies recognised
     * across sources add theirs (docs/sources.md). */
    str(b, &rc, ",\"origins\":[{\"source\":", r->source);
    str(b, &rc, ",\"source_id\":", r->source_id);
    for (size_t i = 0; i < r->n_origins && r->origins; i++) {
        str(b, &rc, "},{\"source\":", r->origins[i].source);
        str(b, &rc, ",\"source_id\":", r->origins[i].source_id);
    }
    key(b, &rc, "}]");
    key(b, &rc, ",\"responses\":[");
    for (size_t i = 0; i < r->n_responses; i++) {
        str(b, &rc, i ? ",{\"author\":" : "{\"author\":", r->responses[i].author);
        str(b, &rc, ",\"body\":", r->responses[i].body);
        tm(b, &rc, ",\"created_at\":", r->responses[i].created_at);
        key(b, &rc, "}");
    }
    key(b, &rc, "]}");
    return rc;
}

int feed_stats_json(struct buf *b, const struct review_stats *s)
{
    int rc = 0;

    num(b, &rc, "{\"count\":", s->count);
    if (s->count)
        /* Two decimals: what a person reads; the exact sum is in the
         * histogram for anyone who needs more. */
        dbl(b, &rc, ",\"average\":", round((double)s->rating_sum / (double)s->count * 100) / 100);
    else
        key(b, &rc, ",\"average\":null");
    key(b, &rc, ",\"histogram\":[");
    for (int i = 0; i < 5; i++) {
        if (rc == 0)
            rc = buf_printf(b, i ? ",%llu" : "%llu", (unsigned long long)s->histogram[i]);
    }
    key(b, &rc, "]");
    num(b, &rc, ",\"mentions\":", s->mentions);
    tm(b, &rc, ",\"last_review_at\":", s->last_review_at);
    dbl(b, &rc, ",\"sentiment\":",
        s->sentiment_n ? s->sentiment_sum / (double)s->sentiment_n : (double)NAN);
    key(b, &rc, "}");
    return rc;
}

/* product_fields writes p's fields and stats, leaving the object open. */
static void product_fields(struct buf *b, int *rc, const struct product *p,
                           const struct review_stats *s)
{
    str(b, rc, "{\"id\":", p->id);
    str(b, rc, ",\"name\":", p->name);
    str(b, rc, ",\"brand\":", p->brand);
    str(b, rc, ",\"category\":", p->category);
    str(b, rc, ",\"url\":", p->url);
    str(b, rc, ",\"image_url\":", p->image_url);
    str(b, rc, ",\"gtin\":", p->gtin);
    str(b, rc, ",\"mpn\":", p->mpn);
    if (s) {
        key(b, rc, ",\"stats\":");
        if (*rc == 0)
            *rc = feed_stats_json(b, s);
    }
}

struct release_out {
    struct buf *b;
    size_t n;
};

static int put_release(void *ctx, const struct product_release *r)
{
    struct release_out *o = ctx;
    int rc = 0;

    str(o->b, &rc, o->n++ ? ",{\"version\":" : "{\"version\":", r->version);
    tm(o->b, &rc, ",\"released_at\":", r->released_at);
    str(o->b, &rc, ",\"notes\":", r->notes);
    key(o->b, &rc, "}");
    return rc;
}

int feed_product_detail_json(struct buf *b, struct store_txn *txn, const struct product *p,
                             const struct review_stats *s)
{
    struct release_out o = {.b = b};
    int rc = 0;

    product_fields(b, &rc, p, s);
    key(b, &rc, ",\"releases\":[");
    if (rc == 0)
        rc = store_product_releases(txn, p->id, put_release, &o);
    key(b, &rc, "]}");
    return rc;
}

int feed_product_json(struct buf *b, const struct product *p, const struct review_stats *s)
{
    int rc = 0;

    product_fields(b, &rc, p, s);
    key(b, &rc, "}");
    return rc;
}
