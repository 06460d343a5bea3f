/* What one client may cost: body caps checked before parsing, the memory a
 * JSON parse may take, API key scopes and write budgets, who a vote comes
 * from (trusted proxies, IPv6 /64s) and what it costs, connection caps and
 * slow clients, and /metrics behind a key. Each against a real chorusd. */
#include "testmain.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define REVIEWS    "/api/v1/reviews"
#define KEY_INGEST "ingest-only-key-0000000000000001"
#define KEY_CAT    "catalogue-only-key-0000000000001"
#define KEY_OTHER  "every-scope-key-00000000000000001"
#define KEY_NEW    "added-on-reload-key-000000000001"

static void sleep_ms(long ms);

/* send_json sends len bytes of body as JSON, with the test key or none. */
static struct hresp *send_json(struct chorusd *d, const char *method, const char *path, bool key,
                               const char *body, size_t len)
{
    return h_do(d, &(struct hreq){.method = method,
                                  .path = path,
                                  .key = key,
                                  .ctype = "application/json",
                                  .body = body,
                                  .len = len});
}

static struct hresp *send_as(struct chorusd *d, const char *method, const char *path,
                             const char *key, const char *body)
{
    char auth[128];
    const char *headers[] = {auth, NULL};
    struct hreq q = {.method = method,
                     .path = path,
                     .ctype = "application/json",
                     .body = body,
                     .len = body ? strlen(body) : 0,
                     .headers = key ? headers : NULL};

    snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key ? key : "");
    return h_do(d, &q);
}

/* vote_from votes on review id as the client a proxy says (xff NULL: no
 * header) and returns the status, 200 for any success. */
static long vote_from(struct chorusd *d, uint64_t id, const char *xff)
{
    char hdr[256];
    const char *headers[] = {hdr, NULL};
    struct hreq q = {.method = "POST",
                     .path = h_fmt(REVIEWS "/%llu/votes", (unsigned long long)id),
                     .ctype = "application/json",
                     .body = "{\"helpful\":true}",
                     .len = 16,
                     .headers = xff ? headers : NULL};
    struct hresp *r;
    long status;

    snprintf(hdr, sizeof(hdr), "X-Forwarded-For: %s", xff ? xff : "");
    r = h_do(d, &q);
    status = r->status / 100 == 2 ? 200 : r->status; /* counted */
    hresp_free(r);
    return status;
}

static uint64_t post_reviews(struct chorusd *d, unsigned n)
{
    uint64_t id = 0;

    for (unsigned i = 0; i < n; i++)
        id = h_post_review(d, h_fmt("{\"product_id\":\"lim-1\",\"rating\":%u,"
                                    "\"title\":\"Review %u\",\"body\":\"Fine.\"}",
                                    1 + i % 5, i));
    return id;
}

/* ---- bodies ------------------------------------------------------------------ */

/* Small bodies have small caps, refused before any parser sees them; a body
 * at the cap is served normally. */
CHORUS_TEST_SETUP(small_bodies_are_capped, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t id = post_reviews(d, 1);
    size_t big = (64u << 10) + 1;
    char *pad = malloc(big + 1);
    struct hresp *r;
    const char *paths[] = {"/api/v1/reviews/%llu/moderation", "/api/v1/reviews/%llu/responses",
                           "/api/v1/digest-tokens", "/api/v1/sources"};

    assert_non_null(pad);
    /* Whitespace is valid JSON padding: only the size can be the reason. */
    memset(pad, ' ', big);
    pad[0] = '{';
    pad[big - 1] = '}';
    pad[big] = '\0';
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        r = send_json(d, "POST", h_fmt(paths[i], (unsigned long long)id), true, pad, big);
        expect_problem(r, 413);
        expect_jcontains(r->json, "detail", "at most 65536");
        hresp_free(r);
    }
    r = send_json(d, "PUT", "/api/v1/products/lim-1", true, pad, big);
    expect_problem(r, 413);
    hresp_free(r);
    /* A vote: 1 KiB. */
    r = send_json(d, "POST", h_fmt(REVIEWS "/%llu/votes", (unsigned long long)id), false, pad,
                  1025);
    expect_problem(r, 413);
    hresp_free(r);
    memcpy(pad, "{\"helpful\":true", 15);
    pad[1023] = '}';
    r = send_json(d, "POST", h_fmt(REVIEWS "/%llu/votes", (unsigned long long)id), false, pad,
                  1024);
    assert_true(r->status >= 200 && r->status < 300);
    hresp_free(r);
    free(pad);
}

/* 8 MiB of empty arrays took 390 MB of jansson values: the parse is now
 * refused once it passes max_json_memory, and chorusd's peak memory stays a
 * small multiple of the body (which evhttp holds whole). */
CHORUS_TEST(json_bomb_costs_bounded_memory)
{
    struct chorusd *d = chorusd_new("max_json_memory = 4194304\n");
    size_t n = (8u << 20) - 16, i;
    char *bomb = malloc(n + 1);
    long before, after;
    struct hresp *r;

    assert_non_null(d);
    assert_non_null(bomb);
    bomb[0] = '[';
    for (i = 1; i + 3 < n; i += 3)
        memcpy(bomb + i, "[],", 3);
    memcpy(bomb + i - 1, "[]]", 3);
    n = i + 2;
    bomb[n] = '\0';
    before = h_status_kib(d, "VmHWM");
    r = send_json(d, "POST", REVIEWS, true, bomb, n);
    expect_problem(r, 400);
    expect_jcontains(r->json, "detail", "max_json_memory");
    hresp_free(r);
    after = h_status_kib(d, "VmHWM");
    print_message("peak memory %ld KiB -> %ld KiB for an %zu-byte bomb\n", before, after, n);
    assert_true(after - before < 96 * 1024);
    r = h_get(d, "/healthz");
    expect_status(r, 200);
    hresp_free(r);
    free(bomb);
    assert_int_equal(chorusd_free(d), 0);
}

/* A real batch of 2,000 reviews is far inside the default budget. */
CHORUS_TEST_SETUP(large_batch_within_budget, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    size_t cap = 2000 * 1100, len = 0;
    char *body = malloc(cap);
    struct hresp *r;

    assert_non_null(body);
    body[len++] = '[';
    for (unsigned i = 0; i < 2000; i++)
        len += (size_t)snprintf(body + len, cap - len,
                                "%s{\"product_id\":\"batch-%u\",\"rating\":%u,\"title\":\"Hinge "
                                "cracked after %u days\",\"body\":\"%0900u\",\"author\":\"reader "
                                "%u\"}",
                                i ? "," : "", i % 50, 1 + i % 5, i, i, i);
    assert_true(len + 1 < cap);
    body[len++] = ']';
    r = send_json(d, "POST", REVIEWS, true, body, len);
    expect_status(r, 201);
    expect_jint(r->json, "accepted", 2000);
    hresp_free(r);
    free(body);
}

/* ---- keys -------------------------------------------------------------------- */

static struct chorusd *with_keys(const char *extra_config)
{
    static const char text[] =
        "# scoped keys\n" KEY_INGEST " ingest\n" KEY_CAT " catalogue\n" KEY_OTHER "\n";
    struct chorusd *d = chorusd_make(NULL);
    char keys[512], conf[1024];

    assert_non_null(d);
    snprintf(keys, sizeof(keys), "%s/keys", d->root);
    h_write_file(keys, text, strlen(text));
    snprintf(d->config, sizeof(d->config), "%s/chorusd.conf", d->root);
    snprintf(conf, sizeof(conf), "api_keys_file = %s\n%s", keys, extra_config);
    h_write_file(d->config, conf, strlen(conf));
    assert_int_equal(chorusd_start(d), 0);
    return d;
}

/* A key does what its scopes say; a missing scope is a 403 that names it. */
CHORUS_TEST(key_scopes)
{
    struct chorusd *d = with_keys("");
    const char *review = "{\"product_id\":\"scoped\",\"rating\":5}";
    struct hresp *r;

    r = send_as(d, "POST", REVIEWS, KEY_INGEST, review);
    expect_status(r, 201);
    hresp_free(r);
    r = send_as(d, "PUT", "/api/v1/products/scoped", KEY_INGEST, "{\"name\":\"Scoped\"}");
    expect_problem(r, 403);
    expect_jcontains(r->json, "detail", "'catalogue'");
    hresp_free(r);
    r = send_as(d, "GET", "/api/v1/sources", KEY_INGEST, NULL);
    expect_problem(r, 403);
    expect_jcontains(r->json, "detail", "'admin'");
    hresp_free(r);
    r = send_as(d, "GET", "/api/v1/moderation", KEY_INGEST, NULL);
    expect_problem(r, 403);
    expect_jcontains(r->json, "detail", "'moderate'");
    hresp_free(r);
    r = send_as(d, "PUT", "/api/v1/products/scoped", KEY_CAT, "{\"name\":\"Scoped\"}");
    assert_true(r->status == 200 || r->status == 201);
    hresp_free(r);
    r = send_as(d, "POST", REVIEWS, KEY_CAT, review);
    expect_problem(r, 403);
    expect_jcontains(r->json, "detail", "'ingest'");
    hresp_free(r);
    /* A bare key has every scope; so has the environment's. */
    r = send_as(d, "GET", "/api/v1/sources", KEY_OTHER, NULL);
    expect_status(r, 200);
    hresp_free(r);
    r = h_get_key(d, "/api/v1/moderation");
    expect_status(r, 200);
    hresp_free(r);
    /* Reads need no scope. */
    r = send_as(d, "GET", "/api/v1/products/scoped", KEY_CAT, NULL);
    expect_status(r, 200);
    hresp_free(r);
    assert_int_equal(chorusd_free(d), 0);
}

/* expect_catalogue checks the name and link product id shows on its JSON,
 * its hosted page and in the Google feed. */
static void expect_catalogue(struct chorusd *d, const char *id, const char *name, const char *url)
{
    struct hresp *r = h_get(d, h_fmt("/api/v1/products/%s", id));

    expect_status(r, 200);
    expect_jstr(r->json, "name", name);
    expect_jstr(r->json, "url", url);
    hresp_free(r);
    r = h_get(d, h_fmt("/p/%s", id));
    expect_status(r, 200);
    expect_contains(r->body, h_fmt("<title>%s", name));
    expect_contains(r->body, h_fmt("href=\"%s\"", url));
    hresp_free(r);
    h_google_settle(d);
    r = h_get(d, "/feeds/google-reviews.xml");
    expect_status(r, 200);
    expect_contains(r->body, h_fmt("<product_name>%s</product_name>", name));
    expect_contains(r->body, h_fmt("<product_url>%s</product_url>", url));
    hresp_free(r);
}

/* A review's product object fills what the catalogue leaves empty and,
 * whatever the review's status, changes what it has set only when its key
 * has the catalogue scope (docs/reviews.md, "Who may change the
 * catalogue"). */
CHORUS_TEST(review_catalogue_needs_the_scope)
{
    struct chorusd *d = with_keys("google_feed_debounce_ms = 20\n");
    struct hresp *r = send_as(d, "PUT", "/api/v1/products/rr-1", KEY_CAT,
                              "{\"name\":\"Real Dock\",\"url\":\"https://shop.example/rr-1\"}");

    expect_status(r, 201);
    hresp_free(r);
    r = send_as(d, "POST", REVIEWS, KEY_INGEST,
                "{\"product_id\":\"rr-1\",\"rating\":5,\"body\":\"Works.\"}");
    expect_status(r, 201);
    hresp_free(r);
    expect_catalogue(d, "rr-1", "Real Dock", "https://shop.example/rr-1");
    r = send_as(d, "POST", REVIEWS, KEY_INGEST,
                "{\"product_id\":\"rr-1\",\"rating\":1,\"status\":\"rejected\",\"product\":{"
                "\"name\":\"Cheap pills\",\"url\":\"https://evil.example/\",\"brand\":\"Acme\"}}");
    expect_status(r, 201);
    hresp_free(r);
    expect_catalogue(d, "rr-1", "Real Dock", "https://shop.example/rr-1");
    r = h_get(d, "/api/v1/products/rr-1");
    expect_jstr(r->json, "brand", "Acme"); /* it was empty, so it is filled */
    hresp_free(r);
    /* The same from a key with every scope replaces them. */
    r = send_as(d, "POST", REVIEWS, KEY_OTHER,
                "{\"product_id\":\"rr-1\",\"rating\":4,\"product\":{\"name\":\"New Dock\","
                "\"url\":\"https://shop.example/new\"}}");
    expect_status(r, 201);
    hresp_free(r);
    expect_catalogue(d, "rr-1", "New Dock", "https://shop.example/new");
    assert_int_equal(chorusd_free(d), 0);
}

/* An unknown scope stops chorusd at start with a sentence, not a key that
 * silently can do less (or more) than meant. */
CHORUS_TEST(unknown_scope_refused)
{
    struct chorusd *d = chorusd_make(NULL);
    char keys[512], conf[600], out[600], err[600], line[600];
    const char *argv[] = {CHORUSD_PATH, "--data",   d->data,       "--config",
                          conf,         "--listen", "127.0.0.1:0", NULL};
    char *text;

    snprintf(keys, sizeof(keys), "%s/keys", d->root);
    h_write_file(keys, KEY_INGEST " ingest,deploy\n", strlen(KEY_INGEST " ingest,deploy\n"));
    snprintf(conf, sizeof(conf), "%s/c.conf", d->root);
    snprintf(out, sizeof(out), "%s/out", d->root);
    snprintf(err, sizeof(err), "%s/err", d->root);
    snprintf(line, sizeof(line), "api_keys_file = %s\n", keys);
    h_write_file(conf, line, strlen(line));
    assert_int_not_equal(h_run(out, err, argv), 0);
    text = h_slurp(err, NULL);
    expect_contains(text, "unknown API key scope 'deploy'");
    free(text);
    assert_int_equal(chorusd_free(d), 0);
}

/* key_writes_per_minute: past it, 429 with Retry-After; reads and other
 * keys go on. */
CHORUS_TEST(key_write_budget)
{
    struct chorusd *d = with_keys("key_writes_per_minute = 3\n");
    const char *review = "{\"product_id\":\"budget\",\"rating\":4}";
    struct hresp *r;
    long wait;

    for (int i = 0; i < 3; i++) {
        r = send_as(d, "POST", REVIEWS, KEY_INGEST, review);
        expect_status(r, 201);
        hresp_free(r);
    }
    r = send_as(d, "POST", REVIEWS, KEY_INGEST, review);
    expect_problem(r, 429);
    assert_non_null(hresp_header(r, "Retry-After"));
    wait = strtol(hresp_header(r, "Retry-After"), NULL, 10);
    assert_true(wait >= 1 && wait <= 60);
    hresp_free(r);
    r = send_as(d, "GET", "/api/v1/products/budget", KEY_INGEST, NULL);
    expect_status(r, 200);
    hresp_free(r);
    r = send_as(d, "POST", REVIEWS, KEY_OTHER, review);
    expect_status(r, 201);
    hresp_free(r);
    assert_int_equal(chorusd_free(d), 0);
}

/* SIGHUP reads the keys file again: a key taken out stops working, a key
 * put in starts, the others (and their connections) carry on. */
CHORUS_TEST(keys_reload_on_sighup)
{
    struct chorusd *d = with_keys("");
    const char *review = "{\"product_id\":\"hup\",\"rating\":4}";
    const char *text = KEY_CAT " catalogue\n" KEY_NEW " ingest\n";
    char keys[512];
    struct hresp *r;
    long status = 0;

    r = send_as(d, "POST", REVIEWS, KEY_INGEST, review);
    expect_status(r, 201);
    hresp_free(r);
    r = send_as(d, "POST", REVIEWS, KEY_NEW, review);
    expect_problem(r, 401);
    hresp_free(r);
    snprintf(keys, sizeof(keys), "%s/keys", d->root);
    h_write_file(keys, text, strlen(text));
    assert_int_equal(kill(d->pid, SIGHUP), 0);
    /* The signal is handled on the loop: poll until the new key works. */
    for (int i = 0; i < 100 && status != 201; i++) {
        r = send_as(d, "POST", REVIEWS, KEY_NEW, review);
        status = r->status;
        hresp_free(r);
        if (status != 201)
            sleep_ms(50);
    }
    assert_int_equal(status, 201);
    r = send_as(d, "POST", REVIEWS, KEY_INGEST, review);
    expect_problem(r, 401);
    hresp_free(r);
    r = send_as(d, "PUT", "/api/v1/products/hup", KEY_CAT, "{\"name\":\"Hup\"}");
    assert_true(r->status == 200 || r->status == 201);
    hresp_free(r);
    /* A keys file that does not parse leaves the keys in use. */
    h_write_file(keys, KEY_NEW " deploy\n", strlen(KEY_NEW " deploy\n"));
    assert_int_equal(kill(d->pid, SIGHUP), 0);
    sleep_ms(300);
    r = send_as(d, "POST", REVIEWS, KEY_NEW, review);
    expect_status(r, 201);
    hresp_free(r);
    assert_int_equal(chorusd_free(d), 0);
}

/* The access log: a JSON line per request with the pinned fields, the
 * second widget request a cache hit, no key or token anywhere in it, and
 * after SIGHUP a new file where the old one was moved (log rotation). */
CHORUS_TEST(access_log_lines)
{
    struct chorusd *d = chorusd_make(NULL);
    char conf[700], log[600], moved[600];
    const char *secret = "S3CRETTOKENVALUE";
    struct hresp *r;
    char *text, *line, *save = NULL;
    int lines = 0, hits = 0;

    assert_non_null(d);
    snprintf(log, sizeof(log), "%s/access.log", d->root);
    snprintf(moved, sizeof(moved), "%s/access.log.1", d->root);
    snprintf(d->config, sizeof(d->config), "%s/chorusd.conf", d->root);
    snprintf(conf, sizeof(conf), "access_log = %s\n", log);
    h_write_file(d->config, conf, strlen(conf));
    assert_int_equal(chorusd_start(d), 0);
    post_reviews(d, 1);
    for (int i = 0; i < 2; i++) {
        r = h_get(d, "/widget/lim-1.html");
        expect_status(r, 200);
        hresp_free(r);
    }
    r = h_get(d, h_fmt("/feeds/digest.atom?token=%s&category=x", secret));
    hresp_free(r);
    r = h_get(d, h_fmt("/api/v1/products?cursor=%s", secret));
    hresp_free(r);
    text = h_slurp(log, NULL);
    assert_null(strstr(text, secret));
    assert_null(strstr(text, H_KEY));
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        json_t *j = json_loads(line, 0, NULL);

        assert_non_null(j);
        expect_jstr(j, "client", "127.0.0.1");
        assert_non_null(json_object_get(j, "time"));
        assert_non_null(json_object_get(j, "method"));
        assert_true(json_is_integer(json_object_get(j, "status")));
        assert_true(json_is_integer(json_object_get(j, "bytes")));
        assert_true(json_is_integer(json_object_get(j, "us")));
        assert_non_null(json_object_get(j, "cache"));
        if (strcmp(json_string_value(json_object_get(j, "path")), "/widget/lim-1.html") == 0 &&
            json_is_string(json_object_get(j, "cache")) &&
            strcmp(json_string_value(json_object_get(j, "cache")), "hit") == 0)
            hits++;
        lines++;
        json_decref(j);
    }
    free(text);
    assert_true(lines >= 5);
    assert_int_equal(hits, 1);
    text = h_slurp(log, NULL);
    expect_contains(text,
                    "token=REDACTED\\u0026category=x"); /* & escaped, as in all JSON we write */
    expect_contains(text, "cursor=REDACTED");
    free(text);
    assert_int_equal(rename(log, moved), 0);
    assert_int_equal(kill(d->pid, SIGHUP), 0);
    for (int i = 0; i < 100 && access(log, F_OK) != 0; i++)
        sleep_ms(20);
    r = h_get(d, "/healthz");
    hresp_free(r);
    text = h_slurp(log, NULL);
    expect_contains(text, "\"path\":\"/healthz\"");
    free(text);
    assert_int_equal(chorusd_free(d), 0);
}

/* ---- metrics ------------------------------------------------------------------ */

CHORUS_TEST_SETUP(metrics_need_a_key, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    struct hresp *r = h_get(d, "/metrics");

    expect_problem(r, 401);
    hresp_free(r);
    r = h_get_key(d, "/metrics");
    expect_status(r, 200);
    hresp_free(r);
}

CHORUS_TEST(metrics_public_when_configured)
{
    struct chorusd *d = chorusd_new("metrics_access = public\n");
    struct hresp *r;

    assert_non_null(d);
    r = h_get(d, "/metrics");
    expect_status(r, 200);
    expect_contains(r->body, "chorus_connections_open");
    hresp_free(r);
    assert_int_equal(chorusd_free(d), 0);
}

/* Operators' metrics: replies by route and status (a write answered after
 * its batch commits is counted too), a latency histogram whose buckets
 * add up, the page cache's hits and misses by route; unasked routes have
 * no series. */
CHORUS_TEST_SETUP(metrics_by_route, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    const char *widget = "{method=\"GET\",route=\"/widget/{id}.html\"";
    long long prev = 0;
    struct hresp *r;

    post_reviews(d, 2);
    for (int i = 0; i < 3; i++) {
        r = h_get(d, "/widget/lim-1.html");
        expect_status(r, 200);
        hresp_free(r);
    }
    r = h_get(d, "/nothing/here");
    expect_problem(r, 404);
    hresp_free(r);
    r = h_get(d, "/widget/lim-1.html?limit=nine");
    expect_widget_fallback(r, 400, "lim-1");
    hresp_free(r);
    assert_int_equal(h_metric(d, "chorus_http_responses_total{method=\"POST\",route=\"/api/v1/"
                                 "reviews\",status=\"201\"}"),
                     2);
    assert_int_equal(h_metric(d, h_fmt("chorus_http_responses_total%s,status=\"200\"}", widget)),
                     3);
    assert_int_equal(h_metric(d, h_fmt("chorus_http_responses_total%s,status=\"400\"}", widget)),
                     1);
    assert_int_equal(h_metric(d, "chorus_http_responses_total{method=\"\",route=\"unmatched\","
                                 "status=\"404\"}"),
                     1);
    assert_int_equal(h_metric(d, h_fmt("chorus_http_request_duration_seconds_count%s}", widget)),
                     4);
    for (const char *le = "0.0001\0"
                          "0.001\0"
                          "0.01\0"
                          "0.1\0"
                          "1\0"
                          "+Inf\0";
         *le; le += strlen(le) + 1) {
        long long v = h_metric(
            d, h_fmt("chorus_http_request_duration_seconds_bucket%s,le=\"%s\"}", widget, le));

        assert_true(v >= prev);
        prev = v;
    }
    assert_int_equal(prev, 4);
    assert_int_equal(
        h_metric(d, h_fmt("chorus_page_cache_requests_total%s,result=\"miss\"}", widget)), 1);
    assert_int_equal(
        h_metric(d, h_fmt("chorus_page_cache_requests_total%s,result=\"hit\"}", widget)), 2);
    assert_int_equal(h_metric(d, "chorus_http_request_duration_seconds_count{method=\"GET\",route="
                                 "\"/dashboard\"}"),
                     -1);
}

/* ---- who votes ------------------------------------------------------------------ */

/* Behind a trusted proxy each reader is its own client: one reader's cap
 * does not block the site; the right-most untrusted address counts, so a
 * reader cannot pick one; an IPv6 reader is its /64. */
CHORUS_TEST(votes_per_forwarded_client)
{
    struct chorusd *d = chorusd_new("trusted_proxies = 127.0.0.1/32, 10.9.0.0/16\n"
                                    "votes_per_hour = 2\n");
    uint64_t last;

    assert_non_null(d);
    last = post_reviews(d, 6);
    assert_int_equal(vote_from(d, last, "198.51.100.1"), 200);
    assert_int_equal(vote_from(d, last - 1, "198.51.100.1"), 200);
    assert_int_equal(vote_from(d, last - 2, "198.51.100.1"), 429);
    /* Another reader is not affected. */
    assert_int_equal(vote_from(d, last - 2, "198.51.100.2"), 200);
    /* Written by the client, left of the proxies' hops: ignored. */
    assert_int_equal(vote_from(d, last - 3, "203.0.113.77, 198.51.100.1, 10.9.1.1"), 429);
    /* IPv6: one budget per /64. */
    assert_int_equal(vote_from(d, last, "2001:db8:1:2::1"), 200);
    assert_int_equal(vote_from(d, last - 1, "2001:db8:1:2:ffff::9"), 200);
    assert_int_equal(vote_from(d, last - 2, "2001:db8:1:2::abcd"), 429);
    assert_int_equal(vote_from(d, last - 2, "2001:db8:1:3::1"), 200);
    assert_int_equal(chorusd_free(d), 0);
}

/* Without trusted_proxies the header is the client's word: ignored. */
CHORUS_TEST(forwarded_ignored_from_untrusted_peer)
{
    struct chorusd *d = chorusd_new("votes_per_hour = 2\n");
    uint64_t last;

    assert_non_null(d);
    last = post_reviews(d, 3);
    assert_int_equal(vote_from(d, last, "198.51.100.1"), 200);
    assert_int_equal(vote_from(d, last - 1, "198.51.100.2"), 200);
    assert_int_equal(vote_from(d, last - 2, "198.51.100.3"), 429);
    assert_int_equal(chorusd_free(d), 0);
}

/* A vote on a missing or pending review is a 404 that costs nothing. */
CHORUS_TEST(votes_on_hidden_reviews_are_free)
{
    struct chorusd *d = chorusd_new("votes_per_hour = 2\n");
    uint64_t last, pending;

    assert_non_null(d);
    last = post_reviews(d, 2);
    pending = h_post_review(d, "{\"product_id\":\"lim-1\",\"rating\":2,\"status\":\"pending\"}");
    for (int i = 0; i < 5; i++) {
        assert_int_equal(vote_from(d, last + 1000 + (uint64_t)i, NULL), 404);
        assert_int_equal(vote_from(d, pending, NULL), 404);
    }
    assert_int_equal(vote_from(d, last, NULL), 200);
    assert_int_equal(vote_from(d, last - 1, NULL), 200);
    assert_int_equal(chorusd_free(d), 0);
}

/* ---- connections ------------------------------------------------------------------ */

/* closed_soon says whether the server closed fd within the socket's
 * receive timeout. */
static bool closed_soon(int fd)
{
    char c;
    ssize_t n = recv(fd, &c, 1, 0);

    return n == 0 || (n < 0 && errno == ECONNRESET);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

/* Past max_connections_per_client a new connection is closed at once and
 * counted; when the client's connections close, it may connect again. */
CHORUS_TEST(connections_per_client)
{
    struct chorusd *d = chorusd_new("max_connections_per_client = 8\nmetrics_access = public\n");
    int fds[8], extra;
    struct hresp *r;

    assert_non_null(d);
    h__http_reset(d); /* no kept-alive connection of the client counts */
    for (int i = 0; i < 8; i++)
        fds[i] = h_connect(d, 2000);
    sleep_ms(100);
    extra = h_connect(d, 2000);
    assert_true(closed_soon(extra));
    close(extra);
    for (int i = 0; i < 8; i++)
        close(fds[i]);
    sleep_ms(600); /* closed without a request: found by the next sweep */
    r = h_get(d, "/metrics");
    expect_status(r, 200);
    expect_contains(r->body,
                    "chorus_connections_refused_total{reason=\"max_connections_per_client\"} 1\n");
    hresp_free(r);
    assert_int_equal(chorusd_free(d), 0);
}

/* 200 connections that dribble their headers one byte at a time (slowloris)
 * do not slow anyone else: a normal request is answered in well under a
 * second all the while. */
CHORUS_TEST_SETUP(slow_clients_do_not_delay_others, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    int fds[200];
    struct timespec t0, t1;
    double worst = 0;

    for (int i = 0; i < 200; i++) {
        fds[i] = h_connect(d, 2000);
        assert_int_equal(send(fds[i], "GET /healthz HTTP/1.1\r\nX-Slow: ", 31, 0), 31);
    }
    for (int round = 0; round < 10; round++) {
        struct hresp *r;
        double ms;

        for (int i = 0; i < 200; i++)
            assert_int_equal(send(fds[i], "a", 1, MSG_NOSIGNAL), 1);
        clock_gettime(CLOCK_MONOTONIC, &t0);
        r = h_get(d, "/api/v1/products/none");
        clock_gettime(CLOCK_MONOTONIC, &t1);
        expect_problem(r, 404);
        hresp_free(r);
        ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
        worst = ms > worst ? ms : worst;
        sleep_ms(100);
    }
    print_message("slowest request among 200 slow clients: %.1f ms\n", worst);
    assert_true(worst < 1000);
    for (int i = 0; i < 200; i++)
        close(fds[i]);
}

CHORUS_TEST_MAIN()
