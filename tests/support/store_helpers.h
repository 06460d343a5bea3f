/* Shared fixtures for the store unit tests: a fresh data folder per test,
 * one-call wrappers around store_write, and an independent recount of every
 * aggregate from the reviews themselves. */
#ifndef CHORUS_TEST_STORE_HELPERS_H
#define CHORUS_TEST_STORE_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chorus/store.h"

struct fx {
    char dir[64];
    struct store *s;
};

/* cmocka setup/teardown: *state becomes a struct fx with an open store in a
 * mkdtemp folder; teardown closes it and removes the folder. */
int fx_setup(void **state);
int fx_teardown(void **state);
/* fx_reopen closes and reopens the store of f. */
void fx_reopen(struct fx *f);
/* rm_tree removes a folder and everything in it. */
void rm_tree(const char *dir);

/* mk_review gives an approved review of product with rating (0 = mention)
 * written at created, no sentiment, everything else empty. */
struct review mk_review(const char *product, int rating, int64_t created);

/* One store_write per call; each asserts success unless it returns the code. */
uint64_t put_review(struct store *s, const struct review *r, enum store_put_result *res);
int put_review_rc(struct store *s, const struct review *r);
/* ingest_review is put_review through store_review_ingest with flags. */
uint64_t ingest_review(struct store *s, const struct review *r, unsigned flags,
                       enum store_put_result *res);
void put_product(struct store *s, const char *id, const char *category, bool *created);
int moderate(struct store *s, uint64_t id, enum review_status st, const char *reason);
int vote(struct store *s, uint64_t id, bool helpful);
int respond(struct store *s, uint64_t id, const char *author, const char *body);
int delete_review(struct store *s, uint64_t id);

/* assert_consistent recounts every product's and category's stats and daily
 * buckets from the reviews through the public API, compares them with what
 * the store keeps, and requires store_check to find no drift. */
void assert_consistent(struct store *s);

/* stats_of fetches a product's stats (asserting it exists). */
struct review_stats stats_of(struct store *s, const char *product);

#endif
