/**
 * examples/ci/gitlab-ci-plan.yml run as written by a real runner: gitlab-ci-local (the npm
 * package, firecow/gitlab-ci-local) with its shell executor, included from a .gitlab-ci.yml as the
 * recipe says, in a throw-away copy of this project checked out as GitLab's runner does for a
 * merge request (a fresh folder, `origin` configured, the source commit detached, the target
 * branch not fetched). The GitLab server is NOT real: CI_API_V4_URL points at a local listener
 * that records the requests, which are checked against GitLab's Notes API documentation
 * (doc/api/notes.md: list, create and modify merge request notes; PRIVATE-TOKEN authentication).
 */
import * as fs from 'fs';
import * as path from 'path';
import { ApiRecorder, baseEnv, git, gitlabCiLocal, MARKER, PullRequest, recipeFixture, run } from './runners';

const JOB = 'nuxeo-plan';
let pr: PullRequest;
let api: ApiRecorder;
let bin: string;
let port: number;

beforeAll(async () => {
  ({ bin, pr, api, port } = await recipeFixture(gitlabCiLocal));
}, 300000);
afterAll(async () => {
  await api?.stop();
  pr?.remove();
});

/** A merge-request checkout of the branch's head, with the recipe included from .gitlab-ci.yml. */
function checkout(name: string): string {
  const ws = pr.workspace(name);
  git(ws, 'init', '-q');
  git(ws, 'remote', 'add', 'origin', pr.origin);
  git(ws, 'fetch', '-q', 'origin', 'feature');
  git(ws, 'checkout', '-q', '--detach', 'FETCH_HEAD');
  expect(git(ws, 'branch', '-r')).not.toContain('origin/main'); // the job must fetch its target
  fs.writeFileSync(path.join(ws, '.gitlab-ci.yml'), 'include:\n  - local: examples/ci/gitlab-ci-plan.yml\n');
  fs.appendFileSync(path.join(ws, '.git', 'info', 'exclude'), '/.gitlab-ci.yml\n/.gitlab-ci-local/\n');
  return ws;
}

const mergeRequest = [
  'CI_PIPELINE_SOURCE=merge_request_event', 'CI_MERGE_REQUEST_IID=7', 'CI_MERGE_REQUEST_TARGET_BRANCH_NAME=main',
  'CI_PROJECT_ID=4242', 'PLAN_BOT_TOKEN=glpat-test',
].flatMap((v) => ['--variable', v]);

function job(ws: string) {
  const args = ['--force-shell-executor', '--home', path.join(ws, '..', 'gcl-home'), '--variable', `CI_API_V4_URL=http://127.0.0.1:${port}/api/v4`, ...mergeRequest, JOB];
  return run(bin, args, ws, baseEnv({}));
}

const notes = '/api/v4/projects/4242/merge_requests/7/notes';

test('the job runs only in merge request pipelines (its rules)', async () => {
  const ws = checkout('rules');
  const home = ['--home', path.join(pr.dir, 'gcl-home')];
  const push = await run(bin, ['--list-json', ...home], ws, baseEnv({}));
  const mr = await run(bin, ['--list-json', ...home, '--variable', 'CI_PIPELINE_SOURCE=merge_request_event'], ws, baseEnv({}));
  const jobs = (r: { out: string }) => JSON.parse(r.out.slice(r.out.indexOf('\n[') + 1)).map((j: { name: string; when: string }) => [j.name, j.when]);
  expect([push.code, mr.code]).toEqual([0, 0]);
  expect(jobs(push)).toEqual([[JOB, 'never']]);
  expect(jobs(mr)).toEqual([[JOB, 'on_success']]);
}, 60000);

test('fails when the committed dist/ is stale, naming the files, and posts nothing', async () => {
  const r = await job(checkout('stale'));
  expect(r.code).not.toBe(0);
  expect(r.out).toContain(`${JOB} > dist/ is stale: run 'npm run synth' and commit the result`);
  expect(r.out).toContain(`${JOB} >  M dist/sidecar-redis/40-nuxeo.k8s.yaml`);
  expect(r.out).not.toContain('npm run --silent plan');
  expect(api.requests).toEqual([]);
  console.log(`gitlab-ci-local, stale dist/: ${r.seconds} s`);
}, 300000);

describe('with a fresh dist/', () => {
  let expected: string;
  beforeAll(() => (expected = pr.pushFresh()));

  test('passes, keeps plan.md and plan.json as artifacts, and posts the plan as a new note', async () => {
    const ws = checkout('fresh');
    const r = await job(ws);
    expect(r.out).toContain(`${JOB} > posted the plan note on merge request !7`);
    expect(r.code).toBe(0);
    expect(expected.startsWith(`${MARKER}\n**Safe to apply**: 1 scales`)).toBe(true);
    const artifacts = path.join(ws, '.gitlab-ci-local', 'artifacts', JOB);
    expect(fs.readFileSync(path.join(artifacts, 'plan.md'), 'utf8')).toBe(expected);
    expect(JSON.parse(fs.readFileSync(path.join(artifacts, 'plan.json'), 'utf8'))).toMatchObject({ version: 1 });
    // Notes API: GET /projects/:id/merge_requests/:merge_request_iid/notes (sort, page, per_page),
    // then POST the same path with the note's `body`; the token in the PRIVATE-TOKEN header.
    expect(api.requests.map((q) => [q.method, q.path, q.body])).toEqual([
      ['GET', `${notes}?per_page=100&page=1&sort=asc`, undefined],
      ['POST', notes, { body: expected }],
    ]);
    for (const q of api.requests) expect(q.headers['private-token']).toBe('glpat-test');
    expect(api.requests[1].headers['content-type']).toBe('application/json');
    console.log(`gitlab-ci-local, fresh dist/, note posted: ${r.seconds} s`);
  }, 300000);

  test('on the next pipeline, updates that note instead of adding one', async () => {
    api.requests.length = 0;
    const r = await job(checkout('again'));
    expect(r.out).toContain(`${JOB} > updated the plan note on merge request !7`);
    expect(r.code).toBe(0);
    // PUT /projects/:id/merge_requests/:merge_request_iid/notes/:note_id with the new `body`.
    expect(api.requests.map((q) => [q.method, q.path, q.body])).toEqual([
      ['GET', `${notes}?per_page=100&page=1&sort=asc`, undefined],
      ['PUT', `${notes}/2`, { body: expected }],
    ]);
    expect(api.comments).toEqual([{ id: 1, body: 'an unrelated comment' }, { id: 2, body: expected }]);
  }, 300000);
});
