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
                "      Pulled sources (docs/sources.md); poll makes one due for chorusd.\n"
                "  backup --data DIR DEST\n"
                "      Write a compacted copy of DIR into the new folder DEST, while chorusd\n"
                "      serves DIR (docs/operations.md: restore, scheduling).\n"
                "  --version\n");
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
    if (strcmp(argv[1], "backup") == 0)
        return tool_backup(argc - 1, argv + 1);
    if (strcmp(argv[1], "--version") == 0) {
        printf("chorus %s\n", CHORUS_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "chorus: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
