/** Identity, placement, pod labels and annotations, images by digest: the fields every tier shares. */
import { allManifests, environment, find, Manifest, workloads } from '../helpers';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const podOf = (ms: Manifest[], name: string) => find(ms, 'StatefulSet', name).spec.template;

describe('one ServiceAccount per workload', () => {
  const ms = allManifests(environment('ids', { redis: { mode: 'external' } }));

  test('each workload runs under its own account, which mounts no API token', () => {
    const names = workloads(ms).map((w) => w.spec.template.spec.serviceAccountName);
    expect(names.sort()).toEqual(['elasticsearch', 'nuxeo', 'postgresql-primary', 'postgresql-replica', 'redis']);
    for (const name of names) {
      const account = find(ms, 'ServiceAccount', name);
      expect(account.automountServiceAccountToken).toBe(false);
      expect(account.metadata.labels!['app.kubernetes.io/instance']).toBe(name);
    }
    for (const w of workloads(ms)) expect(w.spec.template.spec.automountServiceAccountToken).toBe(false);
  });

  test('annotations reach the account (IRSA, GKE, Azure)', () => {
    const arn = 'arn:aws:iam::123456789012:role/nuxeo-s3';
    const account = find(allManifests(environment('irsa', { nuxeo: { serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': arn } } } })), 'ServiceAccount', 'nuxeo');
    expect(account.metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': arn });
  });

  test('an existing account is used, not emitted; a named one is shared by the database workloads and emitted once', () => {
    const existing = allManifests(environment('existing', { elasticsearch: { serviceAccount: { create: false, name: 'search-sa' } } }));
    expect(podOf(existing, 'elasticsearch').spec.serviceAccountName).toBe('search-sa');
    expect(existing.filter((m) => m.kind === 'ServiceAccount').map((m) => m.metadata.name)).not.toContain('search-sa');
    expect(existing.filter((m) => m.kind === 'ServiceAccount').map((m) => m.metadata.name)).not.toContain('elasticsearch');

    const shared = allManifests(environment('shared', { database: { serviceAccount: { name: 'postgresql' } } }));
    expect(shared.filter((m) => m.kind === 'ServiceAccount' && m.metadata.name === 'postgresql')).toHaveLength(1);
    expect([podOf(shared, 'postgresql-primary'), podOf(shared, 'postgresql-replica')].map((t) => t.spec.serviceAccountName)).toEqual(['postgresql', 'postgresql']);
  });
});

describe('placement and pod metadata per tier', () => {
  const nodeAffinity = { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['r6i.xlarge'] }] }] } };
  const ms = allManifests(environment('placed', {
    elasticsearch: {
      nodeSelector: { pool: 'search' },
      tolerations: [{ key: 'dedicated', value: 'search', effect: 'NoSchedule' }],
      affinity: { nodeAffinity },
      podLabels: { team: 'search' },
      podAnnotations: { 'example.com/scrape': 'true' },
    },
  }));

  test('node selector, tolerations and node affinity go to that tier only; its own anti-affinity stays', () => {
    const es = podOf(ms, 'elasticsearch').spec;
    expect(es.nodeSelector).toEqual({ pool: 'search' });
    expect(es.tolerations).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'search', effect: 'NoSchedule' }]);
    expect(es.affinity.nodeAffinity).toEqual(nodeAffinity);
    expect(es.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchLabels).toEqual({ 'app.kubernetes.io/instance': 'elasticsearch', 'app.kubernetes.io/name': 'elasticsearch' });
    const nuxeo = podOf(ms, 'nuxeo').spec;
    expect(nuxeo.nodeSelector).toBeUndefined();
    expect(nuxeo.tolerations).toBeUndefined();
    expect(nuxeo.affinity.nodeAffinity).toBeUndefined();
  });

  test('pod labels and annotations are added beside ours; the selector does not change', () => {
    const sts = find(ms, 'StatefulSet', 'elasticsearch');
    expect(sts.spec.template.metadata.labels).toMatchObject({ 'team': 'search', 'app.kubernetes.io/instance': 'elasticsearch' });
    expect(sts.spec.template.metadata.annotations).toMatchObject({ 'example.com/scrape': 'true' });
    expect(sts.spec.template.metadata.annotations['nuxeo-compact-k8s/config-checksum']).toMatch(/^[0-9a-f]{16}$/);
    expect(sts.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/instance': 'elasticsearch', 'app.kubernetes.io/name': 'elasticsearch' });
  });
});

describe('images by tag or digest', () => {
  test('a digest synthesizes and is pulled IfNotPresent; tags stay Always', () => {
    const image = `docker.elastic.co/elasticsearch/elasticsearch@${DIGEST}`;
    const pod = podOf(allManifests(environment('digest', { elasticsearch: { image, sysctlInitContainer: true } })), 'elasticsearch').spec;
    // The exporter beside Elasticsearch has an image of its own (monitoring.images).
    for (const c of [...pod.initContainers, ...pod.containers].filter((c: any) => !c.name.endsWith('-exporter'))) {
      expect(c.image).toBe(image);
      expect(c.imagePullPolicy).toBe('IfNotPresent');
    }
    const tagged = allManifests(environment('tagged', { nuxeo: { image: `docker-private.packages.nuxeo.com/nuxeo/nuxeo:2021.36@${DIGEST}` } }));
    expect(podOf(tagged, 'nuxeo').spec.containers.find((c: any) => c.name === 'nuxeo').imagePullPolicy).toBe('IfNotPresent');
    expect(podOf(tagged, 'nuxeo').spec.containers.find((c: any) => c.name === 'proxy').imagePullPolicy).toBe('Always');
  });
});
