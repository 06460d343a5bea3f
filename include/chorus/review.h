/* Chorus data model: reviews and products as plain data.
 *
 * These structs carry borrowed strings: who owns the bytes depends on who
 * filled the struct, and every function that fills one says so (a parser's
 * callback: valid during the callback; the store: valid until the transaction
 * ends; review_dup: the caller's heap block).
 */
#ifndef CHORUS_REVIEW_H
#define CHORUS_REVIEW_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* Input caps, enforced by the parsers and again by the store. Lengths are in
 * bytes of UTF-8. */
#define CHORUS_MAX_PRODUCT_ID 128
#define CHORUS_MAX_TITLE      500
#define CHORUS_MAX_BODY       20000
#define CHORUS_MAX_AUTHOR     200
#define CHORUS_MAX_LOCATION   200
#define CHORUS_MAX_LANGUAGE   35
#define CHORUS_MAX_SOURCE     100
#define CHORUS_MAX_SOURCE_ID  256
#define CHORUS_MAX_REASON     1000
#define CHORUS_MAX_RESPONSE   5000
#define CHORUS_MAX_RESPONSES  20
#define CHORUS_MAX_NAME       500
#define CHORUS_MAX_CATEGORY   300
#define CHORUS_MAX_URL        2000
#define CHORUS_MAX_CODE       64 /* gtin, mpn, brand */
#define CHORUS_MAX_ORIGINS    16 /* other sources a review was syndicated through */

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

#endif
