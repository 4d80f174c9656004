import { z } from 'zod';

import { PropsError } from './props-error';

/**
 * A construct's Props through its section of the environment schema: the defaults the file has,
 * and every problem reported as `section.field: message`.
 */
export function parseProps<S extends z.ZodType>(section: string, schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new PropsError(r.error.issues.map((i) => `${[section, ...i.path.map(String)].join('.')}: ${i.message}`));
}
