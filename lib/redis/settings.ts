/**
 * The `redis` section of the environment file: the Redis tier's settings, their defaults and
 * limits (`npm run schema` makes settings.generated.ts, their documented interfaces).
 */
import { z } from 'zod';
import { fitsLimit, image, managedEndpoint, memory, nodeCount, podSettings, resources, rule, volume } from '../settings/fields';

/** The seed's minimum ("at least"): Sentinel needs a majority of three. */
const MIN_SENTINEL_REDIS_NODES = 3;
// Chosen against Nuxeo's LTS 2021 matrix and upstream support: README "Versions", app/versions.ts.
const DEFAULT_IMAGE = 'redis:7.4.6';

export const REDIS_SCHEMA = z
  .strictObject({
    mode: z.enum(['sidecar', 'external'], { message: "must be 'sidecar' (Redis in every Nuxeo pod) or 'external' (a Redis cluster with Sentinel)" }).default('sidecar').describe("sidecar: a Redis in every Nuxeo pod, pod 0 the master, no automatic failover; external: its own StatefulSet with Sentinel, automatic failover"),
    image: image(DEFAULT_IMAGE),
    resources: resources({ cpu: '100m', memory: '512Mi', ephemeralStorage: '64Mi' }, { cpu: '500m', memory: '512Mi', ephemeralStorage: '256Mi' }),
    maxmemory: memory.default('384Mi').describe('Redis maxmemory; must leave headroom below the memory limit'),
    storage: volume('2Gi').describe('external mode: PVC per Redis pod (sidecar mode uses the Nuxeo pod volume)'),
    replicas: nodeCount(MIN_SENTINEL_REDIS_NODES, 'Sentinel needs a majority of three to fail over', 3).describe('external mode: Redis pods, each with a Sentinel'),
    managed: managedEndpoint('Redis (ElastiCache, Memorystore, Azure Cache; Nuxeo uses secrets.redisPassword)', 6379),
    sentinel: z
      .strictObject({
        masterName: z.string().regex(/^[A-Za-z0-9_-]+$/).default('mymaster').describe('the name the Sentinels monitor the master under, and Nuxeo asks them for'),
        quorum: z.number().int().min(2).optional().describe('default: majority of the Sentinels'),
        downAfterMilliseconds: z.number().int().min(1000).default(5000).describe('milliseconds without an answer before a Sentinel deems the master down: lower fails over sooner, and on shorter blips'),
        failoverTimeoutMilliseconds: z.number().int().min(5000).default(60000).describe('milliseconds a failover may take before the Sentinels try again'),
        resources: resources({ cpu: '50m', memory: '64Mi', ephemeralStorage: '32Mi' }, { cpu: '200m', memory: '128Mi', ephemeralStorage: '128Mi' }),
      })
      .prefault({})
      .describe('external mode: the Sentinel container beside each Redis, which detects a failed master and promotes a replica'),
    ...podSettings(),
  })
  .prefault({})
  .refine(...fitsLimit('maxmemory', 0.9, 'replication buffers and fork need the rest'))
  .refine(
    ...rule<{ replicas: number; sentinel: { quorum?: number } }>(
      ['replicas', 'sentinel'],
      ['sentinel', 'quorum'],
      (r) => r.sentinel.quorum === undefined || r.sentinel.quorum <= majority(r.replicas),
      (r) => `${r.sentinel.quorum} is above the majority of ${r.replicas} Sentinels (${majority(r.replicas)}): failover could never be agreed`,
    ),
  );

/** Sentinels that make a majority of `n`. */
export function majority(n: number): number {
  return Math.floor(n / 2) + 1;
}
