/**
 * The design limits of the seed architecture, stated with the sizes in force for one
 * environment. Printed at every synth and written into SUMMARY.md: never hidden.
 */
import { packagesInstalledAtStart } from '../lib/nuxeo/settings';
import type { EnvironmentSpec } from './environment';
import { backupWarnings } from './backup-plan';
import { promotionSummary } from './postgres-promotion';

export function architectureWarnings(spec: EnvironmentSpec): string[] {
  return [
    ...availabilityWarnings(spec),
    ...managedWarnings(spec),
    ...clusterWarnings(spec),
    ...podIdentityWarnings(spec),
    ...stickinessWarnings(spec),
    ...operationWarnings(spec),
    ...backupWarnings(spec),
    ...(spec.loadBalancer.provider === 'ingress-nginx'
      ? ['ingress-nginx was retired in March 2026 (no more releases or fixes); gateway-api (e.g. Envoy Gateway) is the maintained path.']
      : []),
  ];
}

/** What a node, Redis or PostgreSQL loss costs, and what guards Elasticsearch. */
function availabilityWarnings(spec: EnvironmentSpec): string[] {
  const n = spec.nuxeo;
  const r = spec.redis;
  const warnings = [
    `Chronicle Queue is not distributed and not fault tolerant: each of the ${n.replicas} Nuxeo nodes processes only the ` +
      `stream and Bulk Service records it submitted, stored on its own ${n.data.size} volume (data-nuxeo-<ordinal>, retention ` +
      `${n.streamRetention}). Losing a node's volume loses its pending records; the volume is persistent and kept on scale-down, back it up. ` +
      'Kafka (the seed\'s "Compact Architecture with Kafka") removes this limit.',
    `WorkManager queues are bounded by Redis memory: maxmemory ${r.maxmemory} (limit ${r.resources.limits.memory}) with ` +
      "'noeviction', so a full Redis refuses new Works instead of dropping queued ones. Works not yet replicated when a " +
      'Redis master is lost can be lost (asynchronous replication).',
  ];
  if (r.mode === 'sidecar' && !r.managed) {
    warnings.push(
      `Redis sidecar mode has no automatic failover: the master is the Redis in nuxeo-0 and the other ${n.replicas - 1} ` +
        'replicate from it. Two Sentinels could never authorise a failover, so none run; while nuxeo-0 is down, Nuxeo has no ' +
        'Redis until it restarts (or an operator promotes a replica). Set redis.mode: external for automatic failover.',
    );
  }
  if (spec.database.provider === 'statefulset' && !spec.database.managed) {
    warnings.push(
      `PostgreSQL has no automatic failover: 1 primary and ${spec.database.replicas} streaming replica(s). ${promotionSummary(spec.namespace)} ` +
        'database.provider: cloudnativepg fails over automatically.',
    );
  }
  if (!spec.elasticsearch.managed) {
    warnings.push(
      'Elasticsearch runs with xpack security off: it is reachable only from the Nuxeo and Elasticsearch pods through ' +
        'NetworkPolicies, which the cluster network plugin must enforce.',
    );
  }
  return warnings;
}

/** What the cluster itself must allow: privileged init, enough nodes for required anti-affinity. */
function clusterWarnings(spec: EnvironmentSpec): string[] {
  const n = spec.nuxeo;
  const r = spec.redis;
  const warnings: string[] = [];
  if (spec.elasticsearch.sysctlInitContainer) {
    warnings.push('elasticsearch.sysctlInitContainer runs a privileged root init container: the namespace cannot enforce Pod Security "restricted".');
  }
  if (spec.scheduling.antiAffinity === 'required') {
    const needed = Math.max(
      n.replicas,
      spec.elasticsearch.managed ? 0 : spec.elasticsearch.replicas,
      spec.database.managed ? 0 : spec.database.replicas + 1,
      r.mode === 'external' ? r.replicas : 0,
    );
    warnings.push(`scheduling.antiAffinity is 'required': the cluster needs at least ${needed} schedulable nodes, or pods stay Pending.`);
  }
  return warnings;
}

/** A cloud pod identity that Nuxeo's S3 connector may not read. */
function podIdentityWarnings(spec: EnvironmentSpec): string[] {
  const warnings: string[] = [];
  const identity = spec.network.podIdentity;
  if (identity === 'eks-pod-identity') {
    warnings.push(
      'network.podIdentity is eks-pod-identity: the AWS SDK for Java needs 1.12.746 or later to read EKS Pod Identity credentials, ' +
        "and Nuxeo LTS 2021's S3 connector is built with 1.12.261 (nuxeo/nuxeo 2021 pom.xml). Check your Nuxeo build, or use irsa, which that SDK reads.",
    );
  }
  if (identity === 'gke' || identity === 'azure') {
    warnings.push(
      `network.podIdentity is ${identity}: it opens the egress that identity needs, but Nuxeo's S3 connector reads AWS credentials only ` +
        '(keys, or the AWS SDK default chain: IRSA web identity, container or instance credentials). Check that your S3-compatible store is reached with credentials it understands.',
    );
  }
  return warnings;
}

/** Where session stickiness depends on what the load balancer provider does. */
function stickinessWarnings(spec: EnvironmentSpec): string[] {
  const warnings: string[] = [];
  if (spec.loadBalancer.provider === 'gateway-api') {
    warnings.push(
      'gateway-api stickiness needs the experimental-channel Gateway API CRDs: HTTPRoute sessionPersistence is not in the ' +
        'standard channel, whose CRDs drop the field, and the site is then not sticky. Implementations that honour cookie ' +
        'sessionPersistence include Envoy Gateway and NGINX Gateway Fabric (NGINX Plus only); check yours.',
    );
  }
  if (spec.loadBalancer.provider === 'service') {
    warnings.push(
      "provider 'service' is sticky by client address, in the cloud load balancer: GKE and AKS apply the Service's ClientIP " +
        'affinity, the AWS Load Balancer Controller the target-group stickiness annotation (the legacy in-tree AWS controller ' +
        'has none). Clients behind one NAT share a node, and a client whose address changes loses its session.',
    );
  }
  return warnings;
}

/** Start-time downloads, no monitoring, snapshot storage, an open API-server egress. */
function operationWarnings(spec: EnvironmentSpec): string[] {
  const n = spec.nuxeo;
  const warnings: string[] = [];
  const atStart = packagesInstalledAtStart(n);
  if (atStart.length) {
    warnings.push(
      `Packages are installed at every Nuxeo pod start (${atStart.join(', ')}): each start downloads them from Nuxeo Connect, ` +
        'so a pod cannot start while Connect is unreachable, and starts take minutes longer. Build them into the image ' +
        '(docker/Dockerfile) and set nuxeo.packagesInImage: true.',
    );
  }
  if (!spec.monitoring.enabled) {
    warnings.push('monitoring.enabled is false: no exporter or alert watches Redis memory, the Chronicle Queue volumes, PostgreSQL replication or Elasticsearch health.');
  }
  if (!spec.elasticsearch.snapshots.storage.storageClass) {
    warnings.push(
      'elasticsearch.snapshots.storage.storageClass is not set: the cluster default StorageClass must support ReadWriteMany, ' +
        'or the snapshot volume stays Pending and so does every Elasticsearch pod (they all mount it at path.repo).',
    );
  }
  if (spec.database.provider === 'cloudnativepg' && spec.database.cloudnativepg.apiServer.cidrs.some((c) => /\/0$/.test(c))) {
    warnings.push(
      `database.cloudnativepg.apiServer.cidrs is ${spec.database.cloudnativepg.apiServer.cidrs.join(', ')}: the PostgreSQL instances may open ports ` +
        `${spec.database.cloudnativepg.apiServer.ports.join(', ')} to any address, private ones included. Narrow it to the API server's endpoints (kubectl get endpoints kubernetes -n default).`,
    );
  }
  return warnings;
}

/** What a managed service leaves to its provider, and a connection without TLS. */
function managedWarnings(spec: EnvironmentSpec): string[] {
  const egress = (cidrs: string[], port: number) => (cidrs.length ? `${cidrs.join(', ')} on port ${port}` : `any address on port ${port} (set cidrs to narrow it)`);
  const out: string[] = [];
  const db = spec.database.managed;
  if (db) {
    out.push(`database.managed: Nuxeo uses ${db.host}:${db.port}${db.tls ? ' over TLS' : ' WITHOUT TLS'}; its failover, backups and monitoring are the provider's. Nuxeo's egress: ${egress(db.cidrs, db.port)}.`);
  }
  const es = spec.elasticsearch.managed;
  if (es) {
    const plain = es.urls.filter((u) => u.startsWith('http:'));
    out.push(`elasticsearch.managed: Nuxeo uses ${es.urls.join(', ')}${plain.length ? ' (plain http: no TLS)' : ''}; its snapshots and monitoring are the provider's.`);
  }
  const redis = spec.redis.managed;
  if (redis) {
    out.push(`redis.managed: Nuxeo uses ${redis.host}:${redis.port}${redis.tls ? ' over TLS' : ' WITHOUT TLS'}; its failover and monitoring are the provider's. Nuxeo's egress: ${egress(redis.cidrs, redis.port)}.`);
  }
  return out;
}
