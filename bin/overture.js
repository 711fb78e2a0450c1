#!/usr/bin/env node
// The `overture` CLI. tsx compiles the TypeScript sources on the fly, so the CLI never runs a stale build.
require('tsx/cjs');
const { runCli } = require('../src/apps/cli/main.ts');
const { exitAfterOutput } = require('../src/apps/cli/io.ts');

// Exits only once stdout and stderr are flushed: a pipe takes output asynchronously, and an immediate
// process.exit would cut it (e.g. `overture list --json | jq` at 64 KiB).
runCli(process.argv.slice(2)).then(
  (code) => exitAfterOutput(code),
  (err) => {
    console.error(err);
    exitAfterOutput(1);
  },
);
