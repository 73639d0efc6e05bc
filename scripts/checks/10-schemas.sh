#!/usr/bin/env bash
# Checks schemas/*.schema.json with ajv (an independent JSON Schema implementation):
#  1. every schema compiles under draft 2020-12 in strict mode (meta-schema valid, no unknown
#     keywords, formats known through ajv-formats);
#  2. ajv agrees with plumb's own validator on tests/schema-fixtures: every valid/<kind>-*.json
#     passes and every invalid/<kind>-*.json fails the schema of <kind> (plumb's side is
#     tests/schema/fixtures_test.cpp).
# ajv-cli and ajv-formats are installed from npm into build/npm-tools once (idempotent).
# Bounded: the install and every ajv run get a time limit.
set -euo pipefail
cd "$(dirname "$0")/../.."
tools=build/npm-tools
ajv=$tools/node_modules/.bin/ajv
if [[ ! -x $ajv || ! -d $tools/node_modules/ajv-formats ]]; then
  mkdir -p "$tools"
  timeout 300 npm install --prefix "$tools" --no-audit --no-fund --loglevel=error ajv-cli@5.0.0 ajv-formats@2.1.1 >/dev/null
fi
opts=(--spec=draft2020 -c ajv-formats --strict=true)
fixtures=tests/schema-fixtures
failed=0

for schema in schemas/*.schema.json; do
  if ! timeout 60 "$ajv" compile "${opts[@]}" -s "$schema" >/dev/null; then
    echo "10-schemas: $schema does not compile with ajv" >&2
    failed=1
  fi
done

# Runs ajv on every fixture of one kind in one folder; each must come out as `expected`.
check_fixtures() {
  local kind=$1 folder=$2 expected=$3
  local files=("$fixtures/$folder/$kind"-*.json)
  [[ -e ${files[0]} ]] || return 0
  local out
  out=$(timeout 60 "$ajv" validate "${opts[@]}" -s "schemas/$kind.schema.json" -d "$fixtures/$folder/$kind-*.json" \
    --errors=line 2>&1 || true)
  for f in "${files[@]}"; do
    if ! grep -qxF "$f $expected" <<<"$out"; then
      echo "10-schemas: ajv does not find $f $expected against schemas/$kind.schema.json" >&2
      grep -A1 -F "$f" <<<"$out" >&2 || true
      failed=1
    fi
  done
  echo "10-schemas: $kind: ${#files[@]} $folder fixtures agree"
}

for schema in schemas/*.schema.json; do
  kind=$(basename "$schema" .schema.json)
  check_fixtures "$kind" valid valid
  check_fixtures "$kind" invalid invalid
done

# Every fixture must belong to a kind that has a schema (a typo in a name would skip it).
for f in "$fixtures"/valid/*.json "$fixtures"/invalid/*.json; do
  kind=$(basename "$f"); kind=${kind%%-*}
  if [[ ! -f schemas/$kind.schema.json ]]; then
    echo "10-schemas: $f names no schema (schemas/$kind.schema.json)" >&2
    failed=1
  fi
done

if [[ $failed != 0 ]]; then
  echo "10-schemas: FAILED" >&2
  exit 1
fi
echo "10-schemas: every schema compiles and ajv agrees on every fixture"
