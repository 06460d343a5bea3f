/* The engineering dashboard (GET /dashboard, docs/dashboard.md): which rows
 * it lists, the numbers in them, the sparkline, the trend alert (the
 * digest's rule, on the digest test's scenario) and the orders, escaping
 * of hostile product data, who may read it, and its headers.
 *
 * The page is parsed with libxml2's HTML parser and read with XPath
 * (atom_check.c), the way a browser would see the markup, not by matching
 * bytes. Review times are relative to the clock, as in test_digest.c: day k
 * is noon UTC of the day k days before today, or a minute ago today. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "atom_check.h"
#include "clock.h"
#include "seed.h"
#include "testmain.h"

#define DASH "/dashboard"
#define CSP                                                                                        \
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; "       \
    "form-action 'self'; frame-ancestors 'self'"
#define ALERT_SIGN "\xe2\x9a\xa0" /* ⚠ */

/* ---- time ------------------------------------------------------------------------------ */

/* The shared helpers in clock.h, under this file's short names. */
#define at_day(k)            clk_at_day(k)
#define rfc3339(t, out)      clk_rfc3339((t), (out))
#define date_of(t, out)      clk_date((t), (out))
#define away_from_midnight() clk_away_from_end(86400, 120)

/* The dashboard's validators name the hour: keep clear of its end. */
#define away_from_hour_end() clk_away_from_end(3600, 10)

/* ---- posting --------------------------------------------------------------------------- */

/* put_product creates product id named name in category; jansson builds
 * the body, so hostile names need no escaping by hand. */
static void put_product(struct chorusd *d, const char *id, const char *name, const char *category)
{
    seed_product_obj(d, id, json_pack("{s:s, s:s}", "name", name, "category", category));
}

/* review builds one review object (rating 0: a mention); new reference. */
static json_t *review(const char *product, int rating, int64_t at)
{
    char ts[32];
    json_t *o = json_pack("{s:s, s:s, s:s}", "product_id", product, "created_at", rfc3339(at, ts),
                          "body", rating ? "A review." : "Mentioned it.");

    assert_non_null(o);
    if (rating)
        json_object_set_new(o, "rating", json_integer(rating));
    return o;
}

/* ---- reading the page ------------------------------------------------------------------ */

/* dash fetches path (with the key when key), expects a 200 HTML page and
 * parses it. Caller frees the document. */
#define dash(d, path, key) dash_((d), (path), (key), __FILE__, __LINE__)
static xmlDoc *dash_(struct chorusd *d, const char *path, bool key, const char *file, int line)
{
    struct hresp *r = key ? h_get_key(d, path) : h_get(d, path);
    xmlDoc *doc;

    h__expect_status(r, 200, file, line);
    h__expect_header(r, "Content-Type", "text/html; charset=utf-8", file, line);
    if (strncmp(r->body, "<!DOCTYPE html>", 15) != 0) {
        print_error("the page does not start with <!DOCTYPE html>: %.80s\n", r->body);
        _fail(file, line);
    }
    doc = ac__parse_html(r->body, file, line);
    hresp_free(r);
    return doc;
}

/* rows writes the data-product of every table row, in order (heap strings),
 * into out and returns how many. */
static size_t rows(xmlDoc *doc, char **out, size_t cap)
{
    size_t n = ac_count(doc, NULL, "//table/tbody/tr");

    assert_true(n <= cap);
    for (size_t i = 0; i < n; i++)
        out[i] = ac_str(doc, NULL, h_fmt("(//table/tbody/tr)[%zu]/@data-product", i + 1));
    return n;
}

/* expect_rows checks the table lists exactly want[0..n), in that order. */
#define expect_rows(doc, ...)                                                                      \
    expect_rows_((doc), (const char *const[]){__VA_ARGS__, NULL}, __LINE__)
static void expect_rows_(xmlDoc *doc, const char *const *want, int line)
{
    char *got[64];
    size_t n = rows(doc, got, 64), k = 0;
    bool ok;

    while (want[k])
        k++;
    ok = n == k;
    for (size_t i = 0; ok && i < n; i++)
        ok = strcmp(got[i], want[i]) == 0;
    if (!ok) {
        print_error("line %d: the table lists %zu rows:", line, n);
        for (size_t i = 0; i < n; i++)
            print_error(" %s", got[i]);
        print_error("; expected %zu:", k);
        for (size_t i = 0; i < k; i++)
            print_error(" %s", want[i]);
        print_error("\n");
    }
    ac_strs_free(got, n);
    if (!ok)
        _fail(__FILE__, line);
}

/* cell checks column i (1-based, after the product's th) of product's row. */
#define expect_cell(doc, product, i, want)                                                         \
    ac_expect_str(                                                                                 \
        (doc), NULL,                                                                               \
        h_fmt("normalize-space(//tbody/tr[@data-product = '%s']/td[%d])", (product), (i)), (want))

enum { C_COUNT = 1, C_AVG, C_LOW, C_SENT, C_24H, C_7D, C_TREND, C_DIGEST };

/* spark_points counts the points of product's sparkline polyline. */
static size_t spark_points(xmlDoc *doc, const char *product)
{
    char *pts = ac_str(
        doc, NULL,
        h_fmt("//tbody/tr[@data-product = '%s']/td[%d]//polyline/@points", product, C_TREND));
    size_t n = 0;

    /* Each point is "x,y". */
    for (const char *p = pts; *p; p++)
        n += *p == ',';
    free(pts);
    return n;
}

/* ---- rows and numbers ------------------------------------------------------------------ */

CHORUS_TEST_SETUP(dashboard_rows_and_numbers, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    int64_t now;
    json_t *arr = json_array();
    char *s;
    xmlDoc *doc;

    away_from_midnight();
    now = (int64_t)time(NULL);
    put_product(d, "dx-1", "Alpha 14", "laptops/x");
    put_product(d, "dx-2", "Quiet 13", "laptops/x");
    put_product(d, "dy-1", "Beta 15", "laptops/y");
    put_product(d, "ph-1", "Phone 1", "phones");
    /* dx-1: five ratings (5, 4, 1, 2, 1) and one mention. Complaints: one
     * an hour ago (24 hours and 7 days), one 25 hours ago (7 days only),
     * one 3 days ago (7 days), one 12 days ago (neither). */
    json_array_append_new(arr, review("dx-1", 5, at_day(20)));
    json_array_append_new(arr, review("dx-1", 4, at_day(10)));
    json_array_append_new(arr, review("dx-1", 1, at_day(12)));
    json_array_append_new(arr, review("dx-1", 2, at_day(3)));
    json_array_append_new(arr, review("dx-1", 1, now - 3600));
    json_array_append_new(arr, review("dx-1", 0, at_day(5)));
    json_array_append_new(arr, review("dy-1", 5, at_day(2)));
    json_array_append_new(arr, review("ph-1", 1, now - 600));
    seed_reviews(d, arr, NULL);
    arr = json_array();
    json_array_append_new(arr, review("dx-1", 4, now - 25 * 3600));
    seed_reviews(d, arr, NULL);

    doc = dash(d, DASH "?category=laptops/x", true);
    /* Every product of the category and only those. */
    expect_rows(doc, "dx-1", "dx-2");
    /* dx-1: 6 ratings (5, 4, 1, 2, 1, 4) = 17 / 6; 1-2 stars 3 of 6. */
    expect_cell(doc, "dx-1", C_COUNT, "6");
    expect_cell(doc, "dx-1", C_AVG, "2.83");
    expect_cell(doc, "dx-1", C_LOW, "50.0%");
    expect_cell(doc, "dx-1", C_SENT, "\xe2\x80\x94"); /* "A review." holds no opinion */
    expect_cell(doc, "dx-1", C_24H, "1");
    expect_cell(doc, "dx-1", C_7D, "2");
    /* A product without reviews. */
    expect_cell(doc, "dx-2", C_COUNT, "0");
    expect_cell(doc, "dx-2", C_AVG, "\xe2\x80\x94");
    expect_cell(doc, "dx-2", C_24H, "0");
    expect_cell(doc, "dx-2", C_7D, "0");
    /* Name, id, links. */
    ac_expect_str(doc, NULL, "//tbody/tr[@data-product = 'dx-1']/th[@scope = 'row']/a/@href",
                  "/p/dx-1");
    ac_expect_str(doc, NULL, "//tbody/tr[@data-product = 'dx-1']/th/a", "Alpha 14");
    ac_expect_str(doc, NULL, "//tbody/tr[@data-product = 'dx-1']/th/span[@class = 'cd-id']",
                  "dx-1");
    ac_expect_str(doc, NULL, h_fmt("//tbody/tr[@data-product = 'dx-1']/td[%d]/a/@href", C_DIGEST),
                  "/feeds/digest.atom?product=dx-1");

    /* The sparkline: one point per day with ratings in the last 30 (days
     * 20, 12, 10 and 3, the hour-old and the 25-hour-old ratings: six
     * distinct days; the mention has no stars). */
    assert_int_equal(spark_points(doc, "dx-1"), 6);
    ac_expect_count(doc, NULL,
                    h_fmt("//tbody/tr[@data-product = 'dx-1']/td[%d]/svg[@role = 'img']"
                          "[starts-with(@aria-label, 'Daily average rating')]/title",
                          C_TREND),
                    1);
    ac_expect_count(doc, NULL,
                    h_fmt("//tbody/tr[@data-product = 'dx-2']/td[%d]//polyline", C_TREND), 0);
    s = ac_str(doc, NULL,
               h_fmt("//tbody/tr[@data-product = 'dx-2']/td[%d]/svg/@aria-label", C_TREND));
    expect_contains(s, "no ratings");
    free(s);

    /* The roll-up: the category's aggregate, and its distribution 5..1. */
    ac_expect_str(doc, NULL, "normalize-space(//dl[@class = 'cd-figures']/div[dt = 'Ratings']/dd)",
                  "6");
    ac_expect_str(doc, NULL,
                  "normalize-space(//dl[@class = 'cd-figures']/div[dt = 'Mentions (no stars)']/dd)",
                  "1");
    ac_expect_count(doc, NULL, "//svg[@class = 'cd-bars']/g", 5);
    ac_expect_count(doc, NULL, "//svg[@class = 'cd-bars']/g/title", 5);
    ac_expect_str(doc, NULL, "//svg[@class = 'cd-bars']/g[1]/rect[@class = 'cd-bar']/@data-rating",
                  "5");
    s = ac_str(doc, NULL, "//svg[@class = 'cd-bars']/@aria-label");
    expect_contains(s, "5 stars 1 (17%), 4 stars 2 (33%), 3 stars 0 (0%), 2 stars 1 (17%), "
                       "1 star 2 (33%)");
    free(s);
    ac_expect_count(doc, NULL, "//svg[@class = 'cd-bars']/g/text", 10);

    /* Accessible table: caption, column headers with scope, one sorted. */
    ac_expect_count(doc, NULL, "//table/caption", 1);
    ac_expect_count(doc, NULL, "//table/thead/tr/th[@scope = 'col']", 10);
    ac_expect_count(doc, NULL, "//table/thead/tr/th[@aria-sort]", 1);

    /* Autodiscovery: the category's reviews feed and its digest. */
    s = ac_str(doc, NULL,
               "//head/link[@rel = 'alternate' and @type = 'application/atom+xml'][1]/@href");
    expect_contains(s, "/feeds/categories/laptops/x.atom");
    free(s);
    s = ac_str(doc, NULL,
               "//head/link[@rel = 'alternate' and @type = 'application/atom+xml'][2]/@href");
    expect_contains(s, "/feeds/digest.atom?category=laptops/x");
    free(s);

    /* The category nav: top-level categories, the current one marked. */
    ac_expect_str(doc, NULL, "//nav//a[. = 'laptops']/@href", DASH "?category=laptops");
    ac_expect_str(doc, NULL, "//nav//a[. = 'phones']/@href", DASH "?category=phones");
    ac_expect_count(doc, NULL, "//nav//a[@aria-current]", 0); /* laptops/x is below laptops */
    xmlFreeDoc(doc);

    /* A parent category holds its children's products. */
    doc = dash(d, DASH "?category=laptops&sort=id", true);
    expect_rows(doc, "dx-1", "dx-2", "dy-1");
    ac_expect_count(doc, NULL, "//nav//a[@aria-current = 'page'][. = 'laptops']", 1);
    xmlFreeDoc(doc);

    /* Everything: every product, and the roll-up adds them up. */
    doc = dash(d, DASH "?sort=id", true);
    expect_rows(doc, "dx-1", "dx-2", "dy-1", "ph-1");
    ac_expect_str(doc, NULL, "normalize-space(//dl[@class = 'cd-figures']/div[dt = 'Ratings']/dd)",
                  "8");
    ac_expect_str(doc, NULL, "normalize-space(//dl[@class = 'cd-figures']/div[dt = 'Products']/dd)",
                  "4");
    expect_cell(doc, "ph-1", C_24H, "1");
    s = ac_str(doc, NULL,
               "//head/link[@rel = 'alternate' and @type = 'application/atom+xml'][1]/@href");
    expect_contains(s, "/feeds/reviews.atom");
    free(s);
    ac_expect_count(doc, NULL, "//nav//a[@aria-current = 'page'][. = 'All products']", 1);
    xmlFreeDoc(doc);
}

/* ---- the trend alert and the orders ------------------------------------------------------ */

CHORUS_TEST_SETUP(dashboard_alerts_and_sorting, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    json_t *arr = json_array();
    xmlDoc *doc;
    char *s;

    away_from_midnight();
    put_product(d, "tr-1", "Trend 14", "laptops/tr");
    put_product(d, "tq-1", "Quiet 14", "laptops/tq");
    put_product(d, "tz-1", "Noisy 14", "laptops/tz");
    /* The digest test's scenario: a 5 and a 4 every third day from day 10
     * to day 67 (40 ratings, 4.5), then two 1-star reviews a day on days 3
     * to 0 (8 in the last 7 days, averaging 1): an alert. */
    for (int i = 0; i < 20; i++) {
        json_array_append_new(arr, review("tr-1", 5, at_day(10 + 3 * i)));
        json_array_append_new(arr, review("tr-1", 4, at_day(10 + 3 * i)));
    }
    for (int k = 3; k >= 0; k--)
        for (int i = 0; i < 2; i++)
            json_array_append_new(arr, review("tr-1", 1, at_day(k)));
    /* More complaints this week but no history (fewer than 20 ratings in
     * 90 days): no alert, so it sorts after tr-1 by default only. */
    for (int k = 0; k < 10; k++)
        json_array_append_new(arr, review("tz-1", 1, at_day(k % 5)));
    json_array_append_new(arr, review("tq-1", 4, at_day(30)));
    json_array_append_new(arr, review("tq-1", 1, at_day(9)));
    seed_reviews(d, arr, NULL);

    /* Default: the alert first, then complaints in 7 days. */
    doc = dash(d, DASH "?category=laptops", true);
    expect_rows(doc, "tr-1", "tz-1", "tq-1");
    ac_expect_str(doc, NULL, "(//tbody/tr)[1]/@class", "cd-alert-row");
    ac_expect_count(doc, NULL, "//tbody/tr[@class = 'cd-alert-row']", 1);
    ac_expect_count(doc, NULL, "//tbody/tr[contains(., '" ALERT_SIGN "')]", 1);
    s = ac_str(doc, NULL, "//tbody/tr[@data-product = 'tr-1']/th//span[@class = 'cd-alert']");
    expect_contains(s, "Trend alert");
    free(s);
    expect_cell(doc, "tr-1", C_7D, "8");
    expect_cell(doc, "tz-1", C_7D, "10");
    expect_cell(doc, "tq-1", C_7D, "0");
    /* Days 0..3 and the history's days 10, 13, ..., 28 within 30 days. */
    assert_int_equal(spark_points(doc, "tr-1"), 11);
    ac_expect_str(doc, NULL,
                  "normalize-space(//dl[@class = 'cd-figures']/div[dt = 'Trend alerts']/dd)", "1");
    /* The sorted column is the trend column. */
    s = ac_str(doc, NULL, "//thead//th[@aria-sort]");
    expect_contains(s, "trend");
    free(s);
    ac_expect_str(doc, NULL, "//thead//th[@aria-sort]/@aria-sort", "descending");
    /* Sort links keep the category. */
    ac_expect_str(doc, NULL, "//thead//th/a[starts-with(., 'Ratings')]/@href",
                  DASH "?category=laptops&sort=count");
    ac_expect_str(doc, NULL, "//thead//th/a[starts-with(., 'Product')]/@href",
                  DASH "?category=laptops&sort=id");
    xmlFreeDoc(doc);

    doc = dash(d, DASH "?category=laptops&sort=complaints", true);
    expect_rows(doc, "tz-1", "tr-1", "tq-1");
    xmlFreeDoc(doc);
    doc = dash(d, DASH "?category=laptops&sort=count", true);
    expect_rows(doc, "tr-1", "tz-1", "tq-1");
    s = ac_str(doc, NULL, "//thead//th[@aria-sort]");
    expect_contains(s, "Ratings");
    free(s);
    xmlFreeDoc(doc);
    /* Lowest average first: 1.00, 2.50, then tr-1's 188 / 48. */
    doc = dash(d, DASH "?category=laptops&sort=average", true);
    expect_rows(doc, "tz-1", "tq-1", "tr-1");
    ac_expect_str(doc, NULL, "//thead//th[@aria-sort]/@aria-sort", "ascending");
    expect_cell(doc, "tr-1", C_AVG, "3.92");
    xmlFreeDoc(doc);
    doc = dash(d, DASH "?category=laptops&sort=low", true);
    expect_rows(doc, "tz-1", "tq-1", "tr-1");
    expect_cell(doc, "tr-1", C_LOW, "16.7%");
    xmlFreeDoc(doc);
    doc = dash(d, DASH "?category=laptops&sort=id", true);
    expect_rows(doc, "tq-1", "tr-1", "tz-1");
    xmlFreeDoc(doc);

    /* The same rule as the digest: it raises the alert for tr-1 too. */
    doc = ac_fetch(d, "/feeds/digest.atom?category=laptops", true);
    ac_expect_count(doc, NULL,
                    "/atom:feed/atom:entry[chorus:digest/@product = 'tr-1']"
                    "[chorus:digest/chorus:alert]",
                    1);
    ac_expect_count(doc, NULL, "/atom:feed/atom:entry[chorus:digest/chorus:alert]", 1);
    xmlFreeDoc(doc);
}

/* ---- hostile product data ------------------------------------------------------------------ */

CHORUS_TEST_SETUP(dashboard_hostile, h_setup, h_teardown)
{
    static const char *const id = "x\"><script>alert(1)</script>";
    static const char *const name = "<img src=x onerror=alert(2)> & 'quoted'";
    static const char *const category = "\"'><svg onload=alert(3)>/<b onmouseover=alert(4)>";
    struct chorusd *d = *state;
    json_t *arr = json_array();
    struct hresp *r;
    xmlDoc *doc;
    char *s;

    away_from_midnight();
    put_product(d, id, name, category);
    json_array_append_new(arr, review(id, 1, at_day(0)));
    json_array_append_new(arr, review(id, 5, at_day(2)));
    seed_reviews(d, arr, NULL);

    for (int pass = 0; pass < 2; pass++) {
        const char *path = pass ? DASH : DASH "?category=%22%27%3E%3Csvg%20onload%3Dalert(3)%3E";

        r = h_get_key(d, path);
        expect_status(r, 200);
        /* No markup from the data survives as markup. */
        if (strstr(r->body, "<script") || strstr(r->body, "<img") ||
            strstr(r->body, "<svg onload") || strstr(r->body, "<b onmouseover"))
            fail_msg("GET %s: hostile markup in the page", path);
        doc = ac_parse_html(r->body);
        hresp_free(r);
        ac_expect_count(doc, NULL, "//script", 0);
        ac_expect_count(doc, NULL, "//img", 0);
        ac_expect_count(doc, NULL, "//@*[starts-with(name(), 'on')]", 0);
        ac_expect_count(doc, NULL, "//b", 0);
        /* The text reads as it was written. */
        ac_expect_count(doc, NULL, "//tbody/tr", 1);
        ac_expect_str(doc, NULL, "//tbody/tr/@data-product", id);
        ac_expect_str(doc, NULL, "//tbody/tr/th/a", name);
        ac_expect_str(doc, NULL, "//tbody/tr/th/span[@class = 'cd-id']", id);
        /* And inside URLs it is percent-encoded. */
        s = ac_str(doc, NULL, "//tbody/tr/th/a/@href");
        assert_string_equal(s, "/p/x%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E");
        free(s);
        s = ac_str(doc, NULL, h_fmt("//tbody/tr/td[%d]/a/@href", C_DIGEST));
        assert_string_equal(
            s, "/feeds/digest.atom?product=x%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E");
        free(s);
        ac_expect_str(doc, NULL, "//nav//a[starts-with(., '\"')]", "\"'><svg onload=alert(3)>");
        xmlFreeDoc(doc);
    }
}

/* ---- access -------------------------------------------------------------------------------- */

CHORUS_TEST_SETUP(dashboard_access, h_setup, h_teardown_extra)
{
    struct chorusd *d = *state;
    json_t *arr = json_array();
    struct hresp *r;
    char *token;
    xmlDoc *doc;
    char *s;

    away_from_midnight();
    put_product(d, "ac-1", "Access 1", "laptops");
    json_array_append_new(arr, review("ac-1", 1, at_day(1)));
    seed_reviews(d, arr, NULL);

    /* Private by default, like the digest. */
    r = h_get(d, DASH);
    expect_problem(r, 401);
    hresp_free(r);
    r = h_get(d, DASH "?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    expect_problem(r, 403);
    hresp_free(r);
    /* A token that is given must be live, even with the key. */
    r = h_get_key(d, DASH "?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    expect_problem(r, 403);
    hresp_free(r);

    /* The key opens it; its digest links carry no token. */
    doc = dash(d, DASH, true);
    ac_expect_str(doc, NULL, h_fmt("//tbody/tr[@data-product = 'ac-1']/td[%d]/a/@href", C_DIGEST),
                  "/feeds/digest.atom?product=ac-1");
    xmlFreeDoc(doc);

    /* A reader token opens it and is repeated in every link that needs it. */
    r = h_post_json(d, "/api/v1/digest-tokens", "{\"name\":\"dashboard\"}");
    expect_status(r, 201);
    token = strdup(json_string_value(jpath(r->json, "token")));
    hresp_free(r);
    doc = dash(d, h_fmt(DASH "?category=laptops&token=%s", token), false);
    ac_expect_str(doc, NULL, h_fmt("//tbody/tr[@data-product = 'ac-1']/td[%d]/a/@href", C_DIGEST),
                  h_fmt("/feeds/digest.atom?product=ac-1&token=%s", token));
    ac_expect_str(doc, NULL, "//thead//th/a[starts-with(., 'Ratings')]/@href",
                  h_fmt(DASH "?category=laptops&sort=count&token=%s", token));
    ac_expect_str(doc, NULL, "//nav//a[. = 'All products']/@href", h_fmt(DASH "?token=%s", token));
    s = ac_str(doc, NULL,
               "//head/link[@rel = 'alternate' and @type = 'application/atom+xml'][2]/@href");
    expect_contains(s, h_fmt("/feeds/digest.atom?category=laptops&token=%s", token));
    free(s);
    xmlFreeDoc(doc);
    /* The links work: the digest and a sort link open with the token. */
    doc = ac_fetch(d, h_fmt("/feeds/digest.atom?product=ac-1&token=%s", token), false);
    xmlFreeDoc(doc);
    doc = dash(d, h_fmt(DASH "?category=laptops&sort=count&token=%s", token), false);
    xmlFreeDoc(doc);
    free(token);

    /* digest_access = public: open to anyone, and no token in links. */
    h_extra = chorusd_new("digest_access = public\n");
    assert_non_null(h_extra);
    put_product(h_extra, "ac-1", "Access 1", "laptops");
    arr = json_array();
    json_array_append_new(arr, review("ac-1", 1, at_day(1)));
    seed_reviews(h_extra, arr, NULL);
    doc = dash(h_extra, DASH, false);
    expect_rows(doc, "ac-1");
    xmlFreeDoc(doc);
    doc = dash(h_extra, DASH "?token=whatever", false);
    ac_expect_str(doc, NULL, h_fmt("//tbody/tr[@data-product = 'ac-1']/td[%d]/a/@href", C_DIGEST),
                  "/feeds/digest.atom?product=ac-1");
    xmlFreeDoc(doc);
}

/* ---- headers and revalidation ------------------------------------------------------------- */

CHORUS_TEST_SETUP(dashboard_headers, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    json_t *arr = json_array();
    const char *inm[2] = {NULL, NULL};
    struct hreq q = {.method = "GET", .path = DASH "?category=laptops", .key = true};
    struct hresp *r, *again;
    char *etag;

    away_from_midnight();
    put_product(d, "hd-1", "Header 1", "laptops");
    json_array_append_new(arr, review("hd-1", 4, at_day(1)));
    seed_reviews(d, arr, NULL);

    away_from_hour_end();
    r = h_get_key(d, DASH "?category=laptops");
    expect_status(r, 200);
    expect_header(r, "Content-Type", "text/html; charset=utf-8");
    assert_non_null(hresp_header(r, "Content-Security-Policy"));
    assert_string_equal(hresp_header(r, "Content-Security-Policy"), CSP);
    expect_header(r, "X-Content-Type-Options", "nosniff");
    assert_string_equal(hresp_header(r, "Cache-Control"), "private, max-age=60");
    assert_non_null(hresp_header(r, "ETag"));
    etag = strdup(hresp_header(r, "ETag"));
    hresp_free(r);

    /* The same page again (from the cache) has the same validator. */
    again = h_get_key(d, DASH "?category=laptops&sort=alert");
    expect_status(again, 200);
    assert_string_equal(hresp_header(again, "ETag"), etag);
    assert_string_equal(hresp_header(again, "Content-Security-Policy"), CSP);
    hresp_free(again);

    /* Revalidation. */
    inm[0] = h_fmt("If-None-Match: %s", etag);
    q.headers = inm;
    r = h_do(d, &q);
    expect_status(r, 304);
    assert_int_equal(r->len, 0);
    hresp_free(r);

    /* Another order is another page. */
    r = h_get_key(d, DASH "?category=laptops&sort=count");
    expect_status(r, 200);
    assert_string_not_equal(hresp_header(r, "ETag"), etag);
    hresp_free(r);

    /* A new review in the category changes it. */
    arr = json_array();
    json_array_append_new(arr, review("hd-1", 1, at_day(0)));
    seed_reviews(d, arr, NULL);
    r = h_do(d, &q);
    expect_status(r, 200);
    assert_string_not_equal(hresp_header(r, "ETag"), etag);
    {
        xmlDoc *doc = ac_parse_html(r->body);

        ac_expect_str(doc, NULL, "normalize-space(//tbody/tr[@data-product = 'hd-1']/td[1])", "2");
        xmlFreeDoc(doc);
    }
    hresp_free(r);
    free(etag);
}

/* ---- errors -------------------------------------------------------------------------------- */

CHORUS_TEST_SETUP(dashboard_errors, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    static const char *const bad[] = {"sort=name", "sort=ID", "bogus=1", "category=laptops&x=y"};
    struct hresp *r;
    xmlDoc *doc;

    put_product(d, "er-1", "Error 1", "laptops");

    r = h_get_key(d, DASH "?category=no-such-category");
    expect_problem(r, 404);
    hresp_free(r);
    r = h_get_key(d, DASH "?category=laptops/none");
    expect_problem(r, 404);
    hresp_free(r);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        r = h_get_key(d, h_fmt(DASH "?%s", bad[i]));
        if (r->status != 400)
            print_error("GET " DASH "?%s\n", bad[i]);
        expect_problem(r, 400);
        hresp_free(r);
    }
    r = h_post_json(d, DASH, "{}");
    expect_problem(r, 405);
    hresp_free(r);

    /* An empty catalogue part is a valid page. */
    doc = dash(d, DASH "?category=laptops", true);
    expect_rows(doc, "er-1");
    expect_cell(doc, "er-1", C_COUNT, "0");
    xmlFreeDoc(doc);
}

CHORUS_TEST_MAIN()
