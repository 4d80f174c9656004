import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { EnvironmentSpec } from '../config/schema';
import { renderSnapshotSetupScript, SnapshotSettings } from '../render/elasticsearch-snapshots';
import { checksum, configMapVolume, container, emptyDir, IDS, INIT_RESOURCES, networkPolicy, podsOf, PORTS, RUN_AS, tierLabels } from './common';
import { SNAPSHOT_CLAIM, SNAPSHOT_PATH } from './elasticsearch';
import { scheduledJob } from './jobs';

export interface ElasticsearchSnapshotsProps {
  /** The validated environment. */
  readonly spec: EnvironmentSpec;
  /** URL of the cluster's HTTP Service. */
  readonly url: string;
}

const CONFIG_DIR = '/etc/elasticsearch-snapshots';

/** The repository and policy names the README runbook uses. */
export const SNAPSHOT_REPOSITORY = 'nuxeo-backups';
export const SNAPSHOT_POLICY = 'nuxeo-daily';

/**
 * Elasticsearch snapshots: the shared ReadWriteMany volume every node mounts at path.repo, and
 * an hourly CronJob registering the repository and the SLM policy (idempotent PUTs) against the
 * cluster's REST API once it is up. Elasticsearch itself then takes and expires the snapshots.
 */
export class ElasticsearchSnapshots extends Construct {
  public readonly settings: SnapshotSettings;

  constructor(scope: Construct, id: string, props: ElasticsearchSnapshotsProps) {
    super(scope, id);
    const { spec } = props;
    const snap = spec.elasticsearch.snapshots;
    const wid = IDS.elasticsearchSnapshots;
    this.settings = {
      repository: SNAPSHOT_REPOSITORY,
      location: SNAPSHOT_PATH,
      policy: SNAPSHOT_POLICY,
      schedule: snap.schedule,
      expireAfter: snap.expireAfter,
      minCount: snap.minCount,
      maxCount: snap.maxCount,
    };
    const script = renderSnapshotSetupScript(this.settings);
    new k8s.KubeConfigMap(this, 'config', { metadata: { name: wid.instance, labels: tierLabels(wid.app, wid.component) }, data: { 'register.sh': script } });
    new k8s.KubePersistentVolumeClaim(this, 'volume', {
      metadata: { name: SNAPSHOT_CLAIM, labels: tierLabels(wid.app, wid.component) },
      spec: {
        // Every node writes its own shards' files into the one repository.
        accessModes: ['ReadWriteMany'],
        ...(snap.storage.storageClass ? { storageClassName: snap.storage.storageClass } : {}),
        resources: { requests: { storage: k8s.Quantity.fromString(snap.storage.size) } },
      },
    });
    scheduledJob(this, {
      spec,
      name: wid.instance,
      id: wid,
      // Hourly: registers soon after the cluster first forms, and puts back a policy lost with a rebuilt cluster.
      schedule: '5 * * * *',
      uid: RUN_AS.elasticsearch,
      activeDeadlineSeconds: 1800,
      configChecksum: checksum(script),
      containers: [
        // The Elasticsearch image brings curl; no other image to pull.
        container(RUN_AS.elasticsearch, {
          name: 'register',
          image: spec.elasticsearch.image,
          command: ['sh', `${CONFIG_DIR}/register.sh`],
          env: [
            { name: 'ES_URL', value: props.url },
            { name: 'RUN_DIR', value: '/tmp' },
          ],
          resources: INIT_RESOURCES,
          volumeMounts: [
            { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
            { name: 'tmp', mountPath: '/tmp' },
          ],
        }),
      ],
      volumes: [configMapVolume('config', wid.instance), emptyDir('tmp', '16Mi')],
    });
    networkPolicy(this, wid, [], [{ peers: [podsOf(IDS.elasticsearch.instance)], ports: [PORTS.esHttp] }], spec);
  }
}
