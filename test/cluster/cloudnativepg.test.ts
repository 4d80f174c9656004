/**
 * CloudNativePG 1.30, built here and installed from its release manifest, running what synth
 * generates for test/cluster/environments/cloudnativepg.yaml (issue 24): bootstrap with only the
 * checklist's Secrets, reach through the generated NetworkPolicies, failover on `kubectl delete
 * pod` of the primary, base backup and WAL archiving to an S3 server in the cluster (versitygw),
 * the backup and archiving alerts raised by the documented Prometheus while that server is down,
 * and docs/backups.md's point-in-time-recovery runbook run as written. One deployment serves
 * every scenario, in order. Figures are printed at the end (docs/operators.md records them).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse } from 'yaml';
import { readmeBlock } from '../helpers';
import {
  CNPG_IMAGES, deleteCloudNativePgNamespace, installCloudNativePg, installObjectStore, OBJECT_STORE_NAMESPACE, OBJECT_STORE_URL, objectStoreFolder, objectStoreService,
} from './cloudnativepg';
import {
  apply, applyYaml, clientPod, ClientPod, clusterPaths, createSecrets, deleteNamespace, execSh, getJson, installMonitoringCrds, kubectl, leaveNamespaces, recycleVolumes, Run,
  Synthesized, synthEnvironment, waitFor, warnings,
} from './kube';
import { alertState, installPrometheus, installPrometheusOperator, prometheusApi, uninstallPrometheus } from './prometheus';
import { operatorImages } from './upstream';

const ENV_FILE = path.join(__dirname, 'environments/cloudnativepg.yaml');
const CLIENT_NS = 'cloudnativepg-client';
const OBJECT_STORE_HOST = new URL(OBJECT_STORE_URL).hostname;
/** Where the environment file says its Prometheus runs (monitoring.prometheus.namespace). */
const PROM_NS: string = parse(fs.readFileSync(ENV_FILE, 'utf8')).monitoring.prometheus.namespace;
const figures: Record<string, string | number> = {};
const seconds = (ms: number) => Math.round(ms / 100) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

jest.setTimeout(10 * 60 * 1000);

let env: Synthesized;
let ns: string;
let client: ClientPod;
let checklist: Record<string, Record<string, string>>;

/** A shell line in a pod's container; never throws on the exit code. */
function sh(pod: string, container: string, line: string, timeoutMs = 60000, input?: string): Promise<Run> {
  return execSh(ns, pod, container, line, timeoutMs, input);
}

const PSQL = 'PGPASSWORD="$NUXEO_DB_PASSWORD" PGCONNECT_TIMEOUT=3 /usr/lib/postgresql/15/bin/psql -h postgresql-rw -U nuxeo -d nuxeo -v ON_ERROR_STOP=1';

/** SQL as the Nuxeo role from a Nuxeo pod, through postgresql-rw, as Nuxeo connects. */
function nuxeoSql(sql: string, pod = 'nuxeo-0'): Promise<Run> {
  return sh(pod, 'nuxeo', `${PSQL} -tAc "${sql}"`);
}

/** SQL as postgres in an instance pod (local socket), as `kubectl exec` gives an operator. */
function instanceSql(pod: string, sql: string): Promise<Run> {
  return sh(pod, 'postgres', `psql -d nuxeo -tAc "${sql}"`);
}

const cluster = () => getJson(['-n', ns, 'cluster.postgresql.cnpg.io', 'postgresql']);
const primary = async (): Promise<string> => (await cluster()).status.currentPrimary;

async function healthy(instances = 3): Promise<boolean> {
  const c = await cluster();
  return c.status?.phase === 'Cluster in healthy state' && c.status?.readyInstances === instances;
}

/** Waits for `ready`; on timeout the error carries the Cluster's status, its pods, claims and recent events. */
async function waitForCluster(ready: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  try {
    return await waitFor(ready, timeoutMs, what);
  } catch (e) {
    const st = (await cluster().catch(() => ({}))).status ?? {};
    const more = await kubectl(['-n', ns, 'get', 'pods,pvc,events', '-o', 'wide'], { allowFail: true });
    throw new Error(`${String(e)}\nCluster: ${st.phase} (${st.phaseReason ?? ''}), ready ${st.readyInstances}, ${JSON.stringify(st.instancesStatus)}\n${more.stdout.split('\n').slice(-60).join('\n')}`);
  }
}

beforeAll(async () => {
  figures['operator builds + image pushes (s)'] = operatorImages(...CNPG_IMAGES, 'prometheus-operator', 'prometheus');
  env = synthEnvironment(ENV_FILE);
  ns = env.namespace;
  const start = Date.now();
  await Promise.all([installCloudNativePg(), installPrometheusOperator()]);
  figures['operators installed (s)'] = seconds(Date.now() - start);
  // A previous run's leftovers, deleted while the operator runs (its finalizers).
  await Promise.all([deleteCloudNativePgNamespace(ns), deleteNamespace(CLIENT_NS), uninstallPrometheus(PROM_NS)]);
  await installMonitoringCrds();
  await apply([env.files[0]]);
  checklist = await createSecrets(env);
  const s3 = checklist['nuxeo-backup-s3'];
  if (!s3) throw new Error(`the checklist names no nuxeo-backup-s3 Secret: ${env.secretCommands.join('\n')}`);
  await installObjectStore(s3['access-key-id'], s3['secret-access-key']);
  await recycleVolumes();
  const run = await apply(env.files.slice(1));
  // CloudNativePG 1.30's webhook warns of the in-tree barmanObjectStore (docs/cloudnativepg.md says so); nothing else.
  const warned = warnings(run);
  expect(warned.filter((w) => !/Native support for Barman Cloud backups and recovery is deprecated/.test(w))).toEqual([]);
  figures['admission warnings on apply'] = warned.join(' | ');
  await kubectl(['create', 'namespace', CLIENT_NS]);
  client = await clientPod(CLIENT_NS, 'client');
}, 20 * 60 * 1000);

afterAll(async () => {
  console.log(`cloudnativepg figures:\n${Object.entries(figures).map(([k, v]) => `  ${k}: ${v}`).join('\n')}`);
  fs.writeFileSync(path.join(os.tmpdir(), 'cloudnativepg-figures.json'), JSON.stringify(figures, null, 2));
  if (ns) await leaveNamespaces(ns, CLIENT_NS, OBJECT_STORE_NAMESPACE, PROM_NS);
}, 60 * 1000);

describe('CloudNativePG bootstrap', () => {
  it('bootstraps the generated Cluster and ScheduledBackup with only the Secrets of the checklist (480 s)', async () => {
    // The checklist names the application role's basic-auth Secret with its username, and the object store's keys.
    expect(Object.keys(checklist).sort()).toEqual(['nuxeo-backup-s3', 'nuxeo-database-app', 'nuxeo-jwt', 'nuxeo-redis']);
    expect(checklist['nuxeo-database-app'].username).toBe('nuxeo');
    const ms = await waitForCluster(() => healthy(), 8 * 60 * 1000, 'Cluster postgresql healthy with 3 ready instances');
    figures['bootstrap to 3 healthy instances (s)'] = seconds(ms);
    const sb = await getJson(['-n', ns, 'scheduledbackups.postgresql.cnpg.io', 'postgresql']);
    expect(sb.spec.immediate).toBe(true);
  });

  it('lets the Nuxeo stand-in reach postgresql-rw through the generated NetworkPolicies, and refuses another namespace (300 s)', async () => {
    await kubectl(['-n', ns, 'rollout', 'status', 'statefulset/nuxeo', '--timeout=300s'], { timeoutMs: 310000 });
    const r = await nuxeoSql('create table if not exists probe (id int primary key, at timestamptz not null default clock_timestamp()); select current_user');
    expect(r.stderr).toBe('');
    // psql prints CREATE TABLE's tag first, then the query's row.
    expect(r.stdout.trim().split('\n').pop()).toBe('nuxeo');
    const refused = await client.sh(`timeout 5 bash -c '</dev/tcp/postgresql-rw.${ns}.svc.cluster.local/5432' && echo open || echo closed`, 20000);
    expect(refused.stdout.trim()).toBe('closed');
  });
});

/** Forces a WAL switch on the primary and waits until the archiver has the segment; the milliseconds it took. */
async function archiveCurrentWal(timeoutMs = 180000): Promise<number> {
  const p = await primary();
  const file = (await instanceSql(p, 'select pg_walfile_name(pg_current_wal_lsn())')).stdout.trim();
  await instanceSql(p, 'select pg_switch_wal()');
  // 180 s by default: after failures PostgreSQL's archiver may wait up to a minute before its next attempt.
  return waitFor(async () => (await instanceSql(p, 'select last_archived_wal from pg_stat_archiver')).stdout.trim() >= file, timeoutMs, `WAL ${file} archived`);
}

/** Files under a folder of the object store's volume, relative to it. */
function storeFiles(root: string, sub: string): string[] {
  const dir = path.join(root, sub);
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile())
    .map((d) => path.relative(root, path.join(d.parentPath, d.name))).sort();
}

describe('CloudNativePG backups to versitygw', () => {
  it('completes the immediate base backup and archives WAL segments into the bucket (300 s)', async () => {
    await waitFor(async () => {
      const list = await getJson(['-n', ns, 'backups.postgresql.cnpg.io']);
      const failed = list.items.find((b: any) => b.status?.phase === 'failed');
      if (failed) throw new Error(`backup ${failed.metadata.name} failed: ${failed.status.error}`);
      return list.items.some((b: any) => b.status?.phase === 'completed');
    }, 5 * 60 * 1000, 'a completed Backup');
    const done = (await getJson(['-n', ns, 'backups.postgresql.cnpg.io'])).items.find((b: any) => b.status?.phase === 'completed');
    figures['immediate base backup (s, started to stopped)'] = seconds(Date.parse(done.status.stoppedAt) - Date.parse(done.status.startedAt));
    figures['WAL segment archived after pg_switch_wal (s)'] = seconds(await archiveCurrentWal());
    const archiver = (await instanceSql(await primary(), 'select archived_count, failed_count, last_archived_wal from pg_stat_archiver')).stdout.trim().split('|');
    expect(Number(archiver[0])).toBeGreaterThan(0);
    figures['pg_stat_archiver (archived, failed, last)'] = archiver.join(', ');
    // In the bucket (versitygw's posix backend: one folder per bucket, one file per object).
    const root = await objectStoreFolder();
    const wals = storeFiles(root, 'acme-nuxeo-backups/postgresql/postgresql/wals');
    const base = storeFiles(root, `acme-nuxeo-backups/postgresql/postgresql/base/${done.status.backupId}`);
    expect(wals.some((f) => f.endsWith(`/${archiver[2]}.gz`))).toBe(true);
    expect(base.some((f) => f.endsWith('data.tar.gz'))).toBe(true);
    figures['objects in the bucket (WAL segments, base backup files)'] = `${wals.length}, ${base.length}`;
    expect((await cluster()).status.conditions.find((c: any) => c.type === 'ContinuousArchiving')?.status).toBe('True');
  });
});

/** docs/backups.md's "A base backup now" commands, run by bash as a user would, with $NS set. */
function backupNow(): void {
  userShell(readmeBlock('<!-- Run verbatim, with $NS set, by test/cluster/cloudnativepg.test.ts. -->'));
}

/** The names of the Backups there are now. */
async function backupNames(): Promise<Set<string>> {
  return new Set((await getJson(['-n', ns, 'backups.postgresql.cnpg.io'])).items.map((b: any) => b.metadata.name));
}

/** Waits until the one Backup not in `known` (made by backupNow) reaches `phase`; its name and error. */
async function newBackup(known: Set<string>, phase: string, timeoutMs: number): Promise<{ name: string; error?: string }> {
  let fresh: any[] = [];
  await waitFor(async () => {
    fresh = (await getJson(['-n', ns, 'backups.postgresql.cnpg.io'])).items.filter((b: any) => !known.has(b.metadata.name));
    return fresh.length === 1 && fresh[0].status?.phase === phase;
  }, timeoutMs, `the new Backup ${phase}`).catch((e) => {
    throw new Error(`${e.message}\nnew Backups: ${JSON.stringify(fresh.map((b) => ({ name: b.metadata.name, status: b.status })))}`);
  });
  return { name: fresh[0].metadata.name, error: fresh[0].status.error };
}

/** Waits until alert `name` of this environment is in `state` (undefined: neither pending nor firing); the milliseconds it took. */
function alertIn(name: string, state: 'pending' | 'firing' | undefined, timeoutMs: number): Promise<number> {
  return waitFor(async () => (await alertState(PROM_NS, name)) === state, timeoutMs, `alert ${name} ${state ?? 'cleared'}`);
}

describe('CloudNativePG alerts when the object store is unreachable', () => {
  const ALERTS = ['NuxeoPostgresqlBackupFailed', 'NuxeoPostgresqlWalArchivingStalled'];

  it('has the documented Prometheus scrape every instance and raise no PostgreSQL alert while the store answers (300 s)', async () => {
    await installPrometheus(PROM_NS, ns);
    const pods = (await getJson(['-n', ns, 'pods', '-l', 'cnpg.io/cluster=postgresql'])).items.map((p: any) => p.metadata.name).sort();
    expect(pods).toHaveLength(3);
    let upAt = 0;
    await waitFor(async () => {
      const up = (await prometheusApi(PROM_NS, '/api/v1/targets?state=active')).activeTargets
        .filter((t: any) => t.labels.namespace === ns && pods.includes(t.labels.pod) && t.health === 'up').map((t: any) => t.labels.pod);
      upAt = Date.now();
      return pods.every((p: string) => up.includes(p));
    }, 4 * 60 * 1000, `metrics targets of ${pods.join(', ')} up`);
    // Both rules evaluated on data scraped once every target was up.
    await waitFor(async () => {
      const rules = (await prometheusApi(PROM_NS, '/api/v1/rules?type=alert')).groups.flatMap((g: any) => g.rules).filter((r: any) => ALERTS.includes(r.name));
      return rules.length === ALERTS.length && rules.every((r: any) => r.health === 'ok' && Date.parse(r.lastEvaluation) > upAt + 30000);
    }, 3 * 60 * 1000, `${ALERTS.join(', ')} evaluated after a scrape of every target`);
    const raised = (await prometheusApi(PROM_NS, '/api/v1/alerts')).alerts.filter((a: any) => a.labels.namespace === ns && /^NuxeoPostgresql/.test(a.labels.alertname));
    expect(raised.map((a: any) => `${a.labels.alertname} (${a.state})`)).toEqual([]);
  });

  it('fires NuxeoPostgresqlBackupFailed and NuxeoPostgresqlWalArchivingStalled with the store down; both clear once it is back and a backup completes (900 s)', async () => {
    const known = await backupNames();
    // The store goes away: its Service deleted, the name no longer resolves (versitygw and its data
    // stay). Back in `finally`: the point-in-time recovery below reads it. (Scaled to 0 instead,
    // connections to the Service without endpoints hang on this cluster, and each attempt of
    // barman-cloud fails only after botocore's 5 connect timeouts of 60 s: docs/operators.md.)
    const t0 = Date.now();
    await kubectl(['-n', OBJECT_STORE_NAMESPACE, 'delete', 'service', 'versitygw']);
    try {
      const p = await primary();
      await waitFor(async () => (await instanceSql(p, 'select 1')).code === 0
        && (await sh(p, 'postgres', `getent hosts ${OBJECT_STORE_HOST}`)).code !== 0, 120000, `${OBJECT_STORE_HOST} no longer resolving`);
      // WAL to archive, and a base backup asked for as docs/backups.md says.
      await nuxeoSql('insert into probe(id) values (9001)');
      await instanceSql(p, 'select pg_switch_wal()');
      backupNow();
      const failed = await newBackup(known, 'failed', 8 * 60 * 1000);
      figures['store down: backup failed after (s)'] = seconds(Date.now() - t0);
      figures['store down: the failed backup\'s error'] = failed.error ?? '';
      await alertIn('NuxeoPostgresqlBackupFailed', 'firing', 4 * 60 * 1000);
      figures['store down: NuxeoPostgresqlBackupFailed firing after (s)'] = seconds(Date.now() - t0);
      await alertIn('NuxeoPostgresqlWalArchivingStalled', 'pending', 8 * 60 * 1000);
      figures['store down: NuxeoPostgresqlWalArchivingStalled pending after (s)'] = seconds(Date.now() - t0);
      // Its `for` is 5 minutes.
      await alertIn('NuxeoPostgresqlWalArchivingStalled', 'firing', 8 * 60 * 1000);
      figures['store down: NuxeoPostgresqlWalArchivingStalled firing after (s)'] = seconds(Date.now() - t0);
    } finally {
      await applyYaml(JSON.stringify(objectStoreService()));
    }

    // The store back: the WAL that waited is archived, the archiving alert clears; a new backup completes, the backup alert clears.
    const t1 = Date.now();
    await archiveCurrentWal(6 * 60 * 1000);
    await alertIn('NuxeoPostgresqlWalArchivingStalled', undefined, 4 * 60 * 1000);
    figures['store back: NuxeoPostgresqlWalArchivingStalled cleared after (s)'] = seconds(Date.now() - t1);
    const knownNow = await backupNames();
    backupNow();
    await newBackup(knownNow, 'completed', 5 * 60 * 1000);
    await alertIn('NuxeoPostgresqlBackupFailed', undefined, 4 * 60 * 1000);
    figures['store back: NuxeoPostgresqlBackupFailed cleared after a completed backup (s)'] = seconds(Date.now() - t1);
  }, 30 * 60 * 1000);
});

/** From a Nuxeo pod, one insert per connection through postgresql-rw, 4 a second, until 15 succeed after a failure. */
function writer(): Promise<Run> {
  const psql = `${PSQL.replace('PGCONNECT_TIMEOUT=3', 'PGCONNECT_TIMEOUT=2 timeout 5')} -tAc`;
  return sh('nuxeo-0', 'nuxeo', `i=1000; failed=0; after=0; end=$(($(date +%s)+240))
    while [ $after -lt 15 ] && [ $(date +%s) -lt $end ]; do i=$((i+1))
      if ${psql} "insert into probe(id) values ($i)" >/dev/null 2>&1; then echo "ok $i $(date +%s.%N)"; [ $failed = 1 ] && after=$((after+1))
      else echo "fail $i $(date +%s.%N)"; failed=1; fi; sleep 0.25; done`, 300000);
}

describe('CloudNativePG failover', () => {
  it('promotes a standby when the primary pod is deleted; postgresql-rw follows, no acknowledged row lost, the old primary rejoins (480 s)', async () => {
    const old = await primary();
    const writes = writer();
    await sleep(3000);
    const t0 = Date.now();
    await kubectl(['-n', ns, 'delete', 'pod', old, '--wait=false']);
    const promoted = await waitForCluster(async () => {
      const s = (await cluster()).status;
      return s.currentPrimary !== old && s.currentPrimary === s.targetPrimary;
    }, 3 * 60 * 1000, 'a standby promoted');
    const lines = (await writes).stdout.trim().split('\n').map((l) => l.split(' '));
    const acked = lines.filter((l) => l[0] === 'ok').map((l) => Number(l[1]));
    const failedAt = lines.filter((l) => l[0] === 'fail').map((l) => Number(l[2]));
    const okAt = lines.filter((l) => l[0] === 'ok').map((l) => Number(l[2]));
    expect(failedAt.length).toBeGreaterThan(0);
    const lastOkBefore = Math.max(...okAt.filter((t) => t < failedAt[0]));
    const firstOkAfter = Math.min(...okAt.filter((t) => t > failedAt[failedAt.length - 1]));
    const present = new Set((await nuxeoSql('select id from probe where id > 1000')).stdout.trim().split('\n').map(Number));
    expect(acked.filter((id) => !present.has(id))).toEqual([]);
    await waitForCluster(async () => (await healthy()) && (await instanceSql(old, 'select pg_is_in_recovery()')).stdout.trim() === 't', 5 * 60 * 1000, `${old} back as a standby`);
    figures['failover: delete of the primary to the new primary in status (s)'] = seconds(promoted);
    figures['failover: writes through postgresql-rw unavailable (s)'] = Math.round((firstOkAfter - lastOkBefore) * 10) / 10;
    figures['failover: acknowledged rows, all present'] = `${acked.length} of ${acked.length}`;
    figures['failover: old primary back as a standby, from the delete (s)'] = seconds(Date.now() - t0);
  });
});

/** docs/backups.md's point-in-time-recovery runbook: each step's inline `kubectl` commands and the yaml of step 3. */
function runbook(): { steps: string[][]; snippet: any } {
  const doc = fs.readFileSync(path.join(__dirname, '../../docs/backups.md'), 'utf8');
  const section = doc.split('## Point-in-time recovery (`cloudnativepg` provider)')[1]?.split(/\n## /)[0];
  if (!section) throw new Error('docs/backups.md: no section "Point-in-time recovery (`cloudnativepg` provider)"');
  const steps = section.split(/\n(?=\d+\. )/).filter((s) => /^\d+\. /.test(s));
  const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('docs/backups.md: no yaml block in "Point-in-time recovery"');
  const commands = steps.map((s) => [...s.replace(/```[\s\S]*?```/g, '').matchAll(/`(kubectl [^`]+)`/g)].map((m) => m[1]));
  return { steps: commands, snippet: parse(block.replace(/^ {3}/gm, '')) };
}

/** A runbook line run by bash as a user would, with $NS set and our kubectl and kubeconfig. */
function userShell(line: string): void {
  const { kubeconfig, kubectl: bin } = clusterPaths();
  const r = spawnSync('bash', ['-c', line], { encoding: 'utf8', timeout: 240000, env: { ...process.env, NS: ns, KUBECONFIG: kubeconfig, PATH: `${path.dirname(bin)}:${process.env.PATH}` } });
  if (r.status !== 0) throw new Error(`runbook line \`${line}\` exited ${r.status}:\n${r.stderr}${r.stdout}`);
}

/** Inserts ids from..from+n-1, one transaction each, 100 ms apart; their commit times follow. */
async function insertSpaced(from: number, n: number): Promise<void> {
  const script = Array.from({ length: n }, (_, i) => `insert into probe(id) values (${from + i});\nselect pg_sleep(0.1);`).join('\n');
  const r = await sh('nuxeo-0', 'nuxeo', `${PSQL} -q -f -`, 60000, `${script}\n`);
  if (r.code !== 0) throw new Error(`inserts: ${r.stderr}`);
}

describe('CloudNativePG point-in-time recovery', () => {
  it("restores a new cluster to a chosen time with docs/backups.md's runbook: rows before it present, after it absent (900 s)", async () => {
    const { steps, snippet } = runbook();
    // 30 rows 100 ms apart; the target: halfway between the 15th and the 16th commit.
    await insertSpaced(5001, 30);
    const times = (await nuxeoSql("select id, extract(epoch from at) from probe where id between 5001 and 5030 order by id")).stdout.trim().split('\n').map((l) => Number(l.split('|')[1]));
    const targetEpoch = (times[14] + times[15]) / 2;
    const target = new Date(targetEpoch * 1000).toISOString();
    await archiveCurrentWal();

    // Steps 1 and 2 as written: stop Nuxeo, delete the old Cluster.
    for (const line of [...steps[0], ...steps[1]]) userShell(line);
    await recycleVolumes();
    // Step 3: the snippet in the environment file (our target time), synthesize, apply 10-database.
    snippet.database.cloudnativepg.recovery.targetTime = target;
    const file = parse(fs.readFileSync(ENV_FILE, 'utf8'));
    file.database.cloudnativepg = { ...file.database.cloudnativepg, ...snippet.database.cloudnativepg };
    const recoveredEnv = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pitr-')), 'cloudnativepg.yaml');
    fs.writeFileSync(recoveredEnv, JSON.stringify(file));
    const recovered = synthEnvironment(recoveredEnv);
    const start = Date.now();
    await apply([recovered.files.find((f) => f.endsWith('10-database.k8s.yaml'))!]);
    await waitForCluster(() => healthy(), 10 * 60 * 1000, 'the recovered Cluster healthy');
    figures['PITR: apply to a healthy recovered cluster of 3 (s)'] = seconds(Date.now() - start);

    const rows = (await instanceSql(await primary(), 'select id, extract(epoch from at) from probe where id between 5001 and 5030 order by id')).stdout.trim().split('\n').map((l) => l.split('|').map(Number));
    expect(rows.map((r) => r[0])).toEqual(Array.from({ length: 15 }, (_, i) => 5001 + i));
    figures['PITR: target time'] = target;
    figures['PITR: newest row present / oldest row absent vs target (ms)'] = `-${Math.round((targetEpoch - times[14]) * 1000)} / +${Math.round((times[15] - targetEpoch) * 1000)}`;

    // Step 4: start Nuxeo; it reaches the recovered cluster's postgresql-rw.
    await kubectl(['-n', ns, 'scale', 'statefulset', 'nuxeo', '--replicas=2']);
    await kubectl(['-n', ns, 'rollout', 'status', 'statefulset/nuxeo', '--timeout=300s'], { timeoutMs: 310000 });
    expect((await nuxeoSql('select count(*) from probe where id between 5001 and 5030')).stdout.trim()).toBe('15');
  }, 15 * 60 * 1000);
});
