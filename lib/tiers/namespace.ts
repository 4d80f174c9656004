import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { EnvironmentSpec } from '../config/schema';
import { MANAGED_BY, PART_OF, priorityClassName } from './common';

export interface NamespaceTierProps {
  /** The validated environment. */
  readonly spec: EnvironmentSpec;
}

/**
 * The namespace itself, enforcing Pod Security `restricted`, the PriorityClass every pod uses,
 * and the default-deny NetworkPolicy that each workload's own policy opens up from.
 */
export class NamespaceTier extends Construct {
  constructor(scope: Construct, id: string, props: NamespaceTierProps) {
    super(scope, id);
    const { spec } = props;
    const labels = { 'app.kubernetes.io/managed-by': MANAGED_BY, 'app.kubernetes.io/part-of': PART_OF };

    // The opt-in Elasticsearch sysctl init container is privileged: only then is "restricted" relaxed.
    const enforce = spec.elasticsearch.sysctlInitContainer ? 'privileged' : 'restricted';
    new k8s.KubeNamespace(this, 'namespace', {
      metadata: {
        name: spec.namespace,
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
      metadata: { name: priorityClassName(spec), labels },
      value: spec.priorityClass.value,
      globalDefault: false,
      preemptionPolicy: 'PreemptLowerPriority',
      description: `Nuxeo compact architecture in namespace ${spec.namespace}`,
    });

    new k8s.KubeNetworkPolicy(this, 'default-deny', {
      metadata: { name: 'default-deny-all', namespace: spec.namespace, labels },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
  }
}
