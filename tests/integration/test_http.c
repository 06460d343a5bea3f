/* The HTTP rules every endpoint shares, against a real chorusd: the service
 * endpoints, keys, query strings, unknown paths and wrong methods. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testmain.h"

#define REVIEWS "/api/v1/reviews"

/* ---- service endpoints -------------------------------------------------------- */

CHORUS_TEST_SETUP(healthz, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    struct hreq head = {.method = "HEAD", .path = "/healthz"};
    struct hresp *r = h_get(d, "/healthz");

    expect_status(r, 200);
    expect_header(r, "Content-Type", "application/json");
    expect_jstr(r->json, "status", "ok");
    hresp_free(r);
    r = h_do(d, &head);
    expect_status(r, 200);
    assert_int_equal(r->len, 0);
    hresp_free(r);
}

CHORUS_TEST_SETUP(metrics, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    struct hresp *r;

    h_post_review(d, "{\"product_id\":\"m-1\",\"rating\":5}");
    r = h_get_key(d, "/metrics");
    expect_status(r, 200);
    expect_header(r, "Content-Type", "text/plain");
    expect_contains(r->body, "chorus_reviews 1\n");
    expect_contains(r->body, "chorus_http_requests_total ");
    expect_contains(r->body, "chorus_writer_queue 0\n");
    hresp_free(r);
    /* The data file fills part of the map, and some of it. */
    assert_true(h_metric(d, "chorus_store_used_bytes") > 0);
    assert_true(h_metric(d, "chorus_store_used_bytes") <= h_metric(d, "chorus_store_map_bytes"));
}

/* ---- keys ---------------------------------------------------------------------------- */

CHORUS_TEST_SETUP(post_missing_key, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    const char *body = "{\"product_id\":\"k-1\",\"rating\":5}";
    struct hreq q = {.method = "POST",
                     .path = REVIEWS,
                     .ctype = "application/json",
                     .body = body,
                     .len = strlen(body)};
    struct hresp *r = h_do(d, &q);

    expect_problem(r, 401);
    expect_header(r, "WWW-Authenticate", "Bearer");
    hresp_free(r);
    r = h_get(d, "/api/v1/products/k-1");
    expect_problem(r, 404);
    hresp_free(r);
}

CHORUS_TEST_SETUP(post_wrong_key, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    const char *body = "{\"product_id\":\"k-2\",\"rating\":5}";
    const char *wrong[] = {"Authorization: Bearer chorus-integration-test-key-0002", NULL};
    const char *prefix[] = {"Authorization: Bearer chorus-integration-test-key-000", NULL};
    const char *basic[] = {"Authorization: Basic Y2hvcnVzOmNob3J1cw==", NULL};
    const char *const *bad[] = {wrong, prefix, basic};

    for (size_t i = 0; i < 3; i++) {
        struct hreq q = {.method = "POST",
                         .path = REVIEWS,
                         .ctype = "application/json",
                         .body = body,
                         .len = strlen(body),
                         .headers = bad[i]};
        struct hresp *r = h_do(d, &q);

        expect_problem(r, 401);
        expect_header(r, "WWW-Authenticate", "Bearer");
        hresp_free(r);
    }
}

/* Reads are public, but a key that is sent must be valid. */
CHORUS_TEST_SETUP(read_wrong_key, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    const char *wrong[] = {"Authorization: Bearer not-the-key-but-long-enough", NULL};
    struct hreq q = {.method = "GET", .path = "/api/v1/products", .headers = wrong};
    struct hresp *r = h_do(d, &q);

    expect_problem(r, 401);
    expect_header(r, "WWW-Authenticate", "Bearer");
    hresp_free(r);
    r = h_get(d, "/api/v1/products");
    expect_status(r, 200);
    hresp_free(r);
}

/* ---- query strings, paths, methods ------------------------------------------------------ */

CHORUS_TEST_SETUP(unknown_query_parameter, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    struct hresp *r;

    h_post_review(d, "{\"product_id\":\"q-1\",\"rating\":5}");
    r = h_get(d, "/api/v1/products/q-1/reviews?sortt=newest");
    expect_problem(r, 400);
    expect_jcontains(r->json, "detail", "sortt");
    hresp_free(r);
    r = h_get(d, "/healthz?verbose=1");
    expect_problem(r, 400);
    hresp_free(r);
    r = h_post_json(d, REVIEWS "?dry_run=1", "{\"product_id\":\"q-1\",\"rating\":5}");
    expect_problem(r, 400);
    hresp_free(r);
    r = h_get(d, "/api/v1/products?categories=laptops");
    expect_problem(r, 400);
    hresp_free(r);
}

CHORUS_TEST_SETUP(repeated_query_parameter, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    struct hresp *r;

    h_post_review(d, "{\"product_id\":\"q-2\",\"rating\":5}");
    r = h_get(d, "/api/v1/products/q-2/reviews?limit=5&limit=6");
    expect_problem(r, 400);
    expect_jcontains(r->json, "detail", "limit");
    hresp_free(r);
}

CHORUS_TEST_SETUP(unknown_path, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    const char *paths[] = {"/nope",
                           "/api/v1/review",
                           "/api/v1/reviews/12/extra",
                           "/api/v1/reviews/abc",
                           "/api/v1/reviews/0",
                           "/api/v2/products",
                           "/"};

    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        struct hresp *r = h_get(d, paths[i]);

        expect_problem(r, 404);
        hresp_free(r);
    }
}

CHORUS_TEST_SETUP(wrong_method, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    static const struct {
        const char *method, *path, *allow;
    } cases[] = {
        {"PUT", "/api/v1/reviews", "POST"},
        {"GET", "/api/v1/reviews", "POST"},
        {"DELETE", "/healthz", "GET"},
        {"POST", "/api/v1/products/p-1", "PUT"},
        {"DELETE", "/api/v1/products/p-1", "GET"},
        {"GET", "/api/v1/reviews/1/votes", "POST"},
        {"POST", "/api/v1/moderation", "GET"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct hreq q = {.method = cases[i].method, .path = cases[i].path, .key = true};
        struct hresp *r = h_do(d, &q);

        expect_problem(r, 405);
        expect_header(r, "Allow", cases[i].allow);
        hresp_free(r);
    }
}

/* PATCH is a method HTTP defines; on a path that does not take it the answer
 * is the same 405 with Allow as for any other method. */
CHORUS_TEST_SETUP(patch_method, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    const char *body = "{\"name\":\"x\"}";
    struct hreq q = {.method = "PATCH",
                     .path = "/api/v1/products/p-1",
                     .key = true,
                     .ctype = "application/json",
                     .body = body,
                     .len = strlen(body)};
    struct hresp *r = h_do(d, &q);

    expect_problem(r, 405);
    expect_header(r, "Allow", "PUT");
    hresp_free(r);
}

CHORUS_TEST_MAIN()
