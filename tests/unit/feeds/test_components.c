/* The component alert rule (feeds/components.c) on constructed series: no
 * alert on Poisson noise at several rates and seeds, an alert on a real
 * rise, one per episode, and none for one extra complaint on a quiet
 * product. */
#include "testmain.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "feed_int.h"

#define LEN 420 /* days of a constructed series */

static uint64_t rng;

static double unit(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

/* poisson draws from Poisson(lambda) (Knuth; lambda is small here). */
static uint32_t poisson(double lambda)
{
    double l = exp(-lambda), p = 1;
    uint32_t k = 0;

    do {
        k++;
        p *= unit();
    } while (p > l);
    return k - 1;
}

static void noise(uint32_t *c, size_t n, double rate, uint64_t seed)
{
    rng = seed * 0x9e3779b97f4a7c15ULL + 1;
    for (size_t i = 0; i < n; i++)
        c[i] = poisson(rate);
}

/* episodes_ending replays the series c[0..end] as a request on day end
 * would: the last FEED_COMP_SPAN days. */
static size_t episodes_ending(const uint32_t *c, size_t end, struct feed__comp_episode *eps,
                              size_t cap, struct feed__comp_window *now)
{
    return feed__comp_episodes(c + end + 1 - FEED_COMP_SPAN, NULL, FEED_COMP_SPAN,
                               (int64_t)(end + 1 - FEED_COMP_SPAN), eps, cap, now);
}

CHORUS_TEST(poisson_tail_matches_known_values)
{
    assert_true(fabs(feed__poisson_tail(1, 0.5) - (1 - exp(-0.5))) < 1e-12);
    assert_true(fabs(feed__poisson_tail(3, 0.5) - (1 - exp(-0.5) * (1 + 0.5 + 0.125))) < 1e-12);
    assert_true(fabs(feed__poisson_tail(5, 2.0) -
                     (1 - exp(-2.0) * (1 + 2.0 + 2.0 + 4.0 / 3 + 2.0 / 3))) < 1e-12);
    /* At or below the mean the tail is above 0.4: reported as 1. */
    assert_true(feed__poisson_tail(0, 3.0) == 1.0);
    assert_true(feed__poisson_tail(3, 3.0) == 1.0);
    /* P(X >= 31 | 14.08) is about 6.6e-5, P(X >= 30) about 1.5e-4. */
    assert_true(feed__poisson_tail(31, 181.0 * 7 / 90) < FEED_COMP_OPEN_P);
    assert_true(feed__poisson_tail(30, 181.0 * 7 / 90) > FEED_COMP_OPEN_P);
    assert_true(feed__poisson_tail(2000, 10.0) < 1e-300 || feed__poisson_tail(2000, 10.0) == 0);
}

CHORUS_TEST(no_alert_on_noise)
{
    static const double rates[] = {0.01, 0.05, 0.2, 1.0, 3.0, 8.0};
    uint32_t c[LEN];

    for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); r++) {
        for (uint64_t seed = 1; seed <= 8; seed++) {
            noise(c, LEN, rates[r], seed);
            for (size_t end = FEED_COMP_SPAN - 1; end < LEN; end++) {
                struct feed__comp_episode eps[32];
                size_t n = episodes_ending(c, end, eps, 32, NULL);

                if (n)
                    fail_msg("rate %.2f seed %u: an alert on day %lld of noise", rates[r],
                             (unsigned)seed, (long long)eps[0].start);
            }
        }
    }
}

CHORUS_TEST(one_more_complaint_on_a_quiet_product_is_no_alert)
{
    uint32_t c[LEN];

    for (uint64_t seed = 1; seed <= 8; seed++) {
        struct feed__comp_window now;
        struct feed__comp_episode eps[4];

        noise(c, LEN, 0.03, seed);
        c[LEN - 1] += 1;
        assert_int_equal(episodes_ending(c, LEN - 1, eps, 4, &now), 0);
        c[LEN - 2] += 1; /* two more in a week: still ordinary */
        assert_int_equal(episodes_ending(c, LEN - 1, eps, 4, &now), 0);
    }
    /* An empty history and a first complaint. */
    memset(c, 0, sizeof(c));
    c[LEN - 1] = 1;
    assert_int_equal(episodes_ending(c, LEN - 1, NULL, 0, NULL), 0);
    {
        struct feed__comp_episode eps[4];

        assert_int_equal(episodes_ending(c, LEN - 1, eps, 4, NULL), 0);
    }
}

CHORUS_TEST(a_wave_on_a_best_seller_is_an_alert)
{
    struct feed__comp_episode eps0[4];
    uint32_t c[LEN];

    for (uint64_t seed = 1; seed <= 8; seed++) {
        struct feed__comp_window now;
        struct feed__comp_episode eps[4];
        size_t n;

        /* Two hinge complaints a day, then three times that for a week. */
        noise(c, LEN, 2.0, seed);
        for (size_t i = LEN - 7; i < LEN; i++)
            c[i] = poisson(6.0);
        n = episodes_ending(c, LEN - 1, eps, 4, &now);
        assert_int_equal(n, 1);
        assert_true(eps[0].end == INT64_MAX);
        assert_true(eps[0].start >= LEN - 7 && eps[0].start <= LEN - 1);
        assert_true(now.n7 >= FEED_COMP_MIN_SHORT && now.p <= FEED_COMP_OPEN_P);
        assert_true(now.expected > 10 && now.expected < 20);
    }
    /* A quiet product going from nothing to a complaint a day. */
    memset(c, 0, sizeof(c));
    for (size_t i = LEN - 5; i < LEN; i++)
        c[i] = 1;
    assert_int_equal(episodes_ending(c, LEN - 1, eps0, 4, NULL), 1);
}

/* A sale triples a best seller's buyers for a week: complaints about every
 * component triple with them. Judged against the other reviews' volume that
 * is no alert, while the same counts judged as if volume were steady are
 * one; a real wave during the sale still is. */
CHORUS_TEST(a_sales_surge_is_no_alert)
{
    for (uint64_t seed = 1; seed <= 8; seed++) {
        uint32_t c[LEN], v[LEN];
        struct feed__comp_episode eps[4];
        struct feed__comp_window now;

        noise(c, LEN, 2.0, seed);
        noise(v, LEN, 40.0, seed + 100);
        for (size_t i = LEN - 7; i < LEN; i++) {
            c[i] = poisson(6.0);
            v[i] = poisson(120.0);
        }
        assert_int_equal(episodes_ending(c, LEN - 1, eps, 4, NULL), 1);
        assert_int_equal(feed__comp_episodes(c + LEN - FEED_COMP_SPAN, v + LEN - FEED_COMP_SPAN,
                                             FEED_COMP_SPAN, 0, eps, 4, &now),
                         0);
        assert_true(now.volume > 2.5 && now.volume < 3.5);
        /* Eight times the complaints while buyers tripled is a wave. */
        for (size_t i = LEN - 7; i < LEN; i++)
            c[i] = poisson(16.0);
        assert_int_equal(feed__comp_episodes(c + LEN - FEED_COMP_SPAN, v + LEN - FEED_COMP_SPAN,
                                             FEED_COMP_SPAN, 0, eps, 4, &now),
                         1);
    }
}

/* A product launched days ago has no usual volume: its first wave alerts
 * whatever its buyers do. */
CHORUS_TEST(a_launch_wave_is_an_alert)
{
    uint32_t c[LEN] = {0}, v[LEN] = {0};
    struct feed__comp_episode eps[4];

    for (size_t i = LEN - 7; i < LEN; i++) {
        c[i] = 2;
        v[i] = 30;
    }
    assert_int_equal(feed__comp_episodes(c + LEN - FEED_COMP_SPAN, v + LEN - FEED_COMP_SPAN,
                                         FEED_COMP_SPAN, 0, eps, 4, NULL),
                     1);
}

CHORUS_TEST(one_alert_per_episode)
{
    uint32_t c[LEN];
    struct feed__comp_episode eps[8];
    size_t n;

    /* A wave of 12 days inside the replayed days, then back to normal. */
    noise(c, LEN, 1.0, 42);
    for (size_t i = LEN - 25; i < LEN - 13; i++)
        c[i] = 6;
    n = episodes_ending(c, LEN - 1, eps, 8, NULL);
    assert_int_equal(n, 1);
    assert_true(eps[0].start >= LEN - 25 && eps[0].start < LEN - 13);
    assert_true(eps[0].end != INT64_MAX && eps[0].end > LEN - 13);
    /* Every day of the episode's replay gives the same start: one episode,
     * one "since", however often it is asked. */
    for (size_t end = LEN - 20; end < LEN - 13; end++) {
        n = episodes_ending(c, end, eps, 8, NULL);
        assert_int_equal(n, 1);
        assert_true(eps[0].end == INT64_MAX);
    }
}
CHORUS_TEST_MAIN()
