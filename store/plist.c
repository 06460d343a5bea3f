/* Product listings: the products of a category (or all), with their stats,
 * sorted and paged by keyset cursors.
 *
 * Only listed products are shown (store_product_listed).
 *
 * Sorting by count or average needs every product's stats, so the listing
 * gathers the products in scope and sorts them in memory. A catalogue has
 * thousands of products, not millions of reviews; a sorted index per sort
 * key would have to be rewritten on every review.
 */
#include "chorus/store.h"

#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"
#include "store_int.h"

#define CURSOR_VERSION 1
#define BLOB_LEN       14 /* version, sort, u64 sort key, u32 product_no */

struct item {
    uint32_t pno;
    double avg; /* -1 without rated reviews, so it sorts last */
    struct product p;
    struct review_stats st;
};

struct gather {
    struct store_txn *t;
    struct item *items;
    size_t n, alloc;
};

static int add(void *ctx, uint32_t pno)
{
    struct gather *g = ctx;
    struct item *it;
    int rc;

    if (g->n == g->alloc) {
        g->alloc = g->alloc ? g->alloc * 2 : 64;
        g->items = realloc(g->items, g->alloc * sizeof(*g->items));
        if (!g->items)
            abort();
    }
    it = &g->items[g->n];
    it->pno = pno;
    rc = store__product_record_get(g->t, pno, &it->p);
    if (rc == 0)
        rc = store__agg_get(g->t, STORE__KIND_PRODUCT, pno, &it->st);
    if (rc)
        return rc;
    /* Listings are public: a product no one vouched for yet (made by a
     * review waiting for moderation) is not in them. */
    if (!store_product_listed(&it->p, &it->st))
        return 0;
    it->avg = it->st.count ? (double)it->st.rating_sum / (double)it->st.count : -1.0;
    g->n++;
    return 0;
}

static int gather_all(struct gather *g)
{
    MDB_cursor *c = NULL;
    MDB_val k, v;
    int rc, mrc;

    rc = store__cursor(g->t, STORE__PRODUCTS, &c);
    if (rc)
        goto out;
    for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0;
         mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        if (k.mv_size != 4) {
            rc = CHORUS_ECORRUPT;
            goto out;
        }
        rc = add(g, store__rd32(k.mv_data));
        if (rc)
            goto out;
    }
    if (mrc != MDB_NOTFOUND)
        rc = store__check_rc(g->t, mrc);
out:
    mdb_cursor_close(c);
    return rc;
}

/* ---- orders ----------------------------------------------------------------------------- */

static int by_id(const void *a, const void *b)
{
    return strcmp(((const struct item *)a)->p.id, ((const struct item *)b)->p.id);
}

static int by_count(const void *a, const void *b)
{
    const struct item *x = a, *y = b;

    if (x->st.count != y->st.count)
        return x->st.count > y->st.count ? -1 : 1;
    return strcmp(x->p.id, y->p.id);
}

static int by_average(const void *a, const void *b)
{
    const struct item *x = a, *y = b;

    if (x->avg != y->avg)
        return x->avg > y->avg ? -1 : 1;
    return strcmp(x->p.id, y->p.id);
}

typedef int (*cmp_fn)(const void *, const void *);

static cmp_fn order_of(enum store_product_sort sort)
{
    switch (sort) {
    case STORE_PSORT_COUNT:
        return by_count;
    case STORE_PSORT_AVERAGE:
        return by_average;
    case STORE_PSORT_ID:
        break;
    }
    return by_id;
}

/* ---- cursors ------------------------------------------------------------------------------ */

static void cursor_encode(enum store_product_sort sort, const struct item *it, char *out)
{
    uint8_t b[BLOB_LEN];
    uint64_t key = 0;

    b[0] = CURSOR_VERSION;
    b[1] = (uint8_t)sort;
    if (sort == STORE_PSORT_COUNT)
        key = it->st.count;
    else if (sort == STORE_PSORT_AVERAGE)
        memcpy(&key, &it->avg, sizeof(key));
    store__be64(b + 2, key);
    store__be32(b + 10, it->pno);
    chorus_b64url_encode(b, sizeof(b), out);
}

/* cursor_decode rebuilds the last item of the previous page: its sort key
 * as it was then, and its id, so the next page starts right after it even
 * when its stats have moved since. */
static int cursor_decode(struct store_txn *t, const char *s, enum store_product_sort sort,
                         struct item *it)
{
    uint8_t b[BLOB_LEN + 1];
    size_t n = strlen(s);
    uint64_t key;
    long got;

    if (n >= STORE_CURSOR_MAX)
        return CHORUS_EINVAL;
    got = chorus_b64url_decode(s, n, b, sizeof(b));
    if (got != BLOB_LEN || b[0] != CURSOR_VERSION || b[1] != (uint8_t)sort)
        return CHORUS_EINVAL;
    memset(it, 0, sizeof(*it));
    key = store__rd64(b + 2);
    if (sort == STORE_PSORT_COUNT)
        it->st.count = key;
    else if (sort == STORE_PSORT_AVERAGE)
        memcpy(&it->avg, &key, sizeof(key));
    else if (key != 0)
        return CHORUS_EINVAL;
    it->pno = store__rd32(b + 10);
    if (store__product_record_get(t, it->pno, &it->p) != 0)
        return CHORUS_EINVAL;
    return 0;
}

/* ---- the listing ---------------------------------------------------------------------------- */

int store_products_list(struct store_txn *txn, const char *category, enum store_product_sort sort,
                        size_t limit, const char *cursor, store_product_cb cb, void *ctx,
                        char *next_cursor)
{
    struct gather g = {txn, NULL, 0, 0};
    struct item after;
    cmp_fn cmp = order_of(sort);
    size_t start = 0, end, i;
    char cur[STORE_CURSOR_MAX];
    size_t clen = cursor ? strlen(cursor) : 0;
    int rc = 0;

    /* The caller may pass one buffer as both cursor and next_cursor. */
    if (clen >= sizeof(cur)) {
        next_cursor[0] = '\0';
        return CHORUS_EINVAL;
    }
    memcpy(cur, clen ? cursor : "", clen + 1);
    next_cursor[0] = '\0';
    if (limit < 1 || limit > 100 || (unsigned)sort > STORE_PSORT_AVERAGE ||
        (category && !store__category_valid(category))) {
        rc = CHORUS_EINVAL;
        goto out;
    }
    if (*cur) {
        rc = cursor_decode(txn, cur, sort, &after);
        if (rc)
            goto out;
    }
    if (category && *category)
        rc = store__category_each(txn, category, strlen(category), add, &g);
    else
        rc = gather_all(&g);
    if (rc)
        goto out;
    if (g.n)
        qsort(g.items, g.n, sizeof(*g.items), cmp);
    if (*cur) {
        /* The first item ordered after the cursor's. */
        size_t lo = 0, hi = g.n;

        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;

            if (cmp(&g.items[mid], &after) <= 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        start = lo;
    }
    end = start + limit < g.n ? start + limit : g.n;
    for (i = start; i < end; i++) {
        rc = cb(ctx, &g.items[i].p, &g.items[i].st);
        if (rc)
            break;
    }
    if (rc == CHORUS_ESTOP) {
        rc = 0;
        cursor_encode(sort, &g.items[i], next_cursor);
    } else if (rc == 0 && end < g.n && end > start) {
        cursor_encode(sort, &g.items[end - 1], next_cursor);
    }
out:
    free(g.items);
    return rc;
}
