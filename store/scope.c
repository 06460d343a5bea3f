/* by_scope: approved reviews newest first per product, per category (under
 * every prefix of the product's path) and for everything, which is what
 * feeds page through.
 *
 * Key: kind ('p', 'c', 'a') | number (be32; 0 for 'a') | ~created | ~id, so
 * one forward range scan from a scope's prefix lists it newest first, and a
 * backward scan gives the page before a cursor (RFC 5005 "previous") or the
 * oldest page ("last") at the same cost. Each approved review has 2 + depth
 * entries; moderation, deletion and category moves keep them in step.
 */
#include "chorus/store.h"

#include <string.h>

#include "chorus/base.h"
#include "store_int.h"

#define PREFIX_LEN 5
#define KEY_LEN    STORE__SCOPE_KEY_LEN

void store__scope_prefix(uint8_t *k, uint8_t kind, uint32_t no)
{
    k[0] = kind;
    store__be32(k + 1, no);
}

void store__key_scope(uint8_t *k, uint8_t kind, uint32_t no, int64_t created, uint64_t id)
{
    store__scope_prefix(k, kind, no);
    store__be64(k + PREFIX_LEN, ~store__time_bias(created));
    store__be64(k + PREFIX_LEN + 8, ~id);
}

/* ---- maintenance ------------------------------------------------------------------- */

/* one puts or deletes the entry of (created, id) under one scope. */
static int one(struct store_txn *t, uint8_t kind, uint32_t no, int64_t created, uint64_t id,
               bool put)
{
    uint8_t k[KEY_LEN];

    store__key_scope(k, kind, no, created, id);
    if (put)
        return store__put(t, STORE__BY_SCOPE, k, KEY_LEN, "", 0, 0);
    return store__del(t, STORE__BY_SCOPE, k, KEY_LEN);
}

static int all_entries(struct store_txn *t, const struct store__scope *sc, int64_t created,
                       uint64_t id, bool put)
{
    int rc = one(t, STORE_SCOPE_ALL, 0, created, id, put);

    if (rc == 0)
        rc = one(t, STORE_SCOPE_PRODUCT, sc->pno, created, id, put);
    for (size_t i = 0; rc == 0 && i < sc->ncat; i++)
        rc = one(t, STORE_SCOPE_CATEGORY, sc->cats[i], created, id, put);
    return rc;
}

int store__scope_index(struct store_txn *t, const struct review *old, const struct store__scope *os,
                       const struct review *nw, const struct store__scope *ns)
{
    bool old_in = old && os && old->status == REVIEW_APPROVED;
    bool new_in = nw && ns && nw->status == REVIEW_APPROVED;
    int rc = 0;

    if (old_in && new_in && old->created_at == nw->created_at && os->pno == ns->pno &&
        os->ncat == ns->ncat &&
        (os->ncat == 0 || memcmp(os->cats, ns->cats, os->ncat * sizeof(*os->cats)) == 0))
        return 0;
    if (old_in)
        rc = all_entries(t, os, old->created_at, old->id, false);
    if (rc == 0 && new_in)
        rc = all_entries(t, ns, nw->created_at, nw->id, true);
    return rc;
}

static bool in_list(const uint32_t *a, size_t n, uint32_t v)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] == v)
            return true;
    return false;
}

int store__scope_move(struct store_txn *t, uint32_t pno, const uint32_t *from, size_t nfrom,
                      const uint32_t *to, size_t nto)
{
    uint8_t p[4];
    MDB_cursor *c = NULL;
    MDB_val k = {4, p}, v;
    int rc, mrc;

    rc = store__cursor(t, STORE__BY_PROD, &c);
    if (rc)
        return rc;
    store__be32(p, pno);
    /* The product's by_prod range lists every review with its flags, so the
     * move needs no record reads. Puts go to another database, so the
     * cursor stays valid. */
    for (mrc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); mrc == 0 && rc == 0;
         mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        const uint8_t *kb = k.mv_data;
        int64_t created;
        uint64_t id;

        if (k.mv_size != STORE__PROD_KEY_LEN || store__rd32(kb) != pno)
            break;
        if (v.mv_size != 1 ||
            (*(const uint8_t *)v.mv_data & STORE__F_STATUS_MASK) != REVIEW_APPROVED)
            continue;
        created = store__key_prod_created(kb);
        id = store__key_prod_id(kb);
        for (size_t i = 0; rc == 0 && i < nfrom; i++)
            if (!in_list(to, nto, from[i]))
                rc = one(t, STORE_SCOPE_CATEGORY, from[i], created, id, false);
        for (size_t i = 0; rc == 0 && i < nto; i++)
            if (!in_list(from, nfrom, to[i]))
                rc = one(t, STORE_SCOPE_CATEGORY, to[i], created, id, true);
    }
    if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
        rc = store__check_rc(t, mrc);
    mdb_cursor_close(c);
    return rc;
}
