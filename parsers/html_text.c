/* HTML to plain text, for feed item content.
 *
 * Not an HTML parser: feed content is a fragment written by anyone, often
 * broken, and all Chorus needs is the words a reader would see. One pass
 * over the bytes, never backwards and never more than a constant look-ahead
 * (an entity name, a closing tag name), so the time is linear whatever the
 * input, and every read is checked against the end. Tags are dropped; the
 * content of script, style, head and template is dropped with them; block
 * elements become line breaks (p, blockquote, headings, lists and tables a
 * blank line; br, div, li, tr a single one); blank runs fold into one space;
 * entities are decoded; invalid UTF-8 becomes U+FFFD byte by byte and
 * control characters are dropped, as everywhere in Chorus (docs/sources.md).
 */
#include "chorus/parse.h"

#include <string.h>

#include "chorus/base.h"
#include "parse_int.h"

#define MAX_ENTITY 32 /* bytes of an entity name looked at */

struct out {
    char *o;
    size_t cap, len;
    int brk;      /* pending break: 0, 1 (line) or 2 (blank line) */
    bool space;   /* a pending space */
    bool started; /* something visible was written */
    bool full;    /* a character did not fit: stop */
};

static void put(struct out *w, uint32_t cp)
{
    char enc[4];
    size_t k, pre;

    if (w->full)
        return;
    if (cp < 0x80) {
        enc[0] = (char)cp;
        k = 1;
    } else if (cp < 0x800) {
        enc[0] = (char)(0xC0 | (cp >> 6));
        enc[1] = (char)(0x80 | (cp & 0x3F));
        k = 2;
    } else if (cp < 0x10000) {
        enc[0] = (char)(0xE0 | (cp >> 12));
        enc[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        enc[2] = (char)(0x80 | (cp & 0x3F));
        k = 3;
    } else {
        enc[0] = (char)(0xF0 | (cp >> 18));
        enc[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        enc[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        enc[3] = (char)(0x80 | (cp & 0x3F));
        k = 4;
    }
    /* What is pending is written only before something visible, so the
     * text never starts or ends with a blank or a break. */
    pre = !w->started ? 0 : w->brk ? (size_t)w->brk : w->space ? 1 : 0;
    if (w->len + pre + k + 1 > w->cap) {
        w->full = true;
        return;
    }
    if (w->started) {
        if (w->brk) {
            memcpy(w->o + w->len, "\n\n", (size_t)w->brk);
            w->len += (size_t)w->brk;
        } else if (w->space) {
            w->o[w->len++] = ' ';
        }
    }
    w->brk = 0;
    w->space = false;
    w->started = true;
    memcpy(w->o + w->len, enc, k);
    w->len += k;
}

static void brk(struct out *w, int level)
{
    if (w->started && level > w->brk)
        w->brk = level;
    w->space = false;
}

static void blankc(struct out *w)
{
    if (w->started && !w->brk)
        w->space = true;
}

/* text sends one character from the document or an entity. */
static void text(struct out *w, uint32_t cp)
{
    if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == 0xA0)
        blankc(w); /* a no-break space folds like any blank */
    else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xAD)
        return; /* control characters and soft hyphens are invisible */
    else
        put(w, cp);
}

/* ---- entities -------------------------------------------------------------------- */

static const struct {
    const char *name;
    uint16_t cp;
} entities[] = {
    {"amp", '&'},      {"lt", '<'},        {"gt", '>'},        {"quot", '"'},
    {"apos", '\''},    {"nbsp", 0xA0},     {"hellip", 0x2026}, {"mdash", 0x2014},
    {"ndash", 0x2013}, {"rsquo", 0x2019},  {"lsquo", 0x2018},  {"rdquo", 0x201D},
    {"ldquo", 0x201C}, {"sbquo", 0x201A},  {"bdquo", 0x201E},  {"laquo", 0xAB},
    {"raquo", 0xBB},   {"lsaquo", 0x2039}, {"rsaquo", 0x203A}, {"bull", 0x2022},
    {"middot", 0xB7},  {"copy", 0xA9},     {"reg", 0xAE},      {"trade", 0x2122},
    {"deg", 0xB0},     {"plusmn", 0xB1},   {"times", 0xD7},    {"divide", 0xF7},
    {"euro", 0x20AC},  {"pound", 0xA3},    {"yen", 0xA5},      {"cent", 0xA2},
    {"sect", 0xA7},    {"para", 0xB6},     {"frac12", 0xBD},   {"frac14", 0xBC},
    {"frac34", 0xBE},  {"shy", 0xAD},      {"iexcl", 0xA1},    {"iquest", 0xBF},
    {"ensp", 0x2002},  {"emsp", 0x2003},   {"thinsp", 0x2009}, {"zwnj", 0x200C},
    {"zwj", 0x200D},   {"prime", 0x2032},  {"Prime", 0x2033},  {"larr", 0x2190},
    {"rarr", 0x2192},  {"uarr", 0x2191},   {"darr", 0x2193},   {"hearts", 0x2665},
    {"star", 0x2606},  {"starf", 0x2605},  {"check", 0x2713},  {"micro", 0xB5},
    {"sup2", 0xB2},    {"sup3", 0xB3},     {"ordf", 0xAA},     {"ordm", 0xBA},
    {"aacute", 0xE1},  {"Aacute", 0xC1},   {"agrave", 0xE0},   {"Agrave", 0xC0},
    {"acirc", 0xE2},   {"Acirc", 0xC2},    {"auml", 0xE4},     {"Auml", 0xC4},
    {"atilde", 0xE3},  {"Atilde", 0xC3},   {"aring", 0xE5},    {"Aring", 0xC5},
    {"aelig", 0xE6},   {"AElig", 0xC6},    {"ccedil", 0xE7},   {"Ccedil", 0xC7},
    {"eacute", 0xE9},  {"Eacute", 0xC9},   {"egrave", 0xE8},   {"Egrave", 0xC8},
    {"ecirc", 0xEA},   {"Ecirc", 0xCA},    {"euml", 0xEB},     {"Euml", 0xCB},
    {"iacute", 0xED},  {"Iacute", 0xCD},   {"igrave", 0xEC},   {"Igrave", 0xCC},
    {"icirc", 0xEE},   {"Icirc", 0xCE},    {"iuml", 0xEF},     {"Iuml", 0xCF},
    {"ntilde", 0xF1},  {"Ntilde", 0xD1},   {"oacute", 0xF3},   {"Oacute", 0xD3},
    {"ograve", 0xF2},  {"Ograve", 0xD2},   {"ocirc", 0xF4},    {"Ocirc", 0xD4},
    {"ouml", 0xF6},    {"Ouml", 0xD6},     {"otilde", 0xF5},   {"Otilde", 0xD5},
    {"oslash", 0xF8},  {"Oslash", 0xD8},   {"uacute", 0xFA},   {"Uacute", 0xDA},
    {"ugrave", 0xF9},  {"Ugrave", 0xD9},   {"ucirc", 0xFB},    {"Ucirc", 0xDB},
    {"uuml", 0xFC},    {"Uuml", 0xDC},     {"yacute", 0xFD},   {"Yacute", 0xDD},
    {"yuml", 0xFF},    {"szlig", 0xDF},    {"oelig", 0x153},   {"OElig", 0x152},
    {"scaron", 0x161}, {"Scaron", 0x160},  {"eth", 0xF0},      {"thorn", 0xFE},
};

/* HTML reads the C1 range of a numeric reference as windows-1252, which is
 * what "&#146;" meant to the page's author (a right single quote). */
static const uint16_t cp1252[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
};

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* entity decodes the reference at s[i] == '&' and returns the bytes it
 * used, or 0 when it is not one (the '&' is then text). */
static size_t entity(struct out *w, const char *s, size_t n, size_t i)
{
    size_t j = i + 1, start;
    uint32_t v = 0;

    if (j < n && s[j] == '#') {
        bool hex = j + 1 < n && (s[j + 1] == 'x' || s[j + 1] == 'X');

        j += hex ? 2 : 1;
        start = j;
        /* Up to 8 digits: enough for U+10FFFF with leading zeros, and no
         * overflow. Longer runs are read as out of range. */
        while (j < n && (hex ? chorus_hex_digit(s[j]) >= 0 : is_digit(s[j]))) {
            if (j - start < 8)
                v = v * (hex ? 16 : 10) + (uint32_t)(hex ? chorus_hex_digit(s[j]) : s[j] - '0');
            else
                v = 0x110000;
            j++;
        }
        if (j == start)
            return 0;
        if (j < n && s[j] == ';')
            j++;
        if (v >= 0x80 && v <= 0x9F)
            v = cp1252[v - 0x80];
        else if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
            v = 0xFFFD;
        text(w, v);
        return j - i;
    }
    start = j;
    while (j < n && j - start < MAX_ENTITY && is_alnum(s[j]))
        j++;
    if (j == start || j >= n || s[j] != ';')
        return 0;
    for (size_t k = 0; k < sizeof(entities) / sizeof(entities[0]); k++) {
        if (strlen(entities[k].name) == j - start &&
            memcmp(entities[k].name, s + start, j - start) == 0) {
            text(w, entities[k].cp);
            return j + 1 - i;
        }
    }
    return 0;
}

/* ---- tags ---------------------------------------------------------------------------- */

#define MAX_NAME 12 /* bytes of a tag name kept; longer names match nothing */

static const char *const skip_tags[] = {"script", "style", "head", "template"};
static const char *const para_tags[] = {
    "p",      "blockquote", "h1",    "h2",   "h3",      "h4",      "h5",       "h6",     "ul",
    "ol",     "dl",         "table", "pre",  "hr",      "section", "article",  "header", "footer",
    "figure", "aside",      "nav",   "main", "address", "form",    "fieldset", "center", "details",
};
static const char *const line_tags[] = {"br", "div",        "li",      "tr",     "dd",
                                        "dt", "figcaption", "caption", "summary"};
static const char *const cell_tags[] = {"td", "th"};

static bool in(const char *name, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], name) == 0)
            return true;
    return false;
}

#define IN(name, list) in(name, list, sizeof(list) / sizeof(list[0]))

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* find returns the offset of the first "needle" at or after s[i], or n. */
static size_t find(const char *s, size_t n, size_t i, const char *needle)
{
    size_t k = strlen(needle);

    while (i + k <= n) {
        const char *p = memchr(s + i, needle[0], n - i - k + 1);

        if (!p)
            return n;
        i = (size_t)(p - s);
        if (memcmp(s + i, needle, k) == 0)
            return i;
        i++;
    }
    return n;
}

/* closing finds "</name" (any case) at or after s[i]; n when none. Each
 * position is compared with at most MAX_NAME bytes, so this is linear. */
static size_t closing(const char *s, size_t n, size_t i, const char *name)
{
    size_t k = strlen(name);

    for (; i + 2 + k <= n; i++) {
        size_t j;

        if (s[i] != '<' || s[i + 1] != '/')
            continue;
        for (j = 0; j < k && lower(s[i + 2 + j]) == name[j]; j++)
            ;
        if (j == k && (i + 2 + k == n || !is_alnum(s[i + 2 + k])))
            return i;
    }
    return n;
}

/* tag handles the markup at s[i] == '<' and returns where text resumes, or
 * i when the '<' is plain text ("a < b"). */
static size_t tag(struct out *w, const char *s, size_t n, size_t i)
{
    char name[MAX_NAME + 1];
    size_t j = i + 1, k = 0;
    bool close = false;

    if (j >= n)
        return i;
    if (s[j] == '!') {
        if (n - j >= 3 && memcmp(s + j, "!--", 3) == 0) {
            size_t end = find(s, n, j + 3, "-->");
            return end == n ? n : end + 3;
        }
        j = find(s, n, j, ">");
        return j == n ? n : j + 1;
    }
    if (s[j] == '?') {
        j = find(s, n, j, ">");
        return j == n ? n : j + 1;
    }
    if (s[j] == '/') {
        close = true;
        j++;
    }
    if (j >= n || !((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z'))) {
        if (!close)
            return i;
        j = find(s, n, j, ">"); /* "</ >" and the like: dropped */
        return j == n ? n : j + 1;
    }
    while (j < n && (is_alnum(s[j]) || s[j] == '-' || s[j] == ':')) {
        if (k < MAX_NAME)
            name[k] = lower(s[j]);
        k++;
        j++;
    }
    name[k <= MAX_NAME ? k : 0] = '\0';
    /* Attributes, to the '>' that is not inside a quoted value. */
    while (j < n && s[j] != '>') {
        if (s[j] == '=') {
            j++;
            while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r'))
                j++;
            if (j < n && (s[j] == '"' || s[j] == '\'')) {
                const char *q = memchr(s + j + 1, s[j], n - j - 1);
                j = q ? (size_t)(q - s) + 1 : n;
            }
            continue;
        }
        j++;
    }
    if (j >= n)
        return n; /* a tag cut off by the end of the input */
    j++;
    if (!close && IN(name, skip_tags) && s[j - 2] != '/')
        return closing(s, n, j, name);
    if (IN(name, para_tags))
        brk(w, 2);
    else if (IN(name, line_tags))
        brk(w, 1);
    else if (IN(name, cell_tags))
        blankc(w);
    return j;
}

/* ---- the pass -------------------------------------------------------------------------- */

size_t parse__html_text(const char *html, size_t len, char *out, size_t cap, bool *cut)
{
    struct out w = {.o = out, .cap = cap};
    size_t i = 0;

    if (cut)
        *cut = false;
    if (cap == 0)
        return 0;
    while (i < len && !w.full) {
        unsigned char c = (unsigned char)html[i];
        uint32_t cp;
        size_t k;

        if (c == '<') {
            k = tag(&w, html, len, i);
            if (k != i) {
                i = k;
                continue;
            }
        } else if (c == '&') {
            k = entity(&w, html, len, i);
            if (k) {
                i += k;
                continue;
            }
        }
        if (c == 0) {
            i++;
            continue;
        }
        k = chorus_utf8_decode(html + i, len - i, &cp);
        if (k == 0) {
            put(&w, 0xFFFD);
            i++;
            continue;
        }
        text(&w, cp);
        i += k;
    }
    out[w.len] = '\0';
    if (cut)
        *cut = w.full;
    return w.len;
}

size_t parse_html_text(const char *html, size_t len, char *out, size_t cap)
{
    return parse__html_text(html, len, out, cap, NULL);
}
