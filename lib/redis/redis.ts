import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { z } from 'zod';
import { SECRET_DEFAULTS } from '../settings/fields';
import { majority, REDIS_SCHEMA } from './settings';
import { bytes } from '../settings/quantity';
import { container, execProbe, fieldEnv, SecretKeyRef } from '../k8s/containers';
import { tierLabels, workloadLabels } from '../k8s/labels';
import { Connectable, networkPolicy, Peer, podsOf } from '../k8s/network-policy';
import { service } from '../k8s/service';
import { statefulWorkload } from '../k8s/stateful-workload';
import { ConfigChecksum, configChecksum } from '../k8s/checksum';
import { configMapVolume, emptyDir, secretVolume, volumeClaimTemplate } from '../k8s/volumes';
import type { RedisConnection } from './connection';
import {
  renderRedisConf, renderRedisPing, renderRedisPreStop, renderRedisStartScript, renderSentinelStartScript, renderWaitWhileListening,
} from './redis-conf';
import { ContextProps, podHost, resolveContext, serviceHost, TierContext } from '../k8s/context';
import { METRICS, metricsIngress, redisExporter, sentinelExporter } from '../k8s/exporters';
import type { SidecarHost } from '../k8s/sidecar-host';
export type { SidecarHost };
import { DEFAULT_NUXEO_NAME, nuxeoSidecarHost } from '../k8s/nuxeo-pods';
import { ownKeys, parseProps, propsProblems, settingsOf } from '../settings/props';
import type { RedisSettings as RedisSectionInput } from './settings.generated';

export const REDIS_PORTS = { redis: 6379, sentinel: 26379 } as const;
/** The image's `redis` UID (999) plus 10000. */
const RUN_AS = 10999;

/** The `redis` section of the environment file (every field optional, with the file's defaults). */
export type RedisSettings = Omit<RedisSectionInput, 'managed'>;


/** Redis's settings and the Secret of its password. */
export interface RedisOptions extends RedisSettings {
  /**
   * Secret key holding the Redis password.
   * @default { name: 'nuxeo-redis', key: 'password' }
   */
  readonly password?: SecretKeyRef;
}

/** A Redis tier's Props: its options, where it runs and, in sidecar mode, the pods that carry it. */
export interface RedisProps extends RedisOptions {
  /**
   * Settings shared by the tiers (cluster domain, scheduling, pull secrets ...).
   * @default - the environment file's defaults
   */
  readonly context?: ContextProps;
  /**
   * Name of the ConfigMap, StatefulSet and Services (`<name>-headless`, `<name>-sentinel`, `<name>-master`).
   * @default - the construct id
   */
  readonly baseName?: string;
  /**
   * Sidecar mode: the pods that carry Redis (`Nuxeo.sidecarHost(name)`); hand this tier's
   * `sidecar` to that Nuxeo tier (`redisSidecar`).
   * @default - the pods of a Nuxeo tier named `nuxeo`
   */
  readonly sidecarHost?: SidecarHost;
}

/** How Nuxeo reaches Redis, in the cluster or managed (ElastiCache, Memorystore). */
export interface RedisEndpoint {
  readonly redis: RedisConnection;
  readonly password: SecretKeyRef;
  readonly connection: Connectable;
}

/** What the Nuxeo pods add in sidecar mode. */
export interface RedisSidecar {
  readonly container: k8s.Container;
  /** The port it listens on. */
  readonly port: number;
  /** Its metrics exporter, when monitoring is on. */
  readonly exporters: k8s.Container[];
  readonly volumes: k8s.Volume[];
  readonly volumeClaimTemplate: k8s.KubePersistentVolumeClaimProps;
  readonly configChecksum: ConfigChecksum;
}

const CONF_DIR = '/etc/redis';
const SECRET_DIR = '/var/run/secrets/redis';
const RUN_DIR = '/run/redis';
const PASSWORD_FILE = `${SECRET_DIR}/password`;
/** On the data volume: the last known master survives a restart of the whole cluster. */
const SENTINEL_DIR = '/data/sentinel';
/**
 * Sidecar mode: how long a stopping pod's Redis waits for its Nuxeo to stop listening (after the
 * host's stop delay), within the Nuxeo pods' grace period (delay + 120 s), leaving Redis time to save.
 */
const SIDECAR_DRAIN_SECONDS = 90;

/** Sentinels needed to agree on a failover: the majority unless the file says otherwise. */
export function sentinelQuorum(r: { replicas: number; sentinel: { quorum?: number } }): number {
  return r.sentinel.quorum ?? majority(r.replicas);
}

type RedisSection = z.output<typeof REDIS_SCHEMA>;

/** The ConfigMap's files: redis.conf and the start script, plus the Sentinel's script and the hand-over in external mode. */
function redisFiles(r: RedisSection): Record<string, string> {
  const external = r.mode === 'external';
  const files: Record<string, string> = {
    'redis.conf': renderRedisConf({
      bind: '* -::*',
      port: REDIS_PORTS.redis,
      dir: '/data',
      maxmemoryBytes: bytes(r.maxmemory),
    }),
    'start-redis.sh': renderRedisStartScript(),
  };
  if (external) {
    files['start-sentinel.sh'] = renderSentinelStartScript({
      bind: '* -::*',
      masterName: r.sentinel.masterName,
      quorum: sentinelQuorum(r),
      downAfterMilliseconds: r.sentinel.downAfterMilliseconds,
      failoverTimeoutMilliseconds: r.sentinel.failoverTimeoutMilliseconds,
    });
    files['pre-stop.sh'] = renderRedisPreStop(r.sentinel.masterName, 20);
  }
  return files;
}

/** The Sentinel beside each Redis of the external cluster, on the same data volume. */
function sentinelContainer(r: RedisSection, uid: number, env: k8s.EnvVar[], dataVolume: string): k8s.Container {
  return container(uid, {
    name: 'sentinel',
    image: r.image,
    command: ['sh', `${CONF_DIR}/start-sentinel.sh`],
    ports: [{ name: 'sentinel', containerPort: REDIS_PORTS.sentinel, protocol: 'TCP' }],
    env,
    resources: r.sentinel.resources,
    readinessProbe: execProbe(`test "$(timeout 4 redis-cli -h 127.0.0.1 -p ${REDIS_PORTS.sentinel} ping)" = PONG`, { periodSeconds: 5, failureThreshold: 3, timeoutSeconds: 5 }),
    livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('sentinel') }, periodSeconds: 10, failureThreshold: 6, timeoutSeconds: 5 },
    volumeMounts: [
      { name: dataVolume, mountPath: '/data' },
      { name: 'redis-config', mountPath: CONF_DIR, readOnly: true },
      { name: 'redis-password', mountPath: SECRET_DIR, readOnly: true },
    ],
  });
}

/** RedisProps' own keys: the rest are the `redis` settings. */
const OWN_KEYS = ownKeys<RedisProps, RedisSettings>()(['context', 'baseName', 'password', 'sidecarHost']);

/** Every problem of the settings in RedisProps, found without building anything. @internal */
export function redisProblems(props: Partial<RedisProps>): string[] {
  return propsProblems('redis', REDIS_SCHEMA, settingsOf(props, OWN_KEYS));
}

/** Where a Redis tier's servers run and what they read, as its constructor resolved it. */
interface Placement {
  readonly ctx: TierContext;
  readonly r: RedisSection;
  readonly name: string;
  readonly password: SecretKeyRef;
  /** Sidecar mode: the pods that carry Redis. */
  readonly host?: SidecarHost;
  readonly statefulSet: string;
  readonly headless: string;
  readonly uid: number;
  readonly dataVolume: string;
  readonly checksum: ConfigChecksum;
}

/** The environment Redis and its Sentinel share: their announced names and the first master. */
function redisEnv(at: Placement): k8s.EnvVar[] {
  const { ctx, r, name, statefulSet, headless } = at;
  return [
    fieldEnv('POD_NAME', 'metadata.name'),
    { name: 'ANNOUNCE_HOST', value: `$(POD_NAME).${serviceHost(ctx, headless)}` },
    { name: 'INITIAL_MASTER_HOST', value: podHost(ctx, statefulSet, headless, 0) },
    { name: 'INITIAL_MASTER_PORT', value: String(REDIS_PORTS.redis) },
    { name: 'REDIS_PORT', value: String(REDIS_PORTS.redis) },
    { name: 'REDIS_AUTH_FILE', value: PASSWORD_FILE },
    ...(at.host
      ? []
      : [
        { name: 'SENTINEL_SERVICE_HOST', value: serviceHost(ctx, `${name}-sentinel`) },
        { name: 'SENTINEL_SERVICE_PORT', value: String(REDIS_PORTS.sentinel) },
        { name: 'SENTINEL_PORT', value: String(REDIS_PORTS.sentinel) },
        { name: 'SENTINEL_MASTER', value: r.sentinel.masterName },
        { name: 'SENTINEL_DIR', value: SENTINEL_DIR },
      ]),
  ];
}

/** The Redis server container, in a Nuxeo pod or in the Sentinel cluster's. */
function redisServerContainer(at: Placement, env: k8s.EnvVar[]): k8s.Container {
  const { ctx, r, host, statefulSet, headless } = at;
  return container(at.uid, {
    name: 'redis',
    image: r.image,
    command: ['sh', `${CONF_DIR}/start-redis.sh`],
    ports: [{ name: 'redis', containerPort: REDIS_PORTS.redis, protocol: 'TCP' }],
    env: [
      ...env,
      { name: 'REDIS_CONF', value: `${CONF_DIR}/redis.conf` },
      { name: 'RUNTIME_DIR', value: RUN_DIR },
      // The Sentinels the preStop hand-over asks, by their pods' stable names.
      ...(host ? [] : [{ name: 'SENTINEL_PEERS', value: Array.from({ length: r.replicas }, (_, i) => `${podHost(ctx, statefulSet, headless, i)}:${REDIS_PORTS.sentinel}`).join(' ') }]),
    ],
    resources: r.resources,
    startupProbe: execProbe(renderRedisPing('$REDIS_PORT', 'PONG|LOADING*'), { periodSeconds: 5, failureThreshold: 60, timeoutSeconds: 5 }),
    readinessProbe: execProbe(renderRedisPing('$REDIS_PORT', 'PONG'), { periodSeconds: 5, failureThreshold: 3, timeoutSeconds: 5 }),
    livenessProbe: execProbe(renderRedisPing('$REDIS_PORT', 'PONG|LOADING*|MASTERDOWN*'), { periodSeconds: 10, failureThreshold: 6, timeoutSeconds: 5 }),
    lifecycle: { preStop: { exec: { command: host ? ['sh', '-c', renderWaitWhileListening(host.serverPort, SIDECAR_DRAIN_SECONDS + (host.stopDelaySeconds ?? 0))] : ['sh', `${CONF_DIR}/pre-stop.sh`] } } },
    volumeMounts: [
      { name: at.dataVolume, mountPath: '/data' },
      { name: 'redis-config', mountPath: CONF_DIR, readOnly: true },
      { name: 'redis-password', mountPath: SECRET_DIR, readOnly: true },
      { name: 'redis-run', mountPath: RUN_DIR },
    ],
  });
}

/**
 * Redis for Nuxeo's WorkManager queues, pub/sub and key/value store, in one of the seed's two
 * layouts:
 * - `sidecar`: a Redis container in every Nuxeo pod; pod 0 is the master, the others replicate
 *   from it, and the `redis-master` Service reaches pod 0. No automatic failover.
 * - `external`: a `redis` StatefulSet of >= 3 pods, each with Redis and a Sentinel; Nuxeo asks
 *   the Sentinels for the current master.
 */
export class Redis extends Construct {
  /** How Nuxeo reaches Redis. */
  public readonly endpoint: RedisEndpoint;
  public readonly mode: 'sidecar' | 'external';
  /** External mode: Sentinels needed to agree on a failover. */
  public readonly quorum?: number;
  /** Set in sidecar mode: the container and volumes the Nuxeo pods carry. */
  public readonly sidecar?: RedisSidecar;
  /** Escape hatches: the objects a user may patch (`addJsonPatch`). */
  public readonly configMap: k8s.KubeConfigMap;
  /** External mode: the Redis + Sentinel StatefulSet. */
  public readonly statefulSet?: k8s.KubeStatefulSet;
  private readonly clients: Peer[] = [];

  constructor(scope: Construct, id: string, props: RedisProps = {}) {
    super(scope, id);
    const ctx = resolveContext(this, props.context);
    const r = parseProps('redis', REDIS_SCHEMA, settingsOf(props, OWN_KEYS));
    const name = props.baseName ?? id;
    const password = props.password ?? SECRET_DEFAULTS.redisPassword;
    this.mode = r.mode;
    const external = r.mode === 'external';
    if (external) this.quorum = sentinelQuorum(r);
    const files = redisFiles(r);
    this.configMap = new k8s.KubeConfigMap(this, 'config', { metadata: { name, labels: tierLabels('redis', 'cache') }, data: files });
    const host = external ? undefined : props.sidecarHost ?? nuxeoSidecarHost(DEFAULT_NUXEO_NAME);
    const at: Placement = {
      ctx, r, name, password, host,
      statefulSet: host ? host.statefulSet : name,
      headless: host ? host.headlessService : `${name}-headless`,
      uid: host ? host.uid : RUN_AS,
      dataVolume: external ? 'data' : 'redis-data',
      checksum: configChecksum({ configMap: this.configMap, order: Object.keys(files) }),
    };
    const env = redisEnv(at);
    const redisContainer = redisServerContainer(at, env);
    const volumes = [
      configMapVolume('redis-config', name),
      secretVolume('redis-password', password.name, [{ key: password.key, path: 'password' }]),
      emptyDir('redis-run', '1Mi'),
    ];
    const claim = volumeClaimTemplate(at.dataVolume, r.storage);
    if (host) {
      this.sidecar = { container: redisContainer, port: REDIS_PORTS.redis, exporters: redisExporter(ctx.monitoring, at.uid, REDIS_PORTS.redis, password), volumes, volumeClaimTemplate: claim, configChecksum: at.checksum };
      this.endpoint = this.masterService(at, host);
      return;
    }
    const containers = [redisContainer, sentinelContainer(r, at.uid, env, at.dataVolume), ...redisExporter(ctx.monitoring, at.uid, REDIS_PORTS.redis, password), ...sentinelExporter(ctx.monitoring, at.uid, REDIS_PORTS.sentinel)];
    const cluster = this.sentinelCluster(at, containers, volumes, claim);
    this.statefulSet = cluster.statefulSet;
    this.endpoint = cluster.endpoint;
  }

  /**
   * Sidecar mode: Nuxeo writes to the master only, the Redis in pod 0. The Service names that
   * pod's stable DNS record (an ExternalName, not a `statefulset.kubernetes.io/pod-name` selector,
   * which static checkers cannot match against the pod template); the headless Service publishes
   * not-ready addresses, so it resolves while pod 0 starts, before its Nuxeo is ready.
   */
  private masterService(at: Placement, host: SidecarHost): RedisEndpoint {
    const { ctx, name, headless } = at;
    new k8s.KubeService(this, 'redis-master-svc', {
      metadata: { name: `${name}-master`, labels: tierLabels('redis', 'cache') },
      spec: {
        type: 'ExternalName',
        externalName: podHost(ctx, host.statefulSet, headless, 0),
        ports: [{ name: 'redis', port: REDIS_PORTS.redis, protocol: 'TCP' }],
      },
    });
    return {
      redis: { kind: 'single', host: serviceHost(ctx, `${name}-master`), port: REDIS_PORTS.redis },
      password: at.password,
      // Every host pod is a Redis node: the host's own policy opens them to each other.
      connection: { egress: [{ peers: [podsOf(host.statefulSet)], ports: [REDIS_PORTS.redis] }], allowFrom: () => undefined },
    };
  }

  /** External mode: the Redis + Sentinel StatefulSet, its Services and policy, and the Sentinels Nuxeo asks. */
  private sentinelCluster(at: Placement, containers: k8s.Container[], volumes: k8s.Volume[], claim: k8s.KubePersistentVolumeClaimProps) {
    const { ctx, r, name, headless } = at;
    const wid = { app: 'redis', instance: name, component: 'cache' };
    const clients = this.clients;
    const members = podsOf(wid.instance);
    const selector = { 'app.kubernetes.io/instance': wid.instance };
    service(this, { name: headless, labels: workloadLabels(wid), selector, ports: [{ name: 'redis', port: REDIS_PORTS.redis }, { name: 'sentinel', port: REDIS_PORTS.sentinel }], headless: true });
    service(this, { name: `${name}-sentinel`, labels: workloadLabels(wid), selector, ports: [{ name: 'sentinel', port: REDIS_PORTS.sentinel }] });
    const statefulSet = statefulWorkload(this, {
      ctx,
      id: wid,
      replicas: r.replicas,
      serviceName: headless,
      uid: at.uid,
      configChecksum: at.checksum,
      terminationGracePeriodSeconds: 40,
      pod: r,
      // Parallel: with OrderedReady, redis-1 and redis-2 would not come back while redis-0 (lost
      // with its node) is not Ready. The start scripts find the master whatever the order.
      parallel: true,
      containers,
      volumes,
      volumeClaimTemplates: [claim],
    });
    networkPolicy(
      this,
      wid,
      [{ get peers() { return [...clients, members]; }, ports: [REDIS_PORTS.redis, REDIS_PORTS.sentinel] }, ...metricsIngress(ctx.monitoring, METRICS.redis, METRICS.sentinel)],
      [{ peers: [members], ports: [REDIS_PORTS.redis, REDIS_PORTS.sentinel] }],
      ctx,
    );
    const endpoint: RedisEndpoint = {
      redis: { kind: 'sentinel', hosts: Array.from({ length: r.replicas }, (_, i) => podHost(ctx, wid.instance, headless, i)), port: REDIS_PORTS.sentinel, masterName: r.sentinel.masterName },
      password: at.password,
      connection: { egress: [{ peers: [members], ports: [REDIS_PORTS.redis, REDIS_PORTS.sentinel] }], allowFrom: (client) => clients.push(client) },
    };
    return { statefulSet, endpoint };
  }
}
