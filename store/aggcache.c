/* The aggregate cache of a write transaction.
 *
 * Every review touches the aggregate of its product and of each category
 * prefix, and the daily bucket of each of those. A bulk import touches the
 * same few aggregates over and over, so a write transaction keeps them in an
 * open-addressing table and writes each once, before commit. Daily buckets
 * are mostly new keys, so they are kept as deltas that need no read when
 * touched: the flush applies each with one cursor positioning, in key order.
 *
 * The table is cleared at the start of every store_write run, so a rerun
 * after MDB_MAP_FULL starts clean; when it fills up it is flushed early.
 */
#include "store_int.h"

#include <stdlib.h>
#include <string.h>

#include "chorus/error.h"

#define DAY_NONE UINT32_MAX /* the slot holds the aggregate, not a day */

/* A daily bucket change not yet applied. */
struct delta {
    int64_t count, rating_sum, histogram[5], mentions;
};

struct store__centry {
    bool used;
    bool dirty;
    uint8_t kind;
    uint32_t no;
    uint32_t day;
    union {
        struct review_stats agg; /* the whole record, loaded on first touch */
        struct delta day;
    } v;
};

/* A flush writes in key order: neighbouring keys share leaf pages, so the
 * B-tree walks stay in cache. */
struct store__flush_item {
    uint8_t key[1 + STORE__DAY_KEY_LEN]; /* 0 aggregate / 1 day, then the LMDB key */
    uint32_t slot;
};

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

/* ---- the table ------------------------------------------------------------------------ */

static uint32_t slot_of(uint8_t kind, uint32_t no, uint32_t day)
{
    uint64_t h = ((uint64_t)kind << 56) ^ ((uint64_t)no << 24) ^ day;

    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    return (uint32_t)h & (STORE__CTAB_SLOTS - 1);
}

void store__agg_cache_clear(struct store__wstate *w)
{
    for (size_t i = 0; i < w->ncused; i++)
        w->ctab[w->cused[i]].used = false;
    w->ncused = 0;
}

void store__agg_cache_free(struct store__wstate *w)
{
    free(w->ctab);
    free(w->cused);
    free(w->flush);
    w->ctab = NULL;
    w->cused = NULL;
    w->flush = NULL;
    w->ncused = 0;
}

static int load_agg(struct store_txn *t, struct store__centry *e)
{
    uint8_t k[STORE__AGG_KEY_LEN];
    MDB_val v;
    int rc;

    store__key_agg(k, e->kind, e->no);
    rc = store__get(t, STORE__AGGREGATES, k, sizeof(k), &v);
    if (rc == 0)
        return store__stats_decode(v.mv_data, v.mv_size, &e->v.agg);
    return rc == CHORUS_ENOTFOUND ? 0 : rc;
}

/* ref finds or creates the entry of (kind, no, day); aggregates are loaded
 * from LMDB, days start as an empty delta. When the table is full it is
 * flushed first, which is why an entry pointer is only good until the next
 * ref. */
static int ref(struct store_txn *t, uint8_t kind, uint32_t no, uint32_t day,
               struct store__centry **out)
{
    const uint32_t mask = STORE__CTAB_SLOTS - 1;
    struct store__wstate *w = t->w;
    struct store__centry *e;
    uint32_t i;
    int rc;

    if (!w->ctab) {
        w->ctab = calloc(STORE__CTAB_SLOTS, sizeof(*w->ctab));
        w->cused = calloc(STORE__CTAB_MAX, sizeof(*w->cused));
        w->flush = calloc(STORE__CTAB_MAX, sizeof(*w->flush));
        if (!w->ctab || !w->cused || !w->flush)
            abort();
    }
    for (i = slot_of(kind, no, day);; i = (i + 1) & mask) {
        e = &w->ctab[i];
        if (!e->used)
            break;
        if (e->kind == kind && e->no == no && e->day == day) {
            *out = e;
            return 0;
        }
    }
    if (w->ncused >= STORE__CTAB_MAX) {
        rc = store__agg_flush(t);
        if (rc)
            return rc;
        for (i = slot_of(kind, no, day); w->ctab[i].used; i = (i + 1) & mask)
            ;
        e = &w->ctab[i];
    }
    memset(e, 0, sizeof(*e));
    e->kind = kind;
    e->no = no;
    e->day = day;
    if (day == DAY_NONE) {
        rc = load_agg(t, e);
        if (rc)
            return rc;
    }
    e->used = true;
    w->cused[w->ncused++] = i;
    *out = e;
    return 0;
}

int store__agg_ref(struct store_txn *t, uint8_t kind, uint32_t no, struct review_stats **out)
{
    struct store__centry *e;
    int rc = ref(t, kind, no, DAY_NONE, &e);

    if (rc)
        return rc;
    e->dirty = true;
    *out = &e->v.agg;
    return 0;
}

int store__day_add(struct store_txn *t, uint8_t kind, uint32_t no, uint32_t day,
                   const struct store_day *d, int sign)
{
    struct store__centry *e;
    int rc = ref(t, kind, no, day, &e);

    if (rc)
        return rc;
    e->dirty = true;
    e->v.day.count += (int64_t)sign * d->count;
    e->v.day.rating_sum += (int64_t)sign * d->rating_sum;
    for (int i = 0; i < 5; i++)
        e->v.day.histogram[i] += (int64_t)sign * d->histogram[i];
    e->v.day.mentions += (int64_t)sign * d->mentions;
    return 0;
}

int store__agg_get(struct store_txn *t, uint8_t kind, uint32_t no, struct review_stats *out)
{
    struct store__centry *e;
    uint8_t k[STORE__AGG_KEY_LEN];
    MDB_val v;
    int rc;

    if (t->w) {
        rc = ref(t, kind, no, DAY_NONE, &e);
        if (rc == 0)
            *out = e->v.agg;
        return rc;
    }
    memset(out, 0, sizeof(*out));
    store__key_agg(k, kind, no);
    rc = store__get(t, STORE__AGGREGATES, k, sizeof(k), &v);
    if (rc == CHORUS_ENOTFOUND)
        return 0;
    if (rc)
        return rc;
    return store__stats_decode(v.mv_data, v.mv_size, out);
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
    return memcmp(((const struct store__flush_item *)a)->key,
                  ((const struct store__flush_item *)b)->key, 1 + STORE__DAY_KEY_LEN);
}

/* flush_day applies one delta. MDB_NOOVERWRITE either inserts a new bucket
 * or leaves the cursor on the existing one and hands back its value, so each
 * bucket costs one B-tree walk either way. */
static int flush_day(struct store_txn *t, MDB_cursor *c, const struct store__centry *e)
{
    uint8_t k[STORE__DAY_KEY_LEN], b[STORE__DAYREC_MAX];
    MDB_val key = {sizeof(k), k}, val = {sizeof(b), b};
    struct store_day d;
    int mrc, rc;

    store__key_day(k, e->kind, e->no, e->day);
    memset(&d, 0, sizeof(d));
    apply(&d, &e->v.day);
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
        if (mrc != MDB_KEYEXIST)
            return store__check_rc(t, mrc);
        mrc = 0;
    }
    if (mrc)
        return store__check_rc(t, mrc);
    d.day = e->day;
    rc = store__day_decode(val.mv_data, val.mv_size, &d);
    if (rc)
        return rc;
    apply(&d, &e->v.day);
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
    struct store__flush_item *fl = w->flush;
    MDB_cursor *c = NULL;
    uint8_t v[STORE__STATS_LEN];
    size_t n = 0;
    int rc = 0;

    for (size_t i = 0; i < w->ncused; i++) {
        struct store__centry *e = &w->ctab[w->cused[i]];

        if (!e->dirty)
            continue;
        fl[n].key[0] = e->day != DAY_NONE;
        store__key_day(fl[n].key + 1, e->kind, e->no, e->day == DAY_NONE ? 0 : e->day);
        fl[n].slot = w->cused[i];
        n++;
    }
    if (n > 1)
        qsort(fl, n, sizeof(*fl), by_key);
    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct store__centry *e = &w->ctab[fl[i].slot];

        if (e->day == DAY_NONE) {
            store__stats_encode(v, &e->v.agg);
            rc = store__put(t, STORE__AGGREGATES, fl[i].key + 1, STORE__AGG_KEY_LEN, v,
                            STORE__STATS_LEN, 0);
            continue;
        }
        if (!c)
            rc = store__cursor(t, STORE__DAILY, &c);
        if (rc == 0)
            rc = flush_day(t, c, e);
    }
    mdb_cursor_close(c);
    if (rc == 0)
        store__agg_cache_clear(w);
    return rc;
}
