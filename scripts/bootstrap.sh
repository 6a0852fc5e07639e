#!/usr/bin/env bash
# Makes a machine ready to build, test and run resilient-store:
#   - pnpm (the workspace's package manager) at the pinned version,
#   - the server binaries the testkit starts for tests and the demo
#     (redis-server/redis-cli, memcached, PostgreSQL's initdb/pg_ctl, openssl
#     for the certificates of TLS test servers, and Prometheus' prometheus/promtool
#     for the alert rule tests),
#   - the workspace's dependencies.
# System packages are installed with apt-get when running as root on Debian or
# Ubuntu; otherwise the script says what to install and stops.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION="10.34.9"

have() { command -v "$1" >/dev/null 2>&1; }

postgres_bin() {
  have initdb && return 0
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}

missing=()
have redis-server || missing+=(redis-server)
have redis-cli || missing+=(redis-tools)
have memcached || missing+=(memcached)
have openssl || missing+=(openssl) # certificates of TLS test servers
postgres_bin || missing+=(postgresql)
{ have promtool && have prometheus; } || missing+=(prometheus) # alert rule tests, real-Prometheus test

if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]] && have apt-get; then
    echo "bootstrap: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "bootstrap: missing server binaries: ${missing[*]}" >&2
    echo "bootstrap: install them, e.g. sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

if ! have pnpm || [[ "$(pnpm --version)" != "$PNPM_VERSION" ]]; then
  echo "bootstrap: installing pnpm@$PNPM_VERSION"
  npm install -g "pnpm@$PNPM_VERSION" >/dev/null
fi

pnpm install --frozen-lockfile
