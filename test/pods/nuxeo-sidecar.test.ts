/**
 * Redis sidecar mode as the kubelet runs it: two Nuxeo pods, each with the stand-in Nuxeo (the
 * image's real entrypoint assembling nuxeo.conf, then a small HTTP server answering Nuxeo's
 * probe paths: NOT Nuxeo), the real nginx proxy and a real Redis. Pod 1's Redis replicates from
 * pod 0's; pod 0 stops its Redis after its Nuxeo; a Nuxeo whose Redis master is down waits, then
 * starts with no restart. (Pods Ready and requests through nginx: the cluster suite, docs/cluster.md.)
 */
import { exampleEnvironment } from '../helpers';
import { cmd, type Cluster, type Pod } from './kubelet';
import { minutes, newCluster, podFqdn, redisCli, serviceHost } from './fixtures';

const env = exampleEnvironment('sidecar-redis');
const spec = env.spec;
let cluster: Cluster;
let pods: Pod[];

describe(`Nuxeo pods with Redis sidecars (${env.name})`, () => {
  beforeAll(async () => {
    ({ cluster } = newCluster('nuxeo', env));
    await cluster.create();
    pods = [0, 1].map((i) => cluster.statefulPod('nuxeo', i));
    for (const p of pods) cluster.plan(p.name, podFqdn(spec, p));
    // redis-master is an ExternalName for pod 0's stable name.
    cluster.plan(pods[0].name, serviceHost(spec, 'redis-master'));
    // OrderedReady: pod 1 starts once pod 0 is Ready.
    await pods[0].start();
    await pods[0].waitReady(minutes(3));
    await pods[1].start();
    // Both Ready by their own probes (stand-in Nuxeo, nginx, Redis): proven on the real kubelet by
    // the cluster suite; here only the precondition of the scenarios below.
    await pods[1].waitReady(minutes(3));
  }, minutes(9));
  afterAll(async () => cluster?.destroy(), minutes(2));

  test('pod 1\'s Redis replicates from pod 0\'s, by its stable name', async () => {
    const end = Date.now() + 60000;
    while (!(await redisCli(pods[1], 'info replication')).includes('master_link_status:up') && Date.now() < end) await new Promise((r) => setTimeout(r, 500));
    const info = await redisCli(pods[1], 'info replication');
    expect(info).toContain('role:slave');
    expect(info).toContain(`master_host:${podFqdn(spec, pods[0])}`);
    expect(await redisCli(pods[0], 'set nuxeo:lock:doc-1 held')).toBe('OK');
    expect(await redisCli(pods[0], 'wait 1 5000')).toBe('1');
    expect(await redisCli(pods[1], 'get nuxeo:lock:doc-1')).toBe('held');
  }, minutes(2));

  test('deleting pod 0 stops Redis only after its Nuxeo stopped listening', async () => {
    const { preStop, seconds, logs, finishedAt } = await pods[0].delete();
    expect(preStop.redis.code).toBe(0);
    expect(seconds).toBeLessThan(pods[0].spec.terminationGracePeriodSeconds);
    expect(logs.nuxeo).toContain('SIGTERM');
    expect(finishedAt.redis).toBeGreaterThanOrEqual(finishedAt.nuxeo);
  }, minutes(3));

  test('a Nuxeo container whose Redis master is down waits for it, then starts when it comes up: no restart', async () => {
    // Pod 0 (the Redis master behind redis-master) is gone since the test above; pod 1 is recreated.
    await pods[1].delete();
    await pods[1].start();
    const master = `${serviceHost(spec, 'redis-master')}:6379`;
    const end = Date.now() + 60000;
    while (!pods[1].logs('nuxeo').includes(`waiting for Redis (${master})`) && Date.now() < end) await new Promise((r) => setTimeout(r, 1000));
    await new Promise((r) => setTimeout(r, 15000));
    const waiting = pods[1].logs('nuxeo');
    // One line every 10 s or so (an attempt to an absent pod takes up to 3 s), each saying why.
    const lines = waiting.split('\n').filter((l) => l.startsWith('nuxeo-compact-k8s: waiting for Redis'));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const l of lines) expect(l).toMatch(new RegExp(`^nuxeo-compact-k8s: waiting for Redis \\(${master.replace(/\./g, '\\.')}\\), \\d+ s of ${spec.nuxeo.redisWaitSeconds}: no answer from ${master.replace(/\./g, '\\.')}$`));
    expect(waiting).not.toContain('stand-in Nuxeo:');
    expect(await pods[1].running('nuxeo')).toBe(true);
    expect(await pods[1].probe('nuxeo', 'startupProbe')).toBe(false);

    await pods[0].start();
    await pods[0].waitReady(minutes(3));
    // waitReady fails if the container exited or its startup probe ran out of budget (the kubelet would restart it).
    await pods[1].waitReady(minutes(3));
    // (stderr and stdout lines may interleave in the log: the order is shown by the waiting check above)
    expect(pods[1].logs('nuxeo')).toMatch(/nuxeo-compact-k8s: Redis answers after \d+ s\n/);
    expect(pods[1].logs('nuxeo')).toContain('stand-in Nuxeo: /etc/nuxeo/nuxeo.conf assembled');
    const restarts = await cmd('podman', ['inspect', '--format', '{{.RestartCount}}', pods[1].containerName('nuxeo')]);
    expect(restarts.out.trim()).toBe('0');
  }, minutes(8));
});
