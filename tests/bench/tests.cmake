# Benchmarks (DESIGN.md "Speed it is built for"). Built with everything else
# so import.sh finds them, but never registered with ctest: they measure
# throughput on a quiet machine, which a test run is not.

# raw_import: the jansson + LMDB baseline that `chorus import` is compared
# with by tests/bench/import.sh.
add_executable(raw_import ${CMAKE_CURRENT_LIST_DIR}/raw_import.c)
target_link_libraries(raw_import PRIVATE PkgConfig::JANSSON PkgConfig::LMDB)

# post_bench: the HTTP ingest client of tests/bench/import.sh (NDJSON batches
# of 1,000 to POST /api/v1/reviews).
add_executable(post_bench ${CMAKE_CURRENT_LIST_DIR}/post_bench.c)
target_link_libraries(post_bench PRIVATE PkgConfig::CURL)

# sentiment_bench: agreement of the sentiment scorer with star ratings on a
# labelled CSV, and its speed (BENCHMARKS.md "Sentiment agreement with star
# ratings").
add_executable(sentiment_bench ${CMAKE_CURRENT_LIST_DIR}/sentiment.c)
target_link_libraries(sentiment_bench PRIVATE chorus_parsers chorus_text chorus_base m)
