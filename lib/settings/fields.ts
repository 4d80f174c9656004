/**
 * What every tier's settings schema is made of: images, quantities, resources, volumes, node
 * counts, the pod settings (identity, placement, labels) every tier has, managed endpoints, and
 * `rule`, the refinement across fields that reports every problem of a file in one run. Each tier's
 * section is in its own folder (lib/<tier>/settings.ts); app/environment.ts assembles the file's.
 */
import { z } from 'zod';
import { bytes, CPU_PATTERN, MEMORY_PATTERN } from './quantity';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const IMAGE = /^[a-z0-9.\-_/:]+:[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
/** `name@sha256:<64 hex>`, optionally with a tag before the digest (the digest wins). */
const IMAGE_BY_DIGEST = /^[a-z0-9.\-_/:]+(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?@sha256:[a-f0-9]{64}$/;

/** Either form, as one pattern so the JSON Schema checks it in editors too. */
const IMAGE_REF = new RegExp(`${IMAGE.source}|${IMAGE_BY_DIGEST.source}`);

/** True for an image pinned by digest: immutable, so never worth re-pulling. */
export function isDigestImage(image: string): boolean {
  return IMAGE_BY_DIGEST.test(image);
}

export const dnsLabel = (what: string) =>
  z.string().max(63).regex(DNS_LABEL, { message: `${what} must be a DNS label: lower-case letters, digits and '-'` });

/** An image reference pinned to a version tag or a digest; `latest` alone is refused. */
export const image = (example: string) =>
  z
    .string()
    .regex(IMAGE_REF, { message: `must be an image with a version tag or a digest, e.g. ${example} or name@sha256:<64 hex digits>` })
    .refine((s) => !s.endsWith(':latest'), { message: `must be pinned to a version tag or a digest, not 'latest' (e.g. ${example})` })
    .default(example)
    .describe('container image, pinned to a version tag or a digest; a change rolls the pods');

export const memory = z.string().regex(MEMORY_PATTERN, { message: "must be a memory quantity such as '512Mi' or '2Gi'" });
export const cpu = z.string().regex(CPU_PATTERN, { message: "must be a CPU quantity such as '250m' or '2'" });

const resourceSet = (d: { cpu: string; memory: string; ephemeralStorage: string }) =>
  z
    .strictObject({
      cpu: cpu.default(d.cpu).describe("CPU, in cores ('2') or millicores ('500m')"),
      memory: memory.default(d.memory).describe("memory, in bytes ('512Mi', '2Gi')"),
      ephemeralStorage: memory.default(d.ephemeralStorage).describe("node-local disk for logs, temporary files and emptyDirs, in bytes ('1Gi')"),
    })
    .prefault({});

/** Requests and limits of one container; each value defaults separately. */
export const resources = (requests: { cpu: string; memory: string; ephemeralStorage: string }, limits: typeof requests) =>
  z
    .strictObject({
      requests: resourceSet(requests).describe('what the scheduler reserves on a node for the container (it is placed only where this fits)'),
      limits: resourceSet(limits).describe('the most the container may use: CPU above it is throttled, memory above it restarts the container (OOMKilled), disk above it evicts the pod'),
    })
    .prefault({})
    .describe('CPU, memory and ephemeral storage of the container, requested and limited')
    .refine(...requestWithinLimit('memory'))
    .refine(...requestWithinLimit('ephemeralStorage'));

function requestWithinLimit(kind: 'memory' | 'ephemeralStorage') {
  type Sizes = Record<typeof kind, string>;
  return rule<{ requests: Sizes; limits: Sizes }>(
    ['requests', 'limits'],
    ['requests', kind],
    (r) => bytes(r.requests[kind]) <= bytes(r.limits[kind]),
    (r) => `request ${r.requests[kind]} is above the limit ${r.limits[kind]}`,
  );
}

/** A PersistentVolumeClaim: size and storage class. */
export const volume = (size: string) =>
  z
    .strictObject({
      size: memory.default(size).describe("capacity of the volume, in bytes ('10Gi'); growing it later needs a StorageClass that allows expansion"),
      storageClass: z.string().optional().describe('StorageClass name; omitted = the cluster default'),
    })
    .prefault({});

/** A node count with the seed's minimum, and why it is the minimum. */
export const nodeCount = (min: number, why: string, byDefault: number) =>
  z.number().int().min(min, { message: `must be at least ${min}: ${why}` }).default(byDefault).describe(`number of pods, at least ${min}: ${why}`);

/**
 * A rule across fields of one object. zod skips refinements while any field of the object is
 * invalid; this one runs whenever the fields it reads are valid, so one run reports every
 * problem of a file. A field it reads may be a dotted path ('nuxeo.packages').
 */
export function rule<T>(reads: string[], path: PropertyKey[], holds: (value: T) => boolean, problem: (value: T) => string) {
  return [
    holds,
    {
      path,
      error: (issue: z.core.$ZodRawIssue) => problem(issue.input as T),
      when: (payload: z.core.ParsePayload) =>
        typeof payload.value === 'object' && payload.value !== null &&
        payload.issues.every((i) => (i.path?.length ?? 0) > 0 && !reads.some((r) => r.split('.').every((part, n) => String(i.path![n]) === part))),
    },
  ] as const;
}

/** A size (heap, maxmemory) that must leave headroom in its container's memory limit. */
export function fitsLimit(field: string, fraction: number, why: string) {
  type Sized = Record<string, unknown> & { resources: { limits: { memory: string } } };
  return rule<Sized>(
    [field, 'resources'],
    [field],
    (v) => v[field] === undefined || bytes(v[field] as string) <= bytes(v.resources.limits.memory) * fraction,
    (v) => `${v[field]} does not fit in the memory limit ${v.resources.limits.memory}: keep it at most ${fraction * 100}% of it (${why})`,
  );
}

/** Default Secret keys, shared by the file's `secrets` section and the constructs' Props. */
export const SECRET_DEFAULTS = {
  redisPassword: { name: 'nuxeo-redis', key: 'password' },
  databasePassword: { name: 'nuxeo-database', key: 'nuxeo-password' },
  databaseSuperuserPassword: { name: 'nuxeo-database', key: 'superuser-password' },
  databaseReplicationPassword: { name: 'nuxeo-database', key: 'replication-password' },
  elasticsearchPassword: { name: 'nuxeo-elasticsearch', key: 'password' },
  jwtSecret: { name: 'nuxeo-jwt', key: 'secret' },
} as const;

/** Label keys (optionally prefixed) and values as the API server accepts them. */
const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
export const labelKey = z.string().max(316).regex(QUALIFIED_NAME, { message: "must be a label key such as 'example.com/pool' (prefix optional)" });
export const labelMap = z.record(labelKey, z.string().regex(LABEL_VALUE, { message: 'must be a label value: at most 63 letters, digits, -, _ or ., starting and ending alphanumeric' }));
/** Keys this tool sets itself: a pod label or annotation must not override them. */
const OWN_KEYS = /^(app\.kubernetes\.io\/|nuxeo-compact-k8s\/)/;
const notOurs = (m: Record<string, string>) => Object.keys(m).every((k) => !OWN_KEYS.test(k));
const ownKeysMessage = (what: string) => `must not set app.kubernetes.io/* or nuxeo-compact-k8s/* ${what}: the selectors and checksums use them`;

/** Kubernetes NodeAffinity and PodAffinity, typed so a mistake is named here, not by the API server. */
const nodeSelectorTerm = z.strictObject({
  matchExpressions: z
    .array(z.strictObject({ key: labelKey, operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt']), values: z.array(z.string()).optional() }))
    .optional(),
  matchFields: z.array(z.strictObject({ key: z.string().min(1), operator: z.enum(['In', 'NotIn']), values: z.array(z.string()).min(1) })).optional(),
});
const labelSelector = z.strictObject({
  matchLabels: labelMap.optional(),
  matchExpressions: z.array(z.strictObject({ key: labelKey, operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']), values: z.array(z.string()).optional() })).optional(),
});
const podAffinityTerm = z.strictObject({
  labelSelector: labelSelector.optional(),
  namespaces: z.array(dnsLabel('namespace')).optional(),
  namespaceSelector: labelSelector.optional(),
  topologyKey: labelKey,
});
const weight = z.number().int().min(1).max(100);
const nodeAffinity = z.strictObject({
  requiredDuringSchedulingIgnoredDuringExecution: z.strictObject({ nodeSelectorTerms: z.array(nodeSelectorTerm).min(1) }).optional(),
  preferredDuringSchedulingIgnoredDuringExecution: z.array(z.strictObject({ weight, preference: nodeSelectorTerm })).optional(),
});
const podAffinity = z.strictObject({
  requiredDuringSchedulingIgnoredDuringExecution: z.array(podAffinityTerm).optional(),
  preferredDuringSchedulingIgnoredDuringExecution: z.array(z.strictObject({ weight, podAffinityTerm })).optional(),
});

/**
 * Where a tier's pods run and under which identity: a ServiceAccount of its own (no API token
 * mounted) that can carry cloud identity annotations (IRSA, GKE, Azure), node placement, and
 * extra pod labels and annotations (e.g. `azure.workload.identity/use: "true"`).
 */
export const podSettings = () => ({
  serviceAccount: z
    .strictObject({
      create: z.boolean().default(true).describe('emit the ServiceAccount; false = use an existing one, named by `name`'),
      name: dnsLabel('service account name').optional().describe('default: the workload name (one account per workload)'),
      annotations: z.record(labelKey, z.string()).default({}).describe('e.g. eks.amazonaws.com/role-arn, iam.gke.io/gcp-service-account, azure.workload.identity/client-id'),
    })
    .prefault({})
    .refine(...rule<{ create: boolean; name?: string }>(['create', 'name'], ['name'], (a) => a.create || a.name !== undefined, () => 'is required when create is false: the existing ServiceAccount the pods run under'))
    .describe('the ServiceAccount the pods run under (it mounts no API token); cloud identity annotations go here'),
  nodeSelector: labelMap.default({}).describe('node labels the pods require (a dedicated node pool)'),
  tolerations: z
    .array(
      z.strictObject({
        key: labelKey.optional().describe('taint key tolerated; omitted with Exists = every taint'),
        operator: z.enum(['Equal', 'Exists']).default('Equal').describe('Equal: the taint value must be `value`; Exists: any value'),
        value: z.string().regex(LABEL_VALUE).optional().describe('taint value tolerated (with Equal)'),
        effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional().describe('taint effect tolerated; omitted = every effect'),
        tolerationSeconds: z.number().int().min(0).optional().describe('with NoExecute: seconds the pod stays on a node after the taint appears; omitted = for ever'),
      }),
    )
    .default([])
    .describe('taints the pods tolerate (dedicated nodes)'),
  affinity: z
    .strictObject({
      nodeAffinity: nodeAffinity.optional().describe('a Kubernetes NodeAffinity (node pools, instance types), added as written'),
      podAffinity: podAffinity.optional().describe('a Kubernetes PodAffinity, added as written'),
    })
    .prefault({})
    .describe('extra affinity; the anti-affinity between the pods of a workload stays'),
  podLabels: labelMap.refine(notOurs, { message: ownKeysMessage('labels') }).default({}).describe('extra labels on the pods (e.g. for cloud identity webhooks); never selectors, which stay ours'),
  podAnnotations: z.record(labelKey, z.string()).refine(notOurs, { message: ownKeysMessage('annotations') }).default({}).describe('extra annotations on the pods; a change rolls them'),
});

/** Address blocks, IPv4 or IPv6. */
const CIDR = /^(([0-9]{1,3}\.){3}[0-9]{1,3}\/([0-9]|[12][0-9]|3[0-2])|[0-9a-fA-F:]*:[0-9a-fA-F:]*\/([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8]))$/;
export const cidr = z.string().regex(CIDR, { message: "must be an address block such as '203.0.113.0/24' or '2001:db8::/32'" });

/**
 * A managed service (Amazon RDS / Cloud SQL, Elastic Cloud / OpenSearch, ElastiCache /
 * Memorystore) in place of an in-cluster tier: where it is, and where Nuxeo's egress may go.
 */
const HOST = /^(([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}|([0-9]{1,3}\.){3}[0-9]{1,3})$/;
const managedHost = z.string().regex(HOST, { message: 'must be a host name such as db.example.eu-west-1.rds.amazonaws.com, or an IPv4 address' });
export const managedCidrs = z
  .array(cidr)
  .default([])
  .describe("the service's address blocks (subnet or VPC range) for Nuxeo's egress; empty: any address, on the service's port only");
const port = (byDefault: number) => z.number().int().min(1).max(65535).default(byDefault);
export const managedEndpoint = (what: string, defaultPort: number) =>
  z
    .strictObject({
      host: managedHost.describe(`host name or IPv4 address Nuxeo connects to for the managed ${what.split(' (')[0]}`),
      port: port(defaultPort).describe(`TCP port of the managed service (default ${defaultPort}); Nuxeo's egress opens on this port only`),
      tls: z.boolean().default(true).describe('connect with TLS (managed services offer it; in-transit encryption)'),
      cidrs: managedCidrs,
    })
    .optional()
    .describe(`a managed ${what} instead of the in-cluster tier: nothing of this tier is generated`);

export const controllerPeer = z.strictObject({
  namespace: dnsLabel('namespace').describe('namespace of those pods'),
  podLabels: z.record(z.string(), z.string()).describe('labels that select those pods in that namespace, for the NetworkPolicy peer'),
});

/** A PersistentVolumeClaim's settings, defaults applied. */
export type VolumeSpec = z.output<ReturnType<typeof volume>>;
type PodSettingsShape = ReturnType<typeof podSettings>;
/** Identity, placement, pod labels and annotations: the same fields on every tier, defaults applied. */
export type ResolvedPodSettings = { [K in keyof PodSettingsShape]: z.output<PodSettingsShape[K]> };
