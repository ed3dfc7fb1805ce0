# tests/library — the user library, the account lifecycle, audit, rate limits and
# admin (issue 4), over HTTP against a real cluster (tests/support/cluster.h), with
# SQL on DATABASE_URL to look at what was stored (purge, outbox) and bedrockctl for
# the internal ops. Each program starts its own cluster(s). Label "cluster".
#
#   lib_me          PATCH /v1/me, favorites, sessions, player, history, search history,
#                   pagination, ownership of sessions
#   lib_playlists   playlists and items, ownership on every id, concurrent edits
#   lib_lifecycle   email verification, password change, deletion, export, purge,
#                   the inactivity policy
#   lib_admin       admin (403, roles, promote via bedrockctl), the audit trail
#   lib_ratelimit   login/registration/per-user limits, 429 + Retry-After, a worker
#                   restart, Redis down
#   lib_units       (label "unit", no services) setting formats, cursors, the worker's
#                   own login-limit table with a fake clock
# bedrock_test_support is defined by support/support.cmake, included after this file:
# target names are resolved at generate time, so linking to it here is fine.
add_library(bedrock_lib_test_support STATIC ${CMAKE_CURRENT_LIST_DIR}/lib_support.c)
target_include_directories(bedrock_lib_test_support PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(bedrock_lib_test_support PUBLIC bedrock_test_support PkgConfig::PQ)
target_compile_definitions(bedrock_lib_test_support PRIVATE
  LT_BEDROCKCTL_BIN="$<TARGET_FILE:bedrockctl>")
add_dependencies(bedrock_lib_test_support bedrockctl)

function(bedrock_lib_test name timeout)
  if(NOT EXISTS ${CMAKE_CURRENT_LIST_DIR}/${name}.c)
    return()
  endif()
  add_executable(${name} ${CMAKE_CURRENT_LIST_DIR}/${name}.c)
  target_link_libraries(${name} PRIVATE bedrock_lib_test_support Threads::Threads)
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS "cluster;library" TIMEOUT ${timeout})
endfunction()

bedrock_lib_test(lib_me 90)
bedrock_lib_test(lib_playlists 90)
bedrock_lib_test(lib_lifecycle 90)
bedrock_lib_test(lib_admin 90)
bedrock_lib_test(lib_ratelimit 90)

add_executable(lib_units ${CMAKE_CURRENT_LIST_DIR}/lib_units.c)
target_link_libraries(lib_units PRIVATE bedrock_worker_core PkgConfig::CMOCKA)
add_test(NAME lib_units COMMAND lib_units)
set_tests_properties(lib_units PROPERTIES LABELS "unit" TIMEOUT 30)

# lib_lifecycle purges every account soft-deleted in the shared database, and lib_admin
# reads back the audit trail of an account it has just deleted: never at the same time.
set_tests_properties(lib_lifecycle lib_admin PROPERTIES RESOURCE_LOCK bedrock_user_purge)
