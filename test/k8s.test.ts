/** The generic builders of lib/k8s on their own (Testing.synth, no environment file). */
import { Chart, Testing } from 'cdk8s';
import { networkPolicy, Peer } from '../lib/k8s/network-policy';
import { statefulWorkload } from '../lib/k8s/stateful-workload';
import { resolveContext } from '../lib/k8s/context';

const chart = () => new Chart(Testing.app(), 't', { namespace: 'ns', disableResourceNameHashes: true });
const id = { app: 'demo', instance: 'demo', component: 'test' };
const pod = { serviceAccount: { create: true, annotations: {} }, nodeSelector: {}, tolerations: [], affinity: {}, podLabels: {}, podAnnotations: {} };

describe('networkPolicy', () => {
  test('peers added after construction (allowFrom) are in the output; a rule left without peers is omitted, never an empty `from`', () => {
    const c = chart();
    const clients: Peer[] = [];
    networkPolicy(c, id, [{ peers: clients, ports: [5432] }, { peers: [], ports: [9999] }], [], resolveContext(c));
    const before = Testing.synth(c)[0].spec;
    expect(before.ingress).toEqual([]);
    clients.push({ pods: { 'app.kubernetes.io/instance': 'client' } });
    const after = Testing.synth(c)[0].spec;
    expect(after.ingress).toEqual([{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'client' } } }], ports: [{ port: 5432, protocol: 'TCP' }] }]);
    expect(after.egress).toHaveLength(1); // DNS only
  });
});

describe('statefulWorkload', () => {
  const workload = (context = {}) => {
    const c = chart();
    statefulWorkload(c, { ctx: resolveContext(c, context), id, replicas: 2, serviceName: 'demo-headless', uid: 10001, containers: [{ name: 'x', image: 'x:1' }], configChecksum: () => 'abc', terminationGracePeriodSeconds: 10, pod });
    return Testing.synth(c);
  };

  test('a StatefulSet, its ServiceAccount and a PodDisruptionBudget, in the Chart namespace', () => {
    expect(workload().map((m: any) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`).sort()).toEqual(['PodDisruptionBudget/ns/demo', 'ServiceAccount/ns/demo', 'StatefulSet/ns/demo']);
  });

  test('no priority class unless the context names one, then that one', () => {
    const spec = (ms: any[]) => ms.find((m) => m.kind === 'StatefulSet').spec.template.spec;
    expect(spec(workload()).priorityClassName).toBeUndefined();
    expect(spec(workload({ priorityClassName: 'high' })).priorityClassName).toBe('high');
  });
});
