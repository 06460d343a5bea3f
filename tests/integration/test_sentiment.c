/* Sentiment at ingest: chorusd scores every review it stores, the score is
 * on the review and in the product's aggregate (and follows updates and
 * deletes), the dashboard shows it, and `chorus retag` scores a folder that
 * was written without a scorer. */
#include "harness.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chorus/base.h"
#include "chorus/store.h"
#include "testmain.h"

#ifndef CHORUS_PATH
#error "CHORUS_PATH must name the chorus binary"
#endif

#define POSITIVE "Love it! Great screen, fast and reliable. Highly recommend."
#define NEGATIVE "Stopped working after a week. Total junk, returned it for a refund."

/* sentiment_of GETs review id and returns its sentiment (NAN for null). */
static double sentiment_of(struct chorusd *d, uint64_t id)
{
    struct hresp *r = h_get_key(d, h_fmt("/api/v1/reviews/%llu", (unsigned long long)id));
    json_t *v;
    double s;

    expect_status(r, 200);
    v = jpath(r->json, "sentiment");
    assert_non_null(v);
    assert_true(json_is_null(v) || json_is_number(v));
    s = json_is_null(v) ? NAN : json_number_value(v);
    hresp_free(r);
    return s;
}

/* stats_sentiment returns a product's stats.sentiment (NAN for null), read
 * with the key: a product with no approved review is not public. */
static double stats_sentiment(struct chorusd *d, const char *product)
{
    struct hresp *r = h_get_key(d, h_fmt("/api/v1/products/%s", product));
    json_t *v;
    double s;

    expect_status(r, 200);
    v = jpath(r->json, "stats.sentiment");
    assert_non_null(v);
    s = json_is_null(v) ? NAN : json_number_value(v);
    hresp_free(r);
    return s;
}

static void expect_near(double got, double want)
{
    if (!(fabs(got - want) < 1e-9))
        fail_msg("expected %.12f, got %.12f", want, got);
}

/* ---- over HTTP ------------------------------------------------------------------ */

CHORUS_TEST_SETUP(api_scores_reviews, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t pos, neg, mention, forced, german, english;
    double sp, sn, sf;
    struct hresp *r;

    pos = h_post_review(d, "{\"product_id\":\"sn-1\",\"rating\":5,\"title\":\"Excellent\","
                           "\"body\":\"" POSITIVE "\"}");
    neg = h_post_review(d, "{\"product_id\":\"sn-1\",\"rating\":1,\"source\":\"t\","
                           "\"source_id\":\"n-1\",\"body\":\"" NEGATIVE "\"}");
    /* A mention that names the product and holds no opinion. */
    mention = h_post_review(d, "{\"product_id\":\"sn-1\",\"body\":\"Seen at the airport.\"}");
    /* The sentiment a client sends is not the server's: it is replaced. */
    forced = h_post_review(d, "{\"product_id\":\"sn-2\",\"rating\":2,\"sentiment\":0.9,"
                              "\"body\":\"Broken on arrival, what a waste of money.\"}");

    /* The lexicon is English: another language is not scored, English in
     * any region is. */
    german = h_post_review(d, "{\"product_id\":\"sn-3\",\"rating\":5,\"language\":\"de\","
                              "\"body\":\"Great, no problems.\"}");
    english = h_post_review(d, "{\"product_id\":\"sn-3\",\"rating\":5,\"language\":\"en-GB\","
                               "\"body\":\"Great, no problems.\"}");
    assert_true(isnan(sentiment_of(d, german)));
    assert_true(sentiment_of(d, english) > 0);

    sp = sentiment_of(d, pos);
    sn = sentiment_of(d, neg);
    sf = sentiment_of(d, forced);
    assert_true(sp > 0.3 && sp <= 1);
    assert_true(sn < -0.3 && sn >= -1);
    assert_true(isnan(sentiment_of(d, mention)));
    assert_true(sf < 0);

    /* The product's mean is over its scored reviews; the mention has none. */
    expect_near(stats_sentiment(d, "sn-1"), (sp + sn) / 2);
    expect_near(stats_sentiment(d, "sn-2"), sf);

    /* An update re-scores and moves the aggregate: the complaint becomes
     * praise. */
    r = h_post_json(d, "/api/v1/reviews",
                    "{\"product_id\":\"sn-1\",\"rating\":4,\"source\":\"t\","
                    "\"source_id\":\"n-1\",\"body\":\"Support fixed it, works great now.\"}");
    expect_status(r, 200); /* nothing created */
    expect_jstr(r->json, "results[0].status", "updated");
    hresp_free(r);
    sn = sentiment_of(d, neg);
    assert_true(sn > 0);
    expect_near(stats_sentiment(d, "sn-1"), (sp + sn) / 2);

    /* A deleted review takes its share along; none left is null. */
    r = h_delete(d, h_fmt("/api/v1/reviews/%llu", (unsigned long long)neg));
    expect_status(r, 204);
    hresp_free(r);
    expect_near(stats_sentiment(d, "sn-1"), sp);
    r = h_delete(d, h_fmt("/api/v1/reviews/%llu", (unsigned long long)forced));
    expect_status(r, 204);
    hresp_free(r);
    assert_true(isnan(stats_sentiment(d, "sn-2")));
}

/* The dashboard's Sentiment cell and roll-up figure show the product's mean
 * as the API gives it. */
CHORUS_TEST_SETUP(dashboard_shows_sentiment, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    double avg;
    char want[128];
    const char *row, *end, *dash;
    struct hresp *r;

    h_post_review(d, "{\"product_id\":\"sd-1\",\"rating\":5,\"body\":\"" POSITIVE "\"}");
    h_post_review(d, "{\"product_id\":\"sd-1\",\"rating\":4,\"body\":\"Good value, a bit slow.\"}");
    h_post_review(d, "{\"product_id\":\"sd-2\",\"rating\":3,\"body\":\"It came on Tuesday.\"}");
    avg = stats_sentiment(d, "sd-1");
    assert_true(avg > 0.05);
    r = h_get_key(d, "/dashboard");
    expect_status(r, 200);
    expect_contains(r->body, ">Sentiment<sup>4</sup>");
    snprintf(want, sizeof(want), "<td class=\"cd-n\">%+.2f %s</td>", avg,
             avg >= 0.5 ? "very positive" : "positive");
    expect_contains(r->body, want);
    /* sd-2's text holds no opinion: its row's only dash (it has an average
     * and a share). The roll-up is sd-1's mean: it has the only scores. */
    row = strstr(r->body, "data-product=\"sd-2\"");
    assert_non_null(row);
    end = strstr(row, "</tr>");
    assert_non_null(end);
    dash = strstr(row, "<td class=\"cd-n\">\xe2\x80\x94</td>");
    assert_true(dash && dash < end);
    snprintf(want, sizeof(want), "<dt>Sentiment</dt><dd>%+.2f", avg);
    expect_contains(r->body, want);
    hresp_free(r);
}

/* ---- chorus retag on a folder written without a scorer (or versions) ------------- */

struct seed {
    const char *product, *body;
    int rating;
};

static const struct seed seeds[] = {
    {"sr-1", POSITIVE, 5},
    {"sr-1", NEGATIVE, 1},
    {"sr-1", "Arrived on Monday with BIOS 1.14.", 3},
};

static int put_seeds(struct store_txn *txn, void *ctx)
{
    (void)ctx;
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        struct review r;
        int rc;

        memset(&r, 0, sizeof(r));
        r.product_id = seeds[i].product;
        r.body = seeds[i].body;
        r.rating = seeds[i].rating;
        r.status = REVIEW_APPROVED;
        r.created_at = (int64_t)time(NULL) - 3600 * (int64_t)(i + 1);
        r.sentiment = NAN; /* what every folder held before scoring */
        rc = store_review_put(txn, &r, NULL, NULL);
        if (rc)
            return rc;
    }
    return 0;
}

static int run_chorus(struct chorusd *d, const char *cmd, char **err_text)
{
    const char *out = h_fmt("%s/out", d->root), *err = h_fmt("%s/err", d->root);
    char o[400], e[400];
    const char *argv[] = {CHORUS_PATH, cmd, "--data", d->data, NULL};
    int rc;

    snprintf(o, sizeof(o), "%s", out);
    snprintf(e, sizeof(e), "%s", err);
    rc = h_run(o, e, argv);
    *err_text = h_slurp(e, NULL);
    return rc;
}

CHORUS_TEST(retag_scores_old_folder)
{
    struct chorusd *d = chorusd_make(NULL);
    struct store *s = NULL;
    char err[256], *text = NULL;
    uint64_t ids[8];
    size_t n;
    double v[8], sum = 0;
    size_t scored = 0;

    assert_non_null(d);
    assert_int_equal(store_open(&s, d->data, err, sizeof(err)), 0);
    assert_int_equal(store_write(s, put_seeds, NULL), 0);
    store_close(s);

    assert_int_equal(run_chorus(d, "retag", &text), 0);
    /* Two reviews get a score (the third holds no opinion). */
    assert_non_null(strstr(text, "retagged 3 reviews"));
    free(text);
    assert_int_equal(run_chorus(d, "check", &text), 0);
    free(text);
    assert_int_equal(run_chorus(d, "retag", &text), 0);
    expect_contains(text, ": 0 changed");
    free(text);

    assert_int_equal(chorusd_start(d), 0);
    n = h_list_ids(d, true, "/api/v1/products/sr-1/reviews?sort=oldest", ids, 8, NULL);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++) {
        v[i] = sentiment_of(d, ids[i]);
        if (!isnan(v[i])) {
            sum += v[i];
            scored++;
        }
    }
    /* Oldest first: the third seed (no opinion), the complaint, the praise. */
    assert_true(isnan(v[0]));
    /* retag also records the versions a review names. */
    {
        struct hresp *r = h_get(d, h_fmt("/api/v1/reviews/%llu", (unsigned long long)ids[0]));

        expect_jstr(r->json, "versions[0]", "BIOS 1.14");
        hresp_free(r);
    }
    assert_true(v[1] < 0);
    assert_true(v[2] > 0);
    assert_int_equal(scored, 2);
    expect_near(stats_sentiment(d, "sr-1"), sum / 2);
    assert_int_equal(chorusd_free(d), 0);
}

CHORUS_TEST_MAIN()
