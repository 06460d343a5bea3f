/* chorus backup: a compacted, consistent copy of a data folder into a new
 * folder (store_backup), safe while chorusd serves and writes the folder.
 * Restoring is replacing the data folder by the copy (docs/operations.md). */
#include "tools.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "chorus/store.h"

#define USAGE "usage: chorus backup --data DIR DEST\n"

int tool_backup(int argc, char **argv)
{
    const char *data = NULL, *dest = NULL;
    char path[4096];
    char err[512] = "";
    struct store *s = NULL;
    struct stat st;
    uint64_t bytes = 0, reviews = 0;
    double start = tool_now();
    int rc;

    for (int i = 1; i < argc; i++) {
        if (tool_opt(argc, argv, &i, "--data", &data))
            continue;
        if (strcmp(argv[i], "--help") == 0) {
            printf(USAGE "Write a compacted copy of the data folder DIR into the new or empty\n"
                         "folder DEST while chorusd goes on serving it. DEST appears only once\n"
                         "the copy is complete and on disk. Restore: stop chorusd, put DEST in\n"
                         "place of DIR, start chorusd.\n");
            return 0;
        }
        if (argv[i][0] != '-' && !dest) {
            dest = argv[i];
            continue;
        }
        fprintf(stderr, USAGE);
        return 2;
    }
    if (!data || !dest) {
        fprintf(stderr, USAGE);
        return 2;
    }
    /* store_open would make an empty store of a mistyped folder, and the
     * backup of that would look like a success. */
    if ((size_t)snprintf(path, sizeof(path), "%s/data.mdb", data) >= sizeof(path) ||
        stat(path, &st) != 0) {
        fprintf(stderr, "chorus backup: %s is not a Chorus data folder (no data.mdb in it).\n",
                data);
        return 1;
    }
    if (store_open(&s, data, err, sizeof(err)) != 0) {
        fprintf(stderr, "chorus backup: %s.\n", err);
        return 1;
    }
    rc = store_backup(s, dest, &bytes, &reviews, err, sizeof(err));
    store_close(s);
    if (rc) {
        fprintf(stderr, "chorus backup: %s.\n", err[0] ? err : chorus_strerror(rc));
        return 1;
    }
    printf("backup of %s written to %s: %llu reviews, %llu bytes (%.1f MiB) in data.mdb, "
           "%.1f s\n",
           data, dest, (unsigned long long)reviews, (unsigned long long)bytes,
           (double)bytes / (1024.0 * 1024.0), tool_now() - start);
    return 0;
}
