/**
 * The generated monitoring objects under the real prometheus-operator and Prometheus (issue 24):
 * test/cluster/environments/monitoring.yaml (the sidecar-redis example on one node) deployed with
 * the checklist's Secrets, watched by the Prometheus that docs/monitoring.md tells users to
 * create. Every PodMonitor's targets are up, every metric an alert reads is in the TSDB, and two
 * of the seed's limits provoked for real raise their alerts. Figures are printed at the end
 * (docs/operators.md records them).
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { apply, createSecrets, deleteNamespace, execSh, getJson, kubectl, leaveNamespaces, recycleVolumes, Run, synthEnvironment, Synthesized, waitFor } from './kube';
import { alertRaised, installPrometheus, installPrometheusOperator, prometheusApi, uninstallPrometheus } from './prometheus';
import { operatorImages } from './upstream';

const ENV_FILE = path.join(__dirname, 'environments/monitoring.yaml');
/** Where the environment file says its Prometheus runs (monitoring.prometheus.namespace). */
const PROM_NS: string = parse(fs.readFileSync(ENV_FILE, 'utf8')).monitoring.prometheus.namespace;
const figures: Record<string, string | number> = {};
const seconds = (ms: number) => Math.round(ms / 100) / 10;

/** Scrape endpoints (PodMonitor/port) that cannot answer here, and why: their targets must be down. */
const NOT_SCRAPABLE_HERE: Record<string, string> = {
  'nuxeo/metrics': "Nuxeo's own Prometheus reporter (port 9090): the Nuxeo stand-in is not Nuxeo and serves no metrics",
};

/** Metric names the alerts read that cannot be in this Prometheus, and why: they must be absent. */
const NOT_HERE: Record<string, string> = {
  dropwizard5_nuxeo_streams_global_stream_group_lag_gauge: "Nuxeo's own reporter: the Nuxeo stand-in is not Nuxeo",
  kubelet_volume_stats_available_bytes: "the kubelet's, which the cluster's own Prometheus setup scrapes (docs/monitoring.md), not the generated PodMonitors",
  kubelet_volume_stats_capacity_bytes: "the kubelet's, which the cluster's own Prometheus setup scrapes (docs/monitoring.md), not the generated PodMonitors",
  // Names checked in elasticsearch_exporter v1.9.0's source (collector/nodes.go, collector/slm.go).
  elasticsearch_filesystem_data_available_bytes: 'the Elasticsearch stand-in answers _cluster/health only: no node stats (_nodes/_local/stats)',
  elasticsearch_filesystem_data_size_bytes: 'the Elasticsearch stand-in answers _cluster/health only: no node stats (_nodes/_local/stats)',
  elasticsearch_slm_stats_snapshots_failed_total: 'the Elasticsearch stand-in answers _cluster/health only: no snapshot lifecycle stats (_slm/stats)',
  kube_job_failed: 'kube-state-metrics, which the cluster\'s own setup runs and scrapes (the alert says so); not installed on the test cluster',
  kube_job_status_start_time: 'kube-state-metrics, as kube_job_failed',
};

jest.setTimeout(10 * 60 * 1000);

let env: Synthesized;
let ns: string;

/** A shell line in a container of the environment; never throws on the exit code. */
function sh(pod: string, container: string, line: string, timeoutMs = 60000): Promise<Run> {
  return execSh(ns, pod, container, line, timeoutMs);
}

/** The generated PodMonitors (name, selector, ports) and every alert expression. */
function monitoringObjects(): { podMonitors: { name: string; selector: Record<string, string>; ports: string[] }[]; exprs: string[] } {
  const file = env.files.find((f) => f.endsWith('60-monitoring.k8s.yaml'))!;
  const docs = parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS());
  return {
    podMonitors: docs.filter((d) => d.kind === 'PodMonitor').map((d) => ({
      name: d.metadata.name, selector: d.spec.selector.matchLabels, ports: d.spec.podMetricsEndpoints.map((e: any) => e.port),
    })),
    exprs: docs.filter((d) => d.kind === 'PrometheusRule').flatMap((d) => d.spec.groups.flatMap((g: any) => g.rules.map((r: any) => r.expr))),
  };
}

/** `podMonitor/pod/port` of every target the PodMonitors should yield: each selected pod with a container port of that name. */
async function expectedTargets(): Promise<string[]> {
  const pods = (await getJson(['-n', ns, 'pods'])).items;
  return monitoringObjects().podMonitors.flatMap((m) => pods
    .filter((p: any) => Object.entries(m.selector).every(([k, v]) => p.metadata.labels?.[k] === v))
    .flatMap((p: any) => m.ports
      .filter((port) => p.spec.containers.some((c: any) => (c.ports ?? []).some((cp: any) => cp.name === port)))
      .map((port) => `${m.name}/${p.metadata.name}/${port}`))).sort();
}

async function rollAll(): Promise<void> {
  for (const w of (await getJson(['-n', ns, 'statefulsets,deployments'])).items) {
    await kubectl(['-n', ns, 'rollout', 'status', `${w.kind.toLowerCase()}/${w.metadata.name}`, '--timeout=420s'], { timeoutMs: 430000 });
  }
}

beforeAll(async () => {
  figures['prometheus-operator + Prometheus builds, image pushes (s)'] = operatorImages('prometheus-operator', 'prometheus');
  env = synthEnvironment(ENV_FILE);
  ns = env.namespace;
  // An earlier run's leftovers.
  await Promise.all([deleteNamespace(ns), uninstallPrometheus(PROM_NS)]);
  await recycleVolumes();
  let start = Date.now();
  await installPrometheusOperator();
  figures['operator installed (s)'] = seconds(Date.now() - start);
  start = Date.now();
  await apply([env.files[0]]);
  await createSecrets(env);
  await apply(env.files.slice(1));
  await rollAll();
  figures['environment applied and rolled out (s)'] = seconds(Date.now() - start);
  start = Date.now();
  await installPrometheus(PROM_NS, ns);
  figures['documented Prometheus installed and ready (s)'] = seconds(Date.now() - start);
}, 20 * 60 * 1000);

afterAll(async () => {
  if (ns) await leaveNamespaces(ns, PROM_NS);
  if (env) fs.rmSync(path.dirname(env.dir), { recursive: true, force: true });
  console.log(`monitoring figures:\n${Object.entries(figures).map(([k, v]) => `  ${k}: ${v}`).join('\n')}`);
}, 5 * 60 * 1000);

it('scrapes every target of every generated PodMonitor: up, but for the endpoints that cannot answer here', async () => {
  const expected = await expectedTargets();
  expect(expected.length).toBeGreaterThan(0);
  let seen: Record<string, string> = {};
  const ms = await waitFor(async () => {
    const active = (await prometheusApi(PROM_NS, '/api/v1/targets?state=active')).activeTargets
      .filter((t: any) => t.labels.namespace === ns && t.health !== 'unknown');
    // scrapePool is podMonitor/<namespace>/<name>/<endpoint index>.
    seen = Object.fromEntries(active.map((t: any) => [`${t.scrapePool.split('/')[2]}/${t.labels.pod}/${t.labels.endpoint}`, t.health]));
    return expected.every((k) => seen[k] === (NOT_SCRAPABLE_HERE[k.replace(/\/[^/]+\//, '/')] ? 'down' : 'up'));
  }, 4 * 60 * 1000, `targets ${expected.join(', ')} scraped, up but for ${Object.keys(NOT_SCRAPABLE_HERE).join(', ')}`).catch((e) => {
    throw new Error(`${e.message}\nseen: ${JSON.stringify(seen, null, 1)}`);
  });
  expect(Object.keys(seen).sort()).toEqual(expected);
  const up = Object.values(seen).filter((h) => h === 'up').length;
  figures['PodMonitor targets up'] = `${up} of ${expected.length} after ${seconds(ms)} s (down as expected: ${Object.keys(NOT_SCRAPABLE_HERE).join(', ')})`;
});

it('holds in its TSDB every metric name an alert reads, after one scrape interval, but the listed ones', async () => {
  const names = [...new Set(monitoringObjects().exprs.flatMap((e) => [...e.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map((m) => m[1])))].sort();
  // The PodMonitors scrape every 30 s: one more interval after the previous test saw every target scraped.
  await new Promise((r) => setTimeout(r, 30000));
  const missing: string[] = [];
  for (const name of names) {
    const r = await prometheusApi(PROM_NS, `/api/v1/query?query=${encodeURIComponent(`count(${name}{namespace="${ns}"})`)}`);
    if (!r.result.length) missing.push(name);
  }
  figures['metric names read by the alerts'] = `${names.length - missing.length} of ${names.length} present; absent, as listed: ${missing.join(', ')}`;
  expect(missing).toEqual(Object.keys(NOT_HERE).sort());
});

it('loads every generated alert through its ruleSelector, and evaluates each without error', async () => {
  const generated = monitoringObjects().exprs.length;
  let rules: any[] = [];
  await waitFor(async () => {
    rules = (await prometheusApi(PROM_NS, '/api/v1/rules?type=alert')).groups
      .filter((g: any) => g.file.includes(`/${ns}-`)).flatMap((g: any) => g.rules);
    return rules.length === generated && rules.every((r: any) => r.health !== 'unknown');
  }, 2 * 60 * 1000, `${generated} alerting rules loaded and evaluated`);
  expect(rules.filter((r: any) => r.health !== 'ok').map((r: any) => `${r.name}: ${r.lastError}`)).toEqual([]);
});

/** Alerts that the healthy environment raises here, and why. */
const RAISED_HERE: Record<string, string> = {
  NuxeoNodeDown: 'its metrics targets are down: the Nuxeo stand-in serves no metrics (NOT_SCRAPABLE_HERE)',
};

it('raises no alert on the healthy environment but the listed ones', async () => {
  const raised = (await prometheusApi(PROM_NS, '/api/v1/alerts')).alerts.filter((a: any) => a.labels.namespace === ns);
  expect([...new Set(raised.map((a: any) => a.labels.alertname))].sort()).toEqual(Object.keys(RAISED_HERE).sort());
});

it('raises NuxeoRedisMemoryHigh when the Redis master holds more than 75 % of maxmemory', async () => {
  // Sidecar mode: the master is the Redis of nuxeo-0 (its replica, in nuxeo-1, follows).
  const cli = 'REDISCLI_AUTH="$(cat "$REDIS_AUTH_FILE")" redis-cli -h 127.0.0.1 -p "$REDIS_PORT"';
  expect((await sh('nuxeo-0', 'redis', `${cli} role | head -n 1`)).stdout.trim()).toBe('master');
  // 38 values of just under 1 MiB, made by the server (SETRANGE past the end): about 81 % of
  // maxmemory 48Mi, above 75 %, below the 90 % of NuxeoRedisMemoryCritical. (A Lua loop of
  // string.rep doubles the memory with its garbage: the container's 64Mi limit OOM-kills it.)
  const fill = await sh('nuxeo-0', 'redis', `for i in $(seq 38); do echo "SETRANGE fill:$i 1048000 x"; done | ${cli}`);
  expect({ replies: fill.stdout.trim().split('\n'), stderr: fill.stderr }).toEqual({ replies: Array(38).fill('1048001'), stderr: '' });
  try {
    figures['NuxeoRedisMemoryHigh pending after the fill (s)'] = seconds(await alertRaised(PROM_NS, 'NuxeoRedisMemoryHigh', 3 * 60 * 1000));
  } finally {
    await sh('nuxeo-0', 'redis', `${cli} del ${Array.from({ length: 38 }, (_, i) => `fill:${i + 1}`).join(' ')}`);
  }
});

it('raises NuxeoPostgresqlReplicasNotStreaming when the PostgreSQL replica is stopped', async () => {
  await kubectl(['-n', ns, 'scale', 'statefulset/postgresql-replica', '--replicas=0']);
  try {
    figures['NuxeoPostgresqlReplicasNotStreaming pending after the replica is scaled to 0 (s)'] = seconds(await alertRaised(PROM_NS, 'NuxeoPostgresqlReplicasNotStreaming', 3 * 60 * 1000));
  } finally {
    await kubectl(['-n', ns, 'scale', 'statefulset/postgresql-replica', '--replicas=1']);
  }
});
