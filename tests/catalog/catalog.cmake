# tests/catalog — the catalog (issue 3) over HTTP against a real cluster: fast workers,
# provider-pool workers, bedrock-replay standing in for the providers, a private
# redis-server, PostgreSQL from DATABASE_URL (owner: catalog engineer, C1).
# Labels: "cluster" (needs the binaries, DATABASE_URL and REDIS_URL) and "catalog".
add_library(bedrock_catalog_test_support STATIC ${CMAKE_CURRENT_LIST_DIR}/catalog_support.c)
target_include_directories(bedrock_catalog_test_support PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(bedrock_catalog_test_support PUBLIC
  bedrock_test_support PkgConfig::HIREDIS PkgConfig::PQ PkgConfig::JANSSON)
# bedrock-replay is defined by tests/replay/replay.cmake, included after this file:
# the binaries' paths and the dependencies are settled at the end of the directory.
function(bedrock_catalog_binaries)
  foreach(_pair "bedrock-replay;BEDROCK_TEST_REPLAY_BIN;tests/bedrock-replay"
                "bedrockctl;BEDROCK_TEST_CTL_BIN;frontend/bedrockctl")
    list(GET _pair 0 _target)
    list(GET _pair 1 _define)
    list(GET _pair 2 _fallback)
    if(TARGET ${_target})
      target_compile_definitions(bedrock_catalog_test_support PRIVATE
        ${_define}="$<TARGET_FILE:${_target}>")
      add_dependencies(bedrock_catalog_test_support ${_target})
    else()
      target_compile_definitions(bedrock_catalog_test_support PRIVATE
        ${_define}="${CMAKE_BINARY_DIR}/${_fallback}")
    endif()
  endforeach()
endfunction()
cmake_language(DEFER CALL bedrock_catalog_binaries)

function(bedrock_catalog_test name timeout)
  add_executable(${name} ${CMAKE_CURRENT_LIST_DIR}/${name}.c)
  target_link_libraries(${name} PRIVATE bedrock_catalog_test_support Threads::Threads)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "cluster;catalog" TIMEOUT ${timeout})
endfunction()

bedrock_catalog_test(catalog_local 90)
bedrock_catalog_test(catalog_providers 90)
