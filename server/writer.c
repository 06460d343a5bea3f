/* Group commit: one writer thread applies every queued write job in a single
 * LMDB transaction, so N concurrent requests cost one fsync instead of N.
 * A job is acknowledged (its done callback replies) only after the commit
 * returned, which is what makes a 2xx survive kill -9.
 */
#include "internal.h"

#include <stdio.h>

#include <event2/thread.h>

#include "chorus/error.h"

/* A batch is cut at this many reviews so one huge import cannot hold every
 * other request's acknowledgement hostage for long. */
#define BATCH_MAX_WEIGHT 20000

struct batch {
    struct srv_job *head;
};

static int apply_batch(struct store_txn *txn, void *ctx)
{
    struct batch *b = ctx;
    int rc;

    for (struct srv_job *j = b->head; j; j = j->next) {
        rc = j->apply(txn, j);
        if (rc)
            return rc;
    }
    return 0;
}

/* take_batch pops jobs off the queue up to the weight bound (at least one).
 * Called with the lock held. */
static struct srv_job *take_batch(struct srv_writer *w)
{
    struct srv_job *head = w->queue_head, *last = head;
    size_t weight = head->weight;

    while (last->next && weight + last->next->weight <= BATCH_MAX_WEIGHT) {
        last = last->next;
        weight += last->weight;
    }
    w->queue_head = last->next;
    if (!w->queue_head)
        w->queue_tail = NULL;
    last->next = NULL;
    return head;
}

static void *writer_main(void *arg)
{
    struct srv *s = arg;
    struct srv_writer *w = &s->writer;

    pthread_mutex_lock(&w->lock);
    for (;;) {
        struct batch b;
        struct srv_job *last;
        int rc;

        while (!w->queue_head && !w->stopping)
            pthread_cond_wait(&w->wake, &w->lock);
        if (!w->queue_head)
            break;
        b.head = take_batch(w);
        pthread_mutex_unlock(&w->lock);

        rc = store_write(s->store, apply_batch, &b);
        if (rc)
            fprintf(stderr, "chorusd: write batch failed: %s\n", chorus_strerror(rc));
        for (last = b.head; last->next; last = last->next)
            ;
        for (struct srv_job *j = b.head; j; j = j->next)
            j->commit_rc = rc;

        pthread_mutex_lock(&w->lock);
        w->batches++;
        for (struct srv_job *j = b.head; j; j = j->next)
            w->jobs++;
        if (w->done_tail)
            w->done_tail->next = b.head;
        else
            w->done_head = b.head;
        w->done_tail = last;
        event_active(w->done_ev, EV_READ, 0);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* on_done runs on the loop thread and replies to every committed job. */
static void on_done(evutil_socket_t fd, short what, void *arg)
{
    struct srv_writer *w = arg;
    struct srv_job *j, *next;

    (void)fd;
    (void)what;
    pthread_mutex_lock(&w->lock);
    j = w->done_head;
    w->done_head = w->done_tail = NULL;
    pthread_mutex_unlock(&w->lock);
    for (; j; j = next) {
        next = j->next;
        j->done(j, j->commit_rc);
    }
}

int srv__writer_start(struct srv *s)
{
    struct srv_writer *w = &s->writer;

    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    w->initialized = true;
    w->done_ev = event_new(s->base, -1, 0, on_done, w);
    if (!w->done_ev)
        return CHORUS_ENOMEM;
    if (pthread_create(&w->thread, NULL, writer_main, s) != 0)
        return CHORUS_ENOMEM;
    w->started = true;
    return 0;
}

void srv__writer_stop(struct srv *s)
{
    struct srv_writer *w = &s->writer;

    if (!w->started)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    /* Reply to what committed while we were stopping. */
    on_done(-1, 0, w);
    event_free(w->done_ev);
    w->done_ev = NULL;
    w->started = false;
}

void srv__writer_cleanup(struct srv *s)
{
    struct srv_writer *w = &s->writer;

    if (w->done_ev)
        event_free(w->done_ev);
    w->done_ev = NULL;
    if (!w->initialized)
        return;
    /* Kept until here, not destroyed by srv__writer_stop: /metrics still
     * reads the counters under the lock while a shutdown drains. */
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    w->initialized = false;
}

void srv__writer_submit(struct srv *s, struct srv_job *job)
{
    struct srv_writer *w = &s->writer;

    /* Called on the loop thread, as srv__writer_stop is: no race on started.
     * A write arriving while the server drains is refused, not dropped. */
    if (!w->started) {
        job->done(job, CHORUS_EBUSY);
        return;
    }
    job->next = NULL;
    if (job->weight == 0)
        job->weight = 1;
    pthread_mutex_lock(&w->lock);
    if (w->queue_tail)
        w->queue_tail->next = job;
    else
        w->queue_head = job;
    w->queue_tail = job;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
}
