# shellcheck shell=bash
# compose/lib/redis.sh — a private Redis, daemonized, bound to 127.0.0.1.
# Layout: DIR/redis/ holds its pid file and its data (appendonly.aof for "up");
# the log is DIR/log/redis.log. Sourced by compose/bedrock.

# redis_ping PORT: true when a Redis answers PING on 127.0.0.1:PORT (pure bash).
redis_ping() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf 'PING\r\n' >&3
    IFS= read -r -t 2 reply <&3 || exit 1
    [[ $reply == +PONG* ]]
  ) 2>/dev/null
}

# redis_start MODE PORT DIR: MODE "test" keeps nothing on disk; "up" uses appendonly.
# Returns non-zero (never dies) so that a caller may retry on another port.
redis_start() {
  local mode=$1 port=$2 dir=$3/redis pidfile=$3/redis/redis.pid
  mkdir -p "$dir" "$3/log" || return 1
  if pid_alive "$pidfile"; then
    redis_ping "$port" 2>/dev/null && return 0
    warn "the Redis of $dir runs, but not on port $port: run 'compose/bedrock down' first"
    return 1
  fi
  if port_in_use "$port"; then
    warn "port $port is already in use (set BEDROCK_REDIS_PORT)"
    return 1
  fi
  local args=(--port "$port" --bind 127.0.0.1 --protected-mode yes --daemonize yes
    --pidfile "$pidfile" --logfile "$3/log/redis.log" --dir "$dir" --save '')
  if [[ $mode == test ]]; then
    args+=(--appendonly no)
  else
    args+=(--appendonly yes --appendfsync everysec)
  fi
  say "starting Redis on 127.0.0.1:$port (log: $3/log/redis.log)"
  redis-server "${args[@]}" || return 1
  wait_until 15 redis_ping "$port" || { tail -n 20 "$3/log/redis.log" >&2; return 1; }
}

# redis_stop DIR: SIGTERM makes Redis flush its append-only file and exit.
redis_stop() {
  local pidfile=$1/redis/redis.pid pid
  pid_alive "$pidfile" || return 0
  pid=$(head -n 1 "$pidfile")
  say "stopping Redis (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || return 0
  wait_pid_gone "$pid" 30 || { warn "Redis $pid did not stop in 30 s; killing it"; kill -KILL "$pid" 2>/dev/null || true; }
}
