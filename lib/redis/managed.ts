/** A Redis service outside the cluster in place of the tier: nothing is emitted for it. */
import type { SecretKeyRef } from '../k8s/containers';
import { egressTo, ManagedNetwork } from '../k8s/managed-network';
import type { RedisEndpoint } from './redis';

export interface ManagedRedisProps extends ManagedNetwork {
  /** The primary endpoint. */
  readonly host: string;
  /** @default 6379 */
  readonly port?: number;
  /** Secret key holding the AUTH password. */
  readonly password: SecretKeyRef;
  /**
   * In-transit encryption (ElastiCache, Memorystore).
   * @default true
   */
  readonly tls?: boolean;
}

/** A Redis service outside the cluster (ElastiCache, Memorystore, Azure Cache). */
export function managedRedis(p: ManagedRedisProps): RedisEndpoint {
  const port = p.port ?? 6379;
  return { redis: { kind: 'single', host: p.host, port, ssl: p.tls ?? true }, password: p.password, connection: egressTo(p, [port]) };
}
