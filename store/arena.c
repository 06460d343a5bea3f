/* Scratch memory for decoded records.
 *
 * Strings of a decoded review point straight into LMDB's map, but the
 * responses array has to be built somewhere, and it must stay put until the
 * transaction ends (store_review_get lends it that long). A chunk list never
 * moves what it handed out, unlike a realloc'd buffer, and a mark/release pair
 * lets iterators give each review's memory back after its callback.
 */
#include "store_int.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_MIN 4096

struct store__chunk {
    struct store__chunk *next; /* older chunk */
    size_t size;               /* bytes in data */
    size_t used;
    alignas(max_align_t) unsigned char data[];
};

static size_t align_up(size_t n)
{
    return (n + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
}

void *store__arena_alloc(struct store__arena *a, size_t n)
{
    struct store__chunk *c = a->head;
    void *p;

    n = align_up(n ? n : 1);
    if (!c || c->size - c->used < n) {
        size_t size = n > CHUNK_MIN ? n : CHUNK_MIN;

        c = malloc(sizeof(*c) + size);
        if (!c)
            abort();
        c->next = a->head;
        c->size = size;
        c->used = 0;
        a->head = c;
    }
    p = c->data + c->used;
    c->used += n;
    return p;
}

void store__arena_mark(const struct store__arena *a, struct store__mark *m)
{
    m->chunk = a->head;
    m->used = a->head ? a->head->used : 0;
}

void store__arena_release(struct store__arena *a, const struct store__mark *m)
{
    while (a->head && a->head != m->chunk) {
        struct store__chunk *c = a->head;

        a->head = c->next;
        free(c);
    }
    if (a->head)
        a->head->used = m->used;
}

void store__arena_reset(struct store__arena *a)
{
    /* Keep the oldest chunk: it is the common size, the others were grown
     * for one big record. */
    while (a->head && a->head->next) {
        struct store__chunk *c = a->head;

        a->head = c->next;
        free(c);
    }
    if (a->head)
        a->head->used = 0;
}

void store__arena_cleanup(struct store__arena *a)
{
    while (a->head) {
        struct store__chunk *c = a->head;

        a->head = c->next;
        free(c);
    }
}

char *store__arena_strdup(struct store__arena *a, const char *s)
{
    size_t n;
    char *c;

    if (!s)
        return NULL;
    n = strlen(s) + 1;
    c = store__arena_alloc(a, n);
    memcpy(c, s, n);
    return c;
}
