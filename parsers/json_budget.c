/* Every JSON document Chorus parses comes from outside (a request body, a
 * pulled feed item), and jansson spends far more memory on a value than the
 * bytes that spell it: "[]," is 3 bytes and well over 100 in memory, so 8 MiB
 * of empty arrays became 390 MB. jansson's allocator is process-wide, so it
 * is replaced once, at start, by one that counts what a parse allocates on
 * its thread and refuses past the thread's budget; jansson then fails the
 * parse cleanly ("out of memory" at that position) and frees what it built.
 *
 * Every block carries its size in a 16-byte header (keeping malloc's
 * alignment) so a free can give the budget back. Outside a parse nothing is
 * counted or limited. */
#include "parse_int.h"

#include <malloc.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static atomic_size_t budget_max = (size_t)64 << 20;

/* The parse running on this thread: its budget and what it holds now. */
static _Thread_local struct {
    bool active;
    bool over;
    size_t limit;
    size_t used;
} cur;

static void *budget_malloc(size_t n)
{
    void *p;

    if (cur.active && (cur.used >= cur.limit || n > cur.limit - cur.used)) {
        cur.over = true;
        return NULL;
    }
    p = malloc(n);
    if (p && cur.active)
        cur.used += malloc_usable_size(p);
    return p;
}

static void budget_free(void *p)
{
    /* A block made before this parse gives nothing back to it. */
    if (p && cur.active) {
        size_t n = malloc_usable_size(p);

        cur.used = n < cur.used ? cur.used - n : 0;
    }
    free(p);
}

/* Set before main: jansson requires its allocator to be chosen before its
 * first allocation, and every Chorus program that parses JSON links this
 * file (the parsers reach it through parse__json_load). */
__attribute__((constructor)) static void install(void)
{
    json_set_alloc_funcs(budget_malloc, budget_free);
}

void parse_json_budget_set(size_t bytes)
{
    atomic_store(&budget_max, bytes);
}

json_t *parse__json_load(const char *data, size_t len, json_error_t *jerr)
{
    size_t max = atomic_load(&budget_max);
    json_t *v;

    /* A document needs a multiple of its size; a small one never needs the
     * whole budget, so a flood of small hostile bodies cannot each take it. */
    cur.limit = len < (max - (1u << 20)) / 16 ? (1u << 20) + 16 * len : max;
    cur.used = 0;
    cur.over = false;
    cur.active = true;
    v = json_loadb(data, len, PARSE__JSON_FLAGS, jerr);
    cur.active = false;
    if (!v && cur.over)
        snprintf(jerr->text, sizeof(jerr->text),
                 "parsing it would take more than %zu MiB of memory (max_json_memory); send "
                 "fewer or smaller values",
                 (cur.limit + (1u << 20) - 1) >> 20);
    return v;
}
