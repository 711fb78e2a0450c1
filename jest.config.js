/** Jest: one real Temporal dev server per test run (globalSetup), TypeScript through swc. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'], '/node_modules/(openid-client|oauth4webapi|jose)/.+\\.js$': ['@swc/jest'] },
  // The OIDC client (openid-client and its two dependencies) ships ES modules only; Jest's own module loader on
  // Node 20 cannot require them (Node itself can), so swc compiles those three to CommonJS for the tests.
  transformIgnorePatterns: ['/node_modules/(?!(openid-client|oauth4webapi|jose)/)'],
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  setupFiles: ['<rootDir>/test/setup/quiet-runtime.ts'],
  testTimeout: 60_000,
  slowTestThreshold: 30,
};
