/* The review field rules through parse_reviews: ratings and scales,
 * mentions, caps, types, times, NUL and control characters, unknown fields,
 * the product object and responses. */
#include "testmain.h"

#include <math.h>
#include <stdlib.h>

#include "chorus/base.h"
#include "chorus/parse.h"
#include "collect.h"

CHORUS_TEST(mention)
{
    struct collect c = {0};
    const struct review *r;

    r = one_review(&c, PARSE_JSON, "{\"product_id\": \"a\", \"body\": \"I saw it.\"}");
    assert_int_equal(r->rating, 0);
    collect_free(&c);
    r = one_review(&c, PARSE_JSON, "{\"product_id\": \"a\", \"rating\": null}");
    assert_int_equal(r->rating, 0);
    assert_true(r->rating_original == 0 && r->rating_scale == 0);
    collect_free(&c);
    /* A scale without a rating is still a mention. */
    r = one_review(&c, PARSE_JSON, "{\"product_id\": \"a\", \"rating_scale\": 10}");
    assert_int_equal(r->rating, 0);
    assert_true(r->rating_scale == 0);
    collect_free(&c);
}

CHORUS_TEST(rating_native)
{
    struct collect c = {0};

    assert_int_equal(one_review(&c, PARSE_JSON, "{\"product_id\":\"a\",\"rating\":5.0}")->rating,
                     5);
    collect_free(&c);
    assert_int_equal(one_review(&c, PARSE_JSON, "{\"product_id\":\"a\",\"rating\":1}")->rating, 1);
    collect_free(&c);
    assert_string_equal(one_error(PARSE_JSON, "{\"product_id\":\"a\",\"rating\":4.5}"),
                        "rating must be a whole number of stars from 1 to 5 (got 4.5); for a "
                        "rating on another scale send rating_scale too.");
    assert_non_null(strstr(one_error(PARSE_JSON, "{\"product_id\":\"a\",\"rating\":0}"),
                           "from 1 to 5 (got 0)"));
    assert_non_null(strstr(one_error(PARSE_JSON, "{\"product_id\":\"a\",\"rating\":6}"),
                           "from 1 to 5 (got 6)"));
    assert_non_null(
        strstr(one_error(PARSE_JSON, "{\"product_id\":\"a\",\"rating\":-3}"), "(got -3)"));
    assert_string_equal(one_error(PARSE_JSON, "{\"product_id\":\"a\",\"rating\":\"5\"}"),
                        "rating must be a number or null (got a string).");
}

static int stars(const char *json)
{
    struct collect c = {0};
    int s = one_review(&c, PARSE_JSON, json)->rating;

    collect_free(&c);
    return s;
}

CHORUS_TEST(rating_scales)
{
    struct collect c = {0};
    const struct review *r;

    r = one_review(&c, PARSE_JSON, "{\"product_id\":\"a\",\"rating\":7,\"rating_scale\":10}");
    assert_int_equal(r->rating, 4); /* 3.5 rounds up */
    assert_true(r->rating_original == 7 && r->rating_scale == 10);
    collect_free(&c);
    assert_int_equal(stars("{\"product_id\":\"a\",\"rating\":0,\"rating_scale\":10}"), 1);
    assert_int_equal(stars("{\"product_id\":\"a\",\"rating\":10,\"rating_scale\":10}"), 5);
    assert_int_equal(stars("{\"product_id\":\"a\",\"rating\":6.9,\"rating_scale\":10}"), 3);
    assert_int_equal(stars("{\"product_id\":\"a\",\"rating\":87,\"rating_scale\":100}"), 4);
    assert_int_equal(stars("{\"product_id\":\"a\",\"rating\":90,\"rating_scale\":100}"), 5);
    assert_int_equal(stars("{\"product_id\":\"a\",\"rating\":4.5,\"rating_scale\":5}"), 5);
    assert_int_equal(stars("{\"product_id\":\"a\",\"rating\":2,\"rating_scale\":2.0}"), 5);
    assert_string_equal(
        one_error(PARSE_JSON, "{\"product_id\":\"a\",\"rating\":11,\"rating_scale\":10}"),
        "rating must be from 0 to 10 on rating_scale 10 (got 11).");
    assert_non_null(
        strstr(one_error(PARSE_JSON, "{\"product_id\":\"a\",\"rating\":-1,\"rating_scale\":10}"),
               "(got -1)"));
    assert_non_null(
        strstr(one_error(PARSE_JSON, "{\"product_id\":\"a\",\"rating\":1,\"rating_scale\":1}"),
               "rating_scale must be above 1 and at most 100"));
    assert_non_null(
        strstr(one_error(PARSE_JSON, "{\"product_id\":\"a\",\"rating\":1,\"rating_scale\":101}"),
               "(got 101)"));
    /* An export re-imported: rating_original is the value on the scale. */
    r = one_review(&c, PARSE_JSON,
                   "{\"product_id\":\"a\",\"rating\":4,\"rating_original\":7.5,"
                   "\"rating_scale\":10}");
    assert_int_equal(r->rating, 4);
    assert_true(r->rating_original == 7.5 && r->rating_scale == 10);
    collect_free(&c);
    assert_non_null(strstr(one_error(PARSE_JSON, "{\"product_id\":\"a\",\"rating\":2,"
                                                 "\"rating_original\":7.5,\"rating_scale\":10}"),
                           "rating 2 does not match rating_original 7.5, which makes 4 stars"));
    assert_int_equal(stars("{\"product_id\":\"a\",\"rating_original\":3}"), 3);
}

/* cap_error builds {"product_id":"p", <field>: <n copies of x>} and returns
 * the sentence. */
static const char *cap_error(const char *field, size_t n)
{
    char *v = repeat('x', n);
    size_t len = n + strlen(field) + 64;
    char *doc = malloc(len);
    const char *e;

    assert_non_null(doc);
    if (strcmp(field, "product_id") == 0)
        snprintf(doc, len, "{\"product_id\": \"%s\"}", v);
    else
        snprintf(doc, len, "{\"product_id\": \"p\", \"%s\": \"%s\"}", field, v);
    e = one_error(PARSE_JSON, doc);
    free(doc);
    free(v);
    return e;
}

static void cap_ok(const char *field, size_t n)
{
    char *v = repeat('x', n);
    size_t len = n + strlen(field) + 64;
    char *doc = malloc(len);
    struct collect c = {0};

    assert_non_null(doc);
    snprintf(doc, len, "{\"product_id\": \"p\", \"%s\": \"%s\"}", field, v);
    one_review(&c, PARSE_JSON, doc);
    collect_free(&c);
    free(doc);
    free(v);
}

CHORUS_TEST(caps)
{
    static const struct {
        const char *field;
        size_t cap;
    } caps[] = {
        {"title", CHORUS_MAX_TITLE},         {"body", CHORUS_MAX_BODY},
        {"author", CHORUS_MAX_AUTHOR},       {"author_location", CHORUS_MAX_LOCATION},
        {"language", CHORUS_MAX_LANGUAGE},   {"source", CHORUS_MAX_SOURCE},
        {"source_id", CHORUS_MAX_SOURCE_ID}, {"moderation_reason", CHORUS_MAX_REASON},
    };
    char want[128];

    for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
        cap_ok(caps[i].field, caps[i].cap);
        snprintf(want, sizeof(want), "%s is %zu bytes; the limit is %zu.", caps[i].field,
                 caps[i].cap + 1, caps[i].cap);
        assert_string_equal(cap_error(caps[i].field, caps[i].cap + 1), want);
    }
    assert_string_equal(cap_error("title", 612), "title is 612 bytes; the limit is 500.");
    assert_string_equal(cap_error("product_id", CHORUS_MAX_PRODUCT_ID + 1),
                        "product_id is 129 bytes; the limit is 128.");
    /* Bytes, not characters: 167 x "é" (2 bytes) is 334 bytes. */
    {
        struct buf b;

        buf_init(&b, 0);
        buf_puts(&b, "{\"product_id\":\"p\",\"author\":\"");
        for (int i = 0; i < 101; i++)
            buf_puts(&b, "\xC3\xA9");
        buf_puts(&b, "\"}");
        assert_string_equal(one_error(PARSE_JSON, b.data),
                            "author is 202 bytes; the limit is 200.");
        buf_cleanup(&b);
    }
}

CHORUS_TEST(caps_nested)
{
    char *v = repeat('y', CHORUS_MAX_RESPONSE + 1), *doc;
    size_t len = CHORUS_MAX_RESPONSE + 256;
    struct buf b;

    doc = malloc(len);
    assert_non_null(doc);
    snprintf(doc, len, "{\"product_id\":\"p\",\"responses\":[{\"body\":\"ok\"},{\"body\":\"%s\"}]}",
             v);
    assert_string_equal(one_error(PARSE_JSON, doc),
                        "responses[1].body is 5001 bytes; the limit is 5000.");
    v[CHORUS_MAX_AUTHOR + 1] = '\0';
    snprintf(doc, len, "{\"product_id\":\"p\",\"responses\":[{\"body\":\"ok\",\"author\":\"%s\"}]}",
             v);
    assert_string_equal(one_error(PARSE_JSON, doc),
                        "responses[0].author is 201 bytes; the limit is 200.");
    memset(v, 'y', CHORUS_MAX_NAME + 1);
    v[CHORUS_MAX_NAME + 1] = '\0';
    snprintf(doc, len, "{\"product_id\":\"p\",\"product\":{\"name\":\"%s\"}}", v);
    assert_string_equal(one_error(PARSE_JSON, doc), "product.name is 501 bytes; the limit is 500.");
    v[CHORUS_MAX_CODE + 1] = '\0';
    snprintf(doc, len, "{\"product_id\":\"p\",\"product\":{\"brand\":\"%s\"}}", v);
    assert_string_equal(one_error(PARSE_JSON, doc), "product.brand is 65 bytes; the limit is 64.");
    free(doc);
    free(v);

    buf_init(&b, 0);
    buf_puts(&b, "{\"product_id\":\"p\",\"responses\":[");
    for (int i = 0; i < CHORUS_MAX_RESPONSES + 1; i++)
        buf_printf(&b, "%s{\"body\":\"r%d\"}", i ? "," : "", i);
    buf_puts(&b, "]}");
    assert_string_equal(one_error(PARSE_JSON, b.data),
                        "responses has 21 entries; the limit is 20.");
    buf_cleanup(&b);
}

CHORUS_TEST(nul_in_string)
{
    assert_string_equal(one_error(PARSE_JSON, "{\"product_id\":\"p\",\"title\":\"a\\u0000b\"}"),
                        "title contains a NUL character (\\u0000); remove it.");
    assert_non_null(strstr(one_error(PARSE_NDJSON, "{\"product_id\":\"p\\u0000\"}"),
                           "product_id contains a NUL"));
    assert_non_null(strstr(one_error(PARSE_JSON, "{\"product_id\":\"p\",\"responses\":[{\"body\":"
                                                 "\"\\u0000\"}]}"),
                           "responses[0].body contains a NUL"));
    /* A NUL in a key cannot be represented: the document is refused. */
    {
        struct collect c = {0};
        struct parse_error e;

        assert_int_equal(parse_text(&c, PARSE_JSON, "{\"a\\u0000b\": 1}", NULL, &e), CHORUS_EPARSE);
        collect_free(&c);
    }
}

CHORUS_TEST(bad_times)
{
    struct collect c = {0};

    assert_string_equal(
        one_error(PARSE_JSON, "{\"product_id\":\"p\",\"created_at\":\"yesterday\"}"),
        "created_at must be an RFC 3339 date-time such as "
        "\"2017-01-13T10:00:00Z\" (got \"yesterday\").");
    assert_non_null(strstr(
        one_error(PARSE_JSON, "{\"product_id\":\"p\",\"created_at\":\"2017-13-01T00:00:00Z\"}"),
        "(got \"2017-13-01T00:00:00Z\")"));
    assert_non_null(strstr(
        one_error(PARSE_JSON, "{\"product_id\":\"p\",\"created_at\":\"2017-02-29T00:00:00Z\"}"),
        "created_at must be an RFC 3339"));
    assert_non_null(
        strstr(one_error(PARSE_JSON, "{\"product_id\":\"p\",\"ingested_at\":\"2017-01-01T00:00\"}"),
               "ingested_at must be an RFC 3339"));
    assert_string_equal(
        one_error(PARSE_JSON, "{\"product_id\":\"p\",\"created_at\":1484301600}"),
        "created_at must be an RFC 3339 date-time string such as \"2017-01-13T10:00:00Z\" (got a "
        "number).");
    assert_non_null(strstr(one_error(PARSE_JSON, "{\"product_id\":\"p\",\"responses\":[{\"body\":"
                                                 "\"x\",\"created_at\":\"soon\"}]}"),
                           "responses[0].created_at must be an RFC 3339"));
    assert_int_equal(
        one_review(&c, PARSE_JSON, "{\"product_id\":\"p\",\"created_at\":\"2017-01-13\"}")
            ->created_at,
        1484265600);
    collect_free(&c);
    assert_int_equal(
        one_review(&c, PARSE_JSON,
                   "{\"product_id\":\"p\",\"created_at\":\"2017-01-13T00:00:00.000Z\"}")
            ->created_at,
        1484265600);
    collect_free(&c);
}

CHORUS_TEST(unknown_fields)
{
    assert_string_equal(one_error(PARSE_JSON, "{\"product_id\":\"p\",\"rating\":5,\"stars\":5}"),
                        "The review has an unknown field \"stars\"; docs/reviews.md lists the "
                        "review fields.");
    assert_non_null(strstr(one_error(PARSE_JSON, "{\"product_id\":\"p\",\"product\":{\"colour\":"
                                                 "\"red\"}}"),
                           "product has an unknown field \"colour\""));
    assert_non_null(strstr(one_error(PARSE_JSON, "{\"product_id\":\"p\",\"responses\":[{\"body\":"
                                                 "\"x\",\"likes\":1}]}"),
                           "responses[0] has an unknown field \"likes\""));
    /* Long or odd keys are quoted back short and printable. */
    assert_non_null(strstr(one_error(PARSE_JSON, "{\"product_id\":\"p\",\"a\\nb\\u00e9"
                                                 "cccccccccccccccccccccccccccccccccccccccccccccccc"
                                                 "ccccc\":1}"),
                           "\"a?b\xC3\xA9"
                           "ccc"));
    /* Component tags are the server's: exported ones come back ignored. */
    {
        struct collect c = {0};
        const struct review *r = one_review(&c, PARSE_JSON,
                                            "{\"product_id\":\"p\",\"rating\":2,"
                                            "\"components\":[\"hinge\"]}");

        assert_non_null(r);
        assert_null(r->components);
        collect_free(&c);
    }
}

CHORUS_TEST(types)
{
    struct collect c = {0};

    assert_string_equal(one_error(PARSE_JSON, "{\"product_id\":\"p\",\"verified\":\"yes\"}"),
                        "verified must be true or false (got a string).");
    assert_string_equal(one_error(PARSE_JSON, "{\"product_id\":5}"),
                        "product_id must be a string or null (got a number).");
    assert_string_equal(one_error(PARSE_JSON, "{\"rating\":5}"),
                        "product_id is missing; every review needs the id (SKU) of its product.");
    assert_non_null(strstr(one_error(PARSE_JSON, "{\"product_id\":\"\"}"), "product_id is empty"));
    assert_string_equal(one_error(PARSE_JSON, "{\"product_id\":\"p\",\"helpful\":-1}"),
                        "helpful must be a whole number from 0 to 4294967295 (got -1).");
    assert_non_null(
        strstr(one_error(PARSE_JSON, "{\"product_id\":\"p\",\"not_helpful\":4294967296}"),
               "not_helpful must be a whole number"));
    assert_non_null(
        strstr(one_error(PARSE_JSON, "{\"product_id\":\"p\",\"helpful\":1.5}"), "(got 1.5)"));
    assert_int_equal(
        one_review(&c, PARSE_JSON, "{\"product_id\":\"p\",\"helpful\":4294967295}")->helpful,
        4294967295u);
    collect_free(&c);
    assert_string_equal(one_error(PARSE_JSON, "{\"product_id\":\"p\",\"sentiment\":1.5}"),
                        "sentiment must be from -1 to 1 (got 1.5).");
    assert_true(one_review(&c, PARSE_JSON, "{\"product_id\":\"p\",\"sentiment\":-1}")->sentiment ==
                -1);
    collect_free(&c);
    assert_string_equal(one_error(PARSE_JSON, "{\"product_id\":\"p\",\"status\":\"spam\"}"),
                        "status must be \"approved\", \"pending\" or \"rejected\" (got \"spam\").");
    assert_int_equal(
        one_review(&c, PARSE_JSON, "{\"product_id\":\"p\",\"status\":\"rejected\"}")->status,
        REVIEW_REJECTED);
    collect_free(&c);
    assert_string_equal(one_error(PARSE_JSON, "{\"product_id\":\"p\",\"responses\":{}}"),
                        "responses must be an array (got an object).");
    assert_string_equal(one_error(PARSE_JSON, "{\"product_id\":\"p\",\"product\":[]}"),
                        "product must be an object (got an array).");
    assert_string_equal(one_error(PARSE_JSON, "{\"product_id\":\"p\",\"title\":[\"a\"]}"),
                        "title must be a string or null (got an array).");
    assert_non_null(strstr(one_error(PARSE_JSON, "{\"product_id\":\"p\",\"language\":\"en US\"}"),
                           "language must be a language tag"));
    /* id is accepted whatever it holds and ignored. */
    assert_int_equal(one_review(&c, PARSE_JSON, "{\"product_id\":\"p\",\"id\":{\"x\":1}}")->id, 0);
    collect_free(&c);
}

CHORUS_TEST(control_chars)
{
    struct collect c = {0};

    assert_string_equal(one_error(PARSE_JSON, "{\"product_id\":\"a\\nb\"}"),
                        "product_id contains a control character (byte 2); it must be plain "
                        "text on one line.");
    assert_non_null(
        strstr(one_error(PARSE_JSON, "{\"product_id\":\"a\\u0085b\"}"), "control character"));
    assert_non_null(strstr(one_error(PARSE_JSON, "{\"product_id\":\"a\",\"source_id\":\"x\\ty\"}"),
                           "source_id contains a control character"));
    /* Text fields may have line breaks. */
    assert_string_equal(
        one_review(&c, PARSE_JSON, "{\"product_id\":\"a\",\"body\":\"one\\ntwo\"}")->body,
        "one\ntwo");
    collect_free(&c);
}

CHORUS_TEST(product_object)
{
    struct collect c = {0};

    one_review(&c, PARSE_JSON,
               "{\"product_id\":\"sku\",\"product\":{\"id\":\"sku\",\"gtin\":\"4006381333931\","
               "\"image_url\":\"HTTP://img.test/a.png\",\"mpn\":\"M-1\"}}");
    assert_string_equal(c.items[0].p->gtin, "4006381333931");
    assert_string_equal(c.items[0].p->mpn, "M-1");
    assert_null(c.items[0].p->category);
    collect_free(&c);
    one_review(&c, PARSE_JSON, "{\"product_id\":\"sku\",\"product\":{}}");
    assert_non_null(c.items[0].p);
    assert_string_equal(c.items[0].p->id, "sku");
    collect_free(&c);
    assert_string_equal(one_error(PARSE_JSON, "{\"product_id\":\"a\",\"product\":{\"id\":\"b\"}}"),
                        "product.id \"b\" differs from product_id \"a\"; leave product.id out or "
                        "make them equal.");
    assert_string_equal(
        one_error(PARSE_JSON, "{\"product_id\":\"a\",\"product\":{\"url\":\"ftp://x\"}}"),
        "product.url must be an http:// or https:// address (got \"ftp://x\").");
    assert_string_equal(
        one_error(PARSE_JSON, "{\"product_id\":\"a\",\"product\":{\"gtin\":\"4006381333932\"}}"),
        "product.gtin 4006381333932 has a wrong check digit; the last digit should be 1.");
    assert_non_null(
        strstr(one_error(PARSE_JSON, "{\"product_id\":\"a\",\"product\":{\"category\":\"a//b\"}}"),
               "has an empty segment"));
    assert_string_equal(one_error(PARSE_JSON, "{\"product_id\":\"a\",\"product\":{\"name\":5}}"),
                        "product.name must be a string (got a number).");
}

/* lax_urls (chorus import): a product url that is not http(s) does not
 * cost the item; it goes on to the store, whose merge drops and counts it
 * (store/product_put.c). Every other rule still holds. */
CHORUS_TEST(product_urls_lax_for_import)
{
    struct parse_options opt = {REVIEW_APPROVED, NULL, true};
    struct collect c = {0};

    assert_int_equal(parse_text(&c, PARSE_JSON,
                                "{\"product_id\":\"a\",\"product\":{\"url\":\"javascript:x\","
                                "\"image_url\":\"data:,x\",\"name\":\"N\"}}",
                                &opt, NULL),
                     0);
    assert_int_equal(c.n, 1);
    assert_null(c.items[0].error);
    assert_string_equal(c.items[0].p->url, "javascript:x");
    assert_string_equal(c.items[0].p->image_url, "data:,x");
    collect_free(&c);
    assert_int_equal(parse_text(&c, PARSE_JSON,
                                "{\"product_id\":\"a\",\"product\":{\"gtin\":\"4006381333932\"}}",
                                &opt, NULL),
                     0);
    assert_non_null(c.items[0].error);
    collect_free(&c);
}

CHORUS_TEST(responses)
{
    struct collect c = {0};
    const struct review *r;
    int64_t before = chorus_now();

    r = one_review(&c, PARSE_JSON,
                   "{\"product_id\":\"a\",\"responses\":[{\"body\":\"one\"},{\"body\":\"two\","
                   "\"author\":null}]}");
    assert_int_equal(r->n_responses, 2);
    assert_null(r->responses[0].author);
    assert_string_equal(r->responses[1].body, "two");
    assert_true(r->responses[0].created_at >= before);
    collect_free(&c);
    assert_int_equal(
        one_review(&c, PARSE_JSON, "{\"product_id\":\"a\",\"responses\":[]}")->n_responses, 0);
    collect_free(&c);
    assert_string_equal(
        one_error(PARSE_JSON, "{\"product_id\":\"a\",\"responses\":[{\"author\":\"x\"}]}"),
        "responses[0].body is missing; a response needs its text.");
    assert_string_equal(one_error(PARSE_JSON, "{\"product_id\":\"a\",\"responses\":[\"x\"]}"),
                        "responses[0] must be an object with author, body and created_at (got a "
                        "string).");
    assert_string_equal(
        one_error(PARSE_JSON, "{\"product_id\":\"a\",\"responses\":[{\"body\":1}]}"),
        "responses[0].body must be a string (got a number).");
}

CHORUS_TEST_MAIN()
