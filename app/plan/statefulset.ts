/**
 * StatefulSet changes. Source: kubernetes v1.36.3 pkg/apis/apps/validation/validation.go,
 * ValidateStatefulSetUpdate: every spec field but replicas, ordinals, template, updateStrategy,
 * revisionHistoryLimit, persistentVolumeClaimRetentionPolicy and minReadySeconds is forbidden
 * ("updates to statefulset spec for fields other than ... are forbidden").
 */
import { changedPaths, under } from './diff';
import { Change, changeOf, EnvironmentPair, kubectl, Located, Manifest } from './types';

/** The spec fields ValidateStatefulSetUpdate lets an update change. */
export const STATEFULSET_MUTABLE = [
  'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds',
];

const CHECKSUM = 'nuxeo-compact-k8s/config-checksum';

export function statefulSetChanges(before: Located, after: Located, env: EnvironmentPair): Change[] {
  const [a, b] = [before.manifest, after.manifest];
  const fields = changedPaths(a, b).filter((p) => !p.startsWith('status'));
  const spec = (root: string) => fields.filter((f) => under(f, `spec.${root}`));
  const immutable = fields.filter((f) => f.startsWith('spec.') && !STATEFULSET_MUTABLE.some((m) => under(f, `spec.${m}`)));
  const out: Change[] = [];
  if (immutable.length) out.push(rejected(a, b, immutable, after.file));
  if (spec('template').length) out.push(rolls(b, spec('template'), env));
  if (spec('replicas').length) out.push(scales(a, b));
  const rest = fields.filter((f) => !immutable.includes(f) && !under(f, 'spec.template') && !under(f, 'spec.replicas'));
  if (rest.length) out.push(changeOf(b, { effect: 'updated', fields: rest, reason: 'Fields ValidateStatefulSetUpdate lets an update change; no pod restarts for them.' }));
  return out;
}

function ordinals(m: Manifest): number[] {
  return [...Array(m.spec.replicas ?? 1).keys()];
}

/** The recreate-with-orphan procedure, and what it leaves to do by hand per changed field. */
function rejected(a: Manifest, b: Manifest, fields: string[], file: string): Change {
  const k = kubectl(b);
  const name = b.metadata.name;
  const commands = [`${k} delete statefulset ${name} --cascade=orphan`, `kubectl apply -f ${file}`];
  const notes = ['Deleting with --cascade=orphan keeps the pods and their volumes; the new StatefulSet adopts the pods its selector matches.'];
  const storage = (a.spec.volumeClaimTemplates ?? []).map((t: any, i: number) => [t, b.spec.volumeClaimTemplates?.[i]]);
  for (const [was, now] of storage) {
    if (!now || was.metadata.name !== now.metadata.name) continue;
    const claim = (o: number) => `${was.metadata.name}-${name}-${o}`;
    if (was.spec.resources?.requests?.storage !== now.spec.resources?.requests?.storage) {
      notes.push(`Existing claims keep their size: grow each one (the StorageClass must allow volume expansion).`);
      commands.push(...ordinals(a).map((o) => `${k} patch pvc ${claim(o)} -p '{"spec":{"resources":{"requests":{"storage":"${now.spec.resources.requests.storage}"}}}}'`));
    }
    if (was.spec.storageClassName !== now.spec.storageClassName) {
      notes.push(`Existing claims (${ordinals(a).map(claim).join(', ')}) keep StorageClass ${was.spec.storageClassName ?? '(default)'}: only new ordinals get ${now.spec.storageClassName ?? 'the default class'}. ` +
        'To move one, copy its data out, then delete its pod and claim together so the StatefulSet recreates both (its data is lost otherwise).');
    }
  }
  if (fields.some((f) => under(f, 'spec.selector'))) {
    notes.push('The selector changed: the old pods do not match it and are not adopted. Replace them one by one, highest ordinal first, waiting for each to be Ready.');
    commands.push(...ordinals(a).reverse().map((o) => `${k} delete pod ${name}-${o} && ${k} wait --for=condition=Ready pod/${name}-${o} --timeout=15m`));
  }
  return changeOf(b, {
    effect: 'rejected',
    summary: `rejected by the API server: StatefulSet ${name} (${[...new Set(fields.map((f) => f.split(/[.[]/)[1]))].join(', ')})`,
    fields,
    reason: `Kubernetes refuses to update ${[...new Set(fields.map((f) => `spec.${f.split(/[.[]/)[1]}`))].join(', ')} of a StatefulSet ` +
      `(ValidateStatefulSetUpdate, pkg/apis/apps/validation). ${notes.join(' ')}`,
    commands,
  });
}

/** The PodDisruptionBudgets whose selector matches the pod template's labels. */
function budgets(m: Manifest, env: EnvironmentPair): Manifest[] {
  const labels = m.spec.template?.metadata?.labels ?? {};
  return env.after.map((l) => l.manifest).filter((p) => p.kind === 'PodDisruptionBudget' &&
    Object.entries(p.spec?.selector?.matchLabels ?? {}).every(([key, v]) => labels[key] === v));
}

/** The order the StatefulSet controller replaces pods in (RollingUpdate: highest ordinal first, down to the partition). */
function rolls(b: Manifest, fields: string[], env: EnvironmentPair): Change {
  const name = b.metadata.name;
  const strategy = b.spec.updateStrategy ?? { type: 'RollingUpdate' };
  const onlyChecksum = fields.every((f) => f === `spec.template.metadata.annotations.${CHECKSUM}`);
  const pdb = budgets(b, env).map((p) => `PodDisruptionBudget ${p.metadata.name} (${p.spec.maxUnavailable !== undefined ? `maxUnavailable ${p.spec.maxUnavailable}` : `minAvailable ${p.spec.minAvailable}`})`);
  if (strategy.type === 'OnDelete') {
    return changeOf(b, { effect: 'operator-action', summary: `needs an operator action: ${name} (OnDelete)`, fields,
      reason: 'updateStrategy OnDelete: pods get the new template only when deleted.', commands: ordinals(b).reverse().map((o) => `${kubectl(b)} delete pod ${name}-${o}`) });
  }
  const partition = strategy.rollingUpdate?.partition ?? 0;
  const order = ordinals(b).reverse().filter((o) => o >= partition).map((o) => `${name}-${o}`);
  return changeOf(b, {
    effect: 'rolls-pods',
    summary: `rolls pods: ${name}`,
    fields,
    reason: `${onlyChecksum ? 'The configuration checksum changed (a ConfigMap it reads changed). ' : ''}` +
      `RollingUpdate replaces one pod at a time, highest ordinal first, each after the previous is Ready: ${order.join(', ')}` +
      `${partition ? ` (partition ${partition}: lower ordinals keep the old template)` : ''}. ` +
      (pdb.length ? `${pdb.join(', ')} limits evictions (node drains) meanwhile; the controller's own replacements do not go through it.` : 'No PodDisruptionBudget selects these pods.'),
    commands: [`${kubectl(b)} rollout status statefulset ${name} --timeout=30m`],
  });
}

function scales(a: Manifest, b: Manifest): Change {
  const [from, to] = [a.spec.replicas ?? 1, b.spec.replicas ?? 1];
  const name = b.metadata.name;
  const retained = (b.spec.persistentVolumeClaimRetentionPolicy?.whenScaled ?? 'Retain') === 'Retain';
  const gone = [...Array(Math.max(0, from - to)).keys()].map((i) => `${name}-${from - 1 - i}`);
  const reason = to > from
    ? `Adds ${[...Array(to - from).keys()].map((i) => `${name}-${from + i}`).join(', ')}${b.spec.podManagementPolicy === 'Parallel' ? ' at once' : ', each after the previous is Ready'}, with new claims.`
    : `Removes ${gone.join(', ')} (highest ordinals first); their claims are ${retained ? 'retained (whenScaled: Retain): their data stays, unused, until deleted by hand' : 'DELETED (whenScaled: Delete)'}.` +
      scaleDownNote(b);
  const drain = to < from && b.metadata.labels?.['app.kubernetes.io/name'] === 'elasticsearch';
  return changeOf(b, {
    effect: drain ? 'operator-action' : 'scales',
    summary: `${drain ? 'needs an operator action (scale-down)' : 'scales'}: ${name} ${from} → ${to}`,
    fields: ['spec.replicas'],
    reason,
    // Elasticsearch cluster-level shard allocation filtering: the nodes leave empty.
    commands: drain ? [`${kubectl(b)} exec ${name}-0 -- curl -s -XPUT localhost:9200/_cluster/settings -H 'Content-Type: application/json' -d '{"persistent":{"cluster.routing.allocation.exclude._name":"${gone.join(',')}"}}'`] : [],
    dataAtStake: to < from && !retained,
  });
}

/** What a scale-down leaves behind, by component. */
function scaleDownNote(b: Manifest): string {
  const component = b.metadata.labels?.['app.kubernetes.io/name'];
  if (component === 'nuxeo') return ' A removed Nuxeo node\'s pending stream records (Chronicle Queue on its volume) are not processed by the others.';
  if (component === 'elasticsearch') return ' Exclude the removed nodes from shard allocation first and wait for green health, or shards whose copies are all on them are lost.';
  return '';
}
