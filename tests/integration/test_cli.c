/* The chorus command line on real data folders: demo, check, export, import
 * (NDJSON round trip, idempotent re-import, the documented CSV command),
 * tokens, retag, and sources next to a running chorusd. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fixture_http.h"
#include "testmain.h"

#ifndef CHORUS_PATH
#error "CHORUS_PATH must name the chorus binary"
#endif
#ifndef CHORUS_SOURCE_DIR
#error "CHORUS_SOURCE_DIR must name the source tree"
#endif

#define CSV_FILE CHORUS_SOURCE_DIR "/../shared/data/amazon-consumer-reviews-2500.csv"
#define CSV_MAP                                                                                    \
    "product_id=id,rating=reviews.rating,title=reviews.title,body=reviews.text,"                   \
    "author=reviews.username,created_at=reviews.date,product_name=name,product_brand=brand"
#define SKIP_CODE 77 /* SKIP_RETURN_CODE in tests.cmake */

struct cli {
    char root[256];
    char out[320], err[320]; /* the last command's stdout and stderr */
    char *stdout_text, *stderr_text;
    struct fixture *fx; /* a feed server, or NULL; stopped by teardown */
    struct chorusd *d;  /* a chorusd, or NULL; stopped and removed by teardown */
};

/* run_chorus runs `chorus args...` (NULL-terminated) with stdout and stderr
 * captured, and returns its exit status (-1 when a signal ended it). */
static int run_chorus(struct cli *c, ...)
{
    const char *argv[32];
    int argc = 0, rc;
    va_list ap;

    argv[argc++] = CHORUS_PATH;
    va_start(ap, c);
    while (argc < 31 && (argv[argc] = va_arg(ap, const char *)) != NULL)
        argc++;
    va_end(ap);
    argv[argc] = NULL;
    free(c->stdout_text);
    free(c->stderr_text);
    rc = h_run(c->out, c->err, argv);
    c->stdout_text = h_slurp(c->out, NULL);
    c->stderr_text = h_slurp(c->err, NULL);
    return rc;
}

/* expect_ok runs chorus and fails, showing its output, unless it exits 0. */
#define expect_ok(c, ...) expect_ok_((c), __FILE__, __LINE__, __VA_ARGS__)
#define expect_ok_(c, file, line, ...)                                                             \
    do {                                                                                           \
        int rc_ = run_chorus((c), __VA_ARGS__, (const char *)NULL);                                \
        if (rc_ != 0) {                                                                            \
            print_error("chorus exited with %d\nstdout: %.4000s\nstderr: %.4000s\n", rc_,          \
                        (c)->stdout_text ? (c)->stdout_text : "",                                  \
                        (c)->stderr_text ? (c)->stderr_text : "");                                 \
            _fail((file), (line));                                                                 \
        }                                                                                          \
    } while (0)

static int setup(void **state)
{
    struct cli *c = calloc(1, sizeof(*c));
    const char *tmp = getenv("TMPDIR");

    if (!c)
        return -1;
    snprintf(c->root, sizeof(c->root), "%s/chorus-cli-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(c->root)) {
        free(c);
        return -1;
    }
    snprintf(c->out, sizeof(c->out), "%s/stdout", c->root);
    snprintf(c->err, sizeof(c->err), "%s/stderr", c->root);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct cli *c = *state;
    int rc = chorusd_free(c->d); /* its exit status is how the sanitizers report */

    fixture_stop(c->fx);
    h_rmtree(c->root);
    free(c->stdout_text);
    free(c->stderr_text);
    free(c);
    return rc;
}

/* setup_sources is setup, a feed server on loopback and a chorusd folder
 * (not started) whose chorusd may fetch from loopback. */
static int setup_sources(void **state)
{
    struct cli *c;

    if (setup(state) != 0)
        return -1;
    c = *state;
    c->fx = fixture_start("127.0.0.1");
    c->d = c->fx ? chorusd_make("allow_private_sources = true\n") : NULL;
    if (!c->d) {
        print_error("cannot start the feed server or make chorusd's folder\n");
        teardown(state);
        return -1;
    }
    return 0;
}

/* token_copy copies the run of token characters at s into out and
 * returns its length (a reader token is base64url). */
static size_t token_copy(const char *s, char *out, size_t cap)
{
    size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    if (n >= cap)
        n = cap - 1;
    memcpy(out, s, n);
    out[n] = '\0';
    return n;
}

static const char *in_root(struct cli *c, const char *name)
{
    return h_fmt("%s/%s", c->root, name);
}

/* summary_count reads "<n> <word>" from the import summary on stderr. */
static unsigned long long summary_count(struct cli *c, const char *word)
{
    const char *p = c->stderr_text ? strstr(c->stderr_text, "imported ") : NULL;
    const char *w;
    char key[64];

    snprintf(key, sizeof(key), " %s", word);
    w = p ? strstr(p, key) : NULL;
    if (!w)
        fail_msg("no '%s' in the import summary: %s", word, c->stderr_text);
    while (w > p && w[-1] >= '0' && w[-1] <= '9')
        w--;
    return strtoull(w, NULL, 10);
}

/* ---- comparing exports ----------------------------------------------------------- */

struct lines {
    char **v;
    size_t n;
    char **products;
    size_t n_products;
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* load_export reads an export file into sorted canonical lines (keys sorted),
 * with the fields in `drop` removed and each "product" object moved to a
 * separate sorted list. */
static void load_export(const char *path, const char *const *drop, struct lines *out)
{
    size_t len;
    char *text = h_slurp(path, &len), *p, *nl;

    if (!text)
        fail_msg("cannot read %s", path);
    memset(out, 0, sizeof(*out));
    out->v = calloc(len / 2 + 1, sizeof(char *));
    out->products = calloc(len / 2 + 1, sizeof(char *));
    assert_non_null(out->v);
    assert_non_null(out->products);
    for (p = text; *p; p = nl + 1) {
        json_error_t e;
        json_t *j, *prod;

        nl = strchr(p, '\n');
        if (!nl)
            fail_msg("%s: the last line has no newline", path);
        j = json_loadb(p, (size_t)(nl - p), JSON_REJECT_DUPLICATES, &e);
        if (!json_is_object(j))
            fail_msg("%s: a line is not a JSON object: %s", path, e.text);
        prod = json_object_get(j, "product");
        if (prod) {
            out->products[out->n_products++] = json_dumps(prod, JSON_SORT_KEYS | JSON_COMPACT);
            json_object_del(j, "product");
        }
        for (size_t i = 0; drop && drop[i]; i++)
            json_object_del(j, drop[i]);
        out->v[out->n++] = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
        json_decref(j);
    }
    free(text);
    qsort(out->v, out->n, sizeof(char *), cmp_str);
    qsort(out->products, out->n_products, sizeof(char *), cmp_str);
}

static void lines_free(struct lines *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    for (size_t i = 0; i < l->n_products; i++)
        free(l->products[i]);
    free(l->v);
    free(l->products);
}

static void expect_same_export(const char *a, const char *b, const char *const *drop)
{
    struct lines la, lb;

    load_export(a, drop, &la);
    load_export(b, drop, &lb);
    if (la.n != lb.n)
        fail_msg("%s has %zu reviews, %s has %zu", a, la.n, b, lb.n);
    for (size_t i = 0; i < la.n; i++)
        if (strcmp(la.v[i], lb.v[i]) != 0)
            fail_msg("the exports differ:\n  %s\n  %s", la.v[i], lb.v[i]);
    if (la.n_products != lb.n_products)
        fail_msg("%s carries %zu products, %s %zu", a, la.n_products, b, lb.n_products);
    for (size_t i = 0; i < la.n_products; i++)
        if (strcmp(la.products[i], lb.products[i]) != 0)
            fail_msg("the exported products differ:\n  %s\n  %s", la.products[i], lb.products[i]);
    lines_free(&la);
    lines_free(&lb);
}

/* ---- cases -------------------------------------------------------------------------- */

CHORUS_TEST_SETUP(help, setup, teardown)
{
    struct cli *c = *state;

    expect_ok(c, "--help");
    expect_contains(c->stdout_text, "import");
    expect_contains(c->stdout_text, "export");
    expect_contains(c->stdout_text, "check");
    expect_contains(c->stdout_text, "demo");
    assert_int_not_equal(run_chorus(c, "frobnicate", (const char *)NULL), 0);
}

CHORUS_TEST_SETUP(demo_check, setup, teardown)
{
    struct cli *c = *state;
    const char *d = in_root(c, "d");

    expect_ok(c, "demo", "--data", d, "--reviews", "3000");
    expect_ok(c, "check", "--data", d);
    expect_contains(c->stdout_text, "ok: 3000 reviews");
}

CHORUS_TEST_SETUP(export_import_roundtrip, setup, teardown)
{
    struct cli *c = *state;
    char d[320], d2[320], f[320], f2[320];
    static const char *const drop[] = {"id", "ingested_at", NULL};

    snprintf(d, sizeof(d), "%s", in_root(c, "d"));
    snprintf(d2, sizeof(d2), "%s", in_root(c, "d2"));
    snprintf(f, sizeof(f), "%s", in_root(c, "export.ndjson"));
    snprintf(f2, sizeof(f2), "%s", in_root(c, "export2.ndjson"));
    expect_ok(c, "demo", "--data", d, "--reviews", "3000");
    expect_ok(c, "export", "--data", d, "--out", f);
    expect_ok(c, "import", "--data", d2, "--format", "ndjson", f);
    assert_int_equal(summary_count(c, "created"), 3000);
    assert_int_equal(summary_count(c, "rejected"), 0);
    expect_ok(c, "check", "--data", d2);
    expect_ok(c, "export", "--data", d2, "--out", f2);
    expect_same_export(f, f2, drop);
    /* Without --out the export goes to stdout. */
    expect_ok(c, "export", "--data", d2);
    h_write_file(f2, c->stdout_text, strlen(c->stdout_text));
    expect_same_export(f, f2, drop);
}

CHORUS_TEST_SETUP(reimport_adds_nothing, setup, teardown)
{
    struct cli *c = *state;
    char d[320], f[320], f2[320];

    snprintf(d, sizeof(d), "%s", in_root(c, "d"));
    snprintf(f, sizeof(f), "%s", in_root(c, "export.ndjson"));
    snprintf(f2, sizeof(f2), "%s", in_root(c, "export2.ndjson"));
    expect_ok(c, "demo", "--data", d, "--reviews", "3000");
    expect_ok(c, "export", "--data", d, "--out", f);
    expect_ok(c, "import", "--data", d, "--format", "ndjson", f);
    assert_int_equal(summary_count(c, "created"), 0);
    assert_int_equal(summary_count(c, "updated"), 3000);
    assert_int_equal(summary_count(c, "rejected"), 0);
    expect_ok(c, "check", "--data", d);
    expect_contains(c->stdout_text, "ok: 3000 reviews");
    /* Nothing changed at all, ids and times included. */
    expect_ok(c, "export", "--data", d, "--out", f2);
    expect_same_export(f, f2, NULL);
}

CHORUS_TEST_SETUP(csv_import, setup, teardown)
{
    struct cli *c = *state;
    const char *d = in_root(c, "d");
    unsigned long long created;

    if (access(CSV_FILE, R_OK) != 0) {
        fprintf(stderr, "skipped: %s is not here\n", CSV_FILE);
        teardown(state);
        exit(SKIP_CODE);
    }
    expect_ok(c, "import", "--data", d, "--format", "csv", "--map", CSV_MAP, CSV_FILE);
    created = summary_count(c, "created");
    assert_int_equal(summary_count(c, "rejected"), 0);
    assert_int_equal(created + summary_count(c, "updated"), 2500);
    expect_ok(c, "check", "--data", d);
    expect_contains(c->stdout_text, h_fmt("ok: %llu reviews", created));
}

/* import_owns_the_catalogue: chorus import is the operator's path, so a
 * file's product fields replace set ones; a url that is not http(s) is left
 * out and counted, and its review kept (docs/reviews.md, "Who may change the catalogue"). */
CHORUS_TEST_SETUP(import_owns_the_catalogue, setup, teardown)
{
    struct cli *c = *state;
    const char *lines =
        "{\"product_id\":\"im-1\",\"rating\":5,\"body\":\"One.\",\"product\":{\"name\":\"First\","
        "\"url\":\"https://a.example/im-1\"}}\n"
        "{\"product_id\":\"im-1\",\"rating\":4,\"body\":\"Two.\",\"product\":{\"name\":\"Second\","
        "\"url\":\"javascript:alert(1)\"}}\n";
    char d[320], f[320];

    snprintf(d, sizeof(d), "%s", in_root(c, "d"));
    snprintf(f, sizeof(f), "%s", in_root(c, "in.ndjson"));
    h_write_file(f, lines, strlen(lines));
    expect_ok(c, "import", "--data", d, "--format", "ndjson", f);
    assert_int_equal(summary_count(c, "created"), 2);
    assert_int_equal(summary_count(c, "rejected"), 0);
    expect_contains(c->stderr_text, "1 product url or image_url fields were left out");
    expect_ok(c, "check", "--data", d);
    expect_ok(c, "export", "--data", d);
    expect_contains(c->stdout_text, "\"name\":\"Second\"");
    expect_contains(c->stdout_text, "\"url\":\"https://a.example/im-1\"");
    if (strstr(c->stdout_text, "javascript:"))
        fail_msg("the javascript: url was stored: %s", c->stdout_text);
}

/* tokens_cli makes a reader token with the CLI on a folder, opens the
 * private digest with it through a real chorusd, then revokes it. */
CHORUS_TEST_SETUP(tokens_cli, setup, teardown)
{
    struct cli *c = *state;
    struct chorusd *d = chorusd_make(NULL);
    char token[64] = "", *at;
    struct hresp *r;

    assert_non_null(d);
    expect_ok(c, "tokens", "create", "--data", d->data, "--name", "hinge team", "--url",
              "http://reviews.example.test");
    at = strstr(c->stdout_text, "token ");
    assert_non_null(at);
    assert_int_equal(token_copy(at + 6, token, sizeof(token)), 43);
    expect_contains(c->stdout_text,
                    h_fmt("digest http://reviews.example.test/feeds/digest.atom?token=%s", token));
    expect_ok(c, "tokens", "list", "--data", d->data);
    expect_contains(c->stdout_text, "hinge team");
    assert_null(strstr(c->stdout_text, token)); /* listings never show the secret */

    assert_int_equal(chorusd_start(d), 0);
    r = h_get(d, h_fmt("/feeds/digest.atom?token=%s", token));
    expect_status(r, 200);
    hresp_free(r);
    assert_int_equal(chorusd_stop(d), 0);

    expect_ok(c, "tokens", "revoke", "--data", d->data, "--id", "1");
    assert_int_not_equal(
        run_chorus(c, "tokens", "revoke", "--data", d->data, "--id", "1", (const char *)NULL), 0);
    expect_contains(c->stderr_text, "no such token");
    assert_int_not_equal(run_chorus(c, "tokens", "create", "--data", d->data, (const char *)NULL),
                         0);
    assert_int_equal(chorusd_start(d), 0);
    r = h_get(d, h_fmt("/feeds/digest.atom?token=%s", token));
    expect_problem(r, 403);
    hresp_free(r);
    assert_int_equal(chorusd_free(d), 0);
}

/* retag_cli: reviews stored under one taxonomy are tagged again under
 * another, once; the folder stays consistent. */
CHORUS_TEST_SETUP(retag_cli, setup, teardown)
{
    struct cli *c = *state;
    const char *d = in_root(c, "d"), *tax = in_root(c, "one.tax");
    const char *f = in_root(c, "export.ndjson"), *at;
    char *exported;

    h_write_file(tax, "nothing | Nothing | zzzqqq\n", strlen("nothing | Nothing | zzzqqq\n"));
    expect_ok(c, "demo", "--data", d, "--reviews", "2000", "--taxonomy", tax);
    expect_ok(c, "export", "--data", d, "--out", f);
    exported = h_slurp(f, NULL);
    assert_non_null(exported);
    assert_null(strstr(exported, "\"components\":[\""));
    free(exported);

    expect_ok(c, "retag", "--data", d);
    at = c->stderr_text ? strstr(c->stderr_text, "reviews: ") : NULL;
    assert_non_null(at);
    assert_true(strtoull(at + 9, NULL, 10) > 100);
    expect_ok(c, "check", "--data", d);
    expect_ok(c, "export", "--data", d, "--out", f);
    exported = h_slurp(f, NULL);
    assert_non_null(strstr(exported, "\"components\":[\"hinge\""));
    free(exported);
    /* Nothing left to change the second time. */
    expect_ok(c, "retag", "--data", d);
    expect_contains(c->stderr_text, ": 0 changed");
    assert_int_not_equal(run_chorus(c, "retag", "--data", d, "--taxonomy", in_root(c, "missing"),
                                    (const char *)NULL),
                         0);
}

/* wait_shown runs `chorus sources show` on source 1 until its output
 * contains text; fails after 20 seconds. chorusd writes the poll's result
 * in its own time, and the folder is the only place the CLI looks. */
static void wait_shown(struct cli *c, const char *data, const char *text)
{
    for (int i = 0; i < 200; i++) {
        struct timespec ts = {0, 100 * 1000 * 1000};

        expect_ok(c, "sources", "show", "--data", data, "--id", "1");
        if (strstr(c->stdout_text, text))
            return;
        nanosleep(&ts, NULL);
    }
    fail_msg("`chorus sources show` never said '%s': %s", text, c->stdout_text);
}

/* sources_cli: a source added on the folder is polled by a running
 * chorusd; `poll` makes it due again, `delete` removes it for both; each
 * command's output and exit status, mistakes included. */
#define PRODUCT_REVIEWS "/api/v1/products/cli-p/reviews"

CHORUS_TEST_SETUP(sources_cli, setup_sources, teardown)
{
    struct cli *c = *state;
    struct chorusd *d = c->d;
    char url[160], json[320], bad[320];
    uint64_t ids[8];
    struct hresp *r;

    snprintf(url, sizeof(url), "%s/plain-rss.xml", fixture_base(c->fx));
    snprintf(json, sizeof(json), "{\"kind\": \"rss\", \"url\": \"%s\", \"product_id\": \"cli-p\"}",
             url);
    snprintf(bad, sizeof(bad), "{\"kind\": \"podcast\", \"url\": \"%s\", \"product_id\": \"x\"}",
             url);

    /* Added before chorusd runs: the first poll is due at once. */
    expect_ok(c, "sources", "add", "--data", d->data, "--json", json);
    assert_string_equal(c->stdout_text, "id 1\n");
    expect_ok(c, "sources", "list", "--data", d->data);
    assert_string_equal(c->stdout_text, h_fmt("1\trss\t3600\t%s\tnot polled yet\n", url));
    expect_ok(c, "sources", "show", "--data", d->data, "--id", "1");
    expect_contains(c->stdout_text, h_fmt("id\t1\nkind\trss\nurl\t%s\ninterval\t3600\n", url));
    expect_contains(c->stdout_text, "product_id\tcli-p\n");
    expect_contains(c->stdout_text, "last_poll_at\tnever\n");
    assert_int_equal(fixture_requests(c->fx), 0);

    assert_int_equal(chorusd_start(d), 0);
    wait_shown(c, d->data, "items_added\t2\n");
    expect_contains(c->stdout_text, "last_status\t200 OK, 2 items: 2 added, 0 updated");
    expect_contains(c->stdout_text, "errors\t0\n");
    assert_int_equal(fixture_requests(c->fx), 1);
    assert_int_equal(h_list_ids(d, false, PRODUCT_REVIEWS, ids, 8, NULL), 2);
    expect_ok(c, "sources", "list", "--data", d->data);
    expect_contains(c->stdout_text, h_fmt("1\trss\t3600\t%s\t200 OK, 2 items", url));

    /* An hour before it is due again, `poll` makes chorusd fetch it now. */
    expect_ok(c, "sources", "poll", "--data", d->data, "--id", "1");
    expect_contains(c->stdout_text, "source 1 is due now");
    /* Fetched again, the same two items: nothing to write. */
    wait_shown(c, d->data, "2 items: 0 added, 0 updated, 0 merged, 0 rejected");
    expect_contains(c->stdout_text, "items_added\t0\n");
    expect_contains(c->stdout_text, "items_updated\t0\n");
    assert_int_equal(fixture_requests(c->fx), 2);

    /* Deleted for the API too; its reviews stay. */
    expect_ok(c, "sources", "delete", "--data", d->data, "--id", "1");
    assert_string_equal(c->stdout_text, "deleted 1\n");
    expect_ok(c, "sources", "list", "--data", d->data);
    assert_string_equal(c->stdout_text, "");
    r = h_get_key(d, "/api/v1/sources/1");
    expect_problem(r, 404);
    hresp_free(r);
    assert_int_equal(h_list_ids(d, false, PRODUCT_REVIEWS, ids, 8, NULL), 2);

    /* Mistakes: 1 for a source that is not there, 2 for a wrong command. */
    assert_int_equal(
        run_chorus(c, "sources", "show", "--data", d->data, "--id", "1", (const char *)NULL), 1);
    expect_contains(c->stderr_text, "there is no such source");
    assert_int_equal(
        run_chorus(c, "sources", "poll", "--data", d->data, "--id", "1", (const char *)NULL), 1);
    expect_contains(c->stderr_text, "there is no such source");
    assert_int_equal(
        run_chorus(c, "sources", "delete", "--data", d->data, "--id", "1", (const char *)NULL), 1);
    expect_contains(c->stderr_text, "there is no such source");
    assert_int_equal(
        run_chorus(c, "sources", "add", "--data", d->data, "--json", bad, (const char *)NULL), 2);
    expect_contains(c->stderr_text, "kind");
    assert_int_equal(run_chorus(c, "sources", "add", "--data", d->data, "--json",
                                "{\"kind\": \"rss\"", (const char *)NULL),
                     2);
    assert_int_equal(
        run_chorus(c, "sources", "show", "--data", d->data, "--id", "x", (const char *)NULL), 2);
    expect_contains(c->stderr_text, "--id must be a source id");
    assert_int_equal(run_chorus(c, "sources", "show", "--data", d->data, (const char *)NULL), 2);
    expect_contains(c->stderr_text, "usage: chorus sources");
    assert_int_equal(run_chorus(c, "sources", "frob", "--data", d->data, (const char *)NULL), 2);
    expect_contains(c->stderr_text, "usage: chorus sources");
    expect_ok(c, "sources", "list", "--data", d->data);
    assert_string_equal(c->stdout_text, ""); /* the refused adds added nothing */
    assert_int_equal(fixture_requests(c->fx), 2);
}

CHORUS_TEST_MAIN()
