/* Chorus store internals, shared by the files of store/ and by its unit tests.
 *
 * Nothing here crosses include/: MDB types stay inside the module.
 *
 * On-disk layout (schema 1; tokens.c describes the tokens database). Integers in keys are
 * big-endian so byte order is numeric order; signed times are biased (x ^ 2^63) first, and
 * "inverted" means the bitwise complement, so an ascending scan runs newest first.
 *
 *   meta         "schema" -> u32, "next_review_id" -> u64,
 *                "next_product_no" -> u32, "next_category_no" -> u32
 *   reviews      id u64 -> review record (record.c)
 *   by_prod      product_no u32 | rating u8 | ~created u64 | ~id u64 -> flags u8
 *   by_helpful   product_no u32 | ~helpful u32 | ~created u64 | ~id u64 -> flags u8,
 *                only for reviews with helpful votes
 *   by_time      ingested u64 | id u64 -> empty
 *   by_status    status u8 | id u64 -> empty
 *   dedupe       source 0x00 source_id -> id u64
 *   product_no   external id -> product_no u32
 *   products     product_no u32 -> product record (record.c)
 *   categories   path -> category_no u32
 *   by_category  path 0x00 product_no u32 -> empty
 *   aggregates   kind u8 | no u32 -> stats record (record.c)
 *   daily        kind u8 | no u32 | day u32 -> day record (record.c)
 *   comp_days    product_no u32 | day u32 | component (1..32 bytes) -> u8 version,
 *                4 x u32 (complaints, mentions, judged, positive) (components.c);
 *                schema 4. Day before component, so that a product's window
 *                of every component is one range read.
 *   issues, issues_by_prod, issue_of, issue_reviews: known issues and the
 *                complaints linked to them (issues.c, issue_link.c)
 *   releases     product_no u32 -> the product's release list (releases.c)
 *
 * Records (reviews, products, aggregates, daily) start with a format-version
 * byte. Plain numbers (meta values, dedupe, product_no, categories) and the
 * one-byte index flags are versioned by the schema number alone: they have no
 * layout that could evolve on its own.
 *
 * The ids in by_prod and by_helpful are inverted like the times, so that
 * "newest first" breaks ties by the higher id first, as store.h promises for
 * STORE_SORT_NEWEST, and a reverse scan gives STORE_SORT_OLDEST exactly.
 */
#ifndef CHORUS_STORE_INT_H
#define CHORUS_STORE_INT_H

#include <lmdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "chorus/store.h"

/* ---- databases ------------------------------------------------------------ */

enum store__db {
    STORE__META = 0,
    STORE__REVIEWS,
    STORE__BY_PROD,
    STORE__BY_HELPFUL,
    STORE__BY_TIME,
    STORE__BY_STATUS,
    STORE__DEDUPE,
    STORE__PRODUCT_NO,
    STORE__PRODUCTS,
    STORE__CATEGORIES,
    STORE__BY_CATEGORY,
    STORE__AGGREGATES,
    STORE__DAILY,
    STORE__BY_SCOPE,       /* schema 2 */
    STORE__TOKENS,         /* schema 2 */
    STORE__SOURCES,        /* pulled sources: id u64 -> record (sources.c); added empty */
    STORE__BY_CONTENT,     /* pno | text hash -> review id (content.c); added empty */
    STORE__COMP_DAYS,      /* schema 4: daily component counts (components.c) */
    STORE__ISSUES,         /* known issues (issues.c); added empty */
    STORE__ISSUES_BY_PROD, /* pno | issue id -> empty (issues.c); added empty */
    STORE__ISSUE_OF,       /* review id -> issue id (issue_link.c); added empty */
    STORE__ISSUE_REVIEWS,  /* issue id | ~created | ~id -> empty (issue_link.c); added empty */
    STORE__RELEASES,       /* pno u32 -> release list (releases.c); added empty */
    STORE__NDB
};

/* The initial map of a new data folder. Small on purpose: growth on
 * MDB_MAP_FULL is then exercised by ordinary tests, not only in production. */
#define STORE__INITIAL_MAPSIZE ((size_t)64 << 20)

/* A short page write (EIO from LMDB) is read as a full disk when the data
 * folder's filesystem has less than this left: a short write stops at the
 * last free block, so what is left after it is far below one batch. */
#define STORE__DISK_SLACK ((uint64_t)1 << 20)

#define STORE__RECORD_VERSION 1 /* first byte of every record value */

/* Index flags byte (by_prod and by_helpful values): filters need no record. */
#define STORE__F_STATUS_MASK  0x03 /* enum review_status */
#define STORE__F_VERIFIED     0x04
#define STORE__F_RATING_SHIFT 3    /* bits 3..5: rating 0..5 */
#define STORE__F_VOTED        0x40 /* helpful > 0: the review is in by_helpful */

#define STORE__KIND_PRODUCT  'p'
#define STORE__KIND_CATEGORY 'c'

#define STORE__PROD_KEY_LEN    21 /* by_prod */
#define STORE__HELPFUL_KEY_LEN 24 /* by_helpful */
#define STORE__TIME_KEY_LEN    16 /* by_time */
#define STORE__STATUS_KEY_LEN  9  /* by_status */
#define STORE__AGG_KEY_LEN     5  /* aggregates */
#define STORE__DAY_KEY_LEN     9  /* daily */
#define STORE__DEDUPE_KEY_MAX  (CHORUS_MAX_SOURCE + 1 + CHORUS_MAX_SOURCE_ID)
#define STORE__CONTENT_KEY_LEN 16 /* by_content */
#define STORE__CATKEY_MAX      (CHORUS_MAX_CATEGORY + 1 + 4)

/* ---- the environment -------------------------------------------------------- */

struct store__wstate;

struct store {
    MDB_env *env;
    MDB_dbi dbi[STORE__NDB];
    char *dir;         /* for messages */
    uint64_t instance; /* random per data folder: see init_instance in env.c */

    /* Growing the map (mdb_env_set_mapsize) unmaps and remaps the file, so no
     * transaction of this process may be active meanwhile. `active` counts
     * transactions between begin and end; `resizing` holds new ones back.
     * Both are atomics so that beginning and ending a read takes no lock
     * while no resize is pending: every request of every serving thread
     * does both. A thread that holds a read snapshot while it calls
     * store_write cannot wait for itself: a resize then fails with
     * CHORUS_EBUSY instead of deadlocking (env.c counts each thread's
     * active transactions). mu and cv are for the waits. */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    atomic_uint active;
    atomic_bool resizing;
    size_t mapsize; /* the map size this process uses now */

    store_tagger_fn tagger; /* see store_set_tagger */
    void *tagger_ctx;
    store_tagger_fn versioner; /* see store_set_versioner */
    void *versioner_ctx;
    store_scorer_fn scorer; /* see store_set_scorer */
    void *scorer_ctx;

    pthread_mutex_t wmu;               /* one store_write at a time in this process */
    pthread_mutex_t plist_mu;          /* the listings memo (plist.c) */
    struct store__listing *plist_memo; /* sorted product listings by snapshot */
    _Atomic uint64_t plist_built;      /* listings gathered and sorted */
    struct store_txn *wtxn;            /* reused by store_write, guarded by wmu */
};

/* ---- scratch memory ------------------------------------------------------------ */

/* A bump allocator whose blocks never move, so everything handed out stays
 * valid until the arena is reset: decoded responses arrays live here. */
struct store__chunk;

struct store__arena {
    struct store__chunk *head; /* newest chunk first */
};

struct store__mark {
    struct store__chunk *chunk;
    size_t used;
};

void *store__arena_alloc(struct store__arena *a, size_t n);
/* store__arena_strdup copies s into the arena (NULL gives NULL). */
char *store__arena_strdup(struct store__arena *a, const char *s);
void store__arena_mark(const struct store__arena *a, struct store__mark *m);
/* store__arena_release frees everything allocated after mark m. */
void store__arena_release(struct store__arena *a, const struct store__mark *m);
/* store__arena_reset frees everything but keeps one chunk for reuse. */
void store__arena_reset(struct store__arena *a);
void store__arena_cleanup(struct store__arena *a);

/* ---- transactions ------------------------------------------------------------- */

struct store_txn {
    struct store *s;
    MDB_txn *txn;
    bool write;
    bool active;  /* between begin and end: counted in s->active */
    bool mapfull; /* sticky: an operation hit MDB_MAP_FULL, store_write grows */
    struct store__arena arena;
    struct store__wstate *w; /* write transactions only */
};

/* ---- raw access (kv.c) ---------------------------------------------------------- */

/* store__err translates an LMDB or errno code into a CHORUS_E code. */
int store__err(int rc);
/* store__check_rc translates rc and remembers MDB_MAP_FULL in t, so that
 * store_write grows the map even when the callback swallowed the error. */
int store__check_rc(struct store_txn *t, int rc);

int store__get(struct store_txn *t, enum store__db db, const void *k, size_t klen, MDB_val *v);
int store__put(struct store_txn *t, enum store__db db, const void *k, size_t klen, const void *v,
               size_t vlen, unsigned flags);
/* store__put_new inserts k unless it exists: then CHORUS_EEXIST, and
 * *existing holds the stored value. */
int store__put_new(struct store_txn *t, enum store__db db, const void *k, size_t klen,
                   const void *v, size_t vlen, MDB_val *existing);
/* store__reserve puts a value of vlen bytes and gives where to write it. */
int store__reserve(struct store_txn *t, enum store__db db, const void *k, size_t klen, size_t vlen,
                   unsigned flags, uint8_t **out);
/* store__del deletes key k; a missing key is not an error. */
int store__del(struct store_txn *t, enum store__db db, const void *k, size_t klen);
int store__cursor(struct store_txn *t, enum store__db db, MDB_cursor **out);

/* Meta values: big-endian u32/u64 under a string key. Missing reads as 0. */
int store__meta_get_u64(struct store_txn *t, const char *name, uint64_t *out);
int store__meta_put_u64(struct store_txn *t, const char *name, uint64_t v);
int store__meta_get_u32(struct store_txn *t, const char *name, uint32_t *out);
int store__meta_put_u32(struct store_txn *t, const char *name, uint32_t v);

/* ---- the environment and its map (env.c) ------------------------------------------ */

/* store__env_open opens s->dir's environment and named databases, checks
 * the schema (*schema: what the folder had, 0 for a new one) and reads the
 * instance and the map size; store__env_close closes it (safe twice). A
 * sentence for a person goes to errbuf. */
int store__env_open(struct store *s, uint32_t *schema, char *errbuf, size_t errlen);
void store__env_close(struct store *s);
/* store__db_name is the LMDB name of named database i (a STORE__ index):
 * for code that opens a folder's file without a store (backup.c). Static. */
const char *store__db_name(int i);
/* Counting active transactions, so the map is only resized when none is.
 * enter may wait while a resize is pending. */
void store__txn_enter(struct store *s);
void store__txn_leave(struct store *s);
/* store__map_grow doubles the map from `seen`, the size the failed
 * transaction ran with; store__map_adopt takes the size another process set
 * (MDB_MAP_RESIZED). CHORUS_EBUSY when this thread holds a snapshot. */
int store__map_grow(struct store *s, size_t seen);
int store__map_adopt(struct store *s);

/* store__mapsize reports the map size in use (for tests). */
size_t store__mapsize(struct store *s);

/* ---- transactions (txn.c) --------------------------------------------------------- */

/* store__next_review_id hands out the next review id (write txn);
 * store__peek_review_id says which that will be without taking it. */
int store__next_review_id(struct store_txn *t, uint64_t *out);
int store__peek_review_id(struct store_txn *t, uint64_t *out);

/* ---- big-endian helpers --------------------------------------------------------- */

static inline void store__be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline void store__be64(uint8_t *p, uint64_t v)
{
    store__be32(p, (uint32_t)(v >> 32));
    store__be32(p + 4, (uint32_t)v);
}

static inline uint32_t store__rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t store__rd64(const uint8_t *p)
{
    return (uint64_t)store__rd32(p) << 32 | store__rd32(p + 4);
}

/* ---- keys (keys.c) ---------------------------------------------------------- */

/* Signed times map to unsigned so that byte order is time order. */
uint64_t store__time_bias(int64_t t);
int64_t store__time_unbias(uint64_t u);
/* store__day_of gives the UTC day number of t, negative times clamped to 0
 * and far futures to STORE__DAY_LAST. */
#define STORE__DAY_LAST 0x7ffffffeu
uint32_t store__day_of(int64_t t);
uint8_t store__flags(const struct review *r);

void store__key_prod(uint8_t *k, uint32_t pno, int rating, int64_t created, uint64_t id);
void store__key_helpful(uint8_t *k, uint32_t pno, uint32_t helpful, int64_t created, uint64_t id);
void store__key_time(uint8_t *k, int64_t ingested, uint64_t id);
void store__key_status(uint8_t *k, enum review_status st, uint64_t id);
void store__key_agg(uint8_t *k, uint8_t kind, uint32_t no);
void store__key_day(uint8_t *k, uint8_t kind, uint32_t no, uint32_t day);
/* store__key_dedupe packs source (NULL or "" = "api") and source_id; returns
 * the length, or 0 when they break the caps. k has STORE__DEDUPE_KEY_MAX. */
size_t store__key_dedupe(uint8_t *k, const char *source, const char *source_id);
/* store__key_content packs product number pno and a hash of r's normalised
 * body and author (content.c) into k (STORE__CONTENT_KEY_LEN); false when
 * the body is too short to recognise copies by. */
bool store__content_key(uint8_t *k, uint32_t pno, const struct review *r);
/* store__same_content says whether a and b are copies of one review: same
 * product, same author and body once normalised. */
bool store__same_content(const struct review *a, const struct review *b);
/* store__content_find looks up the review stored first with r's content
 * key for product number pno: 0 and *id, or CHORUS_ENOTFOUND (also when r
 * has no key). The caller confirms with store__same_content. */
int store__content_find(struct store_txn *t, uint32_t pno, const struct review *r, uint64_t *id);
/* store__content_move keeps by_content in step when review id goes from
 * old (product number opno; NULL: new review) to nw (npno; NULL: deleted).
 * Only reviews already indexed, or nw when add is set, are indexed. */
int store__content_move(struct store_txn *t, uint64_t id, const struct review *old, uint32_t opno,
                        const struct review *nw, uint32_t npno, bool add);
/* store__key_category packs path 0x00 pno into k (STORE__CATKEY_MAX). */
size_t store__key_category(uint8_t *k, const char *path, size_t plen, uint32_t pno);

/* Unpacking the fields of a by_prod / by_helpful key. */
int64_t store__key_prod_created(const uint8_t *k);
uint64_t store__key_prod_id(const uint8_t *k);

/* ---- records (record.c) ------------------------------------------------------- */

/* store__review_size gives the encoded size of r. */
size_t store__review_size(const struct review *r);
/* store__review_encode writes r into out (store__review_size bytes). */
void store__review_encode(uint8_t *out, const struct review *r, uint32_t pno);
/* store__review_decode fills *r from a stored value; strings point into the
 * value. Responses go to arena a (NULL: n_responses is set, responses NULL).
 * Returns 0 or CHORUS_ECORRUPT. */
int store__review_decode(const void *data, size_t len, struct review *r, uint32_t *pno,
                         struct store__arena *a);

size_t store__product_size(const struct product *p);
void store__product_encode(uint8_t *out, const struct product *p);
int store__product_decode(const void *data, size_t len, struct product *p);

#define STORE__STATS_LEN    105 /* version byte, 7 u64, 5 histogram u64, one f64 */
#define STORE__STATS_LEN_V1 97  /* schema 1: without changed_at */
void store__stats_encode(uint8_t *out, const struct review_stats *st);
int store__stats_decode(const void *data, size_t len, struct review_stats *st);

#define STORE__DAYREC_MAX 31 /* version byte, 6 varints */
/* store__day_encode returns the encoded length (at most STORE__DAYREC_MAX).
 * store__day_decode keeps d->day, which lives in the key. */
size_t store__day_encode(uint8_t *out, const struct store_day *d);
int store__day_decode(const void *data, size_t len, struct store_day *d);

/* The entities a review counts in: its product and its category chain. */
struct store__scope {
    uint32_t pno;
    size_t ncat;
    const uint32_t *cats; /* cats[i] is the i-th prefix of path */
    const char *path;     /* the product's category; "" when none */
};

#define STORE__MAX_LEVELS (CHORUS_MAX_CATEGORY / 2 + 1) /* segments of a path */

/* ---- products and categories (products.c) -------------------------------------- */

/* store__product_info resolves an external id to its scope (number and
 * category chain), creating the product (id only) when create is set;
 * CHORUS_ENOTFOUND without create. Write txn. The scope is borrowed from the
 * product cache: copy what must outlive the next store__product_info. */
int store__product_info(struct store_txn *t, const char *id, bool create, struct store__scope *out);
/* store__product_no looks up an external id (any txn). */
int store__product_no(struct store_txn *t, const char *id, uint32_t *out);
/* store__product_no_new registers id under a fresh number (write txn). */
int store__product_no_new(struct store_txn *t, const char *id, uint32_t *out);
/* store__product_record_get reads product pno's record (borrowed; a
 * numbered product without one is CHORUS_ECORRUPT); store__product_record_put
 * writes it. */
int store__product_record_get(struct store_txn *t, uint32_t pno, struct product *p);
int store__product_record_put(struct store_txn *t, uint32_t pno, const struct product *p);
/* store__category_chain fills cats with the numbers of every prefix of path
 * (at most cap); creates missing ones when create is set. *n gets the count.
 * A prefix that is missing without create ends the chain early. */
int store__category_chain(struct store_txn *t, const char *path, bool create, uint32_t *cats,
                          size_t cap, size_t *n);
/* store__category_valid: segments non-empty, within the cap. "" is valid. */
bool store__category_valid(const char *path);
/* store__plist_memo_free frees the sorted listings kept (store_close). */
void store__plist_memo_free(struct store *s);
/* store__category_each calls fn for every product_no whose category is path
 * or under it. */
int store__category_each(struct store_txn *t, const char *path, size_t plen,
                         int (*fn)(void *ctx, uint32_t pno), void *ctx);
/* store__pcache_init makes the product cache of a new write state empty;
 * store__pcache_clear forgets cached product infos (new run, category
 * change); store__pcache_free releases the table. */
void store__pcache_init(struct store__wstate *w);
void store__pcache_clear(struct store__wstate *w);
void store__pcache_free(struct store__wstate *w);

/* ---- by_scope (scope.c) ------------------------------------------------------ */

#define STORE__SCOPE_KEY_LEN 21 /* kind | number | ~created | ~id */
/* store__scope_prefix packs the 5-byte prefix of a scope's by_scope keys
 * (kind, number); store__key_scope packs a whole key. */
void store__scope_prefix(uint8_t *k, uint8_t kind, uint32_t no);
void store__key_scope(uint8_t *k, uint8_t kind, uint32_t no, int64_t created, uint64_t id);

/* store__scope_index moves review old's by_scope entries (scope os) to nw's
 * (scope ns); either may be NULL. Only approved reviews have entries; ids
 * must be set. */
int store__scope_index(struct store_txn *t, const struct review *old, const struct store__scope *os,
                       const struct review *nw, const struct store__scope *ns);
/* store__scope_move re-files product pno's approved reviews from the
 * category numbers `from` to `to`. */
int store__scope_move(struct store_txn *t, uint32_t pno, const uint32_t *from, size_t nfrom,
                      const uint32_t *to, size_t nto);

/* ---- aggregates (aggregates.c, aggcache.c) ------------------------------------------------ */

/* store__agg_get reads the stats of (kind, no), zeros when none (any txn;
 * write txns see their own pending changes). */
int store__agg_get(struct store_txn *t, uint8_t kind, uint32_t no, struct review_stats *out);
/* store__agg_ref gives a pointer to the cached, modifiable stats of (kind,
 * no) in a write txn, marked dirty. Valid (and dirty) only until the next
 * call into the cache: any store__agg_* or store__day_add may flush it. */
int store__agg_ref(struct store_txn *t, uint8_t kind, uint32_t no, struct review_stats **out);
/* store__day_add adds sign times d's counts to the daily bucket (kind, no,
 * day) of a write txn; the bucket is read and written at flush. */
int store__day_add(struct store_txn *t, uint8_t kind, uint32_t no, uint32_t day,
                   const struct store_day *d, int sign);
/* store__agg_review moves review `old` (NULL: none) out of and `nw` (NULL:
 * none) into the aggregates and daily buckets of their scopes, bumping the
 * version of every entity touched. The indexes must already show the new
 * state: a lost newest review is replaced by scanning them. */
int store__agg_review(struct store_txn *t, const struct review *old,
                      const struct store__scope *old_scope, const struct review *nw,
                      const struct store__scope *new_scope);
/* store__agg_move_product moves product pno's aggregate and daily buckets
 * from categories `from` to categories `to` (by_category must already show the
 * move) and bumps versions of both chains. */
int store__agg_move_product(struct store_txn *t, uint32_t pno, const uint32_t *from, size_t nfrom,
                            const char *from_path, const uint32_t *to, size_t nto);
/* store__releases_decode walks a releases record (releases.c), calling fn
 * (NULL: only check it) per release; CHORUS_ECORRUPT when damaged or out of
 * order, else 0 or fn's value. */
int store__releases_decode(const void *data, size_t len, store_release_fn fn, void *ctx);

/* store__agg_bump bumps the version of (kind, no). */
int store__agg_bump(struct store_txn *t, uint8_t kind, uint32_t no);
/* store__agg_flush writes every cached change (before commit, and before a
 * scan of the daily database). Clean aggregates stay cached. */
int store__agg_flush(struct store_txn *t);

/* store__days_each calls fn for each stored daily bucket of (kind, no) from
 * from_day on, ascending: d is the decoded bucket, or NULL when the value
 * does not decode (day still says which). fn returns 0 to go on, CHORUS_ESTOP
 * to end the walk with 0, any other code to end it with that code. Reads
 * the daily database as it stands: flush the write cache first when it
 * matters. */
typedef int (*store__day_fn)(void *ctx, uint32_t day, const struct store_day *d);
int store__days_each(struct store_txn *t, uint8_t kind, uint32_t no, uint32_t from_day,
                     store__day_fn fn, void *ctx);
/* store__agg_cache_clear empties the aggregate cache, dropping unflushed
 * changes. */
void store__agg_cache_clear(struct store__wstate *w);
void store__agg_cache_free(struct store__wstate *w);
/* store__stats_add adds (sign +1) or subtracts (sign -1) b's counts to a. */
void store__stats_add(struct review_stats *a, const struct review_stats *b, int sign);

/* ---- daily component counts (components.c) ---------------------------------------- */

#define STORE__COMP_KEY_MAX (8 + STORE_COMPONENT_MAX)
#define STORE__COMP_REC_LEN 17    /* version byte, 4 x u32 */
#define STORE__COMP_MAX     16384 /* pending deltas per write txn; one more flushes */

/* The four counts of one review, or of a (day, component) bucket. */
struct store__comp_counts {
    int64_t complaints, mentions, judged, positive;
};

/* store__comp_class gives what review r adds to each component it names
 * (all zero unless approved). */
struct store__comp_counts store__comp_class(const struct review *r);
/* store__comp_tag_next walks the tags of a components string: from *p,
 * skips empty and over-long tags and gives the next one (*len bytes at the
 * returned pointer), or NULL at the end. */
const char *store__comp_tag_next(const char **p, size_t *len);
/* store__comp_tag_dup says whether the tag at s (n bytes, inside tags) came
 * earlier in tags: a component counts once per review however often it is
 * listed. */
bool store__comp_tag_dup(const char *tags, const char *s, size_t n);
/* store__comp_key packs pno | day | tag (len bytes) into k
 * (STORE__COMP_KEY_MAX) and returns the key length. */
size_t store__comp_key(uint8_t *k, uint32_t pno, uint32_t day, const char *tag, size_t len);
/* store__comp_review moves review old (product number opno; NULL: none)
 * out of and nw (npno; NULL: none) into the daily component counts of a
 * write txn: deltas, applied at the next store__agg_flush. */
int store__comp_review(struct store_txn *t, const struct review *old, uint32_t opno,
                       const struct review *nw, uint32_t npno);
/* store__comp_flush applies the pending deltas (called by store__agg_flush). */
int store__comp_flush(struct store_txn *t);
/* store__comp_decode reads a stored value. 0 or CHORUS_ECORRUPT. */
int store__comp_decode(const void *data, size_t len, struct store__comp_counts *c);
void store__comp_cache_clear(struct store__wstate *w);
void store__comp_cache_free(struct store__wstate *w);

/* ---- write state (txn.c) ----------------------------------------------------- */

struct store__agg_entry;
struct store__day_entry;
struct store__order;
struct store__comp_entry;

struct store__wstate {
    size_t valid_after; /* caches hold the state after this committed txn id */

    uint64_t next_id; /* next review id, once loaded */
    bool have_next_id;
    bool next_id_dirty;

    /* aggregate cache (aggcache.c): clean entries outlive a commit */
    struct chorus_map aggix; /* key -> entry of aggs */
    struct store__agg_entry *aggs;
    size_t naggs;
    uint32_t *adirty; /* indexes of dirty entries */
    size_t nadirty;
    /* daily deltas, applied and dropped by every flush */
    struct chorus_map dayix; /* key -> entry of days */
    struct store__day_entry *days;
    size_t ndays;
    struct store__order *order; /* sort space for a flush */
    /* daily component deltas (components.c), dropped by every flush like days */
    struct chorus_map compix; /* key bytes -> entry of comps */
    struct store__comp_entry *comps;
    size_t ncomps;
    struct store__comp_entry **corder; /* sort space for a flush */

    /* product cache: external id -> struct store__scope */
    struct chorus_map pcache;
    struct store__arena parena; /* the scopes of pcache, their paths and category chains */

    uint8_t *enc; /* scratch for encoding records */
    size_t enc_alloc;
};

#define STORE__AGG_MAX    8192
#define STORE__DAY_MAX    16384
#define STORE__PCACHE_MAX 4096 /* products cached; one more empties the cache */

/* store__wstate_reset empties the caches: at the start of a store_write
 * run, unless this process made the last commit (see txn.c). */
void store__wstate_reset(struct store__wstate *w);
void store__wstate_free(struct store__wstate *w);
/* store__enc_buf gives a scratch buffer of n bytes, valid until the next call. */
uint8_t *store__enc_buf(struct store_txn *t, size_t n);

/* ---- reads shared by several files ------------------------------------------- */

/* store__review_load fetches and decodes review id (responses to the arena).
 * *pno receives its product number (may be NULL). */
int store__review_load(struct store_txn *t, uint64_t id, struct review *r, uint32_t *pno);
/* store__review_load_copy is store__review_load from a copy of the record in
 * the arena, for writes: the puts that replace a record may rewrite the
 * page the old strings sit in. */
int store__review_load_copy(struct store_txn *t, uint64_t id, struct review *r, uint32_t *pno);
/* store__review_reindex moves review id's index entries from old (NULL:
 * none; product number opno) to nw (NULL: none; npno), touching only the
 * entries whose key or value changes (reviews.c). */
int store__review_reindex(struct store_txn *t, uint64_t id, const struct review *old, uint32_t opno,
                          const struct review *nw, uint32_t npno);
/* store__review_account moves a review's by_scope entries and aggregate
 * shares from old (scope os) to nw (scope ns); either may be NULL. */
int store__review_account(struct store_txn *t, const struct review *old,
                          const struct store__scope *os, const struct review *nw,
                          const struct store__scope *ns);
/* store__review_rewrite stores nw over old (same id, same product number
 * pno) and moves the indexes and aggregates along. */
int store__review_rewrite(struct store_txn *t, const struct review *old, uint32_t pno,
                          const struct review *nw);
/* store__review_drop_origin removes origin o's dedupe entry if it still
 * names review id. */
int store__review_drop_origin(struct store_txn *t, uint64_t id, const struct review_origin *o);

/* store__cap_ok: s is absent or at most cap bytes. */
static inline bool store__cap_ok(const char *s, size_t cap)
{
    return !s || strlen(s) <= cap;
}

/* store__score runs the store's scorer (set) on r: -1 .. 1 or NAN. */
double store__score(const struct store *s, const struct review *r);
/* store__review_write replaces review nw->id's record (product number pno);
 * nw may borrow strings from the record it replaces. Indexes untouched. */
int store__review_write(struct store_txn *t, const struct review *nw, uint32_t pno);

/* ---- known issues (issues.c, issue_link.c) ----------------------------------------- */

/* store__issue_decode fills *is from a stored record (strings point into
 * data). CHORUS_ECORRUPT. */
int store__issue_decode(const void *data, size_t len, uint64_t id, struct store_issue *is);
/* store__issues_of calls fn with the id of every issue of product pno, in
 * id order; fn returns CHORUS_ESTOP to end the walk with 0. */
int store__issues_of(struct store_txn *t, uint32_t pno, int (*fn)(void *ctx, uint64_t id),
                     void *ctx);
/* store__issue_complaints counts the approved complaints in st. */
uint64_t store__issue_complaints(const struct review_stats *st);
/* store__issue_match gives the issue review r (of product pno) links to
 * by the rule of issue_link.c, 0 for none (and for a review that is no
 * complaint). */
int store__issue_match(struct store_txn *t, uint32_t pno, const struct review *r, uint64_t *issue);
/* store__issue_link moves review old's link (NULL: a new review) to what nw
 * (NULL: deleted; of product number npno) links to; ids must be set. */
int store__issue_link(struct store_txn *t, const struct review *old, const struct review *nw,
                      uint32_t npno);
/* store__issue_relink recomputes the links of product pno's approved
 * complaints; CHORUS_ETOOBIG when there are more than relink_max. */
int store__issue_relink(struct store_txn *t, uint32_t pno, size_t relink_max);
/* store__issue_fill sets r->known_issue from the links (r->id set). */
void store__issue_fill(struct store_txn *t, struct review *r);

/* ---- reader tokens (tokens.c) ----------------------------------------------------- */

/* store__tokens_upgrade rewrites a schema-2 tokens database in the current
 * format (write transaction t): each token's old hash is wrapped into an
 * HMAC under the folder's key, made now if there is none, and the old
 * hashes are deleted. CHORUS_ECORRUPT for an entry of no known format. */
int store__tokens_upgrade(struct store_txn *t);
/* store__token_hash128 is the schema-2 hash of a token (two FNV-1a-64
 * lanes), kept for the tokens wrapped from it and for tests that write a
 * schema-2 token. Not a cryptographic hash. */
void store__token_hash128(const char *s, uint8_t out[16]);

#endif
