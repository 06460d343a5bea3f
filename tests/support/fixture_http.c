/* The feed server of the pulled-source tests (fixture_http.h): evhttp on its
 * own event_base and thread. Request handlers run on that thread; the
 * counters they keep are read by the test thread under the lock. */
#include "fixture_http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/thread.h>

struct fixture {
    struct event_base *base;
    struct evhttp *http;
    pthread_t thread;
    bool running;
    int port;
    char base_url[80]; /* http://ADDR:PORT */
    pthread_mutex_t lock;
    unsigned requests;                  /* all of them */
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

/* One review syndicated twice: a retailer's RSS (HTML, typographic quotes)
 * and a partner's JSON (plain text, other case and punctuation), plus an
 * item each of their own. */
static const char SYND_RSS[] =
    "<?xml version=\"1.0\"?><rss version=\"2.0\" "
    "xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel><title>Shop</title>"
    "<item><guid>shop-81</guid><title>Quiet and fast</title><dc:creator>Ana Lima</dc:creator>"
    "<description>&lt;p&gt;The fan stays quiet under load, and the SSD is fast.&lt;/p&gt;"
    "&lt;p&gt;I don\xe2\x80\x99t miss my old one &amp;mdash; at all.&lt;/p&gt;</description>"
    "</item><item><guid>shop-82</guid><dc:creator>Rui</dc:creator>"
    "<description>The keyboard flexes in the middle when typing fast.</description></item>"
    "</channel></rss>";

static const char SYND_JSON[] =
    "[{\"id\":\"partner-5521\",\"product_id\":\"p-syn\",\"rating\":5,"
    "\"author\":\"ana lima\",\"body\":\"The fan stays quiet under load and the SSD is "
    "fast! I don't miss my old one - at all\"},"
    "{\"id\":\"partner-5522\",\"product_id\":\"p-syn\",\"rating\":3,"
    "\"author\":\"Eve\",\"body\":\"Battery is fine, the speakers are thin.\"}]";

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
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = evhttp_uri_get_path(uri);

    pthread_mutex_lock(&fx->lock);
    fx->requests++;
    pthread_mutex_unlock(&fx->lock);
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
    } else if (strcmp(path, "/synd-rss.xml") == 0) {
        reply(req, 200, "application/rss+xml", SYND_RSS);
    } else if (strcmp(path, "/synd.json") == 0) {
        reply(req, 200, "application/json", SYND_JSON);
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
    } else if (strcmp(path, "/redirect") == 0) {
        struct evkeyvalq q;
        const char *query = evhttp_uri_get_query(uri), *to;

        evhttp_parse_query_str(query ? query : "", &q);
        to = evhttp_find_header(&q, "to");
        if (to) {
            evhttp_add_header(out, "Location", to);
            reply(req, 302, "text/plain", "elsewhere");
        } else {
            reply(req, 400, "text/plain", "no to=");
        }
        evhttp_clear_headers(&q);
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

/* bound_port reads the port the kernel chose for a listener; 0 on error. */
static int bound_port(struct evhttp_bound_socket *bound)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);

    if (getsockname(evhttp_bound_socket_get_fd(bound), (struct sockaddr *)&ss, &sl) != 0)
        return 0;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return 0;
}

struct fixture *fixture_start(const char *addr)
{
    static bool threads_ready;
    struct fixture *fx;
    struct evhttp_bound_socket *bound;
    int port;

    /* libevent's locks are set up once per process, before the first base. */
    if (!threads_ready && evthread_use_pthreads() != 0)
        return NULL;
    threads_ready = true;
    fx = calloc(1, sizeof(*fx));
    if (!fx)
        abort();
    pthread_mutex_init(&fx->lock, NULL);
    fx->base = event_base_new();
    fx->http = fx->base ? evhttp_new(fx->base) : NULL;
    fx->drip_ev = fx->base ? evtimer_new(fx->base, on_drip, fx) : NULL;
    if (!fx->http || !fx->drip_ev)
        goto fail;
    evhttp_set_gencb(fx->http, on_request, fx);
    bound = evhttp_bind_socket_with_handle(fx->http, addr, 0);
    port = bound ? bound_port(bound) : 0;
    if (port == 0)
        goto fail;
    snprintf(fx->base_url, sizeof(fx->base_url),
             strchr(addr, ':') ? "http://[%s]:%d" : "http://%s:%d", addr, port);
    fx->port = port;
    if (pthread_create(&fx->thread, NULL, fixture_main, fx) != 0)
        goto fail;
    fx->running = true;
    return fx;
fail:
    fixture_stop(fx);
    return NULL;
}

void fixture_stop(struct fixture *fx)
{
    if (!fx)
        return;
    if (fx->running) {
        event_base_loopbreak(fx->base);
        pthread_join(fx->thread, NULL);
    }
    if (fx->drip_ev)
        event_free(fx->drip_ev);
    if (fx->http)
        evhttp_free(fx->http);
    if (fx->base)
        event_base_free(fx->base);
    pthread_mutex_destroy(&fx->lock);
    free(fx);
}

const char *fixture_base(const struct fixture *fx)
{
    return fx->base_url;
}

int fixture_port(const struct fixture *fx)
{
    return fx->port;
}

void fixture_counts(struct fixture *fx, struct fixture_counts *out)
{
    pthread_mutex_lock(&fx->lock);
    out->requests = fx->requests;
    out->rss_hits = fx->rss_hits;
    out->rss_conditional = fx->rss_conditional;
    snprintf(out->agent, sizeof(out->agent), "%s", fx->agent);
    out->dripping = fx->drip != NULL;
    pthread_mutex_unlock(&fx->lock);
}

unsigned fixture_requests(struct fixture *fx)
{
    struct fixture_counts c;

    fixture_counts(fx, &c);
    return c.requests;
}

/* wait_drip waits up to ms for the drip to be (or no longer be) in progress;
 * returns whether one is in progress at the end. */
static bool wait_drip(struct fixture *fx, bool want, int ms)
{
    struct fixture_counts c;

    fixture_counts(fx, &c);
    for (int waited = 0; c.dripping != want && waited < ms; waited += 50) {
        struct timespec ts = {0, 50 * 1000 * 1000};

        nanosleep(&ts, NULL);
        fixture_counts(fx, &c);
    }
    return c.dripping;
}

bool fixture_wait_drip(struct fixture *fx)
{
    return wait_drip(fx, true, 5000);
}

bool fixture_end_drip(struct fixture *fx)
{
    pthread_mutex_lock(&fx->lock);
    fx->stop_drip = true;
    pthread_mutex_unlock(&fx->lock);
    return !wait_drip(fx, false, 2000);
}
