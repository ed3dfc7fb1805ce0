# tests/broker — bedrock-broker against fake workers and clients (owned by the broker
# area). Each program starts the real binary on free ports (label "cluster"; needs no
# database). Broker logs of each run go to the build dir (broker-test-*.log).
add_library(bedrock_broker_test_harness STATIC ${CMAKE_CURRENT_LIST_DIR}/broker_harness.c)
target_include_directories(bedrock_broker_test_harness PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(bedrock_broker_test_harness PUBLIC
  bedrock_common PkgConfig::CZMQ PkgConfig::ZMQ PkgConfig::CMOCKA PkgConfig::MSGPACK
  PkgConfig::JANSSON)
target_compile_definitions(bedrock_broker_test_harness PRIVATE
  BROKER_BIN="$<TARGET_FILE:bedrock-broker>"
  BROKER_TEST_LOG_DIR="${CMAKE_CURRENT_BINARY_DIR}")
add_dependencies(bedrock_broker_test_harness bedrock-broker)

foreach(name routing faults forward curve config)
  add_executable(test_broker_${name} ${CMAKE_CURRENT_LIST_DIR}/test_broker_${name}.c)
  target_link_libraries(test_broker_${name} PRIVATE bedrock_broker_test_harness)
  add_test(NAME broker_${name} COMMAND test_broker_${name})
  set_tests_properties(broker_${name} PROPERTIES LABELS "cluster;broker" TIMEOUT 60)
endforeach()

# Socket-free unit tests of broker modules (compiled in from broker/).
get_filename_component(BEDROCK_BROKER_SRC ${CMAKE_CURRENT_LIST_DIR}/../../broker ABSOLUTE)
add_executable(test_broker_units ${CMAKE_CURRENT_LIST_DIR}/test_broker_units.c
  ${BEDROCK_BROKER_SRC}/mpscan.c ${BEDROCK_BROKER_SRC}/queue.c
  ${BEDROCK_BROKER_SRC}/broker.c)
target_include_directories(test_broker_units PRIVATE ${BEDROCK_BROKER_SRC})
target_link_libraries(test_broker_units PRIVATE bedrock_common PkgConfig::ZMQ PkgConfig::CMOCKA)
add_test(NAME broker_units COMMAND test_broker_units)
set_tests_properties(broker_units PROPERTIES LABELS "unit;broker" TIMEOUT 60)
