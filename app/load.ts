/**
 * Reading and validating environment files: the one edge where untrusted input is checked.
 * Every problem of a file is collected and reported as `file: field.path: what is allowed`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseDocument } from 'yaml';
import { checked, inputJsonSchema } from '../lib/settings/problems';
import { Environment, environmentSchema } from './environment';

// For tools that generate environments (scripts/bench.js) and must size them validly.
export { databaseConnectionsNeeded } from '../lib/nuxeo/settings';

/** All the problems found in environment files, one line each. */
export class EnvironmentError extends Error {
  constructor(public readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'EnvironmentError';
  }
}

/** The JSON Schema derived from the zod schema (also written to schema/ for editors). */
export function environmentJsonSchema(): any {
  return inputJsonSchema(environmentSchema);
}

/** The committed schema/environment.schema.json: editor support for environment files. */
export function renderJsonSchema(): string {
  const schema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://github.com/nuxeo-compact-k8s/schema/environment.schema.json',
    title: 'nuxeo-compact-k8s environment',
    ...environmentJsonSchema(),
  };
  return JSON.stringify(schema, null, 2) + '\n';
}

/** Validates already-parsed data; returns the typed spec or the list of problems. */
export function validateEnvironment(data: unknown): { spec?: Environment['spec']; problems: string[] } {
  const r = checked(environmentSchema, data);
  return r.ok ? { spec: r.data, problems: [] } : { problems: r.problems };
}

/** Reads one environment file; throws EnvironmentError naming the file on any problem. */
export function loadEnvironment(file: string): Environment {
  const name = path.basename(file).replace(/\.ya?ml$/, '');
  const problems: string[] = [];
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) {
    problems.push(`(file name): '${name}' names the output folder, so it must be a DNS label (lower-case letters, digits, '-')`);
  }
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e: any) {
    throw new EnvironmentError([`${file}: cannot be read (${e.code ?? e.message})`]);
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    for (const err of doc.errors) {
      const line = err.linePos?.[0];
      const what = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      problems.push(`YAML syntax error${line ? ` at line ${line.line}, column ${line.col}` : ''}: ${what}`);
    }
  } else {
    const result = validateEnvironment(doc.toJS() ?? {});
    problems.push(...result.problems);
    if (!problems.length) return { name, spec: result.spec! };
  }
  throw new EnvironmentError(problems.map((p) => `${file}: ${p}`));
}

/** Loads every environment, collecting the problems of all files before failing. */
export function loadEnvironments(files: string[]): Environment[] {
  const envs: Environment[] = [];
  const problems: string[] = [];
  for (const file of files) {
    try {
      envs.push(loadEnvironment(file));
    } catch (e) {
      if (!(e instanceof EnvironmentError)) throw e;
      problems.push(...e.problems);
    }
  }
  const names = new Set<string>();
  for (const env of envs) {
    if (names.has(env.name)) problems.push(`${env.name}: two environment files share this name; each writes dist/${env.name}/`);
    names.add(env.name);
  }
  if (problems.length) throw new EnvironmentError(problems);
  return envs;
}

/** The shipped environment files, sorted so output order never depends on the file system. */
export function listEnvironmentFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}
