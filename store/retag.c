/* Re-running the tagger and the scorer over stored reviews, after a
 * taxonomy or lexicon change or on a folder that predates them. */
#include "chorus/store.h"

#include <math.h>
#include <string.h>

#include "chorus/base.h"
#include "store_int.h"

/* same_score compares two sentiments as the record stores them: bit for
 * bit, any NAN equal to any other. */
static bool same_score(double a, double b)
{
    return (isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof(a)) == 0;
}

#define RETAG_BATCH 2000

struct retag_ids {
    uint64_t ids[RETAG_BATCH];
    size_t n, limit;
};

static int collect_id(void *ctx, const struct review *r)
{
    struct retag_ids *c = ctx;

    c->ids[c->n++] = r->id;
    return c->n == c->limit ? CHORUS_ESTOP : 0;
}

int store_reviews_retag(struct store_txn *txn, uint64_t after, size_t limit, uint64_t *last,
                        size_t *changed)
{
    struct retag_ids *c;
    char tags[STORE_TAGS_MAX], vers[STORE_VERSIONS_MAX];
    int rc;

    *last = 0;
    *changed = 0;
    if (!txn->write || (!txn->s->tagger && !txn->s->scorer && !txn->s->versioner) || limit == 0)
        return CHORUS_EINVAL;
    c = store__arena_alloc(&txn->arena, sizeof(*c));
    c->n = 0;
    c->limit = limit < RETAG_BATCH ? limit : RETAG_BATCH;
    /* Ids first, then the rewrites: no cursor walks a table being written. */
    rc = store_reviews_each(txn, after, collect_id, c);
    for (size_t i = 0; rc == 0 && i < c->n; i++) {
        struct store__mark m;
        struct review r;
        uint32_t pno;

        store__arena_mark(&txn->arena, &m);
        rc = store__review_load_copy(txn, c->ids[i], &r, &pno);
        if (rc == 0) {
            struct review nw = r;

            if (txn->s->tagger) {
                tags[0] = '\0';
                txn->s->tagger(txn->s->tagger_ctx, &r, tags, sizeof(tags));
                tags[sizeof(tags) - 1] = '\0';
                nw.components = tags[0] ? tags : NULL;
            }
            if (txn->s->versioner) {
                vers[0] = '\0';
                txn->s->versioner(txn->s->versioner_ctx, &r, vers, sizeof(vers));
                vers[sizeof(vers) - 1] = '\0';
                nw.versions = vers[0] ? vers : NULL;
            }
            if (txn->s->scorer)
                nw.sentiment = store__score(txn->s, &r);
            if (strcmp(nw.components ? nw.components : "", r.components ? r.components : "") ||
                strcmp(nw.versions ? nw.versions : "", r.versions ? r.versions : "") ||
                !same_score(nw.sentiment, r.sentiment)) {
                struct store__scope sc;

                rc = store__review_write(txn, &nw, pno);
                /* Feeds and the API show tags, versions and sentiment. New
                 * tags or versions move only (aggregate) versions; a new sentiment also moves the
                 * sentiment sums of the product and its categories (old share out, new in). Keys
                 * and index entries stay as they are. */
                if (rc == 0)
                    rc = store__product_info(txn, r.product_id, false, &sc);
                if (rc == 0)
                    rc = store__agg_review(txn, &r, &sc, &nw, &sc);
                (*changed)++;
            }
            /* Links follow the new tags, and this is also how links are
             * repaired after `chorus check` reported them: every
             * complaint's link is recomputed, changed or not. */
            if (rc == 0)
                rc = store__issue_link(txn, &r, &nw, pno);
        }
        store__arena_release(&txn->arena, &m);
        *last = c->ids[i];
    }
    return rc;
}
