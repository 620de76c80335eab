#!/usr/bin/env bash
# Installs whatever Trailmap's build and tests need and is missing; skips what is there.
# Sourced by .ci/start and .ci/test (it also puts end2end/node_modules/.bin on PATH).
#
#   source .ci/setup.sh app    # tools to build and run the app
#   source .ci/setup.sh test   # those, plus Debian's Chromium, PostgreSQL and the test packages
#
# Versions: see ../shared/TOOLCHAIN.md. cargo-leptos 0.3.10 (0.3.11 needs a newer rustc),
# wasm-bindgen-cli equal to the wasm-bindgen in Cargo.lock, wasm-opt from npm binaryen
# (never Debian's binaryen: its wasm-opt 108 breaks hydration).
set -euo pipefail

TRAILMAP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARGO_LEPTOS_VERSION="0.3.10"
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

wasm_bindgen_version() {
  # The version cargo resolved for the wasm-bindgen crate.
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' \
    "$TRAILMAP_ROOT/Cargo.lock"
}

setup_rust() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi

  local want_bindgen pids=() logs=()
  want_bindgen="$(wasm_bindgen_version)"
  [ -n "$want_bindgen" ] || { echo "cannot read wasm-bindgen's version from Cargo.lock" >&2; return 1; }

  # The two slow installs run side by side; each is skipped when the right version is there.
  if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
    say "installing cargo-leptos $CARGO_LEPTOS_VERSION (15-25 minutes, once)"
    logs+=("$(mktemp)")
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads \
      >"${logs[-1]}" 2>&1 &
    pids+=($!)
  fi
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want_bindgen" ]; then
    say "installing wasm-bindgen-cli $want_bindgen (about 7 minutes, once)"
    logs+=("$(mktemp)")
    # Not --locked: its lock file pins a crate version the registry does not serve.
    cargo install wasm-bindgen-cli --version "$want_bindgen" --force >"${logs[-1]}" 2>&1 &
    pids+=($!)
  fi
  local i failed=0
  for i in "${!pids[@]}"; do
    if ! wait "${pids[$i]}"; then
      failed=1
      echo "---- install failed; its log:" >&2
      tail -50 "${logs[$i]}" >&2
    fi
  done
  return $failed
}

setup_node_packages() {
  # end2end/ holds Playwright and the npm binaryen whose wasm-opt the release build uses.
  local dir="$TRAILMAP_ROOT/end2end" stamp
  stamp="$dir/node_modules/.trailmap-lock-stamp"
  if [ ! -f "$stamp" ] || ! cmp -s "$dir/package-lock.json" "$stamp"; then
    say "installing end2end npm packages (no browser download)"
    (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
    cp "$dir/package-lock.json" "$stamp"
  fi
  export PATH="$dir/node_modules/.bin:$PATH"
}

setup_chromium() {
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v brotli >/dev/null || missing+=(brotli)
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]} from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

setup_postgres() {
  # A real PostgreSQL from Debian on loopback, for the integration tests' second run.
  # Exports TRAILMAP_TEST_POSTGRES_URL (a role that may create the tests' databases).
  export DEBIAN_FRONTEND=noninteractive
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    say "installing postgresql from Debian"
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
  fi
  local version
  version="$(ls /usr/lib/postgresql | sort -n | tail -1)"
  if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
    pg_createcluster "$version" main >/dev/null
  fi
  if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $4 }' | grep -q online; then
    say "starting PostgreSQL $version on 127.0.0.1:5432"
    # After an unclean stop (a killed session) PostgreSQL syncs its whole data folder before it
    # accepts connections, which can outlast pg_ctl's default 60 s wait: wait longer, and sync
    # with one syncfs() call instead of a file-by-file fsync.
    pg_ctlcluster "$version" main start -- -t 900 -o "-c recovery_init_sync_method=syncfs"
  fi
  local psql=(runuser -u postgres -- psql -qtAX -v ON_ERROR_STOP=1)
  if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname = 'trailmap'")" != 1 ]; then
    "${psql[@]}" -c "CREATE ROLE trailmap LOGIN CREATEDB PASSWORD 'trailmap'"
  fi
  # Databases of earlier test runs, dropped in one session (\gexec runs each generated DROP)
  # in the background: each DROP DATABASE takes a checkpoint (a second or two apiece), and the
  # PostgreSQL run of the tests comes minutes later, after the Rust build and the SQLite run.
  # Their names never collide with the new run's (random suffixes).
  "${psql[@]}" >/dev/null 2>&1 <<'SQL' &
SELECT format('DROP DATABASE IF EXISTS %I', datname) FROM pg_database
WHERE datname LIKE 'trailmap\_test\_%' \gexec
SQL
  disown $! 2>/dev/null || true
  export TRAILMAP_TEST_POSTGRES_URL="postgres://trailmap:trailmap@127.0.0.1:5432/postgres"
}

case "${1:-app}" in
  app) setup_rust; setup_node_packages ;;
  test) setup_chromium; setup_postgres; setup_rust; setup_node_packages ;;
  *) echo "usage: source .ci/setup.sh [app|test]" >&2; return 2 2>/dev/null || exit 2 ;;
esac
