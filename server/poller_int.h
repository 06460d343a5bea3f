/* Internals of the source poller, shared by its files and by nothing else:
 * poller.c (the scan, the transfers, lifecycle), poller_items.c (parsing the
 * items and the writer job) and poller_net.c (the address check). The rest
 * of server/ sees only the srv__poller_ functions of internal.h.
 */
#ifndef CHORUS_SERVER_POLLER_INT_H
#define CHORUS_SERVER_POLLER_INT_H

#include "internal.h"

#include "chorus/parse.h"
#include "chorus/source.h"

#define SRV__POLLER_MAX_HOST 256

struct srv__poller_fetch;

struct srv_poller {
    struct srv *srv;
    struct srv_curl *curl;
    struct event *timer;
    struct srv__poller_fetch *active; /* transfers in flight, and jobs not yet committed */
    size_t n_active;
    bool allow_private;
    struct srv__net allowed[SRV__MAX_NETS]; /* allow_source_networks */
    size_t n_allowed;
    uint64_t rng;
    /* /metrics */
    uint64_t polls, failures, not_modified, items_added, items_updated, items_merged,
        items_rejected;
};

/* One poll of one source: a transfer, then a writer job. */
struct srv__poller_fetch {
    struct srv_job job; /* first: the writer hands the job back */
    struct srv_poller *p;
    struct srv__poller_fetch *next;
    uint64_t id;
    struct source_config *cfg; /* owned copy */
    struct source_state st;    /* the state before, then the state written */
    char host[SRV__POLLER_MAX_HOST];
    CURL *easy;
    struct curl_slist *headers;
    struct buf body;
    bool too_big;
    bool refused; /* srv__poller_opensocket refused an address */
    char refused_addr[64];
    char err[CURL_ERROR_SIZE];
    /* the items, for the job */
    struct srv__poller_item *items;
    size_t n, alloc;
    size_t n_seen;
    size_t doc_rejected; /* rejected before the job: no product, parse errors */
    char reasons[SOURCE_MAX_REASONS][SOURCE_REASON_LEN];
    uint32_t n_reasons;
    uint32_t n_parse_reasons; /* of them, from parsing (job_apply adds after) */
    char status_line[SOURCE_STATUS_LEN];
    bool ok; /* the poll succeeded: reset the backoff */
    /* results of the job's run (overwritten by every run) */
    uint64_t added, updated, merged, rejected;
};

struct srv__poller_item {
    struct review *review;   /* owned; product_id NULL for the default Google mapping */
    struct product *product; /* what the feed said about the product, or NULL */
    char *asin;
    bool create_product; /* Google default mapping: match or create */
};

/* ---- poller.c ------------------------------------------------------------------ */

/* srv__poller_fetch_free frees f, its transfer and its items; NULL is a no-op.
 * Loop thread. */
void srv__poller_fetch_free(struct srv__poller_fetch *f);
/* srv__poller_fetch_unlink takes f off p's list of active fetches. */
void srv__poller_fetch_unlink(struct srv_poller *p, struct srv__poller_fetch *f);

/* ---- poller_items.c -------------------------------------------------------------- */

/* srv__poller_parse parses f's body into f's items on the loop thread. It
 * returns 0, CHORUS_ESTOP when the document held more items than one poll
 * takes (those taken are kept), or another negative code with the details
 * in *perr (cleared first) when the document cannot be read. */
int srv__poller_parse(struct srv__poller_fetch *f, struct parse_error *perr);
/* srv__poller_job_submit hands f to the writer, which steals it: its job
 * stores the items and the source's new state, and its done callback frees
 * f on the loop. */
void srv__poller_job_submit(struct srv__poller_fetch *f);

/* ---- poller_net.c ---------------------------------------------------------------- */

/* srv__poller_opensocket is the CURLOPT_OPENSOCKETFUNCTION of every fetch
 * (clientp: the fetch): it refuses loopback, private, link-local,
 * unspecified and multicast addresses unless the operator allowed them,
 * noting the refusal in the fetch. */
curl_socket_t srv__poller_opensocket(void *clientp, curlsocktype purpose, struct curl_sockaddr *a);

#endif
