/* Review writes that start from a stored review: delete, moderate, vote,
 * respond; and the single read. The ingest path is reviews.c. */
#include "chorus/store.h"

#include <string.h>

#include "chorus/base.h"
#include "store_int.h"

int store_review_delete(struct store_txn *txn, uint64_t id)
{
    uint8_t dk[STORE__DEDUPE_KEY_MAX], k[8];
    struct store__scope sc;
    struct store__mark m;
    struct review old;
    uint32_t pno;
    int rc;

    if (!txn->write)
        return CHORUS_EINVAL;
    store__arena_mark(&txn->arena, &m);
    rc = store__review_load_copy(txn, id, &old, &pno);
    if (rc == 0) {
        rc = store__product_info(txn, old.product_id, false, &sc);
        if (rc == CHORUS_ENOTFOUND)
            rc = CHORUS_ECORRUPT; /* a review of a product that is not there */
    }
    if (rc == 0) {
        store__be64(k, id);
        rc = store__del(txn, STORE__REVIEWS, k, 8);
    }
    if (rc == 0 && old.source_id && *old.source_id) {
        size_t dklen = store__key_dedupe(dk, old.source, old.source_id);

        if (dklen)
            rc = store__del(txn, STORE__DEDUPE, dk, dklen);
    }
    for (size_t i = 0; rc == 0 && i < old.n_origins; i++)
        rc = store__review_drop_origin(txn, id, &old.origins[i]);
    if (rc == 0)
        rc = store__content_move(txn, id, &old, pno, NULL, 0, false);
    if (rc == 0)
        rc = store__review_reindex(txn, id, &old, pno, NULL, 0);
    if (rc == 0)
        rc = store__review_account(txn, &old, &sc, NULL, NULL);
    store__arena_release(&txn->arena, &m);
    return rc;
}

int store_review_moderate(struct store_txn *txn, uint64_t id, enum review_status status,
                          const char *reason)
{
    struct store__mark m;
    struct review old, nw;
    uint32_t pno;
    int rc;

    if (!txn->write || (unsigned)status > REVIEW_REJECTED ||
        !store__cap_ok(reason, CHORUS_MAX_REASON))
        return CHORUS_EINVAL;
    store__arena_mark(&txn->arena, &m);
    rc = store__review_load_copy(txn, id, &old, &pno);
    if (rc == 0) {
        nw = old;
        nw.status = status;
        nw.moderation_reason = reason;
        rc = store__review_rewrite(txn, &old, pno, &nw);
    }
    store__arena_release(&txn->arena, &m);
    return rc;
}

int store_review_vote(struct store_txn *txn, uint64_t id, bool helpful)
{
    struct store__mark m;
    struct review old, nw;
    uint32_t pno;
    int rc;

    if (!txn->write)
        return CHORUS_EINVAL;
    store__arena_mark(&txn->arena, &m);
    rc = store__review_load_copy(txn, id, &old, &pno);
    if (rc == 0) {
        nw = old;
        if (helpful && nw.helpful < UINT32_MAX)
            nw.helpful++;
        else if (!helpful && nw.not_helpful < UINT32_MAX)
            nw.not_helpful++;
        /* A vote changes the record and by_helpful, and what the product's
         * own API pages show, but nothing a feed or digest shows: only the
         * product's version moves, so anonymous votes cannot keep emptying
         * the category and all-reviews caches. */
        rc = store__review_write(txn, &nw, pno);
        if (rc == 0)
            rc = store__review_reindex(txn, id, &old, pno, &nw, pno);
        if (rc == 0)
            rc = store__agg_bump(txn, STORE__KIND_PRODUCT, pno);
    }
    store__arena_release(&txn->arena, &m);
    return rc;
}

int store_review_respond(struct store_txn *txn, uint64_t id, const char *author, const char *body,
                         int64_t created_at)
{
    struct review_response *resp;
    struct store__mark m;
    struct review old, nw;
    uint32_t pno;
    int rc;

    if (!txn->write || !body || !*body || !store__cap_ok(body, CHORUS_MAX_RESPONSE) ||
        !store__cap_ok(author, CHORUS_MAX_AUTHOR))
        return CHORUS_EINVAL;
    store__arena_mark(&txn->arena, &m);
    rc = store__review_load_copy(txn, id, &old, &pno);
    if (rc == 0 && old.n_responses >= CHORUS_MAX_RESPONSES)
        rc = CHORUS_ELIMIT;
    if (rc == 0) {
        resp = store__arena_alloc(&txn->arena, (old.n_responses + 1) * sizeof(*resp));
        if (old.n_responses)
            memcpy(resp, old.responses, old.n_responses * sizeof(*resp));
        resp[old.n_responses].author = author;
        resp[old.n_responses].body = body;
        resp[old.n_responses].created_at = created_at ? created_at : chorus_now();
        nw = old;
        nw.responses = resp;
        nw.n_responses = old.n_responses + 1;
        rc = store__review_rewrite(txn, &old, pno, &nw);
    }
    store__arena_release(&txn->arena, &m);
    return rc;
}

/* ---- get ---------------------------------------------------------------------------- */

int store_review_get(struct store_txn *txn, uint64_t id, struct review *out)
{
    /* In a write transaction the record is copied: store.h lends it until
     * the callback ends, and later puts could rewrite its page. */
    if (txn->write)
        return store__review_load_copy(txn, id, out, NULL);
    return store__review_load(txn, id, out, NULL);
}
