/** `npm run plan -- [--base <revision>] [--json]`: what merging this branch does to each environment. */
import { EnvironmentError } from '../load';
import { planEnvironment } from './plan';
import { EnvironmentPlan, planDocument, PlanDocument, renderMarkdown } from './render';
import { committedRendering, currentRendering, defaultBase, describe, Rendering } from './sources';

export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const USAGE = 'usage: npm run --silent plan -- [--base <git revision>] [--json]';
const HELP = `${USAGE}

Compares dist/ as committed at the base revision with what the environment files produce now,
and classifies every object change by what it does to the running cluster (docs/plan.md).

  --base <revision>   the revision to compare with
                      (default: the merge base of HEAD with the default branch)
  --json              the versioned JSON document (schema/plan.schema.json) instead of Markdown`;

/** Every environment on either side, each with its changes. */
export function planRenderings(base: string, before: Rendering, after: Rendering): PlanDocument {
  const names = [...new Set([...before.keys(), ...after.keys()])];
  const envs: EnvironmentPlan[] = names.map((name) => {
    const [b, a] = [before.get(name), after.get(name)];
    const namespace = a?.namespace ?? b!.namespace;
    return { name, namespace, changes: planEnvironment({ name, namespace, before: b?.objects ?? [], after: a?.objects ?? [] }) };
  });
  return planDocument(base, envs);
}

export function main(argv: string[], io: CliIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) }, cwd = process.cwd()): number {
  let base: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--help' || argv[i] === '-h') return io.out(`${HELP}\n`), 0;
    if (argv[i] === '--json') json = true;
    else if (argv[i] === '--base' && argv[i + 1] && !argv[i + 1].startsWith('--')) base = argv[++i];
    else return io.err(`error: ${argv[i] === '--base' ? '--base needs a revision' : `unknown argument '${argv[i]}'`}\n${USAGE}\n`), 2;
  }
  try {
    const rev = describe(cwd, base ?? defaultBase(cwd));
    const doc = planRenderings(rev, committedRendering(cwd, rev), currentRendering(cwd));
    io.out(json ? `${JSON.stringify(doc, null, 2)}\n` : renderMarkdown(doc));
    return 0;
  } catch (e) {
    if (e instanceof EnvironmentError) return io.err(`${e.problems.map((p) => `error: ${p}`).join('\n')}\n`), 1;
    const stderr = (e as { stderr?: string }).stderr;
    io.err(`error: ${stderr ? String(stderr).trim() : (e as Error).message}\n`);
    return 1;
  }
}
