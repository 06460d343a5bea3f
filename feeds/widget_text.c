/* The widget's markup helpers, localized numbers and dates, and its own
 * links. See widget_int.h for the escaping rule all of them follow. */
#include "widget_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "chorus/base.h"

/* ---- markup ------------------------------------------------------------------------ */

void feed__w_raw(struct feed__w *w, const char *s)
{
    if (w->rc == 0)
        w->rc = buf_puts(w->b, s);
}

void feed__w_printf(struct feed__w *w, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;

    if (w->rc)
        return;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    w->rc = buf_puts(w->b, tmp);
}

void feed__w_esc(struct feed__w *w, const char *s)
{
    if (w->rc == 0)
        w->rc = feed__html(w->b, s);
}

void feed__w_esc_n(struct feed__w *w, const char *s, size_t n)
{
    if (w->rc)
        return;
    buf_reset(&w->seg);
    w->rc = buf_append(&w->seg, s, n);
    if (w->rc == 0 && w->seg.data)
        w->rc = feed__html(w->b, w->seg.data);
}

void feed__w_text(struct feed__w *w, const char *key)
{
    feed__w_esc(w, feed_text(w->lang, key));
}

/* lookup finds the value of placeholder t[0..n) in kv, or NULL. */
static const char *lookup(const char *const *kv, const char *t, size_t n)
{
    for (size_t i = 0; kv && kv[i]; i += 2)
        if (strlen(kv[i]) == n && strncmp(kv[i], t, n) == 0)
            return kv[i + 1] ? kv[i + 1] : "";
    return NULL;
}

void feed__w_html_fill(struct feed__w *w, const char *tpl, const char *const *kv, bool bdi,
                       const char *markup_key)
{
    const char *p = tpl;

    while (w->rc == 0 && tpl && *p) {
        const char *open = strchr(p, '{'), *close = open ? strchr(open, '}') : NULL;
        const char *v = close ? lookup(kv, open + 1, (size_t)(close - open - 1)) : NULL;

        if (!v) {
            /* No placeholder left, or an unknown one: literal text. */
            size_t n = open ? (size_t)(open - p) + 1 : strlen(p);

            feed__w_esc_n(w, p, n);
            p += n;
            continue;
        }
        feed__w_esc_n(w, p, (size_t)(open - p));
        if (markup_key && strlen(markup_key) == (size_t)(close - open - 1) &&
            strncmp(markup_key, open + 1, (size_t)(close - open - 1)) == 0) {
            feed__w_raw(w, v);
        } else {
            if (bdi)
                feed__w_raw(w, "<bdi>");
            feed__w_esc(w, v);
            if (bdi)
                feed__w_raw(w, "</bdi>");
        }
        p = close + 1;
    }
}

int feed__fill(struct buf *out, const char *tpl, const char *const *kv)
{
    const char *p = tpl;
    int rc = 0;

    while (rc == 0 && tpl && *p) {
        const char *open = strchr(p, '{'), *close = open ? strchr(open, '}') : NULL;
        const char *v = close ? lookup(kv, open + 1, (size_t)(close - open - 1)) : NULL;

        if (!v) {
            size_t n = open ? (size_t)(open - p) + 1 : strlen(p);

            rc = buf_append(out, p, n);
            p += n;
            continue;
        }
        rc = buf_append(out, p, (size_t)(open - p));
        if (rc == 0)
            rc = buf_puts(out, v);
        p = close + 1;
    }
    return rc;
}

/* ---- numbers and dates ----------------------------------------------------------- */

void feed__fmt_count(char *out, size_t cap, const char *lang, uint64_t n)
{
    const char *sep = feed_text(lang, "group_sep");
    char digits[24];
    size_t nd, len = 0, slen = strlen(sep);

    snprintf(digits, sizeof(digits), "%llu", (unsigned long long)n);
    nd = strlen(digits);
    for (size_t i = 0; i < nd && len + slen + 2 < cap; i++) {
        /* Four-digit numbers are grouped too: "1,234", as most readers expect. */
        if (i && (nd - i) % 3 == 0) {
            memcpy(out + len, sep, slen);
            len += slen;
        }
        out[len++] = digits[i];
    }
    out[len] = '\0';
}

void feed__fmt_avg(char *out, size_t cap, const char *lang, double x)
{
    char tmp[32], *dot;

    snprintf(tmp, sizeof(tmp), "%.1f", x);
    dot = strchr(tmp, '.');
    if (dot) {
        *dot = '\0';
        snprintf(out, cap, "%s%s%s", tmp, feed_text(lang, "decimal_sep"), dot + 1);
    } else {
        snprintf(out, cap, "%s", tmp);
    }
}

int feed__review_count(struct buf *out, const char *lang, uint64_t n)
{
    char num[48];
    const char *kv[] = {"n", num, NULL};

    feed__fmt_count(num, sizeof(num), lang, n);
    return feed__fill(out, feed_text(lang, n == 1 ? "review_count_one" : "review_count_many"), kv);
}

int feed__fmt_date(struct buf *out, const char *lang, int64_t t)
{
    const char *months = feed_text(lang, "months");
    time_t tt = (time_t)t;
    struct tm tm;
    char month[64] = "", day[16], year[16];
    const char *kv[] = {"month", month, "day", day, "year", year, NULL};

    if (!gmtime_r(&tt, &tm))
        return buf_puts(out, "");
    /* months is "January,February,...": the tm_mon-th item. */
    for (int i = 0; months && i < tm.tm_mon; i++) {
        months = strchr(months, ',');
        if (months)
            months++;
    }
    if (months) {
        size_t n = strcspn(months, ",");

        if (n < sizeof(month)) {
            memcpy(month, months, n);
            month[n] = '\0';
        }
    }
    snprintf(day, sizeof(day), "%d", tm.tm_mday);
    snprintf(year, sizeof(year), "%d", tm.tm_year + 1900);
    return feed__fill(out, feed_text(lang, "date_long"), kv);
}

/* ---- links ---------------------------------------------------------------------------- */

static const char *const sort_names[] = {"newest", "oldest", "highest", "lowest", "helpful"};

int feed__w_ratings_param(struct buf *out, unsigned ratings)
{
    int rc = 0;
    bool first = true;

    for (int i = 1; i <= 5 && rc == 0; i++) {
        if (ratings & (1u << i)) {
            rc = buf_printf(out, first ? "%d" : ",%d", i);
            first = false;
        }
    }
    if (rc == 0 && (ratings & STORE_RATING_MENTION))
        rc = buf_puts(out, first ? "mention" : ",mention");
    return rc;
}

void feed__w_link(struct feed__w *w, unsigned ratings, enum store_sort sort, const char *cursor)
{
    const struct feed_widget_query *q = w->q;
    struct buf *t = &w->tmp;
    int rc;

    if (w->rc)
        return;
    buf_reset(t);
    rc = buf_puts(t, q->self_path);
    if (rc == 0 && q->limit != FEED__W_DEFAULT_LIMIT)
        rc = buf_printf(t, "%climit=%zu", t->len == strlen(q->self_path) ? '?' : '&', q->limit);
    if (rc == 0 && sort != STORE_SORT_NEWEST && (unsigned)sort < 5)
        rc = buf_printf(t, "%csort=%s", t->len == strlen(q->self_path) ? '?' : '&',
                        sort_names[sort]);
    if (rc == 0 && ratings && ratings != STORE_RATING_ALL) {
        rc = buf_printf(t, "%crating=", t->len == strlen(q->self_path) ? '?' : '&');
        if (rc == 0)
            rc = feed__w_ratings_param(t, ratings);
    }
    if (rc == 0 && q->dark)
        rc = buf_printf(t, "%ctheme=dark", t->len == strlen(q->self_path) ? '?' : '&');
    /* The language always: the page may have been chosen by Accept-Language,
     * and a link must not change it. */
    if (rc == 0)
        rc = buf_printf(t, "%clang=%s", t->len == strlen(q->self_path) ? '?' : '&', w->lang);
    if (rc == 0 && cursor && *cursor) {
        rc = buf_puts(t, "&cursor=");
        if (rc == 0)
            rc = chorus_pct(t, cursor, strlen(cursor), false);
    }
    w->rc = rc;
    if (rc == 0)
        feed__w_esc(w, t->data);
}
