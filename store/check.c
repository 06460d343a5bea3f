/* store_check: recount every aggregate, daily bucket and index entry from
 * the review records, in one read snapshot, and report each difference.
 *
 * Memory stays proportional to the catalogue, not to the reviews: per-product
 * totals live in an array indexed by product number, product daily buckets
 * are recounted one product at a time from its by_prod range (verified
 * against the records first), and only category daily buckets are held in a
 * table for the whole run.
 */
#include "chorus/store.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/error.h"
#include "store_int.h"

struct cday {
    uint64_t key; /* cno << 32 | day; 0 = empty slot (category numbers start at 1) */
    bool seen;
    struct store_day d;
};

struct check {
    struct store_txn *t;
    void (*report)(void *ctx, const char *line);
    void *ctx;
    uint64_t drift;

    uint32_t nprod, ncat;     /* next numbers: every valid number is below */
    struct review_stats *pst; /* recount per product number */
    struct review_stats *cst; /* recount per category number */
    bool *cknown;             /* category numbers that exist */

    struct cday *days; /* category daily recount */
    size_t ndays, days_slots;
};

static void say(struct check *ck, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct check *ck, const char *fmt, ...)
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

/* ---- category day table ------------------------------------------------------------- */

static struct cday *cday_ref(struct check *ck, uint32_t cno, uint32_t day)
{
    uint64_t key = (uint64_t)cno << 32 | day;
    size_t mask, i;

    if (ck->ndays * 2 >= ck->days_slots) {
        struct cday *old = ck->days;
        size_t n = ck->days_slots;

        ck->days_slots = n ? n * 2 : 1024;
        ck->days = calloc(ck->days_slots, sizeof(*ck->days));
        if (!ck->days)
            abort();
        mask = ck->days_slots - 1;
        for (size_t j = 0; j < n; j++) {
            if (!old[j].key)
                continue;
            for (i = (old[j].key * UINT64_C(0x9e3779b97f4a7c15)) >> 20 & mask; ck->days[i].key;
                 i = (i + 1) & mask)
                ;
            ck->days[i] = old[j];
        }
        free(old);
    }
    mask = ck->days_slots - 1;
    for (i = (key * UINT64_C(0x9e3779b97f4a7c15)) >> 20 & mask; ck->days[i].key; i = (i + 1) & mask)
        if (ck->days[i].key == key)
            return &ck->days[i];
    ck->days[i].key = key;
    ck->days[i].d.day = day;
    ck->ndays++;
    return &ck->days[i];
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

static void say_stats(struct check *ck, const char *what, const struct review_stats *stored,
                      const struct review_stats *want)
{
    say(ck,
        "%s: stored aggregate count %" PRIu64 ", sum %" PRIu64 ", mentions %" PRIu64
        ", scored %" PRIu64 ", last %" PRId64 " but the reviews give count %" PRIu64
        ", sum %" PRIu64 ", mentions %" PRIu64 ", scored %" PRIu64 ", last %" PRId64 ".",
        what, stored->count, stored->rating_sum, stored->mentions, stored->sentiment_n,
        stored->last_review_at, want->count, want->rating_sum, want->mentions, want->sentiment_n,
        want->last_review_at);
}

static bool day_equal(const struct store_day *a, const struct store_day *b)
{
    return a->count == b->count && a->rating_sum == b->rating_sum && a->mentions == b->mentions &&
           memcmp(a->histogram, b->histogram, sizeof(a->histogram)) == 0;
}

/* ---- pass 1: every review and its index entries ----------------------------------------- */

static void expect_entry(struct check *ck, enum store__db db, const char *name, const uint8_t *k,
                         size_t klen, int flags, uint64_t id)
{
    MDB_val v;
    int rc = store__get(ck->t, db, k, klen, &v);

    if (rc)
        say(ck, "Review %" PRIu64 " has no %s entry.", id, name);
    else if (flags >= 0 && (v.mv_size != 1 || *(const uint8_t *)v.mv_data != flags))
        say(ck, "Review %" PRIu64 " has a %s entry with stale flags.", id, name);
}

static int check_review(struct check *ck, uint64_t id, const struct review *r, uint32_t pno,
                        uint64_t *with_sid, uint64_t *voted)
{
    uint8_t k[STORE__DEDUPE_KEY_MAX];
    uint8_t fl = store__flags(r);
    uint32_t no;
    size_t n;
    MDB_val v;

    if (pno == 0 || pno >= ck->nprod || store__product_no(ck->t, r->product_id, &no) != 0 ||
        no != pno) {
        say(ck, "Review %" PRIu64 " names product %s, which is not product number %" PRIu32 ".", id,
            r->product_id, pno);
        return 0;
    }
    store__key_prod(k, pno, r->rating, r->created_at, id);
    expect_entry(ck, STORE__BY_PROD, "by_prod", k, STORE__PROD_KEY_LEN, fl, id);
    if (r->helpful) {
        (*voted)++;
        store__key_helpful(k, pno, r->helpful, r->created_at, id);
        expect_entry(ck, STORE__BY_HELPFUL, "by_helpful", k, STORE__HELPFUL_KEY_LEN, fl, id);
    }
    store__key_time(k, r->ingested_at, id);
    expect_entry(ck, STORE__BY_TIME, "by_time", k, STORE__TIME_KEY_LEN, -1, id);
    store__key_status(k, r->status, id);
    expect_entry(ck, STORE__BY_STATUS, "by_status", k, STORE__STATUS_KEY_LEN, -1, id);
    if (r->source_id && *r->source_id) {
        (*with_sid)++;
        n = store__key_dedupe(k, r->source, r->source_id);
        if (n == 0 || store__get(ck->t, STORE__DEDUPE, k, n, &v) != 0 || v.mv_size != 8 ||
            store__rd64(v.mv_data) != id)
            say(ck, "Review %" PRIu64 " is missing from the dedupe table.", id);
    }
    if (r->status == REVIEW_APPROVED) {
        struct review_stats *st = &ck->pst[pno];
        bool had = st->count || st->mentions;

        if (r->rating >= 1) {
            st->count++;
            st->rating_sum += (uint64_t)r->rating;
            st->histogram[r->rating - 1]++;
        } else {
            st->mentions++;
        }
        if (!isnan(r->sentiment)) {
            st->sentiment_sum += r->sentiment;
            st->sentiment_n++;
        }
        if (!had || r->created_at > st->last_review_at)
            st->last_review_at = r->created_at;
    }
    return 0;
}

static void expect_count(struct check *ck, enum store__db db, const char *name, uint64_t want)
{
    MDB_stat st;

    if (mdb_stat(ck->t->txn, ck->t->s->dbi[db], &st) == 0 && st.ms_entries != want)
        say(ck, "The %s index holds %zu entries where the reviews need %" PRIu64 ".", name,
            (size_t)st.ms_entries, want);
}

static int pass_reviews(struct check *ck)
{
    MDB_cursor *c = NULL;
    MDB_val k, v;
    uint64_t n = 0, with_sid = 0, voted = 0, next_id;
    int rc, mrc;

    rc = store__meta_get_u64(ck->t, "next_review_id", &next_id);
    if (rc == 0)
        rc = store__cursor(ck->t, STORE__REVIEWS, &c);
    if (rc)
        goto out;
    for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0;
         mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        struct review r;
        uint32_t pno;
        uint64_t id;

        if (k.mv_size != 8) {
            say(ck, "The reviews table holds a key of %zu bytes.", k.mv_size);
            continue;
        }
        id = store__rd64(k.mv_data);
        n++;
        if (id >= next_id)
            say(ck, "Review %" PRIu64 " is at or past the next review id %" PRIu64 ".", id,
                next_id);
        if (store__review_decode(v.mv_data, v.mv_size, &r, &pno, NULL) != 0) {
            say(ck, "Review %" PRIu64 " does not decode.", id);
            continue;
        }
        rc = check_review(ck, id, &r, pno, &with_sid, &voted);
        if (rc)
            goto out;
    }
    if (mrc != MDB_NOTFOUND) {
        rc = store__check_rc(ck->t, mrc);
        goto out;
    }
    expect_count(ck, STORE__BY_PROD, "by_prod", n);
    expect_count(ck, STORE__BY_HELPFUL, "by_helpful", voted);
    expect_count(ck, STORE__BY_TIME, "by_time", n);
    expect_count(ck, STORE__BY_STATUS, "by_status", n);
    expect_count(ck, STORE__DEDUPE, "dedupe", with_sid);
out:
    mdb_cursor_close(c);
    return rc;
}

/* ---- pass 2: products, their daily buckets, category roll-ups --------------------------- */

static int day_cmp(const void *a, const void *b)
{
    int64_t x = ((const struct store_day *)a)->day, y = ((const struct store_day *)b)->day;

    return x < y ? -1 : x > y;
}

/* recount_days rebuilds product pno's daily buckets from its by_prod range
 * (sorted by day, merged). Caller frees *out. */
static int recount_days(struct check *ck, uint32_t pno, struct store_day **out, size_t *nout)
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

/* compare_days walks the stored buckets of ('p', pno) beside the recount. */
static int compare_days(struct check *ck, const char *id, uint32_t pno,
                        const struct store_day *want, size_t nwant)
{
    uint8_t key[STORE__DAY_KEY_LEN];
    MDB_cursor *c = NULL;
    MDB_val k = {sizeof(key), key}, v;
    size_t i = 0;
    int rc, mrc;

    rc = store__cursor(ck->t, STORE__DAILY, &c);
    if (rc)
        goto out;
    store__key_day(key, STORE__KIND_PRODUCT, pno, 0);
    for (mrc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); mrc == 0;
         mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        const uint8_t *kp = k.mv_data;
        struct store_day got;
        uint32_t day;

        if (k.mv_size != STORE__DAY_KEY_LEN || kp[0] != STORE__KIND_PRODUCT ||
            store__rd32(kp + 1) != pno)
            break;
        day = store__rd32(kp + 5);
        got.day = day;
        while (i < nwant && want[i].day < day) {
            say(ck, "Product %s has no daily bucket for day %" PRId64 ".", id, want[i].day);
            i++;
        }
        if (store__day_decode(v.mv_data, v.mv_size, &got) != 0) {
            say(ck, "Product %s has an unreadable daily bucket for day %" PRIu32 ".", id, day);
        } else if (i < nwant && want[i].day == day) {
            if (!day_equal(&got, &want[i]))
                say(ck,
                    "Product %s, day %" PRIu32 ": stored %" PRIu32 " rated and %" PRIu32
                    " mentions, the reviews give %" PRIu32 " and %" PRIu32 ".",
                    id, day, got.count, got.mentions, want[i].count, want[i].mentions);
            i++;
            continue;
        } else {
            say(ck, "Product %s has a daily bucket for day %" PRIu32 " without reviews.", id, day);
        }
    }
    if (mrc && mrc != MDB_NOTFOUND) {
        rc = store__check_rc(ck->t, mrc);
        goto out;
    }
    for (; i < nwant; i++)
        say(ck, "Product %s has no daily bucket for day %" PRId64 ".", id, want[i].day);
out:
    mdb_cursor_close(c);
    return rc;
}

static int check_product(struct check *ck, uint32_t pno, const struct product *p,
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
        say(ck, "%s has an unreadable aggregate.", what);
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
            say(ck, "%s is missing from the listing of category %s.", what, cat);
        rc = store__category_chain(ck->t, cat, false, cats, STORE__MAX_LEVELS, &ncat);
        if (rc)
            goto out;
        for (size_t i = 0; i < ncat; i++) {
            if (cats[i] == 0 || cats[i] >= ck->ncat) {
                say(ck, "%s is in category number %" PRIu32 ", past the last one.", what, cats[i]);
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
            struct cday *cd = cday_ref(ck, cats[i], (uint32_t)days[j].day);

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

static int pass_products(struct check *ck)
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
            say(ck, "The products table holds a key that is no product number.");
            continue;
        }
        if (store__product_decode(v.mv_data, v.mv_size, &p) != 0 ||
            (p.category && !store__category_valid(p.category))) {
            say(ck, "Product number %" PRIu32 " does not decode.", pno);
            continue;
        }
        rc = check_product(ck, pno, &p, &with_cat);
        if (rc)
            goto out;
    }
    if (mrc != MDB_NOTFOUND) {
        rc = store__check_rc(ck->t, mrc);
        goto out;
    }
    expect_count(ck, STORE__BY_CATEGORY, "by_category", with_cat);
out:
    mdb_cursor_close(c);
    return rc;
}

/* ---- pass 3: categories ---------------------------------------------------------------- */

static struct cday *cday_find(struct check *ck, uint32_t cno, uint32_t day)
{
    uint64_t key = (uint64_t)cno << 32 | day;
    size_t mask = ck->days_slots - 1, i;

    if (!ck->days_slots)
        return NULL;
    for (i = (key * UINT64_C(0x9e3779b97f4a7c15)) >> 20 & mask; ck->days[i].key; i = (i + 1) & mask)
        if (ck->days[i].key == key)
            return &ck->days[i];
    return NULL;
}

static int check_category_days(struct check *ck, const char *what, uint32_t cno)
{
    uint8_t key[STORE__DAY_KEY_LEN];
    MDB_cursor *c = NULL;
    MDB_val k = {sizeof(key), key}, v;
    int rc, mrc;

    rc = store__cursor(ck->t, STORE__DAILY, &c);
    if (rc)
        goto out;
    store__key_day(key, STORE__KIND_CATEGORY, cno, 0);
    for (mrc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); mrc == 0;
         mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        const uint8_t *kp = k.mv_data;
        struct store_day got;
        struct cday *want;
        uint32_t day;

        if (k.mv_size != STORE__DAY_KEY_LEN || kp[0] != STORE__KIND_CATEGORY ||
            store__rd32(kp + 1) != cno)
            break;
        day = store__rd32(kp + 5);
        got.day = day;
        want = cday_find(ck, cno, day);
        if (store__day_decode(v.mv_data, v.mv_size, &got) != 0) {
            say(ck, "%s has an unreadable daily bucket for day %" PRIu32 ".", what, day);
        } else if (!want) {
            say(ck, "%s has a daily bucket for day %" PRIu32 " without reviews.", what, day);
        } else if (!day_equal(&got, &want->d)) {
            say(ck,
                "%s, day %" PRIu32 ": stored %" PRIu32 " rated and %" PRIu32
                " mentions, the reviews give %" PRIu32 " and %" PRIu32 ".",
                what, day, got.count, got.mentions, want->d.count, want->d.mentions);
        }
        if (want)
            want->seen = true;
    }
    if (mrc && mrc != MDB_NOTFOUND)
        rc = store__check_rc(ck->t, mrc);
out:
    mdb_cursor_close(c);
    return rc;
}

static int pass_categories(struct check *ck)
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
            say(ck, "%s has no valid number of its own.", what);
            continue;
        }
        ck->cknown[cno] = true;
        rc = store__agg_get(ck->t, STORE__KIND_CATEGORY, cno, &stored);
        if (rc == CHORUS_ECORRUPT) {
            say(ck, "%s has an unreadable aggregate.", what);
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
    for (size_t i = 0; i < ck->days_slots; i++) {
        const struct cday *cd = &ck->days[i];

        if (cd->key && !cd->seen)
            say(ck, "Category number %" PRIu32 " has no daily bucket for day %" PRIu32 ".",
                (uint32_t)(cd->key >> 32), (uint32_t)cd->key);
    }
out:
    mdb_cursor_close(c);
    return rc;
}

/* ---- pass 4: records of entities that do not exist ------------------------------------- */

static bool entity_known(struct check *ck, uint8_t kind, uint32_t no)
{
    struct product p;

    if (kind == STORE__KIND_CATEGORY)
        return no > 0 && no < ck->ncat && ck->cknown[no];
    return kind == STORE__KIND_PRODUCT && no > 0 && no < ck->nprod &&
           store__product_get_no(ck->t, no, &p) == 0;
}

static int pass_orphans(struct check *ck, enum store__db db, const char *name, size_t klen)
{
    MDB_cursor *c = NULL;
    MDB_val k, v;
    uint8_t last_kind = 0;
    uint32_t last_no = 0;
    int rc, mrc;

    rc = store__cursor(ck->t, db, &c);
    if (rc)
        goto out;
    for (mrc = mdb_cursor_get(c, &k, &v, MDB_FIRST); mrc == 0;
         mrc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        const uint8_t *kp = k.mv_data;
        uint32_t no;

        if (k.mv_size != klen) {
            say(ck, "The %s table holds a key of %zu bytes.", name, k.mv_size);
            continue;
        }
        no = store__rd32(kp + 1);
        if (kp[0] == last_kind && no == last_no)
            continue; /* one sentence per entity, not per day */
        last_kind = kp[0];
        last_no = no;
        if (!entity_known(ck, kp[0], no))
            say(ck, "The %s table holds records of %s number %" PRIu32 ", which does not exist.",
                name, kp[0] == STORE__KIND_CATEGORY ? "category" : "product", no);
    }
    if (mrc != MDB_NOTFOUND)
        rc = store__check_rc(ck->t, mrc);
out:
    mdb_cursor_close(c);
    return rc;
}

/* ---- the check --------------------------------------------------------------------------- */

/* numbering reads the next number of a dense sequence and checks it against
 * the table it numbers (products and categories are never deleted). */
static int numbering(struct check *ck, const char *meta, enum store__db db, const char *what,
                     uint32_t *out)
{
    uint32_t next;
    MDB_stat st;
    int rc = store__meta_get_u32(ck->t, meta, &next);

    if (rc)
        return rc;
    rc = mdb_stat(ck->t->txn, ck->t->s->dbi[db], &st);
    if (rc)
        return store__err(rc);
    if (next == 0)
        next = 1;
    if ((uint64_t)next != (uint64_t)st.ms_entries + 1)
        say(ck, "The next %s number is %" PRIu32 " but %zu %s exist.", what, next,
            (size_t)st.ms_entries, what);
    /* The table is the truth for sizing: a damaged meta value must not make
     * the check allocate gigabytes. */
    *out = st.ms_entries < UINT32_MAX ? (uint32_t)st.ms_entries + 1 : UINT32_MAX;
    return 0;
}

int store_check(struct store *s, void (*report)(void *ctx, const char *line), void *ctx,
                uint64_t *drift)
{
    struct check ck;
    int rc;

    memset(&ck, 0, sizeof(ck));
    ck.report = report;
    ck.ctx = ctx;
    rc = store_read_begin(s, &ck.t);
    if (rc)
        goto out;
    rc = numbering(&ck, "next_product_no", STORE__PRODUCTS, "product", &ck.nprod);
    if (rc == 0)
        rc = numbering(&ck, "next_category_no", STORE__CATEGORIES, "category", &ck.ncat);
    if (rc)
        goto out;
    ck.pst = calloc(ck.nprod, sizeof(*ck.pst));
    ck.cst = calloc(ck.ncat, sizeof(*ck.cst));
    ck.cknown = calloc(ck.ncat, sizeof(*ck.cknown));
    if (!ck.pst || !ck.cst || !ck.cknown)
        abort();
    rc = pass_reviews(&ck);
    if (rc == 0)
        rc = pass_products(&ck);
    if (rc == 0)
        rc = pass_categories(&ck);
    if (rc == 0)
        rc = pass_orphans(&ck, STORE__AGGREGATES, "aggregates", STORE__AGG_KEY_LEN);
    if (rc == 0)
        rc = pass_orphans(&ck, STORE__DAILY, "daily", STORE__DAY_KEY_LEN);
out:
    if (drift)
        *drift = ck.drift;
    free(ck.days);
    free(ck.cknown);
    free(ck.cst);
    free(ck.pst);
    store_txn_free(ck.t);
    return rc;
}
