/* Chorus feeds: the views. Records going out as JSON, Atom, the engineer
 * digest, the Google Product Reviews XML feed, the server-rendered widget
 * and the engineering dashboard, and the URLs of Chorus's own pages.
 *
 * Every XML document is written with libxml2's xmlTextWriter, so escaping
 * and well-formedness come from the writer, never from pasted strings; HTML
 * and JSON escape every user string for its context. No libxml2
 * type crosses this header. Renderers read the store through a transaction
 * the caller owns; what they write into a struct buf is the caller's.
 * Strings that end up in XML are first made valid XML 1.0 characters
 * (invalid UTF-8 and C0 controls other than tab/newline are replaced).
 */
#ifndef CHORUS_FEED_H
#define CHORUS_FEED_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "chorus/base.h"
#include "chorus/store.h"

struct text_taxonomy;

/* The Chorus XML namespace for machine-readable ratings and digest data
 * (documented in docs/feeds.md). */
#define FEED_NS_CHORUS "https://chorus.dev/ns/feed/1"

/* How a deployment names and links things. Borrowed strings; the caller
 * keeps them alive while rendering. */
struct feed_site {
    const char *public_url;    /* "http://host:port", no trailing '/': chorusd as readers see it */
    const char *review_url;    /* template with {product} and {id}; NULL =
                                  public_url/p/{product}#review-{id} */
    const char *tag_authority; /* RFC 4151 authority of every tag: id */
    const char *instance;      /* the data folder's instance (hex), part of every id */
    const char *hub;           /* WebSub hub, or NULL */
    const char *title;         /* site name in feed titles ("Chorus") */
};

/* feed_review_url writes the public page of review r of product into b
 * (percent-encoding the product id). Returns 0 or the buffer's error. */
int feed_review_url(struct buf *b, const struct feed_site *site, const char *product_id,
                    uint64_t review_id);
/* feed_product_url writes the product's page: p->url when set, else
 * public_url/p/{id}. */
int feed_product_url(struct buf *b, const struct feed_site *site, const struct product *p);
/* feed_tag writes "tag:<authority>,2026:<instance>/<what>" into b. */
int feed_tag(struct buf *b, const struct feed_site *site, const char *what);

#define FEED_MAX_URL 4096 /* a feed URL: a public URL and encoded ids fit */

/* feed_scope_url writes the URL of a scope's Atom feed: base (a public URL,
 * or "" for the path alone) and /feeds/products/{id}, /feeds/categories/
 * {path} (each segment percent-encoded, the slashes kept) or
 * /feeds/reviews, then ".atom" when ext is set (without it, the path names
 * the scope in the feed's tag: id). The one place such a URL is made: feed
 * self links, WebSub topics, the widget's and the dashboard's feed links
 * all come from here. Returns 0 or the buffer's error. */
int feed_scope_url(struct buf *b, const char *base, enum store_scope scope, const char *id,
                   bool ext);
/* feed_scope_topics calls fn with the URL of every feed a change to
 * product_id's reviews touches: its product feed (when product_id is set),
 * the feed of every category from the top down to category (when set), and
 * the all-reviews feed when all is set. Returns 0 or CHORUS_ETOOBIG for a
 * URL over FEED_MAX_URL. */
int feed_scope_topics(const struct feed_site *site, const char *product_id, const char *category,
                      bool all, void (*fn)(void *ctx, const char *url), void *ctx);

/* ---- JSON views (view_json.c) ---------------------------------------------------- */

/* Records out as JSON documents: strings from reviews are escaped for JSON
 * (and for embedding in HTML script elements) by chorus_json_str. Views
 * never parse input. Thread-safe. */

/* feed_review_json appends r as a JSON object with the review fields of
 * docs/reviews.md. Returns 0 or CHORUS_ETOOBIG from the buffer cap. */
int feed_review_json(struct buf *b, const struct review *r);

/* feed_stats_json appends {"count","average","histogram","mentions",
 * "last_review_at","sentiment"}. average and sentiment are null without data. */
int feed_stats_json(struct buf *b, const struct review_stats *s);

/* feed_product_json appends p's fields plus "stats" (when s is not NULL). */
int feed_product_json(struct buf *b, const struct product *p, const struct review_stats *s);

/* feed_product_detail_json is feed_product_json plus "releases": the
 * product's releases read from txn (store_product_releases), oldest first,
 * each {"version","released_at","notes"}: the one product's document of
 * GET /api/v1/products/{id}. Listings leave releases out. Returns 0, a
 * buffer cap or a store error. */
struct store_txn;
int feed_product_detail_json(struct buf *b, struct store_txn *txn, const struct product *p,
                             const struct review_stats *s);

/* ---- Atom (atom.c) ------------------------------------------------------------ */

#define FEED_ATOM_DEFAULT_LIMIT 25

struct feed_atom_query {
    enum store_scope scope;
    const char *id;     /* product id or category path; NULL for ALL */
    size_t limit;       /* 1..200 */
    const char *cursor; /* page cursor from a link, or NULL for the first page */
};

/* feed_atom_render writes one Atom page (RFC 4287, paged per RFC 5005) of
 * the newest approved reviews in scope into b, with first/next/previous/last
 * links, self and alternate links, hub when site->hub is set. *updated
 * receives the feed's <updated> (seconds), for Last-Modified. Returns 0,
 * CHORUS_ENOTFOUND for an unknown product or category, CHORUS_EINVAL for a
 * bad cursor, or the buffer's error. */
int feed_atom_render(struct store_txn *txn, const struct feed_site *site,
                     const struct feed_atom_query *q, struct buf *b, int64_t *updated);

/* ---- engineer digest (digest.c) ------------------------------------------------- */

#define FEED_DIGEST_MAX_RATING STORE_COMPLAINT_MAX_RATING
#define FEED_DIGEST_DAYS       14

struct feed_digest_query {
    const char *category; /* NULL/"" = every category */
    const char *product;  /* NULL/"" = every product of the category */
    int max_rating;       /* 1..5, default FEED_DIGEST_MAX_RATING */
    int days;             /* 1..90, default FEED_DIGEST_DAYS */
    int tz_minutes;       /* offset from UTC of the reader's day, -720..840 */
    const char *token;    /* the reader token to repeat in links, or NULL */
};

/* feed_digest_url writes the digest's URL for q: base (a public URL, or ""
 * for the path alone), then the parameters that differ from the defaults
 * (0 counts as the default), the token last. Returns 0 or the buffer's
 * error. */
int feed_digest_url(struct buf *b, const char *base, const struct feed_digest_query *q);

/* feed_digest_render writes the digest (docs/digest.md) into b, as of time
 * now. tax may be NULL (no component themes). *updated as for Atom. Returns
 * 0, CHORUS_ENOTFOUND for an unknown product or category, or the buffer's
 * error. */
int feed_digest_render(struct store_txn *txn, const struct feed_site *site,
                       const struct text_taxonomy *tax, const struct feed_digest_query *q,
                       int64_t now, struct buf *b, int64_t *updated);

/* ---- component trends (components.c, components_view.c) ------------------------- */

struct feed_components_query {
    const char *product;  /* a product id, or NULL for a category */
    const char *category; /* with product NULL: the category path ("" = everything) */
    size_t max_products;  /* a category with more listed products is CHORUS_ELIMIT */
};

/* feed_components_json writes {"components": [...]} (docs/digest.md,
 * "Component trends"): one object per component of tax, in taxonomy order,
 * with the windows ending on now's UTC day, for q's product or summed over
 * the listed products in and under q's category. Returns 0,
 * CHORUS_ENOTFOUND for an unknown product, CHORUS_ELIMIT past
 * q->max_products, or the buffer's error. Read txn; any thread. */
int feed_components_json(struct store_txn *txn, const struct text_taxonomy *tax,
                         const struct feed_components_query *q, int64_t now, struct buf *b);
/* ---- known issues: did a fix hold? (fix.c) -------------------------------------- */

/* The "fix did not hold" rule, shared by the digest and the dashboard; its
 * numbers are documented in docs/digest.md. Complaints linked to a fixed
 * issue are counted in two windows: the FEED_FIX_BEFORE_DAYS days before
 * fixed_at, and the days from fixed_at + FEED_FIX_GRACE_DAYS (units
 * already in the channel) to now, at most FEED_FIX_AFTER_DAYS of them. The
 * rule judges only once the after window is FEED_FIX_MIN_DAYS long; it
 * fires when the after window holds at least FEED_FIX_MIN_AFTER complaints
 * and their daily rate is not clearly below the rate before: at least
 * FEED_FIX_RATIO times it. */
#define FEED_FIX_BEFORE_DAYS 30
#define FEED_FIX_GRACE_DAYS  3
#define FEED_FIX_AFTER_DAYS  30
#define FEED_FIX_MIN_DAYS    7
#define FEED_FIX_MIN_AFTER   3
#define FEED_FIX_RATIO       0.5
#define FEED_FIX_COUNT_CAP   10000 /* index entries read per window: counts stop there */

struct feed_fix {
    int64_t before_from, before_to; /* [from, to), seconds */
    int64_t after_from, after_to;
    uint64_t before, after;         /* complaints counted in each window */
    double rate_before, rate_after; /* per day */
    int64_t newest;                 /* created_at of the newest complaint after; 0: none */
    bool judged;                    /* the after window is long enough */
    bool failed;                    /* the fix did not hold */
};

/* feed_fix_windows fills f's windows for a fix at fixed_at seen at now and
 * says whether they can be judged yet. Pure. */
bool feed_fix_windows(int64_t fixed_at, int64_t now, struct feed_fix *f);
/* feed_fix_rule fills f's rates and verdict from its windows and counts.
 * Pure. */
void feed_fix_rule(struct feed_fix *f);
/* feed_fix_check applies the rule to issue is as of now: zeroes *f, and
 * when is is fixed, counts its linked complaints (store_issue_count) and
 * judges. Returns 0 or a store error. */
int feed_fix_check(struct store_txn *txn, const struct store_issue *is, int64_t now,
                   struct feed_fix *f);

/* ---- Google Product Reviews feed, schema 2.4 (google.c) ------------------------- */

/* Google wants at most 100 MB per file, so the feed is written as parts:
 * complete documents of at most max_bytes each that together hold every
 * review given, each once, in the order given. Bytes go to the caller's
 * sink as they are made; what is held in memory is one review's XML. */
struct feed_google_sink {
    /* open starts document `part` (1, 2, ...); close ends it, holding
     * `reviews` reviews. write appends to the open document. Each returns
     * 0 or a CHORUS_E code, which stops the feed with that code. */
    int (*open)(void *ctx, unsigned part);
    int (*write)(void *ctx, const char *data, size_t len);
    int (*close)(void *ctx, unsigned part, size_t reviews);
    void *ctx;
};

struct feed_google;

/* FEED_GOOGLE_MIN_PART is the smallest max_bytes feed_google_new accepts:
 * room for the document's head and tail and ordinary reviews. A review
 * whose XML alone cannot fit a part (possible only with limits far below
 * the default's, see docs/feeds.md) goes into a part of its own. */
#define FEED_GOOGLE_MIN_PART 16384

/* feed_google_new starts a feed of parts of at most max_bytes (at least
 * FEED_GOOGLE_MIN_PART, else CHORUS_EINVAL): the first part opens with the
 * first review or at feed_google_end. Each part carries the XML
 * declaration, <feed>, <version>, <aggregator> and <publisher> (publisher
 * name and favicon URL may be NULL: "Chorus", none), then <reviews>. site
 * and sink are borrowed until feed_google_end / feed_google_free; *out is
 * the caller's, freed by either. Any thread, one feed per thread. */
int feed_google_new(struct feed_google **out, const struct feed_site *site, const char *publisher,
                    const char *favicon, size_t max_bytes, const struct feed_google_sink *sink);
/* feed_google_review writes one <review> for r about product p (both
 * borrowed for the call), closing the current part first when the review
 * would take it over max_bytes. Reviews that are not approved, have no
 * rating or say nothing are skipped (returns 0). Returns 0, the writer's
 * or the sink's error. */
int feed_google_review(struct feed_google *g, const struct review *r, const struct product *p);
/* feed_google_end closes the last part (opening one, with no reviews, when
 * there was none), gives the number of parts in *parts and frees g.
 * Returns 0 or the sink's error. */
int feed_google_end(struct feed_google *g, unsigned *parts);
/* feed_google_free frees g without finishing (the render stopped). NULL ok. */
void feed_google_free(struct feed_google *g);

/* ---- UI strings (i18n.c) ----------------------------------------------------- */

/* The widget's languages: "en", "fr", "de", "es", "pt". */

/* feed_lang maps a language tag ("pt-BR", "FR", "de_AT") to a supported
 * language; NULL, "" or anything else gives "en". Static string. */
const char *feed_lang(const char *want);
/* feed_text returns the UI string key in lang (English when lang lacks
 * it), or NULL for an unknown key. Static. Placeholders in braces ("{n}",
 * "{avg}", "{author}") are the caller's to fill. Keys are listed in
 * feeds/i18n.c and docs/widget.md. */
const char *feed_text(const char *lang, const char *key);
/* feed_i18n_json appends every language's strings as one JSON object,
 * {"en": {"key": "..."}, "fr": {...}}, for embed.js. */
int feed_i18n_json(struct buf *b);

/* ---- the widget, server-rendered (widget.c) --------------------------------- */

struct feed_widget_query {
    const char *product;
    size_t limit; /* 1..50 reviews per page */
    enum store_sort sort;
    unsigned ratings;      /* STORE_RATING_* bits: the histogram filter; 0 = all */
    const char *cursor;    /* the page after a "Show more", or NULL */
    const char *lang;      /* from feed_lang */
    bool dark;             /* theme */
    bool page;             /* the hosted /p/{id} page (Open Graph, Twitter card,
                              Atom autodiscovery) rather than the iframe widget */
    const char *self_path; /* "/widget/ID.html" or "/p/ID": links for sort,
                              filter and "Show more" point here */
};

/* feed_widget_render writes the complete HTML document of the widget for
 * q into b: summary, histogram, best positive / most critical pair,
 * reviews, paging links, schema.org JSON-LD. Works without JavaScript.
 * Every user string is escaped for its context. CHORUS_ENOTFOUND for an
 * unknown product, CHORUS_EINVAL for a bad cursor. */
int feed_widget_render(struct store_txn *txn, const struct feed_site *site,
                       const struct feed_widget_query *q, struct buf *b);
/* feed_widget_error_render writes the quiet "reviews unavailable" page;
 * with product (may be NULL) it links to that product's /p/{id} page, the
 * fallback for a widget embedded with bad parameters. */
int feed_widget_error_render(const struct feed_site *site, const char *lang, bool dark,
                             const char *product, struct buf *b);

/* ---- the engineering dashboard (dashboard.c) --------------------------------- */

struct feed_dashboard_query {
    const char *category; /* NULL/"" = every product */
    const char *sort;     /* "alert" (default), "count", "average", "low", "complaints", "id" */
    int64_t now;
    const char *self_path;           /* "/dashboard": sort links point here */
    const char *digest_token;        /* appended to digest links when set, else NULL;
                                        also to the page's own sort and category
                                        links, which need it as much */
    const struct text_taxonomy *tax; /* the components column; NULL: none */
};

/* feed_dashboard_render writes the dashboard HTML document (docs/dashboard.md)
 * into b, as of time q->now: the roll-up, then a table of at most 2,000
 * products with their trend alerts (feeds/trend.c, the digest's rule).
 * Strings of q are borrowed for the call. CHORUS_ENOTFOUND for an unknown
 * category, CHORUS_EINVAL for an unknown sort, or the buffer's error. */
int feed_dashboard_render(struct store_txn *txn, const struct feed_site *site,
                          const struct feed_dashboard_query *q, struct buf *b);

#endif
