/** A PostgreSQL service outside the cluster in place of the database tier: nothing is emitted for it. */
import type { SecretKeyRef } from '../k8s/containers';
import { egressTo, ManagedNetwork } from '../k8s/managed-network';
import type { DatabaseEndpoint } from './database';

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
  /**
   * The service's `max_connections` (count): the Nuxeo nodes' pools together, plus 10 reserved,
   * must fit, or synthesis is refused, as the environment file's `database.maxConnections` is.
   * @default 200
   */
  readonly maxConnections?: number;
}

/** A PostgreSQL service outside the cluster (Amazon RDS, Cloud SQL, Azure Database). */
export function managedDatabase(p: ManagedDatabaseProps): DatabaseEndpoint {
  const port = p.port ?? 5432;
  return { host: p.host, port, database: p.database ?? 'nuxeo', user: p.user ?? 'nuxeo', password: p.password, tls: p.tls ?? true, maxConnections: p.maxConnections ?? 200, connection: egressTo(p, [port]) };
}
