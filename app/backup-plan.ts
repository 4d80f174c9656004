/**
 * What protects each place a Nuxeo repository lives, for one environment: the rows of
 * SUMMARY.md's "Backups" table and the synth warning for what has no generated backup.
 */
import type { EnvironmentSpec } from './environment';

export interface BackupRow {
  readonly data: string;
  /** What is copied, or `none generated`. */
  readonly what: string;
  readonly where: string;
  readonly schedule: string;
  readonly kept: string;
  /** The recovery point a user can expect. */
  readonly recoveryPoint: string;
  /** False when nothing is generated: synth warns. */
  readonly generated: boolean;
}

export function backupPlan(spec: EnvironmentSpec): BackupRow[] {
  const db = spec.database;
  const es = spec.elasticsearch.snapshots;
  const b = spec.nuxeo.binaries;
  /** A managed service's own backups: nothing to generate, nothing to warn about. */
  const byProvider = (data: string, where: string): BackupRow =>
    ({ data, what: "the provider's (automated backups, snapshots)", where, schedule: 'as set at the provider', kept: 'as set at the provider', recoveryPoint: "the provider's", generated: true });
  const rows: BackupRow[] = [
    db.managed
      ? byProvider('PostgreSQL (managed)', `\`${db.managed.host}\``)
      : db.provider === 'cloudnativepg'
      ? {
        data: 'PostgreSQL (CloudNativePG)',
        what: 'base backups + continuous WAL archive',
        where: `\`${db.backup.objectStore!.destinationPath}\` (server ${db.cloudnativepg.serverName})`,
        schedule: `WAL continuously, base backup \`${db.backup.schedule}\` (UTC)`,
        kept: `${db.backup.retentionDays} days (retentionPolicy)`,
        recoveryPoint: 'about 5 minutes (archive_timeout); any point in time inside the retention',
        generated: true,
      }
      : {
        data: 'PostgreSQL',
        what: `pg_dump of database ${db.name}`,
        where: `PVC \`postgresql-backup\` (${db.backup.storage.size}), same cluster`,
        schedule: `\`${db.backup.schedule}\` (UTC)`,
        kept: `${db.backup.retentionDays} days`,
        recoveryPoint: 'the last dump (one schedule interval)',
        generated: true,
      },
    spec.elasticsearch.managed ? byProvider('Elasticsearch (managed)', spec.elasticsearch.managed.urls.map((u) => `\`${u}\``).join(', ')) : {
      data: 'Elasticsearch (indexes, audit)',
      what: 'snapshot of every index (SLM policy nuxeo-daily)',
      where: `PVC \`elasticsearch-snapshots\` (${es.storage.size}, ReadWriteMany)`,
      schedule: `\`${es.schedule}\` (Elasticsearch cron)`,
      kept: `${es.expireAfter}, at least ${es.minCount}, at most ${es.maxCount}`,
      recoveryPoint: 'the last snapshot; audit entries after it are lost',
      generated: true,
    },
    b.type === 's3'
      ? { data: 'Binary store (S3)', what: 'none generated', where: `bucket \`${b.s3!.bucket}\``, schedule: '-', kept: '-', recoveryPoint: 'enable bucket versioning (and replication)', generated: false }
      : { data: 'Binary store (volume)', what: 'none generated', where: `PVC \`nuxeo-binaries\` (${b.size})`, schedule: '-', kept: '-', recoveryPoint: 'your storage snapshots or VolumeSnapshots', generated: false },
    { data: 'Chronicle Queue', what: 'none generated', where: `PVCs \`data-nuxeo-<n>\` (${spec.nuxeo.data.size} each)`, schedule: '-', kept: '-', recoveryPoint: 'VolumeSnapshots (only pending stream records are at stake)', generated: false },
    spec.redis.managed ? byProvider('Redis (managed)', `\`${spec.redis.managed.host}\``) : { data: 'Redis', what: 'none generated (AOF + RDB on its volume, replicas)', where: 'the Redis PVCs', schedule: '-', kept: '-', recoveryPoint: 'VolumeSnapshots if queued Works must survive a loss of every copy', generated: false },
  ];
  return rows;
}

/** One warning naming every tier left without a generated backup, or none. */
export function backupWarnings(spec: EnvironmentSpec): string[] {
  const missing = backupPlan(spec).filter((r) => !r.generated);
  if (!missing.length) return [];
  return [
    `No backup is generated for: ${missing.map((r) => `${r.data}: ${r.recoveryPoint}`).join('; ')}. ` +
      'See README "Backups and restore" for the procedures.',
  ];
}

export function renderBackupTable(spec: EnvironmentSpec): string {
  return `| Data | Backed up | Where | How often | Kept | Recovery point |
|---|---|---|---|---|---|
${backupPlan(spec).map((r) => `| ${[r.data, r.what, r.where, r.schedule, r.kept, r.recoveryPoint].join(' | ')} |`).join('\n')}`;
}
