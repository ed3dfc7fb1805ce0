# Unit tests of common/: no services needed. Each also runs under valgrind
# (memcheck, leaks are errors) when valgrind is installed and the build is not
# sanitized (the two do not mix).
find_program(VALGRIND valgrind)
foreach(name envelope config ids token mpjson)
  add_executable(test_${name} ${CMAKE_CURRENT_LIST_DIR}/test_${name}.c)
  target_link_libraries(test_${name} PRIVATE bedrock_common PkgConfig::CMOCKA)
  add_test(NAME unit_${name} COMMAND test_${name})
  set_tests_properties(unit_${name} PROPERTIES LABELS unit TIMEOUT 60)
  if(VALGRIND AND NOT BEDROCK_SANITIZE)
    add_test(NAME valgrind_${name}
      COMMAND ${VALGRIND} --quiet --leak-check=full --show-leak-kinds=definite,indirect
              --errors-for-leak-kinds=definite,indirect --error-exitcode=3
              --trace-children=no $<TARGET_FILE:test_${name}>)
    set_tests_properties(valgrind_${name} PROPERTIES LABELS "unit;valgrind" TIMEOUT 300)
  endif()
endforeach()
