/** Cross-references between tiers: every name one object uses must resolve to another object. */
import { TIER_FILES } from '../app/synth';
import { RESERVED_CONNECTIONS } from '../lib/nuxeo/settings';
import { parseProperties } from '../lib/nuxeo/nuxeo-conf';
import { SECRET_BLOCK_MARKER } from '../lib/nuxeo/nuxeo-start';
import { NUXEO_CONF_FILE } from '../lib/nuxeo/nuxeo';
import { allContainers, allManifests, environment, environmentMatrix, find, Manifest, matches, synthFiles, workloads } from './helpers';

const matrix = environmentMatrix();

/** Workloads whose pod template the Service's selector matches (statically, as kube-score and kube-linter do). */
function servicePods(manifests: Manifest[], svc: Manifest) {
  return workloads(manifests)
    .filter((w) => w.metadata.namespace === svc.metadata.namespace)
    .filter((w) => matches(svc.spec.selector, w.spec.template.metadata.labels));
}

/** Resolves a cluster-local host name to the Service it names, or undefined. */
function serviceOfHost(manifests: Manifest[], host: string): Manifest | undefined {
  const m = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local$/.exec(host);
  return m ? manifests.find((x) => x.kind === 'Service' && x.metadata.name === m[1] && x.metadata.namespace === m[2]) : undefined;
}

/** Resolves `<pod>.<headless>.<ns>.svc.cluster.local` to the StatefulSet pod it names. */
function podOfHost(manifests: Manifest[], host: string): { sts: Manifest; ordinal: number } | undefined {
  const m = /^([a-z0-9-]+)-([0-9]+)\.([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local$/.exec(host);
  if (!m) return undefined;
  const sts = manifests.find((x) => x.kind === 'StatefulSet' && x.metadata.name === m[1] && x.metadata.namespace === m[4] && x.spec.serviceName === m[3]);
  return sts && Number(m[2]) < sts.spec.replicas ? { sts, ordinal: Number(m[2]) } : undefined;
}

function containerPortNames(w: Manifest): string[] {
  return w.spec.template.spec.containers.flatMap((c: any) => (c.ports ?? []).map((p: any) => p.name));
}

describe.each(matrix.map((e) => [e.name, e] as const))('environment %s', (_name, env) => {
  const files = synthFiles(env);
  const manifests = allManifests(env);
  const conf = parseProperties(find(manifests, 'ConfigMap', 'nuxeo-conf').data![NUXEO_CONF_FILE]);

  test('writes one file per tier, in apply order', () => {
    expect([...files.keys()]).toEqual(Object.values(TIER_FILES).map((f) => `${f}.k8s.yaml`));
  });

  test('every Service selects pods and every target port is a named container port of them', () => {
    for (const svc of manifests.filter((m) => m.kind === 'Service')) {
      if (svc.spec.type === 'ExternalName') {
        // Names one pod's stable DNS record, which must exist and serve the Service's ports.
        const pod = podOfHost(manifests, svc.spec.externalName)!;
        expect({ service: svc.metadata.name, resolves: !!pod }).toEqual({ service: svc.metadata.name, resolves: true });
        const ports = pod.sts.spec.template.spec.containers.flatMap((c: any) => (c.ports ?? []).map((p: any) => p.containerPort));
        for (const port of svc.spec.ports) expect(ports).toContain(port.port);
        continue;
      }
      const pods = servicePods(manifests, svc);
      expect({ service: svc.metadata.name, selects: pods.length > 0 }).toEqual({ service: svc.metadata.name, selects: true });
      for (const port of svc.spec.ports) {
        for (const w of pods) expect(containerPortNames(w)).toContain(port.targetPort);
      }
    }
  });

  test('every StatefulSet names a headless Service that selects its pods and publishes not-ready addresses', () => {
    for (const sts of manifests.filter((m) => m.kind === 'StatefulSet')) {
      const svc = find(manifests, 'Service', sts.spec.serviceName);
      expect(svc.spec.clusterIP).toBe('None');
      expect(svc.spec.publishNotReadyAddresses).toBe(true);
      expect(matches(svc.spec.selector, sts.spec.template.metadata.labels)).toBe(true);
      expect(matches(sts.spec.selector.matchLabels, sts.spec.template.metadata.labels)).toBe(true);
    }
  });

  test('uses only our own labels in selectors, and no generated name hashes', () => {
    const text = JSON.stringify(manifests);
    expect(text).not.toContain('cdk8s.io/metadata.addr');
    for (const m of manifests) expect(m.metadata.name).not.toMatch(/-c8[0-9a-f]{6}$/);
  });

  test('Nuxeo reaches the database through the Service of the primary', () => {
    if (env.spec.database.provider === 'cloudnativepg') {
      // The operator makes `<cluster>-rw` and points it at the current primary.
      const cluster = find(manifests, 'Cluster', 'postgresql');
      expect(conf.get('nuxeo.db.host')).toBe(`${cluster.metadata.name}-rw.${env.spec.namespace}.svc.cluster.local`);
      expect(conf.get('nuxeo.db.port')).toBe('5432');
      expect(conf.get('nuxeo.db.name')).toBe(cluster.spec.bootstrap.initdb.database);
      expect(conf.get('nuxeo.db.user')).toBe(cluster.spec.bootstrap.initdb.owner);
      return;
    }
    const svc = serviceOfHost(manifests, conf.get('nuxeo.db.host')!)!;
    expect(svc.metadata.name).toBe('postgresql-rw');
    expect(servicePods(manifests, svc).map((w) => w.metadata.name)).toEqual(['postgresql-primary']);
    expect(svc.spec.ports.map((p: any) => p.port)).toContain(Number(conf.get('nuxeo.db.port')));
    expect(conf.get('nuxeo.db.name')).toBe(env.spec.database.name);
    // The postgresql template in the effective list: test/servers/nuxeo-effective-conf.test.ts.
  });

  test('all Nuxeo nodes\' connection pools fit in PostgreSQL\'s max_connections', () => {
    const pool = Number(conf.get('nuxeo.db.max-pool-size'));
    expect(Number(conf.get('nuxeo.vcs.max-pool-size'))).toBe(pool - 2);
    const maxConnections = env.spec.database.provider === 'cloudnativepg'
      ? Number(find(manifests, 'Cluster', 'postgresql').spec.postgresql.parameters.max_connections)
      : Number(/^max_connections = (\d+)$/m.exec(find(manifests, 'ConfigMap', 'postgresql').data!['postgresql.conf'])![1]);
    const nodes = find(manifests, 'StatefulSet', 'nuxeo').spec.replicas;
    expect(nodes * pool + RESERVED_CONNECTIONS).toBeLessThanOrEqual(maxConnections);
  });

  test('Nuxeo reaches Elasticsearch through its client Service on 9200', () => {
    for (const url of conf.get('elasticsearch.addressList')!.split(',')) {
      const u = new URL(url);
      const svc = serviceOfHost(manifests, u.hostname)!;
      expect(servicePods(manifests, svc).map((w) => w.metadata.name)).toEqual(['elasticsearch']);
      expect(svc.spec.ports.map((p: any) => p.port)).toContain(Number(u.port));
    }
    expect(conf.get('elasticsearch.client')).toBe('RestClient');
  });

  test('Nuxeo reaches Redis the way its mode requires', () => {
    // The nuxeo.redis.* keys act only inside the redis template (templates/redis in Nuxeo 2021):
    // it is appended (nuxeo.append.templates.*); the effective list: nuxeo-effective-conf.test.ts.
    const templates = [...conf.entries()].filter(([k]) => k.startsWith('nuxeo.append.templates.')).map(([, v]) => v);
    expect(templates).toContain('redis');
    expect(conf.get('nuxeo.redis.enabled')).toBe('true');
    for (const key of ['nuxeo.work.queuing', 'nuxeo.pubsub.provider', 'nuxeo.keyvalue.provider', 'nuxeo.lock.manager']) expect([key, conf.get(key)]).toEqual([key, 'redis']);
    if (env.spec.redis.mode === 'sidecar') {
      const svc = serviceOfHost(manifests, conf.get('nuxeo.redis.host')!)!;
      expect(svc.metadata.name).toBe('redis-master');
      const pod = podOfHost(manifests, svc.spec.externalName)!;
      expect([pod.sts.metadata.name, pod.ordinal]).toEqual(['nuxeo', 0]);
      expect(find(manifests, 'Service', pod.sts.spec.serviceName).spec.publishNotReadyAddresses).toBe(true);
      expect(svc.spec.ports.map((p: any) => p.port)).toContain(Number(conf.get('nuxeo.redis.port')));
      expect(conf.has('nuxeo.redis.ha.enabled')).toBe(false);
    } else {
      expect(conf.get('nuxeo.redis.ha.enabled')).toBe('true');
      expect(conf.get('nuxeo.redis.ha.master')).toBe(env.spec.redis.sentinel.masterName);
      const hosts = conf.get('nuxeo.redis.ha.hosts')!.split(',');
      expect(hosts).toHaveLength(env.spec.redis.replicas);
      for (const host of hosts) {
        const pod = podOfHost(manifests, host)!;
        expect(pod.sts.metadata.name).toBe('redis');
        const sentinel = pod.sts.spec.template.spec.containers.find((c: any) => c.name === 'sentinel');
        expect(sentinel.ports.map((p: any) => p.containerPort)).toContain(Number(conf.get('nuxeo.redis.ha.port')));
      }
      expect(conf.has('nuxeo.redis.host')).toBe(false);
    }
  });

  test('Chronicle Queue streams keep the configured retention', () => {
    // Kafka off and the stream folder on the pod's own volume are Nuxeo's defaults, asserted on
    // the effective configuration in test/servers/nuxeo-effective-conf.test.ts.
    expect(conf.get('nuxeo.stream.chronicle.retention.duration')).toBe(env.spec.nuxeo.streamRetention);
  });

  test('clustering is on with a distinct node id per pod', () => {
    expect(conf.get('nuxeo.cluster.enabled')).toBe('true');
    const nodeId = /^\$\{env:([A-Z_]+)\}$/.exec(conf.get('nuxeo.cluster.nodeid')!)![1];
    const nuxeo = find(manifests, 'StatefulSet', 'nuxeo').spec.template.spec.containers.find((c: any) => c.name === 'nuxeo');
    expect(nuxeo.env.find((e: any) => e.name === nodeId).valueFrom.fieldRef.fieldPath).toBe('metadata.name');
  });

  test('every ${env:...} a property uses is set on the Nuxeo container; secrets come from Secrets through the start script', () => {
    const sts = find(manifests, 'StatefulSet', 'nuxeo');
    const nuxeo = sts.spec.template.spec.containers.find((c: any) => c.name === 'nuxeo');
    const names = new Set(nuxeo.env.map((e: any) => e.name));
    for (const value of conf.values()) {
      for (const m of value.matchAll(/\$\{env:([A-Z_]+)\}/g)) expect(names).toContain(m[1]);
    }
    // The start script the container runs writes each secret property from a Secret-filled variable.
    const script = find(manifests, 'ConfigMap', 'nuxeo-start').data!['start-nuxeo.sh'];
    expect(nuxeo.args.slice(0, 2)).toEqual(['sh', `${nuxeo.volumeMounts.find((m: any) => m.name === 'nuxeo-start').mountPath}/start-nuxeo.sh`]);
    expect(script).toContain(SECRET_BLOCK_MARKER);
    const written = [...script.matchAll(/^  property (\S+) (\S+)( xml-escaped)?$/gm)].map((m) => [m[1], m[2]]);
    expect(written.map(([p]) => p)).toEqual(expect.arrayContaining(['nuxeo.db.password', 'nuxeo.redis.password', 'nuxeo.jwt.secret']));
    for (const [property, variable] of written) {
      expect(conf.has(property)).toBe(false);
      expect([property, nuxeo.env.find((e: any) => e.name === variable)?.valueFrom?.secretKeyRef]).toEqual([property, expect.objectContaining({ name: expect.any(String) })]);
    }
  });

  test('backing services are awaited at launch, within the startup probe\'s budget', () => {
    expect(conf.get('nuxeo.backing.check.retry.enabled')).toBe('true');
    const waitSeconds = (Number(conf.get('nuxeo.backing.check.retry.maxRetries')) * Number(conf.get('nuxeo.backing.check.retry.delayInMs'))) / 1000;
    expect(waitSeconds).toBeGreaterThanOrEqual(300);
    const nuxeo = find(manifests, 'StatefulSet', 'nuxeo').spec.template.spec.containers.find((c: any) => c.name === 'nuxeo');
    const budget = nuxeo.startupProbe.periodSeconds * nuxeo.startupProbe.failureThreshold;
    expect(budget).toBeGreaterThanOrEqual(waitSeconds + 600);
  });

  test('Nuxeo logs to the console only, in the chosen format', () => {
    expect(conf.get('nuxeo.append.templates.logs')).toBe(env.spec.nuxeo.logFormat === 'json' ? 'docker-json' : 'docker');
  });

  test('the binary store is shared by all nodes', () => {
    const sts = find(manifests, 'StatefulSet', 'nuxeo');
    if (env.spec.nuxeo.binaries.type === 'volume') {
      const path = conf.get('repository.binary.store')!;
      const nuxeo = sts.spec.template.spec.containers.find((c: any) => c.name === 'nuxeo');
      // Strictly inside the mount: Nuxeo creates <store>_transient_default beside the store.
      const mount = nuxeo.volumeMounts.find((m: any) => path.startsWith(m.mountPath + '/'));
      expect(path.slice(mount.mountPath.length + 1)).toMatch(/^[^/]+$/);
      expect(`${path}_transient_default`.startsWith(mount.mountPath + '/')).toBe(true);
      const volume = sts.spec.template.spec.volumes.find((v: any) => v.name === mount.name);
      const pvc = find(manifests, 'PersistentVolumeClaim', volume.persistentVolumeClaim.claimName);
      expect(pvc.spec.accessModes).toEqual(['ReadWriteMany']);
    } else {
      expect(conf.get('nuxeo.s3storage.bucket')).toBe(env.spec.nuxeo.binaries.s3!.bucket);
      const nuxeo = sts.spec.template.spec.containers.find((c: any) => c.name === 'nuxeo');
      // The S3 package is installed at start, or already in the image.
      const installed = nuxeo.env.find((e: any) => e.name === 'NUXEO_PACKAGES')?.value ?? '';
      expect(env.spec.nuxeo.packagesInImage || installed.split(' ').includes('amazon-s3-online-storage')).toBe(true);
    }
  });

  test('each pod mounts every volume it declares, from a declared volume or claim template', () => {
    for (const w of workloads(manifests)) {
      const pod = w.spec.template.spec;
      const declared = new Set([...(pod.volumes ?? []).map((v: any) => v.name), ...(w.spec.volumeClaimTemplates ?? []).map((t: any) => t.metadata.name)]);
      for (const c of allContainers(pod)) for (const m of c.volumeMounts ?? []) expect(declared).toContain(m.name);
    }
  });

  test('packages are installed at start only with a CLID, and only when not in the image', () => {
    const nuxeo = find(manifests, 'StatefulSet', 'nuxeo').spec.template.spec.containers.find((c: any) => c.name === 'nuxeo');
    const packages = nuxeo.env.find((e: any) => e.name === 'NUXEO_PACKAGES');
    if (packages) {
      expect(env.spec.nuxeo.packagesInImage).toBe(false);
      expect(nuxeo.env.find((e: any) => e.name === 'NUXEO_CLID').valueFrom.secretKeyRef).toEqual(env.spec.secrets.nuxeoClid);
    }
    if (env.spec.nuxeo.packagesInImage) expect(packages).toBeUndefined();
  });

  test('ConfigMaps and Secrets a pod reads are the ones generated or named in the environment', () => {
    const configMaps = new Set(manifests.filter((m) => m.kind === 'ConfigMap').map((m) => m.metadata.name));
    const s = env.spec.secrets;
    const secrets = new Set([s.redisPassword.name, s.databasePassword.name, s.databaseSuperuserPassword.name, s.databaseReplicationPassword.name]);
    for (const w of workloads(manifests)) {
      for (const v of w.spec.template.spec.volumes ?? []) {
        if (v.configMap) expect(configMaps).toContain(v.configMap.name);
        if (v.secret) expect(secrets).toContain(v.secret.secretName);
      }
    }
  });
});

describe('PriorityClass', () => {
  test('preemption is configurable: Never on a shared cluster, PreemptLowerPriority by default', () => {
    const policy = (overrides: Record<string, any>) => find(allManifests(environment('prio', overrides)), 'PriorityClass', 'nuxeo-prio').preemptionPolicy;
    expect(policy({})).toBe('PreemptLowerPriority');
    expect(policy({ priorityClass: { preemptionPolicy: 'Never' } })).toBe('Never');
  });
});
