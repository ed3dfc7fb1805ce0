# bedrock-migrate tests (owned by the schema area).
#   migrate_files  (unit): checksum, migration directory rules, error line numbers.
#   migrate_cli    (unit): usage/config exit codes, unreachable database (no server needed).
#   migrate_db     (db):   the runner against real PostgreSQL; needs DATABASE_URL of a role
#                          that may CREATE DATABASE (scratch databases bedrock_migrate_t*).
if(TARGET bedrock-migrate)
  add_library(bedrock_migrate_mtest STATIC ${CMAKE_CURRENT_LIST_DIR}/mtest.c)
  target_include_directories(bedrock_migrate_mtest PUBLIC ${CMAKE_CURRENT_LIST_DIR})
  target_compile_definitions(bedrock_migrate_mtest PRIVATE
    BEDROCK_MIGRATE_BIN="$<TARGET_FILE:bedrock-migrate>")
  target_link_libraries(bedrock_migrate_mtest PUBLIC bedrock_migrate PkgConfig::PQ)
  add_dependencies(bedrock_migrate_mtest bedrock-migrate)

  foreach(name files cli db)
    add_executable(test_migrate_${name} ${CMAKE_CURRENT_LIST_DIR}/test_migrate_${name}.c)
    target_link_libraries(test_migrate_${name} PRIVATE bedrock_migrate_mtest PkgConfig::CMOCKA)
    add_test(NAME migrate_${name} COMMAND test_migrate_${name})
    set_tests_properties(migrate_${name} PROPERTIES TIMEOUT 60)
  endforeach()
  set_tests_properties(migrate_files migrate_cli PROPERTIES LABELS "unit")
  set_tests_properties(migrate_db PROPERTIES LABELS "db")
endif()
