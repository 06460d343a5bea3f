/* Seed data for integration and browser tests: products and reviews put
 * into a running chorusd over its HTTP API with the write key, each call
 * checking that chorusd took all of it, so a case reads as its data and
 * its expectations. One review posted as JSON text is h_post_review
 * (harness.h).
 *
 * Failures report through cmocka with the caller's file and line, like
 * harness.h. Single-threaded.
 */
#ifndef CHORUS_TEST_SEED_H
#define CHORUS_TEST_SEED_H

#include <stddef.h>
#include <stdint.h>

#include "harness.h"

/* seed_product PUTs body (JSON text) as product id (raw; percent-encoded
 * here) and expects 201 (created) or 200 (updated). */
#define seed_product(d, id, body) seed__product((d), (id), (body), __FILE__, __LINE__)
void seed__product(struct chorusd *d, const char *id, const char *body, const char *file, int line);
/* seed_product_obj is seed_product with a body built by jansson (so hostile
 * text needs no escaping by hand). Steals o. */
#define seed_product_obj(d, id, o) seed__product_obj((d), (id), (o), __FILE__, __LINE__)
void seed__product_obj(struct chorusd *d, const char *id, json_t *o, const char *file, int line);

/* seed_review POSTs one review built by jansson, expects it created and
 * returns its id. Steals o. */
#define seed_review(d, o) seed__review((d), (o), __FILE__, __LINE__)
uint64_t seed__review(struct chorusd *d, json_t *o, const char *file, int line);

/* seed_reviews POSTs the array arr (stolen) in one request and expects
 * 201 with every item accepted. ids (may be NULL; room for the array's
 * size) receives the id of each item, in order. */
#define seed_reviews(d, arr, ids) seed__reviews((d), (arr), (ids), __FILE__, __LINE__)
void seed__reviews(struct chorusd *d, json_t *arr, uint64_t *ids, const char *file, int line);
/* seed_reviews_json is seed_reviews for a batch already written as JSON
 * text (an array of n reviews): for batches too big to build item by
 * item. */
#define seed_reviews_json(d, body, n, ids)                                                         \
    seed__reviews_json((d), (body), (n), (ids), __FILE__, __LINE__)
void seed__reviews_json(struct chorusd *d, const char *body, size_t n, uint64_t *ids,
                        const char *file, int line);

#endif
