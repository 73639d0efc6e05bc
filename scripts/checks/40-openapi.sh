#!/usr/bin/env bash
# Lints api/openapi.yaml with @redocly/cli (installed from npm into build/npm-tools once; idempotent).
# Bounded: the install and the lint each get a time limit.
set -euo pipefail
cd "$(dirname "$0")/../.."
tools=build/npm-tools
redocly=$tools/node_modules/.bin/redocly
if [[ ! -x $redocly ]]; then
  mkdir -p "$tools"
  timeout 300 npm install --prefix "$tools" --no-audit --no-fund --loglevel=error @redocly/cli@2.77.0 >/dev/null
fi
timeout 120 "$redocly" lint --format=stylish api/openapi.yaml
