import { SUMMARY_FILE, synthesizeEnvironment } from '../../app/synth';
import { parseProperties } from '../../lib/nuxeo/nuxeo-conf';
import { architectureWarnings } from '../../app/warnings';
import { METRICS } from '../../lib/k8s/exporters';
import { allContainers, allManifests, environment, environmentMatrix, find, Manifest, matches, operatorPods, shippedEnvironments, workloads } from '../helpers';

const METRICS_PORTS: number[] = Object.values(METRICS).map((m) => m.port);

/** Container ports that are metrics ports, per workload. */
function metricsPorts(manifests: Manifest[]): Record<string, number[]> {
  return Object.fromEntries(workloads(manifests).map((w) => [
    w.metadata.name,
    allContainers(w.spec.template.spec).flatMap((c: any) => (c.ports ?? []).map((p: any) => p.containerPort)).filter((p: number) => METRICS_PORTS.includes(p)).sort(),
  ]));
}

describe('monitoring on (the default)', () => {
  test.each(environmentMatrix().map((e) => [e.name, e] as const))('%s: every PodMonitor endpoint names a metrics port of the pods it selects, and every metrics port is scraped', (_n, env) => {
    const manifests = allManifests(env);
    const monitors = manifests.filter((m) => m.kind === 'PodMonitor');
    const scraped = new Set<string>();
    for (const pm of monitors) {
      const pods = workloads(manifests).filter((w) => Object.entries(pm.spec.selector.matchLabels).every(([k, v]) => w.spec.template.metadata.labels[k] === v));
      // CloudNativePG's instances: pods the operator makes, serving metrics on its own named port.
      const instances = operatorPods(manifests).filter((o) => matches(pm.spec.selector.matchLabels, o.labels));
      for (const ep of instances.length ? pm.spec.podMetricsEndpoints : []) expect(ep.port).toBe(METRICS.cloudnativepg.name);
      expect(pods.length + instances.length).toBeGreaterThan(0);
      for (const ep of pm.spec.podMetricsEndpoints) {
        for (const w of pods) {
          expect(w.spec.template.spec.containers.flatMap((c: any) => (c.ports ?? []).map((p: any) => p.name))).toContain(ep.port);
          scraped.add(`${w.metadata.name}/${ep.port}`);
        }
      }
    }
    for (const w of workloads(manifests)) {
      for (const c of w.spec.template.spec.containers) {
        for (const p of (c.ports ?? []).filter((x: any) => METRICS_PORTS.includes(x.containerPort))) expect(scraped).toContain(`${w.metadata.name}/${p.name}`);
      }
    }
    expect(monitors.map((m) => m.metadata.name).sort()).toEqual(env.spec.redis.mode === 'sidecar' ? ['elasticsearch', 'nuxeo', 'postgresql'] : ['elasticsearch', 'nuxeo', 'postgresql', 'redis']);
  });

  test.each(environmentMatrix().map((e) => [e.name, e] as const))('%s: only the Prometheus pods may reach the metrics ports', (_n, env) => {
    const manifests = allManifests(env);
    for (const w of workloads(manifests)) {
      const ports = metricsPorts([w])[w.metadata.name];
      const policy = manifests.find((m) => m.kind === 'NetworkPolicy' && m.metadata.name === w.metadata.name)!;
      const rules = policy.spec.ingress.filter((r: any) => r.ports.some((p: any) => METRICS_PORTS.includes(p.port)));
      expect(rules).toHaveLength(1);
      expect(rules[0].ports.map((p: any) => p.port).sort()).toEqual(ports);
      expect(rules[0].from).toEqual([{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }]);
    }
  });

  test('Nuxeo runs its Prometheus reporter on the port the pod declares', () => {
    const manifests = allManifests(shippedEnvironments()[0]);
    const conf = parseProperties(find(manifests, 'ConfigMap', 'nuxeo-conf').data!['50-nuxeo-compact-k8s.properties']);
    expect(conf.get('metrics.enabled')).toBe('true');
    expect(conf.get('metrics.prometheus.enabled')).toBe('true');
    expect(conf.get('metrics.prometheus.port')).toBe(String(METRICS.nuxeo.port));
    const nuxeo = find(manifests, 'StatefulSet', 'nuxeo').spec.template.spec.containers.find((c: any) => c.name === 'nuxeo');
    expect(nuxeo.ports).toContainEqual({ name: METRICS.nuxeo.name, containerPort: METRICS.nuxeo.port, protocol: 'TCP' });
  });

  test('exporter credentials come from the existing Secrets; the PostgreSQL one needs none', () => {
    const env = environment('creds', { redis: { mode: 'external' }, secrets: { redisPassword: { name: 'my-redis', key: 'pw' } } });
    const manifests = allManifests(env);
    const containers = workloads(manifests).flatMap((w) => w.spec.template.spec.containers);
    const redis = containers.find((c: any) => c.name === 'redis-exporter');
    expect(redis.env.find((e: any) => e.name === 'REDIS_PASSWORD')).toEqual({ name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'my-redis', key: 'pw' } } });
    const pg = containers.find((c: any) => c.name === 'postgres-exporter');
    expect(pg.env).toEqual([{ name: 'DATA_SOURCE_NAME', value: 'host=/var/run/postgresql port=5432 user=postgres dbname=postgres sslmode=disable' }]);
    expect(pg.volumeMounts).toEqual([{ name: 'run', mountPath: '/var/run/postgresql' }]);
  });

  test('configured Prometheus peers and selector labels are used; the dashboard is opt-in', () => {
    const env = environment('labels', { monitoring: { prometheus: { namespace: 'obs', podLabels: { app: 'prom' } }, labels: { release: 'kube-prometheus-stack' }, grafanaDashboard: true } });
    const manifests = allManifests(env);
    for (const m of manifests.filter((x) => ['PodMonitor', 'PrometheusRule'].includes(x.kind))) expect(m.metadata.labels!.release).toBe('kube-prometheus-stack');
    const policy = find(manifests, 'NetworkPolicy', 'elasticsearch');
    expect(policy.spec.ingress.at(-1).from).toEqual([{ podSelector: { matchLabels: { app: 'prom' } }, namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'obs' } } }]);
    const dashboard = find(manifests, 'ConfigMap', 'nuxeo-compact-dashboard');
    expect(dashboard.metadata.labels!.grafana_dashboard).toBe('1');
    const json = JSON.parse(dashboard.data!['nuxeo-compact.json']);
    expect(json.panels.filter((p: any) => p.type === 'timeseries').every((p: any) => p.targets[0].expr.includes('namespace="nuxeo-labels"'))).toBe(true);
    expect(allManifests(shippedEnvironments()[0]).some((m) => m.metadata.name === 'nuxeo-compact-dashboard')).toBe(false);
  });

  test.each(environmentMatrix().map((e) => [e.name, e] as const))('%s: every volume claim of the architecture is watched by a volume alert', (_n, env) => {
    const manifests = allManifests(env);
    const rules = find(manifests, 'PrometheusRule', 'nuxeo-compact').spec.groups.flatMap((g: any) => g.rules);
    // Prometheus regex matchers are anchored at both ends.
    const watchers = rules.flatMap((r: any) => [...r.expr.matchAll(/persistentvolumeclaim=~"([^"]+)"/g)].map((m: any) => ({ alert: r.alert, re: new RegExp(`^(?:${m[1]})$`) })));
    const claims = [
      ...manifests.filter((m) => m.kind === 'StatefulSet').flatMap((sts) => (sts.spec.volumeClaimTemplates ?? []).map((t: any) => `${t.metadata.name}-${sts.metadata.name}-${sts.spec.replicas - 1}`)),
      ...manifests.filter((m) => m.kind === 'PersistentVolumeClaim').map((m) => m.metadata.name),
    ];
    expect(claims.length).toBeGreaterThanOrEqual(4);
    for (const claim of claims) {
      const alerts = [...new Set(watchers.filter((w: any) => w.re.test(claim)).map((w: any) => w.alert))];
      expect([claim, alerts]).toEqual([claim, claim.startsWith('data-nuxeo-') ? ['NuxeoDataVolumeFilling', 'NuxeoDataVolumeFullSoon'] : ['NuxeoVolumeNearlyFull']]);
    }
  });

  test('the alert rules are scoped to the namespace and name the field to change', () => {
    for (const env of shippedEnvironments()) {
      const rules = find(allManifests(env), 'PrometheusRule', 'nuxeo-compact').spec.groups.flatMap((g: any) => g.rules);
      for (const r of rules) {
        // Envoy Gateway's metrics carry the route's namespace in the cluster name, not in a label.
        const envoy = r.alert === 'NuxeoHttp5xxRateHigh' && env.spec.loadBalancer.provider === 'gateway-api';
        expect(r.expr).toContain(envoy ? `envoy_cluster_name=~"httproute/${env.spec.namespace}/` : `namespace="${env.spec.namespace}"`);
        expect(r.annotations.description).toMatch(/\b(redis|nuxeo|database|elasticsearch)\.[a-zA-Z.]+/);
      }
      const names = rules.map((r: any) => r.alert);
      expect(names).toEqual(expect.arrayContaining(['NuxeoRedisMemoryHigh', 'NuxeoDataVolumeFilling', 'NuxeoPostgresqlReplicasNotStreaming', 'NuxeoElasticsearchNotGreen']));
      expect(names.includes('NuxeoRedisSentinelQuorumLost')).toBe(env.spec.redis.mode === 'external');
    }
  });
});

describe('monitoring.enabled: false', () => {
  test.each(['sidecar', 'external'])('%s: no exporter, metrics port, reporter, PodMonitor or rule', (mode) => {
    const manifests = allManifests(environment(`off-${mode}`, { redis: { mode }, monitoring: { enabled: false } }));
    expect(manifests.filter((m) => m.apiVersion.startsWith('monitoring.coreos.com/'))).toEqual([]);
    expect(Object.values(metricsPorts(manifests)).flat()).toEqual([]);
    expect(find(manifests, 'ConfigMap', 'nuxeo-conf').data!['50-nuxeo-compact-k8s.properties']).not.toContain('metrics.');
    expect(find(manifests, 'ConfigMap', 'nuxeo-proxy').data!['nginx.conf']).not.toContain('stub_status');
    expect(architectureWarnings(environment('off', { monitoring: { enabled: false } }).spec).some((w) => w.startsWith('monitoring.enabled is false'))).toBe(true);
    expect(architectureWarnings(environment('on').spec).some((w) => w.startsWith('monitoring.enabled'))).toBe(false);
    for (const p of manifests.filter((m) => m.kind === 'NetworkPolicy')) {
      for (const r of p.spec.ingress ?? []) expect(r.ports.some((x: any) => METRICS_PORTS.includes(x.port))).toBe(false);
    }
  });
});

describe('SUMMARY.md "Monitoring" names what is really scraped', () => {
  const section = (env: ReturnType<typeof environment>) => {
    const summary = synthesizeEnvironment(env).get(SUMMARY_FILE)!;
    return summary.slice(summary.indexOf('## Monitoring'));
  };

  test('CloudNativePG: the instance manager\'s own metrics, no postgres_exporter (none is generated)', () => {
    const env = environment('cnpg-summary', {
      secrets: { databasePassword: { name: 'db-app', key: 'password' } },
      database: { provider: 'cloudnativepg', backup: { objectStore: { destinationPath: 's3://backups/pg' } } },
    });
    const containers = allManifests(env).flatMap((m: any) => m.spec?.template?.spec?.containers ?? []).map((c: any) => c.name);
    expect(containers).not.toContain('postgres-exporter');
    expect(section(env)).not.toContain('postgres_exporter');
    expect(section(env)).toContain('CloudNativePG instance manager');
  });

  test('the backup Jobs\' alert names kube-state-metrics as its source', () => {
    expect(section(environment('ksm'))).toContain('kube-state-metrics');
  });
});
