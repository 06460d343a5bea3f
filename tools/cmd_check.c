/* chorus check: recount every aggregate, daily bucket and index entry from
 * the reviews (store_check) and say what drifted; exit 1 on drift. */
#include "tools.h"

#include <stdio.h>

#include "chorus/store.h"

static void report(void *ctx, const char *line)
{
    (void)ctx;
    printf("drift: %s\n", line);
}

int tool_check(int argc, char **argv)
{
    const char *data = NULL;
    struct store *s = NULL;
    struct store_txn *txn = NULL;
    uint64_t drift = 0, reviews = 0, products = 0;
    char err[512] = "";
    int rc;

    for (int i = 1; i < argc; i++) {
        if (tool_opt(argc, argv, &i, "--data", &data))
            continue;
        fprintf(stderr, "usage: chorus check --data DIR\n");
        return 2;
    }
    if (!data) {
        fprintf(stderr, "usage: chorus check --data DIR\n");
        return 2;
    }
    if (store_open(&s, data, err, sizeof(err)) != 0) {
        fprintf(stderr, "chorus check: %s\n", err);
        return 1;
    }
    rc = store_check(s, report, NULL, &drift);
    if (rc == 0 && store_read_begin(s, &txn) == 0) {
        store_counts(txn, &reviews, &products);
        store_read_end(txn);
    }
    store_txn_free(txn);
    store_close(s);
    if (rc) {
        fprintf(stderr, "chorus check: %s\n", chorus_strerror(rc));
        return 1;
    }
    if (drift) {
        printf("%llu discrepancies found\n", (unsigned long long)drift);
        return 1;
    }
    printf("ok: %llu reviews, %llu products; every aggregate and index matches the reviews\n",
           (unsigned long long)reviews, (unsigned long long)products);
    return 0;
}
