/* Feeds over HTTP: Atom per product, per category and for everything, and
 * the engineer digest. Rendered pages are cached per scope version (see
 * cache.c) and revalidated with ETag and Last-Modified. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "chorus/error.h"

#define ATOM_TYPE "application/atom+xml; charset=utf-8"

void srv__site(struct srv *s, struct feed_site *out)
{
    memset(out, 0, sizeof(*out));
    out->public_url = s->public_url;
    out->review_url = s->cfg.review_url[0] ? s->cfg.review_url : NULL;
    out->tag_authority = s->cfg.tag_authority;
    out->instance = s->instance;
    out->hub = s->cfg.websub_hub[0] ? s->cfg.websub_hub : NULL;
    out->title = "Chorus";
}

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
    struct tm tm;
    const char *m;
    int v[6];
    static const int at[6] = {5, 12, 17, 20, 23, -1};
    static const int len[6] = {2, 4, 2, 2, 2, 0};

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

/* not_modified sets ETag, Last-Modified and Cache-Control, and answers 304
 * when the request's validators match: If-None-Match first, and
 * If-Modified-Since only without it (RFC 9110 13.2.2). */
static bool not_modified(struct srv_req *r, const char *etag, int64_t modified, bool private)
{
    struct evkeyvalq *in = evhttp_request_get_input_headers(r->req);
    struct evkeyvalq *out = evhttp_request_get_output_headers(r->req);
    const char *ims = evhttp_find_header(in, "If-Modified-Since");
    char date[64];
    int64_t since;

    http_date(modified, date, sizeof(date));
    evhttp_add_header(out, "Last-Modified", date);
    /* A private digest must not be kept by a shared cache in front; the
     * reader's own cache may. */
    if (srv__etag_match_cc(r, etag, private ? "private, max-age=60" : "public, max-age=60"))
        return true;
    if (!evhttp_find_header(in, "If-None-Match") && ims && parse_http_date(ims, &since) &&
        modified <= since) {
        srv__add_cors(r->srv, r->req);
        srv__reply(r, 304, NULL, NULL);
        return true;
    }
    return false;
}

/* A feed request, normalised: how it is cached and validated. */
struct feed_req {
    const char *key;  /* cache key from the parsed request, or NULL: not cached */
    bool private;     /* Cache-Control: private */
    int64_t modified; /* Last-Modified floor (the digest's day starts); 0 = none */
};

/* drop_validators removes what not_modified added, before an error reply. */
static void drop_validators(struct srv_req *r)
{
    struct evkeyvalq *out = evhttp_request_get_output_headers(r->req);

    evhttp_remove_header(out, "ETag");
    evhttp_remove_header(out, "Last-Modified");
    evhttp_remove_header(out, "Cache-Control");
}

/* serve answers from the cache or from render(), which fills b. The ETag
 * names the instance, the scope version and the normalised request, so two
 * filters of one scope never share one. Only first pages and digests are
 * cached (fr->key): cursors are open-ended, and caching each would let
 * anyone flush the cache with made-up positions. */
static void serve(struct srv_req *r, const struct feed_req *fr, const struct review_stats *st,
                  int (*render)(struct srv_req *r, void *ctx, struct buf *b, int64_t *modified),
                  void *ctx)
{
    const struct srv_cached *hit =
        fr->key ? srv__cache_get(r->srv->cache, fr->key, st->version) : NULL;
    struct srv_cached val;
    struct buf b;
    int64_t rendered = 0;
    int rc;

    if (hit) {
        srv__read_end(r);
        if (!not_modified(r, hit->etag, hit->modified, fr->private)) {
            srv__add_cors(r->srv, r->req);
            srv__cache_reply(r, 200, hit);
        }
        return;
    }
    memset(&val, 0, sizeof(val));
    val.version = st->version;
    val.type = ATOM_TYPE;
    snprintf(
        val.etag, sizeof(val.etag), "W/\"f%s-%llx-%llx\"", r->srv->instance,
        (unsigned long long)st->version,
        (unsigned long long)chorus_fnv64_str(fr->key ? fr->key : evhttp_request_get_uri(r->req)));
    val.modified = st->changed_at ? st->changed_at : st->last_review_at;
    if (fr->modified > val.modified)
        val.modified = fr->modified;
    /* A first page or digest is valid if its key and version are: a
     * revalidation costs no render. Cursor pages render first, so a bad
     * cursor is a 400 even with a matching validator. */
    if (fr->key && val.modified && not_modified(r, val.etag, val.modified, fr->private)) {
        srv__read_end(r);
        return;
    }
    buf_init(&b, SRV_FEED_MAX_BYTES);
    rc = render(r, ctx, &b, &rendered);
    srv__read_end(r);
    if (!val.modified)
        val.modified = rendered;
    if (rc) {
        drop_validators(r);
        if (rc == CHORUS_ENOTFOUND)
            srv__problem(r, 404, "There is no such %s.",
                         r->param[0] ? "product or category" : "feed");
        else if (rc == CHORUS_EINVAL)
            srv__problem(r, 400, "The cursor is not one this feed gave out.");
        else if (rc == CHORUS_ETOOBIG)
            srv__problem(r, 413,
                         "This feed would be larger than %d MiB; narrow it (category=, "
                         "product=, days= or limit=).",
                         SRV_FEED_MAX_BYTES >> 20);
        else
            srv__problem(r, srv__status_of(rc), "The feed could not be rendered: %s.",
                         chorus_strerror(rc));
    } else {
        if (fr->key)
            srv__cache_put(r->srv->cache, fr->key, &val, &b);
        if ((fr->key && val.modified) || !not_modified(r, val.etag, val.modified, fr->private)) {
            srv__add_cors(r->srv, r->req);
            srv__reply(r, 200, val.type, &b);
        }
    }
    buf_cleanup(&b);
}

/* ---- Atom ------------------------------------------------------------------------------ */

static int render_atom(struct srv_req *r, void *ctx, struct buf *b, int64_t *modified)
{
    struct feed_site site;

    srv__site(r->srv, &site);
    return feed_atom_render(r->srv->rtxn, &site, ctx, b, modified);
}

static void atom(struct srv_req *r, enum feed_scope_kind kind)
{
    static const char *const allowed[] = {"limit", "cursor", NULL};
    struct feed_atom_query q = {.kind = kind};
    struct review_stats st;
    struct store_txn *txn;
    struct feed_req fr = {NULL, false, 0};
    struct buf key = {0};
    enum store_scope scope = kind == FEED_SCOPE_PRODUCT    ? STORE_SCOPE_PRODUCT
                             : kind == FEED_SCOPE_CATEGORY ? STORE_SCOPE_CATEGORY
                                                           : STORE_SCOPE_ALL;
    int rc;

    if (!srv__query_check(r, allowed) ||
        !srv__query_limit(r, FEED_ATOM_DEFAULT_LIMIT, STORE_FEED_MAX, &q.limit))
        return;
    q.id = kind == FEED_SCOPE_ALL ? NULL : r->param;
    q.cursor = srv__query_get(r, "cursor");
    txn = srv__read_begin(r);
    if (!txn)
        return;
    rc = store_scope_stats(txn, scope, q.id, &st);
    if (rc) {
        srv__read_end(r);
        if (rc == CHORUS_ENOTFOUND)
            srv__problem(r, 404, "There is no %s '%.200s'.",
                         kind == FEED_SCOPE_PRODUCT ? "product" : "category", r->param);
        else
            srv__problem(r, srv__status_of(rc), "The feed cannot be read: %s.",
                         chorus_strerror(rc));
        return;
    }
    if (!q.cursor) {
        /* Parsed, not raw: "limit=025" and "limit=25" are one page. */
        buf_init(&key, 0);
        buf_printf(&key, "atom|%c|%zu|%s", (char)scope, q.limit, q.id ? q.id : "");
        fr.key = key.data;
    }
    serve(r, &fr, &st, render_atom, &q);
    buf_cleanup(&key);
}

void srv__feed_product(struct srv_req *r)
{
    atom(r, FEED_SCOPE_PRODUCT);
}

void srv__feed_category(struct srv_req *r)
{
    atom(r, FEED_SCOPE_CATEGORY);
}

void srv__feed_all(struct srv_req *r)
{
    r->param[0] = '\0';
    atom(r, FEED_SCOPE_ALL);
}

/* ---- the digest ------------------------------------------------------------------------- */

struct digest_ctx {
    struct feed_digest_query q;
    int64_t now;
};

static int render_digest(struct srv_req *r, void *ctx, struct buf *b, int64_t *modified)
{
    struct digest_ctx *d = ctx;
    struct feed_site site;

    srv__site(r->srv, &site);
    return feed_digest_render(r->srv->rtxn, &site, r->srv->taxonomy, &d->q, d->now, b, modified);
}

/* key_part appends a parameter with its length in front, so no value can
 * run into the next part of the key whatever bytes it holds. */
static void key_part(struct buf *k, const char *v)
{
    buf_printf(k, "%zu:%s|", v ? strlen(v) : 0, v ? v : "");
}

/* int_param parses an optional integer parameter within [lo, hi]. */
static bool int_param(struct srv_req *r, const char *name, long lo, long hi, int *out)
{
    const char *v = srv__query_get(r, name);
    char *end;
    long n;

    if (!v)
        return true;
    n = strtol(v, &end, 10);
    if (!*v || *end || n < lo || n > hi) {
        srv__problem(r, 400, "%s must be an integer from %ld to %ld.", name, lo, hi);
        return false;
    }
    *out = (int)n;
    return true;
}

/* tz_param reads tz= as minutes ("120", "-300") or "+HH:MM" / "-HH:MM". */
static bool tz_param(struct srv_req *r, int *out)
{
    const char *v = srv__query_get(r, "tz");
    int sign = 1, h = 0, m = 0;

    if (!v)
        return true;
    if ((v[0] == '+' || v[0] == '-') && strlen(v) == 6 && v[3] == ':') {
        sign = v[0] == '-' ? -1 : 1;
        for (int i = 1; i < 6; i++)
            if (i != 3 && (v[i] < '0' || v[i] > '9'))
                goto bad;
        h = (v[1] - '0') * 10 + (v[2] - '0');
        m = (v[4] - '0') * 10 + (v[5] - '0');
        if (m > 59)
            goto bad;
        *out = sign * (h * 60 + m);
        if (*out < -720 || *out > 840)
            goto bad;
        return true;
    }
    if (!int_param(r, "tz", -720, 840, out))
        return false;
    return true;
bad:
    srv__problem(r, 400, "tz must be an offset such as +02:00, -05:00 or minutes (-720..840).");
    return false;
}

void srv__feed_digest(struct srv_req *r)
{
    static const char *const allowed[] = {"category", "product", "max_rating", "days",
                                          "tz",       "token",   NULL};
    struct digest_ctx d;
    struct review_stats st;
    struct store_txn *txn;
    struct feed_req fr = {NULL, false, 0};
    struct buf key;
    int64_t day;
    int rc;

    if (!srv__query_check(r, allowed))
        return;
    memset(&d, 0, sizeof(d));
    d.q.max_rating = 2;
    d.q.days = 14;
    d.q.category = srv__query_get(r, "category");
    d.q.product = srv__query_get(r, "product");
    d.q.token = srv__query_get(r, "token");
    if (!int_param(r, "max_rating", 1, 5, &d.q.max_rating) ||
        !int_param(r, "days", 1, 90, &d.q.days) || !tz_param(r, &d.q.tz_minutes))
        return;
    txn = srv__read_begin(r);
    if (!txn)
        return;
    if (!r->srv->cfg.digest_public && !r->authed &&
        (!d.q.token || store_token_check(txn, d.q.token) != 0)) {
        srv__read_end(r);
        srv__problem(r, d.q.token ? 403 : 401,
                     d.q.token ? "This reader token is not valid (revoked or mistyped)."
                               : "The digest is private: add ?token= with a reader token, or "
                                 "send an API key.");
        return;
    }
    if (d.q.product && *d.q.product)
        rc = store_scope_stats(txn, STORE_SCOPE_PRODUCT, d.q.product, &st);
    else if (d.q.category && *d.q.category)
        rc = store_scope_stats(txn, STORE_SCOPE_CATEGORY, d.q.category, &st);
    else
        rc = store_scope_stats(txn, STORE_SCOPE_ALL, NULL, &st);
    if (rc) {
        srv__read_end(r);
        if (rc == CHORUS_ENOTFOUND)
            srv__problem(r, 404, "There is no %s '%.200s'.",
                         d.q.product && *d.q.product ? "product" : "category",
                         d.q.product && *d.q.product ? d.q.product : d.q.category);
        else
            srv__problem(r, srv__status_of(rc), "The digest cannot be read: %s.",
                         chorus_strerror(rc));
        return;
    }
    /* The digest moves with the clock as well as with writes: its window
     * ends today, so the day is part of the cache key and the ETag, and its
     * Last-Modified is never before the day began. The token is part of the
     * key because links repeat it; only live tokens get this far. */
    d.now = chorus_now();
    day = (d.now + (int64_t)d.q.tz_minutes * 60) / 86400;
    buf_init(&key, 0);
    buf_printf(&key, "digest|%lld|%d|%d|%d|", (long long)day, d.q.max_rating, d.q.days,
               d.q.tz_minutes);
    key_part(&key, d.q.category);
    key_part(&key, d.q.product);
    key_part(&key, d.q.token);
    fr.key = key.data;
    fr.private = !r->srv->cfg.digest_public;
    fr.modified = day * 86400 - (int64_t)d.q.tz_minutes * 60;
    r->param[0] = '\0';
    serve(r, &fr, &st, render_digest, &d);
    buf_cleanup(&key);
}
