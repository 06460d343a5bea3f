/* Recognising one review syndicated through several sources.
 *
 * Two items are copies of one review when they name the same product and
 * their author and body agree once normalised: letters folded to lower case
 * (ASCII and Latin-1), digits kept, and everything else that feeds and
 * retailers rewrite on the way dropped: spaces, line breaks, ASCII and
 * U+0080..U+00BF, the General Punctuation block (typographic quotes,
 * dashes, ellipses), and U+FFFD and stray bytes (a repaired byte says
 * nothing about the text). Other characters count as they are.
 *
 * by_content maps product number | 96 bits of a hash of the normalised
 * author and body to the first review stored with them. A hit is confirmed
 * by comparing the normalised texts, so a collision (even one a hostile
 * feed aimed for) can only cost a merge, never make a wrong one.
 */
#include "store_int.h"

#include <string.h>

#include "chorus/base.h"

/* Short bodies ("Great laptop, love it") are written independently by many
 * people; below this many kept characters a body is not taken as proof. */
#define MIN_CHARS 24

struct norm {
    const char *p, *end;
};

static void norm_init(struct norm *n, const char *s)
{
    n->p = s ? s : "";
    n->end = n->p + strlen(n->p);
}

/* norm_next returns the next kept character of n folded, or 0 at the end. */
static uint32_t norm_next(struct norm *n)
{
    while (n->p < n->end) {
        uint32_t cp;
        size_t len = chorus_utf8_decode(n->p, (size_t)(n->end - n->p), &cp);

        if (len == 0) {
            n->p++;
            continue; /* a stray byte, like its repaired form U+FFFD */
        }
        n->p += len;
        if (cp < 0x80) {
            if (cp >= 'A' && cp <= 'Z')
                return cp + 32;
            if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9'))
                return cp;
            continue;
        }
        if (cp <= 0xBF || (cp >= 0x2000 && cp <= 0x206F) || cp == 0xFFFD)
            continue;
        if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)
            return cp + 32;
        return cp;
    }
    return 0;
}

/* mix folds one character into both hash lanes. */
static void mix(uint64_t *a, uint64_t *b, uint32_t cp)
{
    uint8_t bytes[4] = {(uint8_t)cp, (uint8_t)(cp >> 8), (uint8_t)(cp >> 16), (uint8_t)(cp >> 24)};

    *a = chorus_fnv64(*a, bytes, cp < 0x100 ? 1 : 4);
    *b = (*b ^ cp) * 0x9E3779B97F4A7C15ULL;
    *b ^= *b >> 31;
}

bool store__content_key(uint8_t *k, uint32_t pno, const struct review *r)
{
    uint64_t a = CHORUS_FNV64_INIT, b = 0x6a09e667f3bcc909ULL;
    struct norm n;
    size_t chars = 0;
    uint32_t cp;

    norm_init(&n, r->body);
    while ((cp = norm_next(&n)) != 0) {
        mix(&a, &b, cp);
        chars++;
    }
    if (chars < MIN_CHARS)
        return false;
    mix(&a, &b, 0x110000); /* a separator no character can be */
    norm_init(&n, r->author);
    while ((cp = norm_next(&n)) != 0)
        mix(&a, &b, cp);
    store__be32(k, pno);
    store__be64(k + 4, a);
    store__be32(k + 12, (uint32_t)(b >> 32));
    return true;
}

static bool same_text(const char *x, const char *y)
{
    struct norm a, b;
    uint32_t ca, cb;

    norm_init(&a, x);
    norm_init(&b, y);
    do {
        ca = norm_next(&a);
        cb = norm_next(&b);
        if (ca != cb)
            return false;
    } while (ca != 0);
    return true;
}

bool store__same_content(const struct review *a, const struct review *b)
{
    return strcmp(a->product_id, b->product_id) == 0 && same_text(a->body, b->body) &&
           same_text(a->author, b->author);
}

/* ---- the by_content index ----------------------------------------------------- */

int store__content_find(struct store_txn *t, uint32_t pno, const struct review *r, uint64_t *id)
{
    uint8_t k[STORE__CONTENT_KEY_LEN];
    MDB_val v;
    int rc;

    if (!store__content_key(k, pno, r))
        return CHORUS_ENOTFOUND;
    rc = store__get(t, STORE__BY_CONTENT, k, sizeof(k), &v);
    if (rc == 0 && v.mv_size != 8)
        rc = CHORUS_ECORRUPT;
    if (rc == 0)
        *id = store__rd64(v.mv_data);
    return rc;
}

int store__content_move(struct store_txn *t, uint64_t id, const struct review *old, uint32_t opno,
                        const struct review *nw, uint32_t npno, bool add)
{
    uint8_t ko[STORE__CONTENT_KEY_LEN], kn[STORE__CONTENT_KEY_LEN], idv[8];
    bool has_old = old && store__content_key(ko, opno, old);
    bool has_new = nw && store__content_key(kn, npno, nw);
    bool indexed = false;
    MDB_val v;
    int rc = 0;

    if (has_old) {
        rc = store__get(t, STORE__BY_CONTENT, ko, sizeof(ko), &v);
        if (rc == CHORUS_ENOTFOUND)
            rc = 0;
        else if (rc == 0)
            indexed = v.mv_size == 8 && store__rd64(v.mv_data) == id;
        if (rc)
            return rc;
    }
    if (indexed && has_new && memcmp(ko, kn, sizeof(ko)) == 0)
        return 0;
    if (indexed)
        rc = store__del(t, STORE__BY_CONTENT, ko, sizeof(ko));
    if (rc == 0 && has_new && (indexed || add)) {
        /* Taken by another review with the same key (a collision, or a copy
         * stored past the origin cap): that one keeps it. */
        store__be64(idv, id);
        rc = store__put_new(t, STORE__BY_CONTENT, kn, sizeof(kn), idv, 8, &v);
        if (rc == CHORUS_EEXIST)
            rc = 0;
    }
    return rc;
}
