/* store_check's recount side: how a discrepancy is told and counted, and
 * product and category aggregates and daily buckets against the recount.
 * Product buckets are recounted one product at a time from its by_prod
 * range (checked against the records by then), so memory follows the
 * catalogue, not the reviews. check.c walks the reviews and indexes and
 * calls in here; nothing here calls back. */
#include "check_int.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"

/* ---- telling a discrepancy ----------------------------------------------------------- */

void store__check_say(struct store__check *ck, const char *fmt, ...)
{
    char line[512];
    va_list ap;

    ck->drift++;
    if (!ck->report)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    ck->report(ck->ctx, line);
}

void store__check_count(struct store__check *ck, enum store__db db, const char *name, uint64_t want)
{
    MDB_stat st;

    if (mdb_stat(ck->t->txn, ck->t->s->dbi[db], &st) == 0 && st.ms_entries != want)
        store__check_say(ck, "The %s index holds %zu entries where the reviews need %" PRIu64 ".",
                         name, (size_t)st.ms_entries, want);
}

/* ---- category day table ------------------------------------------------------------- */

/* The key is the number's bytes in memory order: the table never leaves
 * this process. */
static struct store__cday *cday_ref(struct store__check *ck, uint32_t cno, uint32_t day)
{
    uint64_t key = (uint64_t)cno << 32 | day;
    void **v = chorus_map_slot(&ck->days, &key, sizeof(key), NULL);
    struct store__cday *cd = *v;

    if (!cd) {
        cd = calloc(1, sizeof(*cd));
        if (!cd)
            abort();
        cd->key = key;
        cd->d.day = day;
        *v = cd;
    }
    return cd;
}

/* ---- comparisons ------------------------------------------------------------------------ */

static bool stats_equal(const struct review_stats *a, const struct review_stats *b)
{
    double tol = 1e-6 * (double)(a->sentiment_n > 1 ? a->sentiment_n : 1);

    if (a->count != b->count || a->rating_sum != b->rating_sum || a->mentions != b->mentions ||
        a->sentiment_n != b->sentiment_n || fabs(a->sentiment_sum - b->sentiment_sum) > tol)
        return false;
    if ((a->count || a->mentions) && a->last_review_at != b->last_review_at)
        return false;
    return memcmp(a->histogram, b->histogram, sizeof(a->histogram)) == 0;
}

static void say_stats(struct store__check *ck, const char *what, const struct review_stats *stored,
                      const struct review_stats *want)
{
    store__check_say(ck,
                     "%s: stored aggregate count %" PRIu64 ", sum %" PRIu64 ", mentions %" PRIu64
                     ", scored %" PRIu64 ", last %" PRId64 " but the reviews give count %" PRIu64
                     ", sum %" PRIu64 ", mentions %" PRIu64 ", scored %" PRIu64 ", last %" PRId64
                     ".",
                     what, stored->count, stored->rating_sum, stored->mentions, stored->sentiment_n,
                     stored->last_review_at, want->count, want->rating_sum, want->mentions,
                     want->sentiment_n, want->last_review_at);
}

static bool day_equal(const struct store_day *a, const struct store_day *b)
{
    return a->count == b->count && a->rating_sum == b->rating_sum && a->mentions == b->mentions &&
           memcmp(a->histogram, b->histogram, sizeof(a->histogram)) == 0;
}

/* ---- pass 2: products, their daily buckets, category roll-ups --------------------------- */

static int day_cmp(const void *a, const void *b)
{
    int64_t x = ((const struct store_day *)a)->day, y = ((const struct store_day *)b)->day;

    return x < y ? -1 : x > y;
}

/* recount_days rebuilds product pno's daily buckets from its by_prod range
 * (sorted by day, merged). Caller frees *out. */
static int recount_days(struct store__check *ck, uint32_t pno, struct store_day **out, size_t *nout)
{
    uint8_t key[STORE__PROD_KEY_LEN];
    MDB_cursor *c = NULL;
    MDB_val k = {sizeof(key), key}, v;
    struct store_day *d = NULL;
    size_t n = 0, alloc = 0, m = 0;
    int rc, mrc;

    rc = store__cursor(ck->t, STORE__BY_PROD, &c);
    if (rc)
        goto out;
    store__key_prod(key, pno, 0, INT64_MAX, UINT64_MAX);
    for (mrc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); mrc == 0;
         mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        const uint8_t *kp = k.mv_data;
        int rating;

        if (k.mv_size != STORE__PROD_KEY_LEN || store__rd32(kp) != pno)
            break;
        if (v.mv_size != 1 ||
            (*(const uint8_t *)v.mv_data & STORE__F_STATUS_MASK) != REVIEW_APPROVED)
            continue;
        if (n == alloc) {
            alloc = alloc ? alloc * 2 : 64;
            d = realloc(d, alloc * sizeof(*d));
            if (!d)
                abort();
        }
        memset(&d[n], 0, sizeof(d[n]));
        d[n].day = store__day_of(store__key_prod_created(kp));
        rating = kp[4];
        if (rating >= 1 && rating <= 5) {
            d[n].count = 1;
            d[n].rating_sum = (uint32_t)rating;
            d[n].histogram[rating - 1] = 1;
        } else {
            d[n].mentions = 1;
        }
        n++;
    }
    if (mrc && mrc != MDB_NOTFOUND) {
        rc = store__check_rc(ck->t, mrc);
        goto out;
    }
    if (n)
        qsort(d, n, sizeof(*d), day_cmp);
    for (size_t i = 0; i < n; i++) {
        if (m && d[m - 1].day == d[i].day) {
            d[m - 1].count += d[i].count;
            d[m - 1].rating_sum += d[i].rating_sum;
            for (int j = 0; j < 5; j++)
                d[m - 1].histogram[j] += d[i].histogram[j];
            d[m - 1].mentions += d[i].mentions;
        } else {
            d[m++] = d[i];
        }
    }
out:
    mdb_cursor_close(c);
    if (rc) {
        free(d);
        d = NULL;
        m = 0;
    }
    *out = d;
    *nout = m;
    return rc;
}

/* The recount of one product's days, walked beside the stored buckets. */
struct day_cmp {
    struct store__check *ck;
    const char *id;
    const struct store_day *want;
    size_t nwant, i;
};

static int compare_day(void *ctx, uint32_t day, const struct store_day *got)
{
    struct day_cmp *dc = ctx;
    struct store__check *ck = dc->ck;

    while (dc->i < dc->nwant && dc->want[dc->i].day < day) {
        store__check_say(ck, "Product %s has no daily bucket for day %" PRId64 ".", dc->id,
                         dc->want[dc->i].day);
        dc->i++;
    }
    if (!got) {
        store__check_say(ck, "Product %s has an unreadable daily bucket for day %" PRIu32 ".",
                         dc->id, day);
    } else if (dc->i < dc->nwant && dc->want[dc->i].day == day) {
        const struct store_day *w = &dc->want[dc->i++];

        if (!day_equal(got, w))
            store__check_say(ck,
                             "Product %s, day %" PRIu32 ": stored %" PRIu32 " rated and %" PRIu32
                             " mentions, the reviews give %" PRIu32 " and %" PRIu32 ".",
                             dc->id, day, got->count, got->mentions, w->count, w->mentions);
    } else {
        store__check_say(ck, "Product %s has a daily bucket for day %" PRIu32 " without reviews.",
                         dc->id, day);
    }
    return 0;
}

/* compare_days walks the stored buckets of ('p', pno) beside the recount. */
static int compare_days(struct store__check *ck, const char *id, uint32_t pno,
                        const struct store_day *want, size_t nwant)
{
    struct day_cmp dc = {ck, id, want, nwant, 0};
    int rc = store__days_each(ck->t, STORE__KIND_PRODUCT, pno, 0, compare_day, &dc);

    if (rc)
        return rc;
    for (; dc.i < nwant; dc.i++)
        store__check_say(ck, "Product %s has no daily bucket for day %" PRId64 ".", id,
                         want[dc.i].day);
    return 0;
}

static int check_product(struct store__check *ck, uint32_t pno, const struct product *p,
                         uint64_t *with_cat)
{
    uint32_t cats[STORE__MAX_LEVELS];
    uint8_t k[STORE__CATKEY_MAX];
    struct review_stats stored, *want = &ck->pst[pno];
    struct store_day *days = NULL;
    size_t ncat = 0, ndays = 0, kl;
    const char *cat = p->category ? p->category : "";
    char what[CHORUS_MAX_PRODUCT_ID + 16];
    MDB_val v;
    int rc;

    snprintf(what, sizeof(what), "Product %s", p->id);
    rc = store__agg_get(ck->t, STORE__KIND_PRODUCT, pno, &stored);
    if (rc == CHORUS_ECORRUPT) {
        store__check_say(ck, "%s has an unreadable aggregate.", what);
        rc = 0;
    } else if (rc) {
        goto out;
    } else if (!stats_equal(&stored, want)) {
        say_stats(ck, what, &stored, want);
    }
    if (*cat) {
        (*with_cat)++;
        kl = store__key_category(k, cat, strlen(cat), pno);
        if (store__get(ck->t, STORE__BY_CATEGORY, k, kl, &v) != 0)
            store__check_say(ck, "%s is missing from the listing of category %s.", what, cat);
        rc = store__category_chain(ck->t, cat, false, cats, STORE__MAX_LEVELS, &ncat);
        if (rc)
            goto out;
        for (size_t i = 0; i < ncat; i++) {
            if (cats[i] == 0 || cats[i] >= ck->ncat) {
                store__check_say(ck, "%s is in category number %" PRIu32 ", past the last one.",
                                 what, cats[i]);
                ncat = i;
                break;
            }
            store__stats_add(&ck->cst[cats[i]], want, +1);
        }
    }
    rc = recount_days(ck, pno, &days, &ndays);
    if (rc == 0)
        rc = compare_days(ck, p->id, pno, days, ndays);
    for (size_t j = 0; rc == 0 && j < ndays; j++) {
        for (size_t i = 0; i < ncat; i++) {
            struct store__cday *cd = cday_ref(ck, cats[i], (uint32_t)days[j].day);

            cd->d.count += days[j].count;
            cd->d.rating_sum += days[j].rating_sum;
            for (int h = 0; h < 5; h++)
                cd->d.histogram[h] += days[j].histogram[h];
            cd->d.mentions += days[j].mentions;
        }
    }
out:
    free(days);
    return rc;
}

int store__check_products(struct store__check *ck)
{
    MDB_cursor *c = NULL;
    MDB_val k, v;
    uint64_t with_cat = 0;
    int rc, mrc;

    rc = store__cursor(ck->t, STORE__PRODUCTS, &c);
    if (rc)
        goto out;
    for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0;
         mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        struct product p;
        uint32_t pno;

        pno = k.mv_size == 4 ? store__rd32(k.mv_data) : 0;
        if (pno == 0 || pno >= ck->nprod) {
            store__check_say(ck, "The products table holds a key that is no product number.");
            continue;
        }
        if (store__product_decode(v.mv_data, v.mv_size, &p) != 0 ||
            (p.category && !store__category_valid(p.category))) {
            store__check_say(ck, "Product number %" PRIu32 " does not decode.", pno);
            continue;
        }
        /* The catalogue rule (product_put.c) keeps them out since it
         * exists; a folder written before may hold some. */
        if ((p.url && *p.url && !chorus_url_http(p.url, strlen(p.url))) ||
            (p.image_url && *p.image_url && !chorus_url_http(p.image_url, strlen(p.image_url))))
            store__check_say(ck,
                             "Product %s has a url or image_url that is not http(s); put the "
                             "product again with PUT /api/v1/products/{id}.",
                             p.id);
        rc = check_product(ck, pno, &p, &with_cat);
        if (rc)
            goto out;
    }
    if (mrc != MDB_NOTFOUND) {
        rc = store__check_rc(ck->t, mrc);
        goto out;
    }
    store__check_count(ck, STORE__BY_CATEGORY, "by_category", with_cat);
out:
    mdb_cursor_close(c);
    return rc;
}

/* ---- pass 3: categories ---------------------------------------------------------------- */

static struct store__cday *cday_find(struct store__check *ck, uint32_t cno, uint32_t day)
{
    uint64_t key = (uint64_t)cno << 32 | day;

    return chorus_map_get(&ck->days, &key, sizeof(key));
}

/* say_unseen reports a recounted category day that has no stored bucket. */
static int say_unseen(void *ctx, const char *key, size_t klen, void *val)
{
    const struct store__cday *cd = val;

    (void)key;
    (void)klen;
    if (!cd->seen)
        store__check_say(ctx,
                         "Category number %" PRIu32 " has no daily bucket for day %" PRIu32 ".",
                         (uint32_t)(cd->key >> 32), (uint32_t)cd->key);
    return 0;
}

/* A category's stored buckets against the recount. */
struct cday_cmp {
    struct store__check *ck;
    const char *what;
    uint32_t cno;
};

static int compare_cday(void *ctx, uint32_t day, const struct store_day *got)
{
    struct cday_cmp *cc = ctx;
    struct store__cday *want = cday_find(cc->ck, cc->cno, day);

    if (!got) {
        store__check_say(cc->ck, "%s has an unreadable daily bucket for day %" PRIu32 ".", cc->what,
                         day);
    } else if (!want) {
        store__check_say(cc->ck, "%s has a daily bucket for day %" PRIu32 " without reviews.",
                         cc->what, day);
    } else if (!day_equal(got, &want->d)) {
        store__check_say(cc->ck,
                         "%s, day %" PRIu32 ": stored %" PRIu32 " rated and %" PRIu32
                         " mentions, the reviews give %" PRIu32 " and %" PRIu32 ".",
                         cc->what, day, got->count, got->mentions, want->d.count, want->d.mentions);
    }
    if (want)
        want->seen = true;
    return 0;
}

static int check_category_days(struct store__check *ck, const char *what, uint32_t cno)
{
    struct cday_cmp cc = {ck, what, cno};

    return store__days_each(ck->t, STORE__KIND_CATEGORY, cno, 0, compare_cday, &cc);
}

int store__check_categories(struct store__check *ck)
{
    MDB_cursor *c = NULL;
    MDB_val k, v;
    int rc, mrc;

    rc = store__cursor(ck->t, STORE__CATEGORIES, &c);
    if (rc)
        goto out;
    for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0;
         mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        char what[CHORUS_MAX_CATEGORY + 16];
        struct review_stats stored;
        uint32_t cno = v.mv_size == 4 ? store__rd32(v.mv_data) : 0;

        snprintf(what, sizeof(what), "Category %.*s",
                 (int)(k.mv_size > CHORUS_MAX_CATEGORY ? CHORUS_MAX_CATEGORY : k.mv_size),
                 (const char *)k.mv_data);
        if (cno == 0 || cno >= ck->ncat || ck->cknown[cno]) {
            store__check_say(ck, "%s has no valid number of its own.", what);
            continue;
        }
        ck->cknown[cno] = true;
        rc = store__agg_get(ck->t, STORE__KIND_CATEGORY, cno, &stored);
        if (rc == CHORUS_ECORRUPT) {
            store__check_say(ck, "%s has an unreadable aggregate.", what);
            rc = 0;
        } else if (rc) {
            goto out;
        } else if (!stats_equal(&stored, &ck->cst[cno])) {
            say_stats(ck, what, &stored, &ck->cst[cno]);
        }
        rc = check_category_days(ck, what, cno);
        if (rc)
            goto out;
    }
    if (mrc != MDB_NOTFOUND) {
        rc = store__check_rc(ck->t, mrc);
        goto out;
    }
    chorus_map_each(&ck->days, say_unseen, ck);
out:
    mdb_cursor_close(c);
    return rc;
}
