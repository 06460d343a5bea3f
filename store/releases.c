/* A product's releases: the firmware, driver and software versions its
 * engineers shipped, and when.
 *
 * One value per product in `releases`, replaced whole by each put: a list
 * is short (CHORUS_MAX_RELEASES at most, a few dozen in practice) and is
 * always read whole, by the product page and by whoever looks for the
 * release before a day. The value, after the format-version byte:
 *
 *   count u16, then per release: released_at i64 (biased, big-endian),
 *   version (u16 length, the bytes, a NUL), notes (the same; length 0xFFFF
 *   and nothing after it for none)
 *
 * sorted by released_at then version, so readers walk it in order and
 * "the release before t" stops at the first one after t. The NULs let the
 * strings handed out point straight into LMDB's map, borrowed from the
 * transaction like every other record's.
 */
#include "chorus/store.h"

#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"
#include "store_int.h"

#define NOTES_NONE 0xFFFFu

static void be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static int cmp_release(const void *a, const void *b)
{
    const struct product_release *x = a, *y = b;

    if (x->released_at != y->released_at)
        return x->released_at < y->released_at ? -1 : 1;
    return strcmp(x->version, y->version);
}

static bool release_valid(const struct product_release *r)
{
    size_t n = r->version ? strlen(r->version) : 0;

    return n > 0 && n <= CHORUS_MAX_RELEASE_VERSION && r->released_at != 0 &&
           (!r->notes || strlen(r->notes) <= CHORUS_MAX_RELEASE_NOTES);
}

int store_product_releases_put(struct store_txn *txn, const char *id,
                               const struct product_release *rel, size_t n)
{
    struct product_release *sorted = NULL;
    uint8_t k[4], *v, *p;
    size_t size = 3;
    uint32_t pno;
    int rc;

    if (!txn->write || n > CHORUS_MAX_RELEASES)
        return CHORUS_EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (!release_valid(&rel[i]))
            return CHORUS_EINVAL;
        size += 8 + 3 + strlen(rel[i].version) + 2 + (rel[i].notes ? strlen(rel[i].notes) + 1 : 0);
    }
    rc = store__product_no(txn, id, &pno);
    if (rc)
        return rc;
    store__be32(k, pno);
    if (n == 0) {
        rc = store__del(txn, STORE__RELEASES, k, 4);
        goto bump;
    }
    sorted = store__arena_alloc(&txn->arena, n * sizeof(*sorted));
    memcpy(sorted, rel, n * sizeof(*sorted));
    qsort(sorted, n, sizeof(*sorted), cmp_release);
    /* A version names one release: two entries for "BIOS 1.14" would make
     * "since BIOS 1.14" ambiguous. Sorting by time does not bring equal
     * versions together, so this is the quadratic check over a list that
     * is capped. */
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(sorted[i].version, sorted[j].version) == 0)
                return CHORUS_EINVAL;
    rc = store__reserve(txn, STORE__RELEASES, k, 4, size, 0, &v);
    if (rc)
        return rc;
    v[0] = STORE__RECORD_VERSION;
    be16(v + 1, (uint16_t)n);
    p = v + 3;
    for (size_t i = 0; i < n; i++) {
        size_t vl = strlen(sorted[i].version);
        size_t nl = sorted[i].notes ? strlen(sorted[i].notes) : 0;

        store__be64(p, (uint64_t)sorted[i].released_at ^ ((uint64_t)1 << 63));
        be16(p + 8, (uint16_t)vl);
        memcpy(p + 10, sorted[i].version, vl + 1);
        p += 10 + vl + 1;
        be16(p, sorted[i].notes ? (uint16_t)nl : NOTES_NONE);
        p += 2;
        if (sorted[i].notes) {
            memcpy(p, sorted[i].notes, nl + 1);
            p += nl + 1;
        }
    }
bump:
    /* The product's page shows its releases. */
    if (rc == 0)
        rc = store__agg_bump(txn, STORE__KIND_PRODUCT, pno);
    return rc;
}

/* get_text reads a length-prefixed, NUL-terminated string of the record,
 * borrowed from the map. NULL for "none" where may_be_none. */
static int get_text(const uint8_t **p, size_t *left, bool may_be_none, const char **out)
{
    uint16_t n;

    if (*left < 2)
        return CHORUS_ECORRUPT;
    n = rd16(*p);
    *p += 2;
    *left -= 2;
    if (may_be_none && n == NOTES_NONE) {
        *out = NULL;
        return 0;
    }
    if ((size_t)n >= *left || (*p)[n] != 0 || memchr(*p, '\0', n))
        return CHORUS_ECORRUPT;
    *out = (const char *)*p;
    *p += (size_t)n + 1;
    *left -= (size_t)n + 1;
    return 0;
}

int store__releases_decode(const void *data, size_t len, store_release_fn fn, void *ctx)
{
    const uint8_t *p = data;
    size_t left = len, n;
    int64_t prev = INT64_MIN;
    int rc;

    if (left < 3 || p[0] != STORE__RECORD_VERSION)
        return CHORUS_ECORRUPT;
    n = rd16(p + 1);
    p += 3;
    left -= 3;
    if (n == 0 || n > CHORUS_MAX_RELEASES)
        return CHORUS_ECORRUPT;
    for (size_t i = 0; i < n; i++) {
        struct product_release r;

        if (left < 8)
            return CHORUS_ECORRUPT;
        r.released_at = (int64_t)(store__rd64(p) ^ ((uint64_t)1 << 63));
        p += 8;
        left -= 8;
        rc = get_text(&p, &left, false, &r.version);
        if (rc == 0)
            rc = get_text(&p, &left, true, &r.notes);
        /* Out of order would break "the release before t". */
        if (rc == 0 && (!*r.version || r.released_at == 0 || r.released_at < prev))
            rc = CHORUS_ECORRUPT;
        prev = r.released_at;
        if (rc == 0 && fn)
            rc = fn(ctx, &r);
        if (rc)
            return rc;
    }
    return left == 0 ? 0 : CHORUS_ECORRUPT;
}

int store_product_releases(struct store_txn *txn, const char *id, store_release_fn fn, void *ctx)
{
    uint8_t k[4];
    uint32_t pno;
    MDB_val v;
    int rc;

    rc = store__product_no(txn, id, &pno);
    if (rc)
        return rc;
    store__be32(k, pno);
    rc = store__get(txn, STORE__RELEASES, k, 4, &v);
    if (rc == CHORUS_ENOTFOUND)
        return 0;
    return rc ? rc : store__releases_decode(v.mv_data, v.mv_size, fn, ctx);
}

struct before {
    int64_t t;
    struct product_release best;
    bool found;
};

static int keep_before(void *ctx, const struct product_release *r)
{
    struct before *b = ctx;

    if (r->released_at > b->t)
        return CHORUS_ESTOP; /* sorted: none later can be before t */
    b->best = *r;
    b->found = true;
    return 0;
}

int store_product_release_before(struct store_txn *txn, const char *id, int64_t t,
                                 struct product_release *out)
{
    struct before b = {.t = t};
    int rc = store_product_releases(txn, id, keep_before, &b);

    if (rc && rc != CHORUS_ESTOP)
        return rc;
    if (!b.found)
        return CHORUS_ENOTFOUND;
    *out = b.best;
    return 0;
}
