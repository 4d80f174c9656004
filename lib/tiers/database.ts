import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { EnvironmentSpec } from '../config/schema';
import { mebibytes } from '../config/quantity';
import { renderPgHba, renderPgIsReady, renderPostgresqlConf, renderPrimaryBootstrap, renderReplicaBootstrap } from '../render/postgres';
import {
  checksum, configMapVolume, container, emptyDir, execProbe, fieldEnv, IDS, networkPolicy, Peer, podHost, podsOf, PORTS,
  RUN_AS, secretVolume, service, statefulWorkload, tierLabels, volumeClaimTemplate, WorkloadIdentity, workloadLabels,
} from './common';
import { METRICS, metricsIngress, postgresExporter } from './exporters';

export interface DatabaseProps {
  /** The validated environment. */
  readonly spec: EnvironmentSpec;
}

const CONFIG_DIR = '/etc/postgresql';
const SECRETS_DIR = '/var/run/secrets/postgresql';
const RUN_DIR = '/var/run/postgresql';
const DATA_MOUNT = '/var/lib/postgresql/data';
/** PGDATA of every instance (the promotion procedure names it too). */
export const PGDATA = `${DATA_MOUNT}/pgdata`;

/**
 * PostgreSQL: one primary and `database.replicas` hot standbys that bootstrap with
 * pg_basebackup and stream from it. `postgresql-rw` reaches the primary, `postgresql-ro` the
 * replicas. There is no automatic failover (no operator): promoting a replica is a manual step.
 */
export class Database extends Construct {
  /** Host name Nuxeo connects to (the read-write Service). */
  public readonly readWriteHost: string;
  public readonly readOnlyHost: string;
  public readonly port = PORTS.postgres;
  public readonly configMapName = 'postgresql';
  /** Pods Nuxeo may open connections to: the primary, and the replicas (read-only Service, manual promotion). */
  public readonly clientPeers: Peer[] = [podsOf(IDS.postgresPrimary.instance), podsOf(IDS.postgresReplica.instance)];

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const { spec } = props;
    const db = spec.database;
    const files = {
      'postgresql.conf': renderPostgresqlConf({ maxConnections: db.maxConnections, memoryMegabytes: mebibytes(db.resources.limits.memory), replicas: db.replicas, storageMegabytes: mebibytes(db.storage.size) }),
      'pg_hba.conf': renderPgHba({ database: db.name, user: db.user }),
      'primary.sh': renderPrimaryBootstrap({ database: db.name, user: db.user }),
      'replica.sh': renderReplicaBootstrap(),
    };
    new k8s.KubeConfigMap(this, 'config', { metadata: { name: this.configMapName, labels: tierLabels('postgresql', 'database') }, data: files });
    const configChecksum = checksum(...Object.values(files));

    const primaryHeadless = `${IDS.postgresPrimary.instance}-headless`;
    const primaryHost = podHost(spec, IDS.postgresPrimary.instance, primaryHeadless, 0);
    this.readWriteHost = `postgresql-rw.${spec.namespace}.svc.${spec.clusterDomain}`;
    this.readOnlyHost = `postgresql-ro.${spec.namespace}.svc.${spec.clusterDomain}`;

    const s = spec.secrets;
    const secretsVolumes = [
      secretVolume('superuser-password', s.databaseSuperuserPassword.name, [{ key: s.databaseSuperuserPassword.key, path: 'superuser-password' }]),
      secretVolume('app-password', s.databasePassword.name, [{ key: s.databasePassword.key, path: 'app-password' }]),
      secretVolume('replication-password', s.databaseReplicationPassword.name, [{ key: s.databaseReplicationPassword.key, path: 'replication-password' }]),
    ];

    // Parallel queries share memory through POSIX segments in /dev/shm, which a pod gets at 64 MiB
    // only; memory-backed, counted against the container's memory limit (a quarter of it at most).
    const shm: k8s.Volume = { name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString(`${Math.max(64, Math.floor(mebibytes(db.resources.limits.memory) / 4))}Mi`) } };

    const instance = (wid: WorkloadIdentity, replicas: number, script: string, extraEnv: k8s.EnvVar[]) => {
      const headless = `${wid.instance}-headless`;
      service(this, {
        name: headless,
        labels: workloadLabels(wid),
        selector: { 'app.kubernetes.io/instance': wid.instance },
        ports: [{ name: 'postgresql', port: PORTS.postgres }],
        headless: true,
      });
      statefulWorkload(this, {
        spec,
        id: wid,
        replicas,
        serviceName: headless,
        uid: RUN_AS.postgres,
        configChecksum,
        terminationGracePeriodSeconds: 60,
        spreadSelector: { 'app.kubernetes.io/name': 'postgresql' },
        pod: db,
        containers: [
          container(RUN_AS.postgres, {
            name: 'postgresql',
            image: db.image,
            command: ['sh', `${CONFIG_DIR}/${script}`],
            ports: [{ name: 'postgresql', containerPort: PORTS.postgres, protocol: 'TCP' }],
            env: [
              { name: 'PGDATA', value: PGDATA },
              { name: 'PGPORT', value: String(PORTS.postgres) },
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
            startupProbe: execProbe(renderPgIsReady(PORTS.postgres), { periodSeconds: 10, failureThreshold: 90, timeoutSeconds: 5 }),
            readinessProbe: execProbe(renderPgIsReady(PORTS.postgres), { periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 5 }),
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
          }),
          ...postgresExporter(spec, RUN_AS.postgres, 'run', RUN_DIR),
        ],
        volumes: [configMapVolume('config', this.configMapName), emptyDir('run', '16Mi'), emptyDir('tmp', '128Mi'), shm, ...secretsVolumes],
        volumeClaimTemplates: [volumeClaimTemplate('data', db.storage)],
      });
    };

    instance(IDS.postgresPrimary, 1, 'primary.sh', []);
    instance(IDS.postgresReplica, db.replicas, 'replica.sh', [
      { name: 'PRIMARY_HOST', value: primaryHost },
      { name: 'PRIMARY_PORT', value: String(PORTS.postgres) },
      fieldEnv('POD_NAME', 'metadata.name'),
    ]);

    service(this, {
      name: 'postgresql-rw',
      labels: tierLabels('postgresql', 'database'),
      selector: { 'app.kubernetes.io/instance': IDS.postgresPrimary.instance },
      ports: [{ name: 'postgresql', port: PORTS.postgres }],
    });
    service(this, {
      name: 'postgresql-ro',
      labels: tierLabels('postgresql', 'database'),
      selector: { 'app.kubernetes.io/instance': IDS.postgresReplica.instance },
      ports: [{ name: 'postgresql', port: PORTS.postgres }],
    });

    // Nuxeo writes to the primary; replicas stream from it. Replicas also take Nuxeo's connections
    // (the read-only Service, or a replica promoted by hand) and the other database pods' (a
    // promoted replica becomes the upstream of the rest).
    networkPolicy(this, IDS.postgresPrimary, [{ peers: [podsOf(IDS.nuxeo.instance), podsOf(IDS.postgresReplica.instance), podsOf(IDS.postgresBackup.instance)], ports: [PORTS.postgres] }, ...metricsIngress(spec, METRICS.postgres)], [], spec);
    networkPolicy(
      this,
      IDS.postgresReplica,
      [{ peers: [podsOf(IDS.nuxeo.instance), podsOf(IDS.postgresPrimary.instance), podsOf(IDS.postgresReplica.instance)], ports: [PORTS.postgres] }, ...metricsIngress(spec, METRICS.postgres)],
      [{ peers: [podsOf(IDS.postgresPrimary.instance), podsOf(IDS.postgresReplica.instance)], ports: [PORTS.postgres] }],
      spec,
    );
  }
}
