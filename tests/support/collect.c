/* Test helper: see collect.h. */
#include "collect.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "chorus/base.h"

int collect_cb(void *ctx, size_t index, const struct review *r, const struct product *p,
               const char *error)
{
    struct collect *c = ctx;
    struct got *g;

    assert_true((r == NULL) != (error == NULL));
    if (p) {
        assert_non_null(r);
        assert_non_null(p->id);
        assert_string_equal(p->id, r->product_id);
    }
    if (error) {
        assert_true(error[0] != '\0');
        assert_true(chorus_utf8_valid(error, strlen(error)));
    }
    if (r) {
        assert_non_null(r->product_id);
        assert_true(r->rating >= 0 && r->rating <= 5);
    }
    if (c->n == c->alloc) {
        c->alloc = c->alloc ? c->alloc * 2 : 16;
        c->items = realloc(c->items, c->alloc * sizeof(*c->items));
        assert_non_null(c->items);
    }
    g = &c->items[c->n++];
    g->index = index;
    g->r = r ? review_dup(r) : NULL;
    g->p = p ? product_dup(p) : NULL;
    g->error = error ? strdup(error) : NULL;
    if (c->stop_after && c->n >= c->stop_after)
        return 7;
    return 0;
}

void collect_free(struct collect *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->items[i].r);
        free(c->items[i].p);
        free(c->items[i].error);
    }
    free(c->items);
    memset(c, 0, sizeof(*c));
}

int parse_text(struct collect *c, enum parse_format fmt, const char *text,
               const struct parse_options *opt, struct parse_error *err)
{
    size_t n = 99;
    int rc = parse_reviews(text, strlen(text), fmt, opt, collect_cb, c, &n, err);

    assert_int_equal(n, c->n);
    return rc;
}

const char *collect_one_error(struct collect *c, const char *text)
{
    static char copy[512];

    assert_int_equal(c->n, 1);
    if (!c->items[0].error)
        fail_msg("expected an error for %s", text);
    snprintf(copy, sizeof(copy), "%s", c->items[0].error);
    collect_free(c);
    return copy;
}

const char *one_error(enum parse_format fmt, const char *text)
{
    struct collect c = {0};

    assert_int_equal(parse_text(&c, fmt, text, NULL, NULL), 0);
    return collect_one_error(&c, text);
}

const struct review *one_review(struct collect *c, enum parse_format fmt, const char *text)
{
    assert_int_equal(parse_text(c, fmt, text, NULL, NULL), 0);
    assert_int_equal(c->n, 1);
    if (c->items[0].error)
        fail_msg("unexpected error: %s", c->items[0].error);
    return c->items[0].r;
}

char *repeat(char ch, size_t n)
{
    char *s = malloc(n + 1);

    assert_non_null(s);
    memset(s, ch, n);
    s[n] = '\0';
    return s;
}
