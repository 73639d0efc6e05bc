#!/usr/bin/env bash
# Runs every libFuzzer target (fuzz/, issue 8 "Attacks") for a bounded time on a temporary copy
# of its seed corpus (fuzz/corpus/<target>/), plus the saved regressions (fuzz/regressions/<target>/).
# Fails on any crash, leak, sanitizer report or timeout. Nothing is written into the repository:
# new corpus entries and crash files go to a temp dir (a crash file is printed; copy it into
# fuzz/regressions/<target>/ with the fix).
# Env: PLUMB_FUZZ_SECONDS (per target, default 20), PLUMB_FUZZ_BUILD (default build/fuzz).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${PLUMB_FUZZ_BUILD:-build/fuzz}
seconds=${PLUMB_FUZZ_SECONDS:-20}
targets=(fuzz_load_parse_file fuzz_plan_from_json fuzz_api_cursor fuzz_api_webhook)

command -v clang++ >/dev/null || { echo "20-fuzz: clang++ is missing (scripts/install-deps.sh installs clang)" >&2; exit 1; }
# Every library is coverage-instrumented (fuzzer-no-link) and checked by ASan+UBSan. Warnings are
# the gcc builds' business: clang does not know some of the project's warning flags.
if [[ ! -f $build/build.ninja ]]; then
  timeout 300 cmake --preset fuzz -B "$build" -DCMAKE_C_COMPILER=clang -DPLUMB_BUILD_TESTS=OFF \
    -DPLUMB_SANITIZE=fuzzer-no-link,address,undefined -DPLUMB_WERROR=OFF \
    -DCMAKE_CXX_FLAGS=-Wno-unknown-warning-option >/dev/null
fi
timeout 1800 cmake --build "$build" -j 2 --target "${targets[@]}"

work=$(mktemp -d /tmp/plumb-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=0
for t in "${targets[@]}"; do
  mkdir -p "$work/$t/corpus" "$work/$t/crashes"
  cp fuzz/corpus/"$t"/* "$work/$t/corpus/"
  exe=$(find "$build" -name "$t" -type f -perm -u+x | head -1)
  # Saved regressions first: each must run clean (replayed, not fuzzed).
  if compgen -G "fuzz/regressions/$t/*" >/dev/null; then
    if ! timeout 120 "$exe" fuzz/regressions/"$t"/* >"$work/$t/regressions.log" 2>&1; then
      echo "20-fuzz: $t: a saved regression fails again" >&2; tail -40 "$work/$t/regressions.log" >&2; failed=1; continue
    fi
  fi
  if timeout $((seconds + 120)) "$exe" "$work/$t/corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -max_len=65536 -artifact_prefix="$work/$t/crashes/" -print_final_stats=1 >"$work/$t/log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$t/log" | grep -o '[0-9]*$' || echo "?")
    rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$work/$t/log" | grep -o '[0-9]*$' || echo "?")
    cov=$(grep -o 'cov: [0-9]*' "$work/$t/log" | tail -1 || true)
    echo "20-fuzz: $t: $runs executions in ${seconds}s ($rate/s), $cov, no crash"
  else
    echo "20-fuzz: $t: CRASH" >&2
    tail -60 "$work/$t/log" >&2
    for f in "$work/$t/crashes"/*; do
      [[ -f $f ]] && echo "20-fuzz: input ($f) base64: $(base64 -w0 "$f" | head -c 4000)" >&2
    done
    failed=1
  fi
done
exit $failed
