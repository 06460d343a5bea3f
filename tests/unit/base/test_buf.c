/* Growable buffers (base/buf.c): caps are exact and a refused append leaves
 * the buffer as it was, buf_printf on both of its paths, buf_steal,
 * buf_read_file with and without a cap, and chorus_pct. */
#include "testmain.h"

#include <stdlib.h>
#include <unistd.h>

#include "chorus/base.h"

CHORUS_TEST(init_append_reset)
{
    struct buf b;
    size_t alloc;

    buf_init(&b, 0);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(buf_append(&b, "a\0b", 3), 0);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.data, "a\0b", 4); /* the NUL after the contents too */
    assert_int_equal(buf_puts(&b, "cd"), 0);
    assert_int_equal(buf_putc(&b, 'e'), 0);
    assert_int_equal(buf_putc(&b, '\0'), 0);
    assert_int_equal(b.len, 7);
    assert_memory_equal(b.data, "a\0bcde\0", 8);
    /* An empty append still leaves a C string behind. */
    assert_int_equal(buf_append(&b, NULL, 0), 0);
    assert_int_equal(b.len, 7);
    alloc = b.alloc;
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.alloc, alloc);
    assert_string_equal(b.data, "");
    assert_int_equal(buf_puts(&b, "again"), 0);
    assert_string_equal(b.data, "again");
    buf_cleanup(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    /* buf_reset before the first append must not touch the NULL data. */
    buf_init(&b, 0);
    buf_reset(&b);
    assert_null(b.data);
    buf_cleanup(&b);
}

CHORUS_TEST(cap_is_exact)
{
    struct buf b;
    char big[5000];

    memset(big, 'x', sizeof(big));
    buf_init(&b, 10);
    assert_int_equal(buf_append(&b, "0123456789", 10), 0);
    assert_int_equal(b.len, 10);
    assert_int_equal(buf_putc(&b, 'z'), CHORUS_ETOOBIG);
    assert_int_equal(buf_puts(&b, "z"), CHORUS_ETOOBIG);
    assert_int_equal(buf_append(&b, big, sizeof(big)), CHORUS_ETOOBIG);
    assert_int_equal(b.len, 10);
    assert_string_equal(b.data, "0123456789");
    /* Emptying it makes room again. */
    buf_reset(&b);
    assert_int_equal(buf_append(&b, big, 10), 0);
    assert_int_equal(buf_append(&b, big, 1), CHORUS_ETOOBIG);
    buf_cleanup(&b);

    /* A cap of 1 holds one byte and nothing more. */
    buf_init(&b, 1);
    assert_int_equal(buf_append(&b, "ab", 2), CHORUS_ETOOBIG);
    assert_int_equal(b.len, 0);
    assert_int_equal(buf_putc(&b, 'a'), 0);
    assert_int_equal(buf_putc(&b, 'b'), CHORUS_ETOOBIG);
    assert_string_equal(b.data, "a");
    buf_cleanup(&b);

    /* No cap: a megabyte in small pieces. */
    buf_init(&b, 0);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(buf_append(&b, big, 1000), 0);
    assert_int_equal(b.len, 1000000);
    assert_int_equal(b.data[b.len], '\0');
    buf_cleanup(&b);
}

CHORUS_TEST(huge_sizes_are_refused)
{
    struct buf b;

    /* Sizes that would overflow len + n + 1 must be refused, not wrapped
     * into a small allocation that the copy then overruns. The pointer is
     * never read when the size is refused. */
    buf_init(&b, 0);
    assert_int_equal(buf_puts(&b, "abc"), 0);
    assert_int_equal(buf_append(&b, "x", SIZE_MAX), CHORUS_ETOOBIG);
    assert_int_equal(buf_append(&b, "x", SIZE_MAX - 2), CHORUS_ETOOBIG);
    assert_int_equal(buf_append(&b, "x", SIZE_MAX / 2), CHORUS_ETOOBIG);
    assert_int_equal(b.len, 3);
    assert_string_equal(b.data, "abc");
    buf_cleanup(&b);
}

CHORUS_TEST(printf_past_cap_leaves_buffer_unchanged)
{
    struct buf b;
    char long_s[1001];

    memset(long_s, 'L', 1000);
    long_s[1000] = '\0';

    /* The short path (the text fits the 256-byte scratch). */
    buf_init(&b, 8);
    assert_int_equal(buf_puts(&b, "abc"), 0);
    assert_int_equal(buf_printf(&b, "%d", 123456), CHORUS_ETOOBIG);
    assert_int_equal(b.len, 3);
    assert_string_equal(b.data, "abc");
    assert_int_equal(buf_printf(&b, "%d", 12345), 0);
    assert_string_equal(b.data, "abc12345");
    buf_cleanup(&b);

    /* The long path (formatted straight into the buffer). */
    buf_init(&b, 600);
    assert_int_equal(buf_puts(&b, "abc"), 0);
    assert_int_equal(buf_printf(&b, "%s", long_s), CHORUS_ETOOBIG);
    assert_int_equal(b.len, 3);
    assert_string_equal(b.data, "abc");
    assert_int_equal(buf_printf(&b, "%.597s", long_s), 0);
    assert_int_equal(b.len, 600);
    assert_int_equal(strlen(b.data), 600);
    assert_int_equal(buf_printf(&b, "%s", ""), 0);
    assert_int_equal(buf_printf(&b, "%c", 'x'), CHORUS_ETOOBIG);
    assert_int_equal(b.len, 600);
    buf_cleanup(&b);
}

CHORUS_TEST(printf_both_paths)
{
    struct buf b;
    char s[600];

    memset(s, 'p', sizeof(s) - 1);
    s[sizeof(s) - 1] = '\0';
    /* 255, 256 and 257 bytes straddle the scratch buffer's size; each must
     * come out whole and NUL-terminated, appended after what was there,
     * including into a buffer with nothing allocated yet. */
    for (int n = 250; n < 262; n++) {
        buf_init(&b, 0);
        if (n % 2)
            assert_int_equal(buf_puts(&b, "head:"), 0);
        assert_int_equal(buf_printf(&b, "%.*s|%d", n, s, n), 0);
        {
            char want[700];
            int w = snprintf(want, sizeof(want), "%s%.*s|%d", n % 2 ? "head:" : "", n, s, n);

            assert_int_equal(b.len, (size_t)w);
            assert_string_equal(b.data, want);
        }
        buf_cleanup(&b);
    }
    /* Many long printfs in a row grow the buffer each time. */
    buf_init(&b, 0);
    for (int i = 0; i < 100; i++)
        assert_int_equal(buf_printf(&b, "%s", s), 0);
    assert_int_equal(b.len, 100 * 599);
    assert_int_equal(strlen(b.data), b.len);
    buf_cleanup(&b);
}

CHORUS_TEST(steal_hands_over_memory)
{
    struct buf b;
    size_t len = 99;
    char *p;

    /* An empty buffer gives an empty, freeable string. */
    buf_init(&b, 50);
    p = buf_steal(&b, &len);
    assert_non_null(p);
    assert_int_equal(len, 0);
    assert_string_equal(p, "");
    free(p);

    assert_int_equal(buf_puts(&b, "hello"), 0);
    p = buf_steal(&b, &len);
    assert_int_equal(len, 5);
    assert_string_equal(p, "hello");
    /* b is empty and owns nothing; it keeps its cap and works again. */
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.alloc, 0);
    assert_int_equal(b.cap, 50);
    assert_int_equal(buf_puts(&b, "other"), 0);
    assert_string_equal(p, "hello"); /* the stolen memory is not shared */
    assert_int_equal(buf_append(&b, p, 50), CHORUS_ETOOBIG);
    free(p);
    p = buf_steal(&b, NULL); /* len may be NULL */
    assert_string_equal(p, "other");
    free(p);
    buf_cleanup(&b);
}

static FILE *file_of(const char *data, size_t n)
{
    FILE *f = tmpfile();

    assert_non_null(f);
    if (n)
        assert_int_equal(fwrite(data, 1, n, f), n);
    rewind(f);
    return f;
}

CHORUS_TEST(read_file_with_cap)
{
    size_t n = 200000;
    char *data = malloc(n);
    struct buf b;
    FILE *f;

    assert_non_null(data);
    for (size_t i = 0; i < n; i++)
        data[i] = (char)(i * 7 + i / 251);

    /* No cap: everything, with the NUL after it. */
    f = file_of(data, n);
    buf_init(&b, 0);
    assert_int_equal(buf_read_file(&b, f), 0);
    assert_int_equal(b.len, n);
    assert_memory_equal(b.data, data, n);
    assert_int_equal(b.data[n], '\0');
    buf_cleanup(&b);
    fclose(f);

    /* A cap of exactly the file's size is enough. */
    f = file_of(data, n);
    buf_init(&b, n);
    assert_int_equal(buf_read_file(&b, f), 0);
    assert_int_equal(b.len, n);
    buf_cleanup(&b);
    fclose(f);

    /* One byte short: refused, and what b holds is a prefix of the file. */
    f = file_of(data, n);
    buf_init(&b, n - 1);
    assert_int_equal(buf_read_file(&b, f), CHORUS_ETOOBIG);
    assert_true(b.len <= n - 1);
    if (b.len)
        assert_memory_equal(b.data, data, b.len);
    buf_cleanup(&b);
    fclose(f);

    /* A small cap, smaller than one read. */
    f = file_of(data, n);
    buf_init(&b, 100);
    assert_int_equal(buf_read_file(&b, f), CHORUS_ETOOBIG);
    assert_true(b.len <= 100);
    buf_cleanup(&b);
    fclose(f);

    /* The cap counts what the buffer held before. */
    f = file_of(data, 1000);
    buf_init(&b, 1000);
    assert_int_equal(buf_puts(&b, "x"), 0);
    assert_int_equal(buf_read_file(&b, f), CHORUS_ETOOBIG);
    assert_true(b.len <= 1000);
    assert_int_equal(b.data[0], 'x');
    buf_cleanup(&b);
    fclose(f);

    /* Appends after existing contents; an empty file adds nothing. */
    f = file_of("tail", 4);
    buf_init(&b, 0);
    assert_int_equal(buf_puts(&b, "head-"), 0);
    assert_int_equal(buf_read_file(&b, f), 0);
    assert_string_equal(b.data, "head-tail");
    fclose(f);
    f = file_of("", 0);
    assert_int_equal(buf_read_file(&b, f), 0);
    assert_string_equal(b.data, "head-tail");
    fclose(f);
    buf_cleanup(&b);
    free(data);
}

CHORUS_TEST(read_file_error)
{
    char path[] = "/tmp/chorus-buf-XXXXXX";
    int fd = mkstemp(path);
    FILE *f;
    struct buf b;

    assert_true(fd >= 0);
    assert_int_equal(write(fd, "data", 4), 4);
    close(fd);
    /* Reading a stream opened for writing only fails with EBADF: a read
     * error, not an empty file. */
    f = fopen(path, "a");
    assert_non_null(f);
    buf_init(&b, 0);
    assert_int_equal(buf_read_file(&b, f), CHORUS_EIO);
    assert_int_equal(b.len, 0);
    buf_cleanup(&b);
    fclose(f);
    unlink(path);
}

static bool unreserved(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1; /* lower-case hex is not what chorus_pct writes */
}

CHORUS_TEST(pct_every_byte)
{
    for (int keep = 0; keep < 2; keep++) {
        for (int c = 0; c < 256; c++) {
            char in = (char)c;
            struct buf b;

            buf_init(&b, 0);
            assert_int_equal(chorus_pct(&b, &in, 1, keep), 0);
            if (unreserved((unsigned char)c) || (keep && c == '/')) {
                assert_int_equal(b.len, 1);
                assert_int_equal((unsigned char)b.data[0], c);
            } else {
                assert_int_equal(b.len, 3);
                assert_int_equal(b.data[0], '%');
                assert_true(hexval(b.data[1]) >= 0 && hexval(b.data[2]) >= 0);
                assert_int_equal(hexval(b.data[1]) * 16 + hexval(b.data[2]), c);
            }
            buf_cleanup(&b);
        }
    }
}

CHORUS_TEST(pct_strings)
{
    static const char s[] = "Caf\xc3\xa9 a/b?c=d&e#f%20+~x_y.z-\xf0\x9f\x98\x80";
    struct buf b;

    buf_init(&b, 0);
    assert_int_equal(chorus_pct(&b, s, strlen(s), false), 0);
    assert_string_equal(b.data, "Caf%C3%A9%20a%2Fb%3Fc%3Dd%26e%23f%2520%2B~x_y.z-%F0%9F%98%80");
    buf_reset(&b);
    assert_int_equal(chorus_pct(&b, s, strlen(s), true), 0);
    assert_string_equal(b.data, "Caf%C3%A9%20a/b%3Fc%3Dd%26e%23f%2520%2B~x_y.z-%F0%9F%98%80");
    /* n is honoured: a NUL inside is encoded, nothing after n is read. */
    buf_reset(&b);
    assert_int_equal(chorus_pct(&b, "a\0b/c", 4, true), 0);
    assert_string_equal(b.data, "a%00b/");
    buf_reset(&b);
    assert_int_equal(chorus_pct(&b, "", 0, false), 0);
    assert_int_equal(b.len, 0);
    /* Appends to what is there. */
    assert_int_equal(buf_puts(&b, "/feeds/categories/"), 0);
    assert_int_equal(chorus_pct(&b, "laptops/2 in 1", 14, true), 0);
    assert_string_equal(b.data, "/feeds/categories/laptops/2%20in%201");
    buf_cleanup(&b);

    /* The buffer's cap applies. */
    buf_init(&b, 5);
    assert_int_equal(chorus_pct(&b, "\xc3\xa9\xc3\xa9", 4, false), CHORUS_ETOOBIG);
    assert_true(b.len <= 5);
    buf_cleanup(&b);
}

CHORUS_TEST(hex_digits)
{
    const char *digits = "0123456789abcdef", *upper = "ABCDEF";

    for (int i = 0; i < 16; i++)
        assert_int_equal(chorus_hex_digit(digits[i]), i);
    for (int i = 0; i < 6; i++)
        assert_int_equal(chorus_hex_digit(upper[i]), 10 + i);
    for (int c = -128; c < 128; c++)
        if (!strchr("0123456789abcdefABCDEF", c) || c == 0)
            assert_int_equal(chorus_hex_digit((char)c), -1);
}

CHORUS_TEST_MAIN()
