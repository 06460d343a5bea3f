/* Atom 1.0 (RFC 4287) into feed items, Chorus's own feeds included.
 *
 *   id                           source_id
 *   title, content > summary     title, body; type text, html or xhtml
 *   author/name                  author
 *   published > updated          created_at
 *   link rel="alternate"         link (a link without rel is alternate)
 *   category/@term               categories
 *   chorus:rating/@value, @best  rating (https://chorus.dev/ns/feed/1)
 *   chorus:product/@id, text     product_id, product name
 *   chorus:verified              verified
 *
 * Round trip. An entry Chorus wrote (it has chorus:product) carries its
 * review twice: as fields and as the HTML of <content>, which adds the
 * stars, the title, an author line and brand responses around the body
 * (feeds/atom.c). Reading such an entry back strips exactly those
 * decorations, so the review that comes out is the review that went in:
 * the stars in front of the title, the "Rated without a title" and "A
 * mention" stand-ins, "Anonymous", and the content paragraphs that are not
 * the body. Anything else is taken as written.
 */
#include "parse_int.h"

#include <stdio.h>
#include <string.h>

#define STAR_BYTES 3 /* U+2605 and U+2606 in UTF-8 */

struct atom {
    struct parse__feed *f;
    int entry; /* depth of the open <entry>, -1 outside */
    int skip;  /* depth of an <atom:source> being skipped, -1 none */
    bool html; /* the captured text construct is HTML (or XHTML) */
    bool ours; /* the entry has chorus:product: Chorus wrote it */
};

static bool is(const struct parse__xml_node *n, enum parse__ns ns, const char *name)
{
    return n->ns == ns && strcmp(n->name, name) == 0;
}

static int root(void *ctx, const struct parse__xml_node *n, char *msg)
{
    char q[PARSE__QUOTE];

    (void)ctx;
    if (is(n, NS_ATOM, "feed") || is(n, NS_ATOM, "entry"))
        return 0;
    if (is(n, NS_NONE, "rss") || strcmp(n->name, "RDF") == 0)
        return parse__fail(msg, "The document is an RSS feed, not Atom; choose the kind rss.");
    if (is(n, NS_NONE, "feed"))
        return parse__fail(msg, "The document's <feed> is not in the Atom namespace "
                                "(http://www.w3.org/2005/Atom): if it is a Google Product "
                                "Reviews feed, choose the kind google-reviews.");
    return parse__fail(msg, "The document's root element is <%s>, not an Atom <feed>.",
                       parse__quote(q, n->name, strlen(n->name)));
}

/* text_construct captures an Atom text construct, noting its type: "text"
 * (the default), "html" or "xhtml", or for content a media type, where any
 * HTML type is HTML and XHTML arrives inline as markup. */
static void text_construct(struct atom *a, struct parse__xml *x)
{
    const char *type = parse__xml_attr(x, "type");
    bool markup = type && (strcmp(type, "xhtml") == 0 || strstr(type, "xhtml+xml"));

    a->html = type && strstr(type, "html");
    parse__xml_capture(x, markup ? PARSE__CAP_MARKUP : PARSE__CAP_TEXT);
}

static void entry_child(struct atom *a, struct parse__xml *x, const struct parse__xml_node *n)
{
    struct parse__feed *f = a->f;
    const char *v, *best;

    if (n->ns == NS_ATOM) {
        if (strcmp(n->name, "title") == 0 || strcmp(n->name, "summary") == 0) {
            text_construct(a, x);
        } else if (strcmp(n->name, "content") == 0) {
            /* Content elsewhere (src) says nothing here. */
            if (!parse__xml_attr(x, "src"))
                text_construct(a, x);
        } else if (strcmp(n->name, "id") == 0 || strcmp(n->name, "published") == 0 ||
                   strcmp(n->name, "updated") == 0) {
            parse__xml_capture(x, PARSE__CAP_TEXT);
        } else if (strcmp(n->name, "link") == 0) {
            v = parse__xml_attr(x, "rel");
            if (!v || strcmp(v, "alternate") == 0) {
                v = parse__xml_attr(x, "href");
                if (v)
                    parse__feed_set(f, FF_LINK, 1, "link", v, strlen(v), 0);
            }
        } else if (strcmp(n->name, "category") == 0) {
            v = parse__xml_attr(x, "term");
            if (v)
                parse__feed_category(f, v, strlen(v), 0);
        } else if (strcmp(n->name, "source") == 0) {
            a->skip = n->depth; /* the feed an aggregated entry came from */
        }
        return;
    }
    if (n->ns != NS_CHORUS)
        return;
    if (strcmp(n->name, "rating") == 0) {
        v = parse__xml_attr(x, "value");
        best = parse__xml_attr(x, "best");
        if (v)
            parse__feed_rating_text(f, 1, "chorus:rating", v, strlen(v), best,
                                    best ? strlen(best) : 0);
    } else if (strcmp(n->name, "product") == 0) {
        v = parse__xml_attr(x, "id");
        a->ours = true;
        if (v)
            parse__feed_set(f, FF_PRODUCT_ID, 1, "chorus:product id", v, strlen(v), 0);
        parse__xml_capture(x, PARSE__CAP_TEXT);
    } else if (strcmp(n->name, "verified") == 0) {
        parse__xml_capture(x, PARSE__CAP_TEXT);
    }
}

static int start(void *ctx, struct parse__xml *x, const struct parse__xml_node *n)
{
    struct atom *a = ctx;

    if (a->entry < 0) {
        if (is(n, NS_ATOM, "entry")) {
            parse__feed_begin(a->f);
            a->entry = n->depth;
            a->ours = false;
        }
        return 0;
    }
    if (a->skip >= 0)
        return 0;
    if (n->depth == a->entry + 1)
        entry_child(a, x, n);
    else if (n->depth == a->entry + 2 && is(n, NS_ATOM, "name") && n->parent_ns == NS_ATOM &&
             strcmp(n->parent, "author") == 0)
        parse__xml_capture(x, PARSE__CAP_TEXT);
    return 0;
}

/* ---- reading Chorus's own entries back ------------------------------------------------ */

/* stars says how many bytes of five leading stars s has (0 when it has not). */
static size_t stars(const char *s, size_t n)
{
    for (size_t i = 0; i < 5; i++) {
        if (n < (i + 1) * STAR_BYTES || (memcmp(s + i * STAR_BYTES, "\xe2\x98\x85", 3) != 0 &&
                                         memcmp(s + i * STAR_BYTES, "\xe2\x98\x86", 3) != 0))
            return 0;
    }
    return 5 * STAR_BYTES;
}

/* para returns the length of the paragraph at s (up to a blank line). */
static size_t para(const char *s, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++)
        if (s[i] == '\n' && s[i + 1] == '\n')
            return i;
    return n;
}

static bool same(const char *s, size_t n, const char *w)
{
    return w && strlen(w) == n && memcmp(s, w, n) == 0;
}

static void unwrap(struct atom *a)
{
    struct parse__feed *f = a->f;
    char line[CHORUS_MAX_AUTHOR + CHORUS_MAX_NAME + 64], title[CHORUS_MAX_TITLE + 1] = "";
    const char *s, *author, *pname;
    size_t n = 0, k, end, tn = 0;
    bool placeholder = false, have_title = false, anonymous;

    /* The title: "★★☆☆☆ Title", or a stand-in when there was none. A title
     * over the cap is left alone, to be refused as it stands. */
    s = parse__feed_get(f, FF_TITLE, &n);
    if (s) {
        k = f->has_rating ? stars(s, n) : 0;
        if (k && k < n && s[k] == ' ')
            k++;
        if (n - k <= CHORUS_MAX_TITLE) {
            memcpy(title, s + k, n - k);
            title[n - k] = '\0';
            tn = n - k;
            have_title = true;
        }
        placeholder = same(title, tn, "Rated without a title") || same(title, tn, "A mention");
    }
    /* Every pointer into the item's text is used before the first setter
     * call below, which may move it. */
    author = parse__feed_get(f, FF_AUTHOR, NULL);
    anonymous = author && strcmp(author, "Anonymous") == 0;
    pname = parse__feed_get(f, FF_PRODUCT_NAME, NULL);
    if (!pname)
        pname = parse__feed_get(f, FF_PRODUCT_ID, NULL);
    snprintf(line, sizeof(line), "%s%s \xe2\x80\x94 %s", author ? author : "Anonymous",
             f->has_verified && f->verified ? " \xe2\x80\x94 Verified buyer" : "",
             pname ? pname : "");
    /* The content: [stars N/5] [title] body... author line [responses]. */
    s = parse__feed_get(f, FF_BODY, &n);
    if (s) {
        size_t i = 0, body = 0, stop = n;

        k = para(s, n);
        if (f->has_rating && stars(s, k) && k >= 2 && memcmp(s + k - 2, "/5", 2) == 0)
            i = k < n ? k + 2 : n;
        k = para(s + i, n - i);
        if (tn && k == tn && memcmp(s + i, title, tn) == 0) {
            i = i + k < n ? i + k + 2 : n;
            placeholder = false; /* it was a real title */
        }
        body = i;
        /* The author line: the last paragraph that is exactly it. */
        for (size_t j = i; j < n; j = end + 2) {
            end = j + para(s + j, n - j);
            if (same(s + j, end - j, line))
                stop = j;
            if (end >= n)
                break;
        }
        if (stop >= body) {
            size_t m = stop - body;

            while (m > 0 && s[body + m - 1] == '\n')
                m--;
            /* Forced: the copy is taken before the old text can move. */
            parse__feed_set(f, FF_BODY, PARSE__PRIO_FORCE, f->label[FF_BODY], s + body, m, 0);
        }
    }
    if (have_title)
        parse__feed_set(f, FF_TITLE, PARSE__PRIO_FORCE, "title", title, placeholder ? 0 : tn, 0);
    if (anonymous)
        parse__feed_anonymous(f);
}

static int end(void *ctx, const struct parse__xml_node *n, const char *t, size_t len,
               unsigned flags)
{
    struct atom *a = ctx;
    struct parse__feed *f = a->f;
    unsigned html = a->html ? PARSE__F_HTML : 0;
    bool v;

    if (a->entry < 0)
        return 0;
    if (n->depth == a->entry) {
        a->entry = -1;
        a->skip = -1;
        if (a->ours && !f->failed)
            unwrap(a);
        return parse__feed_end(f);
    }
    if (a->skip >= 0) {
        if (n->depth == a->skip)
            a->skip = -1;
        return 0;
    }
    if (!t)
        return 0;
    if (n->ns == NS_ATOM) {
        if (strcmp(n->name, "id") == 0)
            parse__feed_set(f, FF_SOURCE_ID, 1, "id", t, len, flags);
        else if (strcmp(n->name, "title") == 0)
            parse__feed_set(f, FF_TITLE, 1, "title", t, len, flags | html);
        else if (strcmp(n->name, "content") == 0)
            parse__feed_set(f, FF_BODY, 2, "content", t, len, flags | html);
        else if (strcmp(n->name, "summary") == 0)
            parse__feed_set(f, FF_BODY, 1, "summary", t, len, flags | html);
        else if (strcmp(n->name, "published") == 0)
            parse__feed_time(f, 2, "published", t, len);
        else if (strcmp(n->name, "updated") == 0)
            parse__feed_time(f, 1, "updated", t, len);
        else if (strcmp(n->name, "name") == 0)
            parse__feed_set(f, FF_AUTHOR, 1, "author name", t, len, flags);
    } else if (n->ns == NS_CHORUS) {
        if (strcmp(n->name, "product") == 0)
            parse__feed_set(f, FF_PRODUCT_NAME, 1, "chorus:product", t, len, flags);
        else if (strcmp(n->name, "verified") == 0 && parse__bool_text(t, len, &v) == 0)
            parse__feed_verified(f, v);
    }
    return 0;
}

int parse__feed_atom(struct parse__feed *f, const char *data, size_t len, struct parse_error *err)
{
    static const struct parse__xml_ops ops = {root, start, end};
    struct atom a = {.f = f, .entry = -1, .skip = -1};

    return parse__xml_run(data, len, &ops, &a, err);
}
