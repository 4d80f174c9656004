import { Construct } from 'constructs';
import {
  Cluster, ClusterSpecBackupBarmanObjectStoreDataCompression, ClusterSpecBackupBarmanObjectStoreWalCompression, ClusterSpecResourcesLimits,
  ClusterSpecResourcesRequests,
} from '../../imports/cnpg-cluster-postgresql.cnpg.io';
import { ScheduledBackup, ScheduledBackupSpecBackupOwnerReference, ScheduledBackupSpecMethod } from '../../imports/cnpg-scheduledbackup-postgresql.cnpg.io';
import { NETWORK_SCHEMA } from '../k8s/settings';
import { SECRET_DEFAULTS } from '../settings/fields';
import { CNPG_PASSWORD_KEY_PROBLEM, DATABASE_SCHEMA } from './settings';
import { mebibytes } from '../settings/quantity';
import { pullPolicy, SecretKeyRef } from '../k8s/containers';
import { PART_OF, WorkloadIdentity, workloadLabels } from '../k8s/labels';
import { networkPolicy, Peer, podsOf, Rule } from '../k8s/network-policy';
import { postgresqlParameters } from './postgres-conf';
import { ContextProps, resolveContext, TierContext } from '../k8s/context';
import { DatabaseEndpoint, DatabaseSettings, POSTGRES_PORT, postgresEndpoint } from './database';
import { METRICS, metricsIngress } from '../k8s/exporters';
import { ownKeys, parseProps, propsProblems, settingsOf } from '../settings/props';
import type { NetworkInternetEgressSettings } from '../k8s/settings.generated';

/** The database's settings, the Nuxeo role's Secret and the instances' egress to object storage. */
export interface CloudNativePgDatabaseOptions extends DatabaseSettings {
  /**
   * The `kubernetes.io/basic-auth` Secret (keys username, password) of the application role.
   * @default { name: 'nuxeo-database', key: 'password' }
   */
  readonly password?: SecretKeyRef;
  /**
   * Where the object store's egress may go (the instances archive WAL there).
   * @default - any address but private, CGNAT, link-local and unique-local ranges
   */
  readonly internetEgress?: NetworkInternetEgressSettings;
}

/** A CloudNativePG tier's Props: its options and where it runs. */
export interface CloudNativePgDatabaseProps extends CloudNativePgDatabaseOptions {
  /**
   * Settings shared by the tiers (cluster domain, scheduling, pull secrets ...).
   * @default - the environment file's defaults
   */
  readonly context?: ContextProps;
  /**
   * Name of the Cluster (its Services are `<name>-rw`, `<name>-ro`, `<name>-r`) and instance label.
   * @default - the construct id
   */
  readonly baseName?: string;
}

/** CloudNativePG release whose CRDs (imports/crds/) the generated objects are validated against. */
export const CLOUDNATIVEPG_VERSION = '1.30.0';


/** Port of the instance manager's status endpoint, which the operator polls. */
const STATUS_PORT = 8000;

/**
 * Parameters the operator owns and its webhook refuses in `postgresql.parameters`
 * (docs/src/postgresql_conf.md "Fixed parameters" at the targeted release).
 */
const OPERATOR_FIXED = new Set(['hot_standby', 'logging_collector', 'log_destination', 'listen_addresses', 'port', 'unix_socket_directories']);

/** `postgresql.parameters`: the StatefulSet provider's settings, minus what the operator fixes, unquoted. */
export function cloudnativepgParameters(db: { maxConnections: number; resources: { limits: { memory: string } }; replicas: number; storage: { size: string } }): Record<string, string> {
  const sections = postgresqlParameters({ maxConnections: db.maxConnections, memoryMegabytes: mebibytes(db.resources.limits.memory), replicas: db.replicas, storageMegabytes: mebibytes(db.storage.size) });
  return Object.fromEntries(
    sections.flatMap((s) => s.parameters).filter(([k]) => !OPERATOR_FIXED.has(k)).map(([k, v]) => [k, v.replace(/^'(.*)'$/, '$1')]),
  );
}

/** TCP port of the object store, for the egress rule. */
function objectStorePort(endpointURL: string | undefined): number {
  if (!endpointURL) return 443;
  const u = new URL(endpointURL);
  return u.port ? Number(u.port) : u.protocol === 'http:' ? 80 : 443;
}

/** CloudNativePgDatabaseProps' own keys: the rest are the `database` settings. */
const OWN_KEYS = ownKeys<CloudNativePgDatabaseProps, DatabaseSettings>()(['context', 'baseName', 'password', 'internetEgress']);

/** Every problem of the settings in CloudNativePgDatabaseProps, found without building anything. @internal */
export function cloudNativePgProblems(props: Partial<CloudNativePgDatabaseProps>): string[] {
  return [
    ...propsProblems('database', DATABASE_SCHEMA, { ...settingsOf(props, OWN_KEYS), provider: 'cloudnativepg' }),
    ...propsProblems('network', NETWORK_SCHEMA, { internetEgress: props.internetEgress }),
    // As the file's secrets.databasePassword.key: the operator reads a basic-auth Secret.
    ...(props.password && props.password.key !== 'password' ? [`database.password.key: ${CNPG_PASSWORD_KEY_PROBLEM}`] : []),
  ];
}

type DatabaseSection = ReturnType<typeof DATABASE_SCHEMA.parse>;
type ObjectStore = NonNullable<DatabaseSection['backup']['objectStore']>;

/** Where the object store is and how to reach it: static keys from a Secret, or the pod identity of the instances' ServiceAccount. */
function objectStoreAccess(store: ObjectStore) {
  const c = store.credentialsSecret;
  return {
    destinationPath: store.destinationPath,
    ...(store.endpointURL ? { endpointUrl: store.endpointURL } : {}),
    s3Credentials: c
      ? {
        accessKeyId: { name: c.name, key: c.accessKeyIdKey },
        secretAccessKey: { name: c.name, key: c.secretAccessKeyKey },
        ...(c.regionKey ? { region: { name: c.name, key: c.regionKey } } : {}),
      }
      : { inheritFromIamRole: true },
  };
}

/** A new database with the Nuxeo role, or a recovery from another cluster's backups (point in time if asked). */
function bootstrapSpec(db: DatabaseSection, password: SecretKeyRef) {
  const cn = db.cloudnativepg;
  const store = db.backup.objectStore!;
  const owner = { database: db.name, owner: db.user, secret: { name: password.name } };
  return {
    bootstrap: cn.recovery
      ? { recovery: { source: 'origin', ...owner, ...(cn.recovery.targetTime ? { recoveryTarget: { targetTime: cn.recovery.targetTime } } : {}) } }
      : { initdb: { ...owner, encoding: 'UTF8', localeCType: 'C.UTF-8', localeCollate: 'C.UTF-8', dataChecksums: true } },
    ...(cn.recovery
      ? { externalClusters: [{ name: 'origin', barmanObjectStore: { ...objectStoreAccess(store), destinationPath: cn.recovery.destinationPath ?? store.destinationPath, serverName: cn.recovery.serverName } }] }
      : {}),
  };
}

/** Continuous archiving (WAL and base backups, compressed) to the object store, kept `retentionDays`. */
function backupSpec(db: DatabaseSection) {
  return {
    barmanObjectStore: {
      ...objectStoreAccess(db.backup.objectStore!),
      serverName: db.cloudnativepg.serverName,
      data: { compression: ClusterSpecBackupBarmanObjectStoreDataCompression.GZIP },
      wal: { compression: ClusterSpecBackupBarmanObjectStoreWalCompression.GZIP },
    },
    retentionPolicy: `${db.backup.retentionDays}d`,
  };
}

/** The instances' limits and requests in the CRD's quantity types. */
function resourcesSpec(r: DatabaseSection['resources']) {
  const quantities = <T>(from: (v: string) => T, s: typeof r.limits) => ({ 'cpu': from(s.cpu), 'ephemeral-storage': from(s.ephemeralStorage), 'memory': from(s.memory) });
  return { limits: quantities(ClusterSpecResourcesLimits.fromString, r.limits), requests: quantities(ClusterSpecResourcesRequests.fromString, r.requests) };
}

/** One instance per node, spread across zones, as the context's scheduling asks. */
function placementSpec(ctx: TierContext, clusterName: string) {
  return {
    affinity: { enablePodAntiAffinity: true, podAntiAffinityType: ctx.scheduling.antiAffinity, topologyKey: 'kubernetes.io/hostname' },
    topologySpreadConstraints: [{
      maxSkew: 1,
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: ctx.scheduling.zoneSpread === 'required' ? 'DoNotSchedule' : 'ScheduleAnyway',
      labelSelector: { matchLabels: { 'cnpg.io/cluster': clusterName } },
    }],
  };
}

/**
 * PostgreSQL run by the CloudNativePG operator (which must be installed first): a `Cluster` of
 * 1 + `database.replicas` instances, one per node and spread across zones, bootstrapped with the
 * Nuxeo database and role, continuously archiving WAL and base backups to an object store, plus a
 * `ScheduledBackup`. Failover, switchover and the `-rw` Service are the operator's.
 */
export class CloudNativePgDatabase extends Construct {
  /** How Nuxeo (or any client) connects: the operator's read-write Service. */
  public readonly endpoint: DatabaseEndpoint;
  public readonly replicaCount: number;
  public readonly provider = 'cloudnativepg' as const;
  /**
   * Where each instance exports its Prometheus metrics, for the monitoring tier's PodMonitor.
   * Not `monitoring.enablePodMonitor`: deprecated in 1.30 (docs/src/monitoring.md), which asks for
   * a PodMonitor of one's own selecting `cnpg.io/cluster`.
   */
  public readonly metricsEndpoint: { readonly selector: Record<string, string>; readonly portName: string };
  /** Escape hatches: the operator's objects (`addJsonPatch`). */
  public readonly cluster: Cluster;
  public readonly scheduledBackup: ScheduledBackup;
  private readonly clients: Peer[] = [];

  constructor(scope: Construct, id: string, props: CloudNativePgDatabaseProps) {
    super(scope, id);
    const ctx = resolveContext(this, props.context);
    const db = parseProps('database', DATABASE_SCHEMA, { ...settingsOf(props, OWN_KEYS), provider: 'cloudnativepg' });
    const internet = parseProps('network', NETWORK_SCHEMA, { internetEgress: props.internetEgress }).internetEgress;
    const password = props.password ?? { name: SECRET_DEFAULTS.databasePassword.name, key: 'password' };
    const cn = db.cloudnativepg;
    const store = db.backup.objectStore!;
    const CLUSTER_NAME = props.baseName ?? id;
    const wid = { app: 'postgresql', instance: CLUSTER_NAME, component: 'database' };
    this.replicaCount = db.replicas;
    this.metricsEndpoint = { selector: { 'cnpg.io/cluster': CLUSTER_NAME }, portName: METRICS.cloudnativepg.name };

    this.cluster = new Cluster(this, 'cluster', {
      metadata: { name: CLUSTER_NAME, labels: workloadLabels(wid) },
      spec: {
        instances: 1 + db.replicas,
        imageName: cn.image,
        imagePullPolicy: pullPolicy(cn.image),
        ...(ctx.imagePullSecrets.length ? { imagePullSecrets: ctx.imagePullSecrets.map((name) => ({ name })) } : {}),
        // The operator labels its pods app.kubernetes.io/{name: postgresql, instance: <cluster>,
        // component: database, managed-by: cloudnative-pg} itself (docs/src/labels_annotations.md),
        // so the NetworkPolicies select them by instance like every other workload; inherited
        // labels override the operator's, so only ours that it does not set are passed on.
        inheritedMetadata: { labels: { 'app.kubernetes.io/part-of': PART_OF } },
        ...(ctx.priorityClassName ? { priorityClassName: ctx.priorityClassName } : {}),
        enableSuperuserAccess: false,
        ...bootstrapSpec(db, password),
        postgresql: { parameters: cloudnativepgParameters(db) },
        storage: { size: db.storage.size, ...(db.storage.storageClass ? { storageClass: db.storage.storageClass } : {}) },
        resources: resourcesSpec(db.resources),
        ...placementSpec(ctx, CLUSTER_NAME),
        backup: backupSpec(db),
        ...(Object.keys(store.serviceAccountAnnotations).length ? { serviceAccountTemplate: { metadata: { annotations: store.serviceAccountAnnotations } } } : {}),
      },
    });

    this.scheduledBackup = new ScheduledBackup(this, 'scheduled-backup', {
      metadata: { name: CLUSTER_NAME, labels: workloadLabels(wid) },
      spec: {
        // CloudNativePG's cron has a seconds field first.
        schedule: `0 ${db.backup.schedule}`,
        cluster: { name: CLUSTER_NAME },
        method: ScheduledBackupSpecMethod.BARMAN_OBJECT_STORE,
        backupOwnerReference: ScheduledBackupSpecBackupOwnerReference.SELF,
        // A first base backup right away: WAL archiving alone cannot be restored without one.
        immediate: true,
      },
    });

    const instances = podsOf(wid.instance);
    this.addNetworkPolicy(wid, ctx, cn, internet, store.endpointURL);
    this.endpoint = postgresEndpoint(ctx, `${CLUSTER_NAME}-rw`, db, password, [instances], this.clients);
  }

  /** Clients and the operator in; the instances, the API server and the object store out. */
  private addNetworkPolicy(wid: WorkloadIdentity, ctx: TierContext, cn: DatabaseSection['cloudnativepg'], internet: NetworkInternetEgressSettings, endpointURL: string | undefined): void {
    const operator: Peer = { namespace: cn.operator.namespace, pods: cn.operator.podLabels };
    const instances = podsOf(wid.instance);
    const egress: Rule[] = [
      { peers: [instances], ports: [POSTGRES_PORT, STATUS_PORT] },
      // The instance manager holds the primary's lease and reports status through the API server.
      { peers: [{ cidrs: cn.apiServer.cidrs }], ports: cn.apiServer.ports },
      // The object store is outside the cluster: the same internet egress as Nuxeo's (private ranges excepted).
      { peers: [{ cidrs: internet.cidrs, except: internet.except }], ports: [objectStorePort(endpointURL)] },
    ];
    networkPolicy(
      this,
      wid,
      [
        { peers: this.clients, ports: [POSTGRES_PORT] },
        { peers: [instances, operator], ports: [POSTGRES_PORT, STATUS_PORT] },
        ...metricsIngress(ctx.monitoring, METRICS.cloudnativepg),
      ],
      egress,
      ctx,
    );
  }
}
