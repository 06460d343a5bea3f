/* Internals of the sentiment scorer, shared by its files and by nothing
 * else: the layout of the lexicon's tables and how a word is found in them.
 * sentiment_tables.c builds the tables from sentiment_lexicon.c once per
 * process; sentiment.c reads them for every word it scores. The hashing is
 * inline here because both need it and the scorer pays it once per word of
 * every review.
 */
#ifndef CHORUS_TEXT_SENTIMENT_INT_H
#define CHORUS_TEXT_SENTIMENT_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "text_int.h"

/* ---- the tables ----------------------------------------------------------------- */

#define TEXT__SENTI_SLOT_BITS    12 /* 4096 slots: the ~900 keys fill a quarter */
#define TEXT__SENTI_NSLOTS       (1u << TEXT__SENTI_SLOT_BITS)
#define TEXT__SENTI_MAX_PHRASES  1024
#define TEXT__SENTI_PHRASE_WORDS 6 /* most words in one lexicon entry */

/* A word of the lexicon: what a lookup and step need, in 16 bytes. The
 * keys are the hash table itself (open addressing, linear probing): a key's
 * number is its slot, and a probe is one load, not a bucket and then a key.
 * The rest is in struct text__senti_key_more, at the same index. */
struct text__senti_key {
    uint64_t head;   /* the first 8 bytes, zero-padded, in memory order: see text__senti_hash */
    int16_t single;  /* entry of the word alone, -1 when none */
    int16_t alias;   /* the key this spelling stands for, -1 when none */
    uint16_t pfirst; /* its phrases: phrases[pfirst .. pfirst + pn), longest first */
    uint8_t len;     /* 0: an empty slot */
    uint8_t plain;   /* TEXT__SENTI_PLAIN_*: what the word does when it starts no phrase */
};

struct text__senti_key_more {
    const char *w; /* borrowed from the lexicon's static strings; not NUL-terminated */
    int16_t merge; /* the key it becomes when "not" follows, -1 when none */
    uint16_t pn;
};

/* Most words of a review start no phrase and are no opinion: they only move
 * the scopes along (a content word) or not even that (a function word), and
 * step lets them through without the general path. */
enum { TEXT__SENTI_PLAIN_NO = 0, TEXT__SENTI_PLAIN_CONTENT, TEXT__SENTI_PLAIN_SKIP };

struct text__senti_phrase {
    uint16_t entry;
    uint16_t n;
    int16_t w[TEXT__SENTI_PHRASE_WORDS];
};

struct text__senti_tables {
    struct text__senti_key keys[TEXT__SENTI_NSLOTS];
    struct text__senti_key_more more[TEXT__SENTI_NSLOTS];
    size_t nkeys;
    struct text__senti_phrase phrases[TEXT__SENTI_MAX_PHRASES];
    size_t nphrases;
    size_t maxlen; /* bytes of the longest key: longer words are not looked up */
    size_t window; /* words in the longest phrase */
    int not_key;
};

/* The tables: written by text__senti_tables_init, read-only afterwards. */
extern struct text__senti_tables text__senti_lx;

/* text__senti_tables_init builds the tables on first use (pthread_once);
 * any thread may call it, and every scoring call does before reading them.
 * A broken static lexicon aborts. */
void text__senti_tables_init(void);

/* ---- hashing words ---------------------------------------------------------------- */

/* Review words are short: they are hashed eight bytes at a time (one
 * multiply per word where FNV-1a, as in match.c, takes one per byte), and a
 * key's first eight bytes and length settle most comparisons without a
 * memcmp.
 * Not chorus_map or chorus_fnv64: FNV-1a alone made text_sentiment 13% slower. */

/* text__senti_chunk reads n <= 8 bytes as a number, zero-padded, the same on
 * any byte order. */
static inline uint64_t text__senti_chunk(const char *w, size_t n)
{
    uint64_t x = 0;

    for (size_t i = 0; i < n; i++)
        x |= (uint64_t)(unsigned char)w[i] << (8 * i);
    return x;
}

static inline uint64_t text__senti_mix(uint64_t h)
{
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ull;
    return h ^ (h >> 32);
}

/* text__senti_hash returns the hash of w and its first eight bytes in
 * *head. */
static inline uint64_t text__senti_hash(const char *w, size_t len, uint64_t *head)
{
    uint64_t h;

    *head = text__senti_chunk(w, len < 8 ? len : 8);
    h = text__senti_mix(*head ^ (uint64_t)len * 0x9e3779b97f4a7c15ull);
    for (size_t i = 8; i < len; i += 8)
        h = text__senti_mix(h ^ text__senti_chunk(w + i, len - i < 8 ? len - i : 8));
    return h;
}

/* text__senti_probe returns the slot of the word (aliases not followed), or
 * the empty slot where it would go. The first slot is taken from the hash's
 * high bits, which mix best. */
static inline size_t text__senti_probe(const char *w, size_t len, uint64_t h, uint64_t head)
{
    const struct text__senti_tables *lx = &text__senti_lx;
    size_t k = (size_t)(h >> (64 - TEXT__SENTI_SLOT_BITS));

    for (;; k = (k + 1) & (TEXT__SENTI_NSLOTS - 1)) {
        const struct text__senti_key *key = &lx->keys[k];

        if (key->len == 0 || (key->head == head && key->len == len &&
                              (len <= 8 || memcmp(lx->more[k].w + 8, w + 8, len - 8) == 0)))
            return k;
    }
}

#endif
