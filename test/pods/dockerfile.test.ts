/**
 * docker/Dockerfile built for real (podman build, BuildKit-style secret mount) on a stand-in base:
 * the Nuxeo stand-in image plus a STAND-IN /install-packages.sh that parses its arguments as the
 * image's does (nuxeo/nuxeo branch 2021, docker/nuxeo/rootfs/install-packages.sh lines 24-32:
 * options, then every other word is a package) and accepts, as `nuxeoctl mp-install` does, a
 * package name or the path of a package file: a word with a `/` that is no file is refused.
 * It records what it was given; the test reads the record from the built image.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ROOT } from '../helpers';
import { cmd, NUXEO_STAND_IN, requireStandIns } from './kubelet';
import { minutes } from './fixtures';

const tag = `localhost/nuxeo-compact-k8s/dockerfile-test-${process.pid}`;
const base = `${tag}-base`;
let dir: string;

const FAKE_INSTALL = `#!/bin/bash
# STAND-IN for the image's /install-packages.sh: not Nuxeo's. Records the packages it is given.
set -e
while [ $# -ne 0 ]; do
  case $1 in
    --clid) clid=$2; shift 2 ;;
    --connect-url) shift 2 ;;
    -*) echo "Unknown option: $1" >&2; exit 2 ;;
    *) packages=$@; break ;;
  esac
done
[ -n "$clid" ] || { echo "no CLID" >&2; exit 2; }
for p in $packages; do
  case "$p" in
    */*) [ -f "$p" ] || { echo "mp-install: $p: no such package file" >&2; exit 1; }; echo "file $p $(cat "$p")" ;;
    *) echo "name $p" ;;
  esac
done > "$NUXEO_HOME/installed.txt"
`;

async function build(packages: string): Promise<{ code: number; out: string; installed?: string }> {
  const r = await cmd('podman', ['build', '--pull=never', '--build-arg', `NUXEO_IMAGE=${base}`, '--build-arg', `PACKAGES=${packages}`, '--secret', `id=clid,src=${path.join(dir, 'instance.clid')}`, '-t', tag, path.join(dir, 'docker')], minutes(5));
  if (r.code !== 0) return r;
  const read = await cmd('podman', ['run', '--rm', '--entrypoint', 'cat', tag, '/opt/nuxeo/server/installed.txt']);
  const gone = await cmd('podman', ['run', '--rm', '--entrypoint', 'ls', tag, '/opt/nuxeo/server/local-packages']);
  return { ...r, installed: `${read.out}${gone.code === 0 ? 'local-packages left in the image\n' : ''}` };
}

beforeAll(async () => {
  requireStandIns();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dockerfile-'));
  fs.mkdirSync(path.join(dir, 'base'));
  fs.writeFileSync(path.join(dir, 'base', 'install-packages.sh'), FAKE_INSTALL, { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'base', 'Containerfile'), `FROM ${NUXEO_STAND_IN}\nCOPY --chmod=755 install-packages.sh /install-packages.sh\n`);
  const r = await cmd('podman', ['build', '--pull=never', '-t', base, path.join(dir, 'base')], minutes(3));
  if (r.code !== 0) throw new Error(r.out);
  fs.cpSync(path.join(ROOT, 'docker'), path.join(dir, 'docker'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'docker', 'local-packages', 'my-addon-1.0.zip'), 'zip bytes');
  fs.writeFileSync(path.join(dir, 'instance.clid'), 'clid-line-1\nclid-line-2\n');
}, minutes(4));

afterAll(async () => {
  await cmd('podman', ['rmi', '-f', tag, base]);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}, minutes(1));

test('a local package named in PACKAGES is installed from its file; Connect packages by name', async () => {
  const r = await build('amazon-s3-online-storage my-addon-1.0.zip');
  expect(r.code).toBe(0);
  expect(r.installed).toBe('name amazon-s3-online-storage\nfile /opt/nuxeo/server/local-packages/my-addon-1.0.zip zip bytes\n');
}, minutes(6));

test('the old spelling, $NUXEO_HOME/local-packages/<file>.zip written in PACKAGES, works too', async () => {
  const r = await build('$NUXEO_HOME/local-packages/my-addon-1.0.zip');
  expect(r.code).toBe(0);
  expect(r.installed).toBe('file /opt/nuxeo/server/local-packages/my-addon-1.0.zip zip bytes\n');
}, minutes(6));

test('a .zip that is not in docker/local-packages/ stops the build, naming it', async () => {
  const r = await build('missing-1.0.zip');
  expect(r.code).not.toBe(0);
  expect(r.out).toContain('PACKAGES: missing-1.0.zip is not in docker/local-packages/');
}, minutes(6));
