#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it (.ci/run calls this):
#   1. install system dependencies (idempotent),
#   2. build and run every ctest test with the `default` preset,
#   3. build and run them again under AddressSanitizer + UndefinedBehaviorSanitizer (`asan`),
#   4. run each extra check in scripts/checks/*.sh (schemas, chart, fuzzers, ...).
# Usage: scripts/test.sh [--no-asan] [--no-checks] [-L label]
set -euo pipefail
cd "$(dirname "$0")/.."

asan=1
checks=1
ctest_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-asan) asan=0 ;;
    --no-checks) checks=0 ;;
    -L) ctest_args+=(-L "$2"); shift ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "test.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done

step() { printf '\n==> %s\n' "$*"; }
jobs=$(nproc)
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
export CTEST_OUTPUT_ON_FAILURE=1

step "dependencies"
scripts/install-deps.sh

presets=(default)
[ "$asan" = 1 ] && presets+=(asan)
for preset in "${presets[@]}"; do
  step "build ($preset)"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  step "test ($preset)"
  ctest --preset "$preset" -j "$jobs" "${ctest_args[@]}"
done

if [ "$checks" = 1 ]; then
  for check in scripts/checks/*.sh; do
    [ -e "$check" ] || continue
    step "check $(basename "$check")"
    bash "$check"
  done
fi
step "all tests passed"
