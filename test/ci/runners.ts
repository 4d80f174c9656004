/**
 * What the recipe runs (test/ci/*.test.ts) share: the two CI runners, cached by version, a
 * throw-away copy of this project with a pull-request branch, and a local HTTP listener that
 * records the API calls the recipes make and answers like the comment endpoints they use.
 * The listener is ours, not GitHub or GitLab: the requests are checked against their API docs.
 */
import { execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { main as plan } from '../../app/plan/cli';
import { main as synth } from '../../app/synth';
import { ROOT } from '../helpers';

export const CACHE = process.env.CI_TOOLS_CACHE ?? '/var/cache/nuxeo-compact-k8s';
/** The newest gitlab-ci-local that runs on Node 20 (4.74.0 and later call Set.prototype.union, Node 22). */
export const GITLAB_CI_LOCAL = '4.73.0';
export const MARKER = '<!-- nuxeo-compact-k8s plan -->';

/** gitlab-ci-local from the npm registry, installed once into the cache; returns its bin. */
export function gitlabCiLocal(): string {
  const dir = path.join(CACHE, `gitlab-ci-local-${GITLAB_CI_LOCAL}`);
  const bin = path.join(dir, 'node_modules', '.bin', 'gitlab-ci-local');
  if (!fs.existsSync(bin)) {
    fs.mkdirSync(dir, { recursive: true });
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', '--prefix', dir, `gitlab-ci-local@${GITLAB_CI_LOCAL}`], { stdio: 'inherit' });
  }
  return bin;
}

/** act, built from its Go module by test/ci/build-act.sh (once per version); returns its path. */
export function act(): string {
  return execFileSync('bash', [path.join(__dirname, 'build-act.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

export function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'advice.detachedHead=false', ...args], { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const quiet = { out: () => undefined, err: () => undefined };

/**
 * A copy of this project's tracked files (as in the working tree) committed on `main` of a bare
 * "origin", then a branch `feature` whose first commit changes the Nuxeo replicas of
 * sidecar-redis without re-running synth (dist/ stale), and whose second commits synth's output.
 */
export class PullRequest {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'recipes-'));
  readonly origin = path.join(this.dir, 'origin.git');
  private readonly author = path.join(this.dir, 'author');

  constructor() {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter((f) => f && fs.existsSync(path.join(ROOT, f)));
    for (const f of files) fs.cpSync(path.join(ROOT, f), path.join(this.author, f));
    git(this.dir, 'init', '-q', '--bare', '-b', 'main', this.origin);
    git(this.author, 'init', '-q', '-b', 'main');
    git(this.author, 'remote', 'add', 'origin', this.origin);
    expect(synth([], quiet, this.author)).toBe(0); // the base as its author would have committed it
    this.commit('base');
    git(this.author, 'checkout', '-q', '-b', 'feature');
  }

  private commit(message: string) {
    git(this.author, 'add', '-A');
    git(this.author, 'commit', '-q', '-m', message);
    git(this.author, 'push', '-q', 'origin', 'HEAD');
  }

  /** The branch's first commit: sidecar-redis gets 3 Nuxeo nodes, dist/ is not re-synthesized. */
  pushStale() {
    const file = path.join(this.author, 'environments', 'sidecar-redis.yaml');
    const text = fs.readFileSync(file, 'utf8');
    const changed = text.replace(/^nuxeo:\n  replicas: 2\n/m, 'nuxeo:\n  replicas: 3\n');
    expect(changed).not.toBe(text);
    fs.writeFileSync(file, changed);
    this.commit('sidecar-redis: 3 Nuxeo nodes');
  }

  /** The second commit: synth's output. Returns the plan (Markdown) of the branch against main. */
  pushFresh(): string {
    expect(synth([], quiet, this.author)).toBe(0);
    this.commit('npm run synth');
    let out = '';
    expect(plan(['--base', 'main'], { out: (t) => (out += t), err: () => undefined }, this.author)).toBe(0);
    return out;
  }

  /** A new, empty folder for one job's checkout. */
  workspace(name: string): string {
    const ws = path.join(this.dir, name);
    fs.mkdirSync(ws);
    return ws;
  }

  remove() {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export type Recorded = { method: string; host: string; path: string; headers: http.IncomingHttpHeaders; body: any };

/**
 * Records every request and keeps a list of comments: GET on a collection lists them, POST adds
 * one (201, with its id), PUT or PATCH on `.../<id>` replaces its body. Requests may come as to a
 * server (GitLab's CI_API_V4_URL) or as to an HTTP proxy (absolute URLs, gh's API host).
 */
export class ApiRecorder {
  readonly requests: Recorded[] = [];
  readonly comments: { id: number; body: string }[] = [{ id: 1, body: 'an unrelated comment' }];
  private server = http.createServer((req, res) => this.handle(req, res));

  async start(): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    return (this.server.address() as { port: number }).port;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
      const body = data ? JSON.parse(data) : undefined;
      this.requests.push({ method: req.method ?? '', host: url.host, path: url.pathname + url.search, headers: req.headers, body });
      const id = Number(/\/(\d+)$/.exec(url.pathname)?.[1]);
      let status = 200;
      let reply: unknown = this.comments;
      if (req.method === 'POST') {
        reply = { id: this.comments.length + 1, body: body.body };
        this.comments.push(reply as { id: number; body: string });
        status = 201;
      } else if (req.method === 'PUT' || req.method === 'PATCH') {
        const comment = this.comments.find((c) => c.id === id);
        if (comment) comment.body = body.body;
        reply = comment;
        status = comment ? 200 : 404;
      }
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(reply));
    });
  }
}

/** Runs a command to its end; resolves with its exit code and its output, stdout and stderr merged. */
export function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string; seconds: number }> {
  const start = Date.now();
  const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  return new Promise((r) => child.on('close', (code) => r({ code, out, seconds: (Date.now() - start) / 1000 })));
}

/** The environment a runner gets: this machine's PATH and HOME (npm's cache), nothing of jest's. */
export function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME ?? os.homedir(), LANG: 'C.UTF-8', ...extra };
}

/** How every recipe test starts: its runner built or installed, a pull request whose branch has a stale dist/, a recording API. */
export async function recipeFixture(runner: () => string): Promise<{ bin: string; pr: PullRequest; api: ApiRecorder; port: number }> {
  const bin = runner();
  const pr = new PullRequest();
  pr.pushStale();
  const api = new ApiRecorder();
  return { bin, pr, api, port: await api.start() };
}
