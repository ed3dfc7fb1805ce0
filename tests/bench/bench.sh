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
#
# The cluster must be started without the per-user request limit (and, for auth_login,
# without the login limit), or the authenticated scenarios measure 429 replies:
#   BEDROCK_RATE_USER=off BEDROCK_RATE_LOGIN=off compose/bedrock up
# Any reply >= 400 during a scenario voids its figures: the row says INVALID, the
# status of a probe request is shown (429 = a rate limit), and the exit status is 3.
#
# The slow-provider scenario (its own cluster and replay server) is bench_provider.sh.
set -euo pipefail

# One line per scenario: name | method | path | auth (bearer|none) | JSON body (or -).
# @EMAIL@ and @PASSWORD@ in a body are replaced by the bench user's. A path may hold
# placeholders, drawn anew for every request by a wrk Lua request():
#   {rand:LO-HI}   a random integer in LO..HI (uniform, per-thread seed)
#   {cycle:a,b,c}  the next item of the list, round robin (each thread starts elsewhere)
# Catalog reads are anonymous (auth optional): no per-user limit, no search history row.
# track_random: Chinook has tracks local:1..3503; misses only on a cold cache (track:
# keys live 1 h), turning into hits as the run goes. search_local: search: keys live
# 5 min, so after the first request of each query it measures hits.
SCENARIOS=(
  "me_get       | GET  | /v1/me                         | bearer | -"
  "auth_login   | POST | /v1/auth/login                 | none   | {\"email\":\"@EMAIL@\",\"password\":\"@PASSWORD@\"}"
  "track_hit    | GET  | /v1/tracks/local:1             | none   | -"
  "track_random | GET  | /v1/tracks/local:{rand:1-3503} | none   | -"
  "search_local | GET  | /v1/search?q={cycle:balls+to+the+wall,for+those+about+to+rock,restless+and+wild,princess+of+the+dawn,fast+as+a+shark}&platform=local | none | -"
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

# lua_path_parts PATH: PATH as the items of a Lua table: literal strings, and
# {rand={LO,HI}} / {cycle={...}} for the placeholders. Dies on a malformed one.
lua_path_parts() {
  local rest=$1 sep="" lit kind arg lo hi item items list
  while [[ $rest =~ ^([^{]*)\{([a-z]+):([^}]*)\}(.*)$ ]]; do
    lit=${BASH_REMATCH[1]} kind=${BASH_REMATCH[2]} arg=${BASH_REMATCH[3]} rest=${BASH_REMATCH[4]}
    printf '%s%s' "$sep" "$(lua_string "$lit")"
    sep=', '
    case $kind in
      rand)
        [[ $arg =~ ^([0-9]+)-([0-9]+)$ ]] || die "bad placeholder {rand:$arg} (want {rand:LO-HI})"
        lo=${BASH_REMATCH[1]} hi=${BASH_REMATCH[2]}
        ((lo <= hi)) || die "bad placeholder {rand:$arg}: LO > HI"
        printf ', {rand = {%s, %s}}' "$lo" "$hi"
        ;;
      cycle)
        [[ -n $arg ]] || die "empty placeholder {cycle:}"
        items=''
        IFS=',' read -r -a list <<<"$arg"
        for item in "${list[@]}"; do items+="${items:+, }$(lua_string "$item")"; done
        printf ', {cycle = {%s}}' "$items"
        ;;
      *) die "unknown placeholder {$kind:...} (known: rand, cycle)" ;;
    esac
  done
  [[ $rest != *'{'* && $rest != *'}'* ]] || die "malformed placeholder in $1"
  printf '%s%s' "$sep" "$(lua_string "$rest")"
}

# has_placeholder PATH
has_placeholder() { [[ $1 == *'{'*'}'* ]]; }

# instantiate PATH: PATH with each placeholder drawn once (for the probe request).
instantiate() {
  local rest=$1 out='' lo hi first
  while [[ $rest =~ ^([^{]*)\{([a-z]+):([^}]*)\}(.*)$ ]]; do
    out+=${BASH_REMATCH[1]}
    case ${BASH_REMATCH[2]} in
      rand)
        lo=${BASH_REMATCH[3]%-*} hi=${BASH_REMATCH[3]#*-}
        out+=$((lo + (RANDOM * 32768 + RANDOM) % (hi - lo + 1)))
        ;;
      cycle)
        first=${BASH_REMATCH[3]%%,*}
        out+=$first
        ;;
    esac
    rest=${BASH_REMATCH[4]}
  done
  printf '%s' "$out$rest"
}

# body_of BODY: the scenario body with the bench user's email and password.
body_of() {
  local body=${1//@EMAIL@/$EMAIL}
  printf '%s' "${body//@PASSWORD@/$PASSWORD}"
}

# write_script FILE METHOD AUTH BODY PATH: a wrk script that sets the request (drawing
# the path's placeholders per request when it has any) and, when done, prints one
# machine-readable line (latencies in microseconds).
write_script() {
  {
    printf 'wrk.method = %s\n' "$(lua_string "$2")"
    if [[ $3 == bearer ]]; then
      printf 'wrk.headers["Authorization"] = %s\n' "$(lua_string "Bearer $TOKEN")"
    fi
    if [[ $4 != - ]]; then
      printf 'wrk.headers["Content-Type"] = "application/json"\n'
      printf 'wrk.body = %s\n' "$(lua_string "$(body_of "$4")")"
    fi
    if has_placeholder "$5"; then
      printf 'local parts = {%s}\n' "$(lua_path_parts "$5")"
      cat <<'LUA'
-- Each thread gets its own number (setup runs in the main state) for its seed and
-- for where its cycles start.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_no", threads)
end

function init(args)
  local n = thread_no or 1
  math.randomseed(os.time() * 1000 + n * 7919)
  for _, p in ipairs(parts) do
    if type(p) == "table" and p.cycle then p.next = (n - 1) % #p.cycle end
  end
end

request = function()
  local out = {}
  for i, p in ipairs(parts) do
    if type(p) == "string" then
      out[i] = p
    elseif p.rand then
      out[i] = tostring(math.random(p.rand[1], p.rand[2]))
    else
      p.next = p.next % #p.cycle + 1
      out[i] = p.cycle[p.next]
    end
  end
  return wrk.format(nil, table.concat(out))
end
LUA
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

# probe METHOD PATH AUTH BODY: prints the HTTP status of one request like the
# scenario's (000: no answer).
probe() {
  local args=(-s -o "$OUT/probe.json" -w '%{http_code}' --max-time 10 -X "$1")
  [[ $3 == bearer ]] && args+=(-H "Authorization: Bearer $TOKEN")
  [[ $4 != - ]] && args+=(-H 'Content-Type: application/json' -d "$(body_of "$4")")
  curl "${args[@]}" "$URL$(instantiate "$2")" 2>/dev/null || true
}

# cache_sample PATH N: how many of N probe GETs of PATH (placeholders drawn) answer
# X-Cache: hit, before the run; the run itself does not look at headers.
cache_sample() {
  local i hits=0
  for ((i = 0; i < $2; i++)); do
    curl -s -o /dev/null -D - --max-time 5 "$URL$(instantiate "$1")" 2>/dev/null |
      grep -qi '^x-cache: *hit' && hits=$((hits + 1))
  done
  printf '%s\n' "$hits"
}

row() { printf '%-14s %11s %9s %9s %8s %8s\n' "$@"; }

ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }

# loud MESSAGE...: a message nobody can miss, on stderr.
loud() {
  {
    printf '\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n'
    printf '!!! %s\n' "$@"
    printf '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n'
  } >&2
}

# explain_failures NAME METHOD PATH AUTH BODY NON2XX REQUESTS: the scenario got replies
# >= 400; one more request tells which, and why that voids the figures.
explain_failures() {
  local name=$1 code hint
  code=$(probe "$2" "$3" "$4" "$5")
  case $code in
    429)
      if [[ $name == auth_login ]]; then
        hint='429 rate_limited: the login limit. Start the cluster with BEDROCK_RATE_LOGIN=off.'
      else
        hint='429 rate_limited: the per-user request limit (BEDROCK_RATE_USER, default 600/60).'
        hint+=' Start the cluster with BEDROCK_RATE_USER=off (and BEDROCK_RATE_LOGIN=off).'
      fi
      ;;
    503) hint='503: no worker for the op, or the broker queue is full (BEDROCK_BROKER_QUEUE_MAX).' ;;
    504) hint='504: requests passed their deadline (BEDROCK_REQUEST_TIMEOUT_MS): the cluster is saturated.' ;;
    2??) hint="a probe now answers $code: the failures were transient (a limit window that has passed?)." ;;
    *) hint="a probe request now answers HTTP $code: $(head -c 300 "$OUT/probe.json" 2>/dev/null)" ;;
  esac
  loud "$name: $6 of $7 replies were HTTP >= 400: its requests/s and latencies are MEANINGLESS." \
    "$hint" "Full wrk output: $OUT/$name.txt"
}

run_scenario() {
  local name=$1 method=$2 path=$3 auth=$4 body=$5 script line rps
  script=$OUT/$name.lua
  write_script "$script" "$method" "$auth" "$body" "$path"
  # wrk needs a URL: with placeholders, request() replaces its path on every request.
  local target=$URL$path
  has_placeholder "$path" && target=$URL/
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --timeout "$TIMEOUT" --latency \
    -s "$script" "$target" \
    >"$OUT/$name.txt" 2>&1 || { cat "$OUT/$name.txt" >&2; die "wrk failed for $name"; }
  line=$(grep '^BENCH_RESULT ' "$OUT/$name.txt") || die "no result from wrk for $name"
  read -r _ requests duration_us p50 p99 non2xx sockerr <<<"$line"
  if ((non2xx > 0)); then
    row "$name" INVALID - - "$non2xx" "$sockerr"
    explain_failures "$name" "$method" "$path" "$auth" "$body" "$non2xx" "$requests"
    FAILED+=("$name")
    return 0
  fi
  rps=$(awk -v r="$requests" -v d="$duration_us" 'BEGIN { printf "%.0f", r / (d / 1e6) }')
  row "$name" "$rps" "$(ms "$p50")" "$(ms "$p99")" "$non2xx" "$sockerr"
}

# settle: waits (up to 30 s) until a worker op answers fast again. When wrk stops,
# the requests its connections had queued (64 bcrypt logins take seconds) are still
# being served; the next scenario must not start behind them.
settle() {
  local i t
  for ((i = 0; i < 60; i++)); do
    t=$(curl -s -o /dev/null -w '%{time_total}' --max-time 10 \
      -H "Authorization: Bearer $TOKEN" "$URL/v1/me" 2>/dev/null) || t=10
    awk -v t="$t" 'BEGIN { exit !(t < 0.05) }' && return 0
    sleep 0.5
  done
  printf '# warning: the cluster still answers slowly 30 s after the last scenario\n' >&2
}

# prepare_scenario NAME PATH: what a scenario needs before wrk starts.
prepare_scenario() {
  case $1 in
    track_hit)
      # the one miss of the run happens here, so that wrk measures hits only
      curl -s -o /dev/null --max-time 10 "$URL$2" || true
      ;;
    track_random)
      local hits
      hits=$(cache_sample "$2" 20)
      printf '# track_random: %s of 20 random ids already cached before the run%s\n' "$hits" \
        "$( ((hits > 10)) && printf ' (warm cache: mostly hits; a fresh cluster shows the misses)')"
      ;;
  esac
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
  local entry name method path auth body ran=0 selected=()
  FAILED=()
  for entry in "${SCENARIOS[@]}"; do
    IFS='|' read -r name method path auth body <<<"$entry"
    name=$(trim "$name")
    if (($#)) && [[ " $* " != *" $name "* ]]; then continue; fi
    selected+=("$name")
    path=$(trim "$path")
    prepare_scenario "$name" "$path"
  done
  ((${#selected[@]})) || die "no scenario named: $*"
  row scenario 'requests/s' 'p50 ms' 'p99 ms' 'non-2xx' 'sock.err'
  for entry in "${SCENARIOS[@]}"; do
    IFS='|' read -r name method path auth body <<<"$entry"
    name=$(trim "$name")
    [[ " ${selected[*]} " == *" $name "* ]] || continue
    ((ran == 0)) || settle
    run_scenario "$name" "$(trim "$method")" "$(trim "$path")" "$(trim "$auth")" "$(trim "$body")"
    ran=$((ran + 1))
  done
  printf '# non-2xx: replies with a status >= 400; sock.err: connect/read/write errors and\n'
  printf '# timeouts (> %s). Full wrk output: %s/\n' "$TIMEOUT" "$OUT"
  if ((${#FAILED[@]})); then
    loud "INVALID figures (replies >= 400) for: ${FAILED[*]} — see the messages above."
    exit 3
  fi
}

main "$@"
