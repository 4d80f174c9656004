/** Shared test fixtures: the shipped environments, a matrix of modes, and manifest lookups. */
import * as fs from 'fs';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { listEnvironmentFiles, loadEnvironment, validateEnvironment } from '../app/load';
import type { Environment, EnvironmentSpec } from '../app/environment';
import { synthesizeEnvironment, MANIFEST_SUFFIX } from '../app/synth';

export const ROOT = path.join(__dirname, '..');
export const ENV_DIR = path.join(ROOT, 'environments');

export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: any; data?: Record<string, string>; [k: string]: any };

/**
 * The example environment files this repository ships, by name: the only ones tests pin (snapshots,
 * exact expectations). Add a shipped example here; a user's own environments/*.yaml need no entry.
 */
export const EXAMPLES = ['cloudnativepg', 'external-redis', 'sidecar-redis'] as const;
export type ExampleName = (typeof EXAMPLES)[number];

/** One shipped example, loaded from environments/. */
export function exampleEnvironment(name: ExampleName): Environment {
  return loadEnvironment(path.join(ENV_DIR, `${name}.yaml`));
}

/**
 * Every environment file in environments/: the shipped examples and any a user added. Tests over
 * these are generic (policy, cross-references, schema validation), never snapshots.
 */
export function shippedEnvironments(): Environment[] {
  return listEnvironmentFiles(ENV_DIR).map(loadEnvironment);
}

/** Builds an environment from a partial document on top of a minimal valid one. */
export function environment(name: string, overrides: Record<string, any> = {}): Environment {
  const doc = { namespace: `nuxeo-${name}`, loadBalancer: { host: `${name}.example.com`, tlsSecret: `${name}-tls` }, ...overrides };
  const r = validateEnvironment(doc);
  if (!r.spec) throw new Error(`invalid test environment ${name}: ${r.problems.join('; ')}`);
  return { name, spec: r.spec };
}

/** The documentation: README.md (the entry page) and docs/*.md, by file name. */
function documentation(): [string, string][] {
  const docs = path.join(ROOT, 'docs');
  const pages = fs.existsSync(docs) ? fs.readdirSync(docs).filter((f) => f.endsWith('.md')).sort().map((f) => path.join('docs', f)) : [];
  return ['README.md', ...pages].map((f) => [f, fs.readFileSync(path.join(ROOT, f), 'utf8')]);
}

/** The fenced block that follows a marker comment in the documentation (README.md or docs/*.md), as text. */
export function readmeBlock(marker: string): string {
  const found = documentation().filter(([, text]) => text.includes(marker));
  if (found.length !== 1) throw new Error(`${found.length} documentation pages have "${marker}" (README.md, docs/*.md): one must`);
  const [file, text] = found[0];
  const block = /```[a-z]*\n([\s\S]*?)```/.exec(text.slice(text.indexOf(marker)));
  if (!block) throw new Error(`${file} has no code block after "${marker}"`);
  return block[1];
}

/** The smallest environment file the README shows, promising it deploys as-is and passes the policy test. */
export function readmeMinimalEnvironment(): Environment {
  const r = validateEnvironment(parse(readmeBlock('<!-- The policy, schema and cross-reference tests run on this file')));
  if (!r.spec) throw new Error(`README's minimal environment is invalid: ${r.problems.join('; ')}`);
  return { name: 'readme-minimal', spec: r.spec };
}

/** Every Redis mode x load-balancer provider, the README's minimal file, and every environment file: what policy tests sweep. */
export function environmentMatrix(): Environment[] {
  const providers = ['ingress-nginx', 'traefik', 'gateway-api', 'service'] as const;
  const matrix: Environment[] = [];
  for (const mode of ['sidecar', 'external'] as const) {
    for (const provider of providers) {
      matrix.push(environment(`${mode}-${provider}`, {
        redis: { mode },
        scheduling: { antiAffinity: provider === 'service' ? 'preferred' : 'required' },
        nuxeo: { replicas: mode === 'sidecar' ? 2 : 4, ...(provider === 'traefik' ? { binaries: { type: 's3', s3: { bucket: 'b-123', region: 'eu-west-1' } } } : {}) },
        // S3 adds a package installed at start, which needs the CLID.
        ...(provider === 'traefik' ? { secrets: { nuxeoClid: { name: 'nuxeo-instance' } } } : {}),
        loadBalancer: {
          provider,
          host: `${mode}.example.com`,
          tlsSecret: 'tls',
          ...(provider === 'gateway-api' ? { gateway: { name: 'gw', namespace: 'gateways' } } : {}),
        },
      }));
    }
  }
  return [...shippedEnvironments(), readmeMinimalEnvironment(), ...matrix];
}

/** Environments with the cloud options on, beside the matrix: pod identities, node-local DNS, narrowed egress, placement. */
export function cloudEnvironments(): Environment[] {
  return [
    environment('cloud-eks', {
      redis: { mode: 'external' },
      nuxeo: { replicas: 3, binaries: { type: 's3', s3: { bucket: 'b-123', region: 'eu-west-1' } }, packagesInImage: true, nodeSelector: { pool: 'nuxeo' }, tolerations: [{ key: 'dedicated', value: 'nuxeo', effect: 'NoSchedule' }] },
      database: { image: `postgres@sha256:${'a'.repeat(64)}`, serviceAccount: { name: 'postgresql', annotations: { 'example.com/owner': 'dba' } } },
      network: { podIdentity: 'eks-pod-identity', dns: { nodeLocalAddresses: ['169.254.20.10', '172.20.0.10'] }, internetEgress: { cidrs: ['52.216.0.0/15', '2600:1fa0::/32'] } },
      loadBalancer: { provider: 'service', host: 'eks.example.com', serviceAnnotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'external' } },
    }),
    environment('cloud-gke', {
      nuxeo: { packages: ['nuxeo-web-ui'], binaries: { type: 's3', s3: { bucket: 'b-123', region: 'eu-west-1' } } },
      secrets: { nuxeoClid: { name: 'nuxeo-clid' } },
      elasticsearch: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'cloud.google.com/gke-nodepool', operator: 'In', values: ['search'] }] }] } } } },
      network: { podIdentity: 'gke', dns: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } } },
      loadBalancer: { provider: 'gateway-api', host: 'gke.example.com', gateway: { name: 'gw', namespace: 'gateways' }, cookieMaxAgeSeconds: 172800 },
    }),
  ];
}

/** Synthesized output of an environment: file name -> parsed manifests. */
export function synthFiles(env: Environment): Map<string, Manifest[]> {
  const out = new Map<string, Manifest[]>();
  for (const [file, text] of synthesizeEnvironment(env)) {
    if (file.endsWith(MANIFEST_SUFFIX)) out.set(file, parseAllDocuments(text).map((d) => d.toJS()).filter(Boolean));
  }
  return out;
}

export function allManifests(env: Environment): Manifest[] {
  return [...synthFiles(env).values()].flat();
}

export function find(manifests: Manifest[], kind: string, name: string): Manifest {
  const m = manifests.find((x) => x.kind === kind && x.metadata.name === name);
  if (!m) throw new Error(`no ${kind}/${name} among ${manifests.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return m;
}

export const WORKLOAD_KINDS = ['StatefulSet', 'Deployment', 'DaemonSet'];

export function workloads(manifests: Manifest[]): Manifest[] {
  return manifests.filter((m) => WORKLOAD_KINDS.includes(m.kind));
}

/**
 * Workloads and CronJobs, each CronJob shaped like a workload (`spec.template` = its job's pod
 * template): every pod the manifests can start, for the checks all pods must pass.
 */
export function podTemplates(manifests: Manifest[]): Manifest[] {
  const jobs = manifests.filter((m) => m.kind === 'CronJob').map((c) => ({ ...c, spec: { template: c.spec.jobTemplate.spec.template } }));
  return [...workloads(manifests), ...jobs];
}

/** Labels CloudNativePG puts on every instance pod of a Cluster (docs/src/labels_annotations.md, v1.30). */
export function cloudnativepgPodLabels(cluster: string): Record<string, string> {
  return {
    'app.kubernetes.io/component': 'database',
    'app.kubernetes.io/instance': cluster,
    'app.kubernetes.io/managed-by': 'cloudnative-pg',
    'app.kubernetes.io/name': 'postgresql',
    'cnpg.io/cluster': cluster,
  };
}

/**
 * Pods an operator creates from our custom resources (CloudNativePG instances), with the labels
 * they will carry: the operator's own, overridden by the Cluster's inheritedMetadata labels.
 */
export function operatorPods(manifests: Manifest[]): { id: string; labels: Record<string, string> }[] {
  return manifests
    .filter((m) => m.apiVersion === 'postgresql.cnpg.io/v1' && m.kind === 'Cluster')
    .map((c) => ({ id: `Cluster/${c.metadata.name}`, labels: { ...cloudnativepgPodLabels(c.metadata.name), ...c.spec.inheritedMetadata?.labels } }));
}

export function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

export function allContainers(podSpec: any): any[] {
  return [...(podSpec.initContainers ?? []), ...podSpec.containers];
}

export type { EnvironmentSpec };
