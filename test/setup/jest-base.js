/** What both test tiers share: TypeScript through swc, the Temporal runtime kept to errors, one set of servers per run. */
module.exports = {
  testEnvironment: 'node',
  rootDir: require('node:path').join(__dirname, '..', '..'),
  roots: ['<rootDir>/test'],
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
