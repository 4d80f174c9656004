// Compiled by `tsc --noEmit` in `npm test` (no runtime): the generated, documented settings
// interfaces (lib/settings/settings.generated.ts) must stay assignable to and from the zod input
// types they were generated from, so the two cannot drift apart.
import type { z } from 'zod';
import type { SECTION_SCHEMAS } from '../../lib/settings/schema';
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
