/* store_check: recount every aggregate, daily bucket and index entry from
 * the review records, in one read snapshot, and report each difference.
 *
 * Memory stays proportional to the catalogue, not to the reviews: per-product
 * totals live in an array indexed by product number, product daily buckets
 * are recounted one product at a time from its by_prod range (verified
 * against the records first), and only category daily buckets are held in a
 * table for the whole run.
 */
#include "chorus/store.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"
#include "check_int.h"

/* ---- pass 1: every review and its index entries ----------------------------------------- */

static void expect_entry(struct store__check *ck, enum store__db db, const char *name,
                         const uint8_t *k, size_t klen, int flags, uint64_t id)
{
    MDB_val v;
    int rc = store__get(ck->t, db, k, klen, &v);

    if (rc)
        store__check_say(ck, "Review %" PRIu64 " has no %s entry.", id, name);
    else if (flags >= 0 && (v.mv_size != 1 || *(const uint8_t *)v.mv_data != flags))
        store__check_say(ck, "Review %" PRIu64 " has a %s entry with stale flags.", id, name);
}

/* check_scope expects review id's by_scope entries: everything, its
 * product, every prefix of its product's category. */
static void check_scope(struct store__check *ck, uint64_t id, const struct review *r, uint32_t pno,
                        uint64_t *nscope)
{
    uint32_t cats[STORE__MAX_LEVELS];
    uint8_t k[STORE__SCOPE_KEY_LEN];
    struct product p;
    size_t ncat = 0;

    if (store__product_record_get(ck->t, pno, &p) == 0 && p.category && *p.category &&
        store__category_chain(ck->t, p.category, false, cats, STORE__MAX_LEVELS, &ncat) != 0)
        ncat = 0;
    store__key_scope(k, STORE_SCOPE_ALL, 0, r->created_at, id);
    expect_entry(ck, STORE__BY_SCOPE, "by_scope (all)", k, sizeof(k), -1, id);
    store__key_scope(k, STORE_SCOPE_PRODUCT, pno, r->created_at, id);
    expect_entry(ck, STORE__BY_SCOPE, "by_scope (product)", k, sizeof(k), -1, id);
    for (size_t i = 0; i < ncat; i++) {
        store__key_scope(k, STORE_SCOPE_CATEGORY, cats[i], r->created_at, id);
        expect_entry(ck, STORE__BY_SCOPE, "by_scope (category)", k, sizeof(k), -1, id);
    }
    *nscope += 2 + ncat;
}

static int check_review(struct store__check *ck, uint64_t id, const struct review *r, uint32_t pno,
                        uint64_t *with_sid, uint64_t *voted, uint64_t *nscope)
{
    uint8_t k[STORE__DEDUPE_KEY_MAX];
    uint8_t fl = store__flags(r);
    uint32_t no;
    size_t n;
    MDB_val v;

    if (pno == 0 || pno >= ck->nprod || store__product_no(ck->t, r->product_id, &no) != 0 ||
        no != pno) {
        store__check_say(
            ck, "Review %" PRIu64 " names product %s, which is not product number %" PRIu32 ".", id,
            r->product_id, pno);
        return 0;
    }
    store__key_prod(k, pno, r->rating, r->created_at, id);
    expect_entry(ck, STORE__BY_PROD, "by_prod", k, STORE__PROD_KEY_LEN, fl, id);
    if (r->helpful) {
        (*voted)++;
        store__key_helpful(k, pno, r->helpful, r->created_at, id);
        expect_entry(ck, STORE__BY_HELPFUL, "by_helpful", k, STORE__HELPFUL_KEY_LEN, fl, id);
    }
    store__key_time(k, r->ingested_at, id);
    expect_entry(ck, STORE__BY_TIME, "by_time", k, STORE__TIME_KEY_LEN, -1, id);
    store__key_status(k, r->status, id);
    expect_entry(ck, STORE__BY_STATUS, "by_status", k, STORE__STATUS_KEY_LEN, -1, id);
    if (r->source_id && *r->source_id) {
        (*with_sid)++;
        n = store__key_dedupe(k, r->source, r->source_id);
        if (n == 0 || store__get(ck->t, STORE__DEDUPE, k, n, &v) != 0 || v.mv_size != 8 ||
            store__rd64(v.mv_data) != id)
            store__check_say(ck, "Review %" PRIu64 " is missing from the dedupe table.", id);
    }
    for (size_t i = 0; i < r->n_origins; i++) {
        (*with_sid)++;
        n = store__key_dedupe(k, r->origins[i].source, r->origins[i].source_id);
        if (n == 0 || store__get(ck->t, STORE__DEDUPE, k, n, &v) != 0 || v.mv_size != 8 ||
            store__rd64(v.mv_data) != id)
            store__check_say(ck,
                             "Origin %zu of review %" PRIu64 " is missing from the dedupe table.",
                             i + 1, id);
    }
    if (store__check_issue_link(ck, id, r, pno) != 0)
        store__check_say(ck, "Review %" PRIu64 "'s known-issue link cannot be recomputed.", id);
    if (r->status == REVIEW_APPROVED) {
        struct review_stats *st = &ck->pst[pno];
        bool had = st->count || st->mentions;

        check_scope(ck, id, r, pno, nscope);
        store__check_comp_add(ck, r, pno);
        if (r->rating >= 1) {
            st->count++;
            st->rating_sum += (uint64_t)r->rating;
            st->histogram[r->rating - 1]++;
        } else {
            st->mentions++;
        }
        if (!isnan(r->sentiment)) {
            st->sentiment_sum += r->sentiment;
            st->sentiment_n++;
        }
        if (!had || r->created_at > st->last_review_at)
            st->last_review_at = r->created_at;
    }
    return 0;
}

int store__check_each(struct store__check *ck, enum store__db db,
                      int (*fn)(struct store__check *ck, const MDB_val *k, const MDB_val *v,
                                void *ctx),
                      void *ctx)
{
    MDB_cursor *c = NULL;
    MDB_val k, v;
    int rc, mrc;

    rc = store__cursor(ck->t, db, &c);
    if (rc)
        return rc;
    for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0 && rc == 0;
         mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
        rc = fn(ck, &k, &v, ctx);
    if (rc == 0 && mrc != MDB_NOTFOUND)
        rc = store__check_rc(ck->t, mrc);
    mdb_cursor_close(c);
    return rc;
}

struct review_pass {
    uint64_t n, with_sid, voted, nscope, next_id;
};

static int one_review(struct store__check *ck, const MDB_val *k, const MDB_val *v, void *ctx)
{
    struct review_pass *rp = ctx;
    struct store__mark m;
    struct review r;
    uint32_t pno;
    uint64_t id;
    int rc = 0;

    if (k->mv_size != 8) {
        store__check_say(ck, "The reviews table holds a key of %zu bytes.", k->mv_size);
        return 0;
    }
    id = store__rd64(k->mv_data);
    rp->n++;
    if (id >= rp->next_id)
        store__check_say(ck, "Review %" PRIu64 " is at or past the next review id %" PRIu64 ".", id,
                         rp->next_id);
    /* Decoded with the arena for the origins, given back per review. */
    store__arena_mark(&ck->t->arena, &m);
    if (store__review_decode(v->mv_data, v->mv_size, &r, &pno, &ck->t->arena) != 0)
        store__check_say(ck, "Review %" PRIu64 " does not decode.", id);
    else
        rc = check_review(ck, id, &r, pno, &rp->with_sid, &rp->voted, &rp->nscope);
    store__arena_release(&ck->t->arena, &m);
    return rc;
}

static int pass_reviews(struct store__check *ck)
{
    struct review_pass rp = {0};
    int rc = store__meta_get_u64(ck->t, "next_review_id", &rp.next_id);

    if (rc == 0)
        rc = store__check_each(ck, STORE__REVIEWS, one_review, &rp);
    if (rc)
        return rc;
    store__check_count(ck, STORE__BY_PROD, "by_prod", rp.n);
    store__check_count(ck, STORE__BY_HELPFUL, "by_helpful", rp.voted);
    store__check_count(ck, STORE__BY_TIME, "by_time", rp.n);
    store__check_count(ck, STORE__BY_STATUS, "by_status", rp.n);
    store__check_count(ck, STORE__DEDUPE, "dedupe", rp.with_sid);
    store__check_count(ck, STORE__BY_SCOPE, "by_scope", rp.nscope);
    return 0;
}

/* ---- pass 4: records of entities that do not exist ------------------------------------- */

static bool entity_known(struct store__check *ck, uint8_t kind, uint32_t no)
{
    struct product p;

    if (kind == STORE__KIND_CATEGORY)
        return no > 0 && no < ck->ncat && ck->cknown[no];
    return kind == STORE__KIND_PRODUCT && no > 0 && no < ck->nprod &&
           store__product_record_get(ck->t, no, &p) == 0;
}

struct orphan_pass {
    enum store__db db;
    const char *name;
    size_t klen;
    uint8_t last_kind;
    uint32_t last_no;
};

static int one_orphan(struct store__check *ck, const MDB_val *k, const MDB_val *v, void *ctx)
{
    struct orphan_pass *op = ctx;
    const uint8_t *kp = k->mv_data;
    uint32_t no;

    (void)v;
    if (k->mv_size != op->klen) {
        store__check_say(ck, "The %s table holds a key of %zu bytes.", op->name, k->mv_size);
        return 0;
    }
    no = store__rd32(kp + 1);
    if (kp[0] == op->last_kind && no == op->last_no)
        return 0; /* one sentence per entity, not per day */
    op->last_kind = kp[0];
    op->last_no = no;
    /* Category number 0 is the all-reviews scope: a version, no path. */
    if (op->db == STORE__AGGREGATES && kp[0] == STORE__KIND_CATEGORY && no == 0)
        return 0;
    if (!entity_known(ck, kp[0], no))
        store__check_say(
            ck, "The %s table holds records of %s number %" PRIu32 ", which does not exist.",
            op->name, kp[0] == STORE__KIND_CATEGORY ? "category" : "product", no);
    return 0;
}

static int pass_orphans(struct store__check *ck, enum store__db db, const char *name, size_t klen)
{
    struct orphan_pass op = {.db = db, .name = name, .klen = klen};

    return store__check_each(ck, db, one_orphan, &op);
}

/* ---- by_content: every entry names a review with that text ------------------------------ */

static int one_content(struct store__check *ck, const MDB_val *k, const MDB_val *v, void *ctx)
{
    uint8_t want[STORE__CONTENT_KEY_LEN];
    struct store__mark m;
    struct review r;
    uint32_t pno;
    uint64_t id;

    (void)ctx;
    if (k->mv_size != sizeof(want) || v->mv_size != 8) {
        store__check_say(ck, "The by_content table holds an entry of %zu/%zu bytes.", k->mv_size,
                         v->mv_size);
        return 0;
    }
    id = store__rd64(v->mv_data);
    store__arena_mark(&ck->t->arena, &m);
    if (store__review_load(ck->t, id, &r, &pno) != 0)
        store__check_say(ck, "The by_content table names review %" PRIu64 ", which does not exist.",
                         id);
    else if (!store__content_key(want, pno, &r) || memcmp(want, k->mv_data, sizeof(want)) != 0)
        store__check_say(ck, "The by_content entry of review %" PRIu64 " does not match its text.",
                         id);
    store__arena_release(&ck->t->arena, &m);
    return 0;
}

/* ---- releases: each names a product and decodes ------------------------------------------ */

static int one_release(struct store__check *ck, const MDB_val *k, const MDB_val *v, void *ctx)
{
    uint32_t pno;

    (void)ctx;
    if (k->mv_size != 4) {
        store__check_say(ck, "The releases table holds a key of %zu bytes.", k->mv_size);
        return 0;
    }
    pno = store__rd32(k->mv_data);
    if (pno >= ck->nprod)
        store__check_say(
            ck, "The releases table names product number %" PRIu32 ", which does not exist.", pno);
    else if (store__releases_decode(v->mv_data, v->mv_size, NULL, NULL) != 0)
        store__check_say(ck, "The releases of product number %" PRIu32 " are damaged.", pno);
    return 0;
}

/* ---- the check --------------------------------------------------------------------------- */

/* numbering reads the next number of a dense sequence and checks it against
 * the table it numbers (products and categories are never deleted). */
static int numbering(struct store__check *ck, const char *meta, enum store__db db, const char *what,
                     uint32_t *out)
{
    uint32_t next;
    MDB_stat st;
    int rc = store__meta_get_u32(ck->t, meta, &next);

    if (rc)
        return rc;
    rc = mdb_stat(ck->t->txn, ck->t->s->dbi[db], &st);
    if (rc)
        return store__err(rc);
    if (next == 0)
        next = 1;
    if ((uint64_t)next != (uint64_t)st.ms_entries + 1)
        store__check_say(ck, "The next %s number is %" PRIu32 " but %zu %s exist.", what, next,
                         (size_t)st.ms_entries, what);
    /* The table is the truth for sizing: a damaged meta value must not make
     * the check allocate gigabytes. */
    *out = st.ms_entries < UINT32_MAX ? (uint32_t)st.ms_entries + 1 : UINT32_MAX;
    return 0;
}

int store_check(struct store *s, void (*report)(void *ctx, const char *line), void *ctx,
                uint64_t *drift)
{
    struct store__check ck;
    int rc;

    memset(&ck, 0, sizeof(ck));
    chorus_map_init(&ck.days, 0);
    chorus_map_init(&ck.comps, 0);
    ck.report = report;
    ck.ctx = ctx;
    rc = store_read_begin(s, &ck.t);
    if (rc)
        goto out;
    rc = numbering(&ck, "next_product_no", STORE__PRODUCTS, "product", &ck.nprod);
    if (rc == 0)
        rc = numbering(&ck, "next_category_no", STORE__CATEGORIES, "category", &ck.ncat);
    if (rc)
        goto out;
    ck.pst = calloc(ck.nprod, sizeof(*ck.pst));
    ck.cst = calloc(ck.ncat, sizeof(*ck.cst));
    ck.cknown = calloc(ck.ncat, sizeof(*ck.cknown));
    if (!ck.pst || !ck.cst || !ck.cknown)
        abort();
    rc = pass_reviews(&ck);
    if (rc == 0)
        rc = store__check_products(&ck);
    if (rc == 0)
        rc = store__check_categories(&ck);
    if (rc == 0)
        rc = pass_orphans(&ck, STORE__AGGREGATES, "aggregates", STORE__AGG_KEY_LEN);
    if (rc == 0)
        rc = pass_orphans(&ck, STORE__DAILY, "daily", STORE__DAY_KEY_LEN);
    if (rc == 0)
        rc = store__check_each(&ck, STORE__BY_CONTENT, one_content, NULL);
    if (rc == 0)
        rc = store__check_comps(&ck);
    if (rc == 0)
        rc = store__check_each(&ck, STORE__RELEASES, one_release, NULL);
    if (rc == 0)
        rc = store__check_tokens(&ck);
    if (rc == 0)
        rc = store__check_issues(&ck);
out:
    if (drift)
        *drift = ck.drift;
    chorus_map_cleanup(&ck.days, free);
    chorus_map_cleanup(&ck.comps, free);
    free(ck.cknown);
    free(ck.cst);
    free(ck.pst);
    store_txn_free(ck.t);
    return rc;
}
