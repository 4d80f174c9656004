import { parse } from 'yaml';
import { allManifests, environment, find } from '../helpers';

const esOf = (overrides: Record<string, any> = {}) => {
  const manifests = allManifests(environment('es', overrides));
  const sts = find(manifests, 'StatefulSet', 'elasticsearch');
  const yml = parse(find(manifests, 'ConfigMap', 'elasticsearch').data!['elasticsearch.yml']);
  const main = sts.spec.template.spec.containers[0];
  return { manifests, sts, yml, main, pod: sts.spec.template.spec };
};

describe('Elasticsearch cluster', () => {
  test('three master-eligible data nodes by default, more on request', () => {
    expect(esOf().sts.spec.replicas).toBe(3);
    expect(esOf({ elasticsearch: { replicas: 5 } }).sts.spec.replicas).toBe(5);
    expect(esOf().yml['node.roles']).toEqual(['master', 'data', 'ingest']);
  });

  test('discovery names match the pod names and the headless Service', () => {
    const { yml, sts } = esOf({ elasticsearch: { replicas: 4 } });
    expect(yml['cluster.initial_master_nodes']).toEqual(['elasticsearch-0', 'elasticsearch-1', 'elasticsearch-2', 'elasticsearch-3']);
    expect(yml['discovery.seed_hosts']).toEqual([`${sts.spec.serviceName}.nuxeo-es.svc.cluster.local`]);
    expect(yml['node.name']).toBe('${POD_NAME}');
    expect(sts.spec.podManagementPolicy).toBe('Parallel');
  });

  test('the JVM heap is half of the memory limit unless set', () => {
    const env = (overrides: any) => esOf(overrides).main.env.find((e: any) => e.name === 'ES_JAVA_OPTS').value;
    expect(env({ elasticsearch: { resources: { limits: { memory: '8Gi' }, requests: { memory: '8Gi' } } } })).toBe('-Xms4096m -Xmx4096m');
    expect(env({ elasticsearch: { heap: '1Gi' } })).toBe('-Xms1024m -Xmx1024m');
  });

  test('one volume per node, and a client Service on 9200', () => {
    const { sts, manifests } = esOf({ elasticsearch: { storage: { size: '64Gi' } } });
    expect(sts.spec.volumeClaimTemplates).toHaveLength(1);
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('64Gi');
    expect(find(manifests, 'Service', 'elasticsearch').spec.ports).toEqual([{ name: 'http', port: 9200, protocol: 'TCP', targetPort: 'http' }]);
  });

  test('no privileged init container by default: mmap is off instead', () => {
    const { yml, pod } = esOf();
    expect(yml['node.store.allow_mmap']).toBe(false);
    expect(pod.initContainers.map((c: any) => c.name)).toEqual(['config']);
    expect(pod.initContainers.every((c: any) => c.securityContext.privileged === false)).toBe(true);
  });

  test('the sysctl route is an explicit opt-in, and relaxes the namespace\'s Pod Security level with it', () => {
    const { yml, pod, manifests } = esOf({ elasticsearch: { sysctlInitContainer: true } });
    expect(yml['node.store.allow_mmap']).toBeUndefined();
    const sysctl = pod.initContainers[0];
    expect(sysctl.command).toEqual(['sysctl', '-w', 'vm.max_map_count=262144']);
    expect(sysctl.securityContext.privileged).toBe(true);
    expect(find(manifests, 'Namespace', 'nuxeo-es').metadata.labels!['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(find(allManifests(environment('es')), 'Namespace', 'nuxeo-es').metadata.labels!['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });
});
