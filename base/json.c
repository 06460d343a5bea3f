/* JSON string escaping for every JSON document Chorus writes.
 *
 * Review text is hostile: besides what JSON requires, < > & are escaped so a
 * JSON document can sit inside an HTML <script> element (JSON-LD, inline
 * state) without any review closing it, and U+2028/U+2029 so the output is
 * also valid JavaScript.
 */
#include "chorus/base.h"

#include <string.h>

static const char hex[] = "0123456789abcdef";

/* needs_escape[c] is set for bytes that cannot be copied through as-is. */
static const unsigned char needs_escape[256] = {
    [0 ... 31] = 1, ['"'] = 1, ['\\'] = 1, ['<'] = 1, ['>'] = 1, ['&'] = 1, [0xE2] = 1,
};

int chorus_json_str(struct buf *b, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i, run = 0;
    int rc;
    char esc[6] = {'\\', 'u', '0', '0', 0, 0};

    rc = buf_putc(b, '"');
    for (i = 0; rc == 0 && i < n; i++) {
        unsigned char c = p[i];
        const char *rep = NULL;
        size_t rlen = 2;

        if (!needs_escape[c])
            continue;
        if (c == 0xE2) {
            /* U+2028 is E2 80 A8, U+2029 is E2 80 A9. */
            if (i + 2 >= n || p[i + 1] != 0x80 || (p[i + 2] != 0xA8 && p[i + 2] != 0xA9))
                continue;
        }
        rc = buf_append(b, s + run, i - run);
        if (rc)
            break;
        switch (c) {
        case '"':
            rep = "\\\"";
            break;
        case '\\':
            rep = "\\\\";
            break;
        case '\n':
            rep = "\\n";
            break;
        case '\r':
            rep = "\\r";
            break;
        case '\t':
            rep = "\\t";
            break;
        case 0xE2:
            rep = p[i + 2] == 0xA8 ? "\\u2028" : "\\u2029";
            rlen = 6;
            i += 2;
            break;
        default:
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            rep = esc;
            rlen = 6;
            break;
        }
        rc = buf_append(b, rep, rlen);
        run = i + 1;
    }
    if (rc == 0)
        rc = buf_append(b, s + run, n - run);
    if (rc == 0)
        rc = buf_putc(b, '"');
    return rc;
}

int chorus_json_str_or_null(struct buf *b, const char *s)
{
    if (!s)
        return buf_append(b, "null", 4);
    return chorus_json_str(b, s, strlen(s));
}
