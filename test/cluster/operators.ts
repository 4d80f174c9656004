/**
 * The controllers the generated objects rely on, installed on the test cluster as their users
 * install them: each built from its Go module (build-operators.sh), packaged as its release image
 * (operator-images.sh) and applied from the upstream manifests of that release, read in the Go
 * module cache at test time (nothing upstream is committed here), images swapped to the local
 * registry. Also the S3 server the backups go to and the Prometheus the README describes.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { applyYaml, kubectl, REGISTRY } from './kube';

const HERE = __dirname;

/** The version of MODULE that our build module test/cluster/build/NAME requires. */
export function moduleVersion(name: string, module: string): string {
  const gomod = fs.readFileSync(path.join(HERE, 'build', name, 'go.mod'), 'utf8');
  const m = new RegExp(`^(?:require\\s+|\\t)${module.replace(/[.]/g, '\\.')} (v\\S+)$`, 'm').exec(gomod);
  if (!m) throw new Error(`${name}/go.mod requires no ${module}`);
  return m[1];
}

export const CNPG_VERSION = moduleVersion('cloudnative-pg', 'github.com/cloudnative-pg/cloudnative-pg');
export const PROMETHEUS_OPERATOR_VERSION = moduleVersion('prometheus-operator', 'github.com/prometheus-operator/prometheus-operator');
export const TRAEFIK_VERSION = moduleVersion('traefik', 'github.com/traefik/traefik/v3');
export const VERSITYGW_VERSION = moduleVersion('versitygw', 'github.com/versity/versitygw');

/** Where the Go module cache holds MODULE@VERSION (downloaded if missing). */
function moduleDir(module: string, version: string): string {
  const r = spawnSync('go', ['mod', 'download', '-json', `${module}@${version}`], { encoding: 'utf8', cwd: HERE, env: { ...process.env, GOFLAGS: '-mod=mod' } });
  if (r.status !== 0) throw new Error(`go mod download ${module}@${version}: ${r.stderr}${r.stdout}`);
  return JSON.parse(r.stdout).Dir;
}

/** An upstream manifest file of a module, with each `from` image prefix replaced; every one must occur. */
function upstreamManifest(module: string, version: string, file: string, swaps: Record<string, string>): string {
  let text = fs.readFileSync(path.join(moduleDir(module, version), file), 'utf8');
  for (const [from, to] of Object.entries(swaps)) {
    if (!text.includes(from)) throw new Error(`${module}@${version}/${file} names no ${from}`);
    text = text.split(from).join(to);
  }
  return text;
}

/** Builds what is missing and pushes every image to the registry; seconds spent. */
export function operatorImages(): number {
  const start = Date.now();
  for (const args of [[path.join(HERE, 'build-operators.sh')], [path.join(HERE, 'operator-images.sh'), REGISTRY]]) {
    const r = spawnSync('bash', args, { encoding: 'utf8', env: { ...process.env, CLUSTER_BUILD_JOBS: process.env.CLUSTER_BUILD_JOBS ?? '2' } });
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}:\n${r.stderr}${r.stdout}`);
  }
  return Math.round((Date.now() - start) / 1000);
}

async function rollout(namespace: string, kind: string, name: string, timeoutSeconds = 240): Promise<void> {
  await kubectl(['-n', namespace, 'rollout', 'status', `${kind}/${name}`, `--timeout=${timeoutSeconds}s`], { timeoutMs: (timeoutSeconds + 10) * 1000 });
}

/** CloudNativePG's release manifest (releases/cnpg-<version>.yaml, what the README applies). */
export async function installCloudNativePg(): Promise<void> {
  const v = CNPG_VERSION.replace(/^v/, '');
  const yaml = upstreamManifest('github.com/cloudnative-pg/cloudnative-pg', CNPG_VERSION, `releases/cnpg-${v}.yaml`, {
    [`ghcr.io/cloudnative-pg/cloudnative-pg:${v}`]: `${REGISTRY}/cloudnative-pg/cloudnative-pg:${v}`,
  });
  await kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], { input: yaml, timeoutMs: 180000 });
  await rollout('cnpg-system', 'deployment', 'cnpg-controller-manager');
}

/** prometheus-operator's bundle.yaml (CRDs, RBAC, the operator in namespace default). */
export async function installPrometheusOperator(): Promise<void> {
  const yaml = upstreamManifest('github.com/prometheus-operator/prometheus-operator', PROMETHEUS_OPERATOR_VERSION, 'bundle.yaml', {
    'quay.io/prometheus-operator/': `${REGISTRY}/prometheus-operator/`,
  });
  await kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], { input: yaml, timeoutMs: 180000 });
  await rollout('default', 'deployment', 'prometheus-operator');
}

/** Debian's Prometheus, packaged by operator-images.sh. */
export const PROMETHEUS_VERSION = (() => {
  const r = spawnSync('prometheus', ['--version'], { encoding: 'utf8' });
  const m = /version (\d+\.\d+\.\d+)/.exec(`${r.stdout}${r.stderr}`);
  if (!m) throw new Error('prometheus --version: no version (apt-get install prometheus)');
  return `v${m[1]}`;
})();

/**
 * A Prometheus configured as the README tells users: its PodMonitor and rule selectors match the
 * generated objects' labels, its namespace selectors include the environment's namespace, its pods
 * run in `monitoring` with the label the NetworkPolicies admit. RBAC from upstream's example.
 */
export async function installPrometheus(targetNamespace: string, objectLabels: Record<string, string>): Promise<void> {
  await applyYaml(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'monitoring' } }));
  const dir = path.join(moduleDir('github.com/prometheus-operator/prometheus-operator', PROMETHEUS_OPERATOR_VERSION), 'example/rbac/prometheus');
  for (const f of ['prometheus-service-account.yaml', 'prometheus-cluster-role.yaml', 'prometheus-cluster-role-binding.yaml']) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8').replace(/namespace: default/g, 'namespace: monitoring');
    await kubectl(['apply', '--server-side', '-n', 'monitoring', '-f', '-'], { input: text });
  }
  const byName = { matchLabels: { 'kubernetes.io/metadata.name': targetNamespace } };
  await applyYaml(JSON.stringify({
    apiVersion: 'monitoring.coreos.com/v1', kind: 'Prometheus',
    metadata: { name: 'prometheus', namespace: 'monitoring' },
    spec: {
      version: PROMETHEUS_VERSION,
      image: `${REGISTRY}/prometheus/prometheus:${PROMETHEUS_VERSION}`,
      replicas: 1,
      serviceAccountName: 'prometheus',
      // Rules evaluated often so pending alerts show within seconds; scrapes at the PodMonitors' interval.
      evaluationInterval: '5s',
      podMonitorSelector: { matchLabels: objectLabels },
      podMonitorNamespaceSelector: byName,
      ruleSelector: { matchLabels: objectLabels },
      ruleNamespaceSelector: byName,
      resources: { requests: { cpu: '50m', memory: '200Mi' } },
    },
  }));
  await kubectl(['-n', 'monitoring', 'wait', '--for=create', 'statefulset/prometheus-prometheus', '--timeout=120s'], { timeoutMs: 130000 });
  await rollout('monitoring', 'statefulset', 'prometheus-prometheus');
}

/** GET on Prometheus' HTTP API through the API server's pod proxy. */
export async function prometheusApi(pathAndQuery: string): Promise<any> {
  const r = await kubectl(['get', '--raw', `/api/v1/namespaces/monitoring/pods/prometheus-prometheus-0:9090/proxy${pathAndQuery}`]);
  const body = JSON.parse(r.stdout);
  if (body.status !== 'success') throw new Error(`prometheus ${pathAndQuery}: ${r.stdout}`);
  return body.data;
}

/**
 * versitygw serving S3 from a volume, in its own namespace (no NetworkPolicies there), at
 * http://versitygw.object-store.svc:7070, with the root keys the test created for the backups.
 * A PersistentVolumeClaim, so scaling it to 0 (the store unreachable) keeps the backups.
 */
export async function installObjectStore(accessKeyId: string, secretAccessKey: string): Promise<void> {
  const ns = 'object-store';
  await applyYaml(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }));
  await applyYaml(JSON.stringify({
    apiVersion: 'v1', kind: 'Secret', metadata: { name: 'versitygw-root', namespace: ns },
    stringData: { ROOT_ACCESS_KEY_ID: accessKeyId, ROOT_SECRET_ACCESS_KEY: secretAccessKey },
  }));
  const labels = { 'app.kubernetes.io/name': 'versitygw' };
  await applyYaml(JSON.stringify({
    apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'versitygw-data', namespace: ns },
    spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'local-rwo', resources: { requests: { storage: '10Gi' } } },
  }));
  await applyYaml(JSON.stringify({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'versitygw', namespace: ns, labels },
    spec: {
      replicas: 1, selector: { matchLabels: labels }, strategy: { type: 'Recreate' },
      template: {
        metadata: { labels },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 65534, fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'versitygw', image: `${REGISTRY}/versity/versitygw:${VERSITYGW_VERSION}`, imagePullPolicy: 'Always',
            args: ['--port', ':7070', 'posix', '/data'],
            envFrom: [{ secretRef: { name: 'versitygw-root' } }],
            ports: [{ name: 's3', containerPort: 7070 }],
            readinessProbe: { tcpSocket: { port: 7070 }, periodSeconds: 2 },
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true },
            resources: { requests: { cpu: '20m', memory: '64Mi' } },
          }],
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'versitygw-data' } }],
        },
      },
    },
  }));
  await applyYaml(JSON.stringify({
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'versitygw', namespace: ns },
    spec: { selector: labels, ports: [{ name: 's3', port: 7070, targetPort: 's3' }] },
  }));
  await rollout(ns, 'deployment', 'versitygw');
}

/**
 * Traefik's Kubernetes Ingress provider, installed as its documentation shows (RBAC of
 * docs/content/reference/routing-configuration/kubernetes/ingress.md, an IngressClass for its
 * controller name) with the pod labels of its Helm chart, which loadBalancer.controller defaults
 * to. `podLabels` overrides them (the wrong-labels case).
 */
export async function installTraefik(podLabels: Record<string, string> = { 'app.kubernetes.io/name': 'traefik' }): Promise<void> {
  const ns = 'traefik';
  const objects: object[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'traefik-ingress-controller', namespace: ns } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'traefik-ingress-controller' },
      rules: [
        // `nodes` is not in the documentation's RBAC, but v3.6.12's Ingress provider lists them and
        // routes nothing (404) until it can: observed on the test cluster.
        { apiGroups: [''], resources: ['services', 'secrets', 'nodes'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['extensions', 'networking.k8s.io'], resources: ['ingresses', 'ingressclasses'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['extensions', 'networking.k8s.io'], resources: ['ingresses/status'], verbs: ['update'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'traefik-ingress-controller' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'traefik-ingress-controller' },
      subjects: [{ kind: 'ServiceAccount', name: 'traefik-ingress-controller', namespace: ns }],
    },
    { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'traefik' }, spec: { controller: 'traefik.io/ingress-controller' } },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'traefik', namespace: ns },
      spec: {
        replicas: 1, selector: { matchLabels: { 'nck8s/traefik': 'true' } },
        template: {
          metadata: { labels: { 'nck8s/traefik': 'true', ...podLabels } },
          spec: {
            serviceAccountName: 'traefik-ingress-controller',
            securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [{
              name: 'traefik', image: `${REGISTRY}/traefik:${TRAEFIK_VERSION}`, imagePullPolicy: 'Always',
              args: ['--entryPoints.web.address=:8000', '--entryPoints.traefik.address=:8080', '--ping=true', '--metrics.prometheus=true',
                '--providers.kubernetesingress=true', '--accesslog=true', '--log.level=INFO'],
              ports: [{ name: 'web', containerPort: 8000 }, { name: 'traefik', containerPort: 8080 }],
              readinessProbe: { httpGet: { path: '/ping', port: 8080 }, periodSeconds: 2 },
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true },
              resources: { requests: { cpu: '20m', memory: '64Mi' } },
            }],
          },
        },
      },
    },
    {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'traefik', namespace: ns },
      spec: { selector: { 'nck8s/traefik': 'true' }, ports: [{ name: 'web', port: 80, targetPort: 'web' }] },
    },
  ];
  for (const o of objects) await applyYaml(JSON.stringify(o));
  await rollout(ns, 'deployment', 'traefik');
}
