/* Reader tokens: bearer secrets that open a private digest in any feed
 * reader, one per subscriber so each can be revoked alone.
 *
 * The secret itself is not stored, only an HMAC-SHA-256 of it under a key
 * of the folder's own (meta "token_key", 32 random bytes made the first time
 * a token is). Layout of the tokens database (schema 3):
 *
 *   'i' | id u64       -> version u8, form u8 ('m' or 'w'), created_at i64,
 *                         mac[32], name
 *   'm' | mac[0..16)   -> id u64      mac = HMAC(key, token)
 *   'w' | mac[0..16)   -> id u64      mac = HMAC(key, hash128(token)): wrapped
 *
 * The index holds half of the MAC, the record all of it, compared in
 * constant time: the lookup's own timing then says nothing about the part
 * that decides. Secrets are 256 random bits, so neither guessing one over
 * HTTP nor searching for one that matches a copied MAC (with the key, from a
 * backup) is feasible.
 *
 * Schema 2 kept a 128-bit FNV hash of the token (hash128) under 'h' and in
 * the record, which is no such barrier: whoever held a backup could build a
 * secret that matches it. Opening a schema-2 folder wraps each of those
 * hashes into an HMAC (store__tokens_upgrade) and deletes them, so existing
 * tokens keep working. A wrapped token stays wrapped: checks run in read
 * transactions on the serving threads, where rewriting it would mean a
 * write on the request's path, and the wrapped MAC is as hard to work back
 * from, its input being a 128-bit value that is stored nowhere.
 */
#include "chorus/store.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "chorus/base.h"
#include "check_int.h"
#include "store_int.h"

#define KEY_NAME     "token_key" /* meta */
#define KEY_LEN      32
#define MAC_LEN      32
#define SEL_LEN      16 /* of the MAC, in the index key */
#define REC_HEAD     (1 + 1 + 8 + MAC_LEN)
#define FORM_MAC     'm'
#define FORM_WRAPPED 'w'

/* Schema 2: 'h' | hash -> id, 'i' | id -> created_at | hash | name. */
#define LEGACY_INDEX    'h'
#define LEGACY_HASH_LEN 16

/* A record, decoded; name is borrowed from the value. */
struct rec {
    uint8_t form;
    int64_t created_at;
    const uint8_t *mac;
    const char *name;
    size_t name_len;
};

void store__token_hash128(const char *s, uint8_t out[16])
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

static void mac_of(const uint8_t *key, const void *data, size_t n, uint8_t *out)
{
    unsigned len = MAC_LEN;

    /* HMAC fails only when the digest cannot be set up: nothing to go on. */
    if (!HMAC(EVP_sha256(), key, KEY_LEN, data, n, out, &len) || len != MAC_LEN)
        abort();
}

/* key_get reads the folder's MAC key into key; CHORUS_ENOTFOUND while no
 * token was ever made. With make (write transactions) a missing key is
 * made and stored first. */
static int key_get(struct store_txn *t, bool make, uint8_t *key)
{
    MDB_val v;
    int rc = store__get(t, STORE__META, KEY_NAME, strlen(KEY_NAME), &v);

    if (rc == 0 && v.mv_size != KEY_LEN)
        return CHORUS_ECORRUPT;
    if (rc == 0) {
        memcpy(key, v.mv_data, KEY_LEN);
        return 0;
    }
    if (rc != CHORUS_ENOTFOUND || !make)
        return rc;
    if (RAND_bytes(key, KEY_LEN) != 1)
        return CHORUS_EIO;
    return store__put(t, STORE__META, KEY_NAME, strlen(KEY_NAME), key, KEY_LEN, 0);
}

static bool rec_decode(const MDB_val *v, struct rec *out)
{
    const uint8_t *p = v->mv_data;

    if (v->mv_size < REC_HEAD || p[0] != STORE__RECORD_VERSION ||
        (p[1] != FORM_MAC && p[1] != FORM_WRAPPED))
        return false;
    out->form = p[1];
    out->created_at = (int64_t)store__rd64(p + 2);
    out->mac = p + 10;
    out->name = (const char *)p + REC_HEAD;
    out->name_len = v->mv_size - REC_HEAD;
    return true;
}

static void index_key(uint8_t *k, uint8_t form, const uint8_t *mac)
{
    k[0] = form;
    memcpy(k + 1, mac, SEL_LEN);
}

static void rec_key(uint8_t *k, uint64_t id)
{
    k[0] = 'i';
    store__be64(k + 1, id);
}

/* put_token writes token id's record and index entry. The index key is new
 * or the token's own: two tokens sharing 128 bits of MAC would take a
 * broken random source. */
static int put_token(struct store_txn *t, uint64_t id, uint8_t form, int64_t created_at,
                     const uint8_t *mac, const char *name, size_t nlen)
{
    uint8_t hk[1 + SEL_LEN], ik[9], idv[8], *rec;
    MDB_val old;
    int rc;

    index_key(hk, form, mac);
    store__be64(idv, id);
    rc = store__put_new(t, STORE__TOKENS, hk, sizeof(hk), idv, sizeof(idv), &old);
    if (rc == CHORUS_EEXIST)
        rc = old.mv_size == 8 && store__rd64(old.mv_data) == id ? 0 : CHORUS_ECORRUPT;
    if (rc)
        return rc;
    rec_key(ik, id);
    rec = store__enc_buf(t, REC_HEAD + nlen);
    rec[0] = STORE__RECORD_VERSION;
    rec[1] = form;
    store__be64(rec + 2, (uint64_t)created_at);
    memcpy(rec + 10, mac, MAC_LEN);
    memcpy(rec + REC_HEAD, name, nlen);
    return store__put(t, STORE__TOKENS, ik, sizeof(ik), rec, REC_HEAD + nlen, 0);
}

int store_token_create(struct store_txn *txn, const char *name, struct store_token *out,
                       char *secret)
{
    uint8_t raw[32], key[KEY_LEN], mac[MAC_LEN];
    size_t nlen = name ? strlen(name) : 0;
    uint64_t id;
    int rc;

    if (!txn->write || nlen == 0 || nlen > STORE_TOKEN_NAME || !chorus_utf8_valid(name, nlen))
        return CHORUS_EINVAL;
    rc = key_get(txn, true, key);
    if (rc)
        return rc;
    if (RAND_bytes(raw, sizeof(raw)) != 1)
        return CHORUS_EIO;
    chorus_b64url_encode(raw, sizeof(raw), secret);
    rc = store__meta_get_u64(txn, "next_token_id", &id);
    if (rc)
        return rc;
    if (id == 0)
        id = 1;
    rc = store__meta_put_u64(txn, "next_token_id", id + 1);
    if (rc)
        return rc;
    mac_of(key, secret, STORE_TOKEN_LEN, mac);
    out->created_at = chorus_now();
    rc = put_token(txn, id, FORM_MAC, out->created_at, mac, name, nlen);
    if (rc == 0) {
        out->id = id;
        out->name = name;
    }
    return rc;
}

int store_token_delete(struct store_txn *txn, uint64_t id)
{
    uint8_t ik[9], hk[1 + SEL_LEN];
    struct rec r;
    MDB_val v;
    int rc;

    rec_key(ik, id);
    rc = store__get(txn, STORE__TOKENS, ik, sizeof(ik), &v);
    if (rc)
        return rc;
    if (!rec_decode(&v, &r))
        return CHORUS_ECORRUPT;
    index_key(hk, r.form, r.mac);
    rc = store__del(txn, STORE__TOKENS, hk, sizeof(hk));
    if (rc == 0)
        rc = store__del(txn, STORE__TOKENS, ik, sizeof(ik));
    return rc;
}

/* lookup says whether mac, of the given form, is a live token's (0) or not
 * (CHORUS_ENOTFOUND). */
static int lookup(struct store_txn *t, uint8_t form, const uint8_t *mac)
{
    uint8_t hk[1 + SEL_LEN], ik[9];
    struct rec r;
    MDB_val v;
    int rc;

    index_key(hk, form, mac);
    rc = store__get(t, STORE__TOKENS, hk, sizeof(hk), &v);
    if (rc)
        return rc;
    if (v.mv_size != 8)
        return CHORUS_ECORRUPT;
    rec_key(ik, store__rd64(v.mv_data));
    rc = store__get(t, STORE__TOKENS, ik, sizeof(ik), &v);
    if (rc == 0 && !rec_decode(&v, &r))
        rc = CHORUS_ECORRUPT;
    if (rc == 0 && (r.form != form ||
                    !chorus_ct_equal((const char *)r.mac, MAC_LEN, (const char *)mac, MAC_LEN)))
        rc = CHORUS_ENOTFOUND;
    return rc;
}

int store_token_check(struct store_txn *txn, const char *secret)
{
    uint8_t key[KEY_LEN], mac[MAC_LEN], h[LEGACY_HASH_LEN];
    int rc;

    if (!secret || strlen(secret) != STORE_TOKEN_LEN)
        return CHORUS_ENOTFOUND;
    rc = key_get(txn, false, key);
    if (rc)
        return rc; /* no key: no token was ever made */
    mac_of(key, secret, STORE_TOKEN_LEN, mac);
    rc = lookup(txn, FORM_MAC, mac);
    if (rc == CHORUS_ENOTFOUND) {
        store__token_hash128(secret, h);
        mac_of(key, h, sizeof(h), mac);
        rc = lookup(txn, FORM_WRAPPED, mac);
    }
    return rc;
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
        const uint8_t *kb = k.mv_data;
        struct store_token t;
        struct rec r;
        char *name;

        if (k.mv_size != 9 || kb[0] != 'i')
            break;
        if (!rec_decode(&v, &r)) {
            rc = CHORUS_ECORRUPT;
            break;
        }
        name = store__arena_alloc(&txn->arena, r.name_len + 1);
        memcpy(name, r.name, r.name_len);
        name[r.name_len] = '\0';
        t.id = store__rd64(kb + 1);
        t.created_at = r.created_at;
        t.name = name;
        rc = cb(ctx, &t);
    }
    if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
        rc = store__check_rc(txn, mrc);
    mdb_cursor_close(c);
    return rc == CHORUS_ESTOP ? 0 : rc;
}

/* ---- schema 2 -> 3 ------------------------------------------------------------ */

/* A schema-2 entry, copied out of the database before it is rewritten: a
 * token's record, or an index key of the old hash (hash only). */
struct legacy {
    bool record;
    uint64_t id;
    int64_t created_at;
    uint8_t hash[LEGACY_HASH_LEN];
    char *name; /* the arena's */
    size_t name_len;
    struct legacy *next;
};

int store__tokens_upgrade(struct store_txn *t)
{
    struct legacy *list = NULL;
    struct store__mark m;
    uint8_t key[KEY_LEN], mac[MAC_LEN], hk[1 + LEGACY_HASH_LEN];
    MDB_cursor *c = NULL;
    MDB_val k, v;
    int rc, mrc;

    store__arena_mark(&t->arena, &m);
    rc = store__cursor(t, STORE__TOKENS, &c);
    if (rc)
        return rc;
    /* Collected first: the walk must not meet what it writes. */
    for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0;
         mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        const uint8_t *kb = k.mv_data, *vb = v.mv_data;
        struct legacy *l = store__arena_alloc(&t->arena, sizeof(*l));

        memset(l, 0, sizeof(*l));
        if (k.mv_size == 1 + LEGACY_HASH_LEN && kb[0] == LEGACY_INDEX) {
            memcpy(l->hash, kb + 1, LEGACY_HASH_LEN);
        } else if (k.mv_size == 9 && kb[0] == 'i' && v.mv_size >= 8 + LEGACY_HASH_LEN) {
            l->record = true;
            l->id = store__rd64(kb + 1);
            l->created_at = (int64_t)store__rd64(vb);
            memcpy(l->hash, vb + 8, LEGACY_HASH_LEN);
            l->name_len = v.mv_size - 8 - LEGACY_HASH_LEN;
            l->name = store__arena_alloc(&t->arena, l->name_len + 1);
            memcpy(l->name, vb + 8 + LEGACY_HASH_LEN, l->name_len);
        } else {
            rc = CHORUS_ECORRUPT;
            break;
        }
        l->next = list;
        list = l;
    }
    if (rc == 0 && mrc != MDB_NOTFOUND)
        rc = store__check_rc(t, mrc);
    mdb_cursor_close(c);
    if (rc == 0 && list)
        rc = key_get(t, true, key);
    for (struct legacy *l = list; rc == 0 && l; l = l->next) {
        if (!l->record) {
            hk[0] = LEGACY_INDEX;
            memcpy(hk + 1, l->hash, LEGACY_HASH_LEN);
            rc = store__del(t, STORE__TOKENS, hk, sizeof(hk));
            continue;
        }
        mac_of(key, l->hash, LEGACY_HASH_LEN, mac);
        rc = put_token(t, l->id, FORM_WRAPPED, l->created_at, mac, l->name, l->name_len);
    }
    store__arena_release(&t->arena, &m);
    return rc;
}

/* ---- store_check ------------------------------------------------------------------ */

/* What the walk over the tokens database counts. */
struct token_pass {
    uint64_t index; /* index entries */
    uint64_t found; /* records found in the index */
};

static int check_one(struct store__check *ck, const MDB_val *k, const MDB_val *v, void *ctx)
{
    const uint8_t *kb = k->mv_data;
    struct token_pass *tp = ctx;
    uint8_t hk[1 + SEL_LEN];
    struct rec r;
    MDB_val iv;
    uint64_t id;

    if (k->mv_size == 1 + SEL_LEN && (kb[0] == FORM_MAC || kb[0] == FORM_WRAPPED) &&
        v->mv_size == 8) {
        tp->index++;
        return 0;
    }
    if (k->mv_size != 9 || kb[0] != 'i') {
        store__check_say(ck,
                         "The tokens table holds a key in a legacy or unknown format (%zu "
                         "bytes, first byte 0x%02x).",
                         k->mv_size, k->mv_size ? kb[0] : 0u);
        return 0;
    }
    id = store__rd64(kb + 1);
    if (!rec_decode(v, &r)) {
        store__check_say(ck, "Token %" PRIu64 " is stored in a legacy or unknown format.", id);
        return 0;
    }
    index_key(hk, r.form, r.mac);
    if (store__get(ck->t, STORE__TOKENS, hk, sizeof(hk), &iv) != 0 || iv.mv_size != 8 ||
        store__rd64(iv.mv_data) != id)
        store__check_say(ck, "Token %" PRIu64 " is missing from the tokens index.", id);
    else
        tp->found++;
    return 0;
}

int store__check_tokens(struct store__check *ck)
{
    struct token_pass tp = {0, 0};
    int rc = store__check_each(ck, STORE__TOKENS, check_one, &tp);

    if (rc == 0 && tp.index != tp.found)
        store__check_say(ck, "The tokens index holds %" PRIu64 " entries for %" PRIu64 " tokens.",
                         tp.index, tp.found);
    return rc;
}
