/* Seed data over the HTTP API (seed.h). */
#include "seed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* dump serialises o compactly and drops the reference (stolen); caller
 * frees the text. */
static char *dump(json_t *o)
{
    char *s = json_dumps(o, JSON_COMPACT);

    json_decref(o);
    assert_non_null(s);
    return s;
}

void seed__product(struct chorusd *d, const char *id, const char *body, const char *file, int line)
{
    char enc[1024];
    struct hresp *r;

    h_pct_encode(id, enc, sizeof(enc));
    r = h_put_json(d, h_fmt("/api/v1/products/%s", enc), body);
    if (r->status != 200 && r->status != 201)
        h__expect_status(r, 201, file, line);
    hresp_free(r);
}

void seed__product_obj(struct chorusd *d, const char *id, json_t *o, const char *file, int line)
{
    char *s = dump(o);

    seed__product(d, id, s, file, line);
    free(s);
}

uint64_t seed__review(struct chorusd *d, json_t *o, const char *file, int line)
{
    char *s = dump(o);
    uint64_t id = h__post_review(d, s, file, line);

    free(s);
    return id;
}

void seed__reviews(struct chorusd *d, json_t *arr, uint64_t *ids, const char *file, int line)
{
    size_t n = json_array_size(arr);
    char *s = dump(arr);

    seed__reviews_json(d, s, n, ids, file, line);
    free(s);
}

void seed__reviews_json(struct chorusd *d, const char *body, size_t n, uint64_t *ids,
                        const char *file, int line)
{
    struct hresp *r = h_post_json(d, "/api/v1/reviews", body);

    h__expect_status(r, 201, file, line);
    h__expect_jint(r->json, "accepted", (long long)n, file, line);
    h__expect_jint(r->json, "rejected", 0, file, line);
    for (size_t i = 0; ids && i < n; i++) {
        json_t *id = jpath(r->json, h_fmt("results[%zu].id", i));

        if (!json_is_integer(id)) {
            print_error("item %zu of the batch has no id\n", i);
            _fail(file, line);
        }
        ids[i] = (uint64_t)json_integer_value(id);
    }
    hresp_free(r);
}
