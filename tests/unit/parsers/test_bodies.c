/* parse_product, parse_moderation, parse_response, parse_vote. */
#include "testmain.h"

#include <stdlib.h>

#include "chorus/base.h"
#include "chorus/parse.h"
#include "collect.h"

static int product(const char *json, const char *path_id, struct product **out,
                   struct parse_error *e)
{
    memset(e, 0, sizeof(*e));
    return parse_product(json, strlen(json), path_id, out, e);
}

static void product_error(const char *json, const char *path_id, const char *field,
                          const char *want)
{
    struct product *p = (struct product *)&p;
    struct parse_error e;
    int rc = product(json, path_id, &p, &e);

    assert_true(rc == CHORUS_EINVAL || rc == CHORUS_EPARSE);
    assert_null(p);
    if (!strstr(e.message, want))
        fail_msg("\"%s\" lacks \"%s\"", e.message, want);
    assert_string_equal(e.field, field);
    assert_true(chorus_utf8_valid(e.message, strlen(e.message)));
    /* NULL err is allowed. */
    assert_int_equal(parse_product(json, strlen(json), path_id, &p, NULL), rc);
}

CHORUS_TEST(product_valid)
{
    struct product *p = NULL;
    struct parse_error e;

    assert_int_equal(product("{\"id\": \"inspiron-15\", \"name\": \"Inspiron 15\", \"brand\": "
                             "\"Dell\", \"category\": \"/Laptops//\", \"url\": "
                             "\"https://dell.test/i15\", \"image_url\": null, \"gtin\": "
                             "\"012345678905\", \"mpn\": \"I15-3000\"}",
                             NULL, &p, &e),
                     0);
    assert_string_equal(p->id, "inspiron-15");
    assert_string_equal(p->name, "Inspiron 15");
    assert_string_equal(p->brand, "Dell");
    assert_string_equal(p->category, "Laptops");
    assert_string_equal(p->url, "https://dell.test/i15");
    assert_null(p->image_url);
    assert_string_equal(p->gtin, "012345678905");
    assert_string_equal(p->mpn, "I15-3000");
    free(p);

    assert_int_equal(product("{\"name\": \"X\", \"category\": \" laptops / Inspiron \", \"gtin\": "
                             "\"96385074\", \"brand\": \"\"}",
                             "sku-9", &p, &e),
                     0);
    assert_string_equal(p->id, "sku-9");
    assert_string_equal(p->category, "laptops/Inspiron");
    assert_null(p->brand); /* "" is absent */
    free(p);
    assert_int_equal(product("{\"id\": \"sku-9\"}", "sku-9", &p, &e), 0);
    free(p);
    assert_int_equal(product("{\"id\": \"a\", \"category\": \"/\"}", NULL, &p, &e), 0);
    assert_null(p->category);
    free(p);
}

CHORUS_TEST(product_errors)
{
    char doc[4200];

    product_error("{\"name\": \"X\"}", NULL, "id", "id is missing");
    product_error("{\"id\": \"b\"}", "a", "id",
                  "The body's id \"b\" differs from the id in the URL \"a\"");
    product_error("{}", "a\nb", "id", "The product id in the URL contains a control character");
    product_error("{\"id\": \"a\", \"colour\": \"red\"}", NULL, "colour",
                  "Unknown field \"colour\"; the body may have id, name, brand");
    product_error("{\"id\": \"a\", \"url\": \"javascript:alert(1)\"}", NULL, "url",
                  "url must be an http:// or https:// address (got \"javascript:alert(1)\").");
    product_error("{\"id\": \"a\", \"url\": \"https://\"}", NULL, "url",
                  "url must be an http:// or https:// address");
    product_error("{\"id\": \"a\", \"image_url\": \"http://x.test/a b.png\"}", NULL, "image_url",
                  "image_url contains a space; percent-encode it as %20.");
    product_error("{\"id\": \"a\", \"gtin\": \"12345\"}", NULL, "gtin",
                  "gtin must be 8, 12, 13 or 14 digits (got \"12345\").");
    product_error("{\"id\": \"a\", \"gtin\": \"01234567890x\"}", NULL, "gtin", "digits");
    product_error("{\"id\": \"a\", \"gtin\": \"012345678906\"}", NULL, "gtin",
                  "gtin 012345678906 has a wrong check digit; the last digit should be 5.");
    product_error("{\"id\": \"a\", \"category\": \"a/ /b\"}", NULL, "category",
                  "category \"a/ /b\" has an empty segment between slashes");
    product_error("{\"id\": \"a\", \"category\": \"a\\tb\"}", NULL, "category",
                  "category contains a control character");
    product_error("{\"id\": \"a\", \"name\": \"x\\u0000\"}", NULL, "name",
                  "name contains a NUL character");
    product_error("{\"id\": \"a\", \"name\": 5}", NULL, "name",
                  "name must be a string (got a number).");
    product_error("{\"id\": \"\"}", NULL, "id", "id is empty");
    product_error("[]", NULL, "", "The body must be a JSON object with the product fields");
    product_error("", NULL, "", "The body is empty; send a JSON object with the product fields");
    product_error("{\"id\": ", NULL, "", "The body is not valid JSON");
    product_error("{\"id\": \"a\", \"id\": \"b\"}", NULL, "", "duplicate object key");
    snprintf(doc, sizeof(doc), "{\"id\": \"a\", \"brand\": \"%065d\"}", 0);
    product_error(doc, NULL, "brand", "brand is 65 bytes; the limit is 64.");
    snprintf(doc, sizeof(doc), "{\"id\": \"a\", \"mpn\": \"%065d\"}", 0);
    product_error(doc, NULL, "mpn", "mpn is 65 bytes; the limit is 64.");
    snprintf(doc, sizeof(doc), "{\"id\": \"a\", \"name\": \"%0501d\"}", 0);
    product_error(doc, NULL, "name", "name is 501 bytes; the limit is 500.");
    snprintf(doc, sizeof(doc), "{\"id\": \"a\", \"category\": \"%0301d\"}", 0);
    product_error(doc, NULL, "category", "category is 301 bytes; the limit is 300.");
    snprintf(doc, sizeof(doc), "{\"id\": \"a\", \"url\": \"https://x.test/%01986d\"}", 0);
    product_error(doc, NULL, "url", "url is 2001 bytes; the limit is 2000.");
    snprintf(doc, sizeof(doc), "{\"id\": \"%0129d\"}", 0);
    product_error(doc, NULL, "id", "id is 129 bytes; the limit is 128.");
}

static int moderation(const char *json, enum review_status *st, char *reason, size_t cap,
                      struct parse_error *e)
{
    memset(e, 0, sizeof(*e));
    return parse_moderation(json, strlen(json), st, reason, cap, e);
}

CHORUS_TEST(moderation_bodies)
{
    enum review_status st = REVIEW_PENDING;
    char reason[CHORUS_MAX_REASON + 1], small[8], doc[1200];
    struct parse_error e;

    assert_int_equal(moderation("{\"status\": \"rejected\", \"reason\": \"spam\"}", &st, reason,
                                sizeof(reason), &e),
                     0);
    assert_int_equal(st, REVIEW_REJECTED);
    assert_string_equal(reason, "spam");
    assert_int_equal(moderation("{\"status\": \"approved\"}", &st, reason, sizeof(reason), &e), 0);
    assert_int_equal(st, REVIEW_APPROVED);
    assert_string_equal(reason, "");
    assert_int_equal(
        moderation("{\"status\": \"pending\", \"reason\": null}", &st, reason, sizeof(reason), &e),
        0);
    assert_int_equal(st, REVIEW_PENDING);

    assert_int_equal(moderation("{\"reason\": \"x\"}", &st, reason, sizeof(reason), &e),
                     CHORUS_EINVAL);
    assert_string_equal(e.field, "status");
    assert_non_null(strstr(e.message, "status is missing"));
    assert_int_equal(moderation("{\"status\": \"deleted\"}", &st, reason, sizeof(reason), &e),
                     CHORUS_EINVAL);
    assert_string_equal(e.message, "status must be \"approved\", \"pending\" or \"rejected\" (got "
                                   "\"deleted\").");
    assert_int_equal(moderation("{\"status\": true}", &st, reason, sizeof(reason), &e),
                     CHORUS_EINVAL);
    assert_string_equal(e.message, "status must be a string (got a boolean).");
    assert_int_equal(
        moderation("{\"status\": \"approved\", \"note\": 1}", &st, reason, sizeof(reason), &e),
        CHORUS_EINVAL);
    assert_string_equal(e.field, "note");
    snprintf(doc, sizeof(doc), "{\"status\": \"rejected\", \"reason\": \"%01001d\"}", 0);
    assert_int_equal(moderation(doc, &st, reason, sizeof(reason), &e), CHORUS_EINVAL);
    assert_string_equal(e.message, "reason is 1001 bytes; the limit is 1000.");
    /* A small caller buffer is never overrun. */
    assert_int_equal(moderation("{\"status\": \"rejected\", \"reason\": \"12345678\"}", &st, small,
                                sizeof(small), &e),
                     CHORUS_EINVAL);
    assert_string_equal(e.message, "reason is 8 bytes; the limit is 7.");
    assert_int_equal(moderation("{\"status\": \"rejected\", \"reason\": \"1234567\"}", &st, small,
                                sizeof(small), &e),
                     0);
    assert_string_equal(small, "1234567");
    assert_int_equal(moderation("nope", &st, reason, sizeof(reason), &e), CHORUS_EPARSE);
}

CHORUS_TEST(response_bodies)
{
    char *author = NULL, *body = NULL, doc[5200];
    struct parse_error e;
    static const char ok[] = "{\"author\": \"Dell Support\", \"body\": \"Sorry to hear that.\"}";
    static const char anon[] = "{\"body\": \"Thanks!\", \"author\": null}";

    assert_int_equal(parse_response(ok, strlen(ok), &author, &body, &e), 0);
    assert_string_equal(author, "Dell Support");
    assert_string_equal(body, "Sorry to hear that.");
    free(author);
    free(body);
    assert_int_equal(parse_response(anon, strlen(anon), &author, &body, &e), 0);
    assert_string_equal(author, "");
    assert_string_equal(body, "Thanks!");
    free(author);
    free(body);

    memset(&e, 0, sizeof(e));
    assert_int_equal(parse_response("{\"author\": \"x\"}", 15, &author, &body, &e), CHORUS_EINVAL);
    assert_null(author);
    assert_null(body);
    assert_string_equal(e.message, "body is missing; a response needs its text.");
    assert_int_equal(parse_response("{\"body\": \"\"}", 12, &author, &body, &e), CHORUS_EINVAL);
    assert_int_equal(parse_response("{\"body\": \"x\", \"at\": 1}", 22, &author, &body, &e),
                     CHORUS_EINVAL);
    assert_string_equal(e.field, "at");
    snprintf(doc, sizeof(doc), "{\"body\": \"%05001d\"}", 0);
    assert_int_equal(parse_response(doc, strlen(doc), &author, &body, &e), CHORUS_EINVAL);
    assert_string_equal(e.message, "body is 5001 bytes; the limit is 5000.");
    snprintf(doc, sizeof(doc), "{\"body\": \"x\", \"author\": \"%0201d\"}", 0);
    assert_int_equal(parse_response(doc, strlen(doc), &author, &body, &e), CHORUS_EINVAL);
    assert_string_equal(e.message, "author is 201 bytes; the limit is 200.");
    assert_null(author);
    assert_int_equal(parse_response("", 0, &author, &body, NULL), CHORUS_EPARSE);
}

CHORUS_TEST(vote_bodies)
{
    bool helpful = false;
    struct parse_error e;

    assert_int_equal(parse_vote("{\"helpful\": true}", 17, &helpful, &e), 0);
    assert_true(helpful);
    assert_int_equal(parse_vote("{\"helpful\":false}", 17, &helpful, &e), 0);
    assert_false(helpful);
    memset(&e, 0, sizeof(e));
    assert_int_equal(parse_vote("{}", 2, &helpful, &e), CHORUS_EINVAL);
    assert_non_null(strstr(e.message, "helpful is missing"));
    assert_int_equal(parse_vote("{\"helpful\": 1}", 14, &helpful, &e), CHORUS_EINVAL);
    assert_string_equal(e.message, "helpful must be true or false (got a number).");
    assert_int_equal(parse_vote("{\"helpful\": true, \"x\": 1}", 25, &helpful, &e), CHORUS_EINVAL);
    assert_string_equal(e.field, "x");
    assert_int_equal(parse_vote("true", 4, &helpful, &e), CHORUS_EINVAL);
    assert_int_equal(parse_vote("{\"helpful\": tru", 15, &helpful, &e), CHORUS_EPARSE);
    assert_true(e.line == 1 && e.column > 0);
}

CHORUS_TEST_MAIN()
