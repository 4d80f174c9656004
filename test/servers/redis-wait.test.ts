/**
 * The Redis wait that runs before Nuxeo's launcher (lib/nuxeo/redis-wait.ts), against a real
 * redis-server and redis-sentinel on loopback started from the synthesized Redis ConfigMap: it
 * waits while Redis is down, lets the command run once Redis answers, and gives up after its
 * bound with a clear message. The pods run the same renderer's output (checked first), with
 * their cluster addresses instead of 127.0.0.1.
 */
import { ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseProperties } from '../../lib/nuxeo/nuxeo-conf';
import type { RedisConnection } from '../../lib/redis/connection';
import { renderRedisWaitScript } from '../../lib/nuxeo/redis-wait';
import { NUXEO_CONF_FILE } from '../../lib/nuxeo/nuxeo';
import { allManifests, exampleEnvironment, find } from '../helpers';
import { Servers, waitFor } from './harness';
import { cli, RedisCluster } from './redis-support';

const servers = new Servers();
afterAll(() => servers.stopAll());

/** Runs the wait script with `echo started` as the command Nuxeo's launcher would be. */
function runWait(redis: RedisConnection, seconds: number): { proc: ChildProcess; log: () => string; exit: Promise<number | null> } {
  const dir = servers.tmpdir('redis-wait');
  const script = path.join(dir, 'wait-redis.sh');
  fs.writeFileSync(script, renderRedisWaitScript(redis, seconds));
  const proc = servers.start('bash', [script, 'echo', 'started']);
  const exit = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, log: () => servers.log(proc), exit };
}

test.each(['sidecar-redis', 'external-redis'] as const)('the %s pods run this renderer\'s script for the Redis Nuxeo is configured with', (name) => {
  const manifests = allManifests(exampleEnvironment(name));
  const conf = parseProperties(find(manifests, 'ConfigMap', 'nuxeo-conf').data![NUXEO_CONF_FILE]);
  const script = find(manifests, 'ConfigMap', 'nuxeo-start').data!['wait-redis.sh'];
  const seconds = Number(/^bound=(\d+)$/m.exec(script)![1]);
  const redis: RedisConnection = conf.get('nuxeo.redis.ha.enabled') === 'true'
    ? { kind: 'sentinel', hosts: conf.get('nuxeo.redis.ha.hosts')!.split(','), port: Number(conf.get('nuxeo.redis.ha.port')), masterName: conf.get('nuxeo.redis.ha.master')! }
    : { kind: 'single', host: conf.get('nuxeo.redis.host')!, port: Number(conf.get('nuxeo.redis.port')) };
  expect(script).toBe(renderRedisWaitScript(redis, seconds));
});

describe('plain Redis (host:port)', () => {
  test('waits, logging, while Redis is down; runs the command once Redis (with its password) answers', async () => {
    const cluster = new RedisCluster(servers, exampleEnvironment('sidecar-redis'));
    const [port] = await RedisCluster.ports(1);
    const w = runWait({ kind: 'single', host: '127.0.0.1', port }, 120);
    await waitFor(() => `a waiting line: ${w.log()}`, () => w.log().includes(`waiting for Redis (127.0.0.1:${port}), 0 s of 120: no answer from 127.0.0.1:${port}`), 10000);
    await new Promise((r) => setTimeout(r, 3000));
    expect(w.proc.exitCode).toBeNull();
    expect(w.log()).not.toContain('started');
    await cluster.startRedis('redis-0', port, port);
    expect(await w.exit).toBe(0);
    expect(w.log()).toMatch(/Redis answers after \d+ s\nstarted\n$/);
  }, 60000);

  test('gives up after its bound, saying what it tried and which setting to raise', async () => {
    const [port] = await RedisCluster.ports(1);
    const begin = Date.now();
    const w = runWait({ kind: 'single', host: '127.0.0.1', port }, 4);
    expect(await w.exit).toBe(1);
    expect(Date.now() - begin).toBeLessThan(12000);
    expect(w.log()).toContain(`Redis did not answer within 4 s (no answer from 127.0.0.1:${port}): giving up. Check the Redis pods, or raise nuxeo.redisWaitSeconds`);
    expect(w.log()).not.toContain('started');
  }, 30000);
});

describe('managed Redis over TLS', () => {
  test('bash cannot speak TLS: the wait ends when the port accepts connections', async () => {
    const cluster = new RedisCluster(servers, exampleEnvironment('sidecar-redis'));
    const [port] = await RedisCluster.ports(1);
    const w = runWait({ kind: 'single', host: '127.0.0.1', port, ssl: true }, 60);
    await waitFor(() => `a waiting line: ${w.log()}`, () => w.log().includes(`no TCP connection to 127.0.0.1:${port}`), 10000);
    expect(w.proc.exitCode).toBeNull();
    await cluster.startRedis('redis-0', port, port);
    expect(await w.exit).toBe(0);
    expect(w.log()).toMatch(/\nstarted\n$/);
  }, 60000);
});

describe('Redis behind Sentinel', () => {
  test('waits for a Sentinel, then for the master it names; runs the command once that master answers', async () => {
    const env = exampleEnvironment('external-redis');
    const cluster = new RedisCluster(servers, env);
    const [redisPort, sentinelPort] = await RedisCluster.ports(2);
    const master = env.spec.redis.sentinel.masterName;
    const w = runWait({ kind: 'sentinel', hosts: ['127.0.0.1'], port: sentinelPort, masterName: master }, 120);
    await waitFor(() => `waiting for a Sentinel: ${w.log()}`, () => w.log().includes(`no answer from Sentinel 127.0.0.1:${sentinelPort}`), 10000);

    // A Sentinel that names a master which does not answer: still waiting.
    const redis = await cluster.startRedis('redis-0', redisPort, redisPort, sentinelPort);
    await cluster.startSentinel('redis-0', sentinelPort, redisPort, sentinelPort);
    await servers.stop(redis.process);
    expect(cli(sentinelPort, ['sentinel', 'get-master-addr-by-name', master])).toBe(`127.0.0.1\n${redisPort}`);
    await waitFor(() => `the named master is down: ${w.log()}`, () => w.log().includes(`Sentinel 127.0.0.1:${sentinelPort} names 127.0.0.1:${redisPort}, but no answer from 127.0.0.1:${redisPort}`), 20000);
    expect(w.proc.exitCode).toBeNull();

    await cluster.startRedis('redis-0', redisPort, redisPort, sentinelPort);
    expect(await w.exit).toBe(0);
    expect(w.log()).toContain(`Sentinel 127.0.0.1:${sentinelPort} names 127.0.0.1:${redisPort} as master '${master}', which answers`);
    expect(w.log()).toMatch(/\nstarted\n$/);
  }, 90000);

  test('gives up after its bound when no Sentinel answers', async () => {
    const [port] = await RedisCluster.ports(1);
    const w = runWait({ kind: 'sentinel', hosts: ['127.0.0.1', 'localhost'], port, masterName: 'mymaster' }, 3);
    expect(await w.exit).toBe(1);
    expect(w.log()).toContain(`Redis did not answer within 3 s (no answer from Sentinel 127.0.0.1:${port}; no answer from Sentinel localhost:${port}): giving up`);
  }, 30000);
});
