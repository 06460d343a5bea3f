/* Aggregates and daily buckets, per product and per category path.
 *
 * A review counts in its product and in every prefix of the product's
 * category ("laptops", "laptops/inspiron"), while it is approved. Changes go
 * through the write transaction's cache (aggcache.c).
 */
#include "store_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"

/* ---- arithmetic ----------------------------------------------------------------- */

/* adj64 adds a signed delta, stopping at zero: a negative count can
 * only come from damaged data, and store_check reports that better than a
 * wrapped-around 2^64. */
static void adj64(uint64_t *v, int64_t d)
{
    if (d < 0 && (uint64_t)-d > *v)
        *v = 0;
    else
        *v += (uint64_t)d;
}

static void contrib(struct review_stats *st, const struct review *r, int sign)
{
    if (r->rating >= 1 && r->rating <= 5) {
        adj64(&st->count, sign);
        adj64(&st->rating_sum, (int64_t)sign * r->rating);
        adj64(&st->histogram[r->rating - 1], sign);
    } else {
        adj64(&st->mentions, sign);
    }
    if (!isnan(r->sentiment)) {
        st->sentiment_sum += sign * r->sentiment;
        adj64(&st->sentiment_n, sign);
        /* Adding and taking away doubles leaves rounding dust; with no
         * scored review left the sum is exactly zero. */
        if (st->sentiment_n == 0)
            st->sentiment_sum = 0;
    }
}

/* day_one gives the daily bucket counts of one review. */
static struct store_day day_one(const struct review *r)
{
    struct store_day d;

    memset(&d, 0, sizeof(d));
    if (r->rating >= 1 && r->rating <= 5) {
        d.count = 1;
        d.rating_sum = (uint32_t)r->rating;
        d.histogram[r->rating - 1] = 1;
    } else {
        d.mentions = 1;
    }
    return d;
}

void store__stats_add(struct review_stats *a, const struct review_stats *b, int sign)
{
    bool had = a->count || a->mentions;

    adj64(&a->count, (int64_t)sign * (int64_t)b->count);
    adj64(&a->rating_sum, (int64_t)sign * (int64_t)b->rating_sum);
    for (int i = 0; i < 5; i++)
        adj64(&a->histogram[i], (int64_t)sign * (int64_t)b->histogram[i]);
    adj64(&a->mentions, (int64_t)sign * (int64_t)b->mentions);
    a->sentiment_sum += sign * b->sentiment_sum;
    adj64(&a->sentiment_n, (int64_t)sign * (int64_t)b->sentiment_n);
    if (a->sentiment_n == 0)
        a->sentiment_sum = 0;
    if (sign > 0 && (b->count || b->mentions) && (!had || b->last_review_at > a->last_review_at))
        a->last_review_at = b->last_review_at;
    if (sign < 0 && a->count == 0 && a->mentions == 0)
        a->last_review_at = 0;
}

/* ---- newest approved review, after the newest one went away ----------------------- */

/* product_last scans the by_prod ranges of pno, one per rating, for the
 * newest approved review. Each range is newest first, so this stops at the
 * first approved entry unless a moderation queue sits on top. */
static int product_last(struct store_txn *t, uint32_t pno, int64_t *out)
{
    MDB_cursor *c = NULL;
    uint8_t k[STORE__PROD_KEY_LEN];
    MDB_val key, val;
    bool found = false;
    int rc, mrc;

    *out = 0;
    rc = store__cursor(t, STORE__BY_PROD, &c);
    if (rc)
        goto out;
    for (int r = 0; r <= 5; r++) {
        store__key_prod(k, pno, r, INT64_MAX, UINT64_MAX);
        key.mv_size = sizeof(k);
        key.mv_data = k;
        for (mrc = mdb_cursor_get(c, &key, &val, MDB_SET_RANGE); mrc == 0;
             mrc = mdb_cursor_get(c, &key, &val, MDB_NEXT)) {
            const uint8_t *kp = key.mv_data;

            if (key.mv_size != STORE__PROD_KEY_LEN || val.mv_size != 1 || store__rd32(kp) != pno ||
                kp[4] != r)
                break;
            if ((*(const uint8_t *)val.mv_data & STORE__F_STATUS_MASK) == REVIEW_APPROVED) {
                int64_t created = store__key_prod_created(kp);

                if (!found || created > *out)
                    *out = created;
                found = true;
                break;
            }
        }
        if (mrc && mrc != MDB_NOTFOUND) {
            rc = store__check_rc(t, mrc);
            goto out;
        }
    }
out:
    mdb_cursor_close(c);
    return rc;
}

struct last_ctx {
    struct store_txn *t;
    int64_t last;
    bool found;
};

static int category_last_one(void *ctx, uint32_t pno)
{
    struct last_ctx *lc = ctx;
    struct review_stats st;
    int rc = store__agg_get(lc->t, STORE__KIND_PRODUCT, pno, &st);

    if (rc == 0 && (st.count || st.mentions) && (!lc->found || st.last_review_at > lc->last)) {
        lc->last = st.last_review_at;
        lc->found = true;
    }
    return rc;
}

/* prefix_len gives the length of the level-th prefix of path (level 0 is the
 * first segment). */
static size_t prefix_len(const char *path, size_t level)
{
    size_t i = 0;

    for (;; i++) {
        if (path[i] == '\0')
            return i;
        if (path[i] == '/' && level-- == 0)
            return i;
    }
}

/* set_category_last recomputes a category's newest review from the product
 * aggregates under it, which must already be up to date. */
static int set_category_last(struct store_txn *t, uint32_t cno, const char *path, size_t plen)
{
    struct last_ctx lc = {t, 0, false};
    struct review_stats *st;
    int rc = store__category_each(t, path, plen, category_last_one, &lc);

    if (rc == 0)
        rc = store__agg_ref(t, STORE__KIND_CATEGORY, cno, &st);
    if (rc == 0)
        st->last_review_at = lc.last;
    return rc;
}

/* ---- a review in and out ------------------------------------------------------------ */

static bool same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof(a)) == 0;
}

/* same_share says whether old and nw count identically everywhere: a vote, a
 * response or a moderation note changes only the versions. */
static bool same_share(const struct review *old, const struct store__scope *os,
                       const struct review *nw, const struct store__scope *ns)
{
    bool old_in = old->status == REVIEW_APPROVED, new_in = nw->status == REVIEW_APPROVED;

    if (os->pno != ns->pno || old_in != new_in)
        return false;
    if (!old_in)
        return true;
    return old->rating == nw->rating && old->created_at == nw->created_at &&
           same_bits(old->sentiment, nw->sentiment);
}

static int bump_scope(struct store_txn *t, const struct store__scope *sc)
{
    int rc = store__agg_bump(t, STORE__KIND_PRODUCT, sc->pno);

    for (size_t i = 0; rc == 0 && i < sc->ncat; i++)
        rc = store__agg_bump(t, STORE__KIND_CATEGORY, sc->cats[i]);
    return rc;
}

static bool has_cat(const struct store__scope *sc, uint32_t cno)
{
    for (size_t i = 0; sc && i < sc->ncat; i++)
        if (sc->cats[i] == cno)
            return true;
    return false;
}

/* touch applies review r with sign to one entity and its day bucket. bump
 * says whether this entity's version still needs bumping for this change. */
static int touch(struct store_txn *t, uint8_t kind, uint32_t no, const struct review *r, int sign,
                 bool counted, bool bump, bool *lost_last)
{
    struct review_stats *st;
    struct store_day d;
    bool had;
    int rc = store__agg_ref(t, kind, no, &st);

    if (rc)
        return rc;
    if (bump)
        st->version++;
    if (!counted)
        return 0;
    had = st->count || st->mentions;
    if (sign < 0 && lost_last && r->created_at >= st->last_review_at)
        *lost_last = true;
    contrib(st, r, sign);
    if (sign > 0 && (!had || r->created_at > st->last_review_at))
        st->last_review_at = r->created_at;
    if (sign < 0 && st->count == 0 && st->mentions == 0)
        st->last_review_at = 0;
    d = day_one(r);
    return store__day_add(t, kind, no, store__day_of(r->created_at), &d, sign);
}

int store__agg_review(struct store_txn *t, const struct review *old, const struct store__scope *os,
                      const struct review *nw, const struct store__scope *ns)
{
    bool old_in = old && old->status == REVIEW_APPROVED;
    bool new_in = nw && nw->status == REVIEW_APPROVED;
    bool lost_p = false;
    bool lost_c[STORE__MAX_LEVELS];
    int rc = 0;

    if (!old)
        os = NULL;
    if (!nw)
        ns = NULL;
    /* Component counts first: the shortcuts below look only at what the
     * product and category aggregates count, and a new tag changes none of
     * that. */
    rc = store__comp_review(t, os ? old : NULL, os ? os->pno : 0, ns ? nw : NULL, ns ? ns->pno : 0);
    if (rc)
        return rc;
    /* Outside the public view (pending or rejected before and after) only
     * the product's own version moves: its keyed API pages show such
     * reviews, no feed or category page does. */
    if (!old_in && !new_in) {
        rc = os ? store__agg_bump(t, STORE__KIND_PRODUCT, os->pno) : 0;
        if (rc == 0 && ns && (!os || ns->pno != os->pno))
            rc = store__agg_bump(t, STORE__KIND_PRODUCT, ns->pno);
        return rc;
    }
    /* Category number 0 stands for everything: the all-reviews feed. */
    rc = store__agg_bump(t, STORE__KIND_CATEGORY, 0);
    if (rc)
        return rc;
    if (os && ns && same_share(old, os, nw, ns))
        return bump_scope(t, ns);
    if (os) {
        rc = touch(t, STORE__KIND_PRODUCT, os->pno, old, -1, old_in, true, &lost_p);
        for (size_t i = 0; rc == 0 && i < os->ncat; i++) {
            lost_c[i] = false;
            rc = touch(t, STORE__KIND_CATEGORY, os->cats[i], old, -1, old_in, true, &lost_c[i]);
        }
    }
    if (rc == 0 && ns) {
        bool bump = !os || os->pno != ns->pno;

        rc = touch(t, STORE__KIND_PRODUCT, ns->pno, nw, +1, new_in, bump, NULL);
        for (size_t i = 0; rc == 0 && i < ns->ncat; i++)
            rc = touch(t, STORE__KIND_CATEGORY, ns->cats[i], nw, +1, new_in,
                       !has_cat(os, ns->cats[i]), NULL);
    }
    if (rc || !os || !old_in)
        return rc;

    /* The removed review was the newest of some entity. When its replacement
     * is at least as new and counts in the same place, the max above already
     * holds; otherwise look the newest up again. */
    if (lost_p && !(new_in && ns->pno == os->pno && nw->created_at >= old->created_at)) {
        struct review_stats *st;
        int64_t last;

        rc = product_last(t, os->pno, &last);
        if (rc == 0)
            rc = store__agg_ref(t, STORE__KIND_PRODUCT, os->pno, &st);
        if (rc)
            return rc;
        st->last_review_at = last;
    }
    for (size_t i = 0; i < os->ncat; i++) {
        if (!lost_c[i] || (new_in && has_cat(ns, os->cats[i]) && nw->created_at >= old->created_at))
            continue;
        rc = set_category_last(t, os->cats[i], os->path, prefix_len(os->path, i));
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- a product changing category ------------------------------------------------ */

static bool in_list(const uint32_t *a, size_t n, uint32_t v)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] == v)
            return true;
    return false;
}

int store__days_each(struct store_txn *t, uint8_t kind, uint32_t no, uint32_t from_day,
                     store__day_fn fn, void *ctx)
{
    MDB_cursor *c = NULL;
    uint8_t k[STORE__DAY_KEY_LEN];
    MDB_val key = {sizeof(k), k}, val;
    int rc, mrc;

    rc = store__cursor(t, STORE__DAILY, &c);
    if (rc)
        goto out;
    store__key_day(k, kind, no, from_day);
    for (mrc = mdb_cursor_get(c, &key, &val, MDB_SET_RANGE); mrc == 0;
         mrc = mdb_cursor_get(c, &key, &val, MDB_NEXT)) {
        const uint8_t *kp = key.mv_data;
        struct store_day d;

        if (key.mv_size != STORE__DAY_KEY_LEN || kp[0] != kind || store__rd32(kp + 1) != no)
            break;
        d.day = store__rd32(kp + 5);
        rc = fn(ctx, (uint32_t)d.day,
                store__day_decode(val.mv_data, val.mv_size, &d) == 0 ? &d : NULL);
        if (rc)
            break;
    }
    if (rc == CHORUS_ESTOP)
        rc = 0;
    else if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
        rc = store__check_rc(t, mrc);
out:
    mdb_cursor_close(c);
    return rc;
}

/* A growable copy of daily buckets, for product_days. */
struct day_list {
    struct store_day *days;
    size_t len, alloc;
};

static int collect_day(void *ctx, uint32_t day, const struct store_day *d)
{
    struct day_list *l = ctx;

    (void)day;
    if (!d)
        return CHORUS_ECORRUPT;
    if (l->len == l->alloc) {
        l->alloc = l->alloc ? l->alloc * 2 : 64;
        l->days = realloc(l->days, l->alloc * sizeof(*l->days));
        if (!l->days)
            abort();
    }
    l->days[l->len++] = *d;
    return 0;
}

/* product_days copies product pno's daily buckets out of LMDB (the cache was
 * just flushed), so that moving them does not write under a cursor. Caller
 * frees *out. */
static int product_days(struct store_txn *t, uint32_t pno, struct store_day **out, size_t *n)
{
    struct day_list l = {NULL, 0, 0};
    int rc = store__days_each(t, STORE__KIND_PRODUCT, pno, 0, collect_day, &l);

    if (rc) {
        free(l.days);
        l.days = NULL;
        l.len = 0;
    }
    *out = l.days;
    *n = l.len;
    return rc;
}

int store__agg_move_product(struct store_txn *t, uint32_t pno, const uint32_t *from, size_t nfrom,
                            const char *from_path, const uint32_t *to, size_t nto)
{
    struct review_stats p, *st;
    struct store_day *days = NULL;
    size_t ndays = 0;
    bool lost[STORE__MAX_LEVELS];
    int rc;

    /* Entries of the all-reviews feed carry category terms. */
    rc = store__agg_bump(t, STORE__KIND_CATEGORY, 0);
    if (rc == 0)
        rc = store__agg_get(t, STORE__KIND_PRODUCT, pno, &p);
    if (rc)
        goto out;
    if (p.count == 0 && p.mentions == 0) {
        /* Nothing approved, so no counts and no daily buckets to move: a
         * catalogue import of new products takes this way. */
        for (size_t i = 0; rc == 0 && i < nfrom; i++)
            rc = store__agg_bump(t, STORE__KIND_CATEGORY, from[i]);
        for (size_t i = 0; rc == 0 && i < nto; i++)
            rc = store__agg_bump(t, STORE__KIND_CATEGORY, to[i]);
        goto out;
    }
    for (size_t i = 0; i < nfrom; i++) {
        bool moved = !in_list(to, nto, from[i]);

        lost[i] = false;
        rc = store__agg_ref(t, STORE__KIND_CATEGORY, from[i], &st);
        if (rc)
            goto out;
        st->version++;
        if (!moved)
            continue;
        lost[i] = (p.count || p.mentions) && p.last_review_at >= st->last_review_at;
        store__stats_add(st, &p, -1);
    }
    for (size_t i = 0; i < nto; i++) {
        if (in_list(from, nfrom, to[i]))
            continue;
        rc = store__agg_ref(t, STORE__KIND_CATEGORY, to[i], &st);
        if (rc)
            goto out;
        st->version++;
        store__stats_add(st, &p, +1);
    }

    rc = store__agg_flush(t);
    if (rc == 0)
        rc = product_days(t, pno, &days, &ndays);
    for (size_t j = 0; rc == 0 && j < ndays; j++) {
        uint32_t day = (uint32_t)days[j].day;

        for (size_t i = 0; rc == 0 && i < nfrom; i++) {
            if (in_list(to, nto, from[i]))
                continue;
            rc = store__day_add(t, STORE__KIND_CATEGORY, from[i], day, &days[j], -1);
        }
        for (size_t i = 0; rc == 0 && i < nto; i++) {
            if (in_list(from, nfrom, to[i]))
                continue;
            rc = store__day_add(t, STORE__KIND_CATEGORY, to[i], day, &days[j], +1);
        }
    }
    for (size_t i = 0; rc == 0 && i < nfrom; i++)
        if (lost[i])
            rc = set_category_last(t, from[i], from_path, prefix_len(from_path, i));
out:
    free(days);
    return rc;
}

/* ---- public reads ----------------------------------------------------------------- */

int store_category_stats(struct store_txn *txn, const char *path, struct review_stats *stats)
{
    MDB_val v;
    int rc;

    if (!path || !*path || strlen(path) > CHORUS_MAX_CATEGORY)
        return CHORUS_EINVAL;
    rc = store__get(txn, STORE__CATEGORIES, path, strlen(path), &v);
    if (rc)
        return rc;
    if (v.mv_size != 4)
        return CHORUS_ECORRUPT;
    return store__agg_get(txn, STORE__KIND_CATEGORY, store__rd32(v.mv_data), stats);
}

/* A caller's array being filled by store_product_days. */
struct day_range {
    struct store_day *out;
    size_t cap, n;
    int64_t to_day;
};

static int range_day(void *ctx, uint32_t day, const struct store_day *d)
{
    struct day_range *r = ctx;

    if (day > r->to_day || r->n == r->cap)
        return CHORUS_ESTOP;
    if (!d)
        return CHORUS_ECORRUPT;
    r->out[r->n++] = *d;
    return 0;
}

int store_product_days(struct store_txn *txn, const char *id, int64_t from_day, int64_t to_day,
                       struct store_day *out, size_t cap, size_t *n_out)
{
    struct day_range r = {out, cap, 0, to_day};
    uint32_t pno;
    int rc;

    *n_out = 0;
    if (txn->w) {
        /* The daily database is only complete once the cache is written. */
        rc = store__agg_flush(txn);
        if (rc)
            return rc;
    }
    rc = store__product_no(txn, id, &pno);
    if (rc)
        return rc;
    if (to_day < 0 || from_day > to_day || cap == 0)
        return 0;
    if (from_day < 0)
        from_day = 0;
    if (from_day > UINT32_MAX - 1)
        return 0;
    rc = store__days_each(txn, STORE__KIND_PRODUCT, pno, (uint32_t)from_day, range_day, &r);
    *n_out = rc ? 0 : r.n;
    return rc;
}
