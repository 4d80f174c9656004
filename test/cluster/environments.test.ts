/**
 * Each test environment (test/cluster/environments/, the shipped examples adapted to one node) on
 * the real cluster: synth, the checklist's Secrets, `kubectl apply --server-side` in the README's
 * order, then what the API server, the controllers, the scheduler, the kubelet, kube-proxy,
 * CoreDNS and the NetworkPolicy enforcer make of it. Each `it` states its time limit.
 */
import * as fs from 'fs';
import * as path from 'path';
import { apply, applyYaml, clientPod, clusterPaths, createSecrets, deleteNamespace, getJson, installMonitoringCrds, kubectl, leaveNamespaces, recycleVolumes, shellWords, Synthesized, synthEnvironment, waitFor, warnings } from './kube';
import { OUTSIDE, removeOutside, startOutside } from './outside';

const CLIENT_NS = 'nck8s-client';

/** Every host name of the form <name>.<...>.svc.<domain> the manifests mention. */
function clusterNames(s: Synthesized): string[] {
  const text = s.files.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
  return [...new Set(text.match(/\b[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\.svc\.cluster\.local\b/g) ?? [])].sort();
}

/** Whether a TCP connection from `pod` (container `c`) to host:port is established within 5 s. */
async function connects(ns: string, pod: string, c: string, host: string, port: number): Promise<boolean> {
  return (await tcp(ns, pod, c, host, port)).outcome === 'connected';
}

/** A TCP connection attempt from a pod, timed inside it: connected, refused (at once) or timed out (5 s). */
async function tcp(ns: string, pod: string, c: string, host: string, port: number): Promise<{ outcome: 'connected' | 'refused' | 'timed out'; ms: number }> {
  const line = `s=$(date +%s%N); timeout 5 bash -c '</dev/tcp/${host}/${port}' 2>/dev/null; r=$?; echo $r $(( ($(date +%s%N) - s) / 1000000 ))`;
  const r = await kubectl(['-n', ns, 'exec', pod, '-c', c, '--', 'bash', '-c', line], { allowFail: true });
  const [code, ms] = r.stdout.trim().split(' ').map(Number);
  if (r.code !== 0 || Number.isNaN(ms)) throw new Error(`exec in ${pod} failed: ${r.stderr}${r.stdout}`);
  return { outcome: code === 0 ? 'connected' : code === 124 ? 'timed out' : 'refused', ms };
}

/**
 * Egress to the test's own address outside the cluster (outside.ts): each [pod, container, port,
 * allowed] attempt gets what `allowed` says, and the listener sees exactly the allowed ones; a
 * pod in a namespace without NetworkPolicies reaches every port first, so a denial is the
 * policies' doing, not the route's.
 */
async function egressOutside(ns: string, attempts: [string, string, number, boolean][]): Promise<void> {
  const ports = [...new Set(attempts.map((a) => a[2]))];
  const outside = await startOutside(ports);
  try {
    expect((await getJson(['-n', CLIENT_NS, 'networkpolicies'])).items).toEqual([]);
    const control = await clientPod(CLIENT_NS, 'outside-control');
    for (const port of ports) {
      const r = await control.sh(`timeout 5 bash -c 'read -r l </dev/tcp/${OUTSIDE.address}/${port}; echo $l'`);
      expect([port, r.stdout.trim()]).toEqual([port, 'outside']);
    }
    const before = outside.accepted.length;
    const ips: Record<string, string> = {};
    for (const [pod, c, port, allowed] of attempts) {
      ips[pod] ??= (await getJson(['-n', ns, 'pod', pod])).status.podIP;
      const t = await tcp(ns, pod, c, OUTSIDE.address, port);
      expect([pod, port, t.outcome !== 'connected']).toEqual([pod, port, !allowed]);
      console.log(`${ns}: ${pod} to ${OUTSIDE.address}:${port} ${t.outcome} in ${t.ms} ms`);
    }
    await new Promise((r) => setTimeout(r, 500));
    expect(outside.accepted.slice(before).sort()).toEqual(attempts.filter((a) => a[3]).map(([pod, , port]) => `${ips[pod]} ${port}`).sort());
  } finally {
    removeOutside(outside);
  }
}

function psql(ns: string, pod: string, sql: string) {
  return kubectl(['-n', ns, 'exec', pod, '-c', 'postgresql', '--', 'psql', '-h', '/var/run/postgresql', '-U', 'postgres', '-tAc', sql], { allowFail: true });
}

// The outside network of a failed run would otherwise stay until `cluster.sh down`.
afterAll(() => removeOutside());

beforeAll(async () => {
  await installMonitoringCrds();
  await applyYaml(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: CLIENT_NS } }));
}, 120000);

/** The scenarios every environment goes through, then `extra` (the ones of its own). */
function onTheCluster(envName: string, extra: (s: () => Synthesized) => void): void {
  describe(`${envName} on the real cluster`, () => {
  let s: Synthesized;
  const envFile = path.join(__dirname, 'environments', `${envName}.yaml`);

  beforeAll(async () => {
    s = synthEnvironment(envFile);
    await deleteNamespace(s.namespace);
    await recycleVolumes();
  }, 240000);

  afterAll(async () => {
    if (!s) return;
    await leaveNamespaces(s.namespace);
    fs.rmSync(path.dirname(s.dir), { recursive: true, force: true });
  }, 60000);

  it('applies in the README order with the checklist Secrets: no rejection, no warning (180 s)', async () => {
    const [namespaceFile] = s.files;
    expect(path.basename(namespaceFile)).toBe('00-namespace.k8s.yaml');
    const first = await apply([namespaceFile]);
    const secrets = await createSecrets(s);
    expect(Object.keys(secrets).length).toBeGreaterThan(0);
    const all = await apply([s.dir]);
    expect([...warnings(first), ...warnings(all)]).toEqual([]);
    // Exactly the Secrets of the checklist, nothing else, are in the namespace.
    const names = (await getJson(['-n', s.namespace, 'secrets'])).items.map((x: any) => x.metadata.name).sort();
    expect(names).toEqual(s.secretCommands.map((l) => l.split(/\s+/)[6]).sort());
  }, 180000);

  it('rolls out every StatefulSet and Deployment; every pod Ready by the kubelet\'s probes (600 s)', async () => {
    const start = Date.now();
    const workloads = (await getJson(['-n', s.namespace, 'statefulsets,deployments'])).items;
    expect(workloads.length).toBeGreaterThan(0);
    for (const w of workloads) {
      const r = await kubectl(['-n', s.namespace, 'rollout', 'status', `${w.kind.toLowerCase()}/${w.metadata.name}`, '--timeout=600s'], { timeoutMs: 610000, allowFail: true });
      if (r.code !== 0) {
        const pods = await kubectl(['-n', s.namespace, 'get', 'pods', '-o', 'wide'], { allowFail: true });
        const events = await kubectl(['-n', s.namespace, 'get', 'events', '--sort-by=.lastTimestamp'], { allowFail: true });
        throw new Error(`${w.kind}/${w.metadata.name} did not roll out:\n${r.stderr}\n${pods.stdout}\n${events.stdout.split('\n').slice(-40).join('\n')}`);
      }
    }
    const pods = (await getJson(['-n', s.namespace, 'pods'])).items;
    const notReady = pods.filter((p: any) => !p.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
    expect(notReady.map((p: any) => p.metadata.name)).toEqual([]);
    console.log(`${envName}: ${pods.length} pods Ready ${Math.round((Date.now() - start) / 1000)} s after apply`);
  }, 620000);

  it('Pod Security admission (restricted) refuses a privileged pod in the namespace (30 s)', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'privileged', namespace: s.namespace }, spec: { containers: [{ name: 'c', image: 'localhost:32500/nck8s/stand-in:latest', securityContext: { privileged: true } }] } };
    const r = await kubectl(['create', '-f', '-'], { input: JSON.stringify(pod), allowFail: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/violates PodSecurity "restricted:latest": privileged/);
  }, 30000);

  it('resolves every *.svc.cluster.local name of the generated configuration from a Nuxeo pod (120 s)', async () => {
    const names = clusterNames(s);
    expect(names.length).toBeGreaterThan(0);
    const failed: string[] = [];
    for (const name of names) {
      const r = await kubectl(['-n', s.namespace, 'exec', 'nuxeo-0', '-c', 'nuxeo', '--', 'getent', 'hosts', name], { allowFail: true });
      if (r.code !== 0) failed.push(name);
    }
    expect(failed).toEqual([]);
  }, 120000);

  it('serves a client in another namespace through the `service` provider\'s Service and nginx, sticky to one pod (120 s)', async () => {
    const client = await clientPod(CLIENT_NS, `client-${envName}`);
    const url = `http://nuxeo.${s.namespace}.svc.cluster.local/nuxeo/runningstatus`;
    const served = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const r = await client.sh(`curl -sS -o /dev/null -w '%{http_code}\\n' --max-time 5 ${url} && curl -sS --max-time 5 http://nuxeo.${s.namespace}.svc.cluster.local/cgi-bin/headers | head -1`);
      expect(r.stdout).toMatch(/^200\n/);
      served.add(r.stdout.split('\n')[1]);
    }
    const endpoints = (await getJson(['-n', s.namespace, 'endpointslices', '-l', 'kubernetes.io/service-name=nuxeo'])).items
      .flatMap((e: any) => e.endpoints ?? []).filter((e: any) => e.conditions?.ready);
    expect(endpoints.length).toBeGreaterThan(1);
    expect(served.size).toBe(1);
  }, 120000);

  extra(() => s);
  });
}

onTheCluster('sidecar-redis', (get) => {
  let s: Synthesized;
  beforeAll(() => { s = get(); });

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

  it('denies Nuxeo and Elasticsearch egress to an address outside the cluster; a pod without policies reaches it (120 s)', async () => {
    await egressOutside(s.namespace, [['nuxeo-0', 'nuxeo', 443, false], ['elasticsearch-0', 'elasticsearch', 443, false]]);
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
    // kube-proxy replaces the Service's no-endpoint REJECT rule (the primary was scaled to 0) at
    // its next sync: Nuxeo reaches the promoted replica through postgresql-rw within seconds.
    const ms = await waitFor(() => connects(s.namespace, 'nuxeo-0', 'nuxeo', 'postgresql-rw', 5432), 60000, 'nuxeo-0 reaching postgresql-rw');
    console.log(`sidecar-redis: postgresql-rw reachable ${Math.round(ms / 1000)} s after the promotion`);
  }, 240000);
});

onTheCluster('external-redis', (get) => {
  let s: Synthesized;
  beforeAll(() => { s = get(); });

  const redis = (pod: string, args: string) =>
    kubectl(['-n', s.namespace, 'exec', pod, '-c', 'redis', '--', 'sh', '-c', `REDISCLI_AUTH="$(cat "$REDIS_AUTH_FILE")" redis-cli ${args}`], { allowFail: true });
  const master = async () => (await kubectl(['-n', s.namespace, 'exec', 'redis-0', '-c', 'sentinel', '--', 'sh', '-c', 'redis-cli -p 26379 sentinel get-master-addr-by-name mymaster'], { allowFail: true })).stdout.split('\n')[0].trim();

  it('allows Nuxeo to Redis and the Sentinels to each other (60 s)', async () => {
    expect(await connects(s.namespace, 'nuxeo-0', 'nuxeo', 'redis-0.redis-headless', 6379)).toBe(true);
    expect(await connects(s.namespace, 'redis-1', 'sentinel', 'redis-0.redis-headless', 26379)).toBe(true);
    expect(await connects(s.namespace, 'elasticsearch-0', 'elasticsearch', 'redis-0.redis-headless', 6379)).toBe(false);
  }, 60000);

  it('lets Nuxeo (S3 binaries) out on 443 only, to an address outside the private ranges; Elasticsearch not at all (120 s)', async () => {
    await egressOutside(s.namespace, [['nuxeo-0', 'nuxeo', 443, true], ['nuxeo-0', 'nuxeo', 80, false], ['elasticsearch-0', 'elasticsearch', 443, false]]);
  }, 120000);

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
