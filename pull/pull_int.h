/* Internals of pull/, shared by its files and by nothing else (pull__
 * prefix): libcurl on the event loop (curl_loop.c), the poller's fetch
 * (poller.c) and the connect-time address check (address.c). libcurl's
 * types appear in pull/ only.
 */
#ifndef CHORUS_PULL_INT_H
#define CHORUS_PULL_INT_H

#include <event2/event.h>

#include <curl/curl.h>

#include "chorus/base.h"
#include "chorus/parse.h"
#include "chorus/pull.h"
#include "chorus/store.h"

/* ---- libcurl on the event loop (curl_loop.c) ------------------------------ */

struct pull__curl;

/* pull__curl_new makes a CURLM driven by base (the curl_multi_socket_action
 * pattern) and runs curl_global_init once per process. done is called on
 * the loop for every transfer that finishes, after its handle left the
 * multi; the handle is back in the caller's hands (done cleans it up or
 * reuses it) and done may add or remove transfers, but not free c. Returns
 * CHORUS_ENOMEM when curl cannot start. *out is freed with pull__curl_free.
 * Loop thread only, like everything below. */
int pull__curl_new(struct pull__curl **out, struct event_base *base,
                   void (*done)(void *ctx, CURL *easy, CURLcode result), void *ctx);
/* pull__curl_host_limit caps connections per host (CURLMOPT_MAX_HOST_CONNECTIONS);
 * transfers beyond it wait inside curl for a free connection. */
void pull__curl_host_limit(struct pull__curl *c, unsigned n);
/* pull__curl_easy_new makes an easy handle for url with what every transfer
 * of ours needs: NOSIGNAL, PRIVATE priv, ERRORBUFFER err (CURL_ERROR_SIZE
 * bytes, emptied here, must outlive the handle), the connect and total
 * timeouts, at most max_redirs redirects (0: none followed), http and https
 * only, redirects included. The caller adds its own options (method, body,
 * write callback with a size cap, user agent) and owns the handle (new
 * reference): curl_easy_cleanup. NULL when curl cannot make one. */
CURL *pull__curl_easy_new(const char *url, void *priv, char *err, long connect_ms, long total_ms,
                          long max_redirs);
/* pull__curl_add starts the transfer easy (borrowed until done, or until
 * pull__curl_remove or pull__curl_free); it begins on the next turn of the
 * loop. CHORUS_EINVAL when curl refuses the handle (the caller keeps it). */
int pull__curl_add(struct pull__curl *c, CURL *easy);
/* pull__curl_remove cancels easy's transfer without calling done; the
 * caller may clean easy up afterwards. A handle not in c is ignored. */
void pull__curl_remove(struct pull__curl *c, CURL *easy);
/* pull__curl_running says how many transfers are added and not finished. */
size_t pull__curl_running(const struct pull__curl *c);
/* pull__curl_free cancels every transfer (no done calls: the handles stay
 * the caller's, to clean up after this) and frees the multi, its sockets,
 * events and timer. NULL ok. */
void pull__curl_free(struct pull__curl *c);

/* ---- the poller's fetch (poller.c) and its address check (address.c) ------- */

#define PULL__MAX_HOST 256

/* Where the poller's fetches may connect (address.c applies it). */
struct pull__reach {
    bool allow_private;                     /* anything goes */
    struct pull_net allowed[PULL_MAX_NETS]; /* allow_source_networks */
    size_t n_allowed;
};

/* One poll of one source: a transfer, then a write job. */
struct pull__fetch {
    struct store_job job; /* first: the writer hands the job back */
    struct pull_poller *p;
    const struct pull__reach *reach; /* the poller's */
    struct pull__fetch *next;
    uint64_t id;
    struct source_config *cfg; /* owned copy */
    struct source_state st;    /* the state before, then the state written */
    char host[PULL__MAX_HOST];
    CURL *easy;
    struct curl_slist *headers; /* of the hop in flight (set_request) */
    unsigned hops;              /* redirects followed so far */
    uint64_t deadline_ms;       /* monotonic: when the whole fetch times out */
    struct buf body;
    bool too_big;
    bool refused; /* pull__opensocket refused an address */
    char refused_addr[64];
    char err[CURL_ERROR_SIZE];
    /* the items, for the job */
    struct store_ingest_item *items;
    size_t n, alloc;
    size_t n_seen;
    size_t doc_rejected; /* refused before the job: no product, parse errors */
    size_t dropped;      /* product fields the parser left out (parse_feed_item.dropped) */
    char reasons[SOURCE_MAX_REASONS][SOURCE_REASON_LEN];
    uint32_t n_reasons;
    uint32_t n_parse_reasons; /* of them, from parsing (the job adds after) */
    char status_line[SOURCE_STATUS_LEN];
    bool ok; /* the poll succeeded: reset the backoff */
    /* results of the job's run (overwritten by every run) */
    struct store_ingest_counts counts;
};

/* pull__opensocket is the CURLOPT_OPENSOCKETFUNCTION of every fetch
 * (clientp: the fetch): it refuses the addresses of pull_address_private
 * unless the operator allowed them, noting the refusal in the fetch. */
curl_socket_t pull__opensocket(void *clientp, curlsocktype purpose, struct curl_sockaddr *a);

#endif
