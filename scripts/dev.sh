#!/usr/bin/env bash
# Brings plumb up on its embedded default: installs dependencies, builds the `plumb` binary and
# runs `plumb dev` (a private PostgreSQL under ./.plumb/, reconciles examples/, serves the API).
# Extra arguments go to `plumb dev` (e.g. --port 9090, --once).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ccache}"
cmake --preset default >/dev/null
cmake --build --preset default --target plumb -j "$(nproc)"
exec build/default/reconciler/cli/plumb dev "$@"
