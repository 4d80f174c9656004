#!/usr/bin/env node
// `npm run bench`: synth speed and memory, side by side, in one run.
//
//  1. The shipped environments through three setups: the stock cdk8s template (ts-node with type
//     checking), our default synth command, and the precompiled floor (the bundle run by node).
//     The same three through the cdk8s CLI (`cdk8s synth`), which adds its own start-up.
//  2. A scaling series: Nuxeo nodes 2, 10, 50 x environments 1, 5, 20.
// Medians of repeated runs; peak memory is the largest RSS of any node process, from one more
// run with an RSS probe (kept out of the timed runs).
// `--quick` (what .ci/run runs as a smoke test): one timed run per row; figures printed, nothing
// asserted on time, but every generated environment must validate and synthesize.
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { parseDocument } = require('yaml');
const { ensureBuilt, OUT } = require('./build');

const ROOT = path.join(__dirname, '..');
const QUICK = process.argv.includes('--quick');
const RUNS = QUICK ? 1 : Number(process.env.BENCH_RUNS ?? 7);
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
const PEAK = path.join(WORK, 'peak.js');
fs.writeFileSync(PEAK, "process.on('exit', () => { try { require('fs').appendFileSync(process.env.BENCH_PEAK_FILE, process.resourceUsage().maxRSS + '\\n'); } catch {} });\n");

const node = process.execPath;
const tsNode = path.join(ROOT, 'node_modules', 'ts-node', 'dist', 'bin.js');
const cdk8s = path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');

/** One run: wall time without instrumentation, or (withPeak) peak RSS of every node process. */
function once(args, cwd, withPeak = false) {
  const peakFile = path.join(WORK, `peak-${process.hrtime.bigint()}`);
  const env = { ...process.env, CDK8S_CHECK_UPGRADE: 'false', ...(withPeak ? { NODE_OPTIONS: `--require ${PEAK}`, BENCH_PEAK_FILE: peakFile } : {}) };
  const start = process.hrtime.bigint();
  const r = spawnSync(args[0], args.slice(1), { cwd, env, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return withPeak ? Math.max(...fs.readFileSync(peakFile, 'utf8').trim().split('\n').map(Number)) / 1024 : seconds;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function measure(label, args, { cwd = ROOT, runs = RUNS } = {}) {
  once(args, cwd); // warm-up: file cache, V8 code cache, ts-node cache
  const seconds = median(Array.from({ length: runs }, () => once(args, cwd)));
  // Memory from a separate run: the RSS probe itself costs time, so it stays out of the timings.
  const peakMiB = once(args, cwd, true);
  console.log(`  ${label.padEnd(58)} ${seconds.toFixed(3).padStart(7)} s  ${peakMiB.toFixed(0).padStart(5)} MiB`);
  return { label, seconds, peakMiB, runs };
}

ensureBuilt();
const { databaseConnectionsNeeded, validateEnvironment } = require(path.join(OUT, 'app', 'load.js'));
const out = (name) => path.join(WORK, name);
console.log(`node ${process.version}, ${os.cpus().length} CPUs, ${RUNS} runs per row (median), shipped environments: ${fs.readdirSync(path.join(ROOT, 'environments')).join(', ')}\n`);

console.log('App alone');
// The cdk8s TypeScript template's app command is `npx ts-node main.ts`.
const stock = measure('stock: npx ts-node main.ts (type-checks every run)', ['npx', 'ts-node', 'main.ts', '--out', out('stock')], { runs: Math.min(RUNS, 5) });
measure('  same without npx: node ts-node/dist/bin.js main.ts', [node, tsNode, 'main.ts', '--out', out('stock-direct')], { runs: Math.min(RUNS, 5) });
const ours = measure('ours: node scripts/synth.js (npm run synth, cdk8s.yaml app)', [node, 'scripts/synth.js', '--out', out('ours')]);
const floor = measure('floor: node .build/main.js (precompiled bundle)', [node, path.join(OUT, 'main.js'), '--out', out('floor')]);

console.log('\nThrough the cdk8s CLI (`cdk8s synth`, upgrade check off)');
const cliStock = measure('stock: app "npx ts-node main.ts"', [node, cdk8s, 'synth', '--app', `npx ts-node main.ts --out ${out('cli-stock')}`, '-o', out('cli-scratch-1')], { runs: Math.min(RUNS, 3) });
const cliOurs = measure('ours: cdk8s.yaml app "node scripts/synth.js"', [node, cdk8s, 'synth', '--app', `${node} scripts/synth.js --out ${out('cli-ours')}`, '-o', out('cli-scratch-2')], { runs: Math.min(RUNS, 5) });

console.log('\nScaling: sidecar example with N Nuxeo nodes, E environments (ours)');
const base = fs.readFileSync(path.join(ROOT, 'environments', 'sidecar-redis.yaml'), 'utf8');
const baseSpec = validateEnvironment(parseDocument(base).toJS()).spec; // with the schema's defaults
/**
 * The sidecar example with N nodes, sized the way a user would have to (PostgreSQL connections for
 * every node's pool), and validated here so that a new schema rule cannot silently break the bench.
 */
function scaledEnvironment(nodes, i) {
  const doc = parseDocument(base);
  doc.setIn(['namespace'], `nuxeo-${i}`);
  doc.setIn(['nuxeo', 'replicas'], nodes);
  doc.setIn(['loadBalancer', 'host'], `nuxeo-${i}.example.com`);
  doc.setIn(['database', 'maxConnections'], Math.max(baseSpec.database.maxConnections, databaseConnectionsNeeded(nodes, baseSpec.nuxeo.databasePoolSize)));
  const { problems } = validateEnvironment(doc.toJS());
  if (problems.length) throw new Error(`bench: generated environment (${nodes} nodes) is invalid:\n  ${problems.join('\n  ')}`);
  return doc.toString();
}
const series = [];
for (const nodes of [2, 10, 50]) {
  for (const envs of [1, 5, 20]) {
    const cwd = fs.mkdtempSync(path.join(WORK, `scale-${nodes}-${envs}-`));
    fs.mkdirSync(path.join(cwd, 'environments'));
    for (let i = 0; i < envs; i++) {
      fs.writeFileSync(path.join(cwd, 'environments', `env-${i}.yaml`), scaledEnvironment(nodes, i));
    }
    const row = measure(`nodes ${String(nodes).padStart(2)} x environments ${String(envs).padStart(2)}`, [node, path.join(ROOT, 'scripts', 'synth.js')], { cwd, runs: Math.min(RUNS, 5) });
    series.push({ nodes, envs, ...row });
  }
}

// Least squares t = a + b*envs + c*(nodes*envs): linear in the work, and how much of it nodes add.
function fit(rows) {
  const X = rows.map((r) => [1, r.envs, r.nodes * r.envs]);
  const y = rows.map((r) => r.seconds);
  const XtX = [0, 1, 2].map((i) => [0, 1, 2].map((j) => X.reduce((s, x) => s + x[i] * x[j], 0)));
  const Xty = [0, 1, 2].map((i) => X.reduce((s, x, k) => s + x[i] * y[k], 0));
  const m = XtX.map((row, i) => [...row, Xty[i]]);
  for (let i = 0; i < 3; i++) {
    for (let k = i + 1; k < 3; k++) {
      const f = m[k][i] / m[i][i];
      for (let j = i; j < 4; j++) m[k][j] -= f * m[i][j];
    }
  }
  const beta = [0, 0, 0];
  for (let i = 2; i >= 0; i--) beta[i] = (m[i][3] - [0, 1, 2].slice(i + 1).reduce((s, j) => s + m[i][j] * beta[j], 0)) / m[i][i];
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  const ssRes = y.reduce((s, v, k) => s + (v - X[k].reduce((t, x, j) => t + x * beta[j], 0)) ** 2, 0);
  const ssTot = y.reduce((s, v) => s + (v - mean) ** 2, 0);
  return { a: beta[0], b: beta[1], c: beta[2], r2: 1 - ssRes / ssTot };
}
const f = fit(series);
const biggest = series.find((r) => r.nodes === 50 && r.envs === 20);

const check = (ok) => (ok ? 'PASS' : 'FAIL');
console.log(`
Figures
  ours / floor                      ${(ours.seconds / floor.seconds).toFixed(2)}x   (target <= 1.5x)        ${check(ours.seconds <= 1.5 * floor.seconds)}
  stock / ours                      ${(stock.seconds / ours.seconds).toFixed(1)}x   (target >= 10x)         ${check(stock.seconds >= 10 * ours.seconds)}
  stock / ours through the CLI      ${(cliStock.seconds / cliOurs.seconds).toFixed(1)}x
  50 nodes x 20 environments        ${biggest.seconds.toFixed(3)} s (target < 3 s)        ${check(biggest.seconds < 3)}
  fit t = a + b*envs + c*nodes*envs a=${f.a.toFixed(3)} s, b=${(f.b * 1000).toFixed(1)} ms/env, c=${(f.c * 1000).toFixed(3)} ms/(node*env), R^2=${f.r2.toFixed(3)}
  (a StatefulSet describes all its pods once, so a node costs next to nothing; an environment costs b)`);

fs.rmSync(WORK, { recursive: true, force: true });
