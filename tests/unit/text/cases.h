/* The cases of test_text, one file per area of text/. */
#ifndef CHORUS_TEST_TEXT_CASES_H
#define CHORUS_TEST_TEXT_CASES_H

/* test_words.c */
void words_basic(void **state);
void words_apostrophes(void **state);
void words_utf8(void **state);
void words_invalid_bytes(void **state);
void words_long(void **state);
void words_callback_stop(void **state);
void stopwords(void **state);

/* test_taxonomy.c */
void taxonomy_parse_valid(void **state);
void taxonomy_parse_errors(void **state);
void taxonomy_limits(void **state);
void taxonomy_load(void **state);
void taxonomy_default_ids(void **state);

/* test_match.c */
void match_default_complaints(void **state);
void match_word_boundaries(void **state);
void match_phrases(void **state);
void match_long_text(void **state);
void match_tags(void **state);

/* test_terms.c */
void terms_bag(void **state);
void terms_battery_drains(void **state);
void terms_no_stopwords(void **state);
void terms_bigram_hiding(void **state);
void terms_sentences(void **state);
void terms_determinism(void **state);
void terms_filters(void **state);
void terms_cap(void **state);

/* test_sentiment.c */
void sentiment_polarity(void **state);
void sentiment_negation(void **state);
void sentiment_intensifiers(void **state);
void sentiment_contrast(void **state);
void sentiment_punctuation(void **state);
void sentiment_no_opinion(void **state);
void sentiment_bounds(void **state);
void sentiment_title(void **state);
void sentiment_determinism(void **state);
void sentiment_hostile(void **state);

#endif
