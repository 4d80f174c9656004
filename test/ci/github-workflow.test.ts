/**
 * examples/ci/github-actions-plan.yml run by a real runner: act (github.com/nektos/act, built by
 * test/ci/build-act.sh) with `-P ubuntu-latest=-self-hosted`, on this host, for a pull_request
 * event, in a clone of a throw-away copy of this project, the workflow copied to
 * .github/workflows/nuxeo-plan.yml as the recipe says.
 *
 * What does not run: actions are fetched from github.com, which is unreachable here, and act has
 * no offline source for them (`--action-offline-mode` reuses a cache we cannot fill;
 * `--local-repository` would need the actions' code, and a stand-in of ours would not be them). So
 * `actions/setup-node@v4` (this host's Node 20 stands in) and `actions/upload-artifact@v4` (the
 * plan.json upload) are taken out of the copy; everything else, every `run:` step with the env the
 * workflow sets and the expressions act evaluates, is the recipe's text. `actions/checkout@v4`
 * stays: act never runs it for the repository it is run in (it copies that working directory,
 * the full history, as `fetch-depth: 0` would give).
 *
 * GitHub is NOT real: gh goes to `GH_HOST=github.localhost` (gh's development host, plain HTTP,
 * authenticated with GH_TOKEN) through a local listener set as HTTP_PROXY, which records the
 * requests; they are checked against GitHub's REST API documentation (issue comments: list,
 * create, update).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseDocument, YAMLMap, YAMLSeq } from 'yaml';
import { ROOT } from '../helpers';
import { act, ApiRecorder, baseEnv, git, MARKER, PullRequest, recipeFixture, run } from './runners';

const RECIPE = path.join(ROOT, 'examples', 'ci', 'github-actions-plan.yml');
const NOT_RUN = ['actions/setup-node@v4', 'actions/upload-artifact@v4'];
let pr: PullRequest;
let api: ApiRecorder;
let bin: string;
let port: number;

beforeAll(async () => {
  ({ bin, pr, api, port } = await recipeFixture(act));
}, 600000); // the first run builds act (about 2 minutes)
afterAll(async () => {
  await api?.stop();
  pr?.remove();
});

/** The recipe without the steps that cannot run here (NOT_RUN); fails on any other `uses:`. */
function runnableWorkflow(): string {
  const doc = parseDocument(fs.readFileSync(RECIPE, 'utf8'));
  const steps = doc.getIn(['jobs', 'plan', 'steps']) as YAMLSeq<YAMLMap>;
  const uses = steps.items.map((s) => s.get('uses')).filter((u): u is string => typeof u === 'string');
  expect(uses).toEqual(['actions/checkout@v4', ...NOT_RUN]);
  steps.items = steps.items.filter((s) => !NOT_RUN.includes(s.get('uses') as string));
  return doc.toString();
}

/** A pull request's checkout: a full clone at the branch's head, with the workflow in place. */
function checkout(name: string): string {
  const ws = pr.workspace(name);
  git(ws, 'clone', '-q', pr.origin, '.');
  git(ws, 'checkout', '-q', '--detach', 'origin/feature');
  git(ws, 'branch', '-q', '-D', 'main'); // actions/checkout makes no local branch: the base is origin/<base_ref>
  fs.mkdirSync(path.join(ws, '.github', 'workflows'), { recursive: true });
  fs.writeFileSync(path.join(ws, '.github', 'workflows', 'nuxeo-plan.yml'), runnableWorkflow());
  fs.appendFileSync(path.join(ws, '.git', 'info', 'exclude'), '/.github/\n');
  return ws;
}

const event = { number: 7, pull_request: { number: 7, base: { ref: 'main' }, head: { ref: 'feature' } }, repository: { full_name: 'octo/nuxeo-apps' } };

function workflow(ws: string) {
  const file = path.join(ws, '..', 'event.json');
  fs.writeFileSync(file, JSON.stringify(event));
  const args = ['pull_request', '-e', file, '-P', 'ubuntu-latest=-self-hosted', '-s', 'GITHUB_TOKEN=ghs_test', '--env', 'GITHUB_REPOSITORY=octo/nuxeo-apps'];
  const env = baseEnv({ XDG_CACHE_HOME: path.join(ws, '..', 'act-cache'), GH_CONFIG_DIR: path.join(ws, '..', 'gh-config'), GH_HOST: 'github.localhost', HTTP_PROXY: `http://127.0.0.1:${port}` });
  return run(bin, args, ws, env);
}

const comments = '/repos/octo/nuxeo-apps/issues/7/comments';
/** REST API: `Authorization: token <token>` (or Bearer) on every request, JSON bodies. */
function expectAuthenticated() {
  for (const q of api.requests) {
    expect(q.host).toBe('api.github.localhost');
    expect(q.headers.authorization).toBe('token ghs_test');
    if (q.body !== undefined) expect(q.headers['content-type']).toMatch(/^application\/json/);
  }
}

test('fails when the committed dist/ is stale, naming the files, and posts nothing', async () => {
  const r = await workflow(checkout('stale'));
  expect(r.code).not.toBe(0);
  expect(r.out).toContain("::error::dist/ is stale: run 'npm run synth' and commit the result");
  expect(r.out).toContain('M dist/sidecar-redis/40-nuxeo.k8s.yaml');
  expect(r.out).toContain('❌  Failure - Main dist/ is what the environment files produce');
  expect(r.out).not.toContain('Plan against the base branch');
  expect(api.requests).toEqual([]);
  console.log(`act, stale dist/: ${r.seconds} s`);
}, 300000);

describe('with a fresh dist/', () => {
  let expected: string;
  beforeAll(() => (expected = pr.pushFresh()));

  test('passes, writes the plan to the job summary, and posts it as a new comment', async () => {
    const r = await workflow(checkout('fresh'));
    expect(r.code).toBe(0);
    for (const step of ['Main actions/checkout@v4', 'Main npm ci --no-audit --no-fund', 'Main dist/ is what the environment files produce', 'Main Plan against the base branch', 'Main Post or update the pull request comment']) {
      expect(r.out).toContain(`✅  Success - ${step}`);
    }
    expect(r.out).toContain(`⚙  Summary - ${MARKER}\n**Safe to apply**: 1 scales`);
    // GET /repos/{owner}/{repo}/issues/{issue_number}/comments, then POST there with `body`.
    expect(api.requests.map((q) => [q.method, q.path, q.body])).toEqual([
      ['GET', `${comments}?per_page=100`, undefined],
      ['POST', comments, { body: expected }],
    ]);
    expectAuthenticated();
    console.log(`act, fresh dist/, comment posted: ${r.seconds} s`);
  }, 300000);

  test('on the next push, updates that comment instead of adding one', async () => {
    api.requests.length = 0;
    const r = await workflow(checkout('again'));
    expect(r.code).toBe(0);
    // PATCH /repos/{owner}/{repo}/issues/comments/{comment_id} with the new `body`.
    expect(api.requests.map((q) => [q.method, q.path, q.body])).toEqual([
      ['GET', `${comments}?per_page=100`, undefined],
      ['PATCH', '/repos/octo/nuxeo-apps/issues/comments/2', { body: expected }],
    ]);
    expectAuthenticated();
    expect(api.comments).toEqual([{ id: 1, body: 'an unrelated comment' }, { id: 2, body: expected }]);
  }, 300000);
});
