/* A request's accounting from its start to its reply: the statistics in
 * /metrics (stats.c) and the access log (access_log = FILE|stderr|off), one
 * JSON line per answered request — time, client, method, path, status,
 * bytes, microseconds, cache — written with one write(2) on an O_APPEND
 * descriptor, so lines from all serving threads never interleave. Never a
 * key, a token or a body: the values of token, key and cursor in the query
 * are replaced.
 *
 * What a request needs from its start is kept in its serving thread's one
 * slot while srv__dispatch runs, so the usual request, answered before
 * dispatch returns, allocates nothing; one answered later (a write, a page
 * waiting for another thread's render) moves to a heap copy keyed by the
 * request, replied on the same thread. SIGHUP reopens the file over the
 * same descriptor (dup2), for log rotation. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>

static int64_t now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int open_log(const char *path)
{
    return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
}

int srv__access_open(struct srv *s, char *errbuf, size_t errlen)
{
    const char *p = s->cfg.access_log;

    s->access_fd = -1;
    if (!*p || strcmp(p, "off") == 0)
        return 0;
    s->access_fd = strcmp(p, "stderr") == 0 ? dup(STDERR_FILENO) : open_log(p);
    if (s->access_fd < 0) {
        snprintf(errbuf, errlen, "cannot open access_log %s: %s", p, strerror(errno));
        return CHORUS_EIO;
    }
    return 0;
}

void srv__access_reopen(struct srv *s)
{
    int fd;

    if (s->access_fd < 0 || strcmp(s->cfg.access_log, "stderr") == 0)
        return;
    fd = open_log(s->cfg.access_log);
    /* dup2 swaps the file under the one descriptor every thread writes to. */
    if (fd < 0 || dup2(fd, s->access_fd) < 0)
        fprintf(stderr, "chorusd: SIGHUP: cannot reopen access_log %s: %s\n", s->cfg.access_log,
                strerror(errno));
    if (fd >= 0)
        close(fd);
}

void srv__access_close(struct srv *s)
{
    if (s->access_fd >= 0)
        close(s->access_fd);
    s->access_fd = -1;
}

/* redact copies uri into out, each value of token, key and cursor replaced:
 * they open private pages or are the client's own handle. */
static void redact(const char *uri, char *out, size_t cap)
{
    const char *q = strchr(uri, '?');
    size_t n = q ? (size_t)(q - uri) : strlen(uri), o;

    o = n < cap - 1 ? n : cap - 1;
    memcpy(out, uri, o);
    while (q && *q && o + 1 < cap) {
        const char *name = q + 1, *eq, *end = strchr(name, '&');
        size_t nlen;

        end = end ? end : name + strlen(name);
        eq = memchr(name, '=', (size_t)(end - name));
        nlen = (size_t)((eq ? eq : end) - name);
        out[o++] = *q;
        if (eq && ((nlen == 5 && strncmp(name, "token", 5) == 0) ||
                   (nlen == 3 && strncmp(name, "key", 3) == 0) ||
                   (nlen == 6 && strncmp(name, "cursor", 6) == 0)))
            o += (size_t)snprintf(out + o, cap - o, "%.*s=REDACTED", (int)nlen, name);
        else
            o += (size_t)snprintf(out + o, cap - o, "%.*s", (int)(end - name), name);
        if (o >= cap)
            o = cap - 1;
        q = *end ? end : NULL;
    }
    out[o] = '\0';
}

void srv__access_begin(struct srv_req *r, const char *method, const struct srv_route *route)
{
    struct srv_inflight *e = &r->t->cur;

    e->req = r->req;
    e->start_us = now_us();
    e->method = method;
    e->route = srv__route_index(route);
    e->cache = -1;
    e->logged = r->srv->access_fd >= 0;
    if (e->logged) {
        const char *uri = evhttp_request_get_uri(r->req);

        redact(uri ? uri : "", e->path, sizeof(e->path));
        srv__client(r, e->client);
    }
}

void srv__access_end(struct srv_req *r)
{
    struct srv_inflight *e;

    if (r->t->cur.req != r->req)
        return; /* answered */
    e = malloc(sizeof(*e));
    if (!e)
        abort();
    memcpy(e, &r->t->cur, sizeof(*e));
    r->t->cur.req = NULL;
    chorus_map_add(&r->t->access, (const char *)&r->req, sizeof(r->req), e);
}

/* find returns req's entry on t: the slot, or its heap copy (NULL when
 * none: a reply without a dispatch, such as the cache's unit tests). */
static struct srv_inflight *find(struct srv_thread *t, struct evhttp_request *req)
{
    if (t->cur.req == req)
        return &t->cur;
    return chorus_map_get(&t->access, (const char *)&req, sizeof(req));
}

void srv__access_cache(struct srv_req *r, bool hit)
{
    struct srv_inflight *e = find(r->t, r->req);

    if (e)
        e->cache = hit;
}

static void log_line(struct srv *s, struct evhttp_request *req, const struct srv_inflight *e,
                     int status, int64_t us)
{
    char when[32];
    struct buf b;

    chorus_time_format(chorus_now(), when);
    buf_init(&b, 0);
    buf_printf(&b, "{\"time\":\"%s\",\"client\":", when);
    chorus_json_str(&b, e->client, strlen(e->client));
    buf_printf(&b, ",\"method\":\"%s\",\"path\":", e->method);
    chorus_json_str_or_null(&b, chorus_utf8_valid(e->path, strlen(e->path)) ? e->path : NULL);
    buf_printf(&b, ",\"status\":%d,\"bytes\":%zu,\"us\":%lld,\"cache\":%s}\n", status,
               evbuffer_get_length(evhttp_request_get_output_buffer(req)), (long long)us,
               e->cache < 0 ? "null"
               : e->cache   ? "\"hit\""
                            : "\"miss\"");
    if (b.data && write(s->access_fd, b.data, b.len) < 0) {
        /* A full disk must not stop the answers; the log is best effort. */
    }
    buf_cleanup(&b);
}

void srv__send(struct srv *s, struct evhttp_request *req, int status)
{
    /* s is NULL only for the page cache's unit tests, which reply without a
     * server. */
    struct srv_thread *t = s ? srv__thread_self() : NULL;
    struct srv_inflight *e = t ? find(t, req) : NULL;

    if (e) {
        int64_t us = now_us() - e->start_us;

        srv__stats_count(t, e->route, status, us, e->cache);
        if (e->logged && s->access_fd >= 0)
            log_line(s, req, e, status, us);
        if (e == &t->cur)
            t->cur.req = NULL;
        else
            free(chorus_map_remove(&t->access, (const char *)&req, sizeof(req)));
    }
    evhttp_send_reply(req, status, NULL, NULL);
}

static void free_entry(void *e)
{
    free(e);
}

void srv__access_thread_free(struct srv_thread *t)
{
    chorus_map_cleanup(&t->access, free_entry);
}
