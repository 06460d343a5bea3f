/* Hostile and awkward requests found in review: each must get a clear,
 * well-formed answer and change nothing it should not. */
#include "testmain.h"

#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define REVIEWS "/api/v1/reviews"

/* Raw bytes from a request that end up quoted in an error detail must not
 * make the problem document invalid JSON (the harness parses every body). */
CHORUS_TEST_SETUP(error_details_stay_valid_json, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    struct hresp *r = h_get(d, "/healthz?\xff\xfe=1");

    expect_problem(r, 400);
    assert_non_null(r->json);
    hresp_free(r);
    r = h_get(d, "/nothing/\xc3");
    expect_problem(r, 404);
    assert_non_null(r->json);
    hresp_free(r);
}

/* A product described inside a review only adds what it says: it must not
 * erase the catalogue fields a PUT gave. */
CHORUS_TEST_SETUP(embedded_product_merges, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    struct hresp *r = h_put_json(d, "/api/v1/products/m-1",
                                 "{\"name\":\"Desk One\",\"brand\":\"Acme\","
                                 "\"category\":\"desktops/tower\"}");

    expect_status(r, 201);
    hresp_free(r);
    h_post_review(d, "{\"product_id\":\"m-1\",\"rating\":4,"
                     "\"product\":{\"url\":\"https://shop.example.com/m-1\"}}");
    r = h_get(d, "/api/v1/products/m-1");
    expect_status(r, 200);
    expect_jstr(r->json, "name", "Desk One");
    expect_jstr(r->json, "brand", "Acme");
    expect_jstr(r->json, "category", "desktops/tower");
    expect_jstr(r->json, "url", "https://shop.example.com/m-1");
    expect_jint(r->json, "stats.count", 1);
    hresp_free(r);
    r = h_get(d, "/api/v1/products?category=desktops");
    expect_status(r, 200);
    expect_jstr(r->json, "products[0].id", "m-1");
    hresp_free(r);
}

/* With new_review_status = pending, a body saying "approved" still waits. */
CHORUS_TEST_SETUP(pending_config_cannot_be_skipped, h_setup_pending, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t id = h_post_review(d, "{\"product_id\":\"pc-1\",\"rating\":5,"
                                   "\"status\":\"approved\",\"helpful\":99}");
    struct hresp *r = h_get(d, h_fmt("/api/v1/reviews/%llu", (unsigned long long)id));

    expect_problem(r, 404);
    hresp_free(r);
    r = h_get_key(d, h_fmt("/api/v1/reviews/%llu", (unsigned long long)id));
    expect_status(r, 200);
    expect_jstr(r->json, "status", "pending");
    expect_jint(r->json, "helpful", 0);
    hresp_free(r);
}

/* A batch is capped in items, whatever its size in bytes. */
CHORUS_TEST_SETUP(too_many_items_is_413, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    size_t n = 10001, len = n * 3;
    char *body = malloc(len + 1);
    struct hreq q = {.method = "POST",
                     .path = REVIEWS,
                     .key = true,
                     .ctype = "application/x-ndjson",
                     .body = body,
                     .len = len};
    struct hresp *r;

    assert_non_null(body);
    for (size_t i = 0; i < n; i++)
        memcpy(body + i * 3, "{}\n", 3);
    body[len] = '\0';
    r = h_do(d, &q);
    expect_problem(r, 413);
    expect_jcontains(r->json, "detail", "10000");
    hresp_free(r);
    free(body);
}

/* A malformed category filter is named as such, not as a bad cursor. */
CHORUS_TEST_SETUP(bad_category_filter, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    struct hresp *r = h_get(d, "/api/v1/products?category=a//b");

    expect_problem(r, 400);
    expect_jcontains(r->json, "detail", "category");
    hresp_free(r);
}

CHORUS_TEST_MAIN()
