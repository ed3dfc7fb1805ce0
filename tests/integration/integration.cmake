# tests/integration — the worker's modules against a real PostgreSQL and Redis.
#
# Every test reads DATABASE_URL and REDIS_URL from the environment and FAILS with a
# message when they are unset. Each program creates its own scratch database
# (bedrock_it_<pid>) on DATABASE_URL's server, applies schema/migrations/*.up.sql in
# order, and drops it at the end. Label "db".
#
#   test_worker_db        db.c: SQLSTATE classes, backoff, reconnect after
#                         pg_terminate_backend, recycle, idle check, transactions
#   test_worker_users     users.c, password.c, validate.c
#   test_worker_sessions  sessions.c: refresh rotation, reuse revokes the session
#   test_worker_ops       dispatch + handlers: the op contracts of CONTRACTS.md
#   test_worker_cache     cache.c against Redis, and Redis down
#   test_worker_proto     the bedrock-worker process against a fake broker (BRW1),
#                         and its start-up validation (exit 2)
#   test_worker_proto_valgrind  the same with the worker under valgrind (when installed,
#                         not in sanitizer builds)
if(NOT TARGET bedrock_worker_core)
  return()
endif()

add_library(bedrock_it_support STATIC ${CMAKE_CURRENT_LIST_DIR}/it_support.c)
target_include_directories(bedrock_it_support PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(bedrock_it_support PUBLIC bedrock_worker_core PkgConfig::CMOCKA)

function(bedrock_it_test name timeout)
  if(NOT EXISTS ${CMAKE_CURRENT_LIST_DIR}/${name}.c)  # keeps the tree configurable while tests are written
    return()
  endif()
  add_executable(${name} ${CMAKE_CURRENT_LIST_DIR}/${name}.c)
  target_link_libraries(${name} PRIVATE bedrock_it_support Threads::Threads)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "db" TIMEOUT ${timeout})
endfunction()

bedrock_it_test(test_worker_db 30)
bedrock_it_test(test_worker_users 30)
bedrock_it_test(test_worker_sessions 30)
bedrock_it_test(test_worker_ops 30)
bedrock_it_test(test_worker_cache 30)
bedrock_it_test(test_worker_proto 30)
if(TARGET test_worker_proto)
  target_compile_definitions(test_worker_proto PRIVATE
    IT_WORKER_BIN="$<TARGET_FILE:bedrock-worker>")
  add_dependencies(test_worker_proto bedrock-worker)
endif()

# The real bedrock-worker process under valgrind (IT_VALGRIND=1 makes the proto test
# start it through valgrind; a valgrind error or a definite leak turns its exit status,
# checked after SIGTERM, into a failure).
find_program(BEDROCK_VALGRIND valgrind)
if(BEDROCK_VALGRIND AND NOT BEDROCK_SANITIZE AND TARGET test_worker_proto)
  target_compile_definitions(test_worker_proto PRIVATE IT_VALGRIND_BIN="${BEDROCK_VALGRIND}")
  add_test(NAME test_worker_proto_valgrind COMMAND test_worker_proto)
  set_tests_properties(test_worker_proto_valgrind PROPERTIES
    LABELS "db;valgrind" TIMEOUT 120 ENVIRONMENT "IT_VALGRIND=1")
endif()
