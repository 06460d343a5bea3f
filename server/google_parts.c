/* The Google feed's parts, rendered off the request path (docs/feeds.md).
 *
 * The whole feed of a million reviews is close to a gigabyte and takes
 * seconds to produce; Google fetches it on its own schedule and takes at
 * most 100 MB per file. So one thread of its own renders the feed into
 * parts (feeds/google.c cuts them) as files under DATA/google-feed/, and
 * requests serve those files as they are, by sendfile, with the content's
 * hash as ETag: a request never walks the store.
 *
 *   render:  one read transaction is one snapshot of the store; every
 *            review is visited once, in id order, and written through a
 *            FILE buffer straight to its part's file (written as .tmp,
 *            fsynced, renamed), so memory holds one review, not a part;
 *   publish: the manifest (what the parts are and which store version
 *            they show) is replaced the same way, then the in-memory index
 *            is swapped under the lock. The previous set's files are
 *            removed when its last reference goes: a request that took a
 *            reference before the swap still opens its file.
 *   when:    at start when the manifest is missing or shows another
 *            version of the store (so a restart of an unchanged store
 *            renders nothing), then google_feed_debounce_ms after the last
 *            change srv__gfeed_changed reports, but never more than
 *            google_feed_max_delay_ms after the first one: a steady stream
 *            of writes still gets a fresh feed.
 *
 * Until the first render is published the routes answer 503 with
 * Retry-After (http_google.c): rendering at start on the main thread would
 * hold the server back for seconds on a large store.
 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "chorus/base.h"

#define FOLDER   "google-feed"
#define MANIFEST "manifest"
#define MAGIC    "chorus-google-feed 1"
/* A render that failed (a full disk, say) is tried again this much later
 * rather than at once in a loop. */
#define RETRY_MS 10000
/* The manifest is one line per part: at the smallest part size a store of
 * ten million reviews stays well under this. */
#define MANIFEST_MAX (64u << 20)

struct srv_gfeed {
    struct srv *srv;
    char dir[1100];
    uint64_t settings; /* hash of what the bytes depend on besides the store */
    pthread_t tid;
    bool started;
    pthread_mutex_t lock;
    pthread_cond_t wake; /* on CLOCK_MONOTONIC */
    /* Under lock: */
    bool stop;
    bool dirty;                  /* a render is due at due_ms */
    bool rendering;              /* a render is running */
    int64_t first_ms;            /* the first change not rendered yet */
    int64_t due_ms;              /* monotonic */
    struct srv_gfeed_index *cur; /* published; holds one reference */
    uint64_t generation;         /* the last one used, published or not */
    uint64_t renders, failures, last_render_ms;
    _Atomic bool stopping; /* read by a render's walk, to give up early */
};

/* One render's state. */
struct render {
    struct srv_gfeed *g;
    struct srv_gfeed_index *prev; /* the published set, for unchanged parts' times */
    struct store_txn *txn;
    struct product *product; /* the last product looked up, a copy */
    struct feed_google *fg;
    uint64_t generation;
    int64_t now;
    FILE *f; /* the part being written */
    char tmp[1200];
    uint64_t hash, bytes;
    struct srv_gfeed_part *parts;
    size_t n, alloc;
};

static int64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void part_path(char *out, size_t cap, const char *dir, uint64_t gen, size_t n,
                      const char *ext)
{
    snprintf(out, cap, "%s/g%llu-%zu.xml%s", dir, (unsigned long long)gen, n, ext);
}

int srv__gfeed_open(const struct srv_gfeed_index *idx, size_t n, int *fd)
{
    char path[1200];

    part_path(path, sizeof(path), idx->dir, idx->generation, n, "");
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    return *fd < 0 ? CHORUS_EIO : 0;
}

/* ---- index ------------------------------------------------------------------------- */

static void index_free(struct srv_gfeed_index *idx)
{
    char path[1200];

    if (!idx)
        return;
    if (idx->obsolete)
        for (size_t i = 1; i <= idx->n; i++) {
            part_path(path, sizeof(path), idx->dir, idx->generation, i, "");
            unlink(path);
        }
    buf_cleanup(&idx->json);
    free(idx->parts);
    free(idx);
}

/* index_new makes the published form of parts (taken) with the body of
 * GET /feeds/google-reviews/index.json, whose urls are the routes'. */
static struct srv_gfeed_index *index_new(struct srv_gfeed *g, uint64_t generation,
                                         struct srv_gfeed_part *parts, size_t n)
{
    struct srv_gfeed_index *idx = calloc(1, sizeof(*idx));
    char when[32];

    if (!idx)
        abort();
    idx->refs = 1;
    idx->dir = g->dir;
    idx->generation = generation;
    idx->parts = parts;
    idx->n = n;
    buf_init(&idx->json, 0);
    buf_puts(&idx->json, "{\"parts\":[");
    for (size_t i = 0; i < n; i++) {
        chorus_time_format(parts[i].updated, when);
        buf_printf(&idx->json,
                   "%s{\"url\":\"%s/feeds/google-reviews/%zu.xml\",\"reviews\":%llu,"
                   "\"bytes\":%llu,\"updated\":\"%s\"}",
                   i ? "," : "", g->srv->public_url, i + 1, (unsigned long long)parts[i].reviews,
                   (unsigned long long)parts[i].bytes, when);
    }
    buf_puts(&idx->json, "]}");
    snprintf(idx->json_etag, sizeof(idx->json_etag), "\"%016llx\"",
             (unsigned long long)chorus_fnv64(CHORUS_FNV64_INIT, idx->json.data, idx->json.len));
    return idx;
}

struct srv_gfeed_index *srv__gfeed_acquire(struct srv *s)
{
    struct srv_gfeed *g = s->gfeed;
    struct srv_gfeed_index *idx;

    if (!g)
        return NULL;
    pthread_mutex_lock(&g->lock);
    idx = g->cur;
    if (idx)
        idx->refs++;
    pthread_mutex_unlock(&g->lock);
    return idx;
}

void srv__gfeed_release(struct srv_gfeed_index *idx)
{
    if (idx && atomic_fetch_sub(&idx->refs, 1) == 1)
        index_free(idx);
}

/* publish makes idx the current set and drops the one it replaces. */
static void publish(struct srv_gfeed *g, struct srv_gfeed_index *idx)
{
    struct srv_gfeed_index *old;

    pthread_mutex_lock(&g->lock);
    old = g->cur;
    if (old)
        old->obsolete = true;
    g->cur = idx;
    pthread_mutex_unlock(&g->lock);
    srv__gfeed_release(old);
}

/* ---- manifest ------------------------------------------------------------------------ */

/* write_manifest replaces the manifest with one saying that generation's
 * parts show store version `version` of instance `instance`. */
static int write_manifest(struct srv_gfeed *g, uint64_t instance, uint64_t version,
                          uint64_t generation, const struct srv_gfeed_part *parts, size_t n)
{
    char path[1200], tmp[1200];
    FILE *f;
    int rc = 0;

    snprintf(path, sizeof(path), "%s/" MANIFEST, g->dir);
    snprintf(tmp, sizeof(tmp), "%s/" MANIFEST ".tmp", g->dir);
    f = fopen(tmp, "we");
    if (!f)
        return CHORUS_EIO;
    fprintf(f, MAGIC "\nstore %016llx %llu\nsettings %016llx\ngeneration %llu\nparts %zu\n",
            (unsigned long long)instance, (unsigned long long)version,
            (unsigned long long)g->settings, (unsigned long long)generation, n);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "part %llu %llu %016llx %lld\n", (unsigned long long)parts[i].bytes,
                (unsigned long long)parts[i].reviews, (unsigned long long)parts[i].hash,
                (long long)parts[i].updated);
    if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0)
        rc = CHORUS_EIO;
    if (fclose(f) != 0)
        rc = CHORUS_EIO;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = CHORUS_EIO;
    if (rc == 0)
        rc = chorus_fsync_dir(g->dir);
    if (rc)
        unlink(tmp);
    return rc;
}

/* field reads the next number of line *p in base (10 or 16), moving *p
 * past it; false when there is none. */
static bool field(char **p, int base, unsigned long long *out)
{
    char *end;

    while (**p == ' ')
        (*p)++;
    if (!((**p >= '0' && **p <= '9') || (base == 16 && **p >= 'a' && **p <= 'f')))
        return false;
    errno = 0;
    *out = strtoull(*p, &end, base);
    if (errno || end == *p || (*end != ' ' && *end != '\n' && *end != '\0'))
        return false;
    *p = end;
    return true;
}

/* word checks that line *p starts with w and moves past it. */
static bool word(char **p, const char *w)
{
    size_t n = strlen(w);

    if (strncmp(*p, w, n) != 0)
        return false;
    *p += n;
    return true;
}

/* next_line moves *p to the start of the next line; false at the end. */
static bool next_line(char **p)
{
    char *nl = strchr(*p, '\n');

    if (!nl)
        return false;
    *p = nl + 1;
    return true;
}

/* load reads the manifest a previous run left. *idx gets its parts when
 * they belong to this store and these settings and every file is there
 * with its size (NULL otherwise); *version the store version they show.
 * Damage of any kind is no error: the feed is rendered again. */
static void load(struct srv_gfeed *g, uint64_t instance, struct srv_gfeed_index **idx,
                 uint64_t *version)
{
    unsigned long long inst = 0, ver = 0, set = 0, gen = 0, n = 0, v[4];
    struct srv_gfeed_part *parts = NULL;
    char path[1200];
    struct stat st;
    struct buf b;
    FILE *f;
    char *p;
    bool ok;

    *idx = NULL;
    snprintf(path, sizeof(path), "%s/" MANIFEST, g->dir);
    f = fopen(path, "re");
    if (!f)
        return;
    buf_init(&b, MANIFEST_MAX);
    ok = buf_read_file(&b, f) == 0 && b.len > 0;
    fclose(f);
    p = b.data;
    ok = ok && word(&p, MAGIC "\n") && word(&p, "store ") && field(&p, 16, &inst) &&
         field(&p, 10, &ver) && next_line(&p) && word(&p, "settings ") && field(&p, 16, &set) &&
         next_line(&p) && word(&p, "generation ") && field(&p, 10, &gen) && next_line(&p) &&
         word(&p, "parts ") && field(&p, 10, &n) && n > 0 && n <= b.len;
    ok = ok && inst == instance && set == g->settings;
    if (ok) {
        parts = calloc(n, sizeof(*parts));
        if (!parts)
            abort();
    }
    for (size_t i = 0; ok && i < n; i++) {
        ok = next_line(&p) && word(&p, "part ") && field(&p, 10, &v[0]) && field(&p, 10, &v[1]) &&
             field(&p, 16, &v[2]) && field(&p, 10, &v[3]);
        part_path(path, sizeof(path), g->dir, gen, i + 1, "");
        ok = ok && stat(path, &st) == 0 && (unsigned long long)st.st_size == v[0];
        if (ok)
            parts[i] = (struct srv_gfeed_part){
                .bytes = v[0], .reviews = v[1], .hash = v[2], .updated = (int64_t)v[3]};
    }
    buf_cleanup(&b);
    g->generation = gen;
    if (!ok) {
        free(parts);
        return;
    }
    *version = ver;
    *idx = index_new(g, gen, parts, (size_t)n);
}

/* sweep removes what is not part of generation keep: files of older sets
 * (a crash before their removal) and of a render that did not finish. */
static void sweep(struct srv_gfeed *g, uint64_t keep)
{
    char prefix[32], path[1400];
    struct dirent *e;
    DIR *d = opendir(g->dir);

    if (!d)
        return;
    snprintf(prefix, sizeof(prefix), "g%llu-", (unsigned long long)keep);
    while ((e = readdir(d)) != NULL) {
        const char *name = e->d_name;
        size_t len = strlen(name);

        if (name[0] != 'g' || strncmp(name, prefix, strlen(prefix)) == 0 ||
            !((len > 4 && strcmp(name + len - 4, ".xml") == 0) ||
              (len > 8 && strcmp(name + len - 8, ".xml.tmp") == 0)))
            continue;
        snprintf(path, sizeof(path), "%s/%s", g->dir, name);
        unlink(path);
    }
    closedir(d);
}

/* ---- rendering --------------------------------------------------------------------- */

static int part_open(void *ctx, unsigned part)
{
    struct render *rd = ctx;

    part_path(rd->tmp, sizeof(rd->tmp), rd->g->dir, rd->generation, part, ".tmp");
    rd->f = fopen(rd->tmp, "we");
    rd->hash = CHORUS_FNV64_INIT;
    rd->bytes = 0;
    return rd->f ? 0 : CHORUS_EIO;
}

static int part_write(void *ctx, const char *data, size_t len)
{
    struct render *rd = ctx;

    rd->hash = chorus_fnv64(rd->hash, data, len);
    rd->bytes += len;
    return fwrite(data, 1, len, rd->f) == len ? 0 : CHORUS_EIO;
}

/* part_close makes the part durable under its final name. A part whose
 * bytes are those of the same part of the published set keeps its time:
 * "updated" then says when its content last changed. */
static int part_close(void *ctx, unsigned part, size_t reviews)
{
    struct render *rd = ctx;
    const struct srv_gfeed_part *was;
    char path[1200];
    int rc = 0;

    if (fflush(rd->f) != 0 || ferror(rd->f) || fsync(fileno(rd->f)) != 0)
        rc = CHORUS_EIO;
    if (fclose(rd->f) != 0)
        rc = CHORUS_EIO;
    rd->f = NULL;
    part_path(path, sizeof(path), rd->g->dir, rd->generation, part, "");
    if (rc == 0 && rename(rd->tmp, path) != 0)
        rc = CHORUS_EIO;
    if (rc)
        return rc;
    if (rd->n == rd->alloc) {
        rd->alloc = rd->alloc ? rd->alloc * 2 : 16;
        rd->parts = realloc(rd->parts, rd->alloc * sizeof(*rd->parts));
        if (!rd->parts)
            abort();
    }
    was = rd->prev && part <= rd->prev->n ? &rd->prev->parts[part - 1] : NULL;
    rd->parts[rd->n++] = (struct srv_gfeed_part){
        .bytes = rd->bytes,
        .reviews = reviews,
        .hash = rd->hash,
        .updated = was && was->hash == rd->hash && was->bytes == rd->bytes ? was->updated : rd->now,
    };
    return 0;
}

/* product_for makes rd->product the product with external id `id`.
 * Consecutive reviews are often about one product, so the last one is
 * kept; it is a copy because store strings are borrowed only until the next
 * store call. An unknown product (a review can arrive before its catalogue
 * entry) is described by its id. */
static int product_for(struct render *rd, const char *id)
{
    struct product p;
    int rc;

    if (rd->product && strcmp(rd->product->id, id) == 0)
        return 0;
    free(rd->product);
    rd->product = NULL;
    rc = store_product_get(rd->txn, id, &p, NULL);
    if (rc == CHORUS_ENOTFOUND) {
        memset(&p, 0, sizeof(p));
        p.id = id;
        rc = 0;
    }
    if (rc == 0)
        rd->product = product_dup(&p);
    return rc;
}

static int on_review(void *ctx, const struct review *r)
{
    struct render *rd = ctx;
    int rc;

    if (atomic_load(&rd->g->stopping))
        return CHORUS_EBUSY;
    if (r->status != REVIEW_APPROVED || r->rating < 1)
        return 0;
    rc = product_for(rd, r->product_id);
    return rc ? rc : feed_google_review(rd->fg, r, rd->product);
}

/* render writes a new set of parts from one snapshot of the store and
 * publishes it. Returns 0 or the first error; a failed render leaves the
 * published set as it was and removes its own files. */
static int render(struct srv_gfeed *g)
{
    struct srv *s = g->srv;
    struct feed_google_sink sink = {part_open, part_write, part_close, NULL};
    struct render rd = {.g = g, .now = chorus_now()};
    struct review_stats st;
    struct feed_site site;
    unsigned n = 0;
    int rc;

    sink.ctx = &rd;
    rd.prev = srv__gfeed_acquire(s);
    pthread_mutex_lock(&g->lock);
    rd.generation = ++g->generation;
    pthread_mutex_unlock(&g->lock);
    srv__site(s, &site);
    rc = store_read_begin(s->store, &rd.txn);
    if (rc)
        goto out;
    /* The version of everything, read in the snapshot the parts show: a
     * write committed during the walk moves it past this, and the next
     * start renders again. */
    memset(&st, 0, sizeof(st));
    rc = store_scope_stats(rd.txn, STORE_SCOPE_ALL, NULL, &st);
    if (rc == CHORUS_ENOTFOUND)
        rc = 0;
    if (rc == 0)
        rc = feed_google_new(&rd.fg, &site, site.title, NULL, s->cfg.google_feed_part_bytes, &sink);
    if (rc == 0)
        rc = store_reviews_each(rd.txn, 0, on_review, &rd);
    store_read_end(rd.txn);
    if (rc == 0) {
        rc = feed_google_end(rd.fg, &n);
        rd.fg = NULL;
    }
    if (rc == 0)
        rc = chorus_fsync_dir(g->dir);
    if (rc == 0)
        rc = write_manifest(g, store_instance(s->store), st.version, rd.generation, rd.parts, rd.n);
    if (rc == 0) {
        publish(g, index_new(g, rd.generation, rd.parts, rd.n));
        rd.parts = NULL;
    }
out:
    feed_google_free(rd.fg);
    if (rd.f) {
        fclose(rd.f);
        unlink(rd.tmp);
    }
    if (rc)
        for (size_t i = 1; i <= rd.n; i++) {
            char path[1200];

            part_path(path, sizeof(path), g->dir, rd.generation, i, "");
            unlink(path);
        }
    store_txn_free(rd.txn);
    free(rd.product);
    free(rd.parts);
    srv__gfeed_release(rd.prev);
    return rc;
}

/* ---- the thread -------------------------------------------------------------------- */

static void *run(void *arg)
{
    struct srv_gfeed *g = arg;
    struct timespec until;
    int64_t now, started;
    int rc;

    pthread_mutex_lock(&g->lock);
    while (!g->stop) {
        now = mono_ms();
        if (!g->dirty) {
            pthread_cond_wait(&g->wake, &g->lock);
            continue;
        }
        if (now < g->due_ms) {
            until.tv_sec = (time_t)(g->due_ms / 1000);
            until.tv_nsec = (long)(g->due_ms % 1000) * 1000000;
            pthread_cond_timedwait(&g->wake, &g->lock, &until);
            continue;
        }
        g->dirty = false;
        g->rendering = true;
        pthread_mutex_unlock(&g->lock);
        started = mono_ms();
        rc = render(g);
        /* A render that gave up because chorusd stops is no failure. */
        if (rc && atomic_load(&g->stopping))
            rc = 0;
        else if (rc)
            fprintf(stderr,
                    "chorusd: the Google feed could not be rendered: %s; trying again "
                    "in %d seconds\n",
                    chorus_strerror(rc), RETRY_MS / 1000);
        pthread_mutex_lock(&g->lock);
        g->rendering = false;
        g->last_render_ms = (uint64_t)(mono_ms() - started);
        if (rc == 0 && !g->stop) {
            g->renders++;
        } else if (rc) {
            g->failures++;
            if (!g->dirty)
                g->first_ms = mono_ms();
            g->dirty = true;
            g->due_ms = mono_ms() + RETRY_MS;
        }
    }
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

void srv__gfeed_changed(struct srv *s)
{
    struct srv_gfeed *g = s->gfeed;
    int64_t now, due;

    if (!g)
        return;
    now = mono_ms();
    pthread_mutex_lock(&g->lock);
    if (!g->dirty)
        g->first_ms = now;
    g->dirty = true;
    due = now + s->cfg.google_feed_debounce_ms;
    if (due > g->first_ms + s->cfg.google_feed_max_delay_ms)
        due = g->first_ms + s->cfg.google_feed_max_delay_ms;
    g->due_ms = due;
    pthread_cond_signal(&g->wake);
    pthread_mutex_unlock(&g->lock);
}

/* settings_hash covers what the parts' bytes depend on besides the store:
 * parts rendered with another public URL or part size are stale. */
static uint64_t settings_hash(const struct srv *s)
{
    struct feed_site site;
    char size[32];
    uint64_t h = CHORUS_FNV64_INIT;

    srv__site((struct srv *)s, &site);
    snprintf(size, sizeof(size), "%zu", s->cfg.google_feed_part_bytes);
    h = chorus_fnv64(h, site.public_url, strlen(site.public_url) + 1);
    h = chorus_fnv64(h, s->cfg.review_url, strlen(s->cfg.review_url) + 1);
    h = chorus_fnv64(h, site.title, strlen(site.title) + 1);
    return chorus_fnv64(h, size, strlen(size) + 1);
}

/* store_version reads the version of everything now. */
static int store_version(struct store *store, uint64_t *version)
{
    struct store_txn *txn = NULL;
    struct review_stats st;
    int rc = store_read_begin(store, &txn);

    memset(&st, 0, sizeof(st));
    if (rc == 0)
        rc = store_scope_stats(txn, STORE_SCOPE_ALL, NULL, &st);
    if (rc == CHORUS_ENOTFOUND)
        rc = 0;
    if (txn)
        store_read_end(txn);
    store_txn_free(txn);
    *version = st.version;
    return rc;
}

int srv__gfeed_start(struct srv *s, char *errbuf, size_t errlen)
{
    struct srv_gfeed *g = calloc(1, sizeof(*g));
    struct srv_gfeed_index *idx = NULL;
    uint64_t shown = 0, now_version = 0;
    pthread_condattr_t ca;
    int rc = 0;

    if (!g)
        abort();
    g->srv = s;
    s->gfeed = g;
    snprintf(g->dir, sizeof(g->dir), "%s/" FOLDER, s->cfg.data_dir);
    g->settings = settings_hash(s);
    pthread_mutex_init(&g->lock, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&g->wake, &ca);
    pthread_condattr_destroy(&ca);
    /* s->gfeed is set: srv_free frees g however this ends. */
    if (mkdir(g->dir, 0755) != 0 && errno != EEXIST) {
        snprintf(errbuf, errlen, "cannot make %s: %s", g->dir, strerror(errno));
        rc = CHORUS_EIO;
        goto out;
    }
    load(g, store_instance(s->store), &idx, &shown);
    sweep(g, idx ? idx->generation : 0);
    g->cur = idx;
    /* A store that cannot be read now is left to the render, which says so. */
    if (!idx || store_version(s->store, &now_version) != 0 || now_version != shown) {
        g->dirty = true;
        g->first_ms = g->due_ms = mono_ms();
    }
    if (pthread_create(&g->tid, NULL, run, g) != 0) {
        snprintf(errbuf, errlen, "cannot start the Google feed's renderer thread");
        rc = CHORUS_ENOMEM;
        goto out;
    }
    g->started = true;
out:
    return rc;
}

void srv__gfeed_stop(struct srv *s)
{
    struct srv_gfeed *g = s->gfeed;

    if (!g)
        return;
    atomic_store(&g->stopping, true);
    pthread_mutex_lock(&g->lock);
    g->stop = true;
    pthread_cond_signal(&g->wake);
    pthread_mutex_unlock(&g->lock);
    if (g->started)
        pthread_join(g->tid, NULL);
    /* The files of the published set stay: the next start serves them. */
    srv__gfeed_release(g->cur);
    pthread_cond_destroy(&g->wake);
    pthread_mutex_destroy(&g->lock);
    free(g);
    s->gfeed = NULL;
}

void srv__gfeed_metrics(struct srv *s, struct buf *b)
{
    struct srv_gfeed *g = s->gfeed;
    uint64_t renders, failures, ms, parts = 0, reviews = 0;
    bool pending;

    if (!g)
        return;
    pthread_mutex_lock(&g->lock);
    renders = g->renders;
    failures = g->failures;
    ms = g->last_render_ms;
    pending = g->dirty || g->rendering;
    if (g->cur) {
        parts = g->cur->n;
        for (size_t i = 0; i < g->cur->n; i++)
            reviews += g->cur->parts[i].reviews;
    }
    pthread_mutex_unlock(&g->lock);
    buf_printf(b,
               "# TYPE chorus_google_feed_renders_total counter\n"
               "chorus_google_feed_renders_total %llu\n"
               "# TYPE chorus_google_feed_render_failures_total counter\n"
               "chorus_google_feed_render_failures_total %llu\n"
               "# TYPE chorus_google_feed_render_seconds gauge\n"
               "chorus_google_feed_render_seconds %.3f\n"
               "# TYPE chorus_google_feed_parts gauge\nchorus_google_feed_parts %llu\n"
               "# TYPE chorus_google_feed_reviews gauge\nchorus_google_feed_reviews %llu\n"
               "# TYPE chorus_google_feed_pending gauge\nchorus_google_feed_pending %d\n",
               (unsigned long long)renders, (unsigned long long)failures, (double)ms / 1000.0,
               (unsigned long long)parts, (unsigned long long)reviews, pending ? 1 : 0);
}
