import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { PodMonitor } from '../../imports/podmonitor-monitoring.coreos.com';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from '../../imports/prometheusrule-monitoring.coreos.com';
import { tierLabels } from '../k8s/labels';
import { AlertSettings, alertRules } from './alerts';
import { renderDashboard } from './dashboard';
import { ContextProps, resolveContext } from '../k8s/context';
import type { CloudNativePgDatabase } from '../database/cloudnativepg';
import type { Database } from '../database/database';
import type { Elasticsearch } from '../elasticsearch/elasticsearch';
import { METRICS } from '../k8s/exporters';
import type { LoadBalancer } from '../load-balancer/load-balancer';
import type { Nuxeo } from '../nuxeo/nuxeo';
import type { Redis } from '../redis/redis';

export interface MonitoringProps {
  /**
   * Settings shared by the tiers; `monitoring` says what is watched and by whom.
   * @default - the environment file's defaults
   */
  readonly context?: ContextProps;
  /** The tiers watched (the alerts are written for the architecture's own names). */
  readonly nuxeo: Nuxeo;
  /**
   * The in-cluster Redis.
   * @default - a managed Redis: not watched here
   */
  readonly redis?: Redis;
  /**
   * The in-cluster Elasticsearch.
   * @default - a managed one: not watched here
   */
  readonly elasticsearch?: Elasticsearch;
  /**
   * The load balancer, whose HTTP responses give the 5xx-rate alert.
   * @default - no 5xx alert
   */
  readonly loadBalancer?: LoadBalancer;
  /**
   * The in-cluster PostgreSQL.
   * @default - a managed one: not watched here
   */
  readonly database?: Database | CloudNativePgDatabase;
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
    const ctx = resolveContext(this, props.context);
    const m = ctx.monitoring;
    if (!m.enabled) return;
    const labels = { ...tierLabels('nuxeo-compact', 'monitoring'), ...m.labels };
    const { redis, database, elasticsearch } = props;
    const sidecar = redis?.mode === 'sidecar';
    const instance = (name: string) => ({ 'app.kubernetes.io/instance': name });
    const nuxeoReplicas = replicasOf(props.nuxeo.statefulSet);

    const podMonitor = (name: string, selector: Record<string, string>, ports: string[]) =>
      new PodMonitor(this, `${name}-podmonitor`, {
        metadata: { name, labels },
        spec: {
          selector: { matchLabels: selector },
          podMetricsEndpoints: ports.map((port) => ({ port, path: '/metrics', interval: '30s' })),
        },
      });
    podMonitor('nuxeo', instance(props.nuxeo.identity.instance), [METRICS.nuxeo.name, METRICS.proxy.name, ...(sidecar ? [METRICS.redis.name] : [])]);
    if (redis?.statefulSet) podMonitor('redis', instance(redis.statefulSet.name), [METRICS.redis.name, METRICS.sentinel.name]);
    if (database) podMonitor('postgresql', database.metricsEndpoint.selector, [database.metricsEndpoint.portName]);
    if (elasticsearch) podMonitor('elasticsearch', instance(elasticsearch.statefulSet.name), [METRICS.elasticsearch.name]);

    new PrometheusRule(this, 'rules', {
      metadata: { name: 'nuxeo-compact', labels },
      spec: {
        groups: alertRules({
          namespace: ctx.namespace,
          redis: { mode: redis?.mode ?? 'sidecar', quorum: redis?.quorum },
          databaseReplicas: database?.replicaCount ?? 0,
          databaseProvider: database?.provider,
          managed: { database: !database, elasticsearch: !elasticsearch, redis: !redis },
          pods: { nuxeo: nuxeoReplicas, redis: redis?.statefulSet ? replicasOf(redis.statefulSet) : nuxeoReplicas, database: 1 + (database?.replicaCount ?? 0) },
          backups: {
            cronJobs: [...(database?.provider === 'statefulset' ? [database.backupCronJob] : []), ...(elasticsearch ? [elasticsearch.snapshots.cronJobName] : [])],
            ...(elasticsearch ? { slmPolicy: elasticsearch.snapshots.settings.policy } : {}),
          },
          ...(props.loadBalancer ? { loadBalancer: lbSettings(props.loadBalancer) } : {}),
        }).map((g) => ({
          name: g.name,
          rules: g.rules.map((r) => ({ ...r, expr: PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr), labels: { ...r.labels }, annotations: { ...r.annotations } })),
        })),
      },
    });

    if (m.grafanaDashboard) {
      new k8s.KubeConfigMap(this, 'dashboard', {
        metadata: { name: 'nuxeo-compact-dashboard', labels: { ...labels, ...GRAFANA_DASHBOARD_LABEL } },
        data: { 'nuxeo-compact.json': renderDashboard({ namespace: ctx.namespace, title: `Nuxeo compact architecture (${ctx.namespace})` }) },
      });
    }
  }
}

/** Pods a StatefulSet runs, read from the object as synthesized. */
function replicasOf(sts: ApiObject): number {
  return sts.toJson().spec.replicas ?? 1;
}

/** What the 5xx alert reads of the load balancer: its provider and the names of its route and Service. */
function lbSettings(lb: LoadBalancer): NonNullable<AlertSettings['loadBalancer']> {
  return { provider: lb.provider, route: lb.route?.name ?? lb.service.name, service: lb.service.name, servicePort: lb.servicePort };
}
