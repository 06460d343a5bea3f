/* Chorus parsers: bytes in -> validated review and product records.
 *
 * Parsers never touch the store. They validate everything a review must
 * satisfy before it is stored (caps of review.h, UTF-8, RFC 3339 times,
 * ratings) and report, per item, either a review or a sentence saying what is
 * wrong with it. Thread-safe: no global state.
 */
#ifndef CHORUS_PARSE_H
#define CHORUS_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "chorus/base.h"

/* A document-level error: where and what. */
struct parse_error {
    size_t line;       /* 1-based; 0 when unknown */
    size_t column;     /* 1-based; 0 when unknown */
    char field[64];    /* the offending field, "" when none */
    char message[256]; /* a sentence for a person */
};

/* parse_item_cb is called once per item of a batch, in order. index is the
 * 0-based position of the item (NDJSON: of the non-blank line). Exactly one
 * of r and error is non-NULL: r is a valid review whose strings are borrowed
 * for the duration of the call; error says why the item was rejected. p is
 * non-NULL when the item also described its product (a "product" object in
 * JSON, product_* columns in CSV); p->id equals r->product_id.
 * Return 0 to go on, non-zero to stop (returned by the parser). */
typedef int (*parse_item_cb)(void *ctx, size_t index, const struct review *r,
                             const struct product *p, const char *error);

/* Defaults for fields an item leaves out. NULL options = approved, source
 * NULL (the store then uses "api"). */
struct parse_options {
    enum review_status default_status;
    const char *default_source;
    bool lax_urls; /* product url / image_url: not refused here for a scheme other than
                      http(s) but left to the store's merge, which drops the field and
                      counts it, keeping the item (chorus import) */
};

/* parse_json_budget_set caps the memory one JSON parse may take (a request
 * body, a pulled item, an import line): max_json_memory. Default 64 MiB;
 * set it before the threads that parse start. */
void parse_json_budget_set(size_t bytes);

enum parse_format {
    PARSE_JSON = 0, /* one review object, or an array of them */
    PARSE_NDJSON,   /* one review object per line */
    PARSE_AMAZON,   /* NDJSON (or array) in the public Amazon review dump fields */
};

/* parse_reviews parses a whole buffer of reviews in the given format. For
 * PARSE_JSON, a body that is not JSON, not an object or array, or an empty
 * array is a document error. For PARSE_NDJSON, a line that is not a JSON
 * object is an item error (the batch goes on); a body with no non-blank line
 * is a document error. Returns 0 when items were delivered (even if all were
 * rejected), CHORUS_EPARSE for a document error (described in *err, which may
 * be NULL), or the callback's non-zero value. *n_items (may be NULL) receives
 * how many items were delivered. Fields: see docs/reviews.md; unknown fields
 * are rejected as item errors. */
int parse_reviews(const char *data, size_t len, enum parse_format fmt,
                  const struct parse_options *opt, parse_item_cb cb, void *ctx, size_t *n_items,
                  struct parse_error *err);

/* parse_review_line parses one NDJSON line (a JSON object) in format fmt
 * (PARSE_NDJSON or PARSE_AMAZON) and delivers it as item `index`. For
 * streaming imports that read a file line by line. Same returns. */
int parse_review_line(const char *line, size_t len, enum parse_format fmt,
                      const struct parse_options *opt, size_t index, parse_item_cb cb, void *ctx);

/* ---- CSV ------------------------------------------------------------------ */

struct parse_csv;

/* parse_csv_new makes a CSV reader with a column mapping such as
 * "product_id=asins,rating=reviews.rating,title=reviews.title" (review field
 * = header column name, comma separated; a column name containing a comma or
 * '=' may be double-quoted). The header row arrives with the first
 * parse_csv_feed. Caller frees with parse_csv_free. CHORUS_EINVAL for a
 * mapping that names an unknown review field (sentence in *err). */
int parse_csv_new(struct parse_csv **out, const char *mapping, const struct parse_options *opt,
                  struct parse_error *err);
/* parse_csv_feed gives the reader the next chunk of the file (any split,
 * including inside quoted fields); complete records are delivered to cb.
 * Returns 0, CHORUS_EPARSE (header lacks a mapped column; *err) or cb's value. */
int parse_csv_feed(struct parse_csv *p, const char *data, size_t len, parse_item_cb cb, void *ctx,
                   struct parse_error *err);
/* parse_csv_finish flushes a last record without a trailing newline. */
int parse_csv_finish(struct parse_csv *p, parse_item_cb cb, void *ctx, struct parse_error *err);
/* parse_csv_free frees the reader. NULL ok. */
void parse_csv_free(struct parse_csv *p);

/* ---- small request bodies ------------------------------------------------- */

/* parse_product parses a product object (fields id, name, brand, category,
 * url, image_url, gtin, mpn; unknown fields rejected). When path_id is not
 * NULL it is the id (a body "id", if any, must equal it). On success *out is
 * a heap copy (caller frees with free()). CHORUS_EINVAL with a sentence in
 * *err. */
int parse_product(const char *data, size_t len, const char *path_id, struct product **out,
                  struct parse_error *err);

/* The server's caps on a product's release list (its config keys
 * max_releases, max_release_version_bytes, max_release_notes_bytes; at most
 * the store's CHORUS_MAX_RELEASE* caps). */
struct parse_release_caps {
    size_t max_count;
    size_t max_version;
    size_t max_notes;
};

/* parse_releases parses the body of PUT /api/v1/products/{id}/releases: a
 * JSON array of {"version": "BIOS 1.14", "released_at": RFC 3339, "notes":
 * "..." or null} (unknown fields rejected; version a non-empty line, given
 * once; an empty array clears the list). On success *out is one heap block
 * holding *n releases and their strings, in the body's order (caller frees
 * it with free(); NULL-free-safe when *n is 0). CHORUS_EPARSE (not JSON) or
 * CHORUS_EINVAL with a sentence in *err. */
int parse_releases(const char *data, size_t len, const struct parse_release_caps *caps,
                   struct product_release **out, size_t *n, struct parse_error *err);

/* parse_moderation parses {"status": "approved"|"rejected"|"pending",
 * "reason": "..."}. reason (up to CHORUS_MAX_REASON bytes + NUL) receives ""
 * when absent. */
int parse_moderation(const char *data, size_t len, enum review_status *status, char *reason,
                     size_t reason_cap, struct parse_error *err);

/* parse_response parses {"author": "...", "body": "..."} (a brand response;
 * author defaults to "" meaning the brand). Heap strings, caller frees both. */
int parse_response(const char *data, size_t len, char **author, char **body,
                   struct parse_error *err);

/* parse_vote parses {"helpful": true|false}. */
int parse_vote(const char *data, size_t len, bool *helpful, struct parse_error *err);

/* parse_token_request parses {"name": "..."} (a digest reader token) into
 * name (cap bytes, NUL-terminated). */
int parse_token_request(const char *data, size_t len, char *name, size_t cap,
                        struct parse_error *err);

/* A known issue's body (POST /api/v1/known-issues, PATCH on one):
 * product_id, component, title, status, fixed_in, fixed_at, phrases; the
 * store checks the values (store_issue_create). */
#define PARSE_ISSUE_PHRASES 16 /* phrases a body may carry */

enum {
    PARSE_ISSUE_PRODUCT = 1u << 0,
    PARSE_ISSUE_COMPONENT = 1u << 1,
    PARSE_ISSUE_TITLE = 1u << 2,
    PARSE_ISSUE_STATUS = 1u << 3,
    PARSE_ISSUE_FIXED_IN = 1u << 4,
    PARSE_ISSUE_FIXED_AT = 1u << 5,
    PARSE_ISSUE_PHRASES_SET = 1u << 6,
};

struct parse_issue {
    unsigned has; /* PARSE_ISSUE_* bits of the fields present (null counts as present) */
    char *product_id, *component, *title, *status, *fixed_in; /* heap; NULL when null/absent */
    int64_t fixed_at;                                         /* 0 when null/absent */
    size_t n_phrases;
    char *phrases[PARSE_ISSUE_PHRASES]; /* heap */
};

/* parse_issue parses a known issue's body into *out (zeroed first; free its
 * strings with parse_issue_cleanup, also after an error). Unknown fields,
 * wrong types, a fixed_at that is not RFC 3339 and more than
 * PARSE_ISSUE_PHRASES phrases are CHORUS_EINVAL with a sentence in *err. */
int parse_issue(const char *data, size_t len, struct parse_issue *out, struct parse_error *err);
void parse_issue_cleanup(struct parse_issue *is);

/* ---- pulled sources: the source body, headers and product maps (source.c) --- */

/* parse_source parses a source body ({"kind", "url", "interval", "headers",
 * "status", "product_id" | "product_map", "json_map"}, docs/sources.md);
 * unknown fields are refused. min_interval is the smallest interval
 * accepted (SOURCE_INTERVAL_MIN in production). On success *out is one
 * heap block holding the strings too (caller frees with free()).
 * CHORUS_EINVAL or CHORUS_EPARSE with a sentence in *err (may be NULL).
 * Any thread. */
int parse_source(const char *data, size_t len, uint32_t min_interval, struct source_config **out,
                 struct parse_error *err);

/* parse_source_headers calls fn for each header of a stored headers JSON
 * text (as parse_source stored it); returns 0 or CHORUS_EINVAL. */
int parse_source_headers(const char *json,
                         void (*fn)(void *ctx, const char *name, const char *value), void *ctx);

/* ---- pulled feeds: RSS, Atom, Google Product Reviews, mapped JSON --------- */

/* One item of a pulled feed, everything borrowed for the callback. */
struct parse_feed_item {
    struct review r;               /* rating 0 = mention; source_id = guid / atom:id / review_id;
                                      title, body (HTML turned into plain text), author,
                                      created_at (0 = unknown); product_id NULL unless the
                                      feed names it (Google feed: see product; JSON mapping) */
    const char *link;              /* the item's link, or NULL */
    const char *const *categories; /* category terms / <category> texts */
    size_t n_categories;
    struct product product; /* Google feed and JSON mappings: what the item says about
                               its product (id = sku or NULL); other fields NULL */
    const char *asin;       /* Google feed asins, else NULL */
    unsigned dropped;       /* product fields left out for breaking their rule (a url
                               that is not http(s), a GTIN that does not check) */
};

/* parse_feed_cb gets one item or, for an item that cannot be used, error (a
 * sentence; it is logged and skipped, the feed goes on). Return non-zero
 * to stop. */
typedef int (*parse_feed_cb)(void *ctx, size_t index, const struct parse_feed_item *it,
                             const char *error);

struct parse_feed_options {
    /* JSON / NDJSON: "field=path,field=path" like CSV's --map (docs/sources.md),
     * e.g. "source_id=id,title=name,body=text,rating=stars,created_at=date,
     * author=user.name,link=url,product_id=sku"; NULL = Chorus's review JSON
     * field names. Built-in mapping "amazon" = the Amazon dump fields. */
    const char *json_map;
    size_t max_items; /* 0 = no cap */
};

/* parse_feed parses a fetched document streaming (libxml2 xmlReader for the
 * XML kinds, so a large feed needs no tree), hardened: no network, no DTD
 * loading, no entity substitution (a document declaring entities is
 * refused: billion laughs, external entities), bounded depth and item
 * sizes. Returns 0 when the document was read (even if items were
 * skipped), CHORUS_EPARSE with *err filled for a document that cannot be
 * read at all, or the callback's non-zero value.
 *
 * Details (docs/sources.md "Feed formats", "Text handling"):
 * - A document that breaks off after some items (truncated, or malformed
 *   further on) also returns CHORUS_EPARSE, after delivering the complete
 *   items read before the break was found (libxml2 reads a few hundred
 *   bytes ahead, so the items just before it may not be). The caller
 *   decides whether to keep what it got.
 * - Reaching opt->max_items stops the read and returns 0.
 * - CHORUS_EINVAL (*err says why) for an opt->json_map that is not a
 *   mapping (see parse_feed_map_check).
 * - In items: r.status is REVIEW_APPROVED and r.source NULL (the caller
 *   applies its source's settings); r.sentiment is NAN; r.created_at 0 when
 *   the feed gives no date; r.source_id is never NULL (an item without an
 *   id, or with one over CHORUS_MAX_SOURCE_ID bytes, gets "h:" and a hash).
 * - Products: Atom's chorus:product gives r.product_id, product.id and
 *   product.name; a Google review gives product (id = its SKU) and leaves
 *   r.product_id NULL for the caller's mapping; a JSON mapping gives what
 *   it maps. Whenever r.product_id is set, product.id equals it.
 * - Text is valid UTF-8 within the caps of review.h: invalid bytes become
 *   U+FFFD, control characters are dropped, a body over CHORUS_MAX_BODY is
 *   cut with an ellipsis, a title or author over its cap rejects the item.
 * Any thread, no state of its own. It calls libxml2's xmlInitParser, whose
 * first run is not thread-safe in libxml2 2.9: a program parsing feeds on
 * several threads calls parse_feed (or xmlInitParser) once before. */
int parse_feed(const char *data, size_t len, enum source_kind kind,
               const struct parse_feed_options *opt, parse_feed_cb cb, void *ctx,
               struct parse_error *err);

/* parse_feed_map_check checks a json_map ("field=path,...", "amazon", or
 * NULL) as parse_feed would read it, for an API that stores mappings:
 * 0, or CHORUS_EINVAL with a sentence in *err (field "json_map"). */
int parse_feed_map_check(const char *mapping, struct parse_error *err);

/* ---- pulled items under their source's rules (source_item.c) ------------- */

/* A source's rules compiled once per poll: its product_map and its name. */
struct parse_source_rules;

/* parse_source_rules_new compiles the rules of source source_id with
 * configuration cfg (borrowed for the rules' life). *out is freed with
 * parse_source_rules_free (NULL ok). CHORUS_EINVAL for a product_map text
 * parse_source would not have produced. Any thread. */
int parse_source_rules_new(struct parse_source_rules **out, const struct source_config *cfg,
                           uint64_t source_id);
void parse_source_rules_free(struct parse_source_rules *r);

/* What one pulled item becomes. Strings are borrowed from the item, the
 * rules' configuration and this struct. */
struct parse_source_review {
    struct review review;   /* source "src-<id>", the source's status, no votes,
                               moderation or ingest time; product_id "" with match */
    struct product product; /* the catalogue fields the item carried: valid when
                               has_product; id = the review's product (with match:
                               the item's SKU, or "") */
    bool has_product;
    bool match;       /* a Google feed without a product_map: the store finds the
                         product by its codes (store_ingest_item.match) */
    const char *asin; /* the item's ASIN, or NULL */
    char product_id[CHORUS_MAX_PRODUCT_ID + 1]; /* the id a product_map rule gave */
    char source_id[40];                         /* the id made for an item without one */
};

/* parse_source_item applies rules to one item of a parsed feed (borrowed
 * for the call) into *out. The product is the source's fixed product_id,
 * else what the product_map gives, else (no map) the Google codes to match
 * or the item's own product id. An item without an id of its own gets its
 * link, or a hash of its title, body and author, so a re-poll updates it.
 * Returns 0, or CHORUS_ENOTFOUND with a sentence in why (cap bytes) when
 * no rule names a product. Any thread. */
int parse_source_item(const struct parse_source_rules *rules, const struct parse_feed_item *it,
                      struct parse_source_review *out, char *why, size_t cap);

/* parse_html_text turns an HTML fragment into plain text into out (cap
 * bytes, NUL-terminated, cut on a character boundary): tags dropped
 * (script/style content too), entities decoded, block ends as newlines,
 * whitespace runs folded; invalid UTF-8 becomes U+FFFD. Returns the length. */
size_t parse_html_text(const char *html, size_t len, char *out, size_t cap);

#endif
