/**
 * nuxeo-compact-k8s as a cdk8s construct library: Nuxeo's Compact Architecture with Redis, tier
 * by tier or whole, emitted into the user's own Charts.
 */
export { CompactArchitecture, duplicateObjects } from './compact-architecture';
export type { CompactArchitectureProps } from './compact-architecture';
export type { ContextProps, TierContext } from './k8s/context';
export { PropsError } from './settings/props';
export { NamespaceTier } from './namespace/namespace';
export type { NamespaceTierProps } from './namespace/namespace';
export { Database, POSTGRES_PORT } from './database/database';
export type { DatabaseEndpoint, DatabaseProps, DatabaseSecrets, DatabaseSettings } from './database/database';
export { CloudNativePgDatabase } from './database/cloudnativepg';
export type { CloudNativePgDatabaseProps } from './database/cloudnativepg';
export { Elasticsearch, ELASTICSEARCH_PORTS } from './elasticsearch/elasticsearch';
export type { ElasticsearchProps, ElasticsearchSettings, SearchEndpoint } from './elasticsearch/elasticsearch';
export { Redis, REDIS_PORTS } from './redis/redis';
export type { CacheEndpoint, RedisProps, RedisSettings, RedisSidecar, SidecarHost } from './redis/redis';
export { Nuxeo, NUXEO_PORTS } from './nuxeo/nuxeo';
export type { NuxeoProps, NuxeoSettings } from './nuxeo/nuxeo';
export { LoadBalancer } from './load-balancer/load-balancer';
export type { LoadBalancerProps, LoadBalancerSettings } from './load-balancer/load-balancer';
export { Monitoring } from './monitoring/monitoring';
export type { MonitoringProps } from './monitoring/monitoring';
export { managedDatabase, managedRedis, managedSearch } from './managed';
export type { ManagedDatabaseProps, ManagedNetwork, ManagedRedisProps, ManagedSearchProps } from './managed';
export type { SecretKeyRef } from './k8s/containers';
export type { Connectable, Peer, Rule } from './k8s/network-policy';
export type { WorkloadIdentity } from './k8s/labels';
// The settings' nested interfaces (RedisStorageSettings ...), for users building Props piecewise;
// the section names above (RedisSettings ...) keep their tiers' meaning (without `managed`).
export type * from './settings/settings.generated';
