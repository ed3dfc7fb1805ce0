# Frontend tests (tests/frontend). All are label "unit": no PostgreSQL, Redis or real
# broker needed. test_frontend_server runs the real server in-process on loopback
# ports it picks itself, against tests/frontend/fake_broker.c.
set(FRONTEND_TEST_DIR ${CMAKE_CURRENT_LIST_DIR})

add_library(bedrock_frontend_fake_broker STATIC ${FRONTEND_TEST_DIR}/fake_broker.c)
target_include_directories(bedrock_frontend_fake_broker PUBLIC ${FRONTEND_TEST_DIR})
target_link_libraries(bedrock_frontend_fake_broker PUBLIC bedrock_common PkgConfig::ZMQ Threads::Threads)

# Not a test: `frontend-fake-broker tcp://127.0.0.1:PORT` to try the frontend by hand.
add_executable(frontend-fake-broker ${FRONTEND_TEST_DIR}/fake_broker_main.c)
target_link_libraries(frontend-fake-broker PRIVATE bedrock_frontend_fake_broker)

foreach(name routes query auth http_json server)
  add_executable(test_frontend_${name} ${FRONTEND_TEST_DIR}/test_frontend_${name}.c)
  target_link_libraries(test_frontend_${name} PRIVATE
    bedrock_frontend_core bedrock_frontend_fake_broker PkgConfig::CMOCKA)
  add_test(NAME frontend_${name} COMMAND test_frontend_${name})
  set_tests_properties(frontend_${name} PROPERTIES LABELS "unit" TIMEOUT 120)
endforeach()
