/**
 * What the installers of the controllers share (test/cluster/{cloudnativepg,prometheus,traefik}.ts):
 * each controller is built from its Go module (build-operators.sh), packaged as its release image
 * (operator-images.sh) and applied from the upstream manifests of that release, read in the Go
 * module cache at test time (nothing upstream is committed here), images swapped to the local
 * registry.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { kubectl, REGISTRY } from './kube';

const HERE = __dirname;

/** The version of MODULE that our build module test/cluster/build/NAME requires. */
export function moduleVersion(name: string, module: string): string {
  const gomod = fs.readFileSync(path.join(HERE, 'build', name, 'go.mod'), 'utf8');
  const m = new RegExp(`^(?:require\\s+|\\t)${module.replace(/[.]/g, '\\.')} (v\\S+)$`, 'm').exec(gomod);
  if (!m) throw new Error(`${name}/go.mod requires no ${module}`);
  return m[1];
}

/** Where the Go module cache holds MODULE@VERSION (downloaded if missing). */
export function moduleDir(module: string, version: string): string {
  const r = spawnSync('go', ['mod', 'download', '-json', `${module}@${version}`], { encoding: 'utf8', cwd: HERE, env: { ...process.env, GOFLAGS: '-mod=mod' } });
  if (r.status !== 0) throw new Error(`go mod download ${module}@${version}: ${r.stderr}${r.stdout}`);
  return JSON.parse(r.stdout).Dir;
}

/** An upstream manifest file of a module, with each `from` image prefix replaced; every one must occur. */
export function upstreamManifest(module: string, version: string, file: string, swaps: Record<string, string>): string {
  let text = fs.readFileSync(path.join(moduleDir(module, version), file), 'utf8');
  for (const [from, to] of Object.entries(swaps)) {
    if (!text.includes(from)) throw new Error(`${module}@${version}/${file} names no ${from}`);
    text = text.split(from).join(to);
  }
  return text;
}

/**
 * Builds what is missing and pushes the images to the registry; seconds spent. `names` (as
 * build-operators.sh and operator-images.sh take them): only those; none: all.
 */
export function operatorImages(...names: string[]): number {
  const start = Date.now();
  for (const args of [[path.join(HERE, 'build-operators.sh'), ...names], [path.join(HERE, 'operator-images.sh'), REGISTRY, ...names]]) {
    const r = spawnSync('bash', args, { encoding: 'utf8', env: { ...process.env, CLUSTER_BUILD_JOBS: process.env.CLUSTER_BUILD_JOBS ?? '2' } });
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}:\n${r.stderr}${r.stdout}`);
  }
  return Math.round((Date.now() - start) / 1000);
}

export async function rollout(namespace: string, kind: string, name: string, timeoutSeconds = 240): Promise<void> {
  await kubectl(['-n', namespace, 'rollout', 'status', `${kind}/${name}`, `--timeout=${timeoutSeconds}s`], { timeoutMs: (timeoutSeconds + 10) * 1000 });
}

