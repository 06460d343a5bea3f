/* A product's releases: PUT /api/v1/products/{id}/releases replaces the
 * list (docs/releases.md); GET /api/v1/products/{id} shows it. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"
#include "chorus/feed.h"
#include "chorus/parse.h"

struct releases_job {
    struct srv_job base;
    char id[CHORUS_MAX_PRODUCT_ID + 1];
    struct product_release *rel; /* one block (parse_releases) */
    size_t n;
    int result;
};

static int releases_apply(struct store_txn *txn, struct store_job *job)
{
    struct releases_job *j = (struct releases_job *)job;

    j->result = store_product_releases_put(txn, j->id, j->rel, j->n);
    /* An unknown product or a list the store refuses is this request's
     * answer, not a failure of the batch it shares a transaction with. */
    return j->result == CHORUS_EINVAL || j->result == CHORUS_ENOTFOUND ? 0 : j->result;
}

static void releases_done(struct store_job *job, int commit_rc)
{
    struct releases_job *j = (struct releases_job *)job;
    struct srv_job *base = &j->base;
    struct srv *s = base->srv;
    struct buf b;
    int rc = commit_rc ? commit_rc : j->result;

    buf_init(&b, 0);
    if (rc == 0)
        rc = srv__product_document(base, j->id, &b);
    if (rc == CHORUS_ENOTFOUND && commit_rc == 0) {
        srv__problem_req(s, base->req, 404,
                         "There is no product '%.200s'; PUT /api/v1/products/{id} creates it.",
                         j->id);
    } else if (rc) {
        srv__problem_req(s, base->req, rc == CHORUS_EINVAL ? 422 : srv__status_of(rc),
                         "The releases were not stored: %s.", chorus_strerror(rc));
    } else {
        /* The product's document is what a key holder just changed: it is
         * not a public page, whatever the product's visibility. */
        evhttp_add_header(evhttp_request_get_output_headers(base->req), "Cache-Control",
                          "private, no-store");
        srv__add_cors(s, base->req);
        srv__reply_req(s, base->req, 200, "application/json", &b);
    }
    buf_cleanup(&b);
    free(j->rel);
    free(j);
}

void srv__product_releases_put(struct srv_req *r)
{
    static const char *const allowed[] = {NULL};
    static const char *const types[] = {"application/json", NULL};
    const struct srv_config *c = &r->srv->cfg;
    struct parse_release_caps caps = {
        .max_count = c->max_releases,
        .max_version = c->max_release_version_bytes,
        .max_notes = c->max_release_notes_bytes,
    };
    struct parse_error perr;
    struct releases_job *j;
    struct product_release *rel = NULL;
    char *data = NULL;
    size_t len, fi, n = 0;

    if (!srv__query_check(r, allowed))
        return;
    /* The id's own rules are the product's: an id no product could have
     * names no product. */
    if (strlen(r->param) > CHORUS_MAX_PRODUCT_ID) {
        srv__problem(r, 404, "There is no product '%.200s'.", r->param);
        return;
    }
    if (!srv__body(r, types, &fi, &data, &len))
        return;
    memset(&perr, 0, sizeof(perr));
    if (parse_releases(data, len, &caps, &rel, &n, &perr) != 0) {
        srv__problem_parse(r, &perr);
        goto out;
    }
    j = calloc(1, sizeof(*j));
    if (!j)
        abort();
    memcpy(j->id, r->param, strlen(r->param) + 1);
    j->rel = rel;
    j->n = n;
    srv__job_init(&j->base, r, releases_apply, releases_done);
    srv__writer_submit(r->srv, &j->base);
out:
    free(data);
}
