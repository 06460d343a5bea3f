/* store_ingest_batch (store/ingest.c), the one ingest path: items skipped
 * and refused without stopping the batch, counts, catalogue fields merged
 * once per run of identical products, results that survive a rerun of the
 * transaction, and the matching of Google feed items to products by GTIN
 * (any zero padding), SKU, MPN with brand and ASIN, or a product made from
 * the item and found again by the items after it. */
#include "store_helpers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testmain.h"

#include "chorus/base.h"
#include "store_int.h"

struct batch {
    struct store_ingest_item *items;
    size_t n;
    unsigned flags;
    struct store_ingest_counts counts;
    bool rerun; /* the first run ends as if the map had filled up */
    bool twice; /* the batch runs twice in the one transaction */
    int runs;
};

static int do_batch(struct store_txn *t, void *ctx)
{
    struct batch *b = ctx;
    int rc;

    b->runs++;
    rc = store_ingest_batch(t, b->items, b->n, b->flags, &b->counts);
    if (rc == 0 && b->twice)
        rc = store_ingest_batch(t, b->items, b->n, b->flags, &b->counts);
    /* store_write rolls back and runs the callback again from the start,
     * exactly what MDB_MAP_FULL anywhere in it would cause. */
    if (rc == 0 && b->rerun && b->runs == 1)
        t->mapfull = true;
    return rc;
}

static struct store_ingest_counts run_batch_flags(struct store *s, struct store_ingest_item *items,
                                                  size_t n, unsigned flags)
{
    struct batch b = {.items = items, .n = n, .flags = flags};

    /* Results from an earlier run must not leak into this one. */
    memset(&b.counts, 0x5a, sizeof(b.counts));
    assert_int_equal(store_write(s, do_batch, &b), 0);
    return b.counts;
}

static struct store_ingest_counts run_batch(struct store *s, struct store_ingest_item *items,
                                            size_t n)
{
    return run_batch_flags(s, items, n, 0);
}

static struct store_ingest_item item(const struct review *r, const struct product *p)
{
    struct store_ingest_item it;

    memset(&it, 0, sizeof(it));
    it.review = r;
    it.product = p;
    /* Stale values a caller might leave behind: every one is overwritten. */
    it.id = 999999;
    it.result = STORE_MERGED;
    it.error = CHORUS_EIO;
    return it;
}

static struct review rv(const char *product, const char *source_id, int rating)
{
    struct review r = mk_review(product, rating, 1700000000);

    r.source = "test";
    r.source_id = source_id;
    r.body = source_id;
    return r;
}

/* product_of returns the product id review id was stored under (static). */
static const char *product_of(struct store *s, uint64_t id)
{
    static char pid[CHORUS_MAX_PRODUCT_ID + 1];
    struct store_txn *t = NULL;
    struct review got;

    assert_int_equal(store_read_begin(s, &t), 0);
    assert_int_equal(store_review_get(t, id, &got), 0);
    snprintf(pid, sizeof(pid), "%s", got.product_id);
    store_txn_free(t);
    return pid;
}

/* field reads one catalogue field of product id ("name", "brand",
 * "gtin", "mpn", "category"); NULL for none; "(absent)" for no product. */
static const char *field(struct store *s, const char *id, const char *which)
{
    static char out[CHORUS_MAX_NAME + 1];
    struct store_txn *t = NULL;
    struct product p;
    const char *v;

    assert_int_equal(store_read_begin(s, &t), 0);
    if (store_product_get(t, id, &p, NULL) != 0) {
        store_txn_free(t);
        return "(absent)";
    }
    v = strcmp(which, "name") == 0    ? p.name
        : strcmp(which, "brand") == 0 ? p.brand
        : strcmp(which, "gtin") == 0  ? p.gtin
        : strcmp(which, "mpn") == 0   ? p.mpn
                                      : p.category;
    snprintf(out, sizeof(out), "%s", v ? v : "(null)");
    store_txn_free(t);
    return out;
}

/* counts reads how many reviews and products the store holds, in a read
 * transaction of its own. */
struct counts {
    uint64_t reviews, products;
};

static struct counts counts(struct store *s)
{
    struct store_txn *t = NULL;
    struct counts n;

    assert_int_equal(store_read_begin(s, &t), 0);
    assert_int_equal(store_counts(t, &n.reviews, &n.products), 0);
    store_txn_free(t);
    return n;
}

/* ---- the batch ----------------------------------------------------------------------------- */

CHORUS_TEST_SETUP(refused_items_do_not_stop_the_batch, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    char long_title[CHORUS_MAX_TITLE + 2];
    struct review ok1 = rv("p1", "s1", 5), ok2 = rv("p1", "s2", 4), bad_rating = rv("p1", "s3", 9),
                  no_product = rv("", "s4", 3), too_long = rv("p1", "s5", 2);
    struct store_ingest_item items[6];
    struct store_ingest_counts c;

    memset(long_title, 't', sizeof(long_title) - 1);
    long_title[sizeof(long_title) - 1] = '\0';
    too_long.title = long_title;
    items[0] = item(NULL, NULL); /* a parser already refused it */
    items[1] = item(&ok1, NULL);
    items[2] = item(&bad_rating, NULL);
    items[3] = item(&no_product, NULL);
    items[4] = item(&too_long, NULL);
    items[5] = item(&ok2, NULL);
    c = run_batch(f->s, items, 6);

    /* Skipped: nothing of it is counted, its results are cleared. */
    assert_int_equal(items[0].result, 0);
    assert_int_equal(items[0].error, 0);
    assert_int_equal(items[0].id, 0);
    for (int i = 2; i <= 4; i++) {
        assert_int_equal(items[i].result, 0);
        assert_int_equal(items[i].error, CHORUS_EINVAL);
        assert_int_equal(items[i].id, 0);
    }
    assert_int_equal(items[1].result, STORE_CREATED);
    assert_int_equal(items[1].error, 0);
    assert_int_equal(items[5].result, STORE_CREATED);
    assert_true(items[1].id != 0 && items[5].id != 0 && items[1].id != items[5].id);
    assert_int_equal(c.created, 2);
    assert_int_equal(c.refused, 3);
    assert_int_equal(c.updated + c.merged + c.unchanged, 0);
    assert_int_equal(counts(f->s).reviews, 2);
    assert_int_equal(stats_of(f->s, "p1").count, 2);
    assert_consistent(f->s);
}

CHORUS_TEST_SETUP(counts_every_result, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct review a = rv("p1", "a", 5), b = rv("p1", "b", 4), b2 = rv("p1", "b", 1),
                  c1 = rv("p2", "c", 3), bad = rv("p2", "d", -1);
    struct store_ingest_item items[5];
    struct store_ingest_counts c;

    items[0] = item(&a, NULL);
    items[1] = item(&b, NULL);
    c = run_batch(f->s, items, 2);
    assert_int_equal(c.created, 2);

    /* The same again, one of them edited, a new one, a bad one. */
    items[0] = item(&a, NULL);
    items[1] = item(&b2, NULL);
    items[2] = item(&c1, NULL);
    items[3] = item(&bad, NULL);
    items[4] = item(NULL, NULL);
    c = run_batch(f->s, items, 5);
    assert_int_equal(items[0].result, STORE_UNCHANGED);
    assert_int_equal(items[1].result, STORE_UPDATED);
    assert_int_equal(items[2].result, STORE_CREATED);
    assert_int_equal(items[3].result, 0);
    assert_int_equal(c.unchanged, 1);
    assert_int_equal(c.updated, 1);
    assert_int_equal(c.created, 1);
    assert_int_equal(c.refused, 1);
    assert_int_equal(c.merged, 0);
    /* Unchanged and updated keep their ids. */
    assert_int_not_equal(items[0].id, 0);
    assert_string_equal(product_of(f->s, items[1].id), "p1");
    assert_int_equal(stats_of(f->s, "p1").rating_sum, 6);

    assert_consistent(f->s);
}

static int batch_no_counts(struct store_txn *t, void *ctx)
{
    struct batch *b = ctx;

    return store_ingest_batch(t, b->items, b->n, b->flags, NULL);
}

CHORUS_TEST_SETUP(null_counts_and_merge_flag, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct review a = rv("p1", "a", 5), copy = rv("p1", "a", 5);
    struct store_ingest_item items[2];
    struct batch b = {.items = items, .n = 1};

    /* Long enough to be taken as proof of a copy. */
    a.body = copy.body = "The hinge cracked after two months and support took three weeks to "
                         "answer; otherwise the screen and battery are excellent for the price.";
    items[0] = item(&a, NULL);
    b.flags = STORE_PUT_MERGE;
    assert_int_equal(store_write(f->s, batch_no_counts, &b), 0);
    assert_int_equal(items[0].result, STORE_CREATED);
    /* The same text from another source, with the flag: one review. */
    copy.source = "elsewhere";
    items[0] = item(&copy, NULL);
    b.counts.merged = 0;
    assert_int_equal(store_write(f->s, do_batch, &b), 0);
    assert_int_equal(items[0].result, STORE_MERGED);
    assert_int_equal(b.counts.merged, 1);
    assert_int_equal(counts(f->s).reviews, 1);
}

CHORUS_TEST_SETUP(catalogue_fields_are_merged, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct product p1 = {.id = "p1", .name = "Laptop", .brand = "Acme", .category = "computers"};
    struct product p1_more = {.id = "p1", .gtin = "4006381333931"};
    struct review a = rv("p1", "a", 5), b = rv("p1", "b", 4);
    struct store_ingest_item items[2];

    items[0] = item(&a, &p1);
    run_batch(f->s, items, 1);
    assert_string_equal(field(f->s, "p1", "name"), "Laptop");
    assert_string_equal(field(f->s, "p1", "category"), "computers");
    /* A later item with other fields adds them and keeps the rest. */
    items[0] = item(&b, &p1_more);
    run_batch(f->s, items, 1);
    assert_string_equal(field(f->s, "p1", "gtin"), "4006381333931");
    assert_string_equal(field(f->s, "p1", "name"), "Laptop");
    assert_string_equal(field(f->s, "p1", "brand"), "Acme");
    {
        struct review_stats st;
        struct store_txn *t = NULL;

        assert_int_equal(store_read_begin(f->s, &t), 0);
        assert_int_equal(store_category_stats(t, "computers", &st), 0);
        assert_int_equal(st.count, 2);
        store_txn_free(t);
    }
    assert_consistent(f->s);
}

CHORUS_TEST_SETUP(catalogue_flag_decides_overwrites, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct product first = {.id = "p1", .name = "Laptop", .url = "https://shop.example/p1"};
    struct product other = {.id = "p1",
                            .name = "Cheap pills",
                            .url = "https://elsewhere.example/",
                            .brand = "Acme",
                            .image_url = "javascript:alert(1)"};
    struct review a = rv("p1", "a", 5), b = rv("p1", "b", 1), c = rv("p1", "c", 2);
    struct store_ingest_item items[1];
    struct store_ingest_counts n;

    items[0] = item(&a, &first);
    run_batch(f->s, items, 1);
    /* Without the flag: set fields stay, an empty one is filled, a URL that
     * is not http(s) is dropped and counted, and the review is stored. */
    b.status = REVIEW_REJECTED;
    items[0] = item(&b, &other);
    n = run_batch(f->s, items, 1);
    assert_int_equal(items[0].result, STORE_CREATED);
    assert_int_equal(items[0].dropped, 1);
    assert_int_equal(n.dropped, 1);
    assert_string_equal(field(f->s, "p1", "name"), "Laptop");
    assert_string_equal(field(f->s, "p1", "brand"), "Acme");
    {
        struct store_txn *t = NULL;
        struct product p;

        assert_int_equal(store_read_begin(f->s, &t), 0);
        assert_int_equal(store_product_get(t, "p1", &p, NULL), 0);
        assert_string_equal(p.url, "https://shop.example/p1");
        assert_null(p.image_url);
        store_txn_free(t);
    }
    /* With it (chorus import, a catalogue key or source): they replace. */
    items[0] = item(&c, &other);
    n = run_batch_flags(f->s, items, 1, STORE_PUT_CATALOGUE);
    assert_int_equal(n.dropped, 1);
    assert_string_equal(field(f->s, "p1", "name"), "Cheap pills");
    assert_consistent(f->s);
}

CHORUS_TEST_SETUP(runs_of_identical_products, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    /* Separate copies with equal fields, as a parser makes them per row. */
    struct product x1 = {.id = "p", .name = "X", .category = "a/b"};
    struct product x2 = {.id = "p", .name = "X", .category = "a/b"};
    struct product x3 = {.id = "p", .name = "X", .category = "a/b"};
    struct product y = {.id = "p", .name = "Y", .category = "a/c"};
    struct product q = {.id = "q", .name = "Q"};
    struct review r[8];
    struct store_ingest_item items[8];
    char sid[8][8];

    for (int i = 0; i < 8; i++) {
        snprintf(sid[i], sizeof(sid[i]), "r%d", i);
        r[i] = rv(i == 4 ? "q" : "p", sid[i], 1 + i % 5);
    }
    /* X X X Y q X X: the last run must win although it equals the first
     * (for a caller trusted to overwrite: catalogue_flag_decides_overwrites
     * has the rest). */
    items[0] = item(&r[0], &x1);
    items[1] = item(&r[1], &x2);
    items[2] = item(&r[2], &x3);
    items[3] = item(&r[3], &y);
    items[4] = item(&r[4], &q);
    items[5] = item(&r[5], &x1);
    items[6] = item(&r[6], &x2);
    run_batch_flags(f->s, items, 7, STORE_PUT_CATALOGUE);
    assert_string_equal(field(f->s, "p", "name"), "X");
    assert_string_equal(field(f->s, "p", "category"), "a/b");
    assert_string_equal(field(f->s, "q", "name"), "Q");
    assert_consistent(f->s);

    /* X then Y Y: Y, and the category aggregates moved with it. */
    items[0] = item(&r[0], &x1);
    items[1] = item(&r[1], &y);
    items[2] = item(&r[2], &y);
    run_batch_flags(f->s, items, 3, STORE_PUT_CATALOGUE);
    assert_string_equal(field(f->s, "p", "name"), "Y");
    assert_string_equal(field(f->s, "p", "category"), "a/c");
    assert_consistent(f->s);

    /* A product the store refuses leaves its review on the product id. */
    {
        char huge[CHORUS_MAX_NAME + 2];
        struct product bad = {.id = "z", .name = huge};

        memset(huge, 'n', sizeof(huge) - 1);
        huge[sizeof(huge) - 1] = '\0';
        r[7] = rv("z", "r7", 5);
        items[0] = item(&r[7], &bad);
        run_batch(f->s, items, 1);
        assert_int_equal(items[0].result, STORE_CREATED);
        assert_string_equal(product_of(f->s, items[0].id), "z");
        assert_string_equal(field(f->s, "z", "name"), "(null)");
    }
}

CHORUS_TEST_SETUP(results_survive_a_rerun, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct product made = {.id = "made", .name = "Made by the feed", .gtin = "0000123"};
    struct product by_gtin = {.gtin = "123"};
    struct review a = rv("p1", "a", 5), bad = rv("p1", "bad", 7), g1 = rv("", "g1", 4),
                  g2 = rv("", "g2", 3);
    struct store_ingest_item items[5];
    struct batch b = {.items = items, .n = 5, .rerun = true};

    items[0] = item(&a, NULL);
    items[1] = item(&bad, NULL);
    items[2] = item(NULL, NULL);
    items[3] = item(&g1, &made);
    items[3].match = true;
    items[4] = item(&g2, &by_gtin);
    items[4].match = true;
    memset(&b.counts, 0x5a, sizeof(b.counts));
    assert_int_equal(store_write(f->s, do_batch, &b), 0);
    assert_int_equal(b.runs, 2);
    /* What a single clean run gives: no result of the rolled-back run is
     * left over, and the product it made is made again (and found). */
    assert_int_equal(items[0].result, STORE_CREATED);
    assert_int_equal(items[1].error, CHORUS_EINVAL);
    assert_int_equal(items[2].result, 0);
    assert_int_equal(items[2].error, 0);
    assert_int_equal(items[3].result, STORE_CREATED);
    assert_int_equal(items[4].result, STORE_CREATED);
    assert_string_equal(product_of(f->s, items[3].id), "made");
    assert_string_equal(product_of(f->s, items[4].id), "made");
    assert_string_equal(field(f->s, "made", "name"), "Made by the feed");
    assert_int_equal(b.counts.created, 3);
    assert_int_equal(b.counts.refused, 1);
    assert_int_equal(b.counts.updated + b.counts.unchanged + b.counts.merged, 0);
    assert_int_equal(counts(f->s).reviews, 3);
    assert_int_equal(counts(f->s).products, 2);

    /* Twice in one transaction: the second call's results and counts
     * replace the first's. */
    b.rerun = false;
    b.twice = true;
    b.runs = 0;
    assert_int_equal(store_write(f->s, do_batch, &b), 0);
    assert_int_equal(items[0].result, STORE_UNCHANGED);
    assert_int_equal(items[3].result, STORE_UNCHANGED);
    assert_int_equal(b.counts.unchanged, 3);
    assert_int_equal(b.counts.created, 0);
    assert_int_equal(b.counts.refused, 1);
    assert_int_equal(counts(f->s).reviews, 3);
    assert_consistent(f->s);
}

/* ---- Google matching ----------------------------------------------------------------------- */

struct put_products {
    const struct product *ps;
    size_t n;
};

static int do_products(struct store_txn *t, void *ctx)
{
    struct put_products *pp = ctx;

    for (size_t i = 0; i < pp->n; i++) {
        int rc = store_product_put(t, &pp->ps[i], NULL);

        if (rc)
            return rc;
    }
    return 0;
}

static void put_catalogue(struct store *s)
{
    static const struct product ps[] = {
        {.id = "sku-g13", .name = "EAN", .gtin = "4006381333931"},
        {.id = "sku-upc", .name = "UPC", .gtin = "0012345678905"}, /* UPC-A padded to 13 */
        {.id = "sku-g8", .name = "EAN-8", .gtin = "96385074"},
        {.id = "sku-m", .name = "MPN", .brand = "Acme", .mpn = "M-100"},
        {.id = "sku-m2", .name = "MPN of another brand", .brand = "Other", .mpn = "M-100"},
        {.id = "B00ASIN123", .name = "By ASIN"},
        {.id = "sku-s", .name = "By SKU"},
    };
    struct put_products pp = {ps, sizeof(ps) / sizeof(ps[0])};

    assert_int_equal(store_write(s, do_products, &pp), 0);
}

/* google runs one item naming its product by p and asin; returns the
 * product it was stored under, or NULL when it was refused (error in
 * *err). */
static const char *google(struct store *s, const struct product *p, const char *asin, int *err)
{
    static int seq;
    static char sid[32];
    struct review r;
    struct store_ingest_item it;

    snprintf(sid, sizeof(sid), "google-%d", seq++);
    r = rv("", sid, 4);
    it = item(&r, p);
    it.asin = asin;
    it.match = true;
    run_batch(s, &it, 1);
    if (err)
        *err = it.error;
    if (!it.result)
        return NULL;
    assert_int_equal(it.error, 0);
    return product_of(s, it.id);
}

CHORUS_TEST_SETUP(match_by_gtin_whatever_its_padding, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    static const struct {
        const char *gtin, *want;
    } cases[] = {
        {"4006381333931", "sku-g13"}, {"04006381333931", "sku-g13"}, /* GTIN-14 */
        {"012345678905", "sku-upc"},                                 /* UPC-A, 12 */
        {"0012345678905", "sku-upc"}, {"00012345678905", "sku-upc"},
        {"12345678905", "sku-upc"},                                /* no padding at all */
        {"96385074", "sku-g8"},       {"0000096385074", "sku-g8"}, /* GTIN-8 in 13 */
        {"00000096385074", "sku-g8"},                              /* and in 14 */
    };
    uint64_t before;

    put_catalogue(f->s);
    before = counts(f->s).products;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct product p = {.gtin = cases[i].gtin};
        const char *got = google(f->s, &p, NULL, NULL);

        if (!got || strcmp(got, cases[i].want) != 0)
            fail_msg("GTIN %s went to %s, not %s", cases[i].gtin, got ? got : "(refused)",
                     cases[i].want);
    }
    /* Nothing new was made, and the matched products kept their fields. */
    assert_int_equal(counts(f->s).products, before);
    assert_string_equal(field(f->s, "sku-upc", "gtin"), "0012345678905");
    /* A GTIN that differs in a digit is another product. */
    {
        struct product p = {.gtin = "0012345678906"};

        assert_string_equal(google(f->s, &p, NULL, NULL), "0012345678906");
        assert_int_equal(counts(f->s).products, before + 1);
    }
}

CHORUS_TEST_SETUP(match_order, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    uint64_t before;
    int err;

    put_catalogue(f->s);
    before = counts(f->s).products;
    /* SKU: the item's product id names an existing product. */
    {
        struct product p = {.id = "sku-s"};

        assert_string_equal(google(f->s, &p, NULL, NULL), "sku-s");
    }
    /* MPN needs its brand: the same MPN goes to each brand's product. */
    {
        struct product p = {.mpn = "M-100", .brand = "Acme"};
        struct product o = {.mpn = "M-100", .brand = "Other"};

        assert_string_equal(google(f->s, &p, NULL, NULL), "sku-m");
        assert_string_equal(google(f->s, &o, NULL, NULL), "sku-m2");
    }
    /* ASIN: an existing product named by it. */
    {
        struct product p = {.name = "whatever the feed calls it"};

        assert_string_equal(google(f->s, &p, "B00ASIN123", NULL), "B00ASIN123");
    }
    /* GTIN before SKU, SKU before MPN, MPN before ASIN. */
    {
        struct product gs = {.id = "sku-s", .gtin = "4006381333931"};
        struct product sm = {.id = "sku-s", .mpn = "M-100", .brand = "Acme"};
        struct product ma = {.mpn = "M-100", .brand = "Acme"};

        assert_string_equal(google(f->s, &gs, "B00ASIN123", NULL), "sku-g13");
        assert_string_equal(google(f->s, &sm, "B00ASIN123", NULL), "sku-s");
        assert_string_equal(google(f->s, &ma, "B00ASIN123", NULL), "sku-m");
    }
    /* A GTIN nobody has does not stop the SKU from matching. */
    {
        struct product p = {.id = "sku-s", .gtin = "5901234123457"};

        assert_string_equal(google(f->s, &p, NULL, NULL), "sku-s");
    }
    assert_int_equal(counts(f->s).products, before);

    /* Naming nothing: refused with CHORUS_ENOTFOUND. */
    assert_null(google(f->s, NULL, NULL, &err));
    assert_int_equal(err, CHORUS_ENOTFOUND);
    {
        struct product empty = {.name = "A name is not a code"};
        struct product no_brand = {.mpn = "M-100"};
        struct product blank = {.id = "", .gtin = ""};

        assert_null(google(f->s, &empty, NULL, &err));
        assert_int_equal(err, CHORUS_ENOTFOUND);
        /* An MPN without a brand matches nothing and names no id. */
        assert_null(google(f->s, &no_brand, NULL, &err));
        assert_int_equal(err, CHORUS_ENOTFOUND);
        assert_null(google(f->s, &blank, "", &err));
        assert_int_equal(err, CHORUS_ENOTFOUND);
    }
    /* An id too long to be a product cannot make one. */
    {
        char id[CHORUS_MAX_PRODUCT_ID + 2];
        struct product p = {.id = id};

        memset(id, 'i', sizeof(id) - 1);
        id[sizeof(id) - 1] = '\0';
        assert_null(google(f->s, &p, NULL, &err));
        assert_int_equal(err, CHORUS_ENOTFOUND);
    }
    assert_int_equal(counts(f->s).products, before);
    assert_consistent(f->s);
}

CHORUS_TEST_SETUP(unknown_products_are_made_and_found_again, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct product first = {.id = "new-1",
                            .name = "New one",
                            .brand = "Acme",
                            .gtin = "0099887766",
                            .mpn = "M-900",
                            .category = "gadgets"};
    struct product by_gtin = {.gtin = "99887766"};
    struct product by_sku = {.id = "new-1"};
    struct product by_mpn = {.id = "sku-else", .brand = "Acme", .mpn = "M-900"};
    struct product gtin_only = {.gtin = "0000555"};
    struct product gtin_again = {.gtin = "555"};
    struct product asin_only = {.name = "Named by an ASIN"};
    struct product nothing = {.name = "no codes"};
    struct review r[9];
    struct store_ingest_item items[9];
    char sid[9][8];
    struct store_ingest_counts c;

    put_catalogue(f->s);
    for (int i = 0; i < 9; i++) {
        snprintf(sid[i], sizeof(sid[i]), "n%d", i);
        r[i] = rv("", sid[i], 1 + i % 5);
    }
    items[0] = item(&r[0], &first);     /* made: new-1 */
    items[1] = item(&r[1], &by_gtin);   /* found by GTIN */
    items[2] = item(&r[2], &by_sku);    /* found by SKU */
    items[3] = item(&r[3], &by_mpn);    /* found by MPN with brand */
    items[4] = item(&r[4], &gtin_only); /* made: id from the GTIN */
    items[5] = item(&r[5], &gtin_again);
    items[6] = item(&r[6], &asin_only); /* made: id from the ASIN */
    items[6].asin = "B0NEWASIN1";
    items[7] = item(&r[7], &nothing); /* refused, the batch goes on */
    items[8] = item(&r[8], &asin_only);
    items[8].asin = "B0NEWASIN1";
    for (int i = 0; i < 9; i++)
        items[i].match = true;
    c = run_batch(f->s, items, 9);

    assert_int_equal(items[7].result, 0);
    assert_int_equal(items[7].error, CHORUS_ENOTFOUND);
    assert_int_equal(c.refused, 1);
    assert_int_equal(c.created, 8);
    for (int i = 0; i <= 3; i++)
        if (strcmp(product_of(f->s, items[i].id), "new-1") != 0)
            fail_msg("item %d went to %s", i, product_of(f->s, items[i].id));
    assert_string_equal(product_of(f->s, items[4].id), "0000555");
    assert_string_equal(product_of(f->s, items[5].id), "0000555");
    assert_string_equal(product_of(f->s, items[6].id), "B0NEWASIN1");
    assert_string_equal(product_of(f->s, items[8].id), "B0NEWASIN1");
    /* The made product carries the item's fields. */
    assert_string_equal(field(f->s, "new-1", "name"), "New one");
    assert_string_equal(field(f->s, "new-1", "gtin"), "0099887766");
    assert_string_equal(field(f->s, "new-1", "category"), "gadgets");
    assert_string_equal(field(f->s, "B0NEWASIN1", "name"), "Named by an ASIN");
    assert_string_equal(field(f->s, "sku-else", "name"), "(absent)");
    assert_int_equal(stats_of(f->s, "new-1").count, 4);

    /* A later batch finds them the same way. */
    {
        struct review again[3];
        struct store_ingest_item it[3];

        again[0] = rv("", "later-0", 5);
        again[1] = rv("", "later-1", 5);
        again[2] = rv("", "later-2", 5);
        it[0] = item(&again[0], &by_mpn);
        it[1] = item(&again[1], &gtin_again);
        it[2] = item(&again[2], &by_gtin);
        for (int i = 0; i < 3; i++)
            it[i].match = true;
        run_batch(f->s, it, 3);
        assert_string_equal(product_of(f->s, it[0].id), "new-1");
        assert_string_equal(product_of(f->s, it[1].id), "0000555");
        assert_string_equal(product_of(f->s, it[2].id), "new-1");
    }
    assert_consistent(f->s);
}

CHORUS_TEST_MAIN()
