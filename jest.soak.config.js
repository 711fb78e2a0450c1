/**
 * Jest, the soak tier (`npm run soak`, run by .ci/run after the end-to-end tier): the reliability checks at the
 * scale the issue asks of a trusted orchestrator — 1,000 onboardings under outside faults and worker kills, 500
 * approval chains with early, repeated and concurrent decisions, 10,000 hostile inputs through every entry point.
 * One file at a time; each prints its figures. SOAK_ONBOARDINGS, SOAK_APPROVALS and SOAK_FUZZ make them smaller.
 */
const base = require('./test/setup/jest-base');

module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/soak/**/*.soak.ts'],
  testTimeout: 1_800_000,
};
