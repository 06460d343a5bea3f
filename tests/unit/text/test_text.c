/* Unit tests of the text module (text/): words, the component
 * taxonomy and its matcher, distinctive terms, sentiment. The cases live in
 * one file per area; this file only lists them. */
#include "testmain.h"

#include "cases.h"

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(words_basic),
    cmocka_unit_test(words_apostrophes),
    cmocka_unit_test(words_utf8),
    cmocka_unit_test(words_invalid_bytes),
    cmocka_unit_test(words_long),
    cmocka_unit_test(words_callback_stop),
    cmocka_unit_test(stopwords),
    cmocka_unit_test(taxonomy_parse_valid),
    cmocka_unit_test(taxonomy_parse_errors),
    cmocka_unit_test(taxonomy_limits),
    cmocka_unit_test(taxonomy_load),
    cmocka_unit_test(taxonomy_default_ids),
    cmocka_unit_test(match_default_complaints),
    cmocka_unit_test(match_word_boundaries),
    cmocka_unit_test(match_phrases),
    cmocka_unit_test(match_long_text),
    cmocka_unit_test(match_tags),
    cmocka_unit_test(terms_bag),
    cmocka_unit_test(terms_battery_drains),
    cmocka_unit_test(terms_no_stopwords),
    cmocka_unit_test(terms_bigram_hiding),
    cmocka_unit_test(terms_sentences),
    cmocka_unit_test(terms_determinism),
    cmocka_unit_test(terms_filters),
    cmocka_unit_test(terms_cap),
    cmocka_unit_test(sentiment_polarity),
    cmocka_unit_test(sentiment_negation),
    cmocka_unit_test(sentiment_intensifiers),
    cmocka_unit_test(sentiment_contrast),
    cmocka_unit_test(sentiment_punctuation),
    cmocka_unit_test(sentiment_no_opinion),
    cmocka_unit_test(sentiment_bounds),
    cmocka_unit_test(sentiment_title),
    cmocka_unit_test(sentiment_determinism),
    cmocka_unit_test(sentiment_hostile),
};

CHORUS_TEST_MAIN(tests)
