/* Key packing. Every integer is big-endian so that LMDB's byte order is
 * numeric order; signed times are biased first so that negative times (before
 * 1970) sort before positive ones, and fields meant to scan newest first are
 * stored as their complement.
 */
#include "store_int.h"

#include <string.h>

#define SIGN_BIT (UINT64_C(1) << 63)

uint64_t store__time_bias(int64_t t)
{
    return (uint64_t)t ^ SIGN_BIT;
}

int64_t store__time_unbias(uint64_t u)
{
    uint64_t v = u ^ SIGN_BIT;
    int64_t t;

    /* memcpy: converting an unsigned value above INT64_MAX to int64_t is
     * implementation-defined; the bit pattern is what was stored. */
    memcpy(&t, &v, sizeof(t));
    return t;
}

uint32_t store__day_of(int64_t t)
{
    uint64_t d;

    if (t < 0)
        return 0;
    d = (uint64_t)t / 86400;
    /* Below 2^31 (the year 5.8 million), so the write cache can pack a
     * (kind, number, day) into 64 bits. */
    return d > STORE__DAY_LAST ? STORE__DAY_LAST : (uint32_t)d;
}

uint8_t store__flags(const struct review *r)
{
    return (uint8_t)(((unsigned)r->status & STORE__F_STATUS_MASK) |
                     (r->verified ? STORE__F_VERIFIED : 0) | (r->helpful ? STORE__F_VOTED : 0) |
                     ((unsigned)r->rating << STORE__F_RATING_SHIFT));
}

void store__key_prod(uint8_t *k, uint32_t pno, int rating, int64_t created, uint64_t id)
{
    store__be32(k, pno);
    k[4] = (uint8_t)rating;
    store__be64(k + 5, ~store__time_bias(created));
    store__be64(k + 13, ~id);
}

void store__key_helpful(uint8_t *k, uint32_t pno, uint32_t helpful, int64_t created, uint64_t id)
{
    store__be32(k, pno);
    store__be32(k + 4, ~helpful);
    store__be64(k + 8, ~store__time_bias(created));
    store__be64(k + 16, ~id);
}

void store__key_time(uint8_t *k, int64_t ingested, uint64_t id)
{
    store__be64(k, store__time_bias(ingested));
    store__be64(k + 8, id);
}

void store__key_status(uint8_t *k, enum review_status st, uint64_t id)
{
    k[0] = (uint8_t)st;
    store__be64(k + 1, id);
}

void store__key_agg(uint8_t *k, uint8_t kind, uint32_t no)
{
    k[0] = kind;
    store__be32(k + 1, no);
}

void store__key_day(uint8_t *k, uint8_t kind, uint32_t no, uint32_t day)
{
    k[0] = kind;
    store__be32(k + 1, no);
    store__be32(k + 5, day);
}

size_t store__key_dedupe(uint8_t *k, const char *source, const char *source_id)
{
    size_t sl, il;

    if (!source || !*source)
        source = "api";
    sl = strlen(source);
    il = strlen(source_id);
    if (sl > CHORUS_MAX_SOURCE || il > CHORUS_MAX_SOURCE_ID)
        return 0;
    /* NUL cannot occur inside a C string, so the separator is unambiguous. */
    memcpy(k, source, sl);
    k[sl] = 0;
    memcpy(k + sl + 1, source_id, il);
    return sl + 1 + il;
}

size_t store__key_category(uint8_t *k, const char *path, size_t plen, uint32_t pno)
{
    memcpy(k, path, plen);
    k[plen] = 0;
    store__be32(k + plen + 1, pno);
    return plen + 5;
}

int64_t store__key_prod_created(const uint8_t *k)
{
    return store__time_unbias(~store__rd64(k + 5));
}

uint64_t store__key_prod_id(const uint8_t *k)
{
    return ~store__rd64(k + 13);
}
