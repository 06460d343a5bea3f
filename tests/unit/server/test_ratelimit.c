/* The vote limiter (server/ratelimit.c), through internal.h only: one vote
 * per address and review a day, votes_per_hour per address (0 = no cap),
 * time passing, and many addresses at once. A fresh (address, review) pair
 * under the hourly cap must never be refused, and an immediate repeat
 * always is; these hold whatever table the limiter keeps. */
#include "testmain.h"

#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

/* Midnight UTC, so "the same day" means the same for a 24-hour window and
 * for a calendar day. */
#define T0 ((int64_t)1700006400)

CHORUS_TEST(one_vote_per_review_a_day)
{
    struct srv_ratelimit *rl = srv__ratelimit_new(0);

    assert_true(srv__ratelimit_vote(rl, "192.0.2.1", 1, T0));
    assert_false(srv__ratelimit_vote(rl, "192.0.2.1", 1, T0));
    assert_false(srv__ratelimit_vote(rl, "192.0.2.1", 1, T0 + 1));
    assert_false(srv__ratelimit_vote(rl, "192.0.2.1", 1, T0 + 3600));
    assert_false(srv__ratelimit_vote(rl, "192.0.2.1", 1, T0 + 86399));
    /* A day later the same vote is allowed again, and then refused again. */
    assert_true(srv__ratelimit_vote(rl, "192.0.2.1", 1, T0 + 86400));
    assert_false(srv__ratelimit_vote(rl, "192.0.2.1", 1, T0 + 86401));
    assert_true(srv__ratelimit_vote(rl, "192.0.2.1", 1, T0 + 3 * 86400));
    srv__ratelimit_free(rl);
}

CHORUS_TEST(pairs_are_independent)
{
    struct srv_ratelimit *rl = srv__ratelimit_new(0);

    assert_true(srv__ratelimit_vote(rl, "192.0.2.1", 1, T0));
    assert_false(srv__ratelimit_vote(rl, "192.0.2.1", 1, T0));
    /* Another review, another address: each its own first vote. */
    assert_true(srv__ratelimit_vote(rl, "192.0.2.1", 2, T0));
    assert_false(srv__ratelimit_vote(rl, "192.0.2.1", 2, T0));
    assert_true(srv__ratelimit_vote(rl, "192.0.2.2", 1, T0));
    assert_false(srv__ratelimit_vote(rl, "192.0.2.2", 1, T0));
    /* Addresses that are prefixes of each other, IPv6, and no address. */
    assert_true(srv__ratelimit_vote(rl, "192.0.2.10", 1, T0));
    assert_true(srv__ratelimit_vote(rl, "192.0.2.100", 1, T0));
    assert_true(srv__ratelimit_vote(rl, "2001:db8::1", 1, T0));
    assert_false(srv__ratelimit_vote(rl, "2001:db8::1", 1, T0));
    assert_true(srv__ratelimit_vote(rl, "", 1, T0));
    assert_false(srv__ratelimit_vote(rl, "", 1, T0));
    /* Review ids far apart and at the ends of the range. */
    assert_true(srv__ratelimit_vote(rl, "192.0.2.3", 0, T0));
    assert_true(srv__ratelimit_vote(rl, "192.0.2.3", UINT64_MAX, T0));
    assert_false(srv__ratelimit_vote(rl, "192.0.2.3", UINT64_MAX, T0));
    assert_true(srv__ratelimit_vote(rl, "192.0.2.3", (uint64_t)1 << 32, T0));
    assert_true(srv__ratelimit_vote(rl, "192.0.2.3", ((uint64_t)1 << 32) + 1, T0));
    srv__ratelimit_free(rl);
}

CHORUS_TEST(hourly_cap)
{
    struct srv_ratelimit *rl = srv__ratelimit_new(5);

    for (uint64_t id = 1; id <= 5; id++)
        assert_true(srv__ratelimit_vote(rl, "198.51.100.7", id, T0 + (int64_t)id));
    /* The sixth review within the hour is refused, on any review. */
    assert_false(srv__ratelimit_vote(rl, "198.51.100.7", 6, T0 + 10));
    assert_false(srv__ratelimit_vote(rl, "198.51.100.7", 7, T0 + 600));
    assert_false(srv__ratelimit_vote(rl, "198.51.100.7", 6, T0 + 3599));
    /* Another address is not affected. */
    assert_true(srv__ratelimit_vote(rl, "198.51.100.8", 6, T0 + 10));
    /* An hour later there is room again; a vote refused by the cap was
     * not recorded, so review 6 is a first vote. */
    assert_true(srv__ratelimit_vote(rl, "198.51.100.7", 6, T0 + 3600 + 10));
    assert_false(srv__ratelimit_vote(rl, "198.51.100.7", 6, T0 + 3600 + 11));
    srv__ratelimit_free(rl);

    /* A new hour gives room for new reviews, not a second vote on one. */
    rl = srv__ratelimit_new(1);
    assert_true(srv__ratelimit_vote(rl, "198.51.100.9", 1, T0));
    assert_false(srv__ratelimit_vote(rl, "198.51.100.9", 2, T0 + 1));
    assert_false(srv__ratelimit_vote(rl, "198.51.100.9", 1, T0 + 3600));
    assert_false(srv__ratelimit_vote(rl, "198.51.100.9", 1, T0 + 7 * 3600));
    assert_true(srv__ratelimit_vote(rl, "198.51.100.9", 2, T0 + 7 * 3600));
    srv__ratelimit_free(rl);
}

CHORUS_TEST(refused_votes_do_not_count)
{
    struct srv_ratelimit *rl = srv__ratelimit_new(3);

    assert_true(srv__ratelimit_vote(rl, "203.0.113.5", 1, T0));
    /* Repeats refused by the daily rule use none of the hourly votes. */
    for (int i = 0; i < 50; i++)
        assert_false(srv__ratelimit_vote(rl, "203.0.113.5", 1, T0 + i));
    assert_true(srv__ratelimit_vote(rl, "203.0.113.5", 2, T0 + 60));
    assert_true(srv__ratelimit_vote(rl, "203.0.113.5", 3, T0 + 61));
    assert_false(srv__ratelimit_vote(rl, "203.0.113.5", 4, T0 + 62));
    srv__ratelimit_free(rl);
}

CHORUS_TEST(no_cap_means_unlimited)
{
    struct srv_ratelimit *rl = srv__ratelimit_new(0);

    for (uint64_t id = 1; id <= 5000; id++) {
        assert_true(srv__ratelimit_vote(rl, "192.0.2.99", id, T0));
        assert_false(srv__ratelimit_vote(rl, "192.0.2.99", id, T0));
    }
    srv__ratelimit_free(rl);
}

CHORUS_TEST(many_addresses)
{
    enum { N = 100000 };
    struct srv_ratelimit *rl = srv__ratelimit_new(2);

    /* A crowd larger than any fixed table: nobody's first vote is refused
     * because of somebody else, and everybody's immediate repeat is. */
    for (int i = 0; i < N; i++) {
        char a[48];

        if (i % 2)
            snprintf(a, sizeof(a), "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
        else
            snprintf(a, sizeof(a), "2001:db8::%x:%x", i >> 16, i & 0xffff);
        if (!srv__ratelimit_vote(rl, a, 42, T0 + i / 1000))
            fail_msg("first vote of %s refused", a);
        assert_false(srv__ratelimit_vote(rl, a, 42, T0 + i / 1000));
        assert_true(srv__ratelimit_vote(rl, a, 43, T0 + i / 1000));
        /* The third review in the hour is over this address's cap. */
        assert_false(srv__ratelimit_vote(rl, a, 44, T0 + i / 1000));
    }
    srv__ratelimit_free(rl);
}

CHORUS_TEST(limiters_are_separate)
{
    struct srv_ratelimit *a = srv__ratelimit_new(1), *b = srv__ratelimit_new(1);

    assert_true(srv__ratelimit_vote(a, "192.0.2.1", 1, T0));
    assert_true(srv__ratelimit_vote(b, "192.0.2.1", 1, T0));
    assert_false(srv__ratelimit_vote(a, "192.0.2.1", 2, T0));
    srv__ratelimit_free(a);
    srv__ratelimit_free(b);
}

/* A vote is not forgotten because others voted meanwhile: 20,000 votes by
 * other clients on other reviews (what a busy day brings, or a client with
 * many addresses trying to flush the table) leave every earlier vote in
 * place. A direct-mapped table of 65,536 slots forgot about a quarter. */
CHORUS_TEST(votes_survive_other_traffic)
{
    struct srv_ratelimit *rl = srv__ratelimit_new(0);
    char client[32];

    for (uint64_t id = 1; id <= 20; id++)
        assert_true(srv__ratelimit_vote(rl, "192.0.2.50", id, T0));
    for (unsigned i = 0; i < 20000; i++) {
        snprintf(client, sizeof(client), "10.%u.%u.%u", i >> 16, (i >> 8) & 255, i & 255);
        assert_true(srv__ratelimit_vote(rl, client, 1000 + i, T0 + 1));
    }
    for (uint64_t id = 1; id <= 20; id++)
        assert_false(srv__ratelimit_vote(rl, "192.0.2.50", id, T0 + 2));
    srv__ratelimit_free(rl);
}

CHORUS_TEST_MAIN()
