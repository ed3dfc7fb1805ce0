# shellcheck shell=bash
# compose/lib/supervisor.sh — the supervisord that runs broker, workers and frontend.
# Each worker is its own program (worker-01, worker-02, ...) rather than one program
# with numprocs: supervisord restarts a whole program when its numprocs changes, so
# "scale" adds or removes worker-NN programs and leaves every other process alone.
# Sourced by compose/bedrock.

# The environment supervisord itself starts with: nothing else leaks into the
# processes; what they get is the "environment=" line of each program.
SV_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
SV_MINFDS=16384

sv_conf() { printf '%s\n' "$VAR/supervisord.conf"; }
sv_ctl() { supervisorctl -c "$(sv_conf)" "$@"; }

# sv_running: true when the supervisord of VAR runs and answers on its socket.
sv_running() {
  pid_alive "$VAR/supervisord.pid" && sv_ctl pid >/dev/null 2>&1
}

# sv_quote NAME VALUE: one NAME="VALUE" item of supervisord's environment= line.
# supervisord splits that line with a non-POSIX shlex (no escapes; surrounding quotes
# stripped) and expands %(...)s: % is doubled; a value holding both quote kinds, a
# newline, or a quote at either end cannot be written and is refused.
sv_quote() {
  local name=$1 value=${2//%/%%} q='"'
  [[ $value == *$'\n'* ]] && die "$name contains a newline: not supported"
  [[ $value == [\"\']* || $value == *[\"\'] ]] && die "$name starts or ends with a quote: not supported"
  if [[ $value == *\"* ]]; then
    [[ $value == *\'* ]] && die "$name contains both ' and \": not supported"
    q="'"
  fi
  printf '%s=%s%s%s' "$name" "$q" "$value" "$q"
}

# sv_environment [SKIP]: the environment= value from CL_ENV_NAMES / CL_ENV_VALUES,
# without the variable SKIP (set per program instead).
sv_environment() {
  local i item sep=''
  for i in "${!CL_ENV_NAMES[@]}"; do
    [[ ${CL_ENV_NAMES[$i]} == "${1:-}" ]] && continue
    item=$(sv_quote "${CL_ENV_NAMES[$i]}" "${CL_ENV_VALUES[$i]}") || exit 1
    printf '%s%s' "$sep" "$item"
    sep=,
  done
}

# sv_fill TEMPLATE KEY VALUE...: prints TEMPLATE with each @KEY@ replaced by VALUE.
sv_fill() {
  local text key
  text=$(<"$ROOT/compose/templates/$1")
  shift
  while (($# >= 2)); do
    key=$1
    text=${text//"@$key@"/"$2"}
    shift 2
  done
  printf '%s\n' "$text"
}

# sv_program NAME COMMAND PRIORITY ENVIRONMENT
sv_program() {
  sv_fill program.conf.in NAME "$1" COMMAND "$2" PRIORITY "$3" VAR "$VAR" ENVIRONMENT "$4"
}

# sv_minfds: SV_MINFDS, or the hard limit when that is lower (supervisord refuses to
# start when it cannot get minfds descriptors).
sv_minfds() {
  local hard
  hard=$(ulimit -Hn)
  if [[ $hard != unlimited ]] && ((hard < SV_MINFDS)); then
    printf '%s\n' "$hard"
  else
    printf '%s\n' "$SV_MINFDS"
  fi
}

# sv_write_conf: (re)writes VAR/supervisord.conf from the CL_* settings, atomically.
# Workers: CL_WORKERS fast ones (worker-NN: every op but the provider pool's, or the
# BEDROCK_WORKER_OPS given) and CL_PROVIDER_WORKERS provider-pool ones (provider-NN:
# BEDROCK_WORKER_OPS=provider., reached by FORWARD from the fast ones).
sv_write_conf() {
  local conf tmp env wenv fast_ops i broker worker frontend
  conf=$(sv_conf)
  tmp=$conf.tmp
  broker=$(bin_path bedrock-broker)
  worker=$(bin_path bedrock-worker)
  frontend=$(bin_path bedrock-frontend)
  env=$(sv_environment)
  wenv=$(sv_environment BEDROCK_WORKER_OPS)
  fast_ops=$(cl_env BEDROCK_WORKER_OPS) || fast_ops='!provider.'
  [[ -n $wenv ]] && wenv+=,
  (
    umask 077
    {
      sv_fill supervisord.conf.in VAR "$VAR" MINFDS "$(sv_minfds)"
      sv_program broker "$broker" 10 "$env"
      for ((i = 1; i <= CL_WORKERS; i++)); do
        sv_program "$(printf 'worker-%02d' "$i")" "$worker" 20 \
          "$wenv$(sv_quote BEDROCK_WORKER_OPS "$fast_ops")"
      done
      for ((i = 1; i <= ${CL_PROVIDER_WORKERS:-0}; i++)); do
        sv_program "$(printf 'provider-%02d' "$i")" "$worker" 20 \
          "$wenv$(sv_quote BEDROCK_WORKER_OPS provider.)"
      done
      sv_program frontend "$frontend" 30 "$env"
    } >"$tmp"
  ) || die "cannot write $tmp"
  mv -f "$tmp" "$conf"
}

# sv_start: starts supervisord (which starts every program), or, when it runs,
# applies the rewritten configuration: only changed, added or removed programs are
# restarted, started or stopped.
sv_start() {
  if sv_running; then
    sv_ctl reread >/dev/null || die "supervisorctl reread failed (see $VAR/log/supervisord.log)"
    sv_ctl update || die "supervisorctl update failed (see $VAR/log/supervisord.log)"
    return 0
  fi
  say "starting supervisord (config: $(sv_conf))"
  env -i PATH="$SV_PATH" HOME="${HOME:-/root}" LANG=C.UTF-8 \
    supervisord -c "$(sv_conf)" || die "supervisord did not start (see $VAR/log/supervisord.log)"
  wait_until 20 sv_ctl pid || die "supervisord does not answer on $VAR/supervisor.sock"
}

# sv_start_stopped: starts programs that are not running (FATAL after a crash loop,
# or stopped by hand). "start all" leaves running ones alone.
sv_start_stopped() {
  if sv_ctl status 2>/dev/null | grep -qvE '\b(RUNNING|STARTING)\b'; then
    sv_ctl start all >/dev/null 2>&1 || true
  fi
}

# sv_stop: shuts supervisord down (it stops its programs first) and waits.
sv_stop() {
  local pid
  pid_alive "$VAR/supervisord.pid" || return 0
  pid=$(head -n 1 "$VAR/supervisord.pid")
  say "stopping supervisord (pid $pid) and its programs"
  sv_ctl shutdown >/dev/null 2>&1 || kill -TERM "$pid" 2>/dev/null || true
  wait_pid_gone "$pid" 60 || { warn "supervisord $pid did not stop in 60 s; killing it"; kill -KILL "$pid" 2>/dev/null || true; }
}
