/* Fuzz target: the small request bodies. Byte 0 picks the parser (and, for
 * products, whether the id comes from the URL). */
#include "fuzz.h"

#include "chorus/base.h"

#define STORE_TOKEN_NAME_FUZZ 200 /* the server's cap on a token's name */

static void check_rc(int rc, const struct parse_error *err)
{
    if (rc == CHORUS_EINVAL || rc == CHORUS_EPARSE)
        fuzz_doc_error(err);
    else if (rc != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct parse_error err;
    struct product *prod = NULL;
    enum review_status status;
    char reason[CHORUS_MAX_REASON + 1], small[16];
    char *author = NULL, *body_out = NULL;
    const char *body;
    size_t len;
    bool helpful;
    int rc;

    if (size < 1)
        return 0;
    body = (const char *)data + 1;
    len = size - 1;
    memset(&err, 0, sizeof(err));
    /* 0xff: a digest reader token request (added after the seeds of the
     * other parsers, whose first bytes keep their meaning). */
    if (data[0] == 0xff) {
        char name[STORE_TOKEN_NAME_FUZZ + 1];

        rc = parse_token_request(body, len, name, sizeof(name), &err);
        check_rc(rc, &err);
        if (rc == 0 && (!name[0] || strlen(name) > STORE_TOKEN_NAME_FUZZ))
            abort();
        return 0;
    }
    /* 0xfe: a pulled source (POST /api/v1/sources). */
    if (data[0] == 0xfe) {
        struct source_config *src = NULL;

        rc = parse_source(body, len, 1, &src, &err);
        check_rc(rc, &err);
        if ((rc == 0) != (src != NULL))
            abort();
        if (src && (!src->url || !src->headers || src->interval < 1 ||
                    src->interval > SOURCE_INTERVAL_MAX || (src->product_id && src->product_map)))
            abort();
        free(src);
        return 0;
    }
    /* 0xfd: a known issue (POST /api/v1/known-issues, PATCH). */
    if (data[0] == 0xfd) {
        struct parse_issue is;

        rc = parse_issue(body, len, &is, &err);
        check_rc(rc, &err);
        if (is.n_phrases > PARSE_ISSUE_PHRASES)
            abort();
        for (size_t i = 0; i < is.n_phrases; i++)
            if (!is.phrases[i])
                abort();
        parse_issue_cleanup(&is);
        return 0;
    }
    /* 0xfc: a product's releases (PUT /api/v1/products/{id}/releases),
     * under small caps so the fuzzer reaches them. */
    if (data[0] == 0xfc) {
        const struct parse_release_caps caps = {.max_count = 4, .max_version = 16, .max_notes = 32};
        struct product_release *rel = NULL;
        size_t n = 99;

        rc = parse_releases(body, len, &caps, &rel, &n, &err);
        check_rc(rc, &err);
        if ((rc == 0) != (rel != NULL) || (rc != 0 && n != 0) || n > caps.max_count)
            abort();
        for (size_t i = 0; i < n; i++) {
            if (!rel[i].version || !rel[i].version[0] || rel[i].released_at == 0)
                abort();
            fuzz_text(rel[i].version, caps.max_version);
            fuzz_text(rel[i].notes, caps.max_notes);
            for (size_t j = 0; j < i; j++)
                if (strcmp(rel[i].version, rel[j].version) == 0)
                    abort();
        }
        free(rel);
        return 0;
    }
    switch (data[0] % 6) {
    case 0:
    case 1:
        rc = parse_product(body, len, data[0] % 6 ? "sku-1" : NULL, &prod, &err);
        check_rc(rc, &err);
        if ((rc == 0) != (prod != NULL))
            abort();
        if (prod) {
            fuzz_product(prod);
            if (data[0] % 6 && strcmp(prod->id, "sku-1") != 0)
                abort();
        }
        free(prod);
        break;
    case 2:
        rc = parse_moderation(body, len, &status, reason, sizeof(reason), &err);
        check_rc(rc, &err);
        if (rc == 0)
            fuzz_text(reason, CHORUS_MAX_REASON);
        break;
    case 3:
        rc = parse_moderation(body, len, &status, small, sizeof(small), &err);
        check_rc(rc, &err);
        if (rc == 0)
            fuzz_text(small, sizeof(small) - 1);
        break;
    case 4:
        rc = parse_response(body, len, &author, &body_out, &err);
        check_rc(rc, &err);
        if ((rc == 0) != (author != NULL && body_out != NULL))
            abort();
        if (rc == 0) {
            fuzz_text(author, CHORUS_MAX_AUTHOR);
            fuzz_text(body_out, CHORUS_MAX_RESPONSE);
            if (!body_out[0])
                abort();
        }
        free(author);
        free(body_out);
        break;
    default:
        rc = parse_vote(body, len, &helpful, &err);
        check_rc(rc, &err);
        break;
    }
    return 0;
}
