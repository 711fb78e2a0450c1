#!/usr/bin/env node
// The `overture` CLI: the compiled build when it matches the sources (or OVERTURE_COMPILED=1, as in the image),
// else the TypeScript sources through tsx, so a checkout never runs a stale build (./compiled.js).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { DIST, entryFile } = require('./compiled');

const argv = process.argv.slice(2);
const { file, compiled } = entryFile('src/apps/cli/main.ts');

// The top-level usage needs no module of the CLI (they take ~1 s to load: the Temporal client, every process's
// definition): the build wrote the very text the CLI prints (src/tools/build/after-compile.ts). No command at all is
// a usage mistake (exit 2), as in runCli.
const usage = path.join(DIST, 'cli-usage.txt');
if (compiled && (argv.length === 0 || (argv.length === 1 && ['--help', '-h', 'help'].includes(argv[0]))) && fs.existsSync(usage)) {
  process.stdout.write(fs.readFileSync(usage, 'utf8'));
  process.exitCode = argv.length === 0 ? 2 : 0;
} else {
  const { runCli } = require(file);
  const { exitAfterOutput } = require(path.join(path.dirname(file), `io${path.extname(file)}`));
  // Exits only once stdout and stderr are flushed: a pipe takes output asynchronously, and an immediate
  // process.exit would cut it (e.g. `overture list --json | jq` at 64 KiB).
  runCli(argv).then(
    (code) => exitAfterOutput(code),
    (err) => {
      console.error(err);
      exitAfterOutput(1);
    },
  );
}
