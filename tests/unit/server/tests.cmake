# Server internals: one cmocka program per source file, one ctest entry per
# case (see chorus_unit_test in tests/CMakeLists.txt). They include
# server/internal.h and call only the functions it declares, so a new
# inside of a file is tested the same.
set(SERVER_TEST_DIR ${CMAKE_CURRENT_SOURCE_DIR}/unit/server)

chorus_unit_test(NAME server_router
    SOURCES ${SERVER_TEST_DIR}/test_router.c
    LIBS chorus_server)
target_include_directories(server_router PRIVATE ${PROJECT_SOURCE_DIR}/server)

chorus_unit_test(NAME server_ratelimit
    SOURCES ${SERVER_TEST_DIR}/test_ratelimit.c
    LIBS chorus_server)
target_include_directories(server_ratelimit PRIVATE ${PROJECT_SOURCE_DIR}/server)

chorus_unit_test(NAME server_cache
    SOURCES ${SERVER_TEST_DIR}/test_cache.c
    LIBS chorus_server)
target_include_directories(server_cache PRIVATE ${PROJECT_SOURCE_DIR}/server)
