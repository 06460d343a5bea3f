/* Pulled sources: chorusd polls feeds served by the fixture server
 * (fixture_http.c: evhttp on 127.0.0.1 port 0, on a thread), which also
 * misbehaves on purpose: 500s, a slow drip, a body past the size cap, a
 * redirect loop, gzip, malformed XML, and 304 once it has been asked with
 * its validators.
 *
 * chorusd gets CHORUS_ALLOW_PRIVATE_SOURCES=1 (the fixture is on loopback)
 * and CHORUS_SOURCE_MIN_INTERVAL=1, so sources poll every second and the
 * backoff starts at one second; the SSRF cases run without the former.
 *
 * Each case's servers are started by its cmocka setup and stopped by the
 * teardown, which also runs after a failed assertion: no chorusd or fixture
 * thread outlives its case, and chorusd's exit status (how the sanitizers
 * report) is checked there.
 */
#include "harness.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "fixture_http.h"
#include "testmain.h"

#define SKIP_CODE 77 /* SKIP_RETURN_CODE in tests.cmake */
#define MAX_MORE  8  /* fixtures a case starts besides the loopback one */

/* ---- setup and teardown ------------------------------------------------------------------ */

/* What a case runs against; every member is stopped by teardown. */
struct world {
    struct fixture *fx;             /* on 127.0.0.1, or NULL */
    struct fixture *more[MAX_MORE]; /* other listeners the case started */
    size_t n_more;
    struct chorusd *d;
};

/* start_chorusd starts chorusd with sources polled as often as every
 * second, private addresses allowed or not; NULL (after reporting) when it
 * does not start. */
static struct chorusd *start_chorusd(bool allow_private, const char *conf)
{
    struct chorusd *d;

    setenv("CHORUS_SOURCE_MIN_INTERVAL", "1", 1);
    if (allow_private)
        setenv("CHORUS_ALLOW_PRIVATE_SOURCES", "1", 1);
    else
        unsetenv("CHORUS_ALLOW_PRIVATE_SOURCES");
    d = chorusd_make(conf);
    if (d && chorusd_start(d) != 0) {
        chorusd_free(d);
        d = NULL;
    }
    unsetenv("CHORUS_ALLOW_PRIVATE_SOURCES");
    return d;
}

/* world_setup starts the fixture (when asked) and chorusd. A setup that
 * fails gets no teardown, so it stops what it started itself. */
static int world_setup(void **state, bool fixture, bool allow_private, const char *conf)
{
    struct world *w = calloc(1, sizeof(*w));

    if (!w)
        abort();
    if (fixture) {
        w->fx = fixture_start("127.0.0.1");
        if (!w->fx) {
            print_error("cannot start the fixture server on 127.0.0.1\n");
            goto fail;
        }
    }
    w->d = start_chorusd(allow_private, conf);
    if (!w->d)
        goto fail;
    *state = w;
    return 0;
fail:
    fixture_stop(w->fx);
    free(w);
    return -1;
}

static int setup_api(void **state)
{
    return world_setup(state, false, true, NULL);
}

static int setup_feeds(void **state)
{
    return world_setup(state, true, true, NULL);
}

static int setup_small_cap(void **state)
{
    return world_setup(state, true, true, "source_max_bytes = 4096\n");
}

/* setup_refusing: private sources not allowed, the fixture on loopback. */
static int setup_refusing(void **state)
{
    return world_setup(state, true, false, NULL);
}

/* setup_excepting: private sources refused except 127.0.0.2 (the
 * operator's allow_source_networks). */
static int setup_excepting(void **state)
{
    return world_setup(state, true, false, "allow_source_networks = 10.9.0.0/16, 127.0.0.2\n");
}

static int teardown(void **state)
{
    struct world *w = *state;
    int rc;

    /* A case that failed during the slow drip leaves it going: end it
     * before chorusd goes, so the fixture frees its request. */
    if (w->fx)
        fixture_end_drip(w->fx);
    rc = chorusd_free(w->d);
    fixture_stop(w->fx);
    for (size_t i = 0; i < w->n_more; i++)
        fixture_stop(w->more[i]);
    free(w);
    *state = NULL;
    return rc;
}

/* more_fixture starts a fixture on addr owned by w (teardown stops it);
 * NULL when addr cannot be bound. */
static struct fixture *more_fixture(struct world *w, const char *addr)
{
    struct fixture *fx;

    assert_true(w->n_more < MAX_MORE);
    fx = fixture_start(addr);
    if (fx)
        w->more[w->n_more++] = fx;
    return fx;
}

/* ---- helpers ------------------------------------------------------------------------------ */

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long add_source(struct chorusd *d, const char *json)
{
    struct hresp *r = h_post_json(d, "/api/v1/sources", json);
    long id;

    expect_status(r, 201);
    id = (long)json_integer_value(jpath(r->json, "id"));
    assert_true(id > 0);
    hresp_free(r);
    return id;
}

/* add_rss adds an RSS source for url about product, polled every interval
 * seconds; returns its id. */
static long add_rss(struct chorusd *d, const char *url, int interval, const char *product)
{
    char b[1024];

    snprintf(b, sizeof(b),
             "{\"kind\":\"rss\",\"url\":\"%s\",\"interval\":%d,\"product_id\":\"%s\"}", url,
             interval, product);
    return add_source(d, b);
}

/* poll_now asks for source id's next poll at once (202). */
static void poll_now(struct chorusd *d, long id)
{
    struct hresp *r = h_post_json(d, h_fmt("/api/v1/sources/%ld/poll", id), "");

    expect_status(r, 202);
    hresp_free(r);
}

/* wait_source polls GET /api/v1/sources/{id} until the integer at path is
 * at least min; returns the last response (caller frees). Fails after 20 s. */
static struct hresp *wait_source(struct chorusd *d, long id, const char *path, long long min)
{
    double until = now_s() + 20;

    for (;;) {
        struct hresp *r = h_get_key(d, h_fmt("/api/v1/sources/%ld", id));
        json_t *v;

        expect_status(r, 200);
        v = jpath(r->json, path);
        if (v && json_integer_value(v) >= min)
            return r;
        if (now_s() > until) {
            print_error("source %ld: %s stayed below %lld: %s\n", id, path, min, r->body);
            hresp_free(r);
            fail();
        }
        hresp_free(r);
        usleep(100000);
    }
}

/* expect_refused waits for two failed polls of source id (the first and a
 * retry) and checks that both were refused by the address check, at the
 * address addr (NULL: any). */
static void expect_refused(struct chorusd *d, long id, const char *addr)
{
    struct hresp *r = wait_source(d, id, "errors", 2);

    expect_jcontains(r->json, "last_status", "error: refused: ");
    if (addr)
        expect_jcontains(r->json, "last_status", h_fmt(" resolves to %s,", addr));
    expect_jint(r->json, "items_added", 0);
    hresp_free(r);
}

static long review_count(struct chorusd *d, const char *product)
{
    struct hresp *r = h_get(d, h_fmt("/api/v1/products/%s/reviews", product));
    long n;

    if (r->status == 404) {
        hresp_free(r);
        return 0;
    }
    expect_status(r, 200);
    n = (long)json_array_size(jpath(r->json, "reviews"));
    hresp_free(r);
    return n;
}

/* fetch_status GETs url from the test itself and returns the HTTP status
 * (0 when nothing came back): the control that proves a fixture counts. */
static long fetch_status(const char *url)
{
    CURL *c = curl_easy_init();
    long code = 0;

    assert_non_null(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_easy_cleanup(c);
    return code;
}

/* ---- cases ------------------------------------------------------------------------------ */

CHORUS_TEST_SETUP(sources_api_round_trip, setup_api, teardown)
{
    struct chorusd *d = ((struct world *)*state)->d;
    struct hresp *r;
    long id;

    r = h_post_json(d, "/api/v1/sources", "{\"kind\":\"rss\",\"url\":\"ftp://x/\"}");
    expect_problem(r, 400);
    hresp_free(r);
    r = h_post_json(d, "/api/v1/sources",
                    "{\"kind\":\"rss\",\"url\":\"https://example.com/f\",\"bogus\":1}");
    expect_problem(r, 400);
    hresp_free(r);
    r = h_post_json(d, "/api/v1/sources",
                    "{\"kind\":\"rss\",\"url\":\"https://example.com/f\",\"product_id\":\"p\","
                    "\"headers\":{\"X-Bad\":\"a\\r\\nb\"}}");
    expect_problem(r, 400);
    hresp_free(r);
    r = h_post_json(d, "/api/v1/sources",
                    "{\"kind\":\"rss\",\"url\":\"https://example.com/f\"}"); /* no product rule */
    expect_problem(r, 400);
    hresp_free(r);
    r = h_post_json(d, "/api/v1/sources",
                    "{\"kind\": \"rss\", \"url\": \"https://example.com/f\", \"interval\": 3600, "
                    "\"headers\": {\"Authorization\": \"Bearer secret\"}, \"status\": "
                    "\"approved\", \"product_id\": \"fixed-id\"}");
    expect_status(r, 201);
    expect_header(r, "Location", "/api/v1/sources/");
    id = (long)json_integer_value(jpath(r->json, "id"));
    expect_jstr(r->json, "kind", "rss");
    expect_jstr(r->json, "product_id", "fixed-id");
    expect_jstr(r->json, "headers.Authorization", "(hidden)");
    hresp_free(r);
    r = h_get(d, "/api/v1/sources");
    expect_problem(r, 401);
    hresp_free(r);
    r = h_get_key(d, "/api/v1/sources");
    expect_status(r, 200);
    assert_int_equal(json_array_size(jpath(r->json, "sources")), 1);
    hresp_free(r);
    r = h_post_json(d, h_fmt("/api/v1/sources/%ld/poll", id), "");
    expect_status(r, 202);
    hresp_free(r);
    r = h_get_key(d, h_fmt("/api/v1/sources/%ld", id));
    expect_status(r, 200);
    expect_jint(r->json, "interval", 3600);
    assert_non_null(jpath(r->json, "next_poll_at"));
    hresp_free(r);
    r = h_delete(d, h_fmt("/api/v1/sources/%ld", id));
    expect_status(r, 204);
    hresp_free(r);
    r = h_get_key(d, h_fmt("/api/v1/sources/%ld", id));
    expect_problem(r, 404);
    hresp_free(r);
}

CHORUS_TEST_SETUP(feeds_land_once_and_revalidate, setup_feeds, teardown)
{
    struct world *w = *state;
    struct fixture *fx = w->fx;
    struct chorusd *d = w->d;
    const char *base = fixture_base(fx);
    struct fixture_counts seen;
    char b[2048];
    struct hresp *r;
    long rss, atom, google, js, gz;

    rss = add_rss(d, h_fmt("%s/rss.xml", base), 1, "p-rss");
    snprintf(b, sizeof(b),
             "{\"kind\":\"atom\",\"url\":\"%s/atom.xml\",\"interval\":1,\"product_map\":"
             "{\"link_patterns\":[{\"pattern\":\"*/x1-*\",\"product_id\":\"p-x1\"}]}}",
             base);
    atom = add_source(d, b);
    snprintf(b, sizeof(b), "{\"kind\":\"google-reviews\",\"url\":\"%s/google.xml\",\"interval\":1}",
             base);
    google = add_source(d, b);
    snprintf(b, sizeof(b), "{\"kind\":\"json\",\"url\":\"%s/items.json\",\"interval\":1}", base);
    js = add_source(d, b);
    gz = add_rss(d, h_fmt("%s/gzip.xml", base), 1, "p-gz");

    /* Three polls each: the first adds, the later ones add nothing. */
    hresp_free(wait_source(d, rss, "polls", 3));
    hresp_free(wait_source(d, atom, "polls", 3));
    hresp_free(wait_source(d, google, "polls", 3));
    hresp_free(wait_source(d, js, "polls", 3));
    hresp_free(wait_source(d, gz, "polls", 3));

    assert_int_equal(review_count(d, "p-rss"), 2);
    assert_int_equal(review_count(d, "p-gz"), 2);
    assert_int_equal(review_count(d, "p-x1"), 1);
    assert_int_equal(review_count(d, "p-json"), 2);
    assert_int_equal(review_count(d, "g-sku"), 1);

    r = h_get_key(d, h_fmt("/api/v1/sources/%ld", rss));
    expect_jcontains(r->json, "last_status", "304 Not Modified");
    expect_jint(r->json, "items_added", 0);
    expect_jint(r->json, "errors", 0);
    expect_jstr(r->json, "etag", "\"rss-v1\"");
    hresp_free(r);
    r = h_get_key(d, h_fmt("/api/v1/sources/%ld", atom));
    expect_jint(r->json, "items_added", 0);
    expect_jint(r->json, "items_seen", 2);
    expect_jint(r->json, "items_rejected", 1); /* the cooking post matches no product */
    expect_jcontains(r->json, "reasons[0]", "no product rule");
    hresp_free(r);
    /* Served again without validators, the same items write nothing. */
    r = h_get_key(d, h_fmt("/api/v1/sources/%ld", js));
    expect_jint(r->json, "items_added", 0);
    expect_jint(r->json, "items_updated", 0);
    expect_jint(r->json, "items_seen", 2);
    expect_jcontains(r->json, "last_status", "2 items: 0 added, 0 updated, 0 merged, 0 rejected");
    hresp_free(r);
    r = h_get(d, "/api/v1/products/g-sku");
    expect_status(r, 200);
    expect_jstr(r->json, "gtin", "0012345678905");
    hresp_free(r);
    fixture_counts(fx, &seen);
    assert_true(seen.rss_conditional >= 1);
    assert_string_equal(seen.agent, "Chorus/0.1 (+https://chorus.dev/sources)");
    r = h_get_key(d, "/metrics");
    expect_contains(r->body, "chorus_source_items_added_total 8");
    /* The same by kind: rss and its gzip twin 4, atom 1, json 2, google 1. */
    expect_contains(r->body, "chorus_source_items_total{kind=\"rss\",result=\"added\"} 4\n");
    expect_contains(r->body, "chorus_source_items_total{kind=\"atom\",result=\"added\"} 1\n");
    expect_contains(r->body, "chorus_source_items_total{kind=\"atom\",result=\"rejected\"}");
    expect_contains(r->body, "chorus_source_items_total{kind=\"json\",result=\"added\"} 2\n");
    expect_contains(r->body,
                    "chorus_source_items_total{kind=\"google-reviews\",result=\"added\"} 1\n");
    hresp_free(r);
    assert_true(h_metric(d, "chorus_source_poll_outcomes_total{kind=\"rss\",outcome=\"not_"
                            "modified\"}") >= 1);
    assert_true(h_metric(d, "chorus_source_poll_outcomes_total{kind=\"json\",outcome=\"ok\"}") >=
                3);
    assert_int_equal(
        h_metric(d, "chorus_source_poll_outcomes_total{kind=\"json\",outcome=\"http_error\"}"), -1);

    /* Sources and their validators survive a restart. */
    chorusd_restart(d);
    r = h_get_key(d, h_fmt("/api/v1/sources/%ld", rss));
    expect_jstr(r->json, "etag", "\"rss-v1\"");
    hresp_free(r);
}

/* A complaint pulled from a source is linked to its product's known issue
 * at ingest, like a posted one (docs/known-issues.md). */
CHORUS_TEST_SETUP(pulled_complaints_link_to_known_issues, setup_feeds, teardown)
{
    struct world *w = *state;
    struct chorusd *d = w->d;
    struct hresp *r;
    long js;

    r = h_put_json(d, "/api/v1/products/p-json", "{\"name\":\"Json laptop\"}");
    expect_status(r, 201);
    hresp_free(r);
    r = h_post_json(d, "/api/v1/known-issues",
                    "{\"product_id\":\"p-json\",\"component\":\"keyboard\",\"title\":"
                    "\"Mushy keys\",\"status\":\"known\"}");
    expect_status(r, 201);
    expect_jint(r->json, "id", 1);
    hresp_free(r);
    js = add_source(d, h_fmt("{\"kind\":\"json\",\"url\":\"%s/items.json\",\"interval\":1}",
                             fixture_base(w->fx)));
    hresp_free(wait_source(d, js, "polls", 1));
    /* j-2 ("Meh keyboard.", 2 stars) is the one complaint; j-1 praises. */
    r = h_get_key(d, "/api/v1/known-issues/1/reviews");
    expect_status(r, 200);
    assert_int_equal(json_array_size(jpath(r->json, "reviews")), 1);
    expect_jstr(r->json, "reviews[0].body", "Meh keyboard.");
    expect_jint(r->json, "reviews[0].known_issue", 1);
    hresp_free(r);
}

CHORUS_TEST_SETUP(misbehaving_sources_back_off, setup_small_cap, teardown)
{
    struct world *w = *state;
    struct chorusd *d = w->d;
    const char *base = fixture_base(w->fx);
    struct hresp *r;
    long e500, big, loop, bad;

    e500 = add_rss(d, h_fmt("%s/500", base), 1, "p");
    big = add_rss(d, h_fmt("%s/big.xml", base), 1, "p");
    loop = add_rss(d, h_fmt("%s/loop", base), 1, "p");
    bad = add_rss(d, h_fmt("%s/bad.xml", base), 1, "p");

    r = wait_source(d, e500, "errors", 1);
    expect_jcontains(r->json, "last_status", "HTTP 500");
    assert_true(json_integer_value(jpath(r->json, "backoff_seconds")) >= 1);
    hresp_free(r);
    /* 1 s, 2 s, 4 s (+ up to a quarter of jitter): the third failure waits
     * at least four seconds, and the next poll is that far out. */
    r = wait_source(d, e500, "errors", 3);
    assert_true(json_integer_value(jpath(r->json, "backoff_seconds")) >= 4);
    expect_jint(r->json, "items_added", 0);
    hresp_free(r);
    r = wait_source(d, big, "errors", 1);
    expect_jcontains(r->json, "last_status", "source_max_bytes");
    hresp_free(r);
    r = wait_source(d, loop, "errors", 1);
    expect_jcontains(r->json, "last_status", "error:");
    expect_jcontains(r->json, "last_status", "edirect");
    hresp_free(r);
    r = wait_source(d, bad, "errors", 1);
    expect_jcontains(r->json, "last_status", "unreadable");
    hresp_free(r);
    assert_int_equal(review_count(d, "p"), 0);
    /* Each failure is told apart in /metrics, by kind. */
    assert_true(
        h_metric(d, "chorus_source_poll_outcomes_total{kind=\"rss\",outcome=\"http_error\"}") >= 3);
    assert_true(
        h_metric(d, "chorus_source_poll_outcomes_total{kind=\"rss\",outcome=\"too_big\"}") >= 1);
    assert_true(h_metric(d, "chorus_source_poll_outcomes_total{kind=\"rss\",outcome=\"redirect_"
                            "error\"}") >= 1);
    assert_true(
        h_metric(d, "chorus_source_poll_outcomes_total{kind=\"rss\",outcome=\"unreadable\"}") >= 1);
}

CHORUS_TEST_SETUP(slow_source_blocks_nothing, setup_feeds, teardown)
{
    struct world *w = *state;
    struct fixture *fx = w->fx;
    struct chorusd *d = w->d;
    const char *base = fixture_base(fx);
    struct hresp *r;
    long ok;
    double t0;

    add_rss(d, h_fmt("%s/drip", base), 1, "p");
    assert_true(fixture_wait_drip(fx));
    t0 = now_s();
    r = h_get(d, "/healthz");
    expect_status(r, 200);
    hresp_free(r);
    assert_true(now_s() - t0 < 0.5);
    ok = add_rss(d, h_fmt("%s/plain-rss.xml", base), 1, "p-ok");
    hresp_free(wait_source(d, ok, "polls", 1));
    assert_int_equal(review_count(d, "p-ok"), 2);
    /* End the drip before chorusd goes, so the fixture frees its request. */
    assert_true(fixture_end_drip(fx));
}

CHORUS_TEST_SETUP(private_addresses_are_refused, setup_refusing, teardown)
{
    struct world *w = *state;
    struct chorusd *d = w->d;
    struct hresp *r;
    long id;

    id = add_rss(d, h_fmt("%s/plain-rss.xml", fixture_base(w->fx)), 1, "p");
    r = wait_source(d, id, "errors", 1);
    expect_jcontains(r->json, "last_status", "refused");
    expect_jcontains(r->json, "last_status", "127.0.0.1");
    hresp_free(r);
    assert_int_equal(review_count(d, "p"), 0);
}

/* The address check runs where curl opens a socket (server/poller.c,
 * on_opensocket), on the address about to be connected to, never on the
 * URL's text: so every spelling of an address, every name, every redirect
 * target and every DNS answer meets it. These cases check the refusals
 * from outside: a refused source says so in last_status, and the fixtures
 * it names see no request at all. Addresses that reach no fixture (10/8,
 * 169.254.169.254, ...) would otherwise end in a connect error or a
 * timeout, so "error: refused:" is their proof. */

/* private_spellings_are_refused: a source URL naming a loopback, private,
 * link-local, unspecified or multicast address, in any spelling curl
 * accepts, is refused at each poll. */
CHORUS_TEST_SETUP(private_spellings_are_refused, setup_refusing, teardown)
{
    static const struct {
        const char *host; /* as written in the URL */
        const char *addr; /* the address last_status names; NULL: any */
        bool v6;          /* the port of the [::1] fixture */
    } spell[] = {
        {"127.0.0.1", "127.0.0.1", false},
        {"127.1", "127.0.0.1", false},      /* short form */
        {"0x7f000001", "127.0.0.1", false}, /* one hex number */
        {"2130706433", "127.0.0.1", false}, /* one decimal number */
        {"0177.0.0.1", "127.0.0.1", false}, /* octal */
        {"0.0.0.0", "0.0.0.0", false},      /* Linux connects it to loopback */
        {"0", "0.0.0.0", false},
        {"feeds.example.com@127.0.0.1", "127.0.0.1", false}, /* a user name, not the host */
        {"localhost", NULL, false},                          /* 127.0.0.1 and ::1 */
        {"[::ffff:127.0.0.1]", "::ffff:127.0.0.1", false},   /* IPv4-mapped */
        {"[::ffff:7f00:1]", "::ffff:127.0.0.1", false},
        {"[::127.0.0.1]", "::127.0.0.1", false}, /* IPv4-compatible */
        {"[::1]", "::1", true},
        {"[::]", "::", true}, /* unspecified: loopback again */
        {"10.1.2.3", "10.1.2.3", false},
        {"172.16.0.1", "172.16.0.1", false},
        {"192.168.1.1", "192.168.1.1", false},
        {"100.64.0.1", "100.64.0.1", false},           /* carrier-grade NAT */
        {"169.254.169.254", "169.254.169.254", false}, /* cloud metadata */
        {"224.0.0.1", "224.0.0.1", false},             /* multicast */
        {"[fd00::1]", "fd00::1", false},               /* unique local */
        {"[fe80::1]", "fe80::1", false},               /* link-local */
        {"192.0.2.1", "192.0.2.1", false},             /* documentation nets: often real */
        {"198.51.100.7", "198.51.100.7", false},
        {"203.0.113.9", "203.0.113.9", false},
        {"198.19.0.1", "198.19.0.1", false},                     /* benchmarking */
        {"192.0.0.8", "192.0.0.8", false},                       /* special use */
        {"[64:ff9b::7f00:1]", "64:ff9b::7f00:1", false},         /* NAT64 of 127.0.0.1 */
        {"[2001:0:4136:e378::1]", "2001:0:4136:e378::1", false}, /* Teredo */
        {"[2001:db8::1]", "2001:db8::1", false},
    };
    struct world *w = *state;
    struct chorusd *d = w->d;
    struct fixture *fx6 = more_fixture(w, "::1");
    int port = fixture_port(w->fx), port6 = fx6 ? fixture_port(fx6) : port;
    long id[sizeof(spell) / sizeof(spell[0])];

    for (size_t i = 0; i < sizeof(spell) / sizeof(spell[0]); i++)
        id[i] = add_rss(
            d, h_fmt("http://%s:%d/plain-rss.xml", spell[i].host, spell[i].v6 ? port6 : port), 1,
            "p");
    for (size_t i = 0; i < sizeof(spell) / sizeof(spell[0]); i++)
        expect_refused(d, id[i], spell[i].addr);
    assert_int_equal(review_count(d, "p"), 0);
    /* Nothing reached either loopback fixture; yet they answer, and count. */
    assert_int_equal(fixture_requests(w->fx), 0);
    assert_int_equal(fetch_status(h_fmt("%s/plain-rss.xml", fixture_base(w->fx))), 200);
    assert_int_equal(fixture_requests(w->fx), 1);
    if (fx6) {
        assert_int_equal(fixture_requests(fx6), 0);
        assert_int_equal(fetch_status(h_fmt("%s/plain-rss.xml", fixture_base(fx6))), 200);
        assert_int_equal(fixture_requests(fx6), 1);
    }
}

/* redirects_to_private_are_refused: a source on an address chorusd may
 * fetch from that redirects to a private one is refused at the redirect.
 * The "public" fixture listens on 127.0.0.2, which chorusd reaches only
 * through its allow_source_networks exception (all of 127/8 is loopback
 * on Linux, so any host can stage this); everything else stays refused.
 * DNS rebinding (a name whose answer turns private between a check and
 * the connect) has no window to test: the check is on the address the
 * socket is opened for, the same callback as the redirect's. */
CHORUS_TEST_SETUP(redirects_to_private_are_refused, setup_excepting, teardown)
{
    struct world *w = *state;
    struct chorusd *d = w->d;
    struct fixture *pub = more_fixture(w, "127.0.0.2");
    char targets[5][256];
    const char *addrs[5] = {"127.0.0.1", NULL, "::ffff:127.0.0.1", "127.0.0.1", "169.254.169.254"};
    long id[5], ok;
    struct hresp *r;

    if (!pub) {
        fprintf(stderr, "skipped: this host cannot listen on 127.0.0.2\n");
        teardown(state);
        exit(SKIP_CODE);
    }
    snprintf(targets[0], sizeof(targets[0]), "%s/plain-rss.xml", fixture_base(w->fx));
    snprintf(targets[1], sizeof(targets[1]), "http://localhost:%d/plain-rss.xml",
             fixture_port(w->fx));
    snprintf(targets[2], sizeof(targets[2]), "http://[::ffff:127.0.0.1]:%d/plain-rss.xml",
             fixture_port(w->fx));
    /* Two hops: the fixture's own redirect first ("%3D" is the inner "="). */
    snprintf(targets[3], sizeof(targets[3]), "%s/redirect?to%%3D%s/plain-rss.xml",
             fixture_base(pub), fixture_base(w->fx));
    snprintf(targets[4], sizeof(targets[4]), "http://169.254.169.254/latest/meta-data/");
    for (size_t i = 0; i < 5; i++)
        id[i] = add_rss(d, h_fmt("%s/redirect?to=%s", fixture_base(pub), targets[i]), 1, "p");
    /* The control: a redirect to an allowed address is followed. */
    ok = add_rss(d, h_fmt("%s/redirect?to=%s/plain-rss.xml", fixture_base(pub), fixture_base(pub)),
                 3600, "p-ok");
    r = wait_source(d, ok, "polls", 1);
    expect_jcontains(r->json, "last_status", "200 OK");
    hresp_free(r);
    assert_int_equal(review_count(d, "p-ok"), 2);
    for (size_t i = 0; i < 5; i++)
        expect_refused(d, id[i], addrs[i]);
    assert_int_equal(review_count(d, "p"), 0);
    /* Each refused poll did reach the first hop, and nothing got further. */
    assert_true(fixture_requests(pub) >= 2 * 5);
    assert_int_equal(fixture_requests(w->fx), 0);
}

/* syndicated_reviews_are_stored_once: the same review in a shop's RSS and
 * a partner's JSON (re-typeset) is one review with both origins; polls of
 * either add nothing more. */
CHORUS_TEST_SETUP(syndicated_reviews_are_stored_once, setup_feeds, teardown)
{
    struct world *w = *state;
    struct chorusd *d = w->d;
    const char *base = fixture_base(w->fx);
    struct hresp *r;
    json_t *list, *rev = NULL;
    long shop, partner;
    char b[512];

    /* Hourly: every poll after the first is asked for, so each counter
     * read belongs to a known poll. */
    shop = add_rss(d, h_fmt("%s/synd-rss.xml", base), 3600, "p-syn");
    r = wait_source(d, shop, "polls", 1);
    expect_jint(r->json, "items_added", 2);
    hresp_free(r);
    snprintf(b, sizeof(b), "{\"kind\":\"json\",\"url\":\"%s/synd.json\",\"interval\":3600}", base);
    partner = add_source(d, b);
    r = wait_source(d, partner, "polls", 1);
    expect_jint(r->json, "items_added", 1);
    expect_jint(r->json, "items_merged", 1);
    expect_jcontains(r->json, "last_status", "2 items: 1 added, 0 updated, 1 merged, 0 rejected");
    hresp_free(r);

    /* Polled again, both add nothing. */
    poll_now(d, shop);
    poll_now(d, partner);
    r = wait_source(d, shop, "polls", 2);
    expect_jcontains(r->json, "last_status", "2 items: 0 added, 0 updated, 0 merged, 0 rejected");
    hresp_free(r);
    r = wait_source(d, partner, "polls", 2);
    expect_jint(r->json, "items_added", 0);
    expect_jint(r->json, "items_updated", 0);
    expect_jint(r->json, "items_merged", 0);
    expect_jcontains(r->json, "last_status", "2 items: 0 added, 0 updated, 0 merged, 0 rejected");
    hresp_free(r);
    assert_int_equal(review_count(d, "p-syn"), 3);

    /* The shop's review, as the shop gave it, names both origins. */
    r = h_get(d, "/api/v1/products/p-syn/reviews");
    expect_status(r, 200);
    list = jpath(r->json, "reviews");
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *one = json_array_get(list, i);

        if (strcmp(json_string_value(json_object_get(one, "source_id")), "shop-81") == 0)
            rev = one;
    }
    assert_non_null(rev);
    expect_jstr(rev, "source", h_fmt("src-%ld", shop));
    expect_jstr(rev, "author", "Ana Lima");
    expect_jcontains(rev, "body", "I don\xe2\x80\x99t miss my old one");
    assert_int_equal(json_array_size(jpath(rev, "origins")), 2);
    expect_jstr(rev, "origins[0].source_id", "shop-81");
    expect_jstr(rev, "origins[1].source", h_fmt("src-%ld", partner));
    expect_jstr(rev, "origins[1].source_id", "partner-5521");
    assert_true(json_is_null(json_object_get(rev, "rating"))); /* the shop gave none */
    hresp_free(r);
}

/* google_items_match_the_catalogue: a Google item finds the catalogue's
 * product by GTIN however zero-padded (the feed says 0012345678905, the
 * catalogue has the 12-digit UPC 012345678905), so no product is made up. */
CHORUS_TEST_SETUP(google_items_match_the_catalogue, setup_feeds, teardown)
{
    struct world *w = *state;
    struct chorusd *d = w->d;
    struct hresp *r;
    long g;

    r = h_put_json(d, "/api/v1/products/cat-1",
                   "{\"name\":\"Gadget\",\"brand\":\"Acme\",\"gtin\":\"012345678905\"}");
    assert_true(r->status == 200 || r->status == 201);
    hresp_free(r);
    g = add_source(d, h_fmt("{\"kind\":\"google-reviews\",\"url\":\"%s/google.xml\","
                            "\"interval\":3600}",
                            fixture_base(w->fx)));
    r = wait_source(d, g, "polls", 1);
    expect_jint(r->json, "items_added", 1);
    hresp_free(r);
    assert_int_equal(review_count(d, "cat-1"), 1);
    r = h_get(d, "/api/v1/products/g-sku");
    expect_status(r, 404);
    hresp_free(r);
}

/* custom_headers_stay_with_their_origin: a source's own headers (here a
 * partner's X-Api-Key) go to the origin the source was configured with,
 * through a redirect within it too, and never to another origin a redirect
 * names (libcurl itself would drop only Authorization and Cookie there).
 * The two fixtures differ by port, which makes another origin. Hourly
 * sources: each is polled once, so the counts are exact. */
/* poll_keyed adds an hourly RSS source for url about product that sends
 * X-Api-Key: k-secret, waits for its first poll and expects it to have
 * stored the feed's two items. */
static void poll_keyed(struct chorusd *d, const char *url, const char *product)
{
    long id = add_source(d, h_fmt("{\"kind\":\"rss\",\"url\":\"%s\",\"interval\":3600,"
                                  "\"product_id\":\"%s\",\"headers\":{\"X-Api-Key\":\"k-secret\"}}",
                                  url, product));
    struct hresp *r = wait_source(d, id, "polls", 1);

    expect_jcontains(r->json, "last_status", "200 OK");
    hresp_free(r);
    assert_int_equal(review_count(d, product), 2);
}

CHORUS_TEST_SETUP(custom_headers_stay_with_their_origin, setup_feeds, teardown)
{
    struct world *w = *state;
    struct chorusd *d = w->d;
    struct fixture *other = more_fixture(w, "127.0.0.1");
    struct fixture_counts a, b;

    assert_non_null(other);
    poll_keyed(d,
               h_fmt("%s/redirect?to=%s/plain-rss.xml", fixture_base(w->fx), fixture_base(other)),
               "p-away");
    fixture_counts(w->fx, &a);
    fixture_counts(other, &b);
    assert_int_equal(a.requests, 1);
    assert_int_equal(a.keyed, 1);
    assert_string_equal(a.key, "k-secret");
    assert_int_equal(b.requests, 1);
    assert_int_equal(b.keyed, 0);

    poll_keyed(d, h_fmt("%s/redirect?to=/plain-rss.xml", fixture_base(w->fx)), "p-home");
    fixture_counts(w->fx, &a);
    fixture_counts(other, &b);
    assert_int_equal(a.requests, 3);
    assert_int_equal(a.keyed, 3);
    assert_int_equal(b.requests, 1);
    assert_int_equal(b.keyed, 0);
}

/* odd_validators_stay_json: an ETag holding bytes that are not UTF-8 is
 * kept scrubbed, a Last-Modified with control characters is not kept, so
 * the list of sources stays JSON that jansson reads; the next poll works. */
CHORUS_TEST_SETUP(odd_validators_stay_json, setup_feeds, teardown)
{
    struct world *w = *state;
    struct chorusd *d = w->d;
    struct hresp *r;
    json_error_t err;
    json_t *doc;
    long id;

    id = add_rss(d, h_fmt("%s/odd-rss.xml", fixture_base(w->fx)), 3600, "p-odd");
    r = wait_source(d, id, "polls", 1);
    hresp_free(r);
    r = h_get_key(d, "/api/v1/sources");
    expect_status(r, 200);
    doc = json_loadb(r->body, r->len, JSON_REJECT_DUPLICATES, &err);
    if (!doc) {
        print_error("GET /api/v1/sources is not JSON: %s\n", err.text);
        fail();
    }
    expect_jstr(doc, "sources[0].etag", "\"odd-??\?(\"");
    assert_true(json_is_null(jpath(doc, "sources[0].last_modified")));
    json_decref(doc);
    hresp_free(r);

    poll_now(d, id);
    r = wait_source(d, id, "polls", 2);
    expect_jint(r->json, "errors", 0);
    expect_jcontains(r->json, "last_status", "200 OK");
    hresp_free(r);
    assert_int_equal(review_count(d, "p-odd"), 2);
}

/* product_field GETs product id and returns its string field (static copy;
 * "(null)" when absent). */
static const char *product_field(struct chorusd *d, const char *id, const char *field)
{
    static char out[512];
    struct hresp *r = h_get_key(d, h_fmt("/api/v1/products/%s", id));
    const char *v;

    expect_status(r, 200);
    v = json_string_value(jpath(r->json, field));
    snprintf(out, sizeof(out), "%s", v ? v : "(null)");
    hresp_free(r);
    return out;
}

/* catalogue_sources_may_overwrite: a pulled item's product fields fill
 * what the catalogue leaves empty; only a source marked "catalogue"
 * replaces what it has set (docs/sources.md). */
CHORUS_TEST_SETUP(catalogue_sources_may_overwrite, setup_feeds, teardown)
{
    struct world *w = *state;
    struct chorusd *d = w->d;
    struct hresp *r;
    long plain, trusted;
    char src[512]; /* the source body without its closing brace */

    snprintf(src, sizeof(src),
             "{\"kind\":\"google-reviews\",\"url\":\"%s/google.xml\",\"interval\":3600,"
             "\"product_id\":\"gp-1\"",
             fixture_base(w->fx));
    r = h_put_json(d, "/api/v1/products/gp-1",
                   "{\"name\":\"Our Gadget\",\"url\":\"https://ours.example/gp-1\"}");
    expect_status(r, 201);
    hresp_free(r);
    r = h_post_json(d, "/api/v1/sources", h_fmt("%s,\"catalogue\":\"yes\"}", src));
    expect_problem(r, 400);
    expect_jcontains(r->json, "detail", "catalogue is true or false");
    hresp_free(r);

    r = h_post_json(d, "/api/v1/sources", h_fmt("%s}", src));
    expect_status(r, 201);
    expect_jbool(r->json, "catalogue", false);
    plain = (long)json_integer_value(jpath(r->json, "id"));
    hresp_free(r);
    r = wait_source(d, plain, "polls", 1);
    expect_jint(r->json, "items_added", 1);
    hresp_free(r);
    assert_int_equal(review_count(d, "gp-1"), 1);
    /* The feed calls it Gadget at shop.example: set fields stay, the empty
     * GTIN is filled. */
    assert_string_equal(product_field(d, "gp-1", "name"), "Our Gadget");
    assert_string_equal(product_field(d, "gp-1", "url"), "https://ours.example/gp-1");
    assert_string_equal(product_field(d, "gp-1", "gtin"), "0012345678905");

    trusted = add_source(d, h_fmt("%s,\"catalogue\":true}", src));
    r = wait_source(d, trusted, "polls", 1);
    expect_jbool(r->json, "catalogue", true);
    hresp_free(r);
    assert_string_equal(product_field(d, "gp-1", "name"), "Gadget");
    assert_string_equal(product_field(d, "gp-1", "url"), "https://shop.example/p/g");
    /* The flag is stored with the source. */
    chorusd_restart(d);
    r = h_get_key(d, h_fmt("/api/v1/sources/%ld", trusted));
    expect_jbool(r->json, "catalogue", true);
    hresp_free(r);
    r = h_get_key(d, h_fmt("/api/v1/sources/%ld", plain));
    expect_jbool(r->json, "catalogue", false);
    hresp_free(r);
}

CHORUS_TEST_MAIN()
