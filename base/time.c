/* RFC 3339 times in and out, without locale or timezone state: timegm-like
 * arithmetic on the proleptic Gregorian calendar, so it is thread-safe and
 * gives the same answer everywhere. */
#include "chorus/base.h"

#include <time.h>

int64_t chorus_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

int64_t chorus_mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* days_from_civil: days since 1970-01-01 of y-m-d (Howard Hinnant's
 * algorithm, valid far beyond any review's lifetime). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* digits reads exactly n decimal digits at s[*i]. */
static int digits(const char *s, size_t len, size_t *i, int n, int *out)
{
    int v = 0;

    if (*i + (size_t)n > len)
        return -1;
    for (int k = 0; k < n; k++) {
        char c = s[*i + (size_t)k];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *i += (size_t)n;
    *out = v;
    return 0;
}

static int expect(const char *s, size_t len, size_t *i, char c)
{
    if (*i >= len || s[*i] != c)
        return -1;
    (*i)++;
    return 0;
}

int chorus_time_parse(const char *s, size_t n, int64_t *out)
{
    size_t i = 0;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, oh = 0, om = 0, sign = 0;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (digits(s, n, &i, 4, &y) || expect(s, n, &i, '-') || digits(s, n, &i, 2, &mo) ||
        expect(s, n, &i, '-') || digits(s, n, &i, 2, &d))
        return CHORUS_EINVAL;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
        return CHORUS_EINVAL;
    if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
        return CHORUS_EINVAL;
    if (i == n)
        goto done;
    if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
        return CHORUS_EINVAL;
    i++;
    if (digits(s, n, &i, 2, &h) || expect(s, n, &i, ':') || digits(s, n, &i, 2, &mi) ||
        expect(s, n, &i, ':') || digits(s, n, &i, 2, &sec))
        return CHORUS_EINVAL;
    /* 60 is a leap second; it is stored as the next second's start. */
    if (h > 23 || mi > 59 || sec > 60)
        return CHORUS_EINVAL;
    if (i < n && s[i] == '.') {
        size_t start = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == start || i - start > 9)
            return CHORUS_EINVAL;
    }
    if (i >= n)
        return CHORUS_EINVAL;
    if (s[i] == 'Z' || s[i] == 'z') {
        i++;
    } else if (s[i] == '+' || s[i] == '-') {
        sign = s[i] == '-' ? -1 : 1;
        i++;
        if (digits(s, n, &i, 2, &oh) || expect(s, n, &i, ':') || digits(s, n, &i, 2, &om))
            return CHORUS_EINVAL;
        if (oh > 23 || om > 59)
            return CHORUS_EINVAL;
    } else {
        return CHORUS_EINVAL;
    }
    if (i != n)
        return CHORUS_EINVAL;
done:
    *out =
        days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - sign * (oh * 3600 + om * 60);
    return 0;
}

int chorus_time_format(int64_t t, char *out)
{
    /* Floor division through the remainder, not by negating t: -t
     * overflows for INT64_MIN and -t + 86399 for every t within a day of
     * it. The parsers keep times in years 0000..9999, but this takes any
     * int64_t (a damaged record, a caller's arithmetic) and clamps. */
    int64_t days = t / 86400, rem = t % 86400, y;
    int m, d, k;
    int v[6];
    char *p = out;

    if (rem < 0) {
        rem += 86400;
        days--;
    }
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) {
        y = y < 0 ? 0 : 9999;
        m = y ? 12 : 1;
        d = y ? 31 : 1;
        rem = y ? 86399 : 0;
    }
    v[0] = (int)y;
    v[1] = m;
    v[2] = d;
    v[3] = (int)(rem / 3600);
    v[4] = (int)(rem / 60 % 60);
    v[5] = (int)(rem % 60);
    /* Hand-rolled rather than snprintf: this runs for every review on every
     * page and feed. */
    for (k = 3; k >= 0; k--)
        p[k] = (char)('0' + v[0] % 10), v[0] /= 10;
    p += 4;
    for (k = 1; k < 6; k++) {
        *p++ = "--T::"[k - 1];
        *p++ = (char)('0' + v[k] / 10);
        *p++ = (char)('0' + v[k] % 10);
    }
    *p++ = 'Z';
    *p = '\0';
    return (int)(p - out);
}
