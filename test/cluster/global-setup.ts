/**
 * jest globalSetup of the `cluster` project: brings the one-node cluster up (building what is
 * missing) unless CLUSTER_KEEP=1 finds it already running, and passes KUBECONFIG/KUBECTL on.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

export default function setup(): void {
  const script = path.join(__dirname, 'cluster.sh');
  const start = Date.now();
  const r = spawnSync('bash', [script, 'up'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`cluster.sh up exited ${r.status}`);
  for (const line of r.stdout.trim().split('\n').slice(-2)) {
    const m = /^(KUBECONFIG|KUBECTL)=(.+)$/.exec(line);
    if (!m) throw new Error(`cluster.sh up: unexpected last lines:\n${r.stdout}`);
    process.env[m[1]] = m[2];
  }
  console.log(`\ncluster up in ${Math.round((Date.now() - start) / 1000)} s`);
}
