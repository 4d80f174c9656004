/**
 * A small kubelet on podman + runc: runs the pod templates of the synthesized StatefulSets,
 * unchanged, the way a kubelet does where podman would do otherwise (see
 * ../shared/reference/pod-runtime.md):
 * - the pod's UID/GID and fsGroup (as a supplementary group), no passwd entry (`--passwd=false`),
 *   read-only root without podman's extra tmpfs, dropped capabilities, no privilege escalation,
 *   the containers' CPU and memory limits;
 * - volumes laid out by the kubelet's rules: emptyDir root-owned 0777 (+ fsGroup, setgid), a
 *   memory emptyDir as tmpfs, PVC folders kept across pod restarts (root-owned, then fsGroup),
 *   ConfigMap/Secret folders with the `..data` symlink layout, the modes asked and fsGroup;
 * - init containers in order, each to completion; env with `$(VAR)` expansion and the downward API;
 * - exec probes inside the container (its user, its environment only), httpGet/tcpSocket probes
 *   from the pod network (a prober container on the test's network);
 * - termination: every container's preStop, then SIGTERM to all containers at once, SIGKILL at
 *   the end of the grace period.
 * Pods sit on a podman `--internal` network the test creates, each at a fixed address; the DNS
 * names the manifests use are mapped to the test's pods with --add-host. Images are the stand-ins
 * built by test/pods/image/build.sh (see standInImage).
 *
 * An imitation, not a kubelet. The real cluster suite (test/cluster/, docs/cluster.md) is the
 * authority on pods: admission, scheduling, pods Ready by the real kubelet's probes, Services,
 * DNS, NetworkPolicies, eviction, and the failures driven through the API (deleted replica back
 * streaming, promotion from SUMMARY.md verbatim, Redis master hand-over) are proven there, and the
 * pod scenarios that only repeated them are retired. This imitation is kept only where the cluster
 * suite makes no such assertion, each still run on the synthesized pod templates unchanged:
 * - init containers: the files they lay out (content, owner, symlinks), inspected on the host;
 * - sidecar Redis: replication by stable name, Redis stopped after Nuxeo on delete (container
 *   finish times), Nuxeo waiting for an absent Redis master then starting with no restart;
 * - PostgreSQL: Nuxeo's role over TCP through postgresql-rw/-ro, a replica rejoining through its
 *   slot after the primary moved on;
 * - external Redis: the hand-over is planned (REPLICAOF before SIGTERM, no +odown), every write
 *   kept, Sentinels agree, ordinal 0 the first master, the pod back as replica, the StatefulSet
 *   restarted whole;
 * - docker/Dockerfile built with podman (no cluster needed).
 * It is faster for these (no cluster up, one StatefulSet's pods at a time) and still truthful:
 * each relies only on the rules listed above, which docs/cluster.md's table names per scenario.
 */
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bytes, cpuCores } from '../../lib/settings/quantity';
import type { Manifest } from '../helpers';

export const STAND_IN = 'localhost/nuxeo-compact-k8s/stand-in:latest';
export const NUXEO_STAND_IN = 'localhost/nuxeo-compact-k8s/nuxeo-stand-in:latest';

/** The stand-in that runs a pinned image: the Nuxeo one for Nuxeo, the Debian one for the rest. */
export function standInImage(image: string): string {
  return /(^|\/)nuxeo\/nuxeo:/.test(image) ? NUXEO_STAND_IN : STAND_IN;
}

/**
 * ENTRYPOINT of the images whose containers give no command (the exporters), from their
 * Dockerfiles; the stand-in has Debian's exporter at each path (test/pods/image/stand-in-layout.sh).
 */
const ENTRYPOINTS: [RegExp, string][] = [
  [/(^|\/)redis_exporter[:@]/, '/redis_exporter'],
  [/(^|\/)postgres-exporter[:@]/, '/bin/postgres_exporter'],
  [/(^|\/)elasticsearch-exporter[:@]/, '/bin/elasticsearch_exporter'],
  [/(^|\/)nginx-prometheus-exporter[:@]/, '/usr/bin/nginx-prometheus-exporter'],
];

function imageEntrypoint(image: string): string[] | undefined {
  const e = ENTRYPOINTS.find(([re]) => re.test(image));
  return e ? [e[1]] : undefined;
}

export interface Result { code: number; out: string }

/** Runs podman (or another command) asynchronously, never throwing; `timeoutMs` kills it. */
export function cmd(command: string, args: string[], timeoutMs = 120000): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), out });
    });
  });
}

export function podmanSync(args: string[]): string {
  const r = spawnSync('podman', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`podman ${args.join(' ')} exited ${r.status}: ${r.stderr}${r.stdout}`);
  return r.stdout.trim();
}

/** Throws a clear message when podman or the stand-in images are missing. */
export function requireStandIns(): void {
  for (const image of [STAND_IN, NUXEO_STAND_IN]) {
    if (spawnSync('podman', ['image', 'exists', image]).status !== 0) {
      throw new Error(`stand-in image ${image} missing: run \`bash test/pods/image/build.sh\` (as .ci/run does)`);
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Container = any;
type PodSpec = any;

/** One test's private network, pods, volumes and names. */
export class Cluster {
  readonly network: string;
  readonly base: string;
  private subnet = '';
  private readonly addresses = new Map<string, string>();
  private readonly hosts = new Map<string, string>();
  private readonly pods = new Set<Pod>();
  private prober = '';

  /**
   * @param manifests the synthesized manifests (ConfigMaps and StatefulSets are read from them)
   * @param secrets Secret name -> key -> value, standing in for the Secrets the cluster holds
   */
  constructor(name: string, readonly manifests: Manifest[], readonly secrets: Record<string, Record<string, string>>) {
    this.network = `nck8s-${name}-${process.pid}`;
    this.base = fs.mkdtempSync(path.join(os.tmpdir(), `pods-${name}-`));
    fs.chmodSync(this.base, 0o755);
  }

  /** Creates the `--internal` network (a free /24 under 10.213.0.0/16) and the prober. */
  async create(): Promise<void> {
    requireStandIns();
    for (let attempt = 0; attempt < 20 && !this.subnet; attempt++) {
      const third = Math.floor(Math.random() * 250) + 1;
      const r = await cmd('podman', ['network', 'create', '--internal', '--subnet', `10.213.${third}.0/24`, this.network]);
      if (r.code === 0) this.subnet = `10.213.${third}`;
    }
    if (!this.subnet) throw new Error(`could not create network ${this.network}`);
    // What probes httpGet/tcpSocket from the pod network, as the kubelet does from the node.
    this.prober = `${this.network}-prober`;
    podmanSync(['run', '-d', '--name', this.prober, '--network', this.network, '--ip', `${this.subnet}.2`, '--pull=never', '--entrypoint', '/usr/local/bin/pause', STAND_IN]);
  }

  /** Gives a pod its fixed address and maps DNS names to it (call before starting any pod). */
  plan(pod: string, ...names: string[]): void {
    if (!this.addresses.has(pod)) this.addresses.set(pod, `${this.subnet}.${10 + this.addresses.size}`);
    for (const n of names) this.hosts.set(n, this.addresses.get(pod)!);
  }

  address(pod: string): string {
    const a = this.addresses.get(pod);
    if (!a) throw new Error(`pod ${pod} was not planned`);
    return a;
  }

  /** Pod `ordinal` of a synthesized StatefulSet, planned under its stable DNS name. */
  statefulPod(statefulSet: string, ordinal: number): Pod {
    const sts = this.manifests.find((m) => m.kind === 'StatefulSet' && m.metadata.name === statefulSet);
    if (!sts) throw new Error(`no StatefulSet ${statefulSet}`);
    const name = `${statefulSet}-${ordinal}`;
    const ns = this.manifests.find((m) => m.kind === 'Namespace')?.metadata.name ?? 'default';
    const pod = new Pod(this, name, ns, sts.spec.template.spec, sts.spec.serviceName, (sts.spec.volumeClaimTemplates ?? []).map((t: any) => t.metadata.name));
    this.pods.add(pod);
    return pod;
  }

  addHostArgs(): string[] {
    return [...this.hosts.entries()].flatMap(([n, ip]) => ['--add-host', `${n}:${ip}`]);
  }

  configMap(name: string): Record<string, string> {
    const cm = this.manifests.find((m) => m.kind === 'ConfigMap' && m.metadata.name === name);
    if (!cm) throw new Error(`no ConfigMap ${name}`);
    return cm.data ?? {};
  }

  secret(name: string): Record<string, string> {
    const s = this.secrets[name];
    if (!s) throw new Error(`no Secret ${name} given to the test cluster`);
    return s;
  }

  /** httpGet from the pod network: success is a status from 200 to 399. */
  async httpGet(ip: string, port: number, urlPath: string, timeoutSeconds: number): Promise<boolean> {
    const r = await cmd('podman', ['exec', this.prober, 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', String(timeoutSeconds), `http://${ip}:${port}${urlPath}`]);
    const status = Number(r.out.trim());
    return status >= 200 && status < 400;
  }

  async tcpOpen(ip: string, port: number, timeoutSeconds: number): Promise<boolean> {
    return (await cmd('podman', ['exec', this.prober, 'timeout', String(timeoutSeconds), 'bash', '-c', `exec 3<>/dev/tcp/${ip}/${port}`])).code === 0;
  }

  /** Removes every pod, the prober, the network and the volumes. */
  async destroy(): Promise<void> {
    await Promise.all([...this.pods].map((p) => p.remove()));
    if (this.prober) await cmd('podman', ['rm', '-f', '-t', '0', this.prober]);
    await cmd('podman', ['network', 'rm', '-f', this.network]);
    fs.rmSync(this.base, { recursive: true, force: true });
  }
}

/** A pod of a StatefulSet, run as a kubelet runs it. */
export class Pod {
  private started = false;
  private readonly fsGroup?: number;

  constructor(
    readonly cluster: Cluster,
    readonly name: string,
    readonly namespace: string,
    readonly spec: PodSpec,
    readonly subdomain: string,
    private readonly claims: string[],
  ) {
    this.fsGroup = spec.securityContext?.fsGroup;
  }

  get ip(): string {
    return this.cluster.address(this.name);
  }

  containerName(c: string): string {
    return `${this.cluster.network}-${this.name}-${c}`;
  }

  private get podName(): string {
    return `${this.cluster.network}-${this.name}`;
  }

  private dir(...parts: string[]): string {
    return path.join(this.cluster.base, ...parts);
  }

  /** Creates the volumes, the pod, runs the init containers and starts the containers. */
  async start(): Promise<void> {
    const volumeArgs = await this.startInit();
    // `podman run -d` (podman 4.3's `create` lacks --passwd): the containers start together.
    for (const c of this.spec.containers) podmanSync(['run', '-d', '--name', this.containerName(c.name), ...this.containerArgs(c, volumeArgs)]);
  }

  /** Only the volumes, the pod and its init containers (for images whose server is not stood in). */
  async runInitContainers(): Promise<void> {
    await this.startInit();
  }

  private async startInit(): Promise<Map<string, { host?: string; tmpfs?: string }>> {
    const volumeArgs = this.prepareVolumes();
    podmanSync([
      'pod', 'create', '--name', this.podName, '--network', this.cluster.network, '--ip', this.ip,
      '--hostname', this.name, ...this.cluster.addHostArgs(),
      '--infra-image', STAND_IN, '--infra-command', '/usr/local/bin/pause',
    ]);
    podmanSync(['pod', 'start', this.podName]);
    this.started = true;
    for (const c of this.spec.initContainers ?? []) {
      const r = await cmd('podman', ['run', '--name', this.containerName(c.name), ...this.containerArgs(c, volumeArgs)], 600000);
      await cmd('podman', ['rm', '-f', this.containerName(c.name)]);
      if (r.code !== 0) throw new Error(`init container ${c.name} of ${this.name} exited ${r.code}:\n${r.out}`);
    }
    return volumeArgs;
  }

  /** Host folder of a volume (emptyDir, PVC, ConfigMap/Secret) of this pod. */
  volumePath(volume: string): string {
    if (this.claims.includes(volume)) return this.dir('pv', `${volume}-${this.name}`);
    return this.dir('pods', this.name, volume);
  }

  private prepareVolumes(): Map<string, { host?: string; tmpfs?: string }> {
    const out = new Map<string, { host?: string; tmpfs?: string }>();
    const podDir = this.dir('pods', this.name);
    fs.rmSync(podDir, { recursive: true, force: true });
    fs.mkdirSync(podDir, { recursive: true });
    const group = this.fsGroup;
    for (const claim of this.claims) {
      const p = this.volumePath(claim);
      if (!fs.existsSync(p)) {
        // A provisioner's root-owned folder; fsGroup then gives it the group, g+rwx and setgid.
        fs.mkdirSync(p, { recursive: true, mode: 0o755 });
        if (group !== undefined) {
          fs.chownSync(p, 0, group);
          fs.chmodSync(p, 0o2775);
        }
      }
      out.set(claim, { host: p });
    }
    for (const v of this.spec.volumes ?? []) {
      const p = this.volumePath(v.name);
      if (v.emptyDir?.medium === 'Memory') {
        out.set(v.name, { tmpfs: v.emptyDir.sizeLimit ?? '64m' });
      } else if (v.emptyDir) {
        // pkg/volume/emptydir: root-owned, 0777; fsGroup: its group, setgid.
        fs.mkdirSync(p, { mode: 0o777 });
        fs.chmodSync(p, 0o777);
        if (group !== undefined) {
          fs.chownSync(p, 0, group);
          fs.chmodSync(p, 0o2777);
        }
        out.set(v.name, { host: p });
      } else if (v.configMap || v.secret) {
        const data = v.configMap ? this.cluster.configMap(v.configMap.name) : this.cluster.secret(v.secret.secretName);
        const src = v.configMap ?? v.secret;
        const items: { key: string; path: string; mode?: number }[] = src.items ?? Object.keys(data).map((key) => ({ key, path: key }));
        // The atomic writer's layout: files in a timestamped folder, `..data` pointing at it,
        // and one symlink per top-level name through `..data`.
        const stamp = `..${new Date().toISOString().replace(/[-:]/g, '_').replace('T', '_').replace('Z', '')}`;
        fs.mkdirSync(path.join(p, stamp), { recursive: true });
        for (const item of items) {
          if (!(item.key in data)) throw new Error(`${v.name}: key ${item.key} missing`);
          const file = path.join(p, stamp, item.path);
          fs.mkdirSync(path.dirname(file), { recursive: true });
          fs.writeFileSync(file, data[item.key]);
          // With fsGroup the kubelet gives group fsGroup and adds group read.
          const mode = item.mode ?? src.defaultMode ?? 0o644;
          fs.chmodSync(file, group !== undefined ? mode | 0o040 : mode);
          if (group !== undefined) fs.chownSync(file, 0, group);
        }
        fs.symlinkSync(stamp, path.join(p, '..data'));
        for (const top of new Set(items.map((i) => i.path.split('/')[0]))) fs.symlinkSync(path.join('..data', top), path.join(p, top));
        fs.chmodSync(p, 0o755);
        if (group !== undefined) {
          fs.chownSync(p, 0, group);
          fs.chownSync(path.join(p, stamp), 0, group);
        }
        out.set(v.name, { host: p });
      } else if (!this.claims.includes(v.name) && !v.persistentVolumeClaim) {
        throw new Error(`${this.name}: volume ${v.name} of a kind the test kubelet does not lay out`);
      } else if (v.persistentVolumeClaim) {
        const shared = this.dir('pv', v.persistentVolumeClaim.claimName);
        if (!fs.existsSync(shared)) {
          fs.mkdirSync(shared, { recursive: true, mode: 0o755 });
          if (group !== undefined) {
            fs.chownSync(shared, 0, group);
            fs.chmodSync(shared, 0o2775);
          }
        }
        out.set(v.name, { host: shared });
      }
    }
    return out;
  }

  /** Env as the kubelet builds it: literal values with $(VAR) expansion, downward API, Secrets. */
  env(c: Container): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of c.env ?? []) {
      if (e.value !== undefined) {
        out[e.name] = String(e.value).replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, n) => (m === '$$' ? '$' : n in out ? out[n] : m));
      } else if (e.valueFrom?.fieldRef) {
        const f = e.valueFrom.fieldRef.fieldPath;
        const values: Record<string, string> = { 'metadata.name': this.name, 'metadata.namespace': this.namespace, 'status.podIP': this.ip };
        if (!(f in values)) throw new Error(`fieldRef ${f} not supported by the test kubelet`);
        out[e.name] = values[f];
      } else if (e.valueFrom?.secretKeyRef) {
        const ref = e.valueFrom.secretKeyRef;
        out[e.name] = this.cluster.secret(ref.name)[ref.key];
      } else {
        throw new Error(`env ${e.name}: source not supported by the test kubelet`);
      }
    }
    return out;
  }

  private user(c: Container): { uid: number; gid: number } {
    const sc = { ...this.spec.securityContext, ...c.securityContext };
    return { uid: sc.runAsUser ?? 0, gid: sc.runAsGroup ?? 0 };
  }

  private containerArgs(c: Container, volumes: Map<string, { host?: string; tmpfs?: string }>): string[] {
    const sc = c.securityContext ?? {};
    const { uid, gid } = this.user(c);
    const args = ['--pod', this.podName, '--pull=never', '--user', `${uid}:${gid}`, '--passwd=false'];
    if (this.fsGroup !== undefined) args.push('--group-add', String(this.fsGroup));
    for (const g of this.spec.securityContext?.supplementalGroups ?? []) args.push('--group-add', String(g));
    if (sc.readOnlyRootFilesystem) args.push('--read-only', '--read-only-tmpfs=false');
    for (const cap of sc.capabilities?.drop ?? []) args.push('--cap-drop', cap);
    for (const cap of sc.capabilities?.add ?? []) args.push('--cap-add', cap);
    if (sc.allowPrivilegeEscalation === false) args.push('--security-opt', 'no-new-privileges');
    // The container's limits, as cgroup limits (the kubelet does the same).
    const limits = c.resources?.limits ?? {};
    if (limits.memory) args.push('--memory', String(bytes(String(limits.memory))));
    if (limits.cpu) args.push('--cpus', String(cpuCores(String(limits.cpu))));
    for (const [k, v] of Object.entries(this.env(c))) args.push('--env', `${k}=${v}`);
    for (const m of c.volumeMounts ?? []) {
      const v = volumes.get(m.name);
      if (!v) throw new Error(`${this.name}/${c.name}: volume ${m.name} not found`);
      if (m.subPath) throw new Error('subPath not supported by the test kubelet');
      if (v.tmpfs) args.push('--mount', `type=tmpfs,destination=${m.mountPath},tmpfs-mode=1777,tmpfs-size=${v.tmpfs.replace(/i$/, '').toLowerCase()}`);
      else args.push('-v', `${v.host}:${m.mountPath}${m.readOnly ? ':ro' : ''}`);
    }
    const command = c.command ?? imageEntrypoint(c.image);
    if (command) args.push('--entrypoint', JSON.stringify(command));
    args.push(standInImage(c.image), ...(c.args ?? []));
    return args;
  }

  containerSpec(name: string): Container {
    const c = this.spec.containers.find((x: Container) => x.name === name);
    if (!c) throw new Error(`${this.name}: no container ${name}`);
    return c;
  }

  /** Runs a command in a container as the kubelet runs exec probes and hooks. */
  exec(container: string, command: string[], timeoutSeconds = 60): Promise<Result> {
    return cmd('podman', ['exec', this.containerName(container), ...command], timeoutSeconds * 1000);
  }

  async running(container: string): Promise<boolean> {
    const r = await cmd('podman', ['inspect', '--format', '{{.State.Running}}', this.containerName(container)]);
    return r.code === 0 && r.out.trim() === 'true';
  }

  logs(container: string): string {
    const r = spawnSync('podman', ['logs', '--tail', '60', this.containerName(container)], { encoding: 'utf8' });
    return `${r.stdout}${r.stderr}`;
  }

  private port(c: Container, port: number | string): number {
    if (typeof port === 'number' || /^\d+$/.test(String(port))) return Number(port);
    const p = (c.ports ?? []).find((x: any) => x.name === port);
    if (!p) throw new Error(`${c.name}: no port named ${port}`);
    return p.containerPort;
  }

  /** One run of a probe, as the kubelet runs it. */
  async probe(container: string, kind: 'startupProbe' | 'readinessProbe' | 'livenessProbe'): Promise<boolean> {
    const c = this.containerSpec(container);
    const p = c[kind];
    if (!p) return true;
    const timeout = p.timeoutSeconds ?? 1;
    if (p.exec) return (await this.exec(container, p.exec.command, timeout)).code === 0;
    if (p.httpGet) return this.cluster.httpGet(this.ip, this.port(c, p.httpGet.port), p.httpGet.path ?? '/', timeout);
    if (p.tcpSocket) return this.cluster.tcpOpen(this.ip, this.port(c, p.tcpSocket.port), timeout);
    throw new Error(`${kind} of ${container}: kind not supported`);
  }

  /**
   * Waits until every container passed its startup probe within failureThreshold x period (else
   * the kubelet would have killed it) and then its readiness probe; liveness must pass too.
   */
  async waitReady(timeoutMs = 180000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await Promise.all(this.spec.containers.map(async (c: Container) => {
      const started = Date.now();
      const startupBudget = c.startupProbe ? (c.startupProbe.failureThreshold ?? 3) * (c.startupProbe.periodSeconds ?? 10) * 1000 : Infinity;
      for (const kind of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const) {
        for (;;) {
          if (!(await this.running(c.name))) throw new Error(`${this.name}/${c.name} exited:\n${this.logs(c.name)}`);
          if (await this.probe(c.name, kind)) break;
          if (kind === 'startupProbe' && Date.now() - started > startupBudget) throw new Error(`${this.name}/${c.name}: startup probe failed for ${startupBudget} ms, the kubelet would restart it:\n${this.logs(c.name)}`);
          if (Date.now() > deadline) throw new Error(`${this.name}/${c.name}: ${kind} not passing after ${timeoutMs} ms:\n${this.logs(c.name)}`);
          await sleep(1000);
        }
      }
    }));
  }

  /**
   * Deletion as the kubelet does it: each container's preStop hook, then SIGTERM to that
   * container, all containers at once; SIGKILL for what still runs when the grace period ends.
   * Returns each preStop's result, how long the pod took to stop, and each container's last
   * log lines and stop time (ms since the epoch).
   */
  async delete(): Promise<{ preStop: Record<string, Result>; seconds: number; logs: Record<string, string>; finishedAt: Record<string, number> }> {
    const grace = (this.spec.terminationGracePeriodSeconds ?? 30) * 1000;
    const begin = Date.now();
    const preStop: Record<string, Result> = {};
    await Promise.all(this.spec.containers.map(async (c: Container) => {
      const hook = c.lifecycle?.preStop?.exec?.command;
      if (hook && (await this.running(c.name))) preStop[c.name] = await cmd('podman', ['exec', this.containerName(c.name), ...hook], grace);
      await cmd('podman', ['kill', '--signal', 'TERM', this.containerName(c.name)]);
    }));
    while (Date.now() - begin < grace) {
      const alive = await Promise.all(this.spec.containers.map((c: Container) => this.running(c.name)));
      if (!alive.some(Boolean)) break;
      await sleep(250);
    }
    const seconds = (Date.now() - begin) / 1000;
    const logs: Record<string, string> = {};
    const finishedAt: Record<string, number> = {};
    for (const c of this.spec.containers) {
      logs[c.name] = this.logs(c.name);
      const r = await cmd('podman', ['inspect', '--format', '{{.State.FinishedAt.UnixNano}}', this.containerName(c.name)]);
      finishedAt[c.name] = Number(r.out.trim()) / 1e6;
    }
    await this.remove();
    return { preStop, seconds, logs, finishedAt };
  }

  /** Removes the pod at once (SIGKILL) and its emptyDirs; PVC folders stay. */
  async remove(): Promise<void> {
    if (!this.started) return;
    await cmd('podman', ['pod', 'rm', '-f', '-t', '0', this.podName]);
    fs.rmSync(this.dir('pods', this.name), { recursive: true, force: true });
    this.started = false;
  }
}
