/* Chorus text analysis: words, the component taxonomy, distinctive terms,
 * sentiment, and the store hooks that apply them at ingest.
 *
 * Plain functions over UTF-8 strings, with no I/O but the taxonomy file
 * loader: the store calls the tagger at ingest, the digest calls the matcher
 * and the term scorer when it renders. Everything here is thread-safe on
 * distinct objects; a loaded taxonomy is read-only and may be shared.
 */
#ifndef CHORUS_TEXT_H
#define CHORUS_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* ---- words ---------------------------------------------------------------- */

#define TEXT_WORD_MAX 64 /* longer runs of letters are cut into pieces */

/* text_word_fn receives one word: lowercased (ASCII folded; other letters
 * kept as they are), NUL-terminated, borrowed for the call; [start, end) are
 * its byte offsets in the input. Return 0 to go on, non-zero to stop (that
 * value is returned by text_words). */
typedef int (*text_word_fn)(void *ctx, const char *word, size_t len, size_t start, size_t end);

/* text_words splits UTF-8 text into words: runs of letters and digits
 * (any non-ASCII code point counts as a letter, except Unicode spaces,
 * punctuation and symbols such as U+00A0, curly quotes, dashes, "…" and
 * emoji, which separate words like ASCII punctuation: the ranges are listed
 * in text/words.c), with an apostrophe inside a word kept ("don't";
 * U+2019 is written as ASCII "'"). Invalid UTF-8 bytes separate words. s
 * need not be NUL-terminated; NULL with len 0 is fine. Returns 0 or fn's
 * value. */
int text_words(const char *s, size_t len, text_word_fn fn, void *ctx);

/* text_stopword says whether a lowercased word is an English stop word
 * (function words, pronouns, auxiliaries, and review filler such as
 * "product", "item", "bought"; "laptop" is NOT one: only words that carry
 * no topic). */
bool text_stopword(const char *word);

/* ---- component taxonomy ---------------------------------------------------- */

#define TEXT_MAX_COMPONENTS 64
#define TEXT_MAX_PHRASES    256 /* per component */
#define TEXT_MAX_PHRASE     100 /* bytes */
#define TEXT_MAX_COMPONENT  32  /* bytes of a component id */
#define TEXT_TAGS_MAX       (TEXT_MAX_COMPONENTS * (TEXT_MAX_COMPONENT + 1)) /* "a,b,c" */

struct text_taxonomy;

/* text_taxonomy_default builds the shipped PC-maker taxonomy (battery,
 * hinge, keyboard, touchpad, fan-heat, display, wireless, firmware, drivers,
 * ports, shipping, support). *out is the caller's; free with
 * text_taxonomy_free. Returns 0 (out of memory aborts). */
int text_taxonomy_default(struct text_taxonomy **out);

/* text_taxonomy_parse reads a taxonomy document (format in
 * docs/digest.md: one component per line, "id | Label | phrase, phrase,
 * ...", '#' comments, blank lines ignored). On error returns CHORUS_EINVAL
 * with a sentence naming the line in errbuf (may be NULL) and leaves *out
 * untouched. *out is the caller's; free with text_taxonomy_free. */
int text_taxonomy_parse(struct text_taxonomy **out, const char *data, size_t len, char *errbuf,
                        size_t errlen);

/* text_taxonomy_load is text_taxonomy_parse over a file (CHORUS_EIO when it
 * cannot be read, with the reason in errbuf). */
int text_taxonomy_load(struct text_taxonomy **out, const char *path, char *errbuf, size_t errlen);

/* text_taxonomy_free frees t. NULL ok. */
void text_taxonomy_free(struct text_taxonomy *t);

/* Components are numbered 0..count-1 in the order the taxonomy lists them.
 * id ("fan-heat") and label ("Fan and heat") are borrowed from t. */
size_t text_taxonomy_count(const struct text_taxonomy *t);
const char *text_taxonomy_id(const struct text_taxonomy *t, size_t i);
const char *text_taxonomy_label(const struct text_taxonomy *t, size_t i);
/* text_taxonomy_find returns the index of component id, or -1. */
int text_taxonomy_find(const struct text_taxonomy *t, const char *id);

/* One phrase of the taxonomy found in a text. */
struct text_match {
    size_t component;   /* index in the taxonomy */
    const char *phrase; /* the taxonomy's phrase, borrowed from t */
    uint32_t count;     /* times it occurs in the text */
};

/* text_components finds the taxonomy's phrases in title and body (either
 * may be NULL): case-insensitive, on word boundaries, a multi-word phrase
 * matching the same words separated by any non-word characters, a phrase
 * ending in '*' matching any word that starts with it. out receives up to
 * cap distinct (component, phrase) pairs in taxonomy order; *n how many
 * were written. Returns 0. */
int text_components(const struct text_taxonomy *t, const char *title, const char *body,
                    struct text_match *out, size_t cap, size_t *n);

/* text_components_tags writes the ids of the components named in title and
 * body, distinct, in taxonomy order, joined by ',' ("battery,hinge"), into
 * out (cap bytes, TEXT_TAGS_MAX is always enough; a smaller out gets the
 * whole ids that fit); "" when none. */
void text_components_tags(const struct text_taxonomy *t, const char *title, const char *body,
                          char *out, size_t cap);

/* ---- distinctive terms ------------------------------------------------------ */

/* A bag of terms: unigrams and two-word phrases ("battery drains"), stop
 * words removed (a bigram is two consecutive non-stop words of the same
 * sentence), numbers-only words dropped. */
struct text_terms;

/* text_terms_new makes an empty bag; the caller frees it with
 * text_terms_free (NULL ok). Out of memory aborts. */
struct text_terms *text_terms_new(void);
void text_terms_free(struct text_terms *b);
/* text_terms_add adds one document (title and body, either NULL). Each term
 * counts once per occurrence; the bag also counts documents per term. */
void text_terms_add(struct text_terms *b, const char *title, const char *body);
/* text_terms_docs gives the number of documents added. */
size_t text_terms_docs(const struct text_terms *b);

struct text_term {
    const char *term;    /* borrowed from the foreground bag */
    uint32_t count;      /* occurrences in the foreground */
    uint32_t docs;       /* foreground documents that contain it */
    uint32_t background; /* occurrences in the background */
    double z;            /* log-odds z-score, foreground against background */
};

/* text_terms_distinctive ranks the terms of fg against bg by the weighted
 * log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi and
 * Quinn 2008, the prior taken from fg+bg), keeping terms with z >= min_z
 * that occur in at least min_docs foreground documents. A bigram hides its
 * own words when it scores at least as well as they do, so "battery drains"
 * does not also list "battery" and "drains" with the same counts. out gets
 * up to cap terms, best first (z descending, then count descending, then
 * term bytewise); *n how many. bg may be empty or NULL: the prior is then
 * the foreground itself, every z is exactly 0 and the order is by count, so
 * only min_z <= 0 lists anything. The prior's weight a0 is a tenth of the
 * terms counted, at most 1000. Returns 0.
 * Strings stay valid until fg is freed. */
int text_terms_distinctive(const struct text_terms *fg, const struct text_terms *bg, double min_z,
                           uint32_t min_docs, struct text_term *out, size_t cap, size_t *n);

/* ---- versions ------------------------------------------------------------------- */

#define TEXT_VERSIONS_MAX 8  /* versions kept per review, in order of first mention */
#define TEXT_VERSION_MAX  48 /* bytes of one, NUL included ("driver 31.0.101.4502") */
/* Room for TEXT_VERSIONS_MAX versions joined by ','. */
#define TEXT_VERSIONS_BUF (TEXT_VERSIONS_MAX * TEXT_VERSION_MAX)

/* text_versions finds the versions title and body (either NULL) mention: a
 * component word (BIOS, UEFI, firmware or fw, driver) and a version number
 * near it ("BIOS 1.12", "BIOS version 1.12", "fw v2.3", "the 1.14 BIOS"),
 * the rules and what is deliberately not a version in text/versions.c and
 * docs/releases.md. Each is written normalised ("bios 1.12" -> "BIOS 1.12",
 * "fw v2.3" -> "firmware 2.3"), distinct, in order of first mention, at most
 * TEXT_VERSIONS_MAX, joined by ',' into out (cap bytes; TEXT_VERSIONS_BUF
 * is always enough, a smaller out gets the first versions that fit whole,
 * in order); "" when none. Linear in the text, no allocation, thread-safe. */
void text_versions(const char *title, const char *body, char *out, size_t cap);

/* text_term_actionable says whether a distinctive term (a word or a
 * two-word phrase, as text_terms_distinctive gives them) names something an
 * engineer can act on: a part, a symptom, a version. A term the taxonomy t
 * names (t may be NULL) always is; otherwise a word is not when it is a
 * common verb, evaluative adjective, adverb, time word or review filler
 * ("use", "become", "wanted", "second", "terrible", "really"), and a phrase
 * is not when either of its words is (the list is in text/actionable.c).
 * Pure, thread-safe. */
bool text_term_actionable(const struct text_taxonomy *t, const char *term);

/* ---- sentiment ------------------------------------------------------------------ */

/* text_sentiment scores the opinion of product-review English in title and
 * body (either may be NULL) on -1 (negative) .. +1 (positive), with a
 * lexicon written for Chorus (docs/sentiment.md): valence per word or
 * phrase, negation ("not good", "never worked", "no problems") flipping
 * and damping the next words, intensifiers and diminishers ("very",
 * "extremely", "slightly") scaling them, contrast ("but", "however")
 * weighing the clause after it more than the one before, and exclamation
 * marks. Returns NAN when the text holds no opinion word at all (a bare
 * mention). Thread-safe, no allocation. */
double text_sentiment(const char *title, const char *body);

/* ---- the store's hooks ---------------------------------------------------------- */

struct review;

/* text_review_tags is a store tagger (store_tagger_fn): the component ids
 * review r names under the taxonomy passed as the hook's context. */
void text_review_tags(void *taxonomy, const struct review *r, char *out, size_t cap);
/* text_review_versions is a store version hook (store_set_versioner, ctx
 * unused): text_versions of r's title and body. */
void text_review_versions(void *ctx, const struct review *r, char *out, size_t cap);
/* text_review_sentiment is a store scorer (store_scorer_fn, ctx unused):
 * text_sentiment of r's title and body when r is in English or names no
 * language, NAN for any other language. */
double text_review_sentiment(void *ctx, const struct review *r);

#endif
