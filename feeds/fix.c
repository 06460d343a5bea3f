/* The "fix did not hold" rule for known issues marked fixed: one place for
 * the digest's regression entries and the dashboard's line. The numbers are
 * in chorus/feed.h (FEED_FIX_*) and explained in docs/digest.md. */
#include "chorus/feed.h"

#include <string.h>

#include "chorus/base.h"

#define DAY 86400

bool feed_fix_windows(int64_t fixed_at, int64_t now, struct feed_fix *f)
{
    f->before_from = fixed_at - (int64_t)FEED_FIX_BEFORE_DAYS * DAY;
    f->before_to = fixed_at;
    f->after_from = fixed_at + (int64_t)FEED_FIX_GRACE_DAYS * DAY;
    f->after_to = now;
    /* A long-held fix is judged on its recent month, not diluted by a
     * quiet year right after it shipped. */
    if (f->after_to - f->after_from > (int64_t)FEED_FIX_AFTER_DAYS * DAY)
        f->after_from = f->after_to - (int64_t)FEED_FIX_AFTER_DAYS * DAY;
    f->judged = f->after_to - f->after_from >= (int64_t)FEED_FIX_MIN_DAYS * DAY;
    return f->judged;
}

void feed_fix_rule(struct feed_fix *f)
{
    double db = (double)(f->before_to - f->before_from) / DAY;
    double da = (double)(f->after_to - f->after_from) / DAY;

    f->rate_before = db > 0 ? (double)f->before / db : 0;
    f->rate_after = da > 0 ? (double)f->after / da : 0;
    /* The minimum count keeps one stray complaint (or two) from firing on
     * an issue that was quiet before its fix too. */
    f->failed = f->judged && f->after >= FEED_FIX_MIN_AFTER &&
                f->rate_after >= FEED_FIX_RATIO * f->rate_before;
}

int feed_fix_check(struct store_txn *txn, const struct store_issue *is, int64_t now,
                   struct feed_fix *f)
{
    int rc;

    memset(f, 0, sizeof(*f));
    if (is->status != STORE_ISSUE_FIXED || is->fixed_at <= 0 ||
        !feed_fix_windows(is->fixed_at, now, f))
        return 0;
    rc = store_issue_count(txn, is->id, f->before_from, f->before_to, FEED_FIX_COUNT_CAP,
                           &f->before, NULL);
    if (rc == 0)
        rc = store_issue_count(txn, is->id, f->after_from, f->after_to, FEED_FIX_COUNT_CAP,
                               &f->after, &f->newest);
    if (rc == 0)
        feed_fix_rule(f);
    return rc;
}
