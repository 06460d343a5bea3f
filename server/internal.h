/* Server internals shared by the files of server/ (srv__ prefix). */
#ifndef CHORUS_SERVER_INTERNAL_H
#define CHORUS_SERVER_INTERNAL_H

#include <pthread.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

/* For CURL and CURLcode in the curl_loop section: libcurl's types stay
 * inside server/, no header of include/chorus/ names them. */
#include <curl/curl.h>

#include "chorus/base.h"
#include "chorus/feed.h"
#include "chorus/server.h"
#include "chorus/store.h"

struct srv_job;
struct srv_websub;
struct srv_curl;
struct srv_cache;
struct srv_poller;
struct text_taxonomy;

struct srv_writer {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct srv_job *queue_head, *queue_tail; /* waiting to be written */
    struct srv_job *done_head, *done_tail;   /* committed, waiting for replies */
    struct event *done_ev;                   /* fired on the loop by the writer */
    bool stopping;
    bool started;           /* the thread runs and takes jobs */
    bool initialized;       /* lock and wake exist */
    uint64_t batches, jobs; /* for /metrics and the benchmark notes */
};

struct srv {
    struct srv_config cfg;
    struct event_base *base;
    struct evhttp *http;
    struct event *sigint_ev, *sigterm_ev;
    struct store *store;
    struct store_txn *rtxn; /* the loop thread's read transaction, renewed per request */
    char *keys[SRV_MAX_KEYS];
    size_t n_keys;
    int port;
    struct srv_writer writer;
    struct srv_ratelimit *votes;
    uint64_t requests;
    struct text_taxonomy *taxonomy; /* tags reviews at ingest, themes the digest */
    struct srv_websub *websub;      /* NULL without a configured hub */
    struct srv_cache *cache;        /* rendered feeds; NULL when disabled */
    struct srv_poller *poller;      /* pulled sources (poller.c) */
    char public_url[512];           /* cfg.public_url, or http://listen:port */
    char instance[17];              /* the store's instance, hex, for tag: ids */
};

#define SRV_PARAM_MAX 1024 /* raw and decoded route parameters */

/* A request being handled: what the router found and what the handler needs. */
struct srv_req {
    struct srv *srv;
    struct evhttp_request *req;
    const char *path;
    char param[SRV_PARAM_MAX]; /* the decoded {id} or {path} of the route */
    struct evkeyvalq query;
    bool query_parsed;
    bool authed;
};

/* ---- writer (writer.c) ---------------------------------------------------- */

/* A unit of write work. apply runs on the writer thread inside a shared write
 * transaction and may run more than once (store_write reruns on map growth),
 * so it must overwrite, not accumulate, its results; it returns non-zero
 * only for failures that must abort the whole batch. done runs on the loop
 * thread after the commit (commit_rc 0) or its failure, replies, and frees
 * the job. */
struct srv_job {
    struct srv_job *next;
    int (*apply)(struct store_txn *txn, struct srv_job *job);
    void (*done)(struct srv_job *job, int commit_rc);
    struct srv *srv;
    struct evhttp_request *req;
    size_t weight; /* reviews in the job, to bound a batch's size */
    int commit_rc; /* set by the writer after the commit */
};

int srv__writer_start(struct srv *s);
/* srv__writer_stop drains the queue, replies to it and joins the thread;
 * later submits are answered 503. srv__writer_cleanup frees the rest. */
void srv__writer_stop(struct srv *s);
void srv__writer_cleanup(struct srv *s);
/* srv__writer_submit queues job (ownership passes to the writer until done). */
void srv__writer_submit(struct srv *s, struct srv_job *job);

/* ---- replies (reply.c) ---------------------------------------------------- */

/* srv__head_only says whether req is a HEAD request and, if so, sets the
 * Content-Length a GET would have had (len); the caller then sends no
 * body. */
bool srv__head_only(struct evhttp_request *req, size_t len);
/* srv__reply sends status with body b (taken: b is emptied) and type. */
void srv__reply(struct srv_req *r, int status, const char *type, struct buf *b);
/* srv__reply_req is srv__reply for a bare request (from a job's done). */
void srv__reply_req(struct srv *s, struct evhttp_request *req, int status, const char *type,
                    struct buf *b);
/* srv__problem sends an application/problem+json error. detail is a
 * sentence a person can act on (printf format). */
void srv__problem(struct srv_req *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void srv__problem_req(struct srv *s, struct evhttp_request *req, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* srv__problem_parse sends a 400 for a body the parsers refused, with the
 * position when the parser knows it. */
struct parse_error;
void srv__problem_parse(struct srv_req *r, const struct parse_error *perr);
/* srv__status_of maps a CHORUS_E* code to an HTTP status: the one place. */
int srv__status_of(int err);
/* srv__etag_match sets ETag and Cache-Control and answers 304 when the
 * request's If-None-Match matches; returns true when it replied. */
bool srv__etag_match(struct srv_req *r, const char *etag);
/* srv__etag_match_cc is srv__etag_match with its own Cache-Control value. */
bool srv__etag_match_cc(struct srv_req *r, const char *etag, const char *cache_control);
/* srv__add_cors adds the CORS headers reads need. */
void srv__add_cors(struct srv *s, struct evhttp_request *req);

/* A JSON list being rendered: items are comma-separated into b; rc keeps
 * the first error (the buffer's cap). */
struct srv_list {
    struct buf *b;
    size_t n;
    int rc;
};

/* srv__list_review is a store_review_cb appending a review to a srv_list. */
int srv__list_review(void *ctx, const struct review *rv);
/* srv__list_reply answers a keyed GET of a whole collection (no query
 * parameters): {"<name>":[...]} with the items each writes into l (comma
 * separated, l->n counting them), Cache-Control: no-store; a store error is
 * a problem naming the collection. */
void srv__list_reply(struct srv_req *r, const char *name,
                     int (*each)(struct store_txn *txn, struct srv_list *l));

/* ---- requests (request.c) ------------------------------------------------- */

/* srv__query_check parses the query string and fails (400 sent, returns
 * false) on an unknown or repeated parameter. allowed is NULL-terminated. */
bool srv__query_check(struct srv_req *r, const char *const *allowed);
/* srv__query_get returns a parameter's decoded value or NULL. */
const char *srv__query_get(struct srv_req *r, const char *name);
/* srv__query_limit parses "limit" (default def, 1..max); false = 400 sent. */
bool srv__query_limit(struct srv_req *r, size_t def, size_t max, size_t *out);
/* srv__query_sort parses "sort" (newest when absent); srv__query_ratings
 * parses "rating" ("5", "1,2", "mention") into STORE_RATING_* bits (0 when
 * absent). false = 400 sent. */
bool srv__query_sort(struct srv_req *r, enum store_sort *out);
bool srv__query_ratings(struct srv_req *r, unsigned *out);
/* srv__require_key answers 401 and returns false without a valid key. */
bool srv__require_key(struct srv_req *r);
/* srv__auth_check validates an Authorization header when one is sent (a
 * wrong key is a 401 even on public reads, so a client learns its key is
 * bad); false = 401 sent. */
bool srv__auth_check(struct srv_req *r);
/* srv__body returns the request body as a NUL-terminated heap copy (caller
 * frees), checking Content-Type against want ("application/json" ...,
 * NULL-terminated list); false when it replied 415 or 400. *fmt_index says
 * which type matched. */
bool srv__body(struct srv_req *r, const char *const *want, size_t *fmt_index, char **data,
               size_t *len);
/* srv__read_begin renews the loop's read transaction; false = 503 sent. */
struct store_txn *srv__read_begin(struct srv_req *r);
void srv__read_end(struct srv_req *r);
/* srv__parse_id parses a decimal review id; false = 404 sent. */
bool srv__parse_id(struct srv_req *r, uint64_t *id);

/* ---- handlers ------------------------------------------------------------- */

void srv__health(struct srv_req *r);
void srv__metrics(struct srv_req *r);
void srv__reviews_post(struct srv_req *r);
void srv__review_get(struct srv_req *r);
void srv__review_delete(struct srv_req *r);
void srv__review_moderate(struct srv_req *r);
void srv__review_respond(struct srv_req *r);
void srv__review_vote(struct srv_req *r);
void srv__moderation_list(struct srv_req *r);
void srv__products_list(struct srv_req *r);
void srv__product_get(struct srv_req *r);
void srv__product_put(struct srv_req *r);
void srv__product_reviews(struct srv_req *r);

/* ---- feeds (feeds.c, feed_google.c, digest_tokens.c) ----------------------- */

#define SRV_FEED_MAX_BYTES (32 << 20) /* a rendered feed or digest, at most */

/* srv__site describes this server for the feed writers (strings borrowed
 * from s). */
void srv__site(struct srv *s, struct feed_site *out);
void srv__feed_product(struct srv_req *r);
void srv__feed_category(struct srv_req *r);
void srv__feed_all(struct srv_req *r);
void srv__feed_digest(struct srv_req *r);
void srv__feed_google(struct srv_req *r);
void srv__tokens_list(struct srv_req *r);
void srv__tokens_create(struct srv_req *r);
void srv__tokens_delete(struct srv_req *r);

/* ---- dashboard (dashboard.c) ---------------------------------------------------- */

/* srv__dashboard serves GET /dashboard?category=&sort=&token= (docs/dashboard.md):
 * as private as the digest, cached like the feeds. */
void srv__dashboard(struct srv_req *r);

/* ---- widget (widget.c) ------------------------------------------------------------ */

/* GET /widget/embed.js and /widget/widget.css: the web/ assets, the script
 * with the UI strings of every language put in at its CHORUS_I18N marker;
 * built on first use and kept for the life of the process. */
void srv__widget_js(struct srv_req *r);
void srv__widget_css(struct srv_req *r);
/* GET /widget/{id}.html (the iframe embed) and /p/{id} (the hosted page):
 * the server-rendered widget, docs/widget.md. */
void srv__widget_html(struct srv_req *r);
void srv__widget_page(struct srv_req *r);

/* ---- rendered-response cache (cache.c) ------------------------------------------ */

struct srv_blob;

/* A cached reply: valid while its scope's aggregate version is version. */
struct srv_cached {
    uint64_t version;
    int64_t modified; /* Last-Modified */
    char etag[80];
    const char *type;      /* a static string */
    struct srv_blob *blob; /* the body, shared with replies in flight */
};

/* srv__cache_new makes a cache holding at most max_bytes; free with
 * srv__cache_free (NULL ok). */
struct srv_cache *srv__cache_new(size_t max_bytes);
void srv__cache_free(struct srv_cache *c);
/* srv__cache_get returns the entry for key when it was stored for version
 * (borrowed until the next srv__cache_put), else NULL. c may be NULL. */
const struct srv_cached *srv__cache_get(struct srv_cache *c, const char *key, uint64_t version);
/* srv__cache_put stores a copy of body under key with val's metadata. */
void srv__cache_put(struct srv_cache *c, const char *key, const struct srv_cached *val,
                    struct buf *body);
void srv__cache_metrics(const struct srv_cache *c, struct buf *b);
/* srv__cache_reply sends c's body with status, without copying it: the
 * reply holds a reference until libevent has written it. */
void srv__cache_reply(struct srv_req *r, int status, const struct srv_cached *c);

/* ---- libcurl on the event loop (curl_loop.c) ------------------------------ */

/* srv__curl_new makes a CURLM driven by base (the curl_multi_socket_action
 * pattern) and runs curl_global_init once per process. done is called on
 * the loop for every transfer that finishes, after its handle left the
 * multi; the handle is back in the caller's hands (done cleans it up or
 * reuses it) and done may add or remove transfers, but not free c. Returns
 * CHORUS_ENOMEM when curl cannot start. *out is freed with srv__curl_free.
 * Loop thread only, like everything below. */
int srv__curl_new(struct srv_curl **out, struct event_base *base,
                  void (*done)(void *ctx, CURL *easy, CURLcode result), void *ctx);
/* srv__curl_host_limit caps connections per host (CURLMOPT_MAX_HOST_CONNECTIONS);
 * transfers beyond it wait inside curl for a free connection. */
void srv__curl_host_limit(struct srv_curl *c, unsigned n);
/* srv__curl_easy_new makes an easy handle for url with what every transfer
 * of ours needs: NOSIGNAL, PRIVATE priv, ERRORBUFFER err (CURL_ERROR_SIZE
 * bytes, emptied here, must outlive the handle), the connect and total
 * timeouts, at most max_redirs redirects (0: none followed), http and https
 * only, redirects included. The caller adds its own options (method, body,
 * write callback with a size cap, user agent) and owns the handle (new
 * reference): curl_easy_cleanup. NULL when curl cannot make one. */
CURL *srv__curl_easy_new(const char *url, void *priv, char *err, long connect_ms, long total_ms,
                         long max_redirs);
/* srv__curl_add starts the transfer easy (borrowed until done, or until
 * srv__curl_remove or srv__curl_free); it begins on the next turn of the
 * loop. CHORUS_EINVAL when curl refuses the handle (the caller keeps it). */
int srv__curl_add(struct srv_curl *c, CURL *easy);
/* srv__curl_remove cancels easy's transfer without calling done; the
 * caller may clean easy up afterwards. A handle not in c is ignored. */
void srv__curl_remove(struct srv_curl *c, CURL *easy);
/* srv__curl_running says how many transfers are added and not finished. */
size_t srv__curl_running(const struct srv_curl *c);
/* srv__curl_free cancels every transfer (no done calls: the handles stay
 * the caller's, to clean up after this) and frees the multi, its sockets,
 * events and timer. NULL ok. */
void srv__curl_free(struct srv_curl *c);

/* ---- WebSub (websub.c) ----------------------------------------------------- */

/* srv__websub_new makes the hub notifier for hub on base; *out is freed
 * with srv__websub_free (NULL ok). */
int srv__websub_new(struct srv_websub **out, struct event_base *base, const char *hub);
void srv__websub_free(struct srv_websub *w);
/* srv__feeds_changed tells subscribers that the feeds showing product_id's
 * reviews changed (its product feed, every category feed above it, the
 * all-reviews feed): queued, deduplicated and sent in batches. Loop thread
 * only; does nothing without a hub. */
void srv__feeds_changed(struct srv *s, const char *product_id);
/* srv__feeds_changed_category is srv__feeds_changed for the feeds of
 * category path and every category above it only: what a product that
 * left path changed there. Loop thread only; NULL or "" does nothing. */
void srv__feeds_changed_category(struct srv *s, const char *path);
/* srv__websub_queue queues one topic URL (copied) for the next batch;
 * srv__websub_say logs one failure line, rate-limited (websub.c). */
/* srv__pct appends s[0..n) percent-encoded as the feeds encode their self
 * links; keep_slash keeps '/' between category segments (websub_topics.c). */
int srv__pct(struct buf *b, const char *s, size_t n, bool keep_slash);
#define SRV_WEBSUB_MAX_URL 4096 /* a topic URL: public_url + encoded ids fit */
void srv__websub_queue(struct srv_websub *w, const char *url);
void srv__websub_say(struct srv_websub *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* srv__websub_metrics appends the notifier's Prometheus lines to b. */
void srv__websub_metrics(const struct srv_websub *w, struct buf *b);

/* ---- pulled sources (poller.c, api_sources.c) ----------------------------- */

/* srv__poller_new starts the source poller on s's loop: a timer wakes it
 * for the earliest due source. Freed with srv__poller_free (NULL ok),
 * which abandons transfers in flight. Loop thread only. */
int srv__poller_new(struct srv *s);
void srv__poller_free(struct srv_poller *p);
/* srv__poller_kick makes the poller look at the stored sources again on
 * the next turn of the loop (a source was added, changed or asked to
 * poll now). NULL p does nothing. */
void srv__poller_kick(struct srv_poller *p);
/* srv__poller_min_interval is the smallest interval a source may have:
 * SOURCE_INTERVAL_MIN, or CHORUS_SOURCE_MIN_INTERVAL (tests). */
uint32_t srv__poller_min_interval(void);
/* srv__poller_metrics appends the poller's Prometheus lines to b. */
void srv__poller_metrics(const struct srv_poller *p, struct buf *b);
void srv__sources_list(struct srv_req *r);
void srv__sources_create(struct srv_req *r);
void srv__source_get(struct srv_req *r);
void srv__source_delete(struct srv_req *r);
void srv__source_poll(struct srv_req *r);

/* ---- address networks (netlist.c) ---------------------------------------------- */

#define SRV__MAX_NETS 32

struct srv__net {
    int family; /* AF_INET or AF_INET6 */
    uint8_t addr[16];
    unsigned prefix; /* bits */
};

struct sockaddr;

/* srv__net_parse reads networks ("10.1.0.0/16", "fd00::/8", a bare address
 * for one host) separated by commas or blanks into out (room for cap).
 * Returns 0 with *n set, or CHORUS_EINVAL for a bad entry or too many. */
int srv__net_parse(const char *text, struct srv__net *out, size_t cap, size_t *n);
/* srv__net_match says whether sa's address is in one of nets (an IPv4
 * network also holds the IPv4-mapped IPv6 form of its addresses). */
bool srv__net_match(const struct srv__net *nets, size_t n, const struct sockaddr *sa);

/* ---- router (router.c) ---------------------------------------------------- */

void srv__dispatch(struct evhttp_request *req, void *arg);

/* ---- vote limits (ratelimit.c) ---------------------------------------------- */

struct srv_ratelimit;
struct srv_ratelimit *srv__ratelimit_new(unsigned per_hour);
void srv__ratelimit_free(struct srv_ratelimit *rl);
/* srv__ratelimit_vote says whether addr may vote on review id now: one vote
 * per address and review per day, and per_hour votes per address. */
bool srv__ratelimit_vote(struct srv_ratelimit *rl, const char *addr, uint64_t id, int64_t now);

#endif
