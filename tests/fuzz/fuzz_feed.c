/* Fuzz target: parse_feed, every kind.
 *
 * Input layout: byte 0 picks the kind (low 3 bits, % 5), the JSON mapping
 * (bits 3-4: Chorus's own, a custom one with nested paths, "amazon", an
 * HTML-bodied one) and, with bit 7, max_items 3; the rest is the document.
 * Besides memory errors, the callback checks the contract of parse.h: one
 * of item or error, indexes in order, source_id always set, every string
 * valid UTF-8 within its cap, ratings 0..5; and every item is put under
 * four sources' rules (parse_source_item: a fixed product, a product_map with
 * every kind of rule, a Google feed and a JSON feed without one), whose
 * reviews must keep the same contract. */
#include "fuzz.h"

#include "chorus/base.h"

static const char *const maps[] = {
    NULL,
    "source_id=id,rating=r.v,rating_scale=r.max,title=t,body=b,author=u.name,created_at=d,"
    "link=l,categories=c,verified=v,product_id=p,product_name=pn,product_gtin=g,product_url=pu",
    "amazon",
    "title=0,body=items.1.text,rating=stars,product_asin=a,product_brand=br,product_mpn=m",
};

static const struct source_config configs[] = {
    {SOURCE_RSS, "https://shop.example/feed", 3600, "{}", REVIEW_APPROVED, "FIXED-1", NULL, NULL,
     false},
    {SOURCE_RSS, "https://shop.example/feed", 3600, "{}", REVIEW_PENDING, NULL,
     "{\"field\":\"sku\",\"category\":\"cat:\",\"link_patterns\":[{\"pattern\":\"*/p/*\","
     "\"product_id\":\"P1\"},{\"pattern\":\"shop\",\"product_id\":\"P2\"}]}",
     NULL, false},
    {SOURCE_GOOGLE, "https://shop.example/google.xml", 3600, "{}", REVIEW_APPROVED, NULL, NULL,
     NULL, false},
    {SOURCE_JSON, "https://shop.example/reviews.json", 3600, "{}", REVIEW_APPROVED, NULL, NULL,
     NULL, false},
};
#define NRULES (sizeof(configs) / sizeof(configs[0]))

/* check_rules puts it under every source's rules and checks the review. */
static void check_rules(const struct parse_feed_item *it)
{
    static struct parse_source_rules *rules[NRULES]; /* made once, kept */

    for (size_t i = 0; i < NRULES; i++) {
        struct parse_source_review out;
        const struct review *r = &out.review;
        char why[300];
        int rc;

        if (!rules[i] && parse_source_rules_new(&rules[i], &configs[i], 7) != 0)
            abort();
        rc = parse_source_item(rules[i], it, &out, why, sizeof(why));
        if (rc == CHORUS_ENOTFOUND) {
            if (!why[0] || !chorus_utf8_valid(why, strlen(why)))
                abort();
            continue;
        }
        if (rc != 0 || !r->product_id || !r->source_id || !r->source_id[0] ||
            strcmp(r->source, "src-7") != 0 || r->status != configs[i].status ||
            (out.match ? r->product_id[0] != '\0' : r->product_id[0] == '\0'))
            abort();
        fuzz_text(r->product_id, CHORUS_MAX_PRODUCT_ID);
        fuzz_text(r->source_id, CHORUS_MAX_SOURCE_ID);
        if (out.has_product && !out.match)
            fuzz_product(&out.product);
    }
}

struct run {
    size_t next; /* the index the next item must have */
    size_t max;
};

static int check(void *ctx, size_t index, const struct parse_feed_item *it, const char *error)
{
    struct run *run = ctx;
    const struct review *r;

    if (index != run->next++ || (run->max && index >= run->max))
        abort();
    if ((it == NULL) == (error == NULL))
        abort();
    if (error) {
        if (!error[0] || !chorus_utf8_valid(error, strlen(error)))
            abort();
        return 0;
    }
    r = &it->r;
    if (!r->source_id || r->rating < 0 || r->rating > 5 || !isnan(r->sentiment))
        abort();
    if (r->rating_scale != 0 && (r->rating_scale <= 1 || r->rating_scale > 100))
        abort();
    fuzz_text(r->source_id, CHORUS_MAX_SOURCE_ID);
    fuzz_text(r->product_id, CHORUS_MAX_PRODUCT_ID);
    fuzz_text(r->title, CHORUS_MAX_TITLE);
    fuzz_text(r->body, CHORUS_MAX_BODY);
    fuzz_text(r->author, CHORUS_MAX_AUTHOR);
    fuzz_text(it->link, CHORUS_MAX_URL);
    fuzz_text(it->asin, CHORUS_MAX_CODE);
    if (it->n_categories > 32 || (it->n_categories && !it->categories))
        abort();
    for (size_t i = 0; i < it->n_categories; i++) {
        if (!it->categories[i] || !it->categories[i][0])
            abort();
        fuzz_text(it->categories[i], CHORUS_MAX_CATEGORY);
    }
    if (it->product.id) {
        fuzz_product(&it->product);
    } else {
        /* Details without an id (a Google product with no SKU) are fine. */
        fuzz_text(it->product.name, CHORUS_MAX_NAME);
        fuzz_text(it->product.url, CHORUS_MAX_URL);
        fuzz_text(it->product.gtin, CHORUS_MAX_CODE);
        fuzz_text(it->product.mpn, CHORUS_MAX_CODE);
        fuzz_text(it->product.brand, CHORUS_MAX_CODE);
    }
    if (r->product_id && (!it->product.id || strcmp(r->product_id, it->product.id) != 0))
        abort();
    check_rules(it);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct parse_feed_options opt = {NULL, 0};
    struct run run = {0, 0};
    struct parse_error err;
    /* The first byte's order of kinds, which the corpus was written for. */
    static const enum source_kind kinds[5] = {SOURCE_RSS, SOURCE_ATOM, SOURCE_GOOGLE, SOURCE_JSON,
                                              SOURCE_NDJSON};
    enum source_kind kind;
    int rc;

    if (size < 1)
        return 0;
    kind = kinds[(data[0] & 7) % 5];
    opt.json_map = maps[(data[0] >> 3) & 3];
    opt.max_items = run.max = data[0] & 0x80 ? 3 : 0;
    rc = parse_feed((const char *)data + 1, size - 1, kind, &opt, check, &run, &err);
    if (rc == CHORUS_EPARSE)
        fuzz_doc_error(&err);
    else if (rc != 0)
        abort();
    return 0;
}
