/* chorus demo's known issues: after the reviews are written, two issues
 * marked fixed are recorded on what the data shows, so the digest and the
 * dashboard have both outcomes of a fix to show (docs/known-issues.md,
 * "Demo"):
 *
 * - a fix that did not hold: the product and component with the most
 *   complaints in the last weeks, fixed 20 days ago while its complaints go
 *   on (on the default demo, the best seller's ongoing hinge wave);
 * - a fix that held: the product and component whose complaints peaked
 *   hardest in some past month and then fell, fixed at the end of that
 *   month (on the default demo, the runner-up's firmware wave).
 *
 * Found from the stored complaints, not from the generator's script, so it
 * follows whatever waves the generator makes. Both are checked with the
 * rule itself (feed_fix_rule) before they are written. */
#include "tools.h"

#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"
#include "chorus/feed.h"
#include "chorus/store.h"
#include "chorus/text.h"

#define DAY        86400
#define SPAN_DAYS  (3 * 366 + 2)
#define HELD_FIXED 20 /* days ago the unheld fix shipped */
#define MIN_PEAK   10 /* complaints in the peak month of a fix that held */

struct cand {
    char product[CHORUS_MAX_PRODUCT_ID + 1];
    size_t comp;
    int64_t fixed_at;
    uint64_t score;
    bool found;
};

struct scan {
    const struct text_taxonomy *tax;
    size_t ncomp;
    int64_t now, day0; /* day0: the first day counted */
    uint32_t *days;    /* ncomp x SPAN_DAYS complaint counts of one product */
    struct cand failed, held;
};

static int on_complaint(void *ctx, const struct review *r)
{
    struct scan *s = ctx;
    int64_t day = r->created_at / DAY - s->day0;

    if (day < 0 || day >= SPAN_DAYS)
        return 0;
    for (const char *c = r->components; c && *c;) {
        const char *end = strchr(c, ',');
        size_t n = end ? (size_t)(end - c) : strlen(c);
        char id[TEXT_MAX_COMPONENT + 1];
        int k;

        if (n <= TEXT_MAX_COMPONENT) {
            memcpy(id, c, n);
            id[n] = '\0';
            k = text_taxonomy_find(s->tax, id);
            if (k >= 0)
                s->days[(size_t)k * SPAN_DAYS + (size_t)day]++;
        }
        c = end ? end + 1 : NULL;
    }
    return 0;
}

/* count sums component k's complaints written in [from, to). */
static uint64_t count(const struct scan *s, size_t k, int64_t from, int64_t to)
{
    int64_t a = from / DAY - s->day0, b = (to + DAY - 1) / DAY - s->day0;
    uint64_t n = 0;

    for (int64_t d = a < 0 ? 0 : a; d < b && d < SPAN_DAYS; d++)
        n += s->days[(size_t)k * SPAN_DAYS + (size_t)d];
    return n;
}

static void judge(const struct scan *s, size_t k, int64_t fixed_at, struct feed_fix *f)
{
    memset(f, 0, sizeof(*f));
    feed_fix_windows(fixed_at, s->now, f);
    f->before = count(s, k, f->before_from, f->before_to);
    f->after = count(s, k, f->after_from, f->after_to);
    feed_fix_rule(f);
}

static void keep(struct cand *c, const char *product, size_t k, int64_t fixed_at, uint64_t score)
{
    if (c->found && score <= c->score)
        return;
    snprintf(c->product, sizeof(c->product), "%s", product);
    c->comp = k;
    c->fixed_at = fixed_at;
    c->score = score;
    c->found = true;
}

static void consider(struct scan *s, const char *product)
{
    int64_t recent = s->now - (int64_t)HELD_FIXED * DAY;
    struct feed_fix f;

    for (size_t k = 0; k < s->ncomp; k++) {
        uint64_t best = 0;
        int64_t best_end = 0;

        judge(s, k, recent, &f);
        if (f.failed && f.before >= MIN_PEAK / 2)
            keep(&s->failed, product, k, recent, f.after);
        /* The hardest past month, ending at least FEED_FIX_AFTER_DAYS +
         * FEED_FIX_GRACE_DAYS before now, so its fix is judged on later
         * complaints only. */
        for (int64_t end = s->day0 + 30; end < s->now / DAY - 60; end += 5) {
            uint64_t n = count(s, k, (end - 30) * DAY, end * DAY);

            if (n > best) {
                best = n;
                best_end = end;
            }
        }
        if (best < MIN_PEAK)
            continue;
        judge(s, k, best_end * DAY, &f);
        if (f.judged && !f.failed)
            keep(&s->held, product, k, best_end * DAY, best);
    }
}

struct issue_write {
    const struct scan *s;
    struct store_issue is[2];
    size_t n;
    uint64_t ids[2];
};

static int write_issues(struct store_txn *txn, void *ctx)
{
    struct issue_write *w = ctx;
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < w->n; i++)
        rc = store_issue_create(txn, &w->is[i], STORE_ISSUES_MAX, (size_t)-1, &w->ids[i]);
    return rc;
}

struct plist {
    char (*ids)[CHORUS_MAX_PRODUCT_ID + 1];
    size_t n, cap;
};

static int collect(void *ctx, const struct product *p, const struct review_stats *st)
{
    struct plist *l = ctx;

    (void)st;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->ids = realloc(l->ids, l->cap * sizeof(*l->ids));
        if (!l->ids)
            abort();
    }
    snprintf(l->ids[l->n++], sizeof(l->ids[0]), "%s", p->id);
    return 0;
}

/* fixed_issue fills *is for candidate c, marked fixed in fixed_in, titled
 * with the component's label and suffix (into title, cap bytes). */
static void fixed_issue(struct store_issue *is, const struct cand *c,
                        const struct text_taxonomy *tax, char *title, size_t cap,
                        const char *suffix, const char *fixed_in)
{
    snprintf(title, cap, "%s%s", text_taxonomy_label(tax, c->comp), suffix);
    is->product_id = c->product;
    is->component = text_taxonomy_id(tax, c->comp);
    is->title = title;
    is->status = STORE_ISSUE_FIXED;
    is->fixed_in = fixed_in;
    is->fixed_at = c->fixed_at;
}

int tool_demo_issues(struct store *st, const struct text_taxonomy *tax)
{
    struct scan s;
    struct plist l = {NULL, 0, 0};
    struct store_txn *txn = NULL;
    struct issue_write w;
    char titles[2][128];
    int rc;

    memset(&s, 0, sizeof(s));
    memset(&w, 0, sizeof(w));
    s.tax = tax;
    s.ncomp = text_taxonomy_count(tax);
    s.now = chorus_now();
    s.day0 = s.now / DAY - SPAN_DAYS + 1;
    s.days = calloc(s.ncomp * SPAN_DAYS, sizeof(*s.days));
    if (!s.days)
        abort();
    rc = store_read_begin(st, &txn);
    if (rc == 0)
        rc = store_category_products(txn, NULL, collect, &l);
    for (size_t i = 0; rc == 0 && i < l.n; i++) {
        memset(s.days, 0, s.ncomp * SPAN_DAYS * sizeof(*s.days));
        rc = store_reviews_window(txn, l.ids[i], (1u << 1) | (1u << 2), s.day0 * DAY, s.now + 1,
                                  on_complaint, &s);
        if (rc == 0)
            consider(&s, l.ids[i]);
    }
    store_txn_free(txn);
    if (rc == 0 && s.failed.found)
        fixed_issue(&w.is[w.n++], &s.failed, tax, titles[0], sizeof(titles[0]), " failures",
                    "BIOS 1.14");
    if (rc == 0 && s.held.found &&
        !(s.failed.found && strcmp(s.held.product, s.failed.product) == 0 &&
          s.held.comp == s.failed.comp))
        fixed_issue(&w.is[w.n++], &s.held, tax, titles[1], sizeof(titles[1]),
                    " problems after an update", "Firmware 2.3");
    if (rc == 0 && w.n)
        rc = store_write(st, write_issues, &w);
    for (size_t i = 0; rc == 0 && i < w.n; i++)
        fprintf(stderr, "demo known issue %llu: %s, %s (fixed, %s)\n", (unsigned long long)w.ids[i],
                w.is[i].product_id, w.is[i].title,
                i == 0 && s.failed.found ? "the fix did not hold" : "the fix held");
    free(l.ids);
    free(s.days);
    return rc;
}
