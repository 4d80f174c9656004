// Unit and snapshot tests run alone with `npm run test:unit`; the real-server tests (nginx,
// Redis, Sentinel, PostgreSQL started on loopback), the packed-library test (npm pack, install
// into examples/library, synth) and the newcomer check, which runs the README's steps and
// `npm test` in a copy of the repository (that nested run sets NUXEO_COMPACT_NESTED=1, leaving
// itself out), are separate projects in `npm test`.
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] };
module.exports = {
  projects: [
    { displayName: 'unit', testMatch: ['<rootDir>/test/**/*.test.ts'], testPathIgnorePatterns: ['<rootDir>/test/servers/', '<rootDir>/test/newcomer/', '<rootDir>/test/package/'], transform, testEnvironment: 'node' },
    { displayName: 'library', testMatch: ['<rootDir>/test/package/**/*.test.ts'], transform, testEnvironment: 'node' },
    { displayName: 'servers', testMatch: ['<rootDir>/test/servers/**/*.test.ts'], transform, testEnvironment: 'node', setupFilesAfterEnv: ['<rootDir>/test/servers/setup.ts'] },
    ...(process.env.NUXEO_COMPACT_NESTED ? [] : [{ displayName: 'newcomer', testMatch: ['<rootDir>/test/newcomer/**/*.test.ts'], transform, testEnvironment: 'node' }]),
  ],
};
