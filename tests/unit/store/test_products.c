/* Products: catalogue fields, category moves carrying their aggregates and
 * daily buckets, category prefix listings with sorts and paging. */
#include "testmain.h"

#include <stdlib.h>

#include "chorus/base.h"
#include "store_helpers.h"

static struct review_stats cat(struct store *s, const char *path, int want_rc)
{
    struct store_txn *t = NULL;
    struct review_stats st;

    memset(&st, 0, sizeof(st));
    assert_int_equal(store_read_begin(s, &t), 0);
    assert_int_equal(store_category_stats(t, path, &st), want_rc);
    store_txn_free(t);
    return st;
}

static void reviews(struct store *s, const char *pid, int n, int rating, int64_t created)
{
    for (int i = 0; i < n; i++) {
        struct review r = mk_review(pid, rating, created + i * 86400);

        put_review(s, &r, NULL);
    }
}

struct pctx {
    struct product p;
};

static int put_full(struct store_txn *t, void *ctx)
{
    bool created;
    int rc = store_product_put(t, &((struct pctx *)ctx)->p, &created);

    return rc ? rc : (created ? 0 : CHORUS_EEXIST);
}

CHORUS_TEST_SETUP(catalogue_fields_round_trip, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct pctx c;
    struct store_txn *t = NULL;
    struct product got;
    struct review_stats st;
    char longcat[CHORUS_MAX_CATEGORY + 2];
    bool created;

    memset(&c, 0, sizeof(c));
    c.p.id = "sku-9";
    c.p.name = "Inspiron 15";
    c.p.brand = "Dell";
    c.p.category = "laptops/inspiron";
    c.p.url = "https://example.com/p";
    c.p.image_url = "https://example.com/i.png";
    c.p.gtin = "0123456789012";
    c.p.mpn = "I15-3000";
    c.p.updated_at = 1234;
    assert_int_equal(store_write(f->s, put_full, &c), 0);
    assert_int_equal(store_write(f->s, put_full, &c), CHORUS_EEXIST); /* not new twice */
    assert_int_equal(store_read_begin(f->s, &t), 0);
    assert_int_equal(store_product_get(t, "sku-9", &got, &st), 0);
    assert_string_equal(got.name, "Inspiron 15");
    assert_string_equal(got.brand, "Dell");
    assert_string_equal(got.category, "laptops/inspiron");
    assert_string_equal(got.gtin, "0123456789012");
    assert_true(got.updated_at == 1234);
    assert_int_equal(st.count, 0);
    assert_int_equal(store_product_get(t, "nope", &got, &st), CHORUS_ENOTFOUND);
    store_txn_free(t);

    /* A product that arrived with a review is not new when the catalogue
     * names it. */
    reviews(f->s, "early", 1, 4, 0);
    put_product(f->s, "early", "x", &created);
    assert_false(created);
    put_product(f->s, "brand-new", NULL, &created);
    assert_true(created);

    memset(longcat, 'a', sizeof(longcat) - 1);
    longcat[sizeof(longcat) - 1] = '\0';
    c.p.category = longcat;
    assert_int_equal(store_write(f->s, put_full, &c), CHORUS_EINVAL);
    c.p.category = "bad//path";
    assert_int_equal(store_write(f->s, put_full, &c), CHORUS_EINVAL);
    c.p.category = "x";
    c.p.id = "";
    assert_int_equal(store_write(f->s, put_full, &c), CHORUS_EINVAL);
    assert_consistent(f->s);
}

CHORUS_TEST_SETUP(category_change_moves_aggregates, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct review_stats st;

    put_product(f->s, "m1", "a/b", NULL);
    put_product(f->s, "m2", "a", NULL);
    reviews(f->s, "m1", 3, 5, 86400 * 100);
    reviews(f->s, "m1", 1, 0, 86400 * 300); /* a mention, newest of all */
    reviews(f->s, "m2", 2, 2, 86400 * 50);
    st = cat(f->s, "a", 0);
    assert_int_equal(st.count, 5);
    assert_int_equal(st.mentions, 1);
    assert_true(st.last_review_at == 86400 * 300);
    assert_int_equal(cat(f->s, "a/b", 0).count, 3);
    assert_consistent(f->s);

    /* a/b -> c/d: both a and a/b lose m1; a keeps m2 and its newest. */
    put_product(f->s, "m1", "c/d", NULL);
    st = cat(f->s, "a", 0);
    assert_int_equal(st.count, 2);
    assert_int_equal(st.mentions, 0);
    assert_true(st.last_review_at == 86400 * 51);
    st = cat(f->s, "a/b", 0);
    assert_int_equal(st.count, 0);
    assert_true(st.last_review_at == 0);
    st = cat(f->s, "c", 0);
    assert_int_equal(st.count, 3);
    assert_int_equal(st.mentions, 1);
    assert_true(st.last_review_at == 86400 * 300);
    assert_int_equal(cat(f->s, "c/d", 0).histogram[4], 3);
    assert_consistent(f->s);

    /* c/d -> c/e keeps c unchanged; then out of every category. */
    put_product(f->s, "m1", "c/e", NULL);
    assert_int_equal(cat(f->s, "c", 0).count, 3);
    assert_int_equal(cat(f->s, "c/d", 0).count, 0);
    assert_int_equal(cat(f->s, "c/e", 0).count, 3);
    assert_consistent(f->s);
    put_product(f->s, "m1", NULL, NULL);
    assert_int_equal(cat(f->s, "c", 0).count, 0);
    assert_int_equal(stats_of(f->s, "m1").count, 3);
    assert_consistent(f->s);
    /* And into one again, with new reviews after. */
    put_product(f->s, "m1", "a/b/c", NULL);
    reviews(f->s, "m1", 2, 1, 86400 * 400);
    assert_int_equal(cat(f->s, "a", 0).count, 7);
    assert_int_equal(cat(f->s, "a/b", 0).count, 5);
    assert_int_equal(cat(f->s, "a/b/c", 0).count, 5);
    cat(f->s, "zzz", CHORUS_ENOTFOUND);
    assert_consistent(f->s);
}

CHORUS_TEST_SETUP(product_days_by_range, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct store_txn *t = NULL;
    struct store_day d[8];
    size_t n;

    reviews(f->s, "dd", 5, 4, 86400 * 10 + 60);
    reviews(f->s, "dd", 2, 0, 86400 * 11);
    assert_int_equal(store_read_begin(f->s, &t), 0);
    assert_int_equal(store_product_days(t, "dd", 11, 12, d, 8, &n), 0);
    assert_int_equal(n, 2);
    assert_true(d[0].day == 11 && d[0].count == 1 && d[0].mentions == 1);
    assert_true(d[1].day == 12 && d[1].count == 1 && d[1].mentions == 1);
    assert_int_equal(d[0].rating_sum, 4);
    assert_int_equal(d[0].histogram[3], 1);
    assert_int_equal(store_product_days(t, "dd", -5, 100, d, 3, &n), 0);
    assert_int_equal(n, 3);
    assert_true(d[0].day == 10);
    assert_int_equal(store_product_days(t, "dd", 20, 10, d, 8, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(store_product_days(t, "nope", 0, 10, d, 8, &n), CHORUS_ENOTFOUND);
    store_txn_free(t);
}

/* ---- listings -------------------------------------------------------------------------------- */

struct listing {
    char ids[32][16];
    size_t n;
};

static int take(void *ctx, const struct product *p, const struct review_stats *st)
{
    struct listing *l = ctx;

    (void)st;
    snprintf(l->ids[l->n++], sizeof(l->ids[0]), "%s", p->id);
    return 0;
}

static void list_all(struct store *s, const char *category, enum store_product_sort sort,
                     size_t limit, struct listing *l)
{
    struct store_txn *t = NULL;
    char next[STORE_CURSOR_MAX] = "";
    int pages = 0;

    memset(l, 0, sizeof(*l));
    assert_int_equal(store_read_begin(s, &t), 0);
    do {
        size_t before = l->n;

        /* One buffer as both cursor and next_cursor. */
        assert_int_equal(store_products_list(t, category, sort, limit, next, take, l, next), 0);
        assert_true(l->n - before <= limit);
        assert_true(++pages < 50);
    } while (*next);
    store_txn_free(t);
}

static void expect(const struct listing *l, const char *const *want, size_t n)
{
    assert_int_equal(l->n, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(l->ids[i], want[i]);
}

CHORUS_TEST_SETUP(listings_by_category_prefix, fx_setup, fx_teardown)
{
    static const char *const by_id[] = {"l-a", "l-b", "l-c", "l-d"};
    static const char *const by_count[] = {"l-c", "l-a", "l-b", "l-d"};
    static const char *const by_avg[] = {"l-b", "l-a", "l-c", "l-d"};
    static const char *const all[] = {"l-a", "l-b", "l-c", "l-d", "lx", "n", "p"};
    struct fx *f = *state;
    struct listing l;

    put_product(f->s, "l-a", "laptops", NULL);
    put_product(f->s, "l-b", "laptops/inspiron", NULL);
    put_product(f->s, "l-c", "laptops/inspiron/15", NULL);
    put_product(f->s, "l-d", "laptops", NULL); /* no reviews */
    put_product(f->s, "lx", "laptopsX", NULL);
    put_product(f->s, "p", "phones", NULL);
    put_product(f->s, "n", NULL, NULL);
    reviews(f->s, "l-a", 2, 4, 0); /* avg 4, count 2 */
    reviews(f->s, "l-b", 1, 5, 0); /* avg 5, count 1 */
    reviews(f->s, "l-c", 3, 2, 0); /* avg 2, count 3 */
    reviews(f->s, "l-d", 2, 0, 0); /* mentions only: no average */
    reviews(f->s, "lx", 5, 5, 0);

    for (size_t limit = 1; limit <= 5; limit += 2) {
        list_all(f->s, "laptops", STORE_PSORT_ID, limit, &l);
        expect(&l, by_id, 4);
        list_all(f->s, "laptops", STORE_PSORT_COUNT, limit, &l);
        expect(&l, by_count, 4);
        list_all(f->s, "laptops", STORE_PSORT_AVERAGE, limit, &l);
        expect(&l, by_avg, 4);
        list_all(f->s, NULL, STORE_PSORT_ID, limit, &l);
        expect(&l, all, 7);
        list_all(f->s, "", STORE_PSORT_ID, limit, &l);
        expect(&l, all, 7);
    }
    list_all(f->s, "laptops/inspiron", STORE_PSORT_ID, 10, &l);
    expect(&l, by_id + 1, 2);
    list_all(f->s, "laptops/insp", STORE_PSORT_ID, 10, &l);
    assert_int_equal(l.n, 0);
    list_all(f->s, "phones", STORE_PSORT_COUNT, 1, &l);
    assert_int_equal(l.n, 1);
}

CHORUS_TEST_SETUP(listing_cursors_are_checked, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct store_txn *t = NULL;
    struct listing l;
    char next[STORE_CURSOR_MAX], cur[STORE_CURSOR_MAX];

    put_product(f->s, "a", "c", NULL);
    put_product(f->s, "b", "c", NULL);
    put_product(f->s, "c", "c", NULL);
    memset(&l, 0, sizeof(l));
    assert_int_equal(store_read_begin(f->s, &t), 0);
    assert_int_equal(store_products_list(t, "c", STORE_PSORT_COUNT, 1, NULL, take, &l, cur), 0);
    assert_true(*cur);
    assert_int_equal(store_products_list(t, "c", STORE_PSORT_ID, 1, cur, take, &l, next),
                     CHORUS_EINVAL);
    assert_int_equal(store_products_list(t, "c", STORE_PSORT_COUNT, 1, "xyz", take, &l, next),
                     CHORUS_EINVAL);
    assert_int_equal(store_products_list(t, "c", STORE_PSORT_COUNT, 0, NULL, take, &l, next),
                     CHORUS_EINVAL);
    assert_int_equal(store_products_list(t, "c", STORE_PSORT_COUNT, 101, NULL, take, &l, next),
                     CHORUS_EINVAL);
    assert_int_equal(store_products_list(t, "/c", STORE_PSORT_COUNT, 1, NULL, take, &l, next),
                     CHORUS_EINVAL);
    assert_int_equal(store_products_list(t, "c", STORE_PSORT_COUNT, 1, cur, take, &l, next), 0);
    assert_string_equal(l.ids[1], "b");
    store_txn_free(t);
}

/* ---- the catalogue rule (product_put.c) --------------------------------------------------- */

struct mctx {
    const struct product *p;
    bool overwrite;
    unsigned dropped;
    bool created;
};

static int do_merge(struct store_txn *t, void *ctx)
{
    struct mctx *m = ctx;

    return store_product_merge(t, m->p, m->overwrite, &m->dropped, &m->created);
}

static int merge(struct store *s, const struct product *p, bool overwrite, unsigned *dropped)
{
    struct mctx m = {p, overwrite, 99, false};
    int rc = store_write(s, do_merge, &m);

    if (dropped)
        *dropped = m.dropped;
    return rc;
}

/* got reads product id (asserting it exists) into a static copy, valid
 * until the next call; got(NULL, ...) frees it. */
static const struct product *got(struct store *s, const char *id, struct review_stats *st)
{
    static struct product *copy;
    struct store_txn *t = NULL;
    struct product p;

    free(copy);
    copy = NULL;
    if (!s)
        return NULL;
    assert_int_equal(store_read_begin(s, &t), 0);
    assert_int_equal(store_product_get(t, id, &p, st), 0);
    copy = product_dup(&p);
    store_txn_free(t);
    return copy;
}

CHORUS_TEST_SETUP(merge_fills_empty_fields_only, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct product a = {.id = "m", .name = "Laptop", .category = "laptops"};
    struct product b = {.id = "m",
                        .name = "Cheap pills",
                        .category = "pills",
                        .url = "https://shop.example/m",
                        .gtin = ""};
    struct review_stats st;
    uint64_t version;
    unsigned dropped;

    /* A missing product is made from the fields, not catalogued. */
    assert_int_equal(merge(f->s, &a, false, &dropped), 0);
    assert_int_equal(dropped, 0);
    assert_string_equal(got(f->s, "m", NULL)->name, "Laptop");
    assert_false(got(f->s, "m", NULL)->catalogued);
    /* Set fields stay, empty ones are filled. */
    assert_int_equal(merge(f->s, &b, false, NULL), 0);
    assert_string_equal(got(f->s, "m", NULL)->name, "Laptop");
    assert_string_equal(got(f->s, "m", NULL)->category, "laptops");
    assert_string_equal(got(f->s, "m", NULL)->url, "https://shop.example/m");
    assert_null(got(f->s, "m", NULL)->gtin);
    /* The same fields again change nothing: no version moves. */
    got(f->s, "m", &st);
    version = st.version;
    assert_int_equal(merge(f->s, &b, false, NULL), 0);
    got(f->s, "m", &st);
    assert_true(st.version == version);
    /* With overwrite they replace, the category moving with its stats. */
    assert_int_equal(merge(f->s, &b, true, NULL), 0);
    assert_string_equal(got(f->s, "m", NULL)->name, "Cheap pills");
    assert_string_equal(got(f->s, "m", NULL)->category, "pills");
    assert_string_equal(got(f->s, "m", NULL)->url, "https://shop.example/m");
    assert_false(got(f->s, "m", NULL)->catalogued);
    /* A put makes it catalogued; a merge after keeps that. */
    put_product(f->s, "m", "laptops", NULL);
    assert_true(got(f->s, "m", NULL)->catalogued);
    assert_int_equal(merge(f->s, &a, true, NULL), 0);
    assert_true(got(f->s, "m", NULL)->catalogued);
    assert_consistent(f->s);
    got(NULL, NULL, NULL);
}

CHORUS_TEST_SETUP(catalogue_urls_must_be_http, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    static const char *const bad[] = {"javascript:alert(1)",
                                      "JavaScript:alert(1)",
                                      "data:text/html,<b>x</b>",
                                      "/relative/path",
                                      "ftp://x.example/",
                                      "http:/one-slash",
                                      "https://"};
    struct pctx c;
    unsigned dropped;

    memset(&c, 0, sizeof(c));
    c.p.id = "u";
    c.p.url = "HTTPS://Shop.Example/u"; /* the scheme in any case */
    c.p.image_url = "http://img.example/u.png";
    assert_int_equal(store_write(f->s, put_full, &c), 0);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct product m = {.id = "u", .name = "Kept", .url = bad[i], .image_url = bad[i]};

        /* PUT refuses the product... */
        c.p.url = bad[i];
        assert_int_equal(store_write(f->s, put_full, &c), CHORUS_EINVAL);
        c.p.url = "https://shop.example/u";
        c.p.image_url = bad[i];
        assert_int_equal(store_write(f->s, put_full, &c), CHORUS_EINVAL);
        c.p.image_url = NULL;
        /* ... a merge drops the fields, even with overwrite, and keeps the rest. */
        assert_int_equal(merge(f->s, &m, true, &dropped), 0);
        assert_int_equal(dropped, 2);
        assert_string_equal(got(f->s, "u", NULL)->url, "HTTPS://Shop.Example/u");
        assert_string_equal(got(f->s, "u", NULL)->image_url, "http://img.example/u.png");
        assert_string_equal(got(f->s, "u", NULL)->name, "Kept");
    }
    /* A new product made by a merge does not get them either. */
    {
        struct product m = {.id = "new", .url = "javascript:x", .image_url = "https://i.example/"};

        assert_int_equal(merge(f->s, &m, false, &dropped), 0);
        assert_int_equal(dropped, 1);
        assert_null(got(f->s, "new", NULL)->url);
        assert_string_equal(got(f->s, "new", NULL)->image_url, "https://i.example/");
    }
    assert_consistent(f->s);
    got(NULL, NULL, NULL);
}

static bool listed(struct store *s, const char *id)
{
    struct review_stats st;
    const struct product *p = got(s, id, &st);
    struct store_txn *t = NULL;
    bool pub;

    assert_int_equal(store_read_begin(s, &t), 0);
    pub = store_scope_public(t, STORE_SCOPE_PRODUCT, id, &st) == 0;
    store_txn_free(t);
    /* The predicate and the scope read say the same. */
    assert_true(pub == store_product_listed(p, &st));
    return pub;
}

static int add_id(void *ctx, const struct product *p, const struct review_stats *st)
{
    (void)st;
    buf_puts(ctx, p->id);
    buf_putc(ctx, ' ');
    return 0;
}

/* listed_ids gives the ids store_products_list shows, space-separated, valid
 * until the next call; listed_ids(NULL, NULL) frees them. */
static const char *listed_ids(struct store *s, const char *category)
{
    static struct buf b;
    struct store_txn *t = NULL;
    char next[STORE_CURSOR_MAX];

    buf_cleanup(&b);
    buf_init(&b, 0);
    if (!s)
        return NULL;
    assert_int_equal(store_read_begin(s, &t), 0);
    assert_int_equal(store_products_list(t, category, STORE_PSORT_ID, 100, NULL, add_id, &b, next),
                     0);
    store_txn_free(t);
    return b.data ? b.data : "";
}

CHORUS_TEST_SETUP(listed_after_put_or_an_approved_review, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct product m = {.id = "pend", .name = "Made by a pending review", .category = "c"};
    struct review r = mk_review("pend", 5, 86400);
    struct review mention = mk_review("ment", 0, 86400);
    uint64_t id;

    /* A pending review's product exists for the store, not for the public. */
    assert_int_equal(merge(f->s, &m, false, NULL), 0);
    r.status = REVIEW_PENDING;
    id = put_review(f->s, &r, NULL);
    assert_false(listed(f->s, "pend"));
    assert_string_equal(listed_ids(f->s, NULL), "");
    assert_string_equal(listed_ids(f->s, "c"), "");
    /* Approved, it is; rejected again, it is not. */
    assert_int_equal(moderate(f->s, id, REVIEW_APPROVED, NULL), 0);
    assert_true(listed(f->s, "pend"));
    assert_string_equal(listed_ids(f->s, "c"), "pend ");
    assert_int_equal(moderate(f->s, id, REVIEW_REJECTED, NULL), 0);
    assert_false(listed(f->s, "pend"));
    assert_string_equal(listed_ids(f->s, NULL), "");
    /* An approved mention counts as an approved review. */
    put_review(f->s, &mention, NULL);
    assert_true(listed(f->s, "ment"));
    /* A product put by the catalogue is listed with no review at all. */
    put_product(f->s, "put", "c", NULL);
    assert_true(listed(f->s, "put"));
    assert_string_equal(listed_ids(f->s, NULL), "ment put ");
    assert_consistent(f->s);
    got(NULL, NULL, NULL);
    listed_ids(NULL, NULL);
}

/* Pages behind a cursor reuse the listing of their snapshot (gathered and
 * sorted once, however many pages are read), and a write makes the next
 * page come from the new snapshot: here it moves l-a ahead of l-c, so the
 * page after l-c is l-b, where the old order had l-a. */
CHORUS_TEST_SETUP(listing_kept_per_snapshot, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct store_txn *t = NULL;
    char cur[STORE_CURSOR_MAX] = "";
    struct listing l = {0};
    uint64_t built = store_plist_built(f->s);

    put_product(f->s, "l-a", "laptops", NULL);
    put_product(f->s, "l-b", "laptops", NULL);
    put_product(f->s, "l-c", "laptops", NULL);
    reviews(f->s, "l-a", 2, 4, 0);
    reviews(f->s, "l-b", 1, 5, 0);
    reviews(f->s, "l-c", 3, 2, 0);
    for (int page = 0; page < 3; page++) {
        assert_int_equal(store_read_begin(f->s, &t), 0);
        assert_int_equal(
            store_products_list(t, "laptops", STORE_PSORT_COUNT, 1, cur, take, &l, cur), 0);
        store_txn_free(t);
        t = NULL;
    }
    assert_int_equal(store_plist_built(f->s) - built, 1);
    assert_string_equal(l.ids[0], "l-c");
    assert_string_equal(l.ids[1], "l-a");
    assert_string_equal(l.ids[2], "l-b");
    l.n = 0;
    assert_int_equal(store_read_begin(f->s, &t), 0);
    assert_int_equal(store_products_list(t, "laptops", STORE_PSORT_COUNT, 1, NULL, take, &l, cur),
                     0);
    store_txn_free(t);
    t = NULL;
    reviews(f->s, "l-a", 5, 4, 0);
    assert_int_equal(store_read_begin(f->s, &t), 0);
    assert_int_equal(store_products_list(t, "laptops", STORE_PSORT_COUNT, 1, cur, take, &l, cur),
                     0);
    store_txn_free(t);
    t = NULL;
    assert_string_equal(l.ids[1], "l-b");
    assert_int_equal(store_plist_built(f->s) - built, 2);
}

CHORUS_TEST_MAIN()
