/* Internals of the demo data generator: the catalogue of products with what
 * their reviews will be about, and the PRNG both halves share (demo__
 * prefix). Only demo_gen.c and demo_catalog.c include this. */
#ifndef CHORUS_DEMO_CATALOG_H
#define CHORUS_DEMO_CATALOG_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "chorus/base.h"
#include "demo_text.h"

#define DEMO_SPAN_SECONDS (3 * 365 * 86400) /* reviews cover the last three years */
#define DEMO_MAX_RELEASES 4

/* ---- randomness --------------------------------------------------------- */

/* splitmix64: tiny, fast, and good enough for made-up reviews. Its state is
 * a plain counter, so seeding a stream per review is one mix. */
static inline uint64_t demo__mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline uint64_t demo__next(uint64_t *s)
{
    *s += 0x9E3779B97F4A7C15ull;
    return demo__mix64(*s);
}

/* demo__below returns 0..n-1 (n < 2^32) by a multiply, not a division. */
static inline size_t demo__below(uint64_t *s, size_t n)
{
    return (size_t)(((demo__next(s) >> 32) * (uint64_t)n) >> 32);
}

/* demo__unit returns a double in [0, 1). */
static inline double demo__unit(uint64_t *s)
{
    return (double)(demo__next(s) >> 11) * 0x1.0p-53;
}

static inline bool demo__chance(uint64_t *s, double p)
{
    return demo__unit(s) < p;
}

/* ---- catalogue ---------------------------------------------------------- */

/* A product and what its reviews will be about. Times are fractions of the
 * review timeline: 0 is three years ago, 1 is now. */
struct demo_product {
    struct product p; /* strings point into the arrays below */
    char id[40];
    char name[200];
    char url[160];
    char image_url[160];
    char gtin[14];
    char mpn[24];
    char model[16];      /* "A14": what owners call it in forums */
    char short_name[40]; /* "Airis A14" */
    char support[80];    /* "Lumora Support": who answers its reviews */
    const struct demo_line *line;
    double launch;       /* when it went on sale */
    double bad;          /* 0..1: how much its ratings lean to the poor profile */
    double defect_from;  /* a wave of one fault, from..to; */
    double defect_to;    /* from >= to means none */
    uint8_t defect;      /* the fault's topic (DT_*) */
    double wave_bad;     /* how far ratings lean to the poor profile during the wave */
    double wave_topic;   /* chance a complaint during the wave is about the fault */
    const char *regress; /* the release the wave followed, blamed in its reviews; or NULL */
    struct product_release releases[DEMO_MAX_RELEASES]; /* its firmware history */
    char versions[DEMO_MAX_RELEASES][16];
    size_t n_releases;
    uint8_t weak;   /* the complaint its owners make most */
    uint8_t strong; /* the praise its owners give most */
    uint8_t n_praise;
    uint8_t n_complaint;
    uint8_t praise[DEMO_T_COUNT]; /* topics that apply to it */
    uint8_t complaint[DEMO_T_COUNT];
};

struct demo_catalog {
    size_t n;
    struct demo_product *products;
    double *cum;   /* cumulative popularity by product index */
    size_t *first; /* products on sale from the first day */
    size_t n_first;
    /* The waves that draw reviews: while one is on, this share of all
     * reviews goes to its product on top of its usual ones (owners with a
     * fault write more often). surge[k] is SIZE_MAX for none. */
    size_t surge[2];
    double surge_share[2];
    size_t story[2]; /* the products whose releases the demo stores */
};

/* demo__xcalloc is calloc that aborts when memory runs out (house rule). */
void *demo__xcalloc(size_t n, size_t size);
/* demo__catalog_init builds the catalogue into cat (caller's storage) from
 * seed; t_end is the end of the review timeline. Out of memory aborts. */
void demo__catalog_init(struct demo_catalog *cat, uint64_t seed, int64_t t_end);
/* demo__catalog_cleanup frees what demo__catalog_init allocated. */
void demo__catalog_cleanup(struct demo_catalog *cat);
/* demo__catalog_pick draws a product by popularity among those on sale at
 * time f, and returns its index. */
size_t demo__catalog_pick(const struct demo_catalog *cat, uint64_t *rng, double f);

#endif
