/* Google Product Reviews feeds (schema 2.x, docs/feeds.md) into feed items,
 * Chorus's own /feeds/google-reviews.xml included.
 *
 *   review_id                       source_id
 *   reviewer/name                   author (is_anonymous="true": none)
 *   review_timestamp                created_at
 *   title, content                  title, body (plain text, as the schema says)
 *   review_url                      link
 *   ratings/overall @min @max       rating: max 5 with whole stars is native,
 *                                   otherwise rating_scale = max (docs/reviews.md)
 *   is_verified_purchase            verified
 *   products/product (the first)    product: skus/sku is product.id; gtins/gtin,
 *                                   mpns/mpn, brands/brand, asins/asin,
 *                                   product_name, product_url (first of each)
 *
 * The review's product_id stays NULL: which catalogue product a Google
 * review is about is the poller's call (GTIN, then SKU, then MPN with brand,
 * then ASIN). Elements are matched by their parent rather than by position,
 * since the 2.x versions order them differently.
 */
#include "parse_int.h"

#include <string.h>

struct google {
    struct parse__feed *f;
    int review;        /* depth of the open <review>, -1 outside */
    int product;       /* depth of the <product> being read, -1 none */
    bool product_done; /* the review's first product was read */
    char max[32];      /* ratings/overall @max */
    bool has_max;
};

static int root(void *ctx, const struct parse__xml_node *n, char *msg)
{
    char q[PARSE__QUOTE];

    (void)ctx;
    if (n->ns == NS_NONE && strcmp(n->name, "feed") == 0)
        return 0;
    if (n->ns == NS_ATOM)
        return parse__fail(msg, "The document is an Atom feed, not a Google Product Reviews "
                                "feed; choose the kind atom.");
    if (strcmp(n->name, "rss") == 0)
        return parse__fail(msg, "The document is an RSS feed, not a Google Product Reviews "
                                "feed; choose the kind rss.");
    return parse__fail(msg,
                       "The document's root element is <%s>, not the <feed> of a "
                       "Google Product Reviews feed.",
                       parse__quote(q, n->name, strlen(n->name)));
}

static bool named(const char *s, const char *w)
{
    return strcmp(s, w) == 0;
}

static int start(void *ctx, struct parse__xml *x, const struct parse__xml_node *n)
{
    static const char *const review_fields[] = {
        "review_id", "title", "content", "review_timestamp", "review_url", "is_verified_purchase"};
    static const char *const id_groups[] = {"gtins", "mpns", "skus", "brands", "asins"};
    struct google *g = ctx;
    const char *v;

    if (n->ns != NS_NONE)
        return 0;
    if (g->review < 0) {
        if (named(n->name, "review") && named(n->parent, "reviews")) {
            parse__feed_begin(g->f);
            g->review = n->depth;
            g->product = -1;
            g->product_done = false;
        }
        return 0;
    }
    if (n->depth == g->review + 1) {
        for (size_t i = 0; i < sizeof(review_fields) / sizeof(review_fields[0]); i++)
            if (named(n->name, review_fields[i]))
                parse__xml_capture(x, PARSE__CAP_TEXT);
        return 0;
    }
    if (named(n->parent, "reviewer") && named(n->name, "name")) {
        v = parse__xml_attr(x, "is_anonymous");
        if (v && strcmp(v, "true") == 0)
            parse__feed_anonymous(g->f);
        parse__xml_capture(x, PARSE__CAP_TEXT);
    } else if (named(n->parent, "ratings") && named(n->name, "overall")) {
        v = parse__xml_attr(x, "max");
        g->has_max = v && strlen(v) < sizeof(g->max);
        if (g->has_max)
            memcpy(g->max, v, strlen(v) + 1);
        parse__xml_capture(x, PARSE__CAP_TEXT);
    } else if (named(n->parent, "products") && named(n->name, "product")) {
        if (!g->product_done)
            g->product = n->depth;
    } else if (g->product >= 0) {
        if (n->depth == g->product + 1 &&
            (named(n->name, "product_name") || named(n->name, "product_url")))
            parse__xml_capture(x, PARSE__CAP_TEXT);
        for (size_t i = 0; i < sizeof(id_groups) / sizeof(id_groups[0]); i++)
            if (n->depth == g->product + 3 && named(n->parent, id_groups[i]))
                parse__xml_capture(x, PARSE__CAP_TEXT);
    }
    return 0;
}

static void product_field(struct parse__feed *f, const struct parse__xml_node *n, const char *t,
                          size_t len, unsigned flags)
{
    static const struct {
        const char *group, *name;
        enum parse__ff ff;
    } ids[] = {{"gtins", "gtin", FF_GTIN},
               {"mpns", "mpn", FF_MPN},
               {"skus", "sku", FF_SKU},
               {"brands", "brand", FF_BRAND},
               {"asins", "asin", FF_ASIN}};

    if (named(n->name, "product_name")) {
        parse__feed_set(f, FF_PRODUCT_NAME, 1, "product_name", t, len, flags);
        return;
    }
    if (named(n->name, "product_url")) {
        parse__feed_set(f, FF_PRODUCT_URL, 1, "product_url", t, len, flags);
        return;
    }
    /* The first of each kind: equal priorities never replace. */
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        if (named(n->parent, ids[i].group) && named(n->name, ids[i].name))
            parse__feed_set(f, ids[i].ff, 1, ids[i].name, t, len, flags);
}

static int end(void *ctx, const struct parse__xml_node *n, const char *t, size_t len,
               unsigned flags)
{
    struct google *g = ctx;
    struct parse__feed *f = g->f;
    bool v;

    if (g->review < 0 || n->ns != NS_NONE)
        return 0;
    if (n->depth == g->review) {
        g->review = -1;
        return parse__feed_end(f);
    }
    if (n->depth == g->product) {
        g->product = -1;
        g->product_done = true;
        return 0;
    }
    if (!t)
        return 0;
    if (named(n->name, "review_id"))
        parse__feed_set(f, FF_SOURCE_ID, 1, "review_id", t, len, flags);
    else if (named(n->name, "title"))
        parse__feed_set(f, FF_TITLE, 1, "title", t, len, flags);
    else if (named(n->name, "content"))
        parse__feed_set(f, FF_BODY, 1, "content", t, len, flags);
    else if (named(n->name, "review_timestamp"))
        parse__feed_time(f, 1, "review_timestamp", t, len);
    else if (named(n->name, "review_url"))
        parse__feed_set(f, FF_LINK, 1, "review_url", t, len, flags);
    else if (named(n->name, "is_verified_purchase") && parse__bool_text(t, len, &v) == 0)
        parse__feed_verified(f, v);
    else if (named(n->name, "name"))
        parse__feed_set(f, FF_AUTHOR, 1, "reviewer name", t, len, flags);
    else if (named(n->name, "overall"))
        parse__feed_rating_text(f, 1, "ratings overall", t, len, g->has_max ? g->max : NULL,
                                g->has_max ? strlen(g->max) : 0);
    else if (g->product >= 0)
        product_field(f, n, t, len, flags);
    return 0;
}

int parse__feed_google(struct parse__feed *f, const char *data, size_t len, struct parse_error *err)
{
    static const struct parse__xml_ops ops = {root, start, end};
    struct google g = {.f = f, .review = -1, .product = -1};

    return parse__xml_run(data, len, &ops, &g, err);
}
