/* Pulled sources: configuration and poll state, one record per source in
 * the `sources` database (id u64 big-endian -> record).
 *
 * Record (version 1): version u8, kind u8, status u8, interval u32,
 * created_at i64, then the state's numbers (next_poll_at, last_poll_at i64;
 * items_seen, items_added, items_updated, items_rejected, polls, failures
 * u64; errors, backoff, n_reasons u32), then length-prefixed strings (u32
 * length, bytes): url, headers, product_id, product_map, json_map (length
 * 0xffffffff = NULL), last_status, etag, last_modified and n_reasons
 * reasons, then items_merged u64, then a flags byte (SRC_F_*); records
 * written before either existed end before it: no merges, no flags. Sources are few and small, so a
 * state update rewrites the whole record: simpler than a second database and still one page write.
 *
 * The next source id is the meta counter "next_source_id".
 */
#include "chorus/store.h"

#include <stdio.h>
#include <string.h>

#include "chorus/base.h"
#include "store_int.h"

#define NULL_LEN 0xffffffffu
#define FIXED    (1 + 1 + 1 + 4 + 8 + 8 + 8 + 6 * 8 + 3 * 4)

#define SRC_F_CATALOGUE 0x01 /* source_config.catalogue */
#define SRC_F_KNOWN     SRC_F_CATALOGUE

static bool cfg_valid(const struct source_config *c)
{
    size_t n;

    if (c->kind > SOURCE_GOOGLE || !c->url ||
        (c->status != REVIEW_APPROVED && c->status != REVIEW_PENDING))
        return false;
    n = strlen(c->url);
    if (n == 0 || n > SOURCE_MAX_URL || c->interval == 0 || c->interval > SOURCE_INTERVAL_MAX)
        return false;
    if (c->headers && strlen(c->headers) > SOURCE_MAX_HEADERS)
        return false;
    if (c->product_id && (!c->product_id[0] || strlen(c->product_id) > CHORUS_MAX_PRODUCT_ID))
        return false;
    if (c->product_map && strlen(c->product_map) > SOURCE_MAX_MAP)
        return false;
    return !c->json_map || strlen(c->json_map) <= SOURCE_MAX_JSON_MAP;
}

static size_t str_size(const char *s)
{
    return 4 + (s ? strlen(s) : 0);
}

static uint8_t *put_str(uint8_t *p, const char *s)
{
    size_t n = s ? strlen(s) : 0;

    store__be32(p, s ? (uint32_t)n : NULL_LEN);
    if (n)
        memcpy(p + 4, s, n);
    return p + 4 + n;
}

static size_t rec_size(const struct source_config *c, const struct source_state *st)
{
    size_t n = FIXED + str_size(c->url) + str_size(c->headers) + str_size(c->product_id) +
               str_size(c->product_map) + str_size(c->json_map) + str_size(st->last_status) +
               str_size(st->etag) + str_size(st->last_modified);

    for (uint32_t i = 0; i < st->n_reasons && i < SOURCE_MAX_REASONS; i++)
        n += str_size(st->reasons[i]);
    return n + 8 + 1;
}

static void rec_encode(uint8_t *p, int64_t created, const struct source_config *c,
                       const struct source_state *st)
{
    uint32_t nr = st->n_reasons < SOURCE_MAX_REASONS ? st->n_reasons : SOURCE_MAX_REASONS;

    *p++ = STORE__RECORD_VERSION;
    *p++ = (uint8_t)c->kind;
    *p++ = (uint8_t)c->status;
    store__be32(p, c->interval);
    store__be64(p + 4, (uint64_t)created);
    store__be64(p + 12, (uint64_t)st->next_poll_at);
    store__be64(p + 20, (uint64_t)st->last_poll_at);
    store__be64(p + 28, st->items_seen);
    store__be64(p + 36, st->items_added);
    store__be64(p + 44, st->items_updated);
    store__be64(p + 52, st->items_rejected);
    store__be64(p + 60, st->polls);
    store__be64(p + 68, st->failures);
    store__be32(p + 76, st->errors);
    store__be32(p + 80, st->backoff);
    store__be32(p + 84, nr);
    p += 88;
    p = put_str(p, c->url);
    p = put_str(p, c->headers);
    p = put_str(p, c->product_id);
    p = put_str(p, c->product_map);
    p = put_str(p, c->json_map);
    p = put_str(p, st->last_status);
    p = put_str(p, st->etag);
    p = put_str(p, st->last_modified);
    for (uint32_t i = 0; i < nr; i++)
        p = put_str(p, st->reasons[i]);
    store__be64(p, st->items_merged);
    p[8] = c->catalogue ? SRC_F_CATALOGUE : 0;
}

/* get_str reads one string into the arena (heap = NUL-terminated copy) or,
 * when fixed is not NULL, into fixed (cap bytes, cut). */
static int get_str(struct store_txn *t, const uint8_t **p, const uint8_t *end, const char **out,
                   char *fixed, size_t cap)
{
    uint32_t n;
    char *s;

    if (end - *p < 4)
        return CHORUS_ECORRUPT;
    n = store__rd32(*p);
    *p += 4;
    if (n == NULL_LEN) {
        if (out)
            *out = NULL;
        if (fixed)
            fixed[0] = '\0';
        return 0;
    }
    if ((size_t)(end - *p) < n)
        return CHORUS_ECORRUPT;
    if (fixed) {
        size_t k = n < cap ? n : cap - 1;

        memcpy(fixed, *p, k);
        fixed[k] = '\0';
    } else {
        s = store__arena_alloc(&t->arena, (size_t)n + 1);
        memcpy(s, *p, n);
        s[n] = '\0';
        *out = s;
    }
    *p += n;
    return 0;
}

static int rec_decode(struct store_txn *t, const MDB_val *v, struct store_source *out)
{
    const uint8_t *p = v->mv_data, *end = p + v->mv_size;
    struct source_state *st = &out->st;
    struct source_config *c = &out->cfg;
    uint32_t nr;
    int rc;

    if (v->mv_size < FIXED || p[0] != STORE__RECORD_VERSION || p[1] > SOURCE_GOOGLE)
        return CHORUS_ECORRUPT;
    memset(st, 0, sizeof(*st));
    c->kind = (enum source_kind)p[1];
    c->status = (enum review_status)p[2];
    p += 3;
    c->interval = store__rd32(p);
    out->created_at = (int64_t)store__rd64(p + 4);
    st->next_poll_at = (int64_t)store__rd64(p + 12);
    st->last_poll_at = (int64_t)store__rd64(p + 20);
    st->items_seen = store__rd64(p + 28);
    st->items_added = store__rd64(p + 36);
    st->items_updated = store__rd64(p + 44);
    st->items_rejected = store__rd64(p + 52);
    st->polls = store__rd64(p + 60);
    st->failures = store__rd64(p + 68);
    st->errors = store__rd32(p + 76);
    st->backoff = store__rd32(p + 80);
    nr = store__rd32(p + 84);
    if (nr > SOURCE_MAX_REASONS)
        return CHORUS_ECORRUPT;
    p += 88;
    rc = get_str(t, &p, end, &c->url, NULL, 0);
    if (rc == 0)
        rc = get_str(t, &p, end, &c->headers, NULL, 0);
    if (rc == 0)
        rc = get_str(t, &p, end, &c->product_id, NULL, 0);
    if (rc == 0)
        rc = get_str(t, &p, end, &c->product_map, NULL, 0);
    if (rc == 0)
        rc = get_str(t, &p, end, &c->json_map, NULL, 0);
    if (rc == 0)
        rc = get_str(t, &p, end, NULL, st->last_status, sizeof(st->last_status));
    if (rc == 0)
        rc = get_str(t, &p, end, NULL, st->etag, sizeof(st->etag));
    if (rc == 0)
        rc = get_str(t, &p, end, NULL, st->last_modified, sizeof(st->last_modified));
    for (uint32_t i = 0; rc == 0 && i < nr; i++)
        rc = get_str(t, &p, end, NULL, st->reasons[i], sizeof(st->reasons[i]));
    if (rc == 0 && end - p >= 8) {
        st->items_merged = store__rd64(p);
        p += 8;
    }
    c->catalogue = false;
    if (rc == 0 && end - p == 1) {
        if (p[0] & ~SRC_F_KNOWN)
            rc = CHORUS_ECORRUPT;
        c->catalogue = (p[0] & SRC_F_CATALOGUE) != 0;
        p++;
    }
    if (rc == 0 && (!c->url || p != end))
        rc = CHORUS_ECORRUPT;
    st->n_reasons = nr;
    return rc;
}

static int rec_put(struct store_txn *t, uint64_t id, int64_t created, const struct source_config *c,
                   const struct source_state *st)
{
    uint8_t k[8], *p;
    size_t n = rec_size(c, st);
    int rc;

    store__be64(k, id);
    rc = store__reserve(t, STORE__SOURCES, k, sizeof(k), n, 0, &p);
    if (rc == 0)
        rec_encode(p, created, c, st);
    return rc;
}

int store_source_get(struct store_txn *t, uint64_t id, struct store_source *out)
{
    uint8_t k[8];
    MDB_val v;
    int rc;

    store__be64(k, id);
    rc = store__get(t, STORE__SOURCES, k, sizeof(k), &v);
    if (rc)
        return rc;
    out->id = id;
    return rec_decode(t, &v, out);
}

int store_source_create(struct store_txn *txn, const struct source_config *cfg,
                        int64_t next_poll_at, uint64_t *id)
{
    struct source_state st;
    uint64_t next;
    int rc;

    if (!txn->write || !cfg_valid(cfg))
        return CHORUS_EINVAL;
    rc = store__meta_get_u64(txn, "next_source_id", &next);
    if (rc)
        return rc;
    if (next == 0)
        next = 1;
    rc = store__meta_put_u64(txn, "next_source_id", next + 1);
    if (rc)
        return rc;
    memset(&st, 0, sizeof(st));
    st.next_poll_at = next_poll_at;
    snprintf(st.last_status, sizeof(st.last_status), "not polled yet");
    rc = rec_put(txn, next, chorus_now(), cfg, &st);
    if (rc == 0 && id)
        *id = next;
    return rc;
}

int store_source_replace(struct store_txn *txn, uint64_t id, const struct source_config *cfg)
{
    struct store_source old;
    int rc;

    if (!txn->write || !cfg_valid(cfg))
        return CHORUS_EINVAL;
    rc = store_source_get(txn, id, &old);
    if (rc)
        return rc;
    return rec_put(txn, id, old.created_at, cfg, &old.st);
}

int store_source_delete(struct store_txn *txn, uint64_t id)
{
    uint8_t k[8];
    MDB_val v;
    int rc;

    store__be64(k, id);
    rc = store__get(txn, STORE__SOURCES, k, sizeof(k), &v);
    if (rc)
        return rc;
    return store__del(txn, STORE__SOURCES, k, sizeof(k));
}

int store_sources_each(struct store_txn *txn, int (*cb)(void *ctx, const struct store_source *src),
                       void *ctx)
{
    MDB_cursor *c = NULL;
    MDB_val k, v;
    int rc = 0, mrc;

    rc = store__cursor(txn, STORE__SOURCES, &c);
    if (rc)
        return rc;
    for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0 && rc == 0;
         mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        struct store_source src;
        struct store__mark m;

        if (k.mv_size != 8) {
            rc = CHORUS_ECORRUPT;
            break;
        }
        /* Each source's strings go back to the arena after its call, so a
         * long walk does not hold every record at once. */
        store__arena_mark(&txn->arena, &m);
        src.id = store__rd64(k.mv_data);
        rc = rec_decode(txn, &v, &src);
        if (rc == 0)
            rc = cb(ctx, &src);
        store__arena_release(&txn->arena, &m);
    }
    if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
        rc = store__check_rc(txn, mrc);
    mdb_cursor_close(c);
    return rc == CHORUS_ESTOP ? 0 : rc;
}

int store_source_state_put(struct store_txn *txn, uint64_t id, const struct source_state *st)
{
    struct store_source old;
    struct store__mark m;
    int rc;

    if (!txn->write)
        return CHORUS_EINVAL;
    store__arena_mark(&txn->arena, &m);
    rc = store_source_get(txn, id, &old);
    if (rc == 0) {
        /* rec_put may write over the page old's strings were read from;
         * they are arena copies, so that is safe. */
        rc = rec_put(txn, id, old.created_at, &old.cfg, st);
    }
    store__arena_release(&txn->arena, &m);
    return rc;
}
