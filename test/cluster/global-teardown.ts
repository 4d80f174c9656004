/** jest globalTeardown of the `cluster` project: takes the cluster down unless CLUSTER_KEEP=1. */
import { spawnSync } from 'child_process';
import * as path from 'path';

export default function teardown(): void {
  if (process.env.CLUSTER_KEEP === '1') return;
  const r = spawnSync('bash', [path.join(__dirname, 'cluster.sh'), 'down'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`cluster.sh down exited ${r.status}`);
}
