# GET /openapi.yaml and GET /docs (frontend/docs.c). All label "unit": nothing to start.
#   frontend_docs_spec    the embedded copies equal the files; openapi.yaml keeps to the
#                         YAML subset /docs parses; every $ref resolves; its paths and
#                         frontend/routes.c describe the same endpoints (method, op,
#                         bearer and body policies, path parameters)
#   frontend_docs_server  the real server in-process: status, Content-Type, bytes
#   frontend_docs_openapi PyYAML and openapi-spec-validator read openapi.yaml, and the
#                         page's own parser (run by node) reads it the same way; skipped
#                         (77) without PyYAML, partial without the validator or node
set(FRONTEND_DOCS_TEST_DIR ${CMAKE_CURRENT_LIST_DIR})

foreach(name spec server)
  add_executable(test_frontend_docs_${name} ${FRONTEND_DOCS_TEST_DIR}/test_frontend_docs_${name}.c)
  target_link_libraries(test_frontend_docs_${name} PRIVATE bedrock_frontend_core PkgConfig::CMOCKA)
  add_test(NAME frontend_docs_${name} COMMAND test_frontend_docs_${name})
  set_tests_properties(frontend_docs_${name} PROPERTIES LABELS "unit" TIMEOUT 60)
endforeach()

find_program(FRONTEND_DOCS_PYTHON NAMES python3)
find_program(FRONTEND_DOCS_NODE NAMES node nodejs)
if(FRONTEND_DOCS_PYTHON)
  set(node "")
  if(FRONTEND_DOCS_NODE)
    set(node ${FRONTEND_DOCS_NODE})
  endif()
  add_test(NAME frontend_docs_openapi
    COMMAND ${FRONTEND_DOCS_PYTHON} ${FRONTEND_DOCS_TEST_DIR}/check_openapi.py
            ${CMAKE_SOURCE_DIR} "${node}")
  set_tests_properties(frontend_docs_openapi PROPERTIES LABELS "unit" TIMEOUT 60
    SKIP_RETURN_CODE 77)
endif()
