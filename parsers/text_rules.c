/* Sentences and text checks shared by every parser.
 *
 * Error sentences end up in HTTP problem documents and terminal output, so
 * they must themselves be valid UTF-8 even when they quote broken input:
 * everything quoted back goes through parse__clean, and every formatted
 * sentence is cut on a character boundary.
 */
#include "parse_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"

/* ---- sentences -------------------------------------------------------------- */

void parse__vfmt(char *dst, size_t cap, const char *fmt, va_list ap)
{
    chorus_vfmt(dst, cap, fmt, ap);
}

void parse__fmt(char *dst, size_t cap, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    parse__vfmt(dst, cap, fmt, ap);
    va_end(ap);
}

int parse__fail(char *err, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    parse__vfmt(err, PARSE__ERR_MAX, fmt, ap);
    va_end(ap);
    return CHORUS_EINVAL;
}

void parse__doc_error(struct parse_error *e, size_t line, size_t column, const char *field,
                      const char *fmt, ...)
{
    va_list ap;

    if (!e)
        return;
    e->line = line;
    e->column = column;
    parse__fmt(e->field, sizeof(e->field), "%s", field ? field : "");
    va_start(ap, fmt);
    parse__vfmt(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
}

/* seq_len gives the length of the valid UTF-8 sequence at s[0..n), or 0. */
static size_t seq_len(const unsigned char *s, size_t n)
{
    size_t need;

    if (s[0] < 0x80)
        return 1;
    need = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : 2;
    if (need > n || !chorus_utf8_valid((const char *)s, need))
        return 0;
    return need;
}

const char *parse__clean(char *dst, size_t cap, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, o = 0, room = cap > 4 ? cap - 4 : 0; /* keep space for "..." */

    while (i < n) {
        size_t k = seq_len(p + i, n - i);

        if (o + (k ? k : 1) > room) {
            memcpy(dst + o, "...", 3);
            o += 3;
            break;
        }
        if (k == 0 || (k == 1 && (p[i] < 0x20 || p[i] == 0x7F))) {
            dst[o++] = '?';
            i++;
            continue;
        }
        memcpy(dst + o, p + i, k);
        o += k;
        i += k;
    }
    dst[o] = '\0';
    return dst;
}

const char *parse__quote(char *dst, const char *s, size_t n)
{
    return parse__clean(dst, PARSE__QUOTE, s, n);
}

/* ---- field checks ------------------------------------------------------------ */

/* ctl_at returns the offset of the first control character (C0, DEL, or a
 * C1 control encoded as C2 80..C2 9F) in s[0..n), or n. Identifiers with
 * these break URLs, logs and feeds. */
static size_t ctl_at(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;

    for (size_t i = 0; i < n; i++) {
        if (p[i] < 0x20 || p[i] == 0x7F)
            return i;
        if (p[i] == 0xC2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9F)
            return i;
    }
    return n;
}

int parse__text(char *err, const char *label, const char *s, size_t n, size_t cap, unsigned flags)
{
    size_t at;

    /* The cap first: it is the cheapest test and bounds all the others. */
    if (n > cap)
        return parse__fail(err, "%s is %zu bytes; the limit is %zu.", label, n, cap);
    if (n == 0 && (flags & PARSE__NONEMPTY))
        return parse__fail(err, "%s is empty; it must name something.", label);
    if (memchr(s, '\0', n))
        return parse__fail(err, "%s contains a NUL character (\\u0000); remove it.", label);
    if ((flags & PARSE__UTF8) && !chorus_utf8_valid(s, n))
        return parse__fail(err, "%s is not valid UTF-8 text; convert the input to UTF-8.", label);
    if (flags & PARSE__NOCTL) {
        at = ctl_at(s, n);
        if (at < n)
            return parse__fail(err,
                               "%s contains a control character (byte %zu); it must be "
                               "plain text on one line.",
                               label, at + 1);
    }
    return 0;
}

int parse__time(char *err, const char *label, const char *s, size_t n, int64_t *out)
{
    char q[PARSE__QUOTE];

    if (chorus_time_parse(s, n, out) != 0)
        return parse__fail(err,
                           "%s must be an RFC 3339 date-time such as \"2017-01-13T10:00:00Z\" "
                           "(got \"%s\").",
                           label, parse__quote(q, s, n));
    return 0;
}

const char *parse__json_type(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        return "null";
    }
    return "an unknown value";
}

/* ---- text cells ----------------------------------------------------------------- */

static void trim(const char **s, size_t *n)
{
    while (*n > 0 && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

static size_t digits(const char *s, size_t n, size_t i)
{
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    return i;
}

int parse__number_text(const char *s, size_t n, double *out)
{
    char tmp[64];
    size_t i = 0, m;
    char *end;

    trim(&s, &n);
    /* The syntax is checked here rather than left to strtod, which would also
     * take "inf", "nan", hex floats and leading junk. */
    if (n == 0 || n >= sizeof(tmp))
        return -1;
    if (s[i] == '+' || s[i] == '-')
        i++;
    m = digits(s, n, i);
    if (m < n && s[m] == '.') {
        size_t f = digits(s, n, m + 1);
        if (m == i && f == m + 1)
            return -1; /* "." alone */
        m = f;
    } else if (m == i) {
        return -1;
    }
    if (m < n && (s[m] == 'e' || s[m] == 'E')) {
        size_t e = m + 1;
        if (e < n && (s[e] == '+' || s[e] == '-'))
            e++;
        m = digits(s, n, e);
        if (m == e)
            return -1;
    }
    if (m != n)
        return -1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    *out = strtod(tmp, &end);
    return 0;
}

int parse__count_text(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    bool digit = false;

    trim(&s, &n);
    for (size_t i = 0; i < n; i++) {
        if (s[i] >= '0' && s[i] <= '9') {
            /* Saturate: the caller only needs to know it is too big. */
            if (v < UINT64_MAX / 10)
                v = v * 10 + (uint64_t)(s[i] - '0');
            digit = true;
        } else if (s[i] == ',' && digit && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9') {
            continue; /* a thousands separator, as in Amazon's "1,234" */
        } else {
            return -1;
        }
    }
    if (!digit)
        return -1;
    *out = v;
    return 0;
}

static bool word(const char *s, size_t n, const char *w)
{
    size_t i;

    for (i = 0; i < n && w[i]; i++) {
        char c = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
        if (c != w[i])
            return false;
    }
    return i == n && w[i] == '\0';
}

int parse__bool_text(const char *s, size_t n, bool *out)
{
    static const char *const yes[] = {"true", "yes", "y", "t", "1"};
    static const char *const no[] = {"false", "no", "n", "f", "0"};

    trim(&s, &n);
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (word(s, n, yes[i])) {
            *out = true;
            return 0;
        }
        if (word(s, n, no[i])) {
            *out = false;
            return 0;
        }
    }
    return -1;
}
