# Parser unit tests: one cmocka program per parser area, one ctest entry per
# case (see chorus_unit_test in tests/CMakeLists.txt).
set(PARSERS_TEST_DIR ${CMAKE_CURRENT_SOURCE_DIR}/unit/parsers)

# The batch parsers, checked through the copies collect.c keeps.
foreach(t reviews fields csv amazon bodies)
    chorus_unit_test(NAME test_parse_${t}
        SOURCES ${PARSERS_TEST_DIR}/test_${t}.c
        LIBS ts_collect chorus_parsers chorus_base)
endforeach()
# The shared sample data lives next to the repository; the case skips itself
# when the file is not there.
target_compile_definitions(test_parse_csv PRIVATE
    CHORUS_SHARED_CSV="${PROJECT_SOURCE_DIR}/../shared/data/amazon-consumer-reviews-2500.csv")

# Pulled feeds. The test links libxml2 itself only to install a counting
# external-entity loader, which proves hostile documents load nothing.
chorus_unit_test(NAME test_parse_feeds
    SOURCES ${PARSERS_TEST_DIR}/test_feeds.c
    LIBS chorus_parsers chorus_base PkgConfig::LIBXML2 m)

# Pulled items under their source's rules (parsers/source_item.c).
chorus_unit_test(NAME test_parse_source_item
    SOURCES ${PARSERS_TEST_DIR}/test_source_item.c
    LIBS chorus_parsers chorus_base)
