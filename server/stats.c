/* Request statistics for operators: counts by route and status, latency
 * histograms and page cache hits and misses by route, in /metrics.
 *
 * Every serving thread counts into its own table (one row per route and
 * one for requests that matched none), so a reply writes no shared cache
 * line; a scrape sums the threads. A counter has one writer, its thread,
 * so a relaxed load and store is enough and a reader sees whole values. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* The codes Chorus and libevent answer with; anything else is "other". */
static const int codes[] = {200, 201, 202, 204, 206, 301, 302, 303, 304, 307, 308,
                            400, 401, 403, 404, 405, 406, 409, 410, 411, 412, 413,
                            414, 415, 422, 429, 431, 500, 501, 502, 503, 504};
#define N_CODES (sizeof(codes) / sizeof(codes[0]))

/* Upper bounds in microseconds: a cache hit is tens of µs, a rendered page
 * or a batch commit milliseconds, a slow disk or a huge render seconds. */
static const int64_t bounds_us[] = {100,   250,   500,    1000,   2500,   5000,    10000,
                                    25000, 50000, 100000, 250000, 500000, 1000000, 2500000};
#define N_BOUNDS (sizeof(bounds_us) / sizeof(bounds_us[0]))

struct srv_route_stats {
    _Atomic uint64_t status[N_CODES + 1];  /* the last: other */
    _Atomic uint64_t bucket[N_BOUNDS + 1]; /* not cumulative; the last: above all bounds */
    _Atomic uint64_t sum_us, hits, misses;
};

static void bump(_Atomic uint64_t *c, uint64_t v)
{
    atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + v,
                          memory_order_relaxed);
}

static uint64_t get(const _Atomic uint64_t *c)
{
    return atomic_load_explicit(c, memory_order_relaxed);
}

int srv__stats_new(struct srv_thread *t)
{
    t->stats = calloc(srv__route_count() + 1, sizeof(*t->stats));
    return t->stats ? 0 : CHORUS_ENOMEM;
}

void srv__stats_free(struct srv_thread *t)
{
    free(t->stats);
    t->stats = NULL;
}

static size_t code_slot(int status)
{
    size_t lo = 0, hi = N_CODES;

    while (lo < hi) {
        size_t mid = (lo + hi) / 2;

        if (codes[mid] == status)
            return mid;
        if (codes[mid] < status)
            lo = mid + 1;
        else
            hi = mid;
    }
    return N_CODES;
}

void srv__stats_count(struct srv_thread *t, unsigned route, int status, int64_t us, int cache)
{
    struct srv_route_stats *st;
    size_t b = 0;

    if (!t->stats)
        return;
    st = &t->stats[route <= srv__route_count() ? route : srv__route_count()];
    if (us < 0)
        us = 0;
    while (b < N_BOUNDS && us > bounds_us[b])
        b++;
    bump(&st->status[code_slot(status)], 1);
    bump(&st->bucket[b], 1);
    bump(&st->sum_us, (uint64_t)us);
    if (cache > 0)
        bump(&st->hits, 1);
    else if (cache == 0)
        bump(&st->misses, 1);
}

/* sum adds up row i over the serving threads. */
static void sum(const struct srv *s, size_t i, struct srv_route_stats *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t k = 0; k < s->n_threads; k++) {
        const struct srv_route_stats *st = s->threads[k].stats ? &s->threads[k].stats[i] : NULL;

        if (!st)
            continue;
        for (size_t c = 0; c <= N_CODES; c++)
            out->status[c] += get(&st->status[c]);
        for (size_t b = 0; b <= N_BOUNDS; b++)
            out->bucket[b] += get(&st->bucket[b]);
        out->sum_us += get(&st->sum_us);
        out->hits += get(&st->hits);
        out->misses += get(&st->misses);
    }
}

/* A route that has not been asked for has no series: 34 routes times 32
 * codes of zeros would bury the ones that matter. */
void srv__stats_metrics(const struct srv *s, struct buf *b)
{
    size_t n = srv__route_count() + 1;
    struct srv_route_stats *rows = calloc(n, sizeof(*rows));
    uint64_t *total = calloc(n, sizeof(*total));

    if (!rows || !total)
        goto out;
    for (size_t i = 0; i < n; i++) {
        sum(s, i, &rows[i]);
        for (size_t c = 0; c <= N_CODES; c++)
            total[i] += rows[i].status[c];
    }
    buf_puts(b, "# HELP chorus_http_responses_total Replies by route and status.\n"
                "# TYPE chorus_http_responses_total counter\n");
    for (size_t i = 0; i < n; i++) {
        const char *method, *path;

        srv__route_label((unsigned)i, &method, &path);
        for (size_t c = 0; c <= N_CODES; c++) {
            if (!rows[i].status[c])
                continue;
            buf_printf(b, "chorus_http_responses_total{method=\"%s\",route=\"%s\",status=\"",
                       method, path);
            if (c < N_CODES)
                buf_printf(b, "%d", codes[c]);
            else
                buf_puts(b, "other");
            buf_printf(b, "\"} %llu\n", (unsigned long long)rows[i].status[c]);
        }
    }
    buf_puts(b, "# HELP chorus_http_request_duration_seconds From routing to the reply handed "
                "to the connection.\n"
                "# TYPE chorus_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i < n; i++) {
        const char *method, *path;
        uint64_t cum = 0;

        if (!total[i])
            continue;
        srv__route_label((unsigned)i, &method, &path);
        for (size_t k = 0; k <= N_BOUNDS; k++) {
            cum += rows[i].bucket[k];
            buf_printf(b, "chorus_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",",
                       method, path);
            if (k < N_BOUNDS)
                buf_printf(b, "le=\"%g\"} %llu\n", (double)bounds_us[k] / 1e6,
                           (unsigned long long)cum);
            else
                buf_printf(b, "le=\"+Inf\"} %llu\n", (unsigned long long)cum);
        }
        buf_printf(b,
                   "chorus_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} %.6f\n"
                   "chorus_http_request_duration_seconds_count{method=\"%s\",route=\"%s\"} %llu\n",
                   method, path, (double)rows[i].sum_us / 1e6, method, path,
                   (unsigned long long)total[i]);
    }
    buf_puts(b, "# HELP chorus_page_cache_requests_total Cacheable pages by route, served from "
                "the page cache (hit) or rendered (miss).\n"
                "# TYPE chorus_page_cache_requests_total counter\n");
    for (size_t i = 0; i < n; i++) {
        const char *method, *path;

        if (!rows[i].hits && !rows[i].misses)
            continue;
        srv__route_label((unsigned)i, &method, &path);
        buf_printf(b,
                   "chorus_page_cache_requests_total{method=\"%s\",route=\"%s\",result=\"hit\"} "
                   "%llu\n"
                   "chorus_page_cache_requests_total{method=\"%s\",route=\"%s\",result=\"miss\"} "
                   "%llu\n",
                   method, path, (unsigned long long)rows[i].hits, method, path,
                   (unsigned long long)rows[i].misses);
    }
out:
    free(rows);
    free(total);
}
