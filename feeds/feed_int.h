/* feeds/ internals (feed__ prefix): an xmlTextWriter with chained errors,
 * XML-safe strings and HTML escaping. */
#ifndef CHORUS_FEED_INT_H
#define CHORUS_FEED_INT_H

#include <libxml/xmlwriter.h>

#include "chorus/feed.h"
#include "chorus/text.h"

/* A document being written: libxml2 writes into xb; feed__xml_take moves
 * the bytes out. Every helper does nothing once rc is set, so a renderer
 * writes straight through and checks rc once at the end. */
struct feed__xml {
    xmlTextWriterPtr w;
    xmlBufferPtr xb;
    struct buf scratch; /* the last string made XML-safe */
    int rc;             /* first error: CHORUS_ENOMEM from libxml2, or a buffer's */
    size_t max;         /* bytes the document may reach, 0 = no cap */
};

/* feed__xml_open starts a document (XML declaration, UTF-8, no indent) of
 * at most max bytes (0 = no cap): past it, within a few KiB, every later
 * call does nothing and x->rc is CHORUS_ETOOBIG. Free with feed__xml_close.
 * Returns 0 or CHORUS_ENOMEM. */
int feed__xml_open(struct feed__xml *x, size_t max);
/* feed__xml_close frees the writer and its buffer; safe on a failed open. */
void feed__xml_close(struct feed__xml *x);
/* feed__xml_end closes every open element and the document. */
void feed__xml_end(struct feed__xml *x);
/* feed__xml_take appends what was written so far to b and empties xb. */
int feed__xml_take(struct feed__xml *x, struct buf *b);

/* feed__clean returns s as valid XML 1.0 character data: invalid UTF-8,
 * C0 controls other than tab and newline, and U+FFFE/U+FFFF become U+FFFD.
 * Either s itself or x->scratch's data, valid until the next call. */
const char *feed__clean(struct feed__xml *x, const char *s);

void feed__start(struct feed__xml *x, const char *name);
/* feed__start_ns starts prefix:name, declaring ns when ns is not NULL. */
void feed__start_ns(struct feed__xml *x, const char *prefix, const char *name, const char *ns);
void feed__end(struct feed__xml *x);
/* feed__attr writes an attribute of the element just started; s is cleaned.
 * A NULL value writes nothing. */
void feed__attr(struct feed__xml *x, const char *name, const char *value);
void feed__attr_ns(struct feed__xml *x, const char *prefix, const char *name, const char *ns,
                   const char *value);
/* feed__text writes cleaned, escaped character data. NULL writes nothing. */
void feed__text(struct feed__xml *x, const char *s);
/* feed__elem writes <name>text</name>; text NULL writes nothing at all. */
void feed__elem(struct feed__xml *x, const char *name, const char *text);
/* feed__elemf is feed__elem with printf-formatted text (numbers, dates). */
void feed__elemf(struct feed__xml *x, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* feed__time writes <name> with t as RFC 3339 UTC. */
void feed__time(struct feed__xml *x, const char *name, int64_t t);

/* feed__html appends s to b escaped for HTML text and attribute values
 * (& < > " '), invalid UTF-8 replaced. NULL appends nothing. */
int feed__html(struct buf *b, const char *s);
/* feed__stars appends n filled and 5-n empty stars (U+2605, U+2606). */
int feed__stars(struct buf *b, int n);

/* ---- trend alert (trend.c) ---------------------------------------------------- */

/* The rule of docs/digest.md, "Trend alert", shared by the digest and the
 * dashboard: an episode starts on a day when the 7-day window holds at
 * least FEED_TREND_MIN_SHORT ratings, the 90-day window at least
 * FEED_TREND_MIN_LONG, and the 7-day average is at least FEED_TREND_DROP
 * below the 90-day one; it ends on the first later day when the 7-day
 * average is back within FEED_TREND_RECOVER or the 7-day window holds too
 * few ratings. Windows end on (and include) the day; days are UTC. */
#define FEED_TREND_SHORT     7
#define FEED_TREND_LONG      90
#define FEED_TREND_MIN_SHORT 5
#define FEED_TREND_MIN_LONG  20
#define FEED_TREND_DROP      0.5
#define FEED_TREND_RECOVER   0.25
/* Days replayed before the first day a caller shows: episodes have
 * hysteresis, so a fixed replay start keeps answers reproducible. */
#define FEED_TREND_WARMUP 30

struct feed__episode {
    int64_t start, end; /* UTC days; end = first day it is over, INT64_MAX if open */
    double avg7, avg90; /* the windows on its first day */
    uint32_t n7;
};

/* The windows ending on one day. */
struct feed__trend_day {
    double avg7, avg90; /* 0 when the window has no ratings */
    uint64_t n7, n90;
};

/* feed__trend replays a product's daily buckets days[0..nd) (ascending, as
 * store_product_days gives them; they must cover eval_from - FEED_TREND_LONG
 * + 1 .. last_day) over the days [eval_from, last_day] and writes the
 * episodes that start there, oldest first, into out (at most cap; later
 * ones are dropped). Returns how many were written. Pure; any thread. */
size_t feed__trend(const struct store_day *days, size_t nd, int64_t eval_from, int64_t last_day,
                   struct feed__episode *out, size_t cap);
/* feed__trend_open replays [eval_from, day] like feed__trend and says
 * whether an episode is open on day; if so *ep (may be NULL) receives it.
 * *now (may be NULL) receives the windows ending on day, open or not. */
bool feed__trend_open(const struct store_day *days, size_t nd, int64_t eval_from, int64_t day,
                      struct feed__episode *ep, struct feed__trend_day *now);

/* ---- component alert (components.c) ------------------------------------------------ */

/* The rule of docs/digest.md, "Component alert", shared by the digest, the
 * dashboard and the API. On day d, n7 is the complaints naming a component
 * in the 7 days ending on d, base those in the 90 days before them, and
 * lambda = (base + 1) * 7 / 90 the complaints the baseline leads one to
 * expect in 7 days (the added one keeps an empty history from reading as a
 * rate of zero). An episode starts on a day when n7 >= FEED_COMP_MIN_SHORT,
 * n7 >= FEED_COMP_RATIO * lambda and P(X >= n7) <= FEED_COMP_OPEN_P for X
 * Poisson(lambda); it ends on the first later day when P(X >= n7) >
 * FEED_COMP_CLOSE_P. Days are UTC; windows end on (and include) the day. */
#define FEED_COMP_SHORT     7
#define FEED_COMP_LONG      90
#define FEED_COMP_MIN_SHORT 5
#define FEED_COMP_RATIO     2.0
#define FEED_COMP_OPEN_P    1e-4
#define FEED_COMP_CLOSE_P   0.05
/* The expectation follows the scope's other reviews (rated 3..5 or without
 * stars) when their 7-day rate exceeds their 90-day one, over a baseline
 * of at least FEED_COMP_VOLUME_MIN of them, by at most FEED_COMP_VOLUME_MAX
 * times: a sale is not a wave. */
#define FEED_COMP_VOLUME_MIN 90
#define FEED_COMP_VOLUME_MAX 5.0
/* Days replayed before the day shown, as for the rating trend. */
#define FEED_COMP_WARMUP 30
/* Days of complaints a replay ending on one day needs, that day included. */
#define FEED_COMP_SPAN (FEED_COMP_WARMUP + FEED_COMP_LONG + FEED_COMP_SHORT)

/* The windows ending on one day. */
struct feed__comp_window {
    uint32_t n7, base;
    double volume;   /* the other reviews' 7-day rate over their 90-day one, at least 1 */
    double expected; /* lambda */
    double p;        /* P(X >= n7), X Poisson(lambda) */
};

struct feed__comp_episode {
    int64_t start, end;         /* UTC days; end = first day it is over, INT64_MAX if open */
    struct feed__comp_window w; /* the windows on its first day */
};

/* feed__poisson_tail gives P(X >= k) for X Poisson(lambda > 0); 1 when k <=
 * lambda (the tail is then above 0.4). Pure. */
double feed__poisson_tail(uint32_t k, double lambda);
/* feed__comp_episodes replays daily complaint counts c[0..n) (c[i] on UTC
 * day first_day + i; n >= FEED_COMP_SPAN), against the daily counts of the
 * scope's other reviews v[0..n) (NULL: steady volume) over the last FEED_COMP_WARMUP + 1
 * days and writes the episodes that start there, oldest first, into out (at
 * most cap). *now (may be NULL) gets the windows ending on the last day.
 * Returns how many episodes were written. Pure; any thread. */
size_t feed__comp_episodes(const uint32_t *c, const uint32_t *v, size_t n, int64_t first_day,
                           struct feed__comp_episode *out, size_t cap,
                           struct feed__comp_window *now);

/* One component of a product or a category, as the API, the digest and
 * the dashboard show it (components_view.c gathers). */
struct feed__comp_row {
    size_t tax;                  /* index in the taxonomy */
    uint32_t c90, m90, j90, p90; /* last 90 days: complaints, mentions, judged, positive */
    struct feed__comp_window now;
    bool alert;                     /* an episode is open on the last day */
    int64_t since_day;              /* its first day, when alert */
    uint32_t daily[FEED_COMP_SPAN]; /* complaints; [FEED_COMP_SPAN - 1] is the last day */
};

struct feed__comps {
    int64_t today;                   /* UTC day the windows end on */
    uint32_t volume[FEED_COMP_SPAN]; /* approved reviews that are not complaints, per day */
    size_t n;                        /* one row per taxonomy component, in taxonomy order */
    struct feed__comp_row rows[TEXT_MAX_COMPONENTS];
};

/* feed__comps_init empties c for windows ending on UTC day today, one row
 * per component of tax. feed__comps_add adds product id's counts (one range
 * read; CHORUS_ENOTFOUND for an unknown product); feed__comps_eval then
 * applies the rule to the sums. */
void feed__comps_init(struct feed__comps *c, const struct text_taxonomy *tax, int64_t today);
int feed__comps_add(struct feed__comps *c, struct store_txn *txn, const struct text_taxonomy *tax,
                    const char *id);
void feed__comps_eval(struct feed__comps *c);

/* feed__floor_div divides rounding toward minus infinity: the UTC day of a
 * time before 1970 is the day it falls in, not the one after. */
static inline int64_t feed__floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* The release a component alert began after (docs/digest.md, "Releases"):
 * product's latest release on or before the episode's first day, at most
 * FEED_COMP_LONG days before it (an older one explains nothing). */
struct feed__comp_release {
    bool found;
    char version[CHORUS_MAX_RELEASE_VERSION + 1];
    int64_t released_at;
};

/* feed__comp_release fills *out for an episode of product that began on
 * UTC day since_day (out->found false when none). Returns 0 or a store
 * error. */
int feed__comp_release(struct store_txn *txn, const char *product, int64_t since_day,
                       struct feed__comp_release *out);
/* feed__release_days writes the UTC days of product's releases within
 * [first_day, first_day + ndays) into days (at most cap, oldest first);
 * *n how many. For the sparklines' release marks. Returns 0 or a store
 * error (an unknown product has none). */
int feed__release_days(struct store_txn *txn, const char *product, int64_t first_day, int ndays,
                       int64_t *days, size_t cap, size_t *n);

/* ---- dashboard charts (dashboard_svg.c) ------------------------------------------- */

/* feed__dash_sparkline appends an inline SVG sparkline of daily average
 * ratings over ndays days starting on UTC day first_day: cnt[i] ratings
 * summing to sum[i] on day first_day + i. One polyline point per day with
 * ratings; role="img" with an aria-label and a <title> in words. Returns 0
 * or the buffer's error. */
int feed__dash_sparkline(struct buf *b, const uint32_t *cnt, const uint32_t *sum, int ndays,
                         int64_t first_day);
/* feed__dash_count_sparkline appends an inline SVG sparkline of daily
 * counts (complaints naming one component) over ndays days starting on UTC
 * day first_day, as bars on a scale fitted to the largest day, with a
 * dashed line on each day of marks[0..nmarks) (the product's releases);
 * role="img" with an aria-label and a <title> in words. Returns 0 or the
 * buffer's error. */
int feed__dash_count_sparkline(struct buf *b, const uint32_t *cnt, int ndays, int64_t first_day,
                               const int64_t *marks, size_t nmarks);
/* feed__dash_bars appends the rating distribution (hist[0] = 1 star) as an
 * inline SVG bar chart, 5 stars first, with text labels and a <title> per
 * bar. Returns 0 or the buffer's error. */
int feed__dash_bars(struct buf *b, const uint64_t hist[5]);

/* ---- the dashboard (dashboard.c gathers, dashboard_html.c writes) ----------------- */

#define FEED_DASH_MAX_ROWS     2000   /* products listed per page: the top in the chosen order */
#define FEED_DASH_MAX_ANALYSED 20000  /* products analysed (buckets, alerts) per page */
#define FEED_DASH_MAX_SCAN     100000 /* products read for the category nav and the roll-up of all */
#define FEED_DASH_MAX_NAV      100    /* top-level categories in the nav */
#define FEED_DASH_SPARK_DAYS   30
#define FEED_DASH_COMP_SHOWN   4 /* components with a sentiment shown per product */
#define FEED_DASH_COMP_JUDGED  3 /* ... each judged by at least this many reviews in 90 days */

enum feed__dash_sort {
    FEED_DASH_SORT_ALERT = 0,  /* alerts, then complaints in 7 days, then ratings */
    FEED_DASH_SORT_COUNT,      /* ratings, most first */
    FEED_DASH_SORT_AVERAGE,    /* average, lowest first; no ratings last */
    FEED_DASH_SORT_LOW,        /* share of 1-2 star ratings, highest first */
    FEED_DASH_SORT_COMPLAINTS, /* complaints in 7 days, then 24 hours */
    FEED_DASH_SORT_ID,         /* product id, bytewise */
    FEED_DASH_NSORTS
};

/* The ?sort= value of each order, indexed by enum feed__dash_sort. */
extern const char *const feed__dash_sort_names[FEED_DASH_NSORTS];

/* One product of the table. */
struct feed__dash_row {
    const char *id, *name; /* borrowed from the txn; name NULL when it has none */
    struct review_stats st;
    uint64_t c24, c7;      /* complaints: approved, rated 1 or 2, by created_at */
    bool c24_more;         /* the count stopped at its cap: c24 is a lower bound */
    bool alert;            /* a trend-alert episode is open today */
    uint32_t fix_failed;   /* fixed known issues whose fix did not hold (feed_fix_check) */
    const char *fix_title; /* the first one's title, borrowed from the txn */
    struct feed_fix fix;   /* and its numbers */
    struct feed__episode ep;
    struct feed__trend_day tr;                                     /* the windows ending today */
    uint32_t cnt[FEED_DASH_SPARK_DAYS], sum[FEED_DASH_SPARK_DAYS]; /* ratings per sparkline day */
    uint32_t comp_alerts; /* components with a component alert open today */
};

/* A top-level category of the nav. */
struct feed__dash_cat {
    const char *s; /* borrowed from the txn: its first n bytes name it */
    size_t n;
};

/* A page being made. */
struct feed__dash {
    struct store_txn *txn;
    const struct feed_site *site;
    const struct feed_dashboard_query *q;
    const char *category; /* NULL: every product */
    const char *token;    /* the reader token for links, NULL when none */
    enum feed__dash_sort sort;
    int64_t today; /* UTC day of q->now */
    struct feed__dash_row *rows;
    size_t nrows, crows;
    uint64_t in_scope;         /* products in scope, listed or not */
    struct review_stats total; /* the roll-up */
    bool total_partial;        /* everything: FEED_DASH_MAX_SCAN reached, sums are a lower bound */
    struct feed__dash_cat nav[FEED_DASH_MAX_NAV]; /* top-level categories, sorted */
    size_t nnav;
    bool nav_partial; /* a cap was reached: some categories are missing */
    uint64_t scanned;
    size_t alerts;
    struct feed__comps *comps; /* scratch for one product's components (q->tax set) */
    struct buf *b;
    struct buf url; /* a URL being built, before it is HTML-escaped */
    int rc;         /* the first output error; output stops there */
};

/* feed__dash_document writes the page for d (gathered and sorted) into
 * d->b; errors land in d->rc. */
void feed__dash_document(struct feed__dash *d);

#endif
