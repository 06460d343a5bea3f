# Base unit tests: one cmocka program per source file of base/, one ctest
# entry per case (see chorus_unit_test in tests/CMakeLists.txt). They use
# include/chorus/base.h only, so a new inside of base/ is tested the same.
set(BASE_TEST_DIR ${CMAKE_CURRENT_SOURCE_DIR}/unit/base)

chorus_unit_test(NAME base_buf
    SOURCES ${BASE_TEST_DIR}/test_buf.c
    LIBS chorus_base)

chorus_unit_test(NAME base_json
    SOURCES ${BASE_TEST_DIR}/test_json.c
    LIBS chorus_base)

chorus_unit_test(NAME base_utf8
    SOURCES ${BASE_TEST_DIR}/test_utf8.c
    LIBS chorus_base)

chorus_unit_test(NAME base_time
    SOURCES ${BASE_TEST_DIR}/test_time.c
    LIBS chorus_base)

chorus_unit_test(NAME base_b64
    SOURCES ${BASE_TEST_DIR}/test_b64.c
    LIBS chorus_base)

chorus_unit_test(NAME base_hash
    SOURCES ${BASE_TEST_DIR}/test_hash.c
    LIBS chorus_base)

chorus_unit_test(NAME base_map
    SOURCES ${BASE_TEST_DIR}/test_map.c
    LIBS chorus_base)
