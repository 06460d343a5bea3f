/* chorus: the command line over a Chorus data folder. Works on the same
 * folder while chorusd serves it: LMDB serialises the writers. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chorus/store.h"
#include "chorus/text.h"
#include "tools.h"

static void usage(FILE *to)
{
    fprintf(to, "usage: chorus COMMAND --data DIR [options]\n"
                "\n"
                "  import --data DIR [--format ndjson|json|amazon|csv] [--map MAPPING]\n"
                "         [--status approved|pending] [--source NAME] [--taxonomy FILE] FILE|-\n"
                "      Load reviews. csv needs --map, e.g. product_id=asins,rating=reviews.rating\n"
                "  export --data DIR [--out FILE]\n"
                "      Write every review as NDJSON (stdout by default); imports back.\n"
                "  check --data DIR\n"
                "      Recount aggregates and indexes from the reviews; exit 1 on drift.\n"
                "  demo --data DIR [--reviews N] [--seed S] [--taxonomy FILE]\n"
                "  demo --out FILE [--reviews N] [--seed S]\n"
                "      Generate a realistic PC-maker catalogue with N reviews (default 200000)\n"
                "      into the data folder, or as NDJSON into FILE.\n"
                "  tokens create --data DIR --name NAME [--url PUBLIC_URL]\n"
                "  tokens list --data DIR | tokens revoke --data DIR --id N\n"
                "      Reader tokens for the private engineer digest (shown once).\n"
                "  retag --data DIR [--taxonomy FILE]\n"
                "      Tag and score every review again (component taxonomy, sentiment).\n"
                "  sources add|list|show|delete|poll --data DIR [--json JSON | --file F] [--id N]\n"
                "      Pulled sources (docs/sources.md); poll makes one due for chorusd.\n");
}

struct text_taxonomy *tool_tagger(struct store *s, const char *file)
{
    struct text_taxonomy *t = NULL;
    char err[512];
    int rc = file ? text_taxonomy_load(&t, file, err, sizeof(err)) : text_taxonomy_default(&t);

    if (rc) {
        fprintf(stderr, "chorus: %s\n", file ? err : "cannot build the default taxonomy");
        return NULL;
    }
    store_set_tagger(s, text_review_tags, t);
    store_set_scorer(s, text_review_sentiment, NULL);
    return t;
}

double tool_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void tool_progress_init(struct tool_progress *p, const char *what, uint64_t total)
{
    p->tty = isatty(STDERR_FILENO);
    p->start = tool_now();
    p->last_draw = 0;
    p->total = total;
    p->what = what;
}

void tool_progress_update(struct tool_progress *p, uint64_t done, uint64_t items)
{
    double now, rate;
    char bar[31];

    if (!p->tty)
        return;
    now = tool_now();
    if (now - p->last_draw < 0.1)
        return;
    p->last_draw = now;
    rate = now > p->start ? (double)items / (now - p->start) : 0;
    if (p->total) {
        size_t fill = (size_t)((double)done / (double)p->total * 30);

        if (fill > 30)
            fill = 30;
        memset(bar, '=', fill);
        memset(bar + fill, ' ', 30 - fill);
        bar[30] = '\0';
        fprintf(stderr, "\r%s [%s] %3.0f%%  %llu reviews  %.0f/s ", p->what, bar,
                (double)done * 100.0 / (double)p->total, (unsigned long long)items, rate);
    } else {
        fprintf(stderr, "\r%s %llu reviews  %.0f/s ", p->what, (unsigned long long)items, rate);
    }
}

void tool_progress_end(struct tool_progress *p)
{
    if (p->tty)
        fprintf(stderr, "\r\033[K");
}

bool tool_opt(int argc, char **argv, int *i, const char *name, const char **val)
{
    if (strcmp(argv[*i], name) != 0 || *i + 1 >= argc)
        return false;
    *val = argv[++*i];
    return true;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "import") == 0)
        return tool_import(argc - 1, argv + 1);
    if (strcmp(argv[1], "export") == 0)
        return tool_export(argc - 1, argv + 1);
    if (strcmp(argv[1], "check") == 0)
        return tool_check(argc - 1, argv + 1);
    if (strcmp(argv[1], "demo") == 0)
        return tool_demo(argc - 1, argv + 1);
    if (strcmp(argv[1], "tokens") == 0)
        return tool_tokens(argc - 1, argv + 1);
    if (strcmp(argv[1], "retag") == 0)
        return tool_retag(argc - 1, argv + 1);
    if (strcmp(argv[1], "sources") == 0)
        return tool_sources(argc - 1, argv + 1);
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "chorus: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
