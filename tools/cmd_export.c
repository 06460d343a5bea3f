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

/* A set of product ids already written, open addressing on a string hash. */
struct seen {
    char **slots;
    size_t cap, n;
};

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* seen_add returns true when id was new (and records it). */
static bool seen_add(struct seen *s, const char *id)
{
    size_t i;

    if (s->n * 2 >= s->cap) {
        struct seen bigger = {calloc(s->cap ? s->cap * 2 : 1024, sizeof(char *)),
                              s->cap ? s->cap * 2 : 1024, 0};

        if (!bigger.slots)
            abort();
        for (i = 0; i < s->cap; i++) {
            if (s->slots[i]) {
                size_t j = hash(s->slots[i]) & (bigger.cap - 1);

                while (bigger.slots[j])
                    j = (j + 1) & (bigger.cap - 1);
                bigger.slots[j] = s->slots[i];
                bigger.n++;
            }
        }
        free(s->slots);
        *s = bigger;
    }
    for (i = hash(id) & (s->cap - 1); s->slots[i]; i = (i + 1) & (s->cap - 1))
        if (strcmp(s->slots[i], id) == 0)
            return false;
    s->slots[i] = strdup(id);
    if (!s->slots[i])
        abort();
    s->n++;
    return true;
}

static void seen_free(struct seen *s)
{
    for (size_t i = 0; i < s->cap; i++)
        free(s->slots[i]);
    free(s->slots);
}

struct export
{
    struct store_txn *txn;
    FILE *out;
    struct buf b;
    struct seen seen;
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
    if (seen_add(&ex->seen, r->product_id) &&
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
    seen_free(&ex.seen);
    buf_cleanup(&ex.b);
    if (ex.out && ex.out != stdout)
        fclose(ex.out);
    return rc;
}
