/* Internals shared by the files of parsers/ and by nothing else.
 *
 * jansson types appear here because they never leave this module: the public
 * door is include/chorus/parse.h.
 *
 * Every review, whatever its input format, is assembled in a struct
 * parse__item through the same setters (parse__item_str, _num, ...), so JSON,
 * the Amazon dump and CSV share one definition of a valid field: the same
 * caps, the same time syntax, the same rating rules and the same sentences.
 */
#ifndef CHORUS_PARSE_INT_H
#define CHORUS_PARSE_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "chorus/parse.h"

#define PARSE__ERR_MAX 256 /* bytes of an item error sentence, with its NUL */
#define PARSE__QUOTE   48  /* room for input quoted back in a sentence (~40 bytes + "...") */

/* JSON_ALLOW_NUL: a \u0000 inside one string is reported against its field
 * as an item error, instead of jansson failing the whole document. Every
 * string the parsers keep is checked for NUL (parse__text). */
#define PARSE__JSON_FLAGS (JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL | JSON_DECODE_ANY)

/* Flags of parse__text. */
#define PARSE__UTF8     0x1 /* bytes not yet known to be UTF-8 (CSV); JSON strings are */
#define PARSE__NOCTL    0x2 /* an identifier: no control characters at all */
#define PARSE__NONEMPTY 0x4 /* "" is an error rather than "absent" */

/* ---- review fields -------------------------------------------------------- */

/* The review fields of the JSON contract (docs/reviews.md), in the order in
 * which the CSV reader hashes cells (so do not reorder). */
enum parse__rf {
    RF_ID = 0,
    RF_PRODUCT_ID,
    RF_RATING,
    RF_RATING_SCALE,
    RF_RATING_ORIGINAL,
    RF_TITLE,
    RF_BODY,
    RF_AUTHOR,
    RF_AUTHOR_LOCATION,
    RF_VERIFIED,
    RF_LANGUAGE,
    RF_CREATED_AT,
    RF_INGESTED_AT,
    RF_SOURCE,
    RF_SOURCE_ID,
    RF_STATUS,
    RF_MODERATION_REASON,
    RF_HELPFUL,
    RF_NOT_HELPFUL,
    RF_SENTIMENT,
    RF_RESPONSES,
    RF_PRODUCT,
    RF_COMPONENTS, /* server-computed (taxonomy tags): accepted and ignored */
    RF__COUNT
};

/* What kind of value a field takes; the setter a format must call. */
enum parse__kind {
    PK_IGNORE = 0, /* accepted and dropped (id: the server assigns ids) */
    PK_TEXT,       /* parse__item_str */
    PK_TIME,       /* parse__item_str, RFC 3339 */
    PK_STATUS,     /* parse__item_str, a review_status name */
    PK_NUMBER,     /* parse__item_num */
    PK_COUNT,      /* parse__item_num, a whole number 0..2^32-1 */
    PK_BOOL,       /* parse__item_bool */
    PK_ARRAY,      /* format specific (responses) */
    PK_OBJECT,     /* format specific (product) */
};

/* parse__rf_lookup maps a field name (n bytes) to its enum parse__rf, or -1. */
int parse__rf_lookup(const char *name, size_t n);
const char *parse__rf_name(enum parse__rf f);
enum parse__kind parse__rf_kind(enum parse__rf f);

/* The product fields, as named inside a product object. */
enum parse__pf {
    PF_ID = 0,
    PF_NAME,
    PF_BRAND,
    PF_CATEGORY,
    PF_URL,
    PF_IMAGE_URL,
    PF_GTIN,
    PF_MPN,
    PF__COUNT
};

int parse__pf_lookup(const char *name, size_t n);
const char *parse__pf_name(enum parse__pf f);

/* parse__product_set validates s[0..n) (NUL-terminated at s[n]) as product
 * field f and points p's field at it; the category is normalised into
 * `category` (CHORUS_MAX_CATEGORY + 1 bytes, caller's) instead. "" means
 * absent except for the id. label names the field in the sentence written to
 * err (PARSE__ERR_MAX bytes) on CHORUS_EINVAL. */
int parse__product_set(struct product *p, char *category, enum parse__pf f, const char *label,
                       const char *s, size_t n, unsigned flags, char *err);

/* ---- one review being assembled ------------------------------------------- */

struct parse__item {
    struct review r; /* strings borrowed from the input, see each format */
    struct product p;
    bool has_product; /* the item described its product */
    bool has_rating, has_scale, has_original, has_created;
    double rating, scale, original; /* as given; checked together in finish */
    int64_t now;                    /* created_at default, one clock read per batch */
    const char *pid_label;          /* how the input names product_id ("asin") */
    const char *rating_label;       /* how the input names rating ("overall") */
    struct review_response responses[CHORUS_MAX_RESPONSES];
    char category[CHORUS_MAX_CATEGORY + 1];   /* p.category, normalised */
    char source_id[CHORUS_MAX_SOURCE_ID + 1]; /* a source_id the parser derived */
    char err[PARSE__ERR_MAX];                 /* the sentence when a setter fails */
};

/* parse__item_begin resets it for the next item with the defaults of opt
 * (NULL: approved, no source). Cheap: it does not clear the scratch arrays. */
void parse__item_begin(struct parse__item *it, const struct parse_options *opt, int64_t now);
/* parse__item_str sets a text, time or status field from s[0..n), which must
 * stay valid and NUL-terminated at s[n] while the item is in use. label
 * (NULL = the field's name) names it in the sentence. flags: PARSE__UTF8 when
 * the bytes are not known to be UTF-8. Returns 0 or CHORUS_EINVAL (it->err). */
int parse__item_str(struct parse__item *it, enum parse__rf f, const char *label, const char *s,
                    size_t n, unsigned flags);
/* parse__item_num sets a number or count field. Same returns. */
int parse__item_num(struct parse__item *it, enum parse__rf f, const char *label, double v);
/* parse__item_bool sets a boolean field. Same returns. */
int parse__item_bool(struct parse__item *it, enum parse__rf f, const char *label, bool v);
/* parse__item_type_error writes "<label> must be <what the field takes> (got
 * <got>)." and returns CHORUS_EINVAL. */
int parse__item_type_error(struct parse__item *it, enum parse__rf f, const char *label,
                           const char *got);
/* parse__item_finish checks what needs several fields (product_id present,
 * rating against its scale, product id) and fills defaults. Same returns. */
int parse__item_finish(struct parse__item *it);

/* ---- formats -------------------------------------------------------------- */

/* parse__review_json fills it from a JSON review object (borrowed; it must
 * outlive the item). Returns 0 or CHORUS_EINVAL (it->err). */
int parse__review_json(struct parse__item *it, json_t *obj);
/* parse__amazon_json fills it from an object of the public Amazon review
 * dump. Same contract. */
int parse__amazon_json(struct parse__item *it, json_t *obj);

/* ---- CSV ---------------------------------------------------------------------- */

#define PARSE__CSV_TARGETS 21 /* review and product_* fields a column can map to */

/* A cell of the record being read: rec + off, len bytes, NUL at rec[off+len]. */
struct parse__cell {
    size_t off;
    size_t len;
};

struct parse__csv_col {
    unsigned char target; /* index in the mapping's target table */
    const char *column;   /* the header name, in names */
    size_t column_len;
    size_t index; /* its position in the header, once the header is read */
};

/* A parsed mapping "field=column,...", columns in target-table order (the
 * order cells are hashed in, whatever order the mapping was written in). */
struct parse__csv_map {
    struct parse__csv_col cols[PARSE__CSV_TARGETS];
    size_t n;
    char *names; /* owned: the unescaped column names, NUL-separated */
};

/* parse__csv_map_parse parses mapping into m (caller's storage; release with
 * parse__csv_map_cleanup even on failure). CHORUS_EINVAL with *err filled. */
int parse__csv_map_parse(struct parse__csv_map *m, const char *mapping, struct parse_error *err);
void parse__csv_map_cleanup(struct parse__csv_map *m);
/* parse__csv_map_header finds each mapped column among the header's n cells.
 * CHORUS_EPARSE with *err filled (err not NULL) for a missing or doubled
 * column. */
int parse__csv_map_header(struct parse__csv_map *m, const char *rec,
                          const struct parse__cell *cells, size_t n, struct parse_error *err);
/* parse__csv_map_row fills it from one record whose cells match the header.
 * Returns 0 or CHORUS_EINVAL (it->err). */
int parse__csv_map_row(const struct parse__csv_map *m, struct parse__item *it, const char *rec,
                       const struct parse__cell *cells);

/* ---- text helpers ----------------------------------------------------------- */

/* parse__fail formats a sentence into err (PARSE__ERR_MAX bytes, cut on a
 * UTF-8 boundary) and returns CHORUS_EINVAL. */
int parse__fail(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* parse__fmt formats into dst[cap], cutting on a UTF-8 boundary. */
void parse__fmt(char *dst, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void parse__vfmt(char *dst, size_t cap, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/* parse__doc_error fills e (NULL ok) with a document-level error. */
void parse__doc_error(struct parse_error *e, size_t line, size_t column, const char *field,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* parse__quote copies up to ~40 bytes of untrusted s[0..n) into dst
 * (PARSE__QUOTE bytes) for quoting back in a sentence: invalid UTF-8 and
 * control characters become '?', a cut is marked "...". Returns dst. */
const char *parse__quote(char *dst, const char *s, size_t n);
/* parse__clean is parse__quote with a caller-chosen size (for jansson's
 * error texts, which may quote invalid bytes). */
const char *parse__clean(char *dst, size_t cap, const char *s, size_t n);

/* parse__text checks s[0..n) against a cap in bytes, NUL, UTF-8 (flag
 * PARSE__UTF8) and control characters (flag PARSE__NOCTL). Returns 0 or
 * CHORUS_EINVAL with a sentence naming label in err. */
int parse__text(char *err, const char *label, const char *s, size_t n, size_t cap, unsigned flags);
/* parse__time parses an RFC 3339 time for field label. Same returns. */
int parse__time(char *err, const char *label, const char *s, size_t n, int64_t *out);
/* parse__json_type names v's type for a sentence: "a string", "an array"... */
const char *parse__json_type(const json_t *v);

/* Text cells (CSV, the Amazon "vote"): strict, no locale, surrounding blanks
 * allowed. Each returns 0 or -1. */
int parse__number_text(const char *s, size_t n, double *out);  /* "4", "4.5", "-1e2" */
int parse__count_text(const char *s, size_t n, uint64_t *out); /* "1234", "1,234" */
int parse__bool_text(const char *s, size_t n, bool *out);      /* true/false yes/no y/n t/f 1/0 */

#endif
