# Store unit tests: one program per source concept, one ctest entry per case.
# They include store/store_int.h to test key packing and to reach the schema
# value directly.
set(STORE_TEST_DIR ${CMAKE_CURRENT_SOURCE_DIR}/unit/store)

foreach(t keys env reviews merge query products scope sources ingest writer tokens components issues
        releases versions)
    chorus_unit_test(NAME store_${t}
        SOURCES ${STORE_TEST_DIR}/test_${t}.c
        LIBS ts_store chorus_store chorus_base)
    target_include_directories(store_${t} PRIVATE ${PROJECT_SOURCE_DIR}/store)
endforeach()
target_link_libraries(store_scope PRIVATE PkgConfig::LMDB)
target_link_libraries(store_ingest PRIVATE PkgConfig::LMDB)
target_link_libraries(store_issues PRIVATE PkgConfig::LMDB)
target_link_libraries(store_releases PRIVATE PkgConfig::LMDB)
target_link_libraries(store_writer PRIVATE Threads::Threads)
target_link_libraries(store_tokens PRIVATE PkgConfig::LMDB OpenSSL::Crypto)
target_link_libraries(store_components PRIVATE PkgConfig::LMDB)
