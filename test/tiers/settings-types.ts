// Compiled by `tsc --noEmit` in `npm test` (no runtime): the generated, documented settings
// interfaces (lib/settings/settings.generated.ts) must stay assignable to and from the zod input
// types they were generated from, so the two cannot drift apart.
import type { z } from 'zod';
import type { SCHEDULING_SCHEMA, SECTION_SCHEMAS } from '../../lib/settings/schema';
import type { ResolvedDns, ResolvedMonitoring, ResolvedScheduling } from '../../lib/k8s/context';
import type { Resources } from '../../lib/k8s/containers';
import type * as G from '../../lib/settings/settings.generated';

type Input<K extends keyof typeof SECTION_SCHEMAS> = NonNullable<z.input<(typeof SECTION_SCHEMAS)[K]>>;
/** true only when A and B are each assignable to the other. */
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Every field made required, at every depth: an optional field on one side only shows up. */
type Shape<T> = T extends readonly (infer E)[] ? Shape<E>[] : T extends object ? { [K in keyof T]-?: Shape<NonNullable<T[K]>> } : 'leaf';
type Same<A, B> = Mutual<A, B> extends true ? Mutual<Shape<A>, Shape<B>> : false;

export const nuxeo: Same<Input<'nuxeo'>, G.NuxeoSettings> = true;
export const redis: Same<Input<'redis'>, G.RedisSettings> = true;
export const elasticsearch: Same<Input<'elasticsearch'>, G.ElasticsearchSettings> = true;
export const database: Same<Input<'database'>, G.DatabaseSettings> = true;
export const loadBalancer: Same<Input<'loadBalancer'>, G.LoadBalancerSettings> = true;
export const network: Same<Input<'network'>, G.NetworkSettings> = true;
export const monitoring: Same<Input<'monitoring'>, G.MonitoringSettings> = true;
export const scheduling: Same<NonNullable<z.input<typeof SCHEDULING_SCHEMA>>, G.SchedulingSettings> = true;

// The resolved (defaults applied) forms the tiers build with, written by hand without zod so the
// published declarations never import it: each must match the zod output type exactly.
type Output<K extends keyof typeof SECTION_SCHEMAS> = z.output<(typeof SECTION_SCHEMAS)[K]>;
export const resolvedScheduling: Same<z.output<typeof SCHEDULING_SCHEMA>, ResolvedScheduling> = true;
export const resolvedDns: Same<Output<'network'>['dns'], ResolvedDns> = true;
export const resolvedMonitoring: Same<Output<'monitoring'>, ResolvedMonitoring> = true;
export const resources: Same<Output<'nuxeo'>['resources'], Resources> = true;
