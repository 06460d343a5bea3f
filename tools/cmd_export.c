/* chorus export: every review as one NDJSON line, in id order, in the same
 * field names the API takes, so the file imports back. The first review of
 * each product carries the product's catalogue fields in "product". */
#include "tools.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"
#include "chorus/store.h"
#include "chorus/feed.h"

struct export
{
    struct store_txn *txn;
    FILE *out;
    struct buf b;
    struct chorus_map seen; /* product ids already written; values unused */
    uint64_t n;
    struct tool_progress progress;
};

static int one(void *ctx, const struct review *r)
{
    struct export *ex = ctx;
    struct product p;
    int rc;

    buf_reset(&ex->b);
    rc = feed_review_json(&ex->b, r);
    if (rc)
        return rc;
    if (chorus_map_add(&ex->seen, r->product_id, strlen(r->product_id), NULL) &&
        store_product_get(ex->txn, r->product_id, &p, NULL) == 0) {
        ex->b.len--; /* reopen the object to add the product */
        buf_puts(&ex->b, ",\"product\":");
        feed_product_json(&ex->b, &p, NULL);
        buf_putc(&ex->b, '}');
    }
    buf_putc(&ex->b, '\n');
    if (fwrite(ex->b.data, 1, ex->b.len, ex->out) != ex->b.len)
        return CHORUS_EIO;
    if (++ex->n % 10000 == 0)
        tool_progress_update(&ex->progress, 0, ex->n);
    return 0;
}

int tool_export(int argc, char **argv)
{
    const char *data = NULL, *out = NULL;
    struct store *s = NULL;
    struct export ex;
    char err[512] = "";
    int rc = 2;

    memset(&ex, 0, sizeof(ex));
    chorus_map_init(&ex.seen, 0);
    for (int i = 1; i < argc; i++) {
        if (tool_opt(argc, argv, &i, "--data", &data) || tool_opt(argc, argv, &i, "--out", &out))
            continue;
        fprintf(stderr, "usage: chorus export --data DIR [--out FILE]\n");
        return 2;
    }
    if (!data) {
        fprintf(stderr, "usage: chorus export --data DIR [--out FILE]\n");
        return 2;
    }
    ex.out = out ? fopen(out, "wb") : stdout;
    if (!ex.out) {
        fprintf(stderr, "chorus export: cannot write %s: %s\n", out, strerror(errno));
        return 1;
    }
    buf_init(&ex.b, 0);
    if (store_open(&s, data, err, sizeof(err)) != 0) {
        fprintf(stderr, "chorus export: %s\n", err);
        rc = 1;
        goto out;
    }
    tool_progress_init(&ex.progress, "exporting", 0);
    /* One snapshot for the whole export, so the file is consistent even
     * while chorusd keeps writing. */
    rc = store_read_begin(s, &ex.txn);
    if (rc == 0) {
        rc = store_reviews_each(ex.txn, 0, one, &ex);
        store_read_end(ex.txn);
    }
    tool_progress_end(&ex.progress);
    if (rc == 0 && fflush(ex.out) != 0)
        rc = CHORUS_EIO;
    if (rc)
        fprintf(stderr, "chorus export: %s\n", chorus_strerror(rc));
    else
        fprintf(stderr, "exported %llu reviews\n", (unsigned long long)ex.n);
    rc = rc ? 1 : 0;
out:
    store_txn_free(ex.txn);
    store_close(s);
    chorus_map_cleanup(&ex.seen, NULL);
    buf_cleanup(&ex.b);
    if (ex.out && ex.out != stdout)
        fclose(ex.out);
    return rc;
}
