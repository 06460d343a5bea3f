/* The Google feed cut into parts (feeds/google.c): every part a complete
 * document of at most the limit, every review in exactly one part and in
 * order, the sink told of each part's start, bytes and end. Without a store
 * or server: reviews are made here and the sink keeps parts in memory. */
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "testmain.h"

#include "chorus/feed.h"

#define MAX_PARTS 64

/* A sink that keeps every part, and checks the order of its calls. */
struct parts {
    struct buf part[MAX_PARTS];
    size_t reviews[MAX_PARTS];
    unsigned opened, closed;
    bool open;
};

static int on_open(void *ctx, unsigned part)
{
    struct parts *p = ctx;

    assert_false(p->open);
    assert_int_equal(part, p->opened + 1);
    assert_true(part <= MAX_PARTS);
    buf_init(&p->part[part - 1], 0);
    p->opened = part;
    p->open = true;
    return 0;
}

static int on_write(void *ctx, const char *data, size_t len)
{
    struct parts *p = ctx;

    assert_true(p->open);
    return buf_append(&p->part[p->opened - 1], data, len);
}

static int on_close(void *ctx, unsigned part, size_t reviews)
{
    struct parts *p = ctx;

    assert_true(p->open);
    assert_int_equal(part, p->opened);
    p->reviews[part - 1] = reviews;
    p->closed = part;
    p->open = false;
    return 0;
}

static void parts_free(struct parts *p)
{
    for (unsigned i = 0; i < p->opened; i++)
        buf_cleanup(&p->part[i]);
}

static const struct feed_site site = {
    .public_url = "https://reviews.example.com",
    .tag_authority = "example.com",
    .instance = "0123456789abcdef",
    .title = "Example",
};

/* write_feed writes reviews 1..n (body i is bodies(i)) at limit max into p
 * and returns the number of parts feed_google_end gave. */
static unsigned write_feed(struct parts *p, size_t max, size_t n, const char *(*bodies)(size_t))
{
    struct feed_google_sink sink = {on_open, on_write, on_close, p};
    struct product prod = {.id = "sku-1", .name = "Laptop"};
    struct feed_google *g;
    unsigned parts = 0;

    memset(p, 0, sizeof(*p));
    assert_int_equal(feed_google_new(&g, &site, NULL, NULL, max, &sink), 0);
    for (size_t i = 1; i <= n; i++) {
        struct review r = {
            .id = i,
            .product_id = "sku-1",
            .rating = 1 + (int)(i % 5),
            .body = bodies(i),
            .author = "Reader",
            .created_at = 1700000000 + (int64_t)i,
            .status = REVIEW_APPROVED,
        };

        assert_int_equal(feed_google_review(g, &r, &prod), 0);
    }
    assert_int_equal(feed_google_end(g, &parts), 0);
    assert_int_equal(parts, p->opened);
    assert_int_equal(p->closed, p->opened);
    return parts;
}

/* ids_of parses part i and appends its review ids to ids (*n of them so
 * far, room for cap); the part must be a well-formed feed. Returns how
 * many it held. */
static size_t ids_of(const struct buf *part, uint64_t *ids, size_t *n, size_t cap)
{
    xmlDoc *doc = xmlReadMemory(part->data, (int)part->len, NULL, NULL, XML_PARSE_NONET);
    xmlNode *root, *c;
    size_t k = 0;

    if (!doc)
        fail_msg("a part is not well-formed XML: %.300s", part->data);
    root = xmlDocGetRootElement(doc);
    assert_string_equal((const char *)root->name, "feed");
    for (c = root->children; c && !xmlStrEqual(c->name, BAD_CAST "reviews"); c = c->next)
        ;
    assert_non_null(c);
    for (c = c->children; c; c = c->next) {
        xmlChar *id;

        if (c->type != XML_ELEMENT_NODE)
            continue;
        assert_string_equal((const char *)c->name, "review");
        assert_true(*n < cap);
        id = xmlNodeGetContent(c->children); /* <review_id> comes first */
        ids[(*n)++] = strtoull((const char *)id, NULL, 10);
        xmlFree(id);
        k++;
    }
    xmlFreeDoc(doc);
    return k;
}

static const char *medium(size_t i)
{
    (void)i;
    return "Quiet keys, a bright screen and a battery that lasts the day; the fan is audible "
           "under load and the hinge feels solid. Would buy again for the office and travel.";
}

CHORUS_TEST(parts_split_at_the_limit)
{
    enum { N = 200, MAX = FEED_GOOGLE_MIN_PART };
    uint64_t ids[N + 1];
    size_t n = 0;
    struct parts p;
    unsigned parts = write_feed(&p, MAX, N, medium);

    assert_true(parts >= 5);
    for (unsigned i = 0; i < parts; i++) {
        if (p.part[i].len > MAX)
            fail_msg("part %u is %zu bytes, over %d", i + 1, p.part[i].len, MAX);
        assert_int_equal(ids_of(&p.part[i], ids, &n, N + 1), p.reviews[i]);
        assert_true(p.reviews[i] > 0);
    }
    /* Every review once, in the order given. */
    assert_int_equal(n, N);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(ids[i], i + 1);
    /* Parts are filled, not cut early: a review is far under half a part. */
    for (unsigned i = 0; i + 1 < parts; i++)
        assert_true(p.part[i].len > MAX / 2);
    parts_free(&p);
}

CHORUS_TEST(empty_feed_is_one_empty_part)
{
    uint64_t ids[1];
    size_t n = 0;
    struct parts p;

    assert_int_equal(write_feed(&p, FEED_GOOGLE_MIN_PART, 0, medium), 1);
    assert_int_equal(ids_of(&p.part[0], ids, &n, 1), 0);
    assert_int_equal(p.reviews[0], 0);
    parts_free(&p);
}

/* 20,000 ampersands are 100,000 bytes of XML: no part of the minimum size
 * holds review 2, so it goes alone, and the reviews around it are not
 * lost or moved. */
static const char *one_huge(size_t i)
{
    static char huge[20001];

    if (i != 2)
        return medium(i);
    memset(huge, '&', sizeof(huge) - 1);
    return huge;
}

CHORUS_TEST(review_larger_than_a_part_goes_alone)
{
    uint64_t ids[4];
    size_t n = 0;
    struct parts p;

    assert_int_equal(write_feed(&p, FEED_GOOGLE_MIN_PART, 3, one_huge), 3);
    for (unsigned i = 0; i < 3; i++)
        assert_int_equal(ids_of(&p.part[i], ids, &n, 4), 1);
    assert_int_equal(ids[0], 1);
    assert_int_equal(ids[1], 2);
    assert_int_equal(ids[2], 3);
    assert_true(p.part[1].len > 100000);
    assert_true(p.part[0].len <= FEED_GOOGLE_MIN_PART);
    assert_true(p.part[2].len <= FEED_GOOGLE_MIN_PART);
    parts_free(&p);
}

/* Reviews Google may not get write nothing; a limit under the minimum is
 * refused. */
CHORUS_TEST(skipped_reviews_and_bad_limits)
{
    struct parts p = {0};
    struct feed_google_sink sink = {on_open, on_write, on_close, &p};
    struct review pending = {
        .id = 1, .product_id = "p", .rating = 4, .body = "x", .status = REVIEW_PENDING};
    struct review mention = {.id = 2, .product_id = "p", .body = "x", .status = REVIEW_APPROVED};
    struct review blank = {.id = 3,
                           .product_id = "p",
                           .rating = 5,
                           .body = " \n",
                           .title = "\t",
                           .status = REVIEW_APPROVED};
    struct feed_google *g;
    unsigned parts = 0;
    uint64_t ids[1];
    size_t n = 0;

    assert_int_equal(feed_google_new(&g, &site, NULL, NULL, FEED_GOOGLE_MIN_PART - 1, &sink),
                     CHORUS_EINVAL);
    assert_null(g);
    assert_int_equal(feed_google_new(&g, &site, NULL, NULL, FEED_GOOGLE_MIN_PART, &sink), 0);
    assert_int_equal(feed_google_review(g, &pending, NULL), 0);
    assert_int_equal(feed_google_review(g, &mention, NULL), 0);
    assert_int_equal(feed_google_review(g, &blank, NULL), 0);
    assert_int_equal(p.opened, 0);
    assert_int_equal(feed_google_end(g, &parts), 0);
    assert_int_equal(parts, 1);
    assert_int_equal(ids_of(&p.part[0], ids, &n, 1), 0);
    parts_free(&p);
}

CHORUS_TEST_MAIN()
