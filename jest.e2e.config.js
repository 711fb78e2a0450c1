/**
 * Jest, the end-to-end tier (`npm run test:e2e`): the real dev server, the CLI and console as processes, the
 * browser, the native cluster on PostgreSQL, outages, several hosts and PostgreSQL stores. One file at a time.
 */
const base = require('./test/setup/jest-base');

module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/e2e/**/*.test.ts', '<rootDir>/test/browser/**/*.test.ts', '**/*.e2e.test.ts'],
};
