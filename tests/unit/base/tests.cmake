# Base unit tests: one cmocka program per source file of base/, one ctest
# entry per case (see chorus_unit_test in tests/CMakeLists.txt). They use
# include/chorus/base.h only, so a new inside of base/ is tested the same.
set(BASE_TEST_DIR ${CMAKE_CURRENT_SOURCE_DIR}/unit/base)

foreach(t buf json utf8 time b64 hash map)
    chorus_unit_test(NAME base_${t}
        SOURCES ${BASE_TEST_DIR}/test_${t}.c
        LIBS chorus_base)
endforeach()
