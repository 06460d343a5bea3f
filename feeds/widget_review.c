/* One review in the server-rendered widget: stars, title, body (folded
 * with <details> when long, so no script is needed), author and date,
 * verified badge, brand responses and the no-JS helpful-vote form.
 *
 * User text is written in pieces (paragraphs, the fold) and every piece
 * goes through feed__html; dir="auto" lets a right-to-left review read
 * right to left without affecting the text around it.
 */
#include "widget_int.h"

#include <stdio.h>
#include <string.h>

#include "chorus/base.h"

/* paragraphs writes text as <p class=cls>: a blank line starts a new
 * paragraph, a single newline is a <br>, carriage returns are dropped. */
static void paragraphs(struct feed__w *w, const char *text, size_t n, const char *cls)
{
    size_t i = 0;

    while (i < n && (text[i] == '\n' || text[i] == '\r'))
        i++;
    if (i == n)
        return;
    feed__w_printf(w, "<p class=\"%s\" dir=\"auto\">", cls);
    while (i < n && w->rc == 0) {
        size_t run = 0, nl = 0;

        while (i + run < n && text[i + run] != '\n' && text[i + run] != '\r')
            run++;
        feed__w_esc_n(w, text + i, run);
        i += run;
        while (i < n && (text[i] == '\n' || text[i] == '\r')) {
            nl += text[i] == '\n';
            i++;
        }
        if (i == n)
            break;
        if (nl >= 2)
            feed__w_printf(w, "</p><p class=\"%s\" dir=\"auto\">", cls);
        else if (nl == 1)
            feed__w_raw(w, "<br>");
    }
    feed__w_raw(w, "</p>");
}

/* fold_at picks where a long body is cut: the last space or newline
 * before FEED__W_CUT bytes, or the last character boundary there. */
static size_t fold_at(const char *s)
{
    size_t cut = FEED__W_CUT;

    for (size_t i = cut; i > FEED__W_CUT / 2; i--)
        if (s[i] == ' ' || s[i] == '\n')
            return i;
    while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
        cut--;
    return cut;
}

static void body(struct feed__w *w, const char *text)
{
    size_t n = text ? strlen(text) : 0, cut;

    if (n == 0)
        return;
    feed__w_raw(w, "<div class=\"cw-body\">");
    if (n <= FEED__W_FOLD) {
        paragraphs(w, text, n, "cw-text");
    } else {
        cut = fold_at(text);
        paragraphs(w, text, cut, "cw-text");
        feed__w_raw(w, "<details class=\"cw-fold\"><summary class=\"cw-more\">");
        feed__w_text(w, "read_more");
        feed__w_raw(w, "</summary>");
        paragraphs(w, text + cut, n - cut, "cw-text");
        feed__w_raw(w, "</details>");
    }
    feed__w_raw(w, "</div>");
}

/* time_html appends <time class="cw-date"> for t to out (w->tmp is
 * scratch); nothing for an unknown time. */
static void time_html(struct feed__w *w, struct buf *out, int64_t t)
{
    char ts[32];

    if (t <= 0 || w->rc)
        return;
    chorus_time_format(t, ts);
    buf_reset(&w->tmp);
    w->rc = buf_printf(out, "<time class=\"cw-date\" datetime=\"%s\">", ts);
    if (w->rc == 0)
        w->rc = feed__fmt_date(&w->tmp, w->lang, t);
    if (w->rc == 0)
        w->rc = feed__html(out, w->tmp.data);
    if (w->rc == 0)
        w->rc = buf_puts(out, "</time>");
}

/* responses writes the brand's answers; one without an author is signed
 * with the product's brand (or name), as embed.js does. */
static void responses(struct feed__w *w, const struct review *r)
{
    struct buf when;

    if (r->n_responses == 0 || !r->responses)
        return;
    buf_init(&when, 0);
    feed__w_raw(w, "<div class=\"cw-responses\">");
    for (size_t i = 0; i < r->n_responses; i++) {
        const struct review_response *rs = &r->responses[i];
        const char *by = rs->author && *rs->author   ? rs->author
                         : w->p.brand && *w->p.brand ? w->p.brand
                                                     : w->name;
        const char *kv[] = {"author", by, "date", "", NULL};

        buf_reset(&when);
        time_html(w, &when, rs->created_at);
        kv[3] = when.data ? when.data : "";
        feed__w_raw(w, "<blockquote class=\"cw-response\"><p class=\"cw-response-by\">");
        feed__w_html_fill(w, feed_text(w->lang, "response_from"), kv, true, "date");
        feed__w_raw(w, "</p>");
        if (rs->body)
            paragraphs(w, rs->body, strlen(rs->body), "cw-response-text");
        feed__w_raw(w, "</blockquote>");
    }
    feed__w_raw(w, "</div>");
    buf_cleanup(&when);
}

/* votes writes the helpful-vote form: a plain POST that chorusd answers
 * with 303 back to this page (docs/reviews.md), so it works without
 * JavaScript; embed.js sends the same vote as JSON. */
static void votes(struct feed__w *w, const struct review *r)
{
    const struct feed_widget_query *q = w->q;
    unsigned long long id = (unsigned long long)r->id;

    feed__w_printf(w,
                   "<form class=\"cw-votes\" method=\"post\" "
                   "action=\"/api/v1/reviews/%llu/votes\"><span class=\"cw-helpful-q\">",
                   id);
    feed__w_text(w, "helpful_q");
    feed__w_raw(w, "</span> <input type=\"hidden\" name=\"return\" value=\"");
    feed__w_link(w, q->ratings, q->sort, q->cursor);
    feed__w_printf(w, "#review-%llu\">", id);
    feed__w_raw(w, "<button class=\"cw-vote\" type=\"submit\" name=\"helpful\" value=\"true\" "
                   "data-helpful=\"true\">");
    feed__w_text(w, "yes");
    feed__w_printf(w,
                   " (%u)</button> <button class=\"cw-vote\" type=\"submit\" name=\"helpful\" "
                   "value=\"false\" data-helpful=\"false\">",
                   r->helpful);
    feed__w_text(w, "no");
    feed__w_printf(w, " (%u)</button></form>", r->not_helpful);
}

void feed__w_review(struct feed__w *w, const struct review *r, const char *pair_title)
{
    char n[8];
    const char *kv[] = {"n", n, NULL};

    if (pair_title) {
        feed__w_raw(w, "<div class=\"cw-review\"><h3 class=\"cw-pair-title\">");
        feed__w_esc(w, pair_title);
        feed__w_raw(w, "</h3>");
    } else {
        feed__w_printf(w, "<li class=\"cw-review\" id=\"review-%llu\">", (unsigned long long)r->id);
    }
    feed__w_raw(w, "<div class=\"cw-review-head\">");
    if (r->rating >= 1 && r->rating <= 5) {
        snprintf(n, sizeof(n), "%d", r->rating);
        feed__w_raw(w, "<span class=\"cw-stars\" role=\"img\" aria-label=\"");
        feed__w_html_fill(w, feed_text(w->lang, "rating_label"), kv, false, NULL);
        feed__w_raw(w, "\">");
        if (w->rc == 0)
            w->rc = feed__stars(w->b, r->rating);
        feed__w_raw(w, "</span>");
    } else {
        feed__w_raw(w, "<span class=\"cw-mention\">");
        feed__w_text(w, "mention");
        feed__w_raw(w, "</span>");
    }
    if (r->title && *r->title) {
        feed__w_raw(w, " <h3 class=\"cw-title\" dir=\"auto\">");
        feed__w_esc(w, r->title);
        feed__w_raw(w, "</h3>");
    }
    if (r->verified) {
        feed__w_raw(w, " <span class=\"cw-verified\">");
        feed__w_text(w, "verified");
        feed__w_raw(w, "</span>");
    }
    feed__w_raw(w, "</div>");
    body(w, r->body);
    feed__w_raw(w, "<div class=\"cw-meta\"><span class=\"cw-author\"><bdi>");
    if (r->author && *r->author)
        feed__w_esc(w, r->author);
    else
        feed__w_text(w, "anonymous");
    feed__w_raw(w, "</bdi></span> \xc2\xb7 ");
    time_html(w, w->b, r->created_at > 0 ? r->created_at : r->ingested_at);
    feed__w_raw(w, "</div>");
    if (!pair_title) {
        responses(w, r);
        votes(w, r);
    }
    feed__w_raw(w, pair_title ? "</div>" : "</li>");
}
