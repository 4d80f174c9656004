/**
 * The snapshot registration script of the `elasticsearch-snapshots` ConfigMap, run as the
 * CronJob runs it, against a stub Elasticsearch on loopback (no Elasticsearch can run here): it
 * waits for the cluster, registers the shared-filesystem repository and the SLM policy with the
 * environment's schedule and retention, is idempotent, and fails loudly when Elasticsearch refuses.
 */
import { execFile } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { allManifests, find, shippedEnvironments } from '../helpers';
import { Servers } from './harness';

const servers = new Servers();
afterAll(() => servers.stopAll());

interface Seen { method: string; url: string; body: string }

/** A stub answering like Elasticsearch 7.17: health turns yellow after `redBefore` calls; `refuse` makes a path answer 500. */
function stubElasticsearch(opts: { redBefore?: number; refuse?: string } = {}) {
  const seen: Seen[] = [];
  let healthCalls = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, body });
      if (req.url!.startsWith('/_cluster/health')) {
        healthCalls++;
        const ready = healthCalls > (opts.redBefore ?? 0);
        res.writeHead(ready ? 200 : 408, { 'content-type': 'application/json' }).end(JSON.stringify({ status: ready ? 'yellow' : 'red', timed_out: !ready }));
      } else if (opts.refuse && req.url!.startsWith(opts.refuse)) {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"type":"repository_exception","reason":"location is not registered in path.repo"},"status":500}');
      } else if (req.method === 'PUT') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"acknowledged":true}');
      } else {
        res.writeHead(404).end();
      }
    });
  });
  return new Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }>((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as any).port;
      resolve({ url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((r) => server.close(() => r())) });
    }));
}

describe.each(shippedEnvironments().map((e) => [e.name, e] as const))('Elasticsearch snapshot registration (%s)', (_name, env) => {
  const manifests = allManifests(env);
  const script = find(manifests, 'ConfigMap', 'elasticsearch-snapshots').data!['register.sh'];
  const snap = env.spec.elasticsearch.snapshots;
  let dir: string;

  beforeAll(() => {
    dir = servers.tmpdir('es-snap');
    fs.writeFileSync(path.join(dir, 'register.sh'), script);
  });

  /** Runs the script asynchronously (the stub answers from this process's event loop). */
  const register = (url: string) =>
    new Promise<{ code: number; out: string }>((resolve) => {
      execFile('sh', [path.join(dir, 'register.sh')], { env: { PATH: process.env.PATH, ES_URL: url, RUN_DIR: dir }, timeout: 60000 }, (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: stdout + stderr }));
    });

  test('waits for the cluster, then registers the shared-filesystem repository at path.repo and the SLM policy with the environment retention', async () => {
    const es = await stubElasticsearch({ redBefore: 1 });
    try {
      const r = await register(es.url);
      expect(r.code).toBe(0);
      expect(r.out).toContain('waiting for Elasticsearch');
      // Red first, yellow on the second try; only then the PUTs.
      expect(es.seen.map((s) => `${s.method} ${s.url.split('?')[0]}`)).toEqual(['GET /_cluster/health', 'GET /_cluster/health', 'PUT /_snapshot/nuxeo-backups', 'PUT /_slm/policy/nuxeo-daily']);
      const puts = es.seen.filter((s) => s.method === 'PUT');
      const repo = JSON.parse(puts[0].body);
      const yml = find(manifests, 'ConfigMap', 'elasticsearch').data!['elasticsearch.yml'];
      expect(repo).toEqual({ type: 'fs', settings: { location: '/usr/share/elasticsearch/snapshots', compress: true } });
      expect(yml).toContain(`path.repo: [ "${repo.settings.location}" ]`);
      const policy = JSON.parse(puts[1].body);
      expect(policy).toEqual({
        schedule: snap.schedule,
        name: '<nuxeo-daily-{now/d}>',
        repository: 'nuxeo-backups',
        config: { indices: ['*'], include_global_state: true },
        retention: { expire_after: snap.expireAfter, min_count: snap.minCount, max_count: snap.maxCount },
      });
    } finally {
      await es.close();
    }
  }, 30000);

  test('is idempotent: a second run sends the same requests and succeeds', async () => {
    const es = await stubElasticsearch();
    try {
      expect((await register(es.url)).code).toBe(0);
      const first = es.seen.map((s) => [s.method, s.url, s.body]);
      expect((await register(es.url)).code).toBe(0);
      expect(es.seen.map((s) => [s.method, s.url, s.body])).toEqual([...first, ...first]);
    } finally {
      await es.close();
    }
  });

  test('fails with the answer when Elasticsearch refuses the repository, and registers no policy', async () => {
    const es = await stubElasticsearch({ refuse: '/_snapshot/' });
    try {
      const r = await register(es.url);
      expect(r.code).not.toBe(0);
      expect(r.out).toContain('PUT /_snapshot/nuxeo-backups failed: HTTP 500');
      expect(r.out).toContain('location is not registered in path.repo');
      expect(es.seen.some((s) => s.url.startsWith('/_slm/'))).toBe(false);
    } finally {
      await es.close();
    }
  });
});
