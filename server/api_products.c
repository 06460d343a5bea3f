/* Products: the catalogue, stats, and a product's reviews. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"
#include "chorus/parse.h"
#include "chorus/feed.h"

static int put_product(void *ctx, const struct product *p, const struct review_stats *st)
{
    struct srv_list *c = ctx;

    if (c->n++)
        c->rc = buf_putc(c->b, ',');
    if (c->rc == 0)
        c->rc = feed_product_json(c->b, p, st);
    return c->rc;
}

/* finish_list closes a {"<name>": [...], "next_cursor": ...} document. */
static int finish_list(struct buf *b, const char *next)
{
    int rc = buf_puts(b, "],\"next_cursor\":");

    if (rc == 0)
        rc = next[0] ? chorus_json_str(b, next, strlen(next)) : buf_puts(b, "null");
    return rc ? rc : buf_putc(b, '}');
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

struct list_ctx {
    const char *category;
    enum store_product_sort sort;
    size_t limit;
    const char *cursor;
};

static int render_list(struct srv_req *r, void *ctx, struct buf *b, int64_t *modified)
{
    struct list_ctx *l = ctx;
    struct srv_list c = {.b = b};
    char next[STORE_CURSOR_MAX] = "";
    int rc;

    (void)modified;
    buf_puts(b, "{\"products\":[");
    rc = store_products_list(r->t->rtxn, l->category, l->sort, l->limit, l->cursor, put_product, &c,
                             next);
    if (rc == 0)
        rc = finish_list(b, next);
    return rc;
}

void srv__products_list(struct srv_req *r)
{
    static const char *const allowed[] = {"category", "sort", "limit", "cursor", NULL};
    struct list_ctx l = {.sort = STORE_PSORT_ID};
    const char *sort = NULL;
    struct store_txn *txn;
    struct review_stats st = {0};
    struct buf *key;
    bool known;

    if (!srv__query_check(r, allowed) || !srv__query_limit(r, 20, 100, &l.limit))
        return;
    sort = srv__query_get(r, "sort");
    if (!sort || strcmp(sort, "id") == 0)
        l.sort = STORE_PSORT_ID;
    else if (strcmp(sort, "count") == 0)
        l.sort = STORE_PSORT_COUNT;
    else if (strcmp(sort, "average") == 0)
        l.sort = STORE_PSORT_AVERAGE;
    else {
        srv__problem(r, 400, "sort must be id, count or average.");
        return;
    }
    l.category = srv__query_get(r, "category");
    if (l.category && !category_ok(l.category)) {
        srv__problem(r, 400,
                     "category must be a path like laptops or laptops/gaming: up to %d bytes, "
                     "no empty segments, no leading or trailing '/'.",
                     CHORUS_MAX_CATEGORY);
        return;
    }
    l.cursor = srv__query_get(r, "cursor");
    txn = srv__read_begin(r);
    if (!txn)
        return;
    /* A listing loads and sorts every product of its category, so first
     * pages are cached per category version (as feeds are). A category no
     * product was ever in has no version, and its (empty) page is not
     * cached: made-up names must not fill the cache. */
    known =
        store_scope_stats(txn, l.category && *l.category ? STORE_SCOPE_CATEGORY : STORE_SCOPE_ALL,
                          l.category, &st) == 0;
    key = srv__scratch(r, 0);
    buf_printf(key, "plist|%d|%zu|", (int)l.sort, l.limit);
    srv__key_part(key, l.category);
    srv__page(r, &(struct srv_page){
                     .key = key->data,
                     .cursor = l.cursor,
                     .cacheable = known,
                     .version = st.version,
                     .modified = st.changed_at,
                     .cors = true,
                     .type = "application/json",
                     .what = "listing",
                     .render = render_list,
                     .ctx = &l,
                 });
}

static int render_product(struct srv_req *r, void *ctx, struct buf *b, int64_t *modified)
{
    struct product p;
    struct review_stats st;
    int rc = store_product_get(r->t->rtxn, ctx, &p, &st);

    (void)modified;
    return rc ? rc : feed_product_detail_json(b, r->t->rtxn, &p, &st);
}

/* reply_private answers a key holder's read that no cache may keep: what
 * it shows, the public does not see (b is emptied). */
static void reply_private(struct srv_req *r, struct buf *b)
{
    evhttp_add_header(evhttp_request_get_output_headers(r->req), "Cache-Control",
                      "private, no-store");
    srv__add_cors(r->srv, r->req);
    srv__reply(r, 200, "application/json", b);
}

/* key_sees_hidden says whether r is a key holder's read of a product that
 * exists but is not public yet (store_scope_public): such a read is
 * answered privately, as a key holder's read of a pending review is. */
static bool key_sees_hidden(struct srv_req *r, struct review_stats *st)
{
    struct store_txn *txn = r->t->rtxn;

    return r->authed && store_scope_stats(txn, STORE_SCOPE_PRODUCT, r->param, st) == 0 &&
           store_scope_public(txn, STORE_SCOPE_PRODUCT, r->param, st) == CHORUS_ENOTFOUND;
}

/* product_private answers a key holder's read of a product the public does
 * not see yet (store_product_listed), as a key holder reads a pending
 * review: never cached, anywhere. */
static void product_private(struct srv_req *r, const struct product *p,
                            const struct review_stats *st)
{
    struct buf b;
    int rc;

    buf_init(&b, 0);
    rc = feed_product_detail_json(&b, r->t->rtxn, p, st);
    srv__read_end(r);
    if (rc) {
        srv__problem(r, srv__status_of(rc), "The product cannot be read: %s.", chorus_strerror(rc));
    } else {
        reply_private(r, &b);
    }
    buf_cleanup(&b);
}

void srv__product_get(struct srv_req *r)
{
    static const char *const allowed[] = {NULL};
    struct review_stats st;
    struct product p;
    struct buf *key;

    if (!srv__query_check(r, allowed) || !srv__read_begin(r))
        return;
    if (key_sees_hidden(r, &st) && store_product_get(r->t->rtxn, r->param, &p, &st) == 0) {
        product_private(r, &p, &st);
        return;
    }
    if (!srv__page_scope(r, STORE_SCOPE_PRODUCT, r->param, &st))
        return;
    key = srv__scratch(r, 0);
    buf_puts(key, "product|");
    srv__key_part(key, r->param);
    srv__page(r, &(struct srv_page){
                     .key = key->data,
                     .cacheable = true,
                     .version = st.version,
                     .cors = true,
                     .type = "application/json",
                     .what = "product",
                     .render = render_product,
                     .ctx = r->param,
                 });
}

struct product_job {
    struct srv_job base;
    struct product *p;
    bool created;
    int result;
    char old_category[CHORUS_MAX_CATEGORY + 1]; /* before the put; "" for none or new */
};

static int product_apply(struct store_txn *txn, struct store_job *job)
{
    struct product_job *j = (struct product_job *)job;
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

int srv__product_document(struct srv_job *job, const char *id, struct buf *b)
{
    struct product p;
    struct review_stats st;
    int rc = store_read_begin(job->srv->store, &job->t->rtxn);

    if (rc)
        return rc;
    rc = store_product_get(job->t->rtxn, id, &p, &st);
    if (rc == 0)
        rc = feed_product_detail_json(b, job->t->rtxn, &p, &st);
    store_read_end(job->t->rtxn);
    return rc;
}

static void product_done(struct store_job *job, int commit_rc)
{
    struct product_job *j = (struct product_job *)job;
    struct srv_job *base = &j->base;
    struct srv *s = base->srv;
    struct buf b;
    int rc = commit_rc ? commit_rc : j->result;

    buf_init(&b, 0);
    if (rc == 0)
        rc = srv__product_document(base, j->p->id, &b);
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
        srv__feeds_changed(base->t, j->p->id);
        if (strcmp(j->old_category, j->p->category ? j->p->category : "") != 0)
            srv__feeds_changed_category(base->t, j->old_category);
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

    if (!srv__query_check(r, allowed) || !srv__body(r, types, &fi, &data, &len))
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
    srv__job_init(&j->base, r, product_apply, product_done);
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

static int render_reviews(struct srv_req *r, void *ctx, struct buf *b, int64_t *modified)
{
    struct srv_list c = {.b = b};
    char next[STORE_CURSOR_MAX] = "";
    int rc;

    (void)modified;
    buf_puts(b, "{\"reviews\":[");
    rc = store_reviews_query(r->t->rtxn, ctx, srv__list_review, &c, next);
    return rc ? rc : finish_list(b, next);
}

/* reviews_private answers a key holder's listing by moderation status:
 * never cached, anywhere. */
static void reviews_private(struct srv_req *r, struct store_query *q)
{
    struct buf b;
    int rc;

    buf_init(&b, 0);
    rc = render_reviews(r, q, &b, NULL);
    srv__read_end(r);
    if (rc == CHORUS_ENOTFOUND) {
        srv__problem(r, 404, "There is no product '%.200s'.", q->product_id);
    } else if (rc == CHORUS_EINVAL) {
        srv__problem(r, 400, "The cursor is not one this server gave out for this sort.");
    } else if (rc) {
        srv__problem(r, srv__status_of(rc), "Reviews could not be listed: %s.",
                     chorus_strerror(rc));
    } else {
        reply_private(r, &b);
    }
    buf_cleanup(&b);
}

void srv__product_reviews(struct srv_req *r)
{
    static const char *const allowed[] = {"sort",  "rating", "verified", "since",
                                          "limit", "cursor", "status",   NULL};
    struct store_query q;
    struct review_stats st;
    const char *v;
    struct buf *key;

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
    if (!srv__read_begin(r))
        return;
    /* Before the public scope check: moderators list the reviews of a
     * product that only they can see yet. */
    if (q.statuses || key_sees_hidden(r, &st)) {
        reviews_private(r, &q);
        return;
    }
    if (!srv__page_scope(r, STORE_SCOPE_PRODUCT, r->param, &st))
        return;
    /* A first page is cached like the widget's (the same bounded set of
     * parameters); with since= (any time) or a cursor it is only
     * validated. */
    key = srv__scratch(r, 0);
    buf_printf(key, "reviews|%zu|%d|%u|%d|%lld|", q.limit, (int)q.sort, q.ratings, q.verified_only,
               (long long)q.since);
    srv__key_part(key, r->param);
    srv__page(r, &(struct srv_page){
                     .key = key->data,
                     .cursor = q.cursor,
                     .cacheable = !q.since,
                     .version = st.version,
                     .cors = true,
                     .type = "application/json",
                     .what = "listing",
                     .render = render_reviews,
                     .ctx = &q,
                 });
}
