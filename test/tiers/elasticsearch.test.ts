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
  test('the config init container copies without preserving times or owners (not allowed on a root-owned emptyDir)', () => {
    const init = esOf().pod.initContainers.find((c: any) => c.name === 'config');
    expect(init.command[2]).toMatch(/^cp -R \/usr\/share\/elasticsearch\/config\/\. \/config\/ && /);
    expect(init.command[2]).not.toMatch(/cp -a|--preserve|cp -p/);
  });

  test('GC logs fit in the logs emptyDir: the bundled 32 x 64 MiB is replaced', () => {
    const { main, pod } = esOf();
    const opts: string[] = main.env.find((e: any) => e.name === 'ES_JAVA_OPTS').value.split(' ');
    // The bundled -Xlog setting stays in force unless -Xlog:disable comes first.
    expect(opts.findIndex((o) => o === '-Xlog:disable')).toBeGreaterThan(-1);
    const files = opts.filter((o) => o.startsWith('-Xlog:') && o.includes(':file='));
    expect(files).toHaveLength(1);
    expect(opts.indexOf('-Xlog:disable')).toBeLessThan(opts.indexOf(files[0]));
    const m = /:file=([^:]+):[^:]*:filecount=(\d+),filesize=(\d+)m$/.exec(files[0])!;
    const logsMount = main.volumeMounts.find((v: any) => v.mountPath === '/usr/share/elasticsearch/logs');
    expect(m[1].startsWith('/usr/share/elasticsearch/logs/')).toBe(true);
    const limit = pod.volumes.find((v: any) => v.name === logsMount.name).emptyDir.sizeLimit;
    expect(Number(m[2]) * Number(m[3])).toBeLessThanOrEqual(parseInt(limit, 10) / 4);
  });

  test('a node is ready only once the cluster was green since it started in this pod (as elastic\'s chart)', () => {
    const { main } = esOf();
    const probe = main.readinessProbe.exec.command.join(' ');
    expect(probe).toContain("_cluster/health?wait_for_status=green&timeout=1s");
    expect(probe).not.toContain('local=true');
    expect(main.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
  });

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
    expect(env({ elasticsearch: { resources: { limits: { memory: '8Gi' }, requests: { memory: '8Gi' } } } })).toMatch(/^-Xms4096m -Xmx4096m /);
    expect(env({ elasticsearch: { heap: '1Gi' } })).toMatch(/^-Xms1024m -Xmx1024m /);
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
