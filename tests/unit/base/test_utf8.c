/* UTF-8 (base/utf8.c): the one definition of valid text. Boundaries of
 * every sequence length, overlongs, surrogates, values past U+10FFFF,
 * truncation, NUL; decoding; scrubbing hostile bytes; counting; and
 * chorus_fmt never ending in half a character. */
#include "testmain.h"

#include <stdlib.h>

#include "chorus/base.h"

#define V(s) chorus_utf8_valid(s, sizeof(s) - 1)

CHORUS_TEST(valid_text)
{
    assert_true(chorus_utf8_valid("", 0));
    assert_true(V("plain ASCII ~\x7f"));
    assert_true(V("\x01\x1f"));         /* controls are valid UTF-8 (NUL is not allowed) */
    assert_true(V("\xc2\x80"));         /* U+0080, the first two-byte */
    assert_true(V("\xdf\xbf"));         /* U+07FF */
    assert_true(V("\xe0\xa0\x80"));     /* U+0800, the first three-byte */
    assert_true(V("\xed\x9f\xbf"));     /* U+D7FF, just below the surrogates */
    assert_true(V("\xee\x80\x80"));     /* U+E000, just above them */
    assert_true(V("\xef\xbf\xbf"));     /* U+FFFF */
    assert_true(V("\xef\xbb\xbf"));     /* a BOM is a character */
    assert_true(V("\xf0\x90\x80\x80")); /* U+10000, the first four-byte */
    assert_true(V("\xf4\x8f\xbf\xbf")); /* U+10FFFF, the last */
    assert_true(V("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80!"));
}

CHORUS_TEST(invalid_text)
{
    static const char *const bad[] = {
        "\xc0\x80",                 /* overlong NUL */
        "\xc0\xaf",                 /* overlong '/' */
        "\xc1\xbf",                 /* overlong U+007F */
        "\xe0\x80\x80",             /* overlong three-byte */
        "\xe0\x9f\xbf",             /* overlong U+07FF */
        "\xf0\x80\x80\x80",         /* overlong four-byte */
        "\xf0\x8f\xbf\xbf",         /* overlong U+FFFF */
        "\xed\xa0\x80",             /* U+D800 */
        "\xed\xbf\xbf",             /* U+DFFF */
        "\xed\xa0\xbd\xed\xb8\x80", /* a surrogate pair (CESU-8) */
        "\xf4\x90\x80\x80",         /* U+110000 */
        "\xf5\x80\x80\x80",         /* past U+10FFFF by lead */
        "\xf7\xbf\xbf\xbf",         /* U+1FFFFF */
        "\xf8\x88\x80\x80\x80",     /* five bytes */
        "\xfc\x84\x80\x80\x80\x80", /* six bytes */
        "\xfe",
        "\xff",
        "\x80", /* lone continuation */
        "\xbf",
        "a\x80z",
        "\xc3", /* truncated at the end */
        "\xe2\x82",
        "\xf0\x9f\x98",
        "\xe2\x82z",            /* truncated before ASCII */
        "\xc3\xc3\xa9",         /* a lead where a continuation belongs */
        "\xf0\x9f\x98\x80\x80", /* one continuation too many */
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (chorus_utf8_valid(bad[i], strlen(bad[i])))
            fail_msg("bad[%zu] was accepted", i);
        /* and in the middle of good text */
        {
            char s[64];
            int n = snprintf(s, sizeof(s), "ok %s ok", bad[i]);

            assert_false(chorus_utf8_valid(s, (size_t)n));
        }
    }
    /* NUL anywhere. */
    assert_false(chorus_utf8_valid("\0", 1));
    assert_false(chorus_utf8_valid("a\0b", 3));
    assert_false(chorus_utf8_valid("ab\0", 3));
    /* n cuts a character: invalid even though the bytes after n finish it. */
    assert_false(chorus_utf8_valid("\xc3\xa9", 1));
    assert_false(chorus_utf8_valid("x\xf0\x9f\x98\x80", 4));
    assert_true(chorus_utf8_valid("x\xf0\x9f\x98\x80", 5));
    assert_true(chorus_utf8_valid("ab\0", 2));
}

CHORUS_TEST(decode)
{
    /* Input of n bytes, the length of the sequence at its start, and the
     * code point that sequence stands for. */
    static const struct {
        const char *s;
        size_t n, len;
        uint32_t cp;
    } good[] = {
        {"A", 1, 1, 'A'},
        {"\x7f", 1, 1, 0x7f},
        {"\xc2\x80", 2, 2, 0x80},
        {"\xc3\xa9xyz", 5, 2, 0xe9},
        {"\xe2\x82\xac", 3, 3, 0x20ac},
        {"\xef\xbf\xbf", 3, 3, 0xffff},
        {"\xf0\x9f\x98\x80", 4, 4, 0x1f600},
        {"\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff},
    };
    uint32_t cp = 0;

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        assert_int_equal(chorus_utf8_decode(good[i].s, good[i].n, &cp), good[i].len);
        assert_int_equal(cp, good[i].cp);
    }

    /* Nothing starts at these. */
    assert_int_equal(chorus_utf8_decode("\0", 1, &cp), 0);
    assert_int_equal(chorus_utf8_decode("\x80", 1, &cp), 0);
    assert_int_equal(chorus_utf8_decode("\xc0\x80", 2, &cp), 0);
    assert_int_equal(chorus_utf8_decode("\xe0\x9f\xbf", 3, &cp), 0);
    assert_int_equal(chorus_utf8_decode("\xf0\x8f\xbf\xbf", 4, &cp), 0);
    assert_int_equal(chorus_utf8_decode("\xed\xa0\x80", 3, &cp), 0);
    assert_int_equal(chorus_utf8_decode("\xed\xbf\xbf", 3, &cp), 0);
    assert_int_equal(chorus_utf8_decode("\xf4\x90\x80\x80", 4, &cp), 0);
    assert_int_equal(chorus_utf8_decode("\xf5\x80\x80\x80", 4, &cp), 0);
    assert_int_equal(chorus_utf8_decode("\xff", 1, &cp), 0);
    /* n is the end of the input even when more bytes follow in memory. */
    assert_int_equal(chorus_utf8_decode("\xc3\xa9", 1, &cp), 0);
    assert_int_equal(chorus_utf8_decode("\xe2\x82\xac", 2, &cp), 0);
    assert_int_equal(chorus_utf8_decode("\xf0\x9f\x98\x80", 3, &cp), 0);
    /* A continuation byte replaced by ASCII. */
    assert_int_equal(chorus_utf8_decode("\xe2"
                                        "a\xac",
                                        3, &cp),
                     0);
    assert_int_equal(chorus_utf8_decode("\xe2\x82"
                                        "a",
                                        3, &cp),
                     0);
}

/* Every code point, encoded by hand, decodes to itself; surrogates are
 * refused. */
CHORUS_TEST(decode_every_code_point)
{
    for (uint32_t c = 1; c <= 0x10ffff; c++) {
        unsigned char s[4];
        size_t n;
        uint32_t got = 0;

        if (c < 0x80) {
            s[0] = (unsigned char)c;
            n = 1;
        } else if (c < 0x800) {
            s[0] = (unsigned char)(0xc0 | c >> 6);
            s[1] = (unsigned char)(0x80 | (c & 0x3f));
            n = 2;
        } else if (c < 0x10000) {
            s[0] = (unsigned char)(0xe0 | c >> 12);
            s[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
            s[2] = (unsigned char)(0x80 | (c & 0x3f));
            n = 3;
        } else {
            s[0] = (unsigned char)(0xf0 | c >> 18);
            s[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3f));
            s[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
            s[3] = (unsigned char)(0x80 | (c & 0x3f));
            n = 4;
        }
        if (c >= 0xd800 && c <= 0xdfff) {
            assert_int_equal(chorus_utf8_decode((const char *)s, n, &got), 0);
            assert_false(chorus_utf8_valid((const char *)s, n));
            continue;
        }
        if (chorus_utf8_decode((const char *)s, n, &got) != n || got != c)
            fail_msg("U+%04X does not decode", (unsigned)c);
        assert_true(chorus_utf8_valid((const char *)s, n));
        assert_int_equal(chorus_utf8_chars((const char *)s, n), 1);
    }
}

CHORUS_TEST(scrub)
{
    struct {
        const char *in, *out;
    } cases[] = {
        {"plain", "plain"},      {"caf\xc3\xa9", "caf\xc3\xa9"},
        {"a\xc3(b", "a?(b"},     {"\xe2\x82", "??"},
        {"\xe2\x82z", "??z"},    {"\xc0\xaf", "??"},
        {"\xed\xa0\x80", "???"}, {"\xf4\x90\x80\x80", "????"},
        {"\xff\xfe", "??"},      {"\x80\xf0\x9f\x98\x80\x80", "?\xf0\x9f\x98\x80?"},
        {"\xf0\x9f\x98", "???"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char s[32];
        size_t n = strlen(cases[i].in);

        memcpy(s, cases[i].in, n + 1);
        chorus_utf8_scrub(s, n);
        assert_string_equal(s, cases[i].out);
        assert_true(chorus_utf8_valid(s, n));
    }
    /* NUL bytes inside become '?' too; bytes after n stay. */
    {
        char s[] = "a\0b\xff\xff";

        chorus_utf8_scrub(s, 4);
        assert_memory_equal(s, "a?b?\xff", 5);
    }
    /* n cuts a character: what is left of it is not valid. */
    {
        char s[] = "x\xc3\xa9";

        chorus_utf8_scrub(s, 2);
        assert_memory_equal(s, "x?\xa9", 3);
    }
}

/* Random bytes: scrubbing always gives valid text of the same length and
 * leaves valid text as it was. */
CHORUS_TEST(scrub_random)
{
    uint64_t x = 88172645463325252ULL;

    for (int round = 0; round < 20000; round++) {
        unsigned char s[24], t[24];
        size_t n = (size_t)(round % 24) + 1;

        for (size_t i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            /* Mostly bytes that make up sequences, so valid runs occur. */
            s[i] = (unsigned char)(x % 5 == 0 ? x >> 8 : 0x80 | ((x >> 8) & 0x7f));
            if (x % 7 == 0)
                s[i] = (unsigned char)(0xc2 + (x >> 16) % 0x33);
        }
        memcpy(t, s, n);
        chorus_utf8_scrub((char *)t, n);
        assert_true(chorus_utf8_valid((const char *)t, n));
        for (size_t i = 0; i < n; i++)
            assert_true(t[i] == s[i] || t[i] == '?');
        if (chorus_utf8_valid((const char *)s, n))
            assert_memory_equal(t, s, n);
    }
}

CHORUS_TEST(chars)
{
    assert_int_equal(chorus_utf8_chars("", 0), 0);
    assert_int_equal(chorus_utf8_chars("abc", 3), 3);
    assert_int_equal(chorus_utf8_chars("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 10), 4);
    assert_int_equal(chorus_utf8_chars("\xe2\x80\xa8\xe2\x80\xa8", 6), 2);
    assert_int_equal(chorus_utf8_chars("\xc3\xa9xyz", 2), 1);
}

/* The longest prefix of s at a character boundary that fits in cap - 1. */
static size_t best_cut(const char *s, size_t cap)
{
    size_t n = strlen(s), best = 0, i = 0;
    uint32_t cp;

    while (i < n) {
        size_t k = chorus_utf8_decode(s + i, n - i, &cp);

        assert_true(k > 0);
        if (i + k > cap - 1)
            break;
        i += k;
        best = i;
    }
    return best;
}

CHORUS_TEST(fmt_never_cuts_a_character)
{
    static const char *const texts[] = {
        "plain ascii text",
        "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
        "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac",
        "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80",
        "a\xc3\xa9"
        "b\xe2\x82\xac"
        "c\xf0\x9f\x98\x80"
        "d\xf4\x8f\xbf\xbf"
        "e",
    };

    for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
        size_t n = strlen(texts[t]);

        for (size_t cap = 1; cap <= n + 2; cap++) {
            char out[64];
            size_t want = cap > n ? n : best_cut(texts[t], cap);

            memset(out, 'Z', sizeof(out));
            chorus_fmt(out, cap, "%s", texts[t]);
            if (strlen(out) != want || memcmp(out, texts[t], want) != 0)
                fail_msg("text %zu cap %zu: got %zu bytes, want %zu", t, cap, strlen(out), want);
            assert_true(chorus_utf8_valid(out, strlen(out)));
            assert_int_equal(out[cap], 'Z'); /* nothing written past cap */
        }
    }
    /* With a prefix from the format itself. */
    {
        char out[8];

        chorus_fmt(out, sizeof(out), "id %d: %s", 7, "\xe2\x82\xac\xe2\x82\xac");
        assert_string_equal(out, "id 7: ");
        chorus_fmt(out, sizeof(out), "id %d:%s", 7, "\xe2\x82\xac\xe2\x82\xac");
        assert_string_equal(out, "id 7:");
        chorus_fmt(out, sizeof(out), "%s", "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
        assert_string_equal(out, "\xc3\xa9\xc3\xa9\xc3\xa9");
    }
    /* cap 0 and a NULL destination write nothing. */
    {
        char out[4] = "abc";

        chorus_fmt(out, 0, "%s", "x");
        assert_string_equal(out, "abc");
        chorus_fmt(NULL, 10, "%s", "x");
    }
}

CHORUS_TEST_MAIN()
