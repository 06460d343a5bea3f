/* Dates as feeds write them: RFC 3339 (Atom, Google, JSON) and RFC 822 as
 * amended by RFC 1123 and RFC 2822 (RSS pubDate), read without locale or
 * timezone state.
 *
 * RSS dates in the wild stray from RFC 822 in known ways, and each is
 * accepted: one-digit days, two-digit years, missing seconds, full day and
 * month names, "+02:00" zones, lower case, and an RFC 3339 date where an
 * RFC 822 one belongs.
 */
#include "parse_int.h"

#include <string.h>

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool alpha(char c)
{
    c = lower(c);
    return c >= 'a' && c <= 'z';
}

static bool digit(char c)
{
    return c >= '0' && c <= '9';
}

/* number reads 1..max digits at s[*i]. */
static int number(const char *s, size_t n, size_t *i, int max, int *out)
{
    int v = 0, k = 0;

    while (*i < n && digit(s[*i]) && k < max) {
        v = v * 10 + (s[*i] - '0');
        (*i)++;
        k++;
    }
    if (k == 0 || (*i < n && digit(s[*i])))
        return -1;
    *out = v;
    return 0;
}

static void skip_blank(const char *s, size_t n, size_t *i)
{
    while (*i < n && blank(s[*i]))
        (*i)++;
}

/* word reads a run of letters at s[*i] into w (lower case, first 3 kept). */
static size_t word(const char *s, size_t n, size_t *i, char w[4])
{
    size_t k = 0;

    while (*i < n && alpha(s[*i])) {
        if (k < 3)
            w[k] = lower(s[*i]);
        k++;
        (*i)++;
    }
    w[k < 3 ? k : 3] = '\0';
    return k;
}

static int month(const char w[4])
{
    static const char names[] = "janfebmaraprmayjunjulaugsepoctnovdec";

    for (int m = 0; m < 12; m++)
        if (memcmp(names + 3 * m, w, 3) == 0)
            return m + 1;
    return 0;
}

/* zone reads the zone at s[*i] into minutes east of UTC. */
static int zone(const char *s, size_t n, size_t *i, int *minutes)
{
    static const struct {
        const char *name;
        int hours;
    } names[] = {{"gmt", 0},  {"ut", 0},   {"utc", 0},  {"z", 0},    {"est", -5}, {"edt", -4},
                 {"cst", -6}, {"cdt", -5}, {"mst", -7}, {"mdt", -6}, {"pst", -8}, {"pdt", -7}};
    size_t start = *i;
    char w[4];
    int hh, mm;

    if (*i < n && (s[*i] == '+' || s[*i] == '-')) {
        int sign = s[*i] == '-' ? -1 : 1;

        (*i)++;
        if (*i + 4 > n || !digit(s[*i]) || !digit(s[*i + 1]))
            return -1;
        hh = (s[*i] - '0') * 10 + (s[*i + 1] - '0');
        *i += 2;
        if (*i < n && s[*i] == ':')
            (*i)++;
        if (*i + 2 > n || !digit(s[*i]) || !digit(s[*i + 1]))
            return -1;
        mm = (s[*i] - '0') * 10 + (s[*i + 1] - '0');
        *i += 2;
        if (hh > 23 || mm > 59)
            return -1;
        *minutes = sign * (hh * 60 + mm);
        return 0;
    }
    if (word(s, n, i, w) == 0 || *i - start > 3)
        return -1;
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
        if (strcmp(names[k].name, w) == 0) {
            *minutes = names[k].hours * 60;
            return 0;
        }
    /* RFC 2822 reads the other military letters as -0000: unknown, so UTC. */
    if (*i - start == 1) {
        *minutes = 0;
        return 0;
    }
    return -1;
}

static int rfc822(const char *s, size_t n, int64_t *out)
{
    size_t i = 0;
    int d, m, y, hh, mi, sec = 0, z = 0;
    char w[4], iso[32];
    int64_t t;

    /* An optional day name and comma: "Mon," or "Monday,". */
    if (i < n && alpha(s[i])) {
        word(s, n, &i, w);
        if (i < n && s[i] == ',')
            i++;
        skip_blank(s, n, &i);
    }
    if (number(s, n, &i, 2, &d) != 0)
        return -1;
    skip_blank(s, n, &i);
    if (i < n && s[i] == '-')
        i++; /* "06-Nov-2023", as some generators write */
    if (word(s, n, &i, w) < 3 || (m = month(w)) == 0)
        return -1;
    if (i < n && s[i] == '-')
        i++;
    skip_blank(s, n, &i);
    if (number(s, n, &i, 4, &y) != 0)
        return -1;
    if (y < 100)
        y += y < 50 ? 2000 : 1900; /* RFC 822's two-digit years, as RFC 2822 says */
    skip_blank(s, n, &i);
    if (number(s, n, &i, 2, &hh) != 0 || i >= n || s[i] != ':')
        return -1;
    i++;
    if (number(s, n, &i, 2, &mi) != 0)
        return -1;
    if (i < n && s[i] == ':') {
        i++;
        if (number(s, n, &i, 2, &sec) != 0)
            return -1;
    }
    skip_blank(s, n, &i);
    /* A missing zone is read as UTC, as RFC 2822 reads -0000. */
    if (i < n && zone(s, n, &i, &z) != 0)
        return -1;
    skip_blank(s, n, &i);
    if (i != n || y < 1000)
        return -1;
    /* chorus_time_parse checks the calendar (days per month, leap years). */
    parse__fmt(iso, sizeof(iso), "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, hh, mi, sec);
    if (chorus_time_parse(iso, strlen(iso), &t) != 0)
        return -1;
    *out = t - (int64_t)z * 60;
    return 0;
}

int parse__date(const char *s, size_t n, int64_t *out)
{
    char tmp[40];

    while (n > 0 && blank(*s)) {
        s++;
        n--;
    }
    while (n > 0 && blank(s[n - 1]))
        n--;
    if (n == 0 || n > 64)
        return -1;
    if (chorus_time_parse(s, n, out) == 0)
        return 0;
    /* "2014-04-30T05:10:25" with no zone: read as UTC. */
    if (n >= 19 && n < sizeof(tmp) - 1 && s[4] == '-' && (s[10] == 'T' || s[10] == ' ') &&
        digit(s[n - 1])) {
        memcpy(tmp, s, n);
        tmp[n] = 'Z';
        if (chorus_time_parse(tmp, n + 1, out) == 0)
            return 0;
    }
    return rfc822(s, n, out);
}
