/* The xmlTextWriter wrapper every feed renders through, and text escaping.
 *
 * Review text is hostile: it may hold markup, control characters or (from
 * old stores) bytes that are not UTF-8. libxml2 escapes markup but will
 * happily write a control character that makes the document unparseable,
 * so every string passes feed__clean before it reaches the writer.
 */
#include "feed_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "chorus/base.h"

int feed__xml_open(struct feed__xml *x, size_t max)
{
    memset(x, 0, sizeof(*x));
    x->max = max;
    buf_init(&x->scratch, 0);
    x->xb = xmlBufferCreate();
    if (x->xb)
        x->w = xmlNewTextWriterMemory(x->xb, 0);
    if (!x->w || xmlTextWriterStartDocument(x->w, NULL, "UTF-8", NULL) < 0) {
        x->rc = CHORUS_ENOMEM;
        return x->rc;
    }
    return 0;
}

void feed__xml_close(struct feed__xml *x)
{
    if (x->w)
        xmlFreeTextWriter(x->w);
    if (x->xb)
        xmlBufferFree(x->xb);
    buf_cleanup(&x->scratch);
    x->w = NULL;
    x->xb = NULL;
}

/* check keeps the first error; the size is checked after every write, so
 * a document over its cap stops growing there (escaping can make a page of
 * hostile reviews several times their size) instead of after it is done. */
static void check(struct feed__xml *x, int lrc)
{
    if (lrc < 0 && x->rc == 0)
        x->rc = CHORUS_ENOMEM;
    if (x->rc == 0 && x->max && (size_t)xmlBufferLength(x->xb) > x->max)
        x->rc = CHORUS_ETOOBIG;
}

void feed__xml_end(struct feed__xml *x)
{
    if (x->rc == 0)
        check(x, xmlTextWriterEndDocument(x->w));
}

int feed__xml_take(struct feed__xml *x, struct buf *b)
{
    if (x->rc == 0)
        check(x, xmlTextWriterFlush(x->w));
    if (x->rc == 0)
        x->rc = buf_append(b, xmlBufferContent(x->xb), (size_t)xmlBufferLength(x->xb));
    if (x->xb)
        xmlBufferEmpty(x->xb);
    return x->rc;
}

/* xml_char reads the character at s (n bytes left): *len gets its length
 * in bytes (1 for a byte that starts no valid UTF-8 sequence) and the
 * result says whether XML may carry it. C1 controls and DEL are allowed by
 * XML 1.0 but discouraged, and no review needs them, so they go too. */
static bool xml_char(const unsigned char *s, size_t n, size_t *len)
{
    uint32_t cp;

    *len = chorus_utf8_decode((const char *)s, n, &cp);
    if (*len == 0) {
        *len = 1; /* not UTF-8 at all: resynchronise on the next byte */
        return false;
    }
    if (cp < 0x20)
        return cp == '\t' || cp == '\n' || cp == '\r';
    return !(cp == 0xfffe || cp == 0xffff || (cp >= 0x7f && cp <= 0x9f));
}

const char *feed__clean(struct feed__xml *x, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s), i = 0, len;

    while (i < n && xml_char(p + i, n - i, &len))
        i += len;
    if (i == n)
        return s;
    buf_reset(&x->scratch);
    buf_append(&x->scratch, s, i);
    while (i < n) {
        if (xml_char(p + i, n - i, &len))
            buf_append(&x->scratch, p + i, len);
        else
            buf_puts(&x->scratch, "\xef\xbf\xbd");
        i += len;
    }
    return x->scratch.data;
}

void feed__start(struct feed__xml *x, const char *name)
{
    if (x->rc == 0)
        check(x, xmlTextWriterStartElement(x->w, BAD_CAST name));
}

void feed__start_ns(struct feed__xml *x, const char *prefix, const char *name, const char *ns)
{
    if (x->rc == 0)
        check(x, xmlTextWriterStartElementNS(x->w, BAD_CAST prefix, BAD_CAST name, BAD_CAST ns));
}

void feed__end(struct feed__xml *x)
{
    if (x->rc == 0)
        check(x, xmlTextWriterEndElement(x->w));
}

void feed__attr(struct feed__xml *x, const char *name, const char *value)
{
    if (x->rc == 0 && value)
        check(x, xmlTextWriterWriteAttribute(x->w, BAD_CAST name, BAD_CAST feed__clean(x, value)));
}

void feed__attr_ns(struct feed__xml *x, const char *prefix, const char *name, const char *ns,
                   const char *value)
{
    if (x->rc == 0 && value)
        check(x, xmlTextWriterWriteAttributeNS(x->w, BAD_CAST prefix, BAD_CAST name, BAD_CAST ns,
                                               BAD_CAST feed__clean(x, value)));
}

void feed__text(struct feed__xml *x, const char *s)
{
    if (x->rc == 0 && s)
        check(x, xmlTextWriterWriteString(x->w, BAD_CAST feed__clean(x, s)));
}

void feed__elem(struct feed__xml *x, const char *name, const char *text)
{
    if (!text)
        return;
    feed__start(x, name);
    feed__text(x, text);
    feed__end(x);
}

void feed__elemf(struct feed__xml *x, const char *name, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    feed__elem(x, name, tmp);
}

void feed__time(struct feed__xml *x, const char *name, int64_t t)
{
    char ts[64];

    chorus_time_format(t, ts);
    feed__elem(x, name, ts);
}

int feed__html(struct buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t n, i = 0, run = 0, len;
    int rc = 0;

    if (!s)
        return 0;
    n = strlen(s);
    while (i < n && rc == 0) {
        bool ok = xml_char(p + i, n - i, &len);
        const char *rep = NULL;

        if (ok && len == 1 && strchr("&<>\"'", p[i]))
            rep = p[i] == '&'   ? "&amp;"
                  : p[i] == '<' ? "&lt;"
                  : p[i] == '>' ? "&gt;"
                  : p[i] == '"' ? "&quot;"
                                : "&#39;";
        else if (!ok)
            rep = "\xef\xbf\xbd";
        if (!rep) {
            run += len;
            i += len;
            continue;
        }
        if (run)
            rc = buf_append(b, s + i - run, run);
        if (rc == 0)
            rc = buf_puts(b, rep);
        run = 0;
        i += len;
    }
    if (rc == 0 && run)
        rc = buf_append(b, s + i - run, run);
    return rc;
}

int feed__stars(struct buf *b, int n)
{
    int rc = 0;

    for (int i = 0; i < 5 && rc == 0; i++)
        rc = buf_puts(b, i < n ? "\xe2\x98\x85" : "\xe2\x98\x86");
    return rc;
}
