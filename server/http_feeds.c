/* Feeds over HTTP: Atom per product, per category and for everything, and
 * the engineer digest. Pages go through srv__page (page.c): cached per
 * scope version, revalidated with ETag and Last-Modified. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"

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

/* ---- Atom ------------------------------------------------------------------------------ */

static int render_atom(struct srv_req *r, void *ctx, struct buf *b, int64_t *modified)
{
    struct feed_site site;

    srv__site(r->srv, &site);
    return feed_atom_render(r->t->rtxn, &site, ctx, b, modified);
}

static void atom(struct srv_req *r, enum store_scope scope)
{
    static const char *const allowed[] = {"limit", "cursor", NULL};
    struct feed_atom_query q = {.scope = scope};
    struct review_stats st;
    struct buf *key;

    if (!srv__query_check(r, allowed) ||
        !srv__query_limit(r, FEED_ATOM_DEFAULT_LIMIT, STORE_FEED_MAX, &q.limit))
        return;
    q.id = scope == STORE_SCOPE_ALL ? NULL : r->param;
    q.cursor = srv__query_get(r, "cursor");
    if (!srv__read_begin(r) || !srv__page_scope(r, scope, q.id, &st))
        return;
    /* Parsed, not raw: "limit=025" and "limit=25" are one page. */
    key = srv__scratch(r, 0);
    buf_printf(key, "atom|%c|%zu|", (char)scope, q.limit);
    srv__key_part(key, q.id);
    srv__page(r, &(struct srv_page){
                     .key = key->data,
                     .cursor = q.cursor,
                     .cacheable = true,
                     .version = st.version,
                     .modified = st.changed_at ? st.changed_at : st.last_review_at,
                     .last_modified = true,
                     .cors = true,
                     .type = ATOM_TYPE,
                     .max_bytes = SRV_FEED_MAX_BYTES,
                     .what = "feed",
                     .narrow = "ask for fewer entries (limit=)",
                     .render = render_atom,
                     .ctx = &q,
                 });
}

void srv__feed_product(struct srv_req *r)
{
    atom(r, STORE_SCOPE_PRODUCT);
}

void srv__feed_category(struct srv_req *r)
{
    atom(r, STORE_SCOPE_CATEGORY);
}

void srv__feed_all(struct srv_req *r)
{
    r->param[0] = '\0';
    atom(r, STORE_SCOPE_ALL);
}

static int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
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
    return feed_digest_render(r->t->rtxn, &site, r->srv->taxonomy, &d->q, d->now, b, modified);
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
    struct buf *key;
    int64_t day;
    int denied;
    bool ok;

    if (!srv__query_check(r, allowed))
        return;
    memset(&d, 0, sizeof(d));
    d.q.max_rating = FEED_DIGEST_MAX_RATING;
    d.q.days = FEED_DIGEST_DAYS;
    d.q.category = srv__query_get(r, "category");
    d.q.product = srv__query_get(r, "product");
    d.q.token = srv__query_get(r, "token");
    if (!int_param(r, "max_rating", 1, 5, &d.q.max_rating) ||
        !int_param(r, "days", 1, 90, &d.q.days) || !tz_param(r, &d.q.tz_minutes))
        return;
    txn = srv__read_begin(r);
    if (!txn)
        return;
    denied = srv__reader_allowed(r, txn, d.q.token);
    if (denied) {
        srv__read_end(r);
        srv__reader_refuse(r, denied);
        return;
    }
    if (d.q.product && *d.q.product)
        ok = srv__page_scope(r, STORE_SCOPE_PRODUCT, d.q.product, &st);
    else if (d.q.category && *d.q.category)
        ok = srv__page_scope(r, STORE_SCOPE_CATEGORY, d.q.category, &st);
    else
        ok = srv__page_scope(r, STORE_SCOPE_ALL, NULL, &st);
    if (!ok)
        return;
    /* The digest moves with the clock as well as with writes: its window
     * ends today, so the day is part of the cache key and the ETag, and its
     * Last-Modified is never before the day began. The token is part of the
     * key because links repeat it; only live tokens get this far. */
    d.now = chorus_now();
    day = (d.now + (int64_t)d.q.tz_minutes * 60) / 86400;
    key = srv__scratch(r, 0);
    buf_printf(key, "digest|%lld|%d|%d|%d|", (long long)day, d.q.max_rating, d.q.days,
               d.q.tz_minutes);
    srv__key_part(key, d.q.category);
    srv__key_part(key, d.q.product);
    srv__key_part(key, d.q.token);
    srv__page(r, &(struct srv_page){
                     .key = key->data,
                     .cacheable = true,
                     .version = st.version,
                     .modified = max64(st.changed_at ? st.changed_at : st.last_review_at,
                                       day * 86400 - (int64_t)d.q.tz_minutes * 60),
                     .last_modified = true,
                     .private = !r->srv->cfg.digest_public,
                     .cors = true,
                     .type = ATOM_TYPE,
                     .max_bytes = SRV_FEED_MAX_BYTES,
                     .what = "digest",
                     .narrow = "narrow it (category=, product=, days=)",
                     .render = render_digest,
                     .ctx = &d,
                 });
}
