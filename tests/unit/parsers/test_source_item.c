/* Pulled items under their source's rules (parsers/source_item.c): which
 * product an item is about (a fixed product_id, the product_map by field,
 * category prefix or link pattern, a Google feed's codes for the store to
 * match, a JSON item's own id), what it becomes (the source's name and
 * status, none of the fields the server owns), the ids given to items
 * without one, and the sentence for an item no rule places. */
#include "testmain.h"

#include <math.h>
#include <stdlib.h>

#include "chorus/parse.h"

/* ---- fixtures --------------------------------------------------------------------------- */

static struct source_config config(enum source_kind kind, const char *product_id,
                                   const char *product_map)
{
    struct source_config c;

    memset(&c, 0, sizeof(c));
    c.kind = kind;
    c.url = "https://feeds.example.com/reviews";
    c.interval = 3600;
    c.headers = "{}";
    c.status = REVIEW_APPROVED;
    c.product_id = product_id;
    c.product_map = product_map;
    return c;
}

static struct parse_source_rules *rules_of(const struct source_config *c, uint64_t id)
{
    struct parse_source_rules *r = NULL;

    assert_int_equal(parse_source_rules_new(&r, c, id), 0);
    assert_non_null(r);
    return r;
}

/* feed_item is an item as parse_feed delivers one: an id, text, a date. */
static struct parse_feed_item feed_item(const char *source_id, const char *link)
{
    struct parse_feed_item it;

    memset(&it, 0, sizeof(it));
    it.r.source_id = source_id;
    it.r.title = "Solid hinge";
    it.r.body = "The hinge is solid and the battery lasts.";
    it.r.author = "Jane";
    it.r.rating = 4;
    it.r.created_at = 1700000000;
    it.r.status = REVIEW_APPROVED;
    it.r.sentiment = NAN;
    it.link = link;
    return it;
}

/* product_for applies rules to it and returns the review's product id,
 * or NULL when no rule placed it (*why then holds the sentence). */
static const char *product_for(const struct parse_source_rules *rules,
                               const struct parse_feed_item *it, struct parse_source_review *out)
{
    char why[256];
    int rc;

    memset(why, 'W', sizeof(why));
    rc = parse_source_item(rules, it, out, why, sizeof(why));
    if (rc == CHORUS_ENOTFOUND) {
        assert_true(strlen(why) > 0 && strlen(why) < sizeof(why));
        return NULL;
    }
    assert_int_equal(rc, 0);
    assert_non_null(out->review.product_id);
    return out->review.product_id;
}

/* ---- cases ------------------------------------------------------------------------------ */

CHORUS_TEST(fixed_product_id)
{
    struct source_config c = config(SOURCE_RSS, "fixed-1", NULL);
    struct parse_source_rules *r = rules_of(&c, 1);
    struct parse_feed_item it = feed_item("post-1", "https://blog.example.com/a");
    struct parse_source_review out;

    assert_string_equal(product_for(r, &it, &out), "fixed-1");
    assert_false(out.match);
    assert_false(out.has_product);
    /* An item naming its own product still goes to the fixed one. */
    it.r.product_id = "its-own";
    it.product.id = "its-own";
    assert_string_equal(product_for(r, &it, &out), "fixed-1");
    parse_source_rules_free(r);

    /* Even a Google feed: a fixed product means no matching. */
    c = config(SOURCE_GOOGLE, "fixed-2", NULL);
    r = rules_of(&c, 2);
    it = feed_item("g-1", NULL);
    it.product.id = "sku-9";
    it.product.gtin = "4006381333931";
    it.product.name = "Some product";
    assert_string_equal(product_for(r, &it, &out), "fixed-2");
    assert_false(out.match);
    assert_true(out.has_product);
    assert_string_equal(out.product.id, "fixed-2"); /* the review's product */
    assert_string_equal(out.product.gtin, "4006381333931");
    parse_source_rules_free(r);
}

CHORUS_TEST(map_by_field)
{
    static const struct {
        const char *field, *want;
    } cases[] = {
        {"product_id", "own-7"}, {"sku", "sku-7"},       {"gtin", "4006381333931"},
        {"mpn", "MPN-7"},        {"asin", "B00ASIN777"},
    };
    struct parse_source_review out;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char map[64];
        struct source_config c;
        struct parse_source_rules *r;
        struct parse_feed_item it = feed_item("x-1", NULL), bare = feed_item("x-2", NULL);

        snprintf(map, sizeof(map), "{\"field\":\"%s\"}", cases[i].field);
        c = config(SOURCE_JSON, NULL, map);
        r = rules_of(&c, 3);
        it.r.product_id = "own-7";
        it.product.id = "sku-7";
        it.product.gtin = "4006381333931";
        it.product.mpn = "MPN-7";
        it.asin = "B00ASIN777";
        if (strcmp(product_for(r, &it, &out), cases[i].want) != 0)
            fail_msg("field %s gave %s", cases[i].field, out.review.product_id);
        assert_false(out.match);
        /* An item without that field is placed by no rule. */
        assert_null(product_for(r, &bare, &out));
        /* Nor is one whose value is empty or longer than a product id. */
        {
            char long_id[CHORUS_MAX_PRODUCT_ID + 2];

            memset(long_id, 'L', sizeof(long_id) - 1);
            long_id[sizeof(long_id) - 1] = '\0';
            bare.r.product_id = bare.product.id = bare.product.gtin = bare.product.mpn = bare.asin =
                "";
            assert_null(product_for(r, &bare, &out));
            bare.r.product_id = bare.product.id = bare.product.gtin = bare.product.mpn = bare.asin =
                long_id;
            assert_null(product_for(r, &bare, &out));
            long_id[CHORUS_MAX_PRODUCT_ID] = '\0'; /* exactly the longest */
            assert_string_equal(product_for(r, &bare, &out), long_id);
        }
        parse_source_rules_free(r);
    }
}

CHORUS_TEST(map_by_category)
{
    struct source_config c = config(SOURCE_RSS, NULL, "{\"category\":\"product:\"}");
    struct parse_source_rules *r = rules_of(&c, 4);
    struct parse_feed_item it = feed_item("post-1", "https://blog.example.com/a");
    struct parse_source_review out;
    const char *cats[] = {"Laptops", "product:", "Product:upper", "product:lap-1", "product:lap-2"};

    /* The first term with the prefix and something after it. */
    it.categories = cats;
    it.n_categories = 5;
    assert_string_equal(product_for(r, &it, &out), "lap-1");
    /* A term that is only the prefix names nothing; case matters. */
    it.n_categories = 3;
    assert_null(product_for(r, &it, &out));
    it.n_categories = 0;
    assert_null(product_for(r, &it, &out));
    parse_source_rules_free(r);

    /* An empty prefix: the first category term as it is. */
    c = config(SOURCE_RSS, NULL, "{\"category\":\"\"}");
    r = rules_of(&c, 4);
    it.n_categories = 5;
    assert_string_equal(product_for(r, &it, &out), "Laptops");
    parse_source_rules_free(r);
}

CHORUS_TEST(map_by_link_patterns)
{
    struct source_config c =
        config(SOURCE_RSS, NULL,
               "{\"link_patterns\":["
               "{\"pattern\":\"/laptops/x1\",\"product_id\":\"x1\"},"
               "{\"pattern\":\"https://shop.example.com/*/camera-?\",\"product_id\":\"cam\"},"
               "{\"pattern\":\"*/phone-[0-9]\",\"product_id\":\"phone\"},"
               "{\"pattern\":\"/laptops/\",\"product_id\":\"any-laptop\"}],"
               "\"field\":\"sku\"}");
    struct parse_source_rules *r = rules_of(&c, 5);
    struct parse_feed_item it = feed_item("p", NULL);
    struct parse_source_review out;
    static const struct {
        const char *link, *want;
    } cases[] = {
        /* Substring patterns match anywhere; the first pattern wins. */
        {"https://blog.example.com/laptops/x1-review", "x1"},
        {"https://blog.example.com/laptops/x2-review", "any-laptop"},
        {"https://blog.example.com/Laptops/X1", "sku-in-feed"}, /* case matters */
        /* Globs match the whole link. */
        {"https://shop.example.com/deals/camera-5", "cam"},
        {"https://shop.example.com/a/b/camera-5", "cam"},
        {"https://shop.example.com/deals/camera-55", "sku-in-feed"},
        {"https://shop.example.com/deals/camera-5?ref=x", "sku-in-feed"},
        {"http://shop.example.com/deals/camera-5", "sku-in-feed"},
        {"https://m.example.org/phone-7", "phone"},
        {"https://m.example.org/phone-x", "sku-in-feed"},
    };

    it.product.id = "sku-in-feed";
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        it.link = cases[i].link;
        if (strcmp(product_for(r, &it, &out), cases[i].want) != 0)
            fail_msg("%s gave %s, not %s", cases[i].link, out.review.product_id, cases[i].want);
    }
    /* No link: the patterns are skipped, the field decides. */
    it.link = NULL;
    assert_string_equal(product_for(r, &it, &out), "sku-in-feed");
    /* Neither: no rule. */
    it.product.id = NULL;
    it.link = "https://elsewhere.example.net/";
    assert_null(product_for(r, &it, &out));
    parse_source_rules_free(r);
}

CHORUS_TEST(google_without_a_map_matches)
{
    struct source_config c = config(SOURCE_GOOGLE, NULL, NULL);
    struct parse_source_rules *r = rules_of(&c, 6);
    struct parse_feed_item it = feed_item("g-1", "https://shop.example.com/r/1");
    struct parse_source_review out;

    it.product.id = "sku-1";
    it.product.gtin = "4006381333931";
    it.product.mpn = "INS-14";
    it.product.brand = "Dell";
    it.product.name = "Inspiron 14";
    it.asin = "B00ASIN1";
    assert_string_equal(product_for(r, &it, &out), "");
    assert_true(out.match);
    assert_true(out.has_product);
    /* The codes go to the store: the SKU as the product's id. */
    assert_string_equal(out.product.id, "sku-1");
    assert_string_equal(out.product.gtin, "4006381333931");
    assert_string_equal(out.product.mpn, "INS-14");
    assert_string_equal(out.product.brand, "Dell");
    assert_string_equal(out.asin, "B00ASIN1");

    /* Without a SKU the product id is "", never NULL; an item with no
     * codes at all is still handed on (the store refuses it). */
    it.product.id = NULL;
    assert_string_equal(product_for(r, &it, &out), "");
    assert_true(out.match);
    assert_non_null(out.product.id);
    assert_string_equal(out.product.id, "");
    memset(&it.product, 0, sizeof(it.product));
    it.asin = NULL;
    assert_string_equal(product_for(r, &it, &out), "");
    assert_true(out.match);
    assert_true(out.has_product);
    assert_null(out.asin);
    parse_source_rules_free(r);

    /* With a map, a Google source is mapped, not matched. */
    c = config(SOURCE_GOOGLE, NULL, "{\"field\":\"gtin\"}");
    r = rules_of(&c, 6);
    it = feed_item("g-2", NULL);
    it.product.id = "sku-2";
    assert_null(product_for(r, &it, &out));
    assert_false(out.match);
    it.product.gtin = "4006381333931";
    assert_string_equal(product_for(r, &it, &out), "4006381333931");
    assert_false(out.match);
    parse_source_rules_free(r);
}

CHORUS_TEST(own_product_ids)
{
    struct source_config c = config(SOURCE_JSON, NULL, NULL);
    struct parse_source_rules *r = rules_of(&c, 7);
    struct parse_feed_item it = feed_item("j-1", NULL);
    struct parse_source_review out;

    it.r.product_id = "own-1";
    it.product.id = "own-1";
    assert_string_equal(product_for(r, &it, &out), "own-1");
    assert_false(out.match);
    /* Catalogue fields it carries come along, under that id. */
    assert_false(out.has_product);
    it.product.name = "Own product";
    assert_string_equal(product_for(r, &it, &out), "own-1");
    assert_true(out.has_product);
    assert_string_equal(out.product.id, "own-1");
    assert_string_equal(out.product.name, "Own product");
    /* Without one: no rule. */
    it.r.product_id = NULL;
    assert_null(product_for(r, &it, &out));
    it.r.product_id = "";
    assert_null(product_for(r, &it, &out));
    parse_source_rules_free(r);

    /* NDJSON alike; RSS and Atom items take no product of their own
     * without a map or a fixed id, unless the feed named it. */
    c = config(SOURCE_NDJSON, NULL, NULL);
    r = rules_of(&c, 7);
    it.r.product_id = "own-2";
    assert_string_equal(product_for(r, &it, &out), "own-2");
    parse_source_rules_free(r);
    c = config(SOURCE_RSS, NULL, NULL);
    r = rules_of(&c, 7);
    it.r.product_id = NULL;
    assert_null(product_for(r, &it, &out));
    parse_source_rules_free(r);
}

CHORUS_TEST(no_rule_says_why)
{
    struct source_config c = config(SOURCE_RSS, NULL, "{\"field\":\"sku\"}");
    struct parse_source_rules *r = rules_of(&c, 8);
    struct parse_feed_item it = feed_item("post-77", "https://blog.example.com/p/77");
    struct parse_source_review out;
    char why[256], small[24];
    const char *long_id = "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
                          "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9";

    assert_int_equal(parse_source_item(r, &it, &out, why, sizeof(why)), CHORUS_ENOTFOUND);
    /* A sentence naming the item and its link. */
    assert_non_null(strstr(why, "post-77"));
    assert_non_null(strstr(why, "https://blog.example.com/p/77"));
    it.link = NULL;
    it.r.source_id = NULL;
    assert_int_equal(parse_source_item(r, &it, &out, why, sizeof(why)), CHORUS_ENOTFOUND);
    assert_true(strlen(why) > 0);
    /* Cut to its room on a character boundary: the sentence ends up in
     * the source's JSON state. */
    it.r.source_id = long_id;
    for (size_t cap = 1; cap <= sizeof(small); cap++) {
        memset(small, 'Z', sizeof(small));
        assert_int_equal(parse_source_item(r, &it, &out, small, cap), CHORUS_ENOTFOUND);
        assert_true(strlen(small) < cap);
        assert_true(chorus_utf8_valid(small, strlen(small)));
    }
    parse_source_rules_free(r);
}

CHORUS_TEST(ids_for_items_without_one)
{
    struct source_config c = config(SOURCE_RSS, "p", NULL);
    struct parse_source_rules *r = rules_of(&c, 9);
    struct parse_feed_item it = feed_item(NULL, "https://blog.example.com/post/1");
    struct parse_source_review out, out2;
    char first[40], long_link[CHORUS_MAX_SOURCE_ID + 40];

    /* An id of its own is kept. */
    it.r.source_id = "guid-1";
    assert_non_null(product_for(r, &it, &out));
    assert_string_equal(out.review.source_id, "guid-1");
    /* None (or ""): the link. */
    it.r.source_id = NULL;
    assert_non_null(product_for(r, &it, &out));
    assert_string_equal(out.review.source_id, "https://blog.example.com/post/1");
    it.r.source_id = "";
    assert_non_null(product_for(r, &it, &out));
    assert_string_equal(out.review.source_id, "https://blog.example.com/post/1");

    /* No link: a hash of the text, the same on every poll. */
    it.link = NULL;
    assert_non_null(product_for(r, &it, &out));
    assert_int_equal(strncmp(out.review.source_id, "hash-", 5), 0);
    assert_int_equal(strlen(out.review.source_id), 5 + 16);
    assert_int_equal(strspn(out.review.source_id + 5, "0123456789abcdef"), 16);
    snprintf(first, sizeof(first), "%s", out.review.source_id);
    assert_non_null(product_for(r, &it, &out2));
    assert_string_equal(out2.review.source_id, first);
    /* The rating, date and the like are not part of it; the text is. */
    it.r.rating = 1;
    it.r.created_at = 1;
    assert_non_null(product_for(r, &it, &out2));
    assert_string_equal(out2.review.source_id, first);
    {
        static const char *const variants[][3] = {
            {"Solid hinge!", "The hinge is solid and the battery lasts.", "Jane"},
            {"Solid hinge", "The hinge is solid and the battery lasts", "Jane"},
            {"Solid hinge", "The hinge is solid and the battery lasts.", "Jan"},
            {"Solid hinge", "The hinge is solid and the battery lasts.", NULL},
            /* Text moved from one field to the next is other text. */
            {"Solid hing", "eThe hinge is solid and the battery lasts.", "Jane"},
            {"Solid hinge", "The hinge is solid and the battery lasts.J", "ane"},
        };
        char seen[6][40];

        for (size_t i = 0; i < 6; i++) {
            it.r.title = variants[i][0];
            it.r.body = variants[i][1];
            it.r.author = variants[i][2];
            assert_non_null(product_for(r, &it, &out2));
            assert_string_not_equal(out2.review.source_id, first);
            snprintf(seen[i], sizeof(seen[i]), "%s", out2.review.source_id);
            for (size_t j = 0; j < i; j++)
                assert_string_not_equal(seen[i], seen[j]);
        }
    }

    /* A link too long to be an id: the hash. */
    memset(long_link, 'l', sizeof(long_link) - 1);
    long_link[sizeof(long_link) - 1] = '\0';
    it.link = long_link;
    assert_non_null(product_for(r, &it, &out));
    assert_int_equal(strncmp(out.review.source_id, "hash-", 5), 0);
    long_link[CHORUS_MAX_SOURCE_ID] = '\0';
    assert_non_null(product_for(r, &it, &out));
    assert_string_equal(out.review.source_id, long_link);
    parse_source_rules_free(r);
}

CHORUS_TEST(the_source_owns_its_reviews)
{
    struct source_config c = config(SOURCE_ATOM, "p-1", NULL);
    struct parse_source_rules *r;
    struct parse_feed_item it = feed_item("entry-1", "https://x.example/e/1");
    struct parse_source_review out;

    c.status = REVIEW_PENDING;
    r = rules_of(&c, 42);
    /* What a hostile or a copied feed might carry that the server owns. */
    it.r.id = 77;
    it.r.status = REVIEW_APPROVED;
    it.r.source = "api";
    it.r.moderation_reason = "approved by someone else";
    it.r.helpful = 1000;
    it.r.not_helpful = 3;
    it.r.ingested_at = 123;
    it.r.verified = true;
    assert_string_equal(product_for(r, &it, &out), "p-1");
    assert_int_equal(out.review.id, 0);
    assert_int_equal(out.review.status, REVIEW_PENDING);
    assert_string_equal(out.review.source, "src-42");
    assert_null(out.review.moderation_reason);
    assert_int_equal(out.review.helpful, 0);
    assert_int_equal(out.review.not_helpful, 0);
    assert_int_equal(out.review.ingested_at, 0);
    /* The content is the item's. */
    assert_string_equal(out.review.source_id, "entry-1");
    assert_string_equal(out.review.title, "Solid hinge");
    assert_string_equal(out.review.body, "The hinge is solid and the battery lasts.");
    assert_string_equal(out.review.author, "Jane");
    assert_int_equal(out.review.rating, 4);
    assert_int_equal(out.review.created_at, 1700000000);
    assert_true(out.review.verified);
    parse_source_rules_free(r);

    /* An approved source approves; the largest id still fits the name. */
    c.status = REVIEW_APPROVED;
    r = rules_of(&c, UINT64_MAX);
    it.r.status = REVIEW_PENDING;
    assert_non_null(product_for(r, &it, &out));
    assert_int_equal(out.review.status, REVIEW_APPROVED);
    assert_string_equal(out.review.source, "src-18446744073709551615");
    parse_source_rules_free(r);
}

CHORUS_TEST(bad_maps_are_refused)
{
    static const char *const bad[] = {
        "",
        "not json",
        "[]",
        "{}",
        "\"field\"",
        "{\"field\":\"color\"}",
        "{\"field\":7}",
        "{\"category\":3}",
        "{\"link_patterns\":[]}",
        "{\"link_patterns\":[{\"pattern\":\"\",\"product_id\":\"p\"}]}",
        "{\"link_patterns\":[{\"pattern\":\"x\"}]}",
        "{\"link_patterns\":[{\"pattern\":\"x\",\"product_id\":\"\"}]}",
        "{\"link_patterns\":[{\"pattern\":\"x\",\"product_id\":\"p\",\"extra\":1}]}",
        "{\"link_patterns\":{\"pattern\":\"x\",\"product_id\":\"p\"}}",
        "{\"field\":\"sku\",\"unknown\":true}",
        "{\"field\":\"sku\",\"field\":\"gtin\"}", /* duplicate keys */
    };
    struct parse_source_rules *r;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct source_config c = config(SOURCE_RSS, NULL, bad[i]);

        r = (struct parse_source_rules *)&r; /* not NULL */
        if (parse_source_rules_new(&r, &c, 1) != CHORUS_EINVAL)
            fail_msg("map %s was accepted", bad[i]);
        assert_null(r);
    }
    parse_source_rules_free(NULL);
}

/* ---- a parsed document through the rules ---------------------------------------------- */

struct applied {
    const struct parse_source_rules *rules;
    char product[8][CHORUS_MAX_PRODUCT_ID + 1];
    char source_id[8][CHORUS_MAX_SOURCE_ID + 1];
    bool match[8];
    char sku[8][32];
    size_t n, refused;
};

static int apply_rules(void *ctx, size_t index, const struct parse_feed_item *it, const char *error)
{
    struct applied *a = ctx;
    struct parse_source_review out;
    char why[200];

    (void)index;
    assert_null(error);
    assert_true(a->n < 8);
    if (parse_source_item(a->rules, it, &out, why, sizeof(why)) != 0) {
        a->refused++;
        return 0;
    }
    snprintf(a->product[a->n], sizeof(a->product[a->n]), "%s", out.review.product_id);
    snprintf(a->source_id[a->n], sizeof(a->source_id[a->n]), "%s", out.review.source_id);
    a->match[a->n] = out.match;
    snprintf(a->sku[a->n], sizeof(a->sku[a->n]), "%s",
             out.has_product && out.product.id ? out.product.id : "-");
    a->n++;
    return 0;
}

static const char google_doc[] =
    "<feed><version>2.3</version><publisher><name>Shop</name></publisher><reviews>"
    "<review><review_id>r-1</review_id><reviewer><name>Ann</name></reviewer>"
    "<review_timestamp>2024-05-01T10:00:00Z</review_timestamp><content>Good laptop</content>"
    "<review_url type=\"singleton\">https://shop.example.com/r/1</review_url>"
    "<ratings><overall min=\"1\" max=\"5\">5</overall></ratings>"
    "<products><product><product_ids><gtins><gtin>4006381333931</gtin></gtins>"
    "<skus><sku>lap-1</sku></skus><brands><brand>Dell</brand></brands></product_ids>"
    "<product_name>Inspiron 14</product_name></product></products></review>"
    "<review><review_id>r-2</review_id><reviewer><name>Bob</name></reviewer>"
    "<review_timestamp>2024-05-02T10:00:00Z</review_timestamp><content>Meh</content>"
    "<review_url type=\"singleton\">https://shop.example.com/r/2</review_url>"
    "<ratings><overall min=\"1\" max=\"5\">2</overall></ratings>"
    "<products><product><product_ids><asins><asin>B00ASIN2</asin></asins></product_ids>"
    "</product></products></review>"
    "</reviews></feed>";

/* apply_google runs google_doc through the rules of a Google source with
 * product_map (NULL for none) and keeps what they made of it in *a. */
static void apply_google(struct applied *a, const char *product_map)
{
    struct source_config c = config(SOURCE_GOOGLE, NULL, product_map);
    struct parse_source_rules *r = rules_of(&c, 11);
    struct parse_error err;

    memset(a, 0, sizeof(*a));
    a->rules = r;
    assert_int_equal(
        parse_feed(google_doc, sizeof(google_doc) - 1, SOURCE_GOOGLE, NULL, apply_rules, a, &err),
        0);
    a->rules = NULL;
    parse_source_rules_free(r);
}

CHORUS_TEST(parsed_google_feed)
{
    struct applied a;

    apply_google(&a, NULL);
    assert_int_equal(a.n, 2);
    assert_int_equal(a.refused, 0);
    assert_true(a.match[0] && a.match[1]);
    assert_string_equal(a.product[0], "");
    assert_string_equal(a.sku[0], "lap-1");
    assert_string_equal(a.sku[1], "");
    assert_string_equal(a.source_id[0], "r-1");

    /* The same feed mapped by SKU: the first item only. */
    apply_google(&a, "{\"field\":\"sku\"}");
    assert_int_equal(a.n, 1);
    assert_int_equal(a.refused, 1);
    assert_string_equal(a.product[0], "lap-1");
    assert_false(a.match[0]);

    /* Or by ASIN: the second. */
    apply_google(&a, "{\"field\":\"asin\"}");
    assert_int_equal(a.n, 1);
    assert_string_equal(a.product[0], "B00ASIN2");
    assert_string_equal(a.source_id[0], "r-2");
}

CHORUS_TEST_MAIN()
