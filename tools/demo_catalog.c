/* The demo catalogue (see demo_catalog.h): a few hundred products built from
 * the lines of demo_text.c, each with a popularity, a rating profile and the
 * topics its reviews will be about. */
#include "demo_catalog.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ZIPF_S    0.9
#define TOP_RANKS 10 /* the best sellers: popular because they are good */

void *demo__xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);

    if (!p) {
        fputs("chorus: out of memory\n", stderr);
        abort();
    }
    return p;
}

/* ean13 writes a 13-digit GTIN: GS1 prefix 952, which GS1 reserves for
 * demonstrations so no real product can carry it, then the item number and
 * the EAN-13 check digit (weights 1,3,1,3... from the left). */
static void ean13(char out[14], size_t item)
{
    int sum = 0;

    snprintf(out, 14, "9520417%05zu", item % 100000);
    for (int k = 0; k < 12; k++)
        sum += (out[k] - '0') * (k % 2 ? 3 : 1);
    out[12] = (char)('0' + (10 - sum % 10) % 10);
    out[13] = '\0';
}

static void lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

/* topics_for lists what can be said about products of a line, and picks the
 * product's own most common complaint and praise. */
static void topics_for(struct demo_product *d, uint64_t *rng)
{
    uint8_t faults[DEMO_T_COUNT], special[DEMO_T_COUNT];
    size_t n_faults = 0, n_special = 0;

    for (size_t t = 0; t < DEMO_T_COUNT; t++) {
        const struct demo_topic *tp = &demo__topics[t];

        if (!(tp->groups & d->line->groups))
            continue;
        if (tp->praise) {
            d->praise[d->n_praise++] = (uint8_t)t;
            if (tp->groups != DEMO_G_ALL)
                special[n_special++] = (uint8_t)t;
        } else {
            d->complaint[d->n_complaint++] = (uint8_t)t;
            if (tp->defect)
                faults[n_faults++] = (uint8_t)t;
        }
    }
    /* Every line has product-specific topics of both kinds (see the table);
     * this is an invariant of demo_text.c, not input. */
    if (n_faults == 0 || n_special == 0)
        abort();
    d->weak = faults[demo__below(rng, n_faults)];
    d->strong = special[demo__below(rng, n_special)];
    d->defect = faults[demo__below(rng, n_faults)];
}

static void build_product(struct demo_product *d, const struct demo_line *l, unsigned j,
                          size_t item, int64_t t_start)
{
    size_t nm = l->models.n, ng = l->gens.n;
    size_t gi = (j / nm) % ng, ci = j / (nm * ng);
    const char *model = l->models.s[j % nm], *gen = l->gens.s[gi];
    char gencode[8] = "", slug[sizeof(d->id)];

    /* "Gen 3" -> "-G3" in SKUs; one-generation lines have no suffix. */
    if (gen[0]) {
        const char *digits = gen + strcspn(gen, "0123456789");

        snprintf(gencode, sizeof(gencode), "-G%s", digits);
    }
    d->line = l;
    snprintf(d->model, sizeof(d->model), "%s", model);
    snprintf(d->short_name, sizeof(d->short_name), "%s %s", l->line, model);
    snprintf(d->support, sizeof(d->support), "%s Support", l->brand);
    snprintf(d->id, sizeof(d->id), "%s-%s%s-%zu", l->code, model, gencode, ci + 1);
    snprintf(d->name, sizeof(d->name), "%s %s %s%s%s %s — %s", l->brand, l->line, model,
             gen[0] ? " " : "", gen, l->label, l->configs.s[ci]);
    snprintf(slug, sizeof(slug), "%s", d->id);
    lower(slug);
    snprintf(d->url, sizeof(d->url), "https://shop.example.com/%s/%s", l->category, slug);
    snprintf(d->image_url, sizeof(d->image_url),
             "https://shop.example.com/media/products/%s/front.jpg", slug);
    ean13(d->gtin, item);
    snprintf(d->mpn, sizeof(d->mpn), "%s%s%s-%02zu", l->code, model, gencode[0] ? gencode + 2 : "",
             ci + 1);
    /* Later generations go on sale later, so early reviews are of old models. */
    d->launch = ng > 1 ? 0.8 * (double)gi / (double)ng : 0.0;

    d->p.id = d->id;
    d->p.name = d->name;
    d->p.brand = l->brand;
    d->p.category = l->category;
    d->p.url = d->url;
    d->p.image_url = d->image_url;
    d->p.gtin = d->gtin;
    d->p.mpn = d->mpn;
    d->p.updated_at = t_start + (int64_t)(d->launch * DEMO_SPAN_SECONDS);
}

/* set_wave gives d a fault that comes in a wave: ongoing (the rating is
 * sliding right now, which the dashboard and digest should show) or over. */
static void set_wave(struct demo_product *d, uint64_t *rng, bool ongoing)
{
    if (ongoing) {
        d->defect_from = 0.93 + 0.05 * demo__unit(rng);
        d->defect_to = 2.0;
    } else {
        double lo = d->launch + 0.05 > 0.1 ? d->launch + 0.05 : 0.1;

        d->defect_from = lo + (0.9 - lo) * demo__unit(rng);
        d->defect_to = d->defect_from + 0.03 + 0.06 * demo__unit(rng);
    }
}

/* release adds a release of d at timeline fraction f. */
static void release(struct demo_product *d, const char *version, double f, const char *notes,
                    int64_t t_start)
{
    struct product_release *r = &d->releases[d->n_releases];

    snprintf(d->versions[d->n_releases], sizeof(d->versions[0]), "%s", version);
    r->version = d->versions[d->n_releases];
    /* On the hour, as a release team would publish it. */
    r->released_at = t_start + (int64_t)(f * DEMO_SPAN_SECONDS);
    r->released_at -= r->released_at % 3600;
    r->notes = notes;
    d->n_releases++;
}

#define DAY (1.0 / (3 * 365)) /* one day as a fraction of the timeline */

/* story scripts what the demo is meant to show, on the three best-selling
 * laptops top[0..2]:
 *
 * - the best seller has a hinge defect right now: an episode of the last
 *   twelve days in which owners with cracked hinges write far more often
 *   than usual (the product draws reviews on top of its usual share) and
 *   most of its complaints are about the hinge: several a day against a
 *   baseline of one every few days;
 * - the runner-up had a firmware update (BIOS 1.08) go wrong about a year
 *   and a half ago, fixed by the next one;
 * - the third had BIOS 1.14 released nine days ago, and since then its
 *   owners complain that the battery drains, naming the release: a
 *   component alert open today whose rise began after that release. */
static void story(struct demo_catalog *cat, const size_t top[3], int64_t t_start)
{
    struct demo_product *hinge = &cat->products[top[0]], *fw = &cat->products[top[1]];
    struct demo_product *bat = &cat->products[top[2]];
    double share = cat->cum[top[0]] - (top[0] ? cat->cum[top[0] - 1] : 0);
    double bat_share = cat->cum[top[2]] - (top[2] ? cat->cum[top[2] - 1] : 0);

    hinge->defect = DEMO_T_HINGE;
    hinge->defect_from = 1.0 - 12 * DAY;
    hinge->defect_to = 2.0;
    hinge->wave_bad = 0.6;
    hinge->wave_topic = 0.85;
    cat->surge[0] = top[0];
    cat->surge_share[0] = share / cat->cum[cat->n - 1];

    fw->defect = DEMO_T_FIRMWARE;
    fw->defect_from = 0.55;
    fw->defect_to = 0.61;
    fw->regress = "BIOS 1.08";
    release(fw, "BIOS 1.07", 0.42, "Security fixes.", t_start);
    release(fw, "BIOS 1.08", 0.55, "Thunderbolt controller firmware; quieter fan curve.", t_start);
    release(fw, "BIOS 1.09", 0.61, "Fixes units that do not power on after BIOS 1.08.", t_start);

    bat->defect = DEMO_T_BATTERY_DRAIN;
    bat->defect_from = 1.0 - 9 * DAY;
    bat->defect_to = 2.0;
    bat->wave_bad = 0.65;
    bat->wave_topic = 0.85;
    /* Owners whose battery drains write: the product draws twice its
     * share again while the regression lasts. */
    cat->surge[1] = top[2];
    cat->surge_share[1] = 2 * bat_share / cat->cum[cat->n - 1];
    bat->regress = "BIOS 1.14";
    release(bat, "BIOS 1.12", 0.70, "Security fixes; USB-C charging stability.", t_start);
    release(bat, "BIOS 1.13", 0.86, "Improved fan control at idle.", t_start);
    release(bat, "BIOS 1.14", bat->defect_from,
            "New power management for Modern Standby; security fixes.", t_start);
    cat->story[0] = top[1];
    cat->story[1] = top[2];
}

void demo__catalog_init(struct demo_catalog *cat, uint64_t seed, int64_t t_end)
{
    uint64_t rng = demo__mix64(seed ^ 0xC47A1060ull);
    int64_t t_start = t_end - DEMO_SPAN_SECONDS;
    size_t n = 0, k = 0, *rank, top[3] = {SIZE_MAX, SIZE_MAX, SIZE_MAX};
    double acc = 0;

    for (size_t li = 0; li < demo__n_lines; li++)
        n += demo__lines[li].count;
    cat->n = n;
    cat->products = demo__xcalloc(n, sizeof(*cat->products));
    cat->cum = demo__xcalloc(n, sizeof(*cat->cum));
    cat->first = demo__xcalloc(n, sizeof(*cat->first));
    rank = demo__xcalloc(n, sizeof(*rank));

    for (size_t li = 0; li < demo__n_lines; li++) {
        const struct demo_line *l = &demo__lines[li];

        for (unsigned j = 0; j < l->count; j++, k++) {
            build_product(&cat->products[k], l, j, k, t_start);
            topics_for(&cat->products[k], &rng);
            if (cat->products[k].launch == 0.0)
                cat->first[cat->n_first++] = k;
        }
    }

    /* Popularity is Zipf-like over a shuffled rank, so best sellers are
     * spread over the categories. */
    for (size_t i = 0; i < n; i++)
        rank[i] = i;
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = demo__below(&rng, i + 1), t = rank[i];

        rank[i] = rank[j];
        rank[j] = t;
    }
    for (size_t i = 0; i < n; i++) {
        struct demo_product *d = &cat->products[i];
        double u = demo__unit(&rng);

        acc += 1.0 / pow((double)(rank[i] + 1), ZIPF_S);
        cat->cum[i] = acc;
        if (rank[i] < TOP_RANKS)
            d->bad = 0.02 + 0.12 * demo__unit(&rng);
        else if (u < 0.60)
            d->bad = 0.08 * demo__unit(&rng);
        else if (u < 0.88)
            d->bad = 0.08 + 0.17 * demo__unit(&rng);
        else
            d->bad = 0.25 + 0.35 * demo__unit(&rng);
        d->defect_from = d->defect_to = 0;
        d->wave_bad = 0.5;
        d->wave_topic = 0.75;
        if (rank[i] >= TOP_RANKS && demo__chance(&rng, 0.08))
            set_wave(d, &rng, demo__chance(&rng, 0.35));
        /* Remember the three best-selling laptops for the scripted waves. */
        if (d->line->groups & DEMO_G_LAPTOP) {
            size_t at = 3;

            while (at > 0 && (top[at - 1] == SIZE_MAX || rank[i] < rank[top[at - 1]]))
                at--;
            if (at < 3) {
                memmove(top + at + 1, top + at, (2 - at) * sizeof(top[0]));
                top[at] = i;
            }
        }
    }
    story(cat, top, t_start);
    free(rank);
}

void demo__catalog_cleanup(struct demo_catalog *cat)
{
    free(cat->products);
    free(cat->cum);
    free(cat->first);
}

size_t demo__catalog_pick(const struct demo_catalog *cat, uint64_t *rng, double f)
{
    /* Rejection sampling keeps unreleased products out; after a few misses
     * fall back to a product sold from the start, so the cost stays bounded. */
    for (int tries = 0; tries < 16; tries++) {
        double x = demo__unit(rng) * cat->cum[cat->n - 1];
        size_t lo = 0, hi = cat->n - 1;

        while (lo < hi) {
            size_t mid = (lo + hi) / 2;

            if (cat->cum[mid] > x)
                hi = mid;
            else
                lo = mid + 1;
        }
        if (cat->products[lo].launch <= f)
            return lo;
    }
    return cat->first[demo__below(rng, cat->n_first)];
}
