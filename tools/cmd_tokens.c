/* chorus tokens: digest reader tokens from the command line, for operators
 * and the demo (the HTTP API does the same with a key). */
#include "tools.h"

#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"
#include "chorus/feed.h"
#include "chorus/store.h"

struct token_op {
    const char *name;
    uint64_t id;
    struct store_token made;
    char secret[STORE_TOKEN_LEN + 1];
    int result;
};

static int create(struct store_txn *txn, void *ctx)
{
    struct token_op *op = ctx;

    op->result = store_token_create(txn, op->name, &op->made, op->secret);
    return 0;
}

static int revoke(struct store_txn *txn, void *ctx)
{
    struct token_op *op = ctx;

    op->result = store_token_delete(txn, op->id);
    return 0;
}

static int print_one(void *ctx, const struct store_token *t)
{
    char ts[32];

    (void)ctx;
    chorus_time_format(t->created_at, ts);
    printf("%llu\t%s\t%s\n", (unsigned long long)t->id, ts, t->name);
    return 0;
}

static int list(struct store *s)
{
    struct store_txn *txn = NULL;
    int rc = store_read_begin(s, &txn);

    if (rc == 0)
        rc = store_tokens_each(txn, print_one, NULL);
    store_txn_free(txn);
    return rc;
}

static void usage(void)
{
    fprintf(stderr, "usage: chorus tokens create --data DIR --name NAME [--url PUBLIC_URL]\n"
                    "       chorus tokens list --data DIR\n"
                    "       chorus tokens revoke --data DIR --id N\n");
}

int tool_tokens(int argc, char **argv)
{
    const char *data = NULL, *name = NULL, *url = NULL, *id = NULL, *cmd = argc > 1 ? argv[1] : "";
    struct token_op op;
    struct store *s = NULL;
    char err[512] = "", *end;
    int rc;

    memset(&op, 0, sizeof(op));
    for (int i = 2; i < argc; i++) {
        if (tool_opt(argc, argv, &i, "--data", &data) ||
            tool_opt(argc, argv, &i, "--name", &name) || tool_opt(argc, argv, &i, "--url", &url) ||
            tool_opt(argc, argv, &i, "--id", &id))
            continue;
        fprintf(stderr, "chorus tokens: unknown option %s\n", argv[i]);
        usage();
        return 2;
    }
    if (!data || (strcmp(cmd, "create") == 0 && !name) || (strcmp(cmd, "revoke") == 0 && !id) ||
        (strcmp(cmd, "create") != 0 && strcmp(cmd, "list") != 0 && strcmp(cmd, "revoke") != 0)) {
        usage();
        return 2;
    }
    if (id) {
        op.id = strtoull(id, &end, 10);
        if (*id < '1' || *id > '9' || *end) {
            fprintf(stderr, "chorus tokens: --id must be a token id (a positive number)\n");
            return 2;
        }
    }
    if (store_open(&s, data, err, sizeof(err)) != 0) {
        fprintf(stderr, "chorus tokens: %s\n", err);
        return 1;
    }
    op.name = name;
    if (strcmp(cmd, "list") == 0) {
        rc = list(s);
    } else {
        rc = store_write(s, strcmp(cmd, "create") == 0 ? create : revoke, &op);
        if (rc == 0)
            rc = op.result;
    }
    if (rc == 0 && strcmp(cmd, "create") == 0) {
        printf("id %llu\ntoken %s\n", (unsigned long long)op.made.id, op.secret);
        if (url) {
            struct buf u;

            buf_init(&u, 0);
            feed_digest_url(&u, url, &(struct feed_digest_query){.token = op.secret});
            printf("digest %s\n", u.data);
            buf_cleanup(&u);
        }
    } else if (rc == 0 && strcmp(cmd, "revoke") == 0) {
        printf("revoked %llu\n", (unsigned long long)op.id);
    } else if (rc) {
        fprintf(stderr, "chorus tokens: %s\n",
                rc == CHORUS_ENOTFOUND ? "there is no such token"
                : rc == CHORUS_EINVAL  ? "a name is 1 to 200 bytes of UTF-8"
                                       : chorus_strerror(rc));
    }
    memset(op.secret, 0, sizeof(op.secret));
    store_close(s);
    return rc ? 1 : 0;
}
