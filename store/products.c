/* Products and categories: external ids to product numbers, the catalogue
 * record, category paths and their numbers, and the per-transaction cache
 * that spares the review write path three lookups per review.
 */
#include "chorus/store.h"

#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"
#include "store_int.h"

/* ---- categories ---------------------------------------------------------------- */

bool store__category_valid(const char *path)
{
    size_t n = strlen(path);

    if (n == 0)
        return true;
    if (n > CHORUS_MAX_CATEGORY || path[0] == '/' || path[n - 1] == '/' || strstr(path, "//"))
        return false;
    return true;
}

int store__category_chain(struct store_txn *t, const char *path, bool create, uint32_t *cats,
                          size_t cap, size_t *n)
{
    size_t len = strlen(path), got = 0;
    int rc = 0;

    for (size_t end = 0; end <= len && len > 0; end++) {
        MDB_val v;

        if (end < len && path[end] != '/')
            continue;
        if (got == cap)
            return CHORUS_EINVAL;
        rc = store__get(t, STORE__CATEGORIES, path, end, &v);
        if (rc == 0) {
            if (v.mv_size != 4)
                return CHORUS_ECORRUPT;
            cats[got++] = store__rd32(v.mv_data);
            continue;
        }
        if (rc != CHORUS_ENOTFOUND || !create)
            break;
        {
            uint32_t no;
            uint8_t b[4];

            rc = store__meta_get_u32(t, "next_category_no", &no);
            if (rc)
                break;
            if (no == 0)
                no = 1;
            store__be32(b, no);
            rc = store__put(t, STORE__CATEGORIES, path, end, b, 4, MDB_NOOVERWRITE);
            if (rc == 0)
                rc = store__meta_put_u32(t, "next_category_no", no + 1);
            if (rc)
                break;
            cats[got++] = no;
        }
    }
    *n = got;
    return rc == CHORUS_ENOTFOUND ? 0 : rc;
}

/* each_range calls fn for every by_category key that starts with prefix
 * (plen bytes). */
static int each_range(struct store_txn *t, MDB_cursor *c, const uint8_t *prefix, size_t plen,
                      int (*fn)(void *ctx, uint32_t pno), void *ctx)
{
    MDB_val key = {plen, (void *)prefix}, val;
    int rc = 0, mrc;

    for (mrc = mdb_cursor_get(c, &key, &val, MDB_SET_RANGE); mrc == 0;
         mrc = mdb_cursor_get(c, &key, &val, MDB_NEXT)) {
        const uint8_t *k = key.mv_data;

        if (key.mv_size < plen || memcmp(k, prefix, plen) != 0)
            break;
        if (key.mv_size < 5 || k[key.mv_size - 5] != 0)
            return CHORUS_ECORRUPT;
        rc = fn(ctx, store__rd32(k + key.mv_size - 4));
        if (rc)
            return rc;
    }
    return mrc == MDB_NOTFOUND || mrc == 0 ? 0 : store__check_rc(t, mrc);
}

int store__category_each(struct store_txn *t, const char *path, size_t plen,
                         int (*fn)(void *ctx, uint32_t pno), void *ctx)
{
    uint8_t prefix[CHORUS_MAX_CATEGORY + 1];
    MDB_cursor *c = NULL;
    int rc;

    if (plen == 0 || plen > CHORUS_MAX_CATEGORY)
        return CHORUS_EINVAL;
    rc = store__cursor(t, STORE__BY_CATEGORY, &c);
    if (rc)
        goto out;
    /* "laptops" itself: keys "laptops" 0x00 pno. */
    memcpy(prefix, path, plen);
    prefix[plen] = 0;
    rc = each_range(t, c, prefix, plen + 1, fn, ctx);
    if (rc)
        goto out;
    /* Everything under it: "laptops/...", but never "laptopsX". */
    prefix[plen] = '/';
    rc = each_range(t, c, prefix, plen + 1, fn, ctx);
out:
    mdb_cursor_close(c);
    return rc;
}

/* ---- product numbers -------------------------------------------------------------- */

int store__product_no(struct store_txn *t, const char *id, uint32_t *out)
{
    size_t n = id ? strlen(id) : 0;
    MDB_val v;
    int rc;

    if (n == 0 || n > CHORUS_MAX_PRODUCT_ID)
        return CHORUS_ENOTFOUND;
    rc = store__get(t, STORE__PRODUCT_NO, id, n, &v);
    if (rc)
        return rc;
    if (v.mv_size != 4)
        return CHORUS_ECORRUPT;
    *out = store__rd32(v.mv_data);
    return 0;
}

/* store__product_no_new registers id under a fresh number. */
int store__product_no_new(struct store_txn *t, const char *id, uint32_t *out)
{
    uint32_t no;
    uint8_t b[4];
    int rc = store__meta_get_u32(t, "next_product_no", &no);

    if (rc)
        return rc;
    if (no == 0)
        no = 1;
    store__be32(b, no);
    rc = store__put(t, STORE__PRODUCT_NO, id, strlen(id), b, 4, MDB_NOOVERWRITE);
    if (rc == 0)
        rc = store__meta_put_u32(t, "next_product_no", no + 1);
    if (rc == 0)
        *out = no;
    return rc;
}

int store__product_record_put(struct store_txn *t, uint32_t pno, const struct product *p)
{
    size_t n = store__product_size(p);
    uint8_t k[4];
    uint8_t *v;
    int rc;

    store__be32(k, pno);
    rc = store__reserve(t, STORE__PRODUCTS, k, 4, n, 0, &v);
    if (rc == 0)
        store__product_encode(v, p);
    return rc;
}

int store__product_record_get(struct store_txn *t, uint32_t pno, struct product *p)
{
    uint8_t k[4];
    MDB_val v;
    int rc;

    store__be32(k, pno);
    rc = store__get(t, STORE__PRODUCTS, k, 4, &v);
    if (rc == CHORUS_ENOTFOUND)
        return CHORUS_ECORRUPT; /* product_no names it, so it must exist */
    if (rc)
        return rc;
    return store__product_decode(v.mv_data, v.mv_size, p);
}

/* ---- the product cache of a write transaction -------------------------------------- */

/* w->pcache maps external ids to struct store__scope, which lives with its
 * path and category chain in w->parena. */

void store__pcache_init(struct store__wstate *w)
{
    chorus_map_init(&w->pcache, 0);
}

void store__pcache_clear(struct store__wstate *w)
{
    chorus_map_clear(&w->pcache, NULL);
    store__arena_reset(&w->parena);
}

void store__pcache_free(struct store__wstate *w)
{
    chorus_map_cleanup(&w->pcache, NULL);
    store__arena_cleanup(&w->parena);
}

int store__product_info(struct store_txn *t, const char *id, bool create, struct store__scope *out)
{
    struct store__wstate *w = t->w;
    size_t idlen = strlen(id);
    uint32_t cats[STORE__MAX_LEVELS];
    struct store__scope *sc;
    struct product p;
    size_t ncat = 0;
    uint32_t pno;
    int rc;

    if (!w)
        return CHORUS_EINVAL; /* write transactions only */
    sc = chorus_map_get(&w->pcache, id, idlen);
    if (sc) {
        *out = *sc;
        return 0;
    }

    rc = store__product_no(t, id, &pno);
    if (rc == CHORUS_ENOTFOUND && create) {
        memset(&p, 0, sizeof(p));
        p.id = id;
        rc = store__product_no_new(t, id, &pno);
        if (rc == 0)
            rc = store__product_record_put(t, pno, &p);
        p.category = "";
    } else if (rc == 0) {
        rc = store__product_record_get(t, pno, &p);
        if (rc == 0 && !p.category)
            p.category = "";
        if (rc == 0)
            rc = store__category_chain(t, p.category, false, cats, STORE__MAX_LEVELS, &ncat);
    }
    if (rc)
        return rc;

    if (w->pcache.n >= STORE__PCACHE_MAX)
        store__pcache_clear(w);
    sc = store__arena_alloc(&w->parena, sizeof(*sc));
    sc->pno = pno;
    sc->ncat = ncat;
    /* The copies: p's strings point into LMDB pages that later puts in this
     * transaction may rewrite (the table copies the id itself). */
    sc->path = store__arena_strdup(&w->parena, p.category);
    sc->cats = NULL;
    if (ncat) {
        uint32_t *c = store__arena_alloc(&w->parena, ncat * sizeof(*c));

        memcpy(c, cats, ncat * sizeof(*c));
        sc->cats = c;
    }
    chorus_map_add(&w->pcache, id, idlen, sc);
    *out = *sc;
    return 0;
}

int store_product_get(struct store_txn *txn, const char *id, struct product *p,
                      struct review_stats *stats)
{
    struct product rec;
    uint32_t pno;
    int rc;

    rc = store__product_no(txn, id, &pno);
    if (rc == 0)
        rc = store__product_record_get(txn, pno, &rec);
    if (rc == 0 && txn->write) {
        rec.id = store__arena_strdup(&txn->arena, rec.id);
        rec.name = store__arena_strdup(&txn->arena, rec.name);
        rec.brand = store__arena_strdup(&txn->arena, rec.brand);
        rec.category = store__arena_strdup(&txn->arena, rec.category);
        rec.url = store__arena_strdup(&txn->arena, rec.url);
        rec.image_url = store__arena_strdup(&txn->arena, rec.image_url);
        rec.gtin = store__arena_strdup(&txn->arena, rec.gtin);
        rec.mpn = store__arena_strdup(&txn->arena, rec.mpn);
    }
    if (rc == 0 && stats)
        rc = store__agg_get(txn, STORE__KIND_PRODUCT, pno, stats);
    if (rc == 0 && p)
        *p = rec;
    return rc;
}

int store_counts(struct store_txn *txn, uint64_t *reviews, uint64_t *products)
{
    MDB_stat st;
    int rc;

    if (reviews) {
        rc = mdb_stat(txn->txn, txn->s->dbi[STORE__REVIEWS], &st);
        if (rc)
            return store__check_rc(txn, rc);
        *reviews = st.ms_entries;
    }
    if (products) {
        rc = mdb_stat(txn->txn, txn->s->dbi[STORE__PRODUCTS], &st);
        if (rc)
            return store__check_rc(txn, rc);
        *products = st.ms_entries;
    }
    return 0;
}
