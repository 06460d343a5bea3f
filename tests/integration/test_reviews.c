/* One review over HTTP: GET, DELETE, moderation and its queue, brand
 * responses, votes, and what a client without a key may see. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testmain.h"

static const char *review_path(uint64_t id, const char *sub)
{
    return h_fmt("/api/v1/reviews/%llu%s", (unsigned long long)id, sub);
}

/* expect_stats checks a product's count, average (<0: null) and histogram,
 * read with the key: a product whose reviews all wait for moderation is
 * not public yet (docs/reviews.md, "Who may change the catalogue"). */
static void expect_stats(struct chorusd *d, const char *product, long long count, double average,
                         const long long hist[5])
{
    struct hresp *r = h_get_key(d, h_fmt("/api/v1/products/%s", product));

    expect_status(r, 200);
    expect_jint(r->json, "stats.count", count);
    if (average < 0)
        expect_jnull(r->json, "stats.average");
    else
        expect_jnum(r->json, "stats.average", average);
    for (int i = 0; i < 5; i++)
        expect_jint(r->json, h_fmt("stats.histogram[%d]", i), hist[i]);
    hresp_free(r);
}

/* ---- GET ----------------------------------------------------------------------- */

CHORUS_TEST_SETUP(review_get, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t id = h_post_review(
        d, "{\"product_id\":\"g-1\",\"rating\":4,\"title\":\"Solid \\u00e9 <b>\","
           "\"body\":\"Fan is quiet.\\nHinge is stiff.\",\"author\":\"Ana\","
           "\"author_location\":\"Lisbon\",\"verified\":true,\"language\":\"pt-BR\","
           "\"created_at\":\"2024-03-01T10:00:00Z\",\"source\":\"shop\",\"source_id\":\"S-1\"}");
    struct hresp *r = h_get(d, review_path(id, ""));

    expect_status(r, 200);
    expect_header(r, "Content-Type", "application/json");
    expect_jint(r->json, "id", (long long)id);
    expect_jstr(r->json, "product_id", "g-1");
    expect_jint(r->json, "rating", 4);
    expect_jnull(r->json, "rating_scale");
    expect_jstr(r->json, "title", "Solid \xc3\xa9 <b>");
    expect_jstr(r->json, "body", "Fan is quiet.\nHinge is stiff.");
    expect_jstr(r->json, "author", "Ana");
    expect_jstr(r->json, "author_location", "Lisbon");
    expect_jbool(r->json, "verified", true);
    expect_jstr(r->json, "language", "pt-BR");
    expect_jstr(r->json, "created_at", "2024-03-01T10:00:00Z");
    assert_true(json_is_string(jpath(r->json, "ingested_at")));
    expect_jstr(r->json, "source", "shop");
    expect_jstr(r->json, "source_id", "S-1");
    expect_jstr(r->json, "status", "approved");
    expect_jint(r->json, "helpful", 0);
    expect_jint(r->json, "not_helpful", 0);
    assert_non_null(jpath(r->json, "sentiment"));
    assert_true(json_is_array(jpath(r->json, "responses")));
    assert_int_equal(json_array_size(jpath(r->json, "responses")), 0);
    /* The raw bytes escape HTML specials so the JSON is safe in a page. */
    assert_null(strstr(r->body, "<b>"));
    hresp_free(r);
}

CHORUS_TEST_SETUP(review_get_unknown, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    /* No such review, an id past 64 bits, a negative id. */
    static const char *const paths[] = {
        "/api/v1/reviews/999999", "/api/v1/reviews/18446744073709551616", "/api/v1/reviews/-1"};

    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        struct hresp *r = h_get(d, paths[i]);

        expect_problem(r, 404);
        hresp_free(r);
    }
}

/* ---- pending reviews ---------------------------------------------------------------- */

/* With new_review_status = pending, a new review exists only for key holders. */
CHORUS_TEST_SETUP(pending_hidden_without_key, h_setup_pending, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t id = h_post_review(d, "{\"product_id\":\"pe-1\",\"rating\":1}");
    uint64_t ids[4];
    const long long zero[5] = {0};
    struct hresp *r;

    r = h_get(d, review_path(id, ""));
    expect_problem(r, 404);
    hresp_free(r);
    r = h_get_key(d, review_path(id, ""));
    expect_status(r, 200);
    expect_jstr(r->json, "status", "pending");
    hresp_free(r);

    /* Its product, made by this review alone, is not public either; a key
     * holder sees it, never cached. */
    r = h_get(d, "/api/v1/products/pe-1/reviews");
    expect_problem(r, 404);
    hresp_free(r);
    r = h_get(d, "/api/v1/products/pe-1");
    expect_problem(r, 404);
    hresp_free(r);
    r = h_get_key(d, "/api/v1/products/pe-1");
    expect_status(r, 200);
    expect_header(r, "Cache-Control", "no-store");
    hresp_free(r);
    assert_int_equal(h_list_ids(d, true, "/api/v1/products/pe-1/reviews", ids, 4, NULL), 0);
    assert_int_equal(
        h_list_ids(d, true, "/api/v1/products/pe-1/reviews?status=pending", ids, 4, NULL), 1);
    assert_int_equal(ids[0], id);
    r = h_get(d, "/api/v1/products/pe-1/reviews?status=pending");
    expect_problem(r, 401);
    hresp_free(r);
    expect_stats(d, "pe-1", 0, -1, zero);

    /* Nobody votes on what nobody can see. */
    r = h_post_json(d, review_path(id, "/votes"), "{\"helpful\":true}");
    expect_problem(r, 404);
    hresp_free(r);
}

/* "status": "pending" in the review does the same on a default server. */
CHORUS_TEST_SETUP(pending_by_field, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t pend = h_post_review(d, "{\"product_id\":\"pf-1\",\"rating\":2,\"status\":"
                                     "\"pending\"}");
    uint64_t ok = h_post_review(d, "{\"product_id\":\"pf-1\",\"rating\":5}");
    const long long hist[5] = {0, 0, 0, 0, 1};
    uint64_t ids[4];
    struct hresp *r;

    r = h_get(d, review_path(pend, ""));
    expect_problem(r, 404);
    hresp_free(r);
    assert_int_equal(h_list_ids(d, false, "/api/v1/products/pf-1/reviews", ids, 4, NULL), 1);
    assert_int_equal(ids[0], ok);
    expect_stats(d, "pf-1", 1, 5, hist);
}

/* ---- DELETE ---------------------------------------------------------------------------- */

CHORUS_TEST_SETUP(delete_review, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t a = h_post_review(d, "{\"product_id\":\"del-1\",\"rating\":5,\"source_id\":\"D-1\"}");
    uint64_t b = h_post_review(d, "{\"product_id\":\"del-1\",\"rating\":1}");
    const long long before[5] = {1, 0, 0, 0, 1}, after[5] = {1, 0, 0, 0, 0};
    struct hreq nokey = {.method = "DELETE", .path = NULL};
    uint64_t ids[4], again;
    struct hresp *r;

    expect_stats(d, "del-1", 2, 3, before);
    nokey.path = review_path(a, "");
    r = h_do(d, &nokey);
    expect_problem(r, 401);
    hresp_free(r);

    r = h_delete(d, review_path(a, ""));
    expect_status(r, 204);
    assert_int_equal(r->len, 0);
    hresp_free(r);
    r = h_get_key(d, review_path(a, ""));
    expect_problem(r, 404);
    hresp_free(r);
    r = h_delete(d, review_path(a, ""));
    expect_problem(r, 404);
    hresp_free(r);
    expect_stats(d, "del-1", 1, 1, after);
    assert_int_equal(h_list_ids(d, false, "/api/v1/products/del-1/reviews", ids, 4, NULL), 1);
    assert_int_equal(ids[0], b);

    /* The dedupe entry went with it: the same source id is a new review. */
    again = h_post_review(d, "{\"product_id\":\"del-1\",\"rating\":4,\"source_id\":\"D-1\"}");
    assert_true(again != a);
}

/* ---- moderation ------------------------------------------------------------------------ */

static struct hresp *moderate(struct chorusd *d, uint64_t id, const char *status,
                              const char *reason)
{
    return h_post_json(d, review_path(id, "/moderation"),
                       h_fmt("{\"status\":\"%s\",\"reason\":\"%s\"}", status, reason));
}

CHORUS_TEST_SETUP(moderation_changes_stats, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    const long long zero[5] = {0}, h1[5] = {0, 0, 0, 0, 1}, h2[5] = {0, 0, 1, 0, 1},
                    h3[5] = {0, 0, 1, 0, 0};
    uint64_t a, b, c, ids[8];
    struct hresp *r;

    a = h_post_review(d, "{\"product_id\":\"mod-1\",\"rating\":5,\"status\":\"pending\"}");
    b = h_post_review(d, "{\"product_id\":\"mod-1\",\"rating\":1,\"status\":\"pending\"}");
    c = h_post_review(d, "{\"product_id\":\"mod-1\",\"rating\":3,\"status\":\"pending\"}");
    expect_stats(d, "mod-1", 0, -1, zero);
    assert_int_equal(h_list_ids(d, true, "/api/v1/moderation?status=pending", ids, 8, NULL), 3);
    assert_int_equal(ids[0], a);
    assert_int_equal(ids[1], b);
    assert_int_equal(ids[2], c);

    r = moderate(d, a, "approved", "fine");
    expect_status(r, 200);
    expect_jint(r->json, "id", (long long)a);
    expect_jstr(r->json, "status", "approved");
    hresp_free(r);
    expect_stats(d, "mod-1", 1, 5, h1);

    r = moderate(d, b, "rejected", "spam");
    expect_status(r, 200);
    expect_jstr(r->json, "status", "rejected");
    expect_jstr(r->json, "moderation_reason", "spam");
    hresp_free(r);
    expect_stats(d, "mod-1", 1, 5, h1);
    r = h_get(d, review_path(b, ""));
    expect_problem(r, 404);
    hresp_free(r);

    r = moderate(d, c, "approved", "");
    expect_status(r, 200);
    hresp_free(r);
    expect_stats(d, "mod-1", 2, 4, h2);

    /* Approved back to rejected leaves the aggregates again. */
    r = moderate(d, a, "rejected", "a competitor");
    expect_status(r, 200);
    hresp_free(r);
    expect_stats(d, "mod-1", 1, 3, h3);

    assert_int_equal(h_list_ids(d, true, "/api/v1/moderation", ids, 8, NULL), 0);
    assert_int_equal(h_list_ids(d, true, "/api/v1/moderation?status=rejected", ids, 8, NULL), 2);
    assert_int_equal(ids[0], a);
    assert_int_equal(ids[1], b);
    assert_int_equal(h_list_ids(d, false, "/api/v1/products/mod-1/reviews", ids, 8, NULL), 1);
    assert_int_equal(ids[0], c);
}

CHORUS_TEST_SETUP(moderation_queue_paging, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t want[7], got[16];
    size_t n = 0, pages = 0;
    char *cursor = NULL;
    struct hresp *r;

    for (int i = 0; i < 7; i++)
        want[i] = h_post_review(
            d, h_fmt("{\"product_id\":\"mq-1\",\"rating\":%d,\"status\":\"pending\"}", i % 5 + 1));
    h_post_review(d, "{\"product_id\":\"mq-1\",\"rating\":5}");
    do {
        const char *path =
            cursor ? h_fmt("/api/v1/moderation?status=pending&limit=3&cursor=%s", cursor)
                   : "/api/v1/moderation?status=pending&limit=3";
        char *next = NULL;
        size_t k = h_list_ids(d, true, path, got + n, 16 - n, &next);

        assert_true(k <= 3);
        n += k;
        free(cursor);
        cursor = next;
        /* Moderating what was seen must not disturb the pages still ahead. */
        if (pages++ == 0) {
            r = moderate(d, got[0], "approved", "ok");
            expect_status(r, 200);
            hresp_free(r);
        }
    } while (cursor && pages < 10);
    free(cursor);
    assert_int_equal(n, 7);
    for (int i = 0; i < 7; i++)
        assert_int_equal(got[i], want[i]);
}

CHORUS_TEST_SETUP(moderation_errors, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t id = h_post_review(d, "{\"product_id\":\"me-1\",\"rating\":4}");
    const char *body = "{\"status\":\"approved\"}";
    char path[64];
    struct hreq nokey = {.method = "POST",
                         .path = path,
                         .ctype = "application/json",
                         .body = body,
                         .len = strlen(body)};
    struct hreq text = {.method = "POST",
                        .path = path,
                        .key = true,
                        .ctype = "text/plain",
                        .body = body,
                        .len = strlen(body)};
    struct hresp *r;

    snprintf(path, sizeof(path), "%s", review_path(id, "/moderation"));
    r = h_do(d, &nokey);
    expect_problem(r, 401);
    hresp_free(r);
    r = h_get(d, "/api/v1/moderation");
    expect_problem(r, 401);
    hresp_free(r);
    r = h_do(d, &text);
    expect_problem(r, 415);
    hresp_free(r);
    r = moderate(d, id, "maybe", "x");
    expect_problem(r, 400);
    expect_jcontains(r->json, "detail", "status");
    hresp_free(r);
    r = h_post_json(d, review_path(id, "/moderation"), "{\"reason\":\"no status\"}");
    expect_problem(r, 400);
    hresp_free(r);
    r = moderate(d, 999999, "approved", "x");
    expect_problem(r, 404);
    hresp_free(r);
    r = h_get_key(d, "/api/v1/moderation?status=bogus");
    expect_problem(r, 400);
    hresp_free(r);
    r = h_get_key(d, "/api/v1/moderation?limit=0");
    expect_problem(r, 400);
    hresp_free(r);
    r = h_get_key(d, "/api/v1/moderation?cursor=not-a-cursor");
    expect_problem(r, 400);
    hresp_free(r);
}

/* ---- brand responses ----------------------------------------------------------------------- */

CHORUS_TEST_SETUP(brand_response, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t id = h_post_review(d, "{\"product_id\":\"br-1\",\"rating\":1,\"body\":\"Hinge "
                                   "cracked.\"}");
    const char *body = "{\"author\":\"Dell Support\",\"body\":\"We are sorry; we will replace "
                       "the hinge.\"}";
    char path[64];
    struct hreq nokey = {.method = "POST",
                         .path = path,
                         .ctype = "application/json",
                         .body = body,
                         .len = strlen(body)};
    struct hresp *r;

    snprintf(path, sizeof(path), "%s", review_path(id, "/responses"));
    r = h_post_json(d, review_path(id, "/responses"), body);
    expect_status(r, 201);
    expect_jint(r->json, "id", (long long)id);
    expect_jstr(r->json, "responses[0].author", "Dell Support");
    expect_jstr(r->json, "responses[0].body", "We are sorry; we will replace the hinge.");
    assert_true(json_is_string(jpath(r->json, "responses[0].created_at")));
    hresp_free(r);
    r = h_post_json(d, review_path(id, "/responses"), "{\"body\":\"Fixed in BIOS 1.2.\"}");
    expect_status(r, 201);
    hresp_free(r);

    r = h_get(d, review_path(id, ""));
    expect_status(r, 200);
    assert_int_equal(json_array_size(jpath(r->json, "responses")), 2);
    expect_jstr(r->json, "responses[0].author", "Dell Support");
    expect_jstr(r->json, "responses[1].body", "Fixed in BIOS 1.2.");
    hresp_free(r);

    r = h_do(d, &nokey);
    expect_problem(r, 401);
    hresp_free(r);
    r = h_post_json(d, review_path(999999, "/responses"), body);
    expect_problem(r, 404);
    hresp_free(r);
    r = h_post_json(d, review_path(id, "/responses"), "{\"author\":\"Dell\"}");
    expect_problem(r, 400);
    hresp_free(r);
}

CHORUS_TEST_SETUP(response_limit, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t id = h_post_review(d, "{\"product_id\":\"rl-1\",\"rating\":2}");
    char path[64];
    struct hresp *r;

    snprintf(path, sizeof(path), "%s", review_path(id, "/responses"));
    for (int i = 0; i < 20; i++) {
        r = h_post_json(d, path, h_fmt("{\"body\":\"answer %d\"}", i));
        expect_status(r, 201);
        hresp_free(r);
    }
    r = h_post_json(d, path, "{\"body\":\"one too many\"}");
    expect_problem(r, 422);
    expect_jcontains(r->json, "detail", "20");
    hresp_free(r);
    r = h_get(d, review_path(id, ""));
    assert_int_equal(json_array_size(jpath(r->json, "responses")), 20);
    expect_jstr(r->json, "responses[19].body", "answer 19");
    hresp_free(r);
}

/* ---- votes --------------------------------------------------------------------------------- */

static struct hresp *vote(struct chorusd *d, uint64_t id, bool key, const char *body)
{
    struct hreq q = {.method = "POST",
                     .path = review_path(id, "/votes"),
                     .key = key,
                     .ctype = "application/json",
                     .body = body,
                     .len = strlen(body)};

    return h_do(d, &q);
}

CHORUS_TEST_SETUP(votes, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t a = h_post_review(d, "{\"product_id\":\"v-1\",\"rating\":5}");
    uint64_t b = h_post_review(d, "{\"product_id\":\"v-1\",\"rating\":2}");
    struct hresp *r;

    r = vote(d, a, false, "{\"helpful\":true}");
    expect_status(r, 200);
    expect_jint(r->json, "id", (long long)a);
    expect_jint(r->json, "helpful", 1);
    expect_jint(r->json, "not_helpful", 0);
    hresp_free(r);

    r = vote(d, a, false, "{\"helpful\":false}");
    expect_problem(r, 429);
    assert_non_null(hresp_header(r, "Retry-After"));
    hresp_free(r);

    r = vote(d, b, false, "{\"helpful\":false}");
    expect_status(r, 200);
    expect_jint(r->json, "helpful", 0);
    expect_jint(r->json, "not_helpful", 1);
    hresp_free(r);

    /* Key holders (moderation tools, imports) are not limited. */
    r = vote(d, a, true, "{\"helpful\":true}");
    expect_status(r, 200);
    expect_jint(r->json, "helpful", 2);
    hresp_free(r);

    r = h_get(d, review_path(a, ""));
    expect_jint(r->json, "helpful", 2);
    expect_jint(r->json, "not_helpful", 0);
    hresp_free(r);
}

static int setup_two_votes(void **state)
{
    *state = chorusd_new("votes_per_hour = 2\n");
    return *state ? 0 : -1;
}

/* votes_per_hour bounds one address over all reviews. */
CHORUS_TEST_SETUP(votes_per_hour, setup_two_votes, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t ids[3];
    struct hresp *r;

    for (int i = 0; i < 3; i++)
        ids[i] = h_post_review(d, "{\"product_id\":\"vh-1\",\"rating\":4}");
    for (int i = 0; i < 2; i++) {
        r = vote(d, ids[i], false, "{\"helpful\":true}");
        expect_status(r, 200);
        hresp_free(r);
    }
    r = vote(d, ids[2], false, "{\"helpful\":true}");
    expect_problem(r, 429);
    expect_header(r, "Retry-After", "");
    hresp_free(r);
    r = h_get(d, review_path(ids[2], ""));
    expect_jint(r->json, "helpful", 0);
    hresp_free(r);
}

CHORUS_TEST_SETUP(vote_errors, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t id = h_post_review(d, "{\"product_id\":\"ve-1\",\"rating\":5}");
    char path[64];
    struct hreq text = {
        .method = "POST", .path = path, .ctype = "text/plain", .body = "x", .len = 1};
    struct hresp *r;

    snprintf(path, sizeof(path), "%s", review_path(id, "/votes"));
    r = vote(d, id, false, "{\"helpful\":\"yes\"}");
    expect_problem(r, 400);
    hresp_free(r);
    r = vote(d, id, false, "{}");
    expect_problem(r, 400);
    hresp_free(r);
    r = vote(d, id, false, "{\"helpful\":true,\"weight\":10}");
    expect_problem(r, 400);
    hresp_free(r);
    r = h_do(d, &text);
    expect_problem(r, 415);
    hresp_free(r);
    r = vote(d, 999999, true, "{\"helpful\":true}");
    expect_problem(r, 404);
    hresp_free(r);
    /* None of that counted. */
    r = h_get(d, review_path(id, ""));
    expect_jint(r->json, "helpful", 0);
    expect_jint(r->json, "not_helpful", 0);
    hresp_free(r);
}

CHORUS_TEST_MAIN()
