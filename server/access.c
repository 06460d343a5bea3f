/* The access log (access_log = FILE|stderr|off): one JSON line per answered
 * request — time, client, method, path, status, bytes, microseconds, cache —
 * written with one write(2) on an O_APPEND descriptor, so lines from all
 * serving threads never interleave. Never a key, a token or a body: the
 * values of token, key and cursor in the query are replaced.
 *
 * What a line needs from the start of its request (time, client, path) is
 * kept per serving thread by request until its reply is sent, on the same
 * thread (writes reply on the thread their request came in on). SIGHUP
 * reopens the file over the same descriptor (dup2), for log rotation. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>

#define PATH_MAX_LOGGED 1024

struct access_entry {
    int64_t start_us;
    const char *method;
    int cache; /* -1 not a cacheable page, 0 miss, 1 hit */
    char client[SRV_CLIENT_MAX];
    char path[PATH_MAX_LOGGED];
};

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

void srv__access_begin(struct srv_req *r, const char *method)
{
    struct access_entry *e;
    const char *uri;

    if (r->srv->access_fd < 0)
        return;
    e = calloc(1, sizeof(*e));
    if (!e)
        abort();
    e->start_us = now_us();
    e->method = method;
    e->cache = -1;
    uri = evhttp_request_get_uri(r->req);
    redact(uri ? uri : "", e->path, sizeof(e->path));
    srv__client(r, e->client);
    chorus_map_add(&r->t->access, (const char *)&r->req, sizeof(r->req), e);
}

void srv__access_cache(struct srv_req *r, bool hit)
{
    struct access_entry *e;

    if (r->srv->access_fd < 0)
        return;
    e = chorus_map_get(&r->t->access, (const char *)&r->req, sizeof(r->req));
    if (e)
        e->cache = hit;
}

static void log_line(struct srv *s, struct evhttp_request *req, struct access_entry *e, int status)
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
               evbuffer_get_length(evhttp_request_get_output_buffer(req)),
               (long long)(now_us() - e->start_us),
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
    struct srv_thread *t = s && s->access_fd >= 0 ? srv__thread_self() : NULL;
    struct access_entry *e =
        t ? chorus_map_remove(&t->access, (const char *)&req, sizeof(req)) : NULL;

    if (e) {
        log_line(s, req, e, status);
        free(e);
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
