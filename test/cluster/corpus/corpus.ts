/**
 * The corpus of changes (changes.yaml) made concrete: each change's base and changed manifests,
 * by output file, rendered the way `npm run synth` renders them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse, parseDocument } from 'yaml';
import { validateEnvironment } from '../../../app/load';
import { MANIFEST_SUFFIX, synthesizeEnvironment } from '../../../app/synth';
import { parseManifests } from '../../../app/plan/sources';
import type { Effect, Located } from '../../../app/plan/types';

export interface CorpusChange {
  readonly name: string;
  readonly environment: string;
  readonly set?: Record<string, unknown>;
  readonly manifest?: { kind: string; name: string; set: Record<string, unknown> };
  readonly expect: { kind: string; name: string; effect: Effect; summary?: string }[];
  /** Effects the changes not listed under `expect` may have. @default - none: nothing else changes */
  readonly othersMay?: Effect[];
  /** Why the change is not played on the test cluster. @default - it is */
  readonly notOnCluster?: string;
}

const ROOT = path.join(__dirname, '..', '..', '..');

export function corpus(): CorpusChange[] {
  return parse(fs.readFileSync(path.join(__dirname, 'changes.yaml'), 'utf8'));
}

/** Sets a dotted path (keys may not contain dots: a key with dots is given as a nested mapping value). */
function setPath(obj: any, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let at = obj;
  for (const k of keys.slice(0, -1)) at = at[k] ??= {};
  at[keys[keys.length - 1]] = value;
}

function render(name: string, data: unknown): Located[] {
  const { spec, problems } = validateEnvironment(data);
  if (!spec) throw new Error(problems.join('\n'));
  return [...synthesizeEnvironment({ name, spec })].filter(([f]) => f.endsWith(MANIFEST_SUFFIX))
    .flatMap(([f, text]) => parseManifests(`dist/${name}/${f}`, text));
}

/**
 * The environment's manifests, and the same after the change.
 * @param dir the folder of environment files (default: the shipped ones)
 * @param adapt edits the environment before both renderings (the cluster test's namespace ...)
 */
export function sides(change: CorpusChange, dir = path.join(ROOT, 'environments'), adapt: (data: any) => void = () => undefined): { namespace: string; before: Located[]; after: Located[] } {
  const data = parseDocument(fs.readFileSync(path.join(dir, `${change.environment}.yaml`), 'utf8')).toJS();
  adapt(data);
  const before = render(change.environment, data);
  const edited = structuredClone(data);
  for (const [p, v] of Object.entries(change.set ?? {})) setPath(edited, p, v);
  const after = render(change.environment, edited);
  if (change.manifest) {
    const target = after.find((l) => l.manifest.kind === change.manifest!.kind && l.manifest.metadata.name === change.manifest!.name);
    if (!target) throw new Error(`${change.name}: no ${change.manifest.kind} ${change.manifest.name}`);
    for (const [p, v] of Object.entries(change.manifest.set)) setPath(target.manifest, p, v);
  }
  return { namespace: data.namespace, before, after };
}
