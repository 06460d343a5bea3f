# Base unit tests: one cmocka program per source file of base/, one ctest
# entry per case (see chorus_unit_test in tests/CMakeLists.txt). They use
# include/chorus/base.h only, so a new inside of base/ is tested the same.
set(BASE_TEST_DIR ${CMAKE_CURRENT_SOURCE_DIR}/unit/base)

chorus_unit_test(NAME base_buf
    SOURCES ${BASE_TEST_DIR}/test_buf.c
    LIBS chorus_base
    CASES init_append_reset
          cap_is_exact
          huge_sizes_are_refused
          printf_past_cap_leaves_buffer_unchanged
          printf_both_paths
          steal_hands_over_memory
          read_file_with_cap
          read_file_error
          pct_every_byte
          pct_strings)

chorus_unit_test(NAME base_json
    SOURCES ${BASE_TEST_DIR}/test_json.c
    LIBS chorus_base
    CASES plain_and_quotes
          controls
          html_specials
          line_separators
          caps_and_null
          hostile_round_trip)

chorus_unit_test(NAME base_utf8
    SOURCES ${BASE_TEST_DIR}/test_utf8.c
    LIBS chorus_base
    CASES valid_text
          invalid_text
          decode
          decode_every_code_point
          scrub
          scrub_random
          chars
          fmt_never_cuts_a_character)

chorus_unit_test(NAME base_time
    SOURCES ${BASE_TEST_DIR}/test_time.c
    LIBS chorus_base
    CASES utc_times
          offsets
          fractions
          bare_dates
          bad_input
          length_is_honoured
          format
          round_trip
          now_is_recent)

chorus_unit_test(NAME base_b64
    SOURCES ${BASE_TEST_DIR}/test_b64.c
    LIBS chorus_base
    CASES round_trip_every_length
          known_vectors
          bad_characters
          padding_and_lengths
          out_capacity
          ct_equal)

chorus_unit_test(NAME base_hash
    SOURCES ${BASE_TEST_DIR}/test_hash.c
    LIBS chorus_base
    CASES vectors
          chaining_and_strings
          step_matches_whole)

chorus_unit_test(NAME base_map
    SOURCES ${BASE_TEST_DIR}/test_map.c
    LIBS chorus_base
    CASES add_get_has
          slots
          keys_with_nul_bytes_and_prefixes
          growth_to_many_keys
          removal_under_collisions
          random_model
          cleanup_frees_values
          clear_keeps_slots)
