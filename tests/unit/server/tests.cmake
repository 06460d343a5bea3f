# Server internals: one cmocka program per source file, one ctest entry per
# case (see chorus_unit_test in tests/CMakeLists.txt). They include
# server/internal.h and call only the functions it declares, so a new
# inside of a file is tested the same.
set(SERVER_TEST_DIR ${CMAKE_CURRENT_SOURCE_DIR}/unit/server)

chorus_unit_test(NAME server_router
    SOURCES ${SERVER_TEST_DIR}/test_router.c
    LIBS chorus_server
    CASES every_route_is_reachable
          head_is_get
          wrong_method_is_405_with_allow
          unknown_paths_are_404
          literal_suffixes
          path_parameters_take_slashes
          percent_decoding
          hostile_parameters_match_nothing
          parameter_lengths
          allow_list_is_cut_safely)
target_include_directories(server_router PRIVATE ${PROJECT_SOURCE_DIR}/server)

chorus_unit_test(NAME server_ratelimit
    SOURCES ${SERVER_TEST_DIR}/test_ratelimit.c
    LIBS chorus_server
    CASES one_vote_per_review_a_day
          pairs_are_independent
          hourly_cap
          refused_votes_do_not_count
          no_cap_means_unlimited
          many_addresses
          limiters_are_separate)
target_include_directories(server_ratelimit PRIVATE ${PROJECT_SOURCE_DIR}/server)

chorus_unit_test(NAME server_cache
    SOURCES ${SERVER_TEST_DIR}/test_cache.c
    LIBS chorus_server
    CASES get_by_key_and_version
          a_new_version_misses_and_replaces
          re_put_replaces
          lru_eviction_under_the_byte_cap
          an_eighth_at_most
          hits_and_misses
          disabled_cache
          many_keys)
target_include_directories(server_cache PRIVATE ${PROJECT_SOURCE_DIR}/server)
