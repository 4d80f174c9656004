import { allManifests, environment, find, Manifest } from '../helpers';

const lbOf = (loadBalancer: Record<string, any>) =>
  allManifests(environment('lb', { loadBalancer: { host: 'nuxeo.example.com', ...loadBalancer } }))
    .filter((m) => m.metadata.labels?.['app.kubernetes.io/component'] === 'load-balancer');

const kinds = (ms: Manifest[]) => ms.map((m) => `${m.kind}/${m.metadata.name}`);

describe('sticky load balancer', () => {
  test('ingress-nginx is the default: an Ingress with cookie affinity, upload size and timeouts', () => {
    const ms = lbOf({ tlsSecret: 'nuxeo-tls', cookieName: 'route', cookieMaxAgeSeconds: 3600, maxUploadMegabytes: 500, timeoutSeconds: 300 });
    expect(kinds(ms)).toEqual(['Service/nuxeo', 'Ingress/nuxeo']);
    const ing = find(ms, 'Ingress', 'nuxeo');
    expect(ing.spec.ingressClassName).toBe('nginx');
    expect(ing.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/affinity': 'cookie',
      'nginx.ingress.kubernetes.io/affinity-mode': 'persistent',
      'nginx.ingress.kubernetes.io/session-cookie-name': 'route',
      'nginx.ingress.kubernetes.io/session-cookie-max-age': '3600',
      'nginx.ingress.kubernetes.io/session-cookie-secure': 'true',
      'nginx.ingress.kubernetes.io/proxy-body-size': '500m',
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '300',
    });
    expect(ing.spec.tls).toEqual([{ hosts: ['nuxeo.example.com'], secretName: 'nuxeo-tls' }]);
    expect(ing.spec.rules[0].http.paths[0].backend.service).toEqual({ name: 'nuxeo', port: { name: 'http' } });
  });

  test('without a TLS Secret the Ingress has no tls section and the cookie is not Secure', () => {
    const ing = find(lbOf({}), 'Ingress', 'nuxeo');
    expect(ing.spec.tls).toBeUndefined();
    expect(ing.metadata.annotations!['nginx.ingress.kubernetes.io/session-cookie-secure']).toBe('false');
  });

  test('traefik: sticky cookie annotations on the Service, a plain Ingress', () => {
    const ms = lbOf({ provider: 'traefik', tlsSecret: 't', className: 'traefik-public' });
    const svc = find(ms, 'Service', 'nuxeo');
    expect(svc.metadata.annotations).toMatchObject({
      'traefik.ingress.kubernetes.io/service.sticky.cookie': 'true',
      'traefik.ingress.kubernetes.io/service.sticky.cookie.name': 'nuxeo-route',
      'traefik.ingress.kubernetes.io/service.sticky.cookie.secure': 'true',
    });
    const ing = find(ms, 'Ingress', 'nuxeo');
    expect(ing.spec.ingressClassName).toBe('traefik-public');
    expect(ing.metadata.annotations).toBeUndefined();
  });

  test('gateway-api: an HTTPRoute with cookie session persistence to the nuxeo Service', () => {
    const ms = lbOf({ provider: 'gateway-api', gateway: { name: 'eg', namespace: 'gw', sectionName: 'https' }, timeoutSeconds: 120 });
    expect(kinds(ms)).toEqual(['Service/nuxeo', 'HTTPRoute/nuxeo']);
    const route = find(ms, 'HTTPRoute', 'nuxeo');
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(route.spec.parentRefs).toEqual([{ name: 'eg', namespace: 'gw', sectionName: 'https' }]);
    expect(route.spec.rules[0].sessionPersistence).toEqual({ type: 'Cookie', sessionName: 'nuxeo-route', absoluteTimeout: '8h', cookieConfig: { lifetimeType: 'Permanent' } });
    expect(route.spec.rules[0].backendRefs).toEqual([{ name: 'nuxeo', port: 80 }]);
    expect(route.spec.rules[0].timeouts).toEqual({ request: '2m' });
  });

  test('service: a LoadBalancer Service with client-IP affinity and the client address kept', () => {
    const ms = lbOf({ provider: 'service', cookieMaxAgeSeconds: 7200 });
    expect(kinds(ms)).toEqual(['Service/nuxeo']);
    const svc = ms[0];
    expect(svc.spec).toMatchObject({ type: 'LoadBalancer', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 7200 } }, externalTrafficPolicy: 'Local' });
  });

  test('service: the AWS Load Balancer Controller gets source-IP target-group stickiness; file annotations come after', () => {
    const svc = find(lbOf({ provider: 'service', serviceAnnotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'external' } }), 'Service', 'nuxeo');
    expect(svc.metadata.annotations).toEqual({
      'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes': 'stickiness.enabled=true,stickiness.type=source_ip',
      'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
    });
  });

  test('gateway-api: a two-day cookie and a long timeout are written as valid Gateway API durations', () => {
    const route = find(lbOf({ provider: 'gateway-api', gateway: { name: 'eg', namespace: 'gw' }, cookieMaxAgeSeconds: 172800, timeoutSeconds: 5430 }), 'HTTPRoute', 'nuxeo');
    expect(route.spec.rules[0].sessionPersistence.absoluteTimeout).toBe('48h');
    expect(route.spec.rules[0].timeouts.request).toBe('1h30m30s');
  });

  test('every provider routes to the reverse-proxy port of the Nuxeo pods', () => {
    for (const provider of ['ingress-nginx', 'traefik', 'service']) {
      const svc = find(lbOf({ provider }), 'Service', 'nuxeo');
      expect(svc.spec.selector).toEqual({ 'app.kubernetes.io/instance': 'nuxeo' });
      expect(svc.spec.ports).toEqual([{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }]);
    }
  });
});
