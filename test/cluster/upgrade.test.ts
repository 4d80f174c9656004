/**
 * Upgrades on the real cluster, whole: the `dist/` committed at a fixed older commit applied,
 * then today's committed `dist/` applied as the README says (`kubectl apply -f`, client-side like
 * the plan's commands: the namespace file, the Secrets the plan says are new, the folder), and the
 * commands the plan prints for each refused change run. (Mixed with `--server-side` applies, the
 * plan's client-side `kubectl apply -f` leaves fields a later server-side apply conflicts on:
 * observed on the redis StatefulSet, see docs/cluster.md.)
 * What `npm run plan -- --base <commit>` announced is compared with what the API server and the
 * controllers did:
 * - every object the API server refuses was announced `rejected`, and every `rejected` one is
 *   refused, in the words of the rule the plan cites;
 * - the plan's commands for them, run as printed, carry the change out (the live object then has
 *   today's values) and a second apply is clean;
 * - from a commit whose pods run: every workload rolls out to today's template, every pod Ready;
 *   the StatefulSets the plan does not say roll keep their pods.
 *
 * Two commits: 2b451c4, before the Redis StatefulSet became Parallel and Nuxeo needed a JWT Secret
 * (a rejection and a new Secret), whose pods do not start on a real kubelet (its init containers'
 * `cp -a` cannot set the times of an emptyDir's root as non-root; fixed by b7c237e): objects only;
 * and b7c237e, the first whose pods run: rolled out before and after.
 * The corpus (plan-corpus.test.ts) plays one change at a time on claims that never bind, with no
 * pod running; these play what a real history accumulated. Both sides get the same one-node edits
 * (one-node.ts), each commit in a namespace of its own.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main as plan } from '../../app/plan/cli';
import { at } from '../../app/plan/diff';
import type { Change } from '../../app/plan/types';
import { createSecrets, deleteNamespace, getJson, installMonitoringCrds, kubectl, leaveNamespaces, recycleVolumes, REFUSAL, refusedObjects, servedKinds, shellWords, Synthesized, synthEnvironment, warnings } from './kube';
import { ensureImages, imagesOf, writeOneNode } from './one-node';

const ROOT = path.join(__dirname, '../..');
const ENV = 'external-redis';

const git = (args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

/** The environment's manifest files at `rev` (undefined: the working tree's dist/), by file name. */
function distFiles(rev?: string): Record<string, string> {
  const dir = `dist/${ENV}`;
  const names = rev ? git(['ls-tree', '--name-only', rev, `${dir}/`]).split('\n').map((f) => path.basename(f)) : fs.readdirSync(path.join(ROOT, dir));
  return Object.fromEntries(names.filter((f) => f.endsWith('.k8s.yaml')).map((f) => [f, rev ? git(['show', `${rev}:${dir}/${f}`]) : fs.readFileSync(path.join(ROOT, dir, f), 'utf8')]));
}

/** `npm run plan -- --base <base> --json`, this environment's changes. */
function planned(base: string): Change[] {
  let out = '';
  const code = plan(['--base', base, '--json'], { out: (t) => (out += t), err: (t) => process.stderr.write(t) }, ROOT);
  if (code !== 0) throw new Error(`plan exited ${code}`);
  return JSON.parse(out).environments.find((e: any) => e.name === ENV).changes;
}

const namespaceOf = (files: Record<string, string>) => /^kind: Namespace\nmetadata:\n(?:  .*\n)*?  name: (\S+)/m.exec(files['00-namespace.k8s.yaml'])![1];

async function rolledOut(ns: string, timeoutS: number): Promise<number> {
  for (const w of (await getJson(['-n', ns, 'statefulsets'])).items) {
    const r = await kubectl(['-n', ns, 'rollout', 'status', `statefulset/${w.metadata.name}`, `--timeout=${timeoutS}s`], { timeoutMs: timeoutS * 1000 + 10000, allowFail: true });
    if (r.code !== 0) {
      const pods = await kubectl(['-n', ns, 'get', 'pods', '-o', 'wide'], { allowFail: true });
      const events = await kubectl(['-n', ns, 'get', 'events', '--sort-by=.lastTimestamp'], { allowFail: true });
      throw new Error(`statefulset/${w.metadata.name} did not roll out:\n${r.stderr}\n${pods.stdout}\n${events.stdout.split('\n').slice(-30).join('\n')}`);
    }
  }
  const pods = (await getJson(['-n', ns, 'pods'])).items.filter((p: any) => !p.metadata.ownerReferences?.some((o: any) => o.kind === 'Job'));
  const notReady = pods.filter((p: any) => !p.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
  expect(notReady.map((p: any) => p.metadata.name)).toEqual([]);
  return pods.length;
}

/** Each StatefulSet's pods: name -> [uid, controller-revision-hash]. */
async function podsOf(ns: string): Promise<Record<string, Record<string, [string, string]>>> {
  const out: Record<string, Record<string, [string, string]>> = {};
  for (const sts of (await getJson(['-n', ns, 'statefulsets'])).items) {
    const selector = Object.entries(sts.spec.selector.matchLabels).map(([k, v]) => `${k}=${v}`).join(',');
    out[sts.metadata.name] = Object.fromEntries((await getJson(['-n', ns, 'pods', '-l', selector])).items
      .map((p: any) => [p.metadata.name, [p.metadata.uid, p.metadata.labels['controller-revision-hash']]]));
  }
  return out;
}

function upgradeFrom(base: string, podsRun: boolean): void {
  const ns = `nck8s-upgrade-${base.slice(0, 7)}`;
  describe(`${ENV}: the dist/ of ${base.slice(0, 7)}, then today's, on the real cluster`, () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cluster-upgrade-'));
    let changes: Change[];
    let checklist: Synthesized;
    let before: string[];
    let after: string[];
    let pods: Awaited<ReturnType<typeof podsOf>> = {};
    const rejected = () => changes.filter((c) => c.effect === 'rejected');
    /** The checklist's commands for the Secrets named. */
    const secrets = (names: (n: string) => boolean): Synthesized => ({ ...checklist, secretCommands: checklist.secretCommands.filter((l) => names(shellWords(l)[6])) });

    beforeAll(async () => {
      await deleteNamespace(ns, 240000);
      await kubectl(['delete', 'priorityclass', ns, '--ignore-not-found']);
      await recycleVolumes();
      await installMonitoringCrds();
      const served = await servedKinds();
      changes = planned(base);
      const [was, now] = [distFiles(base), distFiles()];
      before = writeOneNode(path.join(work, 'base'), was, namespaceOf(was), ns, served);
      after = writeOneNode(path.join(work, 'current'), now, namespaceOf(now), ns, served);
      ensureImages(imagesOf([...before, ...after]));
      // Today's checklist is synth's (the shipped environment file), in the test's namespace.
      const s = synthEnvironment(path.join(ROOT, 'environments', `${ENV}.yaml`));
      checklist = { ...s, secretCommands: s.secretCommands.map((l) => l.replace(` -n ${namespaceOf(now)} `, ` -n ${ns} `)) };
    }, 360000);

    afterAll(async () => {
      await leaveNamespaces(ns);
      if (checklist) fs.rmSync(path.dirname(checklist.dir), { recursive: true, force: true });
      fs.rmSync(work, { recursive: true, force: true });
    }, 300000);

    it(`applies with today's checklist less the Secrets the plan calls new, no warning${podsRun ? '; rolls out (600 s)' : ''}`, async () => {
      const fresh = new Set(changes.filter((c) => c.effect === 'new-secret').map((c) => c.name));
      const first = await kubectl(['apply', '-f', before[0]]);
      await createSecrets(secrets((n) => !fresh.has(n)));
      const all = await kubectl(['apply', '-f', path.dirname(before[0])]);
      expect([...warnings(first), ...warnings(all)]).toEqual([]);
      if (!podsRun) return;
      const start = Date.now();
      console.log(`${ENV} at ${base.slice(0, 7)}: ${await rolledOut(ns, 600)} pods Ready ${Math.round((Date.now() - start) / 1000)} s after apply`);
      pods = await podsOf(ns);
    }, 620000);

    it('today\'s dist/ as the README applies it: the API server refuses exactly what the plan calls rejected (180 s)', async () => {
      await createSecrets(secrets((n) => changes.some((c) => c.effect === 'new-secret' && c.name === n)));
      const first = await kubectl(['apply', '-f', after[0]], { allowFail: true });
      const all = await kubectl(['apply', '-f', path.dirname(after[0])], { allowFail: true, timeoutMs: 170000 });
      expect([...refusedObjects(first), ...refusedObjects(all)]).toEqual(rejected().map((c) => `${c.kind}/${c.name}`).sort());
      for (const c of rejected()) expect(all.stderr).toMatch(REFUSAL[c.kind]);
      // Nothing else failed: every error line is one of those refusals.
      expect(all.stderr.split('\n').filter((l) => /^Error/.test(l) && !/ is invalid/.test(l))).toEqual([]);
    }, 180000);

    it(`the plan's commands for the refused changes, run as printed, carry them out${podsRun ? '; every workload converges (900 s)' : ' (120 s)'}`, async () => {
      const start = Date.now();
      for (const c of rejected()) {
        for (const line of c.commands) {
          const words = shellWords(line.replace(/ -n \S+ /, ` -n ${ns} `).replace(`dist/${ENV}/`, `${path.dirname(after[0])}/`)).slice(1);
          await kubectl(words, { timeoutMs: 120000 });
        }
        const intended = after.flatMap((f) => fs.readFileSync(f, 'utf8').split('\n---\n').map((d) => JSON.parse(d))).find((m) => m.kind === c.kind && m.metadata.name === c.name);
        const live = await getJson(['-n', ns, c.kind.toLowerCase(), c.name]);
        const plain = c.fields.filter((f) => !f.includes('['));
        expect(plain.length).toBeGreaterThan(0);
        for (const f of plain) expect([f, at(live, f)]).toEqual([f, at(intended, f)]);
      }
      const again = await kubectl(['apply', '-f', path.dirname(after[0])]);
      expect(again.stderr.split('\n').filter((l) => /^(Error|Warning)/.test(l))).toEqual([]);
      if (!podsRun) return;
      const n = await rolledOut(ns, 840);
      const now = await podsOf(ns);
      const rolls = new Set(changes.filter((c) => c.kind === 'StatefulSet' && (c.effect === 'rolls-pods' || c.effect === 'rejected')).map((c) => c.name));
      for (const [sts, byPod] of Object.entries(now)) {
        const revisions = [...new Set(Object.values(byPod).map(([, rev]) => rev))];
        expect([sts, revisions]).toEqual([sts, [(await getJson(['-n', ns, 'statefulset', sts])).status.updateRevision]]);
        // A StatefulSet the plan does not say rolls keeps every pod it had.
        if (!rolls.has(sts)) expect([sts, now[sts]]).toEqual([sts, pods[sts]]);
        else expect([sts, Object.keys(byPod).filter((p) => pods[sts]?.[p]?.[0] === byPod[p][0])]).toEqual([sts, []]);
      }
      console.log(`${ENV} upgraded from ${base.slice(0, 7)}: ${n} pods Ready on today's templates ${Math.round((Date.now() - start) / 1000)} s after the apply; rolled: ${[...rolls].join(', ')}`);
    }, podsRun ? 900000 : 120000);
  });
}

upgradeFrom('2b451c4420c885ce9d04351f55f3a44f25f75f12', false);
upgradeFrom('b7c237e2b944dd0ceef59ddf223e23c638e5e649', true);
