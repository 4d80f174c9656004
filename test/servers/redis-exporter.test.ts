/**
 * The Redis and Sentinel exporters of the manifests, run by Debian's prometheus-redis-exporter
 * against real Redis and Sentinel started from the synthesized ConfigMap. The exporters' env is
 * the container's (REDIS_ADDR, REDIS_PASSWORD from the Secret, REDIS_EXPORTER_WEB_LISTEN_ADDRESS);
 * only addresses and ports are made local. Every redis_* metric an alert reads must be exposed.
 */
import { bytes } from '../../lib/settings/quantity';
import { shippedEnvironments } from '../helpers';
import { freePort, Servers, waitFor } from './harness';
import { alertMetrics, exporterContainer, exposedNames, get, processEnv } from './metrics';
import { info, PASSWORD, RedisCluster } from './redis-support';

const EXPORTER = 'prometheus-redis-exporter';
const servers = new Servers();
afterAll(() => servers.stopAll());

describe.each(shippedEnvironments().map((e) => [e.spec.redis.mode, e] as const))('redis_exporter, %s mode', (mode, env) => {
  const secrets = { [env.spec.secrets.redisPassword.name]: PASSWORD };
  let exposed: Set<string>;
  let masterText: string;

  /** Starts the named exporter container of the manifests against a local port. */
  async function startExporter(container: string, targetPort: number): Promise<string> {
    const c = exporterContainer(env, container);
    const listen = await freePort();
    const penv = processEnv(c, secrets, (name, value) => {
      if (name === 'REDIS_ADDR') return value.replace(/:(6379|26379)$/, `:${targetPort}`);
      if (name === 'REDIS_EXPORTER_WEB_LISTEN_ADDRESS') return `127.0.0.1:${listen}`;
      return value;
    });
    expect(penv.REDIS_ADDR).toBe(`redis://127.0.0.1:${targetPort}`);
    const proc = servers.start(EXPORTER, c.args ?? [], { env: penv });
    // The readiness probe's path answers without asking Redis.
    await waitFor(() => `${container} on ${listen}: ${servers.log(proc)}`, () => get(listen, '/').then((r) => r.status === 200));
    const metrics = await get(listen, '/metrics');
    expect(metrics.status).toBe(200);
    return metrics.body;
  }

  beforeAll(async () => {
    const cluster = new RedisCluster(servers, env);
    const [master, replica, sentinel] = await RedisCluster.ports(3);
    const sentinelPort = mode === 'external' ? sentinel : undefined;
    await cluster.startRedis('node-0', master, master, sentinelPort);
    await cluster.startRedis('node-1', replica, master, sentinelPort);
    await waitFor('replica linked', () => info(replica, 'replication').master_link_status === 'up');
    if (sentinelPort) await cluster.startSentinel('node-0', sentinelPort, master, sentinelPort);
    masterText = await startExporter('redis-exporter', master);
    expect(masterText).toMatch(/^redis_up 1$/m);
    exposed = exposedNames(masterText);
    if (sentinelPort) {
      const sentinelText = await startExporter('sentinel-exporter', sentinelPort);
      expect(sentinelText).toMatch(/^redis_sentinel_masters 1$/m);
      for (const n of exposedNames(sentinelText)) exposed.add(n);
    }
  });

  test('every redis_* metric the alerts read is exposed by the real exporter', () => {
    const wanted = alertMetrics(env, 'redis_');
    expect(wanted.length).toBeGreaterThanOrEqual(mode === 'external' ? 5 : 4);
    expect(wanted.filter((n) => !exposed.has(n))).toEqual([]);
  });

  test('the memory alerts divide by the maxmemory of the environment', () => {
    expect(Number(/^redis_memory_max_bytes (\S+)$/m.exec(masterText)?.[1])).toBe(bytes(env.spec.redis.maxmemory));
  });
});
