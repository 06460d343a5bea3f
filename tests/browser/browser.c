/* Browser test helpers (browser.h): the host-page server, headless
 * chromium, and checks on the DOM chromium dumps.
 *
 * chromium runs once per page load (--dump-dom or --screenshot) under
 * --virtual-time-budget: the driver in the page clicks through the widgets
 * and writes a JSON summary into <pre id="result">, which the dumped DOM
 * carries back. Virtual time stands still while a fetch is pending, so the
 * driver's waits do not depend on how loaded the machine is. Chromium
 * starts in about a second: cases batch their checks into few page loads.
 */
#include "browser.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "http_server.h"
#include "testmain.h"

#ifndef CHORUS_SOURCE_DIR
#error "CHORUS_SOURCE_DIR must name the source tree"
#endif

/* Virtual milliseconds chromium gives a page: the driver finishes in a
 * fraction of it; the rest passes instantly once the page is idle. */
#define BUDGET_MS "15000"

static const char *chromium_path;

char *br_fmt(const char *fmt, ...)
{
    va_list ap;
    char *s;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    assert_true(n >= 0);
    s = malloc((size_t)n + 1);
    assert_non_null(s);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* ---- the host-page server -------------------------------------------------------- */

#define MAX_PAGES 8

struct br_page {
    char path[64];
    const char *type;
    char *body;
    size_t len;
};

/* The host-page server: pages on the embedded test server (http_server.h). */
struct br_host {
    struct ts_server *srv;
    /* Guarded by the server's lock (pages change between chromium runs): */
    struct br_page pages[MAX_PAGES];
    size_t n;
};

static void on_host(struct ts_server *srv, struct evhttp_request *req, void *arg)
{
    struct br_host *h = arg;
    const char *uri = evhttp_request_get_uri(req);
    size_t plen = strcspn(uri, "?#");
    const struct br_page *page = NULL;

    /* Replying under the lock: the reply copies the page. */
    ts_lock(srv);
    for (size_t i = 0; i < h->n && !page; i++)
        if (strlen(h->pages[i].path) == plen && strncmp(h->pages[i].path, uri, plen) == 0)
            page = &h->pages[i];
    ts_add_header(req, "Cache-Control", "no-store");
    if (page)
        ts_reply(req, 200, "OK", page->type, page->body, page->len);
    else
        ts_reply(req, 404, "Not Found", "text/plain; charset=utf-8", "not found\n", 10);
    ts_unlock(srv);
}

void br_host_put(struct br_host *h, const char *path, const char *type, const char *body,
                 size_t len)
{
    struct br_page *p = NULL;

    ts_lock(h->srv);
    for (size_t i = 0; i < h->n; i++)
        if (strcmp(h->pages[i].path, path) == 0)
            p = &h->pages[i];
    if (!p) {
        assert_true(h->n < MAX_PAGES);
        p = &h->pages[h->n++];
        snprintf(p->path, sizeof(p->path), "%s", path);
    }
    free(p->body);
    p->body = malloc(len + 1);
    assert_non_null(p->body);
    memcpy(p->body, body, len);
    p->body[len] = '\0';
    p->len = len;
    p->type = type;
    ts_unlock(h->srv);
}

static void br_host_stop(struct br_host *h)
{
    if (!h)
        return;
    ts_server_stop(h->srv);
    for (size_t i = 0; i < h->n; i++)
        free(h->pages[i].body);
    free(h);
}

static struct br_host *br_host_start(void)
{
    struct br_host *h = calloc(1, sizeof(*h));
    struct ts_config cfg = {.timeout_s = 30, .handler = on_host, .arg = h};

    assert_non_null(h);
    if (ts_server_start(&h->srv, &cfg) != 0) {
        free(h);
        fail_msg("cannot start the host-page server on 127.0.0.1");
    }
    return h;
}

/* ---- fixture ------------------------------------------------------------------------ */

int br_setup(void **state)
{
    struct br_env *t = calloc(1, sizeof(*t));
    char *driver;
    size_t len;

    if (!t)
        abort();
    t->d = chorusd_new(NULL);
    if (!t->d) {
        free(t);
        return -1;
    }
    t->host = br_host_start();
    snprintf(t->origin, sizeof(t->origin), "http://127.0.0.1:%d", t->d->port);
    snprintf(t->host_origin, sizeof(t->host_origin), "%s", ts_server_url(t->host->srv));
    driver = h_slurp(CHORUS_SOURCE_DIR "/tests/browser/driver.js", &len);
    if (!driver) {
        print_error("cannot read tests/browser/driver.js\n");
        br_host_stop(t->host);
        chorusd_free(t->d);
        free(t);
        return -1;
    }
    br_host_put(t->host, "/driver.js", "text/javascript; charset=utf-8", driver, len);
    free(driver);
    *state = t;
    return 0;
}

int br_teardown(void **state)
{
    struct br_env *t = *state;
    int rc;

    if (!t)
        return 0;
    br_host_stop(t->host);
    rc = chorusd_free(t->d);
    free(t);
    *state = NULL;
    return rc;
}

/* ---- chromium ------------------------------------------------------------------------ */

/* find_chromium returns $CHROMIUM, or the first executable "chromium" on
 * PATH, or NULL (find_on_path, below). */
static const char *find_on_path(const char *env, const char *name, char *buf, size_t cap);

static const char *find_chromium(void)
{
    static char found[512];

    return find_on_path("CHROMIUM", "chromium", found, sizeof(found));
}

/* A fresh profile per run: parallel cases never share one, and no vote
 * remembered in localStorage leaks from one run into the next. */
char *br_chromium(struct br_env *t, const char *url, const char *shot)
{
    char profile[400], out[400], err[400], prof_arg[420], shot_arg[600];
    char size_arg[64];
    const char *argv[24];
    int argc = 0, rc;
    char *dom;

    t->runs++;
    snprintf(profile, sizeof(profile), "%s/chromium-%d", t->d->root, t->runs);
    snprintf(out, sizeof(out), "%s/chromium-%d.out", t->d->root, t->runs);
    snprintf(err, sizeof(err), "%s/chromium-%d.err", t->d->root, t->runs);
    snprintf(prof_arg, sizeof(prof_arg), "--user-data-dir=%s", profile);
    /* timeout(1): a wedged browser fails this case instead of hanging ctest. */
    argv[argc++] = "/usr/bin/timeout";
    argv[argc++] = "-k";
    argv[argc++] = "5";
    argv[argc++] = "120";
    argv[argc++] = chromium_path;
    argv[argc++] = "--headless";
    argv[argc++] = "--no-sandbox";
    argv[argc++] = "--disable-gpu";
    argv[argc++] = "--no-first-run";
    argv[argc++] = "--disable-extensions";
    argv[argc++] = "--disable-background-networking";
    argv[argc++] = "--disable-component-update";
    argv[argc++] = "--lang=en-US";
    argv[argc++] = prof_arg;
    argv[argc++] = "--virtual-time-budget=" BUDGET_MS;
    if (shot) {
        snprintf(shot_arg, sizeof(shot_arg), "--screenshot=%s", shot);
        argv[argc++] = shot_arg;
        snprintf(size_arg, sizeof(size_arg), "--window-size=%d,%d", BR_SHOT_W, BR_SHOT_H);
        argv[argc++] = size_arg;
        argv[argc++] = "--hide-scrollbars";
    } else {
        argv[argc++] = "--dump-dom";
    }
    argv[argc++] = url;
    argv[argc] = NULL;
    rc = h_run(out, err, argv);
    if (rc != 0) {
        char *e = h_slurp(err, NULL);

        print_error("chromium exited with %d on %s; its stderr:\n%s\n", rc, url, e ? e : "");
        free(e);
        fail();
    }
    h_rmtree(profile);
    if (shot)
        return NULL;
    dom = h_slurp(out, NULL);
    assert_non_null(dom);
    return dom;
}

/* ---- the dumped DOM -------------------------------------------------------------------- */

static xmlDoc *dom_parse(const char *dom)
{
    xmlDoc *doc = htmlReadMemory(dom, (int)strlen(dom), "dump.html", "UTF-8",
                                 HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                     HTML_PARSE_NONET);

    if (!doc)
        fail_msg("chromium's DOM does not parse:\n%.2000s", dom);
    return doc;
}

static xmlNode *dom_find_id(xmlNode *n, const char *id)
{
    for (; n; n = n->next) {
        xmlNode *f;

        if (n->type == XML_ELEMENT_NODE) {
            xmlChar *v = xmlGetProp(n, (const xmlChar *)"id");
            bool hit = v && strcmp((const char *)v, id) == 0;

            xmlFree(v);
            if (hit)
                return n;
        }
        f = dom_find_id(n->children, id);
        if (f)
            return f;
    }
    return NULL;
}

json_t *br_result(struct br_env *t, const char *url)
{
    char *dom = br_chromium(t, url, NULL);
    xmlDoc *doc = dom_parse(dom);
    xmlNode *pre = dom_find_id(xmlDocGetRootElement(doc), "result");
    xmlChar *text = pre ? xmlNodeGetContent(pre) : NULL;
    json_error_t e;
    json_t *res = text && text[0] ? json_loads((const char *)text, 0, &e) : NULL;
    char *summary;

    if (!res)
        fail_msg("no driver result in the page %s (driver did not finish?):\n%.3000s", url, dom);
    xmlFree(text);
    xmlFreeDoc(doc);
    /* The summary, for whoever reads a failure (ctest shows it then). */
    summary = json_dumps(res, JSON_COMPACT);
    fprintf(stderr, "driver summary of %s:\n%s\n", url, summary ? summary : "");
    free(summary);
    if (json_array_size(json_object_get(res, "errors")) != 0)
        fail_msg("the driver failed on %s", url);
    if (strstr(dom, "data-pwned=\""))
        fail_msg("a payload ran in the host page %s", url);
    free(dom);
    expect_jnull(res, "pwned");
    expect_jnull(res, "html_pwned");
    for (size_t i = 0; i < json_array_size(json_object_get(res, "messages")); i++) {
        const char *m = json_string_value(json_array_get(json_object_get(res, "messages"), i));

        if (m && strncmp(m, "pwned", 5) == 0)
            fail_msg("a payload ran in a frame of %s: %s", url, m);
    }
    return res;
}

void br_host_page(struct br_env *t, const char *path, const char *divs, json_t *config)
{
    char *cfg, *html;

    json_object_set_new(config, "origin", json_string(t->origin));
    cfg = json_dumps(config, JSON_COMPACT);
    assert_non_null(cfg);
    br_host_put(t->host, "/config.json", "application/json", cfg, strlen(cfg));
    free(cfg);
    json_decref(config);
    /* The host's own styles try to reach into the widget (they must not),
     * and a host element with a widget class checks that the widget's
     * styles stay inside. */
    html = br_fmt(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>Host shop page</title>\n"
        "<style>body{margin:24px;font:18px/1.2 serif;background:#fff}"
        "div{color:#f00;letter-spacing:3px}.cw-title{display:none}"
        "[data-chorus-product]{margin:0 0 24px}pre{white-space:pre-wrap;overflow-wrap:anywhere}"
        "</style></head>\n<body>\n"
        "<main><h1>Host shop page</h1>\n%s\n"
        "<p class=\"cw-verified\" id=\"probe\">host text</p>\n"
        "<pre id=\"result\"></pre></main>\n"
        "<script src=\"%s/widget/embed.js\" async></script>\n"
        "<script src=\"/driver.js\" defer></script>\n</body></html>\n",
        divs, t->origin);
    br_host_put(t->host, path, "text/html; charset=utf-8", html, strlen(html));
    free(html);
}

/* ---- server-rendered pages ------------------------------------------------------------ */

/* scan_page walks a parsed server-rendered page. Findings: an element
 * that runs or loads something (a <script> that is not JSON-LD, frames,
 * objects, <base>), an event-handler attribute, a javascript: URL, the
 * data-pwned mark. (The page's own vote forms are fine: their action is
 * checked like any URL.) JSON-LD blocks must parse as JSON: a review that
 * closed the script element would cut one short. Text outside scripts and
 * styles is collected: a payload parsed as markup would be missing from it. */

static void scan_text(struct br_scan *s, const char *t)
{
    size_t n = strlen(t);

    if (s->len + n + 1 > s->cap) {
        s->cap = (s->len + n + 1) * 2;
        s->text = realloc(s->text, s->cap);
        assert_non_null(s->text);
    }
    memcpy(s->text + s->len, t, n + 1);
    s->len += n;
}

static bool named(const xmlNode *n, const char *name)
{
    return strcasecmp((const char *)n->name, name) == 0;
}

static void scan_script(xmlNode *n, struct br_scan *s)
{
    xmlChar *type = xmlGetProp(n, (const xmlChar *)"type");
    xmlChar *body = xmlNodeGetContent(n);
    json_error_t e;
    json_t *j = NULL;

    if (!type || strcmp((const char *)type, "application/ld+json") != 0) {
        print_error("a <script> that is not JSON-LD: %.200s\n", body ? (char *)body : "");
        s->findings++;
    } else if (!(j = json_loads(body ? (const char *)body : "", 0, &e))) {
        print_error("JSON-LD does not parse (%s): %.300s\n", e.text, body ? (char *)body : "");
        s->findings++;
    } else {
        s->json_ld++;
    }
    json_decref(j);
    xmlFree(type);
    xmlFree(body);
}

static void scan_page(xmlNode *n, struct br_scan *s, bool in_script)
{
    static const char *const banned[] = {"iframe", "frame", "object", "embed", "base"};

    for (; n; n = n->next) {
        bool script;

        if (n->type == XML_TEXT_NODE && !in_script && n->content)
            scan_text(s, (const char *)n->content);
        if (n->type != XML_ELEMENT_NODE)
            continue;
        for (size_t i = 0; i < sizeof(banned) / sizeof(banned[0]); i++)
            if (named(n, banned[i])) {
                print_error("element <%s> in the page\n", n->name);
                s->findings++;
            }
        script = named(n, "script") || named(n, "style");
        if (named(n, "script"))
            scan_script(n, s);
        for (xmlAttr *a = n->properties; a; a = a->next) {
            xmlChar *v = xmlNodeListGetString(n->doc, a->children, 1);
            const char *val = v ? (const char *)v : "";

            val += strspn(val, " \t\r\n");
            if (strncasecmp((const char *)a->name, "on", 2) == 0 ||
                strcmp((const char *)a->name, "data-pwned") == 0 ||
                strncasecmp(val, "javascript:", 11) == 0) {
                print_error("attribute %s=\"%.80s\" on <%s>\n", a->name, val, n->name);
                s->findings++;
            }
            xmlFree(v);
        }
        scan_page(n->children, s, in_script || script);
    }
}

void br_expect_png(const char *path)
{
    br_expect_png_size(path, BR_SHOT_W, BR_SHOT_H, 20000);
}

void br_expect_png_size(const char *path, int w, int h, size_t min)
{
    size_t len = 0;
    char *png = h_slurp(path, &len);
    const unsigned char *u = (const unsigned char *)png;

    if (!png)
        fail_msg("no screenshot at %s", path);
    if (len < 24 || memcmp(png, "\x89PNG\r\n\x1a\n", 8) != 0)
        fail_msg("%s is not a PNG", path);
    /* IHDR: width and height, big-endian, right after the signature. */
    assert_int_equal((u[16] << 24) | (u[17] << 16) | (u[18] << 8) | u[19], w);
    assert_int_equal((u[20] << 24) | (u[21] << 16) | (u[22] << 8) | u[23], h);
    if (len < min)
        fail_msg("%s is only %zu bytes: a blank page?", path, len);
    free(png);
    fprintf(stderr, "screenshot: %s (%zu bytes)\n", path, len);
}

void br_scan_dom(const char *dom, struct br_scan *s)
{
    xmlDoc *doc = dom_parse(dom);

    memset(s, 0, sizeof(*s));
    scan_page(xmlDocGetRootElement(doc), s, false);
    xmlFreeDoc(doc);
}

/* ---- through the DevTools protocol ------------------------------------------------------ */

#ifndef CHORUS_AXE_JS
#error "CHORUS_AXE_JS must name where tools/dev.sh puts axe.min.js"
#endif

/* find_on_path returns env's value when set, else the first executable
 * name on PATH (written to buf), or NULL. */
static const char *find_on_path(const char *env, const char *name, char *buf, size_t cap)
{
    const char *v = getenv(env), *path = getenv("PATH");

    if (v && v[0])
        return access(v, X_OK) == 0 ? v : NULL;
    if (!path || !path[0])
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        size_t n = strcspn(path, ":");

        snprintf(buf, cap, "%.*s/%s", (int)n, path, name);
        if (n && access(buf, X_OK) == 0)
            return buf;
        path += n + (path[n] == ':');
    }
    return NULL;
}

static const char *node_path, *axe_path;

int br_setup_cdp(void **state)
{
    const char *axe = getenv("CHORUS_AXE_JS");
    static char node_buf[512];
    const char *missing = NULL;

    node_path = find_on_path("NODE", "node", node_buf, sizeof(node_buf));
    axe_path = axe && axe[0] ? axe : CHORUS_AXE_JS;
    if (!node_path)
        missing = "node (Debian's nodejs; or set NODE=/path/to/node)";
    else if (access(axe_path, R_OK) != 0)
        missing = "axe-core: tools/dev.sh axe BUILD_DIR fetches the pinned version with npm "
                  "(or set CHORUS_AXE_JS=/path/to/axe.min.js)";
    if (missing) {
        const char *strict = getenv("CHORUS_BROWSER_STRICT");

        if (strict && strict[0]) {
            print_error("CHORUS_BROWSER_STRICT is set and this test needs %s (looked for %s)\n",
                        missing, axe_path);
            return -1;
        }
        fprintf(stderr, "skipped: this test needs %s\n", missing);
        exit(77);
    }
    return br_setup(state);
}

json_t *br_cdp(struct br_env *t, json_t *pages)
{
    char job[400], out[400], err[400], profile[400];
    const char *argv[10];
    json_t *j, *res;
    json_error_t e;
    char *text;
    int rc;

    t->runs++;
    snprintf(job, sizeof(job), "%s/cdp-%d.json", t->d->root, t->runs);
    snprintf(out, sizeof(out), "%s/cdp-%d.out", t->d->root, t->runs);
    snprintf(err, sizeof(err), "%s/cdp-%d.err", t->d->root, t->runs);
    snprintf(profile, sizeof(profile), "%s/chromium-%d", t->d->root, t->runs);
    j = json_pack("{s:s, s:s, s:s, s:o}", "chromium", chromium_path, "profile", profile, "axe",
                  axe_path, "pages", pages);
    assert_non_null(j);
    assert_int_equal(json_dump_file(j, job, 0), 0);
    json_decref(j);
    argv[0] = "/usr/bin/timeout";
    argv[1] = "-k";
    argv[2] = "5";
    argv[3] = "240";
    argv[4] = node_path;
    argv[5] = CHORUS_SOURCE_DIR "/tests/browser/cdp.js";
    argv[6] = job;
    argv[7] = NULL;
    rc = h_run(out, err, argv);
    text = h_slurp(out, NULL);
    res = text ? json_loads(text, 0, &e) : NULL;
    if (rc != 0 || !res || json_object_get(res, "error")) {
        char *es = h_slurp(err, NULL);

        print_error("cdp.js exited with %d; its output:\n%.4000s\nits stderr:\n%.4000s\n", rc,
                    text ? text : "", es ? es : "");
        free(es);
        fail();
    }
    free(text);
    h_rmtree(profile);
    return res;
}

/* ---- main ------------------------------------------------------------------------------- */

int br_main(int argc, char **argv)
{
    chromium_path = find_chromium();
    if (!chromium_path) {
        fprintf(stderr, "skipped: chromium is not installed (tools/dev.sh deps installs Debian's "
                        "chromium; or set CHROMIUM=/path/to/chromium)\n");
        return 77;
    }
    return chorus_test_run("browser", argc, argv);
}
