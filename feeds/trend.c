/* The trend alert (docs/digest.md, "Trend alert"): when a product's 7-day
 * average rating falls well below its 90-day average. The rule lives here
 * alone; the digest and the dashboard both ask this file, so they can never
 * disagree about which products are sliding.
 *
 * Episodes have hysteresis (they start at a drop of 0.5 stars and end at a
 * recovery to within 0.25), so whether one is open on a day depends on the
 * days replayed before it. Callers therefore replay from a fixed distance
 * before the days they show (FEED_TREND_WARMUP), and the same request always
 * gives the same answer.
 */
#include "feed_int.h"

#include <stdlib.h>

/* sums holds prefix sums of counts and rating sums over days
 * [base, base + span): window sums are two subtractions each. */
struct sums {
    int64_t base, span;
    uint64_t *cnt, *sum; /* span + 1 entries; [0] is 0 */
};

static void sums_init(struct sums *s, const struct store_day *days, size_t nd, int64_t base,
                      int64_t last_day)
{
    s->base = base;
    s->span = last_day - base + 1;
    s->cnt = calloc((size_t)s->span + 1, sizeof(uint64_t));
    s->sum = calloc((size_t)s->span + 1, sizeof(uint64_t));
    if (!s->cnt || !s->sum)
        abort();
    for (size_t i = 0; i < nd; i++) {
        int64_t o = days[i].day - base;

        if (o < 0 || o >= s->span)
            continue;
        s->cnt[o + 1] += days[i].count;
        s->sum[o + 1] += days[i].rating_sum;
    }
    for (int64_t i = 1; i <= s->span; i++) {
        s->cnt[i] += s->cnt[i - 1];
        s->sum[i] += s->sum[i - 1];
    }
}

static void sums_cleanup(struct sums *s)
{
    free(s->cnt);
    free(s->sum);
}

/* window fills the 7- and 90-day numbers of the windows ending on day d,
 * which must lie in [base + FEED_TREND_LONG - 1, base + span). */
static void window(const struct sums *s, int64_t d, struct feed__trend_day *w)
{
    int64_t o = d - s->base + 1;
    uint64_t n7 = s->cnt[o] - s->cnt[o - FEED_TREND_SHORT];
    uint64_t s7 = s->sum[o] - s->sum[o - FEED_TREND_SHORT];
    uint64_t n90 = s->cnt[o] - s->cnt[o - FEED_TREND_LONG];
    uint64_t s90 = s->sum[o] - s->sum[o - FEED_TREND_LONG];

    w->n7 = n7;
    w->n90 = n90;
    w->avg7 = n7 ? (double)s7 / (double)n7 : 0;
    w->avg90 = n90 ? (double)s90 / (double)n90 : 0;
}

size_t feed__trend(const struct store_day *days, size_t nd, int64_t eval_from, int64_t last_day,
                   struct feed__episode *out, size_t cap)
{
    struct sums s;
    size_t n = 0;
    bool open = false;

    if (last_day < eval_from)
        return 0;
    sums_init(&s, days, nd, eval_from - FEED_TREND_LONG + 1, last_day);
    for (int64_t d = eval_from; d <= last_day; d++) {
        struct feed__trend_day w;
        bool low;

        window(&s, d, &w);
        low = w.n7 >= FEED_TREND_MIN_SHORT && w.n90 >= FEED_TREND_MIN_LONG &&
              w.avg7 <= w.avg90 - FEED_TREND_DROP;
        if (!open && low) {
            open = true;
            if (n < cap) {
                out[n].start = d;
                out[n].end = INT64_MAX;
                out[n].avg7 = w.avg7;
                out[n].avg90 = w.avg90;
                out[n].n7 = (uint32_t)w.n7;
                n++;
            }
        } else if (open &&
                   (w.n7 < FEED_TREND_MIN_SHORT || w.avg7 >= w.avg90 - FEED_TREND_RECOVER)) {
            open = false;
            if (n && n <= cap && out[n - 1].end == INT64_MAX)
                out[n - 1].end = d;
        }
    }
    sums_cleanup(&s);
    return n;
}

bool feed__trend_open(const struct store_day *days, size_t nd, int64_t eval_from, int64_t day,
                      struct feed__episode *ep, struct feed__trend_day *now)
{
    /* An episode lasts at least a day and the next cannot start before
     * the day it ended, so this many slots hold every episode. */
    size_t cap = day >= eval_from ? (size_t)(day - eval_from) / 2 + 2 : 1, n;
    struct feed__episode *eps = calloc(cap, sizeof(*eps));
    bool open = false;

    if (!eps)
        abort();
    n = feed__trend(days, nd, eval_from, day, eps, cap);
    if (n && eps[n - 1].end > day) {
        open = true;
        if (ep)
            *ep = eps[n - 1];
    }
    free(eps);
    if (now) {
        struct sums s;

        sums_init(&s, days, nd, day - FEED_TREND_LONG + 1, day);
        window(&s, day, now);
        sums_cleanup(&s);
    }
    return open;
}
