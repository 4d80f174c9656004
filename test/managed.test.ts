/** Managed services chosen in the environment file: database, Elasticsearch and Redis outside the cluster. */
import { validateEnvironment } from '../app/load';
import { parseProperties } from '../lib/nuxeo/nuxeo-conf';
import { SUMMARY_FILE, synthesizeEnvironment } from '../app/synth';
import { NUXEO_CONF_FILE } from '../lib/nuxeo/nuxeo';
import { allManifests, environment, find, synthFiles } from './helpers';

const managed = {
  database: { name: 'nx', user: 'nxuser', managed: { host: 'nx.abcdefghij.eu-west-1.rds.amazonaws.com', cidrs: ['10.40.0.0/16'] } },
  elasticsearch: { managed: { urls: ['https://nx.es.eu-west-1.aws.found.io:9243'], user: 'nuxeo' } },
  redis: { managed: { host: 'master.nx.abc123.euw1.cache.amazonaws.com', port: 6380 } },
};

describe('managed services from the environment file', () => {
  const env = environment('managed', managed);
  const manifests = allManifests(env);
  const conf = parseProperties(find(manifests, 'ConfigMap', 'nuxeo-conf').data![NUXEO_CONF_FILE]);
  const nuxeoPolicy = find(manifests, 'NetworkPolicy', 'nuxeo').spec;

  test('no object of a replaced tier is generated, and its file is left out', () => {
    expect(manifests.filter((m) => m.kind === 'StatefulSet').map((m) => m.metadata.name)).toEqual(['nuxeo']);
    expect([...synthFiles(env).keys()]).toEqual(['00-namespace.k8s.yaml', '40-nuxeo.k8s.yaml', '50-load-balancer.k8s.yaml', '60-monitoring.k8s.yaml']);
  });

  test('Nuxeo is configured for each service, TLS by default', () => {
    expect(conf.get('nuxeo.db.host')).toBe('nx.abcdefghij.eu-west-1.rds.amazonaws.com');
    expect(conf.get('nuxeo.db.name')).toBe('nx');
    expect(conf.get('nuxeo.db.user')).toBe('nxuser');
    expect(conf.get('nuxeo.db.jdbc.url')).toBe('jdbc:postgresql://${nuxeo.db.host}:${nuxeo.db.port}/${nuxeo.db.name}?ssl=true&sslmode=require');
    expect(conf.get('elasticsearch.addressList')).toBe('https://nx.es.eu-west-1.aws.found.io:9243');
    expect(conf.get('elasticsearch.restClient.username')).toBe('nuxeo');
    expect(conf.get('nuxeo.redis.host')).toBe('master.nx.abc123.euw1.cache.amazonaws.com');
    expect(conf.get('nuxeo.redis.port')).toBe('6380');
    expect(conf.get('nuxeo.redis.ssl')).toBe('true');
    const env = find(manifests, 'StatefulSet', 'nuxeo').spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'NUXEO_SECRET_ELASTICSEARCH_RESTCLIENT_PASSWORD', valueFrom: { secretKeyRef: { name: 'nuxeo-elasticsearch', key: 'password' } } });
  });

  test("Nuxeo's egress opens to each service only: its CIDRs, or any address on its port", () => {
    const anywhere = [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }];
    expect(nuxeoPolicy.egress.slice(1)).toEqual([
      { to: [{ ipBlock: { cidr: '10.40.0.0/16' } }], ports: [{ port: 5432, protocol: 'TCP' }] },
      { to: anywhere, ports: [{ port: 9243, protocol: 'TCP' }] },
      { to: anywhere, ports: [{ port: 6380, protocol: 'TCP' }] },
    ]);
  });

  test('monitoring watches only what runs in the cluster', () => {
    expect(manifests.filter((m) => m.kind === 'PodMonitor').map((m) => m.metadata.name)).toEqual(['nuxeo']);
    const groups = find(manifests, 'PrometheusRule', 'nuxeo-compact').spec.groups.map((g: any) => g.name);
    expect(groups).toEqual(['nuxeo-compact.nuxeo', 'nuxeo-compact.volumes']);
  });

  test('SUMMARY.md names the managed services and what their provider keeps', () => {
    const summary = synthesizeEnvironment(env).get(SUMMARY_FILE)!;
    expect(summary).toContain('| PostgreSQL (managed) | - | - | - | nx.abcdefghij.eu-west-1.rds.amazonaws.com:5432 (TLS) |');
    expect(summary).toContain('| Redis (managed) |');
    expect(summary).toContain('database.managed: Nuxeo uses nx.abcdefghij.eu-west-1.rds.amazonaws.com:5432 over TLS');
    expect(summary).not.toContain('PostgreSQL has no automatic failover');
    expect(summary).toContain("| PostgreSQL (managed) | the provider's (automated backups, snapshots) | `nx.abcdefghij.eu-west-1.rds.amazonaws.com` |");
    expect(summary).not.toContain('postgresql-backup');
  });
});

describe('managed services: validation', () => {
  const problems = (doc: Record<string, unknown>) => validateEnvironment({ namespace: 'n', loadBalancer: { host: 'n.example.com' }, ...doc }).problems;

  test('a bad host, URL or CIDR is named by its field', () => {
    expect(problems({ database: { managed: { host: 'not a host' } } })).toContainEqual(expect.stringMatching(/^database\.managed\.host: must be a host name/));
    expect(problems({ elasticsearch: { managed: { urls: ['nx.es.io:9243'] } } })).toContainEqual(expect.stringMatching(/^elasticsearch\.managed\.urls\.0: must be a URL/));
    expect(problems({ redis: { managed: { host: 'r.example.com', cidrs: ['10.0.0.0'] } } })).toContainEqual(expect.stringMatching(/^redis\.managed\.cidrs\.0: must be an address block/));
  });

  test('an in-cluster Redis cluster and a managed Redis together are refused', () => {
    expect(problems({ redis: { mode: 'external', managed: { host: 'r.example.com' } } })).toContainEqual(expect.stringMatching(/^redis\.mode: 'external' runs a Redis cluster .* keep one/));
  });
});
