/* The route table and the one dispatcher behind evhttp_set_gencb.
 *
 * evhttp_set_cb matches whole paths only, so routing with {id} segments is
 * done here. A path that matches with another method is a 405 with Allow;
 * OPTIONS is answered for CORS preflight. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

static const struct srv_route routes[] = {
    {EVHTTP_REQ_GET, "/healthz", srv__health, 0, 0},
    {EVHTTP_REQ_GET, "/metrics", srv__metrics, 0, 0},
    {EVHTTP_REQ_POST, "/api/v1/reviews", srv__reviews_post, SRV_SCOPE_INGEST, SRV_BODY_BULK},
    {EVHTTP_REQ_GET, "/api/v1/reviews/{id}", srv__review_get, 0, 0},
    {EVHTTP_REQ_DELETE, "/api/v1/reviews/{id}", srv__review_delete, SRV_SCOPE_ADMIN, 0},
    {EVHTTP_REQ_POST, "/api/v1/reviews/{id}/moderation", srv__review_moderate, SRV_SCOPE_MODERATE,
     0},
    {EVHTTP_REQ_POST, "/api/v1/reviews/{id}/responses", srv__review_respond, SRV_SCOPE_MODERATE, 0},
    {EVHTTP_REQ_POST, "/api/v1/reviews/{id}/votes", srv__review_vote, 0, SRV_BODY_VOTE},
    {EVHTTP_REQ_GET, "/api/v1/moderation", srv__moderation_list, SRV_SCOPE_MODERATE, 0},
    {EVHTTP_REQ_GET, "/api/v1/products", srv__products_list, 0, 0},
    {EVHTTP_REQ_GET, "/api/v1/products/{id}", srv__product_get, 0, 0},
    {EVHTTP_REQ_PUT, "/api/v1/products/{id}", srv__product_put, SRV_SCOPE_CATALOGUE, 0},
    {EVHTTP_REQ_GET, "/api/v1/products/{id}/reviews", srv__product_reviews, 0, 0},
    {EVHTTP_REQ_GET, "/api/v1/products/{id}/components", srv__product_components, 0, 0},
    {EVHTTP_REQ_GET, "/api/v1/components", srv__components, 0, 0},
    {EVHTTP_REQ_POST, "/api/v1/known-issues", srv__issues_create, SRV_SCOPE_CATALOGUE, 0},
    {EVHTTP_REQ_GET, "/api/v1/known-issues", srv__issues_list, 0, 0},
    {EVHTTP_REQ_GET, "/api/v1/known-issues/{id}", srv__issue_get, 0, 0},
    {EVHTTP_REQ_PATCH, "/api/v1/known-issues/{id}", srv__issue_patch, SRV_SCOPE_CATALOGUE, 0},
    {EVHTTP_REQ_DELETE, "/api/v1/known-issues/{id}", srv__issue_delete, SRV_SCOPE_CATALOGUE, 0},
    {EVHTTP_REQ_GET, "/api/v1/known-issues/{id}/reviews", srv__issue_reviews, 0, 0},
    {EVHTTP_REQ_PUT, "/api/v1/products/{id}/releases", srv__product_releases_put,
     SRV_SCOPE_CATALOGUE, SRV_BODY_RELEASES},
    {EVHTTP_REQ_GET, "/api/v1/digest-tokens", srv__tokens_list, SRV_SCOPE_ADMIN, 0},
    {EVHTTP_REQ_POST, "/api/v1/digest-tokens", srv__tokens_create, SRV_SCOPE_ADMIN, 0},
    {EVHTTP_REQ_DELETE, "/api/v1/digest-tokens/{id}", srv__tokens_delete, SRV_SCOPE_ADMIN, 0},
    {EVHTTP_REQ_GET, "/api/v1/sources", srv__sources_list, SRV_SCOPE_ADMIN, 0},
    {EVHTTP_REQ_POST, "/api/v1/sources", srv__sources_create, SRV_SCOPE_ADMIN, 0},
    {EVHTTP_REQ_GET, "/api/v1/sources/{id}", srv__source_get, SRV_SCOPE_ADMIN, 0},
    {EVHTTP_REQ_DELETE, "/api/v1/sources/{id}", srv__source_delete, SRV_SCOPE_ADMIN, 0},
    {EVHTTP_REQ_POST, "/api/v1/sources/{id}/poll", srv__source_poll, SRV_SCOPE_ADMIN, 0},
    {EVHTTP_REQ_GET, "/feeds/products/{id}.atom", srv__feed_product, 0, 0},
    {EVHTTP_REQ_GET, "/feeds/categories/{path}.atom", srv__feed_category, 0, 0},
    {EVHTTP_REQ_GET, "/feeds/reviews.atom", srv__feed_all, 0, 0},
    {EVHTTP_REQ_GET, "/feeds/digest.atom", srv__feed_digest, 0, 0},
    {EVHTTP_REQ_GET, "/feeds/google-reviews.xml", srv__feed_google, 0, 0},
    {EVHTTP_REQ_GET, "/feeds/google-reviews/index.json", srv__feed_google_index, 0, 0},
    {EVHTTP_REQ_GET, "/feeds/google-reviews/{id}.xml", srv__feed_google_part, 0, 0},
    {EVHTTP_REQ_GET, "/widget/embed.js", srv__widget_js, 0, 0},
    {EVHTTP_REQ_GET, "/widget/widget.css", srv__widget_css, 0, 0},
    {EVHTTP_REQ_GET, "/widget/{id}.html", srv__widget_html, 0, 0},
    {EVHTTP_REQ_GET, "/p/{id}", srv__widget_page, 0, 0},
    {EVHTTP_REQ_GET, "/dashboard", srv__dashboard, 0, 0},
};

static const char *method_name(enum evhttp_cmd_type m)
{
    switch (m) {
    case EVHTTP_REQ_GET:
        return "GET";
    case EVHTTP_REQ_POST:
        return "POST";
    case EVHTTP_REQ_PUT:
        return "PUT";
    case EVHTTP_REQ_DELETE:
        return "DELETE";
    case EVHTTP_REQ_HEAD:
        return "HEAD";
    case EVHTTP_REQ_OPTIONS:
        return "OPTIONS";
    case EVHTTP_REQ_PATCH:
        return "PATCH";
    default:
        return "OTHER";
    }
}

#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

size_t srv__route_count(void)
{
    return N_ROUTES;
}

unsigned srv__route_index(const struct srv_route *route)
{
    return route ? (unsigned)(route - routes) : (unsigned)N_ROUTES;
}

void srv__route_label(unsigned i, const char **method, const char **path)
{
    *method = i < N_ROUTES ? method_name(routes[i].method) : "";
    *path = i < N_ROUTES ? routes[i].path : "unmatched";
}

void srv_routes_each(void (*fn)(void *ctx, const char *method, const char *path), void *ctx)
{
    for (size_t i = 0; i < N_ROUTES; i++)
        fn(ctx, method_name(routes[i].method), routes[i].path);
}

/* decode_param percent-decodes raw (n bytes) into param (a '%' not followed
 * by two hex digits stays as it is, as evhttp_uridecode leaves it; '+'
 * stays '+': this is a path); false when the result is empty, does not
 * fit, holds a NUL or is not UTF-8. No allocation: every request of every
 * route comes through here. */
static bool decode_param(const char *raw, size_t n, char *param, size_t cap)
{
    size_t dlen = 0;

    if (n == 0 || n >= SRV_PARAM_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        int hi = raw[i] == '%' && i + 2 < n ? chorus_hex_digit(raw[i + 1]) : -1;
        int lo = hi >= 0 ? chorus_hex_digit(raw[i + 2]) : -1;

        if (dlen + 1 >= cap)
            return false;
        if (lo >= 0) {
            param[dlen++] = (char)(hi << 4 | lo);
            i += 2;
        } else {
            param[dlen++] = raw[i];
        }
    }
    param[dlen] = '\0';
    return dlen > 0 && !memchr(param, '\0', dlen) && chorus_utf8_valid(param, dlen);
}

/* match compares a route template with a raw (still percent-encoded) path
 * and copies the decoded placeholder into param. "{id}" stands for one
 * segment, "{path}" for the rest of the path, slashes included; either may
 * be followed by a literal suffix such as ".atom", which the segment must
 * end with and which is not part of the parameter. */
static bool match(const char *tpl, const char *path, char *param, size_t cap)
{
    while (*tpl && *path) {
        bool id = *tpl == '{' && strncmp(tpl, "{id}", 4) == 0;
        bool rest = *tpl == '{' && !id && strncmp(tpl, "{path}", 6) == 0;

        if (id || rest) {
            const char *sfx = tpl + (id ? 4 : 6);
            const char *end = rest ? NULL : strchr(path, '/');
            size_t n = end ? (size_t)(end - path) : strlen(path);
            size_t slen = strcspn(sfx, "/");

            if (slen) {
                if (n <= slen || strncmp(path + n - slen, sfx, slen) != 0)
                    return false;
                n -= slen;
            }
            if (!decode_param(path, n, param, cap))
                return false;
            tpl = sfx + slen;
            path += n + slen;
            continue;
        }
        if (*tpl != *path)
            return false;
        tpl++;
        path++;
    }
    return *tpl == '\0' && *path == '\0';
}

const struct srv_route *srv__route_find(enum evhttp_cmd_type m, const char *path, char *param,
                                        size_t cap, char *allow, size_t allow_cap)
{
    size_t alen = 0;

    allow[0] = '\0';
    for (size_t i = 0; i < N_ROUTES; i++) {
        if (!match(routes[i].path, path, param, cap))
            continue;
        if (routes[i].method == m || (m == EVHTTP_REQ_HEAD && routes[i].method == EVHTTP_REQ_GET))
            return &routes[i];
        alen += (size_t)snprintf(allow + alen, allow_cap - alen, "%s%s", alen ? ", " : "",
                                 method_name(routes[i].method));
        if (alen >= allow_cap)
            alen = allow_cap - 1;
    }
    return NULL;
}

/* admit applies what the route table says before a handler runs: the
 * body's size (refused unread, so no parser ever sees an oversized body),
 * the key's scope and its write budget. True when the handler may run; else
 * it answered. */
static bool admit(struct srv_req *r, const struct srv_route *rt)
{
    const struct srv_config *c = &r->srv->cfg;
    size_t n = evbuffer_get_length(evhttp_request_get_input_buffer(r->req));
    size_t cap = rt->body == SRV_BODY_VOTE       ? c->max_vote_body_bytes
                 : rt->body == SRV_BODY_SMALL    ? c->max_small_body_bytes
                 : rt->body == SRV_BODY_RELEASES ? c->max_releases_body_bytes
                                                 : c->max_body_bytes;
    unsigned wait;

    if (n > cap) {
        srv__problem(r, 413, "This request's body is %zu bytes; %s takes at most %zu.", n, rt->path,
                     cap);
        return false;
    }
    if (rt->scope && !srv__require_key(r))
        return false;
    if (rt->scope && !srv__has_scope(r, rt->scope)) {
        srv__problem(r, 403, "This API key lacks the '%s' scope, which %s %s needs.",
                     srv__scope_name(rt->scope), method_name(rt->method), rt->path);
        return false;
    }
    if (!r->authed || rt->method == EVHTTP_REQ_GET)
        return true;
    wait = srv__keys_charge_write(r->keys, r->key, chorus_mono_ms());
    if (wait) {
        char v[16];

        snprintf(v, sizeof(v), "%u", wait);
        evhttp_add_header(evhttp_request_get_output_headers(r->req), "Retry-After", v);
        srv__problem(r, 429,
                     "This API key made more than %u write requests in a minute; retry in %u s.",
                     c->key_writes_per_minute, wait);
        return false;
    }
    return true;
}

void srv__dispatch(struct evhttp_request *req, void *arg)
{
    struct srv_thread *t = arg;
    struct srv *s = t->srv;
    struct srv_req r;
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    enum evhttp_cmd_type m = evhttp_request_get_command(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;
    const struct srv_route *found;
    char allow[64];

    memset(&r, 0, sizeof(r));
    r.srv = s;
    r.t = t;
    r.req = req;
    r.path = path ? path : "/";
    atomic_fetch_add_explicit(&t->requests, 1, memory_order_relaxed);
    srv__conns_request(t, req);
    found = srv__route_find(m, r.path, r.param, sizeof(r.param), allow, sizeof(allow));
    srv__access_begin(&r, method_name(m), found);
    if (!found && allow[0] && m == EVHTTP_REQ_OPTIONS) {
        struct evkeyvalq *h = evhttp_request_get_output_headers(req);

        srv__add_cors(s, req);
        evhttp_add_header(h, "Access-Control-Allow-Methods", allow);
        evhttp_add_header(h, "Access-Control-Allow-Headers", "Authorization, Content-Type");
        evhttp_add_header(h, "Access-Control-Max-Age", "86400");
        evhttp_add_header(h, "Allow", allow);
        srv__reply(&r, 204, NULL, NULL);
    } else if (!found && allow[0]) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", allow);
        srv__problem(&r, 405, "%s is not allowed on %.200s; allowed: %s.", method_name(m), r.path,
                     allow);
    } else if (!found) {
        srv__problem(&r, 404, "Nothing is served at %.200s. See docs/openapi.yaml for the API.",
                     r.path);
    } else if (srv__auth_check(&r) && admit(&r, found)) {
        found->fn(&r);
    }
    srv__access_end(&r);
    if (r.query_parsed)
        evhttp_clear_headers(&r.query);
    srv__keys_release(r.keys);
}
