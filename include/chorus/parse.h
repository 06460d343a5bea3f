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

#include "chorus/review.h"

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
};

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

#endif
