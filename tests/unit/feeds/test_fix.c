/* The "fix did not hold" rule (feeds/fix.c, docs/digest.md) on constructed
 * series: complaints spread over the windows before and after a fix, with
 * the counts the rule sees derived from the series, not written in. */
#include <stdio.h>
#include <string.h>

#include "testmain.h"

#include "chorus/feed.h"

#define DAY   86400
#define FIXED ((int64_t)1790000000)

/* judge places per_day_before complaints a day over the 30 days before the
 * fix and per_day_after a day from the fix on (grace days included: the
 * rule must skip them), and judges days_since days after the fix. */
static struct feed_fix judge(double per_day_before, double per_day_after, int days_since)
{
    struct feed_fix f;
    int64_t now = FIXED + (int64_t)days_since * DAY;
    double acc = 0;

    memset(&f, 0, sizeof(f));
    feed_fix_windows(FIXED, now, &f);
    for (int64_t t = FIXED - 60 * DAY; t < now; t += DAY / 4) {
        acc += (t < FIXED ? per_day_before : per_day_after) / 4;
        while (acc >= 1) {
            acc -= 1;
            if (t >= f.before_from && t < f.before_to)
                f.before++;
            if (t >= f.after_from && t < f.after_to)
                f.after++;
        }
    }
    feed_fix_rule(&f);
    return f;
}

CHORUS_TEST(fix_that_held_is_quiet)
{
    struct feed_fix f = judge(2, 0, 20);

    assert_true(f.judged);
    assert_int_equal(f.before, 60);
    assert_int_equal(f.after, 0);
    assert_false(f.failed);
    /* A trickle well under half the old rate is a fix that held. */
    f = judge(2, 0.5, 20);
    assert_true(f.after >= FEED_FIX_MIN_AFTER);
    assert_false(f.failed);
}

CHORUS_TEST(fix_that_did_not_hold_fires)
{
    struct feed_fix f = judge(1, 1, 20);

    assert_true(f.judged);
    assert_true(f.failed);
    assert_true(f.rate_after >= FEED_FIX_RATIO * f.rate_before);
    /* Fewer, but not clearly fewer: still not a fix. */
    f = judge(2, 1.2, 40);
    assert_true(f.failed);
    /* More than before: a regression whatever the counts before. */
    f = judge(0, 0.5, 20);
    assert_true(f.failed);
}

CHORUS_TEST(fix_rule_needs_counts_and_time)
{
    /* One or two stray complaints on a quiet issue never fire. */
    struct feed_fix f = judge(0, 0.1, 21);

    assert_true(f.after < FEED_FIX_MIN_AFTER);
    assert_false(f.failed);
    /* Too early to judge, however bad it looks. */
    f = judge(1, 5, FEED_FIX_GRACE_DAYS + FEED_FIX_MIN_DAYS - 1);
    assert_false(f.judged);
    assert_false(f.failed);
    f = judge(1, 5, FEED_FIX_GRACE_DAYS + FEED_FIX_MIN_DAYS);
    assert_true(f.judged);
    assert_true(f.failed);
}

CHORUS_TEST(fix_rule_judges_the_recent_month)
{
    /* Quiet for months after the fix, back in the last days: the after
     * window is the last FEED_FIX_AFTER_DAYS days, so it fires. */
    struct feed_fix f;

    memset(&f, 0, sizeof(f));
    feed_fix_windows(FIXED, FIXED + 200 * DAY, &f);
    assert_int_equal(f.after_to - f.after_from, (int64_t)FEED_FIX_AFTER_DAYS * DAY);
    f.before = 30;
    f.after = 20;
    feed_fix_rule(&f);
    assert_true(f.failed);
    /* The grace days after the fix are never counted. */
    feed_fix_windows(FIXED, FIXED + 10 * DAY, &f);
    assert_int_equal(f.after_from, FIXED + (int64_t)FEED_FIX_GRACE_DAYS * DAY);
}

CHORUS_TEST_MAIN()
