/**
 * The plan's vocabulary: what one object change does to a running cluster. The JSON output
 * (schema/plan.schema.json, docs/plan.md) is these types, so a change here changes PLAN_VERSION.
 */

/** Version of the JSON document; bumped on any incompatible change of its shape or effects. */
export const PLAN_VERSION = 1;

/** Effects, riskiest first: the order of the tables and of synth's warnings. */
export const EFFECTS = [
  'rejected', 'removed', 'new-secret', 'operator-action', 'rolls-pods', 'restarts-via-checksum', 'scales', 'added', 'updated',
] as const;
export type Effect = (typeof EFFECTS)[number];

/** The words a reviewer reads for each effect. */
export const EFFECT_LABELS: Record<Effect, string> = {
  'rejected': 'rejected by the API server',
  'removed': 'removed',
  'new-secret': 'new Secret required',
  'operator-action': 'needs an operator action',
  'rolls-pods': 'rolls pods',
  'restarts-via-checksum': 'restarts through a checksum',
  'scales': 'scales',
  'added': 'added',
  'updated': 'updated in place',
};

export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  readonly spec?: any;
  readonly [key: string]: any;
}

/** A manifest and the output file it is in, relative to the repository (dist/<env>/<file>). */
export interface Located {
  readonly file: string;
  readonly manifest: Manifest;
}

export interface Change {
  readonly kind: string;
  readonly name: string;
  /** @default - a cluster-scoped object */
  readonly namespace?: string;
  readonly effect: Effect;
  /** One line: the effect and its subject ("rolls pods: nuxeo", "scales: nuxeo 2 → 3"). */
  readonly summary: string;
  /** Changed fields, as paths in the object ("spec.volumeClaimTemplates[data].spec.storageClassName"). */
  readonly fields: string[];
  /** Why this effect, with the rule's source. */
  readonly reason: string;
  /** Commands to run, in order, to carry the change out; empty when `kubectl apply` is enough. */
  readonly commands: string[];
  /** True when applying (or pruning) this change can delete or strand stored data. */
  readonly dataAtStake: boolean;
}

/** Both versions of one environment, for the rules that look beyond one object (PDBs, readers). */
export interface EnvironmentPair {
  readonly name: string;
  readonly namespace: string;
  readonly before: Located[];
  readonly after: Located[];
}

/** What a rule needs to build one Change. */
export type ChangeInit = Partial<Omit<Change, 'kind' | 'name' | 'namespace' | 'effect'>> & Pick<Change, 'effect' | 'reason'>;

export function changeOf(m: Manifest, init: ChangeInit): Change {
  return {
    kind: m.kind,
    name: m.metadata.name,
    ...(m.metadata.namespace ? { namespace: m.metadata.namespace } : {}),
    effect: init.effect,
    summary: init.summary ?? `${EFFECT_LABELS[init.effect]}: ${m.kind} ${m.metadata.name}`,
    fields: init.fields ?? [],
    reason: init.reason,
    commands: init.commands ?? [],
    dataAtStake: init.dataAtStake ?? false,
  };
}

/** `kubectl -n <ns>` for a namespaced object, `kubectl` otherwise. */
export function kubectl(m: Manifest): string {
  return m.metadata.namespace ? `kubectl -n ${m.metadata.namespace}` : 'kubectl';
}
