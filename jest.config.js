// Unit and snapshot tests run alone with `npm run test:unit`; the real-server tests (nginx,
// Redis, Sentinel, PostgreSQL started on loopback), the pod tests (the synthesized pods run with
// podman + runc by an imitation kubelet, test/pods/: only what the real cluster suite does not
// prove, see docs/cluster.md), the packed-library test (npm pack, install into
// an app made like `cdk8s init typescript-app`, compile, synth) and the newcomer check, which runs the documented own-environment steps and `npm test`
// in a copy of the repository, are separate projects in `npm test`. That nested run sets
// NUXEO_COMPACT_NESTED=1: it runs only the unit and server test files that read the environments
// folder (test/helpers.ts: shippedEnvironments, environmentMatrix, ENV_DIR; listEnvironmentFiles), the ones a user's
// added files can change; the others, the pod tests and the library's do not read it, and the
// outer run runs them.
const fs = require('fs');
const path = require('path');
const nested = !!process.env.NUXEO_COMPACT_NESTED;
/** The test files (rootDir patterns) that read the environments folder. */
function readingEnvironments() {
  const files = fs.readdirSync(path.join(__dirname, 'test'), { recursive: true }).filter((f) => f.endsWith('.test.ts'));
  return files.filter((f) => /\b(shippedEnvironments|environmentMatrix|ENV_DIR|listEnvironmentFiles)\b/.test(fs.readFileSync(path.join(__dirname, 'test', f), 'utf8')))
    .map((f) => `<rootDir>/test/${f}`);
}
const environmentReaders = nested ? readingEnvironments() : [];
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] };
module.exports = {
  projects: [
    { displayName: 'unit', testMatch: nested ? environmentReaders : ['<rootDir>/test/**/*.test.ts'], testPathIgnorePatterns: ['<rootDir>/test/servers/', '<rootDir>/test/pods/', '<rootDir>/test/cluster/', '<rootDir>/test/newcomer/', '<rootDir>/test/package/', '<rootDir>/test/ci/'], transform, testEnvironment: 'node' },
    { displayName: 'servers', testMatch: nested ? environmentReaders : ['<rootDir>/test/servers/**/*.test.ts'], testPathIgnorePatterns: ['<rootDir>/test/(?!servers/)'], transform, testEnvironment: 'node', setupFilesAfterEnv: ['<rootDir>/test/servers/setup.ts'] },
    ...(nested ? [] : [
      { displayName: 'library', testMatch: ['<rootDir>/test/package/**/*.test.ts'], transform, testEnvironment: 'node' },
      { displayName: 'pods', testMatch: ['<rootDir>/test/pods/**/*.test.ts'], transform, testEnvironment: 'node' },
      { displayName: 'newcomer', testMatch: ['<rootDir>/test/newcomer/**/*.test.ts'], transform, testEnvironment: 'node' },
    ]),
    // The CI recipes of examples/ci/ run by real runners (test/ci/: gitlab-ci-local, act), about
    // 4 minutes: only with `npm run test:recipes` (.ci/run runs it after npm test).
    ...(process.env.NUXEO_COMPACT_RECIPES ? [
      { displayName: 'recipes', testMatch: ['<rootDir>/test/ci/**/*.test.ts'], transform, testEnvironment: 'node' },
    ] : []),
    // The real one-node cluster (test/cluster/, docs/cluster.md): only with `npm run test:cluster`,
    // whose globalSetup brings the cluster up and globalTeardown takes it down.
    ...(process.env.NUXEO_COMPACT_CLUSTER ? [
      { displayName: 'cluster', testMatch: ['<rootDir>/test/cluster/**/*.test.ts'], transform, testEnvironment: 'node', globalSetup: '<rootDir>/test/cluster/global-setup.ts', globalTeardown: '<rootDir>/test/cluster/global-teardown.ts' },
    ] : []),
  ],
};
