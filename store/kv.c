/* Raw LMDB access, the one place its codes become CHORUS_E codes: thin
 * wrappers that take keys and values as bytes, and the meta values (schema,
 * counters) stored under names. Every other file of store/ reaches LMDB
 * through these, which is what keeps MDB_* codes inside this module.
 */
#include "chorus/store.h"

#include <errno.h>
#include <string.h>
#include <sys/statvfs.h>

#include "store_int.h"

/* ---- errors ------------------------------------------------------------------ */

int store__err(int rc)
{
    switch (rc) {
    case MDB_SUCCESS:
        return 0;
    case MDB_NOTFOUND:
        return CHORUS_ENOTFOUND;
    case MDB_KEYEXIST:
        return CHORUS_EEXIST;
    case MDB_MAP_FULL:
        return CHORUS_EMAPFULL;
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_INVALID:
    case MDB_VERSION_MISMATCH:
    case MDB_INCOMPATIBLE:
        return CHORUS_ECORRUPT;
    case MDB_BAD_VALSIZE:
        return CHORUS_EINVAL;
    case MDB_TXN_FULL:
    case MDB_CURSOR_FULL:
    case MDB_PAGE_FULL:
        return CHORUS_ETOOBIG;
    case MDB_READERS_FULL:
    case MDB_MAP_RESIZED:
        return CHORUS_EBUSY;
    case ENOMEM:
        return CHORUS_ENOMEM;
    case ENOSPC:
    case EDQUOT:
        return CHORUS_ENOSPC;
    default:
        return CHORUS_EIO;
    }
}

/* disk_full says whether the filesystem of the data folder is (nearly)
 * out of room for an unprivileged writer. */
static bool disk_full(const struct store *s)
{
    struct statvfs st;

    if (statvfs(s->dir, &st) != 0)
        return false;
    return (uint64_t)st.f_bavail * st.f_frsize < STORE__DISK_SLACK;
}

int store__check_rc(struct store_txn *t, int rc)
{
    if (rc == MDB_MAP_FULL)
        t->mapfull = true;
    /* LMDB writes a transaction's pages with pwrite(v), at commit or when it
     * spills them. A write that finds no room at all fails with ENOSPC, but
     * one that finds some comes back short and LMDB answers EIO ("short
     * write, filesystem full?"). Either way nothing was committed and the
     * environment stays usable (only a failed meta-page write makes it
     * fatal, and meta pages are rewritten in place, never allocated), so a
     * full disk is a condition to report, not a broken store: the writer
     * goes on and succeeds once space returns. */
    if (rc == EIO && disk_full(t->s))
        return CHORUS_ENOSPC;
    return store__err(rc);
}

/* ---- thin wrappers: MDB_val in, CHORUS_E out ------------------------------------- */

int store__get(struct store_txn *t, enum store__db db, const void *k, size_t klen, MDB_val *v)
{
    MDB_val key = {klen, (void *)k};

    return store__check_rc(t, mdb_get(t->txn, t->s->dbi[db], &key, v));
}

int store__put(struct store_txn *t, enum store__db db, const void *k, size_t klen, const void *v,
               size_t vlen, unsigned flags)
{
    MDB_val key = {klen, (void *)k}, val = {vlen, (void *)v};

    return store__check_rc(t, mdb_put(t->txn, t->s->dbi[db], &key, &val, flags));
}

int store__put_new(struct store_txn *t, enum store__db db, const void *k, size_t klen,
                   const void *v, size_t vlen, MDB_val *existing)
{
    MDB_val key = {klen, (void *)k}, val = {vlen, (void *)v};
    int rc = mdb_put(t->txn, t->s->dbi[db], &key, &val, MDB_NOOVERWRITE);

    if (rc == MDB_KEYEXIST)
        *existing = val;
    return store__check_rc(t, rc);
}

int store__reserve(struct store_txn *t, enum store__db db, const void *k, size_t klen, size_t vlen,
                   unsigned flags, uint8_t **out)
{
    MDB_val key = {klen, (void *)k}, val = {vlen, NULL};
    int rc = store__check_rc(t, mdb_put(t->txn, t->s->dbi[db], &key, &val, flags | MDB_RESERVE));

    *out = rc ? NULL : val.mv_data;
    return rc;
}

int store__del(struct store_txn *t, enum store__db db, const void *k, size_t klen)
{
    MDB_val key = {klen, (void *)k};
    int rc = mdb_del(t->txn, t->s->dbi[db], &key, NULL);

    return rc == MDB_NOTFOUND ? 0 : store__check_rc(t, rc);
}

int store__cursor(struct store_txn *t, enum store__db db, MDB_cursor **out)
{
    int rc = mdb_cursor_open(t->txn, t->s->dbi[db], out);

    if (rc)
        *out = NULL;
    return store__check_rc(t, rc);
}

/* ---- meta values --------------------------------------------------------------- */

/* meta_get reads a big-endian number of width bytes (4 or 8); a missing
 * one reads as 0. */
static int meta_get(struct store_txn *t, const char *name, size_t width, uint64_t *out)
{
    MDB_val v;
    int rc = store__get(t, STORE__META, name, strlen(name), &v);

    *out = 0;
    if (rc == CHORUS_ENOTFOUND)
        return 0;
    if (rc)
        return rc;
    if (v.mv_size != width)
        return CHORUS_ECORRUPT;
    *out = width == 8 ? store__rd64(v.mv_data) : store__rd32(v.mv_data);
    return 0;
}

int store__meta_get_u64(struct store_txn *t, const char *name, uint64_t *out)
{
    return meta_get(t, name, 8, out);
}

int store__meta_put_u64(struct store_txn *t, const char *name, uint64_t v)
{
    uint8_t b[8];

    store__be64(b, v);
    return store__put(t, STORE__META, name, strlen(name), b, sizeof(b), 0);
}

int store__meta_get_u32(struct store_txn *t, const char *name, uint32_t *out)
{
    uint64_t v;
    int rc = meta_get(t, name, 4, &v);

    *out = (uint32_t)v;
    return rc;
}

int store__meta_put_u32(struct store_txn *t, const char *name, uint32_t v)
{
    uint8_t b[4];

    store__be32(b, v);
    return store__put(t, STORE__META, name, strlen(name), b, sizeof(b), 0);
}
