/* A parse_item_cb that keeps copies of everything a parser delivers, for the
 * parser unit tests, and checks the callback contract on every call. */
#ifndef CHORUS_TEST_COLLECT_H
#define CHORUS_TEST_COLLECT_H

#include <stddef.h>

#include "chorus/parse.h"

struct got {
    size_t index;
    struct review *r;  /* review_dup copy, or NULL */
    struct product *p; /* product_dup copy, or NULL */
    char *error;       /* strdup copy, or NULL */
};

struct collect {
    struct got *items;
    size_t n, alloc;
    size_t stop_after; /* return 7 from the callback after this many; 0 = never */
};

/* collect_cb checks that exactly one of r and error is set, that p comes only
 * with r and has r's product id, that error is valid UTF-8 text, and keeps
 * copies. */
int collect_cb(void *ctx, size_t index, const struct review *r, const struct product *p,
               const char *error);
void collect_free(struct collect *c);

/* parse_text runs parse_reviews over a NUL-terminated text into c. */
int parse_text(struct collect *c, enum parse_format fmt, const char *text,
               const struct parse_options *opt, struct parse_error *err);

/* collect_one_error checks that c holds exactly one item and that one
 * rejected (text names the input when it is not), frees c and returns the
 * rejection's sentence (a static copy, valid until the next call). */
const char *collect_one_error(struct collect *c, const char *text);
/* one_error parses text, which must give exactly one item and that one
 * rejected, and returns its sentence (collect_one_error). */
const char *one_error(enum parse_format fmt, const char *text);
/* one_review parses text, which must give exactly one accepted item, into c
 * and returns it (owned by c). */
const struct review *one_review(struct collect *c, enum parse_format fmt, const char *text);

/* repeat returns a heap string of n copies of c (caller frees). */
char *repeat(char c, size_t n);

#endif
