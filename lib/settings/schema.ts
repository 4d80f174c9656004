/**
 * The environment-file schema: the one source of truth for field names, types, limits and
 * defaults. The loader validates with it, `npm run schema` turns it into the JSON Schema that
 * editors use, and constructs receive the parsed, already-valid `Environment` type.
 */
import { z } from 'zod';
import { bytes, CPU_PATTERN, MEMORY_PATTERN } from './quantity';

/** Seed minimums ("at least") and the Sentinel majority rule. */
export const MIN_NUXEO_NODES = 2;
export const MIN_ELASTICSEARCH_NODES = 3;
export const MIN_DATABASE_INSTANCES = 2;
export const MIN_SENTINEL_REDIS_NODES = 3;

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

const dnsLabel = (what: string) =>
  z.string().max(63).regex(DNS_LABEL, { message: `${what} must be a DNS label: lower-case letters, digits and '-'` });

/** An image reference pinned to a version tag or a digest; `latest` alone is refused. */
const image = (example: string) =>
  z
    .string()
    .regex(IMAGE_REF, { message: `must be an image with a version tag or a digest, e.g. ${example} or name@sha256:<64 hex digits>` })
    .refine((s) => !s.endsWith(':latest'), { message: `must be pinned to a version tag or a digest, not 'latest' (e.g. ${example})` })
    .default(example)
    .describe('container image, pinned to a version tag or a digest; a change rolls the pods');

const memory = z.string().regex(MEMORY_PATTERN, { message: "must be a memory quantity such as '512Mi' or '2Gi'" });
const cpu = z.string().regex(CPU_PATTERN, { message: "must be a CPU quantity such as '250m' or '2'" });

const resourceSet = (d: { cpu: string; memory: string; ephemeralStorage: string }) =>
  z
    .strictObject({
      cpu: cpu.default(d.cpu).describe("CPU, in cores ('2') or millicores ('500m')"),
      memory: memory.default(d.memory).describe("memory, in bytes ('512Mi', '2Gi')"),
      ephemeralStorage: memory.default(d.ephemeralStorage).describe("node-local disk for logs, temporary files and emptyDirs, in bytes ('1Gi')"),
    })
    .prefault({});

/** Requests and limits of one container; each value defaults separately. */
const resources = (requests: { cpu: string; memory: string; ephemeralStorage: string }, limits: typeof requests) =>
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
const volume = (size: string) =>
  z
    .strictObject({
      size: memory.default(size).describe("capacity of the volume, in bytes ('10Gi'); growing it later needs a StorageClass that allows expansion"),
      storageClass: z.string().optional().describe('StorageClass name; omitted = the cluster default'),
    })
    .prefault({});

/** A node count with the seed's minimum, and why it is the minimum. */
const nodeCount = (min: number, why: string, byDefault: number) =>
  z.number().int().min(min, { message: `must be at least ${min}: ${why}` }).default(byDefault).describe(`number of pods, at least ${min}: ${why}`);

/**
 * A rule across fields of one object. zod skips refinements while any field of the object is
 * invalid; this one runs whenever the fields it reads are valid, so one run reports every
 * problem of a file. A field it reads may be a dotted path ('nuxeo.packages').
 */
function rule<T>(reads: string[], path: PropertyKey[], holds: (value: T) => boolean, problem: (value: T) => string) {
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
function fitsLimit(field: string, fraction: number, why: string) {
  type Sized = Record<string, unknown> & { resources: { limits: { memory: string } } };
  return rule<Sized>(
    [field, 'resources'],
    [field],
    (v) => v[field] === undefined || bytes(v[field] as string) <= bytes(v.resources.limits.memory) * fraction,
    (v) => `${v[field]} does not fit in the memory limit ${v.resources.limits.memory}: keep it at most ${fraction * 100}% of it (${why})`,
  );
}

/** A key of an existing Secret; the value is never written into the manifests. */
const secretRef = (d: { name: string; key: string }) =>
  z
    .strictObject({
      name: dnsLabel('secret name').default(d.name).describe('an existing Secret in the namespace: never generated (synth prints the kubectl command creating it)'),
      key: z.string().min(1).default(d.key).describe('key of the value in that Secret'),
    })
    .prefault({});

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
const labelKey = z.string().max(316).regex(QUALIFIED_NAME, { message: "must be a label key such as 'example.com/pool' (prefix optional)" });
const labelMap = z.record(labelKey, z.string().regex(LABEL_VALUE, { message: 'must be a label value: at most 63 letters, digits, -, _ or ., starting and ending alphanumeric' }));
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
const podSettings = () => ({
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

/** A key of an existing Secret, no default. */
const secretKey = z.strictObject({
  name: dnsLabel('secret name').describe('the Secret holding the value (in the environment\'s namespace)'),
  key: z.string().min(1).describe('key of the value in that Secret'),
});

/** nuxeo.conf keys: what java.util.Properties reads as one key without escapes. */
const PROPERTY_KEY = /^[A-Za-z0-9_.-]+$/;
/** A value on one nuxeo.conf line: no newline or other control character. */
const ONE_LINE = /^[^\u0000-\u001f\u007f]*$/;
/** Keys that name a secret: their values belong in a Secret, never in the ConfigMap. */
const SECRET_KEY_PATTERN = /(password|passwd|secret|token|credential|apikey|api[._-]key|private[._-]?key|(^|[._-])key$)/i;

/** True for a nuxeo.conf key that looks like it holds a secret. */
export function looksSecret(key: string): boolean {
  return SECRET_KEY_PATTERN.test(key);
}

/** The environment variable that carries a secret property into the Nuxeo container. */
export function secretVariable(property: string): string {
  return 'NUXEO_SECRET_' + property.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** Properties the generator sets from the secrets section (see lib/nuxeo/nuxeo-start.ts). */
export const GENERATED_SECRET_PROPERTIES = ['nuxeo.db.password', 'nuxeo.redis.password', 'nuxeo.jwt.secret'];

/** Address blocks, IPv4 or IPv6. */
const CIDR = /^(([0-9]{1,3}\.){3}[0-9]{1,3}\/([0-9]|[12][0-9]|3[0-2])|[0-9a-fA-F:]*:[0-9a-fA-F:]*\/([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8]))$/;
const cidr = z.string().regex(CIDR, { message: "must be an address block such as '203.0.113.0/24' or '2001:db8::/32'" });

/**
 * A managed service (Amazon RDS / Cloud SQL, Elastic Cloud / OpenSearch, ElastiCache /
 * Memorystore) in place of an in-cluster tier: where it is, and where Nuxeo's egress may go.
 */
const HOST = /^(([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}|([0-9]{1,3}\.){3}[0-9]{1,3})$/;
const managedHost = z.string().regex(HOST, { message: 'must be a host name such as db.example.eu-west-1.rds.amazonaws.com, or an IPv4 address' });
const managedCidrs = z
  .array(cidr)
  .default([])
  .describe("the service's address blocks (subnet or VPC range) for Nuxeo's egress; empty: any address, on the service's port only");
const port = (byDefault: number) => z.number().int().min(1).max(65535).default(byDefault);
const managedEndpoint = (what: string, defaultPort: number) =>
  z
    .strictObject({
      host: managedHost.describe(`host name or IPv4 address Nuxeo connects to for the managed ${what.split(' (')[0]}`),
      port: port(defaultPort).describe(`TCP port of the managed service (default ${defaultPort}); Nuxeo's egress opens on this port only`),
      tls: z.boolean().default(true).describe('connect with TLS (managed services offer it; in-transit encryption)'),
      cidrs: managedCidrs,
    })
    .optional()
    .describe(`a managed ${what} instead of the in-cluster tier: nothing of this tier is generated`);
const URL_PATTERN = /^https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?\/?$/;

const DEFAULT_IMAGES = {
  nuxeo: 'docker-private.packages.nuxeo.com/nuxeo/nuxeo:2021.36',
  proxy: 'nginxinc/nginx-unprivileged:1.28.0-alpine',
  // Chosen against Nuxeo's LTS 2021 matrix and upstream support: README "Versions", app/versions.ts.
  redis: 'redis:7.4.6',
  elasticsearch: 'docker.elastic.co/elasticsearch/elasticsearch:7.17.29',
  postgres: 'postgres:15.14',
};

const nuxeo = z
  .strictObject({
    image: image(DEFAULT_IMAGES.nuxeo),
    replicas: nodeCount(MIN_NUXEO_NODES, "the seed's application cluster has two or more nodes", 2),
    resources: resources({ cpu: '1', memory: '4Gi', ephemeralStorage: '2Gi' }, { cpu: '2', memory: '4Gi', ephemeralStorage: '6Gi' }),
    heap: memory.optional().describe("JVM heap (-Xms/-Xmx), in bytes ('2Gi'); at most 80% of the memory limit (metaspace, threads and off-heap buffers need the rest); default half of the memory limit"),
    data: volume('20Gi').describe('per-node volume for /var/lib/nuxeo, which holds the Chronicle Queue stream directory'),
    binaries: z
      .strictObject({
        type: z.enum(['volume', 's3']).default('volume').describe("where Nuxeo keeps its binaries (file contents): volume = one ReadWriteMany PVC shared by every pod, mounted at /var/lib/nuxeo-binaries; s3 = an S3 bucket (needs s3, and the amazon-s3-online-storage package)"),
        size: memory.default('100Gi').describe("capacity of the shared binaries volume, in bytes ('100Gi'); it also holds Nuxeo's transient store (uploads, async downloads); type volume only"),
        storageClass: z.string().optional().describe('a ReadWriteMany StorageClass (NFS, CephFS, EFS ...)'),
        s3: z
          .strictObject({
            bucket: z.string().min(3).describe('S3 bucket of the binary store (nuxeo.s3storage.bucket)'),
            region: z.string().min(1).describe("the bucket's AWS region, e.g. eu-west-1 (nuxeo.s3storage.region)"),
            prefix: z.string().default('').describe("key prefix of the binaries inside the bucket (nuxeo.s3storage.bucket_prefix), e.g. 'nuxeo/'; empty = the bucket's root"),
            credentialsSecret: z
              .strictObject({
                name: dnsLabel('secret name').describe('the Secret holding the static S3 keys'),
                accessKeyIdKey: z.string().default('access-key-id').describe('key of the access key id in that Secret, given to Nuxeo as AWS_ACCESS_KEY_ID'),
                secretAccessKeyKey: z.string().default('secret-access-key').describe('key of the secret access key in that Secret, given to Nuxeo as AWS_SECRET_ACCESS_KEY'),
              })
              .optional()
              .describe('omit to use the pod identity (IRSA, workload identity)'),
          })
          .optional()
          .describe("the S3 binary store; required when type is 's3', unused otherwise"),
      })
      .prefault({})
      .describe("Nuxeo's shared binary store (file contents), the same for every pod: a ReadWriteMany volume or S3")
      .refine(...rule<{ type: string; s3?: unknown }>(['type', 's3'], ['s3'], (b) => b.type !== 's3' || b.s3 !== undefined, () => "is required when type is 's3' (bucket and region)")),
    databasePoolSize: z
      .number()
      .int()
      .min(5)
      .default(40)
      .describe('nuxeo.db.max-pool-size of each node (nuxeo.vcs.max-pool-size is 2 less); all nodes together must fit database.maxConnections'),
    streamRetention: z
      .string()
      .regex(/^[0-9]+[hd]$/, { message: "must be a duration in hours or days such as '12h' or '4d'" })
      .default('4d')
      .describe("how long each node keeps its stream records (Chronicle Queue files under /var/lib/nuxeo/stream, on nuxeo.data) before they are purged, in hours or days ('12h', '4d'): nuxeo.stream.chronicle.retention.duration; longer needs more of nuxeo.data"),
    packages: z.array(z.string().min(1)).default([]).describe('Nuxeo packages: installed at every pod start (NUXEO_PACKAGES, needs secrets.nuxeoClid), or already in the image with packagesInImage'),
    packagesInImage: z
      .boolean()
      .default(false)
      .describe('true: nuxeo.image already holds the packages (and amazon-s3-online-storage for S3), built with docker/Dockerfile; nothing is installed at start'),
    properties: z
      .record(
        z.string().regex(PROPERTY_KEY, { message: 'must be a nuxeo.conf key: letters, digits, \'.\', \'_\' and \'-\'' }),
        z.string().regex(ONE_LINE, { message: 'must be one line without control characters: a newline would add nuxeo.conf lines of its own' }),
      )
      .default({})
      .superRefine((props, ctx) => {
        for (const key of Object.keys(props).filter(looksSecret)) {
          ctx.addIssue({ code: 'custom', path: [key], message: 'looks like a secret, and nuxeo.properties is written into a ConfigMap: move it to nuxeo.secretProperties ({name, key} of a Secret)' });
        }
      })
      .describe('extra nuxeo.conf properties, written last (never secrets: see secretProperties)'),
    secretProperties: z
      .record(z.string().regex(PROPERTY_KEY, { message: 'must be a nuxeo.conf key: letters, digits, \'.\', \'_\' and \'-\'' }), secretKey)
      .default({})
      .superRefine((props, ctx) => {
        for (const key of Object.keys(props).filter((k) => GENERATED_SECRET_PROPERTIES.includes(k))) {
          ctx.addIssue({ code: 'custom', path: [key], message: 'is already set from the secrets section: set that one instead' });
        }
        const seen = new Map<string, string>();
        for (const key of Object.keys(props).sort()) {
          const other = seen.get(secretVariable(key));
          if (other) ctx.addIssue({ code: 'custom', path: [key], message: `would share the environment variable ${secretVariable(key)} with ${other}: write one of them in nuxeo.properties' key form` });
          seen.set(secretVariable(key), key);
        }
      })
      .describe('nuxeo.conf properties whose values come from Secrets (SMTP, LDAP, OIDC ...): property -> {name, key}; written at start, never in a ConfigMap'),
    logFormat: z
      .enum(['text', 'json'], { message: "must be 'text' (Nuxeo's docker template) or 'json' (its docker-json template)" })
      .default('text')
      .describe('Nuxeo logs to the console only, as text or as one JSON object per line'),
    redisWaitSeconds: z
      .number()
      .int()
      .min(0)
      .max(3600)
      .default(300)
      .describe("seconds the Nuxeo container waits for Redis before the launcher starts (plain: host:port answers PING; Sentinel: a Sentinel names the master and it answers), logging every 10 s; then it gives up and the container restarts. The startup probe's budget covers this wait, the launcher's backing-service checks (6 min) and the start (10 min)"),
    concurrentUploads: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(2)
      .describe("uploads of loadBalancer.maxUploadMegabytes one Nuxeo node holds in /tmp at once: /tmp is sized maxUploadMegabytes x concurrentUploads + 1Gi for conversions (the emptyDir's sizeLimit; beyond it the pod is evicted)"),
    ...podSettings(),
    proxy: z
      .strictObject({
        image: image(DEFAULT_IMAGES.proxy),
        resources: resources({ cpu: '100m', memory: '128Mi', ephemeralStorage: '256Mi' }, { cpu: '500m', memory: '256Mi', ephemeralStorage: '2Gi' }),
      })
      .prefault({})
      .describe('the nginx reverse proxy in each Nuxeo pod, which the load balancer reaches (port 8000) and which forwards to Nuxeo (8080)'),
  })
  .prefault({})
  .refine(...fitsLimit('heap', 0.8, 'metaspace, threads and off-heap buffers need the rest'));

const redis = z
  .strictObject({
    mode: z.enum(['sidecar', 'external'], { message: "must be 'sidecar' (Redis in every Nuxeo pod) or 'external' (a Redis cluster with Sentinel)" }).default('sidecar').describe("sidecar: a Redis in every Nuxeo pod, pod 0 the master, no automatic failover; external: its own StatefulSet with Sentinel, automatic failover"),
    image: image(DEFAULT_IMAGES.redis),
    resources: resources({ cpu: '100m', memory: '512Mi', ephemeralStorage: '64Mi' }, { cpu: '500m', memory: '512Mi', ephemeralStorage: '256Mi' }),
    maxmemory: memory.default('384Mi').describe('Redis maxmemory; must leave headroom below the memory limit'),
    storage: volume('2Gi').describe('external mode: PVC per Redis pod (sidecar mode uses the Nuxeo pod volume)'),
    replicas: nodeCount(MIN_SENTINEL_REDIS_NODES, 'Sentinel needs a majority of three to fail over', 3).describe('external mode: Redis pods, each with a Sentinel'),
    managed: managedEndpoint('Redis (ElastiCache, Memorystore, Azure Cache; Nuxeo uses secrets.redisPassword)', 6379),
    sentinel: z
      .strictObject({
        masterName: z.string().regex(/^[A-Za-z0-9_-]+$/).default('mymaster').describe('the name the Sentinels monitor the master under, and Nuxeo asks them for'),
        quorum: z.number().int().min(2).optional().describe('default: majority of the Sentinels'),
        downAfterMilliseconds: z.number().int().min(1000).default(5000).describe('milliseconds without an answer before a Sentinel deems the master down: lower fails over sooner, and on shorter blips'),
        failoverTimeoutMilliseconds: z.number().int().min(5000).default(60000).describe('milliseconds a failover may take before the Sentinels try again'),
        resources: resources({ cpu: '50m', memory: '64Mi', ephemeralStorage: '32Mi' }, { cpu: '200m', memory: '128Mi', ephemeralStorage: '128Mi' }),
      })
      .prefault({})
      .describe('external mode: the Sentinel container beside each Redis, which detects a failed master and promotes a replica'),
    ...podSettings(),
  })
  .prefault({})
  .refine(...fitsLimit('maxmemory', 0.9, 'replication buffers and fork need the rest'))
  .refine(
    ...rule<{ replicas: number; sentinel: { quorum?: number } }>(
      ['replicas', 'sentinel'],
      ['sentinel', 'quorum'],
      (r) => r.sentinel.quorum === undefined || r.sentinel.quorum <= majority(r.replicas),
      (r) => `${r.sentinel.quorum} is above the majority of ${r.replicas} Sentinels (${majority(r.replicas)}): failover could never be agreed`,
    ),
  );

/** Sentinels that make a majority of `n`. */
export function majority(n: number): number {
  return Math.floor(n / 2) + 1;
}

const controllerPeer = z.strictObject({
  namespace: dnsLabel('namespace').describe('namespace of those pods'),
  podLabels: z.record(z.string(), z.string()).describe('labels that select those pods in that namespace, for the NetworkPolicy peer'),
});

/** A Kubernetes CronJob schedule (five fields). */
const cronSchedule = (byDefault: string) =>
  z.string().regex(/^\S+( \S+){4}$/, { message: "must be a cron schedule of five fields (minute hour day month weekday), e.g. '0 2 * * *'" }).default(byDefault);

const elasticsearchSnapshots = z
  .strictObject({
    schedule: z
      .string()
      .regex(/^\S+( \S+){5,6}$/, { message: "must be an Elasticsearch cron expression, seconds first, e.g. '0 30 1 * * ?' (01:30 every day)" })
      .default('0 30 1 * * ?')
      .describe('snapshot lifecycle (SLM) schedule, Elasticsearch cron syntax with seconds first'),
    expireAfter: z.string().regex(/^[0-9]+[dh]$/, { message: "must be a duration in hours or days such as '30d'" }).default('30d').describe('SLM retention: snapshots older than this are deleted ...'),
    minCount: z.number().int().min(1).default(5).describe('... but at least this many are kept'),
    maxCount: z.number().int().min(1).default(50).describe('at most this many are kept'),
    storage: volume('50Gi').describe('the shared-filesystem snapshot repository: one ReadWriteMany volume mounted in every node at path.repo'),
  })
  .prefault({})
  .refine(...rule<{ minCount: number; maxCount: number }>(['minCount', 'maxCount'], ['minCount'], (s) => s.minCount <= s.maxCount, (s) => `${s.minCount} is above maxCount ${s.maxCount}`));

const objectStore = z
  .strictObject({
    destinationPath: z.string().regex(/^s3:\/\/[a-z0-9][a-z0-9.-]+[a-z0-9](\/.*)?$/, { message: 'must be an S3 URL such as s3://bucket/path' }).describe('s3://bucket/path receiving the base backups and the WAL archive (each cluster in its serverName folder)'),
    endpointURL: z.string().regex(/^https?:\/\/[^\s/]+\/?$/, { message: 'must be an http(s) URL such as https://minio.example.com:9000' }).optional().describe('S3-compatible endpoint (MinIO, Ceph ...); omitted = AWS S3'),
    credentialsSecret: z
      .strictObject({
        name: dnsLabel('secret name').describe('the Secret holding the static object-store keys'),
        accessKeyIdKey: z.string().default('access-key-id').describe('key of the access key id in that Secret'),
        secretAccessKeyKey: z.string().default('secret-access-key').describe('key of the secret access key in that Secret'),
        regionKey: z.string().optional().describe('key holding the region, if the store needs one'),
      })
      .optional()
      .describe('static keys; omit to use the pod identity (IRSA, workload identity) given by serviceAccountAnnotations'),
    serviceAccountAnnotations: z.record(z.string(), z.string()).default({}).describe('annotations of the database pods\' ServiceAccount, e.g. eks.amazonaws.com/role-arn'),
  });

const databaseBackup = z
  .strictObject({
    schedule: cronSchedule('0 2 * * *').describe('when backups run (UTC): the dump CronJob, or the ScheduledBackup with cloudnativepg'),
    retentionDays: z.number().int().min(1).default(7).describe('backups older than this are deleted (dumps; CloudNativePG retentionPolicy)'),
    storage: volume('50Gi').describe('statefulset provider: the volume receiving the dumps'),
    objectStore: objectStore.optional().describe('cloudnativepg provider: where base backups and the WAL archive go (required there)'),
  })
  .prefault({});

const cloudnativepg = z
  .strictObject({
    image: image('ghcr.io/cloudnative-pg/postgresql:15.14-system-trixie').describe("a CloudNativePG operand image with barman-cloud (the 'system' flavour)"),
    serverName: dnsLabel('server name').default('postgresql').describe('folder of this cluster in the object store; change it when recovering, so the new timeline never overwrites the old one'),
    operator: controllerPeer.default({ namespace: 'cnpg-system', podLabels: { 'app.kubernetes.io/name': 'cloudnative-pg' } }).describe('where the operator runs: it reaches every instance on 8000 and 5432'),
    apiServer: z
      .strictObject({
        cidrs: z.array(z.string().min(1)).min(1).default(['0.0.0.0/0', '::/0']).describe('narrow to the API server endpoints (kubectl get endpoints kubernetes -n default); the default admits IPv4 and IPv6 (IPv6-only clusters)'),
        ports: z.array(z.number().int().min(1).max(65535)).min(1).default([443, 6443]).describe('TCP ports of the API server the instances may reach (443 and 6443 cover the usual API server ports; a NetworkPolicy sees the endpoint port, not the kubernetes Service port)'),
      })
      .prefault({})
      .describe('instances talk to the Kubernetes API (leader lease, status): egress allowed to these addresses'),
    recovery: z
      .strictObject({
        serverName: dnsLabel('server name').describe('serverName of the cluster to recover (its folder in the object store)'),
        destinationPath: z.string().regex(/^s3:\/\/[a-z0-9][a-z0-9.-]+[a-z0-9](\/.*)?$/, { message: 'must be an S3 URL such as s3://bucket/path' }).optional().describe('default: backup.objectStore.destinationPath'),
        targetTime: z
          .string()
          .regex(/^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)$/, { message: "must be a timestamp with its zone, e.g. '2026-11-20T08:00:00Z'" })
          .optional()
          .describe('point in time to recover to; omitted = the end of the archived WAL'),
      })
      .optional()
      .describe('bootstrap a NEW cluster from the object store (point-in-time recovery); see the README runbook'),
  })
  .prefault({})
  .refine(
    ...rule<{ serverName: string; recovery?: { serverName: string } }>(
      ['serverName', 'recovery'],
      ['serverName'],
      (c) => c.recovery === undefined || c.recovery.serverName !== c.serverName,
      (c) => `must differ from recovery.serverName (${c.serverName}): the recovered cluster archives to a new folder, the old backups stay intact`,
    ),
  );

const elasticsearch = z
  .strictObject({
    image: image(DEFAULT_IMAGES.elasticsearch),
    replicas: nodeCount(MIN_ELASTICSEARCH_NODES, "the seed's Elasticsearch cluster has three or more nodes", 3),
    resources: resources({ cpu: '1', memory: '4Gi', ephemeralStorage: '1Gi' }, { cpu: '2', memory: '4Gi', ephemeralStorage: '2Gi' }),
    heap: memory.optional().describe("JVM heap of each Elasticsearch node, in bytes ('2Gi'); at most 75% of the memory limit (the rest is off-heap and file cache); default half of the memory limit"),
    storage: volume('30Gi').describe('data volume of each Elasticsearch node (one PVC per pod)'),
    clusterName: dnsLabel('cluster name').default('nuxeo').describe('cluster.name, which Nuxeo checks (elasticsearch.clusterName) before indexing'),
    indexReplicas: z.number().int().min(0).default(1).describe('copies of each shard of the Nuxeo indexes besides the primary (elasticsearch.indexNumberOfReplicas)'),
    sysctlInitContainer: z.boolean().default(false).describe('opt-in privileged init container setting vm.max_map_count instead of node.store.allow_mmap=false'),
    managed: z
      .strictObject({
        urls: z.array(z.string().regex(URL_PATTERN, { message: 'must be a URL such as https://nuxeo.es.eu-west-1.aws.found.io:9243' })).min(1).describe("the service's endpoints, scheme://host[:port] (elasticsearch.addressList); Nuxeo's egress opens on their ports"),
        user: z.string().min(1).optional().describe('basic-auth user; its password is secrets.elasticsearchPassword'),
        cidrs: managedCidrs,
      })
      .optional()
      .describe('a managed Elasticsearch (Elastic Cloud, Amazon OpenSearch) instead of the in-cluster tier: nothing of this tier is generated'),
    snapshots: elasticsearchSnapshots.describe('snapshot lifecycle (SLM) policy and the shared repository the in-cluster Elasticsearch snapshots the Nuxeo indexes to'),
    ...podSettings(),
  })
  .prefault({})
  .refine(...fitsLimit('heap', 0.75, 'Elastic advises 50%, the rest is off-heap and file cache'));

const database = z
  .strictObject({
    image: image(DEFAULT_IMAGES.postgres),
    replicas: nodeCount(MIN_DATABASE_INSTANCES - 1, "the seed's database cluster has two or more nodes (one primary plus replicas)", 1).describe('streaming replicas besides the primary'),
    resources: resources({ cpu: '500m', memory: '2Gi', ephemeralStorage: '256Mi' }, { cpu: '2', memory: '2Gi', ephemeralStorage: '1Gi' }),
    storage: volume('20Gi').describe('data volume of each PostgreSQL instance (PGDATA, one PVC per pod)'),
    name: z.string().regex(/^[a-z_][a-z0-9_]*$/, { message: 'must be a lower-case SQL identifier' }).default('nuxeo').describe("the database Nuxeo uses (nuxeo.db.name), created on the primary's first start (CloudNativePG: at initdb bootstrap), owned by database.user"),
    user: z.string().regex(/^[a-z_][a-z0-9_]*$/, { message: 'must be a lower-case SQL identifier' }).default('nuxeo').describe('the role Nuxeo connects as (nuxeo.db.user), owner of the database'),
    maxConnections: z.number().int().min(20).default(200).describe("PostgreSQL max_connections (count): every Nuxeo node's pool together, plus 10 reserved, must fit; each connection costs server memory"),
    provider: z
      .enum(['statefulset', 'cloudnativepg'], { message: "must be 'statefulset' (PostgreSQL StatefulSets, manual failover) or 'cloudnativepg' (a CloudNativePG Cluster, automatic failover)" })
      .default('statefulset')
      .describe('statefulset: our PostgreSQL primary and streaming replicas, manual failover; cloudnativepg: a CloudNativePG Cluster (the operator must be installed), automatic failover'),
    backup: databaseBackup.describe('scheduled backups and their retention, with either provider'),
    cloudnativepg: cloudnativepg.describe("provider 'cloudnativepg' only: the operand image, the operator's and the API server's addresses, and point-in-time recovery"),
    managed: managedEndpoint('PostgreSQL (Amazon RDS, Cloud SQL, Azure Database; Nuxeo uses database.name, database.user and secrets.databasePassword)', 5432),
    ...podSettings(),
  })
  .prefault({})
  .refine(
    ...rule<{ provider: string; backup: { objectStore?: unknown } }>(
      ['provider', 'backup'],
      ['backup', 'objectStore'],
      (d) => d.provider !== 'cloudnativepg' || d.backup.objectStore !== undefined,
      () => "is required with provider 'cloudnativepg': destinationPath (s3://bucket/path) of the base backups and WAL archive",
    ),
  )
  .refine(
    ...rule<{ provider: string; backup: { objectStore?: unknown } }>(
      ['provider', 'backup'],
      ['backup', 'objectStore'],
      (d) => d.provider === 'cloudnativepg' || d.backup.objectStore === undefined,
      () => "is used only with provider 'cloudnativepg'; the statefulset provider writes its dumps to backup.storage",
    ),
  )
  .refine(
    ...rule<{ provider: string; managed?: unknown }>(
      ['provider', 'managed'],
      ['managed'],
      (d) => d.managed === undefined || d.provider === 'statefulset',
      (d) => `replaces the in-cluster PostgreSQL, which provider '${d.provider}' would run: keep one (remove database.provider)`,
    ),
  );

/** Address blocks internet egress never reaches: private, carrier-grade NAT, link-local, unique-local. */
export const PRIVATE_RANGES = ['10.0.0.0/8', '100.64.0.0/10', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7', 'fe80::/10'];

/** Egress the NetworkPolicies allow beyond the architecture's own connections. */
const network = z
  .strictObject({
    dns: z
      .strictObject({
        namespace: dnsLabel('namespace').default('kube-system').describe('namespace of the cluster DNS pods (OpenShift: openshift-dns)'),
        podLabels: labelMap.default({ 'k8s-app': 'kube-dns' }).describe('labels of the cluster DNS pods (CoreDNS and kube-dns both carry k8s-app: kube-dns on EKS, AKS, kubeadm and GKE with kube-dns; GKE with Cloud DNS, NodeLocal DNSCache and OpenShift need other settings: docs/day2.md)'),
        nodeLocalAddresses: z
          .array(z.string().regex(/^(([0-9]{1,3}\.){3}[0-9]{1,3}|[0-9a-fA-F:]*:[0-9a-fA-F:]*)$/, { message: "must be an IPv4 or IPv6 address such as '169.254.20.10' or 'fd00::a'" }))
          .default([])
          .describe('addresses answering DNS outside the DNS pods: NodeLocal DNSCache (169.254.20.10, and the kube-dns Service IP it also binds in iptables mode), GKE Cloud DNS (the metadata server 169.254.169.254); docs/day2.md'),
        ports: z
          .array(z.number().int().min(1).max(65535))
          .min(1)
          .default([53])
          .describe('ports the DNS pods listen on, as a NetworkPolicy sees them (after the Service port is translated): OpenShift\'s DNS pods listen on 5353'),
      })
      .prefault({})
      .describe('every pod may reach these DNS servers on network.dns.ports, and no other'),
    internetEgress: z
      .strictObject({
        cidrs: z.array(cidr).min(1).default(['0.0.0.0/0', '::/0']).describe('where Nuxeo may open HTTPS (443): Nuxeo Connect for packages, S3; e.g. a proxy or VPC endpoint range'),
        except: z.array(cidr).default(PRIVATE_RANGES).describe('blocks removed from those (default: private and link-local ranges, so the cluster and cloud metadata stay closed)'),
      })
      .prefault({})
      .describe('only Nuxeo has internet egress, only on 443, and only when it installs packages or uses S3'),
    podIdentity: z
      .enum(['none', 'irsa', 'eks-pod-identity', 'gke', 'azure'], { message: "must be one of 'none', 'irsa', 'eks-pod-identity', 'gke', 'azure'" })
      .default('none')
      .describe('cloud identity Nuxeo uses for S3 instead of keys; opens the egress it needs (see README)'),
  })
  .prefault({});

/** API-server bound of `sessionAffinityConfig.clientIP.timeoutSeconds`. */
const MAX_CLIENT_IP_SECONDS = 86400;
const MAX_COOKIE_SECONDS = 31_536_000;

const loadBalancer = z
  .strictObject({
    provider: z.enum(['ingress-nginx', 'traefik', 'gateway-api', 'service'], { message: "must be one of 'ingress-nginx', 'traefik', 'gateway-api', 'service'" }).default('ingress-nginx')
      .describe("what routes users to Nuxeo with a sticky session: an Ingress for ingress-nginx or traefik, an HTTPRoute for gateway-api, a LoadBalancer Service with ClientIP affinity for service (docs/environment-file.md, Load balancer providers)"),
    host: z.string().regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/, { message: 'must be a fully qualified host name such as nuxeo.example.com' })
      .describe('public host name users reach Nuxeo at; also the host of nuxeo.url (<scheme>://<host>/nuxeo)'),
    tlsSecret: dnsLabel('secret name').optional().describe('kubernetes.io/tls Secret for the host; omitted = plain HTTP'),
    className: z.string().optional().describe('IngressClass name (ingress-nginx: nginx, traefik: traefik)'),
    gateway: z.strictObject({
      name: dnsLabel('gateway name').describe('name of the parent Gateway'),
      namespace: dnsLabel('namespace').describe('namespace of the parent Gateway (it must allow routes from this namespace)'),
      sectionName: z.string().optional().describe('the Gateway listener to attach to (parentRefs.sectionName); omitted = every listener that accepts the route'),
    }).optional().describe('parent Gateway of the HTTPRoute (gateway-api)'),
    cookieName: z.string().regex(/^[A-Za-z0-9_-]+$/).default('nuxeo-route').describe('name of the sticky-session cookie the load balancer sets (not with provider service)'),
    cookieMaxAgeSeconds: z.number().int().min(60).max(MAX_COOKIE_SECONDS, { message: `must be at most ${MAX_COOKIE_SECONDS} (one year)` }).default(28800).describe('seconds a client stays on the same Nuxeo node (cookie Max-Age, or ClientIP affinity timeout with provider service)'),
    maxUploadMegabytes: z.number().int().min(1).default(1024).describe("largest request body, in MiB, the load balancer and each pod's nginx accept (uploads above it get 413); sizes Nuxeo's /tmp with nuxeo.concurrentUploads"),
    scheme: z
      .enum(['http', 'https'], { message: "must be 'http' or 'https'" })
      .optional()
      .describe("scheme users reach Nuxeo with, for nuxeo.url (https://<host>/nuxeo); default https when tlsSecret is set with ingress-nginx or traefik, else http: set https when a Gateway listener or a cloud load balancer terminates TLS"),
    timeoutSeconds: z.number().int().min(30).max(86400, { message: 'must be at most 86400 (one day)' }).default(600).describe('seconds a request may take end to end before the load balancer and nginx cut it (long exports, uploads)'),
    serviceAnnotations: z
      .record(labelKey, z.string())
      .default({})
      .describe("provider 'service': annotations for the cloud load balancer (scheme, type ...), added after the stickiness ones"),
    controller: controllerPeer.optional().describe('where the ingress controller or gateway proxy pods run, for NetworkPolicies; default per provider'),
  })
  .refine(
    ...rule<{ provider: string; gateway?: unknown }>(
      ['provider', 'gateway'],
      ['gateway'],
      (lb) => lb.provider !== 'gateway-api' || lb.gateway !== undefined,
      () => "is required with provider 'gateway-api': name and namespace of the parent Gateway",
    ),
  )
  .refine(
    ...rule<{ provider: string; serviceAnnotations: Record<string, string> }>(
      ['provider', 'serviceAnnotations'],
      ['serviceAnnotations'],
      (lb) => lb.provider === 'service' || Object.keys(lb.serviceAnnotations).length === 0,
      (lb) => `are only used with provider 'service' (a cloud load balancer), not '${lb.provider}'`,
    ),
  )
  .refine(
    ...rule<{ provider: string; cookieMaxAgeSeconds: number }>(
      ['provider', 'cookieMaxAgeSeconds'],
      ['cookieMaxAgeSeconds'],
      (lb) => lb.provider !== 'service' || lb.cookieMaxAgeSeconds <= MAX_CLIENT_IP_SECONDS,
      (lb) => `${lb.cookieMaxAgeSeconds} is above ${MAX_CLIENT_IP_SECONDS} (one day), the longest ClientIP affinity the API server accepts for provider 'service' (sessionAffinityConfig.clientIP.timeoutSeconds)`,
    ),
  );

/** Exporter images, pinned like every other image. */
const EXPORTER_IMAGES = {
  redis: 'oliver006/redis_exporter:v1.67.0',
  postgres: 'quay.io/prometheuscommunity/postgres-exporter:v0.17.1',
  elasticsearch: 'quay.io/prometheuscommunity/elasticsearch-exporter:v1.9.0',
  nginx: 'nginx/nginx-prometheus-exporter:1.4.2',
};

const monitoring = z
  .strictObject({
    enabled: z.boolean().default(true).describe('exporters, the Nuxeo Prometheus reporter, PodMonitors and the PrometheusRule; false removes them all'),
    prometheus: z
      .strictObject({
        namespace: dnsLabel('namespace').default('monitoring').describe('namespace of the Prometheus pods'),
        podLabels: z.record(z.string(), z.string()).default({ 'app.kubernetes.io/name': 'prometheus' }).describe('labels that select the Prometheus pods in that namespace'),
      })
      .prefault({})
      .describe('where the Prometheus pods run: the only peers the NetworkPolicies let scrape the metrics ports'),
    labels: z
      .record(z.string(), z.string())
      .default({})
      .describe("extra labels on the PodMonitors and the PrometheusRule, to match the Prometheus' podMonitorSelector and ruleSelector (e.g. release: kube-prometheus-stack)"),
    grafanaDashboard: z.boolean().default(false).describe('a ConfigMap with a Grafana dashboard, labelled grafana_dashboard: "1" for the Grafana sidecar'),
    images: z
      .strictObject({
        redis: image(EXPORTER_IMAGES.redis),
        postgres: image(EXPORTER_IMAGES.postgres),
        elasticsearch: image(EXPORTER_IMAGES.elasticsearch),
        nginx: image(EXPORTER_IMAGES.nginx),
      })
      .prefault({})
      .describe('images of the exporters: redis (also for the Sentinels), postgres, elasticsearch, and nginx (the Nuxeo pods\' proxy)'),
    resources: resources({ cpu: '20m', memory: '32Mi', ephemeralStorage: '16Mi' }, { cpu: '200m', memory: '128Mi', ephemeralStorage: '64Mi' }).describe('CPU, memory and ephemeral storage of each exporter container, requested and limited'),
  })
  .prefault({});

/** Spreading of every workload's pods over nodes and zones. */
export const SCHEDULING_SCHEMA = z
  .strictObject({
    antiAffinity: z.enum(['required', 'preferred'], { message: "must be 'required' (one pod per Kubernetes node) or 'preferred'" }).default('required')
      .describe('required: never two pods of a workload on one node (pods stay Pending without enough nodes); preferred: spread when possible'),
    zoneSpread: z.enum(['required', 'preferred']).default('preferred').describe('spread of each workload over zones: required refuses to schedule unevenly, preferred only tries'),
  })
  .prefault({});

export const environmentSchema = z
  .strictObject({
    $schema: z.string().optional().describe('path or URL of this JSON Schema, for editors; the generator ignores it'),
    namespace: dnsLabel('namespace').describe('namespace of every generated object (created by 00-namespace); also names the PriorityClass by default'),
    clusterDomain: z.string().regex(/^[a-z0-9.-]+$/).default('cluster.local').describe('DNS domain of the cluster, for stable pod names'),
    imagePullSecrets: z
      .array(dnsLabel('secret name'))
      .default([])
      .describe('docker-registry Secrets for every pod (the Nuxeo image registry needs credentials)'),
    priorityClass: z.strictObject({
      name: dnsLabel('priority class name').optional().describe('name of the PriorityClass emitted and used by every pod; default: the namespace name, so environments never share one'),
      value: z.number().int().min(0).max(1_000_000_000).default(100000).describe('its priority: pods with a higher value are scheduled first and, with PreemptLowerPriority, may evict lower ones'),
      preemptionPolicy: z
        .enum(['PreemptLowerPriority', 'Never'], { message: "must be 'PreemptLowerPriority' or 'Never'" })
        .default('PreemptLowerPriority')
        .describe("'Never' on a shared cluster: pending pods of this environment wait for room instead of evicting other teams' lower-priority pods (they still schedule ahead of them)"),
    }).prefault({}).describe("the PriorityClass of this environment's pods"),
    scheduling: SCHEDULING_SCHEMA,
    nodeCapacity: z
      .strictObject({
        cpu: cpu.default('3500m').describe("CPU one node has for these pods, in cores ('4') or millicores ('3500m')"),
        memory: memory.default('12Gi').describe("memory one node has for these pods, in bytes ('12Gi')"),
      })
      .prefault({})
      .describe("what one node has left for this environment's pods: its allocatable CPU and memory (kubectl describe node) minus the DaemonSets' requests; SUMMARY.md compares the per-node requests with it. The defaults are a 4 vCPU / 16 GiB node after the kubelet's reserve and common DaemonSets (CNI, CSI, log and metrics agents)"),
    secrets: z
      .strictObject({
        redisPassword: secretRef(SECRET_DEFAULTS.redisPassword).describe('the Redis password (requirepass), which Nuxeo uses too (nuxeo.redis.password)'),
        databasePassword: secretRef(SECRET_DEFAULTS.databasePassword).describe('password of the Nuxeo database role, database.user (nuxeo.db.password)'),
        databaseSuperuserPassword: secretRef(SECRET_DEFAULTS.databaseSuperuserPassword).describe('PostgreSQL superuser password (used by initdb only)'),
        databaseReplicationPassword: secretRef(SECRET_DEFAULTS.databaseReplicationPassword).describe('password of the replicator role the streaming replicas connect as'),
        nuxeoClid: z.strictObject({
          name: dnsLabel('secret name').describe('an existing Secret in the namespace holding the CLID'),
          key: z.string().min(1).default('clid').describe('key of the CLID in that Secret'),
        }).optional().describe('Nuxeo instance CLID, required when packages are installed at start'),
        elasticsearchPassword: secretRef(SECRET_DEFAULTS.elasticsearchPassword).describe('password of elasticsearch.managed.user'),
        jwtSecret: secretRef(SECRET_DEFAULTS.jwtSecret).describe('nuxeo.jwt.secret: must be the same on every node; Nuxeo issues no token without it'),
      })
      .prefault({})
      .describe('where the passwords and keys are: {name, key} of existing Secrets, read by the pods at start and never written to the manifests'),
    nuxeo,
    redis,
    elasticsearch,
    database,
    loadBalancer,
    network,
    monitoring,
  })
  .refine(
    ...rule<{ nuxeo: { packages: string[]; packagesInImage: boolean; binaries: { type: string } }; secrets: { nuxeoClid?: unknown } }>(
      ['nuxeo.packages', 'nuxeo.packagesInImage', 'nuxeo.binaries', 'secrets'],
      ['secrets', 'nuxeoClid'],
      (env) => clidProblem(env.nuxeo, env.secrets.nuxeoClid !== undefined) === undefined,
      (env) => clidProblem(env.nuxeo, false)!,
    ),
  )
  .refine(
    ...rule<{ nuxeo: { replicas: number; databasePoolSize: number }; database: { maxConnections: number } }>(
      ['nuxeo', 'database'],
      ['database', 'maxConnections'],
      (env) => connectionsProblem(env.nuxeo, env.database.maxConnections) === undefined,
      (env) => connectionsProblem(env.nuxeo, env.database.maxConnections)!,
    ),
  )
  .refine(...rule<IdentityFields>(['nuxeo', 'network'], ['network', 'podIdentity'], (env) => podIdentityProblem(env) === undefined, (env) => podIdentityProblem(env)!))
  .refine(
    ...rule<{ database: { provider: string }; secrets: { databasePassword: { key: string } } }>(
      ['database', 'secrets'],
      ['secrets', 'databasePassword', 'key'],
      (env) => env.database.provider !== 'cloudnativepg' || env.secrets.databasePassword.key === 'password',
      () => CNPG_PASSWORD_KEY_PROBLEM,
    ),
  )
  .refine(
    ...rule<{ redis: { mode: string; managed?: unknown } }>(
      ['redis'],
      ['redis', 'mode'],
      (env) => env.redis.managed === undefined || env.redis.mode === 'sidecar',
      () => "'external' runs a Redis cluster in the namespace, redis.managed uses a managed Redis instead: keep one (remove redis.mode)",
    ),
  );

export type IdentityFields = {
  nuxeo: { binaries: { type: string; s3?: { credentialsSecret?: unknown } }; serviceAccount: { create: boolean; annotations: Record<string, string> }; podLabels: Record<string, string> };
  network: { podIdentity: string };
};

/** What a pod identity for S3 needs from the rest of the file, if something is missing. */
export function podIdentityProblem(env: IdentityFields): string | undefined {
  const id = env.network.podIdentity;
  if (id === 'none') return undefined;
  const n = env.nuxeo;
  if (n.binaries.type !== 's3') return `'${id}' is for Nuxeo's S3 binaries: set nuxeo.binaries.type: s3, or podIdentity: none`;
  if (n.binaries.s3?.credentialsSecret) return `'${id}' and nuxeo.binaries.s3.credentialsSecret both give S3 credentials: keep one`;
  const account = n.serviceAccount.create ? n.serviceAccount.annotations : undefined;
  if (id === 'irsa' && account && !account['eks.amazonaws.com/role-arn']) {
    return "'irsa' needs the IAM role on Nuxeo's ServiceAccount: nuxeo.serviceAccount.annotations: {eks.amazonaws.com/role-arn: arn:aws:iam::<account>:role/<role>}";
  }
  if (id === 'azure' && n.podLabels['azure.workload.identity/use'] !== 'true') {
    return "'azure' needs nuxeo.podLabels: {azure.workload.identity/use: \"true\"} (and azure.workload.identity/client-id on the ServiceAccount)";
  }
  return undefined;
}

/** The package the S3 binary store needs (it adds the s3binaries template). */
export const S3_PACKAGE = 'amazon-s3-online-storage';

/** Packages the image's entrypoint installs at each pod start (NUXEO_PACKAGES); none when they are in the image. */
export function packagesInstalledAtStart(n: { packages: string[]; packagesInImage: boolean; binaries: { type: string } }): string[] {
  if (n.packagesInImage) return [];
  return [...n.packages, ...(n.binaries.type === 's3' && !n.packages.includes(S3_PACKAGE) ? [S3_PACKAGE] : [])];
}

/** The file's and the CloudNativePG construct's rule on the Nuxeo role's Secret key. */
export const CNPG_PASSWORD_KEY_PROBLEM = "must be 'password' with database.provider 'cloudnativepg': CloudNativePG reads the Nuxeo role from a kubernetes.io/basic-auth Secret (keys username and password)";

/** Connections PostgreSQL keeps for replication, maintenance and the superuser. */
export const RESERVED_CONNECTIONS = 10;

/** Connections the whole application cluster can open at once. */
export function databaseConnectionsNeeded(nodes: number, poolSize: number): number {
  return nodes * poolSize + RESERVED_CONNECTIONS;
}

/**
 * Cross-tier rule, for the file and the constructs alike: every Nuxeo node's pool together must fit
 * the database's max_connections. The problem of `database.maxConnections`, if any.
 */
export function connectionsProblem(n: { replicas: number; databasePoolSize: number }, maxConnections: number): string | undefined {
  const needed = databaseConnectionsNeeded(n.replicas, n.databasePoolSize);
  if (needed <= maxConnections) return undefined;
  return `${maxConnections} is below what ${n.replicas} Nuxeo nodes with pools of ${n.databasePoolSize} can open ` +
    `(${needed}, with ${RESERVED_CONNECTIONS} reserved for replication and administration): raise it or lower nuxeo.databasePoolSize`;
}

/** Packages installed at start need the instance CLID: the problem of the missing CLID, if any. */
export function clidProblem(n: { packages: string[]; packagesInImage: boolean; binaries: { type: string } }, hasClid: boolean): string | undefined {
  const atStart = packagesInstalledAtStart(n);
  if (hasClid || !atStart.length) return undefined;
  return `is required: ${atStart.join(', ')} would be installed from Nuxeo Connect at every pod start, which needs the instance CLID. ` +
    'Better: build an image with the packages (docker/Dockerfile) and set nuxeo.packagesInImage: true';
}

/** A validated environment, as constructs receive it. */
export type EnvironmentSpec = z.output<typeof environmentSchema>;
export type LoadBalancerProvider = EnvironmentSpec['loadBalancer']['provider'];
export type Resources = EnvironmentSpec['nuxeo']['resources'];
export type VolumeSpec = EnvironmentSpec['nuxeo']['data'];
/** Identity, placement, pod labels and annotations: the same fields on every tier. */
export type PodSettings = Pick<EnvironmentSpec['nuxeo'], 'serviceAccount' | 'nodeSelector' | 'tolerations' | 'affinity' | 'podLabels' | 'podAnnotations'>;

/** Where each provider's proxy pods usually run (their upstream charts' labels). */
export const CONTROLLER_DEFAULTS: Record<Exclude<LoadBalancerProvider, 'service'>, { namespace: string; podLabels: Record<string, string>; className?: string }> = {
  'ingress-nginx': { namespace: 'ingress-nginx', podLabels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' }, className: 'nginx' },
  'traefik': { namespace: 'traefik', podLabels: { 'app.kubernetes.io/name': 'traefik' }, className: 'traefik' },
  'gateway-api': { namespace: 'envoy-gateway-system', podLabels: { 'app.kubernetes.io/component': 'proxy', 'app.kubernetes.io/managed-by': 'envoy-gateway' } },
};

/** An environment with its name (the file name), as the synth pipeline passes it around. */
export interface Environment {
  readonly name: string;
  readonly spec: EnvironmentSpec;
}

/**
 * The sections of the file that the library's constructs take as Props: a construct parses its
 * own Props with its section, so library users get the same defaults and field-named errors.
 */
export const SECTION_SCHEMAS = { nuxeo, redis, elasticsearch, database, loadBalancer, network, monitoring } as const;
