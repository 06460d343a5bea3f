/* Reader tokens: bearer secrets that open a private digest in any feed
 * reader, one per subscriber so each can be revoked alone.
 *
 * The secret itself is not stored: lookups go through a 128-bit hash of it
 * (key 'h' | hash -> id), next to the record (key 'i' | id -> created_at |
 * hash | name), so listings and exports never show a working feed URL.
 * The hash is FNV-based, not cryptographic: someone who can read the data
 * folder could forge a matching secret, but such a person reads the
 * reviews directly anyway. Secrets are 256 random bits, so guessing one
 * over HTTP is hopeless.
 */
#include "chorus/store.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "chorus/base.h"
#include "store_int.h"

#define HASH_LEN 16

/* hash128 is two independent FNV-1a-64 lanes over the secret. */
static void hash128(const char *s, uint8_t *out)
{
    uint64_t a = 1469598103934665603ULL, b = 0x84222325cbf29ce4ULL;

    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        a = (a ^ *p) * 1099511628211ULL;
        b = (b ^ (uint64_t)(*p + 0x9e)) * 0x100000001b3ULL;
        b ^= b >> 29;
    }
    store__be64(out, a);
    store__be64(out + 8, b);
}

static int random_bytes(uint8_t *out, size_t n)
{
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    size_t got = 0;

    if (fd < 0)
        return CHORUS_EIO;
    while (got < n) {
        ssize_t r = read(fd, out + got, n - got);

        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    return got == n ? 0 : CHORUS_EIO;
}

int store_token_create(struct store_txn *txn, const char *name, struct store_token *out,
                       char *secret)
{
    uint8_t raw[32], hk[1 + HASH_LEN], ik[9], idv[8], *rec;
    size_t nlen = name ? strlen(name) : 0;
    uint64_t id;
    int rc;

    if (!txn->write || nlen == 0 || nlen > STORE_TOKEN_NAME || !chorus_utf8_valid(name, nlen))
        return CHORUS_EINVAL;
    rc = random_bytes(raw, sizeof(raw));
    if (rc)
        return rc;
    chorus_b64url_encode(raw, sizeof(raw), secret);
    rc = store__meta_get_u64(txn, "next_token_id", &id);
    if (rc)
        return rc;
    if (id == 0)
        id = 1;
    rc = store__meta_put_u64(txn, "next_token_id", id + 1);
    if (rc)
        return rc;
    hk[0] = 'h';
    hash128(secret, hk + 1);
    store__be64(idv, id);
    rc = store__put(txn, STORE__TOKENS, hk, sizeof(hk), idv, 8, 0);
    if (rc)
        return rc;
    ik[0] = 'i';
    store__be64(ik + 1, id);
    rec = store__enc_buf(txn, 8 + HASH_LEN + nlen);
    out->created_at = chorus_now();
    store__be64(rec, (uint64_t)out->created_at);
    memcpy(rec + 8, hk + 1, HASH_LEN);
    memcpy(rec + 8 + HASH_LEN, name, nlen);
    rc = store__put(txn, STORE__TOKENS, ik, sizeof(ik), rec, 8 + HASH_LEN + nlen, 0);
    if (rc == 0) {
        out->id = id;
        out->name = name;
    }
    return rc;
}

int store_token_delete(struct store_txn *txn, uint64_t id)
{
    uint8_t ik[9], hk[1 + HASH_LEN];
    MDB_val v;
    int rc;

    ik[0] = 'i';
    store__be64(ik + 1, id);
    rc = store__get(txn, STORE__TOKENS, ik, sizeof(ik), &v);
    if (rc)
        return rc;
    if (v.mv_size < 8 + HASH_LEN)
        return CHORUS_ECORRUPT;
    hk[0] = 'h';
    memcpy(hk + 1, (const uint8_t *)v.mv_data + 8, HASH_LEN);
    rc = store__del(txn, STORE__TOKENS, hk, sizeof(hk));
    if (rc == 0 || rc == CHORUS_ENOTFOUND)
        rc = store__del(txn, STORE__TOKENS, ik, sizeof(ik));
    return rc;
}

int store_token_check(struct store_txn *txn, const char *secret)
{
    uint8_t hk[1 + HASH_LEN];
    MDB_val v;

    if (!secret || strlen(secret) != STORE_TOKEN_LEN)
        return CHORUS_ENOTFOUND;
    hk[0] = 'h';
    hash128(secret, hk + 1);
    return store__get(txn, STORE__TOKENS, hk, sizeof(hk), &v);
}

int store_tokens_each(struct store_txn *txn, int (*cb)(void *ctx, const struct store_token *t),
                      void *ctx)
{
    uint8_t start = 'i';
    MDB_cursor *c = NULL;
    MDB_val k = {1, &start}, v;
    int rc, mrc;

    rc = store__cursor(txn, STORE__TOKENS, &c);
    if (rc)
        return rc;
    for (mrc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); mrc == 0 && rc == 0;
         mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        const uint8_t *kb = k.mv_data, *vb = v.mv_data;
        struct store_token t;
        char *name;

        if (k.mv_size != 9 || kb[0] != 'i')
            break;
        if (v.mv_size < 8 + HASH_LEN) {
            rc = CHORUS_ECORRUPT;
            break;
        }
        name = store__arena_alloc(&txn->arena, v.mv_size - 8 - HASH_LEN + 1);
        memcpy(name, vb + 8 + HASH_LEN, v.mv_size - 8 - HASH_LEN);
        name[v.mv_size - 8 - HASH_LEN] = '\0';
        t.id = store__rd64(kb + 1);
        t.created_at = (int64_t)store__rd64(vb);
        t.name = name;
        rc = cb(ctx, &t);
    }
    if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
        rc = store__check_rc(txn, mrc);
    mdb_cursor_close(c);
    return rc == CHORUS_ESTOP ? 0 : rc;
}
