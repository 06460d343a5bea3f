/* The cache front (deploy/nginx, started by deploy/try-cache-front.sh) in
 * front of a real chorusd: what it keeps (public widget pages and feeds),
 * for how long (the freshness, then a revalidation chorusd answers), what it
 * never keeps (requests with the API key or a reader token), and what
 * readers and writers get when chorusd is down (stored pages; a clean 502).
 *
 * Every case runs the shipped rules with the freshness made short
 * (CHORUS_FRONT_FRESH), so waiting it out takes seconds. Skipped (77) where
 * nginx is not installed. */
#define _GNU_SOURCE

#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "front.h"
#include "testmain.h"

/* Seconds the front keeps a page in these cases: long enough that a few
 * requests in a row under the sanitizers all fall inside it, short enough
 * to wait out. */
#define FRESH_S 2

#define WIDGET "/widget/lap-1.html"
#define FEED   "/feeds/products/lap-1.atom"

struct fx {
    struct chorusd *d;
    struct front *f;
};

static int fx_setup(void **state)
{
    struct fx *x = calloc(1, sizeof(*x));

    if (!x)
        abort();
    *state = x;
    x->d = chorusd_new(NULL);
    if (!x->d)
        return -1;
    x->f = front_new(x->d, FRESH_S);
    return x->f ? 0 : -1;
}

static int fx_teardown(void **state)
{
    struct fx *x = *state;
    int rc = front_free(x->f);

    if (chorusd_free(x->d) != 0)
        rc = -1;
    free(x);
    return rc;
}

/* past_freshness sleeps until a page stored now is no longer fresh. */
static void past_freshness(void)
{
    struct timespec ts = {.tv_sec = FRESH_S + 1, .tv_nsec = 0};

    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* get_via GETs path through the front, expects 200 and X-Cache-Status one
 * of the |-separated words in want, and returns the response (caller
 * frees). */
#define get_via(f, path, key, want) get_via_((f), (path), (key), (want), __FILE__, __LINE__)
static struct hresp *get_via_(struct front *f, const char *path, bool key, const char *want,
                              const char *file, int line)
{
    struct hresp *r = key ? h_get_key(f->via, path) : h_get(f->via, path);
    const char *got = front_cache_status(r);
    char words[64], word[64];

    h__expect_status(r, 200, file, line);
    snprintf(words, sizeof(words), "|%s|", want);
    snprintf(word, sizeof(word), "|%s|", got);
    if (!got[0] || !strstr(words, word)) {
        print_error("%s:%d: GET %s%s: X-Cache-Status \"%s\", expected %s\n", file, line, path,
                    key ? " (with the key)" : "", got, want);
        _fail(file, line);
    }
    return r;
}

/* shows_via is get_via that also expects text (NULL: anything) in the body
 * and frees the response. */
#define shows_via(f, path, key, want, text)                                                        \
    shows_via_((f), (path), (key), (want), (text), __FILE__, __LINE__)
static void shows_via_(struct front *f, const char *path, bool key, const char *want,
                       const char *text, const char *file, int line)
{
    struct hresp *r = get_via_(f, path, key, want, file, line);

    if (text)
        h__expect_contains(r->body, text, file, line);
    hresp_free(r);
}

/* expect_same_body: b is the same page as a, byte for byte. */
static void expect_same_body(const struct hresp *a, const struct hresp *b)
{
    assert_int_equal(a->len, b->len);
    assert_memory_equal(a->body, b->body, a->len);
}

static void seed_lap1(struct chorusd *d)
{
    h_post_review(d, "{\"product_id\":\"lap-1\",\"rating\":4,\"title\":\"Solid machine\","
                     "\"body\":\"Quiet fans and a keyboard that stays cool.\"}");
}

/* ---- what the front keeps, and for how long ---------------------------------------- */

CHORUS_TEST_SETUP(front_caches_and_revalidates, fx_setup, fx_teardown)
{
    struct fx *x = *state;
    struct hresp *w1, *w2, *f1, *f2, *r;

    seed_lap1(x->d);

    /* The first request fills the cache, the next ones are the front's. */
    w1 = get_via(x->f, WIDGET, false, "MISS");
    expect_contains(w1->body, "Solid machine");
    expect_header(w1, "Cache-Control", "public");
    w2 = get_via(x->f, WIDGET, false, "HIT");
    expect_same_body(w1, w2);
    hresp_free(w2);
    f1 = get_via(x->f, FEED, false, "MISS");
    expect_header(f1, "Content-Type", "application/atom+xml");
    f2 = get_via(x->f, FEED, false, "HIT");
    expect_same_body(f1, f2);
    hresp_free(f2);
    shows_via(x->f, FEED, false, "HIT", NULL);

    /* A review written through the front (a POST is never a cache
     * candidate, so it has no cache status at all) ... */
    r = h_post_json(x->f->via, "/api/v1/reviews",
                    "{\"product_id\":\"lap-1\",\"rating\":2,\"title\":\"Hinge cracked\","
                    "\"body\":\"The left hinge cracked after a month of daily use.\"}");
    expect_status(r, 201);
    assert_string_equal(front_cache_status(r), "");
    hresp_free(r);
    /* ... is not on the stored page while it is fresh: the front absorbs
     * the readers ... */
    r = get_via(x->f, WIDGET, false, "HIT");
    expect_same_body(w1, r);
    assert_null(strstr(r->body, "Hinge cracked"));
    hresp_free(r);
    /* ... which chorusd itself already shows ... */
    r = h_get(x->d, WIDGET);
    expect_status(r, 200);
    expect_contains(r->body, "Hinge cracked");
    hresp_free(r);

    /* ... and the first request after the freshness asks chorusd with the
     * stored ETag and gets the new page (chorusd's versions changed, so it
     * answers 200: EXPIRED), waiting for it rather than being served the old
     * one. */
    past_freshness();
    shows_via(x->f, WIDGET, false, "EXPIRED|REVALIDATED", "Hinge cracked");
    shows_via(x->f, FEED, false, "EXPIRED|REVALIDATED", "Hinge cracked");
    shows_via(x->f, WIDGET, false, "HIT", "Hinge cracked");

    /* Nothing changed since: after the freshness chorusd answers the
     * revalidation 304 and the front serves what it has (REVALIDATED). */
    past_freshness();
    shows_via(x->f, WIDGET, false, "REVALIDATED", "Hinge cracked");
    shows_via(x->f, FEED, false, "REVALIDATED", "Hinge cracked");

    hresp_free(w1);
    hresp_free(f1);
}

/* ---- what the front never keeps --------------------------------------------------------- */

CHORUS_TEST_SETUP(front_never_caches_credentials, fx_setup, fx_teardown)
{
    struct fx *x = *state;
    struct hresp *r;
    char *token, *digest;
    int i;

    seed_lap1(x->d);

    /* The API key: every request goes to chorusd, even a public page that
     * the front holds for readers without the key. */
    shows_via(x->f, WIDGET, false, "MISS", NULL);
    for (i = 0; i < 3; i++) {
        shows_via(x->f, WIDGET, true, "BYPASS", NULL);
        shows_via(x->f, "/api/v1/products/lap-1/reviews", true, "BYPASS", NULL);
    }
    /* What the keyed requests got was not stored for anyone either. */
    shows_via(x->f, "/api/v1/products/lap-1/reviews", false, "MISS", NULL);

    /* A reader token (made through the front, with the key). */
    r = h_post_json(x->f->via, "/api/v1/digest-tokens", "{\"name\":\"hinge team\"}");
    expect_status(r, 201);
    assert_string_equal(front_cache_status(r), "");
    assert_true(json_is_string(jpath(r->json, "token")));
    token = strdup(json_string_value(jpath(r->json, "token")));
    hresp_free(r);
    digest = strdup(h_fmt("/feeds/digest.atom?token=%s", token));
    for (i = 0; i < 3; i++) {
        r = get_via(x->f, digest, false, "BYPASS");
        expect_header(r, "Content-Type", "application/atom+xml");
        expect_header(r, "Cache-Control", "private");
        hresp_free(r);
    }
    /* A wrong token is not answered from a stored copy either. */
    r = h_get(x->f->via, "/feeds/digest.atom?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    assert_true(r->status >= 400);
    assert_string_equal(front_cache_status(r), "BYPASS");
    hresp_free(r);
    free(digest);
    free(token);
}

/* ---- chorusd down ------------------------------------------------------------------------ */

CHORUS_TEST_SETUP(front_serves_stale_when_chorusd_down, fx_setup, fx_teardown)
{
    struct fx *x = *state;
    struct hresp *w, *f, *r;

    seed_lap1(x->d);
    w = get_via(x->f, WIDGET, false, "MISS");
    f = get_via(x->f, FEED, false, "MISS");

    assert_int_equal(chorusd_stop(x->d), 0);

    /* Past the freshness the front cannot revalidate and serves what it
     * stored, again and again. */
    past_freshness();
    for (int i = 0; i < 2; i++) {
        r = get_via(x->f, WIDGET, false, "STALE");
        expect_same_body(w, r);
        hresp_free(r);
        r = get_via(x->f, FEED, false, "STALE");
        expect_same_body(f, r);
        hresp_free(r);
    }

    /* A keyed write fails cleanly with nginx's answer: nothing was stored
     * for it, and nothing claims it was accepted. */
    r = h_post_json(x->f->via, "/api/v1/reviews",
                    "{\"product_id\":\"lap-1\",\"rating\":5,\"title\":\"Lost?\","
                    "\"body\":\"Written while chorusd was down.\"}");
    assert_true(r->status == 502 || r->status == 503 || r->status == 504);
    assert_string_equal(front_cache_status(r), "");
    hresp_free(r);
    /* A keyed read too, although a stored copy of the page exists. */
    r = h_get_key(x->f->via, WIDGET);
    assert_true(r->status == 502 || r->status == 503 || r->status == 504);
    assert_string_equal(front_cache_status(r), "BYPASS");
    hresp_free(r);
    /* A public page the front never stored has nothing to fall back on. */
    r = h_get(x->f->via, "/widget/lap-2.html");
    assert_true(r->status == 502 || r->status == 503 || r->status == 504);
    hresp_free(r);

    hresp_free(w);
    hresp_free(f);
}

CHORUS_TEST_MAIN()
