/**
 * The acceptance case, in a throw-away git repository: a branch that changes the Nuxeo
 * volume class, a Nuxeo property and the replica count, planned against its merge base.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv2020 from 'ajv/dist/2020';
import { main } from '../../app/plan/cli';
import { PlanDocument } from '../../app/plan/render';
import { EXAMPLES, ROOT } from '../helpers';

let repo: string;
const git = (...args: string[]) => {
  const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: repo, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
};
function plan(argv: string[]) {
  let out = '';
  let err = '';
  const code = main(argv, { out: (t) => (out += t), err: (t) => (err += t) }, repo);
  return { code, out, err };
}

beforeAll(() => {
  repo = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-'));
  // The shipped examples only: a copy of the repository may hold more (the newcomer check adds some).
  for (const name of EXAMPLES) {
    fs.cpSync(path.join(ROOT, 'environments', `${name}.yaml`), path.join(repo, 'environments', `${name}.yaml`));
    fs.cpSync(path.join(ROOT, 'dist', name), path.join(repo, 'dist', name), { recursive: true });
  }
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'base');
  git('checkout', '-q', '-b', 'feature');
  const file = path.join(repo, 'environments', 'sidecar-redis.yaml');
  const text = fs.readFileSync(file, 'utf8');
  const changed = text.replace('nuxeo:\n  replicas: 2\n  data:\n', 'nuxeo:\n  replicas: 3\n  properties:\n    nuxeo.selection.selectAllEnabled: "true"\n  data:\n    storageClass: fast-ssd\n');
  expect(changed).not.toBe(text);
  fs.writeFileSync(file, changed);
});
afterAll(() => fs.rmSync(repo, { recursive: true, force: true }));

describe('npm run plan on a branch (volume class, Nuxeo property, replicas)', () => {
  test('prints, riskiest first, the rejected change with its commands, then "rolls pods: nuxeo", then "scales: nuxeo 2 → 3"', () => {
    const r = plan([]); // default base: the merge base with main
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[1]).toMatch(/^\*\*Action needed before applying\*\*: 1 rejected by the API server \(1 of 3 environments changed, against `[0-9a-f]{7,}`\)\.$/);
    const rejected = lines.findIndex((l) => l.startsWith('| rejected by the API server: StatefulSet nuxeo (volumeClaimTemplates)'));
    const rolls = lines.findIndex((l) => l.startsWith('| rolls pods: nuxeo |'));
    const scales = lines.findIndex((l) => l.startsWith('| scales: nuxeo 2 → 3 |'));
    expect(rejected).toBeGreaterThan(0);
    expect(rolls).toBeGreaterThan(rejected);
    expect(scales).toBeGreaterThan(rolls);
    expect(lines[rejected]).toContain('<br>`kubectl -n nuxeo-sidecar delete statefulset nuxeo --cascade=orphan`<br>`kubectl apply -f dist/sidecar-redis/40-nuxeo.k8s.yaml`');
    expect(lines[rejected]).toContain('`spec.volumeClaimTemplates[data].spec.storageClassName`');
    // The changed environment comes first; the others say so.
    expect(r.out.indexOf('### sidecar-redis')).toBeLessThan(r.out.indexOf('### cloudnativepg\n\nNo change.'));
  });

  test('--json is the versioned document, valid against schema/plan.schema.json, in the same order', () => {
    const r = plan(['--json', '--base', 'main']);
    expect(r.code).toBe(0);
    const doc: PlanDocument = JSON.parse(r.out);
    const validate = new Ajv2020({ allErrors: true }).compile(JSON.parse(fs.readFileSync(path.join(ROOT, 'schema', 'plan.schema.json'), 'utf8')));
    expect(validate.errors ?? validate(doc)).toBe(true);
    expect(doc.version).toBe(1);
    expect(doc.environments.map((e) => e.name)).toEqual(['sidecar-redis', 'cloudnativepg', 'external-redis']);
    const nuxeo = doc.environments[0].changes.filter((c) => c.kind === 'StatefulSet' && c.name === 'nuxeo');
    expect(nuxeo.map((c) => [c.effect, c.summary])).toEqual([
      ['rejected', 'rejected by the API server: StatefulSet nuxeo (volumeClaimTemplates)'],
      ['rolls-pods', 'rolls pods: nuxeo'],
      ['scales', 'scales: nuxeo 2 → 3'],
    ]);
    expect(nuxeo[0]).toMatchObject({ namespace: 'nuxeo-sidecar', fields: ['spec.volumeClaimTemplates[data].spec.storageClassName'] });
  });

  test('the schema rejects a document of another version or with an unknown effect', () => {
    const validate = new Ajv2020().compile(JSON.parse(fs.readFileSync(path.join(ROOT, 'schema', 'plan.schema.json'), 'utf8')));
    const change = { kind: 'StatefulSet', name: 'nuxeo', effect: 'explodes', summary: '', fields: [], reason: '', commands: [], dataAtStake: false };
    expect(validate({ version: 2, base: 'abc', environments: [] })).toBe(false);
    expect(validate({ version: 1, base: 'abc', environments: [{ name: 'x', namespace: 'x', changes: [change] }] })).toBe(false);
    expect(validate({ version: 1, base: 'abc', environments: [{ name: 'x', namespace: 'x', changes: [{ ...change, effect: 'scales' }] }] })).toBe(true);
  });

  test('usage errors and a bad revision are one line each, no stack trace', () => {
    expect(plan(['--base'])).toMatchObject({ code: 2, err: expect.stringContaining('error: --base needs a revision') });
    expect(plan(['--bogus'])).toMatchObject({ code: 2, err: expect.stringContaining("error: unknown argument '--bogus'") });
    const bad = plan(['--base', 'no-such-branch']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^error: .*no-such-branch/);
  });
});
