/* The rendered-response cache: feeds and digests keyed by request URI and
 * valid while their scope's aggregate version is unchanged.
 *
 * Writes bump the version of every scope they touch (store/aggregates.c),
 * so a lookup that names the current version can never serve a stale page,
 * and nothing needs to be invalidated explicitly: old versions age out of
 * the LRU list. Loop thread only.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

/* A cached body, shared by the cache and every reply still sending it:
 * evbuffer_add_reference hands libevent the bytes without a copy, and the
 * last of them to let go frees it. Loop thread only, so a plain count. */
struct srv_blob {
    unsigned refs;
    size_t len;
    char data[];
};

static void blob_unref(struct srv_blob *b)
{
    if (--b->refs == 0)
        free(b);
}

static void blob_sent(const void *data, size_t len, void *arg)
{
    (void)data;
    (void)len;
    blob_unref(arg);
}

struct srv_cache_entry {
    struct srv_cache_entry *hnext;       /* hash chain */
    struct srv_cache_entry *prev, *next; /* LRU list, most recent first */
    uint64_t hash;
    struct srv_cached c;
    size_t bytes;
    char key[]; /* NUL-terminated */
};

struct srv_cache {
    struct srv_cache_entry **slots;
    size_t nslots, count, bytes, max_bytes;
    struct srv_cache_entry *head, *tail;
    uint64_t hits, misses;
};

#define NSLOTS 4096

struct srv_cache *srv__cache_new(size_t max_bytes)
{
    struct srv_cache *c = calloc(1, sizeof(*c));

    if (!c)
        abort();
    c->slots = calloc(NSLOTS, sizeof(*c->slots));
    if (!c->slots)
        abort();
    c->nslots = NSLOTS;
    c->max_bytes = max_bytes;
    return c;
}

static void unlink_lru(struct srv_cache *c, struct srv_cache_entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        c->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    e->prev = e->next = NULL;
}

static void push_front(struct srv_cache *c, struct srv_cache_entry *e)
{
    e->next = c->head;
    e->prev = NULL;
    if (c->head)
        c->head->prev = e;
    c->head = e;
    if (!c->tail)
        c->tail = e;
}

static void drop(struct srv_cache *c, struct srv_cache_entry *e)
{
    struct srv_cache_entry **pp = &c->slots[e->hash % c->nslots];

    while (*pp != e)
        pp = &(*pp)->hnext;
    *pp = e->hnext;
    unlink_lru(c, e);
    c->bytes -= e->bytes;
    c->count--;
    blob_unref(e->c.blob);
    free(e);
}

void srv__cache_free(struct srv_cache *c)
{
    if (!c)
        return;
    while (c->head)
        drop(c, c->head);
    free(c->slots);
    free(c);
}

static struct srv_cache_entry *find(struct srv_cache *c, const char *key, uint64_t h)
{
    for (struct srv_cache_entry *e = c->slots[h % c->nslots]; e; e = e->hnext)
        if (e->hash == h && strcmp(e->key, key) == 0)
            return e;
    return NULL;
}

const struct srv_cached *srv__cache_get(struct srv_cache *c, const char *key, uint64_t version)
{
    uint64_t h = chorus_fnv64_str(key);
    struct srv_cache_entry *e = c ? find(c, key, h) : NULL;

    if (!e || e->c.version != version) {
        if (c)
            c->misses++;
        return NULL;
    }
    c->hits++;
    unlink_lru(c, e);
    push_front(c, e);
    return &e->c;
}

void srv__cache_put(struct srv_cache *c, const char *key, const struct srv_cached *val,
                    struct buf *body)
{
    size_t klen = strlen(key), bytes;
    uint64_t h = chorus_fnv64_str(key);
    struct srv_cache_entry *e;

    if (!c)
        return;
    bytes = sizeof(*e) + klen + 1 + body->len;
    /* One page may not take more than an eighth of the cache. */
    if (bytes > c->max_bytes / 8)
        return;
    e = find(c, key, h);
    if (e)
        drop(c, e);
    while (c->head && c->bytes + bytes > c->max_bytes)
        drop(c, c->tail);
    e = malloc(sizeof(*e) + klen + 1);
    if (!e)
        abort();
    memcpy(e->key, key, klen + 1);
    e->hash = h;
    e->c = *val;
    e->c.blob = malloc(sizeof(*e->c.blob) + body->len);
    if (!e->c.blob)
        abort();
    e->c.blob->refs = 1;
    e->c.blob->len = body->len;
    memcpy(e->c.blob->data, body->data ? body->data : "", body->len);
    e->bytes = bytes;
    e->hnext = c->slots[h % c->nslots];
    c->slots[h % c->nslots] = e;
    push_front(c, e);
    c->bytes += bytes;
    c->count++;
}

void srv__cache_reply(struct srv_req *r, int status, const struct srv_cached *c)
{
    struct evbuffer *out = evhttp_request_get_output_buffer(r->req);
    struct srv_blob *b = c->blob;

    evhttp_add_header(evhttp_request_get_output_headers(r->req), "Content-Type", c->type);
    evhttp_add_header(evhttp_request_get_output_headers(r->req), "X-Content-Type-Options",
                      "nosniff");
    if (!srv__head_only(r->req, b->len)) {
        b->refs++;
        if (evbuffer_add_reference(out, b->data, b->len, blob_sent, b) != 0)
            blob_unref(b);
    }
    evhttp_send_reply(r->req, status, NULL, NULL);
}

void srv__cache_metrics(const struct srv_cache *c, struct buf *b)
{
    if (!c)
        return;
    buf_printf(b,
               "# TYPE chorus_cache_hits_total counter\nchorus_cache_hits_total %llu\n"
               "# TYPE chorus_cache_misses_total counter\nchorus_cache_misses_total %llu\n"
               "# TYPE chorus_cache_entries gauge\nchorus_cache_entries %zu\n"
               "# TYPE chorus_cache_bytes gauge\nchorus_cache_bytes %zu\n",
               (unsigned long long)c->hits, (unsigned long long)c->misses, c->count, c->bytes);
}
