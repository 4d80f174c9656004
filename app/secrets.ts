/**
 * The Secrets an environment needs, read from its synthesized manifests, so the list cannot drift
 * from what the objects reference: pod templates (Deployments, StatefulSets, CronJobs: secretKeyRef
 * env vars, secret volumes, imagePullSecrets), Ingress TLS, and the custom resources whose
 * operators read Secrets themselves (CloudNativePG `Cluster`, prometheus-operator monitors). Only
 * names, types and keys (and the one value the manifests fix: a basic-auth `username`): secret
 * values are never known here and never written.
 */

/** `kubectl create secret` sub-command, or `basic-auth` (generic with `--type=kubernetes.io/basic-auth`). */
export type SecretType = 'generic' | 'basic-auth' | 'docker-registry' | 'tls';

export interface SecretNeed {
  readonly name: string;
  readonly type: SecretType;
  /** Keys the manifests read, sorted; docker-registry and tls Secrets have their fixed keys. */
  readonly keys: string[];
  /** `Kind/name` of every object that reads it, sorted. */
  readonly readers: string[];
  /**
   * Keys whose value the manifests fix (a basic-auth `username` must be the role it sets).
   * @default - none
   */
  readonly values?: Readonly<Record<string, string>>;
}

type Manifest = { apiVersion?: string; kind: string; metadata: { name: string }; spec?: any };

/** One reference found in an object. */
interface Ref { name: string; type: SecretType; keys: string[]; values?: Record<string, string> }

const FIXED_KEYS: Record<'docker-registry' | 'tls' | 'basic-auth', string[]> = {
  'docker-registry': ['.dockerconfigjson'],
  'tls': ['tls.crt', 'tls.key'],
  'basic-auth': ['password', 'username'],
};

const generic = (sel: { name: string; key?: string } | undefined): Ref[] => (sel?.name ? [{ name: sel.name, type: 'generic', keys: sel.key ? [sel.key] : [] }] : []);
const pullSecrets = (list: { name: string }[] | undefined): Ref[] => (list ?? []).map((s) => ({ name: s.name, type: 'docker-registry', keys: FIXED_KEYS['docker-registry'] }));

/** The pod spec a workload's controller creates pods from, if any. */
function podSpecOf(m: Manifest): any {
  if (m.kind === 'Pod') return m.spec;
  if (m.kind === 'CronJob') return m.spec?.jobTemplate?.spec?.template?.spec;
  return m.spec?.template?.spec;
}

function podRefs(pod: any): Ref[] {
  const refs: Ref[] = [];
  for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
    for (const e of c.env ?? []) refs.push(...generic(e.valueFrom?.secretKeyRef));
    for (const from of c.envFrom ?? []) refs.push(...generic(from.secretRef));
  }
  for (const v of pod.volumes ?? []) {
    const sources = [v.secret && { name: v.secret.secretName, items: v.secret.items }, ...(v.projected?.sources ?? []).map((p: any) => p.secret)].filter(Boolean);
    for (const s of sources) refs.push({ name: s.name, type: 'generic', keys: (s.items ?? []).map((i: any) => i.key) });
  }
  return [...refs, ...pullSecrets(pod.imagePullSecrets)];
}

/**
 * A barmanObjectStore's credentials (CloudNativePG api/v1 BarmanCredentials: s3Credentials,
 * azureCredentials, googleCredentials, each field a SecretKeySelector) and its endpointCA.
 */
function barmanRefs(store: any): Ref[] {
  if (!store) return [];
  const sets = [store.s3Credentials, store.azureCredentials, store.googleCredentials].filter(Boolean);
  const selectors = sets.flatMap((s: any) => Object.values(s).filter((v: any) => v && typeof v === 'object'));
  return [...selectors, store.endpointCA].flatMap((s: any) => generic(s));
}

/** A basic-auth Secret whose `username` must be `user`. */
const basicAuth = (name: string | undefined, user: string): Ref[] => (name ? [{ name, type: 'basic-auth', keys: FIXED_KEYS['basic-auth'], values: { username: user } }] : []);

/**
 * CloudNativePG `Cluster` (v1.30): the application role's Secret of `bootstrap.initdb` /
 * `bootstrap.recovery` (kubernetes.io/basic-auth, `username` = the owner: the instance manager
 * reads both keys and refuses another user, internal/management/controller/instance_controller.go
 * reconcileUser; the initdb Job waits for `username`, pkg/specs/jobs.go, `optional: false`), the
 * superuser Secret (user `postgres`), the object stores' credentials, external clusters'
 * connection Secrets and the pull Secrets. A `ScheduledBackup` reads none: it uses its Cluster's.
 */
function clusterRefs(spec: any): Ref[] {
  const boot = spec.bootstrap?.initdb ?? spec.bootstrap?.recovery ?? spec.bootstrap?.pg_basebackup;
  return [
    ...basicAuth(boot?.secret?.name, boot?.owner ?? boot?.database ?? 'app'),
    ...basicAuth(spec.superuserSecret?.name, 'postgres'),
    ...barmanRefs(spec.backup?.barmanObjectStore),
    ...(spec.externalClusters ?? []).flatMap((c: any) => [
      ...barmanRefs(c.barmanObjectStore),
      ...[c.password, c.sslKey, c.sslCert, c.sslRootCert].flatMap(generic),
    ]),
    ...pullSecrets(spec.imagePullSecrets),
  ];
}

/**
 * prometheus-operator PodMonitor / ServiceMonitor endpoints: Prometheus reads these Secrets (in
 * the monitor's namespace) to scrape (v0.89 Endpoint / PodMetricsEndpoint: basicAuth,
 * bearerTokenSecret, authorization, oauth2, tlsConfig).
 */
function monitorRefs(spec: any): Ref[] {
  return [...(spec.podMetricsEndpoints ?? []), ...(spec.endpoints ?? [])].flatMap((e: any) => [
    e.basicAuth?.username, e.basicAuth?.password, e.bearerTokenSecret, e.authorization?.credentials,
    e.oauth2?.clientId?.secret, e.oauth2?.clientSecret, e.tlsConfig?.ca?.secret, e.tlsConfig?.cert?.secret, e.tlsConfig?.keySecret,
  ].flatMap(generic));
}

/** Every Secret one object references. */
function refsOf(m: Manifest): { refs: Ref[]; reader: string } {
  const reader = `${m.kind}/${m.metadata.name}`;
  const pod = podSpecOf(m);
  if (pod) return { refs: podRefs(pod), reader };
  if (m.kind === 'Ingress') return { refs: (m.spec?.tls ?? []).map((t: any) => ({ name: t.secretName, type: 'tls', keys: FIXED_KEYS.tls })), reader: `${reader} (the ingress controller)` };
  if (m.kind === 'Cluster' && m.apiVersion?.startsWith('postgresql.cnpg.io/')) return { refs: clusterRefs(m.spec ?? {}), reader: `${reader} (the CloudNativePG operator)` };
  if (['PodMonitor', 'ServiceMonitor'].includes(m.kind) && m.apiVersion?.startsWith('monitoring.coreos.com/')) return { refs: monitorRefs(m.spec ?? {}), reader: `${reader} (Prometheus)` };
  return { refs: [], reader };
}

interface Entry { type: SecretType; keys: Set<string>; readers: Set<string>; values: Record<string, string> }

/** Folds one reference into what is known of its Secret; a Secret cannot be of two fixed types. */
function merge(entry: Entry | undefined, ref: Ref, reader: string): Entry {
  const e = entry ?? { type: ref.type, keys: new Set<string>(), readers: new Set<string>(), values: {} };
  if (e.type !== ref.type && ref.type !== 'generic') {
    // basic-auth keys are plain keys to a generic reader: the stricter type wins.
    if (e.type !== 'generic') throw new Error(`Secret ${ref.name} is read as ${e.type} and as ${ref.type} (${reader}): give one of them another Secret`);
    e.type = ref.type;
  }
  for (const [k, v] of Object.entries(ref.values ?? {})) {
    if (e.values[k] !== undefined && e.values[k] !== v) throw new Error(`Secret ${ref.name} must hold ${k} '${e.values[k]}' and '${v}' (${reader}): give one of them another Secret`);
    e.values[k] = v;
  }
  ref.keys.forEach((k) => e.keys.add(k));
  e.readers.add(reader);
  return e;
}

/** Every Secret the manifests reference, by name. */
export function secretsNeeded(manifests: Manifest[]): SecretNeed[] {
  const found = new Map<string, Entry>();
  for (const m of manifests) {
    const { refs, reader } = refsOf(m);
    for (const r of refs) found.set(r.name, merge(found.get(r.name), r, reader));
  }
  return [...found.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, e]) => ({
      name, type: e.type, keys: [...e.keys].sort(), readers: [...e.readers].sort(),
      ...(Object.keys(e.values).length ? { values: e.values } : {}),
    }));
}

/** `--from-literal` for each key: the fixed value where the manifests fix it, else a placeholder. */
const literals = (s: SecretNeed) => s.keys.map((k) => `--from-literal=${k}='${s.values?.[k] ?? `<${k}>`}'`).join(' ');

/** A `kubectl create secret` line with placeholders, quoted so it is safe to paste and edit. */
export function createSecretCommand(namespace: string, s: SecretNeed): string {
  const head = (sub: string) => `kubectl -n ${namespace} create secret ${sub} ${s.name}`;
  switch (s.type) {
    case 'docker-registry':
      return `${head('docker-registry')} --docker-server='<registry host>' --docker-username='<user>' --docker-password='<password or token>'`;
    case 'tls':
      return `${head('tls')} --cert='<path to certificate chain>' --key='<path to private key>'`;
    case 'basic-auth':
      return `${head('generic')} --type=kubernetes.io/basic-auth ${literals(s)}`;
    default:
      return `${head('generic')} ${literals(s)}`;
  }
}

const TYPE_LABEL: Record<SecretType, string> = { 'generic': 'Opaque', 'basic-auth': 'kubernetes.io/basic-auth', 'docker-registry': 'kubernetes.io/dockerconfigjson', 'tls': 'kubernetes.io/tls' };

/** The SUMMARY.md section: a table and the commands. */
export function renderSecretsChecklist(namespace: string, secrets: SecretNeed[]): string {
  const key = (s: SecretNeed, k: string) => `\`${k}\`${s.values?.[k] !== undefined ? ` (= \`${s.values[k]}\`)` : ''}`;
  const rows = secrets.map((s) => `| \`${s.name}\` | ${TYPE_LABEL[s.type]} | ${s.keys.map((k) => key(s, k)).join(', ')} | ${s.readers.join(', ')} |`);
  return `## Secrets to create

The manifests read these Secrets; none is generated. Create them in namespace \`${namespace}\` before applying (values below are placeholders, except where a key's value is given):

| Secret | Type | Keys | Read by |
|---|---|---|---|
${rows.join('\n')}

\`\`\`sh
${secrets.map((s) => createSecretCommand(namespace, s)).join('\n')}
\`\`\`
`;
}
