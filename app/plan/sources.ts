/**
 * The two sides of a plan: the manifests committed under dist/ at a git revision, and the ones
 * the environment files produce now (rendered in memory, nothing written).
 */
import { execFileSync } from 'child_process';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { listEnvironmentFiles, loadEnvironments } from '../load';
import { MANIFEST_SUFFIX, synthesizeEnvironment } from '../synth';
import { Located, Manifest } from './types';

/** One environment's manifests by output folder name, with its Namespace. */
export type Rendering = Map<string, { namespace: string; objects: Located[] }>;

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
}

/** Every object of a multi-document YAML file, with the file it came from. */
export function parseManifests(file: string, text: string): Located[] {
  // Anything but a Kubernetes object (an empty document, a hand-edited stray line) is not one to plan.
  return parseAllDocuments(text).map((d) => d.toJS() as Manifest).filter((m) => typeof m?.kind === 'string' && typeof m.metadata?.name === 'string')
    .map((manifest) => ({ file, manifest }));
}

function namespaceOf(objects: Located[]): string {
  return objects.find((l) => l.manifest.kind === 'Namespace')?.manifest.metadata.name ?? objects.find((l) => l.manifest.metadata.namespace)?.manifest.metadata.namespace ?? '';
}

function group(files: [string, string][]): Rendering {
  const out: Rendering = new Map();
  for (const [file, text] of files) {
    const env = file.split('/')[1];
    const objects = [...(out.get(env)?.objects ?? []), ...parseManifests(file, text)];
    out.set(env, { namespace: namespaceOf(objects), objects });
  }
  return out;
}

/** dist/ as committed at `rev` (empty when it has none). */
export function committedRendering(root: string, rev: string, distDir = 'dist'): Rendering {
  const names = git(root, ['ls-tree', '-r', '--name-only', rev, '--', `${distDir}/`]).split('\n').filter((f) => f.endsWith(MANIFEST_SUFFIX)).sort();
  return group(names.map((f) => [f, git(root, ['show', `${rev}:${f}`])]));
}

/** What `npm run synth` would write now, in memory. */
export function currentRendering(root: string, distDir = 'dist'): Rendering {
  const envs = loadEnvironments(listEnvironmentFiles(path.join(root, 'environments')));
  const files: [string, string][] = envs.flatMap((env) => [...synthesizeEnvironment(env)]
    .filter(([name]) => name.endsWith(MANIFEST_SUFFIX)).map(([name, text]): [string, string] => [`${distDir}/${env.name}/${name}`, text]));
  return group(files.sort(([a], [b]) => a.localeCompare(b)));
}

/** The revision a plan compares with by default: the merge base with the default branch. */
export function defaultBase(root: string): string {
  const candidates = ['origin/HEAD', 'origin/main', 'main', 'origin/master', 'master'];
  for (const ref of candidates) {
    try {
      git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
      return git(root, ['merge-base', 'HEAD', ref]).trim();
    } catch {
      // not this one
    }
  }
  throw new Error(`no default branch found (tried ${candidates.join(', ')}): pass --base <revision>`);
}

/** A short, readable name for a revision (abbreviated commit); throws a one-line message for an unknown one. */
export function describe(root: string, rev: string): string {
  try {
    return git(root, ['rev-parse', '--short', '--verify', `${rev}^{commit}`]).trim();
  } catch {
    throw new Error(`--base ${rev}: not a commit of the git repository at ${root}`);
  }
}
