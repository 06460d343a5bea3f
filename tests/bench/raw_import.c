/* raw_import: the baseline that tests/bench/import.sh measures `chorus import`
 * against (DESIGN.md: bulk import at 0.6x of a raw jansson-parse + LMDB-put
 * loop). It does the least any importer must do and nothing more: parse each
 * NDJSON line with jansson, map its product_id to a number, and put the line
 * under (product number, review id) into the main database of a plain LMDB
 * environment, 10,000 puts per transaction, default (synchronous) commits.
 * No indexes, no aggregates, no validation beyond "is a JSON object with a
 * product_id string".
 *
 * usage: raw_import DIR FILE.ndjson
 *   DIR is created when missing and should be empty. Prints
 *   "raw: N reviews in S s = R reviews/s" on stdout.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>
#include <lmdb.h>

#define PUTS_PER_TXN 10000
/* Big enough for tens of millions of reviews; the map is sparse, so this
 * costs address space, not disk. The baseline should never pay for growing
 * the map: that is overhead the real store has to earn back. */
#define MAP_SIZE (64ull << 30)

/* ---- product_id -> number ------------------------------------------------- */

/* Open addressing with linear probing; numbers are handed out in order of
 * first appearance, starting at 1. */
struct slot {
    char *key; /* NUL-terminated copy; NULL = empty */
    size_t len;
    uint32_t no;
};

struct idmap {
    struct slot *slots;
    size_t cap; /* a power of two */
    size_t used;
};

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);

    if (!p) {
        fputs("raw_import: out of memory\n", stderr);
        abort();
    }
    return p;
}

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;

    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

static void idmap_grow(struct idmap *m)
{
    size_t cap = m->cap ? m->cap * 2 : 1024;
    struct slot *slots = xcalloc(cap, sizeof(*slots));

    for (size_t i = 0; i < m->cap; i++) {
        struct slot *s = &m->slots[i];
        size_t j;

        if (!s->key)
            continue;
        j = fnv1a(s->key, s->len) & (cap - 1);
        while (slots[j].key)
            j = (j + 1) & (cap - 1);
        slots[j] = *s;
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
}

/* idmap_get returns the number of product id s (n bytes), assigning the next
 * one on first sight. */
static uint32_t idmap_get(struct idmap *m, const char *s, size_t n)
{
    size_t j;

    /* Keep the load under 70% so probes stay short. */
    if ((m->used + 1) * 10 > m->cap * 7)
        idmap_grow(m);
    j = fnv1a(s, n) & (m->cap - 1);
    while (m->slots[j].key) {
        if (m->slots[j].len == n && memcmp(m->slots[j].key, s, n) == 0)
            return m->slots[j].no;
        j = (j + 1) & (m->cap - 1);
    }
    m->slots[j].key = xcalloc(n + 1, 1);
    memcpy(m->slots[j].key, s, n);
    m->slots[j].len = n;
    m->slots[j].no = (uint32_t)++m->used;
    return m->slots[j].no;
}

static void idmap_cleanup(struct idmap *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].key);
    free(m->slots);
}

/* ---- import --------------------------------------------------------------- */

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void be32(unsigned char *p, uint32_t v)
{
    for (int i = 3; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)v;
}

static void be64(unsigned char *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)v;
}

static int lmdb_fail(const char *what, int rc)
{
    fprintf(stderr, "raw_import: %s: %s\n", what, mdb_strerror(rc));
    return 1;
}

int main(int argc, char **argv)
{
    FILE *f = NULL;
    MDB_env *env = NULL;
    MDB_txn *txn = NULL;
    MDB_dbi dbi = 0;
    struct idmap ids = {NULL, 0, 0};
    char *line = NULL;
    size_t linecap = 0, lineno = 0, n_put = 0, in_txn = 0, bad = 0;
    ssize_t len;
    double start, secs;
    int rc, status = 1;

    if (argc != 3) {
        fprintf(stderr, "usage: raw_import DIR FILE.ndjson\n");
        return 2;
    }
    start = now();
    if (mkdir(argv[1], 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "raw_import: cannot create %s: %s\n", argv[1], strerror(errno));
        goto out;
    }
    f = fopen(argv[2], "rb");
    if (!f) {
        fprintf(stderr, "raw_import: cannot open %s: %s\n", argv[2], strerror(errno));
        goto out;
    }
    rc = mdb_env_create(&env);
    if (rc == 0)
        rc = mdb_env_set_mapsize(env, MAP_SIZE);
    if (rc == 0)
        rc = mdb_env_open(env, argv[1], 0, 0644);
    if (rc) {
        lmdb_fail("opening the environment", rc);
        goto out;
    }
    rc = mdb_txn_begin(env, NULL, 0, &txn);
    if (rc == 0)
        rc = mdb_dbi_open(txn, NULL, 0, &dbi);
    if (rc) {
        lmdb_fail("opening the database", rc);
        goto out;
    }

    for (;;) {
        json_t *root;
        json_error_t err;
        const char *pid;
        unsigned char key[12];
        MDB_val k, v;

        len = getline(&line, &linecap, f);
        if (len < 0)
            break;
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        if (len == 0)
            continue;
        root = json_loadb(line, (size_t)len, JSON_REJECT_DUPLICATES, &err);
        pid = root ? json_string_value(json_object_get(root, "product_id")) : NULL;
        if (!pid) {
            if (bad++ == 0)
                fprintf(stderr, "raw_import: line %zu: %s\n", lineno,
                        root ? "no product_id string" : err.text);
            json_decref(root);
            continue;
        }
        be32(key, idmap_get(&ids, pid, strlen(pid)));
        be64(key + 4, lineno);
        json_decref(root);

        k.mv_data = key;
        k.mv_size = sizeof(key);
        v.mv_data = line;
        v.mv_size = (size_t)len;
        rc = mdb_put(txn, dbi, &k, &v, 0);
        if (rc) {
            lmdb_fail("put", rc);
            goto out;
        }
        n_put++;
        if (++in_txn == PUTS_PER_TXN) {
            rc = mdb_txn_commit(txn);
            txn = NULL;
            if (rc == 0)
                rc = mdb_txn_begin(env, NULL, 0, &txn);
            if (rc) {
                lmdb_fail("commit", rc);
                goto out;
            }
            in_txn = 0;
        }
    }
    if (ferror(f)) {
        fprintf(stderr, "raw_import: reading %s: %s\n", argv[2], strerror(errno));
        goto out;
    }
    rc = mdb_txn_commit(txn);
    txn = NULL;
    if (rc) {
        lmdb_fail("commit", rc);
        goto out;
    }
    secs = now() - start;
    printf("raw: %zu reviews in %.3f s = %.0f reviews/s\n", n_put, secs,
           secs > 0 ? (double)n_put / secs : 0.0);
    if (bad)
        fprintf(stderr, "raw_import: %zu lines skipped\n", bad);
    status = 0;

out:
    if (txn)
        mdb_txn_abort(txn);
    if (env)
        mdb_env_close(env);
    if (f)
        fclose(f);
    free(line);
    idmap_cleanup(&ids);
    return status;
}
