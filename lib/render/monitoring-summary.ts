/** The "Monitoring" section of SUMMARY.md: what is scraped, and every alert with its severity. */
import type { EnvironmentSpec } from '../config/schema';
import { alertRules, alertSettingsOf } from './alerts';

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
    managed.database ? byProvider('PostgreSQL') : 'PostgreSQL primary and replicas: postgres_exporter over the Unix socket, PodMonitor `postgresql`',
    managed.elasticsearch ? byProvider('Elasticsearch') : 'Elasticsearch: elasticsearch_exporter beside each node, PodMonitor `elasticsearch`',
    'Volumes: the kubelet\'s `kubelet_volume_stats_*` (scraped by the cluster\'s Prometheus setup, not by these PodMonitors)',
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
