/**
 * PostgreSQL pods as the kubelet runs them: the primary and a replica, from the synthesized
 * StatefulSets, replicate what Nuxeo's role writes through postgresql-rw, and a replica that was
 * away while the primary moved on rejoins through its replication slot. (Pods Ready and the
 * documented promotion run verbatim: the cluster suite, docs/cluster.md.)
 */
import { exampleEnvironment } from '../helpers';
import type { Cluster, Pod } from './kubelet';
import { minutes, newCluster, podFqdn, serviceHost } from './fixtures';

const env = exampleEnvironment('external-redis');
const spec = env.spec;
let cluster: Cluster;
let primary: Pod;
let replica: Pod;

/** psql as Nuxeo's role over TCP, from inside a pod, with the password from its Secret file. */
const asNuxeo = async (pod: Pod, host: string, sql: string) => {
  const r = await pod.exec('postgresql', ['sh', '-c', `PGPASSWORD="$(cat "$APP_AUTH_FILE")" psql -X -A -t -v ON_ERROR_STOP=1 -h ${host} -U ${spec.database.user} -d ${spec.database.name} -c "${sql}"`]);
  if (r.code !== 0) throw new Error(`psql on ${pod.name}: ${r.out}`);
  return r.out.trim();
};
/** psql as the superuser through the socket, as an operator's `kubectl exec` would (nss_wrapper from the start script's files). */
const asSuperuser = async (pod: Pod, sql: string) => {
  const r = await pod.exec('postgresql', ['sh', '-c', `export LD_PRELOAD=$(ls /usr/lib/*/libnss_wrapper.so) NSS_WRAPPER_PASSWD="$RUN_DIR/passwd" NSS_WRAPPER_GROUP="$RUN_DIR/group"; psql -X -A -t -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -U postgres -d postgres -c "${sql}"`]);
  if (r.code !== 0) throw new Error(`psql on ${pod.name}: ${r.out}`);
  return r.out.trim();
};

describe(`PostgreSQL pods (${env.name})`, () => {
  beforeAll(async () => {
    ({ cluster } = newCluster('pg', env));
    await cluster.create();
    primary = cluster.statefulPod('postgresql-primary', 0);
    replica = cluster.statefulPod('postgresql-replica', 0);
    cluster.plan(primary.name, podFqdn(spec, primary), serviceHost(spec, 'postgresql-rw'));
    cluster.plan(replica.name, podFqdn(spec, replica), serviceHost(spec, 'postgresql-ro'));
    // As a StatefulSet controller would: both at once, the replica waits for the primary itself.
    await Promise.all([primary.start(), replica.start()]);
    // Ready by their own probes: proven on the real kubelet by the cluster suite; here a precondition.
    await Promise.all([primary.waitReady(minutes(3)), replica.waitReady(minutes(3))]);
  }, minutes(8));
  afterAll(async () => cluster?.destroy(), minutes(2));

  test('a row written through postgresql-rw is read on the replica through postgresql-ro', async () => {
    await asNuxeo(replica, serviceHost(spec, 'postgresql-rw'), "create table pod_probe (id text); insert into pod_probe values ('doc-1')");
    for (let i = 0; i < 60 && (await asNuxeo(primary, serviceHost(spec, 'postgresql-ro'), 'select count(*) from pod_probe').catch(() => '')) !== '1'; i++) await new Promise((r) => setTimeout(r, 500));
    expect(await asNuxeo(primary, serviceHost(spec, 'postgresql-ro'), 'select id from pod_probe')).toBe('doc-1');
    expect(await asSuperuser(primary, "select application_name || ' ' || state from pg_stat_replication")).toBe('postgresql-replica-0 streaming');
  }, minutes(2));

  test('a replica away while the primary moves on rejoins through its slot', async () => {
    expect(await asSuperuser(primary, "select slot_name || ' ' || active from pg_replication_slots")).toBe('postgresql_replica_0 true');
    const { seconds } = await replica.delete();
    expect(seconds).toBeLessThan(30);
    await asNuxeo(primary, '127.0.0.1', 'create table behind (n int); insert into behind select generate_series(1, 100000)');
    for (let i = 0; i < 3; i++) await asSuperuser(primary, 'select pg_switch_wal(); checkpoint');
    expect(await asSuperuser(primary, "select wal_status from pg_replication_slots where slot_name = 'postgresql_replica_0'")).toMatch(/^(reserved|extended)$/);
    await replica.start();
    await replica.waitReady(minutes(2));
    for (let i = 0; i < 60 && (await asNuxeo(replica, '127.0.0.1', 'select count(*) from behind').catch(() => '')) !== '100000'; i++) await new Promise((r) => setTimeout(r, 500));
    expect(await asNuxeo(replica, '127.0.0.1', 'select count(*) from behind')).toBe('100000');
  }, minutes(4));
});
