/* by_scope and what is built on it: feed pages in both directions against a
 * model, through moderation, deletion, re-ingest and category moves; review
 * windows; the schema-1 upgrade. */
#include "store_helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testmain.h"

#include "chorus/base.h"
#include "store_int.h"

#define MAXR 400

struct mrev {
    uint64_t id;
    int product; /* index into products */
    int rating;
    int64_t created;
    enum review_status status;
    bool gone;
};

static const char *const products[] = {"A", "B", "C"};
static const char *cats[] = {"a/x", "a/y", "b"};
static struct mrev model[MAXR];
static size_t nmodel;

static unsigned rnd_state = 12345;

static unsigned rnd(unsigned n)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return (rnd_state >> 8) % n;
}

static bool in_scope(const struct mrev *m, enum store_scope sc, const char *id)
{
    const char *cat = cats[m->product];
    size_t n;

    if (m->gone || m->status != REVIEW_APPROVED)
        return false;
    if (sc == STORE_SCOPE_ALL)
        return true;
    if (sc == STORE_SCOPE_PRODUCT)
        return strcmp(products[m->product], id) == 0;
    n = strlen(id);
    return strncmp(cat, id, n) == 0 && (cat[n] == '\0' || cat[n] == '/');
}

static int newest_first(const void *x, const void *y)
{
    const struct mrev *a = *(const struct mrev *const *)x, *b = *(const struct mrev *const *)y;

    if (a->created != b->created)
        return a->created > b->created ? -1 : 1;
    return a->id > b->id ? -1 : a->id < b->id;
}

static size_t expected(enum store_scope sc, const char *id, uint64_t *out)
{
    const struct mrev *sel[MAXR];
    size_t n = 0;

    for (size_t i = 0; i < nmodel; i++)
        if (in_scope(&model[i], sc, id))
            sel[n++] = &model[i];
    qsort(sel, n, sizeof(sel[0]), newest_first);
    for (size_t i = 0; i < n; i++)
        out[i] = sel[i]->id;
    return n;
}

struct got {
    uint64_t ids[STORE_FEED_MAX];
    size_t n;
};

static int take(void *ctx, const struct review *r)
{
    struct got *g = ctx;

    assert_true(g->n < STORE_FEED_MAX);
    assert_int_equal(r->status, REVIEW_APPROVED);
    g->ids[g->n++] = r->id;
    return 0;
}

static int page(struct store *s, enum store_scope sc, const char *id, size_t limit,
                const char *cursor, struct got *g, struct store_feed_links *lk)
{
    struct store_txn *t = NULL;
    struct store_feed_query q = {sc, id, limit, cursor};
    int rc;

    memset(g, 0, sizeof(*g));
    assert_int_equal(store_read_begin(s, &t), 0);
    rc = store_feed_query(t, &q, take, g, lk);
    store_read_end(t);
    store_txn_free(t);
    return rc;
}

/* walk pages forward with next, then back from last with previous, and
 * compares both with the model. */
static void check_scope_pages(struct store *s, enum store_scope sc, const char *id, size_t limit)
{
    static uint64_t want[MAXR], fwd[MAXR + STORE_FEED_MAX], back[MAXR + STORE_FEED_MAX];
    size_t nwant = expected(sc, id, want), nf = 0, nb = 0;
    struct store_feed_links lk;
    char cur[STORE_CURSOR_MAX] = "";
    struct got g;
    bool first = true;

    do {
        assert_int_equal(page(s, sc, id, limit, first ? NULL : cur, &g, &lk), 0);
        assert_true(g.n <= limit);
        if (!first)
            assert_true(lk.prev[0] != '\0');
        else
            assert_string_equal(lk.prev, "");
        assert_true(nf + g.n <= MAXR);
        memcpy(fwd + nf, g.ids, g.n * sizeof(uint64_t));
        nf += g.n;
        snprintf(cur, sizeof(cur), "%s", lk.next);
        first = false;
    } while (cur[0]);
    assert_int_equal(nf, nwant);
    assert_memory_equal(fwd, want, nwant * sizeof(uint64_t));

    /* From the last page back to the first: the same pages. */
    if (sc == STORE_SCOPE_ALL) {
        assert_int_equal(page(s, sc, id, limit, STORE_FEED_LAST, &g, &lk), CHORUS_EINVAL);
        return;
    }
    assert_int_equal(page(s, sc, id, limit, STORE_FEED_LAST, &g, &lk), 0);
    assert_int_equal(g.n, nwant % limit ? nwant % limit : (nwant ? limit : 0));
    assert_string_equal(lk.next, "");
    nb = g.n;
    memcpy(back + MAXR + STORE_FEED_MAX - nb, g.ids, g.n * sizeof(uint64_t));
    while (lk.prev[0]) {
        snprintf(cur, sizeof(cur), "%s", lk.prev);
        assert_int_equal(page(s, sc, id, limit, cur, &g, &lk), 0);
        assert_int_equal(g.n, limit);
        assert_true(nb + g.n <= MAXR);
        nb += g.n;
        memcpy(back + MAXR + STORE_FEED_MAX - nb, g.ids, g.n * sizeof(uint64_t));
    }
    assert_int_equal(nb, nwant);
    assert_memory_equal(back + MAXR + STORE_FEED_MAX - nb, want, nwant * sizeof(uint64_t));
}

static void check_all(struct store *s)
{
    static const size_t limits[] = {1, 7, 200};

    for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
        check_scope_pages(s, STORE_SCOPE_ALL, NULL, limits[i]);
        check_scope_pages(s, STORE_SCOPE_PRODUCT, "A", limits[i]);
        check_scope_pages(s, STORE_SCOPE_PRODUCT, "B", limits[i]);
        check_scope_pages(s, STORE_SCOPE_CATEGORY, "a", limits[i]);
        check_scope_pages(s, STORE_SCOPE_CATEGORY, "a/x", limits[i]);
        check_scope_pages(s, STORE_SCOPE_CATEGORY, "b", limits[i]);
    }
}

static void fill(struct store *s, size_t n)
{
    nmodel = 0;
    rnd_state = 12345;
    for (int p = 0; p < 3; p++)
        put_product(s, products[p], cats[p], NULL);
    for (size_t i = 0; i < n; i++) {
        struct mrev *m = &model[nmodel++];
        struct review r;

        m->product = (int)rnd(3);
        m->rating = (int)rnd(6);
        /* Few distinct times, so ties on created_at are common. */
        m->created = 1700000000 + (int64_t)rnd(50) * 3600;
        m->status = rnd(5) == 0 ? REVIEW_PENDING : REVIEW_APPROVED;
        r = mk_review(products[m->product], m->rating, m->created);
        r.status = m->status;
        m->id = put_review(s, &r, NULL);
    }
}

CHORUS_TEST_SETUP(feed_pages_match_the_model, fx_setup, fx_teardown)
{
    struct fx *f = *state;

    fill(f->s, 300);
    check_all(f->s);
    assert_consistent(f->s);
}

CHORUS_TEST_SETUP(changes_keep_the_index, fx_setup, fx_teardown)
{
    struct fx *f = *state;

    fill(f->s, 200);
    for (size_t i = 0; i < nmodel; i += 7) {
        enum review_status st =
            model[i].status == REVIEW_APPROVED ? REVIEW_REJECTED : REVIEW_APPROVED;

        assert_int_equal(moderate(f->s, model[i].id, st, NULL), 0);
        model[i].status = st;
    }
    for (size_t i = 3; i < nmodel; i += 11) {
        assert_int_equal(delete_review(f->s, model[i].id), 0);
        model[i].gone = true;
    }
    /* Votes rewrite the record but keep the entries. */
    for (size_t i = 1; i < nmodel; i += 13)
        if (!model[i].gone && model[i].status == REVIEW_APPROVED)
            assert_int_equal(vote(f->s, model[i].id, true), 0);
    check_all(f->s);
    /* B moves from a/y to b: its reviews leave category a. */
    cats[1] = "b";
    put_product(f->s, "B", "b", NULL);
    check_all(f->s);
    cats[1] = "a/y";
    put_product(f->s, "B", "a/y", NULL);
    check_all(f->s);
    assert_consistent(f->s);
}

CHORUS_TEST_SETUP(bad_queries_are_refused, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct store_feed_links lk;
    struct got g;
    char cur[STORE_CURSOR_MAX];

    fill(f->s, 30);
    assert_int_equal(page(f->s, STORE_SCOPE_PRODUCT, "A", 0, NULL, &g, &lk), CHORUS_EINVAL);
    assert_int_equal(page(f->s, STORE_SCOPE_PRODUCT, "A", STORE_FEED_MAX + 1, NULL, &g, &lk),
                     CHORUS_EINVAL);
    assert_int_equal(page(f->s, STORE_SCOPE_PRODUCT, "nope", 5, NULL, &g, &lk), CHORUS_ENOTFOUND);
    assert_int_equal(page(f->s, STORE_SCOPE_CATEGORY, "zz", 5, NULL, &g, &lk), CHORUS_ENOTFOUND);
    assert_int_equal(page(f->s, STORE_SCOPE_CATEGORY, "", 5, NULL, &g, &lk), CHORUS_ENOTFOUND);
    assert_int_equal(page(f->s, STORE_SCOPE_PRODUCT, "A", 5, "garbage!", &g, &lk), CHORUS_EINVAL);
    /* A cursor of one scope is refused by another. */
    assert_int_equal(page(f->s, STORE_SCOPE_PRODUCT, "A", 2, NULL, &g, &lk), 0);
    assert_true(lk.next[0]);
    snprintf(cur, sizeof(cur), "%s", lk.next);
    assert_int_equal(page(f->s, STORE_SCOPE_PRODUCT, "B", 2, cur, &g, &lk), CHORUS_EINVAL);
    assert_int_equal(page(f->s, STORE_SCOPE_ALL, NULL, 2, cur, &g, &lk), CHORUS_EINVAL);
}

struct wctx {
    uint64_t ids[MAXR];
    size_t n;
};

static int wtake(void *ctx, const struct review *r)
{
    struct wctx *w = ctx;

    w->ids[w->n++] = r->id;
    return 0;
}

static int by_id(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

CHORUS_TEST_SETUP(windows_match_the_model, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct store_txn *t = NULL;

    fill(f->s, 300);
    assert_int_equal(store_read_begin(f->s, &t), 0);
    for (int k = 0; k < 20; k++) {
        unsigned ratings = (unsigned)rnd(64);
        int64_t from = 1700000000 + (int64_t)rnd(50) * 3600, to = from + (int64_t)rnd(20) * 3600;
        struct wctx w = {.n = 0};
        uint64_t want[MAXR];
        size_t nw = 0;

        for (size_t i = 0; i < nmodel; i++)
            if (model[i].product == 0 && model[i].status == REVIEW_APPROVED &&
                (ratings & (1u << model[i].rating)) && model[i].created >= from &&
                model[i].created < to)
                want[nw++] = model[i].id;
        assert_int_equal(store_reviews_window(t, "A", ratings, from, to, wtake, &w), 0);
        qsort(w.ids, w.n, sizeof(uint64_t), by_id);
        assert_int_equal(w.n, nw);
        assert_memory_equal(w.ids, want, nw * sizeof(uint64_t));
    }
    assert_int_equal(store_reviews_window(t, "nope", 0x3f, 0, 1, wtake, NULL), CHORUS_ENOTFOUND);
    store_read_end(t);
    store_txn_free(t);
}

/* downgrade makes the folder look like schema 1: no by_scope. */
static int downgrade(struct store_txn *t, void *ctx)
{
    int rc = mdb_drop(t->txn, t->s->dbi[STORE__BY_SCOPE], 0);

    (void)ctx;
    return rc ? CHORUS_EIO : store__meta_put_u32(t, "schema", 1);
}

CHORUS_TEST_SETUP(schema_one_is_upgraded, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct store_txn *t = NULL;
    struct store_feed_links lk;
    struct got g;
    uint32_t schema = 0;

    fill(f->s, 120);
    assert_int_equal(store_write(f->s, downgrade, NULL), 0);
    assert_int_equal(page(f->s, STORE_SCOPE_ALL, NULL, 10, NULL, &g, &lk), 0);
    assert_int_equal(g.n, 0);
    fx_reopen(f);
    assert_int_equal(store_read_begin(f->s, &t), 0);
    assert_int_equal(store__meta_get_u32(t, "schema", &schema), 0);
    store_read_end(t);
    store_txn_free(t);
    assert_int_equal(schema, CHORUS_SCHEMA_VERSION);
    check_all(f->s);
    assert_consistent(f->s);
}

CHORUS_TEST_MAIN()
