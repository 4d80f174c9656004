/**
 * nuxeo.conf properties for one environment, mounted in /etc/nuxeo/conf.d/ (the Docker image
 * appends those files to nuxeo.conf by file name at start). Secrets are never written here: the
 * start script (nuxeo-start.ts) appends them from Secrets.
 *
 * Sources of the keys (Nuxeo LTS 2021; the Compact Architecture with Redis needs the Redis
 * WorkManager, which LTS 2023 dropped in favour of Kafka):
 * Every key, its meaning and the line it is read at on branch 2021: docs/nuxeo-2021.md.
 * (T = server/nuxeo-nxr-server/src/main/resources/templates in nuxeo/nuxeo, branch 2021)
 * - Templates are only ever appended (`nuxeo.append.templates.*`), never listed in
 *   nuxeo.templates: a package installed in the image (amazon-s3-online-storage's
 *   `<config addtemplate="s3binaries"/>`) writes `nuxeo.templates=default,s3binaries` into the
 *   image's nuxeo.conf (ConfigurationGenerator.addTemplate), and a later nuxeo.templates line
 *   would replace it (java.util.Properties keeps the last). ConfigurationGenerator.includeTemplates
 *   (lines 311-335) composes nuxeo.templates (unset in the image: `default`, T/nuxeo.defaults line
 *   11), then every nuxeo.append.templates.* value, sorted by key.
 * - T/common-base/nuxeo.defaults and T/postgresql/nuxeo.defaults: nuxeo.db.* (incl.
 *   nuxeo.db.max-pool-size, nuxeo.vcs.max-pool-size), repository.binary.store,
 *   nuxeo.cluster.enabled / nuxeo.cluster.nodeid, JAVA_OPTS (the image entrypoint appends it);
 *   T/nuxeo.defaults line 17: nuxeo.url (the public URL in e-mails, invitations, SAML metadata)
 * - T/common-base/nxserver/config/elasticsearch-config.xml.nxftl: elasticsearch.client,
 *   elasticsearch.addressList, elasticsearch.indexName; elasticsearch.clusterName is read only by
 *   the embedded server and the transport client (lines 8, 43), not by the REST client: not set.
 * - T/redis/nuxeo.defaults: nuxeo.redis.*, nuxeo.redis.ha.*, nuxeo.work.queuing,
 *   nuxeo.pubsub.provider, nuxeo.keyvalue.provider, nuxeo.lock.manager. They only act inside
 *   the `redis` template (T/redis/nxserver/config/redis-config.xml.nxftl connects to Redis);
 *   ConfigurationGenerator.includeTemplates appends every nuxeo.append.templates.* value, in key
 *   order, after nuxeo.templates.
 * - T/docker/lib/log4j2.xml (console only, text) and T/docker-json/lib/log4j2.xml.nxftl
 *   (console only, JSON): both include `default`, whose log4j2.xml writes rolling files.
 * - ConfigurationChecker (nuxeo-launcher-commons): nuxeo.backing.check.retry.enabled,
 *   .maxRetries (default 20), .delayInMs (default 5000); without them a backing service not yet
 *   up at launch makes the launcher exit.
 * - LocalBlobStoreConfiguration: the default transient store lives in
 *   `<repository.binary.store>_transient_default`, a sibling of the configured path.
 * - StreamServiceImpl.getChroniclePath (lines 108-121): Chronicle Queue lives in
 *   `${nuxeo.data.dir}/stream` unless nuxeo.stream.chronicle.dir is set; the entrypoint sets
 *   nuxeo.data.dir=/var/lib/nuxeo, the node's own volume: not set. kafka.enabled=false,
 *   nuxeo.stream.work.enabled=false and metrics.streams.enabled=true are the defaults of
 *   T/common-base/nuxeo.defaults (lines 196, 248, 293): not set.
 * - amazon-s3-online-storage docs and S3BinaryManager: nuxeo.s3storage.bucket, .region,
 *   .bucket_prefix; static credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
 *   (S3BinaryManager.AWS_ID_ENV_KEY / AWS_SECRET_ENV_KEY), else the pod's AWS identity
 */
import type { RedisConnection } from '../redis/connection';

/**
 * Environment variables of the Nuxeo container, set from a Secret or the downward API: the
 * properties refer to most of them; the S3 pair is read by Nuxeo's S3 binary manager directly.
 */
export const NUXEO_ENV = {
  nodeId: 'POD_NAME',
  /** Written by the start script as nuxeo.db.password, never through `${env:}` (see nuxeo-start.ts). */
  dbPassword: 'NUXEO_DB_PASSWORD',
  /** Written by the start script as nuxeo.redis.password. */
  redisPassword: 'NUXEO_REDIS_PASSWORD',
  /** Written by the start script as nuxeo.jwt.secret. */
  jwtSecret: 'NUXEO_JWT_SECRET',
  /** Read by Nuxeo's S3 binary manager (and the AWS SDK) when no awsid/awssecret property is set. */
  s3KeyId: 'AWS_ACCESS_KEY_ID',
  s3Secret: 'AWS_SECRET_ACCESS_KEY',
} as const;

export type BinaryStore =
  /** path: the store directory, strictly inside the mounted volume (Nuxeo creates siblings of it). */
  | { readonly kind: 'volume'; readonly path: string }
  | { readonly kind: 's3'; readonly bucket: string; readonly region: string; readonly prefix: string };

export interface NuxeoConfSettings {
  readonly heapMegabytes: number;
  /** poolSize: connections one node may hold (the validation keeps all nodes within max_connections). */
  /** tls: a managed database reached with sslmode=require (the JDBC URL form of Nuxeo's PostgreSQL docs). */
  readonly database: { readonly host: string; readonly port: number; readonly name: string; readonly user: string; readonly poolSize: number; readonly tls?: boolean };
  /** user: basic auth of a managed cluster (elasticsearch.restClient.username; the password is a secret property). */
  readonly elasticsearch: { readonly urls: string[]; readonly indexReplicas: number; readonly user?: string };
  readonly redis: RedisConnection;
  readonly streamRetention: string;
  readonly binaries: BinaryStore;
  /** Console log format: Nuxeo's `docker` (text) or `docker-json` template. */
  readonly logFormat: 'text' | 'json';
  /** Launcher checks of the backing services: attempts and delay between them. */
  readonly backingCheck: { readonly retries: number; readonly delayMilliseconds: number };
  /** Extra properties from the environment file, written last so they win. */
  readonly extra: Record<string, string>;
  /**
   * Port of Nuxeo's Prometheus reporter.
   * @default - metrics off (Nuxeo's own default)
   */
  readonly metricsPort?: number;
  /**
   * nuxeo.url: the address users reach Nuxeo at, e.g. `https://nuxeo.example.com/nuxeo`.
   * @default - unset: Nuxeo's own http://localhost:8080/nuxeo
   */
  readonly publicUrl?: string;
}

/** The `nuxeo.append.templates.*` entries: sorted by key, they come after nuxeo.templates. */
export const APPENDED_TEMPLATES = { database: 'nuxeo.append.templates.database', logs: 'nuxeo.append.templates.logs', redis: 'nuxeo.append.templates.redis' } as const;

type Property = [string, string | number | boolean];

function section(title: string, props: Property[]): string {
  return `# ${title}\n${props.map(([k, v]) => `${k}=${v}`).join('\n')}\n`;
}

/** One Redis node, or the Sentinels that name the master. */
function redisProperties(redis: NuxeoConfSettings['redis']): Property[] {
  return redis.kind === 'single'
    ? [['nuxeo.redis.host', redis.host], ['nuxeo.redis.port', redis.port], ...(redis.ssl ? [['nuxeo.redis.ssl', true] as [string, boolean]] : [])]
    : [
      ['nuxeo.redis.ha.enabled', true],
      ['nuxeo.redis.ha.master', redis.masterName],
      ['nuxeo.redis.ha.hosts', redis.hosts.join(',')],
      ['nuxeo.redis.ha.port', redis.port],
    ];
}

/** The shared volume's store, or the S3 bucket. */
function binaryStoreProperties(binaries: NuxeoConfSettings['binaries']): Property[] {
  return binaries.kind === 'volume'
    ? [['repository.binary.store', binaries.path]]
    : [
      ['nuxeo.s3storage.bucket', binaries.bucket],
      ['nuxeo.s3storage.region', binaries.region],
      ['nuxeo.s3storage.bucket_prefix', binaries.prefix],
    ];
}

export function renderNuxeoConf(s: NuxeoConfSettings): string {
  // A key the extra properties set is left out here, so each key appears once (theirs wins).
  const own = (title: string, props: Property[]) => section(title, props.filter(([k]) => !Object.hasOwn(s.extra, k)));
  const parts = [
    '# Nuxeo configuration (generated by nuxeo-compact-k8s; see lib/nuxeo/nuxeo-conf.ts for the key sources).\n',
    own('JVM: heap sized from the container memory limit', [['JAVA_OPTS', `$JAVA_OPTS -Xms${s.heapMegabytes}m -Xmx${s.heapMegabytes}m`]]),
    own('Templates appended to nuxeo.templates, which keeps what the image\'s packages added: PostgreSQL, console-only logs, Redis (the only way nuxeo.redis.* takes effect)', [
      [APPENDED_TEMPLATES.database, 'postgresql'],
      [APPENDED_TEMPLATES.logs, s.logFormat === 'json' ? 'docker-json' : 'docker'],
      [APPENDED_TEMPLATES.redis, 'redis'],
    ]),
    own('Backing services are checked at launch: retry while a fresh install brings them up', [
      ['nuxeo.backing.check.retry.enabled', true],
      ['nuxeo.backing.check.retry.maxRetries', s.backingCheck.retries],
      ['nuxeo.backing.check.retry.delayInMs', s.backingCheck.delayMilliseconds],
    ]),
    own('Database cluster: the read-write Service of the PostgreSQL primary (password: start script)', [
      ['nuxeo.db.host', s.database.host],
      ['nuxeo.db.port', s.database.port],
      ['nuxeo.db.name', s.database.name],
      ['nuxeo.db.user', s.database.user],
      ...(s.database.tls ? [['nuxeo.db.jdbc.url', 'jdbc:postgresql://${nuxeo.db.host}:${nuxeo.db.port}/${nuxeo.db.name}?ssl=true&sslmode=require'] as [string, string]] : []),
      // Single-datasource mode: VCS draws from the same pool, which needs 2 more (Nuxeo docs).
      ['nuxeo.db.max-pool-size', s.database.poolSize],
      ['nuxeo.vcs.max-pool-size', s.database.poolSize - 2],
    ]),
    own('Elasticsearch cluster over HTTP', [
      ['elasticsearch.client', 'RestClient'],
      ['elasticsearch.addressList', s.elasticsearch.urls.join(',')],
      ['elasticsearch.indexName', 'nuxeo'],
      ['elasticsearch.indexNumberOfReplicas', s.elasticsearch.indexReplicas],
      ...(s.elasticsearch.user ? [['elasticsearch.restClient.username', s.elasticsearch.user] as [string, string]] : []),
      ['audit.elasticsearch.enabled', true],
    ]),
    own('Redis: WorkManager queues, pub/sub (cache invalidation), key/value store and locks (password: start script)', [
      ['nuxeo.redis.enabled', true],
      ...redisProperties(s.redis),
      ['nuxeo.work.queuing', 'redis'],
      ['nuxeo.pubsub.provider', 'redis'],
      ['nuxeo.keyvalue.provider', 'redis'],
      ['nuxeo.lock.manager', 'redis'],
    ]),
    own('Nuxeo Stream on Chronicle Queue (the default without Kafka), in ${nuxeo.data.dir}/stream on this node\'s persistent volume', [
      ['nuxeo.stream.chronicle.retention.duration', s.streamRetention],
    ]),
    own('Cluster: a distinct, stable node id per pod (the StatefulSet pod name)', [
      ['nuxeo.cluster.enabled', true],
      // A pod name never holds `$` or `\`, so `${env:}` is safe here (unlike for secrets).
      ['nuxeo.cluster.nodeid', '${env:' + NUXEO_ENV.nodeId + '}'],
    ]),
    own('Binary store shared by all nodes', binaryStoreProperties(s.binaries)),
  ];
  if (s.publicUrl) parts.push(own('The address users reach Nuxeo at (links in e-mails, invitations, SAML metadata)', [['nuxeo.url', s.publicUrl]]));
  if (s.metricsPort !== undefined) parts.push(own(...metricsSection(s.metricsPort)));
  const extra = Object.entries(s.extra).sort(([a], [b]) => a.localeCompare(b));
  if (extra.length) parts.push(section('Extra properties from the environment file', extra));
  return parts.join('\n');
}

/**
 * Nuxeo's Prometheus reporter (LTS 2021, nuxeo/nuxeo branch 2021):
 * - server/nuxeo-nxr-server/src/main/resources/templates/common-base/nuxeo.defaults:
 *   metrics.enabled=false, metrics.prometheus.enabled=false, metrics.prometheus.port=9090,
 *   metrics.streams.enabled=true (stream consumer lag, line 293: left to its default),
 *   metrics.jvm/tomcat.enabled=true
 * - .../common-base/nxserver/config/metrics-config.xml: reporter `prometheus` =
 *   org.nuxeo.runtime.metrics.reporter.PrometheusReporter with option `port`
 * - modules/runtime/nuxeo-runtime-metrics/.../reporter/PrometheusReporter.java: an
 *   io.prometheus.client HTTPServer on that port, on every interface; OpenCensus'
 *   DropWizardMetrics names each metric `dropwizard5_<name>_<type>`, dots made underscores.
 */
function metricsSection(port: number): [string, Property[]] {
  return ['Metrics: the Prometheus reporter (scraped by the PodMonitor at /metrics)', [
    ['metrics.enabled', true],
    ['metrics.prometheus.enabled', true],
    ['metrics.prometheus.port', port],
  ]];
}

/** Parses `key=value` lines (comments and blanks skipped): what the tests check keys with. */
export function parseProperties(text: string): Map<string, string> {
  const props = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([^#=\s][^=]*)=(.*)$/.exec(line);
    if (m) props.set(m[1].trim(), m[2]);
  }
  return props;
}
