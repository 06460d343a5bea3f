/* Runs a fuzz target over files without libFuzzer, so every build exercises
 * the targets on their seed corpus as ordinary tests (with the sanitizers of
 * the build). Each argument is a file or a folder of files. Every file is
 * run whole and then truncated at each length, which walks the parsers
 * through the "input ends here" paths the seeds alone would miss.
 *
 * Usage: replay PATH...; exits non-zero when no file was found (a wrong
 * corpus path must not pass silently). A crash is the failure signal. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FILE     (1u << 20)
#define MAX_TRUNCATE 4096 /* files up to this size are also run at every prefix */

static int run_file(const char *path)
{
    FILE *f = NULL;
    uint8_t *buf = NULL, *copy = NULL;
    size_t n;
    int rc = -1;

    f = fopen(path, "rb");
    if (!f)
        goto out;
    buf = malloc(MAX_FILE);
    if (!buf)
        abort();
    n = fread(buf, 1, MAX_FILE, f);
    LLVMFuzzerTestOneInput(buf, n);
    if (n <= MAX_TRUNCATE) {
        for (size_t k = 0; k < n; k++) {
            /* A fresh heap block of exactly k bytes, so ASan sees overreads. */
            copy = malloc(k ? k : 1);
            if (!copy)
                abort();
            memcpy(copy, buf, k);
            LLVMFuzzerTestOneInput(copy, k);
            free(copy);
            copy = NULL;
        }
    }
    rc = 0;
out:
    free(buf);
    if (f)
        fclose(f);
    return rc;
}

int main(int argc, char **argv)
{
    size_t files = 0;

    for (int i = 1; i < argc; i++) {
        struct stat st;
        DIR *d;
        struct dirent *e;
        char path[4096];

        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: not found\n", argv[i]);
            return 1;
        }
        if (!S_ISDIR(st.st_mode)) {
            if (run_file(argv[i]) == 0)
                files++;
            continue;
        }
        d = opendir(argv[i]);
        if (!d)
            return 1;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && run_file(path) == 0)
                files++;
        }
        closedir(d);
    }
    printf("replay: %zu files\n", files);
    return files ? 0 : 1;
}
