// Unit and snapshot tests run alone with `npm run test:unit`; the real-server tests (nginx,
// Redis, Sentinel, PostgreSQL started on loopback) and the pod tests (the synthesized pods run
// with podman + runc as a kubelet would, test/pods/) are separate projects in `npm test`.
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }] };
module.exports = {
  projects: [
    { displayName: 'unit', testMatch: ['<rootDir>/test/**/*.test.ts'], testPathIgnorePatterns: ['<rootDir>/test/servers/', '<rootDir>/test/pods/'], transform, testEnvironment: 'node' },
    { displayName: 'servers', testMatch: ['<rootDir>/test/servers/**/*.test.ts'], transform, testEnvironment: 'node', setupFilesAfterEnv: ['<rootDir>/test/servers/setup.ts'] },
    { displayName: 'pods', testMatch: ['<rootDir>/test/pods/**/*.test.ts'], transform, testEnvironment: 'node' },
  ],
};
