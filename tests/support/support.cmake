# Test helpers shared by more than one test program (tests/support/), each
# built once as a small static library that a program links with what it
# needs. Included by tests/CMakeLists.txt before the areas that use them.
# The folder is every such program's include directory, so a test says
# #include "harness.h" whatever its own folder.

set(SUPPORT_DIR ${CMAKE_CURRENT_SOURCE_DIR}/support)

# testmain.h: main() for every cmocka program (one case by name, or all).
add_library(ts_main INTERFACE)
target_include_directories(ts_main INTERFACE ${SUPPORT_DIR})
target_link_libraries(ts_main INTERFACE PkgConfig::CMOCKA)

# The integration harness: chorusd as a child process (harness.c), the
# libcurl client and expectations (harness_http.c), and the products and
# reviews a case seeds over HTTP (seed.c). chorusd must be built before a
# program runs, which each program's add_dependencies says.
add_library(ts_harness STATIC ${SUPPORT_DIR}/harness.c ${SUPPORT_DIR}/harness_http.c
            ${SUPPORT_DIR}/seed.c)
target_compile_definitions(ts_harness PRIVATE CHORUSD_PATH="$<TARGET_FILE:chorusd>")
target_link_libraries(ts_harness PUBLIC ts_main PkgConfig::CURL PkgConfig::JANSSON m)

# Atom and HTML checks with libxml2 (atom_check.c), and times relative to
# the clock for the digest and the dashboard (clock.c).
add_library(ts_atom STATIC ${SUPPORT_DIR}/atom_check.c)
target_link_libraries(ts_atom PUBLIC ts_harness PkgConfig::LIBXML2)
add_library(ts_clock STATIC ${SUPPORT_DIR}/clock.c)
target_include_directories(ts_clock PUBLIC ${SUPPORT_DIR})

# The embedded HTTP server (http_server.c: evhttp on its own thread), and
# the remote-feed fixture the pulled-source tests poll, served by it
# (fixture_http.c).
add_library(ts_http STATIC ${SUPPORT_DIR}/http_server.c)
target_include_directories(ts_http PUBLIC ${SUPPORT_DIR})
target_link_libraries(ts_http PUBLIC PkgConfig::LIBEVENT Threads::Threads)
add_library(ts_fixture STATIC ${SUPPORT_DIR}/fixture_http.c)
target_link_libraries(ts_fixture PUBLIC ts_http)

# Parser unit tests: a parse_item_cb that keeps copies (collect.c).
add_library(ts_collect STATIC ${SUPPORT_DIR}/collect.c)
target_link_libraries(ts_collect PUBLIC ts_main chorus_parsers chorus_base)

# Store unit tests: a fresh store per case, one-call writes and the
# independent recount (store_helpers.c).
add_library(ts_store STATIC ${SUPPORT_DIR}/store_helpers.c)
target_link_libraries(ts_store PUBLIC ts_main chorus_store chorus_base m)

# The cache front: deploy/try-cache-front.sh starting Debian's nginx with the
# shipped rules in front of a test's chorusd (front.c).
add_library(ts_front STATIC ${SUPPORT_DIR}/front.c)
target_compile_definitions(ts_front PRIVATE
    CHORUS_FRONT_SCRIPT="${PROJECT_SOURCE_DIR}/deploy/try-cache-front.sh")
target_link_libraries(ts_front PUBLIC ts_harness)
