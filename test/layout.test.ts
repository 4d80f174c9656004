/**
 * The floors of docs/layout.md, read from the import statements (the TypeScript compiler's own
 * pre-processing): the library never imports the environment-file app, the shared pieces
 * (lib/settings, lib/k8s) never import a tier, and a tier's settings import only its own folder
 * and those shared pieces, so a tier's settings can be read, and changed, in its folder alone.
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

  test('the check sees an import that runs back up', () => {
    expect(importsOf('lib/nuxeo/settings.ts')).toContain('lib/settings/fields');
    expect(importsOutside(['lib/nuxeo/nuxeo.ts'], () => ['lib/settings/'])).toContain('lib/nuxeo/nuxeo.ts imports lib/redis/redis');
  });
});
