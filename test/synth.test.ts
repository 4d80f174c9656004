/** The GitOps workflow: safe synth, clear errors, fresh committed output. */
import { spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { listEnvironmentFiles } from '../app/load';
import { main, synthesize, SUMMARY_FILE } from '../app/synth';
import { ROOT } from './helpers';

/** path -> sha256 of every file under dir: "byte-identical" made checkable. */
function fingerprint(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = createHash('sha256').update(fs.readFileSync(p)).digest('hex');
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

function run(argv: string[], cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, cwd);
  return { code, out, err };
}

let work: string;
beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-'));
  fs.cpSync(path.join(ROOT, 'environments'), path.join(work, 'environments'), { recursive: true });
});
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

describe('npm run synth', () => {
  test('the committed dist/ is what the code and environments produce (run `npm run synth` and commit)', () => {
    // Compared with the committed SUMMARY.md files, as `npm run synth` in this checkout would.
    synthesize({ envFiles: listEnvironmentFiles(path.join(ROOT, 'environments')), outDir: path.join(work, 'fresh'), prune: false, baselineDir: path.join(ROOT, 'dist') });
    expect(fingerprint(path.join(work, 'fresh'))).toEqual(fingerprint(path.join(ROOT, 'dist')));
  });

  test('synthesizes every environment into dist/<env>/ and states the limits as warnings', () => {
    const r = run([], work);
    expect(r.code).toBe(0);
    const names = listEnvironmentFiles(path.join(work, 'environments')).map((f) => path.basename(f, '.yaml'));
    expect(names).toEqual(expect.arrayContaining(['external-redis', 'sidecar-redis']));
    expect(fs.readdirSync(path.join(work, 'dist')).sort()).toEqual(names);
    expect(r.err.filter((l) => l.includes('Chronicle Queue is not distributed'))).toHaveLength(names.length);
    expect(r.err.some((l) => l.startsWith('warning: sidecar-redis: WorkManager queues are bounded by Redis memory: maxmemory 384Mi'))).toBe(true);
    // Said again, unchanged: one line per environment; --verbose prints them all again.
    const again = run([], work);
    expect(again.err.filter((l) => l.includes('Chronicle Queue is not distributed'))).toEqual([]);
    for (const name of names) {
      expect(again.err.filter((l) => l.startsWith(`warning: ${name}: `) && l.includes('standing limits and checks, unchanged (SUMMARY.md "Limits in force", "Check before applying")'))).toHaveLength(1);
    }
    const verbose = run(['--verbose'], work);
    expect(verbose.err.filter((l) => l.includes('Chronicle Queue is not distributed'))).toHaveLength(names.length);
    expect(verbose.err.some((l) => l.startsWith('warning: sidecar-redis: WorkManager queues are bounded by Redis memory: maxmemory 384Mi'))).toBe(true);
    // The Secrets to create, with placeholders: never a value.
    expect(r.out).toContain("  kubectl -n nuxeo-sidecar create secret generic nuxeo-redis --from-literal=password='<password>'");
    expect(r.out).toContain("  kubectl -n nuxeo-external create secret generic nuxeo-s3 --from-literal=access-key-id='<access-key-id>' --from-literal=secret-access-key='<secret-access-key>'");
  });

  test('a bad environment file fails the run and leaves dist/ byte-identical', () => {
    expect(run([], work).code).toBe(0);
    const before = fingerprint(path.join(work, 'dist'));
    // A valid change to one file and a broken second file: nothing may be written.
    fs.appendFileSync(path.join(work, 'environments', 'sidecar-redis.yaml'), 'priorityClass:\n  value: 5\n');
    fs.writeFileSync(path.join(work, 'environments', 'broken.yaml'), 'namespace: x\nnuxeo:\n  replicas: 1\n');
    const r = run([], work);
    expect(r.code).toBe(1);
    expect(fingerprint(path.join(work, 'dist'))).toEqual(before);
    // Paths as the user would type them, relative to the working directory.
    expect(r.err).toEqual([
      "error: environments/broken.yaml: nuxeo.replicas: must be at least 2: the seed's application cluster has two or more nodes",
      'error: environments/broken.yaml: loadBalancer: is required (a mapping)',
      'nothing written: dist/ is unchanged',
    ]);
    expect(fs.readdirSync(work).filter((f) => f.startsWith('.synth-staging'))).toEqual([]);
  });

  test('a secret in nuxeo.properties, a newline in a value, packages without a CLID: refused by field, dist/ byte-identical', () => {
    expect(run([], work).code).toBe(0);
    const before = fingerprint(path.join(work, 'dist'));
    const file = path.join(work, 'environments', 'sidecar-redis.yaml');
    const text = fs.readFileSync(file, 'utf8').replace('\nnuxeo:\n', '\nnuxeo:\n  packages: [nuxeo-web-ui]\n  properties:\n    nuxeo.db.password: hunter2\n    nuxeo.url: "https://a.example.com\\nnuxeo.db.host=evil"\n');
    fs.writeFileSync(file, text);
    const r = run([], work);
    expect(r.code).toBe(1);
    expect(fingerprint(path.join(work, 'dist'))).toEqual(before);
    expect(r.err.map((l) => l.replace('environments/sidecar-redis.yaml: ', ''))).toEqual([
      'error: nuxeo.properties.nuxeo.url: must be one line without control characters: a newline would add nuxeo.conf lines of its own',
      'error: nuxeo.properties.nuxeo.db.password: looks like a secret, and nuxeo.properties is written into a ConfigMap: move it to nuxeo.secretProperties ({name, key} of a Secret)',
      'error: secrets.nuxeoClid: is required: nuxeo-web-ui would be installed from Nuxeo Connect at every pod start, which needs the instance CLID. ' +
        'Better: build an image with the packages (docker/Dockerfile) and set nuxeo.packagesInImage: true',
      'nothing written: dist/ is unchanged',
    ]);
  });

  test('warns when a database or Redis image is outside Nuxeo LTS 2021\'s matrix or past its upstream end of life', () => {
    const file = path.join(work, 'environments', 'sidecar-redis.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('\ndatabase:\n', '\ndatabase:\n  image: postgres:13.22\n'));
    const r = run([], work);
    expect(r.code).toBe(0);
    // Judged at today's date (13 ended in 2025); the exact texts are tested in test/config/versions.test.ts.
    // An end of life is said in full; being outside the matrix is a standing fact, folded into one line.
    expect(r.err).toContainEqual('warning: sidecar-redis: database.image postgres:13.22: PostgreSQL 13 reached upstream end of life on 2025-11-13: no more security fixes. Move to a supported major.');
    expect(r.err.filter((l) => l.startsWith('warning: external-redis: ') && l.includes("2 images outside Nuxeo LTS 2021's compatibility matrix (database.image postgres:15.14, redis.image redis:7.4.6)"))).toHaveLength(1);
    const verbose = run(['--verbose'], work);
    expect(verbose.err.filter((l) => l.startsWith("warning: external-redis: database.image postgres:15.14: PostgreSQL 15 is outside Nuxeo LTS 2021's compatibility matrix"))).toHaveLength(1);
    // Calendar-dependent: never written into dist/.
    expect(fs.readFileSync(path.join(work, 'dist', 'sidecar-redis', 'SUMMARY.md'), 'utf8')).not.toContain('end of life');
  });

  const EXPECTED_RECREATION =
    'sidecar-redis: rejected by the API server: StatefulSet nuxeo (volumeClaimTemplates). Kubernetes refuses to update spec.volumeClaimTemplates of a StatefulSet ' +
    '(ValidateStatefulSetUpdate, pkg/apis/apps/validation). Deleting with --cascade=orphan keeps the pods and their volumes; the new StatefulSet adopts the pods its selector matches. ' +
    'Existing claims keep their size: grow each one (the StorageClass must allow volume expansion). ' +
    'Run: `kubectl -n nuxeo-sidecar delete statefulset nuxeo --cascade=orphan`; `kubectl apply -f dist/sidecar-redis/40-nuxeo.k8s.yaml`; ' +
    '`kubectl -n nuxeo-sidecar patch pvc data-nuxeo-0 -p \'{"spec":{"resources":{"requests":{"storage":"50Gi"}}}}\'`; ' +
    '`kubectl -n nuxeo-sidecar patch pvc data-nuxeo-1 -p \'{"spec":{"resources":{"requests":{"storage":"50Gi"}}}}\'`';
  const recreationWarnings = (r: { err: string[] }) => r.err.filter((l) => l.includes('rejected by the API server'));
  const raiseDataSize = () => {
    const file = path.join(work, 'environments', 'sidecar-redis.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('size: 20Gi            # per node', 'size: 50Gi            # per node'));
  };
  const summary = () => fs.readFileSync(path.join(work, 'dist', 'sidecar-redis', SUMMARY_FILE), 'utf8');
  const git = (...args: string[]) => spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: work, encoding: 'utf8' });

  test('warns, with the way out, when a change touches StatefulSet fields Kubernetes cannot update in place', () => {
    expect(run([], work).code).toBe(0);
    expect(recreationWarnings(run([], work))).toEqual([]);
    raiseDataSize();
    const changed = run([], work);
    expect(changed.code).toBe(0);
    expect(recreationWarnings(changed)).toEqual([`warning: ${EXPECTED_RECREATION}`]);
    expect(summary()).toContain(EXPECTED_RECREATION.slice('sidecar-redis: '.length));
  });

  test('in a git checkout, the warning lasts until the output is committed, and SUMMARY.md keeps the step after that', () => {
    expect(run([], work).code).toBe(0);
    expect(git('init', '-q').status).toBe(0);
    expect(git('add', '-A').status).toBe(0);
    expect(git('commit', '-q', '-m', 'first').status).toBe(0);
    raiseDataSize();
    for (let i = 0; i < 2; i++) expect(recreationWarnings(run([], work))).toEqual([`warning: ${EXPECTED_RECREATION}`]);
    const recorded = summary();
    expect(recorded).toContain('## Last change Kubernetes cannot apply in place');
    expect(recorded).toContain('delete statefulset nuxeo --cascade=orphan');
    expect(git('add', '-A').status).toBe(0);
    expect(git('commit', '-q', '-m', 'bigger volumes').status).toBe(0);
    // Committed: no more warning, and synthesizing again changes nothing (the record stays).
    expect(recreationWarnings(run([], work))).toEqual([]);
    expect(git('status', '--porcelain').stdout).toBe('');
    expect(summary()).toBe(recorded);
  });

  test('without git, the working tree is the reference: said once, then recorded in SUMMARY.md', () => {
    expect(run([], work).code).toBe(0);
    raiseDataSize();
    expect(recreationWarnings(run([], work))).toHaveLength(1);
    expect(recreationWarnings(run([], work))).toEqual([]);
    expect(summary()).toContain('delete statefulset nuxeo --cascade=orphan');
  });

  test('a new Secret is said in full, with its command, however many other warnings are folded; other changes are counted on one line', () => {
    expect(run([], work).code).toBe(0);
    const file = path.join(work, 'environments', 'sidecar-redis.yaml');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('imagePullSecrets: [nuxeo-registry]', 'imagePullSecrets: [nuxeo-registry, mirror-registry]'));
    const r = run([], work);
    expect(r.code).toBe(0);
    const secret = r.err.filter((l) => l.startsWith('warning: sidecar-redis: new Secret required: mirror-registry. '));
    expect(secret).toHaveLength(1);
    expect(secret[0]).toContain("Run: `kubectl -n nuxeo-sidecar create secret docker-registry mirror-registry --docker-server='<registry host>'");
    expect(r.err.filter((l) => l.startsWith('warning: sidecar-redis: against the committed output: ') && l.includes('rolls pods') && l.endsWith('(npm run plan for the table).'))).toHaveLength(1);
  });

  test('--env <file> --out <dir> writes <dir>/<env-name>/ only', () => {
    const r = run(['--env', 'environments/external-redis.yaml', '--out', 'elsewhere'], work);
    expect(r.code).toBe(0);
    expect(fs.readdirSync(path.join(work, 'elsewhere'))).toEqual(['external-redis']);
    expect(fs.readdirSync(path.join(work, 'elsewhere', 'external-redis')).sort()).toEqual([
      '00-namespace.k8s.yaml', '10-database.k8s.yaml', '20-elasticsearch.k8s.yaml', '30-redis.k8s.yaml', '40-nuxeo.k8s.yaml', '50-load-balancer.k8s.yaml', '60-monitoring.k8s.yaml', 'SUMMARY.md',
    ]);
  });

  test('a deleted environment loses its output folder, said on the output; folders we did not write are kept', () => {
    expect(run([], work).code).toBe(0);
    const before = fs.readdirSync(path.join(work, 'dist'));
    fs.mkdirSync(path.join(work, 'dist', 'hand-made'));
    fs.rmSync(path.join(work, 'environments', 'external-redis.yaml'));
    const r = run([], work);
    expect(r.code).toBe(0);
    expect(r.out).toContain('pruned dist/external-redis/ (its environment file is gone)');
    expect(fs.readdirSync(path.join(work, 'dist')).sort()).toEqual([...before.filter((d) => d !== 'external-redis'), 'hand-made'].sort());
  });

  test('a renamed environment file (same Namespace) is not pruned without --prune', () => {
    expect(run([], work).code).toBe(0);
    fs.renameSync(path.join(work, 'environments', 'sidecar-redis.yaml'), path.join(work, 'environments', 'prod-eu.yaml'));
    const before = fingerprint(path.join(work, 'dist'));
    const refused = run([], work);
    expect(refused.code).toBe(1);
    expect(refused.err[0]).toBe('error: dist/sidecar-redis/: its environment file is gone and its Namespace nuxeo-sidecar is now deployed by prod-eu/ (a rename?). ' +
      'Removing it makes Argo CD / Flux with pruning delete that Namespace and everything in it (volumes included). Re-run with --prune once the GitOps side is ready (README "Renaming an environment").');
    expect(fingerprint(path.join(work, 'dist'))).toEqual(before);
    const forced = run(['--prune'], work);
    expect(forced.code).toBe(0);
    expect(forced.out).toContain('pruned dist/sidecar-redis/ (its environment file is gone)');
    expect(fs.existsSync(path.join(work, 'dist', 'prod-eu', SUMMARY_FILE))).toBe(true);
    expect(fs.existsSync(path.join(work, 'dist', 'sidecar-redis'))).toBe(false);
  });

  test('--help explains the options', () => {
    const r = run(['--help'], work);
    expect(r.code).toBe(0);
    for (const option of ['--env <file.yaml>', '--out <dir>', '--prune', '--verbose', '--help']) expect(r.out.join('\n')).toContain(option);
    expect(fs.existsSync(path.join(work, 'dist'))).toBe(false);
  });

  test('usage errors are reported without a stack trace', () => {
    expect(run(['--env'], work)).toMatchObject({ code: 2, err: [expect.stringContaining('error: --env needs a value')] });
    expect(run(['--bogus'], work)).toMatchObject({ code: 2, err: [expect.stringContaining("error: unknown argument '--bogus'")] });
  });
});

describe('npx cdk8s synth', () => {
  let project: string;
  beforeAll(() => {
    // A copy of the project (sources, config, environments) sharing node_modules.
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-cli-'));
    for (const f of ['cdk8s.yaml', 'main.ts', 'package.json', 'package-lock.json', 'lib', 'app', 'imports', 'scripts', 'environments', 'dist']) {
      fs.cpSync(path.join(ROOT, f), path.join(project, f), { recursive: true });
    }
    // dist/ is copied as the reference to compare with (its SUMMARY.md); a stale manifest must be rewritten.
    for (const env of fs.readdirSync(path.join(project, 'dist'))) fs.writeFileSync(path.join(project, 'dist', env, '40-nuxeo.k8s.yaml'), 'stale\n');
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(project, 'node_modules'));
  });
  afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

  // CDK8S_CHECK_UPGRADE=false, as the README says: the CLI's upgrade check needs the network.
  const cli = () => spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'synth'], { cwd: project, encoding: 'utf8', env: { ...process.env, CDK8S_CHECK_UPGRADE: 'false' } });

  test('runs the safe pipeline: dist/ is written and the CLI lists the manifests', () => {
    const r = cli();
    expect(r.status).toBe(0);
    expect(r.stderr.split('\n').filter((l) => l && !l.startsWith('warning: '))).toEqual([]);
    expect(fingerprint(path.join(project, 'dist'))).toEqual(fingerprint(path.join(ROOT, 'dist')));
    expect(r.stdout).toContain('sidecar-redis/40-nuxeo.k8s.yaml');
  });

  test('a bad environment makes it fail without touching dist/', () => {
    const before = fingerprint(path.join(project, 'dist'));
    expect(Object.keys(before).length).toBeGreaterThan(0);
    fs.writeFileSync(path.join(project, 'environments', 'typo.yaml'), 'namespace: x\nredis:\n  mode: sentinel\n');
    const r = cli();
    fs.rmSync(path.join(project, 'environments', 'typo.yaml'));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("redis.mode: must be 'sidecar'");
    expect(fingerprint(path.join(project, 'dist'))).toEqual(before);
  });

  test('is precompiled: a changed source is rebuilt before it runs, whatever its mtime', () => {
    const stamp = path.join(project, '.build', '.stamp');
    const before = fs.readFileSync(stamp, 'utf8');
    const file = path.join(project, 'app', 'warnings.ts');
    const { mtime } = fs.statSync(file);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('Chronicle Queue is not distributed', 'Chronicle Queue (edited) is not distributed'));
    fs.utimesSync(file, mtime, new Date(0)); // an old mtime must not hide the change
    const out = spawnSync(process.execPath, ['scripts/synth.js', '--out', 'again'], { cwd: project, encoding: 'utf8' });
    expect(out.status).toBe(0);
    expect(out.stderr).toContain('Chronicle Queue (edited) is not distributed');
    expect(fs.readFileSync(stamp, 'utf8')).not.toBe(before);
  });
});
