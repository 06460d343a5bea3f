/* The aggregate cache of a write transaction.
 *
 * Every review touches the aggregate of its product and of each category
 * prefix, and the daily bucket of each of those. A bulk import touches the
 * same few aggregates over and over, so they are kept in a table, read once
 * and written once per flush (before commit); clean ones stay for the next
 * transaction when nobody else wrote in between (txn.c). Daily buckets are
 * mostly new keys, so they are kept as deltas that need no read when
 * touched: the flush applies each with one cursor positioning, in key order
 * so that the cursor stays on the page it is on.
 *
 * Both tables index a dense entry array, and are emptied key by key from
 * it, so that clearing and flushing cost what was used, not the table size
 * (a commit of one review must not walk a table that an import grew).
 */
#include "store_int.h"
#include "chorus/base.h"

#include <stdlib.h>
#include <string.h>

/* A daily bucket change not yet applied. */
struct delta {
    int64_t count, rating_sum, histogram[5], mentions;
};

struct store__agg_entry {
    uint64_t key; /* sort_key() of (kind, no); its bytes key w->aggix */
    bool dirty;
    struct review_stats st; /* the whole record, loaded on first touch */
};

struct store__day_entry {
    uint64_t key; /* sort_key() of (kind, no, day); its bytes key w->dayix */
    struct delta d;
};

/* Sort space for a flush: keys copied beside the entry index, so the
 * comparison needs no indirection. */
struct store__order {
    uint64_t key;
    uint32_t idx;
};

/* sort_key packs (kind, no, day) into one integer in LMDB key order:
 * 'c' < 'p', then the number, then the day (below 2^31, see store__day_of). */
static uint64_t sort_key(uint8_t kind, uint32_t no, uint32_t day)
{
    return (uint64_t)(kind == STORE__KIND_PRODUCT) << 63 | (uint64_t)no << 31 | day;
}

/* ---- arithmetic on stored counts -------------------------------------------------- */

static void adj32(uint32_t *v, int64_t d)
{
    if (d < 0 && (uint64_t)-d > *v)
        *v = 0;
    else
        *v = (uint32_t)(*v + d);
}

static void apply(struct store_day *d, const struct delta *x)
{
    adj32(&d->count, x->count);
    adj32(&d->rating_sum, x->rating_sum);
    for (int i = 0; i < 5; i++)
        adj32(&d->histogram[i], x->histogram[i]);
    adj32(&d->mentions, x->mentions);
}

static bool day_empty(const struct store_day *d)
{
    return d->count == 0 && d->mentions == 0;
}

/* ---- tables ------------------------------------------------------------------------ */

static void alloc_tables(struct store__wstate *w)
{
    chorus_map_init(&w->aggix, 0);
    chorus_map_init(&w->dayix, 0);
    w->aggs = calloc(STORE__AGG_MAX, sizeof(*w->aggs));
    w->adirty = calloc(STORE__AGG_MAX, sizeof(*w->adirty));
    w->days = calloc(STORE__DAY_MAX, sizeof(*w->days));
    w->order = calloc(STORE__DAY_MAX, sizeof(*w->order));
    if (!w->aggs || !w->adirty || !w->days || !w->order)
        abort();
}

static void clear_days(struct store__wstate *w)
{
    for (size_t i = 0; i < w->ndays; i++)
        chorus_map_remove(&w->dayix, &w->days[i].key, sizeof(w->days[i].key));
    w->ndays = 0;
}

void store__agg_cache_clear(struct store__wstate *w)
{
    store__comp_cache_clear(w);
    if (!w->aggs)
        return;
    for (size_t i = 0; i < w->naggs; i++)
        chorus_map_remove(&w->aggix, &w->aggs[i].key, sizeof(w->aggs[i].key));
    w->naggs = 0;
    w->nadirty = 0;
    clear_days(w);
}

void store__agg_cache_free(struct store__wstate *w)
{
    store__comp_cache_free(w);
    if (!w->aggs)
        return;
    chorus_map_cleanup(&w->aggix, NULL);
    chorus_map_cleanup(&w->dayix, NULL);
    free(w->aggs);
    free(w->adirty);
    free(w->days);
    free(w->order);
    w->adirty = NULL;
    w->aggs = NULL;
    w->days = NULL;
    w->order = NULL;
    w->naggs = w->nadirty = w->ndays = 0;
}

static int load_agg(struct store_txn *t, uint8_t kind, uint32_t no, struct review_stats *st)
{
    uint8_t k[STORE__AGG_KEY_LEN];
    MDB_val v;
    int rc;

    memset(st, 0, sizeof(*st));
    store__key_agg(k, kind, no);
    rc = store__get(t, STORE__AGGREGATES, k, sizeof(k), &v);
    if (rc == 0)
        return store__stats_decode(v.mv_data, v.mv_size, st);
    return rc == CHORUS_ENOTFOUND ? 0 : rc;
}

/* agg_find finds or loads the aggregate of (kind, no). A full table is
 * flushed and emptied first, which is why entry pointers are only good until
 * the next lookup. */
static int agg_find(struct store_txn *t, uint8_t kind, uint32_t no, struct store__agg_entry **out)
{
    struct store__wstate *w = t->w;
    uint64_t key = sort_key(kind, no, 0);
    struct store__agg_entry *e;
    int rc;

    if (!w->aggs)
        alloc_tables(w);
    e = chorus_map_get(&w->aggix, &key, sizeof(key));
    if (e) {
        *out = e;
        return 0;
    }
    if (w->naggs == STORE__AGG_MAX) {
        rc = store__agg_flush(t);
        if (rc)
            return rc;
        store__agg_cache_clear(w);
    }
    e = &w->aggs[w->naggs];
    e->key = key;
    e->dirty = false;
    rc = load_agg(t, kind, no, &e->st);
    if (rc)
        return rc;
    w->naggs++;
    chorus_map_add(&w->aggix, &key, sizeof(key), e);
    *out = e;
    return 0;
}

int store__agg_ref(struct store_txn *t, uint8_t kind, uint32_t no, struct review_stats **out)
{
    struct store__agg_entry *e;
    int rc = agg_find(t, kind, no, &e);

    if (rc)
        return rc;
    if (!e->dirty) {
        e->dirty = true;
        t->w->adirty[t->w->nadirty++] = (uint32_t)(e - t->w->aggs);
    }
    *out = &e->st;
    return 0;
}

int store__day_add(struct store_txn *t, uint8_t kind, uint32_t no, uint32_t day,
                   const struct store_day *d, int sign)
{
    struct store__wstate *w = t->w;
    uint64_t key = sort_key(kind, no, day);
    struct store__day_entry *e;
    bool created;
    void **v;
    int rc;

    if (!w->aggs)
        alloc_tables(w);
    if (w->ndays == STORE__DAY_MAX && !chorus_map_has(&w->dayix, &key, sizeof(key))) {
        rc = store__agg_flush(t);
        if (rc)
            return rc;
    }
    /* Most keys are new: one hash finds the delta or makes its place. */
    v = chorus_map_slot(&w->dayix, &key, sizeof(key), &created);
    if (created) {
        e = &w->days[w->ndays++];
        memset(e, 0, sizeof(*e));
        e->key = key;
        *v = e;
    }
    e = *v;
    e->d.count += (int64_t)sign * d->count;
    e->d.rating_sum += (int64_t)sign * d->rating_sum;
    for (int h = 0; h < 5; h++)
        e->d.histogram[h] += (int64_t)sign * d->histogram[h];
    e->d.mentions += (int64_t)sign * d->mentions;
    return 0;
}

int store__agg_get(struct store_txn *t, uint8_t kind, uint32_t no, struct review_stats *out)
{
    struct store__agg_entry *e;
    int rc;

    if (!t->w)
        return load_agg(t, kind, no, out);
    rc = agg_find(t, kind, no, &e);
    if (rc == 0)
        *out = e->st;
    return rc;
}

int store__agg_bump(struct store_txn *t, uint8_t kind, uint32_t no)
{
    struct review_stats *st;
    int rc = store__agg_ref(t, kind, no, &st);

    if (rc == 0)
        st->version++;
    return rc;
}

/* ---- flush ------------------------------------------------------------------------------ */

static int by_key(const void *a, const void *b)
{
    uint64_t x = ((const struct store__order *)a)->key, y = ((const struct store__order *)b)->key;

    return x < y ? -1 : x > y;
}

/* flush_day applies one delta. MDB_NOOVERWRITE either inserts a new bucket
 * or leaves the cursor on the existing one and hands back its value, so each
 * bucket costs one B-tree walk either way. */
static int flush_day(struct store_txn *t, MDB_cursor *c, const struct store__day_entry *e)
{
    uint8_t k[STORE__DAY_KEY_LEN], b[STORE__DAYREC_MAX];
    MDB_val key = {sizeof(k), k}, val = {sizeof(b), b};
    uint8_t kind = e->key >> 63 ? STORE__KIND_PRODUCT : STORE__KIND_CATEGORY;
    uint32_t no = (uint32_t)(e->key >> 31), day = (uint32_t)(e->key & 0x7fffffff);
    struct store_day d;
    int mrc, rc;

    store__key_day(k, kind, no, day);
    memset(&d, 0, sizeof(d));
    apply(&d, &e->d);
    if (day_empty(&d)) {
        /* Nothing to insert: only an existing bucket can change. */
        mrc = mdb_cursor_get(c, &key, &val, MDB_SET_KEY);
        if (mrc == MDB_NOTFOUND)
            return 0;
    } else {
        val.mv_size = store__day_encode(b, &d);
        mrc = mdb_cursor_put(c, &key, &val, MDB_NOOVERWRITE);
        if (mrc == 0)
            return 0;
        if (mrc == MDB_KEYEXIST)
            mrc = 0;
    }
    if (mrc)
        return store__check_rc(t, mrc);
    d.day = day;
    rc = store__day_decode(val.mv_data, val.mv_size, &d);
    if (rc)
        return rc;
    apply(&d, &e->d);
    if (day_empty(&d)) {
        /* store_product_days leaves out days without reviews, and the
         * recount in store_check has none for them either. */
        return store__check_rc(t, mdb_cursor_del(c, 0));
    }
    val.mv_size = store__day_encode(b, &d);
    val.mv_data = b;
    return store__check_rc(t, mdb_cursor_put(c, &key, &val, MDB_CURRENT));
}

int store__agg_flush(struct store_txn *t)
{
    struct store__wstate *w = t->w;
    MDB_cursor *c = NULL;
    uint8_t k[STORE__AGG_KEY_LEN], v[STORE__STATS_LEN];
    int64_t now = chorus_now();
    int rc = 0;

    /* Component deltas have a table of their own and need no aggregate. */
    rc = store__comp_flush(t);
    if (rc || !w->aggs)
        return rc;
    for (size_t i = 0; i < w->nadirty; i++) {
        w->order[i].key = w->aggs[w->adirty[i]].key;
        w->order[i].idx = w->adirty[i];
    }
    qsort(w->order, w->nadirty, sizeof(*w->order), by_key);
    for (size_t i = 0; i < w->nadirty && rc == 0; i++) {
        struct store__agg_entry *e = &w->aggs[w->order[i].idx];

        store__key_agg(k, e->key >> 63 ? STORE__KIND_PRODUCT : STORE__KIND_CATEGORY,
                       (uint32_t)(e->key >> 31));
        /* Every dirty entry had its version bumped: this is its change. */
        e->st.changed_at = now;
        store__stats_encode(v, &e->st);
        rc = store__put(t, STORE__AGGREGATES, k, sizeof(k), v, sizeof(v), 0);
        e->dirty = false;
    }
    w->nadirty = 0;
    if (rc || w->ndays == 0)
        return rc;

    for (size_t i = 0; i < w->ndays; i++) {
        w->order[i].key = w->days[i].key;
        w->order[i].idx = (uint32_t)i;
    }
    qsort(w->order, w->ndays, sizeof(*w->order), by_key);
    rc = store__cursor(t, STORE__DAILY, &c);
    for (size_t i = 0; i < w->ndays && rc == 0; i++)
        rc = flush_day(t, c, &w->days[w->order[i].idx]);
    mdb_cursor_close(c);
    clear_days(w);
    return rc;
}
