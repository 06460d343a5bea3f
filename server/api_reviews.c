/* POST /api/v1/reviews: one object, an array, or NDJSON, group-committed.
 *
 * The body is parsed and validated on the loop thread; every accepted item
 * is copied into the job so the writer thread owns what it stores. The reply
 * goes out only after the batch's transaction has committed. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"
#include "chorus/parse.h"

/* One request carries at most this many items: the per-item results and
 * error strings are held until the reply, so the count must be bounded. */
#define MAX_ITEMS 10000

struct post_job {
    struct srv_job base;
    bool hold;                       /* new_review_status = pending: every posted review waits */
    bool catalogue;                  /* the key may overwrite set product fields */
    struct store_ingest_item *items; /* review NULL: rejected by the parser */
    char **errors;                   /* the parser's sentence for each of those */
    size_t n, alloc;
};

static int collect(void *ctx, size_t index, const struct review *r, const struct product *p,
                   const char *error)
{
    struct post_job *j = ctx;
    struct store_ingest_item *it;

    (void)index;
    if (j->n == MAX_ITEMS)
        return CHORUS_ETOOBIG;
    if (j->n == j->alloc) {
        j->alloc = j->alloc ? j->alloc * 2 : 16;
        j->items = realloc(j->items, j->alloc * sizeof(*j->items));
        j->errors = realloc(j->errors, j->alloc * sizeof(*j->errors));
        if (!j->items || !j->errors)
            abort();
    }
    it = &j->items[j->n];
    memset(it, 0, sizeof(*it));
    j->errors[j->n++] = NULL;
    if (r) {
        struct review own = *r;

        /* The server owns these: moderation and votes have their own
         * endpoints, and when the configuration holds new reviews for
         * moderation a body saying "approved" must not skip it. A body's
         * status is honoured otherwise. chorus import keeps them all. */
        if (j->hold)
            own.status = REVIEW_PENDING;
        own.moderation_reason = NULL;
        own.helpful = 0;
        own.not_helpful = 0;
        own.ingested_at = 0;
        it->review = review_dup(&own);
        it->product = p ? product_dup(p) : NULL;
        j->base.job.weight++;
    } else {
        j->errors[j->n - 1] = strdup(error);
        if (!j->errors[j->n - 1])
            abort();
    }
    return 0;
}

static void post_job_free(struct post_job *j)
{
    for (size_t i = 0; i < j->n; i++) {
        free((void *)j->items[i].review);
        free((void *)j->items[i].product);
        free(j->errors[i]);
    }
    free(j->items);
    free(j->errors);
    free(j);
}

static int post_apply(struct store_txn *txn, struct store_job *job)
{
    struct post_job *j = (struct post_job *)job;

    return store_ingest_batch(txn, j->items, j->n, j->catalogue ? STORE_PUT_CATALOGUE : 0, NULL);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* announce tells the WebSub notifier and the Google feed's renderer which
 * products' feeds changed: once per product, however many of its reviews
 * the request carried, because a product costs the notifier a category
 * lookup. A created review that waits for moderation changes no public
 * feed; an updated one may have been approved before, so it counts. */
static void announce(struct post_job *j)
{
    const char **ids;
    size_t n = 0;

    ids = malloc(j->n * sizeof(*ids) + 1);
    if (!ids)
        abort();
    for (size_t i = 0; i < j->n; i++) {
        const struct store_ingest_item *it = &j->items[i];

        /* Nothing a subscriber sees changed: a held-back new review, or one
         * sent again as it was. */
        if (!it->result || it->result == STORE_UNCHANGED ||
            (it->result == STORE_CREATED && it->review->status != REVIEW_APPROVED))
            continue;
        ids[n++] = it->review->product_id;
    }
    qsort(ids, n, sizeof(*ids), cmp_str);
    for (size_t i = 0; i < n; i++)
        if (i == 0 || strcmp(ids[i], ids[i - 1]) != 0)
            srv__feeds_changed(j->base.t, ids[i]);
    free(ids);
}

/* render_results writes the batch answer; returns how many were accepted. */
static size_t render_results(struct post_job *j, struct buf *b, size_t *created)
{
    size_t accepted = 0;

    *created = 0;
    for (size_t i = 0; i < j->n; i++) {
        if (j->items[i].result)
            accepted++;
        if (j->items[i].result == STORE_CREATED)
            (*created)++;
    }
    buf_printf(b, "\"accepted\":%zu,\"rejected\":%zu,\"results\":[", accepted, j->n - accepted);
    for (size_t i = 0; i < j->n; i++) {
        const struct store_ingest_item *it = &j->items[i];
        const char *error = j->errors[i];

        buf_printf(b, "%s{\"index\":%zu,", i ? "," : "", i);
        if (it->result) {
            buf_printf(b, "\"id\":%llu,\"status\":\"%s\"}", (unsigned long long)it->id,
                       it->result == STORE_CREATED ? "created" : "updated");
        } else {
            buf_puts(b, "\"id\":null,\"status\":\"rejected\",\"error\":");
            if (error)
                chorus_json_str(b, error, strlen(error));
            else
                buf_puts(b, "\"The review breaks a storage limit.\"");
            buf_putc(b, '}');
        }
    }
    buf_putc(b, ']');
    return accepted;
}

static void post_done(struct store_job *job, int commit_rc)
{
    struct post_job *j = (struct post_job *)job;
    struct srv_job *base = &j->base;
    struct buf b;
    size_t accepted, created;

    if (commit_rc) {
        srv__problem_req(base->srv, base->req, 503,
                         "The reviews were not stored (%s); nothing in this request was "
                         "written. Retry later.",
                         chorus_strerror(commit_rc));
        post_job_free(j);
        return;
    }
    buf_init(&b, 0);
    buf_putc(&b, '{');
    if (j->n && j->base.job.weight == 0) {
        /* Every item failed validation: nothing to store, say why per item. */
        buf_puts(&b, "\"type\":\"about:blank\",\"title\":\"Unprocessable Content\",\"status\":"
                     "422,\"detail\":\"No review in the request is valid; see results for "
                     "each item's error.\",");
    }
    accepted = render_results(j, &b, &created);
    buf_putc(&b, '}');
    srv__add_cors(base->srv, base->req);
    if (accepted == 0)
        srv__reply_req(base->srv, base->req, 422, "application/problem+json", &b);
    else
        srv__reply_req(base->srv, base->req, created ? 201 : 200, "application/json", &b);
    buf_cleanup(&b);
    if (accepted)
        announce(j);
    post_job_free(j);
}

void srv__reviews_post(struct srv_req *r)
{
    static const char *const allowed[] = {NULL};
    static const char *const types[] = {"application/json", "application/x-ndjson",
                                        "application/ndjson", NULL};
    static const enum parse_format formats[] = {PARSE_JSON, PARSE_NDJSON, PARSE_NDJSON};
    struct parse_options opt = {r->srv->cfg.new_review_status, NULL, false};
    struct parse_error perr;
    struct post_job *j = NULL;
    char *data = NULL;
    size_t len, fi, n_items = 0;
    int rc;

    if (!srv__query_check(r, allowed) || !srv__body(r, types, &fi, &data, &len))
        goto out;
    j = calloc(1, sizeof(*j));
    if (!j)
        abort();
    j->hold = r->srv->cfg.new_review_status == REVIEW_PENDING;
    /* A review's product object fills empty catalogue fields; replacing set
     * ones is for keys trusted with the catalogue (docs/reviews.md, "Who may change the
     * catalogue"). */
    j->catalogue = srv__has_scope(r, SRV_SCOPE_CATALOGUE);
    memset(&perr, 0, sizeof(perr));
    rc = parse_reviews(data, len, formats[fi], &opt, collect, j, &n_items, &perr);
    if (rc == CHORUS_EPARSE || n_items == 0) {
        if (!perr.message[0])
            snprintf(perr.message, sizeof(perr.message), "The request holds no review.");
        srv__problem_parse(r, &perr);
        goto out;
    }
    if (rc == CHORUS_ETOOBIG) {
        srv__problem(r, 413, "A request may carry at most %d reviews; split the batch.", MAX_ITEMS);
        goto out;
    }
    if (rc) {
        srv__problem(r, srv__status_of(rc), "The reviews could not be read: %s.",
                     chorus_strerror(rc));
        goto out;
    }
    srv__job_init(&j->base, r, post_apply, post_done);
    if (j->base.job.weight == 0) {
        /* Nothing valid: answer now, nothing to commit. */
        post_done(&j->base.job, 0);
    } else {
        srv__writer_submit(r->srv, &j->base);
    }
    j = NULL;
out:
    if (j)
        post_job_free(j);
    free(data);
}
