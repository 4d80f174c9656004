/**
 * Tomcat's own files, run for real: Tomcat 9 (Debian's libtomcat9-java; Nuxeo 2021 ships 9.0.84)
 * with the AccessLogValve of Nuxeo 2021's server.xml.nxftl (test/servers/java/AccessLogRun.java),
 * rotating every second instead of every day, and JULI configured as nuxeoctl configures it
 * (bin/nuxeoctl line 182: ClassLoaderLogManager, conf/logging.properties) with the handlers of
 * Nuxeo's templates/common-base/conf/logging.properties (LOGGING below). Both write into
 * ${catalina.base}/log, NUXEO_HOME/log, an emptyDir in the pod. Left alone, files pile up there;
 * started through the synthesized start script, as the pod starts Nuxeo, access lines and
 * Tomcat's messages go to the console and no file is left in the folder. Run as a non-root user,
 * as the pod runs (a read-only folder does not stop root).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { allManifests, exampleEnvironment, find } from '../helpers';
import { chownTo, Servers } from './harness';

const RUNNER = path.join(__dirname, 'java', 'AccessLogRun.java');
/**
 * The handlers of Nuxeo 2021's templates/common-base/conf/logging.properties (nuxeo/nuxeo branch
 * 2021; lines 16, 18, 25-27, 29-31, 41-42 and 51-52), the two used by Tomcat itself.
 */
const LOGGING = `handlers = 1catalina.org.apache.juli.AsyncFileHandler, 2localhost.org.apache.juli.AsyncFileHandler, java.util.logging.ConsoleHandler
.handlers = 1catalina.org.apache.juli.AsyncFileHandler, java.util.logging.ConsoleHandler
1catalina.org.apache.juli.AsyncFileHandler.level = FINE
1catalina.org.apache.juli.AsyncFileHandler.directory = \${catalina.base}/log
1catalina.org.apache.juli.AsyncFileHandler.prefix = catalina.
2localhost.org.apache.juli.AsyncFileHandler.level = FINE
2localhost.org.apache.juli.AsyncFileHandler.directory = \${catalina.base}/log
2localhost.org.apache.juli.AsyncFileHandler.prefix = localhost.
java.util.logging.ConsoleHandler.level = INFO
java.util.logging.ConsoleHandler.formatter = org.apache.juli.OneLineFormatter
org.apache.catalina.core.ContainerBase.[Tomcat].[localhost].level = INFO
org.apache.catalina.core.ContainerBase.[Tomcat].[localhost].handlers = 2localhost.org.apache.juli.AsyncFileHandler
`;
const JARS = ['catalina', 'coyote', 'util', 'util-scan', 'api', 'juli', 'jni', 'servlet-api', 'jaspic-api', 'annotations-api'].map((j) => `/usr/share/java/tomcat9-${j}.jar`);
const USER = 'postgres';
const REQUESTS = 4;
const servers = new Servers();
afterAll(() => servers.stopAll());

const script = find(allManifests(exampleEnvironment('sidecar-redis')), 'ConfigMap', 'nuxeo-start').data!['start-nuxeo.sh'];

/** Runs `command` as the pod's user would, output in files; returns stdout, stderr and the log folder's entries. */
function run(command: string[], useStartScript: boolean) {
  const dir = servers.tmpdir('tomcat-access-log');
  const home = path.join(dir, 'home');
  fs.mkdirSync(home);
  fs.writeFileSync(path.join(dir, 'nuxeo.conf'), 'nuxeo.data.dir=/var/lib/nuxeo\n');
  fs.writeFileSync(path.join(dir, 'start-nuxeo.sh'), script);
  fs.writeFileSync(path.join(dir, 'logging.properties'), LOGGING);
  chownTo(dir, USER);
  const env: Record<string, string> = { PATH: process.env.PATH!, NUXEO_HOME: home, NUXEO_CONF: path.join(dir, 'nuxeo.conf') };
  for (const m of script.matchAll(/^ {2}property \S+ (\S+)/gm)) env[m[1]] = 'a-secret';
  const jul = [`-Djava.util.logging.config.file=${path.join(dir, 'logging.properties')}`, '-Djava.util.logging.manager=org.apache.juli.ClassLoaderLogManager', `-Dcatalina.base=${home}`];
  const argv = [...(useStartScript ? ['sh', path.join(dir, 'start-nuxeo.sh')] : []), command[0], ...jul, ...command.slice(1), home, '.yyyy-MM-dd.HH-mm-ss', String(REQUESTS), '700'];
  const [cmd, args] = process.getuid?.() === 0 ? ['runuser', ['-u', USER, '--', 'env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv]] : [argv[0], argv.slice(1)];
  // The output files belong to the user, as a container's stdout does to its process (Tomcat
  // reopens /dev/stdout, which checks the file's permissions).
  const out = fs.openSync(path.join(dir, 'stdout'), 'w');
  const err = fs.openSync(path.join(dir, 'stderr'), 'w');
  chownTo(dir, USER);
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', out, err], timeout: 120000 });
  fs.closeSync(out);
  fs.closeSync(err);
  const log = path.join(home, 'log');
  return {
    status: r.status,
    stdout: fs.readFileSync(path.join(dir, 'stdout'), 'utf8'),
    stderr: fs.readFileSync(path.join(dir, 'stderr'), 'utf8'),
    entries: fs.readdirSync(log).map((f) => ({ name: f, link: fs.lstatSync(path.join(log, f)).isSymbolicLink(), size: fs.lstatSync(path.join(log, f)).size })),
    log,
  };
}

const java = ['java', '-cp', JARS.join(':'), RUNNER];

test('left alone, Nuxeo 2021\'s access log valve and Tomcat\'s JULI handlers write and rotate files in NUXEO_HOME/log', () => {
  const r = run(java, false);
  expect(r.status).toBe(0);
  expect(r.stdout).not.toContain('/probe-');
  const files = r.entries.filter((e) => !e.link).map((e) => e.name);
  expect(files).toContain('access.log');
  expect(files.filter((f) => /^access\.log\.\d{4}-/.test(f)).length).toBeGreaterThanOrEqual(1);
  expect(files.filter((f) => /^catalina\.\d{4}-\d\d-\d\d\.log$/.test(f))).toHaveLength(1);
}, 150000);

test('started through the start script, access lines and Tomcat\'s messages go to the console, and no file is written', () => {
  const r = run(java, true);
  expect([r.status, r.stderr.includes('Exception in thread')]).toEqual([0, false]);
  for (let i = 0; i < REQUESTS; i++) expect(r.stdout).toMatch(new RegExp(`^127\\.0\\.0\\.1 - - \\[[^\\]]+\\] "GET /probe-${i} HTTP/1\\.1" 200 2 "-" "Java/[^"]+"$`, 'm'));
  expect(r.entries).toEqual([{ name: 'access.log', link: true, size: '/dev/stdout'.length }]);
  expect(fs.readlinkSync(path.join(r.log, 'access.log'))).toBe('/dev/stdout');
  // Each rotation tries to rename the link, fails in the read-only folder, and says so.
  expect(r.stderr).toMatch(/Failed to rename access log from \[[^\]]*\/log\/access\.log\]/);
  // Tomcat's messages still reach the console (the root logger's ConsoleHandler).
  expect(r.stderr).toMatch(/Starting ProtocolHandler \["http-nio-auto-1-\d+"\]/);
}, 150000);
