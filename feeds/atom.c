/* Atom feeds (RFC 4287) of approved reviews, paged per RFC 5005.
 *
 * Ids are tag: URIs built from the deployment's authority, the data
 * folder's instance and the review id, so a review keeps its id however the
 * public URL, its text or its product change. Ratings also go out as
 * <chorus:rating> (docs/feeds.md) so a machine need not parse titles.
 */
#include "feed_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"

#define ATOM_NS "http://www.w3.org/2005/Atom"

struct atom {
    struct feed__xml x;
    struct store_txn *txn;
    const struct feed_site *site;
    struct buf tmp;  /* URLs and ids being built */
    struct buf html; /* an entry's content */
    int64_t newest;  /* the newest entry <updated> written */
    int rc;
};

/* ---- links and ids ------------------------------------------------------------------ */

/* page_link writes an absolute feed URL with limit (when not the default)
 * and cursor (when set). */
static int page_link(struct buf *b, const struct feed_site *site, const struct feed_atom_query *q,
                     const char *cursor)
{
    char sep = '?';
    int rc = feed_scope_url(b, site->public_url, q->scope, q->id, true);

    if (rc == 0 && q->limit != FEED_ATOM_DEFAULT_LIMIT) {
        rc = buf_printf(b, "?limit=%zu", q->limit);
        sep = '&';
    }
    if (rc == 0 && cursor && *cursor) {
        rc = buf_printf(b, "%ccursor=", sep);
        if (rc == 0)
            rc = chorus_pct(b, cursor, strlen(cursor), false);
    }
    return rc;
}

static void link(struct atom *a, const char *rel, const char *type, const char *href)
{
    feed__start(&a->x, "link");
    feed__attr(&a->x, "rel", rel);
    feed__attr(&a->x, "type", type);
    feed__attr(&a->x, "href", href);
    feed__end(&a->x);
}

static void page(struct atom *a, const char *rel, const struct feed_atom_query *q, const char *cur)
{
    buf_reset(&a->tmp);
    if (a->rc == 0)
        a->rc = page_link(&a->tmp, a->site, q, cur);
    if (a->rc == 0)
        link(a, rel, "application/atom+xml", a->tmp.data);
}

/* ---- entries ------------------------------------------------------------------------- */

static int64_t entry_updated(const struct review *r)
{
    int64_t t = r->created_at > r->ingested_at ? r->created_at : r->ingested_at;

    for (size_t i = 0; i < r->n_responses; i++)
        if (r->responses[i].created_at > t)
            t = r->responses[i].created_at;
    return t;
}

/* paragraphs writes text as HTML paragraphs, a blank line starting a new
 * one and a single newline becoming <br>. */
static int paragraphs(struct buf *b, const char *text)
{
    int rc = buf_puts(b, "<p>");

    for (const char *p = text; rc == 0 && *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        char *line = NULL;

        if (n) {
            line = malloc(n + 1);
            if (!line)
                abort();
            memcpy(line, p, n);
            line[n] = '\0';
            rc = feed__html(b, line);
            free(line);
        }
        if (rc || !nl)
            break;
        p = nl + 1;
        if (*p == '\n') {
            while (*p == '\n')
                p++;
            rc = buf_puts(b, "</p><p>");
        } else {
            rc = buf_puts(b, "<br>");
        }
    }
    return rc ? rc : buf_puts(b, "</p>");
}

static int content_html(struct buf *b, const struct review *r, const struct product *p)
{
    char ts[32];
    int rc = 0;

    if (r->rating) {
        rc = buf_printf(b, "<p aria-label=\"%d out of 5 stars\">", r->rating);
        if (rc == 0)
            rc = feed__stars(b, r->rating);
        if (rc == 0)
            rc = buf_printf(b, " %d/5</p>", r->rating);
    }
    if (rc == 0 && r->title && *r->title) {
        rc = buf_puts(b, "<p><strong>");
        if (rc == 0)
            rc = feed__html(b, r->title);
        if (rc == 0)
            rc = buf_puts(b, "</strong></p>");
    }
    if (rc == 0 && r->body && *r->body)
        rc = paragraphs(b, r->body);
    if (rc == 0) {
        rc = buf_puts(b, "<p>");
        if (rc == 0)
            rc = feed__html(b, r->author && *r->author ? r->author : "Anonymous");
        if (rc == 0 && r->verified)
            rc = buf_puts(b, " &#8212; <strong>Verified buyer</strong>");
        if (rc == 0) {
            rc = buf_puts(b, " &#8212; ");
            if (rc == 0)
                rc = feed__html(b, p && p->name ? p->name : r->product_id);
        }
        if (rc == 0)
            rc = buf_puts(b, "</p>");
    }
    for (size_t i = 0; rc == 0 && i < r->n_responses; i++) {
        const struct review_response *rs = &r->responses[i];

        rc = buf_puts(b, "<blockquote><p><strong>Response from ");
        if (rc == 0)
            rc = feed__html(b, rs->author && *rs->author ? rs->author : "the brand");
        if (rc == 0 && rs->created_at) {
            chorus_time_format(rs->created_at, ts);
            ts[10] = '\0';
            rc = buf_printf(b, "</strong> (%s)</p>", ts);
        } else if (rc == 0) {
            rc = buf_puts(b, "</strong></p>");
        }
        if (rc == 0)
            rc = paragraphs(b, rs->body ? rs->body : "");
        if (rc == 0)
            rc = buf_puts(b, "</blockquote>");
    }
    return rc;
}

/* categories writes one <category> for the product and one per prefix of
 * its category path, so a reader can filter on any level. */
static void categories(struct feed__xml *x, const struct feed_site *site, const struct review *r,
                       const struct product *p)
{
    char scheme[600];

    snprintf(scheme, sizeof(scheme), "%s/feeds/products/", site->public_url);
    feed__start(x, "category");
    feed__attr(x, "term", r->product_id);
    feed__attr(x, "scheme", scheme);
    feed__attr(x, "label", p && p->name ? p->name : r->product_id);
    feed__end(x);
    if (!p || !p->category || !*p->category)
        return;
    snprintf(scheme, sizeof(scheme), "%s/feeds/categories/", site->public_url);
    for (const char *s = p->category;;) {
        const char *slash = strchr(s, '/');
        size_t n = slash ? (size_t)(slash - p->category) : strlen(p->category);
        char term[CHORUS_MAX_CATEGORY + 1];

        memcpy(term, p->category, n);
        term[n] = '\0';
        feed__start(x, "category");
        feed__attr(x, "term", term);
        feed__attr(x, "scheme", scheme);
        feed__end(x);
        if (!slash)
            break;
        s = slash + 1;
    }
}

/* entry writes one review as an <entry>; tmp and html are scratch. */
static int entry(struct feed__xml *x, const struct feed_site *site, const struct review *r,
                 const struct product *p, struct buf *tmp, struct buf *html)
{
    char what[64];
    int64_t upd = entry_updated(r);
    int rc;

    feed__start(x, "entry");
    buf_reset(tmp);
    snprintf(what, sizeof(what), "review/%llu", (unsigned long long)r->id);
    rc = feed_tag(tmp, site, what);
    if (rc == 0)
        feed__elem(x, "id", tmp->data);
    buf_reset(html);
    if (rc == 0 && r->rating)
        rc = feed__stars(html, r->rating);
    if (rc == 0) {
        if (r->rating)
            rc = buf_putc(html, ' ');
        if (rc == 0)
            rc = buf_puts(html, r->title && *r->title ? r->title
                                : r->rating           ? "Rated without a title"
                                                      : "A mention");
    }
    if (rc == 0) {
        feed__start(x, "title");
        feed__attr(x, "type", "text");
        feed__text(x, html->data);
        feed__end(x);
    }
    feed__time(x, "updated", upd);
    feed__time(x, "published", r->created_at ? r->created_at : r->ingested_at);
    feed__start(x, "author");
    feed__elem(x, "name", r->author && *r->author ? r->author : "Anonymous");
    feed__end(x);
    buf_reset(tmp);
    if (rc == 0)
        rc = feed_review_url(tmp, site, r->product_id, r->id);
    if (rc == 0) {
        feed__start(x, "link");
        feed__attr(x, "rel", "alternate");
        feed__attr(x, "type", "text/html");
        feed__attr(x, "href", tmp->data);
        feed__end(x);
    }
    categories(x, site, r, p);
    if (r->rating) {
        char v[4];

        snprintf(v, sizeof(v), "%d", r->rating);
        feed__start_ns(x, "chorus", "rating", NULL);
        feed__attr(x, "value", v);
        feed__attr(x, "worst", "1");
        feed__attr(x, "best", "5");
        feed__end(x);
    }
    feed__start_ns(x, "chorus", "product", NULL);
    feed__attr(x, "id", r->product_id);
    feed__text(x, p && p->name ? p->name : r->product_id);
    feed__end(x);
    feed__start_ns(x, "chorus", "verified", NULL);
    feed__text(x, r->verified ? "true" : "false");
    feed__end(x);
    for (const char *c = r->components; c && *c;) {
        const char *end = strchr(c, ',');
        size_t n = end ? (size_t)(end - c) : strlen(c);
        char comp[64];

        if (n < sizeof(comp)) {
            memcpy(comp, c, n);
            comp[n] = '\0';
            feed__start_ns(x, "chorus", "component", NULL);
            feed__text(x, comp);
            feed__end(x);
        }
        c += n + (end ? 1 : 0);
    }
    buf_reset(html);
    if (rc == 0)
        rc = content_html(html, r, p);
    if (rc == 0) {
        feed__start(x, "content");
        feed__attr(x, "type", "html");
        feed__text(x, html->data ? html->data : "");
        feed__end(x);
    }
    feed__end(x);
    if (rc && x->rc == 0)
        x->rc = rc;
    return x->rc;
}

/* ---- the feed ------------------------------------------------------------------------ */

struct render {
    struct atom *a;
    const struct feed_atom_query *q;
    const struct product *fp; /* the feed's product (product feeds) */
    const struct review_stats *st;
    const struct store_feed_links *lk;
    int64_t updated;
    bool head_done;
    bool have;        /* a product is cached in p */
    struct product p; /* the last product looked up (borrowed from txn) */
    char pid[CHORUS_MAX_PRODUCT_ID + 1];
};

static void head(struct render *rd)
{
    const struct feed_atom_query *q = rd->q;
    const struct product *p = rd->fp;
    struct atom *a = rd->a;
    char what[64 + 3 * CHORUS_MAX_CATEGORY], avg[64] = "";
    struct buf *t = &a->tmp;

    rd->head_done = true;
    feed__start(&a->x, "feed");
    feed__attr(&a->x, "xmlns", ATOM_NS);
    feed__attr(&a->x, "xmlns:chorus", FEED_NS_CHORUS);
    buf_reset(t);
    a->rc = feed_scope_url(t, "", q->scope, q->id, false);
    /* "feeds/products/X": the path without its leading '/' and ".atom". */
    snprintf(what, sizeof(what), "%s", t->data ? t->data + 1 : "");
    buf_reset(t);
    if (a->rc == 0)
        a->rc = feed_tag(t, a->site, what);
    if (a->rc == 0)
        feed__elem(&a->x, "id", t->data);
    buf_reset(t);
    switch (q->scope) {
    case STORE_SCOPE_PRODUCT:
        buf_printf(t, "Reviews of %s", p && p->name ? p->name : q->id);
        break;
    case STORE_SCOPE_CATEGORY:
        buf_printf(t, "Reviews in %s", q->id);
        break;
    case STORE_SCOPE_ALL:
        buf_puts(t, "All reviews");
        break;
    }
    buf_printf(t, " \xe2\x80\x94 %s", a->site->title ? a->site->title : "Chorus");
    feed__elem(&a->x, "title", t->data);
    if (rd->st && rd->st->count && q->scope != STORE_SCOPE_ALL)
        snprintf(avg, sizeof(avg), "%llu ratings, average %.2f out of 5",
                 (unsigned long long)rd->st->count,
                 (double)rd->st->rating_sum / (double)rd->st->count);
    if (avg[0])
        feed__elem(&a->x, "subtitle", avg);
    feed__time(&a->x, "updated", rd->updated);
    feed__start(&a->x, "generator");
    feed__attr(&a->x, "version", "0.1.0");
    feed__text(&a->x, "Chorus");
    feed__end(&a->x);

    page(a, "self", q, q->cursor);
    buf_reset(t);
    if (q->scope == STORE_SCOPE_PRODUCT && p && p->id) {
        a->rc = a->rc ? a->rc : feed_product_url(t, a->site, p);
        if (a->rc == 0)
            link(a, "alternate", "text/html", t->data);
    } else {
        a->rc = a->rc ? a->rc : buf_printf(t, "%s/api/v1/products", a->site->public_url);
        if (a->rc == 0 && q->scope == STORE_SCOPE_CATEGORY) {
            a->rc = buf_puts(t, "?category=");
            if (a->rc == 0)
                a->rc = chorus_pct(t, q->id, strlen(q->id), false);
        }
        if (a->rc == 0)
            link(a, "alternate", "application/json", t->data);
    }
    page(a, "first", q, NULL);
    if (rd->lk->prev[0])
        page(a, "previous", q, rd->lk->prev);
    if (rd->lk->next[0])
        page(a, "next", q, rd->lk->next);
    /* "last" where cheap (RFC 5005): products and categories count their
     * reviews, so the oldest page is one backward range read. */
    if ((rd->lk->next[0] || rd->lk->prev[0]) && q->scope != STORE_SCOPE_ALL)
        page(a, "last", q, STORE_FEED_LAST);
    if (a->site->hub && *a->site->hub)
        link(a, "hub", NULL, a->site->hub);
}

static int on_review(void *ctx, const struct review *r)
{
    struct render *rd = ctx;
    struct atom *a = rd->a;

    if (!rd->head_done)
        head(rd);
    if (!rd->have || strcmp(rd->pid, r->product_id) != 0) {
        if (store_product_get(a->txn, r->product_id, &rd->p, NULL) != 0)
            memset(&rd->p, 0, sizeof(rd->p));
        snprintf(rd->pid, sizeof(rd->pid), "%s", r->product_id);
        rd->have = true;
    }
    if (a->rc)
        return a->rc;
    return entry(&a->x, a->site, r, rd->p.id ? &rd->p : NULL, &a->tmp, &a->html);
}

int feed_atom_render(struct store_txn *txn, const struct feed_site *site,
                     const struct feed_atom_query *q, struct buf *b, int64_t *updated)
{
    struct atom a = {.txn = txn, .site = site};
    struct store_feed_query sq = {0};
    struct store_feed_links lk;
    struct review_stats st = {0};
    struct product p = {0};
    struct render rd = {.a = &a, .q = q, .st = &st, .lk = &lk};
    int rc;

    buf_init(&a.tmp, 0);
    buf_init(&a.html, 0);
    sq.scope = q->scope;
    sq.id = q->id;
    sq.limit = q->limit;
    sq.cursor = q->cursor;
    rc = store_scope_stats(txn, sq.scope, q->id, &st);
    if (rc == 0 && q->scope == STORE_SCOPE_PRODUCT) {
        rc = store_product_get(txn, q->id, &p, NULL);
        rd.fp = &p;
    }
    if (rc)
        goto out;
    /* The feed changed when its scope's aggregate last did; folders from
     * before changed_at existed fall back to the newest review. */
    rd.updated = st.changed_at ? st.changed_at : st.last_review_at;
    if (rd.updated == 0)
        rd.updated = chorus_now();
    *updated = rd.updated;
    rc = feed__xml_open(&a.x, b->cap ? b->cap - b->len : 0);
    if (rc)
        goto out;
    /* store_feed_query sets the links before its first callback, so the
     * head is written from there, or after it when the page is empty. */
    rc = store_feed_query(txn, &sq, on_review, &rd, &lk);
    if (rc == 0 && !rd.head_done)
        head(&rd);
    feed__xml_end(&a.x);
    if (rc == 0)
        rc = a.rc;
    if (rc == 0)
        rc = feed__xml_take(&a.x, b);
out:
    feed__xml_close(&a.x);
    buf_cleanup(&a.tmp);
    buf_cleanup(&a.html);
    return rc;
}
