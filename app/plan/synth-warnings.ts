/**
 * What synth prints, from the plan's classification (one source): the changes against the
 * committed output that need someone in full, every time until committed; the standing facts of
 * SUMMARY.md (limits, checks) in full only when new, otherwise one line per environment.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { planEnvironment } from './plan';
import { needsAttention } from './render';
import { parseManifests } from './sources';
import { Change, EFFECT_LABELS, EFFECTS, Effect, Located } from './types';

const MANIFEST = /\.k8s\.yaml$/;

/**
 * The manifests last committed in `<outDir>/<env>/` (`git show HEAD:`), so a warning lasts until
 * its change is committed; without git or a commit of that folder, the files on disk.
 * @param shownDir how `outDir` is printed in commands (e.g. `dist`)
 */
export function committedManifests(outDir: string, envName: string, shownDir: string): Located[] | undefined {
  const show = (args: string[]) => execFileSync('git', args, { cwd: outDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 * 1024 * 1024 });
  let names: string[] = [];
  try {
    names = show(['ls-tree', '--name-only', 'HEAD', `./${envName}/`]).split('\n').filter((f) => MANIFEST.test(f));
  } catch {
    // not a git work tree, or no commit yet
  }
  if (names.length) return names.flatMap((f) => parseManifests(`${shownDir}/${f}`, show(['show', `HEAD:./${f}`])));
  const dir = path.join(outDir, envName);
  if (!fs.existsSync(dir)) return undefined;
  return fs.readdirSync(dir).filter((f) => MANIFEST.test(f)).sort()
    .flatMap((f) => parseManifests(`${shownDir}/${envName}/${f}`, fs.readFileSync(path.join(dir, f), 'utf8')));
}

/** The full text of a change: what, why, and the commands in order. */
export function changeWarning(c: Change): string {
  return `${c.summary}${c.dataAtStake ? ' (data at stake)' : ''}. ${c.reason}${c.commands.length ? ` Run: ${c.commands.map((x) => `\`${x}\``).join('; ')}` : ''}`;
}

function counted(changes: Change[]): string {
  const n = new Map<Effect, number>();
  for (const c of changes) n.set(c.effect, (n.get(c.effect) ?? 0) + 1);
  return EFFECTS.filter((e) => n.has(e)).map((e) => `${n.get(e)} ${EFFECT_LABELS[e]}`).join(', ');
}

/** The plan against the committed output: attention-worthy changes in full, the rest counted on one line. */
export function changeWarnings(name: string, namespace: string, before: Located[] | undefined, after: Located[]): { changes: Change[]; warnings: string[] } {
  if (!before) return { changes: [], warnings: [] };
  const changes = planEnvironment({ name, namespace, before, after });
  const full = changes.filter(needsAttention);
  const rest = changes.filter((c) => !needsAttention(c));
  const warnings = full.map(changeWarning);
  if (rest.length) warnings.push(`against the committed output: ${counted(rest)} (npm run plan for the table).`);
  return { changes, warnings };
}

/** A version note that stays true as long as the image does (not an end of life): standing. */
export function isMatrixNote(warning: string): boolean {
  return warning.includes("is outside Nuxeo LTS 2021's compatibility matrix");
}

/**
 * Standing facts (SUMMARY.md's limits and checks, and the version-matrix notes): in full when
 * `verbose`, or, for the first ones, when the committed SUMMARY.md does not say them yet; the
 * others folded into one line.
 */
export function standingWarnings(facts: string[], committedSummary: string | undefined, verbose: boolean, matrixNotes: string[] = []): string[] {
  if (verbose) return [...facts, ...matrixNotes];
  const fresh = facts.filter((f) => !committedSummary?.includes(f));
  const known = facts.length - fresh.length;
  const folded = [
    ...(known ? [`${known} standing ${known > 1 ? 'limits and checks' : 'limit or check'}, unchanged (SUMMARY.md "Limits in force", "Check before applying")`] : []),
    ...(matrixNotes.length ? [`${matrixNotes.length} image${matrixNotes.length > 1 ? 's' : ''} outside Nuxeo LTS 2021's compatibility matrix (${matrixNotes.map((n) => n.split(': ')[0]).join(', ')})`] : []),
  ];
  return folded.length ? [...fresh, `${folded.join('; ')}: --verbose prints them in full.`] : fresh;
}

const RECORD_HEADING = '## Last change Kubernetes cannot apply in place';

/**
 * The SUMMARY.md record of the steps the last rejected change needs: kept, unchanged, until
 * another rejected change replaces it, so committing the output never loses the steps.
 */
export function renderRecord(steps: string[]): string {
  if (!steps.length) return '';
  return `
${RECORD_HEADING}

Recorded by the synth that made the change, and kept until another such change. Before the first
\`kubectl apply\` (or GitOps sync) of that change, once:

${steps.map((s) => `- ${s}`).join('\n')}
`;
}

/** The steps recorded in a SUMMARY.md; empty when there are none. */
export function parseRecord(summary: string): string[] {
  const start = summary.indexOf(RECORD_HEADING);
  if (start < 0) return [];
  const body = summary.slice(start + RECORD_HEADING.length);
  const end = body.indexOf('\n## ');
  return (end < 0 ? body : body.slice(0, end)).split('\n').filter((l) => l.startsWith('- ')).map((l) => l.slice(2));
}
