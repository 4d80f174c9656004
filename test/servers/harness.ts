/**
 * Real servers for the configuration tests: started on 127.0.0.1, on free ports, in temporary
 * folders, each in its own process group so that stopping it also stops what it spawned. Every
 * process and folder is released in afterAll, also when a test fails.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export async function waitFor<T>(what: string | (() => string), probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}${last ? `: ${last}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Owns the processes and folders of one test file. */
export class Servers {
  private readonly procs: ChildProcess[] = [];
  private readonly dirs: string[] = [];
  private readonly logs = new Map<ChildProcess, string>();
  private logDir?: string;

  tmpdir(prefix: string, owner?: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
    this.dirs.push(dir);
    if (owner) chownTo(dir, owner);
    return dir;
  }

  /** Starts a command; `user` runs it as that account when the tests run as root. */
  start(command: string, args: string[], opts: { env?: Record<string, string>; cwd?: string; user?: string } = {}): ChildProcess {
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...opts.env };
    const asUser = opts.user && process.getuid?.() === 0;
    const [cmd, argv] = asUser
      ? ['runuser', ['-u', opts.user!, '--', 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), command, ...args]]
      : [command, args];
    // Output goes to a file, not a pipe: servers that open /dev/stdout (nginx's access_log)
    // cannot open a socket, which is what Node's pipes are.
    this.logDir ??= this.tmpdir('logs');
    const logFile = path.join(this.logDir, `${path.basename(command)}-${this.procs.length}.log`);
    const fd = fs.openSync(logFile, 'a');
    const child = spawn(cmd, argv, { cwd: opts.cwd, env, detached: true, stdio: ['ignore', fd, fd] });
    fs.closeSync(fd);
    this.logs.set(child, logFile);
    this.procs.push(child);
    return child;
  }

  /** What the process printed so far (tail). */
  log(child: ChildProcess): string {
    const file = this.logs.get(child);
    return file && fs.existsSync(file) ? fs.readFileSync(file, 'utf8').slice(-20000) : '';
  }

  /** Stops one process group and waits for it to exit. */
  async stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    try {
      process.kill(-child.pid!, signal);
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, 10000);
    await exited;
    clearTimeout(timer);
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.procs.map((p) => this.stop(p)));
    for (const d of this.dirs) fs.rmSync(d, { recursive: true, force: true });
  }
}

export function chownTo(target: string, user: string): void {
  if (process.getuid?.() !== 0) return;
  execFileSync('chown', ['-R', `${user}:${user}`, target]);
}

/** The server binaries of the Debian PostgreSQL package (not on PATH). */
export function postgresBinDir(): string {
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base) ? fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, 'bin', 'initdb'))) : [];
  if (!versions.length) throw new Error('PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin: install the postgresql package (see .ci/run)');
  return path.join(base, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

/** Writes files into a folder, returning the folder. */
export function writeFiles(dir: string, files: Record<string, string>, mode = 0o644): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text, { mode });
  return dir;
}

/**
 * Runs a command to completion and returns its combined output; throws with it on failure.
 * Output goes through a file for the same reason as in Servers.start.
 */
export function run(command: string, args: string[], env: Record<string, string> = {}): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'run-')), 'out');
  const fd = fs.openSync(file, 'w');
  try {
    const r = spawnSync(command, args, { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', fd, fd] });
    const out = fs.readFileSync(file, 'utf8');
    if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status ?? r.signal}:\n${out}`);
    return out;
  } finally {
    fs.closeSync(fd);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}
