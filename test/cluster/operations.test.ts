/**
 * The test environments' NetworkPolicies as kube-router enforces them, and failures driven through
 * the API (pod deletion, eviction, the promotion procedure SUMMARY.md prints), on the real cluster.
 * Each `it` states its time limit. Denied connections are refused at once here (kube-router
 * REJECTs), where other enforcers drop them (a timeout): both count as denied.
 */
import * as fs from 'fs';
import * as path from 'path';
import { apply, clientPod, clusterPaths, createSecrets, deleteNamespace, getJson, kubectl, recycleVolumes, shellWords, Synthesized, synthEnvironment, waitFor } from './kube';

const CLIENT_NS = 'nck8s-client';

/** Synth, Secrets, apply and every pod Ready: the state the scenarios start from. */
async function deploy(envName: string): Promise<Synthesized> {
  const s = synthEnvironment(path.join(__dirname, 'environments', `${envName}.yaml`));
  await deleteNamespace(s.namespace);
  await recycleVolumes();
  await apply([s.files[0]]);
  await createSecrets(s);
  await apply([s.dir]);
  for (const w of (await getJson(['-n', s.namespace, 'statefulsets'])).items) {
    await kubectl(['-n', s.namespace, 'rollout', 'status', `statefulset/${w.metadata.name}`, '--timeout=600s'], { timeoutMs: 610000 });
  }
  return s;
}

async function undeploy(s: Synthesized | undefined): Promise<void> {
  if (!s || process.env.CLUSTER_KEEP === '1') return;
  await deleteNamespace(s.namespace);
  await recycleVolumes();
}

/** Whether a TCP connection from `pod` (container `c`) to host:port is established within 5 s. */
async function connects(ns: string, pod: string, c: string, host: string, port: number): Promise<boolean> {
  const r = await kubectl(['-n', ns, 'exec', pod, '-c', c, '--', 'timeout', '5', 'bash', '-c', `</dev/tcp/${host}/${port}`], { allowFail: true });
  return r.code === 0;
}

function psql(ns: string, pod: string, sql: string) {
  return kubectl(['-n', ns, 'exec', pod, '-c', 'postgresql', '--', 'psql', '-h', '/var/run/postgresql', '-U', 'postgres', '-tAc', sql], { allowFail: true });
}

beforeAll(async () => {
  await kubectl(['create', 'namespace', CLIENT_NS], { allowFail: true });
}, 60000);

describe('sidecar-redis: network policies, eviction, promotion', () => {
  let s: Synthesized;
  beforeAll(async () => { s = await deploy('sidecar-redis'); }, 900000);
  afterAll(() => undeploy(s), 300000);

  it('allows Nuxeo to PostgreSQL, Elasticsearch and Redis, the replica to the primary; denies the rest (120 s)', async () => {
    const ns = s.namespace;
    const allowed: [string, string, string, number][] = [
      ['nuxeo-0', 'nuxeo', 'postgresql-rw', 5432],
      ['nuxeo-0', 'nuxeo', 'elasticsearch', 9200],
      ['nuxeo-1', 'nuxeo', 'redis-master', 6379],
      ['postgresql-replica-0', 'postgresql', 'postgresql-primary-0.postgresql-primary-headless', 5432],
    ];
    for (const [pod, c, host, port] of allowed) expect([pod, host, port, await connects(ns, pod, c, host, port)]).toEqual([pod, host, port, true]);
    const denied: [string, string, string, number][] = [
      ['elasticsearch-0', 'elasticsearch', 'postgresql-rw', 5432],
      ['postgresql-primary-0', 'postgresql', 'elasticsearch', 9200],
    ];
    for (const [pod, c, host, port] of denied) expect([pod, host, port, await connects(ns, pod, c, host, port)]).toEqual([pod, host, port, false]);
    const client = await clientPod(CLIENT_NS, 'netpol-client');
    const r = await client.sh(`timeout 5 bash -c '</dev/tcp/elasticsearch.${ns}.svc.cluster.local/9200'`);
    expect(r.code).not.toBe(0);
  }, 120000);

  it('the PodDisruptionBudget lets the Eviction API take one Nuxeo pod, not a second (180 s)', async () => {
    const evict = (pod: string) => kubectl(['create', '--raw', `/api/v1/namespaces/${s.namespace}/pods/${pod}/eviction`, '-f', '-'], {
      allowFail: true, input: JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod, namespace: s.namespace } }),
    });
    const uid = (await getJson(['-n', s.namespace, 'pod', 'nuxeo-0'])).metadata.uid;
    const first = await evict('nuxeo-0');
    expect(first.code).toBe(0);
    const second = await evict('nuxeo-1');
    expect(second.code).not.toBe(0);
    expect(second.stderr).toMatch(/disruption budget/i);
    // The StatefulSet controller recreates the evicted pod; the kubelet's probes make it Ready.
    const ms = await waitFor(async () => {
      const pod = JSON.parse((await kubectl(['-n', s.namespace, 'get', 'pod', 'nuxeo-0', '-o', 'json'], { allowFail: true })).stdout || '{}');
      return pod.metadata?.uid !== undefined && pod.metadata.uid !== uid && pod.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True');
    }, 170000, 'a new nuxeo-0 Ready');
    console.log(`sidecar-redis: evicted nuxeo-0 replaced and Ready after ${Math.round(ms / 1000)} s`);
  }, 180000);

  it('a deleted PostgreSQL replica pod comes back streaming from the primary (240 s)', async () => {
    await kubectl(['-n', s.namespace, 'delete', 'pod', 'postgresql-replica-0', '--wait=true']);
    const ms = await waitFor(async () => (await psql(s.namespace, 'postgresql-replica-0', 'select status from pg_stat_wal_receiver')).stdout.trim() === 'streaming', 230000, 'postgresql-replica-0 streaming again');
    console.log(`sidecar-redis: deleted replica streaming again after ${Math.round(ms / 1000)} s`);
  }, 240000);

  it('the promotion procedure SUMMARY.md prints, run verbatim, promotes the replica and postgresql-rw follows (240 s)', async () => {
    const summary = fs.readFileSync(path.join(s.dir, 'SUMMARY.md'), 'utf8');
    const line = summary.split('\n').find((l) => l.includes('PostgreSQL has no automatic failover'))!;
    const commands = [...line.matchAll(/`(kubectl [^`]+)`/g)].map((m) => m[1]);
    expect(commands.length).toBe(3);
    await psql(s.namespace, 'postgresql-primary-0', 'create table if not exists promoted (v text); insert into promoted values (\'before\')');
    await waitFor(async () => (await psql(s.namespace, 'postgresql-replica-0', 'select count(*) from promoted')).stdout.trim() === '1', 60000, 'the row replicated');
    const { kubeconfig } = clusterPaths();
    for (const c of commands) await kubectl(['--kubeconfig', kubeconfig, ...shellWords(c).slice(1)], { timeoutMs: 120000 });
    expect((await psql(s.namespace, 'postgresql-replica-0', 'select pg_is_in_recovery()')).stdout.trim()).toBe('f');
    const slices = await getJson(['-n', s.namespace, 'endpointslices', '-l', 'kubernetes.io/service-name=postgresql-rw']);
    const targets = slices.items.flatMap((e: any) => e.endpoints ?? []).map((e: any) => e.targetRef?.name);
    expect(targets).toEqual(['postgresql-replica-0']);
    const w = await kubectl(['-n', s.namespace, 'exec', 'nuxeo-0', '-c', 'nuxeo', '--', 'timeout', '5', 'bash', '-c', '</dev/tcp/postgresql-rw/5432'], { allowFail: true });
    expect(w.code).toBe(0);
  }, 240000);
});

describe('external-redis: Sentinels and a planned Redis master hand-over', () => {
  let s: Synthesized;
  beforeAll(async () => { s = await deploy('external-redis'); }, 900000);
  afterAll(() => undeploy(s), 300000);

  const redis = (pod: string, args: string) =>
    kubectl(['-n', s.namespace, 'exec', pod, '-c', 'redis', '--', 'sh', '-c', `REDISCLI_AUTH="$(cat "$REDIS_AUTH_FILE")" redis-cli ${args}`], { allowFail: true });
  const master = async () => (await kubectl(['-n', s.namespace, 'exec', 'redis-0', '-c', 'sentinel', '--', 'sh', '-c', 'redis-cli -p 26379 sentinel get-master-addr-by-name mymaster'], { allowFail: true })).stdout.split('\n')[0].trim();

  it('allows Nuxeo to Redis and the Sentinels to each other (60 s)', async () => {
    expect(await connects(s.namespace, 'nuxeo-0', 'nuxeo', 'redis-0.redis-headless', 6379)).toBe(true);
    expect(await connects(s.namespace, 'redis-1', 'sentinel', 'redis-0.redis-headless', 26379)).toBe(true);
    expect(await connects(s.namespace, 'elasticsearch-0', 'elasticsearch', 'redis-0.redis-headless', 6379)).toBe(false);
  }, 60000);

  it('kubectl delete pod of the master hands over to a replica with no acknowledged write lost (300 s)', async () => {
    const old = await master();
    expect(old).toMatch(/^redis-\d/);
    const oldPod = old.split('.')[0];
    // 100 writes, each acknowledged by the master and by at least one replica (WAIT 1).
    const writes = await kubectl(['-n', s.namespace, 'exec', oldPod, '-c', 'redis', '--', 'sh', '-c',
      'export REDISCLI_AUTH="$(cat "$REDIS_AUTH_FILE")"; for i in $(seq 1 100); do redis-cli SET handover:$i $i >/dev/null; done; redis-cli WAIT 1 2000']);
    expect(Number(writes.stdout.trim())).toBeGreaterThanOrEqual(1);
    await kubectl(['-n', s.namespace, 'delete', 'pod', oldPod, '--wait=false']);
    const ms = await waitFor(async () => { const m = await master(); return m !== '' && m !== old; }, 290000, 'a new master');
    const now = (await master()).split('.')[0];
    const keys = await redis(now, 'DBSIZE');
    expect(Number(keys.stdout.trim())).toBeGreaterThanOrEqual(100);
    console.log(`external-redis: master ${oldPod} deleted, ${now} master after ${Math.round(ms / 1000)} s`);
  }, 300000);
});
