# tests/discovery — search, lyrics, plays and provider status (issue 3, discovery
# engineer C2) against a real cluster: a fast pool and a provider pool of real
# bedrock-worker processes, the real broker and frontend, a real PostgreSQL
# (DATABASE_URL), a redis-server of each program's own and bedrock-replay serving
# tests/data/providers (disc_env.h). Labels: "cluster" and "discovery"; the pure parts
# are tested alone (test_disc_unit, label "unit").
#
# The local catalog is Chinook, ingested with bedrockctl by the first program that
# needs it. bedrock-replay is defined by tests/replay/replay.cmake, included after this file:
# the tests are added at the end of tests/ (cmake_language DEFER), like the provider
# replay tests.
# The pure parts (text folding, cursor, merge): label "unit", nothing to start.
add_executable(test_disc_unit ${CMAKE_CURRENT_LIST_DIR}/test_disc_unit.c)
target_link_libraries(test_disc_unit PRIVATE bedrock_worker_core PkgConfig::CMOCKA)
add_test(NAME unit_disc COMMAND test_disc_unit)
set_tests_properties(unit_disc PROPERTIES LABELS "unit;discovery" TIMEOUT 30)

function(bedrock_discovery_tests)
  if(NOT TARGET bedrock-replay OR NOT TARGET bedrockctl)
    message(STATUS "discovery: bedrock-replay or bedrockctl not defined, tests skipped")
    return()
  endif()
  find_program(BEDROCK_REDIS_SERVER redis-server PATHS /usr/bin /usr/local/bin)
  if(NOT BEDROCK_REDIS_SERVER)
    message(STATUS "discovery: redis-server not found, discovery tests skipped")
    return()
  endif()
  set(dir ${CMAKE_SOURCE_DIR}/tests/discovery)
  add_library(bedrock_disc_support STATIC ${dir}/disc_env.c ${dir}/disc_env_io.c
    ${dir}/disc_http.c ${dir}/disc_data.c)
  target_include_directories(bedrock_disc_support PUBLIC ${dir})
  target_link_libraries(bedrock_disc_support PUBLIC
    bedrock_test_support PkgConfig::PQ PkgConfig::HIREDIS PkgConfig::CMOCKA PkgConfig::CURL)
  target_compile_definitions(bedrock_disc_support PRIVATE
    DISC_REPLAY_BIN="$<TARGET_FILE:bedrock-replay>"
    DISC_REPLAY_DATA="${CMAKE_SOURCE_DIR}/tests/data/providers"
    DISC_REDIS_SERVER="${BEDROCK_REDIS_SERVER}"
    DISC_CTL_BIN="$<TARGET_FILE:bedrockctl>"
    DISC_CHINOOK_DIR="${CMAKE_SOURCE_DIR}/compose/data/chinook")
  add_dependencies(bedrock_disc_support bedrock-replay bedrockctl)
  foreach(name disc_search disc_lyrics disc_plays disc_status)
    add_executable(test_${name} ${dir}/test_${name}.c)
    target_link_libraries(test_${name} PRIVATE bedrock_disc_support)
    add_test(NAME cluster_${name} COMMAND test_${name})
    set_tests_properties(cluster_${name} PROPERTIES LABELS "cluster;discovery" TIMEOUT 90)
  endforeach()
endfunction()
cmake_language(DEFER CALL bedrock_discovery_tests)
