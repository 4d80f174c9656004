/**
 * The floors of docs/layout.md, read from the import statements (the TypeScript compiler's own
 * pre-processing): every import of lib/ goes to its own folder or down (FLOORS), so nothing runs
 * back up and no tier imports another of its floor; the library never imports the
 * environment-file app; and a tier's settings import only its own folder and the shared pieces
 * beneath, so a tier's settings can be read, and changed, in its folder alone.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.join(__dirname, '..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.posix.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(rel);
    return e.name.endsWith('.ts') ? [rel] : [];
  });
}

/** The repository paths (without extension) a file imports by relative path. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(fs.readFileSync(path.join(ROOT, file), 'utf8'), true, true);
  return info.importedFiles.map((f) => f.fileName).filter((f) => f.startsWith('.')).map((f) => path.posix.join(path.posix.dirname(file), f));
}

/** `file imports target` for every import of `files` outside `allowed` (folders, with a trailing slash). */
function importsOutside(files: string[], allowed: (file: string) => string[]): string[] {
  return files.flatMap((file) => importsOf(file).filter((target) => !allowed(file).some((dir) => target.startsWith(dir))).map((target) => `${file} imports ${target}`));
}

const lib = sourceFiles('lib');

/**
 * The floors of docs/layout.md, by folder (a file's floor is its folder's; `lib` is the top-level
 * files, `imports` the generated CRD bindings every floor above the settings may use). A file
 * imports its own folder or a lower floor, never a folder of its own floor or above: the tiers of
 * floor 2 never import each other, whatever one needs of another comes through a handle from a
 * floor above (CompactArchitecture, or the user, hands endpoints and hosts down).
 */
const FLOORS: Record<string, number> = {
  'lib/settings': 0,
  imports: 0,
  'lib/k8s': 1,
  'lib/namespace': 2,
  'lib/database': 2,
  'lib/elasticsearch': 2,
  'lib/redis': 2,
  'lib/nuxeo': 3,
  'lib/load-balancer': 4,
  'lib/monitoring': 5,
  lib: 6,
};

/** The floor folder of a repository path: `lib/<tier>`, `lib` for top-level files, `imports`. */
function folderOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'lib') return parts.length > 2 ? `lib/${parts[1]}` : 'lib';
  return parts[0];
}

/** Why `file` may not import `target`: neither its own folder nor a lower floor. */
function floorViolation(file: string, target: string): string | undefined {
  const [from, to] = [folderOf(file), folderOf(target)];
  if (from === to || FLOORS[to] < FLOORS[from]) return undefined;
  return `${file} imports ${target} (floor ${FLOORS[from]} -> ${FLOORS[to] ?? 'none'})`;
}

const importsAgainstFloors = (files: string[]) => files.flatMap((file) => importsOf(file).flatMap((target) => floorViolation(file, target) ?? []));

describe('layout floors', () => {
  test('the library never imports the environment-file app (or tests, or scripts)', () => {
    expect(importsOutside(lib, () => ['lib/', 'imports/'])).toEqual([]);
  });

  test('lib/settings imports only itself, lib/k8s only itself and lib/settings', () => {
    expect(importsOutside(lib.filter((f) => f.startsWith('lib/settings/')), () => ['lib/settings/'])).toEqual([]);
    expect(importsOutside(lib.filter((f) => f.startsWith('lib/k8s/')), () => ['lib/k8s/', 'lib/settings/', 'imports/'])).toEqual([]);
  });

  test("a tier's settings import only its own folder's settings and the shared pieces beneath", () => {
    const settings = lib.filter((f) => /^lib\/[^/]+\/settings(\.generated)?\.ts$/.test(f) && !f.startsWith('lib/settings/') && !f.startsWith('lib/k8s/'));
    expect(settings.length).toBeGreaterThanOrEqual(10);
    const own = (file: string) => [`${path.posix.dirname(file)}/settings`, 'lib/settings/', 'lib/k8s/settings'];
    expect(importsOutside(settings, own)).toEqual([]);
  });

  test('every folder of lib/ has a floor', () => {
    expect(lib.map(folderOf).filter((f) => FLOORS[f] === undefined)).toEqual([]);
  });

  test('every import of lib/ goes to its own folder or to a lower floor', () => {
    expect(importsAgainstFloors(lib)).toEqual([]);
  });

  test('the check sees an import that runs back up, or sideways between tiers', () => {
    expect(importsOf('lib/nuxeo/settings.ts')).toContain('lib/settings/fields');
    expect(importsOf('lib/nuxeo/nuxeo.ts')).toContain('lib/redis/redis');
    expect(floorViolation('lib/nuxeo/nuxeo.ts', 'lib/redis/redis')).toBeUndefined();
    expect(floorViolation('lib/redis/redis.ts', 'lib/redis/settings')).toBeUndefined();
    expect(floorViolation('lib/k8s/context.ts', 'imports/k8s')).toBeUndefined();
    expect(floorViolation('lib/redis/redis.ts', 'lib/nuxeo/nuxeo-conf')).toBe('lib/redis/redis.ts imports lib/nuxeo/nuxeo-conf (floor 2 -> 3)');
    expect(floorViolation('lib/redis/redis.ts', 'lib/database/database')).toBe('lib/redis/redis.ts imports lib/database/database (floor 2 -> 2)');
    expect(floorViolation('lib/k8s/context.ts', 'lib/compact-architecture')).toBe('lib/k8s/context.ts imports lib/compact-architecture (floor 1 -> 6)');
    expect(floorViolation('lib/k8s/context.ts', 'app/load')).toBe('lib/k8s/context.ts imports app/load (floor 1 -> none)');
  });
});
