/** Settings that would silently do nothing: each is said at synth and in SUMMARY.md, never claimed as working. */
import { monitoringSelectorWarnings, setupWarnings } from '../../app/setup-warnings';
import { SUMMARY_FILE, synthesizeEnvironment } from '../../app/synth';
import { environment, EXAMPLES, exampleEnvironment } from '../helpers';

const gateway = { name: 'public', namespace: 'gateways' };
const pull = { imagePullSecrets: ['nuxeo-registry'] };
const summaryOf = (env: ReturnType<typeof environment>) => synthesizeEnvironment(env).get(SUMMARY_FILE)!;
const headerOf = (env: ReturnType<typeof environment>) => summaryOf(env).split('\n')[2];

describe('loadBalancer.tlsSecret with a provider that ignores it', () => {
  test('gateway-api: warned, and SUMMARY.md puts TLS on the Gateway, not on the Secret', () => {
    const env = environment('gw', { ...pull, loadBalancer: { provider: 'gateway-api', host: 'gw.example.com', tlsSecret: 'gw-tls', gateway } });
    expect(setupWarnings(env.spec)).toEqual([expect.stringContaining("loadBalancer.tlsSecret 'gw-tls' is ignored with provider 'gateway-api'")]);
    expect(headerOf(env)).toContain('(TLS, if any, on the listener of Gateway `gateways/public`)');
    expect(summaryOf(env)).not.toContain('TLS from Secret');
    expect(summaryOf(env)).toContain("## Check before applying\n\n- loadBalancer.tlsSecret 'gw-tls' is ignored");
  });

  test('service: warned as plain HTTP with the Secret ignored, and SUMMARY.md says no TLS', () => {
    const env = environment('svc', { ...pull, loadBalancer: { provider: 'service', host: 'svc.example.com', tlsSecret: 'svc-tls' } });
    expect(setupWarnings(env.spec)).toEqual([expect.stringMatching(/^provider 'service' serves plain HTTP.*loadBalancer.tlsSecret 'svc-tls' is ignored/)]);
    expect(headerOf(env)).toContain('(no TLS: plain HTTP on a LoadBalancer Service)');
    expect(summaryOf(env)).not.toContain('TLS from Secret');
  });

  test('gateway-api without tlsSecret: nothing to warn about', () => {
    expect(setupWarnings(environment('gw2', { ...pull, loadBalancer: { provider: 'gateway-api', host: 'gw.example.com', gateway } }).spec)).toEqual([]);
  });
});

test.each(['ingress-nginx', 'traefik'])('%s without TLS: warned as plain HTTP, naming the policy failure', (provider) => {
  const env = environment('plain', { ...pull, loadBalancer: { provider, host: 'plain.example.com' } });
  expect(setupWarnings(env.spec)).toEqual([expect.stringMatching(/^no loadBalancer.tlsSecret: the Ingress serves plain.example.com over plain HTTP.*Polaris tlsSettingsMissing/)]);
  expect(headerOf(env)).toContain('(no TLS: plain HTTP)');
});

test('the private Nuxeo image without imagePullSecrets is warned about; with one, or a public image, it is not', () => {
  const base = { loadBalancer: { host: 'x.example.com', tlsSecret: 'x-tls' } };
  expect(setupWarnings(environment('nopull', { ...base, imagePullSecrets: [] }).spec)).toEqual([expect.stringContaining('imagePullSecrets is empty: Nuxeo pods stay in ImagePullBackOff')]);
  expect(setupWarnings(environment('pull', { ...base, imagePullSecrets: ['nuxeo-registry'] }).spec)).toEqual([]);
  expect(setupWarnings(environment('mirror', { ...base, nuxeo: { image: 'registry.acme.com/nuxeo:2021.36' } }).spec)).toEqual([]);
});

test.each(EXAMPLES)('the shipped example %s has nothing to check', (name) => {
  const env = exampleEnvironment(name);
  expect(setupWarnings(env.spec)).toEqual([]);
  expect(summaryOf(env)).not.toContain('## Check before applying');
});

describe('monitoring objects a default kube-prometheus-stack would not select', () => {
  test('no release label: warned at synth and in SUMMARY.md, naming the field', () => {
    const env = environment('nolabel', pull);
    expect(monitoringSelectorWarnings(env.spec)).toEqual([expect.stringMatching(/^monitoring\.labels has no `release` label: .*release: <its Helm release name>/)]);
    expect(summaryOf(env)).toContain('## Check before applying\n\n- monitoring.labels has no `release` label');
  });

  test('a release label, or monitoring off: nothing to warn about', () => {
    expect(monitoringSelectorWarnings(environment('rel', { ...pull, monitoring: { labels: { release: 'kps' } } }).spec)).toEqual([]);
    expect(monitoringSelectorWarnings(environment('off', { ...pull, monitoring: { enabled: false } }).spec)).toEqual([]);
  });
});
