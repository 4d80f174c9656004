/**
 * The one formatter of problems: where zod's issues become the lines a user reads, for the
 * environment file (app/load.ts) and for the constructs' Props (props.ts) alike, so both get the
 * same words: `field.path: what is allowed`.
 */
import { z } from 'zod';

const jsonSchemas = new WeakMap<z.ZodType, any>();

/** The JSON Schema of a schema's input, made once (the environment's is also written to schema/ for editors). */
export function inputJsonSchema(schema: z.ZodType): any {
  let json = jsonSchemas.get(schema);
  if (!json) jsonSchemas.set(schema, (json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })));
  return json;
}

/** Field names allowed at a path of a schema, read from its JSON Schema, for "unknown field" messages. */
function allowedFields(schema: z.ZodType, at: PropertyKey[]): string[] {
  let node = inputJsonSchema(schema);
  for (const key of at) {
    node = node?.properties?.[key as string] ?? node?.additionalProperties;
  }
  return Object.keys(node?.properties ?? {}).filter((k) => k !== '$schema');
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

const fieldPath = (p: PropertyKey[]) => (p.length ? p.map(String).join('.') : '(top level)');
const expected = (e: string) => (e === 'object' ? 'a mapping' : `a ${e}`);

/** A limit's words: a string's is its length, a list's its items, a number's the number itself. */
function limit(bound: 'at least' | 'at most', n: number | bigint, origin: string): string {
  const plural = n === 1 ? '' : 's';
  if (origin === 'string') return `must be ${bound} ${n} character${plural} long`;
  if (origin === 'array') return `must have ${bound} ${n} item${plural}`;
  return `must be ${bound} ${n}`;
}

/** The lines of one issue of `schema`, whose root the user writes at `at`. */
function messagesOf(schema: z.ZodType, at: PropertyKey[], issue: z.core.$ZodIssue): string[] {
  const field = fieldPath([...at, ...issue.path]);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((k) => `${fieldPath([...at, ...issue.path, k])}: unknown field; allowed here: ${allowedFields(schema, issue.path).join(', ')}`);
    case 'invalid_type':
      return [issue.input === undefined ? `${field}: is required (${expected(issue.expected)})` : `${field}: must be ${expected(issue.expected)}, not ${describe(issue.input)}`];
    case 'too_small':
      return [`${field}: ${issue.message.startsWith('Too small') ? limit('at least', issue.minimum, issue.origin) : issue.message}`];
    case 'too_big':
      return [`${field}: ${issue.message.startsWith('Too big') ? limit('at most', issue.maximum, issue.origin) : issue.message}`];
    case 'invalid_key':
      // A record key that fails its own schema: report that schema's message, not zod's generic one.
      return [`${field}: ${issue.issues[0]?.message ?? issue.message}`];
    default:
      return [`${field}: ${issue.message}`];
  }
}

/**
 * A value through a schema: its output, or every problem as `field.path: message` lines, the
 * path starting with `at`, where the user writes the schema's root (a section's name for Props,
 * nothing for the environment file).
 */
export function checked<S extends z.ZodType>(schema: S, value: unknown, at: string[] = []): { ok: true; data: z.output<S>; problems: [] } | { ok: false; problems: string[] } {
  const r = schema.safeParse(value, { reportInput: true });
  return r.success ? { ok: true, data: r.data, problems: [] } : { ok: false, problems: r.error.issues.flatMap((i) => messagesOf(schema, at, i)) };
}
