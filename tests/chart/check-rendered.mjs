// Validates `helm template` output of charts/plumb offline and asserts the properties the chart
// promises (scripts/checks/30-chart.sh runs it).
//   node check-rendered.mjs --tools DIR [--expect-kinds K1,K2] [--expect-replicas N] [--self-test] FILE
// DIR is the npm prefix holding kubernetes-models, @kubernetes-models/prometheus-operator and
// js-yaml. Every object is validated against its Kubernetes schema (kubernetes-models; those
// validators check types, enums and required fields but not unknown fields), then the chart's
// promises are asserted. --self-test breaks each promise in a copy of the objects and fails unless
// the assertions catch every break (so the assertions themselves can fail).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

function parseArgs(argv) {
  const args = { expectKinds: [], expectReplicas: null, selfTest: false, file: null, tools: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--tools") args.tools = argv[++i];
    else if (a === "--expect-kinds") args.expectKinds = argv[++i].split(",").filter(Boolean);
    else if (a === "--expect-replicas") args.expectReplicas = Number(argv[++i]);
    else if (a === "--self-test") args.selfTest = true;
    else args.file = a;
  }
  if (!args.file || !args.tools) throw new Error("usage: check-rendered.mjs --tools DIR [options] FILE");
  return args;
}

const args = parseArgs(process.argv.slice(2));
const modules = resolve(args.tools, "node_modules");
const load = (rel) => import(pathToFileURL(resolve(modules, rel)).href);
const yaml = await load("js-yaml/dist/js-yaml.mjs");

// apiVersion/kind -> the module path of its model class.
async function modelFor(apiVersion, kind) {
  if (apiVersion === "monitoring.coreos.com/v1") {
    return (await load(`@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/${kind}.js`))[kind];
  }
  const dir = apiVersion.includes("/") ? apiVersion : `v1`;
  return (await load(`kubernetes-models/${dir}/${kind}.js`))[kind];
}

async function validateSchemas(objects) {
  const errors = [];
  for (const o of objects) {
    const where = `${o.kind}/${o.metadata?.name}`;
    let Model;
    try {
      Model = await modelFor(o.apiVersion, o.kind);
    } catch {
      errors.push(`${where}: no schema for ${o.apiVersion} ${o.kind}`);
      continue;
    }
    try {
      new Model(o).validate();
    } catch (e) {
      errors.push(`${where}: ${e.message}`);
    }
  }
  return errors;
}

const byKind = (objects, kind) => objects.filter((o) => o.kind === kind);
const podSpecs = (objects) =>
  objects
    .filter((o) => ["Deployment", "Job"].includes(o.kind))
    .map((o) => ({ owner: `${o.kind}/${o.metadata.name}`, spec: o.spec.template.spec, labels: o.spec.template.metadata?.labels ?? {} }));
const matches = (selector, labels) => Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);

// Secret-looking material that must never be rendered: connection strings with a password,
// libpq password=, plumb token shapes, PEM keys.
const k_secretValue = [/postgres(ql)?:\/\/[^\s:@/]+:[^\s@/]+@/i, /password\s*=/i, /plb_[A-Za-z0-9]{38}/, /-----BEGIN [A-Z ]*PRIVATE KEY/];
const k_secretName = /(URL|TOKEN|SECRET|KEY|PASSWORD)$/;

function checkSecurity(pods, fail) {
  for (const { owner, spec } of pods) {
    if (spec.automountServiceAccountToken !== false) fail(`${owner}: automountServiceAccountToken must be false`);
    if (spec.hostNetwork || spec.hostPID || spec.hostIPC) fail(`${owner}: host namespaces are used`);
    if (spec.enableServiceLinks !== false) fail(`${owner}: enableServiceLinks must be false (PLUMB_PORT=tcp://... would leak in)`);
    const pod = spec.securityContext ?? {};
    if (pod.seccompProfile?.type !== "RuntimeDefault") fail(`${owner}: pod seccompProfile must be RuntimeDefault`);
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      const sc = c.securityContext ?? {};
      const at = `${owner} container ${c.name}`;
      if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) fail(`${at}: runAsNonRoot is not true`);
      if ((sc.runAsUser ?? pod.runAsUser) === 0) fail(`${at}: runs as uid 0`);
      if (sc.readOnlyRootFilesystem !== true) fail(`${at}: readOnlyRootFilesystem is not true`);
      if (sc.allowPrivilegeEscalation !== false) fail(`${at}: allowPrivilegeEscalation is not false`);
      if (sc.privileged === true) fail(`${at}: privileged`);
      if (!(sc.capabilities?.drop ?? []).includes("ALL")) fail(`${at}: capabilities do not drop ALL`);
      if ((sc.capabilities?.add ?? []).length > 0) fail(`${at}: adds capabilities`);
      const r = c.resources ?? {};
      for (const need of ["requests.cpu", "requests.memory", "limits.memory"]) {
        const [a, b] = need.split(".");
        if (!r[a]?.[b]) fail(`${at}: resources.${need} is not set`);
      }
    }
  }
}

function checkNoSecretValues(objects, pods, fail) {
  for (const o of objects) {
    if (o.kind === "Secret") fail(`Secret/${o.metadata.name}: the chart must reference Secrets, never create them`);
  }
  for (const cm of byKind(objects, "ConfigMap")) {
    for (const [k, v] of Object.entries(cm.data ?? {})) {
      if (k_secretName.test(k)) fail(`ConfigMap/${cm.metadata.name}: key ${k} looks secret`);
      if (k_secretValue.some((re) => re.test(String(v)))) fail(`ConfigMap/${cm.metadata.name}: ${k} holds a secret value`);
    }
  }
  for (const { owner, spec } of pods) {
    const secretVolumes = new Set((spec.volumes ?? []).filter((v) => v.secret).map((v) => v.name));
    for (const c of spec.containers) {
      const secretMounts = (c.volumeMounts ?? []).filter((m) => secretVolumes.has(m.name));
      for (const e of c.env ?? []) {
        const at = `${owner} container ${c.name} env ${e.name}`;
        if (e.value !== undefined && k_secretValue.some((re) => re.test(String(e.value)))) fail(`${at}: holds a secret value`);
        if (/_FILE$/.test(e.name)) {
          if (!secretMounts.some((m) => String(e.value).startsWith(m.mountPath + "/"))) fail(`${at}: not a file of a mounted Secret`);
        } else if (k_secretName.test(e.name) && !e.valueFrom?.secretKeyRef) {
          fail(`${at}: must come from a secretKeyRef`);
        }
      }
      if ((c.args ?? []).some((a) => k_secretValue.some((re) => re.test(a)))) fail(`${owner} container ${c.name}: secret in args`);
    }
  }
}

function checkOperator(objects, args, fail) {
  const deployments = byKind(objects, "Deployment");
  if (deployments.length !== 1) return fail(`expected one Deployment, found ${deployments.length}`);
  const d = deployments[0];
  const labels = d.spec.template.metadata?.labels ?? {};
  if (!matches(d.spec.selector.matchLabels, labels)) fail("Deployment selector does not select its own pods");
  if (args.expectReplicas !== null && d.spec.replicas !== args.expectReplicas) fail(`Deployment replicas ${d.spec.replicas} != ${args.expectReplicas}`);
  const c = d.spec.template.spec.containers.find((x) => x.name === "plumb");
  if (!c) return fail("Deployment has no plumb container");
  if ((c.args ?? [])[0] !== "run") fail("the operator container does not run `plumb run`");
  const ports = new Set((c.ports ?? []).map((p) => p.name));
  const probe = (name, path) => {
    const p = c[name];
    if (!p?.httpGet) return fail(`operator ${name} is missing`);
    if (p.httpGet.path !== path) fail(`operator ${name} path ${p.httpGet.path} != ${path}`);
    if (!ports.has(p.httpGet.port)) fail(`operator ${name} port ${p.httpGet.port} is not a named container port`);
  };
  probe("livenessProbe", "/healthz");
  probe("readinessProbe", "/readyz");
  probe("startupProbe", "/healthz");
  const mounts = new Set((c.volumeMounts ?? []).map((m) => m.mountPath));
  for (const dir of ["/tmp", "/var/cache/plumb"]) if (!mounts.has(dir)) fail(`operator has no writable volume at ${dir}`);
  for (const svc of byKind(objects, "Service")) {
    if (!matches(svc.spec.selector, labels)) fail(`Service/${svc.metadata.name} does not select the operator pods`);
    for (const p of svc.spec.ports) if (!ports.has(p.targetPort)) fail(`Service/${svc.metadata.name} targetPort ${p.targetPort} is not a container port`);
  }
  return { d, labels, svcPorts: new Set(byKind(objects, "Service").flatMap((s) => s.spec.ports.map((p) => p.name))) };
}

function checkMigration(objects, fail) {
  const jobs = byKind(objects, "Job");
  if (jobs.length !== 1) return fail(`expected one migration Job, found ${jobs.length}`);
  const job = jobs[0];
  const hooks = String(job.metadata.annotations?.["helm.sh/hook"] ?? "").split(",");
  for (const h of ["pre-install", "pre-upgrade"]) if (!hooks.includes(h)) fail(`Job/${job.metadata.name}: helm.sh/hook lacks ${h}`);
  const c = job.spec.template.spec.containers[0];
  if (!(c.args ?? []).includes("migrate")) fail(`Job/${job.metadata.name} does not run plumb migrate`);
  if (job.spec.template.spec.restartPolicy !== "Never") fail(`Job/${job.metadata.name}: restartPolicy must be Never`);
  // Hooks run before the release's ConfigMap and ServiceAccount exist.
  if ((c.envFrom ?? []).some((e) => e.configMapRef)) fail(`Job/${job.metadata.name} reads the release ConfigMap (absent at pre-install)`);
}

function checkOptional(objects, op, fail) {
  const { labels, svcPorts } = op;
  for (const sm of byKind(objects, "ServiceMonitor")) {
    for (const ep of sm.spec.endpoints ?? []) {
      if (!svcPorts.has(ep.port)) fail(`ServiceMonitor: port ${ep.port} is not a Service port`);
      if (ep.path !== "/metrics") fail(`ServiceMonitor: path ${ep.path} != /metrics`);
    }
  }
  for (const np of byKind(objects, "NetworkPolicy")) {
    if (!matches(np.spec.podSelector.matchLabels, labels)) fail("NetworkPolicy does not select the operator pods");
    if (!(np.spec.policyTypes ?? []).includes("Egress")) fail("NetworkPolicy does not restrict egress");
  }
  for (const pdb of byKind(objects, "PodDisruptionBudget")) {
    if (!matches(pdb.spec.selector.matchLabels, labels)) fail("PodDisruptionBudget does not select the operator pods");
  }
  const services = new Set(byKind(objects, "Service").map((s) => s.metadata.name));
  for (const ing of byKind(objects, "Ingress")) {
    for (const rule of ing.spec.rules ?? []) {
      for (const p of rule.http.paths) {
        if (!services.has(p.backend.service.name)) fail(`Ingress backend ${p.backend.service.name} is not the chart's Service`);
        if (!svcPorts.has(p.backend.service.port.name)) fail(`Ingress backend port ${p.backend.service.port.name} is not a Service port`);
      }
    }
  }
}

// All promises; returns the list of broken ones (empty = all kept).
async function check(objects, args) {
  const problems = await validateSchemas(objects);
  const fail = (m) => problems.push(m);
  const kinds = new Set(objects.map((o) => o.kind));
  for (const k of args.expectKinds) if (!kinds.has(k)) fail(`expected a ${k}`);
  const pods = podSpecs(objects);
  checkSecurity(pods, fail);
  checkNoSecretValues(objects, pods, fail);
  const op = checkOperator(objects, args, fail);
  checkMigration(objects, fail);
  if (op) checkOptional(objects, op, fail);
  return problems;
}

// Each mutation breaks one promise; the assertions must notice every one of them.
const operatorContainer = (objs) => byKind(objs, "Deployment")[0].spec.template.spec.containers[0];
const k_mutations = {
  "readOnlyRootFilesystem false": (o) => { operatorContainer(o).securityContext.readOnlyRootFilesystem = false; },
  "privilege escalation allowed": (o) => { operatorContainer(o).securityContext.allowPrivilegeEscalation = true; },
  "capabilities not dropped": (o) => { operatorContainer(o).securityContext.capabilities = { drop: [] }; },
  "runs as root": (o) => {
    const d = byKind(o, "Deployment")[0].spec.template.spec;
    delete d.securityContext.runAsNonRoot;
    delete operatorContainer(o).securityContext.runAsNonRoot;
  },
  "service links on": (o) => { delete byKind(o, "Deployment")[0].spec.template.spec.enableServiceLinks; },
  "no readiness probe": (o) => { delete operatorContainer(o).readinessProbe; },
  "liveness on the wrong path": (o) => { operatorContainer(o).livenessProbe.httpGet.path = "/"; },
  "no memory limit": (o) => { delete operatorContainer(o).resources.limits; },
  "database URL as a plain value": (o) => {
    const e = operatorContainer(o).env.find((x) => x.name === "PLUMB_DATABASE_URL");
    delete e.valueFrom;
    e.value = "postgresql://plumb:hunter2@db:5432/platform";
  },
  "a Secret rendered": (o) => { o.push({ apiVersion: "v1", kind: "Secret", metadata: { name: "x" }, stringData: { url: "x" } }); },
  "hook without pre-upgrade": (o) => { byKind(o, "Job")[0].metadata.annotations["helm.sh/hook"] = "pre-install"; },
  "schema violation": (o) => { operatorContainer(o).ports[0].containerPort = "http"; },
};

async function selfTest(objects, args) {
  const missed = [];
  for (const [name, mutate] of Object.entries(k_mutations)) {
    const copy = structuredClone(objects);
    mutate(copy);
    if ((await check(copy, args)).length === 0) missed.push(name);
  }
  return missed;
}

const objects = yaml.loadAll(readFileSync(args.file, "utf8")).filter((o) => o && typeof o === "object");
const problems = await check(objects, args);
for (const p of problems) console.error(`${args.file}: ${p}`);
if (problems.length > 0) process.exit(1);
console.log(`${args.file}: ${objects.length} objects valid (${[...new Set(objects.map((o) => o.kind))].join(", ")}); all assertions hold`);
if (args.selfTest) {
  const missed = await selfTest(objects, args);
  for (const m of missed) console.error(`${args.file}: self-test: breaking "${m}" went unnoticed`);
  if (missed.length > 0) process.exit(1);
  console.log(`${args.file}: self-test: all ${Object.keys(k_mutations).length} deliberate breaks detected`);
}
