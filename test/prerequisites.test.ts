/**
 * README "Cluster prerequisites" states a minimum Kubernetes version: it must be the newest of the
 * version-gated fields the output actually uses (older API servers drop such fields silently).
 * A field added to the output that appears below raises the requirement, and this test says so.
 */
import * as fs from 'fs';
import * as path from 'path';
import { allManifests, environmentMatrix, Manifest, ROOT } from './helpers';

/** Fields whose support depends on the Kubernetes minor (on by default from that minor). */
const GATED: { what: string; minor: number; uses: (m: Manifest) => boolean }[] = [
  { what: 'Pod Security admission namespace labels (GA 1.25)', minor: 25, uses: (m) => m.kind === 'Namespace' && Object.keys(m.metadata.labels ?? {}).some((k) => k.startsWith('pod-security.kubernetes.io/')) },
  { what: 'PodDisruptionBudget unhealthyPodEvictionPolicy (beta, on by default, 1.27; GA 1.31)', minor: 27, uses: (m) => m.kind === 'PodDisruptionBudget' && m.spec.unhealthyPodEvictionPolicy !== undefined },
  { what: 'StatefulSet persistentVolumeClaimRetentionPolicy (beta, on by default, 1.27; GA 1.32)', minor: 27, uses: (m) => m.kind === 'StatefulSet' && m.spec.persistentVolumeClaimRetentionPolicy !== undefined },
  { what: 'topologySpreadConstraints matchLabelKeys (beta, on by default, 1.27)', minor: 27, uses: (m) => (m.spec?.template?.spec?.topologySpreadConstraints ?? []).some((c: any) => c.matchLabelKeys) },
  { what: 'sidecar init containers, restartPolicy: Always (beta, on by default, 1.29; GA 1.33)', minor: 29, uses: (m) => (m.spec?.template?.spec?.initContainers ?? []).some((c: any) => c.restartPolicy === 'Always') },
  { what: 'lifecycle sleep action (beta, on by default, 1.30)', minor: 30, uses: (m) => JSON.stringify(m.spec?.template?.spec ?? {}).includes('"sleep":{"seconds"') },
  { what: 'Service trafficDistribution (beta, on by default, 1.31)', minor: 31, uses: (m) => m.kind === 'Service' && m.spec.trafficDistribution !== undefined },
];

test('the minimum Kubernetes version in the README is the newest of the gated fields the output uses', () => {
  const used = new Map<string, number>();
  for (const env of environmentMatrix()) {
    for (const m of allManifests(env)) for (const g of GATED) if (g.uses(m)) used.set(g.what, g.minor);
  }
  expect(used.size).toBeGreaterThan(0);
  const needed = Math.max(...used.values());
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const stated = Number(/\*\*Kubernetes 1\.(\d+) or later\*\*/.exec(readme)?.[1]);
  const because = [...used].filter(([, minor]) => minor === needed).map(([what]) => what);
  expect({ stated: `1.${stated}`, because }).toEqual({ stated: `1.${needed}`, because });
});
