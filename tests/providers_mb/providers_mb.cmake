# MusicBrainz and LRCLIB provider tests (worker/providers/musicbrainz*.c, lrclib*.c).
#   unit:    the parsers on every recorded answer of tests/data/providers (the manifest
#            walk also runs on BEDROCK_PROVIDERS_DATA_DIR when set: the held-back set),
#            error conventions, ids, queries and request shapes; also under valgrind.
#   cluster: both providers over real HTTP (provider_http) against bedrock-replay.
# The parse sources are compiled into the test programs directly, so that the tests do
# not depend on how bedrock_providers lists its sources (it globs worker/providers/*.c).
if(NOT TARGET bedrock_providers)
  include(${CMAKE_SOURCE_DIR}/worker/providers/providers.cmake)
endif()

find_program(VALGRIND valgrind)

set(PROVIDERS_MB_DIR ${CMAKE_CURRENT_LIST_DIR})
set(PROVIDERS_MB_SRC ${CMAKE_SOURCE_DIR}/worker/providers)

add_library(bedrock_providers_mb_test_support STATIC
  ${PROVIDERS_MB_DIR}/mbt.c ${PROVIDERS_MB_DIR}/shape.c)
target_include_directories(bedrock_providers_mb_test_support PUBLIC ${PROVIDERS_MB_DIR})
target_compile_definitions(bedrock_providers_mb_test_support PRIVATE
  MBT_DATA_DIR="${CMAKE_SOURCE_DIR}/tests/data/providers")
target_link_libraries(bedrock_providers_mb_test_support PUBLIC
  PkgConfig::JANSSON PkgConfig::CURL PkgConfig::CMOCKA)

foreach(name musicbrainz_parse lrclib_parse)
  add_executable(test_${name} ${PROVIDERS_MB_DIR}/test_${name}.c ${PROVIDERS_MB_SRC}/${name}.c)
  target_link_libraries(test_${name} PRIVATE
    bedrock_providers_mb_test_support bedrock_providers PkgConfig::CMOCKA)
  add_test(NAME unit_${name} COMMAND test_${name})
  set_tests_properties(unit_${name} PROPERTIES LABELS unit TIMEOUT 60)
  if(VALGRIND AND NOT BEDROCK_SANITIZE)
    add_test(NAME valgrind_${name}
      COMMAND ${VALGRIND} --quiet --leak-check=full --show-leak-kinds=definite,indirect
              --errors-for-leak-kinds=definite,indirect --error-exitcode=3
              $<TARGET_FILE:test_${name}>)
    set_tests_properties(valgrind_${name} PROPERTIES LABELS "unit;valgrind" TIMEOUT 300)
  endif()
endforeach()

# Cluster: needs bedrock-replay (tests/replay/replay.cmake, included after this file:
# the generator expression and the dependency resolve at generate time).
if(EXISTS ${CMAKE_SOURCE_DIR}/tests/replay/replay.cmake)
  add_executable(test_providers_mb_replay ${PROVIDERS_MB_DIR}/test_providers_mb_replay.c
    ${PROVIDERS_MB_SRC}/musicbrainz.c ${PROVIDERS_MB_SRC}/musicbrainz_parse.c
    ${PROVIDERS_MB_SRC}/lrclib.c ${PROVIDERS_MB_SRC}/lrclib_parse.c)
  target_link_libraries(test_providers_mb_replay PRIVATE
    bedrock_providers_mb_test_support bedrock_providers PkgConfig::CMOCKA)
  target_compile_definitions(test_providers_mb_replay PRIVATE
    MBT_REPLAY_BIN="$<TARGET_FILE:bedrock-replay>"
    MBT_LOG_DIR="${CMAKE_CURRENT_BINARY_DIR}")
  add_dependencies(test_providers_mb_replay bedrock-replay)
  add_test(NAME cluster_providers_mb_replay COMMAND test_providers_mb_replay)
  set_tests_properties(cluster_providers_mb_replay PROPERTIES LABELS cluster TIMEOUT 180)
  if(VALGRIND AND NOT BEDROCK_SANITIZE)
    add_test(NAME valgrind_providers_mb_replay
      COMMAND ${VALGRIND} --quiet --leak-check=full --show-leak-kinds=definite,indirect
              --errors-for-leak-kinds=definite,indirect --error-exitcode=3
              --trace-children=no $<TARGET_FILE:test_providers_mb_replay>)
    set_tests_properties(valgrind_providers_mb_replay PROPERTIES
      LABELS "cluster;valgrind" TIMEOUT 600)
  endif()
endif()
