/* The engineer digest (GET /feeds/digest.atom) and its reader tokens: who
 * may read it, one entry per product and reader's day with complaints, the
 * window, rating threshold and time zone, component themes and distinctive
 * terms, and the trend alert (rules in docs/digest.md and feeds/trend.c).
 *
 * Review times are relative to the clock, since the digest's window ends
 * today: day k is noon UTC of the day k days before today (or a minute ago,
 * today, when noon is still to come), far from any day boundary. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "atom_check.h"
#include "clock.h"
#include "seed.h"
#include "testmain.h"

#define DIGEST "/feeds/digest.atom"

/* ---- time ------------------------------------------------------------------------------ */

/* The shared helpers in clock.h, under this file's short names. */
#define at_day(k)            clk_at_day(k)
#define rfc3339(t, out)      clk_rfc3339((t), (out))
#define date_of(t, out)      clk_date((t), (out))
#define away_from_midnight() clk_away_from_end(86400, 120)

/* ---- posting --------------------------------------------------------------------------- */

/* review builds one review object (title and body may be NULL); new
 * reference. */
static json_t *review(const char *product, int rating, int64_t at, const char *title,
                      const char *body)
{
    char ts[32];
    json_t *o = json_pack("{s:s, s:i, s:s}", "product_id", product, "rating", rating, "created_at",
                          rfc3339(at, ts));

    assert_non_null(o);
    if (title)
        json_object_set_new(o, "title", json_string(title));
    if (body)
        json_object_set_new(o, "body", json_string(body));
    return o;
}

/* post posts one review and returns its id. */
static uint64_t post(struct chorusd *d, const char *product, int rating, int64_t at,
                     const char *title, const char *body)
{
    return seed_review(d, review(product, rating, at, title, body));
}

/* ---- reading the digest ---------------------------------------------------------------- */

/* entry_of returns the digest entry of product on date day, or NULL. */
static xmlNode *entry_of(xmlDoc *doc, const char *product, const char *day)
{
    return ac_node(doc, NULL,
                   h_fmt("/atom:feed/atom:entry[chorus:digest[@product = '%s' and @day = '%s']]",
                         product, day),
                   0);
}

/* entry_with returns the entry listing review id, or NULL. */
static xmlNode *entry_with(xmlDoc *doc, uint64_t id)
{
    return ac_node(doc, NULL,
                   h_fmt("/atom:feed/atom:entry[chorus:digest/chorus:review[@id = '%llu']]",
                         (unsigned long long)id),
                   0);
}

/* expect_entry checks the i-th entry (1-based) is product's on day with n
 * complaints. */
#define expect_entry(doc, i, product, day, n)                                                      \
    expect_entry_((doc), (i), (product), (day), (n), __FILE__, __LINE__)
static void expect_entry_(xmlDoc *doc, int i, const char *product, const char *day, int n,
                          const char *file, int line)
{
    char want[256], *got = ac__str(doc, NULL,
                                   h_fmt("concat(/atom:feed/atom:entry[%d]/chorus:digest/@product,"
                                         "' ', /atom:feed/atom:entry[%d]/chorus:digest/@day, ' ',"
                                         "/atom:feed/atom:entry[%d]/chorus:digest/@complaints)",
                                         i, i, i),
                                   file, line);

    snprintf(want, sizeof(want), "%s %s %d", product, day, n);
    if (strcmp(got, want) != 0) {
        print_error("digest entry %d is \"%s\" (product day complaints), expected \"%s\"\n", i, got,
                    want);
        free(got);
        _fail(file, line);
    }
    free(got);
}

/* expect_reviews checks an entry lists exactly the reviews ids[0..n). */
static void expect_reviews(xmlDoc *doc, xmlNode *e, const uint64_t *ids, size_t n)
{
    assert_non_null(e);
    ac_expect_count(doc, e, "chorus:digest/chorus:review", n);
    for (size_t i = 0; i < n; i++)
        ac_expect_count(
            doc, e, h_fmt("chorus:digest/chorus:review[@id = '%llu']", (unsigned long long)ids[i]),
            1);
}

/* entry_ids writes the atom:id of every entry (heap strings) into out and
 * returns how many. */
static size_t entry_ids(xmlDoc *doc, char **out, size_t cap)
{
    xmlNode *e[32];
    size_t n = ac_entries(doc, e, 32);

    assert_true(n <= cap && n <= 32);
    for (size_t i = 0; i < n; i++)
        out[i] = ac_str(doc, e[i], "atom:id");
    return n;
}

/* ---- access ------------------------------------------------------------------------------ */

static bool base64url(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_'))
            return false;
    return true;
}

CHORUS_TEST_SETUP(digest_private, h_setup, h_teardown_extra)
{
    struct chorusd *d = *state;
    struct hreq nokey = {.method = "POST",
                         .path = "/api/v1/digest-tokens",
                         .ctype = "application/json",
                         .body = "{\"name\":\"x\"}",
                         .len = 12};
    static const char *const bad_bodies[] = {
        "{}",         "{\"name\":\"\"}",  "{\"name\":5}", "{\"name\":\"a\",\"scope\":\"all\"}",
        "{\"name\":", "[\"hinge team\"]",
    };
    char *token, *tid;
    struct hresp *r;
    xmlDoc *doc;

    away_from_midnight();

    /* Something to read: an empty digest is another case (digest_empty). */
    seed_product(d, "pv-1", "{\"name\":\"Private 1\",\"category\":\"laptops\"}");
    post(d, "pv-1", 1, at_day(1), "Dead on arrival", "It would not turn on.");

    r = h_get(d, DIGEST);
    expect_problem(r, 401);
    hresp_free(r);
    r = h_get(d, DIGEST "?token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    expect_problem(r, 403);
    hresp_free(r);
    r = h_get(d, DIGEST "?token=");
    if (r->status != 401 && r->status != 403)
        expect_problem(r, 403);
    hresp_free(r);

    /* A token is made with the key and shown once. */
    r = h_post_json(d, "/api/v1/digest-tokens", "{\"name\":\"hinge team\"}");
    expect_status(r, 201);
    expect_header(r, "Content-Type", "application/json");
    assert_true(json_is_integer(jpath(r->json, "id")));
    assert_true(json_integer_value(jpath(r->json, "id")) > 0);
    expect_jstr(r->json, "name", "hinge team");
    assert_true(json_is_string(jpath(r->json, "token")));
    token = strdup(json_string_value(jpath(r->json, "token")));
    tid = strdup(h_fmt("%lld", (long long)json_integer_value(jpath(r->json, "id"))));
    assert_int_equal(strlen(token), 43);
    assert_true(base64url(token));
    expect_jcontains(r->json, "digest_url", h_fmt("/feeds/digest.atom?token=%s", token));
    expect_jcontains(r->json, "digest_url", h_fmt("http://127.0.0.1:%d/", d->port));
    hresp_free(r);

    /* It opens the digest, with nothing else. */
    doc = ac_fetch(d, h_fmt(DIGEST "?token=%s", token), false);
    ac_expect_count(doc, NULL, "/atom:feed/atom:entry", 1);
    xmlFreeDoc(doc);
    doc = ac_fetch(d, h_fmt(DIGEST "?category=laptops&token=%s", token), false);
    xmlFreeDoc(doc);
    /* So does the key. */
    doc = ac_fetch(d, DIGEST, true);
    xmlFreeDoc(doc);

    /* Listed without the secret. */
    r = h_get_key(d, "/api/v1/digest-tokens");
    expect_status(r, 200);
    assert_int_equal(json_array_size(jpath(r->json, "tokens")), 1);
    expect_jint(r->json, "tokens[0].id", strtoll(tid, NULL, 10));
    expect_jstr(r->json, "tokens[0].name", "hinge team");
    assert_null(jpath(r->json, "tokens[0].token"));
    assert_null(strstr(r->body, token));
    hresp_free(r);
    r = h_get(d, "/api/v1/digest-tokens");
    expect_problem(r, 401);
    hresp_free(r);

    /* Revoked: refused from then on. */
    r = h_delete(d, h_fmt("/api/v1/digest-tokens/%s", tid));
    expect_status(r, 204);
    hresp_free(r);
    r = h_get(d, h_fmt(DIGEST "?token=%s", token));
    expect_problem(r, 403);
    hresp_free(r);
    r = h_delete(d, h_fmt("/api/v1/digest-tokens/%s", tid));
    expect_problem(r, 404);
    hresp_free(r);
    r = h_get_key(d, "/api/v1/digest-tokens");
    expect_status(r, 200);
    assert_int_equal(json_array_size(jpath(r->json, "tokens")), 0);
    hresp_free(r);

    /* Making one needs the key and a proper body. */
    r = h_do(d, &nokey);
    expect_problem(r, 401);
    hresp_free(r);
    for (size_t i = 0; i < sizeof(bad_bodies) / sizeof(bad_bodies[0]); i++) {
        r = h_post_json(d, "/api/v1/digest-tokens", bad_bodies[i]);
        expect_problem(r, 400);
        hresp_free(r);
    }
    free(token);
    free(tid);

    /* digest_access = public: open to anyone. */
    h_extra = chorusd_new("digest_access = public\n");
    assert_non_null(h_extra);
    seed_product(h_extra, "pv-1", "{\"name\":\"Private 1\",\"category\":\"laptops\"}");
    post(h_extra, "pv-1", 1, at_day(1), "Dead on arrival", "It would not turn on.");
    doc = ac_fetch(h_extra, DIGEST, false);
    ac_expect_count(doc, NULL, "/atom:feed/atom:entry", 1);
    xmlFreeDoc(doc);

    /* A private digest read with the API key must not be stored by shared
     * caches: RFC 9111 3.5 lets a shared cache keep a reply to a request with
     * Authorization, and serve it to anyone, when it says "public". Checked
     * last so the checks above run whatever this finds. */
    r = h_get_key(d, DIGEST);
    expect_status(r, 200);
    if (hresp_header(r, "Cache-Control") && strstr(hresp_header(r, "Cache-Control"), "public"))
        fail_msg("GET " DIGEST " with the API key answers Cache-Control: %s",
                 hresp_header(r, "Cache-Control"));
    hresp_free(r);
}

/* ---- days and counts ------------------------------------------------------------------------ */

CHORUS_TEST_SETUP(digest_days_and_counts, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    char day0[16], day1[16], day2[16], *ids1[8], *ids2[8], *ids3[8], *id_before, *upd_before;
    uint64_t a0[3], a2, b1[3], three;
    size_t n1, n2, n3;
    xmlDoc *doc;
    xmlNode *e;

    away_from_midnight();

    date_of(at_day(0), day0);
    date_of(at_day(1), day1);
    date_of(at_day(2), day2);
    seed_product(d, "dg-a", "{\"name\":\"Alpha 14\",\"category\":\"laptops/x\"}");
    seed_product(d, "dg-b", "{\"name\":\"Beta 15\",\"category\":\"laptops/y\"}");
    a0[0] = post(d, "dg-a", 1, at_day(0), "Screen flickers", "The screen flickers all day.");
    a0[1] = post(d, "dg-a", 2, at_day(0), "Meh", "Keyboard feels cheap.");
    a2 = post(d, "dg-a", 1, at_day(2), "Dead", "Would not boot.");
    b1[0] = post(d, "dg-b", 1, at_day(1), "Loud fan", "The fan is loud.");
    b1[1] = post(d, "dg-b", 2, at_day(1), "Hot", "Runs hot.");
    b1[2] = post(d, "dg-b", 1, at_day(1), "Returned", "Sent it back.");
    /* Not complaints: 4 and 5 stars, a 3-star (only with max_rating=3), and
     * a 1-star older than the 14-day window. */
    post(d, "dg-a", 5, at_day(0), "Great", "Love it.");
    post(d, "dg-a", 4, at_day(1), "Good", "Nice.");
    post(d, "dg-b", 5, at_day(2), "Great", "Fast.");
    three = post(d, "dg-a", 3, at_day(0), "Okay", "Average.");
    post(d, "dg-a", 1, at_day(20), "Old", "Long ago.");

    doc = ac_fetch(d, DIGEST "?category=laptops", true);
    ac_expect_count(doc, NULL, "/atom:feed/atom:entry", 3);
    expect_entry(doc, 1, "dg-a", day0, 2);
    expect_entry(doc, 2, "dg-b", day1, 3);
    expect_entry(doc, 3, "dg-a", day2, 1);
    expect_reviews(doc, entry_of(doc, "dg-a", day0), a0, 2);
    expect_reviews(doc, entry_of(doc, "dg-b", day1), b1, 3);
    expect_reviews(doc, entry_of(doc, "dg-a", day2), &a2, 1);
    n1 = entry_ids(doc, ids1, 8);
    xmlFreeDoc(doc);

    /* The same without a category (every product). */
    doc = ac_fetch(d, DIGEST, true);
    ac_expect_count(doc, NULL, "/atom:feed/atom:entry", 3);
    xmlFreeDoc(doc);

    /* max_rating=3 counts the 3-star. */
    doc = ac_fetch(d, DIGEST "?category=laptops&max_rating=3", true);
    ac_expect_count(doc, NULL, "/atom:feed/atom:entry", 3);
    expect_entry(doc, 1, "dg-a", day0, 3);
    expect_entry(doc, 2, "dg-b", day1, 3);
    expect_entry(doc, 3, "dg-a", day2, 1);
    a0[2] = three;
    expect_reviews(doc, entry_of(doc, "dg-a", day0), a0, 3);
    xmlFreeDoc(doc);

    /* days=1 is today only. */
    doc = ac_fetch(d, DIGEST "?category=laptops&days=1", true);
    ac_expect_count(doc, NULL, "/atom:feed/atom:entry", 1);
    expect_entry(doc, 1, "dg-a", day0, 2);
    xmlFreeDoc(doc);

    /* One product. */
    doc = ac_fetch(d, DIGEST "?product=dg-b", true);
    ac_expect_count(doc, NULL, "/atom:feed/atom:entry", 1);
    expect_entry(doc, 1, "dg-b", day1, 3);
    xmlFreeDoc(doc);
    doc = ac_fetch(d, DIGEST "?category=laptops/y", true);
    ac_expect_count(doc, NULL, "/atom:feed/atom:entry", 1);
    expect_entry(doc, 1, "dg-b", day1, 3);
    xmlFreeDoc(doc);

    /* The reader's time zone moves day boundaries: day 2's complaint was at
     * noon UTC, which is 02:00 the next day at +14:00 and exactly midnight
     * starting its own day at -12:00. */
    doc = ac_fetch(d, DIGEST "?category=laptops&tz=%2B14:00", true);
    e = entry_with(doc, a2);
    assert_non_null(e);
    ac_expect_str(doc, e, "chorus:digest/@day", day1);
    xmlFreeDoc(doc);
    doc = ac_fetch(d, DIGEST "?category=laptops&tz=840", true);
    ac_expect_str(doc, entry_with(doc, a2), "chorus:digest/@day", day1);
    xmlFreeDoc(doc);
    doc = ac_fetch(d, DIGEST "?category=laptops&tz=-720", true);
    ac_expect_str(doc, entry_with(doc, a2), "chorus:digest/@day", day2);
    xmlFreeDoc(doc);
    doc = ac_fetch(d, DIGEST "?category=laptops&tz=-12:00", true);
    ac_expect_str(doc, entry_with(doc, a2), "chorus:digest/@day", day2);
    xmlFreeDoc(doc);

    /* Entry ids are stable: the next request and after a restart. */
    doc = ac_fetch(d, DIGEST "?category=laptops", true);
    n2 = entry_ids(doc, ids2, 8);
    xmlFreeDoc(doc);
    chorusd_restart(d);
    doc = ac_fetch(d, DIGEST "?category=laptops", true);
    n3 = entry_ids(doc, ids3, 8);
    id_before = ac_str(doc, entry_of(doc, "dg-a", day0), "atom:id");
    upd_before = ac_str(doc, entry_of(doc, "dg-a", day0), "atom:updated");
    xmlFreeDoc(doc);
    assert_int_equal(n1, 3);
    assert_int_equal(n2, n1);
    assert_int_equal(n3, n1);
    for (size_t i = 0; i < n1; i++) {
        assert_string_equal(ids1[i], ids2[i]);
        assert_string_equal(ids1[i], ids3[i]);
    }
    ac_strs_free(ids1, n1);
    ac_strs_free(ids2, n2);
    ac_strs_free(ids3, n3);

    /* Another complaint the same day: the same entry, updated, counting 3.
     * <updated> is the newest complaint's arrival, in whole seconds. */
    {
        struct timespec ts = {1, 200 * 1000 * 1000};

        nanosleep(&ts, NULL);
    }
    a0[2] = post(d, "dg-a", 2, at_day(0), "Battery", "The battery drains fast.");
    doc = ac_fetch(d, DIGEST "?category=laptops", true);
    ac_expect_count(doc, NULL, "/atom:feed/atom:entry", 3);
    expect_entry(doc, 1, "dg-a", day0, 3);
    e = entry_of(doc, "dg-a", day0);
    expect_reviews(doc, e, a0, 3);
    ac_expect_str(doc, e, "atom:id", id_before);
    {
        char *upd = ac_str(doc, e, "atom:updated");

        if (strcmp(upd, upd_before) <= 0)
            fail_msg("the entry's <updated> did not move forward: %s, before %s", upd, upd_before);
        free(upd);
    }
    free(id_before);
    free(upd_before);
    xmlFreeDoc(doc);
}

/* ---- themes -----------------------------------------------------------------------------------
 */

CHORUS_TEST_SETUP(digest_themes, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    static const char *const complaints[][2] = {
        {"Hinge cracked", "After two weeks the hinge cracked."},
        {"Hinge cracked again", "The hinge cracked when I opened it this morning."},
        {"Hinge cracked", "Hinge cracked on day three, very disappointed."},
        {"Poor build", "My hinge cracked and now I am sending it back."},
    };
    static const char *const praise[] = {
        "Great screen and great speakers.",
        "The great screen is bright and sharp.",
        "Great screen, fast and light.",
        "Fast, light and a great screen.",
    };
    static const char *const stop[] = {"the", "and", "a", "of", "to", "it", "i", "is", "was", "on"};
    size_t nc = sizeof(complaints) / sizeof(complaints[0]);
    json_t *arr;
    xmlNode *comp, *e;
    unsigned best = 0;
    xmlDoc *doc;
    size_t np, nt;
    char *s;

    away_from_midnight();

    seed_product(d, "th-1", "{\"name\":\"Theme 13\",\"category\":\"laptops/th\"}");
    for (size_t i = 0; i < nc; i++)
        post(d, "th-1", 1 + (int)(i % 2), at_day(1), complaints[i][0], complaints[i][1]);
    /* Terms are scored against the product's positive reviews: the
     * background needs some size before anything can stand out (with a
     * handful of 5-star reviews the prior swamps every term). */
    arr = json_array();
    for (int i = 0; i < 30; i++)
        json_array_append_new(arr, review("th-1", 5, at_day(1 + i), "Great screen", praise[i % 4]));
    seed_reviews(d, arr, NULL);

    doc = ac_fetch(d, DIGEST "?product=th-1", true);
    ac_expect_count(doc, NULL, "/atom:feed/atom:entry", 1);
    e = ac_node(doc, NULL, "/atom:feed/atom:entry", 0);
    ac_expect_str(doc, e, "chorus:digest/@complaints", h_fmt("%zu", nc));

    /* The hinge component, with every complaint, and its phrases. */
    comp = ac_node(doc, e, "chorus:digest/chorus:component[@id = 'hinge']", 0);
    if (!comp)
        fail_msg("no chorus:component id=\"hinge\" in the entry");
    ac_expect_str(doc, comp, "@reviews", h_fmt("%zu", nc));
    np = ac_count(doc, comp, "chorus:phrase");
    assert_true(np >= 1);
    for (size_t i = 0; i < np; i++) {
        char *text = ac_str(doc, comp, h_fmt("chorus:phrase[%zu]", i + 1));
        char *count = ac_str(doc, comp, h_fmt("chorus:phrase[%zu]/@count", i + 1));

        if (strstr(text, "hinge") && strtoul(count, NULL, 10) > best)
            best = (unsigned)strtoul(count, NULL, 10);
        free(text);
        free(count);
    }
    if (best < nc)
        fail_msg("no hinge phrase counted at least %zu times (best %u)", nc, best);
    /* The praise is not what the complaints are about. */
    ac_expect_count(doc, e, "chorus:digest/chorus:component[@id = 'display']", 0);

    /* The words that stand out lead with the hinge, and none is a stop word. */
    nt = ac_count(doc, e, "chorus:digest/chorus:term");
    assert_true(nt >= 1);
    s = ac_str(doc, e, "chorus:digest/chorus:term[1]");
    if (!strstr(s, "hinge") && !strstr(s, "cracked"))
        fail_msg("the first term is \"%s\", expected one about the cracked hinge", s);
    free(s);
    for (size_t i = 0; i < nt; i++) {
        char *t = ac_str(doc, e, h_fmt("chorus:digest/chorus:term[%zu]", i + 1));

        for (size_t k = 0; k < sizeof(stop) / sizeof(stop[0]); k++)
            if (strcmp(t, stop[k]) == 0)
                fail_msg("term %zu is the stop word \"%s\"", i + 1, t);
        assert_null(strstr(t, "great")); /* the background's words do not stand out */
        free(t);
    }
    s = ac_str(doc, e, "atom:content");
    expect_contains(s, "Hinge");
    free(s);
    xmlFreeDoc(doc);
}

/* The words that stand out are what an engineer can act on: the version
 * the complaints name comes first, and the words of complaining ("wanted",
 * "used", "second", "become"), said in every complaint and never in the
 * praise, are not listed (docs/digest.md, "Words an engineer can act on"). */
CHORUS_TEST_SETUP(digest_terms_actionable, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    static const char *const complaints[][2] = {
        {"Battery drains", "Since BIOS 1.14 the battery drains overnight. I wanted a fix and "
                           "used it for a second week; it has become useless."},
        {"Wanted to love it", "After the bios 1.14 update the battery drains in standby. Used "
                              "it a second time, it has become worse, I wanted my money back."},
        {"Standby drain", "BIOS version 1.14 made the battery drain. I wanted to use it on "
                          "the train for a second day but it has become flat."},
        {"Become unusable", "The battery drains since BIOS 1.14, wanted a rollback, used "
                            "support twice, a second ticket, it has become a pattern."},
    };
    static const char *const filler[] = {"wanted", "used", "second", "become", "use"};
    json_t *arr;
    xmlNode *e;
    xmlDoc *doc;
    size_t nt;
    char *s;

    away_from_midnight();
    seed_product(d, "ta-1", "{\"name\":\"Term 14\",\"category\":\"laptops/ta\"}");
    for (size_t i = 0; i < 4; i++)
        post(d, "ta-1", 1, at_day(1), complaints[i][0], complaints[i][1]);
    arr = json_array();
    for (int i = 0; i < 30; i++)
        json_array_append_new(
            arr, review("ta-1", 5, at_day(1 + i), "Great screen", "Great screen, fast and light."));
    seed_reviews(d, arr, NULL);

    doc = ac_fetch(d, DIGEST "?product=ta-1", true);
    e = ac_node(doc, NULL, "/atom:feed/atom:entry", 0);
    assert_non_null(e);
    s = ac_str(doc, e, "chorus:digest/chorus:term[1]");
    assert_string_equal(s, "BIOS 1.14");
    free(s);
    ac_expect_str(doc, e, "chorus:digest/chorus:term[1]/@reviews", "4");
    nt = ac_count(doc, e, "chorus:digest/chorus:term");
    assert_true(nt >= 2);
    for (size_t i = 0; i < nt; i++) {
        char *t = ac_str(doc, e, h_fmt("chorus:digest/chorus:term[%zu]", i + 1));

        for (size_t k = 0; k < sizeof(filler) / sizeof(filler[0]); k++)
            if (strstr(t, filler[k]))
                fail_msg("term %zu \"%s\" holds the filler word \"%s\"", i + 1, t, filler[k]);
        free(t);
    }
    s = ac_str(doc, e, "atom:content");
    expect_contains(s, "BIOS 1.14");
    free(s);
    xmlFreeDoc(doc);
}

/* ---- trend alert ---------------------------------------------------------------------------- */

#define TREND_ALERT "\xe2\x9a\xa0 Trend alert" /* ⚠ Trend alert */

CHORUS_TEST_SETUP(digest_trend_alert, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    char day0[16], *alert_day, *s;
    json_t *arr = json_array();
    xmlNode *alert, *e;
    xmlDoc *doc;

    away_from_midnight();

    seed_product(d, "tr-1", "{\"name\":\"Trend 14\",\"category\":\"laptops/tr\"}");
    seed_product(d, "tq-1", "{\"name\":\"Quiet 14\",\"category\":\"laptops/tq\"}");
    /* History: a 5 and a 4 every third day from day 10 to day 67, 40 ratings
     * averaging 4.5 (the 90-day minimum is 20), no 7 days of them holding
     * the 5 ratings a short window needs. */
    for (int i = 0; i < 20; i++) {
        json_array_append_new(arr, review("tr-1", 5, at_day(10 + 3 * i), "Great", "Love it."));
        json_array_append_new(arr, review("tr-1", 4, at_day(10 + 3 * i), "Good", "Solid."));
    }
    seed_reviews(d, arr, NULL);
    /* Then two 1-star reviews a day on days 3, 2, 1 and 0: 8 in the last
     * 7 days, averaging 1. */
    arr = json_array();
    for (int k = 3; k >= 0; k--)
        for (int i = 0; i < 2; i++)
            json_array_append_new(arr, review("tr-1", 1, at_day(k), "Broken", "Stopped working."));
    seed_reviews(d, arr, NULL);
    /* Another product: one 1-star in the window and little history. */
    post(d, "tq-1", 4, at_day(30), "Fine", "Does the job.");
    post(d, "tq-1", 1, at_day(1), "Broken", "Stopped working.");

    doc = ac_fetch(d, DIGEST "?category=laptops", true);
    ac_expect_count(doc, NULL, "/atom:feed/atom:entry", 5); /* tr-1 x 4 days, tq-1 x 1 */

    /* Exactly one entry carries the alert: once per episode. */
    ac_expect_count(doc, NULL, "/atom:feed/atom:entry[chorus:digest/chorus:alert]", 1);
    ac_expect_count(doc, NULL, "//atom:category[@term = 'trend-alert']", 1);
    ac_expect_count(doc, NULL, "/atom:feed/atom:entry[starts-with(atom:title, '" TREND_ALERT "')]",
                    1);
    alert = ac_node(doc, NULL, "/atom:feed/atom:entry[chorus:digest/chorus:alert]", 0);
    assert_non_null(alert);
    ac_expect_str(doc, alert, "chorus:digest/@product", "tr-1");
    ac_expect_count(doc, alert, "atom:category[@term = 'trend-alert']", 1);
    s = ac_str(doc, alert, "atom:title");
    if (strncmp(s, TREND_ALERT, strlen(TREND_ALERT)) != 0)
        fail_msg("the alert entry's title is \"%s\"", s);
    free(s);
    {
        char *a7 = ac_str(doc, alert, "chorus:digest/chorus:alert/@average_7d");
        char *a90 = ac_str(doc, alert, "chorus:digest/chorus:alert/@average_90d");
        char *n7 = ac_str(doc, alert, "chorus:digest/chorus:alert/@ratings_7d");

        if (!(strtod(a7, NULL) + 0.5 <= strtod(a90, NULL)) || strtoul(n7, NULL, 10) < 5)
            fail_msg("alert: 7-day average %s over %s ratings against %s over 90 days", a7, n7,
                     a90);
        free(a7);
        free(a90);
        free(n7);
    }

    /* Later days of the same episode do not repeat it: today's entry is
     * later than the alert's and has none. */
    date_of(at_day(0), day0);
    alert_day = ac_str(doc, alert, "chorus:digest/@day");
    if (strcmp(alert_day, day0) >= 0)
        fail_msg("the alert is on %s, today's entry (%s) leaves no later day to check", alert_day,
                 day0);
    free(alert_day);
    e = entry_of(doc, "tr-1", day0);
    assert_non_null(e);
    ac_expect_count(doc, e, "chorus:digest/chorus:alert", 0);
    ac_expect_count(doc, e, "atom:category[@term = 'trend-alert']", 0);

    /* The other product has no alert. */
    ac_expect_count(doc, NULL,
                    "/atom:feed/atom:entry[chorus:digest/@product = 'tq-1']"
                    "[chorus:digest/chorus:alert]",
                    0);
    ac_expect_count(doc, NULL, "/atom:feed/atom:entry[chorus:digest/@product = 'tq-1']", 1);
    xmlFreeDoc(doc);

    /* A narrower window that starts after the episode began shows no alert:
     * it was due on an earlier day, and does not move to the window's first
     * entry (the alert must not fire again each day the window slides). */
    doc = ac_fetch(d, DIGEST "?category=laptops&days=1", true);
    ac_expect_count(doc, NULL, "/atom:feed/atom:entry[chorus:digest/@product = 'tr-1']", 1);
    ac_expect_count(doc, NULL, "/atom:feed/atom:entry[chorus:digest/chorus:alert]", 0);
    xmlFreeDoc(doc);
}

/* ---- errors and the empty digest --------------------------------------------------------------
 */

CHORUS_TEST_SETUP(digest_unknown, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    static const char *const bad[] = {
        "max_rating=0", "max_rating=6",
        "max_rating=x", "days=0",
        "days=91",      "days=",
        "tz=abc",       "tz=841",
        "tz=-721",      "tz=%2B15:00",
        "tz=%2B02:60",  "tz=02:00",
        "limit=5",      "category=laptops&bogus=1",
    };
    struct hresp *r;

    away_from_midnight();

    seed_product(d, "un-1", "{\"name\":\"Known\",\"category\":\"laptops/un\"}");
    post(d, "un-1", 1, at_day(1), "Broken", "Stopped working.");

    r = h_get_key(d, DIGEST "?product=no-such-product");
    expect_problem(r, 404);
    hresp_free(r);
    r = h_get_key(d, DIGEST "?category=no-such-category");
    expect_problem(r, 404);
    hresp_free(r);
    r = h_get_key(d, DIGEST "?category=laptops/none");
    expect_problem(r, 404);
    hresp_free(r);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        r = h_get_key(d, h_fmt(DIGEST "?%s", bad[i]));
        if (r->status != 400)
            print_error("GET " DIGEST "?%s\n", bad[i]);
        expect_problem(r, 400);
        hresp_free(r);
    }
}

/* A digest's size is bounded: past 300 entries only the newest are kept,
 * and the feed says so. */
CHORUS_TEST_SETUP(digest_caps, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    json_t *arr = json_array();
    char *sub;
    xmlDoc *doc;

    away_from_midnight();
    /* 32 products with a complaint on each of the last 10 days: 320. They
     * name no component: a component named daily from nothing would add a
     * component alert entry per product (test_components.c). */
    for (int p = 0; p < 32; p++)
        for (int k = 0; k < 10; k++)
            json_array_append_new(
                arr, review(h_fmt("cap-%02d", p), 1, at_day(k), "Broken", "It is no good."));
    seed_reviews(d, arr, NULL);
    doc = ac_fetch(d, DIGEST, true);
    ac_expect_count(doc, NULL, "/atom:feed/atom:entry", 300);
    sub = ac_str(doc, NULL, "/atom:feed/atom:subtitle");
    expect_contains(sub, "Only the newest 300 entries are shown (20 more)");
    free(sub);
    /* The newest are the ones kept: today's 32 entries are all there. */
    {
        char day0[16];

        date_of(at_day(0), day0);
        ac_expect_count(doc, NULL, h_fmt("/atom:feed/atom:entry[chorus:digest/@day = '%s']", day0),
                        32);
    }
    xmlFreeDoc(doc);
}

/* A digest with nothing to report is a valid, empty feed. */
CHORUS_TEST_SETUP(digest_empty, h_setup, h_teardown)
{
    struct chorusd *d = *state;
    xmlDoc *doc;

    away_from_midnight();

    doc = ac_fetch(d, DIGEST, true); /* no products at all */
    ac_expect_count(doc, NULL, "/atom:feed/atom:entry", 0);
    xmlFreeDoc(doc);
    seed_product(d, "em-1", "{\"name\":\"Happy\",\"category\":\"laptops/em\"}");
    post(d, "em-1", 5, at_day(1), "Great", "No complaints.");
    doc = ac_fetch(d, DIGEST "?category=laptops", true);
    ac_expect_count(doc, NULL, "/atom:feed/atom:entry", 0);
    xmlFreeDoc(doc);
}

CHORUS_TEST_MAIN()
