/* Chorus store: reviews, products, indexes and aggregates in LMDB.
 *
 * One environment per process (open it after any fork). Any number of
 * processes may open the same data folder: chorusd serving while `chorus
 * import` writes, for example; LMDB serialises the writers.
 *
 * Threads: the store handle is shared. Each thread keeps its own read
 * transaction (store_read_begin renews it per request); writes go through
 * store_write, which may run on any thread but only one at a time per
 * process is useful (LMDB has a single writer).
 *
 * Lifetime rule: everything a read hands out (strings in struct review,
 * struct product, ...) is borrowed from the transaction and is valid until
 * store_read_end / the end of the store_write callback. Copy what must live
 * longer.
 */
#ifndef CHORUS_STORE_H
#define CHORUS_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "chorus/base.h"

/* 2: by_scope (feeds), tokens, components on reviews, changed_at on
 * aggregates. 3: reader tokens under an HMAC, not a plain hash. 4: daily
 * component counts (store_component_days). An older folder is upgraded in
 * place when opened. */
#define CHORUS_SCHEMA_VERSION 4

struct store;
struct store_txn;

/* ---- environment ---------------------------------------------------------- */

/* store_open opens (creating when missing) the data folder dir. On a folder
 * written by a newer schema it fails with CHORUS_ESCHEMA. On failure a
 * sentence for a person is written to errbuf (may be NULL). *out is set only
 * on success; caller closes with store_close. */
int store_open(struct store **out, const char *dir, char *errbuf, size_t errlen);
/* store_close closes the environment. No transaction may be open. NULL ok. */
void store_close(struct store *s);

/* store_instance returns the folder's random instance number: part of the
 * automatic source ids and of feed ids, fixed for the folder's life. */
uint64_t store_instance(const struct store *s);

/* store_tagger_fn writes the comma-joined component ids a review names into
 * out (cap bytes, NUL-terminated; "" for none). It runs inside write
 * transactions, on whichever thread writes: it must be thread-safe. */
#define STORE_TAGS_MAX 4096 /* room the tagger gets */
typedef void (*store_tagger_fn)(void *ctx, const struct review *r, char *out, size_t cap);

/* store_set_tagger makes store_review_put tag every review it stores (the
 * components field given by the caller is then replaced). Set it once,
 * before any write; fn NULL turns tagging off. */
void store_set_tagger(struct store *s, store_tagger_fn fn, void *ctx);

/* store_set_versioner makes store_review_put record the versions every
 * review it stores mentions (struct review.versions, replacing the
 * caller's), with fn of the tagger's shape writing them comma-joined
 * ("BIOS 1.14,driver 31.0.101"; at most STORE_VERSIONS_MAX - 1 bytes kept).
 * fn runs inside write transactions on whichever thread writes: it must be
 * thread-safe. Set it once, before any write; NULL turns it off. */
#define STORE_VERSIONS_MAX 512
void store_set_versioner(struct store *s, store_tagger_fn fn, void *ctx);

/* store_scorer_fn returns the sentiment of a review's text, -1 (negative) ..
 * +1 (positive), or NAN when it holds no opinion. It runs inside write
 * transactions, on whichever thread writes: it must be thread-safe. */
typedef double (*store_scorer_fn)(void *ctx, const struct review *r);

/* store_set_scorer makes store_review_put score every review it stores: the
 * sentiment given by the caller is then replaced by fn's value (a value
 * outside -1 .. 1 is stored as NAN, not scored). Set it once, before any
 * write; fn NULL turns scoring off. */
void store_set_scorer(struct store *s, store_scorer_fn fn, void *ctx);

/* ---- transactions --------------------------------------------------------- */

/* store_read_begin starts a read snapshot. *txn NULL: a new read transaction
 * is created (free it with store_txn_free); otherwise the given one, which
 * must have been ended with store_read_end, is renewed. Returns 0 or a
 * CHORUS_E code. Never hold one across an asynchronous wait. */
int store_read_begin(struct store *s, struct store_txn **txn);
/* store_read_end releases the snapshot (mdb_txn_reset) and everything it
 * lent out, keeping txn for the next store_read_begin. */
void store_read_end(struct store_txn *txn);
/* store_txn_free frees a read transaction made by store_read_begin. NULL ok. */
void store_txn_free(struct store_txn *txn);

/* store_write runs fn(txn, ctx) inside one write transaction and commits it,
 * durably (fsync) before returning. If fn returns non-zero the transaction is
 * aborted and that value returned. When the map fills up, the transaction is
 * aborted, the map grown and fn run again from the start, so fn must be
 * re-runnable: it may record results only into state it overwrites each run.
 * Returns 0, fn's error, or a CHORUS_E code from the commit. */
int store_write(struct store *s, int (*fn)(struct store_txn *txn, void *ctx), void *ctx);

/* ---- reviews (writes: only inside store_write) ---------------------------- */

enum store_put_result {
    STORE_CREATED = 1,   /* a new review */
    STORE_UPDATED = 2,   /* an existing review, content changed */
    STORE_MERGED = 3,    /* a copy of a review from another origin (STORE_PUT_MERGE) */
    STORE_UNCHANGED = 4, /* an existing review sent again as it is: nothing written */
};

/* store_review_put stores a review from an ingest. When r->source_id is set
 * and (r->source or "api", r->source_id) was seen before, that review is
 * updated in place: content fields replaced, id, votes, responses,
 * moderation status, ingested_at and origins kept (STORE_UPDATED, or
 * STORE_UNCHANGED when nothing differs: then nothing is written and no
 * version moves). A review without a source_id is given
 * "chorus-<folder instance>-<id>", so it dedupes like any other when an
 * export is imported back. Otherwise a new id is assigned; status is
 * r->status. The product is created (id only) if unknown. Indexes and
 * aggregates change in the same transaction. *id and *result (either may be
 * NULL) say what happened. r->id and r->origins are ignored.
 * Returns 0, CHORUS_EINVAL for a review that breaks a cap or lacks a product. */
int store_review_put(struct store_txn *txn, const struct review *r, uint64_t *id,
                     enum store_put_result *result);

/* STORE_PUT_MERGE: recognise copies of one review syndicated through
 * several sources (docs/sources.md). A new (source, source_id) whose body
 * and author, normalised, match a review of the same product stored with
 * this flag is not stored again: it becomes one more of that review's
 * origins (at most CHORUS_MAX_ORIGINS; past that it is stored on its own)
 * and its source id maps to it, result STORE_MERGED. Copies stay together
 * while their texts agree: a later origin sent again unchanged is
 * STORE_UNCHANGED, with another text it leaves the review and is stored
 * like a new item; the first origin's edit changes the review and makes
 * the origins that no longer match leave it. Never applied to a put
 * without a source_id. */
#define STORE_PUT_MERGE 0x01u

/* STORE_PUT_CATALOGUE (store_ingest_batch): the caller is trusted with the
 * catalogue (chorus import, an API key with the catalogue scope, a source
 * marked "catalogue"): the product fields an item carries replace set ones
 * instead of only filling empty ones (store_product_merge's overwrite). */
#define STORE_PUT_CATALOGUE 0x02u

/* store_review_ingest is store_review_put with STORE_PUT_* flags. */
int store_review_ingest(struct store_txn *txn, const struct review *r, unsigned flags, uint64_t *id,
                        enum store_put_result *result);

/* store_review_delete removes a review, its index entries, the dedupe
 * entries of all its origins and its share of the aggregates. CHORUS_ENOTFOUND when there is none.
 */
int store_review_delete(struct store_txn *txn, uint64_t id);

/* store_review_moderate sets the status and reason (reason NULL to clear),
 * moving the review in or out of the aggregates. CHORUS_ENOTFOUND. */
int store_review_moderate(struct store_txn *txn, uint64_t id, enum review_status status,
                          const char *reason);

/* store_review_vote adds one helpful (helpful=true) or not-helpful vote. */
int store_review_vote(struct store_txn *txn, uint64_t id, bool helpful);

/* store_review_respond appends a brand response (at most
 * CHORUS_MAX_RESPONSES; more is CHORUS_ELIMIT). created_at 0 means now. */
int store_review_respond(struct store_txn *txn, uint64_t id, const char *author, const char *body,
                         int64_t created_at);

/* store_reviews_retag runs the tagger (store_set_tagger), the version hook
 * (store_set_versioner) and the scorer (store_set_scorer), those that are
 * set, again over up to limit reviews after id `after`, in id order,
 * rewriting those whose tags, versions or sentiment changed and recomputing
 * every review's known-issue link: after a taxonomy or lexicon change, or
 * on a folder that predates tagging or scoring. Aggregates follow a changed sentiment. *last gets
 * the last id looked at (0: none left), *changed how many were rewritten. Write txn; CHORUS_EINVAL
 * with neither a tagger nor a scorer. */
int store_reviews_retag(struct store_txn *txn, uint64_t after, size_t limit, uint64_t *last,
                        size_t *changed);

/* ---- ingest: one path for every writer of reviews (ingest.c) ----------------- */

/* One review to store and what came with it. The caller fills the first
 * four fields (borrowed for the call); store_ingest_batch fills the rest. */
struct store_ingest_item {
    const struct review *review;   /* NULL: refused before the store; skipped */
    const struct product *product; /* catalogue fields the item carried, or NULL */
    const char *asin;              /* with match: the item's ASIN, or NULL */
    bool match;                    /* review->product_id is not known: find the product
                                      by product's GTIN, then its id as a SKU, then MPN
                                      with brand, then asin; create it from product when
                                      nothing matches (a Google feed's default mapping) */
    uint64_t id;                   /* the review's id, when stored */
    enum store_put_result result;  /* what happened; 0 when refused */
    int error;                     /* when refused: CHORUS_EINVAL (breaks a storage
                                      limit) or CHORUS_ENOTFOUND (names no product) */
    unsigned dropped;              /* product URL fields dropped: not http(s) */
};

struct store_ingest_counts {
    uint64_t created, updated, merged, unchanged, refused;
    uint64_t dropped; /* product URL fields dropped (store_ingest_item.dropped) */
};

/* store_ingest_batch stores items in order in txn, which must be a write
 * transaction: an item's catalogue fields are merged into its product first
 * (store_product_merge, once for a run of items carrying the same fields;
 * overwriting set fields only with STORE_PUT_CATALOGUE), then its review is
 * put with flags (STORE_PUT_*, see store_review_ingest).
 * An item the store refuses is marked and the batch goes on. Every result
 * is overwritten, so it is safe to rerun inside store_write. *counts (may
 * be NULL) sums the results. Returns 0, or a storage error that must abort
 * the transaction. */
int store_ingest_batch(struct store_txn *txn, struct store_ingest_item *items, size_t n,
                       unsigned flags, struct store_ingest_counts *counts);

/* ---- the group-commit writer (writer.c) ----------------------------------------- */

/* A unit of work for store_writer: embed it first in the caller's job.
 * apply runs on the writer thread inside a transaction the other jobs of
 * its batch share, and may run more than once (store_write reruns on map
 * growth), so it must overwrite, not accumulate, what it records; it
 * returns non-zero only for a failure that must abort the whole batch.
 * done runs once the batch committed (commit_rc 0) or failed, on the thread
 * that calls store_writer_complete, and owns the job from then on. */
struct store_job {
    struct store_job *next; /* the writer's */
    int (*apply)(struct store_txn *txn, struct store_job *job);
    void (*done)(struct store_job *job, int commit_rc);
    size_t weight; /* reviews it writes (0 counts as 1): bounds a batch */
    int commit_rc; /* set by the writer */
};

/* A batch is cut at this many reviews (weight) so one huge import cannot
 * hold every other request's acknowledgement hostage for long. */
#define STORE_WRITER_BATCH 20000

struct store_writer;

/* store_writer_start starts the writer thread over s: submitted jobs are
 * applied in batches of at most max_weight (0: STORE_WRITER_BATCH), one
 * durable write transaction each, and handed back by
 * store_writer_complete. notify (may be NULL) runs on the writer thread,
 * with the writer's lock held, each time a batch is done: it should only
 * wake whoever completes (activate an event). *out is freed with
 * store_writer_free. CHORUS_ENOMEM when the thread cannot start. */
int store_writer_start(struct store_writer **out, struct store *s, size_t max_weight,
                       void (*notify)(void *ctx), void *ctx);
/* store_writer_submit queues job (borrowed until its done runs). Any
 * thread. CHORUS_EBUSY once store_writer_stop began: the job is not taken
 * and its done is not called. */
int store_writer_submit(struct store_writer *w, struct store_job *job);
/* store_writer_complete runs done for every job whose batch is over, in the
 * order they were submitted, on the calling thread; returns how many. */
size_t store_writer_complete(struct store_writer *w);
/* store_writer_wait blocks until at most `pending` jobs are queued or being
 * written (jobs waiting for store_writer_complete do not count): back
 * pressure for a producer that can outrun the disk. */
void store_writer_wait(struct store_writer *w, size_t pending);
/* store_writer_stop writes what is queued, then stops the thread; later
 * submits get CHORUS_EBUSY. It completes nothing: call
 * store_writer_complete after it. Safe to call twice. */
void store_writer_stop(struct store_writer *w);
/* store_writer_stopping says whether store_writer_stop began. Any thread. */
bool store_writer_stopping(struct store_writer *w);
/* store_writer_stats gives the batches committed and the jobs written
 * since the start, and (pending, may be NULL) the jobs queued or being
 * written now. Any thread. */
void store_writer_stats(struct store_writer *w, uint64_t *batches, uint64_t *jobs, size_t *pending);
/* store_writer_free stops w (see store_writer_stop) and frees it; jobs not
 * completed by then are not answered. NULL ok. */
void store_writer_free(struct store_writer *w);

/* ---- reviews (reads: any transaction) ------------------------------------- */

/* store_review_get fills *out with review id; strings and responses are
 * borrowed from txn. CHORUS_ENOTFOUND when there is none. */
int store_review_get(struct store_txn *txn, uint64_t id, struct review *out);

enum store_sort {
    STORE_SORT_NEWEST = 0, /* created_at descending, then id descending */
    STORE_SORT_OLDEST,     /* created_at ascending, then id ascending */
    STORE_SORT_HIGHEST,    /* rating 5..1, mentions last; newest first within */
    STORE_SORT_LOWEST,     /* rating 1..5, mentions last; newest first within */
    STORE_SORT_HELPFUL,    /* helpful votes descending; newest first within */
};

#define STORE_RATING_MENTION 0x01 /* bit r (1..5) selects rating r; bit 0 mentions */
#define STORE_RATING_ALL     0x3f

#define STORE_CURSOR_MAX 64 /* bytes of an encoded cursor, with its NUL */

struct store_query {
    const char *product_id;
    enum store_sort sort;
    unsigned ratings; /* STORE_RATING_* bit set; 0 means all */
    bool verified_only;
    int64_t since;      /* created_at >= since; 0 = no bound */
    unsigned statuses;  /* bit (1 << status); 0 means approved only */
    size_t limit;       /* 1..100 */
    const char *cursor; /* from a previous page's next_cursor, or NULL */
};

/* store_review_cb receives one review, borrowed from the transaction for the
 * duration of the call. Return 0 to go on, non-zero to stop (that value is
 * returned by the iterator unless it is CHORUS_ESTOP, which returns 0). */
typedef int (*store_review_cb)(void *ctx, const struct review *r);

/* store_reviews_query lists up to q->limit reviews of one product in the
 * query's order, filtered. Pages are keyset-based: next_cursor (room for
 * STORE_CURSOR_MAX bytes) receives an opaque base64url string for the next
 * page, or "" when this is the last; pages stay stable while reviews arrive.
 * Cost is proportional to the page, not the product's review count (apart
 * from entries skipped by filters). CHORUS_ENOTFOUND for an unknown product,
 * CHORUS_EINVAL for a cursor that is not one of ours or of another sort. */
int store_reviews_query(struct store_txn *txn, const struct store_query *q, store_review_cb cb,
                        void *ctx, char *next_cursor);

/* store_reviews_by_status lists reviews in one status, oldest id first,
 * starting after id `after` (0 = from the start), at most limit. *last
 * receives the last id given (0 when none). */
int store_reviews_by_status(struct store_txn *txn, enum review_status status, uint64_t after,
                            size_t limit, store_review_cb cb, void *ctx, uint64_t *last);

/* store_reviews_each calls cb for every review in id order, starting after
 * id `after`. For export and checks. */
int store_reviews_each(struct store_txn *txn, uint64_t after, store_review_cb cb, void *ctx);

/* ---- products ------------------------------------------------------------- */

/* store_product_put creates or replaces product p->id's catalogue fields
 * (name, brand, category, url, image_url, gtin, mpn) and makes it
 * catalogued: public without an approved review (store_product_listed).
 * The operator's path: PUT /api/v1/products/{id}. A change of category
 * moves the product's aggregates between category paths. Write txn only.
 * *created (may be NULL) says whether it was new. CHORUS_EINVAL for a field
 * over its cap, a bad category or a url / image_url that is not http(s). */
int store_product_put(struct store_txn *txn, const struct product *p, bool *created);

/* store_product_merge merges the catalogue fields that came with a review
 * (store_ingest_batch) into product p->id, creating it (not catalogued)
 * when missing. The rule (docs/reviews.md, "Who may change the catalogue"): a field p leaves out
 * keeps its stored value; a field p sets fills an empty one, and replaces a set one only with
 * overwrite (a caller trusted with the catalogue); a url or image_url that is not http(s) is
 * dropped and counted in *dropped (may be NULL). A merge that changes nothing writes nothing. The
 * product's catalogued mark is kept. CHORUS_EINVAL for a field over its cap or a bad category
 * (nothing written). */
int store_product_merge(struct store_txn *txn, const struct product *p, bool overwrite,
                        unsigned *dropped, bool *created);

/* store_product_listed says whether the public may see product p with
 * stats st: it was catalogued (put by the operator) or has an approved
 * review or mention. Public reads (listings, product pages, the widget,
 * product feeds) answer for an unlisted product as for a missing one, so a
 * review still waiting for moderation cannot make a product appear. Pure;
 * any thread. */
bool store_product_listed(const struct product *p, const struct review_stats *st);

/* store_product_get fills *p (borrowed) and *stats (either may be NULL) for
 * the product with external id `id`. CHORUS_ENOTFOUND. */
int store_product_get(struct store_txn *txn, const char *id, struct product *p,
                      struct review_stats *stats);

/* ---- releases (releases.c) -------------------------------------------------- */

/* store_product_releases_put replaces product id's release list with the n
 * releases in rel (any order; n 0 clears it). They are stored sorted by
 * released_at, then version bytewise. The product's version moves, so its
 * cached pages are rendered again. Write txn only. CHORUS_ENOTFOUND for an
 * unknown product; CHORUS_EINVAL when n exceeds CHORUS_MAX_RELEASES, a
 * version is empty, over CHORUS_MAX_RELEASE_VERSION bytes or given twice,
 * notes exceed CHORUS_MAX_RELEASE_NOTES or released_at is 0 (the server's
 * own, smaller caps are checked by its parser first). */
int store_product_releases_put(struct store_txn *txn, const char *id,
                               const struct product_release *rel, size_t n);

/* store_release_fn receives one release, borrowed until the callback
 * returns. Non-zero stops the walk and is returned. */
typedef int (*store_release_fn)(void *ctx, const struct product_release *rel);

/* store_product_releases calls fn for each release of product id, oldest
 * first (released_at ascending, then version bytewise). A product without
 * releases calls fn never and returns 0. CHORUS_ENOTFOUND for an unknown
 * product, CHORUS_ECORRUPT for a damaged record, or fn's value. Any txn. */
int store_product_releases(struct store_txn *txn, const char *id, store_release_fn fn, void *ctx);

/* store_product_release_before fills *out with the latest release of
 * product id released at or before t (strings borrowed from txn): "the
 * nearest release before" a rise that began at t. CHORUS_ENOTFOUND when
 * the product is unknown or has no release by then. Any txn. */
int store_product_release_before(struct store_txn *txn, const char *id, int64_t t,
                                 struct product_release *out);

/* store_category_stats fills *stats for a category path and everything under
 * it. CHORUS_ENOTFOUND when no product was ever in it. */
int store_category_stats(struct store_txn *txn, const char *path, struct review_stats *stats);

enum store_product_sort {
    STORE_PSORT_ID = 0, /* external id ascending */
    STORE_PSORT_COUNT,  /* review count descending, then id */
    STORE_PSORT_AVERAGE /* average descending (no reviews last), then id */
};

typedef int (*store_product_cb)(void *ctx, const struct product *p,
                                const struct review_stats *stats);
/* store_plist_built counts the listings store_products_list gathered and
 * sorted: once per scope, order and snapshot (pages behind a cursor reuse
 * it). For /metrics and the tests. */
uint64_t store_plist_built(struct store *s);

/* store_products_list lists products whose category is `category` or under it
 * (NULL or "" = all), sorted, paged like store_reviews_query (next_cursor
 * room for STORE_CURSOR_MAX bytes, "" when last). limit 1..100. */
int store_products_list(struct store_txn *txn, const char *category, enum store_product_sort sort,
                        size_t limit, const char *cursor, store_product_cb cb, void *ctx,
                        char *next_cursor);

/* ---- daily buckets -------------------------------------------------------- */

struct store_day {
    int64_t day; /* days since the epoch, UTC, of created_at */
    uint32_t count;
    uint32_t rating_sum;
    uint32_t histogram[5];
    uint32_t mentions;
};

/* store_product_days fills out[0..n) with the daily buckets of product id for
 * days [from_day, to_day], ascending, days with no reviews left out; *n_out
 * says how many (at most cap). Approved reviews only. */
int store_product_days(struct store_txn *txn, const char *id, int64_t from_day, int64_t to_day,
                       struct store_day *out, size_t cap, size_t *n_out);

/* ---- daily component counts ----------------------------------------------- */

/* For every product, UTC day and component named in an approved review's
 * components tags, kept in the same write transaction as the review
 * (docs/digest.md, "Component trends"). Only products have them: a category's
 * series is the sum over its products. */
#define STORE_COMPONENT_MAX          32   /* bytes of a component id; longer tags are not counted */
#define STORE_COMPLAINT_MAX_RATING   2    /* a complaint: approved, rated 1..this */
#define STORE_POSITIVE_MIN_RATING    4    /* positive: rated at least this ... */
#define STORE_POSITIVE_MIN_SENTIMENT 0.25 /* ... or, with no stars, scored at least this */

struct store_comp_day {
    int64_t day;           /* days since the epoch, UTC, of created_at */
    const char *component; /* the tag; borrowed for the callback only */
    uint32_t complaints;   /* approved, rated 1..STORE_COMPLAINT_MAX_RATING */
    uint32_t mentions;     /* every approved review naming it, with or without stars */
    uint32_t judged;       /* of those: rated, or unrated with a sentiment score */
    uint32_t positive;     /* of the judged: rated >= 4, or unrated scored >= 0.25 */
};

typedef int (*store_comp_day_cb)(void *ctx, const struct store_comp_day *d);

/* store_component_days calls cb for each stored (day, component) count of
 * product id for days [from_day, to_day], ascending by day, then by
 * component bytewise: one index range read. cb returns 0 to go on,
 * CHORUS_ESTOP to stop with 0, anything else to stop with that. Days and
 * components without approved reviews are left out. CHORUS_ENOTFOUND for an
 * unknown product. Any transaction (a write one sees its own changes). */
int store_component_days(struct store_txn *txn, const char *id, int64_t from_day, int64_t to_day,
                         store_comp_day_cb cb, void *ctx);

/* ---- feeds: newest approved reviews of a scope --------------------------- */

enum store_scope {
    STORE_SCOPE_PRODUCT = 'p',
    STORE_SCOPE_CATEGORY = 'c', /* the category and everything under it */
    STORE_SCOPE_ALL = 'a',
};

#define STORE_FEED_MAX 200 /* reviews per feed page */

struct store_feed_query {
    enum store_scope scope;
    const char *id;     /* product id or category path; ignored for ALL */
    size_t limit;       /* 1..STORE_FEED_MAX */
    const char *cursor; /* NULL = the newest page; a prev/next cursor; or
                           STORE_FEED_LAST for the oldest page, the one the
                           next links end on (products and categories only) */
};

#define STORE_FEED_LAST "last"

/* The cursors around a page: "" when there is nothing that way. */
struct store_feed_links {
    char next[STORE_CURSOR_MAX]; /* older reviews */
    char prev[STORE_CURSOR_MAX]; /* newer reviews */
};

/* store_feed_query lists up to q->limit approved reviews (mentions too) of
 * the scope, newest created_at first (then id descending), from the by_scope
 * index: a page costs its own size whatever the scope holds. Pages move both
 * ways, as RFC 5005 feeds need. *links is complete before the first
 * callback, so a writer can put paging links ahead of the entries.
 * CHORUS_ENOTFOUND for an unknown product or
 * category, CHORUS_EINVAL for a bad cursor or limit. */
int store_feed_query(struct store_txn *txn, const struct store_feed_query *q, store_review_cb cb,
                     void *ctx, struct store_feed_links *links);

/* store_scope_stats gives the aggregate of a scope: a product's or a
 * category's stats; for ALL only version and changed_at are kept (every
 * write bumps them). For ETags and Last-Modified. CHORUS_ENOTFOUND. */
int store_scope_stats(struct store_txn *txn, enum store_scope scope, const char *id,
                      struct review_stats *stats);

/* store_scope_public is store_scope_stats for what the public reads (product
 * JSON and reviews, the widget and hosted page, the product's feeds): a
 * product that is not listed (store_product_listed) is CHORUS_ENOTFOUND, as
 * if it did not exist. Categories and ALL are as store_scope_stats. */
int store_scope_public(struct store_txn *txn, enum store_scope scope, const char *id,
                       struct review_stats *stats);

/* store_reviews_window calls cb for the approved reviews of product_id with
 * a rating in `ratings` (STORE_RATING_* bits) and from <= created_at < to:
 * rating by rating, newest first within one. Reads only the index range of
 * the window. Responses are not loaded (n_responses is set, responses NULL).
 * CHORUS_ENOTFOUND for an unknown product. */
int store_reviews_window(struct store_txn *txn, const char *product_id, unsigned ratings,
                         int64_t from, int64_t to, store_review_cb cb, void *ctx);

/* store_category_products calls cb for every product in category path or
 * under it ("" or NULL = every product), in product-number order, with its
 * stats. For the digest and dashboards. */
int store_category_products(struct store_txn *txn, const char *path, store_product_cb cb,
                            void *ctx);

/* ---- reader tokens (private digests) -------------------------------------- */

#define STORE_TOKEN_LEN  43 /* base64url of 32 random bytes */
#define STORE_TOKEN_NAME 200

struct store_token {
    uint64_t id;
    const char *name; /* who it is for; borrowed */
    int64_t created_at;
};

/* store_token_create makes a reader token named name (1..STORE_TOKEN_NAME
 * bytes of UTF-8); secret receives the token itself (STORE_TOKEN_LEN + 1
 * bytes), which is shown once: only an HMAC of it is kept, under a key the
 * store makes the first time. Write txn. */
int store_token_create(struct store_txn *txn, const char *name, struct store_token *out,
                       char *secret);
/* store_token_delete revokes token id. CHORUS_ENOTFOUND. */
int store_token_delete(struct store_txn *txn, uint64_t id);
/* store_token_check says whether secret is a live token (0) or not
 * (CHORUS_ENOTFOUND). Read or write txn; it writes nothing. */
int store_token_check(struct store_txn *txn, const char *secret);
/* store_tokens_each lists tokens in id order. */
int store_tokens_each(struct store_txn *txn, int (*cb)(void *ctx, const struct store_token *t),
                      void *ctx);

/* ---- pulled sources (sources.c) ------------------------------------------ */

/* A stored source: its configuration (strings borrowed from the
 * transaction) and its poll state (copied). */
struct store_source {
    uint64_t id;
    int64_t created_at;
    struct source_config cfg;
    struct source_state st;
};

/* store_source_create stores a new source with cfg (checked again: kind,
 * url, interval and status within their ranges) whose first poll is due at
 * next_poll_at; *id receives its id (1, 2, ...). Write txn. CHORUS_EINVAL. */
int store_source_create(struct store_txn *txn, const struct source_config *cfg,
                        int64_t next_poll_at, uint64_t *id);
/* store_source_replace replaces source id's configuration, keeping its
 * state. CHORUS_ENOTFOUND, CHORUS_EINVAL. */
int store_source_replace(struct store_txn *txn, uint64_t id, const struct source_config *cfg);
/* store_source_get fills *out (cfg strings borrowed from txn).
 * CHORUS_ENOTFOUND. */
int store_source_get(struct store_txn *txn, uint64_t id, struct store_source *out);
/* store_source_delete removes source id (its reviews stay).
 * CHORUS_ENOTFOUND. */
int store_source_delete(struct store_txn *txn, uint64_t id);
/* store_sources_each calls cb for every source in id order (the source is
 * borrowed for the call); cb returns 0 to go on, CHORUS_ESTOP to stop. */
int store_sources_each(struct store_txn *txn, int (*cb)(void *ctx, const struct store_source *src),
                       void *ctx);
/* store_source_state_put replaces source id's poll state. Write txn.
 * CHORUS_ENOTFOUND when the source was deleted meanwhile. */
int store_source_state_put(struct store_txn *txn, uint64_t id, const struct source_state *st);

/* ---- known issues (issues.c, issue_link.c) --------------------------------- */

/* A known issue names a product's component ("hinge") that engineers know
 * breaks. Approved complaints (store_review_complaint) of that product that
 * name the component (the tagger's components) and, when the issue has
 * phrases, contain one of them, are linked to it in the transaction that
 * writes them; docs/known-issues.md has the rule. */
enum store_issue_status {
    STORE_ISSUE_INVESTIGATING = 0,
    STORE_ISSUE_KNOWN = 1,
    STORE_ISSUE_FIXED = 2,        /* fixed_at required */
    STORE_ISSUE_NOT_A_DEFECT = 3, /* its complaints are counted, not listed */
};

#define STORE_ISSUE_TITLE_MAX     200    /* bytes */
#define STORE_ISSUE_COMPONENT_MAX 32     /* bytes: a taxonomy component id */
#define STORE_ISSUE_FIXED_IN_MAX  64     /* bytes */
#define STORE_ISSUE_PHRASES_MAX   16     /* phrases per issue */
#define STORE_ISSUE_PHRASE_MAX    64     /* bytes of one phrase */
#define STORE_ISSUES_MAX          100000 /* issues a folder holds at most, whatever max says */

struct store_issue {
    uint64_t id;            /* set by store_issue_create */
    const char *product_id; /* the product's external id; fixed at creation */
    const char *component;  /* 1..STORE_ISSUE_COMPONENT_MAX bytes */
    const char *title;      /* 1..STORE_ISSUE_TITLE_MAX bytes */
    enum store_issue_status status;
    const char *fixed_in;           /* NULL or 1..STORE_ISSUE_FIXED_IN_MAX bytes */
    int64_t fixed_at;               /* 0 = none; required when status is fixed */
    int64_t created_at, updated_at; /* set by the store */
    size_t n_phrases;
    const char *phrases[STORE_ISSUE_PHRASES_MAX]; /* each 1..STORE_ISSUE_PHRASE_MAX bytes */
};

/* store_issue_status_name gives "investigating", "known", "fixed" or
 * "not_a_defect"; store_issue_status_parse reads one (CHORUS_EINVAL). */
const char *store_issue_status_name(enum store_issue_status st);
int store_issue_status_parse(const char *s, enum store_issue_status *out);

/* store_review_complaint says whether r counts as a complaint for linking:
 * approved and rated 1..STORE_COMPLAINT_MAX_RATING. Pure. */
bool store_review_complaint(const struct review *r);

/* Every issue write below relinks the complaints of the issue's product,
 * in the same transaction. relink_max bounds that work: when the product
 * holds more approved complaints than relink_max, nothing is written and
 * CHORUS_ETOOBIG is returned. Each also moves the versions of the product,
 * its categories and "everything", so cached pages that show links and
 * issues (review JSON, the digest) are rendered again. */

/* store_issue_create stores a new issue (is->id, created_at and updated_at
 * ignored) and gives its id (1, 2, ...). CHORUS_EINVAL for a field out of
 * its range, a fixed issue without fixed_at; CHORUS_ENOTFOUND for an
 * unknown product; CHORUS_ELIMIT when max (and at most STORE_ISSUES_MAX)
 * issues exist. Write txn. */
int store_issue_create(struct store_txn *txn, const struct store_issue *is, size_t max,
                       size_t relink_max, uint64_t *id);
/* store_issue_replace replaces issue is->id's fields (product_id must be
 * the stored one: CHORUS_EINVAL otherwise; created_at kept). Write txn.
 * CHORUS_ENOTFOUND, CHORUS_EINVAL, CHORUS_ETOOBIG. */
int store_issue_replace(struct store_txn *txn, const struct store_issue *is, size_t relink_max);
/* store_issue_delete removes issue id and unlinks its complaints (which
 * may link to another issue of the product then). CHORUS_ENOTFOUND,
 * CHORUS_ETOOBIG. Write txn. */
int store_issue_delete(struct store_txn *txn, uint64_t id, size_t relink_max);
/* store_issue_get fills *out (strings borrowed from txn). CHORUS_ENOTFOUND. */
int store_issue_get(struct store_txn *txn, uint64_t id, struct store_issue *out);

typedef int (*store_issue_cb)(void *ctx, const struct store_issue *is);
/* store_issues_list calls cb for up to limit issues with an id above
 * `after`, in id order: of product_id only (NULL: all; an unknown product
 * is CHORUS_ENOTFOUND), with a status in statuses (bit 1 << status; 0:
 * all). *last gets the last id given (0: none). Work is bounded by the
 * number of issues (STORE_ISSUES_MAX). */
int store_issues_list(struct store_txn *txn, const char *product_id, unsigned statuses,
                      uint64_t after, size_t limit, store_issue_cb cb, void *ctx, uint64_t *last);
/* store_issue_reviews lists up to limit (1..100) reviews linked to issue
 * id, newest created_at first, paged like store_reviews_query (next_cursor:
 * STORE_CURSOR_MAX bytes, "" on the last page). CHORUS_ENOTFOUND for no
 * such issue, CHORUS_EINVAL for a bad cursor. */
int store_issue_reviews(struct store_txn *txn, uint64_t id, size_t limit, const char *cursor,
                        store_review_cb cb, void *ctx, char *next_cursor);
/* store_issue_count counts the complaints linked to issue id written in
 * [from, to), reading at most cap index entries (*n then stops at cap).
 * *newest (may be NULL) gets the newest created_at counted (0: none). */
int store_issue_count(struct store_txn *txn, uint64_t id, int64_t from, int64_t to, uint64_t cap,
                      uint64_t *n, int64_t *newest);

/* ---- checks --------------------------------------------------------------- */

/* store_check recounts every aggregate and index from the reviews and
 * compares. report(ctx, line) is called once per discrepancy with a sentence
 * (may be NULL). *drift receives the number of discrepancies. Reads only. */
int store_check(struct store *s, void (*report)(void *ctx, const char *line), void *ctx,
                uint64_t *drift);

/* store_map_use gives the size of the map this process uses and how much
 * of it the data file fills (pages up to the last one in use): an operator
 * watches the second approach the first (it grows by itself, but only as
 * far as the disk allows). Any thread. */
int store_map_use(struct store *s, uint64_t *map_bytes, uint64_t *used_bytes);
/* store_counts gives the number of reviews and products stored. */
int store_counts(struct store_txn *txn, uint64_t *reviews, uint64_t *products);

/* ---- backup --------------------------------------------------------------- */

/* store_backup writes a compacted copy of s's folder (one read snapshot:
 * every write committed before it began, none after) into the folder dest,
 * which must not exist or be empty. It runs beside the writers of this and
 * other processes, chorusd included. The copy is written into a
 * "dest.tmp-XXXXXX" folder beside dest, synced, and renamed to dest only
 * when complete, so a dest that exists is a whole backup. On success
 * *bytes and *reviews (each may be NULL) get the size of the copy's
 * data.mdb and the number of reviews it holds. Errors: CHORUS_EEXIST when
 * dest is in the way, CHORUS_ENOSPC, CHORUS_EIO, CHORUS_EBUSY; a sentence
 * for a person goes to errbuf (may be NULL), and nothing is left behind.
 * Any thread that holds no transaction of s. */
int store_backup(struct store *s, const char *dest, uint64_t *bytes, uint64_t *reviews,
                 char *errbuf, size_t errlen);

#endif
