/**
 * Harness for the tests against the real one-node cluster (`npm run cluster -- up`, see
 * docs/cluster.md): kubectl of the version built, apply with captured warnings, polling, a client
 * pod in any namespace, synth of an environment file into a temp folder, and the Secrets that
 * synth's printed checklist names, with the placeholders filled.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main as synthMain } from '../../app/synth';

const HERE = __dirname;
export const STATE = process.env.CLUSTER_STATE ?? '/var/lib/nuxeo-compact-k8s/cluster';
export const REGISTRY = `localhost:${process.env.CLUSTER_REGISTRY_PORT ?? '32500'}`;
/** The stand-in image (Debian's servers, curl, busybox) at the local registry, for client pods. */
export const CLIENT_IMAGE = `${REGISTRY}/nck8s/stand-in:latest`;

/** The admin kubeconfig and kubectl binary that `cluster.sh up` printed (same defaults). */
export function clusterPaths(): { kubeconfig: string; kubectl: string } {
  const dir = spawnSync('bash', [path.join(HERE, 'build.sh'), 'dir', 'kubernetes'], { encoding: 'utf8' }).stdout.trim();
  return {
    kubeconfig: process.env.KUBECONFIG ?? path.join(STATE, 'kubeconfig/admin.kubeconfig'),
    kubectl: process.env.KUBECTL ?? path.join(dir, 'kubectl'),
  };
}

export interface Run { code: number; stdout: string; stderr: string }

export interface KubectlOptions {
  /** Written to kubectl's stdin. */
  readonly input?: string;
  /** Return a non-zero exit instead of throwing. @default false */
  readonly allowFail?: boolean;
  /** Killed after this long. @default 120000 */
  readonly timeoutMs?: number;
}

let paths: { kubeconfig: string; kubectl: string } | undefined;

/** Runs kubectl against the test cluster; throws with its output on failure unless allowFail. */
export function kubectl(args: string[], opts: KubectlOptions = {}): Promise<Run> {
  paths ??= clusterPaths();
  const { kubeconfig, kubectl: bin } = paths;
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['--kubeconfig', kubeconfig, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const run = { code: code ?? (signal ? 128 : 1), stdout, stderr };
      if (run.code !== 0 && !opts.allowFail) reject(new Error(`kubectl ${args.join(' ')} exited ${run.code}:\n${stderr}${stdout}`));
      else resolve(run);
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** `Warning:` lines kubectl printed (admission warnings, deprecations). */
export function warnings(run: Run): string[] {
  return run.stderr.split('\n').filter((l) => /^Warning:/.test(l));
}

/** Server-side apply of files or folders (a folder applies in file-name order); returns the run. */
export function apply(files: string[], opts: KubectlOptions & { fieldManager?: string } = {}): Promise<Run> {
  return kubectl(['apply', '--server-side', `--field-manager=${opts.fieldManager ?? 'nuxeo-compact-k8s-test'}`, ...files.flatMap((f) => ['-f', f])], opts);
}

/** Server-side apply of YAML text. */
export function applyYaml(yaml: string, opts: KubectlOptions = {}): Promise<Run> {
  return kubectl(['apply', '--server-side', '--field-manager=nuxeo-compact-k8s-test', '-f', '-'], { ...opts, input: yaml });
}

/** `kubectl get -o json` of one object or list. */
export async function getJson(args: string[]): Promise<any> {
  return JSON.parse((await kubectl(['get', ...args, '-o', 'json'])).stdout);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `predicate` every second until it is true; throws naming `what` after `timeoutMs`. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const start = Date.now();
  let last: unknown;
  while (Date.now() - start < timeoutMs) {
    try {
      if (await predicate()) return Date.now() - start;
    } catch (e) {
      last = e;
    }
    await sleep(1000);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** A pod that runs `sleep` in `namespace` (restricted-compliant), Ready; exec commands in it. */
export async function clientPod(namespace: string, name: string, labels: Record<string, string> = {}): Promise<ClientPod> {
  const pod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace, labels: { 'nck8s/test-client': 'true', ...labels } },
    spec: {
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 1,
      securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{
        name: 'client', image: CLIENT_IMAGE, imagePullPolicy: 'IfNotPresent', command: ['sleep', 'infinity'],
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true },
      }],
    },
  };
  await applyYaml(JSON.stringify(pod));
  await kubectl(['-n', namespace, 'wait', '--for=condition=Ready', `pod/${name}`, '--timeout=120s'], { timeoutMs: 130000 });
  return new ClientPod(namespace, name);
}

export class ClientPod {
  constructor(readonly namespace: string, readonly name: string) {}

  /** Runs a command in the pod; never throws on its exit code. */
  exec(command: string[], timeoutMs = 60000): Promise<Run> {
    return kubectl(['-n', this.namespace, 'exec', this.name, '--', ...command], { allowFail: true, timeoutMs });
  }

  /** Runs a shell line in the pod. */
  sh(line: string, timeoutMs = 60000): Promise<Run> {
    return this.exec(['sh', '-c', line], timeoutMs);
  }
}

export interface Synthesized {
  /** Folder holding the environment's *.k8s.yaml and SUMMARY.md. */
  readonly dir: string;
  readonly namespace: string;
  /** Manifest files in name order (the order the README applies them in). */
  readonly files: string[];
  /** The `kubectl -n NS create secret ...` lines synth printed (placeholders unfilled). */
  readonly secretCommands: string[];
  /** synth's stderr lines (warnings). */
  readonly warnings: string[];
}

/** Runs synth (the CLI's own entry point) on one environment file into a temp folder. */
export function synthEnvironment(envFile: string): Synthesized {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-synth-'));
  const lines: string[] = [];
  const errors: string[] = [];
  const code = synthMain(['--env', envFile, '--out', out], { out: (l) => lines.push(l), err: (l) => errors.push(l) });
  if (code !== 0) throw new Error(`synth of ${envFile} exited ${code}:\n${errors.join('\n')}`);
  const name = path.basename(envFile).replace(/\.ya?ml$/, '');
  const dir = path.join(out, name);
  const secretCommands = lines.map((l) => l.trim()).filter((l) => /^kubectl -n \S+ create secret /.test(l));
  const namespace = /Namespace `([a-z0-9-]+)`/.exec(fs.readFileSync(path.join(dir, 'SUMMARY.md'), 'utf8'))?.[1];
  if (!namespace) throw new Error(`no namespace in ${dir}/SUMMARY.md`);
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.k8s.yaml')).sort().map((f) => path.join(dir, f));
  return { dir, namespace, files, secretCommands, warnings: errors };
}

/** Splits a command line of words and single-quoted strings (what createSecretCommand prints). */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  const re = /(?:[^\s']+|'[^']*')+/g;
  for (const m of line.match(re) ?? []) words.push(m.replace(/'([^']*)'/g, '$1'));
  return words;
}

/** A value for a placeholder `<what>` of the checklist: a test credential, a file, a host. */
function fillPlaceholder(what: string, tls: { cert: string; key: string }): string {
  if (what === 'registry host') return REGISTRY;
  if (what === 'user') return 'nck8s';
  if (what === 'path to certificate chain') return tls.cert;
  if (what === 'path to private key') return tls.key;
  // A key's value: a password-like random string (usernames included: any value is valid).
  return `t${Math.random().toString(36).slice(2, 14)}`;
}

/** A self-signed certificate for the checklist's tls Secrets. */
function selfSigned(dir: string, host: string): { cert: string; key: string } {
  const cert = path.join(dir, 'tls.crt');
  const key = path.join(dir, 'tls.key');
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${host}`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl: ${r.stderr}`);
  return { cert, key };
}

/**
 * Creates exactly the Secrets of synth's checklist, by running its printed commands with our
 * kubectl, each placeholder filled. Returns the values given to each generic Secret's keys.
 */
export async function createSecrets(s: Synthesized): Promise<Record<string, Record<string, string>>> {
  const tls = selfSigned(s.dir, 'nuxeo.test');
  const values: Record<string, Record<string, string>> = {};
  for (const line of s.secretCommands) {
    const words = shellWords(line);
    const filled = words.slice(1).map((w) => w.replace(/<([^>]+)>/g, (_, what) => fillPlaceholder(what, tls)));
    const name = words[6];
    for (const w of filled) {
      const lit = /^--from-literal=([^=]+)=(.*)$/.exec(w);
      if (lit) (values[name] ??= {})[lit[1]] = lit[2];
    }
    await kubectl(filled);
  }
  return values;
}

/** `sh -c LINE` in a container of a pod (stdin from `input`, if given); failures are returned, not thrown. */
export function execSh(namespace: string, pod: string, container: string, line: string, timeoutMs = 60000, input?: string): Promise<Run> {
  return kubectl(['-n', namespace, 'exec', ...(input ? ['-i'] : []), pod, '-c', container, '--', 'sh', '-c', line], { allowFail: true, timeoutMs, input });
}

/** The Prometheus Operator's CRDs the monitoring file needs (the copies the CRD tests use). */
export async function installMonitoringCrds(): Promise<void> {
  const dir = path.join(HERE, '../../imports/crds');
  const crds = fs.readdirSync(dir).filter((f) => f.startsWith('monitoring.coreos.com_'));
  await apply(crds.map((f) => path.join(dir, f)));
  for (const f of crds) await kubectl(['wait', '--for=condition=Established', `crd/${f.replace(/^monitoring.coreos.com_(\w+)\.yaml$/, '$1.monitoring.coreos.com')}`, '--timeout=60s']);
}

/**
 * Deletes a namespace and waits until it is gone. Its pods go first, at once (test data: no
 * graceful shutdown): the namespace controller re-checks a namespace only after the longest grace
 * period left among its pods (Prometheus' is 600 s). A namespace already Terminating (a previous
 * run's, kept in etcd across `down` and `up`) is annotated, which makes the controller look again now.
 */
export async function deleteNamespace(ns: string, timeoutMs = 180000): Promise<void> {
  const existing = await kubectl(['get', 'namespace', ns, '-o', 'jsonpath={.status.phase}'], { allowFail: true });
  if (existing.code !== 0) return;
  await dropPods([ns]);
  if (existing.stdout === 'Terminating') await kubectl(['annotate', 'namespace', ns, '--overwrite', `nck8s/deleted-again=${Date.now()}`], { allowFail: true });
  await kubectl(['delete', 'namespace', ns, '--ignore-not-found', '--wait=true', `--timeout=${Math.round(timeoutMs / 1000)}s`], { timeoutMs: timeoutMs + 10000 });
}

/** The namespaces' pods deleted without grace period. */
async function dropPods(names: string[]): Promise<void> {
  await Promise.all(names.map((ns) => kubectl(['-n', ns, 'delete', 'pods', '--all', '--force', '--grace-period=0', '--ignore-not-found', '--wait=false'], { allowFail: true })));
}

/**
 * Makes the pre-made volumes that a deleted namespace released available again: empties each
 * Released volume's folder and drops its claim reference (what a provisioner's Delete would do).
 * Under a lock: test files run side by side, and a volume emptied by one after another made it
 * Available would lose a new claim's data.
 */
export async function recycleVolumes(): Promise<number> {
  return withLock(path.join(STATE, 'run', 'recycle-volumes.lock'), async () => {
    const pvs = await getJson(['pv', '-l', 'nck8s/volume=true']);
    let n = 0;
    for (const pv of pvs.items) {
      if (pv.status?.phase !== 'Released') continue;
      const dir = pv.spec.local.path as string;
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir, { mode: 0o755 });
      await kubectl(['patch', 'pv', pv.metadata.name, '--type=json', '-p', '[{"op":"remove","path":"/spec/claimRef"}]']);
      n++;
    }
    return n;
  });
}

/** Runs `fn` holding a lock directory (mkdir is atomic); a lock whose holder is gone is taken over. */
async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      fs.mkdirSync(dir);
      break;
    } catch (e: any) {
      if (e.code !== 'EEXIST') throw e;
      let holder = 0;
      try {
        holder = Number(fs.readFileSync(path.join(dir, 'pid'), 'utf8'));
      } catch {
        // being taken or released: look again
      }
      if (holder && !alive(holder)) fs.rmSync(dir, { recursive: true, force: true });
      else await sleep(500);
    }
  }
  fs.writeFileSync(path.join(dir, 'pid'), String(process.pid));
  try {
    return await fn();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The end of a test file: its namespaces deleted without waiting (pods' grace periods and the
 * operators' finalizers take minutes; `cluster.sh down` follows in CI). With CLUSTER_KEEP=1 they
 * stay for inspection; each file's beforeAll deletes what an earlier run left, and waits.
 */
export async function leaveNamespaces(...names: string[]): Promise<void> {
  if (process.env.CLUSTER_KEEP === '1') return;
  // Pods first, without grace period: the namespaces then go before `down`, or at once after the next `up`.
  await dropPods(names);
  await kubectl(['delete', 'namespace', ...names, '--ignore-not-found', '--wait=false'], { allowFail: true });
}

/** Kinds the cluster serves (objects of CRDs it lacks, e.g. Gateway API's, cannot be applied). */
export async function servedKinds(): Promise<Set<string>> {
  return new Set((await kubectl(['api-resources', '--no-headers', '-o', 'wide'])).stdout.split('\n').map((l) => l.trim().split(/\s+/)).filter((c) => c.length > 2)
    .map((c) => c.find((x) => /^[A-Z]/.test(x))!).filter(Boolean));
}

/** The API server's words for each refusal the plan predicts, by kind (the validation functions it cites). */
export const REFUSAL: Record<string, RegExp> = {
  StatefulSet: /updates to statefulset spec for fields other than/,
  PersistentVolumeClaim: /spec is immutable after creation|can not be less than previous value/,
  PriorityClass: /may not be changed in an update/,
  Service: /may not change once set/,
  ConfigMap: /field is immutable when `immutable` is set/,
};

/** The objects an apply's errors say the API server refused as invalid: "Kind/name", sorted. */
export function refusedObjects(run: Run): string[] {
  return [...new Set([...run.stderr.matchAll(/\b([A-Z][A-Za-z]+)(?:\.[a-z0-9.]+)? "([^"]+)" is invalid/g)].map((m) => `${m[1]}/${m[2]}`))].sort();
}

