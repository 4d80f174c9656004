import { ApiObject, Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { ContextProps, contextProblems, resolveContext } from './k8s/context';
import type { CloudNativePgDatabase } from './database/cloudnativepg';
import type { Database } from './database/database';
import { DatabaseSource } from './database/source';
import type { Elasticsearch } from './elasticsearch/elasticsearch';
import { ElasticsearchSource } from './elasticsearch/source';
import { LoadBalancer, loadBalancerProblems, LoadBalancerSettings, nuxeoPublicUrl } from './load-balancer/load-balancer';
import { Monitoring } from './monitoring/monitoring';
import { Nuxeo, NuxeoOptions, nuxeoProblems } from './nuxeo/nuxeo';
import type { Redis } from './redis/redis';
import { RedisSource } from './redis/source';
import { PropsError } from './settings/props-error';
import { Warnings } from './settings/warnings';

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
   * architectures can share a namespace. Monitoring (alerts, PodMonitors) is then left out, with a warning.
   * @default - none: nuxeo, redis, elasticsearch, postgresql
   */
  readonly prefix?: string;
  /**
   * The Nuxeo application cluster.
   * @default - the environment file's defaults
   */
  readonly nuxeo?: NuxeoOptions;
  /** The load balancer in front of it (`host` is required). */
  readonly loadBalancer: LoadBalancerSettings;
  /**
   * The database: `DatabaseSource.inCluster()`, `.cloudNativePg()` or `.managed()`.
   * @default - DatabaseSource.inCluster(): StatefulSets, the environment file's defaults
   */
  readonly database?: DatabaseSource;
  /**
   * Elasticsearch: `ElasticsearchSource.inCluster()` or `.managed()`.
   * @default - ElasticsearchSource.inCluster(): the environment file's defaults
   */
  readonly elasticsearch?: ElasticsearchSource;
  /**
   * Redis: `RedisSource.inCluster()` (in the Nuxeo pods, or `mode: 'external'`) or `.managed()`.
   * @default - RedisSource.inCluster(): sidecar Redis, the environment file's defaults
   */
  readonly redis?: RedisSource;
}

/**
 * Nuxeo's "Compact Architecture with Redis": every tier, wired through the endpoints each one
 * publishes, emitted into the Chart that contains it (whose namespace every host name uses).
 * The namespace, PriorityClass and default-deny policy are cluster-level: see `NamespaceTier`.
 * Every tier's Props problems are reported at once (one `PropsError`); cross-tier rules run at
 * synthesis with every construct's validation.
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
    const { context } = props;
    const sources = {
      database: props.database ?? DatabaseSource.inCluster(),
      elasticsearch: props.elasticsearch ?? ElasticsearchSource.inCluster(),
      redis: props.redis ?? RedisSource.inCluster(),
    };
    const problems = [
      ...contextProblems(context), ...sources.database._problems(), ...sources.elasticsearch._problems(), ...sources.redis._problems(),
      ...nuxeoProblems(props.nuxeo ?? {}), ...loadBalancerProblems(props.loadBalancer),
    ];
    if (problems.length) throw new PropsError(problems);
    const at = (tier: keyof typeof TIER_NAMES) => ({ context, baseName: props.prefix ? `${props.prefix}-${TIER_NAMES[tier]}` : TIER_NAMES[tier] });

    const db = sources.database._bind(this, 'postgresql', at('database'));
    const es = sources.elasticsearch._bind(this, 'elasticsearch', at('elasticsearch'));
    const redis = sources.redis._bind(this, 'redis', at('redis'), Nuxeo.sidecarHost(at('nuxeo').baseName));
    this.database = db.tier;
    this.elasticsearch = es.tier;
    this.redis = redis.tier;
    this.nuxeo = new Nuxeo(this, 'nuxeo', {
      ...props.nuxeo,
      ...at('nuxeo'),
      database: db.endpoint,
      elasticsearch: es.endpoint,
      redis: redis.endpoint,
      ...(this.redis?.sidecar ? { redisSidecar: this.redis.sidecar } : {}),
      publicUrl: props.nuxeo?.publicUrl ?? nuxeoPublicUrl(props.loadBalancer),
    });
    this.loadBalancer = new LoadBalancer(this, 'load-balancer', { ...props.loadBalancer, nuxeo: this.nuxeo });
    this.monitoring = this.addMonitoring(context, props.prefix);
    this.node.addValidation({ validate: () => (firstArchitectureOf(Chart.of(this)) === this ? duplicateObjects(Chart.of(this)) : []) });
  }

  /** The alerts and PodMonitors, written for the tiers under their default names: none with a prefix, said so. */
  private addMonitoring(context: ContextProps | undefined, prefix: string | undefined): Monitoring | undefined {
    if (!resolveContext(this, context).monitoring.enabled) return undefined;
    if (prefix) {
      Warnings.of(this).add(`${this.node.path}: monitoring is left out with prefix '${prefix}': the alerts and PodMonitors select the tiers ` +
        "by their default names. Add your own, or set context.monitoring.enabled: false (which also removes the exporters) to silence this.");
      return undefined;
    }
    return new Monitoring(this, 'monitoring', { context, nuxeo: this.nuxeo, redis: this.redis, elasticsearch: this.elasticsearch, database: this.database, loadBalancer: this.loadBalancer });
  }
}

/** The first architecture of a Chart, the one that reports its duplicates (once). */
function firstArchitectureOf(chart: Chart): IConstruct | undefined {
  return chart.node.findAll().find((c) => c instanceof CompactArchitecture);
}

/** The architecture (or else the construct) that emits an object, for the duplicates report. */
function ownerOf(o: ApiObject): string {
  let c: IConstruct | undefined = o;
  while (c && !(c instanceof CompactArchitecture)) c = c.node.scope;
  return (c ?? o).node.path;
}

/**
 * Objects of a Chart with the same kind, namespace and name (the second would overwrite the
 * first): one line per pair of owners, naming the first few objects and the count.
 */
export function duplicateObjects(chart: Chart): string[] {
  const seen = new Map<string, ApiObject>();
  const pairs = new Map<string, string[]>();
  for (const o of chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject)) {
    const key = `${o.kind} ${o.metadata.namespace ?? ''}/${o.name}`;
    const first = seen.get(key);
    if (!first) {
      seen.set(key, o);
      continue;
    }
    const pair = `${ownerOf(first)} and ${ownerOf(o)}`;
    pairs.set(pair, [...(pairs.get(pair) ?? []), key]);
  }
  return [...pairs].map(([pair, keys]) =>
    `${keys.length} objects are emitted twice, by ${pair} (${keys.slice(0, 3).join(', ')}${keys.length > 3 ? ' ...' : ''}): ` +
    'give the architectures a prefix or their own Chart and namespace');
}
