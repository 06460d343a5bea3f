/* Browser test helpers: a host-page server, headless chromium, and checks
 * on what chromium dumps (tests/browser/browser.c).
 *
 * A case gets a struct br_env from br_setup: a real chorusd (the
 * integration harness) and a host-page server, the embedded test server
 * (http_server.h) on 127.0.0.1 port 0, so host pages and chorusd are
 * different origins as on a real shop. The host serves /driver.js
 * (tests/browser/driver.js) and whatever the case puts there. chromium
 * then loads one page per run, headless, in a fresh profile.
 *
 * Failures report through cmocka and fail the case, as the harness does.
 * Single test thread; only the host server's handler runs on its thread.
 */
#ifndef CHORUS_TEST_BROWSER_H
#define CHORUS_TEST_BROWSER_H

#include "harness.h"

/* Screenshots are this size (--window-size). */
#define BR_SHOT_W 1000
#define BR_SHOT_H 1400

struct br_host; /* the host-page server */

struct br_env {
    struct chorusd *d;
    struct br_host *host;
    char origin[64];      /* chorusd, "http://127.0.0.1:PORT" */
    char host_origin[64]; /* the host pages */
    int runs;             /* chromium runs so far, for unique file names */
};

/* cmocka fixtures: *state becomes a struct br_env. */
int br_setup(void **state);
int br_teardown(void **state);

/* br_main is main() for a browser test program, through
 * CHORUS_TEST_MAIN_VIA(br_main): like CHORUS_TEST_MAIN() (one case by name,
 * or all), but exits 77 (skipped), saying why, when there is no chromium
 * ($CHROMIUM, else "chromium" on PATH). */
int br_main(int argc, char **argv);

/* br_fmt formats into a new heap string (caller frees). */
char *br_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* br_host_put serves a copy of body at path (exact path, query ignored)
 * with Content-Type type (a static string) from now on. */
void br_host_put(struct br_host *h, const char *path, const char *type, const char *body,
                 size_t len);
/* br_host_page serves at path a host page that embeds divs (raw HTML, the
 * case's own) with <script src="CHORUSD/widget/embed.js" async> and the
 * driver, and serves config (stolen; "origin" is added) as /config.json
 * for the driver. The page's own styles try to reach into the widgets. */
void br_host_page(struct br_env *t, const char *path, const char *divs, json_t *config);

/* br_chromium loads url once in headless chromium under a virtual-time
 * budget. With shot NULL it returns the DOM as chromium serialises it
 * (caller frees); otherwise it writes a BR_SHOT_W x BR_SHOT_H PNG to shot
 * and returns NULL. Fails the case when chromium fails. */
char *br_chromium(struct br_env *t, const char *url, const char *shot);
/* br_result loads url (a host page with the driver) and returns the
 * driver's JSON summary from <pre id="result"> (new reference), printed
 * to stderr too. It fails the case when the driver reported an error or
 * when any payload ran: window.__pwned set, data-pwned on <html>, or a
 * "pwned..." message from a frame. */
json_t *br_result(struct br_env *t, const char *url);

/* What br_scan_dom found in a server-rendered page. */
struct br_scan {
    int findings; /* smuggled elements or attributes (each printed) */
    int json_ld;  /* JSON-LD blocks that parse as JSON */
    char *text;   /* the page's text outside scripts, concatenated (caller frees) */
    size_t len, cap;
};

/* br_scan_dom parses a dumped DOM and fills *s (zeroed first). Findings:
 * a <script> that is not JSON-LD or whose JSON does not parse (a review
 * that closed the element would cut it short), frames, objects, <base>,
 * event-handler attributes, javascript: URLs, the data-pwned mark. */
void br_scan_dom(const char *dom, struct br_scan *s);

/* br_expect_png checks that path is a BR_SHOT_W x BR_SHOT_H PNG of more
 * than a blank page's worth of bytes, and says where it is;
 * br_expect_png_size is the same for a w x h PNG of at least min bytes. */
void br_expect_png(const char *path);
void br_expect_png_size(const char *path, int w, int h, size_t min);

/* ---- through the DevTools protocol (tests/browser/cdp.js) ----------------------------- */

/* What --dump-dom cannot do (viewports narrower than a headless window's
 * 500 px, key presses, scripts in the widget pages, which allow none, the
 * console) goes through cdp.js, run by node. It needs node and, to audit,
 * axe-core (npm), which tools/dev.sh fetches into the build folder (see
 * docs/widget.md#accessibility). */

/* br_setup_cdp is br_setup for a case that uses br_cdp: without node or
 * axe-core it exits 77 (skipped, saying why and how to get them), or,
 * with CHORUS_BROWSER_STRICT set in the environment (tools/dev.sh test,
 * hence CI), fails the case. */
int br_setup_cdp(void **state);

/* br_cdp runs cdp.js on pages, a JSON array (stolen) of {url, width,
 * height (default 1400), shot (a PNG path, or absent), audit (axe-core and
 * layout facts), tab (the Tab walk)}, each in a new tab of one chromium,
 * and returns its result (new reference), {pages: [...]} in that order.
 * Fails the case when node fails or cdp.js reports an error. */
json_t *br_cdp(struct br_env *t, json_t *pages);

#endif
