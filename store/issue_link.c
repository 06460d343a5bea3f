/* Linking complaints to known issues, in the transaction that writes them.
 *
 * A review's link is a function of the review and of its product's issues,
 * never of history: every write that moves a review's shares
 * (store__review_account: put, edit, moderation, delete) recomputes it, an
 * issue write recomputes it for the product's complaints, and store_check
 * recomputes it for every review. The rule (docs/known-issues.md):
 * an approved complaint (store_review_complaint) links to an issue of its
 * product whose component is among the review's tagged components and, when
 * the issue has phrases, one of which its title or body contains (ASCII
 * case-insensitive). Of several such issues the winner is the one whose
 * phrases matched, then an open one (investigating, known) over a closed
 * one (fixed, not_a_defect), then the newest (highest id).
 *
 * Layout:
 *   issue_of       review id u64 -> issue id u64
 *   issue_reviews  issue id u64 | ~created u64 | ~id u64 -> empty: newest
 *                  first, for listing and for counting in a time window
 */
#include "chorus/store.h"

#include <string.h>

#include "chorus/base.h"
#include "store_int.h"

#define LINK_KEY_LEN 24

bool store_review_complaint(const struct review *r)
{
    return r->status == REVIEW_APPROVED && r->rating >= 1 &&
           r->rating <= STORE_COMPLAINT_MAX_RATING;
}

uint64_t store__issue_complaints(const struct review_stats *st)
{
    uint64_t n = 0;

    for (int i = 0; i < STORE_COMPLAINT_MAX_RATING; i++)
        n += st->histogram[i];
    return n;
}

static void link_key(uint8_t *k, uint64_t issue, int64_t created, uint64_t id)
{
    store__be64(k, issue);
    store__be64(k + 8, ~store__time_bias(created));
    store__be64(k + 16, ~id);
}

/* ---- matching --------------------------------------------------------------------- */

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool icontains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);

    for (; hay && *hay; hay++) {
        size_t i = 0;

        while (i < n && hay[i] && lower(hay[i]) == lower(needle[i]))
            i++;
        if (i == n)
            return true;
    }
    return false;
}

struct match {
    struct store_txn *t;
    const struct review *r;
    uint64_t best;
    int rank; /* of best: 2 phrases matched, 1 open */
};

static int match_one(void *ctx, uint64_t id)
{
    struct match *m = ctx;
    struct store_issue is;
    struct store__mark mk;
    int rank = 0, rc;

    store__arena_mark(&m->t->arena, &mk);
    rc = store_issue_get(m->t, id, &is);
    if (rc) {
        store__arena_release(&m->t->arena, &mk);
        return rc == CHORUS_ENOTFOUND ? CHORUS_ECORRUPT : rc;
    }
    if (review_tags_have(m->r->components, is.component)) {
        bool ok = is.n_phrases == 0;

        for (size_t i = 0; i < is.n_phrases && !ok; i++)
            ok = icontains(m->r->title, is.phrases[i]) || icontains(m->r->body, is.phrases[i]);
        rank = (is.n_phrases ? 2 : 0) +
               (is.status == STORE_ISSUE_INVESTIGATING || is.status == STORE_ISSUE_KNOWN);
        /* Ids come in ascending order: ">=" lets the newer win a tie. */
        if (ok && (!m->best || rank >= m->rank)) {
            m->best = id;
            m->rank = rank;
        }
    }
    store__arena_release(&m->t->arena, &mk);
    return 0;
}

int store__issue_match(struct store_txn *t, uint32_t pno, const struct review *r, uint64_t *issue)
{
    struct match m = {t, r, 0, 0};
    int rc = 0;

    if (store_review_complaint(r) && r->components && *r->components)
        rc = store__issues_of(t, pno, match_one, &m);
    *issue = rc ? 0 : m.best;
    return rc;
}

/* ---- keeping links -------------------------------------------------------------------- */

int store__issue_link(struct store_txn *t, const struct review *old, const struct review *nw,
                      uint32_t npno)
{
    uint64_t id = nw ? nw->id : old->id, was = 0, want = 0;
    uint8_t k[8], lk[LINK_KEY_LEN], iv[8];
    MDB_val v;
    int rc = 0;

    store__be64(k, id);
    if (old && store_review_complaint(old)) {
        rc = store__get(t, STORE__ISSUE_OF, k, 8, &v);
        if (rc == 0 && v.mv_size == 8)
            was = store__rd64(v.mv_data);
        else if (rc == 0)
            return CHORUS_ECORRUPT;
        else if (rc != CHORUS_ENOTFOUND)
            return rc;
        rc = 0;
    }
    if (nw)
        rc = store__issue_match(t, npno, nw, &want);
    if (rc)
        return rc;
    if (was == want && (!was || old->created_at == nw->created_at))
        return 0;
    if (was) {
        link_key(lk, was, old->created_at, id);
        rc = store__del(t, STORE__ISSUE_REVIEWS, lk, sizeof(lk));
        if (rc == 0 && !want)
            rc = store__del(t, STORE__ISSUE_OF, k, 8);
    }
    if (rc == 0 && want) {
        store__be64(iv, want);
        rc = store__put(t, STORE__ISSUE_OF, k, 8, iv, 8, 0);
        link_key(lk, want, nw->created_at, id);
        if (rc == 0)
            rc = store__put(t, STORE__ISSUE_REVIEWS, lk, sizeof(lk), "", 0, 0);
    }
    return rc;
}

void store__issue_fill(struct store_txn *t, struct review *r)
{
    uint8_t k[8];
    MDB_val v;

    r->known_issue = 0;
    if (!store_review_complaint(r))
        return;
    store__be64(k, r->id);
    if (store__get(t, STORE__ISSUE_OF, k, 8, &v) == 0 && v.mv_size == 8)
        r->known_issue = store__rd64(v.mv_data);
}

/* ---- relinking a product --------------------------------------------------------------- */

int store__issue_relink(struct store_txn *t, uint32_t pno, size_t relink_max)
{
    MDB_cursor *c = NULL;
    uint64_t *ids;
    size_t n = 0;
    struct review_stats st;
    int rc = store__agg_get(t, STORE__KIND_PRODUCT, pno, &st);

    if (rc)
        return rc;
    if (store__issue_complaints(&st) > relink_max)
        return CHORUS_ETOOBIG;
    /* Ids first from by_prod's complaint ratings (approved ones: the
     * aggregate counted them, so the array is big enough), then the
     * rewrites of the link tables. */
    ids = store__arena_alloc(&t->arena, (store__issue_complaints(&st) + 1) * sizeof(*ids));
    rc = store__cursor(t, STORE__BY_PROD, &c);
    for (int rating = 1; rc == 0 && rating <= STORE_COMPLAINT_MAX_RATING; rating++) {
        uint8_t k[5];
        MDB_val key = {5, k}, v;
        int mrc;

        store__be32(k, pno);
        k[4] = (uint8_t)rating;
        for (mrc = mdb_cursor_get(c, &key, &v, MDB_SET_RANGE); mrc == 0;
             mrc = mdb_cursor_get(c, &key, &v, MDB_NEXT)) {
            if (key.mv_size != STORE__PROD_KEY_LEN || memcmp(key.mv_data, k, 5) != 0)
                break;
            if (v.mv_size != 1 ||
                (*(const uint8_t *)v.mv_data & STORE__F_STATUS_MASK) != REVIEW_APPROVED)
                continue;
            if (n > store__issue_complaints(&st)) {
                rc = CHORUS_ECORRUPT;
                break;
            }
            ids[n++] = store__key_prod_id(key.mv_data);
        }
        if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
            rc = store__check_rc(t, mrc);
    }
    if (c)
        mdb_cursor_close(c);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct store__mark m;
        struct review r;

        store__arena_mark(&t->arena, &m);
        /* A copy: the link writes may spill dirty pages the record sits in
         * when the batch wrote it earlier. */
        rc = store__review_load_copy(t, ids[i], &r, NULL);
        if (rc == 0)
            rc = store__issue_link(t, &r, &r, pno);
        store__arena_release(&t->arena, &m);
    }
    return rc;
}

/* ---- reading links ------------------------------------------------------------------ */

int store_issue_reviews(struct store_txn *txn, uint64_t id, size_t limit, const char *cursor,
                        store_review_cb cb, void *ctx, char *next_cursor)
{
    uint8_t k[LINK_KEY_LEN], raw[16];
    MDB_val key = {8, k}, v;
    MDB_cursor *c = NULL;
    struct store_issue is;
    size_t n = 0;
    int rc, mrc;

    next_cursor[0] = '\0';
    if (limit == 0 || limit > 100)
        return CHORUS_EINVAL;
    rc = store_issue_get(txn, id, &is);
    if (rc)
        return rc;
    store__be64(k, id);
    if (cursor && *cursor) {
        if (chorus_b64url_decode(cursor, strlen(cursor), raw, sizeof(raw)) != 16)
            return CHORUS_EINVAL;
        memcpy(k + 8, raw, 16);
        key.mv_size = LINK_KEY_LEN;
    }
    rc = store__cursor(txn, STORE__ISSUE_REVIEWS, &c);
    if (rc)
        return rc;
    mrc = mdb_cursor_get(c, &key, &v, MDB_SET_RANGE);
    /* A cursor names the last entry given: start after it. */
    if (mrc == 0 && cursor && *cursor && key.mv_size == LINK_KEY_LEN &&
        memcmp(key.mv_data, k, LINK_KEY_LEN) == 0)
        mrc = mdb_cursor_get(c, &key, &v, MDB_NEXT);
    for (; mrc == 0 && rc == 0; mrc = mdb_cursor_get(c, &key, &v, MDB_NEXT)) {
        struct review r;

        if (key.mv_size != LINK_KEY_LEN || store__rd64(key.mv_data) != id)
            break;
        if (n == limit) {
            /* One more exists: the page ends on the entry before it. */
            chorus_b64url_encode(raw, 16, next_cursor);
            break;
        }
        memcpy(raw, (const uint8_t *)key.mv_data + 8, 16);
        rc = store__review_load(txn, ~store__rd64((const uint8_t *)key.mv_data + 16), &r, NULL);
        if (rc == CHORUS_ENOTFOUND)
            rc = CHORUS_ECORRUPT;
        if (rc == 0)
            rc = cb(ctx, &r);
        n++;
    }
    if (rc == 0 && mrc != 0 && mrc != MDB_NOTFOUND)
        rc = store__check_rc(txn, mrc);
    mdb_cursor_close(c);
    return rc == CHORUS_ESTOP ? 0 : rc;
}

int store_issue_count(struct store_txn *txn, uint64_t id, int64_t from, int64_t to, uint64_t cap,
                      uint64_t *n, int64_t *newest)
{
    uint8_t k[LINK_KEY_LEN];
    MDB_val key = {LINK_KEY_LEN, k}, v;
    MDB_cursor *c = NULL;
    int rc, mrc;

    *n = 0;
    if (newest)
        *newest = 0;
    if (to <= from)
        return 0;
    /* Newest first: start at the newest time inside the window. */
    link_key(k, id, to - 1, UINT64_MAX);
    rc = store__cursor(txn, STORE__ISSUE_REVIEWS, &c);
    if (rc)
        return rc;
    for (mrc = mdb_cursor_get(c, &key, &v, MDB_SET_RANGE); mrc == 0 && *n < cap;
         mrc = mdb_cursor_get(c, &key, &v, MDB_NEXT)) {
        int64_t created;

        if (key.mv_size != LINK_KEY_LEN || store__rd64(key.mv_data) != id)
            break;
        created = store__time_unbias(~store__rd64((const uint8_t *)key.mv_data + 8));
        if (created < from)
            break;
        if (newest && *n == 0)
            *newest = created;
        (*n)++;
    }
    if (mrc != 0 && mrc != MDB_NOTFOUND)
        rc = store__check_rc(txn, mrc);
    mdb_cursor_close(c);
    return rc;
}
