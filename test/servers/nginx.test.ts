/** The reverse-proxy nginx.conf we synthesize, run by a real nginx in front of a stand-in Nuxeo. */
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as path from 'path';
import { allManifests, environment, find, shippedEnvironments } from '../helpers';
import { NGINX_STATUS_PORT } from '../../lib/k8s/exporters';
import { freePort, run, Servers, waitFor } from './harness';
import { exporterContainer, get } from './metrics';

const servers = new Servers();
afterAll(() => servers.stopAll());

/** The ConfigMap's nginx.conf with only the listen ports, upstream and temp paths made local. */
function localize(conf: string, listen: number, upstream: number, tmp: string, status = NGINX_STATUS_PORT): string {
  const out = conf
    .replace('listen 8000;', `listen 127.0.0.1:${listen};`)
    .replace(`listen 127.0.0.1:${NGINX_STATUS_PORT};`, `listen 127.0.0.1:${status};`)
    .replace('server 127.0.0.1:8080;', `server 127.0.0.1:${upstream};`)
    .replace(/ \/tmp\//g, ` ${tmp}/`);
  expect(out).not.toBe(conf);
  return out;
}

interface Seen { headers: http.IncomingHttpHeaders; bytes: number; url: string }

describe('nginx reverse proxy', () => {
  let listen: number;
  let status: number;
  let seen: Seen[] = [];
  let upstream: http.Server;

  beforeAll(async () => {
    // Stand-in Nuxeo: records what reaches it and how many body bytes.
    const upstreamPort = await freePort();
    upstream = http.createServer((req, res) => {
      let bytes = 0;
      req.on('data', (c: Buffer) => (bytes += c.length));
      req.on('end', () => {
        seen.push({ headers: req.headers, bytes, url: req.url! });
        res.end(JSON.stringify({ bytes }));
      });
    });
    await new Promise<void>((r) => upstream.listen(upstreamPort, '127.0.0.1', () => r()));

    // A small upload limit keeps the test fast; the limit is the one parameter besides addresses.
    const env = environment('proxy', { loadBalancer: { host: 'nuxeo.example.com', maxUploadMegabytes: 8 } });
    const conf = find(allManifests(env), 'ConfigMap', 'nuxeo-proxy').data!['nginx.conf'];
    expect(conf).toContain('client_max_body_size 8m;');
    const tmp = servers.tmpdir('nginx');
    listen = await freePort();
    status = await freePort();
    const file = path.join(tmp, 'nginx.conf');
    fs.writeFileSync(file, localize(conf, listen, upstreamPort, tmp, status));
    const nginx = servers.start('nginx', ['-e', 'stderr', '-p', tmp, '-c', file, '-g', 'daemon off;']);
    await waitFor(() => `nginx on ${listen}\n${servers.log(nginx)}`, () => request('GET', '/nginx-health').then((r) => r.status === 200));
  });
  afterAll(() => new Promise<void>((r) => upstream.close(() => r())));
  beforeEach(() => {
    seen = [];
  });

  function request(method: string, url: string, opts: { headers?: Record<string, string | number>; bodyBytes?: number } = {}): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: listen, method, path: url, headers: opts.headers }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      if (opts.bodyBytes) {
        const chunk = Buffer.alloc(64 * 1024, 120);
        let left = opts.bodyBytes;
        const pump = () => {
          while (left > 0) {
            const n = Math.min(left, chunk.length);
            left -= n;
            if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void req.once('drain', pump);
          }
          req.end();
        };
        pump();
      } else req.end();
    });
  }

  test('nginx -t accepts the synthesized configuration of every shipped environment', async () => {
    for (const env of shippedEnvironments()) {
      const conf = find(allManifests(env), 'ConfigMap', 'nuxeo-proxy').data!['nginx.conf'];
      const tmp = servers.tmpdir('nginx-t');
      const file = path.join(tmp, 'nginx.conf');
      fs.writeFileSync(file, localize(conf, await freePort(), 9, tmp));
      expect(run('nginx', ['-t', '-e', 'stderr', '-p', tmp, '-c', file])).toContain('test is successful');
    }
  });

  test('the exporter of the manifests reads the loopback-only stub_status and counts requests', async () => {
    const c = exporterContainer(shippedEnvironments()[0], 'proxy-exporter');
    const metricsPort = await freePort();
    // Only the ports differ from the pod. Debian's exporter (0.11, Go flags) takes the image's --flags too.
    const args = c.args.map((a: string) => a.replace(`127.0.0.1:${NGINX_STATUS_PORT}/`, `127.0.0.1:${status}/`).replace(/^--web\.listen-address=.*/, `--web.listen-address=127.0.0.1:${metricsPort}`));
    expect(args.filter((a: string, i: number) => a !== c.args[i])).toHaveLength(2);
    const proc = servers.start('prometheus-nginx-exporter', args);
    await waitFor(() => `nginx exporter: ${servers.log(proc)}`, () => get(metricsPort, '/').then((r) => r.status === 200));
    await request('GET', '/nuxeo/counted');
    const text = (await get(metricsPort, '/metrics')).body;
    expect(text).toMatch(/^nginx_up 1$/m);
    expect(Number(/^nginx_http_requests_total (\S+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(1);
    // The status page is not on the port the load balancer reaches: there it is proxied to Nuxeo.
    seen = [];
    await request('GET', '/stub_status');
    expect(seen.map((x) => x.url)).toEqual(['/stub_status']);
  });

  test('forwards to Nuxeo with the headers it needs to build its URLs', async () => {
    const r = await request('GET', '/nuxeo/ui/?a=1', { headers: { 'Host': 'nuxeo.example.com', 'X-Forwarded-Proto': 'https' } });
    expect(r.status).toBe(200);
    expect(seen).toHaveLength(1);
    const h = seen[0].headers;
    expect(seen[0].url).toBe('/nuxeo/ui/?a=1');
    expect(h.host).toBe('nuxeo.example.com');
    expect(h['x-forwarded-proto']).toBe('https');
    expect(h['x-forwarded-host']).toBe('nuxeo.example.com');
    expect(h['x-forwarded-for']).toBe('127.0.0.1');
    expect(h['x-real-ip']).toBe('127.0.0.1');
    expect(h['nuxeo-virtual-host']).toBe('https://nuxeo.example.com/');
  });

  test('without a load balancer in front, the scheme is the proxy\'s own', async () => {
    await request('GET', '/nuxeo/', { headers: { Host: 'direct.example.com' } });
    expect(seen[0].headers['x-forwarded-proto']).toBe('http');
    expect(seen[0].headers['nuxeo-virtual-host']).toBe('http://direct.example.com/');
  });

  test('accepts an upload of exactly the configured limit and streams all of it to Nuxeo', async () => {
    const limit = 8 * 1024 * 1024;
    const r = await request('POST', '/nuxeo/api/v1/upload/', { headers: { 'Content-Length': limit }, bodyBytes: limit });
    expect(r.status).toBe(200);
    expect(seen[0].bytes).toBe(limit);
  });

  test('rejects an upload above the limit with 413, before it reaches Nuxeo', async () => {
    // Raw request: the headers announce one byte too many; nginx must answer without the body.
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(listen, '127.0.0.1', () => {
        socket.write(`POST /nuxeo/api/v1/upload/ HTTP/1.1\r\nHost: nuxeo.example.com\r\nContent-Length: ${8 * 1024 * 1024 + 1}\r\n\r\n`);
      });
      let data = '';
      socket.on('data', (c) => {
        data += c;
        if (data.includes('\r\n')) {
          socket.destroy();
          resolve(data);
        }
      });
      socket.on('error', reject);
    });
    expect(reply.split('\r\n')[0]).toBe('HTTP/1.1 413 Request Entity Too Large');
    expect(seen).toHaveLength(0);
  });
});
