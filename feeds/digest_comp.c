/* The digest's component alert entries (docs/digest.md, "Component alert"):
 * one entry per episode of the rule in components.c, dated the day the
 * episode began, with the counts that started it and the complaints behind
 * them. Its id names the product, the component and that day, so a feed
 * reader shows it once however many days the episode lasts and whichever
 * digest URL (max_rating, tz) it came through.
 *
 * Complaints that name two components count for both, so one wave ("the
 * hinge cracked and the screen wobbles") opens an alert on each. An alert
 * most of whose complaints also name a stronger alert's component of the
 * same product is folded into that one's entry ("the same complaints also
 * name Display, 10 of 14") rather than given its own: the engineer reads
 * one problem once. The API and the dashboard, which show counts, list
 * every alert. */
#include "digest_int.h"

#include <stdlib.h>
#include <string.h>

struct behind {
    struct digest *d;
    const char *id; /* the component */
    size_t got;
};

static int on_complaint(void *ctx, const struct review *r)
{
    struct behind *b = ctx;
    struct digest *d = b->d;
    struct review *copy;

    if (!review_tags_have(r->components, b->id))
        return 0;
    if (b->got >= MAX_LISTED || d->ncs >= MAX_COMPLAINTS)
        return CHORUS_ESTOP;
    /* The struct is the iterator's; its strings live as long as the txn. */
    copy = malloc(sizeof(*copy));
    if (!copy)
        abort();
    *copy = *r;
    if (d->ncs == d->ccs) {
        d->ccs = d->ccs ? d->ccs * 2 : 64;
        d->cs = realloc(d->cs, d->ccs * sizeof(*d->cs));
        if (!d->cs)
            abort();
    }
    d->cs[d->ncs].r = copy;
    d->cs[d->ncs].day = feed__floor_div(r->created_at, 86400);
    d->ncs++;
    b->got++;
    return 0;
}

static int add_entry(struct digest *d, size_t pi, const struct feed__comp_row *row,
                     const struct feed__comp_episode *ep)
{
    struct behind b = {d, text_taxonomy_id(d->tax, row->tax), 0};
    unsigned ratings = 0;
    size_t first = d->ncs;
    struct dentry *e;
    int rc;

    for (int r = 1; r <= STORE_COMPLAINT_MAX_RATING; r++)
        ratings |= 1u << r;
    rc = store_reviews_window(d->txn, d->prods[pi].id, ratings,
                              (ep->start - FEED_COMP_SHORT + 1) * 86400, (ep->start + 1) * 86400,
                              on_complaint, &b);
    if (rc)
        return rc;
    if (d->nes == d->ces) {
        d->ces = d->ces ? d->ces * 2 : 64;
        d->es = realloc(d->es, d->ces * sizeof(*d->es));
        if (!d->es)
            abort();
    }
    e = &d->es[d->nes++];
    memset(e, 0, sizeof(*e));
    e->prod = pi;
    e->day = ep->start;
    e->first = first;
    e->n = d->ncs - first;
    e->comp_alert = true;
    e->comp = row->tax;
    e->cw = ep->w;
    e->n7_now = row->now.n7;
    /* Dated by the complaints that started it, so it never moves. */
    e->published = e->updated = ep->start * 86400;
    for (size_t i = first; i < d->ncs; i++) {
        const struct review *r = d->cs[i].r;

        if (i == first || r->ingested_at < e->published)
            e->published = r->ingested_at;
        if (i == first || r->ingested_at > e->updated)
            e->updated = r->ingested_at;
    }
    return 0;
}

/* The share of an alert's complaints that must name the stronger alert's
 * component for it to fold. */
#define FOLD_SHARE 0.6

/* also_names counts the complaints behind e that name component id. */
static uint32_t also_names(const struct digest *d, const struct dentry *e, const char *id)
{
    uint32_t n = 0;

    for (size_t i = e->first; i < e->first + e->n; i++)
        n += review_tags_have(d->cs[i].r->components, id);
    return n;
}

/* by_strength orders alerts by their complaints in the last 7 days, most
 * first: of two alerts on the same complaints, the one more complaints name
 * is the problem the other is a part of. On a tie, the one with more
 * complaints before the rise: a part that fails is complained about now and
 * then; what the same reviews add in passing ("after the BIOS update",
 * "support refused") rarely is, and that is why its p is the smaller. */
static int by_strength(const void *a, const void *b, void *ctx)
{
    const struct dentry *es = ctx;
    const struct dentry *x = &es[*(const size_t *)a], *y = &es[*(const size_t *)b];

    if (x->n7_now != y->n7_now)
        return x->n7_now > y->n7_now ? -1 : 1;
    if (x->cw.base != y->cw.base)
        return x->cw.base > y->cw.base ? -1 : 1;
    return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

/* fold folds the component alerts d->es[e0 ..] of one product into the
 * strongest (by_strength) alert of the same week whose component most of
 * their complaints also name, and removes them from the entries. */
static void fold(struct digest *d, size_t e0)
{
    size_t n = d->nes - e0, order[TEXT_MAX_COMPONENTS * 2], kept = e0;
    bool gone[TEXT_MAX_COMPONENTS * 2] = {false};

    if (n < 2 || n > sizeof(order) / sizeof(order[0]))
        return;
    for (size_t i = 0; i < n; i++)
        order[i] = e0 + i;
    /* Strongest first, so an alert folds only into one that stays. */
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && by_strength(&order[j], &order[j - 1], d->es) < 0; j--) {
            size_t t = order[j];

            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    for (size_t i = 1; i < n; i++) {
        struct dentry *w = &d->es[order[i]];

        for (size_t k = 0; k < i && w->n; k++) {
            struct dentry *s = &d->es[order[k]];
            uint32_t both;

            /* Another component, in the same week: a later episode of one
             * component is news of its own. */
            if (gone[order[k] - e0] || s->nalso == MAX_FOLDED || s->comp == w->comp ||
                s->day - w->day > FEED_COMP_SHORT || w->day - s->day > FEED_COMP_SHORT)
                continue;
            both = also_names(d, w, text_taxonomy_id(d->tax, s->comp));
            if ((double)both < FOLD_SHARE * (double)w->n)
                continue;
            s->also[s->nalso].comp = w->comp;
            s->also[s->nalso].n = both;
            s->also[s->nalso].of = (uint32_t)w->n;
            s->nalso++;
            gone[order[i] - e0] = true;
            break;
        }
    }
    for (size_t i = e0; i < d->nes; i++)
        if (!gone[i - e0])
            d->es[kept++] = d->es[i];
    d->nes = kept;
}

int feed__digest_comp_entries(struct digest *d, size_t pi)
{
    struct feed__comps *c;
    int64_t utc_today = feed__floor_div(d->now, 86400);
    int64_t first_utc = feed__floor_div(d->from, 86400);
    size_t e0 = d->nes;
    int rc;

    if (!d->tax)
        return 0;
    c = malloc(sizeof(*c));
    if (!c)
        abort();
    feed__comps_init(c, d->tax, utc_today);
    rc = feed__comps_add(c, d->txn, d->tax, d->prods[pi].id);
    for (size_t i = 0; rc == 0 && i < c->n; i++) {
        struct feed__comp_row *row = &c->rows[i];
        struct feed__comp_episode eps[FEED_COMP_WARMUP / 2 + 2];
        size_t n = feed__comp_episodes(row->daily, c->volume, FEED_COMP_SPAN,
                                       utc_today - FEED_COMP_SPAN + 1, eps,
                                       sizeof(eps) / sizeof(eps[0]), &row->now);

        /* As for the trend alert: an episode that began before the window
         * was due earlier and does not move to a later day. */
        for (size_t k = 0; rc == 0 && k < n; k++)
            if (eps[k].start >= first_utc)
                rc = add_entry(d, pi, row, &eps[k]);
    }
    free(c);
    if (rc == 0)
        fold(d, e0);
    return rc;
}
