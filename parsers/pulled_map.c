/* JSON feed items through a field mapping (pulled_json.c finds the items).
 *
 * A mapping is "field=path,field=path" (docs/sources.md), a path being
 * dotted keys into nested objects ("user.name"), with numbers indexing
 * arrays ("images.0"). NULL is Chorus's own review JSON; "amazon" is the
 * Amazon dump, read by amazon.c exactly as an import would. One item is
 * parsed by jansson at a time, after its invalid UTF-8 is repaired.
 */
#include "parse_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"

#define MAX_MAPPING 4096           /* bytes of a mapping string */
#define MAX_TIME    253402300799.0 /* 9999-12-31T23:59:59Z */

enum jt {
    JT_SOURCE_ID = 0,
    JT_PRODUCT_ID,
    JT_RATING,
    JT_RATING_SCALE,
    JT_RATING_ORIGINAL,
    JT_TITLE,
    JT_BODY,
    JT_AUTHOR,
    JT_CREATED_AT,
    JT_LINK,
    JT_CATEGORIES,
    JT_VERIFIED,
    JT_PRODUCT_NAME,
    JT_PRODUCT_BRAND,
    JT_PRODUCT_URL,
    JT_PRODUCT_GTIN,
    JT_PRODUCT_MPN,
    JT_PRODUCT_ASIN,
    JT__COUNT
};

static const struct {
    const char *name;
    signed char ff; /* enum parse__ff for text fields, -1 otherwise */
} targets[JT__COUNT] = {
    [JT_SOURCE_ID] = {"source_id", FF_SOURCE_ID},
    [JT_PRODUCT_ID] = {"product_id", FF_PRODUCT_ID},
    [JT_RATING] = {"rating", -1},
    [JT_RATING_SCALE] = {"rating_scale", -1},
    [JT_RATING_ORIGINAL] = {"rating_original", -1},
    [JT_TITLE] = {"title", FF_TITLE},
    [JT_BODY] = {"body", FF_BODY},
    [JT_AUTHOR] = {"author", FF_AUTHOR},
    [JT_CREATED_AT] = {"created_at", -1},
    [JT_LINK] = {"link", FF_LINK},
    [JT_CATEGORIES] = {"categories", -1},
    [JT_VERIFIED] = {"verified", -1},
    [JT_PRODUCT_NAME] = {"product_name", FF_PRODUCT_NAME},
    [JT_PRODUCT_BRAND] = {"product_brand", FF_BRAND},
    [JT_PRODUCT_URL] = {"product_url", FF_PRODUCT_URL},
    [JT_PRODUCT_GTIN] = {"product_gtin", FF_GTIN},
    [JT_PRODUCT_MPN] = {"product_mpn", FF_MPN},
    [JT_PRODUCT_ASIN] = {"product_asin", FF_ASIN},
};

/* Chorus's review JSON (GET /api/v1/reviews): the remote review's own id is
 * its identity here, and rating_original on rating_scale is the rating as
 * given. Its bodies are plain text. */
#define CHORUS_MAP                                                                                 \
    "source_id=id,product_id=product_id,rating=rating,rating_scale=rating_scale,"                  \
    "rating_original=rating_original,title=title,body=body,author=author,"                         \
    "created_at=created_at,verified=verified,link=url,categories=categories"

struct jmap {
    char text[MAX_MAPPING + 1];  /* the mapping, paths NUL-terminated in place */
    const char *path[JT__COUNT]; /* NULL = not mapped */
    bool amazon;
    bool html; /* bodies are HTML (custom mappings) */
};

struct parse__jmap {
    struct parse__feed *f; /* the item being filled, during parse__jmap_item */
    struct jmap map;
    struct buf fix; /* an item with invalid UTF-8, repaired */
    struct parse__item amz;
};

/* ---- the mapping ---------------------------------------------------------------------- */

static bool blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char *trim(char *s, char *end)
{
    while (s < end && blank(*s))
        s++;
    while (end > s && blank(end[-1]))
        end--;
    *end = '\0';
    return s;
}

static int map_parse(struct jmap *m, const char *mapping, struct parse_error *err)
{
    char q[PARSE__QUOTE];
    char *p;
    size_t n;
    bool ok = true;

    memset(m->path, 0, sizeof(m->path));
    m->amazon = false;
    m->html = mapping != NULL;
    if (mapping && strcmp(mapping, "amazon") == 0) {
        m->amazon = true;
        return 0;
    }
    if (!mapping)
        mapping = CHORUS_MAP;
    n = strlen(mapping);
    if (n > MAX_MAPPING) {
        parse__doc_error(err, 0, 0, "json_map", "The mapping is %zu bytes; the limit is %d.", n,
                         MAX_MAPPING);
        return CHORUS_EINVAL;
    }
    /* Paths are quoted back in item errors, which must be clean text. */
    for (size_t i = 0; i < n && ok; i++)
        ok = (unsigned char)mapping[i] >= 0x20 && mapping[i] != 0x7F;
    if (!ok || !chorus_utf8_valid(mapping, n)) {
        parse__doc_error(err, 0, 0, "json_map",
                         "The mapping must be one line of UTF-8 text (got \"%s\").",
                         parse__quote(q, mapping, n));
        return CHORUS_EINVAL;
    }
    memcpy(m->text, mapping, n + 1);
    for (p = m->text; *p;) {
        char *comma = strchr(p, ','), *eq;
        char *stop = comma ? comma : p + strlen(p);
        const char *field, *path;
        int t;

        eq = memchr(p, '=', (size_t)(stop - p));
        if (!eq) {
            *stop = '\0';
            parse__doc_error(err, 0, 0, "json_map",
                             "\"%s\" is not field=path; a mapping looks like "
                             "\"title=name,body=text,author=user.name\".",
                             parse__quote(q, p, strlen(p)));
            return CHORUS_EINVAL;
        }
        field = trim(p, eq);
        path = trim(eq + 1, stop);
        for (t = 0; t < JT__COUNT && strcmp(targets[t].name, field) != 0; t++)
            ;
        if (t == JT__COUNT) {
            parse__doc_error(err, 0, 0, "json_map",
                             "\"%s\" is not a field a mapping can fill; docs/sources.md lists "
                             "them.",
                             parse__quote(q, field, strlen(field)));
            return CHORUS_EINVAL;
        }
        if (!*path || m->path[t]) {
            parse__doc_error(err, 0, 0, "json_map",
                             *path ? "%s is mapped twice." : "%s is mapped to an empty path.",
                             targets[t].name);
            return CHORUS_EINVAL;
        }
        m->path[t] = path;
        p = comma ? comma + 1 : stop;
    }
    return 0;
}

int parse_feed_map_check(const char *mapping, struct parse_error *err)
{
    struct jmap *m = malloc(sizeof(*m));
    int rc;

    if (!m)
        abort();
    rc = map_parse(m, mapping, err);
    free(m);
    return rc;
}

/* lookup follows a dotted path from obj; NULL when any step is missing. */
static json_t *lookup(json_t *v, const char *path)
{
    while (v && *path) {
        const char *dot = strchr(path, '.');
        size_t k = dot ? (size_t)(dot - path) : strlen(path);

        if (json_is_object(v)) {
            v = json_object_getn(v, path, k);
        } else if (json_is_array(v) && k > 0 && k < 10 && strspn(path, "0123456789") >= k) {
            v = json_array_get(v, strtoul(path, NULL, 10));
        } else {
            return NULL;
        }
        path += k + (dot ? 1 : 0);
    }
    return v;
}

/* ---- one item ---------------------------------------------------------------------------- */

static void text_value(struct parse__jmap *run, enum jt t, json_t *v)
{
    struct parse__feed *f = run->f;
    const char *path = run->map.path[t];
    enum parse__ff ff = (enum parse__ff)targets[t].ff;
    unsigned flags = t == JT_BODY && run->map.html ? PARSE__F_HTML : 0;
    char num[32];

    if (json_is_string(v)) {
        parse__feed_set(f, ff, 1, path, json_string_value(v), json_string_length(v), flags);
    } else if (json_is_integer(v) && (t == JT_SOURCE_ID || t == JT_PRODUCT_ID)) {
        /* Numeric ids are common; their decimal text is the id. */
        snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
        parse__feed_set(f, ff, 1, path, num, strlen(num), 0);
    } else {
        parse__feed_fail(f, "%s must be a string (got %s).", path, parse__json_type(v));
    }
}

static bool number(json_t *v, double *out)
{
    if (json_is_number(v)) {
        *out = json_number_value(v);
        return true;
    }
    return json_is_string(v) &&
           parse__number_text(json_string_value(v), json_string_length(v), out) == 0;
}

static void time_value(struct parse__feed *f, const char *path, json_t *v)
{
    double t;

    if (json_is_string(v)) {
        parse__feed_time(f, 1, path, json_string_value(v), json_string_length(v));
        return;
    }
    t = json_number_value(v);
    /* Seconds since 1970; a value past 10^11 (the year 5138 in seconds)
     * can only be milliseconds, as JavaScript writes them. */
    if (json_is_number(v) && t > 1e11)
        t /= 1000;
    if (!json_is_number(v) || !(t >= 0 && t <= MAX_TIME)) {
        parse__feed_fail(f,
                         "%s must be an RFC 3339 date-time or seconds since 1970 (got "
                         "%s).",
                         path, parse__json_type(v));
        return;
    }
    parse__feed_time_value(f, 1, (int64_t)floor(t));
}

static void map_item(struct parse__jmap *run, json_t *obj)
{
    struct parse__feed *f = run->f;
    const struct jmap *m = &run->map;
    double rating = 0, scale = 0, original = 0;
    bool has_rating = false, has_original = false, b;
    json_t *v, *c;
    size_t i;

    for (int t = 0; t < JT__COUNT; t++) {
        if (!m->path[t])
            continue;
        v = lookup(obj, m->path[t]);
        if (!v || json_is_null(v))
            continue;
        switch ((enum jt)t) {
        case JT_RATING:
        case JT_RATING_SCALE:
        case JT_RATING_ORIGINAL:
            if (!number(v, t == JT_RATING ? &rating : t == JT_RATING_SCALE ? &scale : &original)) {
                parse__feed_fail(f, "%s must be a number (got %s).", m->path[t],
                                 parse__json_type(v));
                return;
            }
            has_rating |= t == JT_RATING;
            has_original |= t == JT_RATING_ORIGINAL;
            break;
        case JT_CREATED_AT:
            time_value(f, m->path[t], v);
            break;
        case JT_CATEGORIES:
            if (json_is_string(v))
                parse__feed_category(f, json_string_value(v), json_string_length(v), 0);
            json_array_foreach(v, i, c)
            {
                if (json_is_string(c))
                    parse__feed_category(f, json_string_value(c), json_string_length(c), 0);
            }
            break;
        case JT_VERIFIED:
            if (json_is_boolean(v))
                parse__feed_verified(f, json_is_true(v));
            else if (json_is_string(v) &&
                     parse__bool_text(json_string_value(v), json_string_length(v), &b) == 0)
                parse__feed_verified(f, b);
            else if (json_is_integer(v) && (json_integer_value(v) & ~1) == 0)
                parse__feed_verified(f, json_integer_value(v) == 1);
            else {
                parse__feed_fail(f, "%s must be true or false (got %s).", m->path[t],
                                 parse__json_type(v));
                return;
            }
            break;
        default:
            text_value(run, (enum jt)t, v);
            break;
        }
    }
    /* As in docs/reviews.md: rating_original is the rating on rating_scale
     * when both are given (Chorus's own JSON); otherwise rating is. */
    if (has_original && scale != 0)
        parse__feed_rating(f, 1, m->path[JT_RATING_ORIGINAL], original, scale);
    else if (has_rating)
        parse__feed_rating(f, 1, m->path[JT_RATING], rating, scale);
}

/* amazon_item reads the dump's fields with amazon.c, then hands them over. */
static void amazon_item(struct parse__jmap *run, json_t *obj)
{
    struct parse__feed *f = run->f;
    struct parse__item *it = &run->amz;
    const struct review *r = &it->r;

    parse__item_begin(it, NULL, 0);
    if (parse__amazon_json(it, obj) != 0) {
        parse__feed_fail(f, "%s", it->err);
        return;
    }
    if (r->product_id)
        parse__feed_set(f, FF_PRODUCT_ID, 1, "asin", r->product_id, strlen(r->product_id), 0);
    if (r->source_id)
        parse__feed_set(f, FF_SOURCE_ID, 1, "reviewerID", r->source_id, strlen(r->source_id), 0);
    if (r->title)
        parse__feed_set(f, FF_TITLE, 1, "summary", r->title, strlen(r->title), 0);
    if (r->body)
        parse__feed_set(f, FF_BODY, 1, "reviewText", r->body, strlen(r->body), 0);
    if (r->author)
        parse__feed_set(f, FF_AUTHOR, 1, "reviewerName", r->author, strlen(r->author), 0);
    if (it->has_rating)
        parse__feed_rating(f, 1, it->rating_label, it->rating, 0);
    if (it->has_created)
        parse__feed_time_value(f, 1, r->created_at);
    parse__feed_verified(f, r->verified);
}

int parse__jmap_item(struct parse__jmap *run, struct parse__feed *f, const char *data, size_t n,
                     int depth)
{
    json_error_t jerr;
    json_t *v = NULL;
    char text[160];
    int rc;

    run->f = f;
    parse__feed_begin(f);
    if (n > PARSE__FEED_ITEM) {
        parse__feed_fail(f, "The item is %zu bytes; Chorus reads items of up to %u.", n,
                         PARSE__FEED_ITEM);
        goto out;
    }
    if (depth > PARSE__FEED_DEPTH) {
        parse__feed_fail(f, "The item nests more than %d levels deep.", PARSE__FEED_DEPTH);
        goto out;
    }
    if (!chorus_utf8_valid(data, n)) {
        /* The same repair as everywhere: U+FFFD for each invalid byte. */
        buf_reset(&run->fix);
        if (parse__utf8_fix(&run->fix, data, n) != 0) {
            parse__feed_fail(f, "The item is too large once repaired.");
            goto out;
        }
        data = run->fix.data;
        n = run->fix.len;
    }
    v = parse__json_load(data, n, &jerr);
    if (!v) {
        parse__clean(text, sizeof(text), jerr.text, strlen(jerr.text));
        parse__feed_fail(f, "The item is not valid JSON: %s (column %d).", text, jerr.column);
    } else if (!json_is_object(v)) {
        parse__feed_fail(f, "The item is %s, not an object.", parse__json_type(v));
    } else if (run->map.amazon) {
        amazon_item(run, v);
    } else {
        map_item(run, v);
    }
out:
    rc = parse__feed_end(f);
    json_decref(v);
    return rc;
}

int parse__jmap_new(struct parse__jmap **out, const char *mapping, struct parse_error *err)
{
    struct parse__jmap *m = malloc(sizeof(*m));
    int rc;

    *out = NULL;
    if (!m)
        abort();
    memset(m, 0, sizeof(*m));
    buf_init(&m->fix, 3 * (size_t)PARSE__FEED_ITEM);
    rc = map_parse(&m->map, mapping, err);
    if (rc) {
        parse__jmap_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

void parse__jmap_free(struct parse__jmap *m)
{
    if (!m)
        return;
    buf_cleanup(&m->fix);
    free(m);
}
