/* text_terms_*: bags of terms and the log-odds ranking. */
#include "testmain.h"

#include <math.h>
#include <stdlib.h>

#include "chorus/base.h"
#include "chorus/text.h"

#define ALL (-INFINITY)

static struct text_term out[1024];

static size_t rank(const struct text_terms *fg, const struct text_terms *bg, double min_z,
                   uint32_t min_docs)
{
    size_t n = 12345;

    assert_int_equal(text_terms_distinctive(fg, bg, min_z, min_docs, out, 1024, &n), 0);
    assert_true(n <= 1024);
    for (size_t i = 0; i < n; i++) {
        assert_true(isfinite(out[i].z));
        assert_true(out[i].z >= min_z);
        assert_true(out[i].docs >= min_docs);
        assert_true(out[i].count >= out[i].docs);
        if (i) {
            /* z descending, then count descending, then term ascending */
            assert_true(out[i - 1].z >= out[i].z);
            if (out[i - 1].z == out[i].z) {
                assert_true(out[i - 1].count >= out[i].count);
                if (out[i - 1].count == out[i].count)
                    assert_true(strcmp(out[i - 1].term, out[i].term) < 0);
            }
        }
    }
    return n;
}

static const struct text_term *term(size_t n, const char *t)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(out[i].term, t) == 0)
            return &out[i];
    return NULL;
}

CHORUS_TEST(terms_bag)
{
    struct text_terms *b = text_terms_new();
    const struct text_term *t;
    size_t n;

    assert_int_equal(text_terms_docs(b), 0);
    n = rank(b, NULL, ALL, 0);
    assert_int_equal(n, 0);
    text_terms_add(b, "Battery drains", "The battery drains fast. 2023 model");
    text_terms_add(b, NULL, "fast fast");
    text_terms_add(b, NULL, NULL);
    assert_int_equal(text_terms_docs(b), 3);
    n = rank(b, NULL, ALL, 0);
    t = term(n, "battery drains");
    assert_non_null(t);
    assert_int_equal(t->count, 2);
    assert_int_equal(t->docs, 1);
    assert_int_equal(t->background, 0);
    t = term(n, "fast");
    assert_non_null(t);
    assert_int_equal(t->count, 3);
    assert_int_equal(t->docs, 2);
    t = term(n, "fast fast");
    assert_non_null(t);
    assert_int_equal(t->count, 1);
    t = term(n, "drains fast");
    assert_non_null(t);
    assert_int_equal(t->count, 1);
    t = term(n, "model");
    assert_non_null(t);
    assert_int_equal(t->count, 1);
    /* Stop words, numbers and bigrams over a sentence end are not terms;
     * "battery" and "drains" are hidden by "battery drains". */
    assert_null(term(n, "the"));
    assert_null(term(n, "2023"));
    assert_null(term(n, "fast model"));
    assert_null(term(n, "battery"));
    assert_null(term(n, "drains"));
    assert_int_equal(n, 5);
    text_terms_free(b);
    text_terms_free(NULL);
    text_terms_add(NULL, "x", "y");
    assert_int_equal(text_terms_docs(NULL), 0);
}

static const char *const fg_titles[] = {"Battery drains fast", "Disappointed",
                                        "Battery drains overnight", "Not worth it"};
static const char *const fg_bodies[] = {
    "The battery drains overnight even when it sleeps. Returned it.",
    "Battery drains in two hours; the fan is loud too.",
    "Within a week the battery drains while closed. Battery drains again after the update.",
    "My battery drains so fast I carry the charger everywhere.",
    "Battery drains, screen is fine, keyboard is fine.",
};
static const char *const bg_titles[] = {"Great screen", "Love it"};
static const char *const bg_bodies[] = {
    "Great screen and great keyboard. Battery life is fine.",
    "The great screen is bright, the keyboard is comfortable.",
    "Great screen, fast SSD, battery lasts all day.",
    "Love it. Great screen for movies.",
};

/* fixture fills fg with 20 complaints and bg with 40 happy reviews; reverse
 * adds them in the opposite order. */
static void fixture(struct text_terms *fg, struct text_terms *bg, bool reverse)
{
    for (int k = 0; k < 40; k++) {
        int i = reverse ? 39 - k : k;

        if (i < 20)
            text_terms_add(fg, fg_titles[i % 4], fg_bodies[i % 5]);
        text_terms_add(bg, bg_titles[i % 2], bg_bodies[i % 4]);
    }
}

CHORUS_TEST(terms_battery_drains)
{
    struct text_terms *fg = text_terms_new(), *bg = text_terms_new();
    const struct text_term *t;
    size_t n;

    fixture(fg, bg, false);
    assert_int_equal(text_terms_docs(fg), 20);
    assert_int_equal(text_terms_docs(bg), 40);
    n = rank(fg, bg, 1.96, 2);
    assert_true(n > 0);
    assert_string_equal(out[0].term, "battery drains");
    assert_int_equal(out[0].count, 34);
    assert_int_equal(out[0].docs, 20);
    assert_int_equal(out[0].background, 0);
    assert_true(out[0].z > 3);
    /* Its words are hidden; the happy reviews' phrase is not distinctive. */
    assert_null(term(n, "battery"));
    assert_null(term(n, "drains"));
    assert_null(term(n, "great screen"));
    assert_null(term(n, "great"));
    /* "overnight" comes only after "drains", so the bigram stands for it;
     * said in 4 of 20 complaints and never in praise, it stands out too,
     * but well below the main complaint. */
    t = term(n, "drains overnight");
    assert_non_null(t);
    assert_true(t->z < out[0].z);
    n = rank(fg, bg, 1.0, 2);
    assert_non_null(term(n, "drains overnight"));
    assert_null(term(n, "overnight"));

    /* The other way round, the praise comes first and the complaint not at all. */
    n = rank(bg, fg, 1.96, 2);
    assert_true(n >= 2);
    assert_true(strcmp(out[0].term, "great screen") == 0 ||
                strcmp(out[1].term, "great screen") == 0);
    t = term(n, "great screen");
    assert_int_equal(t->count, 60);
    assert_int_equal(t->background, 0);
    assert_null(term(n, "screen")); /* hidden: always said as "great screen" */
    assert_null(term(n, "battery drains"));
    text_terms_free(fg);
    text_terms_free(bg);
}

CHORUS_TEST(terms_no_stopwords)
{
    static const char *const docs[] = {
        "I would really just get it, but it's the one product I don't like.",
        "It's not great; it would be so nice if the item was good. I'm done with it!",
        "They've got 2 of them and we'd have bought 3 more, wouldn't you?",
        "Don\xE2\x80\x99t buy: the product is fine but really nothing special. 15.6 inch, 16GB",
    };
    struct text_terms *fg = text_terms_new();
    size_t n;

    for (int r = 0; r < 3; r++)
        for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++)
            text_terms_add(fg, docs[i], docs[(i + 1) % 4]);
    n = rank(fg, NULL, ALL, 0);
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++) {
        char w[2 * TEXT_WORD_MAX];
        char *sp;
        size_t len = strlen(out[i].term);

        assert_true(len > 0 && len < sizeof(w));
        assert_true(chorus_utf8_valid(out[i].term, len));
        memcpy(w, out[i].term, len + 1);
        sp = strchr(w, ' ');
        if (sp) {
            *sp = '\0';
            assert_null(strchr(sp + 1, ' '));
            if (text_stopword(sp + 1) || strspn(sp + 1, "0123456789") == strlen(sp + 1))
                fail_msg("term \"%s\"", out[i].term);
        }
        if (text_stopword(w) || strspn(w, "0123456789") == strlen(w))
            fail_msg("term \"%s\"", out[i].term);
    }
    assert_non_null(term(n, "inch 16gb")); /* a comma is no sentence end */
    assert_non_null(term(n, "special"));
    text_terms_free(fg);
}

CHORUS_TEST(terms_bigram_hiding)
{
    struct text_terms *fg = text_terms_new(), *bg = text_terms_new();
    const struct text_term *t;
    size_t n;

    for (int i = 0; i < 5; i++)
        text_terms_add(fg, NULL, "Fan noise. Fan noise. Fan noise.");
    for (int i = 0; i < 6; i++)
        text_terms_add(fg, NULL, "Some noise.");
    for (int i = 0; i < 50; i++)
        text_terms_add(bg, "noise", NULL);

    /* "fan noise" scores at least as well as "fan" (same counts) and as
     * "noise" (said more, but mostly in the background): both hidden. */
    n = rank(fg, bg, ALL, 0);
    assert_int_equal(n, 1);
    assert_string_equal(out[0].term, "fan noise");
    assert_int_equal(out[0].count, 15);
    assert_int_equal(out[0].docs, 5);

    /* A bigram that is filtered out hides nothing. */
    n = rank(fg, bg, ALL, 6);
    assert_int_equal(n, 1);
    assert_string_equal(out[0].term, "noise");
    assert_int_equal(out[0].count, 21);
    assert_int_equal(out[0].docs, 11);
    assert_int_equal(out[0].background, 50);

    /* A word said more often on its own than in the bigram stays. */
    text_terms_add(fg, NULL, "fan fan fan fan fan fan fan fan fan fan fan fan fan fan fan fan");
    n = rank(fg, bg, ALL, 0);
    t = term(n, "fan");
    assert_non_null(t);
    assert_int_equal(t->count, 31);
    assert_non_null(term(n, "fan noise"));
    assert_null(term(n, "noise"));
    text_terms_free(fg);
    text_terms_free(bg);
}

CHORUS_TEST(terms_sentences)
{
    struct text_terms *fg = text_terms_new();
    const struct text_term *t;
    size_t n;

    text_terms_add(fg, "battery", "drains");
    text_terms_add(fg, "battery. drains! battery? drains; battery\ndrains\r\nbattery",
                   "battery, drains battery \xE2\x80\x94 drains. battery is drains. battery 2 "
                   "drains. Battery\xE2\x80\x99s drain");
    n = rank(fg, NULL, ALL, 0);
    t = term(n, "battery drains");
    assert_non_null(t);
    assert_int_equal(t->count, 2);
    assert_int_equal(t->docs, 1);
    t = term(n, "drains battery");
    assert_non_null(t);
    assert_int_equal(t->count, 1);
    assert_non_null(term(n, "battery's drain"));
    assert_null(term(n, "battery battery"));
    t = term(n, "battery");
    assert_non_null(t);
    assert_int_equal(t->count, 9);
    assert_int_equal(t->docs, 2);
    text_terms_free(fg);
}

CHORUS_TEST(terms_determinism)
{
    struct text_terms *fg1 = text_terms_new(), *bg1 = text_terms_new();
    struct text_terms *fg2 = text_terms_new(), *bg2 = text_terms_new();
    static struct text_term first[1024];
    size_t n1, n2;

    fixture(fg1, bg1, false);
    fixture(fg2, bg2, true);
    n1 = rank(fg1, bg1, ALL, 0);
    memcpy(first, out, n1 * sizeof(*out));
    n2 = rank(fg2, bg2, ALL, 0);
    assert_int_equal(n1, n2);
    assert_true(n1 > 10);
    for (size_t i = 0; i < n1; i++) {
        assert_string_equal(first[i].term, out[i].term);
        assert_int_equal(first[i].count, out[i].count);
        assert_int_equal(first[i].docs, out[i].docs);
        assert_int_equal(first[i].background, out[i].background);
        assert_true(first[i].z == out[i].z);
    }
    /* Ties on z and count go by term. */
    text_terms_free(fg2);
    fg2 = text_terms_new();
    for (int i = 0; i < 3; i++)
        text_terms_add(fg2, NULL, "zeta. alpha. mid. alpha.");
    n2 = rank(fg2, NULL, ALL, 0);
    assert_int_equal(n2, 3);
    assert_string_equal(out[0].term, "alpha");
    assert_string_equal(out[1].term, "mid");
    assert_string_equal(out[2].term, "zeta");
    assert_true(out[1].z == out[2].z);
    text_terms_free(fg1);
    text_terms_free(bg1);
    text_terms_free(fg2);
    text_terms_free(bg2);
}

CHORUS_TEST(terms_filters)
{
    struct text_terms *fg = text_terms_new(), *bg = text_terms_new();
    struct text_term few[3];
    size_t n, all;

    fixture(fg, bg, false);
    all = rank(fg, bg, ALL, 0);
    assert_true(all > 10);
    n = rank(fg, bg, 2.5, 0);
    assert_true(n < all);
    n = rank(fg, bg, ALL, 10);
    assert_true(n < all);
    /* cap keeps the best. */
    assert_int_equal(text_terms_distinctive(fg, bg, ALL, 0, few, 3, &n), 0);
    assert_int_equal(n, 3);
    rank(fg, bg, ALL, 0);
    for (int i = 0; i < 3; i++)
        assert_string_equal(few[i].term, out[i].term);
    assert_int_equal(text_terms_distinctive(fg, bg, ALL, 0, few, 0, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(text_terms_distinctive(NULL, bg, ALL, 0, few, 3, &n), 0);
    assert_int_equal(n, 0);
    /* An empty foreground ranks nothing, even against a full background. */
    text_terms_free(fg);
    fg = text_terms_new();
    assert_int_equal(rank(fg, bg, ALL, 0), 0);
    assert_int_equal(rank(fg, NULL, ALL, 0), 0);
    /* A one-term vocabulary has nothing to contrast: z is 0, not infinite. */
    text_terms_add(fg, "battery", NULL);
    n = rank(fg, NULL, ALL, 0);
    assert_int_equal(n, 1);
    assert_true(out[0].z == 0);
    assert_int_equal(rank(fg, NULL, 0.5, 0), 0);
    text_terms_free(fg);
    text_terms_free(bg);
}

/* word26 writes "t" and i in four base-26 letters. */
static void word26(char *w, unsigned i)
{
    w[0] = 't';
    for (int k = 4; k >= 1; k--) {
        w[k] = (char)('a' + i % 26);
        i /= 26;
    }
    w[5] = '\0';
}

CHORUS_TEST(terms_cap)
{
    struct text_terms *fg = text_terms_new();
    struct text_term *all = malloc(250000 * sizeof(*all));
    char w[8], late[8];
    struct buf b;
    size_t n;

    assert_non_null(all);
    buf_init(&b, 0);
    /* 210,000 distinct words, one per sentence so no bigrams. */
    for (unsigned i = 0; i < 210000; i++) {
        word26(w, i);
        buf_printf(&b, "%s. ", w);
    }
    text_terms_add(fg, NULL, b.data);
    assert_int_equal(text_terms_distinctive(fg, NULL, ALL, 0, all, 250000, &n), 0);
    assert_int_equal(n, 200000);

    /* Full: known terms go on counting, new ones are ignored. */
    word26(w, 0);
    word26(late, 205000);
    buf_reset(&b);
    buf_printf(&b, "%s. %s. %s", w, late, w);
    text_terms_add(fg, NULL, b.data);
    assert_int_equal(text_terms_docs(fg), 2);
    assert_int_equal(text_terms_distinctive(fg, NULL, ALL, 0, all, 250000, &n), 0);
    assert_int_equal(n, 200000);
    assert_string_equal(all[0].term, w);
    assert_int_equal(all[0].count, 3);
    assert_int_equal(all[0].docs, 2);
    for (size_t i = 0; i < n; i++)
        if (strcmp(all[i].term, late) == 0)
            fail_msg("%s was added past the cap", late);
    buf_cleanup(&b);
    free(all);
    text_terms_free(fg);
}
