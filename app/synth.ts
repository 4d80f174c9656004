/**
 * The safe synth pipeline: validate every environment, render everything in memory, write it to
 * a staging folder, and only then swap each `dist/<env>/` into place. A failure at any step exits
 * non-zero and leaves the previous output byte-identical, so an automated commit of `dist/` can
 * never turn a typo into a GitOps prune of the whole deployment.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart, Yaml } from 'cdk8s';
import { Construct } from 'constructs';
import { CompactArchitecture } from '../lib/compact-architecture';
import { EnvironmentError, listEnvironmentFiles, loadEnvironments } from './load';
import type { Environment } from './environment';
import { architectureProps, namespaceProps } from './to-props';
import { versionWarnings } from './versions';
// The plan's classification drives the warnings about changes (issue 23: one source).
import { changeWarning, changeWarnings, committedManifests, isMatrixNote, parseRecord, renderRecord, standingWarnings } from './plan/synth-warnings';
import { parseManifests } from './plan/sources';
import type { Located } from './plan/types';
import { renderMonitoringSummary } from './monitoring-summary';
import { createSecretCommand, SecretNeed, secretsNeeded } from './secrets';
import { renderSummary } from './summary';
import { monitoringSelectorWarnings, setupWarnings } from './setup-warnings';
import { nodeSizeWarnings, totals } from './totals';
import { architectureWarnings } from './warnings';
import { elasticsearchHeapMegabytes } from '../lib/elasticsearch/elasticsearch';
import { NamespaceTier } from '../lib/namespace/namespace';
import { nuxeoHeapMegabytes } from '../lib/nuxeo/nuxeo';
import { sentinelQuorum } from '../lib/redis/redis';

export const MANIFEST_SUFFIX = '.k8s.yaml';
export const SUMMARY_FILE = 'SUMMARY.md';

/**
 * Output files, one per tier, named so that applying the folder in name order creates the
 * namespace first and the load balancer last (after what it routes to).
 */
export const TIER_FILES = {
  namespace: '00-namespace',
  database: '10-database',
  elasticsearch: '20-elasticsearch',
  redis: '30-redis',
  nuxeo: '40-nuxeo',
  loadBalancer: '50-load-balancer',
  /** PodMonitors and alerts (prometheus-operator CRDs); absent when monitoring is off. */
  monitoring: '60-monitoring',
} as const;

/** The manifests of one construct's objects, in construct-tree order. */
function manifestsOf(scope: Construct): any[] {
  return scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => o.toJson());
}

/**
 * One environment as cdk8s constructs: the cluster-level objects in a Chart without namespace
 * (cdk8s would stamp one on them), the architecture in the environment's namespace; the
 * manifests are split into one file per tier here, which the constructs know nothing of.
 */
function tierManifests(env: Environment): [string, any[]][] {
  const app = new App();
  const cluster = new Chart(app, 'cluster', { disableResourceNameHashes: true });
  const namespace = new NamespaceTier(cluster, 'namespace', namespaceProps(env.spec));
  const chart = new Chart(app, env.name, { namespace: env.spec.namespace, disableResourceNameHashes: true });
  const arch = new CompactArchitecture(chart, 'architecture', architectureProps(env.spec, namespace.priorityClassName));
  const problems = arch.node.validate(); // duplicate objects, before anything is rendered
  if (problems.length) throw new Error(problems.join('\n'));
  const tiers: [keyof typeof TIER_FILES, Construct | undefined][] = [
    ['namespace', namespace], ['database', arch.database], ['elasticsearch', arch.elasticsearch], ['redis', arch.redis],
    ['nuxeo', arch.nuxeo], ['loadBalancer', arch.loadBalancer], ['monitoring', arch.monitoring],
  ];
  return tiers.filter(([, c]) => c).map(([tier, c]) => [TIER_FILES[tier], manifestsOf(c!)]);
}

/** The committed output of one environment, to compare with. */
interface Previous {
  /** Its SUMMARY.md: the record of a change Kubernetes cannot apply in place is carried forward, or replaced. */
  readonly summary?: string;
  /** Its manifests: the plan against them says which changes need attention. */
  readonly manifests?: Located[];
  /** How the output folder is written in commands (`dist`). */
  readonly shownDir?: string;
}

/**
 * The files of one environment's output folder, by name, in memory.
 * @param previousSummary the committed SUMMARY.md of this environment, if any: its record of a
 *   change Kubernetes cannot apply in place is carried forward, or replaced by a new one.
 * @param previousManifests the committed manifests of this environment, if any
 */
export function synthesizeEnvironment(env: Environment, previousSummary?: string, previousManifests?: Located[]): Map<string, string> {
  return renderEnvironment(env, { summary: previousSummary, manifests: previousManifests }).files;
}

/** The output folder's files, the Secrets its manifests reference, what its changes need and its node-size checks. */
function renderEnvironment(env: Environment, previous: Previous): { files: Map<string, string>; secrets: SecretNeed[]; changeWarnings: string[]; sizing: string[] } {
  // Never app.synth(): files are written by the pipeline below, under human names.
  const files = new Map<string, string>();
  const manifests: any[] = [];
  for (const [file, objects] of tierManifests(env)) {
    manifests.push(...objects);
    files.set(file + MANIFEST_SUFFIX, Yaml.stringify(...objects));
  }
  const secrets = secretsNeeded(manifests);
  const sums = totals(manifests);
  const dir = `${previous.shownDir ?? 'dist'}/${env.name}`;
  const now = [...files].flatMap(([file, text]) => parseManifests(`${dir}/${file}`, text));
  const { changes, warnings } = changeWarnings(env.name, env.spec.namespace, previous.manifests, now);
  const rejected = changes.filter((c) => c.effect === 'rejected').map(changeWarning);
  const record = rejected.length ? rejected : previous.summary ? parseRecord(previous.summary) : [];
  files.set(
    SUMMARY_FILE,
    renderSummary(env, {
      files: [...files.keys()],
      nuxeoHeapMegabytes: nuxeoHeapMegabytes(env.spec.nuxeo),
      elasticsearchHeapMegabytes: elasticsearchHeapMegabytes(env.spec.elasticsearch),
      sentinelQuorum: env.spec.redis.mode === 'external' ? sentinelQuorum(env.spec.redis) : undefined,
      secrets,
      monitoring: renderMonitoringSummary(env.spec, env.spec.redis.mode === 'external' ? sentinelQuorum(env.spec.redis) : undefined),
      totals: sums,
    }) + renderRecord(record),
  );
  return { files, secrets, changeWarnings: warnings, sizing: nodeSizeWarnings(sums, env.spec) };
}

/**
 * The last committed SUMMARY.md of an output folder: `git show HEAD:` when the folder is in a git
 * work tree, so that a warning lasts until its change is committed, however often synth runs;
 * otherwise (no git, not committed yet) the file as it is on disk.
 */
export function committedSummary(outDir: string, envName: string): string | undefined {
  const rel = `${envName}/${SUMMARY_FILE}`;
  if (fs.existsSync(outDir)) {
    try {
      return execFileSync('git', ['show', `HEAD:./${rel}`], { cwd: outDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      // Not a git work tree, no commit yet, or this folder is not committed: use the working tree.
    }
  }
  const file = path.join(outDir, rel);
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
}

function writeFolder(dir: string, files: Map<string, string>): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of files) fs.writeFileSync(path.join(dir, name), text);
}

/** True for a folder this tool wrote (it holds our SUMMARY.md), the only kind it ever deletes. */
function isOurOutput(dir: string): boolean {
  return fs.existsSync(path.join(dir, SUMMARY_FILE)) && fs.readFileSync(path.join(dir, SUMMARY_FILE), 'utf8').includes('Generated by nuxeo-compact-k8s');
}

/** The Namespace an output folder deploys, read back from its SUMMARY.md. */
function namespaceOf(dir: string): string | undefined {
  return /Namespace `([a-z0-9-]+)`/.exec(fs.readFileSync(path.join(dir, SUMMARY_FILE), 'utf8'))?.[1];
}

/** Synth refused to run; nothing was written. */
export class SynthRefusal extends Error {
  constructor(public readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'SynthRefusal';
  }
}

export interface SynthOptions {
  /** Environment files to synthesize. */
  readonly envFiles: string[];
  /** Folder receiving one sub-folder per environment. */
  readonly outDir: string;
  /** Remove output folders of environments that no longer exist (when synthesizing all). */
  readonly prune: boolean;
  /**
   * The date the version warnings are judged at (YYYY-MM-DD).
   * @default - today (UTC)
   */
  readonly today?: string;
  /**
   * Also remove an output folder whose Namespace another environment file now deploys (a renamed
   * file); without it, synth refuses, because GitOps pruning of that folder deletes the Namespace.
   * @default false
   */
  readonly pruneRenamed?: boolean;
  /**
   * Folder holding the output to compare with (its committed SUMMARY.md files).
   * @default - outDir
   */
  readonly baselineDir?: string;
  /**
   * Also copy the output here (the cdk8s CLI's CDK8S_OUTDIR, so it lists what was made).
   * @default - no copy
   */
  readonly mirrorDir?: string;
  /**
   * Print every standing limit and check in full, not only the new ones.
   * @default false
   */
  readonly verbose?: boolean;
  /**
   * How `outDir` is written in the printed commands.
   * @default - outDir relative to the working directory
   */
  readonly shownOutDir?: string;
}

export interface SynthResult {
  readonly environments: Environment[];
  readonly warnings: string[];
  /** Secrets each environment's manifests reference, by environment name. */
  readonly secrets: Map<string, SecretNeed[]>;
  /** Output folders removed because their environment file is gone. */
  readonly pruned: string[];
}

/** One environment rendered, with its committed SUMMARY.md. */
type Rendered = { readonly env: Environment; readonly previous?: string } & ReturnType<typeof renderEnvironment>;

/** Validates, renders and swaps into place; throws before touching `outDir` on any problem. */
export function synthesize(opts: SynthOptions): SynthResult {
  const environments = loadEnvironments(opts.envFiles);
  const outDir = path.resolve(opts.outDir);
  const baselineDir = path.resolve(opts.baselineDir ?? outDir);
  const shownDir = opts.shownOutDir ?? (path.relative(process.cwd(), outDir) || outDir);
  // Compare with the committed output: changes that need someone are warned about until
  // committed, and a rejected one is recorded in SUMMARY.md.
  const rendered: Rendered[] = environments.map((env) => {
    const previous = committedSummary(baselineDir, env.name);
    return { env, previous, ...renderEnvironment(env, { summary: previous, manifests: committedManifests(baselineDir, env.name, shownDir), shownDir }) };
  });
  const redeploy = rendered.flatMap(({ env, changeWarnings: w }) => w.map((x) => `${env.name}: ${x}`));
  const stale = opts.prune ? staleFolders(outDir, environments, opts.pruneRenamed ?? false) : [];
  swapIntoPlace(outDir, rendered, stale);
  if (opts.mirrorDir) {
    for (const { env, files } of rendered) writeFolder(path.join(opts.mirrorDir, env.name), files);
  }
  const standing = standingWarningsOf(rendered, opts.today ?? new Date().toISOString().slice(0, 10), opts.verbose ?? false);
  const secrets = new Map(rendered.map((r) => [r.env.name, r.secrets]));
  return { environments, warnings: [...redeploy, ...standing], secrets, pruned: stale.map((name) => path.join(outDir, name)) };
}

/**
 * Output folders of environment files that are gone, sorted. One whose Namespace another file now
 * deploys is a rename: GitOps pruning of the old folder would delete that Namespace, so that is
 * refused unless `pruneRenamed`.
 */
function staleFolders(outDir: string, environments: Environment[], pruneRenamed: boolean): string[] {
  const names = new Set(environments.map((e) => e.name));
  const stale = fs.existsSync(outDir)
    ? fs.readdirSync(outDir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !names.has(e.name) && isOurOutput(path.join(outDir, e.name)))
      .map((e) => e.name).sort()
    : [];
  const renamed = stale.flatMap((name) => {
    const ns = namespaceOf(path.join(outDir, name));
    const now = environments.find((e) => e.spec.namespace === ns);
    return now ? [{ name, ns, now: now.name }] : [];
  });
  if (renamed.length && !pruneRenamed) {
    throw new SynthRefusal(renamed.map((r) =>
      `${r.name}/: its environment file is gone and its Namespace ${r.ns} is now deployed by ${r.now}/ (a rename?). ` +
      'Removing it makes Argo CD / Flux with pruning delete that Namespace and everything in it (volumes included). ' +
      'Re-run with --prune once the GitOps side is ready (README "Renaming an environment").'));
  }
  return stale;
}

/** Writes every folder to a staging folder, then renames each into `outDir` and removes the stale ones. */
function swapIntoPlace(outDir: string, rendered: Rendered[], stale: string[]): void {
  const staging = path.join(path.dirname(outDir), `.synth-staging-${process.pid}`);
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    for (const { env, files } of rendered) writeFolder(path.join(staging, env.name), files);
    fs.mkdirSync(outDir, { recursive: true });
    for (const { env } of rendered) {
      const target = path.join(outDir, env.name);
      const old = path.join(staging, `.previous-${env.name}`);
      if (fs.existsSync(target)) fs.renameSync(target, old);
      fs.renameSync(path.join(staging, env.name), target);
    }
    for (const name of stale) fs.rmSync(path.join(outDir, name), { recursive: true });
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Standing facts folded into one line per environment (all of them when `verbose`); an end of life is said in full. */
function standingWarningsOf(rendered: Rendered[], today: string, verbose: boolean): string[] {
  return rendered.flatMap(({ env, previous, sizing }) => {
    const versions = versionWarnings(env.spec, today);
    const facts = [...setupWarnings(env.spec), ...monitoringSelectorWarnings(env.spec), ...sizing, ...architectureWarnings(env.spec)];
    return [...standingWarnings(facts, previous, verbose, versions.filter(isMatrixNote)), ...versions.filter((w) => !isMatrixNote(w))]
      .map((w) => `${env.name}: ${w}`);
  });
}

export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const USAGE = 'usage: npm run synth [-- [--prune] | --env <file.yaml> ... --out <dir>]  (--help for details)';

const HELP = `npm run synth [-- options]     (also: npx cdk8s synth)

Validates environment files, renders every one in memory and only then replaces each output
folder; on any problem nothing is written.

  (no option)          every environments/*.yaml into dist/<name>/; output folders of
                       environment files that are gone are removed (each is printed)
  --prune              also remove a gone environment's folder whose Namespace another
                       file now deploys (a renamed file: see README "Renaming an environment")
  --env <file.yaml>    only this file (repeatable); other output folders are left alone
  --out <dir>          write <dir>/<name>/ instead of dist/<name>/
  --verbose            print every standing limit and check in full (by default, those the
                       committed SUMMARY.md already states are one line per environment)
  --help               this text`;
/** A path as the user would type it: relative below the working directory, absolute elsewhere. */
function shown(cwd: string, p: string): string {
  const rel = path.relative(cwd, p);
  return rel && !rel.startsWith('..') ? rel : p;
}

/** The command line's options. */
interface CliArgs {
  /** Empty: every environment file. */
  readonly envFiles: string[];
  readonly outDir: string;
  readonly pruneRenamed: boolean;
  readonly verbose: boolean;
}

/** The command line read: its options, `help`, or the usage error to print. */
function parseArgs(argv: string[], cwd: string): CliArgs | 'help' | { readonly error: string } {
  const envFiles: string[] = [];
  let outDir = path.join(cwd, 'dist');
  let pruneRenamed = false;
  let verbose = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--prune' || arg === '--verbose') {
      if (arg === '--prune') pruneRenamed = true;
      else verbose = true;
      continue;
    }
    if ((arg === '--env' || arg === '--out') && (!value || value.startsWith('--'))) return { error: `${arg} needs a value` };
    if (arg === '--env') envFiles.push(path.resolve(cwd, value));
    else if (arg === '--out') outDir = path.resolve(cwd, value);
    else return { error: `unknown argument '${arg}'` };
    i++;
  }
  if (pruneRenamed && envFiles.length) return { error: '--prune applies to a synth of every environment file, not with --env' };
  return { envFiles, outDir, pruneRenamed, verbose };
}

/** `npm run synth` / `npx cdk8s synth`. Returns the exit code; never prints a stack trace for bad input. */
export function main(argv: string[], io: CliIo = { out: console.log, err: console.error }, cwd = process.cwd()): number {
  const args = parseArgs(argv, cwd);
  if (args === 'help') {
    io.out(HELP);
    return 0;
  }
  if ('error' in args) {
    io.err(`error: ${args.error}\n${USAGE}`);
    return 2;
  }
  const { envFiles, outDir, pruneRenamed, verbose } = args;
  const all = envFiles.length === 0;
  let files: string[] = envFiles;
  try {
    files = all ? listEnvironmentFiles(path.join(cwd, 'environments')) : envFiles;
    if (!files.length) {
      io.err('error: no environment files in environments/');
      return 1;
    }
    // Under `cdk8s synth`, CDK8S_OUTDIR is the CLI's scratch folder (it wipes it first): list our output there too.
    const mirror = process.env.CDK8S_OUTDIR ? path.resolve(cwd, process.env.CDK8S_OUTDIR) : undefined;
    const result = synthesize({ envFiles: files, outDir, prune: all, pruneRenamed, mirrorDir: mirror === outDir ? undefined : mirror, verbose, shownOutDir: shown(cwd, outDir) });
    printResult(result, outDir, io, cwd);
    return 0;
  } catch (e) {
    if (e instanceof EnvironmentError || e instanceof SynthRefusal) {
      printProblems(e, files, outDir, io, cwd);
      return 1;
    }
    throw e;
  }
}

/** The warnings, the folders pruned and written, and the commands creating the Secrets each needs. */
function printResult(result: SynthResult, outDir: string, io: CliIo, cwd: string): void {
  for (const w of result.warnings) io.err(`warning: ${w}`);
  for (const dir of result.pruned) io.out(`pruned ${shown(cwd, dir)}/ (its environment file is gone)`);
  for (const env of result.environments) {
    io.out(`synthesized ${shown(cwd, path.join(outDir, env.name))}/ (${env.spec.redis.mode} Redis, ${env.spec.nuxeo.replicas} Nuxeo nodes); Secrets to create first (placeholders):`);
    for (const s of result.secrets.get(env.name) ?? []) io.out(`  ${createSecretCommand(env.spec.namespace, s)}`);
  }
}

/** Why nothing was written: one `error:` line a problem, file names as typed. */
function printProblems(e: EnvironmentError | SynthRefusal, files: string[], outDir: string, io: CliIo, cwd: string): void {
  // Problems start with the absolute file name: show it as typed, relative to the working directory.
  const relative = (p: string) => files.reduce((line, f) => (line.startsWith(`${f}: `) ? shown(cwd, f) + line.slice(f.length) : line), p);
  for (const p of e.problems) io.err(`error: ${e instanceof SynthRefusal ? shown(cwd, outDir) + '/' : ''}${relative(p)}`);
  io.err(`nothing written: ${shown(cwd, outDir)}/ is unchanged`);
}
