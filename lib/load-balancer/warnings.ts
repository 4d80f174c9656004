/**
 * What a load balancer's settings would silently not do: the `LoadBalancer` construct attaches
 * these warnings, and the environment-file app prints them and writes them into SUMMARY.md.
 */

/** The settings the warnings read (the construct's resolved `loadBalancer` settings). */
export interface LoadBalancerWarningInput {
  readonly provider: 'ingress-nginx' | 'traefik' | 'gateway-api' | 'service';
  readonly host: string;
  readonly tlsSecret?: string;
  readonly gateway?: { readonly name: string; readonly namespace: string };
}

export function loadBalancerWarnings(lb: LoadBalancerWarningInput): string[] {
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
  return out;
}
