/**
 * The controllers the generated objects rely on, running for real on the test cluster (issue 24):
 * CloudNativePG 1.30 bootstraps the generated Cluster and fails it over; Traefik routes the
 * generated Ingress with the generated sticky cookie. (Backups, point-in-time recovery and the
 * Prometheus scenarios were written but not yet seen passing: docs/operators.md.) One
 * deployment of test/cluster/environments/cloudnativepg.yaml serves every scenario, in order
 * (the disruptive ones last). Each figure is printed at the end (docs/operators.md records them).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { apply, clientPod, ClientPod, createSecrets, deleteNamespace, getJson, kubectl, recycleVolumes, Run, synthEnvironment, Synthesized, waitFor, warnings } from './kube';
import { installCloudNativePg, installObjectStore, installTraefik, operatorImages } from './operators';

const ENV_FILE = path.join(__dirname, 'environments/cloudnativepg.yaml');
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

beforeAll(async () => {
  figures['operator builds + image pushes (s)'] = operatorImages();
  env = synthEnvironment(ENV_FILE);
  ns = env.namespace;
  // A previous run's leftovers (the bucket's folders would make barman refuse to archive).
  await Promise.all([deleteNamespace(ns), deleteNamespace('object-store')]);
  await recycleVolumes();
  const start = Date.now();
  await Promise.all([installCloudNativePg(), installTraefik()]);
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

/** In a pod of the cluster's test client: one request to Nuxeo's host through Traefik. */
function throughTraefik(query: string, extra = ''): string {
  return `curl -s -o /dev/null -w '%{http_code}\\n' --max-time 10 ${extra} -H 'Host: nuxeo-cnpg.example.com' 'http://traefik.traefik.svc.cluster.local/nuxeo/runningstatus?${query}'`;
}

describe('Traefik (loadBalancer.provider traefik)', () => {
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

