/* text_components and text_components_tags. */
#include "testmain.h"

#include <stdlib.h>

#include "chorus/base.h"
#include "chorus/text.h"

static struct text_taxonomy *parse_ok(const char *doc)
{
    struct text_taxonomy *t = NULL;
    char err[256];

    if (text_taxonomy_parse(&t, doc, strlen(doc), err, sizeof(err)) != 0)
        fail_msg("parse failed: %s", err);
    return t;
}

static const char *tags(const struct text_taxonomy *t, const char *title, const char *body)
{
    static char out[TEXT_TAGS_MAX];

    text_components_tags(t, title, body, out, sizeof(out));
    return out;
}

/* has says whether the matches include (component id, phrase) and with what
 * count (0: absent). */
static uint32_t has(const struct text_taxonomy *t, const struct text_match *m, size_t n,
                    const char *id, const char *phrase)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(text_taxonomy_id(t, m[i].component), id) == 0 &&
            strcmp(m[i].phrase, phrase) == 0)
            return m[i].count;
    return 0;
}

/* check_order checks that matches come in taxonomy order, each pair once. */
static void check_order(const struct text_match *m, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        assert_true(m[i - 1].component <= m[i].component);
        assert_true(m[i - 1].phrase != m[i].phrase);
        assert_true(m[i].count > 0);
    }
}

CHORUS_TEST(match_default_complaints)
{
    struct text_taxonomy *t = NULL;
    struct text_match m[64];
    size_t n;

    assert_int_equal(text_taxonomy_default(&t), 0);

    assert_string_equal(tags(t, NULL, "The hinge cracked after a month"), "hinge");
    text_components(t, NULL, "The hinge cracked after a month", m, 64, &n);
    assert_int_equal(has(t, m, n, "hinge", "hinge*"), 1);

    assert_string_equal(tags(t, "Wi-Fi keeps dropping", NULL), "wireless");
    text_components(t, "Wi-Fi keeps dropping", NULL, m, 64, &n);
    assert_int_equal(has(t, m, n, "wireless", "wi-fi"), 1);
    assert_int_equal(has(t, m, n, "wireless", "keeps dropping"), 1);
    assert_string_equal(tags(t, "WI FI drops", "wifi card"), "wireless");

    assert_string_equal(tags(t, NULL, "USB-C port stopped charging"), "battery,ports");
    text_components(t, NULL, "USB-C port stopped charging", m, 64, &n);
    check_order(m, n);
    assert_int_equal(has(t, m, n, "ports", "usb-c"), 1);
    assert_int_equal(has(t, m, n, "ports", "port"), 1);
    assert_int_equal(has(t, m, n, "battery", "charging"), 1);
    assert_int_equal(has(t, m, n, "battery", "stopped charging"), 1);
    assert_string_equal(text_taxonomy_id(t, m[0].component), "battery");

    assert_string_equal(tags(t, NULL, "fan is loud and it overheats"), "fan-heat");
    text_components(t, NULL, "fan is loud and it overheats", m, 64, &n);
    assert_int_equal(has(t, m, n, "fan-heat", "fan"), 1);
    assert_int_equal(has(t, m, n, "fan-heat", "overheat*"), 1);

    /* The apostrophe a phone types still matches "won't charge". */
    text_components(t, "Dead", "My battery won\xE2\x80\x99t charge. Battery!", m, 64, &n);
    assert_int_equal(has(t, m, n, "battery", "won't charge"), 1);
    assert_int_equal(has(t, m, n, "battery", "battery"), 2);
    assert_int_equal(has(t, m, n, "battery", "charge"), 1);

    assert_string_equal(tags(t, "Screen flickers", "and the trackpad is jumpy"),
                        "touchpad,display");
    assert_string_equal(tags(t, NULL, "Support refused the RMA; the BIOS update bricked it."),
                        "firmware,support");
    assert_string_equal(tags(t, "Arrived late", "The package was crushed, FedEx lost it"),
                        "shipping");
    assert_string_equal(tags(t, NULL, "Keyboard keys stick and the spacebar rattles"), "keyboard");
    assert_string_equal(tags(t, NULL, "Docking station not detected after the driver update"),
                        "drivers,ports");
    /* A happy review names no component: "box", "port" and "fan" only match
     * as whole words. */
    assert_string_equal(tags(t, "Great laptop",
                             "Works out of the box, very portable, fast; a fanatic of this "
                             "brand, fantastic support for Linux? no, just kidding"),
                        "support");
    assert_string_equal(tags(t, "Great laptop", "Works out of the box, portable and fast."), "");
    text_taxonomy_free(t);
}

CHORUS_TEST(match_word_boundaries)
{
    struct text_taxonomy *t, *p;
    struct text_match m[8];
    size_t n;

    t = parse_ok("a | A | hind, fan, tech\n");
    p = parse_ok("a | A | hind, fan*\n");
    assert_string_equal(tags(t, NULL, "behind the fanatic, hinder technology"), "");
    assert_string_equal(tags(t, NULL, "the hind leg"), "a");
    assert_string_equal(tags(t, NULL, "fan."), "a");
    assert_string_equal(tags(t, NULL, "FAN-tastic"), "a"); /* "-" separates words */
    text_components(p, NULL, "behind the fanatic and his fans; a fan", m, 8, &n);
    assert_int_equal(n, 1);
    assert_string_equal(m[0].phrase, "fan*");
    assert_int_equal(m[0].count, 3);
    /* A prefix never matches a shorter word. */
    text_components(p, NULL, "fa f", m, 8, &n);
    assert_int_equal(n, 0);
    text_taxonomy_free(t);
    text_taxonomy_free(p);
}

CHORUS_TEST(match_phrases)
{
    struct text_taxonomy *t;
    struct text_match m[16];
    size_t n = 99;

    t = parse_ok("first | First | power button, fast charg*, battery, battery life\n"
                 "second | Second | fan, loud fan, wi-fi, b\xC3\xA4r\n");
    /* Words separated by any non-word characters; counts per pair. */
    text_components(t, "Loud fan!", "fan fan. Fast-charging, fast charger; POWER\n\tbutton", m, 16,
                    &n);
    assert_int_equal(n, 4);
    assert_string_equal(m[0].phrase, "power button");
    assert_int_equal(m[0].count, 1);
    assert_string_equal(m[1].phrase, "fast charg*");
    assert_int_equal(m[1].count, 2);
    assert_string_equal(m[2].phrase, "fan");
    assert_int_equal(m[2].count, 3);
    assert_int_equal(m[2].component, 1);
    assert_string_equal(m[3].phrase, "loud fan");
    assert_int_equal(m[3].count, 1);
    /* Overlapping phrases both count. */
    text_components(t, NULL, "battery life", m, 16, &n);
    assert_int_equal(n, 2);
    assert_string_equal(m[0].phrase, "battery");
    assert_string_equal(m[1].phrase, "battery life");
    /* A phrase does not span title and body; the prefix is on the last word
     * only ("fast c" is too short). */
    text_components(t, "loud", "fan fast c", m, 16, &n);
    assert_int_equal(n, 1);
    assert_string_equal(m[0].phrase, "fan");
    /* Non-ASCII words match bytewise; wi-fi matches "Wi Fi". */
    text_components(t, "B\xC3\x84R", "b\xC3\xA4r, WI FI", m, 16, &n);
    assert_int_equal(n, 2);
    assert_string_equal(m[0].phrase, "wi-fi");
    assert_string_equal(m[1].phrase, "b\xC3\xA4r");
    assert_int_equal(m[1].count, 1); /* "BÄR" folds to "bÄr": ASCII only */
    /* cap limits the output; NULL texts are empty. */
    text_components(t, "battery life fan", NULL, m, 2, &n);
    assert_int_equal(n, 2);
    assert_string_equal(m[1].phrase, "battery life");
    text_components(t, NULL, NULL, m, 16, &n);
    assert_int_equal(n, 0);
    assert_int_equal(text_components(t, "fan", NULL, m, 0, &n), 0);
    assert_int_equal(n, 0);
    text_taxonomy_free(t);
}

CHORUS_TEST(match_long_text)
{
    struct text_taxonomy *t;
    struct text_match m[4];
    struct buf b;
    size_t n;

    /* A ten-word phrase found across the window's wrap-around, and a long
     * text with no allocation per word. */
    t = parse_ok("long | L | one two three four five six seven eight nine ten, x*\n");
    buf_init(&b, 0);
    for (int i = 0; i < 5000; i++) {
        if (i % 97 == 0)
            buf_puts(&b, "One, two, three; four five six seven eight nine TEN ");
        buf_printf(&b, "w%d ", i);
        if (i % 500 == 0)
            buf_puts(&b, "one two three four five six seven eight nine ");
    }
    buf_puts(&b, "one two three four five six seven eight nine ten");
    text_components(t, NULL, b.data, m, 4, &n);
    assert_int_equal(n, 1);
    assert_int_equal(m[0].count, 5000 / 97 + 1 + 1);
    buf_cleanup(&b);
    text_taxonomy_free(t);
}

CHORUS_TEST(match_tags)
{
    struct text_taxonomy *t;
    char out[32];

    t = parse_ok("aa | A | alpha\nbb | B | beta\ncc | C | gamma\n");
    assert_string_equal(tags(t, "gamma", "alpha alpha"), "aa,cc");
    assert_string_equal(tags(t, "nothing here", NULL), "");
    assert_string_equal(tags(t, NULL, NULL), "");
    /* A small buffer holds whole ids only. */
    text_components_tags(t, "alpha beta gamma", NULL, out, 6);
    assert_string_equal(out, "aa,bb");
    text_components_tags(t, "alpha beta gamma", NULL, out, 5);
    assert_string_equal(out, "aa");
    text_components_tags(t, "alpha beta gamma", NULL, out, 2);
    assert_string_equal(out, "");
    out[0] = 'x';
    text_components_tags(t, "alpha", NULL, out, 0);
    assert_int_equal(out[0], 'x');
    text_taxonomy_free(t);

    /* TEXT_TAGS_MAX holds every id of the largest taxonomy. */
    {
        struct buf b, text;
        char all[TEXT_TAGS_MAX];

        buf_init(&b, 0);
        buf_init(&text, 0);
        for (int i = 0; i < TEXT_MAX_COMPONENTS; i++) {
            buf_printf(&b, "c%031d | C | w%d\n", i, i); /* 32-byte ids */
            buf_printf(&text, "w%d ", i);
        }
        t = parse_ok(b.data);
        text_components_tags(t, NULL, text.data, all, sizeof(all));
        assert_int_equal(strlen(all), TEXT_TAGS_MAX - 1);
        text_taxonomy_free(t);
        buf_cleanup(&b);
        buf_cleanup(&text);
    }
}
