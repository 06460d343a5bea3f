/* Product listings: the products of a category (or all), with their stats,
 * sorted and paged by keyset cursors.
 *
 * Only listed products are shown (store_product_listed).
 *
 * Sorting by count or average needs every product's stats, so a listing
 * gathers the products in scope and sorts them in memory. A catalogue has
 * thousands of products, not millions of reviews; a sorted index per sort
 * key would have to be rewritten on every review.
 *
 * A sorted listing is kept per store for the snapshot it was made from
 * (LMDB's transaction id: any write makes a new one), so paging through a
 * listing with cursors costs a binary search and the page's products, not
 * a gather and a sort per request: clients choose cursors, and the first
 * page alone is cached by the server. At most MEMO_MAX listings are kept,
 * most recently used first; a write costs one rebuild per listing read.
 */
#include "chorus/store.h"

#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"
#include "store_int.h"

#define CURSOR_VERSION 1
#define BLOB_LEN       14 /* version, sort, u64 sort key, u32 product_no */
#define MEMO_MAX       16

/* One product of a listing: what the orders compare. */
struct item {
    uint32_t pno;
    uint64_t count;
    double avg; /* -1 without rated reviews, so it sorts last */
    const char *id;
};

/* A sorted listing of one scope and order, made from snapshot txn_id. */
struct store__listing {
    struct store__listing *next; /* the store's memo, most recently used first */
    size_t txn_id;
    enum store_product_sort sort;
    char *category; /* "" = every product */
    unsigned refs;  /* under the store's memo lock */
    bool dropped;   /* out of the memo: freed by its last reader */
    size_t n, alloc;
    struct item *items;
    struct buf ids; /* the items' ids, NUL-separated */
};

struct gather {
    struct store_txn *t;
    struct store__listing *l;
};

static int add(void *ctx, uint32_t pno)
{
    struct gather *g = ctx;
    struct store__listing *l = g->l;
    struct review_stats st;
    struct product p;
    struct item *it;
    int rc;

    rc = store__product_record_get(g->t, pno, &p);
    if (rc == 0)
        rc = store__agg_get(g->t, STORE__KIND_PRODUCT, pno, &st);
    if (rc)
        return rc;
    /* Listings are public: a product no one vouched for yet (made by a
     * review waiting for moderation) is not in them. */
    if (!store_product_listed(&p, &st))
        return 0;
    if (l->n == l->alloc) {
        l->alloc = l->alloc ? l->alloc * 2 : 64;
        l->items = realloc(l->items, l->alloc * sizeof(*l->items));
        if (!l->items)
            abort();
    }
    it = &l->items[l->n];
    it->pno = pno;
    it->count = st.count;
    it->avg = st.count ? (double)st.rating_sum / (double)st.count : -1.0;
    /* An offset until the ids are all in: the buffer moves as it grows. */
    it->id = (const char *)(uintptr_t)l->ids.len;
    rc = buf_append(&l->ids, p.id, strlen(p.id) + 1);
    if (rc == 0)
        l->n++;
    return rc;
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
    return strcmp(((const struct item *)a)->id, ((const struct item *)b)->id);
}

static int by_count(const void *a, const void *b)
{
    const struct item *x = a, *y = b;

    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->id, y->id);
}

static int by_average(const void *a, const void *b)
{
    const struct item *x = a, *y = b;

    if (x->avg != y->avg)
        return x->avg > y->avg ? -1 : 1;
    return strcmp(x->id, y->id);
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
        key = it->count;
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
                         struct item *it, struct product *p)
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
        it->count = key;
    else if (sort == STORE_PSORT_AVERAGE)
        memcpy(&it->avg, &key, sizeof(key));
    else if (key != 0)
        return CHORUS_EINVAL;
    it->pno = store__rd32(b + 10);
    if (store__product_record_get(t, it->pno, p) != 0)
        return CHORUS_EINVAL;
    it->id = p->id;
    return 0;
}

/* ---- the memo ------------------------------------------------------------------------------ */

static void listing_free(struct store__listing *l)
{
    if (!l)
        return;
    free(l->items);
    free(l->category);
    buf_cleanup(&l->ids);
    free(l);
}

/* build gathers and sorts a listing from txn (caller frees). */
static int build(struct store_txn *txn, const char *category, enum store_product_sort sort,
                 struct store__listing **out)
{
    struct store__listing *l = calloc(1, sizeof(*l));
    struct gather g = {txn, l};
    int rc;

    if (!l)
        abort();
    l->sort = sort;
    l->txn_id = mdb_txn_id(txn->txn);
    l->category = strdup(category);
    if (!l->category)
        abort();
    buf_init(&l->ids, 0);
    rc =
        *category ? store__category_each(txn, category, strlen(category), add, &g) : gather_all(&g);
    for (size_t i = 0; rc == 0 && i < l->n; i++)
        l->items[i].id = l->ids.data + (uintptr_t)l->items[i].id;
    if (rc == 0 && l->n)
        qsort(l->items, l->n, sizeof(*l->items), order_of(sort));
    if (rc) {
        listing_free(l);
        l = NULL;
    }
    *out = l;
    return rc;
}

/* memo_get returns the listing of this snapshot, scope and order with a
 * reference (memo_put gives it back), or NULL. */
static struct store__listing *memo_get(struct store *s, size_t txn_id, const char *category,
                                       enum store_product_sort sort)
{
    struct store__listing **pp, *l = NULL;

    pthread_mutex_lock(&s->plist_mu);
    for (pp = &s->plist_memo; *pp; pp = &(*pp)->next) {
        if ((*pp)->txn_id == txn_id && (*pp)->sort == sort &&
            strcmp((*pp)->category, category) == 0) {
            l = *pp;
            *pp = l->next; /* to the front */
            l->next = s->plist_memo;
            s->plist_memo = l;
            l->refs++;
            break;
        }
    }
    pthread_mutex_unlock(&s->plist_mu);
    return l;
}

/* memo_add keeps l (with a reference for the caller) and drops the least
 * recently used listings past MEMO_MAX, and those of older snapshots of
 * the same scope and order: nobody starts a read in the past. */
static void memo_add(struct store *s, struct store__listing *l)
{
    struct store__listing **pp, *gone = NULL;
    unsigned kept = 1;

    pthread_mutex_lock(&s->plist_mu);
    l->refs = 1;
    l->next = s->plist_memo;
    s->plist_memo = l;
    for (pp = &l->next; *pp;) {
        struct store__listing *x = *pp;

        if (++kept > MEMO_MAX || (x->sort == l->sort && x->txn_id < l->txn_id &&
                                  strcmp(x->category, l->category) == 0)) {
            *pp = x->next;
            x->dropped = true;
            if (x->refs == 0) {
                x->next = gone;
                gone = x;
            }
            kept--;
        } else {
            pp = &x->next;
        }
    }
    pthread_mutex_unlock(&s->plist_mu);
    while (gone) {
        struct store__listing *next = gone->next;

        listing_free(gone);
        gone = next;
    }
}

static void memo_put(struct store *s, struct store__listing *l)
{
    bool last;

    pthread_mutex_lock(&s->plist_mu);
    last = --l->refs == 0 && l->dropped;
    pthread_mutex_unlock(&s->plist_mu);
    if (last)
        listing_free(l);
}

void store__plist_memo_free(struct store *s)
{
    while (s->plist_memo) {
        struct store__listing *next = s->plist_memo->next;

        listing_free(s->plist_memo);
        s->plist_memo = next;
    }
}

uint64_t store_plist_built(struct store *s)
{
    return atomic_load_explicit(&s->plist_built, memory_order_relaxed);
}

/* ---- the listing ---------------------------------------------------------------------------- */

int store_products_list(struct store_txn *txn, const char *category, enum store_product_sort sort,
                        size_t limit, const char *cursor, store_product_cb cb, void *ctx,
                        char *next_cursor)
{
    struct store__listing *l = NULL;
    struct item after;
    struct product ap;
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
    category = category ? category : "";
    if (limit < 1 || limit > 100 || (unsigned)sort > STORE_PSORT_AVERAGE ||
        (*category && !store__category_valid(category)))
        return CHORUS_EINVAL;
    if (*cur) {
        rc = cursor_decode(txn, cur, sort, &after, &ap);
        if (rc)
            return rc;
    }
    /* A write transaction's snapshot is its own until it commits. */
    if (!txn->write)
        l = memo_get(txn->s, mdb_txn_id(txn->txn), category, sort);
    if (!l) {
        rc = build(txn, category, sort, &l);
        if (rc)
            return rc;
        atomic_fetch_add_explicit(&txn->s->plist_built, 1, memory_order_relaxed);
        if (!txn->write)
            memo_add(txn->s, l);
    }
    if (*cur) {
        /* The first item ordered after the cursor's. */
        size_t lo = 0, hi = l->n;

        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;

            if (cmp(&l->items[mid], &after) <= 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        start = lo;
    }
    end = start + limit < l->n ? start + limit : l->n;
    for (i = start; i < end; i++) {
        struct review_stats st;
        struct product p;

        rc = store__product_record_get(txn, l->items[i].pno, &p);
        if (rc == 0)
            rc = store__agg_get(txn, STORE__KIND_PRODUCT, l->items[i].pno, &st);
        if (rc == 0)
            rc = cb(ctx, &p, &st);
        if (rc)
            break;
    }
    if (rc == CHORUS_ESTOP) {
        rc = 0;
        cursor_encode(sort, &l->items[i], next_cursor);
    } else if (rc == 0 && end < l->n && end > start) {
        cursor_encode(sort, &l->items[end - 1], next_cursor);
    }
    if (txn->write)
        listing_free(l);
    else
        memo_put(txn->s, l);
    return rc;
}
