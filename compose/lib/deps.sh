# shellcheck shell=bash
# compose/lib/deps.sh — Debian packages and the build. Sourced by compose/bedrock.

# Everything Bedrock needs to build, test and run on Debian 12. civetweb (the binary)
# is here because Debian's civetweb CMake package references /usr/bin/civetweb.
# curl, iproute2 (ss), procps and util-linux (runuser, unshare) are used by this script.
BEDROCK_PACKAGES=(
  build-essential cmake pkg-config
  libzmq3-dev libczmq-dev libmsgpack-dev libpq-dev libhiredis-dev libcrypt-dev
  libcivetweb-dev civetweb libjansson-dev libcurl4-openssl-dev libssl-dev libjwt-dev
  libcmocka-dev
  postgresql-15 postgresql-contrib redis-server supervisor
  wrk docker-compose valgrind
  curl iproute2 procps util-linux
)

# missing_packages: prints the packages of BEDROCK_PACKAGES that are not installed.
missing_packages() {
  local pkg status
  for pkg in "${BEDROCK_PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null) || status=
    [[ $status == "install ok installed" ]] || printf '%s\n' "$pkg"
  done
}

# ensure_packages: installs what is missing; a machine that has everything never
# touches apt. Package scripts must not start system services (a PostgreSQL on 5432,
# a Redis on 6379): a policy-rc.d that forbids it is put in place for the install
# when the machine has none.
ensure_packages() {
  local missing
  command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this needs Debian 12"
  mapfile -t missing < <(missing_packages)
  ((${#missing[@]} == 0)) && return 0
  if ((EUID != 0)); then
    die "missing packages: ${missing[*]} (run as root, or: apt-get install ${missing[*]})"
  fi
  say "installing ${missing[*]}"
  local policy=/usr/sbin/policy-rc.d own_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\n# bedrock: no service starts during its package install\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    own_policy=1
  fi
  local rc=0
  {
    DEBIAN_FRONTEND=noninteractive apt-get update -q &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  } </dev/null || rc=$?
  ((own_policy)) && rm -f "$policy"
  ((rc == 0)) || die "apt-get failed (exit $rc) installing: ${missing[*]}"
}

# The programs "up" runs; "test" builds everything (tests included).
# shellcheck disable=SC2034 # used by compose/bedrock
BEDROCK_TARGETS=(bedrock-broker bedrock-worker bedrock-frontend bedrockctl bedrock-migrate)

# build_tree [TARGET...]: configures (idempotent) and builds into BUILD_DIR: the
# TARGETs, or the whole tree.
build_tree() {
  local args=(-S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo)
  if [[ ${BEDROCK_SANITIZE:-0} == 1 ]]; then
    args+=(-DBEDROCK_SANITIZE=ON)
  fi
  say "building in $BUILD_DIR"
  cmake "${args[@]}" || die "cmake configure failed"
  local targets=()
  (($#)) && targets=(--target "$@")
  cmake --build "$BUILD_DIR" -j"$(nproc)" "${targets[@]}" || die "build failed"
}

# bin_path NAME: the built binary NAME (dies when the build did not produce it).
bin_path() {
  local dir
  for dir in broker worker frontend schema; do
    if [[ -x $BUILD_DIR/$dir/$1 ]]; then
      printf '%s\n' "$BUILD_DIR/$dir/$1"
      return 0
    fi
  done
  die "$1 not found under $BUILD_DIR (did the build succeed?)"
}
