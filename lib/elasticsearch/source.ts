/** Where an architecture's Elasticsearch comes from: in the cluster, or a managed service. */
import { Bound, placed, TierSource } from '../k8s/tier-source';
import { Elasticsearch, ElasticsearchEndpoint, elasticsearchProblems, ElasticsearchSettings } from './elasticsearch';
import { managedElasticsearch, managedElasticsearchProblems, ManagedElasticsearchProps } from './managed';

export class ElasticsearchSource extends TierSource<Bound<Elasticsearch, ElasticsearchEndpoint>> {
  /** An Elasticsearch StatefulSet with its snapshot repository. */
  public static inCluster(options: ElasticsearchSettings = {}): ElasticsearchSource {
    return new ElasticsearchSource(() => elasticsearchProblems(options), (scope, id, at) => placed(new Elasticsearch(scope, id, { ...options, ...at })));
  }

  /** An Elasticsearch-compatible service outside the cluster (Elastic Cloud, OpenSearch): nothing is emitted for it. */
  public static managed(options: ManagedElasticsearchProps): ElasticsearchSource {
    return new ElasticsearchSource(() => managedElasticsearchProblems(options), () => ({ endpoint: managedElasticsearch(options) }));
  }
}
