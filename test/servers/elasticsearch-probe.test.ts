/**
 * The Elasticsearch readiness probe, run as synthesized against a stand-in HTTP endpoint that
 * answers `_cluster/health` as Elasticsearch does (408 while `wait_for_status` is not reached,
 * 503 without a master): not ready until the cluster was green once since the pod started,
 * then ready as long as the node answers with a master.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { allManifests, find, shippedEnvironments } from '../helpers';
import { Servers } from './harness';

const env = shippedEnvironments()[0];
const servers = new Servers();
afterAll(() => servers.stopAll());

describe('Elasticsearch readiness probe', () => {
  let status: 'red' | 'yellow' | 'green' | 'no-master' = 'yellow';
  let server: http.Server;
  let port: number;
  let probe: string;
  let started: string;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      const wanted = url.searchParams.get('wait_for_status');
      const order = ['red', 'yellow', 'green'];
      const reached = !wanted || order.indexOf(status) >= order.indexOf(wanted);
      if (url.pathname !== '/_cluster/health') res.writeHead(404).end();
      else if (status === 'no-master') res.writeHead(503).end('{"error":"master_not_discovered_exception"}');
      else res.writeHead(reached ? 200 : 408).end(JSON.stringify({ status, timed_out: !reached }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as any).port;
    const main = find(allManifests(env), 'StatefulSet', 'elasticsearch').spec.template.spec.containers[0];
    const dir = servers.tmpdir('es-probe');
    started = path.join(dir, '.es-ready');
    probe = main.readinessProbe.exec.command[2].replace(/127\.0\.0\.1:9200/g, `127.0.0.1:${port}`).replace(/\/tmp\/\.es-ready/g, started);
  });
  afterAll(() => new Promise((r) => server.close(r)));

  // Asynchronous: the stand-in endpoint answers from this process.
  const ready = () => new Promise<boolean>((resolve) => spawn('sh', ['-c', probe], { env: { PATH: process.env.PATH! }, stdio: 'ignore' }).on('close', (code) => resolve(code === 0)));

  test('a node of a yellow cluster that was never green is not ready', async () => {
    status = 'yellow';
    expect(await ready()).toBe(false);
    expect(fs.existsSync(started)).toBe(false);
  });

  test('once green, it is ready and stays so while the cluster recovers replicas (yellow)', async () => {
    status = 'green';
    expect(await ready()).toBe(true);
    expect(fs.existsSync(started)).toBe(true);
    status = 'yellow';
    expect(await ready()).toBe(true);
  });

  test('a node that lost its master is not ready', async () => {
    status = 'no-master';
    expect(await ready()).toBe(false);
  });
});
