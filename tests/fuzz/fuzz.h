/* Shared by the parser fuzz targets: the libFuzzer entry point and a
 * parse_item_cb that aborts when a parser breaks its contract, so the fuzzer
 * finds logic errors and not only memory errors. */
#ifndef CHORUS_FUZZ_H
#define CHORUS_FUZZ_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"
#include "chorus/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_text checks an optional string the parsers handed out. */
static inline void fuzz_text(const char *s, size_t cap)
{
    size_t n;

    if (!s)
        return;
    n = strlen(s);
    if (n > cap || !chorus_utf8_valid(s, n))
        abort();
}

static inline void fuzz_product(const struct product *p)
{
    if (!p->id || !p->id[0])
        abort();
    fuzz_text(p->id, CHORUS_MAX_PRODUCT_ID);
    fuzz_text(p->name, CHORUS_MAX_NAME);
    fuzz_text(p->brand, CHORUS_MAX_CODE);
    fuzz_text(p->category, CHORUS_MAX_CATEGORY);
    fuzz_text(p->url, CHORUS_MAX_URL);
    fuzz_text(p->image_url, CHORUS_MAX_URL);
    fuzz_text(p->gtin, CHORUS_MAX_CODE);
    fuzz_text(p->mpn, CHORUS_MAX_CODE);
    if (p->category && (p->category[0] == '/' || strstr(p->category, "//")))
        abort();
}

/* fuzz_item_cb checks one delivered item against parse.h and review.h. */
static inline int fuzz_item_cb(void *ctx, size_t index, const struct review *r,
                               const struct product *p, const char *error)
{
    size_t *expect = ctx;

    if (expect && index != (*expect)++)
        abort(); /* items come in order, each index once */
    if ((r == NULL) == (error == NULL))
        abort();
    if (error) {
        if (!error[0] || !chorus_utf8_valid(error, strlen(error)) || p)
            abort();
        return 0;
    }
    if (!r->product_id || !r->product_id[0] || r->rating < 0 || r->rating > 5)
        abort();
    if (r->n_responses > CHORUS_MAX_RESPONSES || (r->n_responses && !r->responses))
        abort();
    if (!isnan(r->sentiment) && (r->sentiment < -1 || r->sentiment > 1))
        abort();
    if (r->rating_scale != 0 && (r->rating_scale <= 1 || r->rating_scale > 100))
        abort();
    fuzz_text(r->product_id, CHORUS_MAX_PRODUCT_ID);
    fuzz_text(r->title, CHORUS_MAX_TITLE);
    fuzz_text(r->body, CHORUS_MAX_BODY);
    fuzz_text(r->author, CHORUS_MAX_AUTHOR);
    fuzz_text(r->author_location, CHORUS_MAX_LOCATION);
    fuzz_text(r->language, CHORUS_MAX_LANGUAGE);
    fuzz_text(r->source, CHORUS_MAX_SOURCE);
    fuzz_text(r->source_id, CHORUS_MAX_SOURCE_ID);
    fuzz_text(r->moderation_reason, CHORUS_MAX_REASON);
    for (size_t i = 0; i < r->n_responses; i++) {
        if (!r->responses[i].body)
            abort();
        fuzz_text(r->responses[i].author, CHORUS_MAX_AUTHOR);
        fuzz_text(r->responses[i].body, CHORUS_MAX_RESPONSE);
    }
    if (p) {
        fuzz_product(p);
        if (strcmp(p->id, r->product_id) != 0)
            abort();
    }
    return 0;
}

/* fuzz_doc_error checks a document-level error. */
static inline void fuzz_doc_error(const struct parse_error *e)
{
    if (!e->message[0] || !chorus_utf8_valid(e->message, strlen(e->message)) ||
        !chorus_utf8_valid(e->field, strlen(e->field)))
        abort();
}

#endif
