/* The rendered-response cache (server/cache.c), through internal.h only:
 * lookups by key and version, a new version misses, re-put replaces, LRU
 * eviction under the byte cap, entries over an eighth of the cache are not
 * kept, the metrics /metrics shows, the body a reply sends, and the single
 * flight: one render per version, the previous page served meanwhile, or a
 * wait when there is none. */
#include "testmain.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "internal.h"

static struct srv_cached meta(uint64_t version, const char *etag)
{
    struct srv_cached c;

    memset(&c, 0, sizeof(c));
    c.version = version;
    c.modified = 1700000000 + (int64_t)version;
    snprintf(c.etag, sizeof(c.etag), "%s", etag);
    c.type = "application/atom+xml";
    return c;
}

/* put stores a body of n bytes of fill under key. */
static void put(struct srv_cache *c, const char *key, uint64_t version, const char *etag, size_t n,
                char fill)
{
    struct srv_cached m = meta(version, etag);
    struct buf b;

    buf_init(&b, 0);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(buf_putc(&b, fill), 0);
    srv__cache_fill(c, key, &m, &b);
    /* The cache copies: the caller's buffer is its own again. */
    assert_int_equal(b.len, n);
    buf_cleanup(&b);
}

/* get looks key up at version and returns a copy of a hit's metadata, or
 * NULL for anything else; a render the lookup hands over is given up at
 * once, as a route that answers 304 does. */
static const struct srv_cached *get(struct srv_cache *c, const char *key, uint64_t version)
{
    static struct srv_cached m;
    const struct srv_blob *b = NULL;
    enum srv_cache_state st = srv__cache_lookup(c, key, version, &b);

    if (st == SRV_CACHE_RENDER)
        srv__cache_abandon(c, key, version);
    if (st != SRV_CACHE_HIT) {
        srv__cache_release(b);
        return NULL;
    }
    m = *srv__cache_meta(b);
    srv__cache_release(b);
    return &m;
}

/* metric reads one value of srv__cache_metrics. */
static unsigned long long metric(struct srv_cache *c, const char *name)
{
    struct buf b;
    char pat[64];
    const char *p;
    unsigned long long v;

    buf_init(&b, 0);
    srv__cache_metrics(c, &b);
    assert_non_null(b.data);
    snprintf(pat, sizeof(pat), "\n%s ", name);
    p = strstr(b.data, pat);
    if (!p)
        fail_msg("no %s in the metrics", name);
    v = strtoull(p + strlen(pat), NULL, 10);
    buf_cleanup(&b);
    return v;
}

/* ---- bodies, read back through srv__cache_reply -------------------------------------- */

struct capture {
    char data[4096];
    size_t len;
};

static void on_add(struct evbuffer *b, const struct evbuffer_cb_info *info, void *arg)
{
    struct capture *cap = arg;

    if (!info->n_added)
        return;
    cap->len = evbuffer_get_length(b);
    assert_true(cap->len <= sizeof(cap->data));
    assert_int_equal(evbuffer_copyout(b, cap->data, cap->len), (ev_ssize_t)cap->len);
}

/* body_of sends the page of key at version through srv__cache_reply on a
 * request without a connection (libevent frees it at once, dropping the
 * reply's reference to the body) and returns what went into its output
 * buffer. */
static struct capture *body_of(struct srv_cache *c, const char *key, uint64_t version)
{
    static struct capture cap;
    struct evhttp_request *req = evhttp_request_new(NULL, NULL);
    const struct srv_blob *b = NULL;
    struct srv_req r;

    assert_int_equal(srv__cache_lookup(c, key, version, &b), SRV_CACHE_HIT);
    assert_non_null(req);
    memset(&cap, 0, sizeof(cap));
    memset(&r, 0, sizeof(r));
    r.req = req;
    evbuffer_add_cb(evhttp_request_get_output_buffer(req), on_add, &cap);
    srv__cache_reply(&r, 200, b);
    return &cap;
}

/* ---- cases ------------------------------------------------------------------------------- */

CHORUS_TEST(get_by_key_and_version)
{
    struct srv_cache *c = srv__cache_new(1 << 20);
    const struct srv_cached *got;

    assert_null(get(c, "feed:a", 1));
    put(c, "feed:a", 1, "\"e1\"", 10, 'a');
    got = get(c, "feed:a", 1);
    assert_non_null(got);
    assert_int_equal(got->version, 1);
    assert_int_equal(got->modified, 1700000001);
    assert_string_equal(got->etag, "\"e1\"");
    assert_string_equal(got->type, "application/atom+xml");
    /* Other versions, and keys one byte away, miss. */
    assert_null(get(c, "feed:a", 2));
    assert_null(get(c, "feed:a", 0));
    assert_null(get(c, "feed:", 1));
    assert_null(get(c, "feed:aa", 1));
    assert_null(get(c, "Feed:a", 1));
    assert_null(get(c, "", 1));
    /* The empty key is a key like any other. */
    put(c, "", 3, "\"empty\"", 1, 'e');
    assert_non_null(get(c, "", 3));
    assert_non_null(get(c, "feed:a", 1));
    assert_int_equal(metric(c, "chorus_cache_entries"), 2);
    srv__cache_free(c);
}

CHORUS_TEST(a_new_version_misses_and_replaces)
{
    struct srv_cache *c = srv__cache_new(1 << 20);
    const struct srv_cached *got;

    put(c, "feed:p", 7, "\"v7\"", 100, '7');
    assert_non_null(get(c, "feed:p", 7));
    /* A write moved the scope's version: the old page must not be served. */
    assert_null(get(c, "feed:p", 8));
    put(c, "feed:p", 8, "\"v8\"", 100, '8');
    got = get(c, "feed:p", 8);
    assert_non_null(got);
    assert_string_equal(got->etag, "\"v8\"");
    assert_null(get(c, "feed:p", 7));
    assert_int_equal(metric(c, "chorus_cache_entries"), 1);
    srv__cache_free(c);
}

CHORUS_TEST(re_put_replaces)
{
    struct srv_cache *c = srv__cache_new(1 << 20), *fresh = srv__cache_new(1 << 20);
    const struct srv_cached *got;
    struct capture *cap;

    put(c, "k", 1, "\"first\"", 1000, 'f');
    cap = body_of(c, "k", 1);
    assert_int_equal(cap->len, 1000);
    assert_int_equal(cap->data[0], 'f');
    assert_int_equal(cap->data[999], 'f');
    /* The same key and version again, with another body and ETag. */
    put(c, "k", 1, "\"second\"", 3000, 's');
    got = get(c, "k", 1);
    assert_non_null(got);
    assert_string_equal(got->etag, "\"second\"");
    cap = body_of(c, "k", 1);
    assert_int_equal(cap->len, 3000);
    assert_int_equal(cap->data[0], 's');
    assert_int_equal(cap->data[2999], 's');
    /* One entry, counted once: the bytes equal a cache that only ever
     * held the second one. */
    put(fresh, "k", 1, "\"second\"", 3000, 's');
    assert_int_equal(metric(c, "chorus_cache_entries"), 1);
    assert_int_equal(metric(c, "chorus_cache_bytes"), metric(fresh, "chorus_cache_bytes"));
    /* A shorter body after a longer one. */
    put(c, "k", 2, "\"third\"", 0, 'x');
    cap = body_of(c, "k", 2);
    assert_int_equal(cap->len, 0);
    srv__cache_free(c);
    srv__cache_free(fresh);
}

CHORUS_TEST(lru_eviction_under_the_byte_cap)
{
    /* 1 MiB: bodies of 100000 bytes fit ten times with room for any sane
     * per-entry overhead, and not eleven times. */
    enum { CAP = 1 << 20, BODY = 100000 };
    struct srv_cache *c = srv__cache_new(CAP);
    char key[16];

    for (int i = 0; i < 10; i++) {
        snprintf(key, sizeof(key), "page:%d", i);
        put(c, key, 1, "\"e\"", BODY, (char)('a' + i));
    }
    for (int i = 0; i < 10; i++) {
        snprintf(key, sizeof(key), "page:%d", i);
        assert_non_null(get(c, key, 1));
    }
    assert_int_equal(metric(c, "chorus_cache_entries"), 10);
    assert_true(metric(c, "chorus_cache_bytes") <= CAP);
    /* Touch page:0 (now the most recent): the next put evicts page:1, the
     * least recently used, not page:0, the oldest stored. */
    assert_non_null(get(c, "page:0", 1));
    put(c, "page:10", 1, "\"e\"", BODY, 'k');
    assert_non_null(get(c, "page:0", 1));
    assert_null(get(c, "page:1", 1));
    assert_non_null(get(c, "page:10", 1));
    for (int i = 2; i < 10; i++) {
        snprintf(key, sizeof(key), "page:%d", i);
        assert_non_null(get(c, key, 1));
    }
    assert_true(metric(c, "chorus_cache_bytes") <= CAP);
    /* page:0 was used before page:10 and page:2..9 just above, so it is
     * the next to go. */
    put(c, "page:11", 1, "\"e\"", BODY, 'l');
    assert_null(get(c, "page:0", 1));
    assert_non_null(get(c, "page:11", 1));
    /* Many more pages: the cap always holds and the newest is there. */
    for (int i = 12; i < 200; i++) {
        snprintf(key, sizeof(key), "page:%d", i);
        put(c, key, 1, "\"e\"", BODY / 2 + (size_t)i * 97, 'm');
        assert_true(metric(c, "chorus_cache_bytes") <= CAP);
        assert_non_null(get(c, key, 1));
    }
    srv__cache_free(c);
}

CHORUS_TEST(an_eighth_at_most)
{
    enum { CAP = 1 << 20 };
    struct srv_cache *c = srv__cache_new(CAP);

    put(c, "small", 1, "\"s\"", 1000, 's');
    /* A body of an eighth of the cache is more than an eighth with its key
     * and bookkeeping: not kept, and it evicts nothing. */
    put(c, "big", 1, "\"b\"", CAP / 8, 'b');
    assert_null(get(c, "big", 1));
    put(c, "huge", 1, "\"h\"", CAP, 'h');
    assert_null(get(c, "huge", 1));
    assert_non_null(get(c, "small", 1));
    assert_int_equal(metric(c, "chorus_cache_entries"), 1);
    /* Comfortably under an eighth is kept. */
    put(c, "fits", 1, "\"f\"", CAP / 8 - 4096, 'f');
    assert_non_null(get(c, "fits", 1));
    srv__cache_free(c);

    /* A cache too small for anything keeps nothing. */
    c = srv__cache_new(0);
    put(c, "k", 1, "\"e\"", 1, 'x');
    assert_null(get(c, "k", 1));
    srv__cache_free(c);
}

CHORUS_TEST(hits_and_misses)
{
    struct srv_cache *c = srv__cache_new(1 << 20);

    assert_int_equal(metric(c, "chorus_cache_hits_total"), 0);
    assert_int_equal(metric(c, "chorus_cache_misses_total"), 0);
    assert_int_equal(metric(c, "chorus_cache_entries"), 0);
    assert_int_equal(metric(c, "chorus_cache_bytes"), 0);
    assert_null(get(c, "a", 1));
    put(c, "a", 1, "\"a\"", 10, 'a');
    assert_non_null(get(c, "a", 1));
    assert_non_null(get(c, "a", 1));
    assert_null(get(c, "a", 2));
    assert_int_equal(metric(c, "chorus_cache_hits_total"), 2);
    assert_int_equal(metric(c, "chorus_cache_misses_total"), 2);
    assert_true(metric(c, "chorus_cache_bytes") >= 10);
    srv__cache_free(c);
}

CHORUS_TEST(disabled_cache)
{
    struct srv_cached m = meta(1, "\"x\"");
    struct buf b;

    /* A NULL cache (cache_bytes 0 in the configuration) does nothing. */
    buf_init(&b, 0);
    assert_int_equal(buf_puts(&b, "body"), 0);
    srv__cache_fill(NULL, "k", &m, &b);
    assert_null(get(NULL, "k", 1));
    buf_reset(&b);
    srv__cache_metrics(NULL, &b);
    assert_int_equal(b.len, 0);
    buf_cleanup(&b);
    srv__cache_free(NULL);
}

CHORUS_TEST(many_keys)
{
    /* More keys than any fixed bucket array, small bodies: all findable. */
    enum { N = 20000 };
    struct srv_cache *c = srv__cache_new((size_t)64 << 20);
    char key[32];

    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof(key), "/feeds/products/%d.atom", i);
        put(c, key, (uint64_t)i, "\"e\"", 16, 'x');
    }
    assert_int_equal(metric(c, "chorus_cache_entries"), N);
    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof(key), "/feeds/products/%d.atom", i);
        assert_non_null(get(c, key, (uint64_t)i));
        assert_null(get(c, key, (uint64_t)i + 1));
    }
    srv__cache_free(c);
}

/* ---- single flight ---------------------------------------------------------------------- */

CHORUS_TEST(one_render_per_version)
{
    struct srv_cache *c = srv__cache_new(1 << 20);
    const struct srv_blob *b = NULL;

    /* The first to miss renders; the second, with an older page kept,
     * serves that one meanwhile; after the fill both see the new page. */
    put(c, "w", 1, "\"v1\"", 10, '1');
    assert_int_equal(srv__cache_lookup(c, "w", 2, &b), SRV_CACHE_RENDER);
    assert_null(b);
    assert_int_equal(srv__cache_lookup(c, "w", 2, &b), SRV_CACHE_STALE);
    assert_non_null(b);
    assert_int_equal(srv__cache_meta(b)->version, 1);
    assert_string_equal(srv__cache_meta(b)->etag, "\"v1\"");
    srv__cache_release(b);
    /* A newer version still is rendered on its own (the older render only
     * fills what is older than what is kept). */
    assert_int_equal(srv__cache_lookup(c, "w", 3, &b), SRV_CACHE_RENDER);
    put(c, "w", 3, "\"v3\"", 10, '3');
    put(c, "w", 2, "\"v2\"", 10, '2'); /* late: kept is newer */
    assert_null(get(c, "w", 2));
    assert_non_null(get(c, "w", 3));
    assert_int_equal(metric(c, "chorus_cache_stale_total"), 1);
    /* An abandoned render (a 304, a failed render) lets the next one try. */
    assert_int_equal(srv__cache_lookup(c, "w", 4, &b), SRV_CACHE_RENDER);
    srv__cache_abandon(c, "w", 4);
    assert_int_equal(srv__cache_lookup(c, "w", 4, &b), SRV_CACHE_RENDER);
    srv__cache_abandon(c, "w", 4);
    assert_int_equal(metric(c, "chorus_cache_entries"), 1);
    srv__cache_free(c);
}

struct waiter {
    struct srv_cache *c;
    enum srv_cache_state st;
    uint64_t version;
};

static void *wait_for_page(void *arg)
{
    struct waiter *w = arg;
    const struct srv_blob *b = NULL;

    w->st = srv__cache_lookup(w->c, "new", 1, &b);
    w->version = b ? srv__cache_meta(b)->version : 0;
    srv__cache_release(b);
    return NULL;
}

CHORUS_TEST(with_nothing_to_show_others_wait)
{
    struct srv_cache *c = srv__cache_new(1 << 20);
    const struct srv_blob *b = NULL;
    struct waiter w = {c, SRV_CACHE_MISS, 0};
    pthread_t tid;

    /* No page yet: a second reader waits for the render instead of
     * rendering too, and gets the page the first one filled. */
    assert_int_equal(srv__cache_lookup(c, "new", 1, &b), SRV_CACHE_RENDER);
    assert_int_equal(pthread_create(&tid, NULL, wait_for_page, &w), 0);
    for (int i = 0; i < 500 && metric(c, "chorus_cache_render_waits_total") == 0; i++)
        usleep(2000);
    assert_int_equal(metric(c, "chorus_cache_render_waits_total"), 1);
    put(c, "new", 1, "\"n1\"", 10, 'n');
    assert_int_equal(pthread_join(tid, NULL), 0);
    assert_int_equal(w.st, SRV_CACHE_HIT);
    assert_int_equal(w.version, 1);

    /* A render given up wakes the waiter, which renders itself. */
    w.st = SRV_CACHE_MISS;
    srv__cache_free(c);
    c = srv__cache_new(1 << 20);
    w.c = c;
    assert_int_equal(srv__cache_lookup(c, "new", 1, &b), SRV_CACHE_RENDER);
    assert_int_equal(pthread_create(&tid, NULL, wait_for_page, &w), 0);
    for (int i = 0; i < 500 && metric(c, "chorus_cache_render_waits_total") == 0; i++)
        usleep(2000);
    srv__cache_abandon(c, "new", 1);
    assert_int_equal(pthread_join(tid, NULL), 0);
    assert_int_equal(w.st, SRV_CACHE_RENDER);
    srv__cache_abandon(c, "new", 1);
    srv__cache_free(c);
}

CHORUS_TEST(a_page_outlives_its_eviction_while_sent)
{
    struct srv_cache *c = srv__cache_new(1 << 20);
    const struct srv_blob *b = NULL;

    /* A reference handed out keeps the bytes alive after the cache let go
     * of them (LeakSanitizer and ASan watch the count). */
    put(c, "held", 1, "\"h\"", 100, 'h');
    assert_int_equal(srv__cache_lookup(c, "held", 1, &b), SRV_CACHE_HIT);
    put(c, "held", 2, "\"h2\"", 100, 'i'); /* replaces version 1 in the cache */
    assert_int_equal(srv__cache_meta(b)->version, 1);
    srv__cache_free(c); /* and the cache goes */
    assert_string_equal(srv__cache_meta(b)->etag, "\"h\"");
    srv__cache_release(b);
}

CHORUS_TEST_MAIN()
