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
    struct srv_cache_entry *prev, *next; /* LRU list, most recent first */
    struct srv_cached c;
    size_t bytes;
    size_t klen;
    char key[]; /* NUL-terminated: what the LRU end is dropped by */
};

struct srv_cache {
    struct chorus_map map; /* key -> entry; the LRU list owns the entries */
    size_t bytes, max_bytes;
    struct srv_cache_entry *head, *tail;
    uint64_t hits, misses;
};

struct srv_cache *srv__cache_new(size_t max_bytes)
{
    struct srv_cache *c = calloc(1, sizeof(*c));

    if (!c)
        abort();
    chorus_map_init(&c->map, 0);
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
    chorus_map_remove(&c->map, e->key, e->klen);
    unlink_lru(c, e);
    c->bytes -= e->bytes;
    blob_unref(e->c.blob);
    free(e);
}

void srv__cache_free(struct srv_cache *c)
{
    if (!c)
        return;
    while (c->head)
        drop(c, c->head);
    chorus_map_cleanup(&c->map, NULL);
    free(c);
}

const struct srv_cached *srv__cache_get(struct srv_cache *c, const char *key, uint64_t version)
{
    struct srv_cache_entry *e = c ? chorus_map_get(&c->map, key, strlen(key)) : NULL;

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
    struct srv_cache_entry *e;

    if (!c)
        return;
    bytes = sizeof(*e) + klen + 1 + body->len;
    /* One page may not take more than an eighth of the cache. */
    if (bytes > c->max_bytes / 8)
        return;
    e = chorus_map_get(&c->map, key, klen);
    if (e)
        drop(c, e);
    while (c->head && c->bytes + bytes > c->max_bytes)
        drop(c, c->tail);
    e = malloc(sizeof(*e) + klen + 1);
    if (!e)
        abort();
    memcpy(e->key, key, klen + 1);
    e->klen = klen;
    e->c = *val;
    e->c.blob = malloc(sizeof(*e->c.blob) + body->len);
    if (!e->c.blob)
        abort();
    e->c.blob->refs = 1;
    e->c.blob->len = body->len;
    memcpy(e->c.blob->data, body->data ? body->data : "", body->len);
    e->bytes = bytes;
    chorus_map_add(&c->map, key, klen, e);
    push_front(c, e);
    c->bytes += bytes;
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
               (unsigned long long)c->hits, (unsigned long long)c->misses, c->map.n, c->bytes);
}
