/* GET /feeds/google-reviews/index.json, /feeds/google-reviews/{n}.xml and
 * /feeds/google-reviews.xml (part 1): the Google Product Reviews feed, in
 * parts of at most google_feed_part_bytes (docs/feeds.md).
 *
 * The parts are files the renderer (google_parts.c) wrote; a request takes
 * a reference to the current set, opens its part and hands the file to
 * libevent, which sends it by sendfile. No request reads the store or
 * holds a part in memory, and the ETag is the part's content hash, so a
 * part that did not change between renders is still a 304.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"

#define GOOGLE_TYPE "application/xml; charset=utf-8"
/* Google fetches on its own schedule, and the parts change only when the
 * renderer publishes new ones: five minutes in a cache in front costs
 * little freshness. */
#define GOOGLE_CC "public, max-age=300"
/* Before the first render is published: when to ask again. */
#define RETRY_AFTER "5"

/* acquire returns the current parts, or answers 503 and returns NULL while
 * the first render is still running. */
static struct srv_gfeed_index *acquire(struct srv_req *r)
{
    static const char *const allowed[] = {NULL};
    struct srv_gfeed_index *idx;

    if (!srv__query_check(r, allowed))
        return NULL;
    idx = srv__gfeed_acquire(r->srv);
    if (!idx) {
        evhttp_add_header(evhttp_request_get_output_headers(r->req), "Retry-After", RETRY_AFTER);
        srv__problem(r, 503,
                     "The Google reviews feed is being rendered for the first time; try again "
                     "in a few seconds.");
    }
    return idx;
}

/* part answers with part n (1-based) of the current set. */
static void part(struct srv_req *r, size_t n)
{
    struct srv_gfeed_index *idx = acquire(r);
    char etag[24];
    int fd = -1, rc;

    if (!idx)
        return;
    if (n < 1 || n > idx->n) {
        srv__problem(r, 404,
                     "The Google reviews feed has %zu parts; their list is at "
                     "/feeds/google-reviews/index.json.",
                     idx->n);
        goto out;
    }
    snprintf(etag, sizeof(etag), "\"%016llx\"", (unsigned long long)idx->parts[n - 1].hash);
    if (srv__etag_match_cc(r, etag, GOOGLE_CC))
        goto out;
    srv__add_cors(r->srv, r->req);
    rc = srv__gfeed_open(idx, n, &fd);
    if (rc) {
        srv__problem(r, 500, "Part %zu of the Google reviews feed cannot be read: %s.", n,
                     chorus_strerror(rc));
        goto out;
    }
    srv__reply_file(r, 200, GOOGLE_TYPE, fd, idx->parts[n - 1].bytes);
out:
    srv__gfeed_release(idx);
}

void srv__feed_google(struct srv_req *r)
{
    part(r, 1);
}

void srv__feed_google_part(struct srv_req *r)
{
    const char *p = r->param;
    size_t n = 0;

    /* A decimal number without leading zeros: one URL per part. */
    if (*p == '0' || strlen(p) > 9)
        p = "";
    for (; *p >= '0' && *p <= '9'; p++)
        n = n * 10 + (size_t)(*p - '0');
    part(r, *p ? 0 : n);
}

void srv__feed_google_index(struct srv_req *r)
{
    struct srv_gfeed_index *idx = acquire(r);
    struct buf b;

    if (!idx)
        return;
    if (!srv__etag_match_cc(r, idx->json_etag, GOOGLE_CC)) {
        srv__add_cors(r->srv, r->req);
        buf_init(&b, 0);
        buf_append(&b, idx->json.data, idx->json.len);
        srv__reply(r, 200, "application/json", &b);
        buf_cleanup(&b);
    }
    srv__gfeed_release(idx);
}
