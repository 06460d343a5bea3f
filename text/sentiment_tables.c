/* Building the sentiment scorer's tables (sentiment_int.h) from the static
 * lexicon (sentiment_lexicon.c).
 *
 * The tables are built on first use, once per process (pthread_once), from
 * the static lexicon; afterwards they are only read, so any number of
 * threads may score at once.
 */
#include "sentiment_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MAX_KEYS (TEXT__SENTI_NSLOTS / 2) /* at most half full, so probes stay short */

struct text__senti_tables text__senti_lx;

/* Only build, under pthread_once, and what it calls write the tables. */
static struct text__senti_tables *const lx = &text__senti_lx;

static pthread_once_t once = PTHREAD_ONCE_INIT;

/* ---- building the tables ------------------------------------------------------------ */

/* intern returns the key of w, adding it when new. The lexicon is static, so
 * running out of room is a bug of sentiment_lexicon.c: abort. */
static int intern(const char *w, size_t len)
{
    uint64_t head, h = text__senti_hash(w, len, &head);
    size_t k = text__senti_probe(w, len, h, head);

    if (lx->keys[k].len)
        return (int)k;
    if (lx->nkeys == MAX_KEYS || len == 0 || len >= TEXT_WORD_MAX)
        abort();
    lx->nkeys++;
    lx->keys[k] = (struct text__senti_key){head, -1, -1, 0, (uint8_t)len, TEXT__SENTI_PLAIN_NO};
    lx->more[k] = (struct text__senti_key_more){w, -1, 0};
    if (len > lx->maxlen)
        lx->maxlen = len;
    return (int)k;
}

/* The words of one lexicon string, as keys. */
struct split {
    const char *text;
    int16_t w[TEXT__SENTI_PHRASE_WORDS];
    size_t n;
};

static int on_lexicon_word(void *ctx, const char *word, size_t len, size_t start, size_t end)
{
    struct split *sp = ctx;

    /* Keys borrow the lexicon's bytes, so an entry must already be written
     * the way the tokenizer writes it: lowercase, ASCII apostrophes. */
    if (sp->n == TEXT__SENTI_PHRASE_WORDS || end - start != len ||
        memcmp(sp->text + start, word, len) != 0)
        abort();
    sp->w[sp->n++] = (int16_t)intern(sp->text + start, len);
    return 0;
}

static void split(struct split *sp, const char *text)
{
    sp->text = text;
    sp->n = 0;
    text_words(text, strlen(text), on_lexicon_word, sp);
    if (sp->n == 0)
        abort();
}

static int cmp_phrase(const void *a, const void *b)
{
    const struct text__senti_phrase *x = a, *y = b;

    if (x->w[0] != y->w[0])
        return x->w[0] < y->w[0] ? -1 : 1;
    if (x->n != y->n)
        return x->n > y->n ? -1 : 1; /* longest first */
    return memcmp(x->w, y->w, sizeof(x->w));
}

static int one_word(const char *text)
{
    struct split sp;

    split(&sp, text);
    if (sp.n != 1)
        abort();
    return sp.w[0];
}

static void build(void)
{
    struct split sp;

    for (size_t i = 0; i < text__senti_nlexicon; i++) {
        split(&sp, text__senti_lexicon[i].text);
        if (sp.n == 1) {
            if (lx->keys[sp.w[0]].single >= 0)
                abort(); /* listed twice */
            lx->keys[sp.w[0]].single = (int16_t)i;
            continue;
        }
        if (lx->nphrases == TEXT__SENTI_MAX_PHRASES)
            abort();
        lx->phrases[lx->nphrases].entry = (uint16_t)i;
        lx->phrases[lx->nphrases].n = (uint16_t)sp.n;
        for (size_t j = 0; j < TEXT__SENTI_PHRASE_WORDS; j++)
            lx->phrases[lx->nphrases].w[j] = j < sp.n ? sp.w[j] : -1;
        lx->nphrases++;
        if (sp.n > lx->window)
            lx->window = sp.n;
    }
    qsort(lx->phrases, lx->nphrases, sizeof(lx->phrases[0]), cmp_phrase);
    for (size_t i = 0; i < lx->nphrases; i++) {
        struct text__senti_key *k = &lx->keys[lx->phrases[i].w[0]];

        if (i && cmp_phrase(&lx->phrases[i - 1], &lx->phrases[i]) == 0)
            abort(); /* listed twice */
        if (lx->more[k - lx->keys].pn == 0)
            k->pfirst = (uint16_t)i;
        lx->more[k - lx->keys].pn++;
    }
    for (size_t i = 0; i < text__senti_naliases; i++)
        lx->keys[one_word(text__senti_aliases[i].from)].alias =
            (int16_t)one_word(text__senti_aliases[i].to);
    for (size_t i = 0; i < text__senti_nmerges; i++)
        lx->more[one_word(text__senti_merges[i].from)].merge =
            (int16_t)one_word(text__senti_merges[i].to);
    lx->not_key = one_word("not");
    for (size_t i = 0; i < TEXT__SENTI_NSLOTS; i++) {
        struct text__senti_key *k = &lx->keys[i];

        if (k->len == 0)
            continue;
        if (lx->more[i].pn == 0 && k->single < 0)
            k->plain = TEXT__SENTI_PLAIN_CONTENT;
        else if (lx->more[i].pn == 0 && text__senti_lexicon[k->single].kind == TEXT__SENTI_SKIP)
            k->plain = TEXT__SENTI_PLAIN_SKIP;
    }
    if (lx->window < 1)
        lx->window = 1;
}

void text__senti_tables_init(void)
{
    pthread_once(&once, build);
}
