/* Reader tokens for private digests: created, listed and revoked with an
 * API key; a token opens /feeds/digest.atom?token=... in any feed reader. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"
#include "chorus/parse.h"

int srv__reader_allowed(struct srv_req *r, struct store_txn *txn, const char *token)
{
    if (r->srv->cfg.digest_public || r->authed)
        return 0;
    if (!token)
        return 401;
    return store_token_check(txn, token) == 0 ? 0 : 403;
}

void srv__reader_refuse(struct srv_req *r, int status)
{
    if (status == 403)
        srv__problem(r, 403, "This reader token is not valid (revoked or mistyped).");
    else
        srv__problem(r, 401,
                     "This is private: add ?token= with a reader token, or send an API "
                     "key.");
}

struct token_job {
    struct srv_job base;
    bool create;
    uint64_t id; /* delete: which; create: the new one */
    char name[STORE_TOKEN_NAME + 1];
    char secret[STORE_TOKEN_LEN + 1];
    int64_t created_at;
    int result;
};

static int token_apply(struct store_txn *txn, struct store_job *job)
{
    struct token_job *j = (struct token_job *)job;
    struct store_token t;
    int rc;

    if (j->create) {
        rc = store_token_create(txn, j->name, &t, j->secret);
        if (rc == 0) {
            j->id = t.id;
            j->created_at = t.created_at;
        }
    } else {
        rc = store_token_delete(txn, j->id);
    }
    j->result = rc;
    return rc == CHORUS_ENOTFOUND || rc == CHORUS_EINVAL ? 0 : rc;
}

static void token_json(struct buf *b, uint64_t id, const char *name, int64_t created)
{
    char ts[32];

    chorus_time_format(created, ts);
    buf_printf(b, "{\"id\":%llu,\"name\":", (unsigned long long)id);
    chorus_json_str(b, name, strlen(name));
    buf_printf(b, ",\"created_at\":\"%s\"", ts);
}

static void token_done(struct store_job *job, int commit_rc)
{
    struct token_job *j = (struct token_job *)job;
    struct srv_job *base = &j->base;
    struct srv *s = base->srv;
    struct buf b, u;
    int url;

    buf_init(&b, 0);
    buf_init(&u, 0);
    if (commit_rc) {
        srv__problem_req(s, base->req, 503, "The change was not stored (%s). Retry later.",
                         chorus_strerror(commit_rc));
    } else if (j->result == CHORUS_ENOTFOUND) {
        srv__problem_req(s, base->req, 404, "There is no reader token %llu.",
                         (unsigned long long)j->id);
    } else if (j->result) {
        srv__problem_req(s, base->req, srv__status_of(j->result), "The token was refused: %s.",
                         chorus_strerror(j->result));
    } else if (!j->create) {
        srv__reply_req(s, base->req, 204, NULL, NULL);
    } else {
        token_json(&b, j->id, j->name, j->created_at);
        buf_puts(&b, ",\"token\":");
        chorus_json_str(&b, j->secret, strlen(j->secret));
        buf_puts(&b, ",\"digest_url\":");
        url = feed_digest_url(&u, s->public_url, &(struct feed_digest_query){.token = j->secret});
        chorus_json_str(&b, u.data, url == 0 ? u.len : 0);
        buf_putc(&b, '}');
        memset(u.data, 0, u.len);
        evhttp_add_header(evhttp_request_get_output_headers(base->req), "Cache-Control",
                          "no-store");
        srv__reply_req(s, base->req, 201, "application/json", &b);
    }
    buf_cleanup(&b);
    buf_cleanup(&u);
    /* The secret was shown once; do not leave it in freed memory. */
    memset(j->secret, 0, sizeof(j->secret));
    free(j);
}

static struct token_job *job_new(struct srv_req *r, bool create)
{
    struct token_job *j = calloc(1, sizeof(*j));

    if (!j)
        abort();
    j->create = create;
    srv__job_init(&j->base, r, token_apply, token_done);
    return j;
}

static const char *const no_params[] = {NULL};

void srv__tokens_create(struct srv_req *r)
{
    static const char *const json_types[] = {"application/json", NULL};
    struct parse_error perr;
    struct token_job *j;
    char *data = NULL;
    size_t len, fi;

    if (!srv__query_check(r, no_params) || !srv__body(r, json_types, &fi, &data, &len))
        return;
    j = job_new(r, true);
    memset(&perr, 0, sizeof(perr));
    if (parse_token_request(data, len, j->name, sizeof(j->name), &perr) != 0 ||
        !chorus_utf8_valid(j->name, strlen(j->name))) {
        srv__problem_parse(r, &perr);
        free(j);
    } else {
        srv__writer_submit(r->srv, &j->base);
    }
    free(data);
}

void srv__tokens_delete(struct srv_req *r)
{
    struct token_job *j;
    char *end;
    unsigned long long id;

    if (!srv__query_check(r, no_params))
        return;
    id = strtoull(r->param, &end, 10);
    if (r->param[0] < '1' || r->param[0] > '9' || *end) {
        srv__problem(r, 404, "There is no reader token '%.40s': ids are positive integers.",
                     r->param);
        return;
    }
    j = job_new(r, false);
    j->id = id;
    srv__writer_submit(r->srv, &j->base);
}

static int list_one(void *ctx, const struct store_token *t)
{
    struct srv_list *l = ctx;

    if (l->n++)
        buf_putc(l->b, ',');
    token_json(l->b, t->id, t->name, t->created_at);
    return buf_putc(l->b, '}');
}

static int each_tokens(struct store_txn *txn, struct srv_list *l)
{
    return store_tokens_each(txn, list_one, l);
}

void srv__tokens_list(struct srv_req *r)
{
    srv__list_reply(r, "tokens", each_tokens);
}
