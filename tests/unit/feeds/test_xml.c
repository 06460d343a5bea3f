/* The feeds' text safety net: whatever bytes a store holds (old folders,
 * imports from before a fix), what the writers emit is well-formed XML and
 * escaped HTML. */
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "testmain.h"

#include "feed_int.h"

/* doc_of writes one element with text s (and an attribute with s) and
 * returns the document, which must parse. Caller frees. */
static xmlDoc *doc_of(const char *s, struct buf *out)
{
    struct feed__xml x;
    xmlDoc *doc;

    assert_int_equal(feed__xml_open(&x, 0), 0);
    feed__start(&x, "e");
    feed__attr(&x, "a", s);
    feed__text(&x, s);
    feed__end(&x);
    feed__xml_end(&x);
    buf_init(out, 0);
    assert_int_equal(feed__xml_take(&x, out), 0);
    feed__xml_close(&x);
    doc = xmlReadMemory(out->data, (int)out->len, NULL, "UTF-8", XML_PARSE_NONET);
    assert_non_null(doc);
    return doc;
}

static char *text_of(xmlDoc *doc)
{
    return (char *)xmlNodeGetContent(xmlDocGetRootElement(doc));
}

CHORUS_TEST(hostile_bytes_stay_well_formed)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"plain", "plain"},
        {"<script>alert(1)</script> & ]]> \"'", "<script>alert(1)</script> & ]]> \"'"},
        {"ctl\x01\x08\x0b\x0c\x1f end", "ctl\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                                        "\xef\xbf\xbd end"},
        {"tab\tnl\ncr\r.", "tab\tnl\ncr\r."}, /* the writer escapes CR as &#13; */
        {"del\x7f c1\xc2\x85.", "del\xef\xbf\xbd c1\xef\xbf\xbd."},
        {"bad\xff\xfe utf8 \xc3", "bad\xef\xbf\xbd\xef\xbf\xbd utf8 \xef\xbf\xbd"},
        {"overlong \xc0\xaf surrogate \xed\xa0\x80.", "overlong \xef\xbf\xbd\xef\xbf\xbd surrogate "
                                                      "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd."},
        {"nonchar \xef\xbf\xbe rtl \xe2\x80\xae emoji \xf0\x9f\x98\x80",
         "nonchar \xef\xbf\xbd rtl \xe2\x80\xae emoji \xf0\x9f\x98\x80"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct buf out;
        xmlDoc *doc = doc_of(cases[i].in, &out);
        char *got = text_of(doc);
        xmlChar *attr = xmlGetProp(xmlDocGetRootElement(doc), BAD_CAST "a");

        if (strcmp(got, cases[i].want) != 0)
            fail_msg("case %zu: got \"%s\"", i, got);
        assert_non_null(attr);
        xmlFree(attr);
        xmlFree(got);
        xmlFreeDoc(doc);
        buf_cleanup(&out);
    }
}

CHORUS_TEST(html_is_escaped)
{
    struct buf b;

    buf_init(&b, 0);
    assert_int_equal(feed__html(&b, "<img src=x onerror=\"alert('1')\"> & \xff"), 0);
    assert_string_equal(b.data, "&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt; &amp; "
                                "\xef\xbf\xbd");
    buf_reset(&b);
    assert_int_equal(feed__html(&b, NULL), 0);
    assert_int_equal(b.len, 0);
    assert_int_equal(chorus_pct(&b, "a b/é~", strlen("a b/é~"), false), 0);
    assert_string_equal(b.data, "a%20b%2F%C3%A9~");
    buf_reset(&b);
    assert_int_equal(feed__stars(&b, 2), 0);
    assert_string_equal(b.data, "\xe2\x98\x85\xe2\x98\x85\xe2\x98\x86\xe2\x98\x86\xe2\x98\x86");
    buf_cleanup(&b);
}

CHORUS_TEST(links_and_tags)
{
    struct feed_site site = {"http://h:1", NULL, "example.com", "00ff", NULL, "Chorus"};
    struct product p = {.id = "a b&c"};
    struct buf b;

    buf_init(&b, 0);
    assert_int_equal(feed_review_url(&b, &site, "a b&c", 42), 0);
    assert_string_equal(b.data, "http://h:1/p/a%20b%26c#review-42");
    buf_reset(&b);
    site.review_url = "https://shop.example/r/{product}/{id}?x=1";
    assert_int_equal(feed_review_url(&b, &site, "a/b", 7), 0);
    assert_string_equal(b.data, "https://shop.example/r/a%2Fb/7?x=1");
    buf_reset(&b);
    assert_int_equal(feed_product_url(&b, &site, &p), 0);
    assert_string_equal(b.data, "http://h:1/p/a%20b%26c");
    buf_reset(&b);
    p.url = "https://shop.example/p";
    assert_int_equal(feed_product_url(&b, &site, &p), 0);
    assert_string_equal(b.data, "https://shop.example/p");
    buf_reset(&b);
    assert_int_equal(feed_tag(&b, &site, "review/42"), 0);
    assert_string_equal(b.data, "tag:example.com,2026:00ff/review/42");
    buf_cleanup(&b);
}

/* A capped document stops growing at its cap while it is written, not
 * after: 1,000 writes of 10 KB of '&' (50 KB each once escaped) end with
 * the writer's buffer within a write or two of 100 KB, not at 50 MB. */
CHORUS_TEST(cap_holds_while_writing)
{
    struct feed__xml x;
    char *amp = malloc(10001);

    assert_non_null(amp);
    memset(amp, '&', 10000);
    amp[10000] = '\0';
    assert_int_equal(feed__xml_open(&x, 100000), 0);
    feed__start(&x, "feed");
    for (int i = 0; i < 1000; i++)
        feed__elem(&x, "entry", amp);
    assert_int_equal(x.rc, CHORUS_ETOOBIG);
    assert_true(xmlBufferLength(x.xb) < 100000 + 2 * 50000 + 8192);
    feed__xml_close(&x);
    free(amp);
}

CHORUS_TEST_MAIN()
