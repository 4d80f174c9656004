/** Starting Redis nodes and Sentinels from the synthesized `redis` ConfigMap, on loopback. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import type { Environment } from '../../app/environment';
import { allManifests, find } from '../helpers';
import { freePort, Servers, waitFor, writeFiles } from './harness';

/** A password that needs quoting in redis.conf. */
export const PASSWORD = 'p@ss "wörd" \\ with spaces';

export function redisFiles(env: Environment): Record<string, string> {
  return find(allManifests(env), 'ConfigMap', 'redis').data!;
}

/** redis-cli against a local port; returns trimmed output, error replies included. */
export function cli(port: number, args: string[], password?: string): string {
  const r = spawnSync('redis-cli', ['--no-auth-warning', '-h', '127.0.0.1', '-p', String(port), ...args], {
    env: { PATH: process.env.PATH ?? '', ...(password !== undefined ? { REDISCLI_AUTH: password } : {}) },
    encoding: 'utf8',
  });
  return `${r.stdout}${r.stderr}`.trim();
}

export function info(port: number, section: string): Record<string, string> {
  return Object.fromEntries(cli(port, ['info', section], PASSWORD).split(/\r?\n/).filter((l) => l.includes(':')).map((l) => l.split(':', 2) as [string, string]));
}

export interface Node {
  readonly name: string;
  readonly port: number;
  readonly process: ReturnType<Servers['start']>;
}

export class RedisCluster {
  private readonly base: string;
  private readonly files: Record<string, string>;
  /** The password file, as the Secret mounts it in a pod. */
  readonly passwordFile: string;
  private readonly scripts: string;

  constructor(private readonly servers: Servers, env: Environment) {
    this.files = redisFiles(env);
    this.base = servers.tmpdir('redis');
    this.passwordFile = path.join(this.base, 'password');
    fs.writeFileSync(this.passwordFile, PASSWORD, { mode: 0o600 });
    // The scripts exactly as synthesized.
    this.scripts = writeFiles(path.join(this.base, 'scripts'), this.files);
  }

  /** A pod's folders: its data volume, holding the Sentinel's folder as in the pod. */
  private podDir(name: string): { data: string; sentinel: string } {
    const data = path.join(this.base, name, 'data');
    fs.mkdirSync(data, { recursive: true });
    return { data, sentinel: path.join(data, 'sentinel') };
  }

  /** Env for the start scripts: only addresses, ports and paths differ from the pod. */
  private env(name: string, port: number, masterPort: number, sentinelServicePort?: number): Record<string, string> {
    return {
      POD_NAME: name,
      ANNOUNCE_HOST: '127.0.0.1',
      INITIAL_MASTER_HOST: '127.0.0.1',
      INITIAL_MASTER_PORT: String(masterPort),
      REDIS_PORT: String(port),
      REDIS_AUTH_FILE: this.passwordFile,
      ...(sentinelServicePort
        ? { SENTINEL_SERVICE_HOST: '127.0.0.1', SENTINEL_SERVICE_PORT: String(sentinelServicePort), SENTINEL_MASTER: 'mymaster', SENTINEL_DIR: this.podDir(name).sentinel }
        : {}),
    };
  }

  async startRedis(name: string, port: number, masterPort: number, sentinelServicePort?: number): Promise<Node> {
    const { data } = this.podDir(name);
    const conf = this.files['redis.conf'].replace('bind * -::*', 'bind 127.0.0.1').replace('port 6379', `port ${port}`).replace('dir /data', `dir ${data}`);
    const confFile = path.join(this.base, name, 'redis.conf');
    fs.writeFileSync(confFile, conf);
    const proc = this.servers.start('sh', [path.join(this.scripts, 'start-redis.sh')], {
      env: { ...this.env(name, port, masterPort, sentinelServicePort), REDIS_CONF: confFile, RUNTIME_DIR: path.join(this.base, name) },
    });
    await waitFor(() => `redis ${name} on ${port}: ${this.servers.log(proc)}`, () => cli(port, ['ping'], PASSWORD) === 'PONG');
    return { name, port, process: proc };
  }

  async startSentinel(name: string, port: number, masterPort: number, sentinelServicePort: number): Promise<Node> {
    // The script renders sentinel.conf itself; its bind is the one address to make local.
    const script = path.join(this.base, name, 'start-sentinel.sh');
    fs.writeFileSync(script, this.files['start-sentinel.sh'].replace('bind * -::*', 'bind 127.0.0.1'));
    const proc = this.servers.start('sh', [script], { env: { ...this.env(name, 0, masterPort, sentinelServicePort), SENTINEL_PORT: String(port) } });
    await waitFor(() => `sentinel ${name} on ${port}: ${this.servers.log(proc)}`, () => cli(port, ['ping']) === 'PONG');
    return { name, port, process: proc };
  }

  static async ports(n: number): Promise<number[]> {
    const out: number[] = [];
    while (out.length < n) {
      const p = await freePort();
      if (!out.includes(p)) out.push(p);
    }
    return out;
  }
}
