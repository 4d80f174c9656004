/**
 * The `loadBalancer` section of the environment file: how users reach Nuxeo, with its defaults
 * and limits (`npm run schema` makes settings.generated.ts, their documented interfaces).
 */
import { z } from 'zod';
import { controllerPeer, dnsLabel, labelKey, rule } from '../settings/fields';

/** API-server bound of `sessionAffinityConfig.clientIP.timeoutSeconds`. */
const MAX_CLIENT_IP_SECONDS = 86400;
const MAX_COOKIE_SECONDS = 31_536_000;

export const LOAD_BALANCER_SCHEMA = z
  .strictObject({
    provider: z.enum(['ingress-nginx', 'traefik', 'gateway-api', 'service'], { message: "must be one of 'ingress-nginx', 'traefik', 'gateway-api', 'service'" }).default('ingress-nginx')
      .describe("what routes users to Nuxeo with a sticky session: an Ingress for ingress-nginx or traefik, an HTTPRoute for gateway-api, a LoadBalancer Service with ClientIP affinity for service (docs/environment-file.md, Load balancer providers)"),
    host: z.string().regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/, { message: 'must be a fully qualified host name such as nuxeo.example.com' })
      .describe('public host name users reach Nuxeo at; also the host of nuxeo.url (<scheme>://<host>/nuxeo)'),
    tlsSecret: dnsLabel('secret name').optional().describe('kubernetes.io/tls Secret for the host; omitted = plain HTTP'),
    className: z.string().optional().describe('IngressClass name (ingress-nginx: nginx, traefik: traefik)'),
    gateway: z.strictObject({
      name: dnsLabel('gateway name').describe('name of the parent Gateway'),
      namespace: dnsLabel('namespace').describe('namespace of the parent Gateway (it must allow routes from this namespace)'),
      sectionName: z.string().optional().describe('the Gateway listener to attach to (parentRefs.sectionName); omitted = every listener that accepts the route'),
    }).optional().describe('parent Gateway of the HTTPRoute (gateway-api)'),
    cookieName: z.string().regex(/^[A-Za-z0-9_-]+$/).default('nuxeo-route').describe('name of the sticky-session cookie the load balancer sets (not with provider service)'),
    cookieMaxAgeSeconds: z.number().int().min(60).max(MAX_COOKIE_SECONDS, { message: `must be at most ${MAX_COOKIE_SECONDS} (one year)` }).default(28800).describe('seconds a client stays on the same Nuxeo node (cookie Max-Age, or ClientIP affinity timeout with provider service)'),
    maxUploadMegabytes: z.number().int().min(1).default(1024).describe("largest request body, in MiB, the load balancer and each pod's nginx accept (uploads above it get 413); sizes Nuxeo's /tmp with nuxeo.concurrentUploads"),
    scheme: z
      .enum(['http', 'https'], { message: "must be 'http' or 'https'" })
      .optional()
      .describe("scheme users reach Nuxeo with, for nuxeo.url (https://<host>/nuxeo); default https when tlsSecret is set with ingress-nginx or traefik, else http: set https when a Gateway listener or a cloud load balancer terminates TLS"),
    timeoutSeconds: z.number().int().min(30).max(86400, { message: 'must be at most 86400 (one day)' }).default(600).describe('seconds a request may take end to end before the load balancer and nginx cut it (long exports, uploads)'),
    serviceAnnotations: z
      .record(labelKey, z.string())
      .default({})
      .describe("provider 'service': annotations for the cloud load balancer (scheme, type ...), added after the stickiness ones"),
    controller: controllerPeer.optional().describe('where the ingress controller or gateway proxy pods run, for NetworkPolicies; default per provider'),
  })
  .refine(
    ...rule<{ provider: string; gateway?: unknown }>(
      ['provider', 'gateway'],
      ['gateway'],
      (lb) => lb.provider !== 'gateway-api' || lb.gateway !== undefined,
      () => "is required with provider 'gateway-api': name and namespace of the parent Gateway",
    ),
  )
  .refine(
    ...rule<{ provider: string; serviceAnnotations: Record<string, string> }>(
      ['provider', 'serviceAnnotations'],
      ['serviceAnnotations'],
      (lb) => lb.provider === 'service' || Object.keys(lb.serviceAnnotations).length === 0,
      (lb) => `are only used with provider 'service' (a cloud load balancer), not '${lb.provider}'`,
    ),
  )
  .refine(
    ...rule<{ provider: string; cookieMaxAgeSeconds: number }>(
      ['provider', 'cookieMaxAgeSeconds'],
      ['cookieMaxAgeSeconds'],
      (lb) => lb.provider !== 'service' || lb.cookieMaxAgeSeconds <= MAX_CLIENT_IP_SECONDS,
      (lb) => `${lb.cookieMaxAgeSeconds} is above ${MAX_CLIENT_IP_SECONDS} (one day), the longest ClientIP affinity the API server accepts for provider 'service' (sessionAffinityConfig.clientIP.timeoutSeconds)`,
    ),
  );

export type LoadBalancerProvider = z.output<typeof LOAD_BALANCER_SCHEMA>['provider'];

/** Where each provider's proxy pods usually run (their upstream charts' labels). */
export const CONTROLLER_DEFAULTS: Record<Exclude<LoadBalancerProvider, 'service'>, { namespace: string; podLabels: Record<string, string>; className?: string }> = {
  'ingress-nginx': { namespace: 'ingress-nginx', podLabels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' }, className: 'nginx' },
  'traefik': { namespace: 'traefik', podLabels: { 'app.kubernetes.io/name': 'traefik' }, className: 'traefik' },
  'gateway-api': { namespace: 'envoy-gateway-system', podLabels: { 'app.kubernetes.io/component': 'proxy', 'app.kubernetes.io/managed-by': 'envoy-gateway' } },
};
