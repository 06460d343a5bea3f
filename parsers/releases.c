/* The body of PUT /api/v1/products/{id}/releases: a JSON array of
 * {"version", "released_at", "notes"} objects, held to the caps the server
 * was configured with (struct parse_release_caps), unknown fields rejected
 * and every error a sentence naming the entry and the field.
 */
#include "chorus/parse.h"

#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"
#include "parse_int.h"

#define RELEASE_FIELDS "version, released_at and notes"

/* entry_error names entry i and field f in *err. */
static int entry_error(struct parse_error *err, size_t i, const char *f, const char *msg)
{
    parse__doc_error(err, 0, 0, f, "Release %zu: %s", i + 1, msg);
    return CHORUS_EINVAL;
}

/* one_release checks entry i and fills *r with strings borrowed from v. */
static int one_release(json_t *v, size_t i, const struct parse_release_caps *caps,
                       struct product_release *r, struct parse_error *err)
{
    char msg[PARSE__ERR_MAX], q[PARSE__QUOTE];
    const char *key;
    json_t *f;
    size_t klen;

    memset(r, 0, sizeof(*r));
    if (!json_is_object(v)) {
        parse__fmt(msg, sizeof(msg), "must be an object with %s (got %s).", RELEASE_FIELDS,
                   parse__json_type(v));
        return entry_error(err, i, "", msg);
    }
    json_object_keylen_foreach(v, key, klen, f)
    {
        bool is_version = klen == 7 && memcmp(key, "version", 7) == 0;
        bool is_at = klen == 11 && memcmp(key, "released_at", 11) == 0;
        bool is_notes = klen == 5 && memcmp(key, "notes", 5) == 0;
        const char *s;
        size_t n;

        if (!is_version && !is_at && !is_notes) {
            parse__fmt(msg, sizeof(msg), "unknown field \"%s\"; a release may have %s.",
                       parse__quote(q, key, klen), RELEASE_FIELDS);
            return entry_error(err, i, q, msg);
        }
        if (is_notes && json_is_null(f))
            continue;
        if (!json_is_string(f)) {
            parse__fmt(msg, sizeof(msg), "%s must be a string (got %s).", key, parse__json_type(f));
            return entry_error(err, i, key, msg);
        }
        s = json_string_value(f);
        n = json_string_length(f);
        if (is_version) {
            if (parse__text(msg, "version", s, n, caps->max_version,
                            PARSE__NOCTL | PARSE__NONEMPTY) != 0)
                return entry_error(err, i, key, msg);
            r->version = s;
        } else if (is_at) {
            if (parse__time(msg, "released_at", s, n, &r->released_at) != 0)
                return entry_error(err, i, key, msg);
            if (r->released_at == 0)
                return entry_error(err, i, key, "released_at must be after 1970-01-01.");
        } else {
            if (parse__text(msg, "notes", s, n, caps->max_notes, 0) != 0)
                return entry_error(err, i, key, msg);
            r->notes = s;
        }
    }
    if (!r->version)
        return entry_error(err, i, "version", "version is missing; name it, as in \"BIOS 1.14\".");
    if (!r->released_at)
        return entry_error(err, i, "released_at",
                           "released_at is missing; give an RFC 3339 time such as "
                           "\"2026-11-20T00:00:00Z\".");
    return 0;
}

/* copy_out makes the one heap block the caller frees: the array, then the
 * strings it points at. */
static struct product_release *copy_out(const struct product_release *in, size_t n)
{
    size_t size = n * sizeof(*in);
    struct product_release *out;
    char *p;

    for (size_t i = 0; i < n; i++)
        size += strlen(in[i].version) + 1 + (in[i].notes ? strlen(in[i].notes) + 1 : 0);
    out = malloc(size ? size : 1);
    if (!out)
        abort();
    p = (char *)(out + n);
    for (size_t i = 0; i < n; i++) {
        size_t vl = strlen(in[i].version) + 1;

        out[i] = in[i];
        out[i].version = memcpy(p, in[i].version, vl);
        p += vl;
        if (in[i].notes) {
            size_t nl = strlen(in[i].notes) + 1;

            out[i].notes = memcpy(p, in[i].notes, nl);
            p += nl;
        }
    }
    return out;
}

int parse_releases(const char *data, size_t len, const struct parse_release_caps *caps,
                   struct product_release **out, size_t *n, struct parse_error *err)
{
    struct product_release *tmp = NULL;
    char text[160], q[PARSE__QUOTE];
    json_error_t jerr;
    json_t *root = NULL;
    size_t count;
    int rc = 0;

    *out = NULL;
    *n = 0;
    root = parse__json_load(data, len, &jerr);
    if (!root) {
        parse__clean(text, sizeof(text), jerr.text, strlen(jerr.text));
        parse__doc_error(err, (size_t)jerr.line, (size_t)jerr.column, NULL,
                         "The body is not valid JSON: %s.", text);
        rc = CHORUS_EPARSE;
        goto out;
    }
    if (!json_is_array(root)) {
        parse__doc_error(err, 0, 0, NULL,
                         "The body must be a JSON array of releases, each with %s (got %s).",
                         RELEASE_FIELDS, parse__json_type(root));
        rc = CHORUS_EINVAL;
        goto out;
    }
    count = json_array_size(root);
    if (count > caps->max_count) {
        parse__doc_error(err, 0, 0, NULL,
                         "The body lists %zu releases; a product may have at most %zu "
                         "(max_releases).",
                         count, caps->max_count);
        rc = CHORUS_EINVAL;
        goto out;
    }
    tmp = calloc(count ? count : 1, sizeof(*tmp));
    if (!tmp)
        abort();
    for (size_t i = 0; i < count; i++) {
        rc = one_release(json_array_get(root, i), i, caps, &tmp[i], err);
        if (rc)
            goto out;
        for (size_t j = 0; j < i; j++) {
            if (strcmp(tmp[j].version, tmp[i].version) == 0) {
                parse__doc_error(err, 0, 0, "version",
                                 "Releases %zu and %zu both name version \"%s\"; a version "
                                 "names one release.",
                                 j + 1, i + 1,
                                 parse__quote(q, tmp[i].version, strlen(tmp[i].version)));
                rc = CHORUS_EINVAL;
                goto out;
            }
        }
    }
    *out = copy_out(tmp, count);
    *n = count;
out:
    free(tmp);
    json_decref(root);
    return rc;
}
