/* CSV column mappings ("product_id=id,rating=reviews.rating,...") and the
 * conversion of one CSV record into a review through them.
 *
 * Cells are text, so numbers, booleans and times are read from text here and
 * then go through the same setters as JSON values: the same caps, ranges and
 * sentences. An empty cell is an absent field.
 *
 * Rows rarely carry an id of their own, yet importing the same file twice
 * must not double every review. When no source_id column is mapped (or a
 * row's source_id cell is empty), the row's source_id is a 64-bit FNV-1a hash
 * of its non-empty mapped review cells, so identical rows and re-imports land
 * on the same (source, source_id) and the store updates instead of adding.
 */
#include "parse_int.h"

#include <stdlib.h>
#include <string.h>

#include "chorus/base.h"

#define MAX_MAPPING 4096 /* bytes of a mapping string */

struct csv_target {
    const char *name;
    signed char rf; /* enum parse__rf, or -1 for a product field */
    signed char pf; /* enum parse__pf, or -1 */
};

/* Order matters: it is the hashing order, so ids stay stable. Append only. */
static const struct csv_target targets[PARSE__CSV_TARGETS] = {
    {"product_id", RF_PRODUCT_ID, -1},
    {"rating", RF_RATING, -1},
    {"rating_scale", RF_RATING_SCALE, -1},
    {"title", RF_TITLE, -1},
    {"body", RF_BODY, -1},
    {"author", RF_AUTHOR, -1},
    {"author_location", RF_AUTHOR_LOCATION, -1},
    {"verified", RF_VERIFIED, -1},
    {"language", RF_LANGUAGE, -1},
    {"created_at", RF_CREATED_AT, -1},
    {"source", RF_SOURCE, -1},
    {"source_id", RF_SOURCE_ID, -1},
    {"helpful", RF_HELPFUL, -1},
    {"not_helpful", RF_NOT_HELPFUL, -1},
    {"product_name", -1, PF_NAME},
    {"product_brand", -1, PF_BRAND},
    {"product_category", -1, PF_CATEGORY},
    {"product_url", -1, PF_URL},
    {"product_image_url", -1, PF_IMAGE_URL},
    {"product_gtin", -1, PF_GTIN},
    {"product_mpn", -1, PF_MPN},
};

static int target_lookup(const char *s, size_t n)
{
    for (int t = 0; t < PARSE__CSV_TARGETS; t++)
        if (strlen(targets[t].name) == n && memcmp(targets[t].name, s, n) == 0)
            return t;
    return -1;
}

/* ---- the mapping ---------------------------------------------------------------- */

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int map_fail(struct parse_error *err, const char *field, const char *fmt, const char *arg)
{
    char q[PARSE__QUOTE];

    parse__doc_error(err, 0, 0, field, fmt, parse__quote(q, arg, strlen(arg)));
    return CHORUS_EINVAL;
}

/* read_column reads a column name at mapping[*i] into out (a quoted name may
 * hold commas, '=' and "" for a quote). Returns its length, or -1 for an
 * unterminated quote. */
static long read_column(const char *mapping, size_t len, size_t *i, char *out)
{
    size_t o = 0, start;

    if (*i < len && mapping[*i] == '"') {
        for ((*i)++;; (*i)++) {
            if (*i >= len)
                return -1;
            if (mapping[*i] == '"') {
                if (*i + 1 < len && mapping[*i + 1] == '"') {
                    out[o++] = '"';
                    (*i)++;
                    continue;
                }
                (*i)++;
                break;
            }
            out[o++] = mapping[*i];
        }
        while (*i < len && is_blank(mapping[*i]))
            (*i)++;
        return (long)o;
    }
    start = *i;
    while (*i < len && mapping[*i] != ',')
        (*i)++;
    o = *i - start;
    while (o > 0 && is_blank(mapping[start + o - 1]))
        o--;
    memcpy(out, mapping + start, o);
    return (long)o;
}

static void sort_cols(struct parse__csv_map *m)
{
    for (size_t i = 1; i < m->n; i++) {
        struct parse__csv_col c = m->cols[i];
        size_t j = i;
        while (j > 0 && m->cols[j - 1].target > c.target) {
            m->cols[j] = m->cols[j - 1];
            j--;
        }
        m->cols[j] = c;
    }
}

int parse__csv_map_parse(struct parse__csv_map *m, const char *mapping, struct parse_error *err)
{
    size_t len = strlen(mapping), i = 0, o = 0, fs, fe;
    bool seen[PARSE__CSV_TARGETS] = {false};
    char field[32];
    long clen;
    int t;

    memset(m, 0, sizeof(*m));
    if (len > MAX_MAPPING) {
        parse__doc_error(err, 0, 0, NULL, "The mapping is %zu bytes; the limit is %d.", len,
                         MAX_MAPPING);
        return CHORUS_EINVAL;
    }
    /* Unescaped names are never longer than the mapping they came from. */
    m->names = malloc(len + 1);
    if (!m->names)
        abort();
    for (;;) {
        while (i < len && is_blank(mapping[i]))
            i++;
        fs = i;
        while (i < len && mapping[i] != '=' && mapping[i] != ',')
            i++;
        fe = i;
        while (fe > fs && is_blank(mapping[fe - 1]))
            fe--;
        parse__clean(field, sizeof(field), mapping + fs, fe - fs);
        if (i >= len || mapping[i] != '=')
            return map_fail(err, NULL,
                            "The mapping entry \"%s\" has no '='; write field=column pairs "
                            "separated by commas, such as product_id=id,rating=stars.",
                            field);
        t = target_lookup(mapping + fs, fe - fs);
        if (t < 0)
            return map_fail(err, field,
                            "The mapping names \"%s\", which is not a field a column can fill; "
                            "docs/reviews.md lists them.",
                            field);
        if (seen[t])
            return map_fail(err, field, "The mapping gives %s twice; give each field once.", field);
        seen[t] = true;
        i++;
        while (i < len && is_blank(mapping[i]))
            i++;
        clen = read_column(mapping, len, &i, m->names + o);
        if (clen < 0)
            return map_fail(err, field, "The column name of %s has no closing quote.", field);
        if (clen == 0)
            return map_fail(err, field, "%s has no column name after '='.", field);
        if (i < len && mapping[i] != ',')
            return map_fail(err, field,
                            "Unexpected text after the quoted column name of %s; put a comma "
                            "between entries.",
                            field);
        m->cols[m->n].target = (unsigned char)t;
        m->cols[m->n].column = m->names + o;
        m->cols[m->n].column_len = (size_t)clen;
        m->n++;
        o += (size_t)clen;
        m->names[o++] = '\0';
        if (i >= len)
            break;
        i++; /* the comma */
    }
    if (!seen[0])
        return map_fail(err, "product_id",
                        "The mapping must map %s to a column: every review needs its product.",
                        "product_id");
    sort_cols(m);
    return 0;
}

void parse__csv_map_cleanup(struct parse__csv_map *m)
{
    free(m->names);
    m->names = NULL;
    m->n = 0;
}

/* ---- the header ------------------------------------------------------------------- */

static void list_columns(char *out, size_t cap, const char *rec, const struct parse__cell *cells,
                         size_t n)
{
    char q[PARSE__QUOTE];
    size_t o = 0, k;

    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        parse__quote(q, rec + cells[i].off, cells[i].len);
        k = strlen(q);
        if (o + k + 6 >= cap) {
            memcpy(out + o, "...", 4);
            return;
        }
        if (i) {
            memcpy(out + o, ", ", 2);
            o += 2;
        }
        memcpy(out + o, q, k + 1);
        o += k;
    }
}

int parse__csv_map_header(struct parse__csv_map *m, const char *rec,
                          const struct parse__cell *cells, size_t n, struct parse_error *err)
{
    char q[PARSE__QUOTE], cols[160];

    for (size_t c = 0; c < m->n; c++) {
        struct parse__csv_col *col = &m->cols[c];
        const char *name = targets[col->target].name;
        bool found = false;

        for (size_t k = 0; k < n; k++) {
            if (cells[k].len != col->column_len ||
                memcmp(rec + cells[k].off, col->column, col->column_len) != 0)
                continue;
            if (found) {
                parse__doc_error(err, 1, 0, name,
                                 "The header has two columns named \"%s\"; rename one so the "
                                 "mapping of %s is clear.",
                                 parse__quote(q, col->column, col->column_len), name);
                return CHORUS_EPARSE;
            }
            found = true;
            col->index = k;
        }
        if (!found) {
            list_columns(cols, sizeof(cols), rec, cells, n);
            parse__doc_error(err, 1, 0, name,
                             "The header has no column \"%s\" (mapped to %s); its columns are: "
                             "%s.",
                             parse__quote(q, col->column, col->column_len), name, cols);
            return CHORUS_EPARSE;
        }
    }
    return 0;
}

/* ---- one record ------------------------------------------------------------------- */

static int cell(struct parse__item *it, enum parse__rf f, const char *name, const char *s, size_t n)
{
    char q[PARSE__QUOTE];
    double d;
    uint64_t u;
    bool b;

    switch (parse__rf_kind(f)) {
    case PK_NUMBER:
        if (parse__number_text(s, n, &d) != 0)
            return parse__fail(it->err, "%s must be a number such as 4 or 4.5 (got \"%s\").", name,
                               parse__quote(q, s, n));
        return parse__item_num(it, f, name, d);
    case PK_COUNT:
        if (parse__count_text(s, n, &u) != 0 || u > UINT32_MAX)
            return parse__fail(it->err,
                               "%s must be a whole number from 0 to 4294967295 (got \"%s\").", name,
                               parse__quote(q, s, n));
        return parse__item_num(it, f, name, (double)u);
    case PK_BOOL:
        if (parse__bool_text(s, n, &b) != 0)
            return parse__fail(it->err, "%s must be true or false, yes or no, 1 or 0 (got \"%s\").",
                               name, parse__quote(q, s, n));
        return parse__item_bool(it, f, name, b);
    default:
        return parse__item_str(it, f, name, s, n, PARSE__UTF8);
    }
}

int parse__csv_map_row(const struct parse__csv_map *m, struct parse__item *it, const char *rec,
                       const struct parse__cell *cells)
{
    static const char hex[] = "0123456789abcdef";
    uint64_t h = CHORUS_FNV64_INIT;
    int rc;

    for (size_t c = 0; c < m->n; c++) {
        const struct parse__csv_col *col = &m->cols[c];
        const struct csv_target *t = &targets[col->target];
        const char *s = rec + cells[col->index].off;
        size_t n = cells[col->index].len;
        unsigned char sep = 0xFF; /* never in UTF-8: "ab","c" and "a","bc" differ */

        if (n == 0)
            continue;
        if (t->pf >= 0) {
            /* Catalogue columns are not part of the review's identity: a
             * renamed product must not turn its reviews into new ones. */
            rc = parse__product_set(&it->p, it->category, (enum parse__pf)t->pf, t->name, s, n,
                                    PARSE__UTF8 | it->pflags, it->err);
            if (rc)
                return rc;
            it->has_product = true;
            continue;
        }
        h = chorus_fnv64(h, &col->target, 1);
        h = chorus_fnv64(h, s, n);
        h = chorus_fnv64(h, &sep, 1);
        rc = cell(it, (enum parse__rf)t->rf, t->name, s, n);
        if (rc)
            return rc;
    }
    if (!it->r.source_id) {
        for (int k = 0; k < 16; k++)
            it->source_id[k] = hex[(h >> (60 - 4 * k)) & 0xF];
        it->source_id[16] = '\0';
        it->r.source_id = it->source_id;
    }
    if (!it->r.source)
        it->r.source = "csv";
    return 0;
}
