/** Where an architecture's Redis comes from: in the Nuxeo pods or its own cluster, or a managed service. */
import { Bound, placed, TierSource } from '../k8s/tier-source';
import { managedRedis, managedRedisProblems, ManagedRedisProps } from './managed';
import { Redis, RedisEndpoint, RedisOptions, redisProblems } from './redis';
import type { SidecarHost } from '../k8s/sidecar-host';

export class RedisSource extends TierSource<Bound<Redis, RedisEndpoint>, [SidecarHost]> {
  /** Redis in the cluster: in every Nuxeo pod (`mode: 'sidecar'`, the default) or its own StatefulSet with Sentinel (`mode: 'external'`). */
  public static inCluster(options: RedisOptions = {}): RedisSource {
    return new RedisSource(() => redisProblems(options), (scope, id, at, sidecarHost) => placed(new Redis(scope, id, { ...options, ...at, sidecarHost })));
  }

  /** A Redis service outside the cluster (ElastiCache, Memorystore, Azure Cache): nothing is emitted for it. */
  public static managed(options: ManagedRedisProps): RedisSource {
    return new RedisSource(() => managedRedisProblems(options), () => ({ endpoint: managedRedis(options) }));
  }
}
