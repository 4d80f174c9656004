/**
 * CloudNativePG Cluster changes, after the operator's admission webhook (cloudnative-pg v1.30.0
 * internal/webhook/v1/cluster_webhook.go, validateClusterChanges) and its rollout logic
 * (internal/controller/cluster_upgrade.go: replicas are restarted first, the primary last).
 */
import { changedPaths, under } from './diff';
import { quantityBytes } from './core-kinds';
import { Change, changeOf, kubectl, Located, Manifest } from './types';

/**
 * PostgreSQL parameters that take effect only at server start (pg_settings.context 'postmaster'),
 * among those an environment can set; test/servers/plan-parameters.test.ts checks each against a
 * real PostgreSQL. A change sets pending_restart, and CloudNativePG restarts the instances
 * (cluster_upgrade.go isInstanceNeedingRollout: "Postgres needs a restart to apply some configuration changes").
 */
export const RESTART_PARAMETERS = new Set([
  'archive_mode', 'autovacuum_freeze_max_age', 'autovacuum_max_workers', 'autovacuum_multixact_freeze_max_age', 'dynamic_shared_memory_type',
  'hot_standby', 'huge_pages', 'listen_addresses', 'max_connections', 'max_files_per_process', 'max_locks_per_transaction',
  'max_logical_replication_workers', 'max_pred_locks_per_transaction', 'max_prepared_transactions', 'max_replication_slots',
  'max_wal_senders', 'max_worker_processes', 'old_snapshot_threshold', 'port', 'shared_buffers', 'shared_memory_type',
  'shared_preload_libraries', 'superuser_reserved_connections', 'track_activity_query_size', 'track_commit_timestamp',
  'wal_buffers', 'wal_level', 'wal_log_hints',
]);

/** The major version in an image tag (ghcr.io/cloudnative-pg/postgresql:16.4-system-trixie -> 16). */
export function majorOf(image: string): number {
  return Number(/:(\d+)/.exec(image)?.[1] ?? NaN);
}

function refusals(a: Manifest, b: Manifest, fields: string[]): string[] {
  const out: string[] = [];
  const size = (m: Manifest) => quantityBytes(m.spec?.storage?.size);
  if (size(b) < size(a)) out.push(`storage shrinks ${a.spec.storage.size} → ${b.spec.storage.size} (validateStorageConfigurationChange)`);
  for (const f of ['postgresUID', 'postgresGID']) if (fields.includes(`spec.${f}`)) out.push(`${f} is immutable (validateUnixPermissionIdentifierChange)`);
  const [from, to] = [majorOf(a.spec.imageName ?? ''), majorOf(b.spec.imageName ?? '')];
  if (to < from) out.push(`PostgreSQL major downgrade ${from} → ${to} (validateImageChange)`);
  if (from < to && to < 16) out.push(`major upgrade to ${to}: only to 16 or later (validateImageChange)`);
  const params = fields.some((f) => under(f, 'spec.postgresql.parameters'));
  if (fields.includes('spec.imageName') && params && b.spec.primaryUpdateMethod === 'switchover') {
    out.push('image and parameters changed together with primaryUpdateMethod switchover (validateConfigurationChange)');
  }
  const wal = (m: Manifest) => m.spec?.postgresql?.parameters?.wal_level;
  if (wal(b) === 'minimal' && wal(a) && wal(a) !== 'minimal') out.push('wal_level may not become minimal (validateWALLevelChange)');
  return out;
}

export function clusterChanges(before: Located, after: Located): Change[] {
  const [a, b] = [before.manifest, after.manifest];
  const fields = changedPaths(a, b).filter((p) => !p.startsWith('status'));
  const refused = refusals(a, b, fields);
  if (refused.length) {
    return [changeOf(b, { effect: 'rejected', fields, summary: `rejected by the API server: Cluster ${b.metadata.name} (CloudNativePG webhook)`,
      reason: `CloudNativePG's validating webhook refuses: ${refused.join('; ')} (internal/webhook/v1/cluster_webhook.go). Revert the field, or build a new Cluster and move the data (docs/provider-switch.md, dump and restore).`,
      commands: [] })];
  }
  const out: Change[] = [];
  const take = (pred: (f: string) => boolean) => fields.filter(pred);
  const bootstrap = take((f) => under(f, 'spec.bootstrap'));
  if (bootstrap.length) out.push(changeOf(b, { effect: 'operator-action', fields: bootstrap, summary: `needs an operator action: Cluster ${b.metadata.name} bootstrap`,
    reason: 'spec.bootstrap is read only when the Cluster is created: the running database is not changed. Make the change in the database by hand (psql) if it is meant.' }));
  const storageClass = take((f) => f === 'spec.storage.storageClass');
  if (storageClass.length) out.push(changeOf(b, { effect: 'operator-action', fields: storageClass, summary: `needs an operator action: Cluster ${b.metadata.name} storage class`, dataAtStake: true,
    reason: 'Only instances created from now on get the new StorageClass; existing ones keep their volumes. Re-create each replica (delete its PVC and pod: the operator clones it again), then switch over and re-create the old primary.',
    commands: [`${kubectl(b)} get pods -l cnpg.io/cluster=${b.metadata.name} -L role`, `# for each replica, one at a time: ${kubectl(b)} delete pvc/<instance> pod/<instance>`] }));
  const size = take((f) => f === 'spec.storage.size');
  if (size.length) out.push(changeOf(b, { effect: 'operator-action', fields: size, summary: `needs an operator action: Cluster ${b.metadata.name} ${a.spec.storage.size} → ${b.spec.storage.size}`,
    reason: 'CloudNativePG grows the instances\' claims; the API server admits it only if the StorageClass allows volume expansion.',
    commands: [`kubectl get storageclass ${b.spec.storage.storageClass ?? '<default class>'} -o jsonpath='{.allowVolumeExpansion}'`] }));
  const [from, to] = [majorOf(a.spec.imageName ?? ''), majorOf(b.spec.imageName ?? '')];
  const major = to > from ? take((f) => f === 'spec.imageName') : [];
  // docs/src/postgres_upgrades.md "Offline In-Place Major Upgrades"; pkg/reconciler/majorupgrade.
  if (major.length) out.push(changeOf(b, { effect: 'operator-action', fields: major, dataAtStake: true, summary: `needs an operator action: Cluster ${b.metadata.name} PostgreSQL ${from} → ${to}`,
    reason: 'A new major: CloudNativePG shuts down every instance and runs pg_upgrade --link in a Job (pkg/reconciler/majorupgrade): the database is down until it ends, and there is no way back but a backup. Take a backup and check it first.',
    commands: [`${kubectl(b)} get cluster ${b.metadata.name} -o jsonpath='{.status.firstRecoverabilityPoint}'`, `${kubectl(b)} get cluster ${b.metadata.name} -w`] }));
  const instances = take((f) => f === 'spec.instances');
  if (instances.length) out.push(changeOf(b, { effect: 'scales', fields: instances, summary: `scales: ${b.metadata.name} ${a.spec.instances} → ${b.spec.instances}`,
    reason: 'The operator adds instances by cloning the primary, or removes replicas (never the primary).' }));
  const restart = take((f) => under(f, 'spec.postgresql.parameters') && RESTART_PARAMETERS.has(f.split('.').pop()!));
  const pods = take((f) => !major.includes(f) && ['spec.imageName', 'spec.resources', 'spec.affinity', 'spec.priorityClassName', 'spec.topologySpreadConstraints', 'spec.env', 'spec.imagePullPolicy'].some((r) => under(f, r)));
  if (restart.length || pods.length) out.push(changeOf(b, { effect: 'rolls-pods', fields: [...restart, ...pods], summary: `rolls pods: ${b.metadata.name}`,
    reason: `${restart.length ? `${restart.map((f) => f.split('.').pop()).join(', ')} take effect only at server start. ` : ''}CloudNativePG restarts the replicas one at a time, then the primary (primaryUpdateMethod ${b.spec.primaryUpdateMethod ?? 'restart'}; cluster_upgrade.go): a short write outage.`,
    commands: [`${kubectl(b)} get cluster ${b.metadata.name} -w`] }));
  const done = new Set([...bootstrap, ...storageClass, ...size, ...major, ...instances, ...restart, ...pods]);
  const rest = fields.filter((f) => !done.has(f));
  if (rest.length) out.push(changeOf(b, { effect: 'updated', fields: rest, reason: 'Applied by the operator without restarting PostgreSQL (reloadable parameters, backup settings, metadata).' }));
  return out;
}
