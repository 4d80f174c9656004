/** The constructs used as a library, from outside the environment-file app (Testing.synth, no pipeline). */
import { Chart, JsonPatch, Testing } from 'cdk8s';
import {
  CompactArchitecture, Database, DatabaseSource, Elasticsearch, ElasticsearchSource, Nuxeo, PropsError, Redis, RedisSource,
} from '../lib';
import { parseProperties } from '../lib/nuxeo/nuxeo-conf';
import { NUXEO_CONF_FILE } from '../lib/nuxeo/nuxeo';
import type { Manifest } from './helpers';
import { Warnings } from '../lib';
import { validateEnvironment } from '../app/load';
import { setupWarnings } from '../app/setup-warnings';
import { environmentSchema } from '../app/environment';

const validated = (raw: unknown) => environmentSchema.parse(raw);

const chartIn = (namespace?: string) => new Chart(Testing.app(), 'test', { ...(namespace ? { namespace } : {}), disableResourceNameHashes: true });
const find = (ms: Manifest[], kind: string, name: string) => {
  const m = ms.find((x) => x.kind === kind && x.metadata.name === name);
  if (!m) throw new Error(`no ${kind} ${name} in ${ms.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`);
  return m;
};
const confOf = (ms: Manifest[], name = 'nuxeo') => parseProperties(find(ms, 'ConfigMap', `${name}-conf`).data![NUXEO_CONF_FILE]);
const policy = (ms: Manifest[], name: string) => find(ms, 'NetworkPolicy', name).spec;

describe('a tier on its own', () => {
  test('Redis alone needs only its own Props (no load balancer host) and takes the Chart namespace', () => {
    const chart = chartIn('team-a');
    new Redis(chart, 'cache', { mode: 'external', replicas: 3 });
    const ms: Manifest[] = Testing.synth(chart);
    const sts = find(ms, 'StatefulSet', 'cache');
    expect(sts.metadata.namespace).toBe('team-a');
    const env = Object.fromEntries(sts.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
    expect(env.INITIAL_MASTER_HOST).toBe('cache-0.cache-headless.team-a.svc.cluster.local');
    expect(env.SENTINEL_SERVICE_HOST).toBe('cache-sentinel.team-a.svc.cluster.local');
    expect(ms.every((m) => m.metadata.namespace === 'team-a')).toBe(true);
  });

  test('a tier outside a namespaced Chart is refused, saying why', () => {
    expect(() => new Elasticsearch(chartIn(), 'search')).toThrow(/place the tier in a Chart with a namespace/);
  });

  test('invalid Props are refused with one message per field, as the environment file is', () => {
    const chart = chartIn('x');
    try {
      new Redis(chart, 'cache', { mode: 'external', replicas: 1, maxmemory: 'lots' } as any);
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(PropsError);
      const problems = (e as PropsError).problems;
      expect(problems).toContainEqual(expect.stringMatching(/^redis\.replicas: must be at least 3/));
      expect(problems).toContainEqual(expect.stringMatching(/^redis\.maxmemory: /));
    }
  });

  test('every tier takes defaults that never throw: a sidecar Redis alone runs in the pods of a Nuxeo tier named nuxeo', () => {
    const chart = chartIn('x');
    const redis = new Redis(chart, 'redis');
    new Database(chart, 'postgresql');
    new Elasticsearch(chart, 'elasticsearch');
    expect(redis.endpoint.redis).toMatchObject({ host: 'redis-master.x.svc.cluster.local' });
    expect(find(Testing.synth(chart), 'Service', 'redis-master').spec.externalName).toBe('nuxeo-0.nuxeo-headless.x.svc.cluster.local');
  });

  test('escape hatches: a patch on the exposed StatefulSet reaches the output', () => {
    const chart = chartIn('x');
    const es = new Elasticsearch(chart, 'search');
    es.statefulSet.addJsonPatch(JsonPatch.add('/spec/minReadySeconds', 30));
    expect(find(Testing.synth(chart), 'StatefulSet', 'search').spec.minReadySeconds).toBe(30);
  });
});

describe('escape hatches', () => {
  const architecture = (chart: Chart) => new CompactArchitecture(chart, 'nuxeo', { loadBalancer: { host: 'nuxeo.example.com', tlsSecret: 'tls' } });
  const podChecksum = (ms: Manifest[], sts: string) => find(ms, 'StatefulSet', sts).spec.template.metadata.annotations['nuxeo-compact-k8s/config-checksum'];

  test('a JSON patch to a ConfigMap changes the checksum of the pods that read it, so they roll', () => {
    const reference = chartIn('x');
    architecture(reference);
    const plain: Manifest[] = Testing.synth(reference);
    const chart = chartIn('x');
    const arch = architecture(chart);
    arch.nuxeo.configMaps.conf.addJsonPatch(JsonPatch.add(`/data/${NUXEO_CONF_FILE.replace(/\//g, '~1')}`, 'nuxeo.url=https://other.example.com/nuxeo\n'));
    const patched: Manifest[] = Testing.synth(chart);
    expect(confOf(patched).get('nuxeo.url')).toBe('https://other.example.com/nuxeo');
    expect(podChecksum(patched, 'nuxeo')).not.toBe(podChecksum(plain, 'nuxeo'));
    // The other tiers read other ConfigMaps: their pods stay.
    expect(podChecksum(patched, 'elasticsearch')).toBe(podChecksum(plain, 'elasticsearch'));
  });

  test('a key added to a tier ConfigMap by a patch is part of its checksum too', () => {
    const chart = chartIn('x');
    const es = new Elasticsearch(chart, 'search');
    const before = podChecksum(Testing.synth(chart), 'search');
    es.configMap.addJsonPatch(JsonPatch.add('/data/extra.yml', 'a: 1\n'));
    expect(podChecksum(Testing.synth(chart), 'search')).not.toBe(before);
  });

  test('metadata.addAnnotation, and a JSON patch of the whole annotations map, reach an object without annotations', () => {
    const chart = chartIn('x');
    const es = new Elasticsearch(chart, 'search');
    es.service.metadata.addAnnotation('example.com/owner', 'team-a');
    es.headlessService.addJsonPatch(JsonPatch.add('/metadata/annotations', { 'example.com/owner': 'team-b' }));
    const ms: Manifest[] = Testing.synth(chart);
    expect(find(ms, 'Service', 'search').metadata.annotations).toEqual({ 'example.com/owner': 'team-a' });
    expect(find(ms, 'Service', 'search-headless').metadata.annotations).toEqual({ 'example.com/owner': 'team-b' });
  });

  test('the pod template always has annotations, so a patch can add one key to them', () => {
    const chart = chartIn('x');
    const es = new Elasticsearch(chart, 'search');
    es.statefulSet.addJsonPatch(JsonPatch.add('/spec/template/metadata/annotations/example.com~1scrape', 'false'));
    expect(find(Testing.synth(chart), 'StatefulSet', 'search').spec.template.metadata.annotations['example.com/scrape']).toBe('false');
  });
});

describe('tiers wired by their endpoints', () => {
  test('Nuxeo gets host names in the namespace of the Chart it is placed in, not a fixed one', () => {
    const chart = chartIn('team-b');
    const arch = new CompactArchitecture(chart, 'arch', { loadBalancer: { host: 'b.example.com' } });
    const conf = confOf(Testing.synth(chart));
    expect(conf.get('nuxeo.db.host')).toBe('postgresql-rw.team-b.svc.cluster.local');
    expect(conf.get('nuxeo.redis.host')).toBe('redis-master.team-b.svc.cluster.local');
    expect(conf.get('elasticsearch.addressList')).toBe('http://elasticsearch.team-b.svc.cluster.local:9200');
    expect(arch.database!.endpoint.host).toBe(conf.get('nuxeo.db.host'));
  });

  test('each in-cluster service admits exactly the Nuxeo pods that connect to it', () => {
    const chart = chartIn('x');
    new CompactArchitecture(chart, 'arch', { prefix: 'blue', loadBalancer: { host: 'b.example.com' }, redis: RedisSource.inCluster({ mode: 'external' }) });
    const ms = Testing.synth(chart);
    const nuxeoPeer = { podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'blue-nuxeo' } } };
    for (const name of ['blue-postgresql-primary', 'blue-postgresql-replica', 'blue-elasticsearch', 'blue-redis']) {
      expect(policy(ms, name).ingress[0].from[0]).toEqual(nuxeoPeer);
    }
  });

  test('managed services replace their tiers: Nuxeo is configured for them and its egress opens to them only', () => {
    const chart = chartIn('team-c');
    const arch = new CompactArchitecture(chart, 'arch', {
      loadBalancer: { host: 'c.example.com' },
      database: DatabaseSource.managed({ host: 'db.abc.eu-west-1.rds.amazonaws.com', password: { name: 'rds', key: 'password' }, cidrs: ['10.20.0.0/16'] }),
      elasticsearch: ElasticsearchSource.managed({ urls: ['https://search.example.es.io:9243'], credentials: { user: 'nuxeo', password: { name: 'es', key: 'password' } } }),
      redis: RedisSource.managed({ host: 'master.cache.euw1.cache.amazonaws.com', password: { name: 'cache', key: 'auth' } }),
    });
    expect(arch.database).toBeUndefined();
    const ms: Manifest[] = Testing.synth(chart);
    expect(ms.filter((m) => m.kind === 'StatefulSet').map((m) => m.metadata.name)).toEqual(['nuxeo']);
    const conf = confOf(ms);
    expect(conf.get('nuxeo.db.host')).toBe('db.abc.eu-west-1.rds.amazonaws.com');
    expect(conf.get('nuxeo.db.jdbc.url')).toContain('sslmode=require');
    expect(conf.get('nuxeo.redis.ssl')).toBe('true');
    expect(conf.get('elasticsearch.restClient.username')).toBe('nuxeo');
    expect(conf.has('elasticsearch.restClient.password')).toBe(false);
    const egress = policy(ms, 'nuxeo').egress.slice(1);
    expect(egress).toEqual([
      { to: [{ ipBlock: { cidr: '10.20.0.0/16' } }], ports: [{ port: 5432, protocol: 'TCP' }] },
      { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }], ports: [{ port: 9243, protocol: 'TCP' }] },
      { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }], ports: [{ port: 6379, protocol: 'TCP' }] },
    ]);
    const env = find(ms, 'StatefulSet', 'nuxeo').spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'NUXEO_DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'rds', key: 'password' } } });
    expect(env).toContainEqual({ name: 'NUXEO_REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'cache', key: 'auth' } } });
    expect(env).toContainEqual({ name: 'NUXEO_SECRET_ELASTICSEARCH_RESTCLIENT_PASSWORD', valueFrom: { secretKeyRef: { name: 'es', key: 'password' } } });
  });

  test("provider 'cloudnativepg' places a CloudNativePG Cluster, named and namespaced like the StatefulSets, and Nuxeo connects to it", () => {
    const chart = chartIn('team-d');
    const arch = new CompactArchitecture(chart, 'arch', {
      prefix: 'd',
      loadBalancer: { host: 'd.example.com' },
      database: DatabaseSource.cloudNativePg({ backup: { objectStore: { destinationPath: 's3://backups/d' } } }),
    });
    const ms: Manifest[] = Testing.synth(chart);
    expect(find(ms, 'Cluster', 'd-postgresql').metadata.namespace).toBe('team-d');
    expect(ms.filter((m) => m.kind === 'StatefulSet').map((m) => m.metadata.name).sort()).toEqual(['d-elasticsearch', 'd-nuxeo']);
    expect(confOf(ms, 'd-nuxeo').get('nuxeo.db.host')).toBe('d-postgresql-rw.team-d.svc.cluster.local');
    expect(arch.database!.endpoint.password).toEqual({ name: 'nuxeo-database', key: 'password' });
    expect(policy(ms, 'd-postgresql').ingress[0].from).toEqual([{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'd-nuxeo' } } }]);
  });

  test('tiers composed by hand: a Database and a Redis handed to a Nuxeo tier', () => {
    const chart = chartIn('y');
    const db = new Database(chart, 'pg', { replicas: 1 });
    const search = new Elasticsearch(chart, 'es');
    const redis = new Redis(chart, 'kv', { sidecarHost: Nuxeo.sidecarHost('app') });
    new Nuxeo(chart, 'app', { database: db.endpoint, elasticsearch: search.endpoint, redis: redis.endpoint, redisSidecar: redis.sidecar! });
    const ms = Testing.synth(chart);
    expect(confOf(ms, 'app').get('nuxeo.redis.host')).toBe('kv-master.y.svc.cluster.local');
    expect(find(ms, 'Service', 'kv-master').spec.externalName).toBe('app-0.app-headless.y.svc.cluster.local');
    expect(policy(ms, 'pg-primary').ingress[0].from[0]).toEqual({ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'app' } } });
  });

  test('a Nuxeo tier without a load balancer has no nuxeo.url unless given one, and warns about it', () => {
    const chart = chartIn('z');
    const db = new Database(chart, 'pg', { replicas: 1 });
    const search = new Elasticsearch(chart, 'es');
    const redis = new Redis(chart, 'kv', { sidecarHost: Nuxeo.sidecarHost('app') });
    const endpoints = { database: db.endpoint, elasticsearch: search.endpoint, redis: redis.endpoint, redisSidecar: redis.sidecar! };
    const bare = new Nuxeo(chart, 'app', endpoints);
    const given = new Nuxeo(chart, 'other', { ...endpoints, publicUrl: 'https://docs.example.com/nuxeo' });
    const ms = Testing.synth(chart);
    expect(confOf(ms, 'app').has('nuxeo.url')).toBe(false);
    expect(Warnings.collect(bare).filter((w) => w.includes('publicUrl'))).toEqual([
      'test/app: publicUrl is not set, so nuxeo.url stays http://localhost:8080/nuxeo and links in e-mails, invitations and SAML metadata point there',
    ]);
    expect(confOf(ms, 'other').get('nuxeo.url')).toBe('https://docs.example.com/nuxeo');
    expect(Warnings.collect(given).filter((w) => w.includes('publicUrl'))).toEqual([]);
  });
});

describe('two architectures in one Chart', () => {
  test('without prefixes: refused with the duplicated objects named', () => {
    const chart = chartIn('shared');
    new CompactArchitecture(chart, 'a', { loadBalancer: { host: 'a.example.com' } });
    new CompactArchitecture(chart, 'b', { loadBalancer: { host: 'b.example.com' } });
    let message = '';
    try {
      Testing.synth(chart);
    } catch (e) {
      message = (e as Error).message;
    }
    // One line for the pair of architectures, not one per object.
    expect(message.split('\n').filter((l) => l.includes('emitted twice'))).toEqual([
      expect.stringMatching(/^\s*\[test\/a\] \d+ objects are emitted twice, by test\/a and test\/b \(.*\): give the architectures a prefix/),
    ]);
  });

  test('with prefixes: every kind/namespace/name is unique', () => {
    const chart = chartIn('shared');
    new CompactArchitecture(chart, 'a', { prefix: 'a', loadBalancer: { host: 'a.example.com' } });
    new CompactArchitecture(chart, 'b', { prefix: 'b', loadBalancer: { host: 'b.example.com' }, redis: RedisSource.inCluster({ mode: 'external' }) });
    const keys = Testing.synth(chart).map((m: Manifest) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`);
    expect(keys.length).toBeGreaterThan(40);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('one validation for code and file users', () => {
  test('the cross-tier rule of the file (pools against maxConnections) refuses the code too, with the same message', () => {
    const chart = chartIn('x');
    new CompactArchitecture(chart, 'nuxeo', { loadBalancer: { host: 'a.example.com', tlsSecret: 'tls' }, nuxeo: { replicas: 8 } });
    expect(() => Testing.synth(chart)).toThrow(/database\.maxConnections: 200 is below what 8 Nuxeo nodes with pools of 40 can open \(330, with 10 reserved/);
    const file = validateEnvironment({ namespace: 'x', loadBalancer: { host: 'a.example.com' }, nuxeo: { replicas: 8 } }).problems;
    expect(file).toContainEqual(expect.stringContaining('database.maxConnections: 200 is below what 8 Nuxeo nodes with pools of 40 can open (330, with 10 reserved'));
  });

  test('a managed database takes the same rule, with its own maxConnections', () => {
    const chart = chartIn('x');
    new CompactArchitecture(chart, 'nuxeo', {
      loadBalancer: { host: 'a.example.com', tlsSecret: 'tls' }, nuxeo: { replicas: 3 },
      database: DatabaseSource.managed({ host: 'db.example.com', password: { name: 'db', key: 'password' }, maxConnections: 100 }),
    });
    expect(() => Testing.synth(chart)).toThrow(/database\.maxConnections: 100 is below what 3 Nuxeo nodes/);
  });

  test('problems of every tier come in one report', () => {
    try {
      new CompactArchitecture(chartIn('x'), 'nuxeo', {
        loadBalancer: { host: 'a.example.com' },
        nuxeo: { replicas: 1 },
        redis: RedisSource.inCluster({ maxmemory: 'lots' }),
        database: DatabaseSource.inCluster({ replicas: 0 }),
      });
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(PropsError);
      const problems = (e as PropsError).problems;
      expect(problems).toContainEqual(expect.stringMatching(/^nuxeo\.replicas: /));
      expect(problems).toContainEqual(expect.stringMatching(/^redis\.maxmemory: /));
      expect(problems).toContainEqual(expect.stringMatching(/^database\.replicas: /));
    }
  });

  test("CloudNativePG's Secret key rule applies in code as in the file; the password is `password` in every variant", () => {
    const database = DatabaseSource.cloudNativePg({ password: { name: 'db', key: 'pw' }, backup: { objectStore: { destinationPath: 's3://backups/x' } } });
    expect(() => new CompactArchitecture(chartIn('x'), 'nuxeo', { loadBalancer: { host: 'a.example.com' }, database }))
      .toThrow(/database\.password\.key: must be 'password' with database\.provider 'cloudnativepg'/);
  });

  test('packages installed at start need the CLID in code as in the file', () => {
    expect(() => new CompactArchitecture(chartIn('x'), 'nuxeo', { loadBalancer: { host: 'a.example.com' }, nuxeo: { packages: ['nuxeo-web-ui'] } }))
      .toThrow(/nuxeo\.clid: is required: nuxeo-web-ui would be installed from Nuxeo Connect/);
  });

  test('the warnings of the file are attached to the constructs, and a prefix that leaves monitoring out says so', () => {
    const chart = chartIn('x');
    const arch = new CompactArchitecture(chart, 'nuxeo', { prefix: 'p', loadBalancer: { host: 'a.example.com' } });
    const spec = validated({ namespace: 'x', loadBalancer: { host: 'a.example.com' } });
    expect(Warnings.collect(arch)).toEqual(expect.arrayContaining(setupWarnings(spec)));
    expect(Warnings.collect(arch)).toContainEqual(expect.stringContaining("monitoring is left out with prefix 'p'"));
    expect(setupWarnings(spec).length).toBe(2);
  });
});
