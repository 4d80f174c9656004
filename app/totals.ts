/**
 * What an environment costs the cluster, summed from its synthesized manifests (not from the
 * environment file, so sidecars, init containers and every replica count): CPU, memory and
 * ephemeral-storage requests and limits, and persistent volumes by StorageClass. CloudNativePG
 * instances count as the pods and claims the operator makes; CronJob pods run briefly and do not.
 */
import { bytes } from '../lib/settings/quantity';
import type { EnvironmentSpec } from './environment';

type Manifest = { apiVersion?: string; kind: string; spec?: any };
const RESOURCES = ['cpu', 'memory', 'ephemeral-storage'] as const;
type Resource = (typeof RESOURCES)[number];

export interface Totals {
  /** Millicores for cpu, bytes otherwise. */
  readonly requests: Record<Resource, number>;
  readonly limits: Record<Resource, number>;
  /** StorageClass (or `(cluster default)`) -> bytes. */
  readonly volumes: Record<string, number>;
  readonly volumeCount: number;
  /**
   * One pod of each workload on the same node: what required anti-affinity puts on every node
   * when the cluster has no more nodes than the largest workload has pods (`nodes`).
   */
  readonly perNode: {
    readonly requests: Record<Resource, number>;
    readonly limits: Record<Resource, number>;
    readonly nodes: number;
    /** Requests of one pod of each workload that has `nodes` pods: on every node of a `nodes`-node cluster. */
    readonly everyNode: Record<Resource, number>;
  };
}

function amount(resource: Resource, q: string | undefined): number {
  if (!q) return 0;
  if (resource !== 'cpu') return bytes(q);
  return q.endsWith('m') ? Number(q.slice(0, -1)) : Math.round(Number(q) * 1000);
}

/** What the scheduler reserves for one pod: the larger of its containers' sum and its largest init container. */
function podAmount(pod: any, kind: 'requests' | 'limits', resource: Resource): number {
  const sum = pod.containers.reduce((t: number, c: any) => t + amount(resource, c.resources?.[kind]?.[resource]), 0);
  const init = Math.max(0, ...(pod.initContainers ?? []).map((c: any) => amount(resource, c.resources?.[kind]?.[resource])));
  return Math.max(sum, init);
}

export function totals(manifests: Manifest[]): Totals {
  const zero = () => Object.fromEntries(RESOURCES.map((r) => [r, 0])) as Record<Resource, number>;
  const requests = zero();
  const limits = zero();
  const perNode = { requests: zero(), limits: zero(), nodes: 0, everyNode: zero() };
  const workloads: { n: number; requests: Record<Resource, number> }[] = [];
  /** `n` pods of `amountOf(kind, resource)` each: into the totals, and one of them onto the node. */
  const addPods = (n: number, amountOf: (kind: 'requests' | 'limits', r: Resource) => number) => {
    const one = zero();
    for (const r of RESOURCES) {
      one[r] = amountOf('requests', r);
      requests[r] += n * one[r];
      limits[r] += n * amountOf('limits', r);
      perNode.requests[r] += one[r];
      perNode.limits[r] += amountOf('limits', r);
    }
    perNode.nodes = Math.max(perNode.nodes, n);
    workloads.push({ n, requests: one });
  };
  const volumes: Record<string, number> = {};
  let volumeCount = 0;
  const addVolume = (claim: any, count: number) => {
    const cls = claim.storageClassName ?? '(cluster default)';
    volumes[cls] = (volumes[cls] ?? 0) + count * bytes(claim.resources.requests.storage);
    volumeCount += count;
  };
  for (const m of manifests) {
    if (['StatefulSet', 'Deployment', 'DaemonSet'].includes(m.kind)) {
      const replicas = m.spec.replicas ?? 1;
      if (replicas > 0) addPods(replicas, (kind, r) => podAmount(m.spec.template.spec, kind, r));
      for (const t of m.spec.volumeClaimTemplates ?? []) addVolume(t.spec, replicas);
    } else if (m.kind === 'PersistentVolumeClaim') {
      addVolume(m.spec, 1);
    } else if (m.kind === 'Cluster' && m.apiVersion === 'postgresql.cnpg.io/v1') {
      // CloudNativePG makes one pod (one postgres container) and one claim per instance.
      const n = m.spec.instances;
      addPods(n, (kind, r) => amount(r, m.spec.resources?.[kind]?.[r]));
      addVolume({ storageClassName: m.spec.storage.storageClass, resources: { requests: { storage: m.spec.storage.size } } }, n);
      if (m.spec.walStorage) addVolume({ storageClassName: m.spec.walStorage.storageClass, resources: { requests: { storage: m.spec.walStorage.size } } }, n);
    }
  }
  for (const w of workloads.filter((x) => x.n === perNode.nodes)) RESOURCES.forEach((r) => { perNode.everyNode[r] += w.requests[r]; });
  return { requests, limits, volumes, volumeCount, perNode };
}

const cpu = (millicores: number) => `${+(millicores / 1000).toFixed(2)} CPU`;
const gib = (b: number) => `${+(b / 2 ** 30).toFixed(1)} GiB`;

/** Each node's share when it must hold one pod of each workload, over `nodeCapacity`; none when it fits. */
export function nodeSizeWarnings(t: Totals, spec: Pick<EnvironmentSpec, 'nodeCapacity' | 'scheduling'>): string[] {
  const cap = spec.nodeCapacity;
  const p = t.perNode;
  const every = `on every node of a ${p.nodes}-node cluster`;
  const over = [
    ...(p.requests.memory > bytes(cap.memory) ? [`${gib(p.requests.memory)} of memory requests (${gib(p.everyNode.memory)} ${every}; nodeCapacity.memory is ${cap.memory})`] : []),
    ...(p.requests.cpu > amount('cpu', cap.cpu) ? [`${cpu(p.requests.cpu)} of CPU requests (${cpu(p.everyNode.cpu)} ${every}; nodeCapacity.cpu is ${cap.cpu})`] : []),
  ];
  if (!over.length) return [];
  const why = spec.scheduling.antiAffinity === 'required'
    ? `with required anti-affinity a node may hold one pod of each workload, and on a ${p.nodes}-node cluster every node holds one of each ${p.nodes}-pod workload`
    : 'when one pod of each workload lands on the same node';
  return [`Each node needs up to ${over.join(' and ')}: ${why}; pods stay Pending where they do not fit. ` +
    'Use larger nodes (and set nodeCapacity to what they leave after DaemonSets), more nodes than the largest workload, or smaller resources.requests.'];
}

/** The SUMMARY.md section. */
export function renderTotals(t: Totals, spec: Pick<EnvironmentSpec, 'nodeCapacity' | 'scheduling'>): string {
  const p = t.perNode;
  const placement = spec.scheduling.antiAffinity === 'required'
    ? `required anti-affinity: ${p.nodes} nodes or more; each of ${p.nodes} nodes holds one pod of every ${p.nodes}-pod workload, requests ${cpu(p.everyNode.cpu)}, ${gib(p.everyNode.memory)} memory`
    : 'preferred anti-affinity: the worst case';
  const warnings = nodeSizeWarnings(t, spec);
  const row = (label: string, r: Record<Resource, number>) => `| ${label} | ${cpu(r.cpu)} | ${gib(r.memory)} | ${gib(r['ephemeral-storage'])} |`;
  const classes = Object.keys(t.volumes).sort();
  return `## What it needs from the cluster

Summed over every pod of every workload (all containers, every replica), as the scheduler counts them.

| | CPU | Memory | Ephemeral storage |
|---|---|---|---|
${row('Requests', t.requests)}
${row('Limits', t.limits)}

Per node, with one pod of each workload on it (${placement}): requests ${cpu(p.requests.cpu)}, ${gib(p.requests.memory)} memory; limits ${cpu(p.limits.cpu)}, ${gib(p.limits.memory)} memory. Add the DaemonSets' requests, and a backup Job's pod while it runs; compare with nodeCapacity (${spec.nodeCapacity.cpu} CPU, ${spec.nodeCapacity.memory}).
${warnings.map((w) => `\n- ${w}`).join('')}

${t.volumeCount} persistent volumes, ${gib(Object.values(t.volumes).reduce((a, b) => a + b, 0))} in all:

| StorageClass | Size |
|---|---|
${classes.map((c) => `| ${c} | ${gib(t.volumes[c])} |`).join('\n')}
`;
}
