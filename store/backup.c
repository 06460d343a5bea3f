/* store_backup: a compacted copy of a data folder, taken from one read
 * snapshot while writers go on, and made visible under its final name only
 * once it is whole and on disk.
 */
#include "chorus/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chorus/base.h"
#include "store_int.h"

/* How often a copy is retried after another process grew the map under it.
 * Each retry follows a doubling of chorusd's map, so a handful is plenty. */
#define COPY_TRIES 5

/* dest_free says whether dest may receive the backup: absent, or an empty
 * folder (rename replaces an empty folder). Returns 0 or a CHORUS_E code. */
static int dest_free(const char *dest, char *errbuf, size_t errlen)
{
    struct stat st;
    struct dirent *e;
    DIR *d = NULL;
    int rc = 0;

    if (stat(dest, &st) != 0) {
        if (errno != ENOENT) {
            snprintf(errbuf, errlen, "cannot look at %s: %s", dest, strerror(errno));
            rc = store__err(errno);
        }
        goto out;
    }
    if (!S_ISDIR(st.st_mode)) {
        snprintf(errbuf, errlen, "%s exists and is not a folder; choose a new backup folder", dest);
        rc = CHORUS_EEXIST;
        goto out;
    }
    d = opendir(dest);
    if (!d) {
        snprintf(errbuf, errlen, "cannot read folder %s: %s", dest, strerror(errno));
        rc = store__err(errno);
        goto out;
    }
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            snprintf(errbuf, errlen,
                     "%s exists and is not empty; a backup goes into a new or empty folder", dest);
            rc = CHORUS_EEXIST;
            break;
        }
    }
out:
    if (d)
        closedir(d);
    return rc;
}

/* copy_into writes the compacted copy of s to fd. A compacting copy walks
 * the trees in one read transaction, so it must be counted like any other
 * (a resize of this process waits for it), and when chorusd has grown the
 * map since this process last looked, the transaction cannot begin until
 * the new size is adopted. Returns an MDB or errno code. */
static int copy_into(struct store *s, int fd)
{
    int rc = MDB_MAP_RESIZED;

    for (int i = 0; i < COPY_TRIES && rc == MDB_MAP_RESIZED; i++) {
        if (i > 0 && store__map_adopt(s) != 0)
            break;
        /* A failed try may have written part of a copy. */
        if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
            return errno;
        store__txn_enter(s);
        rc = mdb_env_copyfd2(s->env, fd, MDB_CP_COMPACT);
        store__txn_leave(s);
    }
    return rc;
}

/* count_reviews reads the number of reviews in the copy at dir, opening it
 * read-only and without a lock file, so the copy is read back as a restore
 * would see it and nothing is added to the folder. Returns an MDB code. */
static int count_reviews(const char *dir, uint64_t *reviews)
{
    MDB_env *env = NULL;
    MDB_txn *txn = NULL;
    MDB_dbi dbi;
    MDB_stat st;
    int rc;

    rc = mdb_env_create(&env);
    if (rc) {
        env = NULL;
        goto out;
    }
    mdb_env_set_maxdbs(env, STORE__NDB + 2);
    rc = mdb_env_open(env, dir, MDB_RDONLY | MDB_NOLOCK, 0644);
    if (rc == 0)
        rc = mdb_txn_begin(env, NULL, MDB_RDONLY, &txn);
    if (rc) {
        txn = NULL;
        goto out;
    }
    rc = mdb_dbi_open(txn, store__db_name(STORE__REVIEWS), 0, &dbi);
    if (rc == 0)
        rc = mdb_stat(txn, dbi, &st);
    if (rc == 0)
        *reviews = st.ms_entries;
out:
    if (txn)
        mdb_txn_abort(txn);
    if (env)
        mdb_env_close(env);
    return rc;
}

int store_backup(struct store *s, const char *dest, uint64_t *bytes, uint64_t *reviews,
                 char *errbuf, size_t errlen)
{
    char scratch[1];
    char *tmp = NULL, *file = NULL, *parent = NULL, *slash;
    size_t n = strlen(dest);
    uint64_t count = 0;
    struct stat st;
    bool made = false; /* tmp exists and is ours to remove */
    int fd = -1, rc;

    if (!errbuf) {
        errbuf = scratch;
        errlen = sizeof(scratch);
    }
    if (errlen)
        errbuf[0] = '\0';
    /* A trailing slash would put the temporary folder inside dest. */
    while (n > 1 && dest[n - 1] == '/')
        n--;
    tmp = malloc(n + sizeof(".tmp-XXXXXX"));
    file = malloc(n + sizeof(".tmp-XXXXXX/data.mdb"));
    parent = malloc(n + 2);
    if (!tmp || !file || !parent)
        abort();
    snprintf(tmp, n + sizeof(".tmp-XXXXXX"), "%.*s.tmp-XXXXXX", (int)n, dest);
    snprintf(parent, n + 2, "%.*s", (int)n, dest);
    slash = strrchr(parent, '/');
    if (!slash)
        snprintf(parent, n + 2, ".");
    else
        slash[slash == parent] = '\0';

    rc = dest_free(dest, errbuf, errlen);
    if (rc)
        goto out;
    if (!mkdtemp(tmp)) {
        snprintf(errbuf, errlen, "cannot create a folder beside %s: %s", dest, strerror(errno));
        rc = store__err(errno);
        goto out;
    }
    made = true;
    snprintf(file, n + sizeof(".tmp-XXXXXX/data.mdb"), "%s/data.mdb", tmp);
    fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(errbuf, errlen, "cannot create %s: %s", file, strerror(errno));
        rc = store__err(errno);
        goto out;
    }
    rc = copy_into(s, fd);
    if (rc == 0 && fsync(fd) != 0)
        rc = errno;
    if (rc == 0 && fstat(fd, &st) != 0)
        rc = errno;
    if (rc) {
        snprintf(errbuf, errlen, "cannot copy data folder %s to %s: %s", s->dir, tmp,
                 mdb_strerror(rc));
        rc = store__err(rc);
        goto out;
    }
    close(fd);
    fd = -1;
    rc = count_reviews(tmp, &count);
    if (rc) {
        snprintf(errbuf, errlen, "the copy in %s cannot be read back: %s", tmp, mdb_strerror(rc));
        rc = store__err(rc);
        goto out;
    }
    /* The file's data first, then its name in tmp, then tmp's new name in
     * the parent: after a crash, dest is either absent or complete. */
    rc = chorus_fsync_dir(tmp) == 0 ? 0 : errno;
    if (rc == 0 && rename(tmp, dest) != 0)
        rc = errno;
    if (rc) {
        snprintf(errbuf, errlen, "cannot move the copy %s to %s: %s", tmp, dest, strerror(rc));
        rc = store__err(rc);
        goto out;
    }
    made = false;
    rc = chorus_fsync_dir(parent);
    if (rc) {
        snprintf(errbuf, errlen, "cannot sync folder %s: %s", parent, strerror(errno));
        goto out;
    }
    if (bytes)
        *bytes = (uint64_t)st.st_size;
    if (reviews)
        *reviews = count;
out:
    if (fd >= 0)
        close(fd);
    /* An unfinished copy is removed, so that no half backup stays behind. */
    if (made) {
        unlink(file);
        rmdir(tmp);
    }
    free(parent);
    free(file);
    free(tmp);
    return rc;
}
