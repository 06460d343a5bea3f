/* UTF-8 validation: the one definition of "valid text" every parser uses. */
#include "chorus/base.h"

/* seq_len returns the length of the valid, NUL-free UTF-8 sequence at p, or
 * 0 when none starts there (overlongs, surrogates, values past U+10FFFF and
 * truncated sequences are all invalid). */
static size_t seq_len(const unsigned char *p, const unsigned char *end)
{
    unsigned char c = *p;
    size_t need;
    uint32_t cp;

    if (c < 0x80)
        return c ? 1 : 0;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if ((size_t)(end - p) <= need)
        return 0;
    for (size_t k = 1; k <= need; k++) {
        if ((p[k] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[k] & 0x3F);
    }
    if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return need + 1;
}

bool chorus_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;

    while (p < end) {
        size_t k = *p < 0x80 && *p ? 1 : seq_len(p, end);

        if (k == 0)
            return false;
        p += k;
    }
    return true;
}

void chorus_utf8_scrub(char *s, size_t n)
{
    unsigned char *p = (unsigned char *)s, *end = p + n;

    while (p < end) {
        size_t k = seq_len(p, end);

        if (k == 0) {
            *p++ = '?';
            continue;
        }
        p += k;
    }
}

size_t chorus_utf8_chars(const char *s, size_t n)
{
    size_t count = 0;

    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            count++;
    return count;
}
