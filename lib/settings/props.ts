import { z } from 'zod';

/** A Props error of the library: one line per problem, each naming its field, as the environment file's. */
export class PropsError extends Error {
  constructor(public readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'PropsError';
  }
}

/**
 * A construct's Props through its section of the environment schema: the defaults the file has,
 * and every problem reported as `section.field: message`.
 */
export function parseProps<S extends z.ZodType>(section: string, schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new PropsError(r.error.issues.map((i) => `${[section, ...i.path.map(String)].join('.')}: ${i.message}`));
}
