/* A product's review list over HTTP: every sort and filter over one known
 * set of reviews, parameter errors, and keyset cursors that stay put while
 * reviews arrive. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testmain.h"

/* ---- sorts and filters over one known set --------------------------------------- */

/* The set: six reviews of product "so-1" on six days.
 *   r0 3 stars  01-01           helpful 3
 *   r1 5 stars  01-02 verified  helpful 1
 *   r2 1 star   01-03           helpful 2
 *   r3 mention  01-04
 *   r4 5 stars  01-05
 *   r5 2 stars  01-06 verified
 */
static void make_set(struct chorusd *d, uint64_t r[6])
{
    static const char *const rating[6] = {"3", "5", "1", "null", "5", "2"};
    static const int helpful[6] = {3, 1, 2, 0, 0, 0};

    for (int i = 0; i < 6; i++) {
        r[i] = h_post_review(d, h_fmt("{\"product_id\":\"so-1\",\"rating\":%s,\"verified\":%s,"
                                      "\"created_at\":\"2024-01-0%dT12:00:00Z\"}",
                                      rating[i], i == 1 || i == 5 ? "true" : "false", i + 1));
    }
    for (int i = 0; i < 6; i++) {
        for (int k = 0; k < helpful[i]; k++) {
            struct hresp *v =
                h_post_json(d, h_fmt("/api/v1/reviews/%llu/votes", (unsigned long long)r[i]),
                            "{\"helpful\":true}");

            expect_status(v, 200);
            hresp_free(v);
        }
    }
}

/* expect_order lists query q of so-1 and checks the ids against the set's
 * indexes in order (-1 ends the list). */
static void expect_order(struct chorusd *d, const uint64_t r[6], const char *q, const int *order)
{
    uint64_t got[16];
    size_t n = h_list_ids(d, false, h_fmt("/api/v1/products/so-1/reviews%s", q), got, 16, NULL);
    size_t want = 0;

    while (order[want] >= 0)
        want++;
    if (n != want)
        fail_msg("%s: expected %zu reviews, got %zu", q, want, n);
    for (size_t i = 0; i < n; i++)
        if (got[i] != r[order[i]])
            fail_msg("%s: position %zu is review %llu, expected r%d (%llu)", q, i,
                     (unsigned long long)got[i], order[i], (unsigned long long)r[order[i]]);
}

CHORUS_TEST_SETUP(sort_newest, h_setup, h_teardown)
{
    uint64_t r[6];
    const int order[] = {5, 4, 3, 2, 1, 0, -1};

    make_set(*state, r);
    expect_order(*state, r, "", order);
    expect_order(*state, r, "?sort=newest", order);
}

CHORUS_TEST_SETUP(sort_oldest, h_setup, h_teardown)
{
    uint64_t r[6];
    const int order[] = {0, 1, 2, 3, 4, 5, -1};

    make_set(*state, r);
    expect_order(*state, r, "?sort=oldest", order);
}

CHORUS_TEST_SETUP(sort_highest, h_setup, h_teardown)
{
    uint64_t r[6];
    const int order[] = {4, 1, 0, 5, 2, 3, -1};

    make_set(*state, r);
    expect_order(*state, r, "?sort=highest", order);
}

CHORUS_TEST_SETUP(sort_lowest, h_setup, h_teardown)
{
    uint64_t r[6];
    const int order[] = {2, 5, 0, 4, 1, 3, -1};

    make_set(*state, r);
    expect_order(*state, r, "?sort=lowest", order);
}

CHORUS_TEST_SETUP(sort_helpful, h_setup, h_teardown)
{
    uint64_t r[6];
    const int order[] = {0, 2, 1, 5, 4, 3, -1};

    make_set(*state, r);
    expect_order(*state, r, "?sort=helpful", order);
}

CHORUS_TEST_SETUP(filter_rating, h_setup, h_teardown)
{
    uint64_t r[6];
    const int low[] = {5, 2, -1}, five_oldest[] = {1, 4, -1}, none[] = {-1};

    make_set(*state, r);
    expect_order(*state, r, "?rating=1,2", low);
    expect_order(*state, r, "?rating=2,1&sort=oldest", (const int[]){2, 5, -1});
    expect_order(*state, r, "?rating=5&sort=oldest", five_oldest);
    expect_order(*state, r, "?rating=4", none);
}

CHORUS_TEST_SETUP(filter_mention, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t r[6];
    const int only[] = {3, -1}, mixed[] = {5, 3, -1};
    struct hresp *resp;

    make_set(d, r);
    expect_order(d, r, "?rating=mention", only);
    expect_order(d, r, "?rating=mention,2", mixed);
    resp = h_get(d, "/api/v1/products/so-1/reviews?rating=mention");
    expect_jnull(resp->json, "reviews[0].rating");
    hresp_free(resp);
}

CHORUS_TEST_SETUP(filter_verified, h_setup, h_teardown)
{
    uint64_t r[6];
    const int verified[] = {5, 1, -1}, all[] = {5, 4, 3, 2, 1, 0, -1};

    make_set(*state, r);
    expect_order(*state, r, "?verified=true", verified);
    expect_order(*state, r, "?verified=false", all);
    expect_order(*state, r, "?verified=true&sort=highest", (const int[]){1, 5, -1});
}

CHORUS_TEST_SETUP(filter_since, h_setup, h_teardown)
{
    uint64_t r[6];
    const int since[] = {5, 4, 3, -1}, oldest[] = {3, 4, 5, -1};

    make_set(*state, r);
    expect_order(*state, r, "?since=2024-01-04T00:00:00Z", since);
    expect_order(*state, r, "?since=2024-01-04T00:00:00Z&sort=oldest", oldest);
    expect_order(*state, r, "?since=2024-01-04T12:00:00Z&rating=5", (const int[]){4, -1});
}

CHORUS_TEST_SETUP(list_bad_parameters, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    static const char *const bad[] = {
        "limit=0",
        "limit=101",
        "limit=-1",
        "limit=ten",
        "limit=",
        "sort=best",
        "rating=0",
        "rating=6",
        "rating=1,",
        "rating=stars",
        "verified=yes",
        "since=yesterday",
        "since=2024-13-01T00:00:00Z",
        "cursor=garbage!!",
    };
    struct hresp *r;

    h_post_review(d, "{\"product_id\":\"lb-1\",\"rating\":5}");
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        r = h_get(d, h_fmt("/api/v1/products/lb-1/reviews?%s", bad[i]));
        if (r->status != 400)
            print_error("query %s\n", bad[i]);
        expect_problem(r, 400);
        hresp_free(r);
    }
    r = h_get(d, "/api/v1/products/lb-1/reviews?limit=100");
    expect_status(r, 200);
    hresp_free(r);
    r = h_get(d, "/api/v1/products/lb-1/reviews?limit=1");
    expect_status(r, 200);
    hresp_free(r);
}

/* ---- cursors ---------------------------------------------------------------------- */

/* collect_pages follows next_cursor from base (a path with a query) and
 * returns how many ids it gathered; fails after 50 pages. */
static size_t collect_pages(struct chorusd *d, const char *base, size_t limit, uint64_t *out,
                            size_t cap)
{
    char *cursor = NULL;
    size_t n = 0, pages = 0;

    do {
        const char *path = cursor ? h_fmt("%s&limit=%zu&cursor=%s", base, limit, cursor)
                                  : h_fmt("%s&limit=%zu", base, limit);
        char *next = NULL;
        size_t k = h_list_ids(d, false, path, out + n, cap - n, &next);

        assert_true(k <= limit);
        if (next)
            assert_int_equal(k, limit);
        n += k;
        free(cursor);
        cursor = next;
        if (++pages > 50)
            fail_msg("%s: more than 50 pages", base);
    } while (cursor);
    return n;
}

CHORUS_TEST_SETUP(cursor_paging, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    static const char *const sorts[] = {"newest", "oldest", "highest", "lowest", "helpful"};
    uint64_t ids[25], whole[64], paged[64];

    /* Ratings cycle with mentions among them; pairs share a created_at so the
     * tie-break by id is exercised; a few helpful votes. */
    for (int i = 0; i < 25; i++) {
        ids[i] = h_post_review(d, h_fmt("{\"product_id\":\"cp-1\",\"rating\":%s,\"created_at\":"
                                        "\"2024-02-%02dT08:00:00Z\"}",
                                        i % 6 == 5 ? "null" : h_fmt("%d", i % 5 + 1), i / 2 + 1));
    }
    for (int i = 0; i < 25; i += 4) {
        struct hresp *v =
            h_post_json(d, h_fmt("/api/v1/reviews/%llu/votes", (unsigned long long)ids[i]),
                        "{\"helpful\":true}");

        expect_status(v, 200);
        hresp_free(v);
    }
    for (size_t s = 0; s < 5; s++) {
        char base[128];
        size_t n, k;

        snprintf(base, sizeof(base), "/api/v1/products/cp-1/reviews?sort=%s", sorts[s]);
        n = h_list_ids(d, false, h_fmt("%s&limit=100", base), whole, 64, NULL);
        assert_int_equal(n, 25);
        for (size_t limit = 1; limit <= 10; limit += 3) {
            k = collect_pages(d, base, limit, paged, 64);
            if (k != 25)
                fail_msg("sort=%s limit=%zu: %zu reviews over all pages", sorts[s], limit, k);
            for (size_t i = 0; i < 25; i++)
                if (paged[i] != whole[i])
                    fail_msg("sort=%s limit=%zu: position %zu differs from the one-page list",
                             sorts[s], limit, i);
        }
        for (size_t i = 0; i < 25; i++) {
            size_t seen = 0;

            for (size_t j = 0; j < 25; j++)
                seen += whole[j] == ids[i];
            if (seen != 1)
                fail_msg("sort=%s: review %llu listed %zu times", sorts[s],
                         (unsigned long long)ids[i], seen);
        }
    }
}

/* A cursor is a position: newer reviews do not shift the pages after it. */
CHORUS_TEST_SETUP(cursor_stable, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    static const char *const sorts[] = {"newest", "highest", "oldest"};
    uint64_t before[3][8], after[8];
    char *cursor[3];
    size_t nb[3], na;

    for (int i = 0; i < 12; i++)
        h_post_review(d, h_fmt("{\"product_id\":\"cs-1\",\"rating\":%d,\"created_at\":"
                               "\"2024-01-%02dT00:00:00Z\"}",
                               i % 5 + 1, i + 1));
    for (int s = 0; s < 3; s++) {
        uint64_t first[8];
        char *next = NULL;

        h_list_ids(d, false, h_fmt("/api/v1/products/cs-1/reviews?sort=%s&limit=5", sorts[s]),
                   first, 8, &cursor[s]);
        assert_non_null(cursor[s]);
        nb[s] = h_list_ids(
            d, false,
            h_fmt("/api/v1/products/cs-1/reviews?sort=%s&limit=5&cursor=%s", sorts[s], cursor[s]),
            before[s], 8, &next);
        assert_int_equal(nb[s], 5);
        free(next);
    }
    for (int i = 0; i < 4; i++)
        h_post_review(d, h_fmt("{\"product_id\":\"cs-1\",\"rating\":5,\"created_at\":"
                               "\"2024-03-%02dT00:00:00Z\"}",
                               i + 1));
    /* A cursor belongs to its sort. */
    {
        struct hresp *r = h_get(
            d, h_fmt("/api/v1/products/cs-1/reviews?sort=oldest&limit=5&cursor=%s", cursor[0]));

        expect_problem(r, 400);
        hresp_free(r);
    }
    for (int s = 0; s < 3; s++) {
        na = h_list_ids(
            d, false,
            h_fmt("/api/v1/products/cs-1/reviews?sort=%s&limit=5&cursor=%s", sorts[s], cursor[s]),
            after, 8, NULL);
        if (na != nb[s] || memcmp(after, before[s], na * sizeof(after[0])) != 0)
            fail_msg("sort=%s: the page after the cursor changed when newer reviews arrived",
                     sorts[s]);
        free(cursor[s]);
    }
}

CHORUS_TEST_MAIN()
