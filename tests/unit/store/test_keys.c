/* Key and record encodings: byte order is the order the queries rely on,
 * and damaged records are refused rather than read past their end. */
#include "testmain.h"

#include <math.h>
#include <stdlib.h>

#include "chorus/base.h"
#include "store_int.h"

static int cmp(const uint8_t *a, const uint8_t *b, size_t n)
{
    int c = memcmp(a, b, n);

    return c < 0 ? -1 : c > 0;
}

CHORUS_TEST(time_bias_orders_signed_times)
{
    static const int64_t t[] = {INT64_MIN, -86400 * 365, -1, 0, 1, 1700000000, INT64_MAX};
    uint8_t a[8], b[8];

    for (size_t i = 0; i + 1 < sizeof(t) / sizeof(t[0]); i++) {
        store__be64(a, store__time_bias(t[i]));
        store__be64(b, store__time_bias(t[i + 1]));
        assert_int_equal(cmp(a, b, 8), -1);
        assert_true(store__time_unbias(store__time_bias(t[i])) == t[i]);
    }
    assert_true(store__time_unbias(store__time_bias(INT64_MAX)) == INT64_MAX);
}

CHORUS_TEST(prod_key_sorts_newest_first)
{
    uint8_t newer[STORE__PROD_KEY_LEN], older[STORE__PROD_KEY_LEN], neg[STORE__PROD_KEY_LEN];
    uint8_t hi_id[STORE__PROD_KEY_LEN], other_rating[STORE__PROD_KEY_LEN];
    uint8_t other_prod[STORE__PROD_KEY_LEN];

    store__key_prod(newer, 7, 4, 2000, 1);
    store__key_prod(older, 7, 4, 1000, 2);
    store__key_prod(neg, 7, 4, -5000, 3);
    store__key_prod(hi_id, 7, 4, 2000, 9);
    store__key_prod(other_rating, 7, 5, 999999, 1);
    store__key_prod(other_prod, 8, 0, 0, 1);
    /* Newest first, negative (pre-1970) times last. */
    assert_int_equal(cmp(newer, older, sizeof(newer)), -1);
    assert_int_equal(cmp(older, neg, sizeof(newer)), -1);
    /* Same time: the higher id first, as STORE_SORT_NEWEST promises. */
    assert_int_equal(cmp(hi_id, newer, sizeof(newer)), -1);
    /* Rating groups, then products, in numeric order. */
    assert_int_equal(cmp(neg, other_rating, sizeof(newer)), -1);
    assert_int_equal(cmp(other_rating, other_prod, sizeof(newer)), -1);
    assert_true(store__key_prod_created(neg) == -5000);
    assert_true(store__key_prod_id(hi_id) == 9);
    assert_true(store__key_prod_created(newer) == 2000);
}

CHORUS_TEST(helpful_key_sorts_most_helpful_first)
{
    uint8_t a[STORE__HELPFUL_KEY_LEN], b[STORE__HELPFUL_KEY_LEN], c[STORE__HELPFUL_KEY_LEN];

    store__key_helpful(a, 1, 300, 10, 1);
    store__key_helpful(b, 1, 2, 99999, 2);
    store__key_helpful(c, 1, 2, 5, 3);
    assert_int_equal(cmp(a, b, sizeof(a)), -1);
    assert_int_equal(cmp(b, c, sizeof(a)), -1);
}

CHORUS_TEST(big_endian_ids_and_days_sort_numerically)
{
    uint8_t a[STORE__TIME_KEY_LEN], b[STORE__TIME_KEY_LEN];
    uint8_t da[STORE__DAY_KEY_LEN], db[STORE__DAY_KEY_LEN];
    uint8_t sa[STORE__STATUS_KEY_LEN], sb[STORE__STATUS_KEY_LEN];

    store__key_time(a, 100, 255);
    store__key_time(b, 100, 256);
    assert_int_equal(cmp(a, b, sizeof(a)), -1);
    store__key_time(a, -100, 999);
    store__key_time(b, 100, 1);
    assert_int_equal(cmp(a, b, sizeof(a)), -1);
    store__key_day(da, 'p', 1, 255);
    store__key_day(db, 'p', 1, 256);
    assert_int_equal(cmp(da, db, sizeof(da)), -1);
    store__key_status(sa, REVIEW_PENDING, 1000);
    store__key_status(sb, REVIEW_APPROVED, 1);
    assert_int_equal(cmp(sa, sb, sizeof(sa)), -1);
    assert_int_equal(store__day_of(-1), 0);
    assert_int_equal(store__day_of(86399), 0);
    assert_int_equal(store__day_of(86400), 1);
}

CHORUS_TEST(dedupe_and_category_keys)
{
    uint8_t k[STORE__DEDUPE_KEY_MAX], k2[STORE__DEDUPE_KEY_MAX];
    uint8_t c1[STORE__CATKEY_MAX], c2[STORE__CATKEY_MAX];
    char longid[CHORUS_MAX_SOURCE_ID + 2];
    size_t n, n2;

    n = store__key_dedupe(k, NULL, "42");
    n2 = store__key_dedupe(k2, "api", "42");
    assert_int_equal(n, 6);
    assert_int_equal(n, n2);
    assert_memory_equal(k, k2, n);
    /* "ab" + "c" and "a" + "bc" must differ. */
    n = store__key_dedupe(k, "ab", "c");
    n2 = store__key_dedupe(k2, "a", "bc");
    assert_true(n == n2 && memcmp(k, k2, n) != 0);
    memset(longid, 'x', sizeof(longid) - 1);
    longid[sizeof(longid) - 1] = '\0';
    assert_int_equal(store__key_dedupe(k, "api", longid), 0);

    /* "laptops" 0x00 sorts before "laptops/..." and "laptopsX". */
    n = store__key_category(c1, "laptops", 7, 5);
    n2 = store__key_category(c2, "laptops/a", 9, 1);
    assert_int_equal(cmp(c1, c2, n < n2 ? n : n2), -1);
    assert_true(store__category_valid(""));
    assert_true(store__category_valid("a/b"));
    assert_false(store__category_valid("/a"));
    assert_false(store__category_valid("a/"));
    assert_false(store__category_valid("a//b"));
}

CHORUS_TEST(review_record_round_trip)
{
    struct review_response resp[2] = {{"Brand", "Thanks", 5}, {NULL, "Again", 6}};
    struct review r, d;
    struct store__arena a = {NULL};
    uint8_t *buf;
    uint32_t pno;
    size_t n;

    memset(&r, 0, sizeof(r));
    r.product_id = "sku-1";
    r.rating = 4;
    r.rating_original = 8;
    r.rating_scale = 10;
    r.title = "Good";
    r.body = "Fine machine";
    r.source = "feed";
    r.source_id = "x1";
    r.verified = true;
    r.created_at = -77;
    r.ingested_at = 12345;
    r.status = REVIEW_REJECTED;
    r.moderation_reason = "spam";
    r.helpful = 3;
    r.not_helpful = 1;
    r.sentiment = NAN;
    r.n_responses = 2;
    r.responses = resp;
    n = store__review_size(&r);
    buf = malloc(n);
    assert_non_null(buf);
    store__review_encode(buf, &r, 77);
    assert_int_equal(store__review_decode(buf, n, &d, &pno, &a), 0);
    assert_int_equal(pno, 77);
    assert_string_equal(d.product_id, "sku-1");
    assert_null(d.author);
    assert_string_equal(d.body, "Fine machine");
    assert_string_equal(d.moderation_reason, "spam");
    assert_true(d.created_at == -77 && d.ingested_at == 12345);
    assert_true(isnan(d.sentiment));
    assert_true(d.verified && d.rating == 4 && d.status == REVIEW_REJECTED);
    assert_int_equal(d.n_responses, 2);
    assert_string_equal(d.responses[0].author, "Brand");
    assert_null(d.responses[1].author);
    assert_string_equal(d.responses[1].body, "Again");
    assert_true(d.responses[1].created_at == 6);

    /* Every truncation is refused, never read past. */
    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *t = malloc(cut ? cut : 1);

        memcpy(t, buf, cut);
        assert_int_equal(store__review_decode(t, cut, &d, &pno, &a), CHORUS_ECORRUPT);
        free(t);
    }
    /* A wrong version byte or a string length past the end is refused. */
    buf[0] = 9;
    assert_int_equal(store__review_decode(buf, n, &d, &pno, &a), CHORUS_ECORRUPT);
    buf[0] = STORE__RECORD_VERSION;
    buf[57] = 0x7f;
    assert_int_equal(store__review_decode(buf, n, &d, &pno, &a), CHORUS_ECORRUPT);
    free(buf);

    /* Components trail the record; a record without them (schema 1) still
     * reads, every other cut does not. */
    {
        size_t old = n, m;

        assert_null(d.components);
        r.components = "battery,hinge";
        m = store__review_size(&r);
        assert_int_equal(m, old + 4 + strlen(r.components) + 1);
        buf = malloc(m);
        assert_non_null(buf);
        store__review_encode(buf, &r, 77);
        assert_int_equal(store__review_decode(buf, m, &d, &pno, &a), 0);
        assert_string_equal(d.components, "battery,hinge");
        for (size_t cut = old; cut < m; cut++) {
            int rc = store__review_decode(buf, cut, &d, &pno, &a);

            assert_int_equal(rc, cut == old ? 0 : CHORUS_ECORRUPT);
        }
        assert_int_equal(store__review_decode(buf, old, &d, &pno, &a), 0);
        assert_null(d.components);
        free(buf);
    }
    store__arena_cleanup(&a);
}

CHORUS_TEST(product_and_stats_records)
{
    struct product p = {"sku", "Name", NULL, "a/b", NULL, NULL, "123", NULL, 99, false}, d;
    struct review_stats st = {5, 20, {1, 0, 1, 1, 2}, 3, -0.5, 2, -100, 42, 1700000000}, sd;
    struct store_day day = {17, 2, 9, {0, 0, 0, 1, 1}, 4}, dd;
    uint8_t buf[512], sb[STORE__STATS_LEN], db[STORE__DAYREC_MAX];
    size_t n = store__product_size(&p);

    assert_true(n <= sizeof(buf));
    store__product_encode(buf, &p);
    assert_int_equal(store__product_decode(buf, n, &d), 0);
    assert_string_equal(d.category, "a/b");
    assert_null(d.brand);
    assert_true(d.updated_at == 99);
    assert_false(d.catalogued);
    p.catalogued = true;
    store__product_encode(buf, &p);
    assert_int_equal(store__product_decode(buf, n, &d), 0);
    assert_true(d.catalogued);
    /* A record from before the flags byte: every product was public then,
     * so it reads as catalogued. */
    p.catalogued = false;
    store__product_encode(buf, &p);
    assert_int_equal(store__product_decode(buf, n - 1, &d), 0);
    assert_true(d.catalogued);
    assert_int_equal(store__product_decode(buf, n - 2, &d), CHORUS_ECORRUPT);
    buf[n - 1] = 0x80; /* a flag this version does not know */
    assert_int_equal(store__product_decode(buf, n, &d), CHORUS_ECORRUPT);

    store__stats_encode(sb, &st);
    assert_int_equal(store__stats_decode(sb, sizeof(sb), &sd), 0);
    assert_memory_equal(&st, &sd, sizeof(st));
    assert_int_equal(store__stats_decode(sb, sizeof(sb) - 1, &sd), CHORUS_ECORRUPT);
    /* A schema-1 record ends before changed_at: it reads as unknown (0). */
    assert_int_equal(store__stats_decode(sb, STORE__STATS_LEN_V1, &sd), 0);
    assert_true(sd.version == 42 && sd.changed_at == 0);

    n = store__day_encode(db, &day);
    assert_int_equal(n, 7);
    dd.day = 17;
    assert_int_equal(store__day_decode(db, n, &dd), 0);
    assert_memory_equal(&day, &dd, sizeof(day));
    assert_int_equal(store__day_decode(db, n - 1, &dd), CHORUS_ECORRUPT);
    day.histogram[0] = UINT32_MAX / 2;
    day.count += UINT32_MAX / 2;
    day.rating_sum += UINT32_MAX / 2;
    n = store__day_encode(db, &day);
    assert_int_equal(store__day_decode(db, n, &dd), 0);
    assert_memory_equal(&day, &dd, sizeof(day));
}

CHORUS_TEST(arena_mark_release)
{
    struct store__arena a = {NULL};
    struct store__mark m;
    char *p, *q;

    p = store__arena_alloc(&a, 10);
    memcpy(p, "keep", 5);
    store__arena_mark(&a, &m);
    for (int i = 0; i < 100; i++) {
        q = store__arena_alloc(&a, 1000);
        memset(q, 'x', 1000);
    }
    store__arena_release(&a, &m);
    assert_string_equal(p, "keep");
    store__arena_reset(&a);
    store__arena_cleanup(&a);
}

CHORUS_TEST_MAIN()
