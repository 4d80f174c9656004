// Keeps the precompiled app in .build/ in sync with the TypeScript sources, and runs it fast.
//
// Synth runs plain `node` on an esbuild bundle: no type checking at synth time (`npm test` runs
// `tsc --noEmit`), no module resolution across hundreds of files, and V8's code cache kept
// next to the bundle. Any change to a source (or package-lock.json), by content, triggers a
// transpile-only rebuild (~0.3 s), so the bundle can never be stale.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const Module = require('module');
const path = require('path');
const vm = require('vm');

const ROOT = path.join(__dirname, '..');
const OUT = path.join(ROOT, '.build');
const STAMP = path.join(OUT, '.stamp');
/** Bundles: the cdk8s app, the schema module `npm run schema` reads, and `npm run plan`. */
const ENTRY_POINTS = ['main.ts', 'app/load.ts', 'app/plan/main.ts'];

function sources() {
  // package-lock.json: a dependency upgrade changes the bundle too.
  const files = [path.join(ROOT, 'main.ts'), path.join(ROOT, 'package-lock.json')].filter((f) => fs.existsSync(f));
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) files.push(p);
    }
  };
  for (const d of ['lib', 'imports', 'app']) if (fs.existsSync(path.join(ROOT, d))) walk(path.join(ROOT, d));
  return files.sort();
}

/** Digest of the sources' names and contents: mtimes lie after copies and some checkouts. */
function digest(files) {
  const hash = crypto.createHash('sha256');
  for (const f of files) hash.update(path.relative(ROOT, f)).update('\0').update(fs.readFileSync(f)).update('\0');
  return hash.digest('hex');
}

function isFresh(files) {
  try {
    return fs.readFileSync(STAMP, 'utf8') === digest(files);
  } catch {
    return false;
  }
}

function build(files) {
  fs.rmSync(OUT, { recursive: true, force: true });
  require('esbuild').buildSync({
    entryPoints: ENTRY_POINTS.map((e) => path.join(ROOT, e)),
    outdir: OUT,
    outbase: ROOT,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    logLevel: 'error',
  });
  fs.writeFileSync(STAMP, digest(files));
}

/** Builds .build/ when any source changed; returns true when it did. */
function ensureBuilt(force = false) {
  const files = sources();
  if (!force && isFresh(files)) return false;
  build(files);
  return true;
}

/**
 * Runs a bundle as the main module with V8's code cache: the cache (written after the first run,
 * so it holds the functions synthesis actually compiled) saves most of the parse/compile time.
 */
function runCached(file) {
  const cacheFile = `${file}.v8cache`;
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(fs.readFileSync(file, 'utf8')), { filename: file, cachedData });
  const mod = new Module(file, null);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  if (!cachedData || script.cachedDataRejected) {
    try {
      fs.writeFileSync(cacheFile, script.createCachedData());
    } catch {
      // A read-only checkout only loses the speed-up.
    }
  }
}

module.exports = { ensureBuilt, runCached, OUT };

if (require.main === module) {
  ensureBuilt(true);
}
