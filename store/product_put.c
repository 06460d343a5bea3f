/* Catalogue writes: a product's fields put or merged, and a change of
 * category carried through everything that files the product under its
 * category (by_category, the by_scope feed index, aggregates and daily
 * buckets). products.c keeps the catalogue itself; this file is what
 * changes it.
 */
#include "chorus/store.h"

#include <string.h>

#include "store_int.h"

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
            *dst[i] = store__arena_strdup(&t->arena, src[i]);
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
        rc = store__product_no_new(txn, p->id, &pno);
    } else if (rc == 0) {
        rc = store__product_record_get(txn, pno, &old);
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
    rc = store__product_record_put(txn, pno, &rec);
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
