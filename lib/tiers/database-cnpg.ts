import { Construct } from 'constructs';
import {
  Cluster, ClusterSpecBackupBarmanObjectStoreDataCompression, ClusterSpecBackupBarmanObjectStoreWalCompression, ClusterSpecResourcesLimits,
  ClusterSpecResourcesRequests,
} from '../../imports/cnpg-cluster-postgresql.cnpg.io';
import { ScheduledBackup, ScheduledBackupSpecBackupOwnerReference, ScheduledBackupSpecMethod } from '../../imports/cnpg-scheduledbackup-postgresql.cnpg.io';
import type { EnvironmentSpec } from '../config/schema';
import { mebibytes } from '../config/quantity';
import { postgresqlParameters } from '../render/postgres';
import { METRICS, metricsIngress } from './exporters';
import { IDS, networkPolicy, PART_OF, Peer, podsOf, PORTS, priorityClassName, pullPolicy, Rule, workloadLabels } from './common';

export interface CloudNativePgDatabaseProps {
  /** The validated environment (`database.provider: cloudnativepg`). */
  readonly spec: EnvironmentSpec;
}

/** CloudNativePG release whose CRDs (imports/crds/) the generated objects are validated against. */
export const CLOUDNATIVEPG_VERSION = '1.30.0';

/** The Cluster's name: its Services are `<name>-rw`, `<name>-ro`, `<name>-r`, as with the StatefulSet provider. */
export const CLUSTER_NAME = IDS.postgresCluster.instance;

/**
 * Where each instance exports its Prometheus metrics, for the monitoring tier's PodMonitor.
 * Not `monitoring.enablePodMonitor`: deprecated in 1.30 (docs/src/monitoring.md), which asks for
 * a PodMonitor of one's own selecting `cnpg.io/cluster`.
 */
export const CLOUDNATIVEPG_METRICS = { selector: { 'cnpg.io/cluster': CLUSTER_NAME }, portName: METRICS.cloudnativepg.name, port: METRICS.cloudnativepg.port } as const;

/** Port of the instance manager's status endpoint, which the operator polls. */
const STATUS_PORT = 8000;

/**
 * Parameters the operator owns and its webhook refuses in `postgresql.parameters`
 * (docs/src/postgresql_conf.md "Fixed parameters" at the targeted release).
 */
const OPERATOR_FIXED = new Set(['hot_standby', 'logging_collector', 'log_destination', 'listen_addresses', 'port', 'unix_socket_directories']);

/** `postgresql.parameters`: the StatefulSet provider's settings, minus what the operator fixes, unquoted. */
export function cloudnativepgParameters(spec: EnvironmentSpec): Record<string, string> {
  const db = spec.database;
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

/**
 * PostgreSQL run by the CloudNativePG operator (which must be installed first): a `Cluster` of
 * 1 + `database.replicas` instances, one per node and spread across zones, bootstrapped with the
 * Nuxeo database and role, continuously archiving WAL and base backups to an object store, plus a
 * `ScheduledBackup`. Failover, switchover and the `-rw` Service are the operator's.
 */
export class CloudNativePgDatabase extends Construct {
  /** Host name Nuxeo connects to (the operator's read-write Service). */
  public readonly readWriteHost: string;
  public readonly port = PORTS.postgres;
  /** Pods Nuxeo may open connections to. */
  public readonly clientPeers: Peer[] = [podsOf(IDS.postgresCluster.instance)];

  constructor(scope: Construct, id: string, props: CloudNativePgDatabaseProps) {
    super(scope, id);
    const { spec } = props;
    const db = spec.database;
    const cn = db.cloudnativepg;
    const store = db.backup.objectStore!;
    const wid = IDS.postgresCluster;
    this.readWriteHost = `${CLUSTER_NAME}-rw.${spec.namespace}.svc.${spec.clusterDomain}`;

    const c = store.credentialsSecret;
    // Static keys from a Secret, or the pod identity of the instances' ServiceAccount.
    const access = {
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
    const owner = { database: db.name, owner: db.user, secret: { name: spec.secrets.databasePassword.name } };
    const r = db.resources;
    const quantities = <T>(from: (v: string) => T, s: typeof r.limits) => ({ 'cpu': from(s.cpu), 'ephemeral-storage': from(s.ephemeralStorage), 'memory': from(s.memory) });

    new Cluster(this, 'cluster', {
      metadata: { name: CLUSTER_NAME, labels: workloadLabels(wid) },
      spec: {
        instances: 1 + db.replicas,
        imageName: cn.image,
        imagePullPolicy: pullPolicy(cn.image),
        // The operator labels its pods app.kubernetes.io/{name: postgresql, instance: <cluster>,
        // component: database, managed-by: cloudnative-pg} itself (docs/src/labels_annotations.md),
        // so the NetworkPolicies select them by instance like every other workload; inherited
        // labels override the operator's, so only ours that it does not set are passed on.
        inheritedMetadata: { labels: { 'app.kubernetes.io/part-of': PART_OF } },
        priorityClassName: priorityClassName(spec),
        enableSuperuserAccess: false,
        bootstrap: cn.recovery
          ? { recovery: { source: 'origin', ...owner, ...(cn.recovery.targetTime ? { recoveryTarget: { targetTime: cn.recovery.targetTime } } : {}) } }
          : { initdb: { ...owner, encoding: 'UTF8', localeCType: 'C.UTF-8', localeCollate: 'C.UTF-8', dataChecksums: true } },
        ...(cn.recovery
          ? { externalClusters: [{ name: 'origin', barmanObjectStore: { ...access, destinationPath: cn.recovery.destinationPath ?? store.destinationPath, serverName: cn.recovery.serverName } }] }
          : {}),
        postgresql: { parameters: cloudnativepgParameters(spec) },
        storage: { size: db.storage.size, ...(db.storage.storageClass ? { storageClass: db.storage.storageClass } : {}) },
        resources: { limits: quantities(ClusterSpecResourcesLimits.fromString, r.limits), requests: quantities(ClusterSpecResourcesRequests.fromString, r.requests) },
        affinity: { enablePodAntiAffinity: true, podAntiAffinityType: spec.scheduling.antiAffinity, topologyKey: 'kubernetes.io/hostname' },
        topologySpreadConstraints: [{
          maxSkew: 1,
          topologyKey: 'topology.kubernetes.io/zone',
          whenUnsatisfiable: spec.scheduling.zoneSpread === 'required' ? 'DoNotSchedule' : 'ScheduleAnyway',
          labelSelector: { matchLabels: { 'cnpg.io/cluster': CLUSTER_NAME } },
        }],
        backup: {
          barmanObjectStore: {
            ...access,
            serverName: cn.serverName,
            data: { compression: ClusterSpecBackupBarmanObjectStoreDataCompression.GZIP },
            wal: { compression: ClusterSpecBackupBarmanObjectStoreWalCompression.GZIP },
          },
          retentionPolicy: `${db.backup.retentionDays}d`,
        },
        ...(Object.keys(store.serviceAccountAnnotations).length ? { serviceAccountTemplate: { metadata: { annotations: store.serviceAccountAnnotations } } } : {}),
      },
    });

    new ScheduledBackup(this, 'scheduled-backup', {
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

    const operator: Peer = { namespace: cn.operator.namespace, pods: cn.operator.podLabels };
    const instances = podsOf(wid.instance);
    const egress: Rule[] = [
      { peers: [instances], ports: [PORTS.postgres, STATUS_PORT] },
      // The instance manager holds the primary's lease and reports status through the API server.
      { peers: [{ cidrs: cn.apiServer.cidrs }], ports: cn.apiServer.ports },
      // The object store is outside the cluster: the same internet egress as Nuxeo's (private ranges excepted).
      { peers: [{ cidrs: spec.network.internetEgress.cidrs, except: spec.network.internetEgress.except }], ports: [objectStorePort(store.endpointURL)] },
    ];
    networkPolicy(
      this,
      wid,
      [
        { peers: [podsOf(IDS.nuxeo.instance)], ports: [PORTS.postgres] },
        { peers: [instances, operator], ports: [PORTS.postgres, STATUS_PORT] },
        ...metricsIngress(spec, METRICS.cloudnativepg),
      ],
      egress,
      spec,
    );
  }
}
