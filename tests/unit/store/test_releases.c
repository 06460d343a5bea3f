/* A product's releases: replaced whole, kept sorted, checked against the
 * store's caps, the nearest release before a time, and the product's
 * version moving so cached pages see the change. */
#include "testmain.h"

#include <stdio.h>
#include <stdlib.h>

#include "chorus/base.h"
#include "store_helpers.h"
#include "store_int.h"

struct put_ctx {
    const char *id;
    const struct product_release *rel;
    size_t n;
};

static int put_fn(struct store_txn *t, void *ctx)
{
    struct put_ctx *c = ctx;

    return store_product_releases_put(t, c->id, c->rel, c->n);
}

static int put_rel(struct store *s, const char *id, const struct product_release *rel, size_t n)
{
    struct put_ctx c = {id, rel, n};

    return store_write(s, put_fn, &c);
}

struct got {
    char text[2048];
    size_t n;
};

static int collect(void *ctx, const struct product_release *r)
{
    struct got *g = ctx;
    size_t used = strlen(g->text);

    snprintf(g->text + used, sizeof(g->text) - used, "%s%s@%lld:%s", g->n++ ? "|" : "", r->version,
             (long long)r->released_at, r->notes ? r->notes : "(none)");
    return 0;
}

static struct got list(struct store *s, const char *id, int want_rc)
{
    struct store_txn *t = NULL;
    struct got g;

    memset(&g, 0, sizeof(g));
    assert_int_equal(store_read_begin(s, &t), 0);
    assert_int_equal(store_product_releases(t, id, collect, &g), want_rc);
    store_txn_free(t);
    return g;
}

CHORUS_TEST_SETUP(releases_replace_sorted_and_survive_reopen, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    const struct product_release rel[] = {
        {"BIOS 1.14", 3000, "Battery fix"},
        {"BIOS 1.12", 1000, NULL},
        {"driver 31.0.101", 2000, ""},
        {"BIOS 1.13", 2000, "Same day as the driver"},
    };
    struct got g;
    bool created;

    put_product(f->s, "xps-13", "laptops", &created);
    g = list(f->s, "xps-13", 0);
    assert_int_equal(g.n, 0);
    assert_int_equal(put_rel(f->s, "xps-13", rel, 4), 0);
    fx_reopen(f);
    g = list(f->s, "xps-13", 0);
    assert_int_equal(g.n, 4);
    /* Time first, then version bytewise for the same time; NULL and ""
     * notes stay apart. */
    assert_string_equal(g.text, "BIOS 1.12@1000:(none)|BIOS 1.13@2000:Same day as the driver|"
                                "driver 31.0.101@2000:|BIOS 1.14@3000:Battery fix");
    /* Replaced whole, not merged. */
    assert_int_equal(put_rel(f->s, "xps-13", rel, 1), 0);
    g = list(f->s, "xps-13", 0);
    assert_string_equal(g.text, "BIOS 1.14@3000:Battery fix");
    assert_int_equal(put_rel(f->s, "xps-13", NULL, 0), 0);
    g = list(f->s, "xps-13", 0);
    assert_int_equal(g.n, 0);
    assert_consistent(f->s);
}

CHORUS_TEST_SETUP(releases_refuse_bad_input_and_unknown_products, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    char big_version[CHORUS_MAX_RELEASE_VERSION + 2];
    char *big_notes = malloc(CHORUS_MAX_RELEASE_NOTES + 2);
    struct product_release *many = calloc(CHORUS_MAX_RELEASES + 1, sizeof(*many));
    char(*names)[16] = calloc(CHORUS_MAX_RELEASES + 1, 16);
    const struct product_release dup[] = {{"BIOS 1.1", 10, NULL}, {"BIOS 1.1", 20, NULL}};
    struct product_release one = {"BIOS 1.0", 10, NULL};
    bool created;

    assert_non_null(big_notes);
    assert_non_null(many);
    assert_non_null(names);
    put_product(f->s, "p", "", &created);
    assert_int_equal(put_rel(f->s, "nope", &one, 1), CHORUS_ENOTFOUND);
    assert_int_equal(put_rel(f->s, "p", dup, 2), CHORUS_EINVAL);
    one.released_at = 0;
    assert_int_equal(put_rel(f->s, "p", &one, 1), CHORUS_EINVAL);
    one.released_at = 10;
    one.version = "";
    assert_int_equal(put_rel(f->s, "p", &one, 1), CHORUS_EINVAL);
    memset(big_version, 'v', sizeof(big_version) - 1);
    big_version[sizeof(big_version) - 1] = '\0';
    one.version = big_version;
    assert_int_equal(put_rel(f->s, "p", &one, 1), CHORUS_EINVAL);
    big_version[CHORUS_MAX_RELEASE_VERSION] = '\0'; /* exactly the cap */
    assert_int_equal(put_rel(f->s, "p", &one, 1), 0);
    memset(big_notes, 'n', CHORUS_MAX_RELEASE_NOTES + 1);
    big_notes[CHORUS_MAX_RELEASE_NOTES + 1] = '\0';
    one.notes = big_notes;
    assert_int_equal(put_rel(f->s, "p", &one, 1), CHORUS_EINVAL);
    big_notes[CHORUS_MAX_RELEASE_NOTES] = '\0';
    assert_int_equal(put_rel(f->s, "p", &one, 1), 0);
    for (size_t i = 0; i <= CHORUS_MAX_RELEASES; i++) {
        snprintf(names[i], 16, "fw %zu", i);
        many[i].version = names[i];
        many[i].released_at = (int64_t)(i + 1) * 86400;
    }
    assert_int_equal(put_rel(f->s, "p", many, CHORUS_MAX_RELEASES + 1), CHORUS_EINVAL);
    assert_int_equal(put_rel(f->s, "p", many, CHORUS_MAX_RELEASES), 0);
    assert_int_equal(list(f->s, "p", 0).n, CHORUS_MAX_RELEASES);
    list(f->s, "nope", CHORUS_ENOTFOUND);
    free(names);
    free(many);
    free(big_notes);
}

CHORUS_TEST_SETUP(release_before_finds_the_nearest_earlier_one, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    const struct product_release rel[] = {
        {"BIOS 1.14", 3000, NULL},
        {"BIOS 1.12", 1000, NULL},
        {"BIOS 1.13", 2000, "n"},
    };
    struct store_txn *t = NULL;
    struct product_release got;
    bool created;

    put_product(f->s, "p", "", &created);
    assert_int_equal(put_rel(f->s, "p", rel, 3), 0);
    assert_int_equal(store_read_begin(f->s, &t), 0);
    assert_int_equal(store_product_release_before(t, "p", 999, &got), CHORUS_ENOTFOUND);
    assert_int_equal(store_product_release_before(t, "p", 1000, &got), 0);
    assert_string_equal(got.version, "BIOS 1.12");
    assert_int_equal(store_product_release_before(t, "p", 2999, &got), 0);
    assert_string_equal(got.version, "BIOS 1.13");
    assert_string_equal(got.notes, "n");
    assert_true(got.released_at == 2000);
    assert_int_equal(store_product_release_before(t, "p", 1 << 30, &got), 0);
    assert_string_equal(got.version, "BIOS 1.14");
    assert_null(got.notes);
    assert_int_equal(store_product_release_before(t, "nope", 5000, &got), CHORUS_ENOTFOUND);
    store_txn_free(t);
}

CHORUS_TEST_SETUP(releases_move_the_product_version, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    const struct product_release one = {"fw 2.3", 100, NULL};
    struct review_stats before, after;
    bool created;

    put_product(f->s, "p", "", &created);
    before = stats_of(f->s, "p");
    assert_int_equal(put_rel(f->s, "p", &one, 1), 0);
    after = stats_of(f->s, "p");
    assert_true(after.version > before.version);
    assert_int_equal(put_rel(f->s, "p", NULL, 0), 0);
    assert_true(stats_of(f->s, "p").version > after.version);
}

/* damage overwrites the releases record of product "p" with bytes (its
 * length first). */
static int damage(struct store_txn *t, void *ctx)
{
    const uint8_t *bytes = ctx;
    uint8_t k[4];
    uint32_t pno;
    int rc = store__product_no(t, "p", &pno);

    store__be32(k, pno);
    return rc ? rc : store__put(t, STORE__RELEASES, k, 4, bytes + 1, bytes[0], 0);
}

static void no_report(void *ctx, const char *line)
{
    (void)ctx;
    (void)line;
}

/* chorus check reads every releases record: a damaged or unordered one, or
 * one of a product that does not exist, is a discrepancy. */
CHORUS_TEST_SETUP(check_finds_damaged_releases, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    const struct product_release one[] = {{"BIOS 1.12", 1000, NULL}, {"BIOS 1.14", 3000, "x"}};
    struct store_txn *t = NULL;
    struct product_release got;
    uint64_t drift = 99;
    /* Length, then the record: version, count 1, time, version "" (empty). */
    uint8_t empty[] = {16,  STORE__RECORD_VERSION, 0, 1, 0x80, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0xff,
                       0xff};
    /* Two releases out of order. */
    uint8_t unordered[] = {27,   STORE__RECORD_VERSION,
                           0,    2,
                           0x80, 0,
                           0,    0,
                           0,    0,
                           0,    9,
                           0,    1,
                           'a',  0,
                           0xff, 0xff,
                           0x80, 0,
                           0,    0,
                           0,    0,
                           0,    5,
                           0,    1,
                           'b',  0};
    bool created;

    put_product(f->s, "p", "", &created);
    assert_int_equal(put_rel(f->s, "p", one, 2), 0);
    assert_int_equal(store_check(f->s, no_report, NULL, &drift), 0);
    assert_int_equal(drift, 0);
    unordered[0] = (uint8_t)(sizeof(unordered) - 1);
    empty[0] = (uint8_t)(sizeof(empty) - 1);
    assert_int_equal(store_write(f->s, damage, unordered), 0);
    assert_int_equal(store_check(f->s, no_report, NULL, &drift), 0);
    assert_int_equal(drift, 1);
    assert_int_equal(store_read_begin(f->s, &t), 0);
    assert_int_equal(store_product_release_before(t, "p", 100, &got), CHORUS_ECORRUPT);
    store_txn_free(t);
    assert_int_equal(store_write(f->s, damage, empty), 0);
    assert_int_equal(store_check(f->s, no_report, NULL, &drift), 0);
    assert_int_equal(drift, 1);
}

CHORUS_TEST_MAIN()
