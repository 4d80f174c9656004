/**
 * Redis external topology: master, replicas and Sentinels from the synthesized ConfigMap. The
 * master is killed; a replica must be promoted within the configured timeouts, every Sentinel
 * must report it, and no write acknowledged before the crash may be missing on it.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { exampleEnvironment } from '../helpers';
import { Servers, waitFor } from './harness';
import { cli, info, Node, PASSWORD, RedisCluster, redisFiles } from './redis-support';

const env = exampleEnvironment('external-redis');
const sentinelSpec = env.spec.redis.sentinel;
const servers = new Servers();
afterAll(() => servers.stopAll());

const masterOf = (sentinel: Node) => cli(sentinel.port, ['sentinel', 'get-master-addr-by-name', sentinelSpec.masterName]).split('\n');

describe(`Redis with Sentinel (${env.name})`, () => {
  let redis: Node[];
  let sentinels: Node[];
  let cluster: RedisCluster;
  let service: number;
  /** The master the Sentinels elected last. */
  let master: Node;

  beforeAll(async () => {
    cluster = new RedisCluster(servers, env);
    const ports = await RedisCluster.ports(2 * env.spec.redis.replicas);
    const redisPorts = ports.slice(0, env.spec.redis.replicas);
    const sentinelPorts = ports.slice(env.spec.redis.replicas);
    // The first Sentinel stands for the `redis-sentinel` Service the scripts ask.
    service = sentinelPorts[0];
    redis = [];
    for (const [i, port] of redisPorts.entries()) redis.push(await cluster.startRedis(`redis-${i}`, port, redisPorts[0], service));
    sentinels = [];
    for (const [i, port] of sentinelPorts.entries()) sentinels.push(await cluster.startSentinel(`redis-${i}`, port, redisPorts[0], service));
    await waitFor('replicas linked', () => redis.slice(1).every((r) => info(r.port, 'replication').master_link_status === 'up'));
    await waitFor('Sentinels know each other', () => sentinels.every((s) => cli(s.port, ['sentinel', 'ckquorum', sentinelSpec.masterName]).startsWith('OK')), 30000, 500);
  });

  test('ordinal 0 is the initial master and every Sentinel monitors it', () => {
    expect(info(redis[0].port, 'replication').role).toBe('master');
    for (const r of redis.slice(1)) expect(info(r.port, 'replication').role).toBe('slave');
    for (const s of sentinels) expect(masterOf(s)).toEqual(['127.0.0.1', String(redis[0].port)]);
  });

  test('Sentinels run with the quorum, timeouts and announced names of the environment', () => {
    const master = cli(sentinels[1].port, ['sentinel', 'master', sentinelSpec.masterName]).split('\n');
    const field = (name: string) => master[master.indexOf(name) + 1];
    expect(field('quorum')).toBe(String(Math.floor(env.spec.redis.replicas / 2) + 1));
    expect(field('down-after-milliseconds')).toBe(String(sentinelSpec.downAfterMilliseconds));
    expect(field('failover-timeout')).toBe(String(sentinelSpec.failoverTimeoutMilliseconds));
    expect(field('num-other-sentinels')).toBe(String(env.spec.redis.replicas - 1));
    expect(cli(sentinels[1].port, ['sentinel', 'config', 'get', 'announce-hostnames']).split('\n')).toEqual(['announce-hostnames', 'yes']);
  });

  test('a master takes writes whatever its replicas do (a lone first master must not refuse Nuxeo)', () => {
    expect(cli(redis[0].port, ['config', 'get', 'min-replicas-to-write'], PASSWORD).split('\n')).toEqual(['min-replicas-to-write', '0']);
  });

  test('killing the master promotes a replica in time, and no acknowledged write is lost', async () => {
    const keys = 200;
    for (let i = 0; i < keys; i++) expect(cli(redis[0].port, ['set', `nuxeo:work:${i}`, `w${i}`], PASSWORD)).toBe('OK');
    // Acknowledged = replicated to every replica (WAIT), the guarantee Nuxeo's writes get before the crash.
    expect(cli(redis[0].port, ['wait', String(redis.length - 1), '5000'], PASSWORD)).toBe(String(redis.length - 1));

    const killedAt = Date.now();
    await servers.stop(redis[0].process, 'SIGKILL');
    const limit = sentinelSpec.downAfterMilliseconds + sentinelSpec.failoverTimeoutMilliseconds;
    const [host, port] = await waitFor('a new master', () => {
      const m = masterOf(sentinels[1]);
      return m[1] !== String(redis[0].port) && m.length === 2 ? m : undefined;
    }, limit, 250);
    const took = Date.now() - killedAt;
    expect(took).toBeLessThan(limit);
    expect(host).toBe('127.0.0.1');

    const promoted = redis.find((r) => String(r.port) === port)!;
    master = promoted;
    await waitFor('promotion done', () => info(promoted.port, 'replication').role === 'master');
    await waitFor('every Sentinel agrees', () => sentinels.slice(1).every((s) => masterOf(s)[1] === port));

    const values = cli(promoted.port, ['mget', ...Array.from({ length: keys }, (_, i) => `nuxeo:work:${i}`)], PASSWORD).split('\n');
    expect(values).toEqual(Array.from({ length: keys }, (_, i) => `w${i}`));

    // The other replica follows the new master, which then takes writes again.
    const other = redis.find((r) => r !== promoted && r !== redis[0])!;
    await waitFor('remaining replica re-pointed', () => info(other.port, 'replication').master_port === port && info(other.port, 'replication').master_link_status === 'up', 30000, 500);
    await waitFor('new master writable', () => cli(promoted.port, ['set', 'after', 'failover'], PASSWORD) === 'OK', 15000, 250);
    // eslint-disable-next-line no-console
    console.log(`failover: new master after ${took} ms (down-after ${sentinelSpec.downAfterMilliseconds} ms)`);
  });

  test('a master being stopped hands over first (preStop), though its own Sentinel stops at the same moment', async () => {
    const script = path.join(servers.tmpdir('prestop'), 'pre-stop.sh');
    fs.writeFileSync(script, redisFiles(env)['pre-stop.sh']);
    // The kubelet sends SIGTERM to the pod's Sentinel while the Redis container's preStop runs.
    const local = sentinels[redis.indexOf(master)];
    await servers.stop(local.process);
    const peers = sentinels.map((s) => `127.0.0.1:${s.port}`).join(' ');
    const started = Date.now();
    const r = spawnSync('sh', [script], {
      env: { PATH: process.env.PATH!, REDIS_AUTH_FILE: cluster.passwordFile, REDIS_PORT: String(master.port), SENTINEL_PORT: String(local.port), SENTINEL_PEERS: peers, ANNOUNCE_HOST: '127.0.0.1' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    console.log(`preStop took ${Date.now() - started} ms: ${r.stdout.trim().replace(/\n/g, ' | ')}`);
    expect(Date.now() - started).toBeLessThan(20000);
    const asked = sentinels.find((s) => s !== local)!;
    const [, port] = masterOf(asked);
    expect(port).not.toBe(String(master.port));
    const next = redis.find((n) => String(n.port) === port)!;
    await waitFor('hand-over complete', () => info(next.port, 'replication').role === 'master' && info(master.port, 'replication').role === 'slave', 30000, 250);
    master = next;
    // The pod comes back: its Sentinel restarts and learns the new master from its peers.
    const i = sentinels.indexOf(local);
    sentinels[i] = await cluster.startSentinel(local.name, local.port, redis[0].port, asked.port);
    await waitFor('restarted Sentinel follows', () => masterOf(sentinels[i])[1] === port, 30000, 250);
  });

  test('the old master comes back as a replica of the new one (asks the Sentinels)', async () => {
    redis[0] = await cluster.startRedis('redis-0', redis[0].port, redis[0].port, service);
    await waitFor('old master re-synced', () => info(redis[0].port, 'replication').master_link_status === 'up', 30000, 500);
    expect(info(redis[0].port, 'replication')).toMatchObject({ role: 'slave', master_port: String(master.port) });
    expect(cli(redis[0].port, ['get', 'after'], PASSWORD)).toBe('failover');
  });

  test('with every Sentinel down, a restarted node follows the master its Sentinel recorded, not ordinal 0', async () => {
    for (const s of sentinels) await servers.stop(s.process);
    await servers.stop(redis[0].process);
    redis[0] = await cluster.startRedis('redis-0', redis[0].port, redis[0].port, service);
    expect(info(redis[0].port, 'replication')).toMatchObject({ role: 'slave', master_port: String(master.port) });
  });
});
