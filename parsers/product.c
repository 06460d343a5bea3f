/* Product fields and their rules: the product object of PUT /products/{id},
 * the "product" object inside a review, and the product_* CSV columns.
 *
 * These fields go out in the Google Product Reviews feed, product pages and
 * category URLs, so they are held to what those need: no control characters,
 * http(s) URLs, GTINs with a correct check digit, category paths without
 * empty segments.
 */
#include "parse_int.h"

#include <string.h>

#include "chorus/base.h"

struct pf_info {
    const char *name;
    size_t len;
    size_t cap;
    unsigned flags;
};

/* Every product field is a single line of text: NOCTL throughout. */
static const struct pf_info pf_table[PF__COUNT] = {
    [PF_ID] = {"id", 2, CHORUS_MAX_PRODUCT_ID, PARSE__NOCTL | PARSE__NONEMPTY},
    [PF_NAME] = {"name", 4, CHORUS_MAX_NAME, PARSE__NOCTL},
    [PF_BRAND] = {"brand", 5, CHORUS_MAX_CODE, PARSE__NOCTL},
    [PF_CATEGORY] = {"category", 8, CHORUS_MAX_CATEGORY, PARSE__NOCTL},
    [PF_URL] = {"url", 3, CHORUS_MAX_URL, PARSE__NOCTL},
    [PF_IMAGE_URL] = {"image_url", 9, CHORUS_MAX_URL, PARSE__NOCTL},
    [PF_GTIN] = {"gtin", 4, CHORUS_MAX_CODE, PARSE__NOCTL},
    [PF_MPN] = {"mpn", 3, CHORUS_MAX_CODE, PARSE__NOCTL},
};

int parse__pf_lookup(const char *name, size_t n)
{
    for (int f = 0; f < PF__COUNT; f++)
        if (pf_table[f].len == n && memcmp(pf_table[f].name, name, n) == 0)
            return f;
    return -1;
}

const char *parse__pf_name(enum parse__pf f)
{
    return pf_table[f].name;
}

/* category_norm writes the path s[0..n) to out (CHORUS_MAX_CATEGORY + 1
 * bytes; n is already within the cap and the result is never longer) with
 * blanks around segments and slashes at either end removed: " Laptops /
 * Inspiron/" becomes "Laptops/Inspiron". Case is kept: it is shown to people.
 * An empty segment in the middle ("a//b") is an error, since the paths are
 * matched by prefix and "a//b" would be a category nobody can name. */
static int category_norm(char *out, const char *label, const char *s, size_t n, char *err)
{
    size_t i = 0, o = 0;
    bool gap = false; /* an empty segment after a non-empty one */
    char q[PARSE__QUOTE];

    while (i <= n) {
        size_t start = i, end;

        while (i < n && s[i] != '/')
            i++;
        end = i;
        while (start < end && (s[start] == ' ' || s[start] == '\t'))
            start++;
        while (end > start && (s[end - 1] == ' ' || s[end - 1] == '\t'))
            end--;
        if (end == start) {
            if (o > 0)
                gap = true;
        } else {
            if (gap)
                return parse__fail(err,
                                   "%s \"%s\" has an empty segment between slashes; write it "
                                   "as \"a/b\".",
                                   label, parse__quote(q, s, n));
            if (o > 0)
                out[o++] = '/';
            memcpy(out + o, s + start, end - start);
            o += end - start;
        }
        i++; /* past the slash, or past the end */
    }
    out[o] = '\0';
    return 0;
}

static int url_check(const char *label, const char *s, size_t n, char *err)
{
    char q[PARSE__QUOTE];

    if (!chorus_url_http(s, n))
        return parse__fail(err, "%s must be an http:// or https:// address (got \"%s\").", label,
                           parse__quote(q, s, n));
    if (memchr(s, ' ', n))
        return parse__fail(err, "%s contains a space; percent-encode it as %%20.", label);
    return 0;
}

/* gtin_check accepts GTIN-8, UPC-A (12), EAN-13 and GTIN-14 with a correct
 * GS1 check digit: Google rejects feed items whose GTIN does not check, and
 * it is better to say so when the product arrives. */
static int gtin_check(const char *label, const char *s, size_t n, char *err)
{
    char q[PARSE__QUOTE];
    int sum = 0, want;

    if (n != 8 && n != 12 && n != 13 && n != 14)
        goto bad;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            goto bad;
    /* Weights 3,1,3,1... from the digit left of the check digit. */
    for (size_t i = 0; i + 1 < n; i++)
        sum += (s[n - 2 - i] - '0') * (i % 2 == 0 ? 3 : 1);
    want = (10 - sum % 10) % 10;
    if (s[n - 1] - '0' != want)
        return parse__fail(err, "%s %s has a wrong check digit; the last digit should be %d.",
                           label, parse__quote(q, s, n), want);
    return 0;
bad:
    return parse__fail(err, "%s must be 8, 12, 13 or 14 digits (got \"%s\").", label,
                       parse__quote(q, s, n));
}

int parse__product_set(struct product *p, char *category, enum parse__pf f, const char *label,
                       const char *s, size_t n, unsigned flags, char *err)
{
    const struct pf_info *fi = &pf_table[f];
    int rc;

    rc = parse__text(err, label, s, n, fi->cap, fi->flags | (flags & ~PARSE__LAXURL));
    if (rc)
        return rc;
    if (n == 0)
        return 0; /* absent, like a missing field */
    switch (f) {
    case PF_ID:
        p->id = s;
        return 0;
    case PF_NAME:
        p->name = s;
        return 0;
    case PF_BRAND:
        p->brand = s;
        return 0;
    case PF_CATEGORY:
        rc = category_norm(category, label, s, n, err);
        if (rc)
            return rc;
        p->category = category[0] ? category : NULL;
        return 0;
    case PF_URL:
    case PF_IMAGE_URL:
        rc = flags & PARSE__LAXURL ? 0 : url_check(label, s, n, err);
        if (rc)
            return rc;
        if (f == PF_URL)
            p->url = s;
        else
            p->image_url = s;
        return 0;
    case PF_GTIN:
        rc = gtin_check(label, s, n, err);
        if (rc)
            return rc;
        p->gtin = s;
        return 0;
    case PF_MPN:
        p->mpn = s;
        return 0;
    case PF__COUNT:
        break;
    }
    return CHORUS_EINVAL;
}
