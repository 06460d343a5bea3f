/* The server-rendered widget's internals (feed__w prefix): one render's
 * state, markup helpers that chain on the first error, localized numbers
 * and dates, and the parts each widget_*.c file writes.
 *
 * Markup is written by hand, not with a tree writer, because HTML5 is not
 * XML; safety comes from one rule: every string that is not a literal of
 * ours goes out through feed__html (text and quoted attribute values),
 * chorus_pct (inside URLs) or chorus_json_str (JSON-LD), never raw.
 */
#ifndef CHORUS_FEED_WIDGET_INT_H
#define CHORUS_FEED_WIDGET_INT_H

#include "feed_int.h"

/* The limit links leave out (chorusd's default, docs/widget.md). */
#define FEED__W_DEFAULT_LIMIT 10
#define FEED__W_MAX_LIMIT     50
/* Bodies longer than FOLD bytes are folded after about CUT bytes. */
#define FEED__W_FOLD 600
#define FEED__W_CUT  500
/* The best positive / most critical pair needs this many ratings. */
#define FEED__W_PAIR_MIN 10
/* Reviews the JSON-LD can hold: a page and the pair. */
#define FEED__W_LD_MAX  10  /* reviews in the JSON-LD: the page stays small */
#define FEED__W_LD_BODY 500 /* bytes of a reviewBody there, cut on a character */

/* One render. Strings in p are borrowed from txn. */
struct feed__w {
    struct store_txn *txn;
    const struct feed_site *site;
    const struct feed_widget_query *q;
    const char *lang;
    struct product p;
    struct review_stats st;
    const char *name; /* p.name, or the id when it has none */
    struct buf *b;    /* the markup being written (the body, then the head) */
    struct buf tmp;   /* filled templates, URLs: scratch for one helper call */
    struct buf seg;   /* a piece of text cut out for escaping */
    struct buf ld;    /* the JSON-LD reviews written so far, comma-separated */
    uint64_t ld_ids[FEED__W_LD_MAX];
    size_t n_ld;
    size_t n_list; /* reviews in the list */
    int rc;        /* the first error; every helper does nothing once set */
};

/* ---- markup (widget_text.c) ---------------------------------------------------- */

/* feed__w_raw appends a literal of ours. */
void feed__w_raw(struct feed__w *w, const char *s);
void feed__w_printf(struct feed__w *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* feed__w_esc appends s escaped for HTML text or a quoted attribute. */
void feed__w_esc(struct feed__w *w, const char *s);
/* feed__w_esc_n is feed__w_esc for s[0..n). */
void feed__w_esc_n(struct feed__w *w, const char *s, size_t n);
/* feed__w_text appends the UI string key, escaped. */
void feed__w_text(struct feed__w *w, const char *key);
/* feed__w_html_fill appends template tpl with kv's values ("name", value,
 * ..., NULL) filled in, escaped; with bdi each value is wrapped in <bdi>
 * so a right-to-left override in a name cannot reorder the sentence. The
 * value of markup_key (NULL: none) is markup of ours and goes in as it is. */
void feed__w_html_fill(struct feed__w *w, const char *tpl, const char *const *kv, bool bdi,
                       const char *markup_key);

/* feed__fill appends tpl with kv's values filled in, unescaped (for a
 * caller that escapes the result). Unknown placeholders stay as they are. */
int feed__fill(struct buf *out, const char *tpl, const char *const *kv);
/* feed__fmt_count writes n with lang's digit grouping ("1,234", "1.234"). */
void feed__fmt_count(char *out, size_t cap, const char *lang, uint64_t n);
/* feed__fmt_avg writes x with one decimal in lang's style ("4.3", "4,3"). */
void feed__fmt_avg(char *out, size_t cap, const char *lang, double x);
/* feed__review_count appends "1,234 reviews" in lang, unescaped. */
int feed__review_count(struct buf *out, const char *lang, uint64_t n);
/* feed__fmt_date appends t as a long date in lang ("May 1, 2024"). */
int feed__fmt_date(struct buf *out, const char *lang, int64_t t);

/* feed__w_link appends, escaped for an attribute, the widget's own path
 * with its parameters, ratings, sort and cursor (NULL: none) replacing the
 * query's. */
void feed__w_link(struct feed__w *w, unsigned ratings, enum store_sort sort, const char *cursor);
/* feed__w_ratings_param appends ratings as the rating= value ("5", "1,2",
 * "mention"). */
int feed__w_ratings_param(struct buf *out, unsigned ratings);

/* ---- reviews (widget_review.c) ------------------------------------------------- */

/* feed__w_review writes one review: an <li> of the list, or with
 * pair_title a div.cw-review of the pair under that heading. */
void feed__w_review(struct feed__w *w, const struct review *r, const char *pair_title);

/* ---- schema.org JSON-LD (widget_ld.c) -------------------------------------------- */

/* feed__w_ld_review adds r to the JSON-LD reviews (once; only reviews that
 * Google's review-snippet rules allow: a rating and an author). */
void feed__w_ld_review(struct feed__w *w, const struct review *r);
/* feed__w_ld_write appends the <script type="application/ld+json"> block:
 * the Product, its AggregateRating and the reviews added. */
void feed__w_ld_write(struct feed__w *w);

#endif
