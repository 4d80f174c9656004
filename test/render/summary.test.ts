/** SUMMARY.md: what a reviewer reads in the pull request instead of the YAML. */
import { SUMMARY_FILE, synthesizeEnvironment } from '../../app/synth';
import { architectureWarnings } from '../../app/warnings';
import { environment, shippedEnvironments } from '../helpers';

describe.each(shippedEnvironments().map((e) => [e.name, e] as const))('%s', (_name, env) => {
  const summary = synthesizeEnvironment(env).get(SUMMARY_FILE)!;
  const s = env.spec;

  test('names the namespace, host, Redis mode and every tier with its replicas, sizes and images', () => {
    expect(summary).toContain(`Namespace \`${s.namespace}\`, host \`${s.loadBalancer.host}\``);
    expect(summary).toContain(`Redis mode **${s.redis.mode}**`);
    expect(summary).toContain(`| Nuxeo (+ nginx proxy) | ${s.nuxeo.replicas} pods | ${s.nuxeo.resources.limits.memory}`);
    expect(summary).toContain(`| Elasticsearch | ${s.elasticsearch.replicas} pods |`);
    const cnpg = s.database.provider === 'cloudnativepg';
    expect(summary).toContain(cnpg ? `| PostgreSQL (CloudNativePG) | ${1 + s.database.replicas} instances, automatic failover |` : `| PostgreSQL | 1 primary + ${s.database.replicas} replica |`);
    for (const size of [s.nuxeo.data.size, s.elasticsearch.storage.size, s.database.storage.size, s.redis.storage.size]) expect(summary).toContain(size);
    for (const image of [s.nuxeo.image, s.nuxeo.proxy.image, s.redis.image, s.elasticsearch.image, cnpg ? s.database.cloudnativepg.image : s.database.image]) expect(summary).toContain(image);
  });

  test('draws the tiers and their connections in Mermaid', () => {
    const diagram = /```mermaid\n([\s\S]*?)```/.exec(summary)![1];
    expect(diagram.split('\n')[0]).toBe('flowchart LR');
    for (const edge of ['lb --> proxy', 'proxy --> nuxeo', 'nuxeo -->|postgresql-rw| pg', 'pg -->|streaming', 'nuxeo -->|9200| es']) expect(diagram).toContain(edge);
    expect(diagram).toContain(s.redis.mode === 'sidecar' ? 'nuxeo --> redis[(Redis sidecar' : 'nuxeo -->|Sentinel| redis[(Redis cluster');
  });

  test('states the seed\'s limits with the sizes in force', () => {
    const limits = summary.slice(summary.indexOf('## Limits in force'));
    expect(limits).toContain(`Chronicle Queue is not distributed and not fault tolerant: each of the ${s.nuxeo.replicas} Nuxeo nodes`);
    expect(limits).toContain(`retention ${s.nuxeo.streamRetention}`);
    expect(limits).toContain(`WorkManager queues are bounded by Redis memory: maxmemory ${s.redis.maxmemory}`);
  });
});

test('sidecar mode says there is no automatic Redis failover; external mode does not', () => {
  const text = (mode: string) => synthesizeEnvironment(environment('s', { redis: { mode } })).get(SUMMARY_FILE)!;
  expect(text('sidecar')).toContain('Redis sidecar mode has no automatic failover');
  expect(text('external')).not.toContain('Redis sidecar mode has no automatic failover');
});

test('the PostgreSQL failover warning is given only where a person must promote a replica', () => {
  const text = (database: object, secrets = {}) => synthesizeEnvironment(environment('p', { database, secrets })).get(SUMMARY_FILE)!;
  expect(text({})).toContain('PostgreSQL has no automatic failover');
  expect(text({ provider: 'cloudnativepg', backup: { objectStore: { destinationPath: 's3://backups/pg' } } }, { databasePassword: { name: 'a', key: 'password' } })).not.toContain('PostgreSQL has no automatic failover');
});

describe('backups in SUMMARY.md and at synth', () => {
  test('every tier says what is backed up, where, how often, how long and the recovery point', () => {
    const env = environment('b', { database: { backup: { schedule: '15 4 * * *', retentionDays: 10 } }, elasticsearch: { snapshots: { expireAfter: '21d' } } });
    const summary = synthesizeEnvironment(env).get(SUMMARY_FILE)!;
    const table = summary.slice(summary.indexOf('## Backups'), summary.indexOf('## Limits in force'));
    expect(table).toContain('| PostgreSQL | pg_dump of database nuxeo | PVC `postgresql-backup` (50Gi), same cluster | `15 4 * * *` (UTC) | 10 days | the last dump (one schedule interval) |');
    expect(table).toMatch(/\| Elasticsearch \(indexes, audit\) \| snapshot of every index .* \| `0 30 1 \* \* \?` \(Elasticsearch cron\) \| 21d, at least 5, at most 50 \|/);
    for (const tier of ['Binary store (volume)', 'Chronicle Queue', 'Redis']) expect(table).toMatch(new RegExp(`\\| ${tier.replace(/[()]/g, '\\$&')} \\| none generated`));
  });

  test('CloudNativePG: continuous archive, point-in-time recovery', () => {
    const env = environment('c', { secrets: { databasePassword: { name: 'a', key: 'password' } }, database: { provider: 'cloudnativepg', backup: { retentionDays: 30, objectStore: { destinationPath: 's3://backups/pg' } } } });
    const summary = synthesizeEnvironment(env).get(SUMMARY_FILE)!;
    expect(summary).toContain('| PostgreSQL (CloudNativePG) | base backups + continuous WAL archive | `s3://backups/pg` (server postgresql) | WAL continuously, base backup `0 2 * * *` (UTC) | 30 days (retentionPolicy) | about 5 minutes');
  });

  test('synth warns, once, for the tiers left without a generated backup', () => {
    const volume = architectureWarnings(environment('w', {}).spec).filter((w) => w.startsWith('No backup is generated for'));
    expect(volume).toEqual([expect.stringContaining('Binary store (volume): your storage snapshots or VolumeSnapshots; Chronicle Queue: VolumeSnapshots')]);
    expect(volume[0]).toContain('Redis: ');
    expect(volume[0]).not.toContain('PostgreSQL');
    expect(volume[0]).not.toContain('Elasticsearch');
    const s3 = architectureWarnings(environment('s', { nuxeo: { binaries: { type: 's3', s3: { bucket: 'bkt', region: 'eu-west-1' } }, packagesInImage: true } }).spec).join('\n');
    expect(s3).toContain('Binary store (S3): enable bucket versioning');
  });
});

test('a snapshot volume left on the default StorageClass is called out (it must be ReadWriteMany)', () => {
  const warn = (storage: object) => architectureWarnings(environment('r', { elasticsearch: { snapshots: { storage } } }).spec).filter((w) => w.includes('must support ReadWriteMany'));
  expect(warn({})).toEqual([expect.stringMatching(/^elasticsearch\.snapshots\.storage\.storageClass is not set/)]);
  expect(warn({ storageClass: 'nfs' })).toEqual([]);
});
