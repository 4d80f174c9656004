/** Where an architecture's Elasticsearch comes from: in the cluster, or a managed service. */
import type { Construct } from 'constructs';
import type { TierPlacement } from '../database/source';
import { Elasticsearch, ElasticsearchEndpoint, elasticsearchProblems, ElasticsearchSettings } from './elasticsearch';
import { managedElasticsearch, ManagedElasticsearchProps } from './managed';

/** The tier placed, if any, and the endpoint Nuxeo connects to. @internal */
export interface BoundElasticsearch {
  readonly tier?: Elasticsearch;
  readonly endpoint: ElasticsearchEndpoint;
}

export class ElasticsearchSource {
  /** An Elasticsearch StatefulSet with its snapshot repository. */
  public static inCluster(options: ElasticsearchSettings = {}): ElasticsearchSource {
    return new ElasticsearchSource(() => elasticsearchProblems(options), (scope, id, at) => {
      const tier = new Elasticsearch(scope, id, { ...options, ...at });
      return { tier, endpoint: tier.endpoint };
    });
  }

  /** An Elasticsearch-compatible service outside the cluster (Elastic Cloud, OpenSearch): nothing is emitted for it. */
  public static managed(options: ManagedElasticsearchProps): ElasticsearchSource {
    return new ElasticsearchSource(() => [], () => ({ endpoint: managedElasticsearch(options) }));
  }

  private constructor(
    private readonly problems: () => string[],
    private readonly bind: (scope: Construct, id: string, at: TierPlacement) => BoundElasticsearch,
  ) {}

  /** @internal */
  public _problems(): string[] {
    return this.problems();
  }

  /** @internal */
  public _bind(scope: Construct, id: string, at: TierPlacement): BoundElasticsearch {
    return this.bind(scope, id, at);
  }
}
