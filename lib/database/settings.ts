/**
 * The `database` section of the environment file: the PostgreSQL tier's settings (backups and the
 * CloudNativePG provider included), their defaults and limits (`npm run schema` makes
 * settings.generated.ts, their documented interfaces).
 */
import { z } from 'zod';
import { controllerPeer, dnsLabel, image, managedEndpoint, nodeCount, podSettings, resources, rule, volume } from '../settings/fields';
import { mebibytes } from '../settings/quantity';

/** The seed's minimum ("at least"): one primary plus replicas. */
const MIN_DATABASE_INSTANCES = 2;
// Chosen against Nuxeo's LTS 2021 matrix and upstream support: README "Versions", app/versions.ts.
const DEFAULT_IMAGE = 'postgres:15.14';

/** A Kubernetes CronJob schedule (five fields). */
const cronSchedule = (byDefault: string) =>
  z.string().regex(/^\S+( \S+){4}$/, { message: "must be a cron schedule of five fields (minute hour day month weekday), e.g. '0 2 * * *'" }).default(byDefault);

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

/** shared_buffers, in MB: a quarter of the container's memory limit (postgres-conf.ts). */
export function sharedBuffersMegabytes(memoryMegabytes: number): number {
  return Math.floor(memoryMegabytes / 4);
}

export const DATABASE_SCHEMA = z
  .strictObject({
    image: image(DEFAULT_IMAGE),
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
    // CloudNativePG's webhook rejects a Cluster whose memory request is below shared_buffers
    // (v1.30 internal/webhook/v1/cluster_webhook.go, hasEnoughMemoryForSharedBuffers).
    ...rule<{ provider: string; resources: { requests: { memory: string }; limits: { memory: string } } }>(
      ['provider', 'resources'],
      ['resources', 'requests', 'memory'],
      (d) => d.provider !== 'cloudnativepg' || mebibytes(d.resources.requests.memory) >= sharedBuffersMegabytes(mebibytes(d.resources.limits.memory)),
      (d) => `${d.resources.requests.memory} is below shared_buffers (${sharedBuffersMegabytes(mebibytes(d.resources.limits.memory))}MB, a quarter of limits.memory ${d.resources.limits.memory}), and CloudNativePG's webhook rejects the Cluster: raise requests.memory to at least that, or lower limits.memory`,
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

/** The file's and the CloudNativePG construct's rule on the Nuxeo role's Secret key. */
export const CNPG_PASSWORD_KEY_PROBLEM = "must be 'password' with database.provider 'cloudnativepg': CloudNativePG reads the Nuxeo role from a kubernetes.io/basic-auth Secret (keys username and password)";
