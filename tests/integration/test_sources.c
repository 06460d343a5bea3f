/* Pulled sources: chorusd polls feeds served by a fixture server of this
 * test (evhttp on 127.0.0.1 port 0, on a thread), which also misbehaves on
 * purpose: 500s, a slow drip, a body past the size cap, a redirect loop,
 * gzip, malformed XML, and 304 once it has been asked with its validators.
 *
 * chorusd gets CHORUS_ALLOW_PRIVATE_SOURCES=1 (the fixture is on loopback)
 * and CHORUS_SOURCE_MIN_INTERVAL=1, so sources poll every second and the
 * backoff starts at one second; the SSRF case runs without the former.
 */
#include "harness.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/thread.h>

#include "testmain.h"

/* ---- the fixture server -------------------------------------------------------------- */

struct fixture {
    struct event_base *base;
    struct evhttp *http;
    pthread_t thread;
    bool running;
    int port;
    pthread_mutex_t lock;
    unsigned rss_hits, rss_conditional; /* /rss.xml requests; of them with both validators */
    char agent[128];
    struct evhttp_request *drip; /* the request being dripped to, or NULL */
    bool stop_drip;              /* end the drip at its next tick */
    struct event *drip_ev;
};

static const char RSS[] =
    "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Forum</title>"
    "<item><title>Battery talk</title><link>https://forum.example/t/1</link>"
    "<guid>rss-1</guid><description>&lt;p&gt;The battery lasts &lt;b&gt;all day&lt;/b&gt;"
    "&lt;/p&gt;</description><pubDate>Tue, 02 Jan 2024 10:00:00 GMT</pubDate></item>"
    "<item><title>Hinge</title><link>https://forum.example/t/2</link><guid>rss-2</guid>"
    "<description>The hinge creaks.</description></item></channel></rss>";

static const char ATOM[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?><feed xmlns=\"http://www.w3.org/2005/Atom\">"
    "<title>Blog</title><id>urn:blog</id><updated>2024-01-03T00:00:00Z</updated>"
    "<entry><id>urn:blog:1</id><title>Review of the X1</title>"
    "<link href=\"https://blog.example/x1-review\"/><updated>2024-01-03T00:00:00Z</updated>"
    "<author><name>Bo</name></author><content type=\"html\">Solid &amp;amp; quiet.</content>"
    "</entry><entry><id>urn:blog:2</id><title>Unrelated</title>"
    "<link href=\"https://blog.example/cooking\"/><updated>2024-01-03T00:00:00Z</updated>"
    "<content type=\"text\">Soup.</content></entry></feed>";

static const char GOOGLE[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><feed "
    "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
    "xsi:noNamespaceSchemaLocation=\"http://www.google.com/shopping/reviews/schema/product/2.3/"
    "product_reviews.xsd\"><version>2.3</version><publisher><name>Shop</name></publisher>"
    "<reviews><review><review_id>g-1</review_id><reviewer><name>Cy</name></reviewer>"
    "<review_timestamp>2024-01-04T05:06:07Z</review_timestamp><title>Nice</title>"
    "<content>Works well.</content><review_url type=\"singleton\">https://shop.example/r/1"
    "</review_url><ratings><overall min=\"1\" max=\"5\">4</overall></ratings><products>"
    "<product><product_ids><gtins><gtin>0012345678905</gtin></gtins><skus><sku>g-sku</sku>"
    "</skus><brands><brand>Acme</brand></brands></product_ids><product_name>Gadget</product_name>"
    "<product_url>https://shop.example/p/g</product_url></product></products></review>"
    "</reviews></feed>";

static const char JSON_ITEMS[] =
    "[{\"source_id\":\"j-1\",\"product_id\":\"p-json\",\"rating\":5,\"title\":\"Top\","
    "\"body\":\"Great screen.\",\"author\":\"Di\"},"
    "{\"source_id\":\"j-2\",\"product_id\":\"p-json\",\"rating\":2,\"body\":\"Meh keyboard.\"}]";

static uint32_t crc32_of(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;

    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
    }
    return ~c;
}

/* gzip_stored wraps data in a gzip member with one stored deflate block:
 * valid gzip without a compressor. */
static void gzip_stored(struct evbuffer *out, const char *data, size_t n)
{
    uint8_t h[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3}, blk[5], t[8];
    uint32_t crc = crc32_of((const uint8_t *)data, n);

    blk[0] = 1; /* final, stored */
    blk[1] = (uint8_t)n;
    blk[2] = (uint8_t)(n >> 8);
    blk[3] = (uint8_t)~n;
    blk[4] = (uint8_t)(~n >> 8);
    for (int i = 0; i < 4; i++) {
        t[i] = (uint8_t)(crc >> (8 * i));
        t[4 + i] = (uint8_t)(n >> (8 * i));
    }
    evbuffer_add(out, h, sizeof(h));
    evbuffer_add(out, blk, sizeof(blk));
    evbuffer_add(out, data, n);
    evbuffer_add(out, t, sizeof(t));
}

static void reply(struct evhttp_request *req, int code, const char *type, const char *body)
{
    struct evbuffer *b = evbuffer_new();

    if (type)
        evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", type);
    if (body)
        evbuffer_add(b, body, strlen(body));
    evhttp_send_reply(req, code, code == 200 ? "OK" : "Fixture", b);
    evbuffer_free(b);
}

static void on_drip(evutil_socket_t fd, short what, void *arg)
{
    struct fixture *fx = arg;
    struct evbuffer *b;
    struct timeval tv = {0, 300000};

    (void)fd;
    (void)what;
    if (!fx->drip)
        return;
    pthread_mutex_lock(&fx->lock);
    if (fx->stop_drip) {
        /* Ending the reply lets libevent free the request. */
        evhttp_send_reply_end(fx->drip);
        fx->drip = NULL;
        pthread_mutex_unlock(&fx->lock);
        return;
    }
    pthread_mutex_unlock(&fx->lock);
    b = evbuffer_new();
    evbuffer_add(b, " ", 1);
    evhttp_send_reply_chunk(fx->drip, b);
    evbuffer_free(b);
    evtimer_add(fx->drip_ev, &tv);
}

static void on_drip_closed(struct evhttp_connection *c, void *arg)
{
    struct fixture *fx = arg;

    (void)c;
    pthread_mutex_lock(&fx->lock);
    fx->drip = NULL;
    pthread_mutex_unlock(&fx->lock);
}

static void on_request(struct evhttp_request *req, void *arg)
{
    struct fixture *fx = arg;
    struct evkeyvalq *in = evhttp_request_get_input_headers(req);
    struct evkeyvalq *out = evhttp_request_get_output_headers(req);
    const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));

    if (strcmp(path, "/rss.xml") == 0) {
        const char *inm = evhttp_find_header(in, "If-None-Match");
        const char *ims = evhttp_find_header(in, "If-Modified-Since");
        const char *ua = evhttp_find_header(in, "User-Agent");

        pthread_mutex_lock(&fx->lock);
        fx->rss_hits++;
        if (inm && ims && strcmp(inm, "\"rss-v1\"") == 0 &&
            strcmp(ims, "Tue, 02 Jan 2024 10:00:00 GMT") == 0)
            fx->rss_conditional++;
        snprintf(fx->agent, sizeof(fx->agent), "%s", ua ? ua : "");
        pthread_mutex_unlock(&fx->lock);
        evhttp_add_header(out, "ETag", "\"rss-v1\"");
        evhttp_add_header(out, "Last-Modified", "Tue, 02 Jan 2024 10:00:00 GMT");
        if (inm && strcmp(inm, "\"rss-v1\"") == 0)
            reply(req, 304, NULL, NULL);
        else
            reply(req, 200, "application/rss+xml", RSS);
    } else if (strcmp(path, "/plain-rss.xml") == 0) {
        reply(req, 200, "application/rss+xml", RSS);
    } else if (strcmp(path, "/atom.xml") == 0) {
        reply(req, 200, "application/atom+xml", ATOM);
    } else if (strcmp(path, "/google.xml") == 0) {
        reply(req, 200, "application/xml", GOOGLE);
    } else if (strcmp(path, "/items.json") == 0) {
        reply(req, 200, "application/json", JSON_ITEMS);
    } else if (strcmp(path, "/gzip.xml") == 0) {
        struct evbuffer *b = evbuffer_new();

        gzip_stored(b, RSS, strlen(RSS));
        evhttp_add_header(out, "Content-Type", "application/rss+xml");
        evhttp_add_header(out, "Content-Encoding", "gzip");
        evhttp_send_reply(req, 200, "OK", b);
        evbuffer_free(b);
    } else if (strcmp(path, "/500") == 0) {
        reply(req, 500, "text/plain", "broken");
    } else if (strcmp(path, "/loop") == 0) {
        evhttp_add_header(out, "Location", "/loop");
        reply(req, 302, "text/plain", "again");
    } else if (strcmp(path, "/bad.xml") == 0) {
        reply(req, 200, "application/rss+xml", "<rss version=\"2.0\"><channel><item><title>x");
    } else if (strcmp(path, "/big.xml") == 0) {
        struct evbuffer *b = evbuffer_new();
        static char chunk[1024];

        memset(chunk, ' ', sizeof(chunk));
        for (int i = 0; i < 64; i++)
            evbuffer_add(b, chunk, sizeof(chunk));
        evhttp_send_reply(req, 200, "OK", b);
        evbuffer_free(b);
    } else if (strcmp(path, "/drip") == 0 && !fx->drip) {
        struct timeval tv = {0, 300000};

        pthread_mutex_lock(&fx->lock);
        fx->drip = req;
        pthread_mutex_unlock(&fx->lock);
        evhttp_connection_set_closecb(evhttp_request_get_connection(req), on_drip_closed, fx);
        evhttp_send_reply_start(req, 200, "OK");
        evtimer_add(fx->drip_ev, &tv);
    } else {
        reply(req, 404, "text/plain", "no");
    }
}

static void *fixture_main(void *arg)
{
    struct fixture *fx = arg;

    event_base_dispatch(fx->base);
    return NULL;
}

static struct fixture *fixture_start(void)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    struct evhttp_bound_socket *bound;
    struct sockaddr_in sa;
    socklen_t sl = sizeof(sa);

    assert_non_null(fx);
    pthread_mutex_init(&fx->lock, NULL);
    assert_int_equal(evthread_use_pthreads(), 0);
    fx->base = event_base_new();
    assert_non_null(fx->base);
    fx->http = evhttp_new(fx->base);
    fx->drip_ev = evtimer_new(fx->base, on_drip, fx);
    evhttp_set_gencb(fx->http, on_request, fx);
    bound = evhttp_bind_socket_with_handle(fx->http, "127.0.0.1", 0);
    assert_non_null(bound);
    assert_int_equal(getsockname(evhttp_bound_socket_get_fd(bound), (struct sockaddr *)&sa, &sl),
                     0);
    fx->port = ntohs(sa.sin_port);
    assert_int_equal(pthread_create(&fx->thread, NULL, fixture_main, fx), 0);
    fx->running = true;
    return fx;
}

static void fixture_stop(struct fixture *fx)
{
    if (!fx)
        return;
    if (fx->running) {
        event_base_loopbreak(fx->base);
        pthread_join(fx->thread, NULL);
    }
    event_free(fx->drip_ev);
    evhttp_free(fx->http);
    event_base_free(fx->base);
    pthread_mutex_destroy(&fx->lock);
    free(fx);
}

/* ---- helpers ------------------------------------------------------------------------------ */

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct chorusd *start_chorusd(bool allow_private, const char *conf)
{
    struct chorusd *d;

    setenv("CHORUS_SOURCE_MIN_INTERVAL", "1", 1);
    if (allow_private)
        setenv("CHORUS_ALLOW_PRIVATE_SOURCES", "1", 1);
    else
        unsetenv("CHORUS_ALLOW_PRIVATE_SOURCES");
    d = chorusd_make(conf);
    assert_non_null(d);
    assert_int_equal(chorusd_start(d), 0);
    unsetenv("CHORUS_ALLOW_PRIVATE_SOURCES");
    return d;
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

/* ---- cases ------------------------------------------------------------------------------ */

static void sources_api_round_trip(void **state)
{
    struct chorusd *d = start_chorusd(true, NULL);
    struct hresp *r;
    long id;

    (void)state;
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
    assert_int_equal(chorusd_free(d), 0);
}

static void feeds_land_once_and_revalidate(void **state)
{
    struct fixture *fx = fixture_start();
    struct chorusd *d = start_chorusd(true, NULL);
    const char *base = h_fmt("http://127.0.0.1:%d", fx->port);
    char b[2048];
    struct hresp *r;
    long rss, atom, google, js, gz;

    (void)state;
    snprintf(b, sizeof(b),
             "{\"kind\":\"rss\",\"url\":\"%s/rss.xml\",\"interval\":1,\"product_id\":\"p-rss\"}",
             base);
    rss = add_source(d, b);
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
    snprintf(b, sizeof(b),
             "{\"kind\":\"rss\",\"url\":\"%s/gzip.xml\",\"interval\":1,\"product_id\":\"p-gz\"}",
             base);
    gz = add_source(d, b);

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
    r = h_get_key(d, h_fmt("/api/v1/sources/%ld", js));
    expect_jint(r->json, "items_added", 0);
    expect_jint(r->json, "items_updated", 2);
    hresp_free(r);
    r = h_get(d, "/api/v1/products/g-sku");
    expect_status(r, 200);
    expect_jstr(r->json, "gtin", "0012345678905");
    hresp_free(r);
    pthread_mutex_lock(&fx->lock);
    assert_true(fx->rss_conditional >= 1);
    assert_string_equal(fx->agent, "Chorus/0.1 (+https://chorus.dev/sources)");
    pthread_mutex_unlock(&fx->lock);
    r = h_get(d, "/metrics");
    expect_contains(r->body, "chorus_source_items_added_total 8");
    hresp_free(r);

    /* Sources and their validators survive a restart. */
    chorusd_restart(d);
    r = h_get_key(d, h_fmt("/api/v1/sources/%ld", rss));
    expect_jstr(r->json, "etag", "\"rss-v1\"");
    hresp_free(r);
    assert_int_equal(chorusd_free(d), 0);
    fixture_stop(fx);
}

static void misbehaving_sources_back_off(void **state)
{
    struct fixture *fx = fixture_start();
    struct chorusd *d = start_chorusd(true, "source_max_bytes = 4096\n");
    const char *base = h_fmt("http://127.0.0.1:%d", fx->port);
    char b[1024];
    struct hresp *r;
    long e500, big, loop, bad;

    (void)state;
    snprintf(b, sizeof(b),
             "{\"kind\":\"rss\",\"url\":\"%s/500\",\"interval\":1,\"product_id\":\"p\"}", base);
    e500 = add_source(d, b);
    snprintf(b, sizeof(b),
             "{\"kind\":\"rss\",\"url\":\"%s/big.xml\",\"interval\":1,\"product_id\":\"p\"}", base);
    big = add_source(d, b);
    snprintf(b, sizeof(b),
             "{\"kind\":\"rss\",\"url\":\"%s/loop\",\"interval\":1,\"product_id\":\"p\"}", base);
    loop = add_source(d, b);
    snprintf(b, sizeof(b),
             "{\"kind\":\"rss\",\"url\":\"%s/bad.xml\",\"interval\":1,\"product_id\":\"p\"}", base);
    bad = add_source(d, b);

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
    assert_int_equal(chorusd_free(d), 0);
    fixture_stop(fx);
}

static void slow_source_blocks_nothing(void **state)
{
    struct fixture *fx = fixture_start();
    struct chorusd *d = start_chorusd(true, NULL);
    const char *base = h_fmt("http://127.0.0.1:%d", fx->port);
    char b[1024];
    struct hresp *r;
    long ok;
    double t0;
    bool dripping = false;

    (void)state;
    snprintf(b, sizeof(b),
             "{\"kind\":\"rss\",\"url\":\"%s/drip\",\"interval\":1,\"product_id\":\"p\"}", base);
    add_source(d, b);
    for (int i = 0; i < 100 && !dripping; i++) {
        usleep(50000);
        pthread_mutex_lock(&fx->lock);
        dripping = fx->drip != NULL;
        pthread_mutex_unlock(&fx->lock);
    }
    assert_true(dripping);
    t0 = now_s();
    r = h_get(d, "/healthz");
    expect_status(r, 200);
    hresp_free(r);
    assert_true(now_s() - t0 < 0.5);
    snprintf(
        b, sizeof(b),
        "{\"kind\":\"rss\",\"url\":\"%s/plain-rss.xml\",\"interval\":1,\"product_id\":\"p-ok\"}",
        base);
    ok = add_source(d, b);
    hresp_free(wait_source(d, ok, "polls", 1));
    assert_int_equal(review_count(d, "p-ok"), 2);
    /* End the drip before chorusd goes, so the fixture frees its request. */
    pthread_mutex_lock(&fx->lock);
    fx->stop_drip = true;
    pthread_mutex_unlock(&fx->lock);
    for (int i = 0; i < 40 && dripping; i++) {
        usleep(50000);
        pthread_mutex_lock(&fx->lock);
        dripping = fx->drip != NULL;
        pthread_mutex_unlock(&fx->lock);
    }
    assert_false(dripping);
    assert_int_equal(chorusd_free(d), 0);
    fixture_stop(fx);
}

static void private_addresses_are_refused(void **state)
{
    struct fixture *fx = fixture_start();
    struct chorusd *d = start_chorusd(false, NULL);
    char b[1024];
    struct hresp *r;
    long id;

    (void)state;
    snprintf(b, sizeof(b),
             "{\"kind\":\"rss\",\"url\":\"http://127.0.0.1:%d/plain-rss.xml\",\"interval\":1,"
             "\"product_id\":\"p\"}",
             fx->port);
    id = add_source(d, b);
    r = wait_source(d, id, "errors", 1);
    expect_jcontains(r->json, "last_status", "refused");
    expect_jcontains(r->json, "last_status", "127.0.0.1");
    hresp_free(r);
    assert_int_equal(review_count(d, "p"), 0);
    assert_int_equal(chorusd_free(d), 0);
    fixture_stop(fx);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(sources_api_round_trip),
    cmocka_unit_test(feeds_land_once_and_revalidate),
    cmocka_unit_test(misbehaving_sources_back_off),
    cmocka_unit_test(slow_source_blocks_nothing),
    cmocka_unit_test(private_addresses_are_refused),
};

CHORUS_TEST_MAIN(tests)
