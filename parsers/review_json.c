/* A JSON review object (the Chorus review contract, docs/reviews.md) into a
 * struct parse__item.
 *
 * The object's keys are walked once and dispatched by name, rather than
 * looked up field by field: one pass both finds every field and catches the
 * unknown ones. Strings are not copied: the item points into the json_t,
 * which the caller keeps alive until the callback returns.
 */
#include "parse_int.h"

#include <stdio.h>
#include <string.h>

#include "chorus/base.h"

static int unknown(char *err, const char *where, const char *key, size_t klen, const char *hint)
{
    char q[PARSE__QUOTE];

    return parse__fail(err, "%s has an unknown field \"%s\"; %s", where, parse__quote(q, key, klen),
                       hint);
}

/* ---- responses ---------------------------------------------------------------- */

static int response_json(struct parse__item *it, size_t i, json_t *obj)
{
    struct review_response *resp = &it->responses[i];
    char label[48];
    const char *key;
    size_t klen;
    json_t *v;
    int rc;

    if (!json_is_object(obj))
        return parse__fail(it->err,
                           "responses[%zu] must be an object with author, body and created_at "
                           "(got %s).",
                           i, parse__json_type(obj));
    resp->author = NULL;
    resp->body = NULL;
    resp->created_at = it->now;
    json_object_keylen_foreach(obj, key, klen, v)
    {
        bool is_author = klen == 6 && memcmp(key, "author", 6) == 0;
        bool is_body = klen == 4 && memcmp(key, "body", 4) == 0;
        bool is_time = klen == 10 && memcmp(key, "created_at", 10) == 0;
        const char *s;
        size_t n;

        if (!is_author && !is_body && !is_time) {
            snprintf(label, sizeof(label), "responses[%zu]", i);
            return unknown(it->err, label, key, klen,
                           "a response has author, body and created_at.");
        }
        snprintf(label, sizeof(label), "responses[%zu].%s", i, key);
        if (json_is_null(v))
            continue;
        if (!json_is_string(v))
            return parse__fail(it->err, "%s must be a string (got %s).", label,
                               parse__json_type(v));
        s = json_string_value(v);
        n = json_string_length(v);
        if (is_time) {
            rc = parse__time(it->err, label, s, n, &resp->created_at);
        } else {
            rc = parse__text(it->err, label, s, n,
                             is_author ? CHORUS_MAX_AUTHOR : CHORUS_MAX_RESPONSE, 0);
            if (is_author)
                resp->author = n ? s : NULL;
            else
                resp->body = n ? s : NULL;
        }
        if (rc)
            return rc;
    }
    if (!resp->body)
        return parse__fail(it->err, "responses[%zu].body is missing; a response needs its text.",
                           i);
    return 0;
}

static int responses_json(struct parse__item *it, json_t *arr)
{
    size_t n = json_array_size(arr);
    int rc;

    if (n > CHORUS_MAX_RESPONSES)
        return parse__fail(it->err, "responses has %zu entries; the limit is %d.", n,
                           CHORUS_MAX_RESPONSES);
    for (size_t i = 0; i < n; i++) {
        rc = response_json(it, i, json_array_get(arr, i));
        if (rc)
            return rc;
    }
    it->r.responses = n ? it->responses : NULL;
    it->r.n_responses = n;
    return 0;
}

/* ---- product -------------------------------------------------------------------- */

static int product_json(struct parse__item *it, json_t *obj)
{
    char label[32];
    const char *key;
    size_t klen;
    json_t *v;
    int f, rc;

    it->has_product = true;
    json_object_keylen_foreach(obj, key, klen, v)
    {
        f = parse__pf_lookup(key, klen);
        if (f < 0)
            return unknown(it->err, "product", key, klen,
                           "a product has id, name, brand, category, url, image_url, gtin and "
                           "mpn.");
        snprintf(label, sizeof(label), "product.%s", key);
        if (json_is_null(v))
            continue;
        if (!json_is_string(v))
            return parse__fail(it->err, "%s must be a string (got %s).", label,
                               parse__json_type(v));
        rc = parse__product_set(&it->p, it->category, (enum parse__pf)f, label,
                                json_string_value(v), json_string_length(v), it->pflags, it->err);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- review ------------------------------------------------------------------- */

static int field_json(struct parse__item *it, enum parse__rf f, json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_NULL:
        return 0; /* null is the same as leaving the field out */
    case JSON_STRING:
        return parse__item_str(it, f, NULL, json_string_value(v), json_string_length(v), 0);
    case JSON_INTEGER:
        return parse__item_num(it, f, NULL, (double)json_integer_value(v));
    case JSON_REAL:
        return parse__item_num(it, f, NULL, json_real_value(v));
    case JSON_TRUE:
    case JSON_FALSE:
        return parse__item_bool(it, f, NULL, json_is_true(v));
    case JSON_ARRAY:
        if (f == RF_RESPONSES)
            return responses_json(it, v);
        break;
    case JSON_OBJECT:
        if (f == RF_PRODUCT)
            return product_json(it, v);
        break;
    }
    return parse__item_type_error(it, f, NULL, parse__json_type(v));
}

int parse__review_json(struct parse__item *it, json_t *obj)
{
    const char *key;
    size_t klen;
    json_t *v;
    int f, rc;

    json_object_keylen_foreach(obj, key, klen, v)
    {
        f = parse__rf_lookup(key, klen);
        if (f < 0)
            return unknown(it->err, "The review", key, klen,
                           "docs/reviews.md lists the review fields.");
        /* The server assigns ids, component tags, origins, versions and
         * known issues; exported ones are not errors, and not input either. */
        if (f == RF_ID || f == RF_COMPONENTS || f == RF_ORIGINS || f == RF_VERSIONS ||
            f == RF_KNOWN_ISSUE)
            continue;
        rc = field_json(it, (enum parse__rf)f, v);
        if (rc)
            return rc;
    }
    return 0;
}
