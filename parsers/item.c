/* The review fields and their rules, whatever the input format.
 *
 * Formats translate their values into calls to the setters below; the rules
 * (caps, syntax, ranges, rating normalisation, defaults) live only here, so a
 * review is valid or not in the same way whether it came as JSON, from the
 * Amazon dump or from a CSV file.
 */
#include "parse_int.h"

#include <math.h>
#include <string.h>

#include "chorus/base.h"

struct rf_info {
    const char *name;
    unsigned char len;
    unsigned char kind;  /* enum parse__kind */
    unsigned char flags; /* PARSE__* for text fields */
    size_t cap;          /* bytes, for text fields */
};

static const struct rf_info rf_table[RF__COUNT] = {
    [RF_ID] = {"id", 2, PK_IGNORE, 0, 0},
    [RF_PRODUCT_ID] = {"product_id", 10, PK_TEXT, PARSE__NOCTL | PARSE__NONEMPTY,
                       CHORUS_MAX_PRODUCT_ID},
    [RF_RATING] = {"rating", 6, PK_NUMBER, 0, 0},
    [RF_RATING_SCALE] = {"rating_scale", 12, PK_NUMBER, 0, 0},
    [RF_RATING_ORIGINAL] = {"rating_original", 15, PK_NUMBER, 0, 0},
    [RF_TITLE] = {"title", 5, PK_TEXT, 0, CHORUS_MAX_TITLE},
    [RF_BODY] = {"body", 4, PK_TEXT, 0, CHORUS_MAX_BODY},
    [RF_AUTHOR] = {"author", 6, PK_TEXT, 0, CHORUS_MAX_AUTHOR},
    [RF_AUTHOR_LOCATION] = {"author_location", 15, PK_TEXT, 0, CHORUS_MAX_LOCATION},
    [RF_VERIFIED] = {"verified", 8, PK_BOOL, 0, 0},
    [RF_LANGUAGE] = {"language", 8, PK_TEXT, PARSE__NOCTL, CHORUS_MAX_LANGUAGE},
    [RF_CREATED_AT] = {"created_at", 10, PK_TIME, 0, 0},
    [RF_INGESTED_AT] = {"ingested_at", 11, PK_TIME, 0, 0},
    [RF_SOURCE] = {"source", 6, PK_TEXT, PARSE__NOCTL, CHORUS_MAX_SOURCE},
    [RF_SOURCE_ID] = {"source_id", 9, PK_TEXT, PARSE__NOCTL, CHORUS_MAX_SOURCE_ID},
    [RF_STATUS] = {"status", 6, PK_STATUS, 0, 0},
    [RF_MODERATION_REASON] = {"moderation_reason", 17, PK_TEXT, 0, CHORUS_MAX_REASON},
    [RF_HELPFUL] = {"helpful", 7, PK_COUNT, 0, 0},
    [RF_NOT_HELPFUL] = {"not_helpful", 11, PK_COUNT, 0, 0},
    [RF_SENTIMENT] = {"sentiment", 9, PK_NUMBER, 0, 0},
    [RF_RESPONSES] = {"responses", 9, PK_ARRAY, 0, 0},
    [RF_PRODUCT] = {"product", 7, PK_OBJECT, 0, 0},
    [RF_COMPONENTS] = {"components", 10, PK_IGNORE, 0, 0},
    [RF_ORIGINS] = {"origins", 7, PK_IGNORE, 0, 0},
    [RF_KNOWN_ISSUE] = {"known_issue", 11, PK_IGNORE, 0, 0},
    [RF_VERSIONS] = {"versions", 8, PK_IGNORE, 0, 0},
};

int parse__rf_lookup(const char *name, size_t n)
{
    /* A linear scan that compares lengths first: 24 short names, so this is
     * a handful of byte compares per key and needs no setup. */
    for (int f = 0; f < RF__COUNT; f++)
        if (rf_table[f].len == n && memcmp(rf_table[f].name, name, n) == 0)
            return f;
    return -1;
}

const char *parse__rf_name(enum parse__rf f)
{
    return rf_table[f].name;
}

enum parse__kind parse__rf_kind(enum parse__rf f)
{
    return (enum parse__kind)rf_table[f].kind;
}

void parse__item_begin(struct parse__item *it, const struct parse_options *opt, int64_t now)
{
    memset(&it->r, 0, sizeof(it->r));
    memset(&it->p, 0, sizeof(it->p));
    it->r.status = opt ? opt->default_status : REVIEW_APPROVED;
    it->r.source = opt ? opt->default_source : NULL;
    it->r.sentiment = NAN;
    it->has_product = false;
    it->has_rating = it->has_scale = it->has_original = it->has_created = false;
    it->rating = it->scale = it->original = 0;
    it->now = now;
    it->pid_label = rf_table[RF_PRODUCT_ID].name;
    it->rating_label = rf_table[RF_RATING].name;
    it->pflags = opt && opt->lax_urls ? PARSE__LAXURL : 0;
    it->err[0] = '\0';
}

static const char *expected(enum parse__kind k)
{
    switch (k) {
    case PK_TEXT:
        return "a string or null";
    case PK_TIME:
        return "an RFC 3339 date-time string such as \"2017-01-13T10:00:00Z\"";
    case PK_STATUS:
        return "\"approved\", \"pending\" or \"rejected\"";
    case PK_NUMBER:
        return "a number or null";
    case PK_COUNT:
        return "a whole number of votes";
    case PK_BOOL:
        return "true or false";
    case PK_ARRAY:
        return "an array";
    case PK_OBJECT:
        return "an object";
    case PK_IGNORE:
        break;
    }
    return "something else";
}

int parse__item_type_error(struct parse__item *it, enum parse__rf f, const char *label,
                           const char *got)
{
    return parse__fail(it->err, "%s must be %s (got %s).", label ? label : rf_table[f].name,
                       expected((enum parse__kind)rf_table[f].kind), got);
}

static const char **text_slot(struct review *r, enum parse__rf f)
{
    switch (f) {
    case RF_PRODUCT_ID:
        return &r->product_id;
    case RF_TITLE:
        return &r->title;
    case RF_BODY:
        return &r->body;
    case RF_AUTHOR:
        return &r->author;
    case RF_AUTHOR_LOCATION:
        return &r->author_location;
    case RF_LANGUAGE:
        return &r->language;
    case RF_SOURCE:
        return &r->source;
    case RF_SOURCE_ID:
        return &r->source_id;
    case RF_MODERATION_REASON:
        return &r->moderation_reason;
    default:
        return NULL;
    }
}

/* language_ok accepts the characters of a BCP 47 tag ("en", "pt-BR",
 * "zh-Hant-TW"), and '_' because many feeds write "en_US". */
static bool language_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

static int set_status(struct parse__item *it, const char *label, const char *s, size_t n)
{
    static const enum review_status all[] = {REVIEW_APPROVED, REVIEW_PENDING, REVIEW_REJECTED};
    char q[PARSE__QUOTE];

    /* Compared with the length, not strcmp: s may hold a NUL. */
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        const char *name = review_status_name(all[i]);
        if (strlen(name) == n && memcmp(name, s, n) == 0) {
            it->r.status = all[i];
            return 0;
        }
    }
    return parse__fail(it->err,
                       "%s must be \"approved\", \"pending\" or \"rejected\" (got \"%s\").", label,
                       parse__quote(q, s, n));
}

int parse__item_str(struct parse__item *it, enum parse__rf f, const char *label, const char *s,
                    size_t n, unsigned flags)
{
    const struct rf_info *fi = &rf_table[f];
    char q[PARSE__QUOTE];
    int rc;

    if (!label)
        label = fi->name;
    switch ((enum parse__kind)fi->kind) {
    case PK_IGNORE:
        return 0;
    case PK_TEXT:
        rc = parse__text(it->err, label, s, n, fi->cap, fi->flags | flags);
        if (rc)
            return rc;
        if (f == RF_LANGUAGE && !language_ok(s, n))
            return parse__fail(it->err,
                               "%s must be a language tag such as \"en\" or \"pt-BR\" (got "
                               "\"%s\").",
                               label, parse__quote(q, s, n));
        /* An empty string says no more than a missing field, and keeping it
         * would give the views empty titles and a dedupe key of "". */
        *text_slot(&it->r, f) = n ? s : NULL;
        return 0;
    case PK_TIME:
        if (f == RF_CREATED_AT) {
            it->has_created = true;
            return parse__time(it->err, label, s, n, &it->r.created_at);
        }
        return parse__time(it->err, label, s, n, &it->r.ingested_at);
    case PK_STATUS:
        return set_status(it, label, s, n);
    default:
        return parse__item_type_error(it, f, label, "a string");
    }
}

int parse__item_num(struct parse__item *it, enum parse__rf f, const char *label, double v)
{
    const struct rf_info *fi = &rf_table[f];

    if (!label)
        label = fi->name;
    if (fi->kind == PK_COUNT) {
        if (!(v >= 0 && v <= UINT32_MAX) || v != floor(v))
            return parse__fail(it->err, "%s must be a whole number from 0 to 4294967295 (got %g).",
                               label, v);
        if (f == RF_HELPFUL)
            it->r.helpful = (uint32_t)v;
        else
            it->r.not_helpful = (uint32_t)v;
        return 0;
    }
    switch (f) {
    case RF_ID:
        return 0;
    case RF_RATING:
        it->has_rating = true;
        it->rating = v;
        it->rating_label = label;
        return 0;
    case RF_RATING_SCALE:
        if (!(v > 1 && v <= 100))
            return parse__fail(it->err,
                               "%s must be above 1 and at most 100, the top of the scale the "
                               "rating was given on, such as 10 or 100 (got %g).",
                               label, v);
        it->has_scale = true;
        it->scale = v;
        return 0;
    case RF_RATING_ORIGINAL:
        it->has_original = true;
        it->original = v;
        return 0;
    case RF_SENTIMENT:
        if (!(v >= -1 && v <= 1))
            return parse__fail(it->err, "%s must be from -1 to 1 (got %g).", label, v);
        it->r.sentiment = v;
        return 0;
    default:
        return parse__item_type_error(it, f, label, "a number");
    }
}

int parse__item_bool(struct parse__item *it, enum parse__rf f, const char *label, bool v)
{
    if (f == RF_VERIFIED) {
        it->r.verified = v;
        return 0;
    }
    if (f == RF_ID)
        return 0;
    return parse__item_type_error(it, f, label, "a boolean");
}

/* normalise maps a rating on a 0..scale scale to 1..5 stars: round to the
 * nearest star (halves away from zero), and never below one star, because 0
 * stars would read as "no rating" (a mention). */
static int normalise(double v, double scale)
{
    double stars = round(v / scale * 5.0);

    if (stars < 1)
        return 1;
    if (stars > 5)
        return 5;
    return (int)stars;
}

static int finish_rating(struct parse__item *it)
{
    const char *label = it->rating_label;
    double given;
    int stars;

    if (!it->has_rating && !it->has_original) {
        /* A mention: a scale alone carries nothing worth keeping. */
        it->r.rating = 0;
        it->r.rating_original = 0;
        it->r.rating_scale = 0;
        return 0;
    }
    /* rating_original is what Chorus writes out next to the normalised
     * rating, so a re-imported export names the given value there. */
    given = it->has_original ? it->original : it->rating;
    if (it->has_original)
        label = "rating_original";
    if (it->has_scale) {
        if (!(given >= 0 && given <= it->scale))
            return parse__fail(it->err, "%s must be from 0 to %g on rating_scale %g (got %g).",
                               label, it->scale, it->scale, given);
        stars = normalise(given, it->scale);
    } else {
        if (!(given >= 1 && given <= 5) || given != floor(given))
            return parse__fail(it->err,
                               "%s must be a whole number of stars from 1 to 5 (got %g); for "
                               "a rating on another scale send rating_scale too.",
                               label, given);
        stars = (int)given;
    }
    if (it->has_original && it->has_rating && it->rating != stars)
        return parse__fail(it->err,
                           "rating %g does not match rating_original %g, which makes %d "
                           "stars; send rating_original with rating_scale, or rating alone.",
                           it->rating, it->original, stars);
    it->r.rating = stars;
    it->r.rating_original = given;
    it->r.rating_scale = it->has_scale ? it->scale : 0;
    return 0;
}

int parse__item_finish(struct parse__item *it)
{
    struct review *r = &it->r;
    char q1[PARSE__QUOTE], q2[PARSE__QUOTE];
    int rc;

    if (!r->product_id)
        return parse__fail(it->err,
                           "%s is missing; every review needs the id (SKU) of its product.",
                           it->pid_label);
    rc = finish_rating(it);
    if (rc)
        return rc;
    if (!it->has_created)
        r->created_at = it->now;
    if (it->has_product) {
        if (!it->p.id)
            it->p.id = r->product_id;
        else if (strcmp(it->p.id, r->product_id) != 0)
            return parse__fail(it->err,
                               "product.id \"%s\" differs from product_id \"%s\"; leave "
                               "product.id out or make them equal.",
                               parse__quote(q1, it->p.id, strlen(it->p.id)),
                               parse__quote(q2, r->product_id, strlen(r->product_id)));
    }
    return 0;
}
