/* text_words and text_stopword. */
#include "testmain.h"

#include <stdlib.h>

#include "chorus/text.h"

#define MAXW 64

struct got {
    char w[MAXW][TEXT_WORD_MAX];
    size_t start[MAXW], end[MAXW];
    size_t n;
    size_t stop_after; /* 0: never stop */
};

static int collect(void *ctx, const char *word, size_t len, size_t start, size_t end)
{
    struct got *g = ctx;

    assert_true(len > 0 && len < TEXT_WORD_MAX);
    assert_int_equal(strlen(word), len);
    assert_true(start < end);
    assert_true(g->n < MAXW);
    memcpy(g->w[g->n], word, len + 1);
    g->start[g->n] = start;
    g->end[g->n] = end;
    g->n++;
    return g->stop_after && g->n == g->stop_after ? 7 : 0;
}

/* words runs text_words over s (n bytes) and checks the words against the
 * NULL-terminated list want. */
static struct got *words(const char *s, size_t n, const char *const *want)
{
    static struct got g;
    size_t i;

    memset(&g, 0, sizeof(g));
    assert_int_equal(text_words(s, n, collect, &g), 0);
    for (i = 0; want[i]; i++) {
        if (i >= g.n)
            fail_msg("word %zu: want \"%s\", text has only %zu words", i, want[i], g.n);
        assert_string_equal(g.w[i], want[i]);
    }
    assert_int_equal(g.n, i);
    return &g;
}

/* run collects the words of s without checking them. */
static struct got *run(const char *s, size_t n)
{
    static struct got g;

    memset(&g, 0, sizeof(g));
    assert_int_equal(text_words(s, n, collect, &g), 0);
    return &g;
}

#define WORDS(s, ...) words((s), strlen(s), (const char *const[]){__VA_ARGS__, NULL})

CHORUS_TEST(words_basic)
{
    struct got *g;

    g = WORDS("The FAN is   loud, isn't it?", "the", "fan", "is", "loud", "isn't", "it");
    assert_int_equal(g->start[1], 4);
    assert_int_equal(g->end[1], 7);
    assert_int_equal(g->start[4], 19);
    assert_int_equal(g->end[4], 24);
    g = WORDS("i7-1165G7 (2023) USB-C\tx", "i7", "1165g7", "2023", "usb", "c", "x");
    assert_int_equal(g->start[5], 23);
    assert_int_equal(g->end[5], 24);
    g = WORDS("a_b+c/d", "a", "b", "c", "d");
    assert_int_equal(text_words(NULL, 0, collect, g), 0);
    assert_int_equal(text_words("", 0, collect, g), 0);
    g = WORDS("  ,.;  ", NULL);
    assert_int_equal(g->n, 0);
    /* s need not be NUL-terminated: only len bytes are read. */
    g = words("hinge cracked", 5, (const char *const[]){"hinge", NULL});
}

CHORUS_TEST(words_apostrophes)
{
    struct got *g;

    /* U+2019 inside a word becomes ASCII "'"; offsets still cover the input. */
    g = WORDS("Don\xE2\x80\x99t STOP", "don't", "stop");
    assert_int_equal(g->start[0], 0);
    assert_int_equal(g->end[0], 7);
    assert_int_equal(g->start[1], 8);
    WORDS("won't it's I'm rock'n'roll", "won't", "it's", "i'm", "rock'n'roll");
    /* Apostrophes at the edges, doubled, or quoting are not part of words. */
    g = WORDS("'quoted' dogs' o''clock ' x'", "quoted", "dogs", "o", "clock", "x");
    assert_int_equal(g->end[1], 13); /* "dogs", not "dogs'" */
    WORDS("\xE2\x80\x98smart\xE2\x80\x99 it\xE2\x80\x99s", "smart", "it's");
    /* A left quote U+2018 is punctuation, never an apostrophe. */
    WORDS("don\xE2\x80\x98t", "don", "t");
}

CHORUS_TEST(words_utf8)
{
    struct got *g;

    /* Non-ASCII letters are kept as they are (only ASCII is folded). */
    g = WORDS("\xC3\x89"
              "cran tr\xC3\xA8s LUMINEUX",
              "\xC3\x89"
              "cran",
              "tr\xC3\xA8s", "lumineux");
    assert_int_equal(g->end[0], 6);
    WORDS("\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 \xE6\x97\xA5\xE6\x9C\xAC",
          "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82", "\xE6\x97\xA5\xE6\x9C\xAC");
    /* Unicode punctuation, spaces and emoji separate words. */
    g = WORDS("\xE2\x80\x9C"
              "battery\xE2\x80\x9D",
              "battery");
    assert_int_equal(g->start[0], 3);
    assert_int_equal(g->end[0], 10);
    WORDS("fan\xE2\x80\x94loud\xE2\x80\xA6", "fan", "loud");
    WORDS("great\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD screen", "great", "screen");
    WORDS("wi\xC2\xA0"
          "fi \xC2\xABusb\xC2\xBB",
          "wi", "fi", "usb");
    WORDS("\xEF\xBB\xBFok\xE3\x80\x82yes", "ok", "yes");
}

CHORUS_TEST(words_invalid_bytes)
{
    struct got *g;

    g = WORDS("ab\xFF"
              "cd",
              "ab", "cd");
    assert_int_equal(g->start[1], 3);
    WORDS("x\xC0\xAFy", "x", "y");                               /* overlong "/" */
    WORDS("x\xED\xA0\x80y", "x", "y");                           /* surrogate */
    WORDS("x\xF4\x90\x80\x80y", "x", "y");                       /* past U+10FFFF */
    WORDS("x\x80y\xBF", "x", "y");                               /* stray continuation bytes */
    WORDS("ab\xE2\x80", "ab");                                   /* truncated at the end */
    g = words("a\0b", 3, (const char *const[]){"a", "b", NULL}); /* NUL separates */
    assert_int_equal(g->start[1], 2);
}

CHORUS_TEST(words_long)
{
    char s[300];
    struct got *g;

    /* 100 letters: a piece of 63 bytes, then the other 37. */
    memset(s, 'A', 100);
    s[100] = '\0';
    g = run(s, 100);
    assert_int_equal(g->n, 2);
    assert_int_equal(strlen(g->w[0]), TEXT_WORD_MAX - 1);
    assert_int_equal(g->w[0][0], 'a');
    assert_int_equal(g->start[0], 0);
    assert_int_equal(g->end[0], 63);
    assert_int_equal(strlen(g->w[1]), 37);
    assert_int_equal(g->start[1], 63);
    assert_int_equal(g->end[1], 100);

    /* 40 x "é" (80 bytes): the cut falls on a character boundary. */
    s[0] = '\0';
    for (int i = 0; i < 40; i++)
        strcat(s, "\xC3\xA9");
    g = run(s, strlen(s));
    assert_int_equal(g->n, 2);
    assert_int_equal(strlen(g->w[0]), 62);
    assert_int_equal(strlen(g->w[1]), 18);
    assert_int_equal(g->end[0], g->start[1]);

    /* An apostrophe that would end a piece is dropped. */
    memset(s, 'b', 63);
    memcpy(s + 63, "'s ok", 6);
    g = run(s, strlen(s));
    assert_int_equal(g->n, 3);
    assert_int_equal(strlen(g->w[0]), 63);
    assert_string_equal(g->w[1], "s");
    assert_string_equal(g->w[2], "ok");
    /* 61 letters, then "'s": fits exactly. */
    memset(s, 'b', 61);
    memcpy(s + 61, "'s", 3);
    g = run(s, strlen(s));
    assert_int_equal(g->n, 1);
    assert_int_equal(strlen(g->w[0]), 64 - 1);
    assert_string_equal(g->w[0] + 60, "b's");
}

CHORUS_TEST(words_callback_stop)
{
    struct got g;
    const char *s = "one two three four";

    memset(&g, 0, sizeof(g));
    g.stop_after = 2;
    assert_int_equal(text_words(s, strlen(s), collect, &g), 7);
    assert_int_equal(g.n, 2);
    /* Stopping on the last word still returns the callback's value. */
    memset(&g, 0, sizeof(g));
    g.stop_after = 4;
    assert_int_equal(text_words(s, strlen(s), collect, &g), 7);
    assert_int_equal(g.n, 4);
}

CHORUS_TEST(stopwords)
{
    static const char *const yes[] = {
        "a",    "yourselves", "the",   "and",  "don't",  "dont", "it's",    "i'm",
        "i've", "won't",      "would", "also", "really", "just", "product", "products",
        "item", "one",        "get",   "got",  "is",     "was",  "very",    "this",
    };
    static const char *const no[] = {
        "laptop", "battery", "screen", "drains", "fan", "hinge", "great", "The", "", "zzz", "aa",
    };

    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        if (!text_stopword(yes[i]))
            fail_msg("\"%s\" should be a stop word", yes[i]);
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        if (text_stopword(no[i]))
            fail_msg("\"%s\" should not be a stop word", no[i]);
    assert_false(text_stopword(NULL));
}
