/* GET /dashboard: the engineering dashboard (docs/dashboard.md), rendered
 * by feed_dashboard_render.
 *
 * It shows complaint counts, so it is exactly as private as the digest:
 * with digest_access = private it needs an API key or a live reader token,
 * and the token is repeated in its links. Rendered pages are cached like
 * feeds (cache.c), keyed by the parsed query and the hour: the 24-hour
 * counts move with the clock as well as with writes, and the hour bounds
 * how stale they can get.
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

#include "chorus/base.h"

#define HTML_TYPE "text/html; charset=utf-8"
/* Nothing but the page itself: no script at all, the inline stylesheet,
 * the inline SVG charts. */
#define DASH_CSP                                                                                   \
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; "       \
    "form-action 'self'; frame-ancestors 'self'"
#define DASH_MAX_BYTES (16 << 20) /* FEED_DASH_MAX_ROWS rows fit with room to spare */

static void page_headers(struct srv_req *r)
{
    struct evkeyvalq *out = evhttp_request_get_output_headers(r->req);

    evhttp_add_header(out, "Content-Security-Policy", DASH_CSP);
    /* The URL may hold a reader token: keep it out of Referer headers. */
    evhttp_add_header(out, "Referrer-Policy", "no-referrer");
}

static int render(struct srv_req *r, void *ctx, struct buf *b, int64_t *modified)
{
    struct feed_site site;

    (void)modified;
    srv__site(r->srv, &site);
    return feed_dashboard_render(r->t->rtxn, &site, ctx, b);
}

static void fail(struct srv_req *r, const struct srv_page *pg, int rc)
{
    const struct feed_dashboard_query *q = pg->ctx;

    if (rc == CHORUS_ENOTFOUND)
        srv__problem(r, 404, "There is no category '%.200s'.", q->category ? q->category : "");
    else
        srv__page_fail(r, pg, rc);
}

void srv__dashboard(struct srv_req *r)
{
    static const char *const allowed[] = {"category", "sort", "token", NULL};
    static const char *const sorts[] = {"alert", "count", "average", "low", "complaints", "id"};
    struct feed_dashboard_query q;
    struct review_stats st;
    struct store_txn *txn;
    struct buf *key;
    const char *token;
    bool known = false;

    if (!srv__query_check(r, allowed))
        return;
    memset(&q, 0, sizeof(q));
    q.category = srv__query_get(r, "category");
    q.sort = srv__query_get(r, "sort");
    q.self_path = "/dashboard";
    q.tax = r->srv->taxonomy;
    token = srv__query_get(r, "token");
    if (q.category && !*q.category)
        q.category = NULL;
    if (!q.sort || !*q.sort)
        q.sort = "alert";
    for (size_t i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++)
        known = known || strcmp(q.sort, sorts[i]) == 0;
    if (!known) {
        srv__problem(r, 400, "sort must be one of alert, count, average, low, complaints, id.");
        return;
    }
    if (q.category && strlen(q.category) > CHORUS_MAX_CATEGORY) {
        srv__problem(r, 404, "There is no category '%.200s...'.", q.category);
        return;
    }
    txn = srv__read_begin(r);
    if (!txn)
        return;
    /* The digest's rule. A token that is given must be live even with the
     * key, since the page repeats it in every link; when the digest is
     * public nothing is needed and the token is left out. */
    if (!r->srv->cfg.digest_public) {
        bool live = token && *token && store_token_check(txn, token) == 0;

        if (token ? !live : !r->authed) {
            srv__read_end(r);
            srv__problem(r, token ? 403 : 401,
                         token ? "This reader token is not valid (revoked or mistyped)."
                               : "The dashboard is private: add ?token= with a reader token, or "
                                 "send an API key.");
            return;
        }
        q.digest_token = token;
    }
    if (!srv__page_scope(r, q.category ? STORE_SCOPE_CATEGORY : STORE_SCOPE_ALL, q.category, &st))
        return;
    /* Parsed, not raw: "?sort=alert" and "" are one page, and a made-up
     * parameter cannot get this far to flush the cache. */
    q.now = chorus_now();
    key = srv__scratch(r, 0);
    buf_printf(key, "dashboard|%lld|%s|", (long long)(q.now / 3600), q.sort);
    srv__key_part(key, q.category);
    srv__key_part(key, q.digest_token);
    page_headers(r);
    srv__page(r, &(struct srv_page){
                     .key = key->data,
                     .cacheable = true,
                     .version = st.version,
                     .private = true,
                     .type = HTML_TYPE,
                     .max_bytes = DASH_MAX_BYTES,
                     .what = "dashboard",
                     .narrow = "choose a category",
                     .render = render,
                     .fail = fail,
                     .ctx = &q,
                 });
}
