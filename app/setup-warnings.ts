/**
 * Settings that would silently do nothing, or silently not work, in one environment: said at
 * every synth and in SUMMARY.md ("Check before applying"), so nothing is claimed that is not so.
 */
import type { EnvironmentSpec } from '../lib/settings/schema';

/** The registry of the Nuxeo images, which needs credentials. */
export const PRIVATE_NUXEO_REGISTRY = 'docker-private.packages.nuxeo.com';

/** How the host is served, for SUMMARY.md: only what the generated objects actually do. */
export function tlsDescription(spec: EnvironmentSpec): string {
  const lb = spec.loadBalancer;
  if (lb.provider === 'gateway-api') return `TLS, if any, on the listener of Gateway \`${lb.gateway!.namespace}/${lb.gateway!.name}\``;
  if (lb.provider === 'service') return 'no TLS: plain HTTP on a LoadBalancer Service';
  return lb.tlsSecret ? `TLS from Secret \`${lb.tlsSecret}\`` : 'no TLS: plain HTTP';
}

export function setupWarnings(spec: EnvironmentSpec): string[] {
  const lb = spec.loadBalancer;
  const out: string[] = [];
  if (lb.tlsSecret && lb.provider === 'gateway-api') {
    out.push(`loadBalancer.tlsSecret '${lb.tlsSecret}' is ignored with provider 'gateway-api': TLS terminates on a listener of Gateway ` +
      `${lb.gateway!.namespace}/${lb.gateway!.name}, which names its own certificate Secret (certificateRefs). Remove the field.`);
  }
  if (lb.provider === 'service') {
    out.push("provider 'service' serves plain HTTP (port 80, TCP pass-through): users' passwords and session cookies travel in clear " +
      'unless a TLS-terminating load balancer stands in front' + (lb.tlsSecret ? `; loadBalancer.tlsSecret '${lb.tlsSecret}' is ignored (remove it)` : '') + '.');
  }
  if (!lb.tlsSecret && (lb.provider === 'ingress-nginx' || lb.provider === 'traefik')) {
    out.push(`no loadBalancer.tlsSecret: the Ingress serves ${lb.host} over plain HTTP (passwords in clear, sticky cookie not Secure), ` +
      "and the policy test fails on it (Polaris tlsSettingsMissing). Create a kubernetes.io/tls Secret and set loadBalancer.tlsSecret.");
  }
  if (spec.nuxeo.image.startsWith(`${PRIVATE_NUXEO_REGISTRY}/`) && !spec.imagePullSecrets.length) {
    out.push(`nuxeo.image is on ${PRIVATE_NUXEO_REGISTRY}, which needs credentials, and imagePullSecrets is empty: Nuxeo pods stay in ` +
      'ImagePullBackOff unless the nodes already hold credentials for it. Create a docker-registry Secret and list it in imagePullSecrets.');
  }
  return out;
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
