import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { EnvironmentSpec } from './config/schema';
import { Database } from './tiers/database';
import { PostgresBackup } from './tiers/database-backup';
import { CloudNativePgDatabase } from './tiers/database-cnpg';
import { Elasticsearch } from './tiers/elasticsearch';
import { ElasticsearchSnapshots } from './tiers/elasticsearch-snapshots';
import { LoadBalancer } from './tiers/load-balancer';
import { Monitoring } from './tiers/monitoring';
import { NamespaceTier } from './tiers/namespace';
import { Nuxeo } from './tiers/nuxeo';
import { Redis, sentinelQuorum } from './tiers/redis';

export interface CompactArchitectureProps {
  /** The validated environment. */
  readonly spec: EnvironmentSpec;
}

/**
 * Output files, one per tier, named so that applying the folder in name order creates the
 * namespace first and the load balancer last (after what it routes to).
 */
export const TIER_FILES = {
  namespace: '00-namespace',
  database: '10-database',
  elasticsearch: '20-elasticsearch',
  redis: '30-redis',
  nuxeo: '40-nuxeo',
  loadBalancer: '50-load-balancer',
  /** PodMonitors and alerts (prometheus-operator CRDs); absent when monitoring is off. */
  monitoring: '60-monitoring',
} as const;

/**
 * Nuxeo's "Compact Architecture with Redis" for one environment: every tier in its own chart,
 * wired through the names of the Services each tier publishes.
 */
export class CompactArchitecture extends Construct {
  public readonly database: Database | CloudNativePgDatabase;
  public readonly elasticsearch: Elasticsearch;
  public readonly redis: Redis;
  public readonly nuxeo: Nuxeo;

  constructor(scope: Construct, id: string, props: CompactArchitectureProps) {
    super(scope, id);
    const { spec } = props;
    const chart = (name: string, namespaced = true) =>
      new Chart(this, name, { ...(namespaced ? { namespace: spec.namespace } : {}), disableResourceNameHashes: true });

    // Holds cluster-scoped objects: no chart namespace, which cdk8s would stamp on them too.
    new NamespaceTier(chart(TIER_FILES.namespace, false), 'tier', { spec });
    const databaseChart = chart(TIER_FILES.database);
    this.database = spec.database.provider === 'cloudnativepg' ? new CloudNativePgDatabase(databaseChart, 'tier', { spec }) : new Database(databaseChart, 'tier', { spec });
    // The operator backs up its Cluster itself (ScheduledBackup); the StatefulSets get dumps.
    if (spec.database.provider === 'statefulset') new PostgresBackup(databaseChart, 'backup', { spec, host: this.database.readWriteHost });
    const elasticsearchChart = chart(TIER_FILES.elasticsearch);
    this.elasticsearch = new Elasticsearch(elasticsearchChart, 'tier', { spec });
    new ElasticsearchSnapshots(elasticsearchChart, 'snapshots', { spec, url: this.elasticsearch.urls[0] });
    this.redis = new Redis(chart(TIER_FILES.redis), 'tier', { spec, nuxeoHeadlessService: Nuxeo.headlessServiceName });
    this.nuxeo = new Nuxeo(chart(TIER_FILES.nuxeo), 'tier', {
      spec,
      database: { host: this.database.readWriteHost, port: this.database.port, peers: this.database.clientPeers },
      elasticsearchUrls: this.elasticsearch.urls,
      redis: this.redis.endpoint,
      redisSidecar: this.redis.sidecar,
    });
    new LoadBalancer(chart(TIER_FILES.loadBalancer), 'tier', { spec, proxyPortName: this.nuxeo.proxyPortName });
    if (spec.monitoring.enabled) {
      new Monitoring(chart(TIER_FILES.monitoring), 'tier', { spec, ...(spec.redis.mode === 'external' ? { sentinelQuorum: sentinelQuorum(spec) } : {}) });
    }
  }
}
