# Parser unit tests: one cmocka program per parser area, one ctest entry per
# case (see chorus_unit_test in tests/CMakeLists.txt).
set(PARSERS_TEST_DIR ${CMAKE_CURRENT_SOURCE_DIR}/unit/parsers)

chorus_unit_test(NAME test_parse_reviews
    SOURCES ${PARSERS_TEST_DIR}/test_reviews.c
    LIBS ts_collect chorus_parsers chorus_base
    CASES json_object_valid json_defaults json_array_valid ndjson_valid bad_utf8_ndjson
          duplicate_keys document_errors mixed_batch_indexes callback_stop review_line)

chorus_unit_test(NAME test_parse_fields
    SOURCES ${PARSERS_TEST_DIR}/test_fields.c
    LIBS ts_collect chorus_parsers chorus_base
    CASES mention rating_native rating_scales caps caps_nested nul_in_string bad_times
          unknown_fields types control_chars product_object responses)

chorus_unit_test(NAME test_parse_csv
    SOURCES ${PARSERS_TEST_DIR}/test_csv.c
    LIBS ts_collect chorus_parsers chorus_base
    CASES csv_basic csv_quoting csv_chunk_splits csv_bom_and_blank_lines csv_wrong_columns
          csv_line_numbers csv_oversize csv_bad_quotes csv_mapping csv_header_errors csv_values
          csv_value_errors csv_source_ids csv_callback_stop csv_shared_file)
# The shared sample data lives next to the repository; the case skips itself
# when the file is not there.
target_compile_definitions(test_parse_csv PRIVATE
    CHORUS_SHARED_CSV="${PROJECT_SOURCE_DIR}/../shared/data/amazon-consumer-reviews-2500.csv")

chorus_unit_test(NAME test_parse_amazon
    SOURCES ${PARSERS_TEST_DIR}/test_amazon.c
    LIBS ts_collect chorus_parsers chorus_base
    CASES amazon_2018 amazon_2014 amazon_2023 amazon_array_and_lines amazon_errors)

chorus_unit_test(NAME test_parse_bodies
    SOURCES ${PARSERS_TEST_DIR}/test_bodies.c
    LIBS ts_collect chorus_parsers chorus_base
    CASES product_valid product_errors moderation_bodies response_bodies vote_bodies)

# Pulled feeds. The test links libxml2 itself only to install a counting
# external-entity loader, which proves hostile documents load nothing.
chorus_unit_test(NAME test_parse_feeds
    SOURCES ${PARSERS_TEST_DIR}/test_feeds.c
    LIBS chorus_parsers chorus_base PkgConfig::LIBXML2 m
    CASES rss_items rss_dates atom_round_trip atom_text_constructs google_round_trip
          google_variants json_mapping json_builtin_maps ndjson_lines json_map_errors html_text
          html_linear text_rules hostile_billion_laughs hostile_external hostile_prolog
          hostile_depth_and_size
          truncations limits_and_stop kinds_and_roots)

# Pulled items under their source's rules (parsers/source_item.c).
chorus_unit_test(NAME test_parse_source_item
    SOURCES ${PARSERS_TEST_DIR}/test_source_item.c
    LIBS chorus_parsers chorus_base
    CASES fixed_product_id map_by_field map_by_category map_by_link_patterns
          google_without_a_map_matches own_product_ids no_rule_says_why ids_for_items_without_one
          the_source_owns_its_reviews bad_maps_are_refused parsed_google_feed)
