/* text_taxonomy_parse, _load, _default and the accessors. */
#include "testmain.h"

#include <stdlib.h>
#include <unistd.h>

#include "chorus/base.h"
#include "chorus/text.h"

static struct text_taxonomy *parse_ok(const char *doc)
{
    struct text_taxonomy *t = NULL;
    char err[256];

    if (text_taxonomy_parse(&t, doc, strlen(doc), err, sizeof(err)) != 0)
        fail_msg("parse failed: %s", err);
    assert_non_null(t);
    return t;
}

/* parse_error checks that doc fails with a sentence containing want, that
 * *out is left alone, and that a NULL errbuf gives the same code. */
static void parse_error_n(const char *doc, size_t len, const char *want)
{
    struct text_taxonomy *t = (struct text_taxonomy *)&t;
    char err[256];

    memset(err, 'x', sizeof(err));
    assert_int_equal(text_taxonomy_parse(&t, doc, len, err, sizeof(err)), CHORUS_EINVAL);
    assert_ptr_equal(t, (struct text_taxonomy *)&t);
    if (!strstr(err, want))
        fail_msg("\"%s\" lacks \"%s\"", err, want);
    assert_true(chorus_utf8_valid(err, strlen(err)));
    assert_int_equal(text_taxonomy_parse(&t, doc, len, NULL, 0), CHORUS_EINVAL);
    /* A small errbuf gets a cut, terminated sentence. */
    assert_int_equal(text_taxonomy_parse(&t, doc, len, err, 9), CHORUS_EINVAL);
    assert_true(strlen(err) < 9);
}

static void parse_error(const char *doc, const char *want)
{
    parse_error_n(doc, strlen(doc), want);
}

CHORUS_TEST(taxonomy_parse_valid)
{
    struct text_taxonomy *t;

    t = parse_ok("\xEF\xBB\xBF# comment | with | bars\r\n"
                 "\n"
                 "   \t\n"
                 "battery | Battery life | Battery, WON'T charge , drain*\r\n"
                 "  # indented comment\n"
                 "fan-heat|Fan and heat|fan\n"
                 "x_1 | \xC3\x89"
                 "cran \xE2\x80\x94 display | \xC3\xA9"
                 "cran, usb-c, wi fi");
    assert_int_equal(text_taxonomy_count(t), 3);
    assert_string_equal(text_taxonomy_id(t, 0), "battery");
    assert_string_equal(text_taxonomy_label(t, 0), "Battery life");
    assert_string_equal(text_taxonomy_id(t, 1), "fan-heat");
    assert_string_equal(text_taxonomy_label(t, 1), "Fan and heat");
    assert_string_equal(text_taxonomy_id(t, 2), "x_1");
    assert_string_equal(text_taxonomy_label(t, 2), "\xC3\x89"
                                                   "cran \xE2\x80\x94 display");
    assert_null(text_taxonomy_id(t, 3));
    assert_null(text_taxonomy_label(t, 3));
    assert_int_equal(text_taxonomy_find(t, "fan-heat"), 1);
    assert_int_equal(text_taxonomy_find(t, "x_1"), 2);
    assert_int_equal(text_taxonomy_find(t, "Battery"), -1);
    assert_int_equal(text_taxonomy_find(t, "none"), -1);
    text_taxonomy_free(t);

    /* Phrases are folded: the matcher reports them lowercased. */
    t = parse_ok("a | A | Lid WOBBLE*, USB-C");
    {
        struct text_match m[4];
        size_t n = 9;

        assert_int_equal(text_components(t, "usb-c lid wobbles", NULL, m, 4, &n), 0);
        assert_int_equal(n, 2);
        assert_string_equal(m[0].phrase, "lid wobble*");
        assert_string_equal(m[1].phrase, "usb-c");
    }
    text_taxonomy_free(t);
    /* The last line needs no newline; a final newline is fine too. */
    t = parse_ok("a | A | b\n");
    text_taxonomy_free(t);
    text_taxonomy_free(NULL);
    assert_int_equal(text_taxonomy_count(NULL), 0);
    assert_int_equal(text_taxonomy_find(NULL, "a"), -1);
}

CHORUS_TEST(taxonomy_parse_errors)
{
    parse_error("# ok\nbattery | Battery | battery\nBad Id | X | y\n",
                "line 3: component id \"Bad Id\" may only use a-z, 0-9, '-' and '_'.");
    parse_error("a.b | X | y", "line 1: component id \"a.b\" may only use a-z, 0-9, '-' and '_'.");
    parse_error("\n | X | y", "line 2: the component id is empty.");
    parse_error("a | A | b\n\nb | B | c\na | C | d\n",
                "line 4: component id \"a\" is already used on line 1.");
    parse_error("a | A | b\nc | C\n", "line 2: a component is written \"id | Label | phrase, "
                                      "phrase, ...\" with exactly two '|'.");
    parse_error("just words\n", "line 1: a component is written");
    parse_error("a | A | b | c\n", "line 1: a component is written");
    parse_error("a |  | b\n", "line 1: the label of component \"a\" must be 1 to 100 bytes.");
    parse_error("a | A | \n", "line 1: component \"a\" has no phrases.");
    parse_error("a | A | b,, c\n", "line 1: component \"a\" has an empty phrase");
    parse_error("a | A | b, c,\n", "line 1: component \"a\" has an empty phrase");
    parse_error("a | A | b, fan*noise\n", "line 1: phrase \"fan*noise\" may use '*' only once");
    parse_error("a | A | b, fan**\n", "line 1: phrase \"fan**\" may use '*' only once");
    parse_error("a | A | fan *\n",
                "line 1: phrase \"fan *\" must have its '*' right after a letter or digit.");
    parse_error("a | A | usb-*\n", "must have its '*' right after a letter or digit.");
    parse_error("a | A | *\n", "line 1: phrase \"*\" has no words (letters or digits).");
    parse_error("a | A | b\nc | C | ok, ?!\n", "line 2: phrase \"?!\" has no words");
    parse_error("w | W | wifi, wi-fi, Wi Fi\n",
                "line 1: phrase \"Wi Fi\" repeats \"wi-fi\" in component \"w\".");
    parse_error("w | W | fan*, fan, FAN*\n", "line 1: phrase \"FAN*\" repeats \"fan*\"");
    parse_error("a | A | b\nc | C | d\xFF\n",
                "line 2: is not valid UTF-8 (or contains a NUL byte).");
    parse_error_n("a | A | b\n# x\0y\n", 16, "line 2: is not valid UTF-8");
    parse_error("a | A | b\x01\n", "line 1: contains a control character.");
    parse_error("", "The taxonomy lists no components.");
    parse_error("# only a comment\n\n", "The taxonomy lists no components.");
    parse_error_n(NULL, 0, "The taxonomy lists no components.");
}

CHORUS_TEST(taxonomy_limits)
{
    struct buf b;
    struct text_taxonomy *t;
    char phrase[TEXT_MAX_PHRASE + 2], err[256];

    buf_init(&b, 0);
    /* ids: 32 bytes fine, 33 too long (quoted back cut, with "..."). */
    assert_int_equal(buf_printf(&b, "%s | A | b\n", "abcdefghijklmnopqrstuvwxyz012345"), 0);
    t = parse_ok(b.data);
    text_taxonomy_free(t);
    parse_error("abcdefghijklmnopqrstuvwxyz0123456 | A | b\n",
                "line 1: component id \"abcdefghijklmnopqrstuvwxyz0123456\" is longer than 32 "
                "bytes.");
    buf_reset(&b);
    for (int i = 0; i < 100; i++)
        buf_putc(&b, 'Q');
    assert_int_equal(buf_puts(&b, " | A | b"), 0);
    parse_error(b.data, "line 1: component id \"QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ...\" is "
                        "longer than 32 bytes.");

    /* Labels: 100 bytes fine, 101 not. */
    buf_reset(&b);
    buf_puts(&b, "a | ");
    for (int i = 0; i < 50; i++)
        buf_puts(&b, "\xC3\xA9"); /* 100 bytes */
    buf_puts(&b, " | b");
    t = parse_ok(b.data);
    assert_int_equal(strlen(text_taxonomy_label(t, 0)), 100);
    text_taxonomy_free(t);
    buf_reset(&b);
    buf_puts(&b, "a | ");
    for (int i = 0; i < 101; i++)
        buf_putc(&b, 'L');
    buf_puts(&b, " | b");
    parse_error(b.data, "line 1: the label of component \"a\" must be 1 to 100 bytes.");

    /* Phrases: 100 bytes fine, 101 not. */
    memset(phrase, 'p', TEXT_MAX_PHRASE);
    phrase[TEXT_MAX_PHRASE] = '\0';
    buf_reset(&b);
    buf_printf(&b, "a | A | %s", phrase);
    t = parse_ok(b.data);
    text_taxonomy_free(t);
    phrase[TEXT_MAX_PHRASE] = 'p';
    phrase[TEXT_MAX_PHRASE + 1] = '\0';
    buf_reset(&b);
    buf_printf(&b, "a | A | x\n\nb | B | %s", phrase);
    parse_error(b.data, "line 3: phrase \"pppppppppppppppppppppppppppppppppppppppp...\" is longer "
                        "than 100 bytes.");
    /* A phrase of 50 one-letter words is the most words a phrase can have. */
    buf_reset(&b);
    buf_puts(&b, "a | A | ");
    for (int i = 0; i < 50; i++)
        buf_puts(&b, i ? " w" : "w");
    t = parse_ok(b.data);
    text_taxonomy_free(t);

    /* 256 phrases per component fine, 257 not. */
    buf_reset(&b);
    buf_puts(&b, "a | A | b\nc | C | ");
    for (int i = 0; i < TEXT_MAX_PHRASES; i++)
        buf_printf(&b, "%sp%d", i ? ", " : "", i);
    t = parse_ok(b.data);
    text_taxonomy_free(t);
    buf_puts(&b, ", one more");
    parse_error(b.data, "line 2: component \"c\" has more than 256 phrases.");

    /* 64 components fine, 65 not. */
    buf_reset(&b);
    for (int i = 0; i < TEXT_MAX_COMPONENTS; i++)
        buf_printf(&b, "c%d | C | w%d\n", i, i);
    t = parse_ok(b.data);
    assert_int_equal(text_taxonomy_count(t), TEXT_MAX_COMPONENTS);
    assert_int_equal(text_taxonomy_find(t, "c63"), 63);
    text_taxonomy_free(t);
    buf_puts(&b, "# comment\nlast | L | x\n");
    parse_error(b.data, "line 66: the taxonomy has more than 64 components.");

    /* The document: 1 MiB fine (mostly comment), one byte more not. */
    buf_reset(&b);
    buf_puts(&b, "a | A | b\n#");
    while (b.len < (1u << 20))
        buf_putc(&b, 'x');
    assert_int_equal(text_taxonomy_parse(&t, b.data, b.len, err, sizeof(err)), 0);
    text_taxonomy_free(t);
    buf_putc(&b, 'x');
    parse_error_n(b.data, b.len, "The taxonomy is larger than 1 MiB");
    buf_cleanup(&b);
}

CHORUS_TEST(taxonomy_load)
{
    char path[] = "/tmp/chorus-taxonomy-XXXXXX", err[256];
    struct text_taxonomy *t = NULL;
    FILE *f;
    int fd;

    fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    assert_non_null(f);
    fputs("# test\nhinge | Hinge | hinge*\nfan | Fan | fan\n", f);
    fclose(f);
    assert_int_equal(text_taxonomy_load(&t, path, err, sizeof(err)), 0);
    assert_int_equal(text_taxonomy_count(t), 2);
    assert_string_equal(text_taxonomy_id(t, 1), "fan");
    text_taxonomy_free(t);

    /* Parse errors come through with their line. */
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("hinge | Hinge | hinge*\n\nBAD | x | y\n", f);
    fclose(f);
    t = NULL;
    assert_int_equal(text_taxonomy_load(&t, path, err, sizeof(err)), CHORUS_EINVAL);
    assert_null(t);
    assert_non_null(strstr(err, "line 3: component id \"BAD\""));

    /* Too large. */
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("a | A | b\n#", f);
    for (int i = 0; i < (1 << 20); i++)
        fputc('x', f);
    fclose(f);
    assert_int_equal(text_taxonomy_load(&t, path, err, sizeof(err)), CHORUS_EINVAL);
    assert_non_null(strstr(err, "larger than 1 MiB"));
    assert_null(t);

    unlink(path);
    assert_int_equal(text_taxonomy_load(&t, path, err, sizeof(err)), CHORUS_EIO);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "cannot open taxonomy"));
    assert_null(t);
    assert_int_equal(text_taxonomy_load(&t, NULL, err, sizeof(err)), CHORUS_EINVAL);
}

CHORUS_TEST(taxonomy_default_ids)
{
    static const char *const want[][2] = {
        {"battery", "Battery"},
        {"hinge", "Hinge"},
        {"keyboard", "Keyboard"},
        {"touchpad", "Touchpad"},
        {"fan-heat", "Fan and heat"},
        {"display", "Display"},
        {"wireless", "Wi-Fi and Bluetooth"},
        {"firmware", "BIOS and firmware"},
        {"drivers", "Drivers"},
        {"ports", "Dock and ports"},
        {"shipping", "Shipping"},
        {"support", "Support"},
    };
    struct text_taxonomy *t = NULL;
    size_t n = sizeof(want) / sizeof(want[0]);

    assert_int_equal(text_taxonomy_default(&t), 0);
    assert_int_equal(text_taxonomy_count(t), n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(text_taxonomy_id(t, i), want[i][0]);
        assert_string_equal(text_taxonomy_label(t, i), want[i][1]);
        assert_int_equal(text_taxonomy_find(t, want[i][0]), (int)i);
    }
    text_taxonomy_free(t);
}
