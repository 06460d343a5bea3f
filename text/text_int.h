/* Internals shared by the files of text/ and by nothing else: the
 * taxonomy's layout (built by taxonomy.c, read by match.c) and a few helpers.
 * The public door is include/chorus/text.h.
 */
#ifndef CHORUS_TEXT_INT_H
#define CHORUS_TEXT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chorus/base.h"
#include "chorus/text.h"

/* A phrase has at most this many words: each word takes at least one byte and
 * one separator, and a phrase is at most TEXT_MAX_PHRASE bytes. The matcher
 * keeps this many words of text in a window on the stack. */
#define TEXT__PHRASE_WORDS (TEXT_MAX_PHRASE / 2 + 1)

struct text__phrase {
    char *text;         /* folded and trimmed, '*' kept: what text_match.phrase shows */
    char *words;        /* the phrase's words, each NUL-terminated, back to back */
    size_t wlen;        /* bytes of words, NULs included */
    uint64_t hash;      /* of words: finds repeated phrases at load */
    uint32_t nwords;    /* 1..TEXT__PHRASE_WORDS */
    uint32_t component; /* index of its component */
    bool prefix;        /* the last word matches any word it starts */
};

struct text__component {
    char id[TEXT_MAX_COMPONENT + 1];
    char *label;
    size_t first; /* its phrases are phrases[first .. first+count) */
    size_t count;
};

/* One entry of a first-word index: the key is the phrase's first word
 * (borrowed from the phrase), entries sorted by key bytes, then by phrase. */
struct text__key {
    const char *word;
    size_t len;
    uint32_t phrase;
};

/* A hash index over a sorted key array: each distinct key is one bucket
 * holding where its run of equal keys starts and how long it is.
 * Not a chorus_map: a map call per lookup made text_components_tags ~5% slower. */
struct text__bucket {
    uint64_t hash;
    uint32_t first, n; /* n == 0: empty bucket */
};

struct text__table {
    struct text__bucket *b;
    size_t mask; /* buckets - 1, a power of two minus one */
};

struct text_taxonomy {
    struct text__component comps[TEXT_MAX_COMPONENTS];
    size_t ncomps;
    struct text__phrase *phrases; /* taxonomy order: component, then phrase */
    size_t nphrases;
    size_t alloc;
    /* exact[]: every phrase but the one-word prefix phrases, keyed by its
     * first word, which must equal a text word. prefix[]: one-word prefix
     * phrases, keyed by that word, which must start a text word. */
    struct text__key *exact, *prefix;
    size_t nexact, nprefix;
    uint64_t prefix_lens; /* bit L set when some prefix key is L bytes (L < 64) */
    /* The first two bytes of every key (and the one byte of one-byte keys):
     * most words of a review start no phrase, and two bit tests tell so
     * before any binary search. */
    uint8_t lead2[65536 / 8];
    uint8_t lead1[256 / 8];
    struct text__table exact_ht, prefix_ht; /* hash indexes over exact[] and prefix[] */
    size_t max_words;                       /* most words in any phrase */
};

/* text__xmalloc and text__xrealloc abort when memory runs out (house rule:
 * every size reaching them is capped first). */
void *text__xmalloc(size_t n);
void *text__xrealloc(void *p, size_t n);
char *text__xstrndup(const char *s, size_t n);

/* text__fmt formats into dst (cap bytes, NUL-terminated, cut on a UTF-8
 * character boundary when it does not fit). NULL dst or 0 cap is a no-op. */
void text__fmt(char *dst, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* text__keycmp orders a word of len bytes against a key: bytewise, shorter
 * first on a common prefix (the order of strcmp on NUL-free strings). */
int text__keycmp(const char *word, size_t len, const struct text__key *k);

/* ---- sentiment (sentiment.c scores, sentiment_lexicon.c lists) ----------------- */

/* What a lexicon entry does to the words around it (docs/sentiment.md). */
enum text__senti_kind {
    TEXT__SENTI_VALENCE,  /* an opinion word or phrase: v, or nv when negated */
    TEXT__SENTI_SCALE,    /* intensifier (v > 1) or diminisher (v < 1) of the next opinion */
    TEXT__SENTI_NEGATE,   /* not, never, n't ...: negates the next three content words */
    TEXT__SENTI_CONTRAST, /* but, however ...: the clause after weighs more than the one before */
    TEXT__SENTI_CONCEDE,  /* although, though ...: opening a sentence, the clause up to the first
                             comma weighs less; inside one, like a contrast */
    TEXT__SENTI_NOOP,     /* a phrase that holds no opinion and hides its words ("not only") */
    TEXT__SENTI_SKIP,     /* a function word that negation and intensifier scopes pass over */
};

/* nv of an entry whose negated valence follows from v (sentiment.c). */
#define TEXT__SENTI_NV_DEFAULT 99.0f

struct text__senti_entry {
    const char *text; /* lowercase words exactly as text_words writes them */
    float v;          /* valence -4..+4, or the scale of a TEXT__SENTI_SCALE */
    float nv;         /* valence when negated, or TEXT__SENTI_NV_DEFAULT */
    uint8_t kind;     /* enum text__senti_kind */
};

/* A word replaced by another before anything else looks at it: a spelling
 * ("dont" -> "don't", "recomend" -> "recommend"), or, in the merge table, an
 * auxiliary that becomes a contraction when "not" follows it ("could" ->
 * "couldn't"), so each negated phrase is listed once. */
struct text__senti_alias {
    const char *from, *to;
};

extern const struct text__senti_entry text__senti_lexicon[];
extern const size_t text__senti_nlexicon;
extern const struct text__senti_alias text__senti_aliases[];
extern const size_t text__senti_naliases;
extern const struct text__senti_alias text__senti_merges[];
extern const size_t text__senti_nmerges;

#endif
