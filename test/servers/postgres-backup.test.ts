/**
 * Backup and restore of the StatefulSet provider, with a real PostgreSQL: data written on a
 * primary bootstrapped by our primary.sh, the EXACT backup.sh of the `postgresql-backup`
 * ConfigMap run against it, then restore.sh of the same ConfigMap replaying the dump into a fresh
 * primary and over changed data, and the rows compared. Retention pruning is checked on the
 * backup volume's files.
 */
import * as fs from 'fs';
import * as path from 'path';
import { allManifests, exampleEnvironment, find } from '../helpers';
import { chownTo, freePort, postgresBinDir, run, Servers, waitFor, writeFiles } from './harness';

const env = exampleEnvironment('sidecar-redis');
const db = env.spec.database;
const servers = new Servers();
afterAll(() => servers.stopAll());

const USER = 'postgres';
const PASSWORDS = { superuser: 'super:secret\\1', app: "nuxeo's:pw\\x", replication: 'repl' };

describe(`PostgreSQL backup and restore (${env.name})`, () => {
  const bin = postgresBinDir();
  const PATH = `${bin}:${process.env.PATH}`;
  const manifests = allManifests(env);
  const scripts = find(manifests, 'ConfigMap', 'postgresql-backup').data!;
  let base: string;
  let backupDir: string;

  const asNuxeo = (port: number, sql: string) =>
    run(path.join(bin, 'psql'), ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(port), '-U', db.user, '-d', db.name, '-c', sql], { PGPASSWORD: PASSWORDS.app, PGCONNECT_TIMEOUT: '5' }).trim();

  /** A primary started by the shipped primary.sh, as in the pod. */
  async function startPrimary(name: string): Promise<number> {
    const port = await freePort();
    const dir = path.join(base, name);
    fs.mkdirSync(path.join(dir, 'run'), { recursive: true });
    chownTo(dir, USER);
    const proc = servers.start('sh', [path.join(base, 'config', 'primary.sh')], {
      user: USER,
      env: {
        PATH, PGDATA: path.join(dir, 'pgdata'), PGPORT: String(port), LISTEN_ADDRESSES: '127.0.0.1', PG_SOCKET_DIR: path.join(dir, 'run'),
        PG_CONFIG_DIR: path.join(base, 'config'), RUN_DIR: path.join(dir, 'run'),
        SUPERUSER_AUTH_FILE: path.join(base, 'secrets', 'superuser'), APP_AUTH_FILE: path.join(base, 'secrets', 'app'), REPLICATION_AUTH_FILE: path.join(base, 'secrets', 'replication'),
      },
    });
    await waitFor(() => `${name} ready\n${servers.log(proc)}`, () => asNuxeo(port, 'select 1') === '1', 60000, 500);
    return port;
  }

  /** Runs one of the ConfigMap's scripts with the environment the CronJob gives it. */
  const job = (script: 'backup.sh' | 'restore.sh', port: number, extra: Record<string, string> = {}) => {
    const runDir = fs.mkdtempSync(path.join(base, 'job-'));
    return run('sh', [path.join(base, 'jobs', script)], {
      PATH, PGHOST: '127.0.0.1', PGPORT: String(port), BACKUP_DIR: backupDir, RUN_DIR: runDir, APP_AUTH_FILE: path.join(base, 'secrets', 'app'), ...extra,
    });
  };
  const dumps = () => fs.readdirSync(backupDir).filter((f) => f.endsWith('.dump')).sort();
  const snapshot = (port: number) => asNuxeo(port, "select string_agg(id || '=' || md5(body) || '/' || length(body), ',' order by id) from hierarchy_probe") + ' next=' + asNuxeo(port, 'select last_value from probe_seq');

  let primaryPort: number;
  let before: string;

  beforeAll(async () => {
    base = servers.tmpdir('pgbackup');
    writeFiles(path.join(base, 'config'), find(manifests, 'ConfigMap', 'postgresql').data!);
    writeFiles(path.join(base, 'jobs'), scripts);
    writeFiles(path.join(base, 'secrets'), PASSWORDS, 0o600);
    backupDir = path.join(base, 'backup');
    fs.mkdirSync(backupDir);
    chownTo(base, USER);
    primaryPort = await startPrimary('primary');
    asNuxeo(primaryPort, [
      'create table hierarchy_probe (id text primary key, body bytea not null)',
      'create sequence probe_seq',
      "insert into hierarchy_probe select 'doc-' || i, convert_to(repeat(md5(i::text), 50 + i), 'UTF8') from generate_series(1, 500) i",
      "select setval('probe_seq', 4242)",
      'create index probe_body on hierarchy_probe (md5(body))',
    ].join('; '));
    before = snapshot(primaryPort);
  });

  test('the backup job writes one complete, readable dump named by database and UTC time', () => {
    const out = job('backup.sh', primaryPort);
    expect(out).toMatch(/backup written: .*\.dump \(\d+ bytes\)/);
    expect(dumps()).toEqual([expect.stringMatching(new RegExp(`^${db.name}-\\d{8}T\\d{6}Z\\.dump$`))]);
    expect(fs.readdirSync(backupDir).filter((f) => f.endsWith('.partial'))).toEqual([]);
    expect(run(path.join(bin, 'pg_restore'), ['--list', path.join(backupDir, dumps()[0])])).toContain('TABLE DATA public hierarchy_probe');
  });

  test('restore.sh replays the newest dump into a fresh server: same rows, same sequence', async () => {
    const fresh = await startPrimary('fresh');
    expect(job('restore.sh', fresh)).toContain('restore complete');
    expect(snapshot(fresh)).toBe(before);
    expect(asNuxeo(fresh, "select indexname from pg_indexes where tablename = 'hierarchy_probe' order by 1")).toBe('hierarchy_probe_pkey\nprobe_body');
  });

  test('restore over changed data brings back exactly the dumped state (objects created since are gone)', () => {
    asNuxeo(primaryPort, "delete from hierarchy_probe where id like 'doc-1%'; update hierarchy_probe set body = 'x' where id = 'doc-2'; create table created_later (a int); select setval('probe_seq', 9999)");
    expect(snapshot(primaryPort)).not.toBe(before);
    job('restore.sh', primaryPort, { RESTORE_FILE: dumps()[0] });
    expect(snapshot(primaryPort)).toBe(before);
    expect(asNuxeo(primaryPort, "select count(*) from pg_tables where tablename = 'created_later'")).toBe('0');
  });

  test('a dump that fails halfway through replay changes nothing: the transaction rolls back', () => {
    // A superuser's dump whose second statement the Nuxeo role may not run (an untrusted extension).
    const su = (database: string, sql: string) =>
      run('runuser', ['-u', USER, '--', path.join(bin, 'psql'), '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', path.join(base, 'primary', 'run'), '-p', String(primaryPort), '-d', database, '-c', sql]);
    su('postgres', 'create database other');
    su('other', 'create table aaa_first (a int); create extension pg_stat_statements');
    const dump = path.join(base, 'other.dump');
    run('runuser', ['-u', USER, '--', path.join(bin, 'pg_dump'), '-h', path.join(base, 'primary', 'run'), '-p', String(primaryPort), '-d', 'other', '-Fc', '-f', dump]);
    const state = snapshot(primaryPort);
    expect(() => job('restore.sh', primaryPort, { RESTORE_FILE: dump })).toThrow(/permission denied to create extension/);
    expect(snapshot(primaryPort)).toBe(state);
    expect(asNuxeo(primaryPort, "select count(*) from pg_tables where tablename = 'aaa_first'")).toBe('0');
  });

  test('a truncated dump is refused before anything is touched', () => {
    const broken = path.join(backupDir, `${db.name}-20000101T000000Z.dump.broken`);
    fs.writeFileSync(broken, fs.readFileSync(path.join(backupDir, dumps()[0])).subarray(0, 3000));
    asNuxeo(primaryPort, "insert into hierarchy_probe values ('doc-new', 'y')");
    const state = snapshot(primaryPort);
    expect(() => job('restore.sh', primaryPort, { RESTORE_FILE: broken })).toThrow();
    expect(snapshot(primaryPort)).toBe(state);
    fs.rmSync(broken);
  });

  test('retention: dumps older than retentionDays go after a successful backup; recent ones and the new one stay', () => {
    const days = db.backup.retentionDays;
    const old = `${db.name}-20200101T000000Z.dump`;
    const recent = `${db.name}-20200102T000000Z.dump`;
    const staleLeftover = `${db.name}-20200103T000000Z.dump.partial`;
    const foreign = 'keep-me.txt';
    for (const f of [old, recent, staleLeftover, foreign]) fs.writeFileSync(path.join(backupDir, f), 'x');
    const ago = (d: number) => new Date(Date.now() - d * 86400_000);
    fs.utimesSync(path.join(backupDir, old), ago(days + 1), ago(days + 1));
    fs.utimesSync(path.join(backupDir, recent), ago(days - 1), ago(days - 1));
    fs.utimesSync(path.join(backupDir, staleLeftover), ago(2), ago(2));
    fs.utimesSync(path.join(backupDir, foreign), ago(days * 10), ago(days * 10));
    const previous = dumps().filter((f) => f !== old && f !== recent);

    const out = job('backup.sh', primaryPort);
    expect(out).toContain(old);
    const left = fs.readdirSync(backupDir).sort();
    expect(left).not.toContain(old);
    expect(left).not.toContain(staleLeftover);
    expect(left).toEqual(expect.arrayContaining([recent, foreign, ...previous]));
    expect(dumps().length).toBe(previous.length + 2);
  });

  test('a failing backup (database unreachable) leaves no partial file and prunes nothing', async () => {
    const old = `${db.name}-20190101T000000Z.dump`;
    fs.writeFileSync(path.join(backupDir, old), 'x');
    const ago = new Date(Date.now() - (db.backup.retentionDays + 5) * 86400_000);
    fs.utimesSync(path.join(backupDir, old), ago, ago);
    const closedPort = await freePort();
    expect(() => job('backup.sh', closedPort)).toThrow(/pg_dump/);
    expect(fs.readdirSync(backupDir)).toContain(old);
    expect(fs.readdirSync(backupDir).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });
});
