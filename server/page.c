/* Cached pages: the one path every rendered GET takes (feeds, the digest,
 * the widget, the dashboard, product JSON and listings).
 *
 * A route reads the version of what its page shows (store_scope_stats),
 * normalises its request into a key, and hands both here with a render
 * function. This file owns the rest: the ETag (one format for every page:
 * the data folder's instance, the version and a hash of the key), the 304
 * before rendering when the key and version decide the page, the rendered
 * response cache, Last-Modified where a route asks for it, and the mapping
 * of render errors to problem documents.
 *
 * Only first pages are cached: cursors are open-ended, and caching each
 * would let anyone flush the cache with made-up positions; a page behind a
 * cursor renders first, so a bad cursor is a 400 even with a matching
 * validator.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* ---- validators ------------------------------------------------------------------- */

static void http_date(int64_t t, char *out, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(out, cap, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* parse_http_date reads the IMF-fixdate of RFC 9110 ("Sun, 06 Nov 1994
 * 08:49:37 GMT"); the obsolete forms are not worth a 304. */
static bool parse_http_date(const char *s, int64_t *out)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    static const int at[5] = {5, 12, 17, 20, 23};
    static const int len[5] = {2, 4, 2, 2, 2};
    struct tm tm;
    const char *m;
    int v[5];

    if (strlen(s) != 29 || s[3] != ',' || strcmp(s + 25, " GMT") != 0)
        return false;
    for (int i = 0; i < 5; i++) {
        v[i] = 0;
        for (int k = 0; k < len[i]; k++) {
            char c = s[at[i] + k];

            if (c < '0' || c > '9')
                return false;
            v[i] = v[i] * 10 + (c - '0');
        }
    }
    m = strstr(months, (char[4]){s[8], s[9], s[10], '\0'});
    if (!m || (m - months) % 3 != 0)
        return false;
    memset(&tm, 0, sizeof(tm));
    tm.tm_mday = v[0];
    tm.tm_mon = (int)((m - months) / 3);
    tm.tm_year = v[1] - 1900;
    tm.tm_hour = v[2];
    tm.tm_min = v[3];
    tm.tm_sec = v[4];
    *out = (int64_t)timegm(&tm);
    return true;
}

/* not_modified sets the validators and Cache-Control, and answers 304 when
 * the request's match: If-None-Match first, and If-Modified-Since only
 * without it (RFC 9110 13.2.2), for pages that send Last-Modified. */
static bool not_modified(struct srv_req *r, const struct srv_page *pg, const char *etag,
                         int64_t modified)
{
    struct evkeyvalq *in = evhttp_request_get_input_headers(r->req);
    const char *ims = evhttp_find_header(in, "If-Modified-Since");
    char date[64];
    int64_t since;

    if (pg->last_modified) {
        http_date(modified, date, sizeof(date));
        evhttp_add_header(evhttp_request_get_output_headers(r->req), "Last-Modified", date);
    }
    /* Short max-age, then revalidate: a cache in front serves most hits and
     * a new review shows within a minute. A private page (the digest, the
     * dashboard) must not be kept by a shared cache; the reader's own may. */
    if (srv__etag_match_cc(r, etag, pg->private ? "private, max-age=60" : "public, max-age=60"))
        return true;
    if (pg->last_modified && !evhttp_find_header(in, "If-None-Match") && ims &&
        parse_http_date(ims, &since) && modified <= since) {
        srv__add_cors(r->srv, r->req);
        srv__reply(r, 304, NULL, NULL);
        return true;
    }
    return false;
}

/* drop_validators removes what not_modified added, before an error reply. */
static void drop_validators(struct srv_req *r)
{
    struct evkeyvalq *out = evhttp_request_get_output_headers(r->req);

    evhttp_remove_header(out, "ETag");
    evhttp_remove_header(out, "Last-Modified");
    evhttp_remove_header(out, "Cache-Control");
}

/* ---- errors ------------------------------------------------------------------------ */

void srv__page_fail(struct srv_req *r, const struct srv_page *pg, int rc)
{
    const char *what = pg->what ? pg->what : "page";

    if (rc == CHORUS_ENOTFOUND)
        srv__problem(r, 404, "There is no such product or category.");
    else if (rc == CHORUS_EINVAL)
        srv__problem(r, 400, "The cursor is not one this %s gave out.", what);
    else if (rc == CHORUS_ETOOBIG)
        srv__problem(r, 413, "This %s would be larger than %zu MiB; %s.", what, pg->max_bytes >> 20,
                     pg->narrow ? pg->narrow : "ask for fewer reviews");
    else
        srv__problem(r, srv__status_of(rc), "The %s could not be rendered: %s.", what,
                     chorus_strerror(rc));
}

/* ---- the page ------------------------------------------------------------------------ */

/* serve answers with a page from the cache (a reference, taken). */
static void serve(struct srv_req *r, const struct srv_page *pg, const struct srv_blob *blob)
{
    const struct srv_cached *m = srv__cache_meta(blob);

    srv__read_end(r);
    if (not_modified(r, pg, m->etag, m->modified)) {
        srv__cache_release(blob);
        return;
    }
    if (pg->cors)
        srv__add_cors(r->srv, r->req);
    srv__cache_reply(r, 200, blob);
}

void srv__page(struct srv_req *r, const struct srv_page *pg)
{
    bool cacheable = pg->cacheable && !pg->cursor;
    enum srv_cache_state state = SRV_CACHE_MISS;
    uint64_t h = chorus_fnv64_str(pg->key);
    const struct srv_blob *blob = NULL;
    struct srv_cached val;
    bool validated = false;
    int64_t rendered = 0;
    struct buf b;
    int rc;

    if (cacheable) {
        state = srv__cache_lookup(r->srv->cache, pg->key, pg->version, &blob);
        srv__access_cache(r, state == SRV_CACHE_HIT || state == SRV_CACHE_STALE);
        if (state == SRV_CACHE_HIT || state == SRV_CACHE_STALE) {
            serve(r, pg, blob);
            return;
        }
    }
    /* From here this thread renders: with SRV_CACHE_RENDER others wait for
     * it, so every way out fills or abandons. */
    memset(&val, 0, sizeof(val));
    val.version = pg->version;
    val.type = pg->type;
    val.modified = pg->modified;
    if (pg->cursor) /* after a byte no key holds, so no cursor reads as a key */
        h = chorus_fnv64(chorus_fnv64(h, "\xff", 1), pg->cursor, strlen(pg->cursor));
    snprintf(val.etag, sizeof(val.etag), "W/\"%s-%llx-%llx\"", r->srv->instance,
             (unsigned long long)pg->version, (unsigned long long)h);
    /* A first page is decided by its key and version, so a revalidation
     * costs no render; one that sends Last-Modified needs to know it. */
    if (cacheable && (!pg->last_modified || val.modified)) {
        if (not_modified(r, pg, val.etag, val.modified)) {
            if (state == SRV_CACHE_RENDER)
                srv__cache_abandon(r->srv->cache, pg->key, pg->version);
            srv__read_end(r);
            return;
        }
        validated = true;
    }
    buf_init(&b, pg->max_bytes);
    rc = pg->render(r, pg->ctx, &b, &rendered);
    srv__read_end(r);
    if (!val.modified)
        val.modified = rendered;
    if (rc) {
        if (state == SRV_CACHE_RENDER)
            srv__cache_abandon(r->srv->cache, pg->key, pg->version);
        drop_validators(r);
        if (pg->fail)
            pg->fail(r, pg, rc);
        else
            srv__page_fail(r, pg, rc);
    } else {
        if (cacheable)
            srv__cache_fill(r->srv->cache, pg->key, &val, &b);
        if (validated || !not_modified(r, pg, val.etag, val.modified)) {
            if (pg->cors)
                srv__add_cors(r->srv, r->req);
            srv__reply(r, 200, pg->type, &b);
        }
    }
    buf_cleanup(&b);
}

bool srv__page_scope(struct srv_req *r, enum store_scope scope, const char *id,
                     struct review_stats *st)
{
    int rc = store_scope_public(r->t->rtxn, scope, id, st);

    if (rc == 0)
        return true;
    srv__read_end(r);
    if (rc == CHORUS_ENOTFOUND)
        srv__problem(r, 404, "There is no %s '%.200s'.",
                     scope == STORE_SCOPE_PRODUCT ? "product" : "category", id ? id : "");
    else
        srv__problem(r, srv__status_of(rc), "The page cannot be read: %s.", chorus_strerror(rc));
    return false;
}

void srv__key_part(struct buf *k, const char *v)
{
    buf_printf(k, "%zu:%s|", v ? strlen(v) : 0, v ? v : "");
}
