/* Chorus views: records out as JSON documents.
 *
 * Writers append to a struct buf; strings from reviews are escaped for JSON
 * (and for embedding in HTML script elements) by chorus_json_str. Views never
 * parse input. Thread-safe.
 */
#ifndef CHORUS_VIEW_H
#define CHORUS_VIEW_H

#include <stddef.h>

#include "chorus/base.h"
#include "chorus/review.h"

/* view_review_json appends r as a JSON object with the review fields of
 * docs/reviews.md. Returns 0 or CHORUS_ETOOBIG from the buffer cap. */
int view_review_json(struct buf *b, const struct review *r);

/* view_stats_json appends {"count","average","histogram","mentions",
 * "last_review_at","sentiment"}. average and sentiment are null without data. */
int view_stats_json(struct buf *b, const struct review_stats *s);

/* view_product_json appends p's fields plus "stats" (when s is not NULL). */
int view_product_json(struct buf *b, const struct product *p, const struct review_stats *s);

#endif
