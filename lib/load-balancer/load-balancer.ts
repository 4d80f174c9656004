import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { HttpRoute, HttpRouteSpec } from '../../imports/gateway.networking.k8s.io';
import { z } from 'zod';
import { CONTROLLER_DEFAULTS, LOAD_BALANCER_SCHEMA } from './settings';
import { workloadLabels } from '../k8s/labels';
import type { Peer } from '../k8s/network-policy';
import { service } from '../k8s/service';
import { gatewayDuration } from './duration';
import type { Nuxeo } from '../nuxeo/nuxeo';
import { Warnings } from '../settings/warnings';
import { loadBalancerWarnings } from './warnings';
import { ownKeys, parseProps, propsProblems, settingsOf } from '../settings/props';
import type { LoadBalancerSettings } from './settings.generated';

export type { LoadBalancerSettings };

export interface LoadBalancerProps extends LoadBalancerSettings {
  /** The Nuxeo tier it routes to (its reverse proxies). */
  readonly nuxeo: Nuxeo;
  /**
   * Name of the Service, Ingress or HTTPRoute.
   * @default - the Nuxeo tier's name
   */
  readonly baseName?: string;
}

/** Where load-balancer traffic comes from, for the proxies' ingress rule. @internal */
export function loadBalancerPeers(lb: Pick<z.output<typeof LOAD_BALANCER_SCHEMA>, 'provider' | 'controller'>): Peer[] {
  if (lb.provider === 'service') return [{ cidrs: ['0.0.0.0/0', '::/0'] }];
  const c = lb.controller ?? CONTROLLER_DEFAULTS[lb.provider];
  return [{ namespace: c.namespace, pods: c.podLabels }];
}

/**
 * Cloud load balancers in front of a `service` provider, made sticky by client address. GKE's and
 * AKS's service controllers carry the Service's own `sessionAffinity: ClientIP` to the load
 * balancer (Azure: load distribution SourceIP); the AWS Load Balancer Controller ignores it and an
 * NLB spreads connections unless its target group sets source-IP stickiness.
 */
export const STICKY_SERVICE_ANNOTATIONS: Record<string, string> = {
  'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes': 'stickiness.enabled=true,stickiness.type=source_ip',
};

/** Port of the Service every provider routes to. */
export const FRONT_PORT = 80;

/** LoadBalancerProps' own keys: the rest are the `loadBalancer` settings. */
const OWN_KEYS = ownKeys<LoadBalancerProps, LoadBalancerSettings>()(['nuxeo', 'baseName']);

type LoadBalancerSection = z.output<typeof LOAD_BALANCER_SCHEMA>;

/** Traefik's sticky-session cookie (its Service annotations). */
function traefikStickyAnnotations(lb: LoadBalancerSection): Record<string, string> {
  return {
    'traefik.ingress.kubernetes.io/service.sticky.cookie': 'true',
    'traefik.ingress.kubernetes.io/service.sticky.cookie.httponly': 'true',
    'traefik.ingress.kubernetes.io/service.sticky.cookie.maxage': String(lb.cookieMaxAgeSeconds),
    'traefik.ingress.kubernetes.io/service.sticky.cookie.name': lb.cookieName,
    'traefik.ingress.kubernetes.io/service.sticky.cookie.samesite': 'lax',
    'traefik.ingress.kubernetes.io/service.sticky.cookie.secure': String(!!lb.tlsSecret),
  };
}

/** ingress-nginx's cookie affinity, upload size and timeouts (its Ingress annotations). */
function ingressNginxAnnotations(lb: LoadBalancerSection): Record<string, string> {
  return {
    'nginx.ingress.kubernetes.io/affinity': 'cookie',
    'nginx.ingress.kubernetes.io/affinity-mode': 'persistent',
    'nginx.ingress.kubernetes.io/proxy-body-size': `${lb.maxUploadMegabytes}m`,
    'nginx.ingress.kubernetes.io/proxy-connect-timeout': '5',
    'nginx.ingress.kubernetes.io/proxy-read-timeout': String(lb.timeoutSeconds),
    'nginx.ingress.kubernetes.io/proxy-request-buffering': 'off',
    'nginx.ingress.kubernetes.io/proxy-send-timeout': String(lb.timeoutSeconds),
    'nginx.ingress.kubernetes.io/session-cookie-max-age': String(lb.cookieMaxAgeSeconds),
    'nginx.ingress.kubernetes.io/session-cookie-name': lb.cookieName,
    'nginx.ingress.kubernetes.io/session-cookie-path': '/',
    'nginx.ingress.kubernetes.io/session-cookie-samesite': 'Lax',
    'nginx.ingress.kubernetes.io/session-cookie-secure': String(!!lb.tlsSecret),
  };
}

/** The Gateway API route: everything to the Service, cookie persistence, request timeout. */
function httpRouteSpec(lb: LoadBalancerSection, name: string): HttpRouteSpec {
  const gw = lb.gateway!;
  return {
    parentRefs: [{ name: gw.name, namespace: gw.namespace, ...(gw.sectionName ? { sectionName: gw.sectionName } : {}) }],
    hostnames: [lb.host],
    rules: [{
      matches: [{ path: { type: 'PathPrefix', value: '/' } }],
      backendRefs: [{ name, port: FRONT_PORT }],
      sessionPersistence: { type: 'Cookie', sessionName: lb.cookieName, absoluteTimeout: gatewayDuration(lb.cookieMaxAgeSeconds), cookieConfig: { lifetimeType: 'Permanent' } },
      timeouts: { request: gatewayDuration(lb.timeoutSeconds) },
    }],
  };
}

/** Every problem of the settings in LoadBalancerProps, found without building anything. @internal */
export function loadBalancerProblems(props: Partial<LoadBalancerProps>): string[] {
  return propsProblems('loadBalancer', LOAD_BALANCER_SCHEMA, settingsOf(props, OWN_KEYS));
}

/**
 * nuxeo.url for Nuxeo behind this load balancer: its host and the context path /nuxeo
 * (org.nuxeo.ecm.contextPath, T/nuxeo.defaults line 20 on branch 2021), over https when the
 * load balancer terminates TLS (tlsSecret with ingress-nginx or traefik) or `scheme` says so.
 */
export function nuxeoPublicUrl(lb: Pick<LoadBalancerSettings, 'host' | 'tlsSecret' | 'provider' | 'scheme'>): string {
  const provider = lb.provider ?? 'ingress-nginx';
  const tls = lb.scheme ? lb.scheme === 'https' : !!lb.tlsSecret && (provider === 'ingress-nginx' || provider === 'traefik');
  return `${tls ? 'https' : 'http'}://${lb.host}/nuxeo`;
}

/**
 * The sticky load balancer in front of the reverse proxies, by provider:
 * - `ingress-nginx`: an Ingress with cookie affinity annotations (affinity-mode persistent);
 * - `traefik`: an Ingress, with the sticky cookie declared on the Service as Traefik expects;
 * - `gateway-api`: an HTTPRoute with cookie `sessionPersistence` (e.g. Envoy Gateway);
 * - `service`: a LoadBalancer Service with ClientIP affinity, for clusters without L7 routing,
 *   annotated so the common cloud load balancers keep a client on one node.
 * Upload size and timeouts are also enforced by each pod's nginx, whatever the provider.
 */
export class LoadBalancer extends Construct {
  /** Escape hatch: the Service every provider routes to (`addJsonPatch`). */
  public readonly service: k8s.KubeService;
  /** The Ingress or HTTPRoute; none with provider `service`. */
  public readonly route?: ApiObject;
  public readonly provider: LoadBalancerSettings['provider'] & string;
  /** Port name of the Service the route targets. */
  public readonly servicePort = 'http';

  constructor(scope: Construct, id: string, props: LoadBalancerProps) {
    super(scope, id);
    const lb = parseProps('loadBalancer', LOAD_BALANCER_SCHEMA, settingsOf(props, OWN_KEYS));
    for (const w of loadBalancerWarnings(lb)) Warnings.of(this).add(w);
    this.provider = lb.provider;
    const target = props.nuxeo.identity;
    const name = props.baseName ?? target.instance;
    props.nuxeo.allowFrom(...loadBalancerPeers(lb));
    const labels = workloadLabels({ ...target, component: 'load-balancer' });
    const selector = { 'app.kubernetes.io/instance': target.instance };
    const ports = [{ name: this.servicePort, port: FRONT_PORT, targetPort: props.nuxeo.proxyPortName }];

    if (lb.provider === 'service') {
      // Local traffic policy keeps the client address, without which ClientIP affinity would pin
      // every client to whichever node forwarded it. With one Nuxeo pod per node, the node the
      // cloud load balancer picks is the pod: stickiness happens in the cloud load balancer.
      this.service = service(this, {
        name, labels, selector, ports,
        annotations: { ...STICKY_SERVICE_ANNOTATIONS, ...lb.serviceAnnotations },
        extraSpec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIp: { timeoutSeconds: lb.cookieMaxAgeSeconds } } },
      });
      return;
    }

    this.service = service(this, { name, labels, selector, ports, ...(lb.provider === 'traefik' ? { annotations: traefikStickyAnnotations(lb) } : {}) });

    if (lb.provider === 'gateway-api') {
      this.route = new HttpRoute(this, 'route', {
        metadata: { name, labels },
        spec: httpRouteSpec(lb, name),
      });
      return;
    }

    this.route = new k8s.KubeIngress(this, 'ingress', {
      metadata: { name, labels, ...(lb.provider === 'ingress-nginx' ? { annotations: ingressNginxAnnotations(lb) } : {}) },
      spec: {
        ingressClassName: lb.className ?? CONTROLLER_DEFAULTS[lb.provider].className,
        ...(lb.tlsSecret ? { tls: [{ hosts: [lb.host], secretName: lb.tlsSecret }] } : {}),
        rules: [{
          host: lb.host,
          http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name, port: { name: 'http' } } } }] },
        }],
      },
    });
  }
}
