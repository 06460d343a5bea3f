/* One review syndicated through several sources is stored once, with every
 * origin (store_review_ingest with STORE_PUT_MERGE): what counts as the same
 * text, what happens when one copy changes, what deleting takes away, and
 * that the indexes stay exact throughout (assert_consistent runs
 * store_check, by_content too). */
#include "testmain.h"

#include <stdio.h>
#include <string.h>

#include "chorus/base.h"
#include "store_helpers.h"
#include "store_int.h"

#define BODY "The battery lasts about six hours, and the hinge is solid. Don't buy the 8 GB model."

static struct review feed_item(const char *source, const char *sid, const char *body,
                               const char *author)
{
    struct review r = mk_review("lap-1", 4, 1000);

    r.source = source;
    r.source_id = sid;
    r.body = body;
    r.author = author;
    return r;
}

static uint64_t ingest(struct fx *f, const struct review *r, enum store_put_result *res)
{
    return ingest_review(f->s, r, STORE_PUT_MERGE, res);
}

/* put_copy ingests a feed item with STORE_PUT_MERGE, expects result want
 * and returns the review id. */
static uint64_t put_copy(struct fx *f, const char *source, const char *sid, const char *body,
                         const char *author, enum store_put_result want)
{
    struct review r = feed_item(source, sid, body, author);
    enum store_put_result res;
    uint64_t id = ingest(f, &r, &res);

    assert_int_equal(res, want);
    return id;
}

/* expect_origins checks review id's body and its further origins. */
static void expect_origins(struct store *s, uint64_t id, const char *body, size_t n,
                           const char *const *sids)
{
    struct store_txn *t = NULL;
    struct review got;

    assert_int_equal(store_read_begin(s, &t), 0);
    assert_int_equal(store_review_get(t, id, &got), 0);
    assert_string_equal(got.body, body);
    assert_int_equal(got.n_origins, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(got.origins[i].source_id, sids[i]);
    store_txn_free(t);
}

CHORUS_TEST_SETUP(copies_are_stored_once, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    uint64_t id;
    static const char *const one[] = {"b-7"};

    put_product(f->s, "lap-1", "laptops", NULL);
    id = put_copy(f, "src-1", "a-1", BODY, "Jane Doe", STORE_CREATED);

    /* Another feed re-typeset it: case, blanks, curly quotes, an ellipsis,
     * a line break; and the author's name in lower case. */
    assert_int_equal(
        put_copy(f, "src-2", "b-7",
                 "the battery lasts about SIX hours,\nand the hinge is solid\xe2\x80\xa6 "
                 "Don\xe2\x80\x99t buy the 8GB model",
                 "jane doe", STORE_MERGED),
        id);
    expect_origins(f->s, id, BODY, 1, one);
    assert_int_equal(stats_of(f->s, "lap-1").count, 1);
    assert_consistent(f->s);

    /* Polled again, the copy changes nothing. */
    assert_int_equal(put_copy(f, "src-2", "b-7", BODY, "jane doe", STORE_UNCHANGED), id);

    /* Edited, it leaves: its new text is a review of its own, and the
     * first one stays as its origin gave it. */
    assert_true(put_copy(f, "src-2", "b-7",
                         "Something else entirely, written to take the review over.", "jane doe",
                         STORE_CREATED) != id);
    expect_origins(f->s, id, BODY, 0, NULL);
    assert_int_equal(stats_of(f->s, "lap-1").count, 2);
    assert_consistent(f->s);
}

CHORUS_TEST_SETUP(different_reviews_stay_apart, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    enum store_put_result res;
    struct review r;
    uint64_t id;

    put_product(f->s, "lap-1", "laptops", NULL);
    put_product(f->s, "lap-2", "laptops", NULL);
    r = feed_item("src-1", "a-1", BODY, "Jane Doe");
    id = ingest(f, &r, &res);

    /* Another author, another product, another text. */
    assert_true(put_copy(f, "src-2", "b-1", BODY, "John Doe", STORE_CREATED) != id);
    r = feed_item("src-2", "b-2", BODY, "Jane Doe");
    r.product_id = "lap-2";
    assert_true(ingest(f, &r, &res) != id);
    assert_true(put_copy(f, "src-2", "b-3", BODY " Update: it died.", "Jane Doe", STORE_CREATED) !=
                id);
    /* Without the flag (posted, imported) nothing is folded. */
    r = feed_item("src-2", "b-4", BODY, "Jane Doe");
    assert_true(put_review(f->s, &r, &res) != id);
    assert_int_equal(res, STORE_CREATED);
    /* Short bodies are not proof: many people write them. */
    r = feed_item("src-1", "a-2", "Great laptop, love it!", "Sam");
    id = ingest(f, &r, &res);
    assert_true(put_copy(f, "src-2", "b-5", "Great laptop, love it!", "Sam", STORE_CREATED) != id);
    assert_int_equal(stats_of(f->s, "lap-1").count, 6);
    assert_consistent(f->s);
}

CHORUS_TEST_SETUP(owner_edits_move_the_key, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    uint64_t id, id2;
    static const char *const one[] = {"c-1"};
    const char *edited = "Edited: the battery lasts four hours now, after the firmware update.";

    put_product(f->s, "lap-1", "laptops", NULL);
    id = put_copy(f, "src-1", "a-1", BODY, "Jane Doe", STORE_CREATED);
    assert_int_equal(put_copy(f, "src-2", "b-1", BODY, "Jane Doe", STORE_MERGED), id);

    /* The first origin edits its review: text replaced in place; the copy
     * of the old text no longer matches and leaves. */
    assert_int_equal(put_copy(f, "src-1", "a-1", edited, "Jane Doe", STORE_UPDATED), id);
    expect_origins(f->s, id, edited, 0, NULL);
    assert_int_equal(put_copy(f, "src-1", "a-1", edited, "Jane Doe", STORE_UNCHANGED), id);
    assert_consistent(f->s);

    /* Copies of the new text fold in; the old text, polled again, is a
     * review of its own, and its other copies fold into that one. */
    assert_int_equal(put_copy(f, "src-3", "c-1", edited, "Jane Doe", STORE_MERGED), id);
    expect_origins(f->s, id, edited, 1, one);
    id2 = put_copy(f, "src-2", "b-1", BODY, "Jane Doe", STORE_CREATED);
    assert_true(id2 != id);
    assert_int_equal(put_copy(f, "src-3", "c-2", BODY, "Jane Doe", STORE_MERGED), id2);
    assert_consistent(f->s);
}

/* A feed that copies a review and gets polled first owns it; when it turns
 * the text into something else, the genuine origin is not dragged along. */
CHORUS_TEST_SETUP(a_copier_cannot_rewrite_the_original, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    enum store_put_result res;
    struct review r;
    uint64_t id, genuine;
    const char *spam = "Buy cheap watches at spam.example, best prices, fast shipping!!";

    put_product(f->s, "lap-1", "laptops", NULL);
    r = feed_item("src-9", "copy-1", BODY, "Jane Doe");
    id = ingest(f, &r, &res);
    r = feed_item("src-1", "a-1", BODY, "Jane Doe");
    assert_int_equal(ingest(f, &r, &res), id);
    assert_int_equal(put_copy(f, "src-9", "copy-1", spam, "Jane Doe", STORE_UPDATED), id);
    expect_origins(f->s, id, spam, 0, NULL);
    /* The genuine item keeps its text under a review of its own. */
    genuine = put_copy(f, "src-1", "a-1", BODY, "Jane Doe", STORE_CREATED);
    assert_true(genuine != id);
    expect_origins(f->s, genuine, BODY, 0, NULL);
    assert_consistent(f->s);
}

/* Without a source id the store makes one from the next review id: such
 * puts are never folded, or the next one would land on the merged review. */
CHORUS_TEST_SETUP(assigned_ids_are_not_folded, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    enum store_put_result res;
    struct review r;
    uint64_t id, a, b;

    put_product(f->s, "lap-1", "laptops", NULL);
    r = feed_item("src-1", "a-1", BODY, "Jane Doe");
    id = ingest(f, &r, &res);
    a = put_copy(f, "src-2", NULL, BODY, "Jane Doe", STORE_CREATED);
    assert_true(a != id);
    b = put_copy(f, "src-2", NULL, BODY " And another thing.", "Jane Doe", STORE_CREATED);
    assert_true(b != id && b != a);
    assert_int_equal(stats_of(f->s, "lap-1").count, 3);
    assert_consistent(f->s);
}

CHORUS_TEST_SETUP(delete_takes_every_origin, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    uint64_t id, again;

    put_product(f->s, "lap-1", "laptops", NULL);
    id = put_copy(f, "src-1", "a-1", BODY, "Jane Doe", STORE_CREATED);
    assert_int_equal(put_copy(f, "src-2", "b-1", BODY, "Jane Doe", STORE_MERGED), id);
    assert_int_equal(delete_review(f->s, id), 0);
    assert_consistent(f->s);

    /* Nothing of it is left: the copy comes back as a review of its own,
     * and is then the one the first source's copy folds into. */
    again = put_copy(f, "src-2", "b-1", BODY, "Jane Doe", STORE_CREATED);
    assert_true(again != id);
    assert_int_equal(put_copy(f, "src-1", "a-1", BODY, "Jane Doe", STORE_MERGED), again);
    assert_consistent(f->s);
}

CHORUS_TEST_SETUP(origins_are_capped_and_kept, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    enum store_put_result res;
    char sids[CHORUS_MAX_ORIGINS + 2][16];
    const char *want[CHORUS_MAX_ORIGINS];
    struct review r;
    uint64_t id;

    put_product(f->s, "lap-1", "laptops", NULL);
    r = feed_item("src-0", "x", BODY, NULL);
    r.components = NULL;
    id = ingest(f, &r, &res);
    for (int i = 0; i <= CHORUS_MAX_ORIGINS; i++) {
        snprintf(sids[i], sizeof(sids[i]), "s-%d", i);
        r = feed_item("src-n", sids[i], BODY, NULL);
        if (i < CHORUS_MAX_ORIGINS) {
            want[i] = sids[i];
            assert_int_equal(ingest(f, &r, &res), id);
            assert_int_equal(res, STORE_MERGED);
        } else {
            /* Past the cap a copy is stored on its own. */
            assert_true(ingest(f, &r, &res) != id);
            assert_int_equal(res, STORE_CREATED);
        }
    }
    /* Votes and moderation rewrite the record: the origins stay, and so
     * they do across a reopen. */
    assert_int_equal(vote(f->s, id, true), 0);
    assert_int_equal(moderate(f->s, id, REVIEW_REJECTED, "spam"), 0);
    fx_reopen(f);
    expect_origins(f->s, id, BODY, CHORUS_MAX_ORIGINS, want);
    assert_consistent(f->s);

    /* With the full one gone, the copy stored on its own is indexed when
     * polled again unchanged, and takes the next copy in. */
    assert_int_equal(delete_review(f->s, id), 0);
    id = put_copy(f, "src-n", sids[CHORUS_MAX_ORIGINS], BODY, NULL, STORE_UNCHANGED);
    snprintf(sids[CHORUS_MAX_ORIGINS + 1], sizeof(sids[0]), "late");
    assert_int_equal(
        put_copy(f, "src-late", sids[CHORUS_MAX_ORIGINS + 1], BODY, NULL, STORE_MERGED), id);
    assert_consistent(f->s);
}

CHORUS_TEST_SETUP(unchanged_puts_move_no_version, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    enum store_put_result res;
    struct review r;
    uint64_t v;

    put_product(f->s, "lap-1", "laptops", NULL);
    r = feed_item("src-1", "a-1", BODY, "Jane Doe");
    ingest(f, &r, &res);
    v = stats_of(f->s, "lap-1").version;
    ingest(f, &r, &res);
    assert_int_equal(res, STORE_UNCHANGED);
    put_review(f->s, &r, &res);
    assert_int_equal(res, STORE_UNCHANGED);
    assert_int_equal(stats_of(f->s, "lap-1").version, v);
    r.rating = 2;
    put_review(f->s, &r, &res);
    assert_int_equal(res, STORE_UPDATED);
    assert_true(stats_of(f->s, "lap-1").version > v);
    assert_consistent(f->s);
}

CHORUS_TEST(content_keys_normalise)
{
    uint8_t a[STORE__CONTENT_KEY_LEN], b[STORE__CONTENT_KEY_LEN];
    struct review x = mk_review("p", 5, 0), y = mk_review("p", 5, 0);

    x.body = "CAF\xc3\x89 CR\xc3\x88ME, \xc2\xabtr\xc3\xa8s bon\xc2\xbb -- a long enough text";
    y.body = "caf\xc3\xa9 cr\xc3\xa8me tr\xc3\xa8s bon \xe2\x80\x94 a long enough text!!";
    assert_true(store__content_key(a, 1, &x));
    assert_true(store__content_key(b, 1, &y));
    assert_memory_equal(a, b, sizeof(a));
    assert_true(store__same_content(&x, &y));
    /* The product number is part of the key; the author too. */
    assert_true(store__content_key(b, 2, &y));
    assert_memory_not_equal(a, b, sizeof(a));
    y.author = "someone";
    assert_true(store__content_key(b, 1, &y));
    assert_memory_not_equal(a, b, sizeof(a));
    assert_false(store__same_content(&x, &y));
    /* Letters of other scripts count as they are; too little text has no key. */
    y.author = NULL;
    y.body = "\xd0\x9a\xd0\xbe\xd1\x84\xd0\xb5 caf\xc3\xa9 cr\xc3\xa8me tr\xc3\xa8s bon long text";
    assert_false(store__same_content(&x, &y));
    y.body = "a b c d e f g h i j k l m n o p q r s t u v w";
    assert_false(store__content_key(b, 1, &y));
    y.body = NULL;
    assert_false(store__content_key(b, 1, &y));
}

CHORUS_TEST_MAIN()
