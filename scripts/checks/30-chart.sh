#!/usr/bin/env bash
# The Helm chart (charts/plumb), checked offline:
#   1. helm lint --strict with the default values and with tests/chart/values-full.yaml
#      (every optional feature on);
#   2. values.schema.json refuses insecure or malformed values (each case must fail to render);
#   3. helm template of both value sets; every object validated against its Kubernetes schema
#      (npm kubernetes-models, ServiceMonitor via @kubernetes-models/prometheus-operator) and the
#      chart's promises asserted: probes, no secret values, securityContext, resources, hook
#      annotations, selectors (tests/chart/check-rendered.mjs, with a self-test that breaks each
#      promise and expects the assertions to notice);
#   4. the Dockerfile still builds with install-deps.sh and the `default` preset, and its user and
#      entrypoint are the chart's;
#   5. every PLUMB_* variable and --flag the chart passes exists in `plumb run/migrate --help`
#      (when a built plumb binary is found), so the chart cannot drift from the CLI.
# helm comes from scripts/get-helm.sh; npm tools go to build/npm-tools/chart. Bounded by timeouts.
set -euo pipefail
cd "$(dirname "$0")/../.."

helm=$(timeout 400 scripts/get-helm.sh)
tools=build/npm-tools/chart
if [[ ! -f $tools/node_modules/kubernetes-models/package.json || ! -f $tools/node_modules/js-yaml/package.json ||
      ! -f $tools/node_modules/@kubernetes-models/prometheus-operator/package.json ]]; then
  mkdir -p "$tools"
  timeout 300 npm install --prefix "$tools" --no-audit --no-fund --loglevel=error \
    kubernetes-models@5.1.0 @kubernetes-models/prometheus-operator@6.0.0 js-yaml@4.1.0 >/dev/null
fi
out=build/chart
mkdir -p "$out"
chart=charts/plumb
full=tests/chart/values-full.yaml

echo "chart: helm lint --strict (defaults, full)"
timeout 60 "$helm" lint --strict "$chart" >/dev/null
timeout 60 "$helm" lint --strict "$chart" -f "$full" >/dev/null

echo "chart: values.schema.json refuses bad values"
refuse() {  # refuse DESCRIPTION --set ...: rendering must fail
  local what=$1; shift
  if timeout 60 "$helm" template t "$chart" "$@" >/dev/null 2>&1; then
    echo "chart: rendered although $what" >&2
    exit 1
  fi
}
refuse "readOnlyRootFilesystem=false" --set securityContext.readOnlyRootFilesystem=false
refuse "allowPrivilegeEscalation=true" --set securityContext.allowPrivilegeEscalation=true
refuse "runAsNonRoot=false" --set podSecurityContext.runAsNonRoot=false
refuse "no database Secret" --set database.existingSecret=
refuse "an unknown top-level value" --set databaseUrl=postgresql://x
refuse "a bad policy" --set 'operator.policies[0]=Tenant=sometimes'
refuse "a bad schema name" --set database.schema=Plumb-Prod
refuse "an empty repository" --set git.repo=

echo "chart: helm template + Kubernetes schemas + assertions"
timeout 60 "$helm" template plumb "$chart" --namespace platform >"$out/default.yaml"
timeout 60 "$helm" template plumb "$chart" --namespace platform -f "$full" >"$out/full.yaml"
timeout 120 node tests/chart/check-rendered.mjs --tools "$tools" --self-test \
  --expect-kinds Deployment,Service,ServiceAccount,ConfigMap,Job,PodDisruptionBudget --expect-replicas 2 "$out/default.yaml"
timeout 120 node tests/chart/check-rendered.mjs --tools "$tools" --self-test \
  --expect-kinds Deployment,Service,ServiceAccount,ConfigMap,Job,PodDisruptionBudget,ServiceMonitor,PrometheusRule,NetworkPolicy,Ingress \
  --expect-replicas 3 "$out/full.yaml"

echo "chart: NOTES.txt renders and names every referenced Secret"
# helm template skips NOTES.txt: render it through tpl in a scratch copy of the chart.
notes_chart=$out/notes-chart
rm -rf "$notes_chart" && cp -r "$chart" "$notes_chart"
cp "$chart/templates/NOTES.txt" "$notes_chart/notes-src.txt"
printf 'notes: |\n{{ tpl (.Files.Get "notes-src.txt") . | indent 2 }}\n' >"$notes_chart/templates/zz-notes.yaml"
for values in "" "$full"; do
  notes=$(timeout 60 "$helm" template plumb "$notes_chart" --namespace platform ${values:+-f "$values"} \
    --show-only templates/zz-notes.yaml)
  rendered=$out/default.yaml; [[ -n $values ]] && rendered=$out/full.yaml
  # Secrets the pods use (env secretKeyRef, secret volumes); an Ingress TLS Secret is cert-manager's.
  for secret in $(node -e '
      const y = require("fs").readFileSync(process.argv[1], "utf8");
      const refs = [...y.matchAll(/secretKeyRef:\s*\n\s*name: (\S+)/g), ...y.matchAll(/secret:\s*\n\s*secretName: (\S+)/g)];
      console.log([...new Set(refs.map((m) => m[1]))].join("\n"));' "$rendered"); do
    grep -q "create secret generic $secret" <<<"$notes" || { echo "chart: NOTES.txt does not tell how to create Secret $secret" >&2; exit 1; }
  done
done
rm -rf "$notes_chart"

echo "chart: the Dockerfile builds with the CI scripts and matches the chart"
dockerfile_fail() { echo "chart: Dockerfile: $*" >&2; exit 1; }
grep -q '^RUN scripts/install-deps.sh' Dockerfile || dockerfile_fail "the build stage must run scripts/install-deps.sh"
grep -q 'install-deps.sh --runtime-only' Dockerfile || dockerfile_fail "the runtime stage must run install-deps.sh --runtime-only"
grep -q 'cmake --preset default' Dockerfile || dockerfile_fail "the build must use the default CMake preset"
bindir=$(node -e 'const p=require("./CMakePresets.json").configurePresets.find(x=>x.name==="default"); console.log(p.binaryDir.replace("${sourceDir}/",""))')
grep -q "$bindir/reconciler/cli/plumb" Dockerfile || dockerfile_fail "does not take the binary from the default preset's $bindir"
uid=$(sed -n 's/^  runAsUser: \([0-9]*\)$/\1/p' "$chart/values.yaml")
grep -q "^USER $uid:$uid" Dockerfile || dockerfile_fail "USER is not the chart's runAsUser $uid"
grep -q '^ENTRYPOINT \["/usr/local/bin/plumb"\]' Dockerfile || dockerfile_fail "ENTRYPOINT is not the chart's /usr/local/bin/plumb"

plumb=${PLUMB_BIN:-}
for candidate in build/default/reconciler/cli/plumb build/asan/reconciler/cli/plumb; do
  [[ -z $plumb && -x $candidate ]] && plumb=$candidate
done
if [[ -z $plumb ]]; then
  echo "chart: no built plumb binary (build the default preset first): CLI cross-check skipped"
  exit 0
fi
echo "chart: every variable and flag the chart uses exists in $plumb"
run_help=$(timeout 10 "$plumb" run --help)
migrate_help=$(timeout 10 "$plumb" migrate --help)
global_help=$(timeout 10 "$plumb" --help)
status=0
for f in "$out/default.yaml" "$out/full.yaml"; do
  for var in $(grep -oE '\bPLUMB_[A-Z_]+' "$f" | sort -u); do
    if ! grep -q "Env:$var)" <<<"$run_help$global_help"; then echo "chart: $f uses $var, unknown to plumb run" >&2; status=1; fi
  done
  for flag in $(grep -oE '^ *- --[a-z-]+' "$f" | sed 's/^ *- //' | sort -u); do
    if ! grep -qE -- "(^|[ ,])$flag( |=|$)" <<<"$run_help"; then echo "chart: $f passes $flag, unknown to plumb run" >&2; status=1; fi
  done
done
for var in PLUMB_DATABASE_URL PLUMB_SCHEMA PLUMB_TOKEN_KEY_FILE; do
  grep -q "Env:$var)" <<<"$migrate_help" || { echo "chart: plumb migrate does not read $var" >&2; status=1; }
done
exit $status
