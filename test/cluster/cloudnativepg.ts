/**
 * CloudNativePG and the S3 server its backups go to, installed on the test cluster as their users
 * install them: the operator from its release manifest (releases/cnpg-<version>.yaml, what
 * docs/cloudnativepg.md applies, read in the Go module cache), versitygw from a Deployment of ours.
 * Images: built and pushed by operatorImages() (test/cluster/upstream.ts) beforehand.
 */
import { applyYaml, deleteNamespace, getJson, kubectl, REGISTRY } from './kube';
import { moduleVersion, rollout, upstreamManifest } from './upstream';

const CNPG_MODULE = 'github.com/cloudnative-pg/cloudnative-pg';
export const CNPG_VERSION = moduleVersion('cloudnative-pg', CNPG_MODULE);
export const VERSITYGW_VERSION = moduleVersion('versitygw', 'github.com/versity/versitygw');
/** The namespace and in-cluster URL of the object store. */
export const OBJECT_STORE_NAMESPACE = 'object-store';
export const OBJECT_STORE_URL = `http://versitygw.${OBJECT_STORE_NAMESPACE}.svc.cluster.local:7070`;
/** What operatorImages() builds and pushes: the operator, its operand image and the object store. */
export const CNPG_IMAGES = ['cloudnative-pg', 'postgresql', 'versitygw'];
/** The custom resources that carry the operator's finalizers or own its pods. */
const CNPG_KINDS = 'clusters.postgresql.cnpg.io,backups.postgresql.cnpg.io,scheduledbackups.postgresql.cnpg.io,poolers.postgresql.cnpg.io';

function releaseManifest(): string {
  const v = CNPG_VERSION.replace(/^v/, '');
  return upstreamManifest(CNPG_MODULE, CNPG_VERSION, `releases/cnpg-${v}.yaml`, {
    [`ghcr.io/cloudnative-pg/cloudnative-pg:${v}`]: `${REGISTRY}/cloudnative-pg/cloudnative-pg:${v}`,
  });
}

/**
 * CloudNativePG's release manifest applied (idempotent), the operator rolled out. It stays for the
 * cluster's life: test files running side by side share it, and it must outlive every namespace
 * holding its objects (their finalizers).
 */
export async function installCloudNativePg(): Promise<void> {
  await kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], { input: releaseManifest(), timeoutMs: 180000 });
  await rollout('cnpg-system', 'deployment', 'cnpg-controller-manager');
}

/**
 * Deletes a namespace that holds CloudNativePG objects: the objects first, while the operator
 * runs to remove its finalizers (with the operator gone they would hold the namespace in
 * Terminating forever), then the namespace. Tolerates a namespace already Terminating.
 */
export async function deleteCloudNativePgNamespace(ns: string): Promise<void> {
  const exists = await kubectl(['get', 'namespace', ns], { allowFail: true });
  if (exists.code === 0) {
    const r = await kubectl(['-n', ns, 'delete', CNPG_KINDS, '--all', '--ignore-not-found', '--wait=true', '--timeout=120s'], { allowFail: true, timeoutMs: 130000 });
    if (r.code !== 0) await dropFinalizers(ns);
  }
  // Its pods go without grace period (deleteNamespace), not after an instance's stopDelay (1800 s).
  await deleteNamespace(ns, 300000);
}

/** Last resort when the operator did not finish: the finalizers removed by hand (reported on stderr). */
async function dropFinalizers(ns: string): Promise<void> {
  const left = (await getJson(['-n', ns, CNPG_KINDS])).items;
  for (const o of left) {
    console.warn(`${o.kind} ${ns}/${o.metadata.name}: finalizers ${JSON.stringify(o.metadata.finalizers)} removed by hand (the operator did not)`);
    await kubectl(['-n', ns, 'patch', `${o.kind.toLowerCase()}.postgresql.cnpg.io`, o.metadata.name, '--type=merge', '-p', '{"metadata":{"finalizers":null}}'], { allowFail: true });
  }
}

function objectStoreDeployment(labels: Record<string, string>): object {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'versitygw', namespace: OBJECT_STORE_NAMESPACE, labels },
    spec: {
      replicas: 1, selector: { matchLabels: labels }, strategy: { type: 'Recreate' },
      template: {
        metadata: { labels },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 65534, fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'versitygw', image: `${REGISTRY}/versity/versitygw:${VERSITYGW_VERSION}`, imagePullPolicy: 'Always',
            args: ['--port', ':7070', 'posix', '/data'],
            envFrom: [{ secretRef: { name: 'versitygw-root' } }],
            ports: [{ name: 's3', containerPort: 7070 }],
            readinessProbe: { tcpSocket: { port: 7070 }, periodSeconds: 2 },
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, readOnlyRootFilesystem: true },
            resources: { requests: { cpu: '20m', memory: '64Mi' } },
          }],
          volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'versitygw-data' } }],
        },
      },
    },
  };
}

/**
 * versitygw serving S3 from a volume (posix backend), in its own namespace (no NetworkPolicies
 * there), at OBJECT_STORE_URL, with root keys given by the caller (the ones of the checklist's
 * object-store Secret). A claim: its data outlives the pod.
 * A fresh store each time: a previous one is deleted (barman refuses to archive into a folder that
 * holds another cluster's WAL).
 */
export async function installObjectStore(accessKeyId: string, secretAccessKey: string): Promise<void> {
  const ns = OBJECT_STORE_NAMESPACE;
  await deleteNamespace(ns);
  const labels = (objectStoreService() as any).spec.selector;
  const objects = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 'versitygw-root', namespace: ns },
      stringData: { ROOT_ACCESS_KEY_ID: accessKeyId, ROOT_SECRET_ACCESS_KEY: secretAccessKey },
    },
    {
      apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'versitygw-data', namespace: ns },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'local-rwo', resources: { requests: { storage: '10Gi' } } },
    },
    objectStoreDeployment(labels),
    objectStoreService(),
  ];
  for (const o of objects) await applyYaml(JSON.stringify(o));
  await rollout(ns, 'deployment', 'versitygw');
}

/**
 * The object store's Service. Deleted, the store is unreachable (its name no longer resolves)
 * until it is applied again; versitygw and its data stay.
 */
export function objectStoreService(): object {
  return {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'versitygw', namespace: OBJECT_STORE_NAMESPACE },
    spec: { selector: { 'app.kubernetes.io/name': 'versitygw' }, ports: [{ name: 's3', port: 7070, targetPort: 's3' }] },
  };
}

/** The host folder of the object store's volume (the cluster's pre-made local volumes are host folders). */
export async function objectStoreFolder(): Promise<string> {
  const pvc = await getJson(['-n', OBJECT_STORE_NAMESPACE, 'pvc', 'versitygw-data']);
  const pv = await getJson(['pv', pvc.spec.volumeName]);
  return pv.spec.local.path;
}
