#!/usr/bin/env bash
# Makes a machine ready for resilient-store, quietly (a step's output is shown only
# when it fails):
#
#   bash scripts/bootstrap.sh          the demo: pnpm at the pinned version, the
#                                      workspace's dependencies, and redis-server when
#                                      it can be installed (the demo runs on the memory
#                                      backend without it). Never stops for a server.
#   bash scripts/bootstrap.sh --test   the tests: the same, plus every server binary the
#                                      testkit starts (redis-server/redis-cli, memcached,
#                                      PostgreSQL's initdb/pg_ctl) and openssl (the
#                                      certificates of TLS test servers). Stops, saying
#                                      what to install, when one is missing and cannot be
#                                      installed.
#
# System packages are installed with apt-get when running as root on Debian or Ubuntu.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION="10.34.9"

usage() {
  echo "usage: bash scripts/bootstrap.sh [--test]" >&2
  exit 2
}

for_tests=false
case "${1:-}" in
  "") ;;
  --test) for_tests=true ;;
  *) usage ;;
esac
(($# <= 1)) || usage

have() { command -v "$1" >/dev/null 2>&1; }

# Runs a command with its output kept aside; shows that output only if it fails.
quietly() {
  local log status=0
  log="$(mktemp)"
  "$@" >"$log" 2>&1 || status=$?
  if ((status != 0)); then
    echo "bootstrap: '$*' failed:" >&2
    cat "$log" >&2
  fi
  rm -f "$log"
  return "$status"
}

can_apt() { [[ $(id -u) -eq 0 ]] && have apt-get; }

apt_install() {
  echo "bootstrap: installing $*"
  quietly apt-get update -qq
  quietly env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

postgres_bin() {
  have initdb && return 0
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}

missing=()
have redis-server || missing+=(redis-server)
if $for_tests; then
  have redis-cli || missing+=(redis-tools)
  have memcached || missing+=(memcached)
  have openssl || missing+=(openssl)
  postgres_bin || missing+=(postgresql)
fi

if ((${#missing[@]})); then
  if can_apt && $for_tests; then
    apt_install "${missing[@]}"
  elif can_apt; then
    apt_install "${missing[@]}" ||
      echo "bootstrap: redis-server could not be installed; the demo will run on the memory backend"
  elif $for_tests; then
    echo "bootstrap: the tests need server binaries that are missing: ${missing[*]}" >&2
    echo "bootstrap: install them, e.g. sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  else
    # Only redis-server can be missing here, and the demo runs without it.
    echo "bootstrap: redis-server is not installed; the demo will run on the memory backend" \
      "(sudo apt-get install -y redis-server to see it fail over)"
  fi
fi

if ! have pnpm || [[ "$(pnpm --version)" != "$PNPM_VERSION" ]]; then
  echo "bootstrap: installing pnpm@$PNPM_VERSION"
  quietly npm install -g --no-audit --no-fund "pnpm@$PNPM_VERSION"
fi

quietly pnpm install --frozen-lockfile
echo "bootstrap: ready ($($for_tests && echo "tests" || echo "demo"))"
