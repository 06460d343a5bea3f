/* /api/v1/sources: pulled sources, made, listed, shown, deleted and asked
 * to poll now with an API key (docs/sources.md). Changes go through the
 * writer like every write; the poller is kicked after the commit. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"
#include "chorus/parse.h"

enum op { OP_CREATE, OP_DELETE, OP_POLL };

struct source_job {
    struct srv_job base;
    enum op op;
    uint64_t id;
    struct source_config *cfg; /* OP_CREATE: owned */
    int64_t now;
    int result;
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

struct hdr_render {
    struct buf *b;
    size_t n;
};

/* Header values often carry a partner's token: they are never shown back,
 * only their names. */
static void render_header(void *ctx, const char *name, const char *value)
{
    struct hdr_render *h = ctx;

    (void)value;
    buf_puts(h->b, h->n++ ? "," : "");
    chorus_json_str(h->b, name, strlen(name));
    buf_puts(h->b, ":\"(hidden)\"");
}

static void render(struct buf *b, uint64_t id, int64_t created, const struct source_config *c,
                   const struct source_state *st)
{
    struct hdr_render h = {b, 0};

    buf_printf(b, "{\"id\":%llu,\"kind\":\"%s\",\"url\":", (unsigned long long)id,
               source_kind_name(c->kind));
    chorus_json_str(b, c->url, strlen(c->url));
    buf_printf(b, ",\"interval\":%u,\"headers\":{", (unsigned)c->interval);
    parse_source_headers(c->headers, render_header, &h);
    buf_printf(b, "},\"status\":\"%s\",\"catalogue\":%s", review_status_name(c->status),
               c->catalogue ? "true" : "false");
    if (c->product_id) {
        buf_puts(b, ",\"product_id\":");
        chorus_json_str(b, c->product_id, strlen(c->product_id));
    }
    if (c->product_map) {
        /* Text parse_source wrote with jansson: valid JSON as it stands. */
        buf_puts(b, ",\"product_map\":");
        buf_puts(b, c->product_map);
    }
    if (c->json_map) {
        buf_puts(b, ",\"json_map\":");
        chorus_json_str(b, c->json_map, strlen(c->json_map));
    }
    time_or_null(b, "created_at", created);
    time_or_null(b, "next_poll_at", st->next_poll_at);
    time_or_null(b, "last_poll_at", st->last_poll_at);
    buf_puts(b, ",\"last_status\":");
    chorus_json_str(b, st->last_status, strlen(st->last_status));
    buf_printf(b,
               ",\"items_seen\":%llu,\"items_added\":%llu,\"items_updated\":%llu,"
               "\"items_merged\":%llu,\"items_rejected\":%llu,\"reasons\":[",
               (unsigned long long)st->items_seen, (unsigned long long)st->items_added,
               (unsigned long long)st->items_updated, (unsigned long long)st->items_merged,
               (unsigned long long)st->items_rejected);
    for (uint32_t i = 0; i < st->n_reasons && i < SOURCE_MAX_REASONS; i++) {
        buf_puts(b, i ? "," : "");
        chorus_json_str(b, st->reasons[i], strlen(st->reasons[i]));
    }
    buf_printf(b, "],\"errors\":%u,\"backoff_seconds\":%u,\"polls\":%llu,\"failures\":%llu",
               (unsigned)st->errors, (unsigned)st->backoff, (unsigned long long)st->polls,
               (unsigned long long)st->failures);
    buf_puts(b, ",\"etag\":");
    chorus_json_str_or_null(b, st->etag[0] ? st->etag : NULL);
    buf_puts(b, ",\"last_modified\":");
    chorus_json_str_or_null(b, st->last_modified[0] ? st->last_modified : NULL);
    buf_putc(b, '}');
}

/* ---- writes ------------------------------------------------------------------------ */

static int source_apply(struct store_txn *txn, struct store_job *job)
{
    struct source_job *j = (struct source_job *)job;
    struct store_source src;
    int rc;

    switch (j->op) {
    case OP_CREATE:
        rc = store_source_create(txn, j->cfg, j->now, &j->id);
        break;
    case OP_DELETE:
        rc = store_source_delete(txn, j->id);
        break;
    default:
        rc = store_source_get(txn, j->id, &src);
        if (rc == 0) {
            src.st.next_poll_at = j->now;
            rc = store_source_state_put(txn, j->id, &src.st);
        }
        break;
    }
    j->result = rc;
    return rc == CHORUS_ENOTFOUND || rc == CHORUS_EINVAL ? 0 : rc;
}

static void source_done(struct store_job *job, int commit_rc)
{
    struct source_job *j = (struct source_job *)job;
    struct srv_job *base = &j->base;
    struct srv *s = base->srv;
    struct source_state st;
    struct buf b;
    char loc[64];

    buf_init(&b, 0);
    if (commit_rc) {
        srv__problem_req(s, base->req, 503, "The change was not stored (%s). Retry later.",
                         chorus_strerror(commit_rc));
    } else if (j->result == CHORUS_ENOTFOUND) {
        srv__problem_req(s, base->req, 404, "There is no source %llu.", (unsigned long long)j->id);
    } else if (j->result) {
        srv__problem_req(s, base->req, srv__status_of(j->result), "The source was refused: %s.",
                         chorus_strerror(j->result));
    } else if (j->op == OP_DELETE) {
        srv__reply_req(s, base->req, 204, NULL, NULL);
    } else if (j->op == OP_POLL) {
        buf_printf(&b, "{\"id\":%llu", (unsigned long long)j->id);
        time_or_null(&b, "next_poll_at", j->now);
        buf_putc(&b, '}');
        srv__reply_req(s, base->req, 202, "application/json", &b);
        pull_poller_kick(s->poller);
    } else {
        memset(&st, 0, sizeof(st));
        st.next_poll_at = j->now;
        snprintf(st.last_status, sizeof(st.last_status), "not polled yet");
        render(&b, j->id, j->now, j->cfg, &st);
        snprintf(loc, sizeof(loc), "/api/v1/sources/%llu", (unsigned long long)j->id);
        evhttp_add_header(evhttp_request_get_output_headers(base->req), "Location", loc);
        srv__reply_req(s, base->req, 201, "application/json", &b);
        pull_poller_kick(s->poller);
    }
    buf_cleanup(&b);
    free(j->cfg);
    free(j);
}

static struct source_job *job_new(struct srv_req *r, enum op op)
{
    struct source_job *j = calloc(1, sizeof(*j));

    if (!j)
        abort();
    j->op = op;
    j->now = chorus_now();
    srv__job_init(&j->base, r, source_apply, source_done);
    return j;
}

static const char *const no_params[] = {NULL};

/* parse_source_id parses the {id} of the route; false = 404 sent. */
static bool parse_source_id(struct srv_req *r, uint64_t *id)
{
    char *end;

    *id = strtoull(r->param, &end, 10);
    if (r->param[0] < '1' || r->param[0] > '9' || *end) {
        srv__problem(r, 404, "There is no source '%.40s': ids are positive integers.", r->param);
        return false;
    }
    return true;
}

void srv__sources_create(struct srv_req *r)
{
    static const char *const json_types[] = {"application/json", NULL};
    struct parse_error perr;
    struct source_config *cfg = NULL;
    struct source_job *j;
    char *data = NULL;
    size_t len, fi;

    if (!srv__query_check(r, no_params) || !srv__body(r, json_types, &fi, &data, &len))
        return;
    memset(&perr, 0, sizeof(perr));
    if (parse_source(data, len, pull_min_interval(), &cfg, &perr) != 0) {
        srv__problem_parse(r, &perr);
    } else {
        j = job_new(r, OP_CREATE);
        j->cfg = cfg;
        srv__writer_submit(r->srv, &j->base);
    }
    free(data);
}

void srv__source_delete(struct srv_req *r)
{
    struct source_job *j;
    uint64_t id;

    if (!srv__query_check(r, no_params) || !parse_source_id(r, &id))
        return;
    j = job_new(r, OP_DELETE);
    j->id = id;
    srv__writer_submit(r->srv, &j->base);
}

void srv__source_poll(struct srv_req *r)
{
    struct source_job *j;
    uint64_t id;

    if (!srv__query_check(r, no_params) || !parse_source_id(r, &id))
        return;
    j = job_new(r, OP_POLL);
    j->id = id;
    srv__writer_submit(r->srv, &j->base);
}

/* ---- reads ------------------------------------------------------------------------- */

static int list_one(void *ctx, const struct store_source *src)
{
    struct srv_list *l = ctx;

    if (l->n++)
        buf_putc(l->b, ',');
    render(l->b, src->id, src->created_at, &src->cfg, &src->st);
    return 0;
}

static int each_sources(struct store_txn *txn, struct srv_list *l)
{
    return store_sources_each(txn, list_one, l);
}

void srv__sources_list(struct srv_req *r)
{
    srv__list_reply(r, "sources", each_sources);
}

void srv__source_get(struct srv_req *r)
{
    struct store_source src;
    struct store_txn *txn;
    struct buf b;
    uint64_t id;
    int rc;

    if (!srv__query_check(r, no_params) || !parse_source_id(r, &id))
        return;
    txn = srv__read_begin(r);
    if (!txn)
        return;
    buf_init(&b, 0);
    rc = store_source_get(txn, id, &src);
    if (rc == 0)
        render(&b, src.id, src.created_at, &src.cfg, &src.st);
    srv__read_end(r);
    if (rc == CHORUS_ENOTFOUND) {
        srv__problem(r, 404, "There is no source %llu.", (unsigned long long)id);
    } else if (rc) {
        srv__problem(r, srv__status_of(rc), "The source cannot be read: %s.", chorus_strerror(rc));
    } else {
        evhttp_add_header(evhttp_request_get_output_headers(r->req), "Cache-Control", "no-store");
        srv__reply(r, 200, "application/json", &b);
    }
    buf_cleanup(&b);
}
