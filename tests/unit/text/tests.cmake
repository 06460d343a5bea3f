# Text module unit tests: one cmocka program, one ctest entry per case (see
# chorus_unit_test in tests/CMakeLists.txt).
set(TEXT_TEST_DIR ${CMAKE_CURRENT_SOURCE_DIR}/unit/text)

chorus_unit_test(NAME test_text
    SOURCES ${TEXT_TEST_DIR}/test_text.c ${TEXT_TEST_DIR}/test_words.c
            ${TEXT_TEST_DIR}/test_taxonomy.c ${TEXT_TEST_DIR}/test_match.c
            ${TEXT_TEST_DIR}/test_terms.c ${TEXT_TEST_DIR}/test_sentiment.c
            ${TEXT_TEST_DIR}/test_versions.c ${TEXT_TEST_DIR}/test_actionable.c
    LIBS chorus_text chorus_base Threads::Threads)
