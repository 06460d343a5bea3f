/* Group commit: one writer thread applies every queued job in a single
 * LMDB transaction, so N concurrent writers cost one fsync instead of N.
 * A job is handed back (its done runs) only after the commit returned,
 * which is what makes a 2xx survive kill -9.
 *
 * chorusd submits from its loop and completes on it (notify wakes the
 * loop); `chorus import` submits from its parsing thread and waits for the
 * writer to catch up, so it parses the next batch while this one is
 * written. Both get the same batching and the same durability.
 */
#include "chorus/store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

struct store_writer {
    struct store *store;
    size_t max_weight;
    void (*notify)(void *ctx);
    void *notify_ctx;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;                       /* the writer: work, or stop */
    pthread_cond_t idle;                       /* store_writer_wait: progress */
    struct store_job *queue_head, *queue_tail; /* waiting to be written */
    struct store_job *done_head, *done_tail;   /* committed, waiting for done */
    size_t pending;                            /* queued or being written */
    bool stopping;                             /* submits are refused */
    bool running;                              /* the thread exists */
    uint64_t batches, jobs;
};

static int apply_batch(struct store_txn *txn, void *ctx)
{
    int rc;

    for (struct store_job *j = ctx; j; j = j->next) {
        rc = j->apply(txn, j);
        if (rc)
            return rc;
    }
    return 0;
}

/* take_batch pops jobs off the queue up to the weight bound (at least one).
 * Called with the lock held. */
static struct store_job *take_batch(struct store_writer *w, size_t *n)
{
    struct store_job *head = w->queue_head, *last = head;
    size_t weight = head->weight;

    *n = 1;
    while (last->next && weight + last->next->weight <= w->max_weight) {
        last = last->next;
        weight += last->weight;
        (*n)++;
    }
    w->queue_head = last->next;
    if (!w->queue_head)
        w->queue_tail = NULL;
    last->next = NULL;
    return head;
}

static void *writer_main(void *arg)
{
    struct store_writer *w = arg;

    pthread_mutex_lock(&w->lock);
    for (;;) {
        struct store_job *head, *last;
        size_t n;
        int rc;

        while (!w->queue_head && !w->stopping)
            pthread_cond_wait(&w->wake, &w->lock);
        if (!w->queue_head)
            break;
        head = take_batch(w, &n);
        pthread_mutex_unlock(&w->lock);

        rc = store_write(w->store, apply_batch, head);
        if (rc)
            fprintf(stderr, "chorus: write batch failed: %s\n", chorus_strerror(rc));
        for (last = head;; last = last->next) {
            last->commit_rc = rc;
            if (!last->next)
                break;
        }

        pthread_mutex_lock(&w->lock);
        w->batches++;
        w->jobs += n;
        w->pending -= n;
        if (w->done_tail)
            w->done_tail->next = head;
        else
            w->done_head = head;
        w->done_tail = last;
        pthread_cond_broadcast(&w->idle);
        if (w->notify)
            w->notify(w->notify_ctx);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

int store_writer_start(struct store_writer **out, struct store *s, size_t max_weight,
                       void (*notify)(void *ctx), void *ctx)
{
    struct store_writer *w = calloc(1, sizeof(*w));

    if (!w)
        abort();
    w->store = s;
    w->max_weight = max_weight ? max_weight : STORE_WRITER_BATCH;
    w->notify = notify;
    w->notify_ctx = ctx;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    pthread_cond_init(&w->idle, NULL);
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        store_writer_free(w);
        return CHORUS_ENOMEM;
    }
    w->running = true;
    *out = w;
    return 0;
}

int store_writer_submit(struct store_writer *w, struct store_job *job)
{
    int rc = 0;

    job->next = NULL;
    job->commit_rc = 0;
    if (job->weight == 0)
        job->weight = 1;
    pthread_mutex_lock(&w->lock);
    if (w->stopping) {
        /* A write arriving while the owner drains is refused, not dropped. */
        rc = CHORUS_EBUSY;
    } else {
        if (w->queue_tail)
            w->queue_tail->next = job;
        else
            w->queue_head = job;
        w->queue_tail = job;
        w->pending++;
        pthread_cond_signal(&w->wake);
    }
    pthread_mutex_unlock(&w->lock);
    return rc;
}

size_t store_writer_complete(struct store_writer *w)
{
    struct store_job *j, *next;
    size_t n = 0;

    pthread_mutex_lock(&w->lock);
    j = w->done_head;
    w->done_head = w->done_tail = NULL;
    pthread_mutex_unlock(&w->lock);
    for (; j; j = next, n++) {
        next = j->next;
        j->done(j, j->commit_rc);
    }
    return n;
}

void store_writer_wait(struct store_writer *w, size_t pending)
{
    pthread_mutex_lock(&w->lock);
    while (w->pending > pending && w->running)
        pthread_cond_wait(&w->idle, &w->lock);
    pthread_mutex_unlock(&w->lock);
}

void store_writer_stop(struct store_writer *w)
{
    bool join;

    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    join = w->running;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    if (!join)
        return;
    pthread_join(w->thread, NULL);
    pthread_mutex_lock(&w->lock);
    w->running = false;
    pthread_cond_broadcast(&w->idle);
    pthread_mutex_unlock(&w->lock);
}

bool store_writer_stopping(struct store_writer *w)
{
    bool stopping;

    pthread_mutex_lock(&w->lock);
    stopping = w->stopping;
    pthread_mutex_unlock(&w->lock);
    return stopping;
}

void store_writer_stats(struct store_writer *w, uint64_t *batches, uint64_t *jobs, size_t *pending)
{
    pthread_mutex_lock(&w->lock);
    *batches = w->batches;
    *jobs = w->jobs;
    if (pending)
        *pending = w->pending;
    pthread_mutex_unlock(&w->lock);
}

void store_writer_free(struct store_writer *w)
{
    if (!w)
        return;
    store_writer_stop(w);
    pthread_cond_destroy(&w->idle);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    free(w);
}
