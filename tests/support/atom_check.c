/* Atom checks for the integration tests (atom_check.h): libxml2 parsing
 * without network or entity loading, XPath with the atom and chorus
 * prefixes, and the RFC 4287 requirements every Chorus feed must meet. */
#include "atom_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

/* ---- parsing ------------------------------------------------------------------------ */

xmlDoc *ac__parse(const char *buf, size_t len, const char *file, int line)
{
    /* XML_PARSE_NONET only: no XML_PARSE_NOENT, no DTD loading. A feed is
     * input like any other. */
    xmlDoc *doc = buf ? xmlReadMemory(buf, (int)len, NULL, NULL, XML_PARSE_NONET) : NULL;

    if (!doc) {
        print_error("the reply is not well-formed XML (%zu bytes): %.1500s\n", len,
                    buf ? buf : "(null)");
        _fail(file, line);
    }
    return doc;
}

xmlDoc *ac__parse_html(const char *s, const char *file, int line)
{
    xmlDoc *doc = htmlReadMemory(s, (int)strlen(s), NULL, "UTF-8",
                                 HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);

    if (!doc) {
        print_error("libxml2's HTML parser made nothing of: %.1500s\n", s);
        _fail(file, line);
    }
    return doc;
}

xmlDoc *ac__fetch(struct chorusd *d, const char *path, bool key, const char *file, int line)
{
    struct hresp *r = key ? h_get_key(d, path) : h_get(d, path);
    xmlDoc *doc;

    h__expect_status(r, 200, file, line);
    h__expect_header(r, "Content-Type", "application/atom+xml", file, line);
    doc = ac__parse(r->body, r->len, file, line);
    hresp_free(r);
    ac__check_rfc4287(doc, file, line);
    return doc;
}

/* ---- XPath -------------------------------------------------------------------------- */

/* eval evaluates xpath at ctx with the feed prefixes registered; caller
 * frees the result with xmlXPathFreeObject. */
static xmlXPathObject *eval(xmlDoc *doc, xmlNode *ctx, const char *xpath, const char *file,
                            int line)
{
    xmlXPathContext *xc = xmlXPathNewContext(doc);
    xmlXPathObject *o;

    if (!xc)
        abort();
    xmlXPathRegisterNs(xc, BAD_CAST "atom", BAD_CAST AC_ATOM_NS);
    xmlXPathRegisterNs(xc, BAD_CAST "chorus", BAD_CAST AC_CHORUS_NS);
    xc->node = ctx ? ctx : (xmlNode *)doc;
    o = xmlXPathEvalExpression(BAD_CAST xpath, xc);
    xmlXPathFreeContext(xc);
    if (!o) {
        print_error("XPath '%s' could not be evaluated\n", xpath);
        _fail(file, line);
    }
    return o;
}

size_t ac__count(xmlDoc *doc, xmlNode *ctx, const char *xpath, const char *file, int line)
{
    xmlXPathObject *o = eval(doc, ctx, xpath, file, line);
    size_t n;

    if (o->type != XPATH_NODESET) {
        xmlXPathFreeObject(o);
        print_error("XPath '%s' does not select nodes\n", xpath);
        _fail(file, line);
    }
    n = o->nodesetval ? (size_t)o->nodesetval->nodeNr : 0;
    xmlXPathFreeObject(o);
    return n;
}

xmlNode *ac__node(xmlDoc *doc, xmlNode *ctx, const char *xpath, size_t i, const char *file,
                  int line)
{
    xmlXPathObject *o = eval(doc, ctx, xpath, file, line);
    xmlNode *n = NULL;

    if (o->type == XPATH_NODESET && o->nodesetval && i < (size_t)o->nodesetval->nodeNr)
        n = o->nodesetval->nodeTab[i];
    xmlXPathFreeObject(o);
    return n;
}

char *ac__str(xmlDoc *doc, xmlNode *ctx, const char *xpath, const char *file, int line)
{
    xmlXPathObject *o = eval(doc, ctx, xpath, file, line);
    xmlChar *s = xmlXPathCastToString(o);
    char *out = strdup(s ? (const char *)s : "");

    if (!out)
        abort();
    xmlFree(s);
    xmlXPathFreeObject(o);
    return out;
}

void ac__expect_str(xmlDoc *doc, xmlNode *ctx, const char *xpath, const char *want,
                    const char *file, int line)
{
    char *got = ac__str(doc, ctx, xpath, file, line);

    if (strcmp(got, want) != 0) {
        print_error("XPath '%s' is \"%s\", expected \"%s\"\n", xpath, got, want);
        free(got);
        _fail(file, line);
    }
    free(got);
}

void ac__expect_count(xmlDoc *doc, xmlNode *ctx, const char *xpath, size_t n, const char *file,
                      int line)
{
    size_t got = ac__count(doc, ctx, xpath, file, line);

    if (got != n) {
        print_error("XPath '%s' selects %zu nodes, expected %zu\n", xpath, got, n);
        _fail(file, line);
    }
}

/* ---- RFC 3339 and RFC 4287 ------------------------------------------------------------- */

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

bool ac_rfc3339(const char *s)
{
    /* date-time = full-date "T" partial-time time-offset (RFC 3339 5.6). */
    if (strlen(s) < 20 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
        !digits(s + 8, 2) || (s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2) || s[13] != ':' ||
        !digits(s + 14, 2) || s[16] != ':' || !digits(s + 17, 2))
        return false;
    s += 19;
    if (*s == '.') {
        size_t n = strspn(s + 1, "0123456789");

        if (n == 0)
            return false;
        s += 1 + n;
    }
    if (strcmp(s, "Z") == 0 || strcmp(s, "z") == 0)
        return true;
    return (s[0] == '+' || s[0] == '-') && strlen(s) == 6 && digits(s + 1, 2) && s[3] == ':' &&
           digits(s + 4, 2);
}

/* expect_none fails when xpath selects anything: each such expression
 * names the elements that break one rule. */
static void expect_none(xmlDoc *doc, const char *xpath, const char *rule, const char *file,
                        int line)
{
    size_t n = ac__count(doc, NULL, xpath, file, line);

    if (n) {
        print_error("RFC 4287: %s (%zu offending nodes: %s)\n", rule, n, xpath);
        _fail(file, line);
    }
}

void ac__check_rfc4287(xmlDoc *doc, const char *file, int line)
{
    xmlNode *entries[1024];
    char **ids;
    size_t n;
    char *s;

    if (ac__count(doc, NULL, "/atom:feed", file, line) != 1) {
        print_error("RFC 4287: the root element is not atom:feed\n");
        _fail(file, line);
    }
    expect_none(doc, "/atom:feed[count(atom:id) != 1]", "a feed has exactly one atom:id", file,
                line);
    expect_none(doc, "/atom:feed[count(atom:title) != 1]", "a feed has exactly one atom:title",
                file, line);
    expect_none(doc, "/atom:feed[count(atom:updated) != 1]", "a feed has exactly one atom:updated",
                file, line);
    expect_none(doc, "/atom:feed[count(atom:link[@rel = 'self']) != 1]",
                "a feed has one atom:link rel=\"self\"", file, line);
    /* "unless all of the atom:feed element's child atom:entry elements
     * contain at least one atom:author": an empty feed without an author
     * meets the letter of RFC 4287 4.1.1 (feedvalidator.org warns). */
    expect_none(doc, "/atom:feed[not(atom:author)]/atom:entry[not(atom:author)]",
                "an author on the feed or on every entry", file, line);
    expect_none(doc, "//atom:author[count(atom:name) != 1]", "an atom:author has one atom:name",
                file, line);
    expect_none(doc, "/atom:feed/atom:entry[count(atom:id) != 1]",
                "an entry has exactly one atom:id", file, line);
    expect_none(doc, "/atom:feed/atom:entry[count(atom:title) != 1]",
                "an entry has exactly one atom:title", file, line);
    expect_none(doc, "/atom:feed/atom:entry[count(atom:updated) != 1]",
                "an entry has exactly one atom:updated", file, line);
    expect_none(doc,
                "/atom:feed/atom:entry[not(atom:content) and "
                "not(atom:link[not(@rel) or @rel = 'alternate'])]",
                "an entry has atom:content or a link rel=\"alternate\"", file, line);
    expect_none(doc, "/atom:feed/atom:entry[count(atom:content) > 1]",
                "an entry has at most one atom:content", file, line);
    expect_none(doc,
                "/atom:feed/atom:id[normalize-space(.) = ''] | "
                "//atom:entry/atom:id[normalize-space(.) = '']",
                "ids are not empty", file, line);

    s = ac__str(doc, NULL, "/atom:feed/atom:updated", file, line);
    if (!ac_rfc3339(s)) {
        print_error("RFC 4287: the feed's atom:updated \"%s\" is not an RFC 3339 date-time\n", s);
        free(s);
        _fail(file, line);
    }
    free(s);

    n = ac_entries(doc, entries, sizeof(entries) / sizeof(entries[0]));
    if (n > sizeof(entries) / sizeof(entries[0])) {
        print_error("more entries than this check holds (%zu)\n", n);
        _fail(file, line);
    }
    ids = calloc(n + 1, sizeof(*ids));
    if (!ids)
        abort();
    for (size_t i = 0; i < n; i++) {
        s = ac__str(doc, entries[i], "atom:updated", file, line);
        if (!ac_rfc3339(s)) {
            print_error("RFC 4287: entry %zu's atom:updated \"%s\" is not RFC 3339\n", i, s);
            free(s);
            _fail(file, line);
        }
        free(s);
        ids[i] = ac__str(doc, entries[i], "atom:id", file, line);
        for (size_t k = 0; k < i; k++)
            if (strcmp(ids[k], ids[i]) == 0) {
                print_error("RFC 4287: entries %zu and %zu share the id %s\n", k, i, ids[i]);
                _fail(file, line);
            }
    }
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
    free(ids);
}

/* ---- entries and links --------------------------------------------------------------- */

size_t ac_entries(xmlDoc *doc, xmlNode **out, size_t cap)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    size_t n = 0;

    for (xmlNode *c = root ? root->children : NULL; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || strcmp((const char *)c->name, "entry") != 0 || !c->ns ||
            strcmp((const char *)c->ns->href, AC_ATOM_NS) != 0)
            continue;
        if (n < cap)
            out[n] = c;
        n++;
    }
    return n;
}

uint64_t ac__review_id(xmlDoc *doc, xmlNode *entry, const char *file, int line)
{
    char *id = ac__str(doc, entry, "atom:id", file, line);
    const char *at = strrchr(id, '/');
    char *end = NULL;
    unsigned long long v = 0;

    if (at && at - id >= 7 && strncmp(at - 7, "/review", 7) == 0 && at[1] >= '1' && at[1] <= '9')
        v = strtoull(at + 1, &end, 10);
    if (!v || *end) {
        print_error("entry id \"%s\" does not end with /review/<id>\n", id);
        free(id);
        _fail(file, line);
    }
    free(id);
    return v;
}

char *ac_link(xmlDoc *doc, const char *rel)
{
    char xpath[128];
    xmlXPathContext *xc = xmlXPathNewContext(doc);
    xmlXPathObject *o;
    char *out = NULL;

    if (!xc)
        abort();
    xmlXPathRegisterNs(xc, BAD_CAST "atom", BAD_CAST AC_ATOM_NS);
    snprintf(xpath, sizeof(xpath), "/atom:feed/atom:link[@rel = '%s']/@href", rel);
    o = xmlXPathEvalExpression(BAD_CAST xpath, xc);
    if (o && o->type == XPATH_NODESET && o->nodesetval && o->nodesetval->nodeNr > 0) {
        xmlChar *s = xmlNodeGetContent(o->nodesetval->nodeTab[0]);

        out = strdup(s ? (const char *)s : "");
        if (!out)
            abort();
        xmlFree(s);
    }
    xmlXPathFreeObject(o);
    xmlXPathFreeContext(xc);
    return out;
}

const char *ac_href_path(const char *href)
{
    const char *p = strstr(href, "://");

    p = p ? strchr(p + 3, '/') : NULL;
    return p ? p : href;
}

void ac_strs_free(char **s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(s[i]);
}
