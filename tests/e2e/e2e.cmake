# tests/e2e — end-to-end tests: real HTTP (libcurl) against a real cluster of
# bedrock-broker + bedrock-worker + bedrock-frontend processes (tests/support/cluster.h),
# with a real PostgreSQL and Redis from DATABASE_URL / REDIS_URL (they fail at once,
# clearly, when those are unset). Each program starts its own cluster(s) on free ports
# and stops them, so the programs run in parallel (ctest -j).
#
# Labels: "cluster" (needs the binaries and the services) and "e2e".
function(bedrock_e2e_test name timeout)
  add_executable(${name} ${CMAKE_CURRENT_LIST_DIR}/${name}.c)
  target_link_libraries(${name} PRIVATE bedrock_test_support)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "cluster;e2e" TIMEOUT ${timeout})
endfunction()

bedrock_e2e_test(e2e_register 60)
bedrock_e2e_test(e2e_login_me 60)
bedrock_e2e_test(e2e_session 60)
bedrock_e2e_test(e2e_http 60)
bedrock_e2e_test(e2e_config 60)
bedrock_e2e_test(e2e_degraded 60)
# Timing comparison: alone, so that other tests' load does not skew it.
bedrock_e2e_test(e2e_login_timing 60)
set_tests_properties(e2e_login_timing PROPERTIES RUN_SERIAL TRUE)
