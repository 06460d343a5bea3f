/* Products and categories: external ids to product numbers, the catalogue
 * record, category paths and their numbers, and the per-transaction cache
 * that spares the review write path three lookups per review.
 */
#include "chorus/store.h"

#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"
#include "store_int.h"

struct store__pentry {
    bool used;
    uint64_t hash;
    const char *id; /* copies in w->parena */
    struct store__scope sc;
};

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

/* new_product_no registers id under a fresh number. */
static int new_product_no(struct store_txn *t, const char *id, uint32_t *out)
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

static int put_product_record(struct store_txn *t, uint32_t pno, const struct product *p)
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

static int get_product_record(struct store_txn *t, uint32_t pno, struct product *p)
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

static uint64_t hash_str(const char *s)
{
    uint64_t h = UINT64_C(14695981039346656037);

    for (; *s; s++) {
        h ^= (uint8_t)*s;
        h *= UINT64_C(1099511628211);
    }
    return h;
}

void store__pcache_clear(struct store__wstate *w)
{
    for (size_t i = 0; i < w->npused; i++)
        w->ptab[w->pused[i]].used = false;
    w->npused = 0;
    store__arena_reset(&w->parena);
}

void store__pcache_free(struct store__wstate *w)
{
    free(w->ptab);
    free(w->pused);
    store__arena_cleanup(&w->parena);
    w->ptab = NULL;
    w->pused = NULL;
    w->npused = 0;
}

static char *arena_strdup(struct store__arena *a, const char *s)
{
    size_t n = strlen(s) + 1;
    char *c = store__arena_alloc(a, n);

    memcpy(c, s, n);
    return c;
}

int store__product_info(struct store_txn *t, const char *id, bool create, struct store__scope *out)
{
    struct store__wstate *w = t->w;
    uint64_t h = hash_str(id);
    uint32_t mask = STORE__PTAB_SLOTS - 1, i, cats[STORE__MAX_LEVELS];
    struct store__pentry *e;
    struct product p;
    size_t ncat = 0;
    uint32_t pno;
    int rc;

    if (!w)
        return CHORUS_EINVAL; /* write transactions only */
    if (!w->ptab) {
        w->ptab = calloc(STORE__PTAB_SLOTS, sizeof(*w->ptab));
        w->pused = calloc(STORE__PTAB_MAX, sizeof(*w->pused));
        if (!w->ptab || !w->pused)
            abort();
    }
    for (i = (uint32_t)h & mask; w->ptab[i].used; i = (i + 1) & mask) {
        e = &w->ptab[i];
        if (e->hash == h && strcmp(e->id, id) == 0) {
            *out = e->sc;
            return 0;
        }
    }

    rc = store__product_no(t, id, &pno);
    if (rc == CHORUS_ENOTFOUND && create) {
        memset(&p, 0, sizeof(p));
        p.id = id;
        rc = new_product_no(t, id, &pno);
        if (rc == 0)
            rc = put_product_record(t, pno, &p);
        p.category = "";
    } else if (rc == 0) {
        rc = get_product_record(t, pno, &p);
        if (rc == 0 && !p.category)
            p.category = "";
        if (rc == 0)
            rc = store__category_chain(t, p.category, false, cats, STORE__MAX_LEVELS, &ncat);
    }
    if (rc)
        return rc;

    if (w->npused >= STORE__PTAB_MAX) {
        store__pcache_clear(w);
        for (i = (uint32_t)h & mask; w->ptab[i].used; i = (i + 1) & mask)
            ;
    }
    e = &w->ptab[i];
    e->used = true;
    e->hash = h;
    /* The copies: p's strings point into LMDB pages that later puts in this
     * transaction may rewrite. */
    e->id = arena_strdup(&w->parena, id);
    e->sc.pno = pno;
    e->sc.ncat = ncat;
    e->sc.path = arena_strdup(&w->parena, p.category);
    e->sc.cats = NULL;
    if (ncat) {
        uint32_t *c = store__arena_alloc(&w->parena, ncat * sizeof(*c));

        memcpy(c, cats, ncat * sizeof(*c));
        e->sc.cats = c;
    }
    w->pused[w->npused++] = i;
    *out = e->sc;
    return 0;
}

/* ---- catalogue writes and reads -------------------------------------------------------- */

static bool str_ok(const char *s, size_t cap)
{
    return !s || strlen(s) <= cap;
}

static bool product_valid(const struct product *p)
{
    size_t n = p->id ? strlen(p->id) : 0;

    return n > 0 && n <= CHORUS_MAX_PRODUCT_ID && str_ok(p->name, CHORUS_MAX_NAME) &&
           str_ok(p->brand, CHORUS_MAX_CODE) && str_ok(p->category, CHORUS_MAX_CATEGORY) &&
           str_ok(p->url, CHORUS_MAX_URL) && str_ok(p->image_url, CHORUS_MAX_URL) &&
           str_ok(p->gtin, CHORUS_MAX_CODE) && str_ok(p->mpn, CHORUS_MAX_CODE) &&
           (!p->category || store__category_valid(p->category));
}

/* move_category re-files product pno from category `from` to `to` (either
 * may be ""): by_category entries, then aggregates and daily buckets. */
static int move_category(struct store_txn *t, uint32_t pno, const char *from, const char *to)
{
    uint32_t fc[STORE__MAX_LEVELS], tc[STORE__MAX_LEVELS];
    uint8_t k[STORE__CATKEY_MAX];
    size_t nf = 0, nt = 0, kl;
    int rc;

    rc = store__category_chain(t, from, false, fc, STORE__MAX_LEVELS, &nf);
    if (rc == 0)
        rc = store__category_chain(t, to, true, tc, STORE__MAX_LEVELS, &nt);
    if (rc == 0 && *from) {
        kl = store__key_category(k, from, strlen(from), pno);
        rc = store__del(t, STORE__BY_CATEGORY, k, kl);
    }
    if (rc == 0 && *to) {
        kl = store__key_category(k, to, strlen(to), pno);
        rc = store__put(t, STORE__BY_CATEGORY, k, kl, "", 0, 0);
    }
    if (rc == 0)
        rc = store__scope_move(t, pno, fc, nf, tc, nt);
    if (rc == 0)
        rc = store__agg_move_product(t, pno, fc, nf, from, tc, nt);
    /* Cached scopes may name the old chain. */
    store__pcache_clear(t->w);
    return rc;
}

static const char *copy_str(struct store_txn *t, const char *s);

/* keep fills the fields p leaves out with the stored ones, copied out of the
 * page first: the put that follows may rewrite the page they point into. */
static void keep(struct store_txn *t, struct product *rec, const struct product *old)
{
    const char **dst[] = {&rec->name,      &rec->brand, &rec->category, &rec->url,
                          &rec->image_url, &rec->gtin,  &rec->mpn};
    const char *const src[] = {old->name,      old->brand, old->category, old->url,
                               old->image_url, old->gtin,  old->mpn};

    for (size_t i = 0; i < sizeof(dst) / sizeof(dst[0]); i++)
        if (!*dst[i] || !**dst[i])
            *dst[i] = copy_str(t, src[i]);
}

/* product_write stores p's catalogue fields; with merge, the fields p
 * leaves out keep their stored values (store_product_merge). */
static int product_write(struct store_txn *txn, const struct product *p, bool merge, bool *created)
{
    char old_cat[CHORUS_MAX_CATEGORY + 1] = "";
    const char *cat;
    struct product rec = *p, old;
    bool is_new = false;
    uint32_t pno;
    int rc;

    if (!txn->write || !product_valid(p))
        return CHORUS_EINVAL;
    rc = store__product_no(txn, p->id, &pno);
    if (rc == CHORUS_ENOTFOUND) {
        is_new = true;
        rc = new_product_no(txn, p->id, &pno);
    } else if (rc == 0) {
        rc = get_product_record(txn, pno, &old);
        if (rc == 0 && merge)
            keep(txn, &rec, &old);
        if (rc == 0 && old.category) {
            if (strlen(old.category) > CHORUS_MAX_CATEGORY)
                rc = CHORUS_ECORRUPT;
            else
                memcpy(old_cat, old.category, strlen(old.category) + 1);
        }
    }
    if (rc)
        goto out;

    cat = rec.category ? rec.category : "";
    rec.category = *cat ? cat : NULL;
    if (rec.updated_at == 0)
        rec.updated_at = chorus_now();
    rc = put_product_record(txn, pno, &rec);
    if (rc)
        goto out;
    if (strcmp(old_cat, cat) != 0) {
        rc = move_category(txn, pno, old_cat, cat);
    } else if (*cat) {
        /* Same category: feeds of the category show the product's fields,
         * so their versions change too. */
        uint32_t cats[STORE__MAX_LEVELS];
        size_t n = 0;

        rc = store__category_chain(txn, cat, true, cats, STORE__MAX_LEVELS, &n);
        for (size_t i = 0; rc == 0 && i < n; i++)
            rc = store__agg_bump(txn, STORE__KIND_CATEGORY, cats[i]);
    }
    if (rc == 0)
        rc = store__agg_bump(txn, STORE__KIND_PRODUCT, pno);
    /* ... and so does the all-reviews feed (category number 0). */
    if (rc == 0)
        rc = store__agg_bump(txn, STORE__KIND_CATEGORY, 0);
    if (rc == 0 && created)
        *created = is_new;
out:
    return rc;
}

int store_product_put(struct store_txn *txn, const struct product *p, bool *created)
{
    return product_write(txn, p, false, created);
}

int store_product_merge(struct store_txn *txn, const struct product *p, bool *created)
{
    return product_write(txn, p, true, created);
}

/* copy_str copies s into the transaction's arena, for reads inside a write
 * transaction whose later puts may rewrite the page s points into. */
static const char *copy_str(struct store_txn *t, const char *s)
{
    return s ? arena_strdup(&t->arena, s) : NULL;
}

int store_product_get(struct store_txn *txn, const char *id, struct product *p,
                      struct review_stats *stats)
{
    struct product rec;
    uint32_t pno;
    int rc;

    rc = store__product_no(txn, id, &pno);
    if (rc == 0)
        rc = get_product_record(txn, pno, &rec);
    if (rc == 0 && txn->write) {
        rec.id = copy_str(txn, rec.id);
        rec.name = copy_str(txn, rec.name);
        rec.brand = copy_str(txn, rec.brand);
        rec.category = copy_str(txn, rec.category);
        rec.url = copy_str(txn, rec.url);
        rec.image_url = copy_str(txn, rec.image_url);
        rec.gtin = copy_str(txn, rec.gtin);
        rec.mpn = copy_str(txn, rec.mpn);
    }
    if (rc == 0 && stats)
        rc = store__agg_get(txn, STORE__KIND_PRODUCT, pno, stats);
    if (rc == 0 && p)
        *p = rec;
    return rc;
}

/* store__product_get_no reads product pno's record (borrowed). */
int store__product_get_no(struct store_txn *t, uint32_t pno, struct product *p)
{
    return get_product_record(t, pno, p);
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
