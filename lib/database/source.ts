/**
 * Where an architecture's database comes from, chosen with a factory (AWS CDK's enum-like
 * classes): PostgreSQL StatefulSets, a CloudNativePG Cluster, or a managed service.
 */
import type { Construct } from 'constructs';
import type { ContextProps } from '../k8s/context';
import { CloudNativePgDatabase, CloudNativePgDatabaseOptions, cloudNativePgProblems } from './cloudnativepg';
import { Database, DatabaseEndpoint, DatabaseOptions, databaseProblems } from './database';
import { managedDatabase, ManagedDatabaseProps } from './managed';

/** What an architecture gives a tier it places: where it runs and its name. @internal */
export interface TierPlacement {
  readonly context?: ContextProps;
  readonly baseName: string;
}

/** A tier placed by a source (none for a managed service) and the endpoint Nuxeo connects to. @internal */
export interface BoundDatabase {
  readonly tier?: Database | CloudNativePgDatabase;
  readonly endpoint: DatabaseEndpoint;
}

export class DatabaseSource {
  /**
   * PostgreSQL StatefulSets: a primary and `replicas` streaming standbys, manual failover.
   * @param options the `database` settings and the Secrets; every field has the file's default
   */
  public static inCluster(options: DatabaseOptions = {}): DatabaseSource {
    return new DatabaseSource(() => databaseProblems(options), (scope, id, at) => {
      const tier = new Database(scope, id, { ...options, ...at });
      return { tier, endpoint: tier.endpoint };
    });
  }

  /**
   * A CloudNativePG Cluster (the operator must run in the cluster): automatic failover, backups
   * to an object store (`backup.objectStore` is required).
   */
  public static cloudNativePg(options: CloudNativePgDatabaseOptions = {}): DatabaseSource {
    return new DatabaseSource(() => cloudNativePgProblems(options), (scope, id, at) => {
      const tier = new CloudNativePgDatabase(scope, id, { ...options, ...at });
      return { tier, endpoint: tier.endpoint };
    });
  }

  /** A PostgreSQL service outside the cluster (Amazon RDS, Cloud SQL, Azure Database): nothing is emitted for it. */
  public static managed(options: ManagedDatabaseProps): DatabaseSource {
    return new DatabaseSource(() => [], () => ({ endpoint: managedDatabase(options) }));
  }

  private constructor(
    private readonly problems: () => string[],
    private readonly bind: (scope: Construct, id: string, at: TierPlacement) => BoundDatabase,
  ) {}

  /** Every problem of the options, without building anything. @internal */
  public _problems(): string[] {
    return this.problems();
  }

  /** Places the tier, if any, at `scope`. @internal */
  public _bind(scope: Construct, id: string, at: TierPlacement): BoundDatabase {
    return this.bind(scope, id, at);
  }
}
