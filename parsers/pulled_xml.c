/* The hardened, streaming XML reader under the RSS, Atom and Google feed
 * parsers.
 *
 * Feeds come from servers Chorus does not control, so the reader trusts
 * nothing in them:
 *
 * - libxml2's xmlReader streams the document (a node at a time, freed as it
 *   goes), so a 200 MB feed costs one item's worth of memory, not a tree.
 * - Options: XML_PARSE_NONET; never XML_PARSE_NOENT (entity substitution),
 *   XML_PARSE_DTDLOAD, XML_PARSE_DTDATTR, XML_PARSE_DTDVALID or
 *   XML_PARSE_HUGE. So no external DTD or entity is ever fetched, and
 *   libxml2's own size limits stay on.
 * - Before libxml2 sees a byte, the prolog is checked (pulled_prolog.c): a
 *   DOCTYPE naming an external DTD, or an internal subset declaring
 *   entities, refuses the document (billion laughs, XXE). A DOCTYPE node or
 *   entity reference that still reaches the reader refuses it too.
 * - Depth is capped at PARSE__FEED_DEPTH, and a captured field at
 *   PARSE__FEED_RAW bytes (the rest of it is skipped, not stored).
 * - Invalid UTF-8 is repaired on its way in (pulled_prolog.c), so one bad
 *   byte does not cost the whole feed.
 */
#include "parse_int.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>
#include <libxml/xmlreader.h>

#include "chorus/base.h"

#define MAX_ATTRS 8 /* attribute values one start handler may hold */

struct parse__xml {
    xmlTextReaderPtr reader;
    const struct parse__xml_ops *ops;
    void *ctx;
    struct {
        enum parse__ns ns;
        const char *name;
    } stack[PARSE__FEED_DEPTH];
    int cap_mode; /* 0, PARSE__CAP_TEXT or PARSE__CAP_MARKUP */
    int cap_depth;
    bool cut;
    struct buf cap;
    xmlChar *attrs[MAX_ATTRS];
    size_t n_attrs;
    bool has_error; /* libxml2 reported one: the first is kept */
    int line, column;
    char error[160];
};

/* ---- input ------------------------------------------------------------------------ */

static int io_read(void *ctx, char *buffer, int len)
{
    return len > 0 ? (int)parse__xml_filter(ctx, buffer, (size_t)len) : 0;
}

static int io_close(void *ctx)
{
    (void)ctx;
    return 0;
}

/* ---- the reader ------------------------------------------------------------------------ */

static enum parse__ns ns_of(const xmlChar *uri)
{
    static const struct {
        const char *uri;
        enum parse__ns ns;
    } known[] = {
        {"http://www.w3.org/2005/Atom", NS_ATOM},
        {"https://chorus.dev/ns/feed/1", NS_CHORUS},
        {"http://purl.org/rss/1.0/modules/content/", NS_CONTENT},
        {"http://purl.org/dc/elements/1.1/", NS_DC},
        {"http://purl.org/rss/1.0/", NS_RSS1},
        {"http://www.w3.org/1999/02/22-rdf-syntax-ns#", NS_RDF},
    };

    if (!uri)
        return NS_NONE;
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (strcmp(known[i].uri, (const char *)uri) == 0)
            return known[i].ns;
    return NS_OTHER;
}

static void on_error(void *arg, xmlErrorPtr e)
{
    struct parse__xml *x = arg;
    size_t n;

    if (x->has_error || !e || e->level < XML_ERR_ERROR)
        return;
    x->has_error = true;
    x->line = e->line;
    x->column = e->int2;
    n = e->message ? strlen(e->message) : 0;
    while (n > 0 && (e->message[n - 1] == '\n' || e->message[n - 1] == ' '))
        n--;
    parse__clean(x->error, sizeof(x->error), e->message ? e->message : "", n);
}

void parse__xml_capture(struct parse__xml *x, int mode)
{
    x->cap_mode = mode;
    x->cap_depth = xmlTextReaderDepth(x->reader);
    x->cut = false;
    buf_reset(&x->cap);
}

const char *parse__xml_attr(struct parse__xml *x, const char *name)
{
    xmlChar *v;

    if (x->n_attrs == MAX_ATTRS)
        return NULL;
    v = xmlTextReaderGetAttribute(x->reader, (const xmlChar *)name);
    if (v)
        x->attrs[x->n_attrs++] = v;
    return (const char *)v;
}

/* cap_put appends to the capture what room is left for. */
static void cap_put(struct parse__xml *x, const char *s, size_t n)
{
    size_t room = PARSE__FEED_RAW - x->cap.len;

    if (n > room) {
        n = room;
        x->cut = true;
    }
    if (n)
        buf_append(&x->cap, s, n);
}

/* cap_text appends a text node; markup captures escape it back into HTML. */
static void cap_text(struct parse__xml *x, const char *s)
{
    size_t n = strlen(s), run = 0;

    if (x->cap_mode != PARSE__CAP_MARKUP) {
        cap_put(x, s, n);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '<' && s[i] != '&') {
            run++;
            continue;
        }
        cap_put(x, s + i - run, run);
        cap_put(x, s[i] == '<' ? "&lt;" : "&amp;", s[i] == '<' ? 4 : 5);
        run = 0;
    }
    cap_put(x, s + n - run, run);
}

static void cap_tag(struct parse__xml *x, const char *name, bool close)
{
    if (x->cap_mode != PARSE__CAP_MARKUP)
        return;
    cap_put(x, close ? "</" : "<", close ? 2 : 1);
    cap_put(x, name, strlen(name));
    cap_put(x, ">", 1);
}

static void node_at(const struct parse__xml *x, int depth, struct parse__xml_node *n)
{
    n->depth = depth;
    n->ns = x->stack[depth].ns;
    n->name = x->stack[depth].name;
    n->parent_ns = depth ? x->stack[depth - 1].ns : NS_NONE;
    n->parent = depth ? x->stack[depth - 1].name : "";
}

static int end_element(struct parse__xml *x, int depth)
{
    struct parse__xml_node n;

    node_at(x, depth, &n);
    if (x->cap_mode && depth == x->cap_depth) {
        x->cap_mode = 0;
        return x->ops->end(x->ctx, &n, x->cap.data ? x->cap.data : "", x->cap.len,
                           x->cut ? PARSE__F_CUT : 0);
    }
    return x->ops->end(x->ctx, &n, NULL, 0, 0);
}

static int start_element(struct parse__xml *x, struct parse_error *err)
{
    xmlTextReaderPtr r = x->reader;
    int depth = xmlTextReaderDepth(r), rc = 0;
    bool empty = xmlTextReaderIsEmptyElement(r) == 1;
    struct parse__xml_node n;
    char msg[PARSE__ERR_MAX];

    if (depth < 0 || depth >= PARSE__FEED_DEPTH) {
        parse__doc_error(err, (size_t)xmlTextReaderGetParserLineNumber(r),
                         (size_t)xmlTextReaderGetParserColumnNumber(r), NULL,
                         "The feed nests elements more than %d deep; Chorus stops there.",
                         PARSE__FEED_DEPTH);
        return CHORUS_EPARSE;
    }
    x->stack[depth].ns = ns_of(xmlTextReaderConstNamespaceUri(r));
    x->stack[depth].name = (const char *)xmlTextReaderConstLocalName(r);
    if (!x->stack[depth].name)
        x->stack[depth].name = "";
    if (x->cap_mode) {
        cap_tag(x, x->stack[depth].name, false);
        if (empty)
            cap_tag(x, x->stack[depth].name, true);
        return 0;
    }
    node_at(x, depth, &n);
    if (depth == 0 && x->ops->root(x->ctx, &n, msg) != 0) {
        parse__doc_error(err, (size_t)xmlTextReaderGetParserLineNumber(r), 0, NULL, "%s", msg);
        return CHORUS_EPARSE;
    }
    rc = x->ops->start(x->ctx, x, &n);
    for (size_t i = 0; i < x->n_attrs; i++)
        xmlFree(x->attrs[i]);
    x->n_attrs = 0;
    if (rc == 0 && empty)
        rc = end_element(x, depth);
    return rc;
}

/* dtd_check is the second line behind prolog(): whatever DOCTYPE reached
 * the reader must declare nothing and point nowhere. (The node, not
 * xmlTextReaderCurrentDoc, which would make the reader keep the whole tree.) */
static int dtd_check(struct parse__xml *x, struct parse_error *err)
{
    xmlNodePtr node = xmlTextReaderCurrentNode(x->reader);
    xmlDtdPtr d = node && node->type == XML_DTD_NODE ? (xmlDtdPtr)node : NULL;

    if (d && (d->ExternalID || d->SystemID)) {
        parse__doc_error(err, 0, 0, NULL, "%s", PARSE__MSG_EXTERNAL);
        return CHORUS_EPARSE;
    }
    if (d && (d->entities || d->pentities)) {
        parse__doc_error(err, 0, 0, NULL, "%s", PARSE__MSG_ENTITIES);
        return CHORUS_EPARSE;
    }
    return 0;
}

static int step(struct parse__xml *x, struct parse_error *err)
{
    xmlTextReaderPtr r = x->reader;
    const xmlChar *v;

    switch (xmlTextReaderNodeType(r)) {
    case XML_READER_TYPE_ELEMENT:
        return start_element(x, err);
    case XML_READER_TYPE_END_ELEMENT: {
        int depth = xmlTextReaderDepth(r);

        if (depth < 0 || depth >= PARSE__FEED_DEPTH)
            return 0;
        if (x->cap_mode && depth > x->cap_depth) {
            cap_tag(x, x->stack[depth].name, true);
            return 0;
        }
        return end_element(x, depth);
    }
    case XML_READER_TYPE_TEXT:
    case XML_READER_TYPE_CDATA:
    case XML_READER_TYPE_WHITESPACE:
    case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
        v = xmlTextReaderConstValue(r);
        if (x->cap_mode && v)
            cap_text(x, (const char *)v);
        return 0;
    case XML_READER_TYPE_ENTITY_REFERENCE:
    case XML_READER_TYPE_ENTITY:
        parse__doc_error(err, (size_t)xmlTextReaderGetParserLineNumber(r), 0, NULL, "%s",
                         PARSE__MSG_ENTITIES);
        return CHORUS_EPARSE;
    case XML_READER_TYPE_DOCUMENT_TYPE:
        return dtd_check(x, err);
    default:
        return 0;
    }
}

int parse__xml_run(const char *data, size_t len, const struct parse__xml_ops *ops, void *ctx,
                   struct parse_error *err)
{
    struct parse__source src = {.data = data, .len = len};
    struct parse__xml x;
    char msg[PARSE__ERR_MAX];
    int rc = 0, ret;

    memset(&x, 0, sizeof(x));
    x.ops = ops;
    x.ctx = ctx;
    buf_init(&x.cap, PARSE__FEED_RAW);
    if (parse__xml_prolog(&src, msg) != 0) {
        parse__doc_error(err, 0, 0, NULL, "%s", msg);
        rc = CHORUS_EPARSE;
        goto out;
    }
    xmlInitParser();
    x.reader = xmlReaderForIO(io_read, io_close, &src, NULL, NULL,
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!x.reader)
        abort(); /* only out of memory */
    xmlTextReaderSetStructuredErrorHandler(x.reader, on_error, &x);
    for (;;) {
        ret = xmlTextReaderRead(x.reader);
        if (ret != 1)
            break;
        rc = step(&x, err);
        if (rc)
            goto out;
    }
    if (ret < 0 || x.has_error) {
        if (x.has_error)
            parse__doc_error(err, (size_t)x.line, (size_t)x.column, NULL,
                             "The feed is not well-formed XML: %s (line %d).", x.error, x.line);
        else
            parse__doc_error(err, 0, 0, NULL, "The feed is not well-formed XML.");
        rc = CHORUS_EPARSE;
    }
out:
    for (size_t i = 0; i < x.n_attrs; i++)
        xmlFree(x.attrs[i]);
    if (x.reader)
        xmlFreeTextReader(x.reader);
    buf_cleanup(&x.cap);
    return rc;
}
