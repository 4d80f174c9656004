import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { EnvironmentSpec, majority } from '../config/schema';
import { bytes } from '../config/quantity';
import type { RedisEndpoint } from '../render/nuxeo-conf';
import {
  renderRedisConf, renderRedisPing, renderRedisPreStop, renderRedisStartScript, renderSentinelStartScript, renderWaitWhileListening,
} from '../render/redis';
import {
  checksum, configMapVolume, container, emptyDir, execProbe, fieldEnv, IDS, networkPolicy, podHost, podsOf, PORTS,
  RUN_AS, secretVolume, service, statefulWorkload, tierLabels, volumeClaimTemplate, workloadLabels,
} from './common';
import { METRICS, metricsIngress, redisExporter, sentinelExporter } from './exporters';

export interface RedisProps {
  /** The validated environment. */
  readonly spec: EnvironmentSpec;
  /** Headless Service of the Nuxeo StatefulSet (sidecar mode: Redis pods are Nuxeo pods). */
  readonly nuxeoHeadlessService: string;
}

/** What the Nuxeo pods add in sidecar mode. */
export interface RedisSidecar {
  readonly container: k8s.Container;
  /** Its metrics exporter, when monitoring is on. */
  readonly exporters: k8s.Container[];
  readonly volumes: k8s.Volume[];
  readonly volumeClaimTemplate: k8s.KubePersistentVolumeClaimProps;
  readonly configChecksum: string;
}

const CONF_DIR = '/etc/redis';
const SECRET_DIR = '/var/run/secrets/redis';
const RUN_DIR = '/run/redis';
const PASSWORD_FILE = `${SECRET_DIR}/password`;
/** On the data volume: the last known master survives a restart of the whole cluster. */
const SENTINEL_DIR = '/data/sentinel';
/**
 * Sidecar mode: how long a stopping pod's Redis waits for its Nuxeo to stop listening, within
 * the Nuxeo pods' 120 s grace period, leaving Redis time to save.
 */
const SIDECAR_DRAIN_SECONDS = 90;

/** Sentinels needed to agree on a failover: the majority unless the file says otherwise. */
export function sentinelQuorum(spec: EnvironmentSpec): number {
  return spec.redis.sentinel.quorum ?? majority(spec.redis.replicas);
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
  /** Set in sidecar mode: the container and volumes the Nuxeo pods carry. */
  public readonly sidecar?: RedisSidecar;

  constructor(scope: Construct, id: string, props: RedisProps) {
    super(scope, id);
    const { spec } = props;
    const r = spec.redis;
    const external = r.mode === 'external';
    const files: Record<string, string> = {
      'redis.conf': renderRedisConf({
        bind: '* -::*',
        port: PORTS.redis,
        dir: '/data',
        maxmemoryBytes: bytes(r.maxmemory),
      }),
      'start-redis.sh': renderRedisStartScript(),
    };
    if (external) {
      files['start-sentinel.sh'] = renderSentinelStartScript({
        bind: '* -::*',
        masterName: r.sentinel.masterName,
        quorum: sentinelQuorum(spec),
        downAfterMilliseconds: r.sentinel.downAfterMilliseconds,
        failoverTimeoutMilliseconds: r.sentinel.failoverTimeoutMilliseconds,
      });
      files['pre-stop.sh'] = renderRedisPreStop(r.sentinel.masterName, 20);
    }
    new k8s.KubeConfigMap(this, 'config', { metadata: { name: 'redis', labels: tierLabels('redis', 'cache') }, data: files });
    const configChecksum = checksum(...Object.values(files));

    const statefulSet = external ? IDS.redis.instance : IDS.nuxeo.instance;
    const headless = external ? 'redis-headless' : props.nuxeoHeadlessService;
    const domain = `${headless}.${spec.namespace}.svc.${spec.clusterDomain}`;
    const commonEnv: k8s.EnvVar[] = [
      fieldEnv('POD_NAME', 'metadata.name'),
      { name: 'ANNOUNCE_HOST', value: `$(POD_NAME).${domain}` },
      { name: 'INITIAL_MASTER_HOST', value: podHost(spec, statefulSet, headless, 0) },
      { name: 'INITIAL_MASTER_PORT', value: String(PORTS.redis) },
      { name: 'REDIS_PORT', value: String(PORTS.redis) },
      { name: 'REDIS_AUTH_FILE', value: PASSWORD_FILE },
      ...(external
        ? [
          { name: 'SENTINEL_SERVICE_HOST', value: `redis-sentinel.${spec.namespace}.svc.${spec.clusterDomain}` },
          { name: 'SENTINEL_SERVICE_PORT', value: String(PORTS.sentinel) },
          { name: 'SENTINEL_PORT', value: String(PORTS.sentinel) },
          { name: 'SENTINEL_MASTER', value: r.sentinel.masterName },
          { name: 'SENTINEL_DIR', value: SENTINEL_DIR },
        ]
        : []),
    ];
    const uid = external ? RUN_AS.redis : RUN_AS.nuxeo;
    const dataVolume = external ? 'data' : 'redis-data';
    const redisContainer = container(uid, {
      name: 'redis',
      image: r.image,
      command: ['sh', `${CONF_DIR}/start-redis.sh`],
      ports: [{ name: 'redis', containerPort: PORTS.redis, protocol: 'TCP' }],
      env: [
        ...commonEnv,
        { name: 'REDIS_CONF', value: `${CONF_DIR}/redis.conf` },
        { name: 'RUNTIME_DIR', value: RUN_DIR },
        // The Sentinels the preStop hand-over asks, by their pods' stable names.
        ...(external ? [{ name: 'SENTINEL_PEERS', value: Array.from({ length: r.replicas }, (_, i) => `${podHost(spec, statefulSet, headless, i)}:${PORTS.sentinel}`).join(' ') }] : []),
      ],
      resources: r.resources,
      startupProbe: execProbe(renderRedisPing('$REDIS_PORT', 'PONG|LOADING*'), { periodSeconds: 5, failureThreshold: 60, timeoutSeconds: 5 }),
      readinessProbe: execProbe(renderRedisPing('$REDIS_PORT', 'PONG'), { periodSeconds: 5, failureThreshold: 3, timeoutSeconds: 5 }),
      livenessProbe: execProbe(renderRedisPing('$REDIS_PORT', 'PONG|LOADING*|MASTERDOWN*'), { periodSeconds: 10, failureThreshold: 6, timeoutSeconds: 5 }),
      lifecycle: { preStop: { exec: { command: external ? ['sh', `${CONF_DIR}/pre-stop.sh`] : ['sh', '-c', renderWaitWhileListening(PORTS.nuxeo, SIDECAR_DRAIN_SECONDS)] } } },
      volumeMounts: [
        { name: dataVolume, mountPath: '/data' },
        { name: 'redis-config', mountPath: CONF_DIR, readOnly: true },
        { name: 'redis-password', mountPath: SECRET_DIR, readOnly: true },
        { name: 'redis-run', mountPath: RUN_DIR },
      ],
    });
    const volumes = [
      configMapVolume('redis-config', 'redis'),
      secretVolume('redis-password', spec.secrets.redisPassword.name, [{ key: spec.secrets.redisPassword.key, path: 'password' }]),
      emptyDir('redis-run', '1Mi'),
    ];
    const claim = volumeClaimTemplate(dataVolume, r.storage);

    if (!external) {
      this.sidecar = { container: redisContainer, exporters: redisExporter(spec, uid), volumes, volumeClaimTemplate: claim, configChecksum };
      // Nuxeo writes to the master only: the Redis in pod 0. The Service names that pod's stable
      // DNS record (an ExternalName, not a `statefulset.kubernetes.io/pod-name` selector, which
      // static checkers cannot match against the pod template); the headless Service publishes
      // not-ready addresses, so it resolves while pod 0 starts, before its Nuxeo is ready.
      new k8s.KubeService(this, 'redis-master-svc', {
        metadata: { name: 'redis-master', labels: tierLabels('redis', 'cache') },
        spec: {
          type: 'ExternalName',
          externalName: podHost(spec, IDS.nuxeo.instance, headless, 0),
          ports: [{ name: 'redis', port: PORTS.redis, protocol: 'TCP' }],
        },
      });
      this.endpoint = { kind: 'single', host: `redis-master.${spec.namespace}.svc.${spec.clusterDomain}`, port: PORTS.redis };
      return;
    }

    const wid = IDS.redis;
    service(this, {
      name: headless,
      labels: workloadLabels(wid),
      selector: { 'app.kubernetes.io/instance': wid.instance },
      ports: [{ name: 'redis', port: PORTS.redis }, { name: 'sentinel', port: PORTS.sentinel }],
      headless: true,
    });
    service(this, {
      name: 'redis-sentinel',
      labels: workloadLabels(wid),
      selector: { 'app.kubernetes.io/instance': wid.instance },
      ports: [{ name: 'sentinel', port: PORTS.sentinel }],
    });
    const sentinel = container(uid, {
      name: 'sentinel',
      image: r.image,
      command: ['sh', `${CONF_DIR}/start-sentinel.sh`],
      ports: [{ name: 'sentinel', containerPort: PORTS.sentinel, protocol: 'TCP' }],
      env: commonEnv,
      resources: r.sentinel.resources,
      readinessProbe: execProbe(`test "$(timeout 4 redis-cli -h 127.0.0.1 -p ${PORTS.sentinel} ping)" = PONG`, { periodSeconds: 5, failureThreshold: 3, timeoutSeconds: 5 }),
      livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('sentinel') }, periodSeconds: 10, failureThreshold: 6, timeoutSeconds: 5 },
      volumeMounts: [
        { name: dataVolume, mountPath: '/data' },
        { name: 'redis-config', mountPath: CONF_DIR, readOnly: true },
        { name: 'redis-password', mountPath: SECRET_DIR, readOnly: true },
      ],
    });
    statefulWorkload(this, {
      spec,
      id: wid,
      replicas: r.replicas,
      serviceName: headless,
      uid,
      configChecksum,
      terminationGracePeriodSeconds: 40,
      pod: r,
      // Parallel: with OrderedReady, redis-1 and redis-2 would not come back while redis-0 (lost
      // with its node) is not Ready. The start scripts find the master whatever the order.
      parallel: true,
      containers: [redisContainer, sentinel, ...redisExporter(spec, uid), ...sentinelExporter(spec, uid)],
      volumes,
      volumeClaimTemplates: [claim],
    });
    networkPolicy(
      this,
      wid,
      [{ peers: [podsOf(IDS.nuxeo.instance), podsOf(wid.instance)], ports: [PORTS.redis, PORTS.sentinel] }, ...metricsIngress(spec, METRICS.redis, METRICS.sentinel)],
      [{ peers: [podsOf(wid.instance)], ports: [PORTS.redis, PORTS.sentinel] }],
      spec,
    );
    this.endpoint = {
      kind: 'sentinel',
      hosts: Array.from({ length: r.replicas }, (_, i) => podHost(spec, wid.instance, headless, i)),
      port: PORTS.sentinel,
      masterName: r.sentinel.masterName,
    };
  }
}
