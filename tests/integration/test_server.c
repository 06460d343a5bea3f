/* chorusd as a process and an HTTP server: body caps, restarts, kill -9,
 * CORS, and the problem+json shape of every error. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testmain.h"

#include <curl/curl.h>

static int setup_small_body(void **state)
{
    *state = chorusd_new("max_body_bytes = 65536\n");
    return *state ? 0 : -1;
}

/* json_array_of makes "[" + pad spaces + one review + "]": valid JSON of
 * about the given size. Caller frees. */
static char *json_array_of(size_t size, size_t *len)
{
    const char *item = "{\"product_id\":\"big-1\",\"rating\":5}]";
    size_t n = strlen(item);
    char *b = malloc(size + n + 2);

    assert_non_null(b);
    b[0] = '[';
    memset(b + 1, ' ', size);
    memcpy(b + 1 + size, item, n + 1);
    *len = size + 1 + n;
    return b;
}

CHORUS_TEST_SETUP(body_over_cap, setup_small_body, h_teardown)
{
    struct chorusd *d = *state;
    size_t len;
    char *body = json_array_of(100 * 1024, &len);
    struct hreq q = {.method = "POST",
                     .path = "/api/v1/reviews",
                     .key = true,
                     .ctype = "application/json",
                     .body = body,
                     .len = len};
    struct hresp *r = h_do(d, &q);

    /* libevent answers this one itself, before any handler runs. */
    expect_status(r, 413);
    hresp_free(r);
    free(body);

    /* Under the cap the same document is fine, and the server is still up. */
    body = json_array_of(60 * 1024, &len);
    q.body = body;
    q.len = len;
    r = h_do(d, &q);
    expect_status(r, 201);
    hresp_free(r);
    free(body);
    r = h_get(d, "/api/v1/products/big-1");
    expect_status(r, 200);
    expect_jint(r->json, "stats.count", 1);
    hresp_free(r);
}

/* ---- restart and durability ------------------------------------------------------- */

/* snapshot renders what a client sees: the product, its list, each review
 * with the key and the moderation queue, as one string (caller frees). */
static char *snapshot(struct chorusd *d, const uint64_t *ids, size_t n)
{
    const char *paths[] = {"/api/v1/products/rs-1", "/api/v1/products/rs-1/reviews?limit=100",
                           "/api/v1/moderation", "/api/v1/products?category=laptops"};
    size_t len = 0, cap = 1 << 16;
    char *out = malloc(cap);

    assert_non_null(out);
    out[0] = '\0';
    for (size_t i = 0; i < 4 + n; i++) {
        struct hresp *r = h_get_key(
            d, i < 4 ? paths[i] : h_fmt("/api/v1/reviews/%llu", (unsigned long long)ids[i - 4]));

        expect_status(r, 200);
        assert_true(len + r->len + 2 < cap);
        memcpy(out + len, r->body, r->len);
        len += r->len;
        out[len++] = '\n';
        out[len] = '\0';
        hresp_free(r);
    }
    return out;
}

CHORUS_TEST_SETUP(restart_keeps_everything, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t ids[4], later;
    char *before, *after;
    struct hresp *r;

    r = h_put_json(
        d, "/api/v1/products/rs-1",
        "{\"name\":\"Latitude 7440\",\"brand\":\"Dell\",\"category\":\"laptops/latitude\"}");
    expect_status(r, 201);
    hresp_free(r);
    ids[0] = h_post_review(d, "{\"product_id\":\"rs-1\",\"rating\":5,\"title\":\"Quiet fan\","
                              "\"created_at\":\"2024-01-01T00:00:00Z\",\"source_id\":\"R-1\"}");
    ids[1] = h_post_review(d, "{\"product_id\":\"rs-1\",\"rating\":2,\"title\":\"Hinge\","
                              "\"created_at\":\"2024-01-02T00:00:00Z\"}");
    ids[2] = h_post_review(d, "{\"product_id\":\"rs-1\",\"title\":\"mentioned on a forum\","
                              "\"created_at\":\"2024-01-03T00:00:00Z\"}");
    ids[3] = h_post_review(d, "{\"product_id\":\"rs-1\",\"rating\":4,\"status\":\"pending\","
                              "\"created_at\":\"2024-01-04T00:00:00Z\"}");
    r = h_post_json(d, h_fmt("/api/v1/reviews/%llu/responses", (unsigned long long)ids[1]),
                    "{\"author\":\"Dell\",\"body\":\"Sorry about the hinge.\"}");
    expect_status(r, 201);
    hresp_free(r);
    r = h_post_json(d, h_fmt("/api/v1/reviews/%llu/votes", (unsigned long long)ids[0]),
                    "{\"helpful\":true}");
    expect_status(r, 200);
    hresp_free(r);

    before = snapshot(d, ids, 4);
    chorusd_restart(d);
    after = snapshot(d, ids, 4);
    assert_string_equal(after, before);
    free(before);
    free(after);

    /* Ids keep growing and dedupe survives the restart. */
    later = h_post_review(d, "{\"product_id\":\"rs-1\",\"rating\":3}");
    assert_true(later > ids[3]);
    r = h_post_json(d, "/api/v1/reviews",
                    "{\"product_id\":\"rs-1\",\"rating\":4,\"source_id\":\"R-1\"}");
    expect_status(r, 200);
    expect_jstr(r->json, "results[0].status", "updated");
    expect_jint(r->json, "results[0].id", (long long)ids[0]);
    hresp_free(r);
}

/* A 2xx means committed: SIGKILL right after the answers loses nothing. */
CHORUS_TEST_SETUP(kill9_durability, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t ids[16];
    size_t n = 0;
    struct hresp *r;

    for (int i = 0; i < 10; i++)
        ids[n++] = h_post_review(d, h_fmt("{\"product_id\":\"k9-1\",\"rating\":%d}", i % 5 + 1));
    r = h_post_json(d, "/api/v1/reviews",
                    "[{\"product_id\":\"k9-1\",\"rating\":5},{\"product_id\":\"k9-2\","
                    "\"rating\":1},{\"product_id\":\"k9-2\",\"rating\":2}]");
    expect_status(r, 201);
    for (int i = 0; i < 3; i++)
        ids[n++] = (uint64_t)json_integer_value(jpath(r->json, h_fmt("results[%d].id", i)));
    hresp_free(r);
    r = h_put_json(d, "/api/v1/products/k9-1", "{\"name\":\"Precision 5690\"}");
    expect_status(r, 200);
    hresp_free(r);
    r = h_post_json(d, h_fmt("/api/v1/reviews/%llu/moderation", (unsigned long long)ids[0]),
                    "{\"status\":\"rejected\",\"reason\":\"off topic\"}");
    expect_status(r, 200);
    hresp_free(r);

    chorusd_kill9(d);
    assert_int_equal(chorusd_start(d), 0);

    for (size_t i = 0; i < n; i++) {
        r = h_get_key(d, h_fmt("/api/v1/reviews/%llu", (unsigned long long)ids[i]));
        expect_status(r, 200);
        expect_jstr(r->json, "status", i == 0 ? "rejected" : "approved");
        hresp_free(r);
    }
    r = h_get(d, "/api/v1/products/k9-1");
    expect_jstr(r->json, "name", "Precision 5690");
    expect_jint(r->json, "stats.count", 10); /* 11 posted, one rejected */
    hresp_free(r);
    r = h_get(d, "/api/v1/products/k9-2");
    expect_jint(r->json, "stats.count", 2);
    hresp_free(r);
}

/* A write that arrives while chorusd is stopping (SIGTERM handled, replies
 * still draining) is either refused (503, or no connection at all) or
 * stored and acknowledged; it is never dropped unanswered, and chorusd still
 * exits cleanly. */
CHORUS_TEST_SETUP(write_during_shutdown, NULL, h_teardown)
{
    struct chorusd *d = chorusd_make(NULL);
    const char *late = "{\"product_id\":\"sd-1\",\"rating\":4,\"source_id\":\"late\"}";
    struct hreq q = {.method = "POST",
                     .path = "/api/v1/reviews",
                     .key = true,
                     .ctype = "application/json",
                     .body = late,
                     .len = strlen(late),
                     .no_answer_ok = true};
    struct hresp *r;
    long long id = 0;

    *state = d;
    assert_non_null(d);
    snprintf(d->log, sizeof(d->log), "%s/chorusd.log", d->root);
    assert_int_equal(chorusd_start(d), 0);
    h_post_review(d, "{\"product_id\":\"sd-1\",\"rating\":5}");

    chorusd_term(d);
    assert_true(chorusd_wait_log(d, "signal"));
    r = h_do(d, &q);
    print_message("late write: HTTP %ld (%s)\n", r->status,
                  curl_easy_strerror((CURLcode)r->curl_code));
    if (r->status == 201) {
        id = json_integer_value(jpath(r->json, "results[0].id"));
    } else if (r->status == 0) {
        if (r->curl_code != CURLE_COULDNT_CONNECT)
            fail_msg("the write was dropped without an answer (%s)",
                     curl_easy_strerror((CURLcode)r->curl_code));
    } else {
        expect_problem(r, 503);
    }
    hresp_free(r);
    /* chorusd exits by itself and must exit with 0: no leak of the late
     * request. */
    assert_int_equal(chorusd_reap(d), 0);
    assert_int_equal(chorusd_start(d), 0);
    r = h_get(d, "/api/v1/products/sd-1");
    expect_jint(r->json, "stats.count", id ? 2 : 1);
    hresp_free(r);
}

/* Keys come from CHORUS_API_KEYS and from api_keys_file, one per line,
 * blanks trimmed, # comments skipped. */
CHORUS_TEST_SETUP(keys_from_file, NULL, h_teardown)
{
    struct chorusd *d = chorusd_make(NULL);
    const char *keys = "# writers\nkey-from-file-0000000001\n\n  key-from-file-0000000002  \n";
    const char *body = "{\"product_id\":\"kf-1\",\"rating\":5}";
    /* Each header, and whether it lets the write in (201) or not (401). */
    static const struct {
        const char *hdr;
        int status;
    } tries[] = {
        {"Authorization: Bearer key-from-file-0000000001", 201},
        {"Authorization: Bearer key-from-file-0000000002", 201},
        {"Authorization: Bearer " H_KEY, 201},
        {"Authorization: Bearer # writers", 401},
        {"Authorization: Bearer key-from-file-000000000", 401},
        {"Authorization: Bearer key-from-file-00000000011", 401},
    };
    char conf[600], keyfile[400];

    *state = d;
    assert_non_null(d);
    snprintf(keyfile, sizeof(keyfile), "%s/keys", d->root);
    h_write_file(keyfile, keys, strlen(keys));
    snprintf(d->config, sizeof(d->config), "%s/chorusd.conf", d->root);
    snprintf(conf, sizeof(conf), "api_keys_file = %s\n", keyfile);
    h_write_file(d->config, conf, strlen(conf));
    assert_int_equal(chorusd_start(d), 0);

    for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
        const char *hdrs[] = {tries[i].hdr, NULL};
        struct hreq q = {.method = "POST",
                         .path = "/api/v1/reviews",
                         .ctype = "application/json",
                         .body = body,
                         .len = strlen(body),
                         .headers = hdrs};
        struct hresp *r = h_do(d, &q);

        if (r->status != tries[i].status)
            print_error("%s\n", tries[i].hdr);
        if (tries[i].status == 201)
            expect_status(r, 201);
        else
            expect_problem(r, 401);
        hresp_free(r);
    }
}

/* The command line works on the folder chorusd serves: LMDB lets both in,
 * and ids never collide whoever writes. */
CHORUS_TEST_SETUP(cli_while_serving, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    char in[400], out[400], err[400];
    const char *lines = "{\"product_id\":\"sh-1\",\"rating\":1,\"source_id\":\"cli-1\"}\n"
                        "{\"product_id\":\"sh-1\",\"rating\":2,\"source_id\":\"cli-2\"}\n";
    const char *import[] = {CHORUS_PATH, "import", "--data", d->data, in, NULL};
    const char *check[] = {CHORUS_PATH, "check", "--data", d->data, NULL};
    uint64_t first, last, ids[8];
    size_t n;
    struct hresp *r;

    snprintf(in, sizeof(in), "%s/in.ndjson", d->root);
    snprintf(out, sizeof(out), "%s/out.txt", d->root);
    snprintf(err, sizeof(err), "%s/err.txt", d->root);
    h_write_file(in, lines, strlen(lines));
    first = h_post_review(d, "{\"product_id\":\"sh-1\",\"rating\":5}");
    if (h_run(out, err, import) != 0 || h_run(out, err, check) != 0) {
        char *e = h_slurp(err, NULL), *o = h_slurp(out, NULL);

        print_error("chorus failed next to chorusd:\n%s%s", o ? o : "", e ? e : "");
        free(e);
        free(o);
        fail();
    }
    r = h_get(d, "/api/v1/products/sh-1");
    expect_jint(r->json, "stats.count", 3);
    hresp_free(r);
    last = h_post_review(d, "{\"product_id\":\"sh-1\",\"rating\":4}");
    n = h_list_ids(d, false, "/api/v1/products/sh-1/reviews?sort=oldest", ids, 8, NULL);
    assert_int_equal(n, 4);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            assert_true(ids[i] != ids[j]);
    assert_true(last > first);
    r = h_get(d, "/api/v1/products/sh-1");
    expect_jint(r->json, "stats.count", 4);
    hresp_free(r);
    /* chorusd's dedupe sees what chorus wrote. */
    r = h_post_json(d, "/api/v1/reviews",
                    "{\"product_id\":\"sh-1\",\"rating\":3,\"source_id\":\"cli-2\"}");
    expect_status(r, 200);
    expect_jstr(r->json, "results[0].status", "updated");
    hresp_free(r);
}

/* ---- CORS ------------------------------------------------------------------------------ */

CHORUS_TEST_SETUP(cors_preflight, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    const char *hdrs[] = {"Origin: https://shop.example", "Access-Control-Request-Method: POST",
                          "Access-Control-Request-Headers: authorization, content-type", NULL};
    struct hreq q = {.method = "OPTIONS", .path = "/api/v1/reviews", .headers = hdrs};
    struct hresp *r = h_do(d, &q);

    expect_status(r, 204);
    expect_header(r, "Access-Control-Allow-Methods", "POST");
    expect_header(r, "Access-Control-Allow-Origin", "*");
    expect_header(r, "Access-Control-Allow-Headers", "Authorization");
    expect_header(r, "Access-Control-Allow-Headers", "Content-Type");
    hresp_free(r);

    q.path = "/api/v1/products/p-1";
    r = h_do(d, &q);
    expect_status(r, 204);
    expect_header(r, "Access-Control-Allow-Methods", "GET");
    expect_header(r, "Access-Control-Allow-Methods", "PUT");
    hresp_free(r);
}

CHORUS_TEST_SETUP(cors_on_reads, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t id = h_post_review(d, "{\"product_id\":\"co-1\",\"rating\":5}");
    const char *hdrs[] = {"Origin: https://shop.example", NULL};
    const char *paths[] = {
        "/api/v1/products/co-1", "/api/v1/products/co-1/reviews", "/api/v1/products",
        h_fmt("/api/v1/reviews/%llu", (unsigned long long)id), "/api/v1/products/none"};

    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        struct hreq q = {.method = "GET", .path = paths[i], .headers = hdrs};
        struct hresp *r = h_do(d, &q);

        if (!hresp_header(r, "Access-Control-Allow-Origin"))
            fail_msg("GET %s: no Access-Control-Allow-Origin", paths[i]);
        expect_header(r, "Access-Control-Allow-Origin", "*");
        hresp_free(r);
    }
}

static int setup_cors_origin(void **state)
{
    *state = chorusd_new("cors_origin = https://shop.example\n");
    return *state ? 0 : -1;
}

CHORUS_TEST_SETUP(cors_origin_configured, setup_cors_origin, h_teardown)
{
    struct chorusd *d = *state;
    struct hresp *r = h_get(d, "/api/v1/products");

    expect_status(r, 200);
    expect_header(r, "Access-Control-Allow-Origin", "https://shop.example");
    hresp_free(r);
    r = h_get(d, "/api/v1/products/none");
    expect_problem(r, 404);
    expect_header(r, "Access-Control-Allow-Origin", "https://shop.example");
    hresp_free(r);
}

/* ---- errors --------------------------------------------------------------------------------- */

CHORUS_TEST_SETUP(problem_json_on_every_error, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t id = h_post_review(d, "{\"product_id\":\"pj-1\",\"rating\":5}");
    const char *vote = h_fmt("/api/v1/reviews/%llu/votes", (unsigned long long)id);
    const char *ok = "{\"product_id\":\"pj-1\",\"rating\":5}";
    const struct {
        struct hreq q;
        long status;
    } cases[] = {
        {{.method = "GET", .path = "/api/v1/products/pj-1/reviews?x=1"}, 400},
        {{.method = "POST",
          .path = "/api/v1/reviews",
          .key = true,
          .ctype = "application/json",
          .body = "[",
          .len = 1},
         400},
        {{.method = "POST",
          .path = "/api/v1/reviews",
          .ctype = "application/json",
          .body = ok,
          .len = strlen(ok)},
         401},
        {{.method = "DELETE", .path = "/api/v1/reviews/1"}, 401},
        {{.method = "GET", .path = "/api/v1/nothing"}, 404},
        {{.method = "GET", .path = "/api/v1/products/none"}, 404},
        {{.method = "PUT", .path = "/healthz"}, 405},
        {{.method = "POST",
          .path = "/api/v1/reviews",
          .key = true,
          .ctype = "text/csv",
          .body = ok,
          .len = strlen(ok)},
         415},
        {{.method = "POST",
          .path = "/api/v1/reviews",
          .key = true,
          .ctype = "application/json",
          .body = "{}",
          .len = 2},
         422},
        {{.method = "POST",
          .path = vote,
          .ctype = "application/json",
          .body = "{\"helpful\":true}",
          .len = 16},
         200},
        {{.method = "POST",
          .path = vote,
          .ctype = "application/json",
          .body = "{\"helpful\":true}",
          .len = 16},
         429},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct hresp *r = h_do(d, &cases[i].q);

        if (r->status != cases[i].status)
            print_error("%s %s\n", cases[i].q.method, cases[i].q.path);
        if (cases[i].status < 400)
            expect_status(r, cases[i].status);
        else
            expect_problem(r, cases[i].status);
        hresp_free(r);
    }
}

CHORUS_TEST_MAIN()
