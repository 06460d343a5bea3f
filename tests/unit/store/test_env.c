/* The environment: reopening keeps everything, a newer schema is refused,
 * the map grows on demand, failed callbacks leave nothing behind. */
#include "testmain.h"

#include <math.h>
#include <stdlib.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chorus/base.h"
#include "store_helpers.h"
#include "store_int.h"

static int set_schema(struct store_txn *t, void *ctx)
{
    return store__meta_put_u32(t, "schema", *(uint32_t *)ctx);
}

CHORUS_TEST_SETUP(newer_schema_is_refused, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct store *s2 = NULL;
    uint32_t v = CHORUS_SCHEMA_VERSION + 1;

    char err[256], want[256];

    assert_int_equal(store_write(f->s, set_schema, &v), 0);
    store_close(f->s);
    f->s = NULL;
    assert_int_equal(store_open(&s2, f->dir, err, sizeof(err)), CHORUS_ESCHEMA);
    assert_null(s2);
    snprintf(want, sizeof(want),
             "data folder %s was written by a newer Chorus (schema %d); this build reads "
             "schema %d",
             f->dir, CHORUS_SCHEMA_VERSION + 1, CHORUS_SCHEMA_VERSION);
    assert_string_equal(err, want);
    /* Nothing was written to the newer folder: it still says schema 2. */
    assert_int_equal(store_open(&s2, f->dir, NULL, 0), CHORUS_ESCHEMA);
    /* Teardown copes with the store left closed. */
}

CHORUS_TEST_SETUP(open_creates_missing_folder_and_reports_errors, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct store *s2 = NULL;
    char sub[128], err[256];

    snprintf(sub, sizeof(sub), "%s/fresh", f->dir);
    assert_int_equal(store_open(&s2, sub, err, sizeof(err)), 0);
    store_close(s2);
    s2 = NULL;
    assert_int_not_equal(store_open(&s2, "/proc/nope/x", err, sizeof(err)), 0);
    assert_null(s2);
    assert_true(strstr(err, "/proc/nope/x") != NULL);
}

CHORUS_TEST_SETUP(reopen_keeps_everything, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct review r = mk_review("sku-1", 5, 1000);
    struct review_stats before, after;
    struct store_txn *t = NULL;
    struct review got;
    uint64_t id, nr, np;

    r.title = "Great";
    r.source = "feed";
    r.source_id = "a";
    put_product(f->s, "sku-1", "laptops/x", NULL);
    id = put_review(f->s, &r, NULL);
    assert_int_equal(respond(f->s, id, "Brand", "Thank you"), 0);
    before = stats_of(f->s, "sku-1");
    fx_reopen(f);
    after = stats_of(f->s, "sku-1");
    assert_memory_equal(&before, &after, sizeof(before));
    assert_int_equal(store_read_begin(f->s, &t), 0);
    assert_int_equal(store_review_get(t, id, &got), 0);
    assert_string_equal(got.title, "Great");
    assert_int_equal(got.n_responses, 1);
    assert_string_equal(got.responses[0].body, "Thank you");
    assert_int_equal(store_counts(t, &nr, &np), 0);
    assert_int_equal(nr, 1);
    assert_int_equal(np, 1);
    store_read_end(t);
    store_txn_free(t);
    /* Ids keep growing after a reopen, and dedupe still works. */
    r.source_id = "b";
    assert_true(put_review(f->s, &r, NULL) > id);
    r.source_id = "a";
    assert_int_equal(put_review(f->s, &r, NULL), id);
    assert_consistent(f->s);
}

static int fail_after_put(struct store_txn *t, void *ctx)
{
    struct review r = mk_review("sku-f", 3, 10);
    int rc = store_review_put(t, &r, NULL, NULL);

    (void)ctx;
    return rc ? rc : CHORUS_EINVAL;
}

CHORUS_TEST_SETUP(failed_callback_leaves_nothing, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct store_txn *t = NULL;
    uint64_t nr, np;
    struct review_stats st;

    assert_int_equal(store_write(f->s, fail_after_put, NULL), CHORUS_EINVAL);
    assert_int_equal(store_read_begin(f->s, &t), 0);
    assert_int_equal(store_counts(t, &nr, &np), 0);
    assert_int_equal(nr, 0);
    assert_int_equal(np, 0);
    assert_int_equal(store_product_get(t, "sku-f", NULL, &st), CHORUS_ENOTFOUND);
    store_txn_free(t);
}

CHORUS_TEST_SETUP(read_txn_renews, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct store_txn *t = NULL;
    struct review r = mk_review("sku-r", 4, 10);
    uint64_t nr;

    assert_int_equal(store_read_begin(f->s, &t), 0);
    assert_int_equal(store_counts(t, &nr, NULL), 0);
    assert_int_equal(nr, 0);
    /* A renewed snapshot sees writes committed in between. */
    store_read_end(t);
    put_review(f->s, &r, NULL);
    assert_int_equal(store_read_begin(f->s, &t), 0);
    assert_int_equal(store_counts(t, &nr, NULL), 0);
    assert_int_equal(nr, 1);
    /* Beginning an active one again is refused. */
    assert_int_equal(store_read_begin(f->s, &t), CHORUS_EINVAL);
    store_read_end(t);
    store_read_end(t);
    store_txn_free(t);
}

/* ---- map growth ---------------------------------------------------------------------- */

#define BIG_BODY 19000

struct bulk {
    int from, n;
    char *body;
    uint64_t runs;
};

static int put_bulk(struct store_txn *t, void *ctx)
{
    struct bulk *b = ctx;
    char sid[32], pid[32];
    int rc = 0;

    b->runs++;
    for (int i = b->from; i < b->from + b->n && rc == 0; i++) {
        struct review r;

        snprintf(pid, sizeof(pid), "sku-%d", i % 7);
        r = mk_review(pid, 1 + i % 5, 1000000 + i * 3600);
        snprintf(sid, sizeof(sid), "s%d", i);
        r.source_id = sid;
        r.body = b->body;
        r.sentiment = (i % 3) ? 0.25 : NAN;
        rc = store_review_put(t, &r, NULL, NULL);
    }
    return rc;
}

CHORUS_TEST_SETUP(map_grows_when_full, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct bulk b = {0, 4000, NULL, 0};
    struct store_txn *t = NULL;
    struct review got;
    uint64_t nr;

    b.body = malloc(BIG_BODY + 1);
    assert_non_null(b.body);
    memset(b.body, 'y', BIG_BODY);
    b.body[BIG_BODY] = '\0';
    assert_true(store__mapsize(f->s) <= STORE__INITIAL_MAPSIZE);
    /* One transaction larger than the whole initial map: it fills up
     * midway, is rolled back, the map doubles and it runs again. */
    assert_int_equal(store_write(f->s, put_bulk, &b), 0);
    assert_true(b.runs >= 2);
    assert_true(store__mapsize(f->s) > STORE__INITIAL_MAPSIZE);
    /* Then many small ones. */
    for (int i = 0; i < 10; i++) {
        b.from = 4000 + i * 300;
        b.n = 300;
        assert_int_equal(store_write(f->s, put_bulk, &b), 0);
    }
    fx_reopen(f);
    assert_true(store__mapsize(f->s) > STORE__INITIAL_MAPSIZE);
    assert_int_equal(store_read_begin(f->s, &t), 0);
    assert_int_equal(store_counts(t, &nr, NULL), 0);
    assert_int_equal(nr, 7000);
    for (uint64_t id = 1; id <= 7000; id += 997) {
        assert_int_equal(store_review_get(t, id, &got), 0);
        assert_int_equal(strlen(got.body), BIG_BODY);
    }
    store_txn_free(t);
    assert_consistent(f->s);
    free(b.body);
}

/* Another process (a `chorus import` beside chorusd) grows the map: this
 * one's next transaction sees MDB_MAP_RESIZED and adopts the new size, and
 * its write caches, stale now, are dropped (the final recount would see
 * aggregates written from them). */
CHORUS_TEST_SETUP(another_process_grows_the_map, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct store_txn *t = NULL;
    struct review r = mk_review("sku-0", 3, 5);
    uint64_t nr = 99;
    size_t before;
    pid_t pid;
    int status;

    put_review(f->s, &r, NULL);
    assert_int_equal(store_read_begin(f->s, &t), 0);
    store_read_end(t);
    before = store__mapsize(f->s);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct bulk b = {0, 4000, NULL, 0};
        struct store *s2 = NULL;
        int rc;

        b.body = malloc(BIG_BODY + 1);
        memset(b.body, 'z', BIG_BODY);
        b.body[BIG_BODY] = '\0';
        rc = store_open(&s2, f->dir, NULL, 0);
        if (rc == 0)
            rc = store_write(s2, put_bulk, &b);
        store_close(s2);
        free(b.body);
        _exit(rc == 0 ? 0 : 1);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* The renewed snapshot sees the other process's data past the old map. */
    assert_int_equal(store_read_begin(f->s, &t), 0);
    assert_true(store__mapsize(f->s) > before);
    assert_int_equal(store_counts(t, &nr, NULL), 0);
    assert_int_equal(nr, 4001);
    store_read_end(t);
    store_txn_free(t);
    r.created_at = 6;
    put_review(f->s, &r, NULL);
    assert_consistent(f->s);
}

/* Readers on other threads keep reading while a write grows the map: the
 * resize waits for their snapshots to end and holds new ones back. */
struct reader {
    struct store *s;
    atomic_bool stop;
    atomic_long reads;
    int failed;
};

static int count_one(void *ctx, const struct review *r)
{
    (void)r;
    (*(long *)ctx)++;
    return 0;
}

static void *read_loop(void *arg)
{
    struct reader *rd = arg;
    struct store_txn *t = NULL;

    while (!atomic_load(&rd->stop)) {
        struct store_query q = {.product_id = "sku-1", .limit = 50};
        char next[STORE_CURSOR_MAX];
        long n = 0;

        if (store_read_begin(rd->s, &t) != 0 ||
            store_reviews_query(t, &q, count_one, &n, next) != 0) {
            rd->failed = 1;
            break;
        }
        store_read_end(t);
        atomic_fetch_add(&rd->reads, 1);
    }
    store_txn_free(t);
    return NULL;
}

CHORUS_TEST_SETUP(readers_survive_map_growth, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct bulk b = {0, 4000, NULL, 0};
    struct reader rd = {f->s, false, 0, 0};
    pthread_t th[2];

    b.body = malloc(BIG_BODY + 1);
    assert_non_null(b.body);
    memset(b.body, 'r', BIG_BODY);
    b.body[BIG_BODY] = '\0';
    b.n = 10;
    assert_int_equal(store_write(f->s, put_bulk, &b), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, read_loop, &rd), 0);
    for (int i = 0; i < 4; i++) {
        b.from = 10 + i * 1000;
        b.n = 1000;
        assert_int_equal(store_write(f->s, put_bulk, &b), 0);
    }
    atomic_store(&rd.stop, true);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(rd.failed, 0);
    assert_true(atomic_load(&rd.reads) > 0);
    assert_true(store__mapsize(f->s) > STORE__INITIAL_MAPSIZE);
    free(b.body);
    assert_consistent(f->s);
}

/* A thread holding a snapshot cannot wait for itself: growing the map from
 * its store_write is refused, not a deadlock, and works once it lets go. */
CHORUS_TEST_SETUP(write_while_reading_cannot_grow, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct bulk b = {0, 4000, NULL, 0};
    struct store_txn *t = NULL;
    uint64_t nr = 99;

    b.body = malloc(BIG_BODY + 1);
    assert_non_null(b.body);
    memset(b.body, 'w', BIG_BODY);
    b.body[BIG_BODY] = '\0';
    assert_int_equal(store_read_begin(f->s, &t), 0);
    assert_int_equal(store_write(f->s, put_bulk, &b), CHORUS_EBUSY);
    assert_int_equal(store_counts(t, &nr, NULL), 0);
    assert_int_equal(nr, 0);
    store_read_end(t);
    assert_int_equal(store_write(f->s, put_bulk, &b), 0);
    assert_int_equal(store_read_begin(f->s, &t), 0);
    assert_int_equal(store_counts(t, &nr, NULL), 0);
    assert_int_equal(nr, 4000);
    store_txn_free(t);
    free(b.body);
}

CHORUS_TEST_MAIN()
