/**
 * Traefik's Kubernetes Ingress provider on the test cluster, installed as its documentation of the
 * built release shows: the RBAC of docs/content/reference/routing-configuration/kubernetes/ingress.md
 * plus the `nodes` rule of docs/content/migrate/v3.md (read in the Go module cache at test time), an
 * IngressClass for its controller name, and a Deployment of the image operator-images.sh packages.
 * Each instance watches one namespace only, so other tests' Ingresses never reach it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { applyYaml, deleteNamespace, kubectl, REGISTRY } from './kube';
import { moduleDir, moduleVersion, rollout } from './upstream';

const MODULE = 'github.com/traefik/traefik/v3';
export const TRAEFIK_VERSION = moduleVersion('traefik', MODULE);
/** Its Ingress provider's controller name (pkg/provider/kubernetes/ingress/kubernetes.go). */
const CONTROLLER = 'traefik.io/ingress-controller';

/** Where and how the controller runs; cluster-scoped objects are named after `namespace` and `className`. */
export interface TraefikSetup {
  /** Namespace of the controller pods (loadBalancer.controller.namespace). */
  readonly namespace: string;
  /** The IngressClass to create (loadBalancer.className). */
  readonly className: string;
  /** The only namespace whose Ingresses it routes. */
  readonly watch: string;
}

/**
 * The YAML code block of a Markdown file of the module that follows the first line containing
 * `marker`, de-indented (the documentation nests its examples in tabs).
 */
function docBlock(file: string, marker: string): string {
  const lines = fs.readFileSync(path.join(moduleDir(MODULE, TRAEFIK_VERSION), file), 'utf8').split('\n');
  const at = lines.findIndex((l) => l.includes(marker));
  const open = lines.findIndex((l, i) => i >= at && /^\s*```yaml/.test(l));
  if (at < 0 || open < 0) throw new Error(`${file} has no YAML block after "${marker}"`);
  const close = lines.findIndex((l, i) => i > open && /^\s*```\s*$/.test(l));
  const indent = /^\s*/.exec(lines[open])![0].length;
  return lines.slice(open + 1, close).map((l) => l.slice(indent)).join('\n');
}

/**
 * The documented ClusterRole and its binding, renamed after the setup. The Ingress page's RBAC
 * lacks `nodes`, which v3's provider lists unless disableClusterScopeResources is set
 * (pkg/provider/kubernetes/ingress/client.go: a cluster-scope Nodes informer whose cache sync it
 * waits for before producing any configuration): without it every request is a 404.
 * docs/content/migrate/v3.md gives that rule; it is appended.
 */
function rbac(s: TraefikSetup): object[] {
  const docs = parseAllDocuments(docBlock('docs/content/reference/routing-configuration/kubernetes/ingress.md', 'tab="RBAC"')).map((d) => d.toJS()).filter(Boolean);
  const nodes = parseAllDocuments(docBlock('docs/content/migrate/v3.md', 'Add nodes permissions')).map((d) => d.toJS())[0];
  const role = docs.find((d) => d.kind === 'ClusterRole');
  const binding = docs.find((d) => d.kind === 'ClusterRoleBinding');
  if (!role || !binding || !Array.isArray(nodes)) throw new Error('Traefik RBAC documentation: ClusterRole, ClusterRoleBinding or nodes rule not found');
  role.metadata.name = s.namespace;
  role.rules.push(...nodes);
  binding.metadata.name = s.namespace;
  binding.roleRef.name = s.namespace;
  binding.subjects = [{ kind: 'ServiceAccount', name: 'traefik', namespace: s.namespace }];
  return [role, binding];
}

/** Namespace, service account, RBAC and IngressClass (the IngressClass must exist before the Ingress is routed). */
export async function installTraefikBase(s: TraefikSetup): Promise<void> {
  const objects: object[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: s.namespace } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'traefik', namespace: s.namespace } },
    ...rbac(s),
    { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: s.className }, spec: { controller: CONTROLLER } },
  ];
  for (const o of objects) await applyYaml(JSON.stringify(o));
}

/**
 * One Traefik Deployment `name` (one pod) with `podLabels` and its Service `name` (port 80 to the
 * `web` entry point), Ready. A 3 s dial timeout instead of 30 s: were a NetworkPolicy enforcer to
 * drop connections rather than refuse them, a request would still end (504) within the test's.
 */
export async function installTraefik(s: TraefikSetup, name: string, podLabels: Record<string, string>): Promise<void> {
  const own = { 'nck8s/traefik': name };
  const deployment = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: s.namespace },
    spec: {
      replicas: 1, selector: { matchLabels: own },
      template: {
        metadata: { labels: { ...own, ...podLabels } },
        spec: {
          serviceAccountName: 'traefik',
          securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'traefik', image: `${REGISTRY}/traefik:${TRAEFIK_VERSION}`, imagePullPolicy: 'Always',
            args: ['--entryPoints.web.address=:8000', '--entryPoints.traefik.address=:8080', '--ping=true',
              '--providers.kubernetesingress=true', `--providers.kubernetesingress.namespaces=${s.watch}`,
              '--serversTransport.forwardingTimeouts.dialTimeout=3s', '--accesslog=true', '--log.level=INFO'],
            ports: [{ name: 'web', containerPort: 8000 }, { name: 'traefik', containerPort: 8080 }],
            readinessProbe: { httpGet: { path: '/ping', port: 8080 }, periodSeconds: 2 },
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true },
            resources: { requests: { cpu: '20m', memory: '64Mi' } },
          }],
        },
      },
    },
  };
  const service = { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: s.namespace }, spec: { selector: own, ports: [{ name: 'web', port: 80, targetPort: 'web' }] } };
  for (const o of [deployment, service]) await applyYaml(JSON.stringify(o));
  await rollout(s.namespace, 'deployment', name);
}

/** Deletes the namespace and the cluster-scoped objects of the setup (none need exist). */
export async function uninstallTraefik(s: TraefikSetup): Promise<void> {
  await kubectl(['delete', 'clusterrolebinding,clusterrole', s.namespace, '--ignore-not-found']);
  await kubectl(['delete', 'ingressclass', s.className, '--ignore-not-found']);
  await deleteNamespace(s.namespace, 120000);
}
