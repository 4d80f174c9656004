/**
 * The sections every tier shares through its context (lib/k8s/context.ts): `scheduling`, the
 * `network` the NetworkPolicies allow (DNS, internet egress, pod identity) and `monitoring` (the
 * exporters every tier adds and who scrapes them). `npm run schema` makes settings.generated.ts,
 * their documented interfaces, from them.
 */
import { z } from 'zod';
import { cidr, dnsLabel, image, labelMap, resources } from '../settings/fields';

/** Address blocks internet egress never reaches: private, carrier-grade NAT, link-local, unique-local. */
export const PRIVATE_RANGES = ['10.0.0.0/8', '100.64.0.0/10', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7', 'fe80::/10'];

/** Egress the NetworkPolicies allow beyond the architecture's own connections. */
export const NETWORK_SCHEMA = z
  .strictObject({
    dns: z
      .strictObject({
        namespace: dnsLabel('namespace').default('kube-system').describe('namespace of the cluster DNS pods (OpenShift: openshift-dns)'),
        podLabels: labelMap.default({ 'k8s-app': 'kube-dns' }).describe('labels of the cluster DNS pods (CoreDNS and kube-dns both carry k8s-app: kube-dns on EKS, AKS, kubeadm and GKE with kube-dns; GKE with Cloud DNS, NodeLocal DNSCache and OpenShift need other settings: docs/day2.md)'),
        nodeLocalAddresses: z
          .array(z.string().regex(/^(([0-9]{1,3}\.){3}[0-9]{1,3}|[0-9a-fA-F:]*:[0-9a-fA-F:]*)$/, { message: "must be an IPv4 or IPv6 address such as '169.254.20.10' or 'fd00::a'" }))
          .default([])
          .describe('addresses answering DNS outside the DNS pods: NodeLocal DNSCache (169.254.20.10, and the kube-dns Service IP it also binds in iptables mode), GKE Cloud DNS (the metadata server 169.254.169.254); docs/day2.md'),
        ports: z
          .array(z.number().int().min(1).max(65535))
          .min(1)
          .default([53])
          .describe('ports the DNS pods listen on, as a NetworkPolicy sees them (after the Service port is translated): OpenShift\'s DNS pods listen on 5353'),
      })
      .prefault({})
      .describe('every pod may reach these DNS servers on network.dns.ports, and no other'),
    internetEgress: z
      .strictObject({
        cidrs: z.array(cidr).min(1).default(['0.0.0.0/0', '::/0']).describe('where Nuxeo may open HTTPS (443): Nuxeo Connect for packages, S3; e.g. a proxy or VPC endpoint range'),
        except: z.array(cidr).default(PRIVATE_RANGES).describe('blocks removed from those (default: private and link-local ranges, so the cluster and cloud metadata stay closed)'),
      })
      .prefault({})
      .describe('only Nuxeo has internet egress, only on 443, and only when it installs packages or uses S3'),
    podIdentity: z
      .enum(['none', 'irsa', 'eks-pod-identity', 'gke', 'azure'], { message: "must be one of 'none', 'irsa', 'eks-pod-identity', 'gke', 'azure'" })
      .default('none')
      .describe('cloud identity Nuxeo uses for S3 instead of keys; opens the egress it needs (see README)'),
  })
  .prefault({});

/** Exporter images, pinned like every other image. */
const EXPORTER_IMAGES = {
  redis: 'oliver006/redis_exporter:v1.67.0',
  postgres: 'quay.io/prometheuscommunity/postgres-exporter:v0.17.1',
  elasticsearch: 'quay.io/prometheuscommunity/elasticsearch-exporter:v1.9.0',
  nginx: 'nginx/nginx-prometheus-exporter:1.4.2',
};

export const MONITORING_SCHEMA = z
  .strictObject({
    enabled: z.boolean().default(true).describe('exporters, the Nuxeo Prometheus reporter, PodMonitors and the PrometheusRule; false removes them all'),
    prometheus: z
      .strictObject({
        namespace: dnsLabel('namespace').default('monitoring').describe('namespace of the Prometheus pods'),
        podLabels: z.record(z.string(), z.string()).default({ 'app.kubernetes.io/name': 'prometheus' }).describe('labels that select the Prometheus pods in that namespace'),
      })
      .prefault({})
      .describe('where the Prometheus pods run: the only peers the NetworkPolicies let scrape the metrics ports'),
    labels: z
      .record(z.string(), z.string())
      .default({})
      .describe("extra labels on the PodMonitors and the PrometheusRule, to match the Prometheus' podMonitorSelector and ruleSelector (e.g. release: kube-prometheus-stack)"),
    grafanaDashboard: z.boolean().default(false).describe('a ConfigMap with a Grafana dashboard, labelled grafana_dashboard: "1" for the Grafana sidecar'),
    images: z
      .strictObject({
        redis: image(EXPORTER_IMAGES.redis),
        postgres: image(EXPORTER_IMAGES.postgres),
        elasticsearch: image(EXPORTER_IMAGES.elasticsearch),
        nginx: image(EXPORTER_IMAGES.nginx),
      })
      .prefault({})
      .describe('images of the exporters: redis (also for the Sentinels), postgres, elasticsearch, and nginx (the Nuxeo pods\' proxy)'),
    resources: resources({ cpu: '20m', memory: '32Mi', ephemeralStorage: '16Mi' }, { cpu: '200m', memory: '128Mi', ephemeralStorage: '64Mi' }).describe('CPU, memory and ephemeral storage of each exporter container, requested and limited'),
  })
  .prefault({});

/** Spreading of every workload's pods over nodes and zones. */
export const SCHEDULING_SCHEMA = z
  .strictObject({
    antiAffinity: z.enum(['required', 'preferred'], { message: "must be 'required' (one pod per Kubernetes node) or 'preferred'" }).default('required')
      .describe('required: never two pods of a workload on one node (pods stay Pending without enough nodes); preferred: spread when possible'),
    zoneSpread: z.enum(['required', 'preferred']).default('preferred').describe('spread of each workload over zones: required refuses to schedule unevenly, preferred only tries'),
  })
  .prefault({});

/** The cluster's DNS domain: a top-level field of the environment file, `context.clusterDomain` in code. */
export const CLUSTER_DOMAIN = z
  .string()
  .regex(/^[a-z0-9.-]+$/, { message: "must be a DNS domain such as 'cluster.local': lower-case letters, digits, '.' and '-'" })
  .default('cluster.local')
  .describe('DNS domain of the cluster, for stable pod names');

/** The pull secrets of every pod: a top-level field of the environment file, `context.imagePullSecrets` in code. */
export const IMAGE_PULL_SECRETS = z
  .array(dnsLabel('secret name'))
  .default([])
  .describe('docker-registry Secrets for every pod (the Nuxeo image registry needs credentials)');

/** The PriorityClass of every pod: `priorityClass.name` in the environment file, `context.priorityClassName` in code. */
export const PRIORITY_CLASS_NAME = dnsLabel('priority class name').optional();
