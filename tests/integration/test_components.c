/* Component trends over HTTP: GET /api/v1/products/{id}/components and
 * GET /api/v1/components?category= (docs/digest.md, "Component trends"):
 * access as for the digest, the exact shape, the counts and the alert of a
 * hinge wave against a quiet baseline, category sums and their cap.
 *
 * Review times are "day k": noon UTC k days before today (clock.h), so the
 * UTC days of the rule are known. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "atom_check.h"
#include "clock.h"
#include "seed.h"
#include "testmain.h"

static json_t *review(const char *product, int rating, int k, const char *title, const char *body)
{
    char ts[32];
    json_t *o =
        json_pack("{s:s, s:i, s:s, s:s, s:s}", "product_id", product, "rating", rating,
                  "created_at", clk_rfc3339(clk_at_day(k), ts), "title", title, "body", body);

    assert_non_null(o);
    return o;
}

/* seed_wave posts a product's history: a hinge complaint every 10 days
 * from day 10 to day 80 (the baseline), `wave` hinge complaints over days
 * 0..3, and `praise` battery praises at day 20. */
static void seed_wave(struct chorusd *d, const char *product, int wave, int praise)
{
    json_t *arr = json_array();

    for (int k = 10; k <= 80; k += 10)
        json_array_append_new(arr, review(product, 2, k, "Loose", "The hinge is loose."));
    for (int i = 0; i < wave; i++)
        json_array_append_new(arr, review(product, 1, i % 4, "Broken", "The hinge cracked again."));
    for (int i = 0; i < praise; i++)
        json_array_append_new(arr, review(product, 5, 20, "Great", "The battery life is superb."));
    seed_reviews(d, arr, NULL);
}

/* row returns the object of component id in a components answer. */
static json_t *row(json_t *root, const char *id)
{
    json_t *list = json_object_get(root, "components"), *o;
    size_t i;

    assert_true(json_is_array(list));
    json_array_foreach(list, i, o)
    {
        if (json_is_string(json_object_get(o, "component")) &&
            strcmp(json_string_value(json_object_get(o, "component")), id) == 0)
            return o;
    }
    fail_msg("no component %s in the answer", id);
    return NULL;
}

CHORUS_TEST_SETUP(components_shape_and_access, h_setup, h_teardown)
{
    static const char *const fields[] = {
        "component",     "label", "complaints_7d", "expected_7d", "complaints_90d", "mentions_90d",
        "sentiment_90d", "alert", "since",         "known_issue", "release"};
    struct chorusd *d = *state;
    const char *path = "/api/v1/products/lap-1/components";
    char since_day[16];
    struct hresp *r;
    json_t *h, *b;
    char *token;

    clk_away_from_end(86400, 120);
    seed_product(d, "lap-1", "{\"name\":\"Best Seller 15\",\"category\":\"laptops/x\"}");
    seed_wave(d, "lap-1", 8, 3);

    r = h_get(d, path);
    expect_problem(r, 401);
    hresp_free(r);
    r = h_get(d, h_fmt("%s?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", path));
    expect_problem(r, 403);
    hresp_free(r);
    r = h_get(d, "/api/v1/components?category=laptops");
    expect_problem(r, 401);
    hresp_free(r);
    r = h_get_key(d, h_fmt("%s?bogus=1", path));
    expect_problem(r, 400);
    hresp_free(r);
    r = h_get_key(d, "/api/v1/products/nope/components");
    expect_problem(r, 404);
    hresp_free(r);

    r = h_post_json(d, "/api/v1/digest-tokens", "{\"name\":\"hinge team\"}");
    expect_status(r, 201);
    token = strdup(json_string_value(jpath(r->json, "token")));
    hresp_free(r);
    r = h_get(d, h_fmt("%s?token=%s", path, token));
    expect_status(r, 200);
    hresp_free(r);
    free(token);

    r = h_get_key(d, path);
    expect_status(r, 200);
    expect_header(r, "Content-Type", "application/json");
    assert_int_equal(json_object_size(r->json), 1);
    h = row(r->json, "hinge");
    assert_int_equal(json_object_size(h), sizeof(fields) / sizeof(fields[0]));
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        if (!json_object_get(h, fields[i]))
            fail_msg("hinge has no %s", fields[i]);
    expect_jstr(h, "label", "Hinge");
    expect_jint(h, "complaints_7d", 8);
    /* The 8 baseline complaints (days 10..80) and one more: 9 * 7 / 90. */
    expect_jnum(h, "expected_7d", 0.70);
    expect_jint(h, "complaints_90d", 16);
    expect_jint(h, "mentions_90d", 16);
    expect_jnum(h, "sentiment_90d", 0.0);
    expect_jbool(h, "alert", true);
    expect_jnull(h, "known_issue");
    /* The episode began on the first day the week held 5 complaints: the
     * wave's complaints fall on days 3, 2, 1, 0 (two each), so on day 1. */
    assert_true(json_is_string(json_object_get(h, "since")));
    clk_date(clk_at_day(1), since_day);
    assert_string_equal(json_string_value(json_object_get(h, "since")),
                        h_fmt("%sT00:00:00Z", since_day));

    b = row(r->json, "battery");
    expect_jint(b, "complaints_7d", 0);
    expect_jint(b, "mentions_90d", 3);
    expect_jnum(b, "sentiment_90d", 1.0);
    expect_jbool(b, "alert", false);
    expect_jnull(b, "since");
    expect_jnull(b, "known_issue");
    /* A component nobody named is listed with zeros and no sentiment. */
    expect_jint(row(r->json, "keyboard"), "mentions_90d", 0);
    expect_jnull(row(r->json, "keyboard"), "sentiment_90d");
    hresp_free(r);
}

/* A rise that began after a release names it: the nearest release on or
 * before the episode's first day, in the API, the digest entry and the
 * dashboard; a component without an alert names none. */
CHORUS_TEST_SETUP(components_alert_names_release, h_setup, h_teardown_extra)
{
    struct chorusd *d = *state;
    char at[32], old[32], body[256];
    struct hresp *r;
    json_t *h;

    clk_away_from_end(86400, 120);
    seed_product(d, "rel-1", "{\"name\":\"Ridge 14\",\"category\":\"laptops\"}");
    seed_wave(d, "rel-1", 8, 3);
    clk_rfc3339(clk_at_day(5), at);
    clk_rfc3339(clk_at_day(40), old);
    snprintf(body, sizeof(body),
             "[{\"version\":\"BIOS 1.13\",\"released_at\":\"%s\"},"
             "{\"version\":\"BIOS <1.14>\",\"released_at\":\"%s\"}]",
             old, at);
    r = h_put_json(d, "/api/v1/products/rel-1/releases", body);
    expect_status(r, 200);
    hresp_free(r);
    r = h_get_key(d, "/api/v1/products/rel-1/components");
    expect_status(r, 200);
    h = row(r->json, "hinge");
    expect_jbool(h, "alert", true);
    expect_jstr(h, "release.version", "BIOS <1.14>");
    expect_jstr(h, "release.released_at", at);
    expect_jnull(row(r->json, "battery"), "release");
    hresp_free(r);
    r = h_get_key(d, "/feeds/digest.atom?product=rel-1");
    expect_status(r, 200);
    expect_contains(r->body, "release=\"BIOS &lt;1.14&gt;\"");
    expect_contains(r->body, "the usual since BIOS &amp;lt;1.14&amp;gt;");
    hresp_free(r);
    r = h_get_key(d, "/dashboard");
    expect_status(r, 200);
    expect_contains(r->body, "after BIOS &lt;1.14&gt; (released");
    expect_contains(r->body, "a release on ");
    hresp_free(r);
}

/* One wave named two ways: complaints about the hinge that also say the
 * screen flickers open a display alert beside the hinge's. The API lists
 * both; the digest gives the hinge one entry that says the same complaints
 * name the display, and no display entry. A display rise of its own on
 * another product keeps its entry. */
CHORUS_TEST_SETUP(digest_folds_co_mentioned_alerts, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    const char *xp = "/atom:feed/atom:entry[atom:category/@term = 'component-alert']";
    json_t *arr = json_array();
    struct hresp *r;
    xmlDoc *doc;
    char *content;

    clk_away_from_end(86400, 120);
    seed_product(d, "two-1", "{\"name\":\"Two Ways 14\",\"category\":\"laptops\"}");
    seed_product(d, "disp-1", "{\"name\":\"Screens 15\",\"category\":\"laptops\"}");
    seed_wave(d, "two-1", 8, 0);
    for (int i = 0; i < 6; i++) {
        json_array_append_new(
            arr, review("two-1", 1, i % 4, "Broken", "The hinge cracked and the screen flickers."));
        json_array_append_new(
            arr, review("disp-1", 1, i % 4, "Flicker", "The screen flickers all day."));
    }
    seed_reviews(d, arr, NULL);
    r = h_get_key(d, "/api/v1/products/two-1/components");
    expect_status(r, 200);
    expect_jbool(row(r->json, "hinge"), "alert", true);
    expect_jbool(row(r->json, "display"), "alert", true);
    hresp_free(r);

    doc = ac_fetch(d, "/feeds/digest.atom", true);
    ac_expect_count(doc, NULL, h_fmt("%s[chorus:component-alert/@product = 'two-1']", xp), 1);
    ac_expect_str(doc, NULL,
                  h_fmt("string(%s[chorus:component-alert/@product = 'two-1']"
                        "/chorus:component-alert/@component)",
                        xp),
                  "hinge");
    ac_expect_str(doc, NULL,
                  h_fmt("string(%s/chorus:component-alert[@product = 'two-1']"
                        "/chorus:also/@component)",
                        xp),
                  "display");
    ac_expect_str(
        doc, NULL,
        h_fmt("string(%s/chorus:component-alert[@product = 'two-1']/chorus:also/@of)", xp), "6");
    content = ac_str(
        doc, NULL, h_fmt("string(%s[chorus:component-alert/@product = 'two-1']/atom:content)", xp));
    expect_contains(content, "The same complaints also name Display (6 of the 6");
    free(content);
    /* The other product's display rise is its own. */
    ac_expect_count(doc, NULL,
                    h_fmt("%s/chorus:component-alert[@product = 'disp-1' and @component = "
                          "'display']",
                          xp),
                    1);
    xmlFreeDoc(doc);
}

CHORUS_TEST_SETUP(components_quiet_product_no_alert, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    struct hresp *r;

    clk_away_from_end(86400, 120);
    seed_product(d, "quiet", "{\"name\":\"Quiet 13\",\"category\":\"laptops\"}");
    /* Its baseline and one extra hinge complaint this week. */
    seed_wave(d, "quiet", 1, 0);
    r = h_get_key(d, "/api/v1/products/quiet/components");
    expect_status(r, 200);
    expect_jint(row(r->json, "hinge"), "complaints_7d", 1);
    expect_jbool(row(r->json, "hinge"), "alert", false);
    expect_jnull(row(r->json, "hinge"), "since");
    hresp_free(r);
}

CHORUS_TEST_SETUP(components_category_sums, h_setup, h_teardown_extra)
{
    struct chorusd *d = *state;
    struct hresp *r;

    clk_away_from_end(86400, 120);
    seed_product(d, "a-1", "{\"name\":\"A\",\"category\":\"laptops/a\"}");
    seed_product(d, "b-1", "{\"name\":\"B\",\"category\":\"laptops/b\"}");
    seed_product(d, "p-1", "{\"name\":\"P\",\"category\":\"phones\"}");
    seed_wave(d, "a-1", 5, 1);
    seed_wave(d, "b-1", 5, 2);
    seed_wave(d, "p-1", 0, 4);

    /* Neither laptop alone is alarming (5 against 0.7 expected: p = 8e-4);
     * together they are (10 against 1.32). */
    r = h_get_key(d, "/api/v1/components?category=laptops/a");
    expect_status(r, 200);
    expect_jbool(row(r->json, "hinge"), "alert", false);
    hresp_free(r);
    r = h_get_key(d, "/api/v1/components?category=laptops");
    expect_status(r, 200);
    expect_jint(row(r->json, "hinge"), "complaints_7d", 10);
    expect_jint(row(r->json, "hinge"), "complaints_90d", 26);
    expect_jint(row(r->json, "battery"), "mentions_90d", 3);
    /* Twice the baseline of one product: (16 + 1) * 7 / 90. */
    expect_jnum(row(r->json, "hinge"), "expected_7d", 1.32);
    expect_jbool(row(r->json, "hinge"), "alert", true);
    hresp_free(r);
    r = h_get_key(d, "/api/v1/components?category=laptops/b");
    expect_status(r, 200);
    expect_jint(row(r->json, "hinge"), "complaints_7d", 5);
    expect_jint(row(r->json, "battery"), "mentions_90d", 2);
    hresp_free(r);
    r = h_get_key(d, "/api/v1/components");
    expect_status(r, 200);
    expect_jint(row(r->json, "battery"), "mentions_90d", 7);
    hresp_free(r);
    r = h_get_key(d, "/api/v1/components?category=nowhere");
    expect_problem(r, 404);
    hresp_free(r);

    /* The cap on products summed. */
    h_extra = chorusd_new("components_max_products = 1\n");
    assert_non_null(h_extra);
    seed_product(h_extra, "a-1", "{\"name\":\"A\",\"category\":\"laptops/a\"}");
    seed_product(h_extra, "b-1", "{\"name\":\"B\",\"category\":\"laptops/b\"}");
    seed_wave(h_extra, "a-1", 3, 1);
    seed_wave(h_extra, "b-1", 3, 2);
    r = h_get_key(h_extra, "/api/v1/components?category=laptops");
    expect_problem(r, 413);
    expect_jcontains(r->json, "detail", "components_max_products");
    hresp_free(r);
    r = h_get_key(h_extra, "/api/v1/components?category=laptops/a");
    expect_status(r, 200);
    expect_jint(row(r->json, "hinge"), "complaints_7d", 3);
    hresp_free(r);
}

/* The digest's component alert: its own entry, valid Atom, once per
 * episode whatever day or digest URL it is read through. */
CHORUS_TEST_SETUP(digest_component_alert_entry, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    const char *xp = "/atom:feed/atom:entry[atom:category/@term = 'component-alert']";
    char since_day[16];
    xmlNode *e;
    xmlDoc *doc;
    char *id, *title, *content;
    struct hresp *r;

    clk_away_from_end(86400, 120);
    seed_product(d, "lap-1", "{\"name\":\"Best <Seller> 15\",\"category\":\"laptops/x\"}");
    seed_product(d, "quiet", "{\"name\":\"Quiet 13\",\"category\":\"laptops/x\"}");
    seed_wave(d, "lap-1", 8, 3);
    seed_wave(d, "quiet", 1, 0);
    clk_date(clk_at_day(1), since_day);

    r = h_get(d, "/feeds/digest.atom");
    expect_problem(r, 401);
    hresp_free(r);
    doc = ac_fetch(d, "/feeds/digest.atom", true);
    ac_expect_count(doc, NULL, xp, 1);
    e = ac_node(doc, NULL, xp, 0);
    title = ac_str(doc, e, "string(atom:title)");
    assert_string_equal(title, "\xe2\x9a\xa0 Hinge complaints rising \xc2\xb7 Best <Seller> 15");
    ac_expect_str(doc, e, "string(chorus:component-alert/@component)", "hinge");
    ac_expect_str(doc, e, "string(chorus:component-alert/@since)", since_day);
    /* The counts on the day it began: 6 in the week against 0.70. */
    ac_expect_str(doc, e, "string(chorus:component-alert/@complaints_7d)", "6");
    ac_expect_str(doc, e, "string(chorus:component-alert/@expected_7d)", "0.70");
    ac_expect_count(doc, e, "chorus:component-alert/chorus:review", 6);
    content = ac_str(doc, e, "string(atom:content)");
    expect_contains(content, "Hinge complaints rising");
    expect_contains(content, "0.70");
    expect_contains(content, "/p/lap-1");
    id = ac_str(doc, e, "string(atom:id)");
    expect_contains(id, h_fmt("digest-component/lap-1/hinge/%s", since_day));
    xmlFreeDoc(doc);

    /* Another digest URL shows the same entry, the same id; a product
     * digest of the quiet product none. */
    doc = ac_fetch(d, "/feeds/digest.atom?max_rating=1&tz=%2B02:00&days=30", true);
    ac_expect_count(doc, NULL, xp, 1);
    ac_expect_str(doc, NULL, h_fmt("string(%s/atom:id)", xp), id);
    xmlFreeDoc(doc);
    doc = ac_fetch(d, "/feeds/digest.atom?product=quiet", true);
    ac_expect_count(doc, NULL, xp, 0);
    xmlFreeDoc(doc);
    /* A window that ends before the episode began does not show it, and
     * one that begins after does not either (it was due earlier). */
    doc = ac_fetch(d, "/feeds/digest.atom?days=1", true);
    ac_expect_count(doc, NULL, xp, 0);
    xmlFreeDoc(doc);
    free(id);
    free(title);
    free(content);
}

/* dash_get fetches the dashboard with the key and parses it as HTML. */
static xmlDoc *dash_get(struct chorusd *d, const char *path)
{
    struct hresp *r = h_get_key(d, path);
    xmlDoc *doc;

    expect_status(r, 200);
    doc = ac_parse_html(r->body);
    hresp_free(r);
    return doc;
}

/* The dashboard's components column: the alert with its numbers and an
 * accessible sparkline, and the share positive of the components most
 * reviews judged; labels from the taxonomy are escaped. */
CHORUS_TEST_SETUP(dashboard_components_column, h_setup, h_teardown_extra)
{
    struct chorusd *d = *state;
    const char *cell = "//tbody/tr[@data-product = 'lap-1']/td[9]";
    char *s, *tax, *conf;
    xmlDoc *doc;

    clk_away_from_end(86400, 120);
    seed_product(d, "lap-1", "{\"name\":\"Best <Seller> 15\",\"category\":\"laptops/x\"}");
    seed_product(d, "quiet", "{\"name\":\"Quiet 13\",\"category\":\"laptops/x\"}");
    seed_wave(d, "quiet", 1, 0);
    seed_wave(d, "lap-1", 8, 3);

    doc = dash_get(d, "/dashboard?category=laptops");
    ac_expect_str(doc, NULL, "normalize-space(//table/thead/tr/th[10])", "Components5");
    /* The product with a component alert sorts first. */
    ac_expect_str(doc, NULL, "string((//tbody/tr)[1]/@data-product)", "lap-1");
    ac_expect_count(doc, NULL, h_fmt("%s/div[@class = 'cd-comp-alert']", cell), 1);
    ac_expect_str(doc, NULL, h_fmt("string(%s/div/@data-component)", cell), "hinge");
    s = ac_str(doc, NULL, h_fmt("normalize-space(%s/div)", cell));
    expect_contains(s, "Hinge complaints rising");
    expect_contains(s, "8 in 7 days against 0.70 expected");
    free(s);
    ac_expect_count(doc, NULL, h_fmt("%s/div/svg[@role = 'img']/title", cell), 1);
    s = ac_str(doc, NULL, h_fmt("string(%s/div/svg/@aria-label)", cell));
    expect_contains(s, "Daily complaints");
    expect_contains(s, "10 in all");
    free(s);
    /* The hinge complaints of 30 days: baseline days 10 and 20 and the
     * wave's days 0..3, one bar each. */
    ac_expect_count(doc, NULL, h_fmt("%s/div/svg/rect", cell), 6);
    ac_expect_str(doc, NULL, h_fmt("normalize-space(%s/ul/li[1])", cell), "Hinge 0% positive (16)");
    ac_expect_str(doc, NULL, h_fmt("normalize-space(%s/ul/li[2])", cell),
                  "Battery 100% positive (3)");
    ac_expect_count(doc, NULL, "//tbody/tr[@data-product = 'quiet']/td[9]/div", 0);
    xmlFreeDoc(doc);

    /* A taxonomy's labels are the operator's text, escaped all the same. */
    tax = strdup(h_fmt("%s/taxonomy.txt", d->root));
    {
        const char *text = "hinge | Hinge<script>x</script> | hinge*\n";

        h_write_file(tax, text, strlen(text));
    }
    conf = strdup(h_fmt("taxonomy_file = %s\n", tax));
    h_extra = chorusd_new(conf);
    assert_non_null(h_extra);
    seed_product(h_extra, "lap-1", "{\"name\":\"Best 15\",\"category\":\"laptops/x\"}");
    seed_wave(h_extra, "lap-1", 8, 0);
    doc = dash_get(h_extra, "/dashboard");
    ac_expect_count(doc, NULL, "//script", 0);
    s = ac_str(doc, NULL, h_fmt("normalize-space(%s/div)", cell));
    expect_contains(s, "Hinge<script>x</script> complaints rising");
    free(s);
    xmlFreeDoc(doc);
    free(conf);
    free(tax);
}

CHORUS_TEST_MAIN()
