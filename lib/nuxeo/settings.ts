/**
 * The `nuxeo` section of the environment file: the Nuxeo tier's settings, their defaults and
 * limits (`npm run schema` makes settings.generated.ts, their documented interfaces), and the rules
 * across tiers that the Nuxeo construct and the environment file both check.
 */
import { z } from 'zod';
import { dnsLabel, fitsLimit, image, memory, nodeCount, podSettings, resources, rule, volume } from '../settings/fields';

/** The seed's minimum ("at least"). */
const MIN_NUXEO_NODES = 2;

const DEFAULT_IMAGES = {
  nuxeo: 'docker-private.packages.nuxeo.com/nuxeo/nuxeo:2021.36',
  proxy: 'nginxinc/nginx-unprivileged:1.28.0-alpine',
};

/** A key of an existing Secret, no default. */
const secretKey = z.strictObject({
  name: dnsLabel('secret name').describe('the Secret holding the value (in the environment\'s namespace)'),
  key: z.string().min(1).describe('key of the value in that Secret'),
});

/** nuxeo.conf keys: what java.util.Properties reads as one key without escapes. */
const PROPERTY_KEY = /^[A-Za-z0-9_.-]+$/;
/** A value on one nuxeo.conf line: no newline or other control character. */
const ONE_LINE = /^[^\u0000-\u001f\u007f]*$/;
/** Keys that name a secret: their values belong in a Secret, never in the ConfigMap. */
const SECRET_KEY_PATTERN = /(password|passwd|secret|token|credential|apikey|api[._-]key|private[._-]?key|(^|[._-])key$)/i;

/** True for a nuxeo.conf key that looks like it holds a secret. */
export function looksSecret(key: string): boolean {
  return SECRET_KEY_PATTERN.test(key);
}

/** The environment variable that carries a secret property into the Nuxeo container. */
export function secretVariable(property: string): string {
  return 'NUXEO_SECRET_' + property.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** Properties the generator sets from the secrets section (see lib/nuxeo/nuxeo-start.ts). */
export const GENERATED_SECRET_PROPERTIES = ['nuxeo.db.password', 'nuxeo.redis.password', 'nuxeo.jwt.secret'];

export const NUXEO_SCHEMA = z
  .strictObject({
    image: image(DEFAULT_IMAGES.nuxeo),
    replicas: nodeCount(MIN_NUXEO_NODES, "the seed's application cluster has two or more nodes", 2),
    resources: resources({ cpu: '1', memory: '4Gi', ephemeralStorage: '2Gi' }, { cpu: '2', memory: '4Gi', ephemeralStorage: '6Gi' }),
    heap: memory.optional().describe("JVM heap (-Xms/-Xmx), in bytes ('2Gi'); at most 80% of the memory limit (metaspace, threads and off-heap buffers need the rest); default half of the memory limit"),
    data: volume('20Gi').describe('per-node volume for /var/lib/nuxeo, which holds the Chronicle Queue stream directory'),
    binaries: z
      .strictObject({
        type: z.enum(['volume', 's3']).default('volume').describe("where Nuxeo keeps its binaries (file contents): volume = one ReadWriteMany PVC shared by every pod, mounted at /var/lib/nuxeo-binaries; s3 = an S3 bucket (needs s3, and the amazon-s3-online-storage package)"),
        size: memory.default('100Gi').describe("capacity of the shared binaries volume, in bytes ('100Gi'); it also holds Nuxeo's transient store (uploads, async downloads); type volume only"),
        storageClass: z.string().optional().describe('a ReadWriteMany StorageClass (NFS, CephFS, EFS ...)'),
        s3: z
          .strictObject({
            bucket: z.string().min(3).describe('S3 bucket of the binary store (nuxeo.s3storage.bucket)'),
            region: z.string().min(1).describe("the bucket's AWS region, e.g. eu-west-1 (nuxeo.s3storage.region)"),
            prefix: z.string().default('').describe("key prefix of the binaries inside the bucket (nuxeo.s3storage.bucket_prefix), e.g. 'nuxeo/'; empty = the bucket's root"),
            credentialsSecret: z
              .strictObject({
                name: dnsLabel('secret name').describe('the Secret holding the static S3 keys'),
                accessKeyIdKey: z.string().default('access-key-id').describe('key of the access key id in that Secret, given to Nuxeo as AWS_ACCESS_KEY_ID'),
                secretAccessKeyKey: z.string().default('secret-access-key').describe('key of the secret access key in that Secret, given to Nuxeo as AWS_SECRET_ACCESS_KEY'),
              })
              .optional()
              .describe('omit to use the pod identity (IRSA, workload identity)'),
          })
          .optional()
          .describe("the S3 binary store; required when type is 's3', unused otherwise"),
      })
      .prefault({})
      .describe("Nuxeo's shared binary store (file contents), the same for every pod: a ReadWriteMany volume or S3")
      .refine(...rule<{ type: string; s3?: unknown }>(['type', 's3'], ['s3'], (b) => b.type !== 's3' || b.s3 !== undefined, () => "is required when type is 's3' (bucket and region)")),
    databasePoolSize: z
      .number()
      .int()
      .min(5)
      .default(40)
      .describe('nuxeo.db.max-pool-size of each node (nuxeo.vcs.max-pool-size is 2 less); all nodes together must fit database.maxConnections'),
    streamRetention: z
      .string()
      .regex(/^[0-9]+[hd]$/, { message: "must be a duration in hours or days such as '12h' or '4d'" })
      .default('4d')
      .describe("how long each node keeps its stream records (Chronicle Queue files under /var/lib/nuxeo/stream, on nuxeo.data) before they are purged, in hours or days ('12h', '4d'): nuxeo.stream.chronicle.retention.duration; longer needs more of nuxeo.data"),
    packages: z.array(z.string().min(1)).default([]).describe('Nuxeo packages: installed at every pod start (NUXEO_PACKAGES, needs secrets.nuxeoClid), or already in the image with packagesInImage'),
    packagesInImage: z
      .boolean()
      .default(false)
      .describe('true: nuxeo.image already holds the packages (and amazon-s3-online-storage for S3), built with docker/Dockerfile; nothing is installed at start'),
    properties: z
      .record(
        z.string().regex(PROPERTY_KEY, { message: 'must be a nuxeo.conf key: letters, digits, \'.\', \'_\' and \'-\'' }),
        z.string().regex(ONE_LINE, { message: 'must be one line without control characters: a newline would add nuxeo.conf lines of its own' }),
      )
      .default({})
      .superRefine((props, ctx) => {
        for (const key of Object.keys(props).filter(looksSecret)) {
          ctx.addIssue({ code: 'custom', path: [key], message: 'looks like a secret, and nuxeo.properties is written into a ConfigMap: move it to nuxeo.secretProperties ({name, key} of a Secret)' });
        }
      })
      .describe('extra nuxeo.conf properties, written last (never secrets: see secretProperties)'),
    secretProperties: z
      .record(z.string().regex(PROPERTY_KEY, { message: 'must be a nuxeo.conf key: letters, digits, \'.\', \'_\' and \'-\'' }), secretKey)
      .default({})
      .superRefine((props, ctx) => {
        for (const key of Object.keys(props).filter((k) => GENERATED_SECRET_PROPERTIES.includes(k))) {
          ctx.addIssue({ code: 'custom', path: [key], message: 'is already set from the secrets section: set that one instead' });
        }
        const seen = new Map<string, string>();
        for (const key of Object.keys(props).sort()) {
          const other = seen.get(secretVariable(key));
          if (other) ctx.addIssue({ code: 'custom', path: [key], message: `would share the environment variable ${secretVariable(key)} with ${other}: write one of them in nuxeo.properties' key form` });
          seen.set(secretVariable(key), key);
        }
      })
      .describe('nuxeo.conf properties whose values come from Secrets (SMTP, LDAP, OIDC ...): property -> {name, key}; written at start, never in a ConfigMap'),
    logFormat: z
      .enum(['text', 'json'], { message: "must be 'text' (Nuxeo's docker template) or 'json' (its docker-json template)" })
      .default('text')
      .describe('Nuxeo logs to the console only, as text or as one JSON object per line'),
    redisWaitSeconds: z
      .number()
      .int()
      .min(0)
      .max(3600)
      .default(300)
      .describe("seconds the Nuxeo container waits for Redis before the launcher starts (plain: host:port answers PING; Sentinel: a Sentinel names the master and it answers), logging every 10 s; then it gives up and the container restarts. The startup probe's budget covers this wait, the launcher's backing-service checks (6 min) and the start (10 min)"),
    concurrentUploads: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(2)
      .describe("uploads of loadBalancer.maxUploadMegabytes one Nuxeo node holds in /tmp at once: /tmp is sized maxUploadMegabytes x concurrentUploads + 1Gi for conversions (the emptyDir's sizeLimit; beyond it the pod is evicted)"),
    ...podSettings(),
    proxy: z
      .strictObject({
        image: image(DEFAULT_IMAGES.proxy),
        resources: resources({ cpu: '100m', memory: '128Mi', ephemeralStorage: '256Mi' }, { cpu: '500m', memory: '256Mi', ephemeralStorage: '2Gi' }),
      })
      .prefault({})
      .describe('the nginx reverse proxy in each Nuxeo pod, which the load balancer reaches (port 8000) and which forwards to Nuxeo (8080)'),
  })
  .prefault({})
  .refine(...fitsLimit('heap', 0.8, 'metaspace, threads and off-heap buffers need the rest'));

export type IdentityFields = {
  nuxeo: { binaries: { type: string; s3?: { credentialsSecret?: unknown } }; serviceAccount: { create: boolean; annotations: Record<string, string> }; podLabels: Record<string, string> };
  network: { podIdentity: string };
};

/** What a pod identity for S3 needs from the rest of the file, if something is missing. */
export function podIdentityProblem(env: IdentityFields): string | undefined {
  const id = env.network.podIdentity;
  if (id === 'none') return undefined;
  const n = env.nuxeo;
  if (n.binaries.type !== 's3') return `'${id}' is for Nuxeo's S3 binaries: set nuxeo.binaries.type: s3, or podIdentity: none`;
  if (n.binaries.s3?.credentialsSecret) return `'${id}' and nuxeo.binaries.s3.credentialsSecret both give S3 credentials: keep one`;
  const account = n.serviceAccount.create ? n.serviceAccount.annotations : undefined;
  if (id === 'irsa' && account && !account['eks.amazonaws.com/role-arn']) {
    return "'irsa' needs the IAM role on Nuxeo's ServiceAccount: nuxeo.serviceAccount.annotations: {eks.amazonaws.com/role-arn: arn:aws:iam::<account>:role/<role>}";
  }
  if (id === 'azure' && n.podLabels['azure.workload.identity/use'] !== 'true') {
    return "'azure' needs nuxeo.podLabels: {azure.workload.identity/use: \"true\"} (and azure.workload.identity/client-id on the ServiceAccount)";
  }
  return undefined;
}

/** The package the S3 binary store needs (it adds the s3binaries template). */
export const S3_PACKAGE = 'amazon-s3-online-storage';

/** Packages the image's entrypoint installs at each pod start (NUXEO_PACKAGES); none when they are in the image. */
export function packagesInstalledAtStart(n: { packages: string[]; packagesInImage: boolean; binaries: { type: string } }): string[] {
  if (n.packagesInImage) return [];
  return [...n.packages, ...(n.binaries.type === 's3' && !n.packages.includes(S3_PACKAGE) ? [S3_PACKAGE] : [])];
}

/** Connections PostgreSQL keeps for replication, maintenance and the superuser. */
export const RESERVED_CONNECTIONS = 10;

/** Connections the whole application cluster can open at once. */
export function databaseConnectionsNeeded(nodes: number, poolSize: number): number {
  return nodes * poolSize + RESERVED_CONNECTIONS;
}

/**
 * Cross-tier rule, for the file and the constructs alike: every Nuxeo node's pool together must fit
 * the database's max_connections. The problem of `database.maxConnections`, if any.
 */
export function connectionsProblem(n: { replicas: number; databasePoolSize: number }, maxConnections: number): string | undefined {
  const needed = databaseConnectionsNeeded(n.replicas, n.databasePoolSize);
  if (needed <= maxConnections) return undefined;
  return `${maxConnections} is below what ${n.replicas} Nuxeo nodes with pools of ${n.databasePoolSize} can open ` +
    `(${needed}, with ${RESERVED_CONNECTIONS} reserved for replication and administration): raise it or lower nuxeo.databasePoolSize`;
}

/** Packages installed at start need the instance CLID: the problem of the missing CLID, if any. */
export function clidProblem(n: { packages: string[]; packagesInImage: boolean; binaries: { type: string } }, hasClid: boolean): string | undefined {
  const atStart = packagesInstalledAtStart(n);
  if (hasClid || !atStart.length) return undefined;
  return `is required: ${atStart.join(', ')} would be installed from Nuxeo Connect at every pod start, which needs the instance CLID. ` +
    'Better: build an image with the packages (docker/Dockerfile) and set nuxeo.packagesInImage: true';
}
