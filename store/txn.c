/* Transactions: read snapshots that are renewed rather than re-created, and
 * store_write, which reruns its callback after growing a full map.
 */
#include "chorus/store.h"

#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"
#include "store_int.h"

/* ---- read snapshots ---------------------------------------------------------------- */

int store_read_begin(struct store *s, struct store_txn **txnp)
{
    struct store_txn *t = *txnp;
    struct store_txn *fresh = NULL;
    int rc;

    if (!t) {
        fresh = calloc(1, sizeof(*fresh));
        if (!fresh)
            abort();
        fresh->s = s;
        t = fresh;
    } else if (t->active || t->write) {
        return CHORUS_EINVAL;
    }
    for (;;) {
        store__txn_enter(s);
        if (t->txn) {
            rc = mdb_txn_renew(t->txn);
        } else {
            rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, &t->txn);
            if (rc)
                t->txn = NULL;
        }
        if (rc != MDB_MAP_RESIZED)
            break;
        /* Another process grew the map past what this one has mapped. */
        store__txn_leave(s);
        rc = store__map_adopt(s);
        if (rc)
            goto out;
    }
    if (rc) {
        store__txn_leave(s);
        rc = store__err(rc);
        goto out;
    }
    t->active = true;
    *txnp = t;
    fresh = NULL;
out:
    store_txn_free(fresh);
    return rc;
}

void store_read_end(struct store_txn *t)
{
    if (!t || !t->active || t->write)
        return;
    mdb_txn_reset(t->txn);
    t->active = false;
    store__txn_leave(t->s);
    store__arena_reset(&t->arena);
}

void store_txn_free(struct store_txn *t)
{
    if (!t)
        return;
    if (t->active && !t->write)
        store_read_end(t);
    if (t->txn)
        mdb_txn_abort(t->txn);
    store__arena_cleanup(&t->arena);
    if (t->w) {
        store__wstate_free(t->w);
        free(t->w);
    }
    free(t);
}

/* ---- writes ------------------------------------------------------------------- */

void store__wstate_reset(struct store__wstate *w)
{
    w->have_next_id = false;
    w->next_id_dirty = false;
    store__agg_cache_clear(w);
    store__pcache_clear(w);
}

void store__wstate_free(struct store__wstate *w)
{
    store__agg_cache_free(w);
    store__pcache_free(w);
    free(w->enc);
}

uint8_t *store__enc_buf(struct store_txn *t, size_t n)
{
    struct store__wstate *w = t->w;

    if (n > w->enc_alloc) {
        size_t alloc = w->enc_alloc ? w->enc_alloc : 4096;

        while (alloc < n)
            alloc *= 2;
        free(w->enc);
        w->enc = malloc(alloc);
        if (!w->enc)
            abort();
        w->enc_alloc = alloc;
    }
    return w->enc;
}

int store__peek_review_id(struct store_txn *t, uint64_t *out)
{
    struct store__wstate *w = t->w;
    int rc;

    if (!w->have_next_id) {
        rc = store__meta_get_u64(t, "next_review_id", &w->next_id);
        if (rc)
            return rc;
        if (w->next_id == 0)
            w->next_id = 1;
        w->have_next_id = true;
    }
    *out = w->next_id;
    return 0;
}

int store__next_review_id(struct store_txn *t, uint64_t *out)
{
    int rc = store__peek_review_id(t, out);

    if (rc == 0) {
        t->w->next_id++;
        t->w->next_id_dirty = true;
    }
    return rc;
}

/* flush writes what the write state holds back until commit. */
static int flush(struct store_txn *t)
{
    int rc = 0;

    if (t->w->next_id_dirty) {
        rc = store__meta_put_u64(t, "next_review_id", t->w->next_id);
        if (rc)
            return rc;
        t->w->next_id_dirty = false;
    }
    return store__agg_flush(t);
}

/* run_once runs fn in one write transaction. The map size the transaction
 * started with goes to *seen, for growing after MDB_MAP_FULL. */
static int run_once(struct store *s, struct store_txn *t, int (*fn)(struct store_txn *, void *),
                    void *ctx, size_t *seen)
{
    MDB_envinfo info;
    size_t id;
    int rc, mrc;

    t->mapfull = false;
    for (;;) {
        store__txn_enter(s);
        *seen = store__mapsize(s);
        mrc = mdb_txn_begin(s->env, NULL, 0, &t->txn);
        if (mrc != MDB_MAP_RESIZED)
            break;
        store__txn_leave(s);
        rc = store__map_adopt(s);
        if (rc)
            return rc;
    }
    if (mrc) {
        t->txn = NULL;
        store__txn_leave(s);
        return store__err(mrc);
    }
    t->active = true;
    id = mdb_txn_id(t->txn);
    /* The caches hold what this process's last commit left behind. They are
     * still true only when no other writer has committed since: then this
     * transaction's id follows that commit's directly. */
    if (!t->w->valid_after || id != t->w->valid_after + 1)
        store__wstate_reset(t->w);
    t->w->valid_after = 0;

    rc = fn(t, ctx);
    if (rc == 0 && !t->mapfull)
        rc = flush(t);
    if (rc == 0 && !t->mapfull) {
        mrc = mdb_txn_commit(t->txn);
        rc = store__check_rc(t, mrc);
        /* An empty transaction commits nothing and leaves the id unused, so
         * only a commit that shows up as the last one vouches for the caches. */
        if (rc == 0 && mdb_env_info(s->env, &info) == 0 && info.me_last_txnid == id)
            t->w->valid_after = id;
    } else {
        mdb_txn_abort(t->txn);
    }
    t->txn = NULL;
    t->active = false;
    store__txn_leave(s);
    store__arena_reset(&t->arena);
    return rc;
}

int store_write(struct store *s, int (*fn)(struct store_txn *txn, void *ctx), void *ctx)
{
    struct store_txn *t;
    size_t seen;
    int rc;

    pthread_mutex_lock(&s->wmu);
    if (!s->wtxn) {
        t = calloc(1, sizeof(*t));
        if (!t)
            abort();
        t->w = calloc(1, sizeof(*t->w));
        if (!t->w)
            abort();
        store__pcache_init(t->w);
        t->s = s;
        t->write = true;
        s->wtxn = t;
    }
    t = s->wtxn;
    for (;;) {
        rc = run_once(s, t, fn, ctx, &seen);
        if (!t->mapfull)
            break;
        /* The map filled up somewhere in fn, in the flush or in the commit:
         * everything was rolled back, so grow and run fn again from scratch. */
        rc = store__map_grow(s, seen);
        if (rc)
            break;
    }
    pthread_mutex_unlock(&s->wmu);
    return rc;
}
