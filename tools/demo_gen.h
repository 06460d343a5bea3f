/* Demo data generator: a PC maker's catalogue (laptops, desktops, monitors,
 * accessories; a few hundred products) and a stream of realistic reviews of
 * it, for `chorus demo` and the import benchmark.
 *
 * Deterministic: the same seed and review count give the same products and
 * the same review texts, ratings and votes. Review times are laid out over
 * the three years before the moment demo_gen_new ran (rounded down to the
 * hour), so they shift with the clock. Reviews can be asked for in any order;
 * each one costs no allocation. Not thread-safe: one generator per thread.
 */
#ifndef CHORUS_DEMO_GEN_H
#define CHORUS_DEMO_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "chorus/base.h"

struct demo_gen;

/* demo_gen_new makes a deterministic generator (same seed -> same data) for
 * n_reviews reviews over a catalogue of a few hundred products. Caller frees
 * with demo_gen_free. Returns 0 (out of memory aborts). */
int demo_gen_new(struct demo_gen **out, uint64_t seed, size_t n_reviews);
/* demo_gen_free releases g and every string it lent; NULL is a no-op. */
void demo_gen_free(struct demo_gen *g);
/* demo_gen_product_count returns how many products the catalogue holds. */
size_t demo_gen_product_count(const struct demo_gen *g);
/* demo_gen_product fills *p for product i (0-based, below the count);
 * strings borrowed from g until demo_gen_free. */
void demo_gen_product(struct demo_gen *g, size_t i, struct product *p);
/* demo_gen_release_count returns how many products of the demo's story
 * have a release history; demo_gen_releases gives product i's (i below that
 * count): its id, and *n releases in *rel, oldest first. Borrowed from g
 * until demo_gen_free. One of them is the battery regression after
 * "BIOS 1.14" (docs/digest.md, "The demo"). */
size_t demo_gen_release_count(const struct demo_gen *g);
const char *demo_gen_releases(const struct demo_gen *g, size_t i,
                              const struct product_release **rel, size_t *n);
/* demo_gen_review fills *r for review i (0 <= i < n_reviews). Reviews are in
 * chronological order of created_at, older first; about 3% are forum
 * mentions (rating 0, source "forum"), the rest come from source "demo";
 * source_id is "demo-<i>" for both, so a second run updates, not duplicates.
 * Strings (and r->responses) are borrowed until the next demo_gen_review
 * call; product_id until demo_gen_free. */
void demo_gen_review(struct demo_gen *g, size_t i, struct review *r);

#endif
