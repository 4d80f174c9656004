/**
 * The package as a user gets it: `npm pack`, installed into a scratch copy of examples/library
 * (its own package.json and tsconfig, dependencies from the npm cache), type-checked against the
 * packed declarations and synthesized.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { parseProperties } from '../../lib/nuxeo/nuxeo-conf';
import { NUXEO_CONF_FILE } from '../../lib/nuxeo/nuxeo';

const ROOT = path.join(__dirname, '..', '..');
const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } });

describe('the packed library in a standalone cdk8s app', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nuxeo-compact-k8s-pack-'));
  const app = path.join(work, 'app');
  let manifests: any[] = [];
  let tarball = '';

  beforeAll(() => {
    tarball = npm(['pack', '--silent', '--pack-destination', work], ROOT).trim().split('\n').pop()!;
    fs.cpSync(path.join(ROOT, 'examples', 'library'), app, { recursive: true, filter: (src) => !/(node_modules|build|dist)$/.test(src) });
    npm(['install', '--prefer-offline', path.join(work, tarball)], app);
    npm(['run', '-s', 'typecheck'], app);
    npm(['run', '-s', 'synth'], app);
    const dist = path.join(app, 'dist');
    manifests = fs.readdirSync(dist).sort().flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(dist, f), 'utf8')).map((d) => d.toJS()));
  }, 300_000);

  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('the tarball holds the compiled library with its declarations, not the sources or tests', () => {
    const files = execFileSync('tar', ['-tzf', path.join(work, tarball)], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(files).toContain('package/lib-dist/lib/index.js');
    expect(files).toContain('package/lib-dist/lib/index.d.ts');
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => /package\/(test|dist|environments)\//.test(f))).toEqual([]);
  });

  test('two architectures, each in its own namespace, with no duplicate kind/namespace/name', () => {
    const keys = manifests.map((m) => `${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    const namespaces = new Set(manifests.map((m) => m.metadata.namespace).filter(Boolean));
    expect([...namespaces].sort()).toEqual(['team-a', 'team-b']);
    expect(manifests.filter((m) => m.kind === 'Namespace').map((m) => m.metadata.name).sort()).toEqual(['team-a', 'team-b']);
  });

  test("team B's Nuxeo uses the managed database, and team B runs no PostgreSQL of its own", () => {
    const statefulSets = (ns: string) => manifests.filter((m) => m.kind === 'StatefulSet' && m.metadata.namespace === ns).map((m) => m.metadata.name).sort();
    expect(statefulSets('team-a')).toEqual(['elasticsearch', 'nuxeo', 'postgresql-primary', 'postgresql-replica']);
    expect(statefulSets('team-b')).toEqual(['elasticsearch', 'nuxeo', 'redis']);
    const conf = (ns: string) => parseProperties(manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.namespace === ns && m.metadata.name === 'nuxeo-conf').data[NUXEO_CONF_FILE]);
    expect(conf('team-b').get('nuxeo.db.host')).toBe('team-b.abcdefghij.eu-west-1.rds.amazonaws.com');
    expect(conf('team-a').get('nuxeo.db.host')).toBe('postgresql-rw.team-a.svc.cluster.local');
    expect(conf('team-b').get('elasticsearch.addressList')).toBe('http://elasticsearch.team-b.svc.cluster.local:9200');
  });
});
