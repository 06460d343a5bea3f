/* /api/v1/known-issues: known issues made, changed and deleted with a key
 * that has the catalogue scope; listed, shown and their linked complaints
 * read by whoever may read the digest (docs/known-issues.md). Changes go
 * through the writer like every write; the store relinks the product's
 * complaints in the same transaction. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"
#include "chorus/parse.h"
#include "chorus/text.h"

enum op { OP_CREATE, OP_PATCH, OP_DELETE };

struct issue_job {
    struct srv_job base;
    enum op op;
    uint64_t id;
    struct parse_issue body; /* CREATE, PATCH: owned */
    struct buf out;          /* the issue as stored, rendered in apply */
    int result;
    char field[32];    /* a refused value's field */
    char message[256]; /* and why */
};

/* ---- rendering -------------------------------------------------------------------- */

static void time_or_null(struct buf *b, const char *name, int64_t t)
{
    char ts[32];

    if (t <= 0) {
        buf_printf(b, ",\"%s\":null", name);
        return;
    }
    chorus_time_format(t, ts);
    buf_printf(b, ",\"%s\":\"%s\"", name, ts);
}

static int render(struct buf *b, const struct store_issue *is)
{
    buf_printf(b, "{\"id\":%llu,\"product_id\":", (unsigned long long)is->id);
    chorus_json_str(b, is->product_id, strlen(is->product_id));
    buf_puts(b, ",\"component\":");
    chorus_json_str(b, is->component, strlen(is->component));
    buf_puts(b, ",\"title\":");
    chorus_json_str(b, is->title, strlen(is->title));
    buf_printf(b, ",\"status\":\"%s\",\"fixed_in\":", store_issue_status_name(is->status));
    chorus_json_str_or_null(b, is->fixed_in);
    time_or_null(b, "fixed_at", is->fixed_at);
    buf_puts(b, ",\"phrases\":[");
    for (size_t i = 0; i < is->n_phrases; i++) {
        buf_puts(b, i ? "," : "");
        chorus_json_str(b, is->phrases[i], strlen(is->phrases[i]));
    }
    buf_putc(b, ']');
    time_or_null(b, "created_at", is->created_at);
    time_or_null(b, "updated_at", is->updated_at);
    return buf_putc(b, '}');
}

/* ---- validation ------------------------------------------------------------------- */

static bool refuse(struct issue_job *j, const char *field, const char *msg)
{
    snprintf(j->field, sizeof(j->field), "%s", field);
    snprintf(j->message, sizeof(j->message), "%s", msg);
    j->result = CHORUS_EINVAL;
    return false;
}

static bool text_ok(struct issue_job *j, const char *field, const char *v, size_t cap,
                    bool required)
{
    char msg[160];

    if (!v && !required)
        return true;
    if (!v || !*v) {
        snprintf(msg, sizeof(msg), "%s is required and must not be empty.", field);
        return refuse(j, field, msg);
    }
    if (strlen(v) > cap) {
        snprintf(msg, sizeof(msg), "%s is %zu bytes; at most %zu are kept.", field, strlen(v), cap);
        return refuse(j, field, msg);
    }
    return true;
}

/* apply_body lays the body's fields over *is (a new issue's zeros, or the
 * stored one for PATCH) and checks the result whole, so a PATCH is held to
 * the same rules as a POST. */
static bool apply_body(struct issue_job *j, const struct text_taxonomy *tax, struct store_issue *is)
{
    const struct parse_issue *p = &j->body;
    char msg[200];

    if (p->has & PARSE_ISSUE_PRODUCT) {
        if (j->op == OP_PATCH && (!p->product_id || strcmp(p->product_id, is->product_id) != 0))
            return refuse(j, "product_id",
                          "product_id cannot change; delete the issue and make a new one.");
        is->product_id = p->product_id;
    }
    if (p->has & PARSE_ISSUE_COMPONENT)
        is->component = p->component;
    if (p->has & PARSE_ISSUE_TITLE)
        is->title = p->title;
    if (p->has & PARSE_ISSUE_FIXED_IN)
        is->fixed_in = p->fixed_in;
    if (p->has & PARSE_ISSUE_FIXED_AT)
        is->fixed_at = p->fixed_at;
    if (p->has & PARSE_ISSUE_STATUS) {
        if (!p->status || store_issue_status_parse(p->status, &is->status) != 0)
            return refuse(j, "status",
                          "status must be investigating, known, fixed or not_a_defect.");
    } else if (j->op == OP_CREATE) {
        return refuse(j, "status",
                      "status is required: investigating, known, fixed or "
                      "not_a_defect.");
    }
    if (p->has & PARSE_ISSUE_PHRASES_SET) {
        is->n_phrases = p->n_phrases;
        for (size_t i = 0; i < p->n_phrases; i++)
            is->phrases[i] = p->phrases[i];
    }
    if (!text_ok(j, "product_id", is->product_id, CHORUS_MAX_PRODUCT_ID, true) ||
        !text_ok(j, "component", is->component, STORE_ISSUE_COMPONENT_MAX, true) ||
        !text_ok(j, "title", is->title, STORE_ISSUE_TITLE_MAX, true) ||
        !text_ok(j, "fixed_in", is->fixed_in, STORE_ISSUE_FIXED_IN_MAX, false))
        return false;
    if (tax && text_taxonomy_find(tax, is->component) < 0) {
        snprintf(msg, sizeof(msg),
                 "There is no component '%.40s' in the taxonomy; use a component id such as "
                 "those in reviews' \"components\".",
                 is->component);
        return refuse(j, "component", msg);
    }
    if (is->n_phrases > STORE_ISSUE_PHRASES_MAX)
        return refuse(j, "phrases", "phrases holds too many entries.");
    for (size_t i = 0; i < is->n_phrases; i++)
        if (!text_ok(j, "phrases", is->phrases[i], STORE_ISSUE_PHRASE_MAX, true))
            return false;
    if (is->status == STORE_ISSUE_FIXED && is->fixed_at == 0)
        return refuse(j, "fixed_at",
                      "A fixed issue needs fixed_at, the time the fix shipped: regressions "
                      "are counted from it.");
    if (is->fixed_at > chorus_now() + 86400)
        return refuse(j, "fixed_at", "fixed_at is more than a day in the future.");
    return true;
}

/* ---- writes ------------------------------------------------------------------------- */

static int issue_apply(struct store_txn *txn, struct store_job *job)
{
    struct issue_job *j = (struct issue_job *)job;
    const struct srv_config *c = &j->base.srv->cfg;
    struct store_issue is;
    int rc;

    /* apply may run again (map growth): start from a clean slate. */
    j->out.len = 0;
    j->result = 0;
    j->field[0] = j->message[0] = '\0';
    memset(&is, 0, sizeof(is));
    switch (j->op) {
    case OP_CREATE:
        if (!apply_body(j, j->base.srv->taxonomy, &is))
            return 0;
        rc = store_issue_create(txn, &is, c->known_issues_max, c->known_issue_relink_max, &j->id);
        break;
    case OP_PATCH:
        rc = store_issue_get(txn, j->id, &is);
        if (rc == 0 && !apply_body(j, j->base.srv->taxonomy, &is))
            return 0;
        if (rc == 0)
            rc = store_issue_replace(txn, &is, c->known_issue_relink_max);
        break;
    default:
        rc = store_issue_delete(txn, j->id, c->known_issue_relink_max);
        break;
    }
    if (rc == 0 && j->op != OP_DELETE) {
        rc = store_issue_get(txn, j->id, &is);
        if (rc == 0)
            render(&j->out, &is);
    }
    j->result = rc;
    /* Refusals abort nothing else in the batch: the store wrote nothing
     * before refusing (its checks come first). */
    return rc == CHORUS_ENOTFOUND || rc == CHORUS_EINVAL || rc == CHORUS_ELIMIT ||
                   rc == CHORUS_ETOOBIG
               ? 0
               : rc;
}

static void issue_done(struct store_job *job, int commit_rc)
{
    struct issue_job *j = (struct issue_job *)job;
    struct srv *s = j->base.srv;
    struct evhttp_request *req = j->base.req;
    char loc[64];

    if (commit_rc) {
        srv__problem_req(s, req, 503, "The change was not stored (%s). Retry later.",
                         chorus_strerror(commit_rc));
    } else if (j->result == CHORUS_EINVAL && j->message[0]) {
        srv__problem_req(s, req, 422, "%s: %s", j->field, j->message);
    } else if (j->result == CHORUS_ENOTFOUND && j->op == OP_CREATE) {
        srv__problem_req(s, req, 422,
                         "product_id: there is no product '%.128s'; known issues are about "
                         "products the store knows.",
                         j->body.product_id ? j->body.product_id : "");
    } else if (j->result == CHORUS_ENOTFOUND) {
        srv__problem_req(s, req, 404, "There is no known issue %llu.", (unsigned long long)j->id);
    } else if (j->result == CHORUS_ELIMIT) {
        srv__problem_req(s, req, 409,
                         "There are already %zu known issues (known_issues_max); delete "
                         "fixed ones or raise the limit.",
                         s->cfg.known_issues_max);
    } else if (j->result == CHORUS_ETOOBIG) {
        srv__problem_req(s, req, 409,
                         "The product has more than %zu complaints to relink "
                         "(known_issue_relink_max); raise the limit to change its issues.",
                         s->cfg.known_issue_relink_max);
    } else if (j->result) {
        srv__problem_req(s, req, srv__status_of(j->result), "The known issue was refused: %s.",
                         chorus_strerror(j->result));
    } else if (j->op == OP_DELETE) {
        srv__reply_req(s, req, 204, NULL, NULL);
    } else {
        if (j->op == OP_CREATE) {
            snprintf(loc, sizeof(loc), "/api/v1/known-issues/%llu", (unsigned long long)j->id);
            evhttp_add_header(evhttp_request_get_output_headers(req), "Location", loc);
        }
        evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-store");
        srv__reply_req(s, req, j->op == OP_CREATE ? 201 : 200, "application/json", &j->out);
    }
    buf_cleanup(&j->out);
    parse_issue_cleanup(&j->body);
    free(j);
}

static const char *const no_params[] = {NULL};

/* parse_issue_id parses the {id} of the route; false = 404 sent. */
static bool parse_issue_id(struct srv_req *r, uint64_t *id)
{
    char *end;

    *id = strtoull(r->param, &end, 10);
    if (r->param[0] < '1' || r->param[0] > '9' || *end || strlen(r->param) > 19) {
        srv__problem(r, 404, "There is no known issue '%.40s': ids are positive integers.",
                     r->param);
        return false;
    }
    return true;
}

static void submit(struct srv_req *r, enum op op, uint64_t id, bool body)
{
    static const char *const json_types[] = {"application/json", NULL};
    struct parse_error perr;
    struct issue_job *j;
    char *data = NULL;
    size_t len, fi;

    j = calloc(1, sizeof(*j));
    if (!j)
        abort();
    if (body) {
        if (!srv__body(r, json_types, &fi, &data, &len)) {
            free(j);
            return;
        }
        memset(&perr, 0, sizeof(perr));
        if (parse_issue(data, len, &j->body, &perr) != 0) {
            srv__problem_parse(r, &perr);
            parse_issue_cleanup(&j->body);
            free(data);
            free(j);
            return;
        }
        free(data);
    }
    j->op = op;
    j->id = id;
    buf_init(&j->out, 0);
    srv__job_init(&j->base, r, issue_apply, issue_done);
    srv__writer_submit(r->srv, &j->base);
}

void srv__issues_create(struct srv_req *r)
{
    if (srv__query_check(r, no_params))
        submit(r, OP_CREATE, 0, true);
}

void srv__issue_patch(struct srv_req *r)
{
    uint64_t id;

    if (srv__query_check(r, no_params) && parse_issue_id(r, &id))
        submit(r, OP_PATCH, id, true);
}

void srv__issue_delete(struct srv_req *r)
{
    uint64_t id;

    if (srv__query_check(r, no_params) && parse_issue_id(r, &id))
        submit(r, OP_DELETE, id, false);
}

/* ---- reads ------------------------------------------------------------------------- */

/* reader_begin begins the read transaction of a read route and checks the
 * reader: known issues are internal engineering data, read as the digest
 * is (srv__digest_access). NULL: answered. */
static struct store_txn *reader_begin(struct srv_req *r)
{
    struct store_txn *txn = srv__read_begin(r);

    if (!txn || !srv__digest_access(r, srv__query_get(r, "token"), "known issue list"))
        return NULL;
    return txn;
}

static void reply_json(struct srv_req *r, struct buf *b)
{
    evhttp_add_header(evhttp_request_get_output_headers(r->req), "Cache-Control",
                      "private, no-store");
    srv__reply(r, 200, "application/json", b);
}

struct list_ctx {
    struct buf *b;
    size_t n;
};

static int list_one(void *ctx, const struct store_issue *is)
{
    struct list_ctx *l = ctx;

    if (l->n++)
        buf_putc(l->b, ',');
    return render(l->b, is);
}

/* decode_id_cursor reads the base64url id cursor of the issue list. */
static bool decode_id_cursor(const char *cur, uint64_t *after)
{
    uint8_t raw[8];

    *after = 0;
    if (!cur)
        return true;
    if (chorus_b64url_decode(cur, strlen(cur), raw, sizeof(raw)) != 8)
        return false;
    for (int i = 0; i < 8; i++)
        *after = *after << 8 | raw[i];
    return true;
}

void srv__issues_list(struct srv_req *r)
{
    static const char *const allowed[] = {"product", "status", "limit", "cursor", "token", NULL};
    const char *product, *st;
    enum store_issue_status status;
    struct store_txn *txn;
    struct list_ctx l;
    struct buf b;
    uint64_t after, last = 0;
    unsigned statuses = 0;
    size_t limit;
    uint8_t raw[8];
    char next[16];
    int rc;

    if (!srv__query_check(r, allowed) || !srv__query_limit(r, 20, 100, &limit))
        return;
    product = srv__query_get(r, "product");
    st = srv__query_get(r, "status");
    if (st && store_issue_status_parse(st, &status) != 0) {
        srv__problem(r, 400, "status must be investigating, known, fixed or not_a_defect.");
        return;
    }
    if (st)
        statuses = 1u << status;
    if (!decode_id_cursor(srv__query_get(r, "cursor"), &after)) {
        srv__problem(r, 400, "The cursor is not one this server gave out.");
        return;
    }
    txn = reader_begin(r);
    if (!txn)
        return;
    buf_init(&b, 0);
    l.b = &b;
    l.n = 0;
    buf_puts(&b, "{\"known_issues\":[");
    rc = store_issues_list(txn, product && *product ? product : NULL, statuses, after, limit,
                           list_one, &l, &last);
    srv__read_end(r);
    if (rc == CHORUS_ENOTFOUND) {
        srv__problem(r, 404, "There is no product '%.128s'.", product);
    } else if (rc) {
        srv__problem(r, srv__status_of(rc), "The known issues cannot be listed: %s.",
                     chorus_strerror(rc));
    } else {
        buf_puts(&b, "],\"next_cursor\":");
        if (l.n == limit && last) {
            for (int i = 7; i >= 0; i--, last >>= 8)
                raw[i] = (uint8_t)last;
            chorus_b64url_encode(raw, 8, next);
            buf_printf(&b, "\"%s\"}", next);
        } else {
            buf_puts(&b, "null}");
        }
        reply_json(r, &b);
    }
    buf_cleanup(&b);
}

void srv__issue_get(struct srv_req *r)
{
    static const char *const allowed[] = {"token", NULL};
    struct store_issue is;
    struct store_txn *txn;
    struct buf b;
    uint64_t id;
    int rc;

    if (!srv__query_check(r, allowed) || !parse_issue_id(r, &id))
        return;
    txn = reader_begin(r);
    if (!txn)
        return;
    buf_init(&b, 0);
    rc = store_issue_get(txn, id, &is);
    if (rc == 0)
        render(&b, &is);
    srv__read_end(r);
    if (rc == CHORUS_ENOTFOUND)
        srv__problem(r, 404, "There is no known issue %llu.", (unsigned long long)id);
    else if (rc)
        srv__problem(r, srv__status_of(rc), "The known issue cannot be read: %s.",
                     chorus_strerror(rc));
    else
        reply_json(r, &b);
    buf_cleanup(&b);
}

void srv__issue_reviews(struct srv_req *r)
{
    static const char *const allowed[] = {"limit", "cursor", "token", NULL};
    char next[STORE_CURSOR_MAX] = "";
    struct store_txn *txn;
    struct srv_list c = {0};
    struct buf b;
    uint64_t id;
    size_t limit;
    int rc;

    if (!srv__query_check(r, allowed) || !parse_issue_id(r, &id) ||
        !srv__query_limit(r, 10, 100, &limit))
        return;
    txn = reader_begin(r);
    if (!txn)
        return;
    buf_init(&b, 0);
    c.b = &b;
    buf_puts(&b, "{\"reviews\":[");
    rc = store_issue_reviews(txn, id, limit, srv__query_get(r, "cursor"), srv__list_review, &c,
                             next);
    srv__read_end(r);
    if (rc == CHORUS_ENOTFOUND) {
        srv__problem(r, 404, "There is no known issue %llu.", (unsigned long long)id);
    } else if (rc == CHORUS_EINVAL) {
        srv__problem(r, 400, "The cursor is not one this server gave out.");
    } else if (rc) {
        srv__problem(r, srv__status_of(rc), "The linked reviews cannot be listed: %s.",
                     chorus_strerror(rc));
    } else {
        buf_puts(&b, "],\"next_cursor\":");
        if (next[0])
            chorus_json_str(&b, next, strlen(next));
        else
            buf_puts(&b, "null");
        buf_putc(&b, '}');
        reply_json(r, &b);
    }
    buf_cleanup(&b);
}
