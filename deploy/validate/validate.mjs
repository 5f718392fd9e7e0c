// Offline checks for deploy/: rendered Kubernetes manifests and Dockerfiles.
//
//   node validate.mjs manifests --name NAME --profile base|dev|prod
//        [--network-policies] FILE.yaml
//   node validate.mjs dockerfile FILE.Dockerfile...
//
// "manifests" validates every object of a `kubectl kustomize` rendering
// against the Kubernetes OpenAPI schemas shipped by the npm package
// kubernetes-models (no cluster needed), then applies this project's policy:
// hardened pods, gRPC probes, resources, flags consistent with limits, and
// per profile the production extras (PDB, HPA, spread, NetworkPolicies).
// "dockerfile" is a hadolint-like review: syntax via dockerfile-utils plus
// the rules this project's images follow.
//
// Every check prints "ok - ..." or "not ok - ...: reason"; the last line is
// "RESULT passed=N failed=M" for deploy/check.sh to add up. Exit code 1 when
// anything failed.
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { parseAllDocuments } from "yaml";
import { validate as validateDockerfile } from "dockerfile-utils";

let passed = 0;
let failed = 0;

// Records one check; `problems` is an array of strings (empty = pass).
function check(label, problems) {
  const list = Array.isArray(problems) ? problems.filter(Boolean) : [];
  if (list.length === 0) {
    passed++;
    console.log(`ok - ${label}`);
  } else {
    failed++;
    console.log(`not ok - ${label}: ${list.join("; ")}`);
  }
}

function finish() {
  console.log(`RESULT passed=${passed} failed=${failed}`);
  process.exit(failed === 0 ? 0 : 1);
}

// ---------------------------------------------------------------------------
// Kubernetes quantities and helpers.

const BINARY_SUFFIX = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL_SUFFIX = { k: 1e3, M: 1e6, G: 1e9, T: 1e12, m: 1e-3 };

// Bytes (or cores) in a quantity string such as "512Mi", "1", "250m".
function quantity(q) {
  if (q === undefined || q === null) return NaN;
  const m = String(q).match(/^([0-9.]+)([A-Za-z]*)$/);
  if (!m) return NaN;
  const n = Number(m[1]);
  if (m[2] === "") return n;
  if (m[2] in BINARY_SUFFIX) return n * BINARY_SUFFIX[m[2]];
  if (m[2] in DECIMAL_SUFFIX) return n * DECIMAL_SUFFIX[m[2]];
  return NaN;
}

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"]);
// Workloads that only call the services (feed-follower): labelled as the
// "feed" component and exposing no gRPC port.
function isGrpcClientOnly(obj, container) {
  const labels = obj.spec?.template?.metadata?.labels ?? {};
  const ports = container.ports ?? [];
  return labels["app.kubernetes.io/component"] === "feed" && !ports.some((p) => p.name === "grpc");
}

function podSpecOf(obj) {
  if (obj.kind === "CronJob") return obj.spec?.jobTemplate?.spec?.template?.spec;
  return obj.spec?.template?.spec;
}

function podLabelsOf(obj) {
  if (obj.kind === "CronJob") return obj.spec?.jobTemplate?.spec?.template?.metadata?.labels ?? {};
  return obj.spec?.template?.metadata?.labels ?? {};
}

function matches(selector, labels) {
  if (!selector || Object.keys(selector).length === 0) return true;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function id(obj) {
  return `${obj.kind}/${obj.metadata?.name}`;
}

// args with $(VAR) replaced from the container's literal env values, the way
// the kubelet expands them. Unknown variables stay as they are.
function expandedArgs(container) {
  const env = Object.fromEntries(
    (container.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value]),
  );
  return [...(container.command ?? []), ...(container.args ?? [])].map((a) =>
    a.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (all, name) => (name in env ? env[name] : all)),
  );
}

function flagValue(args, flag) {
  const prefix = `--${flag}=`;
  const hit = args.find((a) => a.startsWith(prefix));
  return hit === undefined ? undefined : hit.slice(prefix.length);
}

// ---------------------------------------------------------------------------
// Schema validation with kubernetes-models.

function modelPath(apiVersion, kind) {
  // "apps/v1" -> "apps/v1", "v1" -> "v1", "networking.k8s.io/v1" likewise.
  return `kubernetes-models/${apiVersion}/${kind}`;
}

async function schemaCheck(name, obj) {
  const label = `${name}: ${id(obj)} matches the ${obj.apiVersion} schema`;
  if (!obj.apiVersion || !obj.kind) {
    check(label, ["apiVersion or kind missing"]);
    return;
  }
  let Model;
  try {
    const mod = await import(modelPath(obj.apiVersion, obj.kind));
    Model = mod[obj.kind];
  } catch (e) {
    check(label, [`no model for ${obj.apiVersion} ${obj.kind} (${e.code ?? e.message})`]);
    return;
  }
  try {
    new Model(obj).validate();
    check(label, []);
  } catch (e) {
    check(label, [e.message]);
  }
}

// ---------------------------------------------------------------------------
// Policy.

const EXPECTED_USER = 10001;
// Time the services need after their gRPC drain to flush and close RocksDB.
const CLOSE_MARGIN_MS = 5000;
// The block cache may take at most this share of the memory limit.
const MAX_BLOCK_CACHE_SHARE = 0.5;

function containerProblems(pod, c) {
  const p = [];
  const sc = c.securityContext ?? {};
  const podSc = pod.securityContext ?? {};
  if (!(sc.runAsNonRoot ?? podSc.runAsNonRoot)) p.push("runAsNonRoot not true");
  const uid = sc.runAsUser ?? podSc.runAsUser;
  if (uid !== EXPECTED_USER) p.push(`runAsUser is ${uid}, want ${EXPECTED_USER}`);
  if (sc.readOnlyRootFilesystem !== true) p.push("readOnlyRootFilesystem not true");
  if (sc.allowPrivilegeEscalation !== false) p.push("allowPrivilegeEscalation not false");
  if (sc.privileged) p.push("privileged");
  if (!(sc.capabilities?.drop ?? []).includes("ALL")) p.push("capabilities.drop lacks ALL");
  if ((sc.capabilities?.add ?? []).length > 0) p.push("capabilities.add not empty");
  const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
  if (seccomp !== "RuntimeDefault") p.push(`seccompProfile is ${seccomp}, want RuntimeDefault`);
  return p;
}

function resourceProblems(c) {
  const p = [];
  for (const kind of ["requests", "limits"]) {
    for (const r of ["cpu", "memory"]) {
      if (c.resources?.[kind]?.[r] === undefined) p.push(`resources.${kind}.${r} missing`);
    }
  }
  const reqMem = quantity(c.resources?.requests?.memory);
  const limMem = quantity(c.resources?.limits?.memory);
  if (reqMem > limMem) p.push("memory request above limit");
  const reqCpu = quantity(c.resources?.requests?.cpu);
  const limCpu = quantity(c.resources?.limits?.cpu);
  if (reqCpu > limCpu) p.push("cpu request above limit");
  return p;
}

function grpcPort(c) {
  return (c.ports ?? []).find((p) => p.name === "grpc")?.containerPort;
}

function probeProblems(c) {
  const p = [];
  const port = grpcPort(c);
  if (port === undefined) p.push('no container port named "grpc"');
  for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
    const pr = c[probe];
    if (!pr) {
      p.push(`${probe} missing`);
      continue;
    }
    if (!pr.grpc) p.push(`${probe} is not a native gRPC probe`);
    else if (pr.grpc.port !== port) p.push(`${probe} asks port ${pr.grpc.port}, serves ${port}`);
  }
  // The startup budget must cover opening the database (and WAL recovery).
  const s = c.startupProbe;
  if (s) {
    const budget = (s.periodSeconds ?? 10) * (s.failureThreshold ?? 3);
    if (budget < 120) p.push(`startupProbe allows only ${budget}s for DB open`);
  }
  return p;
}

function flagProblems(pod, c) {
  const p = [];
  const args = expandedArgs(c);
  const unresolved = args.filter((a) => /\$\([A-Za-z_]/.test(a));
  if (unresolved.length) p.push(`unexpanded variables in ${unresolved.join(" ")}`);
  const listen = flagValue(args, "listen");
  const port = grpcPort(c);
  if (!listen) p.push("--listen missing");
  else if (!listen.startsWith("0.0.0.0:") || Number(listen.split(":").pop()) !== port) {
    p.push(`--listen=${listen} does not serve containerPort ${port} on all addresses`);
  }
  const dataDir = flagValue(args, "data_dir");
  if (!dataDir) p.push("--data_dir missing");
  else {
    const mounted = (c.volumeMounts ?? []).some(
      (m) => !m.readOnly && (dataDir === m.mountPath || dataDir.startsWith(`${m.mountPath}/`)),
    );
    if (!mounted) p.push(`--data_dir=${dataDir} is on the read-only root filesystem`);
  }
  const cacheMb = Number(flagValue(args, "block_cache_mb"));
  const limitMb = quantity(c.resources?.limits?.memory) / 2 ** 20;
  if (!(cacheMb > 0)) p.push("--block_cache_mb missing or not a positive number");
  else if (!(cacheMb <= limitMb * MAX_BLOCK_CACHE_SHARE)) {
    p.push(`--block_cache_mb=${cacheMb} exceeds half of limits.memory (${limitMb} Mi)`);
  }
  const graceMs = Number(flagValue(args, "grace_period_ms"));
  const termMs = (pod.terminationGracePeriodSeconds ?? 30) * 1000;
  if (!(graceMs > 0)) p.push("--grace_period_ms missing or not a positive number");
  else if (graceMs + CLOSE_MARGIN_MS > termMs) {
    p.push(
      `--grace_period_ms=${graceMs} + ${CLOSE_MARGIN_MS} ms to close the DB exceeds ` +
        `terminationGracePeriodSeconds (${termMs / 1000}s)`,
    );
  }
  return p;
}

function podProblems(objs, obj, pod) {
  const p = [];
  if (pod.automountServiceAccountToken !== false) p.push("automountServiceAccountToken not false");
  const saName = pod.serviceAccountName;
  if (!saName || saName === "default") p.push("runs as the default ServiceAccount");
  else {
    const sa = objs.find((o) => o.kind === "ServiceAccount" && o.metadata?.name === saName);
    if (!sa) p.push(`ServiceAccount ${saName} not rendered`);
    else if (sa.automountServiceAccountToken !== false) {
      p.push(`ServiceAccount ${saName} mounts its token`);
    }
  }
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) p.push("uses host namespaces");
  for (const v of pod.volumes ?? []) {
    if (v.hostPath) p.push(`volume ${v.name} is a hostPath`);
    if (v.emptyDir && !v.emptyDir.sizeLimit) p.push(`emptyDir ${v.name} has no sizeLimit`);
  }
  for (const c of pod.containers ?? []) {
    if (!c.image || !/:[^/]+$|@sha256:/.test(c.image)) {
      p.push(`image ${c.image} has no tag or digest`);
    } else if (c.image.endsWith(":latest")) p.push(`image ${c.image} uses :latest`);
  }
  return p;
}

function serviceProblems(objs, svc) {
  const p = [];
  const sel = svc.spec?.selector ?? {};
  if (Object.keys(sel).length === 0) {
    p.push("no selector");
    return p;
  }
  const workloads = objs.filter((o) => WORKLOAD_KINDS.has(o.kind) && matches(sel, podLabelsOf(o)));
  if (workloads.length === 0) p.push("selects no pod of this rendering");
  for (const port of svc.spec?.ports ?? []) {
    const ok = workloads.some((w) =>
      (podSpecOf(w)?.containers ?? []).some((c) =>
        (c.ports ?? []).some((cp) =>
          typeof port.targetPort === "string"
            ? cp.name === port.targetPort
            : cp.containerPort === (port.targetPort ?? port.port),
        ),
      ),
    );
    if (!ok) p.push(`port ${port.name ?? port.port} targets no container port`);
  }
  return p;
}

function find(objs, kind, name) {
  return objs.find((o) => o.kind === kind && o.metadata?.name === name);
}

// Does NetworkPolicy `np`, which applies to pods labelled `target`, let pods
// labelled `from` in? (Only the forms this project uses.)
function allowsIngress(np, targetLabels, fromLabels, port) {
  if (!matches(np.spec?.podSelector?.matchLabels, targetLabels)) return false;
  return (np.spec?.ingress ?? []).some(
    (rule) =>
      (rule.ports ?? []).some((p) => p.port === port) &&
      (rule.from ?? []).some((peer) => matches(peer.podSelector?.matchLabels, fromLabels)),
  );
}

function allowsEgress(np, sourceLabels, toLabels, port) {
  if (!matches(np.spec?.podSelector?.matchLabels, sourceLabels)) return false;
  return (np.spec?.egress ?? []).some(
    (rule) =>
      (rule.ports ?? []).some((p) => p.port === port) &&
      (rule.to ?? []).some((peer) => matches(peer.podSelector?.matchLabels, toLabels)),
  );
}

function networkPolicyChecks(name, objs) {
  const nps = objs.filter((o) => o.kind === "NetworkPolicy");
  const denyAll = nps.some(
    (np) =>
      Object.keys(np.spec?.podSelector ?? {}).length === 0 &&
      ["Ingress", "Egress"].every((t) => (np.spec?.policyTypes ?? []).includes(t)) &&
      !(np.spec?.ingress ?? []).length &&
      !(np.spec?.egress ?? []).length,
  );
  check(`${name}: NetworkPolicy denies all traffic by default`, denyAll ? [] : ["no deny-all policy"]);
  const dns = nps.some(
    (np) =>
      Object.keys(np.spec?.podSelector ?? {}).length === 0 &&
      (np.spec?.egress ?? []).some((r) =>
        ["UDP", "TCP"].every((proto) => (r.ports ?? []).some((p) => p.port === 53 && p.protocol === proto)),
      ),
  );
  check(`${name}: NetworkPolicy lets every pod reach DNS (53 UDP+TCP)`, dns ? [] : ["missing"]);
  const ingest = { "app.kubernetes.io/name": "ingest-service" };
  const query = { "app.kubernetes.io/name": "query-service" };
  const feed = { "app.kubernetes.io/component": "feed" };
  const client = { "app.kubernetes.io/component": "client" };
  const flows = [
    ["clients -> query-service:50052", (np) => allowsIngress(np, query, client, 50052)],
    ["query-service -> ingest-service:50051 (egress)", (np) => allowsEgress(np, query, ingest, 50051)],
    ["query-service -> ingest-service:50051 (ingress)", (np) => allowsIngress(np, ingest, query, 50051)],
    ["feeds -> ingest-service:50051", (np) => allowsIngress(np, ingest, feed, 50051)],
  ];
  for (const [flow, test] of flows) {
    check(`${name}: NetworkPolicy allows ${flow}`, nps.some(test) ? [] : ["no policy allows it"]);
  }
  // Nothing else may reach ingest-service: no ingress rule without a peer.
  const open = nps.filter(
    (np) =>
      matches(np.spec?.podSelector?.matchLabels, ingest) &&
      (np.spec?.ingress ?? []).some((r) => !r.from || r.from.length === 0),
  );
  check(
    `${name}: NetworkPolicy never opens ingest-service to everyone`,
    open.map((np) => `${id(np)} has an ingress rule without 'from'`),
  );
}

function prodChecks(name, objs) {
  const dep = find(objs, "Deployment", "query-service");
  const pod = dep ? podSpecOf(dep) : undefined;
  check(`${name}: query-service runs >= 2 replicas`, [
    !dep && "Deployment/query-service missing",
    dep && !((dep.spec?.replicas ?? 1) >= 2) && `replicas is ${dep.spec?.replicas ?? 1}`,
  ]);
  check(`${name}: query-service rolls out with maxUnavailable 0`, [
    dep && dep.spec?.strategy?.rollingUpdate?.maxUnavailable !== 0 && "maxUnavailable is not 0",
  ]);
  const spread = pod?.topologySpreadConstraints ?? [];
  check(`${name}: query-service spreads over nodes and zones`, [
    !spread.some((t) => t.topologyKey === "kubernetes.io/hostname") && "no hostname spread",
    !spread.some((t) => t.topologyKey === "topology.kubernetes.io/zone") && "no zone spread",
  ]);
  const podLabels = dep ? podLabelsOf(dep) : {};
  const pdb = objs.find(
    (o) => o.kind === "PodDisruptionBudget" && matches(o.spec?.selector?.matchLabels, podLabels),
  );
  check(`${name}: a PodDisruptionBudget covers query-service`, [
    !pdb && "none",
    pdb && pdb.spec?.minAvailable === undefined && pdb.spec?.maxUnavailable === undefined &&
      "neither minAvailable nor maxUnavailable",
  ]);
  const hpa = objs.find(
    (o) =>
      o.kind === "HorizontalPodAutoscaler" &&
      o.spec?.scaleTargetRef?.kind === "Deployment" &&
      o.spec?.scaleTargetRef?.name === "query-service",
  );
  check(`${name}: an HPA scales query-service on CPU from >= 2 replicas`, [
    !hpa && "none",
    hpa && !(hpa.spec?.minReplicas >= 2) && `minReplicas ${hpa.spec?.minReplicas}`,
    hpa && !(hpa.spec?.maxReplicas > hpa.spec?.minReplicas) && "maxReplicas <= minReplicas",
    hpa &&
      !(hpa.spec?.metrics ?? []).some((m) => m.type === "Resource" && m.resource?.name === "cpu") &&
      "no CPU metric",
  ]);
}

async function manifests(argv) {
  const opts = { name: "rendering", profile: "base", networkPolicies: false, file: undefined };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--name") opts.name = argv[++i];
    else if (argv[i] === "--profile") opts.profile = argv[++i];
    else if (argv[i] === "--network-policies") opts.networkPolicies = true;
    else opts.file = argv[i];
  }
  if (!opts.file) throw new Error("manifests: FILE missing");
  const name = opts.name;
  const docs = parseAllDocuments(readFileSync(opts.file, "utf8"));
  const objs = [];
  const parseErrors = [];
  for (const d of docs) {
    if (d.errors.length) parseErrors.push(...d.errors.map((e) => e.message));
    const o = d.toJS();
    if (o) objs.push(o);
  }
  check(`${name}: rendering parses as YAML`, parseErrors);
  check(`${name}: rendering is not empty`, objs.length ? [] : ["no objects"]);

  for (const obj of objs) await schemaCheck(name, obj);

  const names = new Set();
  check(
    `${name}: object names are unique`,
    objs
      .map((o) => `${o.kind}/${o.metadata?.namespace ?? ""}/${o.metadata?.name}`)
      .filter((k) => (names.has(k) ? true : (names.add(k), false))),
  );

  for (const kind of ["StatefulSet", "Deployment"]) {
    const want = kind === "StatefulSet" ? "ingest-service" : "query-service";
    check(`${name}: ${kind}/${want} is rendered`, find(objs, kind, want) ? [] : ["missing"]);
  }

  for (const obj of objs.filter((o) => WORKLOAD_KINDS.has(o.kind))) {
    const pod = podSpecOf(obj) ?? {};
    check(`${name}: ${id(obj)} pod is hardened`, podProblems(objs, obj, pod));
    const all = [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
    for (const c of all) {
      const cid = `${id(obj)} container ${c.name}`;
      check(`${name}: ${cid} securityContext`, containerProblems(pod, c));
      check(`${name}: ${cid} requests and limits`, resourceProblems(c));
    }
    // Only the gRPC servers (they expose a port named "grpc") take the
    // services' flags and gRPC probes; the feed follower is a client.
    for (const c of (pod.containers ?? []).filter((c) => !isGrpcClientOnly(obj, c))) {
      const cid = `${id(obj)} container ${c.name}`;
      check(`${name}: ${cid} gRPC startup/readiness/liveness probes`, probeProblems(c));
      check(`${name}: ${cid} flags agree with limits and grace period`, flagProblems(pod, c));
    }
  }

  const sts = find(objs, "StatefulSet", "ingest-service");
  if (sts) {
    const svc = find(objs, "Service", sts.spec?.serviceName);
    check(`${name}: StatefulSet/ingest-service is a single writer with its own volume`, [
      sts.spec?.replicas !== 1 && `replicas is ${sts.spec?.replicas}`,
      !(sts.spec?.volumeClaimTemplates ?? []).length && "no volumeClaimTemplates",
      !svc && `governing Service ${sts.spec?.serviceName} missing`,
      svc && svc.spec?.clusterIP !== "None" && "governing Service is not headless",
    ]);
  }

  for (const svc of objs.filter((o) => o.kind === "Service")) {
    check(`${name}: ${id(svc)} selects pods and ports`, serviceProblems(objs, svc));
  }

  for (const sa of objs.filter((o) => o.kind === "ServiceAccount")) {
    check(
      `${name}: ${id(sa)} does not mount its token`,
      sa.automountServiceAccountToken === false ? [] : ["automountServiceAccountToken not false"],
    );
  }

  if (opts.profile !== "base") {
    const ns = objs.filter((o) => o.kind === "Namespace");
    check(`${name}: Namespace enforces Pod Security "restricted"`, [
      ns.length === 0 && "no Namespace rendered",
      ...ns.map(
        (n) =>
          n.metadata?.labels?.["pod-security.kubernetes.io/enforce"] !== "restricted" &&
          `${id(n)} lacks pod-security.kubernetes.io/enforce=restricted`,
      ),
    ]);
    const namespaced = objs.filter((o) => o.kind !== "Namespace");
    check(
      `${name}: every object lives in the overlay's namespace`,
      namespaced
        .filter((o) => !ns.some((n) => n.metadata?.name === o.metadata?.namespace))
        .map((o) => `${id(o)} in ${o.metadata?.namespace}`),
    );
  }

  if (opts.profile === "prod") prodChecks(name, objs);
  if (opts.networkPolicies || opts.profile === "prod") networkPolicyChecks(name, objs);
}

// ---------------------------------------------------------------------------
// Dockerfiles.

// Instructions with continuation lines joined and comments dropped.
function dockerInstructions(text) {
  const out = [];
  let current = "";
  let startLine = 0;
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    if (!current && (/^\s*#/.test(line) || /^\s*$/.test(line))) return;
    if (current && /^\s*#/.test(line)) return; // comment inside a continuation
    if (!current) startLine = i + 1;
    if (/\\\s*$/.test(line)) {
      current += line.replace(/\\\s*$/, " ");
      return;
    }
    current += line;
    const m = current.trim().match(/^(\S+)\s*(.*)$/s);
    out.push({ keyword: m[1].toUpperCase(), args: m[2].trim(), line: startLine });
    current = "";
  });
  return out;
}

function dockerfileChecks(file) {
  const text = readFileSync(file, "utf8");
  const name = basename(file);
  const diags = validateDockerfile(text);
  check(
    `${name}: dockerfile-utils finds no problem`,
    diags.map((d) => `line ${d.range.start.line + 1}: ${d.message}`),
  );

  const ins = dockerInstructions(text);
  const froms = ins.filter((i) => i.keyword === "FROM");
  check(`${name}: multi-stage build with named stages on pinned Debian 12 images`, [
    froms.length < 2 && "fewer than two stages",
    ...froms.map((f) => {
      const m = f.args.match(/^(\S+)\s+AS\s+(\S+)$/i);
      if (!m) return `line ${f.line}: stage has no name`;
      if (!/^debian:12(-slim)?(@sha256:[0-9a-f]{64})?$/.test(m[1])) {
        return `line ${f.line}: ${m[1]} is not debian:12 or debian:12-slim`;
      }
      return null;
    }),
    froms.length >= 2 && !/^debian:12-slim/.test(froms[froms.length - 1].args) &&
      "runtime stage is not debian:12-slim",
  ]);

  const lastFrom = ins.lastIndexOf(froms[froms.length - 1]);
  const runtime = ins.slice(lastFrom);
  const users = runtime.filter((i) => i.keyword === "USER");
  check(`${name}: runtime stage runs as uid 10001`, [
    users.length === 0 && "no USER",
    users.length && !/^10001(:10001)?$/.test(users[users.length - 1].args) &&
      `USER ${users[users.length - 1].args}`,
  ]);

  const entry = runtime.filter((i) => i.keyword === "ENTRYPOINT");
  const cmd = runtime.filter((i) => i.keyword === "CMD");
  const json = (i) => {
    try {
      return Array.isArray(JSON.parse(i.args));
    } catch {
      return false;
    }
  };
  check(`${name}: ENTRYPOINT and CMD use exec (JSON) form`, [
    entry.length !== 1 && "want exactly one ENTRYPOINT",
    ...entry.filter((i) => !json(i)).map((i) => `line ${i.line}: ENTRYPOINT not JSON`),
    ...cmd.filter((i) => !json(i)).map((i) => `line ${i.line}: CMD not JSON`),
  ]);

  const runs = ins.filter((i) => i.keyword === "RUN");
  const problems = [];
  for (const r of runs) {
    const a = r.args;
    if (/\bsudo\b/.test(a)) problems.push(`line ${r.line}: sudo`);
    if (/apt-get\s+(\S+\s+)*install\b/.test(a)) {
      if (!/\s-y\b|--yes\b|--assume-yes\b/.test(a)) problems.push(`line ${r.line}: apt-get install without -y`);
      if (!/--no-install-recommends/.test(a)) {
        problems.push(`line ${r.line}: apt-get install without --no-install-recommends`);
      }
    }
    if (/apt-get\s+update/.test(a) && !/apt-get\s+(\S+\s+)*install\b/.test(a)) {
      problems.push(`line ${r.line}: apt-get update alone in a RUN (stale cache layer)`);
    }
    if (/apt-get\s+update/.test(a) && !/rm -rf \/var\/lib\/apt\/lists/.test(a)) {
      problems.push(`line ${r.line}: apt lists not removed in the same RUN`);
    }
    if (/\bcd\s+\//.test(a)) problems.push(`line ${r.line}: cd in RUN (use WORKDIR)`);
  }
  // A pipe in RUN hides failures unless the shell runs with pipefail.
  ins.forEach((inst, idx) => {
    if (inst.keyword !== "RUN" || !/[^|]\|[^|]/.test(inst.args)) return;
    const stageStart = ins.slice(0, idx).map((i) => i.keyword).lastIndexOf("FROM");
    const shell = ins.slice(stageStart, idx).filter((i) => i.keyword === "SHELL").pop();
    if (!shell || !/pipefail/.test(shell.args)) {
      problems.push(`line ${inst.line}: pipe in RUN without SHELL [... "-o", "pipefail" ...]`);
    }
  });
  check(`${name}: RUN instructions follow apt and shell hygiene`, problems);

  check(`${name}: no ADD, absolute WORKDIR, MAINTAINER unused`, [
    ...ins.filter((i) => i.keyword === "ADD").map((i) => `line ${i.line}: ADD (use COPY)`),
    ...ins
      .filter((i) => i.keyword === "WORKDIR" && !i.args.startsWith("/"))
      .map((i) => `line ${i.line}: WORKDIR ${i.args} is relative`),
    ...ins.filter((i) => i.keyword === "MAINTAINER").map((i) => `line ${i.line}: MAINTAINER`),
  ]);

  const expose = runtime.filter((i) => i.keyword === "EXPOSE").map((i) => i.args);
  const listen = cmd.length && json(cmd[0]) ? flagValue(JSON.parse(cmd[0].args), "listen") : undefined;
  check(`${name}: EXPOSE matches the --listen port of CMD`, [
    !listen && "CMD has no --listen",
    listen && !expose.includes(listen.split(":").pop()) && `EXPOSE ${expose} vs --listen=${listen}`,
  ]);
}

// ---------------------------------------------------------------------------

const [mode, ...rest] = process.argv.slice(2);
try {
  if (mode === "manifests") await manifests(rest);
  else if (mode === "dockerfile") rest.forEach(dockerfileChecks);
  else {
    console.error("usage: validate.mjs manifests|dockerfile ...");
    process.exit(2);
  }
} catch (e) {
  check(`validate.mjs ${mode}`, [e.stack ?? String(e)]);
}
finish();
