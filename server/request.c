/* Request helpers: query strings, keys, bodies, ids, read transactions. */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>

#include <event2/buffer.h>

#include "chorus/base.h"

bool srv__query_check(struct srv_req *r, const char *const *allowed)
{
    const char *q = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(r->req));
    struct evkeyval *kv, *kv2;

    TAILQ_INIT(&r->query);
    r->query_parsed = true;
    if (q && evhttp_parse_query_str(q, &r->query) != 0) {
        srv__problem(r, 400, "The query string is malformed.");
        return false;
    }
    TAILQ_FOREACH(kv, &r->query, next)
    {
        size_t i;

        for (i = 0; allowed[i]; i++)
            if (strcmp(kv->key, allowed[i]) == 0)
                break;
        if (!allowed[i]) {
            struct buf names;

            buf_init(&names, 1024);
            for (i = 0; allowed[i]; i++)
                buf_printf(&names, "%s%s", i ? ", " : "", allowed[i]);
            srv__problem(r, 400, "Unknown query parameter '%.64s'. This endpoint accepts: %s.",
                         kv->key, names.len ? names.data : "no parameters");
            buf_cleanup(&names);
            return false;
        }
        for (kv2 = TAILQ_NEXT(kv, next); kv2; kv2 = TAILQ_NEXT(kv2, next)) {
            if (strcmp(kv->key, kv2->key) == 0) {
                srv__problem(r, 400, "Query parameter '%s' is given more than once.", kv->key);
                return false;
            }
        }
    }
    return true;
}

const char *srv__query_get(struct srv_req *r, const char *name)
{
    if (!r->query_parsed)
        return NULL;
    return evhttp_find_header(&r->query, name);
}

bool srv__query_limit(struct srv_req *r, size_t def, size_t max, size_t *out)
{
    const char *v = srv__query_get(r, "limit");
    char *end;
    unsigned long n;

    *out = def;
    if (!v)
        return true;
    n = strtoul(v, &end, 10);
    if (*v < '0' || *v > '9' || *end || n < 1 || n > max) {
        srv__problem(r, 400, "limit must be a whole number from 1 to %zu.", max);
        return false;
    }
    *out = n;
    return true;
}

bool srv__require_key(struct srv_req *r)
{
    if (r->authed)
        return true;
    struct srv_keys *k = srv__keys_acquire(r->srv);
    size_t n = srv__keys_count(k);

    srv__keys_release(k);
    if (n == 0) {
        srv__problem(r, 401,
                     "This server has no API keys configured; set CHORUS_API_KEYS or "
                     "api_keys_file to allow writes.");
        return false;
    }
    srv__problem(r, 401, "This request needs an API key: send 'Authorization: Bearer <key>'.");
    return false;
}

bool srv__auth_check(struct srv_req *r)
{
    const char *h = evhttp_find_header(evhttp_request_get_input_headers(r->req), "Authorization");

    r->authed = false;
    r->key = -1;
    r->scopes = 0;
    if (!h)
        return true;
    if (strncasecmp(h, "Bearer ", 7) == 0) {
        r->keys = srv__keys_acquire(r->srv);
        r->key = srv__keys_match(r->keys, h + 7, strlen(h + 7), &r->scopes);
    }
    if (r->key < 0) {
        srv__problem(r, 401, "The API key in the Authorization header is not valid.");
        return false;
    }
    r->authed = true;
    return true;
}

bool srv__has_scope(const struct srv_req *r, unsigned scope)
{
    return r->authed && (r->scopes & scope) == scope;
}

bool srv__body(struct srv_req *r, const char *const *want, size_t *fmt_index, char **data,
               size_t *len)
{
    const char *ct = evhttp_find_header(evhttp_request_get_input_headers(r->req), "Content-Type");
    struct evbuffer *in = evhttp_request_get_input_buffer(r->req);
    size_t n = evbuffer_get_length(in), i, tlen;
    char *p;

    *data = NULL;
    for (i = 0; ct && want[i]; i++) {
        tlen = strlen(want[i]);
        if (strncasecmp(ct, want[i], tlen) == 0 &&
            (ct[tlen] == '\0' || ct[tlen] == ';' || ct[tlen] == ' '))
            break;
    }
    if (!ct || !want[i]) {
        struct buf names;

        buf_init(&names, 1024);
        for (i = 0; want[i]; i++)
            buf_printf(&names, "%s%s", i ? ", " : "", want[i]);
        srv__problem(r, 415, "Content-Type %s%.100s%s is not accepted here; send one of: %s.",
                     ct ? "'" : "", ct ? ct : "(none)", ct ? "'" : "", names.data);
        buf_cleanup(&names);
        return false;
    }
    if (n == 0) {
        srv__problem(r, 400, "The request body is empty.");
        return false;
    }
    /* libevent already refused anything over max_body_bytes with a 413. */
    p = malloc(n + 1);
    if (!p)
        abort();
    evbuffer_remove(in, p, n);
    p[n] = '\0';
    *fmt_index = i;
    *data = p;
    *len = n;
    return true;
}

struct store_txn *srv__read_begin(struct srv_req *r)
{
    int rc = store_read_begin(r->srv->store, &r->t->rtxn);

    if (rc) {
        srv__problem(r, 503, "The review store cannot be read right now (%s).",
                     chorus_strerror(rc));
        return NULL;
    }
    return r->t->rtxn;
}

void srv__read_end(struct srv_req *r)
{
    store_read_end(r->t->rtxn);
}

bool srv__parse_id(struct srv_req *r, uint64_t *id)
{
    char *end;
    const char *p = r->param;
    unsigned long long v;

    if (*p < '1' || *p > '9') {
        srv__problem(r, 404, "There is no review '%.40s': review ids are positive integers.", p);
        return false;
    }
    errno = 0;
    v = strtoull(p, &end, 10);
    if (*end || errno == ERANGE) {
        srv__problem(r, 404, "There is no review '%.40s': review ids are positive integers.", p);
        return false;
    }
    *id = v;
    return true;
}

bool srv__query_sort(struct srv_req *r, enum store_sort *out)
{
    static const char *const names[] = {"newest", "oldest", "highest", "lowest", "helpful"};
    const char *v = srv__query_get(r, "sort");

    *out = STORE_SORT_NEWEST;
    if (!v)
        return true;
    for (int i = 0; i < 5; i++) {
        if (strcmp(v, names[i]) == 0) {
            *out = (enum store_sort)i;
            return true;
        }
    }
    srv__problem(r, 400, "sort must be newest, oldest, highest, lowest or helpful.");
    return false;
}

bool srv__query_ratings(struct srv_req *r, unsigned *out)
{
    const char *v = srv__query_get(r, "rating"), *p;

    *out = 0;
    if (!v)
        return true;
    for (p = v; *p;) {
        size_t n = strcspn(p, ",");

        if (n == 1 && p[0] >= '1' && p[0] <= '5')
            *out |= 1u << (p[0] - '0');
        else if (n == 7 && strncmp(p, "mention", 7) == 0)
            *out |= STORE_RATING_MENTION;
        else
            goto bad;
        p += n;
        if (*p == ',' && *++p == '\0')
            goto bad;
    }
    if (*out)
        return true;
bad:
    srv__problem(r, 400,
                 "rating must be a comma-separated list of 1 to 5 and 'mention', e.g. "
                 "rating=1,2.");
    return false;
}
