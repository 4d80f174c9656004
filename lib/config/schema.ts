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

const dnsLabel = (what: string) =>
  z.string().max(63).regex(DNS_LABEL, { message: `${what} must be a DNS label: lower-case letters, digits and '-'` });

/** An image reference pinned to a version tag; `latest` is refused. */
const image = (example: string) =>
  z
    .string()
    .regex(IMAGE, { message: `must be an image with a version tag, e.g. ${example}` })
    .refine((s) => !s.endsWith(':latest'), { message: `must be pinned to a version tag, not 'latest' (e.g. ${example})` })
    .default(example);

const memory = z.string().regex(MEMORY_PATTERN, { message: "must be a memory quantity such as '512Mi' or '2Gi'" });
const cpu = z.string().regex(CPU_PATTERN, { message: "must be a CPU quantity such as '250m' or '2'" });

const resourceSet = (d: { cpu: string; memory: string; ephemeralStorage: string }) =>
  z
    .strictObject({
      cpu: cpu.default(d.cpu),
      memory: memory.default(d.memory),
      ephemeralStorage: memory.default(d.ephemeralStorage),
    })
    .prefault({});

/** Requests and limits of one container; each value defaults separately. */
const resources = (requests: { cpu: string; memory: string; ephemeralStorage: string }, limits: typeof requests) =>
  z
    .strictObject({ requests: resourceSet(requests), limits: resourceSet(limits) })
    .prefault({})
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
      size: memory.default(size),
      storageClass: z.string().optional().describe('StorageClass name; omitted = the cluster default'),
    })
    .prefault({});

/** A node count with the seed's minimum, and why it is the minimum. */
const nodeCount = (min: number, why: string, byDefault: number) =>
  z.number().int().min(min, { message: `must be at least ${min}: ${why}` }).default(byDefault);

/**
 * A rule across fields of one object. zod skips refinements while any field of the object is
 * invalid; this one runs whenever the fields it reads are valid, so one run reports every
 * problem of a file.
 */
function rule<T>(reads: string[], path: PropertyKey[], holds: (value: T) => boolean, problem: (value: T) => string) {
  return [
    holds,
    {
      path,
      error: (issue: z.core.$ZodRawIssue) => problem(issue.input as T),
      when: (payload: z.core.ParsePayload) =>
        typeof payload.value === 'object' && payload.value !== null &&
        payload.issues.every((i) => (i.path?.length ?? 0) > 0 && !reads.includes(String(i.path![0]))),
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
const secretRef = (name: string, key: string) =>
  z.strictObject({ name: dnsLabel('secret name').default(name), key: z.string().min(1).default(key) }).prefault({});

const DEFAULT_IMAGES = {
  nuxeo: 'docker-private.packages.nuxeo.com/nuxeo/nuxeo:2021.36',
  proxy: 'nginxinc/nginx-unprivileged:1.28.0-alpine',
  redis: 'redis:7.2.7',
  elasticsearch: 'docker.elastic.co/elasticsearch/elasticsearch:7.17.29',
  postgres: 'postgres:15.14',
};

const nuxeo = z
  .strictObject({
    image: image(DEFAULT_IMAGES.nuxeo),
    replicas: nodeCount(MIN_NUXEO_NODES, "the seed's application cluster has two or more nodes", 2),
    resources: resources({ cpu: '1', memory: '4Gi', ephemeralStorage: '2Gi' }, { cpu: '2', memory: '4Gi', ephemeralStorage: '6Gi' }),
    heap: memory.optional().describe('JVM heap (-Xms/-Xmx); default half of the memory limit'),
    data: volume('20Gi').describe('per-node volume for /var/lib/nuxeo, which holds the Chronicle Queue stream directory'),
    binaries: z
      .strictObject({
        type: z.enum(['volume', 's3']).default('volume'),
        size: memory.default('100Gi'),
        storageClass: z.string().optional().describe('a ReadWriteMany StorageClass (NFS, CephFS, EFS ...)'),
        s3: z
          .strictObject({
            bucket: z.string().min(3),
            region: z.string().min(1),
            prefix: z.string().default(''),
            credentialsSecret: z
              .strictObject({ name: dnsLabel('secret name'), accessKeyIdKey: z.string().default('access-key-id'), secretAccessKeyKey: z.string().default('secret-access-key') })
              .optional()
              .describe('omit to use the pod identity (IRSA, workload identity)'),
          })
          .optional(),
      })
      .prefault({})
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
      .describe('nuxeo.stream.chronicle.retention.duration'),
    packages: z.array(z.string().min(1)).default([]).describe('Nuxeo packages installed at start (NUXEO_PACKAGES)'),
    properties: z.record(z.string(), z.string()).default({}).describe('extra nuxeo.conf properties, written last'),
    proxy: z
      .strictObject({
        image: image(DEFAULT_IMAGES.proxy),
        resources: resources({ cpu: '100m', memory: '128Mi', ephemeralStorage: '256Mi' }, { cpu: '500m', memory: '256Mi', ephemeralStorage: '2Gi' }),
      })
      .prefault({}),
  })
  .prefault({})
  .refine(...fitsLimit('heap', 0.8, 'metaspace, threads and off-heap buffers need the rest'));

const redis = z
  .strictObject({
    mode: z.enum(['sidecar', 'external'], { message: "must be 'sidecar' (Redis in every Nuxeo pod) or 'external' (a Redis cluster with Sentinel)" }).default('sidecar'),
    image: image(DEFAULT_IMAGES.redis),
    resources: resources({ cpu: '100m', memory: '512Mi', ephemeralStorage: '64Mi' }, { cpu: '500m', memory: '512Mi', ephemeralStorage: '256Mi' }),
    maxmemory: memory.default('384Mi').describe('Redis maxmemory; must leave headroom below the memory limit'),
    storage: volume('2Gi').describe('external mode: PVC per Redis pod (sidecar mode uses the Nuxeo pod volume)'),
    replicas: nodeCount(MIN_SENTINEL_REDIS_NODES, 'Sentinel needs a majority of three to fail over', 3).describe('external mode: Redis pods, each with a Sentinel'),
    sentinel: z
      .strictObject({
        masterName: z.string().regex(/^[A-Za-z0-9_-]+$/).default('mymaster'),
        quorum: z.number().int().min(2).optional().describe('default: majority of the Sentinels'),
        downAfterMilliseconds: z.number().int().min(1000).default(5000),
        failoverTimeoutMilliseconds: z.number().int().min(5000).default(60000),
        resources: resources({ cpu: '50m', memory: '64Mi', ephemeralStorage: '32Mi' }, { cpu: '200m', memory: '128Mi', ephemeralStorage: '128Mi' }),
      })
      .prefault({}),
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
  namespace: dnsLabel('namespace'),
  podLabels: z.record(z.string(), z.string()),
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
    destinationPath: z.string().regex(/^s3:\/\/[a-z0-9][a-z0-9.-]+[a-z0-9](\/.*)?$/, { message: 'must be an S3 URL such as s3://bucket/path' }),
    endpointURL: z.string().regex(/^https?:\/\/[^\s/]+\/?$/, { message: 'must be an http(s) URL such as https://minio.example.com:9000' }).optional().describe('S3-compatible endpoint (MinIO, Ceph ...); omitted = AWS S3'),
    credentialsSecret: z
      .strictObject({
        name: dnsLabel('secret name'),
        accessKeyIdKey: z.string().default('access-key-id'),
        secretAccessKeyKey: z.string().default('secret-access-key'),
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
        cidrs: z.array(z.string().min(1)).min(1).default(['0.0.0.0/0']).describe('narrow to the API server endpoints'),
        ports: z.array(z.number().int().min(1).max(65535)).min(1).default([443, 6443]),
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
    heap: memory.optional().describe('JVM heap; default half of the memory limit'),
    storage: volume('30Gi'),
    clusterName: dnsLabel('cluster name').default('nuxeo'),
    indexReplicas: z.number().int().min(0).default(1).describe('elasticsearch.indexNumberOfReplicas for the Nuxeo indexes'),
    sysctlInitContainer: z.boolean().default(false).describe('opt-in privileged init container setting vm.max_map_count instead of node.store.allow_mmap=false'),
    snapshots: elasticsearchSnapshots,
  })
  .prefault({})
  .refine(...fitsLimit('heap', 0.75, 'Elastic advises 50%, the rest is off-heap and file cache'));

const database = z
  .strictObject({
    image: image(DEFAULT_IMAGES.postgres),
    replicas: nodeCount(MIN_DATABASE_INSTANCES - 1, "the seed's database cluster has two or more nodes (one primary plus replicas)", 1).describe('streaming replicas besides the primary'),
    resources: resources({ cpu: '500m', memory: '2Gi', ephemeralStorage: '256Mi' }, { cpu: '2', memory: '2Gi', ephemeralStorage: '1Gi' }),
    storage: volume('20Gi'),
    name: z.string().regex(/^[a-z_][a-z0-9_]*$/, { message: 'must be a lower-case SQL identifier' }).default('nuxeo'),
    user: z.string().regex(/^[a-z_][a-z0-9_]*$/, { message: 'must be a lower-case SQL identifier' }).default('nuxeo'),
    maxConnections: z.number().int().min(20).default(200),
    provider: z
      .enum(['statefulset', 'cloudnativepg'], { message: "must be 'statefulset' (PostgreSQL StatefulSets, manual failover) or 'cloudnativepg' (a CloudNativePG Cluster, automatic failover)" })
      .default('statefulset'),
    backup: databaseBackup,
    cloudnativepg,
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
  );

const loadBalancer = z
  .strictObject({
    provider: z.enum(['ingress-nginx', 'traefik', 'gateway-api', 'service'], { message: "must be one of 'ingress-nginx', 'traefik', 'gateway-api', 'service'" }).default('ingress-nginx'),
    host: z.string().regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/, { message: 'must be a fully qualified host name such as nuxeo.example.com' }),
    tlsSecret: dnsLabel('secret name').optional().describe('kubernetes.io/tls Secret for the host; omitted = plain HTTP'),
    className: z.string().optional().describe('IngressClass name (ingress-nginx: nginx, traefik: traefik)'),
    gateway: z.strictObject({ name: dnsLabel('gateway name'), namespace: dnsLabel('namespace'), sectionName: z.string().optional() }).optional().describe('parent Gateway of the HTTPRoute (gateway-api)'),
    cookieName: z.string().regex(/^[A-Za-z0-9_-]+$/).default('nuxeo-route'),
    cookieMaxAgeSeconds: z.number().int().min(60).default(28800),
    maxUploadMegabytes: z.number().int().min(1).default(1024),
    timeoutSeconds: z.number().int().min(30).default(600),
    controller: controllerPeer.optional().describe('where the ingress controller or gateway proxy pods run, for NetworkPolicies; default per provider'),
  })
  .refine(
    ...rule<{ provider: string; gateway?: unknown }>(
      ['provider', 'gateway'],
      ['gateway'],
      (lb) => lb.provider !== 'gateway-api' || lb.gateway !== undefined,
      () => "is required with provider 'gateway-api': name and namespace of the parent Gateway",
    ),
  );

export const environmentSchema = z
  .strictObject({
    $schema: z.string().optional(),
    namespace: dnsLabel('namespace'),
    clusterDomain: z.string().regex(/^[a-z0-9.-]+$/).default('cluster.local').describe('DNS domain of the cluster, for stable pod names'),
    imagePullSecrets: z
      .array(dnsLabel('secret name'))
      .default([])
      .describe('docker-registry Secrets for every pod (the Nuxeo image registry needs credentials)'),
    priorityClass: z.strictObject({ name: dnsLabel('priority class name').optional(), value: z.number().int().min(0).max(1_000_000_000).default(100000) }).prefault({}),
    scheduling: z
      .strictObject({
        antiAffinity: z.enum(['required', 'preferred'], { message: "must be 'required' (one pod per Kubernetes node) or 'preferred'" }).default('required'),
        zoneSpread: z.enum(['required', 'preferred']).default('preferred'),
      })
      .prefault({}),
    secrets: z
      .strictObject({
        redisPassword: secretRef('nuxeo-redis', 'password'),
        databasePassword: secretRef('nuxeo-database', 'nuxeo-password'),
        databaseSuperuserPassword: secretRef('nuxeo-database', 'superuser-password'),
        databaseReplicationPassword: secretRef('nuxeo-database', 'replication-password'),
        nuxeoClid: z.strictObject({ name: dnsLabel('secret name'), key: z.string().min(1).default('clid') }).optional().describe('Nuxeo instance CLID for package installation'),
      })
      .prefault({}),
    nuxeo,
    redis,
    elasticsearch,
    database,
    loadBalancer,
  })
  .refine(
    ...rule<{ nuxeo: { replicas: number; databasePoolSize: number }; database: { maxConnections: number } }>(
      ['nuxeo', 'database'],
      ['database', 'maxConnections'],
      (env) => databaseConnectionsNeeded(env.nuxeo.replicas, env.nuxeo.databasePoolSize) <= env.database.maxConnections,
      (env) =>
        `${env.database.maxConnections} is below what ${env.nuxeo.replicas} Nuxeo nodes with pools of ${env.nuxeo.databasePoolSize} can open ` +
        `(${databaseConnectionsNeeded(env.nuxeo.replicas, env.nuxeo.databasePoolSize)}, with ${RESERVED_CONNECTIONS} reserved for replication and administration): raise it or lower nuxeo.databasePoolSize`,
    ),
  )
  .refine(
    ...rule<{ database: { provider: string }; secrets: { databasePassword: { key: string } } }>(
      ['database', 'secrets'],
      ['secrets', 'databasePassword', 'key'],
      (env) => env.database.provider !== 'cloudnativepg' || env.secrets.databasePassword.key === 'password',
      () => "must be 'password' with database.provider 'cloudnativepg': CloudNativePG reads the Nuxeo role from a kubernetes.io/basic-auth Secret (keys username and password)",
    ),
  );

/** Connections PostgreSQL keeps for replication, maintenance and the superuser. */
export const RESERVED_CONNECTIONS = 10;

/** Connections the whole application cluster can open at once. */
export function databaseConnectionsNeeded(nodes: number, poolSize: number): number {
  return nodes * poolSize + RESERVED_CONNECTIONS;
}

/** A validated environment, as constructs receive it. */
export type EnvironmentSpec = z.output<typeof environmentSchema>;
export type LoadBalancerProvider = EnvironmentSpec['loadBalancer']['provider'];
export type Resources = EnvironmentSpec['nuxeo']['resources'];
export type VolumeSpec = EnvironmentSpec['nuxeo']['data'];

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
