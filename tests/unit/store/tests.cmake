# Store unit tests: one program per source concept, one ctest entry per case.
# They include store/store_int.h to test key packing and to reach the schema
# value directly.
set(STORE_TEST_DIR ${CMAKE_CURRENT_SOURCE_DIR}/unit/store)

chorus_unit_test(NAME store_keys
    SOURCES ${STORE_TEST_DIR}/test_keys.c
    LIBS ts_store chorus_store chorus_base)
target_include_directories(store_keys PRIVATE ${PROJECT_SOURCE_DIR}/store)

chorus_unit_test(NAME store_env
    SOURCES ${STORE_TEST_DIR}/test_env.c
    LIBS ts_store chorus_store chorus_base)
target_include_directories(store_env PRIVATE ${PROJECT_SOURCE_DIR}/store)

chorus_unit_test(NAME store_reviews
    SOURCES ${STORE_TEST_DIR}/test_reviews.c
    LIBS ts_store chorus_store chorus_base)
target_include_directories(store_reviews PRIVATE ${PROJECT_SOURCE_DIR}/store)

chorus_unit_test(NAME store_merge
    SOURCES ${STORE_TEST_DIR}/test_merge.c
    LIBS ts_store chorus_store chorus_base)
target_include_directories(store_merge PRIVATE ${PROJECT_SOURCE_DIR}/store)

chorus_unit_test(NAME store_query
    SOURCES ${STORE_TEST_DIR}/test_query.c
    LIBS ts_store chorus_store chorus_base)
target_include_directories(store_query PRIVATE ${PROJECT_SOURCE_DIR}/store)

chorus_unit_test(NAME store_products
    SOURCES ${STORE_TEST_DIR}/test_products.c
    LIBS ts_store chorus_store chorus_base)
target_include_directories(store_products PRIVATE ${PROJECT_SOURCE_DIR}/store)

chorus_unit_test(NAME store_scope
    SOURCES ${STORE_TEST_DIR}/test_scope.c
    LIBS ts_store chorus_store chorus_base)
target_include_directories(store_scope PRIVATE ${PROJECT_SOURCE_DIR}/store)
target_link_libraries(store_scope PRIVATE PkgConfig::LMDB)

chorus_unit_test(NAME store_sources
    SOURCES ${STORE_TEST_DIR}/test_sources.c
    LIBS ts_store chorus_store chorus_base)
target_include_directories(store_sources PRIVATE ${PROJECT_SOURCE_DIR}/store)

chorus_unit_test(NAME store_ingest
    SOURCES ${STORE_TEST_DIR}/test_ingest.c
    LIBS ts_store chorus_store chorus_base)
target_include_directories(store_ingest PRIVATE ${PROJECT_SOURCE_DIR}/store)
target_link_libraries(store_ingest PRIVATE PkgConfig::LMDB)

chorus_unit_test(NAME store_writer
    SOURCES ${STORE_TEST_DIR}/test_writer.c
    LIBS ts_store chorus_store chorus_base Threads::Threads)
target_include_directories(store_writer PRIVATE ${PROJECT_SOURCE_DIR}/store)
