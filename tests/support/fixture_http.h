/* A feed server for pulled-source tests: the embedded test server
 * (http_server.h) on one numeric address and port 0, so chorusd polls
 * something that is never the network (STYLE.md, Tests).
 *
 * It serves fixed documents and misbehaves on purpose:
 *
 *   /rss.xml        RSS with an ETag and Last-Modified; 304 when asked with the ETag
 *   /odd-rss.xml    the same RSS, its ETag holding bytes that are not UTF-8 and its
 *                   Last-Modified control characters; never 304
 *   /plain-rss.xml  the same RSS, no validators (2 items)
 *   /atom.xml       Atom, one entry about an x1 product and one about nothing
 *   /google.xml     a Google Product Reviews feed (sku g-sku, GTIN 0012345678905)
 *   /items.json     two JSON items about p-json
 *   /synd-rss.xml   RSS of a shop: two items, one of them also in /synd.json
 *   /synd.json      JSON of a partner: that review re-typeset, and one more
 *   /gzip.xml       the RSS, gzip-encoded
 *   /500            an HTTP 500
 *   /loop           a redirect to itself
 *   /bad.xml        RSS cut off in the middle
 *   /big.xml        64 KiB of blanks
 *   /drip           one blank every 300 ms until fixture_end_drip (one at a time)
 *   /redirect?to=U  a 302 to the URL U (as given, percent-decoded)
 *   anything else   404
 *
 * The test thread talks to it only through the functions below, which lock.
 */
#ifndef CHORUS_TEST_FIXTURE_HTTP_H
#define CHORUS_TEST_FIXTURE_HTTP_H

#include <stdbool.h>

struct fixture;

/* What the server has seen so far. */
struct fixture_counts {
    unsigned requests;        /* every request, whatever its path */
    unsigned rss_hits;        /* /rss.xml */
    unsigned rss_conditional; /* of them, with both of the validators it gave */
    char agent[128];          /* the User-Agent of the last /rss.xml request */
    unsigned keyed;           /* requests that carried an X-Api-Key header */
    char key[64];             /* the X-Api-Key of the last of them */
    bool dripping;            /* a /drip reply is in progress */
};

/* fixture_start starts a server on the numeric address addr ("127.0.0.1",
 * "::1", ...), port 0. Returns NULL, reporting nothing, when addr cannot be
 * bound (callers probing for addresses expect that). Stop with fixture_stop;
 * called from the test thread. */
struct fixture *fixture_start(const char *addr);
/* fixture_stop stops the server's thread and frees fx. NULL ok. */
void fixture_stop(struct fixture *fx);
/* fixture_base is "http://ADDR:PORT" (brackets around an IPv6 address),
 * borrowed from fx. */
const char *fixture_base(const struct fixture *fx);
/* fixture_port is the port the server listens on. */
int fixture_port(const struct fixture *fx);
/* fixture_counts copies the counters into out. */
void fixture_counts(struct fixture *fx, struct fixture_counts *out);
/* fixture_requests is fixture_counts' requests. */
unsigned fixture_requests(struct fixture *fx);
/* fixture_wait_drip waits up to five seconds for a /drip reply to start;
 * true when one is in progress. */
bool fixture_wait_drip(struct fixture *fx);
/* fixture_end_drip ends the /drip reply in progress at its next tick (the
 * fixture then frees the request) and waits up to two seconds for that;
 * true when no drip is in progress any more. */
bool fixture_end_drip(struct fixture *fx);

#endif
