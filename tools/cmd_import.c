/* chorus import: load reviews from a file into the store in batches of
 * 10,000 per transaction, with a progress line and a summary.
 *
 * Two stages on two threads, through the same group-commit writer and
 * ingest path as chorusd's POST: this thread reads and parses the next batch
 * while the writer thread stores the previous one (where the store also
 * tags and scores each review). Each stage is about
 * half the work, so the overlap is what keeps import near the raw
 * parse-and-put loop (BENCHMARKS.md). */
#include "tools.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "chorus/base.h"
#include "chorus/parse.h"
#include "chorus/store.h"
#include "chorus/text.h"

#define BATCH        10000
#define CHUNK        (1u << 20)
#define MAX_LINE     (32u << 20) /* a JSON line larger than this is an item error */
#define MAX_JSON_DOC (1ull << 30)
#define SHOW_ERRORS  20

/* A batch of parsed reviews on its way through the store's writer. */
struct batch {
    struct store_job job; /* first: the writer hands the job back */
    struct import *im;
    struct store_ingest_item items[BATCH];
    size_t n;
    struct store_ingest_counts counts; /* set by apply, rerun-safe */
};

struct import {
    struct store *store;
    struct store_writer *writer; /* started with the first full batch */
    struct batch *fill;          /* being collected by this thread */
    struct batch *spare;         /* back from the writer, for the next fill */
    uint64_t created, updated, rejected, items;
    uint64_t dropped; /* product url fields the store left out: not http(s) */
    uint64_t bytes;
    struct tool_progress progress;
    int rc;
};

static int batch_apply(struct store_txn *txn, struct store_job *job)
{
    struct batch *b = (struct batch *)job;

    /* The operator's own path: the file's product fields may replace set
     * ones (docs/reviews.md, "Who may change the catalogue"). */
    return store_ingest_batch(txn, b->items, b->n, STORE_PUT_CATALOGUE, &b->counts);
}

static void batch_clear(struct batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free((void *)b->items[i].review);
        free((void *)b->items[i].product);
    }
    b->n = 0;
}

/* batch_done books a written batch (on this thread, in
 * store_writer_complete) and keeps it for the next fill. */
static void batch_done(struct store_job *job, int commit_rc)
{
    struct batch *b = (struct batch *)job;
    struct import *im = b->im;

    if (commit_rc == 0) {
        /* The command's summary has always counted a review sent again
         * unchanged as updated. */
        im->created += b->counts.created;
        im->updated += b->counts.updated + b->counts.merged + b->counts.unchanged;
        im->rejected += b->counts.refused;
        im->dropped += b->counts.dropped;
    } else if (im->rc == 0) {
        fprintf(stderr, "\nchorus import: a batch could not be written: %s\n",
                chorus_strerror(commit_rc));
        im->rc = commit_rc;
    }
    batch_clear(b);
    free(im->spare);
    im->spare = b;
}

static struct batch *batch_new(struct import *im)
{
    struct batch *b = im->spare;

    im->spare = NULL;
    if (!b) {
        b = calloc(1, sizeof(*b));
        if (!b)
            abort();
    }
    b->im = im;
    return b;
}

/* flush hands the batch being collected to the writer, after the previous
 * one is written: this thread parses the next while the writer stores this. */
static int flush(struct import *im)
{
    int rc;

    if (im->fill->n == 0)
        return im->rc;
    if (!im->writer) {
        rc = store_writer_start(&im->writer, im->store, 0, NULL, NULL);
        if (rc)
            return rc;
    }
    store_writer_wait(im->writer, 0);
    store_writer_complete(im->writer);
    if (im->rc)
        return im->rc;
    im->fill->job.apply = batch_apply;
    im->fill->job.done = batch_done;
    im->fill->job.weight = im->fill->n;
    rc = store_writer_submit(im->writer, &im->fill->job);
    if (rc)
        return rc;
    im->fill = batch_new(im);
    return 0;
}

/* finish writes what is left and stops the writer. */
static int finish(struct import *im)
{
    int rc = flush(im);

    if (im->writer) {
        store_writer_stop(im->writer);
        store_writer_complete(im->writer);
        store_writer_free(im->writer);
        im->writer = NULL;
    }
    return rc ? rc : im->rc;
}

static int collect(void *ctx, size_t index, const struct review *r, const struct product *p,
                   const char *error)
{
    struct import *im = ctx;
    struct store_ingest_item *it;

    im->items++;
    if (error) {
        if (im->rejected < SHOW_ERRORS) {
            tool_progress_end(&im->progress);
            fprintf(stderr, "item %zu rejected: %s\n", index + 1, error);
        }
        im->rejected++;
        return 0;
    }
    it = &im->fill->items[im->fill->n++];
    memset(it, 0, sizeof(*it));
    it->review = review_dup(r);
    it->product = p ? product_dup(p) : NULL;
    if (im->fill->n == BATCH) {
        im->rc = flush(im);
        if (im->rc)
            return im->rc;
        tool_progress_update(&im->progress, im->bytes, im->created + im->updated);
    }
    return 0;
}

/* import_lines streams NDJSON: a line at a time, never the whole file. */
static int import_lines(struct import *im, FILE *f, enum parse_format fmt,
                        const struct parse_options *opt)
{
    struct buf line;
    char *chunk = malloc(CHUNK);
    size_t n, index = 0;
    bool skipping = false;
    int rc = 0;

    if (!chunk)
        abort();
    buf_init(&line, MAX_LINE);
    while (rc == 0) {
        size_t start = 0;

        n = fread(chunk, 1, CHUNK, f);
        if (n == 0)
            break;
        im->bytes += n;
        for (size_t i = 0; rc == 0 && i <= n; i++) {
            bool end = i == n || chunk[i] == '\n';

            if (!end)
                continue;
            if (i == n) {
                /* The chunk ends mid-line: keep the piece for the next read. */
                if (!skipping && buf_append(&line, chunk + start, n - start) != 0)
                    skipping = true;
                break;
            }
            if (!skipping && buf_append(&line, chunk + start, i - start) != 0)
                skipping = true;
            start = i + 1;
            if (skipping) {
                rc = collect(im, index++, NULL, NULL, "the line is longer than 32 MiB");
            } else {
                size_t len = line.len;

                while (len && (line.data[len - 1] == '\r' || line.data[len - 1] == ' '))
                    len--;
                if (len)
                    rc = parse_review_line(line.data, len, fmt, opt, index++, collect, im);
            }
            buf_reset(&line);
            skipping = false;
        }
    }
    if (rc == 0 && ferror(f)) {
        fprintf(stderr, "chorus import: read error: %s\n", strerror(errno));
        rc = CHORUS_EIO;
    }
    if (rc == 0 && (line.len || skipping)) {
        if (skipping)
            rc = collect(im, index, NULL, NULL, "the line is longer than 32 MiB");
        else
            rc = parse_review_line(line.data, line.len, fmt, opt, index, collect, im);
    }
    buf_cleanup(&line);
    free(chunk);
    return rc;
}

static int import_json(struct import *im, FILE *f, enum parse_format fmt,
                       const struct parse_options *opt)
{
    struct buf doc;
    struct parse_error err;
    int rc;

    buf_init(&doc, MAX_JSON_DOC);
    rc = buf_read_file(&doc, f);
    if (rc == CHORUS_ETOOBIG)
        fprintf(stderr, "chorus import: a JSON document over 1 GiB; use NDJSON for files this "
                        "large\n");
    else if (rc)
        fprintf(stderr, "chorus import: read error: %s\n", strerror(errno));
    if (rc)
        goto out;
    im->bytes = doc.len;
    memset(&err, 0, sizeof(err));
    rc = parse_reviews(doc.data ? doc.data : "", doc.len, fmt, opt, collect, im, NULL, &err);
    if (rc == CHORUS_EPARSE)
        fprintf(stderr, "chorus import: %s (line %zu, column %zu)\n", err.message, err.line,
                err.column);
out:
    buf_cleanup(&doc);
    return rc;
}

static int import_csv(struct import *im, FILE *f, const char *map, const struct parse_options *opt)
{
    struct parse_csv *csv = NULL;
    struct parse_error err;
    char *chunk = NULL;
    size_t n;
    int rc;

    memset(&err, 0, sizeof(err));
    rc = parse_csv_new(&csv, map, opt, &err);
    if (rc) {
        fprintf(stderr, "chorus import: --map: %s\n", err.message);
        goto out;
    }
    chunk = malloc(CHUNK);
    if (!chunk)
        abort();
    while (rc == 0) {
        n = fread(chunk, 1, CHUNK, f);
        if (n == 0)
            break;
        im->bytes += n;
        rc = parse_csv_feed(csv, chunk, n, collect, im, &err);
    }
    if (rc == 0)
        rc = parse_csv_finish(csv, collect, im, &err);
    if (rc == CHORUS_EPARSE)
        fprintf(stderr, "chorus import: %s\n", err.message);
out:
    free(chunk);
    parse_csv_free(csv);
    return rc;
}

/* starts_with_bracket peeks past white space: Amazon dumps come both as
 * NDJSON and as one JSON array. */
static bool starts_with_bracket(FILE *f)
{
    int c;

    do
        c = getc(f);
    while (c == ' ' || c == '\t' || c == '\r' || c == '\n');
    if (c != EOF)
        ungetc(c, f);
    return c == '[';
}

int tool_import(int argc, char **argv)
{
    const char *data = NULL, *format = "ndjson", *map = NULL, *status = NULL, *source = NULL;
    const char *path = NULL, *taxonomy = NULL;
    struct text_taxonomy *tax = NULL;
    /* An import keeps an item whose product url is not http(s): the store
     * drops the field and it is counted below (docs/reviews.md, "Who may change the catalogue"). */
    struct parse_options opt = {REVIEW_APPROVED, NULL, true};
    struct import *im = NULL;
    struct stat st;
    FILE *f = NULL;
    char err[512] = "";
    double secs;
    int rc = 2;

    for (int i = 1; i < argc; i++) {
        if (tool_opt(argc, argv, &i, "--data", &data) ||
            tool_opt(argc, argv, &i, "--format", &format) ||
            tool_opt(argc, argv, &i, "--map", &map) ||
            tool_opt(argc, argv, &i, "--status", &status) ||
            tool_opt(argc, argv, &i, "--source", &source) ||
            tool_opt(argc, argv, &i, "--taxonomy", &taxonomy))
            continue;
        if (argv[i][0] == '-' && argv[i][1] != '\0') {
            fprintf(stderr, "chorus import: unknown option %s\n", argv[i]);
            return 2;
        }
        path = argv[i];
    }
    if (!data || !path) {
        fprintf(stderr, "usage: chorus import --data DIR [--format ndjson|json|amazon|csv] "
                        "[--map MAPPING] [--status approved|pending] [--source NAME] FILE|-\n");
        return 2;
    }
    if (status && (review_status_parse(status, &opt.default_status) != 0 ||
                   opt.default_status == REVIEW_REJECTED)) {
        fprintf(stderr, "chorus import: --status must be approved or pending\n");
        return 2;
    }
    opt.default_source = source;
    if (strcmp(format, "csv") == 0 && !map) {
        fprintf(stderr, "chorus import: --format csv needs --map, e.g. "
                        "--map product_id=asins,rating=reviews.rating,body=reviews.text\n");
        return 2;
    }
    f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "chorus import: cannot open %s: %s\n", path, strerror(errno));
        return 1;
    }
    im = calloc(1, sizeof(*im));
    if (!im)
        abort();
    im->fill = batch_new(im);
    if (store_open(&im->store, data, err, sizeof(err)) != 0) {
        fprintf(stderr, "chorus import: %s\n", err);
        rc = 1;
        goto out;
    }
    tax = tool_tagger(im->store, taxonomy);
    if (!tax) {
        rc = 1;
        goto out;
    }
    tool_progress_init(&im->progress, "importing",
                       fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size
                                                                         : 0);
    if (strcmp(format, "ndjson") == 0)
        rc = import_lines(im, f, PARSE_NDJSON, &opt);
    else if (strcmp(format, "amazon") == 0 && starts_with_bracket(f))
        rc = import_json(im, f, PARSE_AMAZON, &opt);
    else if (strcmp(format, "amazon") == 0)
        rc = import_lines(im, f, PARSE_AMAZON, &opt);
    else if (strcmp(format, "json") == 0)
        rc = import_json(im, f, PARSE_JSON, &opt);
    else if (strcmp(format, "csv") == 0)
        rc = import_csv(im, f, map, &opt);
    else {
        fprintf(stderr, "chorus import: --format must be ndjson, json, amazon or csv\n");
        rc = 2;
        goto out;
    }
    if (rc == 0)
        rc = finish(im);
    else
        finish(im);
    tool_progress_end(&im->progress);
    secs = tool_now() - im->progress.start;
    if (im->rejected > SHOW_ERRORS)
        fprintf(stderr, "(%llu more rejected items not shown)\n",
                (unsigned long long)(im->rejected - SHOW_ERRORS));
    fprintf(stderr,
            "imported %llu of %llu items from %s in %.2f s (%.0f reviews/s): %llu created, %llu "
            "updated, %llu rejected\n",
            (unsigned long long)(im->created + im->updated), (unsigned long long)im->items, path,
            secs, secs > 0 ? (double)(im->created + im->updated) / secs : 0.0,
            (unsigned long long)im->created, (unsigned long long)im->updated,
            (unsigned long long)im->rejected);
    if (im->dropped)
        fprintf(stderr,
                "%llu product url or image_url fields were left out: not http:// or https://\n",
                (unsigned long long)im->dropped);
    rc = rc ? 1 : 0;
out:
    if (im) {
        if (im->writer)
            finish(im);
        if (im->fill)
            batch_clear(im->fill);
        free(im->fill);
        free(im->spare);
        store_close(im->store);
        free(im);
    }
    text_taxonomy_free(tax);
    if (f && f != stdin)
        fclose(f);
    return rc;
}
