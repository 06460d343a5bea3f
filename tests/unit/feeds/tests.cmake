# Feed writer unit tests: the text safety net and link building, without a
# store or server (feeds/ internals are included directly).
set(FEEDS_TEST_DIR ${CMAKE_CURRENT_SOURCE_DIR}/unit/feeds)

chorus_unit_test(NAME test_feed_xml
    SOURCES ${FEEDS_TEST_DIR}/test_xml.c
    LIBS chorus_feeds chorus_store chorus_text chorus_base PkgConfig::LIBXML2)
target_include_directories(test_feed_xml PRIVATE ${PROJECT_SOURCE_DIR}/feeds)

chorus_unit_test(NAME test_feed_google_parts
    SOURCES ${FEEDS_TEST_DIR}/test_google_parts.c
    LIBS chorus_feeds chorus_store chorus_text chorus_base PkgConfig::LIBXML2)

chorus_unit_test(NAME test_feed_components
    SOURCES ${FEEDS_TEST_DIR}/test_components.c
    LIBS chorus_feeds chorus_store chorus_text chorus_base PkgConfig::LIBXML2 m)
target_include_directories(test_feed_components PRIVATE ${PROJECT_SOURCE_DIR}/feeds)
# The "fix did not hold" rule on constructed series.
chorus_unit_test(NAME test_feed_fix
    SOURCES ${FEEDS_TEST_DIR}/test_fix.c
    LIBS chorus_feeds chorus_store chorus_text chorus_base PkgConfig::LIBXML2)
