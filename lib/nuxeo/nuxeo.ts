import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { z } from 'zod';
import { NETWORK_SCHEMA } from '../k8s/settings';
import { SECRET_DEFAULTS } from '../settings/fields';
import { clidProblem, connectionsProblem, NUXEO_SCHEMA, packagesInstalledAtStart, podIdentityProblem, secretVariable } from './settings';
import { cpuCores, mebibytes, mebibytesQuantity } from '../settings/quantity';
import { container, fieldEnv, INIT_RESOURCES, SecretKeyRef, secretEnv } from '../k8s/containers';
import { tierLabels, WorkloadIdentity, workloadLabels } from '../k8s/labels';
import { networkPolicy, Peer, podsOf, Rule } from '../k8s/network-policy';
import { service } from '../k8s/service';
import { statefulWorkload } from '../k8s/stateful-workload';
import { configChecksum } from '../k8s/checksum';
import { configMapVolume, emptyDir, volumeClaimTemplate } from '../k8s/volumes';
import { NGINX_HEALTH_PATH, NGINX_STATUS_PATH, renderNginxConf } from './nginx-conf';
import { BinaryStore, NUXEO_ENV, renderNuxeoConf } from './nuxeo-conf';
import { renderNuxeoStartScript, SecretProperty } from './nuxeo-start';
import { renderRedisWaitScript } from './redis-wait';
import { ContextProps, ResolvedMonitoring, resolveContext, TierContext } from '../k8s/context';
import type { DatabaseEndpoint } from '../database/database';
import type { ElasticsearchEndpoint } from '../elasticsearch/elasticsearch';
import { METRICS, metricsIngress, NGINX_STATUS_PORT, proxyExporter } from '../k8s/exporters';
import { ownKeys, parseProps, propsProblems, settingsOf } from '../settings/props';
import { PropsError } from '../settings/props-error';
import { Warnings } from '../settings/warnings';
import { nuxeoWarnings } from './warnings';
import type { RedisEndpoint, RedisSidecar } from '../redis/redis';
import type { SidecarHost } from '../k8s/sidecar-host';
import { NUXEO_PORTS, NUXEO_UID, nuxeoSidecarHost, PROXY_DRAIN_SECONDS } from '../k8s/nuxeo-pods';
import type { NetworkSettings } from '../k8s/settings.generated';
import type { NuxeoSettings } from './settings.generated';

export { NUXEO_PORTS, PROXY_DRAIN_SECONDS };
const RUN_AS = NUXEO_UID;

/** Nuxeo's own stop after the drain delay (the sidecar Redis waits for it: lib/redis/redis.ts). */
const NUXEO_STOP_SECONDS = 120;

/** A managed search cluster's basic-auth password (Nuxeo's Elasticsearch setup docs), written by the start script. */
const SEARCH_PASSWORD_PROPERTY = 'elasticsearch.restClient.password';

export type { NuxeoSettings };

/** Nuxeo's settings and the choices an architecture leaves to it (secrets, proxy limits, egress). */
export interface NuxeoOptions extends NuxeoSettings {
  /**
   * `nuxeo.jwt.secret`, identical on every node.
   * @default { name: 'nuxeo-jwt', key: 'secret' }
   */
  readonly jwtSecret?: SecretKeyRef;
  /**
   * The instance CLID, needed when packages are installed at start.
   * @default - none
   */
  readonly clid?: SecretKeyRef;
  /**
   * Upload size and request timeout enforced by each pod's nginx (match the load balancer's).
   * @default { maxUploadMegabytes: 1024, timeoutSeconds: 600 }
   */
  readonly proxyLimits?: { readonly maxUploadMegabytes: number; readonly timeoutSeconds: number };
  /**
   * Where Nuxeo may open HTTPS when it installs packages or uses S3.
   * @default - any address but private, CGNAT, link-local and unique-local ranges
   */
  readonly internetEgress?: NetworkSettings['internetEgress'];
  /**
   * Cloud identity Nuxeo uses for S3 (opens its credential endpoint).
   * @default 'none'
   */
  readonly podIdentity?: NetworkSettings['podIdentity'];
  /**
   * nuxeo.url, the address users reach Nuxeo at (links in e-mails, user invitations, SAML
   * metadata), e.g. `https://nuxeo.example.com/nuxeo`. `CompactArchitecture` sets it from the
   * load balancer's host and scheme.
   * @default - unset: Nuxeo keeps http://localhost:8080/nuxeo, and a warning says so
   */
  readonly publicUrl?: string;
}

/** A Nuxeo tier's Props: its options, and the tiers it connects to. */
export interface NuxeoProps extends NuxeoOptions {
  /**
   * Settings shared by the tiers (cluster domain, scheduling, pull secrets ...).
   * @default - the environment file's defaults
   */
  readonly context?: ContextProps;
  /**
   * Name of the StatefulSet (`<name>-headless`, `<name>-conf` ...) and of its instance label.
   * @default - the construct id
   */
  readonly baseName?: string;
  /** The database: a `Database` tier's `endpoint`, or `managedDatabase(...)` (RDS, Cloud SQL). */
  readonly database: DatabaseEndpoint;
  /** The search cluster: an `Elasticsearch` tier's `endpoint`, or `managedElasticsearch(...)`. */
  readonly elasticsearch: ElasticsearchEndpoint;
  /** Redis: a `Redis` tier's `endpoint`, or `managedRedis(...)` (ElastiCache, Memorystore). */
  readonly redis: RedisEndpoint;
  /**
   * The Redis container and volumes carried by each Nuxeo pod (a sidecar-mode `Redis` tier's `sidecar`).
   * @default - no Redis in the Nuxeo pods
   */
  readonly redisSidecar?: RedisSidecar;
}

const HOME = '/opt/nuxeo/server';
/** The data volume; the entrypoint sets nuxeo.data.dir to it, so Chronicle Queue's default folder is on it. */
const DATA = '/var/lib/nuxeo';
/** Mount point of the shared binaries volume. */
const BINARIES = '/var/lib/nuxeo-binaries';
/**
 * The store is a folder inside the volume, never the mount point itself: Nuxeo creates
 * `<store>_transient_default` (uploads, async downloads) beside it, which must be on the shared
 * volume too, not on the read-only root filesystem.
 */
export const BINARY_STORE = `${BINARIES}/binaries`;
/** Where the start script is mounted (outside conf.d: the entrypoint appends every file there). */
const START_DIR = '/opt/nuxeo-compact-k8s';
export const START_SCRIPT = `${START_DIR}/start-nuxeo.sh`;
/** The Redis wait the start script hands over to (bash: it speaks to Redis through /dev/tcp). */
export const WAIT_SCRIPT = `${START_DIR}/wait-redis.sh`;
/**
 * The launcher's backing-service check (Elasticsearch, PostgreSQL, Redis) retries for up to 6
 * minutes: on a fresh install PostgreSQL runs initdb and Elasticsearch forms its cluster meanwhile.
 */
export const BACKING_CHECK = { retries: 36, delayMilliseconds: 10_000 } as const;
/** Time Nuxeo may take once its backing services answer (packages, first repository init). */
const START_SECONDS = 600;
/**
 * Startup and readiness ask for one probe of /nuxeo/runningstatus (StatusServlet, `info=probe`):
 * `runtimeStatus` (RuntimeStartedProbe) passes once this node's runtime has started. The full
 * /nuxeo/runningstatus also runs the Elasticsearch and repository probes, which fail on every node
 * at once when a shared tier blinks: all pods NotReady, the load balancer has no backend and every
 * user gets a 503, while the nodes could still serve what does not need that tier.
 */
export const NUXEO_PROBE_PATH = '/nuxeo/runningstatus?info=probe&key=runtimeStatus';/** conf.d file name: the image appends conf.d files to nuxeo.conf in file-name order. */
export const NUXEO_CONF_FILE = '50-nuxeo-compact-k8s.properties';

/** JVM heap in MiB: the configured one, else half of the memory limit. */
export function nuxeoHeapMegabytes(n: { heap?: string; resources: { limits: { memory: string } } }): number {
  return n.heap ? mebibytes(n.heap) : Math.floor(mebibytes(n.resources.limits.memory) / 2);
}

/**
 * The node-local credential endpoints a cloud pod identity answers on (link-local, so outside the
 * internet egress): EKS Pod Identity Agent on 169.254.170.23 and [fd00:ec2::23] port 80; the GKE
 * metadata server on 169.254.169.254 port 80 (Dataplane V2) or 169.254.169.252 port 988 (Calico).
 * IRSA and Azure workload identity read a projected token file and call STS / Entra ID over HTTPS,
 * which the internet egress covers.
 */
export function podIdentityEgress(podIdentity: NetworkSettings['podIdentity']): Rule[] {
  switch (podIdentity) {
    case 'eks-pod-identity':
      return [{ peers: [{ cidrs: ['169.254.170.23/32', 'fd00:ec2::23/128'] }], ports: [80] }];
    case 'gke':
      return [
        { peers: [{ cidrs: ['169.254.169.254/32'] }], ports: [80] },
        { peers: [{ cidrs: ['169.254.169.252/32'] }], ports: [988] },
      ];
    default:
      return [];
  }
}

/** NuxeoProps' own keys: the rest are the `nuxeo` settings. */
const OWN_KEYS = ownKeys<NuxeoProps, NuxeoSettings>()(['context', 'baseName', 'database', 'elasticsearch', 'redis', 'redisSidecar', 'jwtSecret', 'clid', 'proxyLimits', 'internetEgress', 'podIdentity', 'publicUrl']);

/**
 * Every problem of Nuxeo Props, found without building anything (so an architecture reports all
 * its tiers' at once): the settings, then the CLID and pod-identity rules the file applies too.
 * @internal
 */
export function nuxeoProblems(props: Omit<NuxeoProps, 'database' | 'elasticsearch' | 'redis'>): string[] {
  const settings = settingsOf(props, OWN_KEYS);
  const net = { internetEgress: props.internetEgress, podIdentity: props.podIdentity };
  const problems = [...propsProblems('nuxeo', NUXEO_SCHEMA, settings), ...propsProblems('network', NETWORK_SCHEMA, net)];
  if (problems.length) return problems;
  const n = NUXEO_SCHEMA.parse(settings);
  const clid = clidProblem(n, props.clid !== undefined);
  const identity = podIdentityProblem({ nuxeo: n, network: NETWORK_SCHEMA.parse(net) });
  return [...(clid ? [`nuxeo.clid: ${clid}`] : []), ...(identity ? [`nuxeo.podIdentity: ${identity}`] : [])];
}

type SecretPropertyRef = SecretProperty & { ref: SecretKeyRef };
type NuxeoSection = z.output<typeof NUXEO_SCHEMA>;

/**
 * /tmp of a Nuxeo node: Nuxeo spools uploads there (nuxeo.tmp.dir=/tmp, set by the entrypoint)
 * and converters write their work files: `concurrentUploads` uploads of the largest size the
 * proxies let through, plus 1 GiB for conversions.
 */
export function nuxeoTmpMebibytes(maxUploadMegabytes: number, concurrentUploads: number): number {
  return maxUploadMegabytes * concurrentUploads + 1024;
}

/** nuxeo.conf, the start and Redis wait scripts, and the proxy's nginx.conf. */
function nuxeoFiles(props: NuxeoProps, n: NuxeoSection, metrics: boolean, limits: { maxUploadMegabytes: number; timeoutSeconds: number }) {
  const s3 = n.binaries.type === 's3' ? n.binaries.s3! : undefined;
  const binaries: BinaryStore = s3
    ? { kind: 's3', bucket: s3.bucket, region: s3.region, prefix: s3.prefix }
    : { kind: 'volume', path: BINARY_STORE };
  const nuxeoConf = renderNuxeoConf({
    heapMegabytes: nuxeoHeapMegabytes(n),
    database: { host: props.database.host, port: props.database.port, name: props.database.database, user: props.database.user, poolSize: n.databasePoolSize, tls: props.database.tls },
    elasticsearch: { urls: props.elasticsearch.urls, indexReplicas: props.elasticsearch.indexReplicas, user: props.elasticsearch.credentials?.user },
    redis: props.redis.redis,
    streamRetention: n.streamRetention,
    binaries,
    logFormat: n.logFormat,
    backingCheck: BACKING_CHECK,
    extra: n.properties,
    ...(metrics ? { metricsPort: METRICS.nuxeo.port } : {}),
    ...(props.publicUrl ? { publicUrl: props.publicUrl } : {}),
  });
  const secretProperties: SecretPropertyRef[] = [
    { property: 'nuxeo.db.password', variable: NUXEO_ENV.dbPassword, ref: props.database.password },
    { property: 'nuxeo.redis.password', variable: NUXEO_ENV.redisPassword, ref: props.redis.password },
    { property: 'nuxeo.jwt.secret', variable: NUXEO_ENV.jwtSecret, ref: props.jwtSecret ?? SECRET_DEFAULTS.jwtSecret },
    ...(props.elasticsearch.credentials ? [{ property: SEARCH_PASSWORD_PROPERTY, variable: secretVariable(SEARCH_PASSWORD_PROPERTY), ref: props.elasticsearch.credentials.password }] : []),
    ...Object.keys(n.secretProperties).sort().map((property) => ({ property, variable: secretVariable(property), ref: n.secretProperties[property] })),
  ];
  const nginxConf = renderNginxConf({
    listenPort: NUXEO_PORTS.proxy,
    upstream: `127.0.0.1:${NUXEO_PORTS.nuxeo}`,
    tempDir: '/tmp',
    maxUploadMegabytes: limits.maxUploadMegabytes,
    timeoutSeconds: limits.timeoutSeconds,
    ...(metrics ? { statusPort: NGINX_STATUS_PORT } : {}),
    workerProcesses: Math.max(1, Math.ceil(cpuCores(n.proxy.resources.limits.cpu))),
  });
  const waitScript = renderRedisWaitScript(props.redis.redis, n.redisWaitSeconds);
  return { nuxeoConf, startScript: renderNuxeoStartScript(secretProperties), waitScript, nginxConf, secretProperties };
}

/** The Nuxeo container's environment: node id, secrets, S3 keys, CLID, packages. */
function nuxeoEnv(secretProperties: SecretPropertyRef[], s3: NuxeoSection['binaries']['s3'], clid: SecretKeyRef | undefined, packages: string[]): k8s.EnvVar[] {
  return [
    fieldEnv(NUXEO_ENV.nodeId, 'metadata.name'),
    ...secretProperties.map((p) => secretEnv(p.variable, p.ref)),
    ...(s3?.credentialsSecret
      ? [
        secretEnv(NUXEO_ENV.s3KeyId, { name: s3.credentialsSecret.name, key: s3.credentialsSecret.accessKeyIdKey }),
        secretEnv(NUXEO_ENV.s3Secret, { name: s3.credentialsSecret.name, key: s3.credentialsSecret.secretAccessKeyKey }),
      ]
      : []),
    // The entrypoint writes it to instance.clid: package installs need it, and it registers the instance.
    ...(clid ? [secretEnv('NUXEO_CLID', clid)] : []),
    ...(packages.length ? [{ name: 'NUXEO_PACKAGES', value: packages.join(' ') }] : []),
  ];
}

/** The Nuxeo server and its nginx reverse proxy. */
function nuxeoContainers(n: NuxeoSection, m: ResolvedMonitoring, env: k8s.EnvVar[], binariesVolume: boolean): k8s.Container[] {
  const runtimeStarted = { path: NUXEO_PROBE_PATH, port: k8s.IntOrString.fromString('nuxeo') };
  // The Redis wait, then the launcher's backing-service checks, then the start itself.
  const waitSeconds = n.redisWaitSeconds + (BACKING_CHECK.retries * BACKING_CHECK.delayMilliseconds) / 1000;
  const drainDelay: k8s.Lifecycle = { preStop: { exec: { command: ['sleep', String(PROXY_DRAIN_SECONDS)] } } };

  return [
    container(RUN_AS, {
      name: 'nuxeo',
      image: n.image,
      // The image's entrypoint builds nuxeo.conf, then runs our script, which adds the secrets and
      // hands over to the Redis wait, which execs Nuxeo once Redis answers.
      command: ['/docker-entrypoint.sh'],
      args: ['sh', START_SCRIPT, 'bash', WAIT_SCRIPT, 'nuxeoctl', 'console'],
      ports: [{ name: 'nuxeo', containerPort: NUXEO_PORTS.nuxeo, protocol: 'TCP' }, ...(m.enabled ? [{ name: METRICS.nuxeo.name, containerPort: METRICS.nuxeo.port, protocol: 'TCP' }] : [])],
      env,
      resources: n.resources,
      // Startup: the runtime has started. Its budget covers the Redis wait, the launcher's whole
      // backing-service wait and the start itself, so a fresh install never depends on a restart.
      startupProbe: { httpGet: runtimeStarted, periodSeconds: 10, failureThreshold: Math.ceil((waitSeconds + START_SECONDS) / 10), timeoutSeconds: 5 },
      // Readiness: this node can serve; a shared tier's outage is not this node's (see NUXEO_PROBE_PATH).
      readinessProbe: { httpGet: runtimeStarted, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 5 },
      // Liveness: Tomcat accepts connections; a restart cures a hung JVM, not a slow dependency.
      livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('nuxeo') }, periodSeconds: 20, failureThreshold: 6, timeoutSeconds: 5 },
      // Serve what the proxy still forwards while the load balancer drops this pod.
      lifecycle: drainDelay,
      volumeMounts: [
        { name: 'nuxeo-home', mountPath: HOME },
        { name: 'data', mountPath: DATA },
        { name: 'etc-nuxeo', mountPath: '/etc/nuxeo' },
        { name: 'nuxeo-conf', mountPath: '/etc/nuxeo/conf.d', readOnly: true },
        { name: 'nuxeo-start', mountPath: START_DIR, readOnly: true },
        { name: 'logs', mountPath: '/var/log/nuxeo' },
        { name: 'pid', mountPath: '/var/pid/nuxeo' },
        { name: 'tmp', mountPath: '/tmp' },
        ...(binariesVolume ? [{ name: 'binaries', mountPath: BINARIES }] : []),
      ],
    }),
    container(RUN_AS, {
      name: 'proxy',
      image: n.proxy.image,
      command: ['nginx', '-c', '/etc/nginx/nuxeo/nginx.conf', '-g', 'daemon off;'],
      ports: [{ name: 'http', containerPort: NUXEO_PORTS.proxy, protocol: 'TCP' }],
      resources: n.proxy.resources,
      readinessProbe: { httpGet: { path: NGINX_HEALTH_PATH, port: k8s.IntOrString.fromString('http') }, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 3 },
      livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('http') }, periodSeconds: 20, failureThreshold: 3, timeoutSeconds: 3 },
      // Keep accepting until the load balancer no longer sends here (then nginx's SIGQUIT, the image's STOPSIGNAL, drains gracefully).
      lifecycle: drainDelay,
      volumeMounts: [
        { name: 'proxy-conf', mountPath: '/etc/nginx/nuxeo', readOnly: true },
        { name: 'proxy-tmp', mountPath: '/tmp' },
      ],
    }),
  ];
}

/**
 * The image writes its generated configuration under NUXEO_HOME; with a read-only root
 * filesystem the pod runs from a private, writable copy of it.
 */
function nuxeoHomeCopy(image: string): k8s.Container {
  return container(RUN_AS, {
    name: 'nuxeo-home',
    image,
    // cp -R, not -a: a non-root UID may not set the times of the root-owned emptyDir itself.
    command: ['sh', '-c', `cp -R ${HOME}/. /nuxeo-home/`],
    resources: INIT_RESOURCES,
    volumeMounts: [{ name: 'nuxeo-home', mountPath: '/nuxeo-home' }],
  });
}

/** The pod's volumes: writable copies, configuration, scratch space, shared binaries, sidecar Redis's. */
function nuxeoVolumes(name: string, n: NuxeoSection, maxUploadMegabytes: number, binariesVolume: boolean, redisSidecar: RedisSidecar | undefined): k8s.Volume[] {
  return [
    emptyDir('nuxeo-home', '3Gi'),
    emptyDir('etc-nuxeo', '16Mi'),
    configMapVolume('nuxeo-conf', `${name}-conf`),
    configMapVolume('nuxeo-start', `${name}-start`),
    configMapVolume('proxy-conf', `${name}-proxy`),
    emptyDir('logs', '1Gi'),
    emptyDir('pid', '1Mi'),
    emptyDir('tmp', mebibytesQuantity(nuxeoTmpMebibytes(maxUploadMegabytes, n.concurrentUploads))),
    emptyDir('proxy-tmp', '1Gi'),
    ...(binariesVolume ? [{ name: 'binaries', persistentVolumeClaim: { claimName: `${name}-binaries` } }] : []),
    ...(redisSidecar?.volumes ?? []),
  ];
}

/**
 * The application cluster: a StatefulSet of `nuxeo.replicas` pods, each holding a Nuxeo server,
 * an nginx reverse proxy in front of it and, in Redis sidecar mode, a Redis node. A headless
 * Service gives each pod a stable name; the load-balancer tier's `nuxeo` Service targets the
 * proxy port.
 */
export class Nuxeo extends Construct {
  /** The pods a sidecar-mode `Redis` runs in, for a Nuxeo tier that will be named `name`. */
  public static sidecarHost(name: string): SidecarHost {
    return nuxeoSidecarHost(name);
  }

  /** Name of the reverse-proxy port the load balancer's Service targets. */
  public readonly proxyPortName = 'http';
  public readonly nuxeoConf: string;
  /** The workload's identity: its selector labels and the peer other policies admit. */
  public readonly identity: WorkloadIdentity;
  /** Escape hatches: the objects a user may patch (`addJsonPatch`). */
  public readonly statefulSet: k8s.KubeStatefulSet;
  public readonly headlessService: k8s.KubeService;
  public readonly configMaps: { readonly conf: k8s.KubeConfigMap; readonly start: k8s.KubeConfigMap; readonly proxy: k8s.KubeConfigMap };
  private readonly frontClients: Peer[] = [];

  constructor(scope: Construct, id: string, props: NuxeoProps) {
    super(scope, id);
    const ctx = resolveContext(this, props.context);
    const problems = nuxeoProblems(props);
    if (problems.length) throw new PropsError(problems);
    const n = parseProps('nuxeo', NUXEO_SCHEMA, settingsOf(props, OWN_KEYS));
    const network = parseProps('network', NETWORK_SCHEMA, { internetEgress: props.internetEgress, podIdentity: props.podIdentity });
    const limits = props.proxyLimits ?? { maxUploadMegabytes: 1024, timeoutSeconds: 600 };
    const name = props.baseName ?? id;
    const wid = { app: 'nuxeo', instance: name, component: 'application' };
    this.identity = wid;
    const headlessServiceName = Nuxeo.sidecarHost(name).headlessService;
    const packages = packagesInstalledAtStart(n);
    this.checkConnectionsAndWarn(props, n, ctx.imagePullSecrets);
    const s3 = n.binaries.type === 's3' ? n.binaries.s3! : undefined;

    const files = nuxeoFiles(props, n, ctx.monitoring.enabled, limits);
    this.nuxeoConf = files.nuxeoConf;
    this.configMaps = this.addConfigMaps(name, wid, files);
    if (!s3) this.addBinariesClaim(name, wid, n.binaries);

    this.headlessService = service(this, {
      name: headlessServiceName,
      labels: workloadLabels(wid),
      selector: { 'app.kubernetes.io/instance': wid.instance },
      ports: [{ name: 'http', port: NUXEO_PORTS.proxy }, ...(props.redisSidecar ? [{ name: 'redis', port: props.redisSidecar.port }] : [])],
      headless: true,
    });

    const containers = [
      ...nuxeoContainers(n, ctx.monitoring, nuxeoEnv(files.secretProperties, s3, props.clid, packages), !s3),
      ...(props.redisSidecar ? [props.redisSidecar.container] : []),
      ...proxyExporter(ctx.monitoring, RUN_AS, NGINX_STATUS_PATH),
      ...(props.redisSidecar?.exporters ?? []),
    ];

    // Ordered start (the default): the first node creates the repository schema and, in sidecar
    // mode, hosts the Redis master the others replicate from.
    this.statefulSet = statefulWorkload(this, {
      ctx,
      id: wid,
      replicas: n.replicas,
      serviceName: headlessServiceName,
      uid: RUN_AS,
      configChecksum: configChecksum(this.configMaps.conf, this.configMaps.proxy, this.configMaps.start, props.redisSidecar?.configChecksum ?? (() => '')),
      terminationGracePeriodSeconds: PROXY_DRAIN_SECONDS + NUXEO_STOP_SECONDS,
      pod: n,
      initContainers: [nuxeoHomeCopy(n.image)],
      containers,
      volumes: nuxeoVolumes(name, n, limits.maxUploadMegabytes, !s3, props.redisSidecar),
      volumeClaimTemplates: [volumeClaimTemplate('data', n.data), ...(props.redisSidecar ? [props.redisSidecar.volumeClaimTemplate] : [])],
    });

    // Package installation (Nuxeo Connect) and S3 need HTTPS to the outside, and only there.
    const internet = network.internetEgress;
    const https: Rule[] = packages.length || s3 ? [{ peers: [{ cidrs: internet.cidrs, except: internet.except }], ports: [443] }] : [];
    this.addNetworkPolicy(props, wid, ctx, [...https, ...(s3 ? podIdentityEgress(network.podIdentity) : [])]);
  }

  /** The cross-tier connections check (run at synthesis, in one report with every other construct's) and the warnings. */
  private checkConnectionsAndWarn(props: NuxeoProps, n: NuxeoSection, imagePullSecrets: readonly string[]): void {
    const maxConnections = props.database.maxConnections;
    this.node.addValidation({ validate: () => {
      const p = maxConnections === undefined ? undefined : connectionsProblem(n, maxConnections);
      return p ? [`database.maxConnections: ${p}`] : [];
    } });
    for (const w of nuxeoWarnings(n.image, imagePullSecrets)) Warnings.of(this).add(w);
    if (!props.publicUrl) Warnings.of(this).add(`${this.node.path}: publicUrl is not set, so nuxeo.url stays http://localhost:8080/nuxeo and links in e-mails, invitations and SAML metadata point there`);
  }

  /** The ConfigMaps of nuxeo.conf, the start scripts and the proxy's nginx.conf. */
  private addConfigMaps(name: string, wid: WorkloadIdentity, files: ReturnType<typeof nuxeoFiles>): Nuxeo['configMaps'] {
    const configMap = (cid: string, cmName: string, component: string, data: Record<string, string>) =>
      new k8s.KubeConfigMap(this, cid, { metadata: { name: cmName, labels: tierLabels(wid.app, component) }, data });
    return {
      conf: configMap('conf', `${name}-conf`, wid.component, { [NUXEO_CONF_FILE]: files.nuxeoConf }),
      start: configMap('start', `${name}-start`, wid.component, { 'start-nuxeo.sh': files.startScript, 'wait-redis.sh': files.waitScript }),
      proxy: configMap('proxy-conf', `${name}-proxy`, 'reverse-proxy', { 'nginx.conf': files.nginxConf }),
    };
  }

  /** The binaries volume every node shares (when the store is not S3). */
  private addBinariesClaim(name: string, wid: WorkloadIdentity, binaries: NuxeoSection['binaries']): void {
    new k8s.KubePersistentVolumeClaim(this, 'binaries', {
      metadata: { name: `${name}-binaries`, labels: tierLabels(wid.app, wid.component) },
      spec: {
        accessModes: ['ReadWriteMany'],
        ...(binaries.storageClass ? { storageClassName: binaries.storageClass } : {}),
        resources: { requests: { storage: k8s.Quantity.fromString(binaries.size) } },
      },
    });
  }

  /** Ingress from the front, the sidecar Redis peers and metrics; egress to the backing tiers plus `extraEgress`. */
  private addNetworkPolicy(props: NuxeoProps, wid: WorkloadIdentity, ctx: TierContext, extraEgress: Rule[]): void {
    const me = podsOf(wid.instance);
    const sidecarPort = props.redisSidecar?.port;
    networkPolicy(
      this,
      wid,
      [
        { peers: this.frontClients, ports: [NUXEO_PORTS.proxy] },
        ...(sidecarPort ? [{ peers: [me], ports: [sidecarPort] }] : []),
        ...metricsIngress(ctx.monitoring, METRICS.nuxeo, METRICS.proxy, ...(sidecarPort ? [METRICS.redis] : [])),
      ],
      [
        ...props.database.connection.egress,
        ...props.elasticsearch.connection.egress,
        ...props.redis.connection.egress,
        ...extraEgress,
      ],
      ctx,
    );
    for (const c of [props.database, props.elasticsearch, props.redis]) c.connection.allowFrom(me);
  }

  /** Lets `peers` (the load balancer's proxies) reach the reverse proxies. */
  public allowFrom(...peers: Peer[]): void {
    this.frontClients.push(...peers);
  }
}
