#!/usr/bin/env node
// The `overture` CLI: the compiled build when it matches the sources (or OVERTURE_COMPILED=1, as in the image),
// else the TypeScript sources through tsx, so a checkout never runs a stale build (./compiled.js).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { DIST, entryFile } = require('./compiled');

const argv = process.argv.slice(2);
const { file, compiled } = entryFile('src/apps/cli/main.ts');

/**
 * The help text the build wrote for these arguments (src/tools/build/after-compile.ts), if they ask only for help:
 * the top-level usage, or one command's (`overture NAME --help`, `overture help NAME`). The CLI's modules take ~1 s to
 * load (the Temporal client, every process's definition); these files are the very text the CLI prints.
 */
function prebuiltHelp() {
  if (argv.length === 0 || (argv.length === 1 && ['--help', '-h', 'help'].includes(argv[0]))) return path.join(DIST, 'cli-usage.txt');
  const [name, ...rest] = argv[0] === 'help' && argv.length === 2 ? [argv[1], '--help'] : argv;
  const end = rest.indexOf('--');
  const asksHelp = (end < 0 ? rest : rest.slice(0, end)).some((a) => a === '--help' || a === '-h');
  return asksHelp && /^[a-z][a-z0-9-]*$/.test(name) ? path.join(DIST, 'cli-help', `${name}.txt`) : undefined;
}

const help = compiled ? prebuiltHelp() : undefined;
if (help && fs.existsSync(help)) {
  process.stdout.write(fs.readFileSync(help, 'utf8'));
  // No command at all is a usage mistake (exit 2), as in runCli.
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
