/* sentiment_bench: how well text_sentiment agrees with star ratings on
 * review text nobody here wrote, and how fast it is (BENCHMARKS.md
 * "Sentiment agreement with star ratings").
 *
 * usage: sentiment_bench [FILE.csv [ROUNDS]]
 *   FILE.csv defaults to ../shared/data/amazon-consumer-reviews-2500.csv
 *   (run from the repository root); it is read with Chorus's own CSV reader
 *   and the mapping of README's import example. ROUNDS (default 50) is how
 *   many times every review is scored for the timing.
 *
 * A score below -0.05 counts as negative, above +0.05 as positive, between
 * as neutral (docs/sentiment.md); a review with no opinion word (NAN) counts
 * as none of them. Prints the confusion counts by star, the shares, the
 * accuracies, Spearman's rank correlation and the time per review.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chorus/base.h"
#include "chorus/parse.h"
#include "chorus/text.h"

#define DEFAULT_CSV "../shared/data/amazon-consumer-reviews-2500.csv"
#define MAPPING     "product_id=id,rating=reviews.rating,title=reviews.title,body=reviews.text"
#define MAX_FILE    (64u << 20)
#define NEUTRAL     0.05

struct item {
    char *title, *body; /* heap copies; NULL when absent */
    int rating;         /* 1..5 */
    double score;
};

struct set {
    struct item *v;
    size_t n, cap;
    size_t rejected, mentions;
};

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p) {
        fputs("sentiment_bench: out of memory\n", stderr);
        abort();
    }
    return p;
}

static char *dup_or_null(const char *s)
{
    size_t n;
    char *d;

    if (!s || !*s)
        return NULL;
    n = strlen(s);
    d = xrealloc(NULL, n + 1);
    memcpy(d, s, n + 1);
    return d;
}

static int on_item(void *ctx, size_t index, const struct review *r, const struct product *p,
                   const char *error)
{
    struct set *s = ctx;
    struct item *it;

    (void)index;
    (void)p;
    if (error) {
        s->rejected++;
        return 0;
    }
    if (r->rating < 1 || r->rating > 5) {
        s->mentions++;
        return 0;
    }
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 1024;
        s->v = xrealloc(s->v, s->cap * sizeof(*s->v));
    }
    it = &s->v[s->n++];
    it->title = dup_or_null(r->title);
    it->body = dup_or_null(r->body);
    it->rating = r->rating;
    it->score = NAN;
    return 0;
}

static int load(const char *path, struct set *s)
{
    struct parse_csv *p = NULL;
    struct parse_error err;
    char *data = NULL;
    size_t len = 0;
    FILE *f = fopen(path, "rb");
    int rc;

    if (!f) {
        fprintf(stderr, "sentiment_bench: %s: %s\n", path, strerror(errno));
        return -1;
    }
    data = xrealloc(NULL, MAX_FILE);
    len = fread(data, 1, MAX_FILE, f);
    fclose(f);
    memset(&err, 0, sizeof(err));
    rc = parse_csv_new(&p, MAPPING, NULL, &err);
    if (rc == 0)
        rc = parse_csv_feed(p, data, len, on_item, s, &err);
    if (rc == 0)
        rc = parse_csv_finish(p, on_item, s, &err);
    if (rc)
        fprintf(stderr, "sentiment_bench: %s: line %zu: %s\n", path, err.line, err.message);
    parse_csv_free(p);
    free(data);
    return rc ? -1 : 0;
}

static int count_word(void *ctx, const char *word, size_t len, size_t start, size_t end)
{
    (void)word;
    (void)start;
    (void)end;
    *(size_t *)ctx += len;
    return 0;
}

/* cut200 makes a 200-byte review body of real text: the review's title and
 * body, repeated when shorter, cut on a UTF-8 character boundary (heap;
 * NULL for a review without text). */
static char *cut200(const struct item *it)
{
    char *out = xrealloc(NULL, 201);
    size_t n = 0, k;

    if (!it->title && !it->body) {
        free(out);
        return NULL;
    }
    while (n < 200) {
        const char *parts[2] = {it->title, it->body};

        for (int p = 0; p < 2 && n < 200; p++) {
            if (!parts[p])
                continue;
            k = strlen(parts[p]);
            if (k > 200 - n)
                k = 200 - n;
            memcpy(out + n, parts[p], k);
            n += k;
            if (n < 200)
                out[n++] = p == 0 ? '.' : ' ';
        }
    }
    while (n > 0 && ((unsigned char)out[n] & 0xc0) == 0x80)
        n--; /* out[200] is not written yet: n == 200 stops at once */
    out[n] = '\0';
    return out;
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- statistics ----------------------------------------------------------------- */

struct ranked {
    double v;
    size_t i;
};

static int cmp_ranked(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;

    return x->v < y->v ? -1 : x->v > y->v ? 1 : 0;
}

/* rank writes the average ranks (1-based, ties sharing their mean) of v. */
static void rank(const double *v, size_t n, double *out)
{
    struct ranked *r = xrealloc(NULL, (n ? n : 1) * sizeof(*r));

    for (size_t i = 0; i < n; i++) {
        r[i].v = v[i];
        r[i].i = i;
    }
    qsort(r, n, sizeof(*r), cmp_ranked);
    for (size_t i = 0; i < n;) {
        size_t j = i;

        while (j < n && r[j].v == r[i].v)
            j++;
        for (size_t k = i; k < j; k++)
            out[r[k].i] = (double)(i + j + 1) / 2.0;
        i = j;
    }
    free(r);
}

/* spearman is Pearson's correlation of the ranks. */
static double spearman(const double *x, const double *y, size_t n)
{
    double *rx = xrealloc(NULL, (n ? n : 1) * sizeof(double));
    double *ry = xrealloc(NULL, (n ? n : 1) * sizeof(double));
    double mx = 0, my = 0, sxy = 0, sxx = 0, syy = 0;

    rank(x, n, rx);
    rank(y, n, ry);
    for (size_t i = 0; i < n; i++) {
        mx += rx[i];
        my += ry[i];
    }
    mx /= (double)n;
    my /= (double)n;
    for (size_t i = 0; i < n; i++) {
        sxy += (rx[i] - mx) * (ry[i] - my);
        sxx += (rx[i] - mx) * (rx[i] - mx);
        syy += (ry[i] - my) * (ry[i] - my);
    }
    free(rx);
    free(ry);
    return sxy / sqrt(sxx * syy);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* distinct counts the different (rating, title, body) rows. */
static size_t distinct(const struct set *s)
{
    char **keys = xrealloc(NULL, (s->n ? s->n : 1) * sizeof(char *));
    size_t d = 0;

    for (size_t i = 0; i < s->n; i++) {
        const char *t = s->v[i].title ? s->v[i].title : "", *b = s->v[i].body ? s->v[i].body : "";
        size_t n = strlen(t) + strlen(b) + 4;

        keys[i] = xrealloc(NULL, n);
        snprintf(keys[i], n, "%d%s\x1f%s", s->v[i].rating, t, b);
    }
    qsort(keys, s->n, sizeof(char *), cmp_str);
    for (size_t i = 0; i < s->n; i++)
        if (i == 0 || strcmp(keys[i - 1], keys[i]) != 0)
            d++;
    for (size_t i = 0; i < s->n; i++)
        free(keys[i]);
    free(keys);
    return d;
}

enum { NEG, NEU, POS, NONE };

static int cls(double v)
{
    return isnan(v) ? NONE : v < -NEUTRAL ? NEG : v > NEUTRAL ? POS : NEU;
}

static double pct(size_t a, size_t b)
{
    return b ? 100.0 * (double)a / (double)b : 0;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : DEFAULT_CSV;
    int rounds = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 50;
    struct set s = {NULL, 0, 0, 0, 0};
    size_t conf[6][4] = {{0}}, stars[6] = {0}, bytes = 0, scored = 0;
    double sum[6] = {0}, *xs, *ys, t0, secs, best, sink = 0;
    size_t n12, n45, neg12, pos45, ok3, hit, ssum;

    if (rounds < 1)
        rounds = 1;
    if (load(path, &s) != 0)
        return 1;
    if (s.n == 0) {
        fprintf(stderr, "sentiment_bench: no rated reviews in %s\n", path);
        return 1;
    }
    xs = xrealloc(NULL, s.n * sizeof(double));
    ys = xrealloc(NULL, s.n * sizeof(double));
    for (size_t i = 0; i < s.n; i++) {
        struct item *it = &s.v[i];

        it->score = text_sentiment(it->title, it->body);
        bytes += (it->title ? strlen(it->title) : 0) + (it->body ? strlen(it->body) : 0);
        stars[it->rating]++;
        conf[it->rating][cls(it->score)]++;
        if (!isnan(it->score)) {
            sum[it->rating] += it->score;
            xs[scored] = it->rating;
            ys[scored] = it->score;
            scored++;
        }
    }

    /* Timing: every review, ROUNDS times, after the warm-up pass above. The
     * best round is what the code costs; the mean also holds whatever else
     * the machine was doing. */
    secs = 0;
    best = INFINITY;
    for (int r = 0; r < rounds; r++) {
        double dt;

        t0 = now();
        for (size_t i = 0; i < s.n; i++)
            sink += text_sentiment(s.v[i].title, s.v[i].body);
        dt = now() - t0;
        secs += dt;
        if (dt < best)
            best = dt;
    }

    printf("file: %s\n", path);
    printf("reviews with 1-5 stars: %zu (%zu distinct rows; %zu rows rejected by the reader, "
           "%zu without stars skipped)\n",
           s.n, distinct(&s), s.rejected, s.mentions);
    printf("\nstars    n  share  negative  neutral  positive  no score  mean score\n");
    for (int st = 1; st <= 5; st++)
        printf("%5d %5zu %5.1f%% %9zu %8zu %9zu %9zu  %+10.3f\n", st, stars[st],
               pct(stars[st], s.n), conf[st][NEG], conf[st][NEU], conf[st][POS], conf[st][NONE],
               stars[st] - conf[st][NONE] ? sum[st] / (double)(stars[st] - conf[st][NONE]) : NAN);

    n12 = stars[1] + stars[2];
    n45 = stars[4] + stars[5];
    neg12 = conf[1][NEG] + conf[2][NEG];
    pos45 = conf[4][POS] + conf[5][POS];
    ok3 = conf[3][NEU];
    printf("\n1-2 stars scored negative: %zu of %zu = %.1f%% (of those scored: %.1f%%)\n", neg12,
           n12, pct(neg12, n12), pct(neg12, n12 - conf[1][NONE] - conf[2][NONE]));
    printf("4-5 stars scored positive: %zu of %zu = %.1f%% (of those scored: %.1f%%)\n", pos45, n45,
           pct(pos45, n45), pct(pos45, n45 - conf[4][NONE] - conf[5][NONE]));
    printf("3 stars scored neutral (|s| <= %.2f): %zu of %zu = %.1f%%; negative %.1f%%, positive "
           "%.1f%%\n",
           NEUTRAL, ok3, stars[3], pct(ok3, stars[3]), pct(conf[3][NEG], stars[3]),
           pct(conf[3][POS], stars[3]));
    ssum = 0;
    for (int st = 1; st <= 5; st++)
        ssum += conf[st][NONE];
    printf("no score (no opinion word): %zu of %zu = %.1f%%\n", ssum, s.n, pct(ssum, s.n));
    hit = neg12 + pos45;
    printf("\npolarity accuracy without 3 stars: %.1f%% (balanced: %.1f%%)\n", pct(hit, n12 + n45),
           (pct(neg12, n12) + pct(pos45, n45)) / 2);
    printf("3-class accuracy (1-2 neg, 3 neutral, 4-5 pos): %.1f%% (balanced: %.1f%%)\n",
           pct(hit + ok3, s.n), (pct(neg12, n12) + pct(ok3, stars[3]) + pct(pos45, n45)) / 3);
    printf("Spearman rank correlation of stars and score (scored reviews): %.3f\n",
           spearman(xs, ys, scored));
    printf("\ntime, best of %d rounds of %zu reviews (%zu bytes on average): %.2f us per review, "
           "%.1f ns per byte = %.2f us per 200 bytes\n",
           rounds, s.n, bytes / s.n, best * 1e6 / (double)s.n, best * 1e9 / (double)bytes,
           200 * best * 1e6 / (double)bytes);
    printf("time, mean of the rounds: %.2f us per review\n",
           secs * 1e6 / ((double)rounds * (double)s.n));
    /* The target's case: a review of exactly 200 bytes (a body). */
    {
        char **c200 = xrealloc(NULL, s.n * sizeof(char *));
        size_t m = 0;

        for (size_t i = 0; i < s.n; i++) {
            c200[m] = cut200(&s.v[i]);
            if (c200[m])
                m++;
        }
        best = INFINITY;
        for (int r = 0; r < rounds; r++) {
            double dt;

            t0 = now();
            for (size_t i = 0; i < m; i++)
                sink += text_sentiment(NULL, c200[i]);
            dt = now() - t0;
            if (dt < best)
                best = dt;
        }
        printf("time for 200-byte reviews (each review's text cut or repeated to 200 bytes), best "
               "round: %.2f us per review\n",
               best * 1e6 / (double)m);
        for (size_t i = 0; i < m; i++)
            free(c200[i]);
        free(c200);
    }
    /* The floor under the scorer: the module's tokenizer alone, the same
     * texts, a callback that does nothing. */
    best = INFINITY;
    for (int r = 0; r < rounds; r++) {
        size_t letters = 0;
        double dt;

        t0 = now();
        for (size_t i = 0; i < s.n; i++) {
            if (s.v[i].title)
                text_words(s.v[i].title, strlen(s.v[i].title), count_word, &letters);
            if (s.v[i].body)
                text_words(s.v[i].body, strlen(s.v[i].body), count_word, &letters);
        }
        dt = now() - t0;
        sink += (double)letters;
        if (dt < best)
            best = dt;
    }
    printf("the tokenizer alone (text_words, no scoring) on the %zu reviews, best round: %.2f us "
           "per review\n",
           s.n, best * 1e6 / (double)s.n);
    if (sink == 12345.678)
        puts(""); /* keeps the timed loop from being optimised away */
    for (size_t i = 0; i < s.n; i++) {
        free(s.v[i].title);
        free(s.v[i].body);
    }
    free(s.v);
    free(xs);
    free(ys);
    return 0;
}
