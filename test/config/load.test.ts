import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { EnvironmentError, loadEnvironment, loadEnvironments, renderJsonSchema } from '../../app/load';
import { EXAMPLES, ROOT } from '../helpers';

/** The fields of the nuxeo section, as the committed JSON Schema (test below: fresh) lists them. */
const NUXEO_FIELDS = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, 'schema', 'environment.schema.json'), 'utf8')).properties.nuxeo.properties);
const VALID = `namespace: nuxeo-test
loadBalancer:
  host: nuxeo.example.com
`;

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'env-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

function problemsOf(name: string, text: string): string[] {
  const file = write(name, text);
  try {
    loadEnvironment(file);
  } catch (e) {
    if (e instanceof EnvironmentError) return e.problems.map((p) => p.replace(`${file}: `, ''));
    throw e;
  }
  return [];
}

describe('environment files', () => {
  test('a minimal file gets every default', () => {
    const env = loadEnvironment(write('minimal.yaml', VALID));
    expect(env.name).toBe('minimal');
    expect(env.spec.nuxeo.replicas).toBe(2);
    expect(env.spec.redis.mode).toBe('sidecar');
    expect(env.spec.elasticsearch.replicas).toBe(3);
    expect(env.spec.database.replicas).toBe(1);
    expect(env.spec.loadBalancer.provider).toBe('ingress-nginx');
    expect(env.spec.nuxeo.image).toMatch(/:2021\.[0-9]+$/);
  });

  // Ten distinct mistakes, each reported as `file: field.path: what is allowed`.
  test.each([
    ['wrong-type', `${VALID}nuxeo:\n  replicas: two\n`, 'nuxeo.replicas: must be a number, not string "two"'],
    // Every field of the section, in the schema's order (read from the committed JSON Schema, so adding a setting edits no test).
    ['unknown-key', `${VALID}nuxeo:\n  replica: 3\n`, `nuxeo.replica: unknown field; allowed here: ${NUXEO_FIELDS.join(', ')}`],
    ['missing-required', 'namespace: nuxeo-test\nloadBalancer:\n  provider: traefik\n', 'loadBalancer.host: is required (a string)'],
    ['yaml-syntax', 'namespace: nuxeo-test\nloadBalancer:\n  host: [nuxeo.example.com\n', 'YAML syntax error at line 4, column 1'],
    ['unknown-redis-mode', `${VALID}redis:\n  mode: cluster\n`, "redis.mode: must be 'sidecar' (Redis in every Nuxeo pod) or 'external' (a Redis cluster with Sentinel)"],
    ['nuxeo-below-minimum', `${VALID}nuxeo:\n  replicas: 1\n`, "nuxeo.replicas: must be at least 2: the seed's application cluster has two or more nodes"],
    ['elasticsearch-below-minimum', `${VALID}elasticsearch:\n  replicas: 2\n`, "elasticsearch.replicas: must be at least 3: the seed's Elasticsearch cluster has three or more nodes"],
    ['database-below-minimum', `${VALID}database:\n  replicas: 0\n`, "database.replicas: must be at least 1: the seed's database cluster has two or more nodes (one primary plus replicas)"],
    ['heap-above-limit', `${VALID}elasticsearch:\n  heap: 4Gi\n  resources:\n    limits:\n      memory: 4Gi\n`, 'elasticsearch.heap: 4Gi does not fit in the memory limit 4Gi: keep it at most 75% of it (Elastic advises 50%, the rest is off-heap and file cache)'],
    ['maxmemory-above-limit', `${VALID}redis:\n  maxmemory: 1Gi\n`, 'redis.maxmemory: 1Gi does not fit in the memory limit 512Mi: keep it at most 90% of it (replication buffers and fork need the rest)'],
    ['nuxeo-heap-above-limit', `${VALID}nuxeo:\n  heap: 4Gi\n`, 'nuxeo.heap: 4Gi does not fit in the memory limit 4Gi: keep it at most 80% of it (metaspace, threads and off-heap buffers need the rest)'],
    ['latest-tag', `${VALID}redis:\n  image: redis:latest\n`, "redis.image: must be pinned to a version tag or a digest, not 'latest' (e.g. redis:7.4.6)"],
    ['bad-quantity', `${VALID}database:\n  storage:\n    size: 20 GB\n`, "database.storage.size: must be a memory quantity such as '512Mi' or '2Gi'"],
    ['gateway-without-parent', 'namespace: n\nloadBalancer:\n  host: a.example.com\n  provider: gateway-api\n', "loadBalancer.gateway: is required with provider 'gateway-api': name and namespace of the parent Gateway"],
    ['service-cookie-week', 'namespace: n\nloadBalancer:\n  host: a.example.com\n  provider: service\n  cookieMaxAgeSeconds: 604800\n', "loadBalancer.cookieMaxAgeSeconds: 604800 is above 86400 (one day), the longest ClientIP affinity the API server accepts for provider 'service'"],
    ['image-bad-digest', `${VALID}database:\n  image: postgres@sha256:abc\n`, 'database.image: must be an image with a version tag or a digest'],
    ['existing-account-unnamed', `${VALID}elasticsearch:\n  serviceAccount:\n    create: false\n`, 'elasticsearch.serviceAccount.name: is required when create is false'],
    ['pod-label-ours', `${VALID}nuxeo:\n  podLabels:\n    app.kubernetes.io/name: x\n`, 'nuxeo.podLabels: must not set app.kubernetes.io/* or nuxeo-compact-k8s/* labels'],
    ['bad-node-selector', `${VALID}database:\n  nodeSelector:\n    pool: "db pool"\n`, 'database.nodeSelector.pool: must be a label value'],
    ['bad-toleration', `${VALID}redis:\n  tolerations:\n    - key: dedicated\n      effect: Sometimes\n`, 'redis.tolerations.0.effect:'],
    ['bad-egress-cidr', `${VALID}network:\n  internetEgress:\n    cidrs: [10.0.0.0]\n`, "network.internetEgress.cidrs.0: must be an address block such as '203.0.113.0/24'"],
    ['bad-pod-identity', `${VALID}network:\n  podIdentity: kiam\n`, "network.podIdentity: must be one of 'none', 'irsa', 'eks-pod-identity', 'gke', 'azure'"],
    ['bad-node-affinity', `${VALID}elasticsearch:\n  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n        nodeSelectorTerms:\n          - matchExpressions:\n              - key: pool\n                operator: Equals\n`, 'elasticsearch.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.0.matchExpressions.0.operator:'],
    ['identity-without-s3', `${VALID}network:\n  podIdentity: eks-pod-identity\n`, "network.podIdentity: 'eks-pod-identity' is for Nuxeo's S3 binaries: set nuxeo.binaries.type: s3, or podIdentity: none"],
    ['irsa-without-role', `${VALID}nuxeo:\n  binaries:\n    type: s3\n    s3: {bucket: b-1, region: eu-west-1}\n  packagesInImage: true\nnetwork:\n  podIdentity: irsa\n`, "network.podIdentity: 'irsa' needs the IAM role on Nuxeo's ServiceAccount: nuxeo.serviceAccount.annotations: {eks.amazonaws.com/role-arn:"],
    ['identity-and-keys', `${VALID}nuxeo:\n  binaries:\n    type: s3\n    s3: {bucket: b-1, region: eu-west-1, credentialsSecret: {name: s3}}\n  packagesInImage: true\nnetwork:\n  podIdentity: eks-pod-identity\n`, "network.podIdentity: 'eks-pod-identity' and nuxeo.binaries.s3.credentialsSecret both give S3 credentials: keep one"],
    ['azure-without-label', `${VALID}nuxeo:\n  binaries:\n    type: s3\n    s3: {bucket: b-1, region: eu-west-1}\n  packagesInImage: true\nnetwork:\n  podIdentity: azure\n`, "network.podIdentity: 'azure' needs nuxeo.podLabels: {azure.workload.identity/use: \"true\"}"],
    ['lb-annotations-not-service', `${VALID.replace('  host', '  serviceAnnotations: {a: b}\n  host')}`, "loadBalancer.serviceAnnotations: are only used with provider 'service' (a cloud load balancer), not 'ingress-nginx'"],
    ['huge-timeout', `${VALID.replace('  host', '  timeoutSeconds: 100000\n  host')}`, 'loadBalancer.timeoutSeconds: must be at most 86400 (one day)'],
    ['sentinel-quorum', `${VALID}redis:\n  mode: external\n  sentinel:\n    quorum: 3\n  replicas: 3\n`, 'redis.sentinel.quorum: 3 is above the majority of 3 Sentinels (2): failover could never be agreed'],
    ['too-few-connections', `${VALID}nuxeo:\n  replicas: 6\n`, 'database.maxConnections: 200 is below what 6 Nuxeo nodes with pools of 40 can open (250, with 10 reserved for replication and administration): raise it or lower nuxeo.databasePoolSize'],
    ['not-a-mapping', '- namespace: x\n', '(top level): must be a mapping, not a list'],
    ['secret-in-properties', `${VALID}nuxeo:\n  properties:\n    nuxeo.db.password: hunter2\n`, 'nuxeo.properties.nuxeo.db.password: looks like a secret, and nuxeo.properties is written into a ConfigMap: move it to nuxeo.secretProperties ({name, key} of a Secret)'],
    ['smtp-password-in-properties', `${VALID}nuxeo:\n  properties:\n    mail.transport.password: x\n`, 'nuxeo.properties.mail.transport.password: looks like a secret'],
    ['token-in-properties', `${VALID}nuxeo:\n  properties:\n    nuxeo.oauth2.token: x\n`, 'nuxeo.properties.nuxeo.oauth2.token: looks like a secret'],
    ['key-in-properties', `${VALID}nuxeo:\n  properties:\n    nuxeo.s3storage.crypt.key: x\n`, 'nuxeo.properties.nuxeo.s3storage.crypt.key: looks like a secret'],
    ['newline-in-value', `${VALID}nuxeo:\n  properties:\n    nuxeo.url: "https://a.example.com\\nnuxeo.db.host=evil"\n`, 'nuxeo.properties.nuxeo.url: must be one line without control characters: a newline would add nuxeo.conf lines of its own'],
    ['control-char-in-value', `${VALID}nuxeo:\n  properties:\n    nuxeo.url: "a\\tb"\n`, 'nuxeo.properties.nuxeo.url: must be one line without control characters'],
    ['bad-property-key', `${VALID}nuxeo:\n  properties:\n    "a=b": c\n`, "nuxeo.properties.a=b: must be a nuxeo.conf key: letters, digits, '.', '_' and '-'"],
    ['secret-property-set-twice', `${VALID}nuxeo:\n  secretProperties:\n    nuxeo.db.password: {name: db, key: pw}\n`, 'nuxeo.secretProperties.nuxeo.db.password: is already set from the secrets section: set that one instead'],
    ['secret-variables-collide', `${VALID}nuxeo:\n  secretProperties:\n    a.b: {name: s, key: k}\n    a_b: {name: s, key: k}\n`, "nuxeo.secretProperties.a_b: would share the environment variable NUXEO_SECRET_A_B with a.b"],
    ['packages-without-clid', `${VALID}nuxeo:\n  packages: [nuxeo-web-ui]\n`, 'secrets.nuxeoClid: is required: nuxeo-web-ui would be installed from Nuxeo Connect at every pod start, which needs the instance CLID. Better: build an image with the packages (docker/Dockerfile) and set nuxeo.packagesInImage: true'],
    ['s3-without-clid', `${VALID}nuxeo:\n  binaries:\n    type: s3\n    s3: {bucket: b-1, region: eu-west-1}\n`, 'secrets.nuxeoClid: is required: amazon-s3-online-storage would be installed from Nuxeo Connect at every pod start'],
    ['bad-log-format', `${VALID}nuxeo:\n  logFormat: xml\n`, "nuxeo.logFormat: must be 'text' (Nuxeo's docker template) or 'json' (its docker-json template)"],
  ])('%s', (name, text, expected) => {
    const problems = problemsOf(`${name}.yaml`, text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });

  test('packages need no CLID when they are built into the image, and a secret property needs a Secret', () => {
    expect(problemsOf('in-image.yaml', `${VALID}nuxeo:\n  packagesInImage: true\n  packages: [nuxeo-web-ui]\n  binaries:\n    type: s3\n    s3: {bucket: b-1, region: eu-west-1}\n`)).toEqual([]);
    expect(problemsOf('with-clid.yaml', `${VALID}nuxeo:\n  packages: [nuxeo-web-ui]\nsecrets:\n  nuxeoClid: {name: clid}\n`)).toEqual([]);
    expect(problemsOf('smtp.yaml', `${VALID}nuxeo:\n  secretProperties:\n    mail.transport.password: {name: smtp}\n`)).toEqual(['nuxeo.secretProperties.mail.transport.password.key: is required (a string)']);
  });

  test('every problem of a file is reported in one run, each naming the file', () => {
    const file = write('many.yaml', 'namespace: Bad_Name\nnuxeo:\n  replicas: 1\nredis:\n  mode: cluster\nloadBalancer:\n  host: x.example.com\n  provider: haproxy\n');
    let error: EnvironmentError | undefined;
    try {
      loadEnvironment(file);
    } catch (e) {
      error = e as EnvironmentError;
    }
    expect(error!.problems).toEqual([
      `${file}: namespace: namespace must be a DNS label: lower-case letters, digits and '-'`,
      `${file}: nuxeo.replicas: must be at least 2: the seed's application cluster has two or more nodes`,
      `${file}: redis.mode: must be 'sidecar' (Redis in every Nuxeo pod) or 'external' (a Redis cluster with Sentinel)`,
      `${file}: loadBalancer.provider: must be one of 'ingress-nginx', 'traefik', 'gateway-api', 'service'`,
    ]);
  });

  test('rules across fields still run when other fields of the same object are wrong', () => {
    expect(problemsOf('mixed.yaml', `${VALID}redis:\n  mode: cluster\n  maxmemory: 1Gi\nelasticsearch:\n  replicas: two\n  heap: 8Gi\n`)).toEqual([
      "redis.mode: must be 'sidecar' (Redis in every Nuxeo pod) or 'external' (a Redis cluster with Sentinel)",
      'redis.maxmemory: 1Gi does not fit in the memory limit 512Mi: keep it at most 90% of it (replication buffers and fork need the rest)',
      'elasticsearch.replicas: must be a number, not string "two"',
      'elasticsearch.heap: 8Gi does not fit in the memory limit 4Gi: keep it at most 75% of it (Elastic advises 50%, the rest is off-heap and file cache)',
    ]);
  });

  test('a rule whose own fields are wrong stays quiet instead of failing on them', () => {
    expect(problemsOf('wrong-shapes.yaml', `${VALID}redis: 5\nnuxeo:\n  heap: 1Gi\n  resources: big\n`)).toEqual([
      'nuxeo.resources: must be a mapping, not string "big"',
      'redis: must be a mapping, not number 5',
    ]);
  });

  test('problems of several files are collected before failing', () => {
    const a = write('a.yaml', 'namespace: a\n');
    const b = write('b.yaml', `${VALID}nuxeo:\n  replicas: 1\n`);
    expect(() => loadEnvironments([a, b])).toThrow(EnvironmentError);
    try {
      loadEnvironments([a, b]);
    } catch (e) {
      expect((e as EnvironmentError).problems.map((p) => path.basename(p.split(':')[0]))).toEqual(['a.yaml', 'b.yaml']);
    }
  });

  test('the file name becomes the output folder, so it must be a DNS label', () => {
    expect(problemsOf('Prod_EU.yaml', VALID)).toEqual(["(file name): 'Prod_EU' names the output folder, so it must be a DNS label (lower-case letters, digits, '-')"]);
  });
});

describe('editor schema', () => {
  test('schema/environment.schema.json is generated from the validation schema (run `npm run schema`)', () => {
    expect(fs.readFileSync(path.join(ROOT, 'schema', 'environment.schema.json'), 'utf8')).toBe(renderJsonSchema());
  });

  test('the shipped examples point editors at it (a file of your own needs no such header)', () => {
    for (const name of EXAMPLES) {
      expect(fs.readFileSync(path.join(ROOT, 'environments', `${name}.yaml`), 'utf8').split('\n')[0]).toBe('# yaml-language-server: $schema=../schema/environment.schema.json');
    }
  });

  test('it carries the limits and enums the loader enforces', () => {
    const schema = JSON.parse(renderJsonSchema());
    expect(schema.properties.nuxeo.properties.replicas.minimum).toBe(2);
    expect(schema.properties.elasticsearch.properties.replicas.minimum).toBe(3);
    expect(schema.properties.redis.properties.mode.enum).toEqual(['sidecar', 'external']);
    expect(schema.required).toEqual(['namespace', 'loadBalancer']);
    expect(schema.additionalProperties).toBe(false);
  });
});
