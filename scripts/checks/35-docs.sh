#!/usr/bin/env bash
# docs/resources.md, docs/api.md and the values table of charts/plumb/README.md are generated from
# schemas/*.schema.json, api/openapi.yaml and charts/plumb/values.yaml
# by scripts/gen-docs.mjs; this fails when a committed page is stale (someone changed a schema or
# the OpenAPI document without regenerating). js-yaml comes from npm into build/npm-tools/docs.
set -euo pipefail
cd "$(dirname "$0")/../.."
tools=build/npm-tools/docs
if [[ ! -f $tools/node_modules/js-yaml/package.json ]]; then
  mkdir -p "$tools"
  timeout 300 npm install --prefix "$tools" --no-audit --no-fund --loglevel=error js-yaml@4.1.0 >/dev/null
fi
timeout 60 node scripts/gen-docs.mjs --tools "$tools" --check
echo "docs: resources.md, api.md and the chart values table match their sources"
