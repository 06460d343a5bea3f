# Integration tests: real chorusd and chorus binaries driven over HTTP and the
# command line. Included by tests/CMakeLists.txt (CMOCKA, CURL and JANSSON are
# found there and at the top level).

set(INTEGRATION_DIR ${CMAKE_CURRENT_SOURCE_DIR}/integration)

# chorus_integration_test(NAME name SOURCES a.c ... [LIBS lib ...]) builds
# one cmocka program over the harness (tests/support/, and the support
# libraries in LIBS) and registers each of its cases as its own ctest
# entry labelled "integration" (chorus_test_cases in tests/CMakeLists.txt
# reads them from the sources).
function(chorus_integration_test)
    cmake_parse_arguments(T "" "NAME" "SOURCES;LIBS" ${ARGN})
    add_executable(${T_NAME} ${T_SOURCES})
    target_compile_definitions(${T_NAME} PRIVATE
        CHORUSD_PATH="$<TARGET_FILE:chorusd>"
        CHORUS_PATH="$<TARGET_FILE:chorus>"
        CHORUS_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
        CHORUS_OPENAPI_PATH="${PROJECT_SOURCE_DIR}/docs/openapi.yaml")
    target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} ts_harness)
    add_dependencies(${T_NAME} chorusd chorus)
    # Each case starts its own chorusd on port 0 in its own temporary folder,
    # so cases run in parallel safely. 77 = skipped (test data that is not
    # there).
    chorus_test_cases(${T_NAME} integration PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77)
endfunction()

chorus_integration_test(NAME it_ingest SOURCES ${INTEGRATION_DIR}/test_ingest.c)
chorus_integration_test(NAME it_reviews SOURCES ${INTEGRATION_DIR}/test_reviews.c)
chorus_integration_test(NAME it_http SOURCES ${INTEGRATION_DIR}/test_http.c)
chorus_integration_test(NAME it_products SOURCES ${INTEGRATION_DIR}/test_products.c)
# A product's releases and the versions reviews mention.
chorus_integration_test(NAME it_releases SOURCES ${INTEGRATION_DIR}/test_releases.c
                        LIBS chorus_base)
chorus_integration_test(NAME it_review_lists SOURCES ${INTEGRATION_DIR}/test_review_lists.c)
chorus_integration_test(NAME it_server SOURCES ${INTEGRATION_DIR}/test_server.c)
# The sources commands poll the feed server of fixture_http.c.
chorus_integration_test(NAME it_cli SOURCES ${INTEGRATION_DIR}/test_cli.c LIBS ts_fixture)
# chorus backup beside a chorusd that goes on taking reviews.
chorus_integration_test(NAME it_backup SOURCES ${INTEGRATION_DIR}/test_backup.c)
chorus_integration_test(NAME it_openapi SOURCES ${INTEGRATION_DIR}/test_openapi.c)
chorus_integration_test(NAME it_hardening SOURCES ${INTEGRATION_DIR}/test_hardening.c)
# WebSub: the test runs its own hub on the embedded test server (http_server.c).
chorus_integration_test(NAME it_websub SOURCES ${INTEGRATION_DIR}/test_websub.c LIBS ts_http)
chorus_integration_test(NAME it_google SOURCES ${INTEGRATION_DIR}/test_google.c)
target_link_libraries(it_google PRIVATE PkgConfig::LIBXML2)
# Atom feeds and the engineer digest, parsed with libxml2 (atom_check.c).
chorus_integration_test(NAME it_feeds SOURCES ${INTEGRATION_DIR}/test_feeds.c LIBS ts_atom)
chorus_integration_test(NAME it_digest SOURCES ${INTEGRATION_DIR}/test_digest.c
                        LIBS ts_atom ts_clock)
# Known issues: routes, links through every write path, digest and dashboard.
chorus_integration_test(NAME it_known_issues SOURCES ${INTEGRATION_DIR}/test_known_issues.c
                        LIBS ts_atom ts_clock)
# The engineering dashboard, parsed with libxml2's HTML parser (atom_check.c).
chorus_integration_test(NAME it_dashboard SOURCES ${INTEGRATION_DIR}/test_dashboard.c
                        LIBS ts_atom ts_clock)
# The server-rendered widget, parsed with libxml2's HTML parser.
chorus_integration_test(NAME it_widget SOURCES ${INTEGRATION_DIR}/test_widget.c)
target_link_libraries(it_widget PRIVATE PkgConfig::LIBXML2)
# The nginx cache front of deploy/ (Debian's nginx; skipped without it).
chorus_integration_test(NAME it_front SOURCES ${INTEGRATION_DIR}/test_front.c LIBS ts_front)
# Serving threads: many connections at once through libcurl's multi interface.
chorus_integration_test(NAME it_threads SOURCES ${INTEGRATION_DIR}/test_threads.c)
# Pulled sources: the test runs its own feed servers (fixture_http.c).
chorus_integration_test(NAME it_sources SOURCES ${INTEGRATION_DIR}/test_sources.c
                        LIBS ts_fixture)
# Sentiment at ingest; writes a folder through the store API (no scorer) for
# `chorus retag` to score.
chorus_integration_test(NAME it_sentiment SOURCES ${INTEGRATION_DIR}/test_sentiment.c)
target_link_libraries(it_sentiment PRIVATE chorus_store chorus_base)
chorus_integration_test(NAME it_limits SOURCES ${INTEGRATION_DIR}/test_limits.c)
# Faults (docs/reliability.md): SIGKILL at random moments while four clients
# ingest, five kills by default; it_faults.sigkill_long (label "long", left out
# of `tools/dev.sh test`) kills 150 times. The full-disk case mounts a tmpfs
# and skips when it may not (not root, or no mount permission).
chorus_integration_test(NAME it_faults SOURCES ${INTEGRATION_DIR}/test_faults.c)
target_link_libraries(it_faults PRIVATE Threads::Threads)
add_test(NAME it_faults.sigkill_long COMMAND it_faults acked_reviews_survive_sigkill)
set_tests_properties(it_faults.sigkill_long PROPERTIES LABELS "integration;long" TIMEOUT 3600
                     ENVIRONMENT CHORUS_CRASH_CYCLES=150)
# Component trends: the API over a real chorusd.
chorus_integration_test(NAME it_components SOURCES ${INTEGRATION_DIR}/test_components.c
                        LIBS ts_atom ts_clock)
