/* One ingest path for every writer of reviews: the API's POST, pulled
 * source items and `chorus import` all hand the store a batch of items,
 * each a review with the catalogue fields it carried, and get back what
 * happened to each.
 *
 * Items of a pulled Google feed may name their product only by its codes
 * (GTIN, SKU, MPN with brand, ASIN): those are matched against the
 * catalogue here, in the write transaction that stores them, so a product
 * the same batch creates is found by the items after it.
 */
#include "chorus/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"

/* ---- matching a product by its codes ------------------------------------------------ */

/* The catalogue's codes, read once per batch that needs them: a feed of m
 * items over n products costs O(n + m), not a scan of the catalogue per
 * item. Values are the product ids (heap copies). */
struct codes {
    bool loaded;
    struct chorus_map gtin; /* GTIN without leading zeros */
    struct chorus_map mpn;  /* brand \x1f mpn */
};

/* gtin_key drops leading zeros: GTIN-8, -12 (UPC), -13 (EAN) and -14 are
 * one number padded to different widths, and feeds and catalogues pick
 * different ones for the same product. */
static const char *gtin_key(const char *g)
{
    while (g[0] == '0' && g[1])
        g++;
    return g;
}

static size_t mpn_key(char *k, size_t cap, const char *brand, const char *mpn)
{
    int n = snprintf(k, cap, "%s\x1f%s", brand ? brand : "", mpn);

    return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

/* code_add keeps the first id given for a code, as the catalogue order
 * gives. */
static void code_add(struct chorus_map *m, const char *k, size_t klen, const char *id)
{
    bool created;
    void **v = chorus_map_slot(m, k, klen, &created);

    if (created) {
        *v = strdup(id);
        if (!*v)
            abort();
    }
}

static int codes_add(void *ctx, const struct product *p, const struct review_stats *st)
{
    struct codes *c = ctx;
    char k[2 * CHORUS_MAX_CODE + 2];

    (void)st;
    if (p->gtin && p->gtin[0])
        code_add(&c->gtin, gtin_key(p->gtin), strlen(gtin_key(p->gtin)), p->id);
    if (p->mpn && p->mpn[0])
        code_add(&c->mpn, k, mpn_key(k, sizeof(k), p->brand, p->mpn), p->id);
    return 0;
}

static void codes_init(struct codes *c)
{
    c->loaded = false;
    chorus_map_init(&c->gtin, 0);
    chorus_map_init(&c->mpn, 0);
}

static void codes_cleanup(struct codes *c)
{
    chorus_map_cleanup(&c->gtin, free);
    chorus_map_cleanup(&c->mpn, free);
}

static bool product_exists(struct store_txn *txn, const char *id)
{
    return id && id[0] && store_product_get(txn, id, NULL, NULL) == 0;
}

/* match finds or makes the product of an item that names it only by its
 * codes: GTIN, then SKU (the product's own id), then MPN with brand, then
 * ASIN; an unknown product is created from the item's fields. The id goes
 * into out. CHORUS_ENOTFOUND when the item names no product at all; a
 * storage failure otherwise. */
static int match(struct store_txn *txn, struct codes *c, struct store_ingest_item *it,
                 bool overwrite, char *out, size_t cap)
{
    const struct product *pr = it->product;
    char k[2 * CHORUS_MAX_CODE + 2];
    const char *id = NULL;
    int rc;

    if (!pr)
        return CHORUS_ENOTFOUND;
    if (!c->loaded) {
        rc = store_category_products(txn, "", codes_add, c);
        if (rc)
            return rc;
        c->loaded = true;
    }
    if (pr->gtin && pr->gtin[0])
        id = chorus_map_get(&c->gtin, gtin_key(pr->gtin), strlen(gtin_key(pr->gtin)));
    if (!id && product_exists(txn, pr->id))
        id = pr->id;
    if (!id && pr->mpn && pr->mpn[0] && pr->brand && pr->brand[0])
        id = chorus_map_get(&c->mpn, k, mpn_key(k, sizeof(k), pr->brand, pr->mpn));
    if (!id && product_exists(txn, it->asin))
        id = it->asin;
    if (!id) {
        struct product np = *pr;

        id = pr->id && pr->id[0] ? pr->id : pr->gtin && pr->gtin[0] ? pr->gtin : it->asin;
        if (!id || !id[0] || strlen(id) > CHORUS_MAX_PRODUCT_ID)
            return CHORUS_ENOTFOUND;
        np.id = id;
        rc = store_product_merge(txn, &np, overwrite, &it->dropped, NULL);
        if (rc == CHORUS_EINVAL)
            return CHORUS_ENOTFOUND;
        if (rc)
            return rc;
        /* Both codes, as codes_add would have read them from the stored
         * product: an item after this one naming it by MPN and brand must
         * find it in this batch as it would in the next. */
        if (pr->gtin && pr->gtin[0])
            code_add(&c->gtin, gtin_key(pr->gtin), strlen(gtin_key(pr->gtin)), id);
        if (pr->mpn && pr->mpn[0])
            code_add(&c->mpn, k, mpn_key(k, sizeof(k), pr->brand, pr->mpn), id);
    }
    snprintf(out, cap, "%s", id);
    return 0;
}

/* ---- the batch ----------------------------------------------------------------------- */

static bool same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* same_product says whether merging b after a would change nothing: rows of
 * one product usually come together, and each carries the same fields. */
static bool same_product(const struct product *a, const struct product *b)
{
    return a && b && same_str(a->id, b->id) && same_str(a->name, b->name) &&
           same_str(a->brand, b->brand) && same_str(a->category, b->category) &&
           same_str(a->url, b->url) && same_str(a->image_url, b->image_url) &&
           same_str(a->gtin, b->gtin) && same_str(a->mpn, b->mpn);
}

static void count(struct store_ingest_counts *c, const struct store_ingest_item *it)
{
    switch (it->result) {
    case STORE_CREATED:
        c->created++;
        break;
    case STORE_UPDATED:
        c->updated++;
        break;
    case STORE_MERGED:
        c->merged++;
        break;
    case STORE_UNCHANGED:
        c->unchanged++;
        break;
    default:
        c->refused++;
        break;
    }
    c->dropped += it->dropped;
}

int store_ingest_batch(struct store_txn *txn, struct store_ingest_item *items, size_t n,
                       unsigned flags, struct store_ingest_counts *counts)
{
    const struct product *merged = NULL; /* the last catalogue fields merged */
    bool overwrite = (flags & STORE_PUT_CATALOGUE) != 0;
    struct store_ingest_counts c = {0};
    struct codes codes;
    int rc = 0;

    codes_init(&codes);
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct store_ingest_item *it = &items[i];
        struct review r;
        char pid[CHORUS_MAX_PRODUCT_ID + 1];

        it->id = 0;
        it->result = 0;
        it->error = 0;
        it->dropped = 0;
        if (!it->review)
            continue;
        r = *it->review;
        if (it->match) {
            rc = match(txn, &codes, it, overwrite, pid, sizeof(pid));
            if (rc == CHORUS_ENOTFOUND) {
                it->error = rc;
                rc = 0;
                count(&c, it);
                continue;
            }
            if (rc)
                break;
            r.product_id = pid;
        } else if (it->product && !same_product(merged, it->product)) {
            /* A product the store refuses (a bad field) leaves the review
             * to stand on its own product id. */
            rc = store_product_merge(txn, it->product, overwrite, &it->dropped, NULL);
            if (rc && rc != CHORUS_EINVAL)
                break;
            rc = 0;
            merged = it->product;
        }
        rc = store_review_ingest(txn, &r, flags & ~STORE_PUT_CATALOGUE, &it->id, &it->result);
        if (rc == CHORUS_EINVAL) {
            /* The parsers check the same rules; this is the second line. */
            it->error = rc;
            it->result = 0;
            rc = 0;
        }
        if (rc == 0)
            count(&c, it);
    }
    codes_cleanup(&codes);
    if (counts)
        *counts = c;
    return rc;
}
