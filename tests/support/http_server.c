/* The embedded test HTTP server (http_server.h): the one copy of the
 * lifecycle every served fixture shares. evhttp runs on its own event_base
 * and thread; the test thread only starts it, stops it and takes its lock.
 */
#include "http_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/keyvalq_struct.h>
#include <event2/thread.h>

/* Generous for a test, but every buffer gets a cap (STYLE.md, libevent). */
#define TS_MAX_HEADERS (64 * 1024)
#define TS_MAX_BODY    (1024 * 1024)

struct ts_server {
    struct event_base *base;
    struct evhttp *http;
    pthread_t thread;
    bool running; /* thread started: stop must join it */
    int port;
    char url[80]; /* http://ADDR:PORT */
    ts_handler *handler;
    void *arg;
    pthread_mutex_t lock;
    pthread_cond_t cond; /* on CLOCK_MONOTONIC, so deadlines ignore clock changes */
};

static pthread_once_t threads_once = PTHREAD_ONCE_INIT;
static int threads_rc = -1;

/* libevent's locks are set up once per process, before the first base: the
 * test thread calls event_base_loopbreak on a base another thread runs. */
static void use_threads(void)
{
    threads_rc = evthread_use_pthreads();
}

static void on_request(struct evhttp_request *req, void *arg)
{
    struct ts_server *s = arg;

    s->handler(s, req, s->arg);
}

static void *serve(void *arg)
{
    struct ts_server *s = arg;

    event_base_dispatch(s->base);
    return NULL;
}

/* bound_port reads the port the kernel chose for a listener; 0 on error. */
static int bound_port(struct evhttp_bound_socket *bound)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);

    if (getsockname(evhttp_bound_socket_get_fd(bound), (struct sockaddr *)&ss, &sl) != 0)
        return 0;
    if (ss.ss_family == AF_INET)
        return ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return 0;
}

int ts_server_start(struct ts_server **out, const struct ts_config *cfg)
{
    const char *addr = cfg->addr ? cfg->addr : "127.0.0.1";
    struct evhttp_bound_socket *bound;
    pthread_condattr_t ca;
    struct ts_server *s;
    int rc = -1;

    *out = NULL;
    pthread_once(&threads_once, use_threads);
    if (threads_rc != 0)
        return -1;
    s = calloc(1, sizeof(*s));
    if (!s)
        abort();
    s->handler = cfg->handler;
    s->arg = cfg->arg;
    pthread_mutex_init(&s->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->cond, &ca);
    pthread_condattr_destroy(&ca);
    s->base = event_base_new();
    s->http = s->base ? evhttp_new(s->base) : NULL;
    if (!s->http)
        goto out;
    evhttp_set_max_headers_size(s->http, TS_MAX_HEADERS);
    evhttp_set_max_body_size(s->http, TS_MAX_BODY);
    if (cfg->timeout_s > 0)
        evhttp_set_timeout(s->http, cfg->timeout_s);
    evhttp_set_gencb(s->http, on_request, s);
    bound = evhttp_bind_socket_with_handle(s->http, addr, 0);
    s->port = bound ? bound_port(bound) : 0;
    if (s->port == 0)
        goto out;
    snprintf(s->url, sizeof(s->url), strchr(addr, ':') ? "http://[%s]:%d" : "http://%s:%d", addr,
             s->port);
    if (pthread_create(&s->thread, NULL, serve, s) != 0)
        goto out;
    s->running = true;
    *out = s;
    s = NULL;
    rc = 0;
out:
    ts_server_stop(s);
    return rc;
}

void ts_server_stop(struct ts_server *s)
{
    if (!s)
        return;
    if (s->running) {
        event_base_loopbreak(s->base);
        pthread_join(s->thread, NULL);
    }
    /* evhttp_free closes the connections and frees their requests, so a
     * reply a handler left open is not a leak. */
    if (s->http)
        evhttp_free(s->http);
    if (s->base)
        event_base_free(s->base);
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

int ts_server_port(const struct ts_server *s)
{
    return s->port;
}

const char *ts_server_url(const struct ts_server *s)
{
    return s->url;
}

struct event_base *ts_server_base(struct ts_server *s)
{
    return s->base;
}

/* ---- state shared with the test thread ------------------------------------------------ */

void ts_lock(struct ts_server *s)
{
    pthread_mutex_lock(&s->lock);
}

void ts_unlock(struct ts_server *s)
{
    pthread_mutex_unlock(&s->lock);
}

void ts_broadcast(struct ts_server *s)
{
    pthread_cond_broadcast(&s->cond);
}

struct timespec ts_deadline(long ms)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

bool ts_wait(struct ts_server *s, const struct timespec *deadline)
{
    return pthread_cond_timedwait(&s->cond, &s->lock, deadline) != ETIMEDOUT;
}

/* ---- requests and replies ------------------------------------------------------------- */

void ts_reply(struct evhttp_request *req, int code, const char *reason, const char *type,
              const char *body, size_t len)
{
    struct evbuffer *b = evbuffer_new();

    if (!b)
        abort();
    if (type)
        ts_add_header(req, "Content-Type", type);
    if (body)
        evbuffer_add(b, body, len);
    evhttp_send_reply(req, code, reason, b);
    evbuffer_free(b);
}

void ts_add_header(struct evhttp_request *req, const char *name, const char *value)
{
    evhttp_add_header(evhttp_request_get_output_headers(req), name, value);
}

const char *ts_header(struct evhttp_request *req, const char *name)
{
    return evhttp_find_header(evhttp_request_get_input_headers(req), name);
}

void ts_copy_header(struct evhttp_request *req, const char *name, char *out, size_t cap)
{
    const char *v = ts_header(req, name);

    snprintf(out, cap, "%s", v ? v : "");
}

char *ts_body(struct evhttp_request *req, char *out, size_t cap)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t len = evbuffer_get_length(in);

    if (len >= cap)
        len = cap - 1;
    evbuffer_copyout(in, out, len);
    out[len] = '\0';
    return out;
}

bool ts_form_value(const char *form, const char *name, char *out, size_t cap)
{
    struct evkeyvalq q;
    const char *v;

    evhttp_parse_query_str(form ? form : "", &q);
    v = evhttp_find_header(&q, name);
    snprintf(out, cap, "%s", v ? v : "");
    evhttp_clear_headers(&q);
    return v != NULL;
}
