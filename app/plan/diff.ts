/**
 * Field-level differences between two versions of one object: the paths a reviewer reads
 * ("spec.template.spec.containers[nuxeo].image"), not a text diff.
 */

/** The name an array item is known by (containers, volumes, env: `name`; claim templates: `metadata.name`). */
function nameOf(item: unknown): string | undefined {
  const i = item as any;
  return typeof i?.name === 'string' ? i.name : typeof i?.metadata?.name === 'string' ? i.metadata.name : undefined;
}

/** Array items keyed by name when they all have one, else by index. */
function keyed(items: unknown[]): Map<string, unknown> {
  const named = items.every((i) => nameOf(i) !== undefined);
  return new Map(items.map((item, i) => [named ? nameOf(item)! : String(i), item]));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** Paths of every leaf that differs, in a stable order; `prefix` is the path of `a`/`b`. */
export function changedPaths(a: unknown, b: unknown, prefix = ''): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  if (Array.isArray(a) && Array.isArray(b)) {
    const [ka, kb] = [keyed(a), keyed(b)];
    const keys = [...new Set([...ka.keys(), ...kb.keys()])];
    return keys.flatMap((k) => changedPaths(ka.get(k), kb.get(k), `${prefix}[${k}]`));
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => changedPaths(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return [prefix];
}

/** The value at a dotted path of plain keys (no array indexes). */
export function at(obj: unknown, path: string): any {
  return path.split('.').reduce((o: any, k) => (o == null ? undefined : o[k]), obj);
}

/** True when the path is `root` or below it. */
export function under(path: string, root: string): boolean {
  return path === root || path.startsWith(`${root}.`) || path.startsWith(`${root}[`);
}
