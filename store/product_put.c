/* Catalogue writes: a product's fields put or merged, and a change of
 * category carried through everything that files the product under its
 * category (by_category, the by_scope feed index, aggregates and daily
 * buckets). products.c keeps the catalogue itself; this file is what
 * changes it.
 */
#include "chorus/store.h"

#include <stddef.h>
#include <string.h>

#include "store_int.h"

/* ---- catalogue writes and reads -------------------------------------------------------- */

static bool str_ok(const char *s, size_t cap)
{
    return !s || strlen(s) <= cap;
}

static bool url_ok(const char *s)
{
    return !s || !*s || chorus_url_http(s, strlen(s));
}

static bool product_valid(const struct product *p)
{
    size_t n = p->id ? strlen(p->id) : 0;

    return n > 0 && n <= CHORUS_MAX_PRODUCT_ID && str_ok(p->name, CHORUS_MAX_NAME) &&
           str_ok(p->brand, CHORUS_MAX_CODE) && str_ok(p->category, CHORUS_MAX_CATEGORY) &&
           str_ok(p->url, CHORUS_MAX_URL) && str_ok(p->image_url, CHORUS_MAX_URL) &&
           str_ok(p->gtin, CHORUS_MAX_CODE) && str_ok(p->mpn, CHORUS_MAX_CODE) && url_ok(p->url) &&
           url_ok(p->image_url) && (!p->category || store__category_valid(p->category));
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

static bool set(const char *s)
{
    return s && *s;
}

static bool same(const char *a, const char *b)
{
    return set(a) ? set(b) && strcmp(a, b) == 0 : !set(b);
}

/* The catalogue fields, in one order for every use below. */
static const size_t field_off[] = {
    offsetof(struct product, name),      offsetof(struct product, brand),
    offsetof(struct product, category),  offsetof(struct product, url),
    offsetof(struct product, image_url), offsetof(struct product, gtin),
    offsetof(struct product, mpn),
};

#define N_FIELDS (sizeof(field_off) / sizeof(field_off[0]))

static const char *field(const struct product *p, size_t i)
{
    return *(const char *const *)((const char *)p + field_off[i]);
}

static bool is_url(size_t i)
{
    return field_off[i] == offsetof(struct product, url) ||
           field_off[i] == offsetof(struct product, image_url);
}

/* merge_fields is the catalogue rule for fields that arrive with a review
 * (POST /reviews, pulled items, chorus import), in one place for all three:
 *
 * - a URL field that is not http(s) is dropped and counted in *dropped:
 *   it would become a link on the product's page and in the Google feed;
 * - a field the review leaves out keeps its stored value;
 * - a field the review sets fills an empty stored one, and replaces a set
 *   one only when the caller may overwrite: a review key with the catalogue
 *   scope, a source marked catalogue, chorus import. Anyone else could
 *   otherwise rename a product, or point its link at another site, with a
 *   review that moderation then rejects: the fields outlive the review.
 *
 * old is the stored record (NULL for a new product), its strings copied
 * out of the page first because the put that follows may rewrite it. *rec
 * gets the result; returns whether it differs from old. */
static bool merge_fields(struct store_txn *t, struct product *rec, const struct product *p,
                         const struct product *old, bool overwrite, unsigned *dropped)
{
    bool changed = old == NULL;

    *rec = *p;
    for (size_t i = 0; i < N_FIELDS; i++) {
        const char *v = field(p, i), *was = old ? field(old, i) : NULL;

        if (set(v) && is_url(i) && !chorus_url_http(v, strlen(v))) {
            (*dropped)++;
            v = NULL;
        }
        if (old && (!set(v) || (set(was) && !overwrite)))
            v = store__arena_strdup(&t->arena, was);
        changed = changed || (old && !same(v, was));
        *(const char **)((char *)rec + field_off[i]) = v;
    }
    return changed;
}

/* product_write stores p's catalogue fields: all of them (store_product_put,
 * which also makes the product catalogued), or merged under merge_fields's
 * rule (merge). A merge that changes nothing writes nothing, so a review
 * repeating its product's fields moves no version and invalidates no page. */
static int product_write(struct store_txn *txn, const struct product *p, bool merge, bool overwrite,
                         unsigned *dropped, bool *created)
{
    char old_cat[CHORUS_MAX_CATEGORY + 1] = "";
    const char *cat;
    struct product rec = *p, old;
    bool is_new = false, catalogued = !merge;
    unsigned ndropped = 0;
    uint32_t pno;
    int rc;

    if (!txn->write || (!merge && !product_valid(p)))
        return CHORUS_EINVAL;
    rc = store__product_no(txn, p->id, &pno);
    if (rc == CHORUS_ENOTFOUND) {
        is_new = true;
        if (merge)
            merge_fields(txn, &rec, p, NULL, overwrite, &ndropped);
        rc = product_valid(&rec) ? store__product_no_new(txn, p->id, &pno) : CHORUS_EINVAL;
    } else if (rc == 0) {
        rc = store__product_record_get(txn, pno, &old);
        if (rc == 0) {
            catalogued = catalogued || old.catalogued;
            if (old.category && strlen(old.category) > CHORUS_MAX_CATEGORY)
                rc = CHORUS_ECORRUPT;
            else if (old.category)
                memcpy(old_cat, old.category, strlen(old.category) + 1);
        }
        if (rc == 0 && merge) {
            if (!merge_fields(txn, &rec, p, &old, overwrite, &ndropped))
                goto done; /* nothing to write */
            if (!product_valid(&rec))
                rc = CHORUS_EINVAL;
        }
    }
    if (rc)
        goto out;

    cat = rec.category ? rec.category : "";
    rec.category = *cat ? cat : NULL;
    rec.catalogued = catalogued;
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
done:
    if (rc == 0 && created)
        *created = is_new;
    if (rc == 0 && dropped)
        *dropped = ndropped;
out:
    return rc;
}

int store_product_put(struct store_txn *txn, const struct product *p, bool *created)
{
    return product_write(txn, p, false, true, NULL, created);
}

int store_product_merge(struct store_txn *txn, const struct product *p, bool overwrite,
                        unsigned *dropped, bool *created)
{
    return product_write(txn, p, true, overwrite, dropped, created);
}

bool store_product_listed(const struct product *p, const struct review_stats *st)
{
    return p->catalogued || st->count > 0 || st->mentions > 0;
}
