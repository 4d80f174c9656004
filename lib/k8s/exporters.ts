/**
 * Metrics exporters, one beside each server they read (Redis, Sentinel, PostgreSQL,
 * Elasticsearch, the nginx proxy), and the NetworkPolicy rule letting Prometheus scrape them.
 * Each exporter talks to its server over loopback or a shared socket, so the servers' own
 * ports stay closed to the monitoring namespace. Every helper returns nothing when
 * `monitoring.enabled` is false, so a tier adds its exporter with one spread.
 */
import { k8s } from 'cdk8s-plus-27';
import { container, SecretKeyRef, secretEnv } from './containers';
import type { Rule } from './network-policy';
import type { ResolvedMonitoring } from './context';

/** Metrics ports (the exporters' usual defaults) and their container port names (<= 15 chars). */
export const METRICS = {
  /** Nuxeo's own Prometheus reporter (metrics.prometheus.port, default 9090). */
  nuxeo: { port: 9090, name: 'metrics' },
  proxy: { port: 9113, name: 'proxy-metrics' },
  redis: { port: 9121, name: 'redis-metrics' },
  sentinel: { port: 9355, name: 'sentinel-mtrcs' },
  postgres: { port: 9187, name: 'pg-metrics' },
  elasticsearch: { port: 9114, name: 'es-metrics' },
  /** CloudNativePG's instance manager serves its own metrics (docs/src/monitoring.md). */
  cloudnativepg: { port: 9187, name: 'metrics' },
} as const;

/** nginx stub_status, on loopback only: read by the exporter in the same pod. */
export const NGINX_STATUS_PORT = 8081;

type Metrics = (typeof METRICS)[keyof typeof METRICS];

/**
 * An exporter container: shared security and resources, its metrics port, and probes on the
 * exporter's own landing page, which answers without asking the server it reads, so a busy
 * or down server never makes the pod unready through its exporter.
 */
function exporter(m: ResolvedMonitoring, uid: number, name: string, image: string, metrics: Metrics, rest: Pick<k8s.Container, 'args' | 'env' | 'volumeMounts'>): k8s.Container[] {
  if (!m.enabled) return [];
  const port = k8s.IntOrString.fromString(metrics.name);
  return [container(uid, {
    name,
    image,
    ...rest,
    ports: [{ name: metrics.name, containerPort: metrics.port, protocol: 'TCP' }],
    resources: m.resources,
    readinessProbe: { httpGet: { path: '/', port }, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 3 },
    livenessProbe: { tcpSocket: { port }, periodSeconds: 20, failureThreshold: 3, timeoutSeconds: 3 },
  })];
}

/**
 * oliver006/redis_exporter beside a Redis node. Its flags read these variables (main.go:
 * REDIS_ADDR, REDIS_PASSWORD, REDIS_EXPORTER_WEB_LISTEN_ADDRESS); the password comes from the
 * Redis Secret. `redis.password-file` is a JSON map of addresses, not a password file.
 */
export function redisExporter(m: ResolvedMonitoring, uid: number, redisPort: number, password: SecretKeyRef): k8s.Container[] {
  return exporter(m, uid, 'redis-exporter', m.images.redis, METRICS.redis, {
    env: [
      { name: 'REDIS_ADDR', value: `redis://127.0.0.1:${redisPort}` },
      secretEnv('REDIS_PASSWORD', password),
      { name: 'REDIS_EXPORTER_WEB_LISTEN_ADDRESS', value: `:${METRICS.redis.port}` },
    ],
  });
}

/** The same exporter pointed at the Sentinel (no password): `redis_sentinel_*` metrics. */
export function sentinelExporter(m: ResolvedMonitoring, uid: number, sentinelPort: number): k8s.Container[] {
  return exporter(m, uid, 'sentinel-exporter', m.images.redis, METRICS.sentinel, {
    env: [
      { name: 'REDIS_ADDR', value: `redis://127.0.0.1:${sentinelPort}` },
      { name: 'REDIS_EXPORTER_WEB_LISTEN_ADDRESS', value: `:${METRICS.sentinel.port}` },
    ],
  });
}

/**
 * postgres_exporter beside a PostgreSQL instance. It connects through the server's Unix socket
 * (the shared `socketVolume`) as `postgres` under the pod's UID, which pg_hba.conf's `local
 * ... postgres peer` line admits: no password, and no network access for that role.
 */
export function postgresExporter(m: ResolvedMonitoring, uid: number, socketVolume: string, socketDir: string, port: number): k8s.Container[] {
  return exporter(m, uid, 'postgres-exporter', m.images.postgres, METRICS.postgres, {
    args: [`--web.listen-address=:${METRICS.postgres.port}`],
    env: [{ name: 'DATA_SOURCE_NAME', value: `host=${socketDir} port=${port} user=postgres dbname=postgres sslmode=disable` }],
    volumeMounts: [{ name: socketVolume, mountPath: socketDir }],
  });
}

/**
 * elasticsearch_exporter beside each node: its node's disk and JVM, the cluster health and SLM stats
 * (flags from main.go of prometheus-community/elasticsearch_exporter v1.9.0).
 */
export function elasticsearchExporter(m: ResolvedMonitoring, uid: number, httpPort: number): k8s.Container[] {
  return exporter(m, uid, 'es-exporter', m.images.elasticsearch, METRICS.elasticsearch, {
    // --collector.slm (off by default, collector/slm.go): the SLM policy's failed snapshots, for the backup alert.
    args: [`--es.uri=http://127.0.0.1:${httpPort}`, '--collector.slm', `--web.listen-address=:${METRICS.elasticsearch.port}`],
  });
}

/** nginx-prometheus-exporter reading the proxy's loopback stub_status page. */
export function proxyExporter(m: ResolvedMonitoring, uid: number, statusPath: string): k8s.Container[] {
  return exporter(m, uid, 'proxy-exporter', m.images.nginx, METRICS.proxy, {
    args: [`--nginx.scrape-uri=http://127.0.0.1:${NGINX_STATUS_PORT}${statusPath}`, `--web.listen-address=:${METRICS.proxy.port}`],
  });
}

/** Ingress from the configured Prometheus pods to these metrics ports, when monitoring is on. */
export function metricsIngress(m: ResolvedMonitoring, ...metrics: Metrics[]): Rule[] {
  if (!m.enabled) return [];
  const p = m.prometheus;
  return [{ peers: [{ namespace: p.namespace, pods: p.podLabels }], ports: metrics.map((x) => x.port) }];
}
