/** What the pod scenarios share: the Secrets a cluster would hold, DNS names, a cluster per file. */
import type { Environment, EnvironmentSpec } from '../../app/environment';
import { allManifests, Manifest } from '../helpers';
import { Cluster, Pod } from './kubelet';

/**
 * Every Secret the environment names, with test values that need quoting in shell and conf files
 * (no `"`: Nuxeo 2021 writes the database password into an XML attribute, and its start script
 * refuses one).
 */
export function secretsFor(spec: EnvironmentSpec): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [field, ref] of Object.entries(spec.secrets)) {
    if (!ref) continue;
    (out[ref.name] ??= {})[ref.key] = `pw ${field} 'q' \\ :x $y`;
  }
  return out;
}

export function serviceHost(spec: EnvironmentSpec, service: string): string {
  return `${service}.${spec.namespace}.svc.${spec.clusterDomain}`;
}

/** The stable name of a StatefulSet pod behind its headless Service. */
export function podFqdn(spec: EnvironmentSpec, pod: Pod): string {
  return `${pod.name}.${pod.subdomain}.${spec.namespace}.svc.${spec.clusterDomain}`;
}

export function newCluster(name: string, env: Environment): { cluster: Cluster; manifests: Manifest[] } {
  const manifests = allManifests(env);
  return { cluster: new Cluster(name, manifests, secretsFor(env.spec)), manifests };
}

/** Minutes, for jest timeouts. */
export const minutes = (n: number) => n * 60000;

/** redis-cli against a pod's Redis, authenticated from its mounted password file, as its hooks do. */
export async function redisCli(pod: Pod, args: string): Promise<string> {
  const r = await pod.exec('redis', ['sh', '-c', `REDISCLI_AUTH="$(cat "$REDIS_AUTH_FILE")" redis-cli --no-auth-warning -p "$REDIS_PORT" ${args}`]);
  if (r.code !== 0) throw new Error(`redis-cli on ${pod.name}: ${r.out}`);
  return r.out.trim();
}
