#!/usr/bin/env bash
# Installs every system dependency plumb needs to build, test and run, idempotently.
# Used by the README, by .ci/run and by the container image. Needs root (or sudo).
# Usage: scripts/install-deps.sh [--runtime-only] [--no-node]
set -euo pipefail

runtime_only=0
with_node=1
for arg in "$@"; do
  case "$arg" in
    --runtime-only) runtime_only=1 ;;
    --no-node) with_node=0 ;;
    -h|--help) sed -n '2,4p' "$0"; exit 0 ;;
    *) echo "install-deps: unknown option '$arg'" >&2; exit 2 ;;
  esac
done

runtime_pkgs=(libyaml-0-2 libjemalloc2 libyaml-cpp0.7 libgit2-1.5 libpqxx-6.4 libcpp-httplib0.11 libspdlog1.10 libfmt9
  libssl3 libpq5 postgresql-15 postgresql-client-15 ca-certificates git)
build_pkgs=(build-essential cmake ninja-build ccache pkg-config git clang lld libclang-rt-14-dev
  libyaml-cpp-dev libyaml-dev libjemalloc-dev libgit2-dev libpqxx-dev libpq-dev libcpp-httplib-dev libspdlog-dev libfmt-dev
  nlohmann-json3-dev libcli11-dev libexpected-dev libssl-dev catch2 postgresql-15 postgresql-client-15
  json-schema-test-suite wrk unzip procps iproute2 strace util-linux time)

if [ "$runtime_only" = 1 ]; then pkgs=("${runtime_pkgs[@]}"); else pkgs=("${build_pkgs[@]}"); fi
if [ "$with_node" = 1 ] && [ "$runtime_only" = 0 ]; then pkgs+=(nodejs npm); fi

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    # node/npm may come from elsewhere on the machine: accept any working binary.
    case "$p" in nodejs) command -v node >/dev/null && continue ;; npm) command -v npm >/dev/null && continue ;; esac
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#pkgs[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
