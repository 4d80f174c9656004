/**
 * The synthesized PrometheusRule, checked and unit-tested by Debian's promtool: `check rules`
 * compiles every expression and annotation template; `test rules` evaluates every alert on
 * synthetic series, once where it must fire (with the labels it must carry) and once where it
 * must stay quiet. A new alert without a case here fails the test.
 */
import * as fs from 'fs';
import * as path from 'path';
import { stringify } from 'yaml';
import { environment, find, shippedEnvironments } from '../helpers';
import { allManifests } from '../helpers';
import type { Environment } from '../../app/environment';
import { run, Servers } from './harness';

const servers = new Servers();
afterAll(() => servers.stopAll());

type Labels = Record<string, string>;
interface Series { series: string; values: string }
interface Case {
  /** Series that make the alert fire, evaluated at `at`, with the labels the alert must carry. */
  fire: { series: Series[]; at: string; labels: Labels[]; extraLabels?: Labels };
  /** Series close to the first that must not fire it. */
  quiet: { series: Series[]; at: string };
  /** Further firing cases, where one alert reads its metric under several label sets. */
  moreFire?: Case['fire'][];
  /** Further quiet cases, where one alert has several ways to be wrongly fired. */
  moreQuiet?: { series: Series[]; at: string }[];
}

const s = (name: string, labels: Labels, values: string): Series =>
  ({ series: `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}}`, values });

/** The pods of an environment that export each availability metric, named as the manifests name them. */
interface Fleet { nuxeo: string[]; redis: string[]; database: string[] }

/**
 * An availability metric over a fleet: every pod answering 1 but the first, answering `first`;
 * `gone` pods from the end have no series at all (a deleted pod is not scraped).
 */
function fleet(metric: string, ns: string, pods: string[], extra: Labels, first: string, gone = 0): Series[] {
  return pods.slice(0, pods.length - gone).map((p, i) => s(metric, { namespace: ns, pod: p, ...extra }, i === 0 ? first : '1x30'));
}

/** The four ways an availability alert is checked: a pod answering 0, a pod gone, all gone (absent), all up. */
function availability(metric: string, ns: string, pods: string[], extra: Labels, at: string, absentLabels: Labels): Case {
  const other = s(metric, { namespace: 'elsewhere', pod: 'x-0', ...extra }, '1x30');
  return {
    fire: { series: fleet(metric, ns, pods, extra, '0x30'), at, labels: [{ namespace: ns, pod: pods[0], ...extra }, { namespace: ns }] },
    moreFire: [
      { series: [...fleet(metric, ns, pods, extra, '1x30', 1), other], at, labels: [{ namespace: ns }] },
      { series: [other], at, labels: [{ namespace: ns, ...absentLabels }] },
    ],
    quiet: { series: fleet(metric, ns, pods, extra, '1x30'), at },
  };
}

/** One case per alert, for namespace `ns`, Sentinel quorum `quorum`, `replicas` database replicas. */
function cases(ns: string, quorum: number, replicas: number, provider: string, pods: Fleet, cronJobs: string[]): Record<string, Case> {
  const pod = (p: string, extra: Labels = {}) => ({ namespace: ns, pod: p, ...extra });
  const pvc = (claim: string) => ({ namespace: ns, persistentvolumeclaim: claim });
  const volume = (claim: string, available: string) => [s('kubelet_volume_stats_available_bytes', pvc(claim), available), s('kubelet_volume_stats_capacity_bytes', pvc(claim), '100x120')];
  const redisMemory = (used: number) => [s('redis_memory_used_bytes', pod('redis-0'), `${used}x30`), s('redis_memory_max_bytes', pod('redis-0'), '100x30')];
  const replication = (n: number, lag: string) => Array.from({ length: n }, (_, i) => s('pg_stat_replication_pg_wal_lsn_diff', pod('postgresql-primary-0', { application_name: `postgresql-replica-${i}` }), lag));
  const connections = (idle: number) => [
    s('pg_stat_activity_count', pod('postgresql-primary-0', { datname: 'nuxeo', state: 'idle' }), `${idle}x30`),
    s('pg_stat_activity_count', pod('postgresql-primary-0', { datname: 'nuxeo', state: 'active' }), '10x30'),
    s('pg_settings_max_connections', pod('postgresql-primary-0'), '200x30'),
  ];
  const health = (green: number, red: number) => [
    s('elasticsearch_cluster_health_status', pod('elasticsearch-0', { cluster: 'nuxeo', color: 'green' }), `${green}x30`),
    s('elasticsearch_cluster_health_status', pod('elasticsearch-0', { cluster: 'nuxeo', color: 'red' }), `${red}x30`),
  ];
  const esDisk = (available: number) => [s('elasticsearch_filesystem_data_available_bytes', pod('elasticsearch-0'), `${available}x30`), s('elasticsearch_filesystem_data_size_bytes', pod('elasticsearch-0'), '100x30')];
  const dbClaim = provider === 'cloudnativepg' ? 'postgresql-2' : 'data-postgresql-replica-1';
  const lag = (values: string) => [s('dropwizard5_nuxeo_streams_global_stream_group_lag_gauge', pod('nuxeo-0', { stream: 'bulk/index', group: 'bulk/index' }), values)];
  return {
    NuxeoRedisDown: availability('redis_up', ns, pods.redis, { container: 'redis-exporter' }, '5m', { container: 'redis-exporter' }),
    NuxeoRedisMemoryHigh: { fire: { series: redisMemory(80), at: '15m', labels: [pod('redis-0')] }, quiet: { series: redisMemory(70), at: '15m' } },
    NuxeoRedisMemoryCritical: { fire: { series: redisMemory(95), at: '5m', labels: [pod('redis-0')] }, quiet: { series: redisMemory(85), at: '5m' } },
    NuxeoRedisMasterWithoutReplicas: {
      fire: { series: [s('redis_connected_slaves', pod('redis-0'), '0x10'), s('redis_instance_info', pod('redis-0', { role: 'master' }), '1x10')], at: '8m', labels: [pod('redis-0')] },
      // A replica has no replicas of its own: that is no reason to warn.
      quiet: { series: [s('redis_connected_slaves', pod('redis-1'), '0x10'), s('redis_instance_info', pod('redis-1', { role: 'slave' }), '1x10')], at: '8m' },
    },
    NuxeoRedisSentinelQuorumLost: {
      fire: { series: [s('redis_sentinel_master_ok_sentinels', pod('redis-0', { master_name: 'mymaster' }), `${quorum - 1}x10`)], at: '5m', labels: [pod('redis-0', { master_name: 'mymaster' })] },
      quiet: { series: [s('redis_sentinel_master_ok_sentinels', pod('redis-0', { master_name: 'mymaster' }), `${quorum}x10`)], at: '5m' },
    },
    NuxeoRedisFailover: {
      fire: { series: [s('redis_instance_info', pod('redis-1', { role: 'slave' }), '1x20'), s('redis_instance_info', pod('redis-1', { role: 'master' }), '_x20 1x10')], at: '25m', labels: [pod('redis-1', { role: 'master' })] },
      quiet: { series: [s('redis_instance_info', pod('redis-0', { role: 'master' }), '1x40'), s('redis_instance_info', pod('redis-1', { role: 'slave' }), '1x40')], at: '25m' },
    },
    NuxeoNodeDown: {
      ...availability('up', ns, pods.nuxeo, { container: 'nuxeo' }, '16m', { container: 'nuxeo' }),
      // A node still starting (package install, first repository init) is not down yet.
      moreQuiet: [{ series: fleet('up', ns, pods.nuxeo, { container: 'nuxeo' }, '0x10 1x20'), at: '16m' }],
    },
    NuxeoProxyDown: availability('nginx_up', ns, pods.nuxeo, {}, '6m', {}),
    NuxeoDataVolumeFilling: { fire: { series: volume('data-nuxeo-0', '20x30'), at: '15m', labels: [pvc('data-nuxeo-0')] }, quiet: { series: [...volume('data-nuxeo-0', '30x30'), ...volume('data-elasticsearch-0', '5x30')], at: '15m' } },
    NuxeoDataVolumeFullSoon: {
      // 45% free, losing 3% an hour: empty in 15 hours.
      fire: { series: volume('data-nuxeo-0', '45-0.05x120'), at: '100m', labels: [pvc('data-nuxeo-0')] },
      quiet: { series: volume('data-nuxeo-0', '45x120'), at: '100m' },
    },
    NuxeoStreamConsumerLag: {
      fire: { series: lag('0+10x60'), at: '45m', labels: [pod('nuxeo-0', { stream: 'bulk/index', group: 'bulk/index' })] },
      // A steady backlog that is being worked through is not falling behind.
      quiet: { series: lag('100x60'), at: '45m' },
    },
    NuxeoPostgresqlDown: availability('pg_up', ns, pods.database, {}, '5m', {}),
    NuxeoPostgresqlReplicasNotStreaming: {
      fire: replicas > 1
        ? { series: replication(replicas - 1, '0x10'), at: '8m', labels: [{ namespace: ns }] }
        : { series: [s('pg_up', pod('postgresql-primary-0'), '1x10')], at: '8m', labels: [pod('postgresql-primary-0')] },
      quiet: { series: replication(replicas, '0x10'), at: '8m' },
    },
    NuxeoPostgresqlReplicaLagging: {
      fire: { series: replication(1, `${512 * 1024 * 1024}x20`), at: '15m', labels: [pod('postgresql-primary-0', { application_name: 'postgresql-replica-0' })] },
      quiet: { series: replication(1, `${1024 * 1024}x20`), at: '15m' },
    },
    NuxeoPostgresqlConnectionsHigh: { fire: { series: connections(170), at: '15m', labels: [pod('postgresql-primary-0')] }, quiet: { series: connections(100), at: '15m' } },
    NuxeoElasticsearchNotGreen: {
      fire: { series: health(0, 0), at: '15m', labels: [{ namespace: ns, cluster: 'nuxeo' }] },
      // No Elasticsearch pod scraped at all.
      moreFire: [{ series: [s('elasticsearch_cluster_health_status', { namespace: 'elsewhere', pod: 'es-0', cluster: 'x', color: 'green' }, '1x30')], at: '15m', labels: [{ namespace: ns, color: 'green' }] }],
      quiet: { series: health(1, 0), at: '15m' },
    },
    NuxeoElasticsearchRed: { fire: { series: health(0, 1), at: '5m', labels: [{ namespace: ns, cluster: 'nuxeo' }] }, quiet: { series: health(0, 0), at: '5m' } },
    NuxeoElasticsearchDiskNearWatermark: { fire: { series: esDisk(15), at: '15m', labels: [pod('elasticsearch-0')] }, quiet: { series: esDisk(30), at: '15m' } },
    NuxeoVolumeNearlyFull: {
      fire: { series: volume(dbClaim, '10x30'), at: '15m', labels: [pvc(dbClaim)], extraLabels: { field: 'database.storage.size' } },
      // The Nuxeo data volume has its own, earlier alerts.
      quiet: { series: [...volume(dbClaim, '20x30'), ...volume('data-nuxeo-0', '5x30')], at: '15m' },
    },
    ...(provider === 'cloudnativepg' ? cloudnativepgCases(ns, replicas, pods) : {}),
    ...backupCases(ns, cronJobs),
  };
}

/** The backup CronJobs' Jobs (kube-state-metrics) and the SLM policy's counters (elasticsearch_exporter). */
function backupCases(ns: string, cronJobs: string[]): Record<string, Case> {
  const job = (name: string, started: number, failed: boolean): Series[] => [
    s('kube_job_status_start_time', { namespace: ns, job_name: name }, `${started}x30`),
    ...(failed ? [s('kube_job_failed', { namespace: ns, job_name: name, condition: 'true' }, '1x30'), s('kube_job_failed', { namespace: ns, job_name: name, condition: 'false' }, '0x30')] : []),
  ];
  const failedLatest = (c: string): Case['fire'] => ({
    series: [...job(`${c}-100`, 100, false), ...job(`${c}-200`, 200, true)], at: '5m',
    labels: [{ namespace: ns, job_name: `${c}-200`, condition: 'true', cronjob: c }],
  });
  const slm = (pod: string, values: string) => s('elasticsearch_slm_stats_snapshots_failed_total', { namespace: ns, pod, policy: 'nuxeo-daily' }, values);
  return {
    NuxeoBackupJobFailed: {
      fire: failedLatest(cronJobs[0]),
      moreFire: cronJobs.slice(1).map(failedLatest),
      // A failed Job followed by a newer one that did not fail (and a Job of another CronJob failing).
      quiet: { series: [...job(`${cronJobs[0]}-200`, 200, true), ...job(`${cronJobs[0]}-300`, 300, false), ...job('other-cron-400', 400, true)], at: '5m' },
    },
    NuxeoElasticsearchSnapshotFailed: {
      // Each node's exporter reports the cluster's SLM stats: one alert for the policy.
      fire: { series: [slm('elasticsearch-0', '0x30 1x30'), slm('elasticsearch-1', '0x30 1x30')], at: '50m', labels: [{ namespace: ns, policy: 'nuxeo-daily' }] },
      // Failures counted before the last day, none since.
      quiet: { series: [slm('elasticsearch-0', '3x1500')], at: '1500m' },
    },
  };
}

/**
 * The 5xx-rate case on the load balancer's metrics, named after the Ingress / HTTPRoute the
 * environment really renders (so a renamed route fails here); undefined for provider `service`.
 */
function http5xxCase(env: Environment): Record<string, Case> {
  const ns = env.spec.namespace;
  const manifests = allManifests(env);
  const named = (kind: string) => manifests.filter((m) => m.kind === kind).map((m) => m.metadata.name as string);
  // Per-second rates of 200 and 500 responses, over 30 minutes sampled every minute.
  const counter = (perSecond: number) => `0+${perSecond * 60}x30`;
  let series: (status: number, perSecond: number, route?: string) => Series;
  let moreFire: Case['fire'][] | undefined;
  switch (env.spec.loadBalancer.provider) {
    case 'ingress-nginx': {
      const [ingress] = named('Ingress');
      const labels = { controller_namespace: 'ingress-nginx', service: 'nuxeo', method: 'GET', path: '/', canary: '' };
      series = (status, perSecond, route = ingress) => s('nginx_ingress_controller_requests',
        { ...labels, namespace: 'ingress-nginx', exported_namespace: ns, ingress: route, status: String(status) }, counter(perSecond));
      // Scraped with honorLabels, the Ingress' namespace stays `namespace`.
      const honored = (status: number, perSecond: number) => s('nginx_ingress_controller_requests', { ...labels, namespace: ns, ingress, status: String(status) }, counter(perSecond));
      moreFire = [{ series: [honored(200, 9), honored(500, 1)], at: '20m', labels: [{ namespace: ns }] }];
      break;
    }
    case 'traefik': {
      const backend = find(manifests, 'Ingress', named('Ingress')[0]).spec.rules[0].http.paths[0].backend.service;
      series = (status, perSecond, route = `${ns}-${backend.name}-${backend.port.name}@kubernetes`) => s('traefik_service_requests_total',
        { namespace: 'traefik', service: route, code: String(status), method: 'GET', protocol: 'http' }, counter(perSecond));
      break;
    }
    case 'gateway-api': {
      const [route0] = named('HTTPRoute');
      series = (status, perSecond, route = `httproute/${ns}/${route0}/rule/0`) => s('envoy_cluster_upstream_rq_xx',
        { namespace: 'envoy-gateway-system', envoy_cluster_name: route, envoy_response_code_class: String(status).charAt(0) }, counter(perSecond));
      break;
    }
    case 'service':
      return {};
  }
  return {
    NuxeoHttp5xxRateHigh: {
      // 10% of 10 requests per second.
      fire: { series: [series(200, 9), series(500, 1)], at: '20m', labels: [{ namespace: ns }] },
      // 2% errors on a busy site, beside another route with many errors.
      quiet: { series: [series(200, 9.8), series(500, 0.2), series(500, 5, 'other'), series(200, 1, 'other')], at: '20m' },
      // Half the requests failing on an idle site (0.1 per second).
      moreQuiet: [{ series: [series(200, 0.05), series(500, 0.05)], at: '20m' }],
      moreFire,
    },
  };
}

/** CloudNativePG's metrics for the PostgreSQL alerts (instances postgresql-1 ... ; 1 is the primary here). */
function cloudnativepgCases(ns: string, replicas: number, pods: Fleet): Record<string, Case> {
  const pod = (p: string, extra: Labels = {}) => ({ namespace: ns, pod: p, ...extra });
  const inRecovery = (p: string, v: number) => s('cnpg_pg_replication_in_recovery', pod(p), `${v}x30`);
  const streaming = (n: number) => [inRecovery('postgresql-1', 0), s('cnpg_pg_replication_streaming_replicas', pod('postgresql-1'), `${n}x30`), inRecovery('postgresql-2', 1), s('cnpg_pg_replication_streaming_replicas', pod('postgresql-2'), '0x30')];
  const connections = (n: number) => [
    s('cnpg_backends_total', pod('postgresql-1', { datname: 'nuxeo', usename: 'nuxeo', application_name: 'nuxeo', state: 'idle' }), `${n}x30`),
    s('cnpg_backends_total', pod('postgresql-1', { datname: 'nuxeo', usename: 'nuxeo', application_name: 'nuxeo', state: 'active' }), '10x30'),
    s('cnpg_pg_settings_setting', pod('postgresql-1', { name: 'max_connections' }), '200x30'),
  ];
  const archived = (primary: number, standby: number, minutes = 30) => [
    s('cnpg_pg_replication_in_recovery', pod('postgresql-1'), `0x${minutes}`), s('cnpg_pg_stat_archiver_seconds_since_last_archival', pod('postgresql-1'), `${primary}x${minutes}`),
    // A standby archives nothing: its age must not alert.
    s('cnpg_pg_replication_in_recovery', pod('postgresql-2'), `1x${minutes}`), s('cnpg_pg_stat_archiver_seconds_since_last_archival', pod('postgresql-2'), `${standby}x${minutes}`),
  ];
  const backups = (failed: number, available: number) => [
    s('cnpg_collector_last_failed_backup_timestamp', pod('postgresql-1'), `${failed}x30`),
    s('cnpg_collector_last_available_backup_timestamp', pod('postgresql-1'), `${available}x30`),
  ];
  // Epochs of the last archived and last failed WAL on the primary; a standby failing after `standbyFailed`.
  const archiving = (archivedAt: number, failedAt: string, standbyFailed: number) => [
    inRecovery('postgresql-1', 0), s('cnpg_pg_stat_archiver_seconds_since_last_archival', pod('postgresql-1'), '120+60x30'),
    s('cnpg_pg_stat_archiver_last_archived_time', pod('postgresql-1'), `${archivedAt}x30`), s('cnpg_pg_stat_archiver_last_failed_time', pod('postgresql-1'), failedAt),
    inRecovery('postgresql-2', 1), s('cnpg_pg_stat_archiver_last_archived_time', pod('postgresql-2'), '1000x30'), s('cnpg_pg_stat_archiver_last_failed_time', pod('postgresql-2'), `${standbyFailed}x30`),
  ];
  return {
    NuxeoPostgresqlDown: availability('cnpg_collector_up', ns, pods.database, {}, '5m', {}),
    NuxeoPostgresqlReplicasNotStreaming: { fire: { series: streaming(replicas - 1), at: '8m', labels: [{ namespace: ns }] }, quiet: { series: streaming(replicas), at: '8m' } },
    NuxeoPostgresqlReplicaLagging: { fire: { series: [s('cnpg_pg_replication_lag', pod('postgresql-2'), '600x20')], at: '15m', labels: [pod('postgresql-2')] }, quiet: { series: [s('cnpg_pg_replication_lag', pod('postgresql-2'), '30x20')], at: '15m' } },
    NuxeoPostgresqlConnectionsHigh: { fire: { series: connections(170), at: '15m', labels: [pod('postgresql-1')] }, quiet: { series: connections(100), at: '15m' } },
    NuxeoPostgresqlWalArchivingStalled: {
      fire: { series: archived(3600, 0), at: '10m', labels: [pod('postgresql-1')] },
      quiet: { series: archived(60, 7200), at: '10m' },
      // Every attempt failing since the last success (object store unreachable): long before 30 minutes pass.
      moreFire: [{ series: archiving(1000, '1060+60x30', 0), at: '10m', labels: [pod('postgresql-1')] }],
      // A failure, then a success; and a standby's archiver, which the primary's alert must ignore.
      moreQuiet: [{ series: archiving(1600, '1500x30', 0), at: '10m' }, { series: archiving(1600, '1600x30', 1700), at: '10m' }],
    },
    // -1: pg_stat_archiver.last_archived_time is NULL; a standby's -1 is no concern.
    NuxeoPostgresqlWalNeverArchived: { fire: { series: archived(-1, 60, 90), at: '70m', labels: [pod('postgresql-1')] }, quiet: { series: archived(60, -1, 90), at: '70m' } },
    NuxeoPostgresqlBackupFailed: {
      fire: { series: backups(2000, 1000), at: '5m', labels: [pod('postgresql-1')] },
      // Failed before any backup ever succeeded (0: none).
      moreFire: [{ series: backups(1000, 0), at: '5m', labels: [pod('postgresql-1')] }],
      // A failure followed by a success; and no backup yet at all.
      quiet: { series: backups(1000, 2000), at: '5m' },
      moreQuiet: [{ series: backups(0, 0), at: '5m' }],
    },
  };
}

/** Pod names from the manifests: StatefulSets' ordinals, CloudNativePG's instances (<cluster>-1 ...). */
function fleetOf(env: Environment): Fleet {
  const manifests = allManifests(env);
  const ordinals = (kind: string, name: string) => {
    const m = manifests.find((x) => x.kind === kind && x.metadata.name === name);
    if (!m) return [];
    return kind === 'Cluster'
      ? Array.from({ length: m.spec.instances }, (_, i) => `${name}-${i + 1}`)
      : Array.from({ length: m.spec.replicas }, (_, i) => `${name}-${i}`);
  };
  const redis = ordinals('StatefulSet', 'redis');
  return {
    nuxeo: ordinals('StatefulSet', 'nuxeo'),
    redis: redis.length ? redis : ordinals('StatefulSet', 'nuxeo'),
    database: [...ordinals('StatefulSet', 'postgresql-primary'), ...ordinals('StatefulSet', 'postgresql-replica'), ...ordinals('Cluster', 'postgresql')],
  };
}

/** The CronJobs that run on schedule (the restore job is suspended). */
function backupCronJobs(env: Environment): string[] {
  return allManifests(env).filter((m) => m.kind === 'CronJob' && !m.spec.suspend).map((m) => m.metadata.name as string);
}

// The shipped environments use ingress-nginx and gateway-api; two more cover the other load balancers.
const environments = [
  ...shippedEnvironments(),
  environment('traefik', { loadBalancer: { provider: 'traefik', host: 'traefik.example.com' } }),
  environment('service', { loadBalancer: { provider: 'service', host: 'service.example.com' } }),
];

describe.each(environments.map((e) => [e.name, e] as const))('alert rules of %s', (_name, env) => {
  const rule = find(allManifests(env), 'PrometheusRule', 'nuxeo-compact');
  const dir = servers.tmpdir('promtool');
  const rulesFile = path.join(dir, 'rules.yaml');
  fs.writeFileSync(rulesFile, stringify({ groups: rule.spec.groups }));
  const alerts: string[] = [...new Set<string>(rule.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.alert)))];
  const spec = env.spec;
  const quorum = spec.redis.sentinel.quorum ?? Math.floor(spec.redis.replicas / 2) + 1;

  test('promtool check rules accepts every expression and template', () => {
    expect(run('promtool', ['check', 'rules', rulesFile])).toMatch(/SUCCESS: \d+ rules found/);
  });

  test('promtool test rules: each alert fires on its case and stays quiet on the other', () => {
    const all = { ...cases(spec.namespace, quorum, spec.database.replicas, spec.database.provider, fleetOf(env), backupCronJobs(env)), ...http5xxCase(env) };
    expect(alerts.filter((a) => !all[a])).toEqual([]);
    // Annotations are templates `check rules` validated; the unit tests compare labels only.
    const bare = path.join(dir, 'bare-rules.yaml');
    fs.writeFileSync(bare, stringify({ groups: rule.spec.groups.map((g: any) => ({ ...g, rules: g.rules.map(({ annotations: _a, ...r }: any) => r) })) }));
    const tests = alerts.flatMap((alert) => {
      const c = all[alert];
      const severity = rule.spec.groups.flatMap((g: any) => g.rules).find((r: any) => r.alert === alert).labels.severity;
      const extra = c.fire.extraLabels ?? {};
      return [
        ...[c.fire, ...(c.moreFire ?? [])].map((f) => ({ interval: '1m', input_series: f.series, alert_rule_test: [{ eval_time: f.at, alertname: alert, exp_alerts: f.labels.map((l) => ({ exp_labels: { ...l, ...extra, severity } })) }] })),
        ...[c.quiet, ...(c.moreQuiet ?? [])].map((q) => ({ interval: '1m', input_series: q.series, alert_rule_test: [{ eval_time: q.at, alertname: alert, exp_alerts: [] }] })),
      ];
    });
    const testFile = path.join(dir, 'tests.yaml');
    fs.writeFileSync(testFile, stringify({ rule_files: [bare], evaluation_interval: '1m', tests }));
    expect(run('promtool', ['test', 'rules', testFile])).toMatch(/SUCCESS/);
    expect(tests.length).toBe(alerts.reduce((n, a) => n + 2 + (all[a].moreFire?.length ?? 0) + (all[a].moreQuiet?.length ?? 0), 0));
  });

  test('every backup mechanism has a failure alert, reading metrics that are exported', () => {
    const expected = [
      ...(backupCronJobs(env).length ? ['NuxeoBackupJobFailed'] : []),
      ...(spec.database.provider === 'cloudnativepg' ? ['NuxeoPostgresqlBackupFailed', 'NuxeoPostgresqlWalNeverArchived'] : []),
      ...(spec.elasticsearch.managed ? [] : ['NuxeoElasticsearchSnapshotFailed']),
    ];
    expect(expected.length).toBeGreaterThanOrEqual(2);
    expect(alerts).toEqual(expect.arrayContaining(expected));
    // The SLM collector is off unless asked for (elasticsearch_exporter v1.9.0 collector/slm.go).
    const es = find(allManifests(env), 'StatefulSet', 'elasticsearch').spec.template.spec.containers.find((c: any) => c.name === 'es-exporter');
    expect(es.args).toContain('--collector.slm');
    expect(alerts.includes('NuxeoPostgresqlBackupFailed')).toBe(spec.database.provider === 'cloudnativepg');
  });

  test('a 5xx-rate alert exactly where the load balancer counts HTTP responses', () => {
    expect(alerts.includes('NuxeoHttp5xxRateHigh')).toBe(spec.loadBalancer.provider !== 'service');
  });
});
