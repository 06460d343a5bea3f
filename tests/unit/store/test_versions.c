/* The versions a review names, in its record: a tagged field after the
 * origin list, absent from records that have none (so they stay as they
 * were), kept through every rewrite of the record, refused when damaged,
 * and filled for old reviews by store_reviews_retag. */
#include "testmain.h"

#include <math.h>
#include <stdlib.h>

#include "chorus/base.h"
#include "store_helpers.h"
#include "store_int.h"

/* round_trip encodes r and decodes it into *out (strings in *buf, which
 * the caller frees); returns the encoded size. */
static size_t round_trip(const struct review *r, struct review *out, uint8_t **buf,
                         struct store__arena *a)
{
    size_t n = store__review_size(r);
    uint32_t pno = 0;

    *buf = malloc(n);
    assert_non_null(*buf);
    store__review_encode(*buf, r, 7);
    assert_int_equal(store__review_decode(*buf, n, out, &pno, a), 0);
    assert_int_equal(pno, 7);
    return n;
}

CHORUS_TEST(versions_round_trip_with_and_without_origins)
{
    struct store__arena a = {0};
    const struct review_origin o[] = {{"feed-b", "b-1"}, {"feed-c", "c-1"}};
    struct review r = mk_review("p", 2, 1000), got;
    size_t plain, with;
    uint8_t *buf;

    r.body = "since BIOS 1.14 the battery drains";
    r.components = "battery";
    plain = round_trip(&r, &got, &buf, &a);
    assert_null(got.versions);
    assert_string_equal(got.components, "battery");
    free(buf);

    /* No origins: components, an empty origin list, the tagged field. */
    r.versions = "BIOS 1.14";
    with = round_trip(&r, &got, &buf, &a);
    assert_int_equal(with, plain + 1 + 1 + 4 + strlen("BIOS 1.14") + 1);
    assert_string_equal(got.versions, "BIOS 1.14");
    assert_string_equal(got.components, "battery");
    assert_int_equal(got.n_origins, 0);
    free(buf);

    /* Without components either. */
    r.components = NULL;
    round_trip(&r, &got, &buf, &a);
    assert_null(got.components);
    assert_string_equal(got.versions, "BIOS 1.14");
    free(buf);

    /* With origins. */
    r.components = "battery";
    r.origins = o;
    r.n_origins = 2;
    r.versions = "BIOS 1.14,driver 31.0.101";
    round_trip(&r, &got, &buf, &a);
    assert_int_equal(got.n_origins, 2);
    assert_string_equal(got.origins[1].source_id, "c-1");
    assert_string_equal(got.versions, "BIOS 1.14,driver 31.0.101");
    free(buf);

    /* "" is none: the record is the plain one. */
    r.n_origins = 0;
    r.origins = NULL;
    r.versions = "";
    assert_int_equal(store__review_size(&r), plain);
    store__arena_cleanup(&a);
}

CHORUS_TEST(damaged_version_fields_are_corrupt)
{
    struct store__arena a = {0};
    struct review r = mk_review("p", 2, 1000), got;
    uint8_t *buf, *bad;
    size_t n;

    r.versions = "BIOS 1.14";
    n = round_trip(&r, &got, &buf, &a);
    bad = malloc(n + 16);
    assert_non_null(bad);
    /* An unknown tag. */
    memcpy(bad, buf, n);
    bad[n - (4 + 10) - 1] = 'Z';
    assert_int_equal(store__review_decode(bad, n, &got, NULL, &a), CHORUS_ECORRUPT);
    /* The tag twice. */
    memcpy(bad, buf, n);
    memcpy(bad + n, buf + n - 15, 15);
    assert_int_equal(store__review_decode(bad, n + 15, &got, NULL, &a), CHORUS_ECORRUPT);
    /* Cut inside the string, and an empty origin list with nothing after. */
    assert_int_equal(store__review_decode(buf, n - 3, &got, NULL, &a), CHORUS_ECORRUPT);
    assert_int_equal(store__review_decode(buf, n - 15, &got, NULL, &a), CHORUS_ECORRUPT);
    /* An empty string. */
    r.versions = "x";
    free(buf);
    n = round_trip(&r, &got, &buf, &a);
    memcpy(bad, buf, n);
    bad[n - 6] = 0;
    bad[n - 5] = 0;
    bad[n - 4] = 0;
    bad[n - 3] = 0;
    bad[n - 2] = 0;
    assert_int_equal(store__review_decode(bad, n - 1, &got, NULL, &a), CHORUS_ECORRUPT);
    free(bad);
    free(buf);
    store__arena_cleanup(&a);
}

/* A stand-in for the text module's hook: "v" and the body's first word. */
static void fake_versions(void *ctx, const struct review *r, char *out, size_t cap)
{
    (void)ctx;
    snprintf(out, cap, "%s", r->body && strncmp(r->body, "BIOS", 4) == 0 ? "BIOS 9.9" : "");
}

static uint64_t get_versions(struct store *s, uint64_t id, char *out, size_t cap)
{
    struct store_txn *t = NULL;
    struct review r;

    assert_int_equal(store_read_begin(s, &t), 0);
    assert_int_equal(store_review_get(t, id, &r), 0);
    snprintf(out, cap, "%s", r.versions ? r.versions : "(none)");
    store_txn_free(t);
    return id;
}

struct retag {
    uint64_t last;
    size_t changed;
};

static int retag_fn(struct store_txn *t, void *ctx)
{
    struct retag *c = ctx;

    return store_reviews_retag(t, 0, 100, &c->last, &c->changed);
}

CHORUS_TEST_SETUP(versions_kept_by_rewrites_and_filled_by_retag, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct review r = mk_review("p", 1, 1000);
    struct retag c = {0};
    char v[64];
    uint64_t a, b;

    /* Stored before the hook existed. */
    r.body = "BIOS broke it";
    r.source = "api";
    r.source_id = "a";
    a = put_review(f->s, &r, NULL);
    r.body = "Fine";
    r.source_id = "b";
    b = put_review(f->s, &r, NULL);
    get_versions(f->s, a, v, sizeof(v));
    assert_string_equal(v, "(none)");

    store_set_versioner(f->s, fake_versions, NULL);
    assert_int_equal(store_write(f->s, retag_fn, &c), 0);
    assert_int_equal(c.changed, 1);
    get_versions(f->s, a, v, sizeof(v));
    assert_string_equal(v, "BIOS 9.9");
    get_versions(f->s, b, v, sizeof(v));
    assert_string_equal(v, "(none)");
    assert_int_equal(store_write(f->s, retag_fn, &c), 0);
    assert_int_equal(c.changed, 0);

    /* Votes, responses and moderation rewrite the record; reopening reads
     * it from disk. */
    assert_int_equal(vote(f->s, a, true), 0);
    assert_int_equal(respond(f->s, a, "Support", "Please roll back"), 0);
    assert_int_equal(moderate(f->s, a, REVIEW_REJECTED, "test"), 0);
    fx_reopen(f);
    get_versions(f->s, a, v, sizeof(v));
    assert_string_equal(v, "BIOS 9.9");

    /* At ingest the hook replaces what the caller sent; an edit that
     * drops the mention drops the version. */
    store_set_versioner(f->s, fake_versions, NULL);
    r.body = "BIOS again";
    r.source_id = "c";
    r.versions = "made up";
    get_versions(f->s, put_review(f->s, &r, NULL), v, sizeof(v));
    assert_string_equal(v, "BIOS 9.9");
    r.body = "now fine";
    get_versions(f->s, put_review(f->s, &r, NULL), v, sizeof(v));
    assert_string_equal(v, "(none)");
    assert_consistent(f->s);
}

CHORUS_TEST_MAIN()
