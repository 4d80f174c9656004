/**
 * A code user (constructs in a cdk8s App) and a file user (an environment document) get the same
 * refusals and warnings, word for word. The one allowed difference is the path of a field that
 * the two write in different places (WRITTEN_ELSEWHERE: the shared settings are `context.<field>`
 * in code and top-level fields in the file; the CLID and the database password are Props of their
 * tier in code and under `secrets` in the file); a tier's own fields have the same path in both,
 * and everything after the path is the same. A managed service's options are named as the file
 * names them (`RedisSource.managed({ host })` -> `redis.managed.host`; ManagedDatabaseProps'
 * `database` -> `database.name`, ManagedElasticsearchProps' `credentials.user` ->
 * `elasticsearch.managed.user`), in code as in the file. The file app prefixes each line with the file's name
 * (`loadEnvironment`); `validateEnvironment` gives the lines as compared here. Warnings are the
 * same texts; their order follows the constructs in code (Nuxeo before the load balancer).
 */
import { App, Chart } from 'cdk8s';
import {
  CompactArchitecture, CompactArchitectureProps, DatabaseSource, ElasticsearchSource, managedRedis, PropsError, RedisSource, Warnings,
} from '../lib';
import { validateEnvironment } from '../app/load';
import { setupWarnings } from '../app/setup-warnings';
import { environmentSchema } from '../app/environment';

const HOST = 'a.example.com';

/** Code path prefix -> file path prefix, for the fields the two users write in different places. */
const WRITTEN_ELSEWHERE: [string, string][] = [
  ['context.dns.', 'network.dns.'],
  ['context.priorityClassName', 'priorityClass.name'],
  ['context.', ''],
  ['nuxeo.clid', 'secrets.nuxeoClid'],
  ['database.password', 'secrets.databasePassword'],
];

/** A code user's line with the field named where the file writes it. */
function asInFile(line: string): string {
  const [from, to] = WRITTEN_ELSEWHERE.find(([code]) => line.startsWith(code)) ?? ['', ''];
  return to + line.slice(from.length);
}

/** One bad value, as a code user writes it (Props of CompactArchitecture) and as a file user does. */
interface Case {
  readonly name: string;
  readonly code: Partial<CompactArchitectureProps>;
  readonly file: Record<string, unknown>;
}

/** A value placed in one tier's section, the same in code and in the file. */
function inTier(name: string, tier: 'nuxeo' | 'redis' | 'elasticsearch' | 'database' | 'loadBalancer', value: Record<string, unknown>): Case {
  const code: Partial<CompactArchitectureProps> = {
    nuxeo: { nuxeo: value as never },
    redis: { redis: RedisSource.inCluster(value as never) },
    elasticsearch: { elasticsearch: ElasticsearchSource.inCluster(value as never) },
    database: { database: DatabaseSource.inCluster(value as never) },
    loadBalancer: { loadBalancer: { host: HOST, ...value } },
  }[tier];
  return { name, code, file: tier === 'loadBalancer' ? { loadBalancer: { host: HOST, ...value } } : { [tier]: value } };
}

const CASES: Case[] = [
  inTier('nuxeo: too small', 'nuxeo', { databasePoolSize: 1 }),
  inTier('nuxeo: too big', 'nuxeo', { concurrentUploads: 65 }),
  inTier('nuxeo: wrong enum', 'nuxeo', { logFormat: 'xml' }),
  inTier('nuxeo: wrong type', 'nuxeo', { replicas: 'three' }),
  inTier('nuxeo: unknown field', 'nuxeo', { colour: 'blue' }),
  inTier('nuxeo: a nested unknown field', 'nuxeo', { binaries: { kind: 's3' } }),
  inTier('nuxeo: a secret in the properties', 'nuxeo', { properties: { 'mail.password': 'x' } }),
  inTier('redis: wrong enum', 'redis', { mode: 'cluster' }),
  inTier('redis: too small', 'redis', { mode: 'external', replicas: 1 }),
  inTier('redis: wrong type', 'redis', { maxmemory: 5 }),
  inTier('redis: a rule of the section', 'redis', { mode: 'external', replicas: 3, sentinel: { quorum: 4 } }),
  inTier('elasticsearch: too small', 'elasticsearch', { replicas: 1 }),
  inTier('elasticsearch: wrong type', 'elasticsearch', { indexReplicas: 'one' }),
  inTier('elasticsearch: unknown field', 'elasticsearch', { heap: '1g' }),
  inTier('database: too small', 'database', { maxConnections: 10 }),
  inTier('database: wrong type', 'database', { replicas: null }),
  inTier('database: too small replicas', 'database', { replicas: 0 }),
  inTier('loadBalancer: wrong enum', 'loadBalancer', { provider: 'nginx' }),
  inTier('loadBalancer: too big', 'loadBalancer', { timeoutSeconds: 100000 }),
  inTier('loadBalancer: wrong type', 'loadBalancer', { cookieMaxAgeSeconds: '1h' }),
  inTier('nuxeo: too few nodes', 'nuxeo', { replicas: 1 }),
  {
    name: 'several tiers at once: every problem, in one report',
    code: { nuxeo: { replicas: 1 }, redis: RedisSource.inCluster({ maxmemory: 'lots' }), database: DatabaseSource.inCluster({ replicas: 0 }) },
    file: { nuxeo: { replicas: 1 }, redis: { maxmemory: 'lots' }, database: { replicas: 0 } },
  },
  {
    name: 'a managed Redis: not a host name, a port out of range',
    code: { redis: RedisSource.managed({ host: 'redis at example', port: 70000, password: { name: 'redis', key: 'password' } }) },
    file: { redis: { managed: { host: 'redis at example', port: 70000 } } },
  },
  {
    name: 'a managed database: not a host name, maxConnections too small, an address block that is none',
    code: { database: DatabaseSource.managed({ host: 'db_1', password: { name: 'nuxeo-database', key: 'password' }, maxConnections: 10, cidrs: ['10.0.0.0'] }) },
    file: { database: { maxConnections: 10, managed: { host: 'db_1', cidrs: ['10.0.0.0'] } } },
  },
  {
    name: 'a managed Elasticsearch: no URL, an empty user, an index replica count below zero',
    code: { elasticsearch: ElasticsearchSource.managed({ urls: ['es.example.com:9243'], indexReplicas: -1, credentials: { user: '', password: { name: 'es', key: 'password' } } }) },
    file: { elasticsearch: { indexReplicas: -1, managed: { urls: ['es.example.com:9243'], user: '' } } },
  },
  {
    name: 'across tiers: the pools against maxConnections',
    code: { nuxeo: { replicas: 8 } },
    file: { nuxeo: { replicas: 8 } },
  },
  {
    name: 'across tiers: a managed database with too few connections',
    code: { nuxeo: { replicas: 3 }, database: DatabaseSource.managed({ host: 'db.example.com', password: { name: 'nuxeo-database', key: 'password' }, maxConnections: 100 }) },
    file: { nuxeo: { replicas: 3 }, database: { maxConnections: 100, managed: { host: 'db.example.com' } } },
  },
  {
    name: 'across tiers: packages at start need a CLID',
    code: { nuxeo: { packages: ['nuxeo-web-ui'] } },
    file: { nuxeo: { packages: ['nuxeo-web-ui'] } },
  },
  {
    name: 'across tiers: CloudNativePG reads the password under the key `password`',
    code: { database: DatabaseSource.cloudNativePg({ password: { name: 'db', key: 'pw' }, backup: { objectStore: { destinationPath: 's3://backups/x' } } }) },
    file: { database: { provider: 'cloudnativepg', backup: { objectStore: { destinationPath: 's3://backups/x' } } }, secrets: { databasePassword: { name: 'db', key: 'pw' } } },
  },
];

/** The refusals of a code user: the PropsError of the constructor, or the validations at synthesis. */
function codeRefusals(props: Partial<CompactArchitectureProps>): string[] {
  const app = new App({ outdir: '/tmp/same-refusals-unused' });
  const chart = new Chart(app, 'test', { namespace: 'x', disableResourceNameHashes: true });
  try {
    new CompactArchitecture(chart, 'nuxeo', { loadBalancer: { host: HOST }, ...props });
  } catch (e) {
    if (e instanceof PropsError) return e.problems;
    throw e;
  }
  const errors = chart.node.findAll().flatMap((c) => c.node.validate());
  return errors;
}

/** The refusals of a file user: the loader's lines, without the file name it prefixes. */
function fileRefusals(doc: Record<string, unknown>): string[] {
  const { loadBalancer, ...rest } = doc;
  return validateEnvironment({ namespace: 'x', loadBalancer: loadBalancer ?? { host: HOST }, ...rest }).problems;
}

describe('a code user and a file user get the same refusals, word for word', () => {
  test.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const file = fileRefusals(c.file);
    expect(file.length).toBeGreaterThan(0);
    expect(codeRefusals(c.code).map(asInFile).sort()).toEqual([...file].sort());
  });

  test('the shared settings: the same words, the field written `context.<field>` in code and `<field>` in the file', () => {
    const code = codeRefusals({ context: { imagePullSecrets: ['Bad_Name'], clusterDomain: 'Cluster.Local', priorityClassName: 'Gold', dns: { ports: [0] } } });
    const file = fileRefusals({ imagePullSecrets: ['Bad_Name'], clusterDomain: 'Cluster.Local', priorityClass: { name: 'Gold' }, network: { dns: { ports: [0] } } });
    expect(file.length).toBe(4);
    expect(code.map(asInFile).sort()).toEqual(file.sort());
  });

  test("the words are the file's, naming the field and what it takes (not zod's)", () => {
    expect(codeRefusals({ nuxeo: { databasePoolSize: 1 } })).toEqual(['nuxeo.databasePoolSize: must be at least 5']);
    expect(codeRefusals({ nuxeo: { replicas: 'three' as never } })).toEqual(['nuxeo.replicas: must be a number, not string "three"']);
    expect(codeRefusals({ elasticsearch: ElasticsearchSource.managed({ urls: [] }) })).toEqual(['elasticsearch.managed.urls: must have at least 1 item']);
    expect(codeRefusals({ nuxeo: { packages: [''] } })).toEqual(['nuxeo.packages.0: must be at least 1 character long']);
  });

  test('a managed endpoint composed by hand (managedRedis) refuses the same', () => {
    const file = fileRefusals({ redis: { managed: { host: 'redis at example' } } });
    expect(file.length).toBe(1);
    expect(() => managedRedis({ host: 'redis at example', password: { name: 'redis', key: 'password' } })).toThrow(new PropsError(file));
  });

  test('the path translation touches only the fields written elsewhere', () => {
    expect(asInFile('context.imagePullSecrets.0: x')).toBe('imagePullSecrets.0: x');
    expect(asInFile('context.dns.ports.0: x')).toBe('network.dns.ports.0: x');
    expect(asInFile('nuxeo.clid: x')).toBe('secrets.nuxeoClid: x');
    expect(asInFile('nuxeo.replicas: x')).toBe('nuxeo.replicas: x');
  });
});

describe('a code user and a file user get the same warnings', () => {
  const codeWarnings = (props: Partial<CompactArchitectureProps>) => {
    const chart = new Chart(new App({ outdir: '/tmp/same-refusals-unused' }), 'test', { namespace: 'x', disableResourceNameHashes: true });
    return Warnings.collect(new CompactArchitecture(chart, 'nuxeo', { loadBalancer: { host: HOST }, ...props }));
  };
  const fileWarnings = (doc: Record<string, unknown>) => setupWarnings(environmentSchema.parse({ namespace: 'x', ...doc }));

  test.each([
    ['a TLS secret the provider ignores', { loadBalancer: { host: HOST, provider: 'service', tlsSecret: 'tls' } }, { imagePullSecrets: ['registry'] }],
    ['a private Nuxeo image without pull secrets (the default image)', { loadBalancer: { host: HOST, tlsSecret: 'tls' } }, {}],
    ['both', { loadBalancer: { host: HOST, provider: 'service', tlsSecret: 'tls' } }, {}],
  ] as const)('%s', (_name, doc, context) => {
    const file = fileWarnings({ ...doc, ...context });
    expect(file.length).toBeGreaterThan(0);
    expect(codeWarnings({ ...doc, context } as Partial<CompactArchitectureProps>).sort()).toEqual([...file].sort());
  });
});
