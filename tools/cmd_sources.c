/* chorus sources: pulled sources from the command line, on the data folder
 * directly (docs/sources.md). `poll` only makes the source due now: a
 * running chorusd sees it at its next look at the sources (within five
 * seconds) and fetches it; this command fetches nothing itself. */
#include "tools.h"

#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"
#include "chorus/parse.h"
#include "chorus/store.h"

struct source_op {
    const char *cmd;
    uint64_t id;
    struct source_config *cfg;
    int result;
};

static int apply(struct store_txn *txn, void *ctx)
{
    struct source_op *op = ctx;
    struct store_source src;

    if (strcmp(op->cmd, "add") == 0) {
        op->result = store_source_create(txn, op->cfg, chorus_now(), &op->id);
    } else if (strcmp(op->cmd, "delete") == 0) {
        op->result = store_source_delete(txn, op->id);
    } else {
        op->result = store_source_get(txn, op->id, &src);
        if (op->result == 0) {
            src.st.next_poll_at = chorus_now();
            op->result = store_source_state_put(txn, op->id, &src.st);
        }
    }
    return 0;
}

static void print_time(const char *name, int64_t t)
{
    char ts[32];

    if (t > 0)
        chorus_time_format(t, ts);
    printf("%s\t%s\n", name, t > 0 ? ts : "never");
}

static int print_one(void *ctx, const struct store_source *s)
{
    bool full = ctx != NULL;

    if (!full) {
        printf("%llu\t%s\t%u\t%s\t%s\n", (unsigned long long)s->id, source_kind_name(s->cfg.kind),
               (unsigned)s->cfg.interval, s->cfg.url, s->st.last_status);
        return 0;
    }
    printf("id\t%llu\nkind\t%s\nurl\t%s\ninterval\t%u\nstatus\t%s\n", (unsigned long long)s->id,
           source_kind_name(s->cfg.kind), s->cfg.url, (unsigned)s->cfg.interval,
           review_status_name(s->cfg.status));
    if (s->cfg.product_id)
        printf("product_id\t%s\n", s->cfg.product_id);
    if (s->cfg.product_map)
        printf("product_map\t%s\n", s->cfg.product_map);
    if (s->cfg.json_map)
        printf("json_map\t%s\n", s->cfg.json_map);
    print_time("next_poll_at", s->st.next_poll_at);
    print_time("last_poll_at", s->st.last_poll_at);
    printf("last_status\t%s\nitems_seen\t%llu\nitems_added\t%llu\nitems_updated\t%llu\n"
           "items_merged\t%llu\nitems_rejected\t%llu\nerrors\t%u\n",
           s->st.last_status, (unsigned long long)s->st.items_seen,
           (unsigned long long)s->st.items_added, (unsigned long long)s->st.items_updated,
           (unsigned long long)s->st.items_merged, (unsigned long long)s->st.items_rejected,
           (unsigned)s->st.errors);
    for (uint32_t i = 0; i < s->st.n_reasons; i++)
        printf("reason\t%s\n", s->st.reasons[i]);
    return 0;
}

static int read_op(struct store *s, const char *cmd, uint64_t id)
{
    struct store_txn *txn = NULL;
    struct store_source src;
    int rc = store_read_begin(s, &txn);

    if (rc == 0 && strcmp(cmd, "list") == 0) {
        rc = store_sources_each(txn, print_one, NULL);
    } else if (rc == 0) {
        rc = store_source_get(txn, id, &src);
        if (rc == 0)
            print_one(&src, &src);
    }
    store_txn_free(txn);
    return rc;
}

static void usage(void)
{
    fprintf(stderr, "usage: chorus sources add --data DIR (--json SOURCE_JSON | --file FILE)\n"
                    "       chorus sources list --data DIR\n"
                    "       chorus sources show|delete|poll --data DIR --id N\n");
}

int tool_sources(int argc, char **argv)
{
    const char *data = NULL, *json = NULL, *file = NULL, *id = NULL;
    const char *cmd = argc > 1 ? argv[1] : "";
    struct source_op op;
    struct parse_error perr;
    struct store *s = NULL;
    struct buf b;
    char err[512] = "", *end;
    bool writes = strcmp(cmd, "add") == 0 || strcmp(cmd, "delete") == 0 || strcmp(cmd, "poll") == 0;
    int rc = 0;

    memset(&op, 0, sizeof(op));
    memset(&perr, 0, sizeof(perr));
    op.cmd = cmd;
    for (int i = 2; i < argc; i++) {
        if (tool_opt(argc, argv, &i, "--data", &data) ||
            tool_opt(argc, argv, &i, "--json", &json) ||
            tool_opt(argc, argv, &i, "--file", &file) || tool_opt(argc, argv, &i, "--id", &id))
            continue;
        fprintf(stderr, "chorus sources: unknown option %s\n", argv[i]);
        usage();
        return 2;
    }
    if (!data || (!writes && strcmp(cmd, "list") != 0 && strcmp(cmd, "show") != 0) ||
        (strcmp(cmd, "add") == 0 && !json == !file) ||
        (strcmp(cmd, "add") != 0 && strcmp(cmd, "list") != 0 && !id)) {
        usage();
        return 2;
    }
    if (id) {
        op.id = strtoull(id, &end, 10);
        if (*id < '1' || *id > '9' || *end) {
            fprintf(stderr, "chorus sources: --id must be a source id (a positive number)\n");
            return 2;
        }
    }
    buf_init(&b, 1 << 20);
    if (file) {
        FILE *f = fopen(file, "r");

        rc = f ? buf_read_file(&b, f) : CHORUS_EIO;
        if (f)
            fclose(f);
        if (rc == 0)
            rc = buf_putc(&b, '\0');
        if (rc) {
            fprintf(stderr, "chorus sources: cannot read %s\n", file);
            buf_cleanup(&b);
            return 1;
        }
        json = b.data;
    }
    if (json && parse_source(json, strlen(json), SOURCE_INTERVAL_MIN, &op.cfg, &perr) != 0) {
        fprintf(stderr, "chorus sources: %s\n", perr.message);
        buf_cleanup(&b);
        return 2;
    }
    buf_cleanup(&b);
    if (store_open(&s, data, err, sizeof(err)) != 0) {
        fprintf(stderr, "chorus sources: %s\n", err);
        free(op.cfg);
        return 1;
    }
    if (writes) {
        rc = store_write(s, apply, &op);
        if (rc == 0)
            rc = op.result;
    } else {
        rc = read_op(s, cmd, op.id);
    }
    if (rc == 0 && strcmp(cmd, "add") == 0)
        printf("id %llu\n", (unsigned long long)op.id);
    else if (rc == 0 && strcmp(cmd, "delete") == 0)
        printf("deleted %llu\n", (unsigned long long)op.id);
    else if (rc == 0 && strcmp(cmd, "poll") == 0)
        printf("source %llu is due now; a running chorusd fetches it within seconds\n",
               (unsigned long long)op.id);
    else if (rc)
        fprintf(stderr, "chorus sources: %s\n",
                rc == CHORUS_ENOTFOUND ? "there is no such source" : chorus_strerror(rc));
    free(op.cfg);
    store_close(s);
    return rc ? 1 : 0;
}
