/* Test clock helpers (see clock.h). */
#include "clock.h"

#include <time.h>

int64_t clk_at_day(int k)
{
    int64_t now = (int64_t)time(NULL), day = now / 86400 - k, t = day * 86400 + 12 * 3600;

    if (t > now - 60)
        t = now - 60;
    if (t < day * 86400)
        t = day * 86400;
    return t;
}

const char *clk_utc(int64_t t, const char *fmt, char *out, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;

    gmtime_r(&tt, &tm);
    strftime(out, cap, fmt, &tm);
    return out;
}

const char *clk_rfc3339(int64_t t, char *out)
{
    return clk_utc(t, "%Y-%m-%dT%H:%M:%SZ", out, 32);
}

const char *clk_date(int64_t t, char *out)
{
    return clk_utc(t, "%Y-%m-%d", out, 16);
}

void clk_away_from_end(int64_t period, int64_t margin)
{
    int64_t left = period - (int64_t)time(NULL) % period;

    if (left < margin) {
        struct timespec ts = {(time_t)left + 2, 0};

        nanosleep(&ts, NULL);
    }
}
