/* Chorus pull: outbound HTTP. The source poller (fetches every pulled
 * source when it is due, parses the document with parsers/ and stores the
 * items through the store's ingest path), the address rules that keep those
 * fetches off private networks, and the WebSub publisher that tells a hub
 * which feeds changed.
 *
 * Everything runs on one libevent loop the caller owns (libcurl's multi
 * interface driven by it): a slow or dead remote costs a socket and a
 * timer, never the loop's time. libcurl's types stay inside pull/; the
 * caller sees an opaque struct event_base only. Loop thread only, unless a
 * function says otherwise (the base must be made with libevent's pthreads
 * support for those).
 */
#ifndef CHORUS_PULL_H
#define CHORUS_PULL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "chorus/base.h"

struct event_base;
struct sockaddr;
struct store;
struct store_job;

/* ---- the source poller (poller.c) --------------------------------------------- */

struct pull_poller;

struct pull_poller_config {
    struct event_base *base;    /* the loop the poller runs on */
    struct store *store;        /* where sources and their poll state live */
    size_t max_bytes;           /* a fetched document, at most (source_max_bytes) */
    bool allow_private;         /* fetch from private and loopback addresses too */
    const char *allow_networks; /* exceptions to the private rule ("" = none), as
                                   pull_net_parse reads them; checked before */
    /* submit hands a write job to the group-commit writer, whose done must
     * run on base's loop. Non-zero (the writer is draining) leaves the job
     * to the poller, which drops that poll. */
    int (*submit)(void *ctx, struct store_job *job);
    /* changed tells the owner, after the commit, that a poll changed what
     * product_id's public reviews show. */
    void (*changed)(void *ctx, const char *product_id);
    void *ctx;
};

/* pull_poller_start starts the poller on cfg->base (strings of cfg are
 * copied): a timer wakes it for the earliest due source, and each due
 * source is fetched (8 at a time, 2 per host; connect and total timeouts;
 * 5 redirects; gzip; conditional GET), parsed, and stored with its new poll
 * state in one write job. *out is freed with pull_poller_free. */
int pull_poller_start(struct pull_poller **out, const struct pull_poller_config *cfg);
/* pull_poller_kick makes the poller read the stored sources again on the
 * next turn of the loop (one was added, changed or asked to poll now).
 * NULL does nothing. Any thread. */
void pull_poller_kick(struct pull_poller *p);
/* pull_poller_stop starts nothing new from now on: for a server that is
 * draining its writes. Transfers in flight end, their polls are dropped. */
void pull_poller_stop(struct pull_poller *p);
/* pull_poller_free abandons transfers in flight and frees p; jobs already
 * with the writer must have been answered (the writer stopped) before.
 * NULL ok. */
void pull_poller_free(struct pull_poller *p);
/* pull_poller_metrics appends the poller's Prometheus lines to b. Any
 * thread. */
void pull_poller_metrics(const struct pull_poller *p, struct buf *b);
/* pull_min_interval is the smallest interval a source may have:
 * SOURCE_INTERVAL_MIN, or CHORUS_SOURCE_MIN_INTERVAL when lower (tests).
 * Any thread. */
uint32_t pull_min_interval(void);

/* ---- address rules (address.c) ------------------------------------------------- */

#define PULL_MAX_NETS 32

/* One network of an operator's list. */
struct pull_net {
    int family; /* AF_INET or AF_INET6 */
    uint8_t addr[16];
    unsigned prefix; /* bits */
};

/* pull_net_parse reads networks ("10.1.0.0/16", "fd00::/8", a bare address
 * for one host) separated by commas or blanks into out (room for cap).
 * Returns 0 with *n set, or CHORUS_EINVAL for a bad entry or too many. Any
 * thread. */
int pull_net_parse(const char *text, struct pull_net *out, size_t cap, size_t *n);
/* pull_net_match says whether sa's address is in one of nets (an IPv4
 * network also holds the IPv4-mapped IPv6 form of its addresses). */
bool pull_net_match(const struct pull_net *nets, size_t n, const struct sockaddr *sa);
/* pull_address_private says whether a fetch may not connect to sa unless
 * the operator allows it: loopback, private, link-local, carrier NAT,
 * special-use, documentation, benchmarking, multicast and reserved
 * networks, IPv6 forms wrapping IPv4 (mapped, compatible, 6to4, NAT64,
 * Teredo), and anything that is not IPv4 or IPv6. Any thread. */
bool pull_address_private(const struct sockaddr *sa);

/* ---- WebSub publisher (websub.c) ------------------------------------------------ */

struct pull_websub;

/* pull_websub_new makes the publisher for hub on base; *out is freed with
 * pull_websub_free (NULL ok), which drops what is still queued. */
int pull_websub_new(struct pull_websub **out, struct event_base *base, const char *hub);
void pull_websub_free(struct pull_websub *w);
/* pull_websub_publish queues topic url (copied) for the next batch: topics
 * are deduplicated, sent a second after the first change, at most 4 at a
 * time, and retried with backoff and jitter (8 attempts). Any thread: a
 * topic from another thread goes through a locked inbox the loop drains. */
void pull_websub_publish(struct pull_websub *w, const char *url);
/* pull_websub_warn logs one line about the publisher's work, rate-limited
 * to a few a minute. Any thread. */
void pull_websub_warn(struct pull_websub *w, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* pull_websub_metrics appends the publisher's Prometheus lines to b. Any
 * thread. */
void pull_websub_metrics(const struct pull_websub *w, struct buf *b);

#endif
