/* The engineer digest: one Atom entry per product per (reader's) day with
 * new complaints, saying how many, how bad, what they are about, which
 * words stand out, and whether the product's rating is sliding.
 *
 * Cost follows the complaints, not the catalogue: each product's daily
 * buckets (one index range) decide whether it has complaints in the window
 * at all and give the trend; only those products then read the by_prod
 * ranges of the complaint ratings inside the window. Reading stops at
 * MAX_COMPLAINTS, only the newest MAX_ENTRIES entries are kept, and only
 * kept entries are analysed (components, and terms against the product's
 * recent positive reviews), so one request's work is bounded whatever the
 * catalogue or the query. The rules are in docs/digest.md.
 */
#include "digest_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    *cap = *cap ? *cap * 2 : 64;
    if (*cap < need)
        *cap = need;
    p = realloc(p, *cap * size);
    if (!p)
        abort();
    return p;
}

/* ---- gathering ---------------------------------------------------------------------- */

struct gather {
    struct digest *d;
    size_t prod;
    size_t got;
};

static int on_complaint(void *ctx, const struct review *r)
{
    struct gather *g = ctx;
    struct digest *d = g->d;
    struct review *copy;

    if (d->ncs >= MAX_COMPLAINTS) {
        d->partial = true;
        d->prods[g->prod].partial = true;
        return CHORUS_ESTOP;
    }
    if (g->got++ >= MAX_PER_PRODUCT) {
        d->prods[g->prod].partial = true;
        return CHORUS_ESTOP;
    }
    /* The struct is the iterator's; its strings live as long as the txn. */
    copy = malloc(sizeof(*copy));
    if (!copy)
        abort();
    *copy = *r;
    d->cs = grow(d->cs, &d->ccs, d->ncs + 1, sizeof(*d->cs));
    d->cs[d->ncs].r = copy;
    d->cs[d->ncs].day = feed__floor_div(r->created_at + d->tz, 86400);
    d->ncs++;
    return 0;
}

/* Within a day, complaints of no known issue come first (they are the
 * news), then those of each issue together. */
static int by_day_then_newest(const void *a, const void *b)
{
    const struct complaint *x = a, *y = b;

    if (x->day != y->day)
        return x->day > y->day ? -1 : 1;
    if (x->r->known_issue != y->r->known_issue)
        return x->r->known_issue < y->r->known_issue ? -1 : 1;
    if (x->r->created_at != y->r->created_at)
        return x->r->created_at > y->r->created_at ? -1 : 1;
    return x->r->id > y->r->id ? -1 : x->r->id < y->r->id;
}

struct bg_ctx {
    struct text_terms *bag;
    size_t n;
};

static int on_positive(void *ctx, const struct review *r)
{
    struct bg_ctx *b = ctx;

    text_terms_add(b->bag, r->title, r->body);
    return ++b->n >= BACKGROUND ? CHORUS_ESTOP : 0;
}

/* background builds the bag of a product's recent 4 and 5 star reviews. */
static struct text_terms *background(struct digest *d, const char *id)
{
    struct bg_ctx b = {text_terms_new(), 0};
    struct store_query q = {0};
    char next[STORE_CURSOR_MAX] = "";
    int rc;

    q.product_id = id;
    q.sort = STORE_SORT_NEWEST;
    q.ratings = (1u << 4) | (1u << 5);
    q.limit = 100;
    do {
        q.cursor = next[0] ? next : NULL;
        rc = store_reviews_query(d->txn, &q, on_positive, &b, next);
    } while (rc == 0 && next[0] && b.n < BACKGROUND);
    return b.bag;
}

/* counted_only says whether complaint r of entry e is linked to an issue
 * marked not_a_defect: counted, never listed nor analysed. */
static bool counted_only(const struct dentry *e, const struct review *r)
{
    for (size_t k = 0; r->known_issue && k < e->nissues; k++)
        if (e->issues[k].id == r->known_issue)
            return e->issues[k].status == STORE_ISSUE_NOT_A_DEFECT;
    return false;
}

/* add_issue counts complaint r (linked) in e's issue groups. */
static void add_issue(struct digest *d, struct dentry *e, const struct review *r)
{
    struct store_issue is;
    struct dissue *g;

    for (size_t k = 0; k < e->nissues; k++)
        if (e->issues[k].id == r->known_issue) {
            e->issues[k].n++;
            return;
        }
    if (e->nissues == MAX_ISSUES || store_issue_get(d->txn, r->known_issue, &is) != 0) {
        e->other_issues++;
        return;
    }
    g = &e->issues[e->nissues++];
    g->id = is.id;
    g->n = 1;
    g->title = is.title;
    g->status = is.status;
}

/* versions puts the versions named by at least min_docs of e's complaints
 * into e's terms, most named first (at most MAX_TERMS / 2, so words still
 * have room), and returns how many. */
static size_t versions(struct digest *d, struct dentry *e, uint32_t min_docs)
{
    char seen[MAX_TERMS * 4][TEXT_VERSION_MAX];
    uint32_t docs[MAX_TERMS * 4];
    size_t ns = 0, out = 0;

    for (size_t i = e->first; i < e->first + e->n; i++) {
        for (const char *v = d->cs[i].r->versions; v && *v;) {
            const char *end = strchr(v, ',');
            size_t n = end ? (size_t)(end - v) : strlen(v), k;

            for (k = 0; k < ns; k++)
                if (strlen(seen[k]) == n && memcmp(seen[k], v, n) == 0)
                    break;
            if (k == ns && ns < sizeof(docs) / sizeof(docs[0]) && n < TEXT_VERSION_MAX) {
                memcpy(seen[ns], v, n);
                seen[ns][n] = '\0';
                docs[ns++] = 0;
            }
            if (k < ns)
                docs[k]++;
            v += n + (end ? 1 : 0);
        }
    }
    while (out < MAX_TERMS / 2) {
        size_t best = ns;

        for (size_t k = 0; k < ns; k++)
            if (docs[k] >= min_docs && (best == ns || docs[k] > docs[best]))
                best = k;
        if (best == ns)
            break;
        snprintf(e->terms[out], sizeof(e->terms[out]), "%s", seen[best]);
        e->term_count[out] = e->term_docs[out] = docs[best];
        e->term_z[out] = 0;
        docs[best] = 0; /* taken */
        out++;
    }
    return out;
}

static void analyse(struct digest *d, struct dentry *e, const struct text_terms *bg)
{
    struct text_terms *fg = text_terms_new();
    struct text_term top[TERM_CANDIDATES];
    struct text_match m[64];
    size_t nt = 0, kept;

    for (size_t i = e->first; i < e->first + e->n; i++) {
        const struct review *r = d->cs[i].r;
        bool seen[TEXT_MAX_COMPONENTS] = {false};
        size_t nm = 0;

        if (counted_only(e, r))
            continue;
        text_terms_add(fg, r->title, r->body);
        if (!d->tax)
            continue;
        text_components(d->tax, r->title, r->body, m, sizeof(m) / sizeof(m[0]), &nm);
        for (size_t k = 0; k < nm; k++) {
            size_t j;

            if (m[k].component < TEXT_MAX_COMPONENTS && !seen[m[k].component]) {
                seen[m[k].component] = true;
                e->comp_reviews[m[k].component]++;
            }
            for (j = 0; j < e->nphrases; j++)
                if (e->phrases[j].phrase == m[k].phrase)
                    break;
            if (j == e->nphrases && j < MAX_PHRASES) {
                e->phrases[j].component = m[k].component;
                e->phrases[j].phrase = m[k].phrase;
                e->phrases[j].count = 0;
                e->nphrases++;
            }
            if (j < e->nphrases)
                e->phrases[j].count += m[k].count;
        }
    }
    /* One complaint makes every word "distinctive" once; with more, ask
     * for words that recur across complaints. */
    /* Without positive reviews every z is 0 (docs/digest.md): rank by
     * count then. */
    text_terms_distinctive(fg, bg, text_terms_docs(bg) ? 1.0 : 0.0, e->n >= 3 ? 2 : 1, top,
                           TERM_CANDIDATES, &nt);
    /* Versions first: "BIOS 1.14" said by the complaints is what an
     * engineer checks against the releases. Then the words an engineer can
     * act on, dropping the vocabulary of complaining itself
     * (text_term_actionable). */
    kept = versions(d, e, e->n >= 3 ? 2 : 1);
    for (size_t i = 0; i < nt && kept < MAX_TERMS; i++) {
        if (!text_term_actionable(d->tax, top[i].term))
            continue;
        snprintf(e->terms[kept], sizeof(e->terms[kept]), "%s", top[i].term);
        e->term_count[kept] = top[i].count;
        e->term_docs[kept] = top[i].docs;
        e->term_z[kept] = top[i].z;
        kept++;
    }
    e->nterms = kept;
    text_terms_free(fg);
}

/* product_entries reads one product's complaints in the window and turns
 * them into entries (analysed), when its buckets show any. */
static int product_entries(struct digest *d, size_t pi)
{
    struct store_day *days = calloc(DAYS_CAP, sizeof(*days));
    struct feed__episode eps[16];
    struct gather g = {d, pi, 0};
    int64_t utc_today = feed__floor_div(d->now, 86400);
    int64_t first_utc = feed__floor_div(d->from, 86400),
            last_utc = feed__floor_div(d->to - 1, 86400);
    int64_t eval_from = first_utc - FEED_TREND_WARMUP;
    size_t nd = 0, neps, start = d->ncs, ei0 = d->nes;
    uint64_t complaints = 0;
    int rc;

    if (!days)
        abort();
    if (last_utc > utc_today)
        last_utc = utc_today;
    rc = store_product_days(d->txn, d->prods[pi].id, eval_from - FEED_TREND_LONG + 1,
                            last_utc > utc_today ? last_utc : utc_today, days, DAYS_CAP, &nd);
    for (size_t i = 0; rc == 0 && i < nd; i++)
        if (days[i].day >= first_utc && days[i].day <= feed__floor_div(d->to - 1, 86400))
            for (int r = 1; r <= d->q->max_rating; r++)
                complaints += days[i].histogram[r - 1];
    if (rc || complaints == 0)
        goto out;
    rc =
        store_reviews_window(d->txn, d->prods[pi].id, d->ratings, d->from, d->to, on_complaint, &g);
    if (rc || d->ncs == start)
        goto out;
    qsort(d->cs + start, d->ncs - start, sizeof(*d->cs), by_day_then_newest);
    for (size_t i = start; i < d->ncs; i++) {
        struct dentry *e;
        const struct review *r = d->cs[i].r;

        if (i == start || d->cs[i].day != d->cs[i - 1].day) {
            d->es = grow(d->es, &d->ces, d->nes + 1, sizeof(*d->es));
            e = &d->es[d->nes++];
            memset(e, 0, sizeof(*e));
            e->prod = pi;
            e->day = d->cs[i].day;
            e->first = i;
            e->published = INT64_MAX;
        }
        e = &d->es[d->nes - 1];
        e->n++;
        if (r->known_issue)
            add_issue(d, e, r);
        else
            e->n_unknown++;
        e->rating_sum += (uint32_t)r->rating;
        if (r->ingested_at > e->updated)
            e->updated = r->ingested_at;
        if (r->ingested_at < e->published)
            e->published = r->ingested_at;
    }
    /* The alert fires once per episode: on the entry of the first complaint
     * written on or after the day the episode started. When that complaint
     * is older than the window, the alert was due before it: none now. */
    neps = feed__trend(days, nd, eval_from, utc_today, eps, sizeof(eps) / sizeof(eps[0]));
    for (size_t k = 0; k < neps; k++) {
        int64_t day = -1;
        const struct complaint *first = NULL;

        for (size_t i = 0; i < nd && day < 0; i++) {
            uint32_t n = 0;

            for (int r = 1; r <= d->q->max_rating; r++)
                n += days[i].histogram[r - 1];
            if (n && days[i].day >= eps[k].start && days[i].day < eps[k].end)
                day = days[i].day;
        }
        if (day < first_utc)
            continue;
        for (size_t i = start; i < d->ncs; i++) {
            const struct complaint *c = &d->cs[i];

            if (feed__floor_div(c->r->created_at, 86400) == day &&
                (!first || c->r->created_at < first->r->created_at))
                first = c;
        }
        for (size_t i = ei0; first && i < d->nes; i++) {
            struct dentry *e = &d->es[i];

            if (e->day != first->day)
                continue;
            e->alert = true;
            e->avg7 = eps[k].avg7;
            e->avg90 = eps[k].avg90;
            e->n7 = eps[k].n7;
        }
    }
    rc = feed__digest_comp_entries(d, pi);
out:
    free(days);
    return rc;
}

static int on_product(void *ctx, const struct product *p, const struct review_stats *st)
{
    struct digest *d = ctx;

    /* As on the public pages: unlisted products (store_product_listed) have
     * no approved review to report and a name no one vouched for. */
    if (!store_product_listed(p, st))
        return 0;
    d->prods = grow(d->prods, &d->cprods, d->nprods + 1, sizeof(*d->prods));
    memset(&d->prods[d->nprods], 0, sizeof(d->prods[d->nprods]));
    d->prods[d->nprods].id = p->id;
    d->prods[d->nprods].name = p->name;
    d->prods[d->nprods].st = *st;
    d->nprods++;
    return 0;
}

static int by_product(const void *a, const void *b)
{
    const struct dentry *x = *(const struct dentry *const *)a,
                        *y = *(const struct dentry *const *)b;

    return x->prod < y->prod ? -1 : x->prod > y->prod;
}

/* analyse_kept analyses the entries that will be written, product by
 * product, so each product's background is built once. */
static void analyse_kept(struct digest *d)
{
    struct dentry **by = malloc((d->nes ? d->nes : 1) * sizeof(*by));
    struct text_terms *bg = NULL;

    if (!by)
        abort();
    for (size_t i = 0; i < d->nes; i++)
        by[i] = &d->es[i];
    qsort(by, d->nes, sizeof(*by), by_product);
    for (size_t i = 0; i < d->nes; i++) {
        if (i == 0 || by[i]->prod != by[i - 1]->prod) {
            text_terms_free(bg);
            bg = background(d, d->prods[by[i]->prod].id);
        }
        /* A component alert says what it is about in its title. */
        if (!by[i]->comp_alert)
            analyse(d, by[i], bg);
    }
    text_terms_free(bg);
    free(by);
}

/* ---- fixes that did not hold --------------------------------------------------------- */

struct pid {
    const char *id;
    size_t i;
};

struct reg_ctx {
    struct digest *d;
    struct pid *by_id; /* the digest's products sorted by id */
    size_t n;          /* issues looked at */
};

static int by_pid(const void *a, const void *b)
{
    return strcmp(((const struct pid *)a)->id, ((const struct pid *)b)->id);
}

static int prod_index(struct reg_ctx *c, const char *id)
{
    size_t lo = 0, hi = c->d->nprods;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(c->by_id[mid].id, id);

        if (cmp == 0)
            return (int)c->by_id[mid].i;
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static int on_fixed(void *ctx, const struct store_issue *is)
{
    struct reg_ctx *c = ctx;
    struct digest *d = c->d;
    struct feed_fix f;
    int pi = prod_index(c, is->product_id);
    int rc;

    c->n++;
    if (pi < 0 || d->nrs >= MAX_REGRESSIONS)
        return 0;
    rc = feed_fix_check(d->txn, is, d->now, &f);
    /* Only while complaints keep coming: one written in the window. */
    if (rc || !f.failed || f.newest < d->from)
        return rc;
    d->rs = grow(d->rs, &d->crs, d->nrs + 1, sizeof(*d->rs));
    d->rs[d->nrs].prod = (size_t)pi;
    d->rs[d->nrs].is = *is;
    d->rs[d->nrs].f = f;
    d->nrs++;
    return 0;
}

/* regressions finds the fixed issues of the digest's products whose fix
 * did not hold. The walk is over fixed issues, at most STORE_ISSUES_MAX,
 * each costing two index ranges bounded by FEED_FIX_COUNT_CAP. */
static int regressions(struct digest *d)
{
    struct reg_ctx c = {d, NULL, 0};
    uint64_t after = 0, last = 0;
    int rc = 0;

    if (!d->nprods)
        return 0;
    c.by_id = malloc(d->nprods * sizeof(*c.by_id));
    if (!c.by_id)
        abort();
    for (size_t i = 0; i < d->nprods; i++) {
        c.by_id[i].id = d->prods[i].id;
        c.by_id[i].i = i;
    }
    qsort(c.by_id, d->nprods, sizeof(*c.by_id), by_pid);
    do {
        c.n = 0;
        rc = store_issues_list(d->txn, d->q->product && *d->q->product ? d->q->product : NULL,
                               1u << STORE_ISSUE_FIXED, after, 100, on_fixed, &c, &last);
        after = last;
    } while (rc == 0 && c.n == 100 && last);
    free(c.by_id);
    return rc;
}

static int by_entry(const void *a, const void *b)
{
    const struct dentry *x = a, *y = b;

    if (x->day != y->day)
        return x->day > y->day ? -1 : 1;
    if ((x->alert || x->comp_alert) != (y->alert || y->comp_alert))
        return x->alert || x->comp_alert ? -1 : 1;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1;
    return x->prod < y->prod ? -1 : x->prod > y->prod;
}

int feed_digest_render(struct store_txn *txn, const struct feed_site *site,
                       const struct text_taxonomy *tax, const struct feed_digest_query *q,
                       int64_t now, struct buf *b, int64_t *updated)
{
    struct digest d;
    struct feed__xml x;
    int64_t upd = 0;
    int rc;

    memset(&d, 0, sizeof(d));
    memset(&x, 0, sizeof(x));
    d.txn = txn;
    d.site = site;
    d.tax = tax;
    d.q = q;
    d.now = now;
    d.tz = q->tz_minutes * 60;
    d.today = feed__floor_div(now + d.tz, 86400);
    d.from = (d.today - q->days + 1) * 86400 - d.tz;
    d.to = (d.today + 1) * 86400 - d.tz;
    for (int r = 1; r <= q->max_rating; r++)
        d.ratings |= 1u << r;

    if (q->product && *q->product) {
        struct product p;
        struct review_stats st;

        rc = store_product_get(txn, q->product, &p, &st);
        if (rc == 0 && q->category && *q->category && p.category &&
            strcmp(p.category, q->category) != 0 &&
            !(strncmp(p.category, q->category, strlen(q->category)) == 0 &&
              p.category[strlen(q->category)] == '/'))
            rc = CHORUS_ENOTFOUND;
        if (rc == 0)
            rc = on_product(&d, &p, &st);
    } else {
        rc = store_category_products(txn, q->category, on_product, &d);
    }
    for (size_t i = 0; rc == 0 && i < d.nprods; i++)
        rc = product_entries(&d, i);
    if (rc == 0)
        rc = regressions(&d);
    if (rc)
        goto out;
    if (d.nes)
        qsort(d.es, d.nes, sizeof(*d.es), by_entry);
    if (d.nes > MAX_ENTRIES) {
        d.dropped = d.nes - MAX_ENTRIES;
        d.nes = MAX_ENTRIES;
    }
    analyse_kept(&d);
    for (size_t i = 0; i < d.nes; i++) {
        d.es[i].partial = d.prods[d.es[i].prod].partial;
        if (d.es[i].updated > upd)
            upd = d.es[i].updated;
    }
    for (size_t i = 0; i < d.nrs; i++)
        if (d.rs[i].f.newest > upd)
            upd = d.rs[i].f.newest;
    *updated = upd ? upd : now;
    rc = feed__xml_open(&x, b->cap ? b->cap - b->len : 0);
    if (rc)
        goto out;
    feed__digest_write(&d, &x, *updated);
    feed__xml_end(&x);
    rc = feed__xml_take(&x, b);
out:
    feed__xml_close(&x);
    for (size_t i = 0; i < d.ncs; i++)
        free((void *)d.cs[i].r);
    free(d.cs);
    free(d.es);
    free(d.rs);
    free(d.prods);
    return rc;
}
