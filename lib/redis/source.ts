/** Where an architecture's Redis comes from: in the Nuxeo pods or its own cluster, or a managed service. */
import type { Construct } from 'constructs';
import type { TierPlacement } from '../database/source';
import { managedRedis, ManagedRedisProps } from './managed';
import { Redis, RedisEndpoint, RedisOptions, redisProblems } from './redis';
import type { SidecarHost } from './sidecar-host';

/** The tier placed, if any, and the endpoint Nuxeo connects to. @internal */
export interface BoundRedis {
  readonly tier?: Redis;
  readonly endpoint: RedisEndpoint;
}

export class RedisSource {
  /** Redis in the cluster: in every Nuxeo pod (`mode: 'sidecar'`, the default) or its own StatefulSet with Sentinel (`mode: 'external'`). */
  public static inCluster(options: RedisOptions = {}): RedisSource {
    return new RedisSource(() => redisProblems(options), (scope, id, at, sidecarHost) => {
      const tier = new Redis(scope, id, { ...options, ...at, sidecarHost });
      return { tier, endpoint: tier.endpoint };
    });
  }

  /** A Redis service outside the cluster (ElastiCache, Memorystore, Azure Cache): nothing is emitted for it. */
  public static managed(options: ManagedRedisProps): RedisSource {
    return new RedisSource(() => [], () => ({ endpoint: managedRedis(options) }));
  }

  private constructor(
    private readonly problems: () => string[],
    private readonly bind: (scope: Construct, id: string, at: TierPlacement, sidecarHost: SidecarHost) => BoundRedis,
  ) {}

  /** @internal */
  public _problems(): string[] {
    return this.problems();
  }

  /** @internal */
  public _bind(scope: Construct, id: string, at: TierPlacement, sidecarHost: SidecarHost): BoundRedis {
    return this.bind(scope, id, at, sidecarHost);
  }
}
