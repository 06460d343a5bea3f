/* Products over HTTP: the catalogue, exact stats, ETags and the product
 * list. A product's review list is in test_review_lists.c. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testmain.h"

#define GTIN "4006381333931" /* a valid EAN-13 */

/* ---- the catalogue ------------------------------------------------------------ */

CHORUS_TEST_SETUP(product_put, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    const char *doc = "{\"name\":\"Inspiron 14\",\"brand\":\"Dell\",\"category\":"
                      "\"laptops/inspiron\",\"url\":\"https://example.com/p/lap-1\","
                      "\"image_url\":\"https://example.com/i/lap-1.jpg\",\"gtin\":\"" GTIN
                      "\",\"mpn\":\"I14-5430\"}";
    struct hresp *r = h_put_json(d, "/api/v1/products/lap-1", doc);

    expect_status(r, 201);
    expect_header(r, "Content-Type", "application/json");
    expect_jstr(r->json, "id", "lap-1");
    expect_jstr(r->json, "name", "Inspiron 14");
    expect_jstr(r->json, "brand", "Dell");
    expect_jstr(r->json, "category", "laptops/inspiron");
    expect_jstr(r->json, "url", "https://example.com/p/lap-1");
    expect_jstr(r->json, "image_url", "https://example.com/i/lap-1.jpg");
    expect_jstr(r->json, "gtin", GTIN);
    expect_jstr(r->json, "mpn", "I14-5430");
    expect_jint(r->json, "stats.count", 0);
    expect_jnull(r->json, "stats.average");
    expect_jint(r->json, "stats.mentions", 0);
    expect_jnull(r->json, "stats.last_review_at");
    assert_int_equal(json_array_size(jpath(r->json, "stats.histogram")), 5);
    hresp_free(r);

    r = h_put_json(d, "/api/v1/products/lap-1",
                   "{\"id\":\"lap-1\",\"name\":\"Inspiron 14 (2024)\",\"brand\":\"Dell\","
                   "\"category\":\" laptops / inspiron /\"}");
    expect_status(r, 200);
    expect_jstr(r->json, "name", "Inspiron 14 (2024)");
    expect_jstr(r->json, "category", "laptops/inspiron");
    hresp_free(r);
    r = h_get(d, "/api/v1/products/lap-1");
    expect_status(r, 200);
    expect_jstr(r->json, "name", "Inspiron 14 (2024)");
    hresp_free(r);

    /* A product that first arrived with a review gets its catalogue later. */
    h_post_review(d, "{\"product_id\":\"lap-2\",\"rating\":5}");
    r = h_put_json(d, "/api/v1/products/lap-2", "{\"name\":\"XPS 13\"}");
    expect_status(r, 200);
    expect_jstr(r->json, "name", "XPS 13");
    expect_jint(r->json, "stats.count", 1);
    hresp_free(r);
}

CHORUS_TEST_SETUP(product_put_errors, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    const char *body = "{\"name\":\"x\"}";
    struct hreq nokey = {.method = "PUT",
                         .path = "/api/v1/products/pe-1",
                         .ctype = "application/json",
                         .body = body,
                         .len = strlen(body)};
    struct hreq text = {.method = "PUT",
                        .path = "/api/v1/products/pe-1",
                        .key = true,
                        .ctype = "text/plain",
                        .body = body,
                        .len = strlen(body)};
    static const char *const bad[] = {
        "{\"name\":\"x\",\"colour\":\"red\"}",
        "{\"id\":\"other\",\"name\":\"x\"}",
        "{\"gtin\":\"4006381333932\"}",
        "{\"url\":\"ftp://example.com/x\"}",
        "{\"category\":\"laptops//inspiron\"}",
        "{\"name\":\"x\"",
        "[{\"name\":\"x\"}]",
        "{\"name\":5}",
    };
    struct hresp *r;

    r = h_do(d, &nokey);
    expect_problem(r, 401);
    hresp_free(r);
    r = h_do(d, &text);
    expect_problem(r, 415);
    hresp_free(r);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        r = h_put_json(d, "/api/v1/products/pe-1", bad[i]);
        expect_problem(r, 400);
        hresp_free(r);
    }
    r = h_get(d, "/api/v1/products/pe-1");
    expect_problem(r, 404);
    hresp_free(r);
}

/* ---- what the public sees of the catalogue (docs/reviews.md, "Who may change the catalogue")
 * ----------------------
 */

/* expect_public checks every public read of product id: the product JSON
 * and its reviews, the widget and hosted page, the product's Atom feed and
 * the listings (all, and its category). */
static void expect_public(struct chorusd *d, const char *id, const char *category, bool public)
{
    const char *paths[] = {"/api/v1/products/%s", "/api/v1/products/%s/reviews", "/p/%s",
                           "/widget/%s.html", "/feeds/products/%s.atom"};
    const char *lists[] = {"/api/v1/products", "/api/v1/products?category=%s"};
    struct hresp *r;

    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        r = h_get(d, h_fmt(paths[i], id));
        if (r->status != (public ? 200 : 404))
            fail_msg("GET %s: %ld", h_fmt(paths[i], id), r->status);
        hresp_free(r);
    }
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        r = h_get(d, h_fmt(lists[i], category));
        expect_status(r, 200);
        if (public)
            expect_contains(r->body, h_fmt("\"id\":\"%s\"", id));
        else if (strstr(r->body, h_fmt("\"id\":\"%s\"", id)))
            fail_msg("%s lists %s: %s", h_fmt(lists[i], category), id, r->body);
        hresp_free(r);
    }
}

/* A review waiting for moderation does not make its product appear; its
 * approval does. */
CHORUS_TEST_SETUP(pending_product_is_not_public, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t id = h_post_review(d, "{\"product_id\":\"np-1\",\"rating\":5,\"status\":\"pending\","
                                   "\"product\":{\"name\":\"Cheap pills\",\"category\":\"spam\","
                                   "\"url\":\"https://elsewhere.example/\"}}");
    struct hresp *r;

    expect_public(d, "np-1", "spam", false);
    /* A moderator reads it with the key, never from a cache. */
    r = h_get_key(d, "/api/v1/products/np-1");
    expect_status(r, 200);
    expect_header(r, "Cache-Control", "private, no-store");
    expect_jstr(r->json, "name", "Cheap pills");
    hresp_free(r);
    r = h_post_json(d, h_fmt("/api/v1/reviews/%llu/moderation", (unsigned long long)id),
                    "{\"status\":\"approved\"}");
    expect_status(r, 200);
    hresp_free(r);
    expect_public(d, "np-1", "spam", true);
}

/* The catalogue's own path makes a product public with no review at all. */
CHORUS_TEST_SETUP(put_product_is_public_without_reviews, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    struct hresp *r =
        h_put_json(d, "/api/v1/products/pp-1", "{\"name\":\"Dock\",\"category\":\"docks\"}");

    expect_status(r, 201);
    hresp_free(r);
    expect_public(d, "pp-1", "docks", true);
}

/* Catalogue URLs are http or https, in any case; anything else is refused
 * naming the field. */
CHORUS_TEST_SETUP(catalogue_urls_must_be_http, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    static const char *const bad[] = {"javascript:alert(1)", "JAVASCRIPT:alert(1)",
                                      "data:text/html,x", "/p/relative", "ftp://example.com/x"};
    struct hresp *r;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        r = h_put_json(d, "/api/v1/products/u-1", h_fmt("{\"url\":\"%s\"}", bad[i]));
        expect_problem(r, 400);
        expect_jcontains(r->json, "detail", "url must be an http:// or https:// address");
        hresp_free(r);
        r = h_put_json(d, "/api/v1/products/u-1", h_fmt("{\"image_url\":\"%s\"}", bad[i]));
        expect_problem(r, 400);
        expect_jcontains(r->json, "detail", "image_url must be");
        hresp_free(r);
        /* A posted review is refused per item (docs/reviews.md): alone, 422. */
        r = h_post_json(
            d, "/api/v1/reviews",
            h_fmt("{\"product_id\":\"u-1\",\"rating\":5,\"product\":{\"url\":\"%s\"}}", bad[i]));
        expect_problem(r, 422);
        expect_jcontains(r->json, "results[0].error", "product.url must be an http:// or https://");
        hresp_free(r);
    }
    r = h_get_key(d, "/api/v1/products/u-1");
    expect_problem(r, 404);
    hresp_free(r);
    r = h_put_json(d, "/api/v1/products/u-1", "{\"url\":\"HTTPS://Shop.Example/u-1\"}");
    expect_status(r, 201);
    expect_jstr(r->json, "url", "HTTPS://Shop.Example/u-1");
    hresp_free(r);
}

/* Ids are path segments: anything else is percent-encoded. */
CHORUS_TEST_SETUP(product_id_encoded, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    struct hresp *r;

    h_post_review(d, "{\"product_id\":\"a/b c\",\"rating\":4}");
    r = h_get(d, "/api/v1/products/a%2Fb%20c");
    expect_status(r, 200);
    expect_jstr(r->json, "id", "a/b c");
    expect_jint(r->json, "stats.count", 1);
    hresp_free(r);
    r = h_get(d, "/api/v1/products/a%2Fb%20c/reviews");
    expect_status(r, 200);
    assert_int_equal(json_array_size(jpath(r->json, "reviews")), 1);
    hresp_free(r);
}

CHORUS_TEST_SETUP(product_unknown, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    struct hresp *r = h_get(d, "/api/v1/products/nothing-here");

    expect_problem(r, 404);
    hresp_free(r);
    r = h_get(d, "/api/v1/products/nothing-here/reviews");
    expect_problem(r, 404);
    hresp_free(r);
}

/* ---- exact stats ---------------------------------------------------------------- */

CHORUS_TEST_SETUP(product_stats_exact, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    struct hresp *r;

    h_post_review(d,
                  "{\"product_id\":\"st-1\",\"rating\":5,\"created_at\":\"2024-02-01T00:00:00Z\"}");
    h_post_review(d,
                  "{\"product_id\":\"st-1\",\"rating\":4,\"created_at\":\"2024-02-02T00:00:00Z\"}");
    h_post_review(d,
                  "{\"product_id\":\"st-1\",\"rating\":5,\"created_at\":\"2024-02-03T00:00:00Z\"}");
    h_post_review(d, "{\"product_id\":\"st-1\",\"rating\":null,\"title\":\"a blog mention\","
                     "\"created_at\":\"2024-02-04T00:00:00Z\"}");
    h_post_review(d,
                  "{\"product_id\":\"st-1\",\"rating\":1,\"created_at\":\"2024-02-05T12:30:00Z\"}");
    /* Neither of these counts: pending, and another product. */
    h_post_review(d, "{\"product_id\":\"st-1\",\"rating\":1,\"status\":\"pending\","
                     "\"created_at\":\"2024-03-01T00:00:00Z\"}");
    h_post_review(d,
                  "{\"product_id\":\"st-2\",\"rating\":2,\"created_at\":\"2024-04-01T00:00:00Z\"}");

    r = h_get(d, "/api/v1/products/st-1");
    expect_status(r, 200);
    expect_jstr(r->json, "id", "st-1");
    expect_jint(r->json, "stats.count", 4);
    expect_jnum(r->json, "stats.average", 3.75);
    expect_jint(r->json, "stats.histogram[0]", 1);
    expect_jint(r->json, "stats.histogram[1]", 0);
    expect_jint(r->json, "stats.histogram[2]", 0);
    expect_jint(r->json, "stats.histogram[3]", 1);
    expect_jint(r->json, "stats.histogram[4]", 2);
    assert_int_equal(json_array_size(jpath(r->json, "stats.histogram")), 5);
    expect_jint(r->json, "stats.mentions", 1);
    expect_jstr(r->json, "stats.last_review_at", "2024-02-05T12:30:00Z");
    assert_non_null(jpath(r->json, "stats.sentiment"));
    hresp_free(r);
}

/* ---- ETags ---------------------------------------------------------------------- */

static void etag_roundtrip(struct chorusd *d, const char *path, const char *product)
{
    struct hresp *r = h_get(d, path);
    char *etag, inm[256];
    const char *hdrs[] = {inm, NULL};
    struct hreq cond = {.method = "GET", .path = path, .headers = hdrs};

    expect_status(r, 200);
    assert_non_null(hresp_header(r, "ETag"));
    etag = strdup(hresp_header(r, "ETag"));
    hresp_free(r);
    snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);

    r = h_do(d, &cond);
    expect_status(r, 304);
    assert_int_equal(r->len, 0);
    expect_header(r, "ETag", etag);
    hresp_free(r);

    /* A new review makes the old tag stale. */
    h_post_review(d, h_fmt("{\"product_id\":\"%s\",\"rating\":2}", product));
    r = h_do(d, &cond);
    expect_status(r, 200);
    assert_non_null(hresp_header(r, "ETag"));
    assert_string_not_equal(hresp_header(r, "ETag"), etag);
    hresp_free(r);
    free(etag);
}

CHORUS_TEST_SETUP(etag_product, h_setup, h_teardown)
{
    struct chorusd *d = *state;

    h_post_review(d, "{\"product_id\":\"et-1\",\"rating\":5}");
    etag_roundtrip(d, "/api/v1/products/et-1", "et-1");
}

CHORUS_TEST_SETUP(etag_product_reviews, h_setup, h_teardown)
{
    struct chorusd *d = *state;

    h_post_review(d, "{\"product_id\":\"et-2\",\"rating\":5}");
    etag_roundtrip(d, "/api/v1/products/et-2/reviews", "et-2");
    etag_roundtrip(d, "/api/v1/products/et-2/reviews?sort=lowest&limit=5", "et-2");
}

/* Every kind of write that changes what a page shows makes its tag stale. */
CHORUS_TEST_SETUP(etag_changes_on_every_write, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t id = h_post_review(d, "{\"product_id\":\"ew-1\",\"rating\":5}");
    uint64_t other = h_post_review(d, "{\"product_id\":\"ew-1\",\"rating\":3}");
    static const char *const what[] = {"PUT product", "vote",   "response",
                                       "moderation",  "delete", "re-ingest"};

    for (size_t w = 0; w < sizeof(what) / sizeof(what[0]); w++) {
        const char *paths[] = {"/api/v1/products/ew-1", "/api/v1/products/ew-1/reviews"};
        char tags[2][128], inm[160 + 128];
        struct hresp *r;

        for (int p = 0; p < 2; p++) {
            r = h_get(d, paths[p]);
            expect_status(r, 200);
            snprintf(tags[p], sizeof(tags[p]), "%s", hresp_header(r, "ETag"));
            hresp_free(r);
        }
        switch (w) {
        case 0:
            r = h_put_json(d, "/api/v1/products/ew-1", "{\"name\":\"renamed\"}");
            break;
        case 1:
            r = h_post_json(d, h_fmt("/api/v1/reviews/%llu/votes", (unsigned long long)id),
                            "{\"helpful\":true}");
            break;
        case 2:
            r = h_post_json(d, h_fmt("/api/v1/reviews/%llu/responses", (unsigned long long)id),
                            "{\"body\":\"thanks\"}");
            break;
        case 3:
            r = h_post_json(d, h_fmt("/api/v1/reviews/%llu/moderation", (unsigned long long)id),
                            "{\"status\":\"rejected\"}");
            break;
        case 4:
            r = h_delete(d, h_fmt("/api/v1/reviews/%llu", (unsigned long long)other));
            break;
        default:
            r = h_post_json(d, "/api/v1/reviews",
                            "{\"product_id\":\"ew-1\",\"source_id\":\"x\",\"rating\":1}");
            break;
        }
        if (r->status / 100 != 2)
            fail_msg("%s: HTTP %ld %s", what[w], r->status, r->body);
        hresp_free(r);
        for (int p = 0; p < 2; p++) {
            const char *hdrs[] = {inm, NULL};
            struct hreq q = {.method = "GET", .path = paths[p], .headers = hdrs};

            snprintf(inm, sizeof(inm), "If-None-Match: %s", tags[p]);
            r = h_do(d, &q);
            if (r->status != 200)
                fail_msg("after %s, GET %s with the old ETag %s: HTTP %ld", what[w], paths[p],
                         tags[p], r->status);
            hresp_free(r);
        }
    }
}

/* ---- the product list ------------------------------------------------------------- */

/* make_catalogue: lap-a (laptops/x, 3 reviews, avg 4), lap-b (laptops, 1,
 * avg 5), lap-c (laptopsX, 2, avg 1.5), desk-a (desktops, none). */
static void make_catalogue(struct chorusd *d)
{
    static const char *const put[][2] = {
        {"lap-a", "laptops/x"},
        {"lap-b", "laptops"},
        {"lap-c", "laptopsX"},
        {"desk-a", "desktops"},
    };
    static const char *const reviews[][2] = {
        {"lap-a", "5"}, {"lap-a", "4"}, {"lap-a", "3"},
        {"lap-b", "5"}, {"lap-c", "1"}, {"lap-c", "2"},
    };

    for (size_t i = 0; i < 4; i++) {
        struct hresp *r =
            h_put_json(d, h_fmt("/api/v1/products/%s", put[i][0]),
                       h_fmt("{\"name\":\"%s\",\"category\":\"%s\"}", put[i][0], put[i][1]));

        expect_status(r, 201);
        hresp_free(r);
    }
    for (size_t i = 0; i < 6; i++)
        h_post_review(d,
                      h_fmt("{\"product_id\":\"%s\",\"rating\":%s}", reviews[i][0], reviews[i][1]));
}

/* expect_products checks the ids of a product list, in order. */
static void expect_products(struct chorusd *d, const char *query, const char *const *want, size_t n)
{
    struct hresp *r = h_get(d, h_fmt("/api/v1/products%s", query));
    json_t *list;

    expect_status(r, 200);
    list = jpath(r->json, "products");
    if (!json_is_array(list) || !jpath(r->json, "next_cursor"))
        fail_msg("%s: expected {\"products\": [...], \"next_cursor\": ...}: %s", query, r->body);
    if (json_array_size(list) != n)
        fail_msg("%s: expected %zu products, got %s", query, n, r->body);
    for (size_t i = 0; i < n; i++) {
        expect_jstr(list, h_fmt("[%zu].id", i), want[i]);
        assert_non_null(jpath(list, h_fmt("[%zu].stats.count", i)));
    }
    hresp_free(r);
}

CHORUS_TEST_SETUP(products_category_prefix, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    const char *const laptops[] = {"lap-a", "lap-b"}, *const x[] = {"lap-a"},
                      *const all[] = {"desk-a", "lap-a", "lap-b", "lap-c"};

    make_catalogue(d);
    expect_products(d, "?category=laptops", laptops, 2);
    expect_products(d, "?category=laptops/x", x, 1);
    expect_products(d, "?category=laptopsX", (const char *const[]){"lap-c"}, 1);
    expect_products(d, "?category=lap", NULL, 0);
    expect_products(d, "", all, 4);
}

CHORUS_TEST_SETUP(products_sort_count, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    const char *const all[] = {"lap-a", "lap-c", "lap-b", "desk-a"};
    const char *const laptops[] = {"lap-a", "lap-b"};
    struct hresp *r;

    make_catalogue(d);
    expect_products(d, "?sort=count", all, 4);
    expect_products(d, "?sort=count&category=laptops", laptops, 2);
    r = h_get(d, "/api/v1/products?sort=count");
    expect_jint(r->json, "products[0].stats.count", 3);
    expect_jnum(r->json, "products[0].stats.average", 4);
    hresp_free(r);
}

CHORUS_TEST_SETUP(products_sort_average, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    const char *const all[] = {"lap-b", "lap-a", "lap-c", "desk-a"};
    struct hresp *r;

    make_catalogue(d);
    expect_products(d, "?sort=average", all, 4);
    r = h_get(d, "/api/v1/products?sort=average");
    expect_jnum(r->json, "products[2].stats.average", 1.5);
    expect_jnull(r->json, "products[3].stats.average");
    hresp_free(r);
    r = h_get(d, "/api/v1/products?sort=rating");
    expect_problem(r, 400);
    hresp_free(r);
}

CHORUS_TEST_SETUP(products_paging, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    static const char *const sorts[] = {"id", "count", "average"};
    struct hresp *r;

    make_catalogue(d);
    for (size_t s = 0; s < 3; s++) {
        char *cursor = NULL;
        char seen[4][16];
        size_t n = 0;
        struct hresp *whole = h_get(d, h_fmt("/api/v1/products?sort=%s", sorts[s]));

        do {
            r = h_get(d, cursor
                             ? h_fmt("/api/v1/products?sort=%s&limit=1&cursor=%s", sorts[s], cursor)
                             : h_fmt("/api/v1/products?sort=%s&limit=1", sorts[s]));
            expect_status(r, 200);
            free(cursor);
            cursor = NULL;
            if (json_array_size(jpath(r->json, "products")) == 1) {
                assert_true(n < 4);
                snprintf(seen[n], sizeof(seen[n]), "%s",
                         json_string_value(jpath(r->json, "products[0].id")));
                expect_jstr(whole->json, h_fmt("products[%zu].id", n), seen[n]);
                n++;
            }
            if (json_is_string(jpath(r->json, "next_cursor")))
                cursor = strdup(json_string_value(jpath(r->json, "next_cursor")));
            hresp_free(r);
        } while (cursor && n < 8);
        free(cursor);
        hresp_free(whole);
        if (n != 4)
            fail_msg("sort=%s: %zu products over all pages, expected 4", sorts[s], n);
    }
    r = h_get(d, "/api/v1/products?limit=101");
    expect_problem(r, 400);
    hresp_free(r);
    r = h_get(d, "/api/v1/products?cursor=nonsense");
    expect_problem(r, 400);
    hresp_free(r);
}

/* Listings' first pages are cached per category version: every change a
 * listing shows must still show at once, and a 304 needs no render. */
CHORUS_TEST_SETUP(products_listing_cache, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    const char *etag;
    struct hresp *r;

    make_catalogue(d);
    expect_products(d, "?category=laptops&sort=count", (const char *const[]){"lap-a", "lap-b"}, 2);
    /* lap-b overtakes lap-a: three more reviews. */
    for (int i = 0; i < 3; i++)
        h_post_review(d, "{\"product_id\":\"lap-b\",\"rating\":4}");
    expect_products(d, "?category=laptops&sort=count", (const char *const[]){"lap-b", "lap-a"}, 2);
    /* A new product in the category, and one moved out of it. */
    r = h_put_json(d, "/api/v1/products/lap-d", "{\"name\":\"lap-d\",\"category\":\"laptops\"}");
    expect_status(r, 201);
    hresp_free(r);
    r = h_put_json(d, "/api/v1/products/lap-a", "{\"name\":\"lap-a\",\"category\":\"desktops\"}");
    expect_status(r, 200);
    hresp_free(r);
    expect_products(d, "?category=laptops", (const char *const[]){"lap-b", "lap-d"}, 2);
    expect_products(d, "", (const char *const[]){"desk-a", "lap-a", "lap-b", "lap-c", "lap-d"}, 5);

    r = h_get(d, "/api/v1/products?category=laptops");
    etag = hresp_header(r, "ETag");
    assert_non_null(etag);
    {
        const char *hdrs[] = {h_fmt("If-None-Match: %s", etag), NULL};
        struct hreq q = {
            .method = "GET", .path = "/api/v1/products?category=laptops", .headers = hdrs};
        struct hresp *r2 = h_do(d, &q);

        expect_status(r2, 304);
        hresp_free(r2);
    }
    hresp_free(r);
}

CHORUS_TEST_MAIN()
