import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { z } from 'zod';
import { SECRET_DEFAULTS } from '../settings/fields';
import { DATABASE_SCHEMA } from './settings';
import { mebibytes } from '../settings/quantity';
import { container, execProbe, fieldEnv, SecretKeyRef } from '../k8s/containers';
import { tierLabels, WorkloadIdentity, workloadLabels } from '../k8s/labels';
import { Connectable, networkPolicy, Peer, podsOf } from '../k8s/network-policy';
import { service } from '../k8s/service';
import { statefulWorkload } from '../k8s/stateful-workload';
import { configChecksum } from '../k8s/checksum';
import { configMapVolume, emptyDir, secretVolume, volumeClaimTemplate } from '../k8s/volumes';
import { renderPgHba, renderPgIsReady, renderPostgresqlConf, renderPrimaryBootstrap, renderReplicaBootstrap } from './postgres-conf';
import { ContextProps, podHost, resolveContext, serviceHost, TierContext } from '../k8s/context';
import { PostgresBackup } from './backup';
import { METRICS, metricsIngress, postgresExporter } from '../k8s/exporters';
import { ownKeys, parseProps, propsProblems, settingsOf } from '../settings/props';
import type { DatabaseSettings as DatabaseSectionInput } from './settings.generated';

/** The names a Database tier gives its workloads and Services, from its base name. */
export function databaseNames(base: string) {
  return { primary: `${base}-primary`, replica: `${base}-replica`, readWrite: `${base}-rw`, readOnly: `${base}-ro`, backup: `${base}-backup`, restore: `${base}-restore` } as const;
}

/** The port PostgreSQL listens on. */
export const POSTGRES_PORT = 5432;
/** The image's `postgres` UID plus 10000 (every pod runs with UID/GID >= 10000, kube-score). */
const RUN_AS = 10999;

/** The `database` section of the environment file: image, replicas, resources, storage, name, user, maxConnections, placement (every field optional, with the file's defaults). */
export type DatabaseSettings = Omit<DatabaseSectionInput, 'managed' | 'provider'>;

/**
 * The database's settings and the Secrets its instances read (keys of existing Secrets, never
 * written to the manifests).
 */
export interface DatabaseOptions extends DatabaseSettings {
  /**
   * Password of the application role (`user`), the one Nuxeo connects with: `password` in every
   * database variant, as in `managedDatabase`.
   * @default { name: 'nuxeo-database', key: 'nuxeo-password' }
   */
  readonly password?: SecretKeyRef;
  /**
   * PostgreSQL superuser password (used by `initdb` only).
   * @default { name: 'nuxeo-database', key: 'superuser-password' }
   */
  readonly superuserPassword?: SecretKeyRef;
  /**
   * Password of the `replicator` role.
   * @default { name: 'nuxeo-database', key: 'replication-password' }
   */
  readonly replicationPassword?: SecretKeyRef;
}

/** A StatefulSet PostgreSQL tier's Props: its options and where it runs. */
export interface DatabaseProps extends DatabaseOptions {
  /**
   * Settings shared by the tiers (cluster domain, scheduling, pull secrets ...).
   * @default - the environment file's defaults
   */
  readonly context?: ContextProps;
  /**
   * Prefix of every object name (`<name>-primary`, `<name>-rw` ...) and of the instance labels.
   * @default - the construct id
   */
  readonly baseName?: string;
}

/** How a client reaches a PostgreSQL database, in the cluster or a managed service (RDS, Cloud SQL). */
export interface DatabaseEndpoint {
  /** Read-write host. */
  readonly host: string;
  readonly port: number;
  /** Database name. */
  readonly database: string;
  /** Application role. */
  readonly user: string;
  /** Where the role's password is. */
  readonly password: SecretKeyRef;
  /**
   * Connect with TLS (`sslmode=require`).
   * @default false
   */
  readonly tls?: boolean;
  /**
   * The server's `max_connections`: a Nuxeo tier refuses, at synthesis, pools that would not fit.
   * @default - unknown: not checked
   */
  readonly maxConnections?: number;
  /** The egress a client needs, and admission through the database's own policy. */
  readonly connection: Connectable;
}

const CONFIG_DIR = '/etc/postgresql';
const SECRETS_DIR = '/var/run/secrets/postgresql';
const RUN_DIR = '/var/run/postgresql';
const DATA_MOUNT = '/var/lib/postgresql/data';
/** PGDATA of every instance (the promotion procedure names it too). */
export const PGDATA = `${DATA_MOUNT}/pgdata`;

/**
 * The endpoint of an in-cluster PostgreSQL: its read-write Service, the pods a client reaches
 * (`instances`), and `clients`, the list its policy admits, which `allowFrom` extends.
 */
export function postgresEndpoint(
  ctx: TierContext, readWriteService: string, db: { name: string; user: string; maxConnections: number }, password: SecretKeyRef, instances: Peer[], clients: Peer[],
): DatabaseEndpoint {
  return {
    host: serviceHost(ctx, readWriteService),
    port: POSTGRES_PORT,
    database: db.name,
    user: db.user,
    password,
    maxConnections: db.maxConnections,
    connection: { egress: [{ peers: instances, ports: [POSTGRES_PORT] }], allowFrom: (client) => clients.push(client) },
  };
}

type DatabaseSection = z.output<typeof DATABASE_SCHEMA>;
type DatabaseSecretRefs = Record<'app' | 'superuser' | 'replication', SecretKeyRef>;

/** The ConfigMap's files: the server's configuration and the two bootstrap scripts. */
function postgresFiles(db: DatabaseSection): Record<string, string> {
  return {
    'postgresql.conf': renderPostgresqlConf({ maxConnections: db.maxConnections, memoryMegabytes: mebibytes(db.resources.limits.memory), replicas: db.replicas, storageMegabytes: mebibytes(db.storage.size) }),
    'pg_hba.conf': renderPgHba({ database: db.name, user: db.user }),
    'primary.sh': renderPrimaryBootstrap({ database: db.name, user: db.user }),
    'replica.sh': renderReplicaBootstrap(),
  };
}

/** The pod volumes besides the data claim: configuration, sockets, scratch, shared memory, passwords. */
function postgresVolumes(db: DatabaseSection, configMap: string, s: DatabaseSecretRefs): k8s.Volume[] {
  // Parallel queries share memory through POSIX segments in /dev/shm, which a pod gets at 64 MiB
  // only; memory-backed, counted against the container's memory limit (a quarter of it at most).
  const shm: k8s.Volume = { name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString(`${Math.max(64, Math.floor(mebibytes(db.resources.limits.memory) / 4))}Mi`) } };
  return [
    configMapVolume('config', configMap),
    emptyDir('run', '16Mi'),
    emptyDir('tmp', '128Mi'),
    shm,
    secretVolume('superuser-password', s.superuser.name, [{ key: s.superuser.key, path: 'superuser-password' }]),
    secretVolume('app-password', s.app.name, [{ key: s.app.key, path: 'app-password' }]),
    secretVolume('replication-password', s.replication.name, [{ key: s.replication.key, path: 'replication-password' }]),
  ];
}

/** The PostgreSQL container of the primary or a replica, started by its bootstrap script. */
function postgresContainer(db: DatabaseSection, script: string, extraEnv: k8s.EnvVar[]): k8s.Container {
  return container(RUN_AS, {
    name: 'postgresql',
    image: db.image,
    command: ['sh', `${CONFIG_DIR}/${script}`],
    ports: [{ name: 'postgresql', containerPort: POSTGRES_PORT, protocol: 'TCP' }],
    env: [
      { name: 'PGDATA', value: PGDATA },
      { name: 'PGPORT', value: String(POSTGRES_PORT) },
      { name: 'LISTEN_ADDRESSES', value: '*' },
      { name: 'PG_SOCKET_DIR', value: RUN_DIR },
      { name: 'PG_CONFIG_DIR', value: CONFIG_DIR },
      { name: 'RUN_DIR', value: RUN_DIR },
      { name: 'SUPERUSER_AUTH_FILE', value: `${SECRETS_DIR}/superuser/superuser-password` },
      { name: 'APP_AUTH_FILE', value: `${SECRETS_DIR}/app/app-password` },
      { name: 'REPLICATION_AUTH_FILE', value: `${SECRETS_DIR}/replication/replication-password` },
      ...extraEnv,
    ],
    resources: db.resources,
    startupProbe: execProbe(renderPgIsReady(POSTGRES_PORT), { periodSeconds: 10, failureThreshold: 90, timeoutSeconds: 5 }),
    readinessProbe: execProbe(renderPgIsReady(POSTGRES_PORT), { periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 5 }),
    livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('postgresql') }, periodSeconds: 20, failureThreshold: 6, timeoutSeconds: 5 },
    volumeMounts: [
      { name: 'data', mountPath: DATA_MOUNT },
      { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
      { name: 'run', mountPath: RUN_DIR },
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'shm', mountPath: '/dev/shm' },
      { name: 'superuser-password', mountPath: `${SECRETS_DIR}/superuser`, readOnly: true },
      { name: 'app-password', mountPath: `${SECRETS_DIR}/app`, readOnly: true },
      { name: 'replication-password', mountPath: `${SECRETS_DIR}/replication`, readOnly: true },
    ],
  });
}

/** DatabaseProps' own keys: the rest are the `database` settings. */
const OWN_KEYS = ownKeys<DatabaseProps, DatabaseSettings>()(['context', 'baseName', 'password', 'superuserPassword', 'replicationPassword']);

/** Every problem of the settings in DatabaseProps, found without building anything. @internal */
export function databaseProblems(props: Partial<DatabaseProps>): string[] {
  return propsProblems('database', DATABASE_SCHEMA, settingsOf(props, OWN_KEYS));
}

/**
 * PostgreSQL: one primary and `database.replicas` hot standbys that bootstrap with
 * pg_basebackup and stream from it. `postgresql-rw` reaches the primary, `postgresql-ro` the
 * replicas. There is no automatic failover (no operator): promoting a replica is a manual step.
 */
export class Database extends Construct {
  /** How Nuxeo (or any client) connects: the read-write Service. */
  public readonly endpoint: DatabaseEndpoint;
  public readonly readOnlyHost: string;
  /** Escape hatches: the objects a user may patch (`addJsonPatch`). */
  public readonly configMap: k8s.KubeConfigMap;
  public readonly primaryStatefulSet: k8s.KubeStatefulSet;
  public readonly replicaStatefulSet: k8s.KubeStatefulSet;
  /** Streaming replicas besides the primary. */
  public readonly replicaCount: number;
  public readonly provider = 'statefulset' as const;
  /** The scheduled pg_dump CronJob, whose failures the monitoring tier alerts on. */
  public readonly backupCronJob: string;
  /** Where its exporters serve metrics, for a PodMonitor. */
  public readonly metricsEndpoint = { selector: { 'app.kubernetes.io/name': 'postgresql' }, portName: METRICS.postgres.name } as const;
  public readonly readWriteService: k8s.KubeService;
  public readonly readOnlyService: k8s.KubeService;
  private readonly clients: Peer[] = [];

  constructor(scope: Construct, id: string, props: DatabaseProps = {}) {
    super(scope, id);
    const ctx = resolveContext(this, props.context);
    const db = parseProps('database', DATABASE_SCHEMA, settingsOf(props, OWN_KEYS));
    if (db.provider !== 'statefulset') throw new Error(`${this.node.path}: provider '${db.provider}' is the CloudNativePgDatabase construct`);
    const name = props.baseName ?? id;
    const names = databaseNames(name);
    const ids = {
      primary: { app: 'postgresql', instance: names.primary, component: 'database' },
      replica: { app: 'postgresql', instance: names.replica, component: 'database' },
    } satisfies Record<string, WorkloadIdentity>;
    const s = {
      app: props.password ?? SECRET_DEFAULTS.databasePassword,
      superuser: props.superuserPassword ?? SECRET_DEFAULTS.databaseSuperuserPassword,
      replication: props.replicationPassword ?? SECRET_DEFAULTS.databaseReplicationPassword,
    };
    const files = postgresFiles(db);
    this.configMap = new k8s.KubeConfigMap(this, 'config', { metadata: { name, labels: tierLabels('postgresql', 'database') }, data: files });
    const checksum = configChecksum({ configMap: this.configMap, order: Object.keys(files) });

    const primaryHeadless = `${ids.primary.instance}-headless`;
    const primaryHost = podHost(ctx, ids.primary.instance, primaryHeadless, 0);
    this.readOnlyHost = serviceHost(ctx, names.readOnly);

    const instance = (wid: WorkloadIdentity, replicas: number, script: string, extraEnv: k8s.EnvVar[]) =>
      this.addInstance({ ctx, db, configMapName: name, secrets: s, checksum }, wid, replicas, script, extraEnv);
    this.replicaCount = db.replicas;
    this.primaryStatefulSet = instance(ids.primary, 1, 'primary.sh', []);
    this.replicaStatefulSet = instance(ids.replica, db.replicas, 'replica.sh', [
      { name: 'PRIMARY_HOST', value: primaryHost },
      { name: 'PRIMARY_PORT', value: String(POSTGRES_PORT) },
      fieldEnv('POD_NAME', 'metadata.name'),
    ]);

    this.readWriteService = this.addClientService(names.readWrite, ids.primary.instance);
    this.readOnlyService = this.addClientService(names.readOnly, ids.replica.instance);
    const instances = this.addNetworkPolicies(ids, podsOf(names.backup), ctx);
    this.endpoint = postgresEndpoint(ctx, names.readWrite, db, s.app, instances, this.clients);
    // Scheduled pg_dump of the primary, and a suspended restore job (README runbooks).
    this.backupCronJob = names.backup;
    new PostgresBackup(this, 'backup', {
      ctx,
      baseName: names.backup,
      restoreJobName: names.restore,
      primary: { host: this.endpoint.host, port: POSTGRES_PORT, instances: [ids.primary.instance, ids.replica.instance], image: db.image, uid: RUN_AS },
      database: db.name,
      user: db.user,
      password: s.app,
      settings: db.backup,
    });
  }

  /** One StatefulSet (primary or replicas) and its headless Service. */
  private addInstance(
    shared: { ctx: TierContext; db: DatabaseSection; configMapName: string; secrets: DatabaseSecretRefs; checksum: ReturnType<typeof configChecksum> },
    wid: WorkloadIdentity, replicas: number, script: string, extraEnv: k8s.EnvVar[],
  ): k8s.KubeStatefulSet {
    const { ctx, db } = shared;
    const headless = `${wid.instance}-headless`;
    service(this, {
      name: headless,
      labels: workloadLabels(wid),
      selector: { 'app.kubernetes.io/instance': wid.instance },
      ports: [{ name: 'postgresql', port: POSTGRES_PORT }],
      headless: true,
    });
    return statefulWorkload(this, {
      ctx,
      id: wid,
      replicas,
      serviceName: headless,
      uid: RUN_AS,
      configChecksum: shared.checksum,
      terminationGracePeriodSeconds: 60,
      spreadSelector: { 'app.kubernetes.io/name': 'postgresql' },
      pod: db,
      containers: [
        postgresContainer(db, script, extraEnv),
        ...postgresExporter(ctx.monitoring, RUN_AS, 'run', RUN_DIR, POSTGRES_PORT),
      ],
      volumes: postgresVolumes(db, shared.configMapName, shared.secrets),
      volumeClaimTemplates: [volumeClaimTemplate('data', db.storage)],
    });
  }

  /** The Service clients connect through, selecting one instance's pods. */
  private addClientService(name: string, instance: string): k8s.KubeService {
    return service(this, {
      name,
      labels: tierLabels('postgresql', 'database'),
      selector: { 'app.kubernetes.io/instance': instance },
      ports: [{ name: 'postgresql', port: POSTGRES_PORT }],
    });
  }

  /**
   * Clients write to the primary; replicas stream from it. Replicas also take the clients' and
   * the backup job's connections (the read-only Service, or a replica promoted by hand) and the
   * other database pods' (a promoted replica becomes the upstream of the rest).
   * Returns the [primary, replica] pods.
   */
  private addNetworkPolicies(ids: Record<'primary' | 'replica', WorkloadIdentity>, backup: Peer, ctx: TierContext): Peer[] {
    const instances = [podsOf(ids.primary.instance), podsOf(ids.replica.instance)];
    const clients = this.clients;
    networkPolicy(this, ids.primary, [{ get peers() { return [...clients, instances[1], backup]; }, ports: [POSTGRES_PORT] }, ...metricsIngress(ctx.monitoring, METRICS.postgres)], [], ctx);
    networkPolicy(
      this,
      ids.replica,
      [{ get peers() { return [...clients, ...instances, backup]; }, ports: [POSTGRES_PORT] }, ...metricsIngress(ctx.monitoring, METRICS.postgres)],
      [{ peers: instances, ports: [POSTGRES_PORT] }],
      ctx,
    );
    return instances;
  }
}
