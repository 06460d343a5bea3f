/* FNV-1a 64 (base/hash.c): the published test vectors, chaining and the
 * string helper. Cache keys and ETags stored by one version must match the
 * next, so the function may never drift. */
#include "testmain.h"

#include "chorus/base.h"

CHORUS_TEST(vectors)
{
    /* From the FNV reference test suite (fnv1a64). */
    assert_true(chorus_fnv64(CHORUS_FNV64_INIT, "", 0) == 0xcbf29ce484222325ULL);
    assert_true(chorus_fnv64(CHORUS_FNV64_INIT, "a", 1) == 0xaf63dc4c8601ec8cULL);
    assert_true(chorus_fnv64(CHORUS_FNV64_INIT, "b", 1) == 0xaf63df4c8601f1a5ULL);
    assert_true(chorus_fnv64(CHORUS_FNV64_INIT, "foobar", 6) == 0x85944171f73967e8ULL);
    /* Bytes above 0x7f are not sign-extended. */
    assert_true(chorus_fnv64(CHORUS_FNV64_INIT, "\xff", 1) ==
                ((0xcbf29ce484222325ULL ^ 0xffULL) * 0x100000001b3ULL));
}

CHORUS_TEST(chaining_and_strings)
{
    uint64_t h;

    h = chorus_fnv64(CHORUS_FNV64_INIT, "foo", 3);
    assert_true(chorus_fnv64(h, "bar", 3) == chorus_fnv64(CHORUS_FNV64_INIT, "foobar", 6));
    assert_true(chorus_fnv64(h, "", 0) == h);
    assert_true(chorus_fnv64_str("foobar") == 0x85944171f73967e8ULL);
    assert_true(chorus_fnv64_str("") == CHORUS_FNV64_INIT);
    assert_true(chorus_fnv64_str(NULL) == CHORUS_FNV64_INIT);
    /* A NUL is hashed like any byte. */
    assert_true(chorus_fnv64(CHORUS_FNV64_INIT, "a\0", 2) !=
                chorus_fnv64(CHORUS_FNV64_INIT, "a", 1));
    /* The seed matters. */
    assert_true(chorus_fnv64(1, "a", 1) != chorus_fnv64(2, "a", 1));
}

/* The inline step is the same function, one byte at a time: a caller that
 * hashes every prefix of a word ends on the word's hash. */
CHORUS_TEST(step_matches_whole)
{
    static const char word[] = "keyboard\xc3\xa9\xff";
    uint64_t h = CHORUS_FNV64_INIT;

    for (size_t i = 0; i < sizeof(word) - 1; i++) {
        h = chorus_fnv64_step(h, (unsigned char)word[i]);
        assert_true(h == chorus_fnv64(CHORUS_FNV64_INIT, word, i + 1));
    }
}

CHORUS_TEST_MAIN()
