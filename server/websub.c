/* WebSub publishing: tell the configured hub which feeds changed.
 *
 * Pings are HTTP POSTs made with libcurl's multi interface driven by the
 * server's own libevent loop (the hiperfifo pattern): curl tells us which
 * sockets to watch and when to wake it (on_socket, on_curl_timer), libevent
 * calls back (on_sock_event, on_curl_timeout) and curl_multi_socket_action
 * does the work. Nothing here ever blocks the loop: a dead or silent hub
 * costs a few sockets and timers, never a request's latency.
 *
 * A changed feed becomes a pending topic. Topics are deduplicated in a hash
 * table, so 10,000 reviews for one product in a batch window still make one
 * ping per feed. A batch timer (WS_BATCH_MS after the first topic) starts the
 * sends, at most WS_MAX_ACTIVE at a time. A failed ping is retried with
 * exponential backoff and jitter; a topic that changes again while it waits
 * for its retry is the same topic, not a second one.
 *
 * Everything runs on the loop thread: no locks. CURLcode and CURL * stay in
 * this file.
 */
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "chorus/error.h"

#define WS_BATCH_MS       1000        /* how long a first change waits for company */
#define WS_MAX_ACTIVE     4           /* concurrent pings: a hub is one server */
#define WS_MAX_PENDING    10000       /* topics remembered; beyond, the oldest go */
#define WS_MAX_ATTEMPTS   8           /* then the topic is given up and logged */
#define WS_BACKOFF_MS     2000        /* first retry delay; doubles per failure */
#define WS_BACKOFF_MAX_MS (5 * 60000) /* the doubling stops at five minutes */
#define WS_BUCKETS        16384       /* hash buckets: a power of two above the cap */
#define WS_MAX_URL        4096        /* a topic URL: public_url + encoded ids fit */
#define WS_MAX_REPLY      (64 * 1024) /* a hub's answer body is read and discarded */
#define WS_LOG_PER_MINUTE 10          /* failure lines per minute before they are counted */
#define WS_USER_AGENT     "Chorus/0.1 (+WebSub)"

enum topic_state {
    T_QUEUED,  /* waiting for the batch timer or a free transfer slot */
    T_SENDING, /* a ping is in flight (t->xfer) */
    T_WAITING, /* failed; waiting until due_ms for the next attempt */
};

struct xfer;

struct topic {
    char *url;     /* owned */
    uint64_t hash; /* of url */
    enum topic_state state;
    unsigned failures;   /* failed attempts since the last success */
    bool again;          /* the feed changed while its ping was in flight */
    uint64_t due_ms;     /* T_WAITING: monotonic time of the next attempt */
    struct xfer *xfer;   /* T_SENDING: the transfer */
    struct topic *hnext; /* hash chain */
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

/* A socket curl asked us to watch; listed so that shutdown frees what curl
 * did not hand back. */
struct sock {
    struct event *ev;
    struct sock *prev, *next;
};

struct srv_websub {
    struct event_base *base;
    CURLM *multi;
    char *hub;                  /* owned copy of the hub URL */
    struct curl_slist *headers; /* of every ping; outlives the easy handles */
    struct event *curl_timer;   /* curl's single timeout */
    struct event *batch_timer;  /* the batch window */
    struct event *retry_timer;  /* the earliest due retry */
    struct sock *socks;         /* every socket event */
    struct topic **buckets;     /* WS_BUCKETS chains */
    struct topic *oldest, *newest;
    struct tlist queued, waiting;
    size_t n_pending;       /* every topic: queued, sending, waiting */
    size_t n_active;        /* transfers in flight */
    bool flushing;          /* the batch fired: start queued topics as slots free */
    unsigned backoff_ms;    /* WS_BACKOFF_MS, or CHORUS_WEBSUB_BACKOFF_MS for tests */
    uint64_t rng;           /* xorshift state for the jitter */
    uint64_t log_window_ms; /* start of the current log-rate minute */
    unsigned log_lines;     /* failure lines printed in that minute */
    uint64_t log_skipped;   /* lines not printed in that minute */
    /* /metrics */
    uint64_t published, failures, retries, dropped, given_up;
};

/* curl_global_init is not thread-safe; srv_new runs on the main thread
 * before any other thread of ours uses curl, and the flag keeps it to one
 * call per process however many servers a test makes. */
static bool curl_ready;

static void pump(struct srv_websub *w);

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

static uint64_t fnv64(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static uint64_t next_random(struct srv_websub *w)
{
    w->rng ^= w->rng << 13;
    w->rng ^= w->rng >> 7;
    w->rng ^= w->rng << 17;
    return w->rng;
}

/* pct appends s[0..n) percent-encoded with the same rule the feeds use for
 * their self links (RFC 3986 unreserved kept, upper-case hex), so a topic is
 * byte-for-byte the URL subscribers subscribed to. keep_slash keeps '/' so a
 * category path's segments are encoded one by one. */
static int pct(struct buf *b, const char *s, size_t n, bool keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = 0;

    for (size_t i = 0; i < n && rc == 0; i++) {
        unsigned char c = (unsigned char)s[i];

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/'))
            rc = buf_putc(b, (char)c);
        else
            rc = buf_printf(b, "%%%c%c", hex[c >> 4], hex[c & 15]);
    }
    return rc;
}

/* say prints one failure line, at most WS_LOG_PER_MINUTE a minute: a dead
 * hub with thousands of topics must not bury the rest of the log. */
static void say(struct srv_websub *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct srv_websub *w, const char *fmt, ...)
{
    uint64_t now = now_ms();
    va_list ap;

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
        return;
    }
    w->log_lines++;
    va_start(ap, fmt);
    fputs("chorusd: websub: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
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

static struct topic *topic_find(struct srv_websub *w, const char *url, uint64_t h)
{
    for (struct topic *t = w->buckets[h & (WS_BUCKETS - 1)]; t; t = t->hnext)
        if (t->hash == h && strcmp(t->url, url) == 0)
            return t;
    return NULL;
}

/* topic_free unlinks t from the hash and the age list and frees it; the
 * caller has already taken it off its state list. */
static void topic_free(struct srv_websub *w, struct topic *t)
{
    struct topic **pp = &w->buckets[t->hash & (WS_BUCKETS - 1)];

    while (*pp != t)
        pp = &(*pp)->hnext;
    *pp = t->hnext;
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
static void enqueue(struct srv_websub *w, struct topic *t)
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
static void drop_oldest(struct srv_websub *w)
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
        say(w,
            "more than %d feeds wait for the hub; the oldest are dropped "
            "(chorus_websub_dropped_total counts them)",
            WS_MAX_PENDING);
}

/* queue_topic records that the feed at url changed. */
static void queue_topic(struct srv_websub *w, const char *url)
{
    uint64_t h = fnv64(url);
    struct topic *t = topic_find(w, url, h);

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
    t->hash = h;
    t->hnext = w->buckets[h & (WS_BUCKETS - 1)];
    w->buckets[h & (WS_BUCKETS - 1)] = t;
    t->older = w->newest;
    if (w->newest)
        w->newest->newer = t;
    else
        w->oldest = t;
    w->newest = t;
    w->n_pending++;
    enqueue(w, t);
}

/* arm_retry points the retry timer at the earliest due retry. A scan of
 * at most WS_MAX_PENDING topics per failure is cheaper than keeping a heap
 * in order for a path that runs only when the hub is failing. */
static void arm_retry(struct srv_websub *w)
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
static uint64_t backoff_ms(struct srv_websub *w, unsigned n)
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

static void xfer_free(struct srv_websub *w, struct xfer *x)
{
    if (x->easy) {
        curl_multi_remove_handle(w->multi, x->easy);
        curl_easy_cleanup(x->easy);
    }
    free(x);
}

/* finish records the outcome of t's ping: what says why it failed (NULL on
 * success). */
static void finish(struct srv_websub *w, struct topic *t, const char *what)
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
        say(w, "giving up on %s after %u attempts (last: %s)", t->url, t->failures, what);
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
    say(w, "publishing %s to %s failed (%s); retry %u of %d in %.1f s", t->url, w->hub, what,
        t->failures, WS_MAX_ATTEMPTS - 1, (double)delay / 1000.0);
}

/* start sends t's ping; on a local failure t is handed to finish. */
static void start(struct srv_websub *w, struct topic *t)
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
    pct(&body, t->url, strlen(t->url), false);
    e = curl_easy_init();
    if (!e) {
        buf_cleanup(&body);
        free(x);
        finish(w, t, "cannot create a transfer");
        return;
    }
    x->easy = e;
    curl_easy_setopt(e, CURLOPT_URL, w->hub);
    curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, body.data);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, w->headers);
    curl_easy_setopt(e, CURLOPT_USERAGENT, WS_USER_AGENT);
    curl_easy_setopt(e, CURLOPT_PRIVATE, x);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->err);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_reply_data);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
    /* Signals would reach the whole server; timeouts without them need the
     * threaded resolver, which Debian's libcurl has. */
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 15000L);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, 3L);
    /* A hub that moved keeps getting a POST, not a GET. */
    curl_easy_setopt(e, CURLOPT_POSTREDIR, (long)CURL_REDIR_POST_ALL);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(e, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    buf_cleanup(&body);
    if (curl_multi_add_handle(w->multi, e) != CURLM_OK) {
        curl_easy_cleanup(e);
        free(x);
        finish(w, t, "cannot start a transfer");
        return;
    }
    w->n_active++;
}

/* pump starts queued pings while slots are free; the batch is over when
 * the queue is empty. */
static void pump(struct srv_websub *w)
{
    while (w->n_active < WS_MAX_ACTIVE && w->queued.head)
        start(w, w->queued.head);
    if (!w->queued.head)
        w->flushing = false;
}

/* reap hands every finished transfer to finish, then refills the slots. */
static void reap(struct srv_websub *w)
{
    CURLMsg *m;
    int left;

    while ((m = curl_multi_info_read(w->multi, &left)) != NULL) {
        struct xfer *x;
        struct topic *t;
        char *priv = NULL;
        CURLcode res;
        long status = 0;
        char what[CURL_ERROR_SIZE + 32];

        if (m->msg != CURLMSG_DONE)
            continue;
        res = m->data.result;
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
        x = (struct xfer *)priv;
        curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &status);
        t = x->t;
        if (res != CURLE_OK)
            snprintf(what, sizeof(what), "%s", x->err[0] ? x->err : curl_easy_strerror(res));
        else if (status < 200 || status > 299)
            snprintf(what, sizeof(what), "HTTP %ld", status);
        else
            what[0] = '\0';
        /* m belongs to the handle: done with it before the handle goes. */
        xfer_free(w, x);
        w->n_active--;
        finish(w, t, what[0] ? what : NULL);
    }
    if (w->flushing)
        pump(w);
}

/* ---- libevent <-> curl -------------------------------------------------------- */

static void on_sock_event(evutil_socket_t fd, short what, void *arg)
{
    struct srv_websub *w = arg;
    int flags = 0, running;

    if (what & EV_READ)
        flags |= CURL_CSELECT_IN;
    if (what & EV_WRITE)
        flags |= CURL_CSELECT_OUT;
    curl_multi_socket_action(w->multi, fd, flags, &running);
    reap(w);
}

static void on_curl_timeout(evutil_socket_t fd, short what, void *arg)
{
    struct srv_websub *w = arg;
    int running;

    (void)fd;
    (void)what;
    curl_multi_socket_action(w->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    reap(w);
}

static void sock_free(struct srv_websub *w, struct sock *k)
{
    if (k->prev)
        k->prev->next = k->next;
    else
        w->socks = k->next;
    if (k->next)
        k->next->prev = k->prev;
    event_free(k->ev);
    free(k);
}

/* on_socket is CURLMOPT_SOCKETFUNCTION: watch fd for what curl wants, one
 * persistent event per socket, remembered with curl_multi_assign. */
static int on_socket(CURL *e, curl_socket_t fd, int what, void *userp, void *socketp)
{
    struct srv_websub *w = userp;
    struct sock *k = socketp;
    short kind = EV_PERSIST;

    (void)e;
    if (what == CURL_POLL_REMOVE) {
        if (k)
            sock_free(w, k);
        return 0;
    }
    if (what & CURL_POLL_IN)
        kind |= EV_READ;
    if (what & CURL_POLL_OUT)
        kind |= EV_WRITE;
    if (!k) {
        k = calloc(1, sizeof(*k));
        if (!k)
            abort();
        k->ev = event_new(w->base, fd, kind, on_sock_event, w);
        if (!k->ev)
            abort();
        k->next = w->socks;
        if (w->socks)
            w->socks->prev = k;
        w->socks = k;
        curl_multi_assign(w->multi, fd, k);
    } else {
        /* event_assign is only allowed on an event that is not pending. */
        event_del(k->ev);
        event_assign(k->ev, w->base, fd, kind, on_sock_event, w);
    }
    event_add(k->ev, NULL);
    return 0;
}

/* on_curl_timer is CURLMOPT_TIMERFUNCTION. curl must not be re-entered from
 * here, so even a zero timeout goes through the loop. */
static int on_curl_timer(CURLM *m, long timeout_ms, void *userp)
{
    struct srv_websub *w = userp;
    struct timeval tv;

    (void)m;
    if (timeout_ms < 0) {
        evtimer_del(w->curl_timer);
        return 0;
    }
    tv = tv_ms((uint64_t)timeout_ms);
    evtimer_add(w->curl_timer, &tv);
    return 0;
}

/* ---- timers of our own -------------------------------------------------------- */

static void on_batch(evutil_socket_t fd, short what, void *arg)
{
    struct srv_websub *w = arg;

    (void)fd;
    (void)what;
    w->flushing = true;
    pump(w);
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
    struct srv_websub *w = arg;
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

int srv__websub_new(struct srv_websub **out, struct event_base *base, const char *hub)
{
    struct srv_websub *w = NULL;
    int rc = CHORUS_ENOMEM;

    *out = NULL;
    if (!curl_ready) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            goto out;
        curl_ready = true;
    }
    w = calloc(1, sizeof(*w));
    if (!w)
        abort();
    w->base = base;
    w->backoff_ms = backoff_base();
    w->rng = ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid() ^ (uint64_t)(uintptr_t)w;
    if (!w->rng)
        w->rng = 88172645463325252ULL;
    w->hub = strdup(hub);
    w->buckets = calloc(WS_BUCKETS, sizeof(*w->buckets));
    if (!w->hub || !w->buckets)
        abort();
    w->headers = curl_slist_append(NULL, "Content-Type: application/x-www-form-urlencoded");
    /* curl would send Expect: 100-continue for a long topic and wait a
     * second for a hub that does not answer it. */
    w->headers = w->headers ? curl_slist_append(w->headers, "Expect:") : NULL;
    if (!w->headers)
        abort(); /* out of memory */
    w->multi = curl_multi_init();
    w->curl_timer = evtimer_new(base, on_curl_timeout, w);
    w->batch_timer = evtimer_new(base, on_batch, w);
    w->retry_timer = evtimer_new(base, on_retry, w);
    if (!w->multi || !w->curl_timer || !w->batch_timer || !w->retry_timer)
        goto out;
    curl_multi_setopt(w->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(w->multi, CURLMOPT_SOCKETDATA, w);
    curl_multi_setopt(w->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
    curl_multi_setopt(w->multi, CURLMOPT_TIMERDATA, w);
    /* One hub, WS_MAX_ACTIVE pings: keep their connections for the next batch. */
    curl_multi_setopt(w->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)WS_MAX_ACTIVE);
    *out = w;
    w = NULL;
    rc = 0;
out:
    srv__websub_free(w);
    return rc;
}

void srv__websub_free(struct srv_websub *w)
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
    /* curl_multi_cleanup closes cached connections and may still call
     * on_socket and on_curl_timer, so the events stay until after it. */
    if (w->multi)
        curl_multi_cleanup(w->multi);
    while (w->socks)
        sock_free(w, w->socks);
    if (w->curl_timer)
        event_free(w->curl_timer);
    if (w->batch_timer)
        event_free(w->batch_timer);
    if (w->retry_timer)
        event_free(w->retry_timer);
    for (t = w->oldest; t; t = next) {
        next = t->newer;
        free(t->url);
        free(t);
    }
    curl_slist_free_all(w->headers);
    free(w->buckets);
    free(w->hub);
    free(w);
}

void srv__feeds_changed(struct srv *s, const char *product_id)
{
    struct srv_websub *w = s->websub;
    char category[CHORUS_MAX_CATEGORY + 1] = "";
    struct product p;
    struct buf url;
    size_t base_len;
    int rc;

    if (!w || !product_id || !*product_id)
        return;
    /* The loop thread's read transaction is free here: done callbacks and
     * handlers end their reads before calling us, as srv__read_end does. */
    rc = store_read_begin(s->store, &s->rtxn);
    if (rc == 0) {
        if (store_product_get(s->rtxn, product_id, &p, NULL) == 0 && p.category)
            snprintf(category, sizeof(category), "%s", p.category);
        store_read_end(s->rtxn);
    } else {
        /* Without the category the product and all-reviews feeds still go. */
        say(w, "cannot read product %.128s's category (%s); its category feeds are not pinged",
            product_id, chorus_strerror(rc));
    }
    buf_init(&url, WS_MAX_URL);
    buf_puts(&url, s->public_url);
    base_len = url.len;

    buf_puts(&url, "/feeds/products/");
    pct(&url, product_id, strlen(product_id), false);
    if (buf_puts(&url, ".atom") == 0)
        queue_topic(w, url.data);

    /* laptops/gaming changes categories/laptops.atom and
     * categories/laptops/gaming.atom: one topic per prefix. The store keeps
     * paths without empty segments. */
    for (size_t end = 1; category[0]; end++) {
        if (category[end] != '/' && category[end] != '\0')
            continue;
        url.len = base_len;
        url.data[url.len] = '\0';
        buf_puts(&url, "/feeds/categories/");
        pct(&url, category, end, true);
        if (buf_puts(&url, ".atom") == 0)
            queue_topic(w, url.data);
        if (category[end] == '\0')
            break;
    }

    url.len = base_len;
    url.data[url.len] = '\0';
    if (buf_puts(&url, "/feeds/reviews.atom") == 0)
        queue_topic(w, url.data);
    buf_cleanup(&url);
}

void srv__websub_metrics(const struct srv_websub *w, struct buf *b)
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
               (unsigned long long)w->n_active);
}
