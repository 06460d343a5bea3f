/* Fuzz target: the streaming CSV reader.
 *
 * Input layout: byte 0 picks a mapping (or, with its top bit set, takes the
 * mapping from the input up to the first newline, fuzzing the mapping
 * parser); byte 1 seeds the chunk sizes, so records, quotes and CRLFs are
 * split at fuzzer-chosen points. */
#include "fuzz.h"

#include "chorus/base.h"

static const char *const mappings[] = {
    "product_id=a,rating=b,title=c,body=d",
    "product_id=a,rating=b,rating_scale=c,verified=d,created_at=e,helpful=f,not_helpful=g",
    "product_id=a,author=b,author_location=c,language=d,source=e,source_id=f",
    ("product_id=a,product_name=b,product_brand=c,product_category=d,product_url=e,"
     "product_image_url=f,product_gtin=g,product_mpn=h"),
    "product_id=\"a,b\",title=\"c\"\"d\"",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct parse_csv *p = NULL;
    struct parse_error err;
    char mapping[512];
    const char *body;
    size_t len, i, expect = 0;
    unsigned seed;
    int rc;

    if (size < 2)
        return 0;
    seed = data[1];
    body = (const char *)data + 2;
    len = size - 2;
    if (data[0] & 0x80) {
        const char *nl = memchr(body, '\n', len);
        size_t mlen = nl ? (size_t)(nl - body) : len;

        if (mlen >= sizeof(mapping))
            return 0;
        memcpy(mapping, body, mlen);
        mapping[mlen] = '\0';
        body += nl ? mlen + 1 : mlen;
        len -= nl ? mlen + 1 : mlen;
    } else {
        size_t k = data[0] % (sizeof(mappings) / sizeof(mappings[0]));
        memcpy(mapping, mappings[k], strlen(mappings[k]) + 1);
    }
    memset(&err, 0, sizeof(err));
    rc = parse_csv_new(&p, mapping, NULL, &err);
    if (rc) {
        if (rc != CHORUS_EINVAL || p)
            abort();
        fuzz_doc_error(&err);
        return 0;
    }
    for (i = 0, rc = 0; i < len && rc == 0;) {
        size_t chunk = 1 + seed % 37;

        seed = seed * 1103515245u + 12345u;
        if (chunk > len - i)
            chunk = len - i;
        rc = parse_csv_feed(p, body + i, chunk, fuzz_item_cb, &expect, &err);
        i += chunk;
    }
    if (rc == 0)
        rc = parse_csv_finish(p, fuzz_item_cb, &expect, &err);
    if (rc == CHORUS_EPARSE)
        fuzz_doc_error(&err);
    else if (rc != 0)
        abort();
    parse_csv_free(p);
    return 0;
}
