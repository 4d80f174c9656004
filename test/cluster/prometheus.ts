/**
 * prometheus-operator and Prometheus on the test cluster, installed as their users install them:
 * the operator from its release's bundle.yaml, Prometheus (built from its Go module by
 * build-operators.sh, packaged by operator-images.sh) through the `Prometheus` object that
 * docs/monitoring.md tells users to create, read from that page. Other test files import
 * installPrometheus to watch their own environment.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { applyYaml, deleteNamespace, kubectl, REGISTRY, waitFor } from './kube';
import { moduleDir, moduleVersion, rollout, upstreamManifest } from './upstream';

const OPERATOR_MODULE = 'github.com/prometheus-operator/prometheus-operator';
export const PROMETHEUS_OPERATOR_VERSION = moduleVersion('prometheus-operator', OPERATOR_MODULE);
/** Prometheus' release of the module our build requires: module v0.3MM.P is Prometheus v3.MM.P. */
export const PROMETHEUS_VERSION = ((v: string) => {
  const m = /^v0\.3(\d\d)\.(\d+)$/.exec(v);
  if (!m) throw new Error(`github.com/prometheus/prometheus ${v}: not a v0.3MM.P module version`);
  return `v3.${Number(m[1])}.${m[2]}`;
})(moduleVersion('prometheus', 'github.com/prometheus/prometheus'));

const DOC = path.join(__dirname, '../../docs/monitoring.md');
const RBAC = ['prometheus-service-account.yaml', 'prometheus-cluster-role.yaml', 'prometheus-cluster-role-binding.yaml'];

/**
 * prometheus-operator's bundle.yaml: its CRDs, RBAC and the operator in namespace default
 * (idempotent). It stays for the cluster's life: test files running side by side share it.
 */
export async function installPrometheusOperator(): Promise<void> {
  const yaml = upstreamManifest(OPERATOR_MODULE, PROMETHEUS_OPERATOR_VERSION, 'bundle.yaml', {
    'quay.io/prometheus-operator/': `${REGISTRY}/prometheus-operator/`,
  });
  await kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], { input: yaml, timeoutMs: 180000 });
  await rollout('default', 'deployment', 'prometheus-operator');
}

/** The `Prometheus` object of docs/monitoring.md, as a user copies it (the YAML block of kind Prometheus). */
export function documentedPrometheus(): any {
  const blocks = [...fs.readFileSync(DOC, 'utf8').matchAll(/^( *)```yaml\n([\s\S]*?)^\1```$/gm)]
    .map((m) => m[2].split('\n').map((l) => l.slice(m[1].length)).join('\n'));
  const found = blocks.map((b) => parse(b)).filter((o) => o?.kind === 'Prometheus');
  if (found.length !== 1) throw new Error(`docs/monitoring.md: ${found.length} YAML blocks of kind Prometheus, expected 1`);
  return found[0];
}

/**
 * The documented Prometheus in `namespace`, selecting the objects of `watched`, with the upstream
 * example's RBAC. What differs from the page: those two namespaces, and the image (ours, at the
 * local registry; the operator's default would be pulled from quay.io).
 */
export async function installPrometheus(namespace: string, watched: string): Promise<void> {
  await applyYaml(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } }));
  const dir = path.join(moduleDir(OPERATOR_MODULE, PROMETHEUS_OPERATOR_VERSION), 'example/rbac/prometheus');
  for (const f of RBAC) {
    let text = fs.readFileSync(path.join(dir, f), 'utf8').replace(/namespace: default/g, `namespace: ${namespace}`);
    // One binding per Prometheus: test files run side by side, each with its own.
    if (f === 'prometheus-cluster-role-binding.yaml') text = text.replace(/^(kind: ClusterRoleBinding\nmetadata:\n  name: )prometheus$/m, `$1${bindingName(namespace)}`);
    await kubectl(['apply', '--server-side', '--force-conflicts', '-n', namespace, '-f', '-'], { input: text });
  }
  const p = documentedPrometheus();
  p.metadata.namespace = namespace;
  for (const sel of ['podMonitorNamespaceSelector', 'ruleNamespaceSelector']) p.spec[sel].matchLabels['kubernetes.io/metadata.name'] = watched;
  Object.assign(p.spec, { version: PROMETHEUS_VERSION, image: `${REGISTRY}/prometheus/prometheus:${PROMETHEUS_VERSION}` });
  await applyYaml(JSON.stringify(p));
  const sts = `statefulset/prometheus-${p.metadata.name}`;
  await kubectl(['-n', namespace, 'wait', '--for=create', sts, '--timeout=120s'], { timeoutMs: 130000 });
  await rollout(namespace, 'statefulset', `prometheus-${p.metadata.name}`);
}

const bindingName = (namespace: string) => `prometheus-${namespace}`;

/**
 * Removes what installPrometheus created: its namespace (waiting) and its ClusterRoleBinding. The
 * ClusterRole `prometheus` stays: every Prometheus of the test files binds it.
 */
export async function uninstallPrometheus(namespace: string): Promise<void> {
  await deleteNamespace(namespace, 180000);
  await kubectl(['delete', 'clusterrolebinding', bindingName(namespace), '--ignore-not-found']);
}

/** GET on the HTTP API of the documented Prometheus in `namespace`, through the API server's pod proxy; its `data`. */
export async function prometheusApi(namespace: string, pathAndQuery: string): Promise<any> {
  const pod = `prometheus-${documentedPrometheus().metadata.name}-0`;
  const r = await kubectl(['get', '--raw', `/api/v1/namespaces/${namespace}/pods/${pod}:9090/proxy${pathAndQuery}`]);
  const body = JSON.parse(r.stdout);
  if (body.status !== 'success') throw new Error(`prometheus ${pathAndQuery}: ${r.stdout}`);
  return body.data;
}

/** The state of alert `name` in /api/v1/alerts: firing if any instance fires, else pending, else undefined. */
export async function alertState(namespace: string, name: string): Promise<'firing' | 'pending' | undefined> {
  const states = (await prometheusApi(namespace, '/api/v1/alerts')).alerts.filter((a: any) => a.labels.alertname === name).map((a: any) => a.state);
  return states.includes('firing') ? 'firing' : states.includes('pending') ? 'pending' : undefined;
}

/** Waits until alert `name` is pending or firing; the milliseconds it took. */
export function alertRaised(namespace: string, name: string, timeoutMs: number): Promise<number> {
  return waitFor(async () => (await alertState(namespace, name)) !== undefined, timeoutMs, `alert ${name} pending or firing`);
}
