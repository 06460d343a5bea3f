/* The group-commit writer (store/writer.c): jobs complete in submission
 * order on the completing thread, only after their batch committed;
 * batches respect max_weight; a failing apply aborts its whole batch and
 * every job of it sees the error, while other batches commit; submits after
 * stop are refused; store_writer_wait holds a producer back; notify runs
 * once per batch.
 *
 * To make batches deterministic, the first job's apply blocks (inside the
 * writer's transaction) until the test has queued everything else, so the
 * queue is full whenever the writer takes a batch. */
#include "store_helpers.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testmain.h"

#include "chorus/base.h"

#define MAX_JOBS 64

struct tjob {
    struct store_job job; /* first */
    int idx;
    int fail;       /* apply returns this */
    bool block;     /* apply waits for the test's go */
    uint64_t batch; /* batches committed before this job's batch began */
    int done_rc;    /* what done got; 1 until then */
    int done_pos;   /* position among the completed jobs */
    pthread_t done_on;
};

static struct {
    struct store_writer *w;
    struct tjob jobs[MAX_JOBS];
    sem_t started, go;
    int completed;
    atomic_int notified;
} T;

static int apply(struct store_txn *txn, struct store_job *job)
{
    struct tjob *j = (struct tjob *)job;
    struct product p;
    char id[16];
    uint64_t jobs;

    /* The writer's lock is not held while a batch is written, so its
     * counters can be read here: the batch number of this job. */
    store_writer_stats(T.w, &j->batch, &jobs, NULL);
    if (j->block) {
        sem_post(&T.started);
        sem_wait(&T.go);
    }
    snprintf(id, sizeof(id), "job-%d", j->idx);
    memset(&p, 0, sizeof(p));
    p.id = id;
    p.name = "written by a job";
    if (store_product_put(txn, &p, NULL) != 0)
        return CHORUS_EIO;
    return j->fail;
}

static void done(struct store_job *job, int commit_rc)
{
    struct tjob *j = (struct tjob *)job;

    assert_int_equal(j->done_rc, 1); /* once */
    j->done_rc = commit_rc;
    j->done_pos = T.completed++;
    j->done_on = pthread_self();
}

/* notify runs on the writer thread: no cmocka assertions there. */
static void notify(void *ctx)
{
    if (ctx == &T)
        atomic_fetch_add(&T.notified, 1);
}

static int setup(void **state)
{
    fx_setup(state);
    memset(&T, 0, sizeof(T));
    assert_int_equal(sem_init(&T.started, 0, 0), 0);
    assert_int_equal(sem_init(&T.go, 0, 0), 0);
    atomic_init(&T.notified, 0);
    return 0;
}

static int teardown(void **state)
{
    /* A case that failed with job 0 still blocked must not hang here. */
    sem_post(&T.go);
    store_writer_free(T.w);
    T.w = NULL;
    sem_destroy(&T.started);
    sem_destroy(&T.go);
    return fx_teardown(state);
}

static struct tjob *job(int idx, size_t weight)
{
    struct tjob *j = &T.jobs[idx];

    assert_true(idx < MAX_JOBS);
    memset(j, 0, sizeof(*j));
    j->idx = idx;
    j->job.apply = apply;
    j->job.done = done;
    j->job.weight = weight;
    j->done_rc = 1;
    return j;
}

/* start_blocked starts the writer and submits job 0, which blocks inside
 * the writer's transaction until release(); returns when it does. */
static void start_blocked(struct fx *f, size_t max_weight)
{
    struct tjob *j;

    assert_int_equal(store_writer_start(&T.w, f->s, max_weight, notify, &T), 0);
    j = job(0, 1);
    j->block = true;
    assert_int_equal(store_writer_submit(T.w, &j->job), 0);
    assert_int_equal(sem_wait(&T.started), 0);
}

static void release(void)
{
    assert_int_equal(sem_post(&T.go), 0);
}

static bool product_exists(struct store *s, int idx)
{
    struct store_txn *t = NULL;
    char id[16];
    int rc;

    snprintf(id, sizeof(id), "job-%d", idx);
    assert_int_equal(store_read_begin(s, &t), 0);
    rc = store_product_get(t, id, NULL, NULL);
    store_txn_free(t);
    return rc == 0;
}

/* ---- cases --------------------------------------------------------------------------------- */

CHORUS_TEST_SETUP(jobs_complete_in_submission_order, setup, teardown)
{
    struct fx *f = *state;
    uint64_t batches, jobs;
    size_t pending;

    start_blocked(f, 7);
    for (int i = 1; i < 50; i++)
        assert_int_equal(store_writer_submit(T.w, &job(i, 1)->job), 0);
    /* Nothing is handed back before its batch committed. */
    assert_int_equal(store_writer_complete(T.w), 0);
    assert_int_equal(T.jobs[0].done_rc, 1);
    release();
    store_writer_wait(T.w, 0);
    store_writer_stats(T.w, &batches, &jobs, &pending);
    assert_int_equal(pending, 0);
    assert_int_equal(jobs, 50);
    /* One batch for job 0, then seven full batches of seven. */
    assert_int_equal(batches, 8);
    assert_int_equal(store_writer_complete(T.w), 50);
    assert_int_equal(store_writer_complete(T.w), 0);
    for (int i = 0; i < 50; i++) {
        assert_int_equal(T.jobs[i].done_rc, 0);
        assert_int_equal(T.jobs[i].done_pos, i);
        assert_true(pthread_equal(T.jobs[i].done_on, pthread_self()));
        assert_int_equal(T.jobs[i].batch, i == 0 ? 0 : 1 + (uint64_t)(i - 1) / 7);
        /* done came after the commit: the job's write is there. */
        assert_true(product_exists(f->s, i));
    }
}

CHORUS_TEST_SETUP(batches_respect_max_weight, setup, teardown)
{
    struct fx *f = *state;
    static const size_t weights[] = {4, 4, 4, 3, 3, 0, 25, 1, 10, 10, 0, 0};
    uint64_t batches, jobs;
    size_t n = sizeof(weights) / sizeof(weights[0]);

    start_blocked(f, 10);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(store_writer_submit(T.w, &job((int)i + 1, weights[i])->job), 0);
    /* A weight of 0 counts as 1. */
    assert_int_equal(T.jobs[6].job.weight, 1);
    release();
    store_writer_wait(T.w, 0);
    assert_int_equal(store_writer_complete(T.w), n + 1);
    /* Group the jobs by batch and check each batch's weight. */
    {
        size_t sum[MAX_JOBS] = {0}, count[MAX_JOBS] = {0};

        for (size_t i = 1; i <= n; i++) {
            uint64_t b = T.jobs[i].batch;

            assert_true(b < MAX_JOBS);
            sum[b] += T.jobs[i].job.weight;
            count[b]++;
            /* Batches follow submission order. */
            if (i > 1)
                assert_true(T.jobs[i].batch >= T.jobs[i - 1].batch);
        }
        for (size_t b = 0; b < MAX_JOBS; b++)
            if (count[b] > 1)
                assert_true(sum[b] <= 10);
    }
    /* Greedy and in order: 4+4 | 4+3+3 | 1 | 25 alone | 1 | 10 | 10 | 1+1. */
    assert_int_equal(T.jobs[1].batch, T.jobs[2].batch);
    assert_int_not_equal(T.jobs[2].batch, T.jobs[3].batch);
    assert_int_equal(T.jobs[3].batch, T.jobs[5].batch);
    assert_int_not_equal(T.jobs[5].batch, T.jobs[6].batch);
    assert_int_not_equal(T.jobs[6].batch, T.jobs[7].batch); /* 1 + 25 > 10 */
    assert_int_not_equal(T.jobs[7].batch, T.jobs[8].batch); /* the heavy one alone */
    assert_int_not_equal(T.jobs[8].batch, T.jobs[9].batch); /* 1 + 10 > 10 */
    assert_int_not_equal(T.jobs[9].batch, T.jobs[10].batch);
    assert_int_equal(T.jobs[11].batch, T.jobs[12].batch);
    store_writer_stats(T.w, &batches, &jobs, NULL);
    assert_int_equal(jobs, n + 1);
    assert_int_equal(batches, 9);
    for (size_t i = 0; i <= n; i++)
        assert_int_equal(T.jobs[i].done_rc, 0);
}

CHORUS_TEST_SETUP(a_failing_apply_aborts_its_batch, setup, teardown)
{
    struct fx *f = *state;

    start_blocked(f, 3);
    for (int i = 1; i <= 9; i++) {
        struct tjob *j = job(i, 1);

        if (i == 5)
            j->fail = CHORUS_EINVAL;
        assert_int_equal(store_writer_submit(T.w, &j->job), 0);
    }
    release();
    store_writer_wait(T.w, 0);
    assert_int_equal(store_writer_complete(T.w), 10);
    /* Batches [0] [1 2 3] [4 5 6] [7 8 9]: the middle one failed whole. */
    for (int i = 0; i <= 9; i++) {
        bool failed = i >= 4 && i <= 6;

        assert_int_equal(T.jobs[i].done_pos, i);
        if (failed) {
            assert_int_equal(T.jobs[i].done_rc, CHORUS_EINVAL);
            assert_false(product_exists(f->s, i));
        } else {
            assert_int_equal(T.jobs[i].done_rc, 0);
            assert_true(product_exists(f->s, i));
        }
    }
}

CHORUS_TEST_SETUP(submit_after_stop_is_busy, setup, teardown)
{
    struct fx *f = *state;
    struct tjob *late;

    start_blocked(f, 0);
    for (int i = 1; i <= 3; i++)
        assert_int_equal(store_writer_submit(T.w, &job(i, 1)->job), 0);
    assert_false(store_writer_stopping(T.w));
    release();
    /* stop writes what is queued, then refuses. */
    store_writer_stop(T.w);
    assert_true(store_writer_stopping(T.w));
    late = job(4, 1);
    assert_int_equal(store_writer_submit(T.w, &late->job), CHORUS_EBUSY);
    assert_int_equal(store_writer_complete(T.w), 4);
    for (int i = 0; i <= 3; i++) {
        assert_int_equal(T.jobs[i].done_rc, 0);
        assert_true(product_exists(f->s, i));
    }
    /* The refused job was not taken: no done, no write. */
    assert_int_equal(late->done_rc, 1);
    assert_false(product_exists(f->s, 4));
    assert_int_equal(store_writer_complete(T.w), 0);
    /* Stopping twice is harmless, and waiting on a stopped writer ends. */
    store_writer_stop(T.w);
    store_writer_wait(T.w, 0);
    assert_int_equal(store_writer_submit(T.w, &job(5, 1)->job), CHORUS_EBUSY);
}

struct waiter {
    size_t limit;
    atomic_int returned;
    size_t pending_then;
};

static void *wait_main(void *arg)
{
    struct waiter *wt = arg;
    uint64_t b, j;

    store_writer_wait(T.w, wt->limit);
    store_writer_stats(T.w, &b, &j, &wt->pending_then);
    atomic_store(&wt->returned, 1);
    return NULL;
}

CHORUS_TEST_SETUP(wait_holds_a_producer_back, setup, teardown)
{
    struct fx *f = *state;
    struct waiter wt = {.limit = 3};
    struct timespec ts = {0, 50 * 1000 * 1000};
    pthread_t th;
    size_t pending;
    uint64_t b, j;

    atomic_init(&wt.returned, 0);
    start_blocked(f, 1);
    for (int i = 1; i < 10; i++)
        assert_int_equal(store_writer_submit(T.w, &job(i, 1)->job), 0);
    store_writer_stats(T.w, &b, &j, &pending);
    assert_int_equal(pending, 10);
    assert_int_equal(pthread_create(&th, NULL, wait_main, &wt), 0);
    /* Ten jobs queued or being written, more than 3: the waiter waits. */
    nanosleep(&ts, NULL);
    assert_int_equal(atomic_load(&wt.returned), 0);
    release();
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(atomic_load(&wt.returned), 1);
    assert_true(wt.pending_then <= 3);
    /* Jobs waiting to be completed do not count as pending. */
    store_writer_wait(T.w, 0);
    store_writer_stats(T.w, &b, &j, &pending);
    assert_int_equal(pending, 0);
    assert_int_equal(store_writer_complete(T.w), 10);
    /* With nothing pending, waiting returns at once. */
    store_writer_wait(T.w, 0);
}

CHORUS_TEST_SETUP(notify_runs_once_per_batch, setup, teardown)
{
    struct fx *f = *state;
    uint64_t batches, jobs;

    start_blocked(f, 4);
    for (int i = 1; i <= 12; i++)
        assert_int_equal(store_writer_submit(T.w, &job(i, 1)->job), 0);
    assert_int_equal(atomic_load(&T.notified), 0);
    release();
    store_writer_wait(T.w, 0);
    store_writer_stats(T.w, &batches, &jobs, NULL);
    assert_int_equal(batches, 4); /* [0] [1-4] [5-8] [9-12] */
    store_writer_stop(T.w);
    assert_int_equal(atomic_load(&T.notified), (int)batches);
    assert_int_equal(store_writer_complete(T.w), 13);

    /* Without a notify function the writer works the same. */
    store_writer_free(T.w);
    T.w = NULL;
    assert_int_equal(store_writer_start(&T.w, f->s, 0, NULL, NULL), 0);
    assert_int_equal(store_writer_submit(T.w, &job(20, 1)->job), 0);
    store_writer_wait(T.w, 0);
    assert_int_equal(store_writer_complete(T.w), 1);
    assert_int_equal(T.jobs[20].done_rc, 0);
    assert_true(product_exists(f->s, 20));
}

CHORUS_TEST_MAIN()
