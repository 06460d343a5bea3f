# Pull unit tests: the address rules that keep fetches off private
# networks, through include/chorus/pull.h (one ctest entry per case, see
# chorus_unit_test in tests/CMakeLists.txt).
set(PULL_TEST_DIR ${CMAKE_CURRENT_SOURCE_DIR}/unit/pull)

chorus_unit_test(NAME pull_address
    SOURCES ${PULL_TEST_DIR}/test_address.c
    LIBS chorus_pull
    CASES parse_networks
          parse_separators
          parse_bad_entries
          parse_too_many
          match_prefixes
          match_mapped_addresses
          match_other_families
          private_ipv4
          public_ipv4
          private_ipv6
          public_ipv6
          other_families_are_private
          ipv4_forms_agree)
