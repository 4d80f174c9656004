/**
 * The consolidated kube-score / kube-linter / Polaris / Pod Security "restricted" checklist
 * (shared/reference/kubernetes-ha-security.md, section 5.5), asserted on every object of every
 * shipped environment and of the Redis-mode x load-balancer matrix, with zero exemptions.
 * Each violation names the object, the container where there is one, and the rule with its tool ids.
 */
import { contains, strictlyContains } from '../lib/k8s/cidr';
import type { Environment } from '../app/environment';
import { PRIVATE_RANGES } from '../lib/k8s/settings';
import { CONTROLLER_DEFAULTS } from '../lib/load-balancer/settings';
import { allContainers, allManifests, cloudEnvironments, environmentMatrix, Manifest, matches, operatorPods, podTemplates, workloads } from './helpers';

const SENSITIVE = /password|token|secret|bearer/i;
const RESTRICTED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
// postgresql.cnpg.io/v1: CloudNativePG's API, stable (v1) since the operator's 1.0.
const STABLE_APIS = ['v1', 'apps/v1', 'policy/v1', 'networking.k8s.io/v1', 'scheduling.k8s.io/v1', 'gateway.networking.k8s.io/v1', 'monitoring.coreos.com/v1', 'postgresql.cnpg.io/v1', 'batch/v1'];

type Check = (manifests: Manifest[], report: (object: string, rule: string) => void, env: Environment) => void;

const id = (m: Manifest) => `${m.kind}/${m.metadata.name}`;

function probeTarget(p: any): string {
  return JSON.stringify(p.httpGet ? { http: [p.httpGet.path, p.httpGet.port] } : p.tcpSocket ? { tcp: p.tcpSocket.port } : p.grpc ? { grpc: p.grpc.port } : { exec: p.exec?.command });
}

const checks: Record<string, Check> = {
  'A. security context of every container and pod'(manifests, report) {
    for (const w of podTemplates(manifests)) {
      const pod = w.spec.template.spec;
      const psc = pod.securityContext ?? {};
      if (psc.runAsNonRoot !== true) report(id(w), 'pod runAsNonRoot: true [PSS runAsNonRoot, kube-linter run-as-non-root, Polaris runAsRootAllowed]');
      if (psc.seccompProfile?.type !== 'RuntimeDefault') report(id(w), 'pod seccompProfile RuntimeDefault [PSS seccompProfile_restricted, Polaris linuxHardening]');
      for (const f of ['hostNetwork', 'hostPID', 'hostIPC']) if (pod[f]) report(id(w), `no ${f} [PSS host namespaces, kube-linter host-*]`);
      if (pod.automountServiceAccountToken !== false) report(id(w), 'automountServiceAccountToken: false [Polaris automountServiceAccountToken]');
      if (pod.serviceAccountName && !manifests.some((m) => m.kind === 'ServiceAccount' && m.metadata.name === pod.serviceAccountName)) report(id(w), 'serviceAccountName exists [kube-linter non-existent-service-account]');
      if (!pod.serviceAccountName || pod.serviceAccountName === 'default') report(id(w), 'a ServiceAccount of its own, not the namespace default [kube-linter default-service-account]');
      const account = manifests.find((m) => m.kind === 'ServiceAccount' && m.metadata.name === pod.serviceAccountName);
      if (account && account.automountServiceAccountToken !== false) report(`ServiceAccount/${account.metadata.name}`, 'automountServiceAccountToken: false on the account too [CIS 5.1.6]');
      for (const v of pod.volumes ?? []) {
        const type = Object.keys(v).find((k) => k !== 'name')!;
        if (!RESTRICTED_VOLUMES.includes(type)) report(id(w), `volume ${v.name}: type ${type} not allowed [PSS restrictedVolumes, kube-linter sensitive-host-mounts]`);
      }
      if (pod.securityContext?.sysctls?.length) report(id(w), 'no sysctls [PSS sysctls, kube-linter unsafe-sysctls]');
      for (const c of allContainers(pod)) {
        const where = `${id(w)} container ${c.name}`;
        const sc = c.securityContext ?? {};
        if (sc.allowPrivilegeEscalation !== false) report(where, 'allowPrivilegeEscalation: false [PSS, Polaris privilegeEscalationAllowed, kube-linter privilege-escalation-container]');
        if (sc.privileged) report(where, 'not privileged [PSS privileged, kube-score, kube-linter privileged-container, Polaris runAsPrivileged]');
        if (!(sc.capabilities?.drop ?? []).includes('ALL')) report(where, 'capabilities drop ALL [PSS capabilities_restricted, Polaris insecureCapabilities]');
        if ((sc.capabilities?.add ?? []).some((cap: string) => cap !== 'NET_BIND_SERVICE')) report(where, 'no added capabilities [PSS capabilities_restricted]');
        const uid = sc.runAsUser ?? psc.runAsUser;
        const gid = sc.runAsGroup ?? psc.runAsGroup;
        if (!(uid >= 10000) || !(gid >= 10000)) report(where, `runAsUser/runAsGroup >= 10000, got ${uid}/${gid} [kube-score container-security-context-user-group-id, PSS runAsUser]`);
        if (sc.runAsNonRoot === false) report(where, 'runAsNonRoot not false [PSS runAsNonRoot]');
        if (sc.readOnlyRootFilesystem !== true) report(where, 'readOnlyRootFilesystem: true [kube-score, kube-linter no-read-only-root-fs, Polaris notReadOnlyRootFilesystem]');
        if (sc.procMount && sc.procMount !== 'Default') report(where, 'procMount Default [PSS procMount]');
        if ((c.ports ?? []).some((p: any) => p.hostPort)) report(where, 'no hostPort [PSS hostPorts, Polaris hostPortSet]');
      }
    }
  },

  'B. resources of every container'(manifests, report) {
    for (const w of podTemplates(manifests)) {
      for (const c of allContainers(w.spec.template.spec)) {
        const r = c.resources ?? {};
        for (const kind of ['requests', 'limits']) {
          for (const res of ['cpu', 'memory', 'ephemeral-storage']) {
            if (!r[kind]?.[res]) report(`${id(w)} container ${c.name}`, `${kind}.${res} set [kube-score container-resources / container-ephemeral-storage-request-and-limit, kube-linter unset-*-requirements, Polaris cpu/memory*]`);
          }
        }
      }
    }
  },

  'C. probes of every long-running container'(manifests, report) {
    for (const w of workloads(manifests)) {
      const pod = w.spec.template.spec;
      for (const c of pod.containers) {
        const where = `${id(w)} container ${c.name}`;
        if (!c.readinessProbe || !c.livenessProbe) {
          report(where, 'readiness and liveness probes [Polaris readinessProbeMissing/livenessProbeMissing, kube-score pod-probes]');
          continue;
        }
        if (probeTarget(c.readinessProbe) === probeTarget(c.livenessProbe)) report(where, 'readiness and liveness probes differ [kube-score pod-probes-identical]');
        const declared = (c.ports ?? []).flatMap((p: any) => [p.name, p.containerPort]);
        for (const [kind, p] of [['readiness', c.readinessProbe], ['liveness', c.livenessProbe], ['startup', c.startupProbe]] as const) {
          if (!p) continue;
          const port = p.httpGet?.port ?? p.tcpSocket?.port;
          if (port !== undefined && !declared.includes(port)) report(where, `${kind} probe port ${port} is a declared container port [kube-linter ${kind}-port]`);
          if (p.httpGet?.host || p.tcpSocket?.host) report(where, `${kind} probe has no host [PSS hostProbesAndHostLifecycle]`);
        }
      }
      for (const c of pod.initContainers ?? []) {
        if (c.readinessProbe || c.livenessProbe || c.startupProbe) report(`${id(w)} init container ${c.name}`, 'init containers carry no probes [API validation]');
      }
    }
  },

  'D. disruption budgets, spreading, priority and quorum'(manifests, report) {
    for (const w of workloads(manifests)) {
      const labels = w.spec.template.metadata.labels;
      const pdbs = manifests.filter((m) => m.kind === 'PodDisruptionBudget' && matches(m.spec.selector.matchLabels, labels));
      if (pdbs.length !== 1) report(id(w), `exactly one PodDisruptionBudget selects its pods, found ${pdbs.length} [kube-score *-has-poddisruptionbudget, Polaris missingPodDisruptionBudget]`);
      for (const pdb of pdbs) {
        if (pdb.apiVersion !== 'policy/v1') report(id(pdb), 'policy/v1 [kube-score stable-version]');
        if (pdb.spec.maxUnavailable !== 1 || pdb.spec.minAvailable !== undefined) report(id(pdb), 'maxUnavailable: 1 [kube-score poddisruptionbudget-has-policy, kube-linter pdb-max-unavailable, Polaris pdbDisruptionsIsZero]');
        if (!pdb.spec.unhealthyPodEvictionPolicy) report(id(pdb), 'unhealthyPodEvictionPolicy set [kube-linter pdb-unhealthy-pod-eviction-policy]');
      }
      const pod = w.spec.template.spec;
      const anti = pod.affinity?.podAntiAffinity ?? {};
      const terms = [...(anti.requiredDuringSchedulingIgnoredDuringExecution ?? []), ...(anti.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t: any) => t.podAffinityTerm)];
      if (!terms.some((t: any) => t.topologyKey === 'kubernetes.io/hostname' && matches(t.labelSelector.matchLabels, labels))) {
        report(id(w), 'podAntiAffinity on kubernetes.io/hostname matching its own pods [kube-linter no-anti-affinity, kube-score *-has-host-podantiaffinity]');
      }
      const spread = pod.topologySpreadConstraints ?? [];
      if (!spread.some((s: any) => s.maxSkew >= 1 && s.topologyKey && ['DoNotSchedule', 'ScheduleAnyway'].includes(s.whenUnsatisfiable) && matches(s.labelSelector.matchLabels, labels))) {
        report(id(w), 'a valid topologySpreadConstraint over its own pods [Polaris topologySpreadConstraint, kube-score pod-topology-spread-constraints]');
      }
      if (!pod.priorityClassName || !manifests.some((m) => m.kind === 'PriorityClass' && m.metadata.name === pod.priorityClassName)) {
        report(id(w), 'priorityClassName set to an emitted PriorityClass [Polaris priorityClassNotSet]');
      }
      if (w.metadata.labels?.['app.kubernetes.io/instance'] !== w.metadata.name) report(id(w), 'app.kubernetes.io/instance equals metadata.name [Polaris metadataAndInstanceMismatched]');
      if (!matches(w.spec.selector.matchLabels, labels)) report(id(w), 'selector matches template labels [kube-linter mismatching-selector]');
    }
    const replicas = (name: string) => manifests.find((m) => m.kind === 'StatefulSet' && m.metadata.name === name)?.spec.replicas ?? 0;
    if (replicas('elasticsearch') < 3) report('StatefulSet/elasticsearch', '>= 3 master-eligible nodes [quorum]');
    const cnpgInstances = manifests.find((m) => m.kind === 'Cluster')?.spec.instances ?? 0;
    if (replicas('postgresql-primary') + replicas('postgresql-replica') + cnpgInstances < 2) report('StatefulSet/postgresql-*', '>= 2 database instances [seed]');
    if (replicas('redis') && replicas('redis') < 3) report('StatefulSet/redis', '>= 3 Sentinels on distinct nodes [Sentinel majority]');
  },

  'E. network policies'(manifests, report, env) {
    const policies = manifests.filter((m) => m.kind === 'NetworkPolicy');
    const pods = [
      ...podTemplates(manifests).map((w) => ({ id: id(w), labels: w.spec.template.metadata.labels as Record<string, string>, listens: allContainers(w.spec.template.spec).some((c) => c.ports?.length) })),
      ...operatorPods(manifests).map((p) => ({ ...p, listens: true })),
    ];
    for (const w of pods) {
      {
        const labels = w.labels;
        const selecting = policies.filter((p) => matches(p.spec.podSelector.matchLabels ?? {}, labels));
        for (const dir of ['Ingress', 'Egress']) {
          if (!selecting.some((p) => p.spec.policyTypes.includes(dir))) report(w.id, `selected by a NetworkPolicy for ${dir} [kube-score pod-networkpolicy]`);
        }
        const own = selecting.filter((p) => Object.keys(p.spec.podSelector.matchLabels ?? {}).length === 1);
        if (own.length !== 1) report(w.id, `exactly one policy of its own with a single-label podSelector, found ${own.length} [Polaris missingNetworkPolicy]`);
        for (const p of own) {
          // A pod with no port (a backup job) gets no ingress rule at all: everything in stays denied.
          if ((w.listens && !p.spec.ingress?.length) || !p.spec.egress?.length) report(id(p), 'non-empty ingress and egress [Polaris missingNetworkPolicy]');
          if (!(p.spec.policyTypes.includes('Ingress') && p.spec.policyTypes.includes('Egress'))) report(id(p), 'policyTypes Ingress and Egress [Polaris missingNetworkPolicy]');
        }
      }
    }
    for (const p of policies) {
      const sel = p.spec.podSelector.matchLabels ?? {};
      if (Object.keys(sel).length && !pods.some((w) => matches(sel, w.labels))) report(id(p), 'selects at least one pod [kube-score networkpolicy-targets-pod]');
    }
    if (!policies.some((p) => Object.keys(p.spec.podSelector).length === 0 && p.spec.policyTypes.length === 2 && !p.spec.ingress && !p.spec.egress)) {
      report('NetworkPolicy/default-deny-all', 'namespace default deny for both directions');
    }
    // Least privilege for egress: every rule names its destinations and ports; nothing reaches the
    // private ranges by address; DNS goes to the DNS pods only; only Nuxeo leaves the cluster.
    // CloudNativePG instances also leave the cluster, for the object store (WAL archive, base
    // backups), and reach the API server by address: its endpoints are cluster-specific and
    // private, so that one rule (only database.cloudnativepg.apiServer's ports) has no exceptions.
    const cnpg = env.spec.database.provider === 'cloudnativepg' ? env.spec.database.cloudnativepg.apiServer : undefined;
    for (const p of policies) {
      const instance = p.spec.podSelector.matchLabels?.['app.kubernetes.io/instance'];
      const isNuxeo = instance === 'nuxeo';
      const isCnpg = cnpg !== undefined && instance === 'postgresql';
      for (const rule of p.spec.egress ?? []) {
        const ports = (rule.ports ?? []).map((pp: any) => pp.port);
        const apiServerRule = cnpg !== undefined && isCnpg && ports.length === cnpg.ports.length && ports.every((port: number) => cnpg.ports.includes(port)) && (rule.to ?? []).every((peer: any) => cnpg.cidrs.includes(peer.ipBlock?.cidr));
        if (apiServerRule) continue;
        if (!rule.to?.length) report(id(p), `egress to ports ${ports.join(',') || 'all'} names its destinations (no rule open to every address)`);
        if (!ports.length) report(id(p), 'egress rule names its ports');
        for (const peer of rule.to ?? []) {
          const block = peer.ipBlock;
          if (!block) continue;
          if (!isNuxeo && !isCnpg && !ports.every((port: number) => port === 53)) report(id(p), `no address-block egress (${block.cidr}) outside Nuxeo and CloudNativePG instances, but node-local DNS`);
          if (ports.includes(53) && !/\/32$/.test(block.cidr)) report(id(p), `DNS egress to ${block.cidr}: only the DNS pods or a node-local address`);
          if (/\/0$/.test(block.cidr)) {
            const missing = PRIVATE_RANGES.filter((r) => strictlyContains(block.cidr, r) && !(block.except ?? []).includes(r));
            if (missing.length) report(id(p), `egress to ${block.cidr} excepts the private ranges, missing ${missing.join(', ')}`);
          }
        }
      }
    }
  },

  'F. images'(manifests, report) {
    for (const w of podTemplates(manifests)) {
      for (const c of allContainers(w.spec.template.spec)) {
        const digest = /@sha256:[a-f0-9]{64}$/.test(c.image);
        const tag = /:([^/:@]+)$/.exec(c.image)?.[1];
        if (!digest && (!tag || tag === 'latest')) report(`${id(w)} container ${c.name}`, 'image pinned to a version tag or a digest [kube-score container-image-tag, kube-linter latest-tag, Polaris tagNotSpecified]');
        // A digest cannot change: IfNotPresent (a deliberate exception to kube-score/Polaris, issue 12). A tag can: Always.
        const expected = digest ? 'IfNotPresent' : 'Always';
        if (c.imagePullPolicy !== expected) report(`${id(w)} container ${c.name}`, `imagePullPolicy ${expected} for ${digest ? 'a digest' : 'a tag'} [kube-score container-image-pull-policy, Polaris pullPolicyNotAlways]`);
      }
    }
  },

  'G. services, ports, APIs, names and labels'(manifests, report) {
    const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
    const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
    for (const m of manifests) {
      if (!STABLE_APIS.includes(m.apiVersion)) report(id(m), `stable API, not ${m.apiVersion} [kube-score stable-version, kube-linter no-extensions-v1beta]`);
      // Services, StatefulSets (their pods' host names) and most kinds need DNS-label names.
      if (!DNS_LABEL.test(m.metadata.name)) report(id(m), 'name is a DNS label of at most 63 characters [API validation]');
      const labelSets: Record<string, string>[] = [m.metadata.labels ?? {}, m.spec?.template?.metadata?.labels ?? {}];
      for (const labels of labelSets) {
        for (const [k, v] of Object.entries(labels)) if (!LABEL_VALUE.test(v)) report(id(m), `label ${k}=${v} is a valid label value [kube-score label-values]`);
      }
    }
    for (const svc of manifests.filter((m) => m.kind === 'Service')) {
      // Both tools skip ExternalName Services; every other one must match a pod template as written.
      if (svc.spec.type !== 'ExternalName') {
        if (!svc.spec.selector || !Object.keys(svc.spec.selector).length) report(id(svc), 'has a selector [kube-linter dangling-service]');
        else if (!workloads(manifests).some((w) => w.metadata.namespace === svc.metadata.namespace && matches(svc.spec.selector, w.spec.template.metadata.labels))) {
          report(id(svc), 'selector matches a pod template [kube-score service-targets-pod, kube-linter dangling-service]');
        }
      }
      if (svc.spec.type === 'NodePort') report(id(svc), 'not NodePort [kube-score service-type]');
      for (const p of svc.spec.ports) {
        if (p.port === 22 || p.targetPort === 22) report(id(svc), 'no port 22 [kube-linter ssh-port]');
        if (typeof p.targetPort === 'string' && !/^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(p.targetPort)) report(id(svc), `port name ${p.targetPort} is an IANA_SVC_NAME [kube-linter invalid-target-ports]`);
      }
    }
    for (const w of workloads(manifests)) {
      for (const c of allContainers(w.spec.template.spec)) {
        for (const p of c.ports ?? []) if (p.name && p.name.length > 15) report(`${id(w)} container ${c.name}`, `port name ${p.name} <= 15 characters [kube-linter invalid-target-ports]`);
      }
    }
    // Values the API server or the CRDs refuse (shared/reference/images.md).
    for (const svc of manifests.filter((m) => m.kind === 'Service')) {
      const t = svc.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
      if (t !== undefined && !(t >= 1 && t <= 86400)) report(id(svc), `sessionAffinityConfig.clientIP.timeoutSeconds ${t} within 1..86400 [API validation]`);
    }
    const DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;
    for (const route of manifests.filter((m) => m.kind === 'HTTPRoute')) {
      for (const rule of route.spec.rules) {
        const durations = { ...rule.timeouts, absoluteTimeout: rule.sessionPersistence?.absoluteTimeout, idleTimeout: rule.sessionPersistence?.idleTimeout };
        for (const [field, d] of Object.entries(durations)) {
          if (d !== undefined && !DURATION.test(d as string)) report(id(route), `${field} ${d} is a Gateway API Duration [GEP-2257, CRD validation]`);
        }
      }
    }
    for (const ing of manifests.filter((m) => m.kind === 'Ingress')) {
      if (!ing.spec.tls?.length) report(id(ing), 'has spec.tls [Polaris tlsSettingsMissing]');
      for (const rule of ing.spec.rules) {
        for (const path of rule.http.paths) {
          const svc = manifests.find((m) => m.kind === 'Service' && m.metadata.name === path.backend.service.name);
          if (!svc || !svc.spec.ports.some((p: any) => p.name === path.backend.service.port.name || p.port === path.backend.service.port.number)) {
            report(id(ing), 'backend names an existing Service and port [kube-score ingress-targets-service]');
          }
        }
      }
    }
  },

  'H. secrets never in env values or ConfigMaps'(manifests, report) {
    for (const w of workloads(manifests)) {
      for (const c of allContainers(w.spec.template.spec)) {
        const names = (c.env ?? []).map((e: any) => e.name);
        if (new Set(names).size !== names.length) report(`${id(w)} container ${c.name}`, 'no duplicate env names [kube-score environment-variable-key-duplication, kube-linter duplicate-env-var]');
        for (const e of c.env ?? []) {
          if (e.value !== undefined && SENSITIVE.test(e.name)) report(`${id(w)} container ${c.name}`, `env ${e.name} has no literal value [Polaris sensitiveContainerEnvVar, kube-linter env-var-secret]`);
        }
      }
    }
    for (const cm of manifests.filter((m) => m.kind === 'ConfigMap')) {
      for (const [key, value] of Object.entries(cm.data ?? {})) {
        if (SENSITIVE.test(key)) report(id(cm), `key ${key} names no secret [Polaris sensitiveConfigmapContent]`);
        if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(value)) report(id(cm), `key ${key} holds no private key [Polaris sensitiveConfigmapContent]`);
      }
    }
    if (manifests.some((m) => m.kind === 'Secret')) report('Secret/*', 'no Secret is generated: passwords come from existing Secrets');
  },
};

// The matrix (shipped examples, the README's minimal file, modes x providers) and the cloud
// environments (pod identities, node-local DNS, narrowed egress, placement).
describe.each([...environmentMatrix(), ...cloudEnvironments()].map((e) => [e.name, e] as const))('environment %s', (_name, env) => {
  const manifests = allManifests(env);
  test.each(Object.keys(checks))('%s', (name) => {
    const violations: string[] = [];
    checks[name](manifests, (object, rule) => violations.push(`${object}: ${rule}`), env);
    expect(violations).toEqual([]);
  });
});

/**
 * An endpoint of a connection: a pod (labels, namespace and its address) or an address outside
 * the cluster (no labels, namespace 'outside'). Pods get addresses in 10.0.0.0/8, as most pod
 * networks do, so an address block that failed to except the private ranges would reach them.
 */
type Endpoint = { labels: Record<string, string>; namespace: string; ip: string };
const outside = (ip: string): Endpoint => ({ labels: {}, namespace: 'outside', ip });
const POD_IP = '10.12.0.7';

const inBlock = (ip: string, cidr: string) => contains(cidr, `${ip}/${ip.includes(':') ? 128 : 32}`);

/** Connections NetworkPolicies allow between two endpoints: the source's egress and the destination's ingress must both allow it. */
function allowed(manifests: Manifest[], from: Endpoint, to: Endpoint, port: number, protocol = 'TCP'): boolean {
  const policies = manifests.filter((m) => m.kind === 'NetworkPolicy');
  const peerMatches = (peer: any, end: Endpoint, policyNs: string) => {
    if (peer.ipBlock) return inBlock(end.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((e: string) => inBlock(end.ip, e));
    if (end.namespace === 'outside') return false;
    const ns = peer.namespaceSelector ? peer.namespaceSelector.matchLabels?.['kubernetes.io/metadata.name'] === end.namespace : end.namespace === policyNs;
    return ns && matches(peer.podSelector?.matchLabels ?? {}, end.labels);
  };
  const side = (end: Endpoint, other: Endpoint, dir: 'ingress' | 'egress', peersKey: 'from' | 'to') => {
    // An endpoint outside our namespaces (the ingress controller, a client, DNS) is governed by policies we do not write.
    if (!policies.some((p) => p.metadata.namespace === end.namespace)) return true;
    const selecting = policies.filter((p) => p.metadata.namespace === end.namespace && matches(p.spec.podSelector.matchLabels ?? {}, end.labels) && p.spec.policyTypes.includes(dir === 'ingress' ? 'Ingress' : 'Egress'));
    return selecting.some((p) => (p.spec[dir] ?? []).some((rule: any) =>
      (!rule.ports || rule.ports.some((pp: any) => pp.port === port && (pp.protocol ?? 'TCP') === protocol)) &&
      (!rule[peersKey] || rule[peersKey].some((peer: any) => peerMatches(peer, other, p.metadata.namespace!)))));
  };
  return side(from, to, 'egress', 'to') && side(to, from, 'ingress', 'from');
}

describe.each([...environmentMatrix(), ...cloudEnvironments()].map((e) => [e.name, e] as const))('network paths of %s', (_name, env) => {
  const manifests = allManifests(env);
  const ns = env.spec.namespace;
  const operatorPod = operatorPods(manifests)[0];
  const pod = (instance: string): Endpoint => ({ labels: podTemplates(manifests).find((w) => w.metadata.name === instance)!.spec.template.metadata.labels, namespace: ns, ip: POD_IP });
  // With CloudNativePG, primary and replicas are the Cluster's instances, whichever holds the role now.
  const dbPod = (role: 'primary' | 'replica'): Endpoint => (operatorPod ? { labels: operatorPod.labels, namespace: ns, ip: POD_IP } : pod(`postgresql-${role}`));
  const cnpgOperator = (namespace: string): Endpoint => ({ labels: env.spec.database.cloudnativepg.operator.podLabels, namespace, ip: '10.20.0.7' });
  const lb = env.spec.loadBalancer;
  const controller: Endpoint = lb.provider === 'service'
    ? outside('198.51.100.20')
    : { labels: (lb.controller ?? CONTROLLER_DEFAULTS[lb.provider]).podLabels, namespace: (lb.controller ?? CONTROLLER_DEFAULTS[lb.provider]).namespace, ip: '10.20.0.9' };
  const dns = env.spec.network.dns;
  const dnsPod: Endpoint = { labels: dns.podLabels, namespace: dns.namespace, ip: '10.96.0.10' };
  const pods = workloads(manifests).map((w) => w.metadata.name);
  const s3 = env.spec.nuxeo.binaries.type === 's3';
  const internet = s3 || env.spec.nuxeo.packages.length > 0;
  const identity = env.spec.network.podIdentity;
  // An address every internet-egress setting of these environments lets through (an S3 endpoint).
  const s3Address = '52.217.0.10';
  const external = env.spec.redis.mode === 'external';

  test('the architecture\'s connections are open', () => {
    const paths: [string, any, any, number][] = [
      ['load balancer -> proxies', controller, pod('nuxeo'), 8000],
      ['Nuxeo -> PostgreSQL primary', pod('nuxeo'), dbPod('primary'), 5432],
      ['Nuxeo -> Elasticsearch', pod('nuxeo'), pod('elasticsearch'), 9200],
      ['Elasticsearch <-> Elasticsearch transport', pod('elasticsearch'), pod('elasticsearch'), 9300],
      ['PostgreSQL replica -> primary', dbPod('replica'), dbPod('primary'), 5432],
      ['Nuxeo -> PostgreSQL replicas (read-only Service, manual promotion)', pod('nuxeo'), dbPod('replica'), 5432],
      ...(external
        ? ([
          ['Nuxeo -> Redis', pod('nuxeo'), pod('redis'), 6379],
          ['Nuxeo -> Sentinel', pod('nuxeo'), pod('redis'), 26379],
          ['Redis <-> Redis', pod('redis'), pod('redis'), 6379],
          ['Sentinel <-> Sentinel', pod('redis'), pod('redis'), 26379],
        ] as [string, any, any, number][])
        : ([['Nuxeo -> Redis master in nuxeo-0 / replication', pod('nuxeo'), pod('nuxeo'), 6379]] as [string, any, any, number][])),
      ...(internet ? ([['Nuxeo -> S3 / Nuxeo Connect over HTTPS', pod('nuxeo'), outside(s3Address), 443]] as [string, any, any, number][]) : []),
      ...(s3 && identity === 'eks-pod-identity'
        ? ([
          ['Nuxeo -> EKS Pod Identity Agent (IPv4)', pod('nuxeo'), outside('169.254.170.23'), 80],
          ['Nuxeo -> EKS Pod Identity Agent (IPv6)', pod('nuxeo'), outside('fd00:ec2:0:0:0:0:0:23'), 80],
        ] as [string, any, any, number][])
        : []),
      ...(s3 && identity === 'gke'
        ? ([
          ['Nuxeo -> GKE metadata server (Dataplane V2)', pod('nuxeo'), outside('169.254.169.254'), 80],
          ['Nuxeo -> GKE metadata server (Calico)', pod('nuxeo'), outside('169.254.169.252'), 988],
        ] as [string, any, any, number][])
        : []),
      ...(operatorPod ? [] : ([
        ['PostgreSQL backup job -> primary', pod('postgresql-backup'), dbPod('primary'), 5432],
        // After the manual promotion postgresql-rw selects a replica: the dumps follow it.
        ['PostgreSQL backup job -> a replica promoted by hand', pod('postgresql-backup'), dbPod('replica'), 5432],
      ] as [string, any, any, number][])),
      ...(operatorPod
        ? ([
          ['CloudNativePG operator -> instance status', cnpgOperator(env.spec.database.cloudnativepg.operator.namespace), dbPod('primary'), 8000],
          ['CloudNativePG instance -> instance status', dbPod('replica'), dbPod('primary'), 8000],
        ] as [string, any, any, number][])
        : []),
    ];
    expect(paths.filter(([, a, b, port]) => !allowed(manifests, a, b, port)).map(([name]) => name)).toEqual([]);
  });

  test('every pod resolves names through the cluster DNS pods (and node-local DNS when set), over UDP and TCP', () => {
    const servers = [dnsPod, ...dns.nodeLocalAddresses.map(outside)];
    const closed = pods.flatMap((p) => servers.flatMap((server) => ['UDP', 'TCP'].filter((proto) => !allowed(manifests, pod(p), server, 53, proto)).map((proto) => `${p} -> ${server.ip} ${proto}`)));
    expect(closed).toEqual([]);
  });

  test('everything else is closed', () => {
    const closed: [string, any, any, number][] = [
      ['load balancer -> Nuxeo port, bypassing the proxy', controller, pod('nuxeo'), 8080],
      ['Elasticsearch -> PostgreSQL', pod('elasticsearch'), dbPod('primary'), 5432],
      ['PostgreSQL -> Elasticsearch', dbPod('primary'), pod('elasticsearch'), 9200],
      ['Redis/Elasticsearch -> PostgreSQL replicas', pod('elasticsearch'), dbPod('replica'), 5432],
      ['Nuxeo -> Elasticsearch transport', pod('nuxeo'), pod('elasticsearch'), 9300],
      ['another namespace -> PostgreSQL', { labels: pod('nuxeo').labels, namespace: 'intruder' }, dbPod('primary'), 5432],
      ...(external ? ([['Elasticsearch -> Redis', pod('elasticsearch'), pod('redis'), 6379]] as [string, any, any, number][]) : []),
      ...pods.flatMap((p) => [
        [`${p} -> a public DNS server`, pod(p), outside('8.8.8.8'), 53],
        [`${p} -> pods labelled as DNS in another namespace`, pod(p), { ...dnsPod, namespace: 'intruder' }, 53],
        ...(p === 'nuxeo' && s3 && identity === 'gke' ? [] : [[`${p} -> the cloud metadata server`, pod(p), outside('169.254.169.254'), 80]]),
        [`${p} -> a cluster address on 443 (API server, other tenants)`, pod(p), outside('10.0.0.1'), 443],
        [`${p} -> a private address in 172.16/12 on 443`, pod(p), outside('172.20.0.1'), 443],
        [`${p} -> an IPv6 unique-local address on 443`, pod(p), outside('fd12:3456:0:0:0:0:0:1'), 443],
        [`${p} -> a pod by its address on 443`, pod(p), pod('elasticsearch'), 443],
        [`${p} -> the internet on 80`, pod(p), outside(s3Address), 80],
        ...(p === 'nuxeo' && internet ? [] : [[`${p} -> the internet on 443`, pod(p), outside(s3Address), 443]]),
        ...(p === 'nuxeo' && s3 && identity === 'eks-pod-identity' ? [] : [[`${p} -> EKS Pod Identity Agent`, pod(p), outside('169.254.170.23'), 80]]),
      ] as [string, any, any, number][]),
      ...(operatorPod ? [] : ([
        ['PostgreSQL backup job -> Elasticsearch', pod('postgresql-backup'), pod('elasticsearch'), 9200],
        ['Nuxeo -> PostgreSQL backup job', pod('nuxeo'), pod('postgresql-backup'), 5432],
      ] as [string, any, any, number][])),
      ...(operatorPod ? ([['another namespace -> CloudNativePG status', cnpgOperator('intruder'), dbPod('primary'), 8000]] as [string, any, any, number][]) : []),
    ];
    expect(closed.filter(([, a, b, port]) => allowed(manifests, a, b, port)).map(([name]) => name)).toEqual([]);
  });
});
