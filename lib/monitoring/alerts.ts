/**
 * Prometheus alerting rules for one environment: the architecture's limits (Redis memory under
 * `noeviction`, Chronicle Queue on a per-node volume, manual PostgreSQL promotion, Sentinel
 * quorum, Elasticsearch health) as warnings before they bite. A pure function of the settings,
 * so promtool checks and unit-tests exactly what the PrometheusRule carries.
 *
 * Metric sources:
 * - redis_*: oliver006/redis_exporter, run against real Redis and Sentinel in the tests (Debian's
 *   1.45); the image's v1.67.0 has the same names (exporter/exporter.go metric maps, sentinels.go)
 * - pg_*: prometheus-community/postgres_exporter, run against real PostgreSQL in the tests
 *   (Debian's 0.11); the image's v0.17.1 has the same names (cmd/postgres_exporter/
 *   postgres_exporter.go: pg_stat_replication's pg_wal_lsn_diff, pg_stat_activity, up; pg_setting.go)
 * - elasticsearch_*: prometheus-community/elasticsearch_exporter v1.9.0, collector/cluster_health.go
 *   (elasticsearch_cluster_health_status{color}) and collector/nodes.go
 *   (elasticsearch_filesystem_data_{available,size}_bytes); not run here (no Elasticsearch)
 * - dropwizard5_nuxeo_streams_global_stream_group_lag_gauge: Nuxeo 2021
 *   modules/runtime/nuxeo-runtime-stream/.../StreamMetricsComputation.java registers
 *   `nuxeo.streams.global.stream.group.lag` tagged stream and group; the Prometheus reporter
 *   exports it through OpenCensus' DropWizardMetrics (`dropwizard5_<name>_gauge`)
 * - nginx_up: nginx/nginx-prometheus-exporter; up: Prometheus itself;
 *   kubelet_volume_stats_*: the kubelet (scraped by the usual kube-prometheus setup)
 * - Label names namespace, pod, container: prometheus-operator's PodMonitor target labels.
 * - The 5xx rate, from the load balancer's own metrics (scraped by the cluster's setup):
 *   ingress-nginx `nginx_ingress_controller_requests{status, namespace, ingress}`
 *   (internal/ingress/metric/collectors/socket.go, requestTags; scraped without honorLabels, the
 *   Ingress' `namespace` becomes `exported_namespace`, as in the project's deploy/grafana dashboard);
 *   Traefik `traefik_service_requests_total{code, service}` (docs reference/install-configuration/
 *   observability/metrics.md), service `<namespace>-<service>-<port name>@kubernetes`
 *   (pkg/provider/kubernetes/ingress/kubernetes.go: Normalize(namespace-name-portString));
 *   Envoy Gateway's Envoy `envoy_cluster_upstream_rq_xx{envoy_response_code_class,
 *   envoy_cluster_name}` (Envoy's cluster statistics `upstream_rq_<*xx>`), cluster
 *   `httproute/<namespace>/<name>/rule/<n>` (envoyproxy/gateway internal/gatewayapi/helpers.go
 *   irRouteDestinationName; its gateway-addons dashboards select the same way).
 */
import type { LoadBalancerProvider } from '../load-balancer/settings';

export interface AlertSettings {
  readonly namespace: string;
  readonly redis: { readonly mode: 'sidecar' | 'external'; readonly quorum?: number };
  /** Streaming replicas the primary should have. */
  readonly databaseReplicas: number;
  /**
   * Tiers replaced by a managed service: their provider watches them, so no alert here.
   * @default - every tier in the cluster
   */
  readonly managed?: { readonly database?: boolean; readonly elasticsearch?: boolean; readonly redis?: boolean };
  /**
   * Who runs PostgreSQL: our StatefulSets (postgres_exporter metrics) or CloudNativePG (its
   * instance manager's own `cnpg_*` metrics).
   * @default 'statefulset'
   */
  readonly databaseProvider?: 'statefulset' | 'cloudnativepg';
  /**
   * The load balancer in front of the proxies, and the name of its Ingress / HTTPRoute and
   * Service, for the 5xx rate; `service` (L4) counts no HTTP responses: no 5xx alert.
   * @default none: no 5xx alert
   */
  readonly loadBalancer?: { readonly provider: LoadBalancerProvider; readonly route: string; readonly service: string; readonly servicePort: string };
  /**
   * Pods that export each availability metric. A pod that is gone has no series at all, so the
   * `…Down` alerts also fire when fewer pods answer than these, and when none is scraped.
   */
  readonly pods: { readonly nuxeo: number; readonly redis: number; readonly database: number };
  /**
   * What backs the data up, for the backup-failure alerts: the CronJobs whose latest Job must not
   * have failed (kube-state-metrics) and the Elasticsearch SLM policy (elasticsearch_exporter).
   * @default - no backup alert
   */
  readonly backups?: { readonly cronJobs: string[]; readonly slmPolicy?: string };
}

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  /** `field`: the environment field to change, where one alert name covers several volumes. */
  readonly labels: { readonly severity: 'info' | 'warning' | 'critical'; readonly field?: string };
  readonly annotations: { readonly summary: string; readonly description: string };
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: AlertRule[];
}

/** Share of maxmemory at which Redis warns, and at which it is about to refuse writes. */
export const REDIS_MEMORY = { warning: 0.75, critical: 0.9 } as const;
/** Free share of a volume below which it warns. */
export const VOLUME_FREE = { nuxeoData: 0.25, other: 0.15 } as const;
/** Elasticsearch's default low disk watermark is 85%: warn before shards stop being allocated. */
export const ES_DISK_USED = 0.8;
/** Connections in use, as a share of max_connections. */
export const PG_CONNECTIONS = 0.8;
/** Bytes of WAL a replica may be behind. */
export const PG_LAG_BYTES = 256 * 1024 * 1024;
/** Share of responses that may be 5xx, and the request rate (per second) below which a site counts as idle. */
export const HTTP_5XX = { ratio: 0.05, minRequestsPerSecond: 0.2 } as const;

/**
 * Requests per second through the load balancer to Nuxeo, 5xx only when `errors`, as one series
 * without labels; undefined for a provider without HTTP metrics.
 */
function loadBalancerRequests(s: AlertSettings, errors: boolean): string | undefined {
  const lb = s.loadBalancer;
  if (!lb) return undefined;
  const rate = (metric: string, labels: string[]) => `sum(rate(${metric}{${labels.join(', ')}}[5m]))`;
  switch (lb.provider) {
    case 'ingress-nginx': {
      const labels = (nsLabel: string) => [`${nsLabel}="${s.namespace}"`, `ingress="${lb.route}"`, ...(errors ? ['status=~"5.."'] : [])];
      // `exported_namespace` with the chart's ServiceMonitor (honorLabels off), `namespace` with honorLabels.
      return `(${rate('nginx_ingress_controller_requests', labels('exported_namespace'))} or ${rate('nginx_ingress_controller_requests', labels('namespace'))})`;
    }
    case 'traefik':
      return rate('traefik_service_requests_total', [`service="${s.namespace}-${lb.service}-${lb.servicePort}@kubernetes"`, ...(errors ? ['code=~"5.."'] : [])]);
    case 'gateway-api':
      return rate('envoy_cluster_upstream_rq_xx', [`envoy_cluster_name=~"httproute/${s.namespace}/${lb.route}/rule/[0-9]+"`, ...(errors ? ['envoy_response_code_class="5"'] : [])]);
    case 'service':
      return undefined;
  }
}

/** Volume claims of the architecture and the environment field that sizes each. */
function volumeFields(s: AlertSettings): { claims: string; field: string }[] {
  const managed = s.managed ?? {};
  return [
    ...(managed.database ? [] : s.databaseProvider === 'cloudnativepg'
      // CloudNativePG names an instance's claim after the instance (postgresql-1), its WAL claim <instance>-wal.
      ? [{ claims: 'postgresql-[0-9]+(-wal)?', field: 'database.storage.size' }]
      : [
        { claims: 'data-postgresql-(primary|replica)-[0-9]+', field: 'database.storage.size' },
        { claims: 'postgresql-backup', field: 'database.backup.storage.size' },
      ]),
    ...(managed.elasticsearch ? [] : [
      { claims: 'elasticsearch-snapshots', field: 'elasticsearch.snapshots.storage.size' },
      { claims: 'data-elasticsearch-[0-9]+', field: 'elasticsearch.storage.size' },
    ]),
    ...(managed.redis ? [] : [s.redis.mode === 'external'
      ? { claims: 'data-redis-[0-9]+', field: 'redis.storage.size' }
      : { claims: 'redis-data-nuxeo-[0-9]+', field: 'redis.storage.size' }]),
    { claims: 'nuxeo-binaries', field: 'nuxeo.binaries.size' },
  ];
}

/**
 * A target answering 0, fewer targets answering than `pods` (a gone pod has no series: `== 0`
 * alone never fires for it), or none scraped at all (`absent`, labelled with the namespace).
 */
function unavailable(down: string, counted: string, pods: number): string {
  return `${down} == 0 or count by (namespace) (${counted} == 1) < ${pods} or absent(${counted})`;
}

export function alertRules(s: AlertSettings): RuleGroup[] {
  const ns = `namespace="${s.namespace}"`;
  const sel = (extra = '') => `{${ns}${extra ? `, ${extra}` : ''}}`;
  const rule: RuleMaker = (alert, severity, expr, forDuration, summary, description) =>
    ({ alert, expr, for: forDuration, labels: { severity }, annotations: { summary, description } });
  const managed = s.managed ?? {};
  return [
    ...(managed.redis ? [] : [{ name: 'nuxeo-compact.redis', rules: redisRules(s, sel, rule) }]),
    { name: 'nuxeo-compact.nuxeo', rules: nuxeoRules(s, sel, rule) },
    ...(managed.database ? [] : [{ name: 'nuxeo-compact.postgresql', rules: postgresRules(s, sel, rule) }]),
    ...(managed.elasticsearch ? [] : [{ name: 'nuxeo-compact.elasticsearch', rules: elasticsearchRules(sel, rule) }]),
    { name: 'nuxeo-compact.volumes', rules: volumeRules(s, sel, rule) },
    ...(s.backups && (s.backups.cronJobs.length || s.backups.slmPolicy) ? [{ name: 'nuxeo-compact.backups', rules: backupRules(s.backups, sel, rule) }] : []),
  ];
}

/** Free share of the matching claims' volumes, from the kubelet. */
function freeRatio(sel: (extra?: string) => string, claims: string): string {
  return `kubelet_volume_stats_available_bytes${sel(`persistentvolumeclaim=~"${claims}"`)} / kubelet_volume_stats_capacity_bytes${sel(`persistentvolumeclaim=~"${claims}"`)}`;
}

/** Redis down, memory near maxmemory (noeviction refuses writes), no replica; Sentinel quorum and failover. */
function redisRules(s: AlertSettings, sel: (extra?: string) => string, rule: RuleMaker): AlertRule[] {
  const sentinel = s.redis.mode === 'external';
  const redisNodes = sentinel ? 'redis.replicas' : 'nuxeo.replicas (one Redis per Nuxeo node)';
  const memRatio = `redis_memory_used_bytes${sel()} / (redis_memory_max_bytes${sel()} > 0)`;
  const memoryFix = 'Raise redis.maxmemory together with redis.resources.limits.memory (maxmemory must stay within 90% of the limit) in the environment file, or find the queue that is not draining (Nuxeo Admin > Work Manager).';
  const rules: AlertRule[] = [
    rule('NuxeoRedisDown', 'critical', unavailable(`redis_up${sel()}`, `redis_up${sel('container="redis-exporter"')}`, s.pods.redis), '2m',
      'Redis {{ with $labels.pod }}{{ . }}{{ else }}pods{{ end }} missing or not answering the exporter (expected ' + s.pods.redis + ' Redis)',
      sentinel
        ? 'Nuxeo keeps its WorkManager queues, pub/sub and key/value store in Redis and finds the master through the Sentinels. Check the pod\'s redis (or sentinel) container log; if it was OOM-killed, raise redis.resources.limits.memory (redis.sentinel.resources for a Sentinel).'
        : 'Nuxeo keeps its WorkManager queues, pub/sub and key/value store in Redis; the master is the Redis of nuxeo-0. Check the pod\'s redis container log; if it was OOM-killed, raise redis.resources.limits.memory.'),
    rule('NuxeoRedisMemoryHigh', 'warning', `${memRatio} > ${REDIS_MEMORY.warning}`, '10m',
      'Redis {{ $labels.pod }} uses {{ $value | humanizePercentage }} of maxmemory',
      `Redis runs with maxmemory-policy noeviction: when used memory reaches maxmemory it refuses every write, and Nuxeo can no longer schedule Works. ${memoryFix}`),
    rule('NuxeoRedisMemoryCritical', 'critical', `${memRatio} > ${REDIS_MEMORY.critical}`, '2m',
      'Redis {{ $labels.pod }} is about to refuse writes ({{ $value | humanizePercentage }} of maxmemory)',
      `At 100% of maxmemory (noeviction) Redis answers OOM to writes and new Works are lost to Nuxeo. ${memoryFix}`),
    rule('NuxeoRedisMasterWithoutReplicas', 'warning',
      `(redis_connected_slaves${sel()} == 0) and on (namespace, pod) redis_instance_info${sel('role="master"')}`, '5m',
      'Redis master {{ $labels.pod }} has no connected replica',
      `The Redis data lives on the master only: losing its node loses the queued Works${sentinel ? ' and leaves Sentinel nothing to promote' : ''}. Check the replicas' logs; the replica count comes from ${redisNodes}.`),
  ];
  if (sentinel) {
    rules.push(
      rule('NuxeoRedisSentinelQuorumLost', 'critical', `redis_sentinel_master_ok_sentinels${sel()} < ${s.redis.quorum}`, '2m',
        'Sentinel {{ $labels.pod }} sees {{ $value }} healthy Sentinels, below the quorum of ' + s.redis.quorum,
        `No automatic failover can be agreed while fewer than ${s.redis.quorum} Sentinels see the master: a lost master then stops Nuxeo. Bring the Redis pods back (redis.replicas Sentinels run, one per pod; redis.sentinel.quorum sets the quorum).`),
      rule('NuxeoRedisFailover', 'info',
        `redis_instance_info${sel('role="master"')} and on (namespace, pod) (redis_instance_info${sel('role="slave"')} offset 15m)`, '0m',
        'Redis {{ $labels.pod }} became master (Sentinel failover in the last 15 minutes)',
        'Nuxeo follows the new master through Sentinel. Find why the former master went down (node drain, OOM: redis.resources.limits.memory); Works acknowledged by the old master only may be lost.'),
    );
  }
  return rules;
}

/** Nuxeo nodes and proxies down, the Chronicle Queue volume filling, consumers lagging, 5xx at the load balancer. */
function nuxeoRules(s: AlertSettings, sel: (extra?: string) => string, rule: RuleMaker): AlertRule[] {
  const nuxeoData = 'data-nuxeo-[0-9]+';
  const rules: AlertRule[] = [
    // As long as the startup probe allows (90 x 10 s): the reporter starts with the Nuxeo runtime.
    rule('NuxeoNodeDown', 'critical', unavailable(`up${sel('container="nuxeo"')}`, `up${sel('container="nuxeo"')}`, s.pods.nuxeo), '15m',
      'Nuxeo node {{ with $labels.pod }}{{ . }}{{ else }}pods{{ end }} missing or not answering metrics scrapes (expected ' + s.pods.nuxeo + ' nodes)',
      'The node is down or stuck: its Chronicle Queue streams (local to the node) are not processed meanwhile. Check the pod events and the nuxeo container log; nuxeo.replicas sets the cluster size, nuxeo.resources the node size.'),
    rule('NuxeoProxyDown', 'critical', unavailable(`nginx_up${sel()}`, `nginx_up${sel()}`, s.pods.nuxeo), '5m',
      'nginx proxy {{ with $labels.pod }}of {{ . }} {{ end }}missing or not answering its exporter (expected ' + s.pods.nuxeo + ')',
      'The load balancer reaches Nuxeo through this proxy only. Check the pod\'s proxy container log (nuxeo.proxy.resources sizes it).'),
    rule('NuxeoDataVolumeFilling', 'warning', `${freeRatio(sel, nuxeoData)} < ${VOLUME_FREE.nuxeoData}`, '10m',
      'Nuxeo data volume {{ $labels.persistentvolumeclaim }} has {{ $value | humanizePercentage }} free',
      'This volume holds the node\'s Chronicle Queue stream files, which are neither distributed nor fault tolerant: when it is full the node\'s streams stop. Lower nuxeo.streamRetention, or raise nuxeo.data.size (the StorageClass must allow expansion; resize each claim).'),
    rule('NuxeoDataVolumeFullSoon', 'critical',
      `(${freeRatio(sel, nuxeoData)} < 0.5) and predict_linear(kubelet_volume_stats_available_bytes${sel(`persistentvolumeclaim=~"${nuxeoData}"`)}[6h], 24 * 3600) < 0`, '30m',
      'Nuxeo data volume {{ $labels.persistentvolumeclaim }} fills within a day at the current rate',
      'The Chronicle Queue files grow faster than nuxeo.streamRetention deletes them. Lower nuxeo.streamRetention or raise nuxeo.data.size before the node\'s streams stop.'),
    rule('NuxeoStreamConsumerLag', 'warning',
      `min_over_time(dropwizard5_nuxeo_streams_global_stream_group_lag_gauge${sel()}[30m]) > 0 and delta(dropwizard5_nuxeo_streams_global_stream_group_lag_gauge${sel()}[30m]) > 0`, '0m',
      'Consumer {{ $labels.group }} of stream {{ $labels.stream }} on {{ $labels.pod }} falls behind ({{ $value }} records more in 30 minutes)',
      'With Chronicle Queue each node processes its own streams; records older than nuxeo.streamRetention are deleted whether processed or not. Check the node\'s log for failing computations; nuxeo.resources sizes the node.'),
  ];

  const errors = loadBalancerRequests(s, true);
  const requests = loadBalancerRequests(s, false);
  if (errors && requests) {
    rules.push(rule('NuxeoHttp5xxRateHigh', 'warning',
      // label_replace gives the label-less sums the namespace every other alert carries.
      `label_replace((${errors} / ${requests} > ${HTTP_5XX.ratio}) and ${requests} > ${HTTP_5XX.minRequestsPerSecond}, "namespace", "${s.namespace}", "", "")`, '10m',
      'Nuxeo answers {{ $value | humanizePercentage }} of requests with a 5xx error at the load balancer',
      'Find the status in the load balancer\'s and the nginx proxies\' access logs. 500: Nuxeo errors, see the nuxeo containers\' server.log (a database pool exhausted: nuxeo.databasePoolSize within database.maxConnections). ' +
      '502/503: no proxy or Nuxeo node answers (NuxeoNodeDown, NuxeoProxyDown; OOM-killed or starved nodes: nuxeo.resources, nuxeo.replicas). ' +
      '504: requests longer than loadBalancer.timeoutSeconds. README, "Monitoring", names the load balancer metrics this alert reads.'));
  }
  return rules;
}

/** PostgreSQL down, replicas not streaming or lagging, connections near max_connections (CloudNativePG: its own). */
function postgresRules(s: AlertSettings, sel: (extra?: string) => string, rule: RuleMaker): AlertRule[] {
  const pgConnections = `sum by (namespace, pod) (pg_stat_activity_count${sel()}) / on (namespace, pod) pg_settings_max_connections${sel()}`;
  return s.databaseProvider === 'cloudnativepg' ? cloudnativepgRules(s, sel, rule) : [
    rule('NuxeoPostgresqlDown', 'critical', unavailable(`pg_up${sel()}`, `pg_up${sel()}`, s.pods.database), '2m',
      'PostgreSQL {{ with $labels.pod }}{{ . }}{{ else }}pods{{ end }} missing or not answering the exporter (expected ' + s.pods.database + ')',
      'If this is the primary, Nuxeo cannot write: promotion of a replica is manual (README, "Manual recovery"). database.resources sizes the instances.'),
    rule('NuxeoPostgresqlReplicasNotStreaming', 'critical',
      `count by (namespace) (pg_stat_replication_pg_wal_lsn_diff${sel('pod="postgresql-primary-0"')}) < ${s.databaseReplicas} or absent(pg_stat_replication_pg_wal_lsn_diff${sel('pod="postgresql-primary-0"')})`, '5m',
      'Fewer replicas stream from the PostgreSQL primary than database.replicas (' + s.databaseReplicas + ')',
      'A replica that does not stream cannot be promoted without losing data. Check the postgresql-replica pods\' logs (a replica too far behind needs its data volume emptied to clone the primary again); database.replicas sets how many are expected.'),
    rule('NuxeoPostgresqlReplicaLagging', 'warning', `pg_stat_replication_pg_wal_lsn_diff${sel()} > ${PG_LAG_BYTES}`, '10m',
      'Replica {{ $labels.application_name }} is {{ $value | humanize1024 }}B of WAL behind the primary',
      'Promoting a lagging replica loses the missing transactions. Check the replica\'s disk and CPU (database.resources, database.storage).'),
    rule('NuxeoPostgresqlConnectionsHigh', 'warning', `${pgConnections} > ${PG_CONNECTIONS}`, '10m',
      'PostgreSQL {{ $labels.pod }} uses {{ $value | humanizePercentage }} of max_connections',
      'At max_connections Nuxeo nodes fail to open connections. Raise database.maxConnections, or lower nuxeo.databasePoolSize (all nodes\' pools must fit).'),
  ];
}

/** Elasticsearch not green, red, disk near the watermarks. */
function elasticsearchRules(sel: (extra?: string) => string, rule: RuleMaker): AlertRule[] {
  const esDisk = `1 - elasticsearch_filesystem_data_available_bytes${sel()} / elasticsearch_filesystem_data_size_bytes${sel()}`;
  return [
    // absent(): no exporter scraped at all (every pod gone) is not green either.
    rule('NuxeoElasticsearchNotGreen', 'warning', `max by (namespace, cluster) (elasticsearch_cluster_health_status${sel('color="green"')}) == 0 or absent(elasticsearch_cluster_health_status${sel('color="green"')})`, '10m',
      'Elasticsearch cluster {{ $labels.cluster }} is not green, or no Elasticsearch pod is scraped',
      'Some replica shards are unassigned: one more lost node may lose search and audit data; with no health reported at all, no Elasticsearch pod runs. Check disk usage and the Elasticsearch pods; elasticsearch.replicas and elasticsearch.indexReplicas set the redundancy.'),
    rule('NuxeoElasticsearchRed', 'critical', `max by (namespace, cluster) (elasticsearch_cluster_health_status${sel('color="red"')}) == 1`, '2m',
      'Elasticsearch cluster {{ $labels.cluster }} is red',
      'A primary shard is unassigned: Nuxeo searches and audit writes fail for its index. Bring the Elasticsearch pods back (a full disk: elasticsearch.storage.size; OOM: elasticsearch.resources); a re-index from Nuxeo may be needed.'),
    rule('NuxeoElasticsearchDiskNearWatermark', 'warning', `${esDisk} > ${ES_DISK_USED}`, '10m',
      'Elasticsearch {{ $labels.pod }} disk is {{ $value | humanizePercentage }} used',
      'At the low watermark (85% by default) Elasticsearch stops allocating shards to the node, at the flood stage (95%) indexes turn read-only. Raise elasticsearch.storage.size (expandable StorageClass) or add nodes (elasticsearch.replicas).'),
  ];
}

/** Every other volume nearly full, labelled with the field that sizes it. */
function volumeRules(s: AlertSettings, sel: (extra?: string) => string, rule: RuleMaker): AlertRule[] {
  return volumeFields(s).map((v) => {
    const r = rule('NuxeoVolumeNearlyFull', 'warning', `${freeRatio(sel, v.claims)} < ${VOLUME_FREE.other}`, '10m',
      'Volume {{ $labels.persistentvolumeclaim }} has {{ $value | humanizePercentage }} free',
      `Raise ${v.field} in the environment file (the StorageClass must allow expansion; resize each claim).`);
    return { ...r, labels: { ...r.labels, field: v.field } };
  });
}

type RuleMaker = (alert: string, severity: AlertRule['labels']['severity'], expr: string, forDuration: string, summary: string, description: string) => AlertRule;

/**
 * Backups that failed, for the mechanisms that are not CloudNativePG's (its own are in
 * cloudnativepgRules): the latest Job of each backup CronJob, from kube-state-metrics
 * (internal/store/job.go: `kube_job_failed{condition}`, `kube_job_status_start_time`, labelled
 * `namespace` and `job_name`; a CronJob names its Jobs `<cronjob>-<scheduled minute>`), and the
 * Elasticsearch SLM policy's failed snapshots, from elasticsearch_exporter v1.9.0 run with
 * `--collector.slm` (collector/slm.go: `elasticsearch_slm_stats_snapshots_failed_total{policy}`).
 */
function backupRules(b: NonNullable<AlertSettings['backups']>, sel: (extra?: string) => string, rule: RuleMaker): AlertRule[] {
  const rules: AlertRule[] = [];
  if (b.cronJobs.length) {
    const jobs = `job_name=~"(${b.cronJobs.join('|')})-[0-9]+"`;
    const byCronJob = (m: string) => `label_replace(${m}, "cronjob", "$1", "job_name", "(.+)-[0-9]+")`;
    const started = byCronJob(`kube_job_status_start_time${sel(jobs)}`);
    rules.push(rule('NuxeoBackupJobFailed', 'critical',
      // Only the newest Job of each CronJob counts: a later success clears the alert.
      `${byCronJob(`kube_job_failed${sel(`${jobs}, condition="true"`)}`)} == 1 and on (namespace, job_name) (${started} == on (namespace, cronjob) group_left () max by (namespace, cronjob) (${started}))`, '0m',
      'The latest Job {{ $labels.job_name }} of CronJob {{ $labels.cronjob }} failed',
      'postgresql-backup dumps the database (database.backup); elasticsearch-snapshots registers the snapshot repository and SLM policy. Read the Job\'s pod log (`kubectl logs job/{{ $labels.job_name }}`): a full backup volume (database.backup.storage.size), an unreachable server. README "Backups and restore" runs one by hand. Needs kube-state-metrics scraped by this Prometheus.'));
  }
  if (b.slmPolicy) {
    rules.push(rule('NuxeoElasticsearchSnapshotFailed', 'critical',
      `max by (namespace, policy) (increase(elasticsearch_slm_stats_snapshots_failed_total${sel(`policy="${b.slmPolicy}"`)}[1d])) > 0`, '0m',
      'Elasticsearch SLM policy {{ $labels.policy }} failed a snapshot in the last day',
      'The snapshot repository lives on the elasticsearch-snapshots volume (elasticsearch.snapshots.storage.size). `GET _slm/policy/{{ $labels.policy }}` shows last_failure with its reason; README "Backups and restore".'));
  }
  return rules;
}

/** Seconds a CloudNativePG standby may replay behind the primary. */
export const CNPG_LAG_SECONDS = 300;
/** Seconds without a WAL segment archived (CloudNativePG sets archive_timeout to 5 minutes). */
export const CNPG_ARCHIVE_STALE_SECONDS = 1800;

/**
 * The PostgreSQL alerts on CloudNativePG's metrics: the instance manager's collector
 * (`cnpg_collector_up`, pkg/management/postgres/webserver/metricserver/pg_collector.go) and the
 * operator's default queries (config/manager/default-monitoring.yaml at v1.30.0: `backends`,
 * `pg_replication`, `pg_settings`, `pg_stat_archiver`), named `cnpg_<query>_<column>`.
 */
function cloudnativepgRules(s: AlertSettings, sel: (extra?: string) => string, rule: RuleMaker): AlertRule[] {
  const primary = `cnpg_pg_replication_in_recovery${sel()} == 0`;
  return [
    rule('NuxeoPostgresqlDown', 'critical', unavailable(`cnpg_collector_up${sel()}`, `cnpg_collector_up${sel()}`, s.pods.database), '2m',
      'PostgreSQL instance {{ with $labels.pod }}{{ . }}{{ else }}pods{{ end }} missing or not answering its metrics collector (expected ' + s.pods.database + ')',
      'CloudNativePG replaces a lost primary by the most advanced standby on its own; check `kubectl get cluster postgresql` and the instance\'s log. database.resources sizes the instances.'),
    rule('NuxeoPostgresqlReplicasNotStreaming', 'critical',
      `max by (namespace) (cnpg_pg_replication_streaming_replicas${sel()} and on (namespace, pod) (${primary})) < ${s.databaseReplicas} or absent(cnpg_pg_replication_streaming_replicas${sel()})`, '5m',
      'Fewer standbys stream from the PostgreSQL primary than database.replicas (' + s.databaseReplicas + ')',
      'A failover can only promote a standby that streams. Check `kubectl get cluster postgresql` and the standbys\' logs; database.replicas sets how many are expected.'),
    rule('NuxeoPostgresqlReplicaLagging', 'warning', `cnpg_pg_replication_lag${sel()} > ${CNPG_LAG_SECONDS}`, '10m',
      'Standby {{ $labels.pod }} replays {{ $value | humanizeDuration }} behind the primary',
      'A failover to a lagging standby waits for it to catch up. Check the standby\'s disk and CPU (database.resources, database.storage).'),
    rule('NuxeoPostgresqlConnectionsHigh', 'warning',
      `sum by (namespace, pod) (cnpg_backends_total${sel()}) / on (namespace, pod) cnpg_pg_settings_setting${sel('name="max_connections"')} > ${PG_CONNECTIONS}`, '10m',
      'PostgreSQL {{ $labels.pod }} uses {{ $value | humanizePercentage }} of max_connections',
      'At max_connections Nuxeo nodes fail to open connections. Raise database.maxConnections, or lower nuxeo.databasePoolSize (all nodes\' pools must fit).'),
    rule('NuxeoPostgresqlWalNeverArchived', 'critical',
      // pg_stat_archiver reads -1 when last_archived_time is NULL (default-monitoring.yaml): never archived.
      `cnpg_pg_stat_archiver_seconds_since_last_archival${sel()} == -1 and on (namespace, pod) (${primary})`, '1h',
      'The PostgreSQL primary {{ $labels.pod }} has never archived a WAL segment',
      'Archiving has not worked since this primary started: no point-in-time recovery and no base backup is usable. Check the object store, its credentials or pod identity (database.backup.objectStore) and the primary\'s log (barman-cloud-wal-archive).'),
    // Stalled: nothing archived for long, or every attempt failing since the last success (an
    // unreachable store shows within minutes, not after CNPG_ARCHIVE_STALE_SECONDS).
    rule('NuxeoPostgresqlWalArchivingStalled', 'critical',
      `(cnpg_pg_stat_archiver_seconds_since_last_archival${sel()} > ${CNPG_ARCHIVE_STALE_SECONDS} or on (namespace, pod) `
      + `(cnpg_pg_stat_archiver_last_failed_time${sel()} > on (namespace, pod) cnpg_pg_stat_archiver_last_archived_time${sel()})) and on (namespace, pod) (${primary})`, '5m',
      'The PostgreSQL primary {{ $labels.pod }} cannot archive its WAL',
      'Point-in-time recovery and new standbys depend on the WAL archive, and unarchived WAL fills the volume. Check the object store and its credentials (database.backup.objectStore) and the primary\'s log.'),
    // The collector's backup timestamps (deprecated in 1.30 with the in-tree barmanObjectStore they report on).
    rule('NuxeoPostgresqlBackupFailed', 'critical',
      `cnpg_collector_last_failed_backup_timestamp${sel()} > on (namespace, pod) cnpg_collector_last_available_backup_timestamp${sel()}`, '0m',
      'The last PostgreSQL base backup failed',
      'Until a base backup completes, point-in-time recovery can only start from an older one (database.backup.retentionDays). See `kubectl get backups` for the error; check the object store and its credentials (database.backup.objectStore).'),
  ];
}
