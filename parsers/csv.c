/* A streaming RFC 4180 CSV reader: bytes in any chunks -> records -> reviews.
 *
 * The reader is a small state machine that survives any split of its input,
 * including inside a quoted field or between CR and LF, so callers can feed
 * it straight from read(2). A record is gathered into one capped buffer, each
 * cell followed by a NUL so the cells can be handed out as C strings without
 * copying. Runs of ordinary bytes are appended in one go (memchr for quoted
 * text), which keeps the per-byte work to a comparison or two.
 *
 * Robustness: a record over CSV_MAX_RECORD is read to its end (the quote
 * state is still tracked, so the reader resynchronises at the true next
 * record) and reported as an item error; so are records with the wrong number
 * of fields. Leniencies, all common in real exports: LF or CRLF line ends, a
 * UTF-8 byte order mark before the header, blank lines, and a quote inside an
 * unquoted field (6" screen) taken literally.
 */
#include "chorus/parse.h"

#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"
#include "parse_int.h"

#define CSV_MAX_RECORD  (1u << 20) /* bytes of one record, cells and NULs */
#define CSV_MAX_COLUMNS 1024

enum csv_state {
    S_START = 0, /* before a cell, or right before the delimiter that ends one */
    S_PLAIN,     /* inside an unquoted cell */
    S_QUOTED,    /* inside a quoted cell */
    S_QUOTE,     /* a quote inside a quoted cell: "" or the closing quote */
    S_CR,        /* a record ended with CR; swallow an LF right after it */
};

struct parse_csv {
    struct parse__csv_map map;
    struct parse_options opt;
    char *source;              /* owned copy of opt->default_source */
    struct buf rec;            /* the current record, capped at CSV_MAX_RECORD */
    struct parse__cell *cells; /* CSV_MAX_COLUMNS cells of the current record */
    size_t n_cells;            /* cells seen, may exceed CSV_MAX_COLUMNS */
    size_t cell_start;         /* offset in rec where the current cell begins */
    size_t ncols;              /* cells in the header; 0 until it is read */
    enum csv_state state;
    bool header_done;
    bool quoted;              /* the record had a quoted cell (so it is not blank) */
    bool oversize;            /* the record outgrew CSV_MAX_RECORD: skip it */
    bool bad_quote;           /* text after a closing quote */
    bool open_quote;          /* the input ended inside a quoted cell */
    int stopped;              /* a document error or the callback's stop, returned again */
    struct parse_error saved; /* the document error, for later calls */
    size_t line;              /* current physical line, 1-based */
    size_t rec_line;          /* line on which the current record began */
    size_t index;             /* index of the next item */
    struct parse__item it;
    char msg[PARSE__ERR_MAX + 32]; /* "Line N: " + the item's sentence */
};

int parse_csv_new(struct parse_csv **out, const char *mapping, const struct parse_options *opt,
                  struct parse_error *err)
{
    struct parse_csv *p = NULL;
    int rc;

    *out = NULL;
    p = calloc(1, sizeof(*p));
    if (!p)
        abort();
    rc = parse__csv_map_parse(&p->map, mapping, err);
    if (rc)
        goto out;
    p->opt.default_status = opt ? opt->default_status : REVIEW_APPROVED;
    if (opt && opt->default_source) {
        /* Copied, so the caller's options need not outlive the reader. */
        p->source = strdup(opt->default_source);
        if (!p->source)
            abort();
        p->opt.default_source = p->source;
    }
    p->cells = calloc(CSV_MAX_COLUMNS, sizeof(*p->cells));
    if (!p->cells)
        abort();
    buf_init(&p->rec, CSV_MAX_RECORD);
    p->line = p->rec_line = 1;
    *out = p;
    p = NULL;
out:
    parse_csv_free(p);
    return rc;
}

void parse_csv_free(struct parse_csv *p)
{
    if (!p)
        return;
    buf_cleanup(&p->rec);
    free(p->cells);
    free(p->source);
    parse__csv_map_cleanup(&p->map);
    free(p);
}

/* ---- records ---------------------------------------------------------------------- */

static void append(struct parse_csv *p, const char *s, size_t n)
{
    if (n && !p->oversize && buf_append(&p->rec, s, n) != 0)
        p->oversize = true;
}

static void end_cell(struct parse_csv *p)
{
    if (!p->oversize && buf_putc(&p->rec, '\0') != 0)
        p->oversize = true;
    if (!p->oversize && p->n_cells < CSV_MAX_COLUMNS) {
        p->cells[p->n_cells].off = p->cell_start;
        p->cells[p->n_cells].len = p->rec.len - 1 - p->cell_start;
    }
    p->n_cells++;
    p->cell_start = p->rec.len;
}

static int header(struct parse_csv *p)
{
    struct parse_error *e = &p->saved;
    struct parse__cell *first = &p->cells[0];

    if (p->oversize || p->open_quote || p->bad_quote) {
        parse__doc_error(e, p->rec_line, 0, NULL, "%s",
                         p->oversize ? "The header row is over 1 MiB; is this a CSV file?"
                         : p->open_quote
                             ? "The file ends inside a quoted column name of the header row."
                             : "The header row has text after a closing quote.");
        return CHORUS_EPARSE;
    }
    if (p->n_cells > CSV_MAX_COLUMNS) {
        parse__doc_error(e, p->rec_line, 0, NULL, "The header has %zu columns; the limit is %d.",
                         p->n_cells, CSV_MAX_COLUMNS);
        return CHORUS_EPARSE;
    }
    /* Spreadsheet programs start UTF-8 exports with a byte order mark, which
     * would otherwise become part of the first column's name. */
    if (first->len >= 3 && memcmp(p->rec.data + first->off, "\xEF\xBB\xBF", 3) == 0) {
        first->off += 3;
        first->len -= 3;
    }
    if (parse__csv_map_header(&p->map, p->rec.data, p->cells, p->n_cells, e) != 0)
        return CHORUS_EPARSE;
    p->ncols = p->n_cells;
    p->header_done = true;
    return 0;
}

static int row(struct parse_csv *p, parse_item_cb cb, void *ctx)
{
    struct parse__item *it = &p->it;
    size_t index = p->index++;
    int rc;

    parse__item_begin(it, &p->opt, it->now);
    if (p->oversize)
        rc = parse__fail(it->err, "the record is over 1 MiB; it was skipped.");
    else if (p->open_quote)
        rc = parse__fail(it->err, "the file ends inside a quoted field; a closing quote is "
                                  "missing.");
    else if (p->bad_quote)
        rc = parse__fail(it->err, "a quoted field has text after its closing quote; inside a "
                                  "quoted field write a quote as two (\"\").");
    else if (p->n_cells != p->ncols)
        rc = parse__fail(it->err,
                         "the record has %zu fields but the header has %zu; quote fields that "
                         "hold commas, quotes or line breaks.",
                         p->n_cells, p->ncols);
    else
        rc = parse__csv_map_row(&p->map, it, p->rec.data, p->cells);
    if (rc == 0)
        rc = parse__item_finish(it);
    if (rc == 0)
        return cb(ctx, index, &it->r, it->has_product ? &it->p : NULL, NULL);
    parse__fmt(p->msg, sizeof(p->msg), "Line %zu: %s", p->rec_line, it->err);
    return cb(ctx, index, NULL, NULL, p->msg);
}

static int end_record(struct parse_csv *p, parse_item_cb cb, void *ctx)
{
    int rc = 0;

    end_cell(p);
    if (p->n_cells == 1 && !p->oversize && p->cells[0].len == 0 && !p->quoted && !p->open_quote) {
        /* A blank line: not a record. */
    } else if (!p->header_done) {
        rc = header(p);
    } else {
        rc = row(p, cb, ctx);
    }
    buf_reset(&p->rec);
    p->n_cells = 0;
    p->cell_start = 0;
    p->quoted = p->oversize = p->bad_quote = p->open_quote = false;
    p->rec_line = p->line;
    return rc;
}

/* stop makes rc sticky: a document error or a stop request ends the reader. */
static int stop(struct parse_csv *p, int rc, struct parse_error *err)
{
    if (rc) {
        p->stopped = rc;
        if (rc == CHORUS_EPARSE && err)
            *err = p->saved;
    }
    return rc;
}

static size_t count_lines(const char *s, size_t n)
{
    size_t k = 0;
    const char *end = s + n;

    while (s < end) {
        s = memchr(s, '\n', (size_t)(end - s));
        if (!s)
            break;
        k++;
        s++;
    }
    return k;
}

int parse_csv_feed(struct parse_csv *p, const char *data, size_t len, parse_item_cb cb, void *ctx,
                   struct parse_error *err)
{
    size_t i = 0, j;
    const char *q;
    int rc = 0;

    if (p->stopped)
        return stop(p, p->stopped, err);
    p->it.now = chorus_now();
    while (i < len && rc == 0) {
        char c = data[i];

        switch (p->state) {
        case S_CR:
            p->state = S_START;
            if (c == '\n')
                i++;
            break;
        case S_START:
            if (c == '"') {
                p->state = S_QUOTED;
                p->quoted = true;
                i++;
            } else if (c == ',') {
                end_cell(p);
                i++;
            } else if (c == '\r' || c == '\n') {
                p->line++;
                rc = end_record(p, cb, ctx);
                p->state = c == '\r' ? S_CR : S_START;
                i++;
            } else {
                p->state = S_PLAIN;
            }
            break;
        case S_PLAIN:
            for (j = i; j < len && data[j] != ',' && data[j] != '\r' && data[j] != '\n'; j++)
                ;
            append(p, data + i, j - i);
            i = j;
            if (j < len)
                p->state = S_START; /* which ends the cell at data[j] */
            break;
        case S_QUOTED:
            q = memchr(data + i, '"', len - i);
            j = q ? (size_t)(q - data) : len;
            p->line += count_lines(data + i, j - i);
            append(p, data + i, j - i);
            i = q ? j + 1 : len;
            if (q)
                p->state = S_QUOTE;
            break;
        case S_QUOTE:
            if (c == '"') {
                append(p, "\"", 1);
                p->state = S_QUOTED;
                i++;
            } else if (c == ',' || c == '\r' || c == '\n') {
                p->state = S_START;
            } else {
                /* "abc"def: read on as plain text, but reject the record. */
                p->bad_quote = true;
                p->state = S_PLAIN;
            }
            break;
        }
    }
    return stop(p, rc, err);
}

int parse_csv_finish(struct parse_csv *p, parse_item_cb cb, void *ctx, struct parse_error *err)
{
    int rc = 0;

    if (p->stopped)
        return stop(p, p->stopped, err);
    p->it.now = chorus_now();
    if (p->state == S_QUOTED)
        p->open_quote = true;
    /* A last record without a line end is pending unless nothing of it has
     * been read. */
    if (!((p->state == S_START || p->state == S_CR) && p->n_cells == 0))
        rc = end_record(p, cb, ctx);
    p->state = S_START;
    if (rc == 0 && !p->header_done) {
        parse__doc_error(&p->saved, 0, 0, NULL,
                         "The CSV file is empty: it needs a header row naming its columns.");
        rc = CHORUS_EPARSE;
    }
    return stop(p, rc, err);
}
