/**
 * The newcomer's path, followed literally: in a copy of this repository (its files, a fresh git
 * history), the README's "Add your own environment" commands run verbatim — copy an example to
 * environments/prod-eu.yaml, edit it, synth, commit, `npm test` — under CI=true (where jest
 * refuses to write snapshots), next to the README's minimal file saved without the editor header.
 * Then nothing tracked may have changed: the tests hold for any set of environment files. The
 * nested `npm test` runs the test files that read the environments folder (jest.config.js,
 * NUXEO_COMPACT_NESTED): the outer run has run the others, which the added files cannot change.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readmeBlock, ROOT } from '../helpers';

jest.setTimeout(900000);

let copy: string;
const GIT_ENV = { GIT_AUTHOR_NAME: 'newcomer', GIT_AUTHOR_EMAIL: 'newcomer@example.com', GIT_COMMITTER_NAME: 'newcomer', GIT_COMMITTER_EMAIL: 'newcomer@example.com' };
const git = (...args: string[]) => execFileSync('git', args, { cwd: copy, encoding: 'utf8', env: { ...process.env, ...GIT_ENV } });

beforeAll(() => {
  copy = fs.mkdtempSync(path.join(os.tmpdir(), 'newcomer-'));
  fs.chmodSync(copy, 0o755); // as a clone is: the server tests run PostgreSQL as another account from here
  // The repository as a clone would have it: tracked files and new ones not ignored, as they are now.
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const f of files) {
    if (!fs.existsSync(path.join(ROOT, f))) continue;
    fs.mkdirSync(path.dirname(path.join(copy, f)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, f), path.join(copy, f));
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'));
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'clone');
});
afterAll(() => fs.rmSync(copy, { recursive: true, force: true }));

test('an added environments/prod-eu.yaml, made as the README says, passes npm test with nothing written into tracked files', () => {
  // A second file of the user's own: the README's minimal one, without the yaml-language-server header.
  const minimal = readmeBlock('<!-- The policy, schema and cross-reference tests run on this file');
  expect(minimal).not.toContain('yaml-language-server');
  fs.writeFileSync(path.join(copy, 'environments', 'prod-us.yaml'), minimal);

  const steps = readmeBlock('<!-- Run verbatim, in a copy of this repository, by test/newcomer/own-environment.test.ts.');
  const env: Record<string, string | undefined> = { ...process.env, ...GIT_ENV, CI: 'true', NUXEO_COMPACT_NESTED: '1' };
  delete env.JEST_WORKER_ID;
  const log = path.join(copy, '..', `${path.basename(copy)}.log`);
  const fd = fs.openSync(log, 'w');
  const r = spawnSync('bash', ['-euo', 'pipefail', '-c', steps], { cwd: copy, env, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  const output = fs.readFileSync(log, 'utf8');
  fs.rmSync(log);
  expect({ status: r.status, tail: r.status === 0 ? '' : output.slice(-20000) }).toEqual({ status: 0, tail: '' });

  // The nested run's selection: the policy sweep and the committed-dist/ check among the files it ran, the pod tests not.
  expect(output).toMatch(/^PASS +unit test\/policy\.test\.ts/m);
  expect(output).toMatch(/^PASS +unit test\/synth\.test\.ts/m);
  expect(output).toMatch(/^PASS +servers test\/servers\/nginx\.test\.ts/m);
  expect(output).not.toMatch(/test\/(pods|package)\//);
  expect(output).toContain('synthesized dist/prod-eu/');
  expect(output).toContain('synthesized dist/prod-us/');
  expect(output).not.toMatch(/snapshots? (written|obsolete)/i);
  expect(git('show', '--name-only', '--format=%s', 'HEAD').split('\n')).toEqual(expect.arrayContaining([
    'Add environment prod-eu', 'environments/prod-eu.yaml', 'environments/prod-us.yaml', 'dist/prod-eu/SUMMARY.md', 'dist/prod-us/40-nuxeo.k8s.yaml',
  ]));
  expect(fs.readFileSync(path.join(copy, 'dist', 'prod-eu', 'SUMMARY.md'), 'utf8')).toContain('Namespace `nuxeo-prod-eu`, host `nuxeo.eu.example.com` (TLS from Secret `nuxeo-prod-eu-tls`)');
  // npm test wrote nothing into tracked files (no snapshot, no output) and left nothing new behind.
  expect(git('status', '--porcelain')).toBe('');
});
