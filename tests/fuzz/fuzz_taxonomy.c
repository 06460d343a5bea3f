/* Fuzz target: the taxonomy parser, then the matcher and the term bags over
 * whatever parsed.
 *
 * Input layout: the taxonomy document up to the first NUL byte; after it,
 * the review text (its first line the title, the rest the body). Without a
 * NUL the whole input is the document and the text is the document itself,
 * so seeds still exercise the matcher. */
#include "fuzz.h"

#include "chorus/base.h"
#include "chorus/text.h"

#define MATCHES 32

static void check_taxonomy(const struct text_taxonomy *t)
{
    size_t n = text_taxonomy_count(t);

    if (n == 0 || n > TEXT_MAX_COMPONENTS || text_taxonomy_id(t, n) || text_taxonomy_label(t, n))
        abort();
    for (size_t i = 0; i < n; i++) {
        const char *id = text_taxonomy_id(t, i), *label = text_taxonomy_label(t, i);

        if (!id || !label || !id[0] || !label[0] || text_taxonomy_find(t, id) != (int)i)
            abort();
        if (strlen(id) > TEXT_MAX_COMPONENT ||
            strspn(id, "abcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(id))
            abort();
        fuzz_text(label, 100);
    }
}

static void check_matches(const struct text_taxonomy *t, const char *title, const char *body)
{
    struct text_match m[MATCHES];
    char tags[TEXT_TAGS_MAX], small[8];
    size_t n = MATCHES + 1, ntags = 0;

    if (text_components(t, title, body, m, MATCHES, &n) != 0 || n > MATCHES)
        abort();
    for (size_t i = 0; i < n; i++) {
        if (m[i].component >= text_taxonomy_count(t) || m[i].count == 0 || !m[i].phrase)
            abort();
        fuzz_text(m[i].phrase, TEXT_MAX_PHRASE);
        if (i && m[i].component < m[i - 1].component)
            abort(); /* taxonomy order */
    }
    text_components_tags(t, title, body, tags, sizeof(tags));
    fuzz_text(tags, TEXT_TAGS_MAX - 1);
    /* Every component with a match is tagged, and only those. */
    for (size_t i = 0; i < n; i++)
        if (i == 0 || m[i].component != m[i - 1].component)
            ntags++;
    if (n < MATCHES) {
        size_t commas = 0;

        for (const char *p = tags; *p; p++)
            commas += *p == ',';
        if ((ntags == 0) != (tags[0] == '\0') || (ntags && commas + 1 != ntags))
            abort();
    }
    text_components_tags(t, title, body, small, sizeof(small));
    if (strlen(small) >= sizeof(small))
        abort();
}

static void check_terms(const char *title, const char *body)
{
    struct text_terms *fg = text_terms_new(), *bg = text_terms_new();
    struct text_term out[16];
    size_t n = 17;

    text_terms_add(fg, title, body);
    text_terms_add(fg, body, NULL);
    text_terms_add(bg, title, NULL);
    if (text_terms_docs(fg) != 2)
        abort();
    if (text_terms_distinctive(fg, bg, -INFINITY, 0, out, 16, &n) != 0 || n > 16)
        abort();
    for (size_t i = 0; i < n; i++) {
        if (!out[i].term || !out[i].term[0] || out[i].count == 0 || out[i].docs == 0 ||
            out[i].docs > 2 || isnan(out[i].z))
            abort();
        if (i && out[i].z > out[i - 1].z)
            abort();
        fuzz_text(out[i].term, 2 * TEXT_WORD_MAX);
    }
    text_terms_free(fg);
    text_terms_free(bg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct text_taxonomy *t = NULL;
    const char *doc = (const char *)data, *nul = memchr(data, '\0', size);
    size_t dlen = nul ? (size_t)(nul - doc) : size;
    char err[256], *text = NULL, *body;
    int rc;

    err[0] = 'x';
    rc = text_taxonomy_parse(&t, doc, dlen, err, sizeof(err));
    if (rc == CHORUS_EINVAL) {
        if (t || !err[0] || !chorus_utf8_valid(err, strlen(err)))
            abort();
        return 0;
    }
    if (rc != 0 || !t)
        abort();
    check_taxonomy(t);
    /* The text, NUL-terminated as the matcher wants it. */
    if (nul) {
        size_t tlen = size - dlen - 1;

        text = malloc(tlen + 1);
        if (!text)
            abort();
        memcpy(text, nul + 1, tlen);
        text[tlen] = '\0';
    } else {
        text = malloc(dlen + 1);
        if (!text)
            abort();
        memcpy(text, doc, dlen);
        text[dlen] = '\0';
    }
    body = strchr(text, '\n');
    if (body)
        *body++ = '\0';
    check_matches(t, text, body);
    check_terms(text, body);
    free(text);
    text_taxonomy_free(t);
    return 0;
}
