/* chorus retag: run the component tagger again over every review, after a
 * taxonomy change or on a folder whose reviews predate tagging. */
#include "tools.h"

#include <string.h>

#include "chorus/base.h"
#include "chorus/store.h"
#include "chorus/text.h"

#define BATCH 2000

struct retag_run {
    uint64_t after, last;
    size_t changed;
};

static int batch(struct store_txn *txn, void *ctx)
{
    struct retag_run *r = ctx;

    /* Rerun-safe: results land in last/changed, overwritten each run. */
    return store_reviews_retag(txn, r->after, BATCH, &r->last, &r->changed);
}

int tool_retag(int argc, char **argv)
{
    const char *data = NULL, *taxonomy = NULL;
    struct text_taxonomy *tax = NULL;
    struct retag_run run = {0, 0, 0};
    struct tool_progress pr;
    struct store *s = NULL;
    uint64_t seen = 0, changed = 0, total = 0, products = 0;
    struct store_txn *txn = NULL;
    char err[512] = "";
    int rc;

    for (int i = 1; i < argc; i++) {
        if (tool_opt(argc, argv, &i, "--data", &data) ||
            tool_opt(argc, argv, &i, "--taxonomy", &taxonomy))
            continue;
        fprintf(stderr, "chorus retag: unknown option %s\n", argv[i]);
        return 2;
    }
    if (!data) {
        fprintf(stderr, "usage: chorus retag --data DIR [--taxonomy FILE]\n");
        return 2;
    }
    if (store_open(&s, data, err, sizeof(err)) != 0) {
        fprintf(stderr, "chorus retag: %s\n", err);
        return 1;
    }
    tax = tool_tagger(s, taxonomy);
    rc = tax ? store_read_begin(s, &txn) : CHORUS_EINVAL;
    if (rc == 0)
        rc = store_counts(txn, &total, &products);
    store_txn_free(txn);
    tool_progress_init(&pr, "retagging", total);
    while (rc == 0) {
        rc = store_write(s, batch, &run);
        if (rc || run.last == 0)
            break;
        seen = run.last; /* ids, a close enough measure of progress */
        changed += run.changed;
        run.after = run.last;
        tool_progress_update(&pr, seen, seen);
    }
    tool_progress_end(&pr);
    if (rc && tax)
        fprintf(stderr, "chorus retag: %s\n", chorus_strerror(rc));
    else if (rc == 0)
        fprintf(stderr, "retagged %llu reviews: %llu changed\n", (unsigned long long)total,
                (unsigned long long)changed);
    store_close(s);
    text_taxonomy_free(tax);
    return rc ? 1 : 0;
}
