/* Fuzz target: the version finder (text_versions). The input's first line
 * is the title, the rest the body. Checks the contract of text.h: at most
 * TEXT_VERSIONS_MAX distinct versions, each "<component> <number>" in the
 * normalised form, and a smaller buffer gets whole versions only. */
#include "fuzz.h"

#include "chorus/base.h"
#include "chorus/text.h"

static const char *const names[] = {"BIOS ", "UEFI ", "firmware ", "driver "};

static void check_one(const char *v, size_t n)
{
    size_t k = 0;

    while (k < sizeof(names) / sizeof(names[0]) && strncmp(v, names[k], strlen(names[k])) != 0)
        k++;
    if (k == sizeof(names) / sizeof(names[0]) || n >= TEXT_VERSION_MAX || n == strlen(names[k]))
        abort();
    for (size_t i = strlen(names[k]); i < n; i++)
        if (!((v[i] >= '0' && v[i] <= '9') || v[i] == '.' || (v[i] >= 'A' && v[i] <= 'Z')))
            abort();
}

static size_t check_list(const char *out, size_t cap)
{
    size_t count = 0, len = strlen(out);

    if (len >= cap)
        abort();
    for (const char *p = out; *p;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);

        check_one(p, n);
        /* distinct */
        for (const char *q = out; q < p;) {
            const char *qe = strchr(q, ',');
            size_t qn = (size_t)(qe - q);

            if (qn == n && memcmp(q, p, n) == 0)
                abort();
            q = qe + 1;
        }
        count++;
        p += n + (e ? 1 : 0);
        if (e && !*p)
            abort(); /* no trailing comma */
    }
    if (count > TEXT_VERSIONS_MAX)
        abort();
    return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1), *body;
    char out[TEXT_VERSIONS_BUF], small[24];

    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';
    body = strchr(text, '\n');
    if (body)
        *body++ = '\0';
    text_versions(text, body, out, sizeof(out));
    check_list(out, sizeof(out));
    /* A smaller buffer holds a prefix of the whole list, cut between
     * versions. */
    text_versions(text, body, small, sizeof(small));
    check_list(small, sizeof(small));
    if (strncmp(out, small, strlen(small)) != 0 ||
        (small[0] && out[strlen(small)] != '\0' && out[strlen(small)] != ','))
        abort();
    free(text);
    return 0;
}
