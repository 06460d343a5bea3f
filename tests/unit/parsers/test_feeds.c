/* parse_feed (RSS, Atom, Google Product Reviews, mapped JSON and NDJSON),
 * parse_html_text, and the hardening of the XML reader. */
#include "testmain.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <libxml/parserInternals.h>

#include "chorus/base.h"
#include "chorus/parse.h"

/* ---- collecting items ------------------------------------------------------------- */

struct fitem {
    char *error;
    char *source_id, *title, *body, *author, *link, *product_id, *cats;
    char *p_id, *p_name, *p_url, *p_gtin, *p_mpn, *p_brand, *asin;
    int rating;
    double original, scale;
    int64_t created_at;
    bool verified;
    unsigned dropped; /* product fields left out */
    size_t index;
};

struct fcollect {
    struct fitem items[64];
    size_t n;
    size_t stop_after; /* return 9 after this many; 0 = never */
};

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void check_text(const char *s, size_t cap)
{
    if (!s)
        return;
    assert_true(strlen(s) <= cap);
    assert_true(chorus_utf8_valid(s, strlen(s)));
    assert_true(s[0] != '\0');
}

static int fcb(void *ctx, size_t index, const struct parse_feed_item *it, const char *error)
{
    struct fcollect *c = ctx;
    struct fitem *g;
    char cats[2048] = "";

    assert_true((it == NULL) != (error == NULL));
    assert_int_equal(index, c->n);
    assert_true(c->n < sizeof(c->items) / sizeof(c->items[0]));
    g = &c->items[c->n++];
    memset(g, 0, sizeof(*g));
    g->index = index;
    if (error) {
        assert_true(error[0] && chorus_utf8_valid(error, strlen(error)));
        g->error = strdup(error);
    } else {
        const struct review *r = &it->r;

        check_text(r->title, CHORUS_MAX_TITLE);
        check_text(r->body, CHORUS_MAX_BODY);
        check_text(r->author, CHORUS_MAX_AUTHOR);
        check_text(r->source_id, CHORUS_MAX_SOURCE_ID);
        check_text(r->product_id, CHORUS_MAX_PRODUCT_ID);
        check_text(it->link, CHORUS_MAX_URL);
        assert_non_null(r->source_id);
        assert_true(r->rating >= 0 && r->rating <= 5);
        assert_true(isnan(r->sentiment));
        g->source_id = dup_or_null(r->source_id);
        g->title = dup_or_null(r->title);
        g->body = dup_or_null(r->body);
        g->author = dup_or_null(r->author);
        g->link = dup_or_null(it->link);
        g->product_id = dup_or_null(r->product_id);
        g->rating = r->rating;
        g->original = r->rating_original;
        g->scale = r->rating_scale;
        g->created_at = r->created_at;
        g->verified = r->verified;
        for (size_t i = 0; i < it->n_categories; i++) {
            check_text(it->categories[i], CHORUS_MAX_CATEGORY);
            if (i)
                strncat(cats, "|", sizeof(cats) - strlen(cats) - 1);
            strncat(cats, it->categories[i], sizeof(cats) - strlen(cats) - 1);
        }
        g->cats = strdup(cats);
        g->p_id = dup_or_null(it->product.id);
        g->p_name = dup_or_null(it->product.name);
        g->p_url = dup_or_null(it->product.url);
        g->p_gtin = dup_or_null(it->product.gtin);
        g->p_mpn = dup_or_null(it->product.mpn);
        g->p_brand = dup_or_null(it->product.brand);
        g->asin = dup_or_null(it->asin);
        g->dropped = it->dropped;
    }
    return c->stop_after && c->n >= c->stop_after ? 9 : 0;
}

static void fcollect_free(struct fcollect *c)
{
    for (size_t i = 0; i < c->n; i++) {
        struct fitem *g = &c->items[i];
        char **all[] = {&g->error, &g->source_id,  &g->title, &g->body,    &g->author,
                        &g->link,  &g->product_id, &g->cats,  &g->p_id,    &g->p_name,
                        &g->p_url, &g->p_gtin,     &g->p_mpn, &g->p_brand, &g->asin};
        for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++)
            free(*all[k]);
    }
    memset(c, 0, sizeof(*c));
}

/* run parses text (NUL-terminated) of kind with mapping map into c. */
static int run(struct fcollect *c, enum source_kind kind, const char *map, const char *text,
               struct parse_error *err)
{
    struct parse_feed_options opt = {map, 0};
    struct parse_error local;

    return parse_feed(text, strlen(text), kind, &opt, fcb, c, err ? err : &local);
}

/* doc_error parses text, which must be refused as a document, and returns
 * the sentence (static). */
static const char *doc_error(enum source_kind kind, const char *text)
{
    static struct parse_error err;
    struct fcollect c = {0};

    assert_int_equal(run(&c, kind, NULL, text, &err), CHORUS_EPARSE);
    assert_int_equal(c.n, 0);
    assert_true(err.message[0] && chorus_utf8_valid(err.message, strlen(err.message)));
    fcollect_free(&c);
    return err.message;
}

static void contains(const char *s, const char *part)
{
    if (!s || !strstr(s, part))
        fail_msg("\"%s\" does not contain \"%s\"", s ? s : "(null)", part);
}

/* Rendered by chorusd (feeds/atom.c) for three reviews of one product. */
static const char chorus_atom[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xm"
    "lns:chorus=\"https://chorus.dev/ns/feed/1\"><id>tag:chorus.localhost,2026:0123456789abcdef"
    "/feeds/products/lap-1</id><title>Reviews of Inspiron 14 &amp; Co — Chorus</title><subtitle"
    ">2 ratings, average 3.00 out of 5</subtitle><updated>2026-01-02T03:04:05Z</updated><genera"
    "tor version=\"0.1.0\">Chorus</generator><link rel=\"self\" type=\"application/atom+xml\" h"
    "ref=\"http://reviews.example.com/feeds/products/lap-1.atom\"/><link rel=\"alternate\" type"
    "=\"text/html\" href=\"https://shop.example.com/lap-1\"/><link rel=\"first\" type=\"applica"
    "tion/atom+xml\" href=\"http://reviews.example.com/feeds/products/lap-1.atom\"/><entry><id>"
    "tag:chorus.localhost,2026:0123456789abcdef/review/3</id><title type=\"text\">★★★★☆ Rated w"
    "ithout a title</title><updated>2026-01-02T03:04:05Z</updated><published>2024-05-03T10:00:0"
    "0Z</published><author><name>Bo</name></author><link rel=\"alternate\" type=\"text/html\" h"
    "ref=\"http://reviews.example.com/p/lap-1#review-3\"/><category term=\"lap-1\" scheme=\"htt"
    "p://reviews.example.com/feeds/products/\" label=\"Inspiron 14 &amp; Co\"/><category term=\""
    "laptops\" scheme=\"http://reviews.example.com/feeds/categories/\"/><category term=\"laptop"
    "s/inspiron\" scheme=\"http://reviews.example.com/feeds/categories/\"/><chorus:rating value"
    "=\"4\" worst=\"1\" best=\"5\"/><chorus:product id=\"lap-1\">Inspiron 14 &amp; Co</chorus:p"
    "roduct><chorus:verified>false</chorus:verified><content type=\"html\">&lt;p aria-label=&qu"
    "ot;4 out of 5 stars&quot;&gt;★★★★☆ 4/5&lt;/p&gt;&lt;p&gt;Bo &amp;#8212; Inspiron 14 &amp;a"
    "mp; Co&lt;/p&gt;</content></entry><entry><id>tag:chorus.localhost,2026:0123456789abcdef/re"
    "view/2</id><title type=\"text\">A mention</title><updated>2026-01-02T03:04:05Z</updated><p"
    "ublished>2024-05-02T10:00:00Z</published><author><name>Anonymous</name></author><link rel="
    "\"alternate\" type=\"text/html\" href=\"http://reviews.example.com/p/lap-1#review-2\"/><ca"
    "tegory term=\"lap-1\" scheme=\"http://reviews.example.com/feeds/products/\" label=\"Inspir"
    "on 14 &amp; Co\"/><category term=\"laptops\" scheme=\"http://reviews.example.com/feeds/cat"
    "egories/\"/><category term=\"laptops/inspiron\" scheme=\"http://reviews.example.com/feeds/"
    "categories/\"/><chorus:product id=\"lap-1\">Inspiron 14 &amp; Co</chorus:product><chorus:v"
    "erified>false</chorus:verified><content type=\"html\">&lt;p&gt;Mentioned it on my blog.&lt"
    ";/p&gt;&lt;p&gt;Anonymous &amp;#8212; Inspiron 14 &amp;amp; Co&lt;/p&gt;</content></entry>"
    "<entry><id>tag:chorus.localhost,2026:0123456789abcdef/review/1</id><title type=\"text\">★★"
    "☆☆☆ Hinge cracked &lt;after&gt; a month</title><updated>2026-01-02T03:04:05Z</updated><pub"
    "lished>2024-05-01T10:00:00Z</published><author><name>Ann O'Neil</name></author><link rel=\""
    "alternate\" type=\"text/html\" href=\"http://reviews.example.com/p/lap-1#review-1\"/><cate"
    "gory term=\"lap-1\" scheme=\"http://reviews.example.com/feeds/products/\" label=\"Inspiron"
    " 14 &amp; Co\"/><category term=\"laptops\" scheme=\"http://reviews.example.com/feeds/categ"
    "ories/\"/><category term=\"laptops/inspiron\" scheme=\"http://reviews.example.com/feeds/ca"
    "tegories/\"/><chorus:rating value=\"2\" worst=\"1\" best=\"5\"/><chorus:product id=\"lap-1"
    "\">Inspiron 14 &amp; Co</chorus:product><chorus:verified>true</chorus:verified><chorus:com"
    "ponent>hinge</chorus:component><chorus:component>support</chorus:component><content type=\""
    "html\">&lt;p aria-label=&quot;2 out of 5 stars&quot;&gt;★★☆☆☆ 2/5&lt;/p&gt;&lt;p&gt;&lt;st"
    "rong&gt;Hinge cracked &amp;lt;after&amp;gt; a month&lt;/strong&gt;&lt;/p&gt;&lt;p&gt;The h"
    "inge cracked.&lt;br&gt;Support was slow.&lt;/p&gt;&lt;p&gt;Second paragraph &amp;amp; more"
    ".&lt;/p&gt;&lt;p&gt;Ann O&amp;#39;Neil &amp;#8212; &lt;strong&gt;Verified buyer&lt;/strong"
    "&gt; &amp;#8212; Inspiron 14 &amp;amp; Co&lt;/p&gt;</content></entry></feed>\n";

/* Rendered by chorusd (feeds/google.c) for three reviews of one product. */
static const char chorus_google[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns:vc=\"http://www.w3.org/2007/XMLSch"
    "ema-versioning\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:noNamespaceSc"
    "hemaLocation=\"http://www.google.com/shopping/reviews/schema/product/2.4/product_reviews.x"
    "sd\"><version>2.4</version><aggregator><name>Chorus</name></aggregator><publisher><name>Ch"
    "orus</name></publisher><reviews><review><review_id>1</review_id><reviewer><name>Ann O'Neil"
    "</name></reviewer><is_verified_purchase>true</is_verified_purchase><review_timestamp>2024-"
    "05-01T10:00:00Z</review_timestamp><title>Hinge cracked &lt;after&gt; a month</title><conte"
    "nt>The hinge cracked.\nSupport was slow.\n\nSecond paragraph &amp; more.</content><review_"
    "url type=\"group\">http://reviews.example.com/p/lap-1#review-1</review_url><ratings><overa"
    "ll min=\"1\" max=\"5\">2</overall></ratings><products><product><product_ids><gtins><gtin>4"
    "006381333931</gtin></gtins><mpns><mpn>INS-14</mpn></mpns><skus><sku>lap-1</sku></skus><bra"
    "nds><brand>Dell</brand></brands></product_ids><product_name>Inspiron 14 &amp; Co</product_"
    "name><product_url>https://shop.example.com/lap-1</product_url></product></products><collec"
    "tion_method>unsolicited</collection_method></review></reviews></feed>\n";

/* ---- RSS ------------------------------------------------------------------------------ */

static const char rss_feed[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"\n"
    "     xmlns:dc=\"http://purl.org/dc/elements/1.1/\" "
    "xmlns:review=\"http://purl.org/stuff/rev#\"\n"
    "     xmlns:chorus=\"https://chorus.dev/ns/feed/1\">\n"
    "<channel><title>Laptop Blog</title><link>https://blog.example.com/</link>\n"
    "<item>\n"
    "  <title>Inspiron 14 review: great &amp; cheap</title>\n"
    "  <link>https://blog.example.com/inspiron-14</link>\n"
    "  <guid isPermaLink=\"false\">post-1234</guid>\n"
    "  <pubDate>Mon, 06 Nov 2023 08:49:37 +0200</pubDate>\n"
    "  <dc:creator>Jane Doe</dc:creator>\n"
    "  <author>jane@example.com (J. D.)</author>\n"
    "  <category>Laptops</category><category "
    "domain=\"x\">Dell</category><category>Laptops</category>\n"
    "  <description>A short teaser.</description>\n"
    "  <content:encoded><![CDATA[<p>The <b>hinge</b> is solid&nbsp;&mdash; battery "
    "&#8220;lasts&#8221; &eacute;t&eacute;.</p><script>alert('x')</script>"
    "<p>Second para<br/>line two</p>]]></content:encoded>\n"
    "  <review:rating>4</review:rating>\n"
    "</item>\n"
    "<item>\n"
    "  <title>  Forum:\n   thread  about the hinge </title>\n"
    "  <link>https://forum.example.com/t/99</link>\n"
    "  <description>&lt;p&gt;Anyone else? &lt;a "
    "href=\"x\"&gt;link&lt;/a&gt;&lt;/p&gt;</description>\n"
    "  <author>bob@example.com</author>\n"
    "  <pubDate>Tue, 7 Nov 2023 10:00 GMT</pubDate>\n"
    "</item>\n"
    "<item><title>Scaled</title><guid>https://blog.example.com/p/3</guid>"
    "<rating best=\"10\">7</rating><chorus:rating "
    "value=\"2\"/><chorus:verified>true</chorus:verified>"
    "<media:group xmlns:media=\"http://search.yahoo.com/mrss/\"><media:title>not this</media:title>"
    "</media:group></item>\n"
    "</channel></rss>\n";

CHORUS_TEST(rss_items)
{
    struct fcollect c = {0};
    const struct fitem *g;

    assert_int_equal(run(&c, SOURCE_RSS, NULL, rss_feed, NULL), 0);
    assert_int_equal(c.n, 3);
    g = &c.items[0];
    assert_null(g->error);
    assert_string_equal(g->source_id, "post-1234");
    assert_string_equal(g->title, "Inspiron 14 review: great & cheap");
    /* content:encoded wins over description; script dropped; entities decoded */
    assert_string_equal(g->body, "The hinge is solid \xe2\x80\x94 battery \xe2\x80\x9clasts\xe2\x80"
                                 "\x9d \xc3\xa9t\xc3\xa9.\n\nSecond para\nline two");
    assert_string_equal(g->author, "Jane Doe"); /* dc:creator wins over author */
    assert_string_equal(g->link, "https://blog.example.com/inspiron-14");
    assert_string_equal(g->cats, "Laptops|Dell");
    assert_int_equal(g->created_at, 1699253377); /* 2023-11-06T06:49:37Z */
    assert_int_equal(g->rating, 4);
    assert_null(g->product_id);
    assert_null(g->p_id);

    g = &c.items[1];
    assert_string_equal(g->title, "Forum: thread about the hinge");
    assert_string_equal(g->body, "Anyone else? link");
    assert_null(g->author);         /* a bare address is not a name */
    assert_int_equal(g->rating, 0); /* a mention */
    assert_string_equal(g->source_id, "https://forum.example.com/t/99");
    assert_int_equal(g->created_at, 1699351200);

    g = &c.items[2];
    assert_string_equal(g->source_id, "https://blog.example.com/p/3");
    assert_string_equal(g->link, "https://blog.example.com/p/3"); /* a permalink guid */
    assert_int_equal(g->rating, 2); /* chorus:rating beats a generic <rating> */
    assert_true(g->verified);
    assert_string_equal(g->title, "Scaled");
    fcollect_free(&c);

    /* The generic rating with its scale, alone. */
    assert_int_equal(run(&c, SOURCE_RSS, NULL,
                         "<rss><channel><item><guid>a</guid><rating best=\"10\">7</rating></item>"
                         "<item><guid>b</guid><rating>4.5</rating></item>"
                         "<item><guid>c</guid><rating>great</rating></item></channel></rss>",
                         NULL),
                     0);
    assert_int_equal(c.n, 3);
    assert_int_equal(c.items[0].rating, 4);
    assert_true(c.items[0].original == 7 && c.items[0].scale == 10);
    assert_non_null(c.items[1].error); /* 4.5 without a scale, as for posted reviews */
    contains(c.items[1].error, "whole number of stars");
    assert_string_equal(c.items[2].error, "rating must be a number (got \"great\").");
    fcollect_free(&c);
}

/* pubdate returns the created_at of a one-item feed with this pubDate, or
 * -1 when the item was rejected. */
static int64_t pubdate(const char *date)
{
    struct fcollect c = {0};
    char doc[512];
    int64_t t;

    snprintf(doc, sizeof(doc),
             "<rss><channel><item><guid>x</guid><pubDate>%s</pubDate></item>"
             "</channel></rss>",
             date);
    assert_int_equal(run(&c, SOURCE_RSS, NULL, doc, NULL), 0);
    assert_int_equal(c.n, 1);
    t = c.items[0].error ? -1 : c.items[0].created_at;
    if (c.items[0].error)
        contains(c.items[0].error, "pubDate must be a date");
    fcollect_free(&c);
    return t;
}

CHORUS_TEST(rss_dates)
{
    assert_int_equal(pubdate("Mon, 06 Nov 2023 08:49:37 GMT"), 1699260577);
    assert_int_equal(pubdate("Mon, 06 Nov 2023 08:49:37 +0200"), 1699253377);
    assert_int_equal(pubdate("Mon, 06 Nov 2023 08:49:37 -0530"), 1699280377);
    assert_int_equal(pubdate("Mon, 06 Nov 2023 08:49:37 +02:00"), 1699253377);
    assert_int_equal(pubdate("06 Nov 2023 08:49:37 UT"), 1699260577);
    assert_int_equal(pubdate("Monday, 6 November 2023 08:49 EST"), 1699278540);
    assert_int_equal(pubdate("mon, 06 nov 23 08:49:37 pdt"), 1699285777);
    assert_int_equal(pubdate("Mon, 06 Nov 2023 08:49:37"), 1699260577); /* no zone: UTC */
    assert_int_equal(pubdate("Sun, 31 Dec 1995 23:59:59 Z"), 820454399);
    assert_int_equal(pubdate("  2023-11-06T08:49:37Z "), 1699260577); /* RFC 3339 in RSS */
    assert_int_equal(pubdate("2023-11-06T08:49:37.123+01:00"), 1699256977);
    assert_int_equal(pubdate("2023-11-06T08:49:37"), 1699260577);
    assert_int_equal(pubdate("2023-11-06"), 1699228800);
    assert_int_equal(pubdate("Thu, 29 Feb 2024 12:00:00 GMT"), 1709208000);
    assert_int_equal(pubdate("Fri, 29 Feb 2023 12:00:00 GMT"), -1); /* not a leap year */
    assert_int_equal(pubdate("Mon, 06 Foo 2023 08:49:37 GMT"), -1);
    assert_int_equal(pubdate("Mon, 06 Nov 2023 25:49:37 GMT"), -1);
    assert_int_equal(pubdate("Mon, 06 Nov 2023 08:49:37 XYZ"), -1);
    assert_int_equal(pubdate("Mon, 06 Nov 2023 08:49:37 +2"), -1);
    assert_int_equal(pubdate("yesterday"), -1);
    assert_int_equal(pubdate("123456789012345678901234567890"), -1);
}

/* ---- Atom ------------------------------------------------------------------------------ */

CHORUS_TEST(atom_round_trip)
{
    struct fcollect c = {0};
    const struct fitem *g;

    assert_int_equal(run(&c, SOURCE_ATOM, NULL, chorus_atom, NULL), 0);
    assert_int_equal(c.n, 3);
    /* 7/10 written as 4 stars, no title, author Bo: the stand-in title and
     * the decorations of the content are gone. */
    g = &c.items[0];
    assert_null(g->error);
    assert_string_equal(g->source_id, "tag:chorus.localhost,2026:0123456789abcdef/review/3");
    assert_int_equal(g->rating, 4);
    assert_null(g->title);
    assert_null(g->body);
    assert_string_equal(g->author, "Bo");
    assert_string_equal(g->product_id, "lap-1");
    assert_string_equal(g->p_id, "lap-1");
    assert_string_equal(g->p_name, "Inspiron 14 & Co");
    assert_int_equal(g->created_at, 1714730400); /* published, not updated */
    assert_string_equal(g->link, "http://reviews.example.com/p/lap-1#review-3");
    assert_string_equal(g->cats, "lap-1|laptops|laptops/inspiron");
    assert_false(g->verified);
    /* A mention from an anonymous author. */
    g = &c.items[1];
    assert_int_equal(g->rating, 0);
    assert_null(g->title);
    assert_null(g->author);
    assert_string_equal(g->body, "Mentioned it on my blog.");
    /* The full review comes back as it was posted. */
    g = &c.items[2];
    assert_int_equal(g->rating, 2);
    assert_string_equal(g->title, "Hinge cracked <after> a month");
    assert_string_equal(g->body,
                        "The hinge cracked.\nSupport was slow.\n\nSecond paragraph & more.");
    assert_string_equal(g->author, "Ann O'Neil");
    assert_true(g->verified);
    assert_int_equal(g->created_at, 1714557600);
    fcollect_free(&c);
}

CHORUS_TEST(atom_text_constructs)
{
    struct fcollect c = {0};
    const struct fitem *g;

    assert_int_equal(
        run(&c, SOURCE_ATOM, NULL,
            "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Blog</title>"
            "<author><name>Feed author</name></author>"
            "<entry><id>urn:1</id><title type=\"html\">A &lt;b&gt;bold&lt;/b&gt; "
            "title</title><updated>2024-01-02T00:00:00Z</updated>"
            "<summary>Only a summary &amp; text: &lt;b&gt; stays</summary>"
            "<link rel=\"self\" href=\"https://x.example/self\"/>"
            "<link href=\"https://x.example/1\"/><category term=\"a\"/><category label=\"no "
            "term\"/>"
            "<source><id>urn:elsewhere</id><title>Other feed</title><author><name>Not me</name>"
            "</author></source></entry>"
            "<entry><id>urn:2</id><title type=\"xhtml\"><div "
            "xmlns=\"http://www.w3.org/1999/xhtml\">"
            "X<i>H</i>TML &amp; co</div></title>"
            "<content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\"><p>One &lt;tag&gt;"
            "</p><p>Two<br/>three</p><script>x()</script></div></content>"
            "<summary>ignored: content wins</summary><author><name> Ann\n Lee </name></author>"
            "<published>2024-01-01T10:00:00+02:00</published><updated>2024-03-01T00:00:00Z</"
            "updated>"
            "<link rel=\"alternate\" href=\"https://x.example/2\"/></entry>"
            "<entry><id>urn:3</id><content src=\"https://x.example/3.html\"/>"
            "<content type=\"text\">Line one\nLine two</content></entry>"
            "</feed>",
            NULL),
        0);
    assert_int_equal(c.n, 3);
    g = &c.items[0];
    assert_string_equal(g->title, "A bold title");
    assert_string_equal(g->body, "Only a summary & text: <b> stays");
    assert_int_equal(g->created_at, 1704153600); /* updated, when nothing is published */
    assert_string_equal(g->link, "https://x.example/1");
    assert_string_equal(g->cats, "a");
    assert_null(g->author); /* atom:source is another feed's */
    assert_string_equal(g->source_id, "urn:1");
    g = &c.items[1];
    assert_string_equal(g->title, "XHTML & co");
    assert_string_equal(g->body, "One <tag>\n\nTwo\nthree");
    assert_string_equal(g->author, "Ann Lee");
    assert_int_equal(g->created_at, 1704096000);
    assert_string_equal(g->link, "https://x.example/2");
    g = &c.items[2];
    assert_string_equal(g->body, "Line one\nLine two");
    fcollect_free(&c);
}

/* ---- Google ------------------------------------------------------------------------------ */

CHORUS_TEST(google_round_trip)
{
    struct fcollect c = {0};
    const struct fitem *g;

    assert_int_equal(run(&c, SOURCE_GOOGLE, NULL, chorus_google, NULL), 0);
    assert_int_equal(c.n, 1);
    g = &c.items[0];
    assert_null(g->error);
    assert_string_equal(g->source_id, "1");
    assert_string_equal(g->author, "Ann O'Neil");
    assert_true(g->verified);
    assert_int_equal(g->created_at, 1714557600);
    assert_string_equal(g->title, "Hinge cracked <after> a month");
    assert_string_equal(g->body,
                        "The hinge cracked.\nSupport was slow.\n\nSecond paragraph & more.");
    assert_string_equal(g->link, "http://reviews.example.com/p/lap-1#review-1");
    assert_int_equal(g->rating, 2);
    assert_true(g->scale == 0);
    assert_null(g->product_id); /* the poller maps Google products */
    assert_string_equal(g->p_id, "lap-1");
    assert_string_equal(g->p_name, "Inspiron 14 & Co");
    assert_string_equal(g->p_gtin, "4006381333931");
    assert_string_equal(g->p_mpn, "INS-14");
    assert_string_equal(g->p_brand, "Dell");
    assert_string_equal(g->p_url, "https://shop.example.com/lap-1");
    assert_null(g->asin);
    fcollect_free(&c);
}

CHORUS_TEST(google_variants)
{
    struct fcollect c = {0};
    const struct fitem *g;

    assert_int_equal(
        run(&c, SOURCE_GOOGLE, NULL,
            "<feed><version>2.3</version><publisher><name>Shop</name></publisher><reviews>"
            "<review><review_id>r-1</review_id><reviewer><name is_anonymous=\"true\">Anonymous"
            "</name></reviewer><review_timestamp>2014-04-30T05:10:25</review_timestamp>"
            "<content>Good</content><review_url type=\"singleton\">https://s.example/r/1"
            "</review_url><ratings><overall min=\"1\" max=\"10\">7</overall></ratings>"
            "<products><product><product_ids><gtins><gtin>123</gtin><gtin>4006381333931</gtin>"
            "</gtins><asins><asin>B00X</asin></asins><skus><sku>s-1</sku></skus></product_ids>"
            "<product_url>ftp://nope</product_url></product>"
            "<product><product_ids><skus><sku>s-2</sku></skus></product_ids></product>"
            "</products></review>"
            "<review><reviewer><name>Kim</name></reviewer>"
            "<review_timestamp>2014-04-30T05:10:25Z</review_timestamp><content>No id</content>"
            "<ratings><overall min=\"0\" max=\"100\">87</overall></ratings></review>"
            "<review><review_id>r-3</review_id><content>x</content>"
            "<ratings><overall min=\"1\" max=\"5\">6</overall></ratings></review>"
            "<review><review_id>r-4</review_id><content>half</content>"
            "<ratings><overall min=\"1\" max=\"5\">4.5</overall></ratings></review>"
            "</reviews></feed>",
            NULL),
        0);
    assert_int_equal(c.n, 4);
    g = &c.items[0];
    assert_null(g->author);
    assert_int_equal(g->created_at, 1398834625); /* no zone: UTC */
    assert_int_equal(g->rating, 4);
    assert_true(g->original == 7 && g->scale == 10);
    assert_string_equal(g->p_id, "s-1"); /* the first product */
    assert_null(g->p_gtin);              /* the first GTIN fails its check digit: left out */
    assert_null(g->p_url);               /* not http(s): left out */
    assert_int_equal(g->dropped, 2);     /* and both counted for the poller's report */
    assert_string_equal(g->asin, "B00X");
    g = &c.items[1];
    assert_int_equal(g->dropped, 0);
    assert_true(strncmp(g->source_id, "h:", 2) == 0 && strlen(g->source_id) == 18);
    assert_int_equal(g->rating, 4); /* 87/100 */
    assert_string_equal(c.items[2].error, "ratings overall must be a whole number of stars from "
                                          "1 to 5 (got 6); for a rating on another scale send "
                                          "rating_scale too.");
    assert_int_equal(c.items[3].rating, 5); /* 4.5 of 5 rounds half up */
    fcollect_free(&c);
}

/* ---- JSON and NDJSON -------------------------------------------------------------------- */

#define SHOP_MAP                                                                                   \
    "source_id=id, rating=stars,rating_scale=scale,title=name,body=text,author=user.name,"         \
    "created_at=date,link=url,categories=tags,verified=ok,product_id=sku,product_name=item.0"

CHORUS_TEST(json_mapping)
{
    struct fcollect c = {0};
    const struct fitem *g;

    assert_int_equal(
        run(&c, SOURCE_JSON, SHOP_MAP,
            "{\"meta\": {\"count\": 4, \"items\": 3}, \"reviews\": [\n"
            " {\"id\": 17, \"stars\": \"4\", \"name\": \"Nice\", \"text\": \"<p>Good &amp; "
            "fast</p>\","
            "  \"user\": {\"name\": \"Kim\"}, \"date\": 1714557600, \"url\": "
            "\"https://x.example/17\","
            "  \"tags\": [\"a\", \"b\", 3, \"a\"], \"ok\": \"yes\", \"sku\": \"lap-1\","
            "  \"item\": [\"Laptop 14\"], \"extra\": {\"ignored\": true}},\n"
            " {\"id\": \"18\", \"stars\": 9, \"scale\": 10, \"user\": {}, \"date\": \"Mon, 06 Nov "
            "2023 08:49:37 GMT\", \"tags\": \"single\", \"ok\": false},\n"
            " {\"id\": 19, \"stars\": 11, \"scale\": 10},\n"
            " [1, 2],\n"
            " {\"id\": 20, \"date\": 1714557600123, \"name\": {\"not\": \"text\"}},\n"
            " {\"id\": 21, \"date\": 1714557600123, \"text\": null, \"stars\": null}\n"
            "], \"next\": null}",
            NULL),
        0);
    assert_int_equal(c.n, 6);
    g = &c.items[0];
    assert_null(g->error);
    assert_string_equal(g->source_id, "17");
    assert_int_equal(g->rating, 4);
    assert_string_equal(g->title, "Nice");
    assert_string_equal(g->body, "Good & fast");
    assert_string_equal(g->author, "Kim");
    assert_int_equal(g->created_at, 1714557600);
    assert_string_equal(g->link, "https://x.example/17");
    assert_string_equal(g->cats, "a|b");
    assert_true(g->verified);
    assert_string_equal(g->product_id, "lap-1");
    assert_string_equal(g->p_id, "lap-1");
    assert_string_equal(g->p_name, "Laptop 14");
    g = &c.items[1];
    assert_int_equal(g->rating, 5);
    assert_true(g->original == 9 && g->scale == 10);
    assert_null(g->author);
    assert_int_equal(g->created_at, 1699260577);
    assert_string_equal(g->cats, "single");
    assert_null(g->product_id);
    assert_string_equal(c.items[2].error,
                        "stars must be from 0 to 10 on rating_scale 10 (got 11).");
    assert_string_equal(c.items[3].error, "The item is an array, not an object.");
    assert_string_equal(c.items[4].error, "name must be a string (got an object).");
    g = &c.items[5];
    assert_int_equal(g->created_at, 1714557600); /* milliseconds */
    assert_int_equal(g->rating, 0);
    fcollect_free(&c);

    /* A bare array, an empty one, and one object that is the item. */
    assert_int_equal(run(&c, SOURCE_JSON, "title=t", "[{\"t\":\"a\"},{\"t\":\"b\"}]", NULL), 0);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.items[1].title, "b");
    fcollect_free(&c);
    assert_int_equal(run(&c, SOURCE_JSON, "title=t", " [ ] ", NULL), 0);
    assert_int_equal(c.n, 0);
    assert_int_equal(run(&c, SOURCE_JSON, "title=t", "{\"t\":\"one\",\"x\":[1]}", NULL), 0);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.items[0].title, "one");
    fcollect_free(&c);
}

CHORUS_TEST(json_builtin_maps)
{
    struct fcollect c = {0};
    const struct fitem *g;

    /* NULL: Chorus's own review JSON, as GET /api/v1/reviews writes it. */
    assert_int_equal(
        run(&c, SOURCE_JSON, NULL,
            "{\"reviews\":[{\"id\":41,\"product_id\":\"lap-1\",\"rating\":4,\"rating_scale\":10,"
            "\"rating_original\":7.5,\"title\":\"T\",\"body\":\"a &amp; <b>b</b>\","
            "\"author\":\"Z\",\"author_location\":null,\"verified\":true,\"language\":\"en\","
            "\"created_at\":\"2024-05-01T10:00:00Z\",\"ingested_at\":\"2024-05-01T10:00:01Z\","
            "\"source\":\"api\",\"source_id\":null,\"status\":\"approved\",\"helpful\":0,"
            "\"not_helpful\":0,\"sentiment\":0.5,\"components\":[],\"responses\":[]},"
            "{\"id\":42,\"product_id\":\"lap-1\",\"rating\":null,\"rating_scale\":null,"
            "\"body\":\"m\",\"created_at\":\"2024-05-02T10:00:00Z\"}],\"next\":null}",
            NULL),
        0);
    assert_int_equal(c.n, 2);
    g = &c.items[0];
    assert_string_equal(g->source_id, "41");
    assert_string_equal(g->product_id, "lap-1");
    assert_int_equal(g->rating, 4);
    assert_true(g->original == 7.5 && g->scale == 10);
    assert_string_equal(g->body, "a &amp; <b>b</b>"); /* Chorus bodies are plain text */
    assert_true(g->verified);
    assert_int_equal(c.items[1].rating, 0);
    fcollect_free(&c);

    /* "amazon": the dump's fields, with amazon.c's rules and sentences. */
    assert_int_equal(run(&c, SOURCE_NDJSON, "amazon",
                         "{\"asin\":\"B01\",\"overall\":5,\"reviewText\":\"Great\",\"summary\":"
                         "\"Wow\",\"reviewerID\":\"A1\",\"unixReviewTime\":1252800000,"
                         "\"verified\":true}\n\n{\"asin\":\"B02\",\"overall\":7}\n"
                         "{\"asin\":\"B03\",\"colour\":\"red\"}\n",
                         NULL),
                     0);
    assert_int_equal(c.n, 3);
    g = &c.items[0];
    assert_string_equal(g->source_id, "A1:B01");
    assert_string_equal(g->product_id, "B01");
    assert_string_equal(g->title, "Wow");
    assert_string_equal(g->body, "Great");
    assert_int_equal(g->rating, 5);
    assert_int_equal(g->created_at, 1252800000);
    assert_true(g->verified);
    contains(c.items[1].error, "overall must be a whole number of stars from 1 to 5 (got 7)");
    contains(c.items[2].error, "unknown field \"colour\"");
    fcollect_free(&c);
}

CHORUS_TEST(ndjson_lines)
{
    struct fcollect c = {0};

    assert_int_equal(
        run(&c, SOURCE_NDJSON, "title=t,body=b,source_id=id",
            "\xef\xbb\xbf{\"id\":1,\"t\":\"one\"}\r\n   \n{\"id\":2,\"b\":\"<i>two</i>\"}\n"
            "not json\n{\"id\":3,\"t\":\"bad \xff byte\"}\n7\n{\"id\":4}",
            NULL),
        0);
    assert_int_equal(c.n, 6);
    assert_string_equal(c.items[0].title, "one");
    assert_string_equal(c.items[1].body, "two");
    contains(c.items[2].error, "The item is not valid JSON");
    assert_string_equal(c.items[3].title, "bad \xef\xbf\xbd byte");
    assert_string_equal(c.items[4].error, "The item is a number, not an object.");
    assert_string_equal(c.items[5].source_id, "4");
    fcollect_free(&c);
    /* An empty NDJSON feed has no items; an empty JSON one is no JSON. */
    assert_int_equal(run(&c, SOURCE_NDJSON, NULL, "\n \n", NULL), 0);
    assert_int_equal(c.n, 0);
    assert_string_equal(doc_error(SOURCE_JSON, "  "), "The feed is empty.");
    contains(doc_error(SOURCE_JSON, "\"text\""), "not a JSON array or object");
}

CHORUS_TEST(json_map_errors)
{
    struct parse_error err;
    struct fcollect c = {0};

    assert_int_equal(parse_feed_map_check(NULL, &err), 0);
    assert_int_equal(parse_feed_map_check("amazon", &err), 0);
    assert_int_equal(parse_feed_map_check(SHOP_MAP, &err), 0);
    assert_int_equal(parse_feed_map_check("bogus=x", &err), CHORUS_EINVAL);
    assert_string_equal(err.message,
                        "\"bogus\" is not a field a mapping can fill; docs/sources.md lists them.");
    assert_string_equal(err.field, "json_map");
    assert_int_equal(parse_feed_map_check("title", &err), CHORUS_EINVAL);
    contains(err.message, "is not field=path");
    assert_int_equal(parse_feed_map_check("title=a,title=b", &err), CHORUS_EINVAL);
    assert_string_equal(err.message, "title is mapped twice.");
    assert_int_equal(parse_feed_map_check("title= ", &err), CHORUS_EINVAL);
    assert_string_equal(err.message, "title is mapped to an empty path.");
    /* parse_feed refuses the same mapping before reading anything. */
    assert_int_equal(run(&c, SOURCE_JSON, "bogus=x", "[{}]", &err), CHORUS_EINVAL);
    assert_int_equal(c.n, 0);
}

/* ---- HTML to text ---------------------------------------------------------------------- */

static const char *html(const char *in)
{
    static char out[512];

    parse_html_text(in, strlen(in), out, sizeof(out));
    assert_true(chorus_utf8_valid(out, strlen(out)));
    return out;
}

CHORUS_TEST(html_text)
{
    char small[8];
    size_t n;

    assert_string_equal(html("<p>Hello <b>world</b></p>"), "Hello world");
    assert_string_equal(html("a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;"),
                        "a & b <c> \"d\" 'e'");
    assert_string_equal(html("x&nbsp;&nbsp; y&hellip;&mdash;&ndash;&rsquo;&lsquo;&rdquo;&ldquo;"),
                        "x y\xe2\x80\xa6\xe2\x80\x94\xe2\x80\x93\xe2\x80\x99\xe2\x80\x98\xe2\x80"
                        "\x9d\xe2\x80\x9c");
    assert_string_equal(html("&eacute;&Eacute;&euro;&copy;&#233;&#xE9;&#Xe9;&#8364;&#146;"),
                        "\xc3\xa9\xc3\x89\xe2\x82\xac\xc2\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xe2\x82\xac"
                        "\xe2\x80\x99");
    /* Unknown or unterminated references stay as written. */
    assert_string_equal(html("AT&T &bogus; &amp &#; &#x; 5&6"), "AT&T &bogus; &amp &#; &#x; 5&6");
    assert_string_equal(html("&#0;&#xD800;&#x110000;&#99999999999;"),
                        "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    assert_string_equal(html("a&#1;b&#x7f;c&shy;d"), "abcd");
    /* Blocks and breaks. */
    assert_string_equal(html("<p>one</p><p>two<br>three<br/>four</p><ul><li>x</li><li>y</li></ul>"),
                        "one\n\ntwo\nthree\nfour\n\nx\ny");
    assert_string_equal(html("<div>a</div><div>b</div>  <h2>T</h2>c<table><tr><td>1</td><td>2"
                             "</td></tr></table>"),
                        "a\nb\n\nT\n\nc\n\n1 2");
    assert_string_equal(html("  lots \t of\n\n  blanks  "), "lots of blanks");
    assert_string_equal(html("<br><p></p>text<p></p><br>"), "text");
    /* Dropped entirely: script, style, head; comments; unknown tags' text stays. */
    assert_string_equal(html("<head><title>T</title><style>p{}</style></head>A<script>if (a<b) "
                             "x('</p>')</script>B<SCRIPT type=x>y</Script >C<!-- <p>c</p> -->D"
                             "<custom-tag a=\"1>2\" b='x>y'>E</custom-tag>"),
                        "ABCDE");
    assert_string_equal(html("<script>never closed"), "");
    assert_string_equal(html("x <!-- never closed"), "x");
    assert_string_equal(html("a < b and c > d, 3<4"), "a < b and c > d, 3<4");
    assert_string_equal(html("cut <b"), "cut");
    assert_string_equal(html("<!DOCTYPE html><?php x ?><html><body>ok</body></html>"), "ok");
    assert_string_equal(html("</ >x</>y"), "xy");
    /* Invalid UTF-8: U+FFFD per byte; controls dropped. */
    assert_string_equal(html("a\xff\xfe"
                             "b\xc3(c\x01\x7f\xc2\x85"),
                        "a\xef\xbf\xbd\xef\xbf\xbd"
                        "b\xef\xbf\xbd(c");
    n = parse_html_text("a\0b", 3, small, sizeof(small));
    assert_int_equal(n, 2);
    assert_string_equal(small, "ab");
    /* The cap: cut on a character boundary, NUL-terminated. */
    n = parse_html_text("abc\xc3\xa9\xc3\xa9xyz", 11, small, sizeof(small));
    assert_int_equal(n, 7);
    assert_string_equal(small, "abc\xc3\xa9\xc3\xa9");
    n = parse_html_text("abcdef\xe2\x82\xac", 9, small, sizeof(small));
    assert_int_equal(n, 6);
    assert_string_equal(small, "abcdef");
    n = parse_html_text("abc", 3, small, 1);
    assert_int_equal(n, 0);
    assert_string_equal(small, "");
    assert_int_equal(parse_html_text("abc", 3, small, 0), 0);
}

/* html_linear feeds pathological inputs: each must finish quickly (the
 * test's timeout is the check) and stay in bounds (ASan). */
CHORUS_TEST(html_linear)
{
    static const char *const units[] = {"<script>", "<!--",    "&#x",      "&amp", "<a b='",
                                        "<p",       "</scrip", "\xe2\x82", "<"};
    size_t n = 1 << 20, cap = 64 << 10;
    char *in = malloc(n), *out = malloc(cap);

    assert_non_null(in);
    assert_non_null(out);
    for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
        size_t k = strlen(units[u]);

        for (size_t i = 0; i < n; i++)
            in[i] = units[u][i % k];
        parse_html_text(in, n, out, cap);
        assert_true(chorus_utf8_valid(out, strlen(out)));
    }
    free(in);
    free(out);
}

/* ---- the rules every item meets --------------------------------------------------------- */

static char *rss_one(const char *inner)
{
    size_t n = strlen(inner) + 128;
    char *doc = malloc(n);

    assert_non_null(doc);
    snprintf(doc, n, "<rss><channel><item>%s</item></channel></rss>", inner);
    return doc;
}

static char *fill(char c, size_t n)
{
    char *s = malloc(n + 1);

    assert_non_null(s);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

CHORUS_TEST(text_rules)
{
    struct fcollect c = {0};
    char *big, *inner, *doc;
    size_t len;

    /* Invalid UTF-8 in CDATA and text: U+FFFD per byte; control characters
     * that XML forbids are dropped before libxml2 sees them. */
    assert_int_equal(run(&c, SOURCE_RSS, NULL,
                         "<rss><channel><item><guid>g\x01"
                         "1</guid><title>ok \xff\xfe bad\x02"
                         "</title><description><![CDATA[<p>caf\xe9 \xc3 \x01x</p>]]>"
                         "</description><dc:creator xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
                         "\xc2\x85"
                         "Ann\xc2\x9f</dc:creator></item></channel></rss>",
                         NULL),
                     0);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.items[0].source_id, "g1");
    assert_string_equal(c.items[0].title, "ok \xef\xbf\xbd\xef\xbf\xbd bad");
    assert_string_equal(c.items[0].body, "caf\xef\xbf\xbd \xef\xbf\xbd x");
    assert_string_equal(c.items[0].author, "Ann"); /* C1 controls dropped */
    fcollect_free(&c);

    /* A title or author over the cap rejects the item, in the usual words. */
    big = fill('t', CHORUS_MAX_TITLE + 1);
    inner = malloc(strlen(big) + 64);
    snprintf(inner, strlen(big) + 64, "<guid>1</guid><title>%s</title>", big);
    doc = rss_one(inner);
    assert_int_equal(run(&c, SOURCE_RSS, NULL, doc, NULL), 0);
    assert_string_equal(c.items[0].error, "title is 501 bytes; the limit is 500.");
    fcollect_free(&c);
    free(doc);
    free(inner);
    free(big);

    /* A body over the cap is cut on a character boundary with an ellipsis. */
    big = fill('b', CHORUS_MAX_BODY * 2);
    memcpy(big + CHORUS_MAX_BODY - 5, "\xc3\xa9\xc3\xa9", 4);
    inner = malloc(strlen(big) + 64);
    snprintf(inner, strlen(big) + 64, "<guid>1</guid><description>%s</description>", big);
    doc = rss_one(inner);
    assert_int_equal(run(&c, SOURCE_RSS, NULL, doc, NULL), 0);
    assert_null(c.items[0].error);
    len = strlen(c.items[0].body);
    assert_true(len <= CHORUS_MAX_BODY && len >= CHORUS_MAX_BODY - 6);
    assert_string_equal(c.items[0].body + len - 3, "\xe2\x80\xa6");
    fcollect_free(&c);
    free(doc);
    free(inner);
    free(big);

    /* A guid past CHORUS_MAX_SOURCE_ID is hashed; an item with no id is
     * named by a hash of its text, the same on every poll. */
    big = fill('g', 1000);
    inner = malloc(strlen(big) + 64);
    snprintf(inner, strlen(big) + 64, "<guid>%s</guid>", big);
    doc = rss_one(inner);
    assert_int_equal(run(&c, SOURCE_RSS, NULL, doc, NULL), 0);
    assert_true(strncmp(c.items[0].source_id, "h:", 2) == 0);
    assert_int_equal(strlen(c.items[0].source_id), 18);
    fcollect_free(&c);
    free(doc);
    free(inner);
    free(big);
    assert_int_equal(run(&c, SOURCE_RSS, NULL,
                         "<rss><channel><item><title>t</title></item><item><title>t</title>"
                         "</item><item><title>u</title></item></channel></rss>",
                         NULL),
                     0);
    assert_string_equal(c.items[0].source_id, c.items[1].source_id);
    assert_string_not_equal(c.items[0].source_id, c.items[2].source_id);
    fcollect_free(&c);
    /* A link past CHORUS_MAX_URL is left out, not worth the item. */
    big = fill('l', CHORUS_MAX_URL + 1);
    inner = malloc(strlen(big) + 64);
    snprintf(inner, strlen(big) + 64, "<guid>1</guid><link>%s</link>", big);
    doc = rss_one(inner);
    assert_int_equal(run(&c, SOURCE_RSS, NULL, doc, NULL), 0);
    assert_null(c.items[0].error);
    assert_null(c.items[0].link);
    fcollect_free(&c);
    free(doc);
    free(inner);
    free(big);
}

/* ---- hostile documents --------------------------------------------------------------------- */

/* Every attempt libxml2 makes to load an external resource (a DTD, an
 * entity) goes through the external entity loader: this one counts the
 * attempts and loads nothing, so a test can prove none was made. */
static int loads;

static xmlParserInputPtr counting_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
    (void)url;
    (void)id;
    (void)ctxt;
    loads++;
    return NULL;
}

static const char laughs[] =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE lolz [\n"
    " <!ENTITY lol \"lol\">\n"
    " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
    " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
    " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
    " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
    " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
    " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
    " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
    " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
    " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
    "]>\n"
    "<rss><channel><item><title>&lol9;</title><description>&lol9;</description></item>"
    "</channel></rss>\n";

CHORUS_TEST(hostile_billion_laughs)
{
    static const enum source_kind kinds[] = {SOURCE_RSS, SOURCE_ATOM, SOURCE_GOOGLE};

    for (size_t k = 0; k < 3; k++)
        assert_string_equal(doc_error(kinds[k], laughs),
                            "The feed declares entities, which Chorus does not load (a document "
                            "that declares entities can expand to gigabytes or read local "
                            "files); feeds do not need them.");
    /* The quadratic variant: one big entity used many times. */
    contains(doc_error(SOURCE_RSS, "<!DOCTYPE rss [<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaa\">]>"
                                   "<rss><channel><item><title>&a;&a;&a;&a;&a;&a;</title>"
                                   "</item></channel></rss>"),
             "declares entities");
}

CHORUS_TEST(hostile_external)
{
    char marker[] = "/tmp/chorus-xxe-XXXXXX", doc[1024];
    const char *templates[] = {
        /* a general external entity, as in the classic XXE */
        "<?xml version=\"1.0\"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM \"file://%s\">]>"
        "<rss><channel><item><title>&xxe;</title><description>&xxe;</description></item>"
        "</channel></rss>",
        /* a parameter entity, loaded while the DTD is read */
        "<!DOCTYPE rss [<!ENTITY %% p SYSTEM \"file://%s\"> %%p;]><rss><channel><item>"
        "<title>x</title></item></channel></rss>",
        /* an external DTD */
        "<!DOCTYPE rss SYSTEM \"file://%s\"><rss><channel><item><title>x</title></item>"
        "</channel></rss>",
        "<!DOCTYPE feed PUBLIC \"-//X//DTD X//EN\" \"file://%s\"><feed "
        "xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>1</id></entry></feed>",
        /* hidden behind a comment, a PI and a forbidden control character */
        "<?xml version=\"1.0\"?><!-- hi --><?pi x?>\n<!DOC\x01TYPE rss [<!-- ] --> "
        "<!ENTITY xxe SYSTEM \"file://%s\">]><rss><channel><item><title>&xxe;</title></item>"
        "</channel></rss>",
        /* and for /etc/passwd itself */
        "<!DOCTYPE rss [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><rss><channel><item>"
        "<title>&xxe;</title></item></channel></rss>%s",
    };
    xmlExternalEntityLoader saved = xmlGetExternalEntityLoader();
    int fd = mkstemp(marker);

    assert_true(fd >= 0);
    assert_true(write(fd, "root:x:0:0:root:/root:/bin/sh\n", 31) == 31);
    close(fd);
    xmlSetExternalEntityLoader(counting_loader);
    loads = 0;
    for (size_t i = 0; i < sizeof(templates) / sizeof(templates[0]); i++) {
        struct parse_error err;
        struct fcollect c = {0};
        enum source_kind kind = strstr(templates[i], "Atom") ? SOURCE_ATOM : SOURCE_RSS;

        snprintf(doc, sizeof(doc), templates[i], i == 5 ? "" : marker);
        assert_int_equal(run(&c, kind, NULL, doc, &err), CHORUS_EPARSE);
        assert_int_equal(c.n, 0); /* so no item holds "root:" */
        if (!strstr(err.message, "declares entities") && !strstr(err.message, "external DTD"))
            fail_msg("template %zu: %s", i, err.message);
        fcollect_free(&c);
    }
    assert_int_equal(loads, 0); /* nothing was read from disk or network */
    xmlSetExternalEntityLoader(saved);
    unlink(marker);
    /* A DOCTYPE that declares nothing and points nowhere is harmless. */
    {
        struct fcollect c = {0};

        assert_int_equal(run(&c, SOURCE_RSS, NULL,
                             "<!DOCTYPE rss><rss><channel><item><guid>1</guid></item></channel>"
                             "</rss>",
                             NULL),
                         0);
        assert_int_equal(c.n, 1);
        fcollect_free(&c);
        assert_int_equal(run(&c, SOURCE_RSS, NULL,
                             "<!DOCTYPE rss [<!ELEMENT rss ANY><!-- x -->]><rss><channel><item>"
                             "<guid>1</guid></item></channel></rss>",
                             NULL),
                         0);
        assert_int_equal(c.n, 1);
        fcollect_free(&c);
    }
}

/* The prolog check reads the first 64 KiB: whatever could hide a DOCTYPE
 * past that point refuses the document rather than slipping through. */
CHORUS_TEST(hostile_prolog)
{
    static const char *const tails[] = {
        "-->\n<!DOCTYPE rss [<!ENTITY a SYSTEM \"file:///etc/passwd\">]><rss/>",
        "\n<!DOCTYPE rss [<!ENTITY a SYSTEM \"file:///etc/passwd\">]><rss/>",
    };
    size_t pad = 70 * 1024;
    char *doc = malloc(pad + 256);

    /* A comment longer than the window, then the DOCTYPE. */
    strcpy(doc, "<!--");
    memset(doc + 4, 'c', pad);
    strcpy(doc + 4 + pad, tails[0]);
    contains(doc_error(SOURCE_RSS, doc), "more than 64 KiB before its first element");
    /* Blanks between DOCTYPE and its subset, past the window. */
    strcpy(doc, "<!DOCTYPE rss");
    memset(doc + 13, ' ', pad);
    strcpy(doc + 13 + pad, tails[1] + 14); /* " [<!ENTITY ..." */
    contains(doc_error(SOURCE_RSS, doc), "DOCTYPE runs past the first 64 KiB");
    /* An internal subset longer than the window. */
    strcpy(doc, "<!DOCTYPE rss [");
    memset(doc + 15, ' ', pad);
    strcpy(doc + 15 + pad, "<!ENTITY a \"b\">]><rss/>");
    contains(doc_error(SOURCE_RSS, doc), "DOCTYPE runs past the first 64 KiB");
    free(doc);
    /* Text before the root element, and a whole prolog of blanks. */
    contains(doc_error(SOURCE_RSS, "junk<rss/>"), "text before its first element");
    contains(doc_error(SOURCE_RSS, "<?xml version=\"1.0\"?> x <rss/>"),
             "text before its first element");
}

CHORUS_TEST(hostile_depth_and_size)
{
    struct fcollect c = {0};
    size_t n = 300 * 8 + 256, big = 2u << 20;
    char *doc = malloc(n), *p = doc, *huge = malloc(2 * big + 512);

    /* 300 levels inside an item: refused at PARSE__FEED_DEPTH. */
    p += sprintf(p, "<rss><channel><item><guid>1</guid>");
    for (int i = 0; i < 300; i++)
        p += sprintf(p, "<a>");
    strcpy(p, "x");
    contains(doc_error(SOURCE_RSS, doc), "nests elements more than 64 deep");
    /* The same in JSON is an item error; the feed goes on. */
    p = doc;
    p += sprintf(p, "[");
    for (int i = 0; i < 100; i++)
        p += sprintf(p, "{\"a\":");
    p += sprintf(p, "1");
    for (int i = 0; i < 100; i++)
        p += sprintf(p, "}");
    sprintf(p, ",{\"t\":\"ok\"}]");
    assert_int_equal(run(&c, SOURCE_JSON, "title=t", doc, NULL), 0);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.items[0].error, "The item nests more than 64 levels deep.");
    assert_string_equal(c.items[1].title, "ok");
    fcollect_free(&c);
    free(doc);

    /* A 2 MiB title is an item error, a 2 MiB body is cut; neither stops
     * the feed. */
    p = huge;
    p += sprintf(p, "<rss><channel><item><guid>1</guid><title>");
    memset(p, 'x', big);
    p += big;
    p += sprintf(p, "</title></item><item><guid>2</guid><description><![CDATA[");
    memset(p, 'y', big / 2);
    p += big / 2;
    sprintf(p, "]]></description></item><item><guid>3</guid></item></channel></rss>");
    assert_int_equal(run(&c, SOURCE_RSS, NULL, huge, NULL), 0);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.items[0].error,
                        "title is more than 1048576 bytes; the limit is much lower.");
    assert_int_equal(strlen(c.items[1].body), CHORUS_MAX_BODY);
    assert_string_equal(c.items[2].source_id, "3");
    fcollect_free(&c);
    free(huge);
}

/* truncate parses every prefix of text: no crash, items or EPARSE. */
static void truncate_all(enum source_kind kind, const char *map, const char *text)
{
    size_t len = strlen(text);

    for (size_t k = 0; k <= len; k++) {
        struct fcollect c = {0};
        struct parse_feed_options opt = {map, 0};
        struct parse_error err;
        char *copy = malloc(k ? k : 1); /* exactly k bytes: ASan sees overreads */
        int rc;

        assert_non_null(copy);
        memcpy(copy, text, k);
        rc = parse_feed(copy, k, kind, &opt, fcb, &c, &err);
        if (rc != 0 && rc != CHORUS_EPARSE)
            fail_msg("prefix %zu: rc %d", k, rc);
        if (rc == CHORUS_EPARSE)
            assert_true(err.message[0] != '\0');
        if (k == len)
            assert_int_equal(rc, 0);
        fcollect_free(&c);
        free(copy);
    }
}

CHORUS_TEST(truncations)
{
    truncate_all(SOURCE_RSS, NULL, rss_feed);
    truncate_all(SOURCE_ATOM, NULL, chorus_atom);
    truncate_all(SOURCE_GOOGLE, NULL, chorus_google);
    truncate_all(SOURCE_JSON, SHOP_MAP,
                 "{\"reviews\":[{\"id\":1,\"stars\":4,\"name\":\"a\\\"b\",\"tags\":[\"x\"]},"
                 "{\"id\":2,\"text\":\"<p>t</p>\"}]}");
    truncate_all(SOURCE_NDJSON, SHOP_MAP, "{\"id\":1,\"stars\":4}\n{\"id\":2,\"name\":\"x\"}\n");
}

CHORUS_TEST(limits_and_stop)
{
    struct fcollect c = {0};
    struct parse_feed_options opt = {NULL, 2};
    struct parse_error err;
    char doc[4200], *pad;

    assert_int_equal(parse_feed(rss_feed, strlen(rss_feed), SOURCE_RSS, &opt, fcb, &c, &err), 0);
    assert_int_equal(c.n, 2);
    fcollect_free(&c);
    c.stop_after = 1;
    assert_int_equal(run(&c, SOURCE_RSS, NULL, rss_feed, NULL), 9);
    assert_int_equal(c.n, 1);
    fcollect_free(&c);
    c.stop_after = 2;
    assert_int_equal(run(&c, SOURCE_JSON, "title=t", "[{},{},{}]", NULL), 9);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.items[0].error, "The item has no id and nothing to tell it apart by "
                                          "(no title, text, author, link, date or rating).");
    fcollect_free(&c);
    /* Items well before a break are delivered (libxml2 reads a few hundred
     * bytes ahead); the document is still an error. */
    pad = fill('p', 4000);
    snprintf(doc, sizeof(doc),
             "<rss><channel><item><guid>1</guid><description>%s</description></item><item>"
             "<guid>2</guid><oops></item></channel></rss>",
             pad);
    free(pad);
    assert_int_equal(run(&c, SOURCE_RSS, NULL, doc, &err), CHORUS_EPARSE);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.items[0].source_id, "1");
    contains(err.message, "The feed is not well-formed XML");
    assert_true(err.line >= 1);
    fcollect_free(&c);
}

CHORUS_TEST(kinds_and_roots)
{
    static const char *const names[] = {"rss", "atom", "google-reviews", "json", "ndjson"};
    enum source_kind k;

    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(source_kind_parse(names[i], &k), 0);
        assert_string_equal(source_kind_name(k), names[i]);
    }
    assert_int_equal(source_kind_parse("RSS", &k), CHORUS_EINVAL);
    assert_int_equal(source_kind_parse("", &k), CHORUS_EINVAL);
    assert_int_equal(source_kind_parse(NULL, &k), CHORUS_EINVAL);
    assert_string_equal(source_kind_name((enum source_kind)99), "unknown");

    assert_string_equal(doc_error(SOURCE_RSS, chorus_atom),
                        "The document is an Atom feed, not RSS; choose the kind atom.");
    contains(doc_error(SOURCE_RSS, chorus_google), "choose the kind google-reviews");
    assert_string_equal(doc_error(SOURCE_ATOM, rss_feed),
                        "The document is an RSS feed, not Atom; choose the kind rss.");
    contains(doc_error(SOURCE_ATOM, chorus_google), "not in the Atom namespace");
    contains(doc_error(SOURCE_GOOGLE, chorus_atom), "choose the kind atom");
    contains(doc_error(SOURCE_GOOGLE, rss_feed), "choose the kind rss");
    assert_string_equal(doc_error(SOURCE_RSS, "<html><body>Hi</body></html>"),
                        "The document is an HTML page, not an RSS feed.");
    contains(doc_error(SOURCE_RSS, "not xml at all"), "not well-formed XML");
    contains(doc_error(SOURCE_ATOM, ""), "not well-formed XML");
    contains(doc_error(SOURCE_RSS, "\xff\xfe<\0r\0s\0s\0>\0"), "UTF-16");
    contains(doc_error(SOURCE_RSS, "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss/>"), "UTF-16");
    /* A declared single-byte encoding is converted, not repaired. */
    {
        struct fcollect c = {0};

        assert_int_equal(run(&c, SOURCE_RSS, NULL,
                             "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss><channel><item>"
                             "<guid>1</guid><title>caf\xe9</title></item></channel></rss>",
                             NULL),
                         0);
        assert_string_equal(c.items[0].title, "caf\xc3\xa9");
        fcollect_free(&c);
    }
}

CHORUS_TEST_MAIN()
