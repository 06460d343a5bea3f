/* RSS 2.0 (and RSS 1.0, whose items look the same) into feed items.
 *
 *   guid > rdf:about > link      source_id
 *   title                         title
 *   content:encoded > description body, as HTML
 *   dc:creator > author           author ("mail@example.com (Name)" gives Name;
 *                                 a bare address is left out: it is not a name
 *                                 to show on a review page)
 *   pubDate > dc:date             created_at (RFC 822, or RFC 3339)
 *   category, dc:subject          categories
 *   link > guid (permalink)       link
 *   chorus:rating/@value, or any  rating; @best or @max is the top of the scale
 *   <rating> child (review:rating,
 *   rev:rating...) with a number
 *
 * Only direct children of <item> count: a <title> inside <media:group> is
 * not the item's title. An item without a rating is a mention.
 */
#include "parse_int.h"

#include <string.h>

struct rss {
    struct parse__feed *f;
    int item; /* depth of the open <item>, -1 outside */
    char best[32];
    bool has_best;
};

static bool is(const struct parse__xml_node *n, enum parse__ns ns, const char *name)
{
    return n->ns == ns && strcmp(n->name, name) == 0;
}

static int root(void *ctx, const struct parse__xml_node *n, char *msg)
{
    char q[PARSE__QUOTE];

    (void)ctx;
    if (is(n, NS_NONE, "rss") || is(n, NS_RDF, "RDF"))
        return 0;
    if (is(n, NS_ATOM, "feed"))
        return parse__fail(msg, "The document is an Atom feed, not RSS; choose the kind atom.");
    if (is(n, NS_NONE, "feed"))
        return parse__fail(msg, "The document's root is <feed>, not <rss>: if it is a Google "
                                "Product Reviews feed, choose the kind google-reviews.");
    if (strcmp(n->name, "html") == 0)
        return parse__fail(msg, "The document is an HTML page, not an RSS feed.");
    return parse__fail(msg, "The document's root element is <%s>, not <rss>.",
                       parse__quote(q, n->name, strlen(n->name)));
}

static bool rss_ns(enum parse__ns ns)
{
    return ns == NS_NONE || ns == NS_RSS1;
}

/* rating_start reads a rating element's attributes: a value attribute is
 * the rating; otherwise the text is, read at the end. */
static void rating_start(struct rss *s, struct parse__xml *x, const char *label, int prio)
{
    const char *v = parse__xml_attr(x, "value");
    const char *best = parse__xml_attr(x, "best");

    if (!best)
        best = parse__xml_attr(x, "max");
    if (v) {
        parse__feed_rating_text(s->f, prio, label, v, strlen(v), best, best ? strlen(best) : 0);
        return;
    }
    s->has_best = best && strlen(best) < sizeof(s->best);
    if (s->has_best)
        memcpy(s->best, best, strlen(best) + 1);
    parse__xml_capture(x, PARSE__CAP_TEXT);
}

static int start(void *ctx, struct parse__xml *x, const struct parse__xml_node *n)
{
    struct rss *s = ctx;
    const char *about;

    if (s->item < 0) {
        if (rss_ns(n->ns) && strcmp(n->name, "item") == 0) {
            parse__feed_begin(s->f);
            s->item = n->depth;
            about = parse__xml_attr(x, "about");
            if (about)
                parse__feed_set(s->f, FF_SOURCE_ID, 2, "rdf:about", about, strlen(about), 0);
        }
        return 0;
    }
    if (n->depth != s->item + 1)
        return 0;
    if (is(n, NS_CHORUS, "rating")) {
        rating_start(s, x, "chorus:rating", 3);
        return 0;
    }
    if (strcmp(n->name, "rating") == 0) {
        rating_start(s, x, "rating", 2);
        return 0;
    }
    if (rss_ns(n->ns) || n->ns == NS_CONTENT || n->ns == NS_DC || n->ns == NS_CHORUS)
        parse__xml_capture(x, PARSE__CAP_TEXT);
    return 0;
}

/* author_name turns RSS's "address (Name)" into Name; a bare address is no
 * name (n set to 0). */
static const char *author_name(const char *s, size_t *n)
{
    const char *open = memchr(s, '(', *n);

    if (open && *n > 0 && s[*n - 1] == ')') {
        *n = (size_t)(s + *n - 1 - (open + 1));
        return open + 1;
    }
    if (memchr(s, '@', *n) && !memchr(s, ' ', *n))
        *n = 0;
    return s;
}

static void field(struct rss *s, const struct parse__xml_node *n, const char *t, size_t len,
                  unsigned flags)
{
    struct parse__feed *f = s->f;
    const char *name = n->name;
    bool plain = rss_ns(n->ns);

    if (plain && strcmp(name, "guid") == 0) {
        parse__feed_set(f, FF_SOURCE_ID, 3, "guid", t, len, flags);
        if (len > 7 && (memcmp(t, "http://", 7) == 0 || memcmp(t, "https://", 8) == 0))
            parse__feed_set(f, FF_LINK, 1, "guid", t, len, flags);
    } else if (plain && strcmp(name, "link") == 0) {
        parse__feed_set(f, FF_SOURCE_ID, 1, "link", t, len, flags);
        parse__feed_set(f, FF_LINK, 2, "link", t, len, flags);
    } else if (plain && strcmp(name, "title") == 0) {
        parse__feed_set(f, FF_TITLE, 1, "title", t, len, flags);
    } else if (plain && strcmp(name, "description") == 0) {
        parse__feed_set(f, FF_BODY, 1, "description", t, len, flags | PARSE__F_HTML);
    } else if (n->ns == NS_CONTENT && strcmp(name, "encoded") == 0) {
        parse__feed_set(f, FF_BODY, 2, "content:encoded", t, len, flags | PARSE__F_HTML);
    } else if (plain && strcmp(name, "author") == 0) {
        t = author_name(t, &len);
        parse__feed_set(f, FF_AUTHOR, 1, "author", t, len, flags);
    } else if (n->ns == NS_DC && strcmp(name, "creator") == 0) {
        parse__feed_set(f, FF_AUTHOR, 2, "dc:creator", t, len, flags);
    } else if (plain && strcmp(name, "pubDate") == 0) {
        parse__feed_time(f, 2, "pubDate", t, len);
    } else if (n->ns == NS_DC && strcmp(name, "date") == 0) {
        parse__feed_time(f, 1, "dc:date", t, len);
    } else if ((plain && strcmp(name, "category") == 0) ||
               (n->ns == NS_DC && strcmp(name, "subject") == 0)) {
        parse__feed_category(f, t, len, flags);
    } else if (strcmp(name, "rating") == 0) {
        parse__feed_rating_text(f, n->ns == NS_CHORUS ? 3 : 2,
                                n->ns == NS_CHORUS ? "chorus:rating" : "rating", t, len,
                                s->has_best ? s->best : NULL, s->has_best ? strlen(s->best) : 0);
    } else if (n->ns == NS_CHORUS && strcmp(name, "verified") == 0) {
        bool v;
        if (parse__bool_text(t, len, &v) == 0)
            parse__feed_verified(f, v);
    }
}

static int end(void *ctx, const struct parse__xml_node *n, const char *text, size_t len,
               unsigned flags)
{
    struct rss *s = ctx;

    if (s->item < 0)
        return 0;
    if (n->depth == s->item) {
        s->item = -1;
        return parse__feed_end(s->f);
    }
    if (text)
        field(s, n, text, len, flags);
    return 0;
}

int parse__feed_rss(struct parse__feed *f, const char *data, size_t len, struct parse_error *err)
{
    static const struct parse__xml_ops ops = {root, start, end};
    struct rss s = {.f = f, .item = -1};

    return parse__xml_run(data, len, &ops, &s, err);
}
