/* Daily component counts: for every product, UTC day and component that an
 * approved review's tags name, how many complaints, mentions, judged and
 * positive reviews (store.h, struct store_comp_day; docs/digest.md,
 * "Component trends").
 *
 * Writes follow the daily buckets (aggcache.c): store__agg_review hands
 * every review change here, which only adds a delta to a table of the
 * write transaction; store__agg_flush applies the deltas in key order, one
 * B-tree walk per bucket. An import of a million reviews therefore costs a
 * hash update per tag and, per flush, one put per distinct (product, day,
 * component), not a read-modify-write per review.
 */
#include "store_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"

/* A pending change to one bucket. */
struct store__comp_entry {
    uint8_t key[STORE__COMP_KEY_MAX];
    uint8_t klen;
    struct store__comp_counts d;
};

/* ---- what one review counts ----------------------------------------------------------- */

struct store__comp_counts store__comp_class(const struct review *r)
{
    struct store__comp_counts c = {0, 0, 0, 0};

    if (r->status != REVIEW_APPROVED)
        return c;
    c.mentions = 1;
    if (r->rating >= 1 && r->rating <= 5) {
        c.judged = 1;
        c.complaints = r->rating <= STORE_COMPLAINT_MAX_RATING;
        c.positive = r->rating >= STORE_POSITIVE_MIN_RATING;
    } else if (!isnan(r->sentiment)) {
        c.judged = 1;
        c.positive = r->sentiment >= STORE_POSITIVE_MIN_SENTIMENT;
    }
    return c;
}

const char *store__comp_tag_next(const char **p, size_t *len)
{
    const char *s = *p;

    while (s && *s) {
        const char *e = strchr(s, ',');
        size_t n = e ? (size_t)(e - s) : strlen(s);

        *p = e ? e + 1 : s + n;
        if (n > 0 && n <= STORE_COMPONENT_MAX) {
            *len = n;
            return s;
        }
        s = *p;
    }
    return NULL;
}

size_t store__comp_key(uint8_t *k, uint32_t pno, uint32_t day, const char *tag, size_t len)
{
    store__be32(k, pno);
    store__be32(k + 4, day);
    memcpy(k + 8, tag, len);
    return 8 + len;
}

/* ---- the delta table ------------------------------------------------------------------- */

static void alloc_tables(struct store__wstate *w)
{
    chorus_map_init(&w->compix, 0);
    w->comps = calloc(STORE__COMP_MAX, sizeof(*w->comps));
    w->corder = calloc(STORE__COMP_MAX, sizeof(*w->corder));
    if (!w->comps || !w->corder)
        abort();
}

void store__comp_cache_clear(struct store__wstate *w)
{
    if (!w->comps)
        return;
    for (size_t i = 0; i < w->ncomps; i++)
        chorus_map_remove(&w->compix, w->comps[i].key, w->comps[i].klen);
    w->ncomps = 0;
}

void store__comp_cache_free(struct store__wstate *w)
{
    if (!w->comps)
        return;
    chorus_map_cleanup(&w->compix, NULL);
    free(w->comps);
    free(w->corder);
    w->comps = NULL;
    w->corder = NULL;
    w->ncomps = 0;
}

bool store__comp_tag_dup(const char *tags, const char *s, size_t n)
{
    const char *p = tags, *t;
    size_t len;

    while ((t = store__comp_tag_next(&p, &len)) != NULL && t < s)
        if (len == n && memcmp(t, s, n) == 0)
            return true;
    return false;
}

static int add_one(struct store_txn *t, const uint8_t *k, size_t klen,
                   const struct store__comp_counts *c, int sign)
{
    struct store__wstate *w = t->w;
    struct store__comp_entry *e;
    bool created;
    void **v;
    int rc;

    if (!w->comps)
        alloc_tables(w);
    if (w->ncomps == STORE__COMP_MAX && !chorus_map_has(&w->compix, k, klen)) {
        rc = store__comp_flush(t);
        if (rc)
            return rc;
    }
    v = chorus_map_slot(&w->compix, k, klen, &created);
    if (created) {
        e = &w->comps[w->ncomps++];
        memset(e, 0, sizeof(*e));
        memcpy(e->key, k, klen);
        e->klen = (uint8_t)klen;
        *v = e;
    }
    e = *v;
    e->d.complaints += sign * c->complaints;
    e->d.mentions += sign * c->mentions;
    e->d.judged += sign * c->judged;
    e->d.positive += sign * c->positive;
    return 0;
}

static int add_review(struct store_txn *t, const struct review *r, uint32_t pno, int sign)
{
    struct store__comp_counts c = store__comp_class(r);
    uint32_t day = store__day_of(r->created_at);
    uint8_t k[STORE__COMP_KEY_MAX];
    const char *p = r->components, *tag;
    size_t len;
    int rc = 0;

    if (c.mentions == 0)
        return 0;
    while (rc == 0 && (tag = store__comp_tag_next(&p, &len)) != NULL) {
        if (store__comp_tag_dup(r->components, tag, len))
            continue;
        rc = add_one(t, k, store__comp_key(k, pno, day, tag, len), &c, sign);
    }
    return rc;
}

static bool same_counts(const struct store__comp_counts *a, const struct store__comp_counts *b)
{
    return a->complaints == b->complaints && a->mentions == b->mentions && a->judged == b->judged &&
           a->positive == b->positive;
}

int store__comp_review(struct store_txn *t, const struct review *old, uint32_t opno,
                       const struct review *nw, uint32_t npno)
{
    int rc = 0;

    /* A vote, a response or a moderation note leaves every count as it is:
     * skip the table then, as most writes after an import are those. */
    if (old && nw && opno == npno &&
        store__day_of(old->created_at) == store__day_of(nw->created_at)) {
        struct store__comp_counts a = store__comp_class(old), b = store__comp_class(nw);

        if (same_counts(&a, &b) &&
            (a.mentions == 0 || strcmp(old->components ? old->components : "",
                                       nw->components ? nw->components : "") == 0))
            return 0;
    }
    if (old)
        rc = add_review(t, old, opno, -1);
    if (rc == 0 && nw)
        rc = add_review(t, nw, npno, +1);
    return rc;
}

/* ---- records ----------------------------------------------------------------------------- */

static void encode(uint8_t *out, const struct store__comp_counts *c)
{
    out[0] = STORE__RECORD_VERSION;
    store__be32(out + 1, (uint32_t)c->complaints);
    store__be32(out + 5, (uint32_t)c->mentions);
    store__be32(out + 9, (uint32_t)c->judged);
    store__be32(out + 13, (uint32_t)c->positive);
}

int store__comp_decode(const void *data, size_t len, struct store__comp_counts *c)
{
    const uint8_t *d = data;

    if (len != STORE__COMP_REC_LEN || d[0] != STORE__RECORD_VERSION)
        return CHORUS_ECORRUPT;
    c->complaints = store__rd32(d + 1);
    c->mentions = store__rd32(d + 5);
    c->judged = store__rd32(d + 9);
    c->positive = store__rd32(d + 13);
    return 0;
}

/* apply adds delta x to c, stopping at zero: a negative count can only come
 * from damaged data, which store_check reports. */
static void apply(struct store__comp_counts *c, const struct store__comp_counts *x)
{
    int64_t *f[4] = {&c->complaints, &c->mentions, &c->judged, &c->positive};
    const int64_t g[4] = {x->complaints, x->mentions, x->judged, x->positive};

    for (int i = 0; i < 4; i++) {
        *f[i] += g[i];
        if (*f[i] < 0)
            *f[i] = 0;
        if (*f[i] > UINT32_MAX)
            *f[i] = UINT32_MAX;
    }
}

/* ---- flush ------------------------------------------------------------------------------- */

static int by_key(const void *a, const void *b)
{
    const struct store__comp_entry *x = *(const struct store__comp_entry *const *)a,
                                   *y = *(const struct store__comp_entry *const *)b;
    size_t n = x->klen < y->klen ? x->klen : y->klen;
    int c = memcmp(x->key, y->key, n);

    return c ? c : (x->klen > y->klen) - (x->klen < y->klen);
}

/* flush_one applies one delta: MDB_NOOVERWRITE inserts a new bucket or
 * leaves the cursor on the existing one with its value, one walk either way. */
static int flush_one(struct store_txn *t, MDB_cursor *c, const struct store__comp_entry *e)
{
    uint8_t b[STORE__COMP_REC_LEN];
    MDB_val key = {e->klen, (void *)e->key}, val = {sizeof(b), b};
    struct store__comp_counts cur = {0, 0, 0, 0};
    int mrc, rc;

    apply(&cur, &e->d);
    if (cur.mentions == 0) {
        mrc = mdb_cursor_get(c, &key, &val, MDB_SET_KEY);
        if (mrc == MDB_NOTFOUND)
            return 0;
    } else {
        encode(b, &cur);
        mrc = mdb_cursor_put(c, &key, &val, MDB_NOOVERWRITE);
        if (mrc == 0)
            return 0;
        if (mrc == MDB_KEYEXIST)
            mrc = 0;
    }
    if (mrc)
        return store__check_rc(t, mrc);
    rc = store__comp_decode(val.mv_data, val.mv_size, &cur);
    if (rc)
        return rc;
    apply(&cur, &e->d);
    /* Every review counts in mentions: a bucket without any is empty and
     * goes, as the recount in store_check has none for it. */
    if (cur.mentions == 0)
        return store__check_rc(t, mdb_cursor_del(c, 0));
    encode(b, &cur);
    val.mv_size = sizeof(b);
    val.mv_data = b;
    return store__check_rc(t, mdb_cursor_put(c, &key, &val, MDB_CURRENT));
}

int store__comp_flush(struct store_txn *t)
{
    struct store__wstate *w = t->w;
    MDB_cursor *c = NULL;
    int rc;

    if (!w->comps || w->ncomps == 0)
        return 0;
    for (size_t i = 0; i < w->ncomps; i++)
        w->corder[i] = &w->comps[i];
    qsort(w->corder, w->ncomps, sizeof(*w->corder), by_key);
    rc = store__cursor(t, STORE__COMP_DAYS, &c);
    for (size_t i = 0; i < w->ncomps && rc == 0; i++)
        rc = flush_one(t, c, w->corder[i]);
    mdb_cursor_close(c);
    store__comp_cache_clear(w);
    return rc;
}

/* ---- reading ------------------------------------------------------------------------------ */

int store_component_days(struct store_txn *txn, const char *id, int64_t from_day, int64_t to_day,
                         store_comp_day_cb cb, void *ctx)
{
    MDB_cursor *c = NULL;
    uint8_t k[8];
    MDB_val key = {sizeof(k), k}, val;
    uint32_t pno;
    int rc, mrc;

    rc = store__product_no(txn, id, &pno);
    if (rc)
        return rc;
    if (txn->w) {
        rc = store__agg_flush(txn);
        if (rc)
            return rc;
    }
    if (from_day < 0)
        from_day = 0;
    if (to_day > STORE__DAY_LAST)
        to_day = STORE__DAY_LAST;
    if (to_day < from_day)
        return 0;
    rc = store__cursor(txn, STORE__COMP_DAYS, &c);
    if (rc)
        return rc;
    store__be32(k, pno);
    store__be32(k + 4, (uint32_t)from_day);
    for (mrc = mdb_cursor_get(c, &key, &val, MDB_SET_RANGE); mrc == 0;
         mrc = mdb_cursor_get(c, &key, &val, MDB_NEXT)) {
        const uint8_t *kp = key.mv_data;
        char tag[STORE_COMPONENT_MAX + 1];
        struct store__comp_counts n;
        struct store_comp_day d;

        if (key.mv_size <= 8 || key.mv_size > STORE__COMP_KEY_MAX || store__rd32(kp) != pno ||
            store__rd32(kp + 4) > (uint32_t)to_day)
            break;
        if (store__comp_decode(val.mv_data, val.mv_size, &n) != 0) {
            rc = CHORUS_ECORRUPT;
            break;
        }
        memcpy(tag, kp + 8, key.mv_size - 8);
        tag[key.mv_size - 8] = '\0';
        d.day = store__rd32(kp + 4);
        d.component = tag;
        d.complaints = (uint32_t)n.complaints;
        d.mentions = (uint32_t)n.mentions;
        d.judged = (uint32_t)n.judged;
        d.positive = (uint32_t)n.positive;
        rc = cb(ctx, &d);
        if (rc)
            break;
    }
    if (rc == CHORUS_ESTOP)
        rc = 0;
    else if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
        rc = store__check_rc(txn, mrc);
    mdb_cursor_close(c);
    return rc;
}
