/* Demo data generator (see demo_gen.h). The catalogue is built once, up
 * front. Each review is composed on demand from a PRNG seeded by (seed, i),
 * so any review can be regenerated on its own, in any order, and composing
 * one is a few hundred bytes of memcpy into the generator's scratch buffers:
 * no allocation, no formatting library calls. */
#include "demo_gen.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"
#include "demo_catalog.h"

#define MENTION_RATE  0.03
#define RESPONSE_RATE 0.20 /* of 1-2 star reviews */
#define VERIFIED_RATE 0.72 /* of rated reviews: ~70% of all once mentions count */

/* Rating profiles (1..5 stars). Every product mixes the two by its `bad`
 * weight; catalogue-wide this lands near the J shape of real shops: about
 * 65% five stars, 15% four, 6% three, 4% two and 8% one. */
static const double good_mix[5] = {0.040, 0.026, 0.052, 0.160, 0.722};
static const double poor_mix[5] = {0.420, 0.160, 0.120, 0.120, 0.180};

struct demo_gen {
    uint64_t seed;
    size_t n_reviews;
    int64_t t_end; /* newest possible review time */
    struct demo_catalog cat;
    /* Scratch for the review being generated: borrowed by the caller until
     * the next demo_gen_review. */
    char title[CHORUS_MAX_TITLE];
    char body[4096];
    char author[64];
    char source_id[32];
    char response[1024];
    struct review_response resp;
};

static const char *pick(uint64_t *s, const struct demo_list *l)
{
    return l->s[demo__below(s, l->n)];
}

/* ---- text output -------------------------------------------------------- */

/* A fixed scratch buffer. A piece that does not fit is dropped whole, so
 * text is never cut inside a UTF-8 sequence (the tables are sized so that it
 * never happens in practice). */
struct out {
    char *p;
    size_t len;
    size_t cap; /* including the NUL */
    bool over;
};

/* The state of one review being composed. */
struct rc {
    uint64_t rng;
    const struct demo_product *d;
    const char *first_name; /* for %a */
    const char *P;          /* praise clause or tag, for %P */
    const char *C;          /* complaint clause or tag, for %C */
};

static void out_init(struct out *o, char *p, size_t cap)
{
    o->p = p;
    o->len = 0;
    o->cap = cap;
    o->over = false;
    p[0] = '\0';
}

static void put(struct out *o, const char *s, size_t n)
{
    if (n >= o->cap - o->len) {
        o->over = true;
        return;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
}

static void put_str(struct out *o, const char *s)
{
    put(o, s, strlen(s));
}

static void put_num(struct out *o, uint64_t v)
{
    char tmp[20];
    size_t n = sizeof(tmp);

    do {
        tmp[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put(o, tmp + n, sizeof(tmp) - n);
}

/* emit expands template t (placeholders in demo_text.h) into o. */
static void emit(struct out *o, const char *t, struct rc *c)
{
    const struct demo_product *d = c->d;

    for (;;) {
        const char *pct = strchr(t, '%');

        if (!pct) {
            put_str(o, t);
            return;
        }
        put(o, t, (size_t)(pct - t));
        t = pct + 1;
        switch (*t) {
        case 'p':
            put_str(o, d->short_name);
            break;
        case 'm':
            put_str(o, d->model);
            break;
        case 'k':
            put_str(o, d->line->kind);
            break;
        case 'b':
            put_str(o, d->line->brand);
            break;
        case 'a':
            put_str(o, c->first_name);
            break;
        case 'P':
            emit(o, c->P, c); /* clauses hold only the simple placeholders */
            break;
        case 'C':
            emit(o, c->C, c);
            break;
        case 'V':
            put_str(o, d->regress ? d->regress : "the last update");
            break;
        case 'n':
            put_num(o, 2 + demo__below(&c->rng, 8));
            break;
        case 'd':
            put_num(o, 3 + demo__below(&c->rng, 26));
            break;
        case 'w':
            put_num(o, 2 + demo__below(&c->rng, 7));
            break;
        case 'h':
            put_num(o, 2 + demo__below(&c->rng, 4));
            break;
        case 'H':
            put_num(o, 9 + demo__below(&c->rng, 7));
            break;
        case '\0':
            put(o, "%", 1);
            return;
        default: /* "%%" and anything unknown stand for themselves */
            put(o, t, 1);
            break;
        }
        t++;
    }
}

/* piece appends sep and then template t as one unit: dropped whole when it
 * does not fit, and with its first letter capitalised when asked (clauses
 * start lower-case so they can also sit mid-sentence). */
static void piece(struct out *o, const char *sep, const char *t, struct rc *c, bool capital)
{
    size_t mark = o->len, start;

    o->over = false;
    if (o->len > 0)
        put_str(o, sep);
    start = o->len;
    emit(o, t, c);
    if (o->over)
        o->len = mark;
    else if (capital && o->p[start] >= 'a' && o->p[start] <= 'z')
        o->p[start] = (char)(o->p[start] - 'a' + 'A');
    o->p[o->len] = '\0';
}

/* ---- reviews ------------------------------------------------------------ */

static int pick_rating(struct rc *c, bool wave)
{
    double b = c->d->bad, u = demo__unit(&c->rng), acc = 0;

    if (wave)
        b += c->d->wave_bad * (1.0 - b);
    for (int k = 0; k < 4; k++) {
        acc += good_mix[k] + b * (poor_mix[k] - good_mix[k]);
        if (u < acc)
            return k + 1;
    }
    return 5;
}

static unsigned complaint_topic(struct rc *c, bool wave)
{
    const struct demo_product *d = c->d;
    double u;

    if (wave && demo__chance(&c->rng, d->wave_topic))
        return d->defect;
    u = demo__unit(&c->rng);
    if (u < 0.35)
        return d->weak;
    if (u < 0.43)
        return DEMO_T_SHIPPING_BAD;
    if (u < 0.52)
        return DEMO_T_SUPPORT_BAD;
    return d->complaint[demo__below(&c->rng, d->n_complaint)];
}

static unsigned praise_topic(struct rc *c)
{
    if (demo__chance(&c->rng, 0.35))
        return c->d->strong;
    return c->d->praise[demo__below(&c->rng, c->d->n_praise)];
}

/* A topic's sentences are taken in turn from a random start, so one review
 * never repeats itself; a used-up topic gives NULL and the sentence is
 * skipped. */
struct cursor {
    const struct demo_list *l;
    size_t next;
    size_t left;
};

static void cursor_init(struct cursor *k, struct rc *c, const struct demo_list *l)
{
    k->l = l;
    k->next = demo__below(&c->rng, l->n);
    k->left = l->n;
}

static const char *cursor_take(struct cursor *k)
{
    const char *s;

    if (k->left == 0)
        return NULL;
    s = k->l->s[k->next];
    k->next = (k->next + 1) % k->l->n;
    k->left--;
    return s;
}

/* say appends one sentence of the body; NULL (a used-up topic) says nothing. */
static void say(struct out *b, const char *t, struct rc *c)
{
    if (t)
        piece(b, " ", t, c, true);
}

/* sentence_budget: most reviews are short, a few run to five sentences. */
static int sentence_budget(struct rc *c)
{
    static const uint8_t budget[20] = {1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4, 4, 5, 5, 5};

    return budget[demo__below(&c->rng, 20)];
}

/* compose writes the title and body of a rated review and returns the
 * complaint topic it is about (for a brand response). High ratings praise,
 * low ones complain, and both sometimes concede a point; three stars are
 * mixed by construction. */
static unsigned compose(struct demo_gen *g, struct rc *c, int rating, bool wave)
{
    unsigned pt = praise_topic(c), ct = complaint_topic(c, wave);
    unsigned pt2 = praise_topic(c), ct2 = complaint_topic(c, false);
    const struct demo_topic *P = &demo__topics[pt], *C = &demo__topics[ct];
    struct out t, b;
    struct cursor p1, p2, c1, c2, *praise2, *complaint2;
    int budget = sentence_budget(c), mains;
    bool open = budget >= 3 && demo__chance(&c->rng, 0.35);
    bool close = budget >= 2 && demo__chance(&c->rng, 0.5);
    bool blame = wave && c->d->regress && ct == c->d->defect;

    out_init(&t, g->title, sizeof(g->title));
    out_init(&b, g->body, sizeof(g->body));
    cursor_init(&p1, c, &P->sentences);
    cursor_init(&p2, c, &demo__topics[pt2].sentences);
    cursor_init(&c1, c, &C->sentences);
    cursor_init(&c2, c, &demo__topics[ct2].sentences);
    /* A second topic equal to the first shares its cursor. */
    praise2 = pt2 == pt ? &p1 : &p2;
    complaint2 = ct2 == ct ? &c1 : &c2;
    mains = budget - open - close;

    if (rating >= 4) {
        bool nit = demo__chance(&c->rng, rating == 5 ? 0.10 : 0.45);

        piece(&t, "",
              demo__chance(&c->rng, 0.75) ? pick(&c->rng, &P->titles)
                                          : pick(&c->rng, &demo__title_good),
              c, true);
        if (open)
            say(&b, pick(&c->rng, &demo__open_good), c);
        say(&b, cursor_take(&p1), c);
        for (int k = 1; k < mains - nit; k++)
            say(&b, cursor_take(k % 2 ? praise2 : &p1), c);
        if (nit) {
            c->C = pick(&c->rng, &C->clauses);
            say(&b, pick(&c->rng, &demo__nitpick), c);
        }
    } else if (rating == 3) {
        double u = demo__unit(&c->rng);

        c->P = pick(&c->rng, &P->tags);
        c->C = pick(&c->rng, &C->tags);
        if (u < 0.55)
            piece(&t, "", pick(&c->rng, &demo__title_mixed), c, true);
        else if (u < 0.85)
            piece(&t, "", pick(&c->rng, &C->titles), c, true);
        else
            piece(&t, "", pick(&c->rng, &P->titles), c, true);
        if (open)
            say(&b, pick(&c->rng, demo__chance(&c->rng, 0.5) ? &demo__open_good : &demo__open_bad),
                c);
        c->P = pick(&c->rng, &P->clauses);
        c->C = pick(&c->rng, &C->clauses);
        say(&b, pick(&c->rng, &demo__mixed), c);
        for (int k = 1; k < mains; k++)
            say(&b, cursor_take(k == 2 ? &p1 : &c1), c);
    } else {
        /* One-star reviews often end up being about support as well. */
        bool mixed = demo__chance(&c->rng, rating == 2 ? 0.40 : 0.15);

        if (rating == 1 && ct != DEMO_T_SUPPORT_BAD && demo__chance(&c->rng, 0.35)) {
            cursor_init(&c2, c, &demo__topics[DEMO_T_SUPPORT_BAD].sentences);
            complaint2 = &c2;
        }
        if (blame && demo__chance(&c->rng, 0.4))
            piece(&t, "", pick(&c->rng, &demo__regress_titles), c, true);
        else
            piece(&t, "",
                  demo__chance(&c->rng, 0.8) ? pick(&c->rng, &C->titles)
                                             : pick(&c->rng, &demo__title_bad),
                  c, true);
        if (open)
            say(&b, pick(&c->rng, &demo__open_bad), c);
        if (mixed) {
            c->P = pick(&c->rng, &P->clauses);
            c->C = pick(&c->rng, &C->clauses);
            say(&b, pick(&c->rng, &demo__mixed), c);
        } else {
            say(&b, cursor_take(&c1), c);
        }
        /* Owners who updated say which release they blame, after what
         * went wrong. */
        if (blame && demo__chance(&c->rng, 0.75))
            say(&b, pick(&c->rng, &demo__regress), c);
        for (int k = 1; k < mains; k++)
            say(&b, cursor_take(k == mains - 1 && demo__chance(&c->rng, 0.5) ? complaint2 : &c1),
                c);
    }
    if (close) {
        /* Longer reviews sometimes end in a paragraph of their own. */
        if (budget >= 4 && demo__chance(&c->rng, 0.3))
            piece(&b, "\n\n", pick(&c->rng, &demo__close[rating]), c, true);
        else
            say(&b, pick(&c->rng, &demo__close[rating]), c);
    }
    return ct;
}

/* compose_mention writes a forum thread that names the product: a question
 * about a fault (more of them while a wave is on) or a long-term report. */
static void compose_mention(struct demo_gen *g, struct rc *c, bool wave)
{
    struct out t, b;
    const struct demo_topic *tp = NULL;
    int extra = (int)demo__below(&c->rng, 3);

    out_init(&t, g->title, sizeof(g->title));
    out_init(&b, g->body, sizeof(g->body));
    if (wave && c->d->regress && demo__chance(&c->rng, 0.5)) {
        piece(&t, "", pick(&c->rng, &demo__regress_asks), c, true);
        say(&b, pick(&c->rng, &demo__topics[c->d->defect].sentences), c);
        say(&b, pick(&c->rng, &demo__regress), c);
        return;
    }
    if (wave && demo__chance(&c->rng, 0.5))
        tp = &demo__topics[c->d->defect];
    else if (demo__chance(&c->rng, 0.7))
        tp = &demo__topics[complaint_topic(c, false)];
    if (tp && tp->asks.n > 0) {
        piece(&t, "", pick(&c->rng, &tp->asks), c, true);
        say(&b, pick(&c->rng, &tp->sentences), c);
        for (int k = 0; k < extra; k++)
            say(&b, pick(&c->rng, &demo__forum), c);
    } else {
        /* A long-term report: the praise topics, in the owner's words. */
        piece(&t, "", pick(&c->rng, &demo__ask_good), c, true);
        say(&b, pick(&c->rng, &demo__topics[c->d->strong].sentences), c);
        if (extra > 0)
            say(&b, pick(&c->rng, &demo__topics[praise_topic(c)].sentences), c);
    }
}

static void compose_response(struct demo_gen *g, struct rc *c, unsigned topic)
{
    const struct demo_topic *tp = &demo__topics[topic];
    struct out o;

    out_init(&o, g->response, sizeof(g->response));
    piece(&o, "", pick(&c->rng, &demo__greet), c, true);
    piece(&o, " ", pick(&c->rng, &demo__sorry), c, false);
    piece(&o, " ",
          tp->answer.n > 0 && demo__chance(&c->rng, 0.8) ? pick(&c->rng, &tp->answer)
                                                         : pick(&c->rng, &demo__answer_any),
          c, true);
    piece(&o, " ", pick(&c->rng, &demo__sign_off), c, true);
}

static uint32_t votes_helpful(struct rc *c)
{
    double u = demo__unit(&c->rng);
    uint32_t h;

    if (u < 0.65)
        return 0;
    if (u < 0.87)
        h = 1 + (uint32_t)demo__below(&c->rng, 3);
    else if (u < 0.97)
        h = 4 + (uint32_t)demo__below(&c->rng, 12);
    else
        h = (16 + (uint32_t)demo__below(&c->rng, 60)) *
            (demo__chance(&c->rng, 0.2) ? 2 + (uint32_t)demo__below(&c->rng, 9) : 1);
    return h;
}

static uint32_t votes_unhelpful(struct rc *c)
{
    double u = demo__unit(&c->rng);

    if (u < 0.85)
        return 0;
    if (u < 0.97)
        return 1 + (uint32_t)demo__below(&c->rng, 2);
    return 3 + (uint32_t)demo__below(&c->rng, 28);
}

/* ---- public ------------------------------------------------------------- */

int demo_gen_new(struct demo_gen **out, uint64_t seed, size_t n_reviews)
{
    struct demo_gen *g = demo__xcalloc(1, sizeof(*g));
    int64_t now = chorus_now();

    g->seed = seed;
    g->n_reviews = n_reviews;
    /* Whole hours, so runs within the same hour produce identical data. */
    g->t_end = now - now % 3600;
    demo__catalog_init(&g->cat, seed, g->t_end);
    *out = g;
    return 0;
}

void demo_gen_free(struct demo_gen *g)
{
    if (!g)
        return;
    demo__catalog_cleanup(&g->cat);
    free(g);
}

size_t demo_gen_product_count(const struct demo_gen *g)
{
    return g->cat.n;
}

void demo_gen_product(struct demo_gen *g, size_t i, struct product *p)
{
    *p = g->cat.products[i].p;
}

size_t demo_gen_release_count(const struct demo_gen *g)
{
    return sizeof(g->cat.story) / sizeof(g->cat.story[0]);
}

const char *demo_gen_releases(const struct demo_gen *g, size_t i,
                              const struct product_release **rel, size_t *n)
{
    const struct demo_product *d = &g->cat.products[g->cat.story[i]];

    *rel = d->releases;
    *n = d->n_releases;
    return d->id;
}

void demo_gen_review(struct demo_gen *g, size_t i, struct review *r)
{
    uint64_t span = DEMO_SPAN_SECONDS, n = g->n_reviews ? g->n_reviews : 1;
    uint64_t step = span / n;
    int64_t t_start = g->t_end - DEMO_SPAN_SECONDS;
    struct rc c;
    struct out o;
    double f;
    bool wave, mention;
    unsigned topic = DEMO_T_COUNT;

    memset(&c, 0, sizeof(c));
    memset(r, 0, sizeof(*r));
    c.rng = demo__mix64(g->seed ^ demo__mix64((uint64_t)i + 0x5EEDull));
    /* Evenly spaced with jitter inside each slot: created_at never goes
     * backwards as i grows. */
    r->created_at = t_start + (int64_t)((uint64_t)i * span / n) +
                    (int64_t)(step > 1 ? demo__below(&c.rng, (size_t)step) : 0);
    f = (double)(r->created_at - t_start) / (double)DEMO_SPAN_SECONDS;
    c.d = &g->cat.products[demo__catalog_pick(&g->cat, &c.rng, f)];
    for (size_t k = 0; k < 2; k++) {
        const struct demo_product *s;

        if (g->cat.surge[k] == SIZE_MAX)
            continue;
        s = &g->cat.products[g->cat.surge[k]];
        if (f >= s->defect_from && f < s->defect_to && demo__chance(&c.rng, g->cat.surge_share[k]))
            c.d = s;
    }
    wave = f >= c.d->defect_from && f < c.d->defect_to;
    mention = demo__chance(&c.rng, MENTION_RATE);

    out_init(&o, g->source_id, sizeof(g->source_id));
    put_str(&o, "demo-");
    put_num(&o, i);
    o.p[o.len] = '\0';

    out_init(&o, g->author, sizeof(g->author));
    if (mention) {
        c.first_name = pick(&c.rng, &demo__handles);
        put_str(&o, c.first_name);
        if (demo__chance(&c.rng, 0.4))
            put_num(&o, demo__below(&c.rng, 100));
        compose_mention(g, &c, wave);
        r->rating = 0;
        r->source = "forum";
    } else {
        static const char initials[] = "ABCDEFGHIJKLMNOPRSTVWY";

        c.first_name = pick(&c.rng, &demo__first_names);
        put_str(&o, c.first_name);
        put(&o, " ", 1);
        put(&o, &initials[demo__below(&c.rng, sizeof(initials) - 1)], 1);
        put(&o, ".", 1);
        r->rating = pick_rating(&c, wave);
        topic = compose(g, &c, r->rating, wave);
        r->source = "demo";
        r->verified = demo__chance(&c.rng, VERIFIED_RATE);
        if (demo__chance(&c.rng, 0.45))
            r->author_location = pick(&c.rng, &demo__locations);
    }
    o.p[o.len] = '\0';

    r->product_id = c.d->id;
    r->rating_original = r->rating;
    r->title = g->title;
    r->body = g->body;
    r->author = g->author;
    r->language = "en";
    r->source_id = g->source_id;
    r->status = REVIEW_APPROVED;
    r->sentiment = NAN;
    r->helpful = votes_helpful(&c);
    r->not_helpful = votes_unhelpful(&c);
    /* Votes take time to accumulate. */
    if (f > 0.98)
        r->helpful /= 4;

    if (r->rating >= 1 && r->rating <= 2 && demo__chance(&c.rng, RESPONSE_RATE)) {
        int64_t at = r->created_at + 86400 + (int64_t)demo__below(&c.rng, 86400);

        /* No answer from the future: a review of yesterday has none yet. */
        if (at <= g->t_end) {
            compose_response(g, &c, topic);
            g->resp.author = c.d->support;
            g->resp.body = g->response;
            g->resp.created_at = at;
            r->n_responses = 1;
            r->responses = &g->resp;
        }
    }
}
