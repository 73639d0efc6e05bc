#!/usr/bin/env bash
# examples/ci/ and docs/ show plumb commands that teams copy; this keeps them real:
#   1. the GitHub Actions workflows validate against the workflow schema (@action-validator/cli,
#      from npm into build/npm-tools/ci) and the GitLab file parses as YAML;
#   2. every `plumb <command> ... --flag` written in examples/ci/, docs/ and charts/plumb/README.md
#      uses a command and flags that `plumb <command> --help` lists (when a built plumb is found).
set -euo pipefail
cd "$(dirname "$0")/../.."
tools=build/npm-tools/ci
if [[ ! -x $tools/node_modules/.bin/action-validator || ! -f $tools/node_modules/js-yaml/package.json ]]; then
  mkdir -p "$tools"
  timeout 300 npm install --prefix "$tools" --no-audit --no-fund --loglevel=error \
    @action-validator/cli@0.6.0 @action-validator/core@0.6.0 js-yaml@4.1.0 >/dev/null
fi
for workflow in examples/ci/.github/workflows/*.yml; do
  # It warns that path globs are not checked; the verdict is its exit code.
  timeout 60 "$tools/node_modules/.bin/action-validator" "$workflow" 2>/dev/null >/dev/null ||
    { timeout 60 "$tools/node_modules/.bin/action-validator" "$workflow" >&2 || true; echo "ci-examples: $workflow is not a valid workflow" >&2; exit 1; }
done
timeout 60 node --input-type=module -e '
  const yaml = await import(process.argv[1]);
  const doc = yaml.load((await import("node:fs")).readFileSync("examples/ci/.gitlab-ci.yml", "utf8"));
  const jobs = Object.entries(doc).filter(([k, v]) => !k.startsWith(".") && v && typeof v === "object" && (v.script || v.extends));
  if (jobs.length < 3) throw new Error("examples/ci/.gitlab-ci.yml: expected validate, plan and apply jobs");
  for (const [name, job] of jobs) if (!job.stage) throw new Error(`examples/ci/.gitlab-ci.yml: job ${name} has no stage`);
' "$PWD/$tools/node_modules/js-yaml/dist/js-yaml.mjs"
echo "ci-examples: workflows valid"

plumb=${PLUMB_BIN:-}
for candidate in build/default/reconciler/cli/plumb build/asan/reconciler/cli/plumb; do
  [[ -z $plumb && -x $candidate ]] && plumb=$candidate
done
if [[ -z $plumb ]]; then
  echo "ci-examples: no built plumb binary: command cross-check skipped"
  exit 0
fi
status=0
global_help=$(timeout 10 "$plumb" --help)
# Lines (with their backslash continuations joined) that run plumb: `plumb CMD`, or the image run
# as `"$PLUMB_IMAGE" CMD` in the workflows.
while IFS=$'\t' read -r file cmd flags; do
  help=$(timeout 10 "$plumb" $cmd --help 2>&1) || { echo "ci-examples: $file: 'plumb $cmd' is not a command" >&2; status=1; continue; }
  for flag in $flags; do
    grep -qE -- "(^|[ ,])$flag( |=|$)" <<<"$help$global_help" ||
      { echo "ci-examples: $file: plumb $cmd has no $flag" >&2; status=1; }
  done
done < <(timeout 30 node -e '
  const fs = require("fs");
  const cmds = ["validate", "plan", "apply", "drift", "migrate", "audit verify", "token reveal", "run", "dev"];
  for (const file of process.argv.slice(1)) {
    const text = fs.readFileSync(file, "utf8").replace(/\\\n\s*/g, " ");
    for (const line of text.split("\n")) {
      // Several commands may share a line (prose): each owns the flags up to the next one.
      const runs = [...line.matchAll(/(?:^|[\s`(])(?:plumb|"\$PLUMB_IMAGE")\s+((?:audit|token)\s+\w+|\w+)/g)];
      runs.forEach((m, i) => {
        if (!cmds.includes(m[1].replace(/\s+/, " "))) return;  // prose ("plumb is ..."), not a command
        const rest = line.slice(m.index + m[0].length, i + 1 < runs.length ? runs[i + 1].index : undefined);
        const flags = [...rest.matchAll(/(?:^|\s)(--[a-z][a-z-]*)/g)].map((x) => x[1]);
        console.log([file, m[1].replace(/\s+/, " "), [...new Set(flags)].join(" ")].join("\t"));
      });
    }
  }' examples/ci/.gitlab-ci.yml examples/ci/.github/workflows/*.yml examples/ci/README.md docs/*.md charts/plumb/README.md)
[[ $status == 0 ]] && echo "ci-examples: every plumb command and flag shown exists in $plumb"
exit $status
