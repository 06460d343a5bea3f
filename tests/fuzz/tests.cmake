# Parser fuzz targets (see docs/fuzzing.md), the taxonomy parser's and the
# version finder's.
#
# Always: each target is linked with replay.c and run over its seed corpus,
# whole and at every truncation, as an ordinary ctest entry labelled "fuzz",
# with the build's own compiler and sanitizers.
#
# With -DCHORUS_FUZZ=ON (clang only): also real libFuzzer binaries
# fuzz_<target>, linked against a coverage-instrumented copy of the parser
# and base sources, so the fuzzer sees edges inside the library and not only
# in the target file.
set(FUZZ_DIR ${CMAKE_CURRENT_SOURCE_DIR}/fuzz)
set(FUZZ_TARGETS reviews_json csv bodies feed html)

foreach(t ${FUZZ_TARGETS})
    add_executable(fuzz_replay_${t} ${FUZZ_DIR}/fuzz_${t}.c ${FUZZ_DIR}/replay.c)
    target_link_libraries(fuzz_replay_${t} PRIVATE chorus_parsers chorus_base m)
    add_test(NAME fuzz.${t} COMMAND fuzz_replay_${t} ${FUZZ_DIR}/corpus/${t})
    set_tests_properties(fuzz.${t} PROPERTIES LABELS fuzz)
endforeach()

# The taxonomy parser (and the matcher and term bags behind it) and the
# version finder live in chorus_text, not chorus_parsers, so their targets
# link that instead.
set(FUZZ_TEXT_TARGETS taxonomy versions)
foreach(t ${FUZZ_TEXT_TARGETS})
    add_executable(fuzz_replay_${t} ${FUZZ_DIR}/fuzz_${t}.c ${FUZZ_DIR}/replay.c)
    target_link_libraries(fuzz_replay_${t} PRIVATE chorus_text chorus_base m)
    add_test(NAME fuzz.${t} COMMAND fuzz_replay_${t} ${FUZZ_DIR}/corpus/${t})
    set_tests_properties(fuzz.${t} PROPERTIES LABELS fuzz)
endforeach()

if(CHORUS_FUZZ)
    if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
        message(FATAL_ERROR "CHORUS_FUZZ needs clang (configure with CC=clang)")
    endif()
    # `fuzzers` builds every libFuzzer target, so tools/dev.sh needs no list
    # that a new target could be missing from.
    add_custom_target(fuzzers)
    add_library(chorus_parsers_fuzz STATIC ${PARSERS_SOURCES} ${BASE_SOURCES})
    target_compile_options(chorus_parsers_fuzz PRIVATE -fsanitize=fuzzer-no-link)
    target_link_libraries(chorus_parsers_fuzz PUBLIC PkgConfig::JANSSON PkgConfig::LIBXML2 m)
    foreach(t ${FUZZ_TARGETS})
        add_executable(fuzz_${t} ${FUZZ_DIR}/fuzz_${t}.c)
        target_compile_options(fuzz_${t} PRIVATE -fsanitize=fuzzer)
        target_link_options(fuzz_${t} PRIVATE -fsanitize=fuzzer)
        target_link_libraries(fuzz_${t} PRIVATE chorus_parsers_fuzz)
        add_dependencies(fuzzers fuzz_${t})
    endforeach()

    add_library(chorus_text_fuzz STATIC ${TEXT_SOURCES} ${BASE_SOURCES})
    target_compile_options(chorus_text_fuzz PRIVATE -fsanitize=fuzzer-no-link)
    target_link_libraries(chorus_text_fuzz PUBLIC m)
    foreach(t ${FUZZ_TEXT_TARGETS})
        add_executable(fuzz_${t} ${FUZZ_DIR}/fuzz_${t}.c)
        target_compile_options(fuzz_${t} PRIVATE -fsanitize=fuzzer)
        target_link_options(fuzz_${t} PRIVATE -fsanitize=fuzzer)
        target_link_libraries(fuzz_${t} PRIVATE chorus_text_fuzz)
        add_dependencies(fuzzers fuzz_${t})
    endforeach()
endif()
