/**
 * The environment-file app as a client of the construct library: a validated file mapped to the
 * Props of the tiers. Names stay those of the file's first releases (no prefix), so no live
 * StatefulSet changes its name or selector.
 */
import type { CompactArchitectureProps } from '../lib/compact-architecture';
import { DatabaseSource } from '../lib/database/source';
import { ElasticsearchSource } from '../lib/elasticsearch/source';
import { RedisSource } from '../lib/redis/source';
import type { NamespaceTierProps } from '../lib/namespace/namespace';
import type { EnvironmentSpec } from './environment';

export function namespaceProps(spec: EnvironmentSpec): NamespaceTierProps {
  return {
    namespace: spec.namespace,
    // The opt-in Elasticsearch sysctl init container is privileged: only then is "restricted" relaxed.
    podSecurity: spec.elasticsearch.sysctlInitContainer ? 'privileged' : 'restricted',
    ...(spec.priorityClass.name ? { priorityClassName: spec.priorityClass.name } : {}),
    priorityClassValue: spec.priorityClass.value,
    preemptionPolicy: spec.priorityClass.preemptionPolicy,
  };
}

export function architectureProps(spec: EnvironmentSpec, priorityClassName: string): CompactArchitectureProps {
  const s = spec.secrets;
  const lb = spec.loadBalancer;
  const { database: db, elasticsearch: es, redis } = spec;
  return {
    context: {
      clusterDomain: spec.clusterDomain,
      imagePullSecrets: spec.imagePullSecrets,
      priorityClassName,
      scheduling: spec.scheduling,
      dns: spec.network.dns,
      monitoring: spec.monitoring,
    },
    nuxeo: {
      ...spec.nuxeo,
      jwtSecret: s.jwtSecret,
      ...(s.nuxeoClid ? { clid: s.nuxeoClid } : {}),
      proxyLimits: { maxUploadMegabytes: lb.maxUploadMegabytes, timeoutSeconds: lb.timeoutSeconds },
      internetEgress: spec.network.internetEgress,
      podIdentity: spec.network.podIdentity,
    },
    loadBalancer: lb,
    database: db.managed
      ? DatabaseSource.managed({ ...db.managed, database: db.name, user: db.user, password: s.databasePassword, maxConnections: db.maxConnections })
      : db.provider === 'cloudnativepg'
        ? DatabaseSource.cloudNativePg({ ...inCluster(db), password: s.databasePassword, internetEgress: spec.network.internetEgress })
        : DatabaseSource.inCluster({ ...inCluster(db), password: s.databasePassword, superuserPassword: s.databaseSuperuserPassword, replicationPassword: s.databaseReplicationPassword }),
    elasticsearch: es.managed
      ? ElasticsearchSource.managed({ ...es.managed, clusterName: es.clusterName, indexReplicas: es.indexReplicas, ...(es.managed.user ? { credentials: { user: es.managed.user, password: s.elasticsearchPassword } } : {}) })
      : ElasticsearchSource.inCluster(inCluster(es)),
    redis: redis.managed ? RedisSource.managed({ ...redis.managed, password: s.redisPassword }) : RedisSource.inCluster({ ...inCluster(redis), password: s.redisPassword }),
  };
}

/** A tier's section without the `managed` choice, which only this mapping reads. */
function inCluster<T extends { managed?: unknown }>(section: T): Omit<T, 'managed'> {
  const { managed: _m, ...rest } = section;
  return rest;
}
