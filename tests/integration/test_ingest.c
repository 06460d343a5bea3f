/* POST /api/v1/reviews against a real chorusd: the three body shapes, per-item
 * results, validation, content types and re-ingest. The request rules every
 * endpoint shares are in test_http.c. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testmain.h"

#define REVIEWS "/api/v1/reviews"

static struct hresp *post_typed(struct chorusd *d, const char *ctype, const char *body, size_t len)
{
    struct hreq q = {
        .method = "POST", .path = REVIEWS, .key = true, .ctype = ctype, .body = body, .len = len};

    return h_do(d, &q);
}

/* ---- the three body shapes ---------------------------------------------------- */

CHORUS_TEST_SETUP(post_one, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    struct hresp *r = h_post_json(d, REVIEWS, "{\"product_id\":\"one-1\",\"rating\":4}");
    long long id;

    expect_status(r, 201);
    expect_header(r, "Content-Type", "application/json");
    expect_jint(r->json, "accepted", 1);
    expect_jint(r->json, "rejected", 0);
    expect_jint(r->json, "results[0].index", 0);
    expect_jstr(r->json, "results[0].status", "created");
    assert_true(json_array_size(jpath(r->json, "results")) == 1);
    id = json_integer_value(jpath(r->json, "results[0].id"));
    assert_true(id > 0);
    hresp_free(r);

    r = h_get(d, h_fmt("/api/v1/reviews/%lld", id));
    expect_status(r, 200);
    expect_jint(r->json, "id", id);
    expect_jstr(r->json, "product_id", "one-1");
    expect_jint(r->json, "rating", 4);
    expect_jstr(r->json, "status", "approved");
    hresp_free(r);
}

CHORUS_TEST_SETUP(post_content_type_with_charset, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    const char *body = "{\"product_id\":\"cs-1\",\"rating\":3}";
    struct hresp *r = post_typed(d, "application/json; charset=utf-8", body, strlen(body));

    expect_status(r, 201);
    expect_jint(r->json, "accepted", 1);
    hresp_free(r);
}

CHORUS_TEST_SETUP(post_array, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    struct hresp *r = h_post_json(d, REVIEWS,
                                  "[{\"product_id\":\"arr-1\",\"rating\":5},"
                                  "{\"product_id\":\"arr-1\",\"rating\":3},"
                                  "{\"product_id\":\"arr-2\",\"rating\":1}]");
    long long ids[3];

    expect_status(r, 201);
    expect_jint(r->json, "accepted", 3);
    expect_jint(r->json, "rejected", 0);
    for (int i = 0; i < 3; i++) {
        expect_jint(r->json, h_fmt("results[%d].index", i), i);
        expect_jstr(r->json, h_fmt("results[%d].status", i), "created");
        ids[i] = json_integer_value(jpath(r->json, h_fmt("results[%d].id", i)));
        assert_true(ids[i] > 0);
    }
    assert_true(ids[0] != ids[1] && ids[1] != ids[2] && ids[0] != ids[2]);
    hresp_free(r);

    r = h_get(d, "/api/v1/products/arr-1");
    expect_status(r, 200);
    expect_jint(r->json, "stats.count", 2);
    hresp_free(r);
}

CHORUS_TEST_SETUP(post_ndjson, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    const char *body = "{\"product_id\":\"nd-1\",\"rating\":5}\n"
                       "{\"product_id\":\"nd-1\",\"rating\":4}\r\n"
                       "\n"
                       "{\"product_id\":\"nd-1\",\"rating\":2}";
    struct hresp *r = post_typed(d, "application/x-ndjson", body, strlen(body));

    expect_status(r, 201);
    expect_jint(r->json, "accepted", 3);
    expect_jint(r->json, "rejected", 0);
    expect_jint(r->json, "results[2].index", 2);
    expect_jstr(r->json, "results[2].status", "created");
    hresp_free(r);

    r = h_get(d, "/api/v1/products/nd-1");
    expect_jint(r->json, "stats.count", 3);
    hresp_free(r);
}

/* A line that is not JSON is that item's error; the others are stored.
 * Indexes count non-blank lines. */
CHORUS_TEST_SETUP(post_ndjson_bad_line, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    const char *body = "{\"product_id\":\"ndb-1\",\"rating\":5}\n"
                       "this is not json\n"
                       "{\"product_id\":\"ndb-1\",\"rating\":4}\n"
                       "\n"
                       "{\"rating\":5}\n";
    struct hresp *r = post_typed(d, "application/x-ndjson", body, strlen(body));

    expect_status(r, 201);
    expect_jint(r->json, "accepted", 2);
    expect_jint(r->json, "rejected", 2);
    expect_jstr(r->json, "results[0].status", "created");
    expect_jint(r->json, "results[1].index", 1);
    expect_jstr(r->json, "results[1].status", "rejected");
    expect_jnull(r->json, "results[1].id");
    assert_true(json_string_length(jpath(r->json, "results[1].error")) > 0);
    expect_jstr(r->json, "results[2].status", "created");
    expect_jint(r->json, "results[3].index", 3);
    expect_jstr(r->json, "results[3].status", "rejected");
    expect_jcontains(r->json, "results[3].error", "product_id");
    hresp_free(r);
}

/* Items that are not objects are item errors, not document errors. */
CHORUS_TEST_SETUP(post_non_object_items, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    const char *nd = "[{\"product_id\":\"no-1\"}]\n{\"product_id\":\"no-1\",\"rating\":3}\n";
    struct hresp *r = h_post_json(d, REVIEWS,
                                  "[1, \"x\", null, {\"product_id\":\"no-1\","
                                  "\"rating\":5}]");

    expect_status(r, 201);
    expect_jint(r->json, "accepted", 1);
    expect_jint(r->json, "rejected", 3);
    expect_jstr(r->json, "results[3].status", "created");
    hresp_free(r);
    r = post_typed(d, "application/x-ndjson", nd, strlen(nd));
    expect_status(r, 201);
    expect_jstr(r->json, "results[0].status", "rejected");
    expect_jstr(r->json, "results[1].status", "created");
    hresp_free(r);
}

/* Everything an export writes can come in: votes, status, reason,
 * sentiment, responses, and the product's catalogue fields. */
CHORUS_TEST_SETUP(post_all_fields, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t id = h_post_review(
        d, "{\"product_id\":\"af-1\",\"rating\":2,\"helpful\":7,\"not_helpful\":2,"
           "\"sentiment\":-0.5,\"status\":\"rejected\",\"moderation_reason\":\"rude\","
           "\"ingested_at\":\"2024-01-02T03:04:05Z\","
           "\"responses\":[{\"author\":\"Brand\",\"body\":\"Sorry\",\"created_at\":"
           "\"2024-01-03T00:00:00Z\"}],"
           "\"product\":{\"name\":\"Alienware m16\",\"brand\":\"Dell\",\"category\":"
           "\"laptops/gaming\"}}");
    struct hresp *r = h_get_key(d, h_fmt("/api/v1/reviews/%llu", (unsigned long long)id));

    expect_status(r, 200);
    /* Over HTTP the server owns votes, the moderation reason and the ingest
     * time (chorus import keeps them); a body's status is honoured while
     * new_review_status is approved. */
    expect_jint(r->json, "helpful", 0);
    expect_jint(r->json, "not_helpful", 0);
    /* The server scores sentiment itself (docs/sentiment.md): the -0.5 sent
     * is replaced, and this review has no text to score. */
    expect_jnull(r->json, "sentiment");
    expect_jstr(r->json, "status", "rejected");
    assert_null(jpath(r->json, "moderation_reason"));
    assert_non_null(json_string_value(jpath(r->json, "ingested_at")));
    assert_string_not_equal(json_string_value(jpath(r->json, "ingested_at")),
                            "2024-01-02T03:04:05Z");
    expect_jstr(r->json, "responses[0].author", "Brand");
    expect_jstr(r->json, "responses[0].body", "Sorry");
    expect_jstr(r->json, "responses[0].created_at", "2024-01-03T00:00:00Z");
    hresp_free(r);
    /* Its only review is rejected: the product it made is not public, a
     * key holder reads it (docs/reviews.md, "Who may change the catalogue"). */
    r = h_get(d, "/api/v1/products/af-1");
    expect_problem(r, 404);
    hresp_free(r);
    r = h_get_key(d, "/api/v1/products/af-1");
    expect_status(r, 200);
    expect_jstr(r->json, "name", "Alienware m16");
    expect_jstr(r->json, "category", "laptops/gaming");
    expect_jint(r->json, "stats.count", 0); /* rejected */
    hresp_free(r);
    r = h_post_json(d, REVIEWS, "{\"product_id\":\"af-1\",\"product\":{\"id\":\"af-2\"}}");
    expect_problem(r, 422);
    expect_jcontains(r->json, "results[0].error", "product");
    hresp_free(r);
}

/* ---- per-item results ----------------------------------------------------------- */

CHORUS_TEST_SETUP(post_mixed_batch, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    struct hresp *r = h_post_json(d, REVIEWS,
                                  "[{\"product_id\":\"mix-1\",\"rating\":5,\"title\":\"good\"},"
                                  "{\"product_id\":\"mix-1\",\"rating\":7},"
                                  "{\"product_id\":\"mix-1\",\"rating\":2,\"title\":\"meh\"},"
                                  "{\"rating\":3},"
                                  "{\"product_id\":\"mix-1\",\"stars\":5}]");
    long long good[2];

    expect_status(r, 201);
    expect_jint(r->json, "accepted", 2);
    expect_jint(r->json, "rejected", 3);
    for (int i = 0; i < 5; i++)
        expect_jint(r->json, h_fmt("results[%d].index", i), i);
    expect_jstr(r->json, "results[0].status", "created");
    expect_jstr(r->json, "results[2].status", "created");
    expect_jstr(r->json, "results[1].status", "rejected");
    expect_jnull(r->json, "results[1].id");
    expect_jcontains(r->json, "results[1].error", "rating");
    expect_jstr(r->json, "results[3].status", "rejected");
    expect_jcontains(r->json, "results[3].error", "product_id");
    expect_jcontains(r->json, "results[4].error", "stars");
    good[0] = json_integer_value(jpath(r->json, "results[0].id"));
    good[1] = json_integer_value(jpath(r->json, "results[2].id"));
    hresp_free(r);

    r = h_get(d, h_fmt("/api/v1/reviews/%lld", good[0]));
    expect_status(r, 200);
    expect_jstr(r->json, "title", "good");
    hresp_free(r);
    r = h_get(d, h_fmt("/api/v1/reviews/%lld", good[1]));
    expect_status(r, 200);
    expect_jstr(r->json, "title", "meh");
    hresp_free(r);
    r = h_get(d, "/api/v1/products/mix-1");
    expect_jint(r->json, "stats.count", 2);
    hresp_free(r);
}

CHORUS_TEST_SETUP(post_all_bad, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    struct hresp *r = h_post_json(d, REVIEWS,
                                  "[{\"product_id\":\"bad-1\",\"rating\":0},"
                                  "{\"title\":\"no product\"}]");

    expect_problem(r, 422);
    expect_jint(r->json, "accepted", 0);
    expect_jint(r->json, "rejected", 2);
    expect_jstr(r->json, "results[0].status", "rejected");
    expect_jcontains(r->json, "results[1].error", "product_id");
    hresp_free(r);

    r = h_get(d, "/api/v1/products/bad-1");
    expect_problem(r, 404);
    hresp_free(r);
}

/* ---- bodies that hold no review --------------------------------------------------- */

CHORUS_TEST_SETUP(post_empty_body, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    struct hresp *r = post_typed(d, "application/json", "", 0);

    expect_problem(r, 400);
    hresp_free(r);
}

CHORUS_TEST_SETUP(post_empty_array, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    struct hresp *r = h_post_json(d, REVIEWS, " [ ] ");

    expect_problem(r, 400);
    hresp_free(r);
}

CHORUS_TEST_SETUP(post_no_reviews, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    struct hresp *r = post_typed(d, "application/x-ndjson", "\n\n  \n", 5);

    expect_problem(r, 400);
    hresp_free(r);
    r = h_post_json(d, REVIEWS, "42");
    expect_problem(r, 400);
    hresp_free(r);
    r = h_post_json(d, REVIEWS, "\"a review\"");
    expect_problem(r, 400);
    hresp_free(r);
}

CHORUS_TEST_SETUP(post_malformed_json, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    struct hresp *r = h_post_json(d, REVIEWS, "{\"product_id\": \"x\",\n \"rating\": 5,");

    expect_problem(r, 400);
    expect_jcontains(r->json, "detail", "line");
    hresp_free(r);
    r = h_post_json(d, REVIEWS, "[{\"product_id\":\"x\"} {\"product_id\":\"y\"}]");
    expect_problem(r, 400);
    hresp_free(r);
}

CHORUS_TEST_SETUP(post_invalid_utf8, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    const char *doc = "{\"product_id\":\"u-1\",\"title\":\"caf\xc3\x28\"}";
    const char *nd = "{\"product_id\":\"u-1\",\"title\":\"caf\xff\"}\n"
                     "{\"product_id\":\"u-1\",\"rating\":5}\n";
    struct hresp *r = h_post_json(d, REVIEWS, doc);

    expect_problem(r, 400);
    hresp_free(r);
    /* In NDJSON the broken line is one item's error. */
    r = post_typed(d, "application/x-ndjson", nd, strlen(nd));
    expect_status(r, 201);
    expect_jint(r->json, "accepted", 1);
    expect_jstr(r->json, "results[0].status", "rejected");
    hresp_free(r);
}

CHORUS_TEST_SETUP(post_wrong_content_type, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    const char *body = "{\"product_id\":\"ct-1\",\"rating\":5}";
    struct hresp *r = post_typed(d, "text/plain", body, strlen(body));

    expect_problem(r, 415);
    expect_jcontains(r->json, "detail", "application/json");
    hresp_free(r);
    r = post_typed(d, NULL, body, strlen(body));
    expect_problem(r, 415);
    hresp_free(r);
    r = post_typed(d, "application/jsonx", body, strlen(body));
    expect_problem(r, 415);
    hresp_free(r);
    r = h_get(d, "/api/v1/products/ct-1");
    expect_problem(r, 404);
    hresp_free(r);
}

/* ---- re-ingest ------------------------------------------------------------------------------ */

CHORUS_TEST_SETUP(reingest_idempotent, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t id = h_post_review(d, "{\"product_id\":\"re-1\",\"source\":\"shop\",\"source_id\":"
                                   "\"A-1\",\"rating\":5,\"title\":\"Great\"}");
    struct hresp *r;

    r = h_post_json(d, REVIEWS,
                    "{\"product_id\":\"re-1\",\"source\":\"shop\",\"source_id\":\"A-1\","
                    "\"rating\":2,\"title\":\"Broke after a week\"}");
    expect_status(r, 200);
    expect_jint(r->json, "accepted", 1);
    expect_jstr(r->json, "results[0].status", "updated");
    expect_jint(r->json, "results[0].id", (long long)id);
    hresp_free(r);

    r = h_get(d, h_fmt("/api/v1/reviews/%llu", (unsigned long long)id));
    expect_jint(r->json, "rating", 2);
    expect_jstr(r->json, "title", "Broke after a week");
    hresp_free(r);
    r = h_get(d, "/api/v1/products/re-1");
    expect_jint(r->json, "stats.count", 1);
    expect_jnum(r->json, "stats.average", 2);
    expect_jint(r->json, "stats.histogram[1]", 1);
    expect_jint(r->json, "stats.histogram[4]", 0);
    hresp_free(r);

    /* The same source id from another source is another review. */
    r = h_post_json(d, REVIEWS,
                    "[{\"product_id\":\"re-1\",\"source\":\"shop\",\"source_id\":\"A-1\","
                    "\"rating\":3},"
                    "{\"product_id\":\"re-1\",\"source\":\"forum\",\"source_id\":\"A-1\","
                    "\"rating\":4}]");
    expect_status(r, 201);
    expect_jstr(r->json, "results[0].status", "updated");
    expect_jint(r->json, "results[0].id", (long long)id);
    expect_jstr(r->json, "results[1].status", "created");
    assert_true(json_integer_value(jpath(r->json, "results[1].id")) != (long long)id);
    hresp_free(r);
    r = h_get(d, "/api/v1/products/re-1");
    expect_jint(r->json, "stats.count", 2);
    expect_jint(r->json, "stats.histogram[2]", 1);
    expect_jint(r->json, "stats.histogram[3]", 1);
    hresp_free(r);
}

/* Two items with the same source id in one batch are one review. */
CHORUS_TEST_SETUP(reingest_within_batch, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    struct hresp *r = h_post_json(d, REVIEWS,
                                  "[{\"product_id\":\"re-2\",\"source_id\":\"B-1\",\"rating\":5},"
                                  "{\"product_id\":\"re-2\",\"source_id\":\"B-1\",\"rating\":3}]");
    long long id;

    expect_status(r, 201);
    expect_jstr(r->json, "results[0].status", "created");
    expect_jstr(r->json, "results[1].status", "updated");
    id = json_integer_value(jpath(r->json, "results[0].id"));
    expect_jint(r->json, "results[1].id", id);
    hresp_free(r);
    r = h_get(d, "/api/v1/products/re-2");
    expect_jint(r->json, "stats.count", 1);
    expect_jint(r->json, "stats.histogram[2]", 1);
    hresp_free(r);
}

/* ---- field rules --------------------------------------------------------------------------- */

CHORUS_TEST_SETUP(rating_scale, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t a = h_post_review(d, "{\"product_id\":\"sc-1\",\"rating\":8,\"rating_scale\":10}");
    uint64_t b = h_post_review(d, "{\"product_id\":\"sc-1\",\"rating\":73,\"rating_scale\":100}");
    struct hresp *r;

    r = h_get(d, h_fmt("/api/v1/reviews/%llu", (unsigned long long)a));
    expect_jint(r->json, "rating", 4);
    expect_jnum(r->json, "rating_scale", 10);
    expect_jnum(r->json, "rating_original", 8);
    hresp_free(r);
    r = h_get(d, h_fmt("/api/v1/reviews/%llu", (unsigned long long)b));
    expect_jint(r->json, "rating", 4);
    expect_jnum(r->json, "rating_scale", 100);
    expect_jnum(r->json, "rating_original", 73);
    hresp_free(r);
    r = h_get(d, "/api/v1/products/sc-1");
    expect_jint(r->json, "stats.count", 2);
    expect_jint(r->json, "stats.histogram[3]", 2);
    hresp_free(r);

    r = h_post_json(d, REVIEWS, "{\"product_id\":\"sc-1\",\"rating\":11,\"rating_scale\":10}");
    expect_problem(r, 422);
    expect_jcontains(r->json, "results[0].error", "rating");
    hresp_free(r);
}

CHORUS_TEST_SETUP(rating_rules, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    struct hresp *r = h_post_json(d, REVIEWS,
                                  "[{\"product_id\":\"rr-1\",\"rating\":6},"
                                  "{\"product_id\":\"rr-1\",\"rating\":4.5},"
                                  "{\"product_id\":\"rr-1\",\"rating\":\"5\"},"
                                  "{\"product_id\":\"rr-1\",\"rating\":-1}]");

    expect_problem(r, 422);
    for (int i = 0; i < 4; i++)
        expect_jcontains(r->json, h_fmt("results[%d].error", i), "rating");
    hresp_free(r);
}

/* No rating, or rating null, is a mention: listed with rating null. */
CHORUS_TEST_SETUP(mention, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t a = h_post_review(d, "{\"product_id\":\"men-1\",\"title\":\"saw it on a blog\"}");
    uint64_t b = h_post_review(d, "{\"product_id\":\"men-1\",\"rating\":null}");
    struct hresp *r;

    r = h_get(d, h_fmt("/api/v1/reviews/%llu", (unsigned long long)a));
    expect_jnull(r->json, "rating");
    hresp_free(r);
    r = h_get(d, h_fmt("/api/v1/reviews/%llu", (unsigned long long)b));
    expect_jnull(r->json, "rating");
    hresp_free(r);
    r = h_get(d, "/api/v1/products/men-1");
    expect_jint(r->json, "stats.count", 0);
    expect_jint(r->json, "stats.mentions", 2);
    expect_jnull(r->json, "stats.average");
    hresp_free(r);
}

CHORUS_TEST_SETUP(string_over_cap, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    char title[502], author[202], *body = malloc(20002), *doc = malloc(24000);
    struct hresp *r;

    memset(title, 'a', 501);
    title[501] = '\0';
    memset(author, 'b', 201);
    author[201] = '\0';
    memset(body, 'c', 20001);
    body[20001] = '\0';
    snprintf(doc, 24000,
             "[{\"product_id\":\"cap-1\",\"rating\":5,\"title\":\"%s\"},"
             "{\"product_id\":\"cap-1\",\"rating\":5,\"author\":\"%s\"},"
             "{\"product_id\":\"cap-1\",\"rating\":5,\"body\":\"%s\"},"
             "{\"product_id\":\"cap-1\",\"rating\":5,\"title\":\"%.500s\"}]",
             title, author, body, title);
    r = h_post_json(d, REVIEWS, doc);
    expect_status(r, 201);
    expect_jint(r->json, "accepted", 1);
    expect_jstr(r->json, "results[0].status", "rejected");
    expect_jcontains(r->json, "results[0].error", "title");
    expect_jcontains(r->json, "results[0].error", "500");
    expect_jcontains(r->json, "results[1].error", "author");
    expect_jcontains(r->json, "results[1].error", "200");
    expect_jcontains(r->json, "results[2].error", "body");
    expect_jcontains(r->json, "results[2].error", "20000");
    expect_jstr(r->json, "results[3].status", "created");
    hresp_free(r);
    free(body);
    free(doc);
}

CHORUS_TEST_SETUP(invalid_time, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    struct hresp *r =
        h_post_json(d, REVIEWS,
                    "[{\"product_id\":\"t-1\",\"created_at\":\"yesterday\"},"
                    "{\"product_id\":\"t-1\",\"created_at\":\"2024-13-01T00:00:00Z\"},"
                    "{\"product_id\":\"t-1\",\"created_at\":1700000000},"
                    "{\"product_id\":\"t-1\",\"created_at\":\"2024-05-01T10:00:00+02:00\","
                    "\"rating\":5}]");
    long long id;

    expect_status(r, 201);
    expect_jint(r->json, "rejected", 3);
    for (int i = 0; i < 3; i++) {
        expect_jstr(r->json, h_fmt("results[%d].status", i), "rejected");
        expect_jcontains(r->json, h_fmt("results[%d].error", i), "created_at");
    }
    expect_jcontains(r->json, "results[0].error", "RFC 3339");
    id = json_integer_value(jpath(r->json, "results[3].id"));
    hresp_free(r);
    r = h_get(d, h_fmt("/api/v1/reviews/%lld", id));
    expect_jstr(r->json, "created_at", "2024-05-01T08:00:00Z");
    hresp_free(r);
}

CHORUS_TEST_MAIN()
