/**
 * Where an architecture's database comes from, chosen with a factory (AWS CDK's enum-like
 * classes): PostgreSQL StatefulSets, a CloudNativePG Cluster, or a managed service.
 */
import { Bound, placed, TierSource } from '../k8s/tier-source';
import { CloudNativePgDatabase, CloudNativePgDatabaseOptions, cloudNativePgProblems } from './cloudnativepg';
import { Database, DatabaseEndpoint, DatabaseOptions, databaseProblems } from './database';
import { managedDatabase, managedDatabaseProblems, ManagedDatabaseProps } from './managed';

export class DatabaseSource extends TierSource<Bound<Database | CloudNativePgDatabase, DatabaseEndpoint>> {
  /**
   * PostgreSQL StatefulSets: a primary and `replicas` streaming standbys, manual failover.
   * @param options the `database` settings and the Secrets; every field has the file's default
   */
  public static inCluster(options: DatabaseOptions = {}): DatabaseSource {
    return new DatabaseSource(() => databaseProblems(options), (scope, id, at) => placed(new Database(scope, id, { ...options, ...at })));
  }

  /**
   * A CloudNativePG Cluster (the operator must run in the cluster): automatic failover, backups
   * to an object store (`backup.objectStore` is required).
   */
  public static cloudNativePg(options: CloudNativePgDatabaseOptions = {}): DatabaseSource {
    return new DatabaseSource(() => cloudNativePgProblems(options), (scope, id, at) => placed(new CloudNativePgDatabase(scope, id, { ...options, ...at })));
  }

  /** A PostgreSQL service outside the cluster (Amazon RDS, Cloud SQL, Azure Database): nothing is emitted for it. */
  public static managed(options: ManagedDatabaseProps): DatabaseSource {
    return new DatabaseSource(() => managedDatabaseProblems(options), () => ({ endpoint: managedDatabase(options) }));
  }
}
