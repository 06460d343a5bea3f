/* text_sentiment: polarity, negation, intensifiers, contrast, the title,
 * and hostile input. The rules are those of docs/sentiment.md; these cases
 * pin the behaviour it promises, not the exact numbers. */
#include "testmain.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "chorus/text.h"

static double body(const char *s)
{
    return text_sentiment(NULL, s);
}

static void expect_pos(const char *s)
{
    double v = body(s);

    if (!(v > 0.05))
        fail_msg("expected positive: %.3f for \"%s\"", v, s);
}

static void expect_neg(const char *s)
{
    double v = body(s);

    if (!(v < -0.05))
        fail_msg("expected negative: %.3f for \"%s\"", v, s);
}

static void expect_none(const char *title, const char *b)
{
    double v = text_sentiment(title, b);

    if (!isnan(v))
        fail_msg("expected no score: %.3f for \"%s\" / \"%s\"", v, title ? title : "(null)",
                 b ? b : "(null)");
}

/* same says whether two scores are the same double, bit for bit. */
static bool same(double a, double b)
{
    return memcmp(&a, &b, sizeof(a)) == 0;
}

CHORUS_TEST(sentiment_polarity)
{
    static const char *const pos[] = {
        "I love it",
        "Great tablet, fast and reliable.",
        "Excellent screen and the battery lasts all day.",
        "Does the job.",
        "Highly recommend!",
        "Works like a charm",
        "Easy to set up and the sound is crystal clear.",
        "Worth every penny",
        "Five stars",
        "My kids love it 👍",
    };
    static const char *const neg[] = {
        "Broken on arrival",
        "Stopped working after a week. Total junk, returned it for a refund.",
        "Waste of money",
        "The hinge cracked and the fan overheats.",
        "Very disappointed.",
        "It died after two months.",
        "Terrible customer service, they hung up on me.",
        "Screen flickers and the keyboard is mushy",
        "Would not buy again",
        "Not what I expected :(",
    };

    for (size_t i = 0; i < sizeof(pos) / sizeof(pos[0]); i++)
        expect_pos(pos[i]);
    for (size_t i = 0; i < sizeof(neg) / sizeof(neg[0]); i++)
        expect_neg(neg[i]);
    /* Case and the curly apostrophe do not matter. */
    assert_true(same(body("I LOVE IT"), body("i love it")));
    assert_true(same(body("It doesn\xe2\x80\x99t work"), body("It doesn't work")));
}

CHORUS_TEST(sentiment_negation)
{
    expect_neg("not good");
    expect_neg("It is not good");
    expect_neg("It's not worth it");
    expect_neg("It doesn't work");
    expect_neg("It never worked");
    expect_neg("It won't charge");
    expect_neg("I would not recommend it");
    expect_neg("I wouldn't recommend it");
    expect_neg("Not happy with it");
    /* "not bad" is faint praise: above zero, but below "good". */
    assert_true(body("not bad") > 0);
    assert_true(body("not bad") < body("good"));
    /* Idioms where a negated complaint is praise. */
    expect_pos("No problems so far");
    expect_pos("No issues at all");
    expect_pos("I have never had a problem with it");
    expect_pos("Haven't had a single issue");
    expect_pos("Can't complain");
    expect_pos("It did not disappoint");
    expect_pos("Couldn't be happier");
    expect_pos("You can't go wrong with this one");
    expect_pos("What's not to love?");
    expect_pos("I can't recommend it enough");
    /* The spellings people type read the same. */
    assert_true(same(body("dont like it"), body("don't like it")));
    assert_true(same(body("do not like it"), body("don't like it")));
    assert_true(same(body("cannot recommend it"), body("can't recommend it")));
    /* The scope ends at a comma, at the end of a sentence, and after three
     * content words. */
    expect_pos("Not cheap, but great");
    expect_pos("No charger in the box. The screen is great.");
    expect_pos("It does not come with a case but the screen is great");
    expect_pos("There is no backlit keyboard sadly, though everything else is great");
    assert_true(body("not the best screen") < 0);
    assert_true(same(body("no manual in the box or the bag great"),
                     body("a manual in the box or the bag great")));
    /* "not only ... but also" negates nothing. */
    expect_pos("Not only fast but also quiet and reliable");
}

CHORUS_TEST(sentiment_intensifiers)
{
    assert_true(body("very good") > body("good"));
    assert_true(body("extremely good") > body("very good"));
    assert_true(body("really bad") < body("bad"));
    assert_true(body("absolutely terrible") < body("terrible"));
    /* Diminishers. */
    assert_true(body("slightly slow") > body("slow"));
    assert_true(body("slightly slow") < 0);
    assert_true(body("a bit slow") > body("slow"));
    assert_true(body("kind of disappointing") > body("disappointing"));
    /* "not very good" is milder than "not good"; both are negative. */
    assert_true(body("not very good") < 0);
    assert_true(body("not very good") > body("not good"));
    /* An intensifier reaches over function words, not far. */
    assert_true(body("really a great tablet") > body("a great tablet"));
    assert_true(
        same(body("very long cable for the great price"), body("long cable for the great price")));
    /* "too" turns a size into a complaint. */
    expect_neg("The screen is too small");
    expect_neg("It is way too heavy");
}

CHORUS_TEST(sentiment_contrast)
{
    expect_neg("great screen but the battery died");
    expect_pos("a bit slow but I love it");
    expect_pos("It is not perfect, but it's great for the price");
    expect_pos("Although it is a bit slow, I love it");
    expect_neg("Although the screen is great, the battery died in a week");
    expect_neg("Great tablet. But the battery died after a month.");
    expect_neg("Beautiful display, however it overheats");
    expect_pos("Everything is great except the case");
    /* The clause after weighs more than the same clause alone. */
    assert_true(body("good but broken") < body("broken but good"));
    /* A trailing "though" or "yet" contrasts nothing. */
    assert_true(same(body("the battery is weak though"), body("the battery is weak")));
    assert_true(same(body("no problems yet"), body("no problems")));
}

CHORUS_TEST(sentiment_punctuation)
{
    assert_true(body("Great!!!") > body("Great!"));
    assert_true(body("Great!") > body("Great."));
    assert_true(body("Awful!!") < body("Awful."));
    /* Three marks count like more. */
    assert_true(same(body("Great!!!!!!"), body("Great!!!")));
    expect_pos(":)");
    expect_neg(":-(");
    expect_pos("\xf0\x9f\x98\x8d");                /* heart eyes */
    expect_neg("\xf0\x9f\x91\x8e");                /* thumbs down */
    expect_pos("wifi \xe2\x80\x94 great");         /* an em dash separates */
    expect_none(NULL, "\xe2\x98\x85\xe2\x98\x85"); /* stars hold no opinion alone */
}

CHORUS_TEST(sentiment_no_opinion)
{
    expect_none(NULL, NULL);
    expect_none("", "");
    expect_none("Dell XPS 13", "The box is blue and it came on Tuesday.");
    expect_none(NULL, "very");        /* a modifier alone is no opinion */
    expect_none(NULL, "not");         /* neither is a negation */
    expect_none(NULL, "but however"); /* nor a contrast */
    expect_none(NULL, "!!! ... ???");
    /* An opinion that cancels out is neutral, not missing. */
    assert_true(fabs(body("good")) > 0);
    assert_false(isnan(body("It is ok.")));
}

CHORUS_TEST(sentiment_bounds)
{
    static char big[20000];
    static const char *const words[] = {"love ", "amazing ", "junk ", "broken! ", "not "};

    for (size_t w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
        size_t len = strlen(words[w]), n = 0;
        double v;

        while (n + len < sizeof(big)) {
            memcpy(big + n, words[w], len);
            n += len;
        }
        big[n] = '\0';
        v = text_sentiment(big, big);
        assert_true(isnan(v) || (v >= -1 && v <= 1));
    }
    assert_true(text_sentiment("love love love", "love love love") < 1);
    assert_true(text_sentiment("junk junk junk", "junk junk junk") > -1);
    assert_true(body("good") > 0 && body("good") < 1);
}

CHORUS_TEST(sentiment_title)
{
    /* The title counts alone ... */
    assert_true(text_sentiment("Great", NULL) > 0);
    assert_true(text_sentiment("Junk", "") < 0);
    /* ... more than the same words in the body ... */
    assert_true(text_sentiment("Great", NULL) > text_sentiment(NULL, "Great"));
    assert_true(text_sentiment("Great", "It broke.") > text_sentiment("It broke.", "Great"));
    /* ... and apart from it: no phrase and no contrast across the two. */
    assert_true(same(text_sentiment("waste of", "money"), text_sentiment("waste", NULL)));
    assert_true(same(text_sentiment("Great but", "it broke"), text_sentiment("Great", "it broke")));
    assert_true(same(text_sentiment(NULL, "Great"), text_sentiment("", "Great")));
}

struct worker {
    const char *const *texts;
    size_t n;
    double out[16];
};

static void *work(void *arg)
{
    struct worker *w = arg;

    for (int round = 0; round < 200; round++)
        for (size_t i = 0; i < w->n; i++)
            w->out[i] = text_sentiment("Title", w->texts[i]);
    return NULL;
}

CHORUS_TEST(sentiment_determinism)
{
    static const char *const texts[] = {
        "Great screen but the battery died", "Not bad at all, would buy again!",
        "Stopped working after a week",      "The box is blue",
        "A bit slow but I love it :)",
    };
    size_t n = sizeof(texts) / sizeof(texts[0]);
    struct worker w[4];
    pthread_t th[4];

    for (size_t i = 0; i < n; i++)
        assert_true(same(text_sentiment("Title", texts[i]), text_sentiment("Title", texts[i])));
    /* The tables are built once, on first use, whichever thread comes first. */
    for (int t = 0; t < 4; t++) {
        w[t].texts = texts;
        w[t].n = n;
        assert_int_equal(pthread_create(&th[t], NULL, work, &w[t]), 0);
    }
    for (int t = 0; t < 4; t++)
        assert_int_equal(pthread_join(th[t], NULL), 0);
    for (int t = 1; t < 4; t++)
        for (size_t i = 0; i < n; i++)
            assert_true(same(w[t].out[i], w[0].out[i]));
}

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

CHORUS_TEST(sentiment_hostile)
{
    static char buf[20 * 1024 + 1];
    uint64_t x = 0x9e3779b97f4a7c15ull;
    double t0, v;

    /* 20 KiB of random bytes (no NUL: the texts are C strings). */
    for (size_t i = 0; i < sizeof(buf) - 1; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buf[i] = (char)((x & 0xff) ? (x & 0xff) : ' ');
    }
    buf[sizeof(buf) - 1] = '\0';
    t0 = now();
    v = text_sentiment(buf, buf);
    assert_true(isnan(v) || (v >= -1 && v <= 1));
    /* Linear in the text: well under a second even in a sanitizer build. */
    assert_true(now() - t0 < 1.0);

    /* Invalid UTF-8 between and inside words, and a truncated sequence at
     * the very end. */
    expect_pos("great\xff\xfe love\xc3 \xe2\x82 \xf0\x9f\x91");
    expect_neg("\x80\x80 broken \xed\xa0\x80 junk \xc0\xaf");
    /* Words past the tokenizer's cut, and runs of the rules' own words. */
    memset(buf, 'a', 5000);
    memcpy(buf + 5000, " good", 6);
    expect_pos(buf);
    buf[0] = '\0';
    for (int i = 0; i < 2000; i++)
        strcat(buf, "not ");
    v = body(buf);
    assert_true(isnan(v));
    buf[0] = '\0';
    for (int i = 0; i < 1000; i++)
        strcat(buf, "but very ");
    strcat(buf, "good");
    v = body(buf);
    assert_true(v > 0 && v < 1);
}
