/* Replies: bodies, problem+json errors, ETags and CORS. Every reply of
 * chorusd goes through srv__reply_req, so headers every response needs are
 * set in one place. */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "chorus/base.h"
#include "chorus/parse.h"

static void free_body(const void *data, size_t len, void *arg)
{
    (void)len;
    (void)arg;
    free((void *)data);
}

void srv__add_cors(struct srv *s, struct evhttp_request *req)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);

    evhttp_add_header(h, "Access-Control-Allow-Origin", s->cfg.cors_origin);
    evhttp_add_header(h, "Access-Control-Expose-Headers", "ETag, Location");
}

bool srv__head_only(struct evhttp_request *req, size_t len)
{
    char n[32];

    if (evhttp_request_get_command(req) != EVHTTP_REQ_HEAD)
        return false;
    /* libevent 2.1 writes the output buffer even for HEAD and leaves out
     * Content-Length; a body there would be read as the next response on
     * a kept-alive connection. */
    snprintf(n, sizeof(n), "%zu", len);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Length", n);
    return true;
}

/* common_headers sets what every reply carries. */
static void common_headers(struct evhttp_request *req, const char *type)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);

    if (type)
        evhttp_add_header(h, "Content-Type", type);
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
}

void srv__reply_file(struct srv_req *r, int status, const char *type, int fd, uint64_t len)
{
    struct evbuffer *out = evhttp_request_get_output_buffer(r->req);
    struct evbuffer_file_segment *seg = NULL;

    common_headers(r->req, type);
    if (srv__head_only(r->req, (size_t)len)) {
        close(fd);
    } else {
        /* The segment owns fd from here (closed when the last byte has
         * gone, or when adding fails). */
        seg = evbuffer_file_segment_new(fd, 0, (ev_off_t)len, EVBUF_FS_CLOSE_ON_FREE);
        if (!seg)
            close(fd);
        if (!seg || evbuffer_add_file_segment(out, seg, 0, (ev_off_t)len) != 0)
            status = 500;
        if (seg)
            evbuffer_file_segment_free(seg);
    }
    srv__send(r->srv, r->req, status);
}

void srv__reply_req(struct srv *s, struct evhttp_request *req, int status, const char *type,
                    struct buf *b)
{
    struct evbuffer *out = evhttp_request_get_output_buffer(req);
    size_t len = 0;
    char *data;

    common_headers(req, type);
    if (srv__head_only(req, b ? b->len : 0)) {
        if (b)
            buf_reset(b);
    } else if (b && b->len) {
        /* Hand the rendered bytes to libevent without a copy. */
        data = buf_steal(b, &len);
        if (evbuffer_add_reference(out, data, len, free_body, NULL) != 0)
            free(data);
    }
    srv__send(s, req, status);
}

void srv__reply(struct srv_req *r, int status, const char *type, struct buf *b)
{
    srv__reply_req(r->srv, r->req, status, type, b);
}

static const char *title_of(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 413:
        return "Content Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Content";
    case 429:
        return "Too Many Requests";
    case 503:
        return "Service Unavailable";
    default:
        return status >= 500 ? "Internal Server Error" : "Error";
    }
}

static void vproblem(struct srv *s, struct evhttp_request *req, int status, const char *fmt,
                     va_list ap)
{
    char detail[1024];
    struct buf b;

    vsnprintf(detail, sizeof(detail), fmt, ap);
    /* Details quote raw request bytes (paths, parameter names, headers), and
     * %.Ns cuts can split a character: keep the document valid JSON. */
    chorus_utf8_scrub(detail, strlen(detail));
    buf_init(&b, 0);
    buf_printf(&b, "{\"type\":\"about:blank\",\"title\":\"%s\",\"status\":%d,\"detail\":",
               title_of(status), status);
    chorus_json_str(&b, detail, strlen(detail));
    buf_putc(&b, '}');
    if (status == 401)
        evhttp_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate",
                          "Bearer realm=\"chorus\"");
    srv__add_cors(s, req);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-store");
    srv__reply_req(s, req, status, "application/problem+json", &b);
    buf_cleanup(&b);
}

void srv__problem(struct srv_req *r, int status, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    if (r->on_problem) {
        char detail[1024];

        vsnprintf(detail, sizeof(detail), fmt, ap);
        chorus_utf8_scrub(detail, strlen(detail));
        r->on_problem(r, status, detail);
    } else {
        vproblem(r->srv, r->req, status, fmt, ap);
    }
    va_end(ap);
}

void srv__problem_req(struct srv *s, struct evhttp_request *req, int status, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vproblem(s, req, status, fmt, ap);
    va_end(ap);
}

int srv__status_of(int err)
{
    switch (err) {
    case 0:
        return 200;
    case CHORUS_EINVAL:
    case CHORUS_EPARSE:
        return 400;
    case CHORUS_ENOTFOUND:
        return 404;
    case CHORUS_EEXIST:
        return 409;
    case CHORUS_ELIMIT:
        return 422;
    case CHORUS_ETOOBIG:
        return 413;
    case CHORUS_EBUSY:
    case CHORUS_ENOSPC:
        return 503;
    default:
        return 500;
    }
}

bool srv__etag_match_cc(struct srv_req *r, const char *etag, const char *cache_control)
{
    struct evkeyvalq *out = evhttp_request_get_output_headers(r->req);
    const char *inm = evhttp_find_header(evhttp_request_get_input_headers(r->req), "If-None-Match");

    evhttp_add_header(out, "ETag", etag);
    evhttp_add_header(out, "Cache-Control", cache_control);
    /* If-None-Match uses the weak comparison (RFC 9110 13.1.2): W/"x"
     * and "x" match, so look for the quoted part alone. */
    if (inm &&
        (strstr(inm, strncmp(etag, "W/", 2) == 0 ? etag + 2 : etag) || strcmp(inm, "*") == 0)) {
        srv__add_cors(r->srv, r->req);
        srv__reply(r, 304, NULL, NULL);
        return true;
    }
    return false;
}

void srv__problem_parse(struct srv_req *r, const struct parse_error *perr)
{
    if (perr->line)
        srv__problem(r, 400, "%s (line %zu, column %zu)", perr->message, perr->line, perr->column);
    else
        srv__problem(r, 400, "%s", perr->message[0] ? perr->message : "The body is not valid.");
}
