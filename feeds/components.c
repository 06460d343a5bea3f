/* The component alert (docs/digest.md, "Component alert"): complaints naming
 * a component in the last 7 days against what the product's own previous 90
 * days lead one to expect, as a one-sided Poisson test with a minimum count
 * and a minimum ratio. The rule lives here alone; the API, the digest and
 * the dashboard all ask this file, so they never disagree about which
 * components are failing.
 *
 * Why these numbers: a product with one complaint a season about its hinge
 * expects 0.16 in a week, so one or two more are ordinary luck and only the
 * minimum of 5 in 7 days lets an alert start; a best seller with 2 a day
 * expects 14, and its 7-day count must reach 31 (p <= 1e-4) before an alert
 * starts, which is twice its usual rate and far out of reach of its day to
 * day noise. The baseline stops where the 7-day window begins, so a wave
 * does not raise its own bar while it is being judged.
 *
 * Volume: when the product's other reviews (rated 3 to 5, or without stars)
 * came faster in the 7 days than in the 90 before — a sale, a launch, a
 * best seller's season — the expected count rises in the same proportion,
 * so a surge of buyers is not read as a wave of every component. The
 * other reviews, not all of them, measure it: a wave of complaints does
 * not raise its own bar. A slowdown never lowers the expectation; the
 * factor applies only over a baseline of at least FEED_COMP_VOLUME_MIN
 * other reviews (a new product has no usual rate, and its first wave must
 * alert) and stops at FEED_COMP_VOLUME_MAX.
 *
 * Episodes have hysteresis (start at p <= 1e-4, end at p > 0.05), so whether
 * one is open depends on the days before: callers replay a fixed
 * FEED_COMP_WARMUP days, and the same request always gives the same answer.
 */
#include "feed_int.h"

#include <math.h>
#include <stdlib.h>

double feed__poisson_tail(uint32_t k, double lambda)
{
    double term, sum = 0;

    if (k == 0 || lambda <= 0)
        return k == 0 ? 1.0 : 0.0;
    /* At or below the mean the tail is above 0.4, far from both thresholds
     * of the rule: reported as 1, which spares summing up to the mean (a
     * category's lambda runs into the thousands). */
    if ((double)k <= lambda)
        return 1.0;
    term = exp(-lambda + (double)k * log(lambda) - lgamma((double)k + 1));
    for (uint32_t i = k; term > 1e-300; i++) {
        sum += term;
        if (term < sum * 1e-15)
            break;
        term *= lambda / (double)(i + 1);
    }
    return sum < 1.0 ? sum : 1.0;
}

/* window fills the windows ending on index d of prefix sums ps (ps[i] is
 * the sum of c[0..i)) and, when pv is not NULL, of the other reviews' prefix
 * sums pv; d >= FEED_COMP_SHORT + FEED_COMP_LONG - 1. */
static void window(const uint64_t *ps, const uint64_t *pv, size_t d, struct feed__comp_window *w)
{
    size_t end = d + 1, mid = end - FEED_COMP_SHORT, start = mid - FEED_COMP_LONG;

    w->n7 = (uint32_t)(ps[end] - ps[mid]);
    w->base = (uint32_t)(ps[mid] - ps[start]);
    w->volume = 1.0;
    /* Only over a baseline of some volume: a product launched last week
     * has no usual rate to compare with, and its first wave must alert. */
    if (pv && pv[mid] - pv[start] >= FEED_COMP_VOLUME_MIN) {
        double r = ((double)(pv[end] - pv[mid]) / FEED_COMP_SHORT) /
                   ((double)(pv[mid] - pv[start]) / FEED_COMP_LONG);

        w->volume = r < 1.0 ? 1.0 : r > FEED_COMP_VOLUME_MAX ? FEED_COMP_VOLUME_MAX : r;
    }
    w->expected = ((double)w->base + 1) * FEED_COMP_SHORT / FEED_COMP_LONG * w->volume;
    w->p = feed__poisson_tail(w->n7, w->expected);
}

static bool opens(const struct feed__comp_window *w)
{
    return w->n7 >= FEED_COMP_MIN_SHORT && (double)w->n7 >= FEED_COMP_RATIO * w->expected &&
           w->p <= FEED_COMP_OPEN_P;
}

size_t feed__comp_episodes(const uint32_t *c, const uint32_t *v, size_t n, int64_t first_day,
                           struct feed__comp_episode *out, size_t cap,
                           struct feed__comp_window *now)
{
    uint64_t *ps, *pv = NULL;
    size_t k = 0;
    bool open = false;

    if (n < FEED_COMP_SPAN)
        return 0;
    ps = calloc(n + 1, sizeof(*ps));
    if (!ps)
        abort();
    for (size_t i = 0; i < n; i++)
        ps[i + 1] = ps[i] + c[i];
    if (v) {
        pv = calloc(n + 1, sizeof(*pv));
        if (!pv)
            abort();
        for (size_t i = 0; i < n; i++)
            pv[i + 1] = pv[i] + v[i];
    }
    for (size_t d = n - FEED_COMP_WARMUP - 1; d < n; d++) {
        struct feed__comp_window w;

        window(ps, pv, d, &w);
        if (!open && opens(&w)) {
            open = true;
            if (k < cap) {
                out[k].start = first_day + (int64_t)d;
                out[k].end = INT64_MAX;
                out[k].w = w;
                k++;
            }
        } else if (open && w.p > FEED_COMP_CLOSE_P) {
            open = false;
            if (k && k <= cap && out[k - 1].end == INT64_MAX)
                out[k - 1].end = first_day + (int64_t)d;
        }
        if (now && d == n - 1)
            *now = w;
    }
    free(ps);
    free(pv);
    return k;
}
