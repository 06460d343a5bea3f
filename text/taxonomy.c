/* The component taxonomy: parsing the document format of docs/digest.md
 * ("id | Label | phrase, phrase, ..."), loading it from a file, the
 * accessors, and the first-word indexes the matcher (match.c) searches.
 */
#include "chorus/text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"
#include "text_int.h"

#define DOC_MAX   (1u << 20) /* bytes of a taxonomy document */
#define LABEL_MAX 100        /* bytes of a label */
#define QUOTE_MAX 40         /* bytes of input quoted back in a sentence */

/* ---- freeing and accessors ------------------------------------------------- */

void text_taxonomy_free(struct text_taxonomy *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nphrases; i++) {
        free(t->phrases[i].text);
        free(t->phrases[i].words);
    }
    for (size_t i = 0; i < t->ncomps; i++)
        free(t->comps[i].label);
    free(t->phrases);
    free(t->exact);
    free(t->prefix);
    free(t->exact_ht.b);
    free(t->prefix_ht.b);
    free(t);
}

size_t text_taxonomy_count(const struct text_taxonomy *t)
{
    return t ? t->ncomps : 0;
}

const char *text_taxonomy_id(const struct text_taxonomy *t, size_t i)
{
    return t && i < t->ncomps ? t->comps[i].id : NULL;
}

const char *text_taxonomy_label(const struct text_taxonomy *t, size_t i)
{
    return t && i < t->ncomps ? t->comps[i].label : NULL;
}

int text_taxonomy_find(const struct text_taxonomy *t, const char *id)
{
    if (!t || !id)
        return -1;
    for (size_t i = 0; i < t->ncomps; i++)
        if (strcmp(t->comps[i].id, id) == 0)
            return (int)i;
    return -1;
}

/* ---- parsing helpers -------------------------------------------------------- */

struct span {
    const char *s;
    size_t n;
};

static struct span trim(const char *s, size_t n)
{
    struct span r;

    while (n && (s[0] == ' ' || s[0] == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    r.s = s;
    r.n = n;
    return r;
}

/* quote copies at most QUOTE_MAX bytes of valid UTF-8 s into dst (room for
 * QUOTE_MAX + 4), cut on a character boundary and marked with "..." when
 * cut, so a sentence quoting a 100 KiB line stays one readable line. */
static const char *quote(char *dst, struct span s)
{
    size_t n = s.n;

    if (n > QUOTE_MAX) {
        n = QUOTE_MAX;
        while (n && ((unsigned char)s.s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, s.s, n);
    if (n < s.n) {
        memcpy(dst + n, "...", 3);
        n += 3;
    }
    dst[n] = '\0';
    return dst;
}

static bool id_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* What text_words reports about a phrase: its words back to back, and where
 * its last word ends (to tell "fan*" from "fan *"). */
struct phrase_words {
    char buf[2 * TEXT_MAX_PHRASE];
    size_t len, nwords, last_end;
};

static int on_phrase_word(void *ctx, const char *word, size_t len, size_t start, size_t end)
{
    struct phrase_words *pw = ctx;

    (void)start;
    /* Invariant: the tokenizer never writes more than it reads, and every
     * word needs at least one byte of input plus a separator. */
    if (pw->len + len + 1 > sizeof(pw->buf))
        abort();
    memcpy(pw->buf + pw->len, word, len + 1);
    pw->len += len + 1;
    pw->nwords++;
    pw->last_end = end;
    return 0;
}

/* ---- parsing ---------------------------------------------------------------- */

struct parser {
    struct text_taxonomy *t;
    size_t line;
    size_t comp_line[TEXT_MAX_COMPONENTS]; /* where each component was listed */
    char *err;
    size_t errlen;
};

/* fail writes "line N: " and the sentence into the caller's errbuf and
 * returns CHORUS_EINVAL. */
static int fail(const struct parser *ps, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int fail(const struct parser *ps, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    text__fmt(ps->err, ps->errlen, "line %zu: %s", ps->line, msg);
    return CHORUS_EINVAL;
}

static int add_phrase(struct parser *ps, struct text__component *c, struct span ph)
{
    struct text_taxonomy *t = ps->t;
    struct phrase_words pw;
    struct text__phrase *p;
    char q[QUOTE_MAX + 4], q2[QUOTE_MAX + 4];
    size_t n = ph.n;
    bool prefix = false;
    uint64_t h;

    if (n == 0)
        return fail(ps,
                    "component \"%s\" has an empty phrase (two commas in a row, or a "
                    "comma at the end).",
                    c->id);
    if (n > TEXT_MAX_PHRASE)
        return fail(ps, "phrase \"%s\" is longer than %d bytes.", quote(q, ph), TEXT_MAX_PHRASE);
    if (c->count == TEXT_MAX_PHRASES)
        return fail(ps, "component \"%s\" has more than %d phrases.", c->id, TEXT_MAX_PHRASES);
    if (ph.s[n - 1] == '*') {
        prefix = true;
        n--;
    }
    if (memchr(ph.s, '*', n))
        return fail(ps, "phrase \"%s\" may use '*' only once, at its end.", quote(q, ph));
    pw.len = pw.nwords = pw.last_end = 0;
    text_words(ph.s, n, on_phrase_word, &pw);
    if (pw.nwords == 0)
        return fail(ps, "phrase \"%s\" has no words (letters or digits).", quote(q, ph));
    if (prefix && pw.last_end != n)
        return fail(ps, "phrase \"%s\" must have its '*' right after a letter or digit.",
                    quote(q, ph));
    /* Invariant: TEXT_MAX_PHRASE bytes cannot hold more words than this. */
    if (pw.nwords > TEXT__PHRASE_WORDS)
        abort();
    /* The same words twice in one component would count one mention twice;
     * across components they are fine (a phrase may name two components). */
    h = chorus_fnv64(CHORUS_FNV64_INIT, pw.buf, pw.len); /* only spots candidates */
    for (size_t i = c->first; i < c->first + c->count; i++) {
        const struct text__phrase *o = &t->phrases[i];

        if (o->hash == h && o->prefix == prefix && o->wlen == pw.len &&
            memcmp(o->words, pw.buf, pw.len) == 0) {
            struct span os = {o->text, strlen(o->text)};

            return fail(ps, "phrase \"%s\" repeats \"%s\" in component \"%s\".", quote(q, ph),
                        quote(q2, os), c->id);
        }
    }
    if (t->nphrases == t->alloc) {
        t->alloc = t->alloc ? 2 * t->alloc : 64;
        t->phrases = text__xrealloc(t->phrases, t->alloc * sizeof(*t->phrases));
    }
    p = &t->phrases[t->nphrases++];
    p->text = text__xstrndup(ph.s, ph.n);
    for (char *s = p->text; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
    p->words = text__xstrndup(pw.buf, pw.len);
    p->wlen = pw.len;
    p->hash = h;
    p->nwords = (uint32_t)pw.nwords;
    p->component = (uint32_t)(c - t->comps);
    p->prefix = prefix;
    c->count++;
    if (pw.nwords > t->max_words)
        t->max_words = pw.nwords;
    return 0;
}

static int parse_line(struct parser *ps, struct span line)
{
    struct text_taxonomy *t = ps->t;
    struct text__component *c;
    struct span id, label, phrases;
    const char *bar1, *bar2, *end = line.s + line.n;
    char q[QUOTE_MAX + 4];
    int rc;

    for (size_t i = 0; i < line.n; i++) {
        unsigned char b = (unsigned char)line.s[i];

        if ((b < 0x20 && b != '\t') || b == 0x7F)
            return fail(ps, "contains a control character.");
    }
    bar1 = memchr(line.s, '|', line.n);
    bar2 = bar1 ? memchr(bar1 + 1, '|', (size_t)(end - bar1 - 1)) : NULL;
    if (!bar2 || memchr(bar2 + 1, '|', (size_t)(end - bar2 - 1)))
        return fail(ps, "a component is written \"id | Label | phrase, phrase, ...\" with "
                        "exactly two '|'.");
    id = trim(line.s, (size_t)(bar1 - line.s));
    label = trim(bar1 + 1, (size_t)(bar2 - bar1 - 1));
    phrases = trim(bar2 + 1, (size_t)(end - bar2 - 1));

    if (id.n == 0)
        return fail(ps, "the component id is empty.");
    if (id.n > TEXT_MAX_COMPONENT)
        return fail(ps, "component id \"%s\" is longer than %d bytes.", quote(q, id),
                    TEXT_MAX_COMPONENT);
    for (size_t i = 0; i < id.n; i++) {
        if (!id_char(id.s[i]))
            return fail(ps, "component id \"%s\" may only use a-z, 0-9, '-' and '_'.",
                        quote(q, id));
    }
    for (size_t i = 0; i < t->ncomps; i++) {
        if (strlen(t->comps[i].id) == id.n && memcmp(t->comps[i].id, id.s, id.n) == 0)
            return fail(ps, "component id \"%s\" is already used on line %zu.", t->comps[i].id,
                        ps->comp_line[i]);
    }
    if (t->ncomps == TEXT_MAX_COMPONENTS)
        return fail(ps, "the taxonomy has more than %d components.", TEXT_MAX_COMPONENTS);
    c = &t->comps[t->ncomps];
    memcpy(c->id, id.s, id.n);
    c->id[id.n] = '\0';
    if (label.n == 0 || label.n > LABEL_MAX)
        return fail(ps, "the label of component \"%s\" must be 1 to %d bytes.", c->id, LABEL_MAX);
    if (phrases.n == 0)
        return fail(ps, "component \"%s\" has no phrases.", c->id);
    /* The component is committed now so text_taxonomy_free releases its
     * label and phrases if a later phrase fails. */
    c->label = text__xstrndup(label.s, label.n);
    c->first = t->nphrases;
    c->count = 0;
    ps->comp_line[t->ncomps] = ps->line;
    t->ncomps++;
    for (const char *p = phrases.s, *pend = phrases.s + phrases.n;;) {
        const char *comma = memchr(p, ',', (size_t)(pend - p));
        const char *stop = comma ? comma : pend;

        rc = add_phrase(ps, c, trim(p, (size_t)(stop - p)));
        if (rc)
            return rc;
        if (!comma)
            break;
        p = comma + 1;
    }
    return 0;
}

static int cmp_key(const void *a, const void *b)
{
    const struct text__key *x = a, *y = b;
    int c = text__keycmp(x->word, x->len, y);

    if (c)
        return c;
    return x->phrase < y->phrase ? -1 : x->phrase > y->phrase;
}

/* build_table indexes the runs of equal keys of a sorted array by their
 * FNV-1a hash, which the matcher computes a byte at a time. */
static void build_table(struct text__table *ht, const struct text__key *keys, size_t n)
{
    size_t size = 16;

    while (size < 2 * n)
        size *= 2;
    ht->b = text__xmalloc(size * sizeof(*ht->b));
    memset(ht->b, 0, size * sizeof(*ht->b));
    ht->mask = size - 1;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        uint64_t h = chorus_fnv64(CHORUS_FNV64_INIT, keys[i].word, keys[i].len);
        size_t slot = (size_t)h & ht->mask;

        while (j < n && keys[j].len == keys[i].len &&
               memcmp(keys[j].word, keys[i].word, keys[i].len) == 0)
            j++;
        while (ht->b[slot].n)
            slot = (slot + 1) & ht->mask;
        ht->b[slot].hash = h;
        ht->b[slot].first = (uint32_t)i;
        ht->b[slot].n = (uint32_t)(j - i);
        i = j;
    }
}

/* build_index sorts every phrase's first word into exact[] or prefix[] (see
 * struct text_taxonomy), so matching costs a binary search per text word
 * instead of a pass over every phrase. */
static void build_index(struct text_taxonomy *t)
{
    t->exact = text__xmalloc(t->nphrases * sizeof(*t->exact));
    t->prefix = text__xmalloc(t->nphrases * sizeof(*t->prefix));
    for (size_t i = 0; i < t->nphrases; i++) {
        const struct text__phrase *p = &t->phrases[i];
        struct text__key k;

        k.word = p->words;
        k.len = strlen(p->words);
        k.phrase = (uint32_t)i;
        if (k.len == 1) {
            t->lead1[(uint8_t)k.word[0] >> 3] |= (uint8_t)(1u << ((uint8_t)k.word[0] & 7));
        } else if (k.len >= 2) {
            unsigned two = (unsigned)(uint8_t)k.word[0] << 8 | (uint8_t)k.word[1];

            t->lead2[two >> 3] |= (uint8_t)(1u << (two & 7));
        }
        if (p->prefix && p->nwords == 1) {
            t->prefix[t->nprefix++] = k;
            t->prefix_lens |= (uint64_t)1 << k.len; /* k.len < TEXT_WORD_MAX == 64 */
        } else {
            t->exact[t->nexact++] = k;
        }
    }
    qsort(t->exact, t->nexact, sizeof(*t->exact), cmp_key);
    qsort(t->prefix, t->nprefix, sizeof(*t->prefix), cmp_key);
    build_table(&t->exact_ht, t->exact, t->nexact);
    build_table(&t->prefix_ht, t->prefix, t->nprefix);
}

int text_taxonomy_parse(struct text_taxonomy **out, const char *data, size_t len, char *errbuf,
                        size_t errlen)
{
    struct text_taxonomy *t = NULL;
    struct parser ps;
    const char *p = data, *end = data ? data + len : NULL;
    int rc = CHORUS_EINVAL;

    if (errbuf && errlen)
        errbuf[0] = '\0';
    if (!out || (!data && len)) {
        text__fmt(errbuf, errlen, "No taxonomy document was given.");
        goto out;
    }
    if (len > DOC_MAX) {
        text__fmt(errbuf, errlen, "The taxonomy is larger than 1 MiB (%zu bytes).", len);
        goto out;
    }
    t = text__xmalloc(sizeof(*t));
    memset(t, 0, sizeof(*t));
    memset(&ps, 0, sizeof(ps));
    ps.t = t;
    ps.err = errbuf;
    ps.errlen = errlen;
    /* Editors on Windows start UTF-8 files with a byte order mark. */
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    while (p && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)((nl ? nl : end) - p);
        struct span line;

        ps.line++;
        if (!chorus_utf8_valid(p, n)) {
            text__fmt(errbuf, errlen, "line %zu: is not valid UTF-8 (or contains a NUL byte).",
                      ps.line);
            goto out;
        }
        if (n && p[n - 1] == '\r')
            n--;
        line = trim(p, n);
        if (line.n && line.s[0] != '#' && parse_line(&ps, line) != 0)
            goto out; /* parse_line wrote the sentence */
        p = nl ? nl + 1 : end;
    }
    if (t->ncomps == 0) {
        text__fmt(errbuf, errlen, "The taxonomy lists no components.");
        goto out;
    }
    build_index(t);
    *out = t;
    t = NULL;
    rc = 0;
out:
    text_taxonomy_free(t);
    return rc;
}

int text_taxonomy_load(struct text_taxonomy **out, const char *path, char *errbuf, size_t errlen)
{
    struct buf b;
    FILE *f = NULL;
    char why[128];
    int rc;

    buf_init(&b, DOC_MAX);
    if (errbuf && errlen)
        errbuf[0] = '\0';
    if (!out || !path) {
        text__fmt(errbuf, errlen, "No taxonomy file was given.");
        rc = CHORUS_EINVAL;
        goto out;
    }
    f = fopen(path, "rb");
    if (!f) {
        if (strerror_r(errno, why, sizeof(why)) != 0)
            text__fmt(why, sizeof(why), "error %d", errno);
        text__fmt(errbuf, errlen, "cannot open taxonomy %s: %s", path, why);
        rc = CHORUS_EIO;
        goto out;
    }
    rc = buf_read_file(&b, f);
    if (rc == CHORUS_ETOOBIG) {
        text__fmt(errbuf, errlen, "taxonomy %s is larger than 1 MiB.", path);
        rc = CHORUS_EINVAL;
        goto out;
    }
    if (rc) {
        text__fmt(errbuf, errlen, "cannot read taxonomy %s.", path);
        rc = CHORUS_EIO;
        goto out;
    }
    rc = text_taxonomy_parse(out, b.data ? b.data : "", b.len, errbuf, errlen);
out:
    if (f)
        fclose(f);
    buf_cleanup(&b);
    return rc;
}
