/**
 * The design limits of the seed architecture, stated with the sizes in force for one
 * environment. Printed at every synth and written into SUMMARY.md: never hidden.
 */
import type { EnvironmentSpec } from '../config/schema';
import { promotionSummary } from './postgres-promotion';

export function architectureWarnings(spec: EnvironmentSpec): string[] {
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
  if (r.mode === 'sidecar') {
    warnings.push(
      `Redis sidecar mode has no automatic failover: the master is the Redis in nuxeo-0 and the other ${n.replicas - 1} ` +
        'replicate from it. Two Sentinels could never authorise a failover, so none run; while nuxeo-0 is down, Nuxeo has no ' +
        'Redis until it restarts (or an operator promotes a replica). Set redis.mode: external for automatic failover.',
    );
  }
  warnings.push(
    `PostgreSQL has no automatic failover: 1 primary and ${spec.database.replicas} streaming replica(s). ${promotionSummary(spec.namespace)}`,
    'Elasticsearch runs with xpack security off: it is reachable only from the Nuxeo and Elasticsearch pods through ' +
      'NetworkPolicies, which the cluster network plugin must enforce.',
  );
  if (spec.elasticsearch.sysctlInitContainer) {
    warnings.push('elasticsearch.sysctlInitContainer runs a privileged root init container: the namespace cannot enforce Pod Security "restricted".');
  }
  if (spec.scheduling.antiAffinity === 'required') {
    const needed = Math.max(n.replicas, spec.elasticsearch.replicas, spec.database.replicas + 1, r.mode === 'external' ? r.replicas : 0);
    warnings.push(`scheduling.antiAffinity is 'required': the cluster needs at least ${needed} schedulable nodes, or pods stay Pending.`);
  }
  if (spec.loadBalancer.provider === 'ingress-nginx') {
    warnings.push('ingress-nginx was retired in March 2026 (no more releases or fixes); gateway-api (e.g. Envoy Gateway) is the maintained path.');
  }
  return warnings;
}
