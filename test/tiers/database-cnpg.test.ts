import { validateEnvironment } from '../../app/load';
import { mebibytes } from '../../lib/settings/quantity';
import { renderPostgresqlConf } from '../../lib/database/postgres-conf';
import { cloudnativepgParameters } from '../../lib/database/cloudnativepg';
import { METRICS } from '../../lib/k8s/exporters';
import { crdProblems } from '../crd-validator';
import { allManifests, cloudnativepgPodLabels, environment, exampleEnvironment, find, matches } from '../helpers';

const STORE = { destinationPath: 's3://backups/pg' };
const cnpg = (name: string, database: Record<string, any> = {}, extra: Record<string, any> = {}) =>
  environment(name, { secrets: { databasePassword: { name: 'db-app', key: 'password' } }, database: { provider: 'cloudnativepg', backup: { objectStore: STORE }, ...database }, ...extra });

describe('CloudNativePG provider', () => {
  const shipped = exampleEnvironment('cloudnativepg');
  const manifests = allManifests(shipped);
  const cluster = find(manifests, 'Cluster', 'postgresql');
  const scheduled = find(manifests, 'ScheduledBackup', 'postgresql');

  test('a shipped environment uses it: >= 2 instances, object-store backups with retention, a ScheduledBackup', () => {
    expect(cluster.apiVersion).toBe('postgresql.cnpg.io/v1');
    expect(cluster.spec.instances).toBe(1 + shipped.spec.database.replicas);
    expect(cluster.spec.instances).toBeGreaterThanOrEqual(2);
    expect(cluster.spec.backup.barmanObjectStore.destinationPath).toMatch(/^s3:\/\//);
    expect(cluster.spec.backup.retentionPolicy).toBe(`${shipped.spec.database.backup.retentionDays}d`);
    expect(scheduled.spec).toMatchObject({ cluster: { name: 'postgresql' }, method: 'barmanObjectStore', immediate: true });
  });

  test('the Cluster and ScheduledBackup validate against the CloudNativePG CRDs', () => {
    expect(crdProblems(cluster)).toEqual([]);
    expect(crdProblems(scheduled)).toEqual([]);
  });

  test('the CRD validator catches a wrong type, a bad enum value and an unknown field', () => {
    const broken = JSON.parse(JSON.stringify(cluster));
    broken.spec.instances = 'three';
    broken.spec.primaryUpdateStrategy = 'whenever';
    broken.spec.backup.barmanObjectStore.destinationpath = 's3://typo';
    const problems = crdProblems(broken).join('\n');
    expect(problems).toMatch(/\/spec\/instances must be integer/);
    expect(problems).toMatch(/\/spec\/primaryUpdateStrategy must be equal to one of the allowed values/);
    expect(problems).toMatch(/must NOT have additional properties \(destinationpath\)/);
  });

  test('the StatefulSet tier is not generated; Nuxeo connects to the operator -rw Service and may reach only the instances', () => {
    expect(manifests.filter((m) => m.kind === 'StatefulSet' && m.metadata.name.startsWith('postgresql'))).toEqual([]);
    expect(Object.values(find(manifests, 'ConfigMap', 'nuxeo-conf').data!).join('\n')).toContain('nuxeo.db.host=postgresql-rw.nuxeo-cnpg.svc.cluster.local\n');
    const nuxeoPolicy = find(manifests, 'NetworkPolicy', 'nuxeo');
    const dbEgress = nuxeoPolicy.spec.egress.filter((r: any) => r.ports?.some((p: any) => p.port === 5432));
    expect(dbEgress.flatMap((r: any) => r.to)).toEqual([{ podSelector: { matchLabels: { 'app.kubernetes.io/instance': 'postgresql' } } }]);
    // The operator labels its pods with the Cluster's name as instance; inherited labels never override its own.
    expect(matches(nuxeoPolicy.spec.egress.find((r: any) => r.ports?.some((p: any) => p.port === 5432)).to[0].podSelector.matchLabels, cloudnativepgPodLabels(cluster.metadata.name))).toBe(true);
    for (const key of Object.keys(cloudnativepgPodLabels('x'))) expect(cluster.spec.inheritedMetadata.labels).not.toHaveProperty(key);
  });

  test('the instances let in Nuxeo, each other and the operator (status 8000), and reach the API server and the object store', () => {
    const policy = find(manifests, 'NetworkPolicy', 'postgresql');
    expect(policy.spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/instance': 'postgresql' });
    const operatorRule = policy.spec.ingress.find((r: any) => r.from.some((f: any) => f.namespaceSelector));
    expect(operatorRule.from).toContainEqual({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'cnpg-system' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'cloudnative-pg' } } });
    expect(operatorRule.ports.map((p: any) => p.port)).toEqual([5432, 8000]);
    const egressPorts = policy.spec.egress.flatMap((r: any) => (r.to?.[0]?.ipBlock ? r.ports.map((p: any) => p.port) : []));
    expect(egressPorts).toEqual(expect.arrayContaining([443, 6443]));
  });

  test('an S3-compatible endpoint on its own port opens that port, not 443', () => {
    const m = allManifests(cnpg('minio', { backup: { objectStore: { ...STORE, endpointURL: 'http://minio.storage:9000' } }, cloudnativepg: { apiServer: { cidrs: ['10.0.0.1/32'], ports: [6443] } } }));
    const policy = find(m, 'NetworkPolicy', 'postgresql');
    const ipRules = policy.spec.egress.filter((r: any) => r.to?.[0]?.ipBlock).map((r: any) => [r.to.map((t: any) => t.ipBlock.cidr), r.ports.map((p: any) => p.port)]);
    expect(ipRules).toEqual([[['10.0.0.1/32'], [6443]], [['0.0.0.0/0', '::/0'], [9000]]]);
    expect(find(m, 'Cluster', 'postgresql').spec.backup.barmanObjectStore.endpointURL).toBe('http://minio.storage:9000');
  });

  test('settings come from the StatefulSet renderer, without the parameters the operator fixes', () => {
    const params = cloudnativepgParameters(shipped.spec.database);
    expect(cluster.spec.postgresql.parameters).toEqual(params);
    const conf = renderPostgresqlConf({ maxConnections: shipped.spec.database.maxConnections, memoryMegabytes: 2048, replicas: shipped.spec.database.replicas, storageMegabytes: mebibytes(shipped.spec.database.storage.size) });
    for (const [k, v] of Object.entries(params)) expect(conf).toMatch(new RegExp(`^${k} = '?${v}'?$`, 'm'));
    for (const fixed of ['hot_standby', 'logging_collector', 'log_destination']) {
      expect(conf).toMatch(new RegExp(`^${fixed} = `, 'm'));
      expect(params).not.toHaveProperty(fixed);
    }
  });

  test('bootstrap creates the Nuxeo database and role from the basic-auth Secret', () => {
    expect(cluster.spec.bootstrap).toEqual({
      initdb: { database: 'nuxeo', owner: 'nuxeo', secret: { name: 'nuxeo-database-app' }, encoding: 'UTF8', localeCType: 'C.UTF-8', localeCollate: 'C.UTF-8', dataChecksums: true },
    });
    expect(cluster.spec.enableSuperuserAccess).toBe(false);
  });

  test('credentials: pod identity by default, static keys from a Secret when given', () => {
    expect(cluster.spec.backup.barmanObjectStore.s3Credentials).toEqual({ inheritFromIAMRole: true });
    expect(cluster.spec.serviceAccountTemplate.metadata.annotations['eks.amazonaws.com/role-arn']).toMatch(/^arn:aws:iam::/);
    const keys = find(allManifests(cnpg('keys', { backup: { objectStore: { ...STORE, credentialsSecret: { name: 'pg-s3' } } } })), 'Cluster', 'postgresql');
    expect(keys.spec.backup.barmanObjectStore.s3Credentials).toEqual({
      accessKeyId: { name: 'pg-s3', key: 'access-key-id' },
      secretAccessKey: { name: 'pg-s3', key: 'secret-access-key' },
    });
    expect(keys.spec.serviceAccountTemplate).toBeUndefined();
  });

  test('one instance per node (anti-affinity as configured) and zone spread', () => {
    expect(cluster.spec.affinity).toEqual({ enablePodAntiAffinity: true, podAntiAffinityType: 'required', topologyKey: 'kubernetes.io/hostname' });
    expect(cluster.spec.topologySpreadConstraints[0]).toMatchObject({ topologyKey: 'topology.kubernetes.io/zone', labelSelector: { matchLabels: { 'cnpg.io/cluster': 'postgresql' } } });
    const preferred = find(allManifests(cnpg('pref', {}, { scheduling: { antiAffinity: 'preferred', zoneSpread: 'required' } })), 'Cluster', 'postgresql');
    expect(preferred.spec.affinity.podAntiAffinityType).toBe('preferred');
    expect(preferred.spec.topologySpreadConstraints[0].whenUnsatisfiable).toBe('DoNotSchedule');
  });

  test('no deprecated operator-made PodMonitor; the metrics endpoint is published for the monitoring tier', () => {
    expect(cluster.spec.monitoring).toBeUndefined();
    const monitor = find(manifests, 'PodMonitor', 'postgresql');
    expect(matches(monitor.spec.selector.matchLabels, cloudnativepgPodLabels(cluster.metadata.name))).toBe(true);
    expect(monitor.spec.podMetricsEndpoints.map((e: any) => e.port)).toEqual([METRICS.cloudnativepg.name]);
    expect(METRICS.cloudnativepg.port).toBe(9187);
  });

  test('the ScheduledBackup runs at the environment schedule (the operator cron has seconds first)', () => {
    expect(scheduled.spec.schedule).toBe(`0 ${shipped.spec.database.backup.schedule}`);
  });

  test('point-in-time recovery bootstraps a new cluster from the object store up to the target time', () => {
    const env = cnpg('pitr', { cloudnativepg: { serverName: 'postgresql-r1', recovery: { serverName: 'postgresql', targetTime: '2026-11-20T08:00:00Z' } } });
    const c = find(allManifests(env), 'Cluster', 'postgresql');
    expect(c.spec.bootstrap).toEqual({
      recovery: { source: 'origin', database: 'nuxeo', owner: 'nuxeo', secret: { name: 'db-app' }, recoveryTarget: { targetTime: '2026-11-20T08:00:00Z' } },
    });
    expect(c.spec.externalClusters).toEqual([{ name: 'origin', barmanObjectStore: { destinationPath: 's3://backups/pg', serverName: 'postgresql', s3Credentials: { inheritFromIAMRole: true } } }]);
    // The new timeline is archived under a new name: the backups recovered from stay intact.
    expect(c.spec.backup.barmanObjectStore.serverName).toBe('postgresql-r1');
    expect(crdProblems(c)).toEqual([]);
  });

  describe('refuses', () => {
    const problems = (doc: Record<string, any>) => validateEnvironment({ namespace: 'x', loadBalancer: { host: 'x.example.com' }, ...doc }).problems;

    test('no object store', () => {
      expect(problems({ secrets: { databasePassword: { name: 'a', key: 'password' } }, database: { provider: 'cloudnativepg' } })).toEqual([
        expect.stringMatching(/^database\.backup\.objectStore: is required with provider 'cloudnativepg'/),
      ]);
    });

    test('a password key CloudNativePG cannot read', () => {
      expect(problems({ database: { provider: 'cloudnativepg', backup: { objectStore: STORE } } })).toEqual([
        expect.stringMatching(/^secrets\.databasePassword\.key: must be 'password' with database\.provider 'cloudnativepg'/),
      ]);
    });

    test('recovering into the folder being recovered from', () => {
      expect(problems({ secrets: { databasePassword: { name: 'a', key: 'password' } }, database: { provider: 'cloudnativepg', backup: { objectStore: STORE }, cloudnativepg: { recovery: { serverName: 'postgresql' } } } })).toEqual([
        expect.stringMatching(/^database\.cloudnativepg\.serverName: must differ from recovery\.serverName/),
      ]);
    });

    // Seen on the test cluster: "spec.resources.requests: Invalid value: \"128Mi\": Memory request is
    // lower than PostgreSQL `shared_buffers` value" (CloudNativePG 1.30's webhook).
    test('a memory request below shared_buffers (a quarter of the limit), which the operator\'s webhook rejects', () => {
      const db = (requests: string) => ({ provider: 'cloudnativepg', backup: { objectStore: STORE }, resources: { requests: { memory: requests }, limits: { memory: '2Gi' } } });
      expect(problems({ secrets: { databasePassword: { name: 'a', key: 'password' } }, database: db('128Mi') })).toEqual([
        expect.stringMatching(/^database\.resources\.requests\.memory: 128Mi is below shared_buffers \(512MB, a quarter of limits\.memory 2Gi\)/),
      ]);
      expect(problems({ secrets: { databasePassword: { name: 'a', key: 'password' } }, database: db('512Mi') })).toEqual([]);
      expect(problems({ database: { ...db('128Mi'), provider: 'statefulset', backup: {} } })).toEqual([]);
    });

    test('a target time without its zone', () => {
      expect(problems({ secrets: { databasePassword: { name: 'a', key: 'password' } }, database: { provider: 'cloudnativepg', backup: { objectStore: STORE }, cloudnativepg: { serverName: 'b', recovery: { serverName: 'a', targetTime: '2026-11-20 08:00' } } } })).toEqual([
        expect.stringMatching(/^database\.cloudnativepg\.recovery\.targetTime: must be a timestamp with its zone/),
      ]);
    });
  });
});

describe('API server egress on IPv6-only clusters', () => {
  test('the default admits the API server over IPv6 as well as IPv4', () => {
    const env = environment('v6', {
      secrets: { databasePassword: { name: 'db-app', key: 'password' } },
      database: { provider: 'cloudnativepg', backup: { objectStore: { destinationPath: 's3://backups/pg' } } },
    });
    const policy = allManifests(env).find((m) => m.kind === 'NetworkPolicy' && m.metadata.name === 'postgresql')!;
    const apiRule = policy.spec.egress.find((r: any) => r.ports?.some((p: any) => p.port === 6443));
    expect(apiRule.to.map((t: any) => t.ipBlock.cidr)).toEqual(['0.0.0.0/0', '::/0']);
  });
});
