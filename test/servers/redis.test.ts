/** Redis sidecar topology: a master (pod 0) and a replica started from the synthesized ConfigMap. */
import { bytes } from '../../lib/settings/quantity';
import { exampleEnvironment } from '../helpers';
import { Servers, waitFor } from './harness';
import { cli, info, Node, PASSWORD, RedisCluster } from './redis-support';

const env = exampleEnvironment('sidecar-redis');
const servers = new Servers();
afterAll(() => servers.stopAll());

describe(`Redis sidecar topology (${env.name})`, () => {
  let master: Node;
  let replica: Node;

  beforeAll(async () => {
    const cluster = new RedisCluster(servers, env);
    const [p0, p1] = await RedisCluster.ports(2);
    master = await cluster.startRedis('nuxeo-0', p0, p0);
    replica = await cluster.startRedis('nuxeo-1', p1, p0);
    await waitFor('replication link up', () => info(replica.port, 'replication').master_link_status === 'up');
  });

  test('pod 0 is the master, the other pod its replica', () => {
    expect(info(master.port, 'replication').role).toBe('master');
    expect(info(master.port, 'replication').connected_slaves).toBe('1');
    expect(info(replica.port, 'replication')).toMatchObject({ role: 'slave', master_port: String(master.port) });
  });

  test('a key written on the master is read on the replica', async () => {
    expect(cli(master.port, ['set', 'nuxeo:work:test', 'queued'], PASSWORD)).toBe('OK');
    await waitFor('key replicated', () => cli(replica.port, ['get', 'nuxeo:work:test'], PASSWORD) === 'queued');
  });

  test('the replica refuses writes', () => {
    expect(cli(replica.port, ['set', 'k', 'v'], PASSWORD)).toMatch(/^READONLY/);
  });

  test('the password is required, on both', () => {
    for (const node of [master, replica]) {
      expect(cli(node.port, ['get', 'k'])).toMatch(/NOAUTH/);
      expect(cli(node.port, ['get', 'k'], 'wrong')).toMatch(/WRONGPASS|invalid password/);
    }
  });

  test('maxmemory from the environment file and the no-eviction policy are in force', () => {
    for (const node of [master, replica]) {
      expect(cli(node.port, ['config', 'get', 'maxmemory'], PASSWORD).split('\n')).toEqual(['maxmemory', String(bytes(env.spec.redis.maxmemory))]);
      expect(cli(node.port, ['config', 'get', 'maxmemory-policy'], PASSWORD).split('\n')).toEqual(['maxmemory-policy', 'noeviction']);
      expect(cli(node.port, ['config', 'get', 'appendonly'], PASSWORD).split('\n')).toEqual(['appendonly', 'yes']);
    }
  });

  test('a full Redis refuses new writes instead of evicting queued ones', () => {
    // Lower the limit at run time only to reach it quickly; the policy is the synthesized one.
    expect(cli(master.port, ['config', 'set', 'maxmemory', '1'], PASSWORD)).toBe('OK');
    try {
      expect(cli(master.port, ['set', 'another', 'x'], PASSWORD)).toMatch(/^OOM/);
      expect(cli(master.port, ['get', 'nuxeo:work:test'], PASSWORD)).toBe('queued');
    } finally {
      cli(master.port, ['config', 'set', 'maxmemory', String(bytes(env.spec.redis.maxmemory))], PASSWORD);
    }
  });
});
