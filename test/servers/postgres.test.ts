/**
 * The PostgreSQL cluster bootstrap we synthesize, run by a real PostgreSQL: primary.sh initializes
 * and configures the primary, replica.sh clones it with pg_basebackup and follows it. Scripts,
 * postgresql.conf and pg_hba.conf are the ConfigMap's text; only paths, ports and hosts differ.
 * PostgreSQL refuses to run as root, so the servers run as the package's `postgres` account.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ChildProcess } from 'child_process';
import { promotedSelector, promotionSteps, READ_WRITE_SERVICE } from '../../app/postgres-promotion';
import { PGDATA } from '../../lib/database/database';
import { allManifests, find, exampleEnvironment, Manifest, matches } from '../helpers';
import { chownTo, freePort, postgresBinDir, run, Servers, waitFor, writeFiles } from './harness';
import { alertMetrics, exporterContainer, exposedNames, get, processEnv } from './metrics';

const env = exampleEnvironment('sidecar-redis');
const db = env.spec.database;
const servers = new Servers();
afterAll(() => servers.stopAll());

const USER = 'postgres';
const PASSWORDS = { superuser: 'super:secret\\1', app: "nuxeo's pw", replication: 'repl:pw\\x' };

describe(`PostgreSQL primary and streaming replica (${env.name})`, () => {
  const bin = postgresBinDir();
  const PATH = `${bin}:${process.env.PATH}`;
  let primaryPort: number;
  let replicaPort: number;
  let base: string;
  let primary: ChildProcess;
  let manifests: ReturnType<typeof allManifests>;
  let replicaEnv: Record<string, string>;
  let replica: ReturnType<Servers['start']>;

  /** psql over TCP as the Nuxeo role, with its password. */
  const asNuxeo = (port: number, sql: string, password = PASSWORDS.app) =>
    run(path.join(bin, 'psql'), ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(port), '-U', db.user, '-d', db.name, '-c', sql], { PGPASSWORD: password, PGCONNECT_TIMEOUT: '5' }).trim();
  /** psql as the local superuser through the Unix socket (peer authentication). */
  const asSuperuser = (instance: string, port: number, sql: string) =>
    run('runuser', ['-u', USER, '--', path.join(bin, 'psql'), '-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', path.join(base, instance, 'run'), '-p', String(port), '-d', 'postgres', '-c', sql]).trim();

  function instanceEnv(instance: string, port: number): Record<string, string> {
    const dir = path.join(base, instance);
    fs.mkdirSync(path.join(dir, 'run'), { recursive: true });
    return {
      PATH,
      PGDATA: path.join(dir, 'pgdata'),
      PGPORT: String(port),
      LISTEN_ADDRESSES: '127.0.0.1',
      PG_SOCKET_DIR: path.join(dir, 'run'),
      PG_CONFIG_DIR: path.join(base, 'config'),
      RUN_DIR: path.join(dir, 'run'),
      SUPERUSER_AUTH_FILE: path.join(base, 'secrets', 'superuser'),
      APP_AUTH_FILE: path.join(base, 'secrets', 'app'),
      REPLICATION_AUTH_FILE: path.join(base, 'secrets', 'replication'),
    };
  }

  beforeAll(async () => {
    manifests = allManifests(env);
    const files = find(manifests, 'ConfigMap', 'postgresql').data!;
    base = servers.tmpdir('postgres');
    writeFiles(path.join(base, 'config'), files);
    writeFiles(path.join(base, 'secrets'), PASSWORDS, 0o600);
    primaryPort = await freePort();
    replicaPort = await freePort();
    const primaryEnv = instanceEnv('primary', primaryPort);
    replicaEnv = {
      ...instanceEnv('replica', replicaPort),
      PRIMARY_HOST: '127.0.0.1',
      PRIMARY_PORT: String(primaryPort),
      POD_NAME: 'postgresql-replica-0',
    };
    chownTo(base, USER);

    primary = servers.start('sh', [path.join(base, 'config', 'primary.sh')], { env: primaryEnv, user: USER });
    // The replica starts at once: its script must wait for the primary by itself.
    replica = servers.start('sh', [path.join(base, 'config', 'replica.sh')], { env: replicaEnv, user: USER });
    await waitFor(() => `primary ready\n${servers.log(primary)}`, () => asNuxeo(primaryPort, 'select 1') === '1', 60000, 500);
    await waitFor(() => `replica ready\n${servers.log(replica)}`, () => asNuxeo(replicaPort, 'select 1') === '1', 60000, 500);
  });

  test('the replica streams from the primary under its pod name', async () => {
    await waitFor('streaming', () => asSuperuser('primary', primaryPort, "select application_name || ' ' || state from pg_stat_replication") === 'postgresql-replica-0 streaming');
    expect(asSuperuser('replica', replicaPort, 'select pg_is_in_recovery()')).toBe('t');
    expect(asSuperuser('primary', primaryPort, 'select pg_is_in_recovery()')).toBe('f');
  });

  test('a row written on the primary appears on the replica', async () => {
    asNuxeo(primaryPort, "create table hierarchy_probe (id text primary key); insert into hierarchy_probe values ('doc-1')");
    await waitFor('row replicated', () => asNuxeo(replicaPort, 'select id from hierarchy_probe') === 'doc-1');
  });

  test('the replica is read-only', () => {
    expect(() => asNuxeo(replicaPort, "insert into hierarchy_probe values ('doc-2')")).toThrow(/read-only transaction/);
  });

  test('the Nuxeo role and database exist, owned by that role, in UTF8', () => {
    expect(asSuperuser('primary', primaryPort, `select pg_get_userbyid(datdba) || ' ' || pg_encoding_to_char(encoding) from pg_database where datname = '${db.name}'`)).toBe(`${db.user} UTF8`);
    expect(asSuperuser('primary', primaryPort, `select rolsuper::text || ' ' || rolcanlogin::text from pg_roles where rolname = '${db.user}'`)).toBe('false true');
    expect(asSuperuser('primary', primaryPort, "select rolreplication::text from pg_roles where rolname = 'replicator'")).toBe('true');
  });

  test('only the listed roles get in over the network, each with its password', () => {
    expect(() => asNuxeo(primaryPort, 'select 1', 'wrong')).toThrow(/password authentication failed/);
    expect(() => run(path.join(bin, 'psql'), ['-X', '-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-d', 'postgres', '-c', 'select 1'], { PGPASSWORD: PASSWORDS.superuser }))
      .toThrow(/no pg_hba.conf entry|rejects connection/);
  });

  test('the exporter of the manifests reads both instances over the socket, exposing every pg_* metric the alerts read', async () => {
    const c = exporterContainer(env, 'postgres-exporter');
    const exposed = new Set<string>();
    for (const [instance, port] of [['primary', primaryPort], ['replica', replicaPort]] as const) {
      const listen = await freePort();
      // Only the socket folder and port differ from the pod: same role, same peer authentication.
      const penv = processEnv(c, {}, (name, value) => (name === 'DATA_SOURCE_NAME' ? value.replace('host=/var/run/postgresql port=5432', `host=${path.join(base, instance, 'run')} port=${port}`) : value));
      expect(penv.DATA_SOURCE_NAME).toContain(`port=${port}`);
      const args = c.args.map((a: string) => a.replace(/^--web\.listen-address=.*/, `--web.listen-address=127.0.0.1:${listen}`));
      expect(args).not.toEqual(c.args);
      const proc = servers.start('prometheus-postgres-exporter', args, { env: penv, user: USER });
      const text = await waitFor(() => `postgres-exporter for the ${instance}: ${servers.log(proc)}`, () => get(listen, '/metrics').then((r) => /^pg_up 1$/m.test(r.body) && r.body));
      // Debian's 0.11 adds a `server` label; the rules aggregate it away (by namespace, pod).
      expect(text).toMatch(new RegExp(`^pg_settings_max_connections(\\{[^}]*\\})? ${db.maxConnections}$`, 'm'));
      if (instance === 'primary') expect(text).toMatch(/^pg_stat_replication_pg_wal_lsn_diff\{[^}]*application_name="postgresql-replica-0"/m);
      for (const n of exposedNames(text)) exposed.add(n);
      // Its session would hold up the servers' smart shutdown in the tests that stop them.
      await servers.stop(proc);
    }
    const wanted = alertMetrics(env, 'pg_');
    expect(wanted.length).toBeGreaterThanOrEqual(4);
    expect(wanted.filter((n) => !exposed.has(n))).toEqual([]);
  });

  test('settings sized from the environment are in force', () => {
    expect(asSuperuser('primary', primaryPort, 'show max_connections')).toBe(String(db.maxConnections));
    expect(asSuperuser('primary', primaryPort, 'show wal_level')).toBe('replica');
    expect(asSuperuser('primary', primaryPort, 'show password_encryption')).toBe('scram-sha-256');
  });

  test('the probes answer under a UID with no passwd entry and only the container\'s environment, as exec probes run', () => {
    for (const name of ['postgresql-primary', 'postgresql-replica']) {
      const c = find(manifests, 'StatefulSet', name).spec.template.spec.containers[0];
      for (const probe of [c.startupProbe, c.readinessProbe]) {
        const port = name === 'postgresql-primary' ? primaryPort : replicaPort;
        const script = probe.exec.command[2].replace('-p 5432', `-p ${port}`);
        // 54321 has no passwd entry here, as the pod's UID has none in the image.
        expect(() => run('getent', ['passwd', '54321'])).toThrow();
        expect(() => run('setpriv', ['--reuid=54321', '--regid=54321', '--clear-groups', '--', 'sh', '-c', script], { PATH })).not.toThrow();
      }
    }
  });

  test('the settings initdb chose are in force although its postgresql.conf is not read', () => {
    expect(asSuperuser('primary', primaryPort, 'show default_text_search_config')).toBe('pg_catalog.english');
    expect(asSuperuser('primary', primaryPort, 'show timezone')).toBe('UTC');
    expect(asSuperuser('primary', primaryPort, 'show lc_messages')).toBe('C.UTF-8');
    expect(asSuperuser('replica', replicaPort, 'show default_text_search_config')).toBe('pg_catalog.english');
  });

  test('the replica streams through its own slot, and rejoins through it after falling behind', async () => {
    await waitFor('slot in use', () => asSuperuser('primary', primaryPort, "select slot_type || ' ' || active from pg_replication_slots where slot_name = 'postgresql_replica_0'") === 'physical true');
    await servers.stop(replica);
    asNuxeo(primaryPort, "create table behind (n int); insert into behind select generate_series(1, 50000)");
    // WAL the replica has not received: segments switched and a checkpoint that would recycle
    // them, were it not for the slot.
    for (let i = 0; i < 3; i++) asSuperuser('primary', primaryPort, 'select pg_switch_wal(); checkpoint');
    expect(asSuperuser('primary', primaryPort, "select wal_status from pg_replication_slots where slot_name = 'postgresql_replica_0'")).toMatch(/^(reserved|extended)$/);
    replica = servers.start('sh', [path.join(base, 'config', 'replica.sh')], { env: replicaEnv, user: USER });
    await waitFor(() => `replica caught up\n${servers.log(replica)}`, () => asNuxeo(replicaPort, 'select count(*) from behind') === '50000', 60000, 500);
    await waitFor('streaming again', () => asSuperuser('primary', primaryPort, "select active from pg_replication_slots where slot_name = 'postgresql_replica_0'") === 't');
  });

  // Last: it ends the primary. The steps are the ones synth, SUMMARY.md and the README give.
  test('the promotion procedure: the promoted replica takes writes, and postgresql-rw then selects exactly that pod', async () => {
    const [, promote, patch] = promotionSteps(env.spec.namespace);
    await servers.stop(primary); // step 1: the old primary is down (scaled to 0)
    // Step 2, the generated command as run in the pod, with the local data directory.
    const command = promote.split(' -- ')[1].split(' ');
    expect(command.slice(-2)).toEqual(['-D', PGDATA]);
    run('runuser', ['-u', USER, '--', path.join(bin, command[0]), ...command.slice(1, -1), path.join(base, 'replica', 'pgdata')], { PATH });
    expect(asSuperuser('replica', replicaPort, 'select pg_is_in_recovery()')).toBe('f');
    asNuxeo(replicaPort, "insert into hierarchy_probe values ('doc-after-promotion')");
    expect(asNuxeo(replicaPort, 'select count(*) from hierarchy_probe')).toBe('2');

    // Step 3, the generated JSON patch applied to the generated Service: it must select the promoted pod only.
    const svc: Manifest = JSON.parse(JSON.stringify(find(manifests, 'Service', READ_WRITE_SERVICE)));
    for (const op of JSON.parse(/ -p '(.*)'$/.exec(patch)![1])) {
      expect([op.op, op.path]).toEqual(['replace', '/spec/selector']);
      svc.spec.selector = op.value;
    }
    expect(svc.spec.selector).toEqual(promotedSelector());
    // Pod labels as the StatefulSet controller sets them: the template's, plus the pod name.
    const pod = (sts: string, ordinal: number) => ({ ...find(manifests, 'StatefulSet', sts).spec.template.metadata.labels, 'statefulset.kubernetes.io/pod-name': `${sts}-${ordinal}` });
    expect(matches(svc.spec.selector, pod('postgresql-replica', 0))).toBe(true);
    expect(matches(svc.spec.selector, pod('postgresql-replica', 1))).toBe(false);
    expect(matches(svc.spec.selector, pod('postgresql-primary', 0))).toBe(false);
    expect(matches(find(manifests, 'Service', READ_WRITE_SERVICE).spec.selector, pod('postgresql-primary', 0))).toBe(true);
  });
});
