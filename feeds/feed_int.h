/* feeds/ internals (feed__ prefix): an xmlTextWriter with chained errors,
 * XML-safe strings and HTML escaping. */
#ifndef CHORUS_FEED_INT_H
#define CHORUS_FEED_INT_H

#include <libxml/xmlwriter.h>

#include "chorus/feed.h"

/* A document being written: libxml2 writes into xb; feed__xml_take moves
 * the bytes out. Every helper does nothing once rc is set, so a renderer
 * writes straight through and checks rc once at the end. */
struct feed__xml {
    xmlTextWriterPtr w;
    xmlBufferPtr xb;
    struct buf scratch; /* the last string made XML-safe */
    int rc;             /* first error: CHORUS_ENOMEM from libxml2, or a buffer's */
};

/* feed__xml_open starts a document (XML declaration, UTF-8, no indent).
 * Free with feed__xml_close. Returns 0 or CHORUS_ENOMEM. */
int feed__xml_open(struct feed__xml *x);
/* feed__xml_close frees the writer and its buffer; safe on a failed open. */
void feed__xml_close(struct feed__xml *x);
/* feed__xml_end closes every open element and the document. */
void feed__xml_end(struct feed__xml *x);
/* feed__xml_take appends what was written so far to b and empties xb. */
int feed__xml_take(struct feed__xml *x, struct buf *b);

/* feed__clean returns s as valid XML 1.0 character data: invalid UTF-8,
 * C0 controls other than tab and newline, and U+FFFE/U+FFFF become U+FFFD.
 * Either s itself or x->scratch's data, valid until the next call. */
const char *feed__clean(struct feed__xml *x, const char *s);

void feed__start(struct feed__xml *x, const char *name);
/* feed__start_ns starts prefix:name, declaring ns when ns is not NULL. */
void feed__start_ns(struct feed__xml *x, const char *prefix, const char *name, const char *ns);
void feed__end(struct feed__xml *x);
/* feed__attr writes an attribute of the element just started; s is cleaned.
 * A NULL value writes nothing. */
void feed__attr(struct feed__xml *x, const char *name, const char *value);
void feed__attr_ns(struct feed__xml *x, const char *prefix, const char *name, const char *ns,
                   const char *value);
/* feed__text writes cleaned, escaped character data. NULL writes nothing. */
void feed__text(struct feed__xml *x, const char *s);
/* feed__elem writes <name>text</name>; text NULL writes nothing at all. */
void feed__elem(struct feed__xml *x, const char *name, const char *text);
/* feed__elemf is feed__elem with printf-formatted text (numbers, dates). */
void feed__elemf(struct feed__xml *x, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* feed__time writes <name> with t as RFC 3339 UTC. */
void feed__time(struct feed__xml *x, const char *name, int64_t t);

/* feed__html appends s to b escaped for HTML text and attribute values
 * (& < > " '), invalid UTF-8 replaced. NULL appends nothing. */
int feed__html(struct buf *b, const char *s);
/* feed__stars appends n filled and 5-n empty stars (U+2605, U+2606). */
int feed__stars(struct buf *b, int n);
/* feed__pct appends s percent-encoded for a URL path segment or query
 * value (RFC 3986 unreserved kept). */
int feed__pct(struct buf *b, const char *s);

#endif
