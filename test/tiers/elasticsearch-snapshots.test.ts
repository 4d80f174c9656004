import { allManifests, environment, find, shippedEnvironments } from '../helpers';

describe('Elasticsearch snapshots', () => {
  test('every shipped environment registers a snapshot lifecycle policy', () => {
    for (const env of shippedEnvironments()) {
      const m = allManifests(env);
      expect(find(m, 'CronJob', 'elasticsearch-snapshots').spec.suspend).toBeUndefined();
      expect(find(m, 'ConfigMap', 'elasticsearch-snapshots').data!['register.sh']).toMatch(/^put \/_slm\/policy\/nuxeo-daily '/m);
    }
  });

  const manifests = allManifests(environment('es', { elasticsearch: { snapshots: { storage: { size: '200Gi', storageClass: 'nfs' }, expireAfter: '14d', minCount: 3, maxCount: 20 } } }));
  const sts = find(manifests, 'StatefulSet', 'elasticsearch');

  test('every node mounts the one ReadWriteMany repository volume at path.repo', () => {
    const pvc = find(manifests, 'PersistentVolumeClaim', 'elasticsearch-snapshots');
    expect(pvc.spec).toEqual({ accessModes: ['ReadWriteMany'], storageClassName: 'nfs', resources: { requests: { storage: '200Gi' } } });
    expect(sts.spec.template.spec.volumes).toContainEqual({ name: 'snapshots', persistentVolumeClaim: { claimName: 'elasticsearch-snapshots' } });
    expect(sts.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: 'snapshots', mountPath: '/usr/share/elasticsearch/snapshots' });
    expect(find(manifests, 'ConfigMap', 'elasticsearch').data!['elasticsearch.yml']).toContain('path.repo: [ "/usr/share/elasticsearch/snapshots" ]');
  });

  test('the registration job reaches the HTTP Service with the Elasticsearch image (curl), and Elasticsearch lets it in on 9200 only', () => {
    const job = find(manifests, 'CronJob', 'elasticsearch-snapshots');
    const c = job.spec.jobTemplate.spec.template.spec.containers[0];
    expect(c.image).toBe(sts.spec.template.spec.containers[0].image);
    expect(c.env).toContainEqual({ name: 'ES_URL', value: 'http://elasticsearch.nuxeo-es.svc.cluster.local:9200' });
    expect(find(manifests, 'ConfigMap', 'elasticsearch-snapshots').data!['register.sh']).toContain('"retention":{"expire_after":"14d","min_count":3,"max_count":20}');
    const esPolicy = find(manifests, 'NetworkPolicy', 'elasticsearch');
    const rule = esPolicy.spec.ingress.find((r: any) => r.from.some((f: any) => f.podSelector.matchLabels['app.kubernetes.io/instance'] === 'elasticsearch-snapshots'));
    expect(rule.ports).toEqual([{ port: 9200, protocol: 'TCP' }]);
  });

  test('retention counts must be ordered', () => {
    expect(() => environment('bad', { elasticsearch: { snapshots: { minCount: 10, maxCount: 5 } } })).toThrow(/elasticsearch\.snapshots\.minCount: 10 is above maxCount 5/);
  });
});
