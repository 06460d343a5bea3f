/* The feed server of the pulled-source tests (fixture_http.h): what it
 * serves and counts, on the embedded test server (http_server.h). Request
 * handlers run on the server's thread; the counters they keep are read by
 * the test thread under the server's lock. */
#include "fixture_http.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "http_server.h"

struct fixture {
    struct ts_server *srv;
    /* Guarded by the server's lock: */
    unsigned requests;                  /* all of them */
    unsigned rss_hits, rss_conditional; /* /rss.xml requests; of them with both validators */
    char agent[128];
    unsigned keyed; /* requests with an X-Api-Key */
    char key[64];
    struct evhttp_request *drip; /* the request being dripped to, or NULL */
    bool stop_drip;              /* end the drip at its next tick */
    bool ticking;                /* a tick is scheduled (server thread only) */
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
    ts_reply(req, code, code == 200 ? "OK" : "Fixture", type, body, body ? strlen(body) : 0);
}

static void on_drip(evutil_socket_t fd, short what, void *arg);

/* drip_later ticks the drip in 300 ms unless a tick is already due, so
 * one chain of ticks serves every drip. A one-off event: the base frees it
 * with itself when the fixture stops mid-drip. */
static void drip_later(struct fixture *fx)
{
    struct timeval tv = {0, 300000};

    if (fx->ticking)
        return;
    fx->ticking = true;
    event_base_once(ts_server_base(fx->srv), -1, EV_TIMEOUT, on_drip, fx, &tv);
}

static void on_drip(evutil_socket_t fd, short what, void *arg)
{
    struct fixture *fx = arg;
    struct evbuffer *b;

    (void)fd;
    (void)what;
    fx->ticking = false;
    if (!fx->drip)
        return;
    ts_lock(fx->srv);
    if (fx->stop_drip) {
        /* Ending the reply lets libevent free the request. */
        evhttp_send_reply_end(fx->drip);
        fx->drip = NULL;
        ts_unlock(fx->srv);
        return;
    }
    ts_unlock(fx->srv);
    b = evbuffer_new();
    evbuffer_add(b, " ", 1);
    evhttp_send_reply_chunk(fx->drip, b);
    evbuffer_free(b);
    drip_later(fx);
}

static void on_drip_closed(struct evhttp_connection *c, void *arg)
{
    struct fixture *fx = arg;

    (void)c;
    ts_lock(fx->srv);
    fx->drip = NULL;
    ts_unlock(fx->srv);
}

static void on_request(struct ts_server *srv, struct evhttp_request *req, void *arg)
{
    struct fixture *fx = arg;
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = evhttp_uri_get_path(uri);

    ts_lock(srv);
    fx->requests++;
    if (ts_header(req, "X-Api-Key")) {
        fx->keyed++;
        ts_copy_header(req, "X-Api-Key", fx->key, sizeof(fx->key));
    }
    ts_unlock(srv);
    if (strcmp(path, "/rss.xml") == 0) {
        const char *inm = ts_header(req, "If-None-Match");
        const char *ims = ts_header(req, "If-Modified-Since");

        ts_lock(srv);
        fx->rss_hits++;
        if (inm && ims && strcmp(inm, "\"rss-v1\"") == 0 &&
            strcmp(ims, "Tue, 02 Jan 2024 10:00:00 GMT") == 0)
            fx->rss_conditional++;
        ts_copy_header(req, "User-Agent", fx->agent, sizeof(fx->agent));
        ts_unlock(srv);
        ts_add_header(req, "ETag", "\"rss-v1\"");
        ts_add_header(req, "Last-Modified", "Tue, 02 Jan 2024 10:00:00 GMT");
        if (inm && strcmp(inm, "\"rss-v1\"") == 0)
            reply(req, 304, NULL, NULL);
        else
            reply(req, 200, "application/rss+xml", RSS);
    } else if (strcmp(path, "/odd-rss.xml") == 0) {
        /* libevent refuses only CR and LF in a header value. */
        ts_add_header(req, "ETag", "\"odd-\xff\xfe\xc3(\"");
        ts_add_header(req, "Last-Modified", "Tue, 02 Jan 2024\x01 10:00:00\x7f GMT");
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
        ts_add_header(req, "Content-Type", "application/rss+xml");
        ts_add_header(req, "Content-Encoding", "gzip");
        evhttp_send_reply(req, 200, "OK", b);
        evbuffer_free(b);
    } else if (strcmp(path, "/500") == 0) {
        reply(req, 500, "text/plain", "broken");
    } else if (strcmp(path, "/loop") == 0) {
        ts_add_header(req, "Location", "/loop");
        reply(req, 302, "text/plain", "again");
    } else if (strcmp(path, "/redirect") == 0) {
        char to[2048];

        if (ts_form_value(evhttp_uri_get_query(uri), "to", to, sizeof(to))) {
            ts_add_header(req, "Location", to);
            reply(req, 302, "text/plain", "elsewhere");
        } else {
            reply(req, 400, "text/plain", "no to=");
        }
    } else if (strcmp(path, "/bad.xml") == 0) {
        reply(req, 200, "application/rss+xml", "<rss version=\"2.0\"><channel><item><title>x");
    } else if (strcmp(path, "/big.xml") == 0) {
        static char blanks[64 * 1024];

        memset(blanks, ' ', sizeof(blanks));
        ts_reply(req, 200, "OK", NULL, blanks, sizeof(blanks));
    } else if (strcmp(path, "/drip") == 0 && !fx->drip) {
        ts_lock(srv);
        fx->drip = req;
        ts_unlock(srv);
        evhttp_connection_set_closecb(evhttp_request_get_connection(req), on_drip_closed, fx);
        evhttp_send_reply_start(req, 200, "OK");
        drip_later(fx);
    } else {
        reply(req, 404, "text/plain", "no");
    }
}

struct fixture *fixture_start(const char *addr)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    struct ts_config cfg = {.addr = addr, .handler = on_request, .arg = fx};

    if (!fx)
        abort();
    if (ts_server_start(&fx->srv, &cfg) != 0) {
        free(fx);
        return NULL;
    }
    return fx;
}

void fixture_stop(struct fixture *fx)
{
    if (!fx)
        return;
    ts_server_stop(fx->srv);
    free(fx);
}

const char *fixture_base(const struct fixture *fx)
{
    return ts_server_url(fx->srv);
}

int fixture_port(const struct fixture *fx)
{
    return ts_server_port(fx->srv);
}

void fixture_counts(struct fixture *fx, struct fixture_counts *out)
{
    ts_lock(fx->srv);
    out->requests = fx->requests;
    out->rss_hits = fx->rss_hits;
    out->rss_conditional = fx->rss_conditional;
    snprintf(out->agent, sizeof(out->agent), "%s", fx->agent);
    out->keyed = fx->keyed;
    snprintf(out->key, sizeof(out->key), "%s", fx->key);
    out->dripping = fx->drip != NULL;
    ts_unlock(fx->srv);
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
    ts_lock(fx->srv);
    fx->stop_drip = true;
    ts_unlock(fx->srv);
    return !wait_drip(fx, false, 2000);
}
