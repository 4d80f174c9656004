/**
 * The StatefulSet skeleton every tier's workload shares: identity, ServiceAccount, security,
 * spreading, placement, priority and a disruption budget. A tier states what is particular to it.
 */
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { ResolvedPodSettings } from '../settings/fields';
import type { TierContext } from './context';
import { checksumAnnotation, ConfigChecksum } from './checksum';
import { podSecurityContext } from './containers';
import { selectorLabels, tierLabels, WorkloadIdentity, workloadLabels } from './labels';

/** Anti-affinity on the host and spreading across zones for one workload's pods. */
export function spreading(ctx: Pick<TierContext, 'scheduling'>, selector: Record<string, string>) {
  const term = { labelSelector: { matchLabels: selector }, topologyKey: 'kubernetes.io/hostname' };
  const podAntiAffinity: k8s.PodAntiAffinity =
    ctx.scheduling.antiAffinity === 'required'
      ? { requiredDuringSchedulingIgnoredDuringExecution: [term] }
      : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] };
  const topologySpreadConstraints: k8s.TopologySpreadConstraint[] = [
    {
      maxSkew: 1,
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: ctx.scheduling.zoneSpread === 'required' ? 'DoNotSchedule' : 'ScheduleAnyway',
      labelSelector: { matchLabels: selector },
    },
  ];
  return { affinity: { podAntiAffinity }, topologySpreadConstraints };
}

/** A policy/v1 PodDisruptionBudget letting one pod of the workload go at a time. */
export function disruptionBudget(scope: Construct, id: WorkloadIdentity): k8s.KubePodDisruptionBudget {
  return new k8s.KubePodDisruptionBudget(scope, `${id.instance}-pdb`, {
    metadata: { name: id.instance, labels: workloadLabels(id) },
    spec: {
      maxUnavailable: k8s.IntOrString.fromNumber(1),
      selector: { matchLabels: selectorLabels(id) },
      // A pod that never became ready must not block node drains.
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  });
}

/**
 * The ServiceAccount the pods run under: the workload's own unless the file names one. It mounts
 * no API token (the pods never call the API server); cloud identity webhooks project their own.
 */
export function serviceAccount(scope: Construct, id: WorkloadIdentity, pod: ResolvedPodSettings): string {
  const name = pod.serviceAccount.name ?? id.instance;
  // Two workloads of one tier (database primary and replicas) may share a named account: emit it once.
  if (pod.serviceAccount.create && !scope.node.tryFindChild(`${name}-sa`)) {
    new k8s.KubeServiceAccount(scope, `${name}-sa`, {
      metadata: {
        name,
        labels: pod.serviceAccount.name ? tierLabels(id.app, id.component) : workloadLabels(id),
        ...(Object.keys(pod.serviceAccount.annotations).length ? { annotations: pod.serviceAccount.annotations } : {}),
      },
      automountServiceAccountToken: false,
    });
  }
  return name;
}

/** Node selector, tolerations and extra affinity of the tier, beside the workload's own spreading. */
function placement(pod: ResolvedPodSettings, spread: ReturnType<typeof spreading>) {
  return {
    ...(Object.keys(pod.nodeSelector).length ? { nodeSelector: pod.nodeSelector } : {}),
    ...(pod.tolerations.length ? { tolerations: pod.tolerations } : {}),
    affinity: { ...(pod.affinity.nodeAffinity ? { nodeAffinity: pod.affinity.nodeAffinity } : {}), ...(pod.affinity.podAffinity ? { podAffinity: pod.affinity.podAffinity } : {}), ...spread.affinity },
    topologySpreadConstraints: spread.topologySpreadConstraints,
  };
}

/** What every pod of ours states: the tier's context, its identity, UID, containers and volumes. */
export interface PodProps {
  readonly ctx: TierContext;
  readonly id: WorkloadIdentity;
  readonly uid: number;
  readonly containers: k8s.Container[];
  /**
   * Pod volumes.
   * @default - none
   */
  readonly volumes?: k8s.Volume[];
  /** Checksum of the configuration the pods read, so a change rolls them (and shows in the diff). */
  readonly configChecksum: ConfigChecksum;
}

export interface StatefulWorkloadProps extends PodProps {
  readonly replicas: number;
  readonly serviceName: string;
  /**
   * Containers run to completion before the others start.
   * @default - none
   */
  readonly initContainers?: k8s.Container[];
  /**
   * One PersistentVolumeClaim per pod for each.
   * @default - none
   */
  readonly volumeClaimTemplates?: k8s.KubePersistentVolumeClaimProps[];
  /** Seconds for a clean shutdown (flushes, failovers). */
  readonly terminationGracePeriodSeconds: number;
  /**
   * Parallel start when members find each other by DNS (Elasticsearch); ordered otherwise.
   * @default false
   */
  readonly parallel?: boolean;
  /**
   * Pods to keep apart from, when wider than this workload (primary and replicas of one database).
   * @default - the workload's own selector labels
   */
  readonly spreadSelector?: Record<string, string>;
  /** The tier's identity, placement, pod labels and annotations. */
  readonly pod: ResolvedPodSettings;
}

/**
 * What every pod spec of ours sets: its ServiceAccount without API token, no service links,
 * the context's priority class and pull secrets, the restricted security context.
 */
export function podIdentity(p: PodProps, serviceAccountName: string) {
  return {
    serviceAccountName,
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    ...(p.ctx.priorityClassName ? { priorityClassName: p.ctx.priorityClassName } : {}),
    ...(p.ctx.imagePullSecrets.length ? { imagePullSecrets: p.ctx.imagePullSecrets.map((name) => ({ name })) } : {}),
    securityContext: podSecurityContext(p.uid),
  };
}

/** The StatefulSet skeleton: identity, security, spreading, priority, PDB. */
export function statefulWorkload(scope: Construct, p: StatefulWorkloadProps): k8s.KubeStatefulSet {
  const selector = selectorLabels(p.id);
  const sts = new k8s.KubeStatefulSet(scope, p.id.instance, {
    metadata: { name: p.id.instance, labels: workloadLabels(p.id) },
    spec: {
      replicas: p.replicas,
      serviceName: p.serviceName,
      podManagementPolicy: p.parallel ? 'Parallel' : 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate' },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      selector: { matchLabels: selector },
      template: {
        metadata: {
          labels: { ...p.pod.podLabels, ...workloadLabels(p.id) },
          annotations: { ...p.pod.podAnnotations, ...checksumAnnotation(p.configChecksum) },
        },
        spec: {
          ...podIdentity(p, serviceAccount(scope, p.id, p.pod)),
          terminationGracePeriodSeconds: p.terminationGracePeriodSeconds,
          ...placement(p.pod, spreading(p.ctx, p.spreadSelector ?? selector)),
          ...(p.initContainers?.length ? { initContainers: p.initContainers } : {}),
          containers: p.containers,
          ...(p.volumes?.length ? { volumes: p.volumes } : {}),
        },
      },
      ...(p.volumeClaimTemplates?.length ? { volumeClaimTemplates: p.volumeClaimTemplates } : {}),
    },
  });
  disruptionBudget(scope, p.id);
  return sts;
}
