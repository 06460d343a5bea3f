/* store_check internals, shared by check.c (reviews, indexes, orphans) and
 * check_agg.c (aggregates and daily buckets). */
#ifndef CHORUS_STORE_CHECK_INT_H
#define CHORUS_STORE_CHECK_INT_H

#include "store_int.h"

struct store__cday {
    uint64_t key; /* cno << 32 | day, also its key in store__check.days */
    bool seen;
    struct store_day d;
};

struct store__check {
    struct store_txn *t;
    void (*report)(void *ctx, const char *line);
    void *ctx;
    uint64_t drift;

    uint32_t nprod, ncat;     /* next numbers: every valid number is below */
    struct review_stats *pst; /* recount per product number */
    struct review_stats *cst; /* recount per category number */
    bool *cknown;             /* category numbers that exist */

    struct chorus_map days;  /* category daily recount: key -> struct store__cday (owned) */
    struct chorus_map comps; /* component recount: comp_days key -> struct store__ccomp (owned) */
    uint64_t nlinks;         /* complaints that link to a known issue, by the recount */
};

/* store__check_comp_add counts approved review r (product number pno) in the
 * component recount; store__check_comps compares comp_days with it
 * (check_comp.c). */
void store__check_comp_add(struct store__check *ck, const struct review *r, uint32_t pno);
int store__check_comps(struct store__check *ck);

/* store__check_say counts one discrepancy and reports it as a sentence. */
void store__check_say(struct store__check *ck, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* store__check_count reports when table db does not hold `want` entries. */
void store__check_count(struct store__check *ck, enum store__db db, const char *name,
                        uint64_t want);
/* store__check_products compares every product's aggregate and daily buckets
 * with the recount in ck->pst and rolls them up into the categories;
 * store__check_categories then compares the categories. */
int store__check_products(struct store__check *ck);
int store__check_categories(struct store__check *ck);
/* store__check_each calls fn for every entry of db in key order; fn's
 * non-zero value stops the walk and is returned. */
int store__check_each(struct store__check *ck, enum store__db db,
                      int (*fn)(struct store__check *ck, const MDB_val *k, const MDB_val *v,
                                void *ctx),
                      void *ctx);
/* store__check_tokens reports token records and index entries that are
 * not in the current format or do not match each other (tokens.c, which
 * knows the format). */
int store__check_tokens(struct store__check *ck);
/* store__check_issue_link recomputes review id's known-issue link and
 * compares it with the link tables (check_issues.c); store__check_issues
 * then checks the issue records, their product index and the table sizes. */
int store__check_issue_link(struct store__check *ck, uint64_t id, const struct review *r,
                            uint32_t pno);
int store__check_issues(struct store__check *ck);

#endif
