import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { EnvironmentSpec, Resources } from '../config/schema';
import { renderPostgresBackupScript, renderPostgresRestoreScript } from '../render/postgres-backup';
import {
  checksum, configMapVolume, container, emptyDir, IDS, networkPolicy, podsOf, PORTS, RUN_AS, secretVolume, tierLabels, workloadLabels,
} from './common';
import { scheduledJob } from './jobs';

export interface PostgresBackupProps {
  /** The validated environment (`database.provider: statefulset`). */
  readonly spec: EnvironmentSpec;
  /** Read-write host of the database (the primary's Service). */
  readonly host: string;
}

const CONFIG_DIR = '/etc/postgresql-backup';
const BACKUP_DIR = '/var/lib/postgresql-backup';
const RUN_DIR = '/var/run/postgresql';
const SECRET_DIR = '/var/run/secrets/postgresql';

/** pg_dump/pg_restore: a little CPU, memory for large objects, no local data (the dump goes to the volume). */
const JOB_RESOURCES: Resources = {
  requests: { cpu: '100m', memory: '256Mi', ephemeralStorage: '64Mi' },
  limits: { cpu: '1', memory: '1Gi', ephemeralStorage: '256Mi' },
};

/**
 * Scheduled backups of the StatefulSet provider: a CronJob running the official postgres image's
 * pg_dump against the primary into the `postgresql-backup` volume, with retention; and a
 * suspended `postgresql-restore` CronJob that a person starts to restore a dump (README runbook).
 */
export class PostgresBackup extends Construct {
  public static readonly volumeName = 'postgresql-backup';
  public static readonly restoreJobName = 'postgresql-restore';

  constructor(scope: Construct, id: string, props: PostgresBackupProps) {
    super(scope, id);
    const { spec } = props;
    const db = spec.database;
    const wid = IDS.postgresBackup;
    const files = {
      'backup.sh': renderPostgresBackupScript({ database: db.name, user: db.user, retentionDays: db.backup.retentionDays }),
      'restore.sh': renderPostgresRestoreScript({ database: db.name, user: db.user }),
    };
    new k8s.KubeConfigMap(this, 'config', { metadata: { name: wid.instance, labels: tierLabels(wid.app, wid.component) }, data: files });
    new k8s.KubePersistentVolumeClaim(this, 'volume', {
      metadata: { name: PostgresBackup.volumeName, labels: workloadLabels(wid) },
      spec: {
        accessModes: ['ReadWriteOnce'],
        ...(db.backup.storage.storageClass ? { storageClassName: db.backup.storage.storageClass } : {}),
        resources: { requests: { storage: k8s.Quantity.fromString(db.backup.storage.size) } },
      },
    });

    const job = (name: string, script: string, suspend: boolean) =>
      scheduledJob(this, {
        spec,
        name,
        id: wid,
        schedule: db.backup.schedule,
        suspend,
        uid: RUN_AS.postgres,
        // A dump or restore that runs this long is stuck; the next run tries again.
        activeDeadlineSeconds: 6 * 3600,
        backoffLimit: suspend ? 0 : 2,
        configChecksum: checksum(files[script as keyof typeof files]),
        containers: [
          container(RUN_AS.postgres, {
            name,
            image: db.image,
            command: ['sh', `${CONFIG_DIR}/${script}`],
            env: [
              { name: 'PGHOST', value: props.host },
              { name: 'PGPORT', value: String(PORTS.postgres) },
              { name: 'BACKUP_DIR', value: BACKUP_DIR },
              { name: 'RUN_DIR', value: RUN_DIR },
              { name: 'APP_AUTH_FILE', value: `${SECRET_DIR}/app-password` },
            ],
            resources: JOB_RESOURCES,
            volumeMounts: [
              { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
              { name: 'backup', mountPath: BACKUP_DIR },
              { name: 'run', mountPath: RUN_DIR },
              { name: 'app-password', mountPath: SECRET_DIR, readOnly: true },
            ],
          }),
        ],
        volumes: [
          configMapVolume('config', wid.instance),
          { name: 'backup', persistentVolumeClaim: { claimName: PostgresBackup.volumeName } },
          emptyDir('run', '16Mi'),
          secretVolume('app-password', spec.secrets.databasePassword.name, [{ key: spec.secrets.databasePassword.key, path: 'app-password' }]),
        ],
      });
    job(wid.instance, 'backup.sh', false);
    job(PostgresBackup.restoreJobName, 'restore.sh', true);

    // The jobs only talk to the primary; nothing talks to them.
    networkPolicy(this, wid, [], [{ peers: [podsOf(IDS.postgresPrimary.instance)], ports: [PORTS.postgres] }], spec);
  }
}
