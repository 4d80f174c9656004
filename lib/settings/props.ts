import { z } from 'zod';

import { checked } from './problems';
import { PropsError } from './props-error';

/** Every problem of a value against a section's schema, as `section.field: message` lines (the file's words). */
export function propsProblems(section: string, schema: z.ZodType, value: unknown): string[] {
  return checked(schema, value, [section]).problems;
}

/**
 * A construct's Props through its section of the environment schema: the defaults the file has,
 * and every problem reported as `section.field: message`.
 */
export function parseProps<S extends z.ZodType>(section: string, schema: S, value: unknown): z.output<S> {
  const r = checked(schema, value, [section]);
  if (!r.ok) throw new PropsError(r.problems);
  return r.data;
}

/** Throws the problems found, if any, as one PropsError. */
export function refuse(problems: string[]): void {
  if (problems.length) throw new PropsError(problems);
}

/** The keys of Props `P` that are not settings `S` (context, baseName, endpoints ...). */
type OwnKey<P, S> = Exclude<keyof P, keyof S>;

/**
 * The construct's own (non-settings) keys of its Props, checked by the compiler to be complete:
 * a Props field added without being listed here fails to compile, never at run time.
 */
export function ownKeys<P, S>() {
  return <const K extends readonly OwnKey<P, S>[]>(keys: K & ([OwnKey<P, S>] extends [K[number]] ? unknown : { missing: Exclude<OwnKey<P, S>, K[number]> })): K => keys;
}

/** Props without the construct's own keys: the settings its section's schema parses. */
export function settingsOf<P extends object>(props: P, own: readonly PropertyKey[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(props).filter(([k]) => !own.includes(k)));
}
