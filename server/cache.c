/* The rendered-response cache: pages keyed by their normalised request and
 * valid while their scope's aggregate version is unchanged.
 *
 * Writes bump the version of every scope they touch (store/aggregates.c),
 * so a lookup that names the current version can never serve a stale page,
 * and nothing needs to be invalidated explicitly: old versions age out of
 * the LRU lists.
 *
 * Every serving thread uses it. A page, once rendered, is an immutable
 * blob with an atomic reference count, so a hit hands out a reference and
 * the reply sends the bytes straight from it; the only lock on a hit is
 * the one of the key's shard, held for a lookup and an LRU move. When a
 * write changes a page that many threads ask for at once, it is rendered
 * once (single flight): the first thread to miss renders, the others serve
 * the page of the previous version meanwhile, or, when there is none yet,
 * wait for the render.
 */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>

#define MAX_SHARDS  16
#define SHARD_BYTES (4u << 20) /* fewer shards for a small cache: each holds pages */
#define WAIT_SECS   10         /* a waiter renders itself after this long */

/* A rendered page and what its reply needs, immutable once made. */
struct srv_blob {
    _Atomic unsigned refs; /* the cache's, and every reply still sending it */
    struct srv_cached meta;
    size_t len;
    char data[];
};

struct entry {
    struct entry *prev, *next; /* LRU list of the shard, most recent first */
    struct srv_blob *blob;     /* the newest page rendered for the key; NULL before one */
    uint64_t rendering;        /* the version a thread is rendering now; 0: none */
    size_t bytes;              /* counted against the shard */
    size_t klen;
    char key[];
};

struct shard {
    pthread_mutex_t lock;
    pthread_cond_t rendered; /* a render was filled or abandoned */
    struct chorus_map map;   /* key -> entry; the LRU list owns the entries */
    struct entry *head, *tail;
    size_t bytes, max_bytes;
    uint64_t hits, misses, stale, waits;
};

struct srv_cache {
    size_t nshards; /* a power of two */
    size_t max_page;
    struct shard shards[MAX_SHARDS];
};

/* ---- blobs --------------------------------------------------------------------------- */

static void blob_unref(struct srv_blob *b)
{
    if (atomic_fetch_sub(&b->refs, 1) == 1)
        free(b);
}

void srv__cache_release(const struct srv_blob *b)
{
    if (b)
        blob_unref((struct srv_blob *)b);
}

const struct srv_cached *srv__cache_meta(const struct srv_blob *b)
{
    return &b->meta;
}

static void blob_sent(const void *data, size_t len, void *arg)
{
    (void)data;
    (void)len;
    blob_unref(arg);
}

void srv__cache_reply(struct srv_req *r, int status, const struct srv_blob *blob)
{
    struct srv_blob *b = (struct srv_blob *)blob;
    struct evkeyvalq *h = evhttp_request_get_output_headers(r->req);

    evhttp_add_header(h, "Content-Type", b->meta.type);
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    /* The reference the caller holds goes with the bytes; libevent lets go
     * of it once they are written (or the connection is gone). */
    if (srv__head_only(r->req, b->len) ||
        evbuffer_add_reference(evhttp_request_get_output_buffer(r->req), b->data, b->len, blob_sent,
                               b) != 0)
        blob_unref(b);
    srv__send(r->srv, r->req, status);
}

/* ---- shards ---------------------------------------------------------------------------- */

struct srv_cache *srv__cache_new(size_t max_bytes)
{
    struct srv_cache *c = calloc(1, sizeof(*c));
    size_t n = 1;

    if (!c)
        abort();
    while (n < MAX_SHARDS && max_bytes / (n * 2) >= SHARD_BYTES)
        n *= 2;
    c->nshards = n;
    /* One page takes at most an eighth of the cache and half of a shard,
     * so a shard always holds a few. */
    c->max_page = max_bytes / 8 < max_bytes / n / 2 ? max_bytes / 8 : max_bytes / n / 2;
    for (size_t i = 0; i < n; i++) {
        struct shard *s = &c->shards[i];

        pthread_mutex_init(&s->lock, NULL);
        pthread_cond_init(&s->rendered, NULL);
        chorus_map_init(&s->map, 0);
        s->max_bytes = max_bytes / n;
    }
    return c;
}

static struct shard *shard_of(struct srv_cache *c, const char *key, size_t klen)
{
    /* The map hashes the key again from its own seed: the shard takes the
     * high bits, so the two do not line up. */
    return &c->shards[(chorus_fnv64(CHORUS_FNV64_INIT, key, klen) >> 48) & (c->nshards - 1)];
}

static void unlink_lru(struct shard *s, struct entry *e)
{
    if (e->prev)
        e->prev->next = e->next;
    else
        s->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        s->tail = e->prev;
    e->prev = e->next = NULL;
}

static void push_front(struct shard *s, struct entry *e)
{
    e->next = s->head;
    e->prev = NULL;
    if (s->head)
        s->head->prev = e;
    s->head = e;
    if (!s->tail)
        s->tail = e;
}

static void touch(struct shard *s, struct entry *e)
{
    if (s->head != e) {
        unlink_lru(s, e);
        push_front(s, e);
    }
}

static void drop(struct shard *s, struct entry *e)
{
    chorus_map_remove(&s->map, e->key, e->klen);
    unlink_lru(s, e);
    s->bytes -= e->bytes;
    if (e->blob)
        blob_unref(e->blob);
    free(e);
}

/* evict drops least recently used pages until bytes more fit. An entry
 * being rendered stays (its render will fill it), and so does keep. */
static void evict(struct shard *s, size_t bytes, const struct entry *keep)
{
    struct entry *e = s->tail;

    while (e && s->bytes + bytes > s->max_bytes) {
        struct entry *prev = e->prev;

        if (e != keep && !e->rendering)
            drop(s, e);
        e = prev;
    }
}

static struct entry *entry_new(struct shard *s, const char *key, size_t klen)
{
    struct entry *e = calloc(1, sizeof(*e) + klen + 1);

    if (!e)
        abort();
    memcpy(e->key, key, klen + 1);
    e->klen = klen;
    e->bytes = sizeof(*e) + klen + 1;
    chorus_map_add(&s->map, key, klen, e);
    push_front(s, e);
    s->bytes += e->bytes;
    return e;
}

void srv__cache_free(struct srv_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nshards; i++) {
        struct shard *s = &c->shards[i];

        while (s->head)
            drop(s, s->head);
        chorus_map_cleanup(&s->map, NULL);
        pthread_cond_destroy(&s->rendered);
        pthread_mutex_destroy(&s->lock);
    }
    free(c);
}

/* ---- lookup and fill --------------------------------------------------------------- */

enum srv_cache_state srv__cache_lookup(struct srv_cache *c, const char *key, uint64_t version,
                                       const struct srv_blob **out)
{
    size_t klen = strlen(key);
    struct shard *s;
    struct timespec until;
    enum srv_cache_state st;
    bool waited = false;

    *out = NULL;
    if (!c)
        return SRV_CACHE_MISS;
    s = shard_of(c, key, klen);
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += WAIT_SECS;
    pthread_mutex_lock(&s->lock);
    for (;;) {
        struct entry *e = chorus_map_get(&s->map, key, klen);

        if (e && e->blob && e->blob->meta.version == version) {
            st = SRV_CACHE_HIT;
            s->hits++;
        } else if (e && e->rendering == version && e->blob && e->blob->meta.version < version) {
            /* Someone renders this version: the previous one meanwhile. */
            st = SRV_CACHE_STALE;
            s->stale++;
        } else if (e && e->rendering == version) {
            /* Nothing to show meanwhile: wait for that render. */
            if (!waited)
                s->waits++;
            waited = true;
            if (pthread_cond_timedwait(&s->rendered, &s->lock, &until) != ETIMEDOUT)
                continue;
            st = SRV_CACHE_MISS; /* too long: render too, own nothing */
            s->misses++;
            break;
        } else {
            if (!e)
                e = entry_new(s, key, klen);
            /* A newer version under way stays the one marked: this older
             * render fills only what is older still. */
            if (e->rendering < version) {
                e->rendering = version;
                st = SRV_CACHE_RENDER;
            } else {
                st = SRV_CACHE_MISS;
            }
            touch(s, e);
            s->misses++;
            break;
        }
        atomic_fetch_add(&e->blob->refs, 1);
        *out = e->blob;
        touch(s, e);
        break;
    }
    pthread_mutex_unlock(&s->lock);
    return st;
}

void srv__cache_fill(struct srv_cache *c, const char *key, const struct srv_cached *meta,
                     const struct buf *body)
{
    size_t klen = strlen(key);
    struct srv_blob *b;
    struct shard *s;
    struct entry *e;

    if (!c)
        return;
    s = shard_of(c, key, klen);
    b = NULL;
    if (body->len + sizeof(*b) + klen <= c->max_page) {
        /* Made outside the lock: the copy is the expensive part. */
        b = malloc(sizeof(*b) + body->len);
        if (!b)
            abort();
        atomic_init(&b->refs, 1);
        b->meta = *meta;
        b->len = body->len;
        memcpy(b->data, body->data ? body->data : "", body->len);
    }
    pthread_mutex_lock(&s->lock);
    e = chorus_map_get(&s->map, key, klen);
    if (e && e->rendering == meta->version)
        e->rendering = 0;
    if (b && (!e || !e->blob || e->blob->meta.version <= meta->version)) {
        size_t bytes = sizeof(*b) + b->len;

        size_t old = 0;

        if (!e)
            e = entry_new(s, key, klen);
        if (e->blob)
            old = sizeof(*e->blob) + e->blob->len;
        evict(s, bytes > old ? bytes - old : 0, e);
        if (e->blob) {
            s->bytes -= sizeof(*e->blob) + e->blob->len;
            e->bytes -= sizeof(*e->blob) + e->blob->len;
            blob_unref(e->blob);
        }
        e->blob = b;
        e->bytes += bytes;
        s->bytes += bytes;
        b = NULL;
    } else if (e && !e->blob && !e->rendering) {
        drop(s, e); /* a page too large to keep: nothing left to wait for */
    }
    pthread_cond_broadcast(&s->rendered);
    pthread_mutex_unlock(&s->lock);
    if (b)
        blob_unref(b);
}

void srv__cache_abandon(struct srv_cache *c, const char *key, uint64_t version)
{
    size_t klen = strlen(key);
    struct shard *s;
    struct entry *e;

    if (!c)
        return;
    s = shard_of(c, key, klen);
    pthread_mutex_lock(&s->lock);
    e = chorus_map_get(&s->map, key, klen);
    if (e && e->rendering == version) {
        e->rendering = 0;
        if (!e->blob)
            drop(s, e);
    }
    pthread_cond_broadcast(&s->rendered);
    pthread_mutex_unlock(&s->lock);
}

void srv__cache_metrics(struct srv_cache *c, struct buf *b)
{
    uint64_t hits = 0, misses = 0, stale = 0, waits = 0;
    size_t entries = 0, bytes = 0;

    if (!c)
        return;
    for (size_t i = 0; i < c->nshards; i++) {
        struct shard *s = &c->shards[i];

        pthread_mutex_lock(&s->lock);
        hits += s->hits;
        misses += s->misses;
        stale += s->stale;
        waits += s->waits;
        entries += s->map.n;
        bytes += s->bytes;
        pthread_mutex_unlock(&s->lock);
    }
    buf_printf(b,
               "# TYPE chorus_cache_hits_total counter\nchorus_cache_hits_total %llu\n"
               "# TYPE chorus_cache_misses_total counter\nchorus_cache_misses_total %llu\n"
               "# TYPE chorus_cache_stale_total counter\nchorus_cache_stale_total %llu\n"
               "# TYPE chorus_cache_render_waits_total counter\n"
               "chorus_cache_render_waits_total %llu\n"
               "# TYPE chorus_cache_entries gauge\nchorus_cache_entries %zu\n"
               "# TYPE chorus_cache_bytes gauge\nchorus_cache_bytes %zu\n",
               (unsigned long long)hits, (unsigned long long)misses, (unsigned long long)stale,
               (unsigned long long)waits, entries, bytes);
}
