/**
 * NetworkPolicies: each workload's own policy selects exactly its instance label, covers both
 * directions and allows DNS plus the listed rules; everything else falls to the namespace's
 * default deny.
 */
import { Lazy } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { strictlyContains } from './cidr';
import type { TierContext } from './context';
import { WorkloadIdentity, workloadLabels } from './labels';

export const DNS_PORT = 53;

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

/**
 * Peers and TCP ports. `peers` may grow until synthesis (a tier's `allowFrom`); a rule whose peers
 * stay empty is left out, never written as an empty `from` (which would admit everyone).
 */
export interface Rule {
  readonly peers: Peer[];
  readonly ports: number[];
}

/**
 * What a client needs to reach a service, whether it runs in the cluster or is a managed service
 * elsewhere: the egress to open, and a way to be let in by the service's own policy.
 */
export interface Connectable {
  /** Egress rules a client of this service needs. */
  readonly egress: Rule[];
  /** Lets `client` in through the service's NetworkPolicy (nothing to do for a managed service). */
  allowFrom(client: Peer): void;
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
export function dnsEgress(ctx: Pick<TierContext, 'network'>): k8s.NetworkPolicyEgressRule {
  const dns = ctx.network.dns;
  return {
    to: [
      ...peerOf({ namespace: dns.namespace, pods: dns.podLabels }),
      ...dns.nodeLocalAddresses.map((ip) => ({ ipBlock: { cidr: `${ip}/32` } })),
    ],
    ports: [
      { port: k8s.IntOrString.fromNumber(DNS_PORT), protocol: 'UDP' },
      { port: k8s.IntOrString.fromNumber(DNS_PORT), protocol: 'TCP' },
    ],
  };
}

/** The NetworkPolicy of one workload (see the file comment). */
export function networkPolicy(scope: Construct, id: WorkloadIdentity, ingress: Rule[], egress: Rule[], ctx: Pick<TierContext, 'network'>): k8s.KubeNetworkPolicy {
  const rules = (rs: Rule[]) => rs.filter((r) => r.peers.length).map((r) => ({ peers: r.peers.flatMap(peerOf), ports: tcp(r.ports) }));
  return new k8s.KubeNetworkPolicy(scope, `${id.instance}-netpol`, {
    metadata: { name: id.instance, labels: workloadLabels(id) },
    spec: {
      podSelector: { matchLabels: { 'app.kubernetes.io/instance': id.instance } },
      policyTypes: ['Ingress', 'Egress'],
      ingress: Lazy.any({ produce: () => rules(ingress).map((r) => ({ from: r.peers, ports: r.ports })) }),
      egress: Lazy.any({ produce: () => [dnsEgress(ctx), ...rules(egress).map((r) => ({ to: r.peers, ports: r.ports }))] }),
    },
  });
}

/** The instance-label peer of a workload, for rules between tiers. */
export function podsOf(instance: string): Peer {
  return { pods: { 'app.kubernetes.io/instance': instance } };
}
