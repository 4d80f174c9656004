// Keeps the precompiled JavaScript in .build/ in sync with the TypeScript sources.
// Synth runs plain `node` on it (no type checking at synth time: `npm test` type-checks);
// a source newer than the last build triggers a transpile-only esbuild run (~0.1 s).
'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..');
const OUT = path.join(ROOT, '.build');
const STAMP = path.join(OUT, '.stamp');
const SOURCE_DIRS = ['lib', 'imports'];

function sources() {
  const files = [path.join(ROOT, 'main.ts')];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) files.push(p);
    }
  };
  for (const d of SOURCE_DIRS) walk(path.join(ROOT, d));
  return files.sort();
}

function isFresh(files) {
  let stamp;
  try {
    stamp = fs.readFileSync(STAMP, 'utf8');
  } catch {
    return false;
  }
  // The stamp lists the sources it was built from: a new or deleted file also means stale.
  if (stamp !== files.map((f) => path.relative(ROOT, f)).join('\n')) return false;
  const built = fs.statSync(STAMP).mtimeMs;
  return files.every((f) => fs.statSync(f).mtimeMs <= built);
}

function build(files) {
  fs.rmSync(OUT, { recursive: true, force: true });
  require('esbuild').buildSync({
    entryPoints: files,
    outdir: OUT,
    outbase: ROOT,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'error',
  });
  fs.writeFileSync(STAMP, files.map((f) => path.relative(ROOT, f)).join('\n'));
}

/** Builds .build/ when any source changed; returns true when it did. */
function ensureBuilt(force = false) {
  const files = sources();
  if (!force && isFresh(files)) return false;
  build(files);
  return true;
}

module.exports = { ensureBuilt, OUT };

if (require.main === module) {
  ensureBuilt(true);
}
