import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { z } from 'zod';
import type { ELASTICSEARCH_SCHEMA } from './settings';
import { container, INIT_RESOURCES } from '../k8s/containers';
import { tierLabels } from '../k8s/labels';
import { networkPolicy, podsOf } from '../k8s/network-policy';
import { scheduledJob } from '../k8s/scheduled-job';
import { configChecksum } from '../k8s/checksum';
import { configMapVolume, emptyDir } from '../k8s/volumes';
import { renderSnapshotSetupScript, SnapshotSettings } from './snapshots-scripts';
import type { TierContext } from '../k8s/context';

/** Set by the `Elasticsearch` tier, whose part this is. */
export interface ElasticsearchSnapshotsProps {
  readonly ctx: TierContext;
  /** Name of the job, its ConfigMap and the snapshot claim. */
  readonly baseName: string;
  /** The cluster: its instance label, HTTP URL and port, image and UID. */
  readonly cluster: { readonly instance: string; readonly url: string; readonly httpPort: number; readonly image: string; readonly uid: number };
  /** path.repo, where the nodes mount the claim. */
  readonly location: string;
  /** @internal the tier's resolved `snapshots` settings */
  readonly settings: z.output<typeof ELASTICSEARCH_SCHEMA>['snapshots'];
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
  /** The CronJob registering the repository and policy, whose failures the monitoring tier alerts on. */
  public readonly cronJobName: string;

  constructor(scope: Construct, id: string, props: ElasticsearchSnapshotsProps) {
    super(scope, id);
    const { ctx, cluster } = props;
    const snap = props.settings;
    const wid = { app: 'elasticsearch', instance: props.baseName, component: 'backup' };
    this.cronJobName = wid.instance;
    this.settings = {
      repository: SNAPSHOT_REPOSITORY,
      location: props.location,
      policy: SNAPSHOT_POLICY,
      schedule: snap.schedule,
      expireAfter: snap.expireAfter,
      minCount: snap.minCount,
      maxCount: snap.maxCount,
    };
    const script = renderSnapshotSetupScript(this.settings);
    const configMap = new k8s.KubeConfigMap(this, 'config', { metadata: { name: wid.instance, labels: tierLabels(wid.app, wid.component) }, data: { 'register.sh': script } });
    new k8s.KubePersistentVolumeClaim(this, 'volume', {
      metadata: { name: props.baseName, labels: tierLabels(wid.app, wid.component) },
      spec: {
        // Every node writes its own shards' files into the one repository.
        accessModes: ['ReadWriteMany'],
        ...(snap.storage.storageClass ? { storageClassName: snap.storage.storageClass } : {}),
        resources: { requests: { storage: k8s.Quantity.fromString(snap.storage.size) } },
      },
    });
    scheduledJob(this, {
      ctx,
      name: wid.instance,
      id: wid,
      // Hourly: registers soon after the cluster first forms, and puts back a policy lost with a rebuilt cluster.
      schedule: '5 * * * *',
      uid: cluster.uid,
      activeDeadlineSeconds: 1800,
      configChecksum: configChecksum(configMap),
      containers: [
        // The Elasticsearch image brings curl; no other image to pull.
        container(cluster.uid, {
          name: 'register',
          image: cluster.image,
          command: ['sh', `${CONFIG_DIR}/register.sh`],
          env: [
            { name: 'ES_URL', value: cluster.url },
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
    networkPolicy(this, wid, [], [{ peers: [podsOf(cluster.instance)], ports: [cluster.httpPort] }], ctx);
  }
}
