#!/usr/bin/env bash
# tests/bench/bench_provider.sh — the slow-provider scenario (issue 3 item 7, DESIGN §4:
# slow work runs in its own pool and must not slow the fast paths). Self-contained:
#
#   1. generates a replay data directory: BENCH_IDS Deezer track recordings made from
#      the real tests/data/providers/deezer/track__3135556.json, each with its own
#      track id (id, link, share) and ISRC, plus a manifest.json of the real format;
#   2. starts bedrock-replay on it (a free port on 127.0.0.1), Deezer answering after
#      BENCH_DELAY_MS (300) ms;
#   3. starts its own cluster (compose/bedrock up) in a fresh BEDROCK_VAR on free ports,
#      every provider URL pointing at the replay server, BEDROCK_PROVIDER_WORKERS=
#      BENCH_PROVIDER_WORKERS (64) provider-pool workers, the default fast workers,
#      BEDROCK_RATE_DEEZER=100000, BEDROCK_RATE_USER=off;
#   4. after an unmeasured warm-up of the provider pool, measures, with wrk:
#        cached_alone   GET /v1/tracks/local:1, BENCH_CACHED_CONNECTIONS (16)
#        provider_alone GET /v1/tracks/deezer:{id}, BENCH_PROVIDER_CONNECTIONS (64),
#                       every request a new id (a cache miss: one provider call each)
#        together       the two at the same time (other ids), each its own wrk
#      and prints requests/s, p50, p99 for each, the provider throughput against the
#      ideal connections / delay (64 / 0.3 s = 213 req/s), and the cached p99 alone
#      against under load;
#   5. always stops what it started (compose/bedrock down of its BEDROCK_VAR, the replay
#      server, any wrk) and removes its temporary directories, whatever happens.
#
# Traffic goes to 127.0.0.1 only. Every step is bounded in time; the whole run is
# stopped after BENCH_MAX_S. Never part of the pass/fail suite.
#
# Settings (environment): BENCH_IDS (6000), BENCH_DELAY_MS (300), BENCH_DURATION (10s),
# BENCH_THREADS (2 per wrk), BENCH_TIMEOUT (10s), BENCH_CACHED_CONNECTIONS (16),
# BENCH_CACHED_PACE_MS (0: as fast as they go; N: each cached-read connection waits
# N ms after every reply), BENCH_PROVIDER_CONNECTIONS (64), BENCH_PROVIDER_WORKERS (64),
# BENCH_PROVIDER_ALONE (1; 0 skips that phase), BENCH_WARMUP_S (3: unmeasured provider
# misses first, so that every provider worker has served one), BENCH_BUILD_DIR (build),
# BENCH_UP_TIMEOUT_S (1200: build + start), BENCH_MAX_S (2400), BENCH_OUT (where the
# results are kept; default a new directory under /tmp, printed at the end).
# Exit status: 0; 1 on an error; 3 when a phase got replies >= 400 or socket errors
# (its figures are then marked INVALID).
set -euo pipefail
shopt -u patsub_replacement 2>/dev/null || true

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/../.." && pwd -P)
TEMPLATE=$ROOT/tests/data/providers/deezer/track__3135556.json
TEMPLATE_ID=3135556
TEMPLATE_ISRC=GBDUW0000059

IDS=${BENCH_IDS:-6000}
DELAY_MS=${BENCH_DELAY_MS:-300}
DURATION=${BENCH_DURATION:-10s}
THREADS=${BENCH_THREADS:-2}
TIMEOUT=${BENCH_TIMEOUT:-10s}
CACHED_CONNS=${BENCH_CACHED_CONNECTIONS:-16}
CACHED_PACE_MS=${BENCH_CACHED_PACE_MS:-0}
PROVIDER_CONNS=${BENCH_PROVIDER_CONNECTIONS:-64}
PROVIDER_WORKERS=${BENCH_PROVIDER_WORKERS:-64}
PROVIDER_ALONE=${BENCH_PROVIDER_ALONE:-1}
WARMUP_S=${BENCH_WARMUP_S:-3}
UP_TIMEOUT_S=${BENCH_UP_TIMEOUT_S:-1200}
MAX_S=${BENCH_MAX_S:-2400}
BUILD_DIR=${BENCH_BUILD_DIR:-$ROOT/build}
[[ $BUILD_DIR == /* ]] || BUILD_DIR=$ROOT/$BUILD_DIR

# What the run started, for the clean-up.
UP_RETRIED=0 WORK='' VAR='' OUT='' REPLAY_PID='' WATCHDOG_PID='' CLUSTER_STARTED=0 BG_PIDS=()
INVALID=()

say() { printf 'bench_provider: %s\n' "$*"; }
die() {
  printf 'bench_provider: error: %s\n' "$*" >&2
  exit 1
}
loud() {
  {
    printf '\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n'
    printf '!!! %s\n' "$@"
    printf '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n'
  } >&2
}

is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }

check_settings() {
  local v
  for v in IDS DELAY_MS THREADS CACHED_CONNS PROVIDER_CONNS PROVIDER_WORKERS UP_TIMEOUT_S MAX_S; do
    if ! is_uint "${!v}" || ((${!v} == 0)); then die "$v must be a positive number, got '${!v}'"; fi
  done
  ((IDS >= 100 && IDS <= 99999)) || die "BENCH_IDS must be 100..99999"
  is_uint "$CACHED_PACE_MS" || die "BENCH_CACHED_PACE_MS must be a number of milliseconds"
  is_uint "$WARMUP_S" || die "BENCH_WARMUP_S must be a number of seconds"
  [[ $DURATION =~ ^[0-9]+[smh]?$ ]] || die "BENCH_DURATION must be like 10s"
  [[ $TIMEOUT =~ ^[0-9]+[smh]?$ ]] || die "BENCH_TIMEOUT must be like 10s"
  [[ $PROVIDER_ALONE == [01] ]] || die "BENCH_PROVIDER_ALONE must be 0 or 1"
  local tool
  for tool in wrk curl awk sha256sum ss cmake timeout; do
    command -v "$tool" >/dev/null || die "$tool not found"
  done
  [[ -r $TEMPLATE ]] || die "missing $TEMPLATE"
}

# --- clean-up ------------------------------------------------------------------------

# stop_pid PID SECONDS: TERM, then KILL when it is still there after SECONDS.
stop_pid() {
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < $2 * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# bg_forget PID: PID has been waited for.
bg_forget() {
  local kept=() p
  for p in "${BG_PIDS[@]}"; do [[ $p == "$1" ]] || kept+=("$p"); done
  BG_PIDS=("${kept[@]}")
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  local pid
  for pid in "${BG_PIDS[@]}"; do stop_pid "$pid" 5; done
  if ((CLUSTER_STARTED)); then
    say "stopping the cluster (compose/bedrock down, BEDROCK_VAR=$VAR)"
    if [[ -n $OUT ]]; then
      mkdir -p "$OUT/logs"
      local f
      for f in "$VAR"/log/*.log; do
        [[ -f $f ]] && tail -n 300 "$f" >"$OUT/logs/${f##*/}" 2>/dev/null
      done
    fi
    timeout 180 env -i PATH="$PATH" HOME="${HOME:-/root}" BEDROCK_VAR="$VAR" \
      "$ROOT/compose/bedrock" down >/dev/null ||
      printf 'bench_provider: warning: compose/bedrock down failed for %s\n' "$VAR" >&2
  fi
  [[ -n $REPLAY_PID ]] && stop_pid "$REPLAY_PID" 5
  [[ -n $WATCHDOG_PID ]] && stop_pid "$WATCHDOG_PID" 1
  if [[ -n $WORK && -d $WORK ]]; then
    # a PostgreSQL data dir the postgres user could not keep under VAR lives elsewhere
    if [[ -n $VAR && -L $VAR/pg ]]; then rm -rf "$(readlink -f "$VAR/pg")"; fi
    rm -rf "$WORK"
  fi
  [[ -n $OUT ]] && say "results kept in $OUT/"
  exit "$rc"
}

# start_watchdog: ends the whole run after MAX_S whatever it is doing; the EXIT trap
# then cleans up.
start_watchdog() {
  local me=$$
  (
    sleep "$MAX_S" &
    sleeper=$!
    trap 'kill "$sleeper" 2>/dev/null; exit 0' TERM
    wait "$sleeper"
    printf 'bench_provider: error: the run took more than %s s (BENCH_MAX_S): stopping\n' \
      "$MAX_S" >&2
    kill -TERM "$me"
  ) &
  WATCHDOG_PID=$!
}

# run_bounded SECONDS CMD...: CMD in the background (so that INT/TERM run the trap at
# once), stopped after SECONDS. Returns CMD's status.
run_bounded() {
  local secs=$1 pid rc=0
  shift
  timeout --kill-after=10 "$secs" "$@" &
  pid=$!
  BG_PIDS+=("$pid")
  wait "$pid" || rc=$?
  bg_forget "$pid"
  return "$rc"
}

# --- ports ---------------------------------------------------------------------------

port_in_use() { [[ -n $(ss -Htln "sport = :$1" 2>/dev/null) ]]; }

# free_port [EXCLUDED...]: a port nothing listens on, below the ephemeral range (a
# ZeroMQ DEALER reconnecting to an ephemeral port can connect to itself).
free_port() {
  local port tries=0
  while ((tries++ < 200)); do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
    [[ " $* " == *" $port "* ]] && continue
    port_in_use "$port" || { printf '%s\n' "$port"; return 0; }
  done
  die "no free TCP port found"
}

# --- synthetic replay data -----------------------------------------------------------

# generate_data DIR BASE: DIR/deezer/track__ID.json for ID = BASE .. BASE+IDS-1 and
# DIR/deezer/manifest.json. Every id has the same number of digits, so every body has
# the template's length; ISRCs are distinct too (tracks are linked across platforms
# by ISRC: 6000 tracks sharing one would all be linked to each other).
generate_data() {
  local dir=$1/deezer base=$2
  mkdir -p "$dir"
  LC_ALL=C awk -v dir="$dir" -v base="$base" -v n="$IDS" -v tid="$TEMPLATE_ID" \
    -v tisrc="$TEMPLATE_ISRC" '
    { body = body (NR > 1 ? "\n" : "") $0 }
    END {
      for (i = 0; i < n; i++) {
        id = sprintf("%.0f", base + i)  # %d stops at 2^31 - 1 in mawk
        b = body
        gsub(tid, id, b)
        gsub(tisrc, sprintf("QZBEN%07d", (base + i) % 10000000), b)
        f = dir "/track__" id ".json"
        printf "%s", b > f
        close(f)
        printf "%s\t%d\n", id, length(b)
      }
    }' "$TEMPLATE" >"$1/index.tsv" || die "generating the recordings failed"
  (cd "$dir" && sha256sum -- track__*.json) >"$1/sha256.txt" || die "sha256sum failed"
  LC_ALL=C awk -v tid="$TEMPLATE_ID" '
    FNR == NR { sub(/^track__/, "", $2); sub(/\.json$/, "", $2); sha[$2] = $1; next }
    FNR == 1 {
      print "{"
      print "  \"provider\": \"deezer\","
      print "  \"split\": \"synthetic\","
      printf "  \"description\": \"Synthetic copies of the real recording track__%s.json (see tests/data/providers/deezer/manifest.json), one per track id, made by tests/bench/bench_provider.sh for the slow-provider benchmark.\",\n", tid
      print "  \"entries\": ["
    }
    {
      id = $1
      printf "%s    {\n", (FNR > 1 ? ",\n" : "")
      printf "      \"file\": \"track__%s.json\",\n      \"endpoint\": \"track\",\n", id
      printf "      \"request\": {\n        \"method\": \"GET\",\n"
      printf "        \"url\": \"https://api.deezer.com/track/%s\",\n", id
      printf "        \"base\": \"https://api.deezer.com\",\n        \"path\": \"/track/%s\",\n", id
      printf "        \"query\": [],\n        \"url_is_exact_recording\": false,\n"
      printf "        \"url_provenance\": \"synthetic: the recorded request of track__%s.json with the id replaced\"\n      },\n", tid
      printf "      \"response\": {\n        \"status\": 200,\n        \"status_recorded\": true,\n"
      printf "        \"content_type\": \"application/json; charset=utf-8\",\n"
      printf "        \"date_header\": \"Tue, 12 Feb 2019 12:23:51 GMT\",\n"
      printf "        \"bytes\": %d,\n        \"sha256\": \"%s\"\n      },\n", $2, sha[id]
      printf "      \"source\": {\n        \"repo\": \"https://github.com/browniebroke/deezer-python\",\n"
      printf "        \"path\": \"tests/cassettes/TestClient.test_get_track.yaml\",\n"
      printf "        \"snapshot_commit\": \"f6672de2fdfdedbd649c99572cff70b14ce95f2b\",\n"
      printf "        \"file_last_changed_commit\": \"202d2f4e4cd432148fc11dd4477d6b004e6b9630\",\n"
      printf "        \"file_last_changed_date\": \"2019-02-12\",\n        \"license_of_repo\": \"MIT\"\n      },\n"
      printf "      \"extraction\": \"copy of the response body of track__%s.json\",\n", tid
      printf "      \"modified\": \"synthetic: track id %s (id, link, share) replaced by %s, isrc replaced by a distinct one\"\n    }", tid, id
    }
    END { print "\n  ]\n}" }' "$1/sha256.txt" "$1/index.tsv" >"$dir/manifest.json" ||
    die "writing the manifest failed"
}

# --- replay server -------------------------------------------------------------------

# build_replay: bedrock-replay in BUILD_DIR (configured the way compose/bedrock does).
build_replay() {
  REPLAY_BIN=$BUILD_DIR/tests/bedrock-replay
  say "building bedrock-replay in $BUILD_DIR"
  if [[ ! -f $BUILD_DIR/CMakeCache.txt ]]; then
    run_bounded 600 cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null ||
      die "cmake configure failed"
  fi
  run_bounded 900 cmake --build "$BUILD_DIR" -j2 --target bedrock-replay >"$OUT/build-replay.log" 2>&1 ||
    { tail -n 30 "$OUT/build-replay.log" >&2; die "building bedrock-replay failed"; }
  [[ -x $REPLAY_BIN ]] || die "no $REPLAY_BIN after the build"
}

start_replay() {
  local threads=$((2 * PROVIDER_CONNS + 16)) line='' i
  ((threads < 128)) && threads=128
  say "starting bedrock-replay on $WORK/data ($IDS Deezer tracks)"
  env -i PATH="$PATH" BEDROCK_LOG_LEVEL=warn BEDROCK_REPLAY_THREADS="$threads" \
    "$REPLAY_BIN" --data "$WORK/data" --listen 127.0.0.1:0 \
    >"$OUT/replay.stdout" 2>"$OUT/replay.log" &
  REPLAY_PID=$!
  for ((i = 0; i < 300; i++)); do
    line=$(head -n 1 "$OUT/replay.stdout" 2>/dev/null || true)
    [[ $line == 'listening http://127.0.0.1:'* ]] && break
    kill -0 "$REPLAY_PID" 2>/dev/null || { cat "$OUT/replay.log" >&2; die "bedrock-replay exited"; }
    sleep 0.1
  done
  [[ $line == 'listening http://127.0.0.1:'* ]] || die "bedrock-replay did not start in 30 s"
  REPLAY_URL=${line#listening }
  local mode="{\"provider\":\"deezer\",\"mode\":\"normal\",\"delay_ms\":$DELAY_MS}"
  [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST -H 'Content-Type: application/json' \
    -d "$mode" "$REPLAY_URL/_replay/mode") == 200 ]] || die "setting the replay mode failed"
  say "replay: $REPLAY_URL, deezer answering after $DELAY_MS ms"
}

# replay_deezer_count: how many requests the replay server got under /deezer so far.
replay_deezer_count() {
  curl -s --max-time 5 "$REPLAY_URL/_replay/stats" |
    sed -n 's/.*"requests"[[:space:]]*:[[:space:]]*{[^}]*"deezer"[[:space:]]*:[[:space:]]*\([0-9]*\).*/\1/p'
}

# --- cluster -------------------------------------------------------------------------

cluster_up() {
  local http pg redis clients workers p
  http=$(free_port) pg=$(free_port "$http") redis=$(free_port "$http" "$pg")
  clients=$(free_port "$http" "$pg" "$redis") workers=$(free_port "$http" "$pg" "$redis" "$clients")
  URL=http://127.0.0.1:$http
  BROKER_CLIENTS=tcp://127.0.0.1:$clients
  local env=(PATH="$PATH" HOME="${HOME:-/root}" LANG=C.UTF-8
    BEDROCK_VAR="$VAR" BEDROCK_BUILD_DIR="$BUILD_DIR"
    BEDROCK_HTTP_ADDR="127.0.0.1:$http" BEDROCK_PG_PORT="$pg" BEDROCK_REDIS_PORT="$redis"
    BEDROCK_BROKER_CLIENTS="$BROKER_CLIENTS" BEDROCK_BROKER_WORKERS="tcp://127.0.0.1:$workers"
    BEDROCK_PROVIDER_WORKERS="$PROVIDER_WORKERS" BEDROCK_RATE_DEEZER=100000
    BEDROCK_RATE_USER=off BEDROCK_RATE_LOGIN=off)
  # every provider at the replay server: nothing of this run leaves the machine
  for p in deezer musicbrainz spotify lrclib itunes; do
    env+=("BEDROCK_${p^^}_URL=$REPLAY_URL/$p")
  done
  env+=("BEDROCK_SPOTIFY_AUTH_URL=$REPLAY_URL/spotify-auth")
  say "starting the cluster: compose/bedrock up (BEDROCK_VAR=$VAR, http 127.0.0.1:$http," \
    "pg $pg, redis $redis, broker $clients/$workers, $PROVIDER_WORKERS provider workers)"
  CLUSTER_STARTED=1
  if ! run_bounded "$UP_TIMEOUT_S" env -i "${env[@]}" "$ROOT/compose/bedrock" up >"$OUT/up.log" 2>&1; then
    # compose/bedrock up loads the Chinook catalog as soon as /readyz is 200, i.e. as
    # soon as ANY worker is registered; provider-pool workers (which do not serve
    # catalog.ingest) often register first, and the load fails with 503 no_worker.
    # "up" is idempotent: a second one finds every worker there and loads it.
    grep -q 'no_worker' "$OUT/up.log" ||
      { tail -n 40 "$OUT/up.log" >&2; die "compose/bedrock up failed (log: $OUT/up.log)"; }
    say "compose/bedrock up: the catalog load ran before a fast worker had registered" \
      "(503 no_worker; see the report): running up again"
    run_bounded "$UP_TIMEOUT_S" env -i "${env[@]}" "$ROOT/compose/bedrock" up >"$OUT/up2.log" 2>&1 ||
      { tail -n 40 "$OUT/up2.log" >&2; die "compose/bedrock up failed twice (log: $OUT/up2.log)"; }
    UP_RETRIED=1
  fi
  tail -n 1 "$OUT/up$( ((UP_RETRIED)) && printf 2).log"
}

# broker_status: the broker's own status (JSON) through bedrockctl.
broker_status() {
  BEDROCK_BROKER_CLIENTS=$BROKER_CLIENTS timeout 10 "$BUILD_DIR/frontend/bedrockctl" status 2>/dev/null
}

# wait_workers N: until the broker sees N live workers (the provider pool registers
# after /readyz is already 200).
wait_workers() {
  local want=$1 live='' i
  for ((i = 0; i < 120; i++)); do
    live=$(broker_status | sed -n 's/.*"workers_live"[[:space:]]*:[[:space:]]*\([0-9]*\).*/\1/p')
    [[ -n $live ]] && ((live >= want)) && { say "broker: $live live workers"; return 0; }
    sleep 0.5
  done
  die "the broker sees ${live:-no} live workers after 60 s, expected $want"
}

# check_paths: one request of each kind answers as it should before anything is timed.
check_paths() {
  local check_id=$((ID_BASE + IDS - 1)) h
  [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$REPLAY_URL/deezer/track/$check_id") == 200 ]] ||
    die "the replay server does not serve its synthetic track $check_id"
  h=$(curl -s -D - -o "$OUT/check_track.json" --max-time 10 "$URL/v1/tracks/deezer:$check_id") ||
    die "GET /v1/tracks/deezer:$check_id: no answer"
  [[ $h == 'HTTP/1.1 200'* ]] || die "GET /v1/tracks/deezer:$check_id: $(head -n 1 <<<"$h") $(cat "$OUT/check_track.json")"
  grep -qi '^x-cache: *miss' <<<"$h" || die "GET /v1/tracks/deezer:$check_id was not a miss: $h"
  h=$(curl -s -D - -o /dev/null --max-time 10 "$URL/v1/tracks/deezer:$check_id")
  grep -qi '^x-cache: *hit' <<<"$h" || die "the second GET /v1/tracks/deezer:$check_id was not a hit: $h"
  h=$(curl -s -D - -o /dev/null --max-time 10 "$URL/v1/tracks/local:1")
  [[ $h == 'HTTP/1.1 200'* ]] || die "GET /v1/tracks/local:1: $(head -n 1 <<<"$h")"
  say "checked: deezer:$check_id miss then hit (provider delay included), local:1 served"
}

# --- wrk -----------------------------------------------------------------------------

# The line every script's done() prints (latencies in microseconds).
DONE_LUA='
local function bench_result(summary, latency, extra)
  local e = summary.errors
  io.write(string.format("BENCH_RESULT %d %d %d %d %d %d %s\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status, e.connect + e.read + e.write + e.timeout, extra or ""))
end'

# write_cached_script: a static GET; with BENCH_CACHED_PACE_MS, each connection waits
# that long after every reply (wrk's delay()), so that the cached reads alone do not
# already use every core and a slowdown under provider load shows.
write_cached_script() {
  printf '%s\n' "$DONE_LUA"
  ((CACHED_PACE_MS == 0)) || printf 'function delay() return %s end\n' "$CACHED_PACE_MS"
  cat <<'LUA'
done = function(summary, latency, requests) bench_result(summary, latency) end
LUA
}

# write_provider_script FIRST COUNT: walks ids FIRST .. FIRST+COUNT-1, thread k of T
# taking ids k, k+T, k+2T...: every request asks for an id nobody asked for, so every
# one is a cache miss and one provider call. Counts statuses and X-Cache values; an id
# range that runs out wraps (and says so: those requests are hits).
write_provider_script() {
  printf 'local first, count, nthreads = %s, %s, %s\n' "$1" "$2" "$THREADS"
  printf '%s\n' "$DONE_LUA"
  cat <<'LUA'
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("k", #threads - 1)
end

function init(args)
  j, wrapped, ok, failed, miss, hit, other = 0, 0, 0, 0, 0, 0, 0
end

request = function()
  local idx = k + j * nthreads
  j = j + 1
  if idx >= count then
    wrapped = wrapped + 1
    idx = idx % count
  end
  return wrk.format(nil, string.format("/v1/tracks/deezer:%.0f", first + idx))
end

response = function(status, headers, body)
  if status >= 200 and status < 300 then ok = ok + 1 else failed = failed + 1 end
  local c = headers["X-Cache"] or headers["x-cache"] or ""
  if c == "miss" then miss = miss + 1 elseif c == "hit" then hit = hit + 1 else other = other + 1 end
end

done = function(summary, latency, requests)
  local t = {ok = 0, failed = 0, miss = 0, hit = 0, other = 0, wrapped = 0}
  for _, thread in ipairs(threads) do
    for name in pairs(t) do t[name] = t[name] + (thread:get(name) or 0) end
  end
  bench_result(summary, latency, string.format("ok=%d failed=%d miss=%d hit=%d other=%d wrapped=%d",
    t.ok, t.failed, t.miss, t.hit, t.other, t.wrapped))
end
LUA
}

# start_wrk NAME CONNECTIONS SCRIPT PATH [DURATION]: wrk in the background; sets WRK_PID.
start_wrk() {
  wrk -t"$THREADS" -c"$2" -d"${5:-$DURATION}" --timeout "$TIMEOUT" --latency -s "$3" "$URL$4" \
    >"$OUT/$1.txt" 2>&1 &
  WRK_PID=$!
  BG_PIDS+=("$WRK_PID")
}

# finish_wrk NAME PID: waits for wrk and records its figures in R_<field>[NAME].
declare -A R_RPS R_P50 R_P99 R_NON2XX R_SOCKERR R_CONNS R_EXTRA R_REQUESTS
finish_wrk() {
  local name=$1 line
  wait "$2" || { cat "$OUT/$name.txt" >&2; die "wrk failed for $name"; }
  bg_forget "$2"
  line=$(grep '^BENCH_RESULT ' "$OUT/$name.txt") || die "no result from wrk for $name"
  local requests duration_us p50 p99 non2xx sockerr extra
  read -r _ requests duration_us p50 p99 non2xx sockerr extra <<<"$line"
  R_REQUESTS[$name]=$requests
  R_RPS[$name]=$(awk -v r="$requests" -v d="$duration_us" 'BEGIN { printf "%.0f", r / (d / 1e6) }')
  R_P50[$name]=$(awk -v us="$p50" 'BEGIN { printf "%.1f", us / 1000 }')
  R_P99[$name]=$(awk -v us="$p99" 'BEGIN { printf "%.1f", us / 1000 }')
  R_NON2XX[$name]=$non2xx
  R_SOCKERR[$name]=$sockerr
  R_EXTRA[$name]=${extra:-}
  if ((non2xx > 0 || sockerr > 0)); then
    INVALID+=("$name")
    loud "$name: $non2xx replies >= 400 and $sockerr socket errors/timeouts out of $requests:" \
      "its figures are not a clean measurement. wrk output: $OUT/$name.txt;" \
      "cluster logs: $OUT/logs/ (after the run)"
  fi
}

# cpu_sample: "busy total" jiffies of the whole machine, from /proc/stat.
cpu_sample() { awk '/^cpu / { idle = $5 + $6; t = 0; for (i = 2; i <= NF; i++) t += $i; print t - idle, t; exit }' /proc/stat; }
cpu_busy() { awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " "); d = y[2] - x[2]; printf "%.0f", (d > 0 ? 100 * (y[1] - x[1]) / d : 0) }'; }
declare -A R_CPU R_PROVIDER_CALLS

# phase NAME... : runs the named wrk runs at the same time (cached_*: GET /v1/tracks/
# local:1; provider_*: the next range of deezer ids).
phase() {
  local label=$1 name pids=() names=() before after calls_before calls_after
  shift
  calls_before=$(replay_deezer_count)
  before=$(cpu_sample)
  for name in "$@"; do
    case $name in
      cached_*)
        write_cached_script >"$OUT/$name.lua"
        start_wrk "$name" "$CACHED_CONNS" "$OUT/$name.lua" /v1/tracks/local:1
        R_CONNS[$name]=$CACHED_CONNS
        ;;
      provider_*)
        write_provider_script "$((ID_BASE + NEXT_ID))" "$RANGE" >"$OUT/$name.lua"
        NEXT_ID=$((NEXT_ID + RANGE))
        start_wrk "$name" "$PROVIDER_CONNS" "$OUT/$name.lua" /
        R_CONNS[$name]=$PROVIDER_CONNS
        ;;
    esac
    pids+=("$WRK_PID")
    names+=("$name")
  done
  say "phase $label: ${names[*]} ($DURATION)"
  local i
  for i in "${!pids[@]}"; do finish_wrk "${names[$i]}" "${pids[$i]}"; done
  after=$(cpu_sample)
  calls_after=$(replay_deezer_count)
  for name in "${names[@]}"; do
    R_CPU[$name]=$(cpu_busy "$before" "$after")
    R_PROVIDER_CALLS[$name]=$((${calls_after:-0} - ${calls_before:-0}))
  done
  # let the queues drain before the next phase
  sleep 2
}

# warmup: BENCH_WARMUP_S of provider misses on ids of their own, not reported. The
# first request a provider worker serves is slower (libcurl connection, statements
# prepared on first use, first catalog upsert); with 64 workers that first wave alone
# is 5 % of a 10 s run and would be its p99.
warmup() {
  ((WARMUP_S > 0)) || return 0
  say "warm-up: ${WARMUP_S}s of provider misses (${PROVIDER_CONNS} connections, not measured)"
  write_provider_script "$((ID_BASE + NEXT_ID))" "$WARM_RANGE" >"$OUT/warmup.lua"
  NEXT_ID=$((NEXT_ID + WARM_RANGE))
  start_wrk warmup "$PROVIDER_CONNS" "$OUT/warmup.lua" / "${WARMUP_S}s"
  wait "$WRK_PID" || { cat "$OUT/warmup.txt" >&2; die "wrk failed for the warm-up"; }
  bg_forget "$WRK_PID"
  sleep 2
}

# --- report --------------------------------------------------------------------------

report() {
  local ideal name label
  ideal=$(awk -v c="$PROVIDER_CONNS" -v d="$DELAY_MS" 'BEGIN { printf "%.0f", c * 1000 / d }')
  printf '\n## Slow provider: Deezer replay answering after %s ms; %s provider workers, %s fast workers; %s per run, %s wrk threads each%s\n\n' \
    "$DELAY_MS" "$PROVIDER_WORKERS" "$FAST_WORKERS" "$DURATION" "$THREADS" \
    "$( ((CACHED_PACE_MS == 0)) || printf '; cached reads paced: %s ms after each reply' "$CACHED_PACE_MS")"
  printf '| scenario | connections | requests/s | p50 ms | p99 ms | non-2xx | sock.err | CPU busy |\n'
  printf '|---|---|---|---|---|---|---|---|\n'
  for name in cached_alone provider_alone provider_together cached_together; do
    [[ -n ${R_RPS[$name]:-} ]] || continue
    case $name in
      cached_alone) label='cached GET /v1/tracks/local:1, alone' ;;
      provider_alone) label='uncached GET /v1/tracks/deezer:{new id}, alone' ;;
      provider_together) label='uncached GET /v1/tracks/deezer:{new id}, with cached reads' ;;
      cached_together) label='cached GET /v1/tracks/local:1, during the provider load' ;;
    esac
    local rps=${R_RPS[$name]}
    [[ " ${INVALID[*]} " == *" $name "* ]] && rps="$rps (INVALID)"
    printf '| %s | %s | %s | %s | %s | %s | %s | %s%% |\n' "$label" "${R_CONNS[$name]}" "$rps" \
      "${R_P50[$name]}" "${R_P99[$name]}" "${R_NON2XX[$name]}" "${R_SOCKERR[$name]}" "${R_CPU[$name]}"
  done
  printf '\n'
  for name in provider_alone provider_together; do
    [[ -n ${R_RPS[$name]:-} ]] || continue
    printf -- '- %s: %s req/s = %s%% of the ideal %s connections / %s ms = %s req/s; replay calls %s for %s requests (%s)\n' \
      "$name" "${R_RPS[$name]}" \
      "$(awk -v r="${R_RPS[$name]}" -v i="$ideal" 'BEGIN { printf "%.0f", 100 * r / i }')" \
      "$PROVIDER_CONNS" "$DELAY_MS" "$ideal" "${R_PROVIDER_CALLS[$name]}" "${R_REQUESTS[$name]}" \
      "${R_EXTRA[$name]}"
    [[ ${R_EXTRA[$name]} == *'wrapped=0'* ]] ||
      loud "$name ran out of fresh ids (raise BENCH_IDS): some of its requests were cache hits"
  done
  if [[ -n ${R_P99[cached_alone]:-} && -n ${R_P99[cached_together]:-} ]]; then
    printf -- '- cached reads: p99 %s ms alone, %s ms during the provider load (x%s); %s -> %s req/s\n' \
      "${R_P99[cached_alone]}" "${R_P99[cached_together]}" \
      "$(awk -v a="${R_P99[cached_alone]}" -v b="${R_P99[cached_together]}" 'BEGIN { printf "%.2f", (a > 0 ? b / a : 0) }')" \
      "${R_RPS[cached_alone]}" "${R_RPS[cached_together]}"
  fi
  ((UP_RETRIED)) && printf -- '- compose/bedrock up had to be run twice: its catalog load raced the registration of the fast workers (503 no_worker)\n'
  printf -- '- machine: %s cores, load average before the run: %s\n' "$(nproc)" "$LOAD_BEFORE"
  printf -- '- provider.tracks.get as the broker saw it (broker.status, whole run): %s\n' \
    "$(sed -n 's/.*"provider\.tracks\.get"[[:space:]]*:[[:space:]]*\({[^}]*}\).*/\1/p' "$OUT/broker_status.json" 2>/dev/null)"
}

main() {
  (($# == 0)) || die "takes no arguments (settings are BENCH_* variables; see the header)"
  check_settings
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  start_watchdog
  LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
  OUT=${BENCH_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/bedrock-bench-provider-out.XXXXXX")}
  mkdir -p "$OUT"
  # Short path (BEDROCK_VAR holds Unix sockets) that the postgres user can reach.
  WORK=$(mktemp -d /tmp/bedrock-bench.XXXXXX)
  chmod 755 "$WORK"
  VAR=$WORK/var
  mkdir -p "$VAR" "$WORK/data"
  # ids of this run: 10 digits, new each run, so that nothing is cached from before
  ID_BASE=$((2000000000 + (RANDOM * 32768 + RANDOM) % 100000 * 10000))
  say "generating $IDS Deezer recordings (ids $ID_BASE..$((ID_BASE + IDS - 1))) in $WORK/data"
  generate_data "$WORK/data" "$ID_BASE"
  build_replay
  start_replay
  cluster_up
  # shellcheck disable=SC1091 # written by compose/bedrock up
  FAST_WORKERS=$(. "$VAR/cluster.env" 2>/dev/null && printf '%s' "${CL_WORKERS:-}") || FAST_WORKERS=''
  FAST_WORKERS=${FAST_WORKERS:-$(nproc)}
  wait_workers "$((FAST_WORKERS + PROVIDER_WORKERS))"
  check_paths
  # the last id was used by check_paths; the others are split between the provider runs
  NEXT_ID=0
  WARM_RANGE=$((WARMUP_S * 250))
  ((WARM_RANGE <= IDS / 4)) || WARM_RANGE=$((IDS / 4))
  RANGE=$(((IDS - 1 - WARM_RANGE) / (PROVIDER_ALONE + 1)))
  warmup
  phase 'cached reads alone' cached_alone
  ((PROVIDER_ALONE)) && phase 'provider misses alone' provider_alone
  phase 'provider misses + cached reads' provider_together cached_together
  broker_status >"$OUT/broker_status.json" || true
  curl -s --max-time 5 "$REPLAY_URL/_replay/stats" >"$OUT/replay_stats.json" 2>/dev/null || true
  report | tee "$OUT/report.md"
  ((${#INVALID[@]} == 0)) || exit 3
}

main "$@"
