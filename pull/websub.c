/* WebSub publishing: tell the configured hub which feeds changed.
 *
 * Pings are HTTP POSTs made with libcurl's multi interface on the server's
 * own libevent loop (curl_loop.c), so nothing here ever blocks the loop: a
 * dead or silent hub costs a few sockets and timers, never a request's
 * latency.
 *
 * A changed feed becomes a pending topic. Topics are deduplicated in a hash
 * table, so 10,000 reviews for one product in a batch window still make one
 * ping per feed. A batch timer (WS_BATCH_MS after the first topic) starts the
 * sends, at most WS_MAX_ACTIVE at a time. A failed ping is retried with
 * exponential backoff and jitter; a topic that changes again while it waits
 * for its retry is the same topic, not a second one.
 *
 * Everything runs on the loop thread but for three doors: topics published
 * from other threads (the serving threads reply to writes) go through a
 * locked inbox the loop drains, the log's rate limit has its own lock, and
 * the counters /metrics reads are atomics. CURLcode and CURL * stay in
 * pull/.
 */
#include "pull_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chorus/base.h"

#define WS_BATCH_MS       1000        /* how long a first change waits for company */
#define WS_MAX_ACTIVE     4           /* concurrent pings: a hub is one server */
#define WS_MAX_PENDING    10000       /* topics remembered; beyond, the oldest go */
#define WS_MAX_ATTEMPTS   8           /* then the topic is given up and logged */
#define WS_BACKOFF_MS     2000        /* first retry delay; doubles per failure */
#define WS_BACKOFF_MAX_MS (5 * 60000) /* the doubling stops at five minutes */
#define WS_MAX_REPLY      (64 * 1024) /* a hub's answer body is read and discarded */
#define WS_LOG_PER_MINUTE 10          /* failure lines per minute before they are counted */
#define WS_USER_AGENT     "Chorus/0.1 (+WebSub)"
#define WS_MAX_URL        4096 /* a topic: what FEED_MAX_URL lets the feeds write */

enum topic_state {
    T_QUEUED,  /* waiting for the batch timer or a free transfer slot */
    T_SENDING, /* a ping is in flight (t->xfer) */
    T_WAITING, /* failed; waiting until due_ms for the next attempt */
};

struct xfer;

struct topic {
    char *url; /* owned */
    enum topic_state state;
    unsigned failures;   /* failed attempts since the last success */
    bool again;          /* the feed changed while its ping was in flight */
    uint64_t due_ms;     /* T_WAITING: monotonic time of the next attempt */
    struct xfer *xfer;   /* T_SENDING: the transfer */
    struct topic *older; /* age list: every pending topic, oldest first */
    struct topic *newer;
    struct topic *prev; /* the list of its state (queued or waiting) */
    struct topic *next;
};

struct tlist {
    struct topic *head, *tail;
};

/* One ping in flight. */
struct xfer {
    CURL *easy;
    struct topic *t;
    size_t reply_bytes;        /* read so far, against WS_MAX_REPLY */
    char err[CURL_ERROR_SIZE]; /* curl's own words for a failure */
};

struct pull_websub {
    struct pull__curl *curl;    /* the transfers; pull__curl_running counts them */
    char *hub;                  /* owned copy of the hub URL */
    struct curl_slist *headers; /* of every ping; outlives the easy handles */
    struct event *batch_timer;  /* the batch window */
    struct event *retry_timer;  /* the earliest due retry */
    struct chorus_map topics;   /* url -> struct topic: every pending one */
    struct topic *oldest, *newest;
    struct tlist queued, waiting;
    _Atomic size_t n_pending; /* every topic: queued, sending, waiting */
    _Atomic size_t in_flight; /* pings sent, not answered */
    bool flushing;            /* the batch fired: start queued topics as slots free */
    unsigned backoff_ms;      /* WS_BACKOFF_MS, or CHORUS_WEBSUB_BACKOFF_MS for tests */
    uint64_t rng;             /* xorshift state for the jitter */
    pthread_mutex_t log_lock;
    uint64_t log_window_ms; /* start of the current log-rate minute */
    unsigned log_lines;     /* failure lines printed in that minute */
    uint64_t log_skipped;   /* lines not printed in that minute */
    /* topics published from any thread, for the loop to take in */
    pthread_mutex_t inbox_lock;
    struct inbox_url *inbox;
    size_t inbox_n;
    struct event *inbox_ev;
    /* /metrics, read from any thread */
    _Atomic uint64_t published, failures, retries, dropped, given_up;
};

/* A topic handed over by another thread. */
struct inbox_url {
    struct inbox_url *next;
    char url[];
};

static void pump(struct pull_websub *w);

/* ---- small helpers ------------------------------------------------------------ */

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static struct timeval tv_ms(uint64_t ms)
{
    struct timeval tv;

    tv.tv_sec = (time_t)(ms / 1000);
    tv.tv_usec = (suseconds_t)(ms % 1000 * 1000);
    return tv;
}

static uint64_t next_random(struct pull_websub *w)
{
    w->rng ^= w->rng << 13;
    w->rng ^= w->rng >> 7;
    w->rng ^= w->rng << 17;
    return w->rng;
}

/* say prints one failure line, at most WS_LOG_PER_MINUTE a minute: a dead
 * hub with thousands of topics must not bury the rest of the log. */
void pull_websub_warn(struct pull_websub *w, const char *fmt, ...)
{
    uint64_t now = now_ms();
    va_list ap;

    pthread_mutex_lock(&w->log_lock);
    if (now - w->log_window_ms >= 60000) {
        if (w->log_skipped)
            fprintf(stderr,
                    "chorusd: websub: %llu more failure lines in the last minute not shown\n",
                    (unsigned long long)w->log_skipped);
        w->log_window_ms = now;
        w->log_lines = 0;
        w->log_skipped = 0;
    }
    if (w->log_lines >= WS_LOG_PER_MINUTE) {
        w->log_skipped++;
        pthread_mutex_unlock(&w->log_lock);
        return;
    }
    w->log_lines++;
    va_start(ap, fmt);
    fputs("chorusd: websub: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    pthread_mutex_unlock(&w->log_lock);
}

/* ---- topic bookkeeping -------------------------------------------------------- */

static void list_push(struct tlist *l, struct topic *t)
{
    t->prev = l->tail;
    t->next = NULL;
    if (l->tail)
        l->tail->next = t;
    else
        l->head = t;
    l->tail = t;
}

static void list_remove(struct tlist *l, struct topic *t)
{
    if (t->prev)
        t->prev->next = t->next;
    else
        l->head = t->next;
    if (t->next)
        t->next->prev = t->prev;
    else
        l->tail = t->prev;
    t->prev = t->next = NULL;
}

/* topic_free takes t out of the table and the age list and frees it; the
 * caller has already taken it off its state list. */
static void topic_free(struct pull_websub *w, struct topic *t)
{
    chorus_map_remove(&w->topics, t->url, strlen(t->url));
    if (t->older)
        t->older->newer = t->newer;
    else
        w->oldest = t->newer;
    if (t->newer)
        t->newer->older = t->older;
    else
        w->newest = t->older;
    w->n_pending--;
    free(t->url);
    free(t);
}

/* enqueue puts t in the queue and makes sure a batch will take it. */
static void enqueue(struct pull_websub *w, struct topic *t)
{
    t->state = T_QUEUED;
    list_push(&w->queued, t);
    if (!w->flushing && !evtimer_pending(w->batch_timer, NULL)) {
        struct timeval tv = tv_ms(WS_BATCH_MS);

        evtimer_add(w->batch_timer, &tv);
    }
}

/* drop_oldest makes room for one more topic by forgetting the oldest one
 * that is not in flight (at most WS_MAX_ACTIVE are). */
static void drop_oldest(struct pull_websub *w)
{
    struct topic *t = w->oldest;

    while (t && t->state == T_SENDING)
        t = t->newer;
    if (!t)
        return;
    list_remove(t->state == T_QUEUED ? &w->queued : &w->waiting, t);
    topic_free(w, t);
    w->dropped++;
    if (w->dropped == 1)
        pull_websub_warn(w,
                         "more than %d feeds wait for the hub; the oldest are dropped "
                         "(chorus_websub_dropped_total counts them)",
                         WS_MAX_PENDING);
}

/* queue_topic records that the feed at url changed. Loop thread. */
static void queue_topic(struct pull_websub *w, const char *url)
{
    size_t len = strlen(url);
    struct topic *t = chorus_map_get(&w->topics, url, len);

    if (t) {
        /* Queued or waiting for a retry: the coming ping covers this change.
         * In flight: the hub may already have fetched the old content, so
         * ping once more after this one. */
        if (t->state == T_SENDING)
            t->again = true;
        return;
    }
    if (w->n_pending >= WS_MAX_PENDING)
        drop_oldest(w);
    t = calloc(1, sizeof(*t));
    if (!t)
        abort();
    t->url = strdup(url);
    if (!t->url)
        abort();
    chorus_map_add(&w->topics, url, len, t);
    t->older = w->newest;
    if (w->newest)
        w->newest->newer = t;
    else
        w->oldest = t;
    w->newest = t;
    w->n_pending++;
    enqueue(w, t);
}

/* on_inbox takes in, on the loop, the topics other threads published. */
static void on_inbox(evutil_socket_t fd, short what, void *arg)
{
    struct pull_websub *w = arg;
    struct inbox_url *list, *next, *fifo = NULL;

    (void)fd;
    (void)what;
    pthread_mutex_lock(&w->inbox_lock);
    list = w->inbox;
    w->inbox = NULL;
    w->inbox_n = 0;
    pthread_mutex_unlock(&w->inbox_lock);
    for (; list; list = next) { /* newest first: reverse */
        next = list->next;
        list->next = fifo;
        fifo = list;
    }
    for (; fifo; fifo = next) {
        next = fifo->next;
        queue_topic(w, fifo->url);
        free(fifo);
    }
}

void pull_websub_publish(struct pull_websub *w, const char *url)
{
    size_t len = strlen(url);
    struct inbox_url *u;

    pthread_mutex_lock(&w->inbox_lock);
    if (w->inbox_n >= WS_MAX_PENDING) {
        /* The loop cannot keep up: drop, as a full queue does. */
        pthread_mutex_unlock(&w->inbox_lock);
        w->dropped++;
        return;
    }
    u = malloc(sizeof(*u) + len + 1);
    if (!u)
        abort();
    memcpy(u->url, url, len + 1);
    u->next = w->inbox;
    w->inbox = u;
    w->inbox_n++;
    pthread_mutex_unlock(&w->inbox_lock);
    event_active(w->inbox_ev, EV_READ, 0);
}

/* arm_retry points the retry timer at the earliest due retry. A scan of
 * at most WS_MAX_PENDING topics per failure is cheaper than keeping a heap
 * in order for a path that runs only when the hub is failing. */
static void arm_retry(struct pull_websub *w)
{
    uint64_t due = 0, now = now_ms();
    struct timeval tv;

    for (struct topic *t = w->waiting.head; t; t = t->next)
        if (!due || t->due_ms < due)
            due = t->due_ms;
    evtimer_del(w->retry_timer);
    if (!due)
        return;
    tv = tv_ms(due > now ? due - now : 0);
    evtimer_add(w->retry_timer, &tv);
}

/* backoff_ms is the wait after the n-th failure in a row (n >= 1): base,
 * 2 base, 4 base ... capped, then spread by +-20% so topics that failed
 * together do not come back together. */
static uint64_t backoff_ms(struct pull_websub *w, unsigned n)
{
    uint64_t d = w->backoff_ms;

    for (unsigned i = 1; i < n && d < WS_BACKOFF_MAX_MS; i++)
        d *= 2;
    if (d > WS_BACKOFF_MAX_MS)
        d = WS_BACKOFF_MAX_MS;
    d = d - d / 5 + next_random(w) % (2 * d / 5 + 1);
    return d > WS_BACKOFF_MAX_MS ? WS_BACKOFF_MAX_MS : d;
}

/* ---- transfers ---------------------------------------------------------------- */

static size_t on_reply_data(char *data, size_t size, size_t n, void *arg)
{
    struct xfer *x = arg;

    (void)data;
    /* Only the status matters; a hub that streams a huge body is cut off
     * (returning less than given fails the transfer). */
    x->reply_bytes += size * n;
    return x->reply_bytes > WS_MAX_REPLY ? 0 : size * n;
}

/* xfer_free cancels x's transfer if it is still running and frees it. */
static void xfer_free(struct pull_websub *w, struct xfer *x)
{
    if (x->easy) {
        pull__curl_remove(w->curl, x->easy);
        curl_easy_cleanup(x->easy);
    }
    free(x);
}

/* finish records the outcome of t's ping: what says why it failed (NULL on
 * success). */
static void finish(struct pull_websub *w, struct topic *t, const char *what)
{
    uint64_t delay;

    t->xfer = NULL;
    if (!what) {
        w->published++;
        if (t->again) {
            t->again = false;
            t->failures = 0;
            enqueue(w, t);
        } else {
            topic_free(w, t);
        }
        return;
    }
    w->failures++;
    t->failures++;
    if (t->failures >= WS_MAX_ATTEMPTS) {
        w->given_up++;
        pull_websub_warn(w, "giving up on %s after %u attempts (last: %s)", t->url, t->failures,
                         what);
        topic_free(w, t);
        return;
    }
    /* A change that came in meanwhile rides on the retry. */
    t->again = false;
    delay = backoff_ms(w, t->failures);
    t->state = T_WAITING;
    t->due_ms = now_ms() + delay;
    list_push(&w->waiting, t);
    arm_retry(w);
    pull_websub_warn(w, "publishing %s to %s failed (%s); retry %u of %d in %.1f s", t->url, w->hub,
                     what, t->failures, WS_MAX_ATTEMPTS - 1, (double)delay / 1000.0);
}

/* start sends t's ping; on a local failure t is handed to finish. */
static void start(struct pull_websub *w, struct topic *t)
{
    struct buf body;
    struct xfer *x = calloc(1, sizeof(*x));
    CURL *e;

    if (!x)
        abort();
    list_remove(&w->queued, t);
    t->state = T_SENDING;
    t->xfer = x;
    x->t = t;
    if (t->failures)
        w->retries++;
    /* hub.mode=publish with hub.url is what the WebSub hubs in use accept
     * (Google's pubsubhubbub, websubhub, Superfeedr): the W3C recommendation
     * leaves the publisher-to-hub call to the hub, and this form is the one
     * they share. */
    buf_init(&body, WS_MAX_URL * 3 + 64);
    buf_puts(&body, "hub.mode=publish&hub.url=");
    chorus_pct(&body, t->url, strlen(t->url), false);
    e = pull__curl_easy_new(w->hub, x, x->err, 5000, 15000, 3);
    if (!e) {
        buf_cleanup(&body);
        free(x);
        finish(w, t, "cannot create a transfer");
        return;
    }
    x->easy = e;
    curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, body.data);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, w->headers);
    curl_easy_setopt(e, CURLOPT_USERAGENT, WS_USER_AGENT);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_reply_data);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
    /* A hub that moved keeps getting a POST, not a GET. */
    curl_easy_setopt(e, CURLOPT_POSTREDIR, (long)CURL_REDIR_POST_ALL);
    buf_cleanup(&body);
    if (pull__curl_add(w->curl, e) != 0) {
        curl_easy_cleanup(e);
        free(x);
        finish(w, t, "cannot start a transfer");
    }
    w->in_flight = pull__curl_running(w->curl);
}

/* pump starts queued pings while slots are free; the batch is over when
 * the queue is empty. */
static void pump(struct pull_websub *w)
{
    while (pull__curl_running(w->curl) < WS_MAX_ACTIVE && w->queued.head)
        start(w, w->queued.head);
    if (!w->queued.head)
        w->flushing = false;
}

/* on_done is curl_loop's done callback: it hands the finished ping to
 * finish, then refills the slot. */
static void on_done(void *ctx, CURL *easy, CURLcode res)
{
    struct pull_websub *w = ctx;
    struct xfer *x;
    struct topic *t;
    char *priv = NULL;
    long status = 0;
    char what[CURL_ERROR_SIZE + 32];

    curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
    x = (struct xfer *)priv;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    t = x->t;
    if (res != CURLE_OK)
        snprintf(what, sizeof(what), "%s", x->err[0] ? x->err : curl_easy_strerror(res));
    else if (status < 200 || status > 299)
        snprintf(what, sizeof(what), "HTTP %ld", status);
    else
        what[0] = '\0';
    xfer_free(w, x);
    w->in_flight = pull__curl_running(w->curl);
    finish(w, t, what[0] ? what : NULL);
    if (w->flushing)
        pump(w);
}

/* ---- timers of our own -------------------------------------------------------- */

static void on_batch(evutil_socket_t fd, short what, void *arg)
{
    struct pull_websub *w = arg;

    (void)fd;
    (void)what;
    w->flushing = true;
    pump(w);
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
    struct pull_websub *w = arg;
    uint64_t now = now_ms();
    struct topic *t, *next;

    (void)fd;
    (void)what;
    for (t = w->waiting.head; t; t = next) {
        next = t->next;
        if (t->due_ms <= now) {
            list_remove(&w->waiting, t);
            t->state = T_QUEUED;
            list_push(&w->queued, t);
        }
    }
    arm_retry(w);
    /* Retries already waited long enough: no batch window for them. */
    if (w->queued.head) {
        w->flushing = true;
        pump(w);
    }
}

/* ---- the contract ------------------------------------------------------------- */

/* backoff_base reads CHORUS_WEBSUB_BACKOFF_MS, which exists so the tests
 * can watch a retry in milliseconds instead of seconds. */
static unsigned backoff_base(void)
{
    const char *v = getenv("CHORUS_WEBSUB_BACKOFF_MS");
    unsigned long n;
    char *end;

    if (!v || !*v)
        return WS_BACKOFF_MS;
    errno = 0;
    n = strtoul(v, &end, 10);
    if (errno || *end || n < 1 || n > WS_BACKOFF_MAX_MS) {
        fprintf(stderr, "chorusd: websub: CHORUS_WEBSUB_BACKOFF_MS must be 1..%d; using %d\n",
                WS_BACKOFF_MAX_MS, WS_BACKOFF_MS);
        return WS_BACKOFF_MS;
    }
    return (unsigned)n;
}

int pull_websub_new(struct pull_websub **out, struct event_base *base, const char *hub)
{
    struct pull_websub *w = NULL;
    int rc = CHORUS_ENOMEM;

    *out = NULL;
    w = calloc(1, sizeof(*w));
    if (!w)
        abort();
    chorus_map_init(&w->topics, 0);
    pthread_mutex_init(&w->log_lock, NULL);
    pthread_mutex_init(&w->inbox_lock, NULL);
    w->backoff_ms = backoff_base();
    w->rng = ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid() ^ (uint64_t)(uintptr_t)w;
    if (!w->rng)
        w->rng = 88172645463325252ULL;
    w->hub = strdup(hub);
    if (!w->hub)
        abort();
    w->headers = curl_slist_append(NULL, "Content-Type: application/x-www-form-urlencoded");
    /* curl would send Expect: 100-continue for a long topic and wait a
     * second for a hub that does not answer it. */
    w->headers = w->headers ? curl_slist_append(w->headers, "Expect:") : NULL;
    if (!w->headers)
        abort(); /* out of memory */
    rc = pull__curl_new(&w->curl, base, on_done, w);
    if (rc)
        goto out;
    rc = CHORUS_ENOMEM;
    w->batch_timer = evtimer_new(base, on_batch, w);
    w->retry_timer = evtimer_new(base, on_retry, w);
    w->inbox_ev = event_new(base, -1, 0, on_inbox, w);
    if (!w->batch_timer || !w->retry_timer || !w->inbox_ev)
        goto out;
    /* One hub, WS_MAX_ACTIVE pings: keep their connections for the next batch. */
    pull__curl_host_limit(w->curl, WS_MAX_ACTIVE);
    *out = w;
    w = NULL;
    rc = 0;
out:
    pull_websub_free(w);
    return rc;
}

void pull_websub_free(struct pull_websub *w)
{
    struct topic *t, *next;

    if (!w)
        return;
    /* Transfers in flight are abandoned: their topics are lost with the
     * process, as queued ones are. */
    for (t = w->oldest; t; t = t->newer)
        if (t->state == T_SENDING && t->xfer) {
            xfer_free(w, t->xfer);
            t->xfer = NULL;
        }
    pull__curl_free(w->curl);
    if (w->batch_timer)
        event_free(w->batch_timer);
    if (w->retry_timer)
        event_free(w->retry_timer);
    if (w->inbox_ev)
        event_free(w->inbox_ev);
    while (w->inbox) {
        struct inbox_url *u = w->inbox;

        w->inbox = u->next;
        free(u);
    }
    pthread_mutex_destroy(&w->inbox_lock);
    pthread_mutex_destroy(&w->log_lock);
    for (t = w->oldest; t; t = next) {
        next = t->newer;
        free(t->url);
        free(t);
    }
    curl_slist_free_all(w->headers);
    chorus_map_cleanup(&w->topics, NULL); /* the age list above held every topic */
    free(w->hub);
    free(w);
}

void pull_websub_metrics(const struct pull_websub *w, struct buf *b)
{
    buf_printf(b,
               "# TYPE chorus_websub_published_total counter\n"
               "chorus_websub_published_total %llu\n"
               "# TYPE chorus_websub_failures_total counter\n"
               "chorus_websub_failures_total %llu\n"
               "# TYPE chorus_websub_retries_total counter\n"
               "chorus_websub_retries_total %llu\n"
               "# TYPE chorus_websub_dropped_total counter\n"
               "chorus_websub_dropped_total %llu\n"
               "# TYPE chorus_websub_given_up_total counter\n"
               "chorus_websub_given_up_total %llu\n"
               "# TYPE chorus_websub_pending gauge\n"
               "chorus_websub_pending %llu\n"
               "# TYPE chorus_websub_in_flight gauge\n"
               "chorus_websub_in_flight %llu\n",
               (unsigned long long)w->published, (unsigned long long)w->failures,
               (unsigned long long)w->retries, (unsigned long long)w->dropped,
               (unsigned long long)w->given_up, (unsigned long long)w->n_pending,
               (unsigned long long)w->in_flight);
}
