/* store_check for known issues: every review's link recomputed by the
 * linking rule (issue_link.c) and compared with the link tables, and the
 * issue records against their product index. */
#include "chorus/store.h"

#include <inttypes.h>

#include "chorus/base.h"
#include "check_int.h"

int store__check_issue_link(struct store__check *ck, uint64_t id, const struct review *r,
                            uint32_t pno)
{
    struct review copy = *r;
    uint8_t k[8], lk[24];
    uint64_t want, have = 0;
    MDB_val v;
    int rc;

    copy.id = id;
    rc = store__issue_match(ck->t, pno, &copy, &want);
    if (rc)
        return rc;
    store__be64(k, id);
    if (store__get(ck->t, STORE__ISSUE_OF, k, 8, &v) == 0)
        have = v.mv_size == 8 ? store__rd64(v.mv_data) : UINT64_MAX;
    if (have != want) {
        store__check_say(ck,
                         "Review %" PRIu64 " links to known issue %" PRIu64
                         " but the rule links it to %" PRIu64 " (chorus retag relinks).",
                         id, have, want);
        return 0;
    }
    if (!want)
        return 0;
    ck->nlinks++;
    store__be64(lk, want);
    store__be64(lk + 8, ~store__time_bias(r->created_at));
    store__be64(lk + 16, ~id);
    if (store__get(ck->t, STORE__ISSUE_REVIEWS, lk, sizeof(lk), &v) != 0)
        store__check_say(ck, "Review %" PRIu64 " is missing from known issue %" PRIu64 "'s list.",
                         id, want);
    return 0;
}

static int one_issue(struct store__check *ck, const MDB_val *k, const MDB_val *v, void *ctx)
{
    struct store_issue is;
    uint8_t pk[12];
    uint64_t *n = ctx;
    uint32_t pno;
    MDB_val pv;
    uint64_t id = k->mv_size == 8 ? store__rd64(k->mv_data) : 0;

    (*n)++;
    if (store__issue_decode(v->mv_data, v->mv_size, id, &is) != 0) {
        store__check_say(ck, "Known issue %" PRIu64 " does not decode.", id);
        return 0;
    }
    if (store__product_no(ck->t, is.product_id, &pno) != 0) {
        store__check_say(ck, "Known issue %" PRIu64 " names product %s, which does not exist.", id,
                         is.product_id);
        return 0;
    }
    store__be32(pk, pno);
    store__be64(pk + 4, id);
    if (store__get(ck->t, STORE__ISSUES_BY_PROD, pk, sizeof(pk), &pv) != 0)
        store__check_say(ck, "Known issue %" PRIu64 " is missing from its product's index.", id);
    return 0;
}

int store__check_issues(struct store__check *ck)
{
    uint64_t n = 0;
    int rc = store__check_each(ck, STORE__ISSUES, one_issue, &n);

    if (rc)
        return rc;
    store__check_count(ck, STORE__ISSUES_BY_PROD, "issues_by_prod", n);
    store__check_count(ck, STORE__ISSUE_OF, "issue_of", ck->nlinks);
    store__check_count(ck, STORE__ISSUE_REVIEWS, "issue_reviews", ck->nlinks);
    return 0;
}
