import { renderNginxConf } from '../../lib/nuxeo/nginx-conf';
import { parseProperties } from '../../lib/nuxeo/nuxeo-conf';
import { NUXEO_CONF_FILE, PROXY_DRAIN_SECONDS } from '../../lib/nuxeo/nuxeo';
import { allManifests, environment, find } from '../helpers';

const nuxeoOf = (overrides: Record<string, any> = {}) => {
  const manifests = allManifests(environment('app', overrides));
  const sts = find(manifests, 'StatefulSet', 'nuxeo');
  const pod = sts.spec.template.spec;
  const c = (name: string) => pod.containers.find((x: any) => x.name === name);
  const conf = parseProperties(find(manifests, 'ConfigMap', 'nuxeo-conf').data![NUXEO_CONF_FILE]);
  return { manifests, sts, pod, c, conf };
};

describe('Nuxeo application cluster', () => {
  test('nginx runs as many workers as its CPU limit allows, not as the node has CPUs', () => {
    const conf = (cpu: string) => find(nuxeoOf({ nuxeo: { proxy: { resources: { limits: { cpu }, requests: { cpu: '100m' } } } } }).manifests, 'ConfigMap', 'nuxeo-proxy').data!['nginx.conf'];
    expect(conf('500m')).toMatch(/^worker_processes 1;$/m);
    expect(conf('1500m')).toMatch(/^worker_processes 2;$/m);
    expect(conf('3')).toMatch(/^worker_processes 3;$/m);
  });

  test('nginx never spools a response to the pod\'s /tmp (an emptyDir over its limit evicts the pod)', () => {
    const conf = find(nuxeoOf().manifests, 'ConfigMap', 'nuxeo-proxy').data!['nginx.conf'];
    expect(conf).toMatch(/^\s*proxy_max_temp_file_size 0;$/m);
    expect(conf).toMatch(/^\s*proxy_request_buffering off;$/m);
  });

  test('the init container copies NUXEO_HOME without preserving times or owners (not allowed on a root-owned emptyDir)', () => {
    const init = nuxeoOf().pod.initContainers.find((c: any) => c.name === 'nuxeo-home');
    expect(init.command).toEqual(['sh', '-c', 'cp -R /opt/nuxeo/server/. /nuxeo-home/']);
  });

  test('defaults to 2 nodes and follows nuxeo.replicas', () => {
    expect(nuxeoOf().sts.spec.replicas).toBe(2);
    expect(nuxeoOf({ nuxeo: { replicas: 5 }, database: { maxConnections: 300 } }).sts.spec.replicas).toBe(5);
  });

  test('places at most one node per Kubernetes node by default, preferred on request', () => {
    const required = nuxeoOf().pod.affinity.podAntiAffinity;
    expect(required.requiredDuringSchedulingIgnoredDuringExecution[0]).toEqual({
      labelSelector: { matchLabels: { 'app.kubernetes.io/instance': 'nuxeo', 'app.kubernetes.io/name': 'nuxeo' } },
      topologyKey: 'kubernetes.io/hostname',
    });
    const preferred = nuxeoOf({ scheduling: { antiAffinity: 'preferred' } }).pod.affinity.podAntiAffinity;
    expect(preferred.requiredDuringSchedulingIgnoredDuringExecution).toBeUndefined();
    expect(preferred.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey).toBe('kubernetes.io/hostname');
  });

  test('each pod holds the Nuxeo server, the reverse proxy and, in sidecar mode, Redis', () => {
    expect(nuxeoOf().pod.containers.map((c: any) => c.name)).toEqual(['nuxeo', 'proxy', 'redis', 'proxy-exporter', 'redis-exporter']);
    expect(nuxeoOf({ redis: { mode: 'external' } }).pod.containers.map((c: any) => c.name)).toEqual(['nuxeo', 'proxy', 'proxy-exporter']);
    expect(nuxeoOf({ monitoring: { enabled: false } }).pod.containers.map((c: any) => c.name)).toEqual(['nuxeo', 'proxy', 'redis']);
  });

  test('the proxy runs the rendered nginx.conf and forwards to the Nuxeo port of its own pod', () => {
    const { manifests, c } = nuxeoOf({ loadBalancer: { host: 'a.example.com', maxUploadMegabytes: 2048, timeoutSeconds: 900 } });
    const conf = find(manifests, 'ConfigMap', 'nuxeo-proxy').data!['nginx.conf'];
    expect(conf).toBe(renderNginxConf({ listenPort: 8000, upstream: '127.0.0.1:8080', tempDir: '/tmp', maxUploadMegabytes: 2048, timeoutSeconds: 900, statusPort: 8081, workerProcesses: 1 }));
    expect(conf).toContain('client_max_body_size 2048m;');
    expect(conf).toContain('proxy_read_timeout 900s;');
    expect(c('proxy').ports).toEqual([{ name: 'http', containerPort: 8000, protocol: 'TCP' }]);
    expect(c('nuxeo').ports).toEqual([{ name: 'nuxeo', containerPort: 8080, protocol: 'TCP' }, { name: 'metrics', containerPort: 9090, protocol: 'TCP' }]);
    expect(c('proxy').command).toEqual(['nginx', '-c', '/etc/nginx/nuxeo/nginx.conf', '-g', 'daemon off;']);
  });

  test('probes observe this node only: a shared tier\'s outage does not take every pod out of the load balancer', () => {
    const nuxeo = nuxeoOf().c('nuxeo');
    // One probe (RuntimeStartedProbe), not the full runningstatus that also runs the Elasticsearch and repository probes.
    const started = { path: '/nuxeo/runningstatus?info=probe&key=runtimeStatus', port: 'nuxeo' };
    expect(nuxeo.readinessProbe.httpGet).toEqual(started);
    expect(nuxeo.startupProbe.httpGet).toEqual(started);
    expect(nuxeo.startupProbe.failureThreshold * nuxeo.startupProbe.periodSeconds).toBeGreaterThanOrEqual(600);
    expect(nuxeo.livenessProbe).toEqual({ tcpSocket: { port: 'nuxeo' }, periodSeconds: 20, failureThreshold: 6, timeoutSeconds: 5 });
  });

  test('templates are appended, never set in nuxeo.templates (which keeps what the image\'s packages added); redis after postgresql', () => {
    const { conf } = nuxeoOf();
    expect(conf.has('nuxeo.templates')).toBe(false);
    const appended = [...conf.keys()].filter((k) => k.startsWith('nuxeo.append.templates.')).sort().map((k) => conf.get(k));
    expect(appended).toEqual(['postgresql', 'docker', 'redis']);
    expect(conf.get('nuxeo.append.templates.redis')).toBe('redis');
    expect(conf.get('nuxeo.lock.manager')).toBe('redis');
    expect(conf.get('nuxeo.pubsub.provider')).toBe('redis');
  });

  test('logs go to the console only, as text by default or as JSON', () => {
    expect(nuxeoOf().conf.get('nuxeo.append.templates.logs')).toBe('docker');
    expect(nuxeoOf({ nuxeo: { logFormat: 'json' } }).conf.get('nuxeo.append.templates.logs')).toBe('docker-json');
  });

  test('the binary store is a folder inside the shared volume, so the transient store beside it is shared too', () => {
    const { conf, c } = nuxeoOf();
    expect(conf.get('repository.binary.store')).toBe('/var/lib/nuxeo-binaries/binaries');
    expect(c('nuxeo').volumeMounts).toContainEqual({ name: 'binaries', mountPath: '/var/lib/nuxeo-binaries' });
  });

  test('secrets never appear in the properties: the start script writes them from Secret-filled variables', () => {
    const { conf, c, manifests } = nuxeoOf({ nuxeo: { secretProperties: { 'mail.transport.password': { name: 'smtp', key: 'password' } } } });
    for (const key of ['nuxeo.db.password', 'nuxeo.redis.password', 'nuxeo.jwt.secret', 'mail.transport.password']) expect(conf.has(key)).toBe(false);
    const script = find(manifests, 'ConfigMap', 'nuxeo-start').data!['start-nuxeo.sh'];
    expect(script).toContain('  property mail.transport.password NUXEO_SECRET_MAIL_TRANSPORT_PASSWORD\n');
    expect(script).toContain('  property nuxeo.jwt.secret NUXEO_JWT_SECRET\n');
    const env = c('nuxeo').env;
    expect(env.find((e: any) => e.name === 'NUXEO_SECRET_MAIL_TRANSPORT_PASSWORD').valueFrom.secretKeyRef).toEqual({ name: 'smtp', key: 'password' });
    expect(env.find((e: any) => e.name === 'NUXEO_JWT_SECRET').valueFrom.secretKeyRef).toEqual({ name: 'nuxeo-jwt', key: 'secret' });
    expect(c('nuxeo').command).toEqual(['/docker-entrypoint.sh']);
    expect(c('nuxeo').args).toEqual(['sh', '/opt/nuxeo-compact-k8s/start-nuxeo.sh', 'bash', '/opt/nuxeo-compact-k8s/wait-redis.sh', 'nuxeoctl', 'console']);
  });

  test('"&< are refused only in properties whose template does not escape XML (jwt-config.xml.nxftl, unknown ones)', () => {
    const script = find(nuxeoOf({ nuxeo: { secretProperties: { 'mail.transport.password': { name: 'smtp', key: 'password' } } } }).manifests, 'ConfigMap', 'nuxeo-start').data!['start-nuxeo.sh'];
    expect(script).toContain('  property nuxeo.db.password NUXEO_DB_PASSWORD xml-escaped\n');
    expect(script).toContain('  property nuxeo.redis.password NUXEO_REDIS_PASSWORD xml-escaped\n');
    expect(script).toContain('  property nuxeo.jwt.secret NUXEO_JWT_SECRET\n');
    expect(script).toContain('  property mail.transport.password NUXEO_SECRET_MAIL_TRANSPORT_PASSWORD\n');
  });

  test('the Redis wait is bounded by nuxeo.redisWaitSeconds, and the startup probe covers it with the launcher\'s checks and the start', () => {
    for (const seconds of [300, 900]) {
      const { c, manifests, conf } = nuxeoOf({ nuxeo: { redisWaitSeconds: seconds } });
      const wait = find(manifests, 'ConfigMap', 'nuxeo-start').data!['wait-redis.sh'];
      expect(wait).toMatch(new RegExp(`^bound=${seconds}$`, 'm'));
      const backing = (Number(conf.get('nuxeo.backing.check.retry.maxRetries')) * Number(conf.get('nuxeo.backing.check.retry.delayInMs'))) / 1000;
      const probe = c('nuxeo').startupProbe;
      expect(probe.periodSeconds * probe.failureThreshold).toBeGreaterThanOrEqual(seconds + backing + 600);
    }
  });

  test('nuxeo.url is the load balancer\'s host, over https when it terminates TLS', () => {
    expect(nuxeoOf({ loadBalancer: { host: 'docs.example.com', tlsSecret: 'tls' } }).conf.get('nuxeo.url')).toBe('https://docs.example.com/nuxeo');
    expect(nuxeoOf({ loadBalancer: { host: 'docs.example.com', tlsSecret: undefined } }).conf.get('nuxeo.url')).toBe('http://docs.example.com/nuxeo');
    expect(nuxeoOf({ loadBalancer: { host: 'docs.example.com', provider: 'gateway-api', gateway: { name: 'gw', namespace: 'gw' } } }).conf.get('nuxeo.url')).toBe('http://docs.example.com/nuxeo');
    expect(nuxeoOf({ loadBalancer: { host: 'docs.example.com', provider: 'gateway-api', gateway: { name: 'gw', namespace: 'gw' }, scheme: 'https' } }).conf.get('nuxeo.url')).toBe('https://docs.example.com/nuxeo');
    // nuxeo.properties still wins, and the key is written once.
    const text = find(nuxeoOf({ nuxeo: { properties: { 'nuxeo.url': 'https://other.example.com/nuxeo' } } }).manifests, 'ConfigMap', 'nuxeo-conf').data![NUXEO_CONF_FILE];
    expect(text.match(/^nuxeo\.url=.*$/gm)).toEqual(['nuxeo.url=https://other.example.com/nuxeo']);
  });

  test('/tmp is sized from the upload limit: maxUploadMegabytes x nuxeo.concurrentUploads + 1Gi', () => {
    const tmp = (o: Record<string, any>) => nuxeoOf(o).pod.volumes.find((v: any) => v.name === 'tmp').emptyDir.sizeLimit;
    expect(tmp({})).toBe('3Gi');
    expect(tmp({ loadBalancer: { host: 'a.example.com', maxUploadMegabytes: 4096 } })).toBe('9Gi');
    expect(tmp({ loadBalancer: { host: 'a.example.com', maxUploadMegabytes: 100 }, nuxeo: { concurrentUploads: 5 } })).toBe('1524Mi');
  });

  test('keys equal to Nuxeo 2021\'s defaults are not written, nor elasticsearch.clusterName (unused by the REST client)', () => {
    const { conf } = nuxeoOf();
    for (const key of ['kafka.enabled', 'nuxeo.stream.work.enabled', 'metrics.streams.enabled', 'nuxeo.stream.chronicle.dir', 'elasticsearch.clusterName']) expect([key, conf.has(key)]).toEqual([key, false]);
  });

  test('configuration goes in as a conf.d file, secrets as Secret references', () => {
    const { pod, c, manifests } = nuxeoOf();
    const mount = c('nuxeo').volumeMounts.find((m: any) => m.mountPath === '/etc/nuxeo/conf.d');
    expect(pod.volumes.find((v: any) => v.name === mount.name).configMap.name).toBe('nuxeo-conf');
    expect(manifests.filter((m) => m.kind === 'Secret')).toEqual([]);
    expect(c('nuxeo').env.find((e: any) => e.name === 'NUXEO_DB_PASSWORD').valueFrom.secretKeyRef).toEqual({ name: 'nuxeo-database', key: 'nuxeo-password' });
  });

  test('the heap is half the memory limit unless set', () => {
    expect(nuxeoOf({ nuxeo: { resources: { limits: { memory: '6Gi' }, requests: { memory: '6Gi' } } } }).conf.get('JAVA_OPTS')).toBe('$JAVA_OPTS -Xms3072m -Xmx3072m');
    expect(nuxeoOf({ nuxeo: { heap: '2500Mi' } }).conf.get('JAVA_OPTS')).toBe('$JAVA_OPTS -Xms2500m -Xmx2500m');
  });

  test('extra properties are written last, sorted', () => {
    const { conf } = nuxeoOf({ nuxeo: { properties: { 'nuxeo.url': 'https://x.example.com/nuxeo', 'a.b': '1' } } });
    expect(conf.get('nuxeo.url')).toBe('https://x.example.com/nuxeo');
    expect([...conf.keys()].slice(-2)).toEqual(['a.b', 'nuxeo.url']);
  });

  test('a configuration change changes the pod template, so the pods roll', () => {
    const a = nuxeoOf().sts.spec.template.metadata.annotations['nuxeo-compact-k8s/config-checksum'];
    const b = nuxeoOf({ nuxeo: { streamRetention: '7d' } }).sts.spec.template.metadata.annotations['nuxeo-compact-k8s/config-checksum'];
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(b).not.toBe(a);
  });

  test('each node has its own data volume for /var/lib/nuxeo, sized from the file', () => {
    const { sts, c } = nuxeoOf({ nuxeo: { data: { size: '50Gi', storageClass: 'ssd' } } });
    const data = sts.spec.volumeClaimTemplates.find((t: any) => t.metadata.name === 'data');
    expect(data.spec).toEqual({ accessModes: ['ReadWriteOnce'], storageClassName: 'ssd', resources: { requests: { storage: '50Gi' } } });
    expect(c('nuxeo').volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/nuxeo' });
  });

  test('S3 binaries: the package is installed, static keys come from the Secret as the AWS variables, else the pod identity', () => {
    const s3 = { bucket: 'bucket-1', region: 'eu-west-3', prefix: 'bin/' };
    const clid = { nuxeoClid: { name: 'clid' } };
    const withKeys = nuxeoOf({ nuxeo: { binaries: { type: 's3', s3: { ...s3, credentialsSecret: { name: 'aws' } } } }, secrets: clid });
    const env = withKeys.c('nuxeo').env;
    expect(env.find((e: any) => e.name === 'AWS_ACCESS_KEY_ID').valueFrom.secretKeyRef).toEqual({ name: 'aws', key: 'access-key-id' });
    expect(env.find((e: any) => e.name === 'AWS_SECRET_ACCESS_KEY').valueFrom.secretKeyRef).toEqual({ name: 'aws', key: 'secret-access-key' });
    expect(env.find((e: any) => e.name === 'NUXEO_PACKAGES').value).toBe('amazon-s3-online-storage');
    expect([...withKeys.conf.entries()].filter(([k]) => k.startsWith('nuxeo.s3storage.'))).toEqual([
      ['nuxeo.s3storage.bucket', 'bucket-1'], ['nuxeo.s3storage.region', 'eu-west-3'], ['nuxeo.s3storage.bucket_prefix', 'bin/'],
    ]);
    expect(withKeys.manifests.find((m) => m.kind === 'PersistentVolumeClaim' && m.metadata.name === 'nuxeo-binaries')).toBeUndefined();
    const identity = nuxeoOf({ nuxeo: { binaries: { type: 's3', s3 } }, secrets: clid }).c('nuxeo').env.map((e: any) => e.name);
    expect(identity).not.toContain('AWS_ACCESS_KEY_ID');
  });

  test('image pull Secrets go to every pod, when set', () => {
    const manifests = allManifests(environment('pull', { imagePullSecrets: ['registry-a', 'registry-b'] }));
    for (const w of manifests.filter((m) => m.kind === 'StatefulSet')) {
      expect(w.spec.template.spec.imagePullSecrets).toEqual([{ name: 'registry-a' }, { name: 'registry-b' }]);
    }
    expect(nuxeoOf().pod.imagePullSecrets).toBeUndefined();
  });

  test('packages and the CLID reach the image through its environment variables', () => {
    const { c } = nuxeoOf({ nuxeo: { packages: ['nuxeo-web-ui'] }, secrets: { nuxeoClid: { name: 'clid' } } });
    const env = c('nuxeo').env;
    expect(env.find((e: any) => e.name === 'NUXEO_PACKAGES').value).toBe('nuxeo-web-ui');
    expect(env.find((e: any) => e.name === 'NUXEO_CLID').valueFrom.secretKeyRef).toEqual({ name: 'clid', key: 'clid' });
  });

  test('packages built into the image: nothing installed at start, no HTTPS egress for Connect', () => {
    const { c, manifests } = nuxeoOf({ nuxeo: { packages: ['nuxeo-web-ui'], packagesInImage: true } });
    const names = c('nuxeo').env.map((e: any) => e.name);
    expect(names).not.toContain('NUXEO_PACKAGES');
    const egress = find(manifests, 'NetworkPolicy', 'nuxeo').spec.egress.flatMap((r: any) => (r.ports ?? []).map((p: any) => p.port));
    expect(egress).not.toContain(443);
  });
});

describe('rolling update and drain: endpoints converge before the proxy stops', () => {
  const env = environment('drain');
  const sts = find(allManifests(env), 'StatefulSet', 'nuxeo');
  const pod = sts.spec.template.spec;
  const byName = (n: string) => pod.containers.find((c: any) => c.name === n);

  test('proxy and Nuxeo wait PROXY_DRAIN_SECONDS before SIGTERM, within the grace period', () => {
    expect(PROXY_DRAIN_SECONDS).toBeGreaterThanOrEqual(10);
    for (const name of ['proxy', 'nuxeo']) expect(byName(name).lifecycle.preStop.exec.command).toEqual(['sleep', String(PROXY_DRAIN_SECONDS)]);
    // Nuxeo's own stop (it had 120 s) starts after the delay.
    expect(pod.terminationGracePeriodSeconds).toBe(120 + PROXY_DRAIN_SECONDS);
  });

  test('the sidecar Redis waits for Nuxeo as long as before, counted from the delayed stop', () => {
    const wait = byName('redis').lifecycle.preStop.exec.command.join(' ');
    expect(wait).toContain(String(90 + PROXY_DRAIN_SECONDS));
    expect(90 + PROXY_DRAIN_SECONDS).toBeLessThan(pod.terminationGracePeriodSeconds);
  });
});
