# tests/support — the static library every cluster test links (bedrock_test_support):
#   cluster.{h,c}  start/stop the real bedrock-broker, bedrock-worker and bedrock-frontend
#                  as child processes on free ports, kill/restart them, capture their logs;
#   proc.{h,c}     spawn one binary with a chosen environment, bounded wait, captured output;
#   http.{h,c}     thread-safe libcurl client returning status, headers, body and parsed JSON;
#   brclient.{h,c} a DEALER speaking BRC1 + common/envelope.h, to send ops (test.sleep...) directly;
#   check.{h,c}    cmocka helpers: error shape, request id, status with the whole reply on failure;
#   fixture.{h,c}  unique users, register/login, JWT payload decoding.
#
# The binaries' paths are compile definitions. When a binary's target does not exist yet
# (its owner has not written it), the path is where that target will be built; cluster
# tests then fail clearly at start ("cannot execute ...") rather than breaking configure.
option(BEDROCK_TEST_BUILD_BINARIES
       "Make the cluster test programs depend on (and so build) the server binaries" ON)

add_library(bedrock_test_support STATIC
  ${CMAKE_CURRENT_LIST_DIR}/brclient.c
  ${CMAKE_CURRENT_LIST_DIR}/check.c
  ${CMAKE_CURRENT_LIST_DIR}/cluster.c
  ${CMAKE_CURRENT_LIST_DIR}/fixture.c
  ${CMAKE_CURRENT_LIST_DIR}/http.c
  ${CMAKE_CURRENT_LIST_DIR}/proc.c)
target_include_directories(bedrock_test_support PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(bedrock_test_support PUBLIC
  bedrock_common PkgConfig::ZMQ PkgConfig::CURL PkgConfig::JANSSON PkgConfig::CMOCKA
  Threads::Threads)

if(TARGET bedrock-broker)
  set(_bedrock_broker_bin "$<TARGET_FILE:bedrock-broker>")
else()
  set(_bedrock_broker_bin "${CMAKE_BINARY_DIR}/broker/bedrock-broker")
endif()
if(TARGET bedrock-worker)
  set(_bedrock_worker_bin "$<TARGET_FILE:bedrock-worker>")
else()
  set(_bedrock_worker_bin "${CMAKE_BINARY_DIR}/worker/bedrock-worker")
endif()
if(TARGET bedrock-frontend)
  set(_bedrock_frontend_bin "$<TARGET_FILE:bedrock-frontend>")
else()
  set(_bedrock_frontend_bin "${CMAKE_BINARY_DIR}/frontend/bedrock-frontend")
endif()
target_compile_definitions(bedrock_test_support PRIVATE
  BEDROCK_TEST_BROKER_BIN="${_bedrock_broker_bin}"
  BEDROCK_TEST_WORKER_BIN="${_bedrock_worker_bin}"
  BEDROCK_TEST_FRONTEND_BIN="${_bedrock_frontend_bin}")

# Building a cluster test builds the binaries it runs (the library is a dependency of
# every such test). Turn off to build the tests alone while a binary does not compile.
if(BEDROCK_TEST_BUILD_BINARIES)
  foreach(_bedrock_bin_target bedrock-broker bedrock-worker bedrock-frontend)
    if(TARGET ${_bedrock_bin_target})
      add_dependencies(bedrock_test_support ${_bedrock_bin_target})
    endif()
  endforeach()
endif()
