/* GET /feeds/google-reviews.xml: the Google Product Reviews feed, streamed.
 *
 * Google wants one complete feed of every approved, rated review, so this
 * document grows with the catalogue; rendering it whole would hold a million
 * reviews' XML in memory per reader. It is sent as a chunked reply instead,
 * produced one bounded pass at a time:
 *
 *   pass:  renew the loop's read transaction, walk reviews in id order after
 *          the last id sent, render up to CHUNK_REVIEWS (or CHUNK_BYTES),
 *          reset the transaction;
 *   send:  hand the bytes to libevent with a callback that fires once they
 *          have left for the socket, and run the next pass from there.
 *
 * So at most one chunk per connection is in memory, no read transaction is
 * held while the client reads, and a slow reader costs nothing but its
 * socket buffer. Reviews written during the stream show up when their id is
 * above the walk's position, which is what a feed read over time means.
 *
 * Ending: a finished document ends the reply; a client that leaves
 * mid-stream, or the server shutting down (evhttp_free), reaches on_close;
 * a store error mid-stream drops the connection, so the client sees a
 * truncated reply rather than a complete-looking feed that lost reviews.
 * Each path frees the stream exactly once and unhooks on_close first.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>

#include "chorus/base.h"

#define GOOGLE_TYPE "application/xml; charset=utf-8"

/* A pass stops at whichever comes first. The byte cap bounds a chunk's
 * memory whatever the reviews' lengths (a body alone may be 20 KB); the
 * review cap bounds the time one pass keeps the loop from other requests,
 * while keeping per-chunk costs (a transaction, a write) small. */
#define CHUNK_REVIEWS 500
#define CHUNK_BYTES   (512 * 1024)
/* Reviews looked at per pass, written or not: a run of pending reviews
 * must not turn one pass into a walk of the whole store. */
#define CHUNK_SCAN 5000

struct gfeed {
    struct srv *srv;
    struct srv_thread *t; /* the connection's thread: its loop and read transaction */
    struct evhttp_request *req;
    struct evhttp_connection *conn;
    struct feed_site site;   /* strings borrowed from srv */
    struct feed_google *g;   /* NULL once the document is closed */
    struct event *resume;    /* runs the next pass when one produced no bytes */
    struct store_txn *txn;   /* set during a pass only */
    struct product *product; /* the last product looked up, a copy (product_dup) */
    struct buf out;          /* the chunk being produced */
    uint64_t after;          /* the last review id walked */
    size_t written, scanned; /* in the current pass */
    bool stopped;            /* the current pass stopped before the last review */
};

static void on_sent(struct evhttp_connection *conn, void *arg);

static void gfeed_free(struct gfeed *f)
{
    if (!f)
        return;
    feed_google_free(f->g);
    if (f->resume)
        event_free(f->resume);
    free(f->product);
    buf_cleanup(&f->out);
    free(f);
}

/* ---- one pass ------------------------------------------------------------------ */

/* product_for makes f->product the product with external id `id`.
 * Consecutive reviews are often about one product, so the last one is
 * kept; it is a copy because store strings die with the pass's
 * transaction. An unknown product (a review can arrive before its
 * catalogue entry) is described by its id. */
static int product_for(struct gfeed *f, const char *id)
{
    struct product p;
    int rc;

    if (f->product && strcmp(f->product->id, id) == 0)
        return 0;
    free(f->product);
    f->product = NULL;
    rc = store_product_get(f->txn, id, &p, NULL);
    if (rc == CHORUS_ENOTFOUND) {
        memset(&p, 0, sizeof(p));
        p.id = id;
        rc = 0;
    }
    if (rc == 0)
        f->product = product_dup(&p);
    return rc;
}

static int on_review(void *ctx, const struct review *r)
{
    struct gfeed *f = ctx;
    int rc = 0;

    f->after = r->id;
    f->scanned++;
    if (r->status == REVIEW_APPROVED && r->rating > 0) {
        rc = product_for(f, r->product_id);
        if (rc == 0)
            rc = feed_google_review(f->g, r, f->product);
        if (rc == 0)
            rc = feed_google_take(f->g, &f->out);
        if (rc)
            return rc;
        f->written++;
    }
    if (f->written >= CHUNK_REVIEWS || f->out.len >= CHUNK_BYTES || f->scanned >= CHUNK_SCAN) {
        f->stopped = true;
        return CHORUS_ESTOP;
    }
    return 0;
}

/* produce runs one pass into f->out and closes the document when the walk
 * reached the end. Returns 0 or the store's or the writer's error. */
static int produce(struct gfeed *f)
{
    int rc;

    rc = store_read_begin(f->srv->store, &f->t->rtxn);
    if (rc)
        return rc;
    f->txn = f->t->rtxn;
    f->written = 0;
    f->scanned = 0;
    f->stopped = false;
    rc = store_reviews_each(f->txn, f->after, on_review, f);
    store_read_end(f->txn);
    f->txn = NULL;
    if (rc == 0 && !f->stopped) {
        rc = feed_google_end(f->g, &f->out);
        f->g = NULL;
    }
    return rc;
}

/* ---- sending ------------------------------------------------------------------- */

static void free_chunk(const void *data, size_t len, void *arg)
{
    (void)len;
    (void)arg;
    free((void *)data);
}

/* finish ends a reply whose document is complete. */
static void finish(struct gfeed *f)
{
    evhttp_connection_set_closecb(f->conn, NULL, NULL);
    evhttp_send_reply_end(f->req);
    gfeed_free(f);
}

/* drop gives up mid-stream. The status line has gone out, so the only
 * honest signal left is to close without the last chunk: a client then
 * reports an incomplete transfer instead of trusting a feed missing
 * reviews (Google deletes what a feed leaves out). The request goes with
 * the connection. */
static void drop(struct gfeed *f, int rc)
{
    fprintf(stderr, "chorusd: Google feed stopped after review %llu: %s\n",
            (unsigned long long)f->after, chorus_strerror(rc));
    evhttp_connection_set_closecb(f->conn, NULL, NULL);
    evhttp_connection_free(f->conn);
    gfeed_free(f);
}

static void on_resume(evutil_socket_t fd, short what, void *arg)
{
    struct gfeed *f = arg;

    (void)fd;
    (void)what;
    on_sent(f->conn, f);
}

/* send_out hands f->out to libevent. The chunk callback fires when the
 * bytes have been written to the socket, and that is where the next pass
 * runs: production follows the reader's pace. */
static void send_out(struct gfeed *f)
{
    struct timeval now = {0, 0};
    struct evbuffer *eb;
    size_t len;
    char *data;

    if (f->out.len == 0) {
        /* A pass of pending or unrated reviews only. libevent never calls
         * back for an empty chunk, so the next pass is scheduled on the
         * loop, after whatever else is waiting. */
        if (!f->resume)
            f->resume = evtimer_new(f->t->base, on_resume, f);
        if (!f->resume || evtimer_add(f->resume, &now) != 0)
            drop(f, CHORUS_ENOMEM);
        return;
    }
    eb = evbuffer_new();
    if (!eb)
        abort();
    data = buf_steal(&f->out, &len);
    if (evbuffer_add_reference(eb, data, len, free_chunk, NULL) != 0)
        abort();
    if (f->g) {
        evhttp_send_reply_chunk_with_cb(f->req, eb, on_sent, f);
        evbuffer_free(eb);
        return;
    }
    evhttp_send_reply_chunk(f->req, eb);
    evbuffer_free(eb);
    finish(f);
}

static void on_sent(struct evhttp_connection *conn, void *arg)
{
    struct gfeed *f = arg;
    int rc;

    (void)conn;
    rc = produce(f);
    if (rc)
        drop(f, rc);
    else
        send_out(f);
}

/* on_close runs when the connection goes away before the reply ended. A
 * client leaving mid-stream makes libevent detach the unfinished request
 * and leave it to us (evhttp_connection_incoming_fail); evhttp_send_reply_end
 * on a detached request only frees it. At shutdown (evhttp_free) the request
 * is still attached and is freed with its connection. */
static void on_close(struct evhttp_connection *conn, void *arg)
{
    struct gfeed *f = arg;

    (void)conn;
    if (!evhttp_request_get_connection(f->req))
        evhttp_send_reply_end(f->req);
    gfeed_free(f);
}

/* ---- the handler ----------------------------------------------------------------- */

void srv__feed_google(struct srv_req *r)
{
    static const char *const allowed[] = {NULL};
    struct evkeyvalq *out = evhttp_request_get_output_headers(r->req);
    struct evkeyvalq *in = evhttp_request_get_input_headers(r->req);
    const char *conn_hdr;
    struct gfeed *f;
    int rc;

    if (!srv__query_check(r, allowed))
        return;
    if (evhttp_request_get_command(r->req) == EVHTTP_REQ_HEAD) {
        evhttp_add_header(out, "Cache-Control", "public, max-age=300");
        srv__add_cors(r->srv, r->req);
        srv__reply(r, 200, GOOGLE_TYPE, NULL);
        return;
    }
    f = calloc(1, sizeof(*f));
    if (!f)
        abort();
    f->srv = r->srv;
    f->t = r->t;
    f->req = r->req;
    f->conn = evhttp_request_get_connection(r->req);
    buf_init(&f->out, 0);
    srv__site(r->srv, &f->site);
    /* The first pass runs before the status line, so a store that cannot be
     * read is still an ordinary error reply. */
    rc = feed_google_begin(&f->g, &f->site, f->site.title, NULL);
    if (rc == 0)
        rc = feed_google_take(f->g, &f->out);
    if (rc == 0)
        rc = produce(f);
    if (rc) {
        srv__problem(r, rc == CHORUS_EBUSY ? 503 : 500,
                     "The Google reviews feed could not be produced: %s.", chorus_strerror(rc));
        gfeed_free(f);
        return;
    }
    /* An HTTP/1.0 reply cannot be chunked, so its body ends when the
     * connection closes; libevent would instead announce Content-Length: 0
     * to a 1.0 client asking for keep-alive. Forgetting the request's
     * keep-alive makes such a reply end with the connection (an HTTP/1.1
     * connection is persistent without the header, so it is unaffected). */
    conn_hdr = evhttp_find_header(in, "Connection");
    if (conn_hdr && strncasecmp(conn_hdr, "keep-alive", 10) == 0)
        evhttp_remove_header(in, "Connection");
    evhttp_add_header(out, "Content-Type", GOOGLE_TYPE);
    evhttp_add_header(out, "X-Content-Type-Options", "nosniff");
    /* Google fetches on a schedule; five minutes in a cache in front spares
     * a full walk of the store per fetch without holding reviews back long. */
    evhttp_add_header(out, "Cache-Control", "public, max-age=300");
    srv__add_cors(r->srv, r->req);
    evhttp_send_reply_start(r->req, 200, "OK");
    evhttp_connection_set_closecb(f->conn, on_close, f);
    send_out(f);
}
