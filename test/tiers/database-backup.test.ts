import { renderPostgresBackupScript, renderPostgresRestoreScript } from '../../lib/database/backup-scripts';
import { allManifests, environment, exampleEnvironment, find, shippedEnvironments } from '../helpers';

describe('scheduled PostgreSQL dumps (statefulset provider)', () => {
  const env = environment('bk', { database: { name: 'nxdb', user: 'nx', backup: { schedule: '30 3 * * *', retentionDays: 14, storage: { size: '80Gi', storageClass: 'slow' } } } });
  const manifests = allManifests(env);
  const backup = find(manifests, 'CronJob', 'postgresql-backup');
  const restore = find(manifests, 'CronJob', 'postgresql-restore');
  const pod = (cj: any) => cj.spec.jobTemplate.spec.template.spec;

  test('every shipped environment on the plain provider has a scheduled backup', () => {
    const plain = shippedEnvironments().filter((e) => e.spec.database.provider === 'statefulset');
    expect(plain.length).toBeGreaterThan(0);
    for (const e of plain) expect(find(allManifests(e), 'CronJob', 'postgresql-backup').spec.suspend).toBeUndefined();
  });

  test('runs the rendered backup script at the schedule, in UTC, one at a time, with the database image', () => {
    expect(backup.spec).toMatchObject({ schedule: '30 3 * * *', timeZone: 'Etc/UTC', concurrencyPolicy: 'Forbid' });
    expect(pod(backup).containers[0].image).toBe(env.spec.database.image);
    expect(pod(backup).containers[0].command).toEqual(['sh', '/etc/postgresql-backup/backup.sh']);
    const scripts = find(manifests, 'ConfigMap', 'postgresql-backup').data!;
    expect(scripts['backup.sh']).toBe(renderPostgresBackupScript({ database: 'nxdb', user: 'nx', retentionDays: 14 }));
    expect(scripts['restore.sh']).toBe(renderPostgresRestoreScript({ database: 'nxdb', user: 'nx' }));
    expect(scripts['backup.sh']).toContain(`-mmin +${14 * 1440}`);
  });

  test('dumps the primary through postgresql-rw as the Nuxeo role, into the backup volume', () => {
    const c = pod(backup).containers[0];
    const envOf = Object.fromEntries(c.env.map((e: any) => [e.name, e.value]));
    expect(envOf.PGHOST).toBe('postgresql-rw.nuxeo-bk.svc.cluster.local');
    expect(envOf.BACKUP_DIR).toBe('/var/lib/postgresql-backup');
    expect(pod(backup).volumes).toContainEqual({ name: 'backup', persistentVolumeClaim: { claimName: 'postgresql-backup' } });
    const pvc = find(manifests, 'PersistentVolumeClaim', 'postgresql-backup');
    expect(pvc.spec).toMatchObject({ storageClassName: 'slow', resources: { requests: { storage: '80Gi' } } });
    expect(pod(backup).volumes).toContainEqual(expect.objectContaining({ name: 'app-password', secret: expect.objectContaining({ secretName: 'nuxeo-database', items: [{ key: 'nuxeo-password', path: 'app-password' }] }) }));
  });

  test('the restore job is the same pod running restore.sh, suspended: it runs only when started by hand, never retried', () => {
    expect(restore.spec.suspend).toBe(true);
    expect(restore.spec.jobTemplate.spec.backoffLimit).toBe(0);
    expect(pod(restore).containers[0].command).toEqual(['sh', '/etc/postgresql-backup/restore.sh']);
    expect(pod(restore).volumes).toEqual(pod(backup).volumes);
  });

  test('the database pods let the backup jobs in; the jobs reach only the pods postgresql-rw may select (the primary, or a replica promoted by hand)', () => {
    const backup = { podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'postgresql-backup' } } };
    expect(find(manifests, 'NetworkPolicy', 'postgresql-primary').spec.ingress[0].from).toContainEqual(backup);
    expect(find(manifests, 'NetworkPolicy', 'postgresql-replica').spec.ingress[0].from).toContainEqual(backup);
    const own = find(manifests, 'NetworkPolicy', 'postgresql-backup');
    expect(own.spec.ingress).toEqual([]);
    expect(own.spec.egress.slice(1)).toEqual([{
      to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'postgresql-primary' } } }, { podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'postgresql-replica' } } }],
      ports: [{ port: 5432, protocol: 'TCP' }],
    }]);
  });

  test('the CloudNativePG provider has no dump jobs (the operator backs up)', () => {
    const cnpg = exampleEnvironment('cloudnativepg');
    expect(allManifests(cnpg).filter((m) => m.kind === 'CronJob' && m.metadata.name.startsWith('postgresql'))).toEqual([]);
  });

  test('an object store with the statefulset provider is refused rather than ignored', () => {
    expect(() => environment('os', { database: { backup: { objectStore: { destinationPath: 's3://backups/pg' } } } })).toThrow(/database\.backup\.objectStore: is used only with provider 'cloudnativepg'/);
  });

  test('a schedule that is not cron is refused', () => {
    expect(() => environment('bad', { database: { backup: { schedule: 'nightly' } } })).toThrow(/database\.backup\.schedule: must be a cron schedule of five fields/);
  });
});
