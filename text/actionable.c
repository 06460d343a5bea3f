/* Which distinctive terms an engineer can act on.
 *
 * The digest's "words that stand out" rank what complaints say more often
 * than the product's praise, and without help that includes the words of
 * complaining itself: "use", "become", "wanted", "second", "returned",
 * "terrible". What an engineer can act on is a thing and its symptom:
 * nouns and noun phrases ("standby drain", "bezel", "usb-c port"),
 * component phrases of the taxonomy, and versions. Without a part-of-speech
 * tagger the filter is a list: the common English verbs (every form),
 * evaluative adjectives, adverbs (and words in -ly), time, number and quantity words
 * and review filler, none of which names a part or a fault. Whatever the
 * taxonomy names is kept even when listed ("charging", "sleep"), and a
 * two-word phrase is kept when the taxonomy names it or when neither of its
 * words is filler. The list was written against the words the digest
 * showed on the demo data and on real reviews (docs/digest.md).
 */
#include "chorus/text.h"

#include <stdlib.h>
#include <string.h>

#include "text_int.h"

/* Sorted (bytewise) for bsearch; lowercase, as text_words gives words. */
static const char *const filler[] = {
    "absolutely",    "absurd",     "actual",      "add",        "added",
    "advertised",    "ago",        "agree",       "agreeing",   "almost",
    "amazing",       "annoying",   "answer",      "answered",   "anymore",
    "anyone",        "apparently", "arrived",     "ask",        "asked",
    "avoid",         "away",       "awesome",     "awful",      "bad",
    "basically",     "become",     "becomes",     "becoming",   "began",
    "begin",         "best",       "better",      "big",        "bit",
    "blah",          "bother",     "brand",       "buying",     "call",
    "called",        "came",       "care",        "cheap",      "check",
    "checked",       "choice",     "christmas",   "come",       "comes",
    "coming",        "completely", "computer",    "constantly", "couple",
    "covered",       "crap",       "daughter",    "day",        "days",
    "decent",        "decided",    "definitely",  "describe",   "described",
    "despite",       "device",     "devices",     "different",  "disappointed",
    "disappointing", "done",       "dozen",       "easily",     "easy",
    "eight",         "either",     "end",         "ended",      "enough",
    "entire",        "especially", "evening",     "ever",       "everyday",
    "everyone",      "exactly",    "excellent",   "expect",     "expected",
    "experience",    "extremely",  "fact",        "fair",       "fantastic",
    "far",           "feel",       "feels",       "felt",       "finally",
    "find",          "fine",       "first",       "five",       "found",
    "four",          "frustrated", "frustrating", "full",       "fully",
    "garbage",       "gave",       "getting",     "gift",       "give",
    "gives",         "giving",     "glad",        "go",         "goes",
    "going",         "gone",       "good",        "gotten",     "great",
    "guess",         "guys",       "half",        "happen",     "happened",
    "happening",     "happens",    "happy",       "hard",       "hate",
    "hear",          "heard",      "help",        "helped",     "high",
    "highly",        "hope",       "hoped",       "hopes",      "hoping",
    "horrible",      "hour",       "hours",       "huge",       "hundred",
    "husband",       "ideal",      "instead",     "issue",      "issues",
    "junk",          "keep",       "keeps",       "kept",       "kids",
    "kind",          "knew",       "know",        "known",      "laptop",
    "laptops",       "last",       "later",       "left",       "let",
    "lets",          "literally",  "little",      "long",       "look",
    "looked",        "looking",    "looks",       "love",       "loved",
    "loves",         "lunchtime",  "machine",     "made",       "make",
    "makes",         "making",     "maybe",       "mean",       "means",
    "mine",          "minute",     "minutes",     "money",      "month",
    "months",        "morning",    "need",        "needed",     "needs",
    "never",         "new",        "next",        "nice",       "night",
    "nine",          "normal",     "ok",          "okay",       "old",
    "open",          "opened",     "order",       "ordered",    "overall",
    "own",           "owned",      "paid",        "pay",        "pc",
    "people",        "perfect",    "perfectly",   "person",     "place",
    "plus",          "poor",       "possible",    "probably",   "problem",
    "problems",      "put",        "quickly",     "read",       "ready",
    "real",          "reason",     "received",    "recommend",  "recommended",
    "regret",        "return",     "returned",    "returning",  "returns",
    "review",        "reviews",    "right",       "run",        "sadly",
    "said",          "save",       "saved",       "say",        "saying",
    "says",          "second",     "see",         "seem",       "seemed",
    "seems",         "seen",       "seriously",   "set",        "seven",
    "shame",         "show",       "showed",      "shows",      "simply",
    "six",           "small",      "someone",     "son",        "soon",
    "sorry",         "spend",      "spent",       "star",       "stars",
    "start",         "started",    "starts",      "stuff",      "super",
    "take",          "taken",      "takes",       "taking",     "tell",
    "ten",           "terrible",   "thank",       "thanks",     "think",
    "thought",       "three",      "time",        "times",      "today",
    "told",          "tomorrow",   "took",        "total",      "totally",
    "tried",         "truly",      "try",         "trying",     "turn",
    "turned",        "twenty",     "twice",       "two",        "unfortunately",
    "unit",          "use",        "used",        "useless",    "uses",
    "using",         "usually",    "wait",        "waited",     "waiting",
    "want",          "wanted",     "wants",       "waste",      "way",
    "week",          "week's",     "weeks",       "whatever",   "whole",
    "wife",          "wish",       "wonderful",   "work",       "worked",
    "working",       "works",      "worse",       "worst",      "worth",
    "wrong",         "year",       "years",       "yes",        "yesterday",
};

/* Words in -ly that are nouns, not adverbs. */
static const char *const ly_nouns[] = {"assembly", "family", "supply"};

static int cmp_word(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

static bool is_filler(const char *w, size_t n)
{
    char word[TEXT_WORD_MAX + 1];

    if (n == 0 || n > TEXT_WORD_MAX)
        return false;
    memcpy(word, w, n);
    word[n] = '\0';
    if (bsearch(word, filler, sizeof(filler) / sizeof(filler[0]), sizeof(filler[0]), cmp_word))
        return true;
    if (n >= 5 && w[n - 2] == 'l' && w[n - 1] == 'y') {
        for (size_t i = 0; i < sizeof(ly_nouns) / sizeof(ly_nouns[0]); i++)
            if (strcmp(word, ly_nouns[i]) == 0)
                return false;
        return true;
    }
    return false;
}

/* named says whether the taxonomy names something in term. */
static bool named(const struct text_taxonomy *t, const char *term)
{
    struct text_match m[1];
    size_t n = 0;

    if (!t)
        return false;
    text_components(t, NULL, term, m, 1, &n);
    return n > 0;
}

/* word_ok says whether the word w[0..n) may stand in a kept term: a word
 * the taxonomy names always may. */
static bool word_ok(const struct text_taxonomy *t, const char *w, size_t n)
{
    char word[TEXT_WORD_MAX + 1];

    if (n == 0 || n > TEXT_WORD_MAX)
        return false;
    memcpy(word, w, n);
    word[n] = '\0';
    return named(t, word) || !is_filler(word, n);
}

bool text_term_actionable(const struct text_taxonomy *t, const char *term)
{
    const char *sp = term ? strchr(term, ' ') : NULL;

    if (!term || !*term)
        return false;
    if (!sp)
        return word_ok(t, term, strlen(term));
    return word_ok(t, term, (size_t)(sp - term)) && word_ok(t, sp + 1, strlen(sp + 1));
}
