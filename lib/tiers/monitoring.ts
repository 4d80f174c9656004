import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PodMonitor } from '../../imports/podmonitor-monitoring.coreos.com';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from '../../imports/prometheusrule-monitoring.coreos.com';
import type { EnvironmentSpec } from '../config/schema';
import { alertRules, alertSettingsOf } from '../render/alerts';
import { renderDashboard } from '../render/dashboard';
import { IDS, tierLabels } from './common';
import { CLOUDNATIVEPG_METRICS } from './database-cnpg';
import { METRICS } from './exporters';

export interface MonitoringProps {
  /** The validated environment. */
  readonly spec: EnvironmentSpec;
  /**
   * Sentinels needed for a failover.
   * @default - none: no Sentinels (sidecar mode)
   */
  readonly sentinelQuorum?: number;
}

/** Label the Grafana dashboard sidecar (kube-prometheus-stack, grafana chart) looks for. */
export const GRAFANA_DASHBOARD_LABEL = { grafana_dashboard: '1' } as const;

/**
 * What a prometheus-operator install needs to watch the architecture: one PodMonitor per tier
 * (the metrics ports the exporters and Nuxeo's reporter open), the PrometheusRule with the
 * alerts, and optionally a Grafana dashboard. Nothing here when `monitoring.enabled` is false.
 */
export class Monitoring extends Construct {
  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { spec } = props;
    const m = spec.monitoring;
    if (!m.enabled) return;
    const labels = { ...tierLabels('nuxeo-compact', 'monitoring'), ...m.labels };
    const sidecar = spec.redis.mode === 'sidecar';

    const podMonitor = (name: string, selector: Record<string, string>, ports: string[]) =>
      new PodMonitor(this, `${name}-podmonitor`, {
        metadata: { name, labels },
        spec: {
          selector: { matchLabels: selector },
          podMetricsEndpoints: ports.map((port) => ({ port, path: '/metrics', interval: '30s' })),
        },
      });
    podMonitor('nuxeo', { 'app.kubernetes.io/instance': IDS.nuxeo.instance }, [METRICS.nuxeo.name, METRICS.proxy.name, ...(sidecar ? [METRICS.redis.name] : [])]);
    if (!sidecar) podMonitor('redis', { 'app.kubernetes.io/instance': IDS.redis.instance }, [METRICS.redis.name, METRICS.sentinel.name]);
    if (spec.database.provider === 'cloudnativepg') podMonitor('postgresql', CLOUDNATIVEPG_METRICS.selector, [CLOUDNATIVEPG_METRICS.portName]);
    else podMonitor('postgresql', { 'app.kubernetes.io/name': IDS.postgresPrimary.app }, [METRICS.postgres.name]);
    podMonitor('elasticsearch', { 'app.kubernetes.io/instance': IDS.elasticsearch.instance }, [METRICS.elasticsearch.name]);

    new PrometheusRule(this, 'rules', {
      metadata: { name: 'nuxeo-compact', labels },
      spec: {
        groups: alertRules(alertSettingsOf(spec, props.sentinelQuorum)).map((g) => ({
          name: g.name,
          rules: g.rules.map((r) => ({ ...r, expr: PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr), labels: { ...r.labels }, annotations: { ...r.annotations } })),
        })),
      },
    });

    if (m.grafanaDashboard) {
      new k8s.KubeConfigMap(this, 'dashboard', {
        metadata: { name: 'nuxeo-compact-dashboard', labels: { ...labels, ...GRAFANA_DASHBOARD_LABEL } },
        data: { 'nuxeo-compact.json': renderDashboard({ namespace: spec.namespace, title: `Nuxeo compact architecture (${spec.namespace})` }) },
      });
    }
  }
}
