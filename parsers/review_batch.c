/* parse_reviews and parse_review_line: batches of reviews as one JSON
 * document (an object or an array) or as NDJSON, in the Chorus fields or
 * the Amazon dump's.
 *
 * A batch is a list of items, each accepted or rejected on its own: a bad
 * item never sinks its neighbours. Only a body that cannot be read as a
 * batch at all (not JSON, not an object or array, empty) is a document
 * error. NDJSON lines are parsed one at a time so memory stays at one line's
 * tree however long the import is.
 */
#include "chorus/parse.h"

#include <string.h>

#include "chorus/base.h"
#include "parse_int.h"

struct run {
    const struct parse_options *opt;
    enum parse_format fmt;
    parse_item_cb cb;
    void *ctx;
    size_t n; /* items delivered */
    struct parse__item it;
    char msg[PARSE__ERR_MAX];
};

static void run_init(struct run *run, enum parse_format fmt, const struct parse_options *opt,
                     parse_item_cb cb, void *ctx)
{
    run->opt = opt;
    run->fmt = fmt;
    run->cb = cb;
    run->ctx = ctx;
    run->n = 0;
    /* One clock read per batch: the default created_at of every item. */
    run->it.now = chorus_now();
}

/* deliver checks one JSON value (borrowed) as a review and hands the result
 * to the callback. Returns the callback's value. */
static int deliver(struct run *run, size_t index, json_t *v)
{
    struct parse__item *it = &run->it;
    int rc;

    parse__item_begin(it, run->opt, it->now);
    if (!json_is_object(v))
        rc = parse__fail(it->err, "The item is %s, not a review object.", parse__json_type(v));
    else if (run->fmt == PARSE_AMAZON)
        rc = parse__amazon_json(it, v);
    else
        rc = parse__review_json(it, v);
    if (rc == 0)
        rc = parse__item_finish(it);
    run->n++;
    if (rc == 0)
        return run->cb(run->ctx, index, &it->r, it->has_product ? &it->p : NULL, NULL);
    return run->cb(run->ctx, index, NULL, NULL, it->err);
}

/* deliver_line parses one NDJSON line; lineno 0 = unknown. */
static int deliver_line(struct run *run, size_t index, const char *line, size_t len, size_t lineno)
{
    json_error_t jerr;
    json_t *v = NULL;
    char text[160];
    int rc;

    v = parse__json_load(line, len, &jerr);
    if (!v) {
        parse__clean(text, sizeof(text), jerr.text, strlen(jerr.text));
        if (lineno)
            parse__fmt(run->msg, sizeof(run->msg), "Line %zu is not valid JSON: %s (column %d).",
                       lineno, text, jerr.column);
        else
            parse__fmt(run->msg, sizeof(run->msg), "The line is not valid JSON: %s (column %d).",
                       text, jerr.column);
        run->n++;
        rc = run->cb(run->ctx, index, NULL, NULL, run->msg);
        goto out;
    }
    rc = deliver(run, index, v);
out:
    json_decref(v);
    return rc;
}

/* skip_bom drops a UTF-8 byte order mark, which Windows editors put at the
 * start of saved files and which JSON does not allow. */
static void skip_bom(const char **s, size_t *n)
{
    if (*n >= 3 && memcmp(*s, "\xEF\xBB\xBF", 3) == 0) {
        *s += 3;
        *n -= 3;
    }
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return false;
    return true;
}

static int parse_lines(struct run *run, const char *data, size_t len, struct parse_error *err)
{
    const char *p = data, *end = data + len;
    size_t lineno = 0, index = 0;
    int rc = 0;

    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;

        lineno++;
        if (!blank(p, (size_t)(stop - p))) {
            rc = deliver_line(run, index++, p, (size_t)(stop - p), lineno);
            if (rc)
                return rc;
        }
        p = nl ? nl + 1 : end;
    }
    if (index == 0) {
        parse__doc_error(err, 0, 0, NULL,
                         "The body holds no review: send one JSON review object per line.");
        return CHORUS_EPARSE;
    }
    return 0;
}

static int parse_document(struct run *run, const char *data, size_t len, struct parse_error *err)
{
    json_error_t jerr;
    json_t *root = NULL;
    char text[160];
    size_t n;
    int rc = 0;

    root = parse__json_load(data, len, &jerr);
    if (!root) {
        parse__clean(text, sizeof(text), jerr.text, strlen(jerr.text));
        /* Several objects one after another is NDJSON sent as JSON. */
        parse__doc_error(err, (size_t)jerr.line, (size_t)jerr.column, NULL,
                         "The body is not valid JSON: %s%s", text,
                         strncmp(jerr.text, "end of file expected", 20) == 0
                             ? "; for one review per line send NDJSON (application/x-ndjson)."
                             : ".");
        rc = CHORUS_EPARSE;
        goto out;
    }
    if (json_is_object(root)) {
        rc = deliver(run, 0, root);
        goto out;
    }
    if (!json_is_array(root)) {
        parse__doc_error(err, 0, 0, NULL,
                         "The body must be a review object or an array of them (got %s).",
                         parse__json_type(root));
        rc = CHORUS_EPARSE;
        goto out;
    }
    n = json_array_size(root);
    if (n == 0) {
        parse__doc_error(err, 0, 0, NULL, "The array is empty; send at least one review.");
        rc = CHORUS_EPARSE;
        goto out;
    }
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = deliver(run, i, json_array_get(root, i));
out:
    json_decref(root);
    return rc;
}

int parse_reviews(const char *data, size_t len, enum parse_format fmt,
                  const struct parse_options *opt, parse_item_cb cb, void *ctx, size_t *n_items,
                  struct parse_error *err)
{
    struct run run;
    size_t i = 0;
    int rc;

    run_init(&run, fmt, opt, cb, ctx);
    skip_bom(&data, &len);
    while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
        i++;
    if (i == len) {
        parse__doc_error(err, 0, 0, NULL,
                         "The body is empty; send a review object, an array of them, or NDJSON "
                         "with one per line.");
        rc = CHORUS_EPARSE;
    } else if (fmt == PARSE_NDJSON || (fmt == PARSE_AMAZON && data[i] != '[')) {
        rc = parse_lines(&run, data, len, err);
    } else {
        rc = parse_document(&run, data, len, err);
    }
    if (n_items)
        *n_items = run.n;
    return rc;
}

int parse_review_line(const char *line, size_t len, enum parse_format fmt,
                      const struct parse_options *opt, size_t index, parse_item_cb cb, void *ctx)
{
    struct run run;

    run_init(&run, fmt, opt, cb, ctx);
    skip_bom(&line, &len);
    if (blank(line, len)) {
        parse__fmt(run.msg, sizeof(run.msg), "The line is blank; it holds no review.");
        return cb(ctx, index, NULL, NULL, run.msg);
    }
    return deliver_line(&run, index, line, len, 0);
}
