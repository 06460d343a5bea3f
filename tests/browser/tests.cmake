# Browser tests: the widget in Debian's chromium, headless, against a real
# chorusd (tests/browser/test_widget.c). Included by tests/CMakeLists.txt;
# the harness is the integration tests' one (tests/support/). Each cmocka
# case is its own ctest entry labelled "browser"; without chromium they
# exit 77 (skipped). The cases that need key presses, exact viewports or
# axe-core run tests/browser/cdp.js with node; tools/dev.sh puts axe-core
# (npm) under the build folder (docs/widget.md#accessibility).

set(BROWSER_DIR ${CMAKE_CURRENT_SOURCE_DIR}/browser)

add_executable(browser_widget ${BROWSER_DIR}/test_widget.c ${BROWSER_DIR}/browser.c)
target_compile_definitions(browser_widget PRIVATE
    CHORUSD_PATH="$<TARGET_FILE:chorusd>"
    CHORUS_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    CHORUS_ARTIFACTS_DIR="${CMAKE_BINARY_DIR}/artifacts"
    # Where tools/dev.sh (npm) puts axe-core for the accessibility audits.
    CHORUS_AXE_JS="${CMAKE_BINARY_DIR}/axe/node_modules/axe-core/axe.min.js")
# The host-page server (the embedded test server) and libxml2 for parsing
# dumped DOMs, both only in browser.c.
target_link_libraries(browser_widget PRIVATE ts_harness ts_http ts_clock PkgConfig::LIBXML2)
add_dependencies(browser_widget chorusd)

# Each case has its own chorusd, host server and chromium profile, so cases
# may run in parallel.
chorus_test_cases(browser_widget browser PROPERTIES TIMEOUT 300 SKIP_RETURN_CODE 77)
