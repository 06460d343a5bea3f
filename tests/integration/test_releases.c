/* A product's releases over HTTP: PUT replaces the list, GET of the
 * product shows it sorted, input is checked field by field, the caps come
 * from the configuration, and only a key with the catalogue scope writes. */
#include "harness.h"

#include "chorus/base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testmain.h"

#define REL(id) "/api/v1/products/" id "/releases"

static struct hresp *put_as(struct chorusd *d, const char *path, const char *key, const char *body)
{
    char auth[128];
    const char *headers[] = {auth, NULL};

    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
    return h_do(d, &(struct hreq){.method = "PUT",
                                  .path = path,
                                  .ctype = "application/json",
                                  .body = body,
                                  .len = strlen(body),
                                  .headers = headers});
}

CHORUS_TEST_SETUP(releases_put_and_get, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    struct hresp *r;

    r = h_put_json(d, "/api/v1/products/xps-13", "{\"name\":\"XPS 13\"}");
    expect_status(r, 201);
    /* A product with no releases says so: an empty list, not a missing key. */
    assert_int_equal(json_array_size(jpath(r->json, "releases")), 0);
    assert_true(json_is_array(jpath(r->json, "releases")));
    hresp_free(r);

    r = h_put_json(d, REL("xps-13"),
                   "[{\"version\":\"BIOS 1.14\",\"released_at\":\"2026-11-20T00:00:00Z\","
                   "\"notes\":\"Battery <fix> & \\\"more\\\"\"},"
                   "{\"version\":\"BIOS 1.12\",\"released_at\":\"2026-06-01T08:00:00+02:00\"},"
                   "{\"version\":\"driver 31.0.101\",\"released_at\":\"2026-09-01T00:00:00Z\","
                   "\"notes\":null}]");
    expect_status(r, 200);
    expect_header(r, "Cache-Control", "no-store");
    expect_jstr(r->json, "id", "xps-13");
    hresp_free(r);

    r = h_get(d, "/api/v1/products/xps-13");
    expect_status(r, 200);
    assert_int_equal(json_array_size(jpath(r->json, "releases")), 3);
    expect_jstr(r->json, "releases[0].version", "BIOS 1.12");
    expect_jstr(r->json, "releases[0].released_at", "2026-06-01T06:00:00Z");
    expect_jnull(r->json, "releases[0].notes");
    expect_jstr(r->json, "releases[1].version", "driver 31.0.101");
    expect_jnull(r->json, "releases[1].notes");
    expect_jstr(r->json, "releases[2].version", "BIOS 1.14");
    expect_jstr(r->json, "releases[2].released_at", "2026-11-20T00:00:00Z");
    expect_jstr(r->json, "releases[2].notes", "Battery <fix> & \"more\"");
    expect_jstr(r->json, "name", "XPS 13");
    hresp_free(r);

    /* Replaced whole; a cached product page shows the new list at once. */
    r = h_put_json(d, REL("xps-13"),
                   "[{\"version\":\"fw 2.3\",\"released_at\":\"2026-10-01T00:00:00Z\"}]");
    expect_status(r, 200);
    hresp_free(r);
    r = h_get(d, "/api/v1/products/xps-13");
    assert_int_equal(json_array_size(jpath(r->json, "releases")), 1);
    expect_jstr(r->json, "releases[0].version", "fw 2.3");
    hresp_free(r);
    r = h_put_json(d, REL("xps-13"), "[]");
    expect_status(r, 200);
    assert_int_equal(json_array_size(jpath(r->json, "releases")), 0);
    hresp_free(r);

    /* Listings leave releases out. */
    r = h_get(d, "/api/v1/products");
    expect_status(r, 200);
    assert_null(jpath(r->json, "products[0].releases"));
    hresp_free(r);
}

CHORUS_TEST_SETUP(releases_refuse_bad_input, h_setup, h_teardown)
{
    static const struct {
        const char *body;
        long status;
        const char *detail;
    } bad[] = {
        {"{\"version\":\"BIOS 1\"}", 400, "JSON array"},
        {"[1]", 400, "Release 1"},
        {"[{\"released_at\":\"2026-01-01T00:00:00Z\"}]", 400, "version is missing"},
        {"[{\"version\":\"BIOS 1\"}]", 400, "released_at is missing"},
        {"[{\"version\":\"BIOS 1\",\"released_at\":\"yesterday\"}]", 400, "RFC 3339"},
        {"[{\"version\":\"\",\"released_at\":\"2026-01-01T00:00:00Z\"}]", 400, "empty"},
        {"[{\"version\":\"a\\nb\",\"released_at\":\"2026-01-01T00:00:00Z\"}]", 400, "control"},
        {"[{\"version\":7,\"released_at\":\"2026-01-01T00:00:00Z\"}]", 400, "string"},
        {"[{\"version\":\"v\",\"released_at\":\"2026-01-01T00:00:00Z\",\"url\":\"x\"}]", 400,
         "unknown field"},
        {"[{\"version\":\"v\",\"released_at\":\"2026-01-01T00:00:00Z\"},"
         "{\"version\":\"v\",\"released_at\":\"2026-02-01T00:00:00Z\"}]",
         400, "both name version"},
        {"[{\"version\":\"v\",", 400, "not valid JSON"},
    };
    struct chorusd *d = *state;
    struct hresp *r;

    r = h_put_json(d, "/api/v1/products/p", "{\"name\":\"P\"}");
    hresp_free(r);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        r = h_put_json(d, REL("p"), bad[i].body);
        expect_problem(r, bad[i].status);
        expect_jcontains(r->json, "detail", bad[i].detail);
        hresp_free(r);
    }
    /* Nothing was stored by any of them. */
    r = h_get(d, "/api/v1/products/p");
    assert_int_equal(json_array_size(jpath(r->json, "releases")), 0);
    hresp_free(r);

    r = h_put_json(d, REL("nope"), "[]");
    expect_problem(r, 404);
    expect_jcontains(r->json, "detail", "nope");
    hresp_free(r);
    /* No key: 401; a GET is not a route here. */
    r = h_do(d, &(struct hreq){.method = "PUT",
                               .path = REL("p"),
                               .ctype = "application/json",
                               .body = "[]",
                               .len = 2});
    expect_problem(r, 401);
    hresp_free(r);
    r = h_get(d, REL("p"));
    expect_problem(r, 405);
    hresp_free(r);
}

/* The caps are the configuration's: count, version and notes bytes, and the
 * body (refused before any parse). */
CHORUS_TEST(releases_caps_from_config)
{
    struct chorusd *d = chorusd_new("max_releases = 2\nmax_release_version_bytes = 8\n"
                                    "max_release_notes_bytes = 4\n"
                                    "max_releases_body_bytes = 1024\n");
    struct hresp *r;
    char *big;

    assert_non_null(d);
    r = h_put_json(d, "/api/v1/products/p", "{\"name\":\"P\"}");
    hresp_free(r);
    r = h_put_json(d, REL("p"),
                   "[{\"version\":\"a\",\"released_at\":\"2026-01-01T00:00:00Z\"},"
                   "{\"version\":\"b\",\"released_at\":\"2026-01-02T00:00:00Z\"},"
                   "{\"version\":\"c\",\"released_at\":\"2026-01-03T00:00:00Z\"}]");
    expect_problem(r, 400);
    expect_jcontains(r->json, "detail", "at most 2");
    hresp_free(r);
    r = h_put_json(d, REL("p"),
                   "[{\"version\":\"12345678\",\"released_at\":\"2026-01-01T00:00:00Z\","
                   "\"notes\":\"1234\"},"
                   "{\"version\":\"b\",\"released_at\":\"2026-01-02T00:00:00Z\"}]");
    expect_status(r, 200);
    hresp_free(r);
    r = h_put_json(d, REL("p"),
                   "[{\"version\":\"123456789\",\"released_at\":\"2026-01-01T00:00:00Z\"}]");
    expect_problem(r, 400);
    expect_jcontains(r->json, "detail", "limit is 8");
    hresp_free(r);
    r = h_put_json(d, REL("p"),
                   "[{\"version\":\"a\",\"released_at\":\"2026-01-01T00:00:00Z\","
                   "\"notes\":\"12345\"}]");
    expect_problem(r, 400);
    expect_jcontains(r->json, "detail", "limit is 4");
    hresp_free(r);
    big = malloc(1100);
    assert_non_null(big);
    memset(big, ' ', 1099);
    big[0] = '[';
    big[1097] = ']';
    big[1098] = '\0';
    r = h_put_json(d, REL("p"), big);
    expect_problem(r, 413);
    hresp_free(r);
    free(big);
    r = h_get(d, "/api/v1/products/p");
    assert_int_equal(json_array_size(jpath(r->json, "releases")), 2);
    hresp_free(r);
    assert_int_equal(chorusd_free(d), 0);
}

/* Only a key with the catalogue scope writes releases. */
CHORUS_TEST(releases_need_the_catalogue_scope)
{
    static const char keys_text[] = "ingest-only-key-0000000000000001 ingest\n"
                                    "catalogue-only-key-0000000000001 catalogue\n";
    struct chorusd *d = chorusd_make(NULL);
    char keys[512], conf[1024];
    struct hresp *r;

    assert_non_null(d);
    snprintf(keys, sizeof(keys), "%s/keys", d->root);
    h_write_file(keys, keys_text, strlen(keys_text));
    snprintf(d->config, sizeof(d->config), "%s/chorusd.conf", d->root);
    snprintf(conf, sizeof(conf), "api_keys_file = %s\n", keys);
    h_write_file(d->config, conf, strlen(conf));
    assert_int_equal(chorusd_start(d), 0);
    r = put_as(d, "/api/v1/products/p", "catalogue-only-key-0000000000001", "{\"name\":\"P\"}");
    expect_status(r, 201);
    hresp_free(r);
    r = put_as(d, REL("p"), "ingest-only-key-0000000000000001", "[]");
    expect_problem(r, 403);
    expect_jcontains(r->json, "detail", "'catalogue'");
    hresp_free(r);
    r = put_as(d, REL("p"), "catalogue-only-key-0000000000001",
               "[{\"version\":\"BIOS 1.14\",\"released_at\":\"2026-11-20T00:00:00Z\"}]");
    expect_status(r, 200);
    expect_jstr(r->json, "releases[0].version", "BIOS 1.14");
    hresp_free(r);
    assert_int_equal(chorusd_free(d), 0);
}

/* ---- versions named in reviews -------------------------------------------------- */

CHORUS_TEST_SETUP(review_versions_in_json, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t id, plain;
    struct hresp *r;

    id = h_post_review(d, "{\"product_id\":\"lap-9\",\"rating\":1,\"source\":\"t\","
                          "\"source_id\":\"v-1\",\"title\":\"Battery died since bios 1.14\","
                          "\"body\":\"Rolled the graphics driver back to 31.0.101; BIOS "
                          "version 1.14 still drains. Paid $1.99 for 5 stars.\","
                          "\"versions\":[\"made up\"]}");
    plain = h_post_review(d, "{\"product_id\":\"lap-9\",\"rating\":5,"
                             "\"body\":\"XPS 13 for 2 years, 4.5 stars\"}");
    r = h_get(d, h_fmt("/api/v1/reviews/%llu", (unsigned long long)id));
    expect_status(r, 200);
    assert_int_equal(json_array_size(jpath(r->json, "versions")), 2);
    expect_jstr(r->json, "versions[0]", "BIOS 1.14");
    expect_jstr(r->json, "versions[1]", "driver 31.0.101");
    hresp_free(r);
    r = h_get(d, h_fmt("/api/v1/reviews/%llu", (unsigned long long)plain));
    assert_true(json_is_array(jpath(r->json, "versions")));
    assert_int_equal(json_array_size(jpath(r->json, "versions")), 0);
    hresp_free(r);
    /* The list shows them too; an edit from the same source recomputes them. */
    r = h_get(d, "/api/v1/products/lap-9/reviews?sort=oldest");
    expect_jstr(r->json, "reviews[0].versions[0]", "BIOS 1.14");
    hresp_free(r);
    r = h_post_json(d, "/api/v1/reviews",
                    "{\"product_id\":\"lap-9\",\"rating\":2,\"source\":\"t\","
                    "\"source_id\":\"v-1\",\"body\":\"fw v2.3 now\"}");
    expect_status(r, 200);
    expect_jstr(r->json, "results[0].status", "updated");
    hresp_free(r);
    r = h_get(d, h_fmt("/api/v1/reviews/%llu", (unsigned long long)id));
    assert_int_equal(json_array_size(jpath(r->json, "versions")), 1);
    expect_jstr(r->json, "versions[0]", "firmware 2.3");
    hresp_free(r);
}

/* ---- the demo's story ------------------------------------------------------------ */

/* chorus demo stores the release history of its story products: the
 * runner-up laptop's BIOS 1.07..1.09 and the battery regression's BIOS
 * 1.12..1.14, the last of them nine days ago. */
CHORUS_TEST(demo_stores_releases)
{
    struct chorusd *d = chorusd_make(NULL);
    const char *argv[] = {CHORUS_PATH, "demo", "--data", NULL, "--reviews", "3000", NULL};
    char cursor[256] = "", path[512];
    size_t with = 0, products = 0;
    bool regression = false;

    assert_non_null(d);
    argv[3] = d->data;
    assert_int_equal(h_run(h_fmt("%s/demo.out", d->root), h_fmt("%s/demo.err", d->root), argv), 0);
    assert_int_equal(chorusd_start(d), 0);
    do {
        struct hresp *l = h_get(d, cursor[0] ? h_fmt("/api/v1/products?limit=100&cursor=%s", cursor)
                                             : "/api/v1/products?limit=100");
        json_t *list = jpath(l->json, "products"), *next = jpath(l->json, "next_cursor");

        expect_status(l, 200);
        for (size_t i = 0; i < json_array_size(list); i++) {
            const char *id = json_string_value(json_object_get(json_array_get(list, i), "id"));
            struct hresp *r;
            json_t *rel;
            size_t n;

            h_pct_encode(id, path, sizeof(path));
            r = h_get(d, h_fmt("/api/v1/products/%s", path));
            rel = jpath(r->json, "releases");
            n = json_array_size(rel);
            products++;
            with += n > 0;
            if (n == 3 && strcmp(json_string_value(jpath(r->json, "releases[2].version")),
                                 "BIOS 1.14") == 0) {
                int64_t at = 0;
                const char *s = json_string_value(jpath(r->json, "releases[2].released_at"));

                assert_int_equal(chorus_time_parse(s, strlen(s), &at), 0);
                /* Nine days before now, give or take the timeline's rounding. */
                assert_true(at > chorus_now() - 11 * 86400 && at < chorus_now() - 7 * 86400);
                expect_jstr(r->json, "releases[1].version", "BIOS 1.13");
                regression = true;
            }
            hresp_free(r);
        }
        snprintf(cursor, sizeof(cursor), "%s", json_is_string(next) ? json_string_value(next) : "");
        hresp_free(l);
    } while (cursor[0]);
    assert_true(products > 100);
    assert_int_equal(with, 2);
    assert_true(regression);
    assert_int_equal(chorusd_free(d), 0);
}

CHORUS_TEST_MAIN()
