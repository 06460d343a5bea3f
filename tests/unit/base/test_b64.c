/* Unpadded base64url (base/b64.c), which carries page cursors through URLs
 * and back from clients, and chorus_ct_equal for API keys. */
#include "testmain.h"

#include <stdlib.h>

#include "chorus/base.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

CHORUS_TEST(round_trip_every_length)
{
    uint64_t x = 0x853c49e6748fea9bULL;

    for (int fill = 0; fill < 3; fill++) {
        for (size_t n = 0; n <= 64; n++) {
            uint8_t in[64], back[80];
            char enc[100];
            size_t len;
            long got;

            for (size_t i = 0; i < n; i++) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                in[i] = fill == 0 ? (uint8_t)x : fill == 1 ? 0xff : 0x00;
            }
            memset(enc, '#', sizeof(enc));
            len = chorus_b64url_encode(in, n, enc);
            /* Unpadded: 4 characters per 3 bytes, 2 or 3 for the rest. */
            assert_int_equal(len, n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0));
            assert_int_equal(enc[len], '\0');
            assert_int_equal(enc[len + 1], '#'); /* nothing past the NUL */
            assert_int_equal(strspn(enc, alphabet), len);
            memset(back, 0xaa, sizeof(back));
            got = chorus_b64url_decode(enc, len, back, n);
            assert_int_equal(got, (long)n);
            assert_memory_equal(back, in, n);
            /* One byte short of room is refused. */
            if (n)
                assert_int_equal(chorus_b64url_decode(enc, len, back, n - 1), -1);
        }
    }
}

CHORUS_TEST(known_vectors)
{
    /* RFC 4648 section 10, without padding. */
    static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const coded[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};
    char enc[16];
    uint8_t out[16];

    for (size_t i = 0; i < 7; i++) {
        assert_int_equal(chorus_b64url_encode((const uint8_t *)plain[i], strlen(plain[i]), enc),
                         strlen(coded[i]));
        assert_string_equal(enc, coded[i]);
        assert_int_equal(chorus_b64url_decode(coded[i], strlen(coded[i]), out, sizeof(out)),
                         (long)strlen(plain[i]));
        assert_memory_equal(out, plain[i], strlen(plain[i]));
    }
    /* The URL-safe characters where standard base64 has + and /. */
    {
        static const uint8_t in[] = {0xfb, 0xff, 0xbf};

        chorus_b64url_encode(in, 3, enc);
        assert_string_equal(enc, "-_-_");
        assert_int_equal(chorus_b64url_decode("-_-_", 4, out, sizeof(out)), 3);
        assert_memory_equal(out, in, 3);
    }
}

CHORUS_TEST(bad_characters)
{
    static const char *const bad[] = {
        "Zm9+", "Zm9/", "Zm 9", "Zm9v\n", "Zm.9", "Zm9v!", "\xc3\xa9Zm", "Zm\x80v", "Zm9v%3D",
    };
    uint8_t out[16];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        if (chorus_b64url_decode(bad[i], strlen(bad[i]), out, sizeof(out)) != -1)
            fail_msg("\"%s\" was decoded", bad[i]);
    /* A NUL inside the given length is a bad character, not the end. */
    assert_int_equal(chorus_b64url_decode("Zm\0v", 4, out, sizeof(out)), -1);
    assert_int_equal(chorus_b64url_decode("Zm9v\0\0\0\0", 8, out, sizeof(out)), -1);
    /* Only slen characters are read. */
    assert_int_equal(chorus_b64url_decode("Zm9v+++", 4, out, sizeof(out)), 3);
}

CHORUS_TEST(padding_and_lengths)
{
    uint8_t out[16];

    /* Padding is not part of base64url here. */
    assert_int_equal(chorus_b64url_decode("Zg==", 4, out, sizeof(out)), -1);
    assert_int_equal(chorus_b64url_decode("Zm8=", 4, out, sizeof(out)), -1);
    assert_int_equal(chorus_b64url_decode("=", 1, out, sizeof(out)), -1);
    /* One character cannot hold a byte: lengths 4k+1 are not base64. */
    assert_int_equal(chorus_b64url_decode("Z", 1, out, sizeof(out)), -1);
    assert_int_equal(chorus_b64url_decode("Zm9vY", 5, out, sizeof(out)), -1);
    assert_int_equal(chorus_b64url_decode("", 0, out, 0), 0);
    /* Left-over bits must be zero, so no byte string has two encodings
     * (a cursor could otherwise be varied without changing its meaning). */
    assert_int_equal(chorus_b64url_decode("Zg", 2, out, sizeof(out)), 1);
    assert_int_equal(chorus_b64url_decode("Zh", 2, out, sizeof(out)), -1);
    assert_int_equal(chorus_b64url_decode("Zv", 2, out, sizeof(out)), -1);
    assert_int_equal(chorus_b64url_decode("Zm8", 3, out, sizeof(out)), 2);
    assert_int_equal(chorus_b64url_decode("Zm9", 3, out, sizeof(out)), -1);
    assert_int_equal(chorus_b64url_decode("Zm_", 3, out, sizeof(out)), -1);
}

CHORUS_TEST(out_capacity)
{
    uint8_t out[8];

    memset(out, 0x55, sizeof(out));
    assert_int_equal(chorus_b64url_decode("Zm9vYmFy", 8, out, 5), -1);
    /* Nothing is written past the capacity while finding that out. */
    assert_int_equal(out[5], 0x55);
    assert_int_equal(chorus_b64url_decode("Zm9vYmFy", 8, out, 6), 6);
    assert_int_equal(chorus_b64url_decode("Zg", 2, out, 0), -1);
    assert_int_equal(chorus_b64url_decode("", 0, NULL, 0), 0);
}

CHORUS_TEST(ct_equal)
{
    assert_true(chorus_ct_equal("", 0, "", 0));
    assert_true(chorus_ct_equal("secret-key", 10, "secret-key", 10));
    assert_false(chorus_ct_equal("secret-key", 10, "secret-kez", 10));
    assert_false(chorus_ct_equal("secret-key", 10, "Secret-key", 10));
    /* A prefix is not the key, either way round. */
    assert_false(chorus_ct_equal("secret", 6, "secret-key", 10));
    assert_false(chorus_ct_equal("secret-key", 10, "secret", 6));
    assert_false(chorus_ct_equal("", 0, "x", 1));
    /* Bytes past a NUL count. */
    assert_true(chorus_ct_equal("a\0b", 3, "a\0b", 3));
    assert_false(chorus_ct_equal("a\0b", 3, "a\0c", 3));
    /* Every single-bit difference at every position. */
    for (size_t i = 0; i < 16; i++)
        for (int bit = 0; bit < 8; bit++) {
            char a[16], b[16];

            memset(a, 'k', sizeof(a));
            memcpy(b, a, sizeof(b));
            b[i] = (char)(b[i] ^ (1 << bit));
            assert_false(chorus_ct_equal(a, 16, b, 16));
        }
}

CHORUS_TEST_MAIN()
