/**
 * The provider-switch runbook's dump and restore (app/plan/provider-switch.ts) between two real
 * PostgreSQL servers, as between the old and the new provider's primaries: the target is an
 * empty database owned by the application role, as CloudNativePG's initdb bootstrap (or our
 * primary.sh) leaves it. And the plan's list of parameters that need a restart, checked against
 * the server's own pg_settings.
 */
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { dumpArgs, restoreArgs } from '../../app/plan/provider-switch';
import { RESTART_PARAMETERS } from '../../app/plan/cloudnativepg';
import { allManifests, exampleEnvironment } from '../helpers';
import { chownTo, freePort, postgresBinDir, run, Servers, waitFor } from './harness';

const servers = new Servers();
afterAll(() => servers.stopAll());
const USER = 'postgres';
const bin = postgresBinDir();

interface Instance { dir: string; port: number }

/** psql as the postgres account on the instance's socket. */
function psql(i: Instance, sql: string, db = 'postgres'): string {
  return run('runuser', ['-u', USER, '--', path.join(bin, 'psql'), '-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', i.dir, '-p', String(i.port), '-d', db, '-c', sql]).trim();
}

/** A runbook command (argv) run as the postgres account against an instance, stdin/stdout from/to files. */
function pg(i: Instance, argv: string[], io: { stdin?: string; stdout?: string }): void {
  const fdIn = io.stdin ? fs.openSync(io.stdin, 'r') : 'ignore';
  const fdOut = io.stdout ? fs.openSync(io.stdout, 'w') : 'pipe';
  const r = spawnSync('runuser', ['-u', USER, '--', path.join(bin, argv[0]), ...argv.slice(1), '-h', i.dir, '-p', String(i.port)], { stdio: [fdIn, fdOut, 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
}

async function instance(name: string): Promise<Instance> {
  const dir = servers.tmpdir(`pg-${name}`, USER);
  const port = await freePort();
  run('runuser', ['-u', USER, '--', path.join(bin, 'initdb'), '-D', path.join(dir, 'data'), '--auth-local=peer', '--encoding=UTF8', '--locale=C.UTF-8']);
  const proc = servers.start(path.join(bin, 'postgres'), ['-D', path.join(dir, 'data'), '-p', String(port), '-k', dir, '-c', "listen_addresses="], { user: USER });
  const i = { dir, port };
  await waitFor(() => `${name} ready\n${servers.log(proc)}`, () => { try { return psql(i, 'select 1') === '1'; } catch { return false; } }, 60000, 500);
  // What either provider's bootstrap leaves: the application role owning an empty database.
  psql(i, "create role nuxeo login password 'x'");
  psql(i, 'create database nuxeo owner nuxeo');
  return i;
}

describe('provider switch: dump the old primary, restore into the new one', () => {
  let source: Instance;
  let target: Instance;
  beforeAll(async () => {
    [source, target] = await Promise.all([instance('old'), instance('new')]);
    // Nuxeo-like content, owned by the application role: tables, a sequence, an index, a function.
    psql(source, `set role nuxeo;
      create table hierarchy (id varchar(36) primary key, parentid varchar(36), name varchar);
      create index hierarchy_parentid_idx on hierarchy (parentid);
      create sequence hierarchy_seq;
      create function nx_count() returns bigint language sql as 'select count(*) from hierarchy';
      insert into hierarchy select md5(g::text), null, 'doc ' || g from generate_series(1, 1000) g;
      select nextval('hierarchy_seq') from generate_series(1, 42);`, 'nuxeo');
  }, 120000);

  test('the restored database has the same rows, sequence and function, owned by the application role', () => {
    const dump = path.join(servers.tmpdir('dump', USER), 'nuxeo.dump');
    chownTo(path.dirname(dump), USER);
    pg(source, dumpArgs('nuxeo'), { stdout: dump });
    pg(target, restoreArgs('nuxeo', 'nuxeo'), { stdin: dump });
    expect(psql(target, 'select nx_count()', 'nuxeo')).toBe('1000');
    expect(psql(target, "select last_value from hierarchy_seq", 'nuxeo')).toBe('42');
    expect(psql(target, "select string_agg(tableowner, ',') from pg_tables where tablename = 'hierarchy'", 'nuxeo')).toBe('nuxeo');
    expect(psql(target, "select indexname from pg_indexes where tablename = 'hierarchy' order by 1", 'nuxeo').split('\n')).toEqual(['hierarchy_parentid_idx', 'hierarchy_pkey']);
    // The application role can write to what it owns, as Nuxeo will.
    expect(run('runuser', ['-u', USER, '--', path.join(bin, 'psql'), '-X', '-A', '-t', '-h', target.dir, '-p', String(target.port), '-d', 'nuxeo', '-c', "set role nuxeo; insert into hierarchy values ('x', null, 'new') returning name"]).trim()).toContain('new');
  });

  test('a restore into a database that is not empty fails as a whole (one transaction), leaving it as it was', () => {
    const dump = path.join(servers.tmpdir('dump2', USER), 'nuxeo.dump');
    pg(source, dumpArgs('nuxeo'), { stdout: dump });
    const before = psql(target, 'select count(*) from hierarchy', 'nuxeo');
    expect(() => pg(target, restoreArgs('nuxeo', 'nuxeo'), { stdin: dump })).toThrow(/already exists/);
    expect(psql(target, 'select count(*) from hierarchy', 'nuxeo')).toBe(before);
  });

  test('the plan\'s restart parameters are exactly the postmaster-context ones among those it lists and the Cluster sets', () => {
    const cluster = allManifests(exampleEnvironment('cloudnativepg')).find((m) => m.kind === 'Cluster')!;
    const names = [...new Set([...RESTART_PARAMETERS, ...Object.keys((cluster as any).spec.postgresql.parameters)])].sort();
    const context = new Map(psql(source, `select name, context from pg_settings where name in (${names.map((n) => `'${n}'`).join(',')})`).split('\n').map((l) => l.split('|') as [string, string]));
    const wrong = names.filter((n) => context.has(n) && (context.get(n) === 'postmaster') !== RESTART_PARAMETERS.has(n)).map((n) => `${n}: ${context.get(n)}`);
    expect(wrong).toEqual([]);
    // Every listed parameter exists on this server (a typo would never match a changed field).
    expect([...RESTART_PARAMETERS].filter((n) => !context.has(n))).toEqual([]);
  });
});
