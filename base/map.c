/* A hash table of byte-string keys to pointers: open addressing with linear
 * probing, deletion by backward shift (no tombstones, so a table that churns,
 * like a rate limiter's, never degrades), and the one hash every table of
 * Chorus uses, FNV-1a, started from a seed the owner picks.
 *
 * Keys are copied, so a caller can look up with a stack buffer and insert
 * with the same bytes. Values are the caller's.
 */
#include "chorus/base.h"

#include <stdlib.h>
#include <string.h>

struct chorus_map_slot {
    char *key; /* NULL = empty; NUL-terminated copy */
    size_t klen;
    uint64_t hash;
    void *val;
};

#define MIN_SLOTS 16

void chorus_map_init(struct chorus_map *m, uint64_t seed)
{
    memset(m, 0, sizeof(*m));
    m->seed = seed ? seed : CHORUS_FNV64_INIT;
}

void chorus_map_clear(struct chorus_map *m, void (*free_val)(void *val))
{
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].key)
            continue;
        if (free_val)
            free_val(m->slots[i].val);
        free(m->slots[i].key);
        m->slots[i].key = NULL;
    }
    m->n = 0;
}

void chorus_map_cleanup(struct chorus_map *m, void (*free_val)(void *val))
{
    chorus_map_clear(m, free_val);
    free(m->slots);
    m->slots = NULL;
    m->cap = 0;
}

static uint64_t hash_of(const struct chorus_map *m, const void *key, size_t klen)
{
    return chorus_fnv64(m->seed, key, klen);
}

/* find returns the slot holding key, or the empty slot where it would go.
 * The table is never full (load at most 1/2), so the probe ends. */
static size_t find(const struct chorus_map *m, const void *key, size_t klen, uint64_t h)
{
    size_t mask = m->cap - 1, i = (size_t)h & mask;

    while (m->slots[i].key) {
        const struct chorus_map_slot *s = &m->slots[i];

        if (s->hash == h && s->klen == klen && memcmp(s->key, key, klen) == 0)
            break;
        i = (i + 1) & mask;
    }
    return i;
}

static void grow(struct chorus_map *m)
{
    struct chorus_map_slot *old = m->slots;
    size_t old_cap = m->cap;

    m->cap = old_cap ? old_cap * 2 : MIN_SLOTS;
    m->slots = calloc(m->cap, sizeof(*m->slots));
    if (!m->slots)
        abort();
    for (size_t i = 0; i < old_cap; i++) {
        size_t at;

        if (!old[i].key)
            continue;
        at = (size_t)old[i].hash & (m->cap - 1);
        while (m->slots[at].key)
            at = (at + 1) & (m->cap - 1);
        m->slots[at] = old[i];
    }
    free(old);
}

void *chorus_map_get(const struct chorus_map *m, const void *key, size_t klen)
{
    size_t i;

    if (m->n == 0)
        return NULL;
    i = find(m, key, klen, hash_of(m, key, klen));
    return m->slots[i].key ? m->slots[i].val : NULL;
}

bool chorus_map_has(const struct chorus_map *m, const void *key, size_t klen)
{
    return m->n && m->slots[find(m, key, klen, hash_of(m, key, klen))].key != NULL;
}

void **chorus_map_slot(struct chorus_map *m, const void *key, size_t klen, bool *created)
{
    uint64_t h = hash_of(m, key, klen);
    struct chorus_map_slot *s;
    size_t i;

    if (2 * (m->n + 1) > m->cap)
        grow(m);
    i = find(m, key, klen, h);
    s = &m->slots[i];
    if (created)
        *created = s->key == NULL;
    if (!s->key) {
        s->key = malloc(klen + 1);
        if (!s->key)
            abort();
        memcpy(s->key, key, klen);
        s->key[klen] = '\0';
        s->klen = klen;
        s->hash = h;
        s->val = NULL;
        m->n++;
    }
    return &s->val;
}

bool chorus_map_add(struct chorus_map *m, const void *key, size_t klen, void *val)
{
    bool created;
    void **v = chorus_map_slot(m, key, klen, &created);

    if (created)
        *v = val;
    return created;
}

void *chorus_map_remove(struct chorus_map *m, const void *key, size_t klen)
{
    size_t mask, i, j;
    void *val;

    if (m->n == 0)
        return NULL;
    mask = m->cap - 1;
    i = find(m, key, klen, hash_of(m, key, klen));
    if (!m->slots[i].key)
        return NULL;
    val = m->slots[i].val;
    free(m->slots[i].key);
    m->slots[i].key = NULL;
    m->n--;
    /* Backward shift: pull later members of the probe run into the hole
     * when their home slot does not lie (cyclically) between the hole and
     * where they sit, so every key stays reachable from its home. */
    for (j = (i + 1) & mask; m->slots[j].key; j = (j + 1) & mask) {
        size_t home = (size_t)m->slots[j].hash & mask;

        if (((j - home) & mask) >= ((j - i) & mask)) {
            m->slots[i] = m->slots[j];
            m->slots[j].key = NULL;
            i = j;
        }
    }
    return val;
}

int chorus_map_each(const struct chorus_map *m,
                    int (*fn)(void *ctx, const char *key, size_t klen, void *val), void *ctx)
{
    for (size_t i = 0; i < m->cap; i++) {
        int rc;

        if (!m->slots[i].key)
            continue;
        rc = fn(ctx, m->slots[i].key, m->slots[i].klen, m->slots[i].val);
        if (rc)
            return rc;
    }
    return 0;
}
