/** An Elasticsearch-compatible service outside the cluster in place of the tier: nothing is emitted for it. */
import type { SecretKeyRef } from '../k8s/containers';
import { egressTo, ManagedNetwork } from '../k8s/managed-network';
import { propsProblems, refuse } from '../settings/props';
import type { ElasticsearchEndpoint } from './elasticsearch';
import { ELASTICSEARCH_SCHEMA } from './settings';

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

/** Every problem of the options, as the file's `elasticsearch` section (`managed`, `clusterName`, `indexReplicas`) gets them. @internal */
export function managedElasticsearchProblems(p: ManagedElasticsearchProps): string[] {
  const managed = { urls: p.urls, user: p.credentials?.user, cidrs: p.cidrs };
  return propsProblems('elasticsearch', ELASTICSEARCH_SCHEMA, { managed, clusterName: p.clusterName, indexReplicas: p.indexReplicas });
}

/** An Elasticsearch-compatible service outside the cluster. */
export function managedElasticsearch(p: ManagedElasticsearchProps): ElasticsearchEndpoint {
  refuse(managedElasticsearchProblems(p));
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
