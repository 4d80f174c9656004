/** Running an exporter container of the manifests as a local process, and reading its metrics. */
import * as http from 'http';
import { alertSettingsOf } from '../../app/monitoring-summary';
import { alertRules } from '../../lib/monitoring/alerts';
import type { Environment } from '../../app/environment';
import { sentinelQuorum } from '../../lib/redis/redis';
import { allManifests } from '../helpers';

/** The container `name` of the first workload that has one. */
export function exporterContainer(env: Environment, name: string): any {
  for (const m of allManifests(env)) {
    const c = m.spec?.template?.spec?.containers?.find((x: any) => x.name === name);
    if (c) return c;
  }
  throw new Error(`no container ${name} in ${env.name}`);
}

/**
 * The container's env as a process gets it: literal values as written, each secretKeyRef
 * resolved by `secrets` (keyed by Secret name), then the values `local` rewrites (addresses).
 */
export function processEnv(c: any, secrets: Record<string, string>, local: (name: string, value: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of c.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef;
    const value = ref ? secrets[ref.name] : e.value;
    if (value === undefined) throw new Error(`env ${e.name}: no value for ${JSON.stringify(e.valueFrom)}`);
    out[e.name] = local(e.name, value);
  }
  return out;
}

export function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    }).on('error', reject);
  });
}

/** Metric names with at least one sample in a Prometheus text exposition. */
export function exposedNames(text: string): Set<string> {
  return new Set(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(l)![0]));
}

/** Every metric with `prefix` that some alert expression of the environment reads. */
export function alertMetrics(env: Environment, prefix: string): string[] {
  const s = env.spec;
  const groups = alertRules(alertSettingsOf(s, s.redis.mode === 'external' ? sentinelQuorum(s.redis) : undefined));
  const names = new Set<string>();
  for (const r of groups.flatMap((g) => g.rules)) {
    // Label values are quoted and label names sit before '=': neither is a metric name.
    const code = r.expr.replace(/"[^"]*"/g, '""');
    for (const m of code.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
      if (m[0].startsWith(prefix) && code[m.index! + m[0].length] !== '=') names.add(m[0]);
    }
  }
  return [...names].sort();
}
