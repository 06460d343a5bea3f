/* Faults chorusd must survive (docs/reliability.md).
 *
 * Crashes: clients ingest reviews over HTTP while chorusd is killed with
 * SIGKILL at random moments and started again on the same folder. After
 * every kill `chorus check` must find the folder consistent (no half-written
 * batch: every count and aggregate recounts to what is stored), and at the
 * end every review that was answered with a 2xx must be there, as it was
 * sent. CHORUS_CRASH_CYCLES sets the number of kills (default 5, a few
 * seconds; the ctest entry it_faults.sigkill_long runs 150), and
 * CHORUS_CRASH_SEED the random kill moments, to replay a failed run.
 *
 * A full disk: the data folder on a small tmpfs filled up by a file. Writes
 * answer 503 saying the disk is full, reads go on, and writes work again
 * once the file is gone, without a restart.
 */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <curl/curl.h>

#include "testmain.h"

#ifndef CHORUS_PATH
#error "CHORUS_PATH must name the chorus binary"
#endif

#define SKIP_CODE 77 /* SKIP_RETURN_CODE in tests.cmake */

/* ---- SIGKILL while clients ingest ------------------------------------------- */

#define CLIENTS  4
#define PRODUCTS 7
/* Acknowledged reviews one client remembers; far above what 150 cycles
 * produce, and a client that reaches it stops posting rather than forget. */
#define ACKED_CAP (1u << 18)

/* One acknowledged review: the id chorusd answered with, and what was sent. */
struct acked {
    uint64_t id;
    uint32_t seq;
};

struct client {
    int no;
    _Atomic int *port; /* 0 while chorusd is down */
    atomic_bool *stop;
    struct acked *acked;
    size_t n_acked;
    size_t sent, failed; /* requests sent; answered with no 2xx or not at all */
    char body[1024];
    struct answer {
        char data[4096];
        size_t len;
    } resp;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct answer *b = arg;
    size_t len = size * n;

    /* A longer answer is not one this test expects; keeping its start is
     * enough to fail the parse below. */
    if (len > sizeof(b->data) - 1 - b->len)
        len = sizeof(b->data) - 1 - b->len;
    memcpy(b->data + b->len, p, len);
    b->len += len;
    return size * n;
}

/* review_of formats the review a client sends as its seq-th: its
 * source_id makes it unique, so it can never update another one. */
static const char *review_of(char *out, size_t cap, int client, uint32_t seq)
{
    snprintf(out, cap,
             "{\"product_id\":\"crash-%u\",\"rating\":%u,\"source\":\"crash\",\"source_id\":"
             "\"c%d-%u\",\"title\":\"Cycle test %u\",\"body\":\"Posted by client %d.\"}",
             seq % PRODUCTS, seq % 5 + 1, client, seq, seq, client);
    return out;
}

/* record keeps the ids of an acknowledged request of n reviews from seq on. */
static void record(struct client *c, uint32_t seq, size_t n)
{
    json_t *root = json_loadb(c->resp.data, c->resp.len, 0, NULL);
    json_t *results = root ? json_object_get(root, "results") : NULL;

    /* A 2xx always names every item: a shorter answer is a bug, and the
     * missing ids count as lost when the test checks (id 0 is never valid). */
    for (size_t i = 0; i < n && c->n_acked < ACKED_CAP; i++) {
        json_t *id = json_object_get(json_array_get(results, i), "id");

        c->acked[c->n_acked].id = (uint64_t)json_integer_value(id);
        c->acked[c->n_acked].seq = seq + (uint32_t)i;
        c->n_acked++;
    }
    json_decref(root);
}

static void *client_main(void *arg)
{
    struct client *c = arg;
    CURL *curl = curl_easy_init();
    struct curl_slist *hdrs = NULL;
    char url[128], one[400];
    uint32_t seq = 0;

    hdrs = curl_slist_append(hdrs, "Authorization: Bearer " H_KEY);
    hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &c->resp);
    while (!atomic_load(c->stop) && c->n_acked + 3 <= ACKED_CAP) {
        int port = atomic_load(c->port);
        /* Every fourth request is an array of three: a batch is stored
         * whole or not at all. */
        size_t n = seq % 4 == 3 ? 3 : 1, len = 0;
        long status = 0;
        struct timespec pause = {0, 2 * 1000 * 1000};

        if (port == 0) {
            nanosleep(&pause, NULL);
            continue;
        }
        for (size_t i = 0; i < n; i++) {
            review_of(one, sizeof(one), c->no, seq + (uint32_t)i);
            len += (size_t)snprintf(c->body + len, sizeof(c->body) - len, "%s%s%s",
                                    n > 1 && i == 0 ? "[" : "", one,
                                    n == 1      ? ""
                                    : i + 1 < n ? ","
                                                : "]");
            /* Three reviews take about 500 bytes; a cut body would be a
             * bug of this test, not of chorusd. */
            if (len >= sizeof(c->body))
                abort();
        }
        snprintf(url, sizeof(url), "http://127.0.0.1:%d/api/v1/reviews", port);
        curl_easy_setopt(curl, CURLOPT_URL, url);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, c->body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)len);
        c->resp.len = 0;
        c->sent++;
        if (curl_easy_perform(curl) == CURLE_OK)
            curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        if (status >= 200 && status < 300) {
            record(c, seq, n);
        } else {
            /* Killed mid-request, or refused while starting or stopping:
             * nothing is promised, so nothing is checked. */
            c->failed++;
            nanosleep(&pause, NULL);
        }
        seq += (uint32_t)n;
    }
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(curl);
    return NULL;
}

/* check_folder runs `chorus check` on the folder of a stopped chorusd. */
static void check_folder(struct chorusd *d, int cycle)
{
    char out[400], err[400];
    const char *argv[] = {CHORUS_PATH, "check", "--data", d->data, NULL};
    int st;

    snprintf(out, sizeof(out), "%s/check.out", d->root);
    snprintf(err, sizeof(err), "%s/check.err", d->root);
    st = h_run(out, err, argv);
    if (st != 0) {
        char *o = h_slurp(out, NULL), *e = h_slurp(err, NULL);

        print_error("chorus check (after kill %d) exited %d:\n%s%s\n", cycle, st, o ? o : "",
                    e ? e : "");
        free(o);
        free(e);
        fail();
    }
}

/* verify GETs every acknowledged review of a client from the running
 * chorusd and compares it with what was sent. */
static void verify(struct chorusd *d, const struct client *c)
{
    for (size_t i = 0; i < c->n_acked; i++) {
        const struct acked *a = &c->acked[i];
        struct hresp *r;

        if (a->id == 0) {
            print_error("client %d: a 2xx without an id for review %u\n", c->no, a->seq);
            fail();
        }
        r = h_get_key(d, h_fmt("/api/v1/reviews/%llu", (unsigned long long)a->id));
        expect_status(r, 200);
        expect_jstr(r->json, "source_id", h_fmt("c%d-%u", c->no, a->seq));
        expect_jstr(r->json, "product_id", h_fmt("crash-%u", a->seq % PRODUCTS));
        expect_jint(r->json, "rating", a->seq % 5 + 1);
        hresp_free(r);
    }
}

CHORUS_TEST_SETUP(acked_reviews_survive_sigkill, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    const char *env = getenv("CHORUS_CRASH_CYCLES");
    const char *seed_env = getenv("CHORUS_CRASH_SEED");
    int cycles = env && env[0] ? atoi(env) : 5;
    unsigned seed = seed_env && seed_env[0] ? (unsigned)strtoul(seed_env, NULL, 10)
                                            : (unsigned)time(NULL) ^ (unsigned)getpid();
    _Atomic int port = 0;
    atomic_bool stop = false;
    struct client clients[CLIENTS];
    pthread_t threads[CLIENTS];
    size_t acked = 0, sent = 0, failed = 0, stored = 0;
    struct hresp *r;

    assert_true(cycles > 0);
    fprintf(stderr, "crash test: %d kills, CHORUS_CRASH_SEED=%u\n", cycles, seed);
    /* Once, before any thread uses libcurl: its global init is not
     * thread-safe. */
    curl_global_init(CURL_GLOBAL_DEFAULT);
    memset(clients, 0, sizeof(clients));
    for (int i = 0; i < CLIENTS; i++) {
        clients[i].no = i;
        clients[i].port = &port;
        clients[i].stop = &stop;
        clients[i].acked = malloc(ACKED_CAP * sizeof(*clients[i].acked));
        assert_non_null(clients[i].acked);
        assert_int_equal(pthread_create(&threads[i], NULL, client_main, &clients[i]), 0);
    }

    for (int cycle = 1; cycle <= cycles; cycle++) {
        /* Up to 400 ms of serving: long enough for many group commits,
         * and the kill lands anywhere in one (or in start-up, at 0). */
        struct timespec up = {0, (long)(rand_r(&seed) % 400) * 1000 * 1000};

        atomic_store(&port, d->port);
        nanosleep(&up, NULL);
        chorusd_kill9(d);
        atomic_store(&port, 0);
        check_folder(d, cycle);
        assert_int_equal(chorusd_start(d), 0);
    }
    atomic_store(&stop, true);
    for (int i = 0; i < CLIENTS; i++) {
        pthread_join(threads[i], NULL);
        acked += clients[i].n_acked;
        sent += clients[i].sent;
        failed += clients[i].failed;
    }
    for (int i = 0; i < CLIENTS; i++)
        verify(d, &clients[i]);
    /* Every product's count is what the reviews say (check recounted them);
     * that at least the acknowledged ones are counted ties the two. */
    for (int p = 0; p < PRODUCTS; p++) {
        r = h_get(d, h_fmt("/api/v1/products/crash-%d", p));
        if (r->status == 200)
            stored += (size_t)json_integer_value(jpath(r->json, "stats.count"));
        hresp_free(r);
    }
    fprintf(stderr,
            "crash test: %d kills, %zu requests, %zu not acknowledged, %zu reviews acknowledged, "
            "%zu stored, all acknowledged ones found\n",
            cycles, sent, failed, acked, stored);
    assert_true(stored >= acked);
    for (int i = 0; i < CLIENTS; i++)
        free(clients[i].acked);
}

/* ---- a full disk ---------------------------------------------------------------- */

/* The tmpfs the data folder lives on: room for the store's first pages and
 * the filler, small enough to fill in a moment. */
#define DISK_SIZE "size=16m"
/* Reviews in one request while the disk is full, each with a body of
 * about BIG_BODY bytes: far more new pages than the few that LMDB's free
 * list holds, so the batch needs room the disk does not have. */
#define BIG_N    100
#define BIG_BODY 4000

/* big_batch makes a JSON array of BIG_N reviews of product disk-1, their
 * source ids starting with tag. Caller frees. */
static char *big_batch(const char *tag)
{
    size_t cap = BIG_N * (BIG_BODY + 200) + 2, len = 0;
    char *b = malloc(cap), *body = malloc(BIG_BODY + 1);

    assert_non_null(b);
    assert_non_null(body);
    /* Words, not one repeated letter: the sentiment and term code sees
     * ordinary text. */
    for (size_t i = 0; i < BIG_BODY; i++)
        body[i] = "the hinge creaks when the lid opens "[i % 36];
    body[BIG_BODY] = '\0';
    b[len++] = '[';
    for (int i = 0; i < BIG_N; i++)
        len += (size_t)snprintf(b + len, cap - len,
                                "%s{\"product_id\":\"disk-1\",\"rating\":%d,\"source\":\"disk\","
                                "\"source_id\":\"%s-%d\",\"body\":\"%s\"}",
                                i ? "," : "", i % 5 + 1, tag, i, body);
    assert_true(len + 2 <= cap);
    b[len++] = ']';
    b[len] = '\0';
    free(body);
    return b;
}

/* fill writes a file at path until the disk has no room left. */
static void fill(const char *path)
{
    static char chunk[1 << 16];
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ssize_t n = 0;

    assert_true(fd >= 0);
    memset(chunk, 'x', sizeof(chunk));
    /* Chunks, then single bytes: the last chunk that fails may leave a
     * block's worth of room. */
    while (n >= 0)
        n = write(fd, chunk, sizeof(chunk));
    assert_int_equal(errno, ENOSPC);
    do
        n = write(fd, chunk, 1);
    while (n == 1);
    assert_int_equal(errno, ENOSPC);
    close(fd);
}

static int disk_setup(void **state)
{
    struct chorusd *d;

    if (geteuid() != 0) {
        fprintf(stderr, "skipped: mounting a tmpfs needs root\n");
        exit(SKIP_CODE);
    }
    d = chorusd_make(NULL);
    if (!d)
        return -1;
    if (mkdir(d->data, 0700) != 0 || mount("chorus-test", d->data, "tmpfs", 0, DISK_SIZE) != 0) {
        /* Root in a container without CAP_SYS_ADMIN, say. */
        fprintf(stderr, "skipped: cannot mount a tmpfs on %s: %s\n", d->data, strerror(errno));
        chorusd_free(d);
        exit(SKIP_CODE);
    }
    *state = d;
    if (chorusd_start(d) != 0) {
        umount2(d->data, MNT_DETACH);
        chorusd_free(d);
        *state = NULL;
        return -1;
    }
    return 0;
}

static int disk_teardown(void **state)
{
    struct chorusd *d = *state;
    int rc;

    if (!d)
        return 0;
    rc = chorusd_stop(d);
    if (umount2(d->data, MNT_DETACH) != 0) {
        print_error("umount %s: %s\n", d->data, strerror(errno));
        rc = -1;
    }
    if (chorusd_free(d) != 0)
        rc = -1;
    *state = NULL;
    return rc;
}

CHORUS_TEST_SETUP(disk_full_then_space_returns, disk_setup, disk_teardown)
{
    struct chorusd *d = *state;
    char filler[400];
    char *batch;
    uint64_t id;
    struct hresp *r;

    id = h_post_review(d, "{\"product_id\":\"disk-1\",\"rating\":4,\"title\":\"Before\"}");
    snprintf(filler, sizeof(filler), "%s/filler", d->data);
    fill(filler);

    /* Twice: the first failure must leave the store able to fail the same
     * way again rather than in a new, worse one. */
    batch = big_batch("full");
    for (int i = 0; i < 2; i++) {
        r = h_post_json(d, "/api/v1/reviews", batch);
        expect_problem(r, 503);
        expect_jcontains(r->json, "detail", "the disk holding the store is full");
        hresp_free(r);
    }
    r = h_put_json(d, "/api/v1/products/disk-2", "{\"name\":\"Needs a page\"}");
    /* A small write may still fit in the pages LMDB recycles; if not, it
     * is refused the same way. */
    if (r->status != 200 && r->status != 201)
        expect_problem(r, 503);
    hresp_free(r);

    /* Reads serve from the map as before. */
    r = h_get(d, h_fmt("/api/v1/reviews/%llu", (unsigned long long)id));
    expect_status(r, 200);
    expect_jstr(r->json, "title", "Before");
    hresp_free(r);
    r = h_get(d, "/api/v1/products/disk-1");
    expect_status(r, 200);
    expect_jint(r->json, "stats.count", 1);
    hresp_free(r);
    r = h_get(d, "/widget/disk-1.html");
    expect_status(r, 200);
    hresp_free(r);
    r = h_get(d, "/healthz");
    expect_status(r, 200);
    hresp_free(r);

    /* Space returns: the same chorusd stores the same batch. */
    assert_int_equal(unlink(filler), 0);
    r = h_post_json(d, "/api/v1/reviews", batch);
    expect_status(r, 201);
    expect_jint(r->json, "accepted", BIG_N);
    id = (uint64_t)json_integer_value(jpath(r->json, h_fmt("results[%d].id", BIG_N - 1)));
    hresp_free(r);
    r = h_get(d, h_fmt("/api/v1/reviews/%llu", (unsigned long long)id));
    expect_status(r, 200);
    expect_jstr(r->json, "source_id", h_fmt("full-%d", BIG_N - 1));
    hresp_free(r);
    r = h_get(d, "/api/v1/products/disk-1");
    expect_jint(r->json, "stats.count", BIG_N + 1);
    hresp_free(r);
    free(batch);

    /* Nothing the failed commits wrote is visible to a recount. */
    assert_int_equal(chorusd_stop(d), 0);
    check_folder(d, 0);
}

CHORUS_TEST_MAIN()
