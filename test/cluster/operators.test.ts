/**
 * The controllers the generated objects rely on, running for real on the test cluster (issue 24):
 * CloudNativePG 1.30 bootstraps, fails over, backs up and recovers the generated Cluster;
 * prometheus-operator + Prometheus scrape the generated PodMonitors and evaluate the generated
 * PrometheusRule; Traefik routes the generated Ingress with the generated sticky cookie. One
 * deployment of test/cluster/environments/cloudnativepg.yaml serves every scenario, in order
 * (the disruptive ones last). Each figure is printed at the end (docs/operators.md records them).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { apply, applyYaml, clientPod, ClientPod, createSecrets, deleteNamespace, getJson, kubectl, recycleVolumes, Run, synthEnvironment, Synthesized, waitFor, warnings } from './kube';
import {
  installCloudNativePg, installObjectStore, installPrometheus, installPrometheusOperator, installTraefik, operatorImages, prometheusApi,
} from './operators';

const ENV_FILE = path.join(__dirname, 'environments/cloudnativepg.yaml');
const OBJECT_LABELS = { 'app.kubernetes.io/part-of': 'nuxeo-compact' };
const figures: Record<string, string | number> = {};
const seconds = (ms: number) => Math.round(ms / 100) / 10;

jest.setTimeout(15 * 60 * 1000);

let env: Synthesized;
let ns: string;
let client: ClientPod;

/** A shell line in a pod's container; returns the run (never throws on the exit code). */
function sh(pod: string, container: string, line: string, timeoutMs = 60000): Promise<Run> {
  return kubectl(['-n', ns, 'exec', pod, '-c', container, '--', 'sh', '-c', line], { allowFail: true, timeoutMs });
}

/** SQL as the Nuxeo role from a Nuxeo pod, through postgresql-rw, as Nuxeo connects. */
function nuxeoSql(sql: string, pod = 'nuxeo-0'): Promise<Run> {
  return sh(pod, 'nuxeo', `PGPASSWORD="$NUXEO_DB_PASSWORD" PGCONNECT_TIMEOUT=3 /usr/lib/postgresql/15/bin/psql -h postgresql-rw -U nuxeo -d nuxeo -v ON_ERROR_STOP=1 -tAc "${sql}"`);
}

/** SQL as postgres in an instance pod (local socket, peer authentication), as `kubectl exec` gives an operator. */
function instanceSql(pod: string, sql: string): Promise<Run> {
  return sh(pod, 'postgres', `psql -d nuxeo -tAc "${sql}"`);
}

const cluster = () => getJson(['-n', ns, 'cluster.postgresql.cnpg.io', 'postgresql']);

async function healthy(instances = 3): Promise<boolean> {
  const c = await cluster();
  return c.status?.phase === 'Cluster in healthy state' && c.status?.readyInstances === instances;
}

async function alertState(name: string): Promise<string | undefined> {
  const data = await prometheusApi('/api/v1/alerts');
  const states = data.alerts.filter((a: any) => a.labels.alertname === name).map((a: any) => a.state);
  return states.includes('firing') ? 'firing' : states.includes('pending') ? 'pending' : undefined;
}

/** Waits until the alert is pending or firing; the milliseconds it took. */
function alertRaised(name: string, timeoutMs: number): Promise<number> {
  return waitFor(async () => (await alertState(name)) !== undefined, timeoutMs, `alert ${name} pending or firing`);
}

beforeAll(async () => {
  figures['operator builds + image pushes (s)'] = operatorImages();
  env = synthEnvironment(ENV_FILE);
  ns = env.namespace;
  // A previous run's leftovers (the bucket's folders would make barman refuse to archive).
  await Promise.all([deleteNamespace(ns), deleteNamespace('object-store')]);
  await recycleVolumes();
  const start = Date.now();
  await Promise.all([installCloudNativePg(), installPrometheusOperator(), installTraefik()]);
  figures['operators installed (s)'] = seconds(Date.now() - start);
  await apply([env.files[0]]);
  const values = await createSecrets(env);
  // The object store accepts the keys the checklist's Secret holds (none if it names no such Secret).
  const s3 = values['nuxeo-backup-s3'] ?? {};
  await installObjectStore(s3['access-key-id'] ?? 'not-in-the-checklist', s3['secret-access-key'] ?? 'not-in-the-checklist');
  const run = await apply(env.files.slice(1));
  // CloudNativePG 1.30's webhook warns of the in-tree barmanObjectStore, as the README says; nothing else.
  const warned = warnings(run);
  expect(warned.filter((w) => !/Native support for Barman Cloud backups and recovery is deprecated/.test(w))).toEqual([]);
  figures['admission warnings on apply'] = warned.join(' | ');
  client = await clientPod('default', 'operators-client');
}, 20 * 60 * 1000);

afterAll(() => {
  const lines = Object.entries(figures).map(([k, v]) => `  ${k}: ${v}`);
  console.log(`operators figures:\n${lines.join('\n')}`);
  fs.writeFileSync(path.join(os.tmpdir(), 'operators-figures.json'), JSON.stringify(figures, null, 2));
});

describe('CloudNativePG', () => {
  it('bootstraps the generated Cluster with only the Secrets of the checklist', async () => {
    const ms = await waitFor(() => healthy(), 8 * 60 * 1000, 'Cluster postgresql healthy with 3 ready instances');
    figures['CloudNativePG bootstrap, 3 instances (s)'] = seconds(ms);
  });

  it('lets the Nuxeo stand-in reach postgresql-rw through the generated NetworkPolicies, and refuses another namespace', async () => {
    await kubectl(['-n', ns, 'rollout', 'status', 'statefulset/nuxeo', '--timeout=300s'], { timeoutMs: 310000 });
    const r = await nuxeoSql('create table if not exists probe (id int primary key, at timestamptz not null default clock_timestamp()); select current_user');
    expect(r.stderr).toBe('');
    // psql prints CREATE TABLE's tag first, then the query's row.
    expect(r.stdout.trim().split('\n').pop()).toBe('nuxeo');
    const refused = await client.sh(`timeout 5 bash -c '</dev/tcp/postgresql-rw.${ns}.svc.cluster.local/5432' && echo open || echo closed`, 20000);
    expect(refused.stdout.trim()).toBe('closed');
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function primary(): Promise<string> {
  return (await cluster()).status.currentPrimary;
}

/** The newest WAL file and whether the archiver has it: forces a switch first. */
async function archiveCurrentWal(): Promise<number> {
  const p = await primary();
  const file = (await instanceSql(p, 'select pg_walfile_name(pg_current_wal_lsn())')).stdout.trim();
  await instanceSql(p, 'select pg_switch_wal()');
  return waitFor(async () => (await instanceSql(p, 'select last_archived_wal from pg_stat_archiver')).stdout.trim() >= file, 120000, `WAL ${file} archived`);
}

describe('CloudNativePG backups', () => {
  it('completes the immediate base backup of the ScheduledBackup and archives WAL', async () => {
    await waitFor(async () => {
      const list = await getJson(['-n', ns, 'backups.postgresql.cnpg.io']);
      const failed = list.items.find((b: any) => b.status?.phase === 'failed');
      if (failed) throw new Error(`backup ${failed.metadata.name} failed: ${failed.status.error}`);
      return list.items.some((b: any) => b.status?.phase === 'completed');
    }, 5 * 60 * 1000, 'a completed Backup');
    const done = (await getJson(['-n', ns, 'backups.postgresql.cnpg.io'])).items.find((b: any) => b.status?.phase === 'completed');
    figures['immediate base backup (s, started to stopped)'] = seconds(Date.parse(done.status.stoppedAt) - Date.parse(done.status.startedAt));
    const archived = await archiveCurrentWal();
    figures['WAL segment archived after pg_switch_wal (s)'] = seconds(archived);
    const cond = (await cluster()).status.conditions.find((c: any) => c.type === 'ContinuousArchiving');
    expect(cond?.status).toBe('True');
  });
});

/** In a pod of the cluster's test client: one request to Nuxeo's host through Traefik. */
function throughTraefik(query: string, extra = ''): string {
  return `curl -s -o /dev/null -w '%{http_code}\\n' --max-time 10 ${extra} -H 'Host: nuxeo-cnpg.example.com' 'http://traefik.traefik.svc.cluster.local/nuxeo/runningstatus?${query}'`;
}

/** How many requests tagged `tag<n>` each Nuxeo pod's proxy logged. */
async function hitsPerPod(tag: string): Promise<number[]> {
  const counts: number[] = [];
  for (const pod of ['nuxeo-0', 'nuxeo-1']) {
    const log = (await kubectl(['-n', ns, 'logs', pod, '-c', 'proxy'])).stdout;
    counts.push(log.split('\n').filter((l) => new RegExp(`[?&]t=${tag}[0-9]+ `).test(l)).length);
  }
  return counts;
}

describe('Traefik (loadBalancer.provider traefik)', () => {
  it('routes the generated Ingress to both Nuxeo pods, and keeps a client holding the cookie on one pod for 50 requests', async () => {
    const tag = `s${Date.now() % 100000}x`;
    const script = [
      `cookie=$(curl -s -D - -o /dev/null --max-time 10 -H 'Host: nuxeo-cnpg.example.com' 'http://traefik.traefik.svc.cluster.local/nuxeo/runningstatus?t=${tag}0' | sed -n 's/^[Ss]et-[Cc]ookie: \\(nuxeo-route=[^;]*\\).*/\\1/p' | tr -d '\\r')`,
      'echo "cookie $cookie"',
      `for i in $(seq 1 49); do ${throughTraefik(`t=${tag}$i`, '-H "Cookie: $cookie"')}; done`,
    ].join('\n');
    const r = await client.sh(script, 180000);
    expect(r.stdout).toMatch(/^cookie nuxeo-route=\S+/);
    expect(r.stdout.split('\n').filter((l) => l === '200')).toHaveLength(49);
    const sticky = await hitsPerPod(tag);
    figures['Traefik sticky hits (nuxeo-0, nuxeo-1)'] = sticky.join(', ');
    expect(sticky.sort()).toEqual([0, 50]);

    const fresh = `n${Date.now() % 100000}x`;
    await client.sh(`for i in $(seq 1 20); do ${throughTraefik(`t=${fresh}$i`)}; done`, 180000);
    const spread = await hitsPerPod(fresh);
    figures['Traefik, 20 clients without cookie (nuxeo-0, nuxeo-1)'] = spread.join(', ');
    expect(spread.every((n) => n > 0)).toBe(true);
  });

  it('reaches Nuxeo only from controller pods with the loadBalancer.controller labels', async () => {
    await installTraefik({ 'app.kubernetes.io/name': 'some-other-proxy' });
    const refused = await client.sh(throughTraefik('t=refused1'), 30000);
    await installTraefik();
    const admitted = await client.sh(throughTraefik('t=admitted1'), 30000);
    expect(refused.stdout.trim()).not.toBe('200');
    expect(admitted.stdout.trim()).toBe('200');
  });
});

describe('CloudNativePG failover', () => {
  it('promotes a standby when the primary pod is deleted; postgresql-rw follows, no acknowledged row is lost, the old primary rejoins', async () => {
    const old = await primary();
    // From a Nuxeo pod, one insert per connection through postgresql-rw, 4 a second, until 15 succeed after a failure.
    const psql = 'PGPASSWORD="$NUXEO_DB_PASSWORD" PGCONNECT_TIMEOUT=2 timeout 5 /usr/lib/postgresql/15/bin/psql -h postgresql-rw -U nuxeo -d nuxeo -tAc';
    const writer = sh('nuxeo-0', 'nuxeo', `i=1000; failed=0; after=0; end=$(($(date +%s)+240))
      while [ $after -lt 15 ] && [ $(date +%s) -lt $end ]; do i=$((i+1))
        if ${psql} "insert into probe(id) values ($i)" >/dev/null 2>&1; then echo "ok $i $(date +%s.%N)"; [ $failed = 1 ] && after=$((after+1))
        else echo "fail $i $(date +%s.%N)"; failed=1; fi; sleep 0.25; done`, 300000);
    await sleep(3000);
    const t0 = Date.now();
    await kubectl(['-n', ns, 'delete', 'pod', old, '--wait=false']);
    const promoted = await waitFor(async () => {
      const s = (await cluster()).status;
      return s.currentPrimary !== old && s.currentPrimary === s.targetPrimary;
    }, 3 * 60 * 1000, 'a standby promoted');
    const lines = (await writer).stdout.trim().split('\n').map((l) => l.split(' '));
    const acked = lines.filter((l) => l[0] === 'ok').map((l) => Number(l[1]));
    const failedAt = lines.filter((l) => l[0] === 'fail').map((l) => Number(l[2]));
    const okAt = lines.filter((l) => l[0] === 'ok').map((l) => Number(l[2]));
    expect(failedAt.length).toBeGreaterThan(0);
    const lastOkBefore = Math.max(...okAt.filter((t) => t < failedAt[0]));
    const firstOkAfter = Math.min(...okAt.filter((t) => t > failedAt[failedAt.length - 1]));
    const present = new Set((await nuxeoSql('select id from probe where id > 1000')).stdout.trim().split('\n').map(Number));
    expect(acked.filter((id) => !present.has(id))).toEqual([]);
    await waitFor(async () => (await healthy()) && (await instanceSql(old, 'select pg_is_in_recovery()')).stdout.trim() === 't', 5 * 60 * 1000, `${old} back as a standby`);
    figures['failover: delete of the primary to the new primary in status (s)'] = seconds(promoted);
    figures['failover: writes through postgresql-rw unavailable (s)'] = Math.round((firstOkAfter - lastOkBefore) * 10) / 10;
    figures['failover: acknowledged rows, all present'] = acked.length;
    figures['failover: old primary back as a standby, from the delete (s)'] = seconds(Date.now() - t0);
  });
});

/** The README's point-in-time-recovery snippet (runbook step 3), as the user copies it. */
function readmeRecoverySnippet(): any {
  const readme = fs.readFileSync(path.join(__dirname, '../../README.md'), 'utf8');
  const section = readme.split('### Point-in-time recovery (`cloudnativepg` provider)')[1];
  const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README: no yaml block in "Point-in-time recovery"');
  return parse(block.replace(/^ {3}/gm, ''));
}

describe('CloudNativePG point-in-time recovery', () => {
  it("restores a new cluster to a chosen time with the README's runbook: rows before it present, after it absent", async () => {
    // An ISO timestamp in UTC (the double quotes escaped for the shell line that runs psql).
    const iso = (e: string) => `to_char((${e}) at time zone 'UTC', 'YYYY-MM-DD\\"T\\"HH24:MI:SS.US\\"Z\\"')`;
    for (let i = 1; i <= 5; i++) await nuxeoSql(`insert into probe(id) values (${3000 + i})`);
    const target = (await nuxeoSql(`select ${iso('clock_timestamp()')}`)).stdout.trim();
    await sleep(1000);
    for (let i = 1; i <= 5; i++) await nuxeoSql(`insert into probe(id) values (${4000 + i})`);
    await archiveCurrentWal();

    // 1. Stop Nuxeo. 2. Delete the old Cluster.
    await kubectl(['-n', ns, 'scale', 'statefulset', 'nuxeo', '--replicas=0']);
    await kubectl(['-n', ns, 'delete', 'cluster', 'postgresql'], { timeoutMs: 180000 });
    // 3. The snippet in the environment file, synthesize, apply 10-database.
    const snippet = readmeRecoverySnippet();
    snippet.database.cloudnativepg.recovery.targetTime = target;
    const file = parse(fs.readFileSync(ENV_FILE, 'utf8'));
    file.database.cloudnativepg = { ...file.database.cloudnativepg, ...snippet.database.cloudnativepg };
    const recoveredEnv = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pitr-')), 'cloudnativepg.yaml');
    fs.writeFileSync(recoveredEnv, JSON.stringify(file));
    const recovered = synthEnvironment(recoveredEnv);
    const start = Date.now();
    await apply([recovered.files.find((f) => f.endsWith('10-database.k8s.yaml'))!]);
    await waitFor(() => healthy(), 10 * 60 * 1000, 'the recovered Cluster healthy');
    figures['PITR: apply to a healthy recovered cluster of 3 (s)'] = seconds(Date.now() - start);

    const rows = (await instanceSql(await primary(), `select id, ${iso('at')} from probe where id > 3000 order by id`)).stdout.trim().split('\n').map((l) => l.split('|'));
    const ids = rows.map((r) => Number(r[0]));
    expect(ids.filter((id) => id > 3000 && id < 4000)).toEqual([3001, 3002, 3003, 3004, 3005]);
    expect(ids.filter((id) => id > 4000)).toEqual([]);
    figures['PITR: target time'] = target;
    figures['PITR: newest row present, before the target (s)'] = seconds(Date.parse(target) - Date.parse(rows[rows.length - 1][1]));

    // 4. Start Nuxeo: it reaches the recovered cluster's postgresql-rw.
    await kubectl(['-n', ns, 'scale', 'statefulset', 'nuxeo', '--replicas=2']);
    await kubectl(['-n', ns, 'rollout', 'status', 'statefulset/nuxeo', '--timeout=300s'], { timeoutMs: 310000 });
    expect((await nuxeoSql('select count(*) from probe where id between 3001 and 3005')).stdout.trim()).toBe('5');
  });
});

/** The generated PodMonitors and PrometheusRule expressions. */
function monitoringObjects(): { podMonitors: string[]; exprs: string[] } {
  const docs = parseAllDocuments(fs.readFileSync(env.files.find((f) => f.endsWith('60-monitoring.k8s.yaml'))!, 'utf8')).map((d) => d.toJS());
  return {
    podMonitors: docs.filter((d) => d.kind === 'PodMonitor').map((d) => d.metadata.name),
    exprs: docs.filter((d) => d.kind === 'PrometheusRule').flatMap((d) => d.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.expr))),
  };
}

/** Scrape endpoints that cannot answer here, and why. */
const NOT_SCRAPABLE_HERE: Record<string, string> = {
  'nuxeo/metrics': "Nuxeo's own Prometheus reporter: the Nuxeo stand-in is not Nuxeo",
};

/** Metrics the alerts read that cannot exist in this Prometheus, and why. */
const NOT_HERE: Record<string, string> = {
  kubelet_volume_stats_available_bytes: "the kubelet's metrics, which the cluster's own Prometheus setup scrapes (README), not the generated PodMonitors",
  kubelet_volume_stats_capacity_bytes: "the kubelet's metrics, which the cluster's own Prometheus setup scrapes (README), not the generated PodMonitors",
  dropwizard5_nuxeo_streams_global_stream_group_lag_gauge: "Nuxeo's own reporter: the Nuxeo stand-in is not Nuxeo",
  traefik_service_requests_total: "Traefik's own metrics, which the cluster's setup scrapes (README), not the generated PodMonitors",
};

describe('prometheus-operator and Prometheus', () => {
  beforeAll(() => installPrometheus(ns, OBJECT_LABELS), 6 * 60 * 1000);

  it('scrapes every target of every generated PodMonitor, up', async () => {
    const { podMonitors } = monitoringObjects();
    let targets: any[] = [];
    const ms = await waitFor(async () => {
      targets = (await prometheusApi('/api/v1/targets?state=active')).activeTargets
        .filter((t: any) => t.labels.namespace === ns && t.lastScrape !== '0001-01-01T00:00:00Z');
      const key = (t: any) => `${t.scrapePool.split('/')[2]}/${t.labels.endpoint}`;
      return podMonitors.every((m) => targets.some((t) => t.scrapePool.split('/')[2] === m))
        && targets.length >= 16 && targets.every((t) => t.health === 'up' || NOT_SCRAPABLE_HERE[key(t)]);
    }, 4 * 60 * 1000, 'every PodMonitor target scraped and up');
    figures['PodMonitor targets up'] = `${targets.filter((t) => t.health === 'up').length} of ${targets.length} (${Object.keys(NOT_SCRAPABLE_HERE).join(', ')} cannot answer here) after ${seconds(ms)} s`;
  });

  it('finds in its TSDB every metric name that an alert reads', async () => {
    const names = [...new Set(monitoringObjects().exprs.flatMap((e) => [...e.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map((m) => m[1])))].sort();
    const missing: string[] = [];
    for (const name of names) {
      const r = await prometheusApi(`/api/v1/query?query=${encodeURIComponent(`count(${name}{namespace="${ns}"})`)}`);
      if (!r.result.length) missing.push(name);
    }
    figures['metric names read by the alerts'] = `${names.length - missing.length} of ${names.length} present; absent here: ${missing.join(', ')}`;
    expect(missing.filter((m) => !NOT_HERE[m])).toEqual([]);
  });

  it('raises NuxeoRedisMemoryHigh when Redis holds more than 75 % of maxmemory', async () => {
    const auth = 'REDISCLI_AUTH="$(cat "$REDIS_AUTH_FILE")" redis-cli -h 127.0.0.1 -p "$REDIS_PORT"';
    let master = '';
    for (const pod of ['redis-0', 'redis-1', 'redis-2']) {
      if ((await sh(pod, 'redis', `${auth} role | head -n 1`)).stdout.trim() === 'master') master = pod;
    }
    // 38 MiB of values under a 48Mi maxmemory: above 75 %, below the 90 % of the critical alert.
    const fill = await sh(master, 'redis', `${auth} eval "for i=1,38 do redis.call('set','fill:'..i,string.rep('x',1048576)) end return 1" 0`);
    expect(fill.stdout.trim()).toBe('1');
    figures['NuxeoRedisMemoryHigh pending after the fill (s)'] = seconds(await alertRaised('NuxeoRedisMemoryHigh', 3 * 60 * 1000));
    await sh(master, 'redis', `${auth} eval "for i=1,38 do redis.call('del','fill:'..i) end return 1" 0`);
  });

  it('raises NuxeoPostgresqlReplicasNotStreaming when a standby is stopped (fenced)', async () => {
    const c = await cluster();
    const standby = c.status.instanceNames.find((n: string) => n !== c.status.currentPrimary);
    await kubectl(['-n', ns, 'annotate', 'cluster.postgresql.cnpg.io', 'postgresql', `cnpg.io/fencedInstances=["${standby}"]`, '--overwrite']);
    figures['NuxeoPostgresqlReplicasNotStreaming pending after a standby is fenced (s)'] = seconds(await alertRaised('NuxeoPostgresqlReplicasNotStreaming', 3 * 60 * 1000));
    await kubectl(['-n', ns, 'annotate', 'cluster.postgresql.cnpg.io', 'postgresql', 'cnpg.io/fencedInstances-']);
    await waitFor(() => healthy(), 3 * 60 * 1000, 'the standby back');
  });
});

async function scaleObjectStore(replicas: number): Promise<void> {
  await kubectl(['-n', 'object-store', 'scale', 'deployment/versitygw', `--replicas=${replicas}`]);
  if (replicas) await kubectl(['-n', 'object-store', 'rollout', 'status', 'deployment/versitygw', '--timeout=120s'], { timeoutMs: 130000 });
  else await kubectl(['-n', 'object-store', 'wait', '--for=delete', 'pod', '-l', 'app.kubernetes.io/name=versitygw', '--timeout=60s'], { timeoutMs: 70000 });
}

describe('CloudNativePG alerts when the object store is unreachable', () => {
  it('raises NuxeoPostgresqlWalArchivingStalled and NuxeoPostgresqlBackupFailed, and archiving resumes with the store back', async () => {
    await scaleObjectStore(0);
    const p = await primary();
    await nuxeoSql('insert into probe(id) values (2001)');
    await instanceSql(p, 'select pg_switch_wal()');
    await applyYaml(JSON.stringify({
      apiVersion: 'postgresql.cnpg.io/v1', kind: 'Backup', metadata: { name: 'while-unreachable', namespace: ns },
      spec: { cluster: { name: 'postgresql' }, method: 'barmanObjectStore' },
    }));
    const [wal, backup] = await Promise.all([
      alertRaised('NuxeoPostgresqlWalArchivingStalled', 4 * 60 * 1000),
      alertRaised('NuxeoPostgresqlBackupFailed', 4 * 60 * 1000),
    ]);
    figures['NuxeoPostgresqlWalArchivingStalled pending, store unreachable (s)'] = seconds(wal);
    figures['NuxeoPostgresqlBackupFailed pending, store unreachable (s)'] = seconds(backup);
    await scaleObjectStore(1);
    figures['WAL archived again once the store is back (s)'] = seconds(await archiveCurrentWal());
  });
});
