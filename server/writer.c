/* chorusd's side of the store's group-commit writer (store/writer.c): jobs
 * are submitted from any serving thread; the writer wakes thread 0 through
 * an event when a batch has committed, and thread 0 hands each job back to
 * the thread its request arrived on (srv__thread_post), where the reply
 * runs: a request belongs to its thread's loop.
 */
#include "internal.h"

#include <event2/thread.h>

static void notify(void *ctx)
{
    struct srv *s = ctx;

    event_active(s->writer_ev, EV_READ, 0);
}

/* on_done runs on the loop thread and replies to every committed job. */
static void on_done(evutil_socket_t fd, short what, void *arg)
{
    struct srv *s = arg;

    (void)fd;
    (void)what;
    store_writer_complete(s->writer);
}

int srv__writer_start(struct srv *s)
{
    s->writer_ev = event_new(s->base, -1, 0, on_done, s);
    if (!s->writer_ev)
        return CHORUS_ENOMEM;
    return store_writer_start(&s->writer, s->store, 0, notify, s);
}

void srv__writer_stop(struct srv *s)
{
    if (!s->writer)
        return;
    store_writer_stop(s->writer);
    /* Reply to what committed while we were stopping. */
    store_writer_complete(s->writer);
}

void srv__writer_cleanup(struct srv *s)
{
    srv__writer_stop(s);
    store_writer_free(s->writer);
    s->writer = NULL;
    if (s->writer_ev)
        event_free(s->writer_ev);
    s->writer_ev = NULL;
}

/* forward is every request job's done: the reply goes to the request's
 * thread. */
static void forward(struct store_job *job, int commit_rc)
{
    struct srv_job *j = (struct srv_job *)job;

    job->commit_rc = commit_rc;
    srv__thread_post(j->t, j);
}

void srv__job_init(struct srv_job *job, struct srv_req *r,
                   int (*apply)(struct store_txn *txn, struct store_job *job),
                   void (*reply)(struct store_job *job, int commit_rc))
{
    job->job.apply = apply;
    job->job.done = forward;
    job->reply = reply;
    job->srv = r->srv;
    job->t = r->t;
    job->req = r->req;
}

void srv__writer_submit(struct srv *s, struct srv_job *job)
{
    /* A write arriving while the server drains is refused, not dropped. */
    if (!s->writer || store_writer_submit(s->writer, &job->job) != 0)
        job->job.done(&job->job, CHORUS_EBUSY);
}
