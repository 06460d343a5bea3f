/* Browser tests: the review widget in a real browser, Debian's chromium
 * running headless against a real chorusd (helpers: browser.h).
 *
 * Each case posts products and reviews to its own chorusd and serves host
 * pages (another origin, as on a real shop) that embed widgets with
 * <script src="CHORUSD/widget/embed.js" async>; the driver script in the
 * page (driver.js) clicks through them and reports back. Without chromium
 * every case exits 77 (skipped), saying why.
 *
 * Hostile review text (script tags, event handlers, javascript: URLs, SVG,
 * strings that close script and style elements, RTL overrides) is checked
 * in both embed modes: every payload announces itself three ways if it
 * runs (window.__pwned, a data-pwned attribute on <html>, a postMessage to
 * the parent), and the rendered DOM is searched for any element or
 * attribute the text could have smuggled in, and for each payload as text.
 */
#include "browser.h"
#include "testmain.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "seed.h"

#ifndef CHORUS_ARTIFACTS_DIR
#error "CHORUS_ARTIFACTS_DIR must name where screenshots go"
#endif

/* ---- data -------------------------------------------------------------------------------- */

#define LONG_CHUNK  "The hinge holds up well after a month. "
#define LONG_REPEAT 24

/* long_body is head and an ASCII text long enough to be folded (caller
 * frees). */
static char *long_body(const char *head)
{
    size_t cap = strlen(head) + 1 + LONG_REPEAT * strlen(LONG_CHUNK) + 1, n;
    char *s = malloc(cap);

    assert_non_null(s);
    n = (size_t)snprintf(s, cap, "%s ", head);
    for (int i = 0; i < LONG_REPEAT; i++)
        n += (size_t)snprintf(s + n, cap - n, "%s", LONG_CHUNK);
    s[n - 1] = '.';
    return s;
}

/* The two-widget data: lap-a, 14 rated reviews (one long, one answered,
 * some verified); desk-b, three rated reviews and a mention; empty-c, a
 * product without reviews. */
static const int lap_ratings[14] = {5, 4, 5, 3, 1, 2, 5, 4, 4, 5, 1, 3, 5, 4};

static void seed_widgets(struct chorusd *d)
{
    json_t *arr = json_array();
    char *lb = long_body("Long review.");
    struct hresp *r;

    for (int i = 0; i < 14; i++) {
        json_t *o = json_pack("{s:s, s:i, s:s, s:s, s:s, s:b, s:s, s:{s:s, s:s}}", "product_id",
                              "lap-a", "rating", lap_ratings[i], "title",
                              h_fmt("Review %d rated %d", i, lap_ratings[i]), "body",
                              i == 7 ? lb : h_fmt("Body of review %d.\nSecond line.", i), "author",
                              h_fmt("Author %d", i), "verified", i % 3 == 0, "created_at",
                              h_fmt("2024-05-%02dT10:00:00Z", i + 1), "product", "name",
                              "Lumen Laptop 14", "brand", "Lumen");

        if (i == 4)
            json_object_set_new(o, "responses",
                                json_pack("[{s:s, s:s}]", "body", "Sorry, a fix is on the way.",
                                          "created_at", "2024-05-06T10:00:00Z"));
        json_array_append_new(arr, o);
    }
    for (int i = 0; i < 3; i++)
        json_array_append_new(
            arr, json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:{s:s}}", "product_id", "desk-b",
                           "rating", i == 1 ? 3 : 2, "title", h_fmt("Desk %d", i), "body",
                           "Wobbly.", "author", "Bo", "created_at",
                           h_fmt("2024-06-%02dT10:00:00Z", i + 1), "product", "name", "Desk B"));
    json_array_append_new(arr, json_pack("{s:s, s:s, s:s}", "product_id", "desk-b", "title",
                                         "A mention", "created_at", "2024-06-10T10:00:00Z"));
    seed_reviews(d, arr, NULL);
    free(lb);
    r = h_put_json(d, "/api/v1/products/empty-c", "{\"name\":\"Empty C\"}");
    expect_status(r, 201);
    hresp_free(r);
}

/* page_ids GETs a review list and returns its ids as ["review-N", ...]. */
static json_t *page_ids(struct chorusd *d, const char *path)
{
    uint64_t ids[64];
    size_t n = h_list_ids(d, false, path, ids, 64, NULL);
    json_t *a = json_array();

    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(h_fmt("review-%llu", (unsigned long long)ids[i])));
    return a;
}

static void expect_equal_json(json_t *got, json_t *want, const char *what)
{
    if (!json_equal(got, want)) {
        char *g = json_dumps(got, JSON_ENCODE_ANY), *w = json_dumps(want, JSON_ENCODE_ANY);

        fail_msg("%s: got %s, want %s", what, g ? g : "(none)", w ? w : "(none)");
    }
}

/* expect_summary checks a widget's summary against the product's stats:
 * count, average in the widget's locale, histogram 5..1. */
static void expect_summary(struct br_env *t, json_t *w, const char *id, char decimal)
{
    struct hresp *r = h_get(t->d, h_fmt("/api/v1/products/%s", id));
    json_t *stats = jpath(r->json, "stats"), *hist = json_array(), *ratings = json_array();
    char avg[16];

    expect_status(r, 200);
    snprintf(avg, sizeof(avg), "%.1f", json_number_value(json_object_get(stats, "average")));
    if (strchr(avg, '.'))
        *strchr(avg, '.') = decimal;
    expect_jstr(w, "avg", avg);
    expect_jcontains(w, "count",
                     h_fmt("%lld", json_integer_value(json_object_get(stats, "count"))));
    expect_jcontains(w, "stars_label", avg);
    for (int s = 5; s >= 1; s--) {
        json_array_append(hist, jpath(stats, h_fmt("histogram[%d]", s - 1)));
        json_array_append_new(ratings, json_integer(s));
    }
    expect_equal_json(json_object_get(w, "hist"), hist, h_fmt("%s histogram", id));
    expect_equal_json(json_object_get(w, "hist_ratings"), ratings, h_fmt("%s bars", id));
    expect_jbool(w, "error", false);
    expect_jbool(w, "live", true);
    expect_jstr(w, "feed", h_fmt("%s/feeds/products/%s.atom", t->origin, id));
    json_decref(hist);
    json_decref(ratings);
    hresp_free(r);
}

/* ---- cases ---------------------------------------------------------------------------------- */

/* Two widgets (and an empty and an unknown product) on one host page:
 * the right counts, averages, histograms and reviews; "Show more", a
 * histogram filter and its reset, the sort menu, "Read more" and a vote
 * work, by keyboard-reachable controls with ARIA names; host styles do
 * not reach in, widget styles do not reach out. */
CHORUS_TEST_SETUP(widgets_two_on_a_page, br_setup, br_teardown)
{
    struct br_env *t = *state;
    struct chorusd *d = t->d;
    json_t *res, *a, *b, *drive, *want, *stars;
    struct hresp *r;
    long long vid;
    char *lb;

    seed_widgets(d);
    br_host_page(t, "/widgets.html",
                 "<div data-chorus-product=\"lap-a\"></div>\n"
                 "<div data-chorus-product=\"desk-b\" data-chorus-theme=\"dark\" "
                 "data-chorus-lang=\"fr\" data-chorus-limit=\"2\"></div>\n"
                 "<div data-chorus-product=\"empty-c\" data-chorus-limit=\"50\"></div>\n"
                 "<div data-chorus-product=\"no-such-product\"></div>\n"
                 "<div data-chorus-product=\"desk-b\" data-chorus-limit=\"80\"></div>",
                 json_pack("{s:s, s:s, s:i, s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}, "
                           "{s:s, s:s, s:i}]}",
                           "scenario", "widgets", "drive", "lap-a", "filter", 1, "widgets", "id",
                           "lap-a", "key", "a", "id", "desk-b", "key", "b", "id", "empty-c", "key",
                           "c", "id", "no-such-product", "key", "d", "id", "desk-b", "key", "e",
                           "nth", 1));
    res = br_result(t, h_fmt("%s/widgets.html", t->host_origin));

    /* lap-a: English (navigator.language), light, five per page, the pair. */
    a = json_object_get(res, "a");
    assert_non_null(a);
    expect_summary(t, a, "lap-a", '.');
    expect_jstr(a, "lang", "en");
    expect_jbool(a, "dark", false);
    expect_jcontains(a, "label", "Lumen Laptop 14");
    want = page_ids(d, "/api/v1/products/lap-a/reviews?limit=5");
    expect_equal_json(json_object_get(a, "ids"), want, "lap-a first page");
    json_decref(want);
    expect_jbool(a, "more", true);
    assert_int_equal(json_array_size(json_object_get(a, "pair")), 2);
    assert_true(json_integer_value(jpath(a, "pair[0]")) >= 4);
    assert_true(json_integer_value(jpath(a, "pair[1]")) <= 3);
    /* Host CSS hides .cw-title and colours divs red: neither gets in. */
    expect_jbool(a, "title_shown", true);
    expect_jstr(a, "title_color", "rgb(31, 35, 40)");

    /* desk-b: French, dark, two per page; 3 rated reviews, no pair. */
    b = json_object_get(res, "b");
    assert_non_null(b);
    expect_summary(t, b, "desk-b", ',');
    expect_jstr(b, "lang", "fr");
    expect_jbool(b, "dark", true);
    want = page_ids(d, "/api/v1/products/desk-b/reviews?limit=2");
    expect_equal_json(json_object_get(b, "ids"), want, "desk-b first page");
    json_decref(want);
    expect_jbool(b, "more", true);
    assert_int_equal(json_array_size(json_object_get(b, "pair")), 0);
    expect_jstr(b, "title_color", "rgb(230, 237, 243)");

    /* No reviews: the empty state. Unknown product: the quiet error. */
    expect_jbool(json_object_get(res, "c"), "empty", true);
    expect_jbool(json_object_get(res, "c"), "error", false);
    assert_int_equal(json_array_size(jpath(res, "c.ids")), 0);
    expect_jbool(json_object_get(res, "d"), "error", true);
    assert_int_equal(json_array_size(jpath(res, "d.ids")), 0);
    assert_int_equal(json_array_size(jpath(res, "d.hist")), 0);
    expect_jnull(res, "d.fallback");
    /* A bad parameter (limit 80): the quiet error and a link to the
     * product's page, as the iframe has, nothing loaded. */
    expect_jbool(json_object_get(res, "e"), "error", true);
    assert_int_equal(json_array_size(jpath(res, "e.ids")), 0);
    assert_int_equal(json_array_size(jpath(res, "e.hist")), 0);
    expect_jstr(res, "e.fallback", h_fmt("%s/p/desk-b", t->origin));

    drive = json_object_get(res, "drive");
    assert_non_null(drive);
    expect_jbool(drive, "a11y.bars_labelled", true);
    expect_jbool(drive, "a11y.stars_labelled", true);
    expect_jbool(drive, "a11y.controls_named", true);
    expect_jbool(drive, "a11y.sort_labelled", true);
    expect_jbool(drive, "a11y.focusable", true);
    expect_jbool(drive, "a11y.clickables_are_controls", true);

    /* "Show more" appends the API's next page and moves focus to it. */
    expect_jint(drive, "before", 5);
    expect_jint(drive, "after_more", 10);
    want = page_ids(d, "/api/v1/products/lap-a/reviews?limit=10");
    expect_equal_json(json_object_get(drive, "ids_after_more"), want, "lap-a after Show more");
    json_decref(want);
    expect_jbool(drive, "focus_after_more", true);

    /* "Read more" unfolds the long body (review 7, on the second page). */
    expect_jstr(drive, "fold.expanded0", "false");
    expect_jstr(drive, "fold.expanded1", "true");
    assert_true(json_integer_value(jpath(drive, "fold.len0")) < 720);
    lb = long_body("Long review.");
    assert_int_equal(json_integer_value(jpath(drive, "fold.len1")), strlen(lb));
    free(lb);

    /* The 1-star bar: pressed, alone, lists exactly the 1-star reviews. */
    expect_jstr(drive, "filter.pressed", "true");
    expect_jint(drive, "filter.others_pressed", 1);
    expect_jint(drive, "filter.listed", 2);
    stars = json_pack("[i, i]", 1, 1);
    expect_equal_json(jpath(drive, "filter.stars"), stars, "1-star filter");
    json_decref(stars);
    expect_jbool(drive, "filter.all_shown", true);
    expect_jbool(drive, "filter.pair_shown", false); /* the pair is the unfiltered view's */
    expect_jint(drive, "unfiltered.listed", 5);
    expect_jint(drive, "unfiltered.pressed", 0);
    expect_jbool(drive, "unfiltered.pair_shown", true);

    /* Sort "lowest": 1, 1, 2, 3, 3. */
    stars = json_pack("[i, i, i, i, i]", 1, 1, 2, 3, 3);
    expect_equal_json(json_object_get(drive, "lowest"), stars, "lowest first");
    json_decref(stars);

    /* A vote: counted at once, confirmed by the server, once per browser. */
    expect_jint(drive, "vote.yes0", 0);
    expect_jint(drive, "vote.yes_optimistic", 1);
    expect_jint(drive, "vote.yes1", 1);
    expect_jstr(drive, "vote.pressed", "true");
    expect_jbool(drive, "vote.focus_kept", true);
    expect_jint(drive, "vote.yes2", 1);
    expect_jint(drive, "vote.no2", 0);
    expect_jstr(drive, "vote.stored", "1");
    assert_true(strlen(json_string_value(jpath(drive, "vote.msg"))) > 0);
    vid = strtoll(json_string_value(jpath(drive, "vote.id")) + strlen("review-"), NULL, 10);
    r = h_get(d, h_fmt("/api/v1/reviews/%lld", vid));
    expect_status(r, 200);
    expect_jint(r->json, "helpful", 1);
    expect_jint(r->json, "not_helpful", 0);
    hresp_free(r);
    json_decref(res);
}

/* ---- hostile text ---------------------------------------------------------------------- */

/* A payload that runs says so three ways: a global, an attribute on
 * <html> (visible in a dumped DOM), and a message to the parent (visible
 * from a cross-origin frame). */
#define RUN(n)                                                                                     \
    "window.__pwned=" #n ";document.documentElement.setAttribute('data-pwned','" #n "');"          \
    "parent.postMessage('pwned-" #n "','*')"

static const char *const payloads[] = {
    "<script>" RUN(1) "</script>",
    "<img src=x onerror=\"" RUN(2) "\">",
    "javascript:" RUN(3),
    "<svg onload=\"" RUN(4) "\">",
    "</script><script>" RUN(5) "</script>",
    "</style><img src=x onerror=" RUN(6) ">",
    "\xe2\x80\xae"
    "exe.evil\xe2\x80\xac <b>rtl</b> \xe2\x80\xaeyrros",
    "\"'><img src=x onerror=\"" RUN(8) "\"><!--",
};
#define N_PAYLOADS (sizeof(payloads) / sizeof(payloads[0]))

/* seed_hostile stores product "evil" named and branded with payloads and
 * four reviews whose every text field is one, plus a brand response. */
static void seed_hostile(struct chorusd *d)
{
    json_t *arr = json_array();
    char *lb = long_body(payloads[7]);
    json_t *prod = json_pack("{s:s, s:s}", "name", payloads[1], "brand",
                             "</title></script><b>B</b>"); /* brands: 64 bytes */

    json_array_append_new(arr,
                          json_pack("{s:s, s:i, s:s, s:s, s:s, s:[{s:s, s:s}], s:O}", "product_id",
                                    "evil", "rating", 5, "title", payloads[0], "body", payloads[1],
                                    "author", payloads[2], "responses", "author", payloads[4],
                                    "body", payloads[5], "product", prod));
    json_array_append_new(arr, json_pack("{s:s, s:i, s:s, s:s, s:s, s:O}", "product_id", "evil",
                                         "rating", 1, "title", payloads[3], "body", payloads[4],
                                         "author", payloads[5], "product", prod));
    json_array_append_new(arr, json_pack("{s:s, s:i, s:s, s:s, s:s, s:b, s:O}", "product_id",
                                         "evil", "rating", 3, "title", payloads[6], "body", lb,
                                         "author", payloads[6], "verified", 1, "product", prod));
    json_array_append_new(arr, json_pack("{s:s, s:i, s:s, s:s, s:s, s:O}", "product_id", "evil",
                                         "rating", 4, "title", payloads[7], "body", payloads[0],
                                         "author", payloads[1], "product", prod));
    json_decref(prod);
    free(lb);
    seed_reviews(d, arr, NULL);
}

static json_t *payload_list(void)
{
    json_t *a = json_array();

    for (size_t i = 0; i < N_PAYLOADS; i++)
        json_array_append_new(a, json_string(payloads[i]));
    return a;
}

/* Script embed: the hostile reviews render as text in the shadow root;
 * nothing runs in the host page and no element or attribute is smuggled
 * in. */
CHORUS_TEST_SETUP(hostile_script_embed, br_setup, br_teardown)
{
    struct br_env *t = *state;
    json_t *res, *h;

    seed_hostile(t->d);
    br_host_page(t, "/hostile.html",
                 "<div data-chorus-product=\"evil\" data-chorus-limit=\"10\"></div>",
                 json_pack("{s:s, s:s, s:o}", "scenario", "hostile", "product", "evil", "payloads",
                           payload_list()));
    res = br_result(t, h_fmt("%s/hostile.html", t->host_origin));
    h = json_object_get(res, "hostile");
    assert_non_null(h);
    expect_jint(h, "listed", 4);
    for (size_t i = 0; i < N_PAYLOADS; i++)
        if (!json_is_true(json_array_get(json_object_get(h, "present"), i)))
            fail_msg("payload %zu is not shown as text: %s", i + 1, payloads[i]);
    if (json_array_size(json_object_get(h, "injected"))) {
        char *s = json_dumps(json_object_get(h, "injected"), 0);

        fail_msg("markup got into the widget: %s", s);
    }
    expect_jbool(h, "dir_auto", true);
    json_decref(res);
}

/* expect_texts checks that each payload is somewhere in the page's text. */
static void expect_texts(const struct br_scan *s, const char *where)
{
    for (size_t i = 0; i < N_PAYLOADS; i++)
        if (!s->text || !strstr(s->text, payloads[i]))
            fail_msg("%s: payload %zu is not shown as text: %s", where, i + 1, payloads[i]);
}

/* Iframe embed: /widget/evil.html loaded directly (its dumped DOM has
 * no smuggled element or attribute, valid JSON-LD, the payloads as text)
 * and inside a frame on a host page (nothing runs there either). */
CHORUS_TEST_SETUP(hostile_iframe_embed, br_setup, br_teardown)
{
    struct br_env *t = *state;
    struct hresp *r;
    struct br_scan s;
    char *dom;
    json_t *res;

    seed_hostile(t->d);
    r = h_get(t->d, "/widget/evil.html");
    expect_status(r, 200);
    expect_header(r, "Content-Type", "text/html");
    hresp_free(r);

    dom = br_chromium(t, h_fmt("%s/widget/evil.html", t->origin), NULL);
    if (strstr(dom, "data-pwned=\""))
        fail_msg("a payload ran in /widget/evil.html");
    br_scan_dom(dom, &s);
    if (s.findings)
        fail_msg("/widget/evil.html: %d findings (above); the page:\n%.4000s", s.findings, dom);
    assert_true(s.json_ld >= 1);
    expect_texts(&s, "/widget/evil.html");
    free(s.text);
    free(dom);

    br_host_put(t->host, "/config.json", "application/json", "{\"scenario\":\"frame\"}",
                strlen("{\"scenario\":\"frame\"}"));
    dom = br_fmt("<!doctype html><html><head><meta charset=\"utf-8\">"
                 "<title>framing host</title></head><body>"
                 "<iframe src=\"%s/widget/evil.html?limit=10\" title=\"Reviews\" "
                 "width=\"900\" height=\"1200\" onload=\"this.dataset.loaded=1\"></iframe>"
                 "<pre id=\"result\"></pre><script src=\"/driver.js\" defer></script>"
                 "</body></html>",
                 t->origin);
    br_host_put(t->host, "/frame.html", "text/html; charset=utf-8", dom, strlen(dom));
    free(dom);
    res = br_result(t, h_fmt("%s/frame.html", t->host_origin));
    expect_jbool(res, "frame.loaded", true);
    json_decref(res);
}

/* The checks above must be able to fail: a page that pastes the payloads
 * in raw (on the host, which has no CSP) runs them, and the scan of its
 * dumped DOM reports smuggled markup and payloads missing as text. */
CHORUS_TEST_SETUP(hostile_checks_catch_raw_html, br_setup, br_teardown)
{
    struct br_env *t = *state;
    struct br_scan s;
    char *page = br_fmt("<!doctype html><html><head><meta charset=\"utf-8\"><title>raw</title>"
                        "</head><body><p>%s</p><p>%s</p><p>%s</p><p>%s</p></body></html>",
                        payloads[1], payloads[3], payloads[5], payloads[7]);
    char *dom;
    size_t missing = 0;

    br_host_put(t->host, "/raw.html", "text/html; charset=utf-8", page, strlen(page));
    free(page);
    dom = br_chromium(t, h_fmt("%s/raw.html", t->host_origin), NULL);
    if (!strstr(dom, "data-pwned=\""))
        fail_msg("no raw payload ran: the data-pwned check would see nothing:\n%.2000s", dom);
    br_scan_dom(dom, &s);
    assert_true(s.findings >= 3); /* img onerror (twice), svg onload */
    for (size_t i = 0; i < N_PAYLOADS; i++)
        missing += !s.text || !strstr(s.text, payloads[i]);
    assert_true(missing >= 4);
    free(s.text);
    free(dom);
}

/* ---- screenshots ---------------------------------------------------------------------------- */

/* The widget (light and dark, on a host page) and the dashboard, written
 * to the build folder's artifacts/ for people (and CI) to look at. */
CHORUS_TEST_SETUP(screenshots, br_setup, br_teardown)
{
    struct br_env *t = *state;
    char widget[512], dash[512], token[96];
    char dash_path[256];
    struct hresp *r;

    seed_widgets(t->d);
    if (mkdir(CHORUS_ARTIFACTS_DIR, 0755) != 0 && errno != EEXIST)
        fail_msg("mkdir %s: %s", CHORUS_ARTIFACTS_DIR, strerror(errno));
    snprintf(widget, sizeof(widget), "%s/widget.png", CHORUS_ARTIFACTS_DIR);
    snprintf(dash, sizeof(dash), "%s/dashboard.png", CHORUS_ARTIFACTS_DIR);
    unlink(widget);
    unlink(dash);
    br_host_page(t, "/shot.html",
                 "<div data-chorus-product=\"lap-a\"></div>\n"
                 "<div data-chorus-product=\"desk-b\" data-chorus-theme=\"dark\" "
                 "data-chorus-limit=\"2\"></div>",
                 json_pack("{s:s}", "scenario", "none"));
    br_chromium(t, h_fmt("%s/shot.html", t->host_origin), widget);
    br_expect_png(widget);

    /* The dashboard is private (docs/dashboard.md): a reader token in the
     * URL, since chromium sends no API key. */
    r = h_post_json(t->d, "/api/v1/digest-tokens", "{\"name\":\"browser test\"}");
    expect_status(r, 201);
    snprintf(token, sizeof(token), "%s", json_string_value(json_object_get(r->json, "token")));
    hresp_free(r);
    snprintf(dash_path, sizeof(dash_path), "/dashboard?token=%s", token);
    r = h_get(t->d, dash_path);
    expect_status(r, 200);
    hresp_free(r);
    br_chromium(t, h_fmt("%s%s", t->origin, dash_path), dash);
    br_expect_png(dash);
}

/* ---- every width, assistive technology, the keyboard (cdp.js) ---------------------------- */

/* The widths tested (docs/widget.md#accessibility): the narrowest phone
 * and a common one, a laptop, a desktop screen. */
static const int widths[] = {320, 375, 1280, 1920};

/* A best seller with a count of five digits and a separator in a bar, and
 * a name longer than a phone is wide, with a word longer than one. */
#define BIG_NAME                                                                                   \
    "Castellan Citadel C700 Gen 3 Tower Desktop \xe2\x80\x94 16-core CPU, 32 GB RAM, 2 TB SSD, "   \
    "Wi-Fi 7, Thunderbolt 5 and the Hyperconvergedworkstationsupercoolingedition"
static const int big_counts[5] = {250, 3, 12, 1000, 10001}; /* 1..5 stars */

/* seed_big posts big_counts as batches of at most BIG_BATCH (the API takes
 * 10,000 a request). */
#define BIG_BATCH 5000

static void seed_big(struct chorusd *d)
{
    char *body = malloc(BIG_BATCH * 64 + 3);

    assert_non_null(body);
    seed_product_obj(d, "big-d", json_pack("{s:s, s:s}", "name", BIG_NAME, "brand", "Castellan"));
    for (int r = 1; r <= 5; r++)
        for (int done = 0; done < big_counts[r - 1];) {
            size_t len = 0, n = 0;

            body[len++] = '[';
            for (; done < big_counts[r - 1] && n < BIG_BATCH; done++, n++)
                len += (size_t)snprintf(body + len, 64,
                                        "%s{\"product_id\":\"big-d\",\"rating\":%d,\"author\":"
                                        "\"A%d\"}",
                                        n ? "," : "", r, done);
            body[len++] = ']';
            body[len] = '\0';
            seed_reviews_json(d, body, n, NULL);
        }
    free(body);
}

/* shot_path names artifacts/NAME-WIDTH.png, made empty first. */
static const char *shot_path(const char *name, int width)
{
    const char *path = h_fmt("%s/%s-%d.png", CHORUS_ARTIFACTS_DIR, name, width);

    if (mkdir(CHORUS_ARTIFACTS_DIR, 0755) != 0 && errno != EEXIST)
        fail_msg("mkdir %s: %s", CHORUS_ARTIFACTS_DIR, strerror(errno));
    unlink(path);
    return path;
}

/* expect_no_violations fails on any axe-core finding in one run's report
 * (WCAG 2.0/2.1 A and AA and best practice alike), listing them all, and
 * on a run that checked nothing. */
static void expect_no_violations(json_t *report, const char *where)
{
    json_t *v = json_object_get(report, "violations");

    if (json_integer_value(json_object_get(report, "passes")) < 5)
        fail_msg("%s: axe-core checked almost nothing (%lld rules passed)", where,
                 json_integer_value(json_object_get(report, "passes")));
    if (json_array_size(v)) {
        char *s = json_dumps(v, JSON_INDENT(1));

        fail_msg("%s: axe-core found:\n%s", where, s);
    }
}

/* expect_layout checks cdp.js's layout facts for one page: no histogram
 * count over more than one line (and at least want_counts counts, the
 * longest among them), the document never wider than the viewport and,
 * with every_element, no element reaching past it either. */
static void expect_layout(json_t *page, int want_counts, const char *longest, bool every_element)
{
    json_t *lay = jpath(page, "audit.layout"), *c;
    const char *url = json_string_value(json_object_get(page, "url"));
    int width = (int)json_integer_value(json_object_get(page, "width"));
    bool seen = !longest;
    size_t i;

    assert_non_null(lay);
    assert_int_equal(json_integer_value(json_object_get(lay, "viewport")), width);
    if ((int)json_array_size(json_object_get(lay, "counts")) < want_counts)
        fail_msg("%s at %d px: %zu histogram counts, want %d", url, width,
                 json_array_size(json_object_get(lay, "counts")), want_counts);
    json_array_foreach(json_object_get(lay, "counts"), i, c)
    {
        const char *text = json_string_value(json_object_get(c, "text"));

        if (json_integer_value(json_object_get(c, "lines")) != 1)
            fail_msg("%s at %d px: the count \"%s\" takes %lld lines", url, width, text,
                     json_integer_value(json_object_get(c, "lines")));
        seen |= longest && strcmp(text, longest) == 0;
    }
    if (!seen)
        fail_msg("%s at %d px: no histogram count \"%s\"", url, width, longest);
    if (json_integer_value(json_object_get(lay, "doc_scroll_width")) > width)
        fail_msg("%s at %d px: the page is %lld px wide", url, width,
                 json_integer_value(json_object_get(lay, "doc_scroll_width")));
    if (every_element && json_array_size(json_object_get(lay, "wide"))) {
        char *s = json_dumps(json_object_get(lay, "wide"), 0);

        fail_msg("%s at %d px: elements wider than the screen: %s", url, width, s);
    }
}

/* Every page a reader sees — /p/{id}, the iframe page (and its fallback for
 * bad parameters), a host page with script widgets, the dashboard — at a
 * phone's and a laptop's width: a screenshot of each into artifacts/, the
 * layout facts, and axe-core on the page and inside each widget's shadow
 * root with no finding at all. */
CHORUS_TEST_SETUP(pages_at_every_width, br_setup_cdp, br_teardown)
{
    struct br_env *t = *state;
    json_t *pages = json_array(), *res, *page;
    char token[96];
    struct hresp *r;
    size_t i;

    seed_widgets(t->d);
    seed_big(t->d);
    r = h_post_json(t->d, "/api/v1/digest-tokens", "{\"name\":\"browser test\"}");
    expect_status(r, 201);
    snprintf(token, sizeof(token), "%s", json_string_value(json_object_get(r->json, "token")));
    hresp_free(r);
    br_host_page(t, "/shop.html",
                 "<div data-chorus-product=\"big-d\"></div>\n"
                 "<div data-chorus-product=\"lap-a\" data-chorus-theme=\"dark\"></div>",
                 json_pack("{s:s}", "scenario", "none"));
    for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
        static const char *const names[] = {"page", "iframe", "iframe-fallback", "script",
                                            "dashboard"};
        const char *urls[] = {
            h_fmt("%s/p/big-d", t->origin),
            h_fmt("%s/widget/big-d.html", t->origin),
            h_fmt("%s/widget/big-d.html?limit=100", t->origin),
            h_fmt("%s/shop.html", t->host_origin),
            h_fmt("%s/dashboard?token=%s", t->origin, token),
        };

        for (size_t k = 0; k < 5; k++)
            json_array_append_new(pages, json_pack("{s:s, s:i, s:s, s:b}", "url", urls[k], "width",
                                                   widths[w], "shot",
                                                   shot_path(names[k], widths[w]), "audit", 1));
    }
    res = br_cdp(t, pages);
    json_array_foreach(json_object_get(res, "pages"), i, page)
    {
        const char *url = json_string_value(json_object_get(page, "url"));
        int width = (int)json_integer_value(json_object_get(page, "width"));
        const char *where = h_fmt("%s at %d px", url, width);
        size_t k = i % 5, j;
        json_t *sh;

        expect_jbool(page, "ready", true);
        if (i == 0)
            fprintf(stderr, "axe-core %s\n", json_string_value(jpath(page, "audit.axe")));
        br_expect_png_size(h_fmt("%s/%s-%d.png", CHORUS_ARTIFACTS_DIR,
                                 (const char *const[]){"page", "iframe", "iframe-fallback",
                                                       "script", "dashboard"}[k],
                                 width),
                           width, 1400, k == 2 ? 4000 : 20000); /* the fallback is one line */
        expect_no_violations(jpath(page, "audit.page"), where);
        json_array_foreach(jpath(page, "audit.shadow"), j, sh)
            expect_no_violations(sh, h_fmt("%s, widget %zu", where, j + 1));
        switch (k) {
        case 0: /* /p/big-d */
        case 1: /* its iframe page */
            expect_layout(page, 5, "10,001", true);
            break;
        case 2: /* the fallback */
            expect_layout(page, 0, NULL, true);
            break;
        case 3: /* two script widgets */
            assert_int_equal(json_array_size(jpath(page, "audit.shadow")), 2);
            expect_layout(page, 10, "10,001", true);
            break;
        default: /* the dashboard: its table scrolls inside its own region */
            expect_layout(page, 0, NULL, false);
        }
    }
    json_decref(res);
}

/* The dashboard with alerts: a product whose hinge complaints rose this
 * week (a component alert with its sparkline) beside quiet ones. At a
 * laptop's width every column is on the screen (nothing hidden in the
 * table's scroll region); at a phone's the table scrolls under its sticky
 * product column. Screenshots of both into artifacts/, axe-core on both. */
CHORUS_TEST_SETUP(dashboard_with_alerts, br_setup_cdp, br_teardown)
{
    struct br_env *t = *state;
    json_t *res, *page, *sc;
    char token[96], ts[32];
    struct hresp *r;
    size_t i, j;

    seed_widgets(t->d);
    seed_product(t->d, "hinge-h", "{\"name\":\"Pivot P14 Gen 3 Laptop\",\"category\":\"laptops\"}");
    seed_review(t->d, json_pack("{s:s, s:i, s:s, s:s}", "product_id", "hinge-h", "rating", 2,
                                "created_at", clk_rfc3339(clk_at_day(60), ts), "body",
                                "The hinge feels loose."));
    for (int k = 0; k < 9; k++)
        seed_review(t->d, json_pack("{s:s, s:i, s:s, s:s}", "product_id", "hinge-h", "rating",
                                    1 + k % 2, "created_at", clk_rfc3339(clk_at_day(k % 6), ts),
                                    "body", "The hinge cracked and the lid wobbles."));
    for (int k = 0; k < 20; k++)
        seed_review(t->d, json_pack("{s:s, s:i, s:s, s:s}", "product_id", "hinge-h", "rating", 5,
                                    "created_at", clk_rfc3339(clk_at_day(k * 4), ts), "body",
                                    "Great keyboard, the battery lasts all day."));
    r = h_post_json(t->d, "/api/v1/digest-tokens", "{\"name\":\"browser test\"}");
    expect_status(r, 201);
    snprintf(token, sizeof(token), "%s", json_string_value(json_object_get(r->json, "token")));
    hresp_free(r);
    r = h_get(t->d, h_fmt("/dashboard?token=%s", token));
    expect_status(r, 200);
    expect_contains(r->body, "Hinge complaints"); /* the alert is there to be seen */
    hresp_free(r);
    res = br_cdp(t, json_pack("[{s:s, s:i, s:s, s:b}, {s:s, s:i, s:s, s:b}]", "url",
                              h_fmt("%s/dashboard?token=%s", t->origin, token), "width", 1280,
                              "shot", shot_path("dashboard-alerts", 1280), "audit", 1, "url",
                              h_fmt("%s/dashboard?token=%s", t->origin, token), "width", 375,
                              "shot", shot_path("dashboard-alerts", 375), "audit", 1));
    json_array_foreach(json_object_get(res, "pages"), i, page)
    {
        int width = (int)json_integer_value(json_object_get(page, "width"));

        expect_jbool(page, "ready", true);
        br_expect_png_size(h_fmt("%s/dashboard-alerts-%d.png", CHORUS_ARTIFACTS_DIR, width), width,
                           1400, 20000);
        expect_no_violations(jpath(page, "audit.page"), h_fmt("dashboard at %d px", width));
        expect_layout(page, 0, NULL, false);
        json_array_foreach(jpath(page, "audit.layout.scrollers"), j, sc)
        {
            long long hidden = json_integer_value(json_object_get(sc, "hidden"));

            if (width >= 1280 && hidden > 0)
                fail_msg("dashboard at %d px: %lld px of %s are out of sight", width, hidden,
                         json_string_value(json_object_get(sc, "name")));
        }
    }
    json_decref(res);
}

/* A real Tab walk, key presses through chromium, from the top of a host
 * page with a widget and one embedded with a bad parameter: focus reaches
 * every control of both in DOM order, each showing a focus ring, and
 * Shift+Tab goes back; the bad embed says why in the console. */
CHORUS_TEST_SETUP(keyboard_tab_walk, br_setup_cdp, br_teardown)
{
    struct br_env *t = *state;
    json_t *res, *tab, *c, *f;
    size_t i, n;
    bool warned = false;

    seed_widgets(t->d);
    br_host_page(t, "/keys.html",
                 "<div data-chorus-product=\"lap-a\"></div>\n"
                 "<div data-chorus-product=\"desk-b\" data-chorus-limit=\"100\"></div>",
                 json_pack("{s:s}", "scenario", "none"));
    res = br_cdp(t, json_pack("[{s:s, s:i, s:b}]", "url", h_fmt("%s/keys.html", t->host_origin),
                              "width", 1280, "tab", 1));
    tab = jpath(res, "pages[0].tab");
    assert_non_null(tab);
    n = json_array_size(json_object_get(tab, "controls"));
    /* Five bars, the sort menu, votes, "Show more", the feed link, and
     * the fallback's link: a walk that skipped the widget would be short. */
    if (n < 12)
        fail_msg("only %zu controls found in the widgets", n);
    if (json_array_size(json_object_get(tab, "walk")) != n) {
        char *s = json_dumps(tab, JSON_INDENT(1));

        fail_msg("Tab reached %zu controls, the widgets have %zu:\n%s",
                 json_array_size(json_object_get(tab, "walk")), n, s);
    }
    json_array_foreach(json_object_get(tab, "controls"), i, c)
    {
        f = json_array_get(json_object_get(tab, "walk"), i);
        if (!json_equal(json_object_get(c, "text"), json_object_get(f, "text")) ||
            !json_equal(json_object_get(c, "host"), json_object_get(f, "host")))
            fail_msg("Tab stop %zu is \"%s\" in %s, want \"%s\" in %s", i + 1,
                     json_string_value(json_object_get(f, "text")),
                     json_string_value(json_object_get(f, "host")),
                     json_string_value(json_object_get(c, "text")),
                     json_string_value(json_object_get(c, "host")));
        if (!json_is_true(json_object_get(f, "ring")) ||
            !json_is_true(json_object_get(f, "visible")) ||
            !json_is_true(json_object_get(f, "focus_visible")))
            fail_msg("Tab stop %zu (\"%s\") shows no focus ring: %s", i + 1,
                     json_string_value(json_object_get(f, "text")),
                     json_string_value(json_object_get(f, "outline")));
    }
    f = json_object_get(tab, "back");
    c = json_array_get(json_object_get(tab, "controls"), n - 1);
    if (!json_equal(json_object_get(c, "text"), json_object_get(f, "text")))
        fail_msg("Shift+Tab went to \"%s\", want \"%s\"",
                 json_string_value(json_object_get(f, "text")),
                 json_string_value(json_object_get(c, "text")));
    expect_jstr(c, "text", "Read the reviews"); /* the fallback's link comes last */
    json_array_foreach(jpath(res, "pages[0].console"), i, c) warned |=
        strstr(json_string_value(c), "warning: Chorus widget for product \"desk-b\": "
                                     "data-chorus-limit must be a whole number from 1 "
                                     "to 50") != NULL;
    if (!warned)
        fail_msg("no console warning about desk-b's data-chorus-limit");
    json_decref(res);
}

CHORUS_TEST_MAIN_VIA(br_main)
