# Store unit tests: one program per source concept, one ctest entry per case.
# They include store/store_int.h to test key packing and to reach the schema
# value directly.
set(STORE_TEST_DIR ${CMAKE_CURRENT_SOURCE_DIR}/unit/store)

chorus_unit_test(NAME store_keys
    SOURCES ${STORE_TEST_DIR}/test_keys.c
    LIBS ts_store chorus_store chorus_base
    CASES time_bias_orders_signed_times
          prod_key_sorts_newest_first
          helpful_key_sorts_most_helpful_first
          big_endian_ids_and_days_sort_numerically
          dedupe_and_category_keys
          review_record_round_trip
          product_and_stats_records
          arena_mark_release)
target_include_directories(store_keys PRIVATE ${PROJECT_SOURCE_DIR}/store)

chorus_unit_test(NAME store_env
    SOURCES ${STORE_TEST_DIR}/test_env.c
    LIBS ts_store chorus_store chorus_base
    CASES newer_schema_is_refused
          open_creates_missing_folder_and_reports_errors
          reopen_keeps_everything
          failed_callback_leaves_nothing
          read_txn_renews
          map_grows_when_full
          another_process_grows_the_map
          readers_survive_map_growth
          write_while_reading_cannot_grow)
target_include_directories(store_env PRIVATE ${PROJECT_SOURCE_DIR}/store)

chorus_unit_test(NAME store_reviews
    SOURCES ${STORE_TEST_DIR}/test_reviews.c
    LIBS ts_store chorus_store chorus_base
    CASES insert_counts_everywhere
          reingest_updates_in_place
          moderation_moves_reviews_in_and_out
          votes_responses_and_versions
          delete_takes_everything_out
          invalid_reviews_are_refused
          random_writes_stay_exact
          one_big_transaction_stays_exact
          caches_overflow_mid_transaction
          check_reports_damage
          missing_source_id_is_assigned)
target_include_directories(store_reviews PRIVATE ${PROJECT_SOURCE_DIR}/store)

chorus_unit_test(NAME store_merge
    SOURCES ${STORE_TEST_DIR}/test_merge.c
    LIBS ts_store chorus_store chorus_base
    CASES copies_are_stored_once
          different_reviews_stay_apart
          owner_edits_move_the_key
          a_copier_cannot_rewrite_the_original
          assigned_ids_are_not_folded
          delete_takes_every_origin
          origins_are_capped_and_kept
          unchanged_puts_move_no_version
          content_keys_normalise)
target_include_directories(store_merge PRIVATE ${PROJECT_SOURCE_DIR}/store)

chorus_unit_test(NAME store_query
    SOURCES ${STORE_TEST_DIR}/test_query.c
    LIBS ts_store chorus_store chorus_base
    CASES every_sort_matches_the_model
          every_filter_matches_the_model
          pages_stay_stable_when_reviews_arrive
          foreign_cursors_are_refused
          bad_queries_are_refused
          stopping_early_gives_a_cursor
          each_and_by_status_page_by_id)
target_include_directories(store_query PRIVATE ${PROJECT_SOURCE_DIR}/store)

chorus_unit_test(NAME store_products
    SOURCES ${STORE_TEST_DIR}/test_products.c
    LIBS ts_store chorus_store chorus_base
    CASES catalogue_fields_round_trip
          category_change_moves_aggregates
          product_days_by_range
          listings_by_category_prefix
          listing_cursors_are_checked)
target_include_directories(store_products PRIVATE ${PROJECT_SOURCE_DIR}/store)

chorus_unit_test(NAME store_scope
    SOURCES ${STORE_TEST_DIR}/test_scope.c
    LIBS ts_store chorus_store chorus_base
    CASES feed_pages_match_the_model
          changes_keep_the_index
          bad_queries_are_refused
          windows_match_the_model
          tokens_live_and_die
          schema_one_is_upgraded)
target_include_directories(store_scope PRIVATE ${PROJECT_SOURCE_DIR}/store)
target_link_libraries(store_scope PRIVATE PkgConfig::LMDB)

chorus_unit_test(NAME store_sources
    SOURCES ${STORE_TEST_DIR}/test_sources.c
    LIBS ts_store chorus_store chorus_base
    CASES sources_round_trip_and_survive_reopen
          bad_configurations_are_refused)
target_include_directories(store_sources PRIVATE ${PROJECT_SOURCE_DIR}/store)

chorus_unit_test(NAME store_ingest
    SOURCES ${STORE_TEST_DIR}/test_ingest.c
    LIBS ts_store chorus_store chorus_base
    CASES refused_items_do_not_stop_the_batch
          counts_every_result
          null_counts_and_merge_flag
          catalogue_fields_are_merged
          runs_of_identical_products
          results_survive_a_rerun
          match_by_gtin_whatever_its_padding
          match_order
          unknown_products_are_made_and_found_again)
target_include_directories(store_ingest PRIVATE ${PROJECT_SOURCE_DIR}/store)
target_link_libraries(store_ingest PRIVATE PkgConfig::LMDB)

chorus_unit_test(NAME store_writer
    SOURCES ${STORE_TEST_DIR}/test_writer.c
    LIBS ts_store chorus_store chorus_base Threads::Threads
    CASES jobs_complete_in_submission_order
          batches_respect_max_weight
          a_failing_apply_aborts_its_batch
          submit_after_stop_is_busy
          wait_holds_a_producer_back
          notify_runs_once_per_batch)
target_include_directories(store_writer PRIVATE ${PROJECT_SOURCE_DIR}/store)
