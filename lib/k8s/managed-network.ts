/** Where a service outside the cluster is, for the NetworkPolicy egress of its clients. */
import type { Connectable, Peer } from './network-policy';

/** Every address, for a service reached by port only. */
const ANYWHERE = ['0.0.0.0/0', '::/0'];

/** Where a managed service is, for the NetworkPolicy egress of its clients. */
export interface ManagedNetwork {
  /**
   * Address blocks of the service (its subnet or VPC range).
   * @default - any address, on the service's port only
   */
  readonly cidrs?: string[];
}

/** The egress to a managed service's ports; nothing to admit on its side. */
export function egressTo(network: ManagedNetwork, ports: number[]): Connectable {
  const peer: Peer = { cidrs: network.cidrs?.length ? network.cidrs : ANYWHERE };
  return { egress: [{ peers: [peer], ports }], allowFrom: () => undefined };
}
