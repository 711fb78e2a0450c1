#!/usr/bin/env node
// The `overture` CLI. tsx compiles the TypeScript sources on the fly, so the CLI never runs a stale build.
require('tsx/cjs');
const { runCli } = require('../src/cli.ts');

runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
