/**
 * Each test environment (test/cluster/environments/, the shipped examples adapted to one node) on
 * the real cluster: synth, the checklist's Secrets, `kubectl apply --server-side` in the README's
 * order, then what the API server, the controllers, the scheduler, the kubelet, kube-proxy,
 * CoreDNS and the NetworkPolicy enforcer make of it. Each `it` states its time limit.
 */
import * as fs from 'fs';
import * as path from 'path';
import { apply, applyYaml, clientPod, createSecrets, deleteNamespace, getJson, kubectl, recycleVolumes, Synthesized, synthEnvironment, warnings } from './kube';

const ENVIRONMENTS = ['sidecar-redis', 'external-redis'];
const CLIENT_NS = 'nck8s-client';
const ROOT = path.join(__dirname, '../..');

/** The Prometheus Operator's CRDs the monitoring file needs (the copies the CRD tests use). */
async function installMonitoringCrds(): Promise<void> {
  const crds = fs.readdirSync(path.join(ROOT, 'imports/crds')).filter((f) => f.startsWith('monitoring.coreos.com_'));
  await apply(crds.map((f) => path.join(ROOT, 'imports/crds', f)));
  for (const f of crds) await kubectl(['wait', '--for=condition=Established', `crd/${f.replace(/^monitoring.coreos.com_(\w+)\.yaml$/, '$1.monitoring.coreos.com')}`, '--timeout=60s']);
}

/** Every host name of the form <name>.<...>.svc.<domain> the manifests mention. */
function clusterNames(s: Synthesized): string[] {
  const text = s.files.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
  return [...new Set(text.match(/\b[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\.svc\.cluster\.local\b/g) ?? [])].sort();
}

beforeAll(async () => {
  await installMonitoringCrds();
  await applyYaml(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: CLIENT_NS } }));
}, 120000);

describe.each(ENVIRONMENTS)('%s on the real cluster', (envName) => {
  let s: Synthesized;
  const envFile = path.join(__dirname, 'environments', `${envName}.yaml`);

  beforeAll(async () => {
    s = synthEnvironment(envFile);
    await deleteNamespace(s.namespace);
    await recycleVolumes();
  }, 240000);

  afterAll(async () => {
    if (process.env.CLUSTER_KEEP !== '1' && s) {
      await deleteNamespace(s.namespace);
      await recycleVolumes();
    }
  }, 240000);

  it('applies in the README order with the checklist Secrets: no rejection, no warning (180 s)', async () => {
    const [namespaceFile] = s.files;
    expect(path.basename(namespaceFile)).toBe('00-namespace.k8s.yaml');
    const first = await apply([namespaceFile]);
    const secrets = await createSecrets(s);
    expect(Object.keys(secrets).length).toBeGreaterThan(0);
    const all = await apply([s.dir]);
    expect([...warnings(first), ...warnings(all)]).toEqual([]);
    // Exactly the Secrets of the checklist, nothing else, are in the namespace.
    const names = (await getJson(['-n', s.namespace, 'secrets'])).items.map((x: any) => x.metadata.name).sort();
    expect(names).toEqual(s.secretCommands.map((l) => l.split(/\s+/)[6]).sort());
  }, 180000);

  it('rolls out every StatefulSet and Deployment; every pod Ready by the kubelet\'s probes (600 s)', async () => {
    const start = Date.now();
    const workloads = (await getJson(['-n', s.namespace, 'statefulsets,deployments'])).items;
    expect(workloads.length).toBeGreaterThan(0);
    for (const w of workloads) {
      const r = await kubectl(['-n', s.namespace, 'rollout', 'status', `${w.kind.toLowerCase()}/${w.metadata.name}`, '--timeout=600s'], { timeoutMs: 610000, allowFail: true });
      if (r.code !== 0) {
        const pods = await kubectl(['-n', s.namespace, 'get', 'pods', '-o', 'wide'], { allowFail: true });
        const events = await kubectl(['-n', s.namespace, 'get', 'events', '--sort-by=.lastTimestamp'], { allowFail: true });
        throw new Error(`${w.kind}/${w.metadata.name} did not roll out:\n${r.stderr}\n${pods.stdout}\n${events.stdout.split('\n').slice(-40).join('\n')}`);
      }
    }
    const pods = (await getJson(['-n', s.namespace, 'pods'])).items;
    const notReady = pods.filter((p: any) => !p.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
    expect(notReady.map((p: any) => p.metadata.name)).toEqual([]);
    console.log(`${envName}: ${pods.length} pods Ready ${Math.round((Date.now() - start) / 1000)} s after apply`);
  }, 620000);

  it('Pod Security admission (restricted) refuses a privileged pod in the namespace (30 s)', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'privileged', namespace: s.namespace }, spec: { containers: [{ name: 'c', image: 'localhost:32500/nck8s/stand-in:latest', securityContext: { privileged: true } }] } };
    const r = await kubectl(['create', '-f', '-'], { input: JSON.stringify(pod), allowFail: true });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/violates PodSecurity "restricted:latest": privileged/);
  }, 30000);

  it('resolves every *.svc.cluster.local name of the generated configuration from a Nuxeo pod (120 s)', async () => {
    const names = clusterNames(s);
    expect(names.length).toBeGreaterThan(0);
    const failed: string[] = [];
    for (const name of names) {
      const r = await kubectl(['-n', s.namespace, 'exec', 'nuxeo-0', '-c', 'nuxeo', '--', 'getent', 'hosts', name], { allowFail: true });
      if (r.code !== 0) failed.push(name);
    }
    expect(failed).toEqual([]);
  }, 120000);

  it('serves a client in another namespace through the `service` provider\'s Service and nginx, sticky to one pod (120 s)', async () => {
    const client = await clientPod(CLIENT_NS, `client-${envName}`);
    const url = `http://nuxeo.${s.namespace}.svc.cluster.local/nuxeo/runningstatus`;
    const served = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const r = await client.sh(`curl -sS -o /dev/null -w '%{http_code}\\n' --max-time 5 ${url} && curl -sS --max-time 5 http://nuxeo.${s.namespace}.svc.cluster.local/cgi-bin/headers | head -1`);
      expect(r.stdout).toMatch(/^200\n/);
      served.add(r.stdout.split('\n')[1]);
    }
    const endpoints = (await getJson(['-n', s.namespace, 'endpointslices', '-l', 'kubernetes.io/service-name=nuxeo'])).items
      .flatMap((e: any) => e.endpoints ?? []).filter((e: any) => e.conditions?.ready);
    expect(endpoints.length).toBeGreaterThan(1);
    expect(served.size).toBe(1);
  }, 120000);
});
