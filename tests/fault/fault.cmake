# tests/fault — fault tests against a real cluster (tests/support/cluster.h): a worker
# killed with SIGKILL during a burst, a broker restarted under running workers and
# frontend, deadlines, and a broker queue at its bound. They run with a 200 ms
# heartbeat and BEDROCK_TEST_OPS=1 (test.sleep / test.sleep_write / test.echo), need
# DATABASE_URL / REDIS_URL, and run one at a time (RUN_SERIAL) because they measure
# latencies.
#
# Labels: "cluster" (needs the binaries and the services) and "fault".
function(bedrock_fault_test name timeout)
  add_executable(${name} ${CMAKE_CURRENT_LIST_DIR}/${name}.c)
  target_link_libraries(${name} PRIVATE bedrock_test_support)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "cluster;fault" TIMEOUT ${timeout}
                                          RUN_SERIAL TRUE)
endfunction()

bedrock_fault_test(fault_worker_kill 60)
bedrock_fault_test(fault_broker_restart 60)
bedrock_fault_test(fault_deadline 60)
bedrock_fault_test(fault_overload 60)
