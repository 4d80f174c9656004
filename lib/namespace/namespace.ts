import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { MANAGED_BY, PART_OF } from '../k8s/labels';

export interface NamespaceTierProps {
  /** The namespace to create. */
  readonly namespace: string;
  /**
   * Pod Security level enforced; `privileged` only for Elasticsearch's opt-in sysctl init container.
   * @default 'restricted'
   */
  readonly podSecurity?: 'restricted' | 'privileged';
  /**
   * Name of the PriorityClass emitted for the architecture's pods.
   * @default - the namespace name
   */
  readonly priorityClassName?: string;
  /**
   * Its value.
   * @default 100000
   */
  readonly priorityClassValue?: number;
  /**
   * Whether its pods may evict lower-priority pods to schedule; `Never` on a shared cluster.
   * @default 'PreemptLowerPriority'
   */
  readonly preemptionPolicy?: 'PreemptLowerPriority' | 'Never';
}

/**
 * The namespace itself, enforcing Pod Security `restricted`, the PriorityClass every pod uses,
 * and the default-deny NetworkPolicy that each workload's own policy opens up from. It holds
 * cluster-scoped objects: place it in a Chart without a namespace (cdk8s would stamp one on them).
 */
export class NamespaceTier extends Construct {
  /** The PriorityClass to give the tiers (`context.priorityClassName`). */
  public readonly priorityClassName: string;

  constructor(scope: Construct, id: string, props: NamespaceTierProps) {
    super(scope, id);
    const namespace = props.namespace;
    this.priorityClassName = props.priorityClassName ?? namespace;
    const labels = { 'app.kubernetes.io/managed-by': MANAGED_BY, 'app.kubernetes.io/part-of': PART_OF };

    // The opt-in Elasticsearch sysctl init container is privileged: only then is "restricted" relaxed.
    const enforce = props.podSecurity ?? 'restricted';
    new k8s.KubeNamespace(this, 'namespace', {
      metadata: {
        name: namespace,
        labels: {
          ...labels,
          'pod-security.kubernetes.io/enforce': enforce,
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
        },
      },
    });

    // Cluster-scoped: named after the namespace so two environments never share (and fight over) it.
    new k8s.KubePriorityClass(this, 'priority', {
      metadata: { name: this.priorityClassName, labels },
      value: props.priorityClassValue ?? 100000,
      globalDefault: false,
      preemptionPolicy: props.preemptionPolicy ?? 'PreemptLowerPriority',
      description: `Nuxeo compact architecture in namespace ${namespace}`,
    });

    new k8s.KubeNetworkPolicy(this, 'default-deny', {
      metadata: { name: 'default-deny-all', namespace, labels },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
  }
}
