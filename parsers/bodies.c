/* Small request bodies: a product, a moderation decision, a brand response,
 * a vote. Held to the same standard as reviews: JSON objects only, unknown
 * fields rejected (a typo must not be silently ignored), caps of review.h,
 * and a sentence naming the field when something is wrong.
 */
#include "chorus/parse.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"
#include "parse_int.h"

/* load_object parses data as one JSON object (new reference, caller
 * decrefs), or returns NULL with a document error in *err and *rc set.
 * `fields` lists the body's fields for the sentences. */
static json_t *load_object(const char *data, size_t len, const char *fields,
                           struct parse_error *err, int *rc)
{
    json_error_t jerr;
    json_t *root;
    char text[160];
    size_t i = 0;

    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    if (i == len) {
        parse__doc_error(err, 0, 0, NULL, "The body is empty; send a JSON object with %s.", fields);
        *rc = CHORUS_EPARSE;
        return NULL;
    }
    root = parse__json_load(data, len, &jerr);
    if (!root) {
        parse__clean(text, sizeof(text), jerr.text, strlen(jerr.text));
        parse__doc_error(err, (size_t)jerr.line, (size_t)jerr.column, NULL,
                         "The body is not valid JSON: %s.", text);
        *rc = CHORUS_EPARSE;
        return NULL;
    }
    if (!json_is_object(root)) {
        parse__doc_error(err, 0, 0, NULL, "The body must be a JSON object with %s (got %s).",
                         fields, parse__json_type(root));
        json_decref(root);
        *rc = CHORUS_EINVAL;
        return NULL;
    }
    return root;
}

static int unknown(struct parse_error *err, const char *key, size_t klen, const char *fields)
{
    char q[PARSE__QUOTE];

    parse__doc_error(err, 0, 0, parse__quote(q, key, klen),
                     "Unknown field \"%s\"; the body may have %s.", q, fields);
    return CHORUS_EINVAL;
}

/* string_field checks that v is a string (null: *s = NULL) for field key. */
static int string_field(struct parse_error *err, const char *key, json_t *v, const char **s,
                        size_t *n)
{
    *s = NULL;
    *n = 0;
    if (json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        parse__doc_error(err, 0, 0, key, "%s must be a string (got %s).", key, parse__json_type(v));
        return CHORUS_EINVAL;
    }
    *s = json_string_value(v);
    *n = json_string_length(v);
    return 0;
}

/* field_error moves a setter's sentence into *err. */
static int field_error(struct parse_error *err, const char *field, const char *msg)
{
    parse__doc_error(err, 0, 0, field, "%s", msg);
    return CHORUS_EINVAL;
}

static char *xstrndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);

    if (!p)
        abort();
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

/* ---- product --------------------------------------------------------------------- */

#define PRODUCT_FIELDS "id, name, brand, category, url, image_url, gtin and mpn"

int parse_product(const char *data, size_t len, const char *path_id, struct product **out,
                  struct parse_error *err)
{
    struct product p;
    char category[CHORUS_MAX_CATEGORY + 1], msg[PARSE__ERR_MAX], q1[PARSE__QUOTE], q2[PARSE__QUOTE];
    json_t *root = NULL, *v;
    const char *key, *s;
    size_t klen, n;
    int f, rc = 0;

    *out = NULL;
    memset(&p, 0, sizeof(p));
    root = load_object(data, len, "the product fields " PRODUCT_FIELDS, err, &rc);
    if (!root)
        goto out;
    if (path_id) {
        /* The id in the URL is input too. */
        rc = parse__product_set(&p, category, PF_ID, "The product id in the URL", path_id,
                                strlen(path_id), PARSE__UTF8, msg);
        if (rc) {
            field_error(err, "id", msg);
            goto out;
        }
    }
    json_object_keylen_foreach(root, key, klen, v)
    {
        f = parse__pf_lookup(key, klen);
        if (f < 0) {
            rc = unknown(err, key, klen, PRODUCT_FIELDS);
            goto out;
        }
        rc = string_field(err, key, v, &s, &n);
        if (rc)
            goto out;
        if (!s)
            continue;
        if (f == PF_ID && path_id) {
            if (n != strlen(path_id) || memcmp(s, path_id, n) != 0) {
                parse__doc_error(err, 0, 0, "id",
                                 "The body's id \"%s\" differs from the id in the URL \"%s\"; "
                                 "leave id out of the body or make them equal.",
                                 parse__quote(q1, s, n),
                                 parse__quote(q2, path_id, strlen(path_id)));
                rc = CHORUS_EINVAL;
                goto out;
            }
            continue;
        }
        rc = parse__product_set(&p, category, (enum parse__pf)f, key, s, n, 0, msg);
        if (rc) {
            field_error(err, key, msg);
            goto out;
        }
    }
    if (!p.id) {
        parse__doc_error(err, 0, 0, "id", "id is missing; give the product's id (SKU).");
        rc = CHORUS_EINVAL;
        goto out;
    }
    /* Copy before root goes: p's strings point into it. */
    *out = product_dup(&p);
out:
    json_decref(root);
    return rc;
}

/* ---- moderation -------------------------------------------------------------------- */

#define MODERATION_FIELDS "status (\"approved\", \"pending\" or \"rejected\") and reason"

int parse_moderation(const char *data, size_t len, enum review_status *status, char *reason,
                     size_t reason_cap, struct parse_error *err)
{
    struct parse__item it; /* only for its status setter and sentence */
    char msg[PARSE__ERR_MAX];
    json_t *root = NULL, *v;
    const char *key, *s;
    size_t klen, n, cap = CHORUS_MAX_REASON;
    bool has_status = false;
    int rc = 0;

    if (reason && reason_cap)
        reason[0] = '\0';
    /* The caller's buffer may be smaller than the cap; never overrun it. */
    if (!reason || reason_cap == 0)
        cap = 0;
    else if (reason_cap - 1 < cap)
        cap = reason_cap - 1;
    root = load_object(data, len, MODERATION_FIELDS, err, &rc);
    if (!root)
        goto out;
    json_object_keylen_foreach(root, key, klen, v)
    {
        bool is_status = klen == 6 && memcmp(key, "status", 6) == 0;
        bool is_reason = klen == 6 && memcmp(key, "reason", 6) == 0;

        if (!is_status && !is_reason) {
            rc = unknown(err, key, klen, MODERATION_FIELDS);
            goto out;
        }
        rc = string_field(err, key, v, &s, &n);
        if (rc)
            goto out;
        if (!s)
            continue;
        if (is_status) {
            parse__item_begin(&it, NULL, 0);
            rc = parse__item_str(&it, RF_STATUS, "status", s, n, 0);
            if (rc) {
                field_error(err, "status", it.err);
                goto out;
            }
            *status = it.r.status;
            has_status = true;
        } else {
            rc = parse__text(msg, "reason", s, n, cap, 0);
            if (rc) {
                field_error(err, "reason", msg);
                goto out;
            }
            if (n)
                memcpy(reason, s, n + 1);
        }
    }
    if (!has_status) {
        parse__doc_error(err, 0, 0, "status",
                         "status is missing; send \"approved\", \"pending\" or \"rejected\".");
        rc = CHORUS_EINVAL;
    }
out:
    json_decref(root);
    return rc;
}

/* ---- brand response ------------------------------------------------------------------ */

#define RESPONSE_FIELDS "author and body"

int parse_response(const char *data, size_t len, char **author, char **body,
                   struct parse_error *err)
{
    json_t *root = NULL, *v;
    const char *key, *s, *a = "", *b = NULL;
    size_t klen, n, alen = 0, blen = 0;
    char msg[PARSE__ERR_MAX];
    int rc = 0;

    *author = NULL;
    *body = NULL;
    root = load_object(data, len, RESPONSE_FIELDS, err, &rc);
    if (!root)
        goto out;
    json_object_keylen_foreach(root, key, klen, v)
    {
        bool is_author = klen == 6 && memcmp(key, "author", 6) == 0;
        bool is_body = klen == 4 && memcmp(key, "body", 4) == 0;

        if (!is_author && !is_body) {
            rc = unknown(err, key, klen, RESPONSE_FIELDS);
            goto out;
        }
        rc = string_field(err, key, v, &s, &n);
        if (rc)
            goto out;
        if (!s)
            continue;
        rc = parse__text(msg, key, s, n, is_author ? CHORUS_MAX_AUTHOR : CHORUS_MAX_RESPONSE, 0);
        if (rc) {
            field_error(err, key, msg);
            goto out;
        }
        if (is_author) {
            a = s;
            alen = n;
        } else {
            b = s;
            blen = n;
        }
    }
    if (!b || blen == 0) {
        parse__doc_error(err, 0, 0, "body", "body is missing; a response needs its text.");
        rc = CHORUS_EINVAL;
        goto out;
    }
    *author = xstrndup(a, alen);
    *body = xstrndup(b, blen);
out:
    json_decref(root);
    return rc;
}

/* ---- vote -------------------------------------------------------------------------- */

int parse_vote(const char *data, size_t len, bool *helpful, struct parse_error *err)
{
    json_t *root = NULL, *v;
    const char *key;
    size_t klen;
    bool seen = false;
    int rc = 0;

    root = load_object(data, len, "helpful (true or false)", err, &rc);
    if (!root)
        goto out;
    json_object_keylen_foreach(root, key, klen, v)
    {
        if (klen != 7 || memcmp(key, "helpful", 7) != 0) {
            rc = unknown(err, key, klen, "helpful (true or false)");
            goto out;
        }
        if (!json_is_boolean(v)) {
            parse__doc_error(err, 0, 0, "helpful", "helpful must be true or false (got %s).",
                             parse__json_type(v));
            rc = CHORUS_EINVAL;
            goto out;
        }
        *helpful = json_is_true(v);
        seen = true;
    }
    if (!seen) {
        parse__doc_error(err, 0, 0, "helpful",
                         "helpful is missing; send {\"helpful\": true} or {\"helpful\": false}.");
        rc = CHORUS_EINVAL;
    }
out:
    json_decref(root);
    return rc;
}

/* ---- reader token ---------------------------------------------------------------- */

int parse_token_request(const char *data, size_t len, char *name, size_t cap,
                        struct parse_error *err)
{
    json_t *root = NULL, *v;
    const char *key, *s;
    size_t klen, n;
    int rc = 0;

    name[0] = '\0';
    root = load_object(data, len, "name (who the token is for)", err, &rc);
    if (!root)
        goto out;
    json_object_keylen_foreach(root, key, klen, v)
    {
        if (klen != 4 || memcmp(key, "name", 4) != 0) {
            rc = unknown(err, key, klen, "name (who the token is for)");
            goto out;
        }
        if (!json_is_string(v)) {
            parse__doc_error(err, 0, 0, "name", "name must be a string (got %s).",
                             parse__json_type(v));
            rc = CHORUS_EINVAL;
            goto out;
        }
        s = json_string_value(v);
        n = json_string_length(v);
        if (n == 0 || n >= cap || memchr(s, '\0', n)) {
            parse__doc_error(err, 0, 0, "name", "name must be 1 to %zu bytes of text.", cap - 1);
            rc = CHORUS_EINVAL;
            goto out;
        }
        memcpy(name, s, n + 1);
    }
    if (!name[0]) {
        parse__doc_error(err, 0, 0, "name",
                         "name is missing; send {\"name\": \"who the token is for\"}.");
        rc = CHORUS_EINVAL;
    }
out:
    json_decref(root);
    return rc;
}

/* ---- known issue --------------------------------------------------------------------- */

#define ISSUE_FIELDS "product_id, component, title, status, fixed_in, fixed_at and phrases"

void parse_issue_cleanup(struct parse_issue *is)
{
    free(is->product_id);
    free(is->component);
    free(is->title);
    free(is->status);
    free(is->fixed_in);
    for (size_t i = 0; i < is->n_phrases; i++)
        free(is->phrases[i]);
    memset(is, 0, sizeof(*is));
}

static int issue_phrases(struct parse_issue *out, json_t *v, struct parse_error *err)
{
    size_t i;
    json_t *e;

    if (json_is_null(v))
        return 0;
    if (!json_is_array(v)) {
        parse__doc_error(err, 0, 0, "phrases", "phrases must be an array of strings (got %s).",
                         parse__json_type(v));
        return CHORUS_EINVAL;
    }
    if (json_array_size(v) > PARSE_ISSUE_PHRASES) {
        parse__doc_error(err, 0, 0, "phrases", "phrases holds %zu entries; at most %d are taken.",
                         json_array_size(v), PARSE_ISSUE_PHRASES);
        return CHORUS_EINVAL;
    }
    json_array_foreach(v, i, e)
    {
        if (!json_is_string(e)) {
            parse__doc_error(err, 0, 0, "phrases", "phrases[%zu] must be a string (got %s).", i,
                             parse__json_type(e));
            return CHORUS_EINVAL;
        }
        if (memchr(json_string_value(e), '\0', json_string_length(e))) {
            parse__doc_error(err, 0, 0, "phrases", "phrases[%zu] must not hold a NUL character.",
                             i);
            return CHORUS_EINVAL;
        }
        out->phrases[out->n_phrases++] = xstrndup(json_string_value(e), json_string_length(e));
    }
    return 0;
}

int parse_issue(const char *data, size_t len, struct parse_issue *out, struct parse_error *err)
{
    static const struct {
        const char *name;
        unsigned bit;
        size_t off;
    } strs[] = {
        {"product_id", PARSE_ISSUE_PRODUCT, offsetof(struct parse_issue, product_id)},
        {"component", PARSE_ISSUE_COMPONENT, offsetof(struct parse_issue, component)},
        {"title", PARSE_ISSUE_TITLE, offsetof(struct parse_issue, title)},
        {"status", PARSE_ISSUE_STATUS, offsetof(struct parse_issue, status)},
        {"fixed_in", PARSE_ISSUE_FIXED_IN, offsetof(struct parse_issue, fixed_in)},
    };
    json_t *root, *v;
    const char *key, *s;
    size_t klen, n;
    int rc = 0;

    memset(out, 0, sizeof(*out));
    root = load_object(data, len, ISSUE_FIELDS, err, &rc);
    if (!root)
        return rc;
    json_object_keylen_foreach(root, key, klen, v)
    {
        size_t i;

        for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
            if (strlen(strs[i].name) == klen && memcmp(strs[i].name, key, klen) == 0)
                break;
        if (i < sizeof(strs) / sizeof(strs[0])) {
            rc = string_field(err, strs[i].name, v, &s, &n);
            if (rc)
                break;
            if (s && memchr(s, '\0', n)) {
                parse__doc_error(err, 0, 0, strs[i].name, "%s must not hold a NUL character.",
                                 strs[i].name);
                rc = CHORUS_EINVAL;
                break;
            }
            out->has |= strs[i].bit;
            if (s)
                *(char **)((char *)out + strs[i].off) = xstrndup(s, n);
        } else if (klen == 8 && memcmp(key, "fixed_at", 8) == 0) {
            rc = string_field(err, "fixed_at", v, &s, &n);
            if (rc == 0 && s &&
                (chorus_time_parse(s, n, &out->fixed_at) != 0 || out->fixed_at <= 0)) {
                parse__doc_error(err, 0, 0, "fixed_at",
                                 "fixed_at must be an RFC 3339 time such as "
                                 "2026-11-20T00:00:00Z, or null.");
                rc = CHORUS_EINVAL;
            }
            if (rc)
                break;
            out->has |= PARSE_ISSUE_FIXED_AT;
        } else if (klen == 7 && memcmp(key, "phrases", 7) == 0) {
            rc = issue_phrases(out, v, err);
            if (rc)
                break;
            out->has |= PARSE_ISSUE_PHRASES_SET;
        } else {
            rc = unknown(err, key, klen, ISSUE_FIELDS);
            break;
        }
    }
    json_decref(root);
    return rc;
}
