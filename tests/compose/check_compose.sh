#!/usr/bin/env bash
# tests/compose/check_compose.sh CHECK ROOT — the checks of tests/compose/compose.cmake.
# Exit 0 pass, 1 fail, 77 skipped.
set -euo pipefail
check=$1
root=$2

fail() {
  printf 'FAIL: %s\n' "$*" >&2
  exit 1
}

# expect_exit CODE CMD...: CMD must exit with CODE.
expect_exit() {
  local want=$1 rc=0
  shift
  "$@" >/dev/null 2>&1 || rc=$?
  ((rc == want)) || fail "'$*' exited $rc, expected $want"
}

case $check in
  file)
    if ! command -v docker-compose >/dev/null 2>&1; then
      echo "docker-compose not installed: skipped"
      exit 77
    fi
    # The file demands a JWT secret (${BEDROCK_JWT_SECRET:?}): give it one.
    BEDROCK_JWT_SECRET=compose-check-secret-0123456789abcdef \
      docker-compose -f "$root/compose/docker-compose.yml" config -q
    # ...and without one, config must refuse it.
    if env -u BEDROCK_JWT_SECRET docker-compose -f "$root/compose/docker-compose.yml" config -q >/dev/null 2>&1; then
      fail "docker-compose config accepted the file without BEDROCK_JWT_SECRET"
    fi
    ;;
  syntax)
    for f in "$root"/compose/bedrock "$root"/compose/lib/*.sh "$root"/.ci/run \
      "$root"/tests/bench/*.sh "$root"/tests/compose/*.sh; do
      [[ -f $f ]] || continue
      bash -n "$f" || fail "bash -n $f"
    done
    ;;
  cli)
    bedrock=$root/compose/bedrock
    "$bedrock" help | grep -q 'compose/bedrock up' || fail "help does not list the commands"
    expect_exit 2 "$bedrock" no-such-command
    expect_exit 1 "$bedrock" scale
    expect_exit 1 "$bedrock" scale zero
    expect_exit 1 "$bedrock" scale 0
    expect_exit 1 "$bedrock" up extra-argument
    expect_exit 1 "$bedrock" down extra-argument
    BEDROCK_VAR='/tmp/has space' expect_exit 1 "$bedrock" status
    ;;
  *)
    fail "unknown check $check"
    ;;
esac
echo "compose_$check: ok"
