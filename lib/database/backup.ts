import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { z } from 'zod';
import type { DATABASE_SCHEMA } from './settings';
import { container, Resources, SecretKeyRef } from '../k8s/containers';
import { tierLabels, workloadLabels } from '../k8s/labels';
import { networkPolicy, podsOf } from '../k8s/network-policy';
import { scheduledJob } from '../k8s/scheduled-job';
import { configChecksum } from '../k8s/checksum';
import { configMapVolume, emptyDir, secretVolume } from '../k8s/volumes';
import { renderPostgresBackupScript, renderPostgresRestoreScript } from './backup-scripts';
import type { TierContext } from '../k8s/context';

/** Set by the `Database` tier, whose part this is. */
export interface PostgresBackupProps {
  readonly ctx: TierContext;
  /** Name of the backup job, its volume and ConfigMap; the restore job is `<prefix>-restore`. */
  readonly baseName: string;
  readonly restoreJobName: string;
  /**
   * The primary: its read-write host, port, image and UID, and the instance labels of the pods
   * that host may lead to (the primary's, and the replicas', one of which a manual promotion puts
   * behind it).
   */
  readonly primary: { readonly host: string; readonly port: number; readonly instances: string[]; readonly image: string; readonly uid: number };
  readonly database: string;
  readonly user: string;
  readonly password: SecretKeyRef;
  /** @internal the tier's resolved `backup` settings */
  readonly settings: z.output<typeof DATABASE_SCHEMA>['backup'];
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

/** The dump or restore container: the script from the ConfigMap, run against the primary. */
function backupContainer(primary: PostgresBackupProps['primary'], name: string, script: string): k8s.Container {
  return container(primary.uid, {
    name,
    image: primary.image,
    command: ['sh', `${CONFIG_DIR}/${script}`],
    env: [
      { name: 'PGHOST', value: primary.host },
      { name: 'PGPORT', value: String(primary.port) },
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
  });
}

/**
 * Scheduled backups of the StatefulSet provider: a CronJob running the official postgres image's
 * pg_dump against the primary into the `postgresql-backup` volume, with retention; and a
 * suspended `postgresql-restore` CronJob that a person starts to restore a dump (README runbook).
 */
export class PostgresBackup extends Construct {
  constructor(scope: Construct, id: string, props: PostgresBackupProps) {
    super(scope, id);
    const { ctx, primary, settings: backup } = props;
    const wid = { app: 'postgresql', instance: props.baseName, component: 'backup' };
    const volumeName = props.baseName;
    const files = {
      'backup.sh': renderPostgresBackupScript({ database: props.database, user: props.user, retentionDays: backup.retentionDays }),
      'restore.sh': renderPostgresRestoreScript({ database: props.database, user: props.user }),
    };
    const configMap = new k8s.KubeConfigMap(this, 'config', { metadata: { name: wid.instance, labels: tierLabels(wid.app, wid.component) }, data: files });
    new k8s.KubePersistentVolumeClaim(this, 'volume', {
      metadata: { name: volumeName, labels: workloadLabels(wid) },
      spec: {
        accessModes: ['ReadWriteOnce'],
        ...(backup.storage.storageClass ? { storageClassName: backup.storage.storageClass } : {}),
        resources: { requests: { storage: k8s.Quantity.fromString(backup.storage.size) } },
      },
    });

    const job = (name: string, script: string, suspend: boolean) =>
      scheduledJob(this, {
        ctx,
        name,
        id: wid,
        schedule: backup.schedule,
        suspend,
        uid: primary.uid,
        // A dump or restore that runs this long is stuck; the next run tries again.
        activeDeadlineSeconds: 6 * 3600,
        backoffLimit: suspend ? 0 : 2,
        configChecksum: configChecksum({ configMap, key: script }),
        containers: [
          backupContainer(primary, name, script),
        ],
        volumes: [
          configMapVolume('config', wid.instance),
          { name: 'backup', persistentVolumeClaim: { claimName: volumeName } },
          emptyDir('run', '16Mi'),
          secretVolume('app-password', props.password.name, [{ key: props.password.key, path: 'app-password' }]),
        ],
      });
    job(wid.instance, 'backup.sh', false);
    job(props.restoreJobName, 'restore.sh', true);

    // The jobs only talk to the read-write host's pods; nothing talks to them.
    networkPolicy(this, wid, [], [{ peers: primary.instances.map(podsOf), ports: [primary.port] }], ctx);
  }
}
