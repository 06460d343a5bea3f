/* Distinctive terms: bags of unigrams and bigrams, and the weighted
 * log-odds ratio of Monroe, Colaresi and Quinn (2008), "Fightin' Words",
 * that ranks what one set of reviews says more than another.
 *
 * A bag is a table of terms with their counts. It holds at most
 * BAG_MAX_TERMS distinct terms, so its memory is bounded however much text
 * goes in: new terms past the cap are ignored, terms already in the bag go
 * on counting.
 */
#include "chorus/text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"
#include "text_int.h"

#define BAG_MAX_TERMS 200000u
#define TERM_MAX      (2 * TEXT_WORD_MAX) /* "word word" with its NUL */
#define BLOCK_SIZE    65536               /* bytes of a block of term strings */
/* The prior's total weight a0 (the Dirichlet's sum of alphas): a tenth of
 * the terms counted, at most 1000. A fixed 1000 (Monroe et al. work with
 * large corpora) swamps a digest's few complaints and a product's few
 * positive reviews: 64 complaints saying "hinge cracked" against 3 positive
 * reviews scored below 1. Scaled, rare terms still do not top the list,
 * while a term said far more often in the foreground stands out even in
 * small samples. */
#define PRIOR_SHARE 0.1
#define PRIOR_MAX   1000.0

/* ---- the bag ----------------------------------------------------------------- */

struct entry {
    const char *term; /* in one of the bag's blocks */
    uint32_t len;
    uint32_t count;  /* occurrences, saturating */
    uint32_t docs;   /* documents containing it, saturating */
    size_t last_doc; /* the last document that counted in docs */
    bool bigram;
};

/* Term strings live in fixed blocks that never move, so text_term.term can
 * borrow them for the bag's life. */
struct block {
    struct block *next;
    size_t used;
    char data[BLOCK_SIZE];
};

struct text_terms {
    struct entry *entries; /* in the order terms were first seen */
    size_t n, alloc;
    struct chorus_map index; /* term -> entry index + 1 (the entries array moves) */
    struct block *blocks;
    uint64_t total; /* occurrences of every counted term */
    size_t docs;
};

struct text_terms *text_terms_new(void)
{
    struct text_terms *b = text__xmalloc(sizeof(*b));
    uint64_t a = (uint64_t)(uintptr_t)b;

    memset(b, 0, sizeof(*b));
    /* Seeded per bag from its address: the 200,000-term cap bounds the
     * table, and the seed keeps one crafted set of colliding terms from
     * costing the same on every run. */
    chorus_map_init(&b->index, a ^ (a >> 32) ^ (a >> 12));
    return b;
}

void text_terms_free(struct text_terms *b)
{
    if (!b)
        return;
    while (b->blocks) {
        struct block *next = b->blocks->next;

        free(b->blocks);
        b->blocks = next;
    }
    free(b->entries);
    chorus_map_cleanup(&b->index, NULL);
    free(b);
}

size_t text_terms_docs(const struct text_terms *b)
{
    return b ? b->docs : 0;
}

/* find returns the index of the entry for s[0..n), or -1. */
static long find(const struct text_terms *b, const char *s, size_t n)
{
    return (long)(uintptr_t)chorus_map_get(&b->index, s, n) - 1;
}

static const char *keep(struct text_terms *b, const char *s, size_t n)
{
    struct block *blk = b->blocks;
    char *p;

    if (!blk || BLOCK_SIZE - blk->used < n + 1) {
        blk = text__xmalloc(sizeof(*blk));
        blk->next = b->blocks;
        blk->used = 0;
        b->blocks = blk;
    }
    p = blk->data + blk->used;
    memcpy(p, s, n);
    p[n] = '\0';
    blk->used += n + 1;
    return p;
}

static void count_term(struct text_terms *b, const char *s, size_t n, bool bigram)
{
    struct entry *e;
    bool created = false;
    long k;

    /* Below the cap one hash finds the term or makes its place, which the
     * entry appended next takes. */
    if (b->n < BAG_MAX_TERMS) {
        void **v = chorus_map_slot(&b->index, s, n, &created);

        if (created)
            *v = (void *)(uintptr_t)(b->n + 1);
        k = (long)(uintptr_t)*v - 1;
    } else {
        k = find(b, s, n);
        if (k < 0)
            return;
    }
    if (created) {
        if (b->n == b->alloc) {
            b->alloc = b->alloc ? 2 * b->alloc : 256;
            b->entries = text__xrealloc(b->entries, b->alloc * sizeof(*b->entries));
        }
        b->n++;
        e = &b->entries[k];
        e->term = keep(b, s, n);
        e->len = (uint32_t)n;
        e->count = 0;
        e->docs = 0;
        e->last_doc = 0;
        e->bigram = bigram;
    }
    e = &b->entries[k];
    if (e->count < UINT32_MAX)
        e->count++;
    if (e->last_doc != b->docs) {
        e->last_doc = b->docs;
        if (e->docs < UINT32_MAX)
            e->docs++;
    }
    b->total++;
}

/* ---- adding documents ------------------------------------------------------- */

struct adder {
    struct text_terms *b;
    const char *s;
    char prev[TEXT_WORD_MAX]; /* the last non-stop word, while a bigram may follow it */
    size_t prev_len, prev_end;
    bool has_prev;
};

static bool numeric(const char *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (w[i] < '0' || w[i] > '9')
            return false;
    return true;
}

/* sentence_break says whether s[from..to) ends a sentence or a line. */
static bool sentence_break(const char *s, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (s[i] == '.' || s[i] == '!' || s[i] == '?' || s[i] == ';' || s[i] == '\n' ||
            s[i] == '\r')
            return true;
    return false;
}

static int on_term_word(void *ctx, const char *word, size_t len, size_t start, size_t end)
{
    struct adder *a = ctx;
    char bigram[TERM_MAX];

    if (a->has_prev && sentence_break(a->s, a->prev_end, start))
        a->has_prev = false;
    /* A dropped word breaks the chain too: "battery 2 drains" and "battery
     * that drains" do not make "battery drains". */
    if (text_stopword(word) || numeric(word, len)) {
        a->has_prev = false;
        return 0;
    }
    count_term(a->b, word, len, false);
    if (a->has_prev) {
        memcpy(bigram, a->prev, a->prev_len);
        bigram[a->prev_len] = ' ';
        memcpy(bigram + a->prev_len + 1, word, len);
        count_term(a->b, bigram, a->prev_len + 1 + len, true);
    }
    memcpy(a->prev, word, len);
    a->prev_len = len;
    a->prev_end = end;
    a->has_prev = true;
    return 0;
}

static void add_text(struct adder *a, const char *s)
{
    if (!s)
        return;
    a->s = s;
    a->has_prev = false; /* no bigram spans title and body */
    text_words(s, strlen(s), on_term_word, a);
}

void text_terms_add(struct text_terms *b, const char *title, const char *body)
{
    struct adder a;

    if (!b)
        return;
    b->docs++; /* entries' last_doc start at 0, so documents count from 1 */
    a.b = b;
    add_text(&a, title);
    add_text(&a, body);
}

/* ---- ranking ---------------------------------------------------------------- */

/* zscore is the log-odds ratio of a term seen f times among nf in the
 * foreground and b times among nb in the background, with the informative
 * Dirichlet prior alpha = a0 * (f + b) / (nf + nb), divided by its
 * estimated standard deviation (Monroe et al. 2008, equations 22 and 23). */
static double zscore(double f, double b, double nf, double nb)
{
    double a0 = PRIOR_SHARE * (nf + nb) < PRIOR_MAX ? PRIOR_SHARE * (nf + nb) : PRIOR_MAX;
    double alpha = a0 * (f + b) / (nf + nb);
    double frest = nf + a0 - f - alpha, brest = nb + a0 - b - alpha;
    double delta, var;

    /* With no background the prior is the foreground itself and every
     * term's log-odds is exactly 0: computing it would only rank rounding
     * noise, so the order falls to the counts. And when the term is the
     * whole vocabulary there is nothing to contrast either. */
    if (nb == 0 || frest <= 0 || brest <= 0)
        return 0;
    delta = log((f + alpha) / frest) - log((b + alpha) / brest);
    var = 1 / (f + alpha) + 1 / (b + alpha);
    return delta / sqrt(var);
}

struct cand {
    const struct entry *e;
    uint32_t background;
    double z;
    bool hidden;
};

static int cmp_cand(const void *pa, const void *pb)
{
    const struct cand *a = pa, *b = pb;

    if (a->z != b->z)
        return a->z > b->z ? -1 : 1;
    if (a->e->count != b->e->count)
        return a->e->count > b->e->count ? -1 : 1;
    return strcmp(a->e->term, b->e->term);
}

/* hide marks the unigram word[0..n) hidden when bigram c scores at least as
 * well as it does: a higher z, or the same z and at least its count, which
 * is cmp_cand's order short of the tie-break on the term. With no
 * background every z is 0 and this reduces to "the same count", the case
 * of a word said only inside the bigram. at[] maps fg entries to
 * candidates (-1: not one). */
static void hide(const struct text_terms *fg, struct cand *cands, const long *at,
                 const struct cand *c, const char *word, size_t n)
{
    long k = find(fg, word, n);
    const struct cand *u;

    if (k < 0 || at[k] < 0)
        return;
    u = &cands[at[k]];
    if (c->z > u->z || (c->z == u->z && c->e->count >= u->e->count))
        cands[at[k]].hidden = true;
}

int text_terms_distinctive(const struct text_terms *fg, const struct text_terms *bg, double min_z,
                           uint32_t min_docs, struct text_term *out, size_t cap, size_t *n)
{
    struct cand *cands = NULL;
    long *at = NULL;
    size_t ncand = 0, kept = 0, got = 0;
    double nf, nb;

    if (!fg || !out || cap == 0 || fg->total + (bg ? bg->total : 0) == 0)
        goto out;
    nf = (double)fg->total;
    nb = bg ? (double)bg->total : 0;
    /* fg->n is capped at BAG_MAX_TERMS, which bounds both arrays. */
    cands = text__xmalloc(fg->n * sizeof(*cands));
    at = text__xmalloc(fg->n * sizeof(*at));
    for (size_t k = 0; k < fg->n; k++) {
        const struct entry *e = &fg->entries[k];
        uint32_t b = 0;
        double z;

        at[k] = -1;
        if (e->docs < min_docs)
            continue;
        if (bg && bg->n) {
            long j = find(bg, e->term, e->len);

            if (j >= 0)
                b = bg->entries[j].count;
        }
        z = zscore(e->count, b, nf, nb);
        if (!(z >= min_z) || !isfinite(z))
            continue;
        at[k] = (long)ncand;
        cands[ncand].e = e;
        cands[ncand].background = b;
        cands[ncand].z = z;
        cands[ncand].hidden = false;
        ncand++;
    }
    for (size_t i = 0; i < ncand; i++) {
        const struct cand *c = &cands[i];
        const char *sp;

        if (!c->e->bigram)
            continue;
        sp = memchr(c->e->term, ' ', c->e->len);
        if (!sp)
            continue; /* invariant: a bigram is two words and a space */
        hide(fg, cands, at, c, c->e->term, (size_t)(sp - c->e->term));
        hide(fg, cands, at, c, sp + 1, c->e->len - (size_t)(sp + 1 - c->e->term));
    }
    for (size_t i = 0; i < ncand; i++)
        if (!cands[i].hidden)
            cands[kept++] = cands[i];
    qsort(cands, kept, sizeof(*cands), cmp_cand);
    for (; got < kept && got < cap; got++) {
        out[got].term = cands[got].e->term;
        out[got].count = cands[got].e->count;
        out[got].docs = cands[got].e->docs;
        out[got].background = cands[got].background;
        out[got].z = cands[got].z;
    }
out:
    if (n)
        *n = got;
    free(at);
    free(cands);
    return 0;
}
