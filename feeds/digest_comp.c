/* The digest's component alert entries (docs/digest.md, "Component alert"):
 * one entry per episode of the rule in components.c, dated the day the
 * episode began, with the counts that started it and the complaints behind
 * them. Its id names the product, the component and that day, so a feed
 * reader shows it once however many days the episode lasts and whichever
 * digest URL (max_rating, tz) it came through. */
#include "digest_int.h"

#include <stdlib.h>
#include <string.h>

/* names says whether a components string ("battery,hinge") holds id. */
static bool names(const char *tags, const char *id)
{
    size_t n = strlen(id);

    for (const char *p = tags; p && *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);

        if (len == n && memcmp(p, id, n) == 0)
            return true;
        p = e ? e + 1 : p + len;
    }
    return false;
}

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

    if (!names(r->components, b->id))
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

int feed__digest_comp_entries(struct digest *d, size_t pi)
{
    struct feed__comps *c;
    int64_t utc_today = feed__floor_div(d->now, 86400);
    int64_t first_utc = feed__floor_div(d->from, 86400);
    int rc;

    if (!d->tax)
        return 0;
    c = malloc(sizeof(*c));
    if (!c)
        abort();
    feed__comps_init(c, d->tax, utc_today);
    rc = feed__comps_add(c, d->txn, d->tax, d->prods[pi].id);
    for (size_t i = 0; rc == 0 && i < c->n; i++) {
        const struct feed__comp_row *row = &c->rows[i];
        struct feed__comp_episode eps[FEED_COMP_WARMUP / 2 + 2];
        size_t n = feed__comp_episodes(row->daily, c->volume, FEED_COMP_SPAN,
                                       utc_today - FEED_COMP_SPAN + 1, eps,
                                       sizeof(eps) / sizeof(eps[0]), NULL);

        /* As for the trend alert: an episode that began before the window
         * was due earlier and does not move to a later day. */
        for (size_t k = 0; rc == 0 && k < n; k++)
            if (eps[k].start >= first_utc)
                rc = add_entry(d, pi, row, &eps[k]);
    }
    free(c);
    return rc;
}
