/* The widget over HTTP: the script embed's files (/widget/embed.js with the
 * UI strings put in, /widget/widget.css) and the server-rendered widget,
 * as an iframe (/widget/{id}.html) or as the hosted page (/p/{id}).
 *
 * HTML pages carry a Content-Security-Policy that allows no script at
 * all (the JSON-LD block is data, which CSP does not run) and no inline
 * style, so even a review that got past the escaping could do nothing.
 * First pages are cached like feeds (cache.c): keyed by the parsed query,
 * valid while the product's version is unchanged; cursor pages are not.
 */
#include "internal.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#include "assets.h"
#include "chorus/base.h"

#define HTML_TYPE            "text/html; charset=utf-8"
#define WIDGET_DEFAULT_LIMIT 10 /* as FEED__W_DEFAULT_LIMIT, docs/widget.md */
#define WIDGET_MAX_LIMIT     50
#define WIDGET_MAX_BYTES     (32 << 20) /* 50 reviews of 20 KB with 20 responses, escaped */
#define WIDGET_RETRY_LIMIT   5          /* reviews shown when a page would not fit */
#define I18N_MARKER          "/*CHORUS_I18N*/null"

/* ---- embed.js and widget.css ---------------------------------------------------------- */

/* A file served as it is: built once, kept for the life of the process
 * (every server and serving thread of the process serves the same bytes)
 * and handed to libevent by reference. Built under pthread_once, read-only
 * after. */
struct static_file {
    char *data;
    size_t len;
    char etag[40];
};

static struct static_file js, css;
static pthread_once_t built = PTHREAD_ONCE_INIT;

static const struct srv_asset *asset(const char *name)
{
    for (const struct srv_asset *a = srv__assets; a->name; a++)
        if (strcmp(a->name, name) == 0)
            return a;
    return NULL;
}

/* build makes f from asset name, with the i18n marker (if any) replaced by
 * every language's UI strings. */
static void build(struct static_file *f, const char *name)
{
    const struct srv_asset *a = asset(name);
    const char *src = a ? (const char *)a->data : "", *at = strstr(src, I18N_MARKER);
    size_t len = a ? a->len : 0;
    struct buf b;

    buf_init(&b, 0);
    if (at) {
        buf_append(&b, src, (size_t)(at - src));
        feed_i18n_json(&b);
        buf_puts(&b, at + strlen(I18N_MARKER));
    } else {
        buf_append(&b, src, len);
    }
    f->data = buf_steal(&b, &f->len);
    snprintf(f->etag, sizeof(f->etag), "\"a%016llx\"",
             (unsigned long long)chorus_fnv64(CHORUS_FNV64_INIT, f->data, f->len));
}

static void build_all(void)
{
    build(&js, "embed.js");
    build(&css, "widget.css");
}

static void static_reply(struct srv_req *r, struct static_file *f, const char *type)
{
    static const char *const allowed[] = {"v", NULL}; /* ?v= busts caches, ignored */
    struct evkeyvalq *h = evhttp_request_get_output_headers(r->req);

    if (!srv__query_check(r, allowed))
        return;
    pthread_once(&built, build_all);
    /* srv__etag_match_cc adds the CORS headers to a 304 itself. */
    if (srv__etag_match_cc(r, f->etag, "public, max-age=3600"))
        return;
    srv__add_cors(r->srv, r->req);
    evhttp_add_header(h, "Content-Type", type);
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    /* Immutable for the life of the process: no copy, no cleanup. */
    if (!srv__head_only(r->req, f->len) && f->len)
        evbuffer_add_reference(evhttp_request_get_output_buffer(r->req), f->data, f->len, NULL,
                               NULL);
    srv__send(r->srv, r->req, 200);
}

void srv__widget_js(struct srv_req *r)
{
    static_reply(r, &js, "application/javascript; charset=utf-8");
}

void srv__widget_css(struct srv_req *r)
{
    static_reply(r, &css, "text/css; charset=utf-8");
}

/* origin writes the scheme://host[:port] of url. */
static void origin(char *out, size_t cap, const char *url)
{
    const char *host = strstr(url, "://");
    size_t n = host ? (size_t)(host + 3 - url) + strcspn(host + 3, "/") : strlen(url);

    snprintf(out, cap, "%.*s", (int)n, url);
}

void srv__widget_setup(struct srv *s)
{
    char org[600];

    origin(org, sizeof(org), s->public_url);
    /* The stylesheet link is absolute (public_url); 'self' too, for a
     * server reached by another name than its public one. */
    for (int page = 0; page < 2; page++)
        snprintf(s->widget_csp[page], sizeof(s->widget_csp[page]),
                 "default-src 'none'; style-src 'self' %s; img-src 'none'; "
                 "form-action 'self'; base-uri 'none'; frame-ancestors %s",
                 org, page ? "'self'" : s->cfg.frame_ancestors);
}

/* html_headers adds what every widget page carries, errors included. CORS
 * comes with the reply itself: srv__etag_match_cc and srv__problem add it,
 * and twice would be an invalid Access-Control-Allow-Origin. */
static void html_headers(struct srv_req *r, bool page, bool vary_lang)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(r->req);

    evhttp_add_header(h, "Content-Security-Policy", r->srv->widget_csp[page]);
    evhttp_add_header(h, "Referrer-Policy", "strict-origin-when-cross-origin");
    /* The iframe pages (and their sort, filter and cursor variants) repeat
     * /p/{id}: search engines should index that one. */
    if (!page)
        evhttp_add_header(h, "X-Robots-Tag", "noindex");
    if (vary_lang)
        evhttp_add_header(h, "Vary", "Accept-Language");
}

/* error_page answers status with the quiet "reviews unavailable" page, so
 * an iframe shows a sentence, never an error document; with product, a
 * link to its /p/{id} page too. */
static void error_page(struct srv_req *r, int status, const char *lang, bool dark,
                       const char *product)
{
    struct feed_site site;
    struct buf b;

    evhttp_add_header(evhttp_request_get_output_headers(r->req), "Cache-Control", "no-store");
    srv__site(r->srv, &site);
    buf_init(&b, 0);
    feed_widget_error_render(&site, lang, dark, product, &b);
    srv__add_cors(r->srv, r->req);
    srv__reply(r, status, HTML_TYPE, &b);
    buf_cleanup(&b);
}

/* log_problem writes one line to chorusd's log (stderr) about an embed
 * that sends bad parameters, so its owner can find it: at most one line a
 * second for the process (a page view each second must not flood the
 * log), control bytes from the request written as '?'. */
static void log_problem(const struct srv_req *r, int status, const char *detail)
{
    static _Atomic int64_t last;
    int64_t now = (int64_t)time(NULL);
    char line[600];

    if (atomic_exchange(&last, now) == now)
        return;
    snprintf(line, sizeof(line), "%.160s: %d: %s", r->path, status, detail);
    for (char *c = line; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
    fprintf(stderr, "chorusd: widget page answered quietly: %s\n", line);
}

/* quiet_problem is the widget pages' srv__problem: a bad parameter is the
 * embedder's mistake, which the reader can do nothing about. The reader
 * gets the quiet page with a link to the product's own page; the embedder
 * gets the detail in chorusd's log (and the 400 in the access log and
 * /metrics). */
static void quiet_problem(struct srv_req *r, int status, const char *detail)
{
    const char *theme = srv__query_get(r, "theme"), *lang = srv__query_get(r, "lang");
    bool page = strncmp(r->path, "/p/", 3) == 0;

    log_problem(r, status, detail);
    if (!lang)
        lang = evhttp_find_header(evhttp_request_get_input_headers(r->req), "Accept-Language");
    /* A bad cursor is found after the headers went on. */
    if (!evhttp_find_header(evhttp_request_get_output_headers(r->req), "Content-Security-Policy"))
        html_headers(r, page, false);
    error_page(r, status, feed_lang(lang), theme && strcmp(theme, "dark") == 0, r->param);
}

/* What a widget page renders: the query, and (for errors) how it looks. */
static int render(struct srv_req *r, void *ctx, struct buf *b, int64_t *modified)
{
    struct feed_widget_query *q = ctx;
    struct feed_site site;
    int rc;

    (void)modified;
    srv__site(r->srv, &site);
    rc = feed_widget_render(r->t->rtxn, &site, q, b);
    if (rc == CHORUS_ETOOBIG && q->limit > WIDGET_RETRY_LIMIT) {
        /* Reviews at every cap at once: show fewer, "Show more" pages on. */
        q->limit = WIDGET_RETRY_LIMIT;
        buf_reset(b);
        rc = feed_widget_render(r->t->rtxn, &site, q, b);
    }
    return rc;
}

/* fail keeps an iframe quiet: the "reviews unavailable" page, never an
 * error document; a bad cursor is a bad parameter (quiet_problem). */
static void fail(struct srv_req *r, const struct srv_page *pg, int rc)
{
    const struct feed_widget_query *q = pg->ctx;

    if (rc == CHORUS_EINVAL)
        srv__problem(r, 400, "The cursor is not one this widget gave out for this sort.");
    else
        error_page(r, rc == CHORUS_ENOTFOUND ? 404 : srv__status_of(rc), q->lang, q->dark, NULL);
}

static void widget(struct srv_req *r, bool page)
{
    static const char *const allowed[] = {"limit",  "sort",   "theme", "lang",
                                          "rating", "cursor", NULL};
    struct feed_widget_query q;
    struct review_stats st;
    struct store_txn *txn;
    struct buf *self, *key;
    const char *theme, *lang;
    bool vary;
    int rc;

    memset(&q, 0, sizeof(q));
    r->on_problem = quiet_problem;
    if (!srv__query_check(r, allowed) ||
        !srv__query_limit(r, WIDGET_DEFAULT_LIMIT, WIDGET_MAX_LIMIT, &q.limit) ||
        !srv__query_sort(r, &q.sort) || !srv__query_ratings(r, &q.ratings))
        return;
    theme = srv__query_get(r, "theme");
    if (theme && strcmp(theme, "light") != 0 && strcmp(theme, "dark") != 0) {
        srv__problem(r, 400, "theme must be light or dark.");
        return;
    }
    q.dark = theme && strcmp(theme, "dark") == 0;
    /* ?lang= wins; else the reader's first preference (feed_lang reads the
     * first tag of an Accept-Language list). */
    lang = srv__query_get(r, "lang");
    vary = !lang;
    if (!lang)
        lang = evhttp_find_header(evhttp_request_get_input_headers(r->req), "Accept-Language");
    q.lang = feed_lang(lang);
    q.cursor = srv__query_get(r, "cursor");
    q.product = r->param;
    q.page = page;
    self = srv__scratch(r, 1);
    key = srv__scratch(r, 0);
    buf_puts(self, page ? "/p/" : "/widget/");
    chorus_pct(self, r->param, strlen(r->param), false);
    if (!page)
        buf_puts(self, ".html");
    q.self_path = self->data;
    html_headers(r, page, vary);

    txn = srv__read_begin(r);
    if (!txn)
        goto out;
    /* A product no approved review or PUT vouched for yet has no page. */
    rc = store_scope_public(txn, STORE_SCOPE_PRODUCT, r->param, &st);
    if (rc) {
        srv__read_end(r);
        error_page(r, rc == CHORUS_ENOTFOUND ? 404 : srv__status_of(rc), q.lang, q.dark, NULL);
        goto out;
    }
    /* Parsed, not raw: "limit=010" and no limit are one page. */
    buf_printf(key, "widget|%c|%zu|%d|%u|%s|%d|", page ? 'p' : 'w', q.limit, (int)q.sort, q.ratings,
               q.lang, q.dark);
    srv__key_part(key, r->param);
    srv__page(r, &(struct srv_page){
                     .key = key->data,
                     .cursor = q.cursor,
                     .cacheable = true,
                     .version = st.version,
                     .cors = true,
                     .type = HTML_TYPE,
                     .max_bytes = WIDGET_MAX_BYTES,
                     .what = "widget",
                     .render = render,
                     .fail = fail,
                     .ctx = &q,
                 });
out:
}

void srv__widget_html(struct srv_req *r)
{
    widget(r, false);
}

void srv__widget_page(struct srv_req *r)
{
    widget(r, true);
}
