/* One review: GET, DELETE, moderation, brand responses, votes, and the
 * moderation queue. Writes go through the group-commit writer; the reply
 * reads the review back after the commit so it shows what was stored. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "chorus/base.h"
#include "chorus/parse.h"
#include "chorus/feed.h"

enum op { OP_DELETE, OP_MODERATE, OP_RESPOND, OP_VOTE };

struct op_job {
    struct srv_job base;
    enum op op;
    uint64_t id;
    enum review_status status;
    char reason[CHORUS_MAX_REASON + 1];
    char *author, *body;
    bool helpful;
    char *back; /* a vote from the widget's form: where the 303 sends the reader */
    int result; /* the store's answer for this job */
    char product[CHORUS_MAX_PRODUCT_ID + 1]; /* the review's product, for WebSub; "" = unknown */
};

static void op_job_free(struct op_job *j)
{
    free(j->author);
    free(j->body);
    free(j->back);
    free(j);
}

static int op_apply(struct store_txn *txn, struct store_job *job)
{
    struct op_job *j = (struct op_job *)job;
    struct review cur;
    int rc;

    /* The review's product, copied out of the transaction before the change
     * (a delete leaves nothing to read after): its feeds change. Set on
     * every run, since apply may run again. */
    j->product[0] = '\0';
    if (j->op != OP_VOTE && store_review_get(txn, j->id, &cur) == 0)
        snprintf(j->product, sizeof(j->product), "%s", cur.product_id);
    switch (j->op) {
    case OP_DELETE:
        rc = store_review_delete(txn, j->id);
        break;
    case OP_MODERATE:
        rc = store_review_moderate(txn, j->id, j->status, j->reason[0] ? j->reason : NULL);
        break;
    case OP_RESPOND:
        rc = store_review_respond(txn, j->id, j->author && j->author[0] ? j->author : NULL, j->body,
                                  0);
        break;
    case OP_VOTE:
        /* Only what the public can see can be voted on. */
        rc = store_review_get(txn, j->id, &cur);
        if (rc == 0 && cur.status != REVIEW_APPROVED)
            rc = CHORUS_ENOTFOUND;
        if (rc == 0)
            rc = store_review_vote(txn, j->id, j->helpful);
        break;
    default:
        rc = CHORUS_EINVAL;
    }
    j->result = rc;
    /* Per-job failures (not found, too many responses) must not abort the
     * other jobs of the batch; only storage failures do. */
    if (rc == CHORUS_ENOTFOUND || rc == CHORUS_EINVAL || rc == CHORUS_ELIMIT)
        return 0;
    return rc;
}

/* reply_review reads review id in a fresh snapshot of the job's thread
 * and sends it. */
static void reply_review(struct srv_job *base, uint64_t id, int status)
{
    struct srv *s = base->srv;
    struct evhttp_request *req = base->req;
    struct buf b;
    struct review rv;
    int rc;

    rc = store_read_begin(s->store, &base->t->rtxn);
    if (rc == 0) {
        rc = store_review_get(base->t->rtxn, id, &rv);
        buf_init(&b, 0);
        if (rc == 0)
            rc = feed_review_json(&b, &rv);
        store_read_end(base->t->rtxn);
        if (rc == 0) {
            srv__add_cors(s, req);
            evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-store");
            srv__reply_req(s, req, status, "application/json", &b);
        }
        buf_cleanup(&b);
    }
    if (rc)
        srv__problem_req(s, req, srv__status_of(rc), "Review %llu could not be read back: %s.",
                         (unsigned long long)id, chorus_strerror(rc));
}

/* see_other answers a form vote: 303 to the widget page it came from. */
static void see_other(struct srv *s, struct evhttp_request *req, const char *back)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);

    evhttp_add_header(h, "Location", back);
    evhttp_add_header(h, "Cache-Control", "no-store");
    srv__reply_req(s, req, 303, NULL, NULL);
}

static void op_done(struct store_job *job, int commit_rc)
{
    struct op_job *j = (struct op_job *)job;
    struct srv_job *base = &j->base;
    struct srv *s = base->srv;
    struct evhttp_request *req = base->req;
    struct buf b;

    if (commit_rc) {
        srv__problem_req(s, req, 503, "The change was not stored (%s). Retry later.",
                         chorus_strerror(commit_rc));
    } else if (j->result == CHORUS_ENOTFOUND) {
        srv__problem_req(s, req, 404, "There is no review %llu.", (unsigned long long)j->id);
    } else if (j->result == CHORUS_ELIMIT) {
        srv__problem_req(s, req, 422, "Review %llu already has the most responses allowed (%d).",
                         (unsigned long long)j->id, CHORUS_MAX_RESPONSES);
    } else if (j->result) {
        srv__problem_req(s, req, srv__status_of(j->result), "The change was refused: %s.",
                         chorus_strerror(j->result));
    } else if (j->op == OP_DELETE) {
        srv__reply_req(s, req, 204, NULL, NULL);
    } else if (j->op == OP_VOTE && j->back) {
        see_other(s, req, j->back);
    } else if (j->op == OP_VOTE) {
        struct review rv;
        int rc = store_read_begin(s->store, &base->t->rtxn);

        buf_init(&b, 0);
        if (rc == 0) {
            rc = store_review_get(base->t->rtxn, j->id, &rv);
            if (rc == 0)
                buf_printf(&b, "{\"id\":%llu,\"helpful\":%u,\"not_helpful\":%u}",
                           (unsigned long long)j->id, rv.helpful, rv.not_helpful);
            store_read_end(base->t->rtxn);
        }
        srv__add_cors(s, req);
        if (rc == 0)
            srv__reply_req(s, req, 200, "application/json", &b);
        else
            srv__problem_req(s, req, 500, "The vote was stored but could not be read back.");
        buf_cleanup(&b);
    } else {
        reply_review(base, j->id, j->op == OP_RESPOND ? 201 : 200);
    }
    /* Votes change no feed; the other changes change the review's product's. */
    if (commit_rc == 0 && j->result == 0 && j->op != OP_VOTE && j->product[0])
        srv__feeds_changed(base->t, j->product);
    op_job_free(j);
}

static struct op_job *op_job_new(struct srv_req *r, enum op op, uint64_t id)
{
    struct op_job *j = calloc(1, sizeof(*j));

    if (!j)
        abort();
    j->op = op;
    j->id = id;
    srv__job_init(&j->base, r, op_apply, op_done);
    return j;
}

static const char *const no_params[] = {NULL};
static const char *const json_types[] = {"application/json", NULL};

/* visible reads review id into rv when whoever asks may see it: readers
 * see approved reviews only, key holders (when keyed) every one; else
 * CHORUS_ENOTFOUND, as for a review that does not exist. */
static int visible(struct store_txn *txn, uint64_t id, bool keyed, struct review *rv)
{
    int rc = store_review_get(txn, id, rv);

    return rc == 0 && rv->status != REVIEW_APPROVED && !keyed ? CHORUS_ENOTFOUND : rc;
}

static void review_problem(struct srv_req *r, uint64_t id, int rc)
{
    if (rc == CHORUS_ENOTFOUND)
        srv__problem(r, 404, "There is no review %llu.", (unsigned long long)id);
    else
        srv__problem(r, srv__status_of(rc), "Review %llu could not be read: %s.",
                     (unsigned long long)id, chorus_strerror(rc));
}

void srv__review_get(struct srv_req *r)
{
    struct store_txn *txn;
    struct review rv;
    struct buf b;
    uint64_t id;
    int rc;

    if (!srv__query_check(r, no_params) || !srv__parse_id(r, &id))
        return;
    txn = srv__read_begin(r);
    if (!txn)
        return;
    rc = visible(txn, id, r->authed, &rv);
    buf_init(&b, 0);
    if (rc == 0)
        rc = feed_review_json(&b, &rv);
    srv__read_end(r);
    if (rc) {
        review_problem(r, id, rc);
    } else {
        srv__add_cors(r->srv, r->req);
        evhttp_add_header(evhttp_request_get_output_headers(r->req), "Cache-Control",
                          r->authed ? "private, no-store" : "public, max-age=60");
        srv__reply(r, 200, "application/json", &b);
    }
    buf_cleanup(&b);
}

void srv__review_delete(struct srv_req *r)
{
    uint64_t id;

    if (!srv__query_check(r, no_params) || !srv__parse_id(r, &id))
        return;
    srv__writer_submit(r->srv, &op_job_new(r, OP_DELETE, id)->base);
}

static int fill_moderation(struct op_job *j, const char *data, size_t len, struct parse_error *perr)
{
    return parse_moderation(data, len, &j->status, j->reason, sizeof(j->reason), perr);
}

static int fill_response(struct op_job *j, const char *data, size_t len, struct parse_error *perr)
{
    return parse_response(data, len, &j->author, &j->body, perr);
}

/* submit_with_body runs the checks every keyed review change shares, fills
 * a job from the JSON body with fill, and queues it. */
static void submit_with_body(struct srv_req *r, enum op op,
                             int (*fill)(struct op_job *j, const char *data, size_t len,
                                         struct parse_error *perr))
{
    struct parse_error perr;
    struct op_job *j;
    char *data = NULL;
    size_t len, fi;
    uint64_t id;

    if (!srv__query_check(r, no_params) || !srv__parse_id(r, &id) ||
        !srv__body(r, json_types, &fi, &data, &len))
        return;
    j = op_job_new(r, op, id);
    memset(&perr, 0, sizeof(perr));
    if (fill(j, data, len, &perr) != 0) {
        srv__problem_parse(r, &perr);
        op_job_free(j);
    } else {
        srv__writer_submit(r->srv, &j->base);
    }
    free(data);
}

void srv__review_moderate(struct srv_req *r)
{
    submit_with_body(r, OP_MODERATE, fill_moderation);
}

void srv__review_respond(struct srv_req *r)
{
    submit_with_body(r, OP_RESPOND, fill_response);
}

/* ---- votes -------------------------------------------------------------------------- */

#define VOTE_BACK_MAX 2048 /* a return path, with the fragment we add */

/* back_ok accepts the widget pages of this server as a return path: a
 * path (never a scheme or "//host", so no open redirect) under /widget/ or
 * /p/, printable ASCII without backslashes or quotes. */
static bool back_ok(const char *v)
{
    size_t n = strlen(v);

    if (n == 0 || n > VOTE_BACK_MAX - 32 ||
        (strncmp(v, "/widget/", 8) != 0 && strncmp(v, "/p/", 3) != 0))
        return false;
    /* Dot segments (also percent-encoded) could climb out of the widget
     * pages; a widget's own links never hold one. */
    if (strstr(v, "/.") || strstr(v, "%2e") || strstr(v, "%2E"))
        return false;
    for (; *v; v++)
        if ((unsigned char)*v <= 0x20 || (unsigned char)*v >= 0x7f || *v == '\\' || *v == '"')
            return false;
    return true;
}

/* parse_vote_form reads the widget's no-JS vote, "helpful=true&return=
 * /widget/ID.html?...", into *helpful and *back (heap, caller frees; the
 * review's anchor added when the path has no fragment). false = 400 sent. */
static bool parse_vote_form(struct srv_req *r, uint64_t id, const char *data, bool *helpful,
                            char **back)
{
    struct evkeyvalq kv;
    struct evkeyval *e;
    const char *h = NULL, *ret = NULL;
    bool ok = false;
    char *b;

    TAILQ_INIT(&kv);
    *back = NULL;
    if (evhttp_parse_query_str(data, &kv) != 0) {
        srv__problem(r, 400, "The form is not application/x-www-form-urlencoded.");
        goto out;
    }
    TAILQ_FOREACH(e, &kv, next)
    {
        const char **slot = strcmp(e->key, "helpful") == 0  ? &h
                            : strcmp(e->key, "return") == 0 ? &ret
                                                            : NULL;

        if (!slot || *slot) {
            srv__problem(r, 400, "A vote form holds helpful and return, each once.");
            goto out;
        }
        *slot = e->value;
    }
    if (!h || (strcmp(h, "true") != 0 && strcmp(h, "false") != 0)) {
        srv__problem(r, 400, "helpful must be true or false.");
        goto out;
    }
    if (!ret || !back_ok(ret)) {
        srv__problem(r, 400,
                     "return must be the path of a widget page of this server (/widget/... or "
                     "/p/...).");
        goto out;
    }
    *helpful = strcmp(h, "true") == 0;
    b = malloc(VOTE_BACK_MAX);
    if (!b)
        abort();
    if (strchr(ret, '#'))
        snprintf(b, VOTE_BACK_MAX, "%s", ret);
    else
        snprintf(b, VOTE_BACK_MAX, "%s#review-%llu", ret, (unsigned long long)id);
    *back = b;
    ok = true;
out:
    evhttp_clear_headers(&kv);
    return ok;
}

static const char *const vote_types[] = {"application/json", "application/x-www-form-urlencoded",
                                         NULL};

void srv__review_vote(struct srv_req *r)
{
    struct parse_error perr;
    struct op_job *j;
    char *data = NULL, *back = NULL, client[SRV_CLIENT_MAX];
    struct store_txn *txn;
    struct review rv;
    size_t len, fi;
    uint64_t id;
    bool helpful;
    int rc;

    if (!srv__query_check(r, no_params) || !srv__parse_id(r, &id) ||
        !srv__body(r, vote_types, &fi, &data, &len))
        return;
    memset(&perr, 0, sizeof(perr));
    if (fi == 1) {
        if (!parse_vote_form(r, id, data, &helpful, &back))
            goto out;
    } else if (parse_vote(data, len, &helpful, &perr) != 0) {
        srv__problem_parse(r, &perr);
        goto out;
    }
    /* A vote on what readers cannot see is answered before it is counted:
     * probing ids costs nobody's budget. The writer checks again. */
    txn = srv__read_begin(r);
    if (!txn)
        goto out;
    rc = visible(txn, id, false, &rv);
    srv__read_end(r);
    if (rc) {
        review_problem(r, id, rc);
        goto out;
    }
    srv__client(r, client);
    /* Key holders (moderation tools, imports) are not limited. */
    if (!r->authed && !srv__ratelimit_vote(r->srv->votes, client, id, chorus_now())) {
        /* A reader without JavaScript goes back to the page, the vote not
         * counted: an error document in the widget's frame helps nobody. */
        if (back) {
            see_other(r->srv, r->req, back);
            goto out;
        }
        evhttp_add_header(evhttp_request_get_output_headers(r->req), "Retry-After", "3600");
        srv__problem(r, 429,
                     "This address has already voted on review %llu, or has voted too often; "
                     "try again later.",
                     (unsigned long long)id);
        goto out;
    }
    j = op_job_new(r, OP_VOTE, id);
    j->helpful = helpful;
    j->back = back;
    back = NULL;
    srv__writer_submit(r->srv, &j->base);
out:
    free(back);
    free(data);
}

/* ---- moderation queue ------------------------------------------------------- */

void srv__moderation_list(struct srv_req *r)
{
    static const char *const allowed[] = {"status", "limit", "cursor", NULL};
    const char *st, *cur;
    enum review_status status = REVIEW_PENDING;
    struct store_txn *txn;
    struct srv_list c;
    struct buf b;
    uint64_t after = 0, last = 0;
    size_t limit;
    uint8_t raw[8];
    char next[16];
    int rc;

    if (!srv__query_check(r, allowed) || !srv__query_limit(r, 20, 100, &limit))
        return;
    st = srv__query_get(r, "status");
    if (st && review_status_parse(st, &status) != 0) {
        srv__problem(r, 400, "status must be pending, approved or rejected.");
        return;
    }
    cur = srv__query_get(r, "cursor");
    if (cur) {
        if (chorus_b64url_decode(cur, strlen(cur), raw, sizeof(raw)) != 8) {
            srv__problem(r, 400, "The cursor is not one this server gave out.");
            return;
        }
        for (int i = 0; i < 8; i++)
            after = after << 8 | raw[i];
    }
    txn = srv__read_begin(r);
    if (!txn)
        return;
    buf_init(&b, 0);
    buf_puts(&b, "{\"reviews\":[");
    c.b = &b;
    c.n = 0;
    c.rc = 0;
    rc = store_reviews_by_status(txn, status, after, limit, srv__list_review, &c, &last);
    srv__read_end(r);
    if (rc) {
        srv__problem(r, srv__status_of(rc), "The moderation queue could not be read: %s.",
                     chorus_strerror(rc));
        goto out;
    }
    buf_puts(&b, "],\"next_cursor\":");
    if (c.n == limit && last) {
        for (int i = 7; i >= 0; i--, last >>= 8)
            raw[i] = (uint8_t)last;
        chorus_b64url_encode(raw, 8, next);
        buf_printf(&b, "\"%s\"}", next);
    } else {
        buf_puts(&b, "null}");
    }
    evhttp_add_header(evhttp_request_get_output_headers(r->req), "Cache-Control", "no-store");
    srv__add_cors(r->srv, r->req);
    srv__reply(r, 200, "application/json", &b);
out:
    buf_cleanup(&b);
}
