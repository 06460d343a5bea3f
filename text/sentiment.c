/* Scoring the opinion of a review: text_sentiment (docs/sentiment.md).
 *
 * A lexicon scorer in the manner of VADER (Hutto and Gilbert 2014), with a
 * lexicon written for product reviews (sentiment_lexicon.c). Each text is
 * tokenized once with text_words; each word costs one hash lookup, made when
 * it arrives. Words then flow through a window as long as the longest phrase
 * plus one, and leave it from the oldest end, where the longest phrase that
 * starts there is tried before the word alone (as match.c does). Leaving
 * words change a small state: a negation scope, a pending intensifier, the
 * sums of the clauses before and after a "but", and the score of the
 * previous sentence. Nothing is allocated and nothing grows with the text.
 *
 * The tables the words are looked up in are built once per process by
 * sentiment_tables.c and only read here, so any number of threads may score
 * at once.
 */
#include "chorus/text.h"

#include <math.h>
#include <string.h>

#include "chorus/base.h"
#include "sentiment_int.h"

/* ---- the window and the rules ------------------------------------------------------ */

#define RING 8 /* a power of two above TEXT__SENTI_PHRASE_WORDS: the window */
_Static_assert(RING > TEXT__SENTI_PHRASE_WORDS && (RING & (RING - 1)) == 0, "the window's ring");

/* The rules' constants, explained in docs/sentiment.md. */
#define NEG_SCOPE    3     /* content words a negation reaches */
#define SCALE_SCOPE  2     /* content words an intensifier reaches */
#define NEG_PRAISE   -0.74 /* negated praise: "not good" (VADER's factor) */
#define NEG_COMPLAIN -0.5  /* negated complaint: "not bad" is faint praise */
#define BEFORE_BUT   0.5   /* the clause before a contrast */
#define AFTER_BUT    1.5   /* the clause after it */
#define EXCL_STEP    0.1   /* each '!' ending a sentence, up to EXCL_MAX */
#define EXCL_MAX     3
#define TITLE_WEIGHT 1.5
#define ALPHA        15.0 /* x / sqrt(x^2 + ALPHA), as VADER normalises */

/* The scorer only reads the tables. */
static const struct text__senti_tables *const lx = &text__senti_lx;

/* ---- looking words up --------------------------------------------------------------- */

/* lookup returns the key of a text word, its alias followed, or -1. */
static int lookup(const char *w, size_t len)
{
    uint64_t head, h;
    size_t k;

    if (len > lx->maxlen)
        return -1;
    h = text__senti_hash(w, len, &head);
    k = text__senti_probe(w, len, h, head);
    if (lx->keys[k].len == 0)
        return -1;
    return lx->keys[k].alias >= 0 ? lx->keys[k].alias : (int)k;
}

/* ---- emoji and emoticons ----------------------------------------------------------- */

/* Sorted, disjoint. Faces, hands and hearts people put in reviews. */
static const struct {
    uint32_t lo, hi;
    float v;
} emoji[] = {
    {0x2639, 0x2639, -2},     /* frowning face */
    {0x2665, 0x2665, 2},      /* heart suit */
    {0x2764, 0x2764, 2},      /* heavy black heart */
    {0x1F44C, 0x1F44D, 2},    /* OK hand, thumbs up */
    {0x1F44E, 0x1F44E, -2},   /* thumbs down */
    {0x1F44F, 0x1F44F, 2},    /* clapping hands */
    {0x1F494, 0x1F494, -2},   /* broken heart */
    {0x1F4AF, 0x1F4AF, 2},    /* hundred points */
    {0x1F600, 0x1F607, 2},    /* grinning .. smiling with halo */
    {0x1F60A, 0x1F60D, 2},    /* smiling eyes .. heart eyes */
    {0x1F60E, 0x1F60E, 1.5},  /* sunglasses */
    {0x1F612, 0x1F612, -1.5}, /* unamused */
    {0x1F618, 0x1F618, 2},    /* blowing a kiss */
    {0x1F61E, 0x1F61E, -2},   /* disappointed */
    {0x1F620, 0x1F622, -2.5}, /* angry, pouting, crying */
    {0x1F623, 0x1F625, -1.5}, /* persevering, steam, sad but relieved */
    {0x1F629, 0x1F629, -2},   /* weary */
    {0x1F62B, 0x1F62B, -2},   /* tired */
    {0x1F62D, 0x1F62D, -2},   /* loudly crying */
    {0x1F641, 0x1F641, -1.5}, /* slightly frowning */
    {0x1F642, 0x1F642, 1.5},  /* slightly smiling */
    {0x1F929, 0x1F929, 3},    /* star-struck */
    {0x1F92C, 0x1F92C, -3},   /* symbols on mouth */
    {0x1F92E, 0x1F92E, -3},   /* vomiting */
    {0x1F970, 0x1F970, 3},    /* smiling with hearts */
};

static float emoji_valence(uint32_t cp)
{
    size_t lo = 0, hi = sizeof(emoji) / sizeof(emoji[0]);

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (cp < emoji[mid].lo)
            hi = mid;
        else if (cp > emoji[mid].hi)
            lo = mid + 1;
        else
            return emoji[mid].v;
    }
    return 0;
}

/* ---- scoring ------------------------------------------------------------------------ */

enum brk {
    BRK_NONE = 0,
    BRK_CLAUSE, /* , : ( ) and dashes: end negation and intensifier scopes */
    BRK_SENT,   /* . ! ? ; line breaks and "...": end the sentence */
};

/* A word in the window, and what the text holds between it and the next. */
struct slot {
    int16_t key;   /* -1: not in the lexicon */
    uint8_t plain; /* TEXT__SENTI_PLAIN_* of the key; _CONTENT for a word the lexicon lacks */
    uint8_t brk;   /* the strongest break after the word */
    uint8_t excl;  /* '!' after it, up to EXCL_MAX */
    float emoji;   /* valence of the emoji and emoticons after it */
};

struct scorer {
    const char *s;
    size_t prev_end; /* where the last word ended */
    bool seen;       /* a word has been seen */
    struct slot ring[RING];
    size_t head, n;
    /* the sentence being read */
    double pre, cur;    /* sums before and after the last contrast */
    bool but;           /* a contrast split it */
    bool concede;       /* it opened with "although": the first comma splits it */
    bool first;         /* no word of it has left the window yet */
    bool opened_by_but; /* it opened with "but": the sentence before weighs less */
    unsigned sent_hits;
    int neg_left;      /* content words the negation still reaches */
    int scale_left;    /* content words the intensifier still reaches */
    double scale;      /* the pending intensifiers' product */
    bool scale_in_neg; /* they came after the negation: "not very good" */
    /* the text */
    double total; /* finished sentences but the last scored one */
    double prev;  /* the last scored sentence, halved if a "but" sentence follows */
    bool have_prev;
    unsigned hits;
};

static void scopes_end(struct scorer *sc)
{
    sc->neg_left = 0;
    sc->scale_left = 0;
    sc->scale = 1;
}

/* split_here closes the clause before a contrast. */
static void split_here(struct scorer *sc)
{
    sc->pre += sc->cur;
    sc->cur = 0;
    sc->but = true;
    scopes_end(sc);
}

static void sentence_end(struct scorer *sc, unsigned excl)
{
    double s = sc->but ? BEFORE_BUT * sc->pre + AFTER_BUT * sc->cur : sc->pre + sc->cur;

    /* A sentence without an opinion is no sentence to contrast with. */
    if (sc->sent_hits) {
        s *= 1 + EXCL_STEP * (excl < EXCL_MAX ? excl : EXCL_MAX);
        if (sc->have_prev)
            sc->total += sc->opened_by_but ? BEFORE_BUT * sc->prev : sc->prev;
        sc->prev = s;
        sc->have_prev = true;
    }
    sc->pre = sc->cur = 0;
    sc->but = sc->concede = sc->opened_by_but = false;
    sc->first = true;
    sc->sent_hits = 0;
    scopes_end(sc);
}

static void add(struct scorer *sc, double v)
{
    if (v == 0)
        return;
    sc->cur += v;
    sc->sent_hits++;
    sc->hits++;
}

static void valence(struct scorer *sc, const struct text__senti_entry *e)
{
    double v = e->v, scale = sc->scale_left ? sc->scale : 1;

    if (sc->neg_left) {
        if (e->nv != TEXT__SENTI_NV_DEFAULT)
            v = e->nv;
        else
            v *= v > 0 ? NEG_PRAISE : NEG_COMPLAIN;
        /* "not very good" is milder than "not good", "really not good" not. */
        if (scale > 1 && sc->scale_in_neg)
            scale = 1 / scale;
    }
    sc->scale = 1;
    sc->scale_left = 0;
    add(sc, v * scale);
}

/* apply runs one entry (NULL: a word the lexicon does not know) followed by
 * what the text holds after its last word. */
static void apply(struct scorer *sc, const struct text__senti_entry *e, float emo, unsigned brk,
                  unsigned excl)
{
    bool content = !e || e->kind != TEXT__SENTI_SKIP;

    switch (e ? e->kind : TEXT__SENTI_NOOP) {
    case TEXT__SENTI_VALENCE:
        valence(sc, e);
        break;
    case TEXT__SENTI_SCALE:
        if (!sc->scale_left)
            sc->scale = 1;
        sc->scale *= e->v;
        if (sc->scale > 2.5)
            sc->scale = 2.5;
        sc->scale_left = SCALE_SCOPE + 1;
        sc->scale_in_neg = sc->neg_left > 0;
        break;
    case TEXT__SENTI_NEGATE:
        sc->neg_left = NEG_SCOPE + 1;
        break;
    case TEXT__SENTI_CONTRAST:
        /* "but" ending a sentence ("fast, yet") contrasts nothing. */
        if (brk == BRK_SENT)
            break;
        if (sc->first)
            sc->opened_by_but = true;
        split_here(sc);
        break;
    case TEXT__SENTI_CONCEDE:
        if (brk == BRK_SENT) /* "The battery is weak though." */
            break;
        if (sc->first) {
            sc->concede = true;
            scopes_end(sc);
        } else {
            split_here(sc);
        }
        break;
    default:
        break;
    }
    if (content) {
        if (sc->neg_left)
            sc->neg_left--;
        if (sc->scale_left && --sc->scale_left == 0)
            sc->scale = 1;
    }
    sc->first = false;
    add(sc, emo);
    if (brk >= BRK_CLAUSE) {
        scopes_end(sc);
        if (sc->concede) {
            sc->concede = false;
            split_here(sc);
        }
    }
    if (brk == BRK_SENT)
        sentence_end(sc, excl);
}

static inline struct slot *at(struct scorer *sc, size_t i)
{
    return &sc->ring[(sc->head + i) & (RING - 1)];
}

/* phrase_at says whether phrase p is the words at the window's oldest end,
 * with no break between them. */
static bool phrase_at(struct scorer *sc, const struct text__senti_phrase *p)
{
    if (p->n > sc->n)
        return false;
    for (size_t j = 1; j < p->n; j++)
        if (at(sc, j - 1)->brk != BRK_NONE || at(sc, j)->key != p->w[j])
            return false;
    return true;
}

/* step lets the oldest word (and the rest of a phrase it starts) leave the
 * window: step_slow for a word that may start a phrase or holds an opinion,
 * step inline for the rest. */
static void step_slow(struct scorer *sc)
{
    const struct slot *s0 = at(sc, 0);
    const struct text__senti_entry *e = NULL;
    size_t used = 1;
    float emo = 0;

    if (s0->key >= 0) {
        const struct text__senti_key *k = &lx->keys[s0->key];

        for (size_t i = 0; i < lx->more[s0->key].pn && !e; i++) {
            const struct text__senti_phrase *p = &lx->phrases[k->pfirst + i];

            if (phrase_at(sc, p)) {
                e = &text__senti_lexicon[p->entry];
                used = p->n;
            }
        }
        if (!e && k->single >= 0)
            e = &text__senti_lexicon[k->single];
    }
    for (size_t i = 0; i < used; i++)
        emo += at(sc, i)->emoji;
    apply(sc, e, emo, at(sc, used - 1)->brk, at(sc, used - 1)->excl);
    sc->head = (sc->head + used) & (RING - 1);
    sc->n -= used;
}

static inline void step(struct scorer *sc)
{
    const struct slot *s0 = at(sc, 0);

    if (!s0->plain || s0->brk != BRK_NONE || s0->emoji != 0) {
        step_slow(sc);
        return;
    }
    if (s0->plain == TEXT__SENTI_PLAIN_CONTENT) {
        if (sc->neg_left)
            sc->neg_left--;
        if (sc->scale_left && --sc->scale_left == 0)
            sc->scale = 1;
    }
    sc->first = false;
    sc->head = (sc->head + 1) & (RING - 1);
    sc->n--;
}

/* emoticon returns the valence of an ASCII emoticon at s[i..end), writing
 * its length to *n, or 0. */
static float emoticon(const unsigned char *s, size_t i, size_t end, size_t *n)
{
    size_t j = i + 1;

    if (j < end && s[j] == '-')
        j++;
    if (j >= end)
        return 0;
    *n = j + 1 - i;
    if (s[j] == ')')
        return 1.5f;
    if (s[j] == '(')
        return -1.5f;
    return 0;
}

/* gap reads what separates two words (or precedes the first, or follows the
 * last) into *to: breaks, '!' and emoji. */
static void gap(const struct scorer *sc, size_t from, size_t end, struct slot *to)
{
    const unsigned char *s = (const unsigned char *)sc->s;

    for (size_t i = from; i < end; i++) {
        unsigned brk = BRK_NONE;
        uint32_t cp;
        size_t k;

        switch (s[i]) {
        case '!':
            if (to->excl < EXCL_MAX)
                to->excl++;
            /* fall through */
        case '.':
        case '?':
        case '\n':
        case '\r':
            brk = BRK_SENT;
            break;
        case ':':
        case ';':
        case '=': {
            float v = emoticon(s, i, end, &k);

            if (v != 0) {
                to->emoji += v;
                i += k - 1;
            } else if (s[i] != '=') {
                brk = s[i] == ';' ? BRK_SENT : BRK_CLAUSE;
            }
            break;
        }
        case ',':
        case '(':
        case ')':
        case '[':
        case ']':
            brk = BRK_CLAUSE;
            break;
        default:
            if (s[i] < 0x80)
                break;
            k = chorus_utf8_decode((const char *)s + i, end - i, &cp);
            if (k == 0)
                break; /* an invalid byte separates, nothing more */
            if (cp == 0x2026)
                brk = BRK_SENT; /* ... */
            else if (cp == 0x2013 || cp == 0x2014)
                brk = BRK_CLAUSE; /* en and em dashes */
            else
                to->emoji += emoji_valence(cp);
            i += k - 1;
            break;
        }
        if (brk > to->brk)
            to->brk = (uint8_t)brk;
    }
}

static int on_word(void *ctx, const char *word, size_t len, size_t start, size_t end)
{
    struct scorer *sc = ctx;
    int key = lookup(word, len);
    struct slot *last = sc->n ? at(sc, sc->n - 1) : NULL;

    if (last) {
        /* Mostly one space: nothing to read. */
        if (start != sc->prev_end + 1 || sc->s[sc->prev_end] != ' ')
            gap(sc, sc->prev_end, start, last);
    } else if (!sc->seen) {
        /* Before the first word only emoji count. */
        struct slot lead = {-1, TEXT__SENTI_PLAIN_CONTENT, 0, 0, 0};

        gap(sc, 0, start, &lead);
        add(sc, lead.emoji);
    }
    sc->seen = true;
    sc->prev_end = end;
    /* "would not" reads as "wouldn't", so negated phrases are listed once. */
    if (key == lx->not_key && last && last->brk == BRK_NONE && last->key >= 0 &&
        lx->more[last->key].merge >= 0) {
        last->key = lx->more[last->key].merge;
        last->plain = lx->keys[last->key].plain;
        return 0;
    }
    last = at(sc, sc->n++);
    last->key = (int16_t)key;
    last->plain = key >= 0 ? lx->keys[key].plain : TEXT__SENTI_PLAIN_CONTENT;
    last->brk = BRK_NONE;
    last->excl = 0;
    last->emoji = 0;
    /* One more word than the longest phrase: the newest word, whose gap is
     * not known yet, never leaves with a phrase. */
    if (sc->n > lx->window)
        step(sc);
    return 0;
}

/* score_text returns the sum of one text's sentences; *hits gets how many
 * opinion words and emoji it held. */
static double score_text(const char *s, unsigned *hits)
{
    struct scorer sc;
    size_t len = strlen(s);

    memset(&sc, 0, sizeof(sc));
    sc.s = s;
    sc.first = true;
    sc.scale = 1;
    text_words(s, len, on_word, &sc);
    if (!sc.seen) {
        struct slot lead = {-1, TEXT__SENTI_PLAIN_CONTENT, 0, 0, 0};

        gap(&sc, 0, len, &lead);
        add(&sc, lead.emoji);
    }
    if (sc.n) {
        /* The end of the text ends its last sentence: a trailing "but"
         * contrasts nothing here either. */
        gap(&sc, sc.prev_end, len, at(&sc, sc.n - 1));
        at(&sc, sc.n - 1)->brk = BRK_SENT;
    }
    while (sc.n)
        step(&sc);
    if (sc.sent_hits) /* a text of emoji alone: no word ended its sentence */
        sentence_end(&sc, 0);
    if (sc.have_prev)
        sc.total += sc.prev;
    *hits = sc.hits;
    return sc.total;
}

double text_sentiment(const char *title, const char *body)
{
    unsigned th = 0, bh = 0;
    double t = 0, b = 0, x;

    text__senti_tables_init();
    if (title)
        t = score_text(title, &th);
    if (body)
        b = score_text(body, &bh);
    if (th + bh == 0)
        return NAN;
    x = TITLE_WEIGHT * t + b;
    return x / sqrt(x * x + ALPHA);
}
