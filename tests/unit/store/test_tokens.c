/* Reader tokens: made, checked and revoked; kept as HMAC-SHA-256 under the
 * folder's key, never as the token or its schema-2 hash; schema-2 tokens
 * wrapped on open and still working; store_check naming a token in the old
 * format. */
#include "store_helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "testmain.h"

#include "chorus/base.h"
#include "store_int.h"

struct tok {
    struct store_token t;
    char secret[STORE_TOKEN_LEN + 1];
    uint64_t del;
    int rc;
    bool create;
};

static int tok_write(struct store_txn *txn, void *ctx)
{
    struct tok *k = ctx;

    k->rc = k->create ? store_token_create(txn, "team", &k->t, k->secret)
                      : store_token_delete(txn, k->del);
    return 0;
}

static int count_tokens(void *ctx, const struct store_token *t)
{
    assert_string_equal(t->name, "team");
    (*(int *)ctx)++;
    return 0;
}

CHORUS_TEST_SETUP(tokens_live_and_die, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct store_txn *t = NULL;
    struct tok a = {.create = true}, b = {.create = true}, d = {.create = false};
    int n = 0;

    assert_int_equal(store_write(f->s, tok_write, &a), 0);
    assert_int_equal(store_write(f->s, tok_write, &b), 0);
    assert_int_equal(a.rc, 0);
    assert_int_equal(strlen(a.secret), STORE_TOKEN_LEN);
    assert_true(strcmp(a.secret, b.secret) != 0);
    assert_true(b.t.id == a.t.id + 1);
    assert_int_equal(store_read_begin(f->s, &t), 0);
    assert_int_equal(store_token_check(t, a.secret), 0);
    assert_int_equal(store_token_check(t, b.secret), 0);
    assert_int_equal(store_token_check(t, "short"), CHORUS_ENOTFOUND);
    a.secret[5] ^= 1;
    assert_int_equal(store_token_check(t, a.secret), CHORUS_ENOTFOUND);
    a.secret[5] ^= 1;
    assert_int_equal(store_tokens_each(t, count_tokens, &n), 0);
    assert_int_equal(n, 2);
    store_read_end(t);
    d.del = a.t.id;
    assert_int_equal(store_write(f->s, tok_write, &d), 0);
    assert_int_equal(d.rc, 0);
    assert_int_equal(store_write(f->s, tok_write, &d), 0);
    assert_int_equal(d.rc, CHORUS_ENOTFOUND);
    assert_int_equal(store_read_begin(f->s, &t), 0);
    assert_int_equal(store_token_check(t, a.secret), CHORUS_ENOTFOUND);
    assert_int_equal(store_token_check(t, b.secret), 0);
    store_read_end(t);
    store_txn_free(t);
}

/* ---- what is stored ------------------------------------------------------------ */

/* A token as schema 2 wrote it (store_token_create before schema 3). */
struct legacy_tok {
    uint64_t id;
    const char *secret; /* STORE_TOKEN_LEN bytes */
    const char *name;
};

static int write_legacy(struct store_txn *t, void *ctx)
{
    const struct legacy_tok *l = ctx;
    uint8_t hk[17], ik[9], idv[8], rec[8 + 16 + 64];
    size_t nlen = strlen(l->name);
    int rc;

    hk[0] = 'h';
    store__token_hash128(l->secret, hk + 1);
    store__be64(idv, l->id);
    ik[0] = 'i';
    store__be64(ik + 1, l->id);
    store__be64(rec, (uint64_t)chorus_now());
    memcpy(rec + 8, hk + 1, 16);
    memcpy(rec + 24, l->name, nlen);
    rc = store__put(t, STORE__TOKENS, hk, sizeof(hk), idv, sizeof(idv), 0);
    if (rc == 0)
        rc = store__put(t, STORE__TOKENS, ik, sizeof(ik), rec, 24 + nlen, 0);
    if (rc == 0)
        rc = store__meta_put_u64(t, "next_token_id", l->id + 1);
    return rc;
}

static int set_schema_two(struct store_txn *t, void *ctx)
{
    (void)ctx;
    return store__meta_put_u32(t, "schema", 2);
}

static bool contains(const MDB_val *v, const uint8_t *needle, size_t n)
{
    const uint8_t *p = v->mv_data;

    for (size_t i = 0; i + n <= v->mv_size; i++)
        if (memcmp(p + i, needle, n) == 0)
            return true;
    return false;
}

/* holds says whether needle (n bytes) is anywhere in a key or value of the
 * tokens database. */
static bool holds(struct store *s, const uint8_t *needle, size_t n)
{
    struct store_txn *t = NULL;
    MDB_cursor *c = NULL;
    MDB_val k, v;
    bool found = false;

    assert_int_equal(store_read_begin(s, &t), 0);
    assert_int_equal(store__cursor(t, STORE__TOKENS, &c), 0);
    for (int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0 && !found;
         rc = mdb_cursor_get(c, &k, &v, MDB_NEXT))
        found = contains(&k, needle, n) || contains(&v, needle, n);
    mdb_cursor_close(c);
    store_read_end(t);
    store_txn_free(t);
    return found;
}

/* check_secret is store_token_check in a read transaction of its own. */
static int check_secret(struct store *s, const char *secret)
{
    struct store_txn *t = NULL;
    int rc;

    assert_int_equal(store_read_begin(s, &t), 0);
    rc = store_token_check(t, secret);
    store_read_end(t);
    store_txn_free(t);
    return rc;
}

/* mac_under_key is HMAC-SHA-256 of data under the folder's token key. */
static void mac_under_key(struct store *s, const void *data, size_t n, uint8_t *out)
{
    struct store_txn *t = NULL;
    unsigned len = 32;
    MDB_val v;

    assert_int_equal(store_read_begin(s, &t), 0);
    assert_int_equal(store__get(t, STORE__META, "token_key", 9, &v), 0);
    assert_int_equal(v.mv_size, 32);
    assert_non_null(HMAC(EVP_sha256(), v.mv_data, 32, data, n, out, &len));
    store_read_end(t);
    store_txn_free(t);
}

struct lines {
    const char *want;
    int n, matching;
};

static void on_line(void *ctx, const char *line)
{
    struct lines *l = ctx;

    fprintf(stderr, "check: %s\n", line);
    l->n++;
    l->matching += l->want && strstr(line, l->want) != NULL;
}

/* drift runs store_check and returns how many lines it reported; each must
 * hold want (NULL: anything). */
static int drift(struct store *s, const char *want)
{
    struct lines l = {want, 0, 0};
    uint64_t n = 0;

    assert_int_equal(store_check(s, on_line, &l, &n), 0);
    assert_int_equal((uint64_t)l.n, n);
    if (want)
        assert_int_equal(l.matching, l.n);
    return l.n;
}

static int count_any(void *ctx, const struct store_token *t)
{
    (void)t;
    (*(int *)ctx)++;
    return 0;
}

CHORUS_TEST_SETUP(tokens_are_kept_as_hmacs, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct tok a = {.create = true};
    uint8_t old[16], mac[32];

    assert_int_equal(store_write(f->s, tok_write, &a), 0);
    assert_int_equal(a.rc, 0);
    store__token_hash128(a.secret, old);
    mac_under_key(f->s, a.secret, STORE_TOKEN_LEN, mac);
    assert_false(holds(f->s, (const uint8_t *)a.secret, STORE_TOKEN_LEN));
    assert_false(holds(f->s, old, sizeof(old)));
    assert_false(holds(f->s, old, 8)); /* nor either FNV lane alone */
    assert_false(holds(f->s, old + 8, 8));
    assert_true(holds(f->s, mac, sizeof(mac)));
    assert_int_equal(drift(f->s, NULL), 0);
}

CHORUS_TEST_SETUP(schema_two_tokens_are_wrapped, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct legacy_tok l1 = {3, "legacy-token-one-0123456789abcdefghijklmnop", "night shift"},
                      l2 = {4, "legacy-token-two-0123456789abcdefghijklmnop", "hinge team"};
    struct tok made = {.create = true}, del = {.create = false};
    struct store_txn *t = NULL;
    char wrong[STORE_TOKEN_LEN + 1];
    uint8_t h1[16], h2[16], wrapped[32];
    uint32_t schema = 0;
    int n = 0;

    assert_int_equal(strlen(l1.secret), STORE_TOKEN_LEN);
    assert_int_equal(strlen(l2.secret), STORE_TOKEN_LEN);
    assert_int_equal(store_write(f->s, write_legacy, &l1), 0);
    assert_int_equal(store_write(f->s, write_legacy, &l2), 0);
    assert_int_equal(store_write(f->s, set_schema_two, NULL), 0);
    store__token_hash128(l1.secret, h1);
    store__token_hash128(l2.secret, h2);
    /* The control: the old hashes are there to be found before the upgrade. */
    assert_true(holds(f->s, h1, sizeof(h1)));
    assert_true(holds(f->s, h2, sizeof(h2)));

    fx_reopen(f);
    assert_int_equal(store_read_begin(f->s, &t), 0);
    assert_int_equal(store__meta_get_u32(t, "schema", &schema), 0);
    store_read_end(t);
    store_txn_free(t);
    t = NULL;
    assert_int_equal(schema, CHORUS_SCHEMA_VERSION);
    assert_false(holds(f->s, h1, sizeof(h1)));
    assert_false(holds(f->s, h2, sizeof(h2)));
    assert_false(holds(f->s, h1, 8));
    assert_false(holds(f->s, h2 + 8, 8));
    mac_under_key(f->s, h1, sizeof(h1), wrapped);
    assert_true(holds(f->s, wrapped, sizeof(wrapped)));
    assert_int_equal(drift(f->s, NULL), 0);

    assert_int_equal(check_secret(f->s, l1.secret), 0);
    assert_int_equal(check_secret(f->s, l2.secret), 0);
    memcpy(wrong, l1.secret, sizeof(wrong));
    wrong[20] ^= 1;
    assert_int_equal(check_secret(f->s, wrong), CHORUS_ENOTFOUND);
    assert_int_equal(store_read_begin(f->s, &t), 0);
    assert_int_equal(store_tokens_each(t, count_any, &n), 0);
    store_read_end(t);
    store_txn_free(t);
    assert_int_equal(n, 2);

    /* Ids go on from the old ones; old and new live side by side. */
    assert_int_equal(store_write(f->s, tok_write, &made), 0);
    assert_int_equal(made.rc, 0);
    assert_int_equal(made.t.id, 5);
    assert_int_equal(check_secret(f->s, made.secret), 0);
    del.del = l1.id;
    assert_int_equal(store_write(f->s, tok_write, &del), 0);
    assert_int_equal(del.rc, 0);
    assert_int_equal(check_secret(f->s, l1.secret), CHORUS_ENOTFOUND);
    assert_int_equal(check_secret(f->s, l2.secret), 0);
    assert_false(holds(f->s, wrapped, sizeof(wrapped)));
    assert_int_equal(drift(f->s, NULL), 0);

    /* Reopened again, nothing is upgraded twice. */
    fx_reopen(f);
    assert_int_equal(check_secret(f->s, l2.secret), 0);
    assert_int_equal(check_secret(f->s, made.secret), 0);
}

CHORUS_TEST_SETUP(check_names_old_format_tokens, fx_setup, fx_teardown)
{
    struct fx *f = *state;
    struct legacy_tok l = {7, "legacy-token-one-0123456789abcdefghijklmnop", "ops"};

    assert_int_equal(drift(f->s, NULL), 0);
    /* Written past the upgrade, as a copy of old records would be. */
    assert_int_equal(store_write(f->s, write_legacy, &l), 0);
    assert_int_equal(drift(f->s, "legacy"), 2);
    assert_int_equal(check_secret(f->s, l.secret), CHORUS_ENOTFOUND);
}

CHORUS_TEST_MAIN()
