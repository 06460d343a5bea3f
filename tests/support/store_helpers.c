/* Store test fixtures and the independent recount. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "store_helpers.h"

#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testmain.h"

#include "chorus/base.h"

/* ---- fixture ------------------------------------------------------------------------- */

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void rm_tree(const char *dir)
{
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int fx_setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    char err[256];

    assert_non_null(f);
    snprintf(f->dir, sizeof(f->dir), "/tmp/chorus-store-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    assert_int_equal(store_open(&f->s, f->dir, err, sizeof(err)), 0);
    *state = f;
    return 0;
}

int fx_teardown(void **state)
{
    struct fx *f = *state;

    store_close(f->s);
    rm_tree(f->dir);
    free(f);
    return 0;
}

void fx_reopen(struct fx *f)
{
    char err[256];

    store_close(f->s);
    f->s = NULL;
    assert_int_equal(store_open(&f->s, f->dir, err, sizeof(err)), 0);
}

struct review mk_review(const char *product, int rating, int64_t created)
{
    struct review r;

    memset(&r, 0, sizeof(r));
    r.product_id = product;
    r.rating = rating;
    r.created_at = created;
    r.status = REVIEW_APPROVED;
    r.sentiment = NAN;
    return r;
}

/* ---- one-call writes ---------------------------------------------------------------------- */

struct op {
    const struct review *r;
    unsigned flags;
    uint64_t id;
    enum store_put_result res;
    const char *pid, *cat;
    bool created;
    enum review_status st;
    const char *a, *b;
    bool helpful;
};

static int do_put(struct store_txn *t, void *ctx)
{
    struct op *o = ctx;

    return store_review_ingest(t, o->r, o->flags, &o->id, &o->res);
}

uint64_t ingest_review(struct store *s, const struct review *r, unsigned flags,
                       enum store_put_result *res)
{
    struct op o = {.r = r, .flags = flags};

    assert_int_equal(store_write(s, do_put, &o), 0);
    if (res)
        *res = o.res;
    return o.id;
}

uint64_t put_review(struct store *s, const struct review *r, enum store_put_result *res)
{
    struct op o = {.r = r};

    assert_int_equal(store_write(s, do_put, &o), 0);
    if (res)
        *res = o.res;
    return o.id;
}

int put_review_rc(struct store *s, const struct review *r)
{
    struct op o = {.r = r};

    return store_write(s, do_put, &o);
}

static int do_product(struct store_txn *t, void *ctx)
{
    struct op *o = ctx;
    struct product p;

    memset(&p, 0, sizeof(p));
    p.id = o->pid;
    p.name = "A product";
    p.category = o->cat;
    return store_product_put(t, &p, &o->created);
}

void put_product(struct store *s, const char *id, const char *category, bool *created)
{
    struct op o = {.pid = id, .cat = category};

    assert_int_equal(store_write(s, do_product, &o), 0);
    if (created)
        *created = o.created;
}

static int do_moderate(struct store_txn *t, void *ctx)
{
    struct op *o = ctx;

    return store_review_moderate(t, o->id, o->st, o->a);
}

int moderate(struct store *s, uint64_t id, enum review_status st, const char *reason)
{
    struct op o = {.id = id, .st = st, .a = reason};

    return store_write(s, do_moderate, &o);
}

static int do_vote(struct store_txn *t, void *ctx)
{
    struct op *o = ctx;

    return store_review_vote(t, o->id, o->helpful);
}

int vote(struct store *s, uint64_t id, bool helpful)
{
    struct op o = {.id = id, .helpful = helpful};

    return store_write(s, do_vote, &o);
}

static int do_respond(struct store_txn *t, void *ctx)
{
    struct op *o = ctx;

    return store_review_respond(t, o->id, o->a, o->b, 1000);
}

int respond(struct store *s, uint64_t id, const char *author, const char *body)
{
    struct op o = {.id = id, .a = author, .b = body};

    return store_write(s, do_respond, &o);
}

static int do_delete(struct store_txn *t, void *ctx)
{
    struct op *o = ctx;

    return store_review_delete(t, o->id);
}

int delete_review(struct store *s, uint64_t id)
{
    struct op o = {.id = id};

    return store_write(s, do_delete, &o);
}

struct review_stats stats_of(struct store *s, const char *product)
{
    struct store_txn *t = NULL;
    struct review_stats st;

    assert_int_equal(store_read_begin(s, &t), 0);
    assert_int_equal(store_product_get(t, product, NULL, &st), 0);
    store_txn_free(t);
    return st;
}

/* ---- the recount ------------------------------------------------------------------------- */

#define MAX_ENT  64
#define MAX_DAYS 512

struct ent {
    char id[CHORUS_MAX_CATEGORY + 1]; /* product id, or category path */
    struct review_stats st;
    bool any;
    int64_t days[MAX_DAYS];
    uint32_t day_count[MAX_DAYS], day_mentions[MAX_DAYS], day_sum[MAX_DAYS];
    size_t ndays;
};

struct recount {
    struct store_txn *t;
    struct ent prods[MAX_ENT], cats[MAX_ENT];
    size_t nprods, ncats;
};

static struct ent *find(struct ent *e, size_t *n, const char *id, size_t len)
{
    for (size_t i = 0; i < *n; i++)
        if (strlen(e[i].id) == len && memcmp(e[i].id, id, len) == 0)
            return &e[i];
    assert_true(*n < MAX_ENT);
    memset(&e[*n], 0, sizeof(e[*n]));
    memcpy(e[*n].id, id, len);
    return &e[(*n)++];
}

static void count_in(struct ent *e, const struct review *r)
{
    int64_t day = r->created_at < 0 ? 0 : r->created_at / 86400;
    size_t i;

    if (r->rating) {
        e->st.count++;
        e->st.rating_sum += (uint64_t)r->rating;
        e->st.histogram[r->rating - 1]++;
    } else {
        e->st.mentions++;
    }
    if (!isnan(r->sentiment)) {
        e->st.sentiment_sum += r->sentiment;
        e->st.sentiment_n++;
    }
    if (!e->any || r->created_at > e->st.last_review_at)
        e->st.last_review_at = r->created_at;
    e->any = true;
    for (i = 0; i < e->ndays && e->days[i] != day; i++)
        ;
    if (i == e->ndays) {
        assert_true(e->ndays < MAX_DAYS);
        e->days[e->ndays++] = day;
    }
    if (r->rating) {
        e->day_count[i]++;
        e->day_sum[i] += (uint32_t)r->rating;
    } else {
        e->day_mentions[i]++;
    }
}

static int recount_one(void *ctx, const struct review *r)
{
    struct recount *rc = ctx;
    struct product p;
    struct ent *e = find(rc->prods, &rc->nprods, r->product_id, strlen(r->product_id));

    if (r->status != REVIEW_APPROVED)
        return 0;
    count_in(e, r);
    assert_int_equal(store_product_get(rc->t, r->product_id, &p, NULL), 0);
    if (p.category && *p.category) {
        for (size_t i = 0;; i++) {
            if (p.category[i] == '/' || p.category[i] == '\0')
                count_in(find(rc->cats, &rc->ncats, p.category, i), r);
            if (p.category[i] == '\0')
                break;
        }
    }
    return 0;
}

static void same_stats(const struct review_stats *got, const struct review_stats *want,
                       const char *what)
{
    if (got->count != want->count || got->rating_sum != want->rating_sum ||
        got->mentions != want->mentions || got->sentiment_n != want->sentiment_n ||
        memcmp(got->histogram, want->histogram, sizeof(got->histogram)) != 0 ||
        fabs(got->sentiment_sum - want->sentiment_sum) > 1e-9 ||
        got->last_review_at != want->last_review_at)
        fail_msg("%s: stored count %llu sum %llu mentions %llu last %lld, recount %llu %llu %llu "
                 "%lld",
                 what, (unsigned long long)got->count, (unsigned long long)got->rating_sum,
                 (unsigned long long)got->mentions, (long long)got->last_review_at,
                 (unsigned long long)want->count, (unsigned long long)want->rating_sum,
                 (unsigned long long)want->mentions, (long long)want->last_review_at);
}

static void report_line(void *ctx, const char *line)
{
    (void)ctx;
    print_message("drift: %s\n", line);
}

void assert_consistent(struct store *s)
{
    struct recount *rc = calloc(1, sizeof(*rc));
    struct store_day days[MAX_DAYS];
    uint64_t drift = 99;
    size_t n;

    assert_non_null(rc);
    assert_int_equal(store_read_begin(s, &rc->t), 0);
    assert_int_equal(store_reviews_each(rc->t, 0, recount_one, rc), 0);
    for (size_t i = 0; i < rc->nprods; i++) {
        struct ent *e = &rc->prods[i];
        struct review_stats got;

        assert_int_equal(store_product_get(rc->t, e->id, NULL, &got), 0);
        same_stats(&got, &e->st, e->id);
        assert_int_equal(store_product_days(rc->t, e->id, 0, INT64_MAX, days, MAX_DAYS, &n), 0);
        assert_int_equal(n, e->ndays);
        for (size_t j = 0; j < n; j++) {
            size_t k;

            for (k = 0; k < e->ndays && e->days[k] != days[j].day; k++)
                ;
            assert_true(k < e->ndays);
            assert_int_equal(days[j].count, e->day_count[k]);
            assert_int_equal(days[j].mentions, e->day_mentions[k]);
            assert_int_equal(days[j].rating_sum, e->day_sum[k]);
            if (j > 0)
                assert_true(days[j].day > days[j - 1].day);
        }
    }
    for (size_t i = 0; i < rc->ncats; i++) {
        struct review_stats got;

        assert_int_equal(store_category_stats(rc->t, rc->cats[i].id, &got), 0);
        same_stats(&got, &rc->cats[i].st, rc->cats[i].id);
    }
    store_txn_free(rc->t);
    free(rc);
    assert_int_equal(store_check(s, report_line, NULL, &drift), 0);
    assert_int_equal(drift, 0);
}
