/* Daily component counts stay exact through every write path (put, edit,
 * moderation, delete, retag, a move to another product) and are rebuilt when
 * a schema-3 folder is opened: every case compares store_component_days with
 * counts worked out by hand and ends with a store_check without drift. */
#include "testmain.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"
#include "store_helpers.h"
#include "store_int.h"

#define DAY 86400

/* The sums of one product's counts for one component over some days. */
struct csum {
    const char *component;
    uint32_t complaints, mentions, judged, positive;
    size_t rows; /* (day, component) rows seen for it */
};

static int on_day(void *ctx, const struct store_comp_day *d)
{
    struct csum *c = ctx;

    if (strcmp(d->component, c->component) != 0)
        return 0;
    c->complaints += d->complaints;
    c->mentions += d->mentions;
    c->judged += d->judged;
    c->positive += d->positive;
    c->rows++;
    return 0;
}

static struct csum comp(struct store *s, const char *product, const char *component, int64_t from,
                        int64_t to)
{
    struct store_txn *t = NULL;
    struct csum c = {component, 0, 0, 0, 0, 0};

    assert_int_equal(store_read_begin(s, &t), 0);
    assert_int_equal(store_component_days(t, product, from, to, on_day, &c), 0);
    store_txn_free(t);
    return c;
}

static void expect(struct store *s, const char *product, const char *component, uint32_t complaints,
                   uint32_t mentions, uint32_t judged, uint32_t positive)
{
    struct csum c = comp(s, product, component, 0, 100000);

    if (c.complaints != complaints || c.mentions != mentions || c.judged != judged ||
        c.positive != positive)
        fail_msg("%s/%s: got %u complaints %u mentions %u judged %u positive, want %u %u %u %u",
                 product, component, c.complaints, c.mentions, c.judged, c.positive, complaints,
                 mentions, judged, positive);
}

static struct review tagged(const char *product, int rating, int64_t created, const char *tags)
{
    struct review r = mk_review(product, rating, created);

    r.components = tags;
    return r;
}

CHORUS_TEST_SETUP(put_counts_each_component_once, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct review r;
    struct csum c;

    put_product(f->s, "p1", "laptops", NULL);
    r = tagged("p1", 1, 10 * DAY, "hinge,battery");
    put_review(f->s, &r, NULL);
    r = tagged("p1", 2, 10 * DAY + 50, "hinge,hinge"); /* listed twice, counted once */
    put_review(f->s, &r, NULL);
    r = tagged("p1", 5, 11 * DAY, "battery");
    put_review(f->s, &r, NULL);
    r = tagged("p1", 0, 11 * DAY, "battery"); /* a mention without stars, scored */
    r.sentiment = 0.6;
    put_review(f->s, &r, NULL);
    r = tagged("p1", 0, 12 * DAY, "battery"); /* unscored mention: not judged */
    put_review(f->s, &r, NULL);
    r = tagged("p1", 3, 12 * DAY, ",,"); /* no component at all */
    put_review(f->s, &r, NULL);
    r = tagged("p1", 1, 12 * DAY, "screen");
    r.status = REVIEW_PENDING; /* not counted until approved */
    put_review(f->s, &r, NULL);

    expect(f->s, "p1", "hinge", 2, 2, 2, 0);
    expect(f->s, "p1", "battery", 1, 4, 3, 2);
    expect(f->s, "p1", "screen", 0, 0, 0, 0);
    c = comp(f->s, "p1", "hinge", 10, 10);
    assert_int_equal(c.rows, 1);
    c = comp(f->s, "p1", "battery", 11, 12);
    assert_int_equal(c.mentions, 3);
    assert_int_equal(c.rows, 2);
    assert_consistent(f->s);
}

CHORUS_TEST_SETUP(edit_moderation_delete_keep_counts_exact, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct review r;
    uint64_t id, other;

    put_product(f->s, "p1", "laptops", NULL);
    put_product(f->s, "p2", "phones", NULL);
    r = tagged("p1", 1, 20 * DAY, "hinge");
    r.source = "shop";
    r.source_id = "a1";
    id = put_review(f->s, &r, NULL);
    r = tagged("p1", 4, 20 * DAY, "hinge");
    other = put_review(f->s, &r, NULL);
    expect(f->s, "p1", "hinge", 1, 2, 2, 1);

    /* An edit that changes the text's tags, rating and day. */
    r = tagged("p1", 5, 21 * DAY, "battery");
    r.source = "shop";
    r.source_id = "a1";
    assert_true(put_review(f->s, &r, NULL) == id);
    expect(f->s, "p1", "hinge", 0, 1, 1, 1);
    expect(f->s, "p1", "battery", 0, 1, 1, 1);
    assert_consistent(f->s);

    /* The same item moved to another product. */
    r.product_id = "p2";
    r.rating = 2;
    assert_true(put_review(f->s, &r, NULL) == id);
    expect(f->s, "p1", "battery", 0, 0, 0, 0);
    expect(f->s, "p2", "battery", 1, 1, 1, 0);
    assert_consistent(f->s);

    /* Moderation out and back, a vote and a response in between. */
    assert_int_equal(moderate(f->s, id, REVIEW_REJECTED, "spam"), 0);
    expect(f->s, "p2", "battery", 0, 0, 0, 0);
    assert_int_equal(vote(f->s, id, true), 0);
    assert_int_equal(moderate(f->s, id, REVIEW_APPROVED, NULL), 0);
    assert_int_equal(respond(f->s, id, "Support", "Sorry about that."), 0);
    assert_int_equal(vote(f->s, other, false), 0);
    expect(f->s, "p2", "battery", 1, 1, 1, 0);
    expect(f->s, "p1", "hinge", 0, 1, 1, 1);
    assert_consistent(f->s);

    /* Delete takes everything out, including the empty bucket. */
    assert_int_equal(delete_review(f->s, id), 0);
    assert_int_equal(delete_review(f->s, other), 0);
    expect(f->s, "p2", "battery", 0, 0, 0, 0);
    assert_int_equal(comp(f->s, "p1", "hinge", 0, 100000).rows, 0);
    assert_consistent(f->s);
}

/* The tagger of the retag test: the components are the body's words that
 * start with "c:". */
static void body_tagger(void *ctx, const struct review *r, char *out, size_t cap)
{
    const char *p = r->body;
    size_t n = 0;

    (void)ctx;
    out[0] = '\0';
    while (p && (p = strstr(p, "c:")) != NULL) {
        size_t len = strcspn(p + 2, " ");

        if (n + len + 2 < cap) {
            if (n)
                out[n++] = ',';
            memcpy(out + n, p + 2, len);
            n += len;
            out[n] = '\0';
        }
        p += 2 + len;
    }
}

static int do_retag(struct store_txn *t, void *ctx)
{
    uint64_t last;

    return store_reviews_retag(t, 0, 100, &last, ctx);
}

CHORUS_TEST_SETUP(retag_moves_counts, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct review r;
    size_t changed = 0;

    put_product(f->s, "p1", "laptops", NULL);
    /* Stored before tagging was on: the tags given are kept as they are. */
    r = tagged("p1", 1, 30 * DAY, "screen");
    r.body = "the c:hinge cracked and the c:fan whines";
    put_review(f->s, &r, NULL);
    r = tagged("p1", 5, 30 * DAY, NULL);
    r.body = "lovely c:keyboard";
    put_review(f->s, &r, NULL);
    expect(f->s, "p1", "screen", 1, 1, 1, 0);
    expect(f->s, "p1", "hinge", 0, 0, 0, 0);

    store_set_tagger(f->s, body_tagger, NULL);
    assert_int_equal(store_write(f->s, do_retag, &changed), 0);
    assert_int_equal(changed, 2);
    expect(f->s, "p1", "screen", 0, 0, 0, 0);
    expect(f->s, "p1", "hinge", 1, 1, 1, 0);
    expect(f->s, "p1", "fan", 1, 1, 1, 0);
    expect(f->s, "p1", "keyboard", 0, 1, 1, 1);
    assert_consistent(f->s);

    /* New reviews go through the tagger too. */
    r = tagged("p1", 2, 31 * DAY, "ignored");
    r.body = "c:hinge again";
    put_review(f->s, &r, NULL);
    expect(f->s, "p1", "hinge", 2, 2, 2, 0);
    expect(f->s, "p1", "ignored", 0, 0, 0, 0);
    assert_consistent(f->s);
}

/* Many products, days and components in one transaction: more deltas than
 * the table holds, so it flushes in the middle. */
static int put_many(struct store_txn *t, void *ctx)
{
    static const char *const tags[] = {"hinge", "battery,fan", "screen,hinge", "keyboard"};
    char pid[16];
    int rc = 0;

    (void)ctx;
    for (int i = 0; rc == 0 && i < 24000; i++) {
        struct review r;

        snprintf(pid, sizeof(pid), "m%d", i % 50);
        r = tagged(pid, 1 + i % 5, (int64_t)(i % 400) * DAY, tags[i % 4]);
        rc = store_review_put(t, &r, NULL, NULL);
    }
    return rc;
}

CHORUS_TEST_SETUP(big_transaction_flushes_midway, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct csum c;

    assert_int_equal(store_write(f->s, put_many, NULL), 0);
    /* m0 gets i = 0, 50, 100, ...: i % 4 cycles 0, 2 (tags "hinge" and
     * "screen,hinge"), so every one of its 480 reviews names the hinge. */
    c = comp(f->s, "m0", "hinge", 0, 100000);
    assert_int_equal(c.mentions, 480);
    c = comp(f->s, "m1", "battery", 0, 100000);
    assert_int_equal(c.mentions, 240);
    assert_consistent(f->s);
}

static int drop_and_downgrade(struct store_txn *t, void *ctx)
{
    uint32_t v = 3;

    (void)ctx;
    if (mdb_drop(t->txn, t->s->dbi[STORE__COMP_DAYS], 0) != 0)
        return CHORUS_EIO;
    return store__meta_put_u32(t, "schema", v);
}

static int read_schema(struct store_txn *t, void *ctx)
{
    return store__meta_get_u32(t, "schema", ctx);
}

CHORUS_TEST_SETUP(schema_3_folder_is_upgraded, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct review r;
    uint64_t drift = 0;
    uint32_t schema = 0;

    put_product(f->s, "p1", "laptops", NULL);
    r = tagged("p1", 2, 40 * DAY, "hinge,fan");
    put_review(f->s, &r, NULL);
    r = tagged("p1", 4, 41 * DAY, "fan");
    put_review(f->s, &r, NULL);
    assert_int_equal(store_write(f->s, drop_and_downgrade, NULL), 0);
    /* A schema-3 folder as it was: no counts, and store_check says so. */
    assert_int_equal(store_check(f->s, NULL, NULL, &drift), 0);
    assert_true(drift == 3);

    fx_reopen(f);
    assert_int_equal(store_write(f->s, read_schema, &schema), 0);
    assert_int_equal(schema, CHORUS_SCHEMA_VERSION);
    expect(f->s, "p1", "hinge", 1, 1, 1, 0);
    expect(f->s, "p1", "fan", 1, 2, 2, 1);
    assert_consistent(f->s);
}

static int damage_counts(struct store_txn *t, void *ctx)
{
    uint8_t k[STORE__COMP_KEY_MAX], v[STORE__COMP_REC_LEN] = {STORE__RECORD_VERSION, 0, 0, 0, 9};
    uint32_t pno;
    int rc = store__product_no(t, "p1", &pno);

    (void)ctx;
    return rc ? rc
              : store__put(t, STORE__COMP_DAYS, k, store__comp_key(k, pno, 50, "hinge", 5), v,
                           sizeof(v), 0);
}

CHORUS_TEST_SETUP(check_reports_wrong_counts, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct review r;
    uint64_t drift = 0;

    put_product(f->s, "p1", "laptops", NULL);
    r = tagged("p1", 2, 50 * DAY, "hinge");
    put_review(f->s, &r, NULL);
    assert_int_equal(store_write(f->s, damage_counts, NULL), 0);
    assert_int_equal(store_check(f->s, NULL, NULL, &drift), 0);
    assert_true(drift == 1);
}

CHORUS_TEST_SETUP(unknown_product_is_not_found, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct store_txn *t = NULL;
    struct csum c = {"x", 0, 0, 0, 0, 0};

    assert_int_equal(store_read_begin(f->s, &t), 0);
    assert_int_equal(store_component_days(t, "nope", 0, 10, on_day, &c), CHORUS_ENOTFOUND);
    store_txn_free(t);
}

CHORUS_TEST_MAIN()
