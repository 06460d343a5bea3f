/* The engineer digest as Atom: the head, then one entry per product and
 * day (see digest.c for how they are gathered, docs/digest.md for what
 * they say). */
#include "digest_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void day_str(int64_t day, char *out)
{
    char ts[32];

    chorus_time_format(day * 86400, ts);
    memcpy(out, ts, 10);
    out[10] = '\0';
}

static void excerpt(struct buf *b, const char *body)
{
    size_t n = body ? strlen(body) : 0, cut = n;

    if (n > EXCERPT) {
        cut = EXCERPT;
        while (cut > 0 && ((unsigned char)body[cut] & 0xc0) == 0x80)
            cut--;
        for (size_t k = cut; k > EXCERPT / 2; k--)
            if (body[k] == ' ') {
                cut = k;
                break;
            }
    }
    {
        char *s = malloc(cut + 1);

        if (!s)
            abort();
        memcpy(s, body ? body : "", cut);
        s[cut] = '\0';
        feed__html(b, s);
        free(s);
    }
    if (cut < n)
        buf_puts(b, "\xe2\x80\xa6");
}

/* complaint_list writes complaints [first, first + n) of entry e as a list of
 * links (at most MAX_LISTED), then a line per known issue of e. */
static void complaint_list(struct digest *d, const struct dentry *e, size_t n, struct buf *h,
                           struct buf *tmp)
{
    buf_puts(h, "<ul>");
    for (size_t i = e->first; i < e->first + n && i < e->first + MAX_LISTED; i++) {
        const struct review *r = d->cs[i].r;

        buf_puts(h, "<li>");
        feed__stars(h, r->rating);
        buf_puts(h, " <a href=\"");
        buf_reset(tmp);
        feed_review_url(tmp, d->site, r->product_id, r->id);
        feed__html(h, tmp->data);
        buf_puts(h, "\">");
        feed__html(h, r->title && *r->title ? r->title : "(no title)");
        buf_puts(h, "</a> &#8212; ");
        excerpt(h, r->body);
        buf_puts(h, " <em>");
        feed__html(h, r->author && *r->author ? r->author : "Anonymous");
        if (r->verified)
            buf_puts(h, ", verified buyer");
        buf_puts(h, "</em></li>");
    }
    if (n > MAX_LISTED)
        buf_printf(h, "<li>&#8230; and %zu more</li>", n - MAX_LISTED);
    for (size_t k = 0; k < e->nissues; k++) {
        buf_printf(h, "<li>%u more for known issue '", e->issues[k].n);
        feed__html(h, e->issues[k].title);
        buf_printf(h, "' (%s)</li>", store_issue_status_name(e->issues[k].status));
    }
    if (e->other_issues)
        buf_printf(h, "<li>%u more for other known issues</li>", e->other_issues);
    buf_puts(h, "</ul>");
}

static void entry_html(struct digest *d, const struct dentry *e, struct buf *h, struct buf *tmp)
{
    const struct dprod *p = &d->prods[e->prod];
    const struct review_stats *st = &p->st;

    buf_printf(h, "<p><strong>%zu new complaint%s</strong> (average %.1f&#9733;)", e->n,
               e->n == 1 ? "" : "s", (double)e->rating_sum / (double)e->n);
    if (st->count)
        buf_printf(h, " &#183; product overall %.2f&#9733; from %llu ratings",
                   (double)st->rating_sum / (double)st->count, (unsigned long long)st->count);
    buf_puts(h, "</p>");
    if (e->alert)
        buf_printf(h,
                   "<p><strong>&#9888; Trend alert:</strong> the 7-day average is %.2f&#9733; "
                   "(%u ratings) against %.2f&#9733; over 90 days.</p>",
                   e->avg7, e->n7, e->avg90);
    if (e->nphrases) {
        buf_puts(h, "<p><strong>What they are about</strong></p><ul>");
        for (size_t c = 0; c < TEXT_MAX_COMPONENTS; c++) {
            bool first = true;

            if (!e->comp_reviews[c])
                continue;
            buf_puts(h, "<li><strong>");
            feed__html(h, text_taxonomy_label(d->tax, c));
            buf_printf(h, "</strong> &#8212; %u of %zu: ", e->comp_reviews[c], e->n);
            for (size_t k = 0; k < e->nphrases; k++) {
                if (e->phrases[k].component != c)
                    continue;
                buf_puts(h, first ? "&#8220;" : ", &#8220;");
                feed__html(h, e->phrases[k].phrase);
                buf_printf(h, "&#8221; &#215;%u", e->phrases[k].count);
                first = false;
            }
            buf_puts(h, "</li>");
        }
        buf_puts(h, "</ul>");
    }
    if (e->nterms) {
        buf_puts(h, "<p><strong>Words that stand out</strong> (against this product's positive "
                    "reviews): ");
        for (size_t k = 0; k < e->nterms; k++) {
            buf_puts(h, k ? ", &#8220;" : "&#8220;");
            feed__html(h, e->terms[k]);
            buf_printf(h, "&#8221; (%u)", e->term_count[k]);
        }
        buf_puts(h, "</p>");
    }
    if (e->partial)
        buf_printf(h,
                   "<p><em>More complaints were written in this window than the digest reads "
                   "(%d per product): the counts above are a lower bound.</em></p>",
                   MAX_PER_PRODUCT);
    complaint_list(d, e, e->n_unknown, h, tmp);
}

/* entry_head writes what every digest entry has after its id: the title
 * (the text in tmp), updated and published, the author, the product's page
 * as the alternate link and the product as a category. tmp is reused. */
static void entry_head(struct digest *d, struct feed__xml *x, const struct dprod *p,
                       struct buf *tmp, int64_t updated, int64_t published)
{
    const char *name = p->name && *p->name ? p->name : p->id;
    struct product pp = {.id = p->id};

    feed__start(x, "title");
    feed__attr(x, "type", "text");
    feed__text(x, tmp->data);
    feed__end(x);
    feed__time(x, "updated", updated);
    feed__time(x, "published", published);
    feed__start(x, "author");
    feed__elem(x, "name", "Chorus digest");
    feed__end(x);
    buf_reset(tmp);
    feed_product_url(tmp, d->site, &pp);
    feed__start(x, "link");
    feed__attr(x, "rel", "alternate");
    feed__attr(x, "type", "text/html");
    feed__attr(x, "href", tmp->data);
    feed__end(x);
    feed__start(x, "category");
    feed__attr(x, "term", p->id);
    feed__attr(x, "label", name);
    feed__end(x);
}

/* write_comp_entry writes a component alert (docs/digest.md, "Component
 * alert"): its own entry, once per episode. */
static void write_comp_entry(struct digest *d, struct feed__xml *x, const struct dentry *e,
                             struct buf *tmp, struct buf *h)
{
    const struct dprod *p = &d->prods[e->prod];
    const char *name = p->name && *p->name ? p->name : p->id;
    const char *cid = text_taxonomy_id(d->tax, e->comp);
    const char *label = text_taxonomy_label(d->tax, e->comp);
    char day[16], num[64], what[64 + 3 * CHORUS_MAX_PRODUCT_ID + 3 * TEXT_MAX_COMPONENT];
    char rel_day[16] = "";
    struct feed__comp_release rel;

    /* The release it began after, if any (a failed read leaves it out:
     * the alert stands without it). */
    if (feed__comp_release(d->txn, p->id, e->day, &rel) != 0)
        rel.found = false;
    if (rel.found)
        day_str(feed__floor_div(rel.released_at, 86400), rel_day);

    day_str(e->day, day);
    feed__start(x, "entry");
    buf_reset(tmp);
    buf_puts(tmp, "digest-component/");
    chorus_pct(tmp, p->id, strlen(p->id), false);
    buf_putc(tmp, '/');
    chorus_pct(tmp, cid, strlen(cid), false);
    buf_printf(tmp, "/%s", day);
    snprintf(what, sizeof(what), "%s", tmp->data);
    buf_reset(tmp);
    feed_tag(tmp, d->site, what);
    feed__elem(x, "id", tmp->data);
    buf_reset(tmp);
    buf_printf(tmp, "\xe2\x9a\xa0 %s complaints rising \xc2\xb7 %s", label, name);
    entry_head(d, x, p, tmp, e->updated, e->published);
    feed__start(x, "category");
    feed__attr(x, "term", "component-alert");
    feed__end(x);

    feed__start_ns(x, "chorus", "component-alert", NULL);
    feed__attr(x, "product", p->id);
    feed__attr(x, "component", cid);
    feed__attr(x, "label", label);
    feed__attr(x, "since", day);
    snprintf(num, sizeof(num), "%u", e->cw.n7);
    feed__attr(x, "complaints_7d", num);
    snprintf(num, sizeof(num), "%.2f", e->cw.expected);
    feed__attr(x, "expected_7d", num);
    snprintf(num, sizeof(num), "%u", e->cw.base);
    feed__attr(x, "baseline_90d", num);
    snprintf(num, sizeof(num), "%.2g", e->cw.p);
    feed__attr(x, "p", num);
    if (rel.found) {
        feed__attr(x, "release", rel.version);
        feed__attr(x, "released", rel_day);
    }
    for (size_t k = 0; k < e->nalso; k++) {
        feed__start_ns(x, "chorus", "also", NULL);
        feed__attr(x, "component", text_taxonomy_id(d->tax, e->also[k].comp));
        feed__attr(x, "label", text_taxonomy_label(d->tax, e->also[k].comp));
        snprintf(num, sizeof(num), "%u", e->also[k].n);
        feed__attr(x, "complaints", num);
        snprintf(num, sizeof(num), "%u", e->also[k].of);
        feed__attr(x, "of", num);
        feed__end(x);
    }
    for (size_t i = e->first; i < e->first + e->n; i++) {
        feed__start_ns(x, "chorus", "review", NULL);
        snprintf(num, sizeof(num), "%llu", (unsigned long long)d->cs[i].r->id);
        feed__attr(x, "id", num);
        snprintf(num, sizeof(num), "%d", d->cs[i].r->rating);
        feed__attr(x, "rating", num);
        feed__end(x);
    }
    feed__end(x);

    buf_reset(h);
    buf_puts(h, "<p><strong>&#9888; ");
    feed__html(h, label);
    buf_printf(h,
               " complaints rising:</strong> %u complaint%s naming it in the 7 days to %s, "
               "where the 90 days before (%u complaint%s) lead one to expect %.2f "
               "(Poisson p = %.2g).</p>",
               e->cw.n7, e->cw.n7 == 1 ? "" : "s", day, e->cw.base, e->cw.base == 1 ? "" : "s",
               e->cw.expected, e->cw.p);
    if (rel.found && e->cw.expected > 0) {
        buf_printf(h, "<p>%.1f&#215; the usual since ", (double)e->cw.n7 / e->cw.expected);
        feed__html(h, rel.version);
        buf_printf(h, ", released %s.</p>", rel_day);
    }
    if (e->nalso) {
        buf_puts(h, "<p>The same complaints also name ");
        for (size_t k = 0; k < e->nalso; k++) {
            buf_puts(h, k == 0 ? "" : k + 1 == e->nalso ? " and " : ", ");
            feed__html(h, text_taxonomy_label(d->tax, e->also[k].comp));
            buf_printf(h, " (%u of the %u behind its own rise)", e->also[k].n, e->also[k].of);
        }
        buf_puts(h, ": that rise is this one, so it has no entry of its own.</p>");
    }
    complaint_list(d, e, e->n, h, tmp);
    feed__start(x, "content");
    feed__attr(x, "type", "html");
    feed__text(x, h->data ? h->data : "");
    feed__end(x);
    feed__end(x);
}

static void write_entry(struct digest *d, struct feed__xml *x, const struct dentry *e,
                        struct buf *tmp, struct buf *h)
{
    const struct dprod *p = &d->prods[e->prod];
    char day[16], what[64 + 3 * CHORUS_MAX_PRODUCT_ID], num[64];
    const char *name = p->name && *p->name ? p->name : p->id;

    day_str(e->day, day);
    feed__start(x, "entry");
    buf_reset(tmp);
    buf_puts(tmp, "digest-entry/");
    chorus_pct(tmp, p->id, strlen(p->id), false);
    buf_printf(tmp, "/%s/r%d", day, d->q->max_rating);
    if (d->q->tz_minutes)
        buf_printf(tmp, "/tz%d", d->q->tz_minutes);
    snprintf(what, sizeof(what), "%s", tmp->data);
    buf_reset(tmp);
    feed_tag(tmp, d->site, what);
    feed__elem(x, "id", tmp->data);
    buf_reset(tmp);
    if (e->alert)
        buf_puts(tmp, "\xe2\x9a\xa0 Trend alert \xc2\xb7 ");
    buf_printf(tmp, "%s: %zu new complaint%s, average %.1f\xe2\x98\x85 \xe2\x80\x94 %s", name, e->n,
               e->n == 1 ? "" : "s", (double)e->rating_sum / (double)e->n, day);
    entry_head(d, x, p, tmp, e->updated, e->published);
    if (e->alert) {
        feed__start(x, "category");
        feed__attr(x, "term", "trend-alert");
        feed__end(x);
    }

    feed__start_ns(x, "chorus", "digest", NULL);
    feed__attr(x, "product", p->id);
    feed__attr(x, "day", day);
    snprintf(num, sizeof(num), "%zu", e->n);
    feed__attr(x, "complaints", num);
    snprintf(num, sizeof(num), "%.2f", (double)e->rating_sum / (double)e->n);
    feed__attr(x, "average", num);
    if (p->st.count) {
        snprintf(num, sizeof(num), "%.2f", (double)p->st.rating_sum / (double)p->st.count);
        feed__attr(x, "product_average", num);
    }
    snprintf(num, sizeof(num), "%llu", (unsigned long long)p->st.count);
    feed__attr(x, "product_ratings", num);
    if (e->partial)
        feed__attr(x, "partial", "true");
    if (e->alert) {
        feed__start_ns(x, "chorus", "alert", NULL);
        snprintf(num, sizeof(num), "%.2f", e->avg7);
        feed__attr(x, "average_7d", num);
        snprintf(num, sizeof(num), "%.2f", e->avg90);
        feed__attr(x, "average_90d", num);
        snprintf(num, sizeof(num), "%u", e->n7);
        feed__attr(x, "ratings_7d", num);
        feed__end(x);
    }
    for (size_t c = 0; c < TEXT_MAX_COMPONENTS; c++) {
        if (!e->comp_reviews[c])
            continue;
        feed__start_ns(x, "chorus", "component", NULL);
        feed__attr(x, "id", text_taxonomy_id(d->tax, c));
        feed__attr(x, "label", text_taxonomy_label(d->tax, c));
        snprintf(num, sizeof(num), "%u", e->comp_reviews[c]);
        feed__attr(x, "reviews", num);
        for (size_t k = 0; k < e->nphrases; k++) {
            if (e->phrases[k].component != c)
                continue;
            feed__start_ns(x, "chorus", "phrase", NULL);
            snprintf(num, sizeof(num), "%u", e->phrases[k].count);
            feed__attr(x, "count", num);
            feed__text(x, e->phrases[k].phrase);
            feed__end(x);
        }
        feed__end(x);
    }
    for (size_t k = 0; k < e->nterms; k++) {
        feed__start_ns(x, "chorus", "term", NULL);
        snprintf(num, sizeof(num), "%u", e->term_count[k]);
        feed__attr(x, "count", num);
        snprintf(num, sizeof(num), "%u", e->term_docs[k]);
        feed__attr(x, "reviews", num);
        snprintf(num, sizeof(num), "%.2f", e->term_z[k]);
        feed__attr(x, "z", num);
        feed__text(x, e->terms[k]);
        feed__end(x);
    }
    for (size_t k = 0; k < e->nissues; k++) {
        feed__start_ns(x, "chorus", "known-issue", NULL);
        snprintf(num, sizeof(num), "%llu", (unsigned long long)e->issues[k].id);
        feed__attr(x, "id", num);
        feed__attr(x, "status", store_issue_status_name(e->issues[k].status));
        snprintf(num, sizeof(num), "%u", e->issues[k].n);
        feed__attr(x, "complaints", num);
        feed__text(x, e->issues[k].title);
        feed__end(x);
    }
    for (size_t i = e->first; i < e->first + e->n; i++) {
        const struct review *r = d->cs[i].r;
        bool hidden = false;

        /* not_a_defect complaints are counted above, not listed. */
        for (size_t k = 0; r->known_issue && k < e->nissues; k++)
            if (e->issues[k].id == r->known_issue)
                hidden = e->issues[k].status == STORE_ISSUE_NOT_A_DEFECT;
        if (hidden)
            continue;
        feed__start_ns(x, "chorus", "review", NULL);
        snprintf(num, sizeof(num), "%llu", (unsigned long long)r->id);
        feed__attr(x, "id", num);
        snprintf(num, sizeof(num), "%d", r->rating);
        feed__attr(x, "rating", num);
        if (r->known_issue) {
            snprintf(num, sizeof(num), "%llu", (unsigned long long)r->known_issue);
            feed__attr(x, "known_issue", num);
        }
        feed__end(x);
    }
    feed__end(x);

    buf_reset(h);
    entry_html(d, e, h, tmp);
    feed__start(x, "content");
    feed__attr(x, "type", "html");
    feed__text(x, h->data ? h->data : "");
    feed__end(x);
    feed__end(x);
}

/* write_regression writes a "fix did not hold" entry: its own id per issue
 * and fix, updated by the newest complaint after the fix, so a feed reader
 * shows it again as complaints keep coming. */
static void write_regression(struct digest *d, struct feed__xml *x, const struct dregress *g,
                             struct buf *tmp, struct buf *h)
{
    const struct dprod *p = &d->prods[g->prod];
    const char *name = p->name && *p->name ? p->name : p->id;
    char day[16], what[96], num[64];

    day_str(g->is.fixed_at / 86400, day);
    feed__start(x, "entry");
    snprintf(what, sizeof(what), "digest-regression/%llu/%s/r%d", (unsigned long long)g->is.id, day,
             d->q->max_rating);
    buf_reset(tmp);
    feed_tag(tmp, d->site, what);
    feed__elem(x, "id", tmp->data);
    buf_reset(tmp);
    buf_printf(tmp, "\xe2\x9a\xa0 Fix did not hold \xc2\xb7 %s: %s", name, g->is.title);
    if (g->is.fixed_in)
        buf_printf(tmp, " (%s)", g->is.fixed_in);
    entry_head(d, x, p, tmp, g->f.newest, g->f.after_from);
    feed__start(x, "category");
    feed__attr(x, "term", "known-issue-regression");
    feed__end(x);
    feed__start_ns(x, "chorus", "regression", NULL);
    feed__attr(x, "product", p->id);
    snprintf(num, sizeof(num), "%llu", (unsigned long long)g->is.id);
    feed__attr(x, "known_issue", num);
    feed__attr(x, "fixed_at", day);
    snprintf(num, sizeof(num), "%llu", (unsigned long long)g->f.before);
    feed__attr(x, "complaints_before", num);
    snprintf(num, sizeof(num), "%llu", (unsigned long long)g->f.after);
    feed__attr(x, "complaints_after", num);
    snprintf(num, sizeof(num), "%.2f", g->f.rate_before);
    feed__attr(x, "rate_before", num);
    snprintf(num, sizeof(num), "%.2f", g->f.rate_after);
    feed__attr(x, "rate_after", num);
    feed__end(x);

    buf_reset(h);
    buf_puts(h, "<p><strong>&#9888; Fix did not hold:</strong> known issue '");
    feed__html(h, g->is.title);
    buf_puts(h, "' (");
    feed__html(h, g->is.component);
    buf_puts(h, ") was marked fixed");
    if (g->is.fixed_in) {
        buf_puts(h, " in ");
        feed__html(h, g->is.fixed_in);
    }
    buf_printf(h,
               " on %s, but %llu complaints linked to it were written in the %.0f days from "
               "%d days after the fix (%.2f a day) against %llu in the %d days before it "
               "(%.2f a day).</p>",
               day, (unsigned long long)g->f.after,
               (double)(g->f.after_to - g->f.after_from) / 86400, FEED_FIX_GRACE_DAYS,
               g->f.rate_after, (unsigned long long)g->f.before, FEED_FIX_BEFORE_DAYS,
               g->f.rate_before);
    feed__start(x, "content");
    feed__attr(x, "type", "html");
    feed__text(x, h->data ? h->data : "");
    feed__end(x);
    feed__end(x);
}

static void write_head(struct digest *d, struct feed__xml *x, struct buf *tmp, int64_t updated)
{
    const struct feed_digest_query *q = d->q;
    const char *scope = q->product && *q->product     ? q->product
                        : q->category && *q->category ? q->category
                                                      : NULL;
    char what[64 + 3 * CHORUS_MAX_CATEGORY];

    feed__start(x, "feed");
    feed__attr(x, "xmlns", ATOM_NS);
    feed__attr(x, "xmlns:chorus", FEED_NS_CHORUS);
    buf_reset(tmp);
    buf_puts(tmp, q->product && *q->product ? "digest-feed/product/"
                  : scope                   ? "digest-feed/category/"
                                            : "digest-feed/all");
    if (scope)
        chorus_pct(tmp, scope, strlen(scope), false);
    buf_printf(tmp, "/r%d", q->max_rating);
    if (q->tz_minutes)
        buf_printf(tmp, "/tz%d", q->tz_minutes);
    snprintf(what, sizeof(what), "%s", tmp->data);
    buf_reset(tmp);
    feed_tag(tmp, d->site, what);
    feed__elem(x, "id", tmp->data);
    buf_reset(tmp);
    buf_printf(tmp, "Engineer digest \xe2\x80\x94 %s: %d\xe2\x98\x85 and below, last %d days",
               scope ? scope : "all products", q->max_rating, q->days);
    feed__elem(x, "title", tmp->data);
    buf_reset(tmp);
    buf_puts(tmp, "New complaints per product and day, what they are about, and rating trends.");
    if (d->dropped)
        buf_printf(tmp,
                   " Only the newest %d entries are shown (%zu more); narrow it with "
                   "category=, product= or days=.",
                   MAX_ENTRIES, d->dropped);
    else if (d->partial)
        buf_puts(tmp, " Not every complaint was read (too many in the window); narrow it with "
                      "category=, product= or days=.");
    feed__elem(x, "subtitle", tmp->data);
    feed__time(x, "updated", updated);
    feed__start(x, "generator");
    feed__attr(x, "version", "0.1.0");
    feed__text(x, "Chorus");
    feed__end(x);
    buf_reset(tmp);
    feed_digest_url(tmp, d->site->public_url, q);
    feed__start(x, "link");
    feed__attr(x, "rel", "self");
    feed__attr(x, "type", "application/atom+xml");
    feed__attr(x, "href", tmp->data);
    feed__end(x);
}

void feed__digest_write(struct digest *d, struct feed__xml *x, int64_t updated)
{
    struct buf tmp, h;

    buf_init(&tmp, 0);
    buf_init(&h, 0);
    write_head(d, x, &tmp, updated);
    for (size_t i = 0; i < d->nrs; i++)
        write_regression(d, x, &d->rs[i], &tmp, &h);
    for (size_t i = 0; i < d->nes; i++) {
        if (d->es[i].comp_alert)
            write_comp_entry(d, x, &d->es[i], &tmp, &h);
        else
            write_entry(d, x, &d->es[i], &tmp, &h);
    }
    buf_cleanup(&tmp);
    buf_cleanup(&h);
}
