/* The Google Product Reviews feed, schema 2.4 (docs/feeds.md).
 *
 * Google asks for feeds that validate against product_reviews.xsd, whose
 * types are xs:sequence: one element out of order makes the whole document
 * invalid, not one review. So the order below is the schema's, element by element, and the test in
 * tests/integration/test_google.c compares every review's children with the
 * same list. Google treats each feed as complete (a review missing from the
 * next feed is deleted), which is why the server streams every approved,
 * rated review rather than pages.
 *
 * The document is written incrementally: feed_google_review appends to the
 * writer's buffer and feed_google_take moves the bytes out, so a caller can
 * send a catalogue of any size one chunk at a time.
 */
#include "feed_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"

#define GOOGLE_SCHEMA_URL                                                                          \
    "http://www.google.com/shopping/reviews/schema/product/2.4/product_reviews.xsd"

struct feed_google {
    struct feed__xml x;
    const struct feed_site *site; /* borrowed until feed_google_end / feed_google_free */
    struct buf url;               /* review and product URLs, reused per review */
    const char *url_type;         /* review_url's type: "group" or "singleton" */
};

/* blank says whether s has no character the schema's nonEmptyStringType
 * would accept: that type needs one character outside XML whitespace, and
 * a title of three spaces would make the whole feed invalid. */
static bool blank(const char *s)
{
    if (!s)
        return true;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

/* url_type tells Google whether a review's page shows only that review.
 * chorusd's own page (/p/{product}#review-{id}) lists the product's
 * reviews, and so does any template whose {id} sits in the fragment; a
 * template with {id} in the path or query addresses one review. */
static const char *url_type(const struct feed_site *site)
{
    const char *t = site->review_url, *id, *hash;

    if (!t || !*t)
        return "group";
    id = strstr(t, "{id}");
    hash = strchr(t, '#');
    return id && (!hash || id < hash) ? "singleton" : "group";
}

int feed_google_begin(struct feed_google **out, const struct feed_site *site, const char *publisher,
                      const char *favicon)
{
    struct feed_google *g = calloc(1, sizeof(*g));
    int rc;

    *out = NULL;
    if (!g)
        abort();
    g->site = site;
    g->url_type = url_type(site);
    buf_init(&g->url, 0);
    rc = feed__xml_open(&g->x);
    if (rc)
        goto fail;
    /* The root carries what Google's own 2.4 sample carries: the schema
     * location in no namespace, so validators find the XSD by themselves. */
    feed__start(&g->x, "feed");
    feed__attr(&g->x, "xmlns:vc", "http://www.w3.org/2007/XMLSchema-versioning");
    feed__attr(&g->x, "xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance");
    feed__attr(&g->x, "xsi:noNamespaceSchemaLocation", GOOGLE_SCHEMA_URL);
    feed__elem(&g->x, "version", "2.4");
    /* Chorus collects reviews on the publisher's behalf: that is what the
     * schema calls an aggregator. */
    feed__start(&g->x, "aggregator");
    feed__elem(&g->x, "name", "Chorus");
    feed__end(&g->x);
    feed__start(&g->x, "publisher");
    feed__elem(&g->x, "name", blank(publisher) ? "Chorus" : publisher);
    if (!blank(favicon))
        feed__elem(&g->x, "favicon", favicon);
    feed__end(&g->x);
    feed__start(&g->x, "reviews");
    rc = g->x.rc;
    if (rc)
        goto fail;
    *out = g;
    return 0;
fail:
    feed_google_free(g);
    return rc;
}

/* product_ids writes the identifier groups Google matches offers on. Each
 * group is optional in the schema but must not be empty, so a group is
 * written only with its value. The SKU is the Chorus product id, which is
 * the shop's own product id (SKU) by definition (docs/reviews.md). */
static void product_ids(struct feed__xml *x, const struct product *p)
{
    feed__start(x, "product_ids");
    if (!blank(p->gtin)) {
        feed__start(x, "gtins");
        feed__elem(x, "gtin", p->gtin);
        feed__end(x);
    }
    if (!blank(p->mpn)) {
        feed__start(x, "mpns");
        feed__elem(x, "mpn", p->mpn);
        feed__end(x);
    }
    feed__start(x, "skus");
    feed__elem(x, "sku", p->id);
    feed__end(x);
    if (!blank(p->brand)) {
        feed__start(x, "brands");
        feed__elem(x, "brand", p->brand);
        feed__end(x);
    }
    feed__end(x);
}

int feed_google_review(struct feed_google *g, const struct review *r, const struct product *p)
{
    struct feed__xml *x = &g->x;
    struct product stub;
    const char *content;
    char stars[8];
    bool anonymous = blank(r->author);

    if (x->rc)
        return x->rc;
    if (r->status != REVIEW_APPROVED || r->rating < 1 || r->rating > 5)
        return 0;
    /* content is required and may not be blank; a review with only a
     * title still says something, one with neither says nothing. */
    content = !blank(r->body) ? r->body : !blank(r->title) ? r->title : NULL;
    if (!content)
        return 0;
    if (!p) {
        memset(&stub, 0, sizeof(stub));
        stub.id = r->product_id;
        p = &stub;
    }

    feed__start(x, "review");
    feed__elemf(x, "review_id", "%llu", (unsigned long long)r->id);
    feed__start(x, "reviewer");
    feed__start(x, "name");
    if (anonymous)
        feed__attr(x, "is_anonymous", "true");
    feed__text(x, anonymous ? "Anonymous" : r->author);
    feed__end(x);
    feed__end(x);
    /* 2.4 added these two right after <reviewer>, not at the end. */
    feed__elem(x, "is_verified_purchase", r->verified ? "true" : "false");
    feed__time(x, "review_timestamp", r->created_at ? r->created_at : r->ingested_at);
    /* The title is only worth sending when it is not already the content. */
    if (!blank(r->title) && content != r->title)
        feed__elem(x, "title", r->title);
    feed__elem(x, "content", content);

    buf_reset(&g->url);
    if (x->rc == 0)
        x->rc = feed_review_url(&g->url, g->site, r->product_id, r->id);
    feed__start(x, "review_url");
    feed__attr(x, "type", g->url_type);
    feed__text(x, g->url.data);
    feed__end(x);

    snprintf(stars, sizeof(stars), "%d", r->rating);
    feed__start(x, "ratings");
    feed__start(x, "overall");
    feed__attr(x, "min", "1");
    feed__attr(x, "max", "5");
    feed__text(x, stars);
    feed__end(x);
    feed__end(x);

    feed__start(x, "products");
    feed__start(x, "product");
    product_ids(x, p);
    feed__elem(x, "product_name", !blank(p->name) ? p->name : p->id);
    buf_reset(&g->url);
    if (x->rc == 0)
        x->rc = feed_product_url(&g->url, g->site, p);
    feed__elem(x, "product_url", g->url.data);
    feed__end(x);
    feed__end(x);

    /* Chorus does not record how a review was collected. unsolicited is
     * true of reviews written on the shop's pages, the common case; for
     * reviews answering post-purchase emails it is not, which docs/feeds.md
     * states as a known limit rather than guessing per source. */
    feed__elem(x, "collection_method", "unsolicited");
    feed__end(x);
    return x->rc;
}

int feed_google_take(struct feed_google *g, struct buf *b)
{
    return feed__xml_take(&g->x, b);
}

int feed_google_end(struct feed_google *g, struct buf *b)
{
    int rc;

    feed__xml_end(&g->x);
    rc = feed__xml_take(&g->x, b);
    feed_google_free(g);
    return rc;
}

void feed_google_free(struct feed_google *g)
{
    if (!g)
        return;
    feed__xml_close(&g->x);
    buf_cleanup(&g->url);
    free(g);
}
