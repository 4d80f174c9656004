/**
 * The package as a cdk8s user gets it: `npm pack`, installed into an app made as
 * `cdk8s init typescript-app` makes one (cdk8s-cli's template tsconfig.json, copied unchanged, and
 * its `tsc --build`), with a main.ts of its own (test/package/init-app): a prefix, a managed
 * PostgreSQL and a patch to Nuxeo's ConfigMap. It must compile, synthesize, roll the pods on the
 * patch, and refuse and warn as the environment file does.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { validateEnvironment } from '../../app/load';
import { setupWarnings } from '../../app/setup-warnings';
import { parseProperties } from '../../lib/nuxeo/nuxeo-conf';
import { NUXEO_CONF_FILE } from '../../lib/nuxeo/nuxeo';

const ROOT = path.join(__dirname, '..', '..');
const TEMPLATE = path.join(ROOT, 'node_modules', 'cdk8s-cli', 'templates', 'typescript-app');
const quiet = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: quiet });

/** The environment file a user of the app would write for the same architecture. */
const FILE = { namespace: 'team-blue', loadBalancer: { host: 'nuxeo.example.com' }, database: { managed: { host: 'blue.abcdefghij.eu-west-1.rds.amazonaws.com', cidrs: ['10.42.0.0/16'] } } };

describe('the packed library in an app made like `cdk8s init typescript-app`', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nuxeo-compact-k8s-pack-'));
  const app = path.join(work, 'app');
  let tarball = '';
  const synth = (env: Record<string, string> = {}) => {
    fs.rmSync(path.join(app, 'dist'), { recursive: true, force: true });
    const r = spawnSync(process.execPath, ['main.js'], { cwd: app, encoding: 'utf8', env: { ...process.env, ...env } });
    const manifests = r.status === 0
      ? fs.readdirSync(path.join(app, 'dist')).sort().flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(app, 'dist', f), 'utf8')).map((d) => d.toJS()))
      : [];
    return { ...r, manifests };
  };
  const find = (ms: any[], kind: string, name: string) => ms.find((m) => m.kind === kind && m.metadata.name === name);
  const checksum = (ms: any[]) => find(ms, 'StatefulSet', 'blue-nuxeo').spec.template.metadata.annotations['nuxeo-compact-k8s/config-checksum'];

  beforeAll(() => {
    tarball = npm(['pack', '--silent', '--pack-destination', work], ROOT).trim().split('\n').pop()!;
    fs.mkdirSync(app);
    // The template's tsconfig, byte for byte; its package.json's compile script and typings.
    fs.copyFileSync(path.join(TEMPLATE, 'tsconfig.json'), path.join(app, 'tsconfig.json'));
    fs.copyFileSync(path.join(__dirname, 'init-app', 'main.ts'), path.join(app, 'main.ts'));
    // The repository's own example compiles under the same tsconfig too.
    fs.copyFileSync(path.join(ROOT, 'examples', 'library', 'main.ts'), path.join(app, 'example.ts'));
    const template = JSON.parse(fs.readFileSync(path.join(TEMPLATE, 'package.json'), 'utf8'));
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({
      name: 'init-app', version: '1.0.0', private: true, main: 'main.js',
      scripts: { compile: template.scripts.compile },
      devDependencies: { '@types/node': template.devDependencies['@types/node'], typescript: template.devDependencies.typescript },
    }, null, 2));
    // cdk8s, cdk8s-plus-27 and constructs come in as the tarball's peer dependencies.
    npm(['install', '--prefer-offline', path.join(work, tarball)], app);
  }, 300_000);

  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('the tarball holds the compiled library with its declarations, not the sources, the tests or the app', () => {
    const files = execFileSync('tar', ['-tzf', path.join(work, tarball)], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(files).toContain('package/lib-dist/lib/index.js');
    expect(files).toContain('package/lib-dist/lib/index.d.ts');
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => /package\/(lib-dist\/)?(test|dist|environments|app)\//.test(f))).toEqual([]);
  });

  test("compiles with the template's tsconfig unchanged (no esModuleInterop, no skipLibCheck): the declarations never import zod", () => {
    expect(fs.readFileSync(path.join(app, 'tsconfig.json'))).toEqual(fs.readFileSync(path.join(TEMPLATE, 'tsconfig.json')));
    const r = spawnSync('npm', ['run', '-s', 'compile'], { cwd: app, encoding: 'utf8', env: quiet });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
    const dist = path.join(app, 'node_modules', 'nuxeo-compact-k8s', 'lib-dist');
    const importing = execFileSync('grep', ['-rlE', `from 'zod'|import\\("zod"\\)`, dist, '--include=*.d.ts'], { encoding: 'utf8' }).trim();
    // Only declarations no public one reaches may import it: the tiers' settings schemas, their field builders, the parser and its formatter of problems.
    const settings = ['database', 'elasticsearch', 'k8s', 'load-balancer', 'nuxeo', 'redis'].map((tier) => `lib/${tier}/settings.d.ts`);
    expect(importing.split('\n').map((f) => path.relative(dist, f)).sort()).toEqual([...settings, 'lib/settings/fields.d.ts', 'lib/settings/problems.d.ts', 'lib/settings/props.d.ts']);
  }, 120_000);

  test('synthesizes the prefixed architecture on the managed PostgreSQL, and the ConfigMap patch changes the checksum', () => {
    const plain = synth();
    expect(plain.status).toBe(0);
    const ms = plain.manifests;
    expect(ms.filter((m) => m.kind === 'StatefulSet').map((m) => m.metadata.name).sort()).toEqual(['blue-elasticsearch', 'blue-nuxeo']);
    expect(new Set(ms.map((m) => m.metadata.namespace).filter(Boolean))).toEqual(new Set(['team-blue']));
    const conf = parseProperties(find(ms, 'ConfigMap', 'blue-nuxeo-conf').data[NUXEO_CONF_FILE]);
    expect(conf.get('nuxeo.db.host')).toBe('blue.abcdefghij.eu-west-1.rds.amazonaws.com');
    const patched = synth({ PATCH_CONF: '1' });
    expect(find(patched.manifests, 'ConfigMap', 'blue-nuxeo-conf').data['99-site.properties']).toContain('nuxeo.url=');
    expect(checksum(patched.manifests)).not.toBe(checksum(ms));
  });

  test('prints the warnings the environment file gets, and says monitoring is left out with the prefix', () => {
    const { spec } = validateEnvironment(FILE);
    const printed = synth().stderr.split('\n').filter((l) => l.startsWith('warning: ')).map((l) => l.slice('warning: '.length));
    expect(setupWarnings(spec!).length).toBeGreaterThan(0);
    expect(printed).toEqual(expect.arrayContaining(setupWarnings(spec!)));
    expect(printed).toContainEqual(expect.stringContaining("monitoring is left out with prefix 'blue'"));
  });

  test('refuses what the environment file refuses: 8 Nuxeo nodes overflow maxConnections, with the same message', () => {
    const fileProblems = validateEnvironment({ ...FILE, nuxeo: { replicas: 8 } }).problems;
    const rule = fileProblems.find((p) => p.startsWith('database.maxConnections: '));
    expect(rule).toBeDefined();
    const r = synth({ NUXEO_REPLICAS: '8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(rule!);
  });
});
