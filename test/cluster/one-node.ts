/**
 * Committed manifests (dist/, at any revision) made runnable on the one-node test cluster, the
 * same edits on every side of a comparison so that what changes between two revisions is kept:
 * the changes test/cluster/environments/ makes to an environment file, made to its output instead
 * (an older commit's output cannot be re-synthesized from today's environment files).
 *
 * - every name of the environment's namespace (Namespace, PriorityClass, DNS names in configs)
 *   renamed, so the test never touches another test's objects;
 * - images at the local registry, same repository and tag (`ensureImages` tags a stand-in for a
 *   tag it lacks);
 * - required pod anti-affinity made preferred (one node), the same terms;
 * - requests made small (2 shared cores), limits kept;
 * - claims on the pre-made classes: ReadWriteMany on `local-rwx`, the others on `local-rwo`.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { REGISTRY } from './kube';

const HERE = __dirname;

/** `image` at the local registry: the registry host dropped, Docker Hub's `library/` made explicit. */
export function localImage(image: string): string {
  const ref = image.replace(/@sha256:[0-9a-f]+$/, '');
  const parts = ref.split('/');
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0])) parts.shift();
  if (parts.length === 1) parts.unshift('library');
  return `${REGISTRY}/${parts.join('/')}`;
}

function podSpec(podSpec: any): void {
  for (const c of [...(podSpec.containers ?? []), ...(podSpec.initContainers ?? [])]) {
    c.image = localImage(c.image);
    if (c.resources?.requests) c.resources.requests = { cpu: '10m', memory: '32Mi' };
  }
  const anti = podSpec.affinity?.podAntiAffinity;
  if (anti?.requiredDuringSchedulingIgnoredDuringExecution) {
    anti.preferredDuringSchedulingIgnoredDuringExecution = [
      ...(anti.preferredDuringSchedulingIgnoredDuringExecution ?? []),
      ...anti.requiredDuringSchedulingIgnoredDuringExecution.map((podAffinityTerm: any) => ({ weight: 100, podAffinityTerm })),
    ];
    delete anti.requiredDuringSchedulingIgnoredDuringExecution;
  }
}

function claim(spec: any): void {
  spec.storageClassName = spec.accessModes?.includes('ReadWriteMany') ? 'local-rwx' : 'local-rwo';
}

/** One object adapted in place (pod templates at any depth: StatefulSet, CronJob's job). */
function adapt(m: any): void {
  const walk = (o: any) => {
    if (!o || typeof o !== 'object') return;
    if (Array.isArray(o.containers)) podSpec(o);
    Object.values(o).forEach(walk);
  };
  walk(m.spec);
  if (m.kind === 'PersistentVolumeClaim') claim(m.spec);
  for (const t of m.spec?.volumeClaimTemplates ?? []) claim(t.spec);
}

/**
 * A manifest file's text for the one-node cluster: `namespace` renamed `to` throughout, objects
 * adapted, kinds the cluster does not serve (`served`) left out. One JSON document per object.
 */
export function oneNodeFile(text: string, namespace: string, to: string, served: Set<string>): string {
  const renamed = text.replace(new RegExp(`\\b${namespace}\\b`, 'g'), to);
  return parseAllDocuments(renamed).map((d) => d.toJS()).filter((m) => m?.kind && served.has(m.kind))
    .map((m) => { adapt(m); return JSON.stringify(m); }).join('\n---\n');
}

/** Writes `files` (name -> text) adapted into `dir`; returns the paths in name order. */
export function writeOneNode(dir: string, files: Record<string, string>, namespace: string, to: string, served: Set<string>): string[] {
  fs.mkdirSync(dir, { recursive: true });
  return Object.keys(files).sort().map((name) => {
    const out = path.join(dir, name);
    fs.writeFileSync(out, oneNodeFile(files[name], namespace, to, served));
    return out;
  });
}

/** Every image the files name, at the local registry. */
export function imagesOf(files: string[]): string[] {
  const text = files.map((f) => fs.readFileSync(f, 'utf8')).join('\n');
  return [...new Set([...text.matchAll(/"image":"([^"]+)"/g)].map((m) => m[1]))].sort();
}

/**
 * Makes every image exist at the local registry: a tag it lacks (an older release's) is a copy of
 * the stand-in pushed for the same repository (images/images.txt). Returns the copies made.
 */
export function ensureImages(images: string[]): string[] {
  const crane = path.join(spawnSync('bash', [path.join(HERE, 'build.sh'), 'dir', 'crane'], { encoding: 'utf8' }).stdout.trim(), 'crane');
  const known = fs.readFileSync(path.join(HERE, 'images/images.txt'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => `${REGISTRY}/${l.split(/\s+/)[0]}`);
  const copied: string[] = [];
  for (const image of images) {
    if (spawnSync(crane, ['digest', image], { encoding: 'utf8' }).status === 0) continue;
    const repo = image.replace(/:[^:/]+$/, '');
    const from = known.find((k) => k.replace(/:[^:/]+$/, '') === repo);
    if (!from) throw new Error(`no stand-in for ${image} (images/images.txt)`);
    const r = spawnSync(crane, ['copy', from, image], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`crane copy ${from} ${image}: ${r.stderr}`);
    copied.push(image);
  }
  return copied;
}
