/**
 * Settings that would silently do nothing, or silently not work, in one environment: said at
 * every synth and in SUMMARY.md ("Check before applying"), so nothing is claimed that is not so.
 */
import type { EnvironmentSpec } from './environment';
import { loadBalancerWarnings } from '../lib/load-balancer/warnings';
import { nuxeoWarnings } from '../lib/nuxeo/warnings';

/** How the host is served, for SUMMARY.md: only what the generated objects actually do. */
export function tlsDescription(spec: EnvironmentSpec): string {
  const lb = spec.loadBalancer;
  if (lb.provider === 'gateway-api') return `TLS, if any, on the listener of Gateway \`${lb.gateway!.namespace}/${lb.gateway!.name}\``;
  if (lb.provider === 'service') return 'no TLS: plain HTTP on a LoadBalancer Service';
  return lb.tlsSecret ? `TLS from Secret \`${lb.tlsSecret}\`` : 'no TLS: plain HTTP';
}

/** The load balancer's and Nuxeo's warnings, the texts the constructs attach (one source). */
export function setupWarnings(spec: EnvironmentSpec): string[] {
  return [...loadBalancerWarnings(spec.loadBalancer), ...nuxeoWarnings(spec.nuxeo.image, spec.imagePullSecrets)];
}

/**
 * kube-prometheus-stack's Prometheus selects PodMonitors and PrometheusRules labelled
 * `release: <its Helm release>` unless installed with
 * `prometheus.prometheusSpec.{podMonitor,rule}SelectorNilUsesHelmValues: false` (the chart's
 * values.yaml): without that label, nothing of ours would be scraped or alerted on.
 */
export function monitoringSelectorWarnings(spec: EnvironmentSpec): string[] {
  const m = spec.monitoring;
  if (!m.enabled || 'release' in m.labels) return [];
  return ['monitoring.labels has no `release` label: a kube-prometheus-stack Prometheus selects only PodMonitors and PrometheusRules labelled ' +
    'release: <its Helm release name> (its default podMonitorSelector / ruleSelector), so nothing here would be scraped or alert. ' +
    'Set monitoring.labels: {release: <release name>}, or give the labels your Prometheus selects and ignore this.'];
}
