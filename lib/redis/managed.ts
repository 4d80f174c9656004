/** A Redis service outside the cluster in place of the tier: nothing is emitted for it. */
import type { SecretKeyRef } from '../k8s/containers';
import { egressTo, ManagedNetwork } from '../k8s/managed-network';
import { propsProblems, refuse } from '../settings/props';
import type { RedisEndpoint } from './redis';
import { REDIS_SCHEMA } from './settings';

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

/** Every problem of the options, as the file's `redis.managed` gets them. @internal */
export function managedRedisProblems(p: ManagedRedisProps): string[] {
  return propsProblems('redis', REDIS_SCHEMA, { managed: { host: p.host, port: p.port, tls: p.tls, cidrs: p.cidrs } });
}

/** A Redis service outside the cluster (ElastiCache, Memorystore, Azure Cache). */
export function managedRedis(p: ManagedRedisProps): RedisEndpoint {
  refuse(managedRedisProblems(p));
  const port = p.port ?? 6379;
  return { redis: { kind: 'single', host: p.host, port, ssl: p.tls ?? true }, password: p.password, connection: egressTo(p, [port]) };
}
