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

#include "chorus/base.h"
#include "chorus/parse.h"

#define PARSE__ERR_MAX 256 /* bytes of an item error sentence, with its NUL */
#define PARSE__QUOTE   48  /* room for input quoted back in a sentence (~40 bytes + "...") */

/* JSON_ALLOW_NUL: a \u0000 inside one string is reported against its field
 * as an item error, instead of jansson failing the whole document. Every
 * string the parsers keep is checked for NUL (parse__text). */
#define PARSE__JSON_FLAGS (JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL | JSON_DECODE_ANY)

/* parse__json_load is json_loadb with PARSE__JSON_FLAGS within the memory
 * budget of parse_json_budget_set (json_budget.c): at most 1 MiB + 16 bytes
 * per input byte, and never more than the budget. Past it the parse fails
 * and jerr->text says so. The value is the caller's (json_decref). */
json_t *parse__json_load(const char *data, size_t len, json_error_t *jerr);

/* Flags of parse__text. */
#define PARSE__UTF8     0x1 /* bytes not yet known to be UTF-8 (CSV); JSON strings are */
#define PARSE__NOCTL    0x2 /* an identifier: no control characters at all */
#define PARSE__NONEMPTY 0x4 /* "" is an error rather than "absent" */
#define PARSE__LAXURL                                                                              \
    0x8 /* parse__product_set: a url's scheme is left to the store,                                \
           which drops one that is not http(s) (parse_options.lax_urls) */

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
    RF_COMPONENTS,  /* server-computed (taxonomy tags): accepted and ignored */
    RF_ORIGINS,     /* server-recorded (copies from other sources): accepted and ignored */
    RF_KNOWN_ISSUE, /* server-computed (the complaint's known issue): accepted and ignored */
    RF_VERSIONS,    /* server-computed (versions the text names): accepted and ignored */
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
    unsigned pflags;                /* for product fields: PARSE__LAXURL or 0 */
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

/* ---- pulled feeds (feed*.c, html_text.c) ------------------------------------ */

#define PARSE__FEED_DEPTH 64         /* elements (XML) or containers (JSON) one item may nest */
#define PARSE__FEED_RAW   (1u << 20) /* bytes kept of one field's raw text, markup included */
#define PARSE__FEED_ITEM  (4u << 20) /* bytes of one JSON item, and of one item's kept text */
#define PARSE__FEED_CATS  32         /* categories kept per item */

/* The item fields a feed reader fills as text (ratings, times and the
 * verified flag have setters of their own). */
enum parse__ff {
    FF_SOURCE_ID = 0,
    FF_TITLE,
    FF_BODY,
    FF_AUTHOR,
    FF_LINK,
    FF_PRODUCT_ID, /* the review's product_id (Atom chorus:product, JSON mappings) */
    FF_SKU,        /* product.id only (Google skus/sku): the poller maps it */
    FF_PRODUCT_NAME,
    FF_PRODUCT_URL,
    FF_GTIN,
    FF_MPN,
    FF_BRAND,
    FF_ASIN,
    FF__COUNT
};

/* Flags of parse__feed_set and parse__feed_category. */
#define PARSE__F_HTML 0x1 /* the value is HTML: tags dropped, entities decoded */
#define PARSE__F_CUT  0x2 /* the reader kept only the first PARSE__FEED_RAW bytes */

/* A priority that replaces whatever a field holds (parse__feed_set). */
#define PARSE__PRIO_FORCE 255

/* The item being assembled and the delivery state of one parse_feed call.
 * Every reader (RSS, Atom, Google, JSON) feeds values through the setters
 * below, so text cleaning, caps, dates, ratings and ids follow one set of
 * rules whatever the format (docs/sources.md "Text handling"). */
struct parse__feed {
    const struct parse_feed_options *opt;
    parse_feed_cb cb;
    void *ctx;
    size_t index; /* items delivered so far */
    bool full;    /* max_items reached: stop reading, return 0 */
    bool in_item; /* between parse__feed_begin and parse__feed_end */
    bool failed;  /* the item is rejected; err says why */
    /* The item's kept text, NUL-separated in text; off/len locate each
     * field (offsets, since text may move when it grows). */
    struct buf text;
    size_t off[FF__COUNT], len[FF__COUNT];
    unsigned char prio[FF__COUNT]; /* 0 = unset */
    const char *label[FF__COUNT];  /* how the feed names the field, for sentences */
    size_t cat_off[PARSE__FEED_CATS];
    size_t n_cats;
    unsigned char time_prio, rating_prio;
    bool has_time, has_rating, has_verified, verified, anonymous;
    int64_t created_at;
    double rating, scale; /* scale 0 = native 1..5 stars */
    const char *rating_label;
    struct buf tmp; /* cleaning scratch */
    char *html;     /* HTML conversion scratch, html_alloc bytes */
    size_t html_alloc;
    struct parse__item it;
    struct parse_feed_item out;
    const char *cats[PARSE__FEED_CATS];
    char err[PARSE__ERR_MAX];
};

void parse__feed_init(struct parse__feed *f, const struct parse_feed_options *opt, parse_feed_cb cb,
                      void *ctx);
void parse__feed_cleanup(struct parse__feed *f);
/* parse__feed_begin starts the next item, forgetting the last one. */
void parse__feed_begin(struct parse__feed *f);
/* parse__feed_set offers s[0..n) for field ff under the feed's name label
 * (a string that outlives the item). It is kept when prio is above the
 * priority of what the field holds (so content:encoded beats description
 * whatever their order) or is PARSE__PRIO_FORCE. Cleaning and caps apply at
 * once; a value that breaks a rule rejects the item (parse__feed_fail). */
void parse__feed_set(struct parse__feed *f, enum parse__ff ff, int prio, const char *label,
                     const char *s, size_t n, unsigned flags);
/* parse__feed_get returns the kept text of ff (NUL-terminated, borrowed
 * until the next setter call) and its length, or NULL when unset. */
const char *parse__feed_get(struct parse__feed *f, enum parse__ff ff, size_t *n);
/* parse__feed_category adds a category term (blank ones and those past
 * the cap or past PARSE__FEED_CATS are left out, duplicates too). */
void parse__feed_category(struct parse__feed *f, const char *s, size_t n, unsigned flags);
/* parse__feed_time parses s as a date (parse__date) for the item's
 * created_at; a date that does not parse rejects the item. */
void parse__feed_time(struct parse__feed *f, int prio, const char *label, const char *s, size_t n);
void parse__feed_time_value(struct parse__feed *f, int prio, int64_t t);
/* parse__feed_rating sets the rating v on a 0..scale scale (scale 0 or 5
 * with a whole v: native stars); the rules are item.c's. */
void parse__feed_rating(struct parse__feed *f, int prio, const char *label, double v, double scale);
/* parse__feed_rating_text reads v (and the top of the scale, best, NULL
 * when not given) as numbers, then sets them as parse__feed_rating. */
void parse__feed_rating_text(struct parse__feed *f, int prio, const char *label, const char *v,
                             size_t vn, const char *best, size_t bn);
void parse__feed_verified(struct parse__feed *f, bool v);
/* parse__feed_anonymous says the feed marked the author as anonymous: the
 * item gets no author. */
void parse__feed_anonymous(struct parse__feed *f);
/* parse__feed_fail rejects the item with a sentence; the first one wins. */
void parse__feed_fail(struct parse__feed *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* parse__feed_end validates the item and delivers it (or its error).
 * Returns the callback's value, or 1 with f->full set when max_items items
 * are out. */
int parse__feed_end(struct parse__feed *f);

/* parse__date reads an RFC 3339 date-time or date (a time without a zone
 * is UTC), or an RFC 822/1123 date as RSS writes it ("Mon, 06 Nov 2023
 * 08:49:37 GMT", "6 Nov 23 08:49 +0200", US zone names). Surrounding
 * blanks are allowed. Returns 0 or -1. */
int parse__date(const char *s, size_t n, int64_t *out);

/* parse__feed_clean appends s[0..n) to b cleaned: invalid UTF-8 to U+FFFD,
 * control characters dropped, blank runs folded into one space, ends
 * trimmed; block keeps line breaks (at most one blank line in a row).
 * Same errors as buf_append. */
int parse__feed_clean(struct buf *b, const char *s, size_t n, bool block);
/* parse__feed_hash writes "h:" and the 16 hex digits of the 64-bit FNV-1a
 * hash of s[0..n) into out (19 bytes). */
void parse__feed_hash(char *out, const char *s, size_t n);

/* parse__utf8_fix appends s[0..n) to b with every byte that does not
 * belong to a valid UTF-8 sequence (and every NUL) replaced by U+FFFD.
 * Same errors as buf_append. */
int parse__utf8_fix(struct buf *b, const char *s, size_t n);

/* parse__html_text is parse_html_text that also says whether the text was
 * cut to fit (*cut, may be NULL). */
size_t parse__html_text(const char *html, size_t len, char *out, size_t cap, bool *cut);

/* ---- XML feeds: the hardened streaming reader (pulled_xml.c) -------------------- */

/* Namespaces the XML readers tell apart. */
enum parse__ns {
    NS_NONE = 0, /* no namespace: RSS 2.0, Google */
    NS_ATOM,
    NS_CHORUS,  /* https://chorus.dev/ns/feed/1 */
    NS_CONTENT, /* RSS content:encoded */
    NS_DC,      /* Dublin Core */
    NS_RSS1,    /* RSS 1.0 */
    NS_RDF,
    NS_OTHER,
};

struct parse__xml;

/* An element as the readers see it: names are the local names, borrowed
 * for the whole parse. */
struct parse__xml_node {
    int depth; /* 0 = the root element */
    enum parse__ns ns;
    const char *name;
    enum parse__ns parent_ns;
    const char *parent; /* "" for the root */
};

/* Capture modes of parse__xml_capture. */
#define PARSE__CAP_TEXT   1 /* the text of the element and its descendants */
#define PARSE__CAP_MARKUP 2 /* descendants as HTML (Atom type="xhtml") */

struct parse__xml_ops {
    /* root checks the root element; non-zero with a sentence in msg
     * (PARSE__ERR_MAX bytes) makes the document an error. */
    int (*root)(void *ctx, const struct parse__xml_node *n, char *msg);
    /* start sees every element outside a capture; it may ask for the
     * element's text (parse__xml_capture) and read its attributes. */
    int (*start)(void *ctx, struct parse__xml *x, const struct parse__xml_node *n);
    /* end sees the same elements close; text is the capture (NULL when the
     * element was not captured), flags PARSE__F_CUT when it was cut. */
    int (*end)(void *ctx, const struct parse__xml_node *n, const char *text, size_t len,
               unsigned flags);
};

/* The input on its way to libxml2 (pulled_prolog.c). */
struct parse__source {
    const char *data;
    size_t len, pos;
    bool fix; /* UTF-8: repair invalid bytes, drop the controls XML forbids */
};

#define PARSE__MSG_ENTITIES                                                                        \
    "The feed declares entities, which Chorus does not load (a document that declares "            \
    "entities can expand to gigabytes or read local files); feeds do not need them."
#define PARSE__MSG_EXTERNAL                                                                        \
    "The feed refers to an external DTD, which Chorus does not load (it would mean reading "       \
    "a file or the network); feeds do not need one."

/* parse__xml_prolog decides src->fix from the document's encoding and
 * checks everything before the root element. 0, or -1 with a sentence in
 * msg (PARSE__ERR_MAX bytes) for a document to refuse. */
int parse__xml_prolog(struct parse__source *src, char *msg);
/* parse__xml_filter moves up to room bytes of src to out, repaired when
 * src->fix. Returns the bytes written; 0 at the end. */
size_t parse__xml_filter(struct parse__source *src, char *out, size_t room);

/* parse__xml_run reads an XML document with ops: hardened as parse_feed
 * says (no DTD, no entities, no network, depth PARSE__FEED_DEPTH), invalid
 * UTF-8 turned into U+FFFD before libxml2 sees it. Returns 0, CHORUS_EPARSE
 * (*err filled), or a handler's non-zero value. */
int parse__xml_run(const char *data, size_t len, const struct parse__xml_ops *ops, void *ctx,
                   struct parse_error *err);
/* parse__xml_capture asks for the text of the element start is looking at;
 * it arrives with end. One capture at a time. */
void parse__xml_capture(struct parse__xml *x, int mode);
/* parse__xml_attr returns the value of the element's attribute name (no
 * namespace), borrowed until start returns; NULL when absent. */
const char *parse__xml_attr(struct parse__xml *x, const char *name);

/* ---- JSON feeds: mappings (pulled_map.c) ------------------------------------------ */

struct parse__jmap;

/* parse__jmap_new reads a json_map (NULL: Chorus's review JSON; "amazon")
 * into *out (free with parse__jmap_free). CHORUS_EINVAL with *err filled
 * for a mapping that is not one. */
int parse__jmap_new(struct parse__jmap **out, const char *mapping, struct parse_error *err);
void parse__jmap_free(struct parse__jmap *m);
/* parse__jmap_item reads data[0..n), one item whose nesting depth the
 * caller measured, and delivers it through f. Returns parse__feed_end's
 * value. */
int parse__jmap_item(struct parse__jmap *m, struct parse__feed *f, const char *data, size_t n,
                     int depth);

/* The formats (pulled_rss.c, pulled_atom.c, pulled_google.c, pulled_json.c). Each
 * returns what parse_feed returns. */
int parse__feed_rss(struct parse__feed *f, const char *data, size_t len, struct parse_error *err);
int parse__feed_atom(struct parse__feed *f, const char *data, size_t len, struct parse_error *err);
int parse__feed_google(struct parse__feed *f, const char *data, size_t len,
                       struct parse_error *err);
int parse__feed_json(struct parse__feed *f, const char *data, size_t len, bool lines,
                     struct parse_error *err);

/* ---- pulled sources (source.c) ---------------------------------------------- */

/* parse__product_map_check validates a product_map object: {"field",
 * "category", "link_patterns"}, at least one. 0, or CHORUS_EINVAL with a
 * sentence in *err (may be NULL). */
int parse__product_map_check(json_t *m, struct parse_error *err);

#endif
