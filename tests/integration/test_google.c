/* The Google Product Reviews feed (GET /feeds/google-reviews.xml and its
 * parts, /feeds/google-reviews/index.json and /feeds/google-reviews/{n}.xml)
 * checked against the documented structure of schema 2.4 (docs/feeds.md):
 * element order, which reviews appear, the product identifiers, hostile
 * text; then the parts: each a valid document under the size limit, every
 * review in exactly one of them, revalidation, renders that follow changes
 * and a restart that renders nothing when nothing changed.
 *
 * The feed is rendered off the request path, a moment after a change, so
 * a case waits for the renderer to settle (chorus_google_feed_pending)
 * before it reads. Feeds are parsed with libxml2 the way a careful
 * consumer would: no network, no entity substitution. */
#include "harness.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "seed.h"
#include "testmain.h"

#define FEED_PATH  "/feeds/google-reviews.xml"
#define INDEX_PATH "/feeds/google-reviews/index.json"
#define PART_BYTES 20000           /* google_feed_part_bytes of g_setup_parts */
#define GTIN       "4006381333931" /* a valid EAN-13 */
#define XSI_NS     "http://www.w3.org/2001/XMLSchema-instance"
#define XSD_URL    "http://www.google.com/shopping/reviews/schema/product/2.4/product_reviews.xsd"

/* Every child a <review> may have in schema 2.4, in the schema's order
 * (Google's 2.4 sample feed; docs/feeds.md). A review's children must
 * appear in this order, each at most once. */
static const char *const review_order[] = {
    "review_id",
    "reviewer",
    "is_verified_purchase",
    "is_incentivized_review",
    "review_timestamp",
    "title",
    "content",
    "review_language",
    "review_country",
    "pros",
    "cons",
    "review_url",
    "reviewer_images",
    "ratings",
    "products",
    "is_spam",
    "collection_method",
    "transaction_id",
};
/* The ones the schema requires, plus review_id, which Chorus always sends. */
static const char *const review_required[] = {
    "review_id", "reviewer", "review_timestamp", "content", "review_url", "ratings", "products",
};

/* ---- reading the feed ---------------------------------------------------------------- */

struct gfeed {
    struct hresp *r;
    xmlDoc *doc;
    xmlNode *root, *reviews;
};

static bool is_elem(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static xmlNode *first_elem(xmlNode *n)
{
    for (; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE)
            return n;
    return NULL;
}

/* child returns the element at path ("products/product/product_name")
 * under n, or NULL. */
static xmlNode *child(xmlNode *n, const char *path)
{
    char name[64];

    while (n && *path) {
        size_t len = strcspn(path, "/");
        xmlNode *c;

        assert_true(len < sizeof(name));
        memcpy(name, path, len);
        name[len] = '\0';
        for (c = n->children; c && !is_elem(c, name); c = c->next)
            ;
        n = c;
        path += len;
        if (*path == '/')
            path++;
    }
    return n;
}

/* expect_text checks the character data of the element at path. */
#define expect_text(n, path, want) expect_text_((n), (path), (want), __FILE__, __LINE__)
static void expect_text_(xmlNode *n, const char *path, const char *want, const char *file, int line)
{
    xmlNode *c = child(n, path);
    xmlChar *t;

    if (!c) {
        print_error("no <%s> element\n", path);
        _fail(file, line);
    }
    t = xmlNodeGetContent(c);
    if (!t || strcmp((const char *)t, want) != 0) {
        print_error("<%s> is \"%s\", expected \"%s\"\n", path, t ? (const char *)t : "(null)",
                    want);
        xmlFree(t);
        _fail(file, line);
    }
    xmlFree(t);
}

/* expect_attr checks an attribute (no namespace) of the element at path;
 * want NULL means the attribute must be absent. */
#define expect_attr(n, path, name, want)                                                           \
    expect_attr_((n), (path), (name), (want), __FILE__, __LINE__)
static void expect_attr_(xmlNode *n, const char *path, const char *name, const char *want,
                         const char *file, int line)
{
    xmlNode *c = child(n, path);
    xmlChar *v;

    if (!c) {
        print_error("no <%s> element\n", path);
        _fail(file, line);
    }
    v = xmlGetNoNsProp(c, BAD_CAST name);
    if ((!want && v) || (want && (!v || strcmp((const char *)v, want) != 0))) {
        print_error("<%s %s> is %s, expected %s\n", path, name, v ? (const char *)v : "absent",
                    want ? want : "absent");
        xmlFree(v);
        _fail(file, line);
    }
    xmlFree(v);
}

/* names writes the element children of n, in order, as "a,b,c" into out. */
static const char *names(xmlNode *n, char *out, size_t cap)
{
    size_t len = 0;

    out[0] = '\0';
    for (xmlNode *c = first_elem(n->children); c; c = first_elem(c->next)) {
        int k = snprintf(out + len, cap - len, "%s%s", len ? "," : "", (const char *)c->name);

        assert_true(k > 0 && (size_t)k < cap - len);
        len += (size_t)k;
    }
    return out;
}

static uint64_t review_id(xmlNode *review)
{
    xmlNode *c = child(review, "review_id");
    xmlChar *t;
    uint64_t v;

    assert_non_null(c);
    t = xmlNodeGetContent(c);
    assert_non_null(t);
    v = strtoull((const char *)t, NULL, 10);
    xmlFree(t);
    return v;
}

static xmlNode *review_by_id(struct gfeed *f, uint64_t id)
{
    for (xmlNode *c = first_elem(f->reviews->children); c; c = first_elem(c->next))
        if (review_id(c) == id)
            return c;
    fail_msg("review %llu is not in the feed", (unsigned long long)id);
    return NULL;
}

/* check_order fails unless every child of review is one the schema allows
 * there, in the schema's order, once, and every required one is present. */
static void check_order(xmlNode *review)
{
    size_t at = 0, n = sizeof(review_order) / sizeof(review_order[0]);
    char list[512];

    for (xmlNode *c = first_elem(review->children); c; c = first_elem(c->next)) {
        size_t i;

        for (i = at; i < n; i++)
            if (strcmp((const char *)c->name, review_order[i]) == 0)
                break;
        if (i == n)
            fail_msg("review %llu: <%s> is out of the schema's order or not in it (children: %s)",
                     (unsigned long long)review_id(review), (const char *)c->name,
                     names(review, list, sizeof(list)));
        at = i + 1;
    }
    for (size_t i = 0; i < sizeof(review_required) / sizeof(review_required[0]); i++)
        if (!child(review, review_required[i]))
            fail_msg("review %llu lacks <%s>", (unsigned long long)review_id(review),
                     review_required[i]);
}

/* check_feed checks what every feed must be: the root and its children in
 * order, and every review in the schema's order. */
static void check_feed(struct gfeed *f)
{
    char list[256];
    xmlChar *loc;

    assert_true(is_elem(f->root, "feed"));
    loc = xmlGetNsProp(f->root, BAD_CAST "noNamespaceSchemaLocation", BAD_CAST XSI_NS);
    assert_non_null(loc);
    assert_string_equal((const char *)loc, XSD_URL);
    xmlFree(loc);
    assert_null(f->root->ns); /* the feed is in no namespace */
    assert_string_equal(names(f->root, list, sizeof(list)), "version,aggregator,publisher,reviews");
    expect_text(f->root, "version", "2.4");
    assert_non_null(child(f->root, "aggregator/name"));
    assert_non_null(child(f->root, "publisher/name"));
    f->reviews = child(f->root, "reviews");
    for (xmlNode *c = first_elem(f->reviews->children); c; c = first_elem(c->next)) {
        assert_true(is_elem(c, "review"));
        check_order(c);
    }
}

static void parse_into(struct gfeed *f, const char *body, size_t len)
{
    /* No XML_PARSE_NOENT and no DTD loading: a feed is input like any other. */
    f->doc = xmlReadMemory(body, (int)len, "google-reviews.xml", NULL,
                           XML_PARSE_NONET | XML_PARSE_NOWARNING);
    if (!f->doc)
        fail_msg("the feed is not well-formed XML (%zu bytes): %.600s", len, body);
    f->root = xmlDocGetRootElement(f->doc);
    check_feed(f);
}

/* g_setup starts chorusd with a short debounce, so the feed follows a
 * write within a few tens of milliseconds. */
static int g_setup(void **state)
{
    *state = chorusd_new("google_feed_debounce_ms = 20\n");
    return *state ? 0 : -1;
}

/* g_setup_parts makes parts of at most PART_BYTES: a few hundred reviews
 * fill several. The public URL is fixed because the parts' bytes depend on
 * it, and chorusd gets another port each time it starts. */
#define PUBLIC_URL "https://reviews.example.com"
static int g_setup_parts(void **state)
{
    *state = chorusd_new("google_feed_part_bytes = 20000\ngoogle_feed_debounce_ms = 300\n"
                         "google_feed_max_delay_ms = 2000\npublic_url = " PUBLIC_URL "\n");
    return *state ? 0 : -1;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* fetch GETs the feed once it is rendered, checks the reply and parses it. */
static void fetch(struct chorusd *d, struct gfeed *f)
{
    h_google_settle(d);
    memset(f, 0, sizeof(*f));
    f->r = h_get(d, FEED_PATH);
    expect_status(f->r, 200);
    expect_header(f->r, "Content-Type", "application/xml");
    expect_header(f->r, "Cache-Control", "public");
    expect_header(f->r, "ETag", "\"");
    assert_int_equal(f->r->curl_code, 0);
    parse_into(f, f->r->body, f->r->len);
}

static void gfeed_free(struct gfeed *f)
{
    xmlFreeDoc(f->doc);
    hresp_free(f->r);
    memset(f, 0, sizeof(*f));
}

/* ids writes the review ids of the feed, in document order. */
static size_t ids(struct gfeed *f, uint64_t *out, size_t cap)
{
    size_t n = 0;

    for (xmlNode *c = first_elem(f->reviews->children); c; c = first_elem(c->next)) {
        assert_true(n < cap);
        out[n++] = review_id(c);
    }
    return n;
}

/* ---- structure ---------------------------------------------------------------------- */

CHORUS_TEST_SETUP(google_structure, g_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t r_full, r_anon, r_title_only, r_scaled, got[16];
    char list[256];
    struct hresp *r;
    struct gfeed f;
    xmlNode *rv;

    r = h_put_json(d, "/api/v1/products/lap-1",
                   "{\"name\":\"Inspiron 14\",\"brand\":\"Dell\",\"url\":"
                   "\"https://example.com/p/lap-1\",\"gtin\":\"" GTIN "\",\"mpn\":\"I14-5430\"}");
    expect_status(r, 201);
    hresp_free(r);
    r = h_put_json(d, "/api/v1/products/plain-1", "{\"name\":\"Plain thing\"}");
    expect_status(r, 201);
    hresp_free(r);

    r_full = h_post_review(d, "{\"product_id\":\"lap-1\",\"rating\":5,\"title\":\"Great\","
                              "\"body\":\"Quiet keys.\",\"author\":\"Ada\",\"verified\":true,"
                              "\"created_at\":\"2024-05-01T10:00:00Z\"}");
    h_post_review(d, "{\"product_id\":\"lap-1\",\"title\":\"A blog mention\",\"body\":\"m\"}");
    h_post_review(d, "{\"product_id\":\"lap-1\",\"rating\":2,\"body\":\"wait\","
                     "\"status\":\"pending\"}");
    h_post_review(d, "{\"product_id\":\"lap-1\",\"rating\":1,\"body\":\"spam\","
                     "\"status\":\"rejected\"}");
    r_anon = h_post_review(d, "{\"product_id\":\"plain-1\",\"rating\":3,\"body\":\"ok\","
                              "\"verified\":false,\"created_at\":\"2023-01-02T03:04:05Z\"}");
    r_title_only = h_post_review(d, "{\"product_id\":\"new-9\",\"rating\":4,"
                                    "\"title\":\"Title only\",\"author\":\"  \"}");
    r_scaled = h_post_review(d, "{\"product_id\":\"lap-1\",\"rating\":7,\"rating_scale\":10,"
                                "\"body\":\"seven of ten\",\"author\":\"Grace\"}");
    /* approved, rated, but nothing to say: Google requires content */
    h_post_review(d, "{\"product_id\":\"lap-1\",\"rating\":4}");

    fetch(d, &f);
    assert_int_equal(ids(&f, got, 16), 4);
    assert_int_equal(got[0], r_full);
    assert_int_equal(got[1], r_anon);
    assert_int_equal(got[2], r_title_only);
    assert_int_equal(got[3], r_scaled);

    rv = review_by_id(&f, r_full);
    assert_string_equal(names(rv, list, sizeof(list)),
                        "review_id,reviewer,is_verified_purchase,review_timestamp,title,content,"
                        "review_url,ratings,products,collection_method");
    expect_text(rv, "reviewer/name", "Ada");
    expect_attr(rv, "reviewer/name", "is_anonymous", NULL);
    expect_text(rv, "is_verified_purchase", "true");
    expect_text(rv, "review_timestamp", "2024-05-01T10:00:00Z");
    expect_text(rv, "title", "Great");
    expect_text(rv, "content", "Quiet keys.");
    expect_attr(rv, "review_url", "type", "group");
    expect_text(
        rv, "review_url",
        h_fmt("http://127.0.0.1:%d/p/lap-1#review-%llu", d->port, (unsigned long long)r_full));
    assert_string_equal(names(child(rv, "ratings"), list, sizeof(list)), "overall");
    expect_text(rv, "ratings/overall", "5");
    expect_attr(rv, "ratings/overall", "min", "1");
    expect_attr(rv, "ratings/overall", "max", "5");
    assert_string_equal(names(child(rv, "products"), list, sizeof(list)), "product");
    assert_string_equal(names(child(rv, "products/product"), list, sizeof(list)),
                        "product_ids,product_name,product_url");
    assert_string_equal(names(child(rv, "products/product/product_ids"), list, sizeof(list)),
                        "gtins,mpns,skus,brands");
    expect_text(rv, "products/product/product_ids/gtins/gtin", GTIN);
    expect_text(rv, "products/product/product_ids/mpns/mpn", "I14-5430");
    expect_text(rv, "products/product/product_ids/skus/sku", "lap-1");
    expect_text(rv, "products/product/product_ids/brands/brand", "Dell");
    expect_text(rv, "products/product/product_name", "Inspiron 14");
    expect_text(rv, "products/product/product_url", "https://example.com/p/lap-1");
    expect_text(rv, "collection_method", "unsolicited");

    /* No author: anonymous. No gtin, mpn or brand: only the SKU group. */
    rv = review_by_id(&f, r_anon);
    expect_text(rv, "reviewer/name", "Anonymous");
    expect_attr(rv, "reviewer/name", "is_anonymous", "true");
    expect_text(rv, "is_verified_purchase", "false");
    expect_text(rv, "review_timestamp", "2023-01-02T03:04:05Z");
    assert_null(child(rv, "title"));
    expect_text(rv, "ratings/overall", "3");
    assert_string_equal(names(child(rv, "products/product/product_ids"), list, sizeof(list)),
                        "skus");
    expect_text(rv, "products/product/product_ids/skus/sku", "plain-1");
    expect_text(rv, "products/product/product_name", "Plain thing");
    expect_text(rv, "products/product/product_url",
                h_fmt("http://127.0.0.1:%d/p/plain-1", d->port));

    /* A title and no body: the title is the content, sent once. A blank
     * author is no name. A product known only from its review is named by
     * its id. Without created_at the review's time is its ingest time. */
    rv = review_by_id(&f, r_title_only);
    assert_null(child(rv, "title"));
    expect_text(rv, "content", "Title only");
    expect_attr(rv, "reviewer/name", "is_anonymous", "true");
    expect_text(rv, "products/product/product_name", "new-9");
    assert_non_null(child(rv, "review_timestamp"));

    /* 7 of 10 is 4 stars (docs/reviews.md) */
    rv = review_by_id(&f, r_scaled);
    expect_text(rv, "ratings/overall", "4");
    expect_text(rv, "reviewer/name", "Grace");
    gfeed_free(&f);

    /* Moderation moves a review out of the feed. */
    r = h_post_json(d, h_fmt("/api/v1/reviews/%llu/moderation", (unsigned long long)r_anon),
                    "{\"status\":\"rejected\",\"reason\":\"test\"}");
    expect_status(r, 200);
    hresp_free(r);
    fetch(d, &f);
    assert_int_equal(ids(&f, got, 16), 3);
    assert_int_equal(got[1], r_title_only);
    gfeed_free(&f);
}

/* HEAD answers the headers only; the feed takes no parameters. */
CHORUS_TEST_SETUP(google_head_and_params, g_setup, h_teardown)
{
    struct chorusd *d = *state;
    struct hreq head = {.method = "HEAD", .path = FEED_PATH};
    struct hresp *r;

    h_post_review(d, "{\"product_id\":\"p\",\"rating\":5,\"body\":\"x\"}");
    h_google_settle(d);
    r = h_do(d, &head);
    expect_status(r, 200);
    expect_header(r, "Content-Type", "application/xml");
    assert_non_null(hresp_header(r, "Content-Length"));
    assert_true(strtoull(hresp_header(r, "Content-Length"), NULL, 10) > 300);
    assert_int_equal(r->len, 0);
    hresp_free(r);
    r = h_get(d, FEED_PATH "?limit=10");
    expect_problem(r, 400);
    hresp_free(r);
    r = h_post_json(d, FEED_PATH, "{}");
    expect_problem(r, 405);
    hresp_free(r);
}

/* ---- hostile text -------------------------------------------------------------------- */

CHORUS_TEST_SETUP(google_hostile_text, g_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t id, blank_id, got[4];
    struct hresp *r;
    struct gfeed f;
    xmlNode *rv;

    r = h_put_json(d, "/api/v1/products/h%26%3C1",
                   "{\"name\":\"<b>Bold & \\\"quoted\\\"</b> ]]>\",\"brand\":\"A&B <Co>\"}");
    expect_status(r, 201);
    hresp_free(r);
    id = h_post_review(d,
                       "{\"product_id\":\"h&<1\",\"rating\":2,"
                       "\"title\":\"<script>alert(\\\"x\\\")</script> & 'q' ]]>\","
                       "\"body\":\"]]> & <b>bold</b> \\\"quotes\\\" 'apos' \\u0001 ctl \\u007f del "
                       "\\u0085 nel \\u202e RTL \\u202c \\u2028 tab\\t nl\\n emoji \\ud83d\\ude00 "
                       "<![CDATA[x]]> &amp; &#0; end\","
                       "\"author\":\"Bob \\\"&\\\" <Evil> ]]> \\u202eoll\"}");
    /* Blank title and body: nothing Google would take as content. */
    blank_id = h_post_review(d, "{\"product_id\":\"h&<1\",\"rating\":5,\"title\":\"   \","
                                "\"body\":\" \\n\\t \"}");
    assert_true(blank_id > id);

    fetch(d, &f);
    assert_int_equal(ids(&f, got, 4), 1);
    assert_int_equal(got[0], id);
    rv = review_by_id(&f, id);
    expect_text(rv, "title", "<script>alert(\"x\")</script> & 'q' ]]>");
    /* Controls that XML 1.0 cannot carry (C0 but tab, CR and newline) and
     * the discouraged DEL and C1 controls become one U+FFFD each; everything
     * else comes back exactly. */
    expect_text(rv, "content",
                "]]> & <b>bold</b> \"quotes\" 'apos' \xef\xbf\xbd ctl \xef\xbf\xbd del "
                "\xef\xbf\xbd nel \xe2\x80\xae RTL \xe2\x80\xac \xe2\x80\xa8 tab\t nl\n emoji "
                "\xf0\x9f\x98\x80 <![CDATA[x]]> &amp; &#0; end");
    expect_text(rv, "reviewer/name", "Bob \"&\" <Evil> ]]> \xe2\x80\xaeoll");
    expect_text(rv, "products/product/product_name", "<b>Bold & \"quoted\"</b> ]]>");
    expect_text(rv, "products/product/product_ids/skus/sku", "h&<1");
    expect_text(rv, "products/product/product_ids/brands/brand", "A&B <Co>");
    expect_text(rv, "products/product/product_url",
                h_fmt("http://127.0.0.1:%d/p/h%%26%%3C1", d->port));
    expect_text(
        rv, "review_url",
        h_fmt("http://127.0.0.1:%d/p/h%%26%%3C1#review-%llu", d->port, (unsigned long long)id));
    /* The markup in the text is text: no element sneaked in. */
    assert_null(child(rv, "content/b"));
    assert_null(child(rv, "title/script"));
    gfeed_free(&f);
}

/* ---- streaming ------------------------------------------------------------------------- */

/* seed posts n approved, rated reviews (bodies of about body_len bytes) in
 * batches, plus one pending review per batch, and records the ids of the
 * approved ones in out (room for n). */
static void seed(struct chorusd *d, size_t n, size_t body_len, uint64_t *out)
{
    size_t done = 0, batch = body_len > 2000 ? 300 : 1000;
    char *filler = malloc(body_len + 1);
    uint64_t *ids = calloc(batch + 1, sizeof(*ids));

    assert_non_null(filler);
    assert_non_null(ids);
    for (size_t i = 0; i < body_len; i++)
        filler[i] = i % 8 == 7 ? ' ' : (char)('a' + i % 26);
    filler[body_len] = '\0';
    while (done < n) {
        size_t k = n - done < batch ? n - done : batch, len = 0, cap = (k + 1) * (body_len + 200);
        char *body = malloc(cap);

        assert_non_null(body);
        len += (size_t)snprintf(body + len, cap - len,
                                "[{\"product_id\":\"held\",\"rating\":3,\"body\":\"x\","
                                "\"status\":\"pending\"}");
        for (size_t i = 0; i < k; i++)
            len +=
                (size_t)snprintf(body + len, cap - len,
                                 ",{\"product_id\":\"s-%zu\",\"rating\":%zu,\"author\":"
                                 "\"Reader %zu\",\"body\":\"%zu %s\"}",
                                 (done + i) % 37, 1 + (done + i) % 5, done + i, done + i, filler);
        assert_true(len + 2 < cap);
        body[len++] = ']';
        body[len] = '\0';
        /* ids[0] is the pending review's. */
        seed_reviews_json(d, body, k + 1, ids);
        memcpy(out + done, ids + 1, k * sizeof(*ids));
        free(body);
        done += k;
    }
    free(ids);
    free(filler);
}

/* A catalogue of a few megabytes is one part at the default limit, sent
 * whole with its length. */
CHORUS_TEST_SETUP(google_large, g_setup, h_teardown)
{
    struct chorusd *d = *state;
    enum { N = 3000 };
    uint64_t *want = calloc(N, sizeof(uint64_t)), *got = calloc(N + 1, sizeof(uint64_t));
    struct gfeed f;
    const char *cl;

    assert_non_null(want);
    assert_non_null(got);
    seed(d, N, 300, want);
    fetch(d, &f);
    cl = hresp_header(f.r, "Content-Length");
    assert_non_null(cl);
    assert_int_equal(strtoull(cl, NULL, 10), f.r->len);
    assert_true(f.r->len > 1u << 20);
    assert_int_equal(ids(&f, got, N + 1), N);
    for (size_t i = 0; i < N; i++)
        if (got[i] != want[i])
            fail_msg("review %zu of the feed is %llu, expected %llu", i, (unsigned long long)got[i],
                     (unsigned long long)want[i]);
    gfeed_free(&f);
    free(want);
    free(got);
}

/* A long run of reviews that may not appear (pending, here) between two
 * that do: the render walks past them. */
CHORUS_TEST_SETUP(google_long_gaps, g_setup, h_teardown)
{
    struct chorusd *d = *state;
    enum { HELD = 5500 };
    uint64_t first, last, got[4];
    size_t cap = HELD * 80 + 64, len = 0;
    char *body = malloc(cap);
    struct gfeed f;

    assert_non_null(body);
    first = h_post_review(d, "{\"product_id\":\"g\",\"rating\":5,\"body\":\"first\"}");
    for (int batch = 0; batch < 2; batch++) {
        len = 0;
        body[len++] = '[';
        for (size_t i = 0; i < HELD; i++)
            len += (size_t)snprintf(body + len, cap - len,
                                    "%s{\"product_id\":\"g\",\"rating\":4,\"body\":\"held\","
                                    "\"status\":\"pending\"}",
                                    i ? "," : "");
        assert_true(len + 2 < cap);
        body[len++] = ']';
        body[len] = '\0';
        seed_reviews_json(d, body, HELD, NULL);
    }
    free(body);
    last = h_post_review(d, "{\"product_id\":\"g\",\"rating\":1,\"body\":\"last\"}");
    fetch(d, &f);
    assert_int_equal(ids(&f, got, 4), 2);
    assert_int_equal(got[0], first);
    assert_int_equal(got[1], last);
    gfeed_free(&f);
}

/* ---- raw connections ----------------------------------------------------------------- */

/* raw_open connects to chorusd with a tiny receive buffer, so that a reader
 * that stops reading stalls the server's writes quickly, and sends req. */
static int raw_open(struct chorusd *d, const char *req)
{
    struct sockaddr_in a;
    struct timeval tv = {30, 0};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), small = 4096;
    size_t off = 0, n = strlen(req);

    assert_true(fd >= 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)d->port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    while (off < n) {
        ssize_t k = write(fd, req + off, n - off);

        assert_true(k > 0);
        off += (size_t)k;
    }
    return fd;
}

/* raw_read reads up to cap bytes (until EOF when cap is 0, growing *buf). */
static size_t raw_read(int fd, char **buf, size_t cap)
{
    size_t len = 0, alloc = cap ? cap + 1 : 1 << 20;
    char *b = malloc(alloc);

    assert_non_null(b);
    for (;;) {
        ssize_t k;

        if (cap && len >= cap)
            break;
        if (len + 1 == alloc) {
            alloc *= 2;
            b = realloc(b, alloc);
            assert_non_null(b);
        }
        k = read(fd, b + len, (cap ? cap : alloc - 1) - len);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            fail_msg("read from chorusd: %s", strerror(errno));
        if (k == 0)
            break;
        len += (size_t)k;
    }
    b[len] = '\0';
    *buf = b;
    return len;
}

/* A reader that leaves in the middle of a part: the server lets the file go
 * once (the sanitizers at teardown would report a double free, a use after
 * free or a leak) and goes on serving. */
CHORUS_TEST_SETUP(google_client_leaves, g_setup, h_teardown)
{
    struct chorusd *d = *state;
    enum { N = 900 };
    uint64_t *want = calloc(N, sizeof(uint64_t)), got[N + 1];
    struct hresp *r;
    struct gfeed f;
    char *head;
    int fd;

    assert_non_null(want);
    seed(d, N, 8000, want); /* ~7 MB of feed: far more than socket buffers hold */
    h_google_settle(d);
    for (int round = 0; round < 3; round++) {
        fd = raw_open(d, "GET " FEED_PATH " HTTP/1.1\r\nHost: t\r\n\r\n");
        raw_read(fd, &head, 2000);
        expect_contains(head, "HTTP/1.1 200");
        expect_contains(head, "Content-Length: ");
        free(head);
        close(fd); /* unread data: the kernel answers the server with a reset */
    }
    r = h_get(d, "/healthz");
    expect_status(r, 200);
    hresp_free(r);
    fetch(d, &f);
    assert_int_equal(ids(&f, got, N + 1), N);
    assert_int_equal(got[N - 1], want[N - 1]);
    gfeed_free(&f);
    free(want);
}

/* The server stopping while a reader stalls in the middle of a part:
 * chorusd still exits cleanly (status 0 means the sanitizers found
 * nothing), and starts again on the parts it left. */
CHORUS_TEST_SETUP(google_shutdown_mid_stream, g_setup, h_teardown)
{
    struct chorusd *d = *state;
    enum { N = 900 };
    uint64_t *want = calloc(N, sizeof(uint64_t));
    char *head;
    int fd;

    assert_non_null(want);
    seed(d, N, 8000, want);
    h_google_settle(d);
    fd = raw_open(d, "GET " FEED_PATH " HTTP/1.1\r\nHost: t\r\n\r\n");
    raw_read(fd, &head, 2000);
    expect_contains(head, "HTTP/1.1 200");
    free(head);
    assert_int_equal(chorusd_stop(d), 0);
    close(fd);
    assert_int_equal(chorusd_start(d), 0); /* for the teardown */
    free(want);
}

/* An HTTP/1.0 client gets the whole document (not chunked: the body ends
 * with the connection). */
CHORUS_TEST_SETUP(google_http10, g_setup, h_teardown)
{
    struct chorusd *d = *state;
    enum { N = 1200 };
    uint64_t *want = calloc(N, sizeof(uint64_t)), got[N + 1];
    struct gfeed f;
    char *all, *body;
    size_t len;
    int fd;

    assert_non_null(want);
    seed(d, N, 300, want);
    h_google_settle(d);
    fd = raw_open(d, "GET " FEED_PATH " HTTP/1.0\r\n\r\n");
    len = raw_read(fd, &all, 0);
    close(fd);
    expect_contains(all, "HTTP/1.0 200");
    body = strstr(all, "\r\n\r\n");
    assert_non_null(body);
    *body = '\0';
    if (strstr(all, "Transfer-Encoding"))
        fail_msg("an HTTP/1.0 reply cannot be chunked; headers: %s", all);
    body += 4;
    memset(&f, 0, sizeof(f));
    parse_into(&f, body, len - (size_t)(body - all));
    assert_int_equal(ids(&f, got, N + 1), N);
    assert_int_equal(got[0], want[0]);
    assert_int_equal(got[N - 1], want[N - 1]);
    gfeed_free(&f);
    free(all);
    free(want);
}

/* ---- empty ------------------------------------------------------------------------------ */

CHORUS_TEST_SETUP(google_empty, g_setup, h_teardown)
{
    struct chorusd *d = *state;
    struct gfeed f;

    fetch(d, &f);
    assert_non_null(f.reviews);
    assert_null(first_elem(f.reviews->children));
    expect_text(f.root, "publisher/name", "Chorus");
    gfeed_free(&f);

    /* Reviews that may not appear leave it empty too. */
    h_post_review(d, "{\"product_id\":\"p\",\"body\":\"a mention\"}");
    h_post_review(d,
                  "{\"product_id\":\"p\",\"rating\":4,\"body\":\"held\",\"status\":\"pending\"}");
    fetch(d, &f);
    assert_null(first_elem(f.reviews->children));
    gfeed_free(&f);
}

/* ---- parts ------------------------------------------------------------------------------ */

/* read_parts reads every part the index idx lists: each must be a valid
 * feed of at most PART_BYTES whose size and review count are the index's.
 * Writes the review ids of all parts, in order, to got (room for cap) and
 * returns how many; part 1 must also be what FEED_PATH answers. */
static size_t read_parts(struct chorusd *d, json_t *idx, uint64_t *got, size_t cap)
{
    json_t *parts = jpath(idx, "parts");
    size_t total = 0;

    assert_true(json_is_array(parts));
    for (size_t i = 0; i < json_array_size(parts); i++) {
        json_t *p = json_array_get(parts, i);
        const char *url = json_string_value(json_object_get(p, "url"));
        const char *updated = json_string_value(json_object_get(p, "updated"));
        struct gfeed f;
        size_t k;

        assert_non_null(url);
        assert_string_equal(url, h_fmt(PUBLIC_URL "/feeds/google-reviews/%zu.xml", i + 1));
        assert_non_null(updated);
        assert_int_equal(strlen(updated), 20); /* RFC 3339, UTC: 2026-01-02T03:04:05Z */
        assert_int_equal(updated[19], 'Z');
        memset(&f, 0, sizeof(f));
        f.r = h_get(d, strstr(url, "/feeds/"));
        expect_status(f.r, 200);
        expect_header(f.r, "Content-Type", "application/xml");
        if (f.r->len > PART_BYTES)
            fail_msg("part %zu is %zu bytes, over the limit of %d", i + 1, f.r->len, PART_BYTES);
        assert_int_equal(json_integer_value(json_object_get(p, "bytes")), f.r->len);
        parse_into(&f, f.r->body, f.r->len);
        k = ids(&f, got + total, cap - total);
        assert_int_equal(json_integer_value(json_object_get(p, "reviews")), k);
        total += k;
        if (i == 0) {
            struct hresp *one = h_get(d, FEED_PATH);

            expect_status(one, 200);
            assert_int_equal(one->len, f.r->len);
            assert_memory_equal(one->body, f.r->body, f.r->len);
            hresp_free(one);
        }
        gfeed_free(&f);
    }
    return total;
}

/* get_if answers path with If-None-Match: etag. */
static struct hresp *get_if(struct chorusd *d, const char *path, const char *etag)
{
    const char *headers[] = {h_fmt("If-None-Match: %s", etag), NULL};
    struct hreq q = {.method = "GET", .path = path, .headers = headers};

    return h_do(d, &q);
}

/* A few hundred reviews at a 20,000-byte limit: several parts, each a
 * valid document under the limit, holding together every approved rated
 * review once, in id order, and nothing else. */
CHORUS_TEST_SETUP(google_parts, g_setup_parts, h_teardown)
{
    struct chorusd *d = *state;
    enum { N = 300 };
    uint64_t want[N], got[N + 8];
    struct hresp *idx, *r;
    char etag[64];
    size_t n_parts;

    seed(d, N, 100, want); /* with a pending review per batch */
    h_post_review(d,
                  "{\"product_id\":\"s-1\",\"rating\":1,\"body\":\"no\",\"status\":\"rejected\"}");
    h_post_review(d, "{\"product_id\":\"s-1\",\"body\":\"a mention, no stars\"}");
    h_google_settle(d);
    idx = h_get(d, INDEX_PATH);
    expect_status(idx, 200);
    expect_header(idx, "Content-Type", "application/json");
    expect_header(idx, "Cache-Control", "public");
    n_parts = json_array_size(jpath(idx->json, "parts"));
    if (n_parts < 3)
        fail_msg("%zu parts; expected at least 3 of %d bytes for %d reviews", n_parts, PART_BYTES,
                 N);
    h__expect_ids("the parts", got, read_parts(d, idx->json, got, N + 8), N + 8, want, N, __FILE__,
                  __LINE__);

    /* Revalidation: the index and a part answer 304 to their own ETags. */
    snprintf(etag, sizeof(etag), "%s", hresp_header(idx, "ETag"));
    r = get_if(d, INDEX_PATH, etag);
    expect_status(r, 304);
    hresp_free(r);
    r = h_get(d, "/feeds/google-reviews/2.xml");
    expect_status(r, 200);
    snprintf(etag, sizeof(etag), "%s", hresp_header(r, "ETag"));
    hresp_free(r);
    r = get_if(d, "/feeds/google-reviews/2.xml", etag);
    expect_status(r, 304);
    assert_int_equal(r->len, 0);
    hresp_free(r);
    r = get_if(d, FEED_PATH, etag); /* part 1 is another document */
    expect_status(r, 200);
    hresp_free(r);

    /* Parts that do not exist, and numbers that are not part numbers. */
    r = h_get(d, h_fmt("/feeds/google-reviews/%zu.xml", n_parts + 1));
    expect_problem(r, 404);
    hresp_free(r);
    r = h_get(d, "/feeds/google-reviews/0.xml");
    expect_problem(r, 404);
    hresp_free(r);
    r = h_get(d, "/feeds/google-reviews/01.xml");
    expect_problem(r, 404);
    hresp_free(r);
    r = h_get(d, "/feeds/google-reviews/1x.xml");
    expect_problem(r, 404);
    hresp_free(r);
    r = h_get(d, "/feeds/google-reviews/1.xml?x=1");
    expect_problem(r, 400);
    hresp_free(r);
    hresp_free(idx);
}

/* Approving a review re-renders the parts within the debounce: the index
 * changes and the review is in exactly one part. */
CHORUS_TEST_SETUP(google_parts_follow_changes, g_setup_parts, h_teardown)
{
    struct chorusd *d = *state;
    enum { N = 150 };
    uint64_t want[N + 1], got[N + 8], held;
    struct hresp *before, *after = NULL, *r;
    struct timespec pause = {0, 20 * 1000 * 1000};
    double deadline;
    size_t n, seen = 0;

    seed(d, N, 100, want);
    h_google_settle(d);
    before = h_get(d, INDEX_PATH);
    expect_status(before, 200);
    held = h_post_review(d, "{\"product_id\":\"s-2\",\"rating\":4,\"body\":\"held back\","
                            "\"status\":\"pending\"}");
    r = h_post_json(d, h_fmt("/api/v1/reviews/%llu/moderation", (unsigned long long)held),
                    "{\"status\":\"approved\"}");
    expect_status(r, 200);
    hresp_free(r);
    /* google_feed_debounce_ms is 300 and the render takes milliseconds; ten
     * seconds is only the deadline of a very slow machine. */
    deadline = now_s() + 10;
    for (;;) {
        after = h_get(d, INDEX_PATH);
        expect_status(after, 200);
        if (after->len != before->len || memcmp(after->body, before->body, before->len) != 0)
            break;
        hresp_free(after);
        if (now_s() > deadline)
            fail_msg("the index did not change within 10 seconds of the approval");
        nanosleep(&pause, NULL);
    }
    n = read_parts(d, after->json, got, N + 8);
    assert_int_equal(n, N + 1);
    for (size_t i = 0; i < n; i++)
        seen += got[i] == held;
    assert_int_equal(seen, 1);
    want[N] = held; /* the newest id: last */
    h__expect_ids("the parts", got, n, N + 8, want, N + 1, __FILE__, __LINE__);
    hresp_free(after);
    hresp_free(before);
}

/* A restart with an unchanged store serves the parts it left without
 * rendering; the next change renders again. */
CHORUS_TEST_SETUP(google_parts_restart, g_setup_parts, h_teardown)
{
    struct chorusd *d = *state;
    enum { N = 200 };
    uint64_t want[N], got[N + 8];
    struct hresp *before, *after, *r;
    char etag[64];

    seed(d, N, 100, want);
    h_google_settle(d);
    assert_true(h_metric(d, "chorus_google_feed_renders_total") >= 1);
    before = h_get(d, INDEX_PATH);
    expect_status(before, 200);
    r = h_get(d, "/feeds/google-reviews/3.xml");
    expect_status(r, 200);
    snprintf(etag, sizeof(etag), "%s", hresp_header(r, "ETag"));
    hresp_free(r);

    chorusd_restart(d);
    assert_int_equal(h_metric(d, "chorus_google_feed_pending"), 0);
    assert_int_equal(h_metric(d, "chorus_google_feed_renders_total"), 0);
    assert_int_equal(h_metric(d, "chorus_google_feed_reviews"), N);
    after = h_get(d, INDEX_PATH);
    expect_status(after, 200);
    assert_int_equal(after->len, before->len);
    assert_memory_equal(after->body, before->body, before->len);
    r = get_if(d, "/feeds/google-reviews/3.xml", etag);
    expect_status(r, 304);
    hresp_free(r);
    h__expect_ids("the parts", got, read_parts(d, after->json, got, N + 8), N + 8, want, N,
                  __FILE__, __LINE__);
    assert_int_equal(h_metric(d, "chorus_google_feed_renders_total"), 0);

    h_post_review(d, "{\"product_id\":\"s-3\",\"rating\":2,\"body\":\"after the restart\"}");
    h_google_settle(d);
    assert_int_equal(h_metric(d, "chorus_google_feed_renders_total"), 1);
    assert_int_equal(h_metric(d, "chorus_google_feed_reviews"), N + 1);
    hresp_free(after);
    hresp_free(before);
}

CHORUS_TEST_MAIN()
