/* chorus demo: a realistic PC-maker catalogue and its reviews, into a data
 * folder or as NDJSON (the benchmark's input). */
#include "tools.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"
#include "chorus/store.h"
#include "chorus/text.h"
#include "chorus/feed.h"
#include "demo_gen.h"

#define BATCH 10000

struct demo {
    struct demo_gen *gen;
    size_t next, end; /* the batch being written: reviews [next, end) */
    int step;         /* 0: the catalogue, 1: reviews */
};

/* write_releases stores the release history of the demo's story products
 * (the firmware regression's "BIOS 1.14" among them), with the catalogue. */
static int write_releases(struct store_txn *txn, const struct demo_gen *g)
{
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < demo_gen_release_count(g); i++) {
        const struct product_release *rel;
        size_t n;
        const char *id = demo_gen_releases(g, i, &rel, &n);

        rc = store_product_releases_put(txn, id, rel, n);
    }
    return rc;
}

static int write_batch(struct store_txn *txn, void *ctx)
{
    struct demo *d = ctx;
    struct product p;
    struct review r;
    int rc;

    if (d->step == 0) {
        for (size_t i = 0; i < demo_gen_product_count(d->gen); i++) {
            demo_gen_product(d->gen, i, &p);
            rc = store_product_put(txn, &p, NULL);
            if (rc)
                return rc;
        }
        return write_releases(txn, d->gen);
    }
    for (size_t i = d->next; i < d->end; i++) {
        demo_gen_review(d->gen, i, &r);
        rc = store_review_put(txn, &r, NULL, NULL);
        if (rc)
            return rc;
    }
    return 0;
}

static int to_store(struct demo *d, const char *data, const char *taxonomy, size_t n)
{
    struct text_taxonomy *tax = NULL;
    struct store *s = NULL;
    struct tool_progress pr;
    char err[512] = "";
    int rc;

    rc = store_open(&s, data, err, sizeof(err));
    if (rc) {
        fprintf(stderr, "chorus demo: %s\n", err);
        return rc;
    }
    tax = tool_tagger(s, taxonomy);
    if (!tax) {
        store_close(s);
        return CHORUS_EINVAL;
    }
    tool_progress_init(&pr, "generating", n);
    rc = store_write(s, write_batch, d);
    d->step = 1;
    for (d->next = 0; rc == 0 && d->next < n; d->next = d->end) {
        d->end = d->next + BATCH < n ? d->next + BATCH : n;
        rc = store_write(s, write_batch, d);
        tool_progress_update(&pr, d->end, d->end);
    }
    tool_progress_end(&pr);
    if (rc == 0)
        rc = tool_demo_issues(s, tax);
    if (rc)
        fprintf(stderr, "chorus demo: %s\n", chorus_strerror(rc));
    else
        fprintf(stderr, "demo data: %zu products, %zu reviews in %s (%.1f s)\n",
                demo_gen_product_count(d->gen), n, data, tool_now() - pr.start);
    store_close(s);
    text_taxonomy_free(tax);
    return rc;
}

static int to_file(struct demo *d, const char *path, size_t n)
{
    FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");
    struct buf b;
    struct review r;
    int rc = 0;

    if (!f) {
        fprintf(stderr, "chorus demo: cannot write %s: %s\n", path, strerror(errno));
        return CHORUS_EIO;
    }
    buf_init(&b, 0);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        demo_gen_review(d->gen, i, &r);
        buf_reset(&b);
        rc = feed_review_json(&b, &r);
        if (rc == 0)
            rc = buf_putc(&b, '\n');
        if (rc == 0 && fwrite(b.data, 1, b.len, f) != b.len)
            rc = CHORUS_EIO;
    }
    if (f != stdout && fclose(f) != 0)
        rc = CHORUS_EIO;
    if (rc)
        fprintf(stderr, "chorus demo: writing %s failed: %s\n", path, chorus_strerror(rc));
    buf_cleanup(&b);
    return rc;
}

int tool_demo(int argc, char **argv)
{
    const char *data = NULL, *out = NULL, *nstr = "200000", *seedstr = "1", *taxonomy = NULL;
    struct demo d;
    char *end;
    unsigned long long n, seed;
    int rc;

    memset(&d, 0, sizeof(d));
    for (int i = 1; i < argc; i++) {
        if (tool_opt(argc, argv, &i, "--data", &data) || tool_opt(argc, argv, &i, "--out", &out) ||
            tool_opt(argc, argv, &i, "--reviews", &nstr) ||
            tool_opt(argc, argv, &i, "--seed", &seedstr) ||
            tool_opt(argc, argv, &i, "--taxonomy", &taxonomy))
            continue;
        fprintf(stderr, "chorus demo: unknown option %s\n", argv[i]);
        return 2;
    }
    n = strtoull(nstr, &end, 10);
    if (*end || *nstr < '0' || *nstr > '9' || n > 100000000ull) {
        fprintf(stderr, "chorus demo: --reviews must be a number up to 100000000\n");
        return 2;
    }
    seed = strtoull(seedstr, &end, 10);
    if (*end || (!data) == (!out)) {
        fprintf(stderr, "usage: chorus demo (--data DIR | --out FILE) [--reviews N] [--seed S]\n");
        return 2;
    }
    rc = demo_gen_new(&d.gen, seed, (size_t)n);
    if (rc == 0)
        rc = data ? to_store(&d, data, taxonomy, (size_t)n) : to_file(&d, out, (size_t)n);
    demo_gen_free(d.gen);
    return rc ? 1 : 0;
}
