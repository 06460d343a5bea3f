/* Text as every feed item gets it: repaired UTF-8, no control
 * characters, folded blanks (docs/sources.md "Text handling"), and the
 * hash that names what has no id of its own. */
#include "parse_int.h"

#include <string.h>

#define FFFD "\xef\xbf\xbd"

static int put_cp(struct buf *b, const char *s, size_t k, bool bad)
{
    return bad ? buf_append(b, FFFD, 3) : buf_append(b, s, k);
}

int parse__utf8_fix(struct buf *b, const char *s, size_t n)
{
    size_t i = 0, run = 0;
    int rc = 0;

    /* Valid runs are copied in one append: feeds are almost always clean. */
    while (i < n && rc == 0) {
        uint32_t cp;
        size_t k = chorus_utf8_decode(s + i, n - i, &cp);

        if (k) {
            i += k;
            run += k;
            continue;
        }
        rc = buf_append(b, s + i - run, run);
        if (rc == 0)
            rc = buf_append(b, FFFD, 3);
        run = 0;
        i++;
    }
    if (rc == 0)
        rc = buf_append(b, s + i - run, run);
    return rc;
}

/* parse__feed_clean appends s[0..n) to b as text: invalid bytes become U+FFFD, control
 * characters (C0, DEL, C1) go, blank runs fold into one space and the ends
 * are trimmed. block keeps line breaks (at most one blank line in a row);
 * otherwise a line break is a blank like any other. */
int parse__feed_clean(struct buf *b, const char *s, size_t n, bool block)
{
    bool started = false, space = false;
    int nl = 0, rc = 0;

    for (size_t i = 0; i < n && rc == 0;) {
        unsigned char c = (unsigned char)s[i];
        uint32_t cp = c;
        size_t k = c ? chorus_utf8_decode(s + i, n - i, &cp) : 1;
        bool bad = k == 0;

        if (bad)
            k = 1;
        if (!bad && (c == '\n' || c == '\r')) {
            /* CRLF and a lone CR are one line break. */
            if (c == '\r' && i + 1 < n && s[i + 1] == '\n')
                i++;
            if (block && started && nl < 2)
                nl++;
            else
                space = started;
            i++;
            continue;
        }
        if (!bad && (c == ' ' || c == '\t')) {
            space = started;
            i++;
            continue;
        }
        if (!bad && (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F))) {
            i += k;
            continue;
        }
        if (nl)
            rc = buf_append(b, "\n\n", (size_t)nl);
        else if (space)
            rc = buf_putc(b, ' ');
        nl = 0;
        space = false;
        started = true;
        if (rc == 0)
            rc = put_cp(b, s + i, k, bad);
        i += k;
    }
    return rc;
}

void parse__feed_hash(char *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    uint64_t h = chorus_fnv64(CHORUS_FNV64_INIT, s, n);

    out[0] = 'h';
    out[1] = ':';
    for (int k = 0; k < 16; k++)
        out[2 + k] = hex[(h >> (60 - 4 * k)) & 0xF];
    out[18] = '\0';
}
