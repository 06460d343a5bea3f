/* The widget over HTTP: the server-rendered iframe widget (/widget/{id}.html)
 * and hosted page (/p/{id}), the script embed's files, and the no-JS vote
 * form.
 *
 * Pages are parsed with libxml2's HTML parser (no network) and checked with
 * XPath, the way a browser would see them: structure and numbers, links
 * that filter, sort and page, the five languages, the positive/critical
 * pair, JSON-LD (parsed with jansson), hostile review text that must stay
 * text, and the security and caching headers. */
#define _GNU_SOURCE /* strcasestr */

#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "seed.h"
#include "testmain.h"

/* An XPath predicate matching one class of a class list. */
#define CLS(c) "contains(concat(' ',normalize-space(@class),' '),' " c " ')"

/* ---- helpers ------------------------------------------------------------------------- */

static void vote_key(struct chorusd *d, uint64_t id, bool helpful)
{
    struct hresp *r = h_post_json(d, h_fmt("/api/v1/reviews/%llu/votes", (unsigned long long)id),
                                  helpful ? "{\"helpful\":true}" : "{\"helpful\":false}");

    expect_status(r, 200);
    hresp_free(r);
}

static xmlDoc *parse_html(const struct hresp *r)
{
    xmlDoc *doc = htmlReadMemory(r->body, (int)r->len, "http://127.0.0.1/", "UTF-8",
                                 HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);

    assert_non_null(doc);
    return doc;
}

/* get_page GETs path, expects status and an HTML document, and parses it.
 * *out (may be NULL) keeps the response for header checks (caller frees). */
#define get_page(d, path, status, out) get_page_((d), (path), (status), (out), __FILE__, __LINE__)
static xmlDoc *get_page_(struct chorusd *d, const char *path, long status, struct hresp **out,
                         const char *file, int line)
{
    struct hresp *r = h_get(d, path);
    xmlDoc *doc;

    h__expect_status(r, status, file, line);
    h__expect_header(r, "Content-Type", "text/html; charset=utf-8", file, line);
    doc = parse_html(r);
    if (out)
        *out = r;
    else
        hresp_free(r);
    return doc;
}

static double xp_num(xmlDoc *doc, const char *expr)
{
    xmlXPathContext *ctx = xmlXPathNewContext(doc);
    xmlXPathObject *o = ctx ? xmlXPathEvalExpression(BAD_CAST expr, ctx) : NULL;
    double v;

    if (!o)
        fail_msg("bad XPath: %s", expr);
    v = xmlXPathCastToNumber(o);
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(ctx);
    return v;
}

/* xp_str returns string(expr) as a heap string (caller frees with free). */
static char *xp_str(xmlDoc *doc, const char *expr)
{
    xmlXPathContext *ctx = xmlXPathNewContext(doc);
    xmlXPathObject *o = ctx ? xmlXPathEvalExpression(BAD_CAST expr, ctx) : NULL;
    xmlChar *s;
    char *copy;

    if (!o)
        fail_msg("bad XPath: %s", expr);
    s = xmlXPathCastToString(o);
    copy = strdup(s ? (const char *)s : "");
    xmlFree(s);
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(ctx);
    assert_non_null(copy);
    return copy;
}

#define expect_count(doc, expr, n) expect_count_((doc), (expr), (n), __FILE__, __LINE__)
static void expect_count_(xmlDoc *doc, const char *expr, int n, const char *file, int line)
{
    int got = (int)xp_num(doc, h_fmt("count(%s)", expr));

    if (got != n) {
        print_error("count(%s) is %d, expected %d\n", expr, got, n);
        _fail(file, line);
    }
}

/* expect_str: string(expr) is exactly s. */
#define expect_str(doc, expr, s) expect_str_((doc), (expr), (s), __FILE__, __LINE__)
static void expect_str_(xmlDoc *doc, const char *expr, const char *s, const char *file, int line)
{
    char *got = xp_str(doc, expr);
    bool bad = strcmp(got, s) != 0;

    if (bad)
        print_error("string(%s) is '%s', expected '%s'\n", expr, got, s);
    free(got);
    if (bad)
        _fail(file, line);
}

/* expect_str_has: string(expr) contains sub. */
#define expect_str_has(doc, expr, sub) expect_str_has_((doc), (expr), (sub), __FILE__, __LINE__)
static void expect_str_has_(xmlDoc *doc, const char *expr, const char *sub, const char *file,
                            int line)
{
    char *got = xp_str(doc, expr);
    bool bad = !strstr(got, sub);

    if (bad)
        print_error("string(%s) is '%s', expected it to contain '%s'\n", expr, got, sub);
    free(got);
    if (bad)
        _fail(file, line);
}

/* ld_json parses the page's one JSON-LD block (new reference). */
static json_t *ld_json(xmlDoc *doc)
{
    char *s;
    json_t *j;
    json_error_t err;

    expect_count(doc, "//script[@type='application/ld+json']", 1);
    s = xp_str(doc, "//script[@type='application/ld+json']");
    j = json_loads(s, JSON_REJECT_DUPLICATES, &err);
    if (!j)
        fail_msg("JSON-LD does not parse (%s, line %d): %s", err.text, err.line, s);
    free(s);
    return j;
}

/* list_ids writes the review ids of the page's list, in order. */
static size_t list_ids(xmlDoc *doc, uint64_t *ids, size_t cap)
{
    size_t n = (size_t)xp_num(doc, "count(//ol[" CLS("cw-list") "]/li[" CLS("cw-review") "])");

    for (size_t i = 0; i < n && i < cap; i++) {
        char *id = xp_str(
            doc,
            h_fmt("string((//ol[" CLS("cw-list") "]/li[" CLS("cw-review") "])[%zu]/@id)", i + 1));

        assert_true(strncmp(id, "review-", 7) == 0);
        ids[i] = strtoull(id + 7, NULL, 10);
        free(id);
    }
    return n;
}

#define expect_list(doc, n, ...)                                                                   \
    expect_list_((doc), (n), (const uint64_t[]){__VA_ARGS__}, __FILE__, __LINE__)
static void expect_list_(xmlDoc *doc, size_t n, const uint64_t *want, const char *file, int line)
{
    uint64_t got[64];
    size_t k = list_ids(doc, got, 64);

    h__expect_ids("list", got, k, 64, want, n, file, line);
}

static struct hresp *post_form(struct chorusd *d, uint64_t id, const char *body)
{
    struct hreq q = {.method = "POST",
                     .path = h_fmt("/api/v1/reviews/%llu/votes", (unsigned long long)id),
                     .ctype = "application/x-www-form-urlencoded",
                     .body = body,
                     .len = strlen(body)};

    return h_do(d, &q);
}

static long helpful_of(struct chorusd *d, uint64_t id)
{
    struct hresp *r = h_get(d, h_fmt("/api/v1/reviews/%llu", (unsigned long long)id));
    long v;

    expect_status(r, 200);
    v = (long)json_integer_value(jpath(r->json, "helpful"));
    hresp_free(r);
    return v;
}

/* ---- structure, numbers, JSON-LD ---------------------------------------------------------- */

CHORUS_TEST_SETUP(widget_structure, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t r5, r4, r2, m;
    char body[1024] = "", *text;
    struct hresp *r;
    xmlDoc *doc;
    json_t *ld;

    /* A long body (840 bytes) folds. */
    for (int i = 0; i < 120; i++)
        strcat(body, "Solid. ");
    seed_product(d, "w-1",
                 "{\"name\":\"Aurora 13\",\"brand\":\"Aurora\",\"gtin\":\"4006381333931\","
                 "\"mpn\":\"AU13\",\"url\":\"https://shop.example.com/aurora\","
                 "\"image_url\":\"https://img.example.com/aurora.png\"}");
    r2 = h_post_review(d, "{\"product_id\":\"w-1\",\"rating\":2,\"title\":\"Hinge\","
                          "\"body\":\"Cracked.\",\"author\":\"Cy\","
                          "\"created_at\":\"2024-05-01T00:00:00Z\"}");
    r4 = h_post_review(d, h_fmt("{\"product_id\":\"w-1\",\"rating\":4,\"title\":\"Good\","
                                "\"body\":\"%s\",\"author\":\"Ben\","
                                "\"created_at\":\"2024-05-02T00:00:00Z\"}",
                                body));
    r5 = h_post_review(d, "{\"product_id\":\"w-1\",\"rating\":5,\"title\":\"Love it\","
                          "\"body\":\"Great screen.\\n\\nQuiet fan.\",\"author\":\"Ann\","
                          "\"verified\":true,\"created_at\":\"2024-05-03T00:00:00Z\"}");
    m = h_post_review(d, "{\"product_id\":\"w-1\",\"body\":\"Saw it on a forum\","
                         "\"author\":\"Dee\",\"created_at\":\"2024-05-04T00:00:00Z\"}");
    r = h_post_json(d, h_fmt("/api/v1/reviews/%llu/responses", (unsigned long long)r2),
                    "{\"author\":\"Aurora Support\",\"body\":\"A new hinge is on its way.\"}");
    expect_status(r, 201);
    hresp_free(r);

    doc = get_page(d, "/widget/w-1.html?lang=en", 200, &r);
    expect_header(r, "Access-Control-Allow-Origin", "*");
    hresp_free(r);
    expect_str(doc, "string(/html/@lang)", "en");
    expect_count(doc, "/html/head/meta[@charset='utf-8']", 1);
    expect_count(doc, "/html/head/meta[@name='viewport']", 1);
    expect_str(doc, "string(/html/head/title)", "Reviews of Aurora 13");
    expect_str_has(doc, "string(//link[@rel='stylesheet']/@href)", "/widget/widget.css");
    /* No inline style anywhere: the CSP forbids it. */
    expect_count(doc, "//@style", 0);
    expect_count(doc,
                 "//div[@class='cw' and @lang='en' and @data-product='w-1' and "
                 "@role='region' and @aria-label='Reviews of Aurora 13']",
                 1);
    /* The average leaves the mention out: (5 + 4 + 2) / 3. */
    expect_str(doc, "string(//div[" CLS("cw-average") "]/span[" CLS("cw-avg") "])", "3.7");
    expect_str(doc, "string(//div[" CLS("cw-average") "]/span[" CLS("cw-stars") "]/@aria-label)",
               "3.7 out of 5 stars");
    expect_str(doc, "string(//span[" CLS("cw-count") "])", "3 reviews");
    /* Histogram 5..1 with counts and width classes. */
    expect_count(doc, "//ol[" CLS("cw-hist") "]/li/a[" CLS("cw-bar") "]", 5);
    for (int i = 1; i <= 5; i++) {
        static const char *const n[] = {"1", "1", "0", "1", "0"};
        static const char *const w[] = {"cw-w33", "cw-w33", "cw-w0", "cw-w33", "cw-w0"};
        const char *bar = h_fmt("(//ol[" CLS("cw-hist") "]/li/a)[%d]", i);

        expect_str(doc, h_fmt("string(%s/@data-rating)", bar), h_fmt("%d", 6 - i));
        expect_str(doc, h_fmt("string(%s/span[" CLS("cw-bar-n") "])", bar), n[i - 1]);
        expect_count(doc,
                     h_fmt("%s//span[" CLS("cw-bar-fill") " and " CLS("%s") "]", bar, w[i - 1]), 1);
    }
    /* Named by its visible text and a share for screen readers only (an
     * aria-label would hide what a speech-input user sees and says). */
    expect_count(doc, "//ol[" CLS("cw-hist") "]/li/a[@aria-label]", 0);
    expect_str(doc, "normalize-space((//ol[" CLS("cw-hist") "]/li/a)[1])",
               "5 stars 1, 33% of ratings");
    expect_str(doc, "string((//ol[" CLS("cw-hist") "]/li/a)[1]/span[" CLS("cw-sr") "])",
               ", 33% of ratings");
    /* Newest first, the mention too, marked as one. */
    expect_list(doc, 4, m, r5, r4, r2);
    expect_count(
        doc, h_fmt("//li[@id='review-%llu']//span[" CLS("cw-mention") "]", (unsigned long long)m),
        1);
    expect_count(doc, "//span[" CLS("cw-mention") "]", 1);
    expect_str(doc,
               h_fmt("string(//li[@id='review-%llu']//span[" CLS("cw-stars") "]/@aria-label)",
                     (unsigned long long)r5),
               "Rated 5 out of 5");
    expect_str(
        doc,
        h_fmt("string(//li[@id='review-%llu']//h3[" CLS("cw-title") "])", (unsigned long long)r5),
        "Love it");
    expect_count(doc, "//span[" CLS("cw-verified") "]", 1);
    expect_count(
        doc, h_fmt("//li[@id='review-%llu']//span[" CLS("cw-verified") "]", (unsigned long long)r5),
        1);
    expect_count(
        doc, h_fmt("//li[@id='review-%llu']//p[" CLS("cw-text") "]", (unsigned long long)r5), 2);
    expect_str(doc,
               h_fmt("string(//li[@id='review-%llu']//span[" CLS("cw-author") "])",
                     (unsigned long long)r5),
               "Ann");
    expect_str(doc,
               h_fmt("string(//li[@id='review-%llu']//time[" CLS("cw-date") "]/@datetime)",
                     (unsigned long long)r5),
               "2024-05-03T00:00:00Z");
    expect_str(
        doc,
        h_fmt("string(//li[@id='review-%llu']//time[" CLS("cw-date") "])", (unsigned long long)r5),
        "May 3, 2024");
    /* The brand's response sits under its review. */
    expect_count(doc, "//blockquote[" CLS("cw-response") "]", 1);
    expect_str_has(doc,
                   h_fmt("string(//li[@id='review-%llu']//p[" CLS("cw-response-by") "])",
                         (unsigned long long)r2),
                   "Response from Aurora Support on ");
    expect_str(doc,
               h_fmt("string(//li[@id='review-%llu']//p[" CLS("cw-response-text") "])",
                     (unsigned long long)r2),
               "A new hinge is on its way.");
    /* The long body is folded without script, the text whole across the fold. */
    expect_count(doc, "//details[" CLS("cw-fold") "]", 1);
    expect_str(doc,
               h_fmt("string(//li[@id='review-%llu']//details/summary[" CLS("cw-more") "])",
                     (unsigned long long)r4),
               "Read more");
    text = xp_str(
        doc, h_fmt("concat((//li[@id='review-%llu']//p[" CLS(
                       "cw-text") "])[1], "
                                  "(//li[@id='review-%llu']//details/p[" CLS("cw-text") "])[1])",
                   (unsigned long long)r4, (unsigned long long)r4));
    assert_string_equal(text, body);
    free(text);
    /* Votes as a form, paging and feed links. */
    expect_count(doc, "//form[" CLS("cw-votes") " and @method='post']", 4);
    expect_str(doc,
               h_fmt("string(//li[@id='review-%llu']//button[@data-helpful='true'])",
                     (unsigned long long)r5),
               "Yes (0)");
    expect_count(doc, "//a[" CLS("cw-show-more") "]", 0);
    expect_count(doc, "//div[" CLS("cw-pair") "]", 0);
    expect_str_has(doc, "string(//a[" CLS("cw-feed") "]/@href)", "/feeds/products/w-1.atom");
    expect_count(doc, "//p[" CLS("cw-empty") "]", 0);
    /* The iframe is not the shareable page: no Open Graph. */
    expect_count(doc, "//meta[@property='og:title']", 0);

    ld = ld_json(doc);
    expect_jstr(ld, "@context", "https://schema.org");
    expect_jstr(ld, "@type", "Product");
    expect_jstr(ld, "name", "Aurora 13");
    expect_jstr(ld, "sku", "w-1");
    expect_jstr(ld, "gtin13", "4006381333931");
    expect_jstr(ld, "mpn", "AU13");
    expect_jstr(ld, "brand.name", "Aurora");
    expect_jstr(ld, "image", "https://img.example.com/aurora.png");
    expect_jstr(ld, "aggregateRating.@type", "AggregateRating");
    expect_jnum(ld, "aggregateRating.ratingValue", 3.67);
    expect_jint(ld, "aggregateRating.ratingCount", 3);
    expect_jint(ld, "aggregateRating.bestRating", 5);
    expect_jint(ld, "aggregateRating.worstRating", 1);
    /* The rated reviews shown; the mention has no rating and is left out. */
    assert_int_equal(json_array_size(jpath(ld, "review")), 3);
    expect_jstr(ld, "review[0].@type", "Review");
    expect_jstr(ld, "review[0].author.@type", "Person");
    expect_jstr(ld, "review[0].author.name", "Ann");
    expect_jstr(ld, "review[0].datePublished", "2024-05-03");
    expect_jstr(ld, "review[0].name", "Love it");
    expect_jstr(ld, "review[0].reviewBody", "Great screen.\n\nQuiet fan.");
    expect_jint(ld, "review[0].reviewRating.ratingValue", 5);
    expect_jint(ld, "review[0].reviewRating.bestRating", 5);
    json_decref(ld);
    xmlFreeDoc(doc);
}

CHORUS_TEST_SETUP(widget_empty_state, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    xmlDoc *doc;

    seed_product(d, "w-empty", "{\"name\":\"Quiet One\"}");
    doc = get_page(d, "/widget/w-empty.html", 200, NULL);
    expect_str(doc, "string(//p[" CLS("cw-empty") "])", "No reviews yet.");
    expect_count(doc, "//p[" CLS("cw-empty-hint") "]", 1);
    expect_count(doc, "//ol[" CLS("cw-hist") "]", 0);
    expect_count(doc, "//ol[" CLS("cw-list") "]", 0);
    expect_count(doc, "//div[" CLS("cw-controls") "]", 0);
    expect_count(doc, "//a[" CLS("cw-feed") "]", 1);
    /* Google's rules: no aggregateRating without ratings, and a Product
     * with neither ratings nor reviews is an invalid item: no block. */
    expect_count(doc, "//script[@type='application/ld+json']", 0);
    xmlFreeDoc(doc);
}

CHORUS_TEST_SETUP(widget_unknown_product, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    struct hresp *r;
    xmlDoc *doc;

    doc = get_page(d, "/widget/nope.html", 404, &r);
    expect_header(r, "Content-Security-Policy", "default-src 'none'");
    expect_header(r, "X-Content-Type-Options", "nosniff");
    assert_null(hresp_header(r, "ETag"));
    hresp_free(r);
    expect_str(doc, "string(//div[@class='cw']/p[" CLS("cw-error") "])",
               "Reviews are not available right now.");
    expect_count(doc, "//script", 0);
    xmlFreeDoc(doc);
    /* In the reader's language and theme, on the hosted page too. */
    doc = get_page(d, "/widget/nope.html?theme=dark&lang=fr", 404, NULL);
    expect_str(doc, "string(//div[@class='cw cw-dark']/p[" CLS("cw-error") "])",
               "Les avis ne sont pas disponibles pour le moment.");
    xmlFreeDoc(doc);
    doc = get_page(d, "/p/nope", 404, NULL);
    expect_count(doc, "//p[" CLS("cw-error") "]", 1);
    xmlFreeDoc(doc);
}

CHORUS_TEST_SETUP(widget_theme, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    struct hresp *r;
    xmlDoc *doc;

    h_post_review(d, "{\"product_id\":\"w-t\",\"rating\":3,\"author\":\"Al\"}");
    doc = get_page(d, "/widget/w-t.html?theme=dark", 200, NULL);
    expect_count(doc, "//div[@class='cw cw-dark' and @role='region']", 1);
    /* Links keep the theme. */
    expect_str_has(doc, "string((//a[" CLS("cw-sort-link") "])[2]/@href)", "theme=dark");
    xmlFreeDoc(doc);
    doc = get_page(d, "/widget/w-t.html?theme=light", 200, NULL);
    expect_count(doc, "//div[@class='cw' and @role='region']", 1);
    xmlFreeDoc(doc);
    /* Bad parameters: the quiet fallback, a link to the product's page,
     * whatever was wrong, on either page; the API keeps its problems. */
    r = h_get(d, "/widget/w-t.html?theme=blue");
    expect_widget_fallback(r, 400, "w-t");
    hresp_free(r);
    r = h_get(d, "/widget/w-t.html?colour=dark");
    expect_widget_fallback(r, 400, "w-t");
    expect_header(r, "Content-Security-Policy", "default-src 'none'");
    hresp_free(r);
    r = h_get(d, "/widget/w-t.html?limit=51&theme=dark&lang=fr");
    expect_widget_fallback(r, 400, "w-t");
    expect_contains(r->body, "<div class=\"cw cw-dark\" lang=\"fr\"");
    expect_contains(r->body, "Lire les avis");
    hresp_free(r);
    r = h_get(d, "/p/w-t?limit=100");
    expect_widget_fallback(r, 400, "w-t");
    hresp_free(r);
    r = h_get(d, "/api/v1/products/w-t/reviews?limit=1000");
    expect_problem(r, 400);
    hresp_free(r);
}

/* A bad parameter in an embed is its owner's mistake: the reader gets the
 * quiet fallback, the owner a line in chorusd's log saying what was wrong. */
CHORUS_TEST_SETUP(widget_bad_parameters_logged, NULL, h_teardown)
{
    struct chorusd *d = chorusd_make(NULL);
    struct hresp *r;

    *state = d;
    assert_non_null(d);
    snprintf(d->log, sizeof(d->log), "%s/chorusd.log", d->root);
    assert_int_equal(chorusd_start(d), 0);
    h_post_review(d, "{\"product_id\":\"w-l\",\"rating\":4}");
    r = h_get(d, "/widget/w-l.html?limit=100");
    expect_widget_fallback(r, 400, "w-l");
    hresp_free(r);
    assert_true(chorusd_wait_log(
        d, "widget page answered quietly: /widget/w-l.html: 400: limit must be a whole number "
           "from 1 to 50."));
    /* One line a second at most: the next one is a second later. */
    sleep(1);
    r = h_get(d, "/p/w-l?colour=1");
    expect_widget_fallback(r, 400, "w-l");
    hresp_free(r);
    assert_true(chorusd_wait_log(d, "/p/w-l: 400: Unknown query parameter 'colour'"));
}

/* ---- links: filter, sort, paging ------------------------------------------------------------- */

CHORUS_TEST_SETUP(widget_histogram_filter, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t a5, b5, c3, e1;
    char *href;
    xmlDoc *doc;

    a5 = h_post_review(d, "{\"product_id\":\"w-f\",\"rating\":5,\"author\":\"A\","
                          "\"created_at\":\"2024-01-01T00:00:00Z\"}");
    c3 = h_post_review(d, "{\"product_id\":\"w-f\",\"rating\":3,\"author\":\"C\","
                          "\"created_at\":\"2024-01-02T00:00:00Z\"}");
    b5 = h_post_review(d, "{\"product_id\":\"w-f\",\"rating\":5,\"author\":\"B\","
                          "\"created_at\":\"2024-01-03T00:00:00Z\"}");
    e1 = h_post_review(d, "{\"product_id\":\"w-f\",\"rating\":1,\"author\":\"E\","
                          "\"created_at\":\"2024-01-04T00:00:00Z\"}");
    doc = get_page(d, "/widget/w-f.html?limit=5&sort=oldest&theme=dark&lang=en", 200, NULL);
    expect_list(doc, 4, a5, c3, b5, e1);
    expect_count(doc, "//a[" CLS("cw-filter-all") "]", 0);
    /* The 5-star bar filters, keeping limit, sort, theme and language. */
    href = xp_str(doc, "string(//a[" CLS("cw-bar") " and @data-rating='5']/@href)");
    xmlFreeDoc(doc);
    assert_true(strncmp(href, "/widget/w-f.html?", 17) == 0);
    expect_contains(href, "rating=5");
    expect_contains(href, "limit=5");
    expect_contains(href, "sort=oldest");
    expect_contains(href, "theme=dark");
    expect_contains(href, "lang=en");
    doc = get_page(d, href, 200, NULL);
    free(href);
    expect_list(doc, 2, a5, b5);
    expect_count(doc, "//a[" CLS("cw-bar") " and @data-rating='5' and @aria-current='true']", 1);
    expect_count(doc, "//a[" CLS("cw-bar") " and @aria-current]", 1);
    /* Counts and average stay those of the product. */
    expect_str(doc, "string(//span[" CLS("cw-count") "])", "4 reviews");
    expect_str(doc, "string(//div[" CLS("cw-filter") "]/span[" CLS("cw-filter-text") "])",
               "Showing reviews rated 5 of 5");
    /* "All reviews" and the active bar both lead back to everything. */
    href = xp_str(doc, "string(//a[" CLS("cw-filter-all") "]/@href)");
    assert_null(strstr(href, "rating="));
    expect_contains(href, "sort=oldest");
    free(href);
    href = xp_str(doc, "string(//a[" CLS("cw-bar") " and @data-rating='5']/@href)");
    assert_null(strstr(href, "rating="));
    free(href);
    xmlFreeDoc(doc);
    /* A rating nobody gave: the list says so. */
    doc = get_page(d, "/widget/w-f.html?rating=2", 200, NULL);
    expect_count(doc, "//ol[" CLS("cw-list") "]", 0);
    expect_str(doc, "string(//p[" CLS("cw-empty") "])", "No reviews with this rating.");
    xmlFreeDoc(doc);
    /* The API's syntax: several ratings. */
    doc = get_page(d, "/widget/w-f.html?rating=1,3&sort=oldest", 200, NULL);
    expect_list(doc, 2, c3, e1);
    xmlFreeDoc(doc);
}

CHORUS_TEST_SETUP(widget_sort_links, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    static const char *const names[] = {"Newest", "Oldest", "Highest rated", "Lowest rated",
                                        "Most helpful"};
    uint64_t r3, r5, r1, r4;
    struct hresp *r;
    char *href;
    xmlDoc *doc;

    r3 = h_post_review(d, "{\"product_id\":\"w-s\",\"rating\":3,\"author\":\"A\","
                          "\"created_at\":\"2024-01-01T00:00:00Z\"}");
    r5 = h_post_review(d, "{\"product_id\":\"w-s\",\"rating\":5,\"author\":\"B\","
                          "\"created_at\":\"2024-01-02T00:00:00Z\"}");
    r1 = h_post_review(d, "{\"product_id\":\"w-s\",\"rating\":1,\"author\":\"C\","
                          "\"created_at\":\"2024-01-03T00:00:00Z\"}");
    r4 = h_post_review(d, "{\"product_id\":\"w-s\",\"rating\":4,\"author\":\"D\","
                          "\"created_at\":\"2024-01-04T00:00:00Z\"}");
    vote_key(d, r1, true);
    vote_key(d, r1, true);
    vote_key(d, r3, true);
    doc = get_page(d, "/widget/w-s.html?rating=1,3,4,5", 200, NULL);
    expect_count(doc, "//div[" CLS("cw-controls") "]//a[" CLS("cw-sort-link") "]", 5);
    for (int i = 0; i < 5; i++)
        expect_str(doc, h_fmt("string((//a[" CLS("cw-sort-link") "])[%d])", i + 1), names[i]);
    expect_str(doc, "string(//a[" CLS("cw-sort-link") " and @aria-current='true'])", "Newest");
    /* Sort links keep the filter. */
    href = xp_str(doc, "string((//a[" CLS("cw-sort-link") "])[3]/@href)");
    expect_contains(href, "sort=highest");
    expect_contains(href, "rating=1,3,4,5");
    free(href);
    xmlFreeDoc(doc);
    doc = get_page(d, "/widget/w-s.html?sort=highest", 200, NULL);
    expect_list(doc, 4, r5, r4, r3, r1);
    expect_str(doc, "string(//a[" CLS("cw-sort-link") " and @aria-current='true'])",
               "Highest rated");
    xmlFreeDoc(doc);
    doc = get_page(d, "/widget/w-s.html?sort=lowest", 200, NULL);
    expect_list(doc, 4, r1, r3, r4, r5);
    xmlFreeDoc(doc);
    doc = get_page(d, "/widget/w-s.html?sort=oldest", 200, NULL);
    expect_list(doc, 4, r3, r5, r1, r4);
    xmlFreeDoc(doc);
    doc = get_page(d, "/widget/w-s.html?sort=helpful", 200, NULL);
    expect_list(doc, 4, r1, r3, r4, r5);
    xmlFreeDoc(doc);
    r = h_get(d, "/widget/w-s.html?sort=best");
    expect_widget_fallback(r, 400, "w-s");
    hresp_free(r);
}

CHORUS_TEST_SETUP(widget_show_more, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t id[5];
    struct hresp *r;
    char *href;
    xmlDoc *doc;
    json_t *ld;

    for (int i = 0; i < 5; i++)
        id[i] = h_post_review(d, h_fmt("{\"product_id\":\"w-m\",\"rating\":%d,\"author\":\"A%d\","
                                       "\"created_at\":\"2024-02-0%dT00:00:00Z\"}",
                                       i + 1, i, i + 1));
    doc = get_page(d, "/widget/w-m.html?limit=2", 200, NULL);
    expect_list(doc, 2, id[4], id[3]);
    href = xp_str(doc, "string(//a[" CLS("cw-show-more") "]/@href)");
    xmlFreeDoc(doc);
    expect_contains(href, "cursor=");
    expect_contains(href, "limit=2");
    doc = get_page(d, href, 200, &r);
    free(href);
    /* Pages behind a cursor are validated too, not cached. */
    assert_non_null(hresp_header(r, "ETag"));
    hresp_free(r);
    expect_list(doc, 2, id[2], id[1]);
    /* The JSON-LD lists the reviews of this page. */
    ld = ld_json(doc);
    assert_int_equal(json_array_size(jpath(ld, "review")), 2);
    expect_jstr(ld, "review[0].author.name", "A2");
    json_decref(ld);
    href = xp_str(doc, "string(//a[" CLS("cw-show-more") "]/@href)");
    xmlFreeDoc(doc);
    doc = get_page(d, href, 200, NULL);
    free(href);
    expect_list(doc, 1, id[0]);
    expect_count(doc, "//a[" CLS("cw-show-more") "]", 0);
    xmlFreeDoc(doc);
    r = h_get(d, "/widget/w-m.html?cursor=notacursor");
    expect_widget_fallback(r, 400, "w-m");
    hresp_free(r);
}

/* ---- languages ------------------------------------------------------------------------------ */

CHORUS_TEST_SETUP(widget_languages, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    static const struct {
        const char *lang, *helpful, *count, *sort;
    } want[] = {
        {"en", "Was this helpful?", "1 review", "Sort by"},
        {"fr", "Cet avis vous a-t-il été utile\xc2\xa0?", "1 avis", "Trier par"},
        {"de", "War diese Bewertung hilfreich?", "1 Bewertung", "Sortieren nach"},
        {"es", "¿Te ha resultado útil esta opinión?", "1 opinión", "Ordenar por"},
        {"pt", "Esta avaliação foi útil?", "1 avaliação", "Ordenar por"},
    };
    static const char *const accept_pt[] = {"Accept-Language: pt-BR,pt;q=0.9,en;q=0.5", NULL};
    static const char *const accept_de[] = {"Accept-Language: de-AT", NULL};
    struct hreq q = {.method = "GET", .path = "/widget/w-l.html", .headers = accept_pt};
    struct hresp *r;
    xmlDoc *doc;

    h_post_review(d, "{\"product_id\":\"w-l\",\"rating\":4,\"author\":\"Ana\"}");
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        doc = get_page(d, h_fmt("/widget/w-l.html?lang=%s", want[i].lang), 200, &r);
        /* Chosen by the query, not the headers: nothing to vary on. */
        assert_null(hresp_header(r, "Vary"));
        hresp_free(r);
        expect_str(doc, "string(/html/@lang)", want[i].lang);
        expect_str(doc, "string(//div[" CLS("cw") "]/@lang)", want[i].lang);
        expect_str(doc, "string(//span[" CLS("cw-helpful-q") "])", want[i].helpful);
        expect_str(doc, "string(//span[" CLS("cw-count") "])", want[i].count);
        expect_str(doc, "string(//span[" CLS("cw-sort-label") "]/span)", want[i].sort);
        xmlFreeDoc(doc);
    }
    /* Without ?lang=, the Accept-Language list, and the answer varies on it. */
    r = h_do(d, &q);
    expect_status(r, 200);
    expect_header(r, "Vary", "Accept-Language");
    doc = parse_html(r);
    hresp_free(r);
    expect_str(doc, "string(/html/@lang)", "pt");
    /* Links carry the language chosen. */
    expect_str_has(doc, "string((//a[" CLS("cw-sort-link") "])[2]/@href)", "lang=pt");
    xmlFreeDoc(doc);
    q.headers = accept_de;
    q.path = "/widget/w-l.html?lang=FR-ca";
    r = h_do(d, &q);
    doc = parse_html(r);
    hresp_free(r);
    expect_str(doc, "string(/html/@lang)", "fr");
    xmlFreeDoc(doc);
    doc = get_page(d, "/widget/w-l.html?lang=ja", 200, NULL);
    expect_str(doc, "string(/html/@lang)", "en");
    xmlFreeDoc(doc);
    /* The first supported language of the list, not just its first tag. */
    {
        static const char *const accept_zh[] = {"Accept-Language: zh-CN, es;q=0.9, en;q=0.5", NULL};

        q.headers = accept_zh;
        q.path = "/widget/w-l.html";
        r = h_do(d, &q);
        doc = parse_html(r);
        hresp_free(r);
        expect_str(doc, "string(/html/@lang)", "es");
        xmlFreeDoc(doc);
    }
}

/* ---- the best positive / most critical pair ------------------------------------------------ */

CHORUS_TEST_SETUP(widget_pair, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    static const int ratings[] = {5, 4, 4, 5, 2, 1, 3, 5, 4};
    uint64_t id[9];
    xmlDoc *doc;

    for (int i = 0; i < 9; i++)
        id[i] =
            h_post_review(d, h_fmt("{\"product_id\":\"w-p\",\"rating\":%d,\"author\":\"A%d\","
                                   "\"title\":\"T%d\",\"created_at\":\"2024-03-%02dT00:00:00Z\"}",
                                   ratings[i], i, i, i + 1));
    /* A mention counts for nothing here. */
    h_post_review(d, "{\"product_id\":\"w-p\",\"author\":\"M\",\"body\":\"mention\"}");
    vote_key(d, id[2], true); /* the most helpful 4-5 star review */
    vote_key(d, id[2], true);
    vote_key(d, id[0], true);
    vote_key(d, id[6], true); /* the most helpful 1-3 star review */
    doc = get_page(d, "/widget/w-p.html", 200, NULL);
    expect_count(doc, "//div[" CLS("cw-pair") "]", 0);
    xmlFreeDoc(doc);

    h_post_review(d, "{\"product_id\":\"w-p\",\"rating\":5,\"author\":\"A9\","
                     "\"created_at\":\"2024-03-10T00:00:00Z\"}");
    doc = get_page(d, "/widget/w-p.html", 200, NULL);
    expect_count(doc, "//div[" CLS("cw-pair") "]/div[" CLS("cw-review") "]", 2);
    expect_str(doc, "string((//div[" CLS("cw-pair") "]/div)[1]/h3[" CLS("cw-pair-title") "])",
               "Top positive review");
    expect_str(doc, "string((//div[" CLS("cw-pair") "]/div)[1]//h3[" CLS("cw-title") "])", "T2");
    expect_str(doc, "string((//div[" CLS("cw-pair") "]/div)[2]/h3[" CLS("cw-pair-title") "])",
               "Top critical review");
    expect_str(doc, "string((//div[" CLS("cw-pair") "]/div)[2]//h3[" CLS("cw-title") "])", "T6");
    /* The pair comes before the list and carries no duplicate ids. */
    expect_count(doc, "//div[" CLS("cw-pair") "]//@id", 0);
    expect_count(doc, "//div[" CLS("cw-pair") "]/following::ol[" CLS("cw-list") "]", 1);
    xmlFreeDoc(doc);
    /* Not on a filtered page. */
    doc = get_page(d, "/widget/w-p.html?rating=5", 200, NULL);
    expect_count(doc, "//div[" CLS("cw-pair") "]", 0);
    xmlFreeDoc(doc);
}

CHORUS_TEST_SETUP(widget_pair_needs_both, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    xmlDoc *doc;

    for (int i = 0; i < 12; i++)
        h_post_review(
            d, h_fmt("{\"product_id\":\"w-pp\",\"rating\":%d,\"author\":\"A%d\"}", 4 + i % 2, i));
    doc = get_page(d, "/widget/w-pp.html", 200, NULL);
    expect_count(doc, "//div[" CLS("cw-pair") "]", 0);
    xmlFreeDoc(doc);
}

/* ---- hostile text ---------------------------------------------------------------------------- */

#define HOSTILE_TITLE  "<script>alert('t')</script>\" onmouseover=\"alert(6)"
#define HOSTILE_AUTHOR "javascript:alert(5)"

/* expect_inert checks a page carries nothing that could run: the one
 * script element is the JSON-LD, no event-handler attributes, no
 * javascript: URLs, no elements a payload could bring along. */
static void expect_inert(const struct hresp *r, xmlDoc *doc)
{
    const char *p = r->body;
    int scripts = 0, closes = 0;
    json_t *ld;

    expect_count(doc, "//script", 1);
    expect_count(doc, "//script[@type='application/ld+json']", 1);
    expect_count(doc, "//@*[starts-with(translate(name(), 'ON', 'on'), 'on')]", 0);
    expect_count(doc,
                 "//@*[starts-with(translate(normalize-space(.), 'JAVSCRIPT', 'javscript'), "
                 "'javascript:')]",
                 0);
    expect_count(doc, "//img | //svg | //style | //iframe | //object | //embed | //b", 0);
    expect_count(doc, "//@style", 0);
    /* In the raw bytes too: one opening and one closing script tag. */
    for (; (p = strcasestr(p, "<script")); p++)
        scripts++;
    for (p = r->body; (p = strcasestr(p, "</script")); p++)
        closes++;
    assert_int_equal(scripts, 1);
    assert_int_equal(closes, 1);
    assert_null(strstr(r->body, "<img"));
    assert_null(strstr(r->body, "<svg"));
    /* The JSON-LD still parses and holds the text as it was written. */
    ld = ld_json(doc);
    expect_jstr(ld, "name", "<b onclick=alert(8)>Product</b></script>");
    expect_jstr(ld, "review[0].name", HOSTILE_TITLE);
    expect_jstr(ld, "review[0].author.name", HOSTILE_AUTHOR);
    expect_jcontains(ld, "review[0].reviewBody", "</script><script>alert(1)</script>");
    json_decref(ld);
}

CHORUS_TEST_SETUP(widget_hostile, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    const char *paths[] = {"/widget/w-h.html", "/p/w-h"};
    uint64_t id, rtl;
    struct hresp *r;
    xmlDoc *doc;

    seed_product(d, "w-h", "{\"name\":\"<b onclick=alert(8)>Product</b></script>\"}");
    rtl = h_post_review(
        d, "{\"product_id\":\"w-h\",\"rating\":1,"
           "\"title\":\"\\u202egnp.exe\",\"author\":\"\\u202eevil\\u202c Eve\","
           "\"body\":\"' onfocus='alert(7)\",\"created_at\":\"2024-01-01T00:00:00Z\"}");
    id = h_post_review(d, "{\"product_id\":\"w-h\",\"rating\":5,"
                          "\"title\":\"<script>alert('t')</script>\\\" onmouseover=\\\"alert(6)\","
                          "\"author\":\"" HOSTILE_AUTHOR "\","
                          "\"body\":\"</script><script>alert(1)</script>\\n"
                          "<img src=x onerror=alert(2)>\\n<svg/onload=alert(3)>\\n"
                          "</style><style>*{color:red}</style>\\n"
                          "<a href=\\\"javascript:alert(4)\\\">x</a>\","
                          "\"created_at\":\"2024-01-02T00:00:00Z\"}");
    r = h_post_json(d, h_fmt("/api/v1/reviews/%llu/responses", (unsigned long long)id),
                    "{\"author\":\"<img src=x onerror=alert(10)>\","
                    "\"body\":\"<script>alert(9)</script>\"}");
    expect_status(r, 201);
    hresp_free(r);
    for (size_t i = 0; i < 2; i++) {
        doc = get_page(d, paths[i], 200, &r);
        expect_inert(r, doc);
        hresp_free(r);
        /* Every hostile string is there, as text. */
        expect_str(doc,
                   h_fmt("string(//li[@id='review-%llu']//h3[" CLS("cw-title") "])",
                         (unsigned long long)id),
                   HOSTILE_TITLE);
        expect_str(doc,
                   h_fmt("string(//li[@id='review-%llu']//span[" CLS("cw-author") "])",
                         (unsigned long long)id),
                   HOSTILE_AUTHOR);
        expect_str_has(doc,
                       h_fmt("string(//li[@id='review-%llu']//div[" CLS("cw-body") "])",
                             (unsigned long long)id),
                       "<img src=x onerror=alert(2)>");
        expect_str_has(doc, "string(//p[" CLS("cw-response-by") "])",
                       "<img src=x onerror=alert(10)>");
        expect_str(doc, "string(//p[" CLS("cw-response-text") "])", "<script>alert(9)</script>");
        /* A right-to-left override stays inside its own element. */
        expect_str(doc,
                   h_fmt("string(//li[@id='review-%llu']//span[" CLS("cw-author") "]/bdi)",
                         (unsigned long long)rtl),
                   "\xe2\x80\xae"
                   "evil\xe2\x80\xac Eve");
        expect_str(doc,
                   h_fmt("string(//li[@id='review-%llu']//h3[" CLS("cw-title") "]/@dir)",
                         (unsigned long long)rtl),
                   "auto");
        expect_str(doc,
                   h_fmt("string(//li[@id='review-%llu']//p[" CLS("cw-text") "])",
                         (unsigned long long)rtl),
                   "' onfocus='alert(7)");
        xmlFreeDoc(doc);
    }
}

/* ---- headers and caching --------------------------------------------------------------------- */

static int setup_frames(void **state)
{
    *state = chorusd_new("frame_ancestors = https://shop.example.com 'self'\n");
    return *state ? 0 : -1;
}

CHORUS_TEST_SETUP(widget_headers, setup_frames, h_teardown)
{
    struct chorusd *d = *state;
    char etag[128], inm[160];
    const char *hdrs[] = {inm, NULL};
    struct hreq q = {.method = "GET", .path = "/widget/w-c.html", .headers = hdrs};
    struct hreq head = {.method = "HEAD", .path = "/widget/w-c.html"};
    struct hresp *r, *r2;

    h_post_review(d, "{\"product_id\":\"w-c\",\"rating\":4,\"author\":\"Ann\"}");
    r = h_get(d, "/widget/w-c.html");
    expect_status(r, 200);
    expect_header(r, "Content-Type", "text/html; charset=utf-8");
    expect_header(r, "Content-Security-Policy",
                  "default-src 'none'; style-src 'self' http://127.0.0.1:");
    expect_header(r, "Content-Security-Policy", "img-src 'none'");
    expect_header(r, "Content-Security-Policy", "form-action 'self'");
    expect_header(r, "Content-Security-Policy", "base-uri 'none'");
    expect_header(r, "Content-Security-Policy", "frame-ancestors https://shop.example.com 'self'");
    assert_null(strstr(hresp_header(r, "Content-Security-Policy"), "script-src"));
    expect_header(r, "X-Content-Type-Options", "nosniff");
    expect_header(r, "Referrer-Policy", "strict-origin-when-cross-origin");
    expect_header(r, "Cache-Control", "public, max-age=60");
    expect_header(r, "Access-Control-Allow-Origin", "*");
    assert_non_null(hresp_header(r, "ETag"));
    snprintf(etag, sizeof(etag), "%s", hresp_header(r, "ETag"));
    /* Revalidation: 304 without a body. */
    snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
    r2 = h_do(d, &q);
    expect_status(r2, 304);
    assert_int_equal(r2->len, 0);
    expect_header(r2, "ETag", etag);
    hresp_free(r2);
    /* A second GET is the cached page: the same bytes and validator. */
    r2 = h_get(d, "/widget/w-c.html");
    expect_status(r2, 200);
    expect_header(r2, "ETag", etag);
    expect_header(r2, "Content-Security-Policy", "frame-ancestors");
    assert_int_equal(r2->len, r->len);
    assert_memory_equal(r2->body, r->body, r->len);
    hresp_free(r2);
    /* HEAD: the headers and the length, no body. */
    r2 = h_do(d, &head);
    expect_status(r2, 200);
    expect_header(r2, "Content-Length", h_fmt("%zu", r->len));
    assert_int_equal(r2->len, 0);
    hresp_free(r2);
    hresp_free(r);
    /* Another query is another page. */
    r = h_get(d, "/widget/w-c.html?lang=fr");
    assert_string_not_equal(hresp_header(r, "ETag"), etag);
    hresp_free(r);
    /* A new review changes the product's version: the old validator fails. */
    h_post_review(d, "{\"product_id\":\"w-c\",\"rating\":2,\"author\":\"Bo\"}");
    r = h_do(d, &q);
    expect_status(r, 200);
    assert_string_not_equal(hresp_header(r, "ETag"), etag);
    expect_contains(r->body, "2 reviews");
    hresp_free(r);
    /* The hosted page may be framed by this origin only. */
    r = h_get(d, "/p/w-c");
    expect_status(r, 200);
    expect_header(r, "Content-Security-Policy", "frame-ancestors 'self'");
    assert_null(strstr(hresp_header(r, "Content-Security-Policy"), "shop.example.com"));
    hresp_free(r);
}

CHORUS_TEST_SETUP(widget_frame_ancestors_default, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    struct hresp *r;

    h_post_review(d, "{\"product_id\":\"w-c\",\"rating\":4,\"author\":\"Ann\"}");
    r = h_get(d, "/widget/w-c.html");
    expect_status(r, 200);
    expect_header(r, "Content-Security-Policy", "; frame-ancestors *");
    hresp_free(r);
}

/* A frame_ancestors value that would add a directive stops chorusd. */
CHORUS_TEST(widget_frame_ancestors_checked)
{
    struct chorusd *d = chorusd_make("frame_ancestors = 'self'; script-src *\n");
    char out[400], err[400], *text;
    const char *argv[] = {CHORUSD_PATH,  "--data",   NULL, "--listen",
                          "127.0.0.1:0", "--config", NULL, NULL};

    assert_non_null(d);
    argv[2] = d->data;
    argv[6] = d->config;
    snprintf(out, sizeof(out), "%s/out.txt", d->root);
    snprintf(err, sizeof(err), "%s/err.txt", d->root);
    assert_int_not_equal(h_run(out, err, argv), 0);
    text = h_slurp(err, NULL);
    assert_non_null(text);
    expect_contains(text, "frame_ancestors");
    free(text);
    chorusd_free(d);
}

/* ---- the hosted page ---------------------------------------------------------------------------
 */

CHORUS_TEST_SETUP(widget_page_meta, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    size_t cap = 1234 * 80, len = 0;
    char *batch = malloc(cap);
    struct hresp *r;
    xmlDoc *doc;
    char *url;
    json_t *ld;

    seed_product(d, "w-og",
                 "{\"name\":\"Aurora 13\",\"url\":\"https://shop.example.com/aurora\","
                 "\"image_url\":\"https://img.example.com/aurora.png\"}");
    /* 1,234 ratings averaging 4.3 (370 fives, 864 fours), in one request. */
    assert_non_null(batch);
    batch[len++] = '[';
    for (int i = 0; i < 1234; i++)
        len += (size_t)snprintf(batch + len, cap - len,
                                "%s{\"product_id\":\"w-og\",\"rating\":%d,\"author\":\"R%d\"}",
                                i ? "," : "", i < 370 ? 5 : 4, i);
    assert_true(len + 2 < cap);
    batch[len++] = ']';
    batch[len] = '\0';
    r = h_post_json(d, "/api/v1/reviews", batch);
    expect_status(r, 201);
    hresp_free(r);
    free(batch);

    doc = get_page(d, "/p/w-og", 200, NULL);
    expect_str(doc, "string(/html/head/title)", "Aurora 13 — 4.3★ from 1,234 reviews");
    expect_str(doc, "string(//meta[@property='og:title']/@content)",
               "Aurora 13 — 4.3★ from 1,234 reviews");
    expect_str(doc, "string(//meta[@name='description']/@content)",
               "1,234 reviews of Aurora 13, average 4.3 out of 5.");
    expect_str(doc, "string(//meta[@property='og:description']/@content)",
               "1,234 reviews of Aurora 13, average 4.3 out of 5.");
    expect_str(doc, "string(//meta[@property='og:type']/@content)", "product");
    expect_str(doc, "string(//meta[@property='og:image']/@content)",
               "https://img.example.com/aurora.png");
    url = xp_str(doc, "string(//meta[@property='og:url']/@content)");
    assert_true(strncmp(url, "http://127.0.0.1:", 17) == 0);
    assert_non_null(strstr(url, "/p/w-og"));
    expect_str(doc, "string(//link[@rel='canonical']/@href)", url);
    free(url);
    expect_str(doc, "string(//meta[@name='twitter:card']/@content)", "summary");
    expect_str(doc, "string(//meta[@name='twitter:title']/@content)",
               "Aurora 13 — 4.3★ from 1,234 reviews");
    expect_str(doc, "string(//meta[@name='twitter:description']/@content)",
               "1,234 reviews of Aurora 13, average 4.3 out of 5.");
    /* Atom autodiscovery. */
    expect_count(doc, "//link[@rel='alternate' and @type='application/atom+xml']", 1);
    expect_str_has(doc, "string(//link[@rel='alternate' and @type='application/atom+xml']/@href)",
                   "/feeds/products/w-og.atom");
    expect_str(doc, "string(//link[@rel='alternate' and @type='application/atom+xml']/@title)",
               "Reviews of Aurora 13");
    /* The page around the widget: a heading and the way to the shop. */
    expect_str(doc, "string(//h1)", "Reviews of Aurora 13");
    expect_count(doc, "//a[@href='https://shop.example.com/aurora']", 1);
    expect_count(doc, "//div[" CLS("cw") " and @role='region']", 1);
    expect_str(doc, "string(//span[" CLS("cw-count") "])", "1,234 reviews");
    /* Paging and voting stay on the hosted page. */
    expect_str_has(doc, "string(//a[" CLS("cw-show-more") "]/@href)", "/p/w-og?");
    expect_str_has(doc, "string((//input[@name='return'])[1]/@value)", "/p/w-og?");
    ld = ld_json(doc);
    expect_jint(ld, "aggregateRating.ratingCount", 1234);
    expect_jnum(ld, "aggregateRating.ratingValue", 4.3);
    json_decref(ld);
    xmlFreeDoc(doc);
    /* In French: decimal comma, narrow no-break space between thousands. */
    doc = get_page(d, "/p/w-og?lang=fr", 200, NULL);
    expect_str(doc, "string(//meta[@property='og:title']/@content)",
               "Aurora 13 — 4,3★ sur 1\xe2\x80\xaf"
               "234 avis");
    expect_str(doc, "string(//meta[@property='og:locale']/@content)", "fr_FR");
    xmlFreeDoc(doc);
}

/* ---- embed.js and widget.css --------------------------------------------------------------------
 */

CHORUS_TEST_SETUP(widget_assets, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    static const char marker[] = "/*CHORUS_I18N*/null";
    static const char *const langs[] = {"en", "fr", "de", "es", "pt"};
    char *src, *css, etag[128], inm[160], *at;
    const char *hdrs[] = {inm, NULL};
    struct hreq q = {.method = "GET", .path = "/widget/embed.js", .headers = hdrs};
    size_t slen, clen;
    struct hresp *r;
    json_error_t err;
    json_t *i18n;

    src = h_slurp(CHORUS_SOURCE_DIR "/web/embed.js", &slen);
    css = h_slurp(CHORUS_SOURCE_DIR "/web/widget.css", &clen);
    assert_non_null(src);
    assert_non_null(css);
    r = h_get(d, "/widget/embed.js");
    expect_status(r, 200);
    expect_header(r, "Content-Type", "application/javascript; charset=utf-8");
    expect_header(r, "Cache-Control", "public, max-age=3600");
    expect_header(r, "Access-Control-Allow-Origin", "*");
    assert_non_null(hresp_header(r, "ETag"));
    snprintf(etag, sizeof(etag), "%s", hresp_header(r, "ETag"));
    assert_null(strstr(r->body, marker));
    at = strstr(src, marker);
    if (at) {
        size_t off = (size_t)(at - src);

        /* The script up to the marker is as written; there the strings begin. */
        assert_true(r->len > off);
        assert_memory_equal(r->body, src, off);
        i18n = json_loadb(r->body + off, r->len - off, JSON_DISABLE_EOF_CHECK, &err);
        if (!i18n)
            fail_msg("the UI strings are not JSON: %s", err.text);
        assert_true(json_is_object(i18n));
        assert_int_equal(json_object_size(i18n), 5);
        for (size_t i = 0; i < 5; i++) {
            json_t *l = json_object_get(i18n, langs[i]);

            assert_true(json_is_object(l));
            assert_true(json_is_string(json_object_get(l, "reviews_of")));
            assert_non_null(strstr(json_string_value(json_object_get(l, "reviews_of")), "{name}"));
            assert_true(json_is_string(json_object_get(l, "helpful_q")));
            assert_true(json_is_string(json_object_get(l, "be_first")));
            assert_true(json_object_size(l) >= 36);
        }
        expect_jstr(i18n, "de.read_more", "Weiterlesen");
        expect_jstr(i18n, "pt.no", "Não");
        json_decref(i18n);
    }
    hresp_free(r);
    snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
    r = h_do(d, &q);
    expect_status(r, 304);
    hresp_free(r);
    r = h_get(d, "/widget/embed.js?v=2");
    expect_status(r, 200);
    hresp_free(r);
    r = h_get(d, "/widget/embed.js?x=2");
    expect_problem(r, 400);
    hresp_free(r);

    r = h_get(d, "/widget/widget.css");
    expect_status(r, 200);
    expect_header(r, "Content-Type", "text/css; charset=utf-8");
    expect_header(r, "Cache-Control", "public, max-age=3600");
    assert_int_equal(r->len, clen);
    assert_memory_equal(r->body, css, clen);
    hresp_free(r);
    free(src);
    free(css);
}

/* ---- votes without JavaScript -----------------------------------------------------------------
 */

CHORUS_TEST_SETUP(widget_vote_form, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t a, b;
    char *ret, enc[1024];
    struct hresp *r;
    xmlDoc *doc;

    a = h_post_review(d, "{\"product_id\":\"w-v\",\"rating\":5,\"author\":\"A\","
                         "\"created_at\":\"2024-01-01T00:00:00Z\"}");
    b = h_post_review(d, "{\"product_id\":\"w-v\",\"rating\":2,\"author\":\"B\","
                         "\"created_at\":\"2024-01-02T00:00:00Z\"}");
    doc = get_page(d, "/widget/w-v.html?lang=fr&sort=oldest", 200, NULL);
    expect_str(doc, h_fmt("string(//li[@id='review-%llu']//form/@action)", (unsigned long long)a),
               h_fmt("/api/v1/reviews/%llu/votes", (unsigned long long)a));
    expect_str(doc, h_fmt("string(//li[@id='review-%llu']//form/@method)", (unsigned long long)a),
               "post");
    ret = xp_str(doc, h_fmt("string(//li[@id='review-%llu']//input[@name='return']/@value)",
                            (unsigned long long)a));
    xmlFreeDoc(doc);
    assert_true(strncmp(ret, "/widget/w-v.html?", 17) == 0);
    expect_contains(ret, "sort=oldest");
    expect_contains(ret, h_fmt("#review-%llu", (unsigned long long)a));

    /* The form's POST: counted, and back to the page with 303. */
    h_pct_encode(ret, enc, sizeof(enc));
    r = post_form(d, a, h_fmt("helpful=true&return=%s", enc));
    expect_status(r, 303);
    expect_header(r, "Location", ret);
    hresp_free(r);
    assert_int_equal(helpful_of(d, a), 1);
    doc = get_page(d, "/widget/w-v.html?lang=fr&sort=oldest", 200, NULL);
    expect_str(doc,
               h_fmt("string(//li[@id='review-%llu']//button[@data-helpful='true'])",
                     (unsigned long long)a),
               "Oui (1)");
    xmlFreeDoc(doc);
    /* Once per address and review: back to the page, not counted again. */
    r = post_form(d, a, h_fmt("helpful=true&return=%s", enc));
    expect_status(r, 303);
    hresp_free(r);
    assert_int_equal(helpful_of(d, a), 1);
    free(ret);
    /* The order of fields does not matter; a path without fragment gets the review's. */
    r = post_form(d, b, "return=%2Fp%2Fw-v&helpful=false");
    expect_status(r, 303);
    expect_header(r, "Location", h_fmt("/p/w-v#review-%llu", (unsigned long long)b));
    hresp_free(r);
    /* Only this server's widget pages are places to go back to. */
    {
        static const char *const bad[] = {
            "helpful=true&return=https%3A%2F%2Fevil.example%2Fwidget%2F",
            "helpful=true&return=%2F%2Fevil.example%2Fwidget%2F",
            "helpful=true&return=%2Fapi%2Fv1%2Fproducts",
            "helpful=true&return=%2Fwidget%2Fx%0D%0ASet-Cookie%3A%20a%3Db",
            "helpful=true",
            "helpful=maybe&return=%2Fp%2Fw-v",
            "helpful=true&return=%2Fp%2Fw-v&extra=1",
            "helpful=true&helpful=false&return=%2Fp%2Fw-v",
            "helpful=true&return=%2Fp%2F..%2F..%2Fdashboard",
            "helpful=true&return=%2Fwidget%2F%252e%252e%2Fdashboard",
        };

        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            r = post_form(d, a, bad[i]);
            expect_problem(r, 400);
            hresp_free(r);
        }
    }
    /* The JSON contract is unchanged. */
    r = h_post_json(d, h_fmt("/api/v1/reviews/%llu/votes", (unsigned long long)b),
                    "{\"helpful\":true}");
    expect_status(r, 200);
    expect_jint(r->json, "helpful", 1);
    expect_jint(r->json, "not_helpful", 1);
    hresp_free(r);
}

CHORUS_TEST_MAIN()
