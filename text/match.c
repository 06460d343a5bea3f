/* Finding the taxonomy's phrases in a review: text_components and
 * text_components_tags.
 *
 * The text is tokenized once. Words flow through a window as long as the
 * taxonomy's longest phrase; when a word leaves the window it is tried as
 * the start of a phrase, with a binary search of the first-word indexes
 * (taxonomy.c), so the cost is about one search per word whatever the number
 * of phrases, and no memory grows with the text.
 */
#include "chorus/text.h"

#include <stdlib.h>
#include <string.h>

#include "text_int.h"

struct slot {
    char w[TEXT_WORD_MAX];
    size_t len;
};

struct matcher {
    const struct text_taxonomy *t;
    uint32_t *counts; /* per phrase, taxonomy order */
    struct slot ring[TEXT__PHRASE_WORDS];
    size_t head; /* the oldest word in the window */
    size_t n;    /* words in the window */
};

/* find returns the run of keys equal to word[0..len) (hash h), or NULL
 * with *n 0. */
static const struct text__key *find(const struct text__table *ht, const struct text__key *keys,
                                    const char *word, size_t len, uint64_t h, size_t *n)
{
    for (size_t slot = (size_t)h & ht->mask; ht->b[slot].n; slot = (slot + 1) & ht->mask) {
        const struct text__bucket *bk = &ht->b[slot];
        const struct text__key *k = &keys[bk->first];

        if (bk->hash == h && k->len == len && memcmp(k->word, word, len) == 0) {
            *n = bk->n;
            return k;
        }
    }
    *n = 0;
    return NULL;
}

static void bump(struct matcher *m, uint32_t phrase)
{
    if (m->counts[phrase] < UINT32_MAX)
        m->counts[phrase]++;
}

/* rest_matches says whether phrase p's words after the first are the next
 * words of the window (avail words from head, the first already matched). */
static bool rest_matches(const struct matcher *m, const struct text__phrase *p, size_t avail)
{
    const char *pw = p->words;

    if (p->nwords > avail)
        return false;
    for (size_t k = 1; k < p->nwords; k++) {
        const struct slot *s = &m->ring[(m->head + k) % TEXT__PHRASE_WORDS];
        size_t plen;

        pw += strlen(pw) + 1;
        plen = strlen(pw);
        if (p->prefix && k + 1 == p->nwords) {
            if (s->len < plen || memcmp(s->w, pw, plen) != 0)
                return false;
        } else if (s->len != plen || memcmp(s->w, pw, plen) != 0) {
            return false;
        }
    }
    return true;
}

/* try_start counts every phrase that starts at the oldest word of the
 * window, then drops that word. */
static void try_start(struct matcher *m)
{
    const struct text_taxonomy *t = m->t;
    const struct slot *s = &m->ring[m->head];
    unsigned c0 = (uint8_t)s->w[0], two = s->len >= 2 ? c0 << 8 | (uint8_t)s->w[1] : 0;
    uint64_t h = CHORUS_FNV64_INIT;
    const struct text__key *k;
    size_t n;

    if (!(t->lead1[c0 >> 3] & (1u << (c0 & 7))) &&
        (s->len < 2 || !(t->lead2[two >> 3] & (1u << (two & 7)))))
        goto done;
    /* One pass over the word: at each length that some prefix key has,
     * look that prefix up; at the end, the whole word. */
    for (size_t len = 1; len <= s->len; len++) {
        h = chorus_fnv64_step(h, (unsigned char)s->w[len - 1]);
        if (len < 64 && (t->prefix_lens & ((uint64_t)1 << len))) {
            k = find(&t->prefix_ht, t->prefix, s->w, len, h, &n);
            for (size_t i = 0; i < n; i++)
                bump(m, k[i].phrase);
        }
    }
    k = find(&t->exact_ht, t->exact, s->w, s->len, h, &n);
    for (size_t i = 0; i < n; i++)
        if (rest_matches(m, &t->phrases[k[i].phrase], m->n))
            bump(m, k[i].phrase);
done:
    m->head = (m->head + 1) % TEXT__PHRASE_WORDS;
    m->n--;
}

static int on_word(void *ctx, const char *word, size_t len, size_t start, size_t end)
{
    struct matcher *m = ctx;
    struct slot *s = &m->ring[(m->head + m->n) % TEXT__PHRASE_WORDS];

    (void)start;
    (void)end;
    memcpy(s->w, word, len);
    s->len = len;
    m->n++;
    if (m->n == m->t->max_words)
        try_start(m);
    return 0;
}

/* scan counts the phrases of one text. Title and body are scanned apart so
 * that no phrase spans the two. */
static void scan(struct matcher *m, const char *s)
{
    if (!s)
        return;
    m->head = 0;
    m->n = 0;
    text_words(s, strlen(s), on_word, m);
    while (m->n)
        try_start(m);
}

/* count returns the per-phrase counts of title and body (caller frees). The
 * array is the taxonomy's size, which its caps bound, never the text's. */
static uint32_t *count(const struct text_taxonomy *t, const char *title, const char *body)
{
    struct matcher m;

    m.t = t;
    m.counts = text__xmalloc(t->nphrases * sizeof(*m.counts));
    memset(m.counts, 0, t->nphrases * sizeof(*m.counts));
    scan(&m, title);
    scan(&m, body);
    return m.counts;
}

int text_components(const struct text_taxonomy *t, const char *title, const char *body,
                    struct text_match *out, size_t cap, size_t *n)
{
    uint32_t *counts = NULL;
    size_t got = 0;

    if (!t || !out || cap == 0)
        goto out;
    counts = count(t, title, body);
    for (size_t i = 0; i < t->nphrases && got < cap; i++) {
        if (!counts[i])
            continue;
        out[got].component = t->phrases[i].component;
        out[got].phrase = t->phrases[i].text;
        out[got].count = counts[i];
        got++;
    }
out:
    if (n)
        *n = got;
    free(counts);
    return 0;
}

void text_components_tags(const struct text_taxonomy *t, const char *title, const char *body,
                          char *out, size_t cap)
{
    uint32_t *counts = NULL;
    size_t len = 0;

    if (!out || cap == 0)
        return;
    out[0] = '\0';
    if (!t)
        return;
    counts = count(t, title, body);
    for (size_t c = 0; c < t->ncomps; c++) {
        const struct text__component *comp = &t->comps[c];
        size_t idlen = strlen(comp->id), need;
        bool hit = false;

        for (size_t i = comp->first; i < comp->first + comp->count && !hit; i++)
            hit = counts[i] != 0;
        if (!hit)
            continue;
        /* Only whole ids: a cut id would name another component or none. */
        need = (len ? 1 : 0) + idlen;
        if (len + need + 1 > cap)
            break;
        if (len)
            out[len++] = ',';
        memcpy(out + len, comp->id, idlen);
        len += idlen;
        out[len] = '\0';
    }
    free(counts);
}
