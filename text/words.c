/* Words: the tokenizer every part of the text module shares (the taxonomy
 * tokenizes its phrases with it at load, so phrases and texts can only ever
 * be compared word for word), and the English stop words.
 */
#include "chorus/text.h"

#include "chorus/base.h"

#include <stdlib.h>
#include <string.h>

/* ---- code points ------------------------------------------------------------ */

/* Non-ASCII code points that separate words although the contract counts
 * "any non-ASCII code point" as a letter: spaces, punctuation and symbols.
 * Reviews typed on phones are full of them ("“battery”", "fan—loud",
 * "great 👍"), and treating them as letters would glue them to the words
 * around them so no phrase or term would ever match. Sorted, disjoint. */
static const uint32_t seps[][2] = {
    {0x0080, 0x00A9},   /* C1 controls, no-break space, ¡ ¢ £ ¤ ¥ ¦ § ¨ © */
    {0x00AB, 0x00B4},   /* « ¬ soft hyphen ® ¯ ° ± ² ³ ´ */
    {0x00B6, 0x00B9},   /* ¶ · ¸ ¹ */
    {0x00BB, 0x00BF},   /* » ¼ ½ ¾ ¿ */
    {0x00D7, 0x00D7},   /* × */
    {0x00F7, 0x00F7},   /* ÷ */
    {0x2000, 0x206F},   /* general punctuation: spaces, dashes, quotes, …, zero-width joiners */
    {0x20A0, 0x20CF},   /* currency signs */
    {0x2100, 0x2BFF},   /* letterlike symbols, arrows, maths, shapes, dingbats, ★ ✓ ❤ */
    {0x2E00, 0x2E7F},   /* supplemental punctuation */
    {0x3000, 0x3003},   /* ideographic space, 、 。 〃 */
    {0x3008, 0x3011},   /* CJK brackets */
    {0x3014, 0x301F},   /* more CJK brackets and marks */
    {0xFE00, 0xFE0F},   /* variation selectors (emoji presentation) */
    {0xFE10, 0xFE1F},   /* vertical forms */
    {0xFE30, 0xFE6F},   /* compatibility and small form punctuation */
    {0xFEFF, 0xFEFF},   /* byte order mark */
    {0xFF01, 0xFF0F},   /* fullwidth punctuation */
    {0xFF1A, 0xFF20},   /* fullwidth : ; < = > ? @ */
    {0xFF3B, 0xFF40},   /* fullwidth [ \ ] ^ _ ` */
    {0xFF5B, 0xFF65},   /* fullwidth { | } ~ and halfwidth CJK punctuation */
    {0xFFF9, 0xFFFD},   /* specials, replacement character */
    {0x1F000, 0x1FAFF}, /* emoji and pictographs, skin tones */
    {0xE0000, 0xE007F}, /* tag characters (flag sequences) */
};

static bool is_sep(uint32_t cp)
{
    size_t lo = 0, hi = sizeof(seps) / sizeof(seps[0]);

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (cp < seps[mid][0])
            hi = mid;
        else if (cp > seps[mid][1])
            lo = mid + 1;
        else
            return true;
    }
    return false;
}

/* decode reads the UTF-8 sequence at p (before end) into *cp and returns its
 * length, or 0 when the byte at p does not start a valid sequence: the
 * caller then skips that one byte. */
static size_t decode(const unsigned char *p, const unsigned char *end, uint32_t *cp)
{
    return chorus_utf8_decode((const char *)p, (size_t)(end - p), cp);
}

/* ---- tokenizer -------------------------------------------------------------- */

enum cls {
    C_SEP,  /* separates words */
    C_WORD, /* letter or digit */
    C_APOS, /* ' or U+2019: inside a word only when a letter follows */
};

static enum cls classify(uint32_t cp, size_t k)
{
    if (k == 0)
        return C_SEP; /* an invalid byte */
    if (cp < 0x80) {
        if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9'))
            return C_WORD;
        return cp == '\'' ? C_APOS : C_SEP;
    }
    if (cp == 0x2019)
        return C_APOS;
    return is_sep(cp) ? C_SEP : C_WORD;
}

struct word {
    char w[TEXT_WORD_MAX];
    size_t len, start, end;
    bool apos; /* an apostrophe waits after w: kept only if a letter comes next */
};

static int flush(struct word *w, text_word_fn fn, void *ctx)
{
    int rc = 0;

    if (w->len) {
        w->w[w->len] = '\0';
        rc = fn(ctx, w->w, w->len, w->start, w->end);
    }
    w->len = 0;
    w->apos = false;
    return rc;
}

int text_words(const char *s, size_t len, text_word_fn fn, void *ctx)
{
    const unsigned char *p = (const unsigned char *)s, *end;
    struct word w;
    int rc = 0;

    w.len = 0;
    w.apos = false;
    if (!s)
        goto out; /* NULL + 0 is undefined behaviour, so end waits */
    end = p + len;
    while (p < end) {
        uint32_t cp = *p;
        size_t at = (size_t)(p - (const unsigned char *)s);
        /* Review text is mostly ASCII: no decoding call for it. */
        size_t k = cp < 0x80 ? (cp != 0) : decode(p, end, &cp);

        switch (classify(cp, k)) {
        case C_WORD:
            if (w.apos) {
                /* An apostrophe that would end a cut piece is dropped, so no
                 * piece ever ends in "'". */
                if (w.len + 1 + k <= TEXT_WORD_MAX - 1)
                    w.w[w.len++] = '\'';
                else
                    rc = flush(&w, fn, ctx);
                w.apos = false;
            }
            if (rc == 0 && w.len + k > TEXT_WORD_MAX - 1)
                rc = flush(&w, fn, ctx); /* cut on a character boundary */
            if (rc)
                goto out;
            if (w.len == 0)
                w.start = at;
            if (k == 1 && cp >= 'A' && cp <= 'Z')
                w.w[w.len++] = (char)(cp - 'A' + 'a');
            else
                for (size_t i = 0; i < k; i++)
                    w.w[w.len++] = (char)p[i];
            w.end = at + k;
            break;
        case C_APOS:
            if (w.len && !w.apos) {
                w.apos = true;
                break;
            }
            /* An apostrophe after an apostrophe or outside a word separates. */
            rc = flush(&w, fn, ctx);
            if (rc)
                goto out;
            break;
        default:
            rc = flush(&w, fn, ctx);
            if (rc)
                goto out;
            break;
        }
        p += k ? k : 1;
    }
    rc = flush(&w, fn, ctx);
out:
    return rc;
}

/* ---- stop words ------------------------------------------------------------- */

/* Function words, pronouns, auxiliaries and their contractions (with the
 * ASCII apostrophe the tokenizer writes, and the apostrophe-less spellings
 * people type), plus review filler that names no topic ("product", "item",
 * "bought"). Kept sorted bytewise (LC_ALL=C sort) for the binary search. */
static const char *const stop[] = {
    "a",          "about",     "above",      "after",   "again",    "against",    "all",
    "almost",     "along",     "already",    "also",    "although", "always",     "am",
    "among",      "an",        "and",        "another", "any",      "anybody",    "anyone",
    "anything",   "anyway",    "anyways",    "are",     "aren't",   "around",     "as",
    "at",         "back",      "be",         "became",  "because",  "been",       "before",
    "being",      "below",     "beside",     "besides", "between",  "both",       "bought",
    "but",        "buy",       "by",         "can",     "can't",    "cannot",     "cant",
    "could",      "couldn't",  "did",        "didn't",  "didnt",    "do",         "does",
    "doesn't",    "doesnt",    "doing",      "don't",   "done",     "dont",       "down",
    "during",     "each",      "either",     "else",    "enough",   "etc",        "even",
    "ever",       "every",     "everything", "few",     "for",      "from",       "further",
    "get",        "gets",      "getting",    "got",     "gotten",   "had",        "hadn't",
    "has",        "hasn't",    "have",       "haven't", "having",   "he",         "he'd",
    "he'll",      "he's",      "her",        "here",    "here's",   "hers",       "herself",
    "him",        "himself",   "his",        "how",     "how's",    "however",    "i",
    "i'd",        "i'll",      "i'm",        "i've",    "if",       "im",         "in",
    "into",       "is",        "isn't",      "isnt",    "it",       "it'd",       "it'll",
    "it's",       "item",      "items",      "its",     "itself",   "ive",        "just",
    "least",      "less",      "let's",      "like",    "lot",      "lots",       "many",
    "may",        "maybe",     "me",         "might",   "more",     "most",       "much",
    "must",       "mustn't",   "my",         "myself",  "neither",  "no",         "nor",
    "not",        "nothing",   "now",        "of",      "off",      "often",      "on",
    "once",       "one",       "ones",       "only",    "onto",     "or",         "other",
    "others",     "otherwise", "ought",      "our",     "ours",     "ourselves",  "out",
    "over",       "own",       "per",        "perhaps", "pretty",   "product",    "products",
    "purchase",   "purchased", "quite",      "rather",  "really",   "same",       "several",
    "shall",      "shan't",    "she",        "she'd",   "she'll",   "she's",      "should",
    "shouldn't",  "since",     "so",         "some",    "somehow",  "someone",    "something",
    "sometimes",  "somewhat",  "still",      "such",    "sure",     "than",       "that",
    "that's",     "the",       "their",      "theirs",  "them",     "themselves", "then",
    "there",      "there's",   "these",      "they",    "they'd",   "they'll",    "they're",
    "they've",    "thing",     "things",     "this",    "those",    "though",     "through",
    "thus",       "to",        "too",        "toward",  "towards",  "under",      "unless",
    "until",      "up",        "upon",       "us",      "very",     "via",        "was",
    "wasn't",     "we",        "we'd",       "we'll",   "we're",    "we've",      "well",
    "went",       "were",      "weren't",    "what",    "what's",   "whatever",   "when",
    "when's",     "where",     "where's",    "whether", "which",    "while",      "who",
    "who's",      "whom",      "whose",      "why",     "why's",    "will",       "with",
    "within",     "without",   "won't",      "would",   "wouldn't", "yet",        "you",
    "you'd",      "you'll",    "you're",     "you've",  "your",     "yours",      "yourself",
    "yourselves",
};

static int cmp_stop(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

bool text_stopword(const char *word)
{
    if (!word)
        return false;
    return bsearch(word, stop, sizeof(stop) / sizeof(stop[0]), sizeof(stop[0]), cmp_stop) != NULL;
}
