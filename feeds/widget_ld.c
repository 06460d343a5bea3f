/* schema.org JSON-LD for the widget: a Product with its AggregateRating
 * and the reviews on the page, following Google's review-snippet rules
 * (https://developers.google.com/search/docs/appearance/structured-data/review-snippet):
 * aggregateRating only when there are ratings, ratingCount the number of
 * ratings it averages, each Review with an author and a reviewRating; no
 * block at all for a product with neither (Google reads an empty Product
 * as an invalid item). At most FEED__W_LD_MAX reviews, bodies cut to
 * FEED__W_LD_BODY bytes: escaping can grow text sixfold, and the snippet
 * needs no more.
 *
 * The block sits inside <script>, where HTML escaping does not apply and
 * "</script>" in a review would end it: every string goes through
 * chorus_json_str, which escapes < > & (and U+2028/9) as \u sequences.
 */
#include "widget_int.h"

#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"

/* jstr appends s as a JSON string; bytes that are not UTF-8 (a store
 * from before validation) become '?' rather than invalid JSON. */
static int jstr(struct buf *b, struct buf *scratch, const char *s)
{
    size_t n = strlen(s);

    if (chorus_utf8_valid(s, n))
        return chorus_json_str(b, s, n);
    buf_reset(scratch);
    if (buf_append(scratch, s, n) != 0)
        return CHORUS_ETOOBIG;
    chorus_utf8_scrub(scratch->data, n);
    return chorus_json_str(b, scratch->data, n);
}

/* prop appends ,"key":"value" when value is set. */
static void prop(struct feed__w *w, struct buf *b, const char *key, const char *value)
{
    if (w->rc || !value || !*value)
        return;
    w->rc = buf_printf(b, ",\"%s\":", key);
    if (w->rc == 0)
        w->rc = jstr(b, &w->seg, value);
}

static bool http_url(const char *s)
{
    return s && (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0);
}

void feed__w_ld_review(struct feed__w *w, const struct review *r)
{
    struct buf *b = &w->ld;
    char day[32];

    if (w->rc || r->rating < 1 || r->rating > 5 || !r->author || !*r->author ||
        w->n_ld == FEED__W_LD_MAX)
        return;
    for (size_t i = 0; i < w->n_ld; i++)
        if (w->ld_ids[i] == r->id)
            return;
    w->ld_ids[w->n_ld++] = r->id;
    w->rc = buf_puts(b, w->n_ld > 1 ? ",{\"@type\":\"Review\"" : "{\"@type\":\"Review\"");
    if (w->rc == 0)
        w->rc = buf_puts(b, ",\"author\":{\"@type\":\"Person\",\"name\":");
    if (w->rc == 0)
        w->rc = jstr(b, &w->seg, r->author);
    if (w->rc == 0)
        w->rc = buf_putc(b, '}');
    if (w->rc == 0 && (r->created_at > 0 || r->ingested_at > 0)) {
        chorus_time_format(r->created_at > 0 ? r->created_at : r->ingested_at, day);
        day[10] = '\0';
        w->rc = buf_printf(b, ",\"datePublished\":\"%s\"", day);
    }
    prop(w, b, "name", r->title);
    if (r->body && strlen(r->body) > FEED__W_LD_BODY) {
        size_t cut = FEED__W_LD_BODY;
        char *s;

        while (cut > 0 && ((unsigned char)r->body[cut] & 0xc0) == 0x80)
            cut--;
        s = malloc(cut + 4);
        if (!s)
            abort();
        memcpy(s, r->body, cut);
        memcpy(s + cut, "\xe2\x80\xa6", 4);
        prop(w, b, "reviewBody", s);
        free(s);
    } else {
        prop(w, b, "reviewBody", r->body);
    }
    if (w->rc == 0)
        w->rc = buf_printf(b,
                           ",\"reviewRating\":{\"@type\":\"Rating\",\"ratingValue\":%d,"
                           "\"bestRating\":5,\"worstRating\":1}}",
                           r->rating);
}

/* gtin_key names a GTIN by its length, as schema.org does. */
static const char *gtin_key(const char *g)
{
    size_t n = g ? strlen(g) : 0;

    if (n == 0 || strspn(g, "0123456789") != n)
        return NULL;
    return n == 8 ? "gtin8" : n == 12 ? "gtin12" : n == 13 ? "gtin13" : n == 14 ? "gtin14" : NULL;
}

void feed__w_ld_write(struct feed__w *w)
{
    struct buf *b = w->b, *url = &w->tmp;
    const struct product *p = &w->p;

    if (w->rc || (!w->st.count && !w->n_ld))
        return;
    w->rc = buf_puts(b, "<script type=\"application/ld+json\">"
                        "{\"@context\":\"https://schema.org\",\"@type\":\"Product\",\"name\":");
    if (w->rc == 0)
        w->rc = jstr(b, &w->seg, w->name);
    prop(w, b, "sku", p->id);
    prop(w, b, gtin_key(p->gtin) ? gtin_key(p->gtin) : "gtin", p->gtin);
    prop(w, b, "mpn", p->mpn);
    if (w->rc == 0 && p->brand && *p->brand) {
        w->rc = buf_puts(b, ",\"brand\":{\"@type\":\"Brand\",\"name\":");
        if (w->rc == 0)
            w->rc = jstr(b, &w->seg, p->brand);
        if (w->rc == 0)
            w->rc = buf_putc(b, '}');
    }
    if (http_url(p->image_url))
        prop(w, b, "image", p->image_url);
    buf_reset(url);
    if (w->rc == 0)
        w->rc = feed_product_url(url, w->site, p);
    if (http_url(url->data))
        prop(w, b, "url", url->data);
    if (w->rc == 0 && w->st.count)
        w->rc = buf_printf(b,
                           ",\"aggregateRating\":{\"@type\":\"AggregateRating\",\"ratingValue\":"
                           "%.2f,\"ratingCount\":%llu,\"bestRating\":5,\"worstRating\":1}",
                           (double)w->st.rating_sum / (double)w->st.count,
                           (unsigned long long)w->st.count);
    if (w->rc == 0 && w->n_ld) {
        w->rc = buf_puts(b, ",\"review\":[");
        if (w->rc == 0)
            w->rc = buf_append(b, w->ld.data, w->ld.len);
        if (w->rc == 0)
            w->rc = buf_putc(b, ']');
    }
    if (w->rc == 0)
        w->rc = buf_puts(b, "}</script>");
}
