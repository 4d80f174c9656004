/** docs/day2.md's DNS settings, applied as written: the NetworkPolicies let every pod reach exactly that DNS. */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { allManifests, environment, ROOT } from './helpers';

/** The YAML block after `<!-- dns:<name> -->` in docs/day2.md. */
function documented(name: string): Record<string, any> {
  const doc = fs.readFileSync(path.join(ROOT, 'docs', 'day2.md'), 'utf8');
  const at = doc.indexOf(`<!-- dns:${name} -->`);
  if (at < 0) throw new Error(`docs/day2.md has no dns:${name} block`);
  return parse(/```yaml\n([\s\S]*?)```/.exec(doc.slice(at))![1]);
}

/** The DNS egress rule of every NetworkPolicy of an environment with these settings. */
function dnsRules(settings: Record<string, any>) {
  const policies = allManifests(environment('dns', settings)).filter((m) => m.kind === 'NetworkPolicy' && m.spec.egress?.length);
  expect(policies.length).toBeGreaterThanOrEqual(5);
  return policies.map((p) => p.spec.egress[0]);
}

const ports = (rule: any) => rule.ports.map((p: any) => `${p.protocol}/${p.port}`).sort();

test('GKE Cloud DNS: the metadata server 169.254.169.254 on port 53, beside the kube-dns pods', () => {
  for (const rule of dnsRules(documented('gke-cloud-dns'))) {
    expect(rule.to).toContainEqual({ ipBlock: { cidr: '169.254.169.254/32' } });
    expect(ports(rule)).toEqual(['TCP/53', 'UDP/53']);
  }
});

test('NodeLocal DNSCache: its link-local address and the kube-dns Service IP', () => {
  for (const rule of dnsRules(documented('nodelocal-dnscache'))) {
    expect(rule.to).toEqual(expect.arrayContaining([{ ipBlock: { cidr: '169.254.20.10/32' } }, { ipBlock: { cidr: '10.96.0.10/32' } }]));
  }
});

test('OpenShift: the dns-default pods in openshift-dns, on the pods\' port 5353 and on 53', () => {
  for (const rule of dnsRules(documented('openshift'))) {
    expect(rule.to).toContainEqual({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'openshift-dns' } },
      podSelector: { matchLabels: { 'dns.operator.openshift.io/daemonset-dns': 'default' } },
    });
    expect(ports(rule)).toEqual(['TCP/53', 'TCP/5353', 'UDP/53', 'UDP/5353']);
  }
});

test('IPv6-only clusters: a node-local DNS address may be IPv6 (a /128 rule)', () => {
  for (const rule of dnsRules({ network: { dns: { nodeLocalAddresses: ['fd00:10::a'] } } })) {
    expect(rule.to).toContainEqual({ ipBlock: { cidr: 'fd00:10::a/128' } });
  }
});
