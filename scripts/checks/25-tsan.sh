#!/usr/bin/env bash
# The controller, API and source tests under ThreadSanitizer (issue 8 "Sanitizers"): the `tsan` preset
# builds only those test executables (the rest of the suite runs under ASan + UBSan) and runs
# them with tests/tsan.supp. Any race report fails the run (halt_on_error).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
cmake --preset tsan >/dev/null
timeout 1800 cmake --build --preset tsan -j "$(nproc)"
timeout 900 ctest --preset tsan -j "$(nproc)"
echo "tsan: the controller, API and source tests ran without a data race report"
