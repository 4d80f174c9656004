import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';

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
