// Unit and snapshot tests run alone with `npm run test:unit`; the real-server tests (nginx,
// Redis, Sentinel, PostgreSQL started on loopback) and the packed-library test (npm pack, install
// into examples/library, synth) are separate projects in `npm test`.
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] };
module.exports = {
  projects: [
    { displayName: 'unit', testMatch: ['<rootDir>/test/**/*.test.ts'], testPathIgnorePatterns: ['<rootDir>/test/servers/', '<rootDir>/test/package/'], transform, testEnvironment: 'node' },
    { displayName: 'library', testMatch: ['<rootDir>/test/package/**/*.test.ts'], transform, testEnvironment: 'node' },
    { displayName: 'servers', testMatch: ['<rootDir>/test/servers/**/*.test.ts'], transform, testEnvironment: 'node', setupFilesAfterEnv: ['<rootDir>/test/servers/setup.ts'] },
  ],
};
