/* store_reviews_query: every sort and filter against a model, paging in
 * small pages equals one big page, pages stay stable while reviews arrive,
 * and foreign cursors are refused. */
#include "testmain.h"

#include <stdlib.h>

#include "chorus/base.h"
#include "store_helpers.h"

#define N 40

struct meta {
    uint64_t id;
    int rating;
    int64_t created;
    bool verified;
    enum review_status status;
    uint32_t helpful;
};

struct model {
    struct meta m[N + 16];
    size_t n;
};

static struct model model;

/* ---- the model's orders ----------------------------------------------------------------- */

static enum store_sort sort_now;

static int newest(const struct meta *a, const struct meta *b)
{
    if (a->created != b->created)
        return a->created > b->created ? -1 : 1;
    return a->id > b->id ? -1 : a->id < b->id;
}

static int group(int rating, bool highest)
{
    if (rating == 0)
        return 6;
    return highest ? 6 - rating : rating;
}

static int order(const void *x, const void *y)
{
    const struct meta *a = x, *b = y;

    switch (sort_now) {
    case STORE_SORT_NEWEST:
        return newest(a, b);
    case STORE_SORT_OLDEST:
        return -newest(a, b);
    case STORE_SORT_HIGHEST:
    case STORE_SORT_LOWEST: {
        int ga = group(a->rating, sort_now == STORE_SORT_HIGHEST);
        int gb = group(b->rating, sort_now == STORE_SORT_HIGHEST);

        if (ga != gb)
            return ga < gb ? -1 : 1;
        return newest(a, b);
    }
    case STORE_SORT_HELPFUL:
        if (a->helpful != b->helpful)
            return a->helpful > b->helpful ? -1 : 1;
        return newest(a, b);
    }
    return 0;
}

static bool selected(const struct meta *m, const struct store_query *q)
{
    unsigned ratings = q->ratings ? q->ratings : STORE_RATING_ALL;
    unsigned statuses = q->statuses ? q->statuses : 1u << REVIEW_APPROVED;

    return (ratings & (1u << m->rating)) && (statuses & (1u << m->status)) &&
           (!q->verified_only || m->verified) && (q->since == 0 || m->created >= q->since);
}

static size_t expected(const struct store_query *q, uint64_t *out)
{
    struct meta sorted[N + 16];
    size_t k = 0;

    memcpy(sorted, model.m, model.n * sizeof(sorted[0]));
    sort_now = q->sort;
    qsort(sorted, model.n, sizeof(sorted[0]), order);
    for (size_t i = 0; i < model.n; i++)
        if (selected(&sorted[i], q))
            out[k++] = sorted[i].id;
    return k;
}

/* ---- running queries -------------------------------------------------------------------- */

struct got {
    uint64_t ids[200];
    size_t n;
    int stop_after;
};

static int take(void *ctx, const struct review *r)
{
    struct got *g = ctx;

    assert_string_equal(r->product_id, "q");
    g->ids[g->n++] = r->id;
    if (g->stop_after && (int)g->n == g->stop_after)
        return CHORUS_ESTOP;
    return 0;
}

static int query(struct store *s, const struct store_query *q, struct got *g, char *next)
{
    struct store_txn *t = NULL;
    int rc;

    assert_int_equal(store_read_begin(s, &t), 0);
    rc = store_reviews_query(t, q, take, g, next);
    store_txn_free(t);
    return rc;
}

/* all_pages pages through q with page size `limit` and checks the whole
 * equals the model, and that the last page says so. */
static void all_pages(struct store *s, struct store_query q, size_t limit)
{
    uint64_t want[N + 16];
    size_t nwant = expected(&q, want);
    struct got g;
    char next[STORE_CURSOR_MAX];
    size_t pages = 0;

    memset(&g, 0, sizeof(g));
    q.limit = limit;
    q.cursor = NULL;
    for (;;) {
        size_t before = g.n;

        assert_int_equal(query(s, &q, &g, next), 0);
        pages++;
        assert_true(g.n - before <= limit);
        assert_true(strlen(next) < STORE_CURSOR_MAX);
        if (!*next)
            break;
        assert_int_equal(g.n - before, limit);
        assert_true(pages < 100);
        free((char *)q.cursor);
        q.cursor = strdup(next);
    }
    free((char *)q.cursor);
    assert_int_equal(g.n, nwant);
    for (size_t i = 0; i < nwant; i++)
        if (g.ids[i] != want[i])
            fail_msg("sort %d, limit %zu: position %zu has %llu, want %llu", q.sort, limit, i,
                     (unsigned long long)g.ids[i], (unsigned long long)want[i]);
}

static void add(struct store *s, int rating, int64_t created, bool verified, enum review_status st)
{
    struct review r = mk_review("q", rating, created);
    struct meta *m = &model.m[model.n++];

    r.verified = verified;
    r.status = st;
    m->id = put_review(s, &r, NULL);
    m->rating = rating;
    m->created = created;
    m->verified = verified;
    m->status = st;
    m->helpful = 0;
}

static int setup(void **state)
{
    struct fx *f;

    fx_setup(state);
    f = *state;
    memset(&model, 0, sizeof(model));
    put_product(f->s, "q", "cat", NULL);
    put_product(f->s, "other", "cat", NULL);
    for (int i = 0; i < N; i++) {
        /* Times repeat (ties broken by id) and go before 1970. */
        int64_t created = (int64_t)((i * 7) % 13) * 1000 - 4000;
        enum review_status st = i % 9 == 0 ? REVIEW_PENDING : REVIEW_APPROVED;

        if (i % 17 == 0)
            st = REVIEW_REJECTED;
        add(f->s, (i * 5) % 6, created, i % 3 == 0, st);
    }
    for (int i = 0; i < N; i += 3) {
        for (int v = 0; v < (i * 11) % 5; v++) {
            assert_int_equal(vote(f->s, model.m[i].id, true), 0);
            model.m[i].helpful++;
        }
    }
    return 0;
}

/* ---- cases -------------------------------------------------------------------------------- */

CHORUS_TEST_SETUP(every_sort_matches_the_model, setup, fx_teardown)
{
    struct fx *f = *state;

    for (int sort = STORE_SORT_NEWEST; sort <= STORE_SORT_HELPFUL; sort++) {
        struct store_query q = {.product_id = "q", .sort = (enum store_sort)sort};

        all_pages(f->s, q, 100);
        all_pages(f->s, q, 1);
        all_pages(f->s, q, 3);
        all_pages(f->s, q, 7);
    }
}

CHORUS_TEST_SETUP(every_filter_matches_the_model, setup, fx_teardown)
{
    struct fx *f = *state;

    for (int sort = STORE_SORT_NEWEST; sort <= STORE_SORT_HELPFUL; sort++) {
        struct store_query q = {.product_id = "q", .sort = (enum store_sort)sort};

        q.ratings = (1u << 5) | (1u << 1);
        all_pages(f->s, q, 2);
        q.ratings = STORE_RATING_MENTION;
        all_pages(f->s, q, 2);
        q.ratings = 0;
        q.verified_only = true;
        all_pages(f->s, q, 4);
        q.verified_only = false;
        q.since = 1000;
        all_pages(f->s, q, 4);
        q.since = -2000;
        all_pages(f->s, q, 5);
        q.since = 0;
        q.statuses = (1u << REVIEW_PENDING) | (1u << REVIEW_REJECTED);
        all_pages(f->s, q, 2);
        q.statuses = 7;
        q.ratings = (1u << 4) | STORE_RATING_MENTION;
        q.verified_only = true;
        q.since = -3000;
        all_pages(f->s, q, 3);
    }
}

CHORUS_TEST_SETUP(pages_stay_stable_when_reviews_arrive, setup, fx_teardown)
{
    struct fx *f = *state;
    struct store_query q = {.product_id = "q", .sort = STORE_SORT_NEWEST, .limit = 5};
    uint64_t want[N + 16];
    size_t nwant = expected(&q, want);
    char next[STORE_CURSOR_MAX];
    struct got g;

    memset(&g, 0, sizeof(g));
    assert_int_equal(query(f->s, &q, &g, next), 0);
    assert_int_equal(g.n, 5);
    assert_true(*next);
    /* Newer reviews arrive between the pages (and one older than all). */
    add(f->s, 5, 100000, false, REVIEW_APPROVED);
    add(f->s, 1, 100001, false, REVIEW_APPROVED);
    add(f->s, 3, -100000, false, REVIEW_APPROVED);
    q.cursor = next;
    assert_int_equal(query(f->s, &q, &g, next), 0);
    assert_int_equal(g.n, 10);
    for (size_t i = 0; i < 10; i++)
        assert_true(g.ids[i] == want[i]);
    assert_true(nwant > 10);
    /* The first page now starts with the newcomers. */
    memset(&g, 0, sizeof(g));
    q.cursor = NULL;
    assert_int_equal(query(f->s, &q, &g, next), 0);
    assert_true(g.ids[0] == model.m[model.n - 2].id);
}

CHORUS_TEST_SETUP(foreign_cursors_are_refused, setup, fx_teardown)
{
    struct fx *f = *state;
    struct store_query q = {.product_id = "q", .sort = STORE_SORT_NEWEST, .limit = 2};
    struct store_query other = {.product_id = "other", .sort = STORE_SORT_NEWEST, .limit = 2};
    char next[STORE_CURSOR_MAX], cur[STORE_CURSOR_MAX], bad[STORE_CURSOR_MAX + 8];
    struct got g;
    size_t len;

    memset(&g, 0, sizeof(g));
    assert_int_equal(query(f->s, &q, &g, cur), 0);
    assert_true(*cur);
    len = strlen(cur);
    /* Another sort, another product. */
    q.sort = STORE_SORT_OLDEST;
    q.cursor = cur;
    assert_int_equal(query(f->s, &q, &g, next), CHORUS_EINVAL);
    q.sort = STORE_SORT_HELPFUL;
    assert_int_equal(query(f->s, &q, &g, next), CHORUS_EINVAL);
    other.cursor = cur;
    assert_int_equal(query(f->s, &other, &g, next), CHORUS_EINVAL);
    /* Damaged: cut, extended, not base64url, a flipped version byte. */
    q.sort = STORE_SORT_NEWEST;
    memcpy(bad, cur, len - 2);
    bad[len - 2] = '\0';
    q.cursor = bad;
    assert_int_equal(query(f->s, &q, &g, next), CHORUS_EINVAL);
    snprintf(bad, sizeof(bad), "%sAAAA", cur);
    assert_int_equal(query(f->s, &q, &g, next), CHORUS_EINVAL);
    q.cursor = "not a cursor!";
    assert_int_equal(query(f->s, &q, &g, next), CHORUS_EINVAL);
    memcpy(bad, cur, len + 1);
    bad[0] = bad[0] == 'B' ? 'C' : 'B';
    q.cursor = bad;
    assert_int_equal(query(f->s, &q, &g, next), CHORUS_EINVAL);
    memset(bad, 'A', sizeof(bad) - 1);
    bad[sizeof(bad) - 1] = '\0';
    assert_int_equal(query(f->s, &q, &g, next), CHORUS_EINVAL);
    /* The genuine one still works, an empty one is the first page. */
    q.cursor = cur;
    assert_int_equal(query(f->s, &q, &g, next), 0);
    q.cursor = "";
    assert_int_equal(query(f->s, &q, &g, next), 0);
}

CHORUS_TEST_SETUP(bad_queries_are_refused, setup, fx_teardown)
{
    struct fx *f = *state;
    struct store_query q = {.product_id = "q", .sort = STORE_SORT_NEWEST, .limit = 0};
    char next[STORE_CURSOR_MAX];
    struct got g;

    memset(&g, 0, sizeof(g));
    assert_int_equal(query(f->s, &q, &g, next), CHORUS_EINVAL);
    q.limit = 101;
    assert_int_equal(query(f->s, &q, &g, next), CHORUS_EINVAL);
    q.limit = 10;
    q.ratings = 0x40;
    assert_int_equal(query(f->s, &q, &g, next), CHORUS_EINVAL);
    q.ratings = 0;
    q.sort = (enum store_sort)9;
    assert_int_equal(query(f->s, &q, &g, next), CHORUS_EINVAL);
    q.sort = STORE_SORT_NEWEST;
    q.product_id = "nope";
    assert_int_equal(query(f->s, &q, &g, next), CHORUS_ENOTFOUND);
    /* A product without reviews is an empty last page. */
    q.product_id = "other";
    assert_int_equal(query(f->s, &q, &g, next), 0);
    assert_int_equal(g.n, 0);
    assert_string_equal(next, "");
}

CHORUS_TEST_SETUP(stopping_early_gives_a_cursor, setup, fx_teardown)
{
    struct fx *f = *state;
    struct store_query q = {.product_id = "q", .sort = STORE_SORT_HIGHEST, .limit = 10};
    uint64_t want[N + 16];
    char next[STORE_CURSOR_MAX];
    struct got g;

    expected(&q, want);
    memset(&g, 0, sizeof(g));
    g.stop_after = 4;
    assert_int_equal(query(f->s, &q, &g, next), 0);
    assert_int_equal(g.n, 4);
    assert_true(*next);
    g.stop_after = 0;
    q.cursor = next;
    assert_int_equal(query(f->s, &q, &g, next), 0);
    assert_int_equal(g.n, 14);
    for (size_t i = 0; i < 14; i++)
        assert_true(g.ids[i] == want[i]);
}

CHORUS_TEST_SETUP(each_and_by_status_page_by_id, setup, fx_teardown)
{
    struct fx *f = *state;
    struct store_txn *t = NULL;
    struct got g;
    uint64_t last = 0, after = 0;
    size_t pending = 0;

    for (size_t i = 0; i < model.n; i++)
        pending += model.m[i].status == REVIEW_PENDING;
    memset(&g, 0, sizeof(g));
    assert_int_equal(store_read_begin(f->s, &t), 0);
    do {
        size_t before = g.n;

        assert_int_equal(store_reviews_by_status(t, REVIEW_PENDING, after, 2, take, &g, &last), 0);
        assert_true(g.n - before <= 2);
        after = last;
    } while (last);
    assert_int_equal(g.n, pending);
    for (size_t i = 1; i < g.n; i++)
        assert_true(g.ids[i] > g.ids[i - 1]);
    memset(&g, 0, sizeof(g));
    assert_int_equal(store_reviews_each(t, model.m[N - 5].id - 1, take, &g), 0);
    assert_int_equal(g.n, 5);
    g.n = 0;
    g.stop_after = 2;
    assert_int_equal(store_reviews_each(t, 0, take, &g), 0);
    assert_int_equal(g.n, 2);
    store_txn_free(t);
}

CHORUS_TEST_MAIN()
