/* Serving on every core: chorusd with four serving threads, driven by many
 * concurrent connections (libcurl's multi interface, one connection per
 * transfer). Every thread serves, writes are answered on the thread their
 * request came in on, a page a write changed is rendered once however many
 * ask for it at once, and reads and writes mixed lose nothing. Run under
 * ThreadSanitizer too (CHORUS_SANITIZE=thread) to check the sharing. */
#include "testmain.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "seed.h"

#define THREADS_CONF "threads = 4\n"
#define PRODUCT      "th-1"

/* ---- many requests at once --------------------------------------------------------- */

struct xfer {
    CURL *easy;
    struct curl_slist *headers;
    char *body; /* the response */
    size_t len;
    long status;
};

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
    struct xfer *x = arg;
    char *grown = realloc(x->body, x->len + size * n + 1);

    assert_non_null(grown);
    x->body = grown;
    memcpy(x->body + x->len, p, size * n);
    x->len += size * n;
    x->body[x->len] = '\0';
    return size * n;
}

/* run_all sends n requests at once, each on a connection of its own
 * (FRESH_CONNECT), and waits for every answer: methods[i] (NULL: GET)
 * paths[i], bodies[i] (NULL: none; sent as JSON with the key). Fails the
 * test on a transfer that gets no HTTP answer. xs receives the answers;
 * free them with free_all. */
static void run_all(struct chorusd *d, size_t n, const char *const *paths,
                    const char *const *bodies, struct xfer *xs)
{
    CURLM *m = curl_multi_init();
    int running = 0;

    assert_non_null(m);
    curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, 0L);
    for (size_t i = 0; i < n; i++) {
        struct xfer *x = &xs[i];

        memset(x, 0, sizeof(*x));
        x->easy = curl_easy_init();
        assert_non_null(x->easy);
        curl_easy_setopt(x->easy, CURLOPT_URL, h_fmt("http://127.0.0.1:%d%s", d->port, paths[i]));
        curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x);
        curl_easy_setopt(x->easy, CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(x->easy, CURLOPT_FORBID_REUSE, 1L);
        curl_easy_setopt(x->easy, CURLOPT_TIMEOUT, 60L);
        if (bodies && bodies[i]) {
            x->headers = curl_slist_append(NULL, "Content-Type: application/json");
            x->headers = curl_slist_append(x->headers, "Authorization: Bearer " H_KEY);
            curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->headers);
            curl_easy_setopt(x->easy, CURLOPT_COPYPOSTFIELDS, bodies[i]);
        }
        curl_multi_add_handle(m, x->easy);
    }
    do {
        assert_int_equal(curl_multi_perform(m, &running), CURLM_OK);
        if (running)
            assert_int_equal(curl_multi_poll(m, NULL, 0, 1000, NULL), CURLM_OK);
    } while (running);
    for (size_t i = 0; i < n; i++) {
        curl_easy_getinfo(xs[i].easy, CURLINFO_RESPONSE_CODE, &xs[i].status);
        if (xs[i].status == 0)
            fail_msg("%s got no answer", paths[i]);
        curl_multi_remove_handle(m, xs[i].easy);
    }
    curl_multi_cleanup(m);
}

static void free_all(struct xfer *xs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        curl_easy_cleanup(xs[i].easy);
        curl_slist_free_all(xs[i].headers);
        free(xs[i].body);
    }
}

static void seed(struct chorusd *d)
{
    seed_product(d, PRODUCT, "{\"name\":\"Threaded laptop\",\"category\":\"laptops/threads\"}");
    h_post_review(d, "{\"product_id\":\"" PRODUCT "\",\"rating\":4,\"title\":\"First\","
                     "\"body\":\"The first review of the threaded product.\"}");
}

/* ---- cases --------------------------------------------------------------------------- */

static int setup(void **state)
{
    *state = chorusd_new(THREADS_CONF);
    return *state ? 0 : -1;
}

CHORUS_TEST_SETUP(every_thread_serves, setup, h_teardown)
{
    struct chorusd *d = *state;
    enum { N = 64 };
    const char *paths[N];
    struct xfer xs[N];
    long long sum = 0, busy = 0, total;
    struct hresp *r;

    seed(d);
    for (size_t i = 0; i < N; i++)
        paths[i] = i % 2 ? "/api/v1/products/" PRODUCT : "/widget/" PRODUCT ".html";
    for (int round = 0; round < 3; round++) {
        run_all(d, N, paths, NULL, xs);
        for (size_t i = 0; i < N; i++)
            assert_int_equal(xs[i].status, 200);
        free_all(xs, N);
    }
    /* The kernel spreads 192 connections over the four sockets: more than
     * one thread served, and the threads' counts add up to the total. */
    r = h_get(d, "/metrics");
    expect_status(r, 200);
    for (int t = 0; t < 4; t++) {
        const char *p = strstr(r->body, h_fmt("chorus_thread_requests_total{thread=\"%d\"} ", t));
        long long v;

        assert_non_null(p);
        v = strtoll(strchr(p, ' ') + 1, NULL, 10);
        sum += v;
        busy += v > 0;
    }
    assert_null(strstr(r->body, "chorus_thread_requests_total{thread=\"4\"}"));
    hresp_free(r);
    total = h_metric(d, "chorus_http_requests_total");
    assert_true(busy >= 2);
    assert_true(sum >= 3 * N && sum <= total);
}

CHORUS_TEST_SETUP(writes_reply_on_their_thread, setup, h_teardown)
{
    struct chorusd *d = *state;
    enum { N = 40 };
    const char *paths[N], *bodies[N];
    char *owned[N];
    struct xfer xs[N];

    seed(d);
    for (size_t i = 0; i < N; i++) {
        owned[i] = strdup(h_fmt("{\"product_id\":\"%s\",\"rating\":%zu,\"source\":\"t\","
                                "\"source_id\":\"w%zu\",\"body\":\"Concurrent review %zu.\"}",
                                PRODUCT, i % 5 + 1, i, i));
        paths[i] = "/api/v1/reviews";
        bodies[i] = owned[i];
    }
    run_all(d, N, paths, bodies, xs);
    /* Every write is answered, after its commit, whichever thread took it. */
    for (size_t i = 0; i < N; i++) {
        json_t *j = json_loads(xs[i].body, 0, NULL);

        assert_int_equal(xs[i].status, 201);
        assert_non_null(j);
        expect_jstr(j, "results[0].status", "created");
        json_decref(j);
        free(owned[i]);
    }
    free_all(xs, N);
    {
        struct hresp *r = h_get(d, "/api/v1/products/" PRODUCT);

        expect_status(r, 200);
        expect_jint(r->json, "stats.count", N + 1);
        hresp_free(r);
    }
}

CHORUS_TEST_SETUP(one_render_per_new_version, setup, h_teardown)
{
    struct chorusd *d = *state;
    enum { N = 32 };
    const char *paths[N];
    struct xfer xs[N];
    long long misses, stale, hits;
    struct hresp *r;

    seed(d);
    r = h_get(d, "/widget/" PRODUCT ".html");
    expect_status(r, 200);
    hresp_free(r);
    h_post_review(d, "{\"product_id\":\"" PRODUCT "\",\"rating\":2,\"title\":\"Second\","
                     "\"body\":\"The review that changes the widget.\"}");
    misses = h_metric(d, "chorus_cache_misses_total");
    stale = h_metric(d, "chorus_cache_stale_total");
    hits = h_metric(d, "chorus_cache_hits_total");
    for (size_t i = 0; i < N; i++)
        paths[i] = "/widget/" PRODUCT ".html";
    run_all(d, N, paths, NULL, xs);
    for (size_t i = 0; i < N; i++) {
        assert_int_equal(xs[i].status, 200);
        /* Every answer is a whole widget, of one version or the other. */
        expect_contains(xs[i].body, "First");
        expect_contains(xs[i].body, "</html>");
    }
    free_all(xs, N);
    /* One render of the new version; every other request was the old page
     * while it was made, or the new one after. */
    assert_int_equal(h_metric(d, "chorus_cache_misses_total") - misses, 1);
    assert_int_equal(h_metric(d, "chorus_cache_stale_total") - stale +
                         h_metric(d, "chorus_cache_hits_total") - hits,
                     N - 1);
    r = h_get(d, "/widget/" PRODUCT ".html");
    expect_status(r, 200);
    expect_contains(r->body, "The review that changes the widget.");
    hresp_free(r);
}

CHORUS_TEST_SETUP(reads_and_writes_mixed, setup, h_teardown)
{
    struct chorusd *d = *state;
    enum { N = 60, ROUNDS = 5 };
    const char *paths[N], *bodies[N];
    char *owned[N];
    struct xfer xs[N];
    int written = 0;

    seed(d);
    for (int round = 0; round < ROUNDS; round++) {
        /* A third writes single reviews of the product the rest read. */
        for (size_t i = 0; i < N; i++) {
            owned[i] = NULL;
            bodies[i] = NULL;
            switch (i % 6) {
            case 0:
            case 3:
                owned[i] = strdup(h_fmt("{\"product_id\":\"%s\",\"rating\":3,\"source\":\"m\","
                                        "\"source_id\":\"m%d-%zu\",\"body\":\"Mixed %d %zu.\"}",
                                        PRODUCT, round, i, round, i));
                paths[i] = "/api/v1/reviews";
                bodies[i] = owned[i];
                written++;
                break;
            case 1:
                paths[i] = "/widget/" PRODUCT ".html";
                break;
            case 2:
                paths[i] = "/feeds/products/" PRODUCT ".atom";
                break;
            case 4:
                paths[i] = "/api/v1/products/" PRODUCT "/reviews?limit=10";
                break;
            default:
                paths[i] = "/api/v1/products/" PRODUCT;
                break;
            }
        }
        run_all(d, N, paths, bodies, xs);
        for (size_t i = 0; i < N; i++) {
            if (bodies[i])
                assert_int_equal(xs[i].status, 201);
            else
                assert_int_equal(xs[i].status, 200);
            assert_true(xs[i].len > 0);
            free(owned[i]);
        }
        free_all(xs, N);
    }
    /* Nothing lost: the product counts every acknowledged review, and its
     * cached pages show the last of them. */
    {
        struct hresp *r = h_get(d, "/api/v1/products/" PRODUCT);

        expect_status(r, 200);
        expect_jint(r->json, "stats.count", written + 1);
        hresp_free(r);
        r = h_get(d, "/api/v1/products/" PRODUCT "/reviews?limit=1");
        expect_status(r, 200);
        expect_jcontains(r->json, "reviews[0].body", "Mixed");
        hresp_free(r);
    }
}

CHORUS_TEST_MAIN()
