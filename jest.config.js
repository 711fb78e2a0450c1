/**
 * Jest, the fast tier (`npm test`): unit tests (no server), the kit's, every process's workflow tests and the
 * replay gate, on two workers. Workflow tests run on the Temporal dev server, or on a time-skipping test server of
 * their worker's own when they wait on timers (ladders, sequences). The rest is jest.e2e.config.js.
 */
const base = require('./test/setup/jest-base');

module.exports = {
  ...base,
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/', '<rootDir>/test/browser/', '\\.e2e\\.test\\.ts$'],
  globals: { timeSkippingServers: true },
};
