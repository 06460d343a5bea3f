# Server internals: one cmocka program per source file, one ctest entry per
# case (see chorus_unit_test in tests/CMakeLists.txt). They include
# server/internal.h and call only the functions it declares, so a new
# inside of a file is tested the same.
set(SERVER_TEST_DIR ${CMAKE_CURRENT_SOURCE_DIR}/unit/server)

foreach(t router ratelimit cache)
    chorus_unit_test(NAME server_${t}
        SOURCES ${SERVER_TEST_DIR}/test_${t}.c
        LIBS chorus_server)
    target_include_directories(server_${t} PRIVATE ${PROJECT_SOURCE_DIR}/server)
endforeach()
