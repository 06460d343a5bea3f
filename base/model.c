/* The data model's small helpers: status and source-kind names, and deep
 * copies of review, product and source records into single heap blocks, so
 * a record can outlive the parser callback or transaction that lent it. */
#include "chorus/base.h"

#include <stdlib.h>
#include <string.h>

const char *review_status_name(enum review_status s)
{
    switch (s) {
    case REVIEW_PENDING:
        return "pending";
    case REVIEW_APPROVED:
        return "approved";
    case REVIEW_REJECTED:
        return "rejected";
    }
    return "pending";
}

int review_status_parse(const char *s, enum review_status *out)
{
    if (strcmp(s, "pending") == 0)
        *out = REVIEW_PENDING;
    else if (strcmp(s, "approved") == 0)
        *out = REVIEW_APPROVED;
    else if (strcmp(s, "rejected") == 0)
        *out = REVIEW_REJECTED;
    else
        return CHORUS_EINVAL;
    return 0;
}

static size_t slen(const char *s)
{
    return s ? strlen(s) + 1 : 0;
}

/* pack copies s into the block at *cursor and returns the copy (NULL stays
 * NULL). */
static const char *pack(char **cursor, const char *s)
{
    size_t n;
    char *p;

    if (!s)
        return NULL;
    n = strlen(s) + 1;
    p = *cursor;
    memcpy(p, s, n);
    *cursor += n;
    return p;
}

struct review *review_dup(const struct review *r)
{
    size_t size = sizeof(*r) + r->n_responses * sizeof(struct review_response) +
                  r->n_origins * sizeof(struct review_origin);
    struct review *c;
    struct review_response *resp;
    struct review_origin *orig;
    char *cur;

    size += slen(r->product_id) + slen(r->title) + slen(r->body) + slen(r->author) +
            slen(r->author_location) + slen(r->language) + slen(r->source) + slen(r->source_id) +
            slen(r->moderation_reason) + slen(r->components);
    for (size_t i = 0; i < r->n_responses; i++)
        size += slen(r->responses[i].author) + slen(r->responses[i].body);
    for (size_t i = 0; i < r->n_origins; i++)
        size += slen(r->origins[i].source) + slen(r->origins[i].source_id);
    c = malloc(size);
    if (!c)
        abort();
    *c = *r;
    resp = (struct review_response *)(c + 1);
    orig = (struct review_origin *)(resp + r->n_responses);
    cur = (char *)(orig + r->n_origins);
    c->product_id = pack(&cur, r->product_id);
    c->title = pack(&cur, r->title);
    c->body = pack(&cur, r->body);
    c->author = pack(&cur, r->author);
    c->author_location = pack(&cur, r->author_location);
    c->language = pack(&cur, r->language);
    c->source = pack(&cur, r->source);
    c->source_id = pack(&cur, r->source_id);
    c->moderation_reason = pack(&cur, r->moderation_reason);
    c->components = pack(&cur, r->components);
    for (size_t i = 0; i < r->n_responses; i++) {
        resp[i].created_at = r->responses[i].created_at;
        resp[i].author = pack(&cur, r->responses[i].author);
        resp[i].body = pack(&cur, r->responses[i].body);
    }
    c->responses = r->n_responses ? resp : NULL;
    for (size_t i = 0; i < r->n_origins; i++) {
        orig[i].source = pack(&cur, r->origins[i].source);
        orig[i].source_id = pack(&cur, r->origins[i].source_id);
    }
    c->origins = r->n_origins ? orig : NULL;
    return c;
}

struct product *product_dup(const struct product *p)
{
    size_t size = sizeof(*p) + slen(p->id) + slen(p->name) + slen(p->brand) + slen(p->category) +
                  slen(p->url) + slen(p->image_url) + slen(p->gtin) + slen(p->mpn);
    struct product *c = malloc(size);
    char *cur;

    if (!c)
        abort();
    *c = *p;
    cur = (char *)(c + 1);
    c->id = pack(&cur, p->id);
    c->name = pack(&cur, p->name);
    c->brand = pack(&cur, p->brand);
    c->category = pack(&cur, p->category);
    c->url = pack(&cur, p->url);
    c->image_url = pack(&cur, p->image_url);
    c->gtin = pack(&cur, p->gtin);
    c->mpn = pack(&cur, p->mpn);
    return c;
}

bool chorus_url_http(const char *s, size_t n)
{
    static const char *const schemes[] = {"http://", "https://"};

    for (size_t i = 0; i < 2; i++) {
        size_t k = strlen(schemes[i]), j;

        if (n <= k)
            continue;
        /* By hand, not strncasecmp: that one follows the locale. */
        for (j = 0; j < k; j++) {
            char c = s[j] >= 'A' && s[j] <= 'Z' ? (char)(s[j] - 'A' + 'a') : s[j];

            if (c != schemes[i][j])
                break;
        }
        if (j == k)
            return true;
    }
    return false;
}

/* ---- pulled sources ------------------------------------------------------------ */

static const char *const kind_names[] = {"rss", "atom", "json", "ndjson", "google-reviews"};

bool review_tags_have(const char *tags, const char *tag)
{
    size_t n = strlen(tag);

    for (const char *p = tags; p && *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);

        if (len == n && memcmp(p, tag, n) == 0)
            return true;
        p = e ? e + 1 : p + len;
    }
    return false;
}

const char *source_kind_name(enum source_kind k)
{
    return (unsigned)k <= SOURCE_GOOGLE ? kind_names[k] : "unknown";
}

int source_kind_parse(const char *s, enum source_kind *out)
{
    if (!s)
        return CHORUS_EINVAL;
    for (size_t i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++) {
        if (strcmp(s, kind_names[i]) == 0) {
            *out = (enum source_kind)i;
            return 0;
        }
    }
    return CHORUS_EINVAL;
}

struct source_config *source_config_dup(const struct source_config *c)
{
    const char *strs[5] = {c->url, c->headers, c->product_id, c->product_map, c->json_map};
    size_t n = sizeof(struct source_config);
    struct source_config *d;
    char *p;
    const char **dst[5];

    for (size_t i = 0; i < 5; i++)
        n += strs[i] ? strlen(strs[i]) + 1 : 0;
    d = malloc(n);
    if (!d)
        abort();
    *d = *c;
    dst[0] = &d->url;
    dst[1] = &d->headers;
    dst[2] = &d->product_id;
    dst[3] = &d->product_map;
    dst[4] = &d->json_map;
    p = (char *)(d + 1);
    for (size_t i = 0; i < 5; i++) {
        if (!strs[i]) {
            *dst[i] = NULL;
            continue;
        }
        memcpy(p, strs[i], strlen(strs[i]) + 1);
        *dst[i] = p;
        p += strlen(strs[i]) + 1;
    }
    return d;
}
