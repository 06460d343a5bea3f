/* RFC 3339 times (base/time.c): offsets, fractions, bare dates, the
 * calendar's edges, malformed input, and formatting (clamped to years
 * 0000..9999) back and forth. */
#include "testmain.h"

#include <stdlib.h>

#include "chorus/base.h"

static int64_t parse_ok(const char *s)
{
    int64_t t = 0x5a5a5a5a;

    if (chorus_time_parse(s, strlen(s), &t) != 0)
        fail_msg("\"%s\" was refused", s);
    return t;
}

static void parse_bad(const char *s)
{
    int64_t t = 0x5a5a5a5a;

    if (chorus_time_parse(s, strlen(s), &t) != CHORUS_EINVAL)
        fail_msg("\"%s\" was accepted", s);
}

#define JAN13 1484265600 /* 2017-01-13T00:00:00Z */

CHORUS_TEST(utc_times)
{
    assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(parse_ok("2017-01-13T00:00:00Z"), JAN13);
    assert_int_equal(parse_ok("2017-01-13t00:00:00z"), JAN13);
    assert_int_equal(parse_ok("2017-01-13 00:00:00Z"), JAN13);
    assert_int_equal(parse_ok("2017-01-13T12:34:56Z"), JAN13 + 12 * 3600 + 34 * 60 + 56);
    assert_int_equal(parse_ok("1969-12-31T23:59:59Z"), -1);
    assert_int_equal(parse_ok("2000-02-29T00:00:00Z"), 951782400);
    assert_int_equal(parse_ok("2038-01-19T03:14:08Z"), 2147483648LL); /* past 32 bits */
    assert_int_equal(parse_ok("9999-12-31T23:59:59Z"), 253402300799LL);
    assert_int_equal(parse_ok("0000-01-01T00:00:00Z"), -62167219200LL);
    /* A leap second reads as the start of the next minute. */
    assert_int_equal(parse_ok("2016-12-31T23:59:60Z"), parse_ok("2017-01-01T00:00:00Z"));
}

CHORUS_TEST(offsets)
{
    assert_int_equal(parse_ok("2017-01-13T02:00:00+02:00"), JAN13);
    assert_int_equal(parse_ok("2017-01-12T19:00:00-05:00"), JAN13);
    assert_int_equal(parse_ok("2017-01-13T05:30:00+05:30"), JAN13);
    assert_int_equal(parse_ok("2017-01-13T00:00:00+00:00"), JAN13);
    assert_int_equal(parse_ok("2017-01-13T00:00:00-00:00"), JAN13);
    assert_int_equal(parse_ok("2017-01-13T23:59:00+23:59"), JAN13);
    assert_int_equal(parse_ok("2017-01-12T00:01:00-23:59"), JAN13);
    /* Offsets move across days, months and years. */
    assert_int_equal(parse_ok("2017-01-01T00:30:00+01:00"), parse_ok("2016-12-31T23:30:00Z"));
    assert_int_equal(parse_ok("2016-02-28T23:00:00-02:00"), parse_ok("2016-02-29T01:00:00Z"));
}

CHORUS_TEST(fractions)
{
    assert_int_equal(parse_ok("2017-01-13T00:00:00.000Z"), JAN13);
    assert_int_equal(parse_ok("2017-01-13T00:00:00.999999999Z"), JAN13);
    assert_int_equal(parse_ok("2017-01-13T00:00:00.5+02:00"), JAN13 - 7200);
    assert_int_equal(parse_ok("2017-01-13T00:00:01.9Z"), JAN13 + 1); /* dropped, not rounded */
    parse_bad("2017-01-13T00:00:00.Z");
    parse_bad("2017-01-13T00:00:00.");
    parse_bad("2017-01-13T00:00:00,5Z");
    parse_bad("2017-01-13T00:00:00.5");
    parse_bad("2017-01-13T00:00:00.5.5Z");
    parse_bad("2017-01-13T00:00:00.x5Z");
}

CHORUS_TEST(bare_dates)
{
    assert_int_equal(parse_ok("2017-01-13"), JAN13);
    assert_int_equal(parse_ok("1970-01-01"), 0);
    assert_int_equal(parse_ok("2000-02-29"), 951782400);
    assert_int_equal(parse_ok("2004-02-29"), parse_ok("2004-03-01") - 86400);
    assert_int_equal(parse_ok("2017-12-31") + 86400, parse_ok("2018-01-01"));
    parse_bad("1900-02-29"); /* not a leap year */
    parse_bad("2017-02-29");
    parse_bad("2017-02-30");
    parse_bad("2017-04-31");
    parse_bad("2017-06-31");
    parse_bad("2017-09-31");
    parse_bad("2017-11-31");
    parse_bad("2017-01-32");
    parse_bad("2017-13-01");
    parse_bad("2017-00-10");
    parse_bad("2017-01-00");
    /* Every day of 2016 and 2017 follows the day before. */
    {
        static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int64_t prev = parse_ok("2015-12-31");

        for (int y = 2016; y <= 2017; y++)
            for (int m = 1; m <= 12; m++)
                for (int d = 1; d <= mdays[m - 1] + (m == 2 && y == 2016); d++) {
                    char s[40];
                    int64_t t;

                    snprintf(s, sizeof(s), "%04d-%02d-%02d", y, m, d);
                    t = parse_ok(s);
                    assert_int_equal(t, prev + 86400);
                    prev = t;
                }
    }
}

CHORUS_TEST(bad_input)
{
    static const char *const bad[] = {
        "",
        "2017",
        "2017-01",
        "2017-1-13",
        "17-01-13",
        "2017/01/13",
        "20170113",
        "2017-01-13T",
        "2017-01-13X00:00:00Z",
        "2017-01-13T00:00Z",
        "2017-01-13T00:00:00",
        "2017-01-13T0:00:00Z",
        "2017-01-13T24:00:00Z",
        "2017-01-13T23:60:00Z",
        "2017-01-13T23:59:61Z",
        "2017-01-13T00:00:00+2:00",
        "2017-01-13T00:00:00+02",
        "2017-01-13T00:00:00+0200",
        "2017-01-13T00:00:00+24:00",
        "2017-01-13T00:00:00+02:60",
        "2017-01-13T00:00:00 +02:00",
        "2017-01-13T00:00:00ZZ",
        "2017-01-13T00:00:00Z ",
        "2017-01-13T00:00:00+02:00Z",
        " 2017-01-13",
        "2017-01-13 ",
        "2017-01-13x",
        "+2017-01-13",
        "-017-01-13",
        "2017-0a-13",
        "2017-01-1\xd9\xa3", /* an Arabic-Indic digit */
        "\xef\xbc\x92\xef\xbc\x90\xef\xbc\x91\xef\xbc\x97-01-13",
        "2017-01-13T00:00:00UTC",
        "2017-01-13T00:00:00GMT",
        "Fri, 13 Jan 2017 00:00:00 GMT",
        "1484265600",
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        parse_bad(bad[i]);
}

CHORUS_TEST(length_is_honoured)
{
    static const char s[] = "2017-01-13T00:00:00Z";
    int64_t t = 0;

    /* The first ten bytes are a bare date; nothing after n is read. */
    assert_int_equal(chorus_time_parse(s, 10, &t), 0);
    assert_int_equal(t, JAN13);
    assert_int_equal(chorus_time_parse(s, 19, &t), CHORUS_EINVAL);
    assert_int_equal(chorus_time_parse(s, 11, &t), CHORUS_EINVAL);
    assert_int_equal(chorus_time_parse(s, 9, &t), CHORUS_EINVAL);
    assert_int_equal(chorus_time_parse(s, 0, &t), CHORUS_EINVAL);
    /* A NUL inside the given length is not an end. */
    assert_int_equal(chorus_time_parse("2017-01-13\0", 11, &t), CHORUS_EINVAL);
    assert_int_equal(chorus_time_parse("2017-01-13T00:00:00Z\0", 21, &t), CHORUS_EINVAL);
}

static const char *fmt(int64_t t)
{
    static char out[32];

    memset(out, 'Z', sizeof(out));
    assert_int_equal(chorus_time_format(t, out), 20);
    assert_int_equal(strlen(out), 20);
    return out;
}

CHORUS_TEST(format)
{
    assert_string_equal(fmt(0), "1970-01-01T00:00:00Z");
    assert_string_equal(fmt(JAN13), "2017-01-13T00:00:00Z");
    assert_string_equal(fmt(JAN13 + 45296), "2017-01-13T12:34:56Z");
    assert_string_equal(fmt(951782400), "2000-02-29T00:00:00Z");
    assert_string_equal(fmt(951782400 + 86400), "2000-03-01T00:00:00Z");
    assert_string_equal(fmt(-1), "1969-12-31T23:59:59Z");
    assert_string_equal(fmt(-86400), "1969-12-31T00:00:00Z");
    assert_string_equal(fmt(-86401), "1969-12-30T23:59:59Z");
    assert_string_equal(fmt(2147483648LL), "2038-01-19T03:14:08Z");
    assert_string_equal(fmt(253402300799LL), "9999-12-31T23:59:59Z");
    assert_string_equal(fmt(-62167219200LL), "0000-01-01T00:00:00Z");
    /* Outside four-digit years: clamped, never a fifth digit or a sign. */
    assert_string_equal(fmt(253402300800LL), "9999-12-31T23:59:59Z");
    assert_string_equal(fmt(-62167219201LL), "0000-01-01T00:00:00Z");
    assert_string_equal(fmt(INT64_MAX), "9999-12-31T23:59:59Z");
    assert_string_equal(fmt(INT64_MAX - 1), "9999-12-31T23:59:59Z");
    assert_string_equal(fmt(INT64_MIN + 1), "0000-01-01T00:00:00Z");
    assert_string_equal(fmt(INT64_MIN), "0000-01-01T00:00:00Z");
}

CHORUS_TEST(round_trip)
{
    uint64_t x = 0x2545f4914f6cdd1dULL;
    const int64_t lo = -62167219200LL, hi = 253402300799LL;

    for (int i = 0; i < 200000; i++) {
        int64_t t, back = 0;
        const char *s;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        t = lo + (int64_t)(x % (uint64_t)(hi - lo + 1));
        if (i < 100)
            t = i % 2 ? lo + i : hi - i;
        s = fmt(t);
        assert_int_equal(chorus_time_parse(s, 20, &back), 0);
        if (back != t)
            fail_msg("%lld -> %s -> %lld", (long long)t, s, (long long)back);
    }
}

CHORUS_TEST(now_is_recent)
{
    int64_t t = chorus_now();

    assert_true(t > 1700000000); /* after November 2023 */
    assert_true(t < 253402300799LL);
}

CHORUS_TEST_MAIN()
