/* Growable byte buffers with a hard cap (see include/chorus/base.h). */
#include "chorus/base.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t cap)
{
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap;
}

void buf_cleanup(struct buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

/* grow makes room for n more bytes plus the trailing NUL. Out of memory
 * aborts: sizes are capped before they get here. */
static int grow(struct buf *b, size_t n)
{
    size_t need, a;
    char *p;

    if (n > SIZE_MAX / 2 - b->len)
        return CHORUS_ETOOBIG;
    need = b->len + n + 1;
    if (b->cap && need - 1 > b->cap)
        return CHORUS_ETOOBIG;
    if (need <= b->alloc)
        return 0;
    a = b->alloc ? b->alloc : 256;
    while (a < need)
        a *= 2;
    p = realloc(b->data, a);
    if (!p)
        abort();
    b->data = p;
    b->alloc = a;
    return 0;
}

int buf_append(struct buf *b, const void *p, size_t n)
{
    int rc = grow(b, n);

    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int buf_puts(struct buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

int buf_putc(struct buf *b, char c)
{
    return buf_append(b, &c, 1);
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    int n, rc;
    char small[256];

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return CHORUS_EINVAL;
    if ((size_t)n < sizeof(small))
        return buf_append(b, small, (size_t)n);
    rc = grow(b, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

char *buf_steal(struct buf *b, size_t *len)
{
    char *p = b->data;

    if (len)
        *len = b->len;
    if (!p) {
        p = malloc(1);
        if (!p)
            abort();
        p[0] = '\0';
    }
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    return p;
}

int buf_read_file(struct buf *b, FILE *f)
{
    char chunk[65536];
    int rc = 0;

    while (rc == 0) {
        size_t n = fread(chunk, 1, sizeof(chunk), f);

        if (n == 0)
            break;
        rc = buf_append(b, chunk, n);
    }
    if (rc == 0 && ferror(f))
        rc = CHORUS_EIO;
    return rc;
}

int chorus_pct(struct buf *b, const char *s, size_t n, bool keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = 0;

    for (size_t i = 0; i < n && rc == 0; i++) {
        unsigned char c = (unsigned char)s[i];

        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/'))
            rc = buf_putc(b, (char)c);
        else
            rc = buf_printf(b, "%%%c%c", hex[c >> 4], hex[c & 15]);
    }
    return rc;
}

int chorus_hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}
