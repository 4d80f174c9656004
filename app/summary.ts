/**
 * SUMMARY.md written next to each environment's manifests: what a reviewer needs to see in a
 * pull request without reading YAML.
 */
import type { Environment } from './environment';
import { renderBackupTable } from './backup-plan';
import { renderSecretsChecklist, SecretNeed } from './secrets';
import { architectureWarnings } from './warnings';
import { monitoringSelectorWarnings, setupWarnings, tlsDescription } from './setup-warnings';
import { renderTotals, Totals } from './totals';

export interface SummaryFacts {
  /** Output file of each tier, in apply order. */
  readonly files: string[];
  readonly elasticsearchHeapMegabytes: number;
  readonly nuxeoHeapMegabytes: number;
  /**
   * Sentinels needed to agree on a failover.
   * @default - none: no Sentinels (sidecar mode)
   */
  readonly sentinelQuorum?: number;
  /** Every Secret the manifests reference. */
  readonly secrets: SecretNeed[];
  /**
   * The "Monitoring" section: what is scraped and which alerts exist.
   * @default - no section
   */
  readonly monitoring?: string;
  /** Resources and volumes summed from the synthesized manifests. */
  readonly totals: Totals;
}

/** Settings that would silently do nothing or not work; empty when there are none. */
function checkBeforeApplying(env: Environment): string {
  const w = [...setupWarnings(env.spec), ...monitoringSelectorWarnings(env.spec)];
  return w.length ? `## Check before applying\n\n${w.map((x) => `- ${x}`).join('\n')}\n\n` : '';
}

function mermaid(env: Environment): string {
  const s = env.spec;
  const lb = s.loadBalancer;
  const redisSidecar = s.redis.mode === 'sidecar';
  const lines = [
    'flowchart LR',
    `  client([Users]) -->|${lb.host}| lb[Load balancer<br/>${lb.provider}, sticky cookie]`,
    `  lb --> proxy[nginx reverse proxy<br/>x${s.nuxeo.replicas}]`,
    `  subgraph app[Application cluster: StatefulSet nuxeo x${s.nuxeo.replicas}]`,
    '    proxy --> nuxeo[Nuxeo server<br/>Chronicle Queue on local volume]',
    ...(redisSidecar && !s.redis.managed ? ['    nuxeo --> redis[(Redis sidecar<br/>master nuxeo-0, replicas)]'] : []),
    '  end',
    ...(s.redis.managed
      ? [`  nuxeo -->|TLS: ${s.redis.managed.tls}| redis[(Managed Redis<br/>${s.redis.managed.host})]`]
      : redisSidecar
        ? []
        : [`  nuxeo -->|Sentinel| redis[(Redis cluster x${s.redis.replicas}<br/>master/replicas + Sentinel)]`]),
    ...(s.database.managed
      ? [`  nuxeo -->|TLS: ${s.database.managed.tls}| pg[(Managed PostgreSQL<br/>${s.database.managed.host})]`]
      : [
        `  nuxeo -->|postgresql-rw| pg[(PostgreSQL primary)]`,
        s.database.provider === 'cloudnativepg'
          ? `  pg -->|streaming, failover by CloudNativePG| pgr[(PostgreSQL standbys x${s.database.replicas})]`
          : `  pg -->|streaming| pgr[(PostgreSQL replicas x${s.database.replicas})]`,
      ]),
    s.elasticsearch.managed
      ? `  nuxeo --> es[(Managed Elasticsearch<br/>${s.elasticsearch.managed.urls[0]})]`
      : `  nuxeo -->|9200| es[(Elasticsearch x${s.elasticsearch.replicas})]`,
    `  nuxeo --> bin[(Binary store<br/>${s.nuxeo.binaries.type === 's3' ? 'S3' : 'ReadWriteMany volume'})]`,
  ];
  return lines.join('\n');
}

/** The "Images" cell of a managed service: where it is. */
function managedAt(host: string, port: number, tls: boolean): string {
  return `${host}:${port}${tls ? ' (TLS)' : ''}`;
}

export function renderSummary(env: Environment, facts: SummaryFacts): string {
  const s = env.spec;
  const lb = s.loadBalancer;
  const rows: [string, string, string, string, string][] = [
    ['Load balancer', lb.provider, '-', '-', lb.provider === 'service' ? 'LoadBalancer Service' : 'controller-managed'],
    ['Nuxeo (+ nginx proxy)', `${s.nuxeo.replicas} pods`, `${s.nuxeo.resources.limits.memory} (heap ${facts.nuxeoHeapMegabytes}Mi)`, `${s.nuxeo.data.size} per node${s.nuxeo.binaries.type === 'volume' ? ` + ${s.nuxeo.binaries.size} shared binaries` : ''}`, `${s.nuxeo.image}, ${s.nuxeo.proxy.image}`],
    s.redis.managed
      ? ['Redis (managed)', '-', '-', '-', managedAt(s.redis.managed.host, s.redis.managed.port, s.redis.managed.tls)]
      : s.redis.mode === 'sidecar'
      ? ['Redis (sidecar)', `${s.nuxeo.replicas} (1 master, ${s.nuxeo.replicas - 1} replica)`, `${s.redis.resources.limits.memory} (maxmemory ${s.redis.maxmemory})`, `${s.redis.storage.size} per node`, s.redis.image]
      : ['Redis (external + Sentinel)', `${s.redis.replicas} pods, quorum ${facts.sentinelQuorum}`, `${s.redis.resources.limits.memory} (maxmemory ${s.redis.maxmemory})`, `${s.redis.storage.size} per pod`, s.redis.image],
    s.elasticsearch.managed
      ? ['Elasticsearch (managed)', '-', '-', '-', s.elasticsearch.managed.urls.join(', ')]
      : ['Elasticsearch', `${s.elasticsearch.replicas} pods`, `${s.elasticsearch.resources.limits.memory} (heap ${facts.elasticsearchHeapMegabytes}Mi)`, `${s.elasticsearch.storage.size} per pod`, s.elasticsearch.image],
    s.database.managed
      ? ['PostgreSQL (managed)', '-', '-', '-', managedAt(s.database.managed.host, s.database.managed.port, s.database.managed.tls)]
      : s.database.provider === 'cloudnativepg'
      ? ['PostgreSQL (CloudNativePG)', `${1 + s.database.replicas} instances, automatic failover`, s.database.resources.limits.memory, `${s.database.storage.size} per instance`, s.database.cloudnativepg.image]
      : ['PostgreSQL', `1 primary + ${s.database.replicas} replica`, s.database.resources.limits.memory, `${s.database.storage.size} per pod`, s.database.image],
  ];
  return `# Environment \`${env.name}\`

Generated by nuxeo-compact-k8s; do not edit. Namespace \`${s.namespace}\`, host \`${lb.host}\` (${tlsDescription(s)}), Redis mode **${s.redis.mode}**.

| Tier | Replicas | Memory limit | Storage | Images |
|---|---|---|---|---|
${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}

Apply in file order: ${facts.files.map((f) => `\`${f}\``).join(', ')}.

\`\`\`mermaid
${mermaid(env)}
\`\`\`

${renderSecretsChecklist(s.namespace, facts.secrets)}

## Backups

${renderBackupTable(s)}

${checkBeforeApplying(env)}${renderTotals(facts.totals, s)}
## Limits in force

${architectureWarnings(s).map((w) => `- ${w}`).join('\n')}
${facts.monitoring ? `\n${facts.monitoring}` : ''}`;
}
