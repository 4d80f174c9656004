/** An Elasticsearch-compatible service outside the cluster in place of the tier: nothing is emitted for it. */
import type { SecretKeyRef } from '../k8s/containers';
import { egressTo, ManagedNetwork } from '../k8s/managed-network';
import type { ElasticsearchEndpoint } from './elasticsearch';

export interface ManagedElasticsearchProps extends ManagedNetwork {
  /** Client URLs, `https://host:port` (Elastic Cloud, Amazon OpenSearch). */
  readonly urls: string[];
  /** @default 'nuxeo' */
  readonly clusterName?: string;
  /** @default 1 */
  readonly indexReplicas?: number;
  /**
   * Basic-auth user and the Secret key of its password.
   * @default - no authentication
   */
  readonly credentials?: { readonly user: string; readonly password: SecretKeyRef };
}

/** An Elasticsearch-compatible service outside the cluster. */
export function managedElasticsearch(p: ManagedElasticsearchProps): ElasticsearchEndpoint {
  const ports = [...new Set(p.urls.map((u) => {
    const url = new URL(u);
    return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  }))];
  return {
    urls: p.urls,
    clusterName: p.clusterName ?? 'nuxeo',
    indexReplicas: p.indexReplicas ?? 1,
    ...(p.credentials ? { credentials: p.credentials } : {}),
    connection: egressTo(p, ports),
  };
}
