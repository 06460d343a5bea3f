/* The hash table (base/map.c), through base.h only: add/get/has/slot/
 * remove/each, keys that differ only after a NUL or in length, growth to
 * many thousands of keys, removal in long collision runs (every remaining
 * key must stay reachable after each removal), a random model check, and
 * cleanup with a value destructor. */
#include "testmain.h"

#include <stdlib.h>

#include "chorus/base.h"

#define SEED 0x1234567887654321ULL

static uint64_t rnd(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

static int count_one(void *ctx, const char *key, size_t klen, void *val)
{
    (void)key;
    (void)klen;
    (void)val;
    ++*(size_t *)ctx;
    return 0;
}

/* key_count counts what chorus_map_each visits. */
static size_t key_count(const struct chorus_map *m)
{
    size_t n = 0;

    assert_int_equal(chorus_map_each(m, count_one, &n), 0);
    return n;
}

CHORUS_TEST(add_get_has)
{
    struct chorus_map m;
    int a = 1, b = 2;

    chorus_map_init(&m, 0);
    /* An empty table answers without anything allocated. */
    assert_null(chorus_map_get(&m, "x", 1));
    assert_false(chorus_map_has(&m, "x", 1));
    assert_null(chorus_map_remove(&m, "x", 1));
    assert_int_equal(key_count(&m), 0);

    assert_true(chorus_map_add(&m, "alpha", 5, &a));
    assert_false(chorus_map_add(&m, "alpha", 5, &b)); /* the first value stays */
    assert_ptr_equal(chorus_map_get(&m, "alpha", 5), &a);
    assert_true(chorus_map_has(&m, "alpha", 5));
    assert_int_equal(key_count(&m), 1);

    /* A NULL value is present: only has tells it from absence. */
    assert_true(chorus_map_add(&m, "nothing", 7, NULL));
    assert_null(chorus_map_get(&m, "nothing", 7));
    assert_true(chorus_map_has(&m, "nothing", 7));
    assert_false(chorus_map_has(&m, "nothin", 6));
    assert_false(chorus_map_has(&m, "Alpha", 5));
    assert_int_equal(key_count(&m), 2);

    /* Keys are copied: the caller's bytes may change afterwards. */
    {
        char k[8] = "stack";

        assert_true(chorus_map_add(&m, k, 5, &b));
        memcpy(k, "XXXXX", 5);
        assert_ptr_equal(chorus_map_get(&m, "stack", 5), &b);
        assert_false(chorus_map_has(&m, k, 5));
    }

    assert_ptr_equal(chorus_map_remove(&m, "alpha", 5), &a);
    assert_false(chorus_map_has(&m, "alpha", 5));
    assert_null(chorus_map_remove(&m, "alpha", 5));
    assert_int_equal(key_count(&m), 2);
    /* Removed keys can come back with a new value. */
    assert_true(chorus_map_add(&m, "alpha", 5, &b));
    assert_ptr_equal(chorus_map_get(&m, "alpha", 5), &b);
    chorus_map_cleanup(&m, NULL);

    /* A cleaned-up table can be initialised and used again. */
    chorus_map_init(&m, 7);
    assert_true(chorus_map_add(&m, "again", 5, &a));
    assert_ptr_equal(chorus_map_get(&m, "again", 5), &a);
    chorus_map_cleanup(&m, NULL);
    /* Cleanup of a table that never held anything. */
    chorus_map_init(&m, 0);
    chorus_map_cleanup(&m, NULL);
}

CHORUS_TEST(slots)
{
    struct chorus_map m;
    bool created = false;
    void **v;
    int a = 1, b = 2;

    chorus_map_init(&m, SEED);
    v = chorus_map_slot(&m, "k", 1, &created);
    assert_true(created);
    assert_non_null(v);
    assert_null(*v); /* a new key starts with NULL */
    *v = &a;
    assert_ptr_equal(chorus_map_get(&m, "k", 1), &a);
    v = chorus_map_slot(&m, "k", 1, &created);
    assert_false(created);
    assert_ptr_equal(*v, &a);
    *v = &b;
    assert_ptr_equal(chorus_map_get(&m, "k", 1), &b);
    /* created may be NULL. */
    v = chorus_map_slot(&m, "j", 1, NULL);
    assert_null(*v);
    assert_int_equal(key_count(&m), 2);
    /* A counter through slots, over enough keys to grow the table between
     * the slot calls of one key. */
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < 500; i++) {
            char k[16];
            int n = snprintf(k, sizeof(k), "c%d", i);

            v = chorus_map_slot(&m, k, (size_t)n, &created);
            assert_int_equal(created, round == 0);
            *v = (void *)((uintptr_t)*v + 1);
        }
    for (int i = 0; i < 500; i++) {
        char k[16];
        int n = snprintf(k, sizeof(k), "c%d", i);

        assert_int_equal((uintptr_t)chorus_map_get(&m, k, (size_t)n), 3);
    }
    assert_int_equal(key_count(&m), 502);
    chorus_map_cleanup(&m, NULL);
}

struct seen {
    int count[8];
    size_t calls;
    size_t stop_at; /* 0: never */
};

static int note(void *ctx, const char *key, size_t klen, void *val)
{
    struct seen *s = ctx;
    int i = (int)(intptr_t)val;

    assert_true(i >= 0 && i < 8);
    /* The table's copy ends in a NUL, past klen. */
    assert_int_equal(key[klen], '\0');
    s->count[i]++;
    s->calls++;
    return s->stop_at && s->calls == s->stop_at ? 42 : 0;
}

CHORUS_TEST(keys_with_nul_bytes_and_prefixes)
{
    /* Keys one memcmp/strcmp mix-up away from each other. */
    static const struct {
        const char *k;
        size_t n;
    } keys[] = {
        {"", 0}, {"a", 1}, {"a\0", 2}, {"a\0b", 3}, {"a\0c", 3}, {"ab", 2}, {"\0", 1}, {"\0\0", 2},
    };
    struct chorus_map m;
    struct seen s;

    chorus_map_init(&m, SEED);
    for (size_t i = 0; i < 8; i++)
        assert_true(chorus_map_add(&m, keys[i].k, keys[i].n, (void *)(intptr_t)i));
    assert_int_equal(key_count(&m), 8);
    for (size_t i = 0; i < 8; i++) {
        char copy[4];

        /* Looked up through a different buffer with the same bytes. */
        memcpy(copy, keys[i].k, keys[i].n);
        assert_true(chorus_map_has(&m, copy, keys[i].n));
        assert_int_equal((intptr_t)chorus_map_get(&m, copy, keys[i].n), (intptr_t)i);
    }
    assert_false(chorus_map_has(&m, "a\0d", 3));
    assert_false(chorus_map_has(&m, "\0\0\0", 3));
    assert_false(chorus_map_has(&m, "b", 1));

    memset(&s, 0, sizeof(s));
    assert_int_equal(chorus_map_each(&m, note, &s), 0);
    assert_int_equal(s.calls, 8);
    for (int i = 0; i < 8; i++)
        assert_int_equal(s.count[i], 1);

    /* Removing one leaves its neighbours. */
    assert_int_equal((intptr_t)chorus_map_remove(&m, "a\0", 2), 2);
    assert_true(chorus_map_has(&m, "a", 1));
    assert_true(chorus_map_has(&m, "a\0b", 3));
    assert_false(chorus_map_has(&m, "a\0", 2));
    assert_int_equal(key_count(&m), 7);

    /* each stops when fn says so and returns what fn returned. */
    memset(&s, 0, sizeof(s));
    s.stop_at = 3;
    assert_int_equal(chorus_map_each(&m, note, &s), 42);
    assert_int_equal(s.calls, 3);
    chorus_map_cleanup(&m, NULL);

    /* each over an empty table calls nothing. */
    chorus_map_init(&m, 0);
    memset(&s, 0, sizeof(s));
    assert_int_equal(chorus_map_each(&m, note, &s), 0);
    assert_int_equal(s.calls, 0);
    chorus_map_cleanup(&m, NULL);
}

CHORUS_TEST(growth_to_many_keys)
{
    enum { N = 60000 };
    struct chorus_map m;

    chorus_map_init(&m, SEED);
    for (int i = 0; i < N; i++) {
        char k[32];
        int n = snprintf(k, sizeof(k), "review:%d", i);

        assert_true(chorus_map_add(&m, k, (size_t)n, (void *)(intptr_t)(i + 1)));
    }
    assert_int_equal(key_count(&m), N);
    for (int i = 0; i < N; i++) {
        char k[32];
        int n = snprintf(k, sizeof(k), "review:%d", i);

        if ((intptr_t)chorus_map_get(&m, k, (size_t)n) != i + 1)
            fail_msg("key %s lost after growth", k);
    }
    /* Remove every other key, then check both halves. */
    for (int i = 0; i < N; i += 2) {
        char k[32];
        int n = snprintf(k, sizeof(k), "review:%d", i);

        assert_int_equal((intptr_t)chorus_map_remove(&m, k, (size_t)n), i + 1);
    }
    assert_int_equal(key_count(&m), N / 2);
    for (int i = 0; i < N; i++) {
        char k[32];
        int n = snprintf(k, sizeof(k), "review:%d", i);

        assert_int_equal(chorus_map_has(&m, k, (size_t)n), i % 2 == 1);
    }
    chorus_map_cleanup(&m, NULL);
}

/* ---- collisions ------------------------------------------------------------------------ */

#define NKEYS 240

struct ckeys {
    char k[NKEYS][24];
    size_t n[NKEYS];
};

/* colliding fills c with keys whose FNV-1a hash from SEED (the table's
 * hash) has low bits equal to `low` in the lowest `bits`, or one or two
 * above it, so the probe runs of several home slots interleave and, with
 * `low` at the top of the range, wrap around the end of the table. */
static void colliding(struct ckeys *c, uint64_t low, unsigned bits)
{
    uint64_t mask = ((uint64_t)1 << bits) - 1;
    size_t got = 0;

    for (uint64_t i = 0; got < NKEYS; i++) {
        char k[24];
        int n = snprintf(k, sizeof(k), "k%llu", (unsigned long long)i);
        uint64_t h = chorus_fnv64(SEED, k, (size_t)n) & mask;

        if (h == low || (got % 3 == 1 && h == ((low + 1) & mask)) ||
            (got % 3 == 2 && h == ((low + 2) & mask))) {
            memcpy(c->k[got], k, (size_t)n + 1);
            c->n[got] = (size_t)n;
            got++;
        }
    }
}

static void check_all(const struct chorus_map *m, const struct ckeys *c, const bool *live)
{
    size_t n = 0;

    for (size_t i = 0; i < NKEYS; i++) {
        void *v = chorus_map_get(m, c->k[i], c->n[i]);

        if (live[i] && v != (void *)(intptr_t)(i + 1))
            fail_msg("key %s unreachable", c->k[i]);
        if (!live[i] && chorus_map_has(m, c->k[i], c->n[i]))
            fail_msg("removed key %s still there", c->k[i]);
        n += live[i];
    }
    assert_int_equal(key_count(m), n);
}

CHORUS_TEST(removal_under_collisions)
{
    struct ckeys *c = malloc(sizeof(*c));
    bool live[NKEYS];
    uint64_t x = 0xdeadbeefcafef00dULL;

    assert_non_null(c);
    /* Low 12 bits all ones: the last slot of any table up to 4096 slots,
     * so the runs wrap; then a home in the middle. */
    for (int variant = 0; variant < 2; variant++) {
        colliding(c, variant == 0 ? 0xfff : 0x155, 12);
        for (int order = 0; order < 3; order++) {
            struct chorus_map m;
            size_t idx[NKEYS];

            chorus_map_init(&m, SEED);
            for (size_t i = 0; i < NKEYS; i++) {
                assert_true(chorus_map_add(&m, c->k[i], c->n[i], (void *)(intptr_t)(i + 1)));
                live[i] = true;
                idx[i] = i;
            }
            check_all(&m, c, live);
            /* Removal orders: first to last, last to first, shuffled. */
            for (size_t i = 0; i < NKEYS; i++)
                idx[i] = order == 1 ? NKEYS - 1 - i : i;
            if (order == 2)
                for (size_t i = NKEYS - 1; i > 0; i--) {
                    size_t j = (size_t)(rnd(&x) % (i + 1)), t = idx[i];

                    idx[i] = idx[j];
                    idx[j] = t;
                }
            for (size_t i = 0; i < NKEYS; i++) {
                size_t k = idx[i];

                assert_int_equal((intptr_t)chorus_map_remove(&m, c->k[k], c->n[k]),
                                 (intptr_t)(k + 1));
                live[k] = false;
                check_all(&m, c, live);
                /* Put every third one back, so removals meet re-adds. */
                if (i % 3 == 0 && i + 1 < NKEYS) {
                    assert_true(chorus_map_add(&m, c->k[k], c->n[k], (void *)(intptr_t)(k + 1)));
                    live[k] = true;
                    check_all(&m, c, live);
                    assert_non_null(chorus_map_remove(&m, c->k[k], c->n[k]));
                    live[k] = false;
                }
            }
            assert_int_equal(key_count(&m), 0);
            chorus_map_cleanup(&m, NULL);
        }
    }
    free(c);
}

/* Random operations against a plain array model. */
CHORUS_TEST(random_model)
{
    enum { SPACE = 3000, OPS = 300000 };
    struct chorus_map m;
    void **model = calloc(SPACE, sizeof(*model));
    bool *has = calloc(SPACE, sizeof(*has));
    uint64_t x = 0x0123456789abcdefULL;
    size_t n = 0;

    assert_non_null(model);
    assert_non_null(has);
    chorus_map_init(&m, SEED);
    for (int op = 0; op < OPS; op++) {
        uint64_t r = rnd(&x);
        size_t k = (size_t)(r % SPACE);
        char key[16];
        int kl = snprintf(key, sizeof(key), "%zx", k);
        void *val = (void *)(uintptr_t)(r >> 20);

        unsigned action = (unsigned)((r >> 12) % 4);

        /* More adds than removes at first, then balanced churn. */
        if (action == 1 && op > OPS / 2)
            action = 2;
        switch (action) {
        case 0:
        case 1:
            assert_int_equal(chorus_map_add(&m, key, (size_t)kl, val), !has[k]);
            if (!has[k]) {
                has[k] = true;
                model[k] = val;
                n++;
            }
            break;
        case 2:
            assert_ptr_equal(chorus_map_remove(&m, key, (size_t)kl), has[k] ? model[k] : NULL);
            if (has[k]) {
                has[k] = false;
                n--;
            }
            break;
        default:
            assert_int_equal(chorus_map_has(&m, key, (size_t)kl), has[k]);
            assert_ptr_equal(chorus_map_get(&m, key, (size_t)kl), has[k] ? model[k] : NULL);
            break;
        }
        if (op % 1000 == 0)
            assert_int_equal(key_count(&m), n);
    }
    assert_int_equal(key_count(&m), n);
    for (size_t k = 0; k < SPACE; k++) {
        char key[16];
        int kl = snprintf(key, sizeof(key), "%zx", k);

        assert_int_equal(chorus_map_has(&m, key, (size_t)kl), has[k]);
    }
    chorus_map_cleanup(&m, NULL);
    free(model);
    free(has);
}

/* ---- cleanup ------------------------------------------------------------------------------ */

static int freed;

static void free_counted(void *v)
{
    freed++;
    free(v);
}

CHORUS_TEST(cleanup_frees_values)
{
    struct chorus_map m;

    freed = 0;
    chorus_map_init(&m, SEED);
    for (int i = 0; i < 1000; i++) {
        char k[16];
        int n = snprintf(k, sizeof(k), "v%d", i);
        int *v = malloc(sizeof(*v));

        assert_non_null(v);
        *v = i;
        assert_true(chorus_map_add(&m, k, (size_t)n, v));
    }
    /* A removed value is the caller's again, not the destructor's. */
    for (int i = 0; i < 100; i++) {
        char k[16];
        int n = snprintf(k, sizeof(k), "v%d", i);
        int *v = chorus_map_remove(&m, k, (size_t)n);

        assert_non_null(v);
        assert_int_equal(*v, i);
        free(v);
    }
    chorus_map_cleanup(&m, free_counted);
    assert_int_equal(freed, 900);
    /* Reusable after cleanup; LeakSanitizer checks the keys were freed. */
    chorus_map_init(&m, SEED);
    assert_true(chorus_map_add(&m, "v1", 2, NULL));
    chorus_map_cleanup(&m, NULL);
}

/* clear empties a table over and over without giving its slots back, and
 * frees what it holds each time. */
CHORUS_TEST(clear_keeps_slots)
{
    struct chorus_map m;
    size_t cap = 0;

    chorus_map_init(&m, SEED);
    for (int round = 0; round < 5; round++) {
        freed = 0;
        for (int i = 0; i < 500; i++) {
            char k[16];
            int n = snprintf(k, sizeof(k), "r%d-%d", round, i);
            int *v = malloc(sizeof(*v));

            assert_non_null(v);
            *v = i;
            assert_true(chorus_map_add(&m, k, (size_t)n, v));
        }
        assert_int_equal(m.n, 500);
        if (round == 0)
            cap = m.cap;
        assert_int_equal(m.cap, cap); /* the same 500 keys never grow it again */
        chorus_map_clear(&m, free_counted);
        assert_int_equal(freed, 500);
        assert_int_equal(m.n, 0);
        assert_false(chorus_map_has(&m, "r0-1", 4));
    }
    chorus_map_cleanup(&m, NULL);
}

CHORUS_TEST_MAIN()
