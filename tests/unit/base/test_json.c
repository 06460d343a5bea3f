/* chorus_json_str (base/json.c): every escape JSON needs, the HTML specials
 * and U+2028/2029 that make the output safe inside <script>, sequences that
 * only look like those, and a decoder round trip over hostile strings. */
#include "testmain.h"

#include <stdlib.h>

#include "chorus/base.h"

/* json_of renders s[0..n) and returns it in a static buffer. */
static const char *json_of(const char *s, size_t n)
{
    static char out[4096];
    struct buf b;

    buf_init(&b, 0);
    assert_int_equal(chorus_json_str(&b, s, n), 0);
    assert_true(b.len < sizeof(out));
    assert_int_equal(strlen(b.data), b.len);
    memcpy(out, b.data, b.len + 1);
    buf_cleanup(&b);
    return out;
}

CHORUS_TEST(plain_and_quotes)
{
    assert_string_equal(json_of("", 0), "\"\"");
    assert_string_equal(json_of("hello world", 11), "\"hello world\"");
    assert_string_equal(json_of("a\"b\\c", 5), "\"a\\\"b\\\\c\"");
    assert_string_equal(json_of("\"", 1), "\"\\\"\"");
    assert_string_equal(json_of("\\", 1), "\"\\\\\"");
    /* The / needs no escape and DEL is not a control character for JSON. */
    assert_string_equal(json_of("a/b\x7f", 4), "\"a/b\x7f\"");
    /* Non-ASCII text is copied through as UTF-8. */
    assert_string_equal(json_of("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14),
                        "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
    /* n is honoured: nothing after it is read. */
    assert_string_equal(json_of("abc\"def", 3), "\"abc\"");
}

CHORUS_TEST(controls)
{
    assert_string_equal(json_of("\n\r\t", 3), "\"\\n\\r\\t\"");
    for (int c = 0; c < 0x20; c++) {
        char in = (char)c, want[16];
        const char *got = json_of(&in, 1);

        if (c == '\n' || c == '\r' || c == '\t')
            continue;
        snprintf(want, sizeof(want), "\"\\u%04x\"", c);
        assert_string_equal(got, want);
    }
    /* A NUL inside the string is text, not its end. */
    assert_string_equal(json_of("a\0b", 3), "\"a\\u0000b\"");
    assert_string_equal(json_of("\x1f\x1f", 2), "\"\\u001f\\u001f\"");
}

CHORUS_TEST(html_specials)
{
    const char *got;

    got = json_of("</script><!--&amp;", 18);
    assert_string_equal(got, "\"\\u003c/script\\u003e\\u003c!--\\u0026amp;\"");
    assert_null(strchr(got, '<'));
    assert_null(strchr(got, '>'));
    assert_null(strchr(got, '&'));
    assert_string_equal(json_of("<>&", 3), "\"\\u003c\\u003e\\u0026\"");
}

CHORUS_TEST(line_separators)
{
    assert_string_equal(json_of("\xe2\x80\xa8", 3), "\"\\u2028\"");
    assert_string_equal(json_of("\xe2\x80\xa9", 3), "\"\\u2029\"");
    assert_string_equal(json_of("a\xe2\x80\xa8"
                                "b\xe2\x80\xa9"
                                "c",
                                9),
                        "\"a\\u2028b\\u2029c\"");
    /* Their neighbours and other E2 sequences are ordinary text. */
    assert_string_equal(json_of("\xe2\x80\xa7\xe2\x80\xaa\xe2\x82\xac\xe2\x81\xa8", 12),
                        "\"\xe2\x80\xa7\xe2\x80\xaa\xe2\x82\xac\xe2\x81\xa8\"");
    /* A separator cut off by n is not one: the bytes after n must not be
     * looked at (they would complete it here). */
    assert_string_equal(json_of("x\xe2\x80\xa8", 3), "\"x\xe2\x80\"");
    assert_string_equal(json_of("x\xe2\x80\xa8", 2), "\"x\xe2\"");
    /* Escapes next to each other keep the text between them. */
    assert_string_equal(json_of("\xe2\x80\xa8\"\xe2\x80\xa8", 7), "\"\\u2028\\\"\\u2028\"");
}

CHORUS_TEST(caps_and_null)
{
    struct buf b;

    buf_init(&b, 0);
    assert_int_equal(chorus_json_str_or_null(&b, NULL), 0);
    assert_int_equal(buf_putc(&b, ','), 0);
    assert_int_equal(chorus_json_str_or_null(&b, ""), 0);
    assert_int_equal(buf_putc(&b, ','), 0);
    assert_int_equal(chorus_json_str_or_null(&b, "<a>"), 0);
    assert_string_equal(b.data, "null,\"\",\"\\u003ca\\u003e\"");
    buf_cleanup(&b);

    /* The cap counts the escaped form. */
    buf_init(&b, 7);
    assert_int_equal(chorus_json_str(&b, "<", 1), CHORUS_ETOOBIG); /* 8 bytes with quotes */
    buf_cleanup(&b);
    buf_init(&b, 8);
    assert_int_equal(chorus_json_str(&b, "<", 1), 0);
    assert_string_equal(b.data, "\"\\u003c\"");
    buf_cleanup(&b);
    buf_init(&b, 7);
    assert_int_equal(chorus_json_str(&b, "abcde", 5), 0);
    assert_int_equal(b.len, 7);
    buf_reset(&b);
    assert_int_not_equal(chorus_json_str(&b, "abcdef", 6), 0);
    buf_reset(&b);
    assert_int_equal(chorus_json_str(&b, "\n", 1), 0);
    buf_cleanup(&b);
    buf_init(&b, 7);
    assert_int_equal(chorus_json_str(&b, "\x01", 1), CHORUS_ETOOBIG);
    buf_cleanup(&b);
}

/* ---- round trip ------------------------------------------------------------------------ */

static int hex4(const char *p)
{
    int v = 0;

    for (int i = 0; i < 4; i++) {
        char c = p[i];

        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= c - '0';
        else if (c >= 'a' && c <= 'f')
            v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v |= c - 'A' + 10;
        else
            fail_msg("bad \\u escape");
    }
    return v;
}

/* decode is a strict JSON string reader: fails the test on anything JSON
 * does not allow, and on what chorus_json_str promises never to write raw. */
static size_t decode(const char *j, size_t jn, char *out)
{
    size_t i = 1, o = 0;

    assert_true(jn >= 2 && j[0] == '"' && j[jn - 1] == '"');
    while (i < jn - 1) {
        unsigned char c = (unsigned char)j[i];

        assert_true(c >= 0x20);
        assert_true(c != '"' && c != '<' && c != '>' && c != '&');
        if (c == 0xE2 && i + 2 < jn && (unsigned char)j[i + 1] == 0x80)
            assert_true((unsigned char)j[i + 2] != 0xA8 && (unsigned char)j[i + 2] != 0xA9);
        if (c != '\\') {
            out[o++] = (char)c;
            i++;
            continue;
        }
        assert_true(i + 1 < jn - 1);
        switch (j[i + 1]) {
        case '"':
        case '\\':
        case '/':
            out[o++] = j[i + 1];
            i += 2;
            break;
        case 'n':
            out[o++] = '\n';
            i += 2;
            break;
        case 'r':
            out[o++] = '\r';
            i += 2;
            break;
        case 't':
            out[o++] = '\t';
            i += 2;
            break;
        case 'b':
            out[o++] = '\b';
            i += 2;
            break;
        case 'f':
            out[o++] = '\f';
            i += 2;
            break;
        case 'u': {
            int v;

            assert_true(i + 6 <= jn - 1);
            v = hex4(j + i + 2);
            if (v < 0x80) {
                out[o++] = (char)v;
            } else {
                assert_true(v == 0x2028 || v == 0x2029);
                out[o++] = (char)0xE2;
                out[o++] = (char)0x80;
                out[o++] = (char)(v == 0x2028 ? 0xA8 : 0xA9);
            }
            i += 6;
            break;
        }
        default:
            fail_msg("unknown escape \\%c", j[i + 1]);
        }
    }
    return o;
}

CHORUS_TEST(hostile_round_trip)
{
    /* Pieces an attacker would combine: every escape, separators whole
     * and cut, multi-byte text, backslashes before quotes. */
    static const char *const pieces[] = {
        "\"",
        "\\",
        "<",
        ">",
        "&",
        "\n",
        "\r",
        "\t",
        "\x01",
        "\0",
        "\x1f",
        "\x7f",
        "a",
        "Z",
        "\xe2\x80\xa8",
        "\xe2\x80\xa9",
        "\xe2",
        "\x80",
        "\xa8",
        "\xe2\x80",
        "\xc3\xa9",
        "\xf0\x9f\x98\x80",
        "</",
        "\\u2028",
    };
    static const size_t lens[] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                                  1, 1, 3, 3, 1, 1, 1, 2, 2, 4, 2, 6};
    uint64_t x = 0x9e3779b97f4a7c15ULL;

    assert_int_equal(sizeof(pieces) / sizeof(pieces[0]), sizeof(lens) / sizeof(lens[0]));
    for (int round = 0; round < 5000; round++) {
        char in[256], dec[1024];
        size_t n = 0, k = (size_t)(round % 20) + 1;
        struct buf b;

        for (size_t i = 0; i < k; i++) {
            size_t p;

            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            p = (size_t)(x % (sizeof(lens) / sizeof(lens[0])));
            memcpy(in + n, pieces[p], lens[p]);
            n += lens[p];
        }
        buf_init(&b, 0);
        assert_int_equal(chorus_json_str(&b, in, n), 0);
        assert_int_equal(decode(b.data, b.len, dec), n);
        assert_memory_equal(dec, in, n);
        buf_cleanup(&b);
    }
}

CHORUS_TEST_MAIN()
