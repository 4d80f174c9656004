/**
 * Every change of the corpus (corpus/changes.yaml) played on the real cluster: apply the base,
 * then the change, and compare what the plan predicted with what the cluster did.
 *
 * - rejected: the API server refuses the server-side apply, naming the field;
 * - rolls-pods: the StatefulSet controller records a new update revision, and a Parallel
 *   StatefulSet replaces its highest-ordinal pod (its UID changes) even while not Ready;
 * - scales: spec.replicas changes and the update revision does not (no pod is replaced);
 * - operator-action on a claim's size: refused exactly when the claim is not Bound or its class
 *   does not allow expansion, the two conditions the plan names;
 * - operator-action of a switch to CloudNativePG (the real operator installed for it): the operator
 *   refuses the old provider's Services (one the plan names) and creates no instance until the
 *   plan's `delete service` command runs, then creates its Services and its first instance's claim;
 * - anything else: the apply is accepted.
 *
 * Each change gets its own Namespace (and PriorityClass, named after it). Every volume asks for a
 * StorageClass that does not exist, so no claim binds and no pod is scheduled: nothing here takes
 * the cluster's pre-made volumes or CPU from the other cluster tests.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Change } from '../../app/plan/types';
import { planEnvironment } from '../../app/plan/plan';
import { corpus, CorpusChange, sides } from './corpus/corpus';
import { CNPG_IMAGES, installCloudNativePg } from './cloudnativepg';
import { getJson, kubectl, REFUSAL, servedKinds, shellWords, waitFor } from './kube';
import { operatorImages } from './upstream';

const ONE_NODE = path.join(__dirname, 'environments');
const UNBOUND = 'nck8s-plan-unbound';

/** Every volume of the environment on a class that does not exist, so nothing binds or schedules. */
function unbound(data: any): void {
  const walk = (o: any) => {
    if (!o || typeof o !== 'object') return;
    if (typeof o.size === 'string' && /i$/.test(o.size)) o.storageClass = UNBOUND;
    Object.values(o).forEach(walk);
  };
  walk(data);
}

/** Kinds the cluster serves: objects of CRDs it lacks (prometheus-operator's ...) are left out of both sides. */
let served: Set<string> | undefined;

function yamlOf(objects: { manifest: any }[]): string {
  return objects.filter((l) => served!.has(l.manifest.kind)).map((l) => JSON.stringify(l.manifest)).join('\n---\n');
}

const apply = (objects: { manifest: any }[], allowFail = false) =>
  kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=nck8s-plan-test', '-f', '-'], { input: yamlOf(objects), allowFail });

async function statefulSet(ns: string, name: string): Promise<any> {
  const sts = JSON.parse((await kubectl(['-n', ns, 'get', 'statefulset', name, '-o', 'json'])).stdout);
  await waitFor(async () => {
    const now = JSON.parse((await kubectl(['-n', ns, 'get', 'statefulset', name, '-o', 'json'])).stdout);
    return (now.status?.observedGeneration ?? 0) >= now.metadata.generation && !!now.status?.updateRevision;
  }, 60000, `StatefulSet ${name} observed`);
  return JSON.parse((await kubectl(['-n', ns, 'get', 'statefulset', name, '-o', 'json'])).stdout) ?? sts;
}

async function podUids(ns: string, sts: any): Promise<Record<string, string>> {
  const selector = Object.entries(sts.spec.selector.matchLabels).map(([k, v]) => `${k}=${v}`).join(',');
  const pods = JSON.parse((await kubectl(['-n', ns, 'get', 'pods', '-l', selector, '-o', 'json'])).stdout).items;
  return Object.fromEntries(pods.map((p: any) => [p.metadata.name, p.metadata.uid]));
}

/** CloudNativePG 1.30's webhook on every Cluster with barmanObjectStore (docs/cloudnativepg.md): the one warning allowed. */
const CNPG_DEPRECATION = /^Warning: Native support for Barman Cloud backups and recovery is deprecated/;

/**
 * The operator's answer to a Cluster created beside the old provider's Services: it refuses them
 * (its phase names one), until the plan's `delete service` command runs; then its own Services.
 */
async function playProviderSwitch(ns: string, c: Change): Promise<void> {
  const status = async () => (await getJson(['-n', ns, 'cluster.postgresql.cnpg.io', c.name])).status ?? {};
  let reason = '';
  await waitFor(async () => /^refusing to reconcile service: (\S+), not owned by the cluster$/.test(reason = (await status()).phaseReason ?? ''), 120000, `Cluster ${c.name} refusing our Services`);
  expect(c.reason).toContain(/service: (\S+),/.exec(reason)![1]);
  // No instance meanwhile (its claims would exist, Pending on the unbound class).
  const instanceClaims = async () => (await getJson(['-n', ns, 'pvc', '-l', `cnpg.io/cluster=${c.name}`])).items.length;
  expect(await instanceClaims()).toBe(0);
  const deletion = c.commands.find((l) => / delete service /.test(l));
  expect(deletion).toBeDefined();
  await kubectl(shellWords(deletion!).slice(1));
  const owned = async (svc: string) => (await getJson(['-n', ns, 'service', svc])).metadata.ownerReferences?.some((o: any) => o.kind === 'Cluster' && o.name === c.name);
  await waitFor(async () => (await owned(`${c.name}-rw`)) && (await owned(`${c.name}-ro`)) && (await instanceClaims()) > 0, 120000, `Services ${c.name}-rw and -ro created by the operator, then its first instance's claim`);
}

const playable = corpus().filter((c) => !c.notOnCluster);

describe.each(playable.map((c, i) => [c.name, c, i] as const))('%s, on the real cluster', (_name, change: CorpusChange, i: number) => {
  const ns = `nck8s-plan-${i}`;
  const { before, after } = sides(change, fs.existsSync(ONE_NODE) ? ONE_NODE : path.join(__dirname, '../../environments'), (d) => { d.namespace = ns; unbound(d); });
  const predicted: Change[] = planEnvironment({ name: change.environment, namespace: ns, before, after });
  const cnpg = after.some((l) => l.manifest.apiVersion.startsWith('postgresql.cnpg.io/'));

  beforeAll(async () => {
    if (!cnpg) return;
    operatorImages(...CNPG_IMAGES);
    await installCloudNativePg();
    served = undefined;
  }, 20 * 60 * 1000);

  // Not waited for; CloudNativePG's objects keep the namespace until the operator (which stays) removes them.
  afterAll(async () => {
    await kubectl(['delete', 'namespace', ns, '--ignore-not-found', '--wait=false'], { allowFail: true });
    await kubectl(['delete', 'priorityclass', ns, '--ignore-not-found'], { allowFail: true });
  }, 8 * 60 * 1000);

  test('the cluster does what the plan predicted (180 s)', async () => {
    await kubectl(['delete', 'namespace', ns, '--ignore-not-found', '--wait=true', '--timeout=120s'], { allowFail: true });
    await kubectl(['delete', 'priorityclass', ns, '--ignore-not-found'], { allowFail: true });
    served ??= await servedKinds();
    expect((await apply(before)).code).toBe(0);
    const workloads = [...new Set(predicted.filter((c) => c.kind === 'StatefulSet').map((c) => c.name))];
    const was = new Map<string, { sts: any; uids: Record<string, string> }>();
    for (const name of workloads) {
      const sts = await statefulSet(ns, name);
      if (sts.spec.podManagementPolicy === 'Parallel') await waitFor(async () => Object.keys(await podUids(ns, sts)).length === sts.spec.replicas, 60000, `${name}'s pods created`);
      was.set(name, { sts, uids: await podUids(ns, sts) });
    }
    const result = await apply(after, true);
    const rejected = predicted.filter((c) => c.effect === 'rejected');
    if (rejected.length) {
      expect(result.code).not.toBe(0);
      for (const c of rejected) {
        expect(result.stderr).toContain(`"${c.name}" is invalid`);
        expect(result.stderr).toMatch(REFUSAL[c.kind]);
      }
      return;
    }
    const claims = predicted.filter((c) => c.kind === 'PersistentVolumeClaim' && c.effect === 'operator-action');
    for (const c of claims) {
      const pvc = JSON.parse((await kubectl(['-n', ns, 'get', 'pvc', c.name, '-o', 'json'])).stdout);
      // Never bound here (UNBOUND class): the growth must be refused, as the plan's condition says.
      expect(pvc.status.phase).not.toBe('Bound');
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims');
    }
    if (claims.length) return;
    expect(result.stderr.split('\n').filter((l) => l && !(cnpg && CNPG_DEPRECATION.test(l)))).toEqual([]);
    expect(result.code).toBe(0);
    for (const c of predicted.filter((x) => x.kind === 'Cluster' && x.effect === 'operator-action')) await playProviderSwitch(ns, c);
    for (const name of workloads) {
      const { sts: old, uids } = was.get(name)!;
      const now = await statefulSet(ns, name);
      const effects = predicted.filter((c) => c.kind === 'StatefulSet' && c.name === name).map((c) => c.effect);
      if (effects.includes('rolls-pods')) {
        expect(now.status.updateRevision).not.toBe(old.status.updateRevision);
        if (now.spec.podManagementPolicy === 'Parallel') {
          const last = `${name}-${old.spec.replicas - 1}`;
          await waitFor(async () => (await podUids(ns, now))[last] !== undefined && (await podUids(ns, now))[last] !== uids[last], 90000, `${last} replaced`);
        }
      } else {
        expect(now.status.updateRevision).toBe(old.status.updateRevision);
      }
      if (effects.includes('scales')) expect(now.spec.replicas).not.toBe(old.spec.replicas);
    }
  }, 180000);
});

// The corpus changes that cannot be played here, said rather than silently left out.
test('every corpus change not played on the cluster says why', () => {
  const left = corpus().filter((x) => x.notOnCluster);
  expect(left.map((c) => c.name)).toEqual([]);
  for (const c of left) expect(c.notOnCluster).toMatch(/\S/);
});
