import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { CONTROLLER_DEFAULTS, EnvironmentSpec } from '../config/schema';
import { cpuCores, mebibytes } from '../config/quantity';
import { NGINX_HEALTH_PATH, renderNginxConf } from '../render/nginx';
import { BinaryStore, NUXEO_ENV, RedisEndpoint, renderNuxeoConf } from '../render/nuxeo-conf';
import {
  checksum, configMapVolume, container, emptyDir, fieldEnv, IDS, INIT_RESOURCES, networkPolicy, Peer, podsOf, PORTS, Rule,
  RUN_AS, secretEnv, service, statefulWorkload, tierLabels, volumeClaimTemplate, workloadLabels,
} from './common';
import type { RedisSidecar } from './redis';

export interface NuxeoProps {
  /** The validated environment. */
  readonly spec: EnvironmentSpec;
  /** Read-write host and port of the database. */
  readonly database: { readonly host: string; readonly port: number };
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
const BINARIES = '/var/lib/nuxeo-binaries';
/** conf.d file name: the image appends conf.d files to nuxeo.conf in file-name order. */
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
      : { kind: 'volume', path: BINARIES };
    this.nuxeoConf = renderNuxeoConf({
      heapMegabytes: nuxeoHeapMegabytes(spec),
      database: { ...props.database, name: spec.database.name, user: spec.database.user, poolSize: n.databasePoolSize },
      elasticsearch: { urls: props.elasticsearchUrls, clusterName: spec.elasticsearch.clusterName, indexReplicas: spec.elasticsearch.indexReplicas },
      redis: props.redis,
      streamDir: STREAM_DIR,
      streamRetention: n.streamRetention,
      binaries,
      extra: n.properties,
    });
    const nginxConf = renderNginxConf({
      listenPort: PORTS.proxy,
      upstream: `127.0.0.1:${PORTS.nuxeo}`,
      tempDir: '/tmp',
      maxUploadMegabytes: spec.loadBalancer.maxUploadMegabytes,
      timeoutSeconds: spec.loadBalancer.timeoutSeconds,
      workerProcesses: Math.max(1, Math.ceil(cpuCores(n.proxy.resources.limits.cpu))),
    });
    new k8s.KubeConfigMap(this, 'conf', { metadata: { name: 'nuxeo-conf', labels: tierLabels(wid.app, wid.component) }, data: { [NUXEO_CONF_FILE]: this.nuxeoConf } });
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

    const packages = [...n.packages, ...(s3 ? ['amazon-s3-online-storage'] : [])];
    const env: k8s.EnvVar[] = [
      fieldEnv(NUXEO_ENV.nodeId, 'metadata.name'),
      secretEnv(NUXEO_ENV.dbPassword, spec.secrets.databasePassword),
      secretEnv(NUXEO_ENV.redisPassword, spec.secrets.redisPassword),
      ...(s3?.credentialsSecret
        ? [
          secretEnv(NUXEO_ENV.s3KeyId, { name: s3.credentialsSecret.name, key: s3.credentialsSecret.accessKeyIdKey }),
          secretEnv(NUXEO_ENV.s3Secret, { name: s3.credentialsSecret.name, key: s3.credentialsSecret.secretAccessKeyKey }),
        ]
        : []),
      ...(spec.secrets.nuxeoClid ? [secretEnv('NUXEO_CLID', spec.secrets.nuxeoClid)] : []),
      ...(packages.length ? [{ name: 'NUXEO_PACKAGES', value: packages.join(' ') }] : []),
    ];
    const runningStatus = { path: '/nuxeo/runningstatus', port: k8s.IntOrString.fromString('nuxeo') };

    const containers: k8s.Container[] = [
      container(RUN_AS.nuxeo, {
        name: 'nuxeo',
        image: n.image,
        ports: [{ name: 'nuxeo', containerPort: PORTS.nuxeo, protocol: 'TCP' }],
        env,
        resources: n.resources,
        // Nuxeo takes minutes to start (package install, first repository init).
        startupProbe: { httpGet: runningStatus, periodSeconds: 10, failureThreshold: 90, timeoutSeconds: 5 },
        readinessProbe: { httpGet: runningStatus, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 5 },
        livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('nuxeo') }, periodSeconds: 20, failureThreshold: 6, timeoutSeconds: 5 },
        volumeMounts: [
          { name: 'nuxeo-home', mountPath: HOME },
          { name: 'data', mountPath: DATA },
          { name: 'etc-nuxeo', mountPath: '/etc/nuxeo' },
          { name: 'nuxeo-conf', mountPath: '/etc/nuxeo/conf.d', readOnly: true },
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
    ];

    // Ordered start (the default): the first node creates the repository schema and, in sidecar
    // mode, hosts the Redis master the others replicate from.
    statefulWorkload(this, {
      spec,
      id: wid,
      replicas: n.replicas,
      serviceName: Nuxeo.headlessServiceName,
      uid: RUN_AS.nuxeo,
      configChecksum: checksum(this.nuxeoConf, nginxConf, props.redisSidecar?.configChecksum ?? ''),
      terminationGracePeriodSeconds: 120,
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
    // Package installation (Nuxeo Connect) and S3 need HTTPS to the outside.
    const https: Rule[] = packages.length || s3 ? [{ peers: [{ cidrs: ['0.0.0.0/0', '::/0'] }], ports: [443] }] : [];
    networkPolicy(
      this,
      wid,
      [
        { peers: loadBalancerPeers(spec), ports: [PORTS.proxy] },
        ...(props.redisSidecar ? [{ peers: [podsOf(wid.instance)], ports: [PORTS.redis] }] : []),
      ],
      [
        // Replicas too: the read-only Service, and a replica promoted by hand (README, manual recovery).
        { peers: [podsOf(IDS.postgresPrimary.instance), podsOf(IDS.postgresReplica.instance)], ports: [PORTS.postgres] },
        { peers: [podsOf(IDS.elasticsearch.instance)], ports: [PORTS.esHttp] },
        ...redisPeers,
        ...https,
      ],
    );
  }
}
