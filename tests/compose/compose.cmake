# Tests of compose/: no services needed, no build targets.
#  compose_file    docker-compose config -q on compose/docker-compose.yml (skipped, exit
#                  77, when docker-compose is not installed; it needs no Docker engine)
#  compose_syntax  bash -n on compose/bedrock, its libraries, .ci/run and the bench script
#  compose_cli     compose/bedrock rejects bad commands and arguments before doing anything
set(BEDROCK_COMPOSE_CHECK ${CMAKE_CURRENT_LIST_DIR}/check_compose.sh)
foreach(check file syntax cli)
  add_test(NAME compose_${check}
    COMMAND bash ${BEDROCK_COMPOSE_CHECK} ${check} ${CMAKE_SOURCE_DIR})
  set_tests_properties(compose_${check} PROPERTIES
    LABELS "unit;compose" TIMEOUT 120 SKIP_RETURN_CODE 77)
endforeach()
