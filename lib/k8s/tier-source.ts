/**
 * The base of the factories that choose where a tier comes from (`DatabaseSource.managed(...)` ...):
 * the options' problems, found before anything is built, and how the tier is placed.
 */
import type { Construct } from 'constructs';
import type { ContextProps } from './context';

/** What an architecture gives a tier it places: where it runs and its name. @internal */
export interface TierPlacement {
  readonly context?: ContextProps;
  readonly baseName: string;
}

/** A tier placed by a source (none for a managed service) and the endpoint its clients connect to. @internal */
export interface Bound<Tier, Endpoint> {
  readonly tier?: Tier;
  readonly endpoint: Endpoint;
}

/** A placed tier with its endpoint. @internal */
export function placed<T extends { readonly endpoint: unknown }>(tier: T): Bound<T, T['endpoint']> {
  return { tier, endpoint: tier.endpoint };
}

export abstract class TierSource<Bound, Extra extends unknown[] = []> {
  protected constructor(
    private readonly problems: () => string[],
    private readonly bind: (scope: Construct, id: string, at: TierPlacement, ...extra: Extra) => Bound,
  ) {}

  /** Every problem of the options, without building anything. @internal */
  public _problems(): string[] {
    return this.problems();
  }

  /** Places the tier, if any, at `scope`. @internal */
  public _bind(scope: Construct, id: string, at: TierPlacement, ...extra: Extra): Bound {
    return this.bind(scope, id, at, ...extra);
  }
}
