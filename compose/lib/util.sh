# shellcheck shell=bash
# compose/lib/util.sh — messages, ports, waiting. Sourced by compose/bedrock.

say() { printf 'bedrock: %s\n' "$*"; }
warn() { printf 'bedrock: warning: %s\n' "$*" >&2; }
die() {
  printf 'bedrock: error: %s\n' "$*" >&2
  exit 1
}

# is_uint VALUE: a decimal number without sign.
is_uint() { [[ $1 =~ ^[0-9]+$ ]]; }

# check_port NAME VALUE: dies unless VALUE is a TCP port number.
check_port() {
  if ! is_uint "$2" || (($2 < 1 || $2 > 65535)); then
    die "$1 must be a TCP port number (1..65535), got '$2'"
  fi
}

# port_in_use PORT: true when something listens on PORT (any address).
# ss(8) sees every listener; the /dev/tcp probe is the fallback when iproute2 is absent
# and only sees listeners reachable on 127.0.0.1.
port_in_use() {
  if command -v ss >/dev/null 2>&1; then
    [[ -n $(ss -Htln "sport = :$1" 2>/dev/null) ]]
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

# free_port [EXCLUDED...]: prints a port nothing listens on, not among EXCLUDED.
# Random in 20000..59999, below the kernel's ephemeral range (32768.. overlaps, so
# a later bind can still race; callers retry the start on failure).
free_port() {
  local port tries=0
  while ((tries++ < 200)); do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    [[ " $* " == *" $port "* ]] && continue
    port_in_use "$port" || { printf '%s\n' "$port"; return 0; }
  done
  die "no free TCP port found"
}

# addr_port HOST:PORT -> PORT ; addr_host HOST:PORT -> HOST (for tcp://h:p, h:p, [v6]:p)
addr_port() { local a=${1##*:}; printf '%s\n' "${a%%/*}"; }
addr_host() {
  local a=${1#*://}
  printf '%s\n' "${a%:*}"
}

# http_code URL: prints the HTTP status of a GET (000 when nothing answers).
http_code() {
  curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$1" 2>/dev/null || true
}

# wait_until SECONDS COMMAND...: runs COMMAND every 0.25 s until it succeeds.
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.25
  done
}

# proc_alive PID: true while PID runs. A zombie counts as gone: a daemon's parent is
# init, and an init that does not reap (as in some containers) keeps it as a zombie.
proc_alive() {
  local stat
  kill -0 "$1" 2>/dev/null || return 1
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

# pid_alive PIDFILE: true when PIDFILE names a running process.
pid_alive() {
  local pid
  [[ -r $1 ]] || return 1
  pid=$(head -n 1 "$1" 2>/dev/null) || return 1
  is_uint "$pid" && proc_alive "$pid"
}

# wait_pid_gone PID SECONDS: waits for a process to exit; false on timeout.
wait_pid_gone() {
  local deadline=$((SECONDS + $2))
  while proc_alive "$1"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}

# random_hex BYTES: BYTES random bytes as hex, from the kernel (no openssl needed).
random_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
