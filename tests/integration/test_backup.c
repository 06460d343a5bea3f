/* chorus backup against a running chorusd: the copy taken while reviews are
 * being posted passes chorus check, serves every review acknowledged before
 * it began from a second chorusd, and is no larger than the live file; a
 * backup never lands in a folder that holds something, nor leaves a
 * half-written copy behind. */
#include "harness.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testmain.h"

#ifndef CHORUS_PATH
#error "CHORUS_PATH must name the chorus binary"
#endif

#define BEFORE       40   /* reviews acknowledged before the backup starts */
#define DEMO_REVIEWS 3000 /* so that the copy takes long enough for posts to overlap it */
#define MAX_DURING   5000 /* posts while the backup runs, at most */

/* demo_setup starts chorusd on a folder that `chorus demo` filled first. */
static int demo_setup(void **state)
{
    struct chorusd *d = chorusd_make(NULL);
    const char *argv[] = {CHORUS_PATH, "demo", "--data", NULL, "--reviews", NULL, NULL};
    char n[16];

    *state = d;
    if (!d)
        return -1;
    snprintf(n, sizeof(n), "%d", DEMO_REVIEWS);
    argv[3] = d->data;
    argv[5] = n;
    if (h_run(h_fmt("%s/demo.out", d->root), h_fmt("%s/demo.err", d->root), argv) != 0) {
        print_error("chorus demo failed: %s\n", d->root);
        return -1;
    }
    return chorusd_start(d);
}

static long long file_size(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

/* leftovers counts the entries of dir whose name starts with prefix. */
static int leftovers(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
            n++;
    closedir(d);
    return n;
}

/* run_cli runs chorus with args and returns its exit status; its stdout
 * and stderr are left in root/cli.out and root/cli.err. */
static int run_cli(struct chorusd *d, const char *const *args)
{
    const char *argv[8] = {CHORUS_PATH};
    int i = 0;

    while (args[i] && i < 6) {
        argv[i + 1] = args[i];
        i++;
    }
    argv[i + 1] = NULL;
    return h_run(h_fmt("%s/cli.out", d->root), h_fmt("%s/cli.err", d->root), argv);
}

static void expect_output(struct chorusd *d, const char *which, const char *sub)
{
    char *text = h_slurp(h_fmt("%s/cli.%s", d->root, which), NULL);

    assert_non_null(text);
    if (!strstr(text, sub)) {
        print_error("chorus %s: %s\nwanted: %s\n", which, text, sub);
        free(text);
        fail();
    }
    free(text);
}

CHORUS_TEST_SETUP(backup_while_posting, demo_setup, h_teardown_extra)
{
    struct chorusd *d = *state;
    uint64_t before[BEFORE];
    char dest[400], out[400], err[400];
    const char *argv[] = {CHORUS_PATH, "backup", "--data", d->data, dest, NULL};
    int status = H_RUNNING, during = 0;
    pid_t pid;

    for (int i = 0; i < BEFORE; i++)
        before[i] = h_post_review(
            d, h_fmt("{\"product_id\":\"bk-%d\",\"rating\":%d,\"title\":\"before %d\"}", i % 7,
                     1 + i % 5, i));
    snprintf(dest, sizeof(dest), "%s/backup", d->root);
    snprintf(out, sizeof(out), "%s/backup.out", d->root);
    snprintf(err, sizeof(err), "%s/backup.err", d->root);

    /* Writes go on while the copy is taken: each post is committed by
     * chorusd's writer in its own transaction beside the backup's read. */
    pid = h_spawn(out, err, argv);
    while (status == H_RUNNING && during < MAX_DURING) {
        h_post_review(d, h_fmt("{\"product_id\":\"bk-during\",\"rating\":3,\"title\":\"during "
                               "%d\"}",
                               during));
        during++;
        status = h_poll(pid);
    }
    while (status == H_RUNNING) {
        usleep(10000);
        status = h_poll(pid);
    }
    print_message("%d reviews posted while the backup ran\n", during);
    if (status != 0) {
        char *e = h_slurp(err, NULL);

        print_error("chorus backup exited with %d: %s\n", status, e ? e : "");
        free(e);
        fail();
    }
    {
        char *o = h_slurp(out, NULL);

        assert_non_null(o);
        assert_non_null(strstr(o, "reviews"));
        assert_non_null(strstr(o, "bytes"));
        free(o);
    }
    assert_int_equal(leftovers(d->root, "backup.tmp-"), 0);
    assert_true(file_size(h_fmt("%s/data.mdb", dest)) > 0);
    /* Compacted: no free pages, so never larger than the file chorusd grew. */
    assert_true(file_size(h_fmt("%s/data.mdb", dest)) <= file_size(h_fmt("%s/data.mdb", d->data)));

    {
        const char *check[] = {"check", "--data", dest, NULL};
        int rc = run_cli(d, check);

        expect_output(d, "out", "ok: ");
        assert_int_equal(rc, 0);
    }

    /* Restore as docs/operations.md says: the backup becomes the data
     * folder of a chorusd that is not running. */
    h_extra = chorusd_make(NULL);
    assert_non_null(h_extra);
    h_rmtree(h_extra->data);
    assert_int_equal(rename(dest, h_extra->data), 0);
    assert_int_equal(chorusd_start(h_extra), 0);
    for (int i = 0; i < BEFORE; i++) {
        struct hresp *r =
            h_get(h_extra, h_fmt("/api/v1/reviews/%llu", (unsigned long long)before[i]));

        expect_status(r, 200);
        expect_jint(r->json, "id", (long long)before[i]);
        expect_jstr(r->json, "title", h_fmt("before %d", i));
        hresp_free(r);
    }
}

CHORUS_TEST_SETUP(backup_refuses_a_full_folder, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    char dest[400];
    const char *args[] = {"backup", "--data", d->data, dest, NULL};
    char *kept;

    h_post_review(d, "{\"product_id\":\"bk-1\",\"rating\":5}");
    snprintf(dest, sizeof(dest), "%s/full", d->root);
    assert_int_equal(mkdir(dest, 0755), 0);
    h_write_file(h_fmt("%s/keep.txt", dest), "mine", 4);

    assert_int_equal(run_cli(d, args), 1);
    /* Refused before anything is copied, not by the rename at the end. */
    expect_output(d, "err", "not empty; a backup goes into a new or empty folder");
    kept = h_slurp(h_fmt("%s/keep.txt", dest), NULL);
    assert_non_null(kept);
    assert_string_equal(kept, "mine");
    free(kept);
    assert_int_equal(file_size(h_fmt("%s/data.mdb", dest)), -1);
    assert_int_equal(leftovers(d->root, "full.tmp-"), 0);

    /* An empty folder is as good as a new one. */
    snprintf(dest, sizeof(dest), "%s/empty", d->root);
    assert_int_equal(mkdir(dest, 0755), 0);
    assert_int_equal(run_cli(d, args), 0);
    expect_output(d, "out", " 1 reviews");
    assert_true(file_size(h_fmt("%s/data.mdb", dest)) > 0);
}

CHORUS_TEST_SETUP(backup_of_no_data_folder_fails, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    char missing[400], dest[400];
    const char *args[] = {"backup", "--data", missing, dest, NULL};

    snprintf(missing, sizeof(missing), "%s/nothing-here", d->root);
    snprintf(dest, sizeof(dest), "%s/copy", d->root);
    assert_int_equal(run_cli(d, args), 1);
    expect_output(d, "err", "not a Chorus data folder");
    /* Neither a store made up for the typo nor a backup of it. */
    assert_int_equal(file_size(missing), -1);
    assert_int_equal(file_size(dest), -1);
}

CHORUS_TEST_MAIN()
