/* Route matching (server/router.c, srv__route_find): which handler a method
 * and a raw path reach, the decoded {id}/{path} parameter, 404 against 405
 * with the Allow list, HEAD served by GET, literal suffixes, percent-
 * decoding and what it must refuse, and parameter lengths. */
#include "testmain.h"

#include <stdlib.h>

#include "internal.h"

struct found {
    const struct srv_route *route;
    char param[SRV_PARAM_MAX];
    char allow[64];
};

static struct found route(enum evhttp_cmd_type m, const char *path)
{
    struct found f;

    memset(&f, 0, sizeof(f));
    f.route = srv__route_find(m, path, f.param, sizeof(f.param), f.allow, sizeof(f.allow));
    assert_true(strlen(f.allow) < sizeof(f.allow));
    return f;
}

/* reaches checks that m on path runs fn with parameter param (NULL: a
 * route without one). */
static void reaches(enum evhttp_cmd_type m, const char *path, void (*fn)(struct srv_req *),
                    const char *param)
{
    struct found f = route(m, path);

    if (!f.route)
        fail_msg("%s: no route (allow \"%s\")", path, f.allow);
    if (f.route->fn != fn)
        fail_msg("%s: reached the handler of %s", path, f.route->path);
    assert_true(f.route->method == m ||
                (m == EVHTTP_REQ_HEAD && f.route->method == EVHTTP_REQ_GET));
    if (param)
        assert_string_equal(f.param, param);
}

/* not_found checks that path is a 404 for every method. */
static void not_found(const char *path)
{
    static const enum evhttp_cmd_type ms[] = {
        EVHTTP_REQ_GET,  EVHTTP_REQ_POST,    EVHTTP_REQ_PUT,  EVHTTP_REQ_DELETE,
        EVHTTP_REQ_HEAD, EVHTTP_REQ_OPTIONS, EVHTTP_REQ_PATCH};

    for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
        struct found f = route(ms[i], path);

        if (f.route || f.allow[0])
            fail_msg("%s: matched (%s, allow \"%s\")", path, f.route ? f.route->path : "-",
                     f.allow);
    }
}

/* not_allowed checks that m on path is a 405 listing allow. */
static void not_allowed(enum evhttp_cmd_type m, const char *path, const char *allow)
{
    struct found f = route(m, path);

    if (f.route)
        fail_msg("%s: reached %s", path, f.route->path);
    assert_string_equal(f.allow, allow);
}

CHORUS_TEST(every_route_is_reachable)
{
    reaches(EVHTTP_REQ_GET, "/healthz", srv__health, NULL);
    reaches(EVHTTP_REQ_GET, "/metrics", srv__metrics, NULL);
    reaches(EVHTTP_REQ_POST, "/api/v1/reviews", srv__reviews_post, NULL);
    reaches(EVHTTP_REQ_GET, "/api/v1/reviews/42", srv__review_get, "42");
    reaches(EVHTTP_REQ_DELETE, "/api/v1/reviews/42", srv__review_delete, "42");
    reaches(EVHTTP_REQ_POST, "/api/v1/reviews/42/moderation", srv__review_moderate, "42");
    reaches(EVHTTP_REQ_POST, "/api/v1/reviews/42/responses", srv__review_respond, "42");
    reaches(EVHTTP_REQ_POST, "/api/v1/reviews/7/votes", srv__review_vote, "7");
    reaches(EVHTTP_REQ_GET, "/api/v1/moderation", srv__moderation_list, NULL);
    reaches(EVHTTP_REQ_GET, "/api/v1/products", srv__products_list, NULL);
    reaches(EVHTTP_REQ_GET, "/api/v1/products/sku-1", srv__product_get, "sku-1");
    reaches(EVHTTP_REQ_PUT, "/api/v1/products/sku-1", srv__product_put, "sku-1");
    reaches(EVHTTP_REQ_GET, "/api/v1/products/sku-1/reviews", srv__product_reviews, "sku-1");
    reaches(EVHTTP_REQ_GET, "/api/v1/digest-tokens", srv__tokens_list, NULL);
    reaches(EVHTTP_REQ_POST, "/api/v1/digest-tokens", srv__tokens_create, NULL);
    reaches(EVHTTP_REQ_DELETE, "/api/v1/digest-tokens/3", srv__tokens_delete, "3");
    reaches(EVHTTP_REQ_GET, "/api/v1/sources", srv__sources_list, NULL);
    reaches(EVHTTP_REQ_POST, "/api/v1/sources", srv__sources_create, NULL);
    reaches(EVHTTP_REQ_GET, "/api/v1/sources/9", srv__source_get, "9");
    reaches(EVHTTP_REQ_DELETE, "/api/v1/sources/9", srv__source_delete, "9");
    reaches(EVHTTP_REQ_POST, "/api/v1/sources/9/poll", srv__source_poll, "9");
    reaches(EVHTTP_REQ_GET, "/feeds/products/sku-1.atom", srv__feed_product, "sku-1");
    reaches(EVHTTP_REQ_GET, "/feeds/categories/laptops.atom", srv__feed_category, "laptops");
    reaches(EVHTTP_REQ_GET, "/feeds/reviews.atom", srv__feed_all, NULL);
    reaches(EVHTTP_REQ_GET, "/feeds/digest.atom", srv__feed_digest, NULL);
    reaches(EVHTTP_REQ_GET, "/feeds/google-reviews.xml", srv__feed_google, NULL);
    reaches(EVHTTP_REQ_GET, "/feeds/google-reviews/index.json", srv__feed_google_index, NULL);
    reaches(EVHTTP_REQ_GET, "/feeds/google-reviews/12.xml", srv__feed_google_part, "12");
    reaches(EVHTTP_REQ_GET, "/widget/embed.js", srv__widget_js, NULL);
    reaches(EVHTTP_REQ_GET, "/widget/widget.css", srv__widget_css, NULL);
    reaches(EVHTTP_REQ_GET, "/widget/sku-1.html", srv__widget_html, "sku-1");
    reaches(EVHTTP_REQ_GET, "/p/sku-1", srv__widget_page, "sku-1");
    reaches(EVHTTP_REQ_GET, "/dashboard", srv__dashboard, NULL);
}

CHORUS_TEST(head_is_get)
{
    reaches(EVHTTP_REQ_HEAD, "/healthz", srv__health, NULL);
    reaches(EVHTTP_REQ_HEAD, "/feeds/products/a.atom", srv__feed_product, "a");
    reaches(EVHTTP_REQ_HEAD, "/api/v1/reviews/5", srv__review_get, "5");
    /* HEAD of something only POST serves is a 405, not a POST. */
    not_allowed(EVHTTP_REQ_HEAD, "/api/v1/reviews", "POST");
    not_allowed(EVHTTP_REQ_HEAD, "/api/v1/reviews/5/votes", "POST");
}

CHORUS_TEST(wrong_method_is_405_with_allow)
{
    not_allowed(EVHTTP_REQ_POST, "/healthz", "GET");
    not_allowed(EVHTTP_REQ_GET, "/api/v1/reviews", "POST");
    not_allowed(EVHTTP_REQ_PUT, "/api/v1/reviews/42", "GET, DELETE");
    not_allowed(EVHTTP_REQ_PATCH, "/api/v1/reviews/42", "GET, DELETE");
    not_allowed(EVHTTP_REQ_DELETE, "/api/v1/products/x", "GET, PUT");
    not_allowed(EVHTTP_REQ_PUT, "/api/v1/digest-tokens", "GET, POST");
    not_allowed(EVHTTP_REQ_GET, "/api/v1/digest-tokens/3", "DELETE");
    not_allowed(EVHTTP_REQ_POST, "/feeds/reviews.atom", "GET");
    not_allowed(EVHTTP_REQ_GET, "/api/v1/sources/9/poll", "POST");
    /* OPTIONS (a CORS preflight) gets the same list. */
    not_allowed(EVHTTP_REQ_OPTIONS, "/api/v1/reviews", "POST");
    not_allowed(EVHTTP_REQ_OPTIONS, "/api/v1/sources/1", "GET, DELETE");
    not_allowed(EVHTTP_REQ_OPTIONS, "/feeds/categories/a/b.atom", "GET");
}

CHORUS_TEST(unknown_paths_are_404)
{
    not_found("/");
    not_found("");
    not_found("/nope");
    not_found("/healthz/");
    not_found("/healthzz");
    not_found("/healthz/x");
    not_found("//healthz");
    not_found("/HEALTHZ");
    not_found("/api/v1/reviews/");
    not_found("/api/v1/reviews//votes");
    not_found("/api/v1/reviews/1/2");
    not_found("/api/v1/reviews/1/votes/");
    not_found("/api/v1/reviews/1/vote");
    not_found("/api/v2/reviews");
    not_found("/api/v1/products/");
    not_found("/p/");
    not_found("/p/a/b");
    not_found("/widget/");
    not_found("/feeds/");
    not_found("/feeds/categories/");
    /* Literal parts compare the raw path: an encoded letter is another path. */
    not_found("/api/v1/%72eviews");
    not_found("/healthz%2F");
}

CHORUS_TEST(literal_suffixes)
{
    reaches(EVHTTP_REQ_GET, "/feeds/products/a.atom.atom", srv__feed_product, "a.atom");
    reaches(EVHTTP_REQ_GET, "/feeds/products/a.b.atom", srv__feed_product, "a.b");
    reaches(EVHTTP_REQ_GET, "/widget/a.html", srv__widget_html, "a");
    /* The suffix alone is not a parameter followed by it. */
    not_found("/feeds/products/.atom");
    not_found("/feeds/categories/.atom");
    not_found("/widget/.html");
    /* The segment must end with the suffix exactly. */
    not_found("/feeds/products/a.atomx");
    not_found("/feeds/products/a.ato");
    not_found("/feeds/products/a");
    not_found("/feeds/products/a.ATOM");
    not_found("/feeds/products/a.atom/");
    not_found("/feeds/products/a/b.atom");
    not_found("/widget/a.html/x");
    not_found("/widget/a.htm");
}

CHORUS_TEST(path_parameters_take_slashes)
{
    reaches(EVHTTP_REQ_GET, "/feeds/categories/laptops/gaming.atom", srv__feed_category,
            "laptops/gaming");
    reaches(EVHTTP_REQ_GET, "/feeds/categories/a/b/c/d.atom", srv__feed_category, "a/b/c/d");
    reaches(EVHTTP_REQ_GET, "/feeds/categories/a/.atom", srv__feed_category, "a/");
    reaches(EVHTTP_REQ_GET, "/feeds/categories/a%20b/c%2Fd.atom", srv__feed_category, "a b/c/d");
    /* The suffix is found at the very end, not at the first segment. */
    reaches(EVHTTP_REQ_GET, "/feeds/categories/a.atom/b.atom", srv__feed_category, "a.atom/b");
    not_found("/feeds/categories/a/b.atom/");
    not_found("/feeds/categories/a/b");
}

CHORUS_TEST(percent_decoding)
{
    reaches(EVHTTP_REQ_GET, "/api/v1/products/caf%C3%A9", srv__product_get, "caf\xc3\xa9");
    reaches(EVHTTP_REQ_GET, "/api/v1/products/caf%c3%a9", srv__product_get, "caf\xc3\xa9");
    reaches(EVHTTP_REQ_GET, "/api/v1/products/caf\xc3\xa9", srv__product_get, "caf\xc3\xa9");
    /* An encoded slash is part of an {id}, not a segment break. */
    reaches(EVHTTP_REQ_GET, "/api/v1/products/a%2Fb", srv__product_get, "a/b");
    reaches(EVHTTP_REQ_GET, "/api/v1/products/a%2Fb/reviews", srv__product_reviews, "a/b");
    reaches(EVHTTP_REQ_GET, "/feeds/products/a%2Fb.atom", srv__feed_product, "a/b");
    /* '+' is a plus in a path, not a space. */
    reaches(EVHTTP_REQ_GET, "/api/v1/products/a+b", srv__product_get, "a+b");
    reaches(EVHTTP_REQ_GET, "/api/v1/products/%2B", srv__product_get, "+");
    /* Decoding runs once: %2541 is "%41", not "A". */
    reaches(EVHTTP_REQ_GET, "/api/v1/products/%2541", srv__product_get, "%41");
    /* The suffix is matched before decoding. */
    reaches(EVHTTP_REQ_GET, "/feeds/products/x%2Eatom.atom", srv__feed_product, "x.atom");
    not_found("/feeds/products/x%2Eatom");
}

CHORUS_TEST(hostile_parameters_match_nothing)
{
    /* A NUL would cut the id short in every C string after the router. */
    not_found("/api/v1/products/%00");
    not_found("/api/v1/products/a%00b");
    not_found("/api/v1/reviews/1%00/votes");
    not_found("/feeds/categories/a/%00.atom");
    /* Invalid UTF-8 once decoded: overlong '/', a lone byte, a surrogate. */
    not_found("/api/v1/products/%C0%AF");
    not_found("/api/v1/products/%FF");
    not_found("/api/v1/products/%C3");
    not_found("/api/v1/products/%ED%A0%80");
    not_found("/feeds/products/%E2%82.atom");
    not_found("/api/v1/products/\xff");
}

CHORUS_TEST(parameter_lengths)
{
    char path[3 * SRV_PARAM_MAX + 64], param[16], allow[64];
    const struct srv_route *r;
    size_t n;

    /* The longest parameter that fits, and one byte more. */
    n = (size_t)snprintf(path, sizeof(path), "/api/v1/products/");
    memset(path + n, 'a', SRV_PARAM_MAX - 1);
    path[n + SRV_PARAM_MAX - 1] = '\0';
    reaches(EVHTTP_REQ_GET, path, srv__product_get, NULL);
    assert_int_equal(strlen(route(EVHTTP_REQ_GET, path).param), SRV_PARAM_MAX - 1);
    path[n + SRV_PARAM_MAX - 1] = 'a';
    path[n + SRV_PARAM_MAX] = '\0';
    not_found(path);
    /* Far longer, with a suffix and a further segment after it. */
    memset(path + n, 'b', 3 * SRV_PARAM_MAX);
    memcpy(path + n + 3 * SRV_PARAM_MAX, "/reviews", 9);
    not_found(path);
    n = (size_t)snprintf(path, sizeof(path), "/feeds/categories/");
    memset(path + n, 'c', 2 * SRV_PARAM_MAX);
    memcpy(path + n + 2 * SRV_PARAM_MAX, ".atom", 6);
    not_found(path);

    /* The caller's capacity bounds the decoded parameter. */
    r = srv__route_find(EVHTTP_REQ_GET, "/p/0123456789abcdef", param, sizeof(param), allow,
                        sizeof(allow));
    assert_null(r);
    r = srv__route_find(EVHTTP_REQ_GET, "/p/0123456789abcde", param, sizeof(param), allow,
                        sizeof(allow));
    assert_non_null(r);
    assert_string_equal(param, "0123456789abcde");
    /* Encoded, 15 raw bytes decode to 5: they fit. */
    r = srv__route_find(EVHTTP_REQ_GET, "/p/%41%42%43%44%45", param, sizeof(param), allow,
                        sizeof(allow));
    assert_non_null(r);
    assert_string_equal(param, "ABCDE");
}

CHORUS_TEST(allow_list_is_cut_safely)
{
    char param[64], allow[6];
    const struct srv_route *r;

    memset(allow, 'Z', sizeof(allow));
    r = srv__route_find(EVHTTP_REQ_PUT, "/api/v1/digest-tokens", param, sizeof(param), allow,
                        sizeof(allow));
    assert_null(r);
    /* A prefix of "GET, POST", NUL-terminated inside the buffer. */
    assert_true(strlen(allow) < sizeof(allow));
    assert_true(strlen(allow) > 0);
    assert_memory_equal(allow, "GET, POST", strlen(allow));
    /* A 404 gives "", whatever the buffer held. */
    memset(allow, 'Z', sizeof(allow));
    r = srv__route_find(EVHTTP_REQ_GET, "/none", param, sizeof(param), allow, sizeof(allow));
    assert_null(r);
    assert_string_equal(allow, "");
}

CHORUS_TEST_MAIN()
