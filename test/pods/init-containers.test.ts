/**
 * Elasticsearch and Nuxeo pods' init containers, as the kubelet runs them: non-root UID, no
 * passwd entry, read-only root, copying the image's files into a root-owned 0777 setgid emptyDir.
 * The images are stand-ins with the real ones' layout (test/pods/image); their servers are not run.
 */
import * as fs from 'fs';
import * as path from 'path';
import { exampleEnvironment } from '../helpers';
import type { Cluster } from './kubelet';
import { minutes, newCluster } from './fixtures';

const env = exampleEnvironment('external-redis');
let cluster: Cluster;

describe(`init containers (${env.name})`, () => {
  beforeAll(async () => {
    ({ cluster } = newCluster('init', env));
    await cluster.create();
  }, minutes(2));
  afterAll(async () => cluster?.destroy(), minutes(2));

  test('Elasticsearch: the writable config folder holds the image\'s files and our elasticsearch.yml', async () => {
    const pod = cluster.statefulPod('elasticsearch', 0);
    cluster.plan(pod.name);
    await pod.runInitContainers();
    const config = pod.volumePath('config');
    expect(fs.readFileSync(path.join(config, 'elasticsearch.yml'), 'utf8')).toBe(cluster.configMap('elasticsearch')['elasticsearch.yml']);
    expect(fs.readFileSync(path.join(config, 'jvm.options'), 'utf8')).toContain('-Xlog:gc*');
    const uid = pod.spec.securityContext.runAsUser;
    for (const f of ['jvm.options', 'log4j2.properties', 'elasticsearch.yml']) expect(fs.statSync(path.join(config, f)).uid).toBe(uid);
    expect(fs.statSync(path.join(config, 'jvm.options.d')).isDirectory()).toBe(true);
    await pod.remove();
  }, minutes(3));

  test('Nuxeo: NUXEO_HOME is copied whole, executables still executable', async () => {
    const pod = cluster.statefulPod('nuxeo', 0);
    cluster.plan(pod.name);
    await pod.runInitContainers();
    const home = pod.volumePath('nuxeo-home');
    expect(fs.readFileSync(path.join(home, 'bin', 'nuxeo.conf'), 'utf8')).toContain('nuxeo.templates=default');
    expect(fs.lstatSync(path.join(home, 'bin', 'nuxeoctl')).isSymbolicLink()).toBe(true);
    expect(fs.existsSync(path.join(home, 'packages', 'store'))).toBe(true);
    expect(fs.statSync(path.join(home, 'bin', 'nuxeo.conf')).uid).toBe(pod.spec.securityContext.runAsUser);
    await pod.remove();
  }, minutes(3));
});
