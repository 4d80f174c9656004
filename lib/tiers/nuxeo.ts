import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { CONTROLLER_DEFAULTS, EnvironmentSpec, packagesInstalledAtStart, secretVariable } from '../config/schema';
import { cpuCores, mebibytes } from '../config/quantity';
import { NGINX_HEALTH_PATH, NGINX_STATUS_PATH, renderNginxConf } from '../render/nginx';
import { BinaryStore, NUXEO_ENV, RedisEndpoint, renderNuxeoConf } from '../render/nuxeo-conf';
import { renderNuxeoStartScript, SecretProperty } from '../render/nuxeo-start';
import {
  checksum, configMapVolume, container, emptyDir, fieldEnv, IDS, INIT_RESOURCES, networkPolicy, Peer, podsOf, PORTS, Rule,
  RUN_AS, secretEnv, service, statefulWorkload, tierLabels, volumeClaimTemplate, workloadLabels,
} from './common';
import { METRICS, metricsIngress, NGINX_STATUS_PORT, proxyExporter } from './exporters';
import type { RedisSidecar } from './redis';

export interface NuxeoProps {
  /** The validated environment. */
  readonly spec: EnvironmentSpec;
  /**
   * Read-write host and port of the database, and the database pods Nuxeo may reach
   * (`peers` defaults to the StatefulSet provider's primary and replicas).
   */
  readonly database: { readonly host: string; readonly port: number; readonly peers?: Peer[] };
  /** Elasticsearch client URLs. */
  readonly elasticsearchUrls: string[];
  /** How to reach Redis. */
  readonly redis: RedisEndpoint;
  /**
   * The Redis container and volumes carried by each Nuxeo pod, in sidecar mode.
   * @default - no Redis in the Nuxeo pods (external mode)
   */
  readonly redisSidecar?: RedisSidecar;
}

const HOME = '/opt/nuxeo/server';
const DATA = '/var/lib/nuxeo';
/** Chronicle Queue files live on the node's own persistent volume, beside Nuxeo's data. */
const STREAM_DIR = `${DATA}/stream`;
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
export function nuxeoHeapMegabytes(spec: EnvironmentSpec): number {
  return spec.nuxeo.heap ? mebibytes(spec.nuxeo.heap) : Math.floor(mebibytes(spec.nuxeo.resources.limits.memory) / 2);
}

/** Where load-balancer traffic comes from, for the proxies' ingress rule. */
export function loadBalancerPeers(spec: EnvironmentSpec): Peer[] {
  const lb = spec.loadBalancer;
  if (lb.provider === 'service') return [{ cidrs: ['0.0.0.0/0', '::/0'] }];
  const c = lb.controller ?? CONTROLLER_DEFAULTS[lb.provider];
  return [{ namespace: c.namespace, pods: c.podLabels }];
}

/**
 * The node-local credential endpoints a cloud pod identity answers on (link-local, so outside the
 * internet egress): EKS Pod Identity Agent on 169.254.170.23 and [fd00:ec2::23] port 80; the GKE
 * metadata server on 169.254.169.254 port 80 (Dataplane V2) or 169.254.169.252 port 988 (Calico).
 * IRSA and Azure workload identity read a projected token file and call STS / Entra ID over HTTPS,
 * which the internet egress covers.
 */
export function podIdentityEgress(spec: EnvironmentSpec): Rule[] {
  switch (spec.network.podIdentity) {
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

/**
 * The application cluster: a StatefulSet of `nuxeo.replicas` pods, each holding a Nuxeo server,
 * an nginx reverse proxy in front of it and, in Redis sidecar mode, a Redis node. A headless
 * Service gives each pod a stable name; the load-balancer tier's `nuxeo` Service targets the
 * proxy port.
 */
export class Nuxeo extends Construct {
  public static readonly headlessServiceName = 'nuxeo-headless';
  /** Name of the reverse-proxy port the load balancer's Service targets. */
  public readonly proxyPortName = 'http';
  public readonly nuxeoConf: string;

  constructor(scope: Construct, id: string, props: NuxeoProps) {
    super(scope, id);
    const { spec } = props;
    const n = spec.nuxeo;
    const wid = IDS.nuxeo;
    const s3 = n.binaries.type === 's3' ? n.binaries.s3! : undefined;

    const binaries: BinaryStore = s3
      ? { kind: 's3', bucket: s3.bucket, region: s3.region, prefix: s3.prefix }
      : { kind: 'volume', path: BINARY_STORE };
    this.nuxeoConf = renderNuxeoConf({
      heapMegabytes: nuxeoHeapMegabytes(spec),
      database: { ...props.database, name: spec.database.name, user: spec.database.user, poolSize: n.databasePoolSize },
      elasticsearch: { urls: props.elasticsearchUrls, clusterName: spec.elasticsearch.clusterName, indexReplicas: spec.elasticsearch.indexReplicas },
      redis: props.redis,
      streamDir: STREAM_DIR,
      streamRetention: n.streamRetention,
      binaries,
      logFormat: n.logFormat,
      backingCheck: BACKING_CHECK,
      extra: n.properties,
      ...(spec.monitoring.enabled ? { metricsPort: METRICS.nuxeo.port } : {}),
    });
    const secretProperties: (SecretProperty & { ref: { name: string; key: string } })[] = [
      { property: 'nuxeo.db.password', variable: NUXEO_ENV.dbPassword, ref: spec.secrets.databasePassword },
      { property: 'nuxeo.redis.password', variable: NUXEO_ENV.redisPassword, ref: spec.secrets.redisPassword },
      { property: 'nuxeo.jwt.secret', variable: NUXEO_ENV.jwtSecret, ref: spec.secrets.jwtSecret },
      ...Object.keys(n.secretProperties).sort().map((property) => ({ property, variable: secretVariable(property), ref: n.secretProperties[property] })),
    ];
    const startScript = renderNuxeoStartScript(secretProperties);
    const nginxConf = renderNginxConf({
      listenPort: PORTS.proxy,
      upstream: `127.0.0.1:${PORTS.nuxeo}`,
      tempDir: '/tmp',
      maxUploadMegabytes: spec.loadBalancer.maxUploadMegabytes,
      timeoutSeconds: spec.loadBalancer.timeoutSeconds,
      ...(spec.monitoring.enabled ? { statusPort: NGINX_STATUS_PORT } : {}),
      workerProcesses: Math.max(1, Math.ceil(cpuCores(n.proxy.resources.limits.cpu))),
    });
    new k8s.KubeConfigMap(this, 'conf', { metadata: { name: 'nuxeo-conf', labels: tierLabels(wid.app, wid.component) }, data: { [NUXEO_CONF_FILE]: this.nuxeoConf } });
    new k8s.KubeConfigMap(this, 'start', { metadata: { name: 'nuxeo-start', labels: tierLabels(wid.app, wid.component) }, data: { 'start-nuxeo.sh': startScript } });
    new k8s.KubeConfigMap(this, 'proxy-conf', { metadata: { name: 'nuxeo-proxy', labels: tierLabels(wid.app, 'reverse-proxy') }, data: { 'nginx.conf': nginxConf } });

    if (!s3) {
      new k8s.KubePersistentVolumeClaim(this, 'binaries', {
        metadata: { name: 'nuxeo-binaries', labels: tierLabels(wid.app, wid.component) },
        spec: {
          accessModes: ['ReadWriteMany'],
          ...(n.binaries.storageClass ? { storageClassName: n.binaries.storageClass } : {}),
          resources: { requests: { storage: k8s.Quantity.fromString(n.binaries.size) } },
        },
      });
    }

    service(this, {
      name: Nuxeo.headlessServiceName,
      labels: workloadLabels(wid),
      selector: { 'app.kubernetes.io/instance': wid.instance },
      ports: [{ name: 'http', port: PORTS.proxy }, ...(props.redisSidecar ? [{ name: 'redis', port: PORTS.redis }] : [])],
      headless: true,
    });

    const packages = packagesInstalledAtStart(n);
    const env: k8s.EnvVar[] = [
      fieldEnv(NUXEO_ENV.nodeId, 'metadata.name'),
      ...secretProperties.map((p) => secretEnv(p.variable, p.ref)),
      ...(s3?.credentialsSecret
        ? [
          secretEnv(NUXEO_ENV.s3KeyId, { name: s3.credentialsSecret.name, key: s3.credentialsSecret.accessKeyIdKey }),
          secretEnv(NUXEO_ENV.s3Secret, { name: s3.credentialsSecret.name, key: s3.credentialsSecret.secretAccessKeyKey }),
        ]
        : []),
      // The entrypoint writes it to instance.clid: package installs need it, and it registers the instance.
      ...(spec.secrets.nuxeoClid ? [secretEnv('NUXEO_CLID', spec.secrets.nuxeoClid)] : []),
      ...(packages.length ? [{ name: 'NUXEO_PACKAGES', value: packages.join(' ') }] : []),
    ];
    const runtimeStarted = { path: NUXEO_PROBE_PATH, port: k8s.IntOrString.fromString('nuxeo') };
    const backingWaitSeconds = (BACKING_CHECK.retries * BACKING_CHECK.delayMilliseconds) / 1000;

    const containers: k8s.Container[] = [
      container(RUN_AS.nuxeo, {
        name: 'nuxeo',
        image: n.image,
        // The image's entrypoint builds nuxeo.conf, then runs our script, which adds the secrets and execs Nuxeo.
        command: ['/docker-entrypoint.sh'],
        args: ['sh', START_SCRIPT, 'nuxeoctl', 'console'],
        ports: [{ name: 'nuxeo', containerPort: PORTS.nuxeo, protocol: 'TCP' }, ...(spec.monitoring.enabled ? [{ name: METRICS.nuxeo.name, containerPort: METRICS.nuxeo.port, protocol: 'TCP' }] : [])],
        env,
        resources: n.resources,
        // Startup: the runtime has started. Its budget covers the launcher's whole backing-service
        // wait plus the start itself, so a fresh install never depends on a restart.
        startupProbe: { httpGet: runtimeStarted, periodSeconds: 10, failureThreshold: Math.ceil((backingWaitSeconds + START_SECONDS) / 10), timeoutSeconds: 5 },
        // Readiness: this node can serve; a shared tier's outage is not this node's (see NUXEO_PROBE_PATH).
        readinessProbe: { httpGet: runtimeStarted, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 5 },
        // Liveness: Tomcat accepts connections; a restart cures a hung JVM, not a slow dependency.
        livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('nuxeo') }, periodSeconds: 20, failureThreshold: 6, timeoutSeconds: 5 },
        volumeMounts: [
          { name: 'nuxeo-home', mountPath: HOME },
          { name: 'data', mountPath: DATA },
          { name: 'etc-nuxeo', mountPath: '/etc/nuxeo' },
          { name: 'nuxeo-conf', mountPath: '/etc/nuxeo/conf.d', readOnly: true },
          { name: 'nuxeo-start', mountPath: START_DIR, readOnly: true },
          { name: 'logs', mountPath: '/var/log/nuxeo' },
          { name: 'pid', mountPath: '/var/pid/nuxeo' },
          { name: 'tmp', mountPath: '/tmp' },
          ...(s3 ? [] : [{ name: 'binaries', mountPath: BINARIES }]),
        ],
      }),
      container(RUN_AS.nuxeo, {
        name: 'proxy',
        image: n.proxy.image,
        command: ['nginx', '-c', '/etc/nginx/nuxeo/nginx.conf', '-g', 'daemon off;'],
        ports: [{ name: 'http', containerPort: PORTS.proxy, protocol: 'TCP' }],
        resources: n.proxy.resources,
        readinessProbe: { httpGet: { path: NGINX_HEALTH_PATH, port: k8s.IntOrString.fromString('http') }, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 3 },
        livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('http') }, periodSeconds: 20, failureThreshold: 3, timeoutSeconds: 3 },
        volumeMounts: [
          { name: 'proxy-conf', mountPath: '/etc/nginx/nuxeo', readOnly: true },
          { name: 'proxy-tmp', mountPath: '/tmp' },
        ],
      }),
      ...(props.redisSidecar ? [props.redisSidecar.container] : []),
      ...proxyExporter(spec, RUN_AS.nuxeo, NGINX_STATUS_PATH),
      ...(props.redisSidecar?.exporters ?? []),
    ];

    // Ordered start (the default): the first node creates the repository schema and, in sidecar
    // mode, hosts the Redis master the others replicate from.
    statefulWorkload(this, {
      spec,
      id: wid,
      replicas: n.replicas,
      serviceName: Nuxeo.headlessServiceName,
      uid: RUN_AS.nuxeo,
      configChecksum: checksum(this.nuxeoConf, nginxConf, startScript, props.redisSidecar?.configChecksum ?? ''),
      terminationGracePeriodSeconds: 120,
      pod: n,
      initContainers: [
        // The image writes its generated configuration under NUXEO_HOME; with a read-only root
        // filesystem the pod runs from a private, writable copy of it.
        container(RUN_AS.nuxeo, {
          name: 'nuxeo-home',
          image: n.image,
          // cp -R, not -a: a non-root UID may not set the times of the root-owned emptyDir itself.
          command: ['sh', '-c', `cp -R ${HOME}/. /nuxeo-home/`],
          resources: INIT_RESOURCES,
          volumeMounts: [{ name: 'nuxeo-home', mountPath: '/nuxeo-home' }],
        }),
      ],
      containers,
      volumes: [
        emptyDir('nuxeo-home', '3Gi'),
        emptyDir('etc-nuxeo', '16Mi'),
        configMapVolume('nuxeo-conf', 'nuxeo-conf'),
        configMapVolume('nuxeo-start', 'nuxeo-start'),
        configMapVolume('proxy-conf', 'nuxeo-proxy'),
        emptyDir('logs', '1Gi'),
        emptyDir('pid', '1Mi'),
        emptyDir('tmp', '2Gi'),
        emptyDir('proxy-tmp', '1Gi'),
        ...(s3 ? [] : [{ name: 'binaries', persistentVolumeClaim: { claimName: 'nuxeo-binaries' } }]),
        ...(props.redisSidecar?.volumes ?? []),
      ],
      volumeClaimTemplates: [volumeClaimTemplate('data', n.data), ...(props.redisSidecar ? [props.redisSidecar.volumeClaimTemplate] : [])],
    });

    const redisPeers: Rule[] = props.redisSidecar
      ? [{ peers: [podsOf(wid.instance)], ports: [PORTS.redis] }]
      : [{ peers: [podsOf(IDS.redis.instance)], ports: [PORTS.redis, PORTS.sentinel] }];
    // Package installation (Nuxeo Connect) and S3 need HTTPS to the outside, and only there.
    const internet = spec.network.internetEgress;
    const https: Rule[] = packages.length || s3 ? [{ peers: [{ cidrs: internet.cidrs, except: internet.except }], ports: [443] }] : [];
    networkPolicy(
      this,
      wid,
      [
        { peers: loadBalancerPeers(spec), ports: [PORTS.proxy] },
        ...(props.redisSidecar ? [{ peers: [podsOf(wid.instance)], ports: [PORTS.redis] }] : []),
        ...metricsIngress(spec, METRICS.nuxeo, METRICS.proxy, ...(props.redisSidecar ? [METRICS.redis] : [])),
      ],
      [
        // Replicas too: the read-only Service, and a replica promoted by hand (README, manual recovery).
        { peers: props.database.peers ?? [podsOf(IDS.postgresPrimary.instance), podsOf(IDS.postgresReplica.instance)], ports: [PORTS.postgres] },
        { peers: [podsOf(IDS.elasticsearch.instance)], ports: [PORTS.esHttp] },
        ...redisPeers,
        ...https,
        ...(s3 ? podIdentityEgress(spec) : []),
      ],
      spec,
    );
  }
}
