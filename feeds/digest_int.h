/* The engineer digest's internals, shared by digest.c (gathering and
 * analysis) and digest_write.c (the Atom document). */
#ifndef CHORUS_FEED_DIGEST_INT_H
#define CHORUS_FEED_DIGEST_INT_H

#include "feed_int.h"

#include "chorus/text.h"

#define ATOM_NS         "http://www.w3.org/2005/Atom"
#define MAX_PER_PRODUCT 2000  /* complaints read per product and window */
#define MAX_COMPLAINTS  20000 /* complaints read per digest */
#define MAX_ENTRIES     300   /* entries per digest: the newest are kept */
#define MAX_LISTED      25    /* complaints listed in one entry */
#define MAX_TERMS       8
/* Distinctive terms asked for before the filter of text_term_actionable
 * keeps MAX_TERMS of them. */
#define TERM_CANDIDATES (4 * MAX_TERMS)
#define MAX_PHRASES     24
#define BACKGROUND      150 /* recent 4-5 star reviews a product's terms are scored against */
#define EXCERPT         240 /* bytes of a complaint's body shown */
#define MAX_ISSUES      8   /* known issues summarised in one entry; more share a line */
#define MAX_REGRESSIONS 100 /* "fix did not hold" entries per digest */

/* Daily buckets a trend replay needs (trend.c, FEED_TREND_*). */
#define DAYS_CAP (90 + FEED_TREND_WARMUP + FEED_TREND_LONG + 4)

struct complaint {
    const struct review *r; /* copied struct; strings borrowed from the txn */
    int64_t day;            /* the reader's local day */
};

struct phrase_count {
    size_t component;
    const char *phrase; /* the taxonomy's */
    uint32_t count;
};

/* The complaints of one entry linked to one known issue. */
struct dissue {
    uint64_t id;
    uint32_t n;
    const char *title; /* borrowed from the txn */
    enum store_issue_status status;
};

#define MAX_FOLDED 8 /* component alerts folded into one entry */

struct dentry {
    size_t prod;
    int64_t day;
    size_t first, n; /* complaints[first .. first+n) */
    uint32_t rating_sum;
    int64_t updated, published;
    uint32_t comp_reviews[TEXT_MAX_COMPONENTS];
    struct phrase_count phrases[MAX_PHRASES];
    size_t nphrases;
    char terms[MAX_TERMS][2 * TEXT_WORD_MAX + 2];
    uint32_t term_count[MAX_TERMS], term_docs[MAX_TERMS];
    double term_z[MAX_TERMS];
    size_t nterms;
    bool alert;
    bool partial; /* its product had more complaints than were read */
    double avg7, avg90;
    uint32_t n7;
    /* A component alert entry (digest_comp.c): its own entry, not a day's;
     * complaints[first .. first+n) are the ones behind it. */
    bool comp_alert;
    size_t comp;                 /* taxonomy index */
    struct feed__comp_window cw; /* the windows on the episode's first day (e->day) */
    uint32_t n7_now;             /* complaints naming it in the 7 days ending today */
    /* Alerts of the same product folded into this one (digest_comp.c): most
     * of their complaints name this component too. */
    struct {
        size_t comp; /* taxonomy index */
        uint32_t n;  /* its complaints behind that also name this one */
        uint32_t of; /* its complaints behind */
    } also[MAX_FOLDED];
    size_t nalso;
    /* Complaints come unknown first, then grouped by issue (digest.c). */
    size_t n_unknown;
    struct dissue issues[MAX_ISSUES];
    size_t nissues;
    uint32_t other_issues; /* complaints of issues past MAX_ISSUES */
};

/* A fixed known issue whose complaints keep coming (feed_fix_check). */
struct dregress {
    size_t prod;
    struct store_issue is; /* strings borrowed from the txn */
    struct feed_fix f;
};

struct dprod {
    const char *id, *name; /* borrowed from the txn */
    struct review_stats st;
    bool partial; /* more complaints in the window than were read */
};

struct digest {
    struct store_txn *txn;
    const struct feed_site *site;
    const struct text_taxonomy *tax;
    const struct feed_digest_query *q;
    int64_t now, today, from, to; /* today: local day; [from, to): UTC seconds */
    int tz;                       /* seconds east of UTC */
    unsigned ratings;             /* STORE_RATING_* bits of the complaint ratings */
    struct dprod *prods;
    size_t nprods, cprods;
    struct complaint *cs;
    size_t ncs, ccs;
    struct dentry *es;
    size_t nes, ces;
    struct dregress *rs;
    size_t nrs, crs;
    size_t dropped; /* entries left out by MAX_ENTRIES */
    bool partial;   /* MAX_COMPLAINTS was reached */
};

/* feed__digest_comp_entries adds an entry for each component alert episode
 * of product pi that began inside the window (one per episode: its id is
 * the product, the component and the day it began), with the complaints
 * naming the component in the 7 days ending on that day. No-op without a
 * taxonomy. */
int feed__digest_comp_entries(struct digest *d, size_t pi);

/* feed__digest_write writes the whole document: head, then d->es. */
void feed__digest_write(struct digest *d, struct feed__xml *x, int64_t updated);

#endif
