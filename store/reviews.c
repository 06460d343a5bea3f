/* Review writes (put, delete, moderate, vote, respond) and single reads.
 *
 * Every write keeps four indexes, the dedupe table, the aggregates and the
 * daily buckets exact in the same transaction. Each change is the same move:
 * the old review's entries and share out, the new one's in; only the entries
 * whose keys actually change are touched. A new review, the hot path of bulk
 * imports, costs five puts (two of them appends) and, with a source id, a
 * dedupe insert.
 */
#include "chorus/store.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "chorus/base.h"
#include "store_int.h"

/* A scope copied out of the product cache, so that a second lookup (the new
 * product of a re-ingested review) cannot pull it away. */
struct scope_copy {
    struct store__scope sc;
    uint32_t cats[STORE__MAX_LEVELS];
    char path[CHORUS_MAX_CATEGORY + 1];
};

static void scope_keep(struct scope_copy *c, const struct store__scope *sc)
{
    size_t n = strlen(sc->path);

    c->sc = *sc;
    if (n > CHORUS_MAX_CATEGORY)
        n = CHORUS_MAX_CATEGORY;
    memcpy(c->path, sc->path, n);
    c->path[n] = '\0';
    if (sc->ncat)
        memcpy(c->cats, sc->cats, sc->ncat * sizeof(uint32_t));
    c->sc.cats = c->cats;
    c->sc.path = c->path;
}

/* ---- validation ------------------------------------------------------------------- */

static bool review_valid(const struct review *r)
{
    size_t n = r->product_id ? strlen(r->product_id) : 0;

    if (n == 0 || n > CHORUS_MAX_PRODUCT_ID || r->rating < 0 || r->rating > 5 ||
        (unsigned)r->status > REVIEW_REJECTED)
        return false;
    if (!store__cap_ok(r->title, CHORUS_MAX_TITLE) || !store__cap_ok(r->body, CHORUS_MAX_BODY) ||
        !store__cap_ok(r->author, CHORUS_MAX_AUTHOR) ||
        !store__cap_ok(r->author_location, CHORUS_MAX_LOCATION) ||
        !store__cap_ok(r->language, CHORUS_MAX_LANGUAGE) ||
        !store__cap_ok(r->source, CHORUS_MAX_SOURCE) ||
        !store__cap_ok(r->source_id, CHORUS_MAX_SOURCE_ID) ||
        !store__cap_ok(r->components, STORE_TAGS_MAX - 1) ||
        !store__cap_ok(r->versions, STORE_VERSIONS_MAX - 1) ||
        !store__cap_ok(r->moderation_reason, CHORUS_MAX_REASON))
        return false;
    if (!isnan(r->sentiment) && !(r->sentiment >= -1.0 && r->sentiment <= 1.0))
        return false;
    if (r->n_responses > CHORUS_MAX_RESPONSES || (r->n_responses && !r->responses))
        return false;
    for (size_t i = 0; i < r->n_responses; i++)
        if (!store__cap_ok(r->responses[i].author, CHORUS_MAX_AUTHOR) ||
            !store__cap_ok(r->responses[i].body, CHORUS_MAX_RESPONSE))
            return false;
    return true;
}

/* A value no scorer should give (out of range, infinite) is stored as no
 * score rather than failing the write. */
double store__score(const struct store *s, const struct review *r)
{
    double v = s->scorer(s->scorer_ctx, r);

    return v >= -1.0 && v <= 1.0 ? v : NAN;
}

/* ---- loading ---------------------------------------------------------------------- */

int store__review_load(struct store_txn *t, uint64_t id, struct review *r, uint32_t *pno)
{
    uint8_t k[8];
    MDB_val v;
    int rc;

    store__be64(k, id);
    rc = store__get(t, STORE__REVIEWS, k, 8, &v);
    if (rc == 0)
        rc = store__review_decode(v.mv_data, v.mv_size, r, pno, &t->arena);
    if (rc == 0) {
        r->id = id;
        store__issue_fill(t, r);
    }
    return rc;
}

/* load_raw is store__review_load_copy that also gives the copied record
 * (raw may be NULL). */
static int load_raw(struct store_txn *t, uint64_t id, struct review *r, uint32_t *pno, MDB_val *raw)
{
    uint8_t k[8];
    MDB_val v;
    void *copy;
    int rc;

    store__be64(k, id);
    rc = store__get(t, STORE__REVIEWS, k, 8, &v);
    if (rc)
        return rc;
    copy = store__arena_alloc(&t->arena, v.mv_size);
    memcpy(copy, v.mv_data, v.mv_size);
    rc = store__review_decode(copy, v.mv_size, r, pno, &t->arena);
    if (rc == 0) {
        r->id = id;
        store__issue_fill(t, r);
    }
    if (raw) {
        raw->mv_data = copy;
        raw->mv_size = v.mv_size;
    }
    return rc;
}

int store__review_load_copy(struct store_txn *t, uint64_t id, struct review *r, uint32_t *pno)
{
    return load_raw(t, id, r, pno, NULL);
}

/* ---- indexes ---------------------------------------------------------------------- */

int store__review_reindex(struct store_txn *t, uint64_t id, const struct review *old, uint32_t opno,
                          const struct review *nw, uint32_t npno)
{
    uint8_t ko[STORE__HELPFUL_KEY_LEN], kn[STORE__HELPFUL_KEY_LEN];
    uint8_t fo = old ? store__flags(old) : 0, fn = nw ? store__flags(nw) : 0;
    const struct review *ho, *hn;
    bool same;
    int rc = 0;

    /* by_prod */
    if (old)
        store__key_prod(ko, opno, old->rating, old->created_at, id);
    if (nw)
        store__key_prod(kn, npno, nw->rating, nw->created_at, id);
    same = old && nw && memcmp(ko, kn, STORE__PROD_KEY_LEN) == 0;
    if (old && !same)
        rc = store__del(t, STORE__BY_PROD, ko, STORE__PROD_KEY_LEN);
    if (rc == 0 && nw && !(same && fo == fn))
        rc = store__put(t, STORE__BY_PROD, kn, STORE__PROD_KEY_LEN, &fn, 1, 0);
    if (rc)
        return rc;

    /* by_helpful: only reviews with votes (see query.c) */
    ho = old && old->helpful ? old : NULL;
    hn = nw && nw->helpful ? nw : NULL;
    if (ho)
        store__key_helpful(ko, opno, ho->helpful, ho->created_at, id);
    if (hn)
        store__key_helpful(kn, npno, hn->helpful, hn->created_at, id);
    same = ho && hn && memcmp(ko, kn, STORE__HELPFUL_KEY_LEN) == 0;
    if (ho && !same)
        rc = store__del(t, STORE__BY_HELPFUL, ko, STORE__HELPFUL_KEY_LEN);
    if (rc == 0 && hn && !(same && fo == fn))
        rc = store__put(t, STORE__BY_HELPFUL, kn, STORE__HELPFUL_KEY_LEN, &fn, 1, 0);
    if (rc)
        return rc;

    /* by_time */
    if (old)
        store__key_time(ko, old->ingested_at, id);
    if (nw)
        store__key_time(kn, nw->ingested_at, id);
    same = old && nw && memcmp(ko, kn, STORE__TIME_KEY_LEN) == 0;
    if (old && !same)
        rc = store__del(t, STORE__BY_TIME, ko, STORE__TIME_KEY_LEN);
    if (rc == 0 && nw && !same) {
        /* Ingest times mostly grow with ids, so appending usually works;
         * a caller-supplied older time falls back to an ordinary put. */
        rc = store__put(t, STORE__BY_TIME, kn, STORE__TIME_KEY_LEN, "", 0, MDB_APPEND);
        if (rc == CHORUS_EEXIST)
            rc = store__put(t, STORE__BY_TIME, kn, STORE__TIME_KEY_LEN, "", 0, 0);
    }
    if (rc)
        return rc;

    /* by_status */
    if (old)
        store__key_status(ko, old->status, id);
    if (nw)
        store__key_status(kn, nw->status, id);
    same = old && nw && old->status == nw->status;
    if (old && !same)
        rc = store__del(t, STORE__BY_STATUS, ko, STORE__STATUS_KEY_LEN);
    if (rc == 0 && nw && !same)
        rc = store__put(t, STORE__BY_STATUS, kn, STORE__STATUS_KEY_LEN, "", 0, 0);
    return rc;
}

int store__review_account(struct store_txn *t, const struct review *old,
                          const struct store__scope *os, const struct review *nw,
                          const struct store__scope *ns)
{
    int rc = store__scope_index(t, old, os, nw, ns);

    if (rc == 0)
        rc = store__issue_link(t, old, nw, ns ? ns->pno : 0);
    return rc ? rc : store__agg_review(t, old, os, nw, ns);
}

/* Encoded through the scratch buffer: nw may borrow strings from the record
 * it replaces. */
int store__review_write(struct store_txn *t, const struct review *nw, uint32_t pno)
{
    size_t n = store__review_size(nw);
    uint8_t *enc = store__enc_buf(t, n);
    uint8_t k[8];

    store__review_encode(enc, nw, pno);
    store__be64(k, nw->id);
    return store__put(t, STORE__REVIEWS, k, 8, enc, n, 0);
}

int store__review_rewrite(struct store_txn *t, const struct review *old, uint32_t pno,
                          const struct review *nw)
{
    struct store__scope sc;
    int rc = store__product_info(t, old->product_id, false, &sc);

    if (rc == CHORUS_ENOTFOUND)
        rc = CHORUS_ECORRUPT;
    if (rc == 0)
        rc = store__review_write(t, nw, pno);
    if (rc == 0)
        rc = store__review_reindex(t, nw->id, old, pno, nw, pno);
    if (rc == 0)
        rc = store__review_account(t, old, &sc, nw, &sc);
    return rc;
}

/* ---- put -------------------------------------------------------------------------- */

/* create stores r as a new review (its dedupe entry is already in), in
 * by_content too when fold is set. */
static int create(struct store_txn *t, const struct review *r, bool fold, uint64_t *id_out)
{
    struct review nw = *r;
    struct store__scope sc;
    uint8_t k[8];
    uint8_t *v;
    size_t n;
    int rc;

    rc = store__product_info(t, r->product_id, true, &sc);
    if (rc == 0)
        rc = store__next_review_id(t, &nw.id);
    if (rc)
        return rc;
    if (nw.ingested_at == 0)
        nw.ingested_at = chorus_now();
    nw.n_origins = 0;
    nw.origins = NULL;
    n = store__review_size(&nw);
    store__be64(k, nw.id);
    /* Ids only grow, so the record goes at the end of the tree, and straight
     * into the page (MDB_RESERVE) without a staging copy. */
    rc = store__reserve(t, STORE__REVIEWS, k, 8, n, MDB_APPEND, &v);
    if (rc == CHORUS_EEXIST)
        return CHORUS_ECORRUPT; /* next_review_id fell behind the records */
    if (rc)
        return rc;
    store__review_encode(v, &nw, sc.pno);
    rc = store__review_reindex(t, nw.id, NULL, 0, &nw, sc.pno);
    if (rc == 0)
        rc = store__review_account(t, NULL, NULL, &nw, &sc);
    if (rc == 0 && fold)
        rc = store__content_move(t, nw.id, NULL, 0, &nw, sc.pno, true);
    if (rc == 0)
        *id_out = nw.id;
    return rc;
}

/* same_origin compares two (source, source id) pairs as the dedupe table
 * keys them: no source is "api". */
static bool same_origin(const char *sa, const char *ia, const char *sb, const char *ib)
{
    sa = sa && *sa ? sa : "api";
    sb = sb && *sb ? sb : "api";
    return strcmp(sa, sb) == 0 && strcmp(ia ? ia : "", ib ? ib : "") == 0;
}

/* unchanged says whether nw encodes to exactly raw, the record stored. */
static bool unchanged(struct store_txn *t, const struct review *nw, uint32_t pno,
                      const MDB_val *raw)
{
    size_t n = store__review_size(nw);
    uint8_t *enc;

    if (raw->mv_size != n)
        return false;
    enc = store__enc_buf(t, n);
    store__review_encode(enc, nw, pno);
    return memcmp(enc, raw->mv_data, n) == 0;
}

int store__review_drop_origin(struct store_txn *t, uint64_t id, const struct review_origin *o)
{
    uint8_t dk[STORE__DEDUPE_KEY_MAX];
    size_t n = store__key_dedupe(dk, o->source, o->source_id);
    MDB_val v;
    int rc;

    if (n == 0)
        return 0;
    rc = store__get(t, STORE__DEDUPE, dk, n, &v);
    if (rc == CHORUS_ENOTFOUND)
        return 0;
    if (rc == 0 && v.mv_size == 8 && store__rd64(v.mv_data) == id)
        rc = store__del(t, STORE__DEDUPE, dk, n);
    return rc;
}

/* leave takes origin (r->source, r->source_id) off review old, whose text
 * it no longer carries: its new text is then stored like a new item. */
static int leave(struct store_txn *t, const struct review *old, uint32_t opno,
                 const struct review *r)
{
    struct review_origin *o;
    struct review nw = *old;
    size_t n = 0;

    o = store__arena_alloc(&t->arena, (old->n_origins ? old->n_origins : 1) * sizeof(*o));
    for (size_t i = 0; i < old->n_origins; i++)
        if (!same_origin(old->origins[i].source, old->origins[i].source_id, r->source,
                         r->source_id))
            o[n++] = old->origins[i];
    nw.origins = n ? o : NULL;
    nw.n_origins = n;
    return store__review_rewrite(t, old, opno, &nw);
}

/* update re-ingests r over review id: content replaced; id, votes,
 * responses, moderation, ingested_at kept. Copies stay together only while
 * their texts agree, so no feed can rewrite a review another one gave:
 * - from the first origin, the review changes; if its text no longer
 *   matches, the other origins leave it (their next poll stores their own
 *   text);
 * - from a later origin, the same text changes nothing; another text makes
 *   that origin leave (*left): the caller stores r like a new item. */
static int update(struct store_txn *t, const struct review *r, uint64_t id, bool fold,
                  enum store_put_result *res, bool *left)
{
    struct review old, nw;
    struct scope_copy os;
    struct store__scope sc;
    uint32_t opno;
    MDB_val raw;
    int rc;

    rc = load_raw(t, id, &old, &opno, &raw);
    if (rc == CHORUS_ENOTFOUND)
        rc = CHORUS_ECORRUPT; /* dedupe names it, so it must exist */
    if (rc == 0)
        rc = store__product_info(t, old.product_id, false, &sc);
    if (rc == CHORUS_ENOTFOUND)
        rc = CHORUS_ECORRUPT;
    if (rc)
        return rc;
    if (!same_origin(old.source, old.source_id, r->source, r->source_id)) {
        if (store__same_content(&old, r)) {
            *res = STORE_UNCHANGED;
            return 0;
        }
        *left = true;
        return leave(t, &old, opno, r);
    }
    scope_keep(&os, &sc);
    rc = store__product_info(t, r->product_id, true, &sc);
    if (rc)
        return rc;

    nw = *r;
    nw.source = old.source;
    nw.source_id = old.source_id;
    nw.n_origins = old.n_origins;
    nw.origins = old.origins;
    nw.id = id;
    nw.helpful = old.helpful;
    nw.not_helpful = old.not_helpful;
    nw.n_responses = old.n_responses;
    nw.responses = old.responses;
    nw.status = old.status;
    nw.moderation_reason = old.moderation_reason;
    nw.ingested_at = old.ingested_at;
    if (unchanged(t, &nw, sc.pno, &raw)) {
        *res = STORE_UNCHANGED;
        /* A review stored before by_content, or past another's origin
         * cap, becomes the one later copies fold into. */
        return fold ? store__content_move(t, id, &old, opno, &nw, sc.pno, true) : 0;
    }
    *res = STORE_UPDATED;
    if (old.n_origins && !store__same_content(&old, &nw)) {
        for (size_t i = 0; i < old.n_origins && rc == 0; i++)
            rc = store__review_drop_origin(t, id, &old.origins[i]);
        nw.n_origins = 0;
        nw.origins = NULL;
        if (rc)
            return rc;
    }
    rc = store__review_write(t, &nw, sc.pno);
    if (rc == 0)
        rc = store__review_reindex(t, id, &old, opno, &nw, sc.pno);
    if (rc == 0)
        rc = store__review_account(t, &old, &os.sc, &nw, &sc);
    if (rc == 0)
        rc = store__content_move(t, id, &old, opno, &nw, sc.pno, fold);
    return rc;
}

/* merge makes the new origin of r (dedupe key dk) one more origin of the
 * review first stored with r's text, when there is one: *merged says so
 * and *id names it. */
static int merge(struct store_txn *t, const struct review *r, const uint8_t *dk, size_t dklen,
                 uint64_t *id, bool *merged)
{
    struct review_origin *o;
    struct store__scope sc;
    struct review old, nw;
    uint8_t idv[8];
    uint32_t pno;
    uint64_t y;
    int rc;

    *merged = false;
    rc = store__product_info(t, r->product_id, false, &sc);
    if (rc == 0)
        rc = store__content_find(t, sc.pno, r, &y);
    if (rc == 0)
        rc = store__review_load_copy(t, y, &old, &pno);
    if (rc == CHORUS_ENOTFOUND)
        return 0;
    if (rc)
        return rc;
    if (!store__same_content(&old, r) || old.n_origins >= CHORUS_MAX_ORIGINS)
        return 0;
    o = store__arena_alloc(&t->arena, (old.n_origins + 1) * sizeof(*o));
    if (old.n_origins)
        memcpy(o, old.origins, old.n_origins * sizeof(*o));
    o[old.n_origins].source = r->source;
    o[old.n_origins].source_id = r->source_id;
    nw = old;
    nw.origins = o;
    nw.n_origins = old.n_origins + 1;
    /* The API shows origins, so the versions move (rewrite). */
    rc = store__review_rewrite(t, &old, pno, &nw);
    store__be64(idv, y);
    if (rc == 0)
        rc = store__put(t, STORE__DEDUPE, dk, dklen, idv, 8, 0);
    if (rc == 0) {
        *id = y;
        *merged = true;
    }
    return rc;
}

int store_review_put(struct store_txn *txn, const struct review *r, uint64_t *id,
                     enum store_put_result *result)
{
    return store_review_ingest(txn, r, 0, id, result);
}

int store_review_ingest(struct store_txn *txn, const struct review *r, unsigned flags, uint64_t *id,
                        enum store_put_result *result)
{
    uint8_t dk[STORE__DEDUPE_KEY_MAX], idv[8];
    char auto_id[64], tags[STORE_TAGS_MAX], vers[STORE_VERSIONS_MAX];
    struct review tmp;
    size_t dklen;
    struct store__mark m;
    enum store_put_result res = STORE_CREATED;
    bool existed = false, merged = false, left = false, fold = flags & STORE_PUT_MERGE;
    uint64_t next, got = 0;
    MDB_val v;
    int rc;

    if (!txn->write || !review_valid(r))
        return CHORUS_EINVAL;
    rc = store__peek_review_id(txn, &next);
    if (rc)
        return rc;
    tmp = *r;
    if (!r->source_id || !*r->source_id) {
        /* Give it a source id of its own, so it dedupes like any other:
         * an exported review imported back updates itself. */
        snprintf(auto_id, sizeof(auto_id), "chorus-%016llx-%llu",
                 (unsigned long long)txn->s->instance, (unsigned long long)next);
        tmp.source_id = auto_id;
        /* The id names the review this put creates: a merge would leave it
         * naming another, and the next such put would land there. */
        fold = false;
    }
    if (txn->s->tagger) {
        tags[0] = '\0';
        txn->s->tagger(txn->s->tagger_ctx, r, tags, sizeof(tags));
        tags[sizeof(tags) - 1] = '\0';
        tmp.components = tags[0] ? tags : NULL;
    }
    if (txn->s->versioner) {
        vers[0] = '\0';
        txn->s->versioner(txn->s->versioner_ctx, r, vers, sizeof(vers));
        vers[sizeof(vers) - 1] = '\0';
        tmp.versions = vers[0] ? vers : NULL;
    }
    /* Like the tags, the sentiment is the server's when it scores: what the
     * caller sent (an export, a feed's own score) is replaced. */
    if (txn->s->scorer)
        tmp.sentiment = store__score(txn->s, r);
    r = &tmp;
    dklen = store__key_dedupe(dk, r->source, r->source_id);
    if (dklen == 0)
        return CHORUS_EINVAL;
    /* One B-tree walk both ways: the entry goes in under the id a new review
     * will get, or the existing one comes back. */
    store__be64(idv, next);
    rc = store__put_new(txn, STORE__DEDUPE, dk, dklen, idv, 8, &v);
    if (rc == CHORUS_EEXIST) {
        if (v.mv_size != 8)
            return CHORUS_ECORRUPT;
        got = store__rd64(v.mv_data);
        existed = true;
    } else if (rc) {
        return rc;
    }
    /* The copies an update makes are dead once it returns: give them back,
     * or a long import transaction would keep every one. */
    store__arena_mark(&txn->arena, &m);
    if (existed)
        rc = update(txn, r, got, fold, &res, &left);
    if (rc == 0 && left) {
        /* Its origin left the review: the entry goes to what comes next. */
        store__be64(idv, next);
        rc = store__put(txn, STORE__DEDUPE, dk, dklen, idv, 8, 0);
    }
    if (rc == 0 && (!existed || left)) {
        res = STORE_CREATED;
        rc = fold ? merge(txn, r, dk, dklen, &got, &merged) : 0;
        if (rc == 0 && merged)
            res = STORE_MERGED;
        else if (rc == 0)
            rc = create(txn, r, fold, &got);
    }
    store__arena_release(&txn->arena, &m);
    if (rc)
        return rc;
    if (id)
        *id = got;
    if (result)
        *result = res;
    return 0;
}
