#!/usr/bin/env node
/**
 * Runs one of Overture's long-running parts from its source entry point, compiled when built (./compiled.js):
 * `node bin/run.js workers/overture-worker.ts [args]` (npm run worker, console, events).
 *
 * The entry becomes the main module (process.argv[1], Module.runMain, as `node FILE` would), so its
 * `require.main === module` start-up runs and signals reach it directly: no second process.
 */
'use strict';
const Module = require('node:module');
const { entryFile } = require('./compiled');

const source = process.argv[2];
if (!source) {
  console.error('usage: node bin/run.js ENTRY.ts [args]');
  process.exit(2);
}
const { file } = entryFile(source);
process.argv.splice(1, 2, file);
Module.runMain();
