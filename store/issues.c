/* Known issues: their records, writes and listings. Linking complaints to
 * them is issue_link.c.
 *
 * Layout (store_int.h lists the databases):
 *   issues          id u64 -> issue record (below)
 *   issues_by_prod  product_no u32 | id u64 -> empty: a product's issues,
 *                   read for every complaint written, so it is one range
 *   meta            "next_issue_id" -> u64
 *
 * Record: version byte, status u8, n_phrases u8, created, updated and
 * fixed_at as biased u64, then product_id, component, title, fixed_in and
 * the phrases, each a u16 length (0xffff: absent) and the bytes with a NUL,
 * so decoded strings point into the value.
 */
#include "chorus/store.h"

#include <stdio.h>
#include <string.h>

#include "chorus/base.h"
#include "store_int.h"

#define ABSENT 0xffffu

static const char *const status_names[] = {"investigating", "known", "fixed", "not_a_defect"};

const char *store_issue_status_name(enum store_issue_status st)
{
    return (unsigned)st < 4 ? status_names[st] : "investigating";
}

int store_issue_status_parse(const char *s, enum store_issue_status *out)
{
    for (unsigned i = 0; s && i < 4; i++)
        if (strcmp(s, status_names[i]) == 0) {
            *out = (enum store_issue_status)i;
            return 0;
        }
    return CHORUS_EINVAL;
}

/* ---- validation and records -------------------------------------------------------- */

static bool text_ok(const char *s, size_t cap, bool required)
{
    size_t n = s ? strlen(s) : 0;

    if (!s)
        return !required;
    return n > 0 && n <= cap && chorus_utf8_valid(s, n);
}

static bool issue_valid(const struct store_issue *is)
{
    if (!text_ok(is->product_id, CHORUS_MAX_PRODUCT_ID, true) ||
        !text_ok(is->component, STORE_ISSUE_COMPONENT_MAX, true) ||
        !text_ok(is->title, STORE_ISSUE_TITLE_MAX, true) ||
        !text_ok(is->fixed_in, STORE_ISSUE_FIXED_IN_MAX, false) || (unsigned)is->status > 3 ||
        is->n_phrases > STORE_ISSUE_PHRASES_MAX || is->fixed_at < 0)
        return false;
    if (is->status == STORE_ISSUE_FIXED && is->fixed_at == 0)
        return false;
    for (size_t i = 0; i < is->n_phrases; i++)
        if (!text_ok(is->phrases[i], STORE_ISSUE_PHRASE_MAX, true))
            return false;
    return true;
}

static size_t str_size(const char *s)
{
    return 2 + (s ? strlen(s) + 1 : 0);
}

static uint8_t *str_put(uint8_t *p, const char *s)
{
    size_t n = s ? strlen(s) : 0;

    p[0] = (uint8_t)((s ? n : ABSENT) >> 8);
    p[1] = (uint8_t)(s ? n : ABSENT);
    p += 2;
    if (s) {
        memcpy(p, s, n + 1);
        p += n + 1;
    }
    return p;
}

static size_t issue_size(const struct store_issue *is)
{
    size_t n = 3 + 24 + str_size(is->product_id) + str_size(is->component) + str_size(is->title) +
               str_size(is->fixed_in);

    for (size_t i = 0; i < is->n_phrases; i++)
        n += str_size(is->phrases[i]);
    return n;
}

static void issue_encode(uint8_t *p, const struct store_issue *is)
{
    *p++ = STORE__RECORD_VERSION;
    *p++ = (uint8_t)is->status;
    *p++ = (uint8_t)is->n_phrases;
    store__be64(p, store__time_bias(is->created_at));
    store__be64(p + 8, store__time_bias(is->updated_at));
    store__be64(p + 16, store__time_bias(is->fixed_at));
    p += 24;
    p = str_put(p, is->product_id);
    p = str_put(p, is->component);
    p = str_put(p, is->title);
    p = str_put(p, is->fixed_in);
    for (size_t i = 0; i < is->n_phrases; i++)
        p = str_put(p, is->phrases[i]);
}

static bool str_get(const uint8_t **p, const uint8_t *end, const char **out)
{
    size_t n;

    if (end - *p < 2)
        return false;
    n = (size_t)(*p)[0] << 8 | (*p)[1];
    *p += 2;
    if (n == ABSENT) {
        *out = NULL;
        return true;
    }
    if ((size_t)(end - *p) < n + 1 || (*p)[n] != '\0')
        return false;
    *out = (const char *)*p;
    *p += n + 1;
    return true;
}

int store__issue_decode(const void *data, size_t len, uint64_t id, struct store_issue *is)
{
    const uint8_t *p = data, *end = p + len;

    memset(is, 0, sizeof(*is));
    if (len < 27 || p[0] != STORE__RECORD_VERSION || p[1] > 3 || p[2] > STORE_ISSUE_PHRASES_MAX)
        return CHORUS_ECORRUPT;
    is->id = id;
    is->status = (enum store_issue_status)p[1];
    is->n_phrases = p[2];
    is->created_at = store__time_unbias(store__rd64(p + 3));
    is->updated_at = store__time_unbias(store__rd64(p + 11));
    is->fixed_at = store__time_unbias(store__rd64(p + 19));
    p += 27;
    if (!str_get(&p, end, &is->product_id) || !str_get(&p, end, &is->component) ||
        !str_get(&p, end, &is->title) || !str_get(&p, end, &is->fixed_in) || !is->product_id ||
        !is->component || !is->title)
        return CHORUS_ECORRUPT;
    for (size_t i = 0; i < is->n_phrases; i++)
        if (!str_get(&p, end, &is->phrases[i]) || !is->phrases[i])
            return CHORUS_ECORRUPT;
    return p == end ? 0 : CHORUS_ECORRUPT;
}

int store_issue_get(struct store_txn *txn, uint64_t id, struct store_issue *out)
{
    uint8_t k[8];
    MDB_val v;
    int rc;

    store__be64(k, id);
    rc = store__get(txn, STORE__ISSUES, k, 8, &v);
    if (rc)
        return rc;
    if (txn->write) {
        /* Borrowed until the callback ends, as store.h promises: later
         * puts could rewrite the page. */
        void *copy = store__arena_alloc(&txn->arena, v.mv_size);

        memcpy(copy, v.mv_data, v.mv_size);
        v.mv_data = copy;
    }
    return store__issue_decode(v.mv_data, v.mv_size, id, out);
}

/* ---- writes ------------------------------------------------------------------------ */

static void prod_key(uint8_t *k, uint32_t pno, uint64_t id)
{
    store__be32(k, pno);
    store__be64(k + 4, id);
}

static int issue_write(struct store_txn *t, const struct store_issue *is)
{
    size_t n = issue_size(is);
    uint8_t k[8], *v;
    int rc;

    store__be64(k, is->id);
    rc = store__reserve(t, STORE__ISSUES, k, 8, n, 0, &v);
    if (rc == 0)
        issue_encode(v, is);
    return rc;
}

/* touch relinks product pno's complaints and moves the versions of what
 * shows issues: the product, its categories and everything. */
static int touch(struct store_txn *t, const char *product_id, size_t relink_max)
{
    struct store__scope sc;
    uint32_t pno;
    int rc = store__product_info(t, product_id, false, &sc);

    if (rc == CHORUS_ENOTFOUND)
        rc = CHORUS_ECORRUPT; /* issues name products that exist */
    if (rc)
        return rc;
    pno = sc.pno;
    rc = store__agg_bump(t, STORE__KIND_PRODUCT, pno);
    for (size_t i = 0; rc == 0 && i < sc.ncat; i++)
        rc = store__agg_bump(t, STORE__KIND_CATEGORY, sc.cats[i]);
    if (rc == 0)
        rc = store__agg_bump(t, STORE__KIND_CATEGORY, 0);
    return rc ? rc : store__issue_relink(t, pno, relink_max);
}

/* relink_fits finds product_id's number and says whether relinking its
 * complaints stays within relink_max (CHORUS_ETOOBIG otherwise). */
static int relink_fits(struct store_txn *t, const char *product_id, size_t relink_max,
                       uint32_t *pno)
{
    struct review_stats st;
    int rc = store__product_no(t, product_id, pno);

    if (rc == 0)
        rc = store__agg_get(t, STORE__KIND_PRODUCT, *pno, &st);
    if (rc == 0 && store__issue_complaints(&st) > relink_max)
        rc = CHORUS_ETOOBIG;
    return rc;
}

int store_issue_create(struct store_txn *txn, const struct store_issue *is, size_t max,
                       size_t relink_max, uint64_t *id)
{
    struct store_issue nw;
    uint8_t k[12];
    uint64_t next;
    uint32_t pno;
    MDB_stat ms;
    int rc;

    if (!txn->write || !issue_valid(is))
        return CHORUS_EINVAL;
    /* Refused before anything is written, so the caller's error stands
     * for the whole request. */
    rc = relink_fits(txn, is->product_id, relink_max, &pno);
    if (rc == 0)
        rc = store__check_rc(txn, mdb_stat(txn->txn, txn->s->dbi[STORE__ISSUES], &ms));
    if (rc)
        return rc;
    if (max > STORE_ISSUES_MAX)
        max = STORE_ISSUES_MAX;
    if (ms.ms_entries >= max)
        return CHORUS_ELIMIT;
    rc = store__meta_get_u64(txn, "next_issue_id", &next);
    if (rc)
        return rc;
    nw = *is;
    nw.id = next ? next : 1;
    nw.created_at = nw.updated_at = chorus_now();
    rc = store__meta_put_u64(txn, "next_issue_id", nw.id + 1);
    if (rc == 0)
        rc = issue_write(txn, &nw);
    prod_key(k, pno, nw.id);
    if (rc == 0)
        rc = store__put(txn, STORE__ISSUES_BY_PROD, k, sizeof(k), "", 0, 0);
    if (rc == 0)
        rc = touch(txn, nw.product_id, relink_max);
    if (rc == 0 && id)
        *id = nw.id;
    return rc;
}

int store_issue_replace(struct store_txn *txn, const struct store_issue *is, size_t relink_max)
{
    struct store_issue old, nw;
    uint32_t pno;
    int rc;

    if (!txn->write || !issue_valid(is))
        return CHORUS_EINVAL;
    rc = store_issue_get(txn, is->id, &old);
    if (rc)
        return rc;
    if (strcmp(old.product_id, is->product_id) != 0)
        return CHORUS_EINVAL;
    rc = relink_fits(txn, old.product_id, relink_max, &pno);
    if (rc)
        return rc;
    nw = *is;
    nw.created_at = old.created_at;
    nw.updated_at = chorus_now();
    rc = issue_write(txn, &nw);
    return rc ? rc : touch(txn, nw.product_id, relink_max);
}

int store_issue_delete(struct store_txn *txn, uint64_t id, size_t relink_max)
{
    struct store_issue old;
    const char *product;
    uint8_t k[12];
    uint32_t pno;
    int rc;

    if (!txn->write)
        return CHORUS_EINVAL;
    rc = store_issue_get(txn, id, &old);
    if (rc == 0)
        rc = relink_fits(txn, old.product_id, relink_max, &pno);
    if (rc)
        return rc;
    /* The record goes first, so the relink no longer finds the issue; the
     * product id lives in the arena copy store_issue_get made. */
    product = old.product_id;
    store__be64(k, id);
    rc = store__del(txn, STORE__ISSUES, k, 8);
    prod_key(k, pno, id);
    if (rc == 0)
        rc = store__del(txn, STORE__ISSUES_BY_PROD, k, sizeof(k));
    return rc ? rc : touch(txn, product, relink_max);
}

/* ---- listing ----------------------------------------------------------------------- */

int store__issues_of(struct store_txn *t, uint32_t pno, int (*fn)(void *ctx, uint64_t id),
                     void *ctx)
{
    MDB_cursor *c = NULL;
    uint8_t k[12];
    MDB_val key = {4, k}, v;
    int rc, mrc;

    store__be32(k, pno);
    rc = store__cursor(t, STORE__ISSUES_BY_PROD, &c);
    if (rc)
        return rc;
    for (mrc = mdb_cursor_get(c, &key, &v, MDB_SET_RANGE); mrc == 0 && rc == 0;
         mrc = mdb_cursor_get(c, &key, &v, MDB_NEXT)) {
        if (key.mv_size != 12 || store__rd32(key.mv_data) != pno)
            break;
        rc = fn(ctx, store__rd64((const uint8_t *)key.mv_data + 4));
    }
    if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
        rc = store__check_rc(t, mrc);
    mdb_cursor_close(c);
    return rc == CHORUS_ESTOP ? 0 : rc;
}

struct list_ctx {
    struct store_txn *t;
    unsigned statuses;
    uint64_t after;
    size_t limit, n;
    store_issue_cb cb;
    void *cbctx;
    uint64_t *last;
};

static int list_one(void *ctx, uint64_t id)
{
    struct list_ctx *l = ctx;
    struct store_issue is;
    int rc;

    if (id <= l->after)
        return 0;
    rc = store_issue_get(l->t, id, &is);
    if (rc)
        return rc == CHORUS_ENOTFOUND ? CHORUS_ECORRUPT : rc;
    if (l->statuses && !(l->statuses & (1u << is.status)))
        return 0;
    rc = l->cb(l->cbctx, &is);
    *l->last = id;
    if (rc == 0 && ++l->n >= l->limit)
        rc = CHORUS_ESTOP;
    return rc;
}

int store_issues_list(struct store_txn *txn, const char *product_id, unsigned statuses,
                      uint64_t after, size_t limit, store_issue_cb cb, void *ctx, uint64_t *last)
{
    struct list_ctx l = {txn, statuses, after, limit, 0, cb, ctx, last};
    MDB_cursor *c = NULL;
    uint8_t k[8];
    MDB_val key = {8, k}, v;
    uint32_t pno;
    int rc, mrc;

    *last = 0;
    if (limit == 0)
        return CHORUS_EINVAL;
    if (product_id) {
        /* Ids in a product's range are in id order too. */
        rc = store__product_no(txn, product_id, &pno);
        return rc ? rc : store__issues_of(txn, pno, list_one, &l);
    }
    rc = store__cursor(txn, STORE__ISSUES, &c);
    if (rc)
        return rc;
    store__be64(k, after + 1);
    for (mrc = mdb_cursor_get(c, &key, &v, MDB_SET_RANGE); mrc == 0 && rc == 0;
         mrc = mdb_cursor_get(c, &key, &v, MDB_NEXT)) {
        struct store_issue is;
        uint64_t id = key.mv_size == 8 ? store__rd64(key.mv_data) : 0;

        rc = store__issue_decode(v.mv_data, v.mv_size, id, &is);
        if (rc || (statuses && !(statuses & (1u << is.status))))
            continue;
        rc = cb(ctx, &is);
        *last = id;
        if (rc == 0 && ++l.n >= limit)
            rc = CHORUS_ESTOP;
    }
    if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
        rc = store__check_rc(txn, mrc);
    mdb_cursor_close(c);
    return rc == CHORUS_ESTOP ? 0 : rc;
}
