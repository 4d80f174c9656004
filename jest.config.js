// Unit and snapshot tests run alone with `npm run test:unit`; the real-server tests (nginx,
// Redis, Sentinel, PostgreSQL started on loopback), the pod tests (the synthesized pods run with
// podman + runc by an imitation kubelet, test/pods/: only what the real cluster suite does not
// prove, see docs/cluster.md), the packed-library test (npm pack, install into
// an app made like `cdk8s init typescript-app`, compile, synth) and the newcomer check, which runs the documented own-environment steps and `npm test`
// in a copy of the repository, are separate projects in `npm test`. That nested run sets
// NUXEO_COMPACT_NESTED=1, leaving out itself and the pod tests (their podman pods and networks
// would collide with the outer run's, and they run the examples' pods, which the outer run covers).
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] };
module.exports = {
  projects: [
    { displayName: 'unit', testMatch: ['<rootDir>/test/**/*.test.ts'], testPathIgnorePatterns: ['<rootDir>/test/servers/', '<rootDir>/test/pods/', '<rootDir>/test/cluster/', '<rootDir>/test/newcomer/', '<rootDir>/test/package/', '<rootDir>/test/ci/'], transform, testEnvironment: 'node' },
    { displayName: 'library', testMatch: ['<rootDir>/test/package/**/*.test.ts'], transform, testEnvironment: 'node' },
    { displayName: 'servers', testMatch: ['<rootDir>/test/servers/**/*.test.ts'], transform, testEnvironment: 'node', setupFilesAfterEnv: ['<rootDir>/test/servers/setup.ts'] },
    ...(process.env.NUXEO_COMPACT_NESTED ? [] : [
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
