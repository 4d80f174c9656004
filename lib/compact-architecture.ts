import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ContextProps, resolveContext } from './k8s/context';
import { Database, DatabaseEndpoint, DatabaseProps } from './database/database';
import { CloudNativePgDatabase, CloudNativePgDatabaseProps } from './database/cloudnativepg';
import { Elasticsearch, ElasticsearchProps, SearchEndpoint } from './elasticsearch/elasticsearch';
import { LoadBalancer, LoadBalancerProps, nuxeoPublicUrl } from './load-balancer/load-balancer';
import { Monitoring } from './monitoring/monitoring';
import { Nuxeo, NuxeoProps } from './nuxeo/nuxeo';
import { CacheEndpoint, Redis, RedisProps } from './redis/redis';

type Own<P> = Omit<P, 'context' | 'baseName'>;

/** The names of the tiers when no prefix is given (the environment-file app's, kept stable). */
export const TIER_NAMES = { nuxeo: 'nuxeo', redis: 'redis', elasticsearch: 'elasticsearch', database: 'postgresql' } as const;

export interface CompactArchitectureProps {
  /**
   * Settings shared by every tier (cluster domain, pull secrets, priority class, scheduling, DNS, monitoring).
   * @default - the environment file's defaults
   */
  readonly context?: ContextProps;
  /**
   * Prefix of every object name (`<prefix>-nuxeo`, `<prefix>-postgresql-rw` ...), so that two
   * architectures can share a namespace.
   * @default - none: nuxeo, redis, elasticsearch, postgresql
   */
  readonly prefix?: string;
  /**
   * The Nuxeo application cluster.
   * @default - the environment file's defaults
   */
  readonly nuxeo?: Own<Omit<NuxeoProps, 'database' | 'search' | 'cache' | 'redisSidecar'>>;
  /** The load balancer in front of it (`host` is required). */
  readonly loadBalancer: Own<Omit<LoadBalancerProps, 'nuxeo'>>;
  /**
   * In-cluster PostgreSQL (StatefulSets, or with `provider: 'cloudnativepg'` a CloudNativePG
   * Cluster), or a managed one (`managedDatabase(...)`), which replaces the tier.
   * @default - StatefulSets, the environment file's defaults
   */
  readonly database?: Own<DatabaseProps> | Own<CloudNativePgDatabaseProps> | DatabaseEndpoint;
  /**
   * In-cluster Elasticsearch, or a managed one (`managedSearch(...)`).
   * @default - in-cluster, the environment file's defaults
   */
  readonly elasticsearch?: Own<ElasticsearchProps> | SearchEndpoint;
  /**
   * Redis in the Nuxeo pods or its own cluster, or a managed one (`managedRedis(...)`).
   * @default - sidecar Redis, the environment file's defaults
   */
  readonly redis?: Own<Omit<RedisProps, 'sidecarHost'>> | CacheEndpoint;
}

/** An endpoint (managed service) rather than the Props of an in-cluster tier. */
function isEndpoint<E extends { connection: unknown }>(v: object | undefined): v is E {
  return v !== undefined && 'connection' in v;
}

/**
 * Nuxeo's "Compact Architecture with Redis": every tier, wired through the endpoints each one
 * publishes, emitted into the Chart that contains it (whose namespace every host name uses).
 * The namespace, PriorityClass and default-deny policy are cluster-level: see `NamespaceTier`.
 */
export class CompactArchitecture extends Construct {
  /** The in-cluster tiers (absent when a managed service replaces one). */
  public readonly database?: Database | CloudNativePgDatabase;
  public readonly elasticsearch?: Elasticsearch;
  public readonly redis?: Redis;
  public readonly nuxeo: Nuxeo;
  public readonly loadBalancer: LoadBalancer;
  public readonly monitoring?: Monitoring;

  constructor(scope: Construct, id: string, props: CompactArchitectureProps) {
    super(scope, id);
    const context = props.context;
    const name = (tier: string) => (props.prefix ? `${props.prefix}-${tier}` : tier);

    const db = props.database;
    if (db && !isEndpoint<DatabaseEndpoint>(db) && db.provider === 'cloudnativepg') {
      this.database = new CloudNativePgDatabase(this, 'postgresql', { ...(db as Own<CloudNativePgDatabaseProps>), context, baseName: name(TIER_NAMES.database) });
    } else if (!isEndpoint<DatabaseEndpoint>(db)) {
      this.database = new Database(this, 'postgresql', { ...(db as Own<DatabaseProps> | undefined), context, baseName: name(TIER_NAMES.database) });
    }
    const es = props.elasticsearch;
    if (!isEndpoint<SearchEndpoint>(es)) this.elasticsearch = new Elasticsearch(this, 'elasticsearch', { ...es, context, baseName: name(TIER_NAMES.elasticsearch) });
    const redis = props.redis;
    if (!isEndpoint<CacheEndpoint>(redis)) this.redis = new Redis(this, 'redis', { ...redis, context, baseName: name(TIER_NAMES.redis), sidecarHost: Nuxeo.sidecarHost(name(TIER_NAMES.nuxeo)) });

    this.nuxeo = new Nuxeo(this, 'nuxeo', {
      ...props.nuxeo,
      context,
      baseName: name(TIER_NAMES.nuxeo),
      database: isEndpoint<DatabaseEndpoint>(db) ? db : this.database!.endpoint,
      search: isEndpoint<SearchEndpoint>(es) ? es : this.elasticsearch!.endpoint,
      cache: isEndpoint<CacheEndpoint>(redis) ? redis : this.redis!.endpoint,
      ...(this.redis?.sidecar ? { redisSidecar: this.redis.sidecar } : {}),
      publicUrl: props.nuxeo?.publicUrl ?? nuxeoPublicUrl(props.loadBalancer),
    });
    this.loadBalancer = new LoadBalancer(this, 'load-balancer', { ...props.loadBalancer, nuxeo: this.nuxeo });

    // The alerts and PodMonitors are written for the tiers under their default names.
    if (resolveContext(this, context).monitoring.enabled && !props.prefix) {
      this.monitoring = new Monitoring(this, 'monitoring', { context, nuxeo: this.nuxeo, redis: this.redis, elasticsearch: this.elasticsearch, database: this.database, loadBalancer: this.loadBalancer });
    }
    this.node.addValidation({ validate: () => duplicateObjects(Chart.of(this)) });
  }
}

/** Objects of a Chart with the same kind, namespace and name: the second would overwrite the first. */
export function duplicateObjects(chart: Chart): string[] {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const o of chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject)) {
    const key = `${o.kind} ${o.metadata.namespace ?? ''}/${o.name}`;
    const first = seen.get(key);
    if (first) problems.push(`${key} is emitted twice (${first} and ${o.node.path}): give the architectures a prefix or their own Chart and namespace`);
    else seen.set(key, o.node.path);
  }
  return problems;
}
