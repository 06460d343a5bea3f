/* Products: the catalogue, stats, and a product's reviews. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "chorus/error.h"
#include "chorus/parse.h"
#include "chorus/view.h"

static int put_product(void *ctx, const struct product *p, const struct review_stats *st)
{
    struct srv_list *c = ctx;

    if (c->n++)
        c->rc = buf_putc(c->b, ',');
    if (c->rc == 0)
        c->rc = view_product_json(c->b, p, st);
    return c->rc;
}

/* finish_list closes a {"<name>": [...], "next_cursor": ...} document. */
static void finish_list(struct buf *b, const char *next)
{
    buf_puts(b, "],\"next_cursor\":");
    if (next[0])
        chorus_json_str(b, next, strlen(next));
    else
        buf_puts(b, "null");
    buf_putc(b, '}');
}

/* category_ok checks a category filter the way the store stores paths, so
 * a bad filter is not mistaken for a bad cursor. */
static bool category_ok(const char *c)
{
    size_t n = strlen(c);

    if (n == 0)
        return true;
    if (n > CHORUS_MAX_CATEGORY || c[0] == '/' || c[n - 1] == '/' || strstr(c, "//"))
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)c[i] < 0x20 || c[i] == 0x7f)
            return false;
    return chorus_utf8_valid(c, n);
}

void srv__products_list(struct srv_req *r)
{
    static const char *const allowed[] = {"category", "sort", "limit", "cursor", NULL};
    const char *sort = NULL, *cursor, *category;
    enum store_product_sort ps = STORE_PSORT_ID;
    struct store_txn *txn;
    struct srv_list c = {0};
    char next[STORE_CURSOR_MAX] = "";
    struct review_stats st;
    struct srv_cached val;
    struct buf b, key;
    size_t limit;
    int rc;

    if (!srv__query_check(r, allowed) || !srv__query_limit(r, 20, 100, &limit))
        return;
    sort = srv__query_get(r, "sort");
    if (!sort || strcmp(sort, "id") == 0)
        ps = STORE_PSORT_ID;
    else if (strcmp(sort, "count") == 0)
        ps = STORE_PSORT_COUNT;
    else if (strcmp(sort, "average") == 0)
        ps = STORE_PSORT_AVERAGE;
    else {
        srv__problem(r, 400, "sort must be id, count or average.");
        return;
    }
    category = srv__query_get(r, "category");
    if (category && !category_ok(category)) {
        srv__problem(r, 400,
                     "category must be a path like laptops or laptops/gaming: up to %d bytes, "
                     "no empty segments, no leading or trailing '/'.",
                     CHORUS_MAX_CATEGORY);
        return;
    }
    cursor = srv__query_get(r, "cursor");
    txn = srv__read_begin(r);
    if (!txn)
        return;
    /* A listing loads and sorts every product of its category, so first
     * pages are cached per category version (as feeds are); pages behind
     * a cursor are not (see server/feeds.c). */
    buf_init(&key, 0);
    if (!cursor &&
        store_scope_stats(txn, category && *category ? STORE_SCOPE_CATEGORY : STORE_SCOPE_ALL,
                          category, &st) == 0) {
        const struct srv_cached *hit;

        buf_printf(&key, "plist|%d|%zu|%s", (int)ps, limit, category ? category : "");
        memset(&val, 0, sizeof(val));
        val.version = st.version;
        val.type = "application/json";
        val.modified = st.changed_at;
        snprintf(val.etag, sizeof(val.etag), "W/\"l%s-%llx-%llx\"", r->srv->instance,
                 (unsigned long long)st.version, (unsigned long long)chorus_fnv64_str(key.data));
        hit = srv__cache_get(r->srv->cache, key.data, st.version);
        if (hit || srv__etag_match(r, val.etag)) {
            srv__read_end(r);
            if (hit && !srv__etag_match(r, hit->etag)) {
                srv__add_cors(r->srv, r->req);
                srv__cache_reply(r, 200, hit);
            }
            buf_cleanup(&key);
            return;
        }
    }
    buf_init(&b, 0);
    buf_puts(&b, "{\"products\":[");
    c.b = &b;
    rc = store_products_list(txn, category, ps, limit, cursor, put_product, &c, next);
    srv__read_end(r);
    if (rc == CHORUS_EINVAL) {
        srv__problem(r, 400, "The cursor is not one this server gave out for this listing.");
    } else if (rc) {
        srv__problem(r, srv__status_of(rc), "Products could not be listed: %s.",
                     chorus_strerror(rc));
    } else {
        finish_list(&b, next);
        if (key.len)
            srv__cache_put(r->srv->cache, key.data, &val, &b);
        else
            evhttp_add_header(evhttp_request_get_output_headers(r->req), "Cache-Control",
                              "public, max-age=60");
        srv__add_cors(r->srv, r->req);
        srv__reply(r, 200, "application/json", &b);
    }
    buf_cleanup(&b);
    buf_cleanup(&key);
}

void srv__product_get(struct srv_req *r)
{
    static const char *const allowed[] = {NULL};
    struct store_txn *txn;
    struct product p;
    struct review_stats st;
    struct buf b;
    char etag[48];
    int rc;

    if (!srv__query_check(r, allowed))
        return;
    txn = srv__read_begin(r);
    if (!txn)
        return;
    buf_init(&b, 0);
    rc = store_product_get(txn, r->param, &p, &st);
    if (rc == 0) {
        snprintf(etag, sizeof(etag), "\"p%llu\"", (unsigned long long)st.version);
        if (srv__etag_match(r, etag)) {
            srv__read_end(r);
            goto out;
        }
        rc = view_product_json(&b, &p, &st);
    }
    srv__read_end(r);
    if (rc == CHORUS_ENOTFOUND) {
        srv__problem(r, 404, "There is no product '%.128s'.", r->param);
    } else if (rc) {
        srv__problem(r, srv__status_of(rc), "The product could not be read: %s.",
                     chorus_strerror(rc));
    } else {
        srv__add_cors(r->srv, r->req);
        srv__reply(r, 200, "application/json", &b);
    }
out:
    buf_cleanup(&b);
}

struct product_job {
    struct srv_job base;
    struct product *p;
    bool created;
    int result;
    char old_category[CHORUS_MAX_CATEGORY + 1]; /* before the put; "" for none or new */
};

static int product_apply(struct store_txn *txn, struct srv_job *base)
{
    struct product_job *j = (struct product_job *)base;
    struct product old;

    /* The category the product leaves has changed feeds too, and only the
     * write transaction knows it: a read before the job was queued could
     * miss a move made by an earlier job of the same batch. apply can rerun,
     * so this overwrites. */
    j->old_category[0] = '\0';
    if (store_product_get(txn, j->p->id, &old, NULL) == 0 && old.category)
        snprintf(j->old_category, sizeof(j->old_category), "%s", old.category);
    j->result = store_product_put(txn, j->p, &j->created);
    return j->result == CHORUS_EINVAL ? 0 : j->result;
}

static void product_done(struct srv_job *base, int commit_rc)
{
    struct product_job *j = (struct product_job *)base;
    struct srv *s = base->srv;
    struct product p;
    struct review_stats st;
    struct buf b;
    int rc = commit_rc ? commit_rc : j->result;

    buf_init(&b, 0);
    if (rc == 0) {
        rc = store_read_begin(s->store, &s->rtxn);
        if (rc == 0) {
            rc = store_product_get(s->rtxn, j->p->id, &p, &st);
            if (rc == 0)
                rc = view_product_json(&b, &p, &st);
            store_read_end(s->rtxn);
        }
    }
    if (rc) {
        srv__problem_req(s, base->req, rc == CHORUS_EINVAL ? 422 : srv__status_of(rc),
                         "The product was not stored: %s.", chorus_strerror(rc));
    } else {
        srv__add_cors(s, base->req);
        srv__reply_req(s, base->req, j->created ? 201 : 200, "application/json", &b);
    }
    buf_cleanup(&b);
    /* A new name or category changes what the product's feeds show, and a
     * move takes its reviews out of the old category chain's feeds (topics
     * the two chains share are deduplicated by the notifier). */
    if (commit_rc == 0 && j->result == 0) {
        srv__feeds_changed(s, j->p->id);
        if (strcmp(j->old_category, j->p->category ? j->p->category : "") != 0)
            srv__feeds_changed_category(s, j->old_category);
    }
    free(j->p);
    free(j);
}

void srv__product_put(struct srv_req *r)
{
    static const char *const allowed[] = {NULL};
    static const char *const types[] = {"application/json", NULL};
    struct parse_error perr;
    struct product_job *j;
    struct product *p = NULL;
    char *data = NULL;
    size_t len, fi;

    if (!srv__require_key(r) || !srv__query_check(r, allowed) ||
        !srv__body(r, types, &fi, &data, &len))
        return;
    memset(&perr, 0, sizeof(perr));
    if (parse_product(data, len, r->param, &p, &perr) != 0) {
        srv__problem_parse(r, &perr);
        goto out;
    }
    j = calloc(1, sizeof(*j));
    if (!j)
        abort();
    j->p = p;
    j->base.apply = product_apply;
    j->base.done = product_done;
    j->base.srv = r->srv;
    j->base.req = r->req;
    srv__writer_submit(r->srv, &j->base);
out:
    free(data);
}

/* parse_statuses reads "status=pending,rejected" (key holders only). */
static bool parse_statuses(struct srv_req *r, unsigned *out)
{
    const char *v = srv__query_get(r, "status"), *p;
    char name[16];

    *out = 0;
    if (!v)
        return true;
    if (!r->authed) {
        srv__problem(r, 401, "Listing reviews by status needs an API key.");
        return false;
    }
    for (p = v; *p;) {
        size_t n = strcspn(p, ",");
        enum review_status st;

        if (n >= sizeof(name))
            goto bad;
        memcpy(name, p, n);
        name[n] = '\0';
        if (strcmp(name, "all") == 0)
            *out |= 7;
        else if (review_status_parse(name, &st) == 0)
            *out |= 1u << st;
        else
            goto bad;
        p += n;
        if (*p == ',')
            p++;
    }
    if (*out)
        return true;
bad:
    srv__problem(r, 400,
                 "status must be a comma-separated list of pending, approved, rejected "
                 "or all.");
    return false;
}

void srv__product_reviews(struct srv_req *r)
{
    static const char *const allowed[] = {"sort",  "rating", "verified", "since",
                                          "limit", "cursor", "status",   NULL};
    struct store_query q;
    struct store_txn *txn;
    struct review_stats st;
    struct srv_list c = {0};
    char next[STORE_CURSOR_MAX] = "", etag[64];
    const char *v;
    struct buf b;
    int rc;

    memset(&q, 0, sizeof(q));
    if (!srv__query_check(r, allowed) || !srv__query_limit(r, 10, 100, &q.limit) ||
        !srv__query_sort(r, &q.sort) || !srv__query_ratings(r, &q.ratings) ||
        !parse_statuses(r, &q.statuses))
        return;
    v = srv__query_get(r, "verified");
    if (v && strcmp(v, "true") != 0 && strcmp(v, "false") != 0) {
        srv__problem(r, 400, "verified must be true or false.");
        return;
    }
    q.verified_only = v && strcmp(v, "true") == 0;
    v = srv__query_get(r, "since");
    if (v && chorus_time_parse(v, strlen(v), &q.since) != 0) {
        srv__problem(r, 400, "since must be an RFC 3339 time such as 2024-05-01T00:00:00Z.");
        return;
    }
    q.product_id = r->param;
    q.cursor = srv__query_get(r, "cursor");
    txn = srv__read_begin(r);
    if (!txn)
        return;
    buf_init(&b, 0);
    rc = store_product_get(txn, r->param, NULL, &st);
    if (rc == 0 && !q.statuses) {
        const char *qs = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(r->req));

        snprintf(etag, sizeof(etag), "\"r%llu-%016llx\"", (unsigned long long)st.version,
                 (unsigned long long)chorus_fnv64_str(qs));
        if (srv__etag_match(r, etag)) {
            srv__read_end(r);
            goto out;
        }
    }
    if (rc == 0) {
        buf_puts(&b, "{\"reviews\":[");
        c.b = &b;
        rc = store_reviews_query(txn, &q, srv__list_review, &c, next);
    }
    srv__read_end(r);
    if (rc == CHORUS_ENOTFOUND) {
        srv__problem(r, 404, "There is no product '%.128s'.", r->param);
    } else if (rc == CHORUS_EINVAL) {
        srv__problem(r, 400, "The cursor is not one this server gave out for this sort.");
    } else if (rc) {
        srv__problem(r, srv__status_of(rc), "Reviews could not be listed: %s.",
                     chorus_strerror(rc));
    } else {
        finish_list(&b, next);
        if (q.statuses)
            evhttp_add_header(evhttp_request_get_output_headers(r->req), "Cache-Control",
                              "private, no-store");
        srv__add_cors(r->srv, r->req);
        srv__reply(r, 200, "application/json", &b);
    }
out:
    buf_cleanup(&b);
}
