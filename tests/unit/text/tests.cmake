# Text module unit tests: one cmocka program, one ctest entry per case (see
# chorus_unit_test in tests/CMakeLists.txt).
set(TEXT_TEST_DIR ${CMAKE_CURRENT_SOURCE_DIR}/unit/text)

chorus_unit_test(NAME test_text
    SOURCES ${TEXT_TEST_DIR}/test_text.c ${TEXT_TEST_DIR}/test_words.c
            ${TEXT_TEST_DIR}/test_taxonomy.c ${TEXT_TEST_DIR}/test_match.c
            ${TEXT_TEST_DIR}/test_terms.c ${TEXT_TEST_DIR}/test_sentiment.c
    LIBS chorus_text chorus_base Threads::Threads
    CASES words_basic words_apostrophes words_utf8 words_invalid_bytes words_long
          words_callback_stop stopwords taxonomy_parse_valid taxonomy_parse_errors
          taxonomy_limits taxonomy_load taxonomy_default_ids match_default_complaints
          match_word_boundaries match_phrases match_long_text match_tags terms_bag
          terms_battery_drains terms_no_stopwords terms_bigram_hiding terms_sentences
          terms_determinism terms_filters terms_cap sentiment_polarity sentiment_negation
          sentiment_intensifiers sentiment_contrast sentiment_punctuation sentiment_no_opinion
          sentiment_bounds sentiment_title sentiment_determinism sentiment_hostile)
