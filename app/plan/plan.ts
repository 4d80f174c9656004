/**
 * One environment's plan: every object added, removed or changed between two renderings, each
 * classified by the rule of its kind, riskiest first.
 */
import { createSecretCommand, secretsNeeded } from '../secrets';
import { cronJobChanges, configMapChanges, defaultChanges, priorityClassChanges, pvcChanges, serviceChanges } from './core-kinds';
import { clusterChanges } from './cloudnativepg';
import { providerSwitchCommands } from './provider-switch';
import { statefulSetChanges } from './statefulset';
import { Change, changeOf, EFFECTS, EnvironmentPair, kubectl, Located, Manifest } from './types';

type Rule = (before: Located, after: Located, env: EnvironmentPair) => Change[];
const RULES: Record<string, Rule> = {
  StatefulSet: statefulSetChanges,
  PersistentVolumeClaim: pvcChanges,
  PriorityClass: priorityClassChanges,
  Service: serviceChanges,
  CronJob: cronJobChanges,
  Cluster: clusterChanges,
};

export function keyOf(m: Manifest): string {
  return `${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`;
}

/** Riskiest first: by effect, data at stake before the rest, then by kind and name. */
export function rank(c: Change): number {
  return c.effect === 'removed' && !c.dataAtStake ? EFFECTS.indexOf('scales') + 0.5 : EFFECTS.indexOf(c.effect);
}

export function byRisk(a: Change, b: Change): number {
  return rank(a) - rank(b) || Number(b.dataAtStake) - Number(a.dataAtStake) || `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`);
}

/** What pruning a removed object deletes (kubectl apply --prune, Argo CD / Flux with pruning). */
function removed(m: Manifest): Change {
  const k = kubectl(m);
  if (m.kind === 'PersistentVolumeClaim' || m.kind === 'Namespace' || m.kind === 'Cluster') {
    const what = { PersistentVolumeClaim: 'the claim, and its volume with the usual reclaimPolicy Delete', Namespace: 'everything in it, volumes included', Cluster: 'its instances and their claims (the operator owns them)' }[m.kind];
    return changeOf(m, { effect: 'removed', dataAtStake: true, summary: `removed, data deleted by pruning: ${m.kind} ${m.metadata.name}`,
      reason: `Pruning deletes ${what}. Back the data up first.`, commands: [`${k} get ${m.kind.toLowerCase()} ${m.metadata.name} -o yaml > ${m.metadata.name}.before-removal.yaml`] });
  }
  if (m.kind === 'StatefulSet') {
    const retained = (m.spec.persistentVolumeClaimRetentionPolicy?.whenDeleted ?? 'Retain') === 'Retain';
    const names = (m.spec.volumeClaimTemplates ?? []).map((t: any) => `${t.metadata.name}-${m.metadata.name}-<ordinal>`).join(', ');
    return changeOf(m, { effect: 'removed', dataAtStake: !retained,
      summary: `removed${retained ? ', claims retained' : ', claims deleted'}: StatefulSet ${m.metadata.name}`,
      reason: retained ? `Its pods stop; its claims (${names || 'none'}) stay (whenDeleted: Retain) until deleted by hand.` : `Its pods stop and its claims (${names}) are DELETED (whenDeleted: Delete).`,
      commands: names ? [`${k} get pvc | grep -- '-${m.metadata.name}-'`] : [] });
  }
  return changeOf(m, { effect: 'removed', reason: 'Pruning deletes it; no stored data.' });
}

/** Secrets the new manifests read that the old ones did not (by name, or a new key of one). */
function newSecrets(env: EnvironmentPair): Change[] {
  const was = new Map(secretsNeeded(env.before.map((l) => l.manifest)).map((s) => [s.name, s]));
  return secretsNeeded(env.after.map((l) => l.manifest)).flatMap((s) => {
    const old = was.get(s.name);
    const keys = old ? s.keys.filter((k) => !old.keys.includes(k)) : s.keys;
    if (old && !keys.length) return [];
    const m: Manifest = { apiVersion: 'v1', kind: 'Secret', metadata: { name: s.name, namespace: env.namespace } };
    return [changeOf(m, { effect: 'new-secret', fields: keys.map((k) => `data.${k}`),
      summary: `new Secret required: ${s.name}${old ? ` (key ${keys.join(', ')})` : ''}`,
      reason: `Read by ${s.readers.join(', ')}; pods that read it do not start until it exists with ${keys.length > 1 ? 'these keys' : 'this key'}. Create it before applying.`,
      commands: [createSecretCommand(env.namespace, s)] })];
  });
}

const isCluster = (m: Manifest) => m.kind === 'Cluster' && m.apiVersion.startsWith('postgresql.cnpg.io/');
const isOwnPostgres = (m: Manifest) => m.kind === 'StatefulSet' && m.metadata.labels?.['app.kubernetes.io/name'] === 'postgresql';

/**
 * database.provider switched: the new database starts empty, and (to CloudNativePG) the old
 * `<cluster>-rw` and `-ro` Services, not owned by the Cluster, must be gone before the operator creates anything.
 */
function providerSwitch(env: EnvironmentPair): Change[] {
  const [was, now] = [env.before.map((l) => l.manifest), env.after.map((l) => l.manifest)];
  const toCnpg = was.some(isOwnPostgres) && !was.some(isCluster) && now.some(isCluster);
  const fromCnpg = was.some(isCluster) && now.some(isOwnPostgres) && !now.some(isCluster);
  if (!toCnpg && !fromCnpg) return [];
  const target = (toCnpg ? now.find(isCluster) : now.find(isOwnPostgres))!;
  const name = (toCnpg ? now : was).find(isCluster)!.metadata.name;
  // The Services the operator reconciles, in its order (v1.30 reconcilePostgresServices), that are ours.
  const ours = ['r', 'ro', 'rw'].map((s) => `${name}-${s}`).filter((s) => was.some((m) => m.kind === 'Service' && m.metadata.name === s));
  return [changeOf(target, { effect: 'operator-action', dataAtStake: true, fields: ['database.provider'],
    summary: `needs an operator action: database provider ${toCnpg ? 'statefulset → cloudnativepg' : 'cloudnativepg → statefulset'}`,
    reason: `The new PostgreSQL starts empty: dump the old one and restore into the new one while Nuxeo is stopped (docs/provider-switch.md). ` +
      (toCnpg ? `CloudNativePG does not adopt Services it does not own: while ${ours.join(' and ')} (ours) exist, it refuses them and creates no instance (phase "Unable to create required cluster objects"): delete them before applying.` :
        `Deleting the Cluster deletes its instances and claims: dump first.`),
    commands: providerSwitchCommands({ namespace: env.namespace, env: env.name, from: toCnpg ? 'statefulset' : 'cloudnativepg', to: toCnpg ? 'cloudnativepg' : 'statefulset',
      cluster: (toCnpg ? now : was).find(isCluster)!.metadata.name, nuxeoReplicas: now.find((m) => m.kind === 'StatefulSet' && m.metadata.name === 'nuxeo')?.spec?.replicas ?? 2 }) })];
}

export function planEnvironment(env: EnvironmentPair): Change[] {
  const before = new Map(env.before.map((l) => [keyOf(l.manifest), l]));
  const after = new Map(env.after.map((l) => [keyOf(l.manifest), l]));
  const out: Change[] = [...newSecrets(env), ...providerSwitch(env)];
  for (const [key, l] of before) if (!after.has(key)) out.push(removed(l.manifest));
  for (const [key, l] of after) if (!before.has(key)) out.push(changeOf(l.manifest, { effect: 'added', reason: 'Created by the apply.' }));
  const changed = [...after].filter(([key, l]) => before.has(key) && JSON.stringify(before.get(key)!.manifest) !== JSON.stringify(l.manifest));
  const objectChanges = changed.filter(([, l]) => l.manifest.kind !== 'ConfigMap')
    .flatMap(([key, l]) => (RULES[l.manifest.kind] ?? defaultChanges)(before.get(key)!, l, env));
  // ConfigMaps last: whether a reader rolls is known from the workloads' changes.
  const rolled = new Set(objectChanges.filter((c) => c.effect === 'rolls-pods').map((c) => `${c.kind}/${c.name}`));
  const configMaps = changed.filter(([, l]) => l.manifest.kind === 'ConfigMap').flatMap(([key, l]) => configMapChanges(before.get(key)!, l, env, rolled));
  return [...out, ...objectChanges, ...configMaps].sort(byRisk);
}
