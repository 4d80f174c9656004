import { renderWaitWhileListening } from '../../lib/redis/redis-conf';
import { PROXY_DRAIN_SECONDS } from '../../lib/nuxeo/nuxeo';
import { allManifests, environment, find, Manifest } from '../helpers';

const envOf = (c: any) => Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
const redisConf = (manifests: Manifest[]) => find(manifests, 'ConfigMap', 'redis').data!;

describe('Redis, sidecar mode', () => {
  const manifests = allManifests(environment('side', { nuxeo: { replicas: 3 }, redis: { mode: 'sidecar', maxmemory: '300Mi' } }));
  const nuxeo = find(manifests, 'StatefulSet', 'nuxeo');
  const redis = nuxeo.spec.template.spec.containers.find((c: any) => c.name === 'redis');
  const env = envOf(redis);

  test('no separate Redis workload: Redis runs in every Nuxeo pod', () => {
    expect(manifests.find((m) => m.kind === 'StatefulSet' && m.metadata.name === 'redis')).toBeUndefined();
    expect(redis.command).toEqual(['sh', '/etc/redis/start-redis.sh']);
  });

  test('pod 0 is the initial master; the others replicate from its stable DNS name', () => {
    expect(env.INITIAL_MASTER_HOST).toBe('nuxeo-0.nuxeo-headless.nuxeo-side.svc.cluster.local');
    expect(env.ANNOUNCE_HOST).toBe('$(POD_NAME).nuxeo-headless.nuxeo-side.svc.cluster.local');
    // $(POD_NAME) expands only when POD_NAME is defined earlier in the list.
    const names = redis.env.map((e: any) => e.name);
    expect(names.indexOf('POD_NAME')).toBeLessThan(names.indexOf('ANNOUNCE_HOST'));
    expect(env.SENTINEL_SERVICE_HOST).toBeUndefined();
    expect(redisConf(manifests)['start-sentinel.sh']).toBeUndefined();
  });

  test('Redis outlives the pod\'s Nuxeo when the pod stops (preStop waits while Nuxeo listens)', () => {
    expect(redis.lifecycle.preStop.exec.command).toEqual(['sh', '-c', renderWaitWhileListening(8080, 90 + PROXY_DRAIN_SECONDS)]);
    expect(renderWaitWhileListening(8080, 90)).toContain(':1F90$/');
    expect(nuxeo.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(90);
  });

  test('the master Service reaches pod 0 only, even before it is ready', () => {
    const svc = find(manifests, 'Service', 'redis-master');
    expect(svc.spec).toEqual({ type: 'ExternalName', externalName: 'nuxeo-0.nuxeo-headless.nuxeo-side.svc.cluster.local', ports: [{ name: 'redis', port: 6379, protocol: 'TCP' }] });
    expect(find(manifests, 'Service', 'nuxeo-headless').spec.publishNotReadyAddresses).toBe(true);
  });

  test('memory is bounded with no eviction, persistence is on the pod volume', () => {
    const conf = redisConf(manifests)['redis.conf'];
    expect(conf).toContain(`maxmemory ${300 * 2 ** 20}\n`);
    expect(conf).toContain('maxmemory-policy noeviction\n');
    expect(conf).toContain('appendonly yes\n');
    expect(conf).toContain('min-replicas-to-write 0\n');
    expect(redis.volumeMounts).toContainEqual({ name: 'redis-data', mountPath: '/data' });
    expect(nuxeo.spec.volumeClaimTemplates.map((t: any) => t.metadata.name)).toEqual(['data', 'redis-data']);
  });

  test('the password comes from the Secret named in the file, never from the ConfigMap', () => {
    const volume = nuxeo.spec.template.spec.volumes.find((v: any) => v.name === 'redis-password');
    expect(volume.secret).toMatchObject({ secretName: 'nuxeo-redis', items: [{ key: 'password', path: 'password' }] });
    expect(env.REDIS_AUTH_FILE).toBe('/var/run/secrets/redis/password');
    expect(redisConf(manifests)['redis.conf']).not.toMatch(/^(requirepass|masterauth)/m);
    expect(redisConf(manifests)['start-redis.sh']).toContain('password=$(cat "$REDIS_AUTH_FILE")');
  });
});

describe('Redis, external mode', () => {
  const manifests = allManifests(environment('ext', { redis: { mode: 'external', replicas: 5, sentinel: { downAfterMilliseconds: 7000 } } }));
  const sts = find(manifests, 'StatefulSet', 'redis');
  const containers = sts.spec.template.spec.containers;
  const files = redisConf(manifests);

  test('a separate StatefulSet of Redis nodes, each with a Sentinel, with its own volumes', () => {
    expect(sts.spec.replicas).toBe(5);
    expect(containers.map((c: any) => c.name)).toEqual(['redis', 'sentinel', 'redis-exporter', 'sentinel-exporter']);
    expect(sts.spec.volumeClaimTemplates.map((t: any) => t.metadata.name)).toEqual(['data']);
    expect(find(manifests, 'StatefulSet', 'nuxeo').spec.template.spec.containers.map((c: any) => c.name)).toEqual(['nuxeo', 'proxy', 'proxy-exporter']);
  });

  test('Sentinels agree by majority, announce hostnames, and start from ordinal 0', () => {
    const script = files['start-sentinel.sh'];
    expect(script).toContain('sentinel monitor mymaster $1 $2 3\n');
    expect(script).toContain('sentinel announce-hostnames yes\n');
    expect(script).toContain('sentinel resolve-hostnames yes\n');
    expect(script).toContain('sentinel down-after-milliseconds mymaster 7000\n');
    const env = envOf(containers[1]);
    expect(env.INITIAL_MASTER_HOST).toBe('redis-0.redis-headless.nuxeo-ext.svc.cluster.local');
    expect(env.SENTINEL_SERVICE_HOST).toBe('redis-sentinel.nuxeo-ext.svc.cluster.local');
    expect(find(manifests, 'Service', 'redis-headless').spec.publishNotReadyAddresses).toBe(true);
  });

  test('a lone master takes writes (no min-replicas-to-write), and hands over before stopping', () => {
    expect(files['redis.conf']).toContain('min-replicas-to-write 0\n');
    expect(containers[0].lifecycle.preStop.exec.command).toEqual(['sh', '/etc/redis/pre-stop.sh']);
    expect(files['pre-stop.sh']).toContain('sentinel failover mymaster');
    expect(sts.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(20);
  });

  test('the hand-over asks the other pods\' Sentinels, not its own (stopped at the same moment)', () => {
    expect(files['pre-stop.sh']).not.toContain('-h 127.0.0.1 -p "$SENTINEL_PORT"');
    const peers = envOf(containers[0]).SENTINEL_PEERS.split(' ');
    expect(peers).toEqual([0, 1, 2, 3, 4].map((i) => `redis-${i}.redis-headless.nuxeo-ext.svc.cluster.local:26379`));
    expect(files['pre-stop.sh']).toContain('[ "$peer" = "$ANNOUNCE_HOST:$SENTINEL_PORT" ] && continue');
  });

  test('pods start in parallel: a lost redis-0 does not keep redis-1/2 from coming back', () => {
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
  });

  test('each Sentinel keeps its configuration on the pod\'s volume, where both scripts find the last master', () => {
    for (const c of containers.filter((c: any) => ['redis', 'sentinel'].includes(c.name))) {
      expect(envOf(c).SENTINEL_DIR).toBe('/data/sentinel');
      expect(c.volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    }
    expect(files['start-redis.sh']).toContain('found=$(remembered_master)');
  });

  test('no master Service: clients ask the Sentinels', () => {
    expect(manifests.find((m) => m.kind === 'Service' && m.metadata.name === 'redis-master')).toBeUndefined();
  });
});
