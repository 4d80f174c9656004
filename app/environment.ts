/**
 * The environment-file schema: the one source of truth for field names, types, limits and
 * defaults. It assembles the tiers' sections (lib/<tier>/settings.ts) with the file's own fields
 * (namespace, secrets, node capacity ...) and the rules across sections; the loader validates with
 * it, `npm run schema` turns it into the JSON Schema editors use and, from that, each tier's
 * documented settings interfaces.
 */
import { z } from 'zod';
import { CNPG_PASSWORD_KEY_PROBLEM, DATABASE_SCHEMA } from '../lib/database/settings';
import { ELASTICSEARCH_SCHEMA } from '../lib/elasticsearch/settings';
import { CLUSTER_DOMAIN, IMAGE_PULL_SECRETS, MONITORING_SCHEMA, NETWORK_SCHEMA, PRIORITY_CLASS_NAME, SCHEDULING_SCHEMA } from '../lib/k8s/settings';
import { LOAD_BALANCER_SCHEMA } from '../lib/load-balancer/settings';
import { clidProblem, connectionsProblem, IdentityFields, NUXEO_SCHEMA, podIdentityProblem } from '../lib/nuxeo/settings';
import { REDIS_SCHEMA } from '../lib/redis/settings';
import { cpu, dnsLabel, memory, rule, SECRET_DEFAULTS } from '../lib/settings/fields';

/** A key of an existing Secret; the value is never written into the manifests. */
const secretRef = (d: { name: string; key: string }) =>
  z
    .strictObject({
      name: dnsLabel('secret name').default(d.name).describe('an existing Secret in the namespace: never generated (synth prints the kubectl command creating it)'),
      key: z.string().min(1).default(d.key).describe('key of the value in that Secret'),
    })
    .prefault({});

export const environmentSchema = z
  .strictObject({
    $schema: z.string().optional().describe('path or URL of this JSON Schema, for editors; the generator ignores it'),
    namespace: dnsLabel('namespace').describe('namespace of every generated object (created by 00-namespace); also names the PriorityClass by default'),
    clusterDomain: CLUSTER_DOMAIN,
    imagePullSecrets: IMAGE_PULL_SECRETS,
    priorityClass: z.strictObject({
      name: PRIORITY_CLASS_NAME.describe('name of the PriorityClass emitted and used by every pod; default: the namespace name, so environments never share one'),
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
    nuxeo: NUXEO_SCHEMA,
    redis: REDIS_SCHEMA,
    elasticsearch: ELASTICSEARCH_SCHEMA,
    database: DATABASE_SCHEMA,
    loadBalancer: LOAD_BALANCER_SCHEMA,
    network: NETWORK_SCHEMA,
    monitoring: MONITORING_SCHEMA,
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

/** A validated environment, as constructs receive it. */
export type EnvironmentSpec = z.output<typeof environmentSchema>;

/** An environment with its name (the file name), as the synth pipeline passes it around. */
export interface Environment {
  readonly name: string;
  readonly spec: EnvironmentSpec;
}
