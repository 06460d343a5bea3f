/* The LMDB environment: opening it (the schema check, the named databases,
 * the folder's instance) and its map, which grows when a write fills it
 * while every transaction of the process waits. store_open (open.c) builds a
 * store on top.
 */
#include "chorus/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "chorus/base.h"
#include "store_int.h"

static const char *const db_names[STORE__NDB] = {
    [STORE__META] = "meta",
    [STORE__REVIEWS] = "reviews",
    [STORE__BY_PROD] = "by_prod",
    [STORE__BY_HELPFUL] = "by_helpful",
    [STORE__BY_TIME] = "by_time",
    [STORE__BY_STATUS] = "by_status",
    [STORE__DEDUPE] = "dedupe",
    [STORE__PRODUCT_NO] = "product_no",
    [STORE__PRODUCTS] = "products",
    [STORE__CATEGORIES] = "categories",
    [STORE__BY_CATEGORY] = "by_category",
    [STORE__AGGREGATES] = "aggregates",
    [STORE__DAILY] = "daily",
    [STORE__BY_SCOPE] = "by_scope",
    [STORE__TOKENS] = "tokens",
    [STORE__SOURCES] = "sources",
    [STORE__BY_CONTENT] = "by_content",
    [STORE__COMP_DAYS] = "comp_days",
    [STORE__ISSUES] = "issues",
    [STORE__ISSUES_BY_PROD] = "issues_by_prod",
    [STORE__ISSUE_OF] = "issue_of",
    [STORE__ISSUE_REVIEWS] = "issue_reviews",
    [STORE__RELEASES] = "releases",
};

const char *store__db_name(int i)
{
    return db_names[i];
}

/* Transactions this thread has active, in any store. A thread that holds a
 * snapshot must not wait for all snapshots to end (it would wait for itself),
 * and must not be held back from opening another while a resize waits. */
static _Thread_local unsigned tl_active;

/* ---- map size --------------------------------------------------------------- */

/* wake tells a resize waiting for the last transaction to end that it may
 * go on. Taking the lock orders the broadcast after the resize's check. */
static void wake(struct store *s)
{
    pthread_mutex_lock(&s->mu);
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

void store__txn_enter(struct store *s)
{
    /* Counted first, then the flag read; a resize sets the flag first, then
     * reads the count (both sequentially consistent): one of the two sees
     * the other, so no transaction starts on a map being replaced. */
    atomic_fetch_add(&s->active, 1);
    while (tl_active == 0 && atomic_load(&s->resizing)) {
        if (atomic_fetch_sub(&s->active, 1) == 1)
            wake(s);
        pthread_mutex_lock(&s->mu);
        while (atomic_load(&s->resizing))
            pthread_cond_wait(&s->cv, &s->mu);
        pthread_mutex_unlock(&s->mu);
        atomic_fetch_add(&s->active, 1);
    }
    tl_active++;
}

void store__txn_leave(struct store *s)
{
    if (atomic_fetch_sub(&s->active, 1) == 1 && atomic_load(&s->resizing))
        wake(s);
    tl_active--;
}

/* resize sets the map to size (0: adopt the size another process committed)
 * once no transaction of this process is active. `seen` is the size the
 * caller's failed transaction ran with: when another thread has grown the map
 * past it meanwhile, there is nothing left to do. */
static int resize(struct store *s, size_t size, size_t seen)
{
    MDB_envinfo info;
    int rc = 0;

    if (tl_active > 0)
        return CHORUS_EBUSY;
    pthread_mutex_lock(&s->mu);
    while (atomic_load(&s->resizing))
        pthread_cond_wait(&s->cv, &s->mu);
    if (size && s->mapsize > seen)
        goto out;
    atomic_store(&s->resizing, true);
    while (atomic_load(&s->active) > 0)
        pthread_cond_wait(&s->cv, &s->mu);
    rc = store__err(mdb_env_set_mapsize(s->env, size));
    if (rc == 0 && mdb_env_info(s->env, &info) == 0)
        s->mapsize = info.me_mapsize;
    atomic_store(&s->resizing, false);
    pthread_cond_broadcast(&s->cv);
out:
    pthread_mutex_unlock(&s->mu);
    return rc;
}

int store__map_grow(struct store *s, size_t seen)
{
    return resize(s, seen * 2, seen);
}

int store__map_adopt(struct store *s)
{
    return resize(s, 0, 0);
}

size_t store__mapsize(struct store *s)
{
    size_t n;

    pthread_mutex_lock(&s->mu);
    n = s->mapsize;
    pthread_mutex_unlock(&s->mu);
    return n;
}

/* ---- open and close ---------------------------------------------------------------- */

/* init_instance reads, or on a new folder draws, the folder's random
 * instance number. Reviews that arrive without a source id get one made of
 * it and their review id, so an export re-imported into the same folder
 * updates them instead of duplicating them, and one imported into another
 * folder cannot collide with that folder's own. Returns an MDB code. */
static int init_instance(struct store *s, MDB_txn *txn)
{
    MDB_val key = {8, "instance"}, val;
    uint8_t b[8];
    uint64_t v = 0;
    int rc;

    rc = mdb_get(txn, s->dbi[STORE__META], &key, &val);
    if (rc == 0 && val.mv_size == 8) {
        s->instance = store__rd64(val.mv_data);
        return 0;
    }
    if (rc != MDB_NOTFOUND)
        return rc == 0 ? MDB_CORRUPTED : rc;
    if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v)) {
        struct timespec ts;

        /* No entropy source: the clock still makes folders differ. */
        clock_gettime(CLOCK_REALTIME, &ts);
        v = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ULL ^ (uint64_t)ts.tv_sec ^
            (uint64_t)getpid() << 32;
    }
    s->instance = v;
    store__be64(b, v);
    val.mv_size = sizeof(b);
    val.mv_data = b;
    return mdb_put(txn, s->dbi[STORE__META], &key, &val, 0);
}

/* init_dbs opens every named database in one write transaction, after making
 * sure the folder is not from a newer Chorus. Nothing is written to a newer
 * folder: the transaction is aborted before commit. */
static int init_dbs(struct store *s, uint32_t *found, char *errbuf, size_t errlen)
{
    MDB_txn *txn = NULL;
    MDB_val key = {6, "schema"}, val;
    uint8_t b[4];
    uint32_t schema = 0;
    int rc;

    rc = mdb_txn_begin(s->env, NULL, 0, &txn);
    if (rc == MDB_MAP_RESIZED) {
        /* Another process grew the map since we read its size; no
         * transaction is open here yet, so adopting the new size is safe. */
        rc = mdb_env_set_mapsize(s->env, 0);
        if (rc == 0)
            rc = mdb_txn_begin(s->env, NULL, 0, &txn);
    }
    if (rc) {
        txn = NULL;
        snprintf(errbuf, errlen, "cannot start a transaction in data folder %s: %s", s->dir,
                 mdb_strerror(rc));
        rc = store__err(rc);
        goto out;
    }
    for (int i = 0; i < STORE__NDB; i++) {
        rc = mdb_dbi_open(txn, db_names[i], MDB_CREATE, &s->dbi[i]);
        if (rc) {
            snprintf(errbuf, errlen, "cannot open database %s in data folder %s: %s", db_names[i],
                     s->dir, mdb_strerror(rc));
            rc = store__err(rc);
            goto out;
        }
        if (i == STORE__META) {
            rc = mdb_get(txn, s->dbi[i], &key, &val);
            if (rc == 0 && val.mv_size == 4) {
                schema = store__rd32(val.mv_data);
            } else if (rc == 0 || rc != MDB_NOTFOUND) {
                snprintf(errbuf, errlen, "data folder %s has an unreadable schema version", s->dir);
                rc = CHORUS_ECORRUPT;
                goto out;
            }
            if (schema > CHORUS_SCHEMA_VERSION) {
                snprintf(errbuf, errlen,
                         "data folder %s was written by a newer Chorus (schema %u); this build "
                         "reads schema %d",
                         s->dir, (unsigned)schema, CHORUS_SCHEMA_VERSION);
                rc = CHORUS_ESCHEMA;
                goto out;
            }
        }
    }
    if (schema == 0) {
        store__be32(b, CHORUS_SCHEMA_VERSION);
        val.mv_size = sizeof(b);
        val.mv_data = b;
        rc = mdb_put(txn, s->dbi[STORE__META], &key, &val, 0);
        if (rc) {
            snprintf(errbuf, errlen, "cannot initialise data folder %s: %s", s->dir,
                     mdb_strerror(rc));
            rc = store__err(rc);
            goto out;
        }
    }
    *found = schema;
    rc = init_instance(s, txn);
    if (rc) {
        snprintf(errbuf, errlen, "cannot initialise data folder %s: %s", s->dir, mdb_strerror(rc));
        rc = store__err(rc);
        goto out;
    }
    rc = mdb_txn_commit(txn);
    txn = NULL;
    if (rc) {
        snprintf(errbuf, errlen, "cannot initialise data folder %s: %s", s->dir, mdb_strerror(rc));
        rc = store__err(rc);
    }
out:
    if (txn)
        mdb_txn_abort(txn);
    return rc;
}

int store__env_open(struct store *s, uint32_t *schema, char *errbuf, size_t errlen)
{
    char *path = NULL;
    struct stat st;
    MDB_envinfo info;
    size_t plen;
    int rc;

    rc = mdb_env_create(&s->env);
    if (rc) {
        s->env = NULL;
        snprintf(errbuf, errlen, "cannot set up LMDB for %s: %s", s->dir, mdb_strerror(rc));
        rc = store__err(rc);
        goto out;
    }
    mdb_env_set_maxdbs(s->env, STORE__NDB + 2);
    mdb_env_set_maxreaders(s->env, 126);

    /* A new folder starts with a small map; an existing one keeps the size
     * its meta page records, which may have grown far past the default. */
    plen = strlen(s->dir) + sizeof("/data.mdb");
    path = malloc(plen);
    if (!path)
        abort();
    snprintf(path, plen, "%s/data.mdb", s->dir);
    if (stat(path, &st) != 0)
        mdb_env_set_mapsize(s->env, STORE__INITIAL_MAPSIZE);

    rc = mdb_env_open(s->env, s->dir, MDB_NOTLS, 0644);
    if (rc) {
        snprintf(errbuf, errlen, "cannot open data folder %s: %s", s->dir, mdb_strerror(rc));
        rc = store__err(rc);
        goto out;
    }
    rc = init_dbs(s, schema, errbuf, errlen);
    if (rc)
        goto out;
    rc = mdb_env_info(s->env, &info);
    if (rc) {
        snprintf(errbuf, errlen, "cannot read the map size of %s: %s", s->dir, mdb_strerror(rc));
        rc = store__err(rc);
        goto out;
    }
    s->mapsize = info.me_mapsize;
out:
    free(path);
    return rc;
}

void store__env_close(struct store *s)
{
    if (s->env)
        mdb_env_close(s->env);
    s->env = NULL;
}

int store_map_use(struct store *s, uint64_t *map_bytes, uint64_t *used_bytes)
{
    MDB_envinfo info;
    MDB_stat st;
    int rc = store__err(mdb_env_info(s->env, &info));

    if (rc == 0)
        rc = store__err(mdb_env_stat(s->env, &st));
    *map_bytes = store__mapsize(s);
    *used_bytes = rc == 0 ? (uint64_t)(info.me_last_pgno + 1) * st.ms_psize : 0;
    return rc;
}
