/**
 * The Secrets an environment needs, read from its synthesized manifests (secretKeyRef env vars,
 * secret volumes, imagePullSecrets, Ingress TLS), so the list cannot drift from what the pods
 * reference. Only names and keys: values are never known here and never written.
 */

export type SecretType = 'generic' | 'docker-registry' | 'tls';

export interface SecretNeed {
  readonly name: string;
  readonly type: SecretType;
  /** Keys the manifests read, sorted; docker-registry and tls Secrets have their fixed keys. */
  readonly keys: string[];
  /** `Kind/name` of every object that reads it, sorted. */
  readonly readers: string[];
}

interface Manifest { kind: string; metadata: { name: string }; spec?: any }

const FIXED_KEYS: Record<Exclude<SecretType, 'generic'>, string[]> = {
  'docker-registry': ['.dockerconfigjson'],
  'tls': ['tls.crt', 'tls.key'],
};

/** Every Secret the manifests reference, by name. */
export function secretsNeeded(manifests: Manifest[]): SecretNeed[] {
  const found = new Map<string, { type: SecretType; keys: Set<string>; readers: Set<string> }>();
  const add = (name: string, type: SecretType, keys: string[], reader: string) => {
    const entry = found.get(name) ?? { type, keys: new Set<string>(), readers: new Set<string>() };
    keys.forEach((k) => entry.keys.add(k));
    entry.readers.add(reader);
    found.set(name, entry);
  };
  for (const m of manifests) {
    const reader = `${m.kind}/${m.metadata.name}`;
    const pod = m.spec?.template?.spec;
    if (pod) {
      for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef;
          if (ref) add(ref.name, 'generic', [ref.key], reader);
        }
        for (const from of c.envFrom ?? []) {
          if (from.secretRef) add(from.secretRef.name, 'generic', [], reader);
        }
      }
      for (const v of pod.volumes ?? []) {
        if (v.secret) add(v.secret.secretName, 'generic', (v.secret.items ?? []).map((i: any) => i.key), reader);
      }
      for (const s of pod.imagePullSecrets ?? []) add(s.name, 'docker-registry', FIXED_KEYS['docker-registry'], reader);
    }
    if (m.kind === 'Ingress') {
      for (const t of m.spec?.tls ?? []) add(t.secretName, 'tls', FIXED_KEYS.tls, `${reader} (the ingress controller)`);
    }
  }
  return [...found.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, e]) => ({ name, type: e.type, keys: [...e.keys].sort(), readers: [...e.readers].sort() }));
}

/** A `kubectl create secret` line with placeholders, quoted so it is safe to paste and edit. */
export function createSecretCommand(namespace: string, s: SecretNeed): string {
  const head = `kubectl -n ${namespace} create secret ${s.type} ${s.name}`;
  switch (s.type) {
    case 'docker-registry':
      return `${head} --docker-server='<registry host>' --docker-username='<user>' --docker-password='<password or token>'`;
    case 'tls':
      return `${head} --cert='<path to certificate chain>' --key='<path to private key>'`;
    default:
      return `${head} ${s.keys.map((k) => `--from-literal=${k}='<${k}>'`).join(' ')}`;
  }
}

/** The SUMMARY.md section: a table and the commands. */
export function renderSecretsChecklist(namespace: string, secrets: SecretNeed[]): string {
  const rows = secrets.map((s) => `| \`${s.name}\` | ${s.type} | ${s.keys.map((k) => `\`${k}\``).join(', ')} | ${s.readers.join(', ')} |`);
  return `## Secrets to create

The manifests read these Secrets; none is generated. Create them in namespace \`${namespace}\` before applying (values below are placeholders):

| Secret | Type | Keys | Read by |
|---|---|---|---|
${rows.join('\n')}

\`\`\`sh
${secrets.map((s) => createSecretCommand(namespace, s)).join('\n')}
\`\`\`
`;
}
