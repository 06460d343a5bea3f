/* Review writes keep aggregates, histograms, daily buckets, category
 * roll-ups and indexes exact: every test ends with an independent recount
 * and a store_check without drift. */
#include "testmain.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"
#include "store_helpers.h"
#include "store_int.h"

static struct review_stats cat_stats(struct store *s, const char *path, int *rc)
{
    struct store_txn *t = NULL;
    struct review_stats st;

    memset(&st, 0, sizeof(st));
    assert_int_equal(store_read_begin(s, &t), 0);
    *rc = store_category_stats(t, path, &st);
    store_txn_free(t);
    return st;
}

CHORUS_TEST_SETUP(insert_counts_everywhere, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct review r;
    struct review_stats st, lap, ins;
    int rc;

    put_product(f->s, "p1", "laptops/inspiron", NULL);
    put_product(f->s, "p2", "laptops", NULL);
    r = mk_review("p1", 5, 86400 * 10);
    r.sentiment = 0.5;
    put_review(f->s, &r, NULL);
    r = mk_review("p1", 3, 86400 * 10 + 5);
    r.sentiment = -0.25;
    put_review(f->s, &r, NULL);
    r = mk_review("p1", 0, 86400 * 12);
    put_review(f->s, &r, NULL);
    r = mk_review("p2", 1, -86400 * 3); /* before 1970: day 0 */
    put_review(f->s, &r, NULL);
    r = mk_review("p3", 4, 50); /* an unknown product is created, in no category */
    put_review(f->s, &r, NULL);

    st = stats_of(f->s, "p1");
    assert_int_equal(st.count, 2);
    assert_int_equal(st.rating_sum, 8);
    assert_int_equal(st.histogram[4], 1);
    assert_int_equal(st.histogram[2], 1);
    assert_int_equal(st.mentions, 1);
    assert_int_equal(st.sentiment_n, 2);
    assert_true(fabs(st.sentiment_sum - 0.25) < 1e-12);
    assert_true(st.last_review_at == 86400 * 12);
    lap = cat_stats(f->s, "laptops", &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(lap.count, 3);
    assert_int_equal(lap.mentions, 1);
    ins = cat_stats(f->s, "laptops/inspiron", &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(ins.count, 2);
    cat_stats(f->s, "laptopsX", &rc);
    assert_int_equal(rc, CHORUS_ENOTFOUND);
    assert_int_equal(stats_of(f->s, "p3").count, 1);
    assert_consistent(f->s);
}

CHORUS_TEST_SETUP(reingest_updates_in_place, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct store_txn *t = NULL;
    enum store_put_result res;
    struct review r, got;
    uint64_t id, id2, id3;

    put_product(f->s, "pa", "a/x", NULL);
    put_product(f->s, "pb", "b", NULL);
    r = mk_review("pa", 5, 1000);
    r.source = "feed";
    r.source_id = "r-1";
    r.title = "First";
    r.ingested_at = 777;
    id = put_review(f->s, &r, &res);
    assert_int_equal(res, STORE_CREATED);
    assert_int_equal(vote(f->s, id, true), 0);
    assert_int_equal(respond(f->s, id, "Brand", "Sorry"), 0);
    assert_int_equal(moderate(f->s, id, REVIEW_APPROVED, "checked"), 0);

    /* Same source and source id: content replaced, the rest kept. */
    r.title = "Second";
    r.rating = 2;
    r.created_at = 500;
    r.ingested_at = 999;
    r.status = REVIEW_PENDING; /* ignored on update: moderation is kept */
    assert_int_equal(put_review(f->s, &r, &res), id);
    assert_int_equal(res, STORE_UPDATED);
    assert_int_equal(store_read_begin(f->s, &t), 0);
    assert_int_equal(store_review_get(t, id, &got), 0);
    assert_string_equal(got.title, "Second");
    assert_int_equal(got.rating, 2);
    assert_true(got.created_at == 500);
    assert_true(got.ingested_at == 777);
    assert_int_equal(got.helpful, 1);
    assert_int_equal(got.n_responses, 1);
    assert_int_equal(got.status, REVIEW_APPROVED);
    assert_string_equal(got.moderation_reason, "checked");
    store_txn_free(t);
    t = NULL;
    assert_int_equal(stats_of(f->s, "pa").rating_sum, 2);
    assert_consistent(f->s);

    /* The product may change on re-ingest: the share moves with it. */
    r.product_id = "pb";
    assert_int_equal(put_review(f->s, &r, &res), id);
    assert_int_equal(stats_of(f->s, "pa").count, 0);
    assert_int_equal(stats_of(f->s, "pb").count, 1);
    assert_consistent(f->s);

    /* Another source with the same source id is another review; no source
     * is "api". */
    r.source = "other";
    id2 = put_review(f->s, &r, &res);
    assert_true(id2 != id);
    assert_int_equal(res, STORE_CREATED);
    r.source = NULL;
    id3 = put_review(f->s, &r, &res);
    assert_int_equal(res, STORE_CREATED);
    r.source = "api";
    assert_int_equal(put_review(f->s, &r, &res), id3);
    assert_int_equal(res, STORE_UNCHANGED); /* sent again as it was */
    r.title = "Third";
    assert_int_equal(put_review(f->s, &r, &res), id3);
    assert_int_equal(res, STORE_UPDATED);
    /* Without a source id nothing dedupes. */
    r.source_id = NULL;
    assert_true(put_review(f->s, &r, NULL) != put_review(f->s, &r, NULL));
    assert_consistent(f->s);
}

struct collect {
    uint64_t ids[64];
    size_t n;
};

static int collect_id(void *ctx, const struct review *r)
{
    struct collect *c = ctx;

    c->ids[c->n++] = r->id;
    return 0;
}

CHORUS_TEST_SETUP(moderation_moves_reviews_in_and_out, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct store_txn *t = NULL;
    struct collect c = {{0}, 0};
    struct review r, got;
    struct review_stats st;
    uint64_t old, newest, last;
    int rc;

    put_product(f->s, "pm", "cat/sub", NULL);
    r = mk_review("pm", 4, 1000);
    old = put_review(f->s, &r, NULL);
    r = mk_review("pm", 2, 2000);
    r.status = REVIEW_PENDING;
    newest = put_review(f->s, &r, NULL);
    st = stats_of(f->s, "pm");
    assert_int_equal(st.count, 1);
    assert_true(st.last_review_at == 1000);

    assert_int_equal(moderate(f->s, newest, REVIEW_APPROVED, NULL), 0);
    st = stats_of(f->s, "pm");
    assert_int_equal(st.count, 2);
    assert_true(st.last_review_at == 2000);
    assert_true(cat_stats(f->s, "cat", &rc).last_review_at == 2000);
    assert_consistent(f->s);

    /* Rejecting the newest puts the previous one back as the newest. */
    assert_int_equal(moderate(f->s, newest, REVIEW_REJECTED, "off-topic"), 0);
    st = stats_of(f->s, "pm");
    assert_int_equal(st.count, 1);
    assert_int_equal(st.histogram[1], 0);
    assert_true(st.last_review_at == 1000);
    assert_true(cat_stats(f->s, "cat", &rc).last_review_at == 1000);
    assert_true(cat_stats(f->s, "cat/sub", &rc).last_review_at == 1000);
    assert_consistent(f->s);

    assert_int_equal(store_read_begin(f->s, &t), 0);
    assert_int_equal(store_review_get(t, newest, &got), 0);
    assert_string_equal(got.moderation_reason, "off-topic");
    assert_int_equal(store_reviews_by_status(t, REVIEW_REJECTED, 0, 10, collect_id, &c, &last), 0);
    assert_int_equal(c.n, 1);
    assert_true(c.ids[0] == newest && last == newest);
    c.n = 0;
    assert_int_equal(store_reviews_by_status(t, REVIEW_APPROVED, 0, 10, collect_id, &c, &last), 0);
    assert_int_equal(c.n, 1);
    assert_true(c.ids[0] == old);
    c.n = 0;
    assert_int_equal(store_reviews_by_status(t, REVIEW_APPROVED, old, 10, collect_id, &c, &last),
                     0);
    assert_int_equal(c.n, 0);
    assert_true(last == 0);
    store_txn_free(t);

    /* Everything out: the product and its categories are empty again. */
    assert_int_equal(moderate(f->s, old, REVIEW_PENDING, NULL), 0);
    st = stats_of(f->s, "pm");
    assert_int_equal(st.count, 0);
    assert_true(st.last_review_at == 0);
    assert_int_equal(moderate(f->s, 9999, REVIEW_APPROVED, NULL), CHORUS_ENOTFOUND);
    assert_int_equal(moderate(f->s, old, (enum review_status)7, NULL), CHORUS_EINVAL);
    assert_consistent(f->s);
}

CHORUS_TEST_SETUP(votes_responses_and_versions, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct store_txn *t = NULL;
    struct review r = mk_review("pv", 3, 100), got;
    struct review_stats a, b;
    uint64_t id;
    int rc;

    put_product(f->s, "pv", "c", NULL);
    id = put_review(f->s, &r, NULL);
    a = stats_of(f->s, "pv");
    assert_int_equal(vote(f->s, id, true), 0);
    assert_int_equal(vote(f->s, id, true), 0);
    assert_int_equal(vote(f->s, id, false), 0);
    b = stats_of(f->s, "pv");
    assert_true(b.version == a.version + 3);
    assert_int_equal(b.count, a.count);
    assert_int_equal(respond(f->s, id, NULL, "Fixed in 1.2"), 0);
    a = stats_of(f->s, "pv");
    assert_true(a.version == b.version + 1);
    b = cat_stats(f->s, "c", &rc);
    assert_true(b.version > 0);

    /* A pending review changes the version too, not the counts. */
    r.status = REVIEW_PENDING;
    put_review(f->s, &r, NULL);
    b = stats_of(f->s, "pv");
    assert_true(b.version == a.version + 1);
    assert_int_equal(b.count, 1);
    /* And a catalogue change. */
    put_product(f->s, "pv", "c", NULL);
    a = stats_of(f->s, "pv");
    assert_true(a.version == b.version + 1);

    assert_int_equal(store_read_begin(f->s, &t), 0);
    assert_int_equal(store_review_get(t, id, &got), 0);
    assert_int_equal(got.helpful, 2);
    assert_int_equal(got.not_helpful, 1);
    assert_int_equal(got.n_responses, 1);
    assert_null(got.responses[0].author);
    store_txn_free(t);

    for (int i = 1; i < CHORUS_MAX_RESPONSES; i++)
        assert_int_equal(respond(f->s, id, "Brand", "More"), 0);
    assert_int_equal(respond(f->s, id, "Brand", "One too many"), CHORUS_ELIMIT);
    assert_int_equal(respond(f->s, id, "Brand", ""), CHORUS_EINVAL);
    assert_int_equal(vote(f->s, 424242, true), CHORUS_ENOTFOUND);
    assert_consistent(f->s);
}

CHORUS_TEST_SETUP(delete_takes_everything_out, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct store_txn *t = NULL;
    struct review r = mk_review("pd", 5, 3000), got;
    enum store_put_result res;
    uint64_t a, b, nr;

    put_product(f->s, "pd", "d/e", NULL);
    r.source_id = "x";
    a = put_review(f->s, &r, NULL);
    r = mk_review("pd", 1, 1000);
    b = put_review(f->s, &r, NULL);
    assert_int_equal(delete_review(f->s, a), 0);
    assert_int_equal(delete_review(f->s, a), CHORUS_ENOTFOUND);
    assert_int_equal(stats_of(f->s, "pd").count, 1);
    assert_true(stats_of(f->s, "pd").last_review_at == 1000);
    assert_consistent(f->s);
    /* The dedupe entry went with it: the same source id is new again. */
    r = mk_review("pd", 5, 3000);
    r.source_id = "x";
    assert_true(put_review(f->s, &r, &res) > b);
    assert_int_equal(res, STORE_CREATED);
    assert_int_equal(delete_review(f->s, b), 0);
    assert_int_equal(store_read_begin(f->s, &t), 0);
    assert_int_equal(store_review_get(t, b, &got), CHORUS_ENOTFOUND);
    assert_int_equal(store_counts(t, &nr, NULL), 0);
    assert_int_equal(nr, 1);
    store_txn_free(t);
    assert_consistent(f->s);
}

CHORUS_TEST_SETUP(invalid_reviews_are_refused, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct review r = mk_review("p", 3, 1);
    char big[CHORUS_MAX_TITLE + 2];
    struct review_response resp = {"a", "b", 1};

    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    r.rating = 6;
    assert_int_equal(put_review_rc(f->s, &r), CHORUS_EINVAL);
    r.rating = -1;
    assert_int_equal(put_review_rc(f->s, &r), CHORUS_EINVAL);
    r = mk_review("", 3, 1);
    assert_int_equal(put_review_rc(f->s, &r), CHORUS_EINVAL);
    r = mk_review(NULL, 3, 1);
    assert_int_equal(put_review_rc(f->s, &r), CHORUS_EINVAL);
    r = mk_review("p", 3, 1);
    r.title = big;
    assert_int_equal(put_review_rc(f->s, &r), CHORUS_EINVAL);
    r.title = NULL;
    r.status = (enum review_status)3;
    assert_int_equal(put_review_rc(f->s, &r), CHORUS_EINVAL);
    r.status = REVIEW_APPROVED;
    r.sentiment = 2.0;
    assert_int_equal(put_review_rc(f->s, &r), CHORUS_EINVAL);
    r.sentiment = NAN;
    r.n_responses = CHORUS_MAX_RESPONSES + 1;
    r.responses = &resp;
    assert_int_equal(put_review_rc(f->s, &r), CHORUS_EINVAL);
    assert_consistent(f->s);
}

/* ---- a random walk over every write -------------------------------------------------------- */

static uint64_t rnd_state = 88172645463325252ULL;

static uint64_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state;
}

CHORUS_TEST_SETUP(random_writes_stay_exact, fx_setup, fx_teardown)
{
    static const char *const prods[] = {"r1", "r2", "r3", "r4", "r5"};
    static const char *const cats[] = {"", "x", "x/y", "x/y/z", "w", "xy"};
    struct fx *f = *state;
    uint64_t ids[400];
    size_t n = 0;

    for (int step = 0; step < 600; step++) {
        unsigned op = (unsigned)(rnd() % 10);

        if (op < 4 || n == 0) {
            char sid[16];
            struct review r = mk_review(prods[rnd() % 5], (int)(rnd() % 6),
                                        (int64_t)(rnd() % (86400 * 20)) - 86400 * 2);

            snprintf(sid, sizeof(sid), "s%u", (unsigned)(rnd() % 300));
            r.source_id = rnd() % 2 ? sid : NULL;
            r.status = (enum review_status)(rnd() % 3 ? REVIEW_APPROVED : rnd() % 3);
            r.sentiment = rnd() % 2 ? NAN : (double)(rnd() % 200) / 100.0 - 1.0;
            r.verified = rnd() % 2;
            if (n < 400)
                ids[n++] = put_review(f->s, &r, NULL);
            else
                put_review(f->s, &r, NULL);
        } else if (op == 4) {
            put_product(f->s, prods[rnd() % 5], cats[rnd() % 6], NULL);
        } else if (op == 5) {
            int rc = moderate(f->s, ids[rnd() % n], (enum review_status)(rnd() % 3), "m");

            assert_true(rc == 0 || rc == CHORUS_ENOTFOUND);
        } else if (op == 6) {
            int rc = vote(f->s, ids[rnd() % n], rnd() % 2);

            assert_true(rc == 0 || rc == CHORUS_ENOTFOUND);
        } else if (op == 7) {
            int rc = respond(f->s, ids[rnd() % n], "b", "r");

            assert_true(rc == 0 || rc == CHORUS_ENOTFOUND || rc == CHORUS_ELIMIT);
        } else {
            int rc = delete_review(f->s, ids[rnd() % n]);

            assert_true(rc == 0 || rc == CHORUS_ENOTFOUND);
        }
        if (step % 100 == 99)
            assert_consistent(f->s);
    }
    assert_consistent(f->s);
}

/* Many writes in one transaction exercise the aggregate cache, its early
 * flushes and the product cache across category changes. */
struct batch {
    int n;
};

static int put_batch(struct store_txn *t, void *ctx)
{
    struct batch *b = ctx;
    int rc = 0;

    for (int i = 0; i < b->n && rc == 0; i++) {
        char pid[16], sid[16];
        struct review r;
        uint64_t id;

        snprintf(pid, sizeof(pid), "b%d", i % 9);
        snprintf(sid, sizeof(sid), "%d", i % 700);
        r = mk_review(pid, i % 6, 86400 * (i % 40));
        r.source_id = sid;
        r.status = i % 4 ? REVIEW_APPROVED : REVIEW_PENDING;
        rc = store_review_put(t, &r, &id, NULL);
        if (rc == 0 && i % 5 == 0)
            rc = store_review_moderate(t, id, REVIEW_APPROVED, NULL);
        if (rc == 0 && i % 11 == 0)
            rc = store_review_delete(t, id);
        if (rc == 0 && i % 13 == 0) {
            struct product p = {0};

            p.id = pid;
            p.category = i % 2 ? "odd/one" : "even";
            rc = store_product_put(t, &p, NULL);
        }
    }
    return rc;
}

CHORUS_TEST_SETUP(one_big_transaction_stays_exact, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct batch b = {1000};

    assert_int_equal(store_write(f->s, put_batch, &b), 0);
    assert_consistent(f->s);
}

/* More products and days than the write caches hold, in one transaction
 * and then again in the next: they flush early and stay exact. */
static int put_wide(struct store_txn *t, void *ctx)
{
    int round = *(int *)ctx, rc = 0;

    for (int i = 0; i < 20000 && rc == 0; i++) {
        char pid[16];
        struct review r;

        snprintf(pid, sizeof(pid), "w%d", (i * 7 + round) % 9000);
        r = mk_review(pid, 1 + i % 5, (int64_t)86400 * ((i * 13) % 2000));
        rc = store_review_put(t, &r, NULL, NULL);
        if (rc == 0 && i % 1000 == 0) {
            struct product p = {0};

            p.id = pid;
            p.category = i % 2000 ? "wide/a" : "wide/b";
            rc = store_product_put(t, &p, NULL);
        }
    }
    return rc;
}

CHORUS_TEST_SETUP(caches_overflow_mid_transaction, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    uint64_t drift = 1;
    int round;

    for (round = 0; round < 2; round++)
        assert_int_equal(store_write(f->s, put_wide, &round), 0);
    assert_int_equal(store_check(f->s, NULL, NULL, &drift), 0);
    assert_int_equal(drift, 0);
    assert_true(stats_of(f->s, "w0").count >= 2);
}

/* ---- store_check finds damage ---------------------------------------------------------- */

struct damage {
    uint32_t pno;
    uint64_t id;
};

static int damage_aggregate(struct store_txn *t, void *ctx)
{
    struct damage *d = ctx;
    struct review_stats st;
    uint8_t k[STORE__AGG_KEY_LEN], v[STORE__STATS_LEN];
    int rc = store__agg_get(t, STORE__KIND_PRODUCT, d->pno, &st);

    if (rc)
        return rc;
    st.count++;
    st.histogram[2]++;
    store__key_agg(k, STORE__KIND_PRODUCT, d->pno);
    store__stats_encode(v, &st);
    return store__put(t, STORE__AGGREGATES, k, sizeof(k), v, sizeof(v), 0);
}

static int damage_index(struct store_txn *t, void *ctx)
{
    struct damage *d = ctx;
    uint8_t k[STORE__STATUS_KEY_LEN], day[STORE__DAY_KEY_LEN];
    uint8_t v[STORE__DAYREC_MAX];
    struct store_day bucket = {0, 1, 5, {0, 0, 0, 0, 1}, 0};
    int rc;

    store__key_status(k, REVIEW_APPROVED, d->id);
    store__key_day(day, STORE__KIND_PRODUCT, d->pno, 4000);
    rc = store__del(t, STORE__BY_STATUS, k, sizeof(k));
    if (rc == 0)
        rc = store__put(t, STORE__DAILY, day, sizeof(day), v, store__day_encode(v, &bucket), 0);
    return rc;
}

/* damage_product stores ck-1 with a link the catalogue rule refuses, as a
 * folder written before the rule may hold. */
static int damage_product(struct store_txn *t, void *ctx)
{
    struct damage *d = ctx;
    struct product p;
    int rc = store__product_record_get(t, d->pno, &p);

    if (rc)
        return rc;
    p.url = "javascript:alert(1)";
    p.category = store__arena_strdup(&t->arena, p.category);
    p.id = store__arena_strdup(&t->arena, p.id);
    p.name = store__arena_strdup(&t->arena, p.name);
    return store__product_record_put(t, d->pno, &p);
}

struct lines {
    int n;
    bool named;
};

static void count_line(void *ctx, const char *line)
{
    struct lines *l = ctx;

    l->n++;
    if (strstr(line, "ck-1") || strstr(line, "by_status"))
        l->named = true;
}

/* url_line counts the lines about ck-1's link. */
static void url_line(void *ctx, const char *line)
{
    if (strstr(line, "ck-1") && strstr(line, "not http(s)"))
        ((struct lines *)ctx)->n++;
}

static int find_pno(struct store_txn *t, void *ctx)
{
    return store__product_no(t, "ck-1", &((struct damage *)ctx)->pno);
}

CHORUS_TEST_SETUP(check_reports_damage, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct review r = mk_review("ck-1", 4, 1000);
    struct damage d;
    struct lines l = {0, false};
    uint64_t drift = 0;

    put_product(f->s, "ck-1", "z/y", NULL);
    d.id = put_review(f->s, &r, NULL);
    assert_consistent(f->s);
    assert_int_equal(store_write(f->s, find_pno, &d), 0);

    assert_int_equal(store_write(f->s, damage_aggregate, &d), 0);
    assert_int_equal(store_check(f->s, count_line, &l, &drift), 0);
    assert_int_equal(drift, 1);
    assert_int_equal(l.n, 1);
    assert_true(l.named);

    l.n = 0;
    assert_int_equal(store_write(f->s, damage_index, &d), 0);
    assert_int_equal(store_check(f->s, count_line, &l, &drift), 0);
    /* The aggregate, the missing by_status entry and its count, the stray
     * daily bucket. */
    assert_int_equal(drift, 4);
    assert_int_equal(l.n, 4);
    assert_int_equal(store_check(f->s, NULL, NULL, &drift), 0);
    assert_int_equal(drift, 4);

    /* A stored link that is not http(s), named with its product. */
    l.n = 0;
    assert_int_equal(store_write(f->s, damage_product, &d), 0);
    assert_int_equal(store_check(f->s, url_line, &l, &drift), 0);
    assert_int_equal(drift, 5);
    assert_int_equal(l.n, 1);
}

/* A review without a source id gets one of the folder's own, and sending it
 * back with that id (an export imported again) updates it in place. */
CHORUS_TEST_SETUP(missing_source_id_is_assigned, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct review r = mk_review("p1", 4, 1000), got;
    struct store_txn *t = NULL;
    enum store_put_result res;
    char sid[CHORUS_MAX_SOURCE_ID + 1];
    uint64_t id, id2;

    id = put_review(f->s, &r, &res);
    assert_int_equal(res, STORE_CREATED);
    assert_int_equal(store_read_begin(f->s, &t), 0);
    assert_int_equal(store_review_get(t, id, &got), 0);
    assert_non_null(got.source_id);
    assert_true(strncmp(got.source_id, "chorus-", 7) == 0);
    snprintf(sid, sizeof(sid), "%s", got.source_id);
    store_read_end(t);
    store_txn_free(t);

    r.source_id = sid;
    r.rating = 2;
    id2 = put_review(f->s, &r, &res);
    assert_int_equal(res, STORE_UPDATED);
    assert_int_equal(id2, id);
    assert_int_equal(stats_of(f->s, "p1").count, 1);
    assert_int_equal(stats_of(f->s, "p1").histogram[1], 1);
    assert_consistent(f->s);
}

CHORUS_TEST_MAIN()
