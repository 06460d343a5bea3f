/* One pulled item under its source's rules: which product it is about (a
 * fixed product_id, the product_map, the feed's own id, or a Google feed's
 * codes for the store to match) and which review it becomes (the source's
 * name and status, a stable id for items without one, none of the fields
 * the server owns).
 *
 * Pure functions of the source's configuration and the item, so the
 * poller, a test or a command-line dry run get the same answer.
 */
#include "chorus/parse.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_int.h"

/* ---- product maps ------------------------------------------------------------- */

/* What a product map looks at in one item: every field borrowed. */
struct item_ref {
    const char *product_id; /* the item's own product id (JSON mapping), or NULL */
    const char *sku;        /* Google feed / JSON product fields, or NULL */
    const char *gtin;
    const char *mpn;
    const char *asin;
    const char *link;
    const char *const *categories;
    size_t n_categories;
};

struct parse_source_rules {
    const struct source_config *cfg; /* borrowed */
    json_t *map;                     /* product_map, owned; NULL = none */
    const char *field;               /* the strings below point into map */
    const char *category;
    json_t *patterns;
    char source[32]; /* "src-<id>": the review's source */
};

static const char *pick_string(json_t *v)
{
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int parse_source_rules_new(struct parse_source_rules **out, const struct source_config *cfg,
                           uint64_t source_id)
{
    struct parse_source_rules *r = calloc(1, sizeof(*r));

    if (!r)
        abort();
    *out = NULL;
    r->cfg = cfg;
    snprintf(r->source, sizeof(r->source), "src-%llu", (unsigned long long)source_id);
    if (cfg->product_map) {
        r->map = json_loads(cfg->product_map, PARSE__JSON_FLAGS, NULL);
        /* The store holds what parse_source wrote; anything else is not
         * trusted to have the shape the rules below read. */
        if (!r->map || parse__product_map_check(r->map, NULL) != 0) {
            parse_source_rules_free(r);
            return CHORUS_EINVAL;
        }
        r->field = pick_string(json_object_get(r->map, "field"));
        r->category = pick_string(json_object_get(r->map, "category"));
        r->patterns = json_object_get(r->map, "link_patterns");
    }
    *out = r;
    return 0;
}

void parse_source_rules_free(struct parse_source_rules *r)
{
    if (!r)
        return;
    json_decref(r->map);
    free(r);
}

static bool give(const char *id, char *out, size_t cap)
{
    size_t n = id ? strlen(id) : 0;

    if (n == 0 || n >= cap || n > CHORUS_MAX_PRODUCT_ID)
        return false;
    memcpy(out, id, n + 1);
    return true;
}

/* map_apply writes the product id the map gives item it into out (cap
 * bytes) and returns true, or returns false when no rule matched. */
static bool map_apply(const struct parse_source_rules *m, const struct item_ref *it, char *out,
                      size_t cap)
{
    size_t i;
    json_t *e;

    /* Link patterns first: they are the operator's explicit table. */
    if (m->patterns && it->link) {
        json_array_foreach(m->patterns, i, e)
        {
            const char *pat = json_string_value(json_object_get(e, "pattern"));
            bool glob = strpbrk(pat, "*?[") != NULL;

            if (glob ? fnmatch(pat, it->link, 0) == 0 : strstr(it->link, pat) != NULL)
                return give(json_string_value(json_object_get(e, "product_id")), out, cap);
        }
    }
    if (m->field) {
        const char *v = strcmp(m->field, "product_id") == 0 ? it->product_id
                        : strcmp(m->field, "sku") == 0      ? it->sku
                        : strcmp(m->field, "gtin") == 0     ? it->gtin
                        : strcmp(m->field, "mpn") == 0      ? it->mpn
                                                            : it->asin;

        if (give(v, out, cap))
            return true;
    }
    if (m->category) {
        size_t pl = strlen(m->category);

        for (i = 0; i < it->n_categories; i++) {
            const char *c = it->categories[i];

            if (c && strncmp(c, m->category, pl) == 0 && give(c + pl, out, cap))
                return true;
        }
    }
    return false;
}

/* ---- items into reviews --------------------------------------------------------- */

/* fallback_id gives items without an id of their own (an RSS item with
 * neither guid nor link) a stable one, so a re-poll updates instead of
 * adding: a hash of what the item says. */
static void fallback_id(const struct review *r, char *out, size_t cap)
{
    const char *parts[3] = {r->title, r->body, r->author};
    /* Not the FNV offset basis (a digit short), but the ids already stored
     * were made from it, and changing it would store those items again. */
    uint64_t h = 1469598103934665603ULL;

    for (size_t i = 0; i < 3; i++) {
        const char *part = parts[i] ? parts[i] : "";

        h = chorus_fnv64(h, part, strlen(part));
        h = chorus_fnv64(h, "\xff", 1); /* a byte UTF-8 text never holds */
    }
    snprintf(out, cap, "hash-%016llx", (unsigned long long)h);
}

int parse_source_item(const struct parse_source_rules *rules, const struct parse_feed_item *it,
                      struct parse_source_review *out, char *why, size_t cap)
{
    const struct source_config *cfg = rules->cfg;
    struct item_ref ref = {
        .product_id = it->r.product_id,
        .sku = it->product.id,
        .gtin = it->product.gtin,
        .mpn = it->product.mpn,
        .asin = it->asin,
        .link = it->link,
        .categories = it->categories,
        .n_categories = it->n_categories,
    };
    struct review *r = &out->review;
    const char *product = NULL;

    memset(out, 0, sizeof(*out));
    if (cfg->product_id)
        product = cfg->product_id;
    else if (rules->map && map_apply(rules, &ref, out->product_id, sizeof(out->product_id)))
        product = out->product_id;
    else if (!rules->map && cfg->kind == SOURCE_GOOGLE)
        out->match = true;
    else if (!rules->map && it->r.product_id && it->r.product_id[0])
        product = it->r.product_id;
    if (!product && !out->match) {
        chorus_fmt(why, cap, "item %s: no product rule matched (link %s)",
                   it->r.source_id ? it->r.source_id : "?", it->link ? it->link : "none");
        return CHORUS_ENOTFOUND;
    }
    *r = it->r;
    r->product_id = out->match ? "" : product;
    r->source = rules->source;
    r->status = cfg->status;
    r->moderation_reason = NULL;
    r->helpful = r->not_helpful = 0;
    r->ingested_at = 0;
    r->id = 0;
    if (!r->source_id || !r->source_id[0]) {
        if (it->link && it->link[0] && strlen(it->link) <= CHORUS_MAX_SOURCE_ID) {
            r->source_id = it->link;
        } else {
            fallback_id(r, out->source_id, sizeof(out->source_id));
            r->source_id = out->source_id;
        }
    }
    if (out->match || it->product.name || it->product.url || it->product.gtin) {
        out->product = it->product;
        out->product.id = out->match ? (it->product.id ? it->product.id : "") : product;
        out->has_product = true;
    }
    out->asin = it->asin;
    return 0;
}
