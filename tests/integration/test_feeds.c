/* Atom feeds over HTTP (RFC 4287, paged per RFC 5005): per product, per
 * category and for everything. Which reviews appear and in what order, the
 * entry's parts (stars, chorus:rating, categories, links, HTML content),
 * stable ids, paging both ways, conditional GET, hostile review text, WebSub
 * links and review components.
 *
 * Every feed is parsed with libxml2 the way a careful reader does (no
 * network, no entities) and checked against RFC 4287 (atom_check.c). */
#define _GNU_SOURCE /* strcasestr */

#include "harness.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "atom_check.h"
#include "seed.h"
#include "testmain.h"

#define MAX_ENTRIES 64

/* ---- helpers ------------------------------------------------------------------------- */

static void moderate(struct chorusd *d, uint64_t id, const char *status)
{
    struct hresp *r =
        h_post_json(d, h_fmt("/api/v1/reviews/%llu/moderation", (unsigned long long)id),
                    h_fmt("{\"status\":\"%s\"}", status));

    expect_status(r, 200);
    hresp_free(r);
}

/* feed_ids writes the review ids of the feed's entries, in order, into ids
 * (room for cap) and returns how many entries there are. */
static size_t feed_ids(xmlDoc *doc, uint64_t *ids, size_t cap)
{
    xmlNode *e[MAX_ENTRIES];
    size_t n = ac_entries(doc, e, MAX_ENTRIES);

    assert_true(n <= MAX_ENTRIES);
    for (size_t i = 0; i < n && i < cap; i++)
        ids[i] = ac_review_id(doc, e[i]);
    return n;
}

/* expect_ids checks the feed's entries are exactly want[0..n), in order. */
#define expect_ids(doc, want, n) expect_ids_((doc), (want), (n), __FILE__, __LINE__)
static void expect_ids_(xmlDoc *doc, const uint64_t *want, size_t n, const char *file, int line)
{
    uint64_t got[MAX_ENTRIES];
    size_t k = feed_ids(doc, got, MAX_ENTRIES);

    h__expect_ids("feed entries", got, k, MAX_ENTRIES, want, n, file, line);
}

/* expect_feed fetches path and checks its entries are exactly the n ids
 * that follow, in order. */
#define expect_feed(d, path, n, ...)                                                               \
    expect_feed_((d), (path), (n), (const uint64_t[]){__VA_ARGS__}, __FILE__, __LINE__)

static void expect_feed_(struct chorusd *d, const char *path, size_t n, const uint64_t *want,
                         const char *file, int line)
{
    xmlDoc *doc = ac__fetch(d, path, false, file, line);

    expect_ids_(doc, want, n, file, line);
    xmlFreeDoc(doc);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

/* expect_id_set checks the feed's entries are the reviews want[0..n) in
 * some order. */
#define expect_id_set(doc, want, n) expect_id_set_((doc), (want), (n), __FILE__, __LINE__)
static void expect_id_set_(xmlDoc *doc, const uint64_t *want, size_t n, const char *file, int line)
{
    uint64_t got[MAX_ENTRIES], w[MAX_ENTRIES];
    size_t k = feed_ids(doc, got, MAX_ENTRIES);

    assert_true(n <= MAX_ENTRIES);
    memcpy(w, want, n * sizeof(*w));
    qsort(w, n, sizeof(*w), cmp_u64);
    qsort(got, k, sizeof(*got), cmp_u64);
    h__expect_ids("feed entries (sorted)", got, k, MAX_ENTRIES, w, n, file, line);
}

/* entry_for returns the entry of review id, failing when it is absent. */
static xmlNode *entry_for(xmlDoc *doc, uint64_t id)
{
    xmlNode *e[MAX_ENTRIES];
    size_t n = ac_entries(doc, e, MAX_ENTRIES);

    for (size_t i = 0; i < n && i < MAX_ENTRIES; i++)
        if (ac_review_id(doc, e[i]) == id)
            return e[i];
    fail_msg("review %llu is not in the feed", (unsigned long long)id);
    return NULL;
}

/* starts_with for UTF-8 text. */
static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- one product's feed ---------------------------------------------------------------- */

#define STARS_2  "\xe2\x98\x85\xe2\x98\x85\xe2\x98\x86\xe2\x98\x86\xe2\x98\x86" /* ★★☆☆☆ */
#define STARS_3  "\xe2\x98\x85\xe2\x98\x85\xe2\x98\x85\xe2\x98\x86\xe2\x98\x86" /* ★★★☆☆ */
#define STARS_4  "\xe2\x98\x85\xe2\x98\x85\xe2\x98\x85\xe2\x98\x85\xe2\x98\x86" /* ★★★★☆ */
#define STARS_5  "\xe2\x98\x85\xe2\x98\x85\xe2\x98\x85\xe2\x98\x85\xe2\x98\x85" /* ★★★★★ */
#define RESPONSE "We are sorry: a replacement hinge is on its way."

/* expect_categories checks an entry's category terms: the product and
 * every level of its category path. */
static void expect_categories(xmlDoc *doc, xmlNode *e, const char *product, const char *const *cats)
{
    ac_expect_count(doc, e, h_fmt("atom:category[@term = '%s']", product), 1);
    for (size_t i = 0; cats[i]; i++)
        ac_expect_count(doc, e, h_fmt("atom:category[@term = '%s']", cats[i]), 1);
}

CHORUS_TEST_SETUP(product_feed_structure, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    static const char *const cats[] = {"laptops", "laptops/ultrabooks", NULL};
    uint64_t rated, mention, pending, rejected, verified, want[3], again[3];
    struct hresp *r;
    xmlDoc *doc;
    xmlNode *e;
    char *s;

    seed_product(d, "lap-1",
                 "{\"name\":\"Lumora 14\",\"brand\":\"Lumora\",\"category\":\"laptops/ultrabooks\","
                 "\"url\":\"https://shop.example.com/lumora-14\"}");
    rated = h_post_review(d, "{\"product_id\":\"lap-1\",\"rating\":4,\"title\":\"Solid machine\","
                             "\"body\":\"Fast and quiet.\",\"author\":\"Ann\","
                             "\"created_at\":\"2024-05-01T10:00:00Z\"}");
    mention = h_post_review(d, "{\"product_id\":\"lap-1\",\"title\":\"Mentioned in a blog\","
                               "\"body\":\"The Lumora 14 came up in our roundup.\","
                               "\"created_at\":\"2024-05-02T10:00:00Z\"}");
    pending = h_post_review(d, "{\"product_id\":\"lap-1\",\"rating\":5,\"status\":\"pending\","
                               "\"title\":\"Waiting\",\"created_at\":\"2024-05-03T10:00:00Z\"}");
    rejected = h_post_review(d, "{\"product_id\":\"lap-1\",\"rating\":1,\"title\":\"Spam\","
                                "\"created_at\":\"2024-05-04T10:00:00Z\"}");
    moderate(d, rejected, "rejected");
    verified =
        h_post_review(d, "{\"product_id\":\"lap-1\",\"rating\":2,\"title\":\"Hinge trouble\","
                         "\"body\":\"The hinge creaks.\",\"author\":\"Bo\",\"verified\":true,"
                         "\"created_at\":\"2024-05-05T10:00:00Z\"}");
    r = h_post_json(d, h_fmt("/api/v1/reviews/%llu/responses", (unsigned long long)verified),
                    "{\"author\":\"Lumora support\",\"body\":\"" RESPONSE "\"}");
    expect_status(r, 201);
    hresp_free(r);

    doc = ac_fetch(d, "/feeds/products/lap-1.atom", false);
    /* Approved only, newest created_at first. */
    want[0] = verified;
    want[1] = mention;
    want[2] = rated;
    expect_id_set(doc, want, 3); /* which reviews, then their order */
    expect_ids(doc, want, 3);

    ac_expect_str(doc, NULL, "/atom:feed/atom:link[@rel = 'alternate']/@href",
                  "https://shop.example.com/lumora-14");
    s = ac_str(doc, NULL, "/atom:feed/atom:title");
    expect_contains(s, "Lumora 14");
    free(s);

    e = entry_for(doc, verified);
    ac_expect_str(doc, e, "atom:title", STARS_2 " Hinge trouble");
    ac_expect_str(doc, e, "atom:title/@type", "text");
    ac_expect_str(doc, e, "chorus:rating/@value", "2");
    ac_expect_str(doc, e, "atom:author/atom:name", "Bo");
    ac_expect_str(doc, e, "atom:published", "2024-05-05T10:00:00Z");
    expect_categories(doc, e, "lap-1", cats);
    ac_expect_str(
        doc, e, "atom:link[@rel = 'alternate']/@href",
        h_fmt("http://127.0.0.1:%d/p/lap-1#review-%llu", d->port, (unsigned long long)verified));
    ac_expect_str(doc, e, "atom:content/@type", "html");
    s = ac_str(doc, e, "atom:content");
    expect_contains(s, "Verified buyer");
    expect_contains(s, RESPONSE);
    expect_contains(s, "Lumora support");
    expect_contains(s, "The hinge creaks.");
    free(s);

    e = entry_for(doc, rated);
    ac_expect_str(doc, e, "atom:title", STARS_4 " Solid machine");
    ac_expect_str(doc, e, "chorus:rating/@value", "4");
    ac_expect_str(doc, e, "atom:published", "2024-05-01T10:00:00Z");
    expect_categories(doc, e, "lap-1", cats);
    ac_expect_str(
        doc, e, "atom:link[@rel = 'alternate']/@href",
        h_fmt("http://127.0.0.1:%d/p/lap-1#review-%llu", d->port, (unsigned long long)rated));
    s = ac_str(doc, e, "atom:content");
    assert_null(strstr(s, "Verified buyer"));
    expect_contains(s, "Fast and quiet.");
    free(s);

    /* A mention has no stars, in the title or as chorus:rating. */
    e = entry_for(doc, mention);
    ac_expect_str(doc, e, "atom:title", "Mentioned in a blog");
    ac_expect_count(doc, e, "chorus:rating", 0);
    expect_categories(doc, e, "lap-1", cats);
    ac_expect_str(
        doc, e, "atom:link[@rel = 'alternate']/@href",
        h_fmt("http://127.0.0.1:%d/p/lap-1#review-%llu", d->port, (unsigned long long)mention));

    /* Entry ids are stable: the same on the next request and after a restart
     * (the port changes; the tag: ids do not). */
    {
        char *ids1[3], *ids2[3], *ids3[3];
        xmlNode *en[3];
        xmlDoc *d2, *d3;

        assert_int_equal(ac_entries(doc, en, 3), 3);
        for (size_t i = 0; i < 3; i++)
            ids1[i] = ac_str(doc, en[i], "atom:id");
        d2 = ac_fetch(d, "/feeds/products/lap-1.atom", false);
        assert_int_equal(ac_entries(d2, en, 3), 3);
        for (size_t i = 0; i < 3; i++)
            ids2[i] = ac_str(d2, en[i], "atom:id");
        chorusd_restart(d);
        d3 = ac_fetch(d, "/feeds/products/lap-1.atom", false);
        assert_int_equal(ac_entries(d3, en, 3), 3);
        for (size_t i = 0; i < 3; i++)
            ids3[i] = ac_str(d3, en[i], "atom:id");
        for (size_t i = 0; i < 3; i++) {
            assert_string_equal(ids1[i], ids2[i]);
            assert_string_equal(ids1[i], ids3[i]);
            free(ids1[i]);
            free(ids2[i]);
            free(ids3[i]);
        }
        feed_ids(d3, again, 3);
        assert_memory_equal(again, want, sizeof(want));
        xmlFreeDoc(d2);
        xmlFreeDoc(d3);
    }
    xmlFreeDoc(doc);

    /* The pending review appears, in created_at order, once approved. */
    moderate(d, pending, "approved");
    doc = ac_fetch(d, "/feeds/products/lap-1.atom", false);
    {
        const uint64_t four[4] = {verified, pending, mention, rated};

        expect_ids(doc, four, 4);
    }
    ac_expect_str(doc, entry_for(doc, pending), "atom:title", STARS_5 " Waiting");
    xmlFreeDoc(doc);
}

/* ---- categories and everything ----------------------------------------------------------- */

CHORUS_TEST_SETUP(category_and_all_feeds, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t ub[2], gm[2], mon[2];
    struct hresp *r;
    xmlDoc *doc;

    seed_product(d, "ub-1", "{\"name\":\"Air 13\",\"category\":\"laptops/ultrabooks\"}");
    seed_product(d, "gm-1", "{\"name\":\"Blaze 17\",\"category\":\"laptops/gaming\"}");
    seed_product(d, "mon-1", "{\"name\":\"View 27\",\"category\":\"monitors\"}");
    for (int i = 0; i < 2; i++) {
        ub[i] = h_post_review(d, h_fmt("{\"product_id\":\"ub-1\",\"rating\":%d,"
                                       "\"created_at\":\"2024-06-0%dT10:00:00Z\"}",
                                       4 + i, 1 + i));
        gm[i] = h_post_review(d, h_fmt("{\"product_id\":\"gm-1\",\"rating\":%d,"
                                       "\"created_at\":\"2024-06-0%dT11:00:00Z\"}",
                                       3 + i, 1 + i));
        mon[i] = h_post_review(d, h_fmt("{\"product_id\":\"mon-1\",\"rating\":%d,"
                                        "\"created_at\":\"2024-06-0%dT12:00:00Z\"}",
                                        2 + i, 1 + i));
    }

    /* The parent category holds both subcategories' reviews, newest first. */
    expect_feed(d, "/feeds/categories/laptops.atom", 4, gm[1], ub[1], gm[0], ub[0]);

    expect_feed(d, "/feeds/categories/laptops/gaming.atom", 2, gm[1], gm[0]);

    expect_feed(d, "/feeds/categories/monitors.atom", 2, mon[1], mon[0]);

    expect_feed(d, "/feeds/reviews.atom", 6, mon[1], gm[1], ub[1], mon[0], gm[0], ub[0]);

    r = h_get(d, "/feeds/categories/tablets.atom");
    expect_problem(r, 404);
    hresp_free(r);
    r = h_get(d, "/feeds/categories/laptops/tablets.atom");
    expect_problem(r, 404);
    hresp_free(r);
    r = h_get(d, "/feeds/products/no-such-product.atom");
    expect_problem(r, 404);
    hresp_free(r);

    /* Moving a product moves its reviews between the category feeds. The
     * feeds were just served (and cached), so this also checks the move
     * invalidates both sides. */
    seed_product(d, "mon-1", "{\"name\":\"View 27\",\"category\":\"laptops/gaming\"}");
    expect_feed(d, "/feeds/categories/monitors.atom", 0, 0);
    expect_feed(d, "/feeds/categories/laptops/gaming.atom", 4, mon[1], gm[1], mon[0], gm[0]);
    doc = ac_fetch(d, "/feeds/categories/laptops.atom", false);
    expect_ids(doc, ((const uint64_t[]){mon[1], gm[1], ub[1], mon[0], gm[0], ub[0]}), 6);
    /* Its entries now carry the new category terms. */
    ac_expect_count(doc, entry_for(doc, mon[0]), "atom:category[@term = 'laptops/gaming']", 1);
    ac_expect_count(doc, entry_for(doc, mon[0]), "atom:category[@term = 'monitors']", 0);
    xmlFreeDoc(doc);

    /* And back. */
    seed_product(d, "mon-1", "{\"name\":\"View 27\",\"category\":\"monitors\"}");
    expect_feed(d, "/feeds/categories/laptops.atom", 4, gm[1], ub[1], gm[0], ub[0]);
    expect_feed(d, "/feeds/categories/monitors.atom", 2, mon[1], mon[0]);

    /* Every scope's paging links lead to pages of the same feed. */
    {
        static const char *const paged[] = {"/feeds/categories/laptops.atom?limit=2",
                                            "/feeds/reviews.atom?limit=2"};
        uint64_t all[8];
        size_t n = 0;

        for (size_t i = 0; i < 2; i++) {
            char *next;

            doc = ac_fetch(d, paged[i], false);
            next = ac_link(doc, "next");
            assert_non_null(next);
            n = feed_ids(doc, all, 8);
            xmlFreeDoc(doc);
            assert_int_equal(n, 2);
            r = h_get(d, ac_href_path(next));
            if (r->status != 200)
                fail_msg("%s: rel=next is %s, which answers %ld", paged[i], next, r->status);
            hresp_free(r);
            free(next);
        }
    }
}

/* ---- paging (RFC 5005) --------------------------------------------------------------------- */

#define PAGED 25

/* page_ids fetches one page, appends its ids to ids[*n] and returns the
 * document (caller frees). */
static xmlDoc *page_ids(struct chorusd *d, const char *path, uint64_t *ids, size_t *n)
{
    xmlDoc *doc = ac_fetch(d, path, false);
    uint64_t got[MAX_ENTRIES];
    size_t k = feed_ids(doc, got, MAX_ENTRIES);

    assert_true(k <= 10);
    assert_true(*n + k <= 2 * PAGED);
    memcpy(ids + *n, got, k * sizeof(*got));
    *n += k;
    return doc;
}

/* expect_last_ends_walk follows rel=next from first (a path) to the end,
 * expecting total entries, and checks that the first page's rel=last is
 * the page the walk ended on. */
#define expect_last_ends_walk(d, first, total)                                                     \
    expect_last_ends_walk_((d), (first), (total), __FILE__, __LINE__)
static void expect_last_ends_walk_(struct chorusd *d, const char *first, size_t total,
                                   const char *file, int line)
{
    uint64_t all[2 * PAGED], end[2 * PAGED], got[MAX_ENTRIES];
    size_t n = 0, nend = 0, k;
    char path[1024], *last = NULL, *next;
    xmlDoc *doc;

    snprintf(path, sizeof(path), "%s", first);
    for (int pages = 0;; pages++) {
        assert_true(pages < 20);
        doc = ac_fetch(d, path, false);
        k = feed_ids(doc, got, MAX_ENTRIES);
        assert_true(k <= MAX_ENTRIES && n + k <= 2 * PAGED);
        memcpy(all + n, got, k * sizeof(*got));
        memcpy(end, got, k * sizeof(*got));
        n += k;
        nend = k;
        if (!last)
            last = ac_link(doc, "last");
        next = ac_link(doc, "next");
        xmlFreeDoc(doc);
        if (!next)
            break;
        snprintf(path, sizeof(path), "%s", ac_href_path(next));
        free(next);
    }
    if (n != total) {
        print_error("%s: the forward walk gave %zu entries, expected %zu\n", first, n, total);
        _fail(file, line);
    }
    if (!last) {
        print_error("%s: no rel=last on the first page\n", first);
        _fail(file, line);
    }
    doc = ac_fetch(d, ac_href_path(last), false);
    k = feed_ids(doc, got, MAX_ENTRIES);
    xmlFreeDoc(doc);
    if (k != nend || memcmp(got, end, k * sizeof(*got)) != 0) {
        print_error("%s: rel=last (%s) has %zu entries (newest %llu), the forward walk ended on "
                    "%zu (newest %llu)\n",
                    first, last, k, (unsigned long long)(k ? got[0] : 0), nend,
                    (unsigned long long)(nend ? end[0] : 0));
        free(last);
        _fail(file, line);
    }
    free(last);
}

CHORUS_TEST_SETUP(paging, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t posted[PAGED], fwd[2 * PAGED], back[2 * PAGED], page[MAX_ENTRIES], last_ids[10];
    size_t nf = 0, nb = 0, pages = 0, nlast;
    char path[1024], *last = NULL, *link;
    struct hresp *r;
    json_t *arr = json_array();
    xmlDoc *doc;

    for (int i = 0; i < PAGED; i++)
        json_array_append_new(arr, json_pack("{s:s, s:i, s:s}", "product_id", "pg-1", "rating",
                                             1 + i % 5, "created_at",
                                             h_fmt("2024-01-%02dT12:00:00Z", i + 1)));
    seed_reviews(d, arr, posted);

    /* Forward: first page, then rel=next to the end. */
    snprintf(path, sizeof(path), "/feeds/products/pg-1.atom?limit=10");
    for (;;) {
        doc = page_ids(d, path, fwd, &nf);
        pages++;
        link = ac_link(doc, "first");
        assert_non_null(link);
        free(link);
        link = ac_link(doc, "previous");
        if (pages == 1) {
            assert_null(link); /* nothing newer than the first page */
            last = ac_link(doc, "last");
            assert_non_null(last);
        } else {
            assert_non_null(link);
        }
        free(link);
        link = ac_link(doc, "next");
        xmlFreeDoc(doc);
        if (!link)
            break;
        assert_true(pages < 10);
        snprintf(path, sizeof(path), "%s", ac_href_path(link));
        expect_contains(path, "limit=10");
        free(link);
    }
    assert_int_equal(pages, 3);
    assert_int_equal(nf, PAGED);
    for (size_t i = 0; i < PAGED; i++)
        if (fwd[i] != posted[PAGED - 1 - i])
            fail_msg("forward position %zu is review %llu, expected %llu (newest first)", i,
                     (unsigned long long)fwd[i], (unsigned long long)posted[PAGED - 1 - i]);

    /* Backward: rel=last, then rel=previous to the start. Pages are
     * prepended, so back[] reads newest first as well. */
    snprintf(path, sizeof(path), "%s", ac_href_path(last));
    nlast = 0;
    pages = 0;
    for (;;) {
        size_t k = 0;

        doc = page_ids(d, path, page, &k);
        pages++;
        if (pages == 1) {
            memcpy(last_ids, page, (k < 10 ? k : 10) * sizeof(*page));
            nlast = k;
            link = ac_link(doc, "next");
            assert_null(link); /* nothing older than the last page */
        }
        memmove(back + k, back, nb * sizeof(*back));
        memcpy(back, page, k * sizeof(*page));
        nb += k;
        link = ac_link(doc, "previous");
        xmlFreeDoc(doc);
        if (!link)
            break;
        assert_true(pages < 10);
        snprintf(path, sizeof(path), "%s", ac_href_path(link));
        free(link);
    }
    free(last);
    assert_int_equal(nb, PAGED);
    for (size_t i = 0; i < PAGED; i++)
        if (back[i] != fwd[i])
            fail_msg("backward walk: position %zu is review %llu, forward gave %llu", i,
                     (unsigned long long)back[i], (unsigned long long)fwd[i]);

    r = h_get(d, "/feeds/products/pg-1.atom?limit=0");
    expect_problem(r, 400);
    hresp_free(r);
    r = h_get(d, "/feeds/products/pg-1.atom?limit=201");
    expect_problem(r, 400);
    hresp_free(r);
    r = h_get(d, "/feeds/products/pg-1.atom?limit=10&cursor=not-a-cursor");
    expect_problem(r, 400);
    hresp_free(r);
    r = h_get(d, "/feeds/reviews.atom?cursor=AAAA");
    expect_problem(r, 400);
    hresp_free(r);

    /* Last: the oldest page of the sequence first/next... walks, i.e. the
     * oldest 5 reviews with limit 10 (25 = 10 + 10 + 5). */
    if (nlast != PAGED % 10)
        fail_msg("rel=last has %zu entries (reviews %llu down to %llu); the forward walk's last "
                 "page has the oldest %d (reviews %llu down to %llu)",
                 nlast, (unsigned long long)last_ids[0],
                 (unsigned long long)last_ids[nlast ? nlast - 1 : 0], PAGED % 10,
                 (unsigned long long)fwd[PAGED - PAGED % 10], (unsigned long long)fwd[PAGED - 1]);
    for (size_t i = 0; i < nlast; i++)
        assert_int_equal(last_ids[i], fwd[PAGED - nlast + i]);

    /* Mentions are entries too, pending and rejected reviews are not: the
     * last page still is where the forward walk ends, in a category too
     * (the product moves into one here). */
    seed_product(d, "pg-1", "{\"name\":\"Paged\",\"category\":\"laptops/pg\"}");
    h_post_review(d, "{\"product_id\":\"pg-1\",\"title\":\"A mention\","
                     "\"created_at\":\"2023-12-31T12:00:00Z\"}");
    h_post_review(d, "{\"product_id\":\"pg-1\",\"rating\":3,\"status\":\"pending\","
                     "\"created_at\":\"2023-12-30T12:00:00Z\"}");
    moderate(d,
             h_post_review(d, "{\"product_id\":\"pg-1\",\"rating\":3,"
                              "\"created_at\":\"2023-12-29T12:00:00Z\"}"),
             "rejected");
    expect_last_ends_walk(d, "/feeds/products/pg-1.atom?limit=7", PAGED + 1);
    expect_last_ends_walk(d, "/feeds/categories/laptops.atom?limit=4", PAGED + 1);
    expect_last_ends_walk(d, "/feeds/categories/laptops/pg.atom?limit=13", PAGED + 1);
}

/* ---- conditional GET ---------------------------------------------------------------------- */

static struct hresp *get_with(struct chorusd *d, const char *path, const char *h1, const char *h2)
{
    const char *hdrs[3] = {h1, h2, NULL};
    struct hreq q = {.method = "GET", .path = path, .headers = hdrs};

    return h_do(d, &q);
}

CHORUS_TEST_SETUP(conditional_get, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    const char *path = "/feeds/products/cg-1.atom";
    char *etag, *modified, inm[256], ims[256];
    struct hresp *r;

    seed_product(d, "cg-1", "{\"name\":\"Cond 1\",\"category\":\"laptops\"}");
    h_post_review(d, "{\"product_id\":\"cg-1\",\"rating\":4,\"title\":\"Good\","
                     "\"created_at\":\"2024-03-01T10:00:00Z\"}");

    r = h_get(d, path);
    expect_status(r, 200);
    assert_non_null(hresp_header(r, "ETag"));
    assert_non_null(hresp_header(r, "Last-Modified"));
    etag = strdup(hresp_header(r, "ETag"));
    modified = strdup(hresp_header(r, "Last-Modified"));
    hresp_free(r);
    snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
    snprintf(ims, sizeof(ims), "If-Modified-Since: %s", modified);

    r = get_with(d, path, inm, NULL);
    expect_status(r, 304);
    assert_int_equal(r->len, 0);
    expect_header(r, "ETag", etag);
    hresp_free(r);

    r = get_with(d, path, ims, NULL);
    expect_status(r, 304);
    assert_int_equal(r->len, 0);
    hresp_free(r);

    /* Weak comparison: the same tag without W/, in a list, still matches. */
    assert_true(strncmp(etag, "W/", 2) == 0);
    r = get_with(d, path, h_fmt("If-None-Match: \"other\", %s", etag + 2), NULL);
    expect_status(r, 304);
    hresp_free(r);

    /* If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2). */
    r = get_with(d, path, "If-None-Match: \"something-else\"", ims);
    expect_status(r, 200);
    assert_true(r->len > 0);
    hresp_free(r);

    /* A new review makes the old validator stale. */
    h_post_review(d, "{\"product_id\":\"cg-1\",\"rating\":1,\"title\":\"Broke\","
                     "\"created_at\":\"2024-03-02T10:00:00Z\"}");
    r = get_with(d, path, inm, NULL);
    expect_status(r, 200);
    assert_non_null(hresp_header(r, "ETag"));
    if (strcmp(hresp_header(r, "ETag"), etag) == 0)
        fail_msg("the ETag did not change after a new review: %s", etag);
    expect_contains(r->body, "Broke");
    hresp_free(r);
    free(etag);
    free(modified);
}

/* ---- feeds follow changes ------------------------------------------------------------ */

/* Feeds are cached per scope version (server/cache.c): every write that
 * changes what a feed shows must reach every feed that shows it, even one
 * that was just served. */

static const char *const follow_paths[] = {
    "/feeds/products/fc-1.atom",
    "/feeds/categories/laptops.atom",
    "/feeds/categories/laptops/fc.atom",
    "/feeds/reviews.atom",
};
#define N_FOLLOW (sizeof(follow_paths) / sizeof(follow_paths[0]))

static void prime(struct chorusd *d)
{
    for (size_t i = 0; i < N_FOLLOW; i++)
        xmlFreeDoc(ac_fetch(d, follow_paths[i], false));
}

/* note appends one finding to bad (cap bytes). */
static void note(char *bad, size_t cap, const char *what, const char *path)
{
    size_t n = strlen(bad);

    snprintf(bad + n, cap - n, "\n  after %s: %s", what, path);
}

CHORUS_TEST_SETUP(feeds_follow_changes, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    char bad[4096] = "";
    uint64_t r1, r2;
    struct hresp *r;

    seed_product(d, "fc-1", "{\"name\":\"Old Name\",\"category\":\"laptops/fc\"}");
    r1 = h_post_review(d, "{\"product_id\":\"fc-1\",\"rating\":4,\"title\":\"First\","
                          "\"created_at\":\"2024-09-01T10:00:00Z\"}");
    r2 = h_post_review(d, "{\"product_id\":\"fc-1\",\"rating\":2,\"title\":\"Second\","
                          "\"created_at\":\"2024-09-02T10:00:00Z\"}");

    /* A rename (same category) shows in every entry's chorus:product. */
    prime(d);
    seed_product(d, "fc-1", "{\"name\":\"New Name\",\"category\":\"laptops/fc\"}");
    for (size_t i = 0; i < N_FOLLOW; i++) {
        xmlDoc *doc = ac_fetch(d, follow_paths[i], false);
        char *name = ac_str(doc, entry_for(doc, r1), "chorus:product");

        if (strcmp(name, "New Name") != 0)
            note(bad, sizeof(bad), h_fmt("a rename, chorus:product is \"%s\"", name),
                 follow_paths[i]);
        free(name);
        xmlFreeDoc(doc);
    }

    /* A brand response shows in the entry's content. */
    prime(d);
    r = h_post_json(d, h_fmt("/api/v1/reviews/%llu/responses", (unsigned long long)r1),
                    "{\"body\":\"Thanks from the brand\"}");
    expect_status(r, 201);
    hresp_free(r);
    for (size_t i = 0; i < N_FOLLOW; i++) {
        xmlDoc *doc = ac_fetch(d, follow_paths[i], false);
        char *html = ac_str(doc, entry_for(doc, r1), "atom:content");

        if (!strstr(html, "Thanks from the brand"))
            note(bad, sizeof(bad), "a brand response, the content lacks it", follow_paths[i]);
        free(html);
        xmlFreeDoc(doc);
    }

    /* A rejected review leaves every feed; a deleted one too. */
    prime(d);
    moderate(d, r2, "rejected");
    for (size_t i = 0; i < N_FOLLOW; i++) {
        xmlDoc *doc = ac_fetch(d, follow_paths[i], false);
        uint64_t ids[4];
        size_t n = feed_ids(doc, ids, 4);

        if (n != 1 || ids[0] != r1)
            note(bad, sizeof(bad), "rejecting the second review, it is still listed",
                 follow_paths[i]);
        xmlFreeDoc(doc);
    }
    prime(d);
    r = h_delete(d, h_fmt("/api/v1/reviews/%llu", (unsigned long long)r1));
    expect_status(r, 204);
    hresp_free(r);
    for (size_t i = 0; i < N_FOLLOW; i++) {
        xmlDoc *doc = ac_fetch(d, follow_paths[i], false);
        uint64_t ids[4];

        if (feed_ids(doc, ids, 4) != 0)
            note(bad, sizeof(bad), "deleting the first review, it is still listed",
                 follow_paths[i]);
        xmlFreeDoc(doc);
    }
    if (bad[0])
        fail_msg("stale feeds:%s", bad);
}

/* ---- hostile text -----------------------------------------------------------------------------
 */

struct hostile {
    const char *title, *body, *author;
};

static const struct hostile hostile[] = {
    {"<script>alert(1)</script>",
     "Ends a CDATA ]]> early, &amp; stays literal, \"double\" and 'single' quotes "
     "<script>alert(2)</script>",
     "<b>Mallory</b> & \"Eve\""},
    {"\xe2\x80\xae"
     "exe.txt \xe2\x80\xac plain",
     "<img src=x onerror=alert(1)>",
     "\xe2\x80\xae"
     "Trudy"},
    {"ctrl\x01"
     "char",
     "bell\x07 and unit\x1f separator",
     "Ctrl\x01"
     "Author"},
    {"]]><![CDATA[<script>alert(3)</script>]]>",
     "<a href=\"javascript:alert(1)\" onclick=\"alert(2)\">click</a><svg onload=alert(4)>",
     "O'Brien & Sons <i>"},
};

/* xml_safe returns s with what XML 1.0 cannot carry replaced by U+FFFD, as
 * docs/feeds.md says every feed does (C0 controls but tab and newline,
 * DEL). Heap; caller frees. */
static char *xml_safe(const char *s)
{
    size_t n = strlen(s), o = 0;
    char *out = malloc(3 * n + 1);

    assert_non_null(out);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
            memcpy(out + o, "\xef\xbf\xbd", 3);
            o += 3;
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
    return out;
}

CHORUS_TEST_SETUP(hostile_text, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    size_t n = sizeof(hostile) / sizeof(hostile[0]);
    uint64_t ids[sizeof(hostile) / sizeof(hostile[0])];
    xmlDoc *doc;

    seed_product(d, "hx-1", "{\"name\":\"Hostile <Test> & Co\",\"category\":\"laptops\"}");
    for (size_t i = 0; i < n; i++)
        ids[i] = seed_review(d, json_pack("{s:s, s:i, s:s, s:s, s:s, s:s}", "product_id", "hx-1",
                                          "rating", 3, "title", hostile[i].title, "body",
                                          hostile[i].body, "author", hostile[i].author,
                                          "created_at", h_fmt("2024-07-0%zuT10:00:00Z", i + 1)));

    /* Every scope's feed is well-formed (ac_fetch parses and checks it). */
    xmlFreeDoc(ac_fetch(d, "/feeds/categories/laptops.atom", false));
    xmlFreeDoc(ac_fetch(d, "/feeds/reviews.atom", false));
    doc = ac_fetch(d, "/feeds/products/hx-1.atom", false);
    for (size_t i = 0; i < n; i++) {
        xmlNode *e = entry_for(doc, ids[i]);
        char *title = xml_safe(hostile[i].title), *author = xml_safe(hostile[i].author);
        char *body = xml_safe(hostile[i].body);
        char *html = ac_str(doc, e, "atom:content"), *text;
        xmlDoc *hd;

        /* The text comes back as the same characters. */
        ac_expect_str(doc, e, "atom:title", h_fmt("%s %s", STARS_3, title));
        ac_expect_str(doc, e, "atom:author/atom:name", author);
        ac_expect_str(doc, e, "atom:content/@type", "html");

        /* The HTML escapes markup: no raw <script anywhere. */
        if (strcasestr(html, "<script") || strcasestr(html, "<img") || strcasestr(html, "<svg") ||
            strcasestr(html, "<a "))
            fail_msg("review %zu: raw markup in the content HTML: %s", i, html);
        if (strstr(hostile[i].title, "<script>") || strstr(hostile[i].body, "<script>"))
            expect_contains(html, "&lt;script&gt;");

        /* What a reader's HTML parser builds from it holds no script, no
         * handler attribute, no injected element, and the original text. */
        hd = ac_parse_html(html);
        ac_expect_count(hd, NULL, "//script", 0);
        ac_expect_count(hd, NULL, "//img", 0);
        ac_expect_count(hd, NULL, "//svg", 0);
        ac_expect_count(hd, NULL, "//a", 0);
        ac_expect_count(hd, NULL, "//i", 0);
        ac_expect_count(hd, NULL, "//@*[starts-with(translate(name(), 'ON', 'on'), 'on')]", 0);
        text = ac_str(hd, NULL, "string(/)");
        expect_contains(text, title);
        expect_contains(text, body);
        expect_contains(text, author);
        free(text);
        xmlFreeDoc(hd);
        free(html);
        free(title);
        free(author);
        free(body);
    }
    xmlFreeDoc(doc);
}

/* ---- WebSub links -----------------------------------------------------------------------------
 */

#define HUB_URL    "http://127.0.0.1:9/hub" /* discard port: pings fail, feeds do not care */
#define PUBLIC_URL "http://feeds.example.test"

static int setup_hub(void **state)
{
    *state = chorusd_new("websub_hub = " HUB_URL "\npublic_url = " PUBLIC_URL "\n");
    return *state ? 0 : -1;
}

/* expect_self notes in bad (cap bytes) when self is not want. */
static void expect_self(char *bad, size_t cap, const char *self, const char *want)
{
    size_t n = strlen(bad);

    if (strcmp(self, want) != 0)
        snprintf(bad + n, cap - n, "\n  got %s, expected %s", self, want);
}

CHORUS_TEST_SETUP(websub_links_when_hub, setup_hub, h_teardown_extra)
{
    struct chorusd *d = *state;
    static const char *const paths[] = {"/feeds/products/hub-1.atom",
                                        "/feeds/categories/laptops/ultrabooks.atom",
                                        "/feeds/reviews.atom"};
    char bad[2048] = "", *self;
    uint64_t id;
    xmlDoc *doc;

    seed_product(d, "hub-1", "{\"name\":\"Hubbed\",\"category\":\"laptops/ultrabooks\"}");
    id = h_post_review(d, "{\"product_id\":\"hub-1\",\"rating\":5,\"title\":\"Pushed\"}");
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        doc = ac_fetch(d, paths[i], false);
        ac_expect_count(doc, NULL, "/atom:feed/atom:link[@rel = 'hub']", 1);
        ac_expect_str(doc, NULL, "/atom:feed/atom:link[@rel = 'hub']/@href", HUB_URL);
        self = ac_link(doc, "self");
        assert_non_null(self);
        expect_self(bad, sizeof(bad), self, h_fmt("%s%s", PUBLIC_URL, paths[i]));
        free(self);
        xmlFreeDoc(doc);
    }
    /* Links to review pages use the public URL too. */
    doc = ac_fetch(d, paths[0], false);
    self = ac_link(doc, "self");
    assert_true(starts_with(self, PUBLIC_URL "/feeds/products/"));
    free(self);
    ac_expect_str(doc, entry_for(doc, id), "atom:link[@rel = 'alternate']/@href",
                  h_fmt(PUBLIC_URL "/p/hub-1#review-%llu", (unsigned long long)id));
    xmlFreeDoc(doc);

    /* Without a hub: no rel=hub, and self is the listening address. */
    h_extra = chorusd_new(NULL);
    assert_non_null(h_extra);
    seed_product(h_extra, "hub-1", "{\"name\":\"Hubbed\",\"category\":\"laptops/ultrabooks\"}");
    h_post_review(h_extra, "{\"product_id\":\"hub-1\",\"rating\":5,\"title\":\"Pulled\"}");
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        doc = ac_fetch(h_extra, paths[i], false);
        ac_expect_count(doc, NULL, "/atom:feed/atom:link[@rel = 'hub']", 0);
        self = ac_link(doc, "self");
        assert_non_null(self);
        expect_self(bad, sizeof(bad), self,
                    h_fmt("http://127.0.0.1:%d%s", h_extra->port, paths[i]));
        free(self);
        xmlFreeDoc(doc);
    }
    /* The self link is the WebSub topic (docs/feeds.md): it must be the URL
     * the feed is served at. Reported last so every other check runs. */
    if (bad[0])
        fail_msg("rel=self differs from the feed's URL:%s", bad);
}

/* ---- components ----------------------------------------------------------------------- */

CHORUS_TEST_SETUP(components_in_api, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t id, plain;
    struct hresp *r;
    xmlDoc *doc;
    xmlNode *e;

    seed_product(d, "cp-1", "{\"name\":\"Comp 1\",\"category\":\"laptops\"}");
    id = h_post_review(d, "{\"product_id\":\"cp-1\",\"rating\":2,\"title\":\"Two problems\","
                          "\"body\":\"The hinge cracked and the battery drains fast\","
                          "\"created_at\":\"2024-08-01T10:00:00Z\"}");
    plain =
        h_post_review(d, "{\"product_id\":\"cp-1\",\"rating\":5,\"title\":\"Lovely\","
                         "\"body\":\"Nothing to add\",\"created_at\":\"2024-08-02T10:00:00Z\"}");

    r = h_get(d, h_fmt("/api/v1/reviews/%llu", (unsigned long long)id));
    expect_status(r, 200);
    assert_true(json_is_array(jpath(r->json, "components")));
    assert_int_equal(json_array_size(jpath(r->json, "components")), 2);
    expect_jstr(r->json, "components[0]", "battery"); /* taxonomy order, not text order */
    expect_jstr(r->json, "components[1]", "hinge");
    hresp_free(r);
    r = h_get(d, h_fmt("/api/v1/reviews/%llu", (unsigned long long)plain));
    expect_status(r, 200);
    assert_true(json_is_array(jpath(r->json, "components")));
    assert_int_equal(json_array_size(jpath(r->json, "components")), 0);
    hresp_free(r);

    doc = ac_fetch(d, "/feeds/products/cp-1.atom", false);
    e = entry_for(doc, id);
    ac_expect_count(doc, e, "chorus:component", 2);
    ac_expect_str(doc, e, "chorus:component[1]", "battery");
    ac_expect_str(doc, e, "chorus:component[2]", "hinge");
    ac_expect_count(doc, entry_for(doc, plain), "chorus:component", 0);
    xmlFreeDoc(doc);
}

/* ---- HEAD, errors and what is cached ------------------------------------------------ */

/* raw_exchange sends req on a fresh connection and returns everything read
 * until the server goes quiet for half a second (caller frees). */
static char *raw_exchange(struct chorusd *d, const char *req)
{
    struct sockaddr_in sa;
    struct timeval tv = {0, 500000};
    size_t len = 0, cap = 65536;
    char *out = malloc(cap + 1);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ssize_t n;

    assert_non_null(out);
    assert_true(fd >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)d->port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    assert_int_equal(send(fd, req, strlen(req), 0), (ssize_t)strlen(req));
    while (len < cap && (n = recv(fd, out + len, cap - len, 0)) > 0)
        len += (size_t)n;
    close(fd);
    out[len] = '\0';
    return out;
}

CHORUS_TEST_SETUP(head_errors_and_caching, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    char *out, *second, *next;
    struct hresp *r;
    xmlDoc *doc;

    seed_product(d, "hc-1", "{\"name\":\"Head 1\",\"category\":\"laptops\"}");
    for (int i = 0; i < 12; i++)
        h_post_review(d, h_fmt("{\"product_id\":\"hc-1\",\"rating\":%d,\"title\":\"T%d\","
                               "\"created_at\":\"2024-05-%02dT10:00:00Z\"}",
                               1 + i % 5, i, 1 + i));

    /* HEAD has headers only, so the next response on the connection is
     * read as a response (the cached and the rendered path alike). */
    for (int pass = 0; pass < 2; pass++) {
        out = raw_exchange(d, "HEAD /feeds/products/hc-1.atom HTTP/1.1\r\nHost: t\r\n\r\n"
                              "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
        second = strstr(out, "\r\n\r\n");
        assert_non_null(second);
        if (strncmp(second + 4, "HTTP/1.1 200", 12) != 0)
            fail_msg("after a HEAD reply came: %.200s", second + 4);
        assert_non_null(strstr(out, "Content-Length: "));
        free(out);
    }

    /* An error carries no validators, and a bad cursor is a 400 even when
     * a validator would match. */
    r = get_with(d, "/feeds/products/hc-1.atom?cursor=zzzz", "If-None-Match: *", NULL);
    expect_problem(r, 400);
    assert_null(hresp_header(r, "ETag"));
    assert_null(hresp_header(r, "Last-Modified"));
    hresp_free(r);

    /* Pages behind a cursor are rendered, not cached: made-up positions
     * must not fill the cache. */
    doc = ac_fetch(d, "/feeds/products/hc-1.atom?limit=2", false);
    next = ac_link(doc, "next");
    xmlFreeDoc(doc);
    assert_non_null(next);
    {
        unsigned long long before = h_metric(d, "chorus_cache_entries");
        const char *path = ac_href_path(next);

        for (int i = 0; i < 4; i++)
            xmlFreeDoc(ac_fetch(d, path, false));
        assert_int_equal(h_metric(d, "chorus_cache_entries"), before);
    }
    free(next);
    /* Spelling the same first page differently is one cache entry. */
    {
        unsigned long long before;

        xmlFreeDoc(ac_fetch(d, "/feeds/products/hc-1.atom?limit=3", false));
        before = h_metric(d, "chorus_cache_entries");
        xmlFreeDoc(ac_fetch(d, "/feeds/products/hc-1.atom?limit=003", false));
        assert_int_equal(h_metric(d, "chorus_cache_entries"), before);
    }
}

CHORUS_TEST_MAIN()
