/* Links and ids every view shares: review and product pages, the URLs of
 * the Atom feeds and of the digest, tag: URIs. Every URL Chorus writes of
 * its own pages is built here, with chorus_pct, so a WebSub topic, a feed's
 * self link and a dashboard link to the same feed are the same bytes. */
#include "feed_int.h"

#include <string.h>

int feed_review_url(struct buf *b, const struct feed_site *site, const char *product_id,
                    uint64_t review_id)
{
    const char *t = site->review_url;
    int rc = 0;

    if (!t || !*t) {
        rc = buf_printf(b, "%s/p/", site->public_url);
        if (rc == 0)
            rc = chorus_pct(b, product_id, strlen(product_id), false);
        if (rc == 0)
            rc = buf_printf(b, "#review-%llu", (unsigned long long)review_id);
        return rc;
    }
    while (*t && rc == 0) {
        if (strncmp(t, "{product}", 9) == 0) {
            rc = chorus_pct(b, product_id, strlen(product_id), false);
            t += 9;
        } else if (strncmp(t, "{id}", 4) == 0) {
            rc = buf_printf(b, "%llu", (unsigned long long)review_id);
            t += 4;
        } else {
            rc = buf_putc(b, *t++);
        }
    }
    return rc;
}

int feed_product_url(struct buf *b, const struct feed_site *site, const struct product *p)
{
    int rc;

    if (p->url && *p->url)
        return buf_puts(b, p->url);
    rc = buf_printf(b, "%s/p/", site->public_url);
    return rc ? rc : chorus_pct(b, p->id, strlen(p->id), false);
}

int feed_tag(struct buf *b, const struct feed_site *site, const char *what)
{
    /* RFC 4151: the date is one on which the authority was held; a fixed
     * date keeps every id stable for the life of the data folder. */
    return buf_printf(b, "tag:%s,2026:%s/%s", site->tag_authority, site->instance, what);
}

int feed_scope_url(struct buf *b, const char *base, enum store_scope scope, const char *id,
                   bool ext)
{
    int rc = buf_puts(b, base ? base : "");

    if (rc)
        return rc;
    switch (scope) {
    case STORE_SCOPE_PRODUCT:
        rc = buf_puts(b, "/feeds/products/");
        if (rc == 0)
            rc = chorus_pct(b, id, strlen(id), false);
        break;
    case STORE_SCOPE_CATEGORY:
        /* Segments are encoded one by one; the slashes between them stay. */
        rc = buf_puts(b, "/feeds/categories/");
        if (rc == 0)
            rc = chorus_pct(b, id, strlen(id), true);
        break;
    case STORE_SCOPE_ALL:
        rc = buf_puts(b, "/feeds/reviews");
        break;
    }
    return rc || !ext ? rc : buf_puts(b, ".atom");
}

/* query_param appends "?name=" or "&name=" and value, percent-encoded
 * (category paths keep their slashes). */
static int query_param(struct buf *b, char *sep, const char *name, const char *value, bool path)
{
    int rc = buf_printf(b, "%c%s=", *sep, name);

    *sep = '&';
    return rc ? rc : chorus_pct(b, value, strlen(value), path);
}

int feed_digest_url(struct buf *b, const char *base, const struct feed_digest_query *q)
{
    char sep = '?';
    int rc = buf_printf(b, "%s/feeds/digest.atom", base ? base : "");

    if (rc == 0 && q->category && *q->category)
        rc = query_param(b, &sep, "category", q->category, true);
    if (rc == 0 && q->product && *q->product)
        rc = query_param(b, &sep, "product", q->product, false);
    if (rc == 0 && q->max_rating && q->max_rating != FEED_DIGEST_MAX_RATING) {
        rc = buf_printf(b, "%cmax_rating=%d", sep, q->max_rating);
        sep = '&';
    }
    if (rc == 0 && q->days && q->days != FEED_DIGEST_DAYS) {
        rc = buf_printf(b, "%cdays=%d", sep, q->days);
        sep = '&';
    }
    if (rc == 0 && q->tz_minutes) {
        rc = buf_printf(b, "%ctz=%d", sep, q->tz_minutes);
        sep = '&';
    }
    if (rc == 0 && q->token && *q->token)
        rc = query_param(b, &sep, "token", q->token, false);
    return rc;
}

int feed_scope_topics(const struct feed_site *site, const char *product_id, const char *category,
                      bool all, void (*fn)(void *ctx, const char *url), void *ctx)
{
    char prefix[CHORUS_MAX_CATEGORY + 1];
    struct buf url;
    int rc = 0;

    buf_init(&url, FEED_MAX_URL);
    if (product_id && *product_id) {
        rc = feed_scope_url(&url, site->public_url, STORE_SCOPE_PRODUCT, product_id, true);
        if (rc == 0)
            fn(ctx, url.data);
    }
    /* laptops/gaming changes categories/laptops.atom and
     * categories/laptops/gaming.atom: one topic per prefix. The store keeps
     * paths without empty segments. */
    for (size_t end = 1; rc == 0 && category && category[0] && end <= strlen(category); end++) {
        if (category[end] != '/' && category[end] != '\0')
            continue;
        if (end >= sizeof(prefix))
            break;
        memcpy(prefix, category, end);
        prefix[end] = '\0';
        buf_reset(&url);
        rc = feed_scope_url(&url, site->public_url, STORE_SCOPE_CATEGORY, prefix, true);
        if (rc == 0)
            fn(ctx, url.data);
    }
    if (rc == 0 && all) {
        buf_reset(&url);
        rc = feed_scope_url(&url, site->public_url, STORE_SCOPE_ALL, NULL, true);
        if (rc == 0)
            fn(ctx, url.data);
    }
    buf_cleanup(&url);
    return rc;
}
