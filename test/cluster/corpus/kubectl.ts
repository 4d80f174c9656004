/**
 * A minimal kubectl wrapper with the signatures of the cluster harness (test/cluster/kube.ts on
 * branch `cluster`: kubectl(), waitFor()), which was not on main when this was written. It uses
 * the KUBECONFIG and KUBECTL that `npm run cluster -- up` prints. Once kube.ts is merged, import
 * from '../kube' instead.
 */
import { spawn } from 'child_process';

export interface Run { code: number; stdout: string; stderr: string }

export function kubectl(args: string[], opts: { input?: string; allowFail?: boolean; timeoutMs?: number } = {}): Promise<Run> {
  const bin = process.env.KUBECTL ?? 'kubectl';
  const config = process.env.KUBECONFIG ? ['--kubeconfig', process.env.KUBECONFIG] : [];
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [...config, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const run = { code: code ?? (signal ? 128 : 1), stdout, stderr };
      if (run.code !== 0 && !opts.allowFail) reject(new Error(`kubectl ${args.join(' ')} exited ${run.code}:\n${stderr}${stdout}`));
      else resolve(run);
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Polls `predicate` every second until it is true; throws naming `what` after `timeoutMs`. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const start = Date.now();
  let last: unknown;
  while (Date.now() - start < timeoutMs) {
    try {
      if (await predicate()) return Date.now() - start;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
