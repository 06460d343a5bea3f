/* Integration test harness, HTTP: a libcurl client for chorusd, JSON paths,
 * and the expectations tests are written in (they report the caller's file
 * and line through cmocka). */
#include "harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

/* ---- HTTP ----------------------------------------------------------------------- */

void h__http_reset(struct chorusd *d)
{
    if (d->curl) {
        curl_easy_cleanup(d->curl);
        d->curl = NULL;
    }
}

struct sink {
    char *data;
    size_t len, alloc;
};

static void sink_add(struct sink *s, const char *p, size_t n)
{
    if (s->len + n + 1 > s->alloc) {
        size_t a = s->alloc ? s->alloc : 4096;

        while (a < s->len + n + 1)
            a *= 2;
        s->data = realloc(s->data, a);
        if (!s->data)
            abort();
        s->alloc = a;
    }
    memcpy(s->data + s->len, p, n);
    s->len += n;
    s->data[s->len] = '\0';
}

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    sink_add(arg, p, size * n);
    return size * n;
}

static void clear_headers(struct hresp *r)
{
    for (size_t i = 0; i < r->n_headers; i++) {
        free(r->names[i]);
        free(r->values[i]);
    }
    r->n_headers = 0;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    struct hresp *r = arg;
    size_t len = size * n, k, v;

    /* A new status line starts a new response (after 100 Continue). */
    if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
        clear_headers(r);
        return len;
    }
    for (k = 0; k < len && p[k] != ':'; k++)
        ;
    if (k == len || r->n_headers == H_MAX_HEADERS)
        return len;
    for (v = k + 1; v < len && (p[v] == ' ' || p[v] == '\t'); v++)
        ;
    while (len > v && (p[len - 1] == '\r' || p[len - 1] == '\n' || p[len - 1] == ' '))
        len--;
    r->names[r->n_headers] = strndup(p, k);
    r->values[r->n_headers] = strndup(p + v, len - v);
    if (!r->names[r->n_headers] || !r->values[r->n_headers])
        abort();
    r->n_headers++;
    return size * n;
}

/* Sockets must not leak into the chorusd processes we spawn. */
static int on_sockopt(void *arg, curl_socket_t fd, curlsocktype purpose)
{
    (void)arg;
    (void)purpose;
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    return CURL_SOCKOPT_OK;
}

struct hresp *h_do(struct chorusd *d, const struct hreq *q)
{
    struct hresp *r = calloc(1, sizeof(*r));
    struct curl_slist *hl = NULL;
    struct sink body = {0};
    char url[1024], auth[128], ctype[256], err[CURL_ERROR_SIZE] = "";
    CURLcode cc;
    CURL *c;

    if (!r)
        abort();
    if (!d->curl) {
        static bool global;

        if (!global) {
            /* Once per test program, undone at exit so LeakSanitizer stays quiet. */
            curl_global_init(CURL_GLOBAL_DEFAULT);
            atexit(curl_global_cleanup);
            global = true;
        }
        d->curl = curl_easy_init();
        if (!d->curl)
            abort();
    }
    c = d->curl;
    curl_easy_reset(c);
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", d->port, q->path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L); /* a hang fails, it does not block ctest */
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_SOCKOPTFUNCTION, on_sockopt);
    if (q->no_answer_ok) {
        curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
    }
    /* No 100-continue round trip: the request goes out at once. */
    hl = curl_slist_append(hl, "Expect:");
    if (q->key) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", H_KEY);
        hl = curl_slist_append(hl, auth);
    }
    if (q->ctype) {
        snprintf(ctype, sizeof(ctype), "Content-Type: %s", q->ctype);
        hl = curl_slist_append(hl, ctype);
    } else {
        hl = curl_slist_append(hl, "Content-Type:"); /* drop curl's form default */
    }
    for (size_t i = 0; q->headers && q->headers[i]; i++)
        hl = curl_slist_append(hl, q->headers[i]);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    if (strcmp(q->method, "HEAD") == 0) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (strcmp(q->method, "GET") != 0 || q->body) {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, q->method);
    }
    if (q->body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->len);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, q->body);
    }
    cc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(hl);
    sink_add(&body, "", 0);
    r->body = body.data;
    r->len = body.len;
    r->curl_code = (int)cc;
    if (r->status == 0 && !q->no_answer_ok) {
        print_error("%s %s: no response (%s: %s)\n", q->method, q->path, curl_easy_strerror(cc),
                    err);
        hresp_free(r);
        _fail(__FILE__, __LINE__);
    }
    r->json = r->len ? json_loadb(r->body, r->len, 0, NULL) : NULL;
    r->owner = d;
    r->next_live = d->live;
    d->live = r;
    return r;
}

void hresp_free(struct hresp *r)
{
    if (!r)
        return;
    if (r->owner) {
        struct hresp **pp = &r->owner->live;

        while (*pp && *pp != r)
            pp = &(*pp)->next_live;
        if (*pp)
            *pp = r->next_live;
    }
    clear_headers(r);
    json_decref(r->json);
    free(r->body);
    free(r);
}

const char *hresp_header(const struct hresp *r, const char *name)
{
    for (size_t i = 0; i < r->n_headers; i++)
        if (strcasecmp(r->names[i], name) == 0)
            return r->values[i];
    return NULL;
}

struct hresp *h_get(struct chorusd *d, const char *path)
{
    struct hreq q = {.method = "GET", .path = path};

    return h_do(d, &q);
}

struct hresp *h_get_key(struct chorusd *d, const char *path)
{
    struct hreq q = {.method = "GET", .path = path, .key = true};

    return h_do(d, &q);
}

/* send_json sends body as application/json with the key. */
static struct hresp *send_json(struct chorusd *d, const char *method, const char *path,
                               const char *body)
{
    struct hreq q = {.method = method,
                     .path = path,
                     .key = true,
                     .ctype = "application/json",
                     .body = body,
                     .len = strlen(body)};

    return h_do(d, &q);
}

struct hresp *h_post_json(struct chorusd *d, const char *path, const char *body)
{
    return send_json(d, "POST", path, body);
}

struct hresp *h_put_json(struct chorusd *d, const char *path, const char *body)
{
    return send_json(d, "PUT", path, body);
}

struct hresp *h_delete(struct chorusd *d, const char *path)
{
    struct hreq q = {.method = "DELETE", .path = path, .key = true};

    return h_do(d, &q);
}

const char *h_fmt(const char *fmt, ...)
{
    static char ring[16][4096];
    static unsigned next;
    char *out = ring[next++ % 16];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(out, sizeof(ring[0]), fmt, ap);
    va_end(ap);
    return out;
}

void h_pct_encode(const char *s, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;

    for (; *s && n + 4 < cap; s++) {
        unsigned char c = (unsigned char)*s;

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            strchr("-._~", c)) {
            out[n++] = (char)c;
        } else {
            out[n++] = '%';
            out[n++] = hex[c >> 4];
            out[n++] = hex[c & 15];
        }
    }
    out[n] = '\0';
}

/* ---- JSON ----------------------------------------------------------------------- */

json_t *jpath(json_t *root, const char *path)
{
    json_t *v = root;
    const char *p = path;
    char name[128];

    while (v && *p) {
        if (*p == '.') {
            p++;
            continue;
        }
        if (*p == '[') {
            char *end;
            unsigned long i = strtoul(p + 1, &end, 10);

            if (*end != ']')
                return NULL;
            v = json_array_get(v, i);
            p = end + 1;
            continue;
        }
        {
            size_t n = strcspn(p, ".[");

            if (n >= sizeof(name))
                return NULL;
            memcpy(name, p, n);
            name[n] = '\0';
            v = json_object_get(v, name);
            p += n;
        }
    }
    return v;
}

/* ---- expectations ------------------------------------------------------------------ */

static void show_body(const struct hresp *r)
{
    print_error("  response body (%zu bytes): %.2000s\n", r->len, r->body ? r->body : "");
}

void h__expect_status(const struct hresp *r, long code, const char *file, int line)
{
    if (r->status == code)
        return;
    print_error("expected HTTP %ld, got %ld\n", code, r->status);
    show_body(r);
    _fail(file, line);
}

void h__expect_problem(const struct hresp *r, long code, const char *file, int line)
{
    const char *ct = hresp_header(r, "Content-Type");
    json_t *detail = jpath(r->json, "detail");

    h__expect_status(r, code, file, line);
    if (!ct || strncmp(ct, "application/problem+json", 24) != 0) {
        print_error("expected Content-Type application/problem+json, got %s\n", ct ? ct : "(none)");
        show_body(r);
        _fail(file, line);
    }
    if (!json_is_object(r->json) || !json_is_string(jpath(r->json, "type")) ||
        !json_is_string(jpath(r->json, "title")) ||
        json_integer_value(jpath(r->json, "status")) != code || !json_is_string(detail) ||
        json_string_length(detail) == 0) {
        print_error("expected a problem document with type, title, status %ld and detail\n", code);
        show_body(r);
        _fail(file, line);
    }
}

void h__expect_widget_fallback(const struct hresp *r, long code, const char *product,
                               const char *file, int line)
{
    const char *ct = hresp_header(r, "Content-Type"), *cc = hresp_header(r, "Cache-Control");
    char link[400];

    h__expect_status(r, code, file, line);
    snprintf(link, sizeof(link), "<p class=\"cw-fallback\"><a href=\"http://127.0.0.1:%d/p/%s\"",
             r->owner ? r->owner->port : 0, product);
    if (!ct || strncmp(ct, "text/html", 9) != 0 || !cc || strcmp(cc, "no-store") != 0 || !r->body ||
        !strstr(r->body, link) || !strstr(r->body, "<main")) {
        print_error("expected the widget's quiet fallback page (text/html, no-store, %s)\n", link);
        show_body(r);
        _fail(file, line);
    }
}

void h__expect_header(const struct hresp *r, const char *name, const char *sub, const char *file,
                      int line)
{
    const char *v = hresp_header(r, name);

    if (v && strstr(v, sub))
        return;
    print_error("expected header %s containing '%s', got %s%s%s\n", name, sub, v ? "'" : "",
                v ? v : "none", v ? "'" : "");
    _fail(file, line);
}

static json_t *need(json_t *j, const char *path, const char *file, int line)
{
    json_t *v = jpath(j, path);

    if (!v) {
        char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;

        print_error("no JSON value at '%s' in %.2000s\n", path, s ? s : "(not JSON)");
        free(s);
        _fail(file, line);
    }
    return v;
}

static void mismatch(json_t *v, const char *path, const char *want, const char *file, int line)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

    print_error("at '%s': expected %s, got %s\n", path, want, s ? s : "?");
    free(s);
    _fail(file, line);
}

void h__expect_jint(json_t *j, const char *path, long long v, const char *file, int line)
{
    json_t *x = need(j, path, file, line);
    char want[64];

    if (json_is_integer(x) && json_integer_value(x) == v)
        return;
    snprintf(want, sizeof(want), "%lld", v);
    mismatch(x, path, want, file, line);
}

void h__expect_jnum(json_t *j, const char *path, double v, const char *file, int line)
{
    json_t *x = need(j, path, file, line);
    char want[64];

    if (json_is_number(x) && fabs(json_number_value(x) - v) < 1e-9)
        return;
    snprintf(want, sizeof(want), "%g", v);
    mismatch(x, path, want, file, line);
}

void h__expect_jstr(json_t *j, const char *path, const char *s, const char *file, int line)
{
    json_t *x = need(j, path, file, line);
    char want[512];

    if (json_is_string(x) && strcmp(json_string_value(x), s) == 0)
        return;
    snprintf(want, sizeof(want), "\"%s\"", s);
    mismatch(x, path, want, file, line);
}

void h__expect_jnull(json_t *j, const char *path, const char *file, int line)
{
    json_t *x = need(j, path, file, line);

    if (!json_is_null(x))
        mismatch(x, path, "null", file, line);
}

void h__expect_jbool(json_t *j, const char *path, bool v, const char *file, int line)
{
    json_t *x = need(j, path, file, line);

    if (!json_is_boolean(x) || json_is_true(x) != v)
        mismatch(x, path, v ? "true" : "false", file, line);
}

void h__expect_jcontains(json_t *j, const char *path, const char *sub, const char *file, int line)
{
    json_t *x = need(j, path, file, line);
    char want[512];

    if (json_is_string(x) && strstr(json_string_value(x), sub))
        return;
    snprintf(want, sizeof(want), "a string containing \"%s\"", sub);
    mismatch(x, path, want, file, line);
}

void h__expect_contains(const char *s, const char *sub, const char *file, int line)
{
    if (s && strstr(s, sub))
        return;
    print_error("expected '%.2000s' to contain '%s'\n", s ? s : "(null)", sub);
    _fail(file, line);
}

void h__expect_ids(const char *what, const uint64_t *got, size_t k, size_t cap,
                   const uint64_t *want, size_t n, const char *file, int line)
{
    bool same = k == n;

    for (size_t i = 0; same && i < n; i++)
        same = got[i] == want[i];
    if (same)
        return;
    print_error("%s (%zu):", what, k);
    for (size_t i = 0; i < k && i < cap; i++)
        print_error(" %llu", (unsigned long long)got[i]);
    print_error("\nexpected (%zu):", n);
    for (size_t i = 0; i < n; i++)
        print_error(" %llu", (unsigned long long)want[i]);
    print_error("\n");
    _fail(file, line);
}

/* ---- reviews ---------------------------------------------------------------------- */

uint64_t h__post_review(struct chorusd *d, const char *json, const char *file, int line)
{
    struct hresp *r = h_post_json(d, "/api/v1/reviews", json);
    json_t *id;
    uint64_t v;

    h__expect_status(r, 201, file, line);
    h__expect_jint(r->json, "accepted", 1, file, line);
    h__expect_jstr(r->json, "results[0].status", "created", file, line);
    id = jpath(r->json, "results[0].id");
    if (!json_is_integer(id) || json_integer_value(id) <= 0) {
        print_error("expected a positive integer id\n");
        show_body(r);
        hresp_free(r);
        _fail(file, line);
    }
    v = (uint64_t)json_integer_value(id);
    hresp_free(r);
    return v;
}

size_t h__list_ids(struct chorusd *d, bool key, const char *path, uint64_t *ids, size_t cap,
                   char **next, const char *file, int line)
{
    struct hresp *r = key ? h_get_key(d, path) : h_get(d, path);
    json_t *list, *nc;
    size_t n = 0;

    if (next)
        *next = NULL;
    h__expect_status(r, 200, file, line);
    list = jpath(r->json, "reviews");
    nc = jpath(r->json, "next_cursor");
    if (!json_is_array(list) || !nc || (!json_is_null(nc) && !json_is_string(nc))) {
        print_error("GET %s: expected {\"reviews\": [...], \"next_cursor\": string|null}\n", path);
        show_body(r);
        hresp_free(r);
        _fail(file, line);
    }
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *id = json_object_get(json_array_get(list, i), "id");

        if (n < cap)
            ids[n++] = (uint64_t)json_integer_value(id);
    }
    if (next && json_is_string(nc)) {
        *next = strdup(json_string_value(nc));
        if (!*next)
            abort();
    }
    hresp_free(r);
    return n;
}

long long h_metric(struct chorusd *d, const char *name)
{
    struct hresp *r = h_get_key(d, "/metrics");
    size_t n = strlen(name);
    long long v = -1;

    expect_status(r, 200);
    for (const char *p = r->body; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, name, n) == 0 && p[n] == ' ') {
            v = strtoll(p + n + 1, NULL, 10);
            break;
        }
    }
    hresp_free(r);
    return v;
}

void h_google_settle(struct chorusd *d)
{
    struct timespec pause = {0, 10 * 1000 * 1000};
    struct timespec start, now;

    clock_gettime(CLOCK_MONOTONIC, &start);
    while (h_metric(d, "chorus_google_feed_pending") != 0) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec > 30)
            fail_msg("the Google feed was still not rendered after 30 seconds");
        nanosleep(&pause, NULL);
    }
}

int h_connect(struct chorusd *d, long timeout_ms)
{
    struct sockaddr_in sa;
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    assert_true(fd >= 0);
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)d->port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    return fd;
}

long h_status_kib(struct chorusd *d, const char *field)
{
    char path[64], line[256];
    size_t n = strlen(field);
    long v = -1;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)d->pid);
    f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, field, n) == 0 && line[n] == ':')
            v = strtol(line + n + 1, NULL, 10);
    fclose(f);
    return v;
}
