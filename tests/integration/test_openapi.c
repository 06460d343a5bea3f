/* docs/openapi.yaml against the route table: every route `chorusd --routes`
 * prints must be described (and every described operation must exist).
 *
 * The YAML is read minimally, the way the file is written: path keys at a
 * two-space indent under a top-level `paths:`, method keys at four spaces
 * under them. Anything fancier (flow style, anchors for paths) is not used
 * there and would make this test fail loudly, not pass silently. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testmain.h"

#ifndef CHORUS_OPENAPI_PATH
#error "CHORUS_OPENAPI_PATH must name docs/openapi.yaml"
#endif

#define MAX_OPS 256

/* An operation as "METHOD /path", the format of chorusd --routes. */
struct ops {
    char *v[MAX_OPS];
    size_t n;
};

static void ops_add(struct ops *o, const char *method, const char *path)
{
    char line[512];
    int n;

    assert_true(o->n < MAX_OPS);
    n = snprintf(line, sizeof(line), "%s %s", method, path);
    assert_true(n > 0 && (size_t)n < sizeof(line));
    o->v[o->n] = strdup(line);
    assert_non_null(o->v[o->n]);
    o->n++;
}

static void ops_free(struct ops *o)
{
    for (size_t i = 0; i < o->n; i++)
        free(o->v[i]);
    o->n = 0;
}

static bool ops_has(const struct ops *o, const char *op)
{
    for (size_t i = 0; i < o->n; i++)
        if (strcmp(o->v[i], op) == 0)
            return true;
    return false;
}

static size_t indent_of(const char *s)
{
    size_t n = 0;

    while (s[n] == ' ')
        n++;
    return n;
}

/* key_of copies the mapping key of a "key:" or "key: value" line (quotes
 * removed) into out; false when the line is not a key. */
static bool key_of(const char *s, char *out, size_t cap)
{
    const char *colon;
    size_t n;

    if (*s == '\'' || *s == '"') {
        const char *end = strchr(s + 1, *s);

        if (!end || end[1] != ':')
            return false;
        n = (size_t)(end - s - 1);
        s++;
    } else {
        colon = strchr(s, ':');
        if (!colon || (colon[1] != '\0' && colon[1] != ' '))
            return false;
        n = (size_t)(colon - s);
    }
    if (n == 0 || n >= cap)
        return false;
    memcpy(out, s, n);
    out[n] = '\0';
    return true;
}

/* yaml_ops collects the operations of the `paths:` section of text. */
static void yaml_ops(const char *text, struct ops *out)
{
    static const char *const methods[] = {"get",  "put",     "post",  "delete",
                                          "head", "options", "patch", "trace"};
    char *copy = strdup(text), *line, *save = NULL;
    char path[512] = "", key[512];
    bool in_paths = false;

    assert_non_null(copy);
    for (line = copy; line; line = save) {
        size_t ind;

        save = strchr(line, '\n');
        if (save)
            *save++ = '\0';
        line[strcspn(line, "\r")] = '\0';
        ind = indent_of(line);
        if (line[ind] == '\0' || line[ind] == '#')
            continue;
        if (ind == 0) {
            in_paths = strcmp(line, "paths:") == 0;
            continue;
        }
        if (!in_paths || !key_of(line + ind, key, sizeof(key)))
            continue;
        if (ind == 2) {
            snprintf(path, sizeof(path), "%s", key);
        } else if (ind == 4 && path[0]) {
            for (size_t m = 0; m < sizeof(methods) / sizeof(methods[0]); m++) {
                if (strcmp(key, methods[m]) == 0) {
                    char upper[16];
                    size_t i;

                    for (i = 0; key[i] && i + 1 < sizeof(upper); i++)
                        upper[i] = (char)(key[i] - 'a' + 'A');
                    upper[i] = '\0';
                    ops_add(out, upper, path);
                }
            }
        }
    }
    free(copy);
}

static void routes_of_chorusd(struct ops *out)
{
    FILE *p = popen(CHORUSD_PATH " --routes", "r");
    char line[512];
    int st;

    assert_non_null(p);
    while (fgets(line, sizeof(line), p)) {
        char *sp;

        line[strcspn(line, "\r\n")] = '\0';
        sp = strchr(line, ' ');
        if (!sp || sp[1] != '/')
            fail_msg("chorusd --routes printed '%s', not 'METHOD /path'", line);
        *sp = '\0';
        ops_add(out, line, sp + 1);
    }
    st = pclose(p);
    assert_int_equal(st, 0);
    assert_true(out->n > 0);
}

static char *read_spec(void)
{
    FILE *f = fopen(CHORUS_OPENAPI_PATH, "rb");
    size_t n = 0, cap = 1 << 20;
    char *b;

    if (!f)
        fail_msg("cannot open %s", CHORUS_OPENAPI_PATH);
    b = malloc(cap);
    assert_non_null(b);
    n = fread(b, 1, cap - 1, f);
    fclose(f);
    assert_true(n < cap - 1);
    b[n] = '\0';
    return b;
}

/* missing lists the operations of want that have is lacks; returns how many. */
static size_t missing(const struct ops *want, const struct ops *have, const char *what)
{
    size_t n = 0;

    for (size_t i = 0; i < want->n; i++) {
        if (!ops_has(have, want->v[i])) {
            print_error("%s: %s\n", what, want->v[i]);
            n++;
        }
    }
    return n;
}

CHORUS_TEST(every_route_documented)
{
    struct ops routes = {0}, doc = {0};
    char *spec = read_spec();

    routes_of_chorusd(&routes);
    yaml_ops(spec, &doc);
    assert_int_equal(missing(&routes, &doc, "route missing from docs/openapi.yaml"), 0);
    ops_free(&routes);
    ops_free(&doc);
    free(spec);
}

CHORUS_TEST(every_documented_route_exists)
{
    struct ops routes = {0}, doc = {0};
    char *spec = read_spec();

    routes_of_chorusd(&routes);
    yaml_ops(spec, &doc);
    assert_int_equal(missing(&doc, &routes, "documented but not served"), 0);
    ops_free(&routes);
    ops_free(&doc);
    free(spec);
}

/* The checker itself: a spec without one route must be caught. */
CHORUS_TEST(checker_catches_a_missing_route)
{
    const char *spec = "openapi: 3.0.3\n"
                       "paths:\n"
                       "  /healthz:\n"
                       "    get:\n"
                       "      summary: x\n"
                       "  '/api/v1/reviews/{id}':\n"
                       "    parameters:\n"
                       "      - $ref: '#/components/parameters/ReviewId'\n"
                       "    get:\n"
                       "      responses: {}\n"
                       "components:\n"
                       "  schemas:\n"
                       "    post:\n";
    struct ops want = {0}, doc = {0};

    yaml_ops(spec, &doc);
    assert_int_equal(doc.n, 2);
    assert_true(ops_has(&doc, "GET /healthz"));
    assert_true(ops_has(&doc, "GET /api/v1/reviews/{id}"));
    ops_add(&want, "GET", "/healthz");
    ops_add(&want, "DELETE", "/api/v1/reviews/{id}");
    assert_int_equal(missing(&want, &doc, "expected miss"), 1);
    ops_free(&want);
    ops_free(&doc);
}

CHORUS_TEST_MAIN()
