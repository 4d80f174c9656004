/**
 * Every synthesized object against the Kubernetes OpenAPI schema (kubernetes-models, schemas up
 * to Kubernetes 1.33), the Gateway API schema (@kubernetes-models/gateway-api), the
 * prometheus-operator schema (@kubernetes-models/prometheus-operator) and the committed
 * CloudNativePG CRDs (imports/crds/). The first three do not reject unknown fields; the typed L1
 * props (checked by `tsc --noEmit` in `npm test`) do.
 */
import { crdProblems, hasCrd } from './crd-validator';
import { allManifests, cloudEnvironments, environmentMatrix, Manifest } from './helpers';

function modelOf(m: Manifest): any {
  if (m.apiVersion.startsWith('gateway.networking.k8s.io/')) {
    return require(`@kubernetes-models/gateway-api/${m.apiVersion}`)[m.kind];
  }
  if (m.apiVersion.startsWith('monitoring.coreos.com/')) {
    return require(`@kubernetes-models/prometheus-operator/${m.apiVersion}`)[m.kind];
  }
  return require(`kubernetes-models/${m.apiVersion}`)[m.kind];
}

describe.each([...environmentMatrix(), ...cloudEnvironments()].map((e) => [e.name, e] as const))('environment %s', (_name, env) => {
  const manifests = allManifests(env);

  test('every object has a schema and validates against it', () => {
    const failures: string[] = [];
    for (const m of manifests) {
      if (hasCrd(m)) {
        failures.push(...crdProblems(m).map((p) => `${m.kind}/${m.metadata.name}: ${p}`));
        continue;
      }
      const Model = modelOf(m);
      if (!Model) {
        failures.push(`${m.apiVersion} ${m.kind}/${m.metadata.name}: no schema`);
        continue;
      }
      try {
        new Model(m).validate();
      } catch (e: any) {
        failures.push(`${m.kind}/${m.metadata.name}: ${e.message}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

test('the validator does catch a broken object', () => {
  const [sts] = allManifests(environmentMatrix()[0]).filter((m) => m.kind === 'StatefulSet');
  const broken = JSON.parse(JSON.stringify(sts));
  broken.spec.replicas = 'two';
  delete broken.spec.template.spec.containers[0].name;
  expect(() => new (modelOf(broken))(broken).validate()).toThrow(/replicas must be integer.*must have required property name/s);
});

test('the prometheus-operator validator does catch a broken rule and monitor', () => {
  const manifests = allManifests(environmentMatrix()[0]);
  const rule = JSON.parse(JSON.stringify(manifests.find((m) => m.kind === 'PrometheusRule')));
  delete rule.spec.groups[0].name;
  expect(() => new (modelOf(rule))(rule).validate()).toThrow(/groups\/0 must have required property name/);
  const monitor = JSON.parse(JSON.stringify(manifests.find((m) => m.kind === 'PodMonitor')));
  monitor.spec.podMetricsEndpoints[0].port = 9090;
  expect(() => new (modelOf(monitor))(monitor).validate()).toThrow(/port must be string/);
});
