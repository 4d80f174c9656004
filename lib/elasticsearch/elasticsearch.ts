import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { z } from 'zod';
import { ELASTICSEARCH_SCHEMA } from './settings';
import { mebibytes } from '../settings/quantity';
import { container, containerSecurityContext, execProbe, fieldEnv, INIT_RESOURCES, pullPolicy, resources, SecretKeyRef } from '../k8s/containers';
import { tierLabels, WorkloadIdentity, workloadLabels } from '../k8s/labels';
import { Connectable, networkPolicy, Peer, podsOf } from '../k8s/network-policy';
import { service } from '../k8s/service';
import { statefulWorkload } from '../k8s/stateful-workload';
import { configChecksum } from '../k8s/checksum';
import { configMapVolume, emptyDir, volumeClaimTemplate } from '../k8s/volumes';
import { GC_LOG_OPTIONS, renderElasticsearchReadiness, renderElasticsearchYml } from './elasticsearch-conf';
import { ContextProps, resolveContext, serviceHost, TierContext } from '../k8s/context';
import { ElasticsearchSnapshots } from './snapshots';
import { elasticsearchExporter, METRICS, metricsIngress } from '../k8s/exporters';
import { ownKeys, parseProps, propsProblems, settingsOf } from '../settings/props';
import type { ElasticsearchSettings as ElasticsearchSectionInput } from './settings.generated';

/** HTTP (clients) and transport (cluster members) ports. */
export const ELASTICSEARCH_PORTS = { http: 9200, transport: 9300 } as const;
/** The image's `elasticsearch` UID (1000) plus 10000. */
const RUN_AS = 11000;

/** The `elasticsearch` section of the environment file (every field optional, with the file's defaults). */
export type ElasticsearchSettings = Omit<ElasticsearchSectionInput, 'managed'>;

export interface ElasticsearchProps extends ElasticsearchSettings {
  /**
   * Settings shared by the tiers (cluster domain, scheduling, pull secrets ...).
   * @default - the environment file's defaults
   */
  readonly context?: ContextProps;
  /**
   * Name of the StatefulSet, its Services (`<name>`, `<name>-headless`) and its instance label.
   * @default - the construct id
   */
  readonly baseName?: string;
}

/** How Nuxeo reaches a search cluster, in the cluster or managed (Elastic Cloud, OpenSearch). */
export interface ElasticsearchEndpoint {
  /** Client URLs (`http://` or `https://`). */
  readonly urls: string[];
  /** `elasticsearch.clusterName` Nuxeo checks. */
  readonly clusterName: string;
  /** Index replicas Nuxeo creates its indexes with. */
  readonly indexReplicas: number;
  /**
   * Basic-auth user and password Secret, for a managed cluster.
   * @default - no authentication (the in-cluster tier, reachable only through its NetworkPolicy)
   */
  readonly credentials?: { readonly user: string; readonly password: SecretKeyRef };
  readonly connection: Connectable;
}

const HOME = '/usr/share/elasticsearch';
/** path.repo: where every node mounts the shared snapshot volume. */
export const SNAPSHOT_PATH = `${HOME}/snapshots`;

/** JVM heap in MiB: the configured one, else half of the memory limit (Elastic's advice). */
export function elasticsearchHeapMegabytes(es: { heap?: string; resources: { limits: { memory: string } } }): number {
  return es.heap ? mebibytes(es.heap) : Math.floor(mebibytes(es.resources.limits.memory) / 2);
}

type ElasticsearchSection = z.output<typeof ELASTICSEARCH_SCHEMA>;

/** Before Elasticsearch: the writable copy of its configuration, and the opt-in sysctl. */
function elasticsearchInitContainers(es: ElasticsearchSection): k8s.Container[] {
  const initContainers: k8s.Container[] = [
    // The image's config directory must be writable (keystore, temp files) while the root
    // filesystem is read-only: start from a copy of it, with our elasticsearch.yml on top.
    container(RUN_AS, {
      name: 'config',
      image: es.image,
      // cp -R, not -a: a non-root UID may not set the times of the root-owned emptyDir itself.
      command: ['sh', '-c', `cp -R ${HOME}/config/. /config/ && cp /etc/elasticsearch/elasticsearch.yml /config/elasticsearch.yml`],
      resources: INIT_RESOURCES,
      volumeMounts: [
        { name: 'config', mountPath: '/config' },
        { name: 'elasticsearch-yml', mountPath: '/etc/elasticsearch', readOnly: true },
      ],
    }),
  ];
  if (es.sysctlInitContainer) {
    // Opt-in only: a privileged root container, which Pod Security "restricted" refuses.
    initContainers.unshift({
      name: 'sysctl',
      image: es.image,
      imagePullPolicy: pullPolicy(es.image),
      command: ['sysctl', '-w', 'vm.max_map_count=262144'],
      resources: resources(INIT_RESOURCES),
      securityContext: { ...containerSecurityContext(RUN_AS), privileged: true, allowPrivilegeEscalation: true, runAsNonRoot: false, runAsUser: 0, runAsGroup: 0, capabilities: undefined },
    });
  }
  return initContainers;
}

/** The Elasticsearch node: heap from the settings, ready once the cluster is. */
function elasticsearchContainer(es: ElasticsearchSection): k8s.Container {
  const heap = elasticsearchHeapMegabytes(es);
  const health = { httpGet: { path: '/_cluster/health?local=true', port: k8s.IntOrString.fromString('http') }, timeoutSeconds: 5 };
  // Ready once the cluster is: a node starting for the first time in this pod waits for green
  // (elastic's Helm chart does the same), so a rolling restart and the PDB wait for recovery.
  const ready = execProbe(renderElasticsearchReadiness(ELASTICSEARCH_PORTS.http, '/tmp/.es-ready'), { periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 5 });
  return container(RUN_AS, {
    name: 'elasticsearch',
    image: es.image,
    ports: [
      { name: 'http', containerPort: ELASTICSEARCH_PORTS.http, protocol: 'TCP' },
      { name: 'transport', containerPort: ELASTICSEARCH_PORTS.transport, protocol: 'TCP' },
    ],
    env: [
      fieldEnv('POD_NAME', 'metadata.name'),
      { name: 'ES_JAVA_OPTS', value: `-Xms${heap}m -Xmx${heap}m ${GC_LOG_OPTIONS}` },
      { name: 'ES_TMPDIR', value: '/tmp' },
    ],
    resources: es.resources,
    startupProbe: { ...health, periodSeconds: 10, failureThreshold: 60 },
    readinessProbe: ready,
    livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('transport') }, periodSeconds: 20, failureThreshold: 6, timeoutSeconds: 5 },
    volumeMounts: [
      { name: 'data', mountPath: `${HOME}/data` },
      { name: 'config', mountPath: `${HOME}/config` },
      { name: 'logs', mountPath: `${HOME}/logs` },
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'snapshots', mountPath: SNAPSHOT_PATH },
    ],
  });
}

/** The pod volumes besides the data claim; the snapshot repository is a shared claim. */
function elasticsearchVolumes(configMap: string, snapshotsClaim: string): k8s.Volume[] {
  return [
    emptyDir('config', '64Mi'), emptyDir('logs', '512Mi'), emptyDir('tmp', '512Mi'), configMapVolume('elasticsearch-yml', configMap),
    { name: 'snapshots', persistentVolumeClaim: { claimName: snapshotsClaim } },
  ];
}

/** ElasticsearchProps' own keys: the rest are the `elasticsearch` settings. */
const OWN_KEYS = ownKeys<ElasticsearchProps, ElasticsearchSettings>()(['context', 'baseName']);

/** Every problem of the settings in ElasticsearchProps, found without building anything. @internal */
export function elasticsearchProblems(props: Partial<ElasticsearchProps>): string[] {
  return propsProblems('elasticsearch', ELASTICSEARCH_SCHEMA, settingsOf(props, OWN_KEYS));
}

/**
 * Elasticsearch: `elasticsearch.replicas` master-eligible data nodes that discover each other
 * through a headless Service, one PVC each, and a client Service on 9200.
 */
export class Elasticsearch extends Construct {
  /** How Nuxeo (or any client) reaches the cluster. */
  public readonly endpoint: ElasticsearchEndpoint;
  public readonly headlessServiceName: string;
  public readonly podNames: string[];
  /** Escape hatches: the objects a user may patch (`addJsonPatch`). */
  public readonly configMap: k8s.KubeConfigMap;
  public readonly statefulSet: k8s.KubeStatefulSet;
  public readonly service: k8s.KubeService;
  public readonly headlessService: k8s.KubeService;
  /** The snapshot repository's volume and the job registering its policy. */
  public readonly snapshots: ElasticsearchSnapshots;
  private readonly clients: Peer[] = [];

  constructor(scope: Construct, id: string, props: ElasticsearchProps = {}) {
    super(scope, id);
    const ctx = resolveContext(this, props.context);
    const es = parseProps('elasticsearch', ELASTICSEARCH_SCHEMA, settingsOf(props, OWN_KEYS));
    const wid = { app: 'elasticsearch', instance: props.baseName ?? id, component: 'search' };
    this.headlessServiceName = `${wid.instance}-headless`;
    this.podNames = Array.from({ length: es.replicas }, (_, i) => `${wid.instance}-${i}`);
    const clients = this.clients;
    const members = podsOf(wid.instance);
    /** The ReadWriteMany claim holding the snapshot repository, and the job registering it. */
    const snapshots = `${wid.instance}-snapshots`;
    this.endpoint = {
      urls: [`http://${serviceHost(ctx, wid.instance)}:${ELASTICSEARCH_PORTS.http}`],
      clusterName: es.clusterName,
      indexReplicas: es.indexReplicas,
      connection: { egress: [{ peers: [members], ports: [ELASTICSEARCH_PORTS.http] }], allowFrom: (client) => clients.push(client) },
    };

    this.configMap = this.addConfigMap(ctx, es, wid);

    const ports = [
      { name: 'http', port: ELASTICSEARCH_PORTS.http },
      { name: 'transport', port: ELASTICSEARCH_PORTS.transport },
    ];
    this.headlessService = service(this, { name: this.headlessServiceName, labels: workloadLabels(wid), selector: { 'app.kubernetes.io/instance': wid.instance }, ports, headless: true });
    this.service = service(this, { name: wid.instance, labels: workloadLabels(wid), selector: { 'app.kubernetes.io/instance': wid.instance }, ports: [ports[0]] });

    this.statefulSet = statefulWorkload(this, {
      ctx,
      id: wid,
      replicas: es.replicas,
      serviceName: this.headlessServiceName,
      uid: RUN_AS,
      configChecksum: configChecksum(this.configMap),
      terminationGracePeriodSeconds: 120,
      parallel: true,
      pod: es,
      initContainers: elasticsearchInitContainers(es),
      containers: [
        elasticsearchContainer(es),
        ...elasticsearchExporter(ctx.monitoring, RUN_AS, ELASTICSEARCH_PORTS.http),
      ],
      volumes: elasticsearchVolumes(wid.instance, snapshots),
      volumeClaimTemplates: [volumeClaimTemplate('data', es.storage)],
    });

    this.addNetworkPolicy(wid, ctx, snapshots);
    this.snapshots = new ElasticsearchSnapshots(this, 'snapshots', {
      ctx,
      baseName: snapshots,
      cluster: { instance: wid.instance, url: this.endpoint.urls[0], httpPort: ELASTICSEARCH_PORTS.http, image: es.image, uid: RUN_AS },
      location: SNAPSHOT_PATH,
      settings: es.snapshots,
    });
  }

  /** elasticsearch.yml: discovery through the headless Service, the first pods as initial masters. */
  private addConfigMap(ctx: TierContext, es: ElasticsearchSection, wid: WorkloadIdentity): k8s.KubeConfigMap {
    const yml = renderElasticsearchYml({
      clusterName: es.clusterName,
      seedHosts: serviceHost(ctx, this.headlessServiceName),
      initialMasterNodes: this.podNames,
      allowMmap: es.sysctlInitContainer,
      snapshotPath: SNAPSHOT_PATH,
    });
    return new k8s.KubeConfigMap(this, 'config', { metadata: { name: wid.instance, labels: tierLabels(wid.app, wid.component) }, data: { 'elasticsearch.yml': yml } });
  }

  /** Clients and the snapshot job reach HTTP; the members reach each other on both ports. */
  private addNetworkPolicy(wid: WorkloadIdentity, ctx: TierContext, snapshots: string): void {
    const clients = this.clients;
    const members = podsOf(wid.instance);
    networkPolicy(
      this,
      wid,
      [
        { get peers() { return [...clients, podsOf(snapshots)]; }, ports: [ELASTICSEARCH_PORTS.http] },
        { peers: [members], ports: [ELASTICSEARCH_PORTS.http, ELASTICSEARCH_PORTS.transport] },
        ...metricsIngress(ctx.monitoring, METRICS.elasticsearch),
      ],
      [{ peers: [members], ports: [ELASTICSEARCH_PORTS.http, ELASTICSEARCH_PORTS.transport] }],
      ctx,
    );
  }
}
