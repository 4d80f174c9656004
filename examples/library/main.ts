/**
 * Two teams' Nuxeo compact architectures in one cdk8s app, each in its own namespace: team A runs
 * every tier in the cluster (Redis in the Nuxeo pods), team B uses a managed PostgreSQL (Amazon
 * RDS) and its own Redis cluster with Sentinel. `npm run synth` writes dist/<chart>.k8s.yaml.
 */
import { App, Chart } from 'cdk8s';
import { CompactArchitecture, DatabaseSource, NamespaceTier, RedisSource } from 'nuxeo-compact-k8s';

const app = new App({ outdir: 'dist' });

/** The namespace, its PriorityClass and default-deny policy: cluster-level, in a Chart without namespace. */
function namespaceChart(namespace: string): NamespaceTier {
  return new NamespaceTier(new Chart(app, `${namespace}-namespace`), 'namespace', { namespace });
}

const teamA = namespaceChart('team-a');
new CompactArchitecture(new Chart(app, 'team-a', { namespace: 'team-a', disableResourceNameHashes: true }), 'nuxeo', {
  context: { priorityClassName: teamA.priorityClassName, imagePullSecrets: ['nuxeo-registry'] },
  loadBalancer: { host: 'nuxeo.team-a.example.com', tlsSecret: 'team-a-tls' },
  nuxeo: { replicas: 2 },
});

const teamB = namespaceChart('team-b');
new CompactArchitecture(new Chart(app, 'team-b', { namespace: 'team-b', disableResourceNameHashes: true }), 'nuxeo', {
  context: { priorityClassName: teamB.priorityClassName, imagePullSecrets: ['nuxeo-registry'], scheduling: { antiAffinity: 'preferred' } },
  loadBalancer: { host: 'nuxeo.team-b.example.com', provider: 'service' },
  database: DatabaseSource.managed({
    host: 'team-b.abcdefghij.eu-west-1.rds.amazonaws.com',
    password: { name: 'team-b-rds', key: 'password' },
    cidrs: ['10.42.0.0/16'],
  }),
  redis: RedisSource.inCluster({ mode: 'external', replicas: 3 }),
});

app.synth();
