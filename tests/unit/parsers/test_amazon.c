/* PARSE_AMAZON: the public Amazon review dump fields (2014, 2018, 2023). */
#include "testmain.h"

#include "chorus/base.h"
#include "chorus/parse.h"
#include "collect.h"

CHORUS_TEST(amazon_2018)
{
    struct collect c = {0};
    const struct review *r;

    r = one_review(&c, PARSE_AMAZON,
                   "{\"overall\": 5.0, \"vote\": \"1,234\", \"verified\": true, \"reviewTime\": "
                   "\"01 13, 2017\", \"reviewerID\": \"A2SUAM1J3GNN3B\", \"asin\": \"0000013714\", "
                   "\"style\": {\"Format:\": \" Hardcover\"}, \"reviewerName\": \"J. McDonald\", "
                   "\"reviewText\": \"I bought this for my husband.\", \"summary\": \"Heavenly "
                   "Highway Hymns\", \"unixReviewTime\": 1252800000, \"image\": [\"https://x\"]}");
    assert_string_equal(r->product_id, "0000013714");
    assert_int_equal(r->rating, 5);
    assert_true(r->rating_original == 5 && r->rating_scale == 0);
    assert_int_equal(r->helpful, 1234);
    assert_true(r->verified);
    assert_string_equal(r->author, "J. McDonald");
    assert_string_equal(r->body, "I bought this for my husband.");
    assert_string_equal(r->title, "Heavenly Highway Hymns");
    assert_int_equal(r->created_at, 1252800000); /* unixReviewTime wins over reviewTime */
    assert_string_equal(r->source, "amazon");
    assert_string_equal(r->source_id, "A2SUAM1J3GNN3B:0000013714");
    assert_null(c.items[0].p);
    collect_free(&c);
}

CHORUS_TEST(amazon_2014)
{
    struct collect c = {0};
    const struct review *r;

    r = one_review(&c, PARSE_AMAZON,
                   "{\"reviewerID\": \"A1\", \"asin\": \"B2\", \"helpful\": [2, 3], \"overall\": "
                   "4.0, \"reviewTime\": \"1 5, 2014\", \"vote\": null}");
    assert_int_equal(r->helpful, 2);
    assert_int_equal(r->not_helpful, 1);
    assert_int_equal(r->rating, 4);
    assert_int_equal(r->created_at, 1388880000); /* 2014-01-05 */
    collect_free(&c);
}

CHORUS_TEST(amazon_2023)
{
    struct collect c = {0};
    const struct review *r;
    struct parse_options opt = {REVIEW_PENDING, "amazon-2023", false};

    assert_int_equal(
        parse_text(&c, PARSE_AMAZON,
                   "{\"rating\": 3.0, \"title\": \"OK\", \"text\": \"Fine.\", \"images\": [], "
                   "\"asin\": \"B01\", \"parent_asin\": \"B00\", \"user_id\": \"AGKH\", "
                   "\"timestamp\": 1588687728923, \"helpful_vote\": 2, \"verified_purchase\": "
                   "false}\n",
                   &opt, NULL),
        0);
    assert_int_equal(c.n, 1);
    r = c.items[0].r;
    assert_non_null(r);
    assert_int_equal(r->rating, 3);
    assert_string_equal(r->title, "OK");
    assert_string_equal(r->body, "Fine.");
    assert_int_equal(r->created_at, 1588687728);
    assert_int_equal(r->helpful, 2);
    assert_false(r->verified);
    assert_string_equal(r->source, "amazon-2023"); /* options win */
    assert_string_equal(r->source_id, "AGKH:B01");
    assert_int_equal(r->status, REVIEW_PENDING);
    collect_free(&c);
}

CHORUS_TEST(amazon_array_and_lines)
{
    struct collect c = {0};

    assert_int_equal(parse_text(&c, PARSE_AMAZON,
                                " [{\"asin\":\"a\",\"overall\":1}, {\"asin\":\"b\",\"overall\":7}]",
                                NULL, NULL),
                     0);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.items[0].r->rating, 1);
    assert_null(c.items[0].r->source_id); /* no reviewerID: nothing to dedupe on */
    assert_non_null(
        strstr(c.items[1].error, "overall must be a whole number of stars from 1 to 5"));
    collect_free(&c);
    assert_int_equal(
        parse_text(&c, PARSE_AMAZON,
                   "{\"asin\":\"a\"}\r\n\r\n{\"asin\":\"b\",\"bogus\":1}\n{\"asin\":", NULL, NULL),
        0);
    assert_int_equal(c.n, 3);
    assert_int_equal(c.items[0].r->rating, 0);
    assert_string_equal(c.items[1].error, "The review has an unknown field \"bogus\"; "
                                          "docs/reviews.md lists the Amazon dump fields.");
    assert_non_null(strstr(c.items[2].error, "Line 4 is not valid JSON"));
    collect_free(&c);
}

CHORUS_TEST(amazon_errors)
{
    char doc[1024];

    assert_string_equal(one_error(PARSE_AMAZON, "{\"overall\":5}"),
                        "asin is missing; every review needs the id (SKU) of its product.");
    assert_string_equal(one_error(PARSE_AMAZON, "{\"asin\":\"a\",\"overall\":\"5\"}"),
                        "overall must be a number of stars from 1 to 5 (got a string).");
    assert_string_equal(one_error(PARSE_AMAZON, "{\"asin\":\"a\",\"vote\":\"lots\"}"),
                        "vote must be a count of votes such as 12 or \"1,234\" (got \"lots\").");
    assert_non_null(strstr(one_error(PARSE_AMAZON, "{\"asin\":\"a\",\"vote\":\"99999999999\"}"),
                           "vote must be a whole number from 0 to 4294967295"));
    assert_non_null(strstr(one_error(PARSE_AMAZON, "{\"asin\":\"a\",\"helpful\":[3,2]}"),
                           "helpful must be [helpful votes, total votes]"));
    assert_non_null(strstr(one_error(PARSE_AMAZON, "{\"asin\":\"a\",\"helpful\":\"2 of 3\"}"),
                           "helpful must be [helpful votes, total votes], such as [2, 3]"));
    assert_string_equal(one_error(PARSE_AMAZON, "{\"asin\":\"a\",\"reviewTime\":\"13/01/2017\"}"),
                        "reviewTime must look like \"01 13, 2017\" (got \"13/01/2017\").");
    assert_non_null(
        strstr(one_error(PARSE_AMAZON, "{\"asin\":\"a\",\"reviewTime\":\"02 30, 2017\"}"),
               "reviewTime must look like"));
    assert_string_equal(one_error(PARSE_AMAZON, "{\"asin\":\"a\",\"unixReviewTime\":-5}"),
                        "unixReviewTime must be a whole number of seconds since 1970 (got a "
                        "number).");
    assert_non_null(strstr(one_error(PARSE_AMAZON, "{\"asin\":\"a\",\"timestamp\":\"now\"}"),
                           "timestamp must be a whole number of milliseconds"));
    assert_string_equal(one_error(PARSE_AMAZON, "{\"asin\":\"a\",\"overall\":5,\"rating\":4}"),
                        "overall and rating both give the same field; send only one.");
    assert_string_equal(one_error(PARSE_AMAZON, "{\"asin\":\"a\",\"verified\":\"Y\"}"),
                        "verified must be true or false (got a string).");
    assert_string_equal(one_error(PARSE_AMAZON, "{\"asin\":\"a\",\"reviewerID\":\"x\\ny\"}"),
                        "reviewerID contains a control character (byte 2); it must be plain "
                        "text on one line.");
    assert_string_equal(one_error(PARSE_AMAZON, "{\"asin\":7}"),
                        "asin must be a string (got a number).");
    assert_string_equal(one_error(PARSE_AMAZON, "[7]"),
                        "The item is a number, not a review object.");
    /* Caps apply, under the dump's names. */
    snprintf(doc, sizeof(doc), "{\"asin\":\"a\",\"summary\":\"%0501d\"}", 0);
    assert_string_equal(one_error(PARSE_AMAZON, doc), "summary is 501 bytes; the limit is 500.");
    snprintf(doc, sizeof(doc), "{\"asin\":\"%0128d\",\"reviewerID\":\"%0128d\"}", 0, 0);
    assert_string_equal(one_error(PARSE_AMAZON, doc),
                        "reviewerID and asin make a source_id of 257 bytes; the limit is 256.");
}

CHORUS_TEST_MAIN()
