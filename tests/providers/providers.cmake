# Provider tests (worker/providers/).
#   unit:    the parsers on the recorded answers of tests/data/providers (and on
#            BEDROCK_PROVIDERS_DATA_DIR when set: the held-back set), UPC, breaker,
#            rate limiter, and provider_http against an in-process HTTP server on
#            127.0.0.1. Each also runs under valgrind (leaks are errors).
#   cluster: the providers over real HTTP against bedrock-replay, added once the
#            bedrock-replay target exists (checked at the end of tests/, since
#            tests/replay/ is included after this file).
if(NOT TARGET bedrock_providers)
  include(${CMAKE_SOURCE_DIR}/worker/providers/providers.cmake)
endif()

find_program(VALGRIND valgrind)

add_library(bedrock_provider_test_support STATIC
  ${CMAKE_CURRENT_LIST_DIR}/recordings.c ${CMAKE_CURRENT_LIST_DIR}/fake_http.c
  ${CMAKE_CURRENT_LIST_DIR}/recorded_server.c)
target_include_directories(bedrock_provider_test_support PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_compile_definitions(bedrock_provider_test_support PRIVATE
  PROVIDERS_DATA_DIR="${CMAKE_SOURCE_DIR}/tests/data/providers")
target_link_libraries(bedrock_provider_test_support PUBLIC
  bedrock_providers PkgConfig::JANSSON PkgConfig::CMOCKA Threads::Threads)

foreach(name provider_common provider_deezer provider_spotify provider_itunes
        provider_recordings provider_http provider_flows)
  add_executable(test_${name} ${CMAKE_CURRENT_LIST_DIR}/test_${name}.c)
  target_link_libraries(test_${name} PRIVATE
    bedrock_providers bedrock_provider_test_support PkgConfig::CMOCKA Threads::Threads)
  add_test(NAME unit_${name} COMMAND test_${name})
  set_tests_properties(unit_${name} PROPERTIES LABELS unit TIMEOUT 120)
  if(VALGRIND AND NOT BEDROCK_SANITIZE)
    add_test(NAME valgrind_${name}
      COMMAND ${VALGRIND} --quiet --leak-check=full --show-leak-kinds=definite,indirect
              --errors-for-leak-kinds=definite,indirect --error-exitcode=3
              --trace-children=no $<TARGET_FILE:test_${name}>)
    set_tests_properties(valgrind_${name} PROPERTIES LABELS "unit;valgrind" TIMEOUT 600)
  endif()
endforeach()

# The replay test needs bedrock-replay, defined by tests/replay/replay.cmake, which is
# included after this file: decide at the end of tests/.
function(bedrock_providers_replay_test)
  if(NOT TARGET bedrock-replay)
    message(STATUS "providers: bedrock-replay not defined, cluster_providers_replay skipped")
    return()
  endif()
  set(dir ${CMAKE_SOURCE_DIR}/tests/providers)
  add_executable(test_provider_replay ${dir}/test_provider_replay.c)
  target_link_libraries(test_provider_replay PRIVATE
    bedrock_providers bedrock_provider_test_support PkgConfig::CMOCKA PkgConfig::CURL)
  target_compile_definitions(test_provider_replay PRIVATE
    REPLAY_BINARY="$<TARGET_FILE:bedrock-replay>")
  add_dependencies(test_provider_replay bedrock-replay)
  add_test(NAME cluster_providers_replay COMMAND test_provider_replay)
  set_tests_properties(cluster_providers_replay PROPERTIES LABELS cluster TIMEOUT 120)
endfunction()
cmake_language(DEFER CALL bedrock_providers_replay_test)
