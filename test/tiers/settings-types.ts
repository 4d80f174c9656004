// Compiled by `tsc --noEmit` in `npm test` (no runtime): the generated, documented settings
// interfaces (each tier's lib/<tier>/settings.generated.ts) must stay assignable to and from the zod input
// types they were generated from, so the two cannot drift apart.
import type { z } from 'zod';
import type { DATABASE_SCHEMA } from '../../lib/database/settings';
import type { ELASTICSEARCH_SCHEMA } from '../../lib/elasticsearch/settings';
import type { MONITORING_SCHEMA, NETWORK_SCHEMA, SCHEDULING_SCHEMA } from '../../lib/k8s/settings';
import type { LOAD_BALANCER_SCHEMA } from '../../lib/load-balancer/settings';
import type { NUXEO_SCHEMA } from '../../lib/nuxeo/settings';
import type { REDIS_SCHEMA } from '../../lib/redis/settings';
import type { ResolvedDns, ResolvedMonitoring, ResolvedScheduling } from '../../lib/k8s/context';
import type { Resources } from '../../lib/k8s/containers';
import type * as Database from '../../lib/database/settings.generated';
import type * as Elasticsearch from '../../lib/elasticsearch/settings.generated';
import type * as K8s from '../../lib/k8s/settings.generated';
import type * as LoadBalancer from '../../lib/load-balancer/settings.generated';
import type * as Nuxeo from '../../lib/nuxeo/settings.generated';
import type * as Redis from '../../lib/redis/settings.generated';

/** Each section's schema, from its folder. */
type Sections = {
  nuxeo: typeof NUXEO_SCHEMA; redis: typeof REDIS_SCHEMA; elasticsearch: typeof ELASTICSEARCH_SCHEMA; database: typeof DATABASE_SCHEMA;
  loadBalancer: typeof LOAD_BALANCER_SCHEMA; network: typeof NETWORK_SCHEMA; monitoring: typeof MONITORING_SCHEMA;
};
type Input<K extends keyof Sections> = NonNullable<z.input<Sections[K]>>;
/** true only when A and B are each assignable to the other. */
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Every field made required, at every depth: an optional field on one side only shows up. */
type Shape<T> = T extends readonly (infer E)[] ? Shape<E>[] : T extends object ? { [K in keyof T]-?: Shape<NonNullable<T[K]>> } : 'leaf';
type Same<A, B> = Mutual<A, B> extends true ? Mutual<Shape<A>, Shape<B>> : false;

export const nuxeo: Same<Input<'nuxeo'>, Nuxeo.NuxeoSettings> = true;
export const redis: Same<Input<'redis'>, Redis.RedisSettings> = true;
export const elasticsearch: Same<Input<'elasticsearch'>, Elasticsearch.ElasticsearchSettings> = true;
export const database: Same<Input<'database'>, Database.DatabaseSettings> = true;
export const loadBalancer: Same<Input<'loadBalancer'>, LoadBalancer.LoadBalancerSettings> = true;
export const network: Same<Input<'network'>, K8s.NetworkSettings> = true;
export const monitoring: Same<Input<'monitoring'>, K8s.MonitoringSettings> = true;
export const scheduling: Same<NonNullable<z.input<typeof SCHEDULING_SCHEMA>>, K8s.SchedulingSettings> = true;

// The resolved (defaults applied) forms the tiers build with, written by hand without zod so the
// published declarations never import it: each must match the zod output type exactly.
type Output<K extends keyof Sections> = z.output<Sections[K]>;
export const resolvedScheduling: Same<z.output<typeof SCHEDULING_SCHEMA>, ResolvedScheduling> = true;
export const resolvedDns: Same<Output<'network'>['dns'], ResolvedDns> = true;
export const resolvedMonitoring: Same<Output<'monitoring'>, ResolvedMonitoring> = true;
export const resources: Same<Output<'nuxeo'>['resources'], Resources> = true;
