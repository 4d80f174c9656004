/**
 * nuxeo-compact-k8s as a cdk8s construct library: Nuxeo's Compact Architecture with Redis, tier
 * by tier or whole, emitted into the user's own Charts.
 */
export { CompactArchitecture, duplicateObjects } from './compact-architecture';
export type { CompactArchitectureProps } from './compact-architecture';
export type { ContextProps, TierContext } from './tiers/context';
export { PropsError } from './tiers/props';
export { NamespaceTier } from './tiers/namespace';
export type { NamespaceTierProps } from './tiers/namespace';
export { Database, POSTGRES_PORT } from './tiers/database';
export type { DatabaseEndpoint, DatabaseProps, DatabaseSecrets, DatabaseSettings } from './tiers/database';
export { CloudNativePgDatabase } from './tiers/database-cnpg';
export type { CloudNativePgDatabaseProps } from './tiers/database-cnpg';
export { Elasticsearch, ELASTICSEARCH_PORTS } from './tiers/elasticsearch';
export type { ElasticsearchProps, ElasticsearchSettings, SearchEndpoint } from './tiers/elasticsearch';
export { Redis, REDIS_PORTS } from './tiers/redis';
export type { CacheEndpoint, RedisProps, RedisSettings, RedisSidecar, SidecarHost } from './tiers/redis';
export { Nuxeo, NUXEO_PORTS } from './tiers/nuxeo';
export type { NuxeoProps, NuxeoSettings } from './tiers/nuxeo';
export { LoadBalancer } from './tiers/load-balancer';
export type { LoadBalancerProps, LoadBalancerSettings } from './tiers/load-balancer';
export { Monitoring } from './tiers/monitoring';
export type { MonitoringProps } from './tiers/monitoring';
export { managedDatabase, managedRedis, managedSearch } from './tiers/managed';
export type { ManagedDatabaseProps, ManagedNetwork, ManagedRedisProps, ManagedSearchProps } from './tiers/managed';
export type { SecretKeyRef } from './k8s/containers';
export type { Connectable, Peer, Rule } from './k8s/network-policy';
export type { WorkloadIdentity } from './k8s/labels';
// The settings' nested interfaces (RedisStorageSettings ...), for users building Props piecewise;
// the section names above (RedisSettings ...) keep their tiers' meaning (without `managed`).
export type * from './tiers/settings.generated';
