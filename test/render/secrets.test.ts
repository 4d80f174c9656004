/** The Secrets checklist: every Secret the manifests reference, with its keys, readers and a create command. */
import { createSecretCommand, secretsNeeded } from '../../app/secrets';
import { SUMMARY_FILE, synthesizeEnvironment } from '../../app/synth';
import { allManifests, environment, shippedEnvironments } from '../helpers';

/** Secret names referenced anywhere in the objects, found by walking them (not by the code under test). */
function referencedSecrets(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => referencedSecrets(n, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'secretName' && typeof v === 'string') out.add(v);
      else if ((k === 'secretKeyRef' || k === 'secretRef') && (v as any)?.name) out.add((v as any).name);
      else if (k === 'imagePullSecrets') (v as any[]).forEach((s) => out.add(s.name));
      referencedSecrets(v, out);
    }
  }
  return out;
}

describe.each(shippedEnvironments().map((e) => [e.name, e] as const))('%s', (_name, env) => {
  const summary = synthesizeEnvironment(env).get(SUMMARY_FILE)!;
  const section = summary.slice(summary.indexOf('## Secrets to create'), summary.indexOf('## Limits in force'));

  test('SUMMARY.md names every Secret the manifests reference, with a create command', () => {
    const names = [...referencedSecrets(allManifests(env))].sort();
    expect(names.length).toBeGreaterThanOrEqual(3);
    for (const name of names) {
      expect(section).toContain(`| \`${name}\` |`);
      expect(section).toMatch(new RegExp(`kubectl -n ${env.spec.namespace} create secret (generic|docker-registry|tls) ${name} `));
    }
    expect(secretsNeeded(allManifests(env)).map((s) => s.name)).toEqual(names);
  });
});

describe('secrets checklist', () => {
  test('renamed Secrets and keys are listed with the workloads that read each', () => {
    const env = environment('renamed', {
      imagePullSecrets: ['registry-creds'],
      secrets: { redisPassword: { name: 'cache-auth', key: 'redis-pw' }, databasePassword: { name: 'db-app', key: 'pw' }, nuxeoClid: { name: 'nuxeo-instance' } },
      nuxeo: { binaries: { type: 's3', s3: { bucket: 'bucket-1', region: 'eu-west-1', credentialsSecret: { name: 's3-keys' } } } },
    });
    const byName = Object.fromEntries(secretsNeeded(allManifests(env)).map((s) => [s.name, s]));
    expect(byName['cache-auth']).toEqual({ name: 'cache-auth', type: 'generic', keys: ['redis-pw'], readers: ['StatefulSet/nuxeo'] });
    expect(byName['db-app']).toEqual({ name: 'db-app', type: 'generic', keys: ['pw'], readers: ['StatefulSet/nuxeo', 'StatefulSet/postgresql-primary', 'StatefulSet/postgresql-replica'] });
    expect(byName['nuxeo-database'].keys).toEqual(['replication-password', 'superuser-password']);
    expect(byName['s3-keys'].keys).toEqual(['access-key-id', 'secret-access-key']);
    expect(byName['nuxeo-instance'].keys).toEqual(['clid']);
    expect(byName['registry-creds']).toMatchObject({ type: 'docker-registry', keys: ['.dockerconfigjson'] });
    expect(byName['renamed-tls']).toEqual({ name: 'renamed-tls', type: 'tls', keys: ['tls.crt', 'tls.key'], readers: ['Ingress/nuxeo (the ingress controller)'] });
  });

  test('commands carry placeholders only, quoted for the shell', () => {
    const ns = 'nuxeo-x';
    expect(createSecretCommand(ns, { name: 'db', type: 'generic', keys: ['a', 'b'], readers: [] }))
      .toBe("kubectl -n nuxeo-x create secret generic db --from-literal=a='<a>' --from-literal=b='<b>'");
    expect(createSecretCommand(ns, { name: 'tls', type: 'tls', keys: ['tls.crt', 'tls.key'], readers: [] })).toMatch(/^kubectl -n nuxeo-x create secret tls tls --cert='<[^']+>' --key='<[^']+>'$/);
    expect(createSecretCommand(ns, { name: 'reg', type: 'docker-registry', keys: [], readers: [] })).toMatch(/--docker-password='<[^']+>'$/);
  });

  test('the Gateway holds its own certificate: no TLS Secret is listed for gateway-api', () => {
    const env = environment('gw', { loadBalancer: { provider: 'gateway-api', host: 'gw.example.com', tlsSecret: 'gw-tls', gateway: { name: 'g', namespace: 'gws' } } });
    expect(secretsNeeded(allManifests(env)).map((s) => s.name)).not.toContain('gw-tls');
  });
});
