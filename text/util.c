/* Small helpers the files of the text module share (see text_int.h). */
#include "text_int.h"

#include "chorus/base.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *text__xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (!p)
        abort();
    return p;
}

void *text__xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);

    if (!q)
        abort();
    return q;
}

char *text__xstrndup(const char *s, size_t n)
{
    char *p = text__xmalloc(n + 1);

    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void text__fmt(char *dst, size_t cap, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    chorus_vfmt(dst, cap, fmt, ap);
    va_end(ap);
}

int text__keycmp(const char *word, size_t len, const struct text__key *k)
{
    size_t n = len < k->len ? len : k->len;
    int c = memcmp(word, k->word, n);

    if (c)
        return c;
    return len < k->len ? -1 : len > k->len ? 1 : 0;
}
