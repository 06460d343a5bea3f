/* Chorus pulled sources: the plain data of a source (what to fetch, how
 * often, how its items map to products) and of its poll state, shared by
 * the parsers (parse_source reads a request body into it), the store
 * (store_source_* keeps it in LMDB) and the poller in server/.
 *
 * The parsing functions below live in parsers/source.c (module parsers):
 * this header is theirs and the data model's, and names no third-party
 * type. See docs/sources.md for the JSON and the mapping rules.
 */
#ifndef CHORUS_SOURCE_H
#define CHORUS_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "chorus/review.h"

#define SOURCE_INTERVAL_MIN     60     /* seconds; CHORUS_SOURCE_MIN_INTERVAL lowers it (tests) */
#define SOURCE_INTERVAL_MAX     604800 /* a week */
#define SOURCE_INTERVAL_DEFAULT 3600
#define SOURCE_MAX_URL          CHORUS_MAX_URL
#define SOURCE_MAX_HEADERS      8192  /* the headers object as compact JSON text */
#define SOURCE_MAX_MAP          65536 /* product_map as compact JSON text */
#define SOURCE_MAX_JSON_MAP     2000  /* json_map "field=path,..." */
#define SOURCE_MAX_PATTERNS     200   /* link_patterns entries */
#define SOURCE_MAX_REASONS      5     /* first rejection reasons kept per poll */
#define SOURCE_REASON_LEN       300   /* bytes of one reason, with its NUL */
#define SOURCE_STATUS_LEN       300   /* bytes of last_status, with its NUL */
#define SOURCE_ETAG_LEN         256
#define SOURCE_LASTMOD_LEN      64

enum source_kind {
    SOURCE_RSS = 0,
    SOURCE_ATOM,
    SOURCE_JSON,
    SOURCE_NDJSON,
    SOURCE_GOOGLE, /* "google-reviews" */
};

/* source_kind_name returns "rss", "atom", "json", "ndjson" or
 * "google-reviews"; source_kind_parse maps a name back (0 or CHORUS_EINVAL). */
const char *source_kind_name(enum source_kind k);
int source_kind_parse(const char *s, enum source_kind *out);

/* What an operator configured. Strings are borrowed from whoever filled the
 * struct (parse_source: its heap block; the store: the transaction). */
struct source_config {
    enum source_kind kind;
    const char *url;           /* absolute http(s) URL */
    uint32_t interval;         /* seconds between polls */
    const char *headers;       /* compact JSON object of string -> string; "{}" for none */
    enum review_status status; /* what its items get: approved or pending */
    const char *product_id;    /* fixed product, or NULL */
    const char *product_map;   /* compact JSON (docs/sources.md), or NULL */
    const char *json_map;      /* json/ndjson field mapping, or NULL (Chorus's names) */
};

/* What the poller learnt; fixed-size so that it can be updated in place. */
struct source_state {
    int64_t next_poll_at;                /* seconds since the epoch */
    int64_t last_poll_at;                /* 0 = never polled */
    char last_status[SOURCE_STATUS_LEN]; /* "200 OK, 12 items", "304 Not Modified", "error: ..." */
    uint64_t items_seen, items_added, items_updated, items_rejected; /* of the last poll */
    char reasons[SOURCE_MAX_REASONS][SOURCE_REASON_LEN];             /* first rejections */
    uint32_t n_reasons;
    uint32_t errors;            /* consecutive failed polls */
    uint32_t backoff;           /* seconds added by the last failure, 0 after a success */
    char etag[SOURCE_ETAG_LEN]; /* validator of the last 200, "" = none */
    char last_modified[SOURCE_LASTMOD_LEN]; /* the same */
    uint64_t polls, failures;               /* since the source was made */
    uint64_t items_merged; /* of the last poll: copies of reviews other origins gave first */
};

struct parse_error;

/* parse_source parses a source body ({"kind", "url", "interval", "headers",
 * "status", "product_id" | "product_map", "json_map"}, docs/sources.md);
 * unknown fields are refused. min_interval is the smallest interval
 * accepted (SOURCE_INTERVAL_MIN in production). On success *out is one
 * heap block holding the strings too (caller frees with free()).
 * CHORUS_EINVAL or CHORUS_EPARSE with a sentence in *err (may be NULL).
 * Any thread. */
int parse_source(const char *data, size_t len, uint32_t min_interval, struct source_config **out,
                 struct parse_error *err);

/* source_config_dup copies c into one heap block (caller frees with
 * free()). Out of memory aborts. */
struct source_config *source_config_dup(const struct source_config *c);

/* What parse_product_map_apply looks at in one item: every field borrowed. */
struct source_item_ref {
    const char *product_id; /* the item's own product id (JSON mapping), or NULL */
    const char *sku;        /* Google feed / JSON product fields, or NULL */
    const char *gtin;
    const char *mpn;
    const char *asin;
    const char *link;
    const char *const *categories;
    size_t n_categories;
};

struct source_map;

/* source_map_new compiles a product_map JSON text (as parse_source stored
 * it). *out is freed with source_map_free (NULL ok). CHORUS_EINVAL for a
 * text parse_source would not have produced. Any thread. */
int source_map_new(const char *json, struct source_map **out);
void source_map_free(struct source_map *m);
/* source_map_apply writes the product id the map gives item it into out
 * (cap bytes) and returns true, or returns false when no rule matched. */
bool source_map_apply(const struct source_map *m, const struct source_item_ref *it, char *out,
                      size_t cap);

/* source_headers_each calls fn for each header of a stored headers JSON
 * text (as parse_source stored it); returns 0 or CHORUS_EINVAL. */
int source_headers_each(const char *json,
                        void (*fn)(void *ctx, const char *name, const char *value), void *ctx);

#endif
