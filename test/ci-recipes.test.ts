/**
 * The CI recipes of examples/ci/: valid against the JSON schemas their editors and linters use
 * (SchemaStore's github-workflows.json and GitLab's gitlab-ci.json, as vendored by the PyPI
 * package check-jsonschema 0.39.0, fetched once into the build cache), and the GitLab note
 * poster's requests, checked against a local stub of the Notes API (not GitLab itself).
 */
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { ROOT } from './helpers';

const VERSION = '0.39.0';
const CACHE = `/var/cache/nuxeo-compact-k8s/check-jsonschema-${VERSION}`;
const CI = path.join(ROOT, 'examples', 'ci');

/** A vendored schema of check-jsonschema, from its wheel (pip downloads it once into CACHE). */
function vendoredSchema(name: string): object {
  fs.mkdirSync(CACHE, { recursive: true });
  if (!fs.readdirSync(CACHE).some((f) => f.endsWith('.whl'))) {
    execFileSync('pip', ['download', `check-jsonschema==${VERSION}`, '--no-deps', '--quiet', '-d', CACHE], { stdio: 'inherit' });
  }
  const wheel = path.join(CACHE, fs.readdirSync(CACHE).find((f) => f.endsWith('.whl'))!);
  const text = execFileSync('python3', ['-c', 'import sys, zipfile; sys.stdout.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())', wheel, `check_jsonschema/builtin_schemas/vendor/${name}.json`], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(text);
}

function validator(name: string) {
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  return ajv.compile(vendoredSchema(name));
}

describe('CI recipes validate against their published schemas', () => {
  test('the GitHub Actions workflow (SchemaStore github-workflows.json)', () => {
    const validate = validator('github-workflows');
    const workflow = parse(fs.readFileSync(path.join(CI, 'github-actions-plan.yml'), 'utf8'));
    expect(validate(workflow) ? [] : validate.errors).toEqual([]);
    // The schema bites: a job without runs-on is refused.
    const broken = structuredClone(workflow);
    delete broken.jobs.plan['runs-on'];
    expect(validate(broken)).toBe(false);
  }, 120000); // the first run downloads the wheel; compiling the schemas takes seconds on a busy machine

  test('the GitLab CI job (gitlab-ci.json)', () => {
    const validate = validator('gitlab-ci');
    const pipeline = parse(fs.readFileSync(path.join(CI, 'gitlab-ci-plan.yml'), 'utf8'));
    expect(validate(pipeline) ? [] : validate.errors).toEqual([]);
    const broken = structuredClone(pipeline);
    broken['nuxeo-plan'].rules = [{ if: '$X', when: 'sometimes' }];
    expect(validate(broken)).toBe(false);
  }, 120000);

  test('both run synth, fail on a stale dist/, and plan against the target branch', () => {
    for (const file of ['github-actions-plan.yml', 'gitlab-ci-plan.yml']) {
      const text = fs.readFileSync(path.join(CI, file), 'utf8');
      expect(text).toContain('npm run synth');
      expect(text).toContain('git status --porcelain -- dist');
      expect(text).toMatch(/npm run --silent plan -- --base "(\$BASE|origin\/\$CI_MERGE_REQUEST_TARGET_BRANCH_NAME)" > plan\.md/);
    }
  });
});

describe('examples/ci/gitlab-note.mjs (against a local stub of the Notes API)', () => {
  let server: http.Server;
  let url: string;
  const notes: { id: number; body: string }[] = [{ id: 1, body: 'an unrelated note' }];
  const requests: string[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => {
        requests.push(`${req.method} ${req.url} ${req.headers['private-token']}`);
        const body = data ? JSON.parse(data).body : undefined;
        const id = Number(/notes\/(\d+)/.exec(req.url ?? '')?.[1]);
        if (req.method === 'POST') notes.push({ id: notes.length + 1, body });
        if (req.method === 'PUT') notes.find((n) => n.id === id)!.body = body;
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(req.method === 'GET' ? notes : {}));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as any).port}/api/v4`;
  });
  afterAll(() => server.close());

  const post = (text: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'note-'));
    fs.writeFileSync(path.join(dir, 'plan.md'), text);
    const child = spawn(process.execPath, [path.join(CI, 'gitlab-note.mjs'), path.join(dir, 'plan.md')], {
      env: { ...process.env, CI_API_V4_URL: url, CI_PROJECT_ID: 'group/repo', CI_MERGE_REQUEST_IID: '7', PLAN_BOT_TOKEN: 'tkn' },
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    return new Promise<{ code: number | null; out: string }>((r) => child.on('close', (code) => r({ code, out })));
  };

  test('posts the plan once, then updates that note', async () => {
    expect(await post('<!-- nuxeo-compact-k8s plan -->\nfirst\n')).toEqual({ code: 0, out: 'posted the plan note on merge request !7\n' });
    expect(await post('<!-- nuxeo-compact-k8s plan -->\nsecond\n')).toEqual({ code: 0, out: 'updated the plan note on merge request !7\n' });
    expect(notes).toEqual([{ id: 1, body: 'an unrelated note' }, { id: 2, body: '<!-- nuxeo-compact-k8s plan -->\nsecond\n' }]);
    expect(requests).toEqual([
      'GET /api/v4/projects/group%2Frepo/merge_requests/7/notes?per_page=100&page=1&sort=asc tkn',
      'POST /api/v4/projects/group%2Frepo/merge_requests/7/notes tkn',
      'GET /api/v4/projects/group%2Frepo/merge_requests/7/notes?per_page=100&page=1&sort=asc tkn',
      'PUT /api/v4/projects/group%2Frepo/merge_requests/7/notes/2 tkn',
    ]);
  }, 60000); // two node processes
});
