/**
 * nuxeo-compact-k8s as a cdk8s construct library: Nuxeo's Compact Architecture with Redis, tier
 * by tier or whole, emitted into the user's own Charts.
 */
export { CompactArchitecture, duplicateObjects } from './compact-architecture';
export type { CompactArchitectureProps } from './compact-architecture';
export type { ContextProps, ResolvedDns, ResolvedMonitoring, ResolvedScheduling, TierContext } from './k8s/context';
export { PropsError } from './settings/props-error';
export { Warnings } from './settings/warnings';
export { NamespaceTier } from './namespace/namespace';
export type { NamespaceTierProps } from './namespace/namespace';
export { Database, POSTGRES_PORT } from './database/database';
export type { DatabaseEndpoint, DatabaseOptions, DatabaseProps, DatabaseSettings } from './database/database';
export { CloudNativePgDatabase } from './database/cloudnativepg';
export type { CloudNativePgDatabaseOptions, CloudNativePgDatabaseProps } from './database/cloudnativepg';
export { managedDatabase } from './database/managed';
export type { ManagedDatabaseProps } from './database/managed';
export { DatabaseSource } from './database/source';
export { Elasticsearch, ELASTICSEARCH_PORTS } from './elasticsearch/elasticsearch';
export type { ElasticsearchEndpoint, ElasticsearchProps, ElasticsearchSettings } from './elasticsearch/elasticsearch';
export { managedElasticsearch } from './elasticsearch/managed';
export type { ManagedElasticsearchProps } from './elasticsearch/managed';
export { ElasticsearchSource } from './elasticsearch/source';
export { Redis, REDIS_PORTS } from './redis/redis';
export type { RedisEndpoint, RedisOptions, RedisProps, RedisSettings, RedisSidecar, SidecarHost } from './redis/redis';
export { managedRedis } from './redis/managed';
export type { ManagedRedisProps } from './redis/managed';
export { RedisSource } from './redis/source';
export { Nuxeo, NUXEO_PORTS } from './nuxeo/nuxeo';
export type { NuxeoOptions, NuxeoProps, NuxeoSettings } from './nuxeo/nuxeo';
export { LoadBalancer } from './load-balancer/load-balancer';
export type { LoadBalancerProps, LoadBalancerSettings } from './load-balancer/load-balancer';
export { Monitoring } from './monitoring/monitoring';
export type { MonitoringProps } from './monitoring/monitoring';
export type { ManagedNetwork } from './k8s/managed-network';
export type { ConfigChecksum } from './k8s/checksum';
export type { Quantities, Resources, SecretKeyRef } from './k8s/containers';
export type { Connectable, Peer, Rule } from './k8s/network-policy';
export type { WorkloadIdentity } from './k8s/labels';
// The settings' nested interfaces (RedisStorageSettings ...), for users building Props piecewise;
// the section names above (RedisSettings ...) keep their tiers' meaning (without `managed`).
export type * from './settings/settings.generated';
export type * from './k8s/settings.generated';
export type * from './nuxeo/settings.generated';
export type * from './redis/settings.generated';
export type * from './elasticsearch/settings.generated';
export type * from './database/settings.generated';
export type * from './load-balancer/settings.generated';
