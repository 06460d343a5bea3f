/* The Google Product Reviews feed, schema 2.4 (docs/feeds.md).
 *
 * Google asks for feeds that validate against product_reviews.xsd, whose
 * types are xs:sequence: one element out of order makes the whole document
 * invalid, not one review. So the order below is the schema's, element by element, and the test in
 * tests/integration/test_google.c compares every review's children with the
 * same list. Google treats its feeds as complete (a review missing from the
 * next fetch is deleted), which is why the feed holds every approved,
 * rated review rather than pages.
 *
 * Google also takes at most 100 MB per file, and a large catalogue is ten
 * times that, so the feed is cut into parts, each a complete document. The
 * document's head (declaration to <reviews>) and tail are made once; each
 * review is rendered on its own, as a fragment, and only then placed: into
 * the open part when it still fits there with the tail, else into a new
 * part. So a part never goes over its limit by a review, and memory holds
 * one review whatever the catalogue's size.
 */
#include "feed_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"

#define GOOGLE_SCHEMA_URL                                                                          \
    "http://www.google.com/shopping/reviews/schema/product/2.4/product_reviews.xsd"

/* A review's XML, at most: every text field at its cap escaped five
 * times over ("&" is "&amp;"), with room to spare. A review over it is a
 * bug upstream of the feed, not something to write. */
#define REVIEW_XML_MAX (1u << 20)

struct feed_google {
    struct feed__xml x;                  /* review fragments: no root, one <review> at a time */
    const struct feed_site *site;        /* borrowed until feed_google_end / feed_google_free */
    struct buf url;                      /* review and product URLs, reused per review */
    const char *url_type;                /* review_url's type: "group" or "singleton" */
    struct buf head, tail;               /* every part's first and last bytes */
    struct buf review;                   /* the review being placed */
    const struct feed_google_sink *sink; /* borrowed */
    size_t max_bytes;
    unsigned part;       /* the last part opened; 0 before the first */
    bool open;           /* part is open */
    size_t part_bytes;   /* written to the open part, head included */
    size_t part_reviews; /* reviews in the open part */
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

/* frame makes the head and tail every part shares: the root and what
 * precedes <reviews>, then the closing tags. The empty text after
 * <reviews> makes the writer close its start tag, so the head ends in
 * "<reviews>" and the tail starts with "</reviews>" whatever comes between. */
static int frame(struct feed_google *g, const char *publisher, const char *favicon)
{
    struct feed__xml y;
    int rc = feed__xml_open(&y, 0);

    /* The root carries what Google's own 2.4 sample carries: the schema
     * location in no namespace, so validators find the XSD by themselves. */
    feed__start(&y, "feed");
    feed__attr(&y, "xmlns:vc", "http://www.w3.org/2007/XMLSchema-versioning");
    feed__attr(&y, "xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance");
    feed__attr(&y, "xsi:noNamespaceSchemaLocation", GOOGLE_SCHEMA_URL);
    feed__elem(&y, "version", "2.4");
    /* Chorus collects reviews on the publisher's behalf: that is what the
     * schema calls an aggregator. */
    feed__start(&y, "aggregator");
    feed__elem(&y, "name", "Chorus");
    feed__end(&y);
    feed__start(&y, "publisher");
    feed__elem(&y, "name", blank(publisher) ? "Chorus" : publisher);
    if (!blank(favicon))
        feed__elem(&y, "favicon", favicon);
    feed__end(&y);
    feed__start(&y, "reviews");
    feed__text(&y, "");
    if (rc == 0)
        rc = feed__xml_take(&y, &g->head);
    feed__xml_end(&y);
    if (rc == 0)
        rc = feed__xml_take(&y, &g->tail);
    feed__xml_close(&y);
    return rc;
}

int feed_google_new(struct feed_google **out, const struct feed_site *site, const char *publisher,
                    const char *favicon, size_t max_bytes, const struct feed_google_sink *sink)
{
    struct feed_google *g;
    int rc;

    *out = NULL;
    if (max_bytes < FEED_GOOGLE_MIN_PART)
        return CHORUS_EINVAL;
    g = calloc(1, sizeof(*g));
    if (!g)
        abort();
    g->site = site;
    g->sink = sink;
    g->max_bytes = max_bytes;
    g->url_type = url_type(site);
    buf_init(&g->url, 0);
    buf_init(&g->head, 64 * 1024);
    buf_init(&g->tail, 1024);
    buf_init(&g->review, REVIEW_XML_MAX);
    rc = frame(g, publisher, favicon);
    /* The fragment writer's XML declaration belongs to no part. */
    if (rc == 0)
        rc = feed__xml_open(&g->x, 0);
    if (rc == 0)
        rc = feed__xml_take(&g->x, &g->review);
    buf_reset(&g->review);
    if (rc) {
        feed_google_free(g);
        return rc;
    }
    *out = g;
    return 0;
}

/* ---- parts --------------------------------------------------------------------------- */

static int open_part(struct feed_google *g)
{
    int rc = g->sink->open(g->sink->ctx, g->part + 1);

    if (rc == 0) {
        g->part++;
        g->open = true;
        g->part_bytes = g->head.len;
        g->part_reviews = 0;
        rc = g->sink->write(g->sink->ctx, g->head.data, g->head.len);
    }
    return rc;
}

static int close_part(struct feed_google *g)
{
    int rc = g->sink->write(g->sink->ctx, g->tail.data, g->tail.len);

    g->open = false;
    return rc ? rc : g->sink->close(g->sink->ctx, g->part, g->part_reviews);
}

/* place puts the rendered review (g->review) into the open part, or into a
 * new one when it would take the open one over the limit. A part always
 * takes its first review, so one that fits no part still appears. */
static int place(struct feed_google *g)
{
    int rc = 0;

    if (g->open && g->part_reviews > 0 &&
        g->part_bytes + g->review.len + g->tail.len > g->max_bytes)
        rc = close_part(g);
    if (rc == 0 && !g->open)
        rc = open_part(g);
    if (rc == 0)
        rc = g->sink->write(g->sink->ctx, g->review.data, g->review.len);
    g->part_bytes += g->review.len;
    g->part_reviews++;
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

static int render_review(struct feed_google *g, const struct review *r, const struct product *p)
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

int feed_google_review(struct feed_google *g, const struct review *r, const struct product *p)
{
    int rc;

    buf_reset(&g->review);
    rc = render_review(g, r, p);
    if (rc == 0)
        rc = feed__xml_take(&g->x, &g->review);
    if (rc == 0 && g->review.len > 0)
        rc = place(g);
    return rc;
}

int feed_google_end(struct feed_google *g, unsigned *parts)
{
    int rc = 0;

    if (!g->open)
        rc = open_part(g);
    if (rc == 0)
        rc = close_part(g);
    *parts = g->part;
    feed_google_free(g);
    return rc;
}

void feed_google_free(struct feed_google *g)
{
    if (!g)
        return;
    feed__xml_close(&g->x);
    buf_cleanup(&g->url);
    buf_cleanup(&g->head);
    buf_cleanup(&g->tail);
    buf_cleanup(&g->review);
    free(g);
}
