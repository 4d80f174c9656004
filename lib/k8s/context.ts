/**
 * What every tier shares besides its own Props: where it runs (the namespace of the enclosing
 * Chart) and the cluster-wide settings its pods follow. Tiers receive it resolved; library users
 * give the optional `ContextProps` and get the environment file's defaults.
 */
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { z } from 'zod';
import { CLUSTER_DOMAIN, IMAGE_PULL_SECRETS, MONITORING_SCHEMA, NETWORK_SCHEMA, PRIORITY_CLASS_NAME, SCHEDULING_SCHEMA } from './settings';
import { parseProps, propsProblems } from '../settings/props';
import type { MonitoringSettings, NetworkDnsSettings, SchedulingSettings } from './settings.generated';
import type { Resources } from './containers';

/** {@link SchedulingSettings} with its defaults applied. */
export interface ResolvedScheduling {
  /** One pod per node, required or preferred. */
  readonly antiAffinity: 'required' | 'preferred';
  /** Spread over zones, required or preferred. */
  readonly zoneSpread: 'required' | 'preferred';
}

/** {@link NetworkDnsSettings} with its defaults applied: the DNS servers pods may reach. */
export interface ResolvedDns {
  /** Namespace of the cluster DNS pods. */
  readonly namespace: string;
  /** Labels of the cluster DNS pods. */
  readonly podLabels: Record<string, string>;
  /** Addresses answering DNS outside the DNS pods (NodeLocal DNSCache, GKE Cloud DNS), reached by address block. */
  readonly nodeLocalAddresses: string[];
  /** Ports the DNS pods listen on, as NetworkPolicies see them (OpenShift: 5353). */
  readonly ports: number[];
}

/** {@link MonitoringSettings} with its defaults applied. */
export interface ResolvedMonitoring {
  /** Exporters, PodMonitors and alerts are emitted. */
  readonly enabled: boolean;
  /** Where Prometheus runs: the only peer the metrics ports admit. */
  readonly prometheus: { readonly namespace: string; readonly podLabels: Record<string, string> };
  /** Labels of the PodMonitors and PrometheusRule (the Prometheus selectors). */
  readonly labels: Record<string, string>;
  /** A Grafana dashboard ConfigMap is emitted. */
  readonly grafanaDashboard: boolean;
  /** Exporter images. */
  readonly images: { readonly redis: string; readonly postgres: string; readonly elasticsearch: string; readonly nginx: string };
  /** Resources of each exporter container. */
  readonly resources: Resources;
}

/** Settings shared by every tier of one architecture; each field is optional. */
export interface ContextProps {
  /**
   * Cluster DNS domain, used in stable pod host names.
   * @default 'cluster.local'
   */
  readonly clusterDomain?: string;
  /**
   * `docker-registry` Secrets given to every pod.
   * @default []
   */
  readonly imagePullSecrets?: string[];
  /**
   * PriorityClass of every pod (emit one with `NamespaceTier`).
   * @default - none: the cluster's default priority
   */
  readonly priorityClassName?: string;
  /**
   * Anti-affinity between the pods of a workload and their spread across zones.
   * @default - one pod per node (required), zones preferred
   */
  readonly scheduling?: SchedulingSettings;
  /**
   * The cluster DNS pods, the only DNS servers the NetworkPolicies let pods reach.
   * @default - kube-system pods labelled k8s-app: kube-dns
   */
  readonly dns?: NetworkDnsSettings;
  /**
   * Exporters and the Prometheus peers allowed to scrape them.
   * @default - exporters on, Prometheus in namespace `monitoring`
   */
  readonly monitoring?: MonitoringSettings;
}

/** The resolved context a tier builds with. */
export interface TierContext {
  /** Namespace of the enclosing Chart: every host name a tier hands out is in it. */
  readonly namespace: string;
  readonly clusterDomain: string;
  readonly imagePullSecrets: string[];
  readonly priorityClassName?: string;
  readonly scheduling: ResolvedScheduling;
  readonly network: { readonly dns: ResolvedDns };
  readonly monitoring: ResolvedMonitoring;
}

const CONTEXT_SCHEMA = z.strictObject({
  clusterDomain: CLUSTER_DOMAIN,
  imagePullSecrets: IMAGE_PULL_SECRETS,
  priorityClassName: PRIORITY_CLASS_NAME,
  scheduling: SCHEDULING_SCHEMA,
  dns: NETWORK_SCHEMA.unwrap().shape.dns,
  monitoring: MONITORING_SCHEMA,
});

/**
 * The context of a tier placed at `scope`. The namespace is the enclosing Chart's: a tier in a
 * Chart without one could not name the hosts it serves, so that is refused.
 */
export function resolveContext(scope: Construct, props: ContextProps = {}): TierContext {
  const namespace = Chart.of(scope).namespace;
  if (!namespace) {
    throw new Error(`${scope.node.path}: place the tier in a Chart with a namespace (new Chart(app, id, { namespace })): its host names are <service>.<namespace>.svc`);
  }
  const c = parseProps('context', CONTEXT_SCHEMA, props);
  return {
    namespace,
    clusterDomain: c.clusterDomain,
    imagePullSecrets: c.imagePullSecrets,
    ...(c.priorityClassName ? { priorityClassName: c.priorityClassName } : {}),
    scheduling: c.scheduling,
    network: { dns: c.dns },
    monitoring: c.monitoring,
  };
}

/** Every problem of context Props, found without building anything. @internal */
export function contextProblems(props: ContextProps = {}): string[] {
  return propsProblems('context', CONTEXT_SCHEMA, props);
}

/** Host name of a Service of the tier's namespace. */
export function serviceHost(ctx: TierContext, service: string): string {
  return `${service}.${ctx.namespace}.svc.${ctx.clusterDomain}`;
}

/** Stable DNS name of pod `ordinal` of a StatefulSet behind its headless Service. */
export function podHost(ctx: TierContext, statefulSet: string, headless: string, ordinal: number): string {
  return `${statefulSet}-${ordinal}.${serviceHost(ctx, headless)}`;
}
