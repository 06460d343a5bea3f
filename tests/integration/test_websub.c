/* WebSub publishing: chorusd pings a hub when feeds change.
 *
 * The hub is ours: the embedded test server (http_server.h) on 127.0.0.1
 * port 0, recording every publish request. Its handler is the only code on
 * the server's thread; the test reads the records under the server's lock
 * and waits for its broadcast, so nothing here sleeps on a guess except
 * where the point is that nothing more arrives.
 *
 * chorusd gets CHORUS_WEBSUB_BACKOFF_MS=100 so a retry takes milliseconds.
 */
#include "harness.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http_server.h"
#include "seed.h"
#include "testmain.h"

#define PUB       "https://reviews.example.test"
#define MAX_PINGS 256

/* ---- the test hub ------------------------------------------------------------------ */

struct ping {
    char method[8];
    char ctype[128];
    char agent[128];
    char mode[32];
    char url[1024];
};

struct hub {
    struct ts_server *srv;
    int port;
    unsigned fail_first; /* answer 503 to this many attempts per topic */
    /* Guarded by the server's lock; a ts_broadcast on every recorded ping: */
    struct ping pings[MAX_PINGS];
    size_t n;
};

static void on_hub(struct ts_server *srv, struct evhttp_request *req, void *arg)
{
    struct hub *h = arg;
    struct ping p;
    char body[8192];
    unsigned attempts = 0;
    int status = 204;

    memset(&p, 0, sizeof(p));
    ts_body(req, body, sizeof(body));
    snprintf(p.method, sizeof(p.method), "%s",
             evhttp_request_get_command(req) == EVHTTP_REQ_POST ? "POST" : "OTHER");
    ts_copy_header(req, "Content-Type", p.ctype, sizeof(p.ctype));
    ts_copy_header(req, "User-Agent", p.agent, sizeof(p.agent));
    ts_form_value(body, "hub.mode", p.mode, sizeof(p.mode));
    ts_form_value(body, "hub.url", p.url, sizeof(p.url));

    ts_lock(srv);
    for (size_t i = 0; i < h->n; i++)
        if (strcmp(h->pings[i].url, p.url) == 0)
            attempts++;
    if (attempts < h->fail_first)
        status = 503;
    if (h->n < MAX_PINGS)
        h->pings[h->n++] = p;
    ts_broadcast(srv);
    ts_unlock(srv);
    ts_reply(req, status, status == 204 ? "No Content" : "Service Unavailable", NULL, NULL, 0);
}

static void hub_stop(struct hub *h)
{
    if (!h)
        return;
    ts_server_stop(h->srv);
    free(h);
}

/* hub_start starts a hub answering 503 to the first fail_first attempts
 * of each topic and 204 after. Fails the test when it cannot. */
static struct hub *hub_start(unsigned fail_first)
{
    struct hub *h = calloc(1, sizeof(*h));
    struct ts_config cfg = {.handler = on_hub, .arg = h};

    assert_non_null(h);
    h->fail_first = fail_first;
    if (ts_server_start(&h->srv, &cfg) != 0) {
        free(h);
        fail_msg("cannot start the hub on 127.0.0.1");
    }
    h->port = ts_server_port(h->srv);
    return h;
}

/* hub_count says how many pings url got. Called with the lock held. */
static size_t hub_count_locked(struct hub *h, const char *url)
{
    size_t n = 0;

    for (size_t i = 0; i < h->n; i++)
        if (strcmp(h->pings[i].url, url) == 0)
            n++;
    return n;
}

static size_t hub_count(struct hub *h, const char *url)
{
    size_t n;

    ts_lock(h->srv);
    n = hub_count_locked(h, url);
    ts_unlock(h->srv);
    return n;
}

static size_t hub_total(struct hub *h)
{
    size_t n;

    ts_lock(h->srv);
    n = h->n;
    ts_unlock(h->srv);
    return n;
}

/* hub_wait waits until the hub has at least n pings in all; returns how
 * many it has (fewer after ms milliseconds). */
static size_t hub_wait(struct hub *h, size_t n, long ms)
{
    struct timespec until = ts_deadline(ms);
    size_t got;

    ts_lock(h->srv);
    while (h->n < n && ts_wait(h->srv, &until))
        ;
    got = h->n;
    ts_unlock(h->srv);
    return got;
}

/* hub_wait_topics waits until every url of urls (NULL-terminated) was
 * pinged at least once; false after ms milliseconds. */
static bool hub_wait_topics(struct hub *h, const char *const *urls, long ms)
{
    struct timespec until = ts_deadline(ms);
    bool all = false;

    ts_lock(h->srv);
    for (;;) {
        all = true;
        for (size_t i = 0; urls[i]; i++)
            if (hub_count_locked(h, urls[i]) == 0)
                all = false;
        if (all || !ts_wait(h->srv, &until))
            break;
    }
    ts_unlock(h->srv);
    return all;
}

static void hub_clear(struct hub *h)
{
    ts_lock(h->srv);
    h->n = 0;
    ts_unlock(h->srv);
}

/* hub_print lists what the hub got, for a failing expectation. */
static void hub_print(struct hub *h)
{
    ts_lock(h->srv);
    for (size_t i = 0; i < h->n; i++)
        print_message("hub got: %s mode=%s url=%s\n", h->pings[i].method, h->pings[i].mode,
                      h->pings[i].url);
    ts_unlock(h->srv);
}

/* expect_pings checks that every url of urls got exactly counts[i] pings
 * and that nothing else was pinged; every ping is a form-encoded POST with
 * hub.mode=publish. */
static void expect_pings(struct hub *h, const char *const *urls, const size_t *counts)
{
    size_t want = 0;

    for (size_t i = 0; urls[i]; i++) {
        size_t got = hub_count(h, urls[i]);

        want += counts[i];
        if (got != counts[i]) {
            hub_print(h);
            fail_msg("%s: %zu pings, expected %zu", urls[i], got, counts[i]);
        }
    }
    if (hub_total(h) != want) {
        hub_print(h);
        fail_msg("the hub got %zu pings, expected %zu", hub_total(h), want);
    }
    ts_lock(h->srv);
    for (size_t i = 0; i < h->n; i++) {
        struct ping p = h->pings[i];

        ts_unlock(h->srv);
        assert_string_equal(p.method, "POST");
        assert_string_equal(p.ctype, "application/x-www-form-urlencoded");
        assert_string_equal(p.mode, "publish");
        assert_string_equal(p.agent, "Chorus/0.1 (+WebSub)");
        ts_lock(h->srv);
    }
    ts_unlock(h->srv);
}

/* ---- fixture ------------------------------------------------------------------------ */

struct ws {
    struct chorusd *d;
    struct hub *hub;
    int silent_fd; /* a listener nobody accepts on, or -1 */
};

static int ws_setup(void **state)
{
    struct ws *w = calloc(1, sizeof(*w));

    if (!w)
        return -1;
    w->silent_fd = -1;
    /* Inherited by chorusd (the harness passes our environment on). */
    setenv("CHORUS_WEBSUB_BACKOFF_MS", "100", 1);
    *state = w;
    return 0;
}

static int ws_teardown(void **state)
{
    struct ws *w = *state;
    int rc = chorusd_free(w->d);

    hub_stop(w->hub);
    if (w->silent_fd >= 0)
        close(w->silent_fd);
    free(w);
    *state = NULL;
    return rc;
}

/* start_chorusd starts chorusd with hub_url as websub_hub (NULL: none) and
 * its log in a file the test can read. */
static struct chorusd *start_chorusd(struct ws *w, const char *hub_url)
{
    const char *conf = hub_url ? h_fmt("public_url = " PUB "\nwebsub_hub = %s\n", hub_url)
                               : "public_url = " PUB "\n";

    w->d = chorusd_make(conf);
    assert_non_null(w->d);
    snprintf(w->d->log, sizeof(w->d->log), "%s/chorusd.log", w->d->root);
    assert_int_equal(chorusd_start(w->d), 0);
    return w->d;
}

static const char *hub_url(int port)
{
    return h_fmt("http://127.0.0.1:%d/hub", port);
}

static double ms_since(const struct timespec *t0)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    nanosleep(&ts, NULL);
}

/* wait_metric polls /metrics until name reaches at least min (ms at most):
 * the counters move after the hub answered, which the hub cannot see. */
static long long wait_metric(struct chorusd *d, const char *name, long long min, long ms)
{
    struct timespec t0;
    long long v;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    while ((v = h_metric(d, name)) < min && ms_since(&t0) < ms)
        sleep_ms(50);
    return v;
}

/* expect_prompt GETs path and fails when the answer took over a second:
 * the loop must never wait for the hub. */
static void expect_prompt(struct chorusd *d, const char *path, long status)
{
    struct timespec t0;
    struct hresp *r;
    double ms;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    r = h_get(d, path);
    ms = ms_since(&t0);
    expect_status(r, status);
    hresp_free(r);
    if (ms > 1000)
        fail_msg("GET %s took %.0f ms while the hub is unreachable", path, ms);
}

/* post_batch POSTs n reviews alternating between products a and b of
 * category cat (NULL: none) in one request and expects them all created. */
static void post_batch(struct chorusd *d, const char *a, const char *b, const char *cat, int n)
{
    json_t *arr = json_array();

    for (int i = 0; i < n; i++) {
        json_t *o = json_pack("{s:s, s:i, s:s}", "product_id", i % 2 || !b ? a : b, "rating",
                              1 + i % 5, "title", h_fmt("r%d", i));

        if (cat)
            json_object_set_new(o, "product", json_pack("{s:s}", "category", cat));
        json_array_append_new(arr, o);
    }
    seed_reviews(d, arr, NULL);
}

/* ---- cases -------------------------------------------------------------------------- */

/* Fifty reviews of two products of one category make one ping per changed
 * feed: each product feed, the category and its parent, all reviews. A
 * later review makes one more round for its own feeds only. */
CHORUS_TEST_SETUP(websub_batch_topics, ws_setup, ws_teardown)
{
    struct ws *w = *state;
    const char *const topics[] = {PUB "/feeds/products/wa%201.atom",
                                  PUB "/feeds/products/wa%2F2.atom",
                                  PUB "/feeds/categories/laptops.atom",
                                  PUB "/feeds/categories/laptops/gaming%20rigs.atom",
                                  PUB "/feeds/reviews.atom",
                                  NULL};
    const size_t once[] = {1, 1, 1, 1, 1};
    const size_t twice[] = {2, 1, 2, 2, 2};
    struct chorusd *d;

    w->hub = hub_start(0);
    d = start_chorusd(w, hub_url(w->hub->port));

    post_batch(d, "wa 1", "wa/2", "laptops/gaming rigs", 50);
    if (hub_wait(w->hub, 5, 10000) < 5) {
        hub_print(w->hub);
        fail_msg("the hub did not get the five pings");
    }
    /* Longer than the batch window: a duplicate would have arrived. */
    sleep_ms(1500);
    expect_pings(w->hub, topics, once);

    post_batch(d, "wa 1", NULL, NULL, 1);
    hub_wait(w->hub, 9, 10000);
    sleep_ms(1500);
    expect_pings(w->hub, topics, twice);

    assert_int_equal(wait_metric(d, "chorus_websub_published_total", 9, 5000), 9);
    assert_int_equal(h_metric(d, "chorus_websub_failures_total"), 0);
    assert_int_equal(h_metric(d, "chorus_websub_pending"), 0);
}

/* A hub answering 503 twice per topic gets the ping a third time, after a
 * backoff, and the counters say so. */
CHORUS_TEST_SETUP(websub_retry_backoff, ws_setup, ws_teardown)
{
    struct ws *w = *state;
    const char *const topics[] = {PUB "/feeds/products/rb-1.atom", PUB "/feeds/reviews.atom", NULL};
    const size_t thrice[] = {3, 3};
    struct chorusd *d;

    w->hub = hub_start(2);
    d = start_chorusd(w, hub_url(w->hub->port));
    post_batch(d, "rb-1", NULL, NULL, 1);
    if (hub_wait(w->hub, 6, 20000) < 6) {
        hub_print(w->hub);
        fail_msg("the pings were not retried until they succeeded");
    }
    assert_true(wait_metric(d, "chorus_websub_published_total", 2, 5000) >= 2);
    assert_true(h_metric(d, "chorus_websub_retries_total") >= 2);
    assert_int_equal(h_metric(d, "chorus_websub_retries_total"), 4);
    assert_int_equal(h_metric(d, "chorus_websub_failures_total"), 4);
    assert_int_equal(h_metric(d, "chorus_websub_pending"), 0);
    sleep_ms(500);
    expect_pings(w->hub, topics, thrice);
    assert_true(chorusd_wait_log(d, "websub: publishing " PUB "/feeds/products/rb-1.atom to "));
    assert_true(chorusd_wait_log(d, "(HTTP 503); retry 1 of 7 in"));
}

/* A hub nobody listens on: writes and reads answer at once, the failures
 * are counted and logged, and chorusd still stops cleanly. */
CHORUS_TEST_SETUP(websub_dead_hub, ws_setup, ws_teardown)
{
    struct ws *w = *state;
    struct sockaddr_in sa;
    socklen_t sl = sizeof(sa);
    struct timespec t0;
    struct chorusd *d;
    struct hresp *r;
    uint64_t id;
    int fd, port;

    /* A port that was free a moment ago: bind, read it, close. */
    fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    port = ntohs(sa.sin_port);
    close(fd);

    d = start_chorusd(w, hub_url(port));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    id = h_post_review(d, "{\"product_id\":\"rd-1\",\"rating\":3}");
    assert_true(ms_since(&t0) < 2000);
    assert_true(wait_metric(d, "chorus_websub_failures_total", 2, 15000) >= 2);
    for (int i = 0; i < 5; i++) {
        expect_prompt(d, "/healthz", 200);
        expect_prompt(d, h_fmt("/api/v1/reviews/%llu", (unsigned long long)id), 200);
        expect_prompt(d, "/api/v1/products/rd-1/reviews", 200);
        sleep_ms(100);
    }
    r = h_get_key(d, "/metrics");
    expect_contains(r->body, "# TYPE chorus_websub_failures_total counter\n");
    expect_contains(r->body, "# TYPE chorus_websub_pending gauge\n");
    hresp_free(r);
    assert_true(chorusd_wait_log(d, h_fmt("websub: publishing " PUB
                                          "/feeds/products/rd-1.atom to http://127.0.0.1:%d/hub "
                                          "failed (",
                                          port)));
}

/* A hub that takes the connection and never answers: pings stay in flight
 * (the 15 s timeout is far off) while requests are served at once, and
 * chorusd stops promptly and cleanly with them still in flight. */
CHORUS_TEST_SETUP(websub_silent_hub, ws_setup, ws_teardown)
{
    struct ws *w = *state;
    struct sockaddr_in sa;
    socklen_t sl = sizeof(sa);
    struct timespec t0;
    struct chorusd *d;

    w->silent_fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(w->silent_fd >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(w->silent_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(getsockname(w->silent_fd, (struct sockaddr *)&sa, &sl), 0);
    /* The kernel completes connections into the backlog; nobody accepts. */
    assert_int_equal(listen(w->silent_fd, 16), 0);

    d = start_chorusd(w, hub_url(ntohs(sa.sin_port)));
    post_batch(d, "rs-1", "rs-2", "desks", 10);
    assert_true(wait_metric(d, "chorus_websub_in_flight", 4, 10000) >= 4);
    for (int i = 0; i < 5; i++) {
        expect_prompt(d, "/healthz", 200);
        expect_prompt(d, "/api/v1/products/rs-1/reviews", 200);
    }
    assert_int_equal(h_metric(d, "chorus_websub_published_total"), 0);
    assert_true(h_metric(d, "chorus_websub_pending") >= 4);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(chorusd_stop(d), 0);
    if (ms_since(&t0) > 5000)
        fail_msg("chorusd took %.0f ms to stop with pings in flight", ms_since(&t0));
}

/* Moderation, a brand response, a delete and a product update each ping
 * the feeds of the product concerned; a product moved to another category
 * pings the feeds of the category chain it left as well, once each where
 * the chains share a parent. */
CHORUS_TEST_SETUP(websub_review_ops, ws_setup, ws_teardown)
{
    struct ws *w = *state;
    const char *const first[] = {
        PUB "/feeds/products/op-mod.atom", PUB "/feeds/products/op-resp.atom",
        PUB "/feeds/products/op-del.atom", PUB "/feeds/products/op-put.atom", NULL};
    const char *const after[] = {
        PUB "/feeds/products/op-mod.atom",  PUB "/feeds/products/op-resp.atom",
        PUB "/feeds/products/op-del.atom",  PUB "/feeds/products/op-put.atom",
        PUB "/feeds/categories/desks.atom", PUB "/feeds/categories/desks/standing.atom",
        PUB "/feeds/reviews.atom",          NULL};
    const char *const moved[] = {PUB "/feeds/products/op-put.atom",
                                 PUB "/feeds/categories/desks.atom",
                                 PUB "/feeds/categories/desks/sitting%20low.atom",
                                 PUB "/feeds/categories/desks/standing.atom",
                                 PUB "/feeds/reviews.atom",
                                 NULL};
    const size_t once[] = {1, 1, 1, 1, 1};
    struct chorusd *d;
    struct hresp *r;
    uint64_t mod, resp, del;

    w->hub = hub_start(0);
    d = start_chorusd(w, hub_url(w->hub->port));
    mod = h_post_review(d, "{\"product_id\":\"op-mod\",\"rating\":2}");
    resp = h_post_review(d, "{\"product_id\":\"op-resp\",\"rating\":2}");
    del = h_post_review(d, "{\"product_id\":\"op-del\",\"rating\":2}");
    r = h_put_json(d, "/api/v1/products/op-put", "{\"name\":\"Desk\"}");
    expect_status(r, 201);
    hresp_free(r);
    assert_true(hub_wait_topics(w->hub, first, 10000));
    /* Let the last batch finish before forgetting what it sent. */
    sleep_ms(1500);
    hub_clear(w->hub);

    r = h_post_json(d, h_fmt("/api/v1/reviews/%llu/moderation", (unsigned long long)mod),
                    "{\"status\":\"rejected\",\"reason\":\"spam\"}");
    expect_status(r, 200);
    hresp_free(r);
    r = h_post_json(d, h_fmt("/api/v1/reviews/%llu/responses", (unsigned long long)resp),
                    "{\"author\":\"Brand\",\"body\":\"Thanks!\"}");
    expect_status(r, 201);
    hresp_free(r);
    r = h_delete(d, h_fmt("/api/v1/reviews/%llu", (unsigned long long)del));
    expect_status(r, 204);
    hresp_free(r);
    r = h_put_json(d, "/api/v1/products/op-put",
                   "{\"name\":\"Desk\",\"category\":\"desks/standing\"}");
    expect_status(r, 200);
    hresp_free(r);
    if (!hub_wait_topics(w->hub, after, 10000)) {
        hub_print(w->hub);
        fail_msg("not every changed feed was pinged");
    }
    sleep_ms(1500);
    hub_clear(w->hub);

    /* desks/standing -> desks/sitting low: the product left
     * categories/desks/standing.atom, which only the old chain names. */
    r = h_put_json(d, "/api/v1/products/op-put",
                   "{\"name\":\"Desk\",\"category\":\"desks/sitting low\"}");
    expect_status(r, 200);
    hresp_free(r);
    if (!hub_wait_topics(w->hub, moved, 10000)) {
        hub_print(w->hub);
        fail_msg("the category the product left was not pinged");
    }
    /* Longer than the batch window: a duplicate would have arrived. */
    sleep_ms(1500);
    expect_pings(w->hub, moved, once);
}

/* Without websub_hub nothing is sent and /metrics has no WebSub lines. */
CHORUS_TEST_SETUP(websub_no_hub, ws_setup, ws_teardown)
{
    struct ws *w = *state;
    struct chorusd *d;
    struct hresp *r;

    w->hub = hub_start(0);
    d = start_chorusd(w, NULL);
    post_batch(d, "nh-1", "nh-2", "chairs", 10);
    sleep_ms(1500);
    assert_int_equal(hub_total(w->hub), 0);
    r = h_get_key(d, "/metrics");
    expect_status(r, 200);
    if (strstr(r->body, "websub"))
        fail_msg("/metrics mentions WebSub without a hub:\n%s", r->body);
    hresp_free(r);
}

CHORUS_TEST_MAIN()
