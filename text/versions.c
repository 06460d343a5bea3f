/* Versions a review mentions: "since BIOS 1.14 the battery drains",
 * "driver version 31.0.101.4502", "updated the firmware to v2.3".
 *
 * A version is a component word and a version number near it:
 *
 * - component words: bios, uefi, firmware, fw, driver(s); written out as
 *   "BIOS", "UEFI", "firmware", "driver" (the form releases are named in,
 *   docs/releases.md);
 * - a version number: digits with at least one dot ("1.14", "31.0.101"),
 *   or any digits after a 'v' ("v2", "v2.3.1"), or, after BIOS only, Dell's
 *   older letter-and-two-digits form ("A12"). A plain integer is not a
 *   version: "the BIOS 2 times", "firmware 3 weeks ago";
 * - the number follows the word, with up to three filler words between
 *   ("BIOS version 1.12", "BIOS update to 1.14", "firmware is now v2.3"), or
 *   comes right before it ("the 1.14 BIOS"); a sentence break (". , ; ! ?"
 *   or a line break) between them ends the search;
 * - not a version when a unit follows the number ("firmware 2.4 GHz",
 *   "driver 4.5 stars") or a currency sign precedes it.
 *
 * "from BIOS 1.12 to 1.14" gives both: a number that follows a found one
 * after "to", "and", "or", "from", "then" or "->" takes the same component.
 *
 * What is deliberately not a version: model numbers ("XPS 13", "Inspiron
 * 15 3520": no component word), prices, dates, ratings and durations, and
 * operating systems ("Windows 11": an OS update is not the maker's
 * release). The scan is one pass over the bytes with a window of a few
 * tokens, so its cost is linear in the text and needs no allocation.
 */
#include "chorus/text.h"

#include <string.h>

#include "text_int.h"

#define NUM_MAX    24 /* bytes of a version number; longer runs are not versions */
#define LOOK_AHEAD 4  /* filler words allowed between component and number, plus one */

enum tok_kind { TOK_WORD, TOK_NUMBER, TOK_OTHER };

struct tok {
    const char *p;
    size_t n;
    enum tok_kind kind;
    bool dotted;            /* a number with a dot, or a 'v' prefix: a version's shape */
    bool dell;              /* "A12": a letter and two digits */
    bool brk;               /* a sentence break lies between this token and the one before */
    bool money;             /* a currency sign ($ EUR GBP JPY) or '#' right before it */
    char after;             /* the byte just after it */
    char word[NUM_MAX + 1]; /* lowercased (words) or the number without 'v' */
};

struct scanner {
    const char *s, *end;
    bool brk; /* a break seen since the last token */
};

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* classify fills t's kind and normalised text from its bytes. */
static void classify(struct tok *t)
{
    const char *p = t->p;
    size_t n = t->n, digits = 0;
    bool v = n > 1 && (p[0] == 'v' || p[0] == 'V') && is_digit(p[1]);
    bool dot = false, letters = false;

    t->kind = TOK_OTHER;
    t->dotted = t->dell = false;
    t->word[0] = '\0';
    for (size_t i = v ? 1 : 0; i < n; i++) {
        if (is_digit(p[i]))
            digits++;
        else if (p[i] == '.')
            dot = true;
        else
            letters = true;
    }
    if (n > NUM_MAX)
        return;
    if (!letters && digits) {
        /* A number, "v" prefix dropped; leading zeros kept ("1.04"). */
        size_t from = v ? 1 : 0;

        t->kind = TOK_NUMBER;
        t->dotted = dot || v;
        memcpy(t->word, p + from, n - from);
        t->word[n - from] = '\0';
        return;
    }
    if (n == 3 && is_alpha(p[0]) && is_digit(p[1]) && is_digit(p[2])) {
        t->kind = TOK_NUMBER;
        t->dell = true;
        t->word[0] = (char)(lower(p[0]) - 'a' + 'A');
        t->word[1] = p[1];
        t->word[2] = p[2];
        t->word[3] = '\0';
        return;
    }
    if (!digits && !dot) {
        t->kind = TOK_WORD;
        for (size_t i = 0; i < n; i++)
            t->word[i] = lower(p[i]);
        t->word[n] = '\0';
    }
}

/* next reads the next token: a run of ASCII letters and digits, with a dot
 * inside it when digits are on both sides ("1.14", "31.0.101"). Anything
 * else separates tokens; ". , ; ! ?" (a dot not between digits) and line
 * breaks also mark a sentence break. False at the end. */
static bool next(struct scanner *sc, struct tok *t, const char *start)
{
    const char *p = sc->s;

    while (p < sc->end && !is_alpha(*p) && !is_digit(*p)) {
        if (*p == '.' || *p == ',' || *p == ';' || *p == '!' || *p == '?' || *p == '\n' ||
            *p == '\r')
            sc->brk = true;
        p++;
    }
    if (p >= sc->end) {
        sc->s = p;
        return false;
    }
    t->p = p;
    t->money = (p > start && (p[-1] == '$' || p[-1] == '#')) ||
               (p - start >= 3 && memcmp(p - 3, "\xe2\x82\xac", 3) == 0) ||
               (p - start >= 2 &&
                (memcmp(p - 2, "\xc2\xa3", 2) == 0 || memcmp(p - 2, "\xc2\xa5", 2) == 0));
    while (p < sc->end &&
           (is_alpha(*p) || is_digit(*p) ||
            (*p == '.' && p > t->p && is_digit(p[-1]) && p + 1 < sc->end && is_digit(p[1]))))
        p++;
    t->n = (size_t)(p - t->p);
    t->after = p < sc->end ? *p : '\0';
    t->brk = sc->brk;
    sc->brk = false;
    sc->s = p;
    classify(t);
    return true;
}

static bool in_list(const char *w, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(w, list[i]) == 0)
            return true;
    return false;
}

/* component returns the display name of component word w, or NULL. */
static const char *component(const struct tok *t)
{
    static const char *const words[][2] = {
        {"bios", "BIOS"},     {"uefi", "UEFI"},      {"firmware", "firmware"},  {"fw", "firmware"},
        {"driver", "driver"}, {"drivers", "driver"}, {"firmwares", "firmware"},
    };

    if (t->kind != TOK_WORD)
        return NULL;
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strcmp(t->word, words[i][0]) == 0)
            return words[i][1];
    return NULL;
}

/* Words that may stand between a component word and its number. */
static const char *const filler[] = {"version", "ver",      "v",     "update",   "updated",
                                     "to",      "the",      "rev",   "revision", "release",
                                     "is",      "now",      "level", "was",      "build",
                                     "upgrade", "upgraded", "back",  NULL};

/* Words after a number that make it a quantity, not a version. */
static const char *const units[] = {
    "ghz",    "mhz",     "khz",   "hz",      "gb",    "mb",   "kb",    "tb",    "gbps",
    "mbps",   "w",       "watt",  "watts",   "wh",    "volt", "volts", "mah",   "ma",
    "amp",    "amps",    "inch",  "inches",  "mm",    "cm",   "kg",    "lb",    "lbs",
    "oz",     "star",    "stars", "hour",    "hours", "hr",   "hrs",   "min",   "mins",
    "minute", "minutes", "sec",   "seconds", "day",   "days", "week",  "weeks", "month",
    "months", "year",    "years", "percent", "fps",   "nits", "db",    "usd",   "dollars",
    "euros",  "times",   NULL};

/* Words that chain a second number onto a found version. */
static const char *const chain[] = {"to", "and", "or", "from", "then", NULL};

struct out {
    char *buf;
    size_t cap, used, count;
};

/* emit adds "name number" to o unless it is there already or o is full. */
static void emit(struct out *o, const char *name, const char *num)
{
    char v[TEXT_VERSION_MAX];
    size_t n;

    text__fmt(v, sizeof(v), "%s %s", name, num);
    n = strlen(v);
    if (o->count >= TEXT_VERSIONS_MAX)
        return;
    for (const char *p = o->buf; p && *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);

        if (len == n && memcmp(p, v, n) == 0)
            return;
        p += len + (e ? 1 : 0);
    }
    if (o->used + (o->used ? 1 : 0) + n + 1 > o->cap) {
        /* Full: later versions would make a list that is not the first
         * ones in order. */
        o->count = TEXT_VERSIONS_MAX;
        return;
    }
    if (o->used)
        o->buf[o->used++] = ',';
    memcpy(o->buf + o->used, v, n + 1);
    o->used += n;
    o->count++;
}

/* number_ok says whether t can be the version of component name, given the
 * token after it (NULL at the end). */
static bool number_ok(const struct tok *t, const char *name, const struct tok *after)
{
    if (t->kind != TOK_NUMBER || !(t->dotted || (t->dell && strcmp(name, "BIOS") == 0)))
        return false;
    if (t->money || t->after == '%' || t->after == '$')
        return false;
    if (after && !after->brk && after->kind == TOK_WORD && in_list(after->word, units))
        return false;
    return true;
}

#define WINDOW (LOOK_AHEAD + 4)

void text_versions(const char *title, const char *body, char *out, size_t cap)
{
    struct out o = {.buf = out, .cap = cap};
    const char *texts[2] = {title, body};

    if (!out || cap == 0)
        return;
    out[0] = '\0';
    for (int k = 0; k < 2; k++) {
        struct scanner sc;
        struct tok win[WINDOW];
        size_t have = 0;

        if (!texts[k])
            continue;
        sc.s = texts[k];
        sc.end = texts[k] + strlen(texts[k]);
        sc.brk = false;
        /* win[0] is the token under consideration; the rest look ahead. */
        while (have < WINDOW && next(&sc, &win[have], texts[k]))
            have++;
        while (have > 0) {
            const char *name = component(&win[0]);

            if (name) {
                size_t i = 1;

                while (i < have && i < LOOK_AHEAD && !win[i].brk && win[i].kind == TOK_WORD &&
                       in_list(win[i].word, filler))
                    i++;
                if (i < have && !win[i].brk &&
                    number_ok(&win[i], name, i + 1 < have ? &win[i + 1] : NULL)) {
                    size_t j = i + 1;

                    emit(&o, name, win[i].word);
                    /* "from BIOS 1.12 to 1.14" */
                    while (j + 1 < have && !win[j].brk && !win[j + 1].brk &&
                           win[j].kind == TOK_WORD && in_list(win[j].word, chain) &&
                           number_ok(&win[j + 1], name, j + 2 < have ? &win[j + 2] : NULL)) {
                        emit(&o, name, win[j + 1].word);
                        j += 2;
                    }
                }
            } else if (have > 1 && !win[1].brk && component(&win[1]) &&
                       number_ok(&win[0], component(&win[1]), NULL)) {
                /* "the 1.14 BIOS update" */
                emit(&o, component(&win[1]), win[0].word);
            }
            memmove(win, win + 1, (have - 1) * sizeof(win[0]));
            have--;
            if (next(&sc, &win[have], texts[k]))
                have++;
        }
    }
}
