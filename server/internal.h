/* Server internals shared by the files of server/ (srv__ prefix). */
#ifndef CHORUS_SERVER_INTERNAL_H
#define CHORUS_SERVER_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "chorus/base.h"
#include "chorus/feed.h"
#include "chorus/pull.h"
#include "chorus/server.h"
#include "chorus/store.h"

struct srv_job;
struct srv_cache;
struct srv_gfeed;
struct srv_thread;
struct text_taxonomy;

/* The server. Everything here is set up before the serving threads start
 * and read-only after, except what says how it is shared. */
struct srv {
    struct srv_config cfg;
    struct event_base *base; /* thread 0's loop: signals, writer completions, pull/ */
    struct event *sigint_ev, *sigterm_ev, *sighup_ev;
    struct store *store;
    struct srv_keys *keys; /* API keys, their scopes and write buckets (keys.c); replaced
                              on SIGHUP under keys_mu: take it with srv__keys_acquire */
    pthread_mutex_t keys_mu;
    int port;
    struct srv_thread *threads; /* the serving threads (threads.c) */
    size_t n_threads;
    struct store_writer *writer;    /* group commit (store/writer.c); thread-safe */
    struct event *writer_ev;        /* the writer wakes thread 0 with it */
    struct srv_ratelimit *votes;    /* its own lock */
    struct text_taxonomy *taxonomy; /* tags reviews at ingest, themes the digest */
    struct pull_websub *websub;     /* NULL without a configured hub; publish is thread-safe */
    struct srv_cache *cache;        /* rendered pages, sharded locks; NULL when disabled */
    struct pull_poller *poller;     /* pulled sources (pull/poller.c), on thread 0 */
    struct srv_gfeed *gfeed;        /* the Google feed's parts and renderer; its own lock */
    char public_url[512];           /* cfg.public_url, or http://listen:port */
    char widget_csp[2][2048];       /* the widget's CSP: [0] iframe, [1] hosted page */
    char instance[17];              /* the store's instance, hex, for tag: ids */
    struct pull_net trusted[PULL_MAX_NETS]; /* trusted_proxies, parsed */
    size_t n_trusted;
    struct srv_conns *conns; /* open connections per client (conns.c) */
    int access_fd;           /* the access log, or -1 (access.c) */
};

#define SRV_PARAM_MAX 1024 /* raw and decoded route parameters */

/* A request being handled: what the router found and what the handler needs. */
struct srv_req {
    struct srv *srv;
    struct srv_thread *t; /* the serving thread the request arrived on */
    struct evhttp_request *req;
    const char *path;
    char param[SRV_PARAM_MAX]; /* the decoded {id} or {path} of the route */
    struct evkeyvalq query;
    bool query_parsed;
    bool authed;           /* a valid key was sent */
    int key;               /* its index in keys, or -1 */
    struct srv_keys *keys; /* the key set the request was checked against (held) */
    unsigned scopes;       /* its SRV_SCOPE_* bits */
    /* Set by a route whose readers are people, not programs (the widget
     * pages): srv__problem hands it the status and detail instead of
     * sending problem+json, and it must reply. */
    void (*on_problem)(struct srv_req *r, int status, const char *detail);
};

/* ---- writer (writer.c) ---------------------------------------------------- */

/* A write a request makes: the store's job, with the request to answer.
 * apply and reply cast the store_job back to the handler's own struct,
 * which embeds this one first. reply runs on the thread the request arrived
 * on (job.done hands the job over to it) after the commit (commit_rc 0) or
 * its failure, answers, and frees the job. */
struct srv_job {
    struct store_job job; /* first */
    struct srv *srv;
    struct srv_thread *t; /* the thread that owns req */
    struct evhttp_request *req;
    void (*reply)(struct store_job *job, int commit_rc);
};

int srv__writer_start(struct srv *s);
/* srv__writer_stop drains the queue, replies to it and joins the thread;
 * later submits are answered 503 (their done gets CHORUS_EBUSY).
 * srv__writer_cleanup frees the rest. */
void srv__writer_stop(struct srv *s);
void srv__writer_cleanup(struct srv *s);
/* srv__job_init sets up job to answer r with apply and reply (the
 * handler's struct embeds the srv_job first, and they cast back to it). */
void srv__job_init(struct srv_job *job, struct srv_req *r,
                   int (*apply)(struct store_txn *txn, struct store_job *job),
                   void (*reply)(struct store_job *job, int commit_rc));
/* srv__writer_submit queues job (ownership passes to the writer until done). */
void srv__writer_submit(struct srv *s, struct srv_job *job);

/* ---- replies (reply.c) ---------------------------------------------------- */

/* srv__head_only says whether req is a HEAD request and, if so, sets the
 * Content-Length a GET would have had (len); the caller then sends no
 * body. */
bool srv__head_only(struct evhttp_request *req, size_t len);
/* srv__reply sends status with body b (taken: b is emptied) and type. */
void srv__reply(struct srv_req *r, int status, const char *type, struct buf *b);
/* srv__reply_file sends status with the len bytes of file fd (taken:
 * libevent closes it once sent, or here on HEAD or failure), by sendfile
 * where the platform has it: no copy of the file in memory. */
void srv__reply_file(struct srv_req *r, int status, const char *type, int fd, uint64_t len);
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
/* srv__etag_match_cc sets ETag and Cache-Control and answers 304 when the
 * request's If-None-Match matches (weak comparison); true when it replied. */
bool srv__etag_match_cc(struct srv_req *r, const char *etag, const char *cache_control);
/* srv__add_cors adds the CORS headers reads need. */
void srv__add_cors(struct srv *s, struct evhttp_request *req);

/* ---- JSON collections (lists.c) ------------------------------------------- */

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
/* srv__product_document writes product id's JSON document (as GET
 * /api/v1/products/{id} shows it) into b from a fresh read on job's thread:
 * the answer to a write of the catalogue, after its commit. Returns 0,
 * CHORUS_ENOTFOUND or a store error. */
int srv__product_document(struct srv_job *job, const char *id, struct buf *b);
void srv__product_releases_put(struct srv_req *r); /* api_releases.c */
void srv__product_reviews(struct srv_req *r);
/* GET /api/v1/products/{id}/components and GET /api/v1/components?category=
 * (api_components.c, docs/digest.md "Component trends"): as private as the
 * digest, cached like the feeds. */
void srv__product_components(struct srv_req *r);
void srv__components(struct srv_req *r);

/* ---- known issues (api_issues.c) ------------------------------------------------ */

void srv__issues_create(struct srv_req *r);
void srv__issues_list(struct srv_req *r);
void srv__issue_get(struct srv_req *r);
void srv__issue_patch(struct srv_req *r);
void srv__issue_delete(struct srv_req *r);
void srv__issue_reviews(struct srv_req *r);

/* ---- feeds (http_feeds.c, http_google.c, api_tokens.c) ----------------------- */

#define SRV_FEED_MAX_BYTES (32 << 20) /* a rendered feed or digest, at most */

/* srv__site describes this server for the feed writers (strings borrowed
 * from s). */
void srv__site(struct srv *s, struct feed_site *out);
void srv__feed_product(struct srv_req *r);
void srv__feed_category(struct srv_req *r);
void srv__feed_all(struct srv_req *r);
void srv__feed_digest(struct srv_req *r);
/* srv__digest_access says whether r may read what the digest shows: the
 * digest is public (digest_access), or r carries an API key, or token is a
 * live reader token. Otherwise it answers 401 (no token) or 403, ending the
 * read transaction the route began, and returns false. what names the page
 * in the 401. */
bool srv__digest_access(struct srv_req *r, const char *token, const char *what);
void srv__feed_google(struct srv_req *r);
void srv__feed_google_part(struct srv_req *r);
void srv__feed_google_index(struct srv_req *r);
void srv__tokens_list(struct srv_req *r);
void srv__tokens_create(struct srv_req *r);
void srv__tokens_delete(struct srv_req *r);

/* ---- the Google feed's parts (google_parts.c) ---------------------------------- */

/* One rendered part: a file of the data folder's google-feed/ folder. */
struct srv_gfeed_part {
    uint64_t bytes;   /* the file's size */
    uint64_t reviews; /* the reviews it holds */
    uint64_t hash;    /* FNV-1a of its bytes: the ETag */
    int64_t updated;  /* when these bytes were first rendered */
};

/* A complete set of parts, immutable once published: requests hold a
 * reference (srv__gfeed_acquire) while they open a part's file, so the
 * renderer's successor set removes these files only after the last one. */
struct srv_gfeed_index {
    _Atomic unsigned refs;
    const char *dir; /* the folder of the files, borrowed from the renderer */
    uint64_t generation;
    size_t n;
    struct srv_gfeed_part *parts;
    struct buf json; /* GET /feeds/google-reviews/index.json's body */
    char json_etag[24];
    bool obsolete; /* replaced: its files go with its last reference */
};

/* srv__gfeed_start loads the parts a previous run left in
 * DATA/google-feed/ and starts the renderer thread, which renders at once
 * when they are missing or do not show the store as it is now (another
 * version, another instance, other settings), and later when
 * srv__gfeed_changed says so. Returns 0 or CHORUS_EIO (the folder cannot
 * be made) with a sentence in errbuf. */
int srv__gfeed_start(struct srv *s, char *errbuf, size_t errlen);
/* srv__gfeed_stop stops the renderer (a render in progress gives up; the
 * parts already published stay) and frees everything. NULL s->gfeed ok. */
void srv__gfeed_stop(struct srv *s);
/* srv__gfeed_changed says approved reviews or products may have changed:
 * the renderer runs google_feed_debounce_ms after the last such call, and
 * at most google_feed_max_delay_ms after the first one since its last
 * render. Cheap (a lock and a signal); any thread. */
void srv__gfeed_changed(struct srv *s);
/* srv__gfeed_acquire returns a reference to the current parts (release
 * with srv__gfeed_release), or NULL before the first render is done. Any
 * thread. */
struct srv_gfeed_index *srv__gfeed_acquire(struct srv *s);
void srv__gfeed_release(struct srv_gfeed_index *idx);
/* srv__gfeed_open opens part n (1-based, at most idx->n) of idx for
 * reading into *fd (the caller's). Returns 0 or CHORUS_EIO. */
int srv__gfeed_open(const struct srv_gfeed_index *idx, size_t n, int *fd);
/* srv__gfeed_metrics appends the renderer's counters to b. */
void srv__gfeed_metrics(struct srv *s, struct buf *b);

/* ---- dashboard (http_dashboard.c) ---------------------------------------------------- */

/* srv__dashboard serves GET /dashboard?category=&sort=&token= (docs/dashboard.md):
 * as private as the digest, cached like the feeds. */
void srv__dashboard(struct srv_req *r);

/* ---- widget (http_widget.c) ------------------------------------------------------------ */

/* GET /widget/embed.js and /widget/widget.css: the web/ assets, the script
 * with the UI strings of every language put in at its CHORUS_I18N marker;
 * built on first use and kept for the life of the process. */
void srv__widget_js(struct srv_req *r);
void srv__widget_css(struct srv_req *r);
/* GET /widget/{id}.html (the iframe embed) and /p/{id} (the hosted page):
 * the server-rendered widget, docs/widget.md. srv__widget_setup makes what
 * every page of one server repeats (the Content-Security-Policy), once the
 * public URL is known. */
void srv__widget_setup(struct srv *s);
void srv__widget_html(struct srv_req *r);
void srv__widget_page(struct srv_req *r);

/* ---- cached pages (page.c) ------------------------------------------------------- */

/* A rendered GET, as its route describes it to srv__page: what it shows,
 * how it is cached and validated, how it renders. */
struct srv_page {
    const char *key;    /* the normalised request (the route's name, then its parsed
                           parameters, values with their length in front): with
                           version and cursor it decides the bytes, and it is the
                           cache key and the hash in the ETag */
    const char *cursor; /* the page's position, or NULL for a first page */
    bool cacheable;     /* a first page may be cached and revalidated without a
                           render (no parameter a client can vary without bound) */
    uint64_t version;   /* the aggregate version of the scope the page shows */
    int64_t modified;   /* Last-Modified, or its floor; 0 = from the render */
    bool last_modified; /* send Last-Modified, honour If-Modified-Since */
    bool private;       /* Cache-Control: private (a key or token opened it) */
    bool cors;          /* a public read: CORS headers on the reply */
    const char *type;   /* Content-Type, a static string */
    size_t max_bytes;   /* the render's cap */
    const char *what;   /* "feed", "widget" ...: names the page in errors */
    const char *narrow; /* how to make an over-size page smaller, for the 413 */
    /* render writes the page into b from the route's read transaction;
     * *modified (when it knows) gets the page's own time. */
    int (*render)(struct srv_req *r, void *ctx, struct buf *b, int64_t *modified);
    /* fail answers a render error; NULL: srv__page_fail. */
    void (*fail)(struct srv_req *r, const struct srv_page *pg, int rc);
    void *ctx;
};

/* srv__page answers r with pg: from the cache, with a 304, or rendered.
 * The route has begun its read transaction (srv__read_begin); srv__page
 * ends it before replying. */
void srv__page(struct srv_req *r, const struct srv_page *pg);
/* srv__page_scope reads the aggregate of the scope a page shows into *st,
 * in the read transaction the route began; false when it answered instead
 * (404 naming the product or category, or the store's error) and ended the
 * transaction. Pages are public: a product that is not listed yet
 * (store_scope_public) is a 404 like a missing one. */
bool srv__page_scope(struct srv_req *r, enum store_scope scope, const char *id,
                     struct review_stats *st);
/* srv__page_fail answers a render error the usual way: 404, 400 for a bad
 * cursor, 413 naming pg->narrow, or the status of srv__status_of. */
void srv__page_fail(struct srv_req *r, const struct srv_page *pg, int rc);
/* srv__key_part appends a value to a page key with its length in front, so
 * no value can run into the next part whatever bytes it holds. */
void srv__key_part(struct buf *k, const char *v);

/* ---- rendered-response cache (cache.c) ------------------------------------------ */

/* What a cached page's reply needs besides its body. */
struct srv_cached {
    uint64_t version; /* the scope's version the page shows */
    int64_t modified; /* Last-Modified */
    char etag[80];
    const char *type; /* a static string */
};

struct srv_blob; /* a rendered page: immutable, reference-counted */

enum srv_cache_state {
    SRV_CACHE_HIT,    /* *out is the page of that version */
    SRV_CACHE_STALE,  /* another thread renders that version; *out is the previous one */
    SRV_CACHE_RENDER, /* render it, then srv__cache_fill or srv__cache_abandon */
    SRV_CACHE_MISS,   /* render it; srv__cache_fill may keep it, nobody waits for it */
};

/* srv__cache_new makes a cache holding at most max_bytes (in shards, each
 * with its own lock); free with srv__cache_free (NULL ok). */
struct srv_cache *srv__cache_new(size_t max_bytes);
void srv__cache_free(struct srv_cache *c);
/* srv__cache_lookup looks key up at version (see enum srv_cache_state).
 * On HIT and STALE, *out is a reference the caller passes to
 * srv__cache_reply or drops with srv__cache_release. When another thread
 * renders the version and no older page exists, it waits for that render
 * (up to 10 seconds, then MISS). A NULL cache is always MISS. Any thread. */
enum srv_cache_state srv__cache_lookup(struct srv_cache *c, const char *key, uint64_t version,
                                       const struct srv_blob **out);
/* srv__cache_fill keeps a copy of body under key with meta (unless it is
 * over the page cap or older than what is kept) and ends a render of
 * meta->version marked by srv__cache_lookup; srv__cache_abandon ends it
 * without a page (the render failed, or a 304 made it needless). Waiters
 * wake either way. Any thread. */
void srv__cache_fill(struct srv_cache *c, const char *key, const struct srv_cached *meta,
                     const struct buf *body);
void srv__cache_abandon(struct srv_cache *c, const char *key, uint64_t version);
/* srv__cache_meta gives a page's metadata (borrowed with the reference). */
const struct srv_cached *srv__cache_meta(const struct srv_blob *b);
/* srv__cache_reply sends b's body with status without copying it, taking
 * the caller's reference: libevent drops it once the bytes are written. */
void srv__cache_reply(struct srv_req *r, int status, const struct srv_blob *b);
/* srv__cache_release drops a reference from srv__cache_lookup. NULL ok. */
void srv__cache_release(const struct srv_blob *b);
/* srv__cache_metrics appends hits, misses, stale serves, render waits,
 * entries and bytes to b. */
void srv__cache_metrics(struct srv_cache *c, struct buf *b);

/* ---- WebSub topics (notify.c) --------------------------------------------- */

/* srv__feeds_changed tells subscribers that the feeds showing product_id's
 * reviews changed (its product feed, every category feed above it, the
 * all-reviews feed): queued, deduplicated and sent in batches by the
 * publisher; and tells the Google feed's renderer (srv__gfeed_changed).
 * Runs on serving thread t (it reads the product's category in t's
 * transaction, which must be free); pings nothing without a hub. */
void srv__feeds_changed(struct srv_thread *t, const char *product_id);
/* srv__feeds_changed_category is srv__feeds_changed for the feeds of
 * category path and every category above it only: what a product that
 * left path changed there. NULL or "" does nothing. */
void srv__feeds_changed_category(struct srv_thread *t, const char *path);

/* ---- pulled sources (api_sources.c; the poller is pull/poller.c) ---------- */

void srv__sources_list(struct srv_req *r);
void srv__sources_create(struct srv_req *r);
void srv__source_get(struct srv_req *r);
void srv__source_delete(struct srv_req *r);
void srv__source_poll(struct srv_req *r);

/* ---- API keys (keys.c) ---------------------------------------------------- */

/* What a key may do. A write route names the scope it needs. */
#define SRV_SCOPE_INGEST    1u /* post reviews */
#define SRV_SCOPE_MODERATE  2u /* moderate, respond, read the moderation queue */
#define SRV_SCOPE_CATALOGUE 4u /* change products */
#define SRV_SCOPE_ADMIN     8u /* sources, reader tokens, deletes */
#define SRV_SCOPE_ALL       15u

struct srv_keys;
/* srv__keys_load reads CHORUS_API_KEYS and c->api_keys_file into *out (free
 * with srv__keys_free; set only on success, errors described in errbuf). */
int srv__keys_load(struct srv_keys **out, const struct srv_config *c, char *errbuf, size_t errlen);
void srv__keys_free(struct srv_keys *k);
size_t srv__keys_count(const struct srv_keys *k);
/* srv__keys_match returns the index of the key equal to h (n bytes) and
 * sets its scopes, or -1. Constant time in what matched. */
int srv__keys_match(const struct srv_keys *k, const char *h, size_t n, unsigned *scopes);
/* srv__keys_charge_write takes one write from key i's bucket: 0 when it may
 * write now, else the whole seconds until it may (Retry-After). */
unsigned srv__keys_charge_write(struct srv_keys *k, int i, int64_t now_ms);
/* srv__keys_acquire returns the server's current key set with a reference
 * for the caller (srv__keys_release; NULL ok). Any thread. */
struct srv_keys *srv__keys_acquire(struct srv *s);
void srv__keys_release(struct srv_keys *k);
/* srv__keys_reload loads the keys again and makes them current (SIGHUP); on
 * an error the old keys stay and errbuf says why. */
int srv__keys_reload(struct srv *s, char *errbuf, size_t errlen);
/* srv__scope_name names the lowest scope bit set ("catalogue"). */
const char *srv__scope_name(unsigned scope);
/* srv__has_scope says whether the request's key has every bit of scope. */
bool srv__has_scope(const struct srv_req *r, unsigned scope);

/* ---- clients (client.c) --------------------------------------------------- */

#define SRV_CLIENT_MAX 64 /* "2001:db8:85a3:8d3:1319:8a2e:370:7348/64" fits */

/* srv__client_init parses cfg.trusted_proxies into s->trusted. */
int srv__client_init(struct srv *s, char *errbuf, size_t errlen);
/* srv__peer_trusted says whether sa is one of trusted_proxies. */
bool srv__peer_trusted(const struct srv *s, const struct sockaddr *sa);
/* srv__client_name writes the client an address stands for: the address,
 * or for IPv6 its /64 ("2001:db8:1:2::/64"); "" for other families. */
void srv__client_name(const struct sockaddr *sa, char out[SRV_CLIENT_MAX]);
/* srv__client writes the client of r: the TCP peer or, from a trusted
 * proxy, the right-most untrusted address of X-Forwarded-For (else
 * Forwarded's for=), as srv__client_name writes it. */
void srv__client(struct srv_req *r, char out[SRV_CLIENT_MAX]);

/* ---- connections (conns.c) ------------------------------------------------- */

struct bufferevent;
struct srv_conns;
struct srv_conns *srv__conns_new(void);
void srv__conns_free(struct srv_conns *c);
/* srv__conns_thread_init sets up t's part (t->base exists). */
int srv__conns_thread_init(struct srv_thread *t);
/* srv__conns_thread_free lets go of t's connections; after evhttp_free. */
void srv__conns_thread_free(struct srv_thread *t);
/* srv__conns_accepted takes note of a new connection's bufferevent (from
 * the evhttp bufferevent callback, on t's loop). */
void srv__conns_accepted(struct srv_thread *t, struct bufferevent *bev);
/* srv__conns_request hooks the close of req's connection (each request). */
void srv__conns_request(struct srv_thread *t, struct evhttp_request *req);
void srv__conns_metrics(const struct srv *s, size_t *open, uint64_t *refused_total,
                        uint64_t *refused_client);

/* ---- access log (access.c) --------------------------------------------------- */

struct srv_route;

/* srv__access_open opens cfg.access_log (access_fd -1 when off). */
int srv__access_open(struct srv *s, char *errbuf, size_t errlen);
/* srv__access_reopen opens the file again over the same descriptor (SIGHUP). */
void srv__access_reopen(struct srv *s);
void srv__access_close(struct srv *s);
/* srv__access_begin notes what r's accounting (stats.c) and log line need
 * from its start: the time, the route (NULL: none matched), the client and
 * path when the log is on. */
void srv__access_begin(struct srv_req *r, const char *method, const struct srv_route *route);
/* srv__access_end ends r's dispatch: a request not answered yet (a write
 * waiting for its batch, a page waiting for its renderer) keeps its entry
 * until srv__send; one heap copy then, none for a reply sent at once. */
void srv__access_end(struct srv_req *r);
/* srv__access_cache notes whether r was served from the page cache. */
void srv__access_cache(struct srv_req *r, bool hit);
/* srv__send sends req's reply (evhttp_send_reply), counts it (stats.c) and
 * logs it: every reply goes out through here. On req's serving thread. */
void srv__send(struct srv *s, struct evhttp_request *req, int status);
void srv__access_thread_free(struct srv_thread *t);
/* ---- request statistics (stats.c) ------------------------------------------ */

/* srv__stats_new allocates t's per-route counters (freed by
 * srv__stats_free); CHORUS_ENOMEM. */
int srv__stats_new(struct srv_thread *t);
void srv__stats_free(struct srv_thread *t);
/* srv__stats_count counts one reply of route (srv__route_index) on t:
 * status, microseconds since it began, page cache hit (1), miss (0) or not
 * a cached page (-1). Only t's own thread calls it, so a counter has one
 * writer and a scrape from any thread reads it whole. */
void srv__stats_count(struct srv_thread *t, unsigned route, int status, int64_t us, int cache);
/* srv__stats_metrics appends the request counts by route and status, the
 * latency histograms and the page cache's hits and misses by route, summed
 * over the serving threads, to b. Any thread. */
void srv__stats_metrics(const struct srv *s, struct buf *b);
/* srv__thread_self is the serving thread running the caller, or NULL. */
struct srv_thread *srv__thread_self(void);

/* ---- router (router.c) ---------------------------------------------------- */

/* A route of the one route table: a method, a path template and its
 * handler. In the template "{id}" stands for one segment and "{path}" for
 * the rest of the path, slashes included; either may be followed by a
 * literal suffix such as ".atom", which is not part of the parameter. */
/* The body a route takes, by the cap on its size (checked before any
 * handler reads it): small JSON documents (max_small_body_bytes, the
 * default), a vote (max_vote_body_bytes), a release list
 * (max_releases_body_bytes) or reviews in bulk
 * (max_body_bytes, which evhttp enforces while reading). */
enum srv_body { SRV_BODY_SMALL, SRV_BODY_VOTE, SRV_BODY_BULK, SRV_BODY_RELEASES };

struct srv_route {
    enum evhttp_cmd_type method;
    const char *path;
    void (*fn)(struct srv_req *r);
    unsigned scope;     /* the SRV_SCOPE_* a key needs for it; 0 = none needed */
    enum srv_body body; /* the body it takes: what caps its size */
};

/* srv__route_find matches method m (HEAD is served by GET routes) and a raw,
 * still percent-encoded path against the route table and returns the
 * route (static), or NULL. The route's parameter goes into param (cap
 * bytes) percent-decoded; a parameter that is empty, decodes to cap bytes
 * or more, or holds a NUL or invalid UTF-8 matches nothing. When no route
 * has m, allow (allow_cap > 0 bytes) lists the methods of the routes that
 * match the path ("GET, DELETE": a 405, or the answer to a preflight), ""
 * when none does (a 404). Pure, any thread. */
const struct srv_route *srv__route_find(enum evhttp_cmd_type m, const char *path, char *param,
                                        size_t cap, char *allow, size_t allow_cap);
/* srv__route_count is the number of routes; srv__route_index is route's
 * place in the table, srv__route_count() for NULL (nothing matched: a 404,
 * a 405, a preflight); srv__route_label writes route i's method and path
 * template ("GET", "/p/{id}"; "", "unmatched" past the table). Any thread. */
size_t srv__route_count(void);
unsigned srv__route_index(const struct srv_route *route);
void srv__route_label(unsigned i, const char **method, const char **path);
/* srv__dispatch is the evhttp_set_gencb callback of a serving thread (arg):
 * routes req, answers 404, 405 and OPTIONS itself, checks credentials and
 * runs the handler. */
void srv__dispatch(struct evhttp_request *req, void *arg);

/* ---- serving threads (threads.c) ------------------------------------------- */

/* One serving thread: its own loop and evhttp on the listening address,
 * its own read transaction, and an inbox through which other threads hand
 * it what must run on it (the reply to a write that committed). Thread 0
 * is the main thread and also runs s->base's other work. */
/* What a request's accounting needs from its start until its reply
 * (access.c). */
#define SRV_PATH_LOGGED 1024
struct srv_inflight {
    struct evhttp_request *req; /* NULL: the slot is free */
    int64_t start_us;           /* CLOCK_MONOTONIC */
    const char *method;
    unsigned route; /* srv__route_index */
    int cache;      /* -1 not a cacheable page, 0 miss, 1 hit */
    bool logged;    /* client and path were filled (access log on) */
    char client[SRV_CLIENT_MAX];
    char path[SRV_PATH_LOGGED];
};

struct srv_thread {
    struct srv *srv;
    unsigned index;
    pthread_t tid;
    bool running; /* a thread of its own was started (index > 0) */
    struct event_base *base;
    struct evhttp *http;
    struct store_txn *rtxn; /* renewed per request, reset before the reply */
    struct event *inbox_ev;
    pthread_mutex_t inbox_lock;
    struct srv_job *inbox; /* reversed: newest first */
    _Atomic uint64_t requests;
    struct buf scratch[2];      /* a request's page key and widget link: kept, so a hit
                                   allocates none (srv__scratch) */
    struct chorus_map conns;    /* bufferevent -> its connection (conns.c) */
    struct bufferevent **fresh; /* accepted, not yet looked at */
    size_t n_fresh, cap_fresh;
    struct event *admit_ev, *sweep_ev;
    struct srv_inflight cur;       /* the request being dispatched: no allocation when it is
                                      answered before srv__dispatch returns */
    struct chorus_map access;      /* request -> its heap srv_inflight, until replied */
    struct srv_route_stats *stats; /* srv__route_count() + 1 entries (stats.c) */
};

/* srv__base_new makes an event loop for a serving thread (thread 0's is
 * s->base). NULL when libevent cannot. */
struct event_base *srv__base_new(const struct srv_config *c);
/* srv__threads_new makes the serving threads of s (cfg.threads, or one per
 * online CPU) with their loops, evhttps and listening sockets, bound to
 * cfg.listen (SO_REUSEPORT sockets, or one shared socket); s->port gets the
 * port bound. Nothing runs yet. A sentence goes to errbuf. */
int srv__threads_new(struct srv *s, char *errbuf, size_t errlen);
/* srv__threads_run starts threads 1.. and runs thread 0's loop on the
 * calling thread until srv__threads_stop, then joins the others. */
int srv__threads_run(struct srv *s);
/* srv__threads_stop asks every loop to exit after delay (replies in flight
 * leave meanwhile). Any thread. */
void srv__threads_stop(struct srv *s, const struct timeval *delay);
/* srv__threads_free frees what srv__threads_new made (threads joined).
 * Connections still open are closed. */
void srv__threads_free(struct srv *s);
/* srv__scratch returns scratch buffer i (0 or 1) of r's thread, emptied:
 * for what a request builds and drops before its reply (page keys). */
struct buf *srv__scratch(struct srv_req *r, unsigned i);
/* srv__thread_post hands job to thread t, whose loop calls job->reply; a
 * job for the calling thread is replied to at once. Any thread. */
void srv__thread_post(struct srv_thread *t, struct srv_job *job);

/* ---- vote limits (ratelimit.c) ---------------------------------------------- */

struct srv_ratelimit;
struct srv_ratelimit *srv__ratelimit_new(unsigned per_hour);
void srv__ratelimit_free(struct srv_ratelimit *rl);
/* srv__ratelimit_vote says whether client (srv__client) may vote on review
 * id now, and counts the vote when it may: one vote per client and review
 * per day, and per_hour votes per client. */
bool srv__ratelimit_vote(struct srv_ratelimit *rl, const char *client, uint64_t id, int64_t now);

#endif
