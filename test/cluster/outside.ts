/**
 * An address outside the cluster and every private range, built by the test on this
 * machine: a network namespace of ours behind a veth pair, in 198.18.0.0/15 (the benchmarking
 * range of RFC 2544: not private, not the cluster's, not the internet's), routed from the node,
 * with a TCP listener the test starts and stops. Pods reach it through the node like any address
 * outside the cluster (the CNI bridge routes through the node, no masquerade).
 *
 * Names start with `nck8s-outside` so that `cluster.sh down` (cluster-down.sh) removes a leftover
 * of a failed run: the namespace, its listener and the veth pair.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';

export const OUTSIDE = {
  netns: 'nck8s-outside',
  hostLink: 'nck8s-outside0',
  nsLink: 'nck8s-outside1',
  hostAddress: '198.18.0.1',
  /** The address pods connect to. */
  address: '198.18.0.2',
} as const;

function ip(args: string[], allowFail = false): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0 && !allowFail) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
}

/** Stops the listener and removes the namespace and the veth pair (also a failed run's leftovers). */
export function removeOutside(outside?: Outside): void {
  outside?.listener.kill('SIGKILL');
  const pids = spawnSync('ip', ['netns', 'pids', OUTSIDE.netns], { encoding: 'utf8' }).stdout?.split('\n').filter(Boolean) ?? [];
  for (const pid of pids) spawnSync('kill', ['-KILL', pid]);
  ip(['netns', 'delete', OUTSIDE.netns], true);
  ip(['link', 'delete', OUTSIDE.hostLink], true);
}

// Answers every connection with one line and closes it; prints "listening" once bound, then
// "from <address> <port>" for each connection it accepted.
const LISTENER = `
const ports = process.argv.slice(1).map(Number);
let bound = 0;
for (const port of ports) require('net').createServer((s) => { console.log('from ' + s.remoteAddress + ' ' + port); s.end('outside\\n'); })
  .listen(port, '${OUTSIDE.address}', () => { if (++bound === ports.length) console.log('listening'); });
`;

export interface Outside {
  readonly listener: ChildProcess;
  /** "<source address> <port>" of every connection the listener accepted, in order. */
  readonly accepted: string[];
}

/** Builds the network and starts the listener on `ports`; resolves once it listens. */
export async function startOutside(ports: number[]): Promise<Outside> {
  removeOutside();
  const { netns, hostLink, nsLink, hostAddress, address } = OUTSIDE;
  ip(['netns', 'add', netns]);
  ip(['link', 'add', hostLink, 'type', 'veth', 'peer', 'name', nsLink, 'netns', netns]);
  ip(['addr', 'add', `${hostAddress}/30`, 'dev', hostLink]);
  ip(['link', 'set', hostLink, 'up']);
  ip(['-n', netns, 'addr', 'add', `${address}/30`, 'dev', nsLink]);
  ip(['-n', netns, 'link', 'set', 'lo', 'up']);
  ip(['-n', netns, 'link', 'set', nsLink, 'up']);
  // Replies to the pods (10.244.0.0/16, not masqueraded) go back through the node.
  ip(['-n', netns, 'route', 'add', 'default', 'via', hostAddress]);
  const listener = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', LISTENER, '--', ...ports.map(String)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const accepted: string[] = [];
  await new Promise<void>((resolve, reject) => {
    let err = '';
    let out = '';
    listener.stderr!.on('data', (d) => (err += d));
    listener.stdout!.on('data', (d) => {
      out += d;
      const lines = out.split('\n');
      out = lines.pop()!;
      for (const l of lines) if (l === 'listening') resolve(); else if (l.startsWith('from ')) accepted.push(l.slice(5));
    });
    listener.on('exit', (code) => reject(new Error(`listener in ${netns} exited ${code}: ${err}`)));
  });
  return { listener, accepted };
}
