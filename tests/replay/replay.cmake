# bedrock-replay: local stand-in for the provider APIs (Spotify, Deezer,
# MusicBrainz, LRCLIB, iTunes), serving tests/data/providers (or any directory
# of the same shape, --data DIR). See tests/replay/README.md.
set(REPLAY_DIR ${CMAKE_CURRENT_LIST_DIR})
add_executable(bedrock-replay
  ${REPLAY_DIR}/main.c ${REPLAY_DIR}/server.c ${REPLAY_DIR}/serve.c ${REPLAY_DIR}/admin.c
  ${REPLAY_DIR}/control.c ${REPLAY_DIR}/recordings.c ${REPLAY_DIR}/query.c
  ${REPLAY_DIR}/providers.c ${REPLAY_DIR}/http.c ${REPLAY_DIR}/mem.c)
target_link_libraries(bedrock-replay PRIVATE bedrock_common civetweb::civetweb
  PkgConfig::JANSSON Threads::Threads)

# The test starts the real binary and talks HTTP to it.
add_executable(test_replay ${REPLAY_DIR}/test_replay.c ${REPLAY_DIR}/test_replay_util.c)
target_link_libraries(test_replay PRIVATE PkgConfig::CMOCKA PkgConfig::CURL PkgConfig::JANSSON
  Threads::Threads)
target_compile_definitions(test_replay PRIVATE
  REPLAY_BINARY="$<TARGET_FILE:bedrock-replay>"
  REPLAY_DATA_DIR="${REPLAY_DIR}/../data/providers")
add_dependencies(test_replay bedrock-replay)
add_test(NAME unit_replay COMMAND test_replay)
set_tests_properties(unit_replay PROPERTIES LABELS unit TIMEOUT 60)
