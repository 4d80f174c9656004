import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { EnvironmentSpec } from '../config/schema';
import { mebibytes } from '../config/quantity';
import { GC_LOG_OPTIONS, renderElasticsearchReadiness, renderElasticsearchYml } from '../render/elasticsearch';
import {
  checksum, configMapVolume, container, containerSecurityContext, emptyDir, execProbe, fieldEnv, IDS, INIT_RESOURCES, networkPolicy,
  podsOf, PORTS, pullPolicy, resources, RUN_AS, service, statefulWorkload, tierLabels, volumeClaimTemplate, workloadLabels,
} from './common';
import { elasticsearchExporter, METRICS, metricsIngress } from './exporters';

export interface ElasticsearchProps {
  /** The validated environment. */
  readonly spec: EnvironmentSpec;
}

const HOME = '/usr/share/elasticsearch';
/** path.repo: where every node mounts the shared snapshot volume. */
export const SNAPSHOT_PATH = `${HOME}/snapshots`;
/** The ReadWriteMany claim holding the snapshot repository. */
export const SNAPSHOT_CLAIM = 'elasticsearch-snapshots';

/** JVM heap in MiB: the configured one, else half of the memory limit (Elastic's advice). */
export function elasticsearchHeapMegabytes(spec: EnvironmentSpec): number {
  const es = spec.elasticsearch;
  return es.heap ? mebibytes(es.heap) : Math.floor(mebibytes(es.resources.limits.memory) / 2);
}

/**
 * Elasticsearch: `elasticsearch.replicas` master-eligible data nodes that discover each other
 * through a headless Service, one PVC each, and a client Service on 9200.
 */
export class Elasticsearch extends Construct {
  /** URLs Nuxeo's RestClient is given. */
  public readonly urls: string[];
  public readonly headlessServiceName = 'elasticsearch-headless';
  public readonly podNames: string[];

  constructor(scope: Construct, id: string, props: ElasticsearchProps) {
    super(scope, id);
    const { spec } = props;
    const es = spec.elasticsearch;
    const wid = IDS.elasticsearch;
    this.podNames = Array.from({ length: es.replicas }, (_, i) => `${wid.instance}-${i}`);
    this.urls = [`http://${wid.instance}.${spec.namespace}.svc.${spec.clusterDomain}:${PORTS.esHttp}`];

    const yml = renderElasticsearchYml({
      clusterName: es.clusterName,
      seedHosts: `${this.headlessServiceName}.${spec.namespace}.svc.${spec.clusterDomain}`,
      initialMasterNodes: this.podNames,
      allowMmap: es.sysctlInitContainer,
      snapshotPath: SNAPSHOT_PATH,
    });
    new k8s.KubeConfigMap(this, 'config', { metadata: { name: wid.instance, labels: tierLabels(wid.app, wid.component) }, data: { 'elasticsearch.yml': yml } });

    const ports = [
      { name: 'http', port: PORTS.esHttp },
      { name: 'transport', port: PORTS.esTransport },
    ];
    service(this, { name: this.headlessServiceName, labels: workloadLabels(wid), selector: { 'app.kubernetes.io/instance': wid.instance }, ports, headless: true });
    service(this, { name: wid.instance, labels: workloadLabels(wid), selector: { 'app.kubernetes.io/instance': wid.instance }, ports: [ports[0]] });

    const heap = elasticsearchHeapMegabytes(spec);
    const health = { httpGet: { path: '/_cluster/health?local=true', port: k8s.IntOrString.fromString('http') }, timeoutSeconds: 5 };
    // Ready once the cluster is: a node starting for the first time in this pod waits for green
    // (elastic's Helm chart does the same), so a rolling restart and the PDB wait for recovery.
    const ready = execProbe(renderElasticsearchReadiness(PORTS.esHttp, '/tmp/.es-ready'), { periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 5 });
    const initContainers: k8s.Container[] = [
      // The image's config directory must be writable (keystore, temp files) while the root
      // filesystem is read-only: start from a copy of it, with our elasticsearch.yml on top.
      container(RUN_AS.elasticsearch, {
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
        securityContext: { ...containerSecurityContext(RUN_AS.elasticsearch), privileged: true, allowPrivilegeEscalation: true, runAsNonRoot: false, runAsUser: 0, runAsGroup: 0, capabilities: undefined },
      });
    }

    statefulWorkload(this, {
      spec,
      id: wid,
      replicas: es.replicas,
      serviceName: this.headlessServiceName,
      uid: RUN_AS.elasticsearch,
      configChecksum: checksum(yml),
      terminationGracePeriodSeconds: 120,
      parallel: true,
      pod: es,
      initContainers,
      containers: [
        container(RUN_AS.elasticsearch, {
          name: 'elasticsearch',
          image: es.image,
          ports: [
            { name: 'http', containerPort: PORTS.esHttp, protocol: 'TCP' },
            { name: 'transport', containerPort: PORTS.esTransport, protocol: 'TCP' },
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
        }),
        ...elasticsearchExporter(spec, RUN_AS.elasticsearch),
      ],
      volumes: [
        emptyDir('config', '64Mi'), emptyDir('logs', '512Mi'), emptyDir('tmp', '512Mi'), configMapVolume('elasticsearch-yml', wid.instance),
        { name: 'snapshots', persistentVolumeClaim: { claimName: SNAPSHOT_CLAIM } },
      ],
      volumeClaimTemplates: [volumeClaimTemplate('data', es.storage)],
    });

    networkPolicy(
      this,
      wid,
      [
        { peers: [podsOf(IDS.nuxeo.instance), podsOf(IDS.elasticsearchSnapshots.instance)], ports: [PORTS.esHttp] },
        { peers: [podsOf(wid.instance)], ports: [PORTS.esHttp, PORTS.esTransport] },
        ...metricsIngress(spec, METRICS.elasticsearch),
      ],
      [{ peers: [podsOf(wid.instance)], ports: [PORTS.esHttp, PORTS.esTransport] }],
      spec,
    );
  }
}
