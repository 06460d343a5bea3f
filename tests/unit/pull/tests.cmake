# Pull unit tests: the address rules that keep fetches off private
# networks, through include/chorus/pull.h (one ctest entry per case, see
# chorus_unit_test in tests/CMakeLists.txt).
set(PULL_TEST_DIR ${CMAKE_CURRENT_SOURCE_DIR}/unit/pull)

chorus_unit_test(NAME pull_address
    SOURCES ${PULL_TEST_DIR}/test_address.c
    LIBS chorus_pull)
