/**
 * Secrets reach Nuxeo exactly: the generated start script (from the synthesized ConfigMap, run by
 * dash and by bash, as the image's entrypoint runs it) writes them into nuxeo.conf, and Nuxeo
 * 2021's own reading steps (test/servers/java/NuxeoConfRead.java, run by a real JVM:
 * java.util.Properties, the launcher's trim and ${env:} substitution, the template engine's
 * variable expansion and `$$` filter, an XML parser) give back the very same bytes.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseProperties } from '../../lib/nuxeo/nuxeo-conf';
import { SECRET_BLOCK_MARKER } from '../../lib/nuxeo/nuxeo-start';
import { NUXEO_CONF_FILE } from '../../lib/nuxeo/nuxeo';
import { allManifests, environment, find } from '../helpers';

const READER = path.join(__dirname, 'java', 'NuxeoConfRead.java');
const SHELLS = ['dash', 'bash'];
const KEYS = ['nuxeo.db.password', 'nuxeo.redis.password', 'nuxeo.jwt.secret', 'mail.transport.password'];

const manifests = allManifests(environment('secrets', { nuxeo: { secretProperties: { 'mail.transport.password': { name: 'smtp', key: 'password' } } } }));
const script = find(manifests, 'ConfigMap', 'nuxeo-start').data!['start-nuxeo.sh'];
const properties = find(manifests, 'ConfigMap', 'nuxeo-conf').data![NUXEO_CONF_FILE];
const container = find(manifests, 'StatefulSet', 'nuxeo').spec.template.spec.containers.find((c: any) => c.name === 'nuxeo');
/** The Secret-filled variable of each property, read from the pod's env and the script. */
const variableOf = Object.fromEntries([...script.matchAll(/^ {2}property (\S+) (\S+)( xml-escaped)?$/gm)].map((m) => [m[1], m[2]]));

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nuxeo-secrets-'));
  fs.writeFileSync(path.join(dir, 'start-nuxeo.sh'), script);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs the start script like the entrypoint does (`exec "$@"`), on a nuxeo.conf built from conf.d. */
function start(shell: string, secrets: Record<string, string>, conf = path.join(dir, `${shell}.conf`), fresh = true) {
  if (fresh) fs.writeFileSync(conf, `nuxeo.data.dir=/var/lib/nuxeo\n${properties}`);
  const home = path.join(dir, `${shell}-home`);
  fs.mkdirSync(home, { recursive: true });
  const env: Record<string, string> = { PATH: process.env.PATH!, NUXEO_CONF: conf, NUXEO_HOME: home };
  for (const [property, value] of Object.entries(secrets)) env[variableOf[property]] = value;
  const r = spawnSync(shell, [path.join(dir, 'start-nuxeo.sh'), 'sh', '-c', 'echo started'], { env, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, conf, home };
}

/** What Nuxeo 2021 makes of each key of a nuxeo.conf: stage -> value (or ERROR:...). */
function nuxeoReads(conf: string, env: Record<string, string> = {}): Record<string, Record<string, string>> {
  const r = spawnSync('java', [READER, conf, ...KEYS], { encoding: 'utf8', env: { PATH: process.env.PATH!, ...env } });
  expect(r.stderr).toBe('');
  const out: Record<string, Record<string, string>> = {};
  for (const line of r.stdout.trim().split('\n')) {
    const [key, stage, value] = line.split('\t');
    (out[key] ??= {})[stage] = value.startsWith('ERROR:') || value === 'NULL' ? value : Buffer.from(value, 'base64').toString('utf8');
  }
  return out;
}

// Every character the issue names, in each position that matters to a parser.
const PASSWORDS = {
  'nuxeo.db.password': 'p$a\\ss:w#o!r=d with spaces',
  'nuxeo.redis.password': '=#!:leading-separators\\',
  'nuxeo.jwt.secret': "\\u0041 $1 $ {x} 'single' é",
  'mail.transport.password': 'a\\\\b\\nc\\',
};

test('the pod runs the script that is tested here', () => {
  expect(container.args).toEqual(['sh', '/opt/nuxeo-compact-k8s/start-nuxeo.sh', 'bash', '/opt/nuxeo-compact-k8s/wait-redis.sh', 'nuxeoctl', 'console']);
  for (const key of KEYS) expect(container.env.find((e: any) => e.name === variableOf[key]).valueFrom.secretKeyRef).toBeDefined();
  expect(Object.keys(variableOf).sort()).toEqual([...KEYS].sort());
});

describe.each(SHELLS)('with %s', (shell) => {
  test('passwords with $ \\ : # ! = and inner spaces reach Nuxeo byte for byte, and nothing else changes', () => {
    const r = start(shell, PASSWORDS);
    expect(r.stderr).toBe('');
    expect([r.status, r.stdout]).toEqual([0, 'started\n']);
    const reads = nuxeoReads(r.conf);
    for (const key of KEYS) {
      const want = PASSWORDS[key as keyof typeof PASSWORDS];
      expect([key, reads[key]]).toEqual([key, { launcher: want, xmlattr: want, xmltext: want, rawtext: want }]);
    }
    // The generated properties are still there, unchanged.
    const text = fs.readFileSync(r.conf, 'utf8');
    expect(text.startsWith(`nuxeo.data.dir=/var/lib/nuxeo\n${properties}`)).toBe(true);
    expect(parseProperties(text).get('nuxeo.db.host')).toBe(parseProperties(properties).get('nuxeo.db.host'));
  });

  test('a restarted container replaces its block instead of adding a second one', () => {
    const first = start(shell, PASSWORDS);
    const again = start(shell, { ...PASSWORDS, 'nuxeo.db.password': 'rotated $ \\ !' }, first.conf, false);
    expect(again.status).toBe(0);
    const text = fs.readFileSync(again.conf, 'utf8');
    expect(text.split(SECRET_BLOCK_MARKER)).toHaveLength(2);
    expect(nuxeoReads(again.conf)['nuxeo.db.password'].launcher).toBe('rotated $ \\ !');
  });

  test('the DB and Redis passwords may hold " & < > \' (their templates escape XML), and reach Nuxeo byte for byte', () => {
    const xml = { ...PASSWORDS, 'nuxeo.db.password': 'a"b&c<d>e\'f', 'nuxeo.redis.password': '<&">\'' };
    const r = start(shell, xml);
    expect([r.status, r.stderr]).toEqual([0, '']);
    const reads = nuxeoReads(r.conf);
    // datasources-config.xml.nxftl writes the DB password into an attribute, redis-config.xml.nxftl the Redis one into text.
    expect(reads['nuxeo.db.password']).toMatchObject({ launcher: xml['nuxeo.db.password'], xmlattr: xml['nuxeo.db.password'] });
    expect(reads['nuxeo.redis.password']).toMatchObject({ launcher: xml['nuxeo.redis.password'], xmltext: xml['nuxeo.redis.password'] });
  });

  test.each(['nuxeo.jwt.secret', 'mail.transport.password'])('%s (no escaping template known) may not hold " & <', (key) => {
    for (const value of ['ab"cd', 'a&b', 'a<b']) {
      const r = start(shell, { ...PASSWORDS, [key]: value });
      expect([r.status, r.stdout]).toEqual([1, '']);
      expect(r.stderr).toBe(`nuxeo-compact-k8s: ${variableOf[key]} (for ${key}) contains a double quote, & or <, which Nuxeo 2021 writes unescaped into the XML of ${key}: change the secret\n`);
    }
  });

  test('Tomcat\'s access log file is a link to the console, in a folder Tomcat cannot rename it in', () => {
    for (const run of [1, 2]) {
      const r = start(shell, PASSWORDS);
      expect([run, r.status]).toEqual([run, 0]);
      const log = path.join(r.home, 'log');
      expect(fs.readlinkSync(path.join(log, 'access.log'))).toBe('/dev/stdout');
      expect(fs.statSync(log).mode & 0o222).toBe(0);
    }
  });

  // What Nuxeo 2021 itself cannot carry is refused at start, naming the variable, before Nuxeo runs.
  test.each([
    ['a double quote', 'ab"cd'],
    ['an ampersand', 'a&b'],
    ['a less-than sign', 'a<b'],
    ['${', 'a${nuxeo.db.user}b'],
    ['$$', 'a$$b'],
    ['a leading blank', ' ab'],
    ['a trailing blank', 'ab '],
    ['a newline', 'a\nb'],
    ['a tab', 'a\tb'],
    ['the encrypted-value form', '{$AES$abc}'],
    ['nothing', ''],
  ])('refuses a secret with %s', (_what, value) => {
    const r = start(shell, { ...PASSWORDS, 'mail.transport.password': value });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^nuxeo-compact-k8s: ${variableOf['mail.transport.password']} \\(for mail.transport.password\\) `));
    expect(fs.readFileSync(r.conf, 'utf8')).not.toContain(SECRET_BLOCK_MARKER);
  });
});

test('why those are refused: Nuxeo 2021 mangles them whatever the escaping', () => {
  const conf = path.join(dir, 'mangled.conf');
  const line = (key: string, value: string) => `${key}=${value.replace(/\\/g, '\\\\')}\n`;
  fs.writeFileSync(conf, line('nuxeo.db.password', 'ab"cd') + line('nuxeo.redis.password', 'a$$b') + line('nuxeo.jwt.secret', 'a<b') + line('mail.transport.password', ' ab '));
  const reads = nuxeoReads(conf);
  expect(reads['nuxeo.db.password'].xmlattr).toBe('ab"cd'); // escaped by the datasource template: fine
  expect(reads['nuxeo.redis.password'].xmltext).toBe('a$b'); // EscapeVariableFilter
  expect(reads['nuxeo.jwt.secret'].rawtext).toMatch(/^ERROR:/); // breaks jwt-config.xml, which does not escape
  fs.writeFileSync(conf, line('nuxeo.jwt.secret', 'a${nuxeo.db.password}b'));
  fs.appendFileSync(conf, line('nuxeo.db.password', 'ab"cd'));
  expect(nuxeoReads(conf)['nuxeo.jwt.secret'].rawtext).toBe('aab"cdb'); // expanded as a variable
  expect(reads['mail.transport.password'].launcher).toBe('ab'); // trimmed
});

test('the old way, ${env:VAR}, breaks on $ and \\ (ConfigurationLoader.replaceEnvironmentVariables)', () => {
  const conf = path.join(dir, 'env.conf');
  fs.writeFileSync(conf, 'nuxeo.db.password=${env:NUXEO_DB_PASSWORD}\nnuxeo.redis.password=${env:NUXEO_REDIS_PASSWORD}\n');
  const reads = nuxeoReads(conf, { NUXEO_DB_PASSWORD: 'a$b', NUXEO_REDIS_PASSWORD: 'a\\b' });
  expect(reads['nuxeo.db.password'].launcher).toMatch(/^ERROR:/);
  expect(reads['nuxeo.redis.password'].launcher).toBe('ab');
});
