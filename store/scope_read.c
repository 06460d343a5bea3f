/* Reads by scope: a scope's aggregate (for ETags and Last-Modified), feed
 * pages through the by_scope index in both directions (scope.c keeps the
 * index), the products of a category, and a product's reviews of some
 * ratings in a time window.
 */
#include "chorus/store.h"

#include <string.h>

#include "store_int.h"

#define PREFIX_LEN     5
#define POS_LEN        16
#define KEY_LEN        STORE__SCOPE_KEY_LEN
#define CURSOR_VERSION 1
#define CURSOR_LEN     (2 + PREFIX_LEN + POS_LEN)

/* ---- resolving a scope ------------------------------------------------------------- */

static int category_no(struct store_txn *t, const char *path, uint32_t *out)
{
    MDB_val v;
    size_t n = path ? strlen(path) : 0;
    int rc;

    if (n == 0 || n > CHORUS_MAX_CATEGORY || !store__category_valid(path))
        return CHORUS_ENOTFOUND;
    rc = store__get(t, STORE__CATEGORIES, path, n, &v);
    if (rc == 0 && v.mv_size != 4)
        rc = CHORUS_ECORRUPT;
    if (rc == 0)
        *out = store__rd32(v.mv_data);
    return rc;
}

static int resolve(struct store_txn *t, enum store_scope scope, const char *id, uint32_t *no)
{
    switch (scope) {
    case STORE_SCOPE_PRODUCT:
        return id ? store__product_no(t, id, no) : CHORUS_ENOTFOUND;
    case STORE_SCOPE_CATEGORY:
        return category_no(t, id, no);
    case STORE_SCOPE_ALL:
        *no = 0;
        return 0;
    }
    return CHORUS_EINVAL;
}

int store_scope_stats(struct store_txn *txn, enum store_scope scope, const char *id,
                      struct review_stats *stats)
{
    uint32_t no;
    int rc = resolve(txn, scope, id, &no);

    if (rc)
        return rc;
    /* "Everything" keeps only a version and a change time, under the
     * category number no path ever gets. */
    return store__agg_get(
        txn, scope == STORE_SCOPE_PRODUCT ? STORE__KIND_PRODUCT : STORE__KIND_CATEGORY, no, stats);
}

int store_scope_public(struct store_txn *txn, enum store_scope scope, const char *id,
                       struct review_stats *stats)
{
    struct product p;
    uint32_t no;
    int rc;

    if (scope != STORE_SCOPE_PRODUCT)
        return store_scope_stats(txn, scope, id, stats);
    /* Every product page asks this before its cache: one lookup of the
     * number, then its aggregate and record. */
    rc = resolve(txn, scope, id, &no);
    if (rc == 0)
        rc = store__agg_get(txn, STORE__KIND_PRODUCT, no, stats);
    if (rc == 0)
        rc = store__product_record_get(txn, no, &p);
    if (rc == 0 && !store_product_listed(&p, stats))
        rc = CHORUS_ENOTFOUND;
    return rc;
}

/* ---- pages ---------------------------------------------------------------------------- */

struct fpage {
    uint8_t pos[STORE_FEED_MAX][POS_LEN];
    size_t n;
    bool older, newer; /* entries exist beyond the page that way */
};

static bool in_prefix(const MDB_val *k, const uint8_t *pre)
{
    return k->mv_size == KEY_LEN && memcmp(k->mv_data, pre, PREFIX_LEN) == 0;
}

static void cursor_encode(char *out, char dir, const uint8_t *pre, const uint8_t *pos)
{
    uint8_t b[CURSOR_LEN];

    b[0] = CURSOR_VERSION;
    b[1] = (uint8_t)dir;
    memcpy(b + 2, pre, PREFIX_LEN);
    memcpy(b + 2 + PREFIX_LEN, pos, POS_LEN);
    chorus_b64url_encode(b, sizeof(b), out);
}

static int cursor_decode(const char *s, const uint8_t *pre, char *dir, uint8_t *pos)
{
    uint8_t b[CURSOR_LEN + 1];
    long got = chorus_b64url_decode(s, strlen(s), b, sizeof(b));

    if (got != CURSOR_LEN || b[0] != CURSOR_VERSION || (b[1] != 'n' && b[1] != 'p') ||
        memcmp(b + 2, pre, PREFIX_LEN) != 0)
        return CHORUS_EINVAL;
    *dir = (char)b[1];
    memcpy(pos, b + 2 + PREFIX_LEN, POS_LEN);
    return 0;
}

/* walk collects up to limit positions from the cursor's current entry on,
 * forward (older) or backward (newer); then says whether one more exists. */
static int walk(struct store_txn *t, MDB_cursor *c, int mrc, MDB_val *k, const uint8_t *pre,
                bool forward, size_t limit, struct fpage *pg, bool *more)
{
    MDB_val v;
    MDB_cursor_op op = forward ? MDB_NEXT : MDB_PREV;

    while (mrc == 0 && in_prefix(k, pre) && pg->n < limit) {
        memcpy(pg->pos[pg->n++], (const uint8_t *)k->mv_data + PREFIX_LEN, POS_LEN);
        mrc = mdb_cursor_get(c, k, &v, op);
    }
    *more = mrc == 0 && in_prefix(k, pre);
    return mrc == 0 || mrc == MDB_NOTFOUND ? 0 : store__check_rc(t, mrc);
}

/* exists_upto says whether the scope holds an entry at or before key kk:
 * the page after a 'n' cursor has newer entries exactly then. */
static int exists_upto(struct store_txn *t, MDB_cursor *c, const uint8_t *kk, const uint8_t *pre,
                       bool *out)
{
    MDB_val k = {KEY_LEN, (void *)kk}, v;
    int mrc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);

    if (mrc == 0 && k.mv_size == KEY_LEN && memcmp(k.mv_data, kk, KEY_LEN) == 0) {
        *out = true;
        return 0;
    }
    mrc = mrc == 0 ? mdb_cursor_get(c, &k, &v, MDB_PREV) : mdb_cursor_get(c, &k, &v, MDB_LAST);
    *out = mrc == 0 && in_prefix(&k, pre);
    return mrc == 0 || mrc == MDB_NOTFOUND ? 0 : store__check_rc(t, mrc);
}

/* reverse puts a backward walk into newest-first order. */
static void reverse(struct fpage *pg)
{
    for (size_t i = 0; i < pg->n / 2; i++) {
        uint8_t tmp[POS_LEN];

        memcpy(tmp, pg->pos[i], POS_LEN);
        memcpy(pg->pos[i], pg->pos[pg->n - 1 - i], POS_LEN);
        memcpy(pg->pos[pg->n - 1 - i], tmp, POS_LEN);
    }
}

static int collect(struct store_txn *t, MDB_cursor *c, const uint8_t *pre, const char *cursor,
                   size_t limit, uint64_t total, struct fpage *pg)
{
    uint8_t kk[KEY_LEN], pos[POS_LEN];
    MDB_val k = {KEY_LEN, kk}, v;
    char dir = 0;
    int mrc, rc;

    memcpy(kk, pre, PREFIX_LEN);
    if (!cursor || !*cursor) {
        memset(kk + PREFIX_LEN, 0, POS_LEN);
        mrc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
        return walk(t, c, mrc, &k, pre, true, limit, pg, &pg->older);
    }
    if (strcmp(cursor, STORE_FEED_LAST) == 0) {
        /* The oldest page, as the forward walk would end: back from the end
         * of the scope, as many as are left over after the full pages. */
        if (total % limit)
            limit = (size_t)(total % limit);
        memset(kk + PREFIX_LEN, 0xff, POS_LEN);
        mrc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
        mrc = mrc == 0 ? mdb_cursor_get(c, &k, &v, MDB_PREV) : mdb_cursor_get(c, &k, &v, MDB_LAST);
        rc = walk(t, c, mrc, &k, pre, false, limit, pg, &pg->newer);
        reverse(pg);
        return rc;
    }
    if (cursor_decode(cursor, pre, &dir, pos))
        return CHORUS_EINVAL;
    memcpy(kk + PREFIX_LEN, pos, POS_LEN);
    if (dir == 'n') {
        rc = exists_upto(t, c, kk, pre, &pg->newer);
        if (rc)
            return rc;
        k.mv_size = KEY_LEN;
        k.mv_data = kk;
        mrc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
        if (mrc == 0 && k.mv_size == KEY_LEN && memcmp(k.mv_data, kk, KEY_LEN) == 0)
            mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT);
        return walk(t, c, mrc, &k, pre, true, limit, pg, &pg->older);
    }
    /* 'p': the entries just newer than pos, walked backward. */
    mrc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
    pg->older = mrc == 0 && in_prefix(&k, pre);
    mrc = mrc == 0 ? mdb_cursor_get(c, &k, &v, MDB_PREV) : mdb_cursor_get(c, &k, &v, MDB_LAST);
    rc = walk(t, c, mrc, &k, pre, false, limit, pg, &pg->newer);
    reverse(pg);
    return rc;
}

int store_feed_query(struct store_txn *txn, const struct store_feed_query *q, store_review_cb cb,
                     void *ctx, struct store_feed_links *links)
{
    struct fpage *pg = NULL;
    MDB_cursor *c = NULL;
    uint8_t pre[PREFIX_LEN];
    uint64_t total = 0;
    uint32_t no;
    int rc;

    links->next[0] = links->prev[0] = '\0';
    if (q->limit < 1 || q->limit > STORE_FEED_MAX)
        return CHORUS_EINVAL;
    rc = resolve(txn, q->scope, q->id, &no);
    if (rc)
        return rc;
    store__scope_prefix(pre, (uint8_t)q->scope, no);
    if (q->cursor && strcmp(q->cursor, STORE_FEED_LAST) == 0) {
        struct review_stats st;

        /* Only products and categories count their reviews. */
        if (q->scope == STORE_SCOPE_ALL)
            return CHORUS_EINVAL;
        rc = store__agg_get(
            txn, q->scope == STORE_SCOPE_PRODUCT ? STORE__KIND_PRODUCT : STORE__KIND_CATEGORY, no,
            &st);
        if (rc)
            return rc;
        total = st.count + st.mentions;
    }
    pg = store__arena_alloc(&txn->arena, sizeof(*pg));
    memset(pg, 0, sizeof(*pg));
    rc = store__cursor(txn, STORE__BY_SCOPE, &c);
    if (rc == 0)
        rc = collect(txn, c, pre, q->cursor, q->limit, total, pg);
    mdb_cursor_close(c);
    if (rc)
        return rc;
    if (pg->n && pg->older)
        cursor_encode(links->next, 'n', pre, pg->pos[pg->n - 1]);
    if (pg->n && pg->newer)
        cursor_encode(links->prev, 'p', pre, pg->pos[0]);
    for (size_t i = 0; i < pg->n; i++) {
        struct review r;

        rc = store__review_load(txn, ~store__rd64(pg->pos[i] + 8), &r, NULL);
        if (rc == CHORUS_ENOTFOUND)
            rc = CHORUS_ECORRUPT;
        if (rc == 0)
            rc = cb(ctx, &r);
        if (rc)
            return rc == CHORUS_ESTOP ? 0 : rc;
    }
    return 0;
}

/* ---- the products of a category ------------------------------------------------------ */

struct each_ctx {
    struct store_txn *t;
    store_product_cb cb;
    void *ctx;
};

static int each_product(void *ctx, uint32_t pno)
{
    struct each_ctx *e = ctx;
    struct product p;
    struct review_stats st;
    int rc = store__product_record_get(e->t, pno, &p);

    if (rc == 0)
        rc = store__agg_get(e->t, STORE__KIND_PRODUCT, pno, &st);
    if (rc == 0)
        rc = e->cb(e->ctx, &p, &st);
    return rc;
}

int store_category_products(struct store_txn *txn, const char *path, store_product_cb cb, void *ctx)
{
    struct each_ctx e = {txn, cb, ctx};
    MDB_cursor *c = NULL;
    MDB_val k, v;
    uint32_t no;
    int rc = 0, mrc;

    if (path && *path) {
        rc = category_no(txn, path, &no);
        if (rc == 0)
            rc = store__category_each(txn, path, strlen(path), each_product, &e);
        return rc == CHORUS_ESTOP ? 0 : rc;
    }
    rc = store__cursor(txn, STORE__PRODUCTS, &c);
    if (rc)
        return rc;
    for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0 && rc == 0;
         mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (k.mv_size != 4) {
            rc = CHORUS_ECORRUPT;
            break;
        }
        rc = each_product(&e, store__rd32(k.mv_data));
    }
    if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
        rc = store__check_rc(txn, mrc);
    mdb_cursor_close(c);
    return rc == CHORUS_ESTOP ? 0 : rc;
}

/* ---- a product's reviews of some ratings in a time window ---------------------------- */

int store_reviews_window(struct store_txn *txn, const char *product_id, unsigned ratings,
                         int64_t from, int64_t to, store_review_cb cb, void *ctx)
{
    MDB_cursor *c = NULL;
    uint32_t pno;
    int rc, mrc = 0;

    rc = store__product_no(txn, product_id, &pno);
    if (rc)
        return rc;
    if (from >= to)
        return 0;
    rc = store__cursor(txn, STORE__BY_PROD, &c);
    /* by_prod is product | rating | ~created | ~id: per rating, the window
     * is one contiguous range, newest first. */
    for (int rating = 0; rc == 0 && rating <= 5; rating++) {
        uint8_t lo[STORE__PROD_KEY_LEN];
        MDB_val k = {sizeof(lo), lo}, v;

        if (!(ratings & (1u << rating)))
            continue;
        store__key_prod(lo, pno, rating, to - 1, UINT64_MAX);
        for (mrc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); mrc == 0 && rc == 0;
             mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
            const uint8_t *kb = k.mv_data;
            struct review r;

            if (k.mv_size != STORE__PROD_KEY_LEN || store__rd32(kb) != pno || kb[4] != rating ||
                store__key_prod_created(kb) < from)
                break;
            if (v.mv_size != 1 ||
                (*(const uint8_t *)v.mv_data & STORE__F_STATUS_MASK) != REVIEW_APPROVED)
                continue;
            rc = store__review_load(txn, store__key_prod_id(kb), &r, NULL);
            if (rc == CHORUS_ENOTFOUND)
                rc = CHORUS_ECORRUPT;
            if (rc == 0)
                rc = cb(ctx, &r);
        }
        if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
            rc = store__check_rc(txn, mrc);
    }
    mdb_cursor_close(c);
    return rc == CHORUS_ESTOP ? 0 : rc;
}
