/* parse_reviews and parse_review_line: batches (object, array, NDJSON),
 * document errors and item indexes. Field rules are in test_fields.c. */
#include "testmain.h"

#include <math.h>
#include <stdlib.h>

#include "chorus/base.h"
#include "chorus/parse.h"
#include "collect.h"

#define FULL                                                                                       \
    "{\"id\": 99, \"product_id\": \"sku-1\", \"rating\": 4, \"title\": \"Good\", \"body\": "       \
    "\"Works well.\", \"author\": \"Ann\", \"author_location\": \"Oslo\", \"verified\": true, "    \
    "\"language\": \"en-GB\", \"created_at\": \"2017-01-13T10:00:00Z\", \"ingested_at\": "         \
    "\"2017-01-14T00:00:00+01:00\", \"source\": \"shop\", \"source_id\": \"r-1\", \"status\": "    \
    "\"pending\", \"moderation_reason\": \"new\", \"helpful\": 3, \"not_helpful\": 1, "            \
    "\"sentiment\": 0.5, \"responses\": [{\"author\": \"Brand\", \"body\": \"Thanks\", "           \
    "\"created_at\": \"2017-01-15T00:00:00Z\"}], \"product\": {\"name\": \"Widget\", "             \
    "\"brand\": \"Acme\", \"category\": \"/tools/ widgets /\", \"url\": \"https://x.test/w\"}}"

CHORUS_TEST(json_object_valid)
{
    struct collect c = {0};
    const struct review *r;
    const struct product *p;

    r = one_review(&c, PARSE_JSON, FULL);
    assert_int_equal(r->id, 0);
    assert_string_equal(r->product_id, "sku-1");
    assert_int_equal(r->rating, 4);
    assert_true(r->rating_original == 4 && r->rating_scale == 0);
    assert_string_equal(r->title, "Good");
    assert_string_equal(r->body, "Works well.");
    assert_string_equal(r->author, "Ann");
    assert_string_equal(r->author_location, "Oslo");
    assert_true(r->verified);
    assert_string_equal(r->language, "en-GB");
    assert_int_equal(r->created_at, 1484301600);
    assert_int_equal(r->ingested_at, 1484348400);
    assert_string_equal(r->source, "shop");
    assert_string_equal(r->source_id, "r-1");
    assert_int_equal(r->status, REVIEW_PENDING);
    assert_string_equal(r->moderation_reason, "new");
    assert_int_equal(r->helpful, 3);
    assert_int_equal(r->not_helpful, 1);
    assert_true(r->sentiment == 0.5);
    assert_int_equal(r->n_responses, 1);
    assert_string_equal(r->responses[0].author, "Brand");
    assert_string_equal(r->responses[0].body, "Thanks");
    assert_int_equal(r->responses[0].created_at, 1484438400);
    p = c.items[0].p;
    assert_non_null(p);
    assert_string_equal(p->id, "sku-1");
    assert_string_equal(p->name, "Widget");
    assert_string_equal(p->brand, "Acme");
    assert_string_equal(p->category, "tools/widgets");
    assert_string_equal(p->url, "https://x.test/w");
    assert_null(p->gtin);
    collect_free(&c);
}

CHORUS_TEST(json_defaults)
{
    struct collect c = {0};
    struct parse_options opt = {REVIEW_PENDING, "feed-7", false};
    const struct review *r;
    int64_t before = chorus_now();

    r = one_review(&c, PARSE_JSON, "{\"product_id\": \"a\", \"rating\": 5}");
    assert_int_equal(r->status, REVIEW_APPROVED); /* NULL options */
    assert_null(r->source);
    assert_null(r->source_id);
    assert_null(r->title);
    assert_true(isnan(r->sentiment));
    assert_true(r->created_at >= before && r->created_at <= chorus_now());
    assert_int_equal(r->ingested_at, 0);
    assert_false(r->verified);
    assert_int_equal(r->n_responses, 0);
    assert_null(c.items[0].p);
    collect_free(&c);

    assert_int_equal(parse_text(&c, PARSE_JSON, "{\"product_id\": \"a\"}", &opt, NULL), 0);
    assert_int_equal(c.items[0].r->status, REVIEW_PENDING);
    assert_string_equal(c.items[0].r->source, "feed-7");
    collect_free(&c);

    /* null and "" are the same as absent. */
    r = one_review(&c, PARSE_JSON,
                   "{\"product_id\": \"a\", \"title\": null, \"body\": \"\", \"sentiment\": null, "
                   "\"verified\": null, \"status\": null, \"responses\": null, \"product\": null, "
                   "\"source_id\": \"\"}");
    assert_null(r->title);
    assert_null(r->body);
    assert_null(r->source_id);
    assert_true(isnan(r->sentiment));
    assert_null(c.items[0].p);
    collect_free(&c);
}

CHORUS_TEST(json_array_valid)
{
    struct collect c = {0};

    assert_int_equal(parse_text(&c, PARSE_JSON,
                                " [ {\"product_id\": \"a\", \"rating\": 1},\n"
                                "   {\"product_id\": \"b\", \"rating\": 2},\n"
                                "   {\"product_id\": \"c\"} ] ",
                                NULL, NULL),
                     0);
    assert_int_equal(c.n, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(c.items[i].index, i);
        assert_non_null(c.items[i].r);
    }
    assert_string_equal(c.items[2].r->product_id, "c");
    assert_int_equal(c.items[1].r->rating, 2);
    collect_free(&c);
}

CHORUS_TEST(ndjson_valid)
{
    struct collect c = {0};

    assert_int_equal(parse_text(&c, PARSE_NDJSON,
                                "\n{\"product_id\": \"a\", \"rating\": 5}\r\n"
                                "   \n"
                                "{\"product_id\": \"b\"}\n"
                                "{\"product_id\": \"c\", \"rating\": 3}",
                                NULL, NULL),
                     0);
    assert_int_equal(c.n, 3);
    assert_int_equal(c.items[0].index, 0);
    assert_int_equal(c.items[1].index, 1);
    assert_int_equal(c.items[2].index, 2);
    assert_string_equal(c.items[1].r->product_id, "b");
    assert_int_equal(c.items[1].r->rating, 0);
    assert_int_equal(c.items[2].r->rating, 3);
    collect_free(&c);
    /* A byte order mark before the first line is dropped. */
    assert_int_equal(
        parse_text(&c, PARSE_NDJSON, "\xEF\xBB\xBF{\"product_id\": \"a\"}\n", NULL, NULL), 0);
    assert_non_null(c.items[0].r);
    collect_free(&c);
    assert_int_equal(
        parse_text(&c, PARSE_JSON, "\xEF\xBB\xBF[{\"product_id\": \"a\"}]", NULL, NULL), 0);
    assert_non_null(c.items[0].r);
    collect_free(&c);
}

CHORUS_TEST(bad_utf8_ndjson)
{
    struct collect c = {0};
    static const char text[] = "{\"product_id\":\"a\"}\n"
                               "{\"product_id\":\"b\",\"title\":\"bad \xFF\xFE byte\"}\n"
                               "{\"product_id\":\"c\",\"title\":\"\xED\xA0\x80\"}\n"
                               "{\"product_id\":\"d\"}\n";

    assert_int_equal(parse_text(&c, PARSE_NDJSON, text, NULL, NULL), 0);
    assert_int_equal(c.n, 4);
    assert_non_null(c.items[0].r);
    assert_non_null(c.items[1].error);
    assert_non_null(strstr(c.items[1].error, "Line 2 is not valid JSON"));
    assert_non_null(c.items[2].error); /* a UTF-8 encoded surrogate */
    assert_non_null(strstr(c.items[2].error, "Line 3 is not valid JSON"));
    assert_non_null(c.items[3].r);
    assert_int_equal(c.items[3].index, 3);
    collect_free(&c);
}

CHORUS_TEST(duplicate_keys)
{
    struct collect c = {0};
    struct parse_error e;

    memset(&e, 0, sizeof(e));
    assert_int_equal(
        parse_text(&c, PARSE_JSON, "[{\"product_id\":\"a\",\"product_id\":\"b\"}]", NULL, &e),
        CHORUS_EPARSE);
    assert_int_equal(c.n, 0);
    assert_non_null(strstr(e.message, "duplicate object key"));
    assert_int_equal(e.line, 1);
    assert_true(e.column > 0);
    collect_free(&c);

    assert_int_equal(parse_text(&c, PARSE_NDJSON,
                                "{\"product_id\":\"a\"}\n{\"product_id\":\"a\",\"rating\":1,"
                                "\"rating\":2}\n",
                                NULL, NULL),
                     0);
    assert_int_equal(c.n, 2);
    assert_non_null(strstr(c.items[1].error, "Line 2 is not valid JSON: duplicate object key"));
    collect_free(&c);
}

static void doc_error(enum parse_format fmt, const char *text, const char *want)
{
    struct collect c = {0};
    struct parse_error e;

    memset(&e, 0x55, sizeof(e));
    assert_int_equal(parse_text(&c, fmt, text, NULL, &e), CHORUS_EPARSE);
    assert_int_equal(c.n, 0);
    if (!strstr(e.message, want))
        fail_msg("\"%s\" lacks \"%s\"", e.message, want);
    assert_true(chorus_utf8_valid(e.message, strlen(e.message)));
    collect_free(&c);
    /* NULL err is allowed. */
    assert_int_equal(parse_text(&c, fmt, text, NULL, NULL), CHORUS_EPARSE);
    collect_free(&c);
}

CHORUS_TEST(document_errors)
{
    struct collect c = {0};
    struct parse_error e;

    doc_error(PARSE_JSON, "", "The body is empty");
    doc_error(PARSE_JSON, " \r\n\t", "The body is empty");
    doc_error(PARSE_NDJSON, "", "The body is empty");
    doc_error(PARSE_NDJSON, "\n \n\r\n", "The body is empty");
    doc_error(PARSE_JSON, "[]", "The array is empty; send at least one review.");
    doc_error(PARSE_JSON, " [ ] ", "The array is empty");
    doc_error(PARSE_JSON, "5",
              "The body must be a review object or an array of them (got a number).");
    doc_error(PARSE_JSON, "\"x\"", "(got a string)");
    doc_error(PARSE_JSON, "{\"product_id\":\"a\"}\n{\"product_id\":\"b\"}",
              "for one review per line send NDJSON");
    doc_error(PARSE_JSON, "[{\"product_id\": \"\xFF\"}]", "The body is not valid JSON");
    doc_error(PARSE_AMAZON, "[]", "The array is empty");

    memset(&e, 0, sizeof(e));
    assert_int_equal(parse_text(&c, PARSE_JSON, "[\n {\"product_id\": tru}\n]", NULL, &e),
                     CHORUS_EPARSE);
    assert_int_equal(e.line, 2);
    assert_true(e.column >= 16);
    assert_non_null(strstr(e.message, "The body is not valid JSON: invalid token"));
    assert_string_equal(e.field, "");
    collect_free(&c);
}

CHORUS_TEST(mixed_batch_indexes)
{
    struct collect c = {0};

    assert_int_equal(parse_text(&c, PARSE_JSON,
                                "[{\"product_id\":\"a\"}, 5, {\"product_id\":\"b\",\"rating\":9},"
                                " {\"product_id\":\"c\"}, []]",
                                NULL, NULL),
                     0);
    assert_int_equal(c.n, 5);
    assert_non_null(c.items[0].r);
    assert_string_equal(c.items[1].error, "The item is a number, not a review object.");
    assert_int_equal(c.items[1].index, 1);
    assert_non_null(c.items[2].error);
    assert_int_equal(c.items[2].index, 2);
    assert_string_equal(c.items[3].r->product_id, "c");
    assert_int_equal(c.items[3].index, 3);
    assert_string_equal(c.items[4].error, "The item is an array, not a review object.");
    collect_free(&c);

    assert_int_equal(parse_text(&c, PARSE_NDJSON,
                                "{\"product_id\":\"a\"}\n\n{oops\n[1]\n{\"product_id\":\"b\"}\n",
                                NULL, NULL),
                     0);
    assert_int_equal(c.n, 4);
    assert_non_null(strstr(c.items[1].error, "Line 3 is not valid JSON"));
    assert_int_equal(c.items[1].index, 1);
    assert_string_equal(c.items[2].error, "The item is an array, not a review object.");
    assert_string_equal(c.items[3].r->product_id, "b");
    assert_int_equal(c.items[3].index, 3);
    collect_free(&c);

    /* All items rejected is still a delivered batch. */
    assert_int_equal(parse_text(&c, PARSE_NDJSON, "1\n2\n", NULL, NULL), 0);
    assert_int_equal(c.n, 2);
    collect_free(&c);
}

CHORUS_TEST(callback_stop)
{
    struct collect c = {0};
    size_t n = 0;
    static const char text[] =
        "{\"product_id\":\"a\"}\n{\"product_id\":\"b\"}\n{\"product_id\":\"c\"}";

    c.stop_after = 2;
    assert_int_equal(
        parse_reviews(text, strlen(text), PARSE_NDJSON, NULL, collect_cb, &c, &n, NULL), 7);
    assert_int_equal(n, 2);
    collect_free(&c);
    c.stop_after = 1;
    assert_int_equal(
        parse_text(&c, PARSE_JSON, "[{\"product_id\":\"a\"},{\"product_id\":\"b\"}]", NULL, NULL),
        7);
    assert_int_equal(c.n, 1);
    collect_free(&c);
}

CHORUS_TEST(review_line)
{
    struct collect c = {0};
    static const char ok[] = "{\"product_id\":\"a\",\"rating\":2}";
    static const char bad[] = "{\"product_id\":";
    static const char amz[] = "{\"asin\":\"B1\",\"overall\":3.0}";

    assert_int_equal(parse_review_line(ok, strlen(ok), PARSE_NDJSON, NULL, 41, collect_cb, &c), 0);
    assert_int_equal(parse_review_line(bad, strlen(bad), PARSE_NDJSON, NULL, 42, collect_cb, &c),
                     0);
    assert_int_equal(parse_review_line("  ", 2, PARSE_NDJSON, NULL, 43, collect_cb, &c), 0);
    assert_int_equal(parse_review_line(amz, strlen(amz), PARSE_AMAZON, NULL, 44, collect_cb, &c),
                     0);
    assert_int_equal(c.n, 4);
    assert_int_equal(c.items[0].index, 41);
    assert_int_equal(c.items[0].r->rating, 2);
    assert_int_equal(c.items[1].index, 42);
    assert_non_null(strstr(c.items[1].error, "The line is not valid JSON"));
    assert_string_equal(c.items[2].error, "The line is blank; it holds no review.");
    assert_string_equal(c.items[3].r->product_id, "B1");
    assert_int_equal(c.items[3].r->rating, 3);
    collect_free(&c);
    c.stop_after = 1;
    assert_int_equal(parse_review_line(ok, strlen(ok), PARSE_NDJSON, NULL, 0, collect_cb, &c), 7);
    collect_free(&c);
}

CHORUS_TEST_MAIN()
