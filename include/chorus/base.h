/* Chorus base: what every module shares and nothing of ours lies under.
 *
 * - error codes (0 or a negative CHORUS_E*), translated at every boundary;
 * - the data model: reviews, products, their aggregates and pulled sources as
 *   plain data with borrowed strings (who owns the bytes depends on who
 *   filled the struct: a parser's callback, a store transaction, a *_dup
 *   heap block; every function that fills one says so);
 * - growable byte buffers, JSON string escaping, time, UTF-8, base64url,
 *   percent-encoding, FNV-1a and a small hash table.
 *
 * Out of memory aborts the process (like redis zmalloc): every size that
 * input controls must be checked against a cap before it reaches these.
 */
#ifndef CHORUS_BASE_H
#define CHORUS_BASE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>

/* ==== errors ============================================================== */

enum {
    CHORUS_OK = 0,
    CHORUS_EINVAL = -1,    /* invalid argument or input */
    CHORUS_ENOMEM = -2,    /* allocation failed (rare: OOM usually aborts) */
    CHORUS_ENOTFOUND = -3, /* no such record */
    CHORUS_EEXIST = -4,    /* record already exists */
    CHORUS_EIO = -5,       /* storage or file I/O failure */
    CHORUS_ESCHEMA = -6,   /* data folder written by a newer Chorus */
    CHORUS_EMAPFULL = -7,  /* LMDB map full (handled inside store_write) */
    CHORUS_ETOOBIG = -8,   /* input over a configured cap */
    CHORUS_ECORRUPT = -9,  /* stored record fails to decode */
    CHORUS_EBUSY = -10,    /* resource busy, try again */
    CHORUS_ESTOP = -11,    /* iteration stopped early by a callback */
    CHORUS_EPARSE = -12,   /* malformed document */
    CHORUS_ELIMIT = -13,   /* a per-record limit is reached (e.g. responses) */
    CHORUS_ENOSPC = -14,   /* the disk holding the data folder is full */
};

/* chorus_strerror returns a static, human-readable string for a CHORUS_E*
 * code. Never NULL; unknown codes give "unknown error". Any thread. */
const char *chorus_strerror(int err);

/* ==== data model: reviews and products ===================================== */

/* Input caps, enforced by the parsers and again by the store. Lengths are in
 * bytes of UTF-8. */
#define CHORUS_MAX_PRODUCT_ID      128
#define CHORUS_MAX_TITLE           500
#define CHORUS_MAX_BODY            20000
#define CHORUS_MAX_AUTHOR          200
#define CHORUS_MAX_LOCATION        200
#define CHORUS_MAX_LANGUAGE        35
#define CHORUS_MAX_SOURCE          100
#define CHORUS_MAX_SOURCE_ID       256
#define CHORUS_MAX_REASON          1000
#define CHORUS_MAX_RESPONSE        5000
#define CHORUS_MAX_RESPONSES       20
#define CHORUS_MAX_NAME            500
#define CHORUS_MAX_CATEGORY        300
#define CHORUS_MAX_URL             2000
#define CHORUS_MAX_CODE            64    /* gtin, mpn, brand */
#define CHORUS_MAX_ORIGINS         16    /* other sources a review was syndicated through */
#define CHORUS_MAX_RELEASES        1000  /* per product: the store's hard cap (docs/releases.md) */
#define CHORUS_MAX_RELEASE_VERSION 100   /* bytes of a release's version */
#define CHORUS_MAX_RELEASE_NOTES   10000 /* bytes of a release's notes */

enum review_status {
    REVIEW_PENDING = 0,
    REVIEW_APPROVED = 1,
    REVIEW_REJECTED = 2,
};

/* review_status_name returns "pending", "approved" or "rejected". */
const char *review_status_name(enum review_status s);
/* review_status_parse maps a name back; returns 0 or CHORUS_EINVAL. */
int review_status_parse(const char *s, enum review_status *out);

struct review_response {
    const char *author;
    const char *body;
    int64_t created_at; /* seconds since the epoch, UTC */
};

/* Another place the same review came from: a copy recognised by its text
 * (store_review_ingest with STORE_PUT_MERGE). */
struct review_origin {
    const char *source;
    const char *source_id;
};

struct review {
    uint64_t id;            /* server-assigned; 0 before it is stored */
    const char *product_id; /* the product's external id (SKU); required */
    int rating;             /* 1..5 normalised; 0 = a mention with no stars */
    double rating_original; /* the rating as given, on its own scale */
    double rating_scale;    /* the top of the original scale; 0 = native 1..5 */
    const char *title;      /* NULL when absent, for every optional string */
    const char *body;
    const char *author;
    const char *author_location;
    const char *language;
    const char *source;    /* where it came from: "api", a source id, ... */
    const char *source_id; /* the source's own id; with source it dedupes */
    bool verified;         /* verified buyer */
    int64_t created_at;    /* written at; seconds since the epoch UTC */
    int64_t ingested_at;   /* stored at; set by the store when 0 */
    enum review_status status;
    const char *moderation_reason;
    uint32_t helpful;
    uint32_t not_helpful;
    double sentiment; /* -1..1; NAN when not scored */
    size_t n_responses;
    const struct review_response *responses;
    const char *components; /* "battery,hinge": set by the store's tagger; NULL = none */
    size_t n_origins;       /* further origins besides source/source_id; set by the store */
    const struct review_origin *origins;
    uint64_t known_issue; /* the known issue a complaint is linked to (0: none); set by the
                             store on reads, ignored on writes */
    const char *versions; /* "BIOS 1.14,driver 31.0.101": set by the store's version hook;
                             NULL = none */
};

struct product {
    const char *id; /* external id (SKU); required */
    const char *name;
    const char *brand;
    const char *category; /* "laptops/inspiron": segments joined by '/' */
    const char *url;
    const char *image_url;
    const char *gtin;
    const char *mpn;
    int64_t updated_at;
    bool catalogued; /* put by the catalogue's owner (PUT /products, store_product_put): the
                        product is public without an approved review. Read from the store;
                        ignored on writes (docs/reviews.md, "Who may change the catalogue") */
};

/* One release of a product's firmware, drivers or software (PUT
 * /api/v1/products/{id}/releases): what engineers shipped, so that trends
 * can be read against it. */
struct product_release {
    const char *version; /* "BIOS 1.14": a single line, distinct within the product */
    int64_t released_at; /* required */
    const char *notes;   /* NULL for none */
};

/* Aggregates of approved reviews, per product or per category path. */
struct review_stats {
    uint64_t count;      /* approved rated reviews */
    uint64_t rating_sum; /* sum of their 1..5 ratings */
    uint64_t histogram[5];
    uint64_t mentions;      /* approved reviews without a rating */
    double sentiment_sum;   /* over approved reviews that have a score */
    uint64_t sentiment_n;   /* how many of them have a score */
    int64_t last_review_at; /* newest created_at among approved; 0 = none */
    uint64_t version;       /* bumped by every change the scope's pages can show:
                               for a product any change to its reviews; for a
                               category (and "all") changes to approved ones */
    int64_t changed_at;     /* when version last changed (seconds); 0 = unknown */
};

/* review_dup deep-copies r into one heap block (caller frees with free()).
 * Never fails: out of memory aborts. */
struct review *review_dup(const struct review *r);
/* product_dup deep-copies p into one heap block (caller frees with free()). */
struct product *product_dup(const struct product *p);

/* chorus_url_http says whether s[0..n) is an http or https URL: the scheme
 * in any case, then "://" and something after it. The one rule every
 * catalogue URL (product url, image_url) is held to, since they are shown as
 * links on public pages and in feeds: javascript:, data:, relative and other
 * schemes are refused. */
bool chorus_url_http(const char *s, size_t n);

/* ==== data model: pulled sources ============================================ */

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
    SOURCE_RSS = 0, /* RSS 2.0 */
    SOURCE_ATOM,    /* Atom 1.0, Chorus's own feeds included (chorus:rating etc.) */
    SOURCE_JSON,    /* a JSON array of items (or an object holding one), mapped */
    SOURCE_NDJSON,  /* one JSON item per line, mapped */
    SOURCE_GOOGLE,  /* "google-reviews": Google Product Reviews XML, schema 2.x */
};

/* review_tags_have says whether a comma-joined tag list such as a review's
 * components ("battery,hinge"; NULL or "" for none) holds tag exactly. */
bool review_tags_have(const char *tags, const char *tag);

/* source_kind_name returns "rss", "atom", "json", "ndjson" or
 * "google-reviews" ("unknown" outside the enum); source_kind_parse maps a
 * name back (0, or CHORUS_EINVAL for anything else, NULL included). */
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
    bool catalogue;            /* trusted with the catalogue: its items' product fields
                                  replace set ones, not only fill empty ones */
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

/* source_config_dup copies c into one heap block (caller frees with
 * free()). Out of memory aborts. */
struct source_config *source_config_dup(const struct source_config *c);

/* ---- growable buffer ---------------------------------------------------- */

/* A byte buffer that keeps a NUL after its contents so it can be used as a C
 * string. `cap` is the most it may ever hold (0 = no cap). */
struct buf {
    char *data; /* NULL until the first append */
    size_t len;
    size_t alloc;
    size_t cap;
};

/* buf_init sets up b (caller's storage) empty, with a size cap (0 = none). */
void buf_init(struct buf *b, size_t cap);
/* buf_cleanup frees b's memory; b may be reused after buf_init. */
void buf_cleanup(struct buf *b);
/* buf_reset empties b, keeping its memory. */
void buf_reset(struct buf *b);
/* buf_append adds n bytes. Returns 0, or CHORUS_ETOOBIG past the cap (b unchanged). */
int buf_append(struct buf *b, const void *p, size_t n);
/* buf_puts appends a NUL-terminated string. Same errors as buf_append. */
int buf_puts(struct buf *b, const char *s);
/* buf_putc appends one byte. Same errors as buf_append. */
int buf_putc(struct buf *b, char c);
/* buf_printf appends formatted text. Same errors as buf_append. */
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* buf_read_file appends everything left in f. Returns 0, CHORUS_ETOOBIG
 * when the file is larger than b's cap (b then holds a prefix), or
 * CHORUS_EIO on a read error. */
int buf_read_file(struct buf *b, FILE *f);
/* chorus_fsync_dir makes the names in folder dir durable: a file created
 * or renamed in it survives a crash once this returns 0. CHORUS_EIO
 * otherwise, with errno saying why. Any thread. */
int chorus_fsync_dir(const char *dir);
/* buf_steal hands b's memory to the caller (caller frees with free()); b is
 * left empty. Returns an empty malloc'd string when b holds nothing. */
char *buf_steal(struct buf *b, size_t *len);

/* chorus_pct appends s[0..n) percent-encoded for a URL path segment or
 * query value: RFC 3986 unreserved characters kept, everything else as
 * %XX in upper-case hex; keep_slash also keeps '/', so a category path is
 * encoded segment by segment. Every URL Chorus writes uses this one rule,
 * so a WebSub topic is byte for byte the feed's own self link. Same errors
 * as buf_append. */
int chorus_pct(struct buf *b, const char *s, size_t n, bool keep_slash);
/* chorus_hex_digit gives the value of one hex digit (either case), or -1. */
int chorus_hex_digit(char c);

/* ---- JSON text ------------------------------------------------------------ */

/* chorus_json_str appends s (n bytes, assumed valid UTF-8) as a quoted JSON
 * string, escaping quotes, backslashes, control characters and the HTML
 * specials < > & (so JSON is safe inside a <script> element), and U+2028 and
 * U+2029. Same errors as buf_append. */
int chorus_json_str(struct buf *b, const char *s, size_t n);
/* chorus_json_str_or_null appends s as a JSON string, or null when s is NULL. */
int chorus_json_str_or_null(struct buf *b, const char *s);

/* ---- time --------------------------------------------------------------- */

/* chorus_now returns the current wall-clock time in seconds since the epoch. */
int64_t chorus_now(void);
/* chorus_mono_ms returns a monotonic clock in milliseconds (for rates and
 * timeouts: it never jumps with the wall clock). */
int64_t chorus_mono_ms(void);
/* chorus_time_parse parses an RFC 3339 date-time ("2017-01-13T00:00:00Z",
 * "2017-01-13T00:00:00.000+02:00"; fractional seconds dropped) into seconds
 * since the epoch UTC. Also accepts a bare date "2017-01-13" (midnight UTC).
 * Returns 0 or CHORUS_EINVAL. */
int chorus_time_parse(const char *s, size_t n, int64_t *out);
/* chorus_time_format writes t as "YYYY-MM-DDTHH:MM:SSZ" into out (at least
 * 21 bytes). Returns the length written (20). */
int chorus_time_format(int64_t t, char *out);

/* ---- UTF-8 -------------------------------------------------------------- */

/* chorus_utf8_valid says whether s[0..n) is valid UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF) and contains no NUL byte. */
bool chorus_utf8_valid(const char *s, size_t n);
/* chorus_utf8_decode reads the UTF-8 sequence at s (n bytes left, n > 0)
 * into *cp and returns its length; 0 when none starts there (overlongs,
 * surrogates, values past U+10FFFF, truncated sequences, a NUL byte). */
size_t chorus_utf8_decode(const char *s, size_t n, uint32_t *cp);
/* chorus_fmt is snprintf that never leaves half a UTF-8 character at the
 * end of a truncated result (sentences quoting input end up in JSON). */
void chorus_fmt(char *dst, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void chorus_vfmt(char *dst, size_t cap, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/* chorus_utf8_scrub replaces, in place, every byte of s[0..n) that does not
 * belong to a valid UTF-8 sequence (and every NUL) with '?', so text quoted
 * from a request (a path, a header) can go into JSON. */
void chorus_utf8_scrub(char *s, size_t n);
/* chorus_utf8_chars counts the code points in valid UTF-8 s[0..n). */
size_t chorus_utf8_chars(const char *s, size_t n);

/* ---- base64url ------------------------------------------------------------ */

/* chorus_b64url_encode writes n bytes as unpadded base64url into out (room for
 * 4*ceil(n/3)+1 bytes) and NUL-terminates it. Returns the length written. */
size_t chorus_b64url_encode(const uint8_t *in, size_t n, char *out);
/* chorus_b64url_decode decodes unpadded base64url s (slen chars) into out
 * (room for outcap bytes). Returns the decoded length, or -1 when s is not
 * base64url or does not fit. */
long chorus_b64url_decode(const char *s, size_t slen, uint8_t *out, size_t outcap);

/* ---- misc ----------------------------------------------------------------- */

/* chorus_ct_equal compares two byte strings in time that depends only on
 * their lengths, for API keys. */
bool chorus_ct_equal(const char *a, size_t alen, const char *b, size_t blen);

/* chorus_fnv64 continues a 64-bit FNV-1a hash h over n bytes at p; start
 * from CHORUS_FNV64_INIT. For cache keys and ETags, never for secrets.
 * chorus_fnv64_str hashes a whole string (NULL hashes like ""). */
#define CHORUS_FNV64_INIT 0xcbf29ce484222325ULL /* the offset basis */
uint64_t chorus_fnv64(uint64_t h, const void *p, size_t n);
/* chorus_fnv64_step is chorus_fnv64 over the one byte c, inline for a
 * caller that hashes every prefix of a word on the way to the whole. */
static inline uint64_t chorus_fnv64_step(uint64_t h, unsigned char c)
{
    return (h ^ c) * 1099511628211ULL; /* the FNV prime */
}
uint64_t chorus_fnv64_str(const char *s);

/* ---- hash table (map.c) ----------------------------------------------------- */

/* A hash table from byte-string keys (copied, NUL-terminated in the table)
 * to the caller's pointers; FNV-1a from the seed, open addressing, at most
 * half full. Caller's storage: chorus_map_init, then chorus_map_cleanup.
 * Not thread-safe: a table shared between threads needs its owner's lock.
 * A table keyed by what clients send should take a random seed. */
struct chorus_map_slot;
struct chorus_map {
    struct chorus_map_slot *slots;
    size_t cap, n; /* n: keys held */
    uint64_t seed;
};

/* chorus_map_init makes m empty; seed 0 means CHORUS_FNV64_INIT. */
void chorus_map_init(struct chorus_map *m, uint64_t seed);
/* chorus_map_cleanup frees the keys, and each value with free_val when it
 * is not NULL; m may be initialised again. */
void chorus_map_cleanup(struct chorus_map *m, void (*free_val)(void *val));
/* chorus_map_clear is chorus_map_cleanup that keeps the slots, so a table
 * emptied over and over (a per-transaction cache) does not grow again each
 * time; m stays usable. */
void chorus_map_clear(struct chorus_map *m, void (*free_val)(void *val));
/* chorus_map_get returns key's value, or NULL when key is absent (a NULL
 * value reads the same: chorus_map_has tells them apart). */
void *chorus_map_get(const struct chorus_map *m, const void *key, size_t klen);
bool chorus_map_has(const struct chorus_map *m, const void *key, size_t klen);
/* chorus_map_slot returns where key's value lives, adding key with a NULL
 * value when absent (*created, may be NULL, says which). The pointer is
 * good until the next add. */
void **chorus_map_slot(struct chorus_map *m, const void *key, size_t klen, bool *created);
/* chorus_map_add adds key with val unless key is there already (the first
 * value stays); true when added. */
bool chorus_map_add(struct chorus_map *m, const void *key, size_t klen, void *val);
/* chorus_map_remove takes key out and returns its value (NULL when absent). */
void *chorus_map_remove(struct chorus_map *m, const void *key, size_t klen);
/* chorus_map_each calls fn for every key, in no particular order, until fn
 * returns non-zero (returned). fn must not add or remove keys. */
int chorus_map_each(const struct chorus_map *m,
                    int (*fn)(void *ctx, const char *key, size_t klen, void *val), void *ctx);

#endif
