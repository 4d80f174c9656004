/**
 * What an environment costs the cluster, summed from its synthesized manifests (not from the
 * environment file, so sidecars, init containers and every replica count): CPU, memory and
 * ephemeral-storage requests and limits, and persistent volumes by StorageClass. CloudNativePG
 * instances count as the pods and claims the operator makes; CronJob pods run briefly and do not.
 */
import { bytes } from '../lib/settings/quantity';

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
      for (const r of RESOURCES) {
        requests[r] += replicas * podAmount(m.spec.template.spec, 'requests', r);
        limits[r] += replicas * podAmount(m.spec.template.spec, 'limits', r);
      }
      for (const t of m.spec.volumeClaimTemplates ?? []) addVolume(t.spec, replicas);
    } else if (m.kind === 'PersistentVolumeClaim') {
      addVolume(m.spec, 1);
    } else if (m.kind === 'Cluster' && m.apiVersion === 'postgresql.cnpg.io/v1') {
      // CloudNativePG makes one pod (one postgres container) and one claim per instance.
      const n = m.spec.instances;
      for (const r of RESOURCES) {
        requests[r] += n * amount(r, m.spec.resources?.requests?.[r]);
        limits[r] += n * amount(r, m.spec.resources?.limits?.[r]);
      }
      addVolume({ storageClassName: m.spec.storage.storageClass, resources: { requests: { storage: m.spec.storage.size } } }, n);
      if (m.spec.walStorage) addVolume({ storageClassName: m.spec.walStorage.storageClass, resources: { requests: { storage: m.spec.walStorage.size } } }, n);
    }
  }
  return { requests, limits, volumes, volumeCount };
}

const cpu = (millicores: number) => `${+(millicores / 1000).toFixed(2)} CPU`;
const gib = (b: number) => `${+(b / 2 ** 30).toFixed(1)} GiB`;

/** The SUMMARY.md section. */
export function renderTotals(t: Totals): string {
  const row = (label: string, r: Record<Resource, number>) => `| ${label} | ${cpu(r.cpu)} | ${gib(r.memory)} | ${gib(r['ephemeral-storage'])} |`;
  const classes = Object.keys(t.volumes).sort();
  return `## What it needs from the cluster

Summed over every pod of every workload (all containers, every replica), as the scheduler counts them.

| | CPU | Memory | Ephemeral storage |
|---|---|---|---|
${row('Requests', t.requests)}
${row('Limits', t.limits)}

${t.volumeCount} persistent volumes, ${gib(Object.values(t.volumes).reduce((a, b) => a + b, 0))} in all:

| StorageClass | Size |
|---|---|
${classes.map((c) => `| ${c} | ${gib(t.volumes[c])} |`).join('\n')}
`;
}
