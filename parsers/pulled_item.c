/* One item of a pulled feed, assembled the same way whatever the format.
 *
 * RSS, Atom, Google and JSON readers only find values; this file decides
 * what becomes of them: text is cleaned (invalid UTF-8 to U+FFFD, control
 * characters dropped, blanks folded), HTML turned into text, bodies past the
 * cap cut with an ellipsis, titles and authors past theirs rejected, long
 * ids hashed, and the review-level rules (caps, ratings and their scales)
 * are item.c's own setters, so a feed item is valid exactly when a posted
 * review with the same fields would be. docs/sources.md lists the rules.
 */
#include "parse_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"

#define ELLIPSIS "\xe2\x80\xa6" /* U+2026, 3 bytes */

/* 3 bytes out per byte in (an invalid byte becomes U+FFFD), plus room. */
#define TMP_CAP (3u * PARSE__FEED_RAW + 64)

void parse__feed_init(struct parse__feed *f, const struct parse_feed_options *opt, parse_feed_cb cb,
                      void *ctx)
{
    memset(f, 0, sizeof(*f));
    f->opt = opt;
    f->cb = cb;
    f->ctx = ctx;
    buf_init(&f->text, PARSE__FEED_ITEM);
    buf_init(&f->tmp, TMP_CAP);
}

void parse__feed_cleanup(struct parse__feed *f)
{
    buf_cleanup(&f->text);
    buf_cleanup(&f->tmp);
    free(f->html);
    f->html = NULL;
    f->html_alloc = 0;
}

void parse__feed_begin(struct parse__feed *f)
{
    buf_reset(&f->text);
    memset(f->prio, 0, sizeof(f->prio));
    f->n_cats = 0;
    f->time_prio = f->rating_prio = 0;
    f->has_time = f->has_rating = f->has_verified = f->verified = f->anonymous = false;
    f->created_at = 0;
    f->rating = f->scale = 0;
    f->rating_label = NULL;
    f->failed = false;
    f->err[0] = '\0';
    f->in_item = true;
}

void parse__feed_fail(struct parse__feed *f, const char *fmt, ...)
{
    va_list ap;

    if (f->failed)
        return;
    f->failed = true;
    va_start(ap, fmt);
    parse__vfmt(f->err, sizeof(f->err), fmt, ap);
    va_end(ap);
}

/* utf8_back returns the largest length <= n that ends on a character
 * boundary of the valid UTF-8 s. */
static size_t utf8_back(const char *s, size_t n)
{
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

/* keep appends the final value of ff, s[0..n) and then suffix, to the
 * item's text. */
static void keep(struct parse__feed *f, enum parse__ff ff, int prio, const char *label,
                 const char *s, size_t n, const char *suffix)
{
    size_t off = f->text.len, sn = suffix ? strlen(suffix) : 0;

    if (buf_append(&f->text, s, n) != 0 || buf_append(&f->text, suffix, sn) != 0 ||
        buf_putc(&f->text, '\0') != 0) {
        parse__feed_fail(f, "The item holds more than %u bytes of text; Chorus skips it.",
                         PARSE__FEED_ITEM);
        return;
    }
    f->off[ff] = off;
    f->len[ff] = n + sn;
    f->prio[ff] = (unsigned char)prio;
    f->label[ff] = label;
}

/* html converts s[0..n) into f->html (cap bytes, grown as needed). */
static size_t html(struct parse__feed *f, const char *s, size_t n, size_t cap, bool *cut)
{
    if (f->html_alloc < cap) {
        char *p = realloc(f->html, cap);

        if (!p)
            abort();
        f->html = p;
        f->html_alloc = cap;
    }
    return parse__html_text(s, n, f->html, cap, cut);
}

void parse__feed_set(struct parse__feed *f, enum parse__ff ff, int prio, const char *label,
                     const char *s, size_t n, unsigned flags)
{
    struct buf *t = &f->tmp;
    char id[24];
    bool cut = false;

    if (!f->in_item || f->failed || (prio <= f->prio[ff] && prio != PARSE__PRIO_FORCE))
        return;
    if (n > PARSE__FEED_RAW) {
        /* The XML reader caps its captures; a JSON string can be longer. */
        n = PARSE__FEED_RAW;
        flags |= PARSE__F_CUT;
    }
    if ((flags & PARSE__F_CUT) && ff != FF_BODY && ff != FF_LINK && ff != FF_PRODUCT_URL) {
        parse__feed_fail(f, "%s is more than %u bytes; the limit is much lower.", label,
                         PARSE__FEED_RAW);
        return;
    }
    if (flags & PARSE__F_HTML) {
        /* Text from HTML is never more than 3 bytes per byte of input (an
         * invalid byte becomes U+FFFD), so only a body is ever cut here. */
        n = html(f, s, n, ff == FF_BODY ? CHORUS_MAX_BODY + 1 : 3 * n + 1, &cut);
        s = f->html;
    }
    buf_reset(t);
    if (parse__feed_clean(t, s, n, ff == FF_BODY) != 0) {
        parse__feed_fail(f, "%s is too long; Chorus skips the item.", label);
        return;
    }
    s = t->data;
    n = t->len;
    if (n == 0) {
        /* A blank value says no more than a missing one; forced, it
         * clears the field. */
        if (prio == PARSE__PRIO_FORCE)
            f->prio[ff] = 0;
        return;
    }
    switch (ff) {
    case FF_BODY:
        if (n > CHORUS_MAX_BODY || cut || (flags & PARSE__F_CUT)) {
            /* Long bodies are cut rather than refused: the opening of a
             * long post is still a mention worth keeping. */
            if (n > CHORUS_MAX_BODY - 3)
                n = utf8_back(s, CHORUS_MAX_BODY - 3);
            while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\n'))
                n--;
            keep(f, ff, prio, label, s, n, ELLIPSIS);
            return;
        }
        break;
    case FF_SOURCE_ID:
        if (n > CHORUS_MAX_SOURCE_ID) {
            /* A guid may be a long URL; its hash is as stable an id. */
            parse__feed_hash(id, s, n);
            s = id;
            n = strlen(id);
        }
        break;
    case FF_LINK:
    case FF_PRODUCT_URL:
        if (n > CHORUS_MAX_URL || (flags & PARSE__F_CUT))
            return; /* left out: not worth the item */
        break;
    default:
        break;
    }
    keep(f, ff, prio, label, s, n, NULL);
}

const char *parse__feed_get(struct parse__feed *f, enum parse__ff ff, size_t *n)
{
    if (!f->prio[ff])
        return NULL;
    if (n)
        *n = f->len[ff];
    return f->text.data + f->off[ff];
}

void parse__feed_category(struct parse__feed *f, const char *s, size_t n, unsigned flags)
{
    struct buf *t = &f->tmp;
    size_t off;
    const char *c;

    if (!f->in_item || f->failed || f->n_cats >= PARSE__FEED_CATS || (flags & PARSE__F_CUT))
        return;
    buf_reset(t);
    if (parse__feed_clean(t, s, n, false) != 0 || t->len == 0 || t->len > CHORUS_MAX_CATEGORY)
        return;
    for (size_t i = 0; i < f->n_cats; i++) {
        c = f->text.data + f->cat_off[i];
        if (strlen(c) == t->len && memcmp(c, t->data, t->len) == 0)
            return;
    }
    off = f->text.len;
    if (buf_append(&f->text, t->data, t->len) != 0 || buf_putc(&f->text, '\0') != 0) {
        parse__feed_fail(f, "The item holds more than %u bytes of text; Chorus skips it.",
                         PARSE__FEED_ITEM);
        return;
    }
    f->cat_off[f->n_cats++] = off;
}

/* ---- times, ratings, flags ------------------------------------------------------- */

void parse__feed_time_value(struct parse__feed *f, int prio, int64_t t)
{
    if (!f->in_item || prio <= f->time_prio)
        return;
    f->time_prio = (unsigned char)prio;
    f->has_time = true;
    f->created_at = t;
}

void parse__feed_time(struct parse__feed *f, int prio, const char *label, const char *s, size_t n)
{
    char q[PARSE__QUOTE];
    int64_t t;

    if (!f->in_item || f->failed || prio <= f->time_prio)
        return;
    if (parse__date(s, n, &t) != 0) {
        parse__feed_fail(f,
                         "%s must be a date such as \"2023-11-06T08:49:37Z\" or \"Mon, "
                         "06 Nov 2023 08:49:37 GMT\" (got \"%s\").",
                         label, parse__quote(q, s, n));
        return;
    }
    parse__feed_time_value(f, prio, t);
}

void parse__feed_rating(struct parse__feed *f, int prio, const char *label, double v, double scale)
{
    if (!f->in_item || f->failed || prio <= f->rating_prio)
        return;
    /* A 1..5 scale with whole stars is the native scale; 4.5 of 5 keeps
     * its scale so it is rounded like any other scaled rating. */
    if (scale == 5 && v == floor(v))
        scale = 0;
    f->rating_prio = (unsigned char)prio;
    f->has_rating = true;
    f->rating = v;
    f->scale = scale;
    f->rating_label = label;
}

void parse__feed_rating_text(struct parse__feed *f, int prio, const char *label, const char *v,
                             size_t vn, const char *best, size_t bn)
{
    char q[PARSE__QUOTE];
    double x, top = 0;

    if (!f->in_item || f->failed || prio <= f->rating_prio)
        return;
    if (parse__number_text(v, vn, &x) != 0 || !isfinite(x)) {
        parse__feed_fail(f, "%s must be a number (got \"%s\").", label, parse__quote(q, v, vn));
        return;
    }
    if (best && (parse__number_text(best, bn, &top) != 0 || !isfinite(top))) {
        parse__feed_fail(f, "The top of the scale of %s must be a number (got \"%s\").", label,
                         parse__quote(q, best, bn));
        return;
    }
    parse__feed_rating(f, prio, label, x, top);
}

void parse__feed_verified(struct parse__feed *f, bool v)
{
    f->has_verified = true;
    f->verified = v;
}

void parse__feed_anonymous(struct parse__feed *f)
{
    f->anonymous = true;
}

/* ---- delivery -------------------------------------------------------------------- */

static const char *val(struct parse__feed *f, enum parse__ff ff)
{
    return f->prio[ff] ? f->text.data + f->off[ff] : NULL;
}

/* derive_id names an item that has no id of its own by a hash of what it
 * says, so polling the same feed again finds the same item. An item that
 * says nothing cannot be told apart from the next one: it is rejected. */
static void derive_id(struct parse__feed *f)
{
    static const enum parse__ff parts[] = {FF_TITLE, FF_BODY, FF_AUTHOR, FF_LINK};
    struct buf *t = &f->tmp;
    bool any = f->has_time || f->has_rating;
    char id[24];

    buf_reset(t);
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        const char *s = val(f, parts[i]);

        any |= s != NULL;
        /* 0xFF never occurs in UTF-8: "ab"+"c" and "a"+"bc" differ. The
         * texts are capped, so the scratch buffer always has room. */
        if (s)
            buf_append(t, s, f->len[parts[i]]);
        buf_putc(t, (char)0xFF);
    }
    if (!any) {
        parse__feed_fail(f, "The item has no id and nothing to tell it apart by (no title, "
                            "text, author, link, date or rating).");
        return;
    }
    buf_printf(t, "%lld\xff%g\xff%g", f->has_time ? (long long)f->created_at : -1LL,
               f->has_rating ? f->rating : -1.0, f->scale);
    parse__feed_hash(id, t->data, t->len);
    keep(f, FF_SOURCE_ID, 1, "id", id, strlen(id), NULL);
}

static int review_fields(struct parse__feed *f)
{
    static const struct {
        enum parse__ff ff;
        enum parse__rf rf;
    } text[] = {{FF_TITLE, RF_TITLE}, {FF_BODY, RF_BODY}, {FF_AUTHOR, RF_AUTHOR}};
    struct parse__item *it = &f->it;
    const char *pid = val(f, FF_PRODUCT_ID), *s;
    int rc;

    /* The item keeps pointers into f->text, which grows no more now. */
    parse__item_begin(it, NULL, 0);
    for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++) {
        s = val(f, text[i].ff);
        if (!s || (text[i].ff == FF_AUTHOR && f->anonymous))
            continue;
        rc = parse__item_str(it, text[i].rf, f->label[text[i].ff], s, f->len[text[i].ff], 0);
        if (rc)
            return rc;
    }
    s = val(f, FF_SOURCE_ID);
    if (s) {
        rc = parse__item_str(it, RF_SOURCE_ID, f->label[FF_SOURCE_ID], s, f->len[FF_SOURCE_ID], 0);
        if (rc)
            return rc;
    }
    if (f->has_rating) {
        if (f->scale != 0) {
            rc = parse__item_num(it, RF_RATING_SCALE, f->rating_label, f->scale);
            if (rc)
                return rc;
        }
        rc = parse__item_num(it, RF_RATING, f->rating_label, f->rating);
        if (rc)
            return rc;
    }
    if (pid) {
        rc = parse__text(it->err, f->label[FF_PRODUCT_ID], pid, f->len[FF_PRODUCT_ID],
                         CHORUS_MAX_PRODUCT_ID, PARSE__NOCTL | PARSE__NONEMPTY);
        if (rc)
            return rc;
    }
    /* parse__item_finish insists on a product id, which a posted review
     * needs and a feed item may leave to the poller's mapping: stand in a
     * placeholder for the check and take it back afterwards. created_at 0
     * means unknown rather than "now". */
    it->r.product_id = pid ? pid : "-";
    it->has_created = true;
    it->r.created_at = f->has_time ? f->created_at : 0;
    rc = parse__item_finish(it);
    it->r.product_id = pid;
    return rc;
}

/* product_fields fills out.product. The id is checked like product_id;
 * the other details are left out when they fail their rule (a GTIN with a
 * wrong check digit, a url that is not http(s), should not cost the
 * review), and counted in out.dropped for the poller's report. */
static int product_fields(struct parse__feed *f)
{
    static const struct {
        enum parse__ff ff;
        enum parse__pf pf;
    } extra[] = {{FF_PRODUCT_NAME, PF_NAME},
                 {FF_PRODUCT_URL, PF_URL},
                 {FF_GTIN, PF_GTIN},
                 {FF_MPN, PF_MPN},
                 {FF_BRAND, PF_BRAND}};
    struct product *p = &f->out.product;
    const char *id = val(f, FF_PRODUCT_ID), *s;
    enum parse__ff idf = FF_PRODUCT_ID;
    char scratch[PARSE__ERR_MAX];
    int rc;

    memset(p, 0, sizeof(*p));
    f->out.dropped = 0;
    if (!id) {
        id = val(f, FF_SKU);
        idf = FF_SKU;
    }
    if (id) {
        rc = parse__text(f->it.err, f->label[idf], id, f->len[idf], CHORUS_MAX_PRODUCT_ID,
                         PARSE__NOCTL | PARSE__NONEMPTY);
        if (rc)
            return rc;
        p->id = id;
    }
    for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
        s = val(f, extra[i].ff);
        if (s && parse__product_set(p, f->it.category, extra[i].pf, "product", s,
                                    f->len[extra[i].ff], 0, scratch) != 0)
            f->out.dropped++;
    }
    s = val(f, FF_ASIN);
    f->out.asin =
        s && parse__text(scratch, "asin", s, f->len[FF_ASIN], CHORUS_MAX_CODE, PARSE__NOCTL) == 0
            ? s
            : NULL;
    return 0;
}

int parse__feed_end(struct parse__feed *f)
{
    const char *error = NULL;
    size_t index = f->index;
    int rc;

    f->in_item = false;
    /* Before any pointer into the item's text is taken: it may grow. */
    if (!f->failed && !val(f, FF_SOURCE_ID))
        derive_id(f);
    if (!f->failed && (review_fields(f) != 0 || product_fields(f) != 0))
        parse__feed_fail(f, "%s", f->it.err);
    if (f->failed) {
        error = f->err;
    } else {
        f->out.r = f->it.r;
        f->out.r.verified = f->has_verified && f->verified;
        f->out.link = val(f, FF_LINK);
        for (size_t i = 0; i < f->n_cats; i++)
            f->cats[i] = f->text.data + f->cat_off[i];
        f->out.categories = f->n_cats ? f->cats : NULL;
        f->out.n_categories = f->n_cats;
    }
    f->index++;
    rc = f->cb(f->ctx, index, error ? NULL : &f->out, error);
    if (rc == 0 && f->opt && f->opt->max_items && f->index >= f->opt->max_items) {
        f->full = true;
        rc = 1;
    }
    return rc;
}
