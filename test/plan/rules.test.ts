/** The plan's rules for what the corpus does not reach, one object pair at a time. */
import { planEnvironment } from '../../app/plan/plan';
import { Change, Located, Manifest } from '../../app/plan/types';
import { allManifests, exampleEnvironment } from '../helpers';

const NS = 'ns';
const at = (manifest: Manifest): Located => ({ file: `dist/e/10-x.k8s.yaml`, manifest });
function plan(before: Manifest[], after: Manifest[]): Change[] {
  return planEnvironment({ name: 'e', namespace: NS, before: before.map(at), after: after.map(at) });
}
const effects = (changes: Change[]) => changes.map((c) => `${c.kind} ${c.name}: ${c.effect}`);
const clone = <T>(x: T): T => structuredClone(x);

const cnpg = allManifests(exampleEnvironment('cloudnativepg'));
const sidecar = allManifests(exampleEnvironment('sidecar-redis'));
const find = (ms: Manifest[], kind: string, name: string) => clone(ms.find((m) => m.kind === kind && m.metadata.name === name)!) as any;

describe('core kinds', () => {
  test('a Service turning headless (or back) is rejected; a selector change is in place', () => {
    const svc: any = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: NS }, spec: { selector: { a: '1' }, ports: [{ port: 80 }] } };
    const headless = { ...svc, spec: { ...svc.spec, clusterIP: 'None' } };
    const [c] = plan([svc], [headless]);
    expect(c).toMatchObject({ effect: 'rejected', fields: ['spec.clusterIP'], commands: ['kubectl -n ns delete service s', 'kubectl apply -f dist/e/10-x.k8s.yaml'] });
    expect(c.reason).toContain('validateUpgradeDowngradeClusterIPs');
    expect(effects(plan([svc], [{ ...svc, spec: { ...svc.spec, selector: { a: '2' } } }]))).toEqual(['Service s: updated']);
    expect(effects(plan([{ ...svc, spec: { ...svc.spec, type: 'ExternalName' } }], [headless]))).toEqual(['Service s: updated']);
  });

  test('a Service leaving or becoming a LoadBalancer needs DNS to follow the cloud load balancer', () => {
    const svc: any = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: NS }, spec: { type: 'LoadBalancer', selector: { a: '1' }, ports: [{ port: 80 }] } };
    const inner = { ...svc, spec: { ...svc.spec, type: 'ClusterIP' } };
    expect(plan([svc], [inner])[0]).toMatchObject({ effect: 'operator-action', summary: 'needs an operator action: Service s LoadBalancer → ClusterIP' });
    expect(plan([inner], [svc])[0].reason).toContain('new external address');
  });

  test('an immutable ConfigMap\'s data is rejected; a mutable one read by a pod that does not roll needs a restart', () => {
    const cm: any = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: NS }, immutable: true, data: { a: '1' } };
    expect(plan([cm], [{ ...cm, data: { a: '2' } }])[0]).toMatchObject({ effect: 'rejected', fields: ['data.a'] });
    const sts = find(sidecar, 'StatefulSet', 'nuxeo');
    const conf = find(sidecar, 'ConfigMap', 'nuxeo-conf');
    const edited = { ...conf, data: { ...conf.data, extra: 'x' } };
    const [c] = plan([sts, conf], [sts, edited]);
    expect(c).toMatchObject({ effect: 'operator-action', commands: ['kubectl -n nuxeo-sidecar rollout restart statefulset nuxeo'] });
  });

  test('PriorityClass preemptionPolicy is rejected, description is not', () => {
    const pc: any = { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'p' }, value: 5, description: 'a' };
    expect(plan([pc], [{ ...pc, preemptionPolicy: 'Never' }])[0]).toMatchObject({ effect: 'rejected', commands: ['kubectl delete priorityclass p', 'kubectl apply -f dist/e/10-x.k8s.yaml'] });
    expect(effects(plan([pc], [{ ...pc, description: 'b' }]))).toEqual(['PriorityClass p: updated']);
  });

  test('removals: a claim, the Namespace and a CloudNativePG Cluster take data; a StatefulSet keeps retained claims', () => {
    const pvc = find(sidecar, 'PersistentVolumeClaim', 'elasticsearch-snapshots');
    const ns = find(sidecar, 'Namespace', 'nuxeo-sidecar');
    const cluster = find(cnpg, 'Cluster', 'postgresql');
    const sts = find(sidecar, 'StatefulSet', 'nuxeo');
    const removed = plan([pvc, ns, cluster, sts], []);
    expect(removed.map((c) => [c.kind, c.effect, c.dataAtStake])).toEqual([
      ['Cluster', 'removed', true], ['Namespace', 'removed', true], ['PersistentVolumeClaim', 'removed', true], ['StatefulSet', 'removed', false],
    ]);
    expect(removed[3].reason).toContain('data-nuxeo-<ordinal>');
    const deleting = { ...sts, spec: { ...sts.spec, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' } } };
    expect(plan([deleting], [])[0]).toMatchObject({ effect: 'removed', dataAtStake: true });
  });

  test('a new key of an existing Secret is a new-Secret change naming the key', () => {
    const sts = find(sidecar, 'StatefulSet', 'nuxeo');
    const more = clone(sts);
    more.spec.template.spec.containers[0].env.push({ name: 'X', valueFrom: { secretKeyRef: { name: 'nuxeo-jwt', key: 'extra' } } });
    const secret = plan([sts], [more]).find((c) => c.effect === 'new-secret');
    expect(secret).toMatchObject({ kind: 'Secret', name: 'nuxeo-jwt', summary: 'new Secret required: nuxeo-jwt (key extra)', fields: ['data.extra'] });
  });
});

describe('StatefulSet rollouts and scaling', () => {
  test('a partition limits the roll to the ordinals at or above it; OnDelete needs someone', () => {
    const sts = find(sidecar, 'StatefulSet', 'nuxeo');
    const image = (m: any, i: string) => { m.spec.template.spec.containers[0].image = i; return m; };
    const partitioned = image(clone(sts), 'x:2');
    partitioned.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { partition: 1 } };
    const rolls = plan([{ ...sts, spec: { ...sts.spec, updateStrategy: partitioned.spec.updateStrategy } }], [partitioned]);
    expect(rolls[0].reason).toContain('nuxeo-1 (partition 1: lower ordinals keep the old template)');
    const onDelete = image(clone(sts), 'x:3');
    onDelete.spec.updateStrategy = { type: 'OnDelete' };
    const c = plan([{ ...sts, spec: { ...sts.spec, updateStrategy: { type: 'OnDelete' } } }], [onDelete])[0];
    expect(c).toMatchObject({ effect: 'operator-action', commands: ['kubectl -n nuxeo-sidecar delete pod nuxeo-1', 'kubectl -n nuxeo-sidecar delete pod nuxeo-0'] });
  });

  test('an Elasticsearch scale-down needs its nodes drained first', () => {
    const es = find(sidecar, 'StatefulSet', 'elasticsearch');
    const [c] = plan([es], [{ ...es, spec: { ...es.spec, replicas: 2 } }]);
    expect(c).toMatchObject({ effect: 'operator-action', summary: 'needs an operator action (scale-down): elasticsearch 3 → 2' });
    expect(c.commands[0]).toContain('"cluster.routing.allocation.exclude._name":"elasticsearch-2"');
  });
});

describe('CloudNativePG Cluster (the operator\'s webhook and rollout)', () => {
  const base = find(cnpg, 'Cluster', 'postgresql');
  const edit = (f: (spec: any) => void) => { const m = clone(base); f(m.spec); return m; };

  test.each([
    ['a smaller volume', (s: any) => (s.storage.size = '40Gi'), 'storage shrinks 50Gi → 40Gi'],
    ['another postgres UID', (s: any) => (s.postgresUID = 1000), 'postgresUID is immutable'],
    ['a major downgrade', (s: any) => (s.imageName = 'ghcr.io/cloudnative-pg/postgresql:14.19-system-trixie'), 'major downgrade 15 → 14'],
    ['wal_level minimal', (s: any) => (s.postgresql.parameters.wal_level = 'minimal'), 'wal_level may not become minimal'],
  ])('%s is rejected', (_what, change, reason) => {
    const [c] = plan([base], [edit(change)]);
    expect(c.effect).toBe('rejected');
    expect(c.reason).toContain(reason);
  });

  test('a major upgrade (to 16 or later) is an offline pg_upgrade by the operator: an operator action, data at stake; a minor one rolls', () => {
    const [major] = plan([base], [edit((s) => (s.imageName = 'ghcr.io/cloudnative-pg/postgresql:17.6-system-trixie'))]);
    expect(major).toMatchObject({ effect: 'operator-action', dataAtStake: true, fields: ['spec.imageName'], summary: 'needs an operator action: Cluster postgresql PostgreSQL 15 → 17' });
    expect(major.reason).toContain('shuts down every instance');
    expect(effects(plan([base], [edit((s) => (s.imageName = 'ghcr.io/cloudnative-pg/postgresql:15.15-system-trixie'))]))).toEqual(['Cluster postgresql: rolls-pods']);
  });

  test('a restart parameter rolls the instances, a reloadable one does not; a larger volume and a new class need someone', () => {
    expect(effects(plan([base], [edit((s) => (s.postgresql.parameters.shared_buffers = '1GB'))]))).toEqual(['Cluster postgresql: rolls-pods']);
    expect(effects(plan([base], [edit((s) => (s.postgresql.parameters.work_mem = '16MB'))]))).toEqual(['Cluster postgresql: updated']);
    expect(effects(plan([base], [edit((s) => (s.storage.size = '80Gi'))]))).toEqual(['Cluster postgresql: operator-action']);
    const moved = plan([base], [edit((s) => (s.storage.storageClass = 'other'))])[0];
    expect(moved).toMatchObject({ effect: 'operator-action', dataAtStake: true });
    expect(effects(plan([base], [edit((s) => (s.instances = 4))]))).toEqual(['Cluster postgresql: scales']);
  });

  // Seen on the test cluster (plan-corpus.test.ts): the Cluster's phase "Unable to create required
  // cluster objects", "refusing to reconcile service: postgresql-ro, not owned by the cluster".
  test('a switch from the StatefulSets names each Service of ours the operator refuses, and that no instance starts until they are gone', () => {
    const [c] = plan(sidecar, cnpg).filter((x) => x.kind === 'Cluster' && x.effect === 'operator-action');
    expect(c.reason).toContain('postgresql-ro and postgresql-rw');
    expect(c.reason).toContain('creates no instance');
    expect(c.commands).toContain('kubectl -n ns delete service postgresql-rw postgresql-ro --ignore-not-found');
  });
});
