/**
 * Shapes every tier shares: labels and selectors, pod and container security, resources,
 * spreading, disruption budgets, network policies and the StatefulSet skeleton. A tier states
 * what is particular to it; everything a policy checker looks at is decided here, once.
 */
import { createHash } from 'crypto';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { strictlyContains } from '../config/cidr';
import { EnvironmentSpec, isDigestImage, PodSettings, Resources, VolumeSpec } from '../config/schema';

export const MANAGED_BY = 'nuxeo-compact-k8s';
export const PART_OF = 'nuxeo-compact';

/** Well-known ports, named once so Services, probes and policies agree. */
export const PORTS = {
  proxy: 8000,
  nuxeo: 8080,
  redis: 6379,
  sentinel: 26379,
  esHttp: 9200,
  esTransport: 9300,
  postgres: 5432,
  dns: 53,
} as const;

/**
 * Non-root identities: each image's own UID plus 10000, so every pod runs with UID/GID >= 10000
 * (kube-score) while the numbering still says which image it is. All these images run under an
 * arbitrary UID as long as their writable paths are volumes (which fsGroup makes writable).
 */
export const RUN_AS = {
  nuxeo: 10900,
  redis: 10999,
  elasticsearch: 11000,
  postgres: 10999,
} as const;

/** Every workload of the architecture; tiers refer to each other through these. */
export const IDS = {
  nuxeo: { app: 'nuxeo', instance: 'nuxeo', component: 'application' },
  redis: { app: 'redis', instance: 'redis', component: 'cache' },
  elasticsearch: { app: 'elasticsearch', instance: 'elasticsearch', component: 'search' },
  postgresPrimary: { app: 'postgresql', instance: 'postgresql-primary', component: 'database' },
  postgresReplica: { app: 'postgresql', instance: 'postgresql-replica', component: 'database' },
  /** The StatefulSet provider's backup and restore jobs. */
  postgresBackup: { app: 'postgresql', instance: 'postgresql-backup', component: 'backup' },
  /** The Elasticsearch snapshot-policy registration jobs. */
  elasticsearchSnapshots: { app: 'elasticsearch', instance: 'elasticsearch-snapshots', component: 'backup' },
  /** The CloudNativePG Cluster's instances (its pods carry these labels through inheritedMetadata). */
  postgresCluster: { app: 'postgresql', instance: 'postgresql', component: 'database' },
} as const satisfies Record<string, WorkloadIdentity>;

/** Stable DNS name of pod `ordinal` of a StatefulSet behind its headless Service. */
export function podHost(spec: EnvironmentSpec, statefulSet: string, headless: string, ordinal: number): string {
  return `${statefulSet}-${ordinal}.${headless}.${spec.namespace}.svc.${spec.clusterDomain}`;
}

/** The identity of one workload: its selector labels are `name` + `instance` and never change. */
export interface WorkloadIdentity {
  /** `app.kubernetes.io/name`: the application (nuxeo, redis, elasticsearch, postgresql). */
  readonly app: string;
  /** `app.kubernetes.io/instance`: the workload's own name (== its controller's metadata.name). */
  readonly instance: string;
  /** `app.kubernetes.io/component`: its role in the architecture. */
  readonly component: string;
}

export function selectorLabels(id: WorkloadIdentity): Record<string, string> {
  return { 'app.kubernetes.io/instance': id.instance, 'app.kubernetes.io/name': id.app };
}

export function workloadLabels(id: WorkloadIdentity): Record<string, string> {
  return {
    ...selectorLabels(id),
    'app.kubernetes.io/component': id.component,
    'app.kubernetes.io/managed-by': MANAGED_BY,
    'app.kubernetes.io/part-of': PART_OF,
  };
}

/** Labels for objects that belong to a tier but are not a workload (Services, ConfigMaps ...). */
export function tierLabels(app: string, component: string): Record<string, string> {
  return { 'app.kubernetes.io/component': component, 'app.kubernetes.io/managed-by': MANAGED_BY, 'app.kubernetes.io/name': app, 'app.kubernetes.io/part-of': PART_OF };
}

export function podSecurityContext(uid: number): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function containerSecurityContext(uid: number): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function resources(r: Resources): k8s.ResourceRequirements {
  const q = (s: { cpu: string; memory: string; ephemeralStorage: string }) => ({
    'cpu': k8s.Quantity.fromString(s.cpu),
    'ephemeral-storage': k8s.Quantity.fromString(s.ephemeralStorage),
    'memory': k8s.Quantity.fromString(s.memory),
  });
  return { requests: q(r.requests), limits: q(r.limits) };
}

/** Small fixed resources for helper init containers (copying files, waiting). */
export const INIT_RESOURCES: Resources = {
  requests: { cpu: '50m', memory: '64Mi', ephemeralStorage: '16Mi' },
  limits: { cpu: '500m', memory: '256Mi', ephemeralStorage: '64Mi' },
};

/**
 * A digest never changes, so the node's copy is the image: IfNotPresent. A tag can be re-pushed,
 * and Always makes the node re-check the pull credentials of every pod (kube-score, Polaris).
 */
export function pullPolicy(image: string): 'Always' | 'IfNotPresent' {
  return isDigestImage(image) ? 'IfNotPresent' : 'Always';
}

/** Anti-affinity on the host and spreading across zones for one workload's pods. */
export function spreading(spec: EnvironmentSpec, selector: Record<string, string>) {
  const term = { labelSelector: { matchLabels: selector }, topologyKey: 'kubernetes.io/hostname' };
  const podAntiAffinity: k8s.PodAntiAffinity =
    spec.scheduling.antiAffinity === 'required'
      ? { requiredDuringSchedulingIgnoredDuringExecution: [term] }
      : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] };
  const topologySpreadConstraints: k8s.TopologySpreadConstraint[] = [
    {
      maxSkew: 1,
      topologyKey: 'topology.kubernetes.io/zone',
      whenUnsatisfiable: spec.scheduling.zoneSpread === 'required' ? 'DoNotSchedule' : 'ScheduleAnyway',
      labelSelector: { matchLabels: selector },
    },
  ];
  return { affinity: { podAntiAffinity }, topologySpreadConstraints };
}

export function priorityClassName(spec: EnvironmentSpec): string {
  return spec.priorityClass.name ?? spec.namespace;
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

/** One direction of traffic: peers (pod labels in this namespace, another namespace's pods, or CIDRs) and TCP ports. */
export interface Peer {
  /**
   * Pod labels to match.
   * @default - every pod of the namespace
   */
  readonly pods?: Record<string, string>;
  /**
   * Namespace of those pods.
   * @default - the policy's own namespace
   */
  readonly namespace?: string;
  /**
   * Address blocks instead of pods (clients outside the cluster).
   * @default - pods, not addresses
   */
  readonly cidrs?: string[];
  /**
   * Blocks taken out of `cidrs`; each is applied to the blocks that contain it.
   * @default - none
   */
  readonly except?: string[];
}
export interface Rule {
  readonly peers: Peer[];
  readonly ports: number[];
}

function peerOf(p: Peer): k8s.NetworkPolicyPeer[] {
  if (p.cidrs) {
    return p.cidrs.map((cidr) => {
      const except = (p.except ?? []).filter((e) => strictlyContains(cidr, e));
      return { ipBlock: { cidr, ...(except.length ? { except } : {}) } };
    });
  }
  return [{
    podSelector: { matchLabels: p.pods ?? {} },
    ...(p.namespace ? { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': p.namespace } } } : {}),
  }];
}

const tcp = (ports: number[]) => ports.map((port) => ({ port: k8s.IntOrString.fromNumber(port), protocol: 'TCP' }));

/**
 * Cluster DNS, which every pod needs once egress is denied by default: only the DNS pods (and
 * NodeLocal DNSCache when the cluster runs it), never port 53 of every address.
 */
export function dnsEgress(spec: EnvironmentSpec): k8s.NetworkPolicyEgressRule {
  const dns = spec.network.dns;
  return {
    to: [
      ...peerOf({ namespace: dns.namespace, pods: dns.podLabels }),
      ...dns.nodeLocalAddresses.map((ip) => ({ ipBlock: { cidr: `${ip}/32` } })),
    ],
    ports: [
      { port: k8s.IntOrString.fromNumber(PORTS.dns), protocol: 'UDP' },
      { port: k8s.IntOrString.fromNumber(PORTS.dns), protocol: 'TCP' },
    ],
  };
}

/**
 * The NetworkPolicy of one workload: selects exactly its instance label, covers both directions,
 * and allows DNS plus the listed rules. Everything else falls to the namespace's default deny.
 */
export function networkPolicy(scope: Construct, id: WorkloadIdentity, ingress: Rule[], egress: Rule[], spec: EnvironmentSpec): k8s.KubeNetworkPolicy {
  return new k8s.KubeNetworkPolicy(scope, `${id.instance}-netpol`, {
    metadata: { name: id.instance, labels: workloadLabels(id) },
    spec: {
      podSelector: { matchLabels: { 'app.kubernetes.io/instance': id.instance } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: ingress.map((r) => ({ from: r.peers.flatMap(peerOf), ports: tcp(r.ports) })),
      egress: [dnsEgress(spec), ...egress.map((r) => ({ to: r.peers.flatMap(peerOf), ports: tcp(r.ports) }))],
    },
  });
}

/** The instance-label peer of a workload, for rules between tiers. */
export function podsOf(instance: string): Peer {
  return { pods: { 'app.kubernetes.io/instance': instance } };
}

/** A Service; `headless` ones publish not-ready addresses so peers resolve while bootstrapping. */
export function service(
  scope: Construct,
  props: { name: string; labels: Record<string, string>; selector: Record<string, string>; ports: { name: string; port: number; targetPort?: string }[]; headless?: boolean; annotations?: Record<string, string>; extraSpec?: Partial<k8s.ServiceSpec> },
): k8s.KubeService {
  return new k8s.KubeService(scope, `${props.name}-svc`, {
    metadata: { name: props.name, labels: props.labels, ...(props.annotations ? { annotations: props.annotations } : {}) },
    spec: {
      ...props.extraSpec,
      ...(props.headless ? { clusterIp: 'None', publishNotReadyAddresses: true } : {}),
      selector: props.selector,
      ports: props.ports.map((p) => ({ name: p.name, port: p.port, protocol: 'TCP', targetPort: k8s.IntOrString.fromString(p.targetPort ?? p.name) })),
    },
  });
}

export function volumeClaimTemplate(name: string, v: VolumeSpec, accessMode = 'ReadWriteOnce'): k8s.KubePersistentVolumeClaimProps {
  return {
    metadata: { name },
    spec: {
      accessModes: [accessMode],
      ...(v.storageClass ? { storageClassName: v.storageClass } : {}),
      resources: { requests: { storage: k8s.Quantity.fromString(v.size) } },
    },
  };
}

/** A size-limited emptyDir: scratch space counted against the pod's ephemeral storage. */
export function emptyDir(name: string, sizeLimit: string): k8s.Volume {
  return { name, emptyDir: { sizeLimit: k8s.Quantity.fromString(sizeLimit) } };
}

export function configMapVolume(name: string, configMap: string, defaultMode = 0o444): k8s.Volume {
  return { name, configMap: { name: configMap, defaultMode } };
}

export function secretVolume(name: string, secret: string, items: { key: string; path: string }[]): k8s.Volume {
  return { name, secret: { secretName: secret, defaultMode: 0o440, items } };
}

/** Env var from the downward API. */
export function fieldEnv(name: string, fieldPath: string): k8s.EnvVar {
  return { name, valueFrom: { fieldRef: { fieldPath } } };
}

export function secretEnv(name: string, ref: { name: string; key: string }): k8s.EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } };
}

/** Short hash of configuration text: a pod-template annotation so a config change rolls the pods. */
export function checksum(...texts: string[]): string {
  const h = createHash('sha256');
  for (const t of texts) h.update(t);
  return h.digest('hex').slice(0, 16);
}

export interface StatefulWorkloadProps {
  readonly spec: EnvironmentSpec;
  readonly id: WorkloadIdentity;
  readonly replicas: number;
  readonly serviceName: string;
  readonly uid: number;
  readonly containers: k8s.Container[];
  /**
   * Containers run to completion before the others start.
   * @default - none
   */
  readonly initContainers?: k8s.Container[];
  /**
   * Pod volumes.
   * @default - none
   */
  readonly volumes?: k8s.Volume[];
  /**
   * One PersistentVolumeClaim per pod for each.
   * @default - none
   */
  readonly volumeClaimTemplates?: k8s.KubePersistentVolumeClaimProps[];
  /** Checksum of the configuration the pods read. */
  readonly configChecksum: string;
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
  /** The tier's identity, placement, pod labels and annotations from the environment file. */
  readonly pod: PodSettings;
}

/**
 * The ServiceAccount the pods run under: the workload's own unless the file names one. It mounts
 * no API token (the pods never call the API server); cloud identity webhooks project their own.
 */
export function serviceAccount(scope: Construct, id: WorkloadIdentity, pod: PodSettings): string {
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

/** Node selector, tolerations and extra affinity of the file, beside the workload's own spreading. */
function placement(pod: PodSettings, spread: ReturnType<typeof spreading>) {
  return {
    ...(Object.keys(pod.nodeSelector).length ? { nodeSelector: pod.nodeSelector } : {}),
    ...(pod.tolerations.length ? { tolerations: pod.tolerations } : {}),
    affinity: { ...(pod.affinity.nodeAffinity ? { nodeAffinity: pod.affinity.nodeAffinity } : {}), ...(pod.affinity.podAffinity ? { podAffinity: pod.affinity.podAffinity } : {}), ...spread.affinity },
    topologySpreadConstraints: spread.topologySpreadConstraints,
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
          annotations: { ...p.pod.podAnnotations, 'nuxeo-compact-k8s/config-checksum': p.configChecksum },
        },
        spec: {
          serviceAccountName: serviceAccount(scope, p.id, p.pod),
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          priorityClassName: priorityClassName(p.spec),
          ...(p.spec.imagePullSecrets.length ? { imagePullSecrets: p.spec.imagePullSecrets.map((name) => ({ name })) } : {}),
          securityContext: podSecurityContext(p.uid),
          terminationGracePeriodSeconds: p.terminationGracePeriodSeconds,
          ...placement(p.pod, spreading(p.spec, p.spreadSelector ?? selector)),
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

/** A container with the shared security context, pull policy and resources filled in. */
export function container(uid: number, c: Omit<k8s.Container, 'securityContext' | 'imagePullPolicy' | 'resources'> & { resources: Resources }): k8s.Container {
  return { ...c, imagePullPolicy: pullPolicy(c.image!), resources: resources(c.resources), securityContext: containerSecurityContext(uid) };
}

/** Exec probe running a shell snippet. */
export function execProbe(script: string, opts: Omit<k8s.Probe, 'exec'>): k8s.Probe {
  return { exec: { command: ['sh', '-c', script] }, ...opts };
}
