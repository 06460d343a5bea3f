/* Source bodies (POST /api/v1/sources, chorus sources add) and the two
 * stored JSON texts of a source: its request headers and its product map.
 *
 * The body is held to the standard of the other bodies: one JSON object,
 * unknown fields refused, caps checked before anything is copied. What is
 * kept of headers and product_map is their compact re-serialisation, so
 * the store holds text this file wrote and source_item.c can trust it.
 */
#include "chorus/parse.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "parse_int.h"

#define SOURCE_FIELDS                                                                              \
    "kind, url, interval, headers, status, product_id or product_map, json_map, catalogue"
#define MAX_HEADER_COUNT 32

static int fail(struct parse_error *err, const char *field, const char *msg)
{
    parse__doc_error(err, 0, 0, field, "%s", msg);
    return CHORUS_EINVAL;
}

static bool url_ok(const char *s, size_t n)
{
    if (n == 0 || n > SOURCE_MAX_URL)
        return false;
    if (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
            return false;
    /* A host is needed: "http://" alone or "http:///x" is not a source. */
    return s[s[4] == 's' ? 8 : 7] != '\0' && s[s[4] == 's' ? 8 : 7] != '/';
}

static bool token_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* check_headers validates a headers object: names are HTTP tokens, values
 * text without CR, LF or NUL; at most MAX_HEADER_COUNT. Host and the
 * headers the poller sets itself are refused so a source cannot undo them. */
static int check_headers(json_t *h, struct parse_error *err)
{
    static const char *const reserved[] = {"host",
                                           "content-length",
                                           "if-none-match",
                                           "if-modified-since",
                                           "accept-encoding",
                                           "transfer-encoding",
                                           "connection"};
    const char *key;
    size_t klen;
    json_t *v;

    if (!json_is_object(h))
        return fail(err, "headers", "headers must be an object of header names to values.");
    if (json_object_size(h) > MAX_HEADER_COUNT)
        return fail(err, "headers", "A source may send at most 32 headers.");
    json_object_keylen_foreach(h, key, klen, v)
    {
        const char *s;
        size_t n;

        if (klen == 0 || klen > 100)
            return fail(err, "headers", "A header name is 1 to 100 characters.");
        for (size_t i = 0; i < klen; i++)
            if (!token_char((unsigned char)key[i]))
                return fail(err, "headers",
                            "A header name may hold letters, digits and !#$%&'*+-.^_`|~ only.");
        for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
            if (strlen(reserved[i]) == klen && strncasecmp(key, reserved[i], klen) == 0)
                return fail(err, "headers",
                            "Host, Content-Length, Connection, Transfer-Encoding, "
                            "Accept-Encoding and the validators are set by the poller.");
        if (!json_is_string(v))
            return fail(err, "headers", "Header values must be strings.");
        s = json_string_value(v);
        n = json_string_length(v);
        if (n > 4000 || memchr(s, '\r', n) || memchr(s, '\n', n) || memchr(s, '\0', n))
            return fail(err, "headers",
                        "A header value is at most 4000 bytes, without CR, LF or NUL.");
    }
    return 0;
}

static bool id_ok(json_t *v)
{
    size_t n = json_is_string(v) ? json_string_length(v) : 0;

    return n > 0 && n <= CHORUS_MAX_PRODUCT_ID && !memchr(json_string_value(v), '\0', n);
}

/* parse__product_map_check validates product_map: {"field": ..., "category": ...,
 * "link_patterns": [{"pattern": ..., "product_id": ...}]}, at least one. */
int parse__product_map_check(json_t *m, struct parse_error *err)
{
    static const char *const fields[] = {"product_id", "sku", "gtin", "mpn", "asin"};
    const char *key;
    size_t klen;
    json_t *v;
    bool any = false;

    if (!json_is_object(m))
        return fail(err, "product_map", "product_map must be an object.");
    json_object_keylen_foreach(m, key, klen, v)
    {
        if (klen == 5 && memcmp(key, "field", 5) == 0) {
            bool known = false;

            for (size_t i = 0; json_is_string(v) && i < sizeof(fields) / sizeof(fields[0]); i++)
                known |= strcmp(json_string_value(v), fields[i]) == 0;
            if (!known)
                return fail(err, "product_map.field",
                            "product_map.field is one of product_id, sku, gtin, mpn, asin.");
        } else if (klen == 8 && memcmp(key, "category", 8) == 0) {
            if (!json_is_string(v) || json_string_length(v) > 100 ||
                memchr(json_string_value(v), '\0', json_string_length(v)))
                return fail(err, "product_map.category",
                            "product_map.category is a prefix of up to 100 bytes (\"\" = the "
                            "first category term as it is).");
        } else if (klen == 13 && memcmp(key, "link_patterns", 13) == 0) {
            size_t i;
            json_t *e;

            if (!json_is_array(v) || json_array_size(v) == 0 ||
                json_array_size(v) > SOURCE_MAX_PATTERNS)
                return fail(err, "product_map.link_patterns",
                            "link_patterns is an array of 1 to 200 {\"pattern\", \"product_id\"}.");
            json_array_foreach(v, i, e)
            {
                json_t *p = json_object_get(e, "pattern"), *id = json_object_get(e, "product_id");
                size_t pn = json_is_string(p) ? json_string_length(p) : 0;

                if (!json_is_object(e) || json_object_size(e) != 2 || pn == 0 || pn > 500 ||
                    memchr(json_string_value(p), '\0', pn) || !id_ok(id))
                    return fail(err, "product_map.link_patterns",
                                "Each link pattern is {\"pattern\": \"1 to 500 bytes\", "
                                "\"product_id\": \"1 to 128 bytes\"}.");
            }
        } else {
            return fail(err, "product_map",
                        "product_map may have field, category and link_patterns only.");
        }
        any = true;
    }
    if (!any)
        return fail(err, "product_map",
                    "product_map needs field, category or link_patterns (docs/sources.md).");
    return 0;
}

static const char *pick_string(json_t *v)
{
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int parse_source(const char *data, size_t len, uint32_t min_interval, struct source_config **out,
                 struct parse_error *err)
{
    json_error_t jerr;
    json_t *root = NULL, *v;
    char *headers = NULL, *map = NULL;
    struct source_config c;
    const char *key;
    size_t klen;
    bool have_kind = false;
    int rc = CHORUS_EINVAL;

    *out = NULL;
    memset(&c, 0, sizeof(c));
    c.interval = SOURCE_INTERVAL_DEFAULT;
    c.status = REVIEW_APPROVED;
    root = parse__json_load(data, len, &jerr);
    if (!root) {
        char text[160];

        parse__clean(text, sizeof(text), jerr.text, strlen(jerr.text));
        parse__doc_error(err, (size_t)jerr.line, (size_t)jerr.column, NULL,
                         "The body is not valid JSON: %s.", text);
        return CHORUS_EPARSE;
    }
    if (!json_is_object(root)) {
        rc = fail(err, NULL, "The body must be a JSON object with " SOURCE_FIELDS ".");
        goto out;
    }
    json_object_keylen_foreach(root, key, klen, v)
    {
        char q[PARSE__QUOTE];

        if (klen == 4 && memcmp(key, "kind", 4) == 0) {
            if (!json_is_string(v) || source_kind_parse(json_string_value(v), &c.kind) != 0) {
                rc = fail(err, "kind", "kind is one of rss, atom, json, ndjson, google-reviews.");
                goto out;
            }
            have_kind = true;
        } else if (klen == 3 && memcmp(key, "url", 3) == 0) {
            if (!json_is_string(v) || !url_ok(json_string_value(v), json_string_length(v))) {
                rc = fail(err, "url",
                          "url must be an absolute http:// or https:// URL of at most 2000 "
                          "bytes, without spaces.");
                goto out;
            }
            c.url = json_string_value(v);
        } else if (klen == 8 && memcmp(key, "interval", 8) == 0) {
            json_int_t n = json_is_integer(v) ? json_integer_value(v) : -1;

            if (n < (json_int_t)min_interval || n > SOURCE_INTERVAL_MAX) {
                parse__doc_error(err, 0, 0, "interval",
                                 "interval is a whole number of seconds from %u to %d.",
                                 (unsigned)min_interval, SOURCE_INTERVAL_MAX);
                goto out;
            }
            c.interval = (uint32_t)n;
        } else if (klen == 7 && memcmp(key, "headers", 7) == 0) {
            rc = check_headers(v, err);
            if (rc)
                goto out;
            rc = CHORUS_EINVAL;
            headers = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
            if (!headers)
                abort();
            if (strlen(headers) > SOURCE_MAX_HEADERS) {
                rc = fail(err, "headers", "The headers are over 8 KiB in all.");
                goto out;
            }
        } else if (klen == 6 && memcmp(key, "status", 6) == 0) {
            const char *s = pick_string(v);

            if (!s || (strcmp(s, "approved") != 0 && strcmp(s, "pending") != 0)) {
                rc = fail(err, "status",
                          "status is \"approved\" or \"pending\": what the source's items get.");
                goto out;
            }
            c.status = strcmp(s, "approved") == 0 ? REVIEW_APPROVED : REVIEW_PENDING;
        } else if (klen == 10 && memcmp(key, "product_id", 10) == 0) {
            if (!id_ok(v)) {
                rc = fail(err, "product_id", "product_id is 1 to 128 bytes of text.");
                goto out;
            }
            c.product_id = json_string_value(v);
        } else if (klen == 11 && memcmp(key, "product_map", 11) == 0) {
            rc = parse__product_map_check(v, err);
            if (rc)
                goto out;
            rc = CHORUS_EINVAL;
            map = json_dumps(v, JSON_COMPACT);
            if (!map)
                abort();
            if (strlen(map) > SOURCE_MAX_MAP) {
                rc = fail(err, "product_map", "product_map is over 64 KiB.");
                goto out;
            }
        } else if (klen == 8 && memcmp(key, "json_map", 8) == 0) {
            if (!json_is_string(v) || json_string_length(v) == 0 ||
                json_string_length(v) > SOURCE_MAX_JSON_MAP ||
                memchr(json_string_value(v), '\0', json_string_length(v))) {
                rc = fail(err, "json_map",
                          "json_map is \"field=path,...\" (docs/sources.md), 1 to 2000 bytes.");
                goto out;
            }
            c.json_map = json_string_value(v);
        } else if (klen == 9 && memcmp(key, "catalogue", 9) == 0) {
            if (!json_is_boolean(v)) {
                rc = fail(err, "catalogue",
                          "catalogue is true or false: whether the source's product fields may "
                          "replace set ones (docs/sources.md).");
                goto out;
            }
            c.catalogue = json_is_true(v);
        } else {
            parse__doc_error(err, 0, 0, parse__quote(q, key, klen),
                             "Unknown field \"%s\"; a source may have " SOURCE_FIELDS ".", q);
            goto out;
        }
    }
    if (!have_kind || !c.url) {
        rc = fail(err, have_kind ? "url" : "kind",
                  "A source needs at least kind and url; see docs/sources.md.");
        goto out;
    }
    if (c.product_id && map) {
        rc = fail(err, "product_map", "Give product_id or product_map, not both.");
        goto out;
    }
    if (!c.product_id && !map && (c.kind == SOURCE_RSS || c.kind == SOURCE_ATOM)) {
        rc = fail(err, "product_id",
                  "RSS and Atom items do not name a product: give product_id or product_map.");
        goto out;
    }
    if (c.json_map && c.kind != SOURCE_JSON && c.kind != SOURCE_NDJSON) {
        rc = fail(err, "json_map", "json_map applies to json and ndjson sources only.");
        goto out;
    }
    c.headers = headers ? headers : "{}";
    c.product_map = map;
    *out = source_config_dup(&c);
    rc = 0;
out:
    free(headers);
    free(map);
    json_decref(root);
    return rc;
}

int parse_source_headers(const char *json,
                         void (*fn)(void *ctx, const char *name, const char *value), void *ctx)
{
    json_t *root = json_loads(json ? json : "{}", PARSE__JSON_FLAGS, NULL), *v;
    const char *key;

    if (!root || !json_is_object(root)) {
        json_decref(root);
        return CHORUS_EINVAL;
    }
    json_object_foreach(root, key, v)
    {
        if (json_is_string(v))
            fn(ctx, key, json_string_value(v));
    }
    json_decref(root);
    return 0;
}
