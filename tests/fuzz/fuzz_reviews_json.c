/* Fuzz target: parse_reviews in all three formats, and parse_review_line.
 * The first byte picks the format and the entry point; the rest is the body. */
#include "fuzz.h"

#include "chorus/base.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum parse_format fmts[] = {PARSE_JSON, PARSE_NDJSON, PARSE_AMAZON};
    struct parse_options opt = {REVIEW_PENDING, "fuzz", false};
    struct parse_error err;
    const char *body;
    size_t len, n = 0, expect = 0;
    enum parse_format fmt;
    int rc;

    if (size < 1)
        return 0;
    fmt = fmts[data[0] % 3];
    body = (const char *)data + 1;
    len = size - 1;
    memset(&err, 0, sizeof(err));
    if (data[0] & 0x80) {
        /* Line by line, as a streaming import does. */
        size_t start = 0, index = 0;

        for (size_t i = 0; i <= len; i++) {
            if (i < len && body[i] != '\n')
                continue;
            expect = index;
            rc =
                parse_review_line(body + start, i - start, fmt, NULL, index, fuzz_item_cb, &expect);
            if (rc != 0 || expect != index + 1)
                abort();
            index++;
            start = i + 1;
        }
        return 0;
    }
    rc = parse_reviews(body, len, fmt, (data[0] & 0x40) ? &opt : NULL, fuzz_item_cb, &expect, &n,
                       &err);
    if (rc == CHORUS_EPARSE)
        fuzz_doc_error(&err);
    else if (rc != 0 || n == 0)
        abort(); /* items delivered, or a document error: nothing else */
    if (n != expect)
        abort();
    return 0;
}
