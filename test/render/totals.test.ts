/** SUMMARY.md's totals: what an environment asks of the cluster, summed from the manifests. */
import { bytes } from '../../lib/settings/quantity';
import { nodeSizeWarnings, totals } from '../../app/totals';
import { SUMMARY_FILE, synthesizeEnvironment } from '../../app/synth';
import { allManifests, environment } from '../helpers';

const cores = (q: string) => (q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000);

test('requests add up every container of every replica, from the environment\'s sizes', () => {
  const env = environment('t');
  const s = env.spec;
  const t = totals(allManifests(env));
  // Sidecar mode: each Nuxeo pod runs Nuxeo, its nginx and Redis, and an exporter beside nginx and
  // Redis; Elasticsearch and PostgreSQL pods one server and its exporter each. The backup jobs run
  // briefly and are not counted; their volumes are.
  const exporter = cores(s.monitoring.resources.requests.cpu);
  const nuxeoPod = cores(s.nuxeo.resources.requests.cpu) + cores(s.nuxeo.proxy.resources.requests.cpu) + cores(s.redis.resources.requests.cpu) + 2 * exporter;
  expect(t.requests.cpu).toBe(s.nuxeo.replicas * nuxeoPod + s.elasticsearch.replicas * (cores(s.elasticsearch.resources.requests.cpu) + exporter) + (1 + s.database.replicas) * (cores(s.database.resources.requests.cpu) + exporter));
  const volumes = s.nuxeo.replicas * (bytes(s.nuxeo.data.size) + bytes(s.redis.storage.size)) + bytes(s.nuxeo.binaries.size)
    + s.elasticsearch.replicas * bytes(s.elasticsearch.storage.size) + (1 + s.database.replicas) * bytes(s.database.storage.size)
    + bytes(s.database.backup.storage.size) + bytes(s.elasticsearch.snapshots.storage.size);
  expect(t.volumes).toEqual({ '(cluster default)': volumes });
  expect(t.volumeCount).toBe(2 * s.nuxeo.replicas + 1 + s.elasticsearch.replicas + 1 + s.database.replicas + 2);
});

test('CloudNativePG instances count like the pods the operator makes of them', () => {
  const env = environment('cnpg', {
    database: { provider: 'cloudnativepg', replicas: 2, storage: { size: '50Gi', storageClass: 'fast' }, backup: { objectStore: { destinationPath: 's3://acme-backups/postgresql' } } },
    secrets: { databasePassword: { name: 'app', key: 'password' } },
    monitoring: { enabled: false },
  });
  const s = env.spec;
  const t = totals(allManifests(env));
  expect(t.volumes.fast).toBe(3 * bytes('50Gi'));
  const others = totals(allManifests(env).filter((m) => m.kind !== 'Cluster'));
  expect(t.requests.cpu - others.requests.cpu).toBe(3 * cores(s.database.resources.requests.cpu));
  expect(t.limits.memory - others.limits.memory).toBe(3 * bytes(s.database.resources.limits.memory));
});

test('volumes are grouped by StorageClass, and an init container larger than the pod counts as the pod', () => {
  const env = environment('classes', { elasticsearch: { storage: { size: '10Gi', storageClass: 'fast' } }, nuxeo: { binaries: { storageClass: 'nfs', size: '1Ti' } } });
  const t = totals(allManifests(env));
  expect(t.volumes.fast).toBe(3 * bytes('10Gi'));
  expect(t.volumes.nfs).toBe(bytes('1Ti'));
  const pod = { kind: 'StatefulSet', spec: { replicas: 2, template: { spec: {
    initContainers: [{ resources: { requests: { cpu: '3', memory: '1Gi' } } }],
    containers: [{ resources: { requests: { cpu: '500m', memory: '2Gi' } } }, { resources: { requests: { cpu: '250m', memory: '1Gi' } } }],
  } } } };
  expect(totals([pod]).requests).toMatchObject({ cpu: 6000, memory: 2 * bytes('3Gi') });
});

test('SUMMARY.md shows the totals', () => {
  const summary = synthesizeEnvironment(environment('t')).get(SUMMARY_FILE)!;
  expect(summary).toContain('## What it needs from the cluster');
  expect(summary).toMatch(/\| Requests \| 6\.58 CPU \| [0-9.]+ GiB \| [0-9.]+ GiB \|/);
  expect(summary).toContain('12 persistent volumes, 374 GiB in all');
});

describe('per-node needs', () => {
  /** Memory requests of one pod of each workload, summed independently of the code under test. */
  const onePodEach = (env: ReturnType<typeof environment>) => allManifests(env)
    .filter((m) => ['StatefulSet', 'Deployment'].includes(m.kind))
    .reduce((sum, m) => sum + m.spec.template.spec.containers.reduce((t: number, c: any) => t + bytes(c.resources.requests.memory), 0), 0)
    + allManifests(env).filter((m) => m.kind === 'Cluster').reduce((sum, m) => sum + bytes(m.spec.resources.requests.memory), 0);

  test('one pod of each workload per node (required anti-affinity), and the fewest nodes that allows', () => {
    const env = environment('pn', { redis: { mode: 'external' }, nuxeo: { replicas: 3 } });
    const t = totals(allManifests(env));
    expect(t.perNode.requests.memory).toBe(onePodEach(env));
    expect(t.perNode.nodes).toBe(3);
    // Every node of a 3-node cluster: Nuxeo, Redis and Elasticsearch (3 pods each), not PostgreSQL's single pods.
    const threes = allManifests(env).filter((m) => m.kind === 'StatefulSet' && m.spec.replicas === 3);
    expect(threes.map((m) => m.metadata.name).sort()).toEqual(['elasticsearch', 'nuxeo', 'redis']);
    expect(t.perNode.everyNode.memory).toBe(threes.reduce((sum, m) => sum + m.spec.template.spec.containers.reduce((x: number, c: any) => x + bytes(c.resources.requests.memory), 0), 0));
    const summary = synthesizeEnvironment(env).get(SUMMARY_FILE)!;
    expect(summary).toMatch(/\nPer node, with one pod of each workload on it \(required anti-affinity: 3 nodes or more; each of 3 nodes holds one pod of every 3-pod workload, requests [0-9.]+ CPU, [0-9.]+ GiB memory\): requests [0-9.]+ CPU, [0-9.]+ GiB memory/);
  });

  test('a warning when a node of nodeCapacity cannot hold them, none when it can', () => {
    const big = { elasticsearch: { resources: { requests: { memory: '8Gi' }, limits: { memory: '8Gi' } } } };
    const small = environment('small', { ...big, nodeCapacity: { memory: '8Gi' } });
    expect(nodeSizeWarnings(totals(allManifests(small)), small.spec)).toEqual([expect.stringMatching(/^Each node needs up to [0-9.]+ GiB of memory requests \([0-9.]+ GiB on every node of a [0-9]-node cluster; nodeCapacity\.memory is 8Gi\)/)]);
    expect(synthesizeEnvironment(small).get(SUMMARY_FILE)).toContain('- Each node needs up to');
    const roomy = environment('roomy', { ...big, nodeCapacity: { memory: '64Gi', cpu: '16' } });
    expect(nodeSizeWarnings(totals(allManifests(roomy)), roomy.spec)).toEqual([]);
  });
});
