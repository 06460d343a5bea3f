/* Serving threads: reads use every core.
 *
 * Each serving thread runs its own libevent loop with its own evhttp on the
 * listening address, its own LMDB read transaction (renewed per request),
 * and an inbox through which other threads hand it what must run on it: the
 * reply to a write that committed, since a request belongs to the loop it
 * arrived on. Nothing a request touches on the way to a cached page is
 * shared under a lock but the cache shard of its key (cache.c).
 *
 * Connections are spread by the kernel: with listen_reuseport each thread
 * has its own SO_REUSEPORT socket and the kernel hashes new connections
 * across them; without, the threads accept from one shared socket and
 * whichever loop wakes first takes the connection. Thread 0 is the main
 * thread: it also runs the signals, the writer's completions, the poller
 * and the WebSub publisher on s->base.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/bufferevent.h>
#include <event2/util.h>

#define BACKLOG   1024
#define MAX_WRITE (1u << 20) /* bytes one writev may take: a cached page in one go */

/* The serving thread this code runs on, so a post to oneself replies at
 * once instead of going round the loop. */
static _Thread_local struct srv_thread *tl_self;

/* ---- the inbox -------------------------------------------------------------------- */

static void drain(struct srv_thread *t)
{
    struct srv_job *list, *fifo = NULL;

    pthread_mutex_lock(&t->inbox_lock);
    list = t->inbox;
    t->inbox = NULL;
    pthread_mutex_unlock(&t->inbox_lock);
    while (list) { /* posted newest first: reverse */
        struct srv_job *next = (struct srv_job *)list->job.next;

        list->job.next = fifo ? &fifo->job : NULL;
        fifo = list;
        list = next;
    }
    while (fifo) {
        struct srv_job *next = (struct srv_job *)fifo->job.next;

        fifo->reply(&fifo->job, fifo->job.commit_rc);
        fifo = next;
    }
}

static void on_inbox(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    drain(arg);
}

void srv__thread_post(struct srv_thread *t, struct srv_job *job)
{
    if (tl_self == t) {
        job->reply(&job->job, job->job.commit_rc);
        return;
    }
    pthread_mutex_lock(&t->inbox_lock);
    job->job.next = t->inbox ? &t->inbox->job : NULL;
    t->inbox = job;
    pthread_mutex_unlock(&t->inbox_lock);
    event_active(t->inbox_ev, EV_READ, 0);
}

/* ---- listening ---------------------------------------------------------------------- */

/* listen_on opens a listening socket on host:port (port 0: any free one),
 * with SO_REUSEPORT when reuseport, TCP_NODELAY for the connections it
 * accepts (a 40 KB reply otherwise waits ~40 ms on the client's delayed
 * ACK). Returns the socket, or -1 with a sentence in errbuf. */
static evutil_socket_t listen_on(const char *host, int port, bool reuseport, char *errbuf,
                                 size_t errlen)
{
    struct evutil_addrinfo hints, *ai = NULL;
    evutil_socket_t fd = -1;
    char service[16];
    int one = 1, rc;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    hints.ai_flags = EVUTIL_AI_PASSIVE;
    snprintf(service, sizeof(service), "%d", port);
    rc = evutil_getaddrinfo(host, service, &hints, &ai);
    if (rc != 0 || !ai) {
        snprintf(errbuf, errlen, "cannot listen on %s:%d: %s", host, port,
                 rc ? evutil_gai_strerror(rc) : "no address");
        goto fail;
    }
    fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0) ||
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0 ||
        bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, BACKLOG) != 0) {
        snprintf(errbuf, errlen, "cannot listen on %s:%d: %s", host, port, strerror(errno));
        goto fail;
    }
    evutil_freeaddrinfo(ai);
    return fd;
fail:
    if (fd >= 0)
        close(fd);
    if (ai)
        evutil_freeaddrinfo(ai);
    return -1;
}

static int bound_port(evutil_socket_t fd)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);

    if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
        return -1;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return -1;
}

/* ---- one thread ----------------------------------------------------------------------- */

struct event_base *srv__base_new(const struct srv_config *c)
{
    struct event_config *cfg = event_config_new();
    struct event_base *base;

    if (!cfg)
        return NULL;
    /* libevent's change list folds the add and delete of write interest
     * that every reply makes into fewer epoll_ctl calls (measured: 4 a
     * request without it). It is unsafe with descriptors cloned by dup(),
     * which only the shared listening socket uses. */
    if (c->listen_reuseport)
        event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    base = event_base_new_with_config(cfg);
    event_config_free(cfg);
    return base;
}

/* new_bev makes each connection's bufferevent: libevent writes at most
 * 16 KiB per writev by default, two system calls (and their epoll changes)
 * for a 20 KB widget page. */
static struct bufferevent *new_bev(struct event_base *base, void *arg)
{
    struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);

    if (bev) {
        bufferevent_set_max_single_write(bev, MAX_WRITE);
        srv__conns_accepted(arg, bev);
    }
    return bev;
}

struct srv_thread *srv__thread_self(void)
{
    return tl_self;
}

struct buf *srv__scratch(struct srv_req *r, unsigned i)
{
    struct buf *b = &r->t->scratch[i];

    buf_reset(b);
    return b;
}

static int thread_init(struct srv *s, struct srv_thread *t, unsigned index)
{
    const struct srv_config *c = &s->cfg;

    t->srv = s;
    t->index = index;
    /* No cap of their own: what goes in comes from the request line,
     * which evhttp bounds. */
    for (size_t i = 0; i < sizeof(t->scratch) / sizeof(t->scratch[0]); i++)
        buf_init(&t->scratch[i], 0);
    pthread_mutex_init(&t->inbox_lock, NULL);
    chorus_map_init(&t->access, 0);
    if (srv__stats_new(t) != 0)
        return CHORUS_ENOMEM;
    t->base = index == 0 ? s->base : srv__base_new(&s->cfg);
    if (!t->base)
        return CHORUS_ENOMEM;
    t->inbox_ev = event_new(t->base, -1, 0, on_inbox, t);
    t->http = evhttp_new(t->base);
    if (!t->inbox_ev || !t->http)
        return CHORUS_ENOMEM;
    /* libevent's limits are unlimited by default. */
    evhttp_set_max_headers_size(t->http, 16 * 1024);
    evhttp_set_max_body_size(t->http, (ev_ssize_t)c->max_body_bytes);
    evhttp_set_timeout(t->http, (int)c->timeout_seconds);
    evhttp_set_flags(t->http, EVHTTP_SERVER_LINGERING_CLOSE);
    evhttp_set_allowed_methods(t->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST |
                                            EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
                                            EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
    evhttp_set_default_content_type(t->http, "application/json");
    evhttp_set_gencb(t->http, srv__dispatch, t);
    evhttp_set_bevcb(t->http, new_bev, t);
    return srv__conns_thread_init(t);
}

static void *thread_main(void *arg)
{
    struct srv_thread *t = arg;

    tl_self = t;
    event_base_dispatch(t->base);
    return NULL;
}

/* ---- all of them ---------------------------------------------------------------------- */

int srv__threads_new(struct srv *s, char *errbuf, size_t errlen)
{
    const struct srv_config *c = &s->cfg;
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    size_t n = c->threads ? c->threads : online > 0 ? (size_t)online : 1;
    evutil_socket_t first = -1;
    int rc = 0;

    if (n > SRV_MAX_THREADS)
        n = SRV_MAX_THREADS;
    s->threads = calloc(n, sizeof(*s->threads));
    if (!s->threads)
        abort();
    s->n_threads = n;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = thread_init(s, &s->threads[i], (unsigned)i);
    if (rc) {
        snprintf(errbuf, errlen, "cannot set up the serving threads");
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        evutil_socket_t fd;

        if (i == 0)
            fd = first =
                listen_on(c->listen_host, c->listen_port, c->listen_reuseport, errbuf, errlen);
        else if (c->listen_reuseport)
            fd = listen_on(c->listen_host, s->port, true, errbuf, errlen);
        else
            fd = fcntl(first, F_DUPFD_CLOEXEC, 0);
        if (fd < 0) {
            if (i > 0 && !errbuf[0])
                snprintf(errbuf, errlen, "cannot share the listening socket: %s", strerror(errno));
            return CHORUS_EIO;
        }
        if (i == 0)
            s->port = bound_port(fd);
        /* The evhttp owns the socket from here and closes it when freed. */
        if (!evhttp_accept_socket_with_handle(s->threads[i].http, fd)) {
            close(fd);
            snprintf(errbuf, errlen, "cannot accept on %s:%d", c->listen_host, s->port);
            return CHORUS_EIO;
        }
    }
    return 0;
}

int srv__threads_run(struct srv *s)
{
    int rc = 0;

    tl_self = &s->threads[0];
    s->threads[0].tid = pthread_self();
    for (size_t i = 1; i < s->n_threads; i++) {
        struct srv_thread *t = &s->threads[i];

        if (pthread_create(&t->tid, NULL, thread_main, t) != 0) {
            fprintf(stderr, "chorusd: cannot start serving thread %zu; serving with %zu\n", i, i);
            break;
        }
        t->running = true;
    }
    if (event_base_dispatch(s->base) < 0) {
        rc = CHORUS_EIO;
        srv__threads_stop(s, NULL);
    }
    for (size_t i = 1; i < s->n_threads; i++) {
        if (s->threads[i].running)
            pthread_join(s->threads[i].tid, NULL);
        s->threads[i].running = false;
    }
    return rc;
}

void srv__threads_stop(struct srv *s, const struct timeval *delay)
{
    for (size_t i = 0; i < s->n_threads; i++)
        event_base_loopexit(s->threads[i].base, delay);
}

void srv__threads_free(struct srv *s)
{
    if (!s->threads)
        return;
    for (size_t i = 0; i < s->n_threads; i++) {
        struct srv_thread *t = &s->threads[i];

        if (!t->srv)
            continue; /* set-up stopped before it */
        /* Replies handed over after the loops stopped go out (or are
         * dropped with their connection) now, so no job is left behind. */
        if (t->inbox_ev)
            drain(t);
        if (t->http)
            evhttp_free(t->http);
        srv__conns_thread_free(t);
        srv__access_thread_free(t);
        srv__stats_free(t);
        if (t->inbox_ev)
            event_free(t->inbox_ev);
        store_txn_free(t->rtxn);
        for (size_t k = 0; k < sizeof(t->scratch) / sizeof(t->scratch[0]); k++)
            buf_cleanup(&t->scratch[k]);
        if (i > 0 && t->base)
            event_base_free(t->base);
        pthread_mutex_destroy(&t->inbox_lock);
    }
    free(s->threads);
    s->threads = NULL;
    s->n_threads = 0;
}
