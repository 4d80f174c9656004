/**
 * A Grafana dashboard for one environment: one row per tier, plotting the metrics the alerts
 * read (lib/render/alerts.ts), so a firing alert has a graph to look at. Plain dashboard JSON
 * (schemaVersion 39) with a Prometheus datasource variable, for Grafana's sidecar to load.
 */
export interface DashboardSettings {
  readonly namespace: string;
  readonly title: string;
}

interface Panel {
  readonly title: string;
  readonly expr: string;
  readonly legend: string;
  readonly unit: string;
}

export function renderDashboard(s: DashboardSettings): string {
  const ns = `namespace="${s.namespace}"`;
  const rows: [string, Panel[]][] = [
    ['Nuxeo', [
      { title: 'Nodes up', expr: `up{${ns}, container="nuxeo"}`, legend: '{{pod}}', unit: 'none' },
      { title: 'Stream consumer lag', expr: `dropwizard5_nuxeo_streams_global_stream_group_lag_gauge{${ns}}`, legend: '{{pod}} {{stream}} {{group}}', unit: 'none' },
      { title: 'Data volume (Chronicle Queue) free', expr: `kubelet_volume_stats_available_bytes{${ns}, persistentvolumeclaim=~"data-nuxeo-[0-9]+"} / kubelet_volume_stats_capacity_bytes{${ns}, persistentvolumeclaim=~"data-nuxeo-[0-9]+"}`, legend: '{{persistentvolumeclaim}}', unit: 'percentunit' },
      { title: 'Proxy requests/s', expr: `rate(nginx_http_requests_total{${ns}}[5m])`, legend: '{{pod}}', unit: 'reqps' },
    ]],
    ['Redis', [
      { title: 'Memory used / maxmemory', expr: `redis_memory_used_bytes{${ns}} / (redis_memory_max_bytes{${ns}} > 0)`, legend: '{{pod}}', unit: 'percentunit' },
      { title: 'Connected replicas', expr: `redis_connected_slaves{${ns}}`, legend: '{{pod}}', unit: 'none' },
    ]],
    ['PostgreSQL', [
      { title: 'Connections / max_connections', expr: `sum by (pod) (pg_stat_activity_count{${ns}}) / on (pod) pg_settings_max_connections{${ns}}`, legend: '{{pod}}', unit: 'percentunit' },
      { title: 'Replication lag (bytes of WAL)', expr: `pg_stat_replication_pg_wal_lsn_diff{${ns}}`, legend: '{{application_name}}', unit: 'bytes' },
    ]],
    ['Elasticsearch', [
      { title: 'Cluster health', expr: `max by (color) (elasticsearch_cluster_health_status{${ns}})`, legend: '{{color}}', unit: 'none' },
      { title: 'Disk used', expr: `1 - elasticsearch_filesystem_data_available_bytes{${ns}} / elasticsearch_filesystem_data_size_bytes{${ns}}`, legend: '{{pod}}', unit: 'percentunit' },
    ]],
  ];
  const panels: object[] = [];
  let id = 1;
  let y = 0;
  for (const [row, items] of rows) {
    panels.push({ id: id++, type: 'row', title: row, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y: y++ }, panels: [] });
    items.forEach((p, i) => {
      panels.push({
        id: id++,
        type: 'timeseries',
        title: p.title,
        datasource: { type: 'prometheus', uid: '${datasource}' },
        fieldConfig: { defaults: { unit: p.unit }, overrides: [] },
        gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: y + Math.floor(i / 2) * 8 },
        targets: [{ refId: 'A', expr: p.expr, legendFormat: p.legend, datasource: { type: 'prometheus', uid: '${datasource}' } }],
      });
    });
    y += Math.ceil(items.length / 2) * 8;
  }
  return JSON.stringify({
    title: s.title,
    uid: `nuxeo-compact-${s.namespace}`.slice(0, 40),
    tags: ['nuxeo', 'nuxeo-compact-k8s'],
    schemaVersion: 39,
    editable: false,
    time: { from: 'now-6h', to: 'now' },
    templating: { list: [{ name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Prometheus' }] },
    panels,
  }, null, 2) + '\n';
}
