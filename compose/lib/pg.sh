# shellcheck shell=bash
# compose/lib/pg.sh — a private PostgreSQL 15 cluster, run by pg_ctl as the postgres
# OS user (PostgreSQL refuses to run as root). Sourced by compose/bedrock.
#
# Layout: DIR/pg/ (owned by postgres, mode 700) holds data/ (the cluster) and
# postgresql.log. Listens on 127.0.0.1 only (no Unix socket), trust authentication,
# superuser "bedrock". Settings live in data/bedrock.conf, rewritten at every start.

PG_BIN=/usr/lib/postgresql/15/bin
PG_MAX_CONNECTIONS=200

# as_pg CMD...: runs CMD as the postgres OS user when we are root, from / so that a
# working directory postgres cannot read does not matter.
as_pg() {
  if ((EUID == 0)); then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# pg_paths DIR: sets PG_ROOT, PG_DATA, PG_LOG for the cluster of DIR (no side effects).
pg_paths() {
  PG_ROOT=$1/pg
  [[ -L $PG_ROOT ]] && PG_ROOT=$(readlink -f "$PG_ROOT")
  PG_DATA=$PG_ROOT/data
  PG_LOG=$PG_ROOT/postgresql.log
}

# pg_prepare DIR: creates DIR/pg owned by postgres. When postgres cannot reach it
# (a parent such as /root is closed to other users), the cluster goes to
# /var/lib/bedrock/pg-<checksum of DIR> instead and DIR/pg becomes a symlink to it.
pg_prepare() {
  local dir=$1 link=$1/pg alt
  [[ -x $PG_BIN/initdb ]] || die "$PG_BIN/initdb not found (is postgresql-15 installed?)"
  pg_paths "$dir"
  mkdir -p "$PG_ROOT"
  ((EUID == 0)) || return 0
  id postgres >/dev/null 2>&1 || die "no postgres OS user (is postgresql-15 installed?)"
  chown postgres:postgres "$PG_ROOT"
  chmod 700 "$PG_ROOT"
  as_pg test -w "$PG_ROOT/." && return 0
  [[ -L $link ]] && die "the postgres user cannot write $PG_ROOT"
  [[ -z $(ls -A "$link") ]] ||
    die "the postgres user cannot reach $link (a parent directory is closed to other users); chmod o+x its parents"
  rmdir "$link"
  alt=/var/lib/bedrock/pg-$(printf '%s' "$dir" | cksum | cut -d' ' -f1)
  mkdir -p "$alt"
  chmod 755 /var/lib/bedrock
  chown postgres:postgres "$alt"
  chmod 700 "$alt"
  ln -s "$alt" "$link"
  say "postgres cannot reach $dir (a parent directory is closed to other users): PostgreSQL data goes to $alt, $link points there"
  pg_paths "$dir"
}

# pg_init: initdb once (a half-made data dir from an interrupted initdb is redone).
pg_init() {
  [[ -f $PG_DATA/PG_VERSION ]] && return 0
  if [[ -e $PG_DATA ]]; then
    warn "removing incomplete PostgreSQL data dir $PG_DATA"
    rm -rf "$PG_DATA"
  fi
  say "initdb $PG_DATA"
  as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U bedrock --auth=trust -E UTF8 --locale=C.UTF-8 \
    >"$PG_ROOT/initdb.log" 2>&1 || { cat "$PG_ROOT/initdb.log" >&2; die "initdb failed"; }
  printf "\n# compose/bedrock: its settings (port, listen address, ...)\ninclude_if_exists = 'bedrock.conf'\n" \
    >>"$PG_DATA/postgresql.conf"
}

# pg_write_conf MODE PORT: MODE "test" trades durability for speed (fsync off): only
# for the throw-away cluster of compose/bedrock test.
pg_write_conf() {
  {
    printf '# written by compose/bedrock at every start (compose/lib/pg.sh): edit that instead\n'
    printf "port = %s\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = ''\n" "$2"
    printf 'max_connections = %s\n' "$PG_MAX_CONNECTIONS"
    if [[ $1 == test ]]; then
      printf 'fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n'
    fi
  } >"$PG_DATA/bedrock.conf"
  ((EUID == 0)) && chown postgres:postgres "$PG_DATA/bedrock.conf"
  return 0
}

pg_running() { as_pg "$PG_BIN/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1; }

# pg_running_port: the port of the running server, from line 4 of postmaster.pid.
pg_running_port() { sed -n 4p "$PG_DATA/postmaster.pid" 2>/dev/null; }

# pg_start MODE PORT: starts the server (no-op when it already runs on PORT).
# Returns non-zero (never dies) so that a caller may retry on another port.
pg_start() {
  local mode=$1 port=$2
  if pg_running; then
    [[ $(pg_running_port) == "$port" ]] && return 0
    warn "PostgreSQL of $PG_DATA runs on port $(pg_running_port), not $port: run 'compose/bedrock down' first"
    return 1
  fi
  if port_in_use "$port"; then
    warn "port $port is already in use (set BEDROCK_PG_PORT)"
    return 1
  fi
  pg_write_conf "$mode" "$port" || return 1
  touch "$PG_LOG" && { ((EUID != 0)) || chown postgres:postgres "$PG_LOG"; } || return 1
  say "starting PostgreSQL on 127.0.0.1:$port (log: $PG_LOG)"
  if ! as_pg "$PG_BIN/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -w -t 60 -s; then
    tail -n 20 "$PG_LOG" >&2
    return 1
  fi
}

# pg_stop [fast|immediate]
pg_stop() {
  [[ -n ${PG_DATA:-} && -f $PG_DATA/PG_VERSION ]] || return 0
  pg_running || return 0
  say "stopping PostgreSQL ($PG_DATA)"
  as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m "${1:-fast}" -w -t 60 -s ||
    warn "pg_ctl stop failed for $PG_DATA"
}

pg_url() { printf 'postgresql://bedrock@127.0.0.1:%s/%s\n' "$1" "${2:-bedrock}"; }

# pg_create_db PORT: creates database "bedrock" when missing.
pg_create_db() {
  local psql=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U bedrock -d postgres)
  local have
  have=$("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = 'bedrock'") ||
    die "cannot query PostgreSQL on 127.0.0.1:$1"
  [[ $have == 1 ]] && return 0
  "${psql[@]}" -c 'CREATE DATABASE bedrock' || die "CREATE DATABASE bedrock failed"
}
