/**
 * The `elasticsearch` section of the environment file: the Elasticsearch tier's settings (its
 * snapshots included), their defaults and limits (`npm run schema` makes settings.generated.ts,
 * their documented interfaces).
 */
import { z } from 'zod';
import { dnsLabel, fitsLimit, image, managedCidrs, memory, nodeCount, podSettings, resources, rule, volume } from '../settings/fields';

/** The seed's minimum ("at least"). */
const MIN_ELASTICSEARCH_NODES = 3;
// Chosen against Nuxeo's LTS 2021 matrix and upstream support: README "Versions", app/versions.ts.
const DEFAULT_IMAGE = 'docker.elastic.co/elasticsearch/elasticsearch:7.17.29';
const URL_PATTERN = /^https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?\/?$/;

const elasticsearchSnapshots = z
  .strictObject({
    schedule: z
      .string()
      .regex(/^\S+( \S+){5,6}$/, { message: "must be an Elasticsearch cron expression, seconds first, e.g. '0 30 1 * * ?' (01:30 every day)" })
      .default('0 30 1 * * ?')
      .describe('snapshot lifecycle (SLM) schedule, Elasticsearch cron syntax with seconds first'),
    expireAfter: z.string().regex(/^[0-9]+[dh]$/, { message: "must be a duration in hours or days such as '30d'" }).default('30d').describe('SLM retention: snapshots older than this are deleted ...'),
    minCount: z.number().int().min(1).default(5).describe('... but at least this many are kept'),
    maxCount: z.number().int().min(1).default(50).describe('at most this many are kept'),
    storage: volume('50Gi').describe('the shared-filesystem snapshot repository: one ReadWriteMany volume mounted in every node at path.repo'),
  })
  .prefault({})
  .refine(...rule<{ minCount: number; maxCount: number }>(['minCount', 'maxCount'], ['minCount'], (s) => s.minCount <= s.maxCount, (s) => `${s.minCount} is above maxCount ${s.maxCount}`));

export const ELASTICSEARCH_SCHEMA = z
  .strictObject({
    image: image(DEFAULT_IMAGE),
    replicas: nodeCount(MIN_ELASTICSEARCH_NODES, "the seed's Elasticsearch cluster has three or more nodes", 3),
    resources: resources({ cpu: '1', memory: '4Gi', ephemeralStorage: '1Gi' }, { cpu: '2', memory: '4Gi', ephemeralStorage: '2Gi' }),
    heap: memory.optional().describe("JVM heap of each Elasticsearch node, in bytes ('2Gi'); at most 75% of the memory limit (the rest is off-heap and file cache); default half of the memory limit"),
    storage: volume('30Gi').describe('data volume of each Elasticsearch node (one PVC per pod)'),
    clusterName: dnsLabel('cluster name').default('nuxeo').describe('cluster.name, which Nuxeo checks (elasticsearch.clusterName) before indexing'),
    indexReplicas: z.number().int().min(0).default(1).describe('copies of each shard of the Nuxeo indexes besides the primary (elasticsearch.indexNumberOfReplicas)'),
    sysctlInitContainer: z.boolean().default(false).describe('opt-in privileged init container setting vm.max_map_count instead of node.store.allow_mmap=false'),
    managed: z
      .strictObject({
        urls: z.array(z.string().regex(URL_PATTERN, { message: 'must be a URL such as https://nuxeo.es.eu-west-1.aws.found.io:9243' })).min(1).describe("the service's endpoints, scheme://host[:port] (elasticsearch.addressList); Nuxeo's egress opens on their ports"),
        user: z.string().min(1).optional().describe('basic-auth user; its password is secrets.elasticsearchPassword'),
        cidrs: managedCidrs,
      })
      .optional()
      .describe('a managed Elasticsearch (Elastic Cloud, Amazon OpenSearch) instead of the in-cluster tier: nothing of this tier is generated'),
    snapshots: elasticsearchSnapshots.describe('snapshot lifecycle (SLM) policy and the shared repository the in-cluster Elasticsearch snapshots the Nuxeo indexes to'),
    ...podSettings(),
  })
  .prefault({})
  .refine(...fitsLimit('heap', 0.75, 'Elastic advises 50%, the rest is off-heap and file cache'));
