/** The Secrets checklist: every Secret the manifests reference, with its keys, readers and a create command. */
import { createSecretCommand, secretsNeeded } from '../../app/secrets';
import { SUMMARY_FILE, synthesizeEnvironment } from '../../app/synth';
import { allManifests, environment, find, shippedEnvironments } from '../helpers';

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
    expect(byName['db-app']).toMatchObject({ name: 'db-app', type: 'generic', keys: ['pw'] });
    expect(byName['db-app'].readers).toEqual(expect.arrayContaining(['StatefulSet/nuxeo', 'StatefulSet/postgresql-primary', 'StatefulSet/postgresql-replica']));
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

/** A manifest of `kind` whose spec is `spec`. */
const object = (apiVersion: string, kind: string, spec: any) => ({ apiVersion, kind, metadata: { name: 'x' }, spec });
const cnpg = (overrides: Record<string, any> = {}) => environment('cnpg', {
  secrets: { databasePassword: { name: 'db-app', key: 'password' } },
  database: { provider: 'cloudnativepg', backup: { objectStore: { destinationPath: 's3://backups/pg' } }, ...overrides },
});

describe('every consumer kind', () => {
  test('CronJob: the backup jobs read their Secrets through jobTemplate', () => {
    const env = environment('jobs', { secrets: { databasePassword: { name: 'db-app', key: 'pw' } } });
    const jobs = allManifests(env).filter((m) => m.kind === 'CronJob');
    const reading = jobs.filter((j) => JSON.stringify(j.spec.jobTemplate).includes('"db-app"')).map((j) => `CronJob/${j.metadata.name}`);
    expect(reading.length).toBeGreaterThan(0);
    const need = secretsNeeded(allManifests(env)).find((s) => s.name === 'db-app')!;
    expect(need.readers).toEqual(expect.arrayContaining(reading));
  });

  test('CloudNativePG Cluster, bootstrap.initdb: a kubernetes.io/basic-auth Secret whose username is the owner', () => {
    const env = cnpg({ user: 'nx_owner' });
    const need = secretsNeeded(allManifests(env)).find((s) => s.name === 'db-app')!;
    expect(need).toEqual({
      name: 'db-app', type: 'basic-auth', keys: ['password', 'username'], values: { username: 'nx_owner' },
      readers: ['Cluster/postgresql (the CloudNativePG operator)', 'StatefulSet/nuxeo'],
    });
    expect(createSecretCommand('ns', need)).toBe("kubectl -n ns create secret generic db-app --type=kubernetes.io/basic-auth --from-literal=password='<password>' --from-literal=username='nx_owner'");
  });

  test('CloudNativePG Cluster, barmanObjectStore: the s3Credentials keys', () => {
    const env = cnpg({ backup: { objectStore: { destinationPath: 's3://backups/pg', credentialsSecret: { name: 'pg-s3', accessKeyIdKey: 'id', secretAccessKeyKey: 'key', regionKey: 'region' } } } });
    const need = secretsNeeded(allManifests(env)).find((s) => s.name === 'pg-s3')!;
    expect(need).toEqual({ name: 'pg-s3', type: 'generic', keys: ['id', 'key', 'region'], readers: ['Cluster/postgresql (the CloudNativePG operator)'] });
  });

  test('CloudNativePG Cluster, bootstrap.recovery: the role Secret and the origin store\'s credentials', () => {
    const env = cnpg({
      backup: { objectStore: { destinationPath: 's3://backups/pg', credentialsSecret: { name: 'pg-s3' } } },
      cloudnativepg: { recovery: { serverName: 'old' } },
    });
    const byName = Object.fromEntries(secretsNeeded(allManifests(env)).map((s) => [s.name, s]));
    expect(byName['db-app']).toMatchObject({ type: 'basic-auth', values: { username: 'nuxeo' } });
    expect(byName['pg-s3'].keys).toEqual(['access-key-id', 'secret-access-key']);
  });

  test('CloudNativePG Cluster: its pull Secrets (the instances pull the PostgreSQL image)', () => {
    const env = environment('pull', { imagePullSecrets: ['reg'], database: { provider: 'cloudnativepg', backup: { objectStore: { destinationPath: 's3://backups/pg' } } }, secrets: { databasePassword: { name: 'db-app', key: 'password' } } });
    const cluster = find(allManifests(env), 'Cluster', 'postgresql');
    expect(cluster.spec.imagePullSecrets).toEqual([{ name: 'reg' }]);
    expect(secretsNeeded(allManifests(env)).find((s) => s.name === 'reg')!.readers).toContain('Cluster/postgresql (the CloudNativePG operator)');
  });

  test('CloudNativePG Cluster, superuserSecret: basic-auth for user postgres', () => {
    const need = secretsNeeded([object('postgresql.cnpg.io/v1', 'Cluster', { superuserSecret: { name: 'pg-super' } })]);
    expect(need).toEqual([{ name: 'pg-super', type: 'basic-auth', keys: ['password', 'username'], values: { username: 'postgres' }, readers: ['Cluster/x (the CloudNativePG operator)'] }]);
  });

  test('prometheus-operator PodMonitor / ServiceMonitor: the scrape credentials', () => {
    const need = secretsNeeded([
      object('monitoring.coreos.com/v1', 'PodMonitor', { podMetricsEndpoints: [{ basicAuth: { username: { name: 'scrape', key: 'u' }, password: { name: 'scrape', key: 'p' } } }] }),
      object('monitoring.coreos.com/v1', 'ServiceMonitor', { endpoints: [{ tlsConfig: { ca: { secret: { name: 'scrape-tls', key: 'ca.crt' } }, keySecret: { name: 'scrape-tls', key: 'tls.key' } } }] }),
    ]);
    expect(need.map((s) => [s.name, s.keys])).toEqual([['scrape', ['p', 'u']], ['scrape-tls', ['ca.crt', 'tls.key']]]);
  });

  test('a Secret read with two fixed types or two fixed usernames is refused, naming it', () => {
    const pull = object('apps/v1', 'Deployment', { template: { spec: { containers: [], imagePullSecrets: [{ name: 'both' }] } } });
    expect(() => secretsNeeded([pull, object('postgresql.cnpg.io/v1', 'Cluster', { superuserSecret: { name: 'both' } })])).toThrow(/Secret both is read as docker-registry and as basic-auth/);
    const owner = (o: string) => object('postgresql.cnpg.io/v1', 'Cluster', { bootstrap: { initdb: { owner: o, secret: { name: 'app' } } } });
    expect(() => secretsNeeded([owner('a'), owner('b')])).toThrow(/Secret app must hold username 'a' and 'b'/);
  });

  test('the table gives the Secret type as the API server knows it', () => {
    const section = synthesizeEnvironment(cnpg()).get(SUMMARY_FILE)!;
    expect(section).toContain("| `db-app` | kubernetes.io/basic-auth | `password`, `username` (= `nuxeo`) |");
  });
});
