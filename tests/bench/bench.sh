#!/usr/bin/env bash
# tests/bench/bench.sh — load a RUNNING Bedrock cluster with wrk and print, per
# scenario, requests/s, p50 and p99 latency. Never part of the pass/fail suite.
#
#   compose/bedrock up && tests/bench/bench.sh [SCENARIO...]
#
# Environment: BEDROCK_URL (default http://127.0.0.1:8080; loopback only),
# BENCH_DURATION (10s), BENCH_CONNECTIONS (64), BENCH_THREADS (2), BENCH_TIMEOUT (10s: a
# request slower than this counts as a timeout error, not as a latency),
# BENCH_EMAIL / BENCH_PASSWORD (the bench user, registered when missing).
# Each scenario's full wrk output (with --latency) is kept in BENCH_OUT
# (default: a temp dir, printed at the end).
set -euo pipefail

# One line per scenario: name | method | path | auth (bearer|none) | JSON body (or -).
# @EMAIL@ and @PASSWORD@ in a body are replaced by the bench user's. Later issues add
# lines here (e.g. a cached track GET).
SCENARIOS=(
  "me_get       | GET  | /v1/me         | bearer | -"
  "auth_login   | POST | /v1/auth/login | none   | {\"email\":\"@EMAIL@\",\"password\":\"@PASSWORD@\"}"
)

URL=${BEDROCK_URL:-http://127.0.0.1:8080}
URL=${URL%/}
DURATION=${BENCH_DURATION:-10s}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
TIMEOUT=${BENCH_TIMEOUT:-10s}
EMAIL=${BENCH_EMAIL:-bench@bedrock.test}
PASSWORD=${BENCH_PASSWORD:-bench-password-1}

die() {
  printf 'bench: error: %s\n' "$*" >&2
  exit 1
}

trim() {
  local s=$1
  s=${s#"${s%%[![:space:]]*}"}
  printf '%s' "${s%"${s##*[![:space:]]}"}"
}

# Traffic only to this machine.
check_loopback() {
  local hostport=${URL#*://}
  hostport=${hostport%%/*}
  case $hostport in
    127.* | localhost | localhost:* | \[::1\] | \[::1\]:*) ;;
    *) die "BEDROCK_URL must point at this machine (127.0.0.0/8, localhost or [::1]), got $URL" ;;
  esac
}

# json_field NAME: the string value of "NAME" in the JSON on stdin (flat, no escapes
# expected: tokens are base64url/hex).
json_field() { sed -n "s/.*\"$1\"[[:space:]]*:[[:space:]]*\"\\([^\"]*\\)\".*/\\1/p" | head -n 1; }

# post PATH BODY: prints "STATUS BODY".
post() {
  curl -sS --max-time 10 -o "$OUT/reply.json" -w '%{http_code}' \
    -H 'Content-Type: application/json' -d "$2" "$URL$1" || die "POST $1: no answer from $URL"
  printf ' %s\n' "$(cat "$OUT/reply.json")"
}

login_token() {
  local body reply code
  body="{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\",\"display_name\":\"bench\"}"
  reply=$(post /v1/auth/register "$body")
  code=${reply%% *}
  [[ $code == 201 || $code == 409 ]] || die "register: HTTP $code: ${reply#* }"
  reply=$(post /v1/auth/login "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}")
  code=${reply%% *}
  [[ $code == 200 ]] || die "login: HTTP $code: ${reply#* } (BENCH_EMAIL/BENCH_PASSWORD of another user?)"
  TOKEN=$(printf '%s' "${reply#* }" | json_field access_token)
  [[ -n $TOKEN ]] || die "login: no access_token in ${reply#* }"
}

# lua_string S: S as a Lua string literal.
lua_string() {
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}

# write_script FILE METHOD AUTH BODY: a wrk script that sets the request and, when
# done, prints one machine-readable line (latencies in microseconds).
write_script() {
  {
    printf 'wrk.method = %s\n' "$(lua_string "$2")"
    if [[ $3 == bearer ]]; then
      printf 'wrk.headers["Authorization"] = %s\n' "$(lua_string "Bearer $TOKEN")"
    fi
    if [[ $4 != - ]]; then
      local body=${4//@EMAIL@/$EMAIL}
      body=${body//@PASSWORD@/$PASSWORD}
      printf 'wrk.headers["Content-Type"] = "application/json"\n'
      printf 'wrk.body = %s\n' "$(lua_string "$body")"
    fi
    cat <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH_RESULT %d %d %d %d %d %d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout))
end
LUA
  } >"$1"
}

row() { printf '%-14s %11s %9s %9s %8s %8s\n' "$@"; }

ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }

run_scenario() {
  local name=$1 method=$2 path=$3 auth=$4 body=$5 script line
  script=$OUT/$name.lua
  write_script "$script" "$method" "$auth" "$body"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout "$TIMEOUT" --latency \
    -s "$script" "$URL$path" \
    >"$OUT/$name.txt" 2>&1 || { cat "$OUT/$name.txt" >&2; die "wrk failed for $name"; }
  line=$(grep '^BENCH_RESULT ' "$OUT/$name.txt") || die "no result from wrk for $name"
  read -r _ requests duration_us p50 p99 non2xx sockerr <<<"$line"
  row "$name" \
    "$(awk -v r="$requests" -v d="$duration_us" 'BEGIN { printf "%.0f", r / (d / 1e6) }')" \
    "$(ms "$p50")" "$(ms "$p99")" "$non2xx" "$sockerr"
}

main() {
  command -v wrk >/dev/null || die "wrk not found (apt-get install wrk)"
  command -v curl >/dev/null || die "curl not found"
  check_loopback
  OUT=${BENCH_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/bedrock-bench.XXXXXX")}
  mkdir -p "$OUT"
  [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$URL/readyz") == 200 ]] ||
    die "$URL/readyz is not 200: start the cluster first (compose/bedrock up)"
  login_token
  printf '# %s: %s per scenario, %s connections, %s threads, wrk --latency\n' "$URL" "$DURATION" \
    "$CONNECTIONS" "$THREADS"
  row scenario 'requests/s' 'p50 ms' 'p99 ms' 'non-2xx' 'sock.err'
  local entry name method path auth body ran=0
  for entry in "${SCENARIOS[@]}"; do
    IFS='|' read -r name method path auth body <<<"$entry"
    name=$(trim "$name")
    if (($#)) && [[ " $* " != *" $name "* ]]; then continue; fi
    run_scenario "$name" "$(trim "$method")" "$(trim "$path")" "$(trim "$auth")" "$(trim "$body")"
    ran=$((ran + 1))
  done
  ((ran)) || die "no scenario named: $*"
  printf '# non-2xx: replies with another status; sock.err: connect/read/write errors and\n'
  printf '# timeouts (> %s). Full wrk output: %s/\n' "$TIMEOUT" "$OUT"
}

main "$@"
