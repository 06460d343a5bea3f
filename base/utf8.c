/* UTF-8 validation: the one definition of "valid text" every parser uses. */
#include "chorus/base.h"

#include <stdio.h>
#include <string.h>

size_t chorus_utf8_decode(const char *s, size_t n, uint32_t *cp_out)
{
    const unsigned char *p = (const unsigned char *)s;
    unsigned char c = *p;
    size_t need;
    uint32_t cp;

    if (c < 0x80) {
        *cp_out = c;
        return c ? 1 : 0;
    }
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
    if (n <= need)
        return 0;
    for (size_t k = 1; k <= need; k++) {
        if ((p[k] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[k] & 0x3F);
    }
    if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    *cp_out = cp;
    return need + 1;
}

static size_t seq_len(const unsigned char *p, const unsigned char *end)
{
    uint32_t cp;

    return chorus_utf8_decode((const char *)p, (size_t)(end - p), &cp);
}

/* utf8_cut shortens the NUL-terminated dst so that it does not end inside a
 * multi-byte sequence (vsnprintf truncates on bytes). */
static void utf8_cut(char *dst)
{
    size_t i = strlen(dst), back = 0, need;
    unsigned char c;

    while (i > 0 && back < 4 && ((unsigned char)dst[i - 1] & 0xC0) == 0x80) {
        i--;
        back++;
    }
    if (i == 0)
        return;
    c = (unsigned char)dst[i - 1];
    if (c < 0x80)
        return;
    need = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
    if (back < need)
        dst[i - 1] = '\0';
}

void chorus_vfmt(char *dst, size_t cap, const char *fmt, va_list ap)
{
    int n;

    if (!dst || cap == 0)
        return;
    n = vsnprintf(dst, cap, fmt, ap);
    if (n < 0)
        dst[0] = '\0';
    else if ((size_t)n >= cap)
        utf8_cut(dst);
}

void chorus_fmt(char *dst, size_t cap, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    chorus_vfmt(dst, cap, fmt, ap);
    va_end(ap);
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
