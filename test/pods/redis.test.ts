/**
 * External Redis as the kubelet runs it: the 3 pods of the `redis` StatefulSet (Redis + Sentinel
 * each) start together and become Ready; deleting the master's pod hands the master over in its
 * preStop (no unplanned failover, no acknowledged write lost), although the pod's own Sentinel
 * is stopped at the same moment; the whole StatefulSet restarted comes back with one master.
 */
import { exampleEnvironment } from '../helpers';
import type { Cluster, Pod } from './kubelet';
import { minutes, newCluster, podFqdn, redisCli, serviceHost } from './fixtures';

const env = exampleEnvironment('external-redis');
const spec = env.spec;
const master = spec.redis.sentinel.masterName;
let cluster: Cluster;
let pods: Pod[];

const sentinelMaster = async (pod: Pod) => (await pod.exec('sentinel', ['sh', '-c', `redis-cli -p "$SENTINEL_PORT" sentinel get-master-addr-by-name ${master}`])).out.trim().split('\n')[0];
const role = async (pod: Pod) => (await redisCli(pod, 'role')).split('\n')[0];
const until = async (what: string, check: () => Promise<boolean>, ms = 60000) => {
  const end = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
};

describe(`Redis with Sentinel pods (${env.name})`, () => {
  beforeAll(async () => {
    ({ cluster } = newCluster('redis', env));
    await cluster.create();
    pods = Array.from({ length: spec.redis.replicas }, (_, i) => cluster.statefulPod('redis', i));
    for (const p of pods) cluster.plan(p.name, podFqdn(spec, p));
    // The Sentinels' Service: one of its endpoints stands for it.
    cluster.plan(pods[1].name, serviceHost(spec, 'redis-sentinel'));
    await Promise.all(pods.map((p) => p.start()));
  }, minutes(3));
  afterAll(async () => cluster?.destroy(), minutes(2));

  test('the pods start together (Parallel) and become Ready; ordinal 0 is the master every Sentinel knows', async () => {
    await Promise.all(pods.map((p) => p.waitReady(minutes(2))));
    await until('every Sentinel names redis-0', async () => (await Promise.all(pods.map(sentinelMaster))).every((m) => m === podFqdn(spec, pods[0])));
    expect(await role(pods[0])).toBe('master');
    await until('replicas linked', async () => (await Promise.all(pods.slice(1).map((p) => redisCli(p, 'info replication')))).every((i) => i.includes('master_link_status:up')));
  }, minutes(3));

  test('deleting the master\'s pod hands over in its preStop: no unplanned failover, no acknowledged write lost', async () => {
    const set = await pods[0].exec('redis', ['sh', '-c', 'for i in $(seq 0 199); do echo "SET nuxeo:work:$i w$i"; done | REDISCLI_AUTH="$(cat "$REDIS_AUTH_FILE")" redis-cli --no-auth-warning -p "$REDIS_PORT"']);
    expect(set.out.trim().split('\n')).toEqual(Array(200).fill('OK'));
    expect(await redisCli(pods[0], 'wait 2 5000')).toBe('2');
    const { preStop, seconds, logs } = await pods[0].delete();
    expect(preStop.redis.code).toBe(0);
    // Sentinel had made it a replica (no more writes taken) before it received SIGTERM.
    expect(logs.redis.indexOf('REPLICAOF')).toBeGreaterThan(-1);
    expect(logs.redis.indexOf('REPLICAOF')).toBeLessThan(logs.redis.indexOf('SIGTERM'));
    expect(seconds).toBeLessThan(pods[0].spec.terminationGracePeriodSeconds);
    const survivors = pods.slice(1);
    await until('a new master', async () => (await Promise.all(survivors.map(role))).includes('master'));
    const next = survivors[(await Promise.all(survivors.map(role))).indexOf('master')];
    const values = (await redisCli(next, `mget ${Array.from({ length: 200 }, (_, i) => `nuxeo:work:${i}`).join(' ')}`)).split('\n');
    expect(values).toEqual(Array.from({ length: 200 }, (_, i) => `w${i}`));
    // A failover forced by the hook shows no objective down state of the master in any Sentinel.
    for (const p of survivors) expect(p.logs('sentinel')).not.toMatch(/\+odown master/);
    await until('Sentinels agree on the new master', async () => (await Promise.all(survivors.map(sentinelMaster))).every((m) => m === podFqdn(spec, next)));
  }, minutes(3));

  test('the deleted pod comes back as a replica of the new master', async () => {
    await pods[0].start();
    await pods[0].waitReady(minutes(2));
    await until('redis-0 replicates', async () => (await redisCli(pods[0], 'info replication')).includes('master_link_status:up'));
    expect(await role(pods[0])).toBe('slave');
  }, minutes(3));

  test('the whole StatefulSet deleted and started again comes back with one master and the data', async () => {
    await Promise.all(pods.map((p) => p.delete()));
    await Promise.all(pods.map((p) => p.start()));
    await Promise.all(pods.map((p) => p.waitReady(minutes(2))));
    await until('one master', async () => (await Promise.all(pods.map(role))).filter((r) => r === 'master').length === 1);
    const m = pods[(await Promise.all(pods.map(role))).indexOf('master')];
    expect(await redisCli(m, 'get nuxeo:work:199')).toBe('w199');
    await until('replicas linked', async () => (await Promise.all(pods.filter((p) => p !== m).map((p) => redisCli(p, 'info replication')))).every((i) => i.includes('master_link_status:up')));
  }, minutes(5));
});
