/* The input side of the XML feed reader: what libxml2 gets to see.
 *
 * - Invalid UTF-8 would make libxml2 give up on a whole feed for one bad
 *   byte; instead the bytes are repaired on their way in (each invalid byte
 *   becomes U+FFFD, the C0 controls XML forbids are dropped, U+FFFE and
 *   U+FFFF become U+FFFD): the rule of docs/sources.md "Text handling".
 *   Documents declaring another encoding pass through for libxml2 to
 *   convert.
 * - Before libxml2 reads anything, the prolog is checked, as libxml2 will
 *   see it (filtered): a DOCTYPE naming an external DTD (SYSTEM/PUBLIC), or
 *   an internal subset declaring entities, refuses the document. That is
 *   what billion-laughs and external-entity (XXE) documents need, and no
 *   feed format needs either. Whatever could hide a DOCTYPE past the
 *   checked bytes refuses the document too, and so do UTF-16, UTF-32 and
 *   UTF-7, which the check cannot read as ASCII.
 */
#include "parse_int.h"

#include <stdlib.h>
#include <string.h>

#define PROLOG_MAX (64u * 1024) /* bytes before the root element that are checked */

/* ---- input filter ------------------------------------------------------------------ */

size_t parse__xml_filter(struct parse__source *src, char *out, size_t room)
{
    size_t o = 0;

    if (!src->fix) {
        o = src->len - src->pos < room ? src->len - src->pos : room;
        memcpy(out, src->data + src->pos, o);
        src->pos += o;
        return o;
    }
    while (src->pos < src->len) {
        const char *p = src->data + src->pos;
        unsigned char c = (unsigned char)*p;
        uint32_t cp;
        size_t k;

        if (c < 0x80) {
            if (o + 1 > room)
                break;
            if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r')
                out[o++] = (char)c;
            src->pos++;
            continue;
        }
        k = chorus_utf8_decode(p, src->len - src->pos, &cp);
        if (k == 0 || cp == 0xFFFE || cp == 0xFFFF) {
            /* Not a character XML allows: U+FFFD, byte by byte. */
            if (o + 3 > room)
                break;
            memcpy(out + o, "\xef\xbf\xbd", 3);
            o += 3;
            src->pos += k ? k : 1;
            continue;
        }
        if (o + k > room)
            break;
        memcpy(out + o, p, k);
        o += k;
        src->pos += k;
    }
    return o;
}

/* ---- the prolog check ---------------------------------------------------------------- */

static bool starts(const char *p, size_t m, size_t i, const char *w)
{
    size_t k = strlen(w);

    return i + k <= m && memcmp(p + i, w, k) == 0;
}

static size_t find(const char *p, size_t m, size_t i, const char *w)
{
    for (; i < m; i++)
        if (starts(p, m, i, w))
            return i;
    return m;
}

static bool xml_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool prefix_ci(const char *s, size_t n, const char *w)
{
    size_t k = strlen(w);

    if (n < k)
        return false;
    for (size_t i = 0; i < k; i++) {
        char c = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
        if (c != w[i])
            return false;
    }
    return true;
}

/* encoding reads the XML declaration's encoding into *fix (UTF-8 or none
 * declared: repair; others: pass through). -1 with msg for encodings the
 * prolog check cannot read. */
static int encoding(const char *d, size_t n, bool *fix, char *msg)
{
    static const char *const wide[] = {"utf-16", "utf16", "utf-32", "utf32",
                                       "ucs",    "utf-7", "utf7"};
    size_t i = 0, end, q;
    const char *name;

    *fix = true;
    if (n >= 2 &&
        (((unsigned char)d[0] == 0xFE && (unsigned char)d[1] == 0xFF) ||
         ((unsigned char)d[0] == 0xFF && (unsigned char)d[1] == 0xFE) || d[0] == 0 || d[1] == 0))
        goto wide;
    if (n >= 3 && memcmp(d, "\xef\xbb\xbf", 3) == 0)
        i = 3;
    if (!starts(d, n, i, "<?xml"))
        return 0;
    end = find(d, n < i + 512 ? n : i + 512, i, "?>");
    q = find(d, end, i, "encoding");
    if (q == end)
        return 0;
    q += 8;
    while (q < end && (xml_blank(d[q]) || d[q] == '='))
        q++;
    if (q >= end || (d[q] != '"' && d[q] != '\''))
        return 0; /* libxml2 will say what is wrong */
    name = d + q + 1;
    if (prefix_ci(name, end - q - 1, "utf-8") || prefix_ci(name, end - q - 1, "utf8"))
        return 0;
    for (size_t k = 0; k < sizeof(wide) / sizeof(wide[0]); k++)
        if (prefix_ci(name, end - q - 1, wide[k]))
            goto wide;
    *fix = false;
    return 0;
wide:
    parse__fmt(msg, PARSE__ERR_MAX,
               "The feed is encoded in UTF-16, UTF-32 or UTF-7; Chorus reads XML feeds in "
               "UTF-8 or an ASCII-compatible encoding.");
    return -1;
}

/* doctype checks the DOCTYPE whose name starts at p[j]. m bytes of the
 * filtered input are at hand; complete says they are all of it. */
static int doctype(const char *p, size_t m, size_t j, bool complete, char *msg)
{
    size_t subset;

    while (j < m && xml_blank(p[j]))
        j++;
    while (j < m && !xml_blank(p[j]) && p[j] != '[' && p[j] != '>')
        j++;
    while (j < m && xml_blank(p[j]))
        j++;
    /* What decides (a keyword, '[') must be inside the checked bytes. */
    if (!complete && m - j < 8)
        goto too_long;
    if (j >= m)
        return 0; /* the document ends here: libxml2 reports it */
    if (starts(p, m, j, "SYSTEM") || starts(p, m, j, "PUBLIC")) {
        parse__fmt(msg, PARSE__ERR_MAX, "%s", PARSE__MSG_EXTERNAL);
        return -1;
    }
    if (p[j] != '[')
        return 0;
    /* An internal subset. Any "<!ENTITY" from here to the end of what was
     * read refuses the document, quoted or not: over-refusing a feed that
     * has a DTD at all costs nothing real, and no quoting trick can hide a
     * declaration from a plain search. */
    subset = j;
    if (find(p, m, subset, "<!ENTITY") < m) {
        parse__fmt(msg, PARSE__ERR_MAX, "%s", PARSE__MSG_ENTITIES);
        return -1;
    }
    /* And the subset must end inside the checked bytes. */
    for (j = subset + 1; j < m;) {
        if (p[j] == '"' || p[j] == '\'') {
            const char *e = memchr(p + j + 1, p[j], m - j - 1);
            j = e ? (size_t)(e - p) + 1 : m;
        } else if (starts(p, m, j, "<!--")) {
            size_t e = find(p, m, j + 4, "-->");
            j = e == m ? m : e + 3;
        } else if (starts(p, m, j, "<?")) {
            size_t e = find(p, m, j + 2, "?>");
            j = e == m ? m : e + 2;
        } else if (p[j] == ']') {
            return 0;
        } else {
            j++;
        }
    }
    if (complete)
        return 0; /* unterminated: libxml2 reports it */
too_long:
    parse__fmt(msg, PARSE__ERR_MAX,
               "The feed's DOCTYPE runs past the first %u KiB; Chorus does not read DTDs.",
               PROLOG_MAX / 1024);
    return -1;
}

/* prolog checks everything before the root element, as libxml2 will see
 * it (filtered), for a DOCTYPE Chorus refuses. */
static int prolog(const struct parse__source *in, char *msg)
{
    struct parse__source s = *in;
    char *p = malloc(PROLOG_MAX);
    size_t m, i = 0, e;
    bool complete;
    int rc = 0;

    if (!p)
        abort();
    m = parse__xml_filter(&s, p, PROLOG_MAX);
    complete = s.pos == s.len;
    if (starts(p, m, 0, "\xef\xbb\xbf"))
        i = 3;
    for (;;) {
        while (i < m && xml_blank(p[i]))
            i++;
        if (i >= m)
            break; /* the end: libxml2 says what is missing */
        if (p[i] != '<') {
            /* Nothing but markup may come before the root element. This
             * also turns away encodings the check cannot read (EBCDIC). */
            parse__fmt(msg, PARSE__ERR_MAX,
                       "The feed is not well-formed XML: it has text before its first "
                       "element.");
            rc = -1;
            break;
        }
        if (starts(p, m, i, "<?") || starts(p, m, i, "<!--")) {
            bool pi = p[i + 1] == '?';

            e = find(p, m, i + (pi ? 2 : 4), pi ? "?>" : "-->");
            i = e == m ? m : e + (pi ? 2 : 3); /* unterminated: m, checked below */
            continue;
        }
        if (starts(p, m, i, "<!DOCTYPE"))
            rc = doctype(p, m, i + 9, complete, msg);
        break; /* the root element (or a DOCTYPE, which comes right before it) */
    }
    if (rc == 0 && i >= m && !complete) {
        parse__fmt(msg, PARSE__ERR_MAX,
                   "The feed has more than %u KiB before its first element; Chorus stops there.",
                   PROLOG_MAX / 1024);
        rc = -1;
    }
    free(p);
    return rc;
}

int parse__xml_prolog(struct parse__source *src, char *msg)
{
    if (encoding(src->data, src->len, &src->fix, msg) != 0)
        return -1;
    return prolog(src, msg);
}
