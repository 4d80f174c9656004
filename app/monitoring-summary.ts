/** The "Monitoring" section of SUMMARY.md: what is scraped, and every alert with its severity. */
import type { EnvironmentSpec } from './environment';
import { SNAPSHOT_POLICY } from '../lib/elasticsearch/snapshots';
import { AlertSettings, alertRules } from '../lib/monitoring/alerts';

/** The settings of an environment's alerts. */
export function alertSettingsOf(spec: EnvironmentSpec, sentinelQuorum: number | undefined): AlertSettings {
  return {
    namespace: spec.namespace, redis: { mode: spec.redis.mode, quorum: sentinelQuorum }, databaseReplicas: spec.database.replicas, databaseProvider: spec.database.provider,
    managed: { database: !!spec.database.managed, elasticsearch: !!spec.elasticsearch.managed, redis: !!spec.redis.managed },
    // The names lib/load-balancer/load-balancer.ts gives the Ingress / HTTPRoute and the Service (port `http`) it routes to.
    loadBalancer: { provider: spec.loadBalancer.provider, route: 'nuxeo', service: 'nuxeo', servicePort: 'http' },
    pods: { nuxeo: spec.nuxeo.replicas, redis: spec.redis.mode === 'sidecar' ? spec.nuxeo.replicas : spec.redis.replicas, database: 1 + spec.database.replicas },
    // The CronJob names lib/database/backup.ts and lib/elasticsearch/snapshots.ts give.
    backups: {
      cronJobs: [
        ...(spec.database.managed || spec.database.provider === 'cloudnativepg' ? [] : ['postgresql-backup']),
        ...(spec.elasticsearch.managed ? [] : ['elasticsearch-snapshots']),
      ],
      ...(spec.elasticsearch.managed ? {} : { slmPolicy: SNAPSHOT_POLICY }),
    },
  };
}

/** Where the 5xx rate comes from, per load balancer (lib/monitoring/alerts.ts). */
const LOAD_BALANCER_METRICS: Record<EnvironmentSpec['loadBalancer']['provider'], string> = {
  'ingress-nginx': '5xx rate: the ingress-nginx controller\'s `nginx_ingress_controller_requests` for Ingress `nuxeo` (controller metrics scraped by the cluster\'s setup)',
  'traefik': '5xx rate: Traefik\'s `traefik_service_requests_total` for the `nuxeo` Service (Traefik\'s Prometheus metrics scraped by the cluster\'s setup)',
  'gateway-api': '5xx rate: Envoy Gateway\'s proxies, `envoy_cluster_upstream_rq_xx` for HTTPRoute `nuxeo` (their `/stats/prometheus` scraped by the cluster\'s setup; other Gateway API implementations need their own rule)',
  'service': 'No 5xx-rate alert: a `service` load balancer works at L4 and counts no HTTP responses, and the proxies\' stub_status counts none by status',
};

export function renderMonitoringSummary(spec: EnvironmentSpec, sentinelQuorum?: number): string {
  const m = spec.monitoring;
  if (!m.enabled) return '## Monitoring\n\nOff (`monitoring.enabled: false`): no exporter, no Nuxeo metrics, no PodMonitor or alert.\n';
  const managed = { database: !!spec.database.managed, elasticsearch: !!spec.elasticsearch.managed, redis: !!spec.redis.managed };
  const sidecar = spec.redis.mode === 'sidecar';
  const byProvider = (what: string) => `${what}: managed, watched by its provider (not here)`;
  const scraped = [
    'Nuxeo: its Prometheus reporter (JVM, Tomcat, stream consumer lag), PodMonitor `nuxeo`',
    'nginx proxies: nginx-prometheus-exporter reading a loopback-only stub_status, PodMonitor `nuxeo`',
    managed.redis
      ? byProvider('Redis')
      : sidecar
        ? 'Redis sidecars: redis_exporter in every Nuxeo pod, PodMonitor `nuxeo`'
        : 'Redis and Sentinel: two redis_exporter containers in every Redis pod, PodMonitor `redis`',
    managed.database
      ? byProvider('PostgreSQL')
      : spec.database.provider === 'cloudnativepg'
        ? 'PostgreSQL instances: the CloudNativePG instance manager\'s own `cnpg_*` metrics (port `metrics`), PodMonitor `postgresql`'
        : 'PostgreSQL primary and replicas: postgres_exporter over the Unix socket, PodMonitor `postgresql`',
    managed.elasticsearch ? byProvider('Elasticsearch') : 'Elasticsearch: elasticsearch_exporter beside each node, PodMonitor `elasticsearch`',
    'Volumes: the kubelet\'s `kubelet_volume_stats_*` (scraped by the cluster\'s Prometheus setup, not by these PodMonitors)',
    ...(alertSettingsOf(spec, sentinelQuorum).backups?.cronJobs.length ? ['Backup Jobs (NuxeoBackupJobFailed): kube-state-metrics\' `kube_job_failed` and `kube_job_status_start_time` (scraped by the cluster\'s Prometheus setup, as kube-prometheus-stack does)'] : []),
    LOAD_BALANCER_METRICS[spec.loadBalancer.provider],
  ];
  const alerts = alertRules(alertSettingsOf(spec, sentinelQuorum))
    .flatMap((g) => g.rules)
    .filter((r, i, all) => all.findIndex((x) => x.alert === r.alert) === i)
    .map((r) => `| ${r.alert} | ${r.labels.severity} | ${r.annotations.summary.replace(/\|/g, '\\|')} |`);
  const selectorLabels = Object.entries(m.labels).map(([k, v]) => `\`${k}: ${v}\``).join(', ');
  return `## Monitoring

Scraped by Prometheus pods labelled ${Object.entries(m.prometheus.podLabels).map(([k, v]) => `\`${k}=${v}\``).join(', ')} in namespace \`${m.prometheus.namespace}\` (the only peers the NetworkPolicies admit to the metrics ports)${selectorLabels ? `; PodMonitors and PrometheusRule carry ${selectorLabels}` : ''}${m.grafanaDashboard ? '; Grafana dashboard ConfigMap `nuxeo-compact-dashboard`' : ''}.

${scraped.map((s) => `- ${s}`).join('\n')}

| Alert (PrometheusRule \`nuxeo-compact\`) | Severity | Summary |
|---|---|---|
${alerts.join('\n')}
`;
}
