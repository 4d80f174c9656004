/**
 * Changes of the core objects we emit besides StatefulSets, each rule with the Kubernetes v1.36.3
 * function it follows. Kinds with no update restriction (PodDisruptionBudget: mutable since 1.15,
 * pkg/registry/policy/poddisruptionbudget/strategy.go ValidateUpdate only validates the new
 * object; NetworkPolicy: ValidateNetworkPolicyUpdate; Ingress: ValidateIngressUpdate;
 * ServiceAccount; Namespace: ValidateNamespaceUpdate checks metadata and finalizers only) are
 * "updated in place" by the default rule.
 */
import { at, changedPaths, under } from './diff';
import { Change, changeOf, EnvironmentPair, kubectl, Located, Manifest } from './types';

/** Binary SI/decimal quantity to bytes, for comparing storage requests. */
export function quantityBytes(q: string): number {
  const m = /^([0-9.]+)([KMGTPE]i?|m)?$/.exec(String(q));
  if (!m) return NaN;
  const units: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, m: 1e-3 };
  return Number(m[1]) * (m[2] ? units[m[2]] : 1);
}

function fieldsOf(a: Manifest, b: Manifest): string[] {
  return changedPaths(a, b).filter((p) => !p.startsWith('status'));
}

/**
 * PersistentVolumeClaim: ValidatePersistentVolumeClaimUpdate (pkg/apis/core/validation): the spec
 * is immutable except resources.requests (never below the previous value) and
 * volumeAttributesClassName; a growth is admitted only when the StorageClass has
 * allowVolumeExpansion (plugin/pkg/admission/storage/persistentvolume/resize, Validate).
 */
export function pvcChanges(before: Located, after: Located): Change[] {
  const [a, b] = [before.manifest, after.manifest];
  const fields = fieldsOf(a, b);
  const storage = 'spec.resources.requests.storage';
  const frozen = fields.filter((f) => f.startsWith('spec.') && f !== storage && !under(f, 'spec.volumeAttributesClassName'));
  const [was, now] = [at(a, storage), at(b, storage)];
  const shrink = quantityBytes(now) < quantityBytes(was);
  const k = kubectl(b);
  if (frozen.length || shrink) {
    return [changeOf(b, {
      effect: 'rejected', fields, dataAtStake: true,
      summary: `rejected by the API server: PersistentVolumeClaim ${b.metadata.name} (${shrink ? 'smaller size' : frozen.join(', ')})`,
      reason: `A claim's spec is immutable but for a larger storage request (ValidatePersistentVolumeClaimUpdate, pkg/apis/core/validation). ` +
        'Carrying it out means a new volume: copy the data out, delete the claim (its pods must be stopped: the claim waits for them), apply, copy the data back.',
      commands: [`${k} delete pvc ${b.metadata.name} --wait=false`, `# stop the pods that mount it; once the claim is gone:`, `kubectl apply -f ${after.file}`],
    })];
  }
  const out: Change[] = [];
  if (was !== now) {
    const cls = b.spec.storageClassName;
    out.push(changeOf(b, {
      effect: 'operator-action', fields: [storage],
      summary: `needs an operator action: PersistentVolumeClaim ${b.metadata.name} ${was} → ${now}`,
      reason: `Growing a claim is admitted only once it is Bound (ValidatePersistentVolumeClaimUpdate) and if its StorageClass allows volume expansion (PersistentVolumeClaimResize admission plugin); check both first. ` +
        'The file system grows online or at the next pod start, depending on the CSI driver.',
      commands: [`${k} get pvc ${b.metadata.name} -o jsonpath='{.status.phase}'`, `kubectl get storageclass ${cls ?? '$(kubectl get storageclass -o jsonpath=\'{.items[?(@.metadata.annotations.storageclass\\.kubernetes\\.io/is-default-class=="true")].metadata.name}\')'} -o jsonpath='{.allowVolumeExpansion}'`],
    }));
  }
  const rest = fields.filter((f) => f !== storage);
  if (rest.length) out.push(changeOf(b, { effect: 'updated', fields: rest, reason: 'Metadata or volumeAttributesClassName only.' }));
  return out;
}

/** PriorityClass: ValidatePriorityClassUpdate (pkg/apis/scheduling/validation): value and preemptionPolicy are immutable. */
export function priorityClassChanges(before: Located, after: Located): Change[] {
  const [a, b] = [before.manifest, after.manifest];
  const fields = fieldsOf(a, b);
  const frozen = fields.filter((f) => f === 'value' || f === 'preemptionPolicy');
  if (!frozen.length) return [changeOf(b, { effect: 'updated', fields, reason: 'description and globalDefault may change.' })];
  return [changeOf(b, {
    effect: 'rejected', fields,
    summary: `rejected by the API server: PriorityClass ${b.metadata.name} (${frozen.join(', ')}${a.value !== b.value ? ` ${a.value} → ${b.value}` : ''})`,
    reason: 'value and preemptionPolicy of a PriorityClass may not change (ValidatePriorityClassUpdate, pkg/apis/scheduling/validation). ' +
      'Delete and re-create it; running pods keep the priority they were admitted with until they are re-created (the Priority admission plugin resolves it at pod creation).',
    commands: [`kubectl delete priorityclass ${b.metadata.name}`, `kubectl apply -f ${after.file}`],
  })];
}

/**
 * Service: ValidateServiceUpdate (pkg/apis/core/validation) and validateUpgradeDowngradeClusterIPs:
 * the cluster IP may not change once set (headless "None" included), unless to or from ExternalName.
 */
export function serviceChanges(before: Located, after: Located): Change[] {
  const [a, b] = [before.manifest, after.manifest];
  const fields = fieldsOf(a, b);
  const external = a.spec?.type === 'ExternalName' || b.spec?.type === 'ExternalName';
  const ip = fields.filter((f) => under(f, 'spec.clusterIP') || under(f, 'spec.clusterIPs'));
  if (ip.length && !external) {
    return [changeOf(b, {
      effect: 'rejected', fields,
      reason: `A Service's clusterIP may not change once set, headless (None) included (validateUpgradeDowngradeClusterIPs, pkg/apis/core/validation). ` +
        'Delete and re-create it: its name does not resolve in between.',
      commands: [`${kubectl(b)} delete service ${b.metadata.name}`, `kubectl apply -f ${after.file}`],
    })];
  }
  // Type transitions are allowed (validateService), but the cloud load balancer follows the type.
  const [wasLb, isLb] = [a.spec?.type === 'LoadBalancer', b.spec?.type === 'LoadBalancer'];
  if (wasLb !== isLb) {
    return [changeOf(b, { effect: 'operator-action', fields,
      summary: `needs an operator action: Service ${b.metadata.name} ${a.spec?.type ?? 'ClusterIP'} → ${b.spec?.type ?? 'ClusterIP'}`,
      reason: wasLb ? 'The cloud load balancer and its external address are released: point DNS elsewhere first.' : 'A cloud load balancer is created with a new external address: point DNS at it once assigned.',
      commands: [`${kubectl(b)} get service ${b.metadata.name} -o jsonpath='{.status.loadBalancer.ingress}'`] })];
  }
  const selector = fields.some((f) => under(f, 'spec.selector'));
  return [changeOf(b, { effect: 'updated', fields, reason: selector ? 'The selector changed: the endpoints switch to the pods it now selects.' : 'Mutable fields.' })];
}

/** Workloads whose pod templates read a ConfigMap, by kind and name. */
function readers(name: string, env: EnvironmentPair): Manifest[] {
  return env.after.map((l) => l.manifest).filter((m) => {
    const pod = m.kind === 'CronJob' ? m.spec?.jobTemplate?.spec?.template?.spec : m.spec?.template?.spec;
    return pod && JSON.stringify(pod).includes(`"name":"${name}"`) && /configMap/.test(JSON.stringify(pod));
  });
}

/**
 * ConfigMap: ValidateConfigMapUpdate (pkg/apis/core/validation): data is frozen once
 * `immutable: true`. Otherwise who sees the change depends on who reads it: a workload whose
 * template carries our checksum of it rolls; a CronJob reads it at its next run.
 */
export function configMapChanges(before: Located, after: Located, env: EnvironmentPair, rolled: Set<string>): Change[] {
  const [a, b] = [before.manifest, after.manifest];
  const fields = fieldsOf(a, b);
  if (a.immutable === true && fields.some((f) => f === 'immutable' || under(f, 'data') || under(f, 'binaryData'))) {
    return [changeOf(b, {
      effect: 'rejected', fields,
      reason: 'The ConfigMap was created immutable: its data may not change (ValidateConfigMapUpdate, pkg/apis/core/validation). Delete and re-create it.',
      commands: [`${kubectl(b)} delete configmap ${b.metadata.name}`, `kubectl apply -f ${after.file}`],
    })];
  }
  const users = readers(b.metadata.name, env);
  const restarted = users.filter((u) => rolled.has(`${u.kind}/${u.metadata.name}`));
  if (restarted.length) {
    const names = restarted.map((u) => u.metadata.name).join(', ');
    return [changeOf(b, { effect: 'restarts-via-checksum', fields, summary: `restarts through a checksum: ${names}`,
      reason: `Read by ${restarted.map((u) => `${u.kind} ${u.metadata.name}`).join(', ')}, whose pod template carries a checksum of it: the change rolls those pods.` })];
  }
  const longRunning = users.filter((u) => u.kind !== 'CronJob');
  if (longRunning.length) {
    return [changeOf(b, { effect: 'operator-action', fields,
      reason: `Read at start by ${longRunning.map((u) => `${u.kind} ${u.metadata.name}`).join(', ')}, whose pod template does not change: running pods keep the old content until restarted.`,
      commands: longRunning.map((u) => `${kubectl(u)} rollout restart ${u.kind.toLowerCase()} ${u.metadata.name}`) })];
  }
  return [changeOf(b, { effect: 'updated', fields, reason: users.length ? `Read by ${users.map((u) => `${u.kind} ${u.metadata.name}`).join(', ')} at its next run.` : 'No pod template of ours reads it.' })];
}

/** CronJob: ValidateCronJobUpdate (pkg/apis/batch/validation) restricts no field; the next Job uses the new template. */
export function cronJobChanges(before: Located, after: Located): Change[] {
  return [changeOf(after.manifest, { effect: 'updated', fields: fieldsOf(before.manifest, after.manifest),
    reason: 'A CronJob may change freely (ValidateCronJobUpdate); the next Job it starts uses the new template, a running one is left alone.' })];
}

/** Every other kind: no restriction on update for what we emit. */
export function defaultChanges(before: Located, after: Located): Change[] {
  return [changeOf(after.manifest, { effect: 'updated', fields: fieldsOf(before.manifest, after.manifest),
    reason: `${after.manifest.kind} has no field the API server refuses to change (see app/plan/core-kinds.ts).` })];
}
