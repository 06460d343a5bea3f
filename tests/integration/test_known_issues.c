/* Known issues against a real chorusd (docs/known-issues.md): the routes,
 * their validation and access, their caps; complaints linked through every
 * write path (a posted review, moderation, an edit, chorus import, a delete;
 * pulled sources are in test_sources.c); the review JSON's known_issue; the
 * linked reviews paged; the digest's grouping; and the "fix did not hold"
 * entry, valid Atom, with its dashboard line.
 *
 * Review times follow the clock (clock.h), since the digest's window and
 * the fix rule's windows end now. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "atom_check.h"
#include "clock.h"
#include "seed.h"
#include "testmain.h"

#define ISSUES "/api/v1/known-issues"
#define DAY    86400

/* ---- helpers --------------------------------------------------------------------------- */

static struct hresp *patch(struct chorusd *d, const char *path, const char *body)
{
    return h_do(d, &(struct hreq){.method = "PATCH",
                                  .path = path,
                                  .key = true,
                                  .ctype = "application/json",
                                  .body = body,
                                  .len = strlen(body)});
}

/* issue creates a known issue from body and returns its id. */
static long long issue(struct chorusd *d, const char *body)
{
    struct hresp *r = h_post_json(d, ISSUES, body);
    long long id;

    expect_status(r, 201);
    id = (long long)json_integer_value(jpath(r->json, "id"));
    assert_true(id > 0);
    expect_header(r, "Location", h_fmt(ISSUES "/%lld", id));
    hresp_free(r);
    return id;
}

/* complaint posts a review of product rated rating, written k days ago. */
static uint64_t complaint(struct chorusd *d, const char *product, int rating, int k,
                          const char *body)
{
    char ts[32];
    json_t *o =
        json_pack("{s:s, s:i, s:s, s:s, s:s}", "product_id", product, "rating", rating,
                  "created_at", clk_rfc3339(clk_at_day(k), ts), "title", "Bad", "body", body);

    assert_non_null(o);
    return seed_review(d, o);
}

/* link_of reads a review's known_issue: -1 for null. */
static long long link_of(struct chorusd *d, uint64_t id)
{
    struct hresp *r = h_get_key(d, h_fmt("/api/v1/reviews/%llu", (unsigned long long)id));
    json_t *v;
    long long out;

    expect_status(r, 200);
    v = jpath(r->json, "known_issue");
    assert_non_null(v);
    out = json_is_null(v) ? -1 : (long long)json_integer_value(v);
    hresp_free(r);
    return out;
}

/* component_issue reads the known_issue of component comp in product's
 * component trends: -1 for null. */
static long long component_issue(struct chorusd *d, const char *product, const char *comp)
{
    struct hresp *r = h_get_key(d, h_fmt("/api/v1/products/%s/components", product));
    json_t *list, *row;
    long long out = -2;
    size_t i;

    expect_status(r, 200);
    list = json_object_get(r->json, "components");
    json_array_foreach(list, i, row)
    {
        if (strcmp(json_string_value(json_object_get(row, "component")), comp) == 0) {
            json_t *v = json_object_get(row, "known_issue");

            out = json_is_null(v) ? -1 : (long long)json_integer_value(v);
        }
    }
    hresp_free(r);
    assert_true(out != -2);
    return out;
}

/* post_item posts one review (created or updated) and returns its id. */
static uint64_t post_item(struct chorusd *d, const char *json)
{
    struct hresp *r = h_post_json(d, "/api/v1/reviews", json);
    uint64_t id;

    assert_true(r->status == 200 || r->status == 201);
    expect_jint(r->json, "accepted", 1);
    id = (uint64_t)json_integer_value(jpath(r->json, "results[0].id"));
    hresp_free(r);
    return id;
}

static void expect_refused(struct chorusd *d, const char *body, long status, const char *field)
{
    struct hresp *r = h_post_json(d, ISSUES, body);

    expect_problem(r, status);
    if (field)
        expect_jcontains(r->json, "detail", field);
    hresp_free(r);
}

static void laptop(struct chorusd *d, const char *id)
{
    seed_product(d, id, "{\"name\":\"Pivot P14\",\"category\":\"laptops\"}");
}

/* ---- routes ------------------------------------------------------------------------------ */

CHORUS_TEST_SETUP(known_issue_crud_and_validation, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    struct hresp *r;
    long long id, id2;

    laptop(d, "p1");
    id = issue(d, "{\"product_id\":\"p1\",\"component\":\"hinge\",\"title\":\"Hinge cracks\","
                  "\"status\":\"investigating\",\"fixed_in\":null,\"fixed_at\":null,"
                  "\"phrases\":[\"crack\"]}");
    r = h_get_key(d, h_fmt(ISSUES "/%lld", id));
    expect_status(r, 200);
    expect_jstr(r->json, "product_id", "p1");
    expect_jstr(r->json, "component", "hinge");
    expect_jstr(r->json, "status", "investigating");
    expect_jnull(r->json, "fixed_at");
    expect_jstr(r->json, "phrases[0]", "crack");
    hresp_free(r);

    /* Validation, each with a sentence naming the field. */
    expect_refused(d,
                   "{\"product_id\":\"nope\",\"component\":\"hinge\",\"title\":\"x\","
                   "\"status\":\"known\"}",
                   422, "product_id");
    expect_refused(d,
                   "{\"product_id\":\"p1\",\"component\":\"flux\",\"title\":\"x\","
                   "\"status\":\"known\"}",
                   422, "component");
    expect_refused(d,
                   "{\"product_id\":\"p1\",\"component\":\"hinge\",\"title\":\"x\","
                   "\"status\":\"solved\"}",
                   422, "status");
    expect_refused(d, "{\"product_id\":\"p1\",\"component\":\"hinge\",\"title\":\"x\"}", 422,
                   "status");
    expect_refused(d,
                   "{\"product_id\":\"p1\",\"component\":\"hinge\",\"title\":\"x\","
                   "\"status\":\"fixed\"}",
                   422, "fixed_at");
    expect_refused(d,
                   "{\"product_id\":\"p1\",\"component\":\"hinge\",\"title\":\"\","
                   "\"status\":\"known\"}",
                   422, "title");
    expect_refused(d,
                   "{\"product_id\":\"p1\",\"component\":\"hinge\",\"title\":\"x\","
                   "\"status\":\"fixed\",\"fixed_at\":\"yesterday\"}",
                   400, "fixed_at");
    expect_refused(d,
                   "{\"product_id\":\"p1\",\"component\":\"hinge\",\"title\":7,"
                   "\"status\":\"known\"}",
                   400, "title");
    expect_refused(d,
                   "{\"product_id\":\"p1\",\"component\":\"hinge\",\"title\":\"x\","
                   "\"status\":\"known\",\"severity\":1}",
                   400, "severity");
    {
        char big[512];

        memset(big, 'a', 300);
        big[300] = '\0';
        expect_refused(d,
                       h_fmt("{\"product_id\":\"p1\",\"component\":\"hinge\",\"title\":\"%s\","
                             "\"status\":\"known\"}",
                             big),
                       422, "title");
    }

    /* PATCH keeps what it leaves out and is held to the same rules. */
    r = patch(d, h_fmt(ISSUES "/%lld", id), "{\"status\":\"fixed\"}");
    expect_problem(r, 422);
    hresp_free(r);
    r = patch(d, h_fmt(ISSUES "/%lld", id),
              "{\"status\":\"fixed\",\"fixed_in\":\"BIOS 1.14\","
              "\"fixed_at\":\"2026-11-20T00:00:00Z\"}");
    expect_status(r, 200);
    expect_jstr(r->json, "status", "fixed");
    expect_jstr(r->json, "fixed_in", "BIOS 1.14");
    expect_jstr(r->json, "fixed_at", "2026-11-20T00:00:00Z");
    expect_jstr(r->json, "title", "Hinge cracks");
    hresp_free(r);
    r = patch(d, h_fmt(ISSUES "/%lld", id), "{\"product_id\":\"p2\"}");
    expect_problem(r, 422);
    hresp_free(r);
    r = patch(d, ISSUES "/999", "{\"title\":\"x\"}");
    expect_problem(r, 404);
    hresp_free(r);

    /* Lists: filtered and paged. */
    laptop(d, "p2");
    id2 = issue(d, "{\"product_id\":\"p2\",\"component\":\"battery\",\"title\":\"Drains\","
                   "\"status\":\"known\"}");
    r = h_get_key(d, ISSUES "?status=fixed");
    expect_status(r, 200);
    assert_int_equal(json_array_size(jpath(r->json, "known_issues")), 1);
    expect_jint(r->json, "known_issues[0].id", id);
    hresp_free(r);
    r = h_get_key(d, ISSUES "?product=p2");
    assert_int_equal(json_array_size(jpath(r->json, "known_issues")), 1);
    expect_jint(r->json, "known_issues[0].id", id2);
    hresp_free(r);
    r = h_get_key(d, ISSUES "?limit=1");
    assert_int_equal(json_array_size(jpath(r->json, "known_issues")), 1);
    expect_jint(r->json, "known_issues[0].id", id);
    assert_true(json_is_string(jpath(r->json, "next_cursor")));
    {
        const char *cur = h_fmt("%s", json_string_value(jpath(r->json, "next_cursor")));
        struct hresp *r2 = h_get_key(d, h_fmt(ISSUES "?limit=1&cursor=%s", cur));

        expect_jint(r2->json, "known_issues[0].id", id2);
        hresp_free(r2);
    }
    hresp_free(r);
    r = h_get_key(d, ISSUES "?product=nope");
    expect_problem(r, 404);
    hresp_free(r);
    r = h_get_key(d, ISSUES "?status=done");
    expect_problem(r, 400);
    hresp_free(r);

    /* Delete. */
    r = h_delete(d, h_fmt(ISSUES "/%lld", id));
    expect_status(r, 204);
    hresp_free(r);
    r = h_get_key(d, h_fmt(ISSUES "/%lld", id));
    expect_problem(r, 404);
    hresp_free(r);
    r = h_get_key(d, h_fmt(ISSUES "/%lld/reviews", id));
    expect_problem(r, 404);
    hresp_free(r);
}

/* Known issues are engineering data: read with a key or a reader token,
 * like the digest; written with the catalogue scope. */
CHORUS_TEST_SETUP(known_issue_access, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    struct hresp *r;
    const char *token;
    long long id;

    laptop(d, "p1");
    id = issue(d, "{\"product_id\":\"p1\",\"component\":\"hinge\",\"title\":\"T\","
                  "\"status\":\"known\"}");
    r = h_get(d, ISSUES);
    expect_problem(r, 401);
    hresp_free(r);
    r = h_get(d, h_fmt(ISSUES "/%lld/reviews", id));
    expect_problem(r, 401);
    hresp_free(r);
    r = h_get(d, h_fmt(ISSUES "/%lld?token=wrong", id));
    expect_problem(r, 403);
    hresp_free(r);
    r = h_post_json(d, "/api/v1/digest-tokens", "{\"name\":\"hinge team\"}");
    expect_status(r, 201);
    token = h_fmt("%s", json_string_value(jpath(r->json, "token")));
    hresp_free(r);
    r = h_get(d, h_fmt(ISSUES "/%lld?token=%s", id, token));
    expect_status(r, 200);
    expect_jstr(r->json, "title", "T");
    hresp_free(r);
    r = h_get(d, h_fmt(ISSUES "?token=%s", token));
    expect_status(r, 200);
    hresp_free(r);
    /* Writes need a key. */
    r = h_do(
        d,
        &(struct hreq){
            .method = "POST", .path = ISSUES, .ctype = "application/json", .body = "{}", .len = 2});
    expect_problem(r, 401);
    hresp_free(r);
    r = h_do(d, &(struct hreq){.method = "DELETE", .path = h_fmt(ISSUES "/%lld", id)});
    expect_problem(r, 401);
    hresp_free(r);
}

CHORUS_TEST(known_issue_scope_and_caps)
{
    static const char keys[] = "ingest-only-key-0000000000000001 ingest\n" H_KEY " catalogue\n";
    struct chorusd *d = chorusd_make(NULL);
    char path[512], conf[1024];
    struct hresp *r;

    assert_non_null(d);
    snprintf(path, sizeof(path), "%s/keys", d->root);
    h_write_file(path, keys, strlen(keys));
    snprintf(d->config, sizeof(d->config), "%s/chorusd.conf", d->root);
    snprintf(conf, sizeof(conf),
             "api_keys_file = %s\nknown_issues_max = 2\nknown_issue_relink_max = 1\n", path);
    h_write_file(d->config, conf, strlen(conf));
    assert_int_equal(chorusd_start(d), 0);
    laptop(d, "p1");
    laptop(d, "p2");
    /* The catalogue scope is needed; ingest alone is 403. */
    r = h_do(d,
             &(struct hreq){.method = "POST",
                            .path = ISSUES,
                            .ctype = "application/json",
                            .body = "{}",
                            .len = 2,
                            .headers = (const char *const[]){
                                "Authorization: Bearer ingest-only-key-0000000000000001", NULL}});
    expect_problem(r, 403);
    expect_jcontains(r->json, "detail", "catalogue");
    hresp_free(r);
    /* known_issue_relink_max = 1: a product with two complaints cannot
     * take an issue. */
    complaint(d, "p2", 1, 1, "hinge");
    complaint(d, "p2", 1, 2, "hinge");
    expect_refused(d,
                   "{\"product_id\":\"p2\",\"component\":\"hinge\",\"title\":\"x\","
                   "\"status\":\"known\"}",
                   409, "known_issue_relink_max");
    /* known_issues_max = 2. */
    issue(d,
          "{\"product_id\":\"p1\",\"component\":\"hinge\",\"title\":\"a\",\"status\":\"known\"}");
    issue(d,
          "{\"product_id\":\"p1\",\"component\":\"hinge\",\"title\":\"b\",\"status\":\"known\"}");
    expect_refused(d,
                   "{\"product_id\":\"p1\",\"component\":\"hinge\",\"title\":\"c\","
                   "\"status\":\"known\"}",
                   409, "known_issues_max");
    assert_int_equal(chorusd_free(d), 0);
}

/* ---- linking ------------------------------------------------------------------------------ */

CHORUS_TEST_SETUP(known_issue_links_through_write_paths, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    struct hresp *r;
    uint64_t a, b, c, ids[8];
    long long id;
    size_t n;

    laptop(d, "p1");
    a = complaint(d, "p1", 1, 3, "The hinge cracked after a week.");
    id = issue(d, "{\"product_id\":\"p1\",\"component\":\"hinge\",\"title\":\"Hinge\","
                  "\"status\":\"known\"}");
    /* Existing complaints are linked when the issue is made, new ones at ingest. */
    assert_int_equal(link_of(d, a), id);
    b = complaint(d, "p1", 2, 2, "Hinge is loose.");
    c = complaint(d, "p1", 1, 1, "Battery dies by noon.");
    assert_int_equal(link_of(d, b), id);
    assert_int_equal(link_of(d, c), -1);
    /* The component trends name the open issue of the component. */
    assert_int_equal(component_issue(d, "p1", "hinge"), id);
    assert_int_equal(component_issue(d, "p1", "battery"), -1);
    /* The product's public review list shows the link too. */
    r = h_get(d, "/api/v1/products/p1/reviews?sort=oldest");
    expect_status(r, 200);
    expect_jint(r->json, "reviews[0].known_issue", id);
    expect_jnull(r->json, "reviews[2].known_issue");
    hresp_free(r);
    /* Moderation. */
    r = h_post_json(d, h_fmt("/api/v1/reviews/%llu/moderation", (unsigned long long)b),
                    "{\"status\":\"rejected\",\"reason\":\"spam\"}");
    expect_status(r, 200);
    hresp_free(r);
    assert_int_equal(link_of(d, b), -1);
    r = h_post_json(d, h_fmt("/api/v1/reviews/%llu/moderation", (unsigned long long)b),
                    "{\"status\":\"approved\"}");
    hresp_free(r);
    assert_int_equal(link_of(d, b), id);
    /* An edit: the same source item sent again with other text. */
    c = post_item(d, "{\"product_id\":\"p1\",\"rating\":1,\"source\":\"shop\","
                     "\"source_id\":\"s1\",\"body\":\"The battery drains.\"}");
    assert_int_equal(link_of(d, c), -1);
    assert_int_equal(post_item(d, "{\"product_id\":\"p1\",\"rating\":1,\"source\":\"shop\","
                                  "\"source_id\":\"s1\",\"body\":\"Now the hinge cracked.\"}"),
                     c);
    assert_int_equal(link_of(d, c), id);
    n = h_list_ids(d, true, h_fmt(ISSUES "/%lld/reviews", id), ids, 8, NULL);
    assert_int_equal(n, 3);
    /* Delete. */
    r = h_delete(d, h_fmt("/api/v1/reviews/%llu", (unsigned long long)c));
    expect_status(r, 204);
    hresp_free(r);
    n = h_list_ids(d, true, h_fmt(ISSUES "/%lld/reviews", id), ids, 8, NULL);
    assert_int_equal(n, 2);
    /* chorus import into the folder chorusd serves. */
    {
        char file[512], out[512], err[512];
        const char *nd = "{\"product_id\":\"p1\",\"rating\":2,\"source\":\"csv\","
                         "\"source_id\":\"imp-1\",\"body\":\"hinge snapped\"}\n";
        const char *argv[] = {CHORUS_PATH, "import", "--data", d->data,
                              "--format",  "ndjson", file,     NULL};

        snprintf(file, sizeof(file), "%s/in.ndjson", d->root);
        snprintf(out, sizeof(out), "%s/out", d->root);
        snprintf(err, sizeof(err), "%s/err", d->root);
        h_write_file(file, nd, strlen(nd));
        assert_int_equal(h_run(out, err, argv), 0);
    }
    n = h_list_ids(d, true, h_fmt(ISSUES "/%lld/reviews", id), ids, 8, NULL);
    assert_int_equal(n, 3);
    r = h_get_key(d, h_fmt("/api/v1/reviews/%llu", (unsigned long long)ids[0]));
    expect_jstr(r->json, "source_id", "imp-1");
    expect_jint(r->json, "known_issue", id);
    hresp_free(r);
    /* Deleting the issue unlinks everything. */
    r = h_delete(d, h_fmt(ISSUES "/%lld", id));
    hresp_free(r);
    assert_int_equal(link_of(d, a), -1);
    assert_int_equal(component_issue(d, "p1", "hinge"), -1);
    /* And chorus check agrees with the links. */
    {
        char out[512], err[512];
        const char *argv[] = {CHORUS_PATH, "check", "--data", d->data, NULL};

        snprintf(out, sizeof(out), "%s/out", d->root);
        snprintf(err, sizeof(err), "%s/err", d->root);
        assert_int_equal(h_run(out, err, argv), 0);
    }
}

CHORUS_TEST_SETUP(known_issue_reviews_are_paged, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t want[7], got[8];
    long long id;
    char *next = NULL;
    size_t n, total = 0;
    const char *path;

    laptop(d, "p1");
    id = issue(d, "{\"product_id\":\"p1\",\"component\":\"hinge\",\"title\":\"Hinge\","
                  "\"status\":\"known\"}");
    /* Newest first: day 1 is the newest. */
    for (int k = 7; k >= 1; k--)
        want[k - 1] = complaint(d, "p1", 1, k, "hinge");
    complaint(d, "p1", 1, 1, "battery");
    path = h_fmt(ISSUES "/%lld/reviews?limit=3", id);
    for (int page = 0; page < 5; page++) {
        n = h_list_ids(d, true, path, got, 8, &next);
        assert_true(n <= 3);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(got[i], want[total + i]);
        total += n;
        if (!next)
            break;
        path = h_fmt(ISSUES "/%lld/reviews?limit=3&cursor=%s", id, next);
        free(next);
        next = NULL;
    }
    assert_int_equal(total, 7);
    {
        struct hresp *r = h_get_key(d, h_fmt(ISSUES "/%lld/reviews?cursor=zz", id));

        expect_problem(r, 400);
        hresp_free(r);
    }
}

/* ---- digest and dashboard -------------------------------------------------------------------- */

CHORUS_TEST_SETUP(digest_groups_known_issues, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    uint64_t unknown, known1, known2, nad;
    xmlDoc *doc;
    xmlNode *e;
    char *html;
    char day[16];

    clk_away_from_end(DAY, 120);
    laptop(d, "p1");
    issue(d, "{\"product_id\":\"p1\",\"component\":\"hinge\",\"title\":\"Hinge <b>cracks</b> & "
             "more\",\"status\":\"known\"}");
    issue(d, "{\"product_id\":\"p1\",\"component\":\"keyboard\",\"title\":\"Loud keys\","
             "\"status\":\"not_a_defect\"}");
    unknown = complaint(d, "p1", 1, 1, "Battery dies by noon.");
    known1 = complaint(d, "p1", 1, 1, "The hinge cracked.");
    known2 = complaint(d, "p1", 2, 1, "Hinge wobbles.");
    nad = complaint(d, "p1", 2, 1, "The keyboard is loud.");
    doc = ac_fetch(d, "/feeds/digest.atom", true);
    clk_date(clk_at_day(1), day);
    e = ac_node(doc, NULL,
                h_fmt("/atom:feed/atom:entry[chorus:digest[@product='p1' and @day='%s']]", day), 0);
    assert_non_null(e);
    /* All four are counted ... */
    ac_expect_str(doc, e, "string(chorus:digest/@complaints)", "4");
    /* ... the unknown one and the known issue's are in the machine list,
     * the not_a_defect one is not. */
    ac_expect_count(doc, e,
                    h_fmt("chorus:digest/chorus:review[@id='%llu' and not(@known_issue)]",
                          (unsigned long long)unknown),
                    1);
    ac_expect_count(doc, e,
                    h_fmt("chorus:digest/chorus:review[@id='%llu' and @known_issue]",
                          (unsigned long long)known1),
                    1);
    ac_expect_count(doc, e,
                    h_fmt("chorus:digest/chorus:review[@id='%llu']", (unsigned long long)nad), 0);
    ac_expect_count(doc, e, "chorus:digest/chorus:known-issue[@status='known' and @complaints='2']",
                    1);
    ac_expect_count(
        doc, e, "chorus:digest/chorus:known-issue[@status='not_a_defect' and @complaints='1']", 1);
    (void)known2;
    html = ac_str(doc, e, "string(atom:content)");
    /* Unknown problems listed first, then one line per issue, escaped. */
    expect_contains(html, "Battery dies by noon.");
    assert_null(strstr(html, "The hinge cracked."));
    assert_null(strstr(html, "The keyboard is loud."));
    expect_contains(html,
                    "2 more for known issue 'Hinge &lt;b&gt;cracks&lt;/b&gt; &amp; more' (known)");
    expect_contains(html, "1 more for known issue 'Loud keys' (not_a_defect)");
    assert_true(strstr(html, "Battery dies") < strstr(html, "more for known issue"));
    free(html);
    xmlFreeDoc(doc);
}

/* Two fixed issues: complaints of one stop after its fix, of the other
 * they keep coming at the old rate. Only the second is a regression, in
 * the digest (its own valid Atom entry) and on the dashboard. */
CHORUS_TEST_SETUP(fix_that_did_not_hold_is_an_alert, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    char ts[32];
    struct hresp *r;
    xmlDoc *doc;
    xmlNode *e;
    char *title, *html;
    long long held, failed;

    laptop(d, "p1");
    laptop(d, "p2");
    /* A complaint every other day for 30 days before the fix (day 20), on
     * both products; after it, only p2 goes on. */
    for (int k = 49; k >= 21; k -= 2) {
        complaint(d, "p1", 1, k, "hinge cracked");
        complaint(d, "p2", 1, k, "battery drains");
    }
    for (int k = 15; k >= 1; k -= 2) {
        complaint(d, "p2", 2, k, "battery drains again");
        complaint(d, "p1", 1, k, "screen is dim"); /* other problems go on */
    }
    held = issue(d, h_fmt("{\"product_id\":\"p1\",\"component\":\"hinge\",\"title\":\"Hinge\","
                          "\"status\":\"fixed\",\"fixed_in\":\"BIOS 1.14\",\"fixed_at\":\"%s\"}",
                          clk_rfc3339(clk_at_day(20), ts)));
    failed = issue(d, h_fmt("{\"product_id\":\"p2\",\"component\":\"battery\",\"title\":"
                            "\"Drain <in sleep>\",\"status\":\"fixed\",\"fixed_in\":\"FW 2.3\","
                            "\"fixed_at\":\"%s\"}",
                            clk_rfc3339(clk_at_day(20), ts)));
    doc = ac_fetch(d, "/feeds/digest.atom", true);
    ac_expect_count(doc, NULL,
                    "/atom:feed/atom:entry[atom:category/@term='known-issue-regression']", 1);
    e = ac_node(doc, NULL, "/atom:feed/atom:entry[atom:category/@term='known-issue-regression']",
                0);
    ac_expect_str(doc, e, "string(chorus:regression/@known_issue)", h_fmt("%lld", failed));
    ac_expect_str(doc, e, "string(chorus:regression/@product)", "p2");
    ac_expect_str(doc, e, "string(chorus:regression/@complaints_before)", "15");
    title = ac_str(doc, e, "string(atom:title)");
    expect_contains(title, "Fix did not hold");
    expect_contains(title, "Drain <in sleep> (FW 2.3)");
    html = ac_str(doc, e, "string(atom:content)");
    expect_contains(html, "Drain &lt;in sleep&gt;");
    free(title);
    free(html);
    xmlFreeDoc(doc);
    (void)held;

    r = h_get_key(d, "/dashboard");
    expect_status(r, 200);
    expect_contains(r->body, "Fix did not hold");
    expect_contains(r->body, "Drain &lt;in sleep&gt;");
    assert_null(strstr(r->body, "Hinge: "));
    hresp_free(r);
}

CHORUS_TEST_MAIN()
