/* Review listings: one product's reviews sorted, filtered and paged by
 * keyset cursors; the moderation queue; everything in id order.
 *
 * A page costs what it shows: each sort is a scan of index ranges that are
 * already in its order, starting right after the previous page's last entry,
 * and filters read the one-byte flags stored in the index instead of the
 * record. NEWEST and OLDEST merge the per-rating ranges of by_prod (up to
 * six cursors); HIGHEST and LOWEST walk them one after the other. HELPFUL
 * walks by_helpful, which holds only reviews with votes (most never get one,
 * and an import should not pay for them), then continues with the unvoted
 * rest newest first: the NEWEST merge, skipping entries flagged as voted.
 */
#include "chorus/store.h"

#include <string.h>

#include "chorus/base.h"
#include "store_int.h"

#define CURSOR_VERSION 1
#define ORD_LEN        16 /* ~created | ~id, the tail of a by_prod key */
#define HORD_LEN       20 /* ~helpful | ~created | ~id, the tail of a by_helpful key */
#define BLOB_MAX       (7 + HORD_LEN)

/* ---- page state --------------------------------------------------------------------- */

struct page {
    struct store_txn *t;
    const struct store_query *q;
    store_review_cb cb;
    void *ctx;
    uint32_t pno;
    unsigned ratings, statuses;
    size_t given;
    bool skip_voted; /* HELPFUL, second phase */
    bool more;       /* an entry beyond the page exists */
    bool stopped;    /* the callback asked to stop */
    int rc;
    /* position of the last entry given, for the next cursor: its group (the
     * rating range of HIGHEST/LOWEST, the phase of HELPFUL) and key tail */
    uint8_t last_group;
    uint8_t last[HORD_LEN];
    size_t last_len;
};

static bool pass(const struct page *pg, uint8_t flags, int64_t created)
{
    unsigned rating = (flags >> STORE__F_RATING_SHIFT) & 7;

    if (!(pg->statuses & (1u << (flags & STORE__F_STATUS_MASK))))
        return false;
    if (pg->q->verified_only && !(flags & STORE__F_VERIFIED))
        return false;
    if (pg->skip_voted && (flags & STORE__F_VOTED))
        return false;
    if (rating > 5 || !(pg->ratings & (1u << rating)))
        return false;
    return pg->q->since == 0 || created >= pg->q->since;
}

static int64_t ord_created(const uint8_t *ord)
{
    return store__time_unbias(~store__rd64(ord));
}

/* give hands entry (id, position) to the callback, or notes that the page is
 * full and one more exists. Returns false when the scan should end. */
static bool give(struct page *pg, uint64_t id, uint8_t group, const uint8_t *pos, size_t poslen)
{
    struct store__mark m;
    struct review r;
    int rc;

    if (pg->given == pg->q->limit) {
        pg->more = true;
        return false;
    }
    store__arena_mark(&pg->t->arena, &m);
    rc = store__review_load(pg->t, id, &r, NULL);
    if (rc == CHORUS_ENOTFOUND)
        rc = CHORUS_ECORRUPT; /* an index entry without its review */
    if (rc == 0)
        rc = pg->cb(pg->ctx, &r);
    store__arena_release(&pg->t->arena, &m);
    if (rc == 0 || rc == CHORUS_ESTOP) {
        pg->given++;
        pg->last_group = group;
        memcpy(pg->last, pos, poslen);
        pg->last_len = poslen;
    }
    if (rc == CHORUS_ESTOP) {
        pg->stopped = true;
        return false;
    }
    pg->rc = rc;
    return rc == 0;
}

/* ---- cursor positioning ----------------------------------------------------------------- */

/* in_range says whether the cursor's current key is a by_prod key of
 * (pno, rating). */
static bool in_range(const MDB_val *k, uint32_t pno, int rating)
{
    const uint8_t *p = k->mv_data;

    return k->mv_size == STORE__PROD_KEY_LEN && store__rd32(p) == pno && p[4] == rating;
}

/* seek_after puts c on the first key greater than key (or equal, when
 * inclusive). */
static int seek_after(MDB_cursor *c, const uint8_t *key, size_t len, bool inclusive, MDB_val *k,
                      MDB_val *v)
{
    int mrc;

    k->mv_size = len;
    k->mv_data = (void *)key;
    mrc = mdb_cursor_get(c, k, v, MDB_SET_RANGE);
    if (mrc == 0 && !inclusive && k->mv_size == len && memcmp(k->mv_data, key, len) == 0)
        mrc = mdb_cursor_get(c, k, v, MDB_NEXT);
    return mrc;
}

/* seek_before puts c on the last key less than key (or equal, when
 * inclusive). */
static int seek_before(MDB_cursor *c, const uint8_t *key, size_t len, bool inclusive, MDB_val *k,
                       MDB_val *v)
{
    int mrc;

    k->mv_size = len;
    k->mv_data = (void *)key;
    mrc = mdb_cursor_get(c, k, v, MDB_SET_RANGE);
    if (mrc == MDB_NOTFOUND)
        return mdb_cursor_get(c, k, v, MDB_LAST);
    if (mrc)
        return mrc;
    if (inclusive && k->mv_size == len && memcmp(k->mv_data, key, len) == 0)
        return 0;
    return mdb_cursor_get(c, k, v, MDB_PREV);
}

/* ---- NEWEST and OLDEST: merging the rating ranges -------------------------------------- */

struct head {
    MDB_cursor *c;
    MDB_val k, v;
    int rating;
    bool live;
};

static int head_check(struct head *h, int mrc, uint32_t pno)
{
    h->live = mrc == 0 && in_range(&h->k, pno, h->rating);
    if (h->live && h->v.mv_size != 1)
        return CHORUS_ECORRUPT;
    return mrc == 0 || mrc == MDB_NOTFOUND ? 0 : store__err(mrc);
}

static int merge(struct page *pg, bool newest, const uint8_t *resume)
{
    struct head h[6];
    uint8_t key[STORE__PROD_KEY_LEN];
    int n = 0, rc = 0;

    memset(h, 0, sizeof(h));
    for (int r = 0; r <= 5; r++) {
        int mrc;

        if (!(pg->ratings & (1u << r)))
            continue;
        h[n].rating = r;
        rc = store__cursor(pg->t, STORE__BY_PROD, &h[n].c);
        if (rc)
            goto out;
        store__be32(key, pg->pno);
        key[4] = (uint8_t)r;
        if (newest) {
            if (resume)
                memcpy(key + 5, resume, ORD_LEN);
            else
                memset(key + 5, 0, ORD_LEN);
            mrc = seek_after(h[n].c, key, sizeof(key), !resume, &h[n].k, &h[n].v);
        } else if (resume) {
            memcpy(key + 5, resume, ORD_LEN);
            mrc = seek_before(h[n].c, key, sizeof(key), false, &h[n].k, &h[n].v);
        } else if (pg->q->since) {
            /* Oldest first from `since`: everything older sorts after it. */
            store__be64(key + 5, ~store__time_bias(pg->q->since));
            memset(key + 13, 0xff, 8);
            mrc = seek_before(h[n].c, key, sizeof(key), true, &h[n].k, &h[n].v);
        } else {
            memset(key + 5, 0xff, ORD_LEN);
            mrc = seek_before(h[n].c, key, sizeof(key), true, &h[n].k, &h[n].v);
        }
        rc = head_check(&h[n], mrc, pg->pno);
        n++;
        if (rc)
            goto out;
    }
    for (;;) {
        struct head *best = NULL;
        const uint8_t *kp;
        int64_t created;

        for (int i = 0; i < n; i++) {
            int cmp;

            if (!h[i].live)
                continue;
            if (!best) {
                best = &h[i];
                continue;
            }
            cmp = memcmp((const uint8_t *)h[i].k.mv_data + 5, (const uint8_t *)best->k.mv_data + 5,
                         ORD_LEN);
            if (newest ? cmp < 0 : cmp > 0)
                best = &h[i];
        }
        if (!best)
            break;
        kp = best->k.mv_data;
        created = ord_created(kp + 5);
        if (newest && pg->q->since && created < pg->q->since) {
            best->live = false; /* the rest of this range is older still */
            continue;
        }
        if (pass(pg, *(const uint8_t *)best->v.mv_data, created) &&
            !give(pg, store__key_prod_id(kp), pg->skip_voted ? 1 : (uint8_t)best->rating, kp + 5,
                  ORD_LEN))
            break;
        rc = head_check(best,
                        mdb_cursor_get(best->c, &best->k, &best->v, newest ? MDB_NEXT : MDB_PREV),
                        pg->pno);
        if (rc)
            goto out;
    }
out:
    for (int i = 0; i < n; i++)
        mdb_cursor_close(h[i].c);
    return rc;
}

/* ---- HIGHEST and LOWEST: one rating range after another --------------------------------- */

static int by_rating(struct page *pg, bool highest, int resume_rating, const uint8_t *resume)
{
    static const int high[6] = {5, 4, 3, 2, 1, 0}, low[6] = {1, 2, 3, 4, 5, 0};
    const int *order = highest ? high : low;
    uint8_t key[STORE__PROD_KEY_LEN];
    MDB_cursor *c = NULL;
    MDB_val k, v;
    int i = 0, rc, mrc = 0;

    rc = store__cursor(pg->t, STORE__BY_PROD, &c);
    if (rc)
        goto out;
    if (resume)
        while (order[i] != resume_rating)
            i++;
    for (; i < 6; i++) {
        int r = order[i];
        bool from_resume = resume && r == resume_rating;

        if (!(pg->ratings & (1u << r)))
            continue;
        store__be32(key, pg->pno);
        key[4] = (uint8_t)r;
        if (from_resume)
            memcpy(key + 5, resume, ORD_LEN);
        else
            memset(key + 5, 0, ORD_LEN);
        for (mrc = seek_after(c, key, sizeof(key), !from_resume, &k, &v); mrc == 0;
             mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
            const uint8_t *kp = k.mv_data;
            int64_t created;

            if (!in_range(&k, pg->pno, r))
                break;
            if (v.mv_size != 1) {
                rc = CHORUS_ECORRUPT;
                goto out;
            }
            created = ord_created(kp + 5);
            if (pg->q->since && created < pg->q->since)
                break;
            if (pass(pg, *(const uint8_t *)v.mv_data, created) &&
                !give(pg, store__key_prod_id(kp), (uint8_t)r, kp + 5, ORD_LEN))
                goto out;
        }
        if (mrc && mrc != MDB_NOTFOUND) {
            rc = store__check_rc(pg->t, mrc);
            goto out;
        }
    }
out:
    mdb_cursor_close(c);
    return rc;
}

/* ---- HELPFUL ---------------------------------------------------------------------------- */

static int by_helpful(struct page *pg, int phase, const uint8_t *resume)
{
    uint8_t key[STORE__HELPFUL_KEY_LEN];
    MDB_cursor *c = NULL;
    MDB_val k, v;
    int rc, mrc;

    if (phase == 1)
        goto unvoted;
    rc = store__cursor(pg->t, STORE__BY_HELPFUL, &c);
    if (rc)
        goto out;
    store__be32(key, pg->pno);
    if (resume)
        memcpy(key + 4, resume, HORD_LEN);
    else
        memset(key + 4, 0, HORD_LEN);
    for (mrc = seek_after(c, key, sizeof(key), !resume, &k, &v); mrc == 0;
         mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        const uint8_t *kp = k.mv_data;

        if (k.mv_size != STORE__HELPFUL_KEY_LEN || store__rd32(kp) != pg->pno)
            break;
        if (v.mv_size != 1) {
            rc = CHORUS_ECORRUPT;
            goto out;
        }
        if (pass(pg, *(const uint8_t *)v.mv_data, ord_created(kp + 8)) &&
            !give(pg, ~store__rd64(kp + 16), 0, kp + 4, HORD_LEN))
            goto out;
    }
    if (mrc != MDB_NOTFOUND) {
        rc = store__check_rc(pg->t, mrc);
        goto out;
    }
    mdb_cursor_close(c);
    c = NULL;
    resume = NULL;
unvoted:
    pg->skip_voted = true;
    rc = merge(pg, true, resume);
out:
    mdb_cursor_close(c);
    return rc;
}

/* ---- cursors ----------------------------------------------------------------------------- */

/* A cursor is a version byte, the sort, the product number, for HIGHEST and
 * LOWEST the rating range and for HELPFUL the phase, then the tail of the
 * last entry's key. */
static bool has_group(enum store_sort sort)
{
    return sort == STORE_SORT_HIGHEST || sort == STORE_SORT_LOWEST || sort == STORE_SORT_HELPFUL;
}

static void cursor_encode(const struct page *pg, char *out)
{
    uint8_t b[BLOB_MAX];
    size_t n = 6;

    b[0] = CURSOR_VERSION;
    b[1] = (uint8_t)pg->q->sort;
    store__be32(b + 2, pg->pno);
    if (has_group(pg->q->sort))
        b[n++] = pg->last_group;
    memcpy(b + n, pg->last, pg->last_len);
    chorus_b64url_encode(b, n + pg->last_len, out);
}

/* cursor_decode checks that s is a cursor of this sort and product and
 * gives the position after which the page starts. */
static int cursor_decode(const char *s, enum store_sort sort, uint32_t pno, uint8_t *group,
                         uint8_t *pos)
{
    uint8_t b[BLOB_MAX + 1];
    size_t n = strlen(s), head = has_group(sort) ? 7 : 6, want;
    long got;

    got = chorus_b64url_decode(s, n, b, sizeof(b));
    if (got < (long)head || b[0] != CURSOR_VERSION || b[1] != (uint8_t)sort ||
        store__rd32(b + 2) != pno)
        return CHORUS_EINVAL;
    *group = has_group(sort) ? b[6] : 0;
    if (sort == STORE_SORT_HELPFUL && *group > 1)
        return CHORUS_EINVAL;
    if (sort != STORE_SORT_HELPFUL && *group > 5)
        return CHORUS_EINVAL;
    want = head + (sort == STORE_SORT_HELPFUL && *group == 0 ? HORD_LEN : ORD_LEN);
    if ((size_t)got != want)
        return CHORUS_EINVAL;
    memcpy(pos, b + head, want - head);
    return 0;
}

/* ---- entry points ------------------------------------------------------------------------ */

int store_reviews_query(struct store_txn *txn, const struct store_query *q, store_review_cb cb,
                        void *ctx, char *next_cursor)
{
    struct page pg;
    uint8_t pos[HORD_LEN], group = 0;
    const uint8_t *resume = NULL;
    char cur[STORE_CURSOR_MAX];
    size_t clen = q->cursor ? strlen(q->cursor) : 0;
    int rc;

    /* The caller may pass one buffer as both cursor and next_cursor. */
    if (clen >= sizeof(cur)) {
        next_cursor[0] = '\0';
        return CHORUS_EINVAL;
    }
    memcpy(cur, clen ? q->cursor : "", clen + 1);
    next_cursor[0] = '\0';
    if (q->limit < 1 || q->limit > 100 || (unsigned)q->sort > STORE_SORT_HELPFUL ||
        (q->ratings & ~(unsigned)STORE_RATING_ALL) || (q->statuses & ~7u))
        return CHORUS_EINVAL;
    memset(&pg, 0, sizeof(pg));
    pg.t = txn;
    pg.q = q;
    pg.cb = cb;
    pg.ctx = ctx;
    pg.ratings = q->ratings ? q->ratings : STORE_RATING_ALL;
    pg.statuses = q->statuses ? q->statuses : 1u << REVIEW_APPROVED;
    rc = store__product_no(txn, q->product_id, &pg.pno);
    if (rc)
        return rc;
    if (*cur) {
        rc = cursor_decode(cur, q->sort, pg.pno, &group, pos);
        if (rc)
            return rc;
        resume = pos;
    }
    switch (q->sort) {
    case STORE_SORT_NEWEST:
    case STORE_SORT_OLDEST:
        rc = merge(&pg, q->sort == STORE_SORT_NEWEST, resume);
        break;
    case STORE_SORT_HIGHEST:
    case STORE_SORT_LOWEST:
        rc = by_rating(&pg, q->sort == STORE_SORT_HIGHEST, group, resume);
        break;
    case STORE_SORT_HELPFUL:
        rc = by_helpful(&pg, group, resume);
        break;
    }
    if (rc == 0)
        rc = pg.rc;
    if (rc)
        return rc;
    if ((pg.more || pg.stopped) && pg.given)
        cursor_encode(&pg, next_cursor);
    return 0;
}

/* call gives review id to cb with its memory returned afterwards. */
static int call(struct store_txn *t, uint64_t id, store_review_cb cb, void *ctx)
{
    struct store__mark m;
    struct review r;
    int rc;

    store__arena_mark(&t->arena, &m);
    rc = store__review_load(t, id, &r, NULL);
    if (rc == CHORUS_ENOTFOUND)
        rc = CHORUS_ECORRUPT;
    if (rc == 0)
        rc = cb(ctx, &r);
    store__arena_release(&t->arena, &m);
    return rc;
}

int store_reviews_by_status(struct store_txn *txn, enum review_status status, uint64_t after,
                            size_t limit, store_review_cb cb, void *ctx, uint64_t *last)
{
    uint8_t key[STORE__STATUS_KEY_LEN];
    MDB_cursor *c = NULL;
    MDB_val k, v;
    size_t n = 0;
    int rc, mrc = 0;

    if (last)
        *last = 0;
    if ((unsigned)status > REVIEW_REJECTED)
        return CHORUS_EINVAL;
    if (after == UINT64_MAX || limit == 0)
        return 0;
    rc = store__cursor(txn, STORE__BY_STATUS, &c);
    if (rc)
        goto out;
    store__key_status(key, status, after + 1);
    k.mv_size = sizeof(key);
    k.mv_data = key;
    for (mrc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); mrc == 0 && n < limit;
         mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        const uint8_t *kp = k.mv_data;
        uint64_t id;

        if (k.mv_size != STORE__STATUS_KEY_LEN || kp[0] != status)
            break;
        id = store__rd64(kp + 1);
        rc = call(txn, id, cb, ctx);
        if (rc == 0 || rc == CHORUS_ESTOP) {
            n++;
            if (last)
                *last = id;
        }
        if (rc)
            goto out;
    }
    if (mrc && mrc != MDB_NOTFOUND)
        rc = store__check_rc(txn, mrc);
out:
    mdb_cursor_close(c);
    return rc == CHORUS_ESTOP ? 0 : rc;
}

int store_reviews_each(struct store_txn *txn, uint64_t after, store_review_cb cb, void *ctx)
{
    uint8_t key[8];
    MDB_cursor *c = NULL;
    MDB_val k, v;
    int rc, mrc = 0;

    if (after == UINT64_MAX)
        return 0;
    rc = store__cursor(txn, STORE__REVIEWS, &c);
    if (rc)
        goto out;
    store__be64(key, after + 1);
    k.mv_size = sizeof(key);
    k.mv_data = key;
    for (mrc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); mrc == 0;
         mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        struct store__mark m;
        struct review r;

        if (k.mv_size != 8)
            break;
        store__arena_mark(&txn->arena, &m);
        rc = store__review_decode(v.mv_data, v.mv_size, &r, NULL, &txn->arena);
        if (rc == 0) {
            r.id = store__rd64(k.mv_data);
            store__issue_fill(txn, &r);
            rc = cb(ctx, &r);
        }
        store__arena_release(&txn->arena, &m);
        if (rc)
            goto out;
    }
    if (mrc != MDB_NOTFOUND)
        rc = store__check_rc(txn, mrc);
out:
    mdb_cursor_close(c);
    return rc == CHORUS_ESTOP ? 0 : rc;
}
