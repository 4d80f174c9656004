/**
 * Managed services in place of an in-cluster tier (Amazon RDS / Cloud SQL, Elastic Cloud /
 * OpenSearch, ElastiCache / Memorystore): endpoints Nuxeo connects to, and the egress its
 * NetworkPolicy opens to them. Nothing is emitted for them.
 */
import type { SecretKeyRef } from './k8s/containers';
import type { Connectable, Peer } from './k8s/network-policy';
import type { DatabaseEndpoint } from './database/database';
import type { SearchEndpoint } from './elasticsearch/elasticsearch';
import type { CacheEndpoint } from './redis/redis';

/** Every address, for a service reached by port only. */
const ANYWHERE = ['0.0.0.0/0', '::/0'];

/** Where a managed service is, for the NetworkPolicy egress of its clients. */
export interface ManagedNetwork {
  /**
   * Address blocks of the service (its subnet or VPC range).
   * @default - any address, on the service's port only
   */
  readonly cidrs?: string[];
}

function egressTo(network: ManagedNetwork, ports: number[]): Connectable {
  const peer: Peer = { cidrs: network.cidrs?.length ? network.cidrs : ANYWHERE };
  return { egress: [{ peers: [peer], ports }], allowFrom: () => undefined };
}

export interface ManagedDatabaseProps extends ManagedNetwork {
  readonly host: string;
  /** @default 5432 */
  readonly port?: number;
  /** @default 'nuxeo' */
  readonly database?: string;
  /** @default 'nuxeo' */
  readonly user?: string;
  /** Secret key holding the user's password. */
  readonly password: SecretKeyRef;
  /**
   * Connect with TLS (`sslmode=require`), as RDS and Cloud SQL allow.
   * @default true
   */
  readonly tls?: boolean;
}

/** A PostgreSQL service outside the cluster (Amazon RDS, Cloud SQL, Azure Database). */
export function managedDatabase(p: ManagedDatabaseProps): DatabaseEndpoint {
  const port = p.port ?? 5432;
  return { host: p.host, port, database: p.database ?? 'nuxeo', user: p.user ?? 'nuxeo', password: p.password, tls: p.tls ?? true, connection: egressTo(p, [port]) };
}

export interface ManagedSearchProps extends ManagedNetwork {
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
export function managedSearch(p: ManagedSearchProps): SearchEndpoint {
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

export interface ManagedRedisProps extends ManagedNetwork {
  /** The primary endpoint. */
  readonly host: string;
  /** @default 6379 */
  readonly port?: number;
  /** Secret key holding the AUTH password. */
  readonly password: SecretKeyRef;
  /**
   * In-transit encryption (ElastiCache, Memorystore).
   * @default true
   */
  readonly tls?: boolean;
}

/** A Redis service outside the cluster (ElastiCache, Memorystore, Azure Cache). */
export function managedRedis(p: ManagedRedisProps): CacheEndpoint {
  const port = p.port ?? 6379;
  return { redis: { kind: 'single', host: p.host, port, ssl: p.tls ?? true }, password: p.password, connection: egressTo(p, [port]) };
}
