/** A PostgreSQL service outside the cluster in place of the database tier: nothing is emitted for it. */
import type { SecretKeyRef } from '../k8s/containers';
import { egressTo, ManagedNetwork } from '../k8s/managed-network';
import { propsProblems, refuse } from '../settings/props';
import type { DatabaseEndpoint } from './database';
import { DATABASE_SCHEMA } from './settings';

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

/** Every problem of the options, as the file's `database` section (`managed`, `name`, `user`, `maxConnections`) gets them. @internal */
export function managedDatabaseProblems(p: ManagedDatabaseProps): string[] {
  const managed = { host: p.host, port: p.port, tls: p.tls, cidrs: p.cidrs };
  return propsProblems('database', DATABASE_SCHEMA, { managed, name: p.database, user: p.user, maxConnections: p.maxConnections });
}

/** A PostgreSQL service outside the cluster (Amazon RDS, Cloud SQL, Azure Database). */
export function managedDatabase(p: ManagedDatabaseProps): DatabaseEndpoint {
  refuse(managedDatabaseProblems(p));
  const port = p.port ?? 5432;
  return { host: p.host, port, database: p.database ?? 'nuxeo', user: p.user ?? 'nuxeo', password: p.password, tls: p.tls ?? true, maxConnections: p.maxConnections ?? 200, connection: egressTo(p, [port]) };
}
