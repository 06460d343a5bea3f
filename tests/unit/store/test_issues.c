/* Known issues in the store: records and their caps, and the links of
 * complaints kept exact through every write that changes a review (put,
 * re-ingest with new text, moderation, delete), through issue writes
 * (create, replace, delete relink the product), the winner rule, paging of
 * linked reviews, window counts, and store_check / retag on a damaged link. */
#include "store_helpers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testmain.h"

#include "chorus/base.h"
#include "store_int.h"

#define DAY 86400
#define T0  ((int64_t)1790000000)

/* A tagger for the tests: the components are the words hinge, battery
 * and keyboard found in the title or body. */
static void tagger(void *ctx, const struct review *r, char *out, size_t cap)
{
    static const char *const words[] = {"hinge", "battery", "keyboard"};
    size_t n = 0;

    (void)ctx;
    out[0] = '\0';
    for (size_t i = 0; i < 3; i++) {
        bool hit =
            (r->title && strstr(r->title, words[i])) || (r->body && strstr(r->body, words[i]));

        if (hit)
            n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? "," : "", words[i]);
    }
}

static int setup(void **state)
{
    struct fx *f;

    fx_setup(state);
    f = *state;
    store_set_tagger(f->s, tagger, NULL);
    put_product(f->s, "p1", "laptops", NULL);
    put_product(f->s, "p2", "laptops", NULL);
    return 0;
}

/* ---- one-call issue writes ------------------------------------------------------------ */

struct iop {
    int kind; /* 0 create, 1 replace, 2 delete */
    struct store_issue is;
    size_t max, relink_max;
    uint64_t id;
    int rc;
};

static int run(struct store_txn *t, void *ctx)
{
    struct iop *o = ctx;

    if (o->kind == 0)
        o->rc = store_issue_create(t, &o->is, o->max, o->relink_max, &o->id);
    else if (o->kind == 1)
        o->rc = store_issue_replace(t, &o->is, o->relink_max);
    else
        o->rc = store_issue_delete(t, o->id, o->relink_max);
    return 0;
}

static struct store_issue mk_issue(const char *product, const char *component,
                                   enum store_issue_status st)
{
    struct store_issue is;

    memset(&is, 0, sizeof(is));
    is.product_id = product;
    is.component = component;
    is.title = "Something breaks";
    is.status = st;
    if (st == STORE_ISSUE_FIXED)
        is.fixed_at = T0;
    return is;
}

static int issue_rc(struct store *s, int kind, const struct store_issue *is, uint64_t id,
                    size_t max, size_t relink_max, uint64_t *out)
{
    struct iop o = {.kind = kind, .max = max, .relink_max = relink_max, .id = id};

    if (is)
        o.is = *is;
    assert_int_equal(store_write(s, run, &o), 0);
    if (out)
        *out = o.id;
    return o.rc;
}

static uint64_t create(struct store *s, const struct store_issue *is)
{
    uint64_t id = 0;

    assert_int_equal(issue_rc(s, 0, is, 0, 1000, 100000, &id), 0);
    assert_true(id > 0);
    return id;
}

/* ---- reading links ------------------------------------------------------------------- */

static uint64_t link_of(struct store *s, uint64_t review)
{
    struct store_txn *t = NULL;
    struct review r;
    uint64_t v;

    assert_int_equal(store_read_begin(s, &t), 0);
    assert_int_equal(store_review_get(t, review, &r), 0);
    v = r.known_issue;
    store_txn_free(t);
    return v;
}

static int count_one(void *ctx, const struct review *r)
{
    (void)r;
    ++*(size_t *)ctx;
    return 0;
}

/* linked counts issue id's reviews through the listing, page by page. */
static size_t linked(struct store *s, uint64_t id, size_t limit, size_t *pages)
{
    char next[STORE_CURSOR_MAX] = "", cur[STORE_CURSOR_MAX];
    struct store_txn *t = NULL;
    size_t n = 0, p = 0;

    assert_int_equal(store_read_begin(s, &t), 0);
    do {
        snprintf(cur, sizeof(cur), "%s", next);
        assert_int_equal(
            store_issue_reviews(t, id, limit, cur[0] ? cur : NULL, count_one, &n, next), 0);
        p++;
    } while (next[0] && p < 1000);
    store_txn_free(t);
    if (pages)
        *pages = p;
    return n;
}

static struct review complaint(const char *product, const char *body, int64_t at)
{
    struct review r = mk_review(product, 1, at);

    r.title = "Bad";
    r.body = body;
    return r;
}

/* ---- cases --------------------------------------------------------------------------- */

CHORUS_TEST_SETUP(issue_links_new_complaints_only, setup, fx_teardown)
{
    struct fx *f = *state;
    struct store_issue is = mk_issue("p1", "hinge", STORE_ISSUE_KNOWN);
    uint64_t id = create(f->s, &is), a, b, c, d, e;
    struct review r;

    r = complaint("p1", "the hinge cracked", T0);
    a = put_review(f->s, &r, NULL);
    r = complaint("p1", "battery dies", T0);
    b = put_review(f->s, &r, NULL);
    r = complaint("p2", "the hinge cracked", T0); /* another product */
    c = put_review(f->s, &r, NULL);
    r = mk_review("p1", 5, T0); /* praise is no complaint */
    r.body = "love the hinge";
    d = put_review(f->s, &r, NULL);
    r = complaint("p1", "hinge again", T0);
    r.status = REVIEW_PENDING; /* not approved yet */
    e = put_review(f->s, &r, NULL);
    assert_int_equal(link_of(f->s, a), id);
    assert_int_equal(link_of(f->s, b), 0);
    assert_int_equal(link_of(f->s, c), 0);
    assert_int_equal(link_of(f->s, d), 0);
    assert_int_equal(link_of(f->s, e), 0);
    assert_int_equal(linked(f->s, id, 10, NULL), 1);
    /* Approval links it; rejection unlinks it. */
    assert_int_equal(moderate(f->s, e, REVIEW_APPROVED, NULL), 0);
    assert_int_equal(link_of(f->s, e), id);
    assert_int_equal(linked(f->s, id, 10, NULL), 2);
    assert_consistent(f->s);
    assert_int_equal(moderate(f->s, e, REVIEW_REJECTED, "spam"), 0);
    assert_int_equal(link_of(f->s, e), 0);
    assert_int_equal(linked(f->s, id, 10, NULL), 1);
    assert_consistent(f->s);
}

CHORUS_TEST_SETUP(issue_links_follow_edits_and_deletes, setup, fx_teardown)
{
    struct fx *f = *state;
    struct store_issue is = mk_issue("p1", "hinge", STORE_ISSUE_INVESTIGATING);
    uint64_t id = create(f->s, &is), a;
    struct review r = complaint("p1", "the hinge cracked", T0);

    r.source = "shop";
    r.source_id = "x1";
    a = put_review(f->s, &r, NULL);
    assert_int_equal(link_of(f->s, a), id);
    /* The same review re-sent with other text is retagged and unlinked. */
    r.body = "battery dies";
    assert_int_equal(put_review(f->s, &r, NULL), a);
    assert_int_equal(link_of(f->s, a), 0);
    assert_int_equal(linked(f->s, id, 10, NULL), 0);
    assert_consistent(f->s);
    /* Back to the hinge, now written a day later: linked under the new time. */
    r.body = "hinge is loose";
    r.created_at = T0 + DAY;
    assert_int_equal(put_review(f->s, &r, NULL), a);
    assert_int_equal(link_of(f->s, a), id);
    /* A new rating of 4 is no complaint any more. */
    r.rating = 4;
    assert_int_equal(put_review(f->s, &r, NULL), a);
    assert_int_equal(link_of(f->s, a), 0);
    r.rating = 2;
    assert_int_equal(put_review(f->s, &r, NULL), a);
    assert_int_equal(link_of(f->s, a), id);
    assert_consistent(f->s);
    assert_int_equal(delete_review(f->s, a), 0);
    assert_int_equal(linked(f->s, id, 10, NULL), 0);
    assert_consistent(f->s);
}

CHORUS_TEST_SETUP(issue_writes_relink_the_product, setup, fx_teardown)
{
    struct fx *f = *state;
    struct store_issue is = mk_issue("p1", "hinge", STORE_ISSUE_KNOWN);
    struct review r;
    uint64_t a, b, c, id;

    r = complaint("p1", "the hinge cracked", T0);
    a = put_review(f->s, &r, NULL);
    r = complaint("p1", "hinge wobbles and battery dies", T0 + 10);
    b = put_review(f->s, &r, NULL);
    r = complaint("p1", "battery dies", T0 + 20);
    c = put_review(f->s, &r, NULL);
    /* Made after the complaints: they are linked by the issue's write. */
    id = create(f->s, &is);
    assert_int_equal(link_of(f->s, a), id);
    assert_int_equal(link_of(f->s, b), id);
    assert_int_equal(link_of(f->s, c), 0);
    assert_consistent(f->s);
    /* Another component. */
    is.id = id;
    is.component = "battery";
    assert_int_equal(issue_rc(f->s, 1, &is, 0, 0, 100000, NULL), 0);
    assert_int_equal(link_of(f->s, a), 0);
    assert_int_equal(link_of(f->s, b), id);
    assert_int_equal(link_of(f->s, c), id);
    /* Phrases narrow it. */
    is.n_phrases = 1;
    is.phrases[0] = "WOBBLES";
    assert_int_equal(issue_rc(f->s, 1, &is, 0, 0, 100000, NULL), 0);
    assert_int_equal(link_of(f->s, b), id);
    assert_int_equal(link_of(f->s, c), 0);
    assert_consistent(f->s);
    /* The product cannot change. */
    is.product_id = "p2";
    assert_int_equal(issue_rc(f->s, 1, &is, 0, 0, 100000, NULL), CHORUS_EINVAL);
    /* Deleting unlinks. */
    assert_int_equal(issue_rc(f->s, 2, NULL, id, 0, 100000, NULL), 0);
    assert_int_equal(link_of(f->s, b), 0);
    assert_int_equal(issue_rc(f->s, 2, NULL, id, 0, 100000, NULL), CHORUS_ENOTFOUND);
    assert_consistent(f->s);
}

/* The winner: phrases that matched, then open over closed, then newest. */
CHORUS_TEST_SETUP(issue_winner_rule, setup, fx_teardown)
{
    struct fx *f = *state;
    struct store_issue is;
    struct review r;
    uint64_t a, b, fixed, open, newer, phrased;

    r = complaint("p1", "the hinge cracked", T0);
    a = put_review(f->s, &r, NULL);
    r = complaint("p1", "the hinge squeaks", T0);
    b = put_review(f->s, &r, NULL);
    is = mk_issue("p1", "hinge", STORE_ISSUE_FIXED);
    fixed = create(f->s, &is);
    assert_int_equal(link_of(f->s, a), fixed); /* fixed issues still link */
    is = mk_issue("p1", "hinge", STORE_ISSUE_KNOWN);
    open = create(f->s, &is);
    assert_int_equal(link_of(f->s, a), open);
    is = mk_issue("p1", "hinge", STORE_ISSUE_FIXED);
    newer = create(f->s, &is);
    assert_int_equal(link_of(f->s, a), open); /* open beats newer closed */
    is = mk_issue("p1", "hinge", STORE_ISSUE_INVESTIGATING);
    newer = create(f->s, &is);
    assert_int_equal(link_of(f->s, a), newer); /* newer of two open ones */
    is = mk_issue("p1", "hinge", STORE_ISSUE_NOT_A_DEFECT);
    is.n_phrases = 1;
    is.phrases[0] = "cracked";
    phrased = create(f->s, &is);
    assert_int_equal(link_of(f->s, a), phrased); /* phrases beat everything */
    assert_int_equal(link_of(f->s, b), newer);
    (void)open;
    (void)fixed;
    assert_consistent(f->s);
}

CHORUS_TEST_SETUP(issue_fields_and_caps, setup, fx_teardown)
{
    struct fx *f = *state;
    struct store_issue is = mk_issue("p1", "hinge", STORE_ISSUE_KNOWN), got;
    char big[STORE_ISSUE_TITLE_MAX + 2];
    struct store_txn *t = NULL;
    uint64_t id;
    struct review r;

    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    is.title = big;
    assert_int_equal(issue_rc(f->s, 0, &is, 0, 10, 100, NULL), CHORUS_EINVAL);
    big[STORE_ISSUE_TITLE_MAX] = '\0';
    assert_int_equal(issue_rc(f->s, 0, &is, 0, 10, 100, &id), 0);
    is.title = "t";
    is.status = STORE_ISSUE_FIXED; /* without fixed_at */
    assert_int_equal(issue_rc(f->s, 0, &is, 0, 10, 100, NULL), CHORUS_EINVAL);
    is.status = STORE_ISSUE_KNOWN;
    is.component = "";
    assert_int_equal(issue_rc(f->s, 0, &is, 0, 10, 100, NULL), CHORUS_EINVAL);
    is.component = "hinge";
    is.n_phrases = 1;
    is.phrases[0] = "";
    assert_int_equal(issue_rc(f->s, 0, &is, 0, 10, 100, NULL), CHORUS_EINVAL);
    is.n_phrases = 0;
    is.product_id = "nope";
    assert_int_equal(issue_rc(f->s, 0, &is, 0, 10, 100, NULL), CHORUS_ENOTFOUND);
    is.product_id = "p1";
    /* The count cap. */
    assert_int_equal(issue_rc(f->s, 0, &is, 0, 2, 100, NULL), 0);
    assert_int_equal(issue_rc(f->s, 0, &is, 0, 2, 100, NULL), CHORUS_ELIMIT);
    /* The relink cap: two complaints, at most one may be relinked. */
    r = complaint("p1", "hinge", T0);
    put_review(f->s, &r, NULL);
    r = complaint("p1", "hinge", T0 + 1);
    put_review(f->s, &r, NULL);
    assert_int_equal(issue_rc(f->s, 0, &is, 0, 10, 1, NULL), CHORUS_ETOOBIG);
    assert_int_equal(issue_rc(f->s, 2, NULL, id, 10, 1, NULL), CHORUS_ETOOBIG);
    /* Round trip, after a reopen. */
    fx_reopen(f);
    assert_int_equal(store_read_begin(f->s, &t), 0);
    assert_int_equal(store_issue_get(t, id, &got), 0);
    assert_string_equal(got.title, big);
    assert_string_equal(got.component, "hinge");
    assert_int_equal(got.status, STORE_ISSUE_KNOWN);
    assert_null(got.fixed_in);
    store_txn_free(t);
}

CHORUS_TEST_SETUP(issue_reviews_page_and_count, setup, fx_teardown)
{
    struct fx *f = *state;
    struct store_issue is = mk_issue("p1", "hinge", STORE_ISSUE_KNOWN);
    uint64_t id = create(f->s, &is), n;
    struct store_txn *t = NULL;
    size_t pages;
    int64_t newest;

    for (int i = 0; i < 7; i++) {
        struct review r = complaint("p1", "hinge", T0 + i * DAY);

        put_review(f->s, &r, NULL);
    }
    assert_int_equal(linked(f->s, id, 3, &pages), 7);
    assert_int_equal(pages, 3);
    assert_int_equal(linked(f->s, id, 7, &pages), 7);
    assert_int_equal(pages, 1);
    assert_int_equal(store_read_begin(f->s, &t), 0);
    assert_int_equal(store_issue_count(t, id, T0 + DAY, T0 + 4 * DAY, 100, &n, &newest), 0);
    assert_int_equal(n, 3);
    assert_int_equal(newest, T0 + 3 * DAY);
    assert_int_equal(store_issue_count(t, id, T0, T0 + 100 * DAY, 5, &n, NULL), 0);
    assert_int_equal(n, 5); /* the cap */
    assert_int_equal(
        store_issue_reviews(t, id, 3, "not-a-cursor", count_one, &pages, (char[64]){0}),
        CHORUS_EINVAL);
    store_txn_free(t);
}

/* store_check recomputes links; retag repairs them. */
static int damage(struct store_txn *t, void *ctx)
{
    uint8_t k[8], v[8];

    store__be64(k, *(uint64_t *)ctx);
    store__be64(v, 999);
    return store__put(t, STORE__ISSUE_OF, k, 8, v, 8, 0);
}

struct retag_run {
    uint64_t last;
    size_t changed;
};

static int retag(struct store_txn *t, void *ctx)
{
    struct retag_run *r = ctx;

    return store_reviews_retag(t, 0, 1000, &r->last, &r->changed);
}

static void count_line(void *ctx, const char *line)
{
    (void)line;
    ++*(int *)ctx;
}

CHORUS_TEST_SETUP(issue_check_and_retag, setup, fx_teardown)
{
    struct fx *f = *state;
    struct store_issue is = mk_issue("p1", "hinge", STORE_ISSUE_KNOWN);
    struct review r = complaint("p1", "the hinge cracked", T0);
    uint64_t a = put_review(f->s, &r, NULL), drift = 0, id = create(f->s, &is);
    struct retag_run rr = {0, 0};
    int lines = 0;

    r = complaint("p1", "battery dies", T0);
    put_review(f->s, &r, NULL);
    assert_int_equal(link_of(f->s, a), id);
    assert_int_equal(store_write(f->s, damage, &a), 0);
    assert_int_equal(store_check(f->s, count_line, &lines, &drift), 0);
    assert_true(drift > 0);
    assert_true(lines > 0);
    assert_int_equal(store_write(f->s, retag, &rr), 0);
    assert_int_equal(link_of(f->s, a), id);
    assert_consistent(f->s);
    /* A link where the rule gives none is found too. */
    {
        uint64_t b = a + 1;

        assert_int_equal(store_write(f->s, damage, &b), 0);
        assert_int_equal(store_check(f->s, NULL, NULL, &drift), 0);
        assert_true(drift > 0);
        assert_int_equal(store_write(f->s, retag, &rr), 0);
        assert_consistent(f->s);
    }
}

CHORUS_TEST_MAIN()
